//! Databases: the `DatabaseDriver` trait, `connect`, and each database's driver and SQL dialect.

mod connect;
mod dialect;
mod driver;
mod mssql;
mod mysql;
mod postgres;
mod schema;
#[cfg(any(feature = "mysql", feature = "postgres", feature = "mssql"))]
mod server;
mod sqlite;

pub use connect::{connect, supported};
pub use dialect::Dialect;
pub use driver::{Access, DatabaseDriver, MAX_BATCH_BYTES};
pub use schema::{CmsSchema, ColumnFit, DEFAULT_VARCHAR_LENGTH, Index};
