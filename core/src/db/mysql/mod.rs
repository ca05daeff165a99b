pub(crate) mod dialect;
#[cfg(feature = "mysql")]
mod driver;

#[cfg(feature = "mysql")]
pub(crate) use driver::MySqlDriver;
