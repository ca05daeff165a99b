//! ADO.NET `key=value;` connection strings, parsed by the rules of .NET's
//! `DbConnectionStringBuilder`, which is what SiteServer's providers used.

use super::types::ConfigError;

/// Keys whose values are never shown (compared like [`ConnectionString::get`]).
pub(crate) const PASSWORD_KEYS: &[&str] = &["Pwd", "Password"];

/// A parsed ADO.NET connection string: keys in order of their last occurrence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionString {
    pairs: Vec<(String, String)>,
}

impl ConnectionString {
    /// Parses `key=value;…`. Errors name a character position (1-based), never a value,
    /// because any value might be a password.
    pub fn parse(s: &str) -> Result<Self, ConfigError> {
        let chars: Vec<char> = s.chars().collect();
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            if i >= chars.len() {
                break;
            }
            if chars[i] == ';' {
                i += 1;
                continue;
            }
            let key_start = i;
            // Key: up to the first single `=`; `==` is a literal `=`.
            let mut key = String::new();
            loop {
                if i >= chars.len() || chars[i] == ';' {
                    return Err(syntax(key_start, "a key=value pair has no '='"));
                }
                if chars[i] == '=' {
                    if chars.get(i + 1) == Some(&'=') {
                        key.push('=');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                key.push(chars[i]);
                i += 1;
            }
            let key = key.trim_end().to_string();
            if key.is_empty() {
                return Err(syntax(key_start, "a key=value pair has an empty key"));
            }
            while i < chars.len() && chars[i].is_whitespace() && chars[i] != ';' {
                i += 1;
            }
            let value = if i < chars.len() && (chars[i] == '\'' || chars[i] == '"') {
                let quote = chars[i];
                let quote_pos = i;
                i += 1;
                let mut v = String::new();
                loop {
                    match chars.get(i) {
                        None => return Err(syntax(quote_pos, "a quoted value is not terminated")),
                        Some(&c) if c == quote => {
                            if chars.get(i + 1) == Some(&quote) {
                                v.push(quote);
                                i += 2;
                            } else {
                                i += 1;
                                break;
                            }
                        }
                        Some(&c) => {
                            v.push(c);
                            i += 1;
                        }
                    }
                }
                while i < chars.len() && chars[i].is_whitespace() {
                    i += 1;
                }
                if i < chars.len() && chars[i] != ';' {
                    return Err(syntax(i, "unexpected text after a quoted value"));
                }
                v
            } else {
                let start = i;
                while i < chars.len() && chars[i] != ';' {
                    i += 1;
                }
                chars[start..i]
                    .iter()
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            };
            // Last occurrence wins and takes the last position.
            pairs.retain(|(k, _)| !k.eq_ignore_ascii_case(&key));
            pairs.push((key, value));
            if i < chars.len() {
                i += 1; // the `;`
            }
        }
        Ok(Self { pairs })
    }

    /// The value of the last-occurring key among `synonyms`. Keys compare
    /// case-insensitively with whitespace ignored, so `"User Id"` matches `UserID`.
    pub fn get(&self, synonyms: &[&str]) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| key_matches(k, synonyms))
            .map(|(_, v)| v.as_str())
    }

    /// Key/value pairs, one per distinct key (its last value), in order of last occurrence.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Re-serialises the string with `Pwd`/`Password` values replaced by `***`.
    pub fn masked(&self) -> String {
        let mut out = String::new();
        for (k, v) in &self.pairs {
            if !out.is_empty() {
                out.push(';');
            }
            out.push_str(&k.replace('=', "=="));
            out.push('=');
            if key_matches(k, PASSWORD_KEYS) {
                out.push_str("***");
            } else {
                out.push_str(&quote_value(v));
            }
        }
        out
    }

    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut cs = Self::default();
        for (k, v) in pairs {
            cs.pairs.retain(|(old, _)| !old.eq_ignore_ascii_case(&k));
            cs.pairs.push((k, v));
        }
        cs
    }
}

/// `true` when `key` equals one of `names`, ignoring ASCII case and whitespace.
pub(crate) fn key_matches(key: &str, names: &[&str]) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let key = norm(key);
    names.iter().any(|n| norm(n) == key)
}

fn syntax(index: usize, reason: &'static str) -> ConfigError {
    ConfigError::ConnectionStringSyntax {
        position: index + 1,
        reason,
    }
}

/// Quotes a value only when parsing it back would otherwise change it.
pub(crate) fn quote_value(v: &str) -> String {
    // A leading `=` would join the key's `=` into `==`, a literal `=` of the key.
    let needs = v.contains(';') || v.starts_with(['\'', '"', '=']) || v.trim() != v;
    if !needs {
        return v.to_string();
    }
    if v.contains('"') && !v.contains('\'') {
        format!("'{v}'")
    } else {
        format!("\"{}\"", v.replace('"', "\"\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> ConnectionString {
        ConnectionString::parse(s).unwrap()
    }

    fn pairs(s: &str) -> Vec<(String, String)> {
        parse(s)
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn p(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn simple_pairs_in_order() {
        assert_eq!(
            pairs("Server=127.0.0.1;Uid=root;Pwd=pass;Database=cms;"),
            vec![
                p("Server", "127.0.0.1"),
                p("Uid", "root"),
                p("Pwd", "pass"),
                p("Database", "cms")
            ]
        );
    }

    #[test]
    fn whitespace_around_keys_and_values_is_trimmed() {
        assert_eq!(
            pairs("  User Id  =  sa  ;\tServer =\thost\t"),
            vec![p("User Id", "sa"), p("Server", "host")]
        );
    }

    #[test]
    fn empty_segments_are_allowed() {
        assert_eq!(pairs(";;a=1;; ;b=2;;"), vec![p("a", "1"), p("b", "2")]);
        assert!(parse("").iter().next().is_none());
        assert!(parse(" ; ; ").iter().next().is_none());
    }

    #[test]
    fn empty_value_is_allowed() {
        assert_eq!(pairs("a=;b= "), vec![p("a", ""), p("b", "")]);
    }

    #[test]
    fn quoted_values() {
        assert_eq!(pairs("Pwd='a;b'"), vec![p("Pwd", "a;b")]);
        assert_eq!(pairs("Pwd=\"a;b\";x=1"), vec![p("Pwd", "a;b"), p("x", "1")]);
        assert_eq!(pairs("Pwd='it''s'"), vec![p("Pwd", "it's")]);
        assert_eq!(
            pairs("Pwd=\"say \"\"hi\"\"\""),
            vec![p("Pwd", "say \"hi\"")]
        );
        // The other quote character is literal inside a quoted value.
        assert_eq!(pairs("Pwd=\"it's\""), vec![p("Pwd", "it's")]);
        // Whitespace inside quotes is kept; around them it is not.
        assert_eq!(
            pairs("Pwd = ' a ' ; x=1"),
            vec![p("Pwd", " a "), p("x", "1")]
        );
    }

    #[test]
    fn quotes_inside_unquoted_value_are_literal() {
        assert_eq!(pairs("Pwd=a'b\"c"), vec![p("Pwd", "a'b\"c")]);
    }

    #[test]
    fn equals_in_value_is_literal() {
        assert_eq!(
            pairs("Pwd=abc==;x=a=b"),
            vec![p("Pwd", "abc=="), p("x", "a=b")]
        );
    }

    #[test]
    fn double_equals_in_key_is_literal_equals() {
        assert_eq!(pairs("a==b=c"), vec![p("a=b", "c")]);
        assert_eq!(pairs("a====b=c"), vec![p("a==b", "c")]);
    }

    #[test]
    fn keys_are_case_insensitive_and_last_wins() {
        let cs = parse("Pwd=one;x=1;PWD=two");
        assert_eq!(cs.get(&["pwd"]), Some("two"));
        assert_eq!(
            pairs("Pwd=one;x=1;PWD=two"),
            vec![p("x", "1"), p("PWD", "two")]
        );
    }

    #[test]
    fn get_ignores_case_and_spaces_and_prefers_last_synonym() {
        let cs = parse("UserID=a;Data Source=h");
        assert_eq!(cs.get(&["User Id"]), Some("a"));
        assert_eq!(cs.get(&["datasource"]), Some("h"));
        assert_eq!(cs.get(&["nope"]), None);
        let cs = parse("Uid=first;User Id=second");
        assert_eq!(cs.get(&["Uid", "User Id"]), Some("second"));
        assert_eq!(cs.get(&["User Id", "Uid"]), Some("second"));
    }

    #[test]
    fn segment_without_equals_is_an_error_naming_position_only() {
        let err = ConnectionString::parse("Server=h;secretpw;x=1").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("character 10"), "{msg}");
        assert!(!msg.contains("secretpw"), "{msg}");
        assert!(ConnectionString::parse("justapath").is_err());
    }

    #[test]
    fn empty_key_is_an_error() {
        assert!(ConnectionString::parse("=v").is_err());
        assert!(ConnectionString::parse("a=1; =v").is_err());
    }

    #[test]
    fn unterminated_quote_is_an_error_naming_position_only() {
        let err = ConnectionString::parse("Server=h;Pwd='sec;ret").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("character 14"), "{msg}");
        assert!(!msg.contains("sec"), "{msg}");
    }

    #[test]
    fn text_after_closing_quote_is_an_error() {
        assert!(ConnectionString::parse("Pwd='a'b;x=1").is_err());
        assert!(ConnectionString::parse("Pwd='a'  ;x=1").is_ok());
    }

    #[test]
    fn masked_hides_passwords_and_round_trips() {
        let cs = parse("Server=h;User Id=u;Password='p;w';pwd=x;Database=d;");
        let m = cs.masked();
        assert_eq!(m, "Server=h;User Id=u;Password=***;pwd=***;Database=d");
        let cs = parse("Server=h;Pass Word=secret;x=' a;b '");
        let m = cs.masked();
        assert!(!m.contains("secret"), "{m}");
        assert_eq!(parse(&m).get(&["x"]), Some(" a;b "));
        let cs = parse("k==1=\"q\"\"x\";y='it''s \"z\"'");
        assert_eq!(parse(&cs.masked()), cs);
    }

    #[test]
    fn value_starting_with_equals_round_trips() {
        // Found by the connection_string fuzzer: `masked()` gave `a==b`, which has no key=value.
        let cs = parse("a= =b;Pwd= =x");
        assert_eq!(cs.get(&["a"]), Some("=b"));
        assert_eq!(cs.masked(), "a=\"=b\";Pwd=***");
        assert_eq!(parse(&cs.masked()).get(&["a"]), Some("=b"));
        assert_eq!(quote_value("=p"), "\"=p\"");
    }
}
