//! What an adapter sees of its input folder, and the plan it returns for one hop.

use semver::Version;
use serde::Serialize;

use crate::backup::{BackupReader, RowKeys, TableData};
use crate::error::{Error, Result};
use crate::model::{Column, Row};

/// Switches of `siteserver update` that adapters may honour.
#[derive(Debug, Clone, Default)]
pub struct HopOptions {
    /// Put content rows into one `siteserver_Content_{siteId}` table per site.
    pub split_contents: bool,
}

/// One backup folder as an adapter reads it: table metadata up front, rows on demand.
pub struct HopInput<'a> {
    pub(crate) rows: &'a dyn RowSource,
    pub(crate) tables: Vec<TableData>,
    pub(crate) version: Version,
    pub(crate) options: HopOptions,
}

impl HopInput<'_> {
    /// The version of the data in this folder.
    pub fn version(&self) -> &Version {
        &self.version
    }

    pub fn options(&self) -> &HopOptions {
        &self.options
    }

    /// Every table of the folder, in `_tables.json` order.
    pub fn tables(&self) -> &[TableData] {
        &self.tables
    }

    /// A table by name, case-insensitively.
    pub fn table(&self, name: &str) -> Option<&TableData> {
        self.tables
            .iter()
            .find(|t| t.meta.name.eq_ignore_ascii_case(name))
    }

    /// Streams a table's rows, keyed by the metadata's column names, for context an adapter
    /// needs before the rows of other tables stream (such as which site owns which table).
    pub fn for_each_row(&self, table: &str, f: impl FnMut(Row) -> Result<()>) -> Result<u64> {
        let data = self
            .table(table)
            .ok_or_else(|| Error::table(table, "not in the backup folder"))?;
        let mut f = f;
        self.rows.for_each_row(data, &mut f)
    }
}

/// Where a hop's plan reads rows from: the input folder, or rows still on their way through
/// the previous hop (the update engine's).
pub(crate) trait RowSource {
    fn for_each_row(&self, data: &TableData, f: &mut dyn FnMut(Row) -> Result<()>) -> Result<u64>;
}

/// Streams a table's rows as maps keyed by the metadata's column names.
pub(crate) fn read_named_rows(
    reader: &BackupReader,
    data: &TableData,
    mut f: impl FnMut(Row) -> Result<()>,
) -> Result<u64> {
    let keys = RowKeys::new(&data.meta);
    let mut total = 0;
    for file in &data.row_files {
        total += reader.read_aligned_rows(&data.meta.name, file, &keys, |_, values| {
            let mut named = Row::with_capacity(values.len());
            for (c, v) in data.meta.columns.iter().zip(values) {
                named.insert(c.attribute_name.clone(), v);
            }
            f(named)
        })?;
    }
    Ok(total)
}

/// What a row transform decided.
pub enum RowOutcome {
    /// Write this row.
    Keep(Row),
    /// The row belongs to another output table of the same hop (content split by site).
    Elsewhere,
    /// The row cannot be carried; the reason goes into the report.
    Drop(String),
}

/// Rewrites one row of a source table into the output table's shape. Keys not among the
/// output's columns go into its settings column, or are listed in the report.
pub type RowFn = Box<dyn FnMut(Row) -> std::result::Result<RowOutcome, String> + Send>;

/// One input table feeding an output table.
pub struct Source {
    pub table: String,
    pub transform: Option<RowFn>,
}

impl Source {
    /// Rows pass unchanged.
    pub fn plain(table: impl Into<String>) -> Self {
        Source {
            table: table.into(),
            transform: None,
        }
    }

    pub fn with(
        table: impl Into<String>,
        f: impl FnMut(Row) -> std::result::Result<RowOutcome, String> + Send + 'static,
    ) -> Self {
        Source {
            table: table.into(),
            transform: Some(Box::new(f)),
        }
    }
}

/// How an output table came about, as `_report.json` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TableStatus {
    Converted,
    Merged,
    Carried,
    CreatedEmpty,
}

/// One table of the hop's output.
pub struct OutputTable {
    pub name: String,
    pub columns: Vec<Column>,
    pub sources: Vec<Source>,
    pub status: TableStatus,
    /// A column holding a `key=value&…` settings string that takes values whose key matches no
    /// output column, so nothing is dropped.
    pub settings_column: Option<String>,
}

impl OutputTable {
    pub fn new(name: impl Into<String>, columns: Vec<Column>, status: TableStatus) -> Self {
        OutputTable {
            name: name.into(),
            columns,
            sources: Vec::new(),
            status,
            settings_column: None,
        }
    }

    pub fn source(mut self, s: Source) -> Self {
        self.sources.push(s);
        self
    }

    pub fn settings(mut self, column: impl Into<String>) -> Self {
        self.settings_column = Some(column.into());
        self
    }
}

/// Old ids renumbered when tables were merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdMap {
    /// The merged table.
    pub table: String,
    /// The table the renumbered rows came from.
    pub source: String,
    pub column: String,
    /// `[old, new]` pairs.
    pub ids: Vec<(i64, i64)>,
}

/// An adapter's plan for one hop.
#[derive(Default)]
pub struct HopPlan {
    pub tables: Vec<OutputTable>,
    pub id_maps: Vec<IdMap>,
    /// Lines for the report, such as values the hop could not place.
    pub notes: Vec<String>,
}
