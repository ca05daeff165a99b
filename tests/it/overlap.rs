//! Restore loads the largest table into MySQL and PostgreSQL while the rest of the folder is
//! still being checked. A bad row after it, or in its own last file, still leaves the target
//! exactly as it was; a value in its last row that needs a wider column than the standard one
//! makes the restore load it again with that column, every row kept.

use std::path::Path;

use serde_json::Value;

use crate::support::db::{Kind, TestDb, assert_same_rows, rich};
use crate::support::{copy_dir, tmp};

/// Rows of `Big_Table`: more than the overlap's threshold of 10,000.
const ROWS: u32 = 12_000;

/// Changes the last row of the last row file of `table`; the folder's manifest goes, since the
/// edit is the point. Returns the file's path within the folder.
fn edit_last_row(bak: &Path, table: &str, edit: impl FnOnce(&mut Value)) -> String {
    let dir = bak.join(table);
    let meta: Value =
        serde_json::from_slice(&std::fs::read(dir.join("_metadata.json")).unwrap()).unwrap();
    let name = meta["rowFiles"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .as_str()
        .unwrap();
    let file = dir.join(name);
    let mut rows: Vec<Value> = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    edit(rows.last_mut().unwrap());
    std::fs::write(&file, serde_json::to_vec(&rows).unwrap()).unwrap();
    let _ = std::fs::remove_file(bak.join("_manifest.json"));
    format!("{table}/{name}")
}

async fn folder(test: &str, bak: &Path) -> bool {
    let Some(src) = TestDb::create(Kind::Sqlite, test).await else {
        return false;
    };
    rich(&src, ROWS).await;
    src.backup(bak).await;
    true
}

async fn bad_rows_leave_the_target_as_it_was(kind: Kind, test: &str) {
    let dir = tmp();
    let clean = dir.path().join("clean");
    if !folder(test, &clean).await {
        return;
    }
    // `siteserver_Site` is checked after `Big_Table`, which is then loaded already.
    for (table, column) in [("siteserver_Site", "taxis"), ("Big_Table", "num")] {
        let bak = dir.path().join(table);
        copy_dir(&clean, &bak);
        let file = edit_last_row(&bak, table, |row| row[column] = "not a number".into());
        let Some(dst) = TestDb::create(kind, test).await else {
            return;
        };
        let label = format!("{test}, {table}");
        let err = dst.refused_restore(&bak, 2, &label).await;
        assert!(err.contains(&file), "{label}: names {file}: {err}");
    }
}

async fn a_wider_value_reloads_the_table(kind: Kind, test: &str) {
    let dir = tmp();
    let bak = dir.path().join("bak");
    if !folder(test, &bak).await {
        return;
    }
    // Title is varchar(100).
    edit_last_row(&bak, "Big_Table", |row| {
        row["title"] = "长".repeat(150).into()
    });
    let Some(dst) = TestDb::create(kind, test).await else {
        return;
    };
    crate::support::ok(dst.with_jobs("restore", &bak, 2).await.unwrap());
    let again = dir.path().join("again");
    dst.backup(&again).await;
    assert_same_rows(&bak, &again, test);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_rows_leave_mysql_as_it_was() {
    bad_rows_leave_the_target_as_it_was(Kind::MySql, "overlap::bad_rows_mysql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_rows_leave_postgres_as_it_was() {
    bad_rows_leave_the_target_as_it_was(Kind::Postgres, "overlap::bad_rows_postgres").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wider_value_reloads_the_table_in_mysql() {
    a_wider_value_reloads_the_table(Kind::MySql, "overlap::wider_mysql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wider_value_reloads_the_table_in_postgres() {
    a_wider_value_reloads_the_table(Kind::Postgres, "overlap::wider_postgres").await;
}
