//! `siteserver update --to 6.15` through the CLI: the 5.0 sample restored into SQLite has the 6.15
//! tables and columns of `target-schema.json` with every row, and every generated version from
//! 3.6 to 5.0 reaches 6.15 through the whole chain with its values found by id.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use sqlx::Row as _;
use sscms_core::BackupReader;
use sscms_core::model::Row;
use sscms_tests::fixtures::{Scale, Version, generate};

use crate::support::*;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[tokio::test(flavor = "multi_thread")]
async fn updated_5_0_sample_restores_into_sqlite_with_the_6_15_schema() {
    let tmp = tmp();
    let out = tmp.path().join("update");
    let db = tmp.path().join("site.db");
    let sample = repo().join("examples/sample-5.0");
    ok(siteserver(&[
        "update",
        "--to",
        "6.15",
        "-d",
        sample.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ])
    .await
    .unwrap());
    ok(siteserver(&[
        "restore",
        "--database-type",
        "SQLite",
        "--connection-string",
        db.to_str().unwrap(),
        "-d",
        out.to_str().unwrap(),
    ])
    .await
    .unwrap());

    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/fixtures/spec/target-schema.json")).unwrap(),
    )
    .unwrap();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("_report.json")).unwrap()).unwrap();
    let mut conn = sqlite(&db).await;
    for t in spec["6.15"]["tables"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        let sql = format!("PRAGMA table_info(\"{name}\")");
        let cols: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("name"))
            .collect();
        let want: Vec<&str> = t["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(cols, want, "{name}");
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM \"{name}\""
        )))
        .fetch_one(&mut conn)
        .await
        .unwrap();
        let entry = report["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["target"] == name)
            .unwrap();
        assert_eq!(Some(count), entry["rowsOut"].as_i64(), "{name}");
    }
    let version: String =
        sqlx::query_scalar(r#"SELECT "DatabaseVersion" FROM "siteserver_Config""#)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(version, "6.15.51");
    let site: String =
        sqlx::query_scalar(r#"SELECT "SiteName" FROM "siteserver_Site" WHERE "Id" = 5"#)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(site, "英文站");
    let titles: i64 =
        sqlx::query_scalar(r#"SELECT count(*) FROM "model_Content" WHERE "SiteId" = 1"#)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(titles, 3);
}

fn rows_of(dir: &Path, table: &str) -> Vec<Row> {
    let reader = BackupReader::open(dir).unwrap();
    let data = reader.table(table).unwrap();
    let mut out = Vec::new();
    for f in &data.row_files {
        reader
            .read_rows(table, f, |_, row| {
                out.push(row);
                Ok(())
            })
            .unwrap();
    }
    out
}

fn by_id(rows: &[Row], id: i64) -> &Row {
    rows.iter()
        .find(|r| r["id"].as_i64() == Some(id))
        .unwrap_or_else(|| panic!("no row {id}"))
}

fn column_names(dir: &Path, table: &str) -> Vec<String> {
    let reader = BackupReader::open(dir).unwrap();
    let data = reader.table(table).unwrap();
    data.meta
        .columns
        .iter()
        .map(|c| c.attribute_name.clone())
        .collect()
}

/// The generated 5.0 backup (two sites with install-specific content tables, custom fields,
/// several row pages): values arrive by id, with and without `--split-contents`.
#[tokio::test(flavor = "multi_thread")]
async fn generated_5_0_backup_updates_by_id() {
    let tmp = tmp();
    let input = tmp.path().join("in");
    let summary = generate(Version::V5_0, &input, Scale::Pages).unwrap();
    for split in [false, true] {
        let out = tmp.path().join(if split { "split" } else { "plain" });
        let mut args = vec![
            "update",
            "--to",
            "6.15",
            "-d",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ];
        if split {
            args.push("--split-contents");
        }
        ok(siteserver(&args).await.unwrap());

        let sites = rows_of(&out, "siteserver_Site");
        for site in &summary.sites {
            let row = by_id(&sites, site.id);
            assert_eq!(row["siteName"], site.name.as_str());
            assert_eq!(row["siteDir"], site.dir.as_str());
            let table = if split {
                format!("siteserver_Content_{}", site.id)
            } else {
                site.content_table.clone()
            };
            assert_eq!(row["tableName"], table.as_str());
            // Custom fields stay real columns.
            let cols = column_names(&out, &table);
            for c in &site.custom_columns {
                assert!(
                    cols.iter().any(|x| x.eq_ignore_ascii_case(c)),
                    "{table}: {c}"
                );
            }
            let contents = rows_of(&out, &table);
            let want = summary.rows(&site.content_table);
            if !split {
                assert_eq!(contents.len(), want, "{table}");
            }
            for c in summary.contents.iter().filter(|c| c.site_id == site.id) {
                let row = by_id(&contents, c.id);
                assert_eq!(row["title"], c.title.as_str());
                // 6.x writes site-relative URLs `@/upload/…` (update-rules §4.3).
                assert_eq!(
                    row["content"],
                    c.body.replace("@upload", "@/upload").as_str()
                );
                assert_eq!(row["channelId"], c.channel_id);
                assert_eq!(row["siteId"], site.id);
            }
        }
        let channels = rows_of(&out, "siteserver_Channel");
        for c in &summary.channels {
            let row = by_id(&channels, c.id);
            assert_eq!(row["channelName"], c.name.as_str());
            assert_eq!(row["siteId"], c.site_id);
            assert_eq!(row["parentsPath"], c.parents_path.as_str());
        }
        let admins = rows_of(&out, "siteserver_Administrator");
        for a in &summary.admins {
            assert_eq!(by_id(&admins, a.id)["userName"], a.user_name.as_str());
        }
        let users = rows_of(&out, "siteserver_User");
        for u in &summary.users {
            assert_eq!(by_id(&users, u.id)["userName"], u.user_name.as_str());
        }

        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("_report.json")).unwrap())
                .unwrap();
        let tables = report["tables"].as_array().unwrap();
        let out_total: u64 = tables.iter().map(|t| t["rowsOut"].as_u64().unwrap()).sum();
        assert_eq!(out_total, summary.total_rows() as u64);
        let names: BTreeSet<&str> = tables
            .iter()
            .map(|t| t["target"].as_str().unwrap())
            .collect();
        for site in &summary.sites {
            // Split mode replaces the old content tables; without it they keep their names.
            assert_eq!(names.contains(site.content_table.as_str()), !split);
        }
        if !split {
            for t in tables {
                assert_eq!(t["rowsIn"], t["rowsOut"], "{t}");
            }
        }
    }
}

/// Names of the columns a table has in a backup folder.
fn spec_table_columns(spec: &Value, name: &str) -> Vec<String> {
    spec["6.15"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .map(|t| {
            t["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Every generated version, 3.6 to 5.0, updated to 6.15 through the whole chain: the 35
/// tables of 6.15 with their exact columns, content tables with the 6.15 content columns plus
/// the site's own, every row accounted for, and the site's values found by id.
#[tokio::test(flavor = "multi_thread")]
async fn every_version_reaches_6_15_with_its_values() {
    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/fixtures/spec/target-schema.json")).unwrap(),
    )
    .unwrap();
    let content_columns: Vec<String> = spec["6.15"]["content_tables"]["sync_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    for version in Version::ALL {
        let tmp = tmp();
        let input = tmp.path().join("in");
        let out = tmp.path().join("out");
        let summary = generate(version, &input, Scale::Small).unwrap();
        ok(siteserver(&[
            "update",
            "--to",
            "6.15",
            "-d",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .await
        .unwrap());
        let what = version.key();

        for t in spec["6.15"]["tables"].as_array().unwrap() {
            let name = t["name"].as_str().unwrap();
            assert_eq!(
                column_names(&out, name),
                spec_table_columns(&spec, name),
                "{what}: {name}"
            );
        }
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("_report.json")).unwrap())
                .unwrap();
        assert_eq!(report["to"], "6.15.51", "{what}");
        assert!(
            report["droppedRows"].as_array().unwrap().is_empty(),
            "{what}"
        );
        let tables = report["tables"].as_array().unwrap();
        for t in tables {
            assert_eq!(t["rowsIn"], t["rowsOut"], "{what}: {t}");
        }
        let out_total: u64 = tables.iter().map(|t| t["rowsOut"].as_u64().unwrap()).sum();
        // Older hops add rows (content-table registrations, ad areas); none are lost.
        assert!(
            out_total >= summary.total_rows() as u64,
            "{what}: {out_total} rows out"
        );

        let config = rows_of(&out, "siteserver_Config");
        assert_eq!(config[0]["databaseVersion"], "6.15.51", "{what}");
        let sites = rows_of(&out, "siteserver_Site");
        for site in &summary.sites {
            let row = by_id(&sites, site.id);
            assert_eq!(row["siteName"], site.name.as_str(), "{what}");
            assert_eq!(row["siteDir"], site.dir.as_str(), "{what}");
            assert_eq!(row["tableName"], site.content_table.as_str(), "{what}");
            let cols = column_names(&out, &site.content_table);
            for c in content_columns.iter().chain(&site.custom_columns) {
                assert!(
                    cols.iter().any(|x| x.eq_ignore_ascii_case(c)),
                    "{what}: {} lacks {c}",
                    site.content_table
                );
            }
            let contents = rows_of(&out, &site.content_table);
            for c in summary.contents.iter().filter(|c| c.site_id == site.id) {
                let row = by_id(&contents, c.id);
                assert_eq!(row["title"], c.title.as_str(), "{what}");
                assert_eq!(
                    row["content"],
                    c.body.replace("@upload", "@/upload").as_str(),
                    "{what}"
                );
                assert_eq!(row["channelId"], c.channel_id, "{what}");
            }
        }
        let channels = rows_of(&out, "siteserver_Channel");
        for c in &summary.channels {
            let row = by_id(&channels, c.id);
            assert_eq!(row["channelName"], c.name.as_str(), "{what}");
            assert_eq!(row["siteId"], c.site_id, "{what}");
        }
        let admins = rows_of(&out, "siteserver_Administrator");
        for a in &summary.admins {
            assert_eq!(
                by_id(&admins, a.id)["userName"],
                a.user_name.as_str(),
                "{what}"
            );
        }
        let users = rows_of(&out, "siteserver_User");
        for u in &summary.users {
            assert_eq!(
                by_id(&users, u.id)["userName"],
                u.user_name.as_str(),
                "{what}"
            );
        }
    }
}
