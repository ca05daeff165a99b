//! One module per subcommand: arguments in, core options out, a report printed.

pub mod backup;
pub mod config;
pub mod migrate;
pub mod restore;
pub mod update;
pub mod verify;
pub mod version;
pub mod versions;

use std::path::PathBuf;

use anyhow::Context;
use sscms_core::config::{ConfigInputs, DatabaseConfig, resolve};

use crate::DatabaseArgs;
use crate::out::say;

/// Closes the connections of a run. After a failure they may be gone already, and the failure
/// is what to report, so errors from closing are then left out.
pub async fn close_all(
    drivers: Vec<Box<dyn sscms_core::DatabaseDriver>>,
    failed: bool,
) -> anyhow::Result<()> {
    for d in drivers {
        let closed = d.close().await;
        if !failed {
            closed?;
        }
    }
    Ok(())
}

/// Resolves the database from flags, environment and config files.
pub fn database(args: &DatabaseArgs) -> anyhow::Result<DatabaseConfig> {
    let cwd = std::env::current_dir().context("reading the current folder")?;
    let inputs = ConfigInputs {
        database_type: args.database_type.as_deref(),
        connection_string: args.connection_string.as_deref(),
        config_file: args.config.as_deref(),
        cwd: &cwd,
    };
    Ok(resolve(&inputs, &|k| std::env::var(k).ok())?)
}

/// Trims list items and drops empty ones, so `--excludes "a, b,"` means `a` and `b`.
pub fn list(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

pub fn absolute(dir: &std::path::Path) -> PathBuf {
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// `1234567` -> `1,234,567`, as the original tools print counts.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The database as `--format json` shows it, password masked.
pub fn database_json(config: &DatabaseConfig) -> serde_json::Value {
    serde_json::json!({
        "type": config.database_type.to_string(),
        "connectionString": config.masked(),
    })
}

pub fn print_database(config: &DatabaseConfig) {
    say!("Database type: {}", config.database_type);
    say!("Connection string: {}", config.masked());
}
