//! Stage 3: what a restore did.

use crate::ops::tables::{Skipped, TableDone};

#[derive(Debug, Clone, Default)]
pub struct RestoreReport {
    pub tables: Vec<TableDone>,
    pub skipped: Vec<Skipped>,
}
