//! A restore killed at several points (inside a table after a committed chunk, between tables,
//! before an identity reset), then `--resume`: the target ends up with exactly the rows of the
//! folder, the ledger is gone, and new ids continue after the largest.
//!
//! The real binary waits at each point (`SITESERVER_FAULT` with a gate) and gets SIGKILL there.

use crate::support::db::{Kind, TestDb, assert_same_rows, rich};
use crate::support::{Paused, tmp};

async fn killed_then_resumed(kind: Kind, test: &str) {
    let Some(src) = TestDb::create(Kind::Sqlite, test).await else {
        return;
    };
    // 50,000 rows: the big table commits in three chunks.
    rich(&src, 50_000).await;
    let dir = tmp();
    let bak = dir.path().join("backup");
    src.backup(&bak).await;
    for point in ["chunk:1", "chunk:2", "table:2", "identity:1"] {
        let Some(dst) = TestDb::create(kind, test).await else {
            return;
        };
        let label = format!("{test} killed at {point}");
        let url = dst.url();
        let args = [
            "restore",
            "--database-type",
            kind.type_name(),
            "--connection-string",
            &url,
            "-d",
            bak.to_str().unwrap(),
        ];
        let o = Paused::start(&args, point).kill();
        assert!(!o.status.success(), "{label}: the run stopped");
        // A plain restore says what is there and how to go on.
        let err = format!("{:#}", dst.try_restore(&bak).await.unwrap_err());
        assert!(
            err.contains("did not finish") && err.contains("--resume"),
            "{label}: {err}"
        );

        let code = crate::support::siteserver(&[
            "restore",
            "--database-type",
            kind.type_name(),
            "--connection-string",
            &dst.url(),
            "-d",
            bak.to_str().unwrap(),
            "--resume",
        ])
        .await
        .unwrap_or_else(|e| panic!("{label}: --resume: {e:#}"));
        assert_eq!(code, std::process::ExitCode::SUCCESS, "{label}");
        let report = dst.verify_report(&bak).await;
        assert!(report.ok, "{label}: {report:#?}");
        let again = dir
            .path()
            .join(format!("again-{}", point.replace(':', "-")));
        dst.backup(&again).await;
        assert_same_rows(&bak, &again, &label);
        assert!(
            !again.join("_siteserver_restore").exists(),
            "{label}: the ledger is dropped at the end"
        );
        if kind != Kind::Sqlite {
            assert_eq!(dst.insert_new_site().await, 101, "{label}: ids continue");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_restore_resumes_exactly_sqlite() {
    killed_then_resumed(Kind::Sqlite, "resume::sqlite").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_restore_resumes_exactly_mysql() {
    killed_then_resumed(Kind::MySql, "resume::mysql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_restore_resumes_exactly_postgres() {
    killed_then_resumed(Kind::Postgres, "resume::postgres").await;
}
