//! Every source type restored into every target type: SQLite, MySQL and PostgreSQL, 3 × 3.
//!
//! Each source gets the same rich data and a 100,000-row table. It is backed up once; each
//! target is restored from that folder and backed up again, and both folders must hold the same
//! rows, value for value. After a restore into MySQL or PostgreSQL, a new row without an id
//! must get max(id) + 1.

use std::time::Instant;

use crate::support::db::{BIG_ROWS, Kind, TestDb, assert_same_rows, rich};
use crate::support::tmp;

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
        let Some(dst) = TestDb::create(target, test).await else {
            continue;
        };
        let label = format!("{} -> {}", source.type_name(), target.type_name());
        let cell = Instant::now();
        dst.restore(&bak).await;
        let again = dir.path().join(target.type_name());
        dst.backup(&again).await;
        assert_same_rows(&bak, &again, &label);
        if target != Kind::Sqlite {
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
