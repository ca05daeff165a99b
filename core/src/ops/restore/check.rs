//! Stage 1: the whole folder read and checked before any connection is opened.

use std::path::PathBuf;
use std::sync::Arc;

use super::rows::{convert_aligned, locate_values};
use super::spill::{Checked, SpillWriter, Spilled, encode_row};
use crate::backup::{BackupReader, RowKeys, TableData};
use crate::db::{CmsSchema, ColumnFit, Dialect};
use crate::detect::detect_folder;
use crate::error::{Error, Result};
use crate::model::DataType;
use crate::ops::tables::{Skipped, select_tables};
use crate::progress::Progress;
use crate::value::SqlValue;
use crate::version::parse_version;

#[derive(Debug, Clone)]
pub struct RestoreOptions {
    /// The backup folder.
    pub dir: PathBuf,
    /// Restore only these tables (case-insensitive).
    pub includes: Option<Vec<String>>,
    /// Leave these tables out.
    pub excludes: Vec<String>,
    /// Drop target tables that have the name of a table to restore, instead of refusing.
    pub drop_existing: bool,
    /// Continue the unfinished restore of this folder that the target's ledger records.
    pub resume: bool,
    /// The target's dialect, when known before connecting: rows are then kept in its bulk
    /// text ([`Dialect::bulk_row`]) and the load only sends bytes. The plan may only be
    /// restored into a target of this dialect.
    pub target: Option<Dialect>,
}

/// A backup folder that has been read and checked in full, ready to be written.
#[derive(Debug)]
pub struct RestorePlan {
    pub(super) tables: Vec<TableData>,
    /// Per table, per column: what the values need from the target's column types.
    pub(super) sizes: Vec<Vec<ColumnSizes>>,
    pub(super) skipped: Vec<Skipped>,
    pub(super) drop_existing: bool,
    /// The SiteServer schema the folder is in, which the target is created for.
    pub(super) schema: CmsSchema,
    /// Which version that is and how it was found.
    pub(super) schema_source: String,
    /// The content tables the folder's sites name, lower-cased: they get the CMS's indexes.
    pub(super) content_tables: Vec<String>,
    /// Each table's checked rows, so the load does not parse the JSON again; the folder goes
    /// with the plan.
    pub(super) spills: Vec<Spilled>,
    pub(super) _spill_dir: tempfile::TempDir,
    /// The folder's identity in the restore ledger.
    pub(super) folder_id: String,
    pub(super) resume: bool,
}

/// A column's [`ColumnFit`], with the row that set each maximum, for messages.
#[derive(Debug, Clone, Default)]
pub(super) struct ColumnSizes {
    pub(super) fit: ColumnFit,
    chars_at: String,
    nul_at: String,
    int_at: String,
    decimal_at: String,
    frac_at: String,
}

impl ColumnSizes {
    fn measure(&mut self, data_type: DataType, v: &SqlValue, at: impl Fn() -> String) {
        let fit = &mut self.fit;
        match v {
            SqlValue::Text(s) => {
                // Only a VarChar has a length to outgrow.
                if data_type == DataType::VarChar {
                    let chars = s.chars().count();
                    if chars > fit.max_chars {
                        fit.max_chars = chars;
                        self.chars_at = at();
                    }
                    fit.max_utf16 = fit.max_utf16.max(s.encode_utf16().count());
                }
                if !fit.nul_char && s.contains('\0') {
                    fit.nul_char = true;
                    self.nul_at = at();
                }
            }
            SqlValue::Int(i) if !fit.wide_int && i32::try_from(*i).is_err() => {
                fit.wide_int = true;
                self.int_at = at();
            }
            SqlValue::Decimal(d) => {
                let (int_digits, scale) = decimal_digits(d);
                if int_digits > fit.int_digits || scale > fit.scale {
                    fit.int_digits = fit.int_digits.max(int_digits);
                    fit.scale = fit.scale.max(scale);
                    self.decimal_at = at();
                }
            }
            SqlValue::DateTime(d) => {
                let frac = frac_digits(chrono::Timelike::nanosecond(d));
                if frac > fit.frac_digits {
                    fit.frac_digits = frac;
                    self.frac_at = at();
                }
            }
            _ => {}
        }
    }

    /// Takes in what a later part of the same column measured, keeping the first row that set
    /// each maximum, as one pass over both parts would.
    fn merge(&mut self, later: ColumnSizes) {
        let (fit, more) = (&mut self.fit, later.fit);
        if more.max_chars > fit.max_chars {
            fit.max_chars = more.max_chars;
            self.chars_at = later.chars_at;
        }
        fit.max_utf16 = fit.max_utf16.max(more.max_utf16);
        if more.nul_char && !fit.nul_char {
            fit.nul_char = true;
            self.nul_at = later.nul_at;
        }
        if more.wide_int && !fit.wide_int {
            fit.wide_int = true;
            self.int_at = later.int_at;
        }
        if more.int_digits > fit.int_digits || more.scale > fit.scale {
            fit.int_digits = fit.int_digits.max(more.int_digits);
            fit.scale = fit.scale.max(more.scale);
            self.decimal_at = later.decimal_at;
        }
        if more.frac_digits > fit.frac_digits {
            fit.frac_digits = more.frac_digits;
            self.frac_at = later.frac_at;
        }
    }

    /// The row that made a column of `data_type` need more than the standard type.
    pub(super) fn widest_at(&self, data_type: DataType) -> &str {
        match data_type {
            DataType::Integer => &self.int_at,
            DataType::Decimal => &self.decimal_at,
            DataType::DateTime => &self.frac_at,
            _ => &self.chars_at,
        }
    }

    /// The row holding a value no type of the target can store: for text, the only such value
    /// is a NUL character in PostgreSQL.
    pub(super) fn refused_at(&self, data_type: DataType) -> &str {
        match data_type {
            DataType::Text | DataType::VarChar => &self.nul_at,
            _ => self.widest_at(data_type),
        }
    }
}

/// Digits before the point (leading zeros not counted) and after it (trailing zeros not counted)
/// of normalized decimal text such as `-12.50`.
fn decimal_digits(d: &str) -> (u32, u32) {
    let d = d.trim_start_matches('-');
    let (i, f) = d.split_once('.').unwrap_or((d, ""));
    let count = |s: &str| u32::try_from(s.len()).unwrap_or(u32::MAX);
    (
        count(i.trim_start_matches('0')),
        count(f.trim_end_matches('0')),
    )
}

/// Digits of fractional seconds in `nanos`, trailing zeros not counted.
fn frac_digits(nanos: u32) -> u32 {
    let mut n = nanos % 1_000_000_000;
    if n == 0 {
        return 0;
    }
    let mut digits = 9;
    while n.is_multiple_of(10) {
        n /= 10;
        digits -= 1;
    }
    digits
}

impl RestorePlan {
    /// Tables to restore, in order, with their row counts.
    pub fn tables(&self) -> impl Iterator<Item = (&str, u64)> {
        self.tables
            .iter()
            .map(|t| (t.meta.name.as_str(), t.total_count))
    }

    /// The SiteServer schema the target is created for.
    pub fn schema(&self) -> CmsSchema {
        self.schema
    }

    /// The folder's SiteServer version and where it was read, such as
    /// `7.4.0, from _manifest.json sourceVersion 7.4.0`; empty when it has none.
    pub fn schema_source(&self) -> &str {
        &self.schema_source
    }
}

/// The SiteServer schema of a folder, from the version its `_manifest.json` records, else from
/// the one `update` would detect, with where it was read. A folder of no SiteServer version, or
/// of one before 6.0, gets [`CmsSchema::Any`] and restores as it always did.
pub(crate) fn folder_schema(reader: &BackupReader) -> (CmsSchema, String) {
    let recorded = reader
        .manifest()
        .and_then(|m| m.source_version.as_deref())
        .and_then(|v| {
            parse_version(v)
                .ok()
                .map(|p| (p, format!("_manifest.json sourceVersion {v}")))
        });
    let found = recorded.or_else(|| {
        detect_folder(reader)
            .ok()
            .map(|d| (d.version.clone(), d.to_string()))
    });
    match found {
        Some((v, why)) => (CmsSchema::for_version(&v), format!("{v}, from {why}")),
        None => (CmsSchema::Any, String::new()),
    }
}

/// The content tables named by the folder's sites (and, in 7.x, channels), lower-cased.
fn content_tables(reader: &BackupReader) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for (table, column) in [
        ("siteserver_Site", "TableName"),
        ("siteserver_Channel", "TableName"),
    ] {
        let Some(name) = reader
            .tables()
            .iter()
            .find(|t| t.eq_ignore_ascii_case(table))
        else {
            continue;
        };
        let data = reader.table(name)?;
        let Some(index) = data
            .meta
            .columns
            .iter()
            .position(|c| c.attribute_name.eq_ignore_ascii_case(column))
        else {
            continue;
        };
        let keys = RowKeys::new(&data.meta);
        for file in &data.row_files {
            reader.read_rows(name, file, |_, row| {
                if let Ok(values) = keys.align(row)
                    && let Some(t) = values[index].as_str()
                    && !t.trim().is_empty()
                    && !out.contains(&t.trim().to_lowercase())
                {
                    out.push(t.trim().to_lowercase());
                }
                Ok(())
            })?;
        }
    }
    Ok(out)
}

/// Reads and checks the whole folder: metadata, every row and value, and row counts.
///
/// Runs before any connection is opened, so bad input never touches the target.
pub fn plan_restore(opts: &RestoreOptions, progress: &dyn Progress) -> Result<RestorePlan> {
    check_folder(opts, progress, None, false)
}

/// Where the check hands one table's rows as it goes, for [`super::overlap`].
pub(super) struct Forward {
    /// The table's index among those restored.
    pub(super) table: usize,
    pub(super) tx: tokio::sync::mpsc::Sender<Checked>,
}

/// The SiteServer schema a restore of `opts` creates, where that was read, and the number of
/// tables it takes; from the folder's metadata, without reading rows.
pub fn restore_outline(opts: &RestoreOptions) -> Result<(CmsSchema, String, usize)> {
    let reader = BackupReader::open(&opts.dir)?;
    let (schema, source) = folder_schema(&reader);
    let (selected, _, _) = select_tables(
        reader.tables(),
        opts.includes.as_deref(),
        &opts.excludes,
        &[],
    );
    Ok((schema, source, selected.len()))
}

/// What a restore needs to know of a folder before its rows are checked.
pub(super) struct Folder {
    /// The tables to restore, in order, with their metadata.
    pub(super) tables: Vec<TableData>,
    pub(super) schema: CmsSchema,
    pub(super) content_tables: Vec<String>,
}

/// Reads a folder's metadata and checks its files against `_manifest.json`, without reading
/// rows: what [`check_folder`] then does with `verified` set.
pub(super) fn open_folder(opts: &RestoreOptions) -> Result<Folder> {
    let reader = BackupReader::open(&opts.dir)?;
    refuse_failed(&reader, opts)?;
    reader.verify_manifest_files()?;
    let Selection {
        selected,
        schema,
        content_tables,
        ..
    } = selection(&reader, opts)?;
    Ok(Folder {
        tables: selected
            .iter()
            .map(|name| reader.table(name))
            .collect::<Result<_>>()?,
        schema,
        content_tables,
    })
}

/// The tables `opts` takes from a folder, and the folder's schema and content tables.
struct Selection {
    selected: Vec<String>,
    skipped: Vec<Skipped>,
    schema: CmsSchema,
    schema_source: String,
    content_tables: Vec<String>,
}

/// Refuses a folder whose backup had failed tables (written by older builds).
fn refuse_failed(reader: &BackupReader, opts: &RestoreOptions) -> Result<()> {
    match reader.manifest() {
        Some(m) if !m.failed_tables.is_empty() => Err(Error::Invalid(format!(
            "{}: this backup is incomplete: tables {} failed when it was taken; \
             take the backup again",
            opts.dir.display(),
            m.failed_tables.join(", ")
        ))),
        _ => Ok(()),
    }
}

fn selection(reader: &BackupReader, opts: &RestoreOptions) -> Result<Selection> {
    let (selected, skipped, missing) = select_tables(
        reader.tables(),
        opts.includes.as_deref(),
        &opts.excludes,
        &[],
    );
    if !missing.is_empty() {
        return Err(Error::Invalid(format!(
            "--includes names tables that are not in {}: {}",
            opts.dir.join(crate::backup::TABLES_FILE).display(),
            missing.join(", ")
        )));
    }
    let (schema, schema_source) = folder_schema(reader);
    let content_tables = if schema == CmsSchema::Any {
        Vec::new()
    } else {
        content_tables(reader)?
    };
    Ok(Selection {
        selected,
        skipped,
        schema,
        schema_source,
        content_tables,
    })
}

/// [`plan_restore`], handing the checked rows of one table to `forward` as well.
pub(super) fn check_folder(
    opts: &RestoreOptions,
    progress: &dyn Progress,
    forward: Option<Forward>,
    verified: bool,
) -> Result<RestorePlan> {
    let reader = Arc::new(BackupReader::open(&opts.dir)?);
    refuse_failed(&reader, opts)?;
    if !verified {
        reader.verify_manifest_files()?;
    }
    let Selection {
        selected,
        skipped,
        schema,
        schema_source,
        content_tables,
    } = selection(&reader, opts)?;
    let spill_dir = tempfile::Builder::new()
        .prefix("siteserver-restore-")
        .tempdir()
        .map_err(|e| Error::io(&std::env::temp_dir(), e))?;
    let mut tables = Vec::with_capacity(selected.len());
    let mut sizes = Vec::with_capacity(selected.len());
    let mut spills = Vec::with_capacity(selected.len());
    for (i, name) in selected.iter().enumerate() {
        let data = reader.table(name)?;
        progress.note(&format!("checking {name}"));
        let spill = SpillWriter::create(&spill_dir.path().join(format!("{i}.bin")))?;
        let text = opts.target.filter(|d| d.has_bulk_text());
        let tx = forward.as_ref().filter(|f| f.table == i && text.is_some());
        let (size, spill) = check_table(&reader, &data, spill, text, tx.map(|f| &f.tx))?;
        sizes.push(size);
        spills.push(spill);
        tables.push(data);
    }
    Ok(RestorePlan {
        folder_id: super::ledger::folder_id(&tables),
        resume: opts.resume,
        tables,
        sizes,
        skipped,
        drop_existing: opts.drop_existing,
        schema,
        schema_source,
        content_tables,
        spills,
        _spill_dir: spill_dir,
    })
}

/// Checks every row of a table, measures what its values need from the column types, and
/// keeps the checked rows in `spill`.
///
/// Row files are checked on several threads and their rows spilled in file order, so the
/// result, and the first error, are those of reading the files one after the other.
fn check_table(
    reader: &BackupReader,
    data: &TableData,
    mut spill: SpillWriter,
    text: Option<Dialect>,
    forward: Option<&tokio::sync::mpsc::Sender<Checked>>,
) -> Result<(Vec<ColumnSizes>, Spilled)> {
    let keys = RowKeys::new(&data.meta);
    let mut total = 0u64;
    let mut sizes = vec![ColumnSizes::default(); data.meta.columns.len()];
    let mut files = Vec::with_capacity(data.row_files.len());
    let mut absorb = |k: usize, checked: CheckedFile| -> Result<()> {
        spill.push_encoded(&checked.rows)?;
        for (size, later) in sizes.iter_mut().zip(checked.sizes) {
            size.merge(later);
        }
        total += checked.count;
        let file = format!("{}/{}", data.meta.name, data.row_files[k]);
        if let Some(tx) = forward {
            // A load that stopped says why itself; the check goes on.
            let _ = tx.blocking_send((file.clone(), checked.count, checked.rows));
        }
        files.push((file, checked.count));
        Ok(())
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_CHECK_THREADS)
        .min(data.row_files.len());
    if workers <= 1 {
        for (k, file) in data.row_files.iter().enumerate() {
            absorb(k, check_file(reader, data, &keys, file, text)?)?;
        }
    } else {
        check_in_parallel(reader, data, &keys, text, workers, &mut absorb)?;
    }
    if total != data.total_count {
        let path = reader
            .dir()
            .join(&data.meta.name)
            .join(crate::backup::METADATA_FILE);
        return Err(Error::Format {
            path,
            message: format!(
                "totalCount is {} but the row files hold {total} rows",
                data.total_count
            ),
        });
    }
    Ok((
        sizes,
        Spilled {
            path: spill.finish()?,
            files,
            text,
        },
    ))
}

/// Threads that check the row files of one table.
const MAX_CHECK_THREADS: usize = 4;

/// One row file checked: its rows in the spill's encoding, what its values need, its rows.
struct CheckedFile {
    rows: Vec<u8>,
    sizes: Vec<ColumnSizes>,
    count: u64,
}

fn check_file(
    reader: &BackupReader,
    data: &TableData,
    keys: &RowKeys,
    file: &str,
    text: Option<Dialect>,
) -> Result<CheckedFile> {
    let mut sizes = vec![ColumnSizes::default(); data.meta.columns.len()];
    let path = reader.row_file_path(&data.meta.name, file);
    // About the file's size: growing by doubling copied each file's records several times.
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    let mut rows = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(64 << 20));
    let count = reader.read_aligned_rows(&data.meta.name, file, keys, |i, row| {
        let values = convert_aligned(data, file, i, &row)?;
        for ((size, v), col) in sizes.iter_mut().zip(&values).zip(&data.meta.columns) {
            size.measure(col.data_type, v, || locate_values(data, file, i, &values));
        }
        match text {
            Some(dialect) => {
                push_text(dialect, &values, &mut rows).map_err(|e| Error::io(&path, e))
            }
            None => encode_row(&mut rows, &values).map_err(|e| Error::io(&path, e)),
        }
    })?;
    Ok(CheckedFile { rows, sizes, count })
}

/// One row in `dialect`'s bulk text, as a record of the spill ([`SpillReader::next_text`]).
/// A value the target cannot store (a NUL in PostgreSQL text) is written as far as it goes:
/// it was measured, so [`super::load`] refuses the folder before anything is sent.
///
/// [`SpillReader::next_text`]: super::spill::SpillReader::next_text
fn push_text(dialect: Dialect, values: &[SqlValue], out: &mut Vec<u8>) -> std::io::Result<()> {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    let _ = dialect.bulk_row(values, out);
    let len = u32::try_from(out.len() - start - 4)
        .map_err(|_| std::io::Error::other("a row of 4 GB or more"))?;
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    Ok(())
}

/// Checks the files on `workers` threads and hands them to `absorb` in file order. A thread
/// takes a file only a few files ahead of the last one absorbed, so memory holds a few files.
fn check_in_parallel(
    reader: &BackupReader,
    data: &TableData,
    keys: &RowKeys,
    text: Option<Dialect>,
    workers: usize,
    absorb: &mut dyn FnMut(usize, CheckedFile) -> Result<()>,
) -> Result<()> {
    use std::collections::BTreeMap;
    use std::sync::{Condvar, Mutex, mpsc};

    struct Queue {
        next: usize,
        absorbed: usize,
        stop: bool,
    }
    let ahead = workers * 2;
    let queue = Mutex::new(Queue {
        next: 0,
        absorbed: 0,
        stop: false,
    });
    let wake = Condvar::new();
    let lock = || queue.lock().unwrap_or_else(|e| e.into_inner());
    let stop = || {
        lock().stop = true;
        wake.notify_all();
    };
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<(usize, Result<CheckedFile>)>();
        for _ in 0..workers {
            let tx = tx.clone();
            let (queue, wake) = (&queue, &wake);
            scope.spawn(move || {
                loop {
                    let k = {
                        let mut q = queue.lock().unwrap_or_else(|e| e.into_inner());
                        while !q.stop
                            && q.next < data.row_files.len()
                            && q.next >= q.absorbed + ahead
                        {
                            q = wake.wait(q).unwrap_or_else(|e| e.into_inner());
                        }
                        if q.stop || q.next >= data.row_files.len() {
                            return;
                        }
                        q.next += 1;
                        q.next - 1
                    };
                    let checked = check_file(reader, data, keys, &data.row_files[k], text);
                    if tx.send((k, checked)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut ready: BTreeMap<usize, CheckedFile> = BTreeMap::new();
        // The failure of the first file that failed, as a reading in order would report it.
        let mut failed: Option<(usize, Error)> = None;
        let mut next = 0usize;
        for (k, checked) in rx {
            match checked {
                Ok(c) => {
                    ready.insert(k, c);
                }
                Err(e) => {
                    if failed.as_ref().is_none_or(|(j, _)| k < *j) {
                        failed = Some((k, e));
                    }
                    stop();
                }
            }
            while let Some(c) = ready.remove(&next) {
                if failed.as_ref().is_some_and(|(j, _)| *j < next) {
                    break;
                }
                if let Err(e) = absorb(next, c) {
                    failed = Some((next, e));
                    stop();
                    break;
                }
                next += 1;
                lock().absorbed = next;
                wake.notify_all();
            }
        }
        match failed {
            Some((_, e)) => Err(e),
            None => Ok(()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{RestoreOptions, decimal_digits, frac_digits, plan_restore};
    use crate::backup::BackupWriter;
    use crate::model::{Column, DataType, TableMeta};
    use crate::progress::NoProgress;
    use serde_json::json;

    /// A table of 40 files of 3 rows; `bad` puts text in the Integer column of those rows.
    fn folder(dir: &std::path::Path, bad: &[i64]) {
        let mut w = BackupWriter::create(dir, None).unwrap();
        let meta = TableMeta {
            name: "t".into(),
            columns: vec![
                Column::new("Id", DataType::Integer).primary_key(),
                Column::new("Name", DataType::VarChar).length(50),
            ],
        };
        let mut t = w.table(&meta, 3).unwrap();
        for id in 1..=120i64 {
            let v = if bad.contains(&id) {
                json!("x")
            } else {
                json!(id)
            };
            t.push(&[v, json!("名".repeat(usize::try_from(id).unwrap() % 7))])
                .unwrap();
        }
        w.add(t.finish().unwrap());
        w.finish().unwrap();
    }

    fn plan(dir: &std::path::Path) -> crate::error::Result<super::RestorePlan> {
        let opts = RestoreOptions {
            dir: dir.to_path_buf(),
            includes: None,
            excludes: Vec::new(),
            drop_existing: false,
            resume: false,
            target: None,
        };
        plan_restore(&opts, &NoProgress)
    }

    #[test]
    fn files_checked_in_parallel_keep_the_order_and_the_first_error() {
        let tmp = tempfile::tempdir().unwrap();
        let good = tmp.path().join("good");
        folder(&good, &[]);
        let p = plan(&good).unwrap();
        assert_eq!(p.spills[0].files.len(), 40);
        assert_eq!(p.spills[0].files[39], ("t/40.json".to_string(), 3));
        let mut spill = super::super::spill::SpillReader::open(&p.spills[0].path, 2).unwrap();
        for id in 1..=120 {
            let row = spill.next_row().unwrap().unwrap();
            assert_eq!(row[0], crate::value::SqlValue::Int(id));
        }
        assert!(spill.next_row().unwrap().is_none());
        // The longest name is in row 6; ties later do not move it.
        assert_eq!(p.sizes[0][1].fit.max_chars, 6);
        assert!(
            p.sizes[0][1]
                .widest_at(DataType::VarChar)
                .contains("t/2.json: row 3"),
            "{}",
            p.sizes[0][1].widest_at(DataType::VarChar)
        );

        // Rows 100 (file 34) and 20 (file 7) are bad: file 7 is named, whichever thread saw
        // which first.
        let bad = tmp.path().join("bad");
        folder(&bad, &[100, 20]);
        let err = plan(&bad).unwrap_err().to_string();
        assert!(err.contains("t/7.json: row 2"), "{err}");
    }

    #[test]
    fn digits_are_counted_without_padding_zeros() {
        assert_eq!(decimal_digits("12.50"), (2, 1));
        assert_eq!(decimal_digits("-0.001"), (0, 3));
        assert_eq!(decimal_digits("9999999999999999.99"), (16, 2));
        assert_eq!(decimal_digits("5.0"), (1, 0));
        assert_eq!(frac_digits(0), 0);
        assert_eq!(frac_digits(250_000_000), 2);
        assert_eq!(frac_digits(123_456_000), 6);
        assert_eq!(frac_digits(1), 9);
    }
}
