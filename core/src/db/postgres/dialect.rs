//! PostgreSQL's SQL text: quoting, numbered placeholders, column types and the casts of values
//! bound as text.
//!
//! Compiled without the `postgres` feature too, like every dialect, so the SQL is unit-tested
//! in every build.

use crate::db::schema::{ColumnFit, beyond_limits, decimal_size, too_long};
use crate::model::{Column, DataType};
use crate::value::{SqlValue, push_datetime};

pub(crate) const NAME: &str = "PostgreSQL";

/// The protocol counts parameters in an unsigned 16-bit field.
pub(crate) const MAX_BIND_PARAMS: usize = 65_535;

pub(crate) fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

pub(crate) fn placeholder(n: usize) -> String {
    format!("${n}")
}

/// The column type for a data type, widened where `fit` says the values need more.
pub(crate) fn column_type(col: &Column, fit: &ColumnFit) -> String {
    let len = col.data_length;
    let (precision, scale) = decimal_size(fit);
    match col.data_type {
        DataType::Boolean => "bool".into(),
        // timestamptz keeps microseconds, all that MySQL and PostgreSQL sources hold.
        DataType::DateTime => "timestamptz".into(),
        DataType::Decimal => format!("numeric({precision}, {scale})"),
        DataType::Integer if fit.wide_int => "int8".into(),
        DataType::Integer => "int4".into(),
        DataType::Text => "text".into(),
        DataType::VarChar if len <= 0 => "varchar".into(),
        DataType::VarChar if too_long(fit.max_chars, len) => "text".into(),
        DataType::VarChar => format!("varchar({len})"),
    }
}

pub(crate) fn identity_type(wide: bool) -> &'static str {
    if wide { "BIGSERIAL" } else { "SERIAL" }
}

pub(crate) fn unrepresentable(col: &Column, fit: &ColumnFit) -> Option<String> {
    if fit.nul_char {
        return Some("the text holds a NUL character, which PostgreSQL cannot store".into());
    }
    beyond_limits(NAME, (1000, 1000, 6), col, fit)
}

/// What follows a placeholder: decimals and dates are bound as text, which PostgreSQL does not
/// assign to numeric or timestamp columns without a cast.
pub(crate) fn bind_cast(data_type: DataType) -> &'static str {
    match data_type {
        DataType::Decimal => "::numeric",
        DataType::DateTime => "::timestamp",
        _ => "",
    }
}

/// Rows per `COPY` when restoring: COPY has no parameter limit, only the batch's bytes.
// Only the driver loads this way; the dialect also builds without it.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) const COPY_BATCH_ROWS: usize = 50_000;

/// `COPY "t" ("a", "b") FROM STDIN` in the text format, whose values [`copy_row`] writes.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) fn copy_in(table: &str, columns: &[Column]) -> String {
    let cols: Vec<String> = columns.iter().map(|c| quote(&c.attribute_name)).collect();
    format!("COPY {} ({}) FROM STDIN", quote(table), cols.join(", "))
}

/// One row of COPY's text format: tab-separated, `\N` for NULL, backslash escapes for the
/// characters the format gives a meaning. A text with NUL cannot be stored: its column index is
/// the error.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) fn copy_row(row: &[SqlValue], out: &mut Vec<u8>) -> Result<(), usize> {
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        match v {
            SqlValue::Null => out.extend_from_slice(b"\\N"),
            SqlValue::Bool(b) => out.push(if *b { b't' } else { b'f' }),
            SqlValue::Int(n) => out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes()),
            SqlValue::DateTime(d) => push_datetime(d, out),
            SqlValue::Decimal(s) | SqlValue::Text(s) => {
                if s.contains('\0') {
                    return Err(i);
                }
                // Runs without an escaped byte are copied whole.
                let mut rest = s.as_bytes();
                while let Some(k) = rest
                    .iter()
                    .position(|&b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
                {
                    out.extend_from_slice(&rest[..k]);
                    out.extend_from_slice(match rest[k] {
                        b'\\' => b"\\\\",
                        b'\t' => b"\\t",
                        b'\n' => b"\\n",
                        _ => b"\\r",
                    });
                    rest = &rest[k + 1..];
                }
                out.extend_from_slice(rest);
            }
        }
    }
    out.push(b'\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn copy_rows_escape_what_the_text_format_reads() {
        let at = NaiveDate::from_ymd_opt(2020, 5, 1)
            .unwrap()
            .and_hms_milli_opt(8, 30, 0, 250)
            .unwrap();
        let row = [
            SqlValue::Null,
            SqlValue::Text(String::new()),
            SqlValue::Text("a\tb\nc\r\\N 长文本🚀 'q' \"d\"".into()),
            SqlValue::Bool(true),
            SqlValue::Bool(false),
            SqlValue::Int(-42),
            SqlValue::Decimal("-0.01".into()),
            SqlValue::DateTime(at),
        ];
        let mut out = Vec::new();
        copy_row(&row, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\\N\t\ta\\tb\\nc\\r\\\\N 长文本🚀 'q' \"d\"\tt\tf\t-42\t-0.01\t2020-05-01 08:30:00.250\n"
        );
        let mut out = Vec::new();
        assert_eq!(
            copy_row(&[SqlValue::Int(1), SqlValue::Text("a\0b".into())], &mut out),
            Err(1)
        );
        let cols = [
            Column::new("Id", DataType::Integer),
            Column::new("Say \"hi\"", DataType::Text),
        ];
        assert_eq!(
            copy_in("my\"t", &cols),
            "COPY \"my\"\"t\" (\"Id\", \"Say \"\"hi\"\"\") FROM STDIN"
        );
    }
}
