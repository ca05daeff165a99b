//! The error type of `sscms-core`: every variant names the file, table, row or setting at fault.

use std::path::{Path, PathBuf};

use crate::config::ConfigError;

/// A failure of a backup, update or restore step.
///
/// Messages are one line and carry their own context, so callers print them as they are.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    /// A file of a backup folder is missing, malformed or inconsistent.
    #[error("{}: {message}", path.display())]
    Format { path: PathBuf, message: String },
    /// A table-level problem that is not tied to one file.
    #[error("table `{table}`: {message}")]
    Table { table: String, message: String },
    /// The database configuration is missing or invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database refused or failed a statement.
    #[error("{context}: {message}")]
    Database { context: String, message: String },
    /// The request itself cannot be carried out, e.g. a folder that is not empty.
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: &Path, err: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            message: err.to_string(),
        }
    }

    pub(crate) fn format(path: &Path, message: impl Into<String>) -> Self {
        Error::Format {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    pub(crate) fn table(table: &str, message: impl Into<String>) -> Self {
        Error::Table {
            table: table.to_string(),
            message: message.into(),
        }
    }

    // Used by the drivers, each behind its own feature.
    #[cfg_attr(
        not(any(
            feature = "sqlite",
            feature = "mysql",
            feature = "postgres",
            feature = "mssql"
        )),
        allow(dead_code)
    )]
    pub(crate) fn db(context: impl Into<String>, err: impl std::fmt::Display) -> Self {
        Error::Database {
            context: context.into(),
            message: err.to_string(),
        }
    }
}
