//! The `key=value&…` settings strings of SiteServer 3.6–6.x, in one place for the whole project.
//!
//! Columns such as `SettingsXML`, `ExtendValues`, `SystemConfig` and `UserConfig` hold a .NET
//! `NameValueCollection` written by `TranslateUtils.NameValueCollectionToString` (spec
//! `old-schemas.md` §7). Despite the name they are neither XML nor JSON, and there is no
//! percent-encoding. [`Settings::parse`] reads them and [`Settings::encode`] writes them.
//!
//! # Writing (what the originals do, and what [`Settings::encode`] does)
//!
//! - Each pair becomes `key=value`; pairs are joined with `&`, with no trailing `&`. An empty
//!   collection is the empty string; an empty value gives `key=`.
//! - Inside both key and value: `=`→`_equals_`, `&`→`_and_`, `?`→`_question_`, `'`→`_quote_`,
//!   `+`→`_add_`.
//! - CR and LF: `TranslateUtils.ValueToUrl` (3.6–6.x) deletes them. The 6.x `ExtendedAttributes`
//!   writer instead writes `_return_` and `_newline_`, which the 6.15 and 7.x readers decode
//!   (spec `update-rules.md` §8.4). We write `_return_` / `_newline_`, so newlines survive; a
//!   3.6–5.0 reader shows those two tokens literally.
//!
//! # Reading (what the originals do, and what [`Settings::parse`] does)
//!
//! 1. Every `/u0026` in the whole string is replaced by `&` first.
//! 2. The string is split on `&`. A segment without `=` is dropped (so empty segments, and with
//!    them a trailing `&`, are ignored), and so is a segment whose name (the text before the
//!    first `=`) is empty, as the 6.15 and 7.x readers do.
//! 3. The value is the text between the first and the second `=`: the originals take
//!    `pair.Split('=')[1]`, so anything after a second raw `=` is dropped. (The original writer
//!    never produces a second raw `=`.)
//! 4. In both name and value the tokens are decoded by whole-string replacement, one token after
//!    the other in this order: `_equals_`, `_and_`, `_question_`, `_quote_`, `_add_`, `_return_`,
//!    `_newline_`. The order matters: `_and_equals_` reads as `_and=`, not `&equals_`. The last
//!    two are decoded by 6.x/7.x readers only; 3.6–5.0 readers keep them as text.
//!
//! # Keys
//!
//! Keys keep the spelling they were read or first set with and are compared case-insensitively
//! (per character, with simple upper-case mapping, like .NET's `OrdinalIgnoreCase`). The 3.6–5.0
//! code lower-cases keys when it sets them (`ExtendedAttributes.SetExtendedAttribute`) and 6.x
//! readers lower-case them on read; 7.x (`Datory`) keeps them as written. [`Settings::set`] does
//! not change the spelling: pass lower-case keys when writing for 3.6–6.x.
//!
//! Duplicate keys are kept in order, so nothing is lost and a re-encoded string is unchanged.
//! [`Settings::get`] returns the first. The originals never write duplicates; reading them,
//! 3.6–6.x join the values with `,` (`NameValueCollection.Add`) and 7.x keeps the last
//! (case-sensitively). [`Settings::get_all`] gives every value.
//!
//! # Where the original escaping is not reversible, and what we do about it
//!
//! The original escaping loses information for some keys and values:
//! - text that literally contains a token (`_equals_`, `_and_`, …, `_newline_`) is read back as
//!   the character;
//! - text containing `/u0026` is cut there into a new segment;
//! - an escape next to plain text can form another token: `&equals+` is written
//!   `_and_equals_add_` and read back as `_and=add_`;
//! - `TranslateUtils` deletes CR and LF (we use `_return_` / `_newline_`, see above).
//!
//! A key or value is *plain-safe* when the original reader gets it back from the original
//! encoding (with `_return_` / `_newline_`). Every plain-safe key or value is written exactly as
//! the originals write it. Any other one, which the originals cannot read back whatever we write,
//! is written in an *alternative form*: a leading `+` (which the original writer never produces,
//! as it escapes `+`), then the text with the same seven tokens plus `%5F` for `_`, `%25` for `%`
//! and `%2F` for `/`; for example `_equals_` becomes `+%5Fequals%5F`. The originals show such a
//! value literally. When reading, a key or value is taken as the alternative form only if it is
//! exactly what we would write: it starts with `+`, decodes, the decoded text is not plain-safe
//! and encodes back to the same text. Everything else is read with the originals' rules, so
//! `parse` differs from the originals only on text in that exact form.
//!
//! With this, `parse(encode(x)) == x` for every [`Settings`], and `encode(parse(s)) == s` for
//! every string `s` that `encode` produces.
//!
//! # JSON form
//!
//! The 6.15 and 7.x readers parse a string that starts with `{` and ends with `}` as a JSON
//! object instead ([`is_json_form`]). [`Settings::parse`] does not: keep such strings as JSON.
//! [`Settings::encode`] never produces that form: if its output would start with `{` and end with
//! `}` (first key starting with `{`, last value ending with `}`), it appends an `&`, which every
//! reader ignores.

use serde_json::{Map, Value};

use crate::naming::camel_case;

/// Written by some old code in place of `&`; replaced by `&` before the string is split.
const AMPERSAND_ALIAS: &str = "/u0026";

/// The original escapes, in the order the readers decode them.
const TOKENS: [(char, &str); 7] = [
    ('=', "_equals_"),
    ('&', "_and_"),
    ('?', "_question_"),
    ('\'', "_quote_"),
    ('+', "_add_"),
    ('\r', "_return_"),
    ('\n', "_newline_"),
];

/// Starts a key or value in the alternative form (see the module documentation).
const ALT_MARKER: char = '+';

/// Extra escapes of the alternative form.
const ALT_ESCAPES: [(char, &str); 3] = [('_', "%5F"), ('%', "%25"), ('/', "%2F")];

/// Settings decoded from a `key=value&…` string, in original order; keys compared
/// case-insensitively as the originals do.
///
/// Keys are never empty. Duplicate keys (only [`Settings::parse`] creates them) are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    entries: Vec<(String, String)>,
}

impl Settings {
    /// An empty collection.
    pub fn new() -> Settings {
        Settings::default()
    }

    /// Reads a settings string. Never fails: like the originals it accepts anything.
    ///
    /// Dropped, as the originals drop them: segments without `=` (including the empty segments
    /// of `&&` or a trailing `&`), segments with an empty name, and the text after a second raw
    /// `=` in a segment. A string in the JSON form ([`is_json_form`]) is read by these same rules,
    /// as 3.6–5.0 do; check for it first.
    pub fn parse(s: &str) -> Settings {
        let s = if has_alias(s) {
            std::borrow::Cow::Owned(s.replace(AMPERSAND_ALIAS, "&"))
        } else {
            std::borrow::Cow::Borrowed(s)
        };
        let entries = s
            .split('&')
            .filter_map(|segment| {
                let (name, rest) = segment.split_once('=')?;
                if name.is_empty() {
                    return None;
                }
                let value = rest.split('=').next().unwrap_or_default();
                Some((unescape_value(name), unescape_value(value)))
            })
            .collect();
        Settings { entries }
    }

    /// Writes the settings string: exactly the originals' encoding, except for the cases listed
    /// in the module documentation (CR/LF, keys and values that are not plain-safe, and the `&`
    /// appended to avoid the JSON form).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (i, (key, value)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(&escape_value(key));
            out.push('=');
            out.push_str(&escape_value(value));
        }
        if is_json_form(&out) {
            out.push('&');
        }
        out
    }

    /// The value of the first entry whose key equals `key` case-insensitively.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| keys_equal(k, key))
            .map(|(_, v)| v.as_str())
    }

    /// The values of every entry whose key equals `key` case-insensitively, in order.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.entries
            .iter()
            .filter(move |(k, _)| keys_equal(k, key))
            .map(|(_, v)| v.as_str())
    }

    /// Sets `key` to `value`.
    ///
    /// If the key exists (case-insensitively), the first entry gets the value in place and keeps
    /// its spelling, and any later duplicates are removed, as `NameValueCollection.Set` keeps one
    /// entry. Otherwise the pair is appended. An empty `key` is ignored, as the 6.x originals
    /// ignore it.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        if key.is_empty() {
            return;
        }
        let value = value.into();
        match self.entries.iter().position(|(k, _)| keys_equal(k, key)) {
            Some(first) => {
                self.entries[first].1 = value;
                let mut index = 0;
                self.entries.retain(|(k, _)| {
                    let keep = index <= first || !keys_equal(k, key);
                    index += 1;
                    keep
                });
            }
            None => self.entries.push((key.to_string(), value)),
        }
    }

    /// Removes every entry whose key equals `key` case-insensitively; returns the first value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let first = self.entries.iter().position(|(k, _)| keys_equal(k, key))?;
        let (_, value) = self.entries.remove(first);
        self.entries.retain(|(k, _)| !keys_equal(k, key));
        Some(value)
    }

    /// The entries in order, duplicates included.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The number of entries, duplicates included.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The settings as a JSON object for 7.x `ExtendValues`.
    ///
    /// Keys are camel-cased as Newtonsoft does ([`camel_case`]): `PageSize` becomes `pageSize`,
    /// lower-case keys stay as they are. Values stay JSON strings, as 7.x reads them from the
    /// legacy string. When two keys give the same JSON key (duplicates, or keys that differ in
    /// case), the first wins, like [`Settings::get`].
    pub fn to_json(&self) -> Map<String, Value> {
        let mut map = Map::new();
        for (key, value) in &self.entries {
            map.entry(camel_case(key))
                .or_insert_with(|| Value::String(value.clone()));
        }
        map
    }
}

impl<K: AsRef<str>, V: Into<String>> FromIterator<(K, V)> for Settings {
    /// Collects pairs with [`Settings::set`]: later duplicates replace earlier values, empty keys
    /// are ignored.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Settings {
        let mut settings = Settings::new();
        settings.extend(iter);
        settings
    }
}

impl<K: AsRef<str>, V: Into<String>> Extend<(K, V)> for Settings {
    /// Adds pairs with [`Settings::set`].
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.set(key.as_ref(), value);
        }
    }
}

/// Whether the 6.15 and 7.x readers take `s` as JSON rather than as `key=value&…`: it starts
/// with `{` and ends with `}`.
pub fn is_json_form(s: &str) -> bool {
    s.starts_with('{') && s.ends_with('}')
}

/// Escapes one key or value: the original escaping when the originals read it back, else the
/// alternative form (see the module documentation). The result never contains `=`, `&` or
/// `/u0026`.
pub fn escape_value(s: &str) -> String {
    if is_plain_safe(s) {
        plain_escape(s)
    } else {
        let mut out = String::with_capacity(s.len() + 8);
        out.push(ALT_MARKER);
        out.push_str(&alt_escape(s));
        out
    }
}

/// Unescapes one key or value as it stands after the string was split (the `/u0026` step
/// belongs to [`Settings::parse`]): the alternative form if the text is exactly what
/// [`escape_value`] writes for some value that is not plain-safe, else the originals' decoding.
pub fn unescape_value(s: &str) -> String {
    if let Some(body) = s.strip_prefix(ALT_MARKER)
        && let Some(value) = alt_unescape(body)
        && !is_plain_safe(&value)
        && alt_escape(&value) == body
    {
        return value;
    }
    plain_unescape(s)
}

/// The originals' escaping (with `_return_` / `_newline_` for CR and LF).
fn plain_escape(s: &str) -> String {
    if !has_any(s, b"=&?'+\r\n") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match TOKENS.iter().find(|(ch, _)| *ch == c) {
            Some((_, token)) => out.push_str(token),
            None => out.push(c),
        }
    }
    out
}

/// The originals' decoding: each token replaced in the whole text, one token after the other.
fn plain_unescape(s: &str) -> String {
    // Every token holds `_`.
    if !s.contains('_') {
        return s.to_string();
    }
    let mut out = s.to_string();
    for (c, token) in TOKENS {
        if has_token(&out, token) {
            out = out.replace(token, c.encode_utf8(&mut [0; 4]));
        }
    }
    out
}

/// Whether `s` holds `token`, which starts with `_`: tried only where `_` is, which for the
/// short values of a settings string beats a substring search set up for each token.
fn has_token(s: &str, token: &str) -> bool {
    let (b, t) = (s.as_bytes(), token.as_bytes());
    b.iter()
        .enumerate()
        .any(|(i, &c)| c == b'_' && b[i..].starts_with(t))
}

/// Whether the originals read `s` back from its original escaping.
fn is_plain_safe(s: &str) -> bool {
    // Without `_` or a tokenised character, escaping and unescaping leave the text as it is.
    if !has_any(s, b"_=&?'+\r\n") {
        return !has_alias(s);
    }
    let escaped = plain_escape(s);
    !has_alias(&escaped) && plain_unescape(&escaped) == s
}

/// Whether `s` holds any of these ASCII bytes: a byte scan, since an ASCII byte is never part
/// of another character in UTF-8, and far cheaper than a search for a set of chars.
fn has_any(s: &str, set: &[u8]) -> bool {
    s.bytes().any(|b| set.contains(&b))
}

fn has_alias(s: &str) -> bool {
    s.as_bytes().contains(&b'/') && s.contains(AMPERSAND_ALIAS)
}

/// The alternative form without its marker: tokens for the seven characters, `%XX` for `_`,
/// `%` and `/`. Contains no `_` other than those of tokens, so it decodes left to right.
fn alt_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if let Some((_, token)) = TOKENS.iter().find(|(ch, _)| *ch == c) {
            out.push_str(token);
        } else if let Some((_, escape)) = ALT_ESCAPES.iter().find(|(ch, _)| *ch == c) {
            out.push_str(escape);
        } else {
            out.push(c);
        }
    }
    out
}

/// Decodes [`alt_escape`] output left to right; `None` if `s` has an unknown token or escape.
fn alt_unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        match c {
            '_' => {
                let end = rest[1..].find('_')? + 2;
                let (ch, _) = TOKENS.iter().find(|(_, token)| *token == &rest[..end])?;
                out.push(*ch);
                rest = &rest[end..];
            }
            '%' => {
                let (ch, escape) = ALT_ESCAPES
                    .iter()
                    .find(|(_, escape)| rest.starts_with(escape))?;
                out.push(*ch);
                rest = &rest[escape.len()..];
            }
            _ => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    Some(out)
}

/// Case-insensitive key comparison, per character with simple upper-case mapping.
fn keys_equal(a: &str, b: &str) -> bool {
    a == b || a.chars().map(fold_case).eq(b.chars().map(fold_case))
}

/// The simple (one-character) upper-case mapping of `c`, or `c` itself.
fn fold_case(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pairs(s: &Settings) -> Vec<(&str, &str)> {
        s.iter().collect()
    }

    fn settings(entries: &[(&str, &str)]) -> Settings {
        Settings {
            entries: entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn reads_and_writes_the_spec_examples() {
        let raw =
            "charset=utf-8&pagesize=30&iscounthits=False&parentspath=0,1,5&imageurl=@/upload/a.jpg";
        let s = Settings::parse(raw);
        assert_eq!(
            pairs(&s),
            [
                ("charset", "utf-8"),
                ("pagesize", "30"),
                ("iscounthits", "False"),
                ("parentspath", "0,1,5"),
                ("imageurl", "@/upload/a.jpg"),
            ]
        );
        assert_eq!(s.encode(), raw);

        let style = Settings::parse("height=0&columns=0&isformatstring=False&relatedfieldid=0");
        assert_eq!(style.get("isformatstring"), Some("False"));
        assert_eq!(style.len(), 4);
    }

    #[test]
    fn escapes_every_special_character_in_keys_and_values() {
        let mut s = Settings::new();
        s.set("a=b&c", "x=1&y?z'w+v");
        let encoded = s.encode();
        assert_eq!(
            encoded,
            "a_equals_b_and_c=x_equals_1_and_y_question_z_quote_w_add_v"
        );
        assert_eq!(Settings::parse(&encoded), s);
        assert!(
            TOKENS.iter().all(|(_, t)| t.starts_with('_')),
            "has_token looks at `_`"
        );
        assert_eq!(escape_value("?'+"), "_question__quote__add_");
        assert_eq!(unescape_value("_question__quote__add_"), "?'+");
    }

    #[test]
    fn empty_string_and_empty_values() {
        assert!(Settings::parse("").is_empty());
        assert_eq!(Settings::new().encode(), "");
        let s = Settings::parse("a=&b=2");
        assert_eq!(pairs(&s), [("a", ""), ("b", "2")]);
        assert_eq!(s.encode(), "a=&b=2");
    }

    #[test]
    fn trailing_and_empty_segments_are_ignored() {
        let s = Settings::parse("a=1&");
        assert_eq!(pairs(&s), [("a", "1")]);
        assert_eq!(s.encode(), "a=1");
        assert_eq!(pairs(&Settings::parse("&&a=1&&")), [("a", "1")]);
    }

    #[test]
    fn malformed_segments_are_dropped_as_the_originals_drop_them() {
        // No '=', empty name, and the text after a second raw '='.
        let s = Settings::parse("junk&=orphan&a=1=2&b=x");
        assert_eq!(pairs(&s), [("a", "1"), ("b", "x")]);
    }

    #[test]
    fn ampersand_alias_splits_before_anything_else() {
        let s = Settings::parse("a=1/u0026b=2");
        assert_eq!(pairs(&s), [("a", "1"), ("b", "2")]);
    }

    #[test]
    fn duplicate_keys_are_kept_and_get_returns_the_first() {
        let mut s = Settings::parse("a=1&A=2&b=3");
        assert_eq!(s, settings(&[("a", "1"), ("A", "2"), ("b", "3")]));
        assert_eq!(s.len(), 3);
        assert_eq!(s.get("a"), Some("1"));
        assert_eq!(s.get_all("A").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(s.encode(), "a=1&A=2&b=3");
        s.set("A", "9");
        assert_eq!(pairs(&s), [("a", "9"), ("b", "3")]);

        let mut s = Settings::parse("a=1&A=2&b=3");
        assert_eq!(s.remove("a"), Some("1".to_string()));
        assert_eq!(pairs(&s), [("b", "3")]);
        assert_eq!(s.remove("a"), None);
    }

    #[test]
    fn chinese_and_emoji_pass_through() {
        let raw = "标题=新闻中心&栏目=公司简介😀&tags=\"a,b\" c";
        let s = Settings::parse(raw);
        assert_eq!(s.get("标题"), Some("新闻中心"));
        assert_eq!(s.get("栏目"), Some("公司简介😀"));
        assert_eq!(s.encode(), raw);
    }

    #[test]
    fn equals_and_ampersand_inside_values_round_trip() {
        let mut s = Settings::new();
        s.set("url", "http://a.com/?x=1&y=2");
        assert_eq!(
            s.encode(),
            "url=http://a.com/_question_x_equals_1_and_y_equals_2"
        );
        assert_eq!(
            Settings::parse(&s.encode()).get("url"),
            Some("http://a.com/?x=1&y=2")
        );
    }

    #[test]
    fn get_set_and_remove_are_case_insensitive() {
        let mut s = Settings::new();
        s.set("PageSize", "30");
        assert_eq!(s.get("pagesize"), Some("30"));
        assert_eq!(s.get("PAGESIZE"), Some("30"));
        s.set("pagesize", "40");
        assert_eq!(pairs(&s), [("PageSize", "40")]);
        s.set("Ärger", "1");
        assert_eq!(s.get("äRGER"), Some("1"));
        assert_eq!(s.remove("PAGESIZE"), Some("40".to_string()));
        assert_eq!(s.get("pagesize"), None);
        s.set("", "ignored");
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn tokens_decode_in_the_originals_order() {
        assert_eq!(unescape_value("_equals_"), "=");
        // `_equals_` is replaced first and takes the shared underscore.
        assert_eq!(unescape_value("_and_equals_"), "_and=");
        assert_eq!(unescape_value("a_return__newline_b"), "a\r\nb");
    }

    #[test]
    fn percent_is_not_an_escape() {
        let s = Settings::parse("k=100%25&q=a%20b");
        assert_eq!(s.get("k"), Some("100%25"));
        assert_eq!(s.get("q"), Some("a%20b"));
        assert_eq!(s.encode(), "k=100%25&q=a%20b");
    }

    #[test]
    fn newlines_are_written_as_tokens() {
        let mut s = Settings::new();
        s.set("summary", "line1\r\nline2\n");
        assert_eq!(s.encode(), "summary=line1_return__newline_line2_newline_");
        assert_eq!(Settings::parse(&s.encode()), s);
    }

    #[test]
    fn values_the_originals_cannot_read_back_use_the_alternative_form() {
        for (value, written) in [
            ("_equals_", "+%5Fequals%5F"),
            ("&equals+", "+_and_equals_add_"),
            ("a/u0026b", "+a%2Fu0026b"),
            ("x_newline_y", "+x%5Fnewline%5Fy"),
            ("100%_and_", "+100%25%5Fand%5F"),
        ] {
            assert_eq!(escape_value(value), written, "{value}");
            assert_eq!(unescape_value(written), value, "{written}");
            let mut s = Settings::new();
            s.set(value, value);
            assert_eq!(Settings::parse(&s.encode()), s, "{value}");
        }
    }

    #[test]
    fn foreign_text_with_a_leading_plus_reads_as_the_originals_read_it() {
        for raw in ["+86 10 1234", "+%5Fabc", "+_and_", "+%5F", "+%zz_x_"] {
            assert_eq!(unescape_value(raw), plain_unescape(raw), "{raw}");
        }
        assert_eq!(Settings::parse("tel=+86 10").get("tel"), Some("+86 10"));
    }

    #[test]
    fn never_writes_the_json_form() {
        let mut s = Settings::new();
        s.set("{a", "b}");
        assert_eq!(s.encode(), "{a=b}&");
        assert!(!is_json_form(&s.encode()));
        assert_eq!(Settings::parse(&s.encode()), s);
        assert!(is_json_form("{\"a\":1}"));
    }

    #[test]
    fn to_json_camel_cases_keys_and_keeps_string_values() {
        let s = Settings::parse("PageSize=30&iscounthits=True&IPAddress=1.2.3.4&pagesize=99");
        let json = Value::Object(s.to_json());
        assert_eq!(
            json.to_string(),
            r#"{"pageSize":"30","iscounthits":"True","ipAddress":"1.2.3.4","pagesize":"99"}"#
        );
        let dup = Settings::parse("a=1&A=2");
        assert_eq!(Value::Object(dup.to_json()).to_string(), r#"{"a":"1"}"#);
    }

    #[test]
    fn from_iterator_uses_set() {
        let s: Settings = [("a", "1"), ("", "x"), ("A", "2")].into_iter().collect();
        assert_eq!(pairs(&s), [("a", "2")]);
    }

    /// Text biased towards what breaks the encoding: tokens, their pieces, specials, `%`,
    /// `/u0026`, newlines, Chinese and emoji, mixed with arbitrary characters.
    fn tricky_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => any::<char>().prop_map(String::from),
            1 => proptest::sample::select(vec![
                "_equals_", "_and_", "_question_", "_quote_", "_add_", "_return_", "_newline_",
                "_", "equals", "and", "_and", "and_", "=", "&", "?", "'", "+", "%", "%5F", "%25",
                "/", "/u0026", "u0026", "\r", "\n", "{", "}", "中文", "😀", "a", " ",
            ])
            .prop_map(String::from),
        ];
        proptest::collection::vec(piece, 0..10).prop_map(|v| v.concat())
    }

    fn any_settings() -> impl Strategy<Value = Settings> {
        let key = tricky_text().prop_filter("keys are non-empty", |k| !k.is_empty());
        proptest::collection::vec((key, tricky_text()), 0..6)
            .prop_map(|entries| Settings { entries })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn parse_inverts_encode(x in any_settings()) {
            prop_assert_eq!(Settings::parse(&x.encode()), x);
        }

        #[test]
        fn encode_inverts_parse_on_encoded_strings(x in any_settings()) {
            let s = x.encode();
            prop_assert_eq!(Settings::parse(&s).encode(), s);
        }

        #[test]
        fn values_round_trip(v in tricky_text()) {
            let escaped = escape_value(&v);
            prop_assert!(!escaped.contains(['=', '&']));
            prop_assert!(!escaped.contains(AMPERSAND_ALIAS));
            prop_assert_eq!(unescape_value(&escaped), v);
        }

        /// Whatever the originals read back correctly is written exactly as they write it.
        #[test]
        fn plain_safe_values_are_written_as_the_originals_write_them(v in tricky_text()) {
            let original = plain_escape(&v);
            if !original.contains(AMPERSAND_ALIAS) && plain_unescape(&original) == v {
                prop_assert_eq!(escape_value(&v), original);
            }
        }

        /// Reading differs from the originals only on the exact alternative form.
        #[test]
        fn reading_matches_the_originals_outside_the_alternative_form(s in tricky_text()) {
            let ours = unescape_value(&s);
            if ours != plain_unescape(&s) {
                prop_assert!(s.starts_with(ALT_MARKER));
                prop_assert_eq!(escape_value(&ours), s);
            }
        }

        /// Any string at all: never panics, and re-encoding what was read is stable.
        #[test]
        fn parse_accepts_anything(s in tricky_text()) {
            let x = Settings::parse(&s);
            prop_assert!(x.iter().all(|(k, _)| !k.is_empty()));
            prop_assert_eq!(Settings::parse(&x.encode()), x);
        }
    }
}
