//! `siteserver migrate`: the three commands in a row, through their own code.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sscms_core::DatabaseType;
use sscms_core::config::{ConfigInputs, ConfigSource, DatabaseConfig, resolve};

use super::absolute;
use crate::{BackupArgs, DatabaseArgs, MigrateArgs, RestoreArgs, UpdateArgs};

pub async fn run(args: MigrateArgs) -> anyhow::Result<bool> {
    let source = super::database(&DatabaseArgs {
        database_type: args.from_type.clone(),
        connection_string: args.from_connection_string.clone(),
        config: args.from_config.clone(),
    })
    .context("the source database (--from-type, --from-connection-string, --from-config)")?;
    let target = target(&args)?;
    if same_database(&source, &target) {
        bail!(
            "the source and the target are the same database ({}); migrate needs a new, empty target",
            target.masked()
        );
    }
    let dir = args
        .directory
        .clone()
        .unwrap_or_else(|| format!("migrate/{}", chrono::Local::now().format("%Y-%m-%d")).into());
    let (backup_dir, update_dir) = (dir.join("backup"), dir.join("update"));
    println!("Migrate folder: {}", absolute(&dir).display());

    step(1, "backup of the old database");
    let backup = BackupArgs {
        database: no_database(),
        directory: Some(backup_dir.clone()),
        includes: args.includes.clone(),
        excludes: args.excludes.clone(),
        max_rows: 0,
        page_size: args.page_size,
    };
    if !super::backup::execute(&source, backup)
        .await
        .context("migrate step 1/3 (backup)")?
    {
        return stopped(1, "backup", &backup_dir);
    }

    step(2, "update of the backup folder");
    let update = UpdateArgs {
        directory: backup_dir,
        output: update_dir.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        split_contents: args.split_contents,
        overwrite: false,
        page_size: args.page_size,
    };
    if !super::update::run(update).context("migrate step 2/3 (update)")? {
        return stopped(2, "update", &update_dir);
    }

    step(3, "restore into the new database");
    let restore = RestoreArgs {
        database: no_database(),
        directory: update_dir.clone(),
        includes: None,
        excludes: Vec::new(),
        drop_existing: false,
        jobs: args.jobs,
        no_verify: args.no_verify,
    };
    if !super::restore::execute(&target, restore)
        .await
        .context("migrate step 3/3 (restore)")?
    {
        return stopped(3, "restore", &update_dir);
    }
    println!(
        "Migrated: the new database holds {}",
        absolute(&update_dir).display()
    );
    Ok(true)
}

/// The target, from its own flags or file only: falling back to the environment or the
/// current folder could name the old site's database.
fn target(args: &MigrateArgs) -> anyhow::Result<DatabaseConfig> {
    let what = "the target database (--to-type, --to-connection-string, --to-config)";
    if args.to_config.is_none() && args.to_connection_string.is_none() {
        bail!("{what}: not given; migrate never guesses where to write");
    }
    let cwd = std::env::current_dir().context("reading the current folder")?;
    let inputs = ConfigInputs {
        database_type: args.to_type.as_deref(),
        connection_string: args.to_connection_string.as_deref(),
        config_file: args.to_config.as_deref(),
        cwd: &cwd,
    };
    let config = resolve(&inputs, &|_| None).context(what)?;
    if args.to_config.is_none() && matches!(config.source, ConfigSource::File(_)) {
        bail!("{what}: --to-type is needed with a connection string that is not a URL");
    }
    Ok(config)
}

/// Options for the single commands' structs, whose database `migrate` has already resolved.
fn no_database() -> DatabaseArgs {
    DatabaseArgs {
        database_type: None,
        connection_string: None,
        config: None,
    }
}

fn same_database(a: &DatabaseConfig, b: &DatabaseConfig) -> bool {
    if a.database_type != b.database_type {
        return false;
    }
    if a.database_type == DatabaseType::Sqlite {
        let canon = |c: &DatabaseConfig| -> Option<PathBuf> {
            let p = c.sqlite_path().ok()?;
            Some(std::fs::canonicalize(&p).unwrap_or(p))
        };
        return canon(a).is_some() && canon(a) == canon(b);
    }
    match (a.server(), b.server()) {
        (Ok(x), Ok(y)) => {
            x.host.eq_ignore_ascii_case(&y.host)
                && x.port == y.port
                && x.instance == y.instance
                && x.database == y.database
        }
        _ => a.connection_string.trim() == b.connection_string.trim(),
    }
}

fn step(n: u8, what: &str) {
    println!();
    println!("Step {n}/3: {what}");
}

fn stopped(n: u8, name: &str, dir: &Path) -> anyhow::Result<bool> {
    eprintln!(
        "error: migrate stopped at step {n}/3 ({name}); its folder is {}",
        absolute(dir).display()
    );
    Ok(false)
}
