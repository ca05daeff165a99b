//! The backup and restore loops, written once for every driver.

mod backup;
mod jobs;
mod restore;
mod tables;
mod verify;

pub use backup::{BackupOptions, BackupReport, DEFAULT_EXCLUDES, backup, backup_jobs};
pub use restore::ledger::LEDGER_TABLE;
pub use restore::{
    RestoreOptions, RestorePlan, RestoreReport, plan_restore, restore, restore_folder,
    restore_jobs, restore_outline,
};
pub use tables::{Skipped, TableDone, TableFailed};
pub use verify::{Difference, TableVerify, VerifyOptions, VerifyReport, VerifyStatus, verify};
