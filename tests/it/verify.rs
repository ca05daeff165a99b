//! `siteserver verify`: a database proven to hold a folder, and every kind of difference named.
//!
//! Source side: right after `backup` the source matches its folder; a row inserted later is
//! named. Target side: after `restore` (which runs the count check itself) every value matches,
//! in SQLite, MySQL and PostgreSQL; a changed value, a deleted row and a dropped table are each
//! named by table, key and column.

use std::process::ExitCode;

use sscms_core::ops::{TableVerify, VerifyReport, VerifyStatus};

use crate::support::db::{Kind, TestDb, rich};
use crate::support::tmp;

fn table<'a>(report: &'a VerifyReport, name: &str) -> &'a TableVerify {
    report
        .tables
        .iter()
        .find(|t| t.table == name)
        .unwrap_or_else(|| panic!("{name} is not in the report: {report:#?}"))
}

async fn source_side(kind: Kind, test: &str) {
    let Some(src) = TestDb::create(kind, test).await else {
        return;
    };
    rich(&src, 50).await;
    let dir = tmp();
    let bak = dir.path().join("backup");
    src.backup(&bak).await;
    assert_eq!(src.verify_cli(&bak).await, ExitCode::SUCCESS, "{test}");
    let report = src.verify_report(&bak).await;
    assert!(report.ok, "{test}: {report:#?}");
    assert!(report.tables.iter().all(|t| t.status == VerifyStatus::Ok));
    assert_eq!(table(&report, "Big_Table").folder_rows, 50);

    let id = src.insert_new_site().await;
    assert_eq!(src.verify_cli(&bak).await, ExitCode::from(1), "{test}");
    let report = src.verify_report(&bak).await;
    assert!(!report.ok);
    let site = table(&report, "siteserver_Site");
    assert_eq!(site.status, VerifyStatus::Count, "{test}: {site:#?}");
    assert_eq!(site.database_rows, Some(site.folder_rows + 1));
    assert_eq!(site.differences.len(), 1, "{test}: {site:#?}");
    assert_eq!(site.differences[0].key, format!("Id={id}"));
    assert_eq!(site.differences[0].what, "only in the database");
    let others_ok = report
        .tables
        .iter()
        .filter(|t| t.table != "siteserver_Site")
        .all(|t| t.status == VerifyStatus::Ok);
    assert!(others_ok, "{test}: {report:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn source_matches_its_backup_until_a_row_is_added_sqlite() {
    source_side(Kind::Sqlite, "verify::source_sqlite").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn source_matches_its_backup_until_a_row_is_added_mysql() {
    source_side(Kind::MySql, "verify::source_mysql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn source_matches_its_backup_until_a_row_is_added_postgres() {
    source_side(Kind::Postgres, "verify::source_postgres").await;
}

async fn target_side(target: Kind, test: &str) {
    let Some(src) = TestDb::create(Kind::Sqlite, test).await else {
        return;
    };
    let Some(dst) = TestDb::create(target, test).await else {
        return;
    };
    rich(&src, 50).await;
    let dir = tmp();
    let bak = dir.path().join("backup");
    src.backup(&bak).await;
    dst.restore(&bak).await;
    assert_eq!(dst.verify_cli(&bak).await, ExitCode::SUCCESS, "{test}");
    let report = dst.verify_report(&bak).await;
    assert!(report.ok, "{test}: {report:#?}");

    let q = |s: &str| dst.q(s);
    dst.exec(&format!(
        "UPDATE {} SET {} = 'changed' WHERE {} = 1",
        q("siteserver_Site"),
        q("SiteName"),
        q("Id")
    ))
    .await;
    dst.exec(&format!(
        "DELETE FROM {} WHERE {} = 7",
        q("Big_Table"),
        q("Id")
    ))
    .await;
    dst.exec(&format!("DROP TABLE {}", q("pair_key"))).await;
    assert_eq!(dst.verify_cli(&bak).await, ExitCode::from(1), "{test}");
    let report = dst.verify_report(&bak).await;
    assert!(!report.ok);

    let site = table(&report, "siteserver_Site");
    assert_eq!(site.status, VerifyStatus::Differs, "{test}: {site:#?}");
    assert_eq!(site.differences.len(), 1, "{test}: {site:#?}");
    let d = &site.differences[0];
    assert_eq!(d.key, "Id=1");
    assert_eq!(d.column.as_deref(), Some("SiteName"));
    assert_eq!(d.folder.as_deref(), Some("主站"));
    assert_eq!(d.database.as_deref(), Some("changed"));

    let big = table(&report, "Big_Table");
    assert_eq!(big.status, VerifyStatus::Count, "{test}: {big:#?}");
    assert_eq!((big.folder_rows, big.database_rows), (50, Some(49)));
    assert_eq!(big.differences.len(), 1, "{test}: {big:#?}");
    assert_eq!(big.differences[0].key, "Id=7");
    assert_eq!(big.differences[0].what, "only in the folder");

    let pair = table(&report, "pair_key");
    assert_eq!(pair.status, VerifyStatus::Missing);
    assert_eq!(pair.database_rows, None);

    let bad: Vec<&str> = report
        .tables
        .iter()
        .filter(|t| t.status != VerifyStatus::Ok)
        .map(|t| t.table.as_str())
        .collect();
    assert_eq!(bad, ["Big_Table", "pair_key", "siteserver_Site"], "{test}");
}

#[tokio::test(flavor = "multi_thread")]
async fn restored_target_matches_until_changed_sqlite() {
    target_side(Kind::Sqlite, "verify::target_sqlite").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn restored_target_matches_until_changed_mysql() {
    target_side(Kind::MySql, "verify::target_mysql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn restored_target_matches_until_changed_postgres() {
    target_side(Kind::Postgres, "verify::target_postgres").await;
}
