//! Reading a backup: the snapshot, the SELECT expression per column type, and each value as
//! backup JSON.

use chrono::NaiveDateTime;
use serde_json::Value;
use tiberius::numeric::Numeric;
use tiberius::{ColumnData, FromSql, Row};

use crate::db::server::{bytes_json, f32_json, int_json, text_json};
use crate::model::DataType;
use crate::value::{decimal_json, float_json, format_datetime};

/// Whether the database allows SNAPSHOT transactions (`ALLOW_SNAPSHOT_ISOLATION ON`).
pub(super) const SNAPSHOT_ALLOWED_SQL: &str =
    "SELECT CAST(snapshot_isolation_state AS int) FROM sys.databases WHERE database_id = DB_ID()";

/// `BEGIN TRANSACTION` for a backup: SNAPSHOT when the database allows it, which gives one
/// consistent view of every table without blocking the site; READ COMMITTED otherwise, where
/// the backup loop's count check catches a table that changed while it was read.
pub(super) fn snapshot_sql(snapshot_allowed: bool) -> &'static str {
    if snapshot_allowed {
        "SET TRANSACTION ISOLATION LEVEL SNAPSHOT; BEGIN TRANSACTION"
    } else {
        "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; BEGIN TRANSACTION"
    }
}

/// The SELECT expression that brings a column back as a type tiberius decodes exactly.
///
/// Code-page strings are converted to Unicode by the server, which knows their collation;
/// `datetime` becomes `datetime2(3)`, so its 1/300 s ticks read as the milliseconds SQL Server
/// shows; `money` becomes a decimal, not a float; `datetimeoffset` keeps its wall-clock time.
pub(super) fn select_expr(type_name: &str, max_length: i16, quoted: &str) -> String {
    match type_name {
        "datetime" => format!("CONVERT(datetime2(3), {quoted})"),
        "smalldatetime" | "date" => format!("CONVERT(datetime2(0), {quoted})"),
        "datetimeoffset" => format!("CONVERT(datetime2(7), {quoted})"),
        "money" => format!("CONVERT(decimal(19, 4), {quoted})"),
        "smallmoney" => format!("CONVERT(decimal(10, 4), {quoted})"),
        "varchar" | "char" if (1..=4000).contains(&max_length) => {
            format!("CONVERT(nvarchar({max_length}), {quoted})")
        }
        "varchar" | "char" | "text" | "ntext" | "xml" => {
            format!("CONVERT(nvarchar(max), {quoted})")
        }
        // .NET writes Guids in lower case.
        "uniqueidentifier" => format!("LOWER(CONVERT(nchar(36), {quoted}))"),
        "time" => format!("CONVERT(nvarchar(16), {quoted})"),
        "sql_variant" => format!("CONVERT(nvarchar(4000), {quoted})"),
        "clr" => format!("{quoted}.ToString()"),
        _ => quoted.to_string(),
    }
}

/// A TDS numeric as exact decimal text.
pub(super) fn numeric_text(n: Numeric) -> String {
    let scale = usize::from(n.scale());
    let digits = n.value().unsigned_abs().to_string();
    let sign = if n.value() < 0 { "-" } else { "" };
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (i, f) = padded.split_at(padded.len() - scale);
    format!("{sign}{i}.{f}")
}

fn date_json(v: &ColumnData<'static>) -> tiberius::Result<Value> {
    Ok(NaiveDateTime::from_sql(v)?.map_or(Value::Null, |d| Value::String(format_datetime(&d))))
}

fn read_value(dt: DataType, v: &ColumnData<'static>) -> tiberius::Result<Value> {
    Ok(match v {
        ColumnData::Bit(b) => b.map_or(Value::Null, |b| match dt {
            DataType::Boolean => Value::Bool(b),
            _ => int_json(dt, i64::from(b)),
        }),
        ColumnData::U8(i) => i.map_or(Value::Null, |i| int_json(dt, i64::from(i))),
        ColumnData::I16(i) => i.map_or(Value::Null, |i| int_json(dt, i64::from(i))),
        ColumnData::I32(i) => i.map_or(Value::Null, |i| int_json(dt, i64::from(i))),
        ColumnData::I64(i) => i.map_or(Value::Null, |i| int_json(dt, i)),
        ColumnData::F32(f) => f.map_or(Value::Null, f32_json),
        ColumnData::F64(f) => f.map_or(Value::Null, float_json),
        ColumnData::Numeric(n) => n.map_or(Value::Null, |n| {
            let s = numeric_text(n);
            decimal_json(&s).unwrap_or(Value::String(s))
        }),
        ColumnData::String(s) => s
            .as_ref()
            .map_or(Value::Null, |s| text_json(dt, s.to_string())),
        ColumnData::Guid(g) => g.map_or(Value::Null, |g| Value::String(g.to_string())),
        ColumnData::Binary(b) => b.as_ref().map_or(Value::Null, |b| bytes_json(b)),
        ColumnData::Xml(x) => x
            .as_ref()
            .map_or(Value::Null, |x| Value::String(x.to_string())),
        ColumnData::DateTime(_)
        | ColumnData::SmallDateTime(_)
        | ColumnData::DateTime2(_)
        | ColumnData::Date(_) => date_json(v)?,
        ColumnData::DateTimeOffset(_) => chrono::DateTime::<chrono::FixedOffset>::from_sql(v)?
            .map_or(Value::Null, |d| {
                Value::String(format_datetime(&d.naive_local()))
            }),
        ColumnData::Time(_) => {
            chrono::NaiveTime::from_sql(v)?.map_or(Value::Null, |t| Value::String(t.to_string()))
        }
    })
}

pub(super) fn read_row(row: Row, types: &[DataType]) -> tiberius::Result<Vec<Value>> {
    row.into_iter()
        .zip(types)
        .map(|(v, dt)| read_value(*dt, &v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::dialect::Dialect;
    use crate::db::mssql::connect::SESSION_SQL;
    use crate::model::DataType::*;
    use crate::model::{Column, TableMeta};

    #[test]
    fn every_type_reads_through_an_exact_expression() {
        let t = TableMeta {
            name: "all_types".into(),
            columns: vec![
                Column::new("Id", Integer).identity().primary_key(),
                Column::new("AddDate", DateTime),
                Column::new("Price", Decimal),
                Column::new("Title", VarChar).length(255),
                Column::new("Body", Text),
                Column::new("Guid", VarChar).length(36),
                Column::new("Top", Boolean),
            ],
        };
        let catalog = [
            ("int", 4),
            ("datetime", 8),
            ("money", 8),
            ("varchar", 255),
            ("ntext", 16),
            ("uniqueidentifier", 16),
            ("bit", 1),
        ];
        let exprs: Vec<String> = t
            .columns
            .iter()
            .zip(catalog)
            .map(|(c, (ty, len))| {
                select_expr(ty, len, &Dialect::SqlServer.quote(&c.attribute_name))
            })
            .collect();
        assert_eq!(
            Dialect::SqlServer.select_exprs(&t, &exprs, None, crate::db::Select::all()),
            "SELECT [Id], CONVERT(datetime2(3), [AddDate]), CONVERT(decimal(19, 4), [Price]), \
             CONVERT(nvarchar(255), [Title]), CONVERT(nvarchar(max), [Body]), \
             LOWER(CONVERT(nchar(36), [Guid])), [Top] FROM [all_types] ORDER BY [Id]"
        );
        assert_eq!(
            select_expr("varchar", 8000, "[X]"),
            "CONVERT(nvarchar(max), [X])"
        );
        assert_eq!(select_expr("nvarchar", 100, "[X]"), "[X]");
        assert_eq!(select_expr("clr", -1, "[X]"), "[X].ToString()");
        assert_eq!(
            select_expr("datetimeoffset", 10, "[X]"),
            "CONVERT(datetime2(7), [X])"
        );
    }

    #[test]
    fn backups_read_inside_a_snapshot_when_allowed() {
        assert_eq!(
            snapshot_sql(true),
            "SET TRANSACTION ISOLATION LEVEL SNAPSHOT; BEGIN TRANSACTION"
        );
        assert_eq!(
            snapshot_sql(false),
            "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; BEGIN TRANSACTION"
        );
        assert!(SESSION_SQL.contains("SET XACT_ABORT ON"));
        assert!(SESSION_SQL.contains("SET ANSI_WARNINGS ON"));
    }

    #[test]
    fn values_read_as_backup_json() {
        use std::borrow::Cow;
        let r = |dt, v: ColumnData<'static>| read_value(dt, &v).unwrap();
        assert_eq!(r(Boolean, ColumnData::Bit(Some(true))), Value::Bool(true));
        assert_eq!(r(Integer, ColumnData::I32(Some(-7))), Value::from(-7));
        assert_eq!(r(Integer, ColumnData::I32(None)), Value::Null);
        assert_eq!(
            r(
                Decimal,
                ColumnData::Numeric(Some(Numeric::new_with_scale(1250, 2)))
            )
            .to_string(),
            "12.50"
        );
        assert_eq!(
            r(Text, ColumnData::String(Some(Cow::Borrowed("中文")))),
            Value::String("中文".into())
        );
        let d = chrono::NaiveDate::from_ymd_opt(2020, 5, 1)
            .unwrap()
            .and_hms_milli_opt(8, 30, 0, 250)
            .unwrap();
        let v = tiberius::IntoSql::into_sql(d);
        assert_eq!(
            r(DateTime, v),
            Value::String("2020-05-01 08:30:00.250".into())
        );
        assert_eq!(
            r(VarChar, ColumnData::Binary(Some(Cow::Borrowed(b"hi")))),
            Value::String("aGk=".into())
        );
    }
}
