//! Backup a SQLite database, restore it into a new one, and compare every value.

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_backup_restore_keeps_every_value() {
    let tmp = tmp();
    let src = tmp.path().join("source.db");
    let dst = tmp.path().join("target.db");
    let bak1 = tmp.path().join("bak1");
    let bak2 = tmp.path().join("bak2");
    rich_source(&src).await;

    ok(backup_sqlite(&src, &bak1, &[]).await.unwrap());
    ok(siteserver(&[
        "restore",
        "--database-type",
        "sqlite",
        "--connection-string",
        dst.to_str().unwrap(),
        "-d",
        bak1.to_str().unwrap(),
    ])
    .await
    .unwrap());

    let mut want = dump(&src).await;
    let mut got = dump(&dst).await;
    // Rows of a table whose key is not the rowid come back in key order; compare as sets.
    for (_, rows) in want.iter_mut().chain(got.iter_mut()) {
        rows.sort();
    }
    assert_eq!(want.len(), 4);
    for ((wt, wr), (gt, gr)) in want.iter().zip(&got) {
        assert_eq!(wt, gt);
        assert_eq!(wr.len(), gr.len(), "{wt}: row count");
        for (w, g) in wr.iter().zip(gr) {
            assert_eq!(w, g, "{wt}: row differs");
        }
    }
    assert_eq!(want, got);

    // The sequence follows the ids, so the next row the CMS adds gets a fresh one.
    let mut c = sqlite(&dst).await;
    exec(
        &mut c,
        r#"INSERT INTO "siteserver_Site" ("SiteName") VALUES ('new')"#,
    )
    .await;
    let id: i64 = sqlx::query_scalar(r#"SELECT max("Id") FROM "siteserver_Site""#)
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(id, 101);
    exec(&mut c, r#"DELETE FROM "siteserver_Site" WHERE "Id" = 101"#).await;
    drop(c);

    // A second backup of the restored database is the same folder, byte for byte.
    ok(backup_sqlite(&dst, &bak2, &[]).await.unwrap());
    let f1 = files(&bak1);
    assert_eq!(f1, files(&bak2));
    assert!(f1.iter().any(|f| f.ends_with("siteserver_Site/1.json")));
    for f in f1.iter().filter(|f| !f.ends_with("_manifest.json")) {
        assert_eq!(
            std::fs::read(bak1.join(f)).unwrap(),
            std::fs::read(bak2.join(f)).unwrap(),
            "{}",
            f.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn small_pages_split_tables_and_restore_whole() {
    let tmp = tmp();
    let src = tmp.path().join("source.db");
    let dst = tmp.path().join("target.db");
    let bak = tmp.path().join("bak");
    rich_source(&src).await;
    ok(backup_sqlite(&src, &bak, &["--page-size", "2"])
        .await
        .unwrap());
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bak.join("siteserver_Site/_metadata.json")).unwrap())
            .unwrap();
    assert_eq!(meta["totalCount"], 7);
    assert_eq!(
        meta["rowFiles"],
        serde_json::json!(["1.json", "2.json", "3.json", "4.json"])
    );
    assert_eq!(meta["rows"], meta["rowFiles"]);
    ok(siteserver(&[
        "restore",
        "--database-type",
        "SQLite",
        "--connection-string",
        dst.to_str().unwrap(),
        "-d",
        bak.to_str().unwrap(),
    ])
    .await
    .unwrap());
    assert_eq!(dump(&src).await.len(), dump(&dst).await.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn includes_excludes_and_max_rows() {
    let tmp = tmp();
    let src = tmp.path().join("source.db");
    let bak = tmp.path().join("bak");
    rich_source(&src).await;
    let mut c = sqlite(&src).await;
    exec(&mut c, r#"CREATE TABLE "siteserver_Log" ("Id" INTEGER PRIMARY KEY, "Action" TEXT); INSERT INTO "siteserver_Log" ("Action") VALUES ('x');"#).await;
    drop(c);
    ok(backup_sqlite(
        &src,
        &bak,
        &["--excludes", "no_key, PAIR_KEY", "--max-rows", "2"],
    )
    .await
    .unwrap());
    let tables: Vec<String> =
        serde_json::from_slice(&std::fs::read(bak.join("_tables.json")).unwrap()).unwrap();
    assert_eq!(
        tables,
        ["Mixed_Case_Table", "siteserver_Site"],
        "log table and excluded tables left out"
    );
    let rows: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(bak.join("siteserver_Site/1.json")).unwrap())
            .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], 1);
    assert_eq!(rows[1]["id"], 2);

    let bak2 = tmp.path().join("bak2");
    ok(
        backup_sqlite(&src, &bak2, &["--includes", "siteserver_log"])
            .await
            .unwrap(),
    );
    let tables: Vec<String> =
        serde_json::from_slice(&std::fs::read(bak2.join("_tables.json")).unwrap()).unwrap();
    assert_eq!(
        tables,
        ["siteserver_Log"],
        "naming a log table in --includes backs it up"
    );
}
