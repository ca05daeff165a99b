//! Per-table lines on stdout, and a progress bar on stderr for long tables when it is a terminal.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use sscms_core::Progress;

use crate::cmd::thousands;
use crate::out::say;

/// Tables with at least this many rows get a bar.
const BAR_THRESHOLD: u64 = 5_000;

pub struct CliProgress {
    verb: &'static str,
    terminal: bool,
    /// One bar per table in flight (several with `--jobs`).
    bars: MultiProgress,
    by_table: Mutex<HashMap<String, ProgressBar>>,
}

impl CliProgress {
    pub fn new(verb: &'static str) -> Self {
        CliProgress {
            verb,
            terminal: std::io::stderr().is_terminal(),
            bars: MultiProgress::new(),
            by_table: Mutex::new(HashMap::new()),
        }
    }

    fn clear(&self, table: &str) {
        if let Some(bar) = self.by_table.lock().ok().and_then(|mut b| b.remove(table)) {
            bar.finish_and_clear();
            self.bars.remove(&bar);
        }
    }

    /// Prints a line above the bars.
    fn line(&self, text: &str, stderr: bool) {
        let bars = self.by_table.lock().map(|b| !b.is_empty()).unwrap_or(false);
        match (bars, stderr) {
            (true, _) => {
                let _ = self.bars.println(text);
            }
            (false, true) => eprintln!("{text}"),
            (false, false) => say!("{text}"),
        }
    }
}

impl Progress for CliProgress {
    fn table_started(&self, table: &str, rows: u64) {
        if self.terminal && rows >= BAR_THRESHOLD {
            let bar = self.bars.add(ProgressBar::new(rows));
            if let Ok(style) =
                ProgressStyle::with_template("  {msg} [{bar:40}] {pos}/{len} rows ({eta})")
            {
                bar.set_style(style.progress_chars("#>-"));
            }
            bar.set_message(table.to_string());
            if let Ok(mut b) = self.by_table.lock() {
                b.insert(table.to_string(), bar);
            }
        }
    }

    fn rows_done(&self, table: &str, rows: u64) {
        if let Some(bar) = self
            .by_table
            .lock()
            .ok()
            .as_ref()
            .and_then(|b| b.get(table))
        {
            bar.inc(rows);
        }
    }

    fn table_finished(&self, table: &str, rows: u64) {
        self.clear(table);
        self.line(
            &format!("  {table}: {} row(s) {}", thousands(rows), self.verb),
            false,
        );
    }

    fn table_failed(&self, table: &str, error: &str) {
        self.clear(table);
        self.line(&format!("  {table}: FAILED: {error}"), true);
    }

    fn warn(&self, message: &str) {
        self.line(&format!("warning: {message}"), true);
    }
}
