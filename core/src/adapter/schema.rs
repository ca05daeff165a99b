//! Generic helpers for adapters: columns from SQL Server-style definitions, added columns with
//! the value existing rows get, renames, id renumbering for merged tables, rows an upgrade
//! inserts, and the small string rules of the old config rewrites.
//!
//! Nothing here knows a SiteServer table; the adapters hold the facts.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::{Column, DataType, Row};
use crate::settings::{Settings, escape_value, is_json_form};

use super::plan::{HopInput, OutputTable, RowOutcome, Source, TableStatus};
use super::row::{get, take};

/// One column from a SQL Server type name, as the 6.15 backup reads it from `syscolumns`:
/// `int` → Integer 4, `datetime` → DateTime 8, `ntext`/`text` → Text 16, `bit` → Boolean 1,
/// `decimal(p,s)` → Decimal with its storage size (5, 9, 13 or 17 bytes), `nvarchar(n)` and
/// `varchar(n)` → VarChar n (`max` → 0), and anything else (such as `float`) → VarChar with its
/// byte size, because 6.15 maps unknown types to VarChar.
pub fn sql_column(name: &str, sql_type: &str) -> Result<Column> {
    let t = sql_type.trim().to_ascii_lowercase();
    let (base, args) = match t.split_once('(') {
        Some((b, rest)) => (
            b.trim().to_string(),
            rest.trim_end_matches(')').trim().to_string(),
        ),
        None => (t.clone(), String::new()),
    };
    let bad = || Error::Invalid(format!("column `{name}`: unknown SQL type `{sql_type}`"));
    let first_number = || -> Result<i32> {
        let n = args.split(',').next().unwrap_or_default().trim();
        if n == "max" {
            return Ok(0);
        }
        n.parse::<i32>().map_err(|_| bad())
    };
    let col = match base.as_str() {
        "int" => Column::new(name, DataType::Integer).length(4),
        "datetime" | "datetime2" => Column::new(name, DataType::DateTime).length(8),
        "ntext" | "text" => Column::new(name, DataType::Text).length(16),
        "bit" => Column::new(name, DataType::Boolean).length(1),
        "decimal" | "numeric" => {
            let p = if args.is_empty() { 18 } else { first_number()? };
            let bytes = match p {
                1..=9 => 5,
                10..=19 => 9,
                20..=28 => 13,
                _ => 17,
            };
            Column::new(name, DataType::Decimal).length(bytes)
        }
        "nvarchar" | "varchar" | "nchar" | "char" => {
            Column::new(name, DataType::VarChar).length(first_number()?)
        }
        "float" => Column::new(name, DataType::VarChar).length(8),
        _ => return Err(bad()),
    };
    Ok(col)
}

/// Columns from a definition list such as
/// `"ID int pk identity, Title nvarchar(255), Price decimal(18,2)"`: entries are separated by
/// commas or new lines outside parentheses; each is a name, a SQL type and the optional flags
/// `pk` and `identity`.
pub fn columns(spec: &str) -> Result<Vec<Column>> {
    let mut out = Vec::new();
    let mut depth = 0u32;
    let mut current = String::new();
    let mut entries = Vec::new();
    for c in spec.chars() {
        match c {
            '(' => {
                depth += 1;
                current.push(c);
            }
            ')' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            ',' | '\n' if depth == 0 => entries.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    entries.push(current);
    for entry in entries {
        let words: Vec<&str> = entry.split_whitespace().collect();
        let [name, ty, flags @ ..] = words.as_slice() else {
            if words.is_empty() {
                continue;
            }
            return Err(Error::Invalid(format!(
                "column definition `{}` needs a name and a type",
                entry.trim()
            )));
        };
        let mut col = sql_column(name, ty)?;
        for f in flags {
            match *f {
                "pk" => col.is_primary_key = true,
                "identity" => col.is_identity = true,
                other => {
                    return Err(Error::Invalid(format!(
                        "column `{name}`: unknown flag `{other}`"
                    )));
                }
            }
        }
        out.push(col);
    }
    Ok(out)
}

/// Tables from (name, [`columns`] definition) pairs, such as an install's table list.
pub fn tables(list: &[(&str, &str)]) -> Result<Vec<crate::model::TableMeta>> {
    list.iter()
        .map(|(name, spec)| {
            Ok(crate::model::TableMeta {
                name: name.to_string(),
                columns: columns(spec).map_err(|e| Error::Invalid(format!("`{name}`: {e}")))?,
            })
        })
        .collect()
}

/// The position of a column, by name, case-insensitively (as SQL Server compares names).
pub fn position(columns: &[Column], name: &str) -> Option<usize> {
    columns
        .iter()
        .position(|c| c.attribute_name.eq_ignore_ascii_case(name))
}

/// Returns true if and only if the columns include one of this name, case-insensitively.
pub fn has_column(columns: &[Column], name: &str) -> bool {
    position(columns, name).is_some()
}

/// A column that an upgrade appends, with the value existing rows get.
#[derive(Debug, Clone)]
pub struct AddedColumn {
    pub column: Column,
    pub value: Value,
}

impl AddedColumn {
    pub fn new(column: Column, value: impl Into<Value>) -> Self {
        AddedColumn {
            column,
            value: value.into(),
        }
    }
}

/// Appends the columns the table does not have yet (`ALTER TABLE … ADD` guarded by a column
/// check), and returns the ones actually added, so rows get values only for those.
pub fn append_missing(columns: &mut Vec<Column>, added: Vec<AddedColumn>) -> Vec<AddedColumn> {
    let mut applied = Vec::new();
    for a in added {
        if !has_column(columns, &a.column.attribute_name) {
            columns.push(a.column.clone());
            applied.push(a);
        }
    }
    applied
}

/// Gives a row the values of added columns, unless it already has a value under that name.
pub fn fill(row: &mut Row, added: &[AddedColumn]) {
    for a in added {
        if get(row, &a.column.attribute_name).is_none() {
            row.insert(a.column.attribute_name.clone(), a.value.clone());
        }
    }
}

/// Renames a column in place, keeping its type and flags. Returns false (and changes nothing)
/// when `from` is missing or `to` is already taken, which is where `sp_rename` fails too.
pub fn rename_column(columns: &mut [Column], from: &str, to: &str) -> bool {
    if has_column(columns, to) {
        return false;
    }
    match position(columns, from) {
        Some(i) => {
            columns[i].attribute_name = to.to_string();
            true
        }
        None => false,
    }
}

/// The value a NOT NULL column gets when an insert leaves it out and its default is the
/// type's empty value: `""`, `0`, `false`; dates have no such value and get `null`.
pub fn empty_value(column: &Column) -> Value {
    match column.data_type {
        DataType::VarChar | DataType::Text => Value::from(""),
        DataType::Integer => Value::from(0),
        DataType::Decimal => serde_json::from_str("0.0").unwrap_or(Value::from(0)),
        DataType::Boolean => Value::Bool(false),
        DataType::DateTime => Value::Null,
    }
}

/// A whole row for `columns`: the given values, the type's empty value elsewhere.
pub fn new_row(columns: &[Column], values: &[(&str, Value)]) -> Row {
    columns
        .iter()
        .map(|c| {
            let v = values
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&c.attribute_name))
                .map_or_else(|| empty_value(c), |(_, v)| v.clone());
            (c.attribute_name.clone(), v)
        })
        .collect()
}

/// A source that adds one new row to its output table: the row is written once, for the first
/// row of `anchor` (a table known to hold exactly one row, such as a config table).
///
/// The engine streams rows from input tables only; this is how a hop writes rows that an
/// upgrade inserted. The anchor's own rows are not consumed: they reach their own output.
pub fn insert_row(anchor: &str, row: Row) -> Source {
    let mut row = Some(row);
    Source::with(anchor, move |_| {
        Ok(match row.take() {
            Some(r) => RowOutcome::Keep(r),
            None => RowOutcome::Elsewhere,
        })
    })
}

/// A table with the given columns appended where it lacks them, its rows given their values;
/// [`TableStatus::Carried`] when it has them all already.
pub fn add_columns(name: &str, existing: &[Column], added: Vec<AddedColumn>) -> OutputTable {
    let mut cols = existing.to_vec();
    let applied = append_missing(&mut cols, added);
    let status = if applied.is_empty() {
        TableStatus::Carried
    } else {
        TableStatus::Converted
    };
    OutputTable::new(name, cols, status).source(Source::with(name, move |mut row| {
        fill(&mut row, &applied);
        Ok(RowOutcome::Keep(row))
    }))
}

/// The first non-empty text value of a column, if the table exists and has one.
pub fn first_text(input: &HopInput<'_>, table: &str, column: &str) -> Result<Option<String>> {
    let mut found = None;
    if input.table(table).is_some() {
        input.for_each_row(table, |row| {
            if found.is_none() {
                found = super::row::text(&row, column).filter(|s| !s.trim().is_empty());
            }
            Ok(())
        })?;
    }
    Ok(found)
}

/// An integer value of a row, from a number or numeric text.
pub fn int(row: &Row, key: &str) -> Option<i64> {
    super::row::get_int(row, key)
}

/// Sets a value under the row's own spelling of `key` (matched case-insensitively), or adds it.
pub fn put(row: &mut Row, key: &str, value: impl Into<Value>) {
    super::row::set(row, key, value.into());
}

/// One column of a table as integers, one entry per row in row order (`None` where the value
/// is missing or not a number). An absent table gives nothing.
pub fn column_ints(input: &HopInput<'_>, table: &str, column: &str) -> Result<Vec<Option<i64>>> {
    let mut out = Vec::new();
    if input.table(table).is_some() {
        input.for_each_row(table, |row| {
            out.push(int(&row, column));
            Ok(())
        })?;
    }
    Ok(out)
}

/// The largest of some ids, 0 when there are none.
pub fn max_id(ids: &[Option<i64>]) -> i64 {
    ids.iter().flatten().copied().max().unwrap_or(0).max(0)
}

/// The ids [`renumber`] gives merged rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renumbered {
    /// The new id of each merged row, in row order.
    pub ids: Vec<i64>,
    /// The `(old, new)` pairs that differ, for the report's id map.
    pub changed: Vec<(i64, i64)>,
}

/// New ids for rows merged into a table that already holds rows with `kept` ids.
///
/// The first table keeps its ids. A later row keeps its id too, unless that id is already
/// taken (or missing); then it gets the next free id above every id seen. `ids` holds the later
/// rows' ids in row order.
pub fn renumber(kept: &[Option<i64>], ids: &[Option<i64>]) -> Renumbered {
    let mut used: BTreeSet<i64> = kept.iter().flatten().copied().collect();
    let mut next = max_id(kept).max(max_id(ids)) + 1;
    let mut out = Renumbered::default();
    for &id in ids {
        let new = match id {
            Some(id) if !used.contains(&id) => id,
            _ => {
                while used.contains(&next) {
                    next += 1;
                }
                next
            }
        };
        used.insert(new);
        if let Some(old) = id
            && old != new
        {
            out.changed.push((old, new));
        }
        out.ids.push(new);
    }
    out
}

/// Removes the keys whose value carries nothing (null, `""` or the number 0), so that only real
/// values of columns without a place reach the report.
pub fn drop_empty(row: &mut Row, keys: &[&str]) {
    for k in keys {
        let empty = match get(row, k) {
            Some(Value::Null) | None => true,
            Some(Value::String(s)) => s.is_empty(),
            Some(Value::Number(n)) => n.as_f64() == Some(0.0),
            Some(_) => false,
        };
        if empty {
            take(row, k);
        }
    }
}

/// A settings string with every key lower-cased, values unchanged, duplicates kept.
///
/// A string whose keys are all lower-case already comes back unchanged, not re-encoded.
pub fn lowercase_setting_keys(s: &str) -> String {
    let parsed = Settings::parse(s);
    if parsed.iter().all(|(k, _)| k.to_lowercase() == k) {
        return s.to_string();
    }
    let mut out = parsed
        .iter()
        .map(|(k, v)| format!("{}={}", escape_value(&k.to_lowercase()), escape_value(v)))
        .collect::<Vec<_>>()
        .join("&");
    if is_json_form(&out) {
        out.push('&');
    }
    out
}

/// A comma-separated list with each item trimmed, re-joined with `,` (empty stays empty).
pub fn trim_list(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    s.split(',').map(str::trim).collect::<Vec<_>>().join(",")
}

/// .NET `bool.Parse` written back as text: `"True"` or `"False"`; anything unparsable is
/// `"False"`.
pub fn dotnet_bool(s: &str) -> &'static str {
    if s.trim().eq_ignore_ascii_case("true") {
        "True"
    } else {
        "False"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_read_as_the_6_15_backup_reads_sql_server() {
        let cols = columns(
            "ID int pk identity, Title nvarchar(255)\n Price decimal(18,2), Big decimal(20,2),
             Body ntext, At datetime, Flag bit, Num float, Wide nvarchar(max)",
        )
        .unwrap();
        let got: Vec<(&str, DataType, i32, bool, bool)> = cols
            .iter()
            .map(|c| {
                (
                    c.attribute_name.as_str(),
                    c.data_type,
                    c.data_length,
                    c.is_primary_key,
                    c.is_identity,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("ID", DataType::Integer, 4, true, true),
                ("Title", DataType::VarChar, 255, false, false),
                ("Price", DataType::Decimal, 9, false, false),
                ("Big", DataType::Decimal, 13, false, false),
                ("Body", DataType::Text, 16, false, false),
                ("At", DataType::DateTime, 8, false, false),
                ("Flag", DataType::Boolean, 1, false, false),
                ("Num", DataType::VarChar, 8, false, false),
                ("Wide", DataType::VarChar, 0, false, false),
            ]
        );
        assert!(columns("ID blob").is_err());
        assert!(columns("ID").is_err());
        assert!(columns("ID int primary").is_err());
    }

    #[test]
    fn added_columns_skip_existing_names_and_fill_rows() {
        let mut cols = columns("Id int identity, Name nvarchar(50)").unwrap();
        let applied = append_missing(
            &mut cols,
            vec![
                AddedColumn::new(sql_column("name", "nvarchar(20)").unwrap(), ""),
                AddedColumn::new(sql_column("Count", "int").unwrap(), 0),
            ],
        );
        assert_eq!(applied.len(), 1);
        assert_eq!(cols.len(), 3);
        let mut row = Row::new();
        row.insert("Id".into(), Value::from(1));
        row.insert("count".into(), Value::from(7));
        fill(&mut row, &applied);
        assert_eq!(row.get("count"), Some(&Value::from(7)));
        let mut row = Row::new();
        fill(&mut row, &applied);
        assert_eq!(row.get("Count"), Some(&Value::from(0)));
    }

    #[test]
    fn renames_fail_where_sp_rename_fails() {
        let mut cols = columns("A int, B int").unwrap();
        assert!(!rename_column(&mut cols, "A", "b"));
        assert!(!rename_column(&mut cols, "C", "D"));
        assert!(rename_column(&mut cols, "a", "C"));
        assert_eq!(cols[0].attribute_name, "C");
    }

    #[test]
    fn merged_ids_keep_the_first_table_and_renumber_collisions() {
        let some = |v: &[i64]| v.iter().map(|&i| Some(i)).collect::<Vec<_>>();
        let r = renumber(&some(&[1, 2, 5]), &some(&[1, 3, 5, 3]));
        assert_eq!(r.ids, [6, 3, 7, 8]);
        assert_eq!(r.changed, [(1, 6), (5, 7), (3, 8)]);
        assert_eq!(renumber(&[], &some(&[4, 9])).ids, [4, 9]);
        let r = renumber(&some(&[2]), &[None, Some(1)]);
        assert_eq!(r.ids, [3, 1]);
        assert!(r.changed.is_empty());
    }

    #[test]
    fn config_string_rules() {
        assert_eq!(
            lowercase_setting_keys("IsLog=True&CipherKey=a_and_b"),
            "islog=True&cipherkey=a_and_b"
        );
        assert_eq!(lowercase_setting_keys(""), "");
        assert_eq!(lowercase_setting_keys("A=1&a=2"), "a=1&a=2");
        assert_eq!(lowercase_setting_keys("x=1&&y=2"), "x=1&&y=2");
        assert_eq!(trim_list(" a , b,,c "), "a,b,,c");
        assert_eq!(trim_list(""), "");
        assert_eq!(dotnet_bool(" true "), "True");
        assert_eq!(dotnet_bool("False"), "False");
        assert_eq!(dotnet_bool("yes"), "False");
    }

    #[test]
    fn empty_values_leave_the_row() {
        let mut row = Row::new();
        row.insert("A".into(), Value::from(0));
        row.insert("B".into(), Value::from(""));
        row.insert("C".into(), Value::from("x"));
        row.insert("D".into(), Value::from(2));
        drop_empty(&mut row, &["a", "b", "c", "d", "e"]);
        assert_eq!(row.keys().collect::<Vec<_>>(), ["C", "D"]);
    }
}
