//! PostgreSQL through sqlx.
//!
//! Rows are read with one ordered SELECT. `numeric` and the date types are cast to text in that
//! SELECT: numerics keep every digit, and `timestamptz` becomes the wall-clock time of the
//! session's time zone (UTC unless the connection string sets `Timezone`). Values are written
//! back through the same zone, so a date restored and backed up again is the same string.

use async_trait::async_trait;
use futures::TryStreamExt;
use futures::stream::BoxStream;
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgRow, PgSslMode, PgValueRef};
use sqlx::{
    AssertSqlSafe, Column as _, Connection, Decode, Postgres, Row as _, TypeInfo, ValueRef,
};

use crate::backup::JsonRows;
use crate::config::{DatabaseConfig, DatabaseType};
use crate::db::dialect::Dialect;
use crate::db::driver::{Access, DatabaseDriver};
use crate::db::postgres::{binary, dialect};
use crate::db::schema::Select;
use crate::db::server::{
    Endpoint, bytes_json, f32_json, int_json, push_int, push_text, text_json, utf8,
};
use crate::error::{Error, Result};
use crate::model::{Column, DataType, TableMeta};
use crate::value::{SqlValue, float_json};

const DEFAULT_PORT: u16 = 5432;
const DEFAULT_SCHEMA: &str = "public";

/// SQLSTATE `invalid_catalog_name`: the database does not exist.
const INVALID_CATALOG_NAME: &str = "3D000";

pub(crate) struct PgDriver {
    conn: PgConnection,
    endpoint: Endpoint,
    schema: String,
    /// The session's time zone is UTC, in which a binary date is the wall-clock time.
    utc: bool,
    /// The COPY data of the last batch, whose memory the next one reuses.
    scratch: Vec<u8>,
}

/// One column as the catalog describes it.
struct CatalogColumn {
    name: String,
    /// The column's own type name, which for a domain is the domain's.
    own_type: String,
    /// The type name, a domain resolved to its base type.
    base_type: String,
    length: i32,
    is_identity: bool,
    is_primary_key: bool,
}

/// Columns of one table, in order. `$1` is the schema, `$2` the table.
const COLUMNS_SQL: &str = "\
SELECT a.attname::text, t.typname::text, COALESCE(bt.typname, t.typname)::text,
       CASE WHEN COALESCE(bt.typname, t.typname) IN ('varchar', 'bpchar') AND a.atttypmod > 4
            THEN a.atttypmod - 4 ELSE 0 END,
       COALESCE(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', false) OR a.attidentity IN ('a', 'd'),
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i
               WHERE i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY (i.indkey))
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum";

impl PgDriver {
    /// The SELECT of `select`'s rows, each column in the form its values are read in.
    async fn select_sql(&mut self, table: &TableMeta, select: Select) -> Result<String> {
        let catalog = self.catalog(&table.name).await?;
        let exprs: Vec<String> = table
            .columns
            .iter()
            .map(|c| {
                let quoted = Dialect::Postgres.quote(&c.attribute_name);
                let own = catalog
                    .iter()
                    .find(|k| k.name == c.attribute_name)
                    .map_or("", |k| k.own_type.as_str());
                select_expr(own, &quoted)
            })
            .collect();
        // A table with no key is read in physical order; no ORDER BY, no sort.
        Ok(Dialect::Postgres.select_exprs(table, &exprs, None, select))
    }

    pub(crate) async fn connect(config: &DatabaseConfig, access: Access) -> Result<Self> {
        let addr = config.server()?;
        let endpoint = Endpoint::new("PostgreSQL", &addr, DEFAULT_PORT)?;
        let mut opts = PgConnectOptions::new()
            .host(&endpoint.host)
            .port(endpoint.port)
            .database(&endpoint.database)
            .application_name("siteserver");
        if let Some(user) = &addr.user {
            opts = opts.username(user);
        }
        if let Some(password) = &addr.password {
            opts = opts.password(password);
        }
        if let Some(mode) = &addr.ssl_mode {
            opts = opts.ssl_mode(ssl_mode(mode)?);
        }
        let mut conn = PgConnection::connect_with(&opts)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.code().as_deref() == Some(INVALID_CATALOG_NAME) => {
                    endpoint.missing_database(&format!(
                        "CREATE DATABASE {} ENCODING 'UTF8'",
                        Dialect::Postgres.quote(&endpoint.database)
                    ))
                }
                _ => endpoint.connect_error(&e),
            })?;
        let schema = addr.schema.clone().unwrap_or_else(|| DEFAULT_SCHEMA.into());

        // sqlx starts every session in UTC; a `Timezone` in the connection string replaces it.
        let mut setup = format!("SET search_path TO {}", Dialect::Postgres.quote(&schema));
        if let Some(tz) = &addr.timezone {
            setup.push_str(&format!("; SET TimeZone TO {}", literal(tz)));
        }
        match access {
            Access::ReadOnly => setup.push_str("; SET default_transaction_read_only = on"),
            // A restore commits a chunk at a time, each with its ledger row: waiting for the
            // disk at each commit cost ~10 ms a table. A commit lost to a crash of the server
            // takes its ledger row with it, so --resume still knows where to go on, and
            // [`DatabaseDriver::sync_commits`] makes the finished restore durable.
            Access::ReadWrite => setup.push_str("; SET synchronous_commit = off"),
        }
        sqlx::raw_sql(AssertSqlSafe(setup))
            .execute(&mut conn)
            .await
            .map_err(|e| Error::db(endpoint.context("setting up the session"), e))?;

        let utc = addr
            .timezone
            .as_deref()
            .is_none_or(|tz| tz.eq_ignore_ascii_case("UTC") || tz.eq_ignore_ascii_case("Etc/UTC"));
        let mut driver = PgDriver {
            conn,
            endpoint,
            schema,
            utc,
            scratch: Vec::new(),
        };
        if access == Access::ReadWrite {
            driver.check_target().await?;
        }
        Ok(driver)
    }

    /// A restore needs the schema to exist and a UTF-8 database for CJK text and emoji.
    async fn check_target(&mut self) -> Result<()> {
        let context = self.context("checking the target");
        let (schema_exists, encoding): (bool, String) = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1), \
             current_setting('server_encoding')",
        )
        .bind(&self.schema)
        .fetch_one(&mut self.conn)
        .await
        .map_err(|e| Error::db(&context, e))?;
        if !schema_exists {
            return Err(Error::Invalid(format!(
                "{}: schema `{}` does not exist; create it first, e.g. CREATE SCHEMA {}",
                self.endpoint.label(),
                self.schema,
                Dialect::Postgres.quote(&self.schema)
            )));
        }
        if !encoding.eq_ignore_ascii_case("UTF8") {
            return Err(Error::Invalid(format!(
                "{}: the database's encoding is {encoding}, which cannot hold all text; \
                 restore into a database created with ENCODING 'UTF8'",
                self.endpoint.label()
            )));
        }
        Ok(())
    }

    fn context(&self, what: &str) -> String {
        self.endpoint.context(what)
    }

    async fn catalog(&mut self, table: &str) -> Result<Vec<CatalogColumn>> {
        let context = self.context(&format!("reading columns of `{table}`"));
        let rows = sqlx::query(COLUMNS_SQL)
            .bind(&self.schema)
            .bind(table)
            .fetch_all(&mut self.conn)
            .await
            .map_err(|e| Error::db(&context, e))?;
        let read = |r: &PgRow| -> std::result::Result<CatalogColumn, sqlx::Error> {
            Ok(CatalogColumn {
                name: r.try_get(0)?,
                own_type: r.try_get(1)?,
                base_type: r.try_get(2)?,
                length: r.try_get(3)?,
                is_identity: r.try_get(4)?,
                is_primary_key: r.try_get(5)?,
            })
        };
        let columns = rows
            .iter()
            .map(read)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::db(&context, e))?;
        if columns.is_empty() {
            return Err(Error::table(
                table,
                format!(
                    "not found in schema `{}` of {}",
                    self.schema,
                    self.endpoint.label()
                ),
            ));
        }
        Ok(columns)
    }
}

fn ssl_mode(mode: &str) -> Result<PgSslMode> {
    Ok(
        match mode
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_'], "")
            .as_str()
        {
            "disable" | "disabled" | "none" => PgSslMode::Disable,
            "allow" => PgSslMode::Allow,
            "prefer" | "preferred" => PgSslMode::Prefer,
            "require" | "required" => PgSslMode::Require,
            "verifyca" => PgSslMode::VerifyCa,
            "verifyfull" => PgSslMode::VerifyFull,
            _ => {
                return Err(Error::Invalid(format!(
                    "SslMode `{mode}` is not one of Disable, Allow, Prefer, Require, VerifyCA, VerifyFull"
                )));
            }
        },
    )
}

/// A string literal for statements that take no bind parameters, such as `SET`.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Maps a catalog type name (`pg_type.typname`) and VarChar length to a data type.
///
/// Unlike the originals, `int2`/`int8` read as Integer and `timestamp`/`date` as DateTime.
pub(crate) fn map_type(typname: &str, length: i32) -> (DataType, i32) {
    let t = match typname {
        "bool" => DataType::Boolean,
        "timestamptz" | "timestamp" | "date" => DataType::DateTime,
        "numeric" | "float4" | "float8" | "money" => DataType::Decimal,
        "int2" | "int4" | "int8" => DataType::Integer,
        "text" | "json" | "jsonb" | "xml" => DataType::Text,
        _ => DataType::VarChar,
    };
    let len = if t == DataType::VarChar {
        length.max(0)
    } else {
        0
    };
    (t, len)
}

/// The SELECT expression for a column: types sqlx decodes exactly are read as they are, the
/// rest as text.
fn select_expr(own_type: &str, quoted: &str) -> String {
    match own_type {
        "bool" | "int2" | "int4" | "int8" | "float4" | "float8" | "text" | "varchar" | "bpchar"
        | "name" | "bytea" => quoted.to_string(),
        // In the session's time zone, as `YYYY-MM-DD HH:MM:SS[.ffffff]`.
        "timestamptz" | "timestamp" | "date" => format!("{quoted}::timestamp::text"),
        // money's text has a currency symbol and separators.
        "money" => format!("{quoted}::numeric::text"),
        _ => format!("{quoted}::text"),
    }
}

/// How a result column's values decode, from its type's name: found once per column.
#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Bytes,
    Text,
}

impl Kind {
    fn of(type_name: &str) -> Kind {
        match type_name {
            "BOOL" => Kind::Bool,
            "INT2" => Kind::Int2,
            "INT4" => Kind::Int4,
            "INT8" => Kind::Int8,
            "FLOAT4" => Kind::Float4,
            "FLOAT8" => Kind::Float8,
            "BYTEA" => Kind::Bytes,
            _ => Kind::Text,
        }
    }

    fn of_row(row: &PgRow) -> Vec<Kind> {
        row.columns()
            .iter()
            .map(|c| Kind::of(c.type_info().name()))
            .collect()
    }
}

/// An integer column's value.
fn int_value(kind: Kind, v: PgValueRef<'_>) -> std::result::Result<Option<i64>, sqlx::Error> {
    let decode = sqlx::Error::Decode;
    Ok(Some(match kind {
        Kind::Int2 => i64::from(<i16 as Decode<Postgres>>::decode(v).map_err(decode)?),
        Kind::Int4 => i64::from(<i32 as Decode<Postgres>>::decode(v).map_err(decode)?),
        Kind::Int8 => <i64 as Decode<Postgres>>::decode(v).map_err(decode)?,
        _ => return Ok(None),
    }))
}

fn read_value(
    kind: Kind,
    dt: DataType,
    v: PgValueRef<'_>,
) -> std::result::Result<Value, sqlx::Error> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let decode = sqlx::Error::Decode;
    Ok(match kind {
        Kind::Bool => Value::Bool(<bool as Decode<Postgres>>::decode(v).map_err(decode)?),
        Kind::Int2 | Kind::Int4 | Kind::Int8 => {
            int_value(kind, v)?.map_or(Value::Null, |i| int_json(dt, i))
        }
        Kind::Float4 => f32_json(<f32 as Decode<Postgres>>::decode(v).map_err(decode)?),
        Kind::Float8 => float_json(<f64 as Decode<Postgres>>::decode(v).map_err(decode)?),
        Kind::Bytes => bytes_json(<&[u8] as Decode<Postgres>>::decode(v).map_err(decode)?),
        Kind::Text => text_json(
            dt,
            utf8(<&[u8] as Decode<Postgres>>::decode(v).map_err(decode)?)?.to_string(),
        ),
    })
}

/// Writes what [`read_value`] gives; integers and text without a `Value` in between.
fn push_json(
    out: &mut JsonRows,
    kind: Kind,
    dt: DataType,
    v: PgValueRef<'_>,
) -> std::result::Result<(), sqlx::Error> {
    if v.is_null() {
        out.push_null();
        return Ok(());
    }
    match kind {
        Kind::Int2 | Kind::Int4 | Kind::Int8 => match int_value(kind, v)? {
            Some(i) => push_int(out, dt, i),
            None => out.push_null(),
        },
        Kind::Text => push_text(
            out,
            dt,
            utf8(<&[u8] as Decode<Postgres>>::decode(v).map_err(sqlx::Error::Decode)?)?,
        ),
        _ => out.push_value(&read_value(kind, dt, v)?),
    }
    Ok(())
}

fn read_row(
    row: &PgRow,
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

/// The key of a row for messages: the first key or identity column's value.
fn row_key(table: &TableMeta, row: &[SqlValue]) -> String {
    table
        .columns
        .iter()
        .position(|c| c.is_primary_key || c.is_identity)
        .and_then(|i| {
            let v = match row.get(i)? {
                SqlValue::Int(n) => n.to_string(),
                SqlValue::Text(s) | SqlValue::Decimal(s) => format!("{s:?}"),
                _ => return None,
            };
            Some(format!(" {}={v}", table.columns[i].attribute_name))
        })
        .unwrap_or_default()
}

impl PgDriver {
    /// One `COPY … FROM STDIN` of `data`, in the binary or the text format.
    async fn copy(&mut self, table: &TableMeta, data: &[u8], binary: bool) -> Result<()> {
        let context = self.context(&format!("loading `{}` with COPY", table.name));
        let mut sql = dialect::copy_in(&table.name, &table.columns);
        if binary {
            sql.push_str(" WITH (FORMAT binary)");
        }
        let mut copy = self
            .conn
            .copy_in_raw(&sql)
            .await
            .map_err(|e| Error::db(&context, e))?;
        if let Err(e) = copy.send(data).await {
            let _ = copy.abort("the load stopped").await;
            return Err(Error::db(&context, e));
        }
        copy.finish().await.map_err(|e| Error::db(&context, e))?;
        Ok(())
    }

    /// How the columns of `table` take binary fields, from the catalog as it is now: asked per
    /// batch, since a restore may drop and create a table again with wider columns on another
    /// connection, and one small query is nothing beside a batch.
    async fn layout(&mut self, table: &TableMeta) -> Result<binary::Layout> {
        let context = self.context(&format!("reading the column types of `{}`", table.name));
        let q = |s: &str| Dialect::Postgres.quote(s);
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT a.attname::text, t.typname::text FROM pg_catalog.pg_attribute a \
             JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
             WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped",
        )
        .bind(format!("{}.{}", q(&self.schema), q(&table.name)))
        .fetch_all(&mut self.conn)
        .await
        .map_err(|e| Error::db(&context, e))?;
        let types: Vec<String> = table
            .columns
            .iter()
            .filter_map(|c| {
                rows.iter()
                    .find(|(name, _)| *name == c.attribute_name)
                    .map(|(_, t)| t.clone())
            })
            .collect();
        Ok(binary::Layout::new(&table.columns, &types, self.utc))
    }
}

#[async_trait]
impl DatabaseDriver for PgDriver {
    fn database_type(&self) -> DatabaseType {
        DatabaseType::PostgreSql
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn list_tables(&mut self) -> Result<Vec<String>> {
        // Partitions are left out: their rows are read through their parent.
        sqlx::query_scalar(
            "SELECT c.relname::text FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition \
             ORDER BY c.relname",
        )
        .bind(&self.schema)
        .fetch_all(&mut self.conn)
        .await
        .map_err(|e| Error::db(self.context("listing tables"), e))
    }

    async fn columns(&mut self, table: &str) -> Result<Vec<Column>> {
        let catalog = self.catalog(table).await?;
        Ok(catalog
            .into_iter()
            .map(|c| {
                let (data_type, length) = map_type(&c.base_type, c.length);
                let mut col = Column::new(c.name, data_type).length(length);
                col.is_primary_key = c.is_primary_key;
                col.is_identity = c.is_identity;
                col
            })
            .collect())
    }

    async fn count_rows(&mut self, table: &str) -> Result<u64> {
        let sql = format!("SELECT COUNT(*) FROM {}", Dialect::Postgres.quote(table));
        // One simple query: a prepared one costs a round trip more to describe it.
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
        let name = format!(
            "{}.{}",
            Dialect::Postgres.quote(&self.schema),
            Dialect::Postgres.quote(table)
        );
        // -1 until the table was first vacuumed or analyzed.
        let rows: Option<f32> =
            sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)")
                .bind(name)
                .fetch_optional(&mut self.conn)
                .await
                .map_err(|e| Error::db(&context, e))?;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(rows.filter(|r| *r >= 0.0).map(|r| r as u64))
    }

    async fn begin_snapshot(&mut self) -> Result<()> {
        self.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
    }

    async fn end_snapshot(&mut self) -> Result<()> {
        self.execute("COMMIT").await
    }

    async fn begin_shared_snapshot(&mut self) -> Result<Option<String>> {
        self.begin_snapshot().await?;
        let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut self.conn)
            .await
            .map_err(|e| Error::db(self.context("exporting the snapshot"), e))?;
        Ok(Some(id))
    }

    async fn join_snapshot(&mut self, token: &str) -> Result<()> {
        self.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        self.execute(&format!(
            "SET TRANSACTION SNAPSHOT '{}'",
            token.replace('\'', "''")
        ))
        .await
    }

    fn stream_rows<'a>(
        &'a mut self,
        table: &'a TableMeta,
        select: Select,
    ) -> BoxStream<'a, Result<Vec<Value>>> {
        let types: Vec<DataType> = table.columns.iter().map(|c| c.data_type).collect();
        let context = self.context(&format!("reading `{}`", table.name));
        Box::pin(async_stream::try_stream! {
            let sql = self.select_sql(table, select).await?;
            let mut rows = sqlx::query(AssertSqlSafe(sql))
                .persistent(false)
                .fetch(&mut self.conn);
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
        let types: Vec<DataType> = table.columns.iter().map(|c| c.data_type).collect();
        let context = self.context(&format!("reading `{}`", table.name));
        // As `stream_rows` reads them.
        let sql = self.select_sql(table, select).await?;
        let mut rows = sqlx::query(AssertSqlSafe(sql))
            .persistent(false)
            .fetch(&mut self.conn);
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

    /// Loads the batch with one `COPY … FROM STDIN` (text format), PostgreSQL's bulk path: no
    /// parameter limit and no statement to parse. Every value goes in exactly as the INSERT
    /// path would bind it.
    async fn insert_rows(&mut self, table: &TableMeta, rows: &[Vec<SqlValue>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut data = Vec::with_capacity(
            rows.iter()
                .map(|r| 8 + r.iter().map(SqlValue::approx_len).sum::<usize>())
                .sum(),
        );
        for row in rows {
            dialect::copy_row(row, &mut data).map_err(|i| {
                Error::table(
                    &table.name,
                    format!(
                        "row{}, column `{}`: the text holds a NUL character, which PostgreSQL \
                         cannot store",
                        row_key(table, row),
                        table.columns[i].attribute_name
                    ),
                )
            })?;
        }
        self.copy(table, &data, false).await
    }

    /// Rows that restore's check wrote as binary tuples ([`binary::tuple`]), loaded with a
    /// binary COPY, or with a text one where binary input would read them otherwise.
    async fn insert_bulk_text(&mut self, table: &TableMeta, tuples: &[u8]) -> Result<()> {
        let layout = self.layout(table).await?;
        // One buffer for every batch of this connection, as the load's own batches.
        let mut data = std::mem::take(&mut self.scratch);
        data.clear();
        data.reserve(tuples.len() + tuples.len() / 16 + 32);
        layout
            .convert(&table.columns, tuples, &mut data)
            .map_err(|e| Error::table(&table.name, format!("loading with COPY: {e}")))?;
        let copied = self.copy(table, &data, layout.is_binary()).await;
        self.scratch = data;
        copied
    }

    fn batch_rows(&self, _columns: usize) -> usize {
        dialect::COPY_BATCH_ROWS
    }

    async fn sync_commits(&mut self) -> Result<()> {
        self.execute("SET synchronous_commit = on").await
    }

    /// Moves the identity column's sequence past the largest id, so the CMS's next insert does
    /// not collide. Neither original tool did this.
    async fn after_insert(&mut self, table: &TableMeta) -> Result<()> {
        let Some(id) = table.identity() else {
            return Ok(());
        };
        let q = |s: &str| Dialect::Postgres.quote(s);
        let sql = format!(
            "SELECT setval(s, GREATEST(m, 1), COALESCE(m >= 1, false)) \
             FROM (SELECT pg_get_serial_sequence($1, $2) AS s, MAX({})::int8 AS m FROM {}) x \
             WHERE s IS NOT NULL",
            q(&id.attribute_name),
            q(&table.name)
        );
        let qualified = format!("{}.{}", q(&self.schema), q(&table.name));
        let context = self.context(&format!("moving the sequence of `{}`", table.name));
        sqlx::query(AssertSqlSafe(sql))
            .bind(qualified)
            .bind(&id.attribute_name)
            .fetch_optional(&mut self.conn)
            .await
            .map_err(|e| Error::db(context, e))?;
        Ok(())
    }

    async fn close(self: Box<Self>) -> Result<()> {
        let context = self.context("closing");
        self.conn.close().await.map_err(|e| Error::db(context, e))
    }
}

#[cfg(test)]
mod tests {
    use super::{map_type, select_expr};
    use crate::model::DataType::*;

    #[test]
    fn catalog_types_map_to_all_six() {
        for ((typname, len), want) in [
            (("bool", 0), (Boolean, 0)),
            (("timestamptz", 0), (DateTime, 0)),
            (("timestamp", 0), (DateTime, 0)),
            (("date", 0), (DateTime, 0)),
            (("numeric", 0), (Decimal, 0)),
            (("float8", 0), (Decimal, 0)),
            (("int4", 0), (Integer, 0)),
            (("int2", 0), (Integer, 0)),
            (("int8", 0), (Integer, 0)),
            (("text", 0), (Text, 0)),
            (("jsonb", 0), (Text, 0)),
            (("varchar", 255), (VarChar, 255)),
            (("varchar", 0), (VarChar, 0)),
            (("bpchar", 10), (VarChar, 10)),
            (("uuid", 0), (VarChar, 0)),
            (("bytea", 0), (VarChar, 0)),
        ] {
            assert_eq!(map_type(typname, len), want, "{typname}");
        }
    }

    #[test]
    fn exact_reads_go_through_text() {
        assert_eq!(select_expr("numeric", "\"P\""), "\"P\"::text");
        assert_eq!(
            select_expr("timestamptz", "\"D\""),
            "\"D\"::timestamp::text"
        );
        assert_eq!(select_expr("money", "\"M\""), "\"M\"::numeric::text");
        assert_eq!(select_expr("int4", "\"I\""), "\"I\"");
        assert_eq!(select_expr("my_domain", "\"X\""), "\"X\"::text");
    }
}
