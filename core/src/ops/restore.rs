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
use crate::driver::DatabaseDriver;
use crate::error::{Error, Result};
use crate::model::{Row, TableMeta};
use crate::progress::Progress;
use crate::value::{SqlValue, json_to_sql};

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

/// Keeps one INSERT well under MySQL's default packet size and SQLite's statement limit.
const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;

/// A backup folder that has been read and checked in full, ready to be written.
#[derive(Debug)]
pub struct RestorePlan {
    reader: Arc<BackupReader>,
    tables: Vec<TableData>,
    skipped: Vec<Skipped>,
    drop_existing: bool,
}

impl RestorePlan {
    /// Tables to restore, in order, with their row counts.
    pub fn tables(&self) -> impl Iterator<Item = (&str, u64)> {
        self.tables
            .iter()
            .map(|t| (t.meta.name.as_str(), t.total_count))
    }
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
    let mut tables = Vec::with_capacity(selected.len());
    for name in &selected {
        let data = reader.table(name)?;
        progress.note(&format!("checking {name}"));
        check_table(&reader, &data)?;
        tables.push(data);
    }
    Ok(RestorePlan {
        reader,
        tables,
        skipped,
        drop_existing: opts.drop_existing,
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
        skipped,
        drop_existing,
    } = plan;
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
    for data in &tables {
        let name = &data.meta.name;
        let result = async {
            if let Some(old) = clashes.iter().find(|c| c.eq_ignore_ascii_case(name)) {
                driver.drop_table(old).await?;
            }
            driver.create_table(&data.meta).await?;
            created.push(name.clone());
            progress.table_started(name, data.total_count);
            driver.begin().await?;
            match write_table(driver, &reader, data, progress).await {
                Ok(()) => driver.commit().await?,
                Err(e) => {
                    let _ = driver.rollback().await;
                    return Err(e);
                }
            }
            driver.after_insert(&data.meta).await
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

/// Where a row sits, for error messages: file, 1-based row number and, once known, its key.
fn locate(data: &TableData, file: &str, index: usize, values: Option<&[Value]>) -> String {
    let key = data
        .meta
        .columns
        .iter()
        .position(|c| c.is_primary_key || c.is_identity)
        .and_then(|i| {
            let v = values?.get(i)?;
            Some(format!(" ({}={v})", data.meta.columns[i].attribute_name))
        })
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

fn check_table(reader: &BackupReader, data: &TableData) -> Result<()> {
    let keys = RowKeys::new(&data.meta);
    let mut total = 0u64;
    for file in &data.row_files {
        total += reader.read_rows(&data.meta.name, file, |i, row| {
            convert(data, &keys, file, i, row).map(drop)
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
    Ok(())
}

/// Reads rows on a blocking thread and inserts them here, a batch at a time, so memory holds
/// at most a few batches whatever the table's size.
async fn write_table(
    driver: &mut dyn DatabaseDriver,
    reader: &Arc<BackupReader>,
    data: &TableData,
    progress: &dyn Progress,
) -> Result<()> {
    let batch_rows = driver.dialect().batch_rows(data.meta.columns.len());
    let (tx, mut rx) = mpsc::channel::<Vec<Vec<SqlValue>>>(2);
    let producer = {
        let reader = Arc::clone(reader);
        let data = data.clone();
        tokio::task::spawn_blocking(move || produce(&reader, &data, batch_rows, &tx))
    };
    let meta: &TableMeta = &data.meta;
    let mut result = Ok(());
    while let Some(batch) = rx.recv().await {
        if let Err(e) = driver.insert_rows(meta, &batch).await {
            result = Err(e);
            break;
        }
        progress.rows_done(&meta.name, batch.len() as u64);
    }
    drop(rx);
    let produced = producer
        .await
        .map_err(|e| Error::table(&meta.name, format!("reader thread failed: {e}")))?;
    result?;
    produced
}

fn produce(
    reader: &BackupReader,
    data: &TableData,
    batch_rows: usize,
    tx: &mpsc::Sender<Vec<Vec<SqlValue>>>,
) -> Result<()> {
    let keys = RowKeys::new(&data.meta);
    let mut batch = Vec::with_capacity(batch_rows);
    let mut bytes = 0usize;
    let closed = || Error::table(&data.meta.name, "insert stopped");
    for file in &data.row_files {
        reader.read_rows(&data.meta.name, file, |i, row| {
            let values = convert(data, &keys, file, i, row)?;
            bytes += values.iter().map(SqlValue::approx_len).sum::<usize>();
            batch.push(values);
            if batch.len() >= batch_rows || bytes >= MAX_BATCH_BYTES {
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
