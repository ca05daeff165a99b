//! Restore through TDS bulk load (`INSERT BULK`, what SqlBulkCopy and bcp use): each value is
//! encoded for the column type the server reports, so nothing is converted on the way in.
//!
//! tiberius writes a value in the layout of its target column only when the `ColumnData`
//! variant matches that column (an `I64` sent to an `int` column goes out as 8 bytes), so the
//! types are read from the server first and every value is checked and shaped here, before the
//! load starts: a value that cannot go in fails the batch before a byte of it is sent.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use tiberius::numeric::Numeric;
use tiberius::time::{Date, DateTime, DateTime2, Time};
use tiberius::{
    ColumnData, FixedLenType, MetaDataColumn, SqlBulkCopyOption, SqlBulkCopyOptions, TokenRow,
    TypeInfo, VarLenType,
};

use super::bulk_column::{BulkColumn, BulkType};
use super::write::{numeric, row_key};
use crate::db::dialect::Dialect;
use crate::error::{Error, Result};
use crate::model::TableMeta;
use crate::value::SqlValue;

/// Rows per bulk load. There is no parameter limit, and each load costs three round trips
/// (tiberius' column query, `INSERT BULK`, the rows), so batches are large; the restore loop
/// still bounds each by its bytes and by the rows of one committed chunk.
pub(super) const BULK_BATCH_ROWS: usize = 10_000;

/// Ids are kept (tiberius then lists the identity column, as SqlBulkCopy does, instead of a
/// keyword); NULL stays NULL rather than becoming a column default, and constraints are
/// checked, as an INSERT would; one bulk-update lock instead of a lock per row, which is safe
/// because one connection alone loads a table. No `ORDER` hint: the folder is in the source's
/// key order, which for text keys may differ from the target collation's, and a wrong hint
/// fails the load.
pub(super) fn bulk_options() -> SqlBulkCopyOptions {
    SqlBulkCopyOption::KeepIdentity
        | SqlBulkCopyOption::KeepNulls
        | SqlBulkCopyOption::CheckConstraints
        | SqlBulkCopyOption::TableLock
}

/// The bulk type of a server column, or None for a type this module does not encode.
pub(super) fn bulk_type(ty: &TypeInfo) -> Option<BulkType> {
    Some(match ty {
        TypeInfo::FixedLen(FixedLenType::Bit) => BulkType::Bit,
        TypeInfo::FixedLen(FixedLenType::Int1) => BulkType::Int(1),
        TypeInfo::FixedLen(FixedLenType::Int2) => BulkType::Int(2),
        TypeInfo::FixedLen(FixedLenType::Int4) => BulkType::Int(4),
        TypeInfo::FixedLen(FixedLenType::Int8) => BulkType::Int(8),
        TypeInfo::FixedLen(FixedLenType::Datetime) => BulkType::DateTime,
        TypeInfo::VarLenSizedPrecision {
            ty: VarLenType::Decimaln | VarLenType::Numericn,
            precision,
            scale,
            ..
        } => BulkType::Decimal {
            precision: *precision,
            scale: *scale,
        },
        TypeInfo::VarLenSized(cx) => match (cx.r#type(), cx.len()) {
            (VarLenType::Bitn, _) => BulkType::Bit,
            (VarLenType::Intn, len @ (1 | 2 | 4 | 8)) => BulkType::Int(u8::try_from(len).ok()?),
            (VarLenType::Datetimen, 8) => BulkType::DateTime,
            (VarLenType::Datetime2, scale @ 0..=7) => {
                BulkType::DateTime2(u8::try_from(scale).ok()?)
            }
            // The length is in bytes; 0xffff marks (max).
            (VarLenType::NVarchar, 0xffff) => BulkType::Text(None),
            (VarLenType::NText, _) => BulkType::NText,
            // tiberius 0.13 declares nvarchar(n) in `INSERT BULK` with its length in bytes,
            // nvarchar(2n): wider than the column, harmless as values are checked against n.
            // Beyond n = 2,000 it declares nvarchar(max) but sends the rows as nvarchar(n), a
            // mismatch SQL Server may refuse ("Invalid column type from bcp client", error
            // 4816, as in tiberius issue #322), so such tables take INSERTs.
            (VarLenType::NVarchar, bytes) if bytes <= 4_000 => BulkType::Text(Some(bytes / 2)),
            _ => return None,
        },
        _ => return None,
    })
}

/// The bulk columns of `table` from the server's metadata of its columns (queried in the
/// table's column order), or None when the load must go through INSERTs: an `nvarchar(n)` of
/// more than 2,000 characters (see [`bulk_type`]), a column of a type not encoded here
/// (`smalldatetime`, `varchar`, `nchar`…), or one tiberius would leave out of the load
/// (computed or read-only), which only a table this tool did not create has.
pub(super) fn bulk_columns(table: &TableMeta, meta: &[MetaDataColumn]) -> Option<Vec<BulkColumn>> {
    if meta.len() != table.columns.len() {
        return None;
    }
    meta.iter()
        .map(|m| {
            let base = m.base();
            if !(base.is_updateable() || base.is_identity()) {
                return None;
            }
            Some(BulkColumn {
                ty: bulk_type(base.ty())?,
                nullable: base.is_nullable(),
            })
        })
        .collect()
}

/// The longest `nvarchar(max)` text tiberius 0.13 bulk loads, in UTF-16 code units: it checks
/// every `nvarchar` value against the column's length field, which is 0xffff bytes for (max).
pub(super) const MAX_BULK_TEXT_UNITS: usize = 0xffff / 2;

/// Returns true if and only if every value of `row` can go through bulk load; a row with a
/// longer `nvarchar(max)` text goes through an INSERT (`ntext` has no such limit).
pub(super) fn bulk_fits(columns: &[BulkColumn], row: &[SqlValue]) -> bool {
    columns.iter().zip(row).all(|(c, v)| match (c.ty, v) {
        // UTF-16 has at most as many code units as UTF-8 has bytes.
        (BulkType::Text(None), SqlValue::Text(s)) => {
            s.len() <= MAX_BULK_TEXT_UNITS || s.encode_utf16().count() <= MAX_BULK_TEXT_UNITS
        }
        _ => true,
    })
}

/// The quoted column names of a bulk load, in the table's column order.
pub(super) fn column_list(table: &TableMeta) -> Vec<String> {
    table
        .columns
        .iter()
        .map(|c| Dialect::SqlServer.quote(&c.attribute_name))
        .collect()
}

/// One row as the bulk load sends it, or an error naming table, row and column.
pub(super) fn bulk_row<'a>(
    table: &TableMeta,
    columns: &[BulkColumn],
    row: &'a [SqlValue],
) -> Result<TokenRow<'a>> {
    let mut out = TokenRow::with_capacity(columns.len());
    for (i, (col, v)) in columns.iter().zip(row).enumerate() {
        let data = bulk_value(*col, v).map_err(|why| {
            Error::table(
                &table.name,
                format!(
                    "row{}, column `{}`: {why}",
                    row_key(table, row),
                    table.columns[i].attribute_name
                ),
            )
        })?;
        out.push(data);
    }
    Ok(out)
}

/// One value for a column of type `col`, or why it cannot go in unchanged.
pub(super) fn bulk_value(col: BulkColumn, v: &SqlValue) -> Result<ColumnData<'_>, String> {
    if matches!(v, SqlValue::Null) {
        if !col.nullable {
            return Err("NULL in a NOT NULL column".into());
        }
        // A NULL is typed as its column, so tiberius writes the column's NULL.
        return Ok(match col.ty {
            BulkType::Bit => ColumnData::Bit(None),
            BulkType::Int(1) => ColumnData::U8(None),
            BulkType::Int(2) => ColumnData::I16(None),
            BulkType::Int(4) => ColumnData::I32(None),
            BulkType::Int(_) => ColumnData::I64(None),
            BulkType::DateTime => ColumnData::DateTime(None),
            BulkType::DateTime2(_) => ColumnData::DateTime2(None),
            BulkType::Decimal { .. } => ColumnData::Numeric(None),
            BulkType::Text(_) | BulkType::NText => ColumnData::String(None),
        });
    }
    match (col.ty, v) {
        (BulkType::Bit, SqlValue::Bool(b)) => Ok(ColumnData::Bit(Some(*b))),
        (BulkType::Int(size), SqlValue::Int(i)) => int(size, *i),
        (BulkType::Decimal { precision, scale }, SqlValue::Decimal(s)) => {
            decimal(s, precision, scale).map(|n| ColumnData::Numeric(Some(n)))
        }
        (BulkType::DateTime, SqlValue::DateTime(d)) => datetime(d),
        (BulkType::DateTime2(scale), SqlValue::DateTime(d)) => datetime2(d, scale),
        (BulkType::NText, SqlValue::Text(s)) => Ok(ColumnData::String(Some(Cow::Borrowed(s)))),
        (BulkType::Text(limit), SqlValue::Text(s)) => {
            let units = s.encode_utf16().count();
            match limit {
                Some(n) if units > n => Err(format!(
                    "text of {units} UTF-16 code units does not fit nvarchar({n})"
                )),
                _ => Ok(ColumnData::String(Some(Cow::Borrowed(s.as_str())))),
            }
        }
        (ty, v) => Err(format!("a {v:?} cannot be loaded into a {ty:?} column")),
    }
}

fn int(size: u8, i: i64) -> Result<ColumnData<'static>, String> {
    let fits = |ok: bool, ty: &str| {
        if ok {
            Ok(())
        } else {
            Err(format!("{i} does not fit {ty}"))
        }
    };
    Ok(match size {
        1 => {
            fits(u8::try_from(i).is_ok(), "tinyint")?;
            ColumnData::U8(u8::try_from(i).ok())
        }
        2 => {
            fits(i16::try_from(i).is_ok(), "smallint")?;
            ColumnData::I16(i16::try_from(i).ok())
        }
        4 => {
            fits(i32::try_from(i).is_ok(), "int")?;
            ColumnData::I32(i32::try_from(i).ok())
        }
        _ => ColumnData::I64(Some(i)),
    })
}

/// The decimal at the column's own scale, so tiberius sends it as it is: it would otherwise
/// rescale it, rounding away digits the column cannot hold.
fn decimal(text: &str, precision: u8, scale: u8) -> Result<Numeric, String> {
    let n = numeric(text)
        .ok_or_else(|| format!("{text} has more than the 38 digits SQL Server decimals hold"))?;
    let too_wide = || format!("{text} does not fit decimal({precision}, {scale})");
    let value = if n.scale() > scale {
        let factor = 10i128.pow(u32::from(n.scale() - scale));
        if n.value() % factor != 0 {
            return Err(format!(
                "{text} has more than the {scale} decimal places of decimal({precision}, {scale})"
            ));
        }
        n.value() / factor
    } else {
        10i128
            .checked_pow(u32::from(scale - n.scale()))
            .and_then(|f| n.value().checked_mul(f))
            .ok_or_else(too_wide)?
    };
    let limit = 10i128
        .checked_pow(u32::from(precision))
        .ok_or_else(too_wide)?;
    if value.unsigned_abs() >= limit.unsigned_abs() {
        return Err(too_wide());
    }
    Ok(Numeric::new_with_scale(value, scale))
}

/// Nanoseconds of the time of day, refusing the leap second chrono can hold.
fn nanos_of_day(d: &NaiveDateTime) -> Result<u64, String> {
    let nanos = d.time().nanosecond();
    if nanos >= 1_000_000_000 {
        return Err(format!(
            "{d} is a leap second, which SQL Server has no way to store"
        ));
    }
    Ok(u64::from(d.time().num_seconds_from_midnight()) * 1_000_000_000 + u64::from(nanos))
}

const NANOS_PER_DAY: u64 = 86_400 * 1_000_000_000;

/// `datetime` counts 1/300 s; a fraction between two ticks is rounded to the nearest, as SQL
/// Server rounds it (restore only creates `datetime` for whole seconds, which are exact).
fn datetime(d: &NaiveDateTime) -> Result<ColumnData<'static>, String> {
    let epoch = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default();
    let mut days = (d.date() - epoch).num_days();
    let mut ticks = (nanos_of_day(d)? * 300 + 500_000_000) / 1_000_000_000;
    if ticks == NANOS_PER_DAY / 1_000_000_000 * 300 {
        days += 1;
        ticks = 0;
    }
    // 1753-01-01 and 9999-12-31 as days from 1900-01-01.
    if !(-53_690..=2_958_463).contains(&days) {
        return Err(format!(
            "{d} is outside 1753-01-01 to 9999-12-31, the dates SQL Server's datetime holds"
        ));
    }
    let days = i32::try_from(days).map_err(|_| format!("{d} does not fit datetime"))?;
    let ticks = u32::try_from(ticks).map_err(|_| format!("{d} does not fit datetime"))?;
    Ok(ColumnData::DateTime(Some(DateTime::new(days, ticks))))
}

/// `datetime2(scale)` as the wall-clock time written, at the column's own scale, so tiberius
/// does not rescale it through a float.
fn datetime2(d: &NaiveDateTime, scale: u8) -> Result<ColumnData<'static>, String> {
    let days = d.date().num_days_from_ce() - 1;
    let days = u32::try_from(days)
        .ok()
        .filter(|d| *d >> 24 == 0)
        .ok_or_else(|| format!("{d} is outside the years 1 to 9999 that datetime2 holds"))?;
    let unit = 10u64.pow(9 - u32::from(scale));
    let nanos = nanos_of_day(d)?;
    if nanos % unit != 0 {
        return Err(format!(
            "{d} has more fractional digits than the {scale} of datetime2({scale})"
        ));
    }
    Ok(ColumnData::DateTime2(Some(DateTime2::new(
        Date::new(days),
        Time::new(nanos / unit, scale),
    ))))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDateTime;
    use tiberius::{ColumnData, FixedLenType, TypeInfo, VarLenContext, VarLenType};

    use super::super::fake_server::{self, BULK_LOAD, FakeColumn, RPC, ty, utf16};
    use super::*;
    use crate::db::driver::DatabaseDriver;
    use crate::model::DataType::{Boolean, Decimal, Integer, Text, VarChar};
    use crate::model::{Column, DataType};

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    fn col(ty: BulkType) -> BulkColumn {
        BulkColumn { ty, nullable: true }
    }

    fn text(s: &str) -> SqlValue {
        SqlValue::Text(s.into())
    }

    /// The types restore creates map to bulk types; others send the table through INSERTs.
    #[test]
    fn server_types_map_to_bulk_types() {
        let var = |t, len| TypeInfo::VarLenSized(VarLenContext::new(t, len, None));
        for (info, want) in [
            (
                TypeInfo::FixedLen(FixedLenType::Int4),
                Some(BulkType::Int(4)),
            ),
            (
                TypeInfo::FixedLen(FixedLenType::Int8),
                Some(BulkType::Int(8)),
            ),
            (TypeInfo::FixedLen(FixedLenType::Bit), Some(BulkType::Bit)),
            (
                TypeInfo::FixedLen(FixedLenType::Datetime),
                Some(BulkType::DateTime),
            ),
            (var(VarLenType::Intn, 4), Some(BulkType::Int(4))),
            (var(VarLenType::Intn, 8), Some(BulkType::Int(8))),
            (var(VarLenType::Bitn, 1), Some(BulkType::Bit)),
            (var(VarLenType::Datetimen, 8), Some(BulkType::DateTime)),
            (var(VarLenType::Datetime2, 3), Some(BulkType::DateTime2(3))),
            (
                var(VarLenType::NVarchar, 510),
                Some(BulkType::Text(Some(255))),
            ),
            (
                var(VarLenType::NVarchar, 4_000),
                Some(BulkType::Text(Some(2_000))),
            ),
            (
                var(VarLenType::NVarchar, 0xffff),
                Some(BulkType::Text(None)),
            ),
            // nvarchar(2001) to nvarchar(4000): tiberius would declare them (max).
            (var(VarLenType::NVarchar, 4_002), None),
            (var(VarLenType::NVarchar, 8_000), None),
            (var(VarLenType::NText, 0x7fff_fffe), Some(BulkType::NText)),
            (
                TypeInfo::VarLenSizedPrecision {
                    ty: VarLenType::Decimaln,
                    size: 9,
                    precision: 18,
                    scale: 2,
                },
                Some(BulkType::Decimal {
                    precision: 18,
                    scale: 2,
                }),
            ),
            // smalldatetime, varchar, nchar, money: not created by restore, not encoded here.
            (var(VarLenType::Datetimen, 4), None),
            (TypeInfo::FixedLen(FixedLenType::Datetime4), None),
            (var(VarLenType::BigVarChar, 100), None),
            (var(VarLenType::NChar, 20), None),
            (TypeInfo::FixedLen(FixedLenType::Money), None),
        ] {
            assert_eq!(bulk_type(&info), want, "{info:?}");
        }
    }

    #[test]
    fn options_keep_ids_and_nulls_check_constraints_and_lock_the_table() {
        let o = bulk_options();
        for flag in [
            SqlBulkCopyOption::KeepIdentity,
            SqlBulkCopyOption::KeepNulls,
            SqlBulkCopyOption::CheckConstraints,
            SqlBulkCopyOption::TableLock,
        ] {
            assert!(o.contains(flag), "{flag:?}");
        }
        assert!(!o.contains(SqlBulkCopyOption::FireTriggers));
    }

    /// A NULL goes as its own column's type, and a NOT NULL column refuses it.
    #[test]
    fn null_is_typed_per_column() {
        for (ty, want) in [
            (BulkType::Bit, ColumnData::Bit(None)),
            (BulkType::Int(1), ColumnData::U8(None)),
            (BulkType::Int(2), ColumnData::I16(None)),
            (BulkType::Int(4), ColumnData::I32(None)),
            (BulkType::Int(8), ColumnData::I64(None)),
            (BulkType::DateTime, ColumnData::DateTime(None)),
            (BulkType::DateTime2(7), ColumnData::DateTime2(None)),
            (
                BulkType::Decimal {
                    precision: 18,
                    scale: 2,
                },
                ColumnData::Numeric(None),
            ),
            (BulkType::Text(Some(10)), ColumnData::String(None)),
            (BulkType::Text(None), ColumnData::String(None)),
            (BulkType::NText, ColumnData::String(None)),
        ] {
            assert_eq!(bulk_value(col(ty), &SqlValue::Null), Ok(want), "{ty:?}");
            let not_null = BulkColumn {
                ty,
                nullable: false,
            };
            assert_eq!(
                bulk_value(not_null, &SqlValue::Null),
                Err("NULL in a NOT NULL column".into())
            );
        }
    }

    #[test]
    fn text_goes_as_written_and_empty_is_not_null() {
        let big = "段".repeat(600_000);
        for s in [
            "",
            "a\tb\nc\r\nd\\e\\\\",
            "中文标题",
            "😀 emoji",
            "'quoted' \"double\" [brackets]",
            big.as_str(),
        ] {
            assert_eq!(
                bulk_value(col(BulkType::Text(None)), &text(s)),
                Ok(ColumnData::String(Some(Cow::Borrowed(s))))
            );
        }
        // nvarchar(n) counts UTF-16 code units: an emoji is two.
        let four = col(BulkType::Text(Some(4)));
        assert!(bulk_value(four, &text("中文中文")).is_ok());
        assert_eq!(
            bulk_value(four, &text("😀😀😀")),
            Err("text of 6 UTF-16 code units does not fit nvarchar(4)".into())
        );
        assert_eq!(
            bulk_value(col(BulkType::NText), &text(&big)),
            Ok(ColumnData::String(Some(Cow::Borrowed(big.as_str()))))
        );
    }

    /// tiberius refuses an nvarchar(max) value over 0xffff bytes in a bulk load, so such a row
    /// goes through an INSERT; ntext and shorter text stay in the load.
    #[test]
    fn long_nvarchar_max_text_leaves_the_bulk_load() {
        let max = [col(BulkType::Int(4)), col(BulkType::Text(None))];
        let row = |s: String| vec![SqlValue::Int(1), SqlValue::Text(s)];
        assert!(bulk_fits(&max, &row("段".repeat(32_767))));
        assert!(!bulk_fits(&max, &row("a".repeat(32_768))));
        // 16,384 emoji are 65,536 bytes of UTF-16.
        assert!(!bulk_fits(&max, &row("😀".repeat(16_384))));
        assert!(bulk_fits(&max, &row("😀".repeat(16_383))));
        assert!(bulk_fits(&max, &[SqlValue::Int(1), SqlValue::Null]));
        let ntext = [col(BulkType::Int(4)), col(BulkType::NText)];
        assert!(bulk_fits(&ntext, &row("a".repeat(2_000_000))));
    }

    #[test]
    fn booleans_and_integers_take_their_columns_size() {
        assert_eq!(
            bulk_value(col(BulkType::Bit), &SqlValue::Bool(true)),
            Ok(ColumnData::Bit(Some(true)))
        );
        assert_eq!(
            bulk_value(col(BulkType::Int(4)), &SqlValue::Int(-7)),
            Ok(ColumnData::I32(Some(-7)))
        );
        assert_eq!(
            bulk_value(col(BulkType::Int(8)), &SqlValue::Int(i64::MAX)),
            Ok(ColumnData::I64(Some(i64::MAX)))
        );
        assert_eq!(
            bulk_value(col(BulkType::Int(4)), &SqlValue::Int(1 << 31)),
            Err("2147483648 does not fit int".into())
        );
        assert_eq!(
            bulk_value(col(BulkType::Int(1)), &SqlValue::Int(-1)),
            Err("-1 does not fit tinyint".into())
        );
        assert_eq!(
            bulk_value(col(BulkType::Bit), &SqlValue::Int(1)),
            Err("a Int(1) cannot be loaded into a Bit column".into())
        );
    }

    /// Decimals go at the column's scale, exactly: padding zeros are added, digits are never
    /// rounded away.
    #[test]
    fn decimals_are_exact_at_the_column_scale() {
        let d = |p, s| {
            col(BulkType::Decimal {
                precision: p,
                scale: s,
            })
        };
        let num = |v, s| Ok(ColumnData::Numeric(Some(Numeric::new_with_scale(v, s))));
        let dec = |s: &str| SqlValue::Decimal(s.into());
        assert_eq!(bulk_value(d(18, 2), &dec("12.5")), num(1250, 2));
        assert_eq!(bulk_value(d(18, 2), &dec("12.50")), num(1250, 2));
        assert_eq!(bulk_value(d(18, 2), &dec("-0.01")), num(-1, 2));
        assert_eq!(bulk_value(d(18, 2), &dec("0")), num(0, 2));
        assert_eq!(bulk_value(d(18, 2), &dec("3.100")), num(310, 2));
        let max38 = "9".repeat(38);
        assert_eq!(
            bulk_value(d(38, 0), &dec(&max38)),
            num(max38.parse().unwrap(), 0)
        );
        assert_eq!(
            bulk_value(
                d(38, 10),
                &dec(&format!("{}.{}", "1".repeat(28), "2".repeat(10)))
            ),
            num(
                format!("{}{}", "1".repeat(28), "2".repeat(10))
                    .parse()
                    .unwrap(),
                10
            )
        );
        assert_eq!(
            bulk_value(d(18, 2), &dec("1.235")),
            Err("1.235 has more than the 2 decimal places of decimal(18, 2)".into())
        );
        assert_eq!(
            bulk_value(d(18, 2), &dec("1234567890123456.5")),
            num(123_456_789_012_345_650, 2)
        );
        assert_eq!(
            bulk_value(d(18, 2), &dec("12345678901234567.5")),
            Err("12345678901234567.5 does not fit decimal(18, 2)".into())
        );
        let wide = format!("{}.5", "9".repeat(38));
        assert_eq!(
            bulk_value(d(38, 1), &dec(&wide)),
            Err(format!(
                "{wide} has more than the 38 digits SQL Server decimals hold"
            ))
        );
    }

    /// Dates are wall-clock times: no zone, the fraction kept to the column's digits.
    #[test]
    fn datetimes_keep_their_wall_clock_time() {
        let dt = |s: &str| SqlValue::DateTime(at(s));
        let dt2 = |days, inc, scale| {
            Ok(ColumnData::DateTime2(Some(DateTime2::new(
                Date::new(days),
                Time::new(inc, scale),
            ))))
        };
        let day = 738_944; // 2024-02-29, from 0001-01-01
        let secs = 49_507; // 13:45:07
        assert_eq!(
            bulk_value(col(BulkType::DateTime2(3)), &dt("2024-02-29 13:45:07.123")),
            dt2(day, secs * 1_000 + 123, 3)
        );
        assert_eq!(
            bulk_value(
                col(BulkType::DateTime2(7)),
                &dt("2024-02-29 13:45:07.1234567")
            ),
            dt2(day, secs * 10_000_000 + 1_234_567, 7)
        );
        assert_eq!(
            bulk_value(col(BulkType::DateTime2(0)), &dt("0001-01-01 00:00:00")),
            dt2(0, 0, 0)
        );
        assert_eq!(
            bulk_value(col(BulkType::DateTime2(3)), &dt("2024-02-29 13:45:07.1234")),
            Err(
                "2024-02-29 13:45:07.123400 has more fractional digits than the 3 of datetime2(3)"
                    .into()
            )
        );

        // datetime: days from 1900-01-01 and 1/300 s.
        let dtm = |days, ticks| Ok(ColumnData::DateTime(Some(DateTime::new(days, ticks))));
        assert_eq!(
            bulk_value(col(BulkType::DateTime), &dt("2024-02-29 13:45:07")),
            dtm(45_349, 49_507 * 300)
        );
        assert_eq!(
            bulk_value(col(BulkType::DateTime), &dt("2024-02-29 13:45:07.5")),
            dtm(45_349, 49_507 * 300 + 150)
        );
        assert_eq!(
            bulk_value(col(BulkType::DateTime), &dt("2024-02-29 23:59:59.999")),
            dtm(45_350, 0)
        );
        assert_eq!(
            bulk_value(col(BulkType::DateTime), &dt("1753-01-01 00:00:00")),
            dtm(-53_690, 0)
        );
        assert_eq!(
            bulk_value(col(BulkType::DateTime), &dt("1752-12-31 23:59:59")),
            Err(
                "1752-12-31 23:59:59 is outside 1753-01-01 to 9999-12-31, the dates SQL Server's \
                 datetime holds"
                    .into()
            )
        );
    }

    fn content() -> TableMeta {
        TableMeta {
            name: "siteserver_Content_1".into(),
            columns: vec![
                Column::new("Id", Integer).identity().primary_key(),
                Column::new("Top", Boolean),
                Column::new("AddDate", DataType::DateTime),
                Column::new("Stamp", DataType::DateTime),
                Column::new("Price", Decimal),
                Column::new("Hits", Integer),
                Column::new("Big", Integer),
                Column::new("Title", VarChar).length(255),
                Column::new("Body", Text),
                Column::new("Legacy", Text),
            ],
        }
    }

    /// The columns as restore creates them (`Stamp` widened to datetime2(3), `Big` to
    /// bigint, `Legacy` as a 6.x folder's ntext), described as SQL Server does.
    fn content_columns() -> Vec<FakeColumn> {
        vec![
            FakeColumn::identity("Id"),
            FakeColumn::new("Top", ty::bit()),
            FakeColumn::new("AddDate", ty::datetime()),
            FakeColumn::new("Stamp", ty::datetime2(3)),
            FakeColumn::new("Price", ty::decimal(18, 2)),
            FakeColumn::new("Hits", ty::int()),
            FakeColumn::new("Big", ty::bigint()),
            FakeColumn::new("Title", ty::nvarchar(Some(255))),
            FakeColumn::new("Body", ty::nvarchar(None)),
            FakeColumn::new("Legacy", ty::ntext("siteserver_Content_1")),
        ]
    }

    #[test]
    fn errors_name_table_row_and_column() {
        let t = content();
        let cols: Vec<BulkColumn> = [
            BulkType::Int(4),
            BulkType::Bit,
            BulkType::DateTime,
            BulkType::DateTime2(3),
            BulkType::Decimal {
                precision: 18,
                scale: 2,
            },
            BulkType::Int(4),
            BulkType::Int(8),
            BulkType::Text(Some(255)),
            BulkType::Text(None),
            BulkType::NText,
        ]
        .into_iter()
        .map(col)
        .collect();
        let mut row = vec![SqlValue::Null; 10];
        row[0] = SqlValue::Int(42);
        row[4] = SqlValue::Decimal(format!("{}.5", "9".repeat(38)));
        let err = bulk_row(&t, &cols, &row).err().unwrap().to_string();
        assert_eq!(
            err,
            format!(
                "table `siteserver_Content_1`: row Id=42, column `Price`: {}.5 has more than \
                 the 38 digits SQL Server decimals hold",
                "9".repeat(38)
            )
        );
    }

    /// Expected bytes of one value, in the layouts of MS-TDS §2.2.5.2 (fixed types bare,
    /// BYTELEN types with a length byte, USHORTLEN with two, PLP in chunks, ntext after a text
    /// pointer), written out here independently of tiberius.
    mod wire {
        pub fn bit(v: Option<bool>) -> Vec<u8> {
            v.map_or(vec![0], |b| vec![1, u8::from(b)])
        }
        pub fn intn4(v: Option<i32>) -> Vec<u8> {
            v.map_or(vec![0], |i| [&[4][..], &i.to_le_bytes()].concat())
        }
        pub fn intn8(v: Option<i64>) -> Vec<u8> {
            v.map_or(vec![0], |i| [&[8][..], &i.to_le_bytes()].concat())
        }
        pub fn datetime(v: Option<(i32, u32)>) -> Vec<u8> {
            v.map_or(vec![0], |(d, t)| {
                [&[8][..], &d.to_le_bytes(), &t.to_le_bytes()].concat()
            })
        }
        /// datetime2(3): four bytes of time, three of date.
        pub fn datetime2_3(v: Option<(u32, u32)>) -> Vec<u8> {
            v.map_or(vec![0], |(days, inc)| {
                [&[7][..], &inc.to_le_bytes(), &days.to_le_bytes()[..3]].concat()
            })
        }
        /// A decimal of up to 9 digits: length 5, sign (1 = positive), four bytes.
        pub fn decimal9(v: Option<i32>) -> Vec<u8> {
            v.map_or(vec![0], |i| {
                [&[5, u8::from(i >= 0)][..], &i.unsigned_abs().to_le_bytes()].concat()
            })
        }
        pub fn nvarchar(v: Option<&str>) -> Vec<u8> {
            v.map_or(vec![0xFF, 0xFF], |s| {
                let d = super::utf16(s);
                [&u16::try_from(d.len()).unwrap().to_le_bytes()[..], &d].concat()
            })
        }
        /// nvarchar(max): unknown length, one chunk, then the zero-length terminator (which
        /// alone is the empty string).
        pub fn plp(v: Option<&str>) -> Vec<u8> {
            let Some(s) = v else {
                return vec![0xFF; 8];
            };
            let d = super::utf16(s);
            let mut out = 0xFFFF_FFFF_FFFF_FFFEu64.to_le_bytes().to_vec();
            if !d.is_empty() {
                out.extend(u32::try_from(d.len()).unwrap().to_le_bytes());
                out.extend(d);
            }
            out.extend([0; 4]);
            out
        }
        /// ntext: a 16-byte text pointer and an 8-byte timestamp (ignored by the server on a
        /// load), the length, the text; NULL is a zero-length pointer.
        pub fn ntext(v: Option<&str>) -> Vec<u8> {
            v.map_or(vec![0], |s| {
                let d = super::utf16(s);
                [
                    &[16][..],
                    &[0; 24],
                    &u32::try_from(d.len()).unwrap().to_le_bytes(),
                    &d,
                ]
                .concat()
            })
        }
    }

    /// The whole bulk load as tiberius puts it on the wire, against a server that describes
    /// the table as SQL Server would: the statements, then every byte of every row. The
    /// `INSERT BULK` text is tiberius' own, `[Title] nvarchar(510)` included (see `bulk_type`).
    #[tokio::test]
    async fn bulk_load_sends_every_type_exactly() {
        let t = content();
        let big = "段".repeat(600_000); // 1.2 MB as UTF-16
        let rows = vec![
            vec![
                SqlValue::Int(1),
                SqlValue::Bool(true),
                SqlValue::DateTime(at("2024-02-29 13:45:07")),
                SqlValue::DateTime(at("2024-02-29 13:45:07.123")),
                SqlValue::Decimal("12.50".into()),
                SqlValue::Int(-7),
                SqlValue::Int(9_007_199_254_740_993),
                text("a\tb\nc\\d"),
                text("中文 😀"),
                text("x\r\ny"),
            ],
            [vec![SqlValue::Int(2)], vec![SqlValue::Null; 9]].concat(),
            vec![
                SqlValue::Int(3),
                SqlValue::Bool(false),
                SqlValue::DateTime(at("1900-01-01 00:00:00")),
                SqlValue::DateTime(at("0001-01-01 00:00:00")),
                SqlValue::Decimal("-0.01".into()),
                SqlValue::Int(0),
                SqlValue::Int(0),
                text(""),
                text(""),
                text(""),
            ],
            [
                vec![SqlValue::Int(4)],
                vec![SqlValue::Null; 8],
                vec![text(&big)],
            ]
            .concat(),
            [
                vec![SqlValue::Int(5)],
                vec![SqlValue::Null; 7],
                vec![text(&big), SqlValue::Null],
            ]
            .concat(),
        ];
        let (mut driver, log) = fake_server::driver(content_columns(), 4).await;
        driver.insert_rows(&t, &rows).await.unwrap();

        let columns = "[Id], [Top], [AddDate], [Stamp], [Price], [Hits], [Big], [Title], [Body], \
                       [Legacy]";
        let select = format!("SELECT TOP 0 {columns} FROM [siteserver_Content_1]");
        let insert_bulk = "INSERT BULK [siteserver_Content_1] ([Id] int, [Top] bit, \
             [AddDate] datetime, [Stamp] datetime2(3), [Price] decimal(18,2), [Hits] int, \
             [Big] bigint, [Title] nvarchar(510), [Body] nvarchar(max), [Legacy] ntext) \
             WITH (CHECK_CONSTRAINTS, TABLOCK, KEEP_NULLS)";
        // Our read of the types, tiberius' own, then the load; no IDENTITY_INSERT.
        assert_eq!(log.batches(), [select.as_str(), &select, insert_bulk]);

        let expected: Vec<u8> = [
            [
                vec![0xD1],
                1i32.to_le_bytes().to_vec(),
                wire::bit(Some(true)),
                wire::datetime(Some((45_349, 49_507 * 300))),
                wire::datetime2_3(Some((738_944, 49_507_123))),
                wire::decimal9(Some(1250)),
                wire::intn4(Some(-7)),
                wire::intn8(Some(9_007_199_254_740_993)),
                wire::nvarchar(Some("a\tb\nc\\d")),
                wire::plp(Some("中文 😀")),
                wire::ntext(Some("x\r\ny")),
            ]
            .concat(),
            [
                vec![0xD1],
                2i32.to_le_bytes().to_vec(),
                wire::bit(None),
                wire::datetime(None),
                wire::datetime2_3(None),
                wire::decimal9(None),
                wire::intn4(None),
                wire::intn8(None),
                wire::nvarchar(None),
                wire::plp(None),
                wire::ntext(None),
            ]
            .concat(),
            [
                vec![0xD1],
                3i32.to_le_bytes().to_vec(),
                wire::bit(Some(false)),
                wire::datetime(Some((0, 0))),
                wire::datetime2_3(Some((0, 0))),
                wire::decimal9(Some(-1)),
                wire::intn4(Some(0)),
                wire::intn8(Some(0)),
                wire::nvarchar(Some("")),
                wire::plp(Some("")),
                wire::ntext(Some("")),
            ]
            .concat(),
            [
                vec![0xD1],
                4i32.to_le_bytes().to_vec(),
                wire::bit(None),
                wire::datetime(None),
                wire::datetime2_3(None),
                wire::decimal9(None),
                wire::intn4(None),
                wire::intn8(None),
                wire::nvarchar(None),
                wire::plp(None),
                wire::ntext(Some(&big)),
            ]
            .concat(),
            // The client's DONE ends the load.
            fake_server::done(None),
        ]
        .concat();
        let loads = log.messages(BULK_LOAD);
        assert_eq!(loads.len(), 1);
        let load = &loads[0];
        // COLMETADATA first, with the ten columns, then exactly the rows.
        assert_eq!(load[0], 0x81);
        assert_eq!(load[1..3], 10u16.to_le_bytes());
        assert!(load.len() > expected.len());
        let (meta, data) = load.split_at(load.len() - expected.len());
        assert!(
            data == expected.as_slice(),
            "the rows differ from the expected bytes"
        );
        // ntext carries its table's name in the load's metadata.
        let name = fake_server::us_varchar("[siteserver_Content_1]");
        assert!(meta.windows(name.len()).any(|w| w == name), "{meta:02x?}");

        // Row 5's 1.2 MB nvarchar(max) text is more than tiberius bulk loads: it follows as
        // an INSERT, its text one PLP parameter of unknown length, one chunk, the terminator.
        let inserts = log.messages(RPC);
        assert_eq!(inserts.len(), 1);
        let rpc = &inserts[0];
        let sql = utf16(&format!(
            "SET IDENTITY_INSERT [siteserver_Content_1] ON; INSERT INTO [siteserver_Content_1] \
             ({columns}) VALUES (@P1, @P2, @P3, @P4, @P5, @P6, @P7, @P8, @P9, @P10); \
             SET IDENTITY_INSERT [siteserver_Content_1] OFF"
        ));
        assert!(rpc.windows(sql.len()).any(|w| w == sql));
        let body = utf16(&big);
        let head = [
            &0xFFFF_FFFF_FFFF_FFFEu64.to_le_bytes()[..],
            &u32::try_from(body.len()).unwrap().to_le_bytes(),
        ]
        .concat();
        let at = rpc.windows(head.len()).position(|w| w == head).unwrap() + head.len();
        assert!(rpc[at..at + body.len()] == body[..]);
        assert_eq!(rpc[at + body.len()..at + body.len() + 4], [0; 4]);
    }

    /// The types are read once per table; each later batch is one more load.
    #[tokio::test]
    async fn later_batches_reuse_the_column_types() {
        let t = content();
        let row = [vec![SqlValue::Int(1)], vec![SqlValue::Null; 9]].concat();
        let (mut driver, log) = fake_server::driver(content_columns(), 1).await;
        for _ in 0..3 {
            driver
                .insert_rows(&t, std::slice::from_ref(&row))
                .await
                .unwrap();
        }
        let batches = log.batches();
        let ours_and_loads = batches
            .iter()
            .filter(|b| b.starts_with("SELECT TOP 0"))
            .count();
        assert_eq!(ours_and_loads, 1 + 3, "{batches:?}");
        assert_eq!(log.messages(BULK_LOAD).len(), 3);
        assert_eq!(driver.batch_rows(10), BULK_BATCH_ROWS);
    }

    /// A value that cannot go in fails before the load starts, so nothing is half sent.
    #[tokio::test]
    async fn a_value_that_does_not_fit_stops_before_the_load() {
        let t = content();
        let mut row = [vec![SqlValue::Int(7)], vec![SqlValue::Null; 9]].concat();
        row[4] = SqlValue::Decimal("1.005".into());
        let (mut driver, log) = fake_server::driver(content_columns(), 1).await;
        let err = driver
            .insert_rows(&t, &[row])
            .await
            .err()
            .unwrap()
            .to_string();
        assert_eq!(
            err,
            "table `siteserver_Content_1`: row Id=7, column `Price`: 1.005 has more than the 2 \
             decimal places of decimal(18, 2)"
        );
        assert_eq!(log.batches().len(), 1, "only the read of the types");
        assert!(log.messages(BULK_LOAD).is_empty());
    }

    /// A server that counts fewer rows than were sent fails the batch.
    #[tokio::test]
    async fn a_short_row_count_is_an_error() {
        let t = content();
        let row = [vec![SqlValue::Int(1)], vec![SqlValue::Null; 9]].concat();
        let (mut driver, _log) = fake_server::driver(content_columns(), 0).await;
        let err = driver
            .insert_rows(&t, &[row])
            .await
            .err()
            .unwrap()
            .to_string();
        assert_eq!(
            err,
            "table `siteserver_Content_1`: the bulk load of 1 rows reported 0 rows loaded"
        );
    }

    /// The fallback: a column type bulk.rs does not encode (here `smalldatetime`, which only a
    /// table restore did not create has) sends the table through INSERTs under
    /// `SET IDENTITY_INSERT`, split at the parameter limit.
    #[tokio::test]
    async fn other_column_types_fall_back_to_insert() {
        let t = TableMeta {
            name: "old".into(),
            columns: vec![
                Column::new("Id", Integer).identity().primary_key(),
                Column::new("When", DataType::DateTime),
                Column::new("Name", VarChar).length(50),
            ],
        };
        let columns = vec![
            FakeColumn::identity("Id"),
            FakeColumn::new("When", ty::smalldatetime()),
            FakeColumn::new("Name", ty::nvarchar(Some(50))),
        ];
        let rows: Vec<Vec<SqlValue>> = (1..=1_000)
            .map(|i| vec![SqlValue::Int(i), SqlValue::Null, text("n")])
            .collect();
        let (mut driver, log) = fake_server::driver(columns, 0).await;
        driver.insert_rows(&t, &rows).await.unwrap();
        assert_eq!(
            log.batches(),
            ["SELECT TOP 0 [Id], [When], [Name] FROM [old]"]
        );
        assert!(log.messages(BULK_LOAD).is_empty());
        // 3 columns: 666 rows per INSERT, so two of them.
        let inserts = log.messages(RPC);
        assert_eq!(inserts.len(), 2);
        let sql = utf16(
            "SET IDENTITY_INSERT [old] ON; INSERT INTO [old] ([Id], [When], [Name]) VALUES \
             (@P1, @P2, @P3), ",
        );
        for rpc in &inserts {
            assert!(rpc.windows(sql.len()).any(|w| w == sql));
        }
    }
}
