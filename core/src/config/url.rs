//! URL-form connection strings (`mysql://…`, `sqlite:…`, `jdbc:…`): scheme and %-escapes.

use super::types::{ConfigError, DatabaseType, invalid};

pub(super) fn strip_prefix_ci<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// `(scheme, rest)` for `scheme://rest` (a leading `jdbc:` is ignored).
pub(super) fn split_url(s: &str) -> Option<(&str, &str)> {
    let s = strip_prefix_ci(s, "jdbc:").unwrap_or(s);
    let (scheme, rest) = s.split_once("://")?;
    let mut chars = scheme.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    ok.then_some((scheme, rest))
}

/// The type named by a URL-form connection string (`sqlite:` needs no `//`).
pub(super) fn url_type(s: &str) -> Option<(String, DatabaseType)> {
    let s = s.trim();
    if strip_prefix_ci(s, "sqlite:").is_some() {
        return Some(("sqlite".into(), DatabaseType::Sqlite));
    }
    let (scheme, _) = split_url(s)?;
    DatabaseType::from_url_scheme(scheme).map(|t| (scheme.to_ascii_lowercase(), t))
}

pub(super) fn percent_decode(s: &str) -> Result<String, ConfigError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(v) => {
                    out.push(v);
                    i += 3;
                    continue;
                }
                None => return Err(invalid("the URL has a bad %-escape")),
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).map_err(|_| invalid("a %-escape in the URL is not UTF-8"))
}
