//! MySQL's SQL text: quoting, bind limits, column types, key clauses and table options.
//!
//! Compiled without the `mysql` feature too, like every dialect, so the SQL is unit-tested in
//! every build.

use crate::db::schema::{
    ColumnFit, beyond_limits, decimal_size, frac_precision, too_long, varchar_len,
};
use crate::model::{Column, DataType};
use crate::value::{SqlValue, format_datetime, push_datetime};

pub(crate) const NAME: &str = "MySQL";

/// The protocol counts parameters in an unsigned 16-bit field.
pub(crate) const MAX_BIND_PARAMS: usize = 65_535;

/// Longest `varchar(n)` MySQL allows in a utf8mb4 table.
const MAX_VARCHAR: i32 = 16_383;

/// What follows the column list of every CREATE TABLE.
pub(crate) const TABLE_OPTIONS: &str = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

pub(crate) fn quote(ident: &str) -> String {
    format!("`{}`", ident.replace('`', "``"))
}

pub(crate) fn placeholder(_n: usize) -> String {
    "?".to_string()
}

/// The column type for a data type, widened where `fit` says the values need more.
pub(crate) fn column_type(col: &Column, fit: &ColumnFit) -> String {
    let len = col.data_length;
    let (precision, scale) = decimal_size(fit);
    let frac = frac_precision(fit);
    match col.data_type {
        DataType::Boolean => "tinyint(1)".into(),
        // Without a precision MySQL drops fractional seconds.
        DataType::DateTime if frac > 0 => format!("datetime({})", frac.min(6)),
        DataType::DateTime => "datetime".into(),
        DataType::Decimal => format!("decimal({precision}, {scale})"),
        DataType::Integer if fit.wide_int => "bigint".into(),
        DataType::Integer => "int".into(),
        DataType::Text => "longtext".into(),
        // A key cannot be longtext; a longer varchar will do.
        DataType::VarChar
            if col.is_primary_key
                && too_long(fit.max_chars, varchar_len(len))
                && !too_long(fit.max_chars, MAX_VARCHAR) =>
        {
            format!("varchar({})", fit.max_chars)
        }
        DataType::VarChar if len > MAX_VARCHAR || too_long(fit.max_chars, varchar_len(len)) => {
            "longtext".into()
        }
        DataType::VarChar => format!("varchar({})", varchar_len(len)),
    }
}

pub(crate) fn identity_type(wide: bool) -> &'static str {
    if wide {
        "BIGINT AUTO_INCREMENT"
    } else {
        "INT AUTO_INCREMENT"
    }
}

pub(crate) fn unrepresentable(col: &Column, fit: &ColumnFit) -> Option<String> {
    beyond_limits(NAME, (65, 30, 6), col, fit)
}

/// The key clauses of a table whose primary key is `pk`.
pub(crate) fn key_clauses(pk: &[&Column], identity: Option<&Column>) -> Vec<String> {
    let names: Vec<String> = pk.iter().map(|c| quote(&c.attribute_name)).collect();
    let mut clauses = Vec::new();
    if !pk.is_empty() {
        clauses.push(format!("PRIMARY KEY ({})", names.join(", ")));
    }
    // MySQL insists that an AUTO_INCREMENT column leads some key.
    if let Some(id) = identity
        && pk.first().map(|c| &c.attribute_name) != Some(&id.attribute_name)
    {
        clauses.push(format!("UNIQUE KEY ({})", quote(&id.attribute_name)));
    }
    clauses
}

/// Rows per INSERT when restoring: literal values have no parameter limit, only the packet.
// Only the driver loads this way; the dialect also builds without it.
#[cfg_attr(not(feature = "mysql"), allow(dead_code))]
pub(crate) const LITERAL_BATCH_ROWS: usize = 100_000;

/// A multi-row INSERT with the values written as literals, as `mysqldump` writes them: one
/// text-protocol statement, no prepare round trip and no parameter limit. `backslash_escapes`
/// is false when the session's sql_mode has NO_BACKSLASH_ESCAPES.
#[cfg_attr(not(feature = "mysql"), allow(dead_code))]
pub(crate) fn insert_literal(
    table: &str,
    columns: &[Column],
    rows: &[Vec<SqlValue>],
    backslash_escapes: bool,
) -> String {
    let size: usize = rows
        .iter()
        .map(|r| 4 + r.iter().map(|v| v.approx_len() + 3).sum::<usize>())
        .sum();
    let mut sql = String::with_capacity(64 + size + size / 8);
    sql.push_str(&insert_head(table, columns));
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            sql.push(',');
        }
        sql.push('(');
        for (j, v) in row.iter().enumerate() {
            if j > 0 {
                sql.push(',');
            }
            literal(v, backslash_escapes, &mut sql);
        }
        sql.push(')');
    }
    sql
}

/// `INSERT INTO t (a, b) VALUES `, to which the rows' tuples are appended.
#[cfg_attr(not(feature = "mysql"), allow(dead_code))]
pub(crate) fn insert_head(table: &str, columns: &[Column]) -> String {
    let cols: Vec<String> = columns.iter().map(|c| quote(&c.attribute_name)).collect();
    format!("INSERT INTO {} ({}) VALUES ", quote(table), cols.join(", "))
}

/// One row as a `(…)` tuple of a multi-row INSERT that reads the same whether or not the
/// session has NO_BACKSLASH_ESCAPES, so restore's check can write it before it connects: a
/// text holding a backslash or NUL is written as a hex literal of its UTF-8 bytes.
pub(crate) fn bulk_tuple(row: &[SqlValue], out: &mut Vec<u8>) {
    out.push(b'(');
    for (j, v) in row.iter().enumerate() {
        if j > 0 {
            out.push(b',');
        }
        match v {
            SqlValue::Null => out.extend_from_slice(b"NULL"),
            SqlValue::Bool(b) => out.push(if *b { b'1' } else { b'0' }),
            SqlValue::Int(n) => out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes()),
            SqlValue::DateTime(d) => {
                out.push(b'\'');
                push_datetime(d, out);
                out.push(b'\'');
            }
            SqlValue::Decimal(s) | SqlValue::Text(s) => {
                if s.bytes().any(|b| b == b'\\' || b == 0) {
                    out.extend_from_slice(b"_utf8mb4 X'");
                    for b in s.bytes() {
                        out.extend_from_slice(&HEX[usize::from(b)]);
                    }
                    out.push(b'\'');
                    continue;
                }
                out.push(b'\'');
                let mut rest = s.as_bytes();
                while let Some(q) = rest.iter().position(|&b| b == b'\'') {
                    out.extend_from_slice(&rest[..=q]);
                    out.push(b'\'');
                    rest = &rest[q + 1..];
                }
                out.extend_from_slice(rest);
                out.push(b'\'');
            }
        }
    }
    out.push(b')');
}

/// Two hex digits per byte value.
const HEX: [[u8; 2]; 256] = {
    let digits = *b"0123456789ABCDEF";
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [digits[i >> 4], digits[i & 15]];
        i += 1;
    }
    t
};

#[cfg_attr(not(feature = "mysql"), allow(dead_code))]
fn literal(v: &SqlValue, backslash_escapes: bool, out: &mut String) {
    match v {
        SqlValue::Null => out.push_str("NULL"),
        SqlValue::Bool(b) => out.push(if *b { '1' } else { '0' }),
        SqlValue::Int(n) => out.push_str(&n.to_string()),
        // Quoted: MySQL converts decimal text exactly, as it did for the bound text.
        SqlValue::Decimal(s) | SqlValue::Text(s) => string_literal(s, backslash_escapes, out),
        SqlValue::DateTime(d) => string_literal(&format_datetime(d), backslash_escapes, out),
    }
}

#[cfg_attr(not(feature = "mysql"), allow(dead_code))]
fn string_literal(s: &str, backslash_escapes: bool, out: &mut String) {
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' if backslash_escapes => out.push_str("\\\\"),
            '\0' if backslash_escapes => out.push_str("\\0"),
            _ => out.push(c),
        }
    }
    out.push('\'');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_tuples_read_alike_with_and_without_backslash_escapes() {
        let date = chrono::NaiveDate::from_ymd_opt(2020, 5, 1)
            .unwrap()
            .and_hms_micro_opt(8, 30, 0, 250_000)
            .unwrap();
        let mut out = Vec::new();
        bulk_tuple(
            &[
                SqlValue::Int(-7),
                SqlValue::Text("it's '长文本🚀'\n\"q\"".into()),
                SqlValue::Text("a\\b\0".into()),
                SqlValue::Bool(true),
                SqlValue::Decimal("-0.01".into()),
                SqlValue::DateTime(date),
                SqlValue::Null,
                SqlValue::Text(String::new()),
            ],
            &mut out,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "(-7,'it''s ''长文本🚀''\n\"q\"',_utf8mb4 X'615C6200',1,'-0.01',\
             '2020-05-01 08:30:00.250',NULL,'')"
        );
    }

    #[test]
    fn literals_keep_every_character() {
        let cols = [
            Column::new("Id", DataType::Integer),
            Column::new("Body", DataType::Text),
            Column::new("On", DataType::Boolean),
            Column::new("Price", DataType::Decimal),
        ];
        let rows = vec![
            vec![
                SqlValue::Int(7),
                SqlValue::Text("it's a \\ back\0slash\n长文本🚀 \"q\"".into()),
                SqlValue::Bool(true),
                SqlValue::Decimal("-0.01".into()),
            ],
            vec![
                SqlValue::Int(8),
                SqlValue::Null,
                SqlValue::Bool(false),
                SqlValue::Null,
            ],
        ];
        assert_eq!(
            insert_literal("t`x", &cols, &rows, true),
            "INSERT INTO `t``x` (`Id`, `Body`, `On`, `Price`) VALUES \
             (7,'it''s a \\\\ back\\0slash\n长文本🚀 \"q\"',1,'-0.01'),(8,NULL,0,NULL)"
        );
        assert_eq!(
            insert_literal(
                "t",
                &cols[1..2],
                &[vec![SqlValue::Text("a\\b'c".into())]],
                false
            ),
            "INSERT INTO `t` (`Body`) VALUES ('a\\b''c')"
        );
    }
}
