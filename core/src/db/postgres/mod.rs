pub(crate) mod dialect;
#[cfg(feature = "postgres")]
mod driver;

#[cfg(feature = "postgres")]
pub(crate) use driver::PgDriver;
