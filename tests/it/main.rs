//! End-to-end tests: the `siteserver` CLI library driven in-process against real databases.
//!
//! SQLite tests always run. Naming `sscms_cli` links every adapter the binary links.

use sscms_cli as _;

// Shared helpers: temp folders, SQLite fixtures, running the CLI.
mod support;

// Backup then restore into a new database, value for value.
mod roundtrip;

// The spec's backup-folder examples, read and written key for key.
mod golden;

// Backup never changes its source; restore refuses a target that has the tables.
mod safety;
