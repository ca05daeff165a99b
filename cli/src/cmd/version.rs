//! `siteserver version`.

use crate::DatabaseArgs;

pub fn run(args: DatabaseArgs) -> anyhow::Result<bool> {
    println!("siteserver {}", env!("CARGO_PKG_VERSION"));
    println!(
        "Current folder: {}",
        std::env::current_dir()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    );
    println!(
        "Database drivers: {}",
        sscms_core::db::supported().join(", ")
    );
    match super::database(&args) {
        Ok(config) => super::print_database(&config),
        Err(e) => println!("Database: not configured ({e:#})"),
    }
    Ok(true)
}
