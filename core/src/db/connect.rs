//! `connect`: the driver for a database type, as far as this build's cargo features have one.

use crate::config::DatabaseConfig;
#[cfg(any(
    feature = "sqlite",
    feature = "mysql",
    feature = "postgres",
    feature = "mssql"
))]
use crate::config::DatabaseType;
use crate::db::driver::{Access, DatabaseDriver};
#[cfg(feature = "mssql")]
use crate::db::mssql::MsSqlDriver;
#[cfg(feature = "mysql")]
use crate::db::mysql::MySqlDriver;
#[cfg(feature = "postgres")]
use crate::db::postgres::PgDriver;
#[cfg(feature = "sqlite")]
use crate::db::sqlite::SqliteDriver;
use crate::error::{Error, Result};

/// Opens a connection for a configured database.
pub async fn connect(config: &DatabaseConfig, access: Access) -> Result<Box<dyn DatabaseDriver>> {
    match config.database_type {
        #[cfg(feature = "sqlite")]
        DatabaseType::Sqlite => Ok(Box::new(SqliteDriver::connect(config, access).await?)),
        #[cfg(feature = "mysql")]
        DatabaseType::MySql => Ok(Box::new(MySqlDriver::connect(config, access).await?)),
        #[cfg(feature = "postgres")]
        DatabaseType::PostgreSql => Ok(Box::new(PgDriver::connect(config, access).await?)),
        #[cfg(feature = "mssql")]
        DatabaseType::SqlServer => Ok(Box::new(MsSqlDriver::connect(config, access).await?)),
        // Reached only in builds that leave a driver out.
        #[allow(unreachable_patterns)]
        other => {
            let _ = access;
            Err(Error::Invalid(format!(
                "database type {other} is not supported by this build (supported: {})",
                supported().join(", ")
            )))
        }
    }
}

/// Database types this build can connect to.
pub fn supported() -> Vec<&'static str> {
    let mut out = Vec::new();
    if cfg!(feature = "sqlite") {
        out.push("SQLite");
    }
    if cfg!(feature = "mysql") {
        out.push("MySql");
    }
    if cfg!(feature = "postgres") {
        out.push("PostgreSql");
    }
    if cfg!(feature = "mssql") {
        out.push("SqlServer");
    }
    out
}
