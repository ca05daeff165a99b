//! Checked rows, kept in a compact binary file between the check and the load, so each row of
//! the folder is parsed from JSON once.
//!
//! A value is a tag byte and its payload, little-endian: 0 null, 1 false, 2 true, 3 integer
//! (i64), 4 text and 5 decimal (u32 byte length, UTF-8), 6 date and time (i64 seconds, u32
//! nanoseconds). The file lives in a temporary folder that is removed with the plan.
//!
//! For a target with a bulk text ([`Dialect::bulk_row`]) a row is instead one record: a u32
//! byte length and the row's text, which the load sends as it is.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use chrono::DateTime;

use crate::db::Dialect;
use crate::error::{Error, Result};
use crate::value::SqlValue;

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const INT: u8 = 3;
const TEXT: u8 = 4;
const DECIMAL: u8 = 5;
const DATETIME: u8 = 6;

/// A table's checked rows, and how many came from each row file, so a failed insert can name
/// the file its rows came from.
#[derive(Debug)]
pub(super) struct Spilled {
    pub(super) path: PathBuf,
    pub(super) files: Vec<(String, u64)>,
    /// Whose bulk text the rows are in; `None`: values.
    pub(super) text: Option<Dialect>,
}

/// Of row files with their rows, in table order, those that rows `from..to` came from.
pub(super) fn files_of(files: &[(String, u64)], from: u64, to: u64) -> String {
    let mut start = 0u64;
    let mut names = Vec::new();
    for (name, rows) in files {
        let end = start + rows;
        if end > from && start < to.max(from + 1) {
            names.push(name.as_str());
        }
        start = end;
    }
    names.join(", ")
}

/// Appends rows to a spill file.
pub(super) struct SpillWriter {
    path: PathBuf,
    out: BufWriter<File>,
}

impl SpillWriter {
    pub(super) fn create(path: &Path) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        Ok(SpillWriter {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(256 * 1024, file),
        })
    }

    #[cfg(test)]
    fn push(&mut self, row: &[SqlValue]) -> Result<()> {
        write_row(&mut self.out, row).map_err(|e| Error::io(&self.path, e))
    }

    /// Appends rows [`encode_row`] wrote.
    pub(super) fn push_encoded(&mut self, rows: &[u8]) -> Result<()> {
        self.out
            .write_all(rows)
            .map_err(|e| Error::io(&self.path, e))
    }

    pub(super) fn finish(mut self) -> Result<PathBuf> {
        self.out.flush().map_err(|e| Error::io(&self.path, e))?;
        Ok(self.path)
    }
}

/// One row in the spill's encoding, for [`SpillWriter::push_encoded`].
pub(super) fn encode_row(out: &mut Vec<u8>, row: &[SqlValue]) -> io::Result<()> {
    write_row(out, row)
}

fn write_row(out: &mut impl Write, row: &[SqlValue]) -> io::Result<()> {
    for v in row {
        match v {
            SqlValue::Null => out.write_all(&[NULL])?,
            SqlValue::Bool(false) => out.write_all(&[FALSE])?,
            SqlValue::Bool(true) => out.write_all(&[TRUE])?,
            SqlValue::Int(n) => {
                out.write_all(&[INT])?;
                out.write_all(&n.to_le_bytes())?;
            }
            SqlValue::Text(s) | SqlValue::Decimal(s) => {
                let tag = if matches!(v, SqlValue::Text(_)) {
                    TEXT
                } else {
                    DECIMAL
                };
                let len = u32::try_from(s.len())
                    .map_err(|_| io::Error::other("a value of 4 GB or more"))?;
                out.write_all(&[tag])?;
                out.write_all(&len.to_le_bytes())?;
                out.write_all(s.as_bytes())?;
            }
            SqlValue::DateTime(d) => {
                let utc = d.and_utc();
                out.write_all(&[DATETIME])?;
                out.write_all(&utc.timestamp().to_le_bytes())?;
                out.write_all(&utc.timestamp_subsec_nanos().to_le_bytes())?;
            }
        }
    }
    Ok(())
}

/// Reads rows of `columns` values back, in the order they were written.
pub(super) struct SpillReader {
    path: PathBuf,
    input: BufReader<File>,
    columns: usize,
}

impl SpillReader {
    pub(super) fn open(path: &Path, columns: usize) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Ok(SpillReader {
            path: path.to_path_buf(),
            input: BufReader::with_capacity(256 * 1024, file),
            columns,
        })
    }

    /// The next row, or `None` at the end.
    pub(super) fn next_row(&mut self) -> Result<Option<Vec<SqlValue>>> {
        let mut tag = [0u8; 1];
        match self.input.read_exact(&mut tag) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(Error::io(&self.path, e)),
        }
        let mut row = Vec::with_capacity(self.columns);
        row.push(self.value(tag[0])?);
        for _ in 1..self.columns {
            self.input
                .read_exact(&mut tag)
                .map_err(|e| Error::io(&self.path, e))?;
            row.push(self.value(tag[0])?);
        }
        Ok(Some(row))
    }
}

/// Rows in a target's bulk text, one record at a time.
pub(super) trait Records {
    /// Appends the next row's bulk text to `out`; false at the end.
    fn next_text(&mut self, out: &mut Vec<u8>) -> Result<bool>;
}

impl Records for SpillReader {
    fn next_text(&mut self, out: &mut Vec<u8>) -> Result<bool> {
        let mut len = [0u8; 4];
        match self.input.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
            Err(e) => return Err(Error::io(&self.path, e)),
        }
        let len = u32::from_le_bytes(len) as usize;
        let start = out.len();
        out.resize(start + len, 0);
        self.input
            .read_exact(&mut out[start..])
            .map_err(|e| Error::io(&self.path, e))?;
        Ok(true)
    }
}

/// The checked rows of one table, handed to a load that runs while the check goes on: per
/// row file in order, its name, its rows and their records (as [`Records::next_text`] reads
/// them).
pub(super) type Checked = (String, u64, Vec<u8>);

/// The records of a check still running, file by file as it hands them over; the files seen
/// so far are kept in `files`, to name where a failed row came from.
pub(super) struct CheckedRecords {
    pub(super) rx: tokio::sync::mpsc::Receiver<Checked>,
    pub(super) files: std::sync::Arc<std::sync::Mutex<Vec<(String, u64)>>>,
    current: Vec<u8>,
    at: usize,
}

impl CheckedRecords {
    pub(super) fn new(
        rx: tokio::sync::mpsc::Receiver<Checked>,
        files: std::sync::Arc<std::sync::Mutex<Vec<(String, u64)>>>,
    ) -> Self {
        CheckedRecords {
            rx,
            files,
            current: Vec::new(),
            at: 0,
        }
    }
}

impl Records for CheckedRecords {
    fn next_text(&mut self, out: &mut Vec<u8>) -> Result<bool> {
        while self.at >= self.current.len() {
            let Some((file, rows, records)) = self.rx.blocking_recv() else {
                return Ok(false);
            };
            self.files
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((file, rows));
            self.current = records;
            self.at = 0;
        }
        let bad = || Error::Invalid("a checked row's record is cut short".into());
        let head = self.current.get(self.at..self.at + 4).ok_or_else(bad)?;
        let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let start = self.at + 4;
        let record = self.current.get(start..start + len).ok_or_else(bad)?;
        out.extend_from_slice(record);
        self.at = start + len;
        Ok(true)
    }
}

impl SpillReader {
    fn value(&mut self, tag: u8) -> Result<SqlValue> {
        let r = &mut self.input;
        let v = match tag {
            NULL => Ok(SqlValue::Null),
            FALSE => Ok(SqlValue::Bool(false)),
            TRUE => Ok(SqlValue::Bool(true)),
            INT => read_i64(r).map(SqlValue::Int),
            TEXT | DECIMAL => read_text(r).map(|s| {
                if tag == TEXT {
                    SqlValue::Text(s)
                } else {
                    SqlValue::Decimal(s)
                }
            }),
            DATETIME => read_datetime(r).map(SqlValue::DateTime),
            other => Err(io::Error::other(format!("unknown value tag {other}"))),
        };
        v.map_err(|e| Error::io(&self.path, e))
    }
}

fn read_i64(r: &mut impl Read) -> io::Result<i64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(i64::from_le_bytes(b))
}

fn read_u32(r: &mut impl Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_text(r: &mut impl Read) -> io::Result<String> {
    let len = read_u32(r)? as usize;
    let mut b = vec![0u8; len];
    r.read_exact(&mut b)?;
    String::from_utf8(b).map_err(io::Error::other)
}

fn read_datetime(r: &mut impl Read) -> io::Result<chrono::NaiveDateTime> {
    let secs = read_i64(r)?;
    let nanos = read_u32(r)?;
    DateTime::from_timestamp(secs, nanos)
        .map(|d| d.naive_utc())
        .ok_or_else(|| io::Error::other("date out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.bin");
        let date = chrono::NaiveDate::from_ymd_opt(2020, 5, 1)
            .unwrap()
            .and_hms_nano_opt(8, 30, 0, 250_000_000)
            .unwrap();
        let rows = vec![
            vec![
                SqlValue::Int(-7),
                SqlValue::Text("中文 \t\n\\N 😀".into()),
                SqlValue::Decimal("-12.50".into()),
                SqlValue::DateTime(date),
                SqlValue::Bool(true),
            ],
            vec![
                SqlValue::Null,
                SqlValue::Text(String::new()),
                SqlValue::Null,
                SqlValue::Null,
                SqlValue::Bool(false),
            ],
        ];
        let mut w = SpillWriter::create(&path).unwrap();
        for r in &rows {
            w.push(r).unwrap();
        }
        let path = w.finish().unwrap();
        let mut r = SpillReader::open(&path, 5).unwrap();
        let mut got = Vec::new();
        while let Some(row) = r.next_row().unwrap() {
            got.push(row);
        }
        assert_eq!(got, rows);
    }
}
