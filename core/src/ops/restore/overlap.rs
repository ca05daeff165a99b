//! The largest table loaded while the folder is still being checked.
//!
//! A restore into PostgreSQL spent a third of its time checking rows before the first one was
//! sent. Into a target that holds none of the folder's tables, the largest table is created
//! with the column types its values need when none outgrows the standard ones, and loaded from
//! the check as each row file is checked. Then:
//!
//! - a bad row anywhere, or a value no column type can hold: the table and the ledger are
//!   dropped, and the target is as it was;
//! - a value that needs a wider column: the table is dropped and the restore starts over from
//!   the checked rows, as it would have without the overlap;
//! - otherwise the other tables load as a resumed restore does, the ledger marking the large
//!   one done.
//!
//! A target that holds a ledger or a table of the folder, `--resume`, and targets without a
//! bulk text (SQLite, SQL Server) check the whole folder first, as before.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use super::check::{Forward, RestoreOptions, check_folder, open_folder};
use super::ledger::{self, LEDGER_TABLE};
use super::load::{Shared, Source, fit_columns, load_plan, load_table};
use super::summary::RestoreReport;
use crate::db::{ColumnFit, DatabaseDriver};
use crate::error::{Error, Result};
use crate::progress::{NoProgress, Progress};

/// A table of fewer rows is not worth loading early.
const OVERLAP_ROWS: u64 = 10_000;

/// Checked row files the check may be ahead of the load.
const AHEAD_FILES: usize = 4;

/// Checks the folder and writes it into the target behind `drivers`, all or nothing as
/// [`super::plan_restore`] then [`super::restore_jobs`] do, loading the largest table while
/// the others are still being checked where the target allows it.
pub async fn restore_folder(
    drivers: Vec<&mut (dyn DatabaseDriver + 'static)>,
    opts: &RestoreOptions,
    progress: Arc<dyn Progress>,
) -> Result<RestoreReport> {
    let Some(first) = drivers.first() else {
        return Err(Error::Invalid("restore needs a connection".into()));
    };
    let dialect = first.dialect();
    let folder = open_folder(opts)?;
    let largest = folder
        .tables
        .iter()
        .enumerate()
        .filter(|(_, t)| t.total_count >= OVERLAP_ROWS)
        .max_by_key(|(_, t)| t.total_count)
        .map(|(i, _)| i);
    let eligible = !opts.resume && dialect.has_bulk_text() && opts.target == Some(dialect);
    let mut drivers = drivers;
    let big = match largest {
        Some(big) if eligible && fresh(&mut *drivers[0], &folder.tables).await? => big,
        _ => {
            let plan = check_folder(opts, &*progress, None, true)?;
            return load_plan(drivers, plan, &*progress, false).await;
        }
    };

    let (tx, rx) = tokio::sync::mpsc::channel(AHEAD_FILES);
    let check = {
        let (opts, progress) = (opts.clone(), progress.clone());
        let forward = Forward { table: big, tx };
        tokio::task::spawn_blocking(move || check_folder(&opts, &*progress, Some(forward), true))
    };
    let data = &folder.tables[big];
    let target = folder.schema.table_meta(dialect, &data.meta);
    let standard = vec![ColumnFit::default(); data.meta.columns.len()];
    let shared = Shared {
        entries: Vec::new(),
        schema: folder.schema,
        dialect,
        clashes: Vec::new(),
        content_tables: folder.content_tables.clone(),
        next: Mutex::new(0),
        failed: AtomicBool::new(false),
        announce_done: false,
    };
    let folder_id = ledger::folder_id(&folder.tables);
    let loaded = async {
        let driver = &mut *drivers[0];
        ledger::create(driver).await?;
        ledger::start(driver, &folder_id, &folder.tables).await?;
        let source = Source::Checking(rx, dialect);
        load_table(driver, data, &standard, source, &shared, &*progress).await
    }
    .await;
    let checked = check
        .await
        .map_err(|e| Error::Invalid(format!("the check of the folder failed: {e}")))?;

    let mut plan = match checked {
        Ok(plan) => plan,
        Err(e) => return Err(undo(&mut *drivers[0], &target.name, e).await),
    };
    // What the whole folder needs, now that every row is checked.
    let fits = match fit_columns(
        dialect,
        folder.schema,
        &plan.tables,
        &plan.sizes,
        &NoProgress,
    ) {
        Ok(fits) => fits,
        Err(e) => return Err(undo(&mut *drivers[0], &target.name, e).await),
    };
    let widened = data.meta.columns.iter().zip(&fits[big]).any(|(col, fit)| {
        dialect.column_type_in(folder.schema, col, fit)
            != dialect.column_type_in(folder.schema, col, &ColumnFit::default())
    });
    if widened {
        // The load may have failed on the very value, or loaded into too narrow a column.
        progress.note(&format!(
            "table `{}` needs wider columns than it was loaded with; loading it again",
            data.meta.name
        ));
        remove(&mut *drivers[0], &target.name).await?;
        return load_plan(drivers, plan, &*progress, false).await;
    }
    if let Err(e) = loaded {
        progress.table_failed(&data.meta.name, &e.to_string());
        return Err(Error::Invalid(format!(
            "restoring table `{}` failed: {e}; the rows committed so far stay, with the \
             ledger `{LEDGER_TABLE}`: run the same command with --resume to continue, or \
             with --drop-existing to start over",
            data.meta.name
        )));
    }
    plan.resume = true;
    load_plan(drivers, plan, &*progress, true).await
}

/// Whether the target holds no ledger and none of `tables`.
async fn fresh(
    driver: &mut dyn DatabaseDriver,
    tables: &[crate::backup::TableData],
) -> Result<bool> {
    let existing = driver.list_tables().await?;
    Ok(!existing.iter().any(|e| {
        e.eq_ignore_ascii_case(LEDGER_TABLE)
            || tables.iter().any(|t| t.meta.name.eq_ignore_ascii_case(e))
    }))
}

/// Drops what this run created, so the target is as it was, and returns `e`, the reason.
async fn undo(driver: &mut dyn DatabaseDriver, table: &str, e: Error) -> Error {
    match remove(driver, table).await {
        Ok(()) => e,
        Err(d) => Error::Invalid(format!(
            "{e}; removing table `{table}` and the ledger `{LEDGER_TABLE}`, which this run \
             created, failed too: {d}"
        )),
    }
}

/// Drops the table loaded early, if it is there, and the ledger.
async fn remove(driver: &mut dyn DatabaseDriver, table: &str) -> Result<()> {
    let _ = driver.rollback().await;
    if driver
        .list_tables()
        .await?
        .iter()
        .any(|t| t.eq_ignore_ascii_case(table))
    {
        driver.drop_table(table).await?;
    }
    ledger::drop(driver).await
}
