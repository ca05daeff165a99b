//! Rows already in the folder's JSON form, value by value. A driver writes its values straight
//! from the wire into one buffer, instead of building a `serde_json::Value` (an allocation and a
//! copy for each text) that the page writer then encodes and frees.

use serde_json::Value;

/// Rows a page can take as they are; see [`JsonRows::needs_more`] for their batching.
pub struct JsonRows {
    bytes: Vec<u8>,
    /// Where each value ends in `bytes`, row after row.
    ends: Vec<usize>,
    columns: usize,
}

/// Rows and bytes of one batch: enough to make the stream's cost per row small, little enough
/// that memory stays flat whatever the rows' size.
const BATCH_ROWS: usize = 256;
const BATCH_BYTES: usize = 256 * 1024;

impl JsonRows {
    pub fn new(columns: usize) -> Self {
        JsonRows {
            bytes: Vec::with_capacity(BATCH_BYTES + BATCH_BYTES / 4),
            ends: Vec::with_capacity(columns * 16),
            columns,
        }
    }

    /// Writes a value as the page writer writes it.
    pub fn push_value(&mut self, v: &Value) {
        super::rows::push_value(&mut self.bytes, v);
        self.end_value();
    }

    /// A string value, escaped as the page writer escapes it.
    pub fn push_str(&mut self, s: &str) {
        super::rows::push_str(&mut self.bytes, s);
        self.end_value();
    }

    pub fn push_int(&mut self, i: i64) {
        self.bytes
            .extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
        self.end_value();
    }

    pub fn push_null(&mut self) {
        self.bytes.extend_from_slice(b"null");
        self.end_value();
    }

    fn end_value(&mut self) {
        self.ends.push(self.bytes.len());
    }

    /// Whether the batch can take another row before it is handed on.
    pub fn needs_more(&self) -> bool {
        self.ends.len() < BATCH_ROWS * self.columns && self.bytes.len() < BATCH_BYTES
    }

    /// Empties the batch for the next rows, keeping its memory.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    /// Complete rows held.
    pub fn len(&self) -> usize {
        self.ends.len().checked_div(self.columns).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn columns(&self) -> usize {
        self.columns
    }

    /// Row `i`'s values, each as its JSON text.
    pub fn row(&self, i: usize) -> impl Iterator<Item = &[u8]> {
        let first = i * self.columns;
        (first..first + self.columns).map(move |k| {
            let start = if k == 0 { 0 } else { self.ends[k - 1] };
            &self.bytes[start..self.ends[k]]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_give_back_each_value_as_written() {
        let mut rows = JsonRows::new(2);
        rows.push_int(1);
        rows.push_str("a\"b");
        rows.push_null();
        rows.push_value(&json!(true));
        assert_eq!(rows.len(), 2);
        let second: Vec<&[u8]> = rows.row(1).collect();
        assert_eq!(second, [&b"null"[..], b"true"]);
        let first: Vec<&[u8]> = rows.row(0).collect();
        assert_eq!(first, [&b"1"[..], br#""a\"b""#]);
    }

    #[test]
    fn typed_values_are_written_as_their_values_would_be() {
        let mut typed = JsonRows::new(3);
        typed.push_int(-42);
        typed.push_str("\"x\"\\\n\u{1}中😀");
        typed.push_null();
        let mut valued = JsonRows::new(3);
        valued.push_value(&json!(-42));
        valued.push_value(&json!("\"x\"\\\n\u{1}中😀"));
        valued.push_value(&Value::Null);
        assert!(typed.row(0).eq(valued.row(0)));
    }

    #[test]
    fn a_batch_fills_by_rows_or_by_bytes() {
        let mut rows = JsonRows::new(1);
        while rows.needs_more() {
            rows.push_value(&json!(0));
        }
        assert_eq!(rows.len(), BATCH_ROWS);
        let mut big = JsonRows::new(1);
        big.push_value(&Value::String("x".repeat(BATCH_BYTES)));
        assert!(!big.needs_more());
    }
}
