//! The `DatabaseDriver` of SQL Server, from the pieces in its sibling files.

use async_trait::async_trait;
use futures::TryStreamExt;
use futures::stream::BoxStream;
use serde_json::Value;

use super::catalog::{CatalogColumn, TABLES_SQL};
use super::connect::MsSqlDriver;
use super::read::{SNAPSHOT_ALLOWED_SQL, read_row, select_expr, snapshot_sql};
use super::write::{insert_query, max_id_sql, reseed_sql};
use crate::config::DatabaseType;
use crate::db::dialect::Dialect;
use crate::db::driver::DatabaseDriver;
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
        limit: Option<u64>,
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
            let sql = Dialect::SqlServer.select_exprs(table, &exprs, None, limit);
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

    async fn insert_rows(&mut self, table: &TableMeta, rows: &[Vec<SqlValue>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let q = insert_query(table, rows)?;
        let context = self.context(&format!("inserting into `{}`", table.name));
        q.execute(&mut self.client)
            .await
            .map_err(|e| Error::db(context, e))?;
        Ok(())
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
