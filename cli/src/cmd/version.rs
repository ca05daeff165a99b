//! `siteserver version`.

use serde_json::json;

use crate::DatabaseArgs;
use crate::out::Outcome;
use crate::out::say;

pub fn run(args: DatabaseArgs) -> anyhow::Result<Outcome> {
    say!("siteserver {}", env!("CARGO_PKG_VERSION"));
    say!(
        "Current folder: {}",
        std::env::current_dir()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    );
    say!(
        "Database drivers: {}",
        sscms_core::db::supported().join(", ")
    );
    let database = match super::database(&args) {
        Ok(config) => {
            super::print_database(&config);
            super::database_json(&config)
        }
        Err(e) => {
            say!("Database: not configured ({e:#})");
            json!({"error": format!("{e:#}")})
        }
    };
    Ok(Outcome {
        ok: true,
        summary: json!({
            "version": env!("CARGO_PKG_VERSION"),
            "drivers": sscms_core::db::supported(),
            "database": database,
        }),
    })
}
