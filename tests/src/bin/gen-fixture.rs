//! Writes a generated SiteServer backup folder to disk.
//!
//! ```sh
//! cargo run -p sscms-tests --bin gen-fixture -- 4.1 /tmp/out           # a few rows per table
//! cargo run -p sscms-tests --bin gen-fixture -- 5.0 /tmp/out --pages   # content spans 500-row files
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use sscms_tests::fixtures::{Scale, Version, generate};

const USAGE: &str = "usage: gen-fixture <3.6|4.0|4.1|5.0> <DIR> [--pages]\n\
    Writes a backup folder of that SiteServer version, as the 6.x `siteserver backup` wrote it \
    from SQL Server. DIR must be empty or absent.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let pages = args.iter().any(|a| a == "--pages");
    let rest: Vec<&String> = args.iter().filter(|a| *a != "--pages").collect();
    let [version, dir] = rest.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let version: Version = match version.parse() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("gen-fixture: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let scale = if pages { Scale::Pages } else { Scale::Small };
    let dir = PathBuf::from(dir.as_str());
    match generate(version, &dir, scale) {
        Ok(summary) => {
            for t in &summary.tables {
                if t.rows > 0 {
                    println!(
                        "{:<40} {:>6} rows  {}",
                        t.name,
                        t.rows,
                        t.row_files.join(",")
                    );
                }
            }
            let empty = summary.tables.iter().filter(|t| t.rows == 0).count();
            println!(
                "SiteServer {version} (DatabaseVersion {}): {} tables ({} empty), {} rows in {}",
                version.database_version(),
                summary.tables.len(),
                empty,
                summary.total_rows(),
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-fixture: {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
