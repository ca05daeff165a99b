//! The `DatabaseDriver` trait: what every database's driver does.
//!
//! Drivers only know their dialect's catalog, value types and statements; the backup and
//! restore loops live once in [`crate::ops`].

use async_trait::async_trait;
use futures::TryStreamExt;
use futures::stream::BoxStream;
use serde_json::Value;

use crate::backup::JsonRows;
use crate::config::DatabaseType;
use crate::db::dialect::Dialect;
use crate::db::schema::Select;
use crate::db::schema::{CmsSchema, ColumnFit};
use crate::error::{Error, Result};
use crate::model::{Column, TableMeta};
use crate::value::SqlValue;

/// Bytes of values one INSERT carries at most, unless one row alone is larger: keeps statements
/// well under SQLite's statement limit and MySQL's default packet size.
pub const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;

/// Whether a connection may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// For `backup`: the driver opens the database read-only where the database allows it.
    ReadOnly,
    /// For `restore`: SQLite creates the file if it does not exist; a MySQL or PostgreSQL
    /// database must exist already.
    ReadWrite,
}

/// One open connection to a database of one type.
#[async_trait]
pub trait DatabaseDriver: Send {
    fn database_type(&self) -> DatabaseType;

    fn dialect(&self) -> Dialect;

    /// User tables, without views or the database's own tables.
    async fn list_tables(&mut self) -> Result<Vec<String>>;

    /// A table's columns, mapped to the six data types.
    async fn columns(&mut self, table: &str) -> Result<Vec<Column>>;

    async fn count_rows(&mut self, table: &str) -> Result<u64>;

    /// The database's own estimate of a table's rows, from its statistics, without reading
    /// the table; none where it keeps none. Only a split of a large table across backup jobs
    /// is planned on it, never a count that is checked.
    async fn estimate_rows(&mut self, _table: &str) -> Result<Option<u64>> {
        Ok(None)
    }

    /// Starts a read-only, consistent view of the whole database for a backup.
    async fn begin_snapshot(&mut self) -> Result<()>;

    async fn end_snapshot(&mut self) -> Result<()>;

    /// Starts a snapshot that other connections can join with
    /// [`DatabaseDriver::join_snapshot`], for a backup with several jobs; returns what they
    /// join, or `None` when this database cannot share one (the backup then runs one job).
    async fn begin_shared_snapshot(&mut self) -> Result<Option<String>> {
        Ok(None)
    }

    /// Joins the snapshot `token` from [`DatabaseDriver::begin_shared_snapshot`] names.
    async fn join_snapshot(&mut self, _token: &str) -> Result<()> {
        Err(crate::error::Error::Invalid(
            "this database cannot share a snapshot between connections".into(),
        ))
    }

    /// Ends the brief write lock that [`DatabaseDriver::begin_shared_snapshot`] may hold while
    /// the other connections join (MySQL); a no-op elsewhere.
    async fn release_shared_snapshot(&mut self) -> Result<()> {
        Ok(())
    }

    /// The rows `select` picks, in key order, as JSON values in column order.
    fn stream_rows<'a>(
        &'a mut self,
        table: &'a TableMeta,
        select: Select,
    ) -> BoxStream<'a, Result<Vec<Value>>>;

    /// Reads the rows [`DatabaseDriver::stream_rows`] gives and hands them to `sink` in
    /// batches already written as the folder's JSON values, for a backup. The default encodes
    /// `stream_rows`' values; the server drivers write them from the wire instead, which saves
    /// a `Value` per column. One batch's memory serves every batch: a fresh one each time cost
    /// page faults and TLB flushes as the allocator handed it back to the OS.
    async fn read_json(
        &mut self,
        table: &TableMeta,
        select: Select,
        sink: &mut (dyn for<'b> FnMut(&'b JsonRows) -> Result<()> + Send),
    ) -> Result<()> {
        let columns = table.columns.len();
        let mut rows = self.stream_rows(table, select);
        let mut batch = JsonRows::new(table);
        while let Some(values) = rows.try_next().await? {
            if values.len() != columns {
                return Err(Error::table(
                    &table.name,
                    format!("a row of {} values for {columns} columns", values.len()),
                ));
            }
            for v in &values {
                batch.push_value(v);
            }
            batch.end_row();
            if !batch.needs_more() {
                sink(&batch)?;
                batch.clear();
            }
        }
        if !batch.is_empty() {
            sink(&batch)?;
        }
        Ok(())
    }

    /// Runs one statement that returns no rows.
    async fn execute(&mut self, sql: &str) -> Result<()>;

    /// Inserts rows (values in column order) with one statement, keeping explicit identity values.
    /// The caller sizes the batch with [`Dialect::batch_rows`].
    async fn insert_rows(&mut self, table: &TableMeta, rows: &[Vec<SqlValue>]) -> Result<()>;

    /// Inserts rows that [`Dialect::bulk_row`] wrote for this driver's dialect, joined by
    /// [`Dialect::bulk_separator`], in one load. Only dialects with
    /// [`Dialect::has_bulk_text`] implement it.
    async fn insert_bulk_text(&mut self, table: &TableMeta, rows: &[u8]) -> Result<()> {
        let _ = rows;
        Err(Error::Invalid(format!(
            "table `{}`: {} loads values, not bulk text",
            table.name,
            self.dialect().name()
        )))
    }

    /// Starts the write transaction of one restored table. SQLite, MySQL and PostgreSQL all
    /// take the plain statements; SQL Server overrides them.
    async fn begin(&mut self) -> Result<()> {
        self.execute("BEGIN").await
    }

    async fn commit(&mut self) -> Result<()> {
        self.execute("COMMIT").await
    }

    async fn rollback(&mut self) -> Result<()> {
        self.execute("ROLLBACK").await
    }

    /// From now on, waits at each commit until it is on disk, which also makes the commits
    /// of this database's other sessions before it durable. A driver whose restore sessions
    /// commit without waiting (PostgreSQL) turns waiting back on for the restore's last commit.
    async fn sync_commits(&mut self) -> Result<()> {
        Ok(())
    }

    /// Work after a table's rows are in, such as moving a sequence past the largest id.
    async fn after_insert(&mut self, _table: &TableMeta) -> Result<()> {
        Ok(())
    }

    /// Creates a table, widening each column as `fits` (in column order) asks.
    async fn create_table(&mut self, meta: &TableMeta, fits: &[ColumnFit]) -> Result<()> {
        self.create_table_in(CmsSchema::Any, meta, fits).await
    }

    /// [`DatabaseDriver::create_table`] with the column types the CMS of `schema` uses; restore
    /// calls this one.
    async fn create_table_in(
        &mut self,
        schema: CmsSchema,
        meta: &TableMeta,
        fits: &[ColumnFit],
    ) -> Result<()> {
        let sql = self.dialect().create_table_in(schema, meta, fits);
        self.execute(&sql).await
    }

    /// Rows one [`DatabaseDriver::insert_rows`] call should carry at most, for a table of
    /// `columns` columns: the dialect's bind limit, unless the driver loads another way.
    fn batch_rows(&self, columns: usize) -> usize {
        self.dialect().batch_rows(columns)
    }

    /// Bytes of values one [`DatabaseDriver::insert_rows`] call should carry at most.
    fn max_batch_bytes(&self) -> usize {
        MAX_BATCH_BYTES
    }

    async fn drop_table(&mut self, table: &str) -> Result<()> {
        let sql = self.dialect().drop_table(table);
        self.execute(&sql).await
    }

    /// Returns true if and only if the database has no user tables.
    async fn is_empty(&mut self) -> Result<bool> {
        Ok(self.list_tables().await?.is_empty())
    }

    async fn close(self: Box<Self>) -> Result<()>;
}
