//! The 7.4 schema compiled into the adapter is the spec's `target-schema.json`.

use std::path::Path;

use serde_json::Value;
use sscms_adapter_v6::schema;
use sscms_core::Column;

/// The 7.4 part of the spec's `target-schema.json`.
fn spec() -> Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/spec/target-schema.json");
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["7.4"].clone()
}

/// A column as the spec lists it: name, type, length (0 for none), primary key, identity.
type Col = (String, String, i64, bool, bool);

fn spec_columns(list: &Value) -> Vec<Col> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["type"].as_str().unwrap().to_string(),
                c["length"].as_i64().unwrap_or(0),
                c["primary_key"].as_bool().unwrap(),
                c["identity"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn cols(columns: &[Column]) -> Vec<Col> {
    columns
        .iter()
        .map(|c| {
            (
                c.attribute_name.clone(),
                c.data_type.to_string(),
                i64::from(c.data_length),
                c.is_primary_key,
                c.is_identity,
            )
        })
        .collect()
}

#[test]
fn system_tables_match_the_spec() {
    let spec = spec();
    let tables = spec["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 50);
    assert_eq!(tables.len(), schema::TABLES.len());
    for (t, (name, _)) in tables.iter().zip(schema::TABLES) {
        assert_eq!(t["name"], *name);
        assert_eq!(
            cols(&schema::columns(name).unwrap()),
            spec_columns(&t["columns"]),
            "{name}"
        );
    }
}

#[test]
fn content_columns_match_the_spec() {
    assert_eq!(
        cols(&schema::content_columns()),
        spec_columns(&spec()["content_tables"]["columns"])
    );
}

#[test]
fn the_version_marker_matches_the_spec() {
    assert_eq!(spec()["version_marker"]["value"], schema::DATABASE_VERSION);
}
