//! PostgreSQL: its dialect, compiled in every build, and its driver, behind the `postgres` feature.

pub(crate) mod binary;
pub(crate) mod dialect;
#[cfg(feature = "postgres")]
mod driver;

#[cfg(feature = "postgres")]
pub(crate) use driver::PgDriver;
