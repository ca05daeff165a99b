//! The `siteserver` command line: clap arguments, configuration, progress and reports.
//!
//! `main.rs` only parses and maps the result to an exit code: 0 when everything succeeded,
//! 1 when something failed, 2 for usage errors (clap's own).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

mod adapters;
mod cmd;
mod out;
mod progress;

/// Back up, upgrade and restore SiteServer CMS databases.
///
/// The upgrade runs in three steps: `backup` dumps the old database into a folder of JSON files,
/// `update` converts the folder to the latest schema, and `restore` loads it into an empty
/// database, which may be of another type. The folders are readable by the original
/// SiteServer 6.x and SSCMS 7.x tools.
#[derive(Debug, Parser)]
#[command(name = "siteserver", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Output format: `text` for people, or `json`: one document with the summary on stdout,
    /// and the human lines on stderr.
    #[arg(long, global = true, value_name = "FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Dump every table of a database into a backup folder, without changing the database.
    Backup(BackupArgs),
    /// Convert a backup folder, offline, from its SiteServer version to a later one.
    Update(UpdateArgs),
    /// Load a backup folder into an empty database.
    Restore(RestoreArgs),
    /// Backup, update and restore in one run, from the old site's database to a new empty one.
    Migrate(MigrateArgs),
    /// Prove that a database holds a folder exactly: tables, row counts and every value.
    Verify(VerifyArgs),
    /// Write the new site's config (`sscms.json` for 7.x, `Web.config` for 6.x) for a database.
    Config(ConfigArgs),
    /// List the registered version adapters and the upgrade paths they form.
    Versions,
    /// Print the tool version and the configured database (password masked).
    Version(DatabaseArgs),
}

/// Which database to use. Each setting is taken from the first of: these flags, the
/// environment variables, the `--config` file, then `Web.config` or `sscms.json` in the
/// current folder.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database type: SQLite, MySql (or MariaDB), PostgreSql or SqlServer, in any case.
    /// Falls back to the SITESERVER_DATABASE_TYPE environment variable.
    #[arg(long, value_name = "TYPE")]
    pub database_type: Option<String>,

    /// Connection string, in the ADO.NET form SiteServer uses (`Server=…;Database=…;Uid=…;Pwd=…;`),
    /// `Data Source=PATH` or a bare path for SQLite, or a URL. Falls back to the
    /// SITESERVER_CONNECTION_STRING environment variable.
    #[arg(long, value_name = "STRING")]
    pub connection_string: Option<String>,

    /// A SiteServer `Web.config` or SSCMS `sscms.json` to read the database type and
    /// connection string from. Without it, those files are looked for in the current folder.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Folder to write the backup into. It must be empty or absent.
    /// Defaults to `backup/YYYY-MM-DD`, as the original tools do.
    #[arg(short = 'd', long = "directory", value_name = "DIR")]
    pub directory: Option<PathBuf>,

    /// Back up only these tables, comma-separated (case-insensitive). Naming a log table here
    /// backs it up despite the default excludes.
    #[arg(long, value_name = "TABLES", value_delimiter = ',')]
    pub includes: Option<Vec<String>>,

    /// Leave these tables out, comma-separated. The log tables bairong_Log, bairong_ErrorLog,
    /// siteserver_ErrorLog, siteserver_Log, siteserver_Tracking and siteserver_SiteLog are left
    /// out by default.
    #[arg(long, value_name = "TABLES", value_delimiter = ',')]
    pub excludes: Vec<String>,

    /// Back up at most N rows per table, the first ones in primary-key order. 0 means all.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub max_rows: u64,

    /// Rows per row file (`1.json`, `2.json`, …).
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub page_size: u64,

    /// Tables read at once, each on its own connection, all in one snapshot (default: the
    /// number of cores, at most 4). MySQL needs the RELOAD privilege for that; without it, and
    /// for SQLite and SQL Server, the backup reads on one connection.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=64))]
    pub jobs: Option<u64>,

    /// Finish a backup into DIR that stopped (killed, connection lost, disk full), from the
    /// same source with the same options: tables it finished are kept after their sha256 is
    /// checked again, the others are read now.
    #[arg(long)]
    pub resume: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The backup folder to restore (for an upgrade, the `update` folder).
    #[arg(short = 'd', long = "directory", value_name = "DIR")]
    pub directory: PathBuf,

    /// Restore only these tables, comma-separated (case-insensitive).
    #[arg(long, value_name = "TABLES", value_delimiter = ',')]
    pub includes: Option<Vec<String>>,

    /// Leave these tables out, comma-separated.
    #[arg(long, value_name = "TABLES", value_delimiter = ',')]
    pub excludes: Vec<String>,

    /// Drop target tables that have the name of a table in the backup. Without it, a target
    /// that already has any of them is refused before anything is written.
    #[arg(long)]
    pub drop_existing: bool,

    /// Tables loaded at once, each on its own connection (default: the number of cores, at
    /// most 4). SQLite takes one writer, so it always loads one table at a time.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=64))]
    pub jobs: Option<u64>,

    /// Skip the check at the end that every table holds the folder's row count.
    #[arg(long)]
    pub no_verify: bool,

    /// Continue a restore of this folder that stopped (killed, server gone, disk full): tables
    /// it finished are kept, the table it was in goes on after its last committed chunk.
    #[arg(long)]
    pub resume: bool,
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The folder the database should hold: the one restored into it, or the backup just
    /// taken from it.
    #[arg(short = 'd', long = "directory", value_name = "DIR")]
    pub directory: PathBuf,

    /// Compare tables and row counts only, not values.
    #[arg(long)]
    pub counts_only: bool,
}

/// `migrate`: the options of `backup`, `update` and `restore`, with the source and the target
/// named apart.
#[derive(Debug, Clone, Args)]
pub struct MigrateArgs {
    /// The old site's database type. Like `--database-type` of `backup`, it falls back to the
    /// environment and to `Web.config`/`sscms.json` in the current folder.
    #[arg(long, value_name = "TYPE")]
    pub from_type: Option<String>,

    /// The old site's connection string (ADO.NET form, `Data Source=PATH` or a URL).
    #[arg(long, value_name = "STRING")]
    pub from_connection_string: Option<String>,

    /// The old site's `Web.config` (or `sscms.json`) to read the source database from.
    #[arg(long, value_name = "FILE")]
    pub from_config: Option<PathBuf>,

    /// The new database's type. The target never falls back to the environment or to files
    /// in the current folder: it is named here, by a URL, or by --to-config.
    #[arg(long, value_name = "TYPE")]
    pub to_type: Option<String>,

    /// The new, empty database's connection string.
    #[arg(long, value_name = "STRING")]
    pub to_connection_string: Option<String>,

    /// A `sscms.json` or `Web.config` naming the new database.
    #[arg(long, value_name = "FILE")]
    pub to_config: Option<PathBuf>,

    /// Folder for the intermediate folders `backup/` and `update/`, kept so every step can be
    /// checked and rerun. Defaults to `migrate/YYYY-MM-DD`.
    #[arg(short = 'd', long = "directory", value_name = "DIR")]
    pub directory: Option<PathBuf>,

    /// Convert up to this version, or `latest`.
    #[arg(long, value_name = "VERSION", default_value = "latest")]
    pub to: String,

    /// Take the old database as this version instead of detecting it.
    #[arg(long, value_name = "VERSION")]
    pub from: Option<String>,

    /// Back up only these tables, comma-separated.
    #[arg(long, value_name = "TABLES", value_delimiter = ',')]
    pub includes: Option<Vec<String>>,

    /// Leave these tables out of the backup, comma-separated (the log tables are left out by
    /// default, as with `backup`).
    #[arg(long, value_name = "TABLES", value_delimiter = ',')]
    pub excludes: Vec<String>,

    /// One content table per site, as `update --split-contents`.
    #[arg(long)]
    pub split_contents: bool,

    /// Tables restored at once, as `restore --jobs`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=64))]
    pub jobs: Option<u64>,

    /// Rows per row file of both folders.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub page_size: u64,

    /// Skip the row-count check at the end of the restore.
    #[arg(long)]
    pub no_verify: bool,

    /// Continue a migrate that stopped: steps whose folder is complete are not run again, and
    /// the restore continues where the target's ledger says it stopped.
    #[arg(long)]
    pub resume: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// The database the new site runs on (usually the one just restored into).
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The version the site runs: 7.x (or `latest`) writes `sscms.json`, 6.x `Web.config`.
    #[arg(long, value_name = "VERSION", default_value = "latest")]
    pub to: String,

    /// The file to write. Defaults to `sscms.json` or `Web.config` in the current folder.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Encrypt the database settings (IsProtectData, DES as both generations read it).
    #[arg(long)]
    pub protect: bool,

    /// The SecurityKey / SecretKey to use instead of a freshly generated one.
    #[arg(long, value_name = "KEY")]
    pub secret_key: Option<String>,

    /// 7.x `Redis:ConnectionString` (empty: no Redis).
    #[arg(long, value_name = "STRING", default_value = "")]
    pub redis: String,

    /// Replace an existing file. An existing `Web.config` keeps everything but the four
    /// database keys of its appSettings.
    #[arg(long)]
    pub overwrite: bool,
}

/// `--jobs` when not given: the number of cores, at most 4.
pub fn default_jobs() -> u64 {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4) as u64)
}

#[derive(Debug, Clone, Args)]
pub struct UpdateArgs {
    /// The backup folder to convert (written by `siteserver backup` or the original tools).
    #[arg(short = 'd', long = "directory", value_name = "DIR")]
    pub directory: PathBuf,

    /// Folder to write the converted backup into. It must be empty or absent unless
    /// --overwrite is given.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "OUT",
        default_value = "update"
    )]
    pub output: PathBuf,

    /// Take the backup as this version instead of detecting it (e.g. 4.1 or 5.0).
    #[arg(long, value_name = "VERSION")]
    pub from: Option<String>,

    /// Convert up to this version (any version in `siteserver versions`, e.g. 4.1 or 6.15),
    /// or `latest`.
    #[arg(long, value_name = "VERSION", default_value = "latest")]
    pub to: String,

    /// Put content rows into one table per site, `siteserver_Content_{siteId}`, and point each
    /// site at its own table.
    #[arg(long)]
    pub split_contents: bool,

    /// Replace the output folder if it is not empty.
    #[arg(long)]
    pub overwrite: bool,

    /// Rows per row file of the output.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub page_size: u64,
}

impl Command {
    /// The subcommand's name, as typed.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Backup(_) => "backup",
            Command::Update(_) => "update",
            Command::Restore(_) => "restore",
            Command::Migrate(_) => "migrate",
            Command::Verify(_) => "verify",
            Command::Config(_) => "config",
            Command::Versions => "versions",
            Command::Version(_) => "version",
        }
    }
}

/// Runs a parsed command line to completion.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run_async(cli))
}

/// Runs a parsed command line on the caller's runtime.
pub async fn run_async(cli: Cli) -> anyhow::Result<ExitCode> {
    let json = cli.format == "json";
    out::set_json(json);
    let name = cli.command.name();
    let started = std::time::Instant::now();
    let result = match cli.command {
        Command::Backup(args) => cmd::backup::run(args).await,
        Command::Update(args) => cmd::update::run(args),
        Command::Restore(args) => cmd::restore::run(args).await,
        Command::Migrate(args) => cmd::migrate::run(args).await,
        Command::Verify(args) => cmd::verify::run(args).await,
        Command::Config(args) => cmd::config::run(args),
        Command::Versions => cmd::versions::run(),
        Command::Version(args) => cmd::version::run(args),
    };
    if json {
        let mut doc = serde_json::json!({
            "command": name,
            "ok": result.as_ref().is_ok_and(|o| o.ok),
            "seconds": started.elapsed().as_secs_f64(),
        });
        match &result {
            Ok(o) => {
                if let (Some(d), Some(s)) = (doc.as_object_mut(), o.summary.as_object()) {
                    d.extend(s.clone());
                }
            }
            Err(e) => doc["error"] = format!("{e:#}").into(),
        }
        println!("{}", serde_json::to_string_pretty(&doc)?);
    }
    let ok = result?.ok;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
