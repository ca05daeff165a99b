//! The `DatabaseDriver` of SQL Server, from the pieces in its sibling files.

use async_trait::async_trait;
use futures::TryStreamExt;
use futures::stream::BoxStream;
use serde_json::Value;

use super::bulk::{BULK_BATCH_ROWS, bulk_columns, bulk_fits, bulk_options, bulk_row, column_list};
use super::bulk_column::BulkColumn;
use super::catalog::{CatalogColumn, TABLES_SQL};
use super::connect::MsSqlDriver;
use super::read::{SNAPSHOT_ALLOWED_SQL, read_row, select_expr, snapshot_sql};
use super::write::{insert_query, max_id_sql, reseed_sql};
use crate::config::DatabaseType;
use crate::db::dialect::Dialect;
use crate::db::driver::DatabaseDriver;
use crate::db::schema::Select;
use crate::db::schema::{CmsSchema, ColumnFit};
use crate::error::{Error, Result};
use crate::model::{Column, DataType, TableMeta};
use crate::value::SqlValue;

#[async_trait]
impl DatabaseDriver for MsSqlDriver {
    fn database_type(&self) -> DatabaseType {
        DatabaseType::SqlServer
    }

    fn dialect(&self) -> Dialect {
        Dialect::SqlServer
    }

    async fn list_tables(&mut self) -> Result<Vec<String>> {
        let context = self.context("listing tables");
        let rows = self
            .client
            .simple_query(TABLES_SQL)
            .await
            .map_err(|e| Error::db(&context, e))?
            .into_first_result()
            .await
            .map_err(|e| Error::db(&context, e))?;
        rows.iter()
            .map(|r| Ok(r.try_get::<&str, _>(0)?.unwrap_or_default().to_string()))
            .collect::<tiberius::Result<Vec<_>>>()
            .map_err(|e| Error::db(&context, e))
    }

    async fn columns(&mut self, table: &str) -> Result<Vec<Column>> {
        Ok(self
            .catalog(table)
            .await?
            .iter()
            .map(CatalogColumn::column)
            .collect())
    }

    async fn count_rows(&mut self, table: &str) -> Result<u64> {
        let sql = format!(
            "SELECT COUNT_BIG(*) FROM {}",
            Dialect::SqlServer.quote(table)
        );
        let n = self.scalar_int(&sql).await?.unwrap_or(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn begin_snapshot(&mut self) -> Result<()> {
        let allowed = self.scalar_int(SNAPSHOT_ALLOWED_SQL).await? == Some(1);
        self.execute(snapshot_sql(allowed)).await
    }

    async fn end_snapshot(&mut self) -> Result<()> {
        self.execute("COMMIT TRANSACTION").await
    }

    fn stream_rows<'a>(
        &'a mut self,
        table: &'a TableMeta,
        select: Select,
    ) -> BoxStream<'a, Result<Vec<Value>>> {
        let types: Vec<DataType> = table.columns.iter().map(|c| c.data_type).collect();
        let context = self.context(&format!("reading `{}`", table.name));
        Box::pin(async_stream::try_stream! {
            let catalog = self.catalog(&table.name).await?;
            let exprs: Vec<String> = table
                .columns
                .iter()
                .map(|c| {
                    let quoted = Dialect::SqlServer.quote(&c.attribute_name);
                    match catalog.iter().find(|k| k.name == c.attribute_name) {
                        Some(k) => select_expr(&k.type_name, k.max_length, &quoted),
                        None => quoted,
                    }
                })
                .collect();
            // A table with no key is read in the order the server gives; no sort.
            let sql = Dialect::SqlServer.select_exprs(table, &exprs, None, select);
            let mut rows = self
                .client
                .simple_query(sql)
                .await
                .map_err(|e| Error::db(&context, e))?
                .into_row_stream();
            while let Some(row) = rows.try_next().await.map_err(|e| Error::db(&context, e))? {
                yield read_row(row, &types).map_err(|e| Error::db(&context, e))?;
            }
        })
    }

    async fn execute(&mut self, sql: &str) -> Result<()> {
        let context = self.context(sql);
        self.batch(sql).await.map_err(|e| Error::db(context, e))
    }

    /// Loads the batch through TDS bulk load, SQL Server's bulk path: no parameter limit and no
    /// statement to parse, ids kept. A table with a column type `bulk.rs` does not encode loads
    /// through INSERTs instead (see [`bulk_columns`]), and so does a row with a text bulk load
    /// cannot carry (see [`bulk_fits`]).
    async fn insert_rows(&mut self, table: &TableMeta, rows: &[Vec<SqlValue>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let Some(columns) = self.bulk_columns(table).await? else {
            return self.insert_batches(table, rows).await;
        };
        // Runs of rows in their order: those bulk load can carry, and those with a text it
        // cannot (see `bulk_fits`), which go through INSERTs in the same transaction.
        let mut rest = rows;
        while !rest.is_empty() {
            let bulk = bulk_fits(&columns, &rest[0]);
            let n = rest
                .iter()
                .position(|r| bulk_fits(&columns, r) != bulk)
                .unwrap_or(rest.len());
            let (run, tail) = rest.split_at(n);
            if bulk {
                self.bulk_load(table, &columns, run).await?;
            } else {
                self.insert_batches(table, run).await?;
            }
            rest = tail;
        }
        Ok(())
    }

    fn batch_rows(&self, _columns: usize) -> usize {
        BULK_BATCH_ROWS
    }

    async fn create_table_in(
        &mut self,
        schema: CmsSchema,
        meta: &TableMeta,
        fits: &[ColumnFit],
    ) -> Result<()> {
        self.bulk = None;
        let sql = Dialect::SqlServer.create_table_in(schema, meta, fits);
        self.execute(&sql).await
    }

    async fn drop_table(&mut self, table: &str) -> Result<()> {
        self.bulk = None;
        let sql = Dialect::SqlServer.drop_table(table);
        self.execute(&sql).await
    }

    async fn begin(&mut self) -> Result<()> {
        self.execute("BEGIN TRANSACTION").await
    }

    async fn commit(&mut self) -> Result<()> {
        self.execute("COMMIT TRANSACTION").await
    }

    async fn rollback(&mut self) -> Result<()> {
        // XACT_ABORT may have rolled back already; then there is nothing left to undo.
        self.execute("IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION")
            .await
    }

    /// Moves the identity past the largest id, so the CMS's next insert does not collide.
    /// Neither original tool did this explicitly.
    async fn after_insert(&mut self, table: &TableMeta) -> Result<()> {
        let Some(id) = table.identity() else {
            return Ok(());
        };
        if let Some(max) = self
            .scalar_int(&max_id_sql(&table.name, &id.attribute_name))
            .await?
        {
            self.execute(&reseed_sql(&table.name, max)).await?;
        }
        Ok(())
    }

    async fn close(self: Box<Self>) -> Result<()> {
        let context = self.context("closing");
        self.client.close().await.map_err(|e| Error::db(context, e))
    }
}

impl MsSqlDriver {
    /// The bulk columns of `table`, from the server's types (once per table), or None when it
    /// loads through INSERTs.
    async fn bulk_columns(&mut self, table: &TableMeta) -> Result<Option<Vec<BulkColumn>>> {
        if let Some((name, columns)) = &self.bulk
            && *name == table.name
        {
            return Ok(columns.clone());
        }
        let context = self.context(&format!("reading the column types of `{}`", table.name));
        let names = column_list(table);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let meta = self
            .client
            .column_metadata(&Dialect::SqlServer.quote(&table.name), &names)
            .await
            .map_err(|e| Error::db(&context, e))?;
        let columns = bulk_columns(table, &meta);
        self.bulk = Some((table.name.clone(), columns.clone()));
        Ok(columns)
    }

    /// One `INSERT BULK` of `rows`. Every row is encoded before the load starts: a load cut
    /// off halfway would leave the connection in the middle of a message.
    async fn bulk_load(
        &mut self,
        table: &TableMeta,
        columns: &[BulkColumn],
        rows: &[Vec<SqlValue>],
    ) -> Result<()> {
        let encoded = rows
            .iter()
            .map(|r| bulk_row(table, columns, r))
            .collect::<Result<Vec<_>>>()?;
        let context = self.context(&format!("bulk loading `{}`", table.name));
        let quoted = Dialect::SqlServer.quote(&table.name);
        let names = column_list(table);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut load = self
            .client
            .bulk_insert_with_options(&quoted, &names, bulk_options(), &[])
            .await
            .map_err(|e| Error::db(&context, e))?;
        for row in encoded {
            load.send(row).await.map_err(|e| Error::db(&context, e))?;
        }
        let done = load.finalize().await.map_err(|e| Error::db(&context, e))?;
        let loaded = done.total();
        if loaded != rows.len() as u64 {
            return Err(Error::table(
                &table.name,
                format!(
                    "the bulk load of {} rows reported {loaded} rows loaded",
                    rows.len()
                ),
            ));
        }
        Ok(())
    }

    /// The fallback: INSERTs under `SET IDENTITY_INSERT`, as many as the bind limit needs for a
    /// batch sized for bulk load.
    async fn insert_batches(&mut self, table: &TableMeta, rows: &[Vec<SqlValue>]) -> Result<()> {
        let context = self.context(&format!("inserting into `{}`", table.name));
        for chunk in rows.chunks(Dialect::SqlServer.batch_rows(table.columns.len())) {
            insert_query(table, chunk)?
                .execute(&mut self.client)
                .await
                .map_err(|e| Error::db(&context, e))?;
        }
        Ok(())
    }
}
