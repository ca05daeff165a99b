//! SQLite: its dialect, compiled in every build, and its driver, behind the `sqlite` feature.

pub(crate) mod dialect;
#[cfg(feature = "sqlite")]
mod driver;

#[cfg(feature = "sqlite")]
pub(crate) use driver::SqliteDriver;
