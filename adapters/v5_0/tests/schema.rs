//! The 6.15 schema compiled into the adapter is the spec's `target-schema.json`.

mod common;

use common::{Col, spec, spec_columns};
use sscms_adapter_v5_0::schema;

fn cols(defs: &[schema::Def]) -> Vec<Col> {
    defs.iter()
        .map(|d| {
            (
                d.name.to_string(),
                d.data_type.to_string(),
                i64::from(d.length),
                d.primary_key,
                d.identity,
            )
        })
        .collect()
}

#[test]
fn system_tables_match_the_spec() {
    let spec = spec();
    let tables = spec["tables"].as_array().unwrap();
    assert_eq!(tables.len(), schema::TABLES.len());
    for (t, (name, defs)) in tables.iter().zip(schema::TABLES) {
        assert_eq!(t["name"], *name);
        assert_eq!(cols(defs), spec_columns(&t["columns"]), "{name}");
    }
}

#[test]
fn content_columns_match_the_spec() {
    let spec = spec();
    assert_eq!(
        cols(schema::CONTENT),
        spec_columns(&spec["content_tables"]["create_columns"])
    );
    let sync = spec_columns(&spec["content_tables"]["sync_columns"]);
    assert_eq!(cols(&schema::CONTENT[..sync.len()]), sync);
}

#[test]
fn the_version_marker_matches_the_spec() {
    assert_eq!(spec()["version_marker"]["value"], schema::DATABASE_VERSION);
}
