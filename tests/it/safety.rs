//! Backup leaves its source alone; restore never overwrites what a target already has.

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn backup_does_not_change_the_source_file() {
    let tmp = tmp();
    let src = tmp.path().join("source.db");
    rich_source(&src).await;
    let before = sha256(&src);
    let listing = files(tmp.path());
    ok(backup_sqlite(&src, &tmp.path().join("bak"), &[])
        .await
        .unwrap());
    assert_eq!(sha256(&src), before);
    let after: Vec<_> = files(tmp.path())
        .into_iter()
        .filter(|f| !f.starts_with("bak"))
        .collect();
    assert_eq!(
        after, listing,
        "no journal or other file was left beside the source"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn restore_refuses_a_target_that_has_one_of_the_tables() {
    let tmp = tmp();
    let src = tmp.path().join("source.db");
    let dst = tmp.path().join("target.db");
    let bak = tmp.path().join("bak");
    rich_source(&src).await;
    ok(backup_sqlite(&src, &bak, &[]).await.unwrap());

    let mut c = sqlite(&dst).await;
    exec(&mut c, r#"CREATE TABLE "SITESERVER_SITE" ("Id" INTEGER PRIMARY KEY, "Mine" TEXT); INSERT INTO "SITESERVER_SITE" VALUES (1, 'keep me');"#).await;
    drop(c);
    let before = sha256(&dst);
    let err = siteserver(&[
        "restore",
        "--database-type",
        "SQLite",
        "--connection-string",
        dst.to_str().unwrap(),
        "-d",
        bak.to_str().unwrap(),
    ])
    .await
    .unwrap_err();
    let msg = format!("{err:#}");
    assert!(
        msg.contains("already has 1 table(s)")
            && msg.contains("SITESERVER_SITE")
            && msg.contains("nothing was written"),
        "{msg}"
    );
    assert_eq!(sha256(&dst), before, "target unchanged");

    ok(siteserver(&[
        "restore",
        "--database-type",
        "SQLite",
        "--connection-string",
        dst.to_str().unwrap(),
        "-d",
        bak.to_str().unwrap(),
        "--drop-existing",
    ])
    .await
    .unwrap());
    let mut want = dump(&src).await;
    let mut got = dump(&dst).await;
    for (_, rows) in want.iter_mut().chain(got.iter_mut()) {
        rows.sort();
    }
    assert_eq!(want, got);
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_refuses_a_folder_that_is_not_empty() {
    let tmp = tmp();
    let src = tmp.path().join("source.db");
    rich_source(&src).await;
    let bak = tmp.path().join("bak");
    std::fs::create_dir(&bak).unwrap();
    std::fs::write(bak.join("old.txt"), "earlier work").unwrap();
    let err = backup_sqlite(&src, &bak, &[]).await.unwrap_err();
    assert!(
        format!("{err:#}").contains("folder is not empty"),
        "{err:#}"
    );
    assert_eq!(files(&bak), [std::path::PathBuf::from("old.txt")]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_driver_tells_an_empty_database() {
    use sscms_core::config::{ConfigSource, DatabaseConfig};
    use sscms_core::{Access, DatabaseType, connect};
    let tmp = tmp();
    let path = tmp.path().join("fresh.db");
    let config = DatabaseConfig {
        database_type: DatabaseType::Sqlite,
        connection_string: data_source(&path),
        base_dir: tmp.path().to_path_buf(),
        source: ConfigSource::Flag,
    };
    let mut driver = connect(&config, Access::ReadWrite).await.unwrap();
    assert!(driver.is_empty().await.unwrap());
    driver
        .execute(r#"CREATE TABLE "t" ("Id" INTEGER PRIMARY KEY)"#)
        .await
        .unwrap();
    assert!(!driver.is_empty().await.unwrap());
    assert_eq!(driver.list_tables().await.unwrap(), ["t"]);
    driver.close().await.unwrap();
}
