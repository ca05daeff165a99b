//! `siteserver update`.

use anyhow::Context;
use sscms_core::Registry;
use sscms_core::adapter::HopOptions;
use sscms_core::adapter::Target;
use sscms_core::update::{UpdateOptions, update};

use super::{absolute, thousands};
use crate::UpdateArgs;
use crate::out::Outcome;
use crate::out::say;
use crate::progress::CliProgress;
use serde_json::json;

pub fn run(args: UpdateArgs) -> anyhow::Result<Outcome> {
    let registry = Registry::load()?;
    let to = if args.to.eq_ignore_ascii_case("latest") {
        Target::Latest
    } else {
        Target::Named(args.to.clone())
    };
    say!("Backup folder: {}", absolute(&args.directory).display());
    say!("Update folder: {}", absolute(&args.output).display());
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
    say!("Detected version: {}", report.detected);
    say!(
        "Updated {} -> {} through {}",
        report.from,
        report.to,
        report.chain.join(" -> ")
    );
    say!(
        "{:<40} {:<40} {:>10} {:>10}  status",
        "backup table",
        "update table",
        "rows in",
        "rows out"
    );
    for t in &report.tables {
        say!(
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
        say!(
            "  moved {}.{} into {} ({} rows)",
            m.table,
            m.column,
            m.into,
            thousands(m.rows)
        );
    }
    for u in &report.unplaced_values {
        say!(
            "  NOT PLACED {}: {}.{} ({} rows) has no column in the next version",
            u.hop,
            u.table,
            u.column,
            thousands(u.rows)
        );
    }
    for d in &report.dropped_rows {
        say!(
            "  DROPPED {}: {} rows of {}: {}",
            d.hop,
            thousands(d.rows),
            d.table,
            d.reason
        );
    }
    for n in &report.notes {
        say!("  note: {n}");
    }
    say!(
        "Report: {}",
        absolute(&args.output.join(sscms_core::update::REPORT_FILE)).display()
    );
    Ok(Outcome {
        ok: report.ok(),
        summary: json!({
            "directory": absolute(&args.directory),
            "output": absolute(&args.output),
            "report": absolute(&args.output.join(sscms_core::update::REPORT_FILE)),
            "detected": report.detected,
            "from": report.from,
            "to": report.to,
            "chain": report.chain,
            "tables": report.tables,
            "rows": report.tables.iter().map(|t| t.rows_out).sum::<u64>(),
            "movedValues": report.moved_values,
            "unplacedValues": report.unplaced_values,
            "droppedRows": report.dropped_rows,
            "unaccounted": report.unaccounted,
            "notes": report.notes,
        }),
    })
}
