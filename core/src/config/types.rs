//! The plain types of the config module: database type, errors, sources,
//! resolved settings and the inputs to resolution.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Environment variable for the database type.
pub const ENV_DATABASE_TYPE: &str = "SITESERVER_DATABASE_TYPE";
/// Environment variable for the connection string.
pub const ENV_CONNECTION_STRING: &str = "SITESERVER_CONNECTION_STRING";
/// Flag names, for messages.
pub const FLAG_DATABASE_TYPE: &str = "--database-type";
pub const FLAG_CONNECTION_STRING: &str = "--connection-string";

/// The databases this tool can talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatabaseType {
    Sqlite,
    MySql,
    PostgreSql,
    SqlServer,
}

impl DatabaseType {
    /// Names accepted by [`FromStr`], for messages.
    pub const ACCEPTED: &'static str =
        "SQLite, MySql, MariaDB, PostgreSql (Postgres), SqlServer (MSSQL)";

    /// The type a URL scheme stands for (`mysql://…`, `sqlite:…`), if any.
    pub fn from_url_scheme(scheme: &str) -> Option<Self> {
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => Some(Self::Sqlite),
            "mysql" | "mariadb" => Some(Self::MySql),
            "postgres" | "postgresql" => Some(Self::PostgreSql),
            "sqlserver" | "mssql" => Some(Self::SqlServer),
            _ => None,
        }
    }
}

impl FromStr for DatabaseType {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, ConfigError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sqlite" => Ok(Self::Sqlite),
            "mysql" | "mariadb" => Ok(Self::MySql),
            "postgresql" | "postgres" => Ok(Self::PostgreSql),
            "sqlserver" | "mssql" => Ok(Self::SqlServer),
            "oracle" => Err(ConfigError::OracleNotSupported),
            _ => Err(ConfigError::UnknownDatabaseType {
                value: s.trim().to_string(),
            }),
        }
    }
}

impl fmt::Display for DatabaseType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "SQLite",
            Self::MySql => "MySql",
            Self::PostgreSql => "PostgreSql",
            Self::SqlServer => "SqlServer",
        })
    }
}

/// Everything that can go wrong finding and reading the database settings.
/// Messages are one line and never contain a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `inner`, found at `place` (a flag, env var, or `file: key`).
    #[error("{place}: {inner}")]
    In {
        place: String,
        inner: Box<ConfigError>,
    },
    #[error("cannot read {}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("config file {} does not exist", path.display())]
    FileNotFound { path: PathBuf },
    #[error("{}: {reason}", path.display())]
    BadFile { path: PathBuf, reason: String },
    #[error("{}: malformed XML at line {line}, column {column}: {reason}", path.display())]
    Xml {
        path: PathBuf,
        line: usize,
        column: usize,
        reason: String,
    },
    #[error("{}: malformed JSON: {reason}", path.display())]
    Json { path: PathBuf, reason: String },
    #[error("{key} is '{value}', expected True or False")]
    InvalidBool { key: String, value: String },
    #[error("{reason}")]
    InvalidValue { reason: String },
    #[error(
        "unknown database type '{value}'; accepted: {}",
        DatabaseType::ACCEPTED
    )]
    UnknownDatabaseType { value: String },
    #[error(
        "Oracle is not supported; back up with the original SiteServer 6.x tool (`siteserver backup`) and run `siteserver update` on its backup folder"
    )]
    OracleNotSupported,
    #[error("no {what} found; looked at {looked}")]
    Missing { what: &'static str, looked: String },
    #[error("is empty")]
    Empty,
    #[error("connection string: {reason} at character {position}")]
    ConnectionStringSyntax {
        position: usize,
        reason: &'static str,
    },
    #[error("connection string: {reason}")]
    InvalidConnectionString { reason: String },
    #[error(
        "database type {database_type} (from {type_place}) does not match the connection string's {scheme}: URL"
    )]
    TypeMismatch {
        database_type: DatabaseType,
        type_place: String,
        scheme: String,
    },
    #[error("the database type is {database_type}, so the connection string has no {wanted}")]
    WrongDatabaseType {
        database_type: DatabaseType,
        wanted: &'static str,
    },
    #[error("IsProtectData is true but {key} is missing")]
    SecretKeyMissing { key: &'static str },
    #[error("the secret key is {len} characters long; DES needs at least 8")]
    SecretKeyTooShort { len: usize },
    #[error("the first 8 characters of the secret key must be ASCII for DES")]
    SecretKeyNotAscii,
    #[error(
        "SM4-protected values are not supported yet ({reason}); paste the plain database type and connection string into the config file and set IsProtectData to false, or pass --database-type and --connection-string"
    )]
    Sm4NotSupported { reason: &'static str },
    #[error("cannot decrypt: {reason}")]
    Decrypt { reason: &'static str },
}

/// Where a resolved setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    Flag,
    Env,
    File(PathBuf),
}

impl ConfigSource {
    /// The flag / env var / file that supplies the database type from this source.
    pub fn type_label(&self) -> String {
        match self {
            Self::Flag => FLAG_DATABASE_TYPE.into(),
            Self::Env => ENV_DATABASE_TYPE.into(),
            Self::File(p) => p.display().to_string(),
        }
    }
}

/// Shows the connection-string origin: `--connection-string`,
/// `SITESERVER_CONNECTION_STRING` or the config file's path.
impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag => f.write_str(FLAG_CONNECTION_STRING),
            Self::Env => f.write_str(ENV_CONNECTION_STRING),
            Self::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// A resolved database: what [`resolve`](crate::config::resolve()) returns.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub database_type: DatabaseType,
    /// Plain (decrypted) connection string.
    pub connection_string: String,
    /// Folder that relative SQLite paths and `~/` resolve against: the config
    /// file's folder when the string came from a file, else the working folder.
    pub base_dir: PathBuf,
    /// Where the connection string came from.
    pub source: ConfigSource,
}

/// Host, credentials and options of a server database.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerAddress {
    pub host: String,
    pub port: Option<u16>,
    /// SQL Server named instance (`host\INSTANCE`).
    pub instance: Option<String>,
    pub database: Option<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub integrated_security: bool,
    pub encrypt: Option<String>,
    pub trust_server_certificate: Option<bool>,
    /// PostgreSQL schema: first entry of the search path.
    pub schema: Option<String>,
    pub ssl_mode: Option<String>,
    /// PostgreSQL session time zone (Npgsql's `Timezone`), for `timestamptz` wall-clock times.
    pub timezone: Option<String>,
    /// Seconds to wait for a connection (`Connect Timeout`); 0 or absent means the driver's default.
    pub connect_timeout: Option<u64>,
}

/// Inputs to [`resolve`](crate::config::resolve()): the flags as given, and the working folder.
pub struct ConfigInputs<'a> {
    pub database_type: Option<&'a str>,
    pub connection_string: Option<&'a str>,
    pub config_file: Option<&'a Path>,
    pub cwd: &'a Path,
}

pub(super) fn invalid(reason: impl Into<String>) -> ConfigError {
    ConfigError::InvalidConnectionString {
        reason: reason.into(),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A config with the given type and string; shared with the other files' tests.
    pub(in crate::config) fn cfg(t: DatabaseType, cs: &str) -> DatabaseConfig {
        DatabaseConfig {
            database_type: t,
            connection_string: cs.into(),
            base_dir: PathBuf::from("/base"),
            source: ConfigSource::Flag,
        }
    }

    #[test]
    fn database_type_names() {
        for (s, t) in [
            ("SQLite", DatabaseType::Sqlite),
            ("sqlite", DatabaseType::Sqlite),
            ("MySql", DatabaseType::MySql),
            ("MARIADB", DatabaseType::MySql),
            ("PostgreSql", DatabaseType::PostgreSql),
            ("postgres", DatabaseType::PostgreSql),
            ("PostgreSQL", DatabaseType::PostgreSql),
            (" SqlServer ", DatabaseType::SqlServer),
            ("mssql", DatabaseType::SqlServer),
        ] {
            assert_eq!(s.parse::<DatabaseType>().unwrap(), t, "{s}");
        }
        for t in [
            DatabaseType::Sqlite,
            DatabaseType::MySql,
            DatabaseType::PostgreSql,
            DatabaseType::SqlServer,
        ] {
            assert_eq!(t.to_string().parse::<DatabaseType>().unwrap(), t);
        }
        let err = "Access".parse::<DatabaseType>().unwrap_err().to_string();
        assert!(
            err.contains("'Access'") && err.contains("SQLite") && err.contains("SqlServer"),
            "{err}"
        );
        let err = "oracle".parse::<DatabaseType>().unwrap_err().to_string();
        assert!(
            err.contains("not supported") && err.contains("siteserver update"),
            "{err}"
        );
    }
}
