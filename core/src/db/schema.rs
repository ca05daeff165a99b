//! What a restore asks of the tables it creates: the CMS version's schema, its indexes, and how
//! far each column must widen for its values. Shared by every database's dialect; it imports
//! none of them, so `dialect.rs` and the per-database dialects can both use it.

use crate::model::{Column, DataType};

/// The SiteServer schema a database is restored for. It decides the column types and the case
/// of names (spec `target-schema.md` §3), so that the CMS of that version finds its tables.
///
/// The methods that depend on the dialect (`ident`, `table_meta`) are in `dialect.rs`.
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

/// VarChar columns whose length the source did not report get this length where one is required
/// (the SSCMS 7.4 default).
pub const DEFAULT_VARCHAR_LENGTH: i32 = 500;

/// What a column's values need, measured over a whole backup before a restore.
///
/// The standard types (`varchar(n)`, `int`, `decimal(18, 2)`, `datetime`) would truncate, round
/// or refuse some values another database held, so [`crate::db::Dialect::create_table_fit`]
/// widens a column just enough for its values. `Default` asks for nothing, which gives the
/// standard DDL.
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

/// Precision and scale that hold every value `fit` measured, at least `decimal(18, 2)`.
pub(crate) fn decimal_size(fit: &ColumnFit) -> (u32, u32) {
    let scale = fit.scale.max(DECIMAL_SCALE);
    let int_digits = fit.int_digits.max(DECIMAL_PRECISION - DECIMAL_SCALE);
    (int_digits + scale, scale)
}

/// Digits of fractional seconds a datetime type needs for `fit`: milliseconds or microseconds,
/// not an odd precision such as `datetime(2)`.
pub(crate) fn frac_precision(fit: &ColumnFit) -> u32 {
    match fit.frac_digits {
        0 => 0,
        1..=3 => 3,
        4..=6 => 6,
        _ => 7,
    }
}

/// Returns true if and only if text of `chars` does not fit a declared length `len` (0 = none).
pub(crate) fn too_long(chars: usize, len: i32) -> bool {
    usize::try_from(len).is_ok_and(|l| l > 0 && chars > l)
}

pub(crate) fn varchar_len(len: i32) -> i32 {
    if len <= 0 {
        DEFAULT_VARCHAR_LENGTH
    } else {
        len
    }
}

/// Why a value measured by `fit` does not fit the widest decimal or datetime type of database
/// `name`, if so: `max` is its most precision, scale and digits of fractional seconds.
pub(crate) fn beyond_limits(
    name: &str,
    (max_precision, max_scale, max_frac): (u32, u32, u32),
    col: &Column,
    fit: &ColumnFit,
) -> Option<String> {
    match col.data_type {
        DataType::Decimal => {
            let (p, s) = decimal_size(fit);
            (p > max_precision || s > max_scale).then(|| {
                format!(
                    "needs {} digits before and {} after the decimal point; \
                     {name} decimals hold at most {max_precision} digits, {max_scale} after the point",
                    fit.int_digits, fit.scale,
                )
            })
        }
        DataType::DateTime => (fit.frac_digits > max_frac).then(|| {
            format!(
                "has {} digits of fractional seconds; {name} keeps at most {max_frac}",
                fit.frac_digits,
            )
        }),
        _ => None,
    }
}

/// Which rows of a table a read takes, in key order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Select {
    /// Rows skipped first.
    pub offset: u64,
    /// At most this many rows.
    pub limit: Option<u64>,
    /// Only rows whose key, a single integer column, is at least this ...
    pub from_key: Option<i64>,
    /// ... and below this: a part of a large table that one job reads.
    pub below_key: Option<i64>,
}

impl Select {
    /// Every row.
    pub fn all() -> Self {
        Select::default()
    }

    /// The first `limit` rows, or all.
    pub fn first(limit: Option<u64>) -> Self {
        Select {
            limit,
            ..Select::default()
        }
    }
}
