//! Per-table lines on stdout, and a progress bar on stderr for long tables when it is a terminal.

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};
use sscms_core::Progress;

use crate::cmd::thousands;

/// Tables with at least this many rows get a bar.
const BAR_THRESHOLD: u64 = 5_000;

pub struct CliProgress {
    verb: &'static str,
    terminal: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl CliProgress {
    pub fn new(verb: &'static str) -> Self {
        CliProgress {
            verb,
            terminal: std::io::stderr().is_terminal(),
            bar: Mutex::new(None),
        }
    }

    fn clear(&self) {
        if let Some(bar) = self.bar.lock().ok().and_then(|mut b| b.take()) {
            bar.finish_and_clear();
        }
    }
}

impl Progress for CliProgress {
    fn table_started(&self, table: &str, rows: u64) {
        if self.terminal && rows >= BAR_THRESHOLD {
            let bar = ProgressBar::new(rows);
            if let Ok(style) =
                ProgressStyle::with_template("  {msg} [{bar:40}] {pos}/{len} rows ({eta})")
            {
                bar.set_style(style.progress_chars("#>-"));
            }
            bar.set_message(table.to_string());
            if let Ok(mut b) = self.bar.lock() {
                *b = Some(bar);
            }
        }
    }

    fn rows_done(&self, _table: &str, rows: u64) {
        if let Some(bar) = self.bar.lock().ok().as_ref().and_then(|b| b.as_ref()) {
            bar.inc(rows);
        }
    }

    fn table_finished(&self, table: &str, rows: u64) {
        self.clear();
        println!("  {table}: {} row(s) {}", thousands(rows), self.verb);
    }

    fn table_failed(&self, table: &str, error: &str) {
        self.clear();
        eprintln!("  {table}: FAILED: {error}");
    }

    fn warn(&self, message: &str) {
        self.clear();
        eprintln!("warning: {message}");
    }
}
