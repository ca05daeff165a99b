//! Values between the JSON of a backup folder and the parameters of an INSERT.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde_json::{Number, Value};

use crate::model::DataType;

/// A value ready to be bound to an INSERT, already checked against its column's type.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Bool(bool),
    Int(i64),
    /// Decimal text without exponent, e.g. `-12.50`, so no float rounding happens on the way.
    Decimal(String),
    Text(String),
    DateTime(NaiveDateTime),
}

impl SqlValue {
    /// Rough byte size, used to keep one INSERT statement well under packet limits.
    pub fn approx_len(&self) -> usize {
        match self {
            SqlValue::Text(s) | SqlValue::Decimal(s) => s.len(),
            _ => 8,
        }
    }
}

/// Converts one JSON value into a value for a column of type `dt`.
///
/// The error is a short phrase; the caller adds the table, row and column.
pub fn json_to_sql(dt: DataType, v: &Value) -> Result<SqlValue, String> {
    if v.is_null() {
        return Ok(SqlValue::Null);
    }
    match dt {
        DataType::Boolean => match v {
            Value::Bool(b) => Ok(SqlValue::Bool(*b)),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Ok(SqlValue::Bool(i != 0)),
                None => Err(format!("{n} is not a boolean")),
            },
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Ok(SqlValue::Bool(true)),
                "false" | "0" => Ok(SqlValue::Bool(false)),
                _ => Err(format!("{} is not a boolean", quote(s))),
            },
            other => Err(format!("{} is not a boolean", kind(other))),
        },
        DataType::Integer => match v {
            Value::Number(n) => number_to_int(n).ok_or_else(|| format!("{n} is not an integer")),
            Value::String(s) => s
                .trim()
                .parse::<i64>()
                .map(SqlValue::Int)
                .map_err(|_| format!("{} is not an integer", quote(s))),
            Value::Bool(b) => Ok(SqlValue::Int(i64::from(*b))),
            other => Err(format!("{} is not an integer", kind(other))),
        },
        DataType::Decimal => match v {
            Value::Number(n) => normalize_decimal(&n.to_string())
                .map(SqlValue::Decimal)
                .ok_or_else(|| format!("{n} is not a decimal")),
            Value::String(s) => normalize_decimal(s)
                .map(SqlValue::Decimal)
                .ok_or_else(|| format!("{} is not a decimal", quote(s))),
            other => Err(format!("{} is not a decimal", kind(other))),
        },
        DataType::DateTime => match v {
            Value::String(s) => parse_datetime(s)
                .map(SqlValue::DateTime)
                .ok_or_else(|| format!("{} is not a date and time", quote(s))),
            other => Err(format!("{} is not a date and time", kind(other))),
        },
        DataType::Text | DataType::VarChar => match v {
            Value::String(s) => Ok(SqlValue::Text(s.clone())),
            Value::Number(n) => Ok(SqlValue::Text(n.to_string())),
            // What .NET's Convert.ToString writes, which the original restore would have stored.
            Value::Bool(b) => Ok(SqlValue::Text(if *b { "True" } else { "False" }.into())),
            other => Err(format!("{} is not text", kind(other))),
        },
    }
}

/// Returns `Ok` if and only if [`json_to_sql`] accepts the value for a column of type `dt`,
/// with the same error; text is checked without being copied.
pub fn check_json(dt: DataType, v: &Value) -> Result<(), String> {
    match (dt, v) {
        (_, Value::Null) => Ok(()),
        (
            DataType::Text | DataType::VarChar,
            Value::String(_) | Value::Number(_) | Value::Bool(_),
        ) => Ok(()),
        (DataType::DateTime, Value::String(s)) => parse_datetime(s)
            .map(drop)
            .ok_or_else(|| format!("{} is not a date and time", quote(s))),
        _ => json_to_sql(dt, v).map(drop),
    }
}

fn number_to_int(n: &Number) -> Option<SqlValue> {
    if let Some(i) = n.as_i64() {
        return Some(SqlValue::Int(i));
    }
    // Oracle-era backups hold integers as `1.0`.
    let text = n.to_string();
    let (whole, frac) = text.split_once('.')?;
    if frac.bytes().all(|b| b == b'0') {
        whole.parse().ok().map(SqlValue::Int)
    } else {
        None
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Quotes a value for an error message, cut short so a 1 MB text does not flood the terminal.
fn quote(s: &str) -> String {
    let cut: String = s.chars().take(40).collect();
    if cut.len() < s.len() {
        format!("\"{cut}…\"")
    } else {
        format!("\"{cut}\"")
    }
}

/// Returns decimal text (`-12.50`, `0.5`) for a decimal literal, or None if `s` is not one.
/// Exponents are expanded so the digits stay exact.
pub fn normalize_decimal(s: &str) -> Option<String> {
    let s = s.trim();
    let (neg, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i32>().ok()?),
        None => (rest, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part
        .bytes()
        .chain(frac_part.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut digits: String = format!("{int_part}{frac_part}");
    let frac_len = i32::try_from(frac_part.len()).ok()?;
    // Position of the decimal point within `digits`, after applying the exponent.
    let mut point = i32::try_from(int_part.len()).ok()? + exp;
    if point < 0 {
        let pad = usize::try_from(-point).ok()?;
        digits.insert_str(0, &"0".repeat(pad));
        point = 0;
    }
    let point_u = usize::try_from(point).ok()?;
    if point_u > digits.len() {
        digits.push_str(&"0".repeat(point_u - digits.len()));
    }
    let (i, f) = digits.split_at(point_u);
    let i = i.trim_start_matches('0');
    let i = if i.is_empty() { "0" } else { i };
    // Keep the scale the source wrote (`12.50` stays `12.50`), but drop digits an exponent made up.
    let f = if exp == 0 || frac_len - exp > 0 {
        f.to_string()
    } else {
        f.trim_end_matches('0').to_string()
    };
    let f = if f.is_empty() { "0".to_string() } else { f };
    let zero = i == "0" && f.bytes().all(|b| b == b'0');
    Some(format!("{}{i}.{f}", if neg && !zero { "-" } else { "" }))
}

/// A JSON number holding decimal text exactly (the backup format writes decimals as numbers).
pub fn decimal_json(text: &str) -> Option<Value> {
    let normal = normalize_decimal(text)?;
    serde_json::from_str::<Number>(&normal)
        .ok()
        .map(Value::Number)
}

/// A JSON number for a float, in shortest round-trip form with a decimal point, as Newtonsoft writes doubles.
pub fn float_json(f: f64) -> Value {
    if !f.is_finite() {
        return Value::String(f.to_string());
    }
    let mut s = format!("{f}");
    if !s.contains(['.', 'e', 'E']) {
        s.push_str(".0");
    }
    decimal_json(&s).unwrap_or(Value::Null)
}

/// `yyyy-MM-dd HH:mm:ss`, the original tools' date format; fractional seconds are kept when present.
pub fn format_datetime(dt: &NaiveDateTime) -> String {
    let mut out = Vec::with_capacity(29);
    push_datetime(dt, &mut out);
    String::from_utf8(out).unwrap_or_else(|_| dt.format("%Y-%m-%d %H:%M:%S%.f").to_string())
}

/// [`format_datetime`] appended to `out`: written digit by digit, since chrono's formatter
/// was a twentieth of a backup's time. Years outside 0..=9999 and leap seconds take chrono's.
pub fn push_datetime(dt: &NaiveDateTime, out: &mut Vec<u8>) {
    use chrono::{Datelike, Timelike};
    let (year, nanos) = (dt.year(), dt.nanosecond());
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        out.extend_from_slice(dt.format("%Y-%m-%d %H:%M:%S%.f").to_string().as_bytes());
        return;
    }
    let digits = |out: &mut Vec<u8>, n: u32, width: u32| {
        for p in (0..width).rev() {
            out.push(b'0' + u8::try_from(n / 10u32.pow(p) % 10).unwrap_or(0));
        }
    };
    digits(out, year.unsigned_abs(), 4);
    out.push(b'-');
    digits(out, dt.month(), 2);
    out.push(b'-');
    digits(out, dt.day(), 2);
    out.push(b' ');
    digits(out, dt.hour(), 2);
    out.push(b':');
    digits(out, dt.minute(), 2);
    out.push(b':');
    digits(out, dt.second(), 2);
    // chrono's `%.f`: none for whole seconds, else 3, 6 or 9 digits.
    if nanos == 0 {
        return;
    }
    out.push(b'.');
    if nanos % 1_000_000 == 0 {
        digits(out, nanos / 1_000_000, 3);
    } else if nanos % 1_000 == 0 {
        digits(out, nanos / 1_000, 6);
    } else {
        digits(out, nanos, 9);
    }
}

/// Reads the date forms found in backups: the tools' own format, ISO 8601 with or without an
/// offset (the wall-clock time is kept, as the originals did), and date-only values.
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Some(dt) = plain_datetime(s) {
        return Some(dt);
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y/%m/%d %H:%M:%S%.f",
        "%Y/%m/%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(dt);
        }
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.naive_local());
    }
    for fmt in ["%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f %#z"] {
        if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
            return Some(dt.naive_local());
        }
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return d.and_hms_opt(0, 0, 0);
        }
    }
    None
}

/// Whether `s` is a date and time [`format_datetime`] writes back exactly as it is:
/// `YYYY-MM-DD HH:MM:SS`, no fraction, a year from 1000.
pub(crate) fn is_plain_datetime(s: &str) -> bool {
    plain_datetime(s).is_some()
}

/// `yyyy-MM-dd HH:mm:ss` exactly (years 1000 to 9999, seconds below 60), the form nearly every
/// backup date has, without going through the format parser; `None` for anything else, which
/// [`parse_datetime`] then reads as before.
fn plain_datetime(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
        || b[0] == b'0'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?)?;
    let sec = num(17..19)?;
    if sec >= 60 {
        return None;
    }
    date.and_hms_opt(num(11..13)?, num(14..16)?, sec)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        for (date, nanos) in [
            (day(2020, 5, 1), 0),
            (day(1, 1, 1), 5),
            (day(1753, 1, 1), 120_000_000),
            (day(9999, 12, 31), 999_999_999),
            (day(2024, 2, 29), 1_000),
            (day(-44, 3, 15), 0),
            (day(10_000, 1, 1), 250_000),
            (day(1999, 12, 31), 1_500_000_000),
        ] {
            let dt = date.and_hms_nano_opt(23, 59, 59, nanos).unwrap();
            assert_eq!(
                format_datetime(&dt),
                dt.format("%Y-%m-%d %H:%M:%S%.f").to_string()
            );
        }
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn plain_dates_are_written_back_as_they_are() {
        for s in [
            "2024-02-29 23:59:59",
            "1000-01-01 00:00:00",
            "9999-12-31 23:59:59",
            "2023-02-29 10:00:00",
            "0999-01-01 00:00:00",
            "2024-01-01 24:00:00",
            "2024-01-01 10:00:60",
            "2024-01-01 10:00:00.5",
            "2024-01-01T10:00:00",
            "2024-1-01 10:00:00x",
        ] {
            let written = parse_datetime(s).map(|d| format_datetime(&d));
            if is_plain_datetime(s) {
                assert_eq!(written.as_deref(), Some(s), "{s}");
            }
        }
        assert!(is_plain_datetime("2024-02-29 23:59:59"));
        assert!(!is_plain_datetime("2023-02-29 10:00:00"));
        assert!(!is_plain_datetime("2024-01-01 24:00:00"));
        assert!(!is_plain_datetime("2024-01-01 10:00:00.5"));
    }

    #[test]
    fn decimals_keep_their_digits() {
        assert_eq!(normalize_decimal("12.50").unwrap(), "12.50");
        assert_eq!(normalize_decimal("5").unwrap(), "5.0");
        assert_eq!(normalize_decimal("+007.10").unwrap(), "7.10");
        assert_eq!(normalize_decimal("-0.00").unwrap(), "0.00");
        assert_eq!(normalize_decimal("1.5E+3").unwrap(), "1500.0");
        assert_eq!(normalize_decimal("1.25e-3").unwrap(), "0.00125");
        assert_eq!(normalize_decimal(".5").unwrap(), "0.5");
        assert_eq!(
            normalize_decimal("9999999999999999.99").unwrap(),
            "9999999999999999.99"
        );
        assert!(normalize_decimal("1.2.3").is_none());
        assert!(normalize_decimal("abc").is_none());
        assert!(normalize_decimal("").is_none());
        assert_eq!(
            decimal_json("12.50").unwrap().to_string(),
            "12.50",
            "JSON keeps the scale"
        );
        assert_eq!(float_json(5.0).to_string(), "5.0");
        assert_eq!(float_json(0.1).to_string(), "0.1");
    }

    #[test]
    fn dates_parse_in_every_form_backups_hold() {
        let want = NaiveDate::from_ymd_opt(2020, 5, 1)
            .unwrap()
            .and_hms_opt(8, 30, 0)
            .unwrap();
        for s in [
            "2020-05-01 08:30:00",
            "2020-05-01T08:30:00",
            "2020-05-01T08:30:00Z",
            "2020-05-01T08:30:00+08:00",
            "2020/05/01 08:30:00",
            "2020-05-01 08:30",
        ] {
            assert_eq!(parse_datetime(s), Some(want), "{s}");
        }
        assert_eq!(format_datetime(&want), "2020-05-01 08:30:00");
        let frac = parse_datetime("2020-05-01 08:30:00.250").unwrap();
        assert_eq!(format_datetime(&frac), "2020-05-01 08:30:00.250");
        assert!(parse_datetime("yesterday").is_none());
        // The plain form agrees with the format parser, and leaves what it does not take to it.
        for s in [
            "2020-02-29 23:59:59",
            "2019-02-29 10:00:00",
            "2020-13-01 10:00:00",
            "2020-01-01 24:00:00",
            "2020-01-01 10:60:00",
            "2016-12-31 23:59:60",
            "0999-01-01 00:00:00",
            "2020-1-01 10:00:00x",
        ] {
            let slow = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").ok();
            if let Some(fast) = plain_datetime(s) {
                assert_eq!(Some(fast), slow, "{s}");
            }
        }
    }

    #[test]
    fn json_converts_per_column_type() {
        use DataType::*;
        assert_eq!(
            json_to_sql(Boolean, &json!("True")),
            Ok(SqlValue::Bool(true))
        );
        assert_eq!(json_to_sql(Boolean, &json!(0)), Ok(SqlValue::Bool(false)));
        assert_eq!(json_to_sql(Integer, &json!("42")), Ok(SqlValue::Int(42)));
        assert_eq!(json_to_sql(Integer, &json!(1.0)), Ok(SqlValue::Int(1)));
        assert!(json_to_sql(Integer, &json!(1.5)).is_err());
        assert_eq!(
            json_to_sql(Decimal, &json!(12.50)),
            Ok(SqlValue::Decimal("12.5".into()))
        );
        assert_eq!(
            json_to_sql(VarChar, &json!(false)),
            Ok(SqlValue::Text("False".into()))
        );
        assert_eq!(json_to_sql(Text, &Value::Null), Ok(SqlValue::Null));
        let err = json_to_sql(DateTime, &json!("not a date")).unwrap_err();
        assert_eq!(err, "\"not a date\" is not a date and time");
        assert!(json_to_sql(Text, &json!([1])).is_err());
    }
}
