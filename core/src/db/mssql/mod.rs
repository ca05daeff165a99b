//! SQL Server through tiberius: TDS 7.3 (SQL Server 2008 and later), TLS by rustls.
//!
//! No SQL Server can run where this is built, so everything that does not need a live server is
//! pure functions tested against the exact SQL text: the catalog queries and their mapping to
//! the six types, the SELECT expressions that bring every type back as one tiberius can decode
//! exactly, the bulk load's statements and the bytes of every value type (against a fake
//! server that speaks enough TDS to take a load), the INSERT batches under `SET
//! IDENTITY_INSERT`, the identity reseed, the snapshot, the login and TLS choices.
//!
//! The dialect is compiled in every build; the rest is behind the `mssql` feature.

#[cfg(feature = "mssql")]
mod bulk;
#[cfg(feature = "mssql")]
mod bulk_column;
#[cfg(feature = "mssql")]
mod catalog;
#[cfg(feature = "mssql")]
mod connect;
pub(crate) mod dialect;
#[cfg(feature = "mssql")]
mod driver;
#[cfg(all(test, feature = "mssql"))]
mod fake_server;
#[cfg(feature = "mssql")]
mod read;
#[cfg(feature = "mssql")]
mod write;

#[cfg(feature = "mssql")]
pub(crate) use connect::MsSqlDriver;
