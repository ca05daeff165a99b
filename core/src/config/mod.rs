//! Where the database comes from: flags, environment, Web.config or sscms.json.
//!
//! - `types`: the database type, errors, sources and the resolved [`DatabaseConfig`].
//! - `connstr`, `url`: ADO.NET `key=value;` strings and URL-form strings.
//! - `address`: the SQLite file or server address a config names.
//! - `mask`: connection strings for display, without passwords.
//! - [`files`], [`protect`], `discover`: reading, decrypting and finding config files.
//! - `resolve`: flags > environment > file.
//! - [`write`]: the new site's `sscms.json` / `Web.config`, which `files` reads back.

mod address;
mod connstr;
mod discover;
pub mod files;
mod mask;
pub mod protect;
mod resolve;
mod types;
mod url;
pub mod write;

pub use connstr::ConnectionString;
pub use discover::DEFAULT_CONFIG_FILES;
pub use resolve::resolve;
pub use types::{
    ConfigError, ConfigInputs, ConfigSource, DatabaseConfig, DatabaseType, ENV_CONNECTION_STRING,
    ENV_DATABASE_TYPE, FLAG_CONNECTION_STRING, FLAG_DATABASE_TYPE, ServerAddress,
};
