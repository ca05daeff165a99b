//! `siteserver verify`.

use sscms_core::ops::{VerifyOptions, VerifyReport, VerifyStatus, verify};
use sscms_core::{Access, BackupReader, NoProgress, connect};

use super::{absolute, thousands};
use crate::VerifyArgs;
use crate::out::Outcome;
use crate::out::say;

pub async fn run(args: VerifyArgs) -> anyhow::Result<Outcome> {
    let config = super::database(&args.database)?;
    super::print_database(&config);
    say!("Folder: {}", absolute(&args.directory).display());
    let reader = BackupReader::open(&args.directory)?;
    let mut driver = connect(&config, Access::ReadOnly).await?;
    let opts = VerifyOptions {
        counts_only: args.counts_only,
        tables: None,
    };
    let report = verify(driver.as_mut(), &reader, &opts, &NoProgress).await;
    driver.close().await?;
    let report = report?;
    print_report(&report);
    Ok(Outcome {
        ok: report.ok,
        summary: serde_json::to_value(&report)?,
    })
}

/// One line per table (folder rows, database rows, status), then each difference.
pub fn print_report(report: &VerifyReport) {
    let width = report
        .tables
        .iter()
        .map(|t| t.table.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    say!(
        "{:width$}  {:>12}  {:>12}  status",
        "table",
        "folder rows",
        "database rows"
    );
    for t in &report.tables {
        let status = match t.status {
            VerifyStatus::Ok => "ok",
            VerifyStatus::Missing => "MISSING",
            VerifyStatus::Count => "COUNT DIFFERS",
            VerifyStatus::Differs => "VALUES DIFFER",
        };
        say!(
            "{:width$}  {:>12}  {:>12}  {status}",
            t.table,
            thousands(t.folder_rows),
            t.database_rows.map_or_else(|| "-".into(), thousands),
        );
        for d in &t.differences {
            match &d.column {
                Some(c) => say!(
                    "    {}: {} {c}: folder {:?}, database {:?}",
                    t.table,
                    d.key,
                    d.folder.as_deref().unwrap_or_default(),
                    d.database.as_deref().unwrap_or_default()
                ),
                None => say!("    {}: {}: {}", t.table, d.key, d.what),
            }
        }
    }
    let bad = report
        .tables
        .iter()
        .filter(|t| t.status != VerifyStatus::Ok)
        .count();
    if bad == 0 {
        say!(
            "Verified: {} table(s) match{}",
            report.tables.len(),
            if report.counts_only {
                " (row counts)"
            } else {
                ""
            }
        );
    } else {
        eprintln!(
            "error: {bad} of {} table(s) do not match the folder",
            report.tables.len()
        );
    }
}
