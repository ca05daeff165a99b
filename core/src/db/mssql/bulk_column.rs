//! The target columns of a bulk load as the server reports them: kept by the connection per
//! table, and read by the encoder in `bulk.rs`.

/// How one column's values go on the wire, from the type the server reports for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BulkType {
    Bit,
    /// `tinyint`, `smallint`, `int` or `bigint`: their size in bytes.
    Int(u8),
    /// `datetime`: 1/300 s from 1900-01-01.
    DateTime,
    /// `datetime2(n)`: its digits of fractional seconds.
    DateTime2(u8),
    Decimal {
        precision: u8,
        scale: u8,
    },
    /// `nvarchar(n)` in UTF-16 code units, `None` for `nvarchar(max)`.
    Text(Option<usize>),
    NText,
}

/// One target column of a bulk load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BulkColumn {
    pub(super) ty: BulkType,
    pub(super) nullable: bool,
}
