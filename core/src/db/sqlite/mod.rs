pub(crate) mod dialect;
#[cfg(feature = "sqlite")]
mod driver;

#[cfg(feature = "sqlite")]
pub(crate) use driver::SqliteDriver;
