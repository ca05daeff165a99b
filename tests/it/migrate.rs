//! `siteserver migrate`: the generated 4.1 and 5.0 sites, each in SQLite, MySQL and PostgreSQL,
//! migrated into each of the three, then proven by `verify` against the kept update folder.

use std::process::ExitCode;

use sscms_tests::fixtures::{Scale, Version, generate};

use crate::support::db::{Kind, TestDb};
use crate::support::{siteserver, tmp};

async fn migrate(src: &TestDb, dst: &TestDb, dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    siteserver(&[
        "migrate",
        "--from-type",
        src.kind.type_name(),
        "--from-connection-string",
        &src.url(),
        "--to-type",
        dst.kind.type_name(),
        "--to-connection-string",
        &dst.url(),
        "-d",
        dir.to_str().unwrap(),
    ])
    .await
}

async fn from(source: Kind, test: &str) {
    for version in [Version::V4_1, Version::V5_0] {
        let Some(src) = TestDb::create(source, test).await else {
            return;
        };
        let dir = tmp();
        let fixture = dir.path().join("fixture");
        generate(version, &fixture, Scale::Small).unwrap();
        src.restore(&fixture).await;
        for target in Kind::ALL {
            let Some(dst) = TestDb::create(target, test).await else {
                continue;
            };
            let label = format!(
                "{} {} -> {}",
                version.key(),
                source.type_name(),
                target.type_name()
            );
            let work = dir.path().join(format!("migrate-{}", target.type_name()));
            let code = migrate(&src, &dst, &work)
                .await
                .unwrap_or_else(|e| panic!("{label}: {e:#}"));
            assert_eq!(code, ExitCode::SUCCESS, "{label}");
            for step in ["backup", "update"] {
                assert!(
                    work.join(step).join("_tables.json").is_file(),
                    "{label}: the {step} folder is kept"
                );
            }
            assert_eq!(
                dst.verify_cli(&work.join("update")).await,
                ExitCode::SUCCESS,
                "{label}"
            );
            let report = dst.verify_report(&work.join("update")).await;
            assert!(report.ok, "{label}: {report:#?}");
            assert!(
                report
                    .tables
                    .iter()
                    .any(|t| t.folder_rows > 0 && t.table == "siteserver_Site"),
                "{label}: the sites arrived"
            );
            // The config written beside the folders names the new database: verify through it.
            let config = work.join("sscms.json");
            let code = siteserver(&[
                "verify",
                "-c",
                config.to_str().unwrap(),
                "-d",
                work.join("update").to_str().unwrap(),
                "--counts-only",
            ])
            .await
            .unwrap_or_else(|e| panic!("{label}: verify through {}: {e:#}", config.display()));
            assert_eq!(
                code,
                ExitCode::SUCCESS,
                "{label}: sscms.json names the target"
            );
            // The source is untouched and still matches its backup.
            assert_eq!(
                src.verify_cli(&work.join("backup")).await,
                ExitCode::SUCCESS,
                "{label}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn from_sqlite_into_every_type() {
    from(Kind::Sqlite, "migrate::from_sqlite").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn from_mysql_into_every_type() {
    from(Kind::MySql, "migrate::from_mysql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn from_postgres_into_every_type() {
    from(Kind::Postgres, "migrate::from_postgres").await;
}

/// The target is never guessed, and never the source itself.
#[tokio::test(flavor = "multi_thread")]
async fn refuses_a_missing_or_same_target() {
    let src = TestDb::create(Kind::Sqlite, "migrate::refuses")
        .await
        .unwrap();
    let dir = tmp();
    let fixture = dir.path().join("fixture");
    generate(Version::V5_0, &fixture, Scale::Small).unwrap();
    src.restore(&fixture).await;
    let work = dir.path().join("m");
    let err = siteserver(&[
        "migrate",
        "--from-type",
        "SQLite",
        "--from-connection-string",
        &src.url(),
        "-d",
        work.to_str().unwrap(),
    ])
    .await
    .unwrap_err();
    assert!(format!("{err:#}").contains("target database"), "{err:#}");
    let err = migrate(&src, &src, &work).await.unwrap_err();
    assert!(format!("{err:#}").contains("the same database"), "{err:#}");
    assert!(!work.exists(), "nothing written");
}
