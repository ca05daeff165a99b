//! Case-insensitive, null-safe operations on one row, as the original tools look keys up.

use serde_json::Value;

use crate::model::Row;

/// Reads a string value, treating numbers and booleans as their text.
pub fn text(row: &Row, key: &str) -> Option<String> {
    get(row, key).and_then(|v| match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    })
}

/// A value by key, case-insensitively, as the original tools look keys up.
pub fn get<'r>(row: &'r Row, key: &str) -> Option<&'r Value> {
    row.get(key).or_else(|| {
        row.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// Removes a value by key, case-insensitively.
pub fn take(row: &mut Row, key: &str) -> Option<Value> {
    if let Some(v) = row.shift_remove(key) {
        return Some(v);
    }
    let k = row.keys().find(|k| k.eq_ignore_ascii_case(key))?.clone();
    row.shift_remove(&k)
}

/// Sets `key`. An existing key keeps its spelling and place; other spellings of it go.
pub fn set(row: &mut Row, key: &str, value: Value) {
    // One pass that allocates nothing in the usual case of at most one spelling.
    let mut value = Some(value);
    let mut others = false;
    for (k, v) in row.iter_mut() {
        if k.eq_ignore_ascii_case(key) {
            match value.take() {
                Some(new) => *v = new,
                None => others = true,
            }
        }
    }
    if others {
        let rest: Vec<String> = row
            .keys()
            .filter(|k| k.eq_ignore_ascii_case(key))
            .skip(1)
            .cloned()
            .collect();
        for k in rest {
            row.shift_remove(&k);
        }
    }
    if let Some(new) = value {
        row.insert(key.to_string(), new);
    }
}

/// Moves a value from `from` to `to` when `from` is present (even when null); returns whether
/// it was present. A missing key is left missing.
pub fn rename(row: &mut Row, from: &str, to: &str) -> bool {
    match take(row, from) {
        Some(v) => {
            set(row, to, v);
            true
        }
        None => false,
    }
}

/// An integer read from a JSON number (also `1.0`, as Oracle-era backups hold them) or from
/// its text; `None` for null, `""` and anything else.
pub fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            let text = n.to_string();
            let (whole, frac) = text.split_once('.')?;
            frac.bytes()
                .all(|b| b == b'0')
                .then(|| whole.parse().ok())
                .flatten()
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An integer value of a row, by key.
pub fn get_int(row: &Row, key: &str) -> Option<i64> {
    get(row, key).and_then(int)
}

/// A non-blank string value of a row, by key.
pub fn get_text<'r>(row: &'r Row, key: &str) -> Option<&'r str> {
    get(row, key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// 6.x and 7.x write site-relative URLs as `@/upload/…`; older data has `@upload/…`. Ordinal,
/// every occurrence and idempotent, as the 6.15 updater did; null is left alone where 6.15
/// crashed.
pub fn fix_upload(row: &mut Row, key: &str) {
    if let Some(Value::String(s)) = get(row, key)
        && s.contains("@upload")
    {
        let fixed = s.replace("@upload", "@/upload");
        set(row, key, Value::String(fixed));
    }
}
