//! Progress reports from the backup, restore and update loops.

/// Receives progress from the loops in [`crate::ops`]. Every method has a no-op default, so a
/// caller implements only what it shows.
pub trait Progress: Send + Sync {
    /// A table is starting; `rows` is the number expected.
    fn table_started(&self, _table: &str, _rows: u64) {}

    /// `rows` more rows of the current table are done.
    fn rows_done(&self, _table: &str, _rows: u64) {}

    /// The table is done with `rows` rows.
    fn table_finished(&self, _table: &str, _rows: u64) {}

    /// The table failed; the loop goes on with the next one where it can.
    fn table_failed(&self, _table: &str, _error: &str) {}

    /// A line of information, such as a skipped table.
    fn note(&self, _message: &str) {}

    /// Something the user should know about, such as a column widened for its values.
    fn warn(&self, _message: &str) {}
}

/// Shows nothing.
pub struct NoProgress;

impl Progress for NoProgress {}

/// Keeps the notes and shows nothing, for a caller that reads them afterwards.
#[derive(Default)]
pub struct Notes(std::sync::Mutex<Vec<String>>);

impl Notes {
    /// The notes so far, in order.
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Progress for Notes {
    fn note(&self, message: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(message.to_string());
    }
}
