//! MySQL and MariaDB: its dialect, compiled in every build, and its driver, behind the `mysql` feature.

pub(crate) mod dialect;
#[cfg(feature = "mysql")]
mod driver;

#[cfg(feature = "mysql")]
pub(crate) use driver::MySqlDriver;
