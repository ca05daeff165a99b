pub(crate) mod dialect;
#[cfg(feature = "mssql")]
mod driver;

#[cfg(feature = "mssql")]
pub(crate) use driver::MsSqlDriver;
