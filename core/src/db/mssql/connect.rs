//! The connection: TCP (through SQL Server Browser for a named instance), TLS, the login, and
//! the session every statement runs in; and the plumbing that runs a batch on it.

use std::time::Duration;

use tiberius::{AuthMethod, Client, ColumnData, EncryptionLevel, FromSql, SqlBrowser};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

use super::bulk_column::BulkColumn;
use crate::config::{DatabaseConfig, ServerAddress};
use crate::db::dialect::Dialect;
use crate::db::driver::{Access, DatabaseDriver};
use crate::db::server::Endpoint;
use crate::error::{Error, Result};

const DEFAULT_PORT: u16 = 1433;
/// SqlClient's default `Connect Timeout`.
const DEFAULT_CONNECT_TIMEOUT: u64 = 15;
/// SQL Server 2008 is version 10; older servers do not speak TDS 7.3.
const MIN_MAJOR_VERSION: u32 = 10;

/// Server errors the driver explains.
const CANNOT_OPEN_DATABASE: u32 = 4060;

pub(super) type Conn = Client<Compat<TcpStream>>;

/// One open connection. Its `DatabaseDriver` impl is in `driver.rs`; `catalog.rs` adds the
/// column reads.
pub(crate) struct MsSqlDriver {
    pub(super) client: Conn,
    pub(super) endpoint: Endpoint,
    /// The bulk columns of the table being loaded, read once per table rather than per
    /// batch; `None` inside means that table loads through INSERTs.
    pub(super) bulk: Option<(String, Option<Vec<BulkColumn>>)>,
}

/// Session options for every connection: a failing statement aborts and rolls back its
/// transaction (XACT_ABORT), and a value that does not fit is an error, never a silent
/// truncation (ANSI_WARNINGS, ARITHABORT).
pub(super) const SESSION_SQL: &str = "SET NOCOUNT ON; SET XACT_ABORT ON; SET ANSI_WARNINGS ON; \
SET ARITHABORT ON; SET ANSI_NULLS ON; SET QUOTED_IDENTIFIER ON; SET ANSI_PADDING ON; \
SET CONCAT_NULL_YIELDS_NULL ON";

const VERSION_SQL: &str = "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128))";

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
        let mut driver = MsSqlDriver {
            client,
            endpoint,
            bulk: None,
        };
        let version = driver.scalar_text(VERSION_SQL).await?;
        check_version(&version)?;
        driver.execute(SESSION_SQL).await?;
        Ok(driver)
    }

    pub(super) fn context(&self, what: &str) -> String {
        self.endpoint.context(what)
    }

    /// Runs a batch that returns no rows we need, draining every result so a later statement's
    /// error is not lost.
    pub(super) async fn batch(&mut self, sql: &str) -> tiberius::Result<()> {
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

    pub(super) async fn scalar_int(&mut self, sql: &str) -> Result<Option<i64>> {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ConfigSource, DatabaseType};

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
