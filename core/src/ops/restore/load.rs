//! Stage 2: the checked folder written into the target, table by table.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::check::{ColumnSizes, RestorePlan};
use super::ledger::{self, Entry, LEDGER_TABLE};
use super::spill::{Checked, CheckedRecords, Records, SpillReader, Spilled, files_of};
use super::summary::RestoreReport;
use crate::backup::TableData;
use crate::db::DatabaseDriver;
use crate::db::{CmsSchema, ColumnFit, Dialect};
use crate::error::{Error, Result};
use crate::fault::fault;
use crate::model::TableMeta;
use crate::ops::tables::TableDone;
use crate::progress::Progress;
use crate::value::SqlValue;

/// Writes a checked folder into the database behind `driver`.
pub async fn restore(
    driver: &mut (dyn DatabaseDriver + 'static),
    plan: RestorePlan,
    progress: &dyn Progress,
) -> Result<RestoreReport> {
    restore_jobs(vec![driver], plan, progress).await
}

/// Rows committed at a time: a stopped run loses at most this many rows' work per table.
const CHUNK_ROWS: u64 = 20_000;

/// [`restore`] with one job per connection in `drivers`, each taking the next table; the first
/// connection also checks the target and keeps the ledger. If any table fails, the others stop
/// after their current chunk, and what is committed stays for `--resume`.
pub async fn restore_jobs(
    drivers: Vec<&mut (dyn DatabaseDriver + 'static)>,
    plan: RestorePlan,
    progress: &dyn Progress,
) -> Result<RestoreReport> {
    load_plan(drivers, plan, progress, Early::None).await
}

/// How [`load_plan`] meets the table [`super::overlap`] loads while the check goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Early {
    /// There is none.
    None,
    /// The ledger marks it done; it is not counted again.
    Done,
}

/// [`restore_jobs`], with the table loaded early as `early` says.
pub(super) async fn load_plan(
    mut drivers: Vec<&mut (dyn DatabaseDriver + 'static)>,
    plan: RestorePlan,
    progress: &dyn Progress,
    early: Early,
) -> Result<RestoreReport> {
    let RestorePlan {
        tables,
        sizes,
        skipped,
        drop_existing,
        schema,
        schema_source: _,
        content_tables,
        spills,
        _spill_dir,
        folder_id,
        resume,
    } = plan;
    let Some(first) = drivers.first_mut() else {
        return Err(Error::Invalid("restore needs a connection".into()));
    };
    let dialect = first.dialect();
    if let Some(other) = spills.iter().find_map(|s| s.text.filter(|d| *d != dialect)) {
        return Err(Error::Invalid(format!(
            "this restore was checked for a {} target, not {}",
            other.name(),
            dialect.name()
        )));
    }
    let fits = fit_columns(dialect, schema, &tables, &sizes, progress)?;
    let existing = first.list_tables().await?;
    let has_ledger = existing
        .iter()
        .any(|e| e.eq_ignore_ascii_case(LEDGER_TABLE));
    let entries = match (has_ledger, resume, drop_existing) {
        (true, true, _) => ledger::read(&mut **first, &folder_id).await?,
        (false, true, _) => {
            return Err(Error::Invalid(format!(
                "nothing to resume: the target database has no unfinished restore (no                  `{LEDGER_TABLE}` table); run restore without --resume"
            )));
        }
        (true, false, false) => {
            let entries = ledger::read(&mut **first, &folder_id).await.ok();
            let done = entries
                .as_ref()
                .map_or(0, |e| e.iter().filter(|e| e.done).count());
            return Err(Error::Invalid(format!(
                "the target database holds a restore that did not finish ({done} of {}                  table(s) done, ledger `{LEDGER_TABLE}`); nothing was written: run the same                  command with --resume to continue it, or with --drop-existing to start over",
                tables.len()
            )));
        }
        (true, false, true) => {
            ledger::drop(&mut **first).await?;
            Vec::new()
        }
        (false, false, _) => Vec::new(),
    };
    let ours = |name: &str| entries.iter().any(|e| e.table.eq_ignore_ascii_case(name));
    let clashes: Vec<String> = existing
        .into_iter()
        .filter(|e| !e.eq_ignore_ascii_case(LEDGER_TABLE) && !ours(e))
        .filter(|e| tables.iter().any(|t| t.meta.name.eq_ignore_ascii_case(e)))
        .collect();
    if !clashes.is_empty() && !drop_existing {
        return Err(Error::Invalid(format!(
            "the target database already has {} table(s) this backup would restore: {}; \
             nothing was written (use --drop-existing to replace them)",
            clashes.len(),
            clashes.join(", ")
        )));
    }

    if !resume {
        ledger::create(&mut **first).await?;
        ledger::start(&mut **first, &folder_id, &tables).await?;
    }
    let shared = Shared {
        entries,
        schema,
        dialect,
        clashes,
        content_tables,
        next: Mutex::new(0),
        failed: AtomicBool::new(false),
        early,
    };
    let jobs: Vec<TableJob<'_>> = tables
        .iter()
        .zip(&fits)
        .zip(&spills)
        .map(|((data, fit), spill)| TableJob { data, fit, spill })
        .collect();
    let results = futures::future::join_all(
        drivers
            .iter_mut()
            .map(|d| worker(&mut **d, &jobs, &shared, progress)),
    )
    .await;
    let mut done: Vec<(usize, TableDone)> = Vec::new();
    let mut failure = None;
    for r in results {
        match r {
            Ok(mut d) => done.append(&mut d),
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    if let Some((name, e)) = failure {
        return Err(Error::Invalid(format!(
            "restoring table `{name}` failed: {e}; the rows committed so far stay, with the \
             ledger `{LEDGER_TABLE}`: run the same command with --resume to continue, or with \
             --drop-existing to start over"
        )));
    }
    if let Some(driver) = drivers.first_mut() {
        finish(&mut **driver).await?;
    }
    done.sort_by_key(|(i, _)| *i);
    Ok(RestoreReport {
        skipped,
        tables: done.into_iter().map(|(_, t)| t).collect(),
    })
}

/// Ends a restore whose tables are all in: the ledger's drop is the last commit, and once it is
/// on disk, every table is.
pub(super) async fn finish(driver: &mut dyn DatabaseDriver) -> Result<()> {
    driver.sync_commits().await?;
    ledger::drop(driver).await
}

/// One table to load.
struct TableJob<'a> {
    data: &'a TableData,
    fit: &'a [ColumnFit],
    spill: &'a Spilled,
}

/// What the jobs of one restore share.
pub(super) struct Shared {
    /// The ledger of the run being resumed.
    pub(super) entries: Vec<Entry>,
    pub(super) schema: CmsSchema,
    pub(super) dialect: Dialect,
    /// Tables of the target that `--drop-existing` replaces.
    pub(super) clashes: Vec<String>,
    pub(super) content_tables: Vec<String>,
    /// The index of the next table to take.
    pub(super) next: Mutex<usize>,
    pub(super) failed: AtomicBool,
    /// The table loaded while the check went on: a done one is not counted again (a table a
    /// stopped run finished is, when resumed), and one still loading is left alone.
    pub(super) early: Early,
}

/// Takes tables until none is left or a job failed; returns the tables done, by index.
async fn worker(
    driver: &mut dyn DatabaseDriver,
    jobs: &[TableJob<'_>],
    shared: &Shared,
    progress: &dyn Progress,
) -> std::result::Result<Vec<(usize, TableDone)>, (String, Error)> {
    let mut done = Vec::new();
    loop {
        if shared.failed.load(Ordering::SeqCst) {
            return Ok(done);
        }
        let i = {
            let mut next = shared.next.lock().unwrap_or_else(|e| e.into_inner());
            let i = *next;
            *next += 1;
            i
        };
        let Some(job) = jobs.get(i) else {
            return Ok(done);
        };
        let name = &job.data.meta.name;
        let source = Source::Spill(job.spill);
        if let Err(e) =
            load_table(driver, &mut [], job.data, job.fit, source, shared, progress).await
        {
            shared.failed.store(true, Ordering::SeqCst);
            progress.table_failed(name, &e.to_string());
            return Err((name.clone(), e));
        }
        progress.table_finished(name, job.data.total_count);
        fault("table");
        done.push((
            i,
            TableDone {
                table: name.clone(),
                rows: job.data.total_count,
            },
        ));
    }
}

/// Creates one table with its indexes and loads its rows, committing a chunk at a time with
/// the ledger's count of committed rows in the same transaction. A table the ledger records
/// is continued after its committed rows; one it marks done is skipped.
pub(super) async fn load_table(
    driver: &mut dyn DatabaseDriver,
    helpers: &mut [&mut (dyn DatabaseDriver + 'static)],
    data: &TableData,
    fit: &[ColumnFit],
    source: Source<'_>,
    shared: &Shared,
    progress: &dyn Progress,
) -> Result<()> {
    let name = &data.meta.name;
    // The names the CMS of the folder's version looks for.
    let target = shared.schema.table_meta(shared.dialect, &data.meta);
    let entry = shared
        .entries
        .iter()
        .find(|e| e.table.eq_ignore_ascii_case(name));
    if entry.is_some_and(|e| e.done) {
        if shared.early == Early::None {
            progress.rows_done(name, data.total_count);
        }
        return Ok(());
    }
    let committed = match entry {
        Some(e) if e.rows > 0 => e.rows,
        Some(_) => {
            // Stopped before its first chunk: the table may or may not exist yet.
            let _ = driver.drop_table(&target.name).await;
            create(driver, data, fit, shared, &target).await?;
            0
        }
        None => {
            if let Some(old) = shared.clashes.iter().find(|c| c.eq_ignore_ascii_case(name)) {
                driver.drop_table(old).await?;
            }
            create(driver, data, fit, shared, &target).await?;
            0
        }
    };
    progress.table_started(name, data.total_count);
    if committed > 0 {
        progress.rows_done(name, committed);
    }
    if committed < data.total_count {
        driver.begin().await?;
        match write_table(driver, helpers, data, source, &target, committed, progress).await {
            Ok(()) => {
                ledger::set(driver, name, data.total_count, false).await?;
                driver.commit().await?;
            }
            Err(e) => {
                let _ = driver.rollback().await;
                return Err(e);
            }
        }
    }
    fault("identity");
    // A table this restore created empty already gives id 1 next; most of a site's tables
    // are empty, and the statement cost a round trip each.
    if data.total_count > 0 {
        driver.after_insert(&target).await?;
    }
    ledger::set(driver, name, data.total_count, true).await
}

async fn create(
    driver: &mut dyn DatabaseDriver,
    data: &TableData,
    fit: &[ColumnFit],
    shared: &Shared,
    target: &TableMeta,
) -> Result<()> {
    driver.create_table_in(shared.schema, target, fit).await?;
    if shared
        .content_tables
        .contains(&data.meta.name.to_lowercase())
    {
        for index in shared.schema.content_indexes(&data.meta.name) {
            create_index(driver, shared.schema, target, index).await?;
        }
    }
    Ok(())
}

/// Creates one of the CMS's content-table indexes, if the table has its columns (a content
/// table of another shape gets none).
async fn create_index(
    driver: &mut dyn DatabaseDriver,
    schema: CmsSchema,
    target: &TableMeta,
    index: crate::db::Index,
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
    let index = crate::db::Index {
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
pub(super) fn fit_columns(
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

/// Reads the checked rows on a blocking thread and inserts them here, a batch at a time, so
/// memory holds at most a few batches whatever the table's size.
///
/// `target` is the table as created: the folder's table, its names as the CMS looks for them.
async fn write_table(
    driver: &mut dyn DatabaseDriver,
    helpers: &mut [&mut (dyn DatabaseDriver + 'static)],
    data: &TableData,
    source: Source<'_>,
    target: &TableMeta,
    skip: u64,
    progress: &dyn Progress,
) -> Result<()> {
    // Never more than a chunk, so each chunk commits on time.
    let batch_rows = driver
        .batch_rows(data.meta.columns.len())
        .min(usize::try_from(CHUNK_ROWS).unwrap_or(usize::MAX));
    let batch_bytes = driver.max_batch_bytes();
    let (tx, rx) = mpsc::channel::<Batch>(2);
    // Sent batches' buffers go back to the reader: a fresh one for each batch cost a page
    // fault per 4 KB, the allocator having handed the last one back to the OS.
    let (back, spare) = std::sync::mpsc::channel::<Vec<u8>>();
    let table = data.meta.name.clone();
    let limits = (skip, batch_rows, batch_bytes);
    let (producer, files) = match source {
        Source::Spill(spill) => {
            let reader = SpillReader::open(&spill.path, data.meta.columns.len())?;
            let text = spill.text;
            let producer = tokio::task::spawn_blocking(move || match text {
                Some(dialect) => produce_text(reader, &table, dialect, limits, &tx, &spare),
                None => produce(reader, &table, limits, &tx),
            });
            (producer, Arc::new(Mutex::new(spill.files.clone())))
        }
        Source::Checking(rx, dialect) => {
            let files = Arc::new(Mutex::new(Vec::new()));
            let records = CheckedRecords::new(rx, files.clone());
            let producer = tokio::task::spawn_blocking(move || {
                produce_text(records, &table, dialect, limits, &tx, &spare)
            });
            (producer, files)
        }
    };
    let feed = tokio::sync::Mutex::new(Feed { rx, next: skip });
    let stop = AtomicBool::new(false);
    let table = Table {
        data,
        target,
        files: &files,
        feed: &feed,
        stop: &stop,
        back: &back,
        progress,
    };
    let result = if helpers.is_empty() {
        table.consume(driver, Chunks::Counted).await
    } else {
        // Several connections share the table's batches; the server parses on each.
        let lead = table.consume(driver, Chunks::Uncounted);
        let rest = helpers.iter_mut().map(|h| table.help(&mut **h));
        let (lead, rest) = tokio::join!(lead, futures::future::join_all(rest));
        lead.and(rest.into_iter().collect::<Result<()>>())
    };
    let rows = feed.into_inner().next;
    let produced = producer
        .await
        .map_err(|e| Error::table(&data.meta.name, format!("reader thread failed: {e}")))?;
    result?;
    produced?;
    if rows != data.total_count {
        // A check that stopped early ends the rows it hands over; its error is the one to tell.
        return Err(Error::table(
            &data.meta.name,
            format!("the rows ended after {rows} of {}", data.total_count),
        ));
    }
    Ok(())
}

/// A table's batches as its connections take them, in order.
struct Feed {
    rx: mpsc::Receiver<Batch>,
    /// The row the next batch starts at.
    next: u64,
}

/// How a connection loading a table commits its chunks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Chunks {
    /// With the ledger's count of the table's rows: the only connection, whose rows are a
    /// prefix of the table's, so `--resume` goes on after them.
    Counted,
    /// Without: one of several, whose rows are no prefix, so the ledger keeps 0 until the
    /// table is done and a stopped run loads the table again.
    Uncounted,
}

/// One table being loaded, as each of its connections sees it.
struct Table<'a> {
    data: &'a TableData,
    target: &'a TableMeta,
    files: &'a Mutex<Vec<(String, u64)>>,
    feed: &'a tokio::sync::Mutex<Feed>,
    /// Set by a connection that failed: the others stop after their batch.
    stop: &'a AtomicBool,
    /// Where a sent batch's buffer goes back to the reader.
    back: &'a std::sync::mpsc::Sender<Vec<u8>>,
    progress: &'a dyn Progress,
}

impl Table<'_> {
    /// Names the row files a failed statement's rows came from.
    fn at(&self, from: u64, to: u64, e: Error) -> Error {
        let files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        Error::table(
            &self.data.meta.name,
            format!(
                "rows {}..{} from {}: {e}",
                from + 1,
                to,
                files_of(&files, from, to)
            ),
        )
    }

    /// Inserts batches until there are none or another connection failed, in the transaction
    /// the caller opened, committing every chunk.
    async fn consume(&self, driver: &mut dyn DatabaseDriver, chunks: Chunks) -> Result<()> {
        let name = &self.data.meta.name;
        let mut pending = 0u64;
        while !self.stop.load(Ordering::SeqCst) {
            let (batch, from) = {
                let mut feed = self.feed.lock().await;
                let Some(batch) = feed.rx.recv().await else {
                    return Ok(());
                };
                let from = feed.next;
                feed.next += batch.rows();
                (batch, from)
            };
            let n = batch.rows();
            let sent = match batch {
                Batch::Values(v) => driver.insert_rows(self.target, &v).await,
                Batch::Text(t, _) => {
                    let sent = driver.insert_bulk_text(self.target, &t).await;
                    let _ = self.back.send(t);
                    sent
                }
            };
            let rows = from + n;
            let failed = |e| {
                self.stop.store(true, Ordering::SeqCst);
                Err(e)
            };
            if let Err(e) = sent {
                return failed(self.at(from, rows, e));
            }
            pending += n;
            self.progress.rows_done(name, n);
            if pending >= CHUNK_ROWS && rows < self.data.total_count {
                let first = rows - pending;
                pending = 0;
                let step = async {
                    if chunks == Chunks::Counted {
                        ledger::set(driver, name, rows, false).await?;
                    }
                    driver.commit().await?;
                    fault("chunk");
                    driver.begin().await
                };
                if let Err(e) = step.await {
                    return failed(self.at(first, rows, e));
                }
            }
        }
        Ok(())
    }

    /// [`Self::consume`] on a connection of its own, in a transaction of its own.
    async fn help(&self, driver: &mut dyn DatabaseDriver) -> Result<()> {
        driver.begin().await?;
        let consumed = self.consume(driver, Chunks::Uncounted).await;
        match consumed {
            Ok(()) if !self.stop.load(Ordering::SeqCst) => driver.commit().await,
            other => {
                let _ = driver.rollback().await;
                other
            }
        }
    }
}

/// Where the rows of a table being loaded come from.
pub(super) enum Source<'a> {
    /// The spill of the finished check.
    Spill(&'a Spilled),
    /// A check still running, in the target's bulk text.
    Checking(tokio::sync::mpsc::Receiver<Checked>, Dialect),
}

/// Rows for one insert: values, or a target's bulk text with its number of rows.
enum Batch {
    Values(Vec<Vec<SqlValue>>),
    Text(Vec<u8>, usize),
}

impl Batch {
    fn rows(&self) -> u64 {
        match self {
            Batch::Values(v) => v.len() as u64,
            Batch::Text(_, n) => *n as u64,
        }
    }
}

/// Rows an earlier run committed, most rows and most bytes of one batch.
type Limits = (u64, usize, usize);

/// Sends batches of at most `batch_rows` rows and, unless one row alone is larger, at most
/// `batch_bytes` bytes.
fn produce(
    mut spill: SpillReader,
    table: &str,
    (skip, batch_rows, batch_bytes): Limits,
    tx: &mpsc::Sender<Batch>,
) -> Result<()> {
    let mut batch = Vec::with_capacity(batch_rows);
    let mut bytes = 0usize;
    let closed = || Error::table(table, "insert stopped");
    let tx = |b| tx.blocking_send(Batch::Values(b));
    // Rows an earlier run committed.
    for _ in 0..skip {
        if spill.next_row()?.is_none() {
            break;
        }
    }
    while let Some(values) = spill.next_row()? {
        let size = values.iter().map(SqlValue::approx_len).sum::<usize>();
        if !batch.is_empty() && bytes + size > batch_bytes {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(batch_rows));
            tx(full).map_err(|_| closed())?;
            bytes = 0;
        }
        bytes += size;
        batch.push(values);
        if batch.len() >= batch_rows {
            bytes = 0;
            let full = std::mem::replace(&mut batch, Vec::with_capacity(batch_rows));
            tx(full).map_err(|_| closed())?;
        }
    }
    if !batch.is_empty() {
        tx(batch).map_err(|_| closed())?;
    }
    Ok(())
}

/// [`produce`] for rows kept in `dialect`'s bulk text: the records joined as they are.
fn produce_text(
    mut spill: impl Records,
    table: &str,
    dialect: Dialect,
    (skip, batch_rows, batch_bytes): Limits,
    tx: &mpsc::Sender<Batch>,
    spare: &std::sync::mpsc::Receiver<Vec<u8>>,
) -> Result<()> {
    let closed = || Error::table(table, "insert stopped");
    let separator = dialect.bulk_separator();
    let mut skipped = Vec::new();
    for _ in 0..skip {
        skipped.clear();
        if !spill.next_text(&mut skipped)? {
            break;
        }
    }
    let capacity = batch_bytes.saturating_add(batch_bytes / 8).min(64 << 20);
    let fresh = || match spare.try_recv() {
        Ok(mut used) => {
            used.clear();
            used
        }
        Err(_) => Vec::with_capacity(capacity),
    };
    let mut batch = fresh();
    let mut rows = 0usize;
    let send = |batch, rows| {
        tx.blocking_send(Batch::Text(batch, rows))
            .map_err(|_| closed())
    };
    loop {
        let mark = batch.len();
        if rows > 0 {
            batch.extend_from_slice(separator);
        }
        if !spill.next_text(&mut batch)? {
            batch.truncate(mark);
            if rows > 0 {
                send(batch, rows)?;
            }
            return Ok(());
        }
        rows += 1;
        if rows > 1 && batch.len() > batch_bytes {
            // The row read last starts the next batch.
            let mut next = fresh();
            next.extend_from_slice(&batch[mark + separator.len()..]);
            batch.truncate(mark);
            send(std::mem::replace(&mut batch, next), rows - 1)?;
            rows = 1;
        }
        if rows >= batch_rows {
            send(std::mem::replace(&mut batch, fresh()), rows)?;
            rows = 0;
        }
    }
}
