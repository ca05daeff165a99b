//! Databases: one folder per database, and what they share.
//!
//! - `driver.rs`: the [`DatabaseDriver`] trait, [`Access`] and the batch size limit;
//! - `connect.rs`: [`connect`](fn@connect) picks the driver for a database type;
//! - `dialect.rs`: the [`Dialect`] enum and the statements it assembles;
//! - `schema.rs`: [`CmsSchema`], [`Index`] and [`ColumnFit`], which the dialects share;
//! - `server.rs`: what the MySQL, PostgreSQL and SQL Server drivers share;
//! - `sqlite/`, `mysql/`, `postgres/`, `mssql/`: each database's `dialect.rs`, compiled in every
//!   build, and its driver, behind the cargo feature of the same name.
//!
//! Imports point one way: a database's files use the shared ones, and only `dialect.rs` and
//! `connect.rs` use a database's files.

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
pub use schema::{CmsSchema, ColumnFit, DEFAULT_VARCHAR_LENGTH, Index, Select};
