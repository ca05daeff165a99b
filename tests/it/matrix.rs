//! Every source type restored into every target type: SQLite, MySQL and PostgreSQL, 3 × 3.
//!
//! Each source gets the same rich data and a 100,000-row table. It is backed up once; each
//! target is restored from that folder and backed up again, and both folders must hold the same
//! rows, value for value. After a restore into MySQL or PostgreSQL, a new row without an id
//! must get max(id) + 1.

use std::time::Instant;

use crate::support::db::{BIG_ROWS, Kind, TestDb, assert_same_rows, rich};
use crate::support::{ok, tmp};

async fn matrix_from(source: Kind, test: &str) {
    let Some(src) = TestDb::create(source, test).await else {
        return;
    };
    let started = Instant::now();
    rich(&src, BIG_ROWS).await;
    let dir = tmp();
    let bak = dir.path().join("source");
    // The ADO.NET form for sources, URLs for targets: both are what users pass.
    src.backup_with(&src.ado(), &bak).await;
    eprintln!(
        "{test}: source filled and backed up in {:.1?}",
        started.elapsed()
    );
    for target in Kind::ALL {
        // Restored with one job and backed up with four, then the other way round.
        for (n, jobs) in [(1, 4), (4, 1)].into_iter().enumerate() {
            let Some(dst) = TestDb::create(target, test).await else {
                continue;
            };
            let label = format!(
                "{} -> {} (restore --jobs {}, backup --jobs {})",
                source.type_name(),
                target.type_name(),
                jobs.0,
                jobs.1
            );
            let cell = Instant::now();
            ok(dst.with_jobs("restore", &bak, jobs.0).await.unwrap());
            let again = dir.path().join(format!("{}-{n}", target.type_name()));
            ok(dst.with_jobs("backup", &again, jobs.1).await.unwrap());
            assert_same_rows(&bak, &again, &label);
            if target != Kind::Sqlite && n == 0 {
                assert_eq!(
                    dst.insert_new_site().await,
                    101,
                    "{label}: a new site gets max(id) + 1"
                );
                let big = dst.q("Big_Table");
                let title = dst.q("Title");
                dst.exec(&format!("INSERT INTO {big} ({title}) VALUES ('new')"))
                    .await;
                assert_eq!(
                    dst.int(&format!(
                        "SELECT {} FROM {big} WHERE {title} = 'new'",
                        dst.q("Id")
                    ))
                    .await,
                    i64::from(BIG_ROWS) + 1,
                    "{label}: a new big row gets max(id) + 1"
                );
            }
            eprintln!("{label}: restored and compared in {:.1?}", cell.elapsed());
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn from_sqlite_into_every_type() {
    matrix_from(Kind::Sqlite, "matrix::from_sqlite_into_every_type").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn from_mysql_into_every_type() {
    matrix_from(Kind::MySql, "matrix::from_mysql_into_every_type").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn from_postgres_into_every_type() {
    matrix_from(Kind::Postgres, "matrix::from_postgres_into_every_type").await;
}

/// A value that is not a number in the last row of the last file of the last table: the
/// restore is refused with four jobs on the bulk paths, and the target is exactly as it was.
async fn bad_last_row_leaves_the_target_as_it_was(kind: Kind, test: &str) {
    let Some(src) = TestDb::create(Kind::Sqlite, test).await else {
        return;
    };
    rich(&src, 5_000).await;
    let dir = tmp();
    let bak = dir.path().join("bak");
    src.backup(&bak).await;
    let tables: Vec<String> =
        serde_json::from_slice(&std::fs::read(bak.join("_tables.json")).unwrap()).unwrap();
    let last = bak.join(tables.last().unwrap());
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(last.join("_metadata.json")).unwrap()).unwrap();
    let file = last.join(
        meta["rowFiles"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .as_str()
            .unwrap(),
    );
    let integer = meta["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["dataType"] == "Integer")
        .map(|c| sscms_core::naming::camel_case(c["attributeName"].as_str().unwrap()))
        .expect("an Integer column");
    let mut rows: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    rows.last_mut().unwrap()[integer.as_str()] = "not a number".into();
    std::fs::write(&file, serde_json::to_vec(&rows).unwrap()).unwrap();
    // The edit is the point, not the changed sha256.
    std::fs::remove_file(bak.join("_manifest.json")).unwrap();

    let Some(dst) = TestDb::create(kind, test).await else {
        return;
    };
    let err = dst.refused_restore(&bak, 4, test).await;
    let file_name = file.strip_prefix(&bak).unwrap().display().to_string();
    assert!(
        err.contains(&file_name) || err.contains(file.file_name().unwrap().to_str().unwrap()),
        "{test}: names the file: {err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_last_row_leaves_mysql_as_it_was() {
    bad_last_row_leaves_the_target_as_it_was(Kind::MySql, "matrix::bad_last_row_mysql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_last_row_leaves_postgres_as_it_was() {
    bad_last_row_leaves_the_target_as_it_was(Kind::Postgres, "matrix::bad_last_row_postgres").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_last_row_leaves_sqlite_as_it_was() {
    bad_last_row_leaves_the_target_as_it_was(Kind::Sqlite, "matrix::bad_last_row_sqlite").await;
}
