//! `siteserver backup`.

use anyhow::Context;
use sscms_core::ops::{BackupOptions, backup_jobs};
use sscms_core::{Access, DatabaseConfig, DatabaseType, connect};

use super::{absolute, list, thousands};
use crate::BackupArgs;
use crate::out::Outcome;
use crate::out::say;
use crate::progress::CliProgress;
use serde_json::{Value, json};

pub async fn run(args: BackupArgs) -> anyhow::Result<Outcome> {
    let config = super::database(&args.database)?;
    execute(&config, args).await
}

/// The backup of an already resolved database (`migrate` resolves its source itself).
pub async fn execute(config: &DatabaseConfig, args: BackupArgs) -> anyhow::Result<Outcome> {
    let dir = args
        .directory
        .clone()
        .unwrap_or_else(|| format!("backup/{}", chrono::Local::now().format("%Y-%m-%d")).into());
    super::print_database(config);
    say!("Backup folder: {}", absolute(&dir).display());
    let opts = BackupOptions {
        dir: dir.clone(),
        includes: args.includes.as_deref().map(list),
        excludes: list(&args.excludes),
        max_rows: (args.max_rows > 0).then_some(args.max_rows),
        page_size: usize::try_from(args.page_size).context("--page-size is too large")?,
        resume: args.resume,
        source: Some(config.masked()),
    };
    let jobs = match config.database_type {
        DatabaseType::MySql | DatabaseType::PostgreSql => {
            args.jobs.unwrap_or_else(crate::default_jobs)
        }
        _ => 1,
    };
    let mut drivers = Vec::new();
    for _ in 0..jobs.max(1) {
        drivers.push(connect(config, Access::ReadOnly).await?);
    }
    if drivers.len() > 1 {
        say!(
            "Jobs: {} tables at a time, one connection each, one snapshot",
            drivers.len()
        );
    }
    let progress = CliProgress::new("backed up");
    let report = backup_jobs(
        drivers.iter_mut().map(|d| d.as_mut()).collect(),
        &opts,
        &progress,
    )
    .await;
    super::close_all(drivers, report.as_ref().map_or(true, |r| !r.ok())).await?;
    let report = report?;
    let rows: u64 = report.tables.iter().map(|t| t.rows).sum();
    say!(
        "Summary: {} table(s), {} row(s) backed up to {}",
        report.tables.len(),
        thousands(rows),
        absolute(&dir).display()
    );
    if !report.kept.is_empty() {
        say!(
            "  {} table(s) kept from the stopped backup: {}",
            report.kept.len(),
            report.kept.join(", ")
        );
    }
    match &report.version {
        Some(Ok(d)) => say!("SiteServer version: {d}"),
        Some(Err(e)) => say!("SiteServer version: not detected ({e})"),
        None => {}
    }
    for s in &report.skipped {
        say!("  skipped {}: {}", s.table, s.reason);
    }
    for f in &report.failed {
        eprintln!("  FAILED {}: {}", f.table, f.error);
    }
    if !report.ok() {
        eprintln!(
            "error: {} table(s) failed, so {} is marked incomplete ({}) and no restore will \
             take it; once the cause is fixed, run the same command with --resume to back up \
             only what is missing",
            report.failed.len(),
            absolute(&dir).display(),
            sscms_core::backup::INCOMPLETE_FILE
        );
    }
    let version = match &report.version {
        Some(Ok(d)) => {
            json!({"version": d.version.to_string(), "evidence": d.evidence.to_string()})
        }
        Some(Err(e)) => json!({"error": e}),
        None => Value::Null,
    };
    Ok(Outcome {
        ok: report.ok(),
        summary: json!({
            "directory": absolute(&dir),
            "database": super::database_json(config),
            "tables": report.tables,
            "rows": rows,
            "skipped": report.skipped,
            "failed": report.failed,
            "kept": report.kept,
            "incomplete": !report.ok(),
            "sourceVersion": version,
        }),
    })
}
