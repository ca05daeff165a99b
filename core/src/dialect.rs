//! SQL text per database: quoting, column types, CREATE TABLE and INSERT.
//!
//! Kept free of any driver so that every dialect, SQL Server included, is unit-tested against
//! the exact SQL it produces.

use crate::model::{Column, DataType, TableMeta};

/// The SQL dialects the tool writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    Sqlite,
    MySql,
    Postgres,
    SqlServer,
}

/// VarChar columns whose length the source did not report get this length where one is required
/// (the SSCMS 7.4 default).
pub const DEFAULT_VARCHAR_LENGTH: i32 = 500;

impl Dialect {
    /// Quotes an identifier so names such as `Top`, `Order` or `Key` work.
    pub fn quote(self, ident: &str) -> String {
        match self {
            Dialect::Sqlite | Dialect::Postgres => format!("\"{}\"", ident.replace('"', "\"\"")),
            Dialect::MySql => format!("`{}`", ident.replace('`', "``")),
            Dialect::SqlServer => format!("[{}]", ident.replace(']', "]]")),
        }
    }

    /// The most bind parameters one statement may carry.
    pub fn max_bind_params(self) -> usize {
        match self {
            // SQLITE_MAX_VARIABLE_NUMBER of the bundled SQLite (3.32+).
            Dialect::Sqlite => 32_766,
            // Both protocols count parameters in an unsigned 16-bit field.
            Dialect::MySql | Dialect::Postgres => 65_535,
            // 2,100 per RPC request, less a margin for the driver's own.
            Dialect::SqlServer => 2_000,
        }
    }

    /// The most rows one INSERT may carry.
    pub fn max_rows_per_insert(self) -> usize {
        match self {
            // A table value constructor holds at most 1,000 rows.
            Dialect::SqlServer => 1_000,
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
            Dialect::Sqlite | Dialect::MySql => "?".to_string(),
            Dialect::Postgres => format!("${n}"),
            Dialect::SqlServer => format!("@P{n}"),
        }
    }

    /// The column type for a data type, as the target schema maps it.
    pub fn column_type(self, col: &Column) -> String {
        let len = col.data_length;
        match (self, col.data_type) {
            (Dialect::Sqlite, DataType::Boolean) => "INT2".into(),
            (Dialect::Sqlite, DataType::DateTime) => "DATETIME".into(),
            (Dialect::Sqlite, DataType::Decimal) => "DECIMAL(18, 2)".into(),
            (Dialect::Sqlite, DataType::Integer) => "INTEGER".into(),
            (Dialect::Sqlite, DataType::Text) => "TEXT".into(),
            // SQLite ignores the length; leaving it out keeps an unknown length unknown.
            (Dialect::Sqlite, DataType::VarChar) if len <= 0 => "NVARCHAR".into(),
            (Dialect::Sqlite, DataType::VarChar) => format!("NVARCHAR({len})"),

            (Dialect::MySql, DataType::Boolean) => "tinyint(1)".into(),
            (Dialect::MySql, DataType::DateTime) => "datetime".into(),
            (Dialect::MySql, DataType::Decimal) => "decimal(18, 2)".into(),
            (Dialect::MySql, DataType::Integer) => "int".into(),
            (Dialect::MySql, DataType::Text) => "longtext".into(),
            (Dialect::MySql, DataType::VarChar) => format!("varchar({})", varchar_len(len)),

            (Dialect::Postgres, DataType::Boolean) => "bool".into(),
            (Dialect::Postgres, DataType::DateTime) => "timestamptz".into(),
            (Dialect::Postgres, DataType::Decimal) => "numeric(18, 2)".into(),
            (Dialect::Postgres, DataType::Integer) => "int4".into(),
            (Dialect::Postgres, DataType::Text) => "text".into(),
            (Dialect::Postgres, DataType::VarChar) if len <= 0 => "varchar".into(),
            (Dialect::Postgres, DataType::VarChar) => format!("varchar({len})"),

            (Dialect::SqlServer, DataType::Boolean) => "[bit]".into(),
            (Dialect::SqlServer, DataType::DateTime) => "[datetime]".into(),
            (Dialect::SqlServer, DataType::Decimal) => "[decimal] (18, 2)".into(),
            (Dialect::SqlServer, DataType::Integer) => "[int]".into(),
            (Dialect::SqlServer, DataType::Text) => "[nvarchar] (max)".into(),
            // nvarchar(n) allows at most 4,000; longer becomes max, as 7.4 does for -1.
            (Dialect::SqlServer, DataType::VarChar) if len > 4000 => "[nvarchar] (max)".into(),
            (Dialect::SqlServer, DataType::VarChar) => {
                format!("[nvarchar] ({})", varchar_len(len))
            }
        }
    }

    fn identity_type(self) -> &'static str {
        match self {
            Dialect::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
            Dialect::MySql => "INT AUTO_INCREMENT",
            Dialect::Postgres => "SERIAL",
            Dialect::SqlServer => "int IDENTITY (1, 1)",
        }
    }

    /// `CREATE TABLE` for a table's metadata.
    ///
    /// The primary key is the columns marked as such, or else the identity column. Unlike the
    /// original tools, several key columns make one composite key, not several PK clauses.
    pub fn create_table(self, meta: &TableMeta) -> String {
        let q = |s: &str| self.quote(s);
        let identity = meta.identity();
        let mut pk: Vec<&Column> = meta.columns.iter().filter(|c| c.is_primary_key).collect();
        if pk.is_empty() {
            pk.extend(identity);
        }
        let mut parts: Vec<String> = meta
            .columns
            .iter()
            .map(|c| {
                let ty = if Some(c) == identity {
                    self.identity_type().to_string()
                } else if self == Dialect::Sqlite
                    && c.data_type == DataType::Integer
                    && pk.len() == 1
                    && pk[0] == c
                {
                    // A sole `INTEGER` key would become a self-numbering rowid alias.
                    "INT".to_string()
                } else {
                    self.column_type(c)
                };
                format!("{} {ty}", q(&c.attribute_name))
            })
            .collect();
        let pk_names: Vec<String> = pk.iter().map(|c| q(&c.attribute_name)).collect();
        match (self, identity) {
            // SQLite's identity type already is the primary key; other key columns stay unique.
            (Dialect::Sqlite, Some(id)) => {
                let rest: Vec<String> = pk
                    .iter()
                    .filter(|c| c.attribute_name != id.attribute_name)
                    .map(|c| q(&c.attribute_name))
                    .collect();
                if !rest.is_empty() {
                    parts.push(format!("UNIQUE ({})", rest.join(", ")));
                }
            }
            _ if pk.is_empty() => {}
            (Dialect::MySql, _) => parts.push(format!("PRIMARY KEY ({})", pk_names.join(", "))),
            _ => {
                let name = format!("PK_{}_{}", meta.name, pk[0].attribute_name);
                parts.push(format!(
                    "CONSTRAINT {} PRIMARY KEY ({})",
                    q(&name),
                    pk_names.join(", ")
                ));
            }
        }
        // MySQL insists that an AUTO_INCREMENT column leads some key.
        if let (Dialect::MySql, Some(id)) = (self, identity)
            && pk.first().map(|c| &c.attribute_name) != Some(&id.attribute_name)
        {
            parts.push(format!("UNIQUE KEY ({})", q(&id.attribute_name)));
        }
        let suffix = match self {
            Dialect::MySql => " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
            _ => "",
        };
        format!(
            "CREATE TABLE {} ({}){suffix}",
            q(&meta.name),
            parts.join(", ")
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
            for c in 0..columns.len() {
                if c > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                sql.push_str(&self.placeholder(n));
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
        limit: Option<u64>,
    ) -> String {
        let cols: Vec<String> = meta
            .columns
            .iter()
            .map(|c| self.quote(&c.attribute_name))
            .collect();
        let order: Vec<String> = meta
            .order_columns()
            .iter()
            .map(|c| self.quote(&c.attribute_name))
            .collect();
        let top = match (self, limit) {
            (Dialect::SqlServer, Some(n)) => format!("TOP ({n}) "),
            _ => String::new(),
        };
        let mut sql = format!(
            "SELECT {top}{} FROM {}",
            cols.join(", "),
            self.quote(&meta.name)
        );
        if !order.is_empty() {
            sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
        } else if let Some(f) = fallback_order {
            sql.push_str(&format!(" ORDER BY {f}"));
        }
        if let (false, Some(n)) = (self == Dialect::SqlServer, limit) {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        sql
    }
}

fn varchar_len(len: i32) -> i32 {
    if len <= 0 {
        DEFAULT_VARCHAR_LENGTH
    } else {
        len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> TableMeta {
        TableMeta {
            name: "siteserver_Site".into(),
            columns: vec![
                Column::new("Id", DataType::Integer)
                    .primary_key()
                    .identity(),
                Column::new("SiteName", DataType::VarChar).length(50),
                Column::new("IsRoot", DataType::Boolean),
                Column::new("Top", DataType::Text),
            ],
        }
    }

    #[test]
    fn create_table_per_dialect() {
        assert_eq!(
            Dialect::Sqlite.create_table(&site()),
            r#"CREATE TABLE "siteserver_Site" ("Id" INTEGER PRIMARY KEY AUTOINCREMENT, "SiteName" NVARCHAR(50), "IsRoot" INT2, "Top" TEXT)"#
        );
        assert_eq!(
            Dialect::MySql.create_table(&site()),
            "CREATE TABLE `siteserver_Site` (`Id` INT AUTO_INCREMENT, `SiteName` varchar(50), `IsRoot` tinyint(1), `Top` longtext, PRIMARY KEY (`Id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
        );
        assert_eq!(
            Dialect::Postgres.create_table(&site()),
            r#"CREATE TABLE "siteserver_Site" ("Id" SERIAL, "SiteName" varchar(50), "IsRoot" bool, "Top" text, CONSTRAINT "PK_siteserver_Site_Id" PRIMARY KEY ("Id"))"#
        );
        assert_eq!(
            Dialect::SqlServer.create_table(&site()),
            "CREATE TABLE [siteserver_Site] ([Id] int IDENTITY (1, 1), [SiteName] [nvarchar] (50), [IsRoot] [bit], [Top] [nvarchar] (max), CONSTRAINT [PK_siteserver_Site_Id] PRIMARY KEY ([Id]))"
        );
    }

    #[test]
    fn composite_keys_make_one_clause() {
        let t = TableMeta {
            name: "t".into(),
            columns: vec![
                Column::new("A", DataType::Integer).primary_key(),
                Column::new("B", DataType::VarChar).primary_key(),
            ],
        };
        assert_eq!(
            Dialect::MySql.create_table(&t),
            "CREATE TABLE `t` (`A` int, `B` varchar(500), PRIMARY KEY (`A`, `B`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
        );
        assert_eq!(
            Dialect::Sqlite.create_table(&t),
            r#"CREATE TABLE "t" ("A" INTEGER, "B" NVARCHAR, CONSTRAINT "PK_t_A" PRIMARY KEY ("A", "B"))"#
        );
    }

    #[test]
    fn quoting_escapes_the_quote_character() {
        assert_eq!(Dialect::Sqlite.quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(Dialect::MySql.quote("a`b"), "`a``b`");
        assert_eq!(Dialect::SqlServer.quote("a]b"), "[a]]b]");
    }

    #[test]
    fn inserts_number_their_placeholders() {
        let cols = &site().columns[..2];
        assert_eq!(
            Dialect::Postgres.insert("t", cols, 2),
            r#"INSERT INTO "t" ("Id", "SiteName") VALUES ($1, $2), ($3, $4)"#
        );
        assert_eq!(
            Dialect::SqlServer.insert("t", cols, 1),
            "INSERT INTO [t] ([Id], [SiteName]) VALUES (@P1, @P2)"
        );
    }

    #[test]
    fn batches_fit_the_bind_limit() {
        assert_eq!(Dialect::SqlServer.batch_rows(3), 666);
        assert_eq!(Dialect::SqlServer.batch_rows(1), 1000);
        assert_eq!(Dialect::Sqlite.batch_rows(100), 327);
        assert_eq!(Dialect::Sqlite.batch_rows(50_000), 1);
        for d in [
            Dialect::Sqlite,
            Dialect::MySql,
            Dialect::Postgres,
            Dialect::SqlServer,
        ] {
            for cols in [1, 7, 40, 300] {
                assert!(
                    d.batch_rows(cols) * cols <= d.max_bind_params() || cols > d.max_bind_params()
                );
            }
        }
    }

    #[test]
    fn select_reads_in_key_order() {
        assert_eq!(
            Dialect::SqlServer.select_all(&site(), None, Some(10)),
            "SELECT TOP (10) [Id], [SiteName], [IsRoot], [Top] FROM [siteserver_Site] ORDER BY [Id]"
        );
        let mut t = site();
        t.columns.iter_mut().for_each(|c| {
            c.is_primary_key = false;
            c.is_identity = false;
        });
        assert_eq!(
            Dialect::Sqlite.select_all(&t, Some("rowid"), None),
            r#"SELECT "Id", "SiteName", "IsRoot", "Top" FROM "siteserver_Site" ORDER BY rowid"#
        );
    }
}
