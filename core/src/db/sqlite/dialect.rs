//! SQLite's SQL text: quoting, bind limits, column types and its CREATE TABLE key rules.
//!
//! Compiled without the `sqlite` feature too, like every dialect, so the SQL is unit-tested
//! in every build.

use crate::db::schema::ColumnFit;
use crate::model::{Column, DataType};

pub(crate) const NAME: &str = "SQLite";

/// SQLITE_MAX_VARIABLE_NUMBER of the bundled SQLite (3.32+).
pub(crate) const MAX_BIND_PARAMS: usize = 32_766;

pub(crate) fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

pub(crate) fn placeholder(_n: usize) -> String {
    "?".to_string()
}

/// The column type for a data type. SQLite is never widened: it enforces neither lengths nor
/// precision.
pub(crate) fn column_type(col: &Column) -> String {
    let len = col.data_length;
    match col.data_type {
        DataType::Boolean => "INT2".into(),
        DataType::DateTime => "DATETIME".into(),
        DataType::Decimal => "DECIMAL(18, 2)".into(),
        DataType::Integer => "INTEGER".into(),
        DataType::Text => "TEXT".into(),
        // SQLite ignores the length; leaving it out keeps an unknown length unknown.
        DataType::VarChar if len <= 0 => "NVARCHAR".into(),
        DataType::VarChar => format!("NVARCHAR({len})"),
    }
}

/// SQLite's rowid is 64-bit already.
pub(crate) fn identity_type(_wide: bool) -> &'static str {
    "INTEGER PRIMARY KEY AUTOINCREMENT"
}

/// SQLite stores decimals as REAL and dates as text; nothing is refused.
pub(crate) fn unrepresentable(_col: &Column, _fit: &ColumnFit) -> Option<String> {
    None
}

/// The type of a key column that is not the identity, if it differs from its plain type.
pub(crate) fn key_column_type(col: &Column, pk: &[&Column]) -> Option<&'static str> {
    // A sole `INTEGER` key would become a self-numbering rowid alias.
    (col.data_type == DataType::Integer && pk.len() == 1 && pk[0] == col).then_some("INT")
}

/// The key clause of a table with identity `id`: its type already is the primary key; other
/// key columns stay unique.
pub(crate) fn identity_key_clause(pk: &[&Column], id: &Column) -> Option<String> {
    let rest: Vec<String> = pk
        .iter()
        .filter(|c| c.attribute_name != id.attribute_name)
        .map(|c| quote(&c.attribute_name))
        .collect();
    (!rest.is_empty()).then(|| format!("UNIQUE ({})", rest.join(", ")))
}
