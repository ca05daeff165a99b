//! The core of `siteserver`, the SiteServer CMS upgrade tool.
//!
//! # Brief overview
//!
//! - [`backup`] is the backup-folder format shared with the original SiteServer 6.x and
//!   SSCMS 7.x tools: [`BackupReader`] and [`BackupWriter`].
//! - [`DatabaseDriver`] is one open database; [`connect`] picks the driver for a
//!   [`DatabaseConfig`]. Drivers sit behind the cargo features `sqlite`, `mysql`, `postgres` and
//!   `mssql`.
//! - [`ops`] holds the loops: [`ops::backup`] and [`ops::restore`].

pub mod adapter;
pub mod backup;
pub mod config;
pub mod db;
pub mod detect;
mod error;
mod fault;
pub mod model;
pub mod naming;
pub mod ops;
pub mod progress;
pub mod settings;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod update;
pub mod value;
pub mod version;

pub use adapter::{AdapterRegistration, Registry, Target, UpgradePath, VersionAdapter};
pub use backup::{BackupReader, BackupWriter};
pub use config::{DatabaseConfig, DatabaseType};
pub use db::{Access, DatabaseDriver, Dialect, Select, connect};
pub use error::{Error, Result};
pub use model::{Column, DataType, Row, TableMeta};
pub use progress::{NoProgress, Progress};
