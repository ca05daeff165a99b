mod driver;

pub(crate) use driver::SqliteDriver;
