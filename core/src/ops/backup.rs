//! `backup`: every selected table into a backup folder, read-only.

use std::path::PathBuf;

use futures::TryStreamExt;

use super::tables::{Skipped, TableDone, TableFailed, select_tables};
use crate::backup::{BackupWriter, ManifestTable};
use crate::db::DatabaseDriver;
use crate::error::{Error, Result};
use crate::fault::fault;
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
    /// Go on with the folder a stopped backup left, keeping the tables it finished.
    pub resume: bool,
    /// The source as a resumed run must match it: the connection string, secrets masked.
    pub source: Option<String>,
}

impl BackupOptions {
    /// What the folder's content depends on, so a resumed run must have the same.
    fn journal_options(&self) -> serde_json::Value {
        serde_json::json!({
            "includes": self.includes,
            "excludes": self.excludes,
            "maxRows": self.max_rows,
            "pageSize": self.page_size,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct BackupReport {
    pub tables: Vec<TableDone>,
    pub skipped: Vec<Skipped>,
    pub failed: Vec<TableFailed>,
    /// Tables a resumed run kept from the stopped one, with their files re-checked.
    pub kept: Vec<String>,
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
/// that fails is reported and the others are still written, but the folder stays marked
/// incomplete (`_incomplete.json`, no `_tables.json`), so no restore takes it as whole; a run
/// with `resume` then does only what is missing.
pub async fn backup(
    driver: &mut (dyn DatabaseDriver + 'static),
    opts: &BackupOptions,
    progress: &dyn Progress,
) -> Result<BackupReport> {
    backup_jobs(vec![driver], opts, progress).await
}

/// [`backup`] with one job per connection in `drivers`, each taking the next table. All of them
/// read one snapshot: the first connection starts it and the others join it. Where the
/// database cannot share one, only the first connection works, and `progress` says so.
pub async fn backup_jobs(
    mut drivers: Vec<&mut (dyn DatabaseDriver + 'static)>,
    opts: &BackupOptions,
    progress: &dyn Progress,
) -> Result<BackupReport> {
    if opts.page_size == 0 {
        return Err(Error::Invalid("--page-size must be at least 1".into()));
    }
    let Some(first) = drivers.first_mut() else {
        return Err(Error::Invalid("backup needs a connection".into()));
    };
    let database_type = Some(first.database_type().to_string());
    let expected = BackupWriter::expected_journal(
        "backup",
        database_type.clone(),
        opts.source.clone(),
        opts.journal_options(),
    );
    let (mut writer, kept) = if opts.resume {
        BackupWriter::resume(&opts.dir, &expected)?
    } else {
        let mut w = BackupWriter::create(&opts.dir, database_type)?;
        w.describe("backup", expected.source, expected.options)?;
        (w, Vec::new())
    };
    if drivers.len() > 1 {
        let (lead, rest) = drivers.split_first_mut().expect("two or more");
        match lead.begin_shared_snapshot().await? {
            Some(token) => {
                let mut joined = Ok(());
                for d in rest.iter_mut() {
                    joined = d.join_snapshot(&token).await;
                    if joined.is_err() {
                        break;
                    }
                }
                lead.release_shared_snapshot().await?;
                joined?;
            }
            None => {
                progress.warn(
                    "the database cannot share one snapshot between connections (MySQL needs \
                     the RELOAD privilege for FLUSH TABLES WITH READ LOCK), so the backup runs \
                     on one connection",
                );
                drivers.truncate(1);
                drivers[0].begin_snapshot().await?;
            }
        }
    } else {
        drivers[0].begin_snapshot().await?;
    }
    let all = drivers[0].list_tables().await?;
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
    let mut kept_entries: Vec<Option<ManifestTable>> = selected
        .iter()
        .map(|name| kept.iter().find(|k| &k.name == name).cloned())
        .collect();
    let todo: Vec<usize> = (0..selected.len())
        .filter(|&i| kept_entries[i].is_none())
        .collect();
    if opts.resume {
        report.kept = kept_entries
            .iter()
            .flatten()
            .map(|k| k.name.clone())
            .collect();
        progress.note(&format!(
            "resuming: {} table(s) kept from the stopped backup, their files re-checked; {} to go",
            report.kept.len(),
            todo.len()
        ));
        if !report.kept.is_empty() && !todo.is_empty() {
            progress.warn(
                "the kept tables were read when the stopped backup ran and the others are read \
                 now, so the folder holds the database at two points in time",
            );
        }
    }
    let next = std::sync::Mutex::new(0usize);
    // A folder that cannot be written (disk full) stops every job: the next tables would fail
    // the same way.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let results = futures::future::join_all(drivers.iter_mut().map(|d| {
        let (selected, writer, next, todo, stop) = (&selected, &writer, &next, &todo, &stop);
        async move {
            let mut out = Vec::new();
            loop {
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    return out;
                }
                let k = {
                    let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                    *n += 1;
                    *n - 1
                };
                let Some(&i) = todo.get(k) else {
                    return out;
                };
                let name = &selected[i];
                let r = match backup_table(&mut **d, writer, name, opts, progress).await {
                    Ok(entry) => writer.table_done(&entry).map(|()| entry),
                    Err(e) => Err(e),
                };
                if matches!(r, Err(Error::Io { .. })) {
                    stop.store(true, std::sync::atomic::Ordering::SeqCst);
                }
                fault("backup-table");
                match &r {
                    Ok(entry) => progress.table_finished(name, entry.rows),
                    Err(e) => progress.table_failed(name, &e.to_string()),
                }
                out.push((i, r));
            }
        }
    }))
    .await;
    let mut results: Vec<_> = results.into_iter().flatten().collect();
    for (i, entry) in kept_entries.iter_mut().enumerate() {
        if let Some(entry) = entry.take() {
            progress.table_finished(&selected[i], entry.rows);
            results.push((i, Ok(entry)));
        }
    }
    results.sort_by_key(|(i, _)| *i);
    for (i, r) in results {
        let name = &selected[i];
        match r {
            Ok(entry) => {
                report.tables.push(TableDone {
                    table: name.clone(),
                    rows: entry.rows,
                });
                writer.add(entry);
            }
            Err(e) => {
                // A half-written table folder would look like data; remove it.
                let _ = std::fs::remove_dir_all(writer.dir().join(name));
                report.failed.push(TableFailed {
                    table: name.clone(),
                    error: e.to_string(),
                });
            }
        }
    }
    for d in drivers.iter_mut() {
        let ended = d.end_snapshot().await;
        // After a failure the connection may be gone; the failure is what to report.
        if report.failed.is_empty() {
            ended?;
        }
    }
    if !report.failed.is_empty() {
        return Ok(report);
    }
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
        if table.rows() % opts.page_size as u64 == 0 {
            fault("backup-page");
        }
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
