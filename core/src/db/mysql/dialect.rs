//! MySQL's SQL text: quoting, bind limits, column types, key clauses and table options.
//!
//! Compiled without the `mysql` feature too, like every dialect, so the SQL is unit-tested in
//! every build.

use crate::db::schema::{
    ColumnFit, beyond_limits, decimal_size, frac_precision, too_long, varchar_len,
};
use crate::model::{Column, DataType};

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
