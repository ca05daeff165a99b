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

// SQLite, MySQL and PostgreSQL as source and target, 3 × 3, value for value.
mod matrix;

// MySQL and PostgreSQL: read-only snapshots, catalogs, schemas, widened columns, errors.
mod servers;

// SQL Server against a live server when SITESERVER_TEST_SQLSERVER_URL is set; SKIPPED otherwise.
mod mssql;

// Generated 3.6/4.0/4.1/5.0 backup folders: read back, version detection, restore, 500-row pages.
mod fixtures;

// Every version updated to 6.15 through the CLI: schema, rows and values by id; restore into SQLite.
mod update_v5;

// Every version updated to 7.4: schema, rows and values by id; restores built as 7.4 and 6.15
// build their databases, in SQLite, MySQL and PostgreSQL; live 6.x/7.x backups; sscms backups.
mod update_v6;

// The official upgrade hops 3.6 → 4.0 → 4.1 → 5.0 against the spec's JSON, rows and values by id.
mod hops;

// Tables kept in memory between hops give the same folder and report as hop by hop.
mod fused;

// The full adapter registry and one upgrade path per supported version.
mod registry;

// GovPublic/GovInteract/Jobs content, complete stop versions, the report's statuses, the manifest.
mod fidelity;

// `verify` source side after backup and target side after restore, each difference named.
mod verify;

// `migrate` from each source type of a 4.1 and a 5.0 site into each target type, then `verify`.
mod migrate;

// docs/upgrade.md's command lines, run as written against generated sites.
mod guide;

// A restore killed at several points, then `--resume`: exact rows, ledger gone, ids continue.
mod resume;

// `backup --jobs 4` while a writer runs: every job reads the same point in time.
mod backup_jobs;

// The database server killed mid-restore, the connection lost mid-backup, the disk full during
// backup and update, on private servers and a small tmpfs: one error line, exit 1, --resume.
mod faults;

// The largest table loaded while the rest of the folder is checked: a bad row anywhere still
// leaves the target as it was, and a value that needs a wider column reloads the table.
mod overlap;
