//! The last fidelity gaps: GovPublic, GovInteract and Jobs content in their 6.x plugin tables,
//! complete databases at every version the chain stops at, a report that tells each table's
//! fate at the end of the chain, and a manifest that covers every file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sscms_tests::fixtures::{Scale, Version, generate};

use crate::support::*;

fn manifest(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("_manifest.json")).unwrap()).unwrap()
}

/// Every file of `dir` that `_manifest.json` records with a sha256, checked against the file.
fn manifest_files(dir: &Path) -> BTreeSet<PathBuf> {
    let m = manifest(dir);
    let mut out = BTreeSet::new();
    let mut add = |p: PathBuf, sha: &Value| {
        assert_eq!(
            sha.as_str().unwrap(),
            sha256(&dir.join(&p)),
            "{}",
            p.display()
        );
        out.insert(p);
    };
    for f in m["files"].as_array().unwrap() {
        add(PathBuf::from(f["name"].as_str().unwrap()), &f["sha256"]);
    }
    for t in m["tables"].as_array().unwrap() {
        let table = Path::new(t["name"].as_str().unwrap());
        add(table.join("_metadata.json"), &t["metadataSha256"]);
        for f in t["files"].as_array().unwrap() {
            add(table.join(f["name"].as_str().unwrap()), &f["sha256"]);
        }
    }
    out
}

fn all_but_manifest(dir: &Path) -> BTreeSet<PathBuf> {
    files(dir)
        .into_iter()
        .filter(|p| p != Path::new("_manifest.json"))
        .collect()
}

async fn update(input: &Path, out: &Path, to: Option<&str>) -> Value {
    let mut args = vec![
        "update",
        "-d",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    if let Some(to) = to {
        args.extend(["--to", to]);
    }
    ok(siteserver(&args).await.unwrap());
    serde_json::from_str(&std::fs::read_to_string(out.join("_report.json")).unwrap()).unwrap()
}

async fn restore_sqlite(dir: &Path, db: &Path) -> anyhow::Result<std::process::ExitCode> {
    siteserver(&[
        "restore",
        "--database-type",
        "SQLite",
        "--connection-string",
        db.to_str().unwrap(),
        "-d",
        dir.to_str().unwrap(),
    ])
    .await
}

/// `backup` and `update` record the sha256 of every file they write, and `restore` refuses a
/// folder in which any of them changed, naming the file.
#[tokio::test(flavor = "multi_thread")]
async fn the_manifest_covers_every_file_and_restore_checks_them_all() {
    let tmp = tmp();
    let src = tmp.path().join("source.db");
    rich_source(&src).await;
    let bak = tmp.path().join("bak");
    ok(backup_sqlite(&src, &bak, &[]).await.unwrap());
    assert_eq!(manifest_files(&bak), all_but_manifest(&bak), "backup");

    let input = tmp.path().join("in");
    generate(Version::V5_0, &input, Scale::Small).unwrap();
    let out = tmp.path().join("out");
    update(&input, &out, None).await;
    let listed = manifest_files(&out);
    assert_eq!(listed, all_but_manifest(&out), "update");
    for f in [
        "_tables.json",
        "_report.json",
        "siteserver_Site/_metadata.json",
    ] {
        assert!(listed.contains(Path::new(f)), "{f}");
    }

    // One changed file at a time; each is named and nothing is written.
    for (i, f) in [
        "_tables.json",
        "_report.json",
        "siteserver_Site/_metadata.json",
        "siteserver_Site/1.json",
    ]
    .iter()
    .enumerate()
    {
        let copy = tmp.path().join(format!("copy{i}"));
        copy_dir(&out, &copy);
        let path = copy.join(f);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.push(b' ');
        std::fs::write(&path, bytes).unwrap();
        let db = tmp.path().join(format!("t{i}.db"));
        let err = restore_sqlite(&copy, &db).await.unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("sha256 differs") && msg.contains(f),
            "{f}: {msg}"
        );
        assert!(
            !db.exists() || std::fs::metadata(&db).unwrap().len() == 0,
            "{f}"
        );
    }
    // A recorded file that is gone is an error too.
    let copy = tmp.path().join("gone");
    copy_dir(&out, &copy);
    std::fs::remove_file(copy.join("_report.json")).unwrap();
    let err = restore_sqlite(&copy, &tmp.path().join("gone.db"))
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("_report.json"), "{err:#}");
    ok(restore_sqlite(&out, &tmp.path().join("good.db"))
        .await
        .unwrap());
}

fn copy_dir(from: &Path, to: &Path) {
    for f in files(from) {
        let dst = to.join(&f);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(from.join(&f), dst).unwrap();
    }
}

fn rows_of(dir: &Path, table: &str) -> Vec<sscms_core::model::Row> {
    let reader = sscms_core::BackupReader::open(dir).unwrap();
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

fn tables_of(dir: &Path) -> Vec<String> {
    sscms_core::BackupReader::open(dir)
        .unwrap()
        .tables()
        .to_vec()
}

fn report_table<'a>(report: &'a Value, target: &str) -> &'a Value {
    report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == target)
        .unwrap_or_else(|| panic!("{target} is not in the report"))
}

/// The GovPublic contents of both sites reach one `ss_govpublic_content` at 6.15 (update-rules
/// row 37): renamed columns, site 1's ids kept, site 2's colliding ids renumbered with the map
/// in the report, every row conserved; the GovPublic/GovInteract tables reach their plugin
/// tables (rows 27–36); at 7.4 they are carried as plugin tables.
#[tokio::test(flavor = "multi_thread")]
async fn govpublic_contents_of_two_sites_merge_into_the_plugin_table() {
    use sscms_tests::fixtures::SITE_2_GOVPUBLIC;
    for v in Version::ALL {
        let what = v.key();
        let tmp = tmp();
        let input = tmp.path().join("in");
        let summary = generate(v, &input, Scale::Small).unwrap();
        let out = tmp.path().join("615");
        let report = update(&input, &out, Some("6.15")).await;
        let tables = tables_of(&out);
        for gone in [
            "model_WCM_GovPublic",
            SITE_2_GOVPUBLIC,
            "model_WCM_GovInteract",
        ] {
            assert!(
                !tables.iter().any(|t| t.eq_ignore_ascii_case(gone)),
                "{what}: {gone} is converted, not carried"
            );
        }
        let rows = rows_of(&out, "ss_govpublic_content");
        assert_eq!(rows.len(), summary.gov_public.len(), "{what}");
        let t = report_table(&report, "ss_govpublic_content");
        assert_eq!(t["status"], "merged", "{what}");
        assert_eq!(t["rowsIn"], t["rowsOut"], "{what}");
        assert_eq!(
            t["source"],
            serde_json::json!(["model_WCM_GovPublic", SITE_2_GOVPUBLIC]),
            "{what}"
        );
        let map = report["idMaps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["table"] == "ss_govpublic_content")
            .unwrap_or_else(|| panic!("{what}: no id map"));
        assert_eq!(map["source"], SITE_2_GOVPUBLIC, "{what}");
        let ids: Vec<(i64, i64)> = serde_json::from_value(map["ids"].clone()).unwrap();
        let mut seen = BTreeSet::new();
        for g in &summary.gov_public {
            let id = if g.table == SITE_2_GOVPUBLIC {
                ids.iter()
                    .find(|(old, _)| *old == g.id)
                    .map_or(g.id, |p| p.1)
            } else {
                g.id
            };
            assert!(seen.insert(id), "{what}: id {id} twice");
            let row = rows
                .iter()
                .find(|r| r["id"].as_i64() == Some(id))
                .unwrap_or_else(|| panic!("{what}: no row {id}"));
            assert_eq!(row["title"], g.title.as_str(), "{what}: {id}");
            assert_eq!(row["siteId"], g.site_id, "{what}: {id}");
            assert_eq!(row["channelId"], g.channel_id, "{what}: {id}");
            assert!(row.get("nodeID").is_none() && row.get("publishmentSystemID").is_none());
            assert_eq!(
                row["content"],
                g.body.replace("@upload/", "@/upload/").as_str(),
                "{what}: {id}"
            );
            assert!(
                row["identifier"].as_str().unwrap().contains("-20"),
                "{what}"
            );
        }
        // Site 2's three rows collide with site 1's 1 and 2: two were renumbered.
        assert_eq!(ids.len(), 2, "{what}: {ids:?}");
        let meta = sscms_core::BackupReader::open(&out)
            .unwrap()
            .table("ss_govpublic_content")
            .unwrap()
            .meta;
        for c in [
            "Id",
            "ChannelId",
            "SiteId",
            "GroupNameCollection",
            "Identifier",
            "Content",
        ] {
            assert!(
                meta.columns.iter().any(|x| x.attribute_name == c),
                "{what}: column {c}"
            );
        }
        assert_eq!(
            report_table(&report, "ss_govinteract_content")["status"],
            "converted"
        );

        // The fixed-name plugin tables, from `wcm_Gov*` (5.0) or the `siteserver_Gov*` a
        // 3.6-origin database keeps.
        for (new, old) in [
            ("ss_govpublic_category", "GovPublicCategory"),
            ("ss_govpublic_category_class", "GovPublicCategoryClass"),
            ("ss_govpublic_identifier_rule", "GovPublicIdentifierRule"),
            ("ss_govpublic_identifier_seq", "GovPublicIdentifierSeq"),
            ("ss_govinteract_channel", "GovInteractChannel"),
            ("ss_govinteract_log", "GovInteractLog"),
            ("ss_govinteract_permissions", "GovInteractPermissions"),
            ("ss_govinteract_remark", "GovInteractRemark"),
            ("ss_govinteract_reply", "GovInteractReply"),
            ("ss_govinteract_type", "GovInteractType"),
        ] {
            let sources: Vec<String> = ["wcm_", "siteserver_"]
                .iter()
                .map(|p| format!("{p}{old}"))
                .filter(|t| summary.table(t).is_some())
                .collect();
            if sources.is_empty() {
                // Fresh 4.0 and 4.1 installs have no GovPublic or GovInteract tables.
                assert!(matches!(v, Version::V4_0 | Version::V4_1), "{what}: {old}");
                continue;
            }
            let rows: usize = sources.iter().map(|t| summary.rows(t)).sum();
            assert!(rows > 0, "{what}: {old}");
            assert_eq!(rows_of(&out, new).len(), rows, "{what}: {new}");
            for s in &sources {
                assert!(
                    !tables.iter().any(|t| t.eq_ignore_ascii_case(s)),
                    "{what}: {s}"
                );
            }
            for r in rows_of(&out, new) {
                assert!(r["id"].as_i64().is_some(), "{what}: {new} {r:?}");
            }
        }

        // At 7.4 the plugin tables are carried, and the report says since which hop.
        let out74 = tmp.path().join("74");
        let report74 = update(&out, &out74, None).await;
        let t = report_table(&report74, "ss_govpublic_content");
        assert_eq!(t["status"], "carried", "{what}");
        assert_eq!(t["carriedSince"], "v6", "{what}");
        assert_eq!(rows_of(&out74, "ss_govpublic_content").len(), 5, "{what}");
    }
}

/// `_report.json` gives each table's status in the final version: tables the target schema
/// lacks are `carried`, with the hop that stopped knowing them, even when an earlier hop
/// converted them; every input table is named with the tables it went to.
#[tokio::test(flavor = "multi_thread")]
async fn the_report_tells_each_tables_fate_at_the_end_of_the_chain() {
    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/spec/target-schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let schema: BTreeSet<String> = spec["7.4"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_lowercase())
        .collect();
    for v in [Version::V3_6, Version::V5_0] {
        let what = v.key();
        let tmp = tmp();
        let input = tmp.path().join("in");
        let summary = generate(v, &input, Scale::Small).unwrap();
        let content: BTreeSet<String> = summary
            .sites
            .iter()
            .map(|s| s.content_table.to_lowercase())
            .collect();
        let out = tmp.path().join("out");
        let report = update(&input, &out, None).await;
        let chain = report["chain"].as_array().unwrap().clone();
        let output: BTreeSet<String> = tables_of(&out).into_iter().collect();
        for t in report["tables"].as_array().unwrap() {
            let name = t["target"].as_str().unwrap();
            assert!(output.contains(name), "{what}: {name}");
            let history = t["history"].as_array().unwrap();
            // Tables a later hop creates have a shorter history.
            assert!(history.len() <= chain.len(), "{what}: {name}");
            assert_eq!(history.last().unwrap()["hop"], "v6", "{what}: {name}");
            let known =
                schema.contains(&name.to_lowercase()) || content.contains(&name.to_lowercase());
            if known {
                assert_ne!(t["status"], "carried", "{what}: {name}");
            } else {
                assert_eq!(t["status"], "carried", "{what}: {name}");
                assert!(chain.contains(&t["carriedSince"]), "{what}: {name}");
            }
        }
        // Converted at 6.15, carried at 7.4: the final status is carried.
        let keyword = report_table(&report, "siteserver_Keyword");
        assert_eq!(keyword["carriedSince"], "v6", "{what}");
        let first = &keyword["history"].as_array().unwrap()[chain.len() - 2];
        assert_eq!(first["hop"], "v5_0", "{what}");
        assert_eq!(first["status"], "converted", "{what}");
        // A table no hop knows is carried from the first hop on.
        let area = report_table(&report, "bairong_Area");
        assert_eq!(area["carriedSince"], chain[0], "{what}");

        let inputs = report["inputs"].as_array().unwrap();
        assert_eq!(inputs.len(), summary.tables.len(), "{what}");
        for i in inputs {
            let into = i["into"].as_array().unwrap();
            assert!(!into.is_empty(), "{what}: {i}");
            for t in into {
                assert!(output.contains(t.as_str().unwrap()), "{what}: {i}");
            }
            let rows = summary.rows(i["table"].as_str().unwrap());
            assert_eq!(i["rows"], rows, "{what}: {i}");
        }
    }
}

/// `--to 4.0`, `4.1` and `5.0` give a database that version's CMS runs on: every table of its
/// install, the log tables a backup leaves out among them, created empty.
#[tokio::test(flavor = "multi_thread")]
async fn every_stop_of_the_chain_is_a_complete_install() {
    let old: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/spec/old-schemas.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let tmp = tmp();
    let input = tmp.path().join("in");
    generate(Version::V3_6, &input, Scale::Small).unwrap();
    for to in ["4.0", "4.1", "5.0"] {
        let out = tmp.path().join(to);
        let report = update(&input, &out, Some(to)).await;
        let db = tmp.path().join(format!("{to}.db"));
        ok(restore_sqlite(&out, &db).await.unwrap());
        let mut conn = sqlite(&db).await;
        let restored: BTreeSet<String> = sqlx::query_scalar::<_, String>(
            "SELECT lower(name) FROM sqlite_master WHERE type = 'table'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .collect();
        for t in old["versions"][to]["tables"].as_array().unwrap() {
            let name = t["name"].as_str().unwrap();
            assert!(restored.contains(&name.to_lowercase()), "--to {to}: {name}");
        }
        for log in ["bairong_Log", "siteserver_Log", "siteserver_Tracking"] {
            assert_eq!(
                report_table(&report, log)["status"],
                "created-empty",
                "--to {to}"
            );
        }
    }
}
