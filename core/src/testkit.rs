//! Helpers for adapter tests: run `update` with chosen adapters on a sample backup and read
//! the output back. Behind the `testkit` feature, which only dev-dependencies turn on.

use std::path::{Path, PathBuf};

use crate::adapter::{AdapterRegistration, Registry, Target};
use crate::adapter::{HopOptions, get};
use crate::update::{UpdateOptions, UpdateReport, update};
use crate::{BackupReader, Column, NoProgress, Row, VersionAdapter};
use serde_json::Value;

/// A bundled sample backup, `examples/sample-<version>`.
pub fn sample(version: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(format!("sample-{version}"))
}

/// A registry of exactly these adapters.
pub fn registry(adapters: &[&'static dyn VersionAdapter]) -> Registry {
    let regs = adapters
        .iter()
        .map(|&a| &*Box::leak(Box::new(AdapterRegistration::new(a, "test"))))
        .collect();
    Registry::from_registrations(regs).expect("a valid registry")
}

/// The output folder of one `update` run, kept until dropped.
pub struct Out {
    _tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub report: UpdateReport,
    reader: BackupReader,
}

pub fn run(registry: &Registry, input: &Path, to: &str) -> Out {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("out");
    let opts = UpdateOptions {
        dir: input.to_path_buf(),
        out: dir.clone(),
        from: None,
        to: Target::Named(to.into()),
        overwrite: false,
        page_size: 500,
        hop: HopOptions::default(),
    };
    let report = update(registry, &opts, &NoProgress).expect("update runs");
    let reader = BackupReader::open(&dir).expect("output opens");
    Out {
        _tmp: tmp,
        dir,
        report,
        reader,
    }
}

impl Out {
    pub fn tables(&self) -> Vec<String> {
        self.reader.tables().to_vec()
    }

    pub fn columns(&self, table: &str) -> Vec<Column> {
        self.reader.table(table).expect(table).meta.columns
    }

    pub fn column_names(&self, table: &str) -> Vec<String> {
        self.columns(table)
            .into_iter()
            .map(|c| c.attribute_name)
            .collect()
    }

    pub fn rows(&self, table: &str) -> Vec<Row> {
        let data = self.reader.table(table).expect(table);
        let mut rows = Vec::new();
        for f in &data.row_files {
            self.reader
                .read_rows(table, f, |_, r| {
                    rows.push(r);
                    Ok(())
                })
                .expect("rows read");
        }
        assert_eq!(rows.len() as u64, data.total_count, "{table}: totalCount");
        rows
    }

    /// The row whose `key` equals `id`.
    pub fn row(&self, table: &str, key: &str, id: impl Into<Value>) -> Row {
        let id = id.into();
        self.rows(table)
            .into_iter()
            .find(|r| get(r, key) == Some(&id))
            .unwrap_or_else(|| panic!("{table}: no row with {key} = {id}"))
    }
}

/// A value of a row, by column name in any case.
pub fn val<'r>(row: &'r Row, key: &str) -> &'r Value {
    get(row, key).unwrap_or_else(|| panic!("no `{key}` in {row:?}"))
}

/// Copies a sample into a temp folder so a test can add rows.
pub fn copy_sample(version: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_dir(&sample(version), tmp.path());
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Replaces a table's rows in a copied backup folder (one page, `1.json`).
pub fn set_rows(dir: &Path, table: &str, rows: &[Value]) {
    let meta_path = dir.join(table).join("_metadata.json");
    let mut meta: Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    meta["totalCount"] = Value::from(rows.len());
    meta["rowFiles"] = Value::from(vec!["1.json"]);
    std::fs::write(&meta_path, meta.to_string()).unwrap();
    std::fs::write(
        dir.join(table).join("1.json"),
        Value::from(rows.to_vec()).to_string(),
    )
    .unwrap();
}
