//! One row of a row file as insert values, and where a row sits, for messages.

use serde_json::Value;

use crate::backup::TableData;
use crate::error::{Error, Result};
use crate::value::{SqlValue, json_to_sql};

/// Where a row sits, for error messages: file, 1-based row number and, once known, its key.
fn locate(data: &TableData, file: &str, index: usize, values: Option<&[Value]>) -> String {
    let key = key_column(data).and_then(|i| Some(values?.get(i)?.to_string()));
    at_row(data, file, index, key)
}

/// [`locate`] for a row already converted.
pub(super) fn locate_values(
    data: &TableData,
    file: &str,
    index: usize,
    values: &[SqlValue],
) -> String {
    let key = key_column(data).and_then(|i| match values.get(i)? {
        SqlValue::Int(n) => Some(n.to_string()),
        SqlValue::Text(s) | SqlValue::Decimal(s) => Some(format!("{s:?}")),
        _ => None,
    });
    at_row(data, file, index, key)
}

/// The column that identifies a row in messages: the first key or identity column.
fn key_column(data: &TableData) -> Option<usize> {
    data.meta
        .columns
        .iter()
        .position(|c| c.is_primary_key || c.is_identity)
}

fn at_row(data: &TableData, file: &str, index: usize, key: Option<String>) -> String {
    let key = key_column(data)
        .zip(key)
        .map(|(i, v)| format!(" ({}={v})", data.meta.columns[i].attribute_name))
        .unwrap_or_default();
    format!("{}/{file}: row {}{key}", data.meta.name, index + 1)
}

/// Converts one row, in column order, to insert values, or says which column is wrong and why.
pub(super) fn convert_aligned(
    data: &TableData,
    file: &str,
    index: usize,
    values: &[Value],
) -> Result<Vec<SqlValue>> {
    data.meta
        .columns
        .iter()
        .zip(values)
        .map(|(col, v)| {
            json_to_sql(col.data_type, v).map_err(|e| {
                Error::Invalid(format!(
                    "{}, column `{}` ({}): {e}",
                    locate(data, file, index, Some(values)),
                    col.attribute_name,
                    col.data_type
                ))
            })
        })
        .collect()
}
