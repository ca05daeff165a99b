mod driver;

pub(crate) use driver::MsSqlDriver;
