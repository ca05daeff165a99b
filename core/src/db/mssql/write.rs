//! Writing a restore without bulk load: INSERT batches under `SET IDENTITY_INSERT`, decimals as
//! TDS numerics; and the identity reseed after either. `bulk.rs` has the bulk load, which
//! restore uses except for a table [`super::bulk::bulk_columns`] refuses and a row
//! [`super::bulk::bulk_fits`] refuses.

use chrono::NaiveDateTime;
use tiberius::Query;
use tiberius::numeric::Numeric;

use crate::db::dialect::Dialect;
use crate::error::{Error, Result};
use crate::model::{Column, DataType, TableMeta};
use crate::value::SqlValue;

/// One INSERT of `rows` rows. A table with an identity column gets its ids as they are under
/// `SET IDENTITY_INSERT`, switched on and off inside the same statement batch: the setting then
/// holds for this table alone, and it ends with the batch even when the INSERT fails.
fn insert_sql(table: &str, columns: &[Column], rows: usize) -> String {
    let insert = Dialect::SqlServer.insert(table, columns, rows);
    if columns.iter().any(|c| c.is_identity) {
        let t = Dialect::SqlServer.quote(table);
        format!("SET IDENTITY_INSERT {t} ON; {insert}; SET IDENTITY_INSERT {t} OFF")
    } else {
        insert
    }
}

/// `SELECT MAX(id)`, for the reseed after a restore.
pub(super) fn max_id_sql(table: &str, id: &str) -> String {
    format!(
        "SELECT CAST(MAX({}) AS bigint) FROM {}",
        Dialect::SqlServer.quote(id),
        Dialect::SqlServer.quote(table)
    )
}

/// Sets the identity's current value to `max`, so the next row the CMS inserts gets `max + 1`
/// (the table has rows, so RESEED counts from `max`).
pub(super) fn reseed_sql(table: &str, max: i64) -> String {
    let name = Dialect::SqlServer.quote(table).replace('\'', "''");
    format!("DBCC CHECKIDENT (N'{name}', RESEED, {max}) WITH NO_INFOMSGS")
}

/// Decimal text (`-12.50`) as a TDS numeric, or None beyond SQL Server's 38 digits.
pub(super) fn numeric(text: &str) -> Option<Numeric> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int = int.trim_start_matches('0');
    let scale = u8::try_from(frac.len()).ok()?;
    // tiberius declares the parameter as numeric(int digits or 1, scale).
    if int.len().max(1) + frac.len() > 38 {
        return None;
    }
    let mut value: i128 = format!("{int}{frac}").parse().unwrap_or(0);
    if neg {
        value = -value;
    }
    Some(Numeric::new_with_scale(value, scale))
}

/// The key of a row for messages: the first key or identity column's value.
pub(super) fn row_key(table: &TableMeta, row: &[SqlValue]) -> String {
    table
        .columns
        .iter()
        .position(|c| c.is_primary_key || c.is_identity)
        .and_then(|i| {
            let v = match row.get(i)? {
                SqlValue::Int(n) => n.to_string(),
                SqlValue::Text(s) | SqlValue::Decimal(s) => format!("{s:?}"),
                _ => return None,
            };
            Some(format!(" {}={v}", table.columns[i].attribute_name))
        })
        .unwrap_or_default()
}

/// The INSERT of `rows` with every value bound, or why a value cannot be sent.
pub(super) fn insert_query<'a>(table: &TableMeta, rows: &'a [Vec<SqlValue>]) -> Result<Query<'a>> {
    let mut q = Query::new(insert_sql(&table.name, &table.columns, rows.len()));
    for row in rows {
        for (v, col) in row.iter().zip(&table.columns) {
            // A NULL is bound as its column's type, so no conversion is asked of the server.
            match (v, col.data_type) {
                (SqlValue::Null, DataType::Boolean) => q.bind(None::<bool>),
                (SqlValue::Null, DataType::Integer) => q.bind(None::<i64>),
                (SqlValue::Null, DataType::Decimal) => q.bind(None::<Numeric>),
                (SqlValue::Null, DataType::DateTime) => q.bind(None::<NaiveDateTime>),
                (SqlValue::Null, _) => q.bind(None::<&str>),
                (SqlValue::Bool(b), _) => q.bind(*b),
                (SqlValue::Int(i), _) => q.bind(*i),
                (SqlValue::Decimal(s), _) => match numeric(s) {
                    Some(n) => q.bind(n),
                    None => {
                        return Err(Error::table(
                            &table.name,
                            format!(
                                "row{}, column `{}`: {s} has more than the 38 digits SQL \
                                 Server decimals hold",
                                row_key(table, row),
                                col.attribute_name
                            ),
                        ));
                    }
                },
                (SqlValue::Text(s), _) => q.bind(s.as_str()),
                (SqlValue::DateTime(d), _) => q.bind(*d),
            }
        }
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::mssql::read::numeric_text;
    use crate::db::schema::CmsSchema;
    use crate::model::DataType::*;

    fn site() -> TableMeta {
        TableMeta {
            name: "siteserver_Site".into(),
            columns: vec![
                Column::new("Id", Integer).identity().primary_key(),
                Column::new("SiteName", VarChar).length(50),
                Column::new("Top", Boolean),
            ],
        }
    }

    #[test]
    fn inserts_keep_ids_under_identity_insert() {
        let t = site();
        assert_eq!(
            insert_sql(&t.name, &t.columns, 2),
            "SET IDENTITY_INSERT [siteserver_Site] ON; \
             INSERT INTO [siteserver_Site] ([Id], [SiteName], [Top]) VALUES (@P1, @P2, @P3), (@P4, @P5, @P6); \
             SET IDENTITY_INSERT [siteserver_Site] OFF"
        );
        // No identity column, no IDENTITY_INSERT: SQL Server refuses it on such a table.
        let plain = [Column::new("A", Text), Column::new("B", Integer)];
        assert_eq!(
            insert_sql("no_key", &plain, 1),
            "INSERT INTO [no_key] ([A], [B]) VALUES (@P1, @P2)"
        );
    }

    /// A content table with every data type, an identity key and a `Top` column (a reserved
    /// word), as restore creates and fills it.
    fn content() -> TableMeta {
        TableMeta {
            name: "siteserver_Content_1".into(),
            columns: vec![
                Column::new("Id", Integer).identity().primary_key(),
                Column::new("Top", Boolean),
                Column::new("AddDate", DateTime),
                Column::new("Price", Decimal),
                Column::new("Hits", Integer),
                Column::new("Body", Text),
                Column::new("Title", VarChar).length(255),
            ],
        }
    }

    /// 6.15 creates SQL Server text as `ntext`, 7.4 as `nvarchar(max)` (spec `target-schema.md`
    /// §3); everything else, and the INSERT, is the same for both.
    #[test]
    fn ddl_and_insert_for_6_15_and_7_4_with_identity_and_top() {
        let t = content();
        let ddl = |text: &str| {
            format!(
                "CREATE TABLE [siteserver_Content_1] ([Id] int IDENTITY (1, 1), [Top] [bit], \
                 [AddDate] [datetime], [Price] [decimal] (18, 2), [Hits] [int], \
                 [Body] {text}, [Title] [nvarchar] (255), \
                 CONSTRAINT [PK_siteserver_Content_1_Id] PRIMARY KEY ([Id]))"
            )
        };
        for (schema, text) in [
            (CmsSchema::V6, "[ntext]"),
            (CmsSchema::V7, "[nvarchar] (max)"),
            (CmsSchema::Any, "[nvarchar] (max)"),
        ] {
            let target = schema.table_meta(Dialect::SqlServer, &t);
            assert_eq!(
                Dialect::SqlServer.create_table_in(schema, &target, &[]),
                ddl(text),
                "{schema:?}"
            );
            assert_eq!(
                insert_sql(&target.name, &target.columns, 1),
                "SET IDENTITY_INSERT [siteserver_Content_1] ON; \
                 INSERT INTO [siteserver_Content_1] ([Id], [Top], [AddDate], [Price], [Hits], [Body], [Title]) \
                 VALUES (@P1, @P2, @P3, @P4, @P5, @P6, @P7); \
                 SET IDENTITY_INSERT [siteserver_Content_1] OFF",
                "{schema:?}"
            );
        }
    }

    #[test]
    fn batches_stay_within_2100_parameters_and_1000_rows() {
        // A SQL Server table has at most 1,024 columns.
        for columns in [1, 2, 3, 7, 35, 100, 1_024] {
            let rows = Dialect::SqlServer.batch_rows(columns);
            assert!(
                (1..=1_000).contains(&rows),
                "{columns} columns: {rows} rows"
            );
            assert!(rows * columns < 2_100, "{columns} columns: {rows} rows");
        }
        assert_eq!(Dialect::SqlServer.batch_rows(1), 1_000);
        assert_eq!(Dialect::SqlServer.batch_rows(3), 666);
        assert_eq!(Dialect::SqlServer.batch_rows(35), 57);
        // The placeholders of a full batch run to @P1998 for 3 columns, under @P2100.
        let cols = &site().columns;
        let sql = insert_sql("t", cols, Dialect::SqlServer.batch_rows(cols.len()));
        assert!(sql.contains("@P1998)") && !sql.contains("@P1999"), "{sql}");
    }

    #[test]
    fn identity_is_reseeded_past_the_largest_id() {
        assert_eq!(
            max_id_sql("siteserver_Site", "Id"),
            "SELECT CAST(MAX([Id]) AS bigint) FROM [siteserver_Site]"
        );
        assert_eq!(
            reseed_sql("siteserver_Site", 42),
            "DBCC CHECKIDENT (N'[siteserver_Site]', RESEED, 42) WITH NO_INFOMSGS"
        );
        assert_eq!(
            reseed_sql("it's]", 7),
            "DBCC CHECKIDENT (N'[it''s]]]', RESEED, 7) WITH NO_INFOMSGS"
        );
    }

    #[test]
    fn decimals_cross_exactly() {
        for (text, value, scale) in [
            ("12.50", 1250, 2),
            ("-0.001", -1, 3),
            ("0.0", 0, 1),
            ("5", 5, 0),
            ("9999999999999999.99", 999_999_999_999_999_999, 2),
        ] {
            let n = numeric(text).unwrap();
            assert_eq!((n.value(), n.scale()), (value, scale), "{text}");
            assert_eq!(numeric_text(n), text, "{text}");
        }
        assert_eq!(numeric_text(Numeric::new_with_scale(-5, 3)), "-0.005");
        assert_eq!(numeric_text(Numeric::new_with_scale(120, 1)), "12.0");
        // 39 digits are more than any SQL Server decimal holds.
        assert!(numeric(&format!("{}.5", "9".repeat(38))).is_none());
        assert!(numeric(&format!("0.{}", "1".repeat(37))).is_some());
    }
}
