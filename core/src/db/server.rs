//! What the MySQL, PostgreSQL and SQL Server drivers share: decoded values into backup JSON,
//! and the address a connection names in its messages.

use base64::Engine as _;
use serde_json::Value;

use crate::backup::JsonRows;
use crate::config::ServerAddress;
use crate::error::{Error, Result};
use crate::model::DataType;
use crate::value::{decimal_json, format_datetime, parse_datetime};

/// Host, port, database and user of a server connection, for messages. Never the password.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub kind: &'static str,
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: Option<String>,
    /// A SQL Server named instance whose port SQL Server Browser tells; shown instead of the port.
    pub instance: Option<String>,
}

impl Endpoint {
    /// Reads the address a server driver needs; a database name is required.
    pub fn new(kind: &'static str, addr: &ServerAddress, default_port: u16) -> Result<Self> {
        let database = addr.database.clone().ok_or_else(|| {
            Error::Invalid(format!(
                "the {kind} connection string names no database (add Database=…)"
            ))
        })?;
        Ok(Endpoint {
            kind,
            host: addr.host.clone(),
            port: addr.port.unwrap_or(default_port),
            database,
            user: addr.user.clone(),
            instance: None,
        })
    }

    /// `MySQL 127.0.0.1:3306/cms`, or `SQL Server localhost\SQLEXPRESS/cms`.
    pub fn label(&self) -> String {
        format!("{} {}/{}", self.kind, self.address(), self.database)
    }

    /// `host:port`, or `host\instance` when SQL Server Browser tells the port.
    pub fn address(&self) -> String {
        match &self.instance {
            Some(i) => format!("{}\\{i}", self.host),
            None => format!("{}:{}", self.host, self.port),
        }
    }

    pub fn context(&self, what: &str) -> String {
        format!("{}: {what}", self.label())
    }

    /// A failed connection, naming host, port, database and user. The drivers' messages carry
    /// no password, and neither does this.
    pub fn connect_error(&self, err: &dyn std::fmt::Display) -> Error {
        let user = self
            .user
            .as_deref()
            .map(|u| format!(", user `{u}`"))
            .unwrap_or_default();
        Error::db(
            format!(
                "cannot connect to {} at {} (database `{}`{user})",
                self.kind,
                self.address(),
                self.database
            ),
            err,
        )
    }

    /// A missing database is not created: a misspelt name would otherwise become a new,
    /// empty database.
    #[cfg_attr(not(any(feature = "mysql", feature = "postgres")), allow(dead_code))]
    pub fn missing_database(&self, create: &str) -> Error {
        Error::Invalid(format!(
            "database `{}` does not exist on {} at {}; create it first, e.g. {create}",
            self.database,
            self.kind,
            self.address()
        ))
    }
}

/// An integer read from a column of type `dt`.
pub(crate) fn int_json(dt: DataType, i: i64) -> Value {
    match dt {
        DataType::Boolean if i == 0 || i == 1 => Value::Bool(i == 1),
        DataType::Decimal => decimal_json(&i.to_string()).unwrap_or(Value::from(i)),
        _ => Value::from(i),
    }
}

/// Writes [`int_json`]'s value without building it.
pub(crate) fn push_int(rows: &mut JsonRows, dt: DataType, i: i64) {
    match dt {
        DataType::Boolean | DataType::Decimal => rows.push_value(&int_json(dt, i)),
        _ => rows.push_int(i),
    }
}

/// Writes [`text_json`]'s value without building it: the usual text column is escaped
/// straight from the driver's buffer.
pub(crate) fn push_text(rows: &mut JsonRows, dt: DataType, s: &str) {
    match dt {
        // Most dates: already as the folder writes them, so no parse and format in between.
        DataType::DateTime if crate::value::is_plain_datetime(s) => rows.push_str(s),
        DataType::DateTime | DataType::Decimal | DataType::Boolean => {
            rows.push_value(&text_json(dt, s.to_string()));
        }
        _ => rows.push_str(s),
    }
}

/// Text read from a column of type `dt`. A value the type cannot read stays as the source held
/// it, so nothing is lost.
pub(crate) fn text_json(dt: DataType, s: String) -> Value {
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

/// A text value's bytes as UTF-8, checked by simdutf8, several times faster than the
/// standard library on CJK text; the standard library's error says where it is not UTF-8.
pub(crate) fn utf8(b: &[u8]) -> Result<&str, sqlx::Error> {
    match simdutf8::basic::from_utf8(b) {
        Ok(s) => Ok(s),
        Err(_) => std::str::from_utf8(b).map_err(|e| sqlx::Error::Decode(e.into())),
    }
}

/// Binary values are written as base64, as the original tools write them.
pub(crate) fn bytes_json(b: &[u8]) -> Value {
    Value::String(base64::engine::general_purpose::STANDARD.encode(b))
}

/// A `float`/`real` in its shortest round-trip form, read as a decimal.
pub(crate) fn f32_json(f: f32) -> Value {
    let s = f.to_string();
    decimal_json(&s).unwrap_or(Value::String(s))
}
