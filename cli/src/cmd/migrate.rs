//! `siteserver migrate`: the three commands in a row, through their own code.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde_json::{Value, json};
use sscms_core::adapter::Target;
use sscms_core::config::write::Generation;
use sscms_core::config::{ConfigInputs, ConfigSource, DatabaseConfig, resolve};
use sscms_core::detect::detect_folder;
use sscms_core::{BackupReader, DatabaseType, Registry};

use super::absolute;
use crate::out::Outcome;
use crate::out::say;
use crate::{BackupArgs, DatabaseArgs, MigrateArgs, RestoreArgs, UpdateArgs};

pub async fn run(args: MigrateArgs) -> anyhow::Result<Outcome> {
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
    say!("Migrate folder: {}", absolute(&dir).display());

    step(1, "backup of the old database");
    let backup = BackupArgs {
        database: no_database(),
        directory: Some(backup_dir.clone()),
        includes: args.includes.clone(),
        excludes: args.excludes.clone(),
        max_rows: 0,
        page_size: args.page_size,
        jobs: args.jobs,
        resume: args.resume
            && backup_dir
                .join(sscms_core::backup::INCOMPLETE_FILE)
                .is_file(),
    };
    let mut steps = Vec::new();
    if args.resume && complete(&backup_dir, "_manifest.json") {
        say!("Kept: {} is complete", absolute(&backup_dir).display());
        steps.push(json!({ "step": "backup", "ok": true, "skipped": "complete already" }));
    } else {
        let done = super::backup::execute(&source, backup)
            .await
            .context("migrate step 1/3 (backup)")?;
        if !record(&mut steps, "backup", done) {
            return stopped(1, "backup", &backup_dir, steps);
        }
    }

    step(2, "update of the backup folder");
    let restore_dir = match already_there(&backup_dir, &args)? {
        _ if args.resume && complete(&update_dir, sscms_core::update::REPORT_FILE) => {
            say!("Kept: {} is complete", absolute(&update_dir).display());
            steps.push(json!({ "step": "update", "ok": true, "skipped": "complete already" }));
            update_dir
        }
        Some(why) => {
            say!("Nothing to update: {why}; the backup folder is restored as it is");
            steps.push(json!({ "step": "update", "ok": true, "skipped": why }));
            backup_dir
        }
        None => {
            update_step(&args, backup_dir, &update_dir, &mut steps)?;
            if !steps.last().is_some_and(|s| s["ok"] == true) {
                return stopped(2, "update", &update_dir, steps);
            }
            update_dir
        }
    };

    step(3, "restore into the new database");
    let restore = RestoreArgs {
        database: no_database(),
        directory: restore_dir.clone(),
        includes: None,
        excludes: Vec::new(),
        drop_existing: false,
        jobs: args.jobs,
        no_verify: args.no_verify,
        resume: args.resume && has_ledger(&target).await?,
    };
    let done = super::restore::execute(&target, restore)
        .await
        .context("migrate step 3/3 (restore)")?;
    if !record(&mut steps, "restore", done) {
        return stopped(3, "restore", &restore_dir, steps);
    }
    say!(
        "Migrated: the new database holds {}",
        absolute(&restore_dir).display()
    );
    site_config(&target, &args.to, &dir, &mut steps)?;
    Ok(Outcome {
        ok: true,
        summary: json!({ "directory": absolute(&dir), "restored": absolute(&restore_dir), "steps": steps }),
    })
}

/// The new site's config beside the folders, when the target version has one and none is
/// there yet.
fn site_config(
    target: &DatabaseConfig,
    to: &str,
    dir: &Path,
    steps: &mut Vec<Value>,
) -> anyhow::Result<()> {
    let skip = |steps: &mut Vec<Value>, why: String| {
        say!("  note: no config file written: {why}");
        steps.push(json!({ "step": "config", "ok": true, "skipped": why }));
    };
    let generation = match Generation::of_version(to) {
        Ok(g) => g,
        Err(e) => {
            skip(steps, e.to_string());
            return Ok(());
        }
    };
    let path = dir.join(generation.file_name());
    if path.exists() {
        skip(steps, format!("{} exists", absolute(&path).display()));
        return Ok(());
    }
    if generation == Generation::V6 && target.database_type == DatabaseType::Sqlite {
        skip(steps, "SiteServer 6.x cannot run on SQLite".into());
        return Ok(());
    }
    let options = super::config::Options {
        protect: false,
        secret_key: None,
        redis: String::new(),
        overwrite: false,
    };
    let done = super::config::write(target, generation, &path, &options)?;
    record(steps, "config", done);
    Ok(())
}

/// A folder a step finished: it writes `last` when everything else is in place.
fn complete(dir: &Path, last: &str) -> bool {
    dir.join("_tables.json").is_file()
        && dir.join(last).is_file()
        && !dir.join(sscms_core::backup::INCOMPLETE_FILE).exists()
}

/// Whether the target holds an unfinished restore to continue.
async fn has_ledger(target: &DatabaseConfig) -> anyhow::Result<bool> {
    let mut driver = sscms_core::connect(target, sscms_core::Access::ReadOnly).await?;
    let tables = driver.list_tables().await;
    driver.close().await?;
    Ok(tables?
        .iter()
        .any(|t| t.eq_ignore_ascii_case(sscms_core::ops::LEDGER_TABLE)))
}

/// Why the backup needs no update (a 7.x site moving to another database), or None.
fn already_there(backup: &Path, args: &MigrateArgs) -> anyhow::Result<Option<String>> {
    if args.from.is_some() {
        return Ok(None);
    }
    let detected = detect_folder(&BackupReader::open(backup)?)?;
    let to = if args.to.eq_ignore_ascii_case("latest") {
        Target::Latest
    } else {
        Target::Named(args.to.clone())
    };
    let path = Registry::load()?.path(&detected.version, &to);
    Ok(match path {
        Ok(p) if p.chain.is_empty() => Some(format!(
            "the site is at {} already ({})",
            detected.version, detected.evidence
        )),
        _ => None,
    })
}

fn update_step(
    args: &MigrateArgs,
    backup_dir: PathBuf,
    update_dir: &Path,
    steps: &mut Vec<Value>,
) -> anyhow::Result<()> {
    let update = UpdateArgs {
        directory: backup_dir,
        output: update_dir.to_path_buf(),
        from: args.from.clone(),
        to: args.to.clone(),
        split_contents: args.split_contents,
        overwrite: false,
        page_size: args.page_size,
    };
    let done = super::update::run(update).context("migrate step 2/3 (update)")?;
    record(steps, "update", done);
    Ok(())
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
    say!();
    say!("Step {n}/3: {what}");
}

fn stopped(n: u8, name: &str, dir: &Path, steps: Vec<Value>) -> anyhow::Result<Outcome> {
    eprintln!(
        "error: migrate stopped at step {n}/3 ({name}); its folder is {}",
        absolute(dir).display()
    );
    Ok(Outcome {
        ok: false,
        summary: json!({ "stoppedAt": name, "steps": steps }),
    })
}

/// Keeps a step's summary; returns whether the step succeeded.
fn record(steps: &mut Vec<Value>, name: &str, done: Outcome) -> bool {
    let mut v = json!({ "step": name, "ok": done.ok });
    if let (Some(o), Some(s)) = (v.as_object_mut(), done.summary.as_object()) {
        o.extend(s.clone());
    }
    steps.push(v);
    done.ok
}
