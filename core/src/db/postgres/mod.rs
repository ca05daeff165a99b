mod driver;

pub(crate) use driver::PgDriver;
