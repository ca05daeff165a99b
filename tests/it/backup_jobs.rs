//! `backup --jobs 4` reads one point in time: while a writer keeps adding the same id to two
//! tables, and to a table large enough to be read in key ranges by several jobs, in one
//! transaction, the backup holds the same ids in all three, though different connections read
//! them at different moments. A table read in key ranges gets the same files as read whole.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use serde_json::Value;
use sqlx::AssertSqlSafe;

use crate::support::db::{Kind, TestDb, read_backup};
use crate::support::{ok, siteserver, tmp};

async fn one_point_in_time(kind: Kind, test: &str) {
    let Some(db) = TestDb::create(kind, test).await else {
        return;
    };
    let q = |s: &str| db.q(s);
    let mut ddl = format!(
        "CREATE TABLE {a} ({id} INT PRIMARY KEY, {v} VARCHAR(20)); \
         CREATE TABLE {b} ({id} INT PRIMARY KEY, {v} VARCHAR(20));",
        a = q("pair_a"),
        b = q("pair_b"),
        id = q("Id"),
        v = q("V"),
    );
    // Filler, so the jobs are busy for a while and take the pair at different moments.
    for i in 0..6 {
        ddl.push_str(&format!(
            "CREATE TABLE {t} ({id} INT PRIMARY KEY, {v} VARCHAR(200));",
            t = q(&format!("filler_{i}")),
            id = q("Id"),
            v = q("V"),
        ));
    }
    db.exec(&ddl).await;
    for i in 0..6 {
        let fill = match kind {
            Kind::Postgres => format!(
                "INSERT INTO {} SELECT g, repeat('x', 150) FROM generate_series(1, 30000) g",
                q(&format!("filler_{i}"))
            ),
            _ => format!(
                "INSERT INTO {} SELECT seq, REPEAT('x', 150) FROM seq_1_to_30000",
                q(&format!("filler_{i}"))
            ),
        };
        db.exec(&fill).await;
    }
    if kind == Kind::Postgres {
        // Statistics, so that the split is planned on PostgreSQL's estimate as on MySQL's.
        db.exec("ANALYZE").await;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicI64::new(0));
    let writer = {
        let (stop, written) = (stop.clone(), written.clone());
        let sql = |id: i64| {
            format!(
                "BEGIN; INSERT INTO {a} VALUES ({id}, 'w'); INSERT INTO {b} VALUES ({id}, 'w'); \
                 INSERT INTO {c} VALUES ({}, 'w'); COMMIT;",
                SPLIT_BASE + id,
                a = q("pair_a"),
                b = q("pair_b"),
                c = q("filler_0"),
            )
        };
        let statements: Vec<String> = (1..=100_000).map(sql).collect();
        let url = db.url();
        tokio::spawn(async move {
            use sqlx::Connection;
            let run = |s: String| AssertSqlSafe(s);
            match kind {
                Kind::Postgres => {
                    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                    for s in statements {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        sqlx::raw_sql(run(s)).execute(&mut c).await.unwrap();
                        written.fetch_add(1, Ordering::SeqCst);
                    }
                }
                _ => {
                    let mut c = sqlx::MySqlConnection::connect(&url).await.unwrap();
                    for s in statements {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        sqlx::raw_sql(run(s)).execute(&mut c).await.unwrap();
                        written.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        })
    };
    while written.load(Ordering::SeqCst) < 50 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let dir = tmp();
    let bak = dir.path().join("bak");
    let before = written.load(Ordering::SeqCst);
    ok(siteserver(&[
        "backup",
        "--database-type",
        kind.type_name(),
        "--connection-string",
        &db.url(),
        "-d",
        bak.to_str().unwrap(),
        "--jobs",
        "4",
    ])
    .await
    .unwrap());
    let after = written.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(after > before, "{test}: the writer wrote during the backup");
    let tables = read_backup(&bak);
    let ids = |name: &str| -> Vec<i64> {
        let (_, _, rows) = tables.iter().find(|(n, _, _)| n == name).unwrap();
        let mut ids: Vec<i64> = rows
            .iter()
            .map(|r| match r {
                Value::Object(o) => o["id"].as_i64().unwrap(),
                other => panic!("{other}"),
            })
            .collect();
        ids.sort_unstable();
        ids
    };
    let (a, b) = (ids("pair_a"), ids("pair_b"));
    assert!(!a.is_empty(), "{test}");
    assert_eq!(
        a, b,
        "{test}: both tables of the pair are read at one point in time"
    );
    let split: Vec<i64> = ids("filler_0")
        .into_iter()
        .filter(|i| *i > SPLIT_BASE)
        .map(|i| i - SPLIT_BASE)
        .collect();
    assert_eq!(
        split, a,
        "{test}: the table read in key ranges is read at the same point in time"
    );

    // Now that nothing writes: the ranges' pages are the pages of one job, byte for byte.
    let whole = dir.path().join("whole");
    let parts = dir.path().join("parts");
    let guessed = dir.path().join("guessed");
    let mut runs = vec![(&whole, "1"), (&parts, "3")];
    if kind == Kind::Postgres {
        // Estimates far off either way: parts past the table's end stay empty, and a last part
        // holds all the rows the estimate missed.
        db.exec(&format!(
            "UPDATE pg_class SET reltuples = 200000 WHERE oid = '{}'::regclass; \
             UPDATE pg_class SET reltuples = 20001 WHERE oid = '{}'::regclass;",
            q("filler_0"),
            q("filler_1")
        ))
        .await;
        runs.push((&guessed, "3"));
    }
    for (folder, jobs) in runs {
        ok(siteserver(&[
            "backup",
            "--database-type",
            kind.type_name(),
            "--connection-string",
            &db.url(),
            "-d",
            folder.to_str().unwrap(),
            "--jobs",
            jobs,
            "--includes",
            "filler_0,filler_1",
        ])
        .await
        .unwrap());
    }
    for table in ["filler_0", "filler_1"] {
        let files = |d: &std::path::Path| {
            let mut f: Vec<(String, Vec<u8>)> = std::fs::read_dir(d.join(table))
                .unwrap()
                .map(|e| {
                    let e = e.unwrap();
                    (
                        e.file_name().into_string().unwrap(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect();
            f.sort();
            f
        };
        let (w, p) = (files(&whole), files(&parts));
        assert!(w.len() > 30, "{test}: {table} has {} files", w.len());
        assert!(
            w == p,
            "{test}: {table} read in key ranges differs from one job's read"
        );
        if kind == Kind::Postgres {
            assert!(
                w == files(&guessed),
                "{test}: {table} read in ranges planned on a wrong estimate differs"
            );
        }
    }
    let manifest = |d: &std::path::Path| -> Value {
        let m: Value =
            serde_json::from_slice(&std::fs::read(d.join("_manifest.json")).unwrap()).unwrap();
        m["tables"].clone()
    };
    assert_eq!(manifest(&whole), manifest(&parts), "{test}");
}

/// Ids the writer adds to the table read in key ranges, above its own.
const SPLIT_BASE: i64 = 1_000_000;

#[tokio::test(flavor = "multi_thread")]
async fn mysql_jobs_share_one_snapshot() {
    one_point_in_time(Kind::MySql, "backup_jobs::mysql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_jobs_share_one_snapshot() {
    one_point_in_time(Kind::Postgres, "backup_jobs::postgres").await;
}
