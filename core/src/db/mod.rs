//! Databases: the `DatabaseDriver` trait, `connect`, and each database's driver and SQL dialect.

mod connect;
mod dialect;
mod driver;
#[cfg(feature = "mssql")]
mod mssql;
#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(any(feature = "mysql", feature = "postgres", feature = "mssql"))]
mod server;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use connect::{connect, supported};
pub use dialect::{CmsSchema, ColumnFit, DEFAULT_VARCHAR_LENGTH, Dialect, Index};
pub use driver::{Access, DatabaseDriver, MAX_BATCH_BYTES};
