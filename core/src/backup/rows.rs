//! The fast path of row files: a page parsed straight into column order, and values written
//! without going through a serializer.
//!
//! [`parse_rows`] reads the rows a well-formed page holds (objects of strings, numbers, booleans
//! and nulls, keys in any case, `row_num` ignored) without building a map per row. Anything
//! else, from a nested value to a syntax error, a repeated key or a key no column has, makes it
//! stop and say how many rows it handed over; the caller reads the rest with the general reader,
//! which gives the same rows and the same errors as before.

use std::borrow::Cow;
use std::io::{self, Read, Write};

use serde_json::{Number, Value};

/// How a page ended.
pub(crate) enum Parsed {
    /// Every row was handed over and the file holds nothing after the array.
    Done(u64),
    /// This many rows were handed over; the rest needs the general reader.
    Fallback(usize),
}

/// Why a step could not finish.
enum Stop {
    /// The buffer ends inside it: read more and try again.
    Incomplete,
    /// Not the simple form: the general reader takes over.
    Other,
}

/// How keys find their columns.
pub(crate) struct Lookup<'k> {
    /// Lower-cased column names, as `RowKeys` folds them.
    pub(crate) index: &'k std::collections::HashMap<String, usize>,
    /// The key each column is written under, when it folds back to that column.
    pub(crate) written: &'k [Option<String>],
    pub(crate) columns: usize,
}

impl Lookup<'_> {
    fn column(&self, key: &str, next: usize) -> Option<usize> {
        if let Some(Some(w)) = self.written.get(next)
            && w == key
        {
            return Some(next);
        }
        if key.is_ascii() && key.len() <= 128 {
            let mut buf = [0u8; 128];
            let lower = &mut buf[..key.len()];
            lower.copy_from_slice(key.as_bytes());
            lower.make_ascii_lowercase();
            let lower = std::str::from_utf8(lower).ok()?;
            return self.index.get(lower).copied();
        }
        self.index.get(&fold(key)).copied()
    }
}

#[cfg(not(test))]
const CHUNK: usize = 256 * 1024;
/// Small in tests, so that chunk boundaries fall inside every kind of token.
#[cfg(test)]
const CHUNK: usize = 5;

/// Streams the rows of one page from `src` into `on_row`, in column order. The BOM, if any,
/// must be consumed already. I/O errors come back as they are; errors of `on_row` too.
pub(crate) fn parse_rows<R: Read, E>(
    src: &mut R,
    lookup: &Lookup<'_>,
    mut on_row: impl FnMut(usize, Vec<Value>) -> Result<(), E>,
    io_err: impl Fn(io::Error) -> E,
) -> Result<Parsed, E> {
    let mut buf = Buffer {
        data: Vec::with_capacity(CHUNK),
        pos: 0,
        eof: false,
    };
    let mut seen = vec![false; lookup.columns];
    let mut rows = 0usize;
    // 0: before `[`; 1: after `[`; 2: after a row; 3: before a row; 4: after `]`.
    let mut state = 0u8;
    loop {
        let mut p = Cursor {
            b: &buf.data,
            p: buf.pos,
        };
        let step: Result<(u8, Option<Vec<Value>>), Stop> = match state {
            0 => p.ws().and_then(|()| p.byte(b'[')).map(|()| (1, None)),
            1 => p.ws().and_then(|()| match p.peek()? {
                b']' => {
                    p.p += 1;
                    Ok((4, None))
                }
                _ => Ok((3, None)),
            }),
            2 => p.ws().and_then(|()| match p.peek()? {
                b',' => {
                    p.p += 1;
                    Ok((3, None))
                }
                b']' => {
                    p.p += 1;
                    Ok((4, None))
                }
                _ => Err(Stop::Other),
            }),
            3 => p
                .ws()
                .and_then(|()| p.row(lookup, &mut seen))
                .map(|v| (2, Some(v))),
            _ => match p.ws() {
                // Only whitespace may follow the array.
                Err(Stop::Incomplete) if buf.eof => return Ok(Parsed::Done(rows as u64)),
                Err(e) => Err(e),
                Ok(()) => Err(Stop::Other),
            },
        };
        let end = p.p;
        match step {
            Ok((next, values)) => {
                buf.pos = end;
                state = next;
                if let Some(values) = values {
                    on_row(rows, values)?;
                    rows += 1;
                }
            }
            Err(Stop::Incomplete) if !buf.eof => buf.fill(src).map_err(&io_err)?,
            Err(_) => return Ok(Parsed::Fallback(rows)),
        }
    }
}

struct Buffer {
    data: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl Buffer {
    /// Drops what was consumed and reads at least as much again as is pending (a chunk at
    /// least), or up to the end, so a long row is not rescanned once per chunk.
    fn fill<R: Read>(&mut self, src: &mut R) -> io::Result<()> {
        self.data.drain(..self.pos);
        self.pos = 0;
        let have = self.data.len();
        let want = have.max(CHUNK);
        self.data.resize(have + want, 0);
        let mut got = 0;
        while got < want {
            match src.read(&mut self.data[have + got..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.data.truncate(have + got);
                    return Err(e);
                }
            }
        }
        self.data.truncate(have + got);
        Ok(())
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    p: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Result<u8, Stop> {
        self.b.get(self.p).copied().ok_or(Stop::Incomplete)
    }

    fn ws(&mut self) -> Result<(), Stop> {
        loop {
            match self.peek()? {
                b' ' | b'\t' | b'\n' | b'\r' => self.p += 1,
                _ => return Ok(()),
            }
        }
    }

    fn byte(&mut self, want: u8) -> Result<(), Stop> {
        if self.peek()? == want {
            self.p += 1;
            Ok(())
        } else {
            Err(Stop::Other)
        }
    }

    fn row(&mut self, lookup: &Lookup<'_>, seen: &mut [bool]) -> Result<Vec<Value>, Stop> {
        self.byte(b'{')?;
        let mut values = vec![Value::Null; lookup.columns];
        seen.iter_mut().for_each(|s| *s = false);
        let mut row_num = false;
        let mut next = 0usize;
        self.ws()?;
        if self.peek()? == b'}' {
            self.p += 1;
            return Ok(values);
        }
        loop {
            self.byte(b'"')?;
            let key = self.string()?;
            self.ws()?;
            self.byte(b':')?;
            self.ws()?;
            match lookup.column(&key, next) {
                Some(i) => {
                    if seen[i] {
                        return Err(Stop::Other);
                    }
                    seen[i] = true;
                    values[i] = self.value()?;
                    next = i + 1;
                }
                None if key.eq_ignore_ascii_case("row_num") && !row_num => {
                    row_num = true;
                    self.value()?;
                }
                None => return Err(Stop::Other),
            }
            self.ws()?;
            match self.peek()? {
                b',' => {
                    self.p += 1;
                    self.ws()?;
                }
                b'}' => {
                    self.p += 1;
                    return Ok(values);
                }
                _ => return Err(Stop::Other),
            }
        }
    }

    fn value(&mut self) -> Result<Value, Stop> {
        match self.peek()? {
            b'"' => {
                self.p += 1;
                Ok(Value::String(self.string()?.into_owned()))
            }
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'n' => self.literal(b"null", Value::Null),
            _ => Err(Stop::Other),
        }
    }

    fn literal(&mut self, text: &[u8], v: Value) -> Result<Value, Stop> {
        let end = self.p + text.len();
        if end > self.b.len() {
            return Err(Stop::Incomplete);
        }
        if &self.b[self.p..end] != text {
            return Err(Stop::Other);
        }
        self.p = end;
        Ok(v)
    }

    fn digits(&mut self) -> Result<usize, Stop> {
        let start = self.p;
        while self.peek()?.is_ascii_digit() {
            self.p += 1;
        }
        Ok(self.p - start)
    }

    /// A JSON number, kept as written (the `arbitrary_precision` form serde_json gives).
    fn number(&mut self) -> Result<Value, Stop> {
        let start = self.p;
        if self.peek()? == b'-' {
            self.p += 1;
        }
        match self.peek()? {
            b'0' => self.p += 1,
            b'1'..=b'9' => {
                self.digits()?;
            }
            _ => return Err(Stop::Other),
        }
        let mut plain = true;
        if self.peek()? == b'.' {
            self.p += 1;
            plain = false;
            if self.digits()? == 0 {
                return Err(Stop::Other);
            }
        }
        if matches!(self.peek()?, b'e' | b'E') {
            self.p += 1;
            plain = false;
            if matches!(self.peek()?, b'+' | b'-') {
                self.p += 1;
            }
            if self.digits()? == 0 {
                return Err(Stop::Other);
            }
        }
        let text = &self.b[start..self.p];
        if plain && !text.starts_with(b"-0") {
            // ASCII digits, so this is UTF-8.
            let s = std::str::from_utf8(text).map_err(|_| Stop::Other)?;
            if let Ok(i) = s.parse::<i64>() {
                return Ok(Value::Number(Number::from(i)));
            }
            if let Ok(u) = s.parse::<u64>() {
                return Ok(Value::Number(Number::from(u)));
            }
        }
        match serde_json::from_slice::<Value>(text) {
            Ok(v @ Value::Number(_)) => Ok(v),
            _ => Err(Stop::Other),
        }
    }

    /// The rest of a string whose opening quote was read.
    fn string(&mut self) -> Result<Cow<'a, str>, Stop> {
        let b = self.b;
        let start = self.p;
        let i = find_special(&b[start..]).ok_or(Stop::Incomplete)?;
        let at = start + i;
        if b[at] == b'"' {
            self.p = at + 1;
            // simdutf8 checks CJK text several times faster than the standard library.
            return simdutf8::basic::from_utf8(&b[start..at])
                .map(Cow::Borrowed)
                .map_err(|_| Stop::Other);
        }
        let mut out: Vec<u8> = Vec::with_capacity(i + 64);
        let mut p = start;
        loop {
            let i = find_special(&b[p..]).ok_or(Stop::Incomplete)?;
            out.extend_from_slice(&b[p..p + i]);
            p += i;
            match b[p] {
                b'"' => {
                    self.p = p + 1;
                    // A copy costs less than the standard library's check of CJK text.
                    return simdutf8::basic::from_utf8(&out)
                        .map(|s| Cow::Owned(s.to_owned()))
                        .map_err(|_| Stop::Other);
                }
                b'\\' => {
                    let e = *b.get(p + 1).ok_or(Stop::Incomplete)?;
                    p += 2;
                    let c = match e {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            let hi = hex4(b, p)?;
                            p += 4;
                            let c = match hi {
                                0xD800..=0xDBFF => {
                                    if b.len() < p + 6 {
                                        return Err(Stop::Incomplete);
                                    }
                                    if b[p] != b'\\' || b[p + 1] != b'u' {
                                        return Err(Stop::Other);
                                    }
                                    let lo = hex4(b, p + 2)?;
                                    if !(0xDC00..=0xDFFF).contains(&lo) {
                                        return Err(Stop::Other);
                                    }
                                    p += 6;
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                }
                                0xDC00..=0xDFFF => return Err(Stop::Other),
                                c => c,
                            };
                            let c = char::from_u32(c).ok_or(Stop::Other)?;
                            let mut tmp = [0u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                            continue;
                        }
                        _ => return Err(Stop::Other),
                    };
                    out.push(c);
                }
                // A control character, which JSON strings may not hold raw.
                _ => return Err(Stop::Other),
            }
        }
    }
}

fn hex4(b: &[u8], p: usize) -> Result<u32, Stop> {
    let digits = b.get(p..p + 4).ok_or(Stop::Incomplete)?;
    let mut n = 0u32;
    for &d in digits {
        let v = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return Err(Stop::Other),
        };
        n = n * 16 + u32::from(v);
    }
    Ok(n)
}

/// Lower-cases character by character, as `camel_case` does when the writer makes the keys:
/// `str::to_lowercase` turns a final `Σ` into `ς`, which the key `σ` would then not match.
pub(super) fn fold(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The first byte that ends the plain run of a JSON string: `"`, `\` or a control character.
fn find_special(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 8 <= s.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[i..i + 8]);
        let w = u64::from_le_bytes(w);
        let control = w.wrapping_sub(LO * 0x20) & !w & HI;
        let q = w ^ (LO * u64::from(b'"'));
        let quote = q.wrapping_sub(LO) & !q & HI;
        let bs = w ^ (LO * u64::from(b'\\'));
        let backslash = bs.wrapping_sub(LO) & !bs & HI;
        let m = control | quote | backslash;
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s[i..]
        .iter()
        .position(|&c| c < 0x20 || c == b'"' || c == b'\\')
        .map(|j| i + j)
}

/// [`write_str`] into memory.
pub(crate) fn push_str(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    let mut p = 0;
    while let Some(i) = find_special(&b[p..]) {
        let at = p + i;
        out.extend_from_slice(&b[p..at]);
        let (e, n) = escape(b[at]);
        out.extend_from_slice(&e[..n]);
        p = at + 1;
    }
    out.extend_from_slice(&b[p..]);
    out.push(b'"');
}

/// The escape serde_json writes for a byte [`find_special`] stops at, and its length.
fn escape(c: u8) -> ([u8; 6], usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = |b: u8| ([b'\\', b, 0, 0, 0, 0], 2);
    match c {
        b'"' => short(b'"'),
        b'\\' => short(b'\\'),
        0x08 => short(b'b'),
        0x0c => short(b'f'),
        b'\n' => short(b'n'),
        b'\r' => short(b'r'),
        b'\t' => short(b't'),
        _ => (
            [
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(c >> 4)],
                HEX[usize::from(c & 0xf)],
            ],
            6,
        ),
    }
}

/// Writes a string as serde_json writes it: `"`, `\` and control characters escaped, the short
/// forms where JSON has them, everything else as it is.
pub(crate) fn write_str(out: &mut impl Write, s: &str) -> io::Result<()> {
    let b = s.as_bytes();
    out.write_all(b"\"")?;
    let mut p = 0;
    while let Some(i) = find_special(&b[p..]) {
        let at = p + i;
        out.write_all(&b[p..at])?;
        let (e, n) = escape(b[at]);
        out.write_all(&e[..n])?;
        p = at + 1;
    }
    out.write_all(&b[p..])?;
    out.write_all(b"\"")
}

/// [`write_value`] into memory, which cannot fail.
pub(crate) fn push_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::String(s) => push_str(out, s),
        // Numbers, arrays and objects: serde_json writing into a Vec has no error to give.
        other => {
            let _ = write_value(out, other);
        }
    }
}

/// Writes a value as `serde_json::to_writer` does.
pub(crate) fn write_value(out: &mut impl Write, v: &Value) -> io::Result<()> {
    match v {
        Value::Null => out.write_all(b"null"),
        Value::Bool(true) => out.write_all(b"true"),
        Value::Bool(false) => out.write_all(b"false"),
        Value::String(s) => write_str(out, s),
        other => serde_json::to_writer(out, other).map_err(io::Error::other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(text: &str, cols: &[&str]) -> (Vec<Vec<Value>>, Option<usize>) {
        let index: HashMap<String, usize> = cols
            .iter()
            .enumerate()
            .map(|(i, c)| (c.to_lowercase(), i))
            .collect();
        let written: Vec<Option<String>> = cols.iter().map(|c| Some(c.to_string())).collect();
        let lookup = Lookup {
            index: &index,
            written: &written,
            columns: cols.len(),
        };
        // Tiny reads, so every boundary falls inside some token.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(3);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut rows = Vec::new();
        let got = parse_rows(
            &mut Trickle(text.as_bytes()),
            &lookup,
            |_, v| {
                rows.push(v);
                Ok::<(), io::Error>(())
            },
            |e| e,
        )
        .unwrap();
        match got {
            Parsed::Done(n) => {
                assert_eq!(n, rows.len() as u64);
                (rows, None)
            }
            Parsed::Fallback(n) => {
                assert_eq!(n, rows.len());
                (rows, Some(n))
            }
        }
    }

    #[test]
    fn simple_pages_parse_as_serde_json_does() {
        let text = " [ {\"id\":1,\"name\":\"a\\\"b\\u00e9\\ud83c\\udf89\\n\",\"Price\":12.50,\"big\":123456789012345678901234,\"neg\":-0,\"e\":1E5,\"ok\":true,\"no\":null,\"ROW_NUM\":3},\r\n{\"NAME\":\"主站\"} ] \n";
        let cols = ["id", "name", "price", "big", "neg", "e", "ok", "no"];
        let (rows, fallback) = parse(text, &cols);
        assert_eq!(fallback, None);
        assert_eq!(rows.len(), 2);
        let serde: Vec<serde_json::Map<String, Value>> = serde_json::from_str(text).unwrap();
        for (i, c) in cols.iter().enumerate() {
            let want = serde[0]
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(c))
                .map(|(_, v)| v.clone())
                .unwrap();
            assert_eq!(rows[0][i], want, "{c}");
            assert_eq!(rows[0][i].to_string(), want.to_string(), "{c}");
        }
        assert_eq!(rows[1][1], Value::from("主站"));
        assert_eq!(rows[1][0], Value::Null);
    }

    #[test]
    fn anything_else_falls_back_at_its_row() {
        for (text, delivered) in [
            ("[{\"id\":1},{\"id\":[1]}]", 1),
            ("[{\"id\":1},{\"id\":1,\"id\":2}]", 1),
            ("[{\"id\":1},{\"x\":1}]", 1),
            ("[{\"id\":1},]", 1),
            ("[{\"id\":1}] x", 1),
            ("[{\"id\":\"\\ud800\"}]", 0),
            ("[{\"id\":\"a\u{1}\"}]", 0),
            ("[{\"id\":01}]", 0),
            ("[{\"id\":1}", 1),
            ("", 0),
            ("[1]", 0),
        ] {
            let (_, fallback) = parse(text, &["id"]);
            assert_eq!(fallback, Some(delivered), "{text}");
        }
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for s in [
            "",
            "plain",
            "quote \" backslash \\ slash / tab \t nl \n cr \r bs \u{8} ff \u{c} nul \u{0} us \u{1f} del \u{7f}",
            "主站 🎉 <p style=\"x\">",
        ] {
            let mut out = Vec::new();
            write_str(&mut out, s).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(s).unwrap()
            );
        }
    }
}
