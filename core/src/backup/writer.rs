//! Writes a backup folder page by page as rows stream in.

use std::fs::{self, File};
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::json_rows::{JsonRows, json_keys};
use super::layout::{INCOMPLETE_FILE, MANIFEST_FILE, METADATA_FILE, TABLES_FILE, check_name};
use super::metadata::{Journal, Manifest, ManifestFile, ManifestTable, TableData, metadata_json};
use super::pages::{PIECE_BYTES, PageSink};
use crate::error::{Error, Result};
use crate::model::TableMeta;

/// Writes `_tables.json`, table folders and `_manifest.json` into an empty folder.
///
/// `_incomplete.json` is written first and removed last: until then, readers refuse the folder,
/// and it lists the tables finished so far, for [`BackupWriter::resume`].
#[derive(Debug)]
pub struct BackupWriter {
    dir: PathBuf,
    manifest: Manifest,
    journal: Mutex<Journal>,
    /// Table folders may be left from the run being resumed.
    resuming: bool,
}

impl BackupWriter {
    /// Starts a backup folder. The folder must be absent or empty, so nothing is overwritten.
    pub fn create(dir: &Path, database_type: Option<String>) -> Result<Self> {
        match fs::read_dir(dir) {
            Ok(mut entries) => {
                if entries.next().is_some() {
                    let hint = if dir.join(INCOMPLETE_FILE).exists() {
                        "; it holds a backup that did not finish: pass --resume to go on with it"
                    } else {
                        "; choose a new folder so no earlier backup is overwritten"
                    };
                    return Err(Error::Invalid(format!(
                        "{}: folder is not empty{hint}",
                        dir.display()
                    )));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            Err(e) => return Err(Error::io(dir, e)),
        }
        let journal = Journal {
            step: "backup".into(),
            database_type: database_type.clone(),
            started_at: now(),
            ..Default::default()
        };
        write_json(
            &dir.join(INCOMPLETE_FILE),
            &serde_json::to_value(&journal).unwrap_or_default(),
        )?;
        Ok(Self::new(dir, database_type, journal, false))
    }

    /// Goes on with a folder that a stopped run left: the tables its `_incomplete.json` lists
    /// are kept where every file still has its recorded sha256, and returned; the rest are
    /// written again. `expected` must match what the stopped run recorded (see
    /// [`BackupWriter::describe`]), so a folder is never finished from another source.
    pub fn resume(dir: &Path, expected: &Journal) -> Result<(Self, Vec<ManifestTable>)> {
        let path = dir.join(INCOMPLETE_FILE);
        if !path.is_file() {
            let why = if dir.join(TABLES_FILE).is_file() {
                "the backup in it is complete; nothing to resume"
            } else {
                "it holds no backup that can be resumed (no _incomplete.json)"
            };
            return Err(Error::Invalid(format!("{}: {why}", dir.display())));
        }
        let text = fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let journal: Journal = serde_json::from_slice(&text)
            .map_err(|e| Error::format(&path, format!("invalid progress file: {e}")))?;
        let differs = |what: &str, was: &dyn std::fmt::Debug, now: &dyn std::fmt::Debug| {
            Error::Invalid(format!(
                "{}: the stopped backup was taken with {what} {was:?}, this run has {now:?}; \
                 resume with the same source and options, or start a new folder",
                dir.display()
            ))
        };
        if journal.step != expected.step {
            return Err(differs("step", &journal.step, &expected.step));
        }
        if journal.database_type != expected.database_type {
            let (a, b) = (&journal.database_type, &expected.database_type);
            return Err(differs("database type", a, b));
        }
        if journal.source != expected.source {
            return Err(differs("source", &journal.source, &expected.source));
        }
        if journal.options != expected.options {
            let (a, b) = (journal.options.to_string(), expected.options.to_string());
            return Err(differs("options", &a, &b));
        }
        let mut kept = Vec::new();
        for table in &journal.tables {
            if check_name(&table.name).is_ok() && table_intact(&dir.join(&table.name), table) {
                kept.push(table.clone());
            }
        }
        let journal = Journal {
            tables: kept.clone(),
            ..journal
        };
        let writer = Self::new(dir, journal.database_type.clone(), journal, true);
        writer.save_journal()?;
        Ok((writer, kept))
    }

    fn new(dir: &Path, database_type: Option<String>, journal: Journal, resuming: bool) -> Self {
        BackupWriter {
            dir: dir.to_path_buf(),
            manifest: Manifest {
                tool: "siteserver".into(),
                tool_version: env!("CARGO_PKG_VERSION").into(),
                created_at: now(),
                database_type,
                source_version: None,
                version_evidence: None,
                tables: Vec::new(),
                failed_tables: Vec::new(),
                files: Vec::new(),
            },
            journal: Mutex::new(journal),
            resuming,
        }
    }

    /// Records what the folder is written from, for a later [`BackupWriter::resume`].
    pub fn describe(&mut self, step: &str, source: Option<String>, options: Value) -> Result<()> {
        {
            let j = self.journal.get_mut().unwrap_or_else(|e| e.into_inner());
            j.step = step.to_string();
            j.source = source;
            j.options = options;
        }
        self.save_journal()
    }

    /// The journal a run with these settings writes, to compare with a stopped run's.
    pub fn expected_journal(
        step: &str,
        database_type: Option<String>,
        source: Option<String>,
        options: Value,
    ) -> Journal {
        Journal {
            step: step.to_string(),
            database_type,
            source,
            options,
            ..Default::default()
        }
    }

    fn save_journal(&self) -> Result<()> {
        let j = self.journal.lock().unwrap_or_else(|e| e.into_inner());
        write_json(
            &self.dir.join(INCOMPLETE_FILE),
            &serde_json::to_value(&*j).unwrap_or_default(),
        )
        .map(drop)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn manifest_mut(&mut self) -> &mut Manifest {
        &mut self.manifest
    }

    /// Starts a table; rows go into pages of `page_size` rows.
    pub fn table(&self, meta: &TableMeta, page_size: usize) -> Result<TableWriter> {
        self.table_dir(meta)?;
        Ok(self.part(meta, page_size, 1))
    }

    /// Creates a table's folder, for [`BackupWriter::part`]s to fill.
    pub fn table_dir(&self, meta: &TableMeta) -> Result<()> {
        check_name(&meta.name)
            .map_err(|e| Error::table(&meta.name, format!("cannot be written: {e}")))?;
        let dir = self.dir.join(&meta.name);
        if self.resuming && dir.exists() {
            // Left half-written by the stopped run.
            fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))
    }

    /// The writer of a part of a table whose folder [`BackupWriter::table_dir`] made: its
    /// pages are numbered from `first_page`, and [`TableWriter::finish_part`] ends it.
    pub fn part(&self, meta: &TableMeta, page_size: usize, first_page: usize) -> TableWriter {
        let dir = self.dir.join(&meta.name);
        TableWriter {
            keys: json_keys(meta),
            meta: meta.clone(),
            dir,
            page_size: page_size.max(1),
            page: None,
            pages: first_page.saturating_sub(1),
            sink: PageSink::start(),
            total: 0,
        }
    }

    /// Writes the `_metadata.json` of a table written in parts, whose files, in order, and
    /// rows are given.
    pub fn assemble(
        &self,
        meta: &TableMeta,
        files: Vec<ManifestFile>,
        total: u64,
    ) -> Result<ManifestTable> {
        table_entry(&self.dir.join(&meta.name), meta.clone(), files, total)
    }

    /// Notes a finished table in `_incomplete.json`, so a resumed run keeps it.
    pub fn table_done(&self, table: &ManifestTable) -> Result<()> {
        self.journal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .tables
            .push(table.clone());
        self.save_journal()
    }

    /// Records a finished table.
    pub fn add(&mut self, table: ManifestTable) {
        self.manifest.tables.push(table);
    }

    /// Writes `_tables.json` (the finished tables, in order) and `_manifest.json`, then removes
    /// `_incomplete.json`.
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
        let marker = self.dir.join(INCOMPLETE_FILE);
        fs::remove_file(&marker).map_err(|e| Error::io(&marker, e))?;
        Ok(self.manifest)
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Whether a finished table's files are all there with their recorded sha256.
fn table_intact(dir: &Path, table: &ManifestTable) -> bool {
    let same = |name: &str, sha: &str| {
        check_name(name).is_ok() && file_sha256(&dir.join(name)).is_ok_and(|s| s == sha)
    };
    table
        .metadata_sha256
        .as_deref()
        .is_some_and(|m| same(METADATA_FILE, m))
        && table.files.iter().all(|f| same(&f.name, &f.sha256))
}

fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut hash = Sha256::new();
    std::io::copy(&mut File::open(path)?, &mut hash)?;
    Ok(format!("{:x}", hash.finalize()))
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
///
/// The file is written beside its place and renamed into it, so a full disk or a kill never
/// leaves a half-written file under the real name.
pub(crate) fn write_json(path: &Path, value: &Value) -> Result<String> {
    let text = serde_json::to_vec(value).map_err(|e| Error::format(path, e.to_string()))?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    let written = File::create(&tmp)
        .and_then(|mut f| f.write_all(&text).and_then(|()| f.sync_all()))
        .and_then(|()| fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(sha256_hex(&text))
}

/// The page being filled: its bytes not yet handed to the [`PageSink`].
struct Page {
    buf: Vec<u8>,
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
    pages: usize,
    sink: PageSink,
    total: u64,
}

impl TableWriter {
    /// Appends one row, given in column order.
    pub fn push(&mut self, values: &[Value]) -> Result<()> {
        // The keys are lent out while the page, also ours, is written.
        let keys = std::mem::take(&mut self.keys);
        let pushed = self.push_with(1, |buf, first| {
            buf.push(if first { b'[' } else { b',' });
            write_row(buf, &keys, values);
        });
        self.keys = keys;
        pushed
    }

    /// Appends rows `range` of `rows`, which must fit in the page being written (see
    /// [`TableWriter::page_room`]): one copy for them all.
    pub fn push_rows(&mut self, rows: &JsonRows, range: Range<usize>) -> Result<()> {
        let n = range.len();
        if n == 0 {
            return Ok(());
        }
        if rows.columns() != self.keys.len() || n > self.page_room() {
            return Err(Error::Invalid(format!(
                "`{}`: {n} rows of {} columns handed to a page with room for {} of {}",
                self.meta.name,
                rows.columns(),
                self.page_room(),
                self.keys.len()
            )));
        }
        let text = rows.runs(range);
        // The run starts with the comma before its first row, which opens a page as `[`.
        self.push_with(n, |buf, first| {
            if first {
                buf.push(b'[');
                buf.extend_from_slice(&text[1..]);
            } else {
                buf.extend_from_slice(text);
            }
        })
    }

    /// Rows the page being written can still take.
    pub fn page_room(&self) -> usize {
        self.page_size - self.page.as_ref().map_or(0, |p| p.rows)
    }

    /// Writes `rows` rows into the page being written, opening one if there is none: `write`
    /// gets the page's bytes and whether they are the page's first.
    fn push_with(&mut self, rows: usize, write: impl FnOnce(&mut Vec<u8>, bool)) -> Result<()> {
        let page = match self.page.as_mut() {
            Some(page) => page,
            None => {
                self.pages += 1;
                let name = format!("{}.json", self.pages);
                let path = self.dir.join(&name);
                self.sink.open(name, path)?;
                self.page.insert(Page {
                    buf: self.sink.buffer(),
                    rows: 0,
                })
            }
        };
        write(&mut page.buf, page.rows == 0);
        page.rows += rows;
        self.total += rows as u64;
        if page.rows >= self.page_size {
            self.close_page()?;
        } else if page.buf.len() >= PIECE_BYTES {
            let full = std::mem::replace(&mut page.buf, self.sink.buffer());
            self.sink.data(full)?;
        }
        Ok(())
    }

    fn close_page(&mut self) -> Result<()> {
        if let Some(mut page) = self.page.take() {
            page.buf.push(b']');
            self.sink.data(page.buf)?;
            self.sink.close()?;
        }
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.total
    }

    /// Closes the last page and writes `_metadata.json`.
    pub fn finish(self) -> Result<ManifestTable> {
        let dir = self.dir.clone();
        let meta = self.meta.clone();
        let (files, total) = self.finish_part()?;
        table_entry(&dir, meta, files, total)
    }

    /// Closes the last page and waits for the pages to be on disk: the pages, with their
    /// sha256, and the rows written.
    pub fn finish_part(mut self) -> Result<(Vec<ManifestFile>, u64)> {
        self.close_page()?;
        Ok((self.sink.finish()?, self.total))
    }
}

fn table_entry(
    dir: &Path,
    meta: TableMeta,
    files: Vec<ManifestFile>,
    total: u64,
) -> Result<ManifestTable> {
    let data = TableData {
        meta,
        total_count: total,
        row_files: files.iter().map(|f| f.name.clone()).collect(),
    };
    let sha = write_json(&dir.join(METADATA_FILE), &metadata_json(&data))?;
    Ok(ManifestTable {
        name: data.meta.name,
        rows: total,
        files,
        metadata_sha256: Some(sha),
    })
}

fn write_row(out: &mut Vec<u8>, keys: &[String], values: &[Value]) {
    out.push(b'{');
    for (i, (k, v)) in keys.iter().zip(values).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(k.as_bytes());
        out.push(b':');
        super::rows::push_value(out, v);
    }
    out.push(b'}');
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
    fn runs_of_rows_make_the_pages_rows_one_by_one_make() {
        let tmp = tempfile::tempdir().unwrap();
        let meta = TableMeta {
            name: "t".into(),
            columns: vec![
                Column::new("Id", DataType::Integer),
                Column::new("Title", DataType::VarChar),
            ],
        };
        let rows: Vec<[Value; 2]> = (1..=7)
            .map(|i| [json!(i), json!(format!("r\"{i}"))])
            .collect();
        let mut pages = Vec::new();
        for by_runs in [false, true] {
            let dir = tmp.path().join(by_runs.to_string());
            let w = BackupWriter::create(&dir, None).unwrap();
            let mut t = w.table(&meta, 3).unwrap();
            if by_runs {
                let mut batch = JsonRows::new(&meta);
                for r in &rows {
                    r.iter().for_each(|v| batch.push_value(v));
                    batch.end_row();
                }
                // A run may not cross a page's end.
                assert!(t.push_rows(&batch, 0..4).is_err());
                let mut i = 0;
                while i < batch.len() {
                    let n = t.page_room().min(batch.len() - i);
                    t.push_rows(&batch, i..i + n).unwrap();
                    i += n;
                }
            } else {
                rows.iter().for_each(|r| t.push(r).unwrap());
            }
            let entry = t.finish().unwrap();
            assert_eq!(entry.rows, 7);
            pages.push(
                (1..=3)
                    .map(|p| fs::read_to_string(dir.join(format!("t/{p}.json"))).unwrap())
                    .collect::<Vec<_>>(),
            );
        }
        assert_eq!(pages[0], pages[1]);
        assert_eq!(pages[1][2], r#"[{"id":7,"title":"r\"7"}]"#);
    }

    fn one_table(name: &str) -> TableMeta {
        TableMeta {
            name: name.into(),
            columns: vec![Column::new("Id", DataType::Integer).primary_key()],
        }
    }

    #[test]
    fn a_stopped_folder_is_refused_then_resumed_keeping_intact_tables() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("bak");
        let options = json!({"pageSize": 2});
        let expected = BackupWriter::expected_journal(
            "backup",
            Some("SQLite".into()),
            Some("Data Source=a.db".into()),
            options.clone(),
        );
        let mut w = BackupWriter::create(&dir, Some("SQLite".into())).unwrap();
        w.describe("backup", expected.source.clone(), options.clone())
            .unwrap();
        for name in ["a", "b"] {
            let mut t = w.table(&one_table(name), 2).unwrap();
            t.push(&[json!(1)]).unwrap();
            w.table_done(&t.finish().unwrap()).unwrap();
        }
        // `c` is half-written when the run stops.
        let mut t = w.table(&one_table("c"), 1).unwrap();
        t.push(&[json!(1)]).unwrap();
        drop((t, w));

        assert!(
            !dir.join(TABLES_FILE).exists(),
            "no table list before the end"
        );
        let err = BackupWriter::create(&dir, None).unwrap_err();
        assert!(err.to_string().contains("--resume"), "{err}");

        // Other options, or another source, are refused.
        let mut other = expected.clone();
        other.options = json!({"pageSize": 3});
        let err = BackupWriter::resume(&dir, &other).unwrap_err();
        assert!(err.to_string().contains("options"), "{err}");
        other = expected.clone();
        other.source = Some("Data Source=b.db".into());
        let err = BackupWriter::resume(&dir, &other).unwrap_err();
        assert!(err.to_string().contains("source"), "{err}");

        // A kept table whose file changed is written again.
        fs::write(dir.join("b/1.json"), "[]").unwrap();
        let (mut w, kept) = BackupWriter::resume(&dir, &expected).unwrap();
        let kept: Vec<&str> = kept.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(kept, ["a"]);
        for name in ["b", "c"] {
            let mut t = w.table(&one_table(name), 2).unwrap();
            t.push(&[json!(2)]).unwrap();
            let entry = t.finish().unwrap();
            w.table_done(&entry).unwrap();
            w.add(entry);
        }
        w.finish().unwrap();
        assert!(!dir.join(INCOMPLETE_FILE).exists());
        assert_eq!(
            fs::read_to_string(dir.join("c/1.json")).unwrap(),
            r#"[{"id":2}]"#
        );
        assert!(dir.join(TABLES_FILE).is_file());
        let err = BackupWriter::resume(&dir, &expected).unwrap_err();
        assert!(err.to_string().contains("complete"), "{err}");
    }

    #[test]
    fn refuses_a_folder_that_is_not_empty() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("x"), "").unwrap();
        let err = BackupWriter::create(tmp.path(), None).unwrap_err();
        assert!(err.to_string().contains("folder is not empty"), "{err}");
    }
}
