//! Writes a backup folder page by page as rows stream in.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::layout::{MANIFEST_FILE, METADATA_FILE, TABLES_FILE, check_name};
use super::metadata::{Manifest, ManifestFile, ManifestTable, TableData, metadata_json};
use crate::error::{Error, Result};
use crate::model::TableMeta;
use crate::naming::camel_case;

/// Writes `_tables.json`, table folders and `_manifest.json` into an empty folder.
#[derive(Debug)]
pub struct BackupWriter {
    dir: PathBuf,
    manifest: Manifest,
}

impl BackupWriter {
    /// Starts a backup folder. The folder must be absent or empty, so nothing is overwritten.
    pub fn create(dir: &Path, database_type: Option<String>) -> Result<Self> {
        match fs::read_dir(dir) {
            Ok(mut entries) => {
                if entries.next().is_some() {
                    return Err(Error::Invalid(format!(
                        "{}: folder is not empty; choose a new folder so no earlier backup is overwritten",
                        dir.display()
                    )));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            Err(e) => return Err(Error::io(dir, e)),
        }
        Ok(BackupWriter {
            dir: dir.to_path_buf(),
            manifest: Manifest {
                tool: "siteserver".into(),
                tool_version: env!("CARGO_PKG_VERSION").into(),
                created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                database_type,
                source_version: None,
                version_evidence: None,
                tables: Vec::new(),
                failed_tables: Vec::new(),
                files: Vec::new(),
            },
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn manifest_mut(&mut self) -> &mut Manifest {
        &mut self.manifest
    }

    /// Starts a table; rows go into pages of `page_size` rows.
    pub fn table(&self, meta: &TableMeta, page_size: usize) -> Result<TableWriter> {
        check_name(&meta.name)
            .map_err(|e| Error::table(&meta.name, format!("cannot be written: {e}")))?;
        let dir = self.dir.join(&meta.name);
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(TableWriter {
            keys: meta
                .columns
                .iter()
                .map(|c| serde_json::to_string(&camel_case(&c.attribute_name)).unwrap_or_default())
                .collect(),
            meta: meta.clone(),
            dir,
            page_size: page_size.max(1),
            page: None,
            files: Vec::new(),
            total: 0,
        })
    }

    /// Records a finished table.
    pub fn add(&mut self, table: ManifestTable) {
        self.manifest.tables.push(table);
    }

    /// Writes `_tables.json` (the finished tables, in order) and `_manifest.json`.
    pub fn finish(mut self) -> Result<Manifest> {
        let names: Vec<&str> = self
            .manifest
            .tables
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        let sha = write_json(
            &self.dir.join(TABLES_FILE),
            &serde_json::to_value(names).unwrap_or_default(),
        )?;
        self.manifest.record_file(TABLES_FILE, sha);
        write_json(
            &self.dir.join(MANIFEST_FILE),
            &serde_json::to_value(&self.manifest).unwrap_or_default(),
        )?;
        Ok(self.manifest)
    }
}

/// Records the sha256 of a file written into a finished folder (such as `_report.json`) in its
/// `_manifest.json`, so a restore notices when it changes.
pub fn record_file(dir: &Path, name: &str) -> Result<()> {
    let path = dir.join(name);
    let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let manifest_path = dir.join(MANIFEST_FILE);
    let text = fs::read(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
    let mut manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| Error::format(&manifest_path, format!("invalid manifest: {e}")))?;
    manifest.record_file(name, sha256_hex(&bytes));
    write_json(
        &manifest_path,
        &serde_json::to_value(&manifest).unwrap_or_default(),
    )
    .map(drop)
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Writes compact JSON as the 6.x tools do: UTF-8, no BOM, no trailing newline. Returns the
/// file's sha256.
pub(crate) fn write_json(path: &Path, value: &Value) -> Result<String> {
    let text = serde_json::to_vec(value).map_err(|e| Error::format(path, e.to_string()))?;
    fs::write(path, &text).map_err(|e| Error::io(path, e))?;
    Ok(sha256_hex(&text))
}

/// A sink that hashes what passes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

struct Page {
    name: String,
    path: PathBuf,
    out: BufWriter<Hashing<File>>,
    rows: usize,
}

/// Writes one table's row pages and then its `_metadata.json`.
pub struct TableWriter {
    meta: TableMeta,
    dir: PathBuf,
    /// JSON-encoded camelCase keys, one per column.
    keys: Vec<String>,
    page_size: usize,
    page: Option<Page>,
    files: Vec<ManifestFile>,
    total: u64,
}

impl TableWriter {
    /// Appends one row, given in column order.
    pub fn push(&mut self, values: &[Value]) -> Result<()> {
        if self.page.is_none() {
            let name = format!("{}.json", self.files.len() + 1);
            let path = self.dir.join(&name);
            let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
            let mut out = BufWriter::with_capacity(
                256 * 1024,
                Hashing {
                    inner: file,
                    hash: Sha256::new(),
                },
            );
            out.write_all(b"[").map_err(|e| Error::io(&path, e))?;
            self.page = Some(Page {
                name,
                path,
                out,
                rows: 0,
            });
        }
        let Some(page) = self.page.as_mut() else {
            unreachable!("a page was opened above")
        };
        let sep: &[u8] = if page.rows > 0 { b"," } else { b"" };
        page.out
            .write_all(sep)
            .and_then(|()| write_row(&mut page.out, &self.keys, values))
            .map_err(|e| Error::io(&page.path, e))?;
        page.rows += 1;
        self.total += 1;
        if page.rows >= self.page_size {
            self.close_page()?;
        }
        Ok(())
    }

    fn close_page(&mut self) -> Result<()> {
        if let Some(mut page) = self.page.take() {
            page.out
                .write_all(b"]")
                .map_err(|e| Error::io(&page.path, e))?;
            let hashing = page
                .out
                .into_inner()
                .map_err(|e| Error::io(&page.path, e.into_error()))?;
            hashing
                .inner
                .sync_all()
                .map_err(|e| Error::io(&page.path, e))?;
            self.files.push(ManifestFile {
                name: page.name,
                sha256: format!("{:x}", hashing.hash.finalize()),
            });
        }
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.total
    }

    /// Closes the last page and writes `_metadata.json`.
    pub fn finish(mut self) -> Result<ManifestTable> {
        self.close_page()?;
        let data = TableData {
            meta: self.meta,
            total_count: self.total,
            row_files: self.files.iter().map(|f| f.name.clone()).collect(),
        };
        let sha = write_json(&self.dir.join(METADATA_FILE), &metadata_json(&data))?;
        Ok(ManifestTable {
            name: data.meta.name,
            rows: self.total,
            files: self.files,
            metadata_sha256: Some(sha),
        })
    }
}

fn write_row(out: &mut impl Write, keys: &[String], values: &[Value]) -> std::io::Result<()> {
    out.write_all(b"{")?;
    for (i, (k, v)) in keys.iter().zip(values).enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(k.as_bytes())?;
        out.write_all(b":")?;
        super::rows::write_value(out, v)?;
    }
    out.write_all(b"}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, DataType};
    use serde_json::json;

    #[test]
    fn pages_split_at_page_size_and_keys_are_camel_cased() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("bak");
        let mut w = BackupWriter::create(&dir, Some("SQLite".into())).unwrap();
        let meta = TableMeta {
            name: "siteserver_Site".into(),
            columns: vec![
                Column::new("ID", DataType::Integer)
                    .primary_key()
                    .identity(),
                Column::new("PublishmentSystemID", DataType::Integer),
            ],
        };
        let mut t = w.table(&meta, 2).unwrap();
        for i in 1..=5 {
            t.push(&[json!(i), Value::Null]).unwrap();
        }
        let entry = t.finish().unwrap();
        assert_eq!(entry.rows, 5);
        assert_eq!(entry.files.len(), 3);
        w.add(entry);
        w.finish().unwrap();
        let page1 = fs::read_to_string(dir.join("siteserver_Site/1.json")).unwrap();
        assert_eq!(
            page1,
            r#"[{"id":1,"publishmentSystemID":null},{"id":2,"publishmentSystemID":null}]"#
        );
        let tables = fs::read_to_string(dir.join(TABLES_FILE)).unwrap();
        assert_eq!(tables, r#"["siteserver_Site"]"#);
    }

    #[test]
    fn refuses_a_folder_that_is_not_empty() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("x"), "").unwrap();
        let err = BackupWriter::create(tmp.path(), None).unwrap_err();
        assert!(err.to_string().contains("folder is not empty"), "{err}");
    }
}
