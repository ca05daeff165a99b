//! PostgreSQL's SQL text: quoting, numbered placeholders, column types and the casts of values
//! bound as text.
//!
//! Compiled without the `postgres` feature too, like every dialect, so the SQL is unit-tested
//! in every build.

use crate::db::schema::{ColumnFit, beyond_limits, decimal_size, too_long};
use crate::model::{Column, DataType};

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
