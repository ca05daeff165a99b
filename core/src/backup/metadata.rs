//! `_metadata.json`, `_tables.json` and `_manifest.json`.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::layout::{check_identifier, check_name};
use crate::error::{Error, Result};
use crate::model::{Column, DataType, TableMeta};

/// A table as a backup folder describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableData {
    pub meta: TableMeta,
    /// Rows the folder holds for this table.
    pub total_count: u64,
    /// Row files, in order.
    pub row_files: Vec<String>,
}

/// Our `_manifest.json`. The original tools ignore it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub tool: String,
    pub tool_version: String,
    pub created_at: String,
    pub database_type: Option<String>,
    pub source_version: Option<String>,
    /// Why `sourceVersion` is what it is, e.g. `bairong_Config.DatabaseVersion = 4.1.1603`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_evidence: Option<String>,
    pub tables: Vec<ManifestTable>,
    /// Tables the backup could not finish; they are not in `_tables.json`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_tables: Vec<String>,
    /// Files of the folder itself (`_tables.json`, `_report.json`), with their sha256.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<ManifestFile>,
}

impl Manifest {
    /// Records (or replaces) the sha256 of a file of the folder itself.
    pub fn record_file(&mut self, name: &str, sha256: String) {
        self.files.retain(|f| f.name != name);
        self.files.push(ManifestFile {
            name: name.to_string(),
            sha256,
        });
    }
}

/// `_incomplete.json`: what a folder being written holds so far, and what wrote it, so that
/// `backup --resume` goes on only with the same source and options.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Journal {
    /// `backup` or `update`.
    pub step: String,
    pub database_type: Option<String>,
    /// The source's connection string with its secrets masked.
    #[serde(default)]
    pub source: Option<String>,
    /// The options the folder's content depends on.
    #[serde(default)]
    pub options: Value,
    pub started_at: String,
    /// Finished tables, in the order they finished.
    pub tables: Vec<ManifestTable>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestTable {
    pub name: String,
    pub rows: u64,
    /// The row files.
    pub files: Vec<ManifestFile>,
    /// sha256 of the table's `_metadata.json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestFile {
    pub name: String,
    pub sha256: String,
}

/// Serialises `_metadata.json` with both row-list keys, so 6.x and 7.x tools both read it.
pub(crate) fn metadata_json(data: &TableData) -> Value {
    let columns: Vec<Value> = data
        .meta
        .columns
        .iter()
        .map(|c| {
            serde_json::json!({
                "attributeName": c.attribute_name,
                "dataType": c.data_type.as_str(),
                "dataLength": c.data_length,
                "isPrimaryKey": c.is_primary_key,
                "isIdentity": c.is_identity,
                "isExtend": false,
            })
        })
        .collect();
    serde_json::json!({
        "columns": columns,
        "totalCount": data.total_count,
        "rowFiles": data.row_files,
        "rows": data.row_files,
    })
}

/// Newtonsoft reads property names case-insensitively, so we do too.
fn get<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

fn get_bool(obj: &Map<String, Value>, key: &str, path: &Path, column: &str) -> Result<bool> {
    match get(obj, key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(Error::format(
            path,
            format!("column `{column}`: `{key}` must be true or false, found {other}"),
        )),
    }
}

/// Parses `_metadata.json` of `table`.
pub(crate) fn parse_metadata(table: &str, path: &Path, text: &str) -> Result<TableData> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Error::format(path, format!("invalid JSON: {e}")))?;
    let obj = value
        .as_object()
        .ok_or_else(|| Error::format(path, "expected a JSON object"))?;

    let cols = get(obj, "columns")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::format(path, "`columns` is missing or not an array"))?;
    let mut columns = Vec::with_capacity(cols.len());
    for (i, c) in cols.iter().enumerate() {
        let c = c
            .as_object()
            .ok_or_else(|| Error::format(path, format!("column {}: not an object", i + 1)))?;
        let name = get(c, "attributeName")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::format(
                    path,
                    format!("column {}: `attributeName` is missing or empty", i + 1),
                )
            })?;
        check_identifier(name, false)
            .map_err(|e| Error::format(path, format!("column {}: name {e}", i + 1)))?;
        let data_type = match get(c, "dataType") {
            Some(Value::String(s)) => s
                .parse::<DataType>()
                .map_err(|e| Error::format(path, format!("column `{name}`: {e}")))?,
            // 7.4 also accepts the enum ordinal.
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| DataType::ALL.get(i).copied())
                .ok_or_else(|| {
                    Error::format(path, format!("column `{name}`: unknown data type `{n}`"))
                })?,
            _ => {
                return Err(Error::format(
                    path,
                    format!("column `{name}`: `dataType` is missing"),
                ));
            }
        };
        let data_length = match get(c, "dataLength") {
            None | Some(Value::Null) => 0,
            Some(Value::Number(n)) => {
                n.as_i64()
                    .and_then(|n| i32::try_from(n).ok())
                    .ok_or_else(|| {
                        Error::format(path, format!("column `{name}`: bad `dataLength` {n}"))
                    })?
            }
            Some(other) => {
                return Err(Error::format(
                    path,
                    format!("column `{name}`: bad `dataLength` {other}"),
                ));
            }
        };
        if columns
            .iter()
            .any(|c: &Column| c.attribute_name.eq_ignore_ascii_case(name))
        {
            return Err(Error::format(
                path,
                format!("column `{name}` is listed twice"),
            ));
        }
        columns.push(Column {
            attribute_name: name.to_string(),
            data_type,
            data_length,
            is_primary_key: get_bool(c, "isPrimaryKey", path, name)?,
            is_identity: get_bool(c, "isIdentity", path, name)?,
        });
    }
    if columns.is_empty() {
        return Err(Error::format(path, "`columns` is empty"));
    }

    let total_count = match get(obj, "totalCount") {
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| Error::format(path, format!("bad `totalCount` {n}")))?,
        _ => return Err(Error::format(path, "`totalCount` is missing")),
    };

    let list = |key: &str| -> Result<Option<Vec<String>>> {
        match get(obj, key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    let name = v.as_str().ok_or_else(|| {
                        Error::format(path, format!("`{key}` holds a non-string {v}"))
                    })?;
                    check_name(name).map_err(|e| Error::format(path, format!("row file {e}")))?;
                    Ok(name.to_string())
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(other) => Err(Error::format(
                path,
                format!("`{key}` must be an array, found {other}"),
            )),
        }
    };
    let row_files = match (list("rows")?, list("rowFiles")?) {
        (Some(a), Some(b)) if a != b => {
            return Err(Error::format(
                path,
                "`rows` and `rowFiles` list different files",
            ));
        }
        (Some(a), _) | (None, Some(a)) => a,
        (None, None) if total_count == 0 => Vec::new(),
        (None, None) => {
            return Err(Error::format(
                path,
                "neither `rowFiles` (6.x) nor `rows` (7.x) lists the row files",
            ));
        }
    };

    Ok(TableData {
        meta: TableMeta {
            name: table.to_string(),
            columns,
        },
        total_count,
        row_files,
    })
}

/// Parses `_tables.json`.
pub(crate) fn parse_tables(path: &Path, text: &str) -> Result<Vec<String>> {
    let names: Vec<Value> = serde_json::from_str(text)
        .map_err(|e| Error::format(path, format!("invalid JSON: {e}")))?;
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for v in names {
        let name = v
            .as_str()
            .ok_or_else(|| Error::format(path, format!("table name {v} is not a string")))?;
        check_name(name)
            .and_then(|()| check_identifier(name, true))
            .map_err(|e| Error::format(path, format!("table name {e}")))?;
        if out.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            return Err(Error::format(
                path,
                format!("table `{name}` is listed twice"),
            ));
        }
        out.push(name.to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V615: &str = r#"{"columns":[{"attributeName":"Id","dataType":"Integer","dataLength":0,"isPrimaryKey":true,"isIdentity":true,"isExtend":false},
{"attributeName":"SiteName","dataType":"VarChar","dataLength":50,"isPrimaryKey":false,"isIdentity":false,"isExtend":false}],
"totalCount":1203,"rowFiles":["1.json","2.json","3.json"]}"#;

    #[test]
    fn reads_either_row_list_key() {
        let p = Path::new("t/_metadata.json");
        let a = parse_metadata("t", p, V615).unwrap();
        let b = parse_metadata("t", p, &V615.replace("rowFiles", "rows")).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.row_files, ["1.json", "2.json", "3.json"]);
        assert_eq!(a.total_count, 1203);
        assert!(a.meta.columns[0].is_identity);
    }

    #[test]
    fn rejects_bad_metadata_with_the_reason() {
        let p = Path::new("t/_metadata.json");
        let cases = [
            (
                V615.replace("\"VarChar\"", "\"Blob\""),
                "column `SiteName`: unknown data type `Blob`",
            ),
            (
                V615.replace("1.json", "../1.json"),
                "row file `../1.json` contains '/'",
            ),
            (
                V615.replace("\"totalCount\":1203,", ""),
                "`totalCount` is missing",
            ),
            (V615.replace("rowFiles", "files"), "neither `rowFiles`"),
            ("{".to_string(), "invalid JSON"),
        ];
        for (text, want) in cases {
            let err = parse_metadata("t", p, &text).unwrap_err().to_string();
            assert!(err.contains(want), "{err} should contain {want}");
            assert!(err.starts_with("t/_metadata.json: "), "{err}");
        }
    }

    #[test]
    fn tables_must_be_plain_unique_names() {
        let p = Path::new("_tables.json");
        assert_eq!(parse_tables(p, r#"["a","B"]"#).unwrap(), ["a", "B"]);
        assert!(parse_tables(p, r#"["../x"]"#).is_err());
        assert!(parse_tables(p, r#"["a","A"]"#).is_err());
        assert!(parse_tables(p, r#"{"a":1}"#).is_err());
    }
}
