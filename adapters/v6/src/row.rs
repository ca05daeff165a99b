//! Small, null-safe operations on one row, and the value rules of the 6.x → 7.4 conversion. Keys
//! are matched case-insensitively, as both CMS versions match them.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sscms_core::DataType;
pub use sscms_core::adapter::{fix_upload, get_int, get_text, rename, set};
use sscms_core::naming::camel_case;
use sscms_core::settings::{Settings, is_json_form};

/// Returns true if and only if the value carries nothing: absent, null or `""`.
pub fn is_empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(_) => false,
    }
}

/// A 6.x flag (`"True"`/`"False"` text) as the boolean 7.4 stores. Like 7.4's `ToBool`, text
/// that is not `true` reads as false; we also read `1` as true, which MySQL backups hold. Null
/// stays null and real booleans stay as they are.
pub fn flag(v: &Value) -> Value {
    match v {
        Value::String(s) => {
            let s = s.trim();
            Value::Bool(s.eq_ignore_ascii_case("true") || s == "1")
        }
        Value::Number(n) => Value::Bool(n.as_i64().is_some_and(|i| i != 0)),
        other => other.clone(),
    }
}

/// A 6.x settings string (`SettingsXml`, `SystemConfig`, `ExtendValues`) as the JSON object
/// 7.4 keeps in `ExtendValues`: a JSON-form string is read as JSON with its value types; a
/// `key=value&…` string is decoded by the shared codec, its values staying strings. Keys are
/// camel-cased as 7.4 writes them. `None` for a string that is neither (a JSON-form string
/// that does not parse), so the caller can keep it as it is.
pub fn settings_json(s: &str) -> Option<Map<String, Value>> {
    if s.trim().is_empty() {
        return Some(Map::new());
    }
    if is_json_form(s.trim()) {
        return match serde_json::from_str::<Value>(s.trim()) {
            Ok(Value::Object(obj)) => {
                Some(obj.into_iter().map(|(k, v)| (camel_case(&k), v)).collect())
            }
            _ => None,
        };
    }
    Some(Settings::parse(s).to_json())
}

/// A JSON object's value by key, case-insensitively.
pub fn json_get<'m>(obj: &'m Map<String, Value>, key: &str) -> Option<(&'m String, &'m Value)> {
    obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(key))
}

/// The value of a column that 6.x did not have, as 7.4's own insert writes it from its model's
/// defaults: 0 and false; text and dates stay null.
pub fn model_default(data_type: DataType) -> Value {
    match data_type {
        DataType::Integer => Value::from(0),
        DataType::Boolean => Value::Bool(false),
        _ => Value::Null,
    }
}

/// Typed columns cannot hold the `""` that 6.x text columns hold for "no value".
pub fn blank_to_null(v: &mut Value, data_type: DataType) {
    if !matches!(data_type, DataType::VarChar | DataType::Text)
        && let Value::String(s) = v
        && s.trim().is_empty()
    {
        *v = Value::Null;
    }
}

/// A name-based UUID for the row `id` of `table`: the same input gives the same `Guid`, so an
/// update is reproducible. RFC 9562 version 8 (custom) with SHA-256, the hash-based form that
/// name-based version 5 is with SHA-1.
pub fn guid(table: &str, id: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"siteserver-update/7.4/");
    h.update(table.to_lowercase().as_bytes());
    h.update(b"/");
    h.update(id.as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(x >> 4)]));
        out.push(char::from(HEX[usize::from(x & 0xf)]));
    }
    out
}

/// Returns true if and only if `s` has the 8-4-4-4-12 hex form .NET's `Guid.TryParse` reads.
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The tags of a 6.x `Tags` value: separated by spaces or commas (full-width ones too), a tag
/// that holds a separator written in double quotes (spec old-schemas §7, `TagUtils`).
pub fn parse_tags(s: &str) -> Vec<String> {
    let mut tags = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' | '\u{3000}' | ',' | '，' if !quoted => {
                if !current.trim().is_empty() {
                    tags.push(current.trim().to_string());
                }
                current.clear();
            }
            _ => current.push(c),
        }
    }
    if !current.trim().is_empty() {
        tags.push(current.trim().to_string());
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flags_read_as_7_4_reads_them() {
        assert_eq!(flag(&json!("True")), json!(true));
        assert_eq!(flag(&json!(" false ")), json!(false));
        assert_eq!(flag(&json!("")), json!(false));
        assert_eq!(flag(&json!("1")), json!(true));
        assert_eq!(flag(&json!(1)), json!(true));
        assert_eq!(flag(&json!(null)), json!(null));
        assert_eq!(flag(&json!(true)), json!(true));
    }

    #[test]
    fn settings_become_camel_cased_json() {
        let legacy = settings_json("PageSize=30&isCountHits=True&title=a_and_b").unwrap();
        assert_eq!(
            Value::Object(legacy),
            json!({"pageSize": "30", "isCountHits": "True", "title": "a&b"})
        );
        let j = settings_json(r#"{"Charset":"utf-8","pageSize":30}"#).unwrap();
        assert_eq!(
            Value::Object(j),
            json!({"charset": "utf-8", "pageSize": 30})
        );
        assert!(settings_json("").unwrap().is_empty());
        assert!(settings_json("{not json}").is_none());
    }

    #[test]
    fn guids_are_stable_and_well_formed() {
        let a = guid("siteserver_Site", "1");
        assert_eq!(a, guid("SITESERVER_SITE", "1"));
        assert_ne!(a, guid("siteserver_Site", "2"));
        assert!(is_guid(&a), "{a}");
        assert_eq!(&a[14..15], "8");
        assert!(!is_guid("x"));
        assert!(is_guid("0f8fad5b-d9cb-469f-a165-70867728950e"));
    }

    #[test]
    fn tags_split_on_spaces_and_commas_outside_quotes() {
        assert_eq!(parse_tags("示例 新闻"), ["示例", "新闻"]);
        assert_eq!(parse_tags(" a,b，c  \"d e\" "), ["a", "b", "c", "d e"]);
        assert_eq!(parse_tags("\"x,y\" z"), ["x,y", "z"]);
        assert!(parse_tags("  ").is_empty());
    }

    #[test]
    fn blanks_leave_typed_columns() {
        let mut v = json!(" ");
        blank_to_null(&mut v, DataType::Integer);
        assert_eq!(v, Value::Null);
        let mut v = json!("");
        blank_to_null(&mut v, DataType::VarChar);
        assert_eq!(v, json!(""));
    }
}
