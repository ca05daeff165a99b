//! SQLite through sqlx, with the bundled SQLite.

use std::path::PathBuf;

use async_trait::async_trait;
use base64::Engine as _;
use futures::TryStreamExt;
use futures::stream::BoxStream;
use serde_json::Value;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteRow, SqliteValueRef};
use sqlx::{AssertSqlSafe, Connection, Row as _, TypeInfo, ValueRef};

use crate::config::{DatabaseConfig, DatabaseType};
use crate::db::dialect::Dialect;
use crate::db::driver::{Access, DatabaseDriver};
use crate::db::schema::Select;
use crate::error::{Error, Result};
use crate::model::{Column, DataType, TableMeta};
use crate::value::{SqlValue, decimal_json, float_json, format_datetime, parse_datetime};

pub(crate) struct SqliteDriver {
    conn: SqliteConnection,
    path: PathBuf,
}

impl SqliteDriver {
    pub(crate) async fn connect(config: &DatabaseConfig, access: Access) -> Result<Self> {
        let path = config.sqlite_path()?;
        if access == Access::ReadOnly && !path.is_file() {
            return Err(Error::Invalid(format!(
                "SQLite database {} does not exist",
                path.display()
            )));
        }
        let opts = SqliteConnectOptions::new()
            .filename(&path)
            .read_only(access == Access::ReadOnly)
            .create_if_missing(access == Access::ReadWrite)
            // Restore order is the backup's, not a dependency order.
            .pragma("foreign_keys", "OFF");
        let conn = SqliteConnection::connect_with(&opts)
            .await
            .map_err(|e| Error::db(format!("cannot open SQLite database {}", path.display()), e))?;
        Ok(SqliteDriver { conn, path })
    }

    fn context(&self, what: &str) -> String {
        format!("SQLite {}: {what}", self.path.display())
    }
}

/// Maps a declared column type to a data type and VarChar length.
///
/// Unlike SSCMS 7.4, `DECIMAL(18, 2)` (the type we and 7.4 create) reads back as Decimal.
pub(crate) fn map_declared_type(declared: &str) -> (DataType, i32) {
    let upper = declared.trim().to_ascii_uppercase();
    let (base, args) = match upper.split_once('(') {
        Some((b, rest)) => (b.trim(), rest.trim_end_matches(')').trim()),
        None => (upper.as_str(), ""),
    };
    let len = if args.contains(',') {
        0
    } else {
        args.parse::<i32>().unwrap_or(0)
    };
    let t = match base {
        "INT2" | "BOOL" | "BOOLEAN" | "BIT" => DataType::Boolean,
        "TINYINT" if len == 1 => DataType::Boolean,
        "DATETIME" | "DATETIME2" | "SMALLDATETIME" | "DATETIMEOFFSET" | "TIMESTAMP"
        | "TIMESTAMPTZ" | "DATE" => DataType::DateTime,
        "DECIMAL" | "NUMERIC" | "REAL" | "DOUBLE" | "DOUBLE PRECISION" | "FLOAT" | "MONEY"
        | "NUMBER" => DataType::Decimal,
        "INTEGER" | "INT" | "INT4" | "INT8" | "BIGINT" | "SMALLINT" | "TINYINT" | "MEDIUMINT"
        | "UNSIGNED BIG INT" => DataType::Integer,
        "TEXT" | "NTEXT" | "CLOB" | "LONGTEXT" | "MEDIUMTEXT" => DataType::Text,
        _ => DataType::VarChar,
    };
    (
        t,
        if t == DataType::VarChar {
            len.max(0)
        } else {
            0
        },
    )
}

fn read_value(dt: DataType, v: SqliteValueRef<'_>) -> std::result::Result<Value, sqlx::Error> {
    use sqlx::Decode;
    if v.is_null() {
        return Ok(Value::Null);
    }
    let storage = v.type_info().name().to_string();
    let decode_err = |e: sqlx::error::BoxDynError| sqlx::Error::Decode(e);
    Ok(match storage.as_str() {
        "INTEGER" => {
            let i = <i64 as Decode<sqlx::Sqlite>>::decode(v).map_err(decode_err)?;
            match dt {
                DataType::Boolean if i == 0 || i == 1 => Value::Bool(i == 1),
                DataType::Decimal => decimal_json(&i.to_string()).unwrap_or(Value::from(i)),
                _ => Value::from(i),
            }
        }
        "REAL" => float_json(<f64 as Decode<sqlx::Sqlite>>::decode(v).map_err(decode_err)?),
        "BLOB" => {
            let b = <Vec<u8> as Decode<sqlx::Sqlite>>::decode(v).map_err(decode_err)?;
            Value::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        _ => {
            let s = <String as Decode<sqlx::Sqlite>>::decode(v).map_err(decode_err)?;
            // A value the column type cannot read stays as the source held it, so nothing is lost.
            match dt {
                DataType::DateTime => parse_datetime(&s)
                    .map(|d| Value::String(format_datetime(&d)))
                    .unwrap_or(Value::String(s)),
                DataType::Decimal => decimal_json(&s).unwrap_or(Value::String(s)),
                DataType::Boolean if s.eq_ignore_ascii_case("true") => Value::Bool(true),
                DataType::Boolean if s.eq_ignore_ascii_case("false") => Value::Bool(false),
                _ => Value::String(s),
            }
        }
    })
}

fn read_row(row: &SqliteRow, types: &[DataType]) -> std::result::Result<Vec<Value>, sqlx::Error> {
    types
        .iter()
        .enumerate()
        .map(|(i, dt)| read_value(*dt, row.try_get_raw(i)?))
        .collect()
}

#[async_trait]
impl DatabaseDriver for SqliteDriver {
    fn database_type(&self) -> DatabaseType {
        DatabaseType::Sqlite
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn list_tables(&mut self) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .fetch_all(&mut self.conn)
        .await
        .map_err(|e| Error::db(self.context("listing tables"), e))?;
        rows.iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| Error::db(self.context("listing tables"), e))
    }

    async fn columns(&mut self, table: &str) -> Result<Vec<Column>> {
        let rows = sqlx::query("SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid")
            .bind(table.to_string())
            .fetch_all(&mut self.conn)
            .await
            .map_err(|e| Error::db(self.context(&format!("reading columns of `{table}`")), e))?;
        let mut columns = Vec::with_capacity(rows.len());
        let mut pk_count = 0;
        for r in &rows {
            let get = |e| Error::db(self.context(&format!("reading columns of `{table}`")), e);
            let name: String = r.try_get(0).map_err(get)?;
            let declared: String = r
                .try_get::<Option<String>, _>(1)
                .map_err(get)?
                .unwrap_or_default();
            let pk: i64 = r.try_get(2).map_err(get)?;
            let (data_type, data_length) = map_declared_type(&declared);
            pk_count += i32::from(pk > 0);
            let mut c = Column::new(name, data_type).length(data_length);
            c.is_primary_key = pk > 0;
            // Only a sole `INTEGER` key is a rowid alias, which numbers new rows by itself.
            c.is_identity = pk > 0 && declared.trim().eq_ignore_ascii_case("INTEGER");
            columns.push(c);
        }
        if pk_count > 1 {
            columns.iter_mut().for_each(|c| c.is_identity = false);
        }
        if columns.is_empty() {
            return Err(Error::table(table, "not found in the SQLite database"));
        }
        Ok(columns)
    }

    async fn count_rows(&mut self, table: &str) -> Result<u64> {
        let sql = format!("SELECT COUNT(*) FROM {}", Dialect::Sqlite.quote(table));
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
            .fetch_one(&mut self.conn)
            .await
            .map_err(|e| Error::db(self.context(&format!("counting `{table}`")), e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn begin_snapshot(&mut self) -> Result<()> {
        // A read transaction holds one view of the file until it ends.
        self.execute("BEGIN").await
    }

    async fn end_snapshot(&mut self) -> Result<()> {
        self.execute("COMMIT").await
    }

    fn stream_rows<'a>(
        &'a mut self,
        table: &'a TableMeta,
        select: Select,
    ) -> BoxStream<'a, Result<Vec<Value>>> {
        let sql = Dialect::Sqlite.select_all(table, Some("rowid"), select);
        let types: Vec<DataType> = table.columns.iter().map(|c| c.data_type).collect();
        let context = self.context(&format!("reading `{}`", table.name));
        Box::pin(async_stream::try_stream! {
            let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&mut self.conn);
            while let Some(row) = rows.try_next().await.map_err(|e| Error::db(&context, e))? {
                yield read_row(&row, &types).map_err(|e| Error::db(&context, e))?;
            }
        })
    }

    async fn execute(&mut self, sql: &str) -> Result<()> {
        sqlx::query(AssertSqlSafe(sql))
            .execute(&mut self.conn)
            .await
            .map_err(|e| Error::db(self.context(sql), e))?;
        Ok(())
    }

    async fn insert_rows(&mut self, table: &TableMeta, rows: &[Vec<SqlValue>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let sql = Dialect::Sqlite.insert(&table.name, &table.columns, rows.len());
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for v in rows.iter().flatten() {
            q = match v {
                SqlValue::Null => q.bind(None::<i64>),
                SqlValue::Bool(b) => q.bind(i64::from(*b)),
                SqlValue::Int(i) => q.bind(*i),
                // Text into a DECIMAL column is converted by SQLite's numeric affinity.
                SqlValue::Decimal(s) | SqlValue::Text(s) => q.bind(s.clone()),
                SqlValue::DateTime(d) => q.bind(format_datetime(d)),
            };
        }
        q.execute(&mut self.conn)
            .await
            .map_err(|e| Error::db(self.context(&format!("inserting into `{}`", table.name)), e))?;
        Ok(())
    }

    async fn close(self: Box<Self>) -> Result<()> {
        let context = self.context("closing");
        self.conn.close().await.map_err(|e| Error::db(context, e))
    }
}

#[cfg(test)]
mod tests {
    use super::map_declared_type;
    use crate::model::DataType::*;

    #[test]
    fn declared_types_map_to_all_six() {
        for (declared, want) in [
            ("INT2", (Boolean, 0)),
            ("tinyint(1)", (Boolean, 0)),
            ("DATETIME", (DateTime, 0)),
            ("DECIMAL(18, 2)", (Decimal, 0)),
            ("REAL", (Decimal, 0)),
            ("INTEGER", (Integer, 0)),
            ("int", (Integer, 0)),
            ("TEXT", (Text, 0)),
            ("NVARCHAR(50)", (VarChar, 50)),
            ("varchar(255)", (VarChar, 255)),
            ("", (VarChar, 0)),
            ("BLOB", (VarChar, 0)),
        ] {
            assert_eq!(map_declared_type(declared), want, "{declared}");
        }
    }
}
