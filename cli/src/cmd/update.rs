//! `siteserver update`.

use anyhow::Context;
use sscms_core::Registry;
use sscms_core::adapter::HopOptions;
use sscms_core::adapter::Target;
use sscms_core::update::{UpdateOptions, update};

use super::{absolute, thousands};
use crate::UpdateArgs;
use crate::progress::CliProgress;

pub fn run(args: UpdateArgs) -> anyhow::Result<bool> {
    let registry = Registry::load()?;
    let to = if args.to.eq_ignore_ascii_case("latest") {
        Target::Latest
    } else {
        Target::Named(args.to.clone())
    };
    println!("Backup folder: {}", absolute(&args.directory).display());
    println!("Update folder: {}", absolute(&args.output).display());
    let opts = UpdateOptions {
        dir: args.directory.clone(),
        out: args.output.clone(),
        from: args.from.clone(),
        to,
        overwrite: args.overwrite,
        page_size: usize::try_from(args.page_size).context("--page-size is too large")?,
        hop: HopOptions {
            split_contents: args.split_contents,
        },
    };
    let progress = CliProgress::new("written");
    let report = update(&registry, &opts, &progress)?;
    println!("Detected version: {}", report.detected);
    println!(
        "Updated {} -> {} through {}",
        report.from,
        report.to,
        report.chain.join(" -> ")
    );
    println!(
        "{:<40} {:<40} {:>10} {:>10}  status",
        "backup table", "update table", "rows in", "rows out"
    );
    for t in &report.tables {
        println!(
            "{:<40} {:<40} {:>10} {:>10}  {}",
            if t.source.is_empty() {
                "-".to_string()
            } else {
                t.source.join(", ")
            },
            t.target,
            thousands(t.rows_in),
            thousands(t.rows_out),
            serde_json::to_value(t.status)?.as_str().unwrap_or_default()
        );
    }
    for m in &report.moved_values {
        println!(
            "  moved {}.{} into {} ({} rows)",
            m.table,
            m.column,
            m.into,
            thousands(m.rows)
        );
    }
    for u in &report.unplaced_values {
        println!(
            "  NOT PLACED {}: {}.{} ({} rows) has no column in the next version",
            u.hop,
            u.table,
            u.column,
            thousands(u.rows)
        );
    }
    for d in &report.dropped_rows {
        println!(
            "  DROPPED {}: {} rows of {}: {}",
            d.hop,
            thousands(d.rows),
            d.table,
            d.reason
        );
    }
    for n in &report.notes {
        println!("  note: {n}");
    }
    println!(
        "Report: {}",
        absolute(&args.output.join(sscms_core::update::REPORT_FILE)).display()
    );
    Ok(report.ok())
}
