//! Reads a backup folder written by this tool or by the original 6.x / 7.x tools.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::de::{self, DeserializeSeed, SeqAccess, Visitor};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::layout::{INCOMPLETE_FILE, MANIFEST_FILE, METADATA_FILE, TABLES_FILE};
use super::metadata::{Manifest, TableData, parse_metadata, parse_tables};
use super::rows::fold;
use super::writer::sha256_hex;
use crate::error::{Error, Result};
use crate::model::{Row, TableMeta};

/// An open backup folder.
#[derive(Debug)]
pub struct BackupReader {
    dir: PathBuf,
    tables: Vec<String>,
    manifest: Option<Manifest>,
}

/// A folder that a backup or update is still writing, or that one left when it stopped.
fn refuse_incomplete(dir: &Path) -> Result<()> {
    let marker = dir.join(INCOMPLETE_FILE);
    if !marker.exists() {
        return Ok(());
    }
    let step = fs::read(&marker)
        .ok()
        .and_then(|t| serde_json::from_slice::<super::metadata::Journal>(&t).ok())
        .map_or_else(|| "backup".to_string(), |j| j.step);
    let next = if step == "update" {
        "run the update again with --overwrite".to_string()
    } else {
        format!(
            "finish it with `siteserver backup --resume -d {}` and the same source, or take a new backup",
            dir.display()
        )
    };
    Err(Error::format(
        &marker,
        format!("this folder is incomplete: the {step} that wrote it did not finish; {next}"),
    ))
}

fn read_text(path: &Path) -> Result<String> {
    read_checked(path, None)
}

/// The largest table list, metadata or manifest file read whole; real ones are kilobytes.
const MAX_SMALL_FILE: u64 = 64 << 20;

/// Refuses a symbolic link: a folder's files must be its own, not something elsewhere.
fn not_a_link(path: &Path) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(Error::format(
            path,
            "is a symbolic link; a backup folder's files and folders must be its own",
        )),
        _ => Ok(()),
    }
}

/// Reads a text file, refusing it if its sha256 is not `expected`.
fn read_checked(path: &Path, expected: Option<&str>) -> Result<String> {
    not_a_link(path)?;
    let len = fs::metadata(path).map_err(|e| Error::io(path, e))?.len();
    if len > MAX_SMALL_FILE {
        return Err(Error::format(
            path,
            format!("is too large ({len} bytes; at most {MAX_SMALL_FILE} for this file)"),
        ));
    }
    let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
    check_sha(path, &bytes, expected)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        // The originals write an empty file when serialisation fails.
        return Err(Error::format(path, "file is empty"));
    }
    String::from_utf8(bytes.to_vec()).map_err(|e| Error::format(path, format!("not UTF-8: {e}")))
}

fn check_sha(path: &Path, bytes: &[u8], expected: Option<&str>) -> Result<()> {
    match expected {
        Some(want) if sha256_hex(bytes) != want => Err(Error::format(
            path,
            "sha256 differs from _manifest.json: the file changed after it was written \
             (delete _manifest.json to accept edited files)",
        )),
        _ => Ok(()),
    }
}

impl BackupReader {
    /// Opens a folder and reads its `_tables.json` (and `_manifest.json`, when present).
    pub fn open(dir: &Path) -> Result<Self> {
        let meta = fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
        if !meta.is_dir() {
            return Err(Error::format(dir, "not a folder"));
        }
        refuse_incomplete(dir)?;
        let manifest_path = dir.join(MANIFEST_FILE);
        let manifest = if manifest_path.exists() {
            let m: Manifest = serde_json::from_str(&read_text(&manifest_path)?)
                .map_err(|e| Error::format(&manifest_path, format!("invalid manifest: {e}")))?;
            Some(m)
        } else {
            None
        };
        let tables_path = dir.join(TABLES_FILE);
        let expected = manifest
            .as_ref()
            .and_then(|m| m.files.iter().find(|f| f.name == TABLES_FILE))
            .map(|f| f.sha256.as_str());
        let tables = parse_tables(&tables_path, &read_checked(&tables_path, expected)?)?;
        Ok(BackupReader {
            dir: dir.to_path_buf(),
            tables,
            manifest,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Table names from `_tables.json`, in order.
    pub fn tables(&self) -> &[String] {
        &self.tables
    }

    pub fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref()
    }

    /// Reads `<table>/_metadata.json`.
    pub fn table(&self, table: &str) -> Result<TableData> {
        not_a_link(&self.dir.join(table))?;
        let path = self.dir.join(table).join(METADATA_FILE);
        let expected = self
            .manifest_table(table)
            .and_then(|t| t.metadata_sha256.as_deref());
        parse_metadata(table, &path, &read_checked(&path, expected)?)
    }

    /// Checks every file `_manifest.json` records besides the row files, which [`Self::read_rows`]
    /// checks as it streams them: each must exist and have its recorded sha256.
    pub fn verify_manifest_files(&self) -> Result<()> {
        let Some(m) = &self.manifest else {
            return Ok(());
        };
        for f in &m.files {
            let path = self.dir.join(&f.name);
            let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
            check_sha(&path, &bytes, Some(&f.sha256))?;
        }
        for t in &m.tables {
            if let Some(sha) = &t.metadata_sha256 {
                let path = self.dir.join(&t.name).join(METADATA_FILE);
                let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
                check_sha(&path, &bytes, Some(sha))?;
            }
            for f in &t.files {
                let path = self.row_file_path(&t.name, &f.name);
                if !path.is_file() {
                    return Err(Error::format(
                        &path,
                        "missing: _manifest.json records it, so the folder is incomplete",
                    ));
                }
            }
        }
        Ok(())
    }

    fn manifest_table(&self, table: &str) -> Option<&super::metadata::ManifestTable> {
        self.manifest
            .as_ref()?
            .tables
            .iter()
            .find(|t| t.name == table)
    }

    /// Path of a row file of a table.
    pub fn row_file_path(&self, table: &str, file: &str) -> PathBuf {
        self.dir.join(table).join(file)
    }

    /// Streams the rows of one row file into `f`, one at a time, with their 0-based index.
    ///
    /// Memory stays flat whatever the file's size. When the manifest records the file's sha256,
    /// a file changed since the backup is refused.
    pub fn read_rows(
        &self,
        table: &str,
        file: &str,
        mut f: impl FnMut(usize, Row) -> Result<()>,
    ) -> Result<u64> {
        let path = self.row_file_path(table, file);
        not_a_link(&self.dir.join(table))?;
        not_a_link(&path)?;
        let raw = File::open(&path).map_err(|e| Error::io(&path, e))?;
        let mut reader = BufReader::with_capacity(
            256 * 1024,
            HashingReader {
                inner: raw,
                hash: Sha256::new(),
            },
        );
        let head = reader.fill_buf().map_err(|e| Error::io(&path, e))?;
        if head.starts_with(b"\xEF\xBB\xBF") {
            reader.consume(3);
        }
        let mut failure: Option<Error> = None;
        let mut de = serde_json::Deserializer::from_reader(&mut reader);
        let count = RowsSeed {
            f: &mut f,
            failure: &mut failure,
        }
        .deserialize(&mut de);
        let count = match (count, failure) {
            (_, Some(e)) => return Err(e),
            (Ok(n), None) => n,
            (Err(e), None) if e.is_eof() && e.line() == 1 && e.column() == 0 => {
                return Err(Error::format(&path, "file is empty"));
            }
            (Err(e), None) => return Err(Error::format(&path, format!("invalid JSON: {e}"))),
        };
        de.end()
            .map_err(|e| Error::format(&path, format!("invalid JSON after the rows: {e}")))?;
        drop(de);
        let mut rest = Vec::new();
        reader
            .read_to_end(&mut rest)
            .map_err(|e| Error::io(&path, e))?;
        let sha = format!("{:x}", reader.into_inner().hash.finalize());
        if let Some(expected) = self.expected_sha(table, file)
            && expected != sha
        {
            return Err(Error::format(
                &path,
                "sha256 differs from _manifest.json: the file changed after it was written \
                     (delete _manifest.json to accept edited files)",
            ));
        }
        Ok(count)
    }

    /// Streams the rows of one row file in column order, as [`RowKeys::align`] gives them.
    ///
    /// Plain pages go through a parser that builds no map per row; any other page is read by
    /// [`Self::read_rows`] from the first row the fast parser could not take, so rows and
    /// errors are the same either way. An error of `align` names `table/file: row n`.
    pub fn read_aligned_rows(
        &self,
        table: &str,
        file: &str,
        keys: &RowKeys,
        mut f: impl FnMut(usize, Vec<Value>) -> Result<()>,
    ) -> Result<u64> {
        let path = self.row_file_path(table, file);
        not_a_link(&self.dir.join(table))?;
        not_a_link(&path)?;
        let raw = File::open(&path).map_err(|e| Error::io(&path, e))?;
        let mut hashing = HashingReader {
            inner: raw,
            hash: Sha256::new(),
        };
        let mut bom = [0u8; 3];
        let mut head = 0;
        while head < 3 {
            match hashing.read(&mut bom[head..]) {
                Ok(0) => break,
                Ok(n) => head += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
        let lead: &[u8] = if bom[..head] == *b"\xEF\xBB\xBF" {
            &[]
        } else {
            &bom[..head]
        };
        let lookup = super::rows::Lookup {
            index: &keys.index,
            written: &keys.written,
            columns: keys.columns,
        };
        let parsed =
            super::rows::parse_rows(&mut lead.chain(&mut hashing), &lookup, &mut f, |e| {
                Error::io(&path, e)
            })?;
        match parsed {
            super::rows::Parsed::Done(count) => {
                let sha = format!("{:x}", hashing.hash.finalize());
                if let Some(expected) = self.expected_sha(table, file)
                    && expected != sha
                {
                    return Err(Error::format(
                        &path,
                        "sha256 differs from _manifest.json: the file changed after it was \
                         written (delete _manifest.json to accept edited files)",
                    ));
                }
                Ok(count)
            }
            super::rows::Parsed::Fallback(done) => self.read_rows(table, file, |i, row| {
                if i < done {
                    return Ok(());
                }
                let values = keys
                    .align(row)
                    .map_err(|e| Error::Invalid(format!("{table}/{file}: row {}: {e}", i + 1)))?;
                f(i, values)
            }),
        }
    }

    fn expected_sha(&self, table: &str, file: &str) -> Option<&str> {
        self.manifest_table(table)?
            .files
            .iter()
            .find(|f| f.name == file)
            .map(|f| f.sha256.as_str())
    }
}

struct HashingReader<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// Hands each element of the top-level array to the callback as soon as it is parsed.
struct RowsSeed<'a, F> {
    f: &'a mut F,
    failure: &'a mut Option<Error>,
}

impl<'de, F: FnMut(usize, Row) -> Result<()>> DeserializeSeed<'de> for RowsSeed<'_, F> {
    type Value = u64;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(usize, Row) -> Result<()>> Visitor<'de> for RowsSeed<'_, F> {
    type Value = u64;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON array of row objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
        let mut i = 0usize;
        while let Some(row) = seq.next_element_seed(RowSeed { index: i })? {
            if let Err(e) = (self.f)(i, row) {
                *self.failure = Some(e);
                return Err(de::Error::custom("stopped by the row handler"));
            }
            i += 1;
        }
        Ok(i as u64)
    }
}

/// One row object; a key given twice is an error, not a silent overwrite.
struct RowSeed {
    index: usize,
}

impl<'de> DeserializeSeed<'de> for RowSeed {
    type Value = Row;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Row, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RowSeed {
    type Value = Row;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a row object")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Row, A::Error> {
        let mut row = Row::new();
        while let Some(k) = map.next_key::<String>()? {
            let v: Value = map.next_value()?;
            if row.contains_key(&k) {
                return Err(de::Error::custom(format!(
                    "row {}: key `{k}` is given twice",
                    self.index + 1
                )));
            }
            row.insert(k, v);
        }
        Ok(row)
    }
}

/// Matches row keys to a table's columns, case-insensitively, as the original restore does.
#[derive(Debug)]
pub struct RowKeys {
    index: HashMap<String, usize>,
    columns: usize,
    /// The camel-cased key each column is written under, where it folds back to that column.
    written: Vec<Option<String>>,
}

/// A key that old SQL Server backups carry from their `ROW_NUMBER()` paging.
const ROW_NUM: &str = "row_num";

impl RowKeys {
    pub fn new(meta: &TableMeta) -> Self {
        let index: HashMap<String, usize> = meta
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| (fold(&c.attribute_name), i))
            .collect();
        let written = meta
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let key = crate::naming::camel_case(&c.attribute_name);
                (index.get(&fold(&key)) == Some(&i)).then_some(key)
            })
            .collect();
        RowKeys {
            index,
            columns: meta.columns.len(),
            written,
        }
    }

    /// Returns true if and only if every column's written key reads back as that column, so a
    /// page of this table reads back as it was written.
    pub(crate) fn round_trips(&self) -> bool {
        self.written.iter().all(Option::is_some)
    }

    /// The row's values in column order; a column with no key is null.
    ///
    /// A key that matches no column is an error, because its value would otherwise be lost.
    pub fn align(&self, row: Row) -> Result<Vec<Value>, String> {
        let mut out = vec![Value::Null; self.columns];
        let mut seen = vec![false; self.columns];
        for (k, v) in row {
            match self.index.get(&fold(&k)) {
                Some(&i) if seen[i] => {
                    return Err(format!(
                        "key `{k}` names a column another key of the row names too (keys match columns in any case)"
                    ));
                }
                Some(&i) => {
                    seen[i] = true;
                    out[i] = v;
                }
                None if k.eq_ignore_ascii_case(ROW_NUM) => {}
                None => return Err(format!("key `{k}` matches no column of the metadata")),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = tmp.path().join(name);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        tmp
    }

    const META: &str = r#"{"columns":[{"attributeName":"Id","dataType":"Integer","isPrimaryKey":true,"isIdentity":true},{"attributeName":"SiteName","dataType":"VarChar","dataLength":50}],"totalCount":2,"rows":["1.json"]}"#;

    #[test]
    fn reads_bom_indented_json_and_row_num() {
        let rows = "\u{FEFF}[\r\n  {\r\n    \"id\": 1,\r\n    \"SITENAME\": \"主站\"\r\n  },\r\n  {\"id\": 2, \"siteName\": null, \"row_num\": 2}\r\n]";
        let tmp = folder(&[
            ("_tables.json", "\u{FEFF}[\n  \"t\"\n]"),
            ("t/_metadata.json", META),
            ("t/1.json", rows),
        ]);
        let r = BackupReader::open(tmp.path()).unwrap();
        assert_eq!(r.tables(), ["t"]);
        let t = r.table("t").unwrap();
        let keys = RowKeys::new(&t.meta);
        let mut got = Vec::new();
        let n = r
            .read_rows("t", "1.json", |_, row| {
                got.push(keys.align(row).unwrap());
                Ok(())
            })
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(got[0], [Value::from(1), Value::from("主站")]);
        assert_eq!(got[1], [Value::from(2), Value::Null]);
    }

    #[test]
    fn corrupt_row_files_name_the_file() {
        for (text, want) in [
            ("", "file is empty"),
            ("[{\"id\":1}", "invalid JSON"),
            ("[1]", "invalid JSON"),
            ("[] x", "invalid JSON after the rows"),
        ] {
            let tmp = folder(&[
                ("_tables.json", "[\"t\"]"),
                ("t/_metadata.json", META),
                ("t/1.json", text),
            ]);
            let r = BackupReader::open(tmp.path()).unwrap();
            let err = r.read_rows("t", "1.json", |_, _| Ok(())).unwrap_err();
            let msg = err.to_string();
            assert!(
                msg.contains("1.json: ") && msg.contains(want),
                "{text:?}: {msg}"
            );
        }
    }

    #[test]
    fn keys_match_a_column_ending_in_sigma() {
        // Found writing core/tests/props.rs: the writer keys `AΣ` as `aσ`, `to_lowercase` gave `aς`.
        let meta = TableMeta {
            name: "t".into(),
            columns: vec![crate::model::Column::new(
                "AΣ",
                crate::model::DataType::Integer,
            )],
        };
        let row: Row = serde_json::from_str(r#"{"aσ":1}"#).unwrap();
        assert_eq!(RowKeys::new(&meta).align(row).unwrap(), [Value::from(1)]);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let meta = TableMeta {
            name: "t".into(),
            columns: vec![crate::model::Column::new(
                "Id",
                crate::model::DataType::Integer,
            )],
        };
        let row: Row = serde_json::from_str(r#"{"id":1,"extra":2}"#).unwrap();
        let err = RowKeys::new(&meta).align(row).unwrap_err();
        assert_eq!(err, "key `extra` matches no column of the metadata");
    }
}
