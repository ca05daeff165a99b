//! SQL Server's SQL text: quoting, bind and row limits, column types.
//!
//! Compiled without the `mssql` feature too, like every dialect: no SQL Server runs where this
//! is built, so its SQL is unit-tested as exact text in every build.

use crate::db::schema::{
    ColumnFit, beyond_limits, decimal_size, frac_precision, too_long, varchar_len,
};
use crate::model::{Column, DataType};

pub(crate) const NAME: &str = "SQL Server";

/// 2,100 per RPC request, less a margin for the driver's own.
pub(crate) const MAX_BIND_PARAMS: usize = 2_000;

/// A table value constructor holds at most 1,000 rows.
pub(crate) const MAX_ROWS_PER_INSERT: usize = 1_000;

/// The most characters `nvarchar(n)` allows.
const MAX_NVARCHAR: i32 = 4000;

pub(crate) fn quote(ident: &str) -> String {
    format!("[{}]", ident.replace(']', "]]"))
}

pub(crate) fn placeholder(n: usize) -> String {
    format!("@P{n}")
}

/// The column type for a data type, widened where `fit` says the values need more.
pub(crate) fn column_type(col: &Column, fit: &ColumnFit) -> String {
    let len = col.data_length;
    let (precision, scale) = decimal_size(fit);
    let frac = frac_precision(fit);
    match col.data_type {
        DataType::Boolean => "[bit]".into(),
        DataType::DateTime if frac > 0 => format!("[datetime2] ({frac})"),
        DataType::DateTime => "[datetime]".into(),
        DataType::Decimal => format!("[decimal] ({precision}, {scale})"),
        DataType::Integer if fit.wide_int => "[bigint]".into(),
        DataType::Integer => "[int]".into(),
        DataType::Text => "[nvarchar] (max)".into(),
        DataType::VarChar
            if col.is_primary_key
                && too_long(fit.max_utf16, varchar_len(len))
                && !too_long(fit.max_utf16, MAX_NVARCHAR) =>
        {
            format!("[nvarchar] ({})", fit.max_utf16)
        }
        // nvarchar(n) allows at most 4,000; longer becomes max, as 7.4 does for -1.
        DataType::VarChar if len > MAX_NVARCHAR || too_long(fit.max_utf16, varchar_len(len)) => {
            "[nvarchar] (max)".into()
        }
        DataType::VarChar => format!("[nvarchar] ({})", varchar_len(len)),
    }
}

pub(crate) fn identity_type(wide: bool) -> &'static str {
    if wide {
        "bigint IDENTITY (1, 1)"
    } else {
        "int IDENTITY (1, 1)"
    }
}

pub(crate) fn unrepresentable(col: &Column, fit: &ColumnFit) -> Option<String> {
    beyond_limits(NAME, (38, 38, 7), col, fit)
}
