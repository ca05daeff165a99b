//! Rows already in the folder's JSON form. A driver writes its values straight from the wire
//! into one buffer, keys and all, instead of building a `serde_json::Value` (an allocation and
//! a copy for each text) that the page writer then encodes and frees; the page writer then
//! takes a run of rows with one copy.

use std::ops::Range;

use serde_json::Value;

use crate::model::TableMeta;
use crate::naming::camel_case;

/// Rows a page can take as they are; see [`JsonRows::needs_more`] for their batching.
pub struct JsonRows {
    /// Rows one after another, each written `,{"key":value,…}`: with a comma before every
    /// row, rows side by side are already a page's text.
    bytes: Vec<u8>,
    /// Where each complete row ends in `bytes`.
    ends: Vec<usize>,
    /// Each column's JSON key and colon, as the page writer writes them.
    keys: Vec<Box<[u8]>>,
    /// The column of the next value in the row being written.
    next: usize,
}

/// Rows and bytes of one batch: enough to make the stream's cost per row small, little enough
/// that memory stays flat whatever the rows' size.
const BATCH_ROWS: usize = 256;
const BATCH_BYTES: usize = 256 * 1024;

impl JsonRows {
    pub fn new(table: &TableMeta) -> Self {
        JsonRows {
            bytes: Vec::with_capacity(BATCH_BYTES + BATCH_BYTES / 4),
            ends: Vec::with_capacity(BATCH_ROWS),
            keys: json_keys(table)
                .into_iter()
                .map(|k| format!("{k}:").into_bytes().into_boxed_slice())
                .collect(),
            next: 0,
        }
    }

    /// Writes a value as the page writer writes it.
    pub fn push_value(&mut self, v: &Value) {
        self.key();
        super::rows::push_value(&mut self.bytes, v);
    }

    /// A string value, escaped as the page writer escapes it.
    pub fn push_str(&mut self, s: &str) {
        self.key();
        super::rows::push_str(&mut self.bytes, s);
    }

    pub fn push_int(&mut self, i: i64) {
        self.key();
        self.bytes
            .extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
    }

    pub fn push_null(&mut self) {
        self.key();
        self.bytes.extend_from_slice(b"null");
    }

    /// What comes before the next value: the row's start or a comma, then its key.
    fn key(&mut self) {
        self.bytes
            .extend_from_slice(if self.next == 0 { b",{" } else { b"," });
        // A value past the last column gets no key, which the row's check in `end_row` reports.
        if let Some(k) = self.keys.get(self.next) {
            self.bytes.extend_from_slice(k);
        }
        self.next += 1;
    }

    /// Ends the row whose values were pushed, one for each column.
    ///
    /// # Panics
    /// If the row had another number of values: a driver's bug, which would shift every key.
    pub fn end_row(&mut self) {
        assert_eq!(
            self.next,
            self.keys.len(),
            "a row of {} values for {} columns",
            self.next,
            self.keys.len()
        );
        if self.next == 0 {
            self.bytes.extend_from_slice(b",{");
        }
        self.bytes.push(b'}');
        self.ends.push(self.bytes.len());
        self.next = 0;
    }

    /// Whether the batch can take another row before it is handed on.
    pub fn needs_more(&self) -> bool {
        self.ends.len() < BATCH_ROWS && self.bytes.len() < BATCH_BYTES
    }

    /// Empties the batch for the next rows, keeping its memory.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
        self.next = 0;
    }

    /// Complete rows held.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn columns(&self) -> usize {
        self.keys.len()
    }

    /// Row `i` as the JSON object a page holds.
    pub fn row(&self, i: usize) -> &[u8] {
        &self.runs(i..i + 1)[1..]
    }

    /// Rows `rows`, each after its comma.
    pub(super) fn runs(&self, rows: Range<usize>) -> &[u8] {
        let start = match rows.start {
            0 => 0,
            i => self.ends[i - 1],
        };
        &self.bytes[start..self.ends[rows.end - 1]]
    }
}

/// The JSON-encoded camelCase key of each column, as a page writes them.
pub(super) fn json_keys(meta: &TableMeta) -> Vec<String> {
    meta.columns
        .iter()
        .map(|c| serde_json::to_string(&camel_case(&c.attribute_name)).unwrap_or_default())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, DataType};
    use serde_json::json;

    fn table(columns: &[&str]) -> TableMeta {
        TableMeta {
            name: "t".into(),
            columns: columns
                .iter()
                .map(|c| Column::new(*c, DataType::VarChar))
                .collect(),
        }
    }

    #[test]
    fn rows_are_written_with_their_keys() {
        let mut rows = JsonRows::new(&table(&["Id", "Title"]));
        rows.push_int(1);
        rows.push_str("a\"b");
        rows.end_row();
        rows.push_null();
        rows.push_value(&json!(true));
        rows.end_row();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows.row(0), br#"{"id":1,"title":"a\"b"}"#);
        assert_eq!(rows.row(1), br#"{"id":null,"title":true}"#);
        assert_eq!(
            rows.runs(0..2),
            br#",{"id":1,"title":"a\"b"},{"id":null,"title":true}"#
        );
    }

    #[test]
    fn typed_values_are_written_as_their_values_would_be() {
        let meta = table(&["A", "B", "C"]);
        let mut typed = JsonRows::new(&meta);
        typed.push_int(-42);
        typed.push_str("\"x\"\\\n\u{1}中😀");
        typed.push_null();
        typed.end_row();
        let mut valued = JsonRows::new(&meta);
        valued.push_value(&json!(-42));
        valued.push_value(&json!("\"x\"\\\n\u{1}中😀"));
        valued.push_value(&Value::Null);
        valued.end_row();
        assert_eq!(typed.row(0), valued.row(0));
    }

    #[test]
    fn a_table_without_columns_has_empty_rows() {
        let mut rows = JsonRows::new(&table(&[]));
        rows.end_row();
        rows.end_row();
        assert_eq!(rows.runs(0..2), b",{},{}");
    }

    #[test]
    #[should_panic(expected = "a row of 1 values for 2 columns")]
    fn a_short_row_is_a_bug_caught() {
        let mut rows = JsonRows::new(&table(&["A", "B"]));
        rows.push_int(1);
        rows.end_row();
    }

    #[test]
    fn a_batch_fills_by_rows_or_by_bytes() {
        let meta = table(&["A"]);
        let mut rows = JsonRows::new(&meta);
        while rows.needs_more() {
            rows.push_value(&json!(0));
            rows.end_row();
        }
        assert_eq!(rows.len(), BATCH_ROWS);
        let mut big = JsonRows::new(&meta);
        big.push_value(&Value::String("x".repeat(BATCH_BYTES)));
        big.end_row();
        assert!(!big.needs_more());
    }
}
