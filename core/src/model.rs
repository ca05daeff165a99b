//! The SiteServer data model: six column types, columns, tables and rows.

use std::fmt;
use std::str::FromStr;

/// The six column types of SiteServer (Datory's `DataType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    Boolean,
    DateTime,
    Decimal,
    Integer,
    Text,
    VarChar,
}

impl DataType {
    pub const ALL: [DataType; 6] = [
        DataType::Boolean,
        DataType::DateTime,
        DataType::Decimal,
        DataType::Integer,
        DataType::Text,
        DataType::VarChar,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DataType::Boolean => "Boolean",
            DataType::DateTime => "DateTime",
            DataType::Decimal => "Decimal",
            DataType::Integer => "Integer",
            DataType::Text => "Text",
            DataType::VarChar => "VarChar",
        }
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name that could not be read as a data type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDataType(pub String);

impl fmt::Display for UnknownDataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown data type `{}` (expected one of Boolean, DateTime, Decimal, Integer, Text, VarChar)",
            self.0
        )
    }
}

impl std::error::Error for UnknownDataType {}

impl FromStr for DataType {
    type Err = UnknownDataType;

    /// Case-insensitive, as both original tools read it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DataType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownDataType(s.to_string()))
    }
}

/// One column, as `_metadata.json` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub attribute_name: String,
    pub data_type: DataType,
    /// Length of a VarChar; 0 when unknown or not applicable.
    pub data_length: i32,
    pub is_primary_key: bool,
    pub is_identity: bool,
}

impl Column {
    pub fn new(name: impl Into<String>, data_type: DataType) -> Self {
        Column {
            attribute_name: name.into(),
            data_type,
            data_length: 0,
            is_primary_key: false,
            is_identity: false,
        }
    }

    pub fn length(mut self, n: i32) -> Self {
        self.data_length = n;
        self
    }

    pub fn primary_key(mut self) -> Self {
        self.is_primary_key = true;
        self
    }

    pub fn identity(mut self) -> Self {
        self.is_identity = true;
        self
    }
}

/// A table's name and columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableMeta {
    pub name: String,
    pub columns: Vec<Column>,
}

impl TableMeta {
    /// Columns to order rows by: the primary key, else the identity column.
    pub fn order_columns(&self) -> Vec<&Column> {
        let pk: Vec<&Column> = self.columns.iter().filter(|c| c.is_primary_key).collect();
        if !pk.is_empty() {
            return pk;
        }
        self.columns
            .iter()
            .filter(|c| c.is_identity)
            .take(1)
            .collect()
    }

    /// The identity column, if the table has one.
    pub fn identity(&self) -> Option<&Column> {
        self.columns.iter().find(|c| c.is_identity)
    }
}

/// A row as the backup folder holds it: column key to JSON value, in column order.
pub type Row = serde_json::Map<String, serde_json::Value>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_type_names_read_in_any_case() {
        assert_eq!("varchar".parse::<DataType>(), Ok(DataType::VarChar));
        assert_eq!(" Integer ".parse::<DataType>(), Ok(DataType::Integer));
        let e = "Blob".parse::<DataType>().unwrap_err();
        assert!(e.to_string().contains("unknown data type `Blob`"), "{e}");
    }
}
