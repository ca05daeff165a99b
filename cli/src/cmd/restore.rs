//! `siteserver restore`.

use sscms_core::db::CmsSchema;
use std::sync::Arc;

use sscms_core::ops::{
    RestoreOptions, VerifyOptions, plan_restore, restore_folder, restore_jobs, restore_outline,
    verify,
};
use sscms_core::{
    Access, BackupReader, DatabaseConfig, DatabaseType, Dialect, NoProgress, connect,
};

use super::{absolute, list, thousands};
use crate::RestoreArgs;
use crate::out::Outcome;
use crate::out::say;
use crate::progress::CliProgress;
use serde_json::json;

pub async fn run(args: RestoreArgs) -> anyhow::Result<Outcome> {
    let config = super::database(&args.database)?;
    execute(&config, args).await
}

/// The restore into an already resolved database (`migrate` resolves its target itself).
pub async fn execute(config: &DatabaseConfig, args: RestoreArgs) -> anyhow::Result<Outcome> {
    super::print_database(config);
    say!("Restore folder: {}", absolute(&args.directory).display());
    let opts = RestoreOptions {
        dir: args.directory.clone(),
        includes: args.includes.as_deref().map(list),
        excludes: list(&args.excludes),
        drop_existing: args.drop_existing,
        resume: args.resume,
        target: Some(config.database_type.into()),
    };
    let progress = Arc::new(CliProgress::new("restored"));
    // SQLite (whose file connecting creates) and SQL Server get the folder checked in full
    // before the target is opened; MySQL and PostgreSQL get its metadata and files checked
    // first, and its rows before anything stays in the target, the largest table loading
    // meanwhile.
    let (schema, schema_source, tables) = restore_outline(&opts)?;
    let dialect = Dialect::from(config.database_type);
    let plan = if dialect.has_bulk_text() && !args.resume {
        None
    } else {
        Some(plan_restore(&opts, &*progress)?)
    };
    match schema {
        CmsSchema::Any => {}
        schema => say!(
            "Target schema: {} (SiteServer {}): column types, names and content-table indexes as that version creates them",
            match schema {
                CmsSchema::V6 => "6.x",
                _ => "7.x",
            },
            schema_source
        ),
    }
    let mut jobs = args.jobs.unwrap_or_else(crate::default_jobs);
    if config.database_type == DatabaseType::Sqlite && jobs > 1 {
        jobs = 1;
    }
    let jobs = usize::try_from(jobs).unwrap_or(1).min(tables.max(1));
    let mut drivers = Vec::with_capacity(jobs);
    for _ in 0..jobs {
        drivers.push(connect(config, Access::ReadWrite).await?);
    }
    if jobs > 1 {
        say!("Jobs: {jobs} tables at a time, one connection each");
    }
    let connections = drivers.iter_mut().map(|d| d.as_mut()).collect();
    let report = match plan {
        Some(plan) => restore_jobs(connections, plan, &*progress).await,
        None => restore_folder(connections, &opts, progress.clone()).await,
    };
    let verified = match (&report, args.no_verify) {
        (Ok(r), false) => {
            let opts = VerifyOptions {
                counts_only: true,
                tables: Some(r.tables.iter().map(|t| t.table.clone()).collect()),
            };
            let reader = BackupReader::open(&args.directory)?;
            Some(verify(drivers[0].as_mut(), &reader, &opts, &NoProgress).await)
        }
        _ => None,
    };
    super::close_all(drivers, report.is_err()).await?;
    let report = report?;
    let rows: u64 = report.tables.iter().map(|t| t.rows).sum();
    say!(
        "Summary: {} table(s), {} row(s) restored from {}",
        report.tables.len(),
        thousands(rows),
        absolute(&args.directory).display()
    );
    for s in &report.skipped {
        say!("  skipped {}: {}", s.table, s.reason);
    }
    let verified = verified.transpose()?;
    if let Some(v) = &verified {
        super::verify::print_report(v);
    }
    Ok(Outcome {
        ok: verified.as_ref().is_none_or(|v| v.ok),
        summary: json!({
            "directory": absolute(&args.directory),
            "database": super::database_json(config),
            "jobs": jobs,
            "tables": report.tables,
            "rows": rows,
            "skipped": report.skipped,
            "verify": verified,
        }),
    })
}
