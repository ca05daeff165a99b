//! Helpers for the adapter's tests: editable copies of the sample backups, an update run through
//! the real engine with this adapter alone, and readers for the output folder.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use sscms_core::adapter::HopOptions;
use sscms_core::adapter::Target;
use sscms_core::update::{UpdateOptions, UpdateReport, update};
use sscms_core::{AdapterRegistration, NoProgress, Registry};

pub type Obj = Map<String, Value>;

static REGISTRATION: AdapterRegistration =
    AdapterRegistration::new(&sscms_adapter_v5_0::ADAPTER, "sscms-adapter-v5-0");

pub fn registry() -> Registry {
    Registry::from_registrations(vec![&REGISTRATION]).unwrap()
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The 6.15 part of the spec's `target-schema.json`.
pub fn spec() -> Value {
    let text = fs::read_to_string(repo().join("tests/fixtures/spec/target-schema.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["6.15"].clone()
}

/// A column as the spec lists it: name, type, length (0 for none), primary key, identity.
pub type Col = (String, String, i64, bool, bool);

pub fn spec_columns(list: &Value) -> Vec<Col> {
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

/// A writable copy of `examples/<name>`.
pub struct Folder(tempfile::TempDir);

impl Folder {
    pub fn sample(name: &str) -> Folder {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&repo().join("examples").join(name), dir.path());
        Folder(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    fn meta(&self, table: &str) -> Obj {
        let text = fs::read_to_string(self.path().join(table).join("_metadata.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    pub fn rows(&self, table: &str) -> Vec<Obj> {
        read_rows(&self.path().join(table))
    }

    /// Rewrites a table's rows (and its metadata through `meta`), as one row file.
    pub fn edit(&self, table: &str, f: impl FnOnce(&mut Vec<Obj>)) {
        let mut rows = self.rows(table);
        f(&mut rows);
        self.write(table, None, rows);
    }

    /// Adds a column to a table's metadata, and `value` under `key` to every row.
    pub fn add_column(&self, table: &str, column: Value, key: &str, value: Value) {
        let mut meta = self.meta(table);
        meta["columns"].as_array_mut().unwrap().push(column);
        let mut rows = self.rows(table);
        for r in &mut rows {
            r.insert(key.to_string(), value.clone());
        }
        self.write(table, Some(meta), rows);
    }

    /// Drops a column from a table's metadata and rows.
    pub fn drop_column(&self, table: &str, column: &str, key: &str) {
        let mut meta = self.meta(table);
        meta["columns"]
            .as_array_mut()
            .unwrap()
            .retain(|c| c["attributeName"] != column);
        let mut rows = self.rows(table);
        for r in &mut rows {
            r.remove(key);
        }
        self.write(table, Some(meta), rows);
    }

    /// Adds a table; `columns` are `(name, type, length, primary key, identity)`.
    pub fn add_table(
        &self,
        name: &str,
        columns: &[(&str, &str, i64, bool, bool)],
        rows: Vec<Value>,
    ) {
        let cols: Vec<Value> = columns
            .iter()
            .map(|(n, t, l, pk, id)| {
                json!({"attributeName": n, "dataType": t, "dataLength": l,
                       "isPrimaryKey": pk, "isIdentity": id, "isExtend": false})
            })
            .collect();
        fs::create_dir_all(self.path().join(name)).unwrap();
        let meta = json!({"columns": cols, "totalCount": 0, "rowFiles": []});
        let rows = rows
            .into_iter()
            .map(|v| v.as_object().unwrap().clone())
            .collect();
        self.write(name, Some(meta.as_object().unwrap().clone()), rows);
        let path = self.path().join("_tables.json");
        let mut tables: Vec<String> =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        tables.push(name.to_string());
        fs::write(&path, serde_json::to_string(&tables).unwrap()).unwrap();
    }

    fn write(&self, table: &str, meta: Option<Obj>, rows: Vec<Obj>) {
        let dir = self.path().join(table);
        let mut meta = meta.unwrap_or_else(|| self.meta(table));
        for f in meta["rowFiles"].as_array().cloned().unwrap_or_default() {
            let _ = fs::remove_file(dir.join(f.as_str().unwrap()));
        }
        meta.insert("totalCount".into(), json!(rows.len()));
        let files = if rows.is_empty() {
            json!([])
        } else {
            fs::write(dir.join("1.json"), serde_json::to_string(&rows).unwrap()).unwrap();
            json!(["1.json"])
        };
        meta.insert("rowFiles".into(), files);
        fs::write(
            dir.join("_metadata.json"),
            serde_json::to_string(&meta).unwrap(),
        )
        .unwrap();
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}

fn read_rows(dir: &Path) -> Vec<Obj> {
    let text = fs::read_to_string(dir.join("_metadata.json")).unwrap();
    let meta: Value = serde_json::from_str(&text).unwrap();
    let files = meta
        .get("rowFiles")
        .or_else(|| meta.get("rows"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut rows = Vec::new();
    for f in files {
        let text = fs::read_to_string(dir.join(f.as_str().unwrap())).unwrap();
        let page: Vec<Obj> = serde_json::from_str(&text).unwrap();
        rows.extend(page);
    }
    rows
}

/// An updated folder.
pub struct Out {
    dir: tempfile::TempDir,
    pub report: UpdateReport,
}

pub fn run(input: &Path, split: bool, from: Option<&str>) -> sscms_core::Result<Out> {
    let dir = tempfile::tempdir().unwrap();
    let opts = UpdateOptions {
        dir: input.to_path_buf(),
        out: dir.path().join("update"),
        from: from.map(String::from),
        to: Target::Latest,
        overwrite: false,
        page_size: 500,
        hop: HopOptions {
            split_contents: split,
        },
    };
    let report = update(&registry(), &opts, &NoProgress)?;
    Ok(Out { dir, report })
}

impl Out {
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("update")
    }

    pub fn tables(&self) -> Vec<String> {
        let text = fs::read_to_string(self.path().join("_tables.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    pub fn columns(&self, table: &str) -> Vec<Col> {
        columns_of(&self.path().join(table))
    }

    pub fn rows(&self, table: &str) -> Vec<Obj> {
        read_rows(&self.path().join(table))
    }

    /// The row whose `id` is `id`.
    pub fn row(&self, table: &str, id: i64) -> Obj {
        self.rows(table)
            .into_iter()
            .find(|r| r["id"].as_i64() == Some(id))
            .unwrap_or_else(|| panic!("{table} has no row {id}"))
    }

    pub fn report_json(&self) -> Value {
        let text = fs::read_to_string(self.path().join("_report.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// The report's entry for an output table.
    pub fn entry(&self, target: &str) -> Value {
        self.report_json()["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["target"] == target)
            .cloned()
            .unwrap_or_else(|| panic!("no report entry for {target}"))
    }
}

pub fn columns_of(dir: &Path) -> Vec<Col> {
    let text = fs::read_to_string(dir.join("_metadata.json")).unwrap();
    let meta: Value = serde_json::from_str(&text).unwrap();
    meta["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["attributeName"].as_str().unwrap().to_string(),
                c["dataType"].as_str().unwrap().to_string(),
                c["dataLength"].as_i64().unwrap_or(0),
                c["isPrimaryKey"].as_bool().unwrap_or(false),
                c["isIdentity"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

/// `text` of a JSON string value, panicking otherwise.
pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("{v} is not a string"))
}
