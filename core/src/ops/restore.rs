//! `restore`: a backup folder into a database, all or nothing.
//!
//! The whole folder is read and checked before the first statement is sent, so bad input never
//! leaves a half-restored database. If the database fails later, the tables created by this run
//! are dropped again.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::mpsc;

use super::{Skipped, TableDone, select_tables};
use crate::backup::{BackupReader, RowKeys, TableData};
use crate::detect::detect_folder;
use crate::dialect::{CmsSchema, ColumnFit, Dialect};
use crate::driver::DatabaseDriver;
use crate::error::{Error, Result};
use crate::model::{DataType, Row, TableMeta};
use crate::progress::Progress;
use crate::value::{SqlValue, json_to_sql};
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
}

#[derive(Debug, Clone, Default)]
pub struct RestoreReport {
    pub tables: Vec<TableDone>,
    pub skipped: Vec<Skipped>,
}

/// A backup folder that has been read and checked in full, ready to be written.
#[derive(Debug)]
pub struct RestorePlan {
    reader: Arc<BackupReader>,
    tables: Vec<TableData>,
    /// Per table, per column: what the values need from the target's column types.
    sizes: Vec<Vec<ColumnSizes>>,
    skipped: Vec<Skipped>,
    drop_existing: bool,
    /// The SiteServer schema the folder is in, which the target is created for.
    schema: CmsSchema,
    /// Which version that is and how it was found.
    schema_source: String,
    /// The content tables the folder's sites name, lower-cased: they get the CMS's indexes.
    content_tables: Vec<String>,
}

/// A column's [`ColumnFit`], with the row that set each maximum, for messages.
#[derive(Debug, Clone, Default)]
struct ColumnSizes {
    fit: ColumnFit,
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

    /// The row that made a column of `data_type` need more than the standard type.
    fn widest_at(&self, data_type: DataType) -> &str {
        match data_type {
            DataType::Integer => &self.int_at,
            DataType::Decimal => &self.decimal_at,
            DataType::DateTime => &self.frac_at,
            _ => &self.chars_at,
        }
    }

    /// The row holding a value no type of the target can store: for text, the only such value
    /// is a NUL character in PostgreSQL.
    fn refused_at(&self, data_type: DataType) -> &str {
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
fn folder_schema(reader: &BackupReader) -> (CmsSchema, String) {
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
    let reader = Arc::new(BackupReader::open(&opts.dir)?);
    if let Some(m) = reader.manifest()
        && !m.failed_tables.is_empty()
    {
        return Err(Error::Invalid(format!(
            "{}: this backup is incomplete: tables {} failed when it was taken; \
             take the backup again",
            opts.dir.display(),
            m.failed_tables.join(", ")
        )));
    }
    reader.verify_manifest_files()?;
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
    let (schema, schema_source) = folder_schema(&reader);
    let content_tables = if schema == CmsSchema::Any {
        Vec::new()
    } else {
        content_tables(&reader)?
    };
    let mut tables = Vec::with_capacity(selected.len());
    let mut sizes = Vec::with_capacity(selected.len());
    for name in &selected {
        let data = reader.table(name)?;
        progress.note(&format!("checking {name}"));
        sizes.push(check_table(&reader, &data)?);
        tables.push(data);
    }
    Ok(RestorePlan {
        reader,
        tables,
        sizes,
        skipped,
        drop_existing: opts.drop_existing,
        schema,
        schema_source,
        content_tables,
    })
}

/// Writes a checked folder into the database behind `driver`.
pub async fn restore(
    driver: &mut dyn DatabaseDriver,
    plan: RestorePlan,
    progress: &dyn Progress,
) -> Result<RestoreReport> {
    let RestorePlan {
        reader,
        tables,
        sizes,
        skipped,
        drop_existing,
        schema,
        schema_source: _,
        content_tables,
    } = plan;
    let dialect = driver.dialect();
    let fits = fit_columns(dialect, schema, &tables, &sizes, progress)?;
    let existing = driver.list_tables().await?;
    let clashes: Vec<&String> = existing
        .iter()
        .filter(|e| tables.iter().any(|t| t.meta.name.eq_ignore_ascii_case(e)))
        .collect();
    if !clashes.is_empty() && !drop_existing {
        return Err(Error::Invalid(format!(
            "the target database already has {} table(s) this backup would restore: {}; \
             nothing was written (use --drop-existing to replace them)",
            clashes.len(),
            clashes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }

    // Pass 2: write.
    let mut report = RestoreReport {
        skipped,
        ..Default::default()
    };
    let mut created: Vec<String> = Vec::new();
    for (data, fit) in tables.iter().zip(&fits) {
        let name = &data.meta.name;
        // The names the CMS of the folder's version looks for.
        let target = schema.table_meta(dialect, &data.meta);
        let result = async {
            if let Some(old) = clashes.iter().find(|c| c.eq_ignore_ascii_case(name)) {
                driver.drop_table(old).await?;
            }
            driver.create_table_in(schema, &target, fit).await?;
            created.push(target.name.clone());
            if content_tables.contains(&name.to_lowercase()) {
                for index in schema.content_indexes(&data.meta.name) {
                    create_index(driver, schema, &target, index).await?;
                }
            }
            progress.table_started(name, data.total_count);
            driver.begin().await?;
            match write_table(driver, &reader, data, &target, progress).await {
                Ok(()) => driver.commit().await?,
                Err(e) => {
                    let _ = driver.rollback().await;
                    return Err(e);
                }
            }
            driver.after_insert(&target).await
        }
        .await;
        if let Err(e) = result {
            progress.table_failed(name, &e.to_string());
            for t in created.iter().rev() {
                let _ = driver.drop_table(t).await;
            }
            return Err(Error::Invalid(format!(
                "restoring table `{name}` failed, so the {} table(s) this run created were dropped again: {e}",
                created.len()
            )));
        }
        progress.table_finished(name, data.total_count);
        report.tables.push(TableDone {
            table: name.clone(),
            rows: data.total_count,
        });
    }
    Ok(report)
}

/// Creates one of the CMS's content-table indexes, if the table has its columns (a content
/// table of another shape gets none).
async fn create_index(
    driver: &mut dyn DatabaseDriver,
    schema: CmsSchema,
    target: &TableMeta,
    index: crate::dialect::Index,
) -> Result<()> {
    let dialect = driver.dialect();
    let mut columns = Vec::with_capacity(index.columns.len());
    for (c, desc) in &index.columns {
        let Some(col) = target
            .columns
            .iter()
            .find(|x| x.attribute_name.eq_ignore_ascii_case(c))
        else {
            return Ok(());
        };
        columns.push((col.attribute_name.clone(), *desc));
    }
    let index = crate::dialect::Index {
        name: schema.ident(dialect, &index.name),
        columns,
    };
    driver
        .execute(&dialect.create_index(&target.name, &index))
        .await
}

/// Column types for the target: widened where a value needs it, with a warning naming the
/// column and the row. A value no type of the target can hold fails the restore here, before
/// anything is written.
fn fit_columns(
    dialect: Dialect,
    schema: CmsSchema,
    tables: &[TableData],
    sizes: &[Vec<ColumnSizes>],
    progress: &dyn Progress,
) -> Result<Vec<Vec<ColumnFit>>> {
    let mut refused = Vec::new();
    let mut fits = Vec::with_capacity(tables.len());
    for (data, sizes) in tables.iter().zip(sizes) {
        for (col, size) in data.meta.columns.iter().zip(sizes) {
            if let Some(why) = dialect.unrepresentable(col, &size.fit) {
                let at = size.refused_at(col.data_type);
                refused.push(format!("{at}, column `{}`: {why}", col.attribute_name));
                continue;
            }
            let at = size.widest_at(col.data_type);
            let standard = dialect.column_type_in(schema, col, &ColumnFit::default());
            let widened = dialect.column_type_in(schema, col, &size.fit);
            if widened != standard {
                progress.warn(&format!(
                    "column `{}`.`{}` is created as {widened} instead of {standard}: \
                     {at} holds a value that does not fit {standard}",
                    data.meta.name, col.attribute_name
                ));
            }
        }
        fits.push(sizes.iter().map(|s| s.fit).collect());
    }
    if !refused.is_empty() {
        return Err(Error::Invalid(format!(
            "{} column(s) hold values {} cannot store, so nothing was written: {}",
            refused.len(),
            dialect.name(),
            refused.join("; ")
        )));
    }
    Ok(fits)
}

/// Where a row sits, for error messages: file, 1-based row number and, once known, its key.
fn locate(data: &TableData, file: &str, index: usize, values: Option<&[Value]>) -> String {
    let key = key_column(data).and_then(|i| Some(values?.get(i)?.to_string()));
    at_row(data, file, index, key)
}

/// [`locate`] for a row already converted.
fn locate_values(data: &TableData, file: &str, index: usize, values: &[SqlValue]) -> String {
    let key = key_column(data).and_then(|i| match values.get(i)? {
        SqlValue::Int(n) => Some(n.to_string()),
        SqlValue::Text(s) | SqlValue::Decimal(s) => Some(format!("{s:?}")),
        _ => None,
    });
    at_row(data, file, index, key)
}

/// The column that identifies a row in messages: the first key or identity column.
fn key_column(data: &TableData) -> Option<usize> {
    data.meta
        .columns
        .iter()
        .position(|c| c.is_primary_key || c.is_identity)
}

fn at_row(data: &TableData, file: &str, index: usize, key: Option<String>) -> String {
    let key = key_column(data)
        .zip(key)
        .map(|(i, v)| format!(" ({}={v})", data.meta.columns[i].attribute_name))
        .unwrap_or_default();
    format!("{}/{file}: row {}{key}", data.meta.name, index + 1)
}

/// Converts one row to insert values, or says which column is wrong and why.
fn convert(
    data: &TableData,
    keys: &RowKeys,
    file: &str,
    index: usize,
    row: Row,
) -> Result<Vec<SqlValue>> {
    let values = keys
        .align(row)
        .map_err(|e| Error::Invalid(format!("{}: {e}", locate(data, file, index, None))))?;
    data.meta
        .columns
        .iter()
        .zip(&values)
        .map(|(col, v)| {
            json_to_sql(col.data_type, v).map_err(|e| {
                Error::Invalid(format!(
                    "{}, column `{}` ({}): {e}",
                    locate(data, file, index, Some(&values)),
                    col.attribute_name,
                    col.data_type
                ))
            })
        })
        .collect()
}

/// Checks every row of a table and measures what its values need from the column types.
fn check_table(reader: &BackupReader, data: &TableData) -> Result<Vec<ColumnSizes>> {
    let keys = RowKeys::new(&data.meta);
    let mut total = 0u64;
    let mut sizes = vec![ColumnSizes::default(); data.meta.columns.len()];
    for file in &data.row_files {
        total += reader.read_rows(&data.meta.name, file, |i, row| {
            let values = convert(data, &keys, file, i, row)?;
            for ((size, v), col) in sizes.iter_mut().zip(&values).zip(&data.meta.columns) {
                size.measure(col.data_type, v, || locate_values(data, file, i, &values));
            }
            Ok(())
        })?;
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
    Ok(sizes)
}

/// Reads rows on a blocking thread and inserts them here, a batch at a time, so memory holds
/// at most a few batches whatever the table's size.
///
/// `target` is the table as created: the folder's table, its names as the CMS looks for them.
async fn write_table(
    driver: &mut dyn DatabaseDriver,
    reader: &Arc<BackupReader>,
    data: &TableData,
    target: &TableMeta,
    progress: &dyn Progress,
) -> Result<()> {
    let batch_rows = driver.dialect().batch_rows(data.meta.columns.len());
    let batch_bytes = driver.max_batch_bytes();
    let (tx, mut rx) = mpsc::channel::<Vec<Vec<SqlValue>>>(2);
    let producer = {
        let reader = Arc::clone(reader);
        let data = data.clone();
        tokio::task::spawn_blocking(move || produce(&reader, &data, batch_rows, batch_bytes, &tx))
    };
    let mut result = Ok(());
    while let Some(batch) = rx.recv().await {
        if let Err(e) = driver.insert_rows(target, &batch).await {
            result = Err(e);
            break;
        }
        progress.rows_done(&data.meta.name, batch.len() as u64);
    }
    drop(rx);
    let produced = producer
        .await
        .map_err(|e| Error::table(&data.meta.name, format!("reader thread failed: {e}")))?;
    result?;
    produced
}

/// Sends batches of at most `batch_rows` rows and, unless one row alone is larger, at most
/// `batch_bytes` bytes.
fn produce(
    reader: &BackupReader,
    data: &TableData,
    batch_rows: usize,
    batch_bytes: usize,
    tx: &mpsc::Sender<Vec<Vec<SqlValue>>>,
) -> Result<()> {
    let keys = RowKeys::new(&data.meta);
    let mut batch = Vec::with_capacity(batch_rows);
    let mut bytes = 0usize;
    let closed = || Error::table(&data.meta.name, "insert stopped");
    for file in &data.row_files {
        reader.read_rows(&data.meta.name, file, |i, row| {
            let values = convert(data, &keys, file, i, row)?;
            let size = values.iter().map(SqlValue::approx_len).sum::<usize>();
            if !batch.is_empty() && bytes + size > batch_bytes {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(batch_rows));
                tx.blocking_send(full).map_err(|_| closed())?;
                bytes = 0;
            }
            bytes += size;
            batch.push(values);
            if batch.len() >= batch_rows {
                bytes = 0;
                let full = std::mem::replace(&mut batch, Vec::with_capacity(batch_rows));
                tx.blocking_send(full).map_err(|_| closed())?;
            }
            Ok(())
        })?;
    }
    if !batch.is_empty() {
        tx.blocking_send(batch).map_err(|_| closed())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{decimal_digits, frac_digits};

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
