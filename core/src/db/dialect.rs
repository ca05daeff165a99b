//! SQL text per database: quoting, column types, CREATE TABLE and INSERT.
//!
//! Kept free of any driver so that every dialect, SQL Server included, is unit-tested against
//! the exact SQL it produces.

use crate::model::{Column, DataType, TableMeta};

/// The SiteServer schema a database is restored for. It decides the column types and the case
/// of names (spec `target-schema.md` §3), so that the CMS of that version finds its tables.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum CmsSchema {
    /// No SiteServer version, or one before 6.0: the tool's own mapping, names as written.
    #[default]
    Any,
    /// SiteServer 6.x (`SqlUtils` of 6.15): SQL Server text is `ntext`, and names are sent
    /// unquoted, so PostgreSQL folds them to lower case.
    V6,
    /// SSCMS 7.x (Datory of 7.4): names are quoted, so they keep their case.
    V7,
}

/// One index: its name and its columns, each ascending or descending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    /// `(column, descending)`.
    pub columns: Vec<(String, bool)>,
}

impl CmsSchema {
    /// The schema of a SiteServer version: 6.x and 7.x have their own, older versions none.
    pub fn for_version(v: &semver::Version) -> CmsSchema {
        match v.major {
            6 => CmsSchema::V6,
            7 => CmsSchema::V7,
            _ => CmsSchema::Any,
        }
    }

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

    /// The indexes this version's CMS creates with a content table (spec `target-schema.md`
    /// §1 and §2): 6.15 two descending ones, 7.4 five single-column ascending ones.
    pub fn content_indexes(self, table: &str) -> Vec<Index> {
        let index = |suffix: &str, columns: &[(&str, bool)]| Index {
            name: format!("IX_{table}{suffix}"),
            columns: columns.iter().map(|&(c, d)| (c.to_string(), d)).collect(),
        };
        match self {
            CmsSchema::Any => Vec::new(),
            CmsSchema::V6 => vec![
                index("", &[("IsTop", true), ("Taxis", true), ("Id", true)]),
                index("_Taxis", &[("Taxis", true)]),
            ],
            CmsSchema::V7 => ["Taxis", "SiteId", "ChannelId", "AddDate", "SourceId"]
                .iter()
                .map(|c| index(&format!("_{c}"), &[(c, false)]))
                .collect(),
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

/// VarChar columns whose length the source did not report get this length where one is required
/// (the SSCMS 7.4 default).
pub const DEFAULT_VARCHAR_LENGTH: i32 = 500;

/// What a column's values need, measured over a whole backup before a restore.
///
/// The standard types (`varchar(n)`, `int`, `decimal(18, 2)`, `datetime`) would truncate, round
/// or refuse some values another database held, so [`Dialect::create_table_fit`] widens a
/// column just enough for its values. `Default` asks for nothing, which gives the standard DDL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ColumnFit {
    /// Longest text in characters (MySQL and PostgreSQL count these).
    pub max_chars: usize,
    /// Longest text in UTF-16 code units (SQL Server counts these).
    pub max_utf16: usize,
    /// An integer outside the 32-bit range.
    pub wide_int: bool,
    /// Most digits before a decimal point.
    pub int_digits: u32,
    /// Most digits after a decimal point, trailing zeros not counted.
    pub scale: u32,
    /// Most digits of fractional seconds, trailing zeros not counted.
    pub frac_digits: u32,
    /// A text holds U+0000, which PostgreSQL cannot store in any text type.
    pub nul_char: bool,
}

/// Precision and scale of the standard Decimal type, `decimal(18, 2)`.
const DECIMAL_PRECISION: u32 = 18;
const DECIMAL_SCALE: u32 = 2;

/// Longest `varchar(n)` MySQL allows in a utf8mb4 table.
const MYSQL_MAX_VARCHAR: i32 = 16_383;

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
    ///
    /// SQLite is never widened: it enforces neither lengths nor precision.
    pub fn column_type_fit(self, col: &Column, fit: &ColumnFit) -> String {
        let len = col.data_length;
        let (precision, scale) = decimal_size(fit);
        // Milliseconds or microseconds, not an odd precision such as `datetime(2)`.
        let frac = match fit.frac_digits {
            0 => 0,
            1..=3 => 3,
            4..=6 => 6,
            _ => 7,
        };
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
            // Without a precision MySQL drops fractional seconds.
            (Dialect::MySql, DataType::DateTime) if frac > 0 => {
                format!("datetime({})", frac.min(6))
            }
            (Dialect::MySql, DataType::DateTime) => "datetime".into(),
            (Dialect::MySql, DataType::Decimal) => format!("decimal({precision}, {scale})"),
            (Dialect::MySql, DataType::Integer) if fit.wide_int => "bigint".into(),
            (Dialect::MySql, DataType::Integer) => "int".into(),
            (Dialect::MySql, DataType::Text) => "longtext".into(),
            // A key cannot be longtext; a longer varchar will do.
            (Dialect::MySql, DataType::VarChar)
                if col.is_primary_key
                    && too_long(fit.max_chars, varchar_len(len))
                    && !too_long(fit.max_chars, MYSQL_MAX_VARCHAR) =>
            {
                format!("varchar({})", fit.max_chars)
            }
            (Dialect::MySql, DataType::VarChar)
                if len > MYSQL_MAX_VARCHAR || too_long(fit.max_chars, varchar_len(len)) =>
            {
                "longtext".into()
            }
            (Dialect::MySql, DataType::VarChar) => format!("varchar({})", varchar_len(len)),

            (Dialect::Postgres, DataType::Boolean) => "bool".into(),
            // timestamptz keeps microseconds, all that MySQL and PostgreSQL sources hold.
            (Dialect::Postgres, DataType::DateTime) => "timestamptz".into(),
            (Dialect::Postgres, DataType::Decimal) => format!("numeric({precision}, {scale})"),
            (Dialect::Postgres, DataType::Integer) if fit.wide_int => "int8".into(),
            (Dialect::Postgres, DataType::Integer) => "int4".into(),
            (Dialect::Postgres, DataType::Text) => "text".into(),
            (Dialect::Postgres, DataType::VarChar) if len <= 0 => "varchar".into(),
            (Dialect::Postgres, DataType::VarChar) if too_long(fit.max_chars, len) => "text".into(),
            (Dialect::Postgres, DataType::VarChar) => format!("varchar({len})"),

            (Dialect::SqlServer, DataType::Boolean) => "[bit]".into(),
            (Dialect::SqlServer, DataType::DateTime) if frac > 0 => {
                format!("[datetime2] ({frac})")
            }
            (Dialect::SqlServer, DataType::DateTime) => "[datetime]".into(),
            (Dialect::SqlServer, DataType::Decimal) => {
                format!("[decimal] ({precision}, {scale})")
            }
            (Dialect::SqlServer, DataType::Integer) if fit.wide_int => "[bigint]".into(),
            (Dialect::SqlServer, DataType::Integer) => "[int]".into(),
            (Dialect::SqlServer, DataType::Text) => "[nvarchar] (max)".into(),
            (Dialect::SqlServer, DataType::VarChar)
                if col.is_primary_key
                    && too_long(fit.max_utf16, varchar_len(len))
                    && !too_long(fit.max_utf16, 4000) =>
            {
                format!("[nvarchar] ({})", fit.max_utf16)
            }
            // nvarchar(n) allows at most 4,000; longer becomes max, as 7.4 does for -1.
            (Dialect::SqlServer, DataType::VarChar)
                if len > 4000 || too_long(fit.max_utf16, varchar_len(len)) =>
            {
                "[nvarchar] (max)".into()
            }
            (Dialect::SqlServer, DataType::VarChar) => {
                format!("[nvarchar] ({})", varchar_len(len))
            }
        }
    }

    fn identity_type(self, wide: bool) -> &'static str {
        match (self, wide) {
            // SQLite's rowid is 64-bit already.
            (Dialect::Sqlite, _) => "INTEGER PRIMARY KEY AUTOINCREMENT",
            (Dialect::MySql, false) => "INT AUTO_INCREMENT",
            (Dialect::MySql, true) => "BIGINT AUTO_INCREMENT",
            (Dialect::Postgres, false) => "SERIAL",
            (Dialect::Postgres, true) => "BIGSERIAL",
            (Dialect::SqlServer, false) => "int IDENTITY (1, 1)",
            (Dialect::SqlServer, true) => "bigint IDENTITY (1, 1)",
        }
    }

    /// The database's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "SQLite",
            Dialect::MySql => "MySQL",
            Dialect::Postgres => "PostgreSQL",
            Dialect::SqlServer => "SQL Server",
        }
    }

    /// Why a value measured by `fit` cannot be stored in this dialect even when widened, if so.
    pub fn unrepresentable(self, col: &Column, fit: &ColumnFit) -> Option<String> {
        if self == Dialect::Postgres && fit.nul_char {
            return Some("the text holds a NUL character, which PostgreSQL cannot store".into());
        }
        let (max_precision, max_scale, max_frac) = match self {
            // SQLite stores decimals as REAL and dates as text; nothing is refused.
            Dialect::Sqlite => return None,
            Dialect::MySql => (65, 30, 6),
            Dialect::Postgres => (1000, 1000, 6),
            Dialect::SqlServer => (38, 38, 7),
        };
        match col.data_type {
            DataType::Decimal => {
                let (p, s) = decimal_size(fit);
                (p > max_precision || s > max_scale).then(|| {
                    format!(
                        "needs {} digits before and {} after the decimal point; \
                         {} decimals hold at most {max_precision} digits, {max_scale} after the point",
                        fit.int_digits,
                        fit.scale,
                        self.name()
                    )
                })
            }
            DataType::DateTime => (fit.frac_digits > max_frac).then(|| {
                format!(
                    "has {} digits of fractional seconds; {} keeps at most {max_frac}",
                    fit.frac_digits,
                    self.name()
                )
            }),
            _ => None,
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
                let ty = if Some(c) == identity {
                    self.identity_type(fit.wide_int).to_string()
                } else if self == Dialect::Sqlite
                    && c.data_type == DataType::Integer
                    && pk.len() == 1
                    && pk[0] == c
                {
                    // A sole `INTEGER` key would become a self-numbering rowid alias.
                    "INT".to_string()
                } else {
                    self.column_type_in(schema, c, fit)
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
                let name =
                    schema.ident(self, &format!("PK_{}_{}", meta.name, pk[0].attribute_name));
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
                // Decimals and dates are bound as text, which PostgreSQL does not assign to
                // numeric or timestamp columns without a cast.
                if self == Dialect::Postgres {
                    match col.data_type {
                        DataType::Decimal => sql.push_str("::numeric"),
                        DataType::DateTime => sql.push_str("::timestamp"),
                        _ => {}
                    }
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
        limit: Option<u64>,
    ) -> String {
        let cols: Vec<String> = meta
            .columns
            .iter()
            .map(|c| self.quote(&c.attribute_name))
            .collect();
        self.select_exprs(meta, &cols, fallback_order, limit)
    }

    /// [`Dialect::select_all`] with an expression per column, for drivers that read some types
    /// through a cast.
    pub fn select_exprs(
        self,
        meta: &TableMeta,
        cols: &[String],
        fallback_order: Option<&str>,
        limit: Option<u64>,
    ) -> String {
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

/// Precision and scale that hold every value `fit` measured, at least `decimal(18, 2)`.
fn decimal_size(fit: &ColumnFit) -> (u32, u32) {
    let scale = fit.scale.max(DECIMAL_SCALE);
    let int_digits = fit.int_digits.max(DECIMAL_PRECISION - DECIMAL_SCALE);
    (int_digits + scale, scale)
}

/// Returns true if and only if text of `chars` does not fit a declared length `len` (0 = none).
fn too_long(chars: usize, len: i32) -> bool {
    usize::try_from(len).is_ok_and(|l| l > 0 && chars > l)
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
    fn each_cms_version_gets_its_types_and_names() {
        let t = TableMeta {
            name: "siteserver_Config".into(),
            columns: vec![
                Column::new("Id", DataType::Integer)
                    .primary_key()
                    .identity(),
                Column::new("SystemConfig", DataType::Text),
                Column::new("Open", DataType::VarChar),
            ],
        };
        // 6.15 on PostgreSQL: unquoted, so lower-case, names.
        let folded = CmsSchema::V6.table_meta(Dialect::Postgres, &t);
        assert_eq!(
            Dialect::Postgres.create_table_in(CmsSchema::V6, &folded, &[]),
            r#"CREATE TABLE "siteserver_config" ("id" SERIAL, "systemconfig" text, "open" varchar(500), CONSTRAINT "pk_siteserver_config_id" PRIMARY KEY ("id"))"#
        );
        assert_eq!(CmsSchema::V6.table_meta(Dialect::MySql, &t), t);
        assert_eq!(CmsSchema::V7.table_meta(Dialect::MySql, &t), t);
        // 7.4 makes `Id` the identity; 6.15's site id is a plain key.
        let site = TableMeta {
            name: "siteserver_Site".into(),
            columns: vec![Column::new("Id", DataType::Integer).primary_key()],
        };
        assert!(CmsSchema::V7.table_meta(Dialect::Sqlite, &site).columns[0].is_identity);
        assert!(!CmsSchema::V6.table_meta(Dialect::MySql, &site).columns[0].is_identity);
        assert!(CmsSchema::V6.table_meta(Dialect::Sqlite, &site).columns[0].is_identity);
        assert_eq!(
            Dialect::Postgres.create_table_in(CmsSchema::V7, &t, &[]),
            r#"CREATE TABLE "siteserver_Config" ("Id" SERIAL, "SystemConfig" text, "Open" varchar(500), CONSTRAINT "PK_siteserver_Config_Id" PRIMARY KEY ("Id"))"#
        );
        // SQL Server text: ntext in 6.15, nvarchar(max) in 7.4.
        let text = &t.columns[1];
        let none = ColumnFit::default();
        assert_eq!(
            Dialect::SqlServer.column_type_in(CmsSchema::V6, text, &none),
            "[ntext]"
        );
        assert_eq!(
            Dialect::SqlServer.column_type_in(CmsSchema::V7, text, &none),
            "[nvarchar] (max)"
        );
        // A VarChar without a length gets 7.4's default in a SiteServer database only.
        let open = &t.columns[2];
        assert_eq!(
            Dialect::Sqlite.column_type_in(CmsSchema::V7, open, &none),
            "NVARCHAR(500)"
        );
        assert_eq!(
            Dialect::Sqlite.column_type_in(CmsSchema::Any, open, &none),
            "NVARCHAR"
        );
        assert_eq!(
            Dialect::MySql.create_table_in(CmsSchema::V7, &t, &[]),
            Dialect::MySql.create_table(&t)
        );
        let v = |s: &str| semver::Version::parse(s).unwrap();
        assert_eq!(CmsSchema::for_version(&v("6.15.51")), CmsSchema::V6);
        assert_eq!(CmsSchema::for_version(&v("7.4.0")), CmsSchema::V7);
        assert_eq!(CmsSchema::for_version(&v("5.0.0")), CmsSchema::Any);
    }

    #[test]
    fn content_tables_get_the_versions_indexes() {
        let six = CmsSchema::V6.content_indexes("siteserver_Content_1");
        assert_eq!(
            six.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
            ["IX_siteserver_Content_1", "IX_siteserver_Content_1_Taxis"]
        );
        assert_eq!(
            Dialect::MySql.create_index("siteserver_Content_1", &six[0]),
            "CREATE INDEX `IX_siteserver_Content_1` ON `siteserver_Content_1` (`IsTop` DESC, `Taxis` DESC, `Id` DESC)"
        );
        let seven = CmsSchema::V7.content_indexes("t");
        assert_eq!(seven.len(), 5);
        assert_eq!(
            Dialect::Postgres.create_index("t", &seven[1]),
            r#"CREATE INDEX "IX_t_SiteId" ON "t" ("SiteId" ASC)"#
        );
        assert!(CmsSchema::Any.content_indexes("t").is_empty());
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
    fn columns_widen_for_their_values() {
        let t = TableMeta {
            name: "t".into(),
            columns: vec![
                Column::new("Id", DataType::Integer)
                    .primary_key()
                    .identity(),
                Column::new("Name", DataType::VarChar).length(5),
                Column::new("Price", DataType::Decimal),
                Column::new("At", DataType::DateTime),
            ],
        };
        let fits = [
            ColumnFit {
                wide_int: true,
                ..ColumnFit::default()
            },
            ColumnFit {
                max_chars: 6,
                max_utf16: 7,
                ..ColumnFit::default()
            },
            ColumnFit {
                int_digits: 20,
                scale: 4,
                ..ColumnFit::default()
            },
            ColumnFit {
                frac_digits: 3,
                ..ColumnFit::default()
            },
        ];
        assert_eq!(
            Dialect::MySql.create_table_fit(&t, &fits),
            "CREATE TABLE `t` (`Id` BIGINT AUTO_INCREMENT, `Name` longtext, `Price` decimal(24, 4), `At` datetime(3), PRIMARY KEY (`Id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
        );
        assert_eq!(
            Dialect::Postgres.create_table_fit(&t, &fits),
            r#"CREATE TABLE "t" ("Id" BIGSERIAL, "Name" text, "Price" numeric(24, 4), "At" timestamptz, CONSTRAINT "PK_t_Id" PRIMARY KEY ("Id"))"#
        );
        assert_eq!(
            Dialect::SqlServer.create_table_fit(&t, &fits),
            "CREATE TABLE [t] ([Id] bigint IDENTITY (1, 1), [Name] [nvarchar] (max), [Price] [decimal] (24, 4), [At] [datetime2] (3), CONSTRAINT [PK_t_Id] PRIMARY KEY ([Id]))"
        );
        // SQLite enforces none of it, so nothing changes.
        assert_eq!(
            Dialect::Sqlite.create_table_fit(&t, &fits),
            Dialect::Sqlite.create_table(&t)
        );
        // Values that fit ask for the standard types.
        let fitting = ColumnFit {
            max_chars: 5,
            int_digits: 16,
            scale: 2,
            ..ColumnFit::default()
        };
        for d in [Dialect::MySql, Dialect::Postgres, Dialect::SqlServer] {
            for c in &t.columns {
                assert_eq!(d.column_type_fit(c, &fitting), d.column_type(c));
            }
        }
        // A key cannot be a text type, so it gets a longer varchar.
        let key = Column::new("K", DataType::VarChar).length(5).primary_key();
        assert_eq!(Dialect::MySql.column_type_fit(&key, &fits[1]), "varchar(6)");
        assert_eq!(
            Dialect::SqlServer.column_type_fit(&key, &fits[1]),
            "[nvarchar] (7)"
        );
        // A MySQL VarChar longer than utf8mb4 allows is longtext.
        let long = Column::new("L", DataType::VarChar).length(20_000);
        assert_eq!(Dialect::MySql.column_type(&long), "longtext");
    }

    #[test]
    fn values_beyond_every_type_are_refused() {
        let price = Column::new("Price", DataType::Decimal);
        let huge = ColumnFit {
            int_digits: 70,
            ..ColumnFit::default()
        };
        assert!(
            Dialect::MySql
                .unrepresentable(&price, &huge)
                .unwrap()
                .contains("at most 65 digits")
        );
        assert_eq!(Dialect::Postgres.unrepresentable(&price, &huge), None);
        assert_eq!(Dialect::Sqlite.unrepresentable(&price, &huge), None);
        let at = Column::new("At", DataType::DateTime);
        let nanos = ColumnFit {
            frac_digits: 9,
            ..ColumnFit::default()
        };
        assert!(Dialect::Postgres.unrepresentable(&at, &nanos).is_some());
        assert!(Dialect::MySql.unrepresentable(&at, &nanos).is_some());
        let body = Column::new("Body", DataType::Text);
        let nul = ColumnFit {
            nul_char: true,
            ..ColumnFit::default()
        };
        assert!(Dialect::Postgres.unrepresentable(&body, &nul).is_some());
        assert_eq!(Dialect::MySql.unrepresentable(&body, &nul), None);
    }

    #[test]
    fn postgres_casts_text_bound_decimals_and_dates() {
        let cols = [
            Column::new("P", DataType::Decimal),
            Column::new("D", DataType::DateTime),
            Column::new("B", DataType::Boolean),
        ];
        assert_eq!(
            Dialect::Postgres.insert("t", &cols, 1),
            r#"INSERT INTO "t" ("P", "D", "B") VALUES ($1::numeric, $2::timestamp, $3)"#
        );
        assert_eq!(
            Dialect::MySql.insert("t", &cols, 1),
            "INSERT INTO `t` (`P`, `D`, `B`) VALUES (?, ?, ?)"
        );
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
