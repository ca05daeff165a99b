//! `restore`: a backup folder into a database, all or nothing, in stages:
//!
//! 1. [`check`]: read and check the whole folder, and measure what its values need;
//! 2. [`load`]: create the tables and stream the rows in, committed in chunks that the
//!    [`ledger`] in the target records, so a stopped run continues with `--resume`;
//! 3. [`summary`]: what was restored and what was left out.
//!
//! [`rows`] turns a row of a file into insert values during the check, and [`spill`] keeps them
//! for the load, so each row is parsed once. [`overlap`] loads the largest table while the
//! check goes on, where the target allows it.
//!
//! The whole folder is read and checked before the first statement is sent, so bad input never
//! leaves a half-restored database. If the database fails later, what was committed stays,
//! with the ledger saying how far each table got.

pub(crate) mod check;
pub mod ledger;
mod load;
mod overlap;
mod rows;
mod spill;
mod summary;

pub use check::{RestoreOptions, RestorePlan, plan_restore, restore_outline};
pub use load::{restore, restore_jobs};
pub use overlap::restore_folder;
pub use summary::RestoreReport;
