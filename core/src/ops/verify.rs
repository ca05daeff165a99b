//! `verify`: proves that a database holds a folder exactly: every table present, the same row
//! count, and the same values row by row, keyed by the primary key (or identity).
//!
//! Values are compared in a canonical form of the folder's column types, so what differs only
//! in spelling (`12.50` and `12.5`, `1` and `true`) is equal, and what a database really
//! changed (a cut text, a rounded decimal) is not. Per table the folder side keeps one 64-bit
//! digest per row; the values of a differing row are read again only to name its columns.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use futures::StreamExt;
use serde::Serialize;
use serde_json::Value;

use crate::backup::{BackupReader, RowKeys, TableData};
use crate::db::{DatabaseDriver, Select};
use crate::error::{Error, Result};
use crate::model::{DataType, TableMeta};
use crate::ops::restore::check::folder_schema;
use crate::progress::Progress;
use crate::value::{SqlValue, json_to_sql};

/// Differing rows named per table, at most.
const MAX_DIFFERENCES: usize = 10;

#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Only tables and row counts, not values.
    pub counts_only: bool,
    /// Only these tables of the folder (all when `None`), e.g. those a restore loaded.
    pub tables: Option<Vec<String>>,
}

/// How one table compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerifyStatus {
    Ok,
    /// The database has no such table.
    Missing,
    /// The row counts differ.
    Count,
    /// The counts agree but some rows differ.
    Differs,
}

/// One differing row: its key, and the first column that differs (absent when the row is
/// missing on one side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    /// `Id=7`, or the key columns of the table.
    pub key: String,
    pub column: Option<String>,
    pub folder: Option<String>,
    pub database: Option<String>,
    pub what: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TableVerify {
    pub table: String,
    /// The table's name in the database.
    pub target: String,
    pub folder_rows: u64,
    pub database_rows: Option<u64>,
    pub status: VerifyStatus,
    pub differences: Vec<Difference>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    pub ok: bool,
    pub counts_only: bool,
    pub tables: Vec<TableVerify>,
}

/// Compares every table of the folder `reader` opened with the database behind `driver`.
pub async fn verify(
    driver: &mut dyn DatabaseDriver,
    reader: &BackupReader,
    opts: &VerifyOptions,
    progress: &dyn Progress,
) -> Result<VerifyReport> {
    let (schema, _) = folder_schema(reader);
    let dialect = driver.dialect();
    let existing = driver.list_tables().await?;
    let mut tables = Vec::new();
    for name in reader.tables() {
        if let Some(only) = &opts.tables
            && !only.iter().any(|t| t == name)
        {
            continue;
        }
        let data = reader.table(name)?;
        let target = schema.table_meta(dialect, &data.meta);
        let found = existing
            .iter()
            .find(|e| e.eq_ignore_ascii_case(&target.name))
            .cloned();
        progress.note(&format!("verifying {name}"));
        let mut t = TableVerify {
            table: name.clone(),
            target: found.clone().unwrap_or_else(|| target.name.clone()),
            folder_rows: data.total_count,
            database_rows: None,
            status: VerifyStatus::Ok,
            differences: Vec::new(),
        };
        let Some(found) = found else {
            t.status = VerifyStatus::Missing;
            tables.push(t);
            continue;
        };
        let target = TableMeta {
            name: found,
            columns: target.columns,
        };
        let rows = driver.count_rows(&target.name).await?;
        t.database_rows = Some(rows);
        if !opts.counts_only {
            // Also when the counts differ, to name the rows that are missing or extra.
            t.differences = compare_rows(driver, reader, &data, &target).await?;
            if !t.differences.is_empty() {
                t.status = VerifyStatus::Differs;
            }
        }
        if rows != data.total_count {
            t.status = VerifyStatus::Count;
        }
        tables.push(t);
    }
    Ok(VerifyReport {
        ok: tables.iter().all(|t| t.status == VerifyStatus::Ok),
        counts_only: opts.counts_only,
        tables,
    })
}

/// A value in a form two databases agree on when they hold the same thing.
fn canonical(dt: DataType, v: &Value) -> String {
    match json_to_sql(dt, v) {
        Ok(SqlValue::Null) => "\u{0}null".into(),
        Ok(SqlValue::Bool(b)) => b.to_string(),
        Ok(SqlValue::Int(n)) => n.to_string(),
        Ok(SqlValue::Decimal(d)) => trim_decimal(&d),
        Ok(SqlValue::Text(s)) => s,
        Ok(SqlValue::DateTime(d)) => crate::value::format_datetime(&d),
        // Not of its column's type: compared as written.
        Err(_) => v.to_string(),
    }
}

/// `12.50` → `12.5`, `3.00` → `3`, `-0.0` → `0`.
fn trim_decimal(d: &str) -> String {
    let t = match d.split_once('.') {
        Some((i, f)) => {
            let f = f.trim_end_matches('0');
            if f.is_empty() {
                i.to_string()
            } else {
                format!("{i}.{f}")
            }
        }
        None => d.to_string(),
    };
    if t == "-0" { "0".into() } else { t }
}

/// One row's key text and the digest of its canonical values.
struct RowDigest {
    key: Option<String>,
    digest: u64,
}

fn digest_row(meta: &TableMeta, key_cols: &[usize], values: &[Value]) -> RowDigest {
    let mut h = DefaultHasher::new();
    for (c, v) in meta.columns.iter().zip(values) {
        canonical(c.data_type, v).hash(&mut h);
    }
    let key = (!key_cols.is_empty()).then(|| key_text(meta, key_cols, values));
    RowDigest {
        key,
        digest: h.finish(),
    }
}

fn key_text(meta: &TableMeta, key_cols: &[usize], values: &[Value]) -> String {
    key_cols
        .iter()
        .map(|&i| {
            let c = &meta.columns[i];
            format!(
                "{}={}",
                c.attribute_name,
                canonical(c.data_type, &values[i])
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Streams the folder's rows of a table, aligned to its columns.
fn folder_rows(
    reader: &BackupReader,
    data: &TableData,
    mut f: impl FnMut(Vec<Value>) -> Result<()>,
) -> Result<()> {
    let keys = RowKeys::new(&data.meta);
    for file in &data.row_files {
        reader.read_rows(&data.meta.name, file, |i, row| {
            let values = keys.align(row).map_err(|e| {
                Error::Invalid(format!("{}/{file}: row {}: {e}", data.meta.name, i + 1))
            })?;
            f(values)
        })?;
    }
    Ok(())
}

async fn compare_rows(
    driver: &mut dyn DatabaseDriver,
    reader: &BackupReader,
    data: &TableData,
    target: &TableMeta,
) -> Result<Vec<Difference>> {
    let key_cols: Vec<usize> = target
        .order_columns()
        .iter()
        .filter_map(|k| {
            target
                .columns
                .iter()
                .position(|c| c.attribute_name == k.attribute_name)
        })
        .collect();
    // Folder rows under the database's column names, so both sides key alike.
    let meta = target;
    let mut keyed: HashMap<String, u64> = HashMap::new();
    let mut unkeyed: Vec<u64> = Vec::new();
    let mut duplicate = None;
    folder_rows(reader, data, |values| {
        let d = digest_row(meta, &key_cols, &values);
        match d.key {
            Some(k) => {
                if keyed.insert(k.clone(), d.digest).is_some() {
                    duplicate.get_or_insert(k);
                }
            }
            None => unkeyed.push(d.digest),
        }
        Ok(())
    })?;
    let mut out = Vec::new();
    if let Some(k) = duplicate {
        out.push(Difference {
            key: k,
            column: None,
            folder: None,
            database: None,
            what: "the folder holds this key twice".into(),
        });
    }
    let mut changed: Vec<String> = Vec::new();
    let mut db_unkeyed: Vec<u64> = Vec::new();
    {
        let mut rows = driver.stream_rows(meta, Select::all());
        while let Some(values) = rows.next().await {
            let d = digest_row(meta, &key_cols, &values?);
            match d.key {
                Some(k) => match keyed.remove(&k) {
                    Some(f) if f == d.digest => {}
                    Some(_) => changed.push(k),
                    None => {
                        if out.len() < MAX_DIFFERENCES {
                            out.push(Difference {
                                key: k,
                                column: None,
                                folder: None,
                                database: None,
                                what: "only in the database".into(),
                            });
                        }
                    }
                },
                None => db_unkeyed.push(d.digest),
            }
        }
    }
    let mut missing: Vec<String> = keyed.into_keys().collect();
    missing.sort();
    for k in missing
        .into_iter()
        .take(MAX_DIFFERENCES.saturating_sub(out.len()))
    {
        out.push(Difference {
            key: k,
            column: None,
            folder: None,
            database: None,
            what: "only in the folder".into(),
        });
    }
    unkeyed.sort_unstable();
    db_unkeyed.sort_unstable();
    if unkeyed != db_unkeyed {
        let differ = unkeyed
            .iter()
            .filter(|d| db_unkeyed.binary_search(d).is_err())
            .count();
        out.push(Difference {
            key: "(no key)".into(),
            column: None,
            folder: None,
            database: None,
            what: format!("{differ} row(s) of the folder have no equal row in the database"),
        });
    }
    changed.truncate(MAX_DIFFERENCES);
    if !changed.is_empty() {
        out.extend(name_columns(driver, reader, data, meta, &key_cols, &changed).await?);
    }
    Ok(out)
}

/// The first differing column of each changed row, from a second read of both sides.
async fn name_columns(
    driver: &mut dyn DatabaseDriver,
    reader: &BackupReader,
    data: &TableData,
    meta: &TableMeta,
    key_cols: &[usize],
    changed: &[String],
) -> Result<Vec<Difference>> {
    let mut folder: HashMap<String, Vec<String>> = HashMap::new();
    folder_rows(reader, data, |values| {
        let k = key_text(meta, key_cols, &values);
        if changed.contains(&k) {
            let canon = meta
                .columns
                .iter()
                .zip(&values)
                .map(|(c, v)| canonical(c.data_type, v))
                .collect();
            folder.insert(k, canon);
        }
        Ok(())
    })?;
    let mut out = Vec::new();
    let mut rows = driver.stream_rows(meta, Select::all());
    while let Some(values) = rows.next().await {
        let values = values?;
        let k = key_text(meta, key_cols, &values);
        let Some(want) = folder.get(&k) else { continue };
        for ((c, v), w) in meta.columns.iter().zip(&values).zip(want) {
            let got = canonical(c.data_type, v);
            if &got != w {
                out.push(Difference {
                    key: k.clone(),
                    column: Some(c.attribute_name.clone()),
                    folder: Some(shorten(w)),
                    database: Some(shorten(&got)),
                    what: "values differ".into(),
                });
                break;
            }
        }
    }
    Ok(out)
}

fn shorten(s: &str) -> String {
    if s == "\u{0}null" {
        return "NULL".into();
    }
    let cut: String = s.chars().take(60).collect();
    if cut.len() < s.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn spellings_of_one_value_are_equal() {
        assert_eq!(canonical(DataType::Decimal, &json!("12.50")), "12.5");
        assert_eq!(
            canonical(DataType::Decimal, &json!(12.5)),
            canonical(DataType::Decimal, &json!("12.500"))
        );
        assert_eq!(canonical(DataType::Decimal, &json!("3.00")), "3");
        assert_eq!(canonical(DataType::Boolean, &json!(1)), "true");
        assert_eq!(canonical(DataType::Boolean, &json!("True")), "true");
        assert_eq!(
            canonical(DataType::DateTime, &json!("2020-05-01T08:30:00")),
            canonical(DataType::DateTime, &json!("2020-05-01 08:30:00"))
        );
        assert_ne!(
            canonical(DataType::Text, &json!("")),
            canonical(DataType::Text, &Value::Null)
        );
        assert_ne!(
            canonical(DataType::DateTime, &json!("2020-05-01 08:30:00.250")),
            canonical(DataType::DateTime, &json!("2020-05-01 08:30:00"))
        );
    }
}
