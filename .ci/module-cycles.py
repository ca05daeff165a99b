"""Fails if any two files of a crate import each other, directly or around a loop.

Reads every `use crate::…`/`super::…` tree and inline `crate::`/`super::` path, maps each to
the file that defines it, and reports the strongly connected components of that graph.
Edges from `mod tests` count too. `python3 .ci/module-cycles.py core/src -v` lists the edges."""
import os, re, sys
ROOT = sys.argv[1] if len(sys.argv) > 1 else 'core/src'
files = {}
for d, _, fs in os.walk(ROOT):
    for f in fs:
        if f.endswith('.rs'):
            p = os.path.relpath(os.path.join(d, f), ROOT)
            files[p] = open(os.path.join(d, f)).read()

def modpath(p):  # file -> module path list
    parts = p[:-3].split('/')
    if parts[-1] in ('mod', 'lib'):
        parts = parts[:-1]
    return parts

def file_of(mp):  # module path -> file, or None
    if not mp:
        return 'lib.rs'
    a = '/'.join(mp) + '.rs'
    b = '/'.join(mp) + '/mod.rs'
    return a if a in files else b if b in files else None

def resolve(mp):  # longest module prefix that is a file
    for k in range(len(mp), -1, -1):
        f = file_of(mp[:k])
        if f:
            return f
    return None

def uses(src):
    # `use` trees, flattened to paths; plus inline crate::/super:: paths in code lines
    out = []
    in_tests = False
    for line in src.split('\n'):
        s = line.strip()
        if s.startswith('mod tests'):
            in_tests = True
        if s.startswith('//'):
            continue
        out.append((line, in_tests))
    text_lines = out
    res = []
    code = '\n'.join(l for l, _ in text_lines)
    # map char offset -> in_tests
    idx = code.find('mod tests {')
    for m in re.finditer(r'\buse\s+([^;]+);', code):
        tree = re.sub(r'\s+', '', m.group(1))
        t = idx >= 0 and m.start() > idx
        for p in expand(tree):
            res.append((p, t))
    for m in re.finditer(r'(?<![\w:])((?:crate|super)(?:::\w+)+)', code):
        # inline paths outside use statements
        line_start = code.rfind('\n', 0, m.start()) + 1
        if code[line_start:m.start()].lstrip().startswith(('use ', 'pub use ', 'pub(crate) use ')):
            continue
        if code[max(0, m.start() - 4):m.start()].endswith('(in '):
            continue  # a visibility path, `pub(in crate::x)`, imports nothing
        t = idx >= 0 and m.start() > idx
        res.append((m.group(1), t))
    return res

def expand(tree):
    m = re.match(r'^(.*?)\{(.*)\}$', tree)
    if not m:
        return [tree.split(' as ')[0].split('as')[0] if False else re.sub(r'as\w+$', '', tree)]
    prefix, inner = m.group(1), m.group(2)
    parts, depth, cur = [], 0, ''
    for ch in inner:
        if ch == ',' and depth == 0:
            parts.append(cur); cur = ''
        else:
            depth += ch == '{'; depth -= ch == '}'; cur += ch
    if cur:
        parts.append(cur)
    out = []
    for p in parts:
        out += expand(prefix + p)
    return out

edges = {}
for p, src in sorted(files.items()):
    mp = modpath(p)
    for path, t in uses(src):
        segs = path.split('::')
        if segs[0] == 'crate':
            tgt = segs[1:]
        elif segs[0] == 'super':
            base = mp[:]
            # in a `mod tests` block, the first super is the file's own module
            if t:
                segs = segs[1:]
                if not segs or segs == ['*']:
                    continue
            while segs and segs[0] == 'super':
                base = base[:-1]; segs = segs[1:]
            if t and path.split('::')[1:2] != ['super']:
                # super::x inside tests = sibling items of this file
                tgt = mp + segs if segs[0] != '*' else mp
                if file_of(tgt[:len(mp)+1]) is None:
                    continue
            else:
                tgt = base + [s for s in segs if s != '*']
        elif segs[0] == 'self':
            tgt = mp + segs[1:]
        elif file_of(mp + [segs[0]]):
            tgt = mp + segs  # a child module: `pub use driver::X` in a mod.rs
        else:
            continue
        f = resolve(tgt)
        if f and f != p:
            edges.setdefault(p, {}).setdefault(f, set()).add('t' if t else 'c')

graph = {p: set(edges.get(p, {})) for p in files}
# Tarjan's strongly connected components: any component of 2+ files is an import cycle.
index, low, on, stack, sccs, n = {}, {}, set(), [], [], [0]
def strong(v):
    index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in graph.get(v, ()):
        if w not in index:
            strong(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: sccs.append(sorted(comp))
import sys as _s; _s.setrecursionlimit(10000)
for p in sorted(files):
    if p not in index: strong(p)
total = sum(len(v) for v in edges.values())
print(f'{len(files)} files, {total} file-to-file use edges')
if '-v' in sys.argv:
    for p in sorted(edges):
        for f in sorted(edges[p]):
            print(f'  {p} -> {f}' + ('' if 'c' in edges[p][f] else ' (t)'))
print('import cycles:', sccs or 'none')
sys.exit(1 if sccs else 0)
