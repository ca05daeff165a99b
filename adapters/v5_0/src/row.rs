//! Small, null-safe operations on one row. Keys are matched case-insensitively, as the original
//! tools match them, and a key is never left twice in a row under two spellings.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};
use sscms_core::adapter::get;
pub use sscms_core::adapter::{fix_upload, get_int, get_text, int, rename, set};
use sscms_core::naming::camel_case;
use sscms_core::settings::{Settings, is_json_form};
use sscms_core::{Column, DataType, Row};

/// Rewrites an integer reference through an id map; other values are left as they are.
pub fn map_id(row: &mut Row, key: &str, map: &HashMap<i64, i64>) {
    if let Some(new) = get_int(row, key).and_then(|old| map.get(&old).copied()) {
        set(row, key, Value::from(new));
    }
}

/// Rewrites a comma-separated list of ids (`ParentsPath`, `ChannelIdCollection`) through an
/// id map, leaving every other item, and the separators, as they were.
pub fn map_id_list(row: &mut Row, key: &str, map: &HashMap<i64, i64>) {
    let Some(Value::String(s)) = get(row, key) else {
        return;
    };
    let mut changed = false;
    let items: Vec<String> = s
        .split(',')
        .map(
            |item| match item.trim().parse::<i64>().ok().and_then(|i| map.get(&i)) {
                Some(new) => {
                    changed = true;
                    new.to_string()
                }
                None => item.to_string(),
            },
        )
        .collect();
    if changed {
        set(row, key, Value::String(items.join(",")));
    }
}

/// Per-output value fixes, with the output's column names looked up once.
pub struct Shape {
    typed: HashSet<String>,
    text: HashSet<String>,
}

impl Shape {
    pub fn new(columns: &[Column]) -> Shape {
        let names = |text: bool| {
            columns
                .iter()
                .filter(|c| matches!(c.data_type, DataType::VarChar | DataType::Text) == text)
                .map(|c| c.attribute_name.to_ascii_lowercase())
                .collect()
        };
        Shape {
            typed: names(false),
            text: names(true),
        }
    }

    /// Typed columns cannot hold the `""` that old `NOT NULL DEFAULT ''` columns hold: it means
    /// "no value", so it becomes null there; text columns keep it. A JSON boolean in a text
    /// column (6.x flags are VarChar) becomes the `True`/`False` text .NET writes, which is
    /// what a restore stores for it anyway.
    pub fn fix(&self, row: &mut Row) {
        for (k, v) in row.iter_mut() {
            match v {
                Value::String(s) if s.trim().is_empty() && contains_folded(&self.typed, k) => {
                    *v = Value::Null;
                }
                Value::Bool(b) if contains_folded(&self.text, k) => {
                    *v = Value::from(if *b { "True" } else { "False" });
                }
                _ => {}
            }
        }
    }
}

/// Returns true if and only if `set` holds `key` lower-cased (ASCII), without allocating for
/// short keys.
fn contains_folded(set: &HashSet<String>, key: &str) -> bool {
    if key.len() <= 64 {
        let mut buf = [0u8; 64];
        let lower = &mut buf[..key.len()];
        lower.copy_from_slice(key.as_bytes());
        lower.make_ascii_lowercase();
        // Lower-casing ASCII bytes keeps UTF-8 valid.
        return std::str::from_utf8(lower).is_ok_and(|l| set.contains(l));
    }
    set.contains(&key.to_ascii_lowercase())
}

/// Keys of `row` that no output column takes and that hold a value.
fn leftovers(row: &Row, columns: &[Column]) -> Vec<String> {
    row.iter()
        .filter(|(k, v)| {
            !columns
                .iter()
                .any(|c| c.attribute_name.eq_ignore_ascii_case(k))
                && !v.is_null()
                && v.as_str() != Some("")
        })
        .map(|(k, _)| k.clone())
        .collect()
}

/// When the settings column already holds 6.x JSON (`{…}`), leftover values are added to that
/// object here, under camel-cased keys as 6.x writes them. The engine would read the JSON as a
/// `key=value&…` string, which drops it.
pub fn fold_into_json_settings(row: &mut Row, columns: &[Column], settings: &str) {
    let Some(Value::String(current)) = get(row, settings) else {
        return;
    };
    if !is_json_form(current) {
        return;
    }
    let Ok(Value::Object(mut obj)) = serde_json::from_str::<Value>(current) else {
        return;
    };
    let keys = leftovers(row, columns);
    if keys.is_empty() {
        return;
    }
    for k in keys {
        if let Some(v) = row.shift_remove(&k) {
            // A JSON key that already exists keeps its value; the leftover keeps its own spelling.
            let name = camel_case(&k);
            let name = if json_get(&obj, &name).is_some() {
                k
            } else {
                name
            };
            obj.insert(name, v);
        }
    }
    set(row, settings, Value::String(Value::Object(obj).to_string()));
}

/// Merges two settings strings: every entry of `newer`, then the entries of `older` whose key
/// `newer` lacks. Entries of `older` whose key `newer` has with another value come back apart,
/// so the caller can keep them elsewhere. Either side may be null, empty or 6.x JSON.
pub fn merge_settings(newer: Option<&str>, older: Option<&str>) -> (Option<String>, Settings) {
    let newer = newer.filter(|s| !s.trim().is_empty());
    let older = older.filter(|s| !s.trim().is_empty());
    let (newer, older) = match (newer, older) {
        (n, None) => return (n.map(String::from), Settings::new()),
        // Nothing newer: the older string moves verbatim, as 6.15 moves it.
        (None, Some(o)) => return (Some(o.to_string()), Settings::new()),
        (Some(n), Some(o)) => (n, o),
    };
    let old = Settings::parse(older);
    let mut conflicts = Settings::new();
    if is_json_form(newer) {
        let Ok(Value::Object(mut obj)) = serde_json::from_str::<Value>(newer) else {
            return (Some(newer.to_string()), old);
        };
        for (k, v) in old.iter() {
            match json_get(&obj, k) {
                None => {
                    obj.insert(camel_case(k), Value::String(v.to_string()));
                }
                Some(existing) if existing.as_str() == Some(v) => {}
                Some(_) => conflicts.set(k, v),
            }
        }
        return (Some(Value::Object(obj).to_string()), conflicts);
    }
    let mut merged = Settings::parse(newer);
    for (k, v) in old.iter() {
        match merged.get(k) {
            None => merged.set(k, v),
            Some(existing) if existing == v => {}
            Some(_) => conflicts.set(k, v),
        }
    }
    (Some(merged.encode()), conflicts)
}

fn json_get<'m>(obj: &'m Map<String, Value>, key: &str) -> Option<&'m Value> {
    obj.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(v: Value) -> Row {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn rename_keeps_one_spelling_and_nulls() {
        let mut r = row(json!({"nodeID": null, "id": 7, "ID": 8}));
        assert!(rename(&mut r, "NodeId", "Id"));
        assert_eq!(r, row(json!({"id": null})));
        assert!(!rename(&mut r, "Missing", "X"));
    }

    #[test]
    fn ints_from_numbers_and_text() {
        assert_eq!(int(&json!(5)), Some(5));
        assert_eq!(int(&json!(" 12 ")), Some(12));
        assert_eq!(int(&json!("")), None);
        assert_eq!(int(&json!(null)), None);
        assert_eq!(int(&serde_json::from_str::<Value>("3.0").unwrap()), Some(3));
    }

    #[test]
    fn id_lists_keep_other_items() {
        let map = [(5, 50)].into_iter().collect();
        let mut r = row(json!({"ParentsPath": "0,5,x,55"}));
        map_id_list(&mut r, "parentsPath", &map);
        assert_eq!(r["ParentsPath"], json!("0,50,x,55"));
        let mut r = row(json!({"ParentsPath": null}));
        map_id_list(&mut r, "ParentsPath", &map);
        assert_eq!(r["ParentsPath"], Value::Null);
    }

    #[test]
    fn upload_fix_is_null_safe_and_idempotent() {
        let mut r =
            row(json!({"Content": "<img src=\"@upload/a.jpg\"> @/upload/b.jpg", "X": null}));
        fix_upload(&mut r, "content");
        fix_upload(&mut r, "content");
        fix_upload(&mut r, "X");
        assert_eq!(
            r["Content"],
            json!("<img src=\"@/upload/a.jpg\"> @/upload/b.jpg")
        );
        assert_eq!(r["X"], Value::Null);
    }

    #[test]
    fn settings_merge_prefers_the_newer_and_returns_conflicts() {
        let (m, c) = merge_settings(Some("a=1&b=2"), Some("b=3&c=4"));
        assert_eq!(m.as_deref(), Some("a=1&b=2&c=4"));
        assert_eq!(c.encode(), "b=3");
        let (m, c) = merge_settings(Some(""), Some("x=_and_"));
        assert_eq!(m.as_deref(), Some("x=_and_"));
        assert!(c.is_empty());
        let (m, _) = merge_settings(None, None);
        assert_eq!(m, None);
        let (m, c) = merge_settings(Some(r#"{"isLog":"True"}"#), Some("islog=True&cipherkey=k"));
        assert_eq!(m.as_deref(), Some(r#"{"isLog":"True","cipherkey":"k"}"#));
        assert!(c.is_empty());
    }

    #[test]
    fn leftovers_join_json_settings() {
        let cols = vec![
            Column::new("Id", DataType::Integer),
            Column::new("SettingsXml", DataType::Text),
        ];
        let mut r =
            row(json!({"Id": 1, "SettingsXml": "{\"editor\":\"王\"}", "Extra": "x", "Empty": ""}));
        fold_into_json_settings(&mut r, &cols, "SettingsXml");
        assert_eq!(
            r["SettingsXml"],
            json!("{\"editor\":\"王\",\"extra\":\"x\"}")
        );
        assert!(r.get("Extra").is_none());
        // A key=value string is left to the engine.
        let mut r = row(json!({"SettingsXml": "a=1", "Extra": "x"}));
        fold_into_json_settings(&mut r, &cols, "SettingsXml");
        assert_eq!(r["Extra"], json!("x"));
    }

    #[test]
    fn blanks_in_typed_columns_become_null_and_flags_text() {
        let cols = vec![
            Column::new("Taxis", DataType::Integer),
            Column::new("Title", DataType::VarChar),
            Column::new("IsTop", DataType::VarChar),
        ];
        let mut r = row(json!({"taxis": " ", "title": "", "isTop": false, "Other": ""}));
        Shape::new(&cols).fix(&mut r);
        assert_eq!(
            r,
            row(json!({"taxis": null, "title": "", "isTop": "False", "Other": ""}))
        );
    }
}
