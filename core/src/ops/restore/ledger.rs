//! The restore ledger: a small table in the target that records, per table, the rows committed
//! so far, in the same transaction as those rows. A run that stops for any reason (killed,
//! the server gone, a full disk) leaves it behind, and `restore --resume` continues from it;
//! a run that finishes drops it.

use futures::StreamExt;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::backup::TableData;
use crate::db::{ColumnFit, DatabaseDriver, Dialect, Select};
use crate::error::{Error, Result};
use crate::model::{Column, DataType, TableMeta};
use crate::value::SqlValue;

/// The ledger's name: no SiteServer table starts with `_`.
pub const LEDGER_TABLE: &str = "_siteserver_restore";

/// Where a table stands, as the ledger records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    pub(super) table: String,
    pub(super) rows: u64,
    /// Rows, identity reset and all: nothing left to do.
    pub(super) done: bool,
}

fn meta() -> TableMeta {
    let mut table = Column::new("TableName", DataType::VarChar).length(255);
    table.is_primary_key = true;
    TableMeta {
        name: LEDGER_TABLE.into(),
        columns: vec![
            table,
            Column::new("Folder", DataType::VarChar).length(64),
            Column::new("Rows", DataType::Integer),
            Column::new("Done", DataType::Integer),
        ],
    }
}

fn fits() -> Vec<ColumnFit> {
    let wide = ColumnFit {
        wide_int: true,
        ..ColumnFit::default()
    };
    vec![
        ColumnFit::default(),
        ColumnFit::default(),
        wide,
        ColumnFit::default(),
    ]
}

/// The folder's identity: a digest of its table list and every table's metadata, so a ledger
/// is only ever continued with the folder that wrote it.
pub(super) fn folder_id(tables: &[TableData]) -> String {
    let mut h = Sha256::new();
    for t in tables {
        h.update(t.meta.name.as_bytes());
        h.update([0]);
        h.update(t.total_count.to_le_bytes());
        for c in &t.meta.columns {
            h.update(c.attribute_name.as_bytes());
            h.update([
                c.data_type as u8,
                u8::from(c.is_primary_key),
                u8::from(c.is_identity),
            ]);
            h.update(c.data_length.to_le_bytes());
        }
    }
    format!("{:x}", h.finalize())
}

pub(super) async fn create(driver: &mut dyn DatabaseDriver) -> Result<()> {
    driver.create_table(&meta(), &fits()).await
}

pub(super) async fn drop(driver: &mut dyn DatabaseDriver) -> Result<()> {
    driver.drop_table(LEDGER_TABLE).await
}

/// The ledger's entries, after checking that they are this folder's.
pub(super) async fn read(driver: &mut dyn DatabaseDriver, folder: &str) -> Result<Vec<Entry>> {
    let meta = meta();
    let mut out = Vec::new();
    let mut rows = driver.stream_rows(&meta, Select::all());
    while let Some(row) = rows.next().await {
        let row = row?;
        let text = |v: &Value| {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string())
        };
        if text(&row[1]) != folder {
            return Err(Error::Invalid(format!(
                "the unfinished restore in this database is of another folder (ledger \
                 `{LEDGER_TABLE}`, table `{}`); resume it with that folder, or start over with \
                 --drop-existing",
                text(&row[0])
            )));
        }
        out.push(Entry {
            table: text(&row[0]),
            rows: row[2].as_u64().unwrap_or(0),
            done: row[3].as_i64() == Some(1),
        });
    }
    Ok(out)
}

/// Records every table of the run before the first CREATE TABLE, so that during the load the
/// jobs only update their own rows: no inserts that could deadlock with another job's chunk.
pub(super) async fn start(
    driver: &mut dyn DatabaseDriver,
    folder: &str,
    tables: &[TableData],
) -> Result<()> {
    let rows: Vec<Vec<SqlValue>> = tables
        .iter()
        .map(|t| {
            vec![
                SqlValue::Text(t.meta.name.clone()),
                SqlValue::Text(folder.into()),
                SqlValue::Int(0),
                SqlValue::Int(0),
            ]
        })
        .collect();
    // 200 rows keep SQL Server under its 2,100 parameters.
    for chunk in rows.chunks(200) {
        driver.insert_rows(&meta(), chunk).await?;
    }
    Ok(())
}

/// Sets a table's committed rows (inside the transaction of those rows) or marks it done.
pub(super) async fn set(
    driver: &mut dyn DatabaseDriver,
    table: &str,
    rows: u64,
    done: bool,
) -> Result<()> {
    let sql = update_sql(driver.dialect(), table, rows, done);
    driver.execute(&sql).await
}

fn update_sql(dialect: Dialect, table: &str, rows: u64, done: bool) -> String {
    let q = |s: &str| dialect.quote(s);
    format!(
        "UPDATE {} SET {} = {rows}, {} = {} WHERE {} = '{}'",
        q(LEDGER_TABLE),
        q("Rows"),
        q("Done"),
        u8::from(done),
        q("TableName"),
        table.replace('\'', "''")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_quote_for_each_dialect() {
        assert_eq!(
            update_sql(Dialect::MySql, "siteserver_Site", 500, false),
            "UPDATE `_siteserver_restore` SET `Rows` = 500, `Done` = 0 WHERE `TableName` = 'siteserver_Site'"
        );
        assert_eq!(
            update_sql(Dialect::Postgres, "a", 7, true),
            "UPDATE \"_siteserver_restore\" SET \"Rows\" = 7, \"Done\" = 1 WHERE \"TableName\" = 'a'"
        );
    }
}
