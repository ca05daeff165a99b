//! SQL Server through tiberius: TDS 7.3 (SQL Server 2008 and later), TLS by rustls.
//!
//! No SQL Server can run where this is built, so everything that does not need a live server is
//! pure functions tested against the exact SQL text: the catalog queries and their mapping to
//! the six types, the SELECT expressions that bring every type back as one tiberius can decode
//! exactly, the INSERT batches under `SET IDENTITY_INSERT`, the identity reseed, the snapshot,
//! the login and TLS choices.

use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDateTime;
use futures::TryStreamExt;
use futures::stream::BoxStream;
use serde_json::Value;
use tiberius::numeric::Numeric;
use tiberius::{AuthMethod, Client, ColumnData, EncryptionLevel, FromSql, Query, Row, SqlBrowser};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

use crate::config::{DatabaseConfig, DatabaseType, ServerAddress};
use crate::db::dialect::Dialect;
use crate::db::driver::{Access, DatabaseDriver};
use crate::db::server::{Endpoint, bytes_json, f32_json, int_json, text_json};
use crate::error::{Error, Result};
use crate::model::{Column, DataType, TableMeta};
use crate::value::{SqlValue, decimal_json, float_json, format_datetime};

const DEFAULT_PORT: u16 = 1433;
/// SqlClient's default `Connect Timeout`.
const DEFAULT_CONNECT_TIMEOUT: u64 = 15;
/// SQL Server 2008 is version 10; older servers do not speak TDS 7.3.
const MIN_MAJOR_VERSION: u32 = 10;

/// Server errors the driver explains.
const CANNOT_OPEN_DATABASE: u32 = 4060;

type Conn = Client<Compat<TcpStream>>;

pub(crate) struct MsSqlDriver {
    client: Conn,
    endpoint: Endpoint,
}

/// Session options for every connection: a failing statement aborts and rolls back its
/// transaction (XACT_ABORT), and a value that does not fit is an error, never a silent
/// truncation (ANSI_WARNINGS, ARITHABORT).
const SESSION_SQL: &str = "SET NOCOUNT ON; SET XACT_ABORT ON; SET ANSI_WARNINGS ON; \
SET ARITHABORT ON; SET ANSI_NULLS ON; SET QUOTED_IDENTIFIER ON; SET ANSI_PADDING ON; \
SET CONCAT_NULL_YIELDS_NULL ON";

const VERSION_SQL: &str = "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128))";

/// User tables as SiteServer saw them: unqualified names resolve in the login's default schema,
/// then in `dbo`, so those two schemas are read. Tables SSMS adds for diagrams are left out.
const TABLES_SQL: &str = "\
SELECT t.name FROM sys.tables t
WHERE t.is_ms_shipped = 0 AND t.schema_id IN (SCHEMA_ID(), SCHEMA_ID(N'dbo'))
  AND NOT EXISTS (SELECT 1 FROM sys.extended_properties p
                  WHERE p.class = 1 AND p.major_id = t.object_id AND p.minor_id = 0
                    AND p.name = N'microsoft_database_tools_support')
GROUP BY t.name ORDER BY t.name";

/// Columns of one table (`@P1`, resolved like an unqualified name), in order. The type is the
/// base type of an alias type (`sysname` is `nvarchar`); CLR types read as `clr`. The
/// replication column `msrepl_tran_version` is left out, as 6.15 left it out.
const COLUMNS_SQL: &str = "\
SELECT c.name,
       CASE WHEN t.is_assembly_type = 1 THEN N'clr'
            WHEN t.user_type_id <> t.system_type_id THEN TYPE_NAME(t.system_type_id)
            ELSE t.name END,
       c.max_length, c.is_identity,
       CAST(CASE WHEN EXISTS (
           SELECT 1 FROM sys.index_columns ic
           JOIN sys.indexes i ON i.object_id = ic.object_id AND i.index_id = ic.index_id
           WHERE i.is_primary_key = 1 AND ic.object_id = c.object_id AND ic.column_id = c.column_id)
       THEN 1 ELSE 0 END AS bit)
FROM sys.columns c JOIN sys.types t ON t.user_type_id = c.user_type_id
WHERE c.object_id = OBJECT_ID(QUOTENAME(@P1)) AND c.name <> N'msrepl_tran_version'
ORDER BY c.column_id";

/// Whether the database allows SNAPSHOT transactions (`ALLOW_SNAPSHOT_ISOLATION ON`).
const SNAPSHOT_ALLOWED_SQL: &str =
    "SELECT CAST(snapshot_isolation_state AS int) FROM sys.databases WHERE database_id = DB_ID()";

/// One column as the catalog describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CatalogColumn {
    name: String,
    /// Base type name, lower case (`nvarchar`, `ntext`, `clr`).
    type_name: String,
    /// `sys.columns.max_length`: bytes, -1 for `(max)`.
    max_length: i16,
    is_identity: bool,
    is_primary_key: bool,
}

impl CatalogColumn {
    fn column(&self) -> Column {
        let (data_type, length) = map_type(&self.type_name, self.max_length);
        let mut col = Column::new(self.name.clone(), data_type).length(length);
        col.is_identity = self.is_identity;
        col.is_primary_key = self.is_primary_key;
        col
    }
}

/// Maps a base type name and `max_length` (bytes) to a data type and VarChar length in
/// characters.
///
/// `nvarchar(n)` is `n` characters (`max_length` is 2n); `(max)` types and `ntext`/`text`/`xml`
/// are Text. Unlike the originals, small and big integers read as Integer, `money` and floats as
/// Decimal, and `date`/`datetime2`/`datetimeoffset` as DateTime.
fn map_type(type_name: &str, max_length: i16) -> (DataType, i32) {
    let max = max_length == -1;
    let t = match type_name {
        "bit" => DataType::Boolean,
        "datetime" | "datetime2" | "smalldatetime" | "date" | "datetimeoffset" => {
            DataType::DateTime
        }
        "decimal" | "numeric" | "money" | "smallmoney" | "float" | "real" => DataType::Decimal,
        "tinyint" | "smallint" | "int" | "bigint" => DataType::Integer,
        "ntext" | "text" | "xml" => DataType::Text,
        "nvarchar" | "varchar" | "nchar" | "char" if max => DataType::Text,
        _ => DataType::VarChar,
    };
    let len = match (t, type_name) {
        (DataType::VarChar, "nvarchar" | "nchar") => i32::from(max_length) / 2,
        // A byte count: the most characters a code-page string can hold.
        (DataType::VarChar, "varchar" | "char") => i32::from(max_length),
        (DataType::VarChar, "uniqueidentifier") => 36,
        (DataType::VarChar, "time") => 16,
        _ => 0,
    };
    (t, len)
}

/// The SELECT expression that brings a column back as a type tiberius decodes exactly.
///
/// Code-page strings are converted to Unicode by the server, which knows their collation;
/// `datetime` becomes `datetime2(3)`, so its 1/300 s ticks read as the milliseconds SQL Server
/// shows; `money` becomes a decimal, not a float; `datetimeoffset` keeps its wall-clock time.
fn select_expr(type_name: &str, max_length: i16, quoted: &str) -> String {
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

/// `BEGIN TRANSACTION` for a backup: SNAPSHOT when the database allows it, which gives one
/// consistent view of every table without blocking the site; READ COMMITTED otherwise, where
/// the backup loop's count check catches a table that changed while it was read.
fn snapshot_sql(snapshot_allowed: bool) -> &'static str {
    if snapshot_allowed {
        "SET TRANSACTION ISOLATION LEVEL SNAPSHOT; BEGIN TRANSACTION"
    } else {
        "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; BEGIN TRANSACTION"
    }
}

/// One INSERT of `rows` rows. A table with an identity column gets its ids as they are under
/// `SET IDENTITY_INSERT`, switched on and off inside the same statement batch: the setting then
/// holds for this table alone, and it ends with the batch even when the INSERT fails.
fn insert_sql(table: &str, columns: &[Column], rows: usize) -> String {
    let insert = Dialect::SqlServer.insert(table, columns, rows);
    if columns.iter().any(|c| c.is_identity) {
        let t = Dialect::SqlServer.quote(table);
        format!("SET IDENTITY_INSERT {t} ON; {insert}; SET IDENTITY_INSERT {t} OFF")
    } else {
        insert
    }
}

/// `SELECT MAX(id)`, for the reseed after a restore.
fn max_id_sql(table: &str, id: &str) -> String {
    format!(
        "SELECT CAST(MAX({}) AS bigint) FROM {}",
        Dialect::SqlServer.quote(id),
        Dialect::SqlServer.quote(table)
    )
}

/// Sets the identity's current value to `max`, so the next row the CMS inserts gets `max + 1`
/// (the table has rows, so RESEED counts from `max`).
fn reseed_sql(table: &str, max: i64) -> String {
    let name = Dialect::SqlServer.quote(table).replace('\'', "''");
    format!("DBCC CHECKIDENT (N'{name}', RESEED, {max}) WITH NO_INFOMSGS")
}

/// The SQL Server login, or why this connection string cannot log in.
fn login(addr: &ServerAddress) -> Result<AuthMethod> {
    if addr.integrated_security {
        return Err(Error::Invalid(
            "SQL Server: Integrated Security (Windows authentication) cannot be used here: this \
             tool does not run as a Windows account and has no SSPI/Kerberos login. Use a SQL \
             Server login instead, e.g. Server=host;Database=cms;Uid=sa;Pwd=…; (the server must \
             allow SQL Server authentication, \"mixed mode\")"
                .into(),
        ));
    }
    let user = addr.user.as_deref().ok_or_else(|| {
        Error::Invalid(
            "the SQL Server connection string names no user; add the SQL Server login as \
             Uid=…;Pwd=…;"
                .into(),
        )
    })?;
    Ok(AuthMethod::sql_server(
        user,
        addr.password.as_deref().unwrap_or(""),
    ))
}

/// Encryption level and whether to accept the server's certificate unchecked, as SqlClient
/// reads `Encrypt` and `TrustServerCertificate`.
///
/// Without `Encrypt=true` SqlClient encrypts only the login, and checks no certificate (the
/// self-signed one SQL Server makes for itself would fail); so do we. With `Encrypt=true` the
/// certificate is checked against the system's roots unless `TrustServerCertificate=true`.
fn tls(addr: &ServerAddress) -> Result<(EncryptionLevel, bool)> {
    let encrypt = match addr
        .encrypt
        .as_deref()
        .map(|e| e.trim().to_ascii_lowercase())
    {
        None => false,
        Some(e) => match e.as_str() {
            "true" | "yes" | "mandatory" => true,
            "false" | "no" | "optional" => false,
            "strict" => {
                return Err(Error::Invalid(
                    "SQL Server: Encrypt=Strict needs TDS 8.0, which this tool does not speak; \
                     use Encrypt=True"
                        .into(),
                ));
            }
            _ => {
                return Err(Error::Invalid(format!(
                    "SQL Server: Encrypt `{e}` is not one of True, False, Mandatory, Optional"
                )));
            }
        },
    };
    Ok(if encrypt {
        (
            EncryptionLevel::Required,
            addr.trust_server_certificate.unwrap_or(false),
        )
    } else {
        (EncryptionLevel::Off, true)
    })
}

/// Refuses servers older than SQL Server 2008, whose `ProductVersion` is below 10.
fn check_version(product_version: &str) -> Result<()> {
    let major = product_version
        .split('.')
        .next()
        .and_then(|m| m.trim().parse::<u32>().ok());
    match major {
        Some(m) if m >= MIN_MAJOR_VERSION => Ok(()),
        _ => Err(Error::Invalid(format!(
            "SQL Server {product_version} is older than SQL Server 2008, which this tool needs; \
             back up with the original SiteServer tool and run `siteserver update` on its backup \
             folder"
        ))),
    }
}

/// Decimal text (`-12.50`) as a TDS numeric, or None beyond SQL Server's 38 digits.
fn numeric(text: &str) -> Option<Numeric> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int = int.trim_start_matches('0');
    let scale = u8::try_from(frac.len()).ok()?;
    // tiberius declares the parameter as numeric(int digits or 1, scale).
    if int.len().max(1) + frac.len() > 38 {
        return None;
    }
    let mut value: i128 = format!("{int}{frac}").parse().unwrap_or(0);
    if neg {
        value = -value;
    }
    Some(Numeric::new_with_scale(value, scale))
}

/// A TDS numeric as exact decimal text.
fn numeric_text(n: Numeric) -> String {
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

fn read_row(row: Row, types: &[DataType]) -> tiberius::Result<Vec<Value>> {
    row.into_iter()
        .zip(types)
        .map(|(v, dt)| read_value(*dt, &v))
        .collect()
}

fn catalog_row(row: &Row) -> tiberius::Result<CatalogColumn> {
    let text = |i: usize| -> tiberius::Result<String> {
        Ok(row.try_get::<&str, _>(i)?.unwrap_or_default().to_string())
    };
    Ok(CatalogColumn {
        name: text(0)?,
        type_name: text(1)?.to_ascii_lowercase(),
        max_length: row.try_get::<i16, _>(2)?.unwrap_or(0),
        is_identity: row.try_get::<bool, _>(3)?.unwrap_or(false),
        is_primary_key: row.try_get::<bool, _>(4)?.unwrap_or(false),
    })
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

/// Opens the TCP stream (through SQL Server Browser for a named instance without a port) and
/// logs in, following one redirect as Azure SQL sends them.
async fn open(mut cfg: tiberius::Config, mut named: bool) -> tiberius::Result<Conn> {
    let mut redirected = false;
    loop {
        let tcp = if named {
            TcpStream::connect_named(&cfg).await?
        } else {
            TcpStream::connect(cfg.get_addr()).await?
        };
        tcp.set_nodelay(true)?;
        match Client::connect(cfg.clone(), tcp.compat_write()).await {
            Err(tiberius::error::Error::Routing { host, port }) if !redirected => {
                cfg.host(host);
                cfg.port(port);
                named = false;
                redirected = true;
            }
            other => return other,
        }
    }
}

impl MsSqlDriver {
    pub(crate) async fn connect(config: &DatabaseConfig, access: Access) -> Result<Self> {
        let _ = access; // Backups only read; nothing on the connection needs to differ.
        let addr = config.server()?;
        let mut endpoint = Endpoint::new("SQL Server", &addr, DEFAULT_PORT)?;
        let auth = login(&addr)?;
        let (encryption, trust) = tls(&addr)?;
        let secs = addr.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);

        let mut cfg = tiberius::Config::new();
        cfg.host(&endpoint.host);
        // A port wins over an instance name, as in SqlClient.
        let named = match (addr.port, &addr.instance) {
            (None, Some(instance)) => {
                cfg.instance_name(instance);
                endpoint.instance = Some(instance.clone());
                true
            }
            _ => {
                cfg.port(endpoint.port);
                false
            }
        };
        cfg.database(&endpoint.database);
        cfg.application_name("siteserver");
        cfg.authentication(auth);
        cfg.encryption(encryption);
        if trust {
            cfg.trust_cert();
        }
        cfg.handshake_timeout(Some(Duration::from_secs(secs)));
        // Like the other drivers, statements have no deadline: counting or sorting a large
        // table may take minutes.
        cfg.command_timeout(None);

        let client = match tokio::time::timeout(Duration::from_secs(secs), open(cfg, named)).await {
            Err(_) => {
                return Err(endpoint.connect_error(&format!(
                    "no answer within {secs} s (set Connect Timeout=… to wait longer)"
                )));
            }
            Ok(Err(tiberius::error::Error::Server(e))) if e.code() == CANNOT_OPEN_DATABASE => {
                let user = endpoint.user.as_deref().unwrap_or("");
                return Err(Error::Invalid(format!(
                    "cannot open database `{}` on SQL Server at {}: it does not exist, or login \
                     `{user}` may not use it; create it first, e.g. CREATE DATABASE {}",
                    endpoint.database,
                    endpoint.address(),
                    Dialect::SqlServer.quote(&endpoint.database)
                )));
            }
            Ok(Err(e @ tiberius::error::Error::Tls(_))) => {
                return Err(endpoint.connect_error(&format!(
                    "{e} (SQL Server 2008 to 2014 need their TLS 1.2 update; with Encrypt=True \
                     the certificate must be trusted, or set TrustServerCertificate=True)"
                )));
            }
            Ok(Err(e)) => return Err(endpoint.connect_error(&e)),
            Ok(Ok(c)) => c,
        };
        let mut driver = MsSqlDriver { client, endpoint };
        let version = driver.scalar_text(VERSION_SQL).await?;
        check_version(&version)?;
        driver.execute(SESSION_SQL).await?;
        Ok(driver)
    }

    fn context(&self, what: &str) -> String {
        self.endpoint.context(what)
    }

    /// Runs a batch that returns no rows we need, draining every result so a later statement's
    /// error is not lost.
    async fn batch(&mut self, sql: &str) -> tiberius::Result<()> {
        self.client.simple_query(sql).await?.into_results().await?;
        Ok(())
    }

    /// The first column of the first row, or None.
    async fn first(&mut self, sql: &str) -> Result<Option<ColumnData<'static>>> {
        let context = self.context(sql);
        let row = self
            .client
            .simple_query(sql)
            .await
            .map_err(|e| Error::db(&context, e))?
            .into_row()
            .await
            .map_err(|e| Error::db(&context, e))?;
        Ok(row.and_then(|r| r.into_iter().next()))
    }

    async fn scalar_text(&mut self, sql: &str) -> Result<String> {
        let context = self.context(sql);
        match self.first(sql).await? {
            Some(v) => Ok(<&str as FromSql>::from_sql(&v)
                .map_err(|e| Error::db(&context, e))?
                .unwrap_or_default()
                .to_string()),
            None => Ok(String::new()),
        }
    }

    async fn scalar_int(&mut self, sql: &str) -> Result<Option<i64>> {
        let context = self.context(sql);
        Ok(match self.first(sql).await? {
            Some(ColumnData::I64(i)) => i,
            Some(ColumnData::I32(i)) => i.map(i64::from),
            Some(other) => {
                return Err(Error::db(
                    context,
                    format!("expected an integer, got {other:?}"),
                ));
            }
            None => None,
        })
    }

    async fn catalog(&mut self, table: &str) -> Result<Vec<CatalogColumn>> {
        let context = self.context(&format!("reading columns of `{table}`"));
        let rows = self
            .client
            .query(COLUMNS_SQL, &[&table])
            .await
            .map_err(|e| Error::db(&context, e))?
            .into_first_result()
            .await
            .map_err(|e| Error::db(&context, e))?;
        let columns = rows
            .iter()
            .map(catalog_row)
            .collect::<tiberius::Result<Vec<_>>>()
            .map_err(|e| Error::db(&context, e))?;
        if columns.is_empty() {
            return Err(Error::table(
                table,
                format!("not found in {}", self.endpoint.label()),
            ));
        }
        Ok(columns)
    }
}

#[async_trait]
impl DatabaseDriver for MsSqlDriver {
    fn database_type(&self) -> DatabaseType {
        DatabaseType::SqlServer
    }

    fn dialect(&self) -> Dialect {
        Dialect::SqlServer
    }

    async fn list_tables(&mut self) -> Result<Vec<String>> {
        let context = self.context("listing tables");
        let rows = self
            .client
            .simple_query(TABLES_SQL)
            .await
            .map_err(|e| Error::db(&context, e))?
            .into_first_result()
            .await
            .map_err(|e| Error::db(&context, e))?;
        rows.iter()
            .map(|r| Ok(r.try_get::<&str, _>(0)?.unwrap_or_default().to_string()))
            .collect::<tiberius::Result<Vec<_>>>()
            .map_err(|e| Error::db(&context, e))
    }

    async fn columns(&mut self, table: &str) -> Result<Vec<Column>> {
        Ok(self
            .catalog(table)
            .await?
            .iter()
            .map(CatalogColumn::column)
            .collect())
    }

    async fn count_rows(&mut self, table: &str) -> Result<u64> {
        let sql = format!(
            "SELECT COUNT_BIG(*) FROM {}",
            Dialect::SqlServer.quote(table)
        );
        let n = self.scalar_int(&sql).await?.unwrap_or(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn begin_snapshot(&mut self) -> Result<()> {
        let allowed = self.scalar_int(SNAPSHOT_ALLOWED_SQL).await? == Some(1);
        self.execute(snapshot_sql(allowed)).await
    }

    async fn end_snapshot(&mut self) -> Result<()> {
        self.execute("COMMIT TRANSACTION").await
    }

    fn stream_rows<'a>(
        &'a mut self,
        table: &'a TableMeta,
        limit: Option<u64>,
    ) -> BoxStream<'a, Result<Vec<Value>>> {
        let types: Vec<DataType> = table.columns.iter().map(|c| c.data_type).collect();
        let context = self.context(&format!("reading `{}`", table.name));
        Box::pin(async_stream::try_stream! {
            let catalog = self.catalog(&table.name).await?;
            let exprs: Vec<String> = table
                .columns
                .iter()
                .map(|c| {
                    let quoted = Dialect::SqlServer.quote(&c.attribute_name);
                    match catalog.iter().find(|k| k.name == c.attribute_name) {
                        Some(k) => select_expr(&k.type_name, k.max_length, &quoted),
                        None => quoted,
                    }
                })
                .collect();
            // A table with no key is read in the order the server gives; no sort.
            let sql = Dialect::SqlServer.select_exprs(table, &exprs, None, limit);
            let mut rows = self
                .client
                .simple_query(sql)
                .await
                .map_err(|e| Error::db(&context, e))?
                .into_row_stream();
            while let Some(row) = rows.try_next().await.map_err(|e| Error::db(&context, e))? {
                yield read_row(row, &types).map_err(|e| Error::db(&context, e))?;
            }
        })
    }

    async fn execute(&mut self, sql: &str) -> Result<()> {
        let context = self.context(sql);
        self.batch(sql).await.map_err(|e| Error::db(context, e))
    }

    async fn insert_rows(&mut self, table: &TableMeta, rows: &[Vec<SqlValue>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut q = Query::new(insert_sql(&table.name, &table.columns, rows.len()));
        for row in rows {
            for (v, col) in row.iter().zip(&table.columns) {
                // A NULL is bound as its column's type, so no conversion is asked of the server.
                match (v, col.data_type) {
                    (SqlValue::Null, DataType::Boolean) => q.bind(None::<bool>),
                    (SqlValue::Null, DataType::Integer) => q.bind(None::<i64>),
                    (SqlValue::Null, DataType::Decimal) => q.bind(None::<Numeric>),
                    (SqlValue::Null, DataType::DateTime) => q.bind(None::<NaiveDateTime>),
                    (SqlValue::Null, _) => q.bind(None::<&str>),
                    (SqlValue::Bool(b), _) => q.bind(*b),
                    (SqlValue::Int(i), _) => q.bind(*i),
                    (SqlValue::Decimal(s), _) => match numeric(s) {
                        Some(n) => q.bind(n),
                        None => {
                            return Err(Error::table(
                                &table.name,
                                format!(
                                    "row{}, column `{}`: {s} has more than the 38 digits SQL \
                                     Server decimals hold",
                                    row_key(table, row),
                                    col.attribute_name
                                ),
                            ));
                        }
                    },
                    (SqlValue::Text(s), _) => q.bind(s.as_str()),
                    (SqlValue::DateTime(d), _) => q.bind(*d),
                }
            }
        }
        let context = self.context(&format!("inserting into `{}`", table.name));
        q.execute(&mut self.client)
            .await
            .map_err(|e| Error::db(context, e))?;
        Ok(())
    }

    async fn begin(&mut self) -> Result<()> {
        self.execute("BEGIN TRANSACTION").await
    }

    async fn commit(&mut self) -> Result<()> {
        self.execute("COMMIT TRANSACTION").await
    }

    async fn rollback(&mut self) -> Result<()> {
        // XACT_ABORT may have rolled back already; then there is nothing left to undo.
        self.execute("IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION")
            .await
    }

    /// Moves the identity past the largest id, so the CMS's next insert does not collide.
    /// Neither original tool did this explicitly.
    async fn after_insert(&mut self, table: &TableMeta) -> Result<()> {
        let Some(id) = table.identity() else {
            return Ok(());
        };
        if let Some(max) = self
            .scalar_int(&max_id_sql(&table.name, &id.attribute_name))
            .await?
        {
            self.execute(&reseed_sql(&table.name, max)).await?;
        }
        Ok(())
    }

    async fn close(self: Box<Self>) -> Result<()> {
        let context = self.context("closing");
        self.client.close().await.map_err(|e| Error::db(context, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigSource;
    use crate::db::schema::CmsSchema;
    use crate::model::DataType::*;

    fn cat(name: &str, ty: &str, max_length: i16, identity: bool, pk: bool) -> CatalogColumn {
        CatalogColumn {
            name: name.into(),
            type_name: ty.into(),
            max_length,
            is_identity: identity,
            is_primary_key: pk,
        }
    }

    #[test]
    fn catalog_rows_map_to_the_six_types() {
        for ((ty, max_length), want) in [
            (("bit", 1), (Boolean, 0)),
            (("datetime", 8), (DateTime, 0)),
            (("datetime2", 8), (DateTime, 0)),
            (("smalldatetime", 4), (DateTime, 0)),
            (("date", 3), (DateTime, 0)),
            (("datetimeoffset", 10), (DateTime, 0)),
            (("decimal", 9), (Decimal, 0)),
            (("numeric", 17), (Decimal, 0)),
            (("money", 8), (Decimal, 0)),
            (("float", 8), (Decimal, 0)),
            (("int", 4), (Integer, 0)),
            (("bigint", 8), (Integer, 0)),
            (("tinyint", 1), (Integer, 0)),
            (("ntext", 16), (Text, 0)),
            (("text", 16), (Text, 0)),
            (("xml", -1), (Text, 0)),
            // nvarchar(n) is n characters: max_length counts bytes.
            (("nvarchar", 100), (VarChar, 50)),
            (("nvarchar", -1), (Text, 0)),
            (("nchar", 20), (VarChar, 10)),
            (("varchar", 255), (VarChar, 255)),
            (("varchar", -1), (Text, 0)),
            (("uniqueidentifier", 16), (VarChar, 36)),
            (("time", 5), (VarChar, 16)),
            (("varbinary", 50), (VarChar, 0)),
            (("image", 16), (VarChar, 0)),
            (("clr", -1), (VarChar, 0)),
        ] {
            assert_eq!(map_type(ty, max_length), want, "{ty}({max_length})");
        }
        assert_eq!(
            cat("Id", "int", 4, true, true).column(),
            Column::new("Id", Integer).identity().primary_key()
        );
        assert_eq!(
            cat("SiteName", "nvarchar", 100, false, false).column(),
            Column::new("SiteName", VarChar).length(50)
        );
        assert_eq!(
            cat("Top", "nvarchar", -1, false, false).column(),
            Column::new("Top", Text)
        );
    }

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
            Dialect::SqlServer.select_exprs(&t, &exprs, None, None),
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
    fn catalog_queries_read_user_tables_and_keys() {
        assert!(TABLES_SQL.contains("t.is_ms_shipped = 0"));
        assert!(TABLES_SQL.contains("SCHEMA_ID(), SCHEMA_ID(N'dbo')"));
        assert!(TABLES_SQL.contains("microsoft_database_tools_support"));
        assert!(COLUMNS_SQL.contains("OBJECT_ID(QUOTENAME(@P1))"));
        assert!(COLUMNS_SQL.contains("i.is_primary_key = 1"));
        assert!(COLUMNS_SQL.contains("ORDER BY c.column_id"));
    }

    fn site() -> TableMeta {
        TableMeta {
            name: "siteserver_Site".into(),
            columns: vec![
                Column::new("Id", Integer).identity().primary_key(),
                Column::new("SiteName", VarChar).length(50),
                Column::new("Top", Boolean),
            ],
        }
    }

    #[test]
    fn inserts_keep_ids_under_identity_insert() {
        let t = site();
        assert_eq!(
            insert_sql(&t.name, &t.columns, 2),
            "SET IDENTITY_INSERT [siteserver_Site] ON; \
             INSERT INTO [siteserver_Site] ([Id], [SiteName], [Top]) VALUES (@P1, @P2, @P3), (@P4, @P5, @P6); \
             SET IDENTITY_INSERT [siteserver_Site] OFF"
        );
        // No identity column, no IDENTITY_INSERT: SQL Server refuses it on such a table.
        let plain = [Column::new("A", Text), Column::new("B", Integer)];
        assert_eq!(
            insert_sql("no_key", &plain, 1),
            "INSERT INTO [no_key] ([A], [B]) VALUES (@P1, @P2)"
        );
    }

    /// A content table with every data type, an identity key and a `Top` column (a reserved
    /// word), as restore creates and fills it.
    fn content() -> TableMeta {
        TableMeta {
            name: "siteserver_Content_1".into(),
            columns: vec![
                Column::new("Id", Integer).identity().primary_key(),
                Column::new("Top", Boolean),
                Column::new("AddDate", DateTime),
                Column::new("Price", Decimal),
                Column::new("Hits", Integer),
                Column::new("Body", Text),
                Column::new("Title", VarChar).length(255),
            ],
        }
    }

    /// 6.15 creates SQL Server text as `ntext`, 7.4 as `nvarchar(max)` (spec `target-schema.md`
    /// §3); everything else, and the INSERT, is the same for both.
    #[test]
    fn ddl_and_insert_for_6_15_and_7_4_with_identity_and_top() {
        let t = content();
        let ddl = |text: &str| {
            format!(
                "CREATE TABLE [siteserver_Content_1] ([Id] int IDENTITY (1, 1), [Top] [bit], \
                 [AddDate] [datetime], [Price] [decimal] (18, 2), [Hits] [int], \
                 [Body] {text}, [Title] [nvarchar] (255), \
                 CONSTRAINT [PK_siteserver_Content_1_Id] PRIMARY KEY ([Id]))"
            )
        };
        for (schema, text) in [
            (CmsSchema::V6, "[ntext]"),
            (CmsSchema::V7, "[nvarchar] (max)"),
            (CmsSchema::Any, "[nvarchar] (max)"),
        ] {
            let target = schema.table_meta(Dialect::SqlServer, &t);
            assert_eq!(
                Dialect::SqlServer.create_table_in(schema, &target, &[]),
                ddl(text),
                "{schema:?}"
            );
            assert_eq!(
                insert_sql(&target.name, &target.columns, 1),
                "SET IDENTITY_INSERT [siteserver_Content_1] ON; \
                 INSERT INTO [siteserver_Content_1] ([Id], [Top], [AddDate], [Price], [Hits], [Body], [Title]) \
                 VALUES (@P1, @P2, @P3, @P4, @P5, @P6, @P7); \
                 SET IDENTITY_INSERT [siteserver_Content_1] OFF",
                "{schema:?}"
            );
        }
    }

    #[test]
    fn batches_stay_within_2100_parameters_and_1000_rows() {
        // A SQL Server table has at most 1,024 columns.
        for columns in [1, 2, 3, 7, 35, 100, 1_024] {
            let rows = Dialect::SqlServer.batch_rows(columns);
            assert!(
                (1..=1_000).contains(&rows),
                "{columns} columns: {rows} rows"
            );
            assert!(rows * columns < 2_100, "{columns} columns: {rows} rows");
        }
        assert_eq!(Dialect::SqlServer.batch_rows(1), 1_000);
        assert_eq!(Dialect::SqlServer.batch_rows(3), 666);
        assert_eq!(Dialect::SqlServer.batch_rows(35), 57);
        // The placeholders of a full batch run to @P1998 for 3 columns, under @P2100.
        let cols = &site().columns;
        let sql = insert_sql("t", cols, Dialect::SqlServer.batch_rows(cols.len()));
        assert!(sql.contains("@P1998)") && !sql.contains("@P1999"), "{sql}");
    }

    #[test]
    fn identity_is_reseeded_past_the_largest_id() {
        assert_eq!(
            max_id_sql("siteserver_Site", "Id"),
            "SELECT CAST(MAX([Id]) AS bigint) FROM [siteserver_Site]"
        );
        assert_eq!(
            reseed_sql("siteserver_Site", 42),
            "DBCC CHECKIDENT (N'[siteserver_Site]', RESEED, 42) WITH NO_INFOMSGS"
        );
        assert_eq!(
            reseed_sql("it's]", 7),
            "DBCC CHECKIDENT (N'[it''s]]]', RESEED, 7) WITH NO_INFOMSGS"
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

    fn address(cs: &str) -> ServerAddress {
        DatabaseConfig {
            database_type: DatabaseType::SqlServer,
            connection_string: cs.into(),
            base_dir: ".".into(),
            source: ConfigSource::Flag,
        }
        .server()
        .unwrap()
    }

    #[test]
    fn integrated_security_is_refused_with_what_to_use_instead() {
        let err = login(&address("Server=.;Database=cms;Integrated Security=SSPI"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Integrated Security")
                && err.contains("SQL Server login")
                && err.contains("Uid=")
                && err.contains("Pwd="),
            "{err}"
        );
        let err = login(&address("Server=.;Database=cms;Trusted_Connection=yes"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("Integrated Security"), "{err}");
        let err = login(&address("Server=.;Database=cms")).unwrap_err();
        assert!(err.to_string().contains("no user"), "{err}");
        assert_eq!(
            login(&address("Server=.;Uid=sa;Pwd=p;Database=cms")).unwrap(),
            AuthMethod::sql_server("sa", "p")
        );
    }

    #[test]
    fn encrypt_and_trust_server_certificate_are_honoured() {
        let t = |cs: &str| tls(&address(cs));
        // SqlClient's default: encrypt the login only, without checking the certificate.
        assert_eq!(t("Server=h").unwrap(), (EncryptionLevel::Off, true));
        assert_eq!(
            t("Server=h;Encrypt=False").unwrap(),
            (EncryptionLevel::Off, true)
        );
        assert_eq!(
            t("Server=h;Encrypt=True").unwrap(),
            (EncryptionLevel::Required, false)
        );
        assert_eq!(
            t("Server=h;Encrypt=yes;TrustServerCertificate=True").unwrap(),
            (EncryptionLevel::Required, true)
        );
        assert_eq!(
            t("Server=h;Encrypt=Mandatory;TrustServerCertificate=false").unwrap(),
            (EncryptionLevel::Required, false)
        );
        assert!(
            t("Server=h;Encrypt=Strict")
                .unwrap_err()
                .to_string()
                .contains("Encrypt=True")
        );
        assert!(t("Server=h;Encrypt=maybe").is_err());
    }

    #[test]
    fn servers_before_2008_are_refused_with_the_way_around() {
        assert!(check_version("10.50.1600.1").is_ok());
        assert!(check_version("16.0.1000.6").is_ok());
        let err = check_version("9.00.5000.00").unwrap_err().to_string();
        assert!(
            err.contains("2008")
                && err.contains("original SiteServer tool")
                && err.contains("update"),
            "{err}"
        );
        assert!(check_version("8.00.2039").is_err());
        assert!(check_version("").is_err());
    }

    #[test]
    fn decimals_cross_exactly() {
        for (text, value, scale) in [
            ("12.50", 1250, 2),
            ("-0.001", -1, 3),
            ("0.0", 0, 1),
            ("5", 5, 0),
            ("9999999999999999.99", 999_999_999_999_999_999, 2),
        ] {
            let n = numeric(text).unwrap();
            assert_eq!((n.value(), n.scale()), (value, scale), "{text}");
            assert_eq!(numeric_text(n), text, "{text}");
        }
        assert_eq!(numeric_text(Numeric::new_with_scale(-5, 3)), "-0.005");
        assert_eq!(numeric_text(Numeric::new_with_scale(120, 1)), "12.0");
        // 39 digits are more than any SQL Server decimal holds.
        assert!(numeric(&format!("{}.5", "9".repeat(38))).is_none());
        assert!(numeric(&format!("0.{}", "1".repeat(37))).is_some());
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

    /// A server that is not there, or that never answers, fails within the connect timeout,
    /// naming host and port and never the password.
    #[tokio::test]
    async fn unreachable_servers_fail_fast_without_the_password() {
        let cfg = |cs: &str| DatabaseConfig {
            database_type: DatabaseType::SqlServer,
            connection_string: cs.into(),
            base_dir: ".".into(),
            source: ConfigSource::Flag,
        };
        let started = std::time::Instant::now();
        let err = MsSqlDriver::connect(
            &cfg("Server=127.0.0.1,1;Uid=sa;Pwd=secret;Database=x;"),
            Access::ReadOnly,
        )
        .await
        .err()
        .unwrap()
        .to_string();
        assert!(err.contains("127.0.0.1:1"), "{err}");
        assert!(!err.contains("secret"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(15), "{err}");

        // Accepts TCP, then says nothing: the handshake must give up after Connect Timeout.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let hold = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = listener.accept().await {
                held.push(s);
            }
        });
        let started = std::time::Instant::now();
        let err = MsSqlDriver::connect(
            &cfg(&format!(
                "Server=127.0.0.1,{port};Uid=sa;Pwd=secret;Database=x;Connect Timeout=1"
            )),
            Access::ReadOnly,
        )
        .await
        .err()
        .unwrap()
        .to_string();
        hold.abort();
        assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
        assert!(!err.contains("secret"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5), "{err}");
    }
}
