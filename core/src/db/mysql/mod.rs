mod driver;

pub(crate) use driver::MySqlDriver;
