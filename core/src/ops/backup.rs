//! `backup`: every selected table into a backup folder, read-only.

use std::path::PathBuf;

use futures::TryStreamExt;

use super::tables::{Skipped, TableDone, TableFailed, select_tables};
use crate::backup::BackupWriter;
use crate::db::DatabaseDriver;
use crate::error::{Error, Result};
use crate::model::TableMeta;
use crate::progress::Progress;

/// Log tables left out unless named in `--includes`: the SSCMS 7.4 default list.
pub const DEFAULT_EXCLUDES: [&str; 6] = [
    "bairong_Log",
    "bairong_ErrorLog",
    "siteserver_ErrorLog",
    "siteserver_Log",
    "siteserver_Tracking",
    "siteserver_SiteLog",
];

#[derive(Debug, Clone)]
pub struct BackupOptions {
    /// Folder to write; it must be absent or empty.
    pub dir: PathBuf,
    /// Back up only these tables (case-insensitive).
    pub includes: Option<Vec<String>>,
    /// Leave these tables out, on top of [`DEFAULT_EXCLUDES`].
    pub excludes: Vec<String>,
    /// At most this many rows per table, the first ones in key order.
    pub max_rows: Option<u64>,
    /// Rows per row file.
    pub page_size: usize,
}

#[derive(Debug, Clone, Default)]
pub struct BackupReport {
    pub tables: Vec<TableDone>,
    pub skipped: Vec<Skipped>,
    pub failed: Vec<TableFailed>,
    /// The SiteServer version the backup came from, or why it could not be told.
    pub version: Option<std::result::Result<crate::detect::Detected, String>>,
}

impl BackupReport {
    /// Returns true if and only if every selected table was written.
    pub fn ok(&self) -> bool {
        self.failed.is_empty()
    }
}

/// Backs up the database behind `driver` into `opts.dir`.
///
/// Nothing is written to the database: the driver reads inside a read-only snapshot. A table
/// that fails is reported and left out of `_tables.json`; the others are still written.
pub async fn backup(
    driver: &mut dyn DatabaseDriver,
    opts: &BackupOptions,
    progress: &dyn Progress,
) -> Result<BackupReport> {
    if opts.page_size == 0 {
        return Err(Error::Invalid("--page-size must be at least 1".into()));
    }
    let mut writer = BackupWriter::create(&opts.dir, Some(driver.database_type().to_string()))?;
    driver.begin_snapshot().await?;
    let all = driver.list_tables().await?;
    let (selected, skipped, missing) = select_tables(
        &all,
        opts.includes.as_deref(),
        &opts.excludes,
        &DEFAULT_EXCLUDES,
    );
    let mut report = BackupReport {
        skipped,
        ..Default::default()
    };
    for name in missing {
        let error = "named in --includes but not in the database".to_string();
        progress.table_failed(&name, &error);
        report.failed.push(TableFailed { table: name, error });
    }
    for name in selected {
        match backup_table(driver, &writer, &name, opts, progress).await {
            Ok(entry) => {
                report.tables.push(TableDone {
                    table: name.clone(),
                    rows: entry.rows,
                });
                progress.table_finished(&name, entry.rows);
                writer.add(entry);
            }
            Err(e) => {
                // A half-written table folder would look like data; remove it.
                let _ = std::fs::remove_dir_all(writer.dir().join(&name));
                progress.table_failed(&name, &e.to_string());
                report.failed.push(TableFailed {
                    table: name.clone(),
                    error: e.to_string(),
                });
                writer.manifest_mut().failed_tables.push(name);
            }
        }
    }
    driver.end_snapshot().await?;
    writer.finish()?;
    report.version = Some(crate::detect::record_in_manifest(&opts.dir)?);
    Ok(report)
}

async fn backup_table(
    driver: &mut dyn DatabaseDriver,
    writer: &BackupWriter,
    name: &str,
    opts: &BackupOptions,
    progress: &dyn Progress,
) -> Result<crate::backup::ManifestTable> {
    let columns = driver.columns(name).await?;
    let meta = TableMeta {
        name: name.to_string(),
        columns,
    };
    let count = driver.count_rows(name).await?;
    let expected = opts.max_rows.map_or(count, |m| m.min(count));
    progress.table_started(name, expected);
    let mut table = writer.table(&meta, opts.page_size)?;
    let mut rows = driver.stream_rows(&meta, opts.max_rows);
    let mut pending = 0u64;
    while let Some(values) = rows.try_next().await? {
        table.push(&values)?;
        pending += 1;
        if pending == 1000 {
            progress.rows_done(name, pending);
            pending = 0;
        }
    }
    drop(rows);
    progress.rows_done(name, pending);
    if table.rows() != expected {
        return Err(Error::table(
            name,
            format!(
                "counted {expected} rows but read {}; the table changed during the backup",
                table.rows()
            ),
        ));
    }
    table.finish()
}
