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
//! Every connection loads the large table, each taking the next batch, since on one
//! connection its load is bound by the one server thread that parses it. Their rows are no
//! prefix of the table's, so the ledger counts none until the table is in, and a stopped run
//! loads it again.
//!
//! A target that holds a ledger or a table of the folder, `--resume`, and targets without a
//! bulk text (SQLite, SQL Server) check the whole folder first, as before.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use super::check::RestorePlan;
use super::check::{Forward, RestoreOptions, check_folder, open_folder};
use super::ledger::{self, LEDGER_TABLE};
use super::load::{Early, Shared, Source, fit_columns, load_plan, load_table};
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
            return load_plan(drivers, plan, &*progress, Early::None).await;
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
        early: Early::None,
    };
    let folder_id = ledger::folder_id(&folder.tables);
    let (first, rest) = drivers
        .split_first_mut()
        .ok_or_else(|| Error::Invalid("restore needs a connection".into()))?;
    // Every connection loads the large table; the others follow once it is in.
    let loaded = async {
        let driver = &mut **first;
        ledger::create(driver).await?;
        ledger::start(driver, &folder_id, &folder.tables).await?;
        let source = Source::Checking(rx, dialect);
        load_table(driver, rest, data, &standard, source, &shared, &*progress).await
    };
    let after = async {
        let checked = check
            .await
            .map_err(|e| Error::Invalid(format!("the check of the folder failed: {e}")));
        let mut plan = match checked.and_then(|c| c) {
            Ok(plan) => plan,
            Err(e) => return After::Refused(e),
        };
        // What the whole folder needs, now that every row is checked.
        let fits = fit_columns(
            dialect,
            folder.schema,
            &plan.tables,
            &plan.sizes,
            &NoProgress,
        );
        let fits = match fits {
            Ok(fits) => fits,
            Err(e) => return After::Refused(e),
        };
        let widened = data.meta.columns.iter().zip(&fits[big]).any(|(col, fit)| {
            dialect.column_type_in(folder.schema, col, fit)
                != dialect.column_type_in(folder.schema, col, &ColumnFit::default())
        });
        if widened {
            return After::Widened(plan);
        }
        plan.resume = true;
        After::Checked(plan)
    };
    let (loaded, after) = tokio::join!(loaded, after);

    let failed = |e: Error| {
        progress.table_failed(&data.meta.name, &e.to_string());
        Error::Invalid(format!(
            "restoring table `{}` failed: {e}; the rows committed so far stay, with the \
             ledger `{LEDGER_TABLE}`: run the same command with --resume to continue, or \
             with --drop-existing to start over",
            data.meta.name
        ))
    };
    match after {
        After::Refused(e) => Err(undo(&mut *drivers[0], &target.name, e).await),
        After::Widened(plan) => {
            // The load may have failed on the very value, or loaded into too narrow a column.
            progress.note(&format!(
                "table `{}` needs wider columns than it was loaded with; loading it again",
                data.meta.name
            ));
            remove(&mut *drivers[0], &target.name).await?;
            load_plan(drivers, plan, &*progress, Early::None).await
        }
        After::Checked(plan) => {
            loaded.map_err(failed)?;
            load_plan(drivers, plan, &*progress, Early::Done).await
        }
    }
}

/// What became of the check while the large table loaded.
enum After {
    /// A bad row, or a value no column type can hold: the restore is refused.
    Refused(Error),
    /// The large table needs a wider column than it was created with.
    Widened(RestorePlan),
    /// Checked; the other tables are still to load.
    Checked(RestorePlan),
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
