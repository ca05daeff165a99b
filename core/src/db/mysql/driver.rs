//! MySQL and MariaDB through sqlx.
//!
//! Rows are read with one ordered SELECT over the binary protocol, so DECIMAL arrives as
//! text (exact) and dates as their fields; nothing passes through a float on the way.

use async_trait::async_trait;
use futures::TryStreamExt;
use futures::stream::BoxStream;
use serde_json::Value;
use sqlx::mysql::{
    MySqlConnectOptions, MySqlConnection, MySqlDatabaseError, MySqlRow, MySqlSslMode, MySqlValueRef,
};
use sqlx::{AssertSqlSafe, Column as _, Connection, Decode, MySql, Row as _, TypeInfo, ValueRef};

use crate::backup::JsonRows;
use crate::config::{DatabaseConfig, DatabaseType};
use crate::db::dialect::Dialect;
use crate::db::driver::{Access, DatabaseDriver, MAX_BATCH_BYTES};
use crate::db::mysql::dialect;
use crate::db::schema::Select;
use crate::db::server::{
    Endpoint, bytes_json, f32_json, int_json, push_int, push_text, text_json, utf8,
};
use crate::error::{Error, Result};
use crate::model::{Column, DataType, TableMeta};
use crate::value::{SqlValue, float_json, format_datetime};

const DEFAULT_PORT: u16 = 3306;

/// MySQL error numbers the driver explains.
const ER_BAD_DB_ERROR: u16 = 1049;
const ER_NET_PACKET_TOO_LARGE: u16 = 1153;

pub(crate) struct MySqlDriver {
    conn: MySqlConnection,
    endpoint: Endpoint,
    max_allowed_packet: usize,
    /// Whether `\\` escapes in string literals (no NO_BACKSLASH_ESCAPES in sql_mode).
    backslash_escapes: bool,
}

impl MySqlDriver {
    pub(crate) async fn connect(config: &DatabaseConfig, access: Access) -> Result<Self> {
        let addr = config.server()?;
        let endpoint = Endpoint::new("MySQL", &addr, DEFAULT_PORT)?;
        let mut opts = MySqlConnectOptions::new()
            .host(&endpoint.host)
            .port(endpoint.port)
            .database(&endpoint.database)
            .charset("utf8mb4")
            // TIMESTAMP columns read in the server's time zone, as the CMS reads them; DATETIME,
            // the type SiteServer creates, has no zone at all.
            .timezone(None)
            .pipes_as_concat(false)
            // One statement per table stays prepared: evicting one sends COM_STMT_CLOSE, which
            // the server does not answer, and the next command waits for a delayed ACK.
            .statement_cache_capacity(1024);
        if let Some(user) = &addr.user {
            opts = opts.username(user);
        }
        if let Some(password) = &addr.password {
            opts = opts.password(password);
        }
        if let Some(mode) = &addr.ssl_mode {
            opts = opts.ssl_mode(ssl_mode(mode)?);
        }
        let mut conn = MySqlConnection::connect_with(&opts)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d)
                    if d.try_downcast_ref::<MySqlDatabaseError>()
                        .is_some_and(|m| m.number() == ER_BAD_DB_ERROR) =>
                {
                    endpoint.missing_database(&format!(
                        "CREATE DATABASE {} CHARACTER SET utf8mb4",
                        Dialect::MySql.quote(&endpoint.database)
                    ))
                }
                _ => endpoint.connect_error(&e),
            })?;
        // Strict mode turns a value the column cannot hold into an error instead of a silent
        // truncation; NO_AUTO_VALUE_ON_ZERO keeps an id of 0 instead of numbering it anew.
        let mut setup = String::from(
            "SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), \
             'STRICT_ALL_TABLES', 'NO_AUTO_VALUE_ON_ZERO')",
        );
        match access {
            Access::ReadOnly => setup.push_str("; SET SESSION TRANSACTION READ ONLY"),
            // A restore loads tables it just created, whose keys the folder check has seen: the
            // per-row unique and foreign-key checks only slow the load, as in a mysqldump.
            Access::ReadWrite => {
                setup.push_str("; SET SESSION unique_checks = 0, foreign_key_checks = 0")
            }
        }
        sqlx::raw_sql(AssertSqlSafe(setup))
            .execute(&mut conn)
            .await
            .map_err(|e| Error::db(endpoint.context("setting up the session"), e))?;
        let (packet, mode): (Option<i64>, Option<String>) = sqlx::query_as(
            "SELECT CAST(@@max_allowed_packet AS SIGNED), CAST(@@SESSION.sql_mode AS CHAR)",
        )
        .fetch_one(&mut conn)
        .await
        .map_err(|e| Error::db(endpoint.context("reading max_allowed_packet"), e))?;
        Ok(MySqlDriver {
            conn,
            endpoint,
            max_allowed_packet: packet
                .and_then(|p| usize::try_from(p).ok())
                .unwrap_or(MAX_BATCH_BYTES),
            backslash_escapes: !mode
                .unwrap_or_default()
                .to_ascii_uppercase()
                .contains("NO_BACKSLASH_ESCAPES"),
        })
    }

    fn context(&self, what: &str) -> String {
        self.endpoint.context(what)
    }
}

fn ssl_mode(mode: &str) -> Result<MySqlSslMode> {
    Ok(
        match mode
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_'], "")
            .as_str()
        {
            "none" | "disabled" | "disable" => MySqlSslMode::Disabled,
            "preferred" | "prefer" => MySqlSslMode::Preferred,
            "required" | "require" => MySqlSslMode::Required,
            "verifyca" => MySqlSslMode::VerifyCa,
            "verifyfull" | "verifyidentity" => MySqlSslMode::VerifyIdentity,
            _ => {
                return Err(Error::Invalid(format!(
                    "SslMode `{mode}` is not one of None, Preferred, Required, VerifyCA, VerifyFull"
                )));
            }
        },
    )
}

/// Maps an `information_schema.COLUMNS` type to a data type and VarChar length.
///
/// `data_type` is `DATA_TYPE` (`tinyint`), `column_type` is `COLUMN_TYPE` (`tinyint(1)`), and
/// `char_len` is `CHARACTER_MAXIMUM_LENGTH`. Unlike 6.15, `tinyint(1)` reads as Boolean.
pub(crate) fn map_column_type(
    data_type: &str,
    column_type: &str,
    char_len: Option<i64>,
) -> (DataType, i32) {
    let data_type = data_type.trim().to_ascii_lowercase();
    let column_type = column_type.trim().to_ascii_lowercase();
    let t = match data_type.as_str() {
        "tinyint" if column_type.starts_with("tinyint(1)") => DataType::Boolean,
        "bit" if column_type == "bit" || column_type == "bit(1)" => DataType::Boolean,
        "bool" | "boolean" => DataType::Boolean,
        "datetime" | "timestamp" | "date" => DataType::DateTime,
        "decimal" | "numeric" | "float" | "double" | "real" | "double precision" => {
            DataType::Decimal
        }
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" | "bit" | "year" => {
            DataType::Integer
        }
        "tinytext" | "text" | "mediumtext" | "longtext" | "json" => DataType::Text,
        _ => DataType::VarChar,
    };
    let len = match (t, data_type.as_str()) {
        (DataType::VarChar, "varchar" | "char" | "nvarchar" | "nchar" | "enum" | "set") => {
            char_len.and_then(|l| i32::try_from(l).ok()).unwrap_or(0)
        }
        _ => 0,
    };
    (t, len)
}

/// Catalog text, which MySQL 8 sends as binary strings.
fn text(row: &MySqlRow, i: usize) -> std::result::Result<Option<String>, sqlx::Error> {
    let v = row.try_get_raw(i)?;
    if v.is_null() {
        return Ok(None);
    }
    let b = <&[u8] as Decode<MySql>>::decode(v).map_err(sqlx::Error::Decode)?;
    Ok(Some(String::from_utf8_lossy(b).into_owned()))
}

fn int(row: &MySqlRow, i: usize) -> std::result::Result<Option<i64>, sqlx::Error> {
    let v = row.try_get_raw(i)?;
    if v.is_null() {
        return Ok(None);
    }
    <i64 as Decode<MySql>>::decode(v)
        .map(Some)
        .map_err(sqlx::Error::Decode)
}

/// A binary-protocol DATE, DATETIME or TIMESTAMP: a length byte, then year (2 bytes), month,
/// day, and optionally hour, minute, second and microseconds (4 bytes). Zero dates, which no
/// other database can hold, read as None.
fn binary_datetime(buf: &[u8]) -> Option<chrono::NaiveDateTime> {
    let (&len, rest) = buf.split_first()?;
    if len < 4 || rest.len() < 4 {
        return None;
    }
    let year = i32::from(u16::from_le_bytes([rest[0], rest[1]]));
    let date = chrono::NaiveDate::from_ymd_opt(year, u32::from(rest[2]), u32::from(rest[3]))?;
    let (h, m, s) = match rest.get(4..7) {
        Some(t) if len >= 7 => (u32::from(t[0]), u32::from(t[1]), u32::from(t[2])),
        _ => (0, 0, 0),
    };
    let micros = match rest.get(7..11) {
        Some(us) if len >= 11 => u32::from_le_bytes([us[0], us[1], us[2], us[3]]),
        _ => 0,
    };
    date.and_hms_micro_opt(h, m, s, micros)
}

/// How a result column's values decode, from its type's name: found once per column.
#[derive(Clone, Copy)]
enum Kind {
    Int,
    Unsigned,
    Float,
    Double,
    DateTime,
    Time,
    Bit,
    Bytes,
    /// DECIMAL comes as text, exact; so do the character types, ENUM, SET and JSON.
    Text,
}

impl Kind {
    fn of(type_name: &str) -> Kind {
        match type_name {
            "BOOLEAN" | "TINYINT" | "SMALLINT" | "MEDIUMINT" | "INT" | "BIGINT" | "YEAR" => {
                Kind::Int
            }
            "TINYINT UNSIGNED" | "SMALLINT UNSIGNED" | "MEDIUMINT UNSIGNED" | "INT UNSIGNED"
            | "BIGINT UNSIGNED" => Kind::Unsigned,
            "FLOAT" => Kind::Float,
            "DOUBLE" => Kind::Double,
            "DATETIME" | "TIMESTAMP" | "DATE" => Kind::DateTime,
            "TIME" => Kind::Time,
            "BIT" => Kind::Bit,
            "BINARY" | "VARBINARY" | "TINYBLOB" | "BLOB" | "MEDIUMBLOB" | "LONGBLOB"
            | "GEOMETRY" => Kind::Bytes,
            _ => Kind::Text,
        }
    }

    fn of_row(row: &MySqlRow) -> Vec<Kind> {
        row.columns()
            .iter()
            .map(|c| Kind::of(c.type_info().name()))
            .collect()
    }
}

fn read_value(
    kind: Kind,
    dt: DataType,
    v: MySqlValueRef<'_>,
) -> std::result::Result<Value, sqlx::Error> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let decode = sqlx::Error::Decode;
    Ok(match kind {
        Kind::Int => int_json(dt, <i64 as Decode<MySql>>::decode(v).map_err(decode)?),
        Kind::Unsigned => {
            let u = <u64 as Decode<MySql>>::decode(v).map_err(decode)?;
            i64::try_from(u).map_or(Value::from(u), |i| int_json(dt, i))
        }
        Kind::Float => f32_json(<f32 as Decode<MySql>>::decode(v).map_err(decode)?),
        Kind::Double => float_json(<f64 as Decode<MySql>>::decode(v).map_err(decode)?),
        Kind::DateTime => {
            let b = <&[u8] as Decode<MySql>>::decode(v).map_err(decode)?;
            binary_datetime(b).map_or(Value::Null, |d| Value::String(format_datetime(&d)))
        }
        Kind::Time => {
            let t = <sqlx::mysql::types::MySqlTime as Decode<MySql>>::decode(v).map_err(decode)?;
            Value::String(t.to_string())
        }
        Kind::Bit => {
            let b = <&[u8] as Decode<MySql>>::decode(v).map_err(decode)?;
            let n = b.iter().fold(0u64, |n, byte| (n << 8) | u64::from(*byte));
            match dt {
                DataType::Boolean => Value::Bool(n != 0),
                _ => Value::from(n),
            }
        }
        Kind::Bytes => bytes_json(<&[u8] as Decode<MySql>>::decode(v).map_err(decode)?),
        Kind::Text => text_json(
            dt,
            utf8(<&[u8] as Decode<MySql>>::decode(v).map_err(decode)?)?.to_string(),
        ),
    })
}

/// Writes what [`read_value`] gives; integers and text without a `Value` in between.
fn push_json(
    out: &mut JsonRows,
    kind: Kind,
    dt: DataType,
    v: MySqlValueRef<'_>,
) -> std::result::Result<(), sqlx::Error> {
    if v.is_null() {
        out.push_null();
        return Ok(());
    }
    let decode = sqlx::Error::Decode;
    match kind {
        Kind::Int => push_int(out, dt, <i64 as Decode<MySql>>::decode(v).map_err(decode)?),
        Kind::Text => push_text(
            out,
            dt,
            utf8(<&[u8] as Decode<MySql>>::decode(v).map_err(decode)?)?,
        ),
        _ => out.push_value(&read_value(kind, dt, v)?),
    }
    Ok(())
}

fn read_row(
    row: &MySqlRow,
    kinds: &[Kind],
    types: &[DataType],
) -> std::result::Result<Vec<Value>, sqlx::Error> {
    types
        .iter()
        .zip(kinds)
        .enumerate()
        .map(|(i, (dt, kind))| read_value(*kind, *dt, row.try_get_raw(i)?))
        .collect()
}

impl MySqlDriver {
    /// Runs one INSERT of literal rows, naming max_allowed_packet when the statement is larger.
    async fn insert_sql(&mut self, table: &TableMeta, sql: String) -> Result<()> {
        let packet = self.max_allowed_packet;
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&mut self.conn)
            .await
            .map_err(|e| {
                let hint = match &e {
                    sqlx::Error::Database(d)
                        if d.try_downcast_ref::<MySqlDatabaseError>()
                            .is_some_and(|m| m.number() == ER_NET_PACKET_TOO_LARGE) =>
                    {
                        format!(" (the server's max_allowed_packet is {packet} bytes; raise it)")
                    }
                    _ => String::new(),
                };
                Error::db(
                    self.context(&format!("inserting into `{}`{hint}", table.name)),
                    e,
                )
            })?;
        Ok(())
    }
}

#[async_trait]
impl DatabaseDriver for MySqlDriver {
    fn database_type(&self) -> DatabaseType {
        DatabaseType::MySql
    }

    fn dialect(&self) -> Dialect {
        Dialect::MySql
    }

    async fn list_tables(&mut self) -> Result<Vec<String>> {
        // Views are left out: the originals dumped them as tables, and restored them as such.
        let rows = sqlx::query(
            "SELECT TABLE_NAME FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') \
             ORDER BY TABLE_NAME",
        )
        .fetch_all(&mut self.conn)
        .await
        .map_err(|e| Error::db(self.context("listing tables"), e))?;
        rows.iter()
            .map(|r| text(r, 0).map(Option::unwrap_or_default))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| Error::db(self.context("listing tables"), e))
    }

    async fn columns(&mut self, table: &str) -> Result<Vec<Column>> {
        let context = self.context(&format!("reading columns of `{table}`"));
        let rows = sqlx::query(
            "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_MAXIMUM_LENGTH, COLUMN_KEY, \
             EXTRA FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
        )
        .bind(table)
        .fetch_all(&mut self.conn)
        .await
        .map_err(|e| Error::db(&context, e))?;
        let mut columns = Vec::with_capacity(rows.len());
        for r in &rows {
            let get = |i| text(r, i).map(Option::unwrap_or_default);
            let read = || -> std::result::Result<Column, sqlx::Error> {
                let (data_type, len) = map_column_type(&get(1)?, &get(2)?, int(r, 3)?);
                let mut c = Column::new(get(0)?, data_type).length(len);
                c.is_primary_key = get(4)?.eq_ignore_ascii_case("PRI");
                c.is_identity = get(5)?.to_ascii_lowercase().contains("auto_increment");
                Ok(c)
            };
            columns.push(read().map_err(|e| Error::db(&context, e))?);
        }
        if columns.is_empty() {
            return Err(Error::table(
                table,
                format!("not found in {}", self.endpoint.label()),
            ));
        }
        Ok(columns)
    }

    async fn count_rows(&mut self, table: &str) -> Result<u64> {
        // The text protocol: a prepared COUNT waits ~40 ms on a table InnoDB has not opened
        // yet (measured on MariaDB 10.11), which adds seconds over a site's ~170 tables.
        let sql = format!("SELECT COUNT(*) FROM {}", Dialect::MySql.quote(table));
        let context = self.context(&format!("counting `{table}`"));
        let row = sqlx::raw_sql(AssertSqlSafe(sql))
            .fetch_one(&mut self.conn)
            .await
            .map_err(|e| Error::db(&context, e))?;
        let n: i64 = row.try_get(0).map_err(|e| Error::db(&context, e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn estimate_rows(&mut self, table: &str) -> Result<Option<u64>> {
        let context = self.context(&format!("estimating the rows of `{table}`"));
        let rows: Option<Option<u64>> = sqlx::query_scalar(
            "SELECT CAST(TABLE_ROWS AS UNSIGNED) FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
        )
        .bind(table)
        .fetch_optional(&mut self.conn)
        .await
        .map_err(|e| Error::db(&context, e))?;
        Ok(rows.flatten())
    }

    async fn begin_snapshot(&mut self) -> Result<()> {
        // One InnoDB read view for every table, taken now rather than at the first read.
        self.execute(
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; \
             START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
        )
        .await
    }

    async fn end_snapshot(&mut self) -> Result<()> {
        self.execute("COMMIT").await
    }

    /// Holds `FLUSH TABLES WITH READ LOCK` while every job opens its snapshot, so they all see
    /// the same point; without the RELOAD privilege there is no shared snapshot.
    async fn begin_shared_snapshot(&mut self) -> Result<Option<String>> {
        if sqlx::raw_sql("FLUSH TABLES WITH READ LOCK")
            .execute(&mut self.conn)
            .await
            .is_err()
        {
            return Ok(None);
        }
        self.begin_snapshot().await?;
        Ok(Some(String::new()))
    }

    async fn join_snapshot(&mut self, _token: &str) -> Result<()> {
        self.begin_snapshot().await
    }

    async fn release_shared_snapshot(&mut self) -> Result<()> {
        self.execute("UNLOCK TABLES").await
    }

    fn stream_rows<'a>(
        &'a mut self,
        table: &'a TableMeta,
        select: Select,
    ) -> BoxStream<'a, Result<Vec<Value>>> {
        // A table with no key is read in InnoDB's clustered order; no ORDER BY, no sort.
        let sql = Dialect::MySql.select_all(table, None, select);
        let types: Vec<DataType> = table.columns.iter().map(|c| c.data_type).collect();
        let context = self.context(&format!("reading `{}`", table.name));
        Box::pin(async_stream::try_stream! {
            // The binary protocol: text results lose DATETIME fractions in sqlx's decoding.
            // Not `persistent(false)`: the COM_STMT_CLOSE that follows gets no reply, so the
            // next command waits for a delayed ACK (~40 ms per table; sqlx sets no TCP_NODELAY).
            let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&mut self.conn);
            let mut kinds = Vec::new();
            while let Some(row) = rows.try_next().await.map_err(|e| Error::db(&context, e))? {
                if kinds.is_empty() {
                    kinds = Kind::of_row(&row);
                }
                yield read_row(&row, &kinds, &types).map_err(|e| Error::db(&context, e))?;
            }
        })
    }

    async fn read_json(
        &mut self,
        table: &TableMeta,
        select: Select,
        sink: &mut (dyn for<'b> FnMut(&'b JsonRows) -> Result<()> + Send),
    ) -> Result<()> {
        let sql = Dialect::MySql.select_all(table, None, select);
        let types: Vec<DataType> = table.columns.iter().map(|c| c.data_type).collect();
        let context = self.context(&format!("reading `{}`", table.name));
        // As `stream_rows` reads them.
        let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&mut self.conn);
        let mut kinds = Vec::new();
        let mut batch = JsonRows::new(table);
        while let Some(row) = rows.try_next().await.map_err(|e| Error::db(&context, e))? {
            if kinds.is_empty() {
                kinds = Kind::of_row(&row);
            }
            for (i, (dt, kind)) in types.iter().zip(&kinds).enumerate() {
                row.try_get_raw(i)
                    .and_then(|v| push_json(&mut batch, *kind, *dt, v))
                    .map_err(|e| Error::db(&context, e))?;
            }
            batch.end_row();
            if !batch.needs_more() {
                sink(&batch)?;
                batch.clear();
            }
        }
        if !batch.is_empty() {
            sink(&batch)?;
        }
        Ok(())
    }

    async fn execute(&mut self, sql: &str) -> Result<()> {
        sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
            .execute(&mut self.conn)
            .await
            .map_err(|e| Error::db(self.context(sql), e))?;
        Ok(())
    }

    async fn insert_rows(&mut self, table: &TableMeta, rows: &[Vec<SqlValue>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        // Literal values through the text protocol, as a mysqldump file loads: no prepare round
        // trip and no 65,535-parameter limit, so batches are as large as the packet allows.
        let sql =
            dialect::insert_literal(&table.name, &table.columns, rows, self.backslash_escapes);
        self.insert_sql(table, sql).await
    }

    async fn insert_bulk_text(&mut self, table: &TableMeta, rows: &[u8]) -> Result<()> {
        let head = dialect::insert_head(&table.name, &table.columns);
        let text = simdutf8::basic::from_utf8(rows)
            .map_err(|_| Error::table(&table.name, "the checked rows are not UTF-8 any more"))?;
        let mut sql = String::with_capacity(head.len() + text.len());
        sql.push_str(&head);
        sql.push_str(text);
        self.insert_sql(table, sql).await
    }

    /// Sets AUTO_INCREMENT past the largest id. InnoDB already moves it when ids are inserted,
    /// but only in memory on MySQL 5.7 and older, and information_schema may show a cached
    /// value; setting it is cheap and cannot go below what is in use.
    async fn after_insert(&mut self, table: &TableMeta) -> Result<()> {
        let Some(id) = table.identity() else {
            return Ok(());
        };
        let q = |s: &str| Dialect::MySql.quote(s);
        let sql = format!(
            "SELECT CAST(MAX({}) AS SIGNED) FROM {}",
            q(&id.attribute_name),
            q(&table.name)
        );
        let context = self.context(&format!("moving AUTO_INCREMENT of `{}`", table.name));
        let row = sqlx::raw_sql(AssertSqlSafe(sql))
            .fetch_one(&mut self.conn)
            .await
            .map_err(|e| Error::db(&context, e))?;
        let max: Option<i64> = row.try_get(0).map_err(|e| Error::db(&context, e))?;
        if let Some(next) = max.filter(|m| *m >= 1).and_then(|m| m.checked_add(1)) {
            self.execute(&format!(
                "ALTER TABLE {} AUTO_INCREMENT = {next}",
                q(&table.name)
            ))
            .await?;
        }
        Ok(())
    }

    /// Half the packet, since escapes may grow the text, and at most 4 MB: a batch is held
    /// several times over (the batches queued, the statement, sqlx's buffer), and larger
    /// ones loaded no faster.
    fn max_batch_bytes(&self) -> usize {
        MAX_BATCH_BYTES.min(self.max_allowed_packet / 2).max(1)
    }

    fn batch_rows(&self, _columns: usize) -> usize {
        dialect::LITERAL_BATCH_ROWS
    }

    async fn close(self: Box<Self>) -> Result<()> {
        let context = self.context("closing");
        self.conn.close().await.map_err(|e| Error::db(context, e))
    }
}

#[cfg(test)]
mod tests {
    use super::{binary_datetime, map_column_type};
    use crate::model::DataType::*;

    #[test]
    fn catalog_types_map_to_all_six() {
        for ((data_type, column_type, len), want) in [
            (("tinyint", "tinyint(1)", None), (Boolean, 0)),
            (("tinyint", "tinyint(1) unsigned", None), (Boolean, 0)),
            (("bit", "bit(1)", None), (Boolean, 0)),
            (("tinyint", "tinyint(4)", None), (Integer, 0)),
            (("tinyint", "tinyint", None), (Integer, 0)),
            (("bit", "bit(8)", None), (Integer, 0)),
            (("datetime", "datetime(3)", None), (DateTime, 0)),
            (("timestamp", "timestamp", None), (DateTime, 0)),
            (("date", "date", None), (DateTime, 0)),
            (("decimal", "decimal(18,2)", None), (Decimal, 0)),
            (("double", "double", None), (Decimal, 0)),
            (("int", "int(11)", None), (Integer, 0)),
            (("bigint", "bigint(20) unsigned", None), (Integer, 0)),
            (("longtext", "longtext", Some(4_294_967_295)), (Text, 0)),
            (("mediumtext", "mediumtext", Some(16_777_215)), (Text, 0)),
            (("varchar", "varchar(255)", Some(255)), (VarChar, 255)),
            (("char", "char(36)", Some(36)), (VarChar, 36)),
            (("enum", "enum('a','b')", Some(1)), (VarChar, 1)),
            (("longblob", "longblob", Some(4_294_967_295)), (VarChar, 0)),
            (("time", "time", None), (VarChar, 0)),
        ] {
            assert_eq!(
                map_column_type(data_type, column_type, len),
                want,
                "{column_type}"
            );
        }
    }

    #[test]
    fn binary_dates_decode_and_zero_dates_are_none() {
        let dt = |b: &[u8]| binary_datetime(b).map(|d| crate::value::format_datetime(&d));
        assert_eq!(dt(&[4, 0xE4, 0x07, 5, 1]).unwrap(), "2020-05-01 00:00:00");
        assert_eq!(
            dt(&[7, 0xE4, 0x07, 5, 1, 8, 30, 0]).unwrap(),
            "2020-05-01 08:30:00"
        );
        assert_eq!(
            dt(&[11, 0xE4, 0x07, 5, 1, 8, 30, 0, 0x90, 0xD0, 0x03, 0]).unwrap(),
            "2020-05-01 08:30:00.250"
        );
        assert_eq!(dt(&[0]), None);
        assert_eq!(dt(&[4, 0, 0, 0, 0]), None);
    }
}
