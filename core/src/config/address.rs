//! Where the database comes from: flags, environment, Web.config or sscms.json.

mod connstr;
pub mod files;
pub mod protect;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub use connstr::ConnectionString;
use connstr::{PASSWORD_KEYS, key_matches};
use files::ConfigFile;

/// Environment variable for the database type.
pub const ENV_DATABASE_TYPE: &str = "SITESERVER_DATABASE_TYPE";
/// Environment variable for the connection string.
pub const ENV_CONNECTION_STRING: &str = "SITESERVER_CONNECTION_STRING";
/// Flag names, for messages.
pub const FLAG_DATABASE_TYPE: &str = "--database-type";
pub const FLAG_CONNECTION_STRING: &str = "--connection-string";
/// Config files looked for in the working folder, in this order.
pub const DEFAULT_CONFIG_FILES: [&str; 2] = ["Web.config", "sscms.json"];

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

/// A resolved database: what [`resolve`] returns.
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

const HOST_KEYS: &[&str] = &[
    "Server",
    "Host",
    "Data Source",
    "Address",
    "Addr",
    "Network Address",
];
const PORT_KEYS: &[&str] = &["Port"];
const DATABASE_KEYS: &[&str] = &[
    "Database",
    "Initial Catalog",
    "DB",
    "databaseName",
    "dbname",
];
const USER_KEYS: &[&str] = &["Uid", "User Id", "User", "Username", "User Name"];
const INTEGRATED_KEYS: &[&str] = &["Integrated Security", "Trusted_Connection"];
const ENCRYPT_KEYS: &[&str] = &["Encrypt"];
const TRUST_KEYS: &[&str] = &["TrustServerCertificate"];
const SCHEMA_KEYS: &[&str] = &["Search Path", "currentSchema"];
const OPTIONS_KEYS: &[&str] = &["Options"];
const SSL_KEYS: &[&str] = &["SslMode", "ssl-mode"];
const TIMEZONE_KEYS: &[&str] = &["Timezone"];
const INSTANCE_KEYS: &[&str] = &["instance", "instanceName"];
const CONNECT_TIMEOUT_KEYS: &[&str] = &[
    "Connect Timeout",
    "Connection Timeout",
    "Timeout",
    "loginTimeout",
];
const SQLITE_PATH_KEYS: &[&str] = &["Data Source", "Filename"];

impl DatabaseConfig {
    /// The connection string with passwords replaced by `***`: ADO.NET
    /// `Pwd`/`Password` values, and the password of a URL's `user:password@`.
    pub fn masked(&self) -> String {
        mask_connection_string(&self.connection_string)
    }

    /// The SQLite database file. Accepts `Data Source=PATH` (also `DataSource`,
    /// `Filename`), a bare path, or `sqlite:PATH` / `sqlite://PATH`; `~/` and
    /// relative paths resolve against `base_dir`.
    pub fn sqlite_path(&self) -> Result<PathBuf, ConfigError> {
        if self.database_type != DatabaseType::Sqlite {
            return Err(ConfigError::WrongDatabaseType {
                database_type: self.database_type,
                wanted: "SQLite file",
            });
        }
        let s = self.connection_string.trim();
        let raw = if let Some(rest) = strip_prefix_ci(s, "sqlite:") {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let rest = rest.split_once('?').map_or(rest, |(p, _)| p);
            percent_decode(rest)?
        } else if !s.contains('=') {
            s.to_string()
        } else {
            let cs = ConnectionString::parse(s)?;
            let v = cs
                .get(SQLITE_PATH_KEYS)
                .ok_or_else(|| invalid("it has no Data Source"))?;
            // Microsoft.Data.Sqlite also accepts a `file:` URI here.
            let v =
                strip_prefix_ci(v, "file:").map_or(v, |r| r.split_once('?').map_or(r, |(p, _)| p));
            v.trim().to_string()
        };
        if raw.is_empty() {
            return Err(invalid("the SQLite path is empty"));
        }
        if raw == ":memory:" {
            return Err(invalid(
                "it names an in-memory SQLite database, which holds no data",
            ));
        }
        // Configs written on Windows use `\`; elsewhere that is never a separator we want.
        let raw = if cfg!(windows) {
            raw
        } else {
            raw.replace('\\', "/")
        };
        let path = if raw == "~" {
            self.base_dir.clone()
        } else if let Some(rest) = raw.strip_prefix("~/") {
            self.base_dir.join(rest)
        } else {
            self.base_dir.join(&raw)
        };
        Ok(path)
    }

    /// Host, port, credentials and options of a server database, from the
    /// ADO.NET form or a URL (`mysql://`, `mariadb://`, `postgres://`,
    /// `postgresql://`, `sqlserver://`, `mssql://`).
    pub fn server(&self) -> Result<ServerAddress, ConfigError> {
        if self.database_type == DatabaseType::Sqlite {
            return Err(ConfigError::WrongDatabaseType {
                database_type: self.database_type,
                wanted: "server address",
            });
        }
        let s = self.connection_string.trim();
        if let Some((scheme, rest)) = split_url(s) {
            if DatabaseType::from_url_scheme(scheme).is_none_or(|t| t == DatabaseType::Sqlite) {
                return Err(invalid(format!("unsupported URL scheme '{scheme}'")));
            }
            return server_from_url(self.database_type, rest);
        }
        let cs = ConnectionString::parse(s)?;
        let (host, port, instance) = match cs.get(HOST_KEYS) {
            Some(h) if !h.trim().is_empty() => split_host(self.database_type, h)?,
            _ => return Err(invalid("it has no Server/Host")),
        };
        let mut addr = ServerAddress {
            host,
            port,
            instance,
            ..ServerAddress::default()
        };
        fill_from_props(&mut addr, &cs)?;
        Ok(addr)
    }
}

fn invalid(reason: impl Into<String>) -> ConfigError {
    ConfigError::InvalidConnectionString {
        reason: reason.into(),
    }
}

fn strip_prefix_ci<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// `(scheme, rest)` for `scheme://rest` (a leading `jdbc:` is ignored).
fn split_url(s: &str) -> Option<(&str, &str)> {
    let s = strip_prefix_ci(s, "jdbc:").unwrap_or(s);
    let (scheme, rest) = s.split_once("://")?;
    let mut chars = scheme.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    ok.then_some((scheme, rest))
}

/// The type named by a URL-form connection string (`sqlite:` needs no `//`).
fn url_type(s: &str) -> Option<(String, DatabaseType)> {
    let s = s.trim();
    if strip_prefix_ci(s, "sqlite:").is_some() {
        return Some(("sqlite".into(), DatabaseType::Sqlite));
    }
    let (scheme, _) = split_url(s)?;
    DatabaseType::from_url_scheme(scheme).map(|t| (scheme.to_ascii_lowercase(), t))
}

fn percent_decode(s: &str) -> Result<String, ConfigError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(v) => {
                    out.push(v);
                    i += 3;
                    continue;
                }
                None => return Err(invalid("the URL has a bad %-escape")),
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).map_err(|_| invalid("a %-escape in the URL is not UTF-8"))
}

fn parse_port(s: &str) -> Result<u16, ConfigError> {
    s.trim()
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| {
            invalid(format!(
                "port '{}' is not a number from 1 to 65535",
                s.trim()
            ))
        })
}

fn parse_flag(key: &str, v: &str, sspi: bool) -> Result<bool, ConfigError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "sspi" if sspi => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(ConfigError::InvalidBool {
            key: key.into(),
            value: v.trim().into(),
        }),
    }
}

/// `(host, port, instance)` from a Server/Host value, by the provider's rules.
fn split_host(
    db: DatabaseType,
    raw: &str,
) -> Result<(String, Option<u16>, Option<String>), ConfigError> {
    let raw = raw.trim();
    if db == DatabaseType::SqlServer {
        // SqlClient: optional protocol prefix, `host[\instance][,port]`.
        let mut h = raw;
        for prefix in ["tcp:", "np:", "lpc:", "admin:"] {
            if let Some(rest) = strip_prefix_ci(h, prefix) {
                h = rest;
                break;
            }
        }
        let (h, port) = match h.rsplit_once(',') {
            Some((h, p)) => (h, Some(parse_port(p)?)),
            None => (h, None),
        };
        let (h, instance) = match h.split_once('\\') {
            Some((h, i)) if !i.trim().is_empty() => (h, Some(i.trim().to_string())),
            Some((h, _)) => (h, None),
            None => (h, None),
        };
        let h = h.trim();
        let host = if h.is_empty() || h == "." || h.eq_ignore_ascii_case("(local)") {
            "localhost".to_string()
        } else {
            h.to_string()
        };
        return Ok((host, port, instance));
    }
    // MySQL / Npgsql: a comma-separated list means several hosts; use the first.
    let first = raw.split(',').next().unwrap_or(raw).trim();
    if db == DatabaseType::PostgreSql
        && let Some((h, p)) = first.rsplit_once(':')
        && !h.contains(':')
    {
        return Ok((h.to_string(), Some(parse_port(p)?), None));
    }
    Ok((first.to_string(), None, None))
}

/// Options that both ADO.NET strings and URL parameters can carry.
fn fill_from_props(addr: &mut ServerAddress, cs: &ConnectionString) -> Result<(), ConfigError> {
    let get = |keys: &[&str]| cs.get(keys).map(str::trim).filter(|v| !v.is_empty());
    if addr.port.is_none()
        && let Some(p) = get(PORT_KEYS)
    {
        addr.port = Some(parse_port(p)?);
    }
    if addr.instance.is_none() {
        addr.instance = get(INSTANCE_KEYS).map(str::to_string);
    }
    if addr.database.is_none() {
        addr.database = get(DATABASE_KEYS).map(str::to_string);
    }
    if addr.user.is_none() {
        addr.user = get(USER_KEYS).map(str::to_string);
    }
    if addr.password.is_none() {
        // Passwords keep their spaces.
        addr.password = cs
            .get(PASSWORD_KEYS)
            .filter(|v| !v.is_empty())
            .map(str::to_string);
    }
    if let Some(v) = get(INTEGRATED_KEYS) {
        addr.integrated_security = parse_flag("Integrated Security", v, true)?;
    }
    addr.encrypt = get(ENCRYPT_KEYS).map(str::to_string);
    if let Some(v) = get(TRUST_KEYS) {
        addr.trust_server_certificate = Some(parse_flag("TrustServerCertificate", v, false)?);
    }
    addr.ssl_mode = get(SSL_KEYS).map(str::to_string);
    addr.timezone = get(TIMEZONE_KEYS).map(str::to_string);
    if let Some(t) = get(CONNECT_TIMEOUT_KEYS) {
        let secs = t
            .parse::<u64>()
            .map_err(|_| invalid(format!("Connect Timeout '{t}' is not a number of seconds")))?;
        addr.connect_timeout = (secs > 0).then_some(secs);
    }
    let search_path = get(SCHEMA_KEYS).map(str::to_string).or_else(|| {
        let options = get(OPTIONS_KEYS)?;
        let lower = options.to_ascii_lowercase();
        let at = lower.find("search_path=")? + "search_path=".len();
        options[at..].split_whitespace().next().map(str::to_string)
    });
    addr.schema = search_path.and_then(|p| {
        let first = p.split(',').next()?.trim().trim_matches('"').trim();
        (!first.is_empty()).then(|| first.to_string())
    });
    Ok(())
}

/// `user:password@host:port/database?k=v&…`, plus JDBC-style `;k=v` after the host.
fn server_from_url(db: DatabaseType, rest: &str) -> Result<ServerAddress, ConfigError> {
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (userinfo, hostpart) = match main.rfind('@') {
        Some(at) => (Some(&main[..at]), &main[at + 1..]),
        None => (None, main),
    };
    let (hostpart, jdbc_props) = hostpart.split_once(';').unwrap_or((hostpart, ""));
    let (authority, path) = hostpart.split_once('/').unwrap_or((hostpart, ""));

    let mut props: Vec<(String, String)> = Vec::new();
    for pair in jdbc_props.split(';').chain(query.split('&')) {
        if pair.trim().is_empty() {
            continue;
        }
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        props.push((percent_decode(k)?.trim().to_string(), percent_decode(v)?));
    }
    let props = ConnectionString::from_pairs(props);

    // Host, with `[v6]` brackets and an optional `:port`.
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| invalid("the URL has an unclosed '[' in its host"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(parse_port(p)?),
            None => None,
        };
        (h.to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (percent_decode(h)?, Some(parse_port(p)?)),
            None => (percent_decode(authority)?, None),
        }
    };
    let (host, instance) = match host.split_once('\\') {
        Some((h, i)) if db == DatabaseType::SqlServer => (h.to_string(), Some(i.to_string())),
        _ => (host, None),
    };
    let host = match host.trim() {
        "" | "." => props
            .get(&["host", "server"])
            .map_or_else(|| "localhost".to_string(), str::to_string),
        h if h.eq_ignore_ascii_case("(local)") => "localhost".to_string(),
        h => h.to_string(),
    };
    let mut addr = ServerAddress {
        host,
        port,
        instance: instance.filter(|i| !i.is_empty()),
        ..ServerAddress::default()
    };
    if let Some(ui) = userinfo {
        let (u, p) = ui.split_once(':').map_or((ui, None), |(u, p)| (u, Some(p)));
        addr.user = Some(percent_decode(u)?).filter(|u| !u.is_empty());
        addr.password = p.map(percent_decode).transpose()?.filter(|p| !p.is_empty());
    }
    let path = path.trim_end_matches('/');
    if !path.is_empty() {
        addr.database = Some(percent_decode(path)?);
    }
    fill_from_props(&mut addr, &props)?;
    Ok(addr)
}

/// See [`DatabaseConfig::masked`]; also masks `password=` URL parameters.
fn mask_connection_string(s: &str) -> String {
    let t = s.trim();
    if let Some((_, rest)) = split_url(t) {
        let prefix = &t[..t.len() - rest.len()];
        let (main, query) = match rest.find('?') {
            Some(q) => (&rest[..q], &rest[q..]),
            None => (rest, ""),
        };
        let main = match main.rfind('@') {
            Some(at) => {
                let ui = &main[..at];
                match ui.split_once(':') {
                    Some((u, _)) => format!("{u}:***{}", &main[at..]),
                    None => main.to_string(),
                }
            }
            None => main.to_string(),
        };
        return format!("{prefix}{}", mask_params(&format!("{main}{query}")));
    }
    if strip_prefix_ci(t, "sqlite:").is_some() || !t.contains('=') {
        return s.to_string();
    }
    match ConnectionString::parse(t) {
        Ok(cs) => cs.masked(),
        Err(_) => "(connection string hidden: it does not parse)".to_string(),
    }
}

/// Masks `key=value` parameters (after `?`, `&` or `;`) whose key is a password key.
fn mask_params(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut in_params = false;
    while let Some(i) = rest.find(['?', '&', ';']) {
        let (seg, tail) = rest.split_at(i);
        out.push_str(&mask_param(seg, in_params));
        out.push_str(&tail[..1]);
        rest = &tail[1..];
        in_params = true;
    }
    out.push_str(&mask_param(rest, in_params));
    out
}

fn mask_param(seg: &str, in_params: bool) -> String {
    match seg.split_once('=') {
        Some((k, _)) if in_params && key_matches(k, PASSWORD_KEYS) => format!("{k}=***"),
        _ => seg.to_string(),
    }
}

/// Inputs to [`resolve`]: the flags as given, and the working folder.
pub struct ConfigInputs<'a> {
    pub database_type: Option<&'a str>,
    pub connection_string: Option<&'a str>,
    pub config_file: Option<&'a Path>,
    pub cwd: &'a Path,
}

/// Finds the database settings. Each of type and connection string is taken
/// from the first of: 1. the flag, 2. its env var, 3. the `-c` config file,
/// 4. `Web.config`, then `sscms.json`, in `cwd` (names matched in any case).
///
/// Source choices:
/// - Files are only read when a flag or env var leaves something missing.
/// - Steps 3 and 4 are one source: a single file supplies whatever is still
///   missing, so type and string never come from two different files. With
///   `-c`, the cwd files are not consulted; `-c` may also name a folder.
/// - In the cwd, a Web.config without DatabaseType and ConnectionString (an IIS
///   `web.config` of a 7.x site) is skipped in favour of sscms.json.
/// - A flag/env connection string that is a URL (`mysql://…`) sets the type
///   unless a flag/env type is given; a conflicting type is an error.
/// - A file without a type is an error, not the original's silent default
///   (SqlServer for Web.config, MySql for sscms.json); the message says so.
pub fn resolve(
    inputs: &ConfigInputs<'_>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<DatabaseConfig, ConfigError> {
    let mut looked_type: Vec<String> = Vec::new();
    let mut looked_cs: Vec<String> = Vec::new();

    let mut db_type: Option<(DatabaseType, String)> = None;
    if let Some(v) = inputs.database_type {
        db_type = Some((
            parse_type(v, FLAG_DATABASE_TYPE)?,
            FLAG_DATABASE_TYPE.to_string(),
        ));
    } else {
        looked_type.push(format!("{FLAG_DATABASE_TYPE} (not given)"));
        match env(ENV_DATABASE_TYPE).filter(|v| !v.trim().is_empty()) {
            Some(v) => {
                db_type = Some((
                    parse_type(&v, ENV_DATABASE_TYPE)?,
                    ENV_DATABASE_TYPE.to_string(),
                ));
            }
            None => looked_type.push(format!("{ENV_DATABASE_TYPE} (not set)")),
        }
    }

    let mut cs: Option<(String, ConfigSource)> = None;
    if let Some(v) = inputs.connection_string {
        if v.trim().is_empty() {
            return Err(ConfigError::In {
                place: FLAG_CONNECTION_STRING.into(),
                inner: Box::new(ConfigError::Empty),
            });
        }
        cs = Some((v.trim().to_string(), ConfigSource::Flag));
    } else {
        looked_cs.push(format!("{FLAG_CONNECTION_STRING} (not given)"));
        match env(ENV_CONNECTION_STRING).filter(|v| !v.trim().is_empty()) {
            Some(v) => cs = Some((v.trim().to_string(), ConfigSource::Env)),
            None => looked_cs.push(format!("{ENV_CONNECTION_STRING} (not set)")),
        }
    }

    // A URL given by flag/env states its own type.
    if db_type.is_none()
        && let Some((s, src)) = &cs
        && let Some((_, t)) = url_type(s)
    {
        db_type = Some((t, src.to_string()));
    }

    if db_type.is_none() || cs.is_none() {
        let (file, notes) = find_config_file(inputs)?;
        match file {
            None => {
                looked_type.extend(notes.iter().cloned());
                looked_cs.extend(notes);
            }
            Some(file) => {
                let path_s = file.path.display().to_string();
                if db_type.is_none() {
                    match file.database_type()? {
                        Some(v) => {
                            let place = format!("{path_s}: {}", file.kind.type_key());
                            db_type = Some((parse_type(&v, &place)?, path_s.clone()));
                        }
                        None => {
                            let default = match file.kind {
                                files::ConfigFileKind::WebConfig => {
                                    "SiteServer 6.x assumed SqlServer"
                                }
                                files::ConfigFileKind::SscmsJson => "SSCMS 7.x assumed MySql",
                            };
                            looked_type.push(format!(
                                "{path_s} (no {}; {default}, pass {FLAG_DATABASE_TYPE} to confirm)",
                                file.kind.type_key()
                            ));
                        }
                    }
                }
                if cs.is_none() {
                    match file.connection_string()? {
                        Some(v) => {
                            cs = Some((v.trim().to_string(), ConfigSource::File(file.path.clone())))
                        }
                        None => looked_cs.push(format!(
                            "{path_s} (no {})",
                            file.kind.connection_string_key()
                        )),
                    }
                }
            }
        }
    }

    let Some((connection_string, source)) = cs else {
        return Err(ConfigError::Missing {
            what: "connection string",
            looked: looked_cs.join(", "),
        });
    };
    let Some((database_type, type_place)) = db_type else {
        if split_url(&connection_string).is_some() {
            looked_type.push("the connection string's URL scheme (not a known database)".into());
        }
        return Err(ConfigError::Missing {
            what: "database type",
            looked: looked_type.join(", "),
        });
    };
    if let Some((scheme, t)) = url_type(&connection_string)
        && t != database_type
    {
        return Err(ConfigError::TypeMismatch {
            database_type,
            type_place,
            scheme,
        });
    }
    let base_dir = match &source {
        ConfigSource::File(p) => p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or_else(|| inputs.cwd.to_path_buf(), Path::to_path_buf),
        _ => inputs.cwd.to_path_buf(),
    };
    Ok(DatabaseConfig {
        database_type,
        connection_string,
        base_dir,
        source,
    })
}

fn parse_type(v: &str, place: &str) -> Result<DatabaseType, ConfigError> {
    if v.trim().is_empty() {
        return Err(ConfigError::In {
            place: place.into(),
            inner: Box::new(ConfigError::Empty),
        });
    }
    v.parse().map_err(|e| ConfigError::In {
        place: place.into(),
        inner: Box::new(e),
    })
}

/// The config file to use, or `None` plus notes on what was looked at.
fn find_config_file(
    inputs: &ConfigInputs<'_>,
) -> Result<(Option<ConfigFile>, Vec<String>), ConfigError> {
    match inputs.config_file {
        Some(p) => {
            let path = inputs.cwd.join(p);
            if path.is_dir() {
                return discover(&path);
            }
            Ok((Some(ConfigFile::read(&path)?), Vec::new()))
        }
        None => discover(inputs.cwd),
    }
}

fn discover(dir: &Path) -> Result<(Option<ConfigFile>, Vec<String>), ConfigError> {
    let mut notes = Vec::new();
    for name in DEFAULT_CONFIG_FILES {
        let Some(path) = find_name_ci(dir, name) else {
            notes.push(format!("{} (not found)", dir.join(name).display()));
            continue;
        };
        let file = ConfigFile::read(&path)?;
        if file.has_database_settings() {
            return Ok((Some(file), notes));
        }
        notes.push(format!(
            "{} (no {} or {})",
            path.display(),
            file.kind.type_key(),
            file.kind.connection_string_key()
        ));
    }
    Ok((None, notes))
}

/// `dir/name`, or a file in `dir` whose name matches `name` in another case
/// (`web.config` on a case-sensitive file system).
fn find_name_ci(dir: &Path, name: &str) -> Option<PathBuf> {
    let exact = dir.join(name);
    if exact.is_file() {
        return Some(exact);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(t: DatabaseType, cs: &str) -> DatabaseConfig {
        DatabaseConfig {
            database_type: t,
            connection_string: cs.into(),
            base_dir: PathBuf::from("/base"),
            source: ConfigSource::Flag,
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn inputs<'a>(
        t: Option<&'a str>,
        cs: Option<&'a str>,
        file: Option<&'a Path>,
        cwd: &'a Path,
    ) -> ConfigInputs<'a> {
        ConfigInputs {
            database_type: t,
            connection_string: cs,
            config_file: file,
            cwd,
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

    #[test]
    fn masked_ado_and_url() {
        let c = cfg(
            DatabaseType::MySql,
            "Server=h;Uid=root;PASSWORD=se;cret;Database=cms;",
        );
        assert!(c.masked().starts_with("(connection string hidden"));
        let c = cfg(
            DatabaseType::MySql,
            "Server=h;Uid=root;pwd='se;cret';Database=cms;",
        );
        assert_eq!(c.masked(), "Server=h;Uid=root;pwd=***;Database=cms");
        let c = cfg(
            DatabaseType::PostgreSql,
            "postgres://u:p%40ss@h:5432/db?sslmode=require&password=x",
        );
        assert_eq!(
            c.masked(),
            "postgres://u:***@h:5432/db?sslmode=require&password=***"
        );
        let c = cfg(
            DatabaseType::SqlServer,
            "sqlserver://h;user=sa;password=secret;database=x",
        );
        assert_eq!(c.masked(), "sqlserver://h;user=sa;password=***;database=x");
        let c = cfg(DatabaseType::Sqlite, "/data/cms.sqlite");
        assert_eq!(c.masked(), "/data/cms.sqlite");
    }

    #[test]
    fn sqlite_paths() {
        let p = |s: &str| cfg(DatabaseType::Sqlite, s).sqlite_path().unwrap();
        assert_eq!(
            p("Data Source=~/database.sqlite;Version=3;"),
            PathBuf::from("/base/database.sqlite")
        );
        assert_eq!(p("DataSource=db/x.db"), PathBuf::from("/base/db/x.db"));
        assert_eq!(p("filename=/abs/x.db"), PathBuf::from("/abs/x.db"));
        assert_eq!(p("x.db"), PathBuf::from("/base/x.db"));
        assert_eq!(p("~/x.db"), PathBuf::from("/base/x.db"));
        assert_eq!(p("sqlite:x.db"), PathBuf::from("/base/x.db"));
        assert_eq!(p("sqlite://x.db?mode=rwc"), PathBuf::from("/base/x.db"));
        assert_eq!(p("sqlite:///abs/my%20x.db"), PathBuf::from("/abs/my x.db"));
        assert_eq!(p("Data Source=\"~/a;b.db\""), PathBuf::from("/base/a;b.db"));
        if !cfg!(windows) {
            assert_eq!(
                p("Data Source=~\\App_Data\\x.db"),
                PathBuf::from("/base/App_Data/x.db")
            );
        }
        assert!(
            cfg(DatabaseType::Sqlite, "Version=3;")
                .sqlite_path()
                .is_err()
        );
        assert!(
            cfg(DatabaseType::Sqlite, "Data Source=:memory:")
                .sqlite_path()
                .is_err()
        );
        assert!(cfg(DatabaseType::MySql, "x.db").sqlite_path().is_err());
    }

    #[test]
    fn server_mysql_ado() {
        let s = cfg(
            DatabaseType::MySql,
            "Server=127.0.0.1;Port=3307;Uid=root;Pwd=pass;Database=cms;SslMode=Preferred;CharSet=utf8;",
        )
        .server()
        .unwrap();
        assert_eq!(
            s,
            ServerAddress {
                host: "127.0.0.1".into(),
                port: Some(3307),
                database: Some("cms".into()),
                user: Some("root".into()),
                password: Some("pass".into()),
                ssl_mode: Some("Preferred".into()),
                ..ServerAddress::default()
            }
        );
        let s = cfg(DatabaseType::MySql, "host=a,b;user name=u;DB=d")
            .server()
            .unwrap();
        assert_eq!(
            (s.host.as_str(), s.user.as_deref(), s.database.as_deref()),
            ("a", Some("u"), Some("d"))
        );
    }

    #[test]
    fn server_sql_server_forms() {
        let s = cfg(DatabaseType::SqlServer, "Server=tcp:db.example,1444;User Id=sa;Password=p;Initial Catalog=cms;Encrypt=True;TrustServerCertificate=yes")
            .server()
            .unwrap();
        assert_eq!(s.host, "db.example");
        assert_eq!(s.port, Some(1444));
        assert_eq!(s.database.as_deref(), Some("cms"));
        assert_eq!(s.encrypt.as_deref(), Some("True"));
        assert_eq!(s.trust_server_certificate, Some(true));
        let s = cfg(
            DatabaseType::SqlServer,
            r"Data Source=.\SQLEXPRESS;Integrated Security=SSPI;Database=x",
        )
        .server()
        .unwrap();
        assert_eq!(
            (
                s.host.as_str(),
                s.instance.as_deref(),
                s.integrated_security
            ),
            ("localhost", Some("SQLEXPRESS"), true)
        );
        let s = cfg(
            DatabaseType::SqlServer,
            "Server=(local);Trusted_Connection=yes",
        )
        .server()
        .unwrap();
        assert_eq!(s.host, "localhost");
        assert!(s.integrated_security);
        let s = cfg(DatabaseType::SqlServer, r"Address=srv\INST,1500")
            .server()
            .unwrap();
        assert_eq!(
            (s.host.as_str(), s.instance.as_deref(), s.port),
            ("srv", Some("INST"), Some(1500))
        );
        let err = cfg(DatabaseType::SqlServer, "Server=h,abc")
            .server()
            .unwrap_err();
        assert!(err.to_string().contains("'abc'"), "{err}");
        assert!(cfg(DatabaseType::SqlServer, "Database=x").server().is_err());
    }

    /// The forms of issue 6, as SiteServer's installer and admins wrote them.
    #[test]
    fn server_sql_server_as_siteserver_wrote_them() {
        let sql = |s: &str| cfg(DatabaseType::SqlServer, s).server().unwrap();
        // The upgrade guide's example: `(local)` is this machine, default port.
        assert_eq!(
            sql("Server=(local);Uid=sa;Pwd=123456;Database=cms_4.1;"),
            ServerAddress {
                host: "localhost".into(),
                database: Some("cms_4.1".into()),
                user: Some("sa".into()),
                password: Some("123456".into()),
                ..ServerAddress::default()
            }
        );
        assert_eq!(
            sql("Data Source=db.example,1433;Initial Catalog=cms;User ID=cms_user;Password=p;"),
            ServerAddress {
                host: "db.example".into(),
                port: Some(1433),
                database: Some("cms".into()),
                user: Some("cms_user".into()),
                password: Some("p".into()),
                ..ServerAddress::default()
            }
        );
        // A named instance has no port: the driver asks SQL Server Browser for it.
        assert_eq!(
            sql(r"Server=.\SQLEXPRESS;Database=cms;Uid=sa;Pwd=x;Connect Timeout=5"),
            ServerAddress {
                host: "localhost".into(),
                instance: Some("SQLEXPRESS".into()),
                database: Some("cms".into()),
                user: Some("sa".into()),
                password: Some("x".into()),
                connect_timeout: Some(5),
                ..ServerAddress::default()
            }
        );
        let s = sql("Server=10.0.0.5;Database=cms;Integrated Security=SSPI;");
        assert!(s.integrated_security && s.user.is_none() && s.password.is_none());
        assert!(!sql("Server=h;Integrated Security=False;Uid=sa").integrated_security);
        let s = sql("Server=h;Database=d;Uid=u;Pwd=p;Encrypt=false;TrustServerCertificate=True");
        assert_eq!(
            (s.encrypt.as_deref(), s.trust_server_certificate),
            (Some("false"), Some(true))
        );
        assert_eq!(sql("Server=h;Connection Timeout=0").connect_timeout, None);
        let err = cfg(DatabaseType::SqlServer, "Server=h;Connect Timeout=soon")
            .server()
            .unwrap_err();
        assert!(err.to_string().contains("'soon'"), "{err}");
    }

    #[test]
    fn server_postgres_ado() {
        let s = cfg(DatabaseType::PostgreSql, "Host=pg;Port=5433;Username=u;Password=p;Database=d;Search Path=cms,public;SSL Mode=Require").server().unwrap();
        assert_eq!(
            (
                s.host.as_str(),
                s.port,
                s.schema.as_deref(),
                s.ssl_mode.as_deref()
            ),
            ("pg", Some(5433), Some("cms"), Some("Require"))
        );
        let s = cfg(
            DatabaseType::PostgreSql,
            "Server=pg:6000;User Id=u;Options=-c search_path=s2",
        )
        .server()
        .unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.schema.as_deref()),
            ("pg", Some(6000), Some("s2"))
        );
        let s = cfg(
            DatabaseType::PostgreSql,
            "Host=pg;Database=d;Timezone=Asia/Shanghai",
        )
        .server()
        .unwrap();
        assert_eq!(s.timezone.as_deref(), Some("Asia/Shanghai"));
        let s = cfg(
            DatabaseType::PostgreSql,
            "postgres://u@pg/d?timezone=Europe%2FBerlin",
        )
        .server()
        .unwrap();
        assert_eq!(s.timezone.as_deref(), Some("Europe/Berlin"));
    }

    #[test]
    fn server_urls() {
        let s = cfg(
            DatabaseType::MySql,
            "mariadb://root:p%40ss@db:3306/cms?ssl-mode=DISABLED",
        )
        .server()
        .unwrap();
        assert_eq!(s.host, "db");
        assert_eq!(s.port, Some(3306));
        assert_eq!(s.user.as_deref(), Some("root"));
        assert_eq!(s.password.as_deref(), Some("p@ss"));
        assert_eq!(s.database.as_deref(), Some("cms"));
        assert_eq!(s.ssl_mode.as_deref(), Some("DISABLED"));
        let s = cfg(
            DatabaseType::PostgreSql,
            "postgresql://u@[::1]:5432/d?options=-c%20search_path%3Dcms",
        )
        .server()
        .unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.schema.as_deref()),
            ("::1", Some(5432), Some("cms"))
        );
        let s = cfg(
            DatabaseType::PostgreSql,
            "postgres://u:p@h/d?currentSchema=x&sslmode=require",
        )
        .server()
        .unwrap();
        assert_eq!(
            (s.schema.as_deref(), s.ssl_mode.as_deref(), s.port),
            (Some("x"), Some("require"), None)
        );
        let s = cfg(
            DatabaseType::SqlServer,
            "mssql://sa:pw@srv%5CINST:1433/cms?encrypt=true&trustServerCertificate=true",
        )
        .server()
        .unwrap();
        assert_eq!(
            (s.host.as_str(), s.instance.as_deref(), s.port),
            ("srv", Some("INST"), Some(1433))
        );
        assert_eq!(
            (s.encrypt.as_deref(), s.trust_server_certificate),
            (Some("true"), Some(true))
        );
        let s = cfg(DatabaseType::SqlServer, "jdbc:sqlserver://srv:1433;databaseName=cms;user=sa;password=p;integratedSecurity=false").server().unwrap();
        assert_eq!(
            (
                s.database.as_deref(),
                s.user.as_deref(),
                s.password.as_deref()
            ),
            (Some("cms"), Some("sa"), Some("p"))
        );
        assert!(cfg(DatabaseType::MySql, "redis://h").server().is_err());
        assert!(cfg(DatabaseType::Sqlite, "x.db").server().is_err());
    }

    #[test]
    fn flags_win_and_files_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Web.config"), "<broken").unwrap();
        let c = resolve(
            &inputs(Some("mysql"), Some("Server=h;Uid=u"), None, dir.path()),
            &no_env,
        )
        .unwrap();
        assert_eq!(c.database_type, DatabaseType::MySql);
        assert_eq!(c.source, ConfigSource::Flag);
        assert_eq!(c.base_dir, dir.path());
    }

    #[test]
    fn env_used_when_flags_absent() {
        let env: HashMap<&str, &str> = HashMap::from([
            (ENV_DATABASE_TYPE, "PostgreSql"),
            (ENV_CONNECTION_STRING, "Host=h;Username=u"),
        ]);
        let env = |k: &str| env.get(k).map(|v| v.to_string());
        let dir = tempfile::tempdir().unwrap();
        let c = resolve(&inputs(None, None, None, dir.path()), &env).unwrap();
        assert_eq!(c.database_type, DatabaseType::PostgreSql);
        assert_eq!(c.source, ConfigSource::Env);
        assert_eq!(c.source.to_string(), ENV_CONNECTION_STRING);
        let c = resolve(
            &inputs(Some("SqlServer"), Some("Server=x"), None, dir.path()),
            &env,
        )
        .unwrap();
        assert_eq!(c.database_type, DatabaseType::SqlServer);
    }

    #[test]
    fn url_connection_string_sets_type() {
        let dir = tempfile::tempdir().unwrap();
        let c = resolve(
            &inputs(None, Some("postgres://u@h/d"), None, dir.path()),
            &no_env,
        )
        .unwrap();
        assert_eq!(c.database_type, DatabaseType::PostgreSql);
        let c = resolve(
            &inputs(None, Some("sqlite:x.db"), None, dir.path()),
            &no_env,
        )
        .unwrap();
        assert_eq!(c.sqlite_path().unwrap(), dir.path().join("x.db"));
        let err = resolve(
            &inputs(Some("MySql"), Some("postgres://u@h/d"), None, dir.path()),
            &no_env,
        )
        .unwrap_err();
        assert!(matches!(err, ConfigError::TypeMismatch { .. }), "{err}");
        let err = resolve(&inputs(None, Some("Server=h"), None, dir.path()), &no_env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no database type")
                && err.contains(FLAG_DATABASE_TYPE)
                && err.contains(ENV_DATABASE_TYPE)
                && err.contains("Web.config"),
            "{err}"
        );
    }

    #[test]
    fn nothing_anywhere_lists_what_was_looked_at() {
        let dir = tempfile::tempdir().unwrap();
        let err = resolve(&inputs(None, None, None, dir.path()), &no_env)
            .unwrap_err()
            .to_string();
        for s in [
            FLAG_CONNECTION_STRING,
            ENV_CONNECTION_STRING,
            "Web.config",
            "sscms.json",
        ] {
            assert!(err.contains(s), "{err}");
        }
        assert!(!err.contains('\n'));
    }

    #[test]
    fn web_config_in_cwd_and_protected_values() {
        // Encrypted values from protect.rs tests (computed with Python `cryptography`).
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Web.config"),
            r#"<?xml version="1.0"?><configuration><appSettings>
            <add key="IsProtectData" value="True" />
            <add key="SecretKey" value="eef9e4b0d48bf7a5" />
            <add key="DatabaseType" value="DXZRYLMDOKE0equals00secret0" />
            <add key="ConnectionString" value="nxn0slash0Flqd70add0JcgPZDVx0add0Y0add0VUJ3OU3rNF47O8tfi0IJSyNycuJ2XE3eiVtrEordYdw10bxhqdIThk0equals00secret0" />
            </appSettings></configuration>"#,
        )
        .unwrap();
        let c = resolve(&inputs(None, None, None, dir.path()), &no_env).unwrap();
        assert_eq!(c.database_type, DatabaseType::MySql);
        assert_eq!(
            c.connection_string,
            "Server=127.0.0.1;Uid=root;Pwd=pass;Database=cms;"
        );
        assert_eq!(c.source, ConfigSource::File(dir.path().join("Web.config")));
        assert_eq!(c.masked(), "Server=127.0.0.1;Uid=root;Pwd=***;Database=cms");
        // A flag overrides just the connection string; the type still comes from the file.
        let c = resolve(
            &inputs(None, Some("Server=other"), None, dir.path()),
            &no_env,
        )
        .unwrap();
        assert_eq!(
            (c.database_type, c.source),
            (DatabaseType::MySql, ConfigSource::Flag)
        );
    }

    #[test]
    fn iis_web_config_is_skipped_for_sscms_json() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("web.config"),
            "<configuration><system.webServer/></configuration>",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("sscms.json"),
            r#"{"Database": {"Type": "SQLite", "ConnectionString": "Data Source=~/database.sqlite;Version=3;"}}"#,
        )
        .unwrap();
        let c = resolve(&inputs(None, None, None, dir.path()), &no_env).unwrap();
        assert_eq!(c.database_type, DatabaseType::Sqlite);
        assert_eq!(c.sqlite_path().unwrap(), dir.path().join("database.sqlite"));
    }

    #[test]
    fn explicit_config_file_relative_to_cwd_sets_base_dir() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("site")).unwrap();
        std::fs::write(
            dir.path().join("site/prod.conf"),
            r#"{"database": {"type": "sqlite", "connectionString": "Data Source=~/db.sqlite"}}"#,
        )
        .unwrap();
        // A cwd Web.config must not be consulted when -c is given.
        std::fs::write(dir.path().join("Web.config"), "<broken").unwrap();
        let c = resolve(
            &inputs(None, None, Some(Path::new("site/prod.conf")), dir.path()),
            &no_env,
        )
        .unwrap();
        assert_eq!(c.base_dir, dir.path().join("site"));
        assert_eq!(c.sqlite_path().unwrap(), dir.path().join("site/db.sqlite"));
        let err = resolve(
            &inputs(None, None, Some(Path::new("nope.config")), dir.path()),
            &no_env,
        )
        .unwrap_err();
        assert!(matches!(err, ConfigError::FileNotFound { .. }), "{err}");
        let c = resolve(
            &inputs(None, None, Some(Path::new("site")), dir.path()),
            &no_env,
        );
        assert!(c.is_err(), "folder without config files");
    }

    #[test]
    fn file_without_type_is_an_error_mentioning_the_original_default() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Web.config"),
            r#"<configuration><appSettings><add key="ConnectionString" value="Server=h;Pwd=secret"/></appSettings></configuration>"#,
        )
        .unwrap();
        let err = resolve(&inputs(None, None, None, dir.path()), &no_env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("assumed SqlServer") && !err.contains("secret"),
            "{err}"
        );
        let c = resolve(&inputs(Some("SqlServer"), None, None, dir.path()), &no_env).unwrap();
        assert_eq!(c.connection_string, "Server=h;Pwd=secret");
    }

    #[test]
    fn bad_type_in_file_names_file_and_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Web.config"),
            r#"<configuration><appSettings><add key="DatabaseType" value="Oracle"/><add key="ConnectionString" value="x=y"/></appSettings></configuration>"#,
        )
        .unwrap();
        let err = resolve(&inputs(None, None, None, dir.path()), &no_env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Web.config: DatabaseType: Oracle is not supported"),
            "{err}"
        );
        let err = resolve(&inputs(Some("Foo"), Some("x=y"), None, dir.path()), &no_env)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("--database-type: unknown database type 'Foo'"),
            "{err}"
        );
    }
}
