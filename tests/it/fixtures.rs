//! The fixture generator (`sscms_tests::fixtures`): its folders read back, detect and restore.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;
use sqlx::AssertSqlSafe;
use sscms_core::BackupReader;
use sscms_core::detect::detect_folder;
use sscms_core::model::Row;
use sscms_core::naming::camel_case;
use sscms_core::settings::Settings;
use sscms_tests::fixtures::{
    EXCLUDED_TABLES, PAGE_SIZE, PAGES_SITE_1_CONTENTS, PAGES_SITE_2_CONTENTS, SITE_1, SITE_2,
    Scale, Summary, Version, generate,
};

use crate::support::*;

fn rows_of(reader: &BackupReader, table: &str) -> Vec<Row> {
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

fn int(row: &Row, key: &str) -> i64 {
    row.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .and_then(|(_, v)| v.as_i64())
        .unwrap_or_else(|| panic!("no integer {key} in {row:?}"))
}

fn text<'a>(row: &'a Row, key: &str) -> Option<&'a str> {
    row.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .and_then(|(_, v)| v.as_str())
}

/// The tables the spec lists for a version, minus the ones the 6.x backup excludes.
fn schema_tables(v: Version) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/spec/old-schemas.json");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json["versions"][v.key()]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .filter(|n| !EXCLUDED_TABLES.iter().any(|e| e.eq_ignore_ascii_case(n)))
        .collect()
}

/// (a) Every table and row file reads back; counts and keys match the metadata.
fn check_reads_back(dir: &Path, s: &Summary) {
    let reader = BackupReader::open(dir).unwrap();
    let names: Vec<&str> = s.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(reader.tables(), names.as_slice());
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted, "_tables.json is in catalog (name) order");

    // Every schema table but the excluded logs, plus the registered content tables.
    let regular: BTreeSet<String> = s
        .tables
        .iter()
        .filter(|t| !t.content)
        .map(|t| t.name.clone())
        .collect();
    assert_eq!(regular, schema_tables(s.version), "{}", s.version);
    let content: BTreeSet<&str> = s
        .tables
        .iter()
        .filter(|t| t.content)
        .map(|t| t.name.as_str())
        .collect();
    assert!(content.contains("cms_Content") && content.contains("site2_Content"));

    for t in &s.tables {
        let data = reader.table(&t.name).unwrap();
        assert_eq!(
            data.total_count,
            u64::try_from(t.rows).unwrap(),
            "{}",
            t.name
        );
        assert_eq!(data.row_files, t.row_files, "{}", t.name);
        assert_eq!(data.meta.columns.len(), t.columns, "{}", t.name);
        let first = &data.meta.columns[0];
        assert_eq!(
            t.synthetic_id,
            first.attribute_name == "Id" && first.is_identity && !first.is_primary_key,
            "{}",
            t.name
        );
        // The 6.x metadata: compact, `rowFiles` only, `isExtend:false` on every column.
        let meta_text = std::fs::read_to_string(dir.join(&t.name).join("_metadata.json")).unwrap();
        assert!(meta_text.starts_with("{\"columns\":[{\"attributeName\":"));
        assert!(meta_text.contains("\"rowFiles\":") && !meta_text.contains("\"rows\":"));
        assert_eq!(
            meta_text.matches("\"isExtend\":false").count(),
            t.columns,
            "{}",
            t.name
        );

        // Row keys: the metadata columns camel-cased, in order, the added `id` last.
        let mut want: Vec<String> = data
            .meta
            .columns
            .iter()
            .skip(usize::from(t.synthetic_id))
            .map(|c| camel_case(&c.attribute_name))
            .collect();
        if t.synthetic_id {
            want.push("id".into());
        }
        let mut total = 0_u64;
        for f in &data.row_files {
            let bytes = std::fs::read(dir.join(&t.name).join(f)).unwrap();
            assert!(!bytes.starts_with(b"\xEF\xBB\xBF") && !bytes.ends_with(b"\n"));
            assert!(
                bytes.starts_with(b"[{\"") && bytes.ends_with(b"}]"),
                "compact"
            );
            total += reader
                .read_rows(&t.name, f, |i, row| {
                    let keys: Vec<&String> = row.keys().collect();
                    assert_eq!(
                        keys,
                        want.iter().collect::<Vec<_>>(),
                        "{} {f} row {i}",
                        t.name
                    );
                    Ok(())
                })
                .unwrap();
        }
        assert_eq!(total, data.total_count, "{}", t.name);
    }
}

/// What the story promises, checked on the files rather than on the summary's word.
fn check_story(dir: &Path, s: &Summary) {
    let v = s.version;
    let reader = BackupReader::open(dir).unwrap();

    let config = rows_of(&reader, "bairong_Config");
    assert_eq!(config.len(), 1);
    assert_eq!(
        text(&config[0], "DatabaseVersion"),
        Some(v.database_version())
    );

    // Sites point at install-specific content tables that are registered, with custom columns.
    let sites = rows_of(&reader, "siteserver_PublishmentSystem");
    assert_eq!(
        sites
            .iter()
            .map(|r| int(r, "PublishmentSystemID"))
            .collect::<Vec<_>>(),
        [SITE_1, SITE_2]
    );
    let collection = rows_of(&reader, "bairong_TableCollection");
    let metadata = rows_of(&reader, "bairong_TableMetadata");
    for site in &s.sites {
        let row = sites
            .iter()
            .find(|r| int(r, "PublishmentSystemID") == site.id)
            .unwrap();
        assert_eq!(
            text(row, "AuxiliaryTableForContent"),
            Some(site.content_table.as_str())
        );
        assert_eq!(text(row, "PublishmentSystemName"), Some(site.name.as_str()));
        assert!(
            collection
                .iter()
                .any(|r| text(r, "TableENName") == Some(site.content_table.as_str()))
        );
        let table = reader.table(&site.content_table).unwrap();
        for custom in &site.custom_columns {
            assert!(metadata.iter().any(|r| {
                text(r, "AuxiliaryTableENName") == Some(site.content_table.as_str())
                    && text(r, "AttributeName") == Some(custom.as_str())
                    && text(r, "IsSystem") == Some("False")
            }));
            assert!(
                table
                    .meta
                    .columns
                    .iter()
                    .any(|c| &c.attribute_name == custom)
            );
        }
        // Every registered metadata column is a real column of its table.
        for r in metadata
            .iter()
            .filter(|r| text(r, "AuxiliaryTableENName") == Some(site.content_table.as_str()))
        {
            let name = text(r, "AttributeName").unwrap();
            assert!(table.meta.columns.iter().any(|c| c.attribute_name == name));
        }
    }

    // Channels: three levels, paths and counts consistent with the rows.
    let nodes = rows_of(&reader, "siteserver_Node");
    let by_id: BTreeMap<i64, &Row> = nodes.iter().map(|r| (int(r, "NodeID"), r)).collect();
    let mut contents_per_channel: BTreeMap<i64, i64> = BTreeMap::new();
    for site in &s.sites {
        for r in rows_of(&reader, &site.content_table) {
            assert_eq!(int(&r, "PublishmentSystemID"), site.id);
            let channel = by_id[&int(&r, "NodeID")];
            assert_eq!(int(channel, "PublishmentSystemID"), site.id);
            *contents_per_channel.entry(int(&r, "NodeID")).or_default() += 1;
        }
    }
    let mut deepest = 0;
    for (id, r) in &by_id {
        let mut path = Vec::new();
        let mut p = int(r, "ParentID");
        while p != 0 {
            path.push(p.to_string());
            p = int(by_id[&p], "ParentID");
        }
        path.reverse();
        assert_eq!(
            text(r, "ParentsPath"),
            Some(path.join(",").as_str()),
            "{id}"
        );
        assert_eq!(int(r, "ParentsCount"), i64::try_from(path.len()).unwrap());
        deepest = deepest.max(path.len());
        let kids = by_id.values().filter(|c| int(c, "ParentID") == *id).count();
        assert_eq!(
            int(r, "ChildrenCount"),
            i64::try_from(kids).unwrap(),
            "{id}"
        );
        assert_eq!(
            int(r, "ContentNum"),
            contents_per_channel.get(id).copied().unwrap_or(0),
            "{id}"
        );
        assert_eq!(s.channel(*id).unwrap().name, text(r, "NodeName").unwrap());
    }
    assert_eq!(deepest, 3, "channels nest three levels below the root");
    // A site's id is its root channel's id.
    for site in &s.sites {
        assert_eq!(int(by_id[&site.id], "ParentID"), 0);
        assert_eq!(int(by_id[&site.id], "PublishmentSystemID"), site.id);
    }

    // Administrators, roles and permissions.
    let admins = rows_of(&reader, "bairong_Administrator");
    for a in &s.admins {
        let row = admins
            .iter()
            .find(|r| text(r, "UserName") == Some(a.user_name.as_str()))
            .unwrap();
        assert_eq!(int(row, "Id"), a.id, "the synthetic id");
    }
    let in_roles = rows_of(&reader, "bairong_AdministratorsInRoles");
    assert!(in_roles.iter().any(|r| {
        text(r, "UserName") == Some("admin") && text(r, "RoleName") == Some("ConsoleAdministrator")
    }));
    assert_eq!(rows_of(&reader, "siteserver_SystemPermissions").len(), 2);
    assert!(rows_of(&reader, "bairong_Roles").len() >= 4);
    assert_eq!(rows_of(&reader, "siteserver_Template").len(), 6);
    assert_eq!(
        rows_of(&reader, "siteserver_TemplateMatch").len(),
        nodes.len()
    );
    assert!(!rows_of(&reader, "bairong_TableStyle").is_empty());
    assert_eq!(rows_of(&reader, "bairong_TableStyleItem").len(), 2);

    // Comments where the version has them.
    let (comment_table, n) = match v {
        Version::V3_6 | Version::V4_0 => ("siteserver_CommentContent", 3),
        _ => ("siteserver_Comment", 3),
    };
    assert_eq!(rows_of(&reader, comment_table).len(), n);

    // Contents by id, as the summary records them.
    for c in &s.contents {
        let rows = rows_of(&reader, &c.table);
        let row = rows.iter().find(|r| int(r, "ID") == c.id).unwrap();
        assert_eq!(text(row, "Title"), Some(c.title.as_str()));
        assert_eq!(text(row, "Content"), Some(c.body.as_str()));
        assert_eq!(int(row, "NodeID"), c.channel_id);
    }
    let bodies: String = s.contents.iter().map(|c| c.body.as_str()).collect();
    for needle in ["@upload/", "\"", "'", "\r\n", "😀", "开源"] {
        assert!(bodies.contains(needle), "{needle}");
    }
    assert!(s.contents.iter().any(|c| c.title.contains('🎉')));
    assert!(s.contents.iter().any(|c| !c.checked));

    // Settings strings: escaped on disk, decoded by the shared codec to the summary's values.
    let mut escapes = String::new();
    for set in &s.settings {
        let decoded = Settings::parse(&set.encoded);
        let pairs: Vec<(String, String)> = decoded
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(pairs, set.values, "{} {}", set.table, set.row);
        assert!(!set.encoded.contains("+%5F"), "plain-safe values only");
        escapes.push_str(&set.encoded);
        let on_disk = rows_of(&reader, &set.table)
            .iter()
            .any(|r| text(r, &set.column) == Some(set.encoded.as_str()));
        assert!(on_disk, "{} {} {}", set.table, set.column, set.row);
    }
    for token in ["_equals_", "_and_", "_quote_", "_question_", "_add_"] {
        assert!(escapes.contains(token), "{v}: no {token}");
    }

    // NULL only where the schema allows it; 4.0 allows it nowhere.
    if v == Version::V4_0 {
        assert!(s.nulls.is_empty());
    } else {
        assert!(!s.nulls.is_empty(), "{v}: a NULL somewhere");
    }
    for null in &s.nulls {
        let rows = rows_of(&reader, &null.table);
        assert_eq!(
            rows[null.row].get(&camel_case(&null.column)),
            Some(&Value::Null)
        );
    }
}

/// Table name → row count of a restored SQLite database.
async fn restored_counts(db: &Path) -> BTreeMap<String, i64> {
    let mut conn = sqlite(db).await;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut out = BTreeMap::new();
    for n in names {
        let count: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM \"{n}\"")))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        out.insert(n, count);
    }
    out
}

async fn restore_and_count(dir: &Path, db: &Path, s: &Summary) {
    ok(siteserver(&[
        "restore",
        "--database-type",
        "SQLite",
        "--connection-string",
        db.to_str().unwrap(),
        "-d",
        dir.to_str().unwrap(),
    ])
    .await
    .unwrap());
    let got = restored_counts(db).await;
    let want: BTreeMap<String, i64> = s
        .tables
        .iter()
        .map(|t| (t.name.clone(), i64::try_from(t.rows).unwrap()))
        .collect();
    assert_eq!(got, want, "{}", s.version);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_version_reads_back_detects_and_restores() {
    let tmp = tmp();
    for v in Version::ALL {
        let dir = tmp.path().join(format!("v{}", v.key()));
        let s = generate(v, &dir, Scale::Small).unwrap();
        assert_eq!(s.version, v);
        assert!(s.tables.iter().all(|t| t.row_files.len() <= 1));

        // (a)
        check_reads_back(&dir, &s);
        check_story(&dir, &s);

        // (b) from the config row, then from the structure alone.
        let d = detect_folder(&BackupReader::open(&dir).unwrap()).unwrap();
        let want = sscms_core::version::parse_version(v.database_version()).unwrap();
        assert_eq!(d.version, want, "{v}");
        assert!(!d.structural, "{v}: {}", d.evidence);
        assert_eq!(
            d.evidence,
            format!("bairong_Config.DatabaseVersion = {}", v.database_version())
        );

        // (c)
        restore_and_count(&dir, &tmp.path().join(format!("v{}.db", v.key())), &s).await;

        let config = dir.join("bairong_Config").join("1.json");
        let mut rows: Vec<Row> =
            serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
        rows[0].insert("databaseVersion".into(), Value::from(""));
        std::fs::write(&config, serde_json::to_string(&rows).unwrap()).unwrap();
        let d = detect_folder(&BackupReader::open(&dir).unwrap()).unwrap();
        assert_eq!(d.version.to_string(), v.structural_version(), "{v}: {d}");
        assert!(d.structural, "{v}: {}", d.evidence);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_split_at_500_rows_and_restore() {
    let tmp = tmp();
    let dir = tmp.path().join("pages");
    let s = generate(Version::V5_0, &dir, Scale::Pages).unwrap();
    let reader = BackupReader::open(&dir).unwrap();
    for (table, total) in [
        ("cms_Content", PAGES_SITE_1_CONTENTS),
        ("site2_Content", PAGES_SITE_2_CONTENTS),
    ] {
        let t = s.table(table).unwrap();
        assert_eq!(t.rows, total);
        let files = total.div_ceil(PAGE_SIZE);
        assert!(files >= 2);
        let names: Vec<String> = (1..=files).map(|n| format!("{n}.json")).collect();
        assert_eq!(t.row_files, names);
        let mut next_id = 1;
        for (n, f) in t.row_files.iter().enumerate() {
            let count = reader
                .read_rows(table, f, |_, row| {
                    // Paged in identity order.
                    assert_eq!(int(&row, "ID"), next_id);
                    next_id += 1;
                    Ok(())
                })
                .unwrap();
            let want = if n + 1 < files {
                PAGE_SIZE
            } else {
                total - PAGE_SIZE * (files - 1)
            };
            assert_eq!(usize::try_from(count).unwrap(), want, "{table} {f}");
        }
    }
    assert!(s.tables.iter().any(|t| t.rows > 1_000));
    check_reads_back(&dir, &s);
    check_story(&dir, &s);
    restore_and_count(&dir, &tmp.path().join("pages.db"), &s).await;
}

#[test]
fn generation_is_deterministic_and_refuses_a_used_folder() {
    let tmp = tmp();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    generate(Version::V4_1, &a, Scale::Small).unwrap();
    generate(Version::V4_1, &b, Scale::Small).unwrap();
    let fa = files(&a);
    assert_eq!(fa, files(&b));
    for f in &fa {
        assert_eq!(sha256(&a.join(f)), sha256(&b.join(f)), "{}", f.display());
    }
    let err = generate(Version::V4_1, &a, Scale::Small).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    assert_eq!(
        "4.1.1603".parse::<Version>().unwrap(),
        Version::V4_1,
        "DatabaseVersion strings parse"
    );
}
