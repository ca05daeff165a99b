//! The catalog: user tables, and each column with its type mapped to the six data types.

use tiberius::Row;

use super::connect::MsSqlDriver;
use crate::error::{Error, Result};
use crate::model::{Column, DataType};

/// User tables as SiteServer saw them: unqualified names resolve in the login's default schema,
/// then in `dbo`, so those two schemas are read. Tables SSMS adds for diagrams are left out.
pub(super) const TABLES_SQL: &str = "\
SELECT t.name FROM sys.tables t
WHERE t.is_ms_shipped = 0 AND t.schema_id IN (SCHEMA_ID(), SCHEMA_ID(N'dbo'))
  AND NOT EXISTS (SELECT 1 FROM sys.extended_properties p
                  WHERE p.class = 1 AND p.major_id = t.object_id AND p.minor_id = 0
                    AND p.name = N'microsoft_database_tools_support')
GROUP BY t.name ORDER BY t.name";

/// Columns of one table (`@P1`, resolved like an unqualified name), in order. The type is the
/// base type of an alias type (`sysname` is `nvarchar`); CLR types read as `clr`. The
/// replication column `msrepl_tran_version` is left out, as 6.15 left it out.
pub(super) const COLUMNS_SQL: &str = "\
SELECT c.name,
       CASE WHEN t.is_assembly_type = 1 THEN N'clr'
            WHEN t.user_type_id <> t.system_type_id THEN TYPE_NAME(t.system_type_id)
            ELSE t.name END,
       c.max_length, c.is_identity,
       CAST(CASE WHEN EXISTS (
           SELECT 1 FROM sys.index_columns ic
           JOIN sys.indexes i ON i.object_id = ic.object_id AND i.index_id = ic.index_id
           WHERE i.is_primary_key = 1 AND ic.object_id = c.object_id AND ic.column_id = c.column_id)
       THEN 1 ELSE 0 END AS bit)
FROM sys.columns c JOIN sys.types t ON t.user_type_id = c.user_type_id
WHERE c.object_id = OBJECT_ID(QUOTENAME(@P1)) AND c.name <> N'msrepl_tran_version'
ORDER BY c.column_id";

/// One column as the catalog describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CatalogColumn {
    pub(super) name: String,
    /// Base type name, lower case (`nvarchar`, `ntext`, `clr`).
    pub(super) type_name: String,
    /// `sys.columns.max_length`: bytes, -1 for `(max)`.
    pub(super) max_length: i16,
    is_identity: bool,
    is_primary_key: bool,
}

impl CatalogColumn {
    pub(super) fn column(&self) -> Column {
        let (data_type, length) = map_type(&self.type_name, self.max_length);
        let mut col = Column::new(self.name.clone(), data_type).length(length);
        col.is_identity = self.is_identity;
        col.is_primary_key = self.is_primary_key;
        col
    }
}

/// Maps a base type name and `max_length` (bytes) to a data type and VarChar length in
/// characters.
///
/// `nvarchar(n)` is `n` characters (`max_length` is 2n); `(max)` types and `ntext`/`text`/`xml`
/// are Text. Unlike the originals, small and big integers read as Integer, `money` and floats as
/// Decimal, and `date`/`datetime2`/`datetimeoffset` as DateTime.
fn map_type(type_name: &str, max_length: i16) -> (DataType, i32) {
    let max = max_length == -1;
    let t = match type_name {
        "bit" => DataType::Boolean,
        "datetime" | "datetime2" | "smalldatetime" | "date" | "datetimeoffset" => {
            DataType::DateTime
        }
        "decimal" | "numeric" | "money" | "smallmoney" | "float" | "real" => DataType::Decimal,
        "tinyint" | "smallint" | "int" | "bigint" => DataType::Integer,
        "ntext" | "text" | "xml" => DataType::Text,
        "nvarchar" | "varchar" | "nchar" | "char" if max => DataType::Text,
        _ => DataType::VarChar,
    };
    let len = match (t, type_name) {
        (DataType::VarChar, "nvarchar" | "nchar") => i32::from(max_length) / 2,
        // A byte count: the most characters a code-page string can hold.
        (DataType::VarChar, "varchar" | "char") => i32::from(max_length),
        (DataType::VarChar, "uniqueidentifier") => 36,
        (DataType::VarChar, "time") => 16,
        _ => 0,
    };
    (t, len)
}

fn catalog_row(row: &Row) -> tiberius::Result<CatalogColumn> {
    let text = |i: usize| -> tiberius::Result<String> {
        Ok(row.try_get::<&str, _>(i)?.unwrap_or_default().to_string())
    };
    Ok(CatalogColumn {
        name: text(0)?,
        type_name: text(1)?.to_ascii_lowercase(),
        max_length: row.try_get::<i16, _>(2)?.unwrap_or(0),
        is_identity: row.try_get::<bool, _>(3)?.unwrap_or(false),
        is_primary_key: row.try_get::<bool, _>(4)?.unwrap_or(false),
    })
}

impl MsSqlDriver {
    pub(super) async fn catalog(&mut self, table: &str) -> Result<Vec<CatalogColumn>> {
        let context = self.context(&format!("reading columns of `{table}`"));
        let rows = self
            .client
            .query(COLUMNS_SQL, &[&table])
            .await
            .map_err(|e| Error::db(&context, e))?
            .into_first_result()
            .await
            .map_err(|e| Error::db(&context, e))?;
        let columns = rows
            .iter()
            .map(catalog_row)
            .collect::<tiberius::Result<Vec<_>>>()
            .map_err(|e| Error::db(&context, e))?;
        if columns.is_empty() {
            return Err(Error::table(
                table,
                format!("not found in {}", self.endpoint.label()),
            ));
        }
        Ok(columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DataType::*;

    fn cat(name: &str, ty: &str, max_length: i16, identity: bool, pk: bool) -> CatalogColumn {
        CatalogColumn {
            name: name.into(),
            type_name: ty.into(),
            max_length,
            is_identity: identity,
            is_primary_key: pk,
        }
    }

    #[test]
    fn catalog_rows_map_to_the_six_types() {
        for ((ty, max_length), want) in [
            (("bit", 1), (Boolean, 0)),
            (("datetime", 8), (DateTime, 0)),
            (("datetime2", 8), (DateTime, 0)),
            (("smalldatetime", 4), (DateTime, 0)),
            (("date", 3), (DateTime, 0)),
            (("datetimeoffset", 10), (DateTime, 0)),
            (("decimal", 9), (Decimal, 0)),
            (("numeric", 17), (Decimal, 0)),
            (("money", 8), (Decimal, 0)),
            (("float", 8), (Decimal, 0)),
            (("int", 4), (Integer, 0)),
            (("bigint", 8), (Integer, 0)),
            (("tinyint", 1), (Integer, 0)),
            (("ntext", 16), (Text, 0)),
            (("text", 16), (Text, 0)),
            (("xml", -1), (Text, 0)),
            // nvarchar(n) is n characters: max_length counts bytes.
            (("nvarchar", 100), (VarChar, 50)),
            (("nvarchar", -1), (Text, 0)),
            (("nchar", 20), (VarChar, 10)),
            (("varchar", 255), (VarChar, 255)),
            (("varchar", -1), (Text, 0)),
            (("uniqueidentifier", 16), (VarChar, 36)),
            (("time", 5), (VarChar, 16)),
            (("varbinary", 50), (VarChar, 0)),
            (("image", 16), (VarChar, 0)),
            (("clr", -1), (VarChar, 0)),
        ] {
            assert_eq!(map_type(ty, max_length), want, "{ty}({max_length})");
        }
        assert_eq!(
            cat("Id", "int", 4, true, true).column(),
            Column::new("Id", Integer).identity().primary_key()
        );
        assert_eq!(
            cat("SiteName", "nvarchar", 100, false, false).column(),
            Column::new("SiteName", VarChar).length(50)
        );
        assert_eq!(
            cat("Top", "nvarchar", -1, false, false).column(),
            Column::new("Top", Text)
        );
    }

    #[test]
    fn catalog_queries_read_user_tables_and_keys() {
        assert!(TABLES_SQL.contains("t.is_ms_shipped = 0"));
        assert!(TABLES_SQL.contains("SCHEMA_ID(), SCHEMA_ID(N'dbo')"));
        assert!(TABLES_SQL.contains("microsoft_database_tools_support"));
        assert!(COLUMNS_SQL.contains("OBJECT_ID(QUOTENAME(@P1))"));
        assert!(COLUMNS_SQL.contains("i.is_primary_key = 1"));
        assert!(COLUMNS_SQL.contains("ORDER BY c.column_id"));
    }
}
