//! The spec's examples (backup-format §1.3–§1.5): we read them, and we write the same shapes.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sscms_core::BackupReader;
use sscms_core::backup::RowKeys;

use crate::support::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/spec-examples")
        .join(name)
}

fn read_all(dir: &Path) -> (sscms_core::backup::TableData, Vec<Vec<Value>>) {
    let r = BackupReader::open(dir).unwrap();
    assert_eq!(r.tables(), ["siteserver_Site"]);
    let t = r.table("siteserver_Site").unwrap();
    let keys = RowKeys::new(&t.meta);
    let mut rows = Vec::new();
    for f in &t.row_files {
        r.read_rows("siteserver_Site", f, |_, row| {
            rows.push(keys.align(row).unwrap());
            Ok(())
        })
        .unwrap();
    }
    (t, rows)
}

#[test]
fn reads_the_6_15_and_7_4_examples_alike() {
    let (t6, r6) = read_all(&fixture("v6_15"));
    let (t7, r7) = read_all(&fixture("v7_4"));
    assert_eq!(t6, t7);
    assert_eq!(t6.total_count, 2);
    assert_eq!(r6, r7);
    assert_eq!(r6[0][1], "主站");
    assert_eq!(r6[0][9].to_string(), "12.50", "decimals keep their digits");
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

/// Same keys in the same order, and the same values (numbers compared by value).
fn assert_same_shape(ours: &Value, spec: &Value, at: &str) {
    match (ours, spec) {
        (Value::Object(a), Value::Object(b)) => {
            assert_eq!(keys(ours), keys(spec), "{at}: keys");
            for (k, v) in a {
                assert_same_shape(v, &b[k], &format!("{at}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{at}: length");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_same_shape(x, y, &format!("{at}[{i}]"));
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            assert_eq!(a.as_f64(), b.as_f64(), "{at}");
        }
        _ => assert_eq!(ours, spec, "{at}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_the_spec_shapes_key_for_key() {
    let tmp = tmp();
    let db = tmp.path().join("site.db");
    let mut c = sqlite(&db).await;
    exec(
        &mut c,
        r#"CREATE TABLE "siteserver_Site" ("Id" INTEGER PRIMARY KEY AUTOINCREMENT, "SiteName" NVARCHAR(50),
            "SiteDir" NVARCHAR(50), "TableName" NVARCHAR(50), "IsRoot" INT2, "ParentId" INTEGER, "Taxis" INTEGER,
            "AddDate" DATETIME, "LinkUrl" NVARCHAR(200), "Price" DECIMAL(18, 2), "Thumb" BLOB);
        INSERT INTO "siteserver_Site" VALUES (1, '主站', '', 'siteserver_Content_1', 1, 0, 0, '2020-05-01 08:30:00', NULL, 12.50, x'00010203');
        INSERT INTO "siteserver_Site" VALUES (2, '子站', 'sub', 'siteserver_Content_1', 0, 1, 1, '2020-05-02 09:00:00', '', 0.0, NULL);"#,
    )
    .await;
    drop(c);
    let bak = tmp.path().join("bak");
    ok(backup_sqlite(&db, &bak, &[]).await.unwrap());

    let read = |p: &Path| -> Value { serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap() };
    let spec = fixture("v6_15");
    assert_eq!(
        read(&bak.join("_tables.json")),
        read(&spec.join("_tables.json"))
    );

    let mut ours = read(&bak.join("siteserver_Site/_metadata.json"));
    let spec_meta = read(&spec.join("siteserver_Site/_metadata.json"));
    // We add the 7.x key `rows` beside the 6.x `rowFiles`, with the same list.
    assert_eq!(keys(&ours), ["columns", "totalCount", "rowFiles", "rows"]);
    assert_eq!(ours["rows"], ours["rowFiles"]);
    ours.as_object_mut().unwrap().remove("rows");
    assert_same_shape(&ours, &spec_meta, "_metadata.json");

    let rows = std::fs::read(bak.join("siteserver_Site/1.json")).unwrap();
    assert!(!rows.starts_with(b"\xEF\xBB\xBF"), "no BOM");
    let rows: Value = serde_json::from_slice(&rows).unwrap();
    assert_same_shape(&rows, &read(&spec.join("siteserver_Site/1.json")), "1.json");

    let manifest = read(&bak.join("_manifest.json"));
    assert_eq!(
        keys(&manifest),
        [
            "tool",
            "toolVersion",
            "createdAt",
            "databaseType",
            "sourceVersion",
            "versionEvidence",
            "tables",
            "files"
        ]
    );
    assert_eq!(manifest["files"][0]["name"], "_tables.json");
    assert_eq!(
        manifest["files"][0]["sha256"],
        sha256(&bak.join("_tables.json"))
    );
    assert_eq!(manifest["tool"], "siteserver");
    assert_eq!(manifest["databaseType"], "SQLite");
    assert_eq!(
        keys(&manifest["tables"][0]),
        ["name", "rows", "files", "metadataSha256"]
    );
    assert_eq!(
        manifest["tables"][0]["metadataSha256"],
        sha256(&bak.join("siteserver_Site/_metadata.json"))
    );
    assert_eq!(keys(&manifest["tables"][0]["files"][0]), ["name", "sha256"]);
    assert_eq!(
        manifest["tables"][0]["files"][0]["sha256"],
        sha256(&bak.join("siteserver_Site/1.json"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_records_the_detected_version() {
    let tmp = tmp();
    let db = tmp.path().join("site41.db");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/sample-4.1");
    ok(siteserver(&[
        "restore",
        "--database-type",
        "SQLite",
        "--connection-string",
        db.to_str().unwrap(),
        "-d",
        sample.to_str().unwrap(),
    ])
    .await
    .unwrap());
    let bak = tmp.path().join("bak");
    ok(siteserver(&[
        "backup",
        "--database-type",
        "SQLite",
        "--connection-string",
        db.to_str().unwrap(),
        "-d",
        bak.to_str().unwrap(),
    ])
    .await
    .unwrap());
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(bak.join("_manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["sourceVersion"], "4.1.1603");
    assert_eq!(
        manifest["versionEvidence"],
        "bairong_Config.DatabaseVersion = 4.1.1603"
    );
}
