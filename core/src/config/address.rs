//! Where a database lives: the SQLite file, or a server's host, credentials and
//! options, from the ADO.NET form or a URL.

use std::path::PathBuf;

use super::connstr::{ConnectionString, PASSWORD_KEYS};
use super::types::{ConfigError, DatabaseConfig, DatabaseType, ServerAddress, invalid};
use super::url::{percent_decode, split_url, strip_prefix_ci};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::types::tests::cfg;

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
}
