//! COPY's binary format, restore's bulk path into PostgreSQL: the server copies each field
//! instead of parsing it (about a quarter less server time than the text format for content
//! rows), and text needs no escaping.
//!
//! Restore's check writes each row as a tuple ([`tuple`]) before the target's column types are
//! final, so integers go in as `int8`; the load ([`Layout::convert`]) narrows them to the
//! columns' widths as the catalog has them. Where binary input cannot give what the text format
//! gives (a session time zone other than UTC, whose wall-clock dates the text format reads, or
//! a column of an unexpected type), the load writes the same tuples as text lines instead.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta, Timelike};

use crate::db::postgres::dialect::copy_row;
use crate::model::{Column, DataType};
use crate::value::SqlValue;

/// The signature, the flags (no OIDs) and an empty header extension.
pub(crate) const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
/// A field count of -1 ends the data.
pub(crate) const TRAILER: &[u8] = &[0xff, 0xff];

/// PostgreSQL counts dates from 2000-01-01.
fn epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2000, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid date")
}

/// Appends one row as a binary tuple: integers as `int8`, dates as microseconds from 2000 (the
/// wall-clock time taken as UTC), decimals as `numeric`, text as its bytes. The error is the
/// index of a column whose value PostgreSQL cannot store (a NUL in text).
pub(crate) fn tuple(row: &[SqlValue], out: &mut Vec<u8>) -> Result<(), usize> {
    let count = i16::try_from(row.len()).map_err(|_| 0usize)?;
    out.extend_from_slice(&count.to_be_bytes());
    for (i, v) in row.iter().enumerate() {
        match v {
            SqlValue::Null => out.extend_from_slice(&(-1i32).to_be_bytes()),
            SqlValue::Bool(b) => {
                out.extend_from_slice(&1i32.to_be_bytes());
                out.push(u8::from(*b));
            }
            SqlValue::Int(n) => {
                out.extend_from_slice(&8i32.to_be_bytes());
                out.extend_from_slice(&n.to_be_bytes());
            }
            SqlValue::DateTime(d) => {
                out.extend_from_slice(&8i32.to_be_bytes());
                out.extend_from_slice(&micros(d).to_be_bytes());
            }
            SqlValue::Decimal(s) => {
                let start = out.len();
                out.extend_from_slice(&[0; 4]);
                numeric(s, out).ok_or(i)?;
                set_len(out, start)?;
            }
            SqlValue::Text(s) => {
                if s.contains('\0') {
                    return Err(i);
                }
                let len = i32::try_from(s.len()).map_err(|_| i)?;
                out.extend_from_slice(&len.to_be_bytes());
                out.extend_from_slice(s.as_bytes());
            }
        }
    }
    Ok(())
}

/// Microseconds from 2000, rounded half to even as the text input rounds finer fractions.
fn micros(d: &NaiveDateTime) -> i64 {
    let utc = d.and_utc();
    let mut us = utc.timestamp_micros() - epoch().and_utc().timestamp_micros();
    let rest = d.nanosecond() % 1000;
    if rest > 500 || (rest == 500 && us % 2 != 0) {
        us += 1;
    }
    us
}

fn set_len(out: &mut [u8], start: usize) -> Result<(), usize> {
    let len = i32::try_from(out.len() - start - 4).map_err(|_| 0usize)?;
    out[start..start + 4].copy_from_slice(&len.to_be_bytes());
    Ok(())
}

/// `numeric`'s binary form of a plain decimal (`-12.50`, as `normalize_decimal` writes it):
/// base-10000 digits around the point, the weight of the first, the sign and the scale.
fn numeric(s: &str, out: &mut Vec<u8>) -> Option<()> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let scale = u16::try_from(frac.len()).ok()?;
    // Groups of four digits, the integer part aligned on its right, the fraction on its left.
    let lead = (4 - int.len() % 4) % 4;
    let int_groups = (int.len() + lead) / 4;
    let padded: Vec<u8> = std::iter::repeat_n(b'0', lead)
        .chain(int.bytes())
        .chain(frac.bytes())
        .chain(std::iter::repeat_n(b'0', (4 - frac.len() % 4) % 4))
        .collect();
    let mut groups: Vec<i16> = padded
        .chunks(4)
        .map(|c| c.iter().fold(0i16, |n, d| n * 10 + i16::from(d - b'0')))
        .collect();
    let mut weight = i16::try_from(int_groups).ok()? - 1;
    let zeros = groups.iter().take_while(|g| **g == 0).count();
    groups.drain(..zeros);
    weight -= i16::try_from(zeros).ok()?;
    while groups.last() == Some(&0) {
        groups.pop();
    }
    let sign: u16 = if negative && !groups.is_empty() {
        0x4000
    } else {
        0
    };
    if groups.is_empty() {
        weight = 0;
    }
    out.extend_from_slice(&i16::try_from(groups.len()).ok()?.to_be_bytes());
    out.extend_from_slice(&weight.to_be_bytes());
    out.extend_from_slice(&sign.to_be_bytes());
    out.extend_from_slice(&scale.to_be_bytes());
    for g in groups {
        out.extend_from_slice(&g.to_be_bytes());
    }
    Some(())
}

/// How the fields of one column go to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// As the tuple has them.
    Same,
    /// An `int8` narrowed to this many bytes.
    Narrow(usize),
}

/// What the load does with a table's tuples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Layout {
    /// Binary COPY, each column's fields as given.
    Binary(Vec<Field>),
    /// Text COPY, each tuple written as a line.
    Text,
}

impl Layout {
    /// The layout for `columns` whose types the catalog names `types` (in the same order), in
    /// a session whose time zone is UTC or not.
    pub(crate) fn new(columns: &[Column], types: &[String], utc: bool) -> Layout {
        if !utc || types.len() != columns.len() {
            return Layout::Text;
        }
        let mut fields = Vec::with_capacity(columns.len());
        for (c, t) in columns.iter().zip(types) {
            let field = match (c.data_type, t.as_str()) {
                (DataType::Integer, "int8") => Field::Same,
                (DataType::Integer, "int4") => Field::Narrow(4),
                (DataType::Integer, "int2") => Field::Narrow(2),
                (DataType::Boolean, "bool")
                | (DataType::DateTime, "timestamptz" | "timestamp")
                | (DataType::Decimal, "numeric")
                | (DataType::Text | DataType::VarChar, "text" | "varchar") => Field::Same,
                _ => return Layout::Text,
            };
            fields.push(field);
        }
        Layout::Binary(fields)
    }

    // Only the driver asks; the dialect also builds without it.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) fn is_binary(&self) -> bool {
        matches!(self, Layout::Binary(_))
    }

    /// Writes `tuples` (joined records of [`tuple`]) as this layout's COPY data: with the
    /// binary header and trailer, or as text lines. The error names the tuple and the reason.
    pub(crate) fn convert(
        &self,
        columns: &[Column],
        tuples: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        if let Layout::Binary(_) = self {
            out.extend_from_slice(HEADER);
        }
        let mut rest = tuples;
        let mut n = 0usize;
        let mut values = Vec::with_capacity(columns.len());
        while !rest.is_empty() {
            n += 1;
            let bad = |why: &str| format!("row {n} of the batch: {why}");
            let count = take_array(&mut rest).map(i16::from_be_bytes);
            if count.and_then(|c| usize::try_from(c).ok()) != Some(columns.len()) {
                return Err(bad("another number of fields than the table has columns"));
            }
            if let Layout::Binary(_) = self {
                out.extend_from_slice(&count.unwrap_or(0).to_be_bytes());
            }
            values.clear();
            for (i, c) in columns.iter().enumerate() {
                let len = take_array(&mut rest)
                    .map(i32::from_be_bytes)
                    .ok_or_else(|| bad("truncated"))?;
                let data = match usize::try_from(len) {
                    Ok(l) => Some(take(&mut rest, l).ok_or_else(|| bad("truncated"))?),
                    Err(_) => None,
                };
                match self {
                    Layout::Binary(fields) => match (fields[i], data) {
                        (Field::Narrow(w), Some(d)) => {
                            let v = d
                                .try_into()
                                .map(i64::from_be_bytes)
                                .map_err(|_| bad("an integer not of 8 bytes"))?;
                            let narrowed = match w {
                                2 => i16::try_from(v).map(|x| x.to_be_bytes().to_vec()),
                                _ => i32::try_from(v).map(|x| x.to_be_bytes().to_vec()),
                            };
                            let bytes = narrowed.map_err(|_| {
                                bad(&format!(
                                    "{v} in `{}` does not fit its {w}-byte column",
                                    c.attribute_name
                                ))
                            })?;
                            out.extend_from_slice(&i32::try_from(w).unwrap_or(0).to_be_bytes());
                            out.extend_from_slice(&bytes);
                        }
                        (_, Some(d)) => {
                            out.extend_from_slice(&len.to_be_bytes());
                            out.extend_from_slice(d);
                        }
                        (_, None) => out.extend_from_slice(&(-1i32).to_be_bytes()),
                    },
                    Layout::Text => values.push(value(c.data_type, data).ok_or_else(|| {
                        bad(&format!("`{}` does not read back", c.attribute_name))
                    })?),
                }
            }
            if let Layout::Text = self {
                copy_row(&values, out).map_err(|i| {
                    bad(&format!(
                        "`{}` holds a NUL character",
                        columns[i].attribute_name
                    ))
                })?;
            }
        }
        if let Layout::Binary(_) = self {
            out.extend_from_slice(TRAILER);
        }
        Ok(())
    }
}

fn take_array<const N: usize>(rest: &mut &[u8]) -> Option<[u8; N]> {
    take(rest, N).and_then(|b| b.try_into().ok())
}

fn take<'a>(rest: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if rest.len() < n {
        return None;
    }
    let (head, tail) = rest.split_at(n);
    *rest = tail;
    Some(head)
}

/// A field of [`tuple`] back as the value it was written from.
fn value(dt: DataType, data: Option<&[u8]>) -> Option<SqlValue> {
    let Some(d) = data else {
        return Some(SqlValue::Null);
    };
    let int = || d.try_into().ok().map(i64::from_be_bytes);
    Some(match dt {
        DataType::Boolean => SqlValue::Bool(*d.first()? != 0),
        DataType::Integer => SqlValue::Int(int()?),
        DataType::DateTime => SqlValue::DateTime(epoch() + TimeDelta::microseconds(int()?)),
        DataType::Decimal => SqlValue::Decimal(numeric_text(d)?),
        DataType::Text | DataType::VarChar => SqlValue::Text(String::from_utf8(d.to_vec()).ok()?),
    })
}

/// The plain decimal text of a binary `numeric` that [`numeric`] wrote.
fn numeric_text(d: &[u8]) -> Option<String> {
    let word = |i: usize| d.get(i..i + 2).map(|b| i16::from_be_bytes([b[0], b[1]]));
    let (ndigits, weight, sign, scale) = (word(0)?, word(2)?, word(4)?, word(6)?);
    let groups: Vec<i16> = (0..usize::try_from(ndigits).ok()?)
        .map(|k| word(8 + 2 * k))
        .collect::<Option<_>>()?;
    let scale = usize::try_from(scale).ok()?;
    // Digits from the first group's weight down to the last fraction digit needed.
    let mut int = String::new();
    let mut frac = String::new();
    let top = i32::from(weight).max(0);
    for w in (0..=top).rev() {
        let g = index(&groups, weight, w);
        int.push_str(&format!("{g:04}"));
    }
    let mut w = -1;
    while frac.len() < scale {
        frac.push_str(&format!("{:04}", index(&groups, weight, w)));
        w -= 1;
    }
    frac.truncate(scale);
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let mut s = String::new();
    if sign == 0x4000 {
        s.push('-');
    }
    s.push_str(int);
    if scale > 0 {
        s.push('.');
        s.push_str(&frac);
    }
    Some(s)
}

/// The group of weight `w`, zero outside the digits.
fn index(groups: &[i16], weight: i16, w: i32) -> i16 {
    usize::try_from(i32::from(weight) - w)
        .ok()
        .and_then(|k| groups.get(k).copied())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_bytes(s: &str) -> Vec<i16> {
        let mut out = Vec::new();
        numeric(s, &mut out).unwrap();
        out.chunks(2)
            .map(|c| i16::from_be_bytes([c[0], c[1]]))
            .collect()
    }

    #[test]
    fn numerics_are_base_10000_digits_around_the_point() {
        // ndigits, weight, sign, dscale, digits: as numeric_send writes them.
        assert_eq!(numeric_bytes("12.50"), [2, 0, 0, 2, 12, 5000]);
        assert_eq!(numeric_bytes("-12.50"), [2, 0, 0x4000, 2, 12, 5000]);
        assert_eq!(
            numeric_bytes("123456789.0001"),
            [4, 2, 0, 4, 1, 2345, 6789, 1]
        );
        assert_eq!(numeric_bytes("0.00012"), [2, -1, 0, 5, 1, 2000]);
        assert_eq!(numeric_bytes("10000"), [1, 1, 0, 0, 1]);
        assert_eq!(numeric_bytes("0"), [0, 0, 0, 0]);
        assert_eq!(numeric_bytes("-0.00"), [0, 0, 0, 2]);
        let mut out = Vec::new();
        assert!(numeric("1e5", &mut out).is_none());
        for s in [
            "12.50",
            "-12.50",
            "123456789.0001",
            "0.00012",
            "10000",
            "0",
            "0.00",
            "7",
        ] {
            let mut out = Vec::new();
            numeric(s, &mut out).unwrap();
            assert_eq!(numeric_text(&out).as_deref(), Some(s), "{s}");
        }
    }

    fn columns() -> Vec<Column> {
        [
            DataType::Integer,
            DataType::Text,
            DataType::Boolean,
            DataType::DateTime,
            DataType::Decimal,
            DataType::VarChar,
        ]
        .iter()
        .enumerate()
        .map(|(i, dt)| Column::new(format!("c{i}"), *dt))
        .collect()
    }

    fn row() -> Vec<SqlValue> {
        let at = NaiveDate::from_ymd_opt(1999, 12, 31)
            .unwrap()
            .and_hms_micro_opt(23, 59, 59, 250_000)
            .unwrap();
        vec![
            SqlValue::Int(-7),
            SqlValue::Text("a\tb\nc\\N 长文本🚀".into()),
            SqlValue::Bool(true),
            SqlValue::DateTime(at),
            SqlValue::Decimal("-0.01".into()),
            SqlValue::Null,
        ]
    }

    #[test]
    fn tuples_narrow_integers_to_their_columns() {
        let mut t = Vec::new();
        tuple(&row(), &mut t).unwrap();
        let types: Vec<String> = ["int4", "text", "bool", "timestamptz", "numeric", "varchar"]
            .map(String::from)
            .to_vec();
        let layout = Layout::new(&columns(), &types, true);
        let mut out = Vec::new();
        layout.convert(&columns(), &t, &mut out).unwrap();
        let body = &out[HEADER.len()..out.len() - TRAILER.len()];
        assert_eq!(&body[..2], &6i16.to_be_bytes());
        assert_eq!(&body[2..10], &[0, 0, 0, 4, 0xff, 0xff, 0xff, 0xf9]);
        // One second before 2000 less three quarters: -750,000 microseconds.
        let SqlValue::Text(text) = &row()[1] else {
            unreachable!()
        };
        let date = &body[10 + 4 + text.len() + 5..][..12];
        assert_eq!(&date[..4], &8i32.to_be_bytes());
        assert_eq!(i64::from_be_bytes(date[4..].try_into().unwrap()), -750_000);
        assert!(body.ends_with(&(-1i32).to_be_bytes()));

        let mut big = Vec::new();
        let mut wide = row();
        wide[0] = SqlValue::Int(1 << 40);
        tuple(&wide, &mut big).unwrap();
        let err = layout
            .convert(&columns(), &big, &mut Vec::new())
            .unwrap_err();
        assert!(err.contains("does not fit") && err.contains("c0"), "{err}");
    }

    #[test]
    fn the_text_layout_writes_what_the_text_format_would() {
        let mut t = Vec::new();
        tuple(&row(), &mut t).unwrap();
        tuple(&row(), &mut t).unwrap();
        let types: Vec<String> = ["int4", "text", "bool", "timestamptz", "numeric", "varchar"]
            .map(String::from)
            .to_vec();
        // Not UTC, or a column of another type: text lines.
        assert_eq!(Layout::new(&columns(), &types, false), Layout::Text);
        let mut odd = types.clone();
        odd[2] = "int2".into();
        assert_eq!(Layout::new(&columns(), &odd, true), Layout::Text);
        let mut out = Vec::new();
        Layout::Text.convert(&columns(), &t, &mut out).unwrap();
        let mut want = Vec::new();
        copy_row(&row(), &mut want).unwrap();
        copy_row(&row(), &mut want).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            String::from_utf8(want).unwrap()
        );
    }

    #[test]
    fn dates_round_finer_fractions_half_to_even() {
        let at = |nanos| {
            NaiveDate::from_ymd_opt(2000, 1, 1)
                .unwrap()
                .and_hms_nano_opt(0, 0, 1, nanos)
                .unwrap()
        };
        assert_eq!(micros(&at(1_499)), 1_000_001);
        assert_eq!(micros(&at(1_500)), 1_000_002);
        assert_eq!(micros(&at(2_500)), 1_000_002);
        assert_eq!(micros(&at(2_501)), 1_000_003);
        let before = NaiveDate::from_ymd_opt(1999, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 999_999_600)
            .unwrap();
        assert_eq!(micros(&before), 0);
    }

    #[test]
    fn text_with_nul_names_its_column() {
        let mut row = row();
        row[1] = SqlValue::Text("a\0b".into());
        assert_eq!(tuple(&row, &mut Vec::new()), Err(1));
    }
}
