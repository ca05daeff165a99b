//! SQL text per database: quoting, column types, CREATE TABLE and INSERT.
//!
//! This file assembles the statements; what differs per database (quoting, placeholders,
//! limits, column types, key clauses) is in each database's `dialect.rs`, which imports nothing
//! from here. Kept free of any driver so that every dialect, SQL Server included, is unit-tested
//! against the exact SQL it produces.

use crate::db::mssql::dialect as mssql;
use crate::db::mysql::dialect as mysql;
use crate::db::postgres::dialect as postgres;
use crate::db::schema::Select;
use crate::db::schema::{CmsSchema, ColumnFit, DEFAULT_VARCHAR_LENGTH, Index};
use crate::db::sqlite::dialect as sqlite;
use crate::model::{Column, DataType, TableMeta};
use crate::value::SqlValue;

// Here rather than in schema.rs, which stays free of `Dialect` so that the per-database
// dialects can use it.
impl CmsSchema {
    /// A table, column, key or index name as this version's CMS finds it in `dialect`.
    pub fn ident(self, dialect: Dialect, name: &str) -> String {
        match (self, dialect) {
            // 6.15 sends every name unquoted and looks tables up with `ToLower()`.
            (CmsSchema::V6, Dialect::Postgres) => name.to_lowercase(),
            _ => name.to_string(),
        }
    }

    /// `meta` as this version's CMS creates the table: names as [`CmsSchema::ident`] gives them,
    /// and in 7.x an integer `Id` is the identity, as Datory forces it (the original 7.4 backup
    /// reads `siteserver_Site.Id` of SQLite back as a plain key, and 7.4 inserts sites without
    /// one). SQLite takes 7.4's tables for a 6.x folder too (6.15 cannot run on it), so there a
    /// new row also gets the next id instead of NULL.
    pub fn table_meta(self, dialect: Dialect, meta: &TableMeta) -> TableMeta {
        let mut columns: Vec<Column> = meta
            .columns
            .iter()
            .map(|c| Column {
                attribute_name: self.ident(dialect, &c.attribute_name),
                ..c.clone()
            })
            .collect();
        let datory = self == CmsSchema::V7 || (self == CmsSchema::V6 && dialect == Dialect::Sqlite);
        if datory && !columns.iter().any(|c| c.is_identity) {
            let keyed = columns.iter().any(|c| c.is_primary_key);
            if let Some(id) = columns.iter_mut().find(|c| {
                c.attribute_name.eq_ignore_ascii_case("Id") && c.data_type == DataType::Integer
            }) {
                id.is_identity = true;
                id.is_primary_key |= !keyed;
            }
        }
        TableMeta {
            name: self.ident(dialect, &meta.name),
            columns,
        }
    }
}

impl From<crate::config::DatabaseType> for Dialect {
    fn from(t: crate::config::DatabaseType) -> Self {
        use crate::config::DatabaseType as T;
        match t {
            T::Sqlite => Dialect::Sqlite,
            T::MySql => Dialect::MySql,
            T::PostgreSql => Dialect::Postgres,
            T::SqlServer => Dialect::SqlServer,
        }
    }
}

/// The SQL dialects the tool writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    Sqlite,
    MySql,
    Postgres,
    SqlServer,
}

impl Dialect {
    /// Quotes an identifier so names such as `Top`, `Order` or `Key` work.
    pub fn quote(self, ident: &str) -> String {
        match self {
            Dialect::Sqlite => sqlite::quote(ident),
            Dialect::MySql => mysql::quote(ident),
            Dialect::Postgres => postgres::quote(ident),
            Dialect::SqlServer => mssql::quote(ident),
        }
    }

    /// The most bind parameters one statement may carry.
    pub fn max_bind_params(self) -> usize {
        match self {
            Dialect::Sqlite => sqlite::MAX_BIND_PARAMS,
            Dialect::MySql => mysql::MAX_BIND_PARAMS,
            Dialect::Postgres => postgres::MAX_BIND_PARAMS,
            Dialect::SqlServer => mssql::MAX_BIND_PARAMS,
        }
    }

    /// The most rows one INSERT may carry.
    pub fn max_rows_per_insert(self) -> usize {
        match self {
            Dialect::SqlServer => mssql::MAX_ROWS_PER_INSERT,
            _ => 5_000,
        }
    }

    /// Rows per INSERT for a table of `columns` columns.
    pub fn batch_rows(self, columns: usize) -> usize {
        (self.max_bind_params() / columns.max(1)).clamp(1, self.max_rows_per_insert())
    }

    /// The `n`th (1-based) bind placeholder.
    pub fn placeholder(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => sqlite::placeholder(n),
            Dialect::MySql => mysql::placeholder(n),
            Dialect::Postgres => postgres::placeholder(n),
            Dialect::SqlServer => mssql::placeholder(n),
        }
    }

    /// The column type for a data type, as the target schema maps it.
    pub fn column_type(self, col: &Column) -> String {
        self.column_type_fit(col, &ColumnFit::default())
    }

    /// The column type the CMS of `schema` gives a data type, widened where `fit` says the
    /// values need more. 6.x and 7.x map alike but for SQL Server text; a VarChar without a
    /// length gets 7.4's default length in both, where the tool's own mapping leaves it open.
    pub fn column_type_in(self, schema: CmsSchema, col: &Column, fit: &ColumnFit) -> String {
        match (schema, self, col.data_type) {
            (CmsSchema::Any, ..) => self.column_type_fit(col, fit),
            (CmsSchema::V6, Dialect::SqlServer, DataType::Text) => "[ntext]".into(),
            (_, _, DataType::VarChar) if col.data_length <= 0 => {
                self.column_type_fit(&col.clone().length(DEFAULT_VARCHAR_LENGTH), fit)
            }
            _ => self.column_type_fit(col, fit),
        }
    }

    /// The column type for a data type, widened where `fit` says the values need more.
    pub fn column_type_fit(self, col: &Column, fit: &ColumnFit) -> String {
        match self {
            Dialect::Sqlite => sqlite::column_type(col),
            Dialect::MySql => mysql::column_type(col, fit),
            Dialect::Postgres => postgres::column_type(col, fit),
            Dialect::SqlServer => mssql::column_type(col, fit),
        }
    }

    fn identity_type(self, wide: bool) -> &'static str {
        match self {
            Dialect::Sqlite => sqlite::identity_type(wide),
            Dialect::MySql => mysql::identity_type(wide),
            Dialect::Postgres => postgres::identity_type(wide),
            Dialect::SqlServer => mssql::identity_type(wide),
        }
    }

    /// The database's name, for messages.
    /// Whether restore's check writes this target's rows in the text its bulk load reads
    /// ([`Dialect::bulk_row`]), so the load sends bytes instead of values.
    pub fn has_bulk_text(self) -> bool {
        matches!(self, Dialect::MySql | Dialect::Postgres)
    }

    /// Appends one row in the target's bulk text: a tuple of COPY's binary format for
    /// PostgreSQL (integers as `int8` until the load), a `(…)` tuple of a multi-row INSERT for
    /// MySQL; rows of one load are joined by
    /// [`Dialect::bulk_separator`]. The error is the index of a column whose value the target
    /// cannot store (a NUL in PostgreSQL text).
    pub fn bulk_row(self, row: &[SqlValue], out: &mut Vec<u8>) -> Result<(), usize> {
        match self {
            Dialect::Postgres => crate::db::postgres::binary::tuple(row, out),
            Dialect::MySql => {
                mysql::bulk_tuple(row, out);
                Ok(())
            }
            Dialect::Sqlite | Dialect::SqlServer => {
                unreachable!("{} loads values, not bulk text", self.name())
            }
        }
    }

    /// What goes between two rows of [`Dialect::bulk_row`] in one load.
    pub fn bulk_separator(self) -> &'static [u8] {
        match self {
            Dialect::MySql => b",",
            _ => b"",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => sqlite::NAME,
            Dialect::MySql => mysql::NAME,
            Dialect::Postgres => postgres::NAME,
            Dialect::SqlServer => mssql::NAME,
        }
    }

    /// Why a value measured by `fit` cannot be stored in this dialect even when widened, if so.
    pub fn unrepresentable(self, col: &Column, fit: &ColumnFit) -> Option<String> {
        match self {
            Dialect::Sqlite => sqlite::unrepresentable(col, fit),
            Dialect::MySql => mysql::unrepresentable(col, fit),
            Dialect::Postgres => postgres::unrepresentable(col, fit),
            Dialect::SqlServer => mssql::unrepresentable(col, fit),
        }
    }

    /// `CREATE TABLE` for a table's metadata.
    ///
    /// The primary key is the columns marked as such, or else the identity column. Unlike the
    /// original tools, several key columns make one composite key, not several PK clauses.
    pub fn create_table(self, meta: &TableMeta) -> String {
        self.create_table_fit(meta, &[])
    }

    /// `CREATE TABLE` with each column widened for its values; `fits` is in column order, and
    /// a missing entry asks for nothing.
    pub fn create_table_fit(self, meta: &TableMeta, fits: &[ColumnFit]) -> String {
        self.create_table_in(CmsSchema::Any, meta, fits)
    }

    /// [`Dialect::create_table_fit`] with the column types and names of `schema`'s CMS.
    pub fn create_table_in(
        self,
        schema: CmsSchema,
        meta: &TableMeta,
        fits: &[ColumnFit],
    ) -> String {
        let q = |s: &str| self.quote(s);
        let no_fit = ColumnFit::default();
        let identity = meta.identity();
        let mut pk: Vec<&Column> = meta.columns.iter().filter(|c| c.is_primary_key).collect();
        if pk.is_empty() {
            pk.extend(identity);
        }
        let mut parts: Vec<String> = meta
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let fit = fits.get(i).unwrap_or(&no_fit);
                let key_type = match self {
                    Dialect::Sqlite => sqlite::key_column_type(c, &pk),
                    _ => None,
                };
                let ty = if Some(c) == identity {
                    self.identity_type(fit.wide_int).to_string()
                } else if let Some(ty) = key_type {
                    ty.to_string()
                } else {
                    self.column_type_in(schema, c, fit)
                };
                format!("{} {ty}", q(&c.attribute_name))
            })
            .collect();
        match (self, identity) {
            (Dialect::Sqlite, Some(id)) => {
                parts.extend(sqlite::identity_key_clause(&pk, id));
            }
            (Dialect::MySql, _) => parts.extend(mysql::key_clauses(&pk, identity)),
            _ if pk.is_empty() => {}
            _ => {
                let pk_names: Vec<String> = pk.iter().map(|c| q(&c.attribute_name)).collect();
                let name =
                    schema.ident(self, &format!("PK_{}_{}", meta.name, pk[0].attribute_name));
                parts.push(format!(
                    "CONSTRAINT {} PRIMARY KEY ({})",
                    q(&name),
                    pk_names.join(", ")
                ));
            }
        }
        let suffix = match self {
            Dialect::MySql => mysql::TABLE_OPTIONS,
            _ => "",
        };
        format!(
            "CREATE TABLE {} ({}){suffix}",
            q(&meta.name),
            parts.join(", ")
        )
    }

    /// `CREATE INDEX` on a table; names are used as given.
    pub fn create_index(self, table: &str, index: &Index) -> String {
        let cols: Vec<String> = index
            .columns
            .iter()
            .map(|(c, desc)| format!("{} {}", self.quote(c), if *desc { "DESC" } else { "ASC" }))
            .collect();
        format!(
            "CREATE INDEX {} ON {} ({})",
            self.quote(&index.name),
            self.quote(table),
            cols.join(", ")
        )
    }

    /// `DROP TABLE` for a table name.
    pub fn drop_table(self, table: &str) -> String {
        format!("DROP TABLE {}", self.quote(table))
    }

    /// A multi-row INSERT with one placeholder per value.
    pub fn insert(self, table: &str, columns: &[Column], rows: usize) -> String {
        let cols: Vec<String> = columns
            .iter()
            .map(|c| self.quote(&c.attribute_name))
            .collect();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            self.quote(table),
            cols.join(", ")
        );
        let mut n = 0;
        for r in 0..rows {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for (c, col) in columns.iter().enumerate() {
                if c > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                sql.push_str(&self.placeholder(n));
                if self == Dialect::Postgres {
                    sql.push_str(postgres::bind_cast(col.data_type));
                }
            }
            sql.push(')');
        }
        sql
    }

    /// `SELECT` of every column in key order, so a backup reads rows in a stable order with no
    /// OFFSET paging. `fallback_order` is used for tables with no key (SQLite's `rowid`).
    pub fn select_all(
        self,
        meta: &TableMeta,
        fallback_order: Option<&str>,
        select: Select,
    ) -> String {
        let cols: Vec<String> = meta
            .columns
            .iter()
            .map(|c| self.quote(&c.attribute_name))
            .collect();
        self.select_exprs(meta, &cols, fallback_order, select)
    }

    /// [`Dialect::select_all`] with an expression per column, for drivers that read some types
    /// through a cast.
    pub fn select_exprs(
        self,
        meta: &TableMeta,
        cols: &[String],
        fallback_order: Option<&str>,
        select: Select,
    ) -> String {
        let order: Vec<String> = meta
            .order_columns()
            .iter()
            .map(|c| self.quote(&c.attribute_name))
            .collect();
        let mssql = self == Dialect::SqlServer;
        let top = match (mssql, select.limit, select.offset) {
            (true, Some(n), 0) => format!("TOP ({n}) "),
            _ => String::new(),
        };
        let mut sql = format!(
            "SELECT {top}{} FROM {}",
            cols.join(", "),
            self.quote(&meta.name)
        );
        // Key ranges are only asked of a table keyed by one integer column.
        if let Some(key) = order.first() {
            let bounds: Vec<String> = [(select.from_key, ">="), (select.below_key, "<")]
                .into_iter()
                .filter_map(|(k, op)| k.map(|k| format!("{key} {op} {k}")))
                .collect();
            if !bounds.is_empty() {
                sql.push_str(&format!(" WHERE {}", bounds.join(" AND ")));
            }
        }
        if !order.is_empty() {
            sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
        } else if let Some(f) = fallback_order {
            sql.push_str(&format!(" ORDER BY {f}"));
        }
        match (mssql, select.limit, select.offset) {
            (true, _, 0) => {}
            (true, limit, offset) => {
                sql.push_str(&format!(" OFFSET {offset} ROWS"));
                if let Some(n) = limit {
                    sql.push_str(&format!(" FETCH NEXT {n} ROWS ONLY"));
                }
            }
            (false, Some(n), 0) => sql.push_str(&format!(" LIMIT {n}")),
            (false, None, 0) => {}
            // MySQL and SQLite take OFFSET only after a LIMIT.
            (false, limit, offset) => sql.push_str(&format!(
                " LIMIT {} OFFSET {offset}",
                limit.unwrap_or(i64::MAX.unsigned_abs())
            )),
        }
        sql
    }
}

// In their own file: the exact SQL of all four databases is longer than the code.
#[cfg(test)]
mod tests;
