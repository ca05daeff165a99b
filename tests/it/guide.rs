//! `docs/upgrade.md`, run as written: every `siteserver` line of its shell blocks, in order,
//! with `old-site/Web.config` naming a generated 4.1 site and `$NEW` a fresh target database.
//! The one-command `migrate` line runs last, into a second fresh database.

use std::path::Path;
use std::process::ExitCode;

use sscms_tests::fixtures::{Scale, Version, generate};

use crate::support::db::{Kind, TestDb};
use crate::support::{siteserver, tmp};

/// The guide's `siteserver` command lines, each split into arguments as a POSIX shell would
/// for these simple lines (double quotes, `$NEW`).
fn guide_lines() -> Vec<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/upgrade.md");
    let text = std::fs::read_to_string(&path).expect("docs/upgrade.md");
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = t == "```sh";
            continue;
        }
        if in_sh && t.starts_with("siteserver ") {
            out.push(split(t));
        }
    }
    out
}

fn split(line: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    args.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        args.push(cur);
    }
    args
}

/// The guide's arguments for this run: `$NEW` is the target, relative paths live in `dir`.
fn bind(args: &[String], dir: &Path, new: &str) -> Vec<String> {
    args.iter()
        .skip(1)
        .map(|a| {
            if a == "$NEW" {
                new.to_string()
            } else if !a.starts_with('-') && a.contains('/') {
                dir.join(a).display().to_string()
            } else {
                a.clone()
            }
        })
        .collect()
}

/// A URL, as the guide passes it, for a test database.
fn url(db: &TestDb) -> String {
    match db.kind {
        Kind::Sqlite => format!("sqlite://{}", db.name),
        _ => db.url(),
    }
}

async fn run_guide(kind: Kind, test: &str) {
    let lines = guide_lines();
    assert!(
        lines.len() >= 8,
        "the guide has its command lines: {lines:?}"
    );
    let Some(src) = TestDb::create(kind, test).await else {
        return;
    };
    let dir = tmp();
    let fixture = dir.path().join("fixture");
    generate(Version::V4_1, &fixture, Scale::Small).unwrap();
    src.restore(&fixture).await;
    std::fs::create_dir_all(dir.path().join("old-site")).unwrap();
    std::fs::create_dir_all(dir.path().join("new-site")).unwrap();
    let (ty, cs) = match kind {
        Kind::Sqlite => ("SQLite".to_string(), format!("Data Source={}", src.name)),
        _ => (kind.type_name().to_string(), src.ado()),
    };
    std::fs::write(
        dir.path().join("old-site/Web.config"),
        format!(
            "<configuration><appSettings><add key=\"IsProtectData\" value=\"False\" /><add key=\"DatabaseType\" value=\"{ty}\" /><add key=\"ConnectionString\" value=\"{}\" /></appSettings></configuration>",
            cs.replace('&', "&amp;").replace('"', "&quot;")
        ),
    )
    .unwrap();

    let dst = TestDb::create(kind, test).await.unwrap();
    let migrated = TestDb::create(kind, test).await.unwrap();
    for line in &lines {
        let is_migrate = line[1] == "migrate";
        let target = if is_migrate { &migrated } else { &dst };
        let args = bind(line, dir.path(), &url(target));
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let code = siteserver(&argv)
            .await
            .unwrap_or_else(|e| panic!("{test}: `{}`: {e:#}", line.join(" ")));
        assert_eq!(code, ExitCode::SUCCESS, "{test}: `{}`", line.join(" "));
    }
    for (db, folder) in [
        (&dst, "upgrade/update"),
        (&migrated, "upgrade/migrate/update"),
    ] {
        let report = db.verify_report(&dir.path().join(folder)).await;
        assert!(report.ok, "{test}: {folder}: {report:#?}");
        assert_eq!(
            db.texts(&format!(
                "SELECT {} FROM {}",
                db.q("DatabaseVersion"),
                db.q("siteserver_Config")
            ))
            .await,
            [[Some("7.4.0".to_string())]],
            "{test}: {folder}: the new site starts without a database upgrade"
        );
    }
    for config in ["new-site/sscms.json", "upgrade/migrate/sscms.json"] {
        assert!(
            dir.path().join(config).is_file(),
            "{test}: {config} written"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_guide_runs_as_written_sqlite() {
    run_guide(Kind::Sqlite, "guide::sqlite").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_guide_runs_as_written_mysql() {
    run_guide(Kind::MySql, "guide::mysql").await;
}
