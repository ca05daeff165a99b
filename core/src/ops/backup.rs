//! `backup`: every selected table into a backup folder, read-only.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures::TryStreamExt;

use super::jobs::run_jobs;
use super::tables::{Skipped, TableDone, TableFailed, select_tables};
use crate::backup::{BackupWriter, ManifestFile, ManifestTable, TableWriter};
use crate::db::{DatabaseDriver, Select};
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
    let shared = Shared {
        selected: &selected,
        todo: &todo,
        writer: &writer,
        opts,
        progress,
        jobs: drivers.len(),
        next: Mutex::new(0),
        parts: Mutex::new(VecDeque::new()),
        planning: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
    };
    let results = run_jobs(drivers.iter_mut().collect(), |d| job(&mut **d, &shared)).await;
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

/// What the jobs of one backup share.
struct Shared<'a> {
    selected: &'a [String],
    /// Indexes into `selected` of the tables to read.
    todo: &'a [usize],
    writer: &'a BackupWriter,
    opts: &'a BackupOptions,
    progress: &'a dyn Progress,
    jobs: usize,
    /// The next of `todo` to take.
    next: Mutex<usize>,
    /// Key ranges of large tables that a job split, for the other jobs to take first.
    parts: Mutex<VecDeque<(Arc<Split>, usize)>>,
    /// Jobs finding out whether their table splits: until they know, a job out of tables
    /// waits for parts instead of ending (it used to end while the large table was planned,
    /// leaving that table to one job).
    planning: AtomicUsize,
    /// A folder that cannot be written (disk full) stops every job: the next tables would
    /// fail the same way.
    stop: AtomicBool,
}

/// A table read in key ranges by several jobs at once, each writing its own pages. Part `k`
/// holds the `per_part` rows from row `k * per_part` in key order (the last, all the rest);
/// the job reading it finds its first key itself, so no job waits for another's scan.
struct Split {
    index: usize,
    meta: TableMeta,
    /// The table's rows, when they were counted; a split planned from the database's own
    /// estimate is checked part against part instead (see [`end_part`]).
    count: Option<u64>,
    /// Rows of each part but the last: whole pages.
    per_part: u64,
    /// Per part, once it ended: its pages and rows, or its error.
    ended: Mutex<Vec<Option<Result<PartDone>>>>,
}

/// A part's pages, in order, and its rows.
type PartDone = (Vec<ManifestFile>, u64);

/// Tables of at least this many rows are split, so that each job gets at least half of it.
const SPLIT_ROWS: u64 = 20_000;

/// Takes parts and tables until none is left; returns the tables this job ended, by index.
async fn job(
    driver: &mut dyn DatabaseDriver,
    shared: &Shared<'_>,
) -> Vec<(usize, Result<ManifestTable>)> {
    let mut out = Vec::new();
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return out;
        }
        let part = lock(&shared.parts).pop_front();
        let (i, r) = match part {
            Some((split, k)) => {
                let r = read_part(driver, shared, &split, k).await;
                match end_part(shared, &split, k, r) {
                    Some(r) => (split.index, r),
                    None => continue,
                }
            }
            None => {
                let k = {
                    let mut n = lock(&shared.next);
                    *n += 1;
                    *n - 1
                };
                let Some(&i) = shared.todo.get(k) else {
                    if shared.planning.load(Ordering::SeqCst) > 0 {
                        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                        continue;
                    }
                    return out;
                };
                match backup_table(driver, shared, i).await {
                    Ok(Some(entry)) => (i, Ok(entry)),
                    Ok(None) => continue,
                    Err(e) => (i, Err(e)),
                }
            }
        };
        let name = &shared.selected[i];
        let r = r.and_then(|entry| shared.writer.table_done(&entry).map(|()| entry));
        if matches!(r, Err(Error::Io { .. })) {
            shared.stop.store(true, Ordering::SeqCst);
        }
        fault("backup-table");
        match &r {
            Ok(entry) => shared.progress.table_finished(name, entry.rows),
            Err(e) => shared.progress.table_failed(name, &e.to_string()),
        }
        out.push((i, r));
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Reads table `i` whole, or, if it is large and other jobs can help, splits it by key and
/// reads its first part (`Ok(None)`: the table ends with its last part).
async fn backup_table(
    driver: &mut dyn DatabaseDriver,
    shared: &Shared<'_>,
    i: usize,
) -> Result<Option<ManifestTable>> {
    let (name, opts) = (&shared.selected[i], shared.opts);
    let columns = driver.columns(name).await?;
    let meta = TableMeta {
        name: name.to_string(),
        columns,
    };
    let planning = Planning::start(shared);
    // A large table is split on the database's estimate of its rows: counting it exactly
    // (MySQL scans it) held up every job for a third of a second at 200,000 rows.
    let can_split = splittable(shared, &meta);
    let estimate = if can_split {
        driver.estimate_rows(name).await?
    } else {
        None
    };
    if let Some(rows) = estimate
        && let Some(split) = plan_split(shared, i, &meta, rows, None)
    {
        shared.progress.table_started(name, rows);
        return read_split(driver, shared, split, planning).await;
    }
    let count = driver.count_rows(name).await?;
    let expected = opts.max_rows.map_or(count, |m| m.min(count));
    shared.progress.table_started(name, expected);
    if can_split && let Some(split) = plan_split(shared, i, &meta, expected, Some(expected)) {
        return read_split(driver, shared, split, planning).await;
    }
    drop(planning);
    let mut table = shared.writer.table(&meta, opts.page_size)?;
    // An empty table in the snapshot reads empty; most of a site's tables are.
    let read = match expected {
        0 => 0,
        _ => {
            let select = Select::first(opts.max_rows);
            read_rows(driver, shared, &meta, &mut table, select).await?
        }
    };
    if read != expected {
        return Err(changed(name, expected, read));
    }
    table.finish().map(Some)
}

/// Queues the parts of `split` but the first for the other jobs, then reads the first.
async fn read_split(
    driver: &mut dyn DatabaseDriver,
    shared: &Shared<'_>,
    split: Split,
    planning: Planning<'_>,
) -> Result<Option<ManifestTable>> {
    shared.writer.table_dir(&split.meta)?;
    let split = Arc::new(split);
    let parts = lock(&split.ended).len();
    lock(&shared.parts).extend((1..parts).map(|k| (split.clone(), k)));
    drop(planning);
    let r = read_part(driver, shared, &split, 0).await;
    end_part(shared, &split, 0, r).transpose()
}

/// Counts a job in [`Shared::planning`] while it lives.
struct Planning<'a>(&'a AtomicUsize);

impl<'a> Planning<'a> {
    fn start(shared: &'a Shared<'_>) -> Self {
        shared.planning.fetch_add(1, Ordering::SeqCst);
        Planning(&shared.planning)
    }
}

impl Drop for Planning<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Whether a table can be split: keyed by one integer column, read whole, with jobs to share.
fn splittable(shared: &Shared<'_>, meta: &TableMeta) -> bool {
    shared.jobs >= 2
        && shared.opts.max_rows.is_none()
        && matches!(meta.order_columns().as_slice(),
            [key] if key.data_type == crate::model::DataType::Integer)
}

/// Parts for a table of about `rows` rows, one per job, each of whole pages; none for a small
/// table. The parts are found in the snapshot the jobs share, so together they hold exactly
/// its rows, whatever the estimate was.
fn plan_split(
    shared: &Shared<'_>,
    index: usize,
    meta: &TableMeta,
    rows: u64,
    count: Option<u64>,
) -> Option<Split> {
    if rows < SPLIT_ROWS {
        return None;
    }
    let jobs = shared.jobs as u64;
    let page = shared.opts.page_size as u64;
    let per_part = rows.div_ceil(jobs).div_ceil(page) * page;
    let parts = usize::try_from(rows.div_ceil(per_part)).unwrap_or(1);
    (parts >= 2).then(|| Split {
        index,
        meta: meta.clone(),
        count,
        per_part,
        ended: Mutex::new((0..parts).map(|_| None).collect()),
    })
}

/// The key of row `offset` in key order, or none past the last row.
async fn key_at(
    driver: &mut dyn DatabaseDriver,
    meta: &TableMeta,
    offset: u64,
) -> Result<Option<i64>> {
    let key = meta.order_columns()[0].clone();
    let key_meta = TableMeta {
        name: meta.name.clone(),
        columns: vec![key],
    };
    let select = Select {
        offset,
        limit: Some(1),
        ..Select::default()
    };
    let first = driver.stream_rows(&key_meta, select).try_next().await?;
    Ok(first.and_then(|row| row.first().and_then(serde_json::Value::as_i64)))
}

/// Reads part `k` of a split table into its pages.
async fn read_part(
    driver: &mut dyn DatabaseDriver,
    shared: &Shared<'_>,
    split: &Split,
    k: usize,
) -> Result<PartDone> {
    let parts = lock(&split.ended).len();
    let first_row = k as u64 * split.per_part;
    let from_key = match k {
        0 => None,
        _ => match key_at(driver, &split.meta, first_row).await? {
            Some(key) => Some(key),
            // The table ends before this part.
            None => return Ok((Vec::new(), 0)),
        },
    };
    let page = shared.opts.page_size as u64;
    let first_page = usize::try_from(first_row / page + 1).unwrap_or(usize::MAX);
    let mut table = shared
        .writer
        .part(&split.meta, shared.opts.page_size, first_page);
    let select = Select {
        from_key,
        limit: (k + 1 < parts).then_some(split.per_part),
        ..Select::default()
    };
    read_rows(driver, shared, &split.meta, &mut table, select).await?;
    table.finish_part()
}

/// Records the end of part `k`; after the last part of the table, its entry or its first
/// error.
fn end_part(
    shared: &Shared<'_>,
    split: &Split,
    k: usize,
    r: Result<PartDone>,
) -> Option<Result<ManifestTable>> {
    let mut ended = lock(&split.ended);
    ended[k] = Some(r);
    if ended.iter().any(Option::is_none) {
        return None;
    }
    let mut files = Vec::new();
    let mut total = 0;
    let mut short = None;
    for (k, r) in ended.iter_mut().filter_map(Option::take).enumerate() {
        match r {
            Ok((f, rows)) => {
                // In one snapshot only the table's end leaves a part short: every part after
                // a short one is empty.
                if let Some(s) = short
                    && rows > 0
                {
                    return Some(Err(Error::table(
                        &split.meta.name,
                        format!(
                            "part {s} of the key ranges ended short but part {} has {rows} rows; \
                             the table changed during the backup",
                            k + 1
                        ),
                    )));
                }
                if rows < split.per_part && short.is_none() {
                    short = Some(k + 1);
                }
                files.extend(f);
                total += rows;
            }
            Err(e) => return Some(Err(e)),
        }
    }
    if let Some(count) = split.count
        && total != count
    {
        return Some(Err(changed(&split.meta.name, count, total)));
    }
    Some(shared.writer.assemble(&split.meta, files, total))
}

fn changed(name: &str, expected: u64, read: u64) -> Error {
    Error::table(
        name,
        format!("counted {expected} rows but read {read}; the table changed during the backup"),
    )
}

/// Streams the rows `select` picks into `table`; returns how many were read.
async fn read_rows(
    driver: &mut dyn DatabaseDriver,
    shared: &Shared<'_>,
    meta: &TableMeta,
    table: &mut TableWriter,
    select: Select,
) -> Result<u64> {
    let page_size = shared.opts.page_size as u64;
    let (mut read, mut pending) = (0u64, 0u64);
    driver
        .read_json(meta, select, &mut |batch| {
            // Runs of rows up to each page's end, so a fault point still falls between pages.
            let mut i = 0;
            while i < batch.len() {
                let n = table.page_room().min(batch.len() - i);
                table.push_rows(batch, i..i + n)?;
                i += n;
                read += n as u64;
                if read % page_size == 0 {
                    fault("backup-page");
                }
                pending += n as u64;
                if pending >= 1000 {
                    shared.progress.rows_done(&meta.name, pending);
                    pending = 0;
                }
            }
            Ok(())
        })
        .await?;
    shared.progress.rows_done(&meta.name, pending);
    Ok(read)
}
