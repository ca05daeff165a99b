//! The backup folder, readable and writable by the original SiteServer 6.x and SSCMS 7.x tools.
//!
//! # Format
//!
//! ```text
//! <dir>/
//!   _tables.json          JSON array of table names, in processing order
//!   _incomplete.json      ours only, while the folder is being written: the tables finished so
//!                         far; readers refuse a folder that has it
//!   _manifest.json        ours only (the originals ignore it): tool, versions, row counts, and
//!                         the sha256 of every other file (`_tables.json`, each `_metadata.json`
//!                         and row file, `_report.json`)
//!   <table>/
//!     _metadata.json      {"columns": [...], "totalCount": N, "rowFiles": [...], "rows": [...]}
//!     1.json, 2.json, …   row pages: JSON arrays of row objects
//! ```
//!
//! `_metadata.json` carries the row-file list twice: `rowFiles` is what 6.x reads and `rows` what
//! 7.2+ reads; the reader accepts either. Each column object has `attributeName`, `dataType` (one of
//! `Boolean`, `DateTime`, `Decimal`, `Integer`, `Text`, `VarChar`), `dataLength`, `isPrimaryKey`,
//! `isIdentity` and, for 6.x, `isExtend` (always `false`).
//!
//! Row keys are the column names camel-cased as Newtonsoft does (`PublishmentSystemID` ->
//! `publishmentSystemID`, `ID` -> `id`); readers match them case-insensitively. Values: dates as
//! `yyyy-MM-dd HH:mm:ss` strings, decimals as numbers with a decimal point, booleans as `true` /
//! `false`, null as `null`. Files are UTF-8 without BOM; a BOM, indented JSON and the `row_num`
//! key of old SQL Server backups are accepted on read.
//!
//! A complete example:
//!
//! ```text
//! _tables.json               ["siteserver_Site"]
//! siteserver_Site/_metadata.json
//!   {"columns":[{"attributeName":"Id","dataType":"Integer","dataLength":0,"isPrimaryKey":true,
//!     "isIdentity":true,"isExtend":false},{"attributeName":"SiteName","dataType":"VarChar",
//!     "dataLength":50,"isPrimaryKey":false,"isIdentity":false,"isExtend":false}],
//!    "totalCount":1,"rowFiles":["1.json"],"rows":["1.json"]}
//! siteserver_Site/1.json     [{"id":1,"siteName":"主站"}]
//! ```

mod json_rows;
mod layout;
mod metadata;
mod pages;
mod reader;
mod rows;
mod writer;

pub use json_rows::JsonRows;
pub use metadata::{Journal, Manifest, ManifestFile, ManifestTable, TableData};
pub(crate) use metadata::{metadata_json, parse_metadata};
pub use reader::{BackupReader, RowKeys};
pub use writer::{BackupWriter, TableWriter, record_file};

pub use layout::{INCOMPLETE_FILE, MANIFEST_FILE, METADATA_FILE, TABLES_FILE, check_name};
