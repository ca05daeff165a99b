//! `siteserver update` to the latest version, SSCMS 7.4, and the databases a restore builds:
//! every generated version (3.6 to 5.0) and the 6.15 sample reach the 7.4 schema of
//! `target-schema.json` with their rows and values, and the output restores into SQLite, MySQL
//! and PostgreSQL with 7.4's column types, names and indexes (6.15's for `--to 6.15`).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Map, Value};
use sscms_core::BackupReader;
use sscms_core::detect::detect_folder;
use sscms_core::model::Row;
use sscms_core::naming::camel_case;
use sscms_tests::fixtures::{SITE_1, Scale, Summary, Version, generate};

use crate::support::db::{Kind, TestDb};
use crate::support::*;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn spec() -> Value {
    let path = repo().join("tests/fixtures/spec/target-schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A column: name, type, length (0 for none), primary key, identity.
type Col = (String, String, i64, bool, bool);

fn spec_columns(list: &Value) -> Vec<Col> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["type"].as_str().unwrap().to_string(),
                c["length"].as_i64().unwrap_or(0),
                c["primary_key"].as_bool().unwrap(),
                c["identity"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// The system tables of a version (`6.15`, `7.4`) with their columns.
fn spec_tables(spec: &Value, version: &str) -> Vec<(String, Vec<Col>)> {
    spec[version]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                spec_columns(&t["columns"]),
            )
        })
        .collect()
}

/// The columns a version creates a content table with.
fn spec_content(spec: &Value, version: &str) -> Vec<Col> {
    match version {
        "7.4" => spec_columns(&spec["7.4"]["content_tables"]["columns"]),
        _ => spec_columns(&spec["6.15"]["content_tables"]["create_columns"]),
    }
}

fn meta_columns(dir: &Path, table: &str) -> Vec<Col> {
    let reader = BackupReader::open(dir).unwrap();
    reader
        .table(table)
        .unwrap()
        .meta
        .columns
        .iter()
        .map(|c| {
            (
                c.attribute_name.clone(),
                c.data_type.to_string(),
                i64::from(c.data_length),
                c.is_primary_key,
                c.is_identity,
            )
        })
        .collect()
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

fn ext(row: &Row) -> Map<String, Value> {
    serde_json::from_str(row["extendValues"].as_str().unwrap()).unwrap()
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

fn rows_out(report: &Value, target: Option<&str>) -> u64 {
    report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| target.is_none_or(|n| t["target"] == n))
        .map(|t| t["rowsOut"].as_u64().unwrap())
        .sum()
}

/// The 50 tables with exactly their 7.4 columns and types, content tables with the 7.4 content
/// columns, every row accounted for.
fn check_7_4_folder(out: &Path, report: &Value, content: &[String], what: &str) {
    let spec = spec();
    for (name, cols) in spec_tables(&spec, "7.4") {
        assert_eq!(meta_columns(out, &name), cols, "{what}: {name}");
    }
    for t in content {
        assert_eq!(
            meta_columns(out, t),
            spec_content(&spec, "7.4"),
            "{what}: {t}"
        );
    }
    assert_eq!(report["to"], "7.4.0", "{what}");
    assert!(report["droppedRows"].as_array().unwrap().is_empty());
    assert!(report["unaccounted"].as_array().unwrap().is_empty());
    // Every value without a 7.4 column went into ExtendValues (earlier hops report their own).
    assert!(
        !report["unplacedValues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["hop"] == "v6"),
        "{what}"
    );
    for t in report["tables"].as_array().unwrap() {
        assert_eq!(t["rowsIn"], t["rowsOut"], "{what}: {t}");
    }
    let config = rows_of(out, "siteserver_Config");
    assert_eq!(config.len(), 1);
    assert_eq!(config[0]["databaseVersion"], "7.4.0", "{what}");
}

/// A generated site's values, found by id in the 7.4 folder.
fn check_7_4_values(input: &Path, out: &Path, summary: &Summary) {
    let what = summary.version.key();
    let sites = rows_of(out, "siteserver_Site");
    for site in &summary.sites {
        let row = by_id(&sites, site.id);
        assert_eq!(row["siteName"], site.name.as_str(), "{what}");
        assert_eq!(row["tableName"], site.content_table.as_str(), "{what}");
        assert_eq!(row["root"], Value::Bool(site.id == SITE_1), "{what}");
        // The old SettingsXML keys, camel-cased, in ExtendValues.
        let e = ext(row);
        let old = summary
            .settings
            .iter()
            .find(|s| {
                s.table == "siteserver_PublishmentSystem"
                    && s.row == format!("PublishmentSystemID={}", site.id)
            })
            .unwrap();
        for (k, v) in &old.values {
            assert_eq!(
                e[&camel_case(k)],
                v.as_str(),
                "{what}: site {} {k}",
                site.id
            );
        }

        let contents = rows_of(out, &site.content_table);
        let old_rows = rows_of(input, &site.content_table);
        for c in summary.contents.iter().filter(|c| c.site_id == site.id) {
            let row = by_id(&contents, c.id);
            assert_eq!(row["title"], c.title.as_str(), "{what}");
            assert_eq!(
                row["body"],
                c.body.replace("@upload", "@/upload").as_str(),
                "{what}"
            );
            assert_eq!(row["checked"], Value::Bool(c.checked), "{what}");
            assert_eq!(row["channelId"], c.channel_id, "{what}");
            assert!(row["top"].is_boolean() && row["hot"].is_boolean(), "{what}");
            let tags = old_rows
                .iter()
                .find(|r| sscms_core::adapter::get(r, "id").and_then(Value::as_i64) == Some(c.id))
                .and_then(|r| r.iter().find(|(k, _)| k.eq_ignore_ascii_case("tags")))
                .and_then(|(_, v)| v.as_str())
                .unwrap_or_default();
            if !tags.contains('"') {
                let want: Vec<&str> = tags.split_whitespace().collect();
                assert_eq!(row["tagNames"], want.join(",").as_str(), "{what}");
            } else {
                // A tag with a comma cannot be a 7.4 list item: the original stays too.
                assert_eq!(ext(row)["tags"], tags, "{what}");
            }
        }
    }
    let channels = rows_of(out, "siteserver_Channel");
    for c in &summary.channels {
        let row = by_id(&channels, c.id);
        assert_eq!(row["channelName"], c.name.as_str(), "{what}");
        assert_eq!(row["siteId"], c.site_id, "{what}");
        assert_eq!(row["parentsPath"], c.parents_path.as_str(), "{what}");
    }
    let admins = rows_of(out, "siteserver_Administrator");
    for a in &summary.admins {
        let row = by_id(&admins, a.id);
        assert_eq!(row["userName"], a.user_name.as_str(), "{what}");
        assert!(row["locked"].is_boolean(), "{what}");
    }
    let users = rows_of(out, "siteserver_User");
    for u in &summary.users {
        let row = by_id(&users, u.id);
        assert_eq!(row["userName"], u.user_name.as_str(), "{what}");
        assert!(row["checked"].is_boolean(), "{what}");
    }
}

/// Every generated version through the whole chain to 7.4, and the same input to 6.15: the
/// rows of 6.15 all reach 7.4 (plus one membership row per user group), carried tables are
/// reported as carried.
#[tokio::test(flavor = "multi_thread")]
async fn every_version_reaches_7_4_with_its_values() {
    for version in Version::ALL {
        let tmp = tmp();
        let input = tmp.path().join("in");
        let summary = generate(version, &input, Scale::Small).unwrap();
        let to615 = update(&input, &tmp.path().join("615"), Some("6.15")).await;
        let out = tmp.path().join("74");
        let report = update(&input, &out, None).await;
        let what = version.key();
        let content: Vec<String> = summary
            .sites
            .iter()
            .map(|s| s.content_table.clone())
            .collect();
        check_7_4_folder(&out, &report, &content, what);
        check_7_4_values(&input, &out, &summary);

        let chain: Vec<&str> = report["chain"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(chain.last(), Some(&"v6"), "{what}");
        assert_eq!(chain.len(), to615["chain"].as_array().unwrap().len() + 1);
        assert_eq!(
            rows_out(&report, None) - rows_out(&report, Some("siteserver_UsersInGroups")),
            rows_out(&to615, None),
            "{what}: rows are conserved from 6.15 to 7.4"
        );
        // Every table of the 6.15 output is in the 7.4 output or feeds one of its tables.
        let targets: BTreeSet<&str> = report["tables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["target"].as_str().unwrap())
            .collect();
        for t in to615["tables"].as_array().unwrap() {
            let name = t["target"].as_str().unwrap();
            let renamed = ["siteserver_Tag"].contains(&name);
            assert!(targets.contains(name) || renamed, "{what}: {name}");
        }
        // The 6.x tables 7.4 dropped are carried, and the report says so.
        let notes = report["notes"].as_array().unwrap();
        for t in ["siteserver_Keyword", "siteserver_TemplateMatch"] {
            assert!(targets.contains(t), "{what}: {t}");
            let note = format!("v6: carried `{t}` unchanged: 7.4 has no such table");
            assert!(notes.iter().any(|n| n == note.as_str()), "{what}: {note}");
        }
        assert!(
            report["movedValues"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["into"] == "ExtendValues"),
            "{what}"
        );
    }
}

/// The 6.15 sample, as the original 6.15 tool backs a site up, to 7.4.
#[tokio::test(flavor = "multi_thread")]
async fn the_6_15_sample_reaches_7_4() {
    let tmp = tmp();
    let sample = repo().join("examples/sample-6.15");
    let out = tmp.path().join("74");
    let report = update(&sample, &out, None).await;
    check_7_4_folder(&out, &report, &["siteserver_Content_1".to_string()], "6.15");
    assert_eq!(report["chain"], serde_json::json!(["v6"]));
    let reader = BackupReader::open(&sample).unwrap();
    let mut total = 0;
    for t in reader.tables() {
        total += reader.table(t).unwrap().total_count;
    }
    assert_eq!(rows_out(&report, None), total);
    let site = by_id(&rows_of(&out, "siteserver_Site"), 1).clone();
    assert_eq!(ext(&site)["pageSize"], 30);
    let content = rows_of(&out, "siteserver_Content_1");
    assert_eq!(by_id(&content, 1)["tagNames"], "示例,新闻");
    assert_eq!(ext(by_id(&content, 1))["editor"], "王编辑");
}

/// A column's type as the catalog of `kind` reports it, in the spelling of the spec's type
/// mapping: `IDENTITY` for the identity column.
async fn catalog(db: &TestDb, table: &str) -> Vec<(String, String)> {
    let lit = table.replace('\'', "''");
    match db.kind {
        Kind::Sqlite => db
            .texts(&format!(
                "SELECT name, type, CAST(pk AS TEXT) FROM pragma_table_info('{lit}') ORDER BY cid"
            ))
            .await
            .into_iter()
            .map(|r| {
                let ty = r[1].clone().unwrap();
                // `INTEGER PRIMARY KEY AUTOINCREMENT` reads back as INTEGER, key 1.
                let identity = ty == "INTEGER" && r[2].as_deref() == Some("1");
                (
                    r[0].clone().unwrap(),
                    if identity { "IDENTITY".into() } else { ty },
                )
            })
            .collect(),
        Kind::MySql => db
            .texts(&format!(
                "SELECT CAST(COLUMN_NAME AS CHAR), CAST(COLUMN_TYPE AS CHAR), CAST(EXTRA AS CHAR) \
                 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
                 AND TABLE_NAME = '{lit}' ORDER BY ORDINAL_POSITION"
            ))
            .await
            .into_iter()
            .map(|r| {
                let extra = r[2].clone().unwrap_or_default();
                // MariaDB shows the display width of int; the type is the same.
                let ty = r[1].clone().unwrap().replace("int(11)", "int");
                (
                    r[0].clone().unwrap(),
                    if extra.contains("auto_increment") {
                        "IDENTITY".into()
                    } else {
                        ty
                    },
                )
            })
            .collect(),
        Kind::Postgres => db
            .texts(&format!(
                "SELECT column_name::text, udt_name::text, character_maximum_length::text, \
                 column_default::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name = '{lit}' ORDER BY ordinal_position"
            ))
            .await
            .into_iter()
            .map(|r| {
                let udt = r[1].clone().unwrap();
                let ty = match &r[2] {
                    Some(n) => format!("{udt}({n})"),
                    None => udt,
                };
                let serial = r[3].as_deref().is_some_and(|d| d.starts_with("nextval("));
                (
                    r[0].clone().unwrap(),
                    if serial { "IDENTITY".into() } else { ty },
                )
            })
            .collect(),
    }
}

async fn table_names(db: &TestDb) -> BTreeSet<String> {
    let sql = match db.kind {
        Kind::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        Kind::MySql => {
            "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE()"
        }
        Kind::Postgres => {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'"
        }
    };
    db.texts(sql)
        .await
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect()
}

async fn index_names(db: &TestDb, table: &str) -> BTreeSet<String> {
    let sql = match db.kind {
        Kind::Sqlite => {
            format!("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '{table}'")
        }
        Kind::MySql => format!(
            "SELECT DISTINCT CAST(INDEX_NAME AS CHAR) FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}'"
        ),
        Kind::Postgres => format!(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' \
             AND tablename = '{table}'"
        ),
    };
    db.texts(&sql)
        .await
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect()
}

/// The type the spec's mapping gives a column of `version` in `kind`; SQLite, which 6.15 could
/// not run on, takes 7.4's.
fn mapped_type(spec: &Value, version: &str, kind: Kind, col: &Col) -> String {
    let (name, data_type, length, pk, identity) = col;
    if *identity {
        return "IDENTITY".into();
    }
    let (version, db) = match kind {
        Kind::Sqlite => ("7.4", "SQLite"),
        Kind::MySql => (version, "MySql"),
        Kind::Postgres => (version, "PostgreSql"),
    };
    if kind == Kind::Sqlite && *pk && data_type == "Integer" && name == "Id" {
        // 6.15's non-identity `siteserver_Site.Id`: SQLite takes 7.4's tables, in which the
        // integer `Id` key numbers new rows.
        return "IDENTITY".into();
    }
    let n = if *length > 0 { *length } else { 500 };
    spec["type_mapping"][version]["databases"][db][data_type]
        .as_str()
        .unwrap()
        .replace("{n}", &n.to_string())
}

/// Restores `out` into `db` and checks the catalog against the spec: the table set, each
/// system and content table's column names and types, the indexes of content tables, and the
/// version row. A backup of a live database may lack the log tables, which `siteserver backup`
/// leaves out; an updated folder has every system table.
async fn check_restored(
    db: &TestDb,
    out: &Path,
    version: &str,
    content: &[String],
    complete: bool,
) {
    db.restore(out).await;
    let spec = spec();
    // 6.15 sends names unquoted, so PostgreSQL holds them in lower case.
    let fold = version == "6.15" && db.kind == Kind::Postgres;
    let name = |s: &str| {
        if fold {
            s.to_lowercase()
        } else {
            s.to_string()
        }
    };
    let reader = BackupReader::open(out).unwrap();
    let want: BTreeSet<String> = reader.tables().iter().map(|t| name(t)).collect();
    assert_eq!(table_names(db).await, want, "{version} {:?}", db.kind);

    let has = |t: &str| reader.tables().iter().any(|x| x.eq_ignore_ascii_case(t));
    let mut tables = spec_tables(&spec, version);
    if complete {
        for (t, _) in &tables {
            assert!(has(t), "{version}: {t}");
        }
    }
    tables.retain(|(t, _)| has(t));
    for t in content {
        tables.push((t.clone(), spec_content(&spec, version)));
    }
    for (table, cols) in &tables {
        let got = catalog(db, &name(table)).await;
        let want: Vec<(String, String)> = cols
            .iter()
            .map(|c| (name(&c.0), mapped_type(&spec, version, db.kind, c)))
            .collect();
        // A content table may hold the site's own columns after the standard ones.
        assert_eq!(
            &got[..want.len().min(got.len())],
            want.as_slice(),
            "{version} {:?}: {table}",
            db.kind
        );
    }
    for t in content {
        let indexes = index_names(db, &name(t)).await;
        let want: Vec<String> = match version {
            "7.4" => ["Taxis", "SiteId", "ChannelId", "AddDate", "SourceId"]
                .iter()
                .map(|c| format!("IX_{t}_{c}"))
                .collect(),
            _ => vec![format!("IX_{t}"), format!("IX_{t}_Taxis")],
        };
        for i in want {
            assert!(
                indexes.contains(&name(&i)),
                "{version} {:?}: {i} in {indexes:?}",
                db.kind
            );
        }
    }
    // The query each version's CMS sends: 7.4 quotes names, 6.15 does not.
    let sql = match version {
        "7.4" => format!(
            "SELECT {} FROM {}",
            db.q("DatabaseVersion"),
            db.q("siteserver_Config")
        ),
        _ => "SELECT DatabaseVersion FROM siteserver_Config".to_string(),
    };
    let rows = db.texts(&sql).await;
    let want = if version == "7.4" { "7.4.0" } else { "6.15.51" };
    assert_eq!(rows, vec![vec![Some(want.to_string())]], "{:?}", db.kind);
    new_rows_get_the_next_id(db, &reader, version, &name).await;
}

/// A row inserted without an id, as the CMS inserts one, gets max+1 in every table whose key
/// numbers itself: identity columns, and the integer `Id` key that 7.4 (and SQLite, which
/// takes 7.4's tables for every version) makes one.
async fn new_rows_get_the_next_id(
    db: &TestDb,
    reader: &BackupReader,
    version: &str,
    name: &dyn Fn(&str) -> String,
) {
    let datory = version == "7.4" || db.kind == Kind::Sqlite;
    let mut checked = Vec::new();
    for t in reader.tables() {
        let meta = reader.table(t).unwrap().meta;
        let Some(id) = meta.columns.iter().find(|c| {
            c.is_identity
                || (datory
                    && c.is_primary_key
                    && c.attribute_name.eq_ignore_ascii_case("Id")
                    && c.data_type == sscms_core::DataType::Integer)
        }) else {
            continue;
        };
        // Other key columns (a carried table's own key beside the backup's added `Id`) need
        // a value.
        let keys: Vec<(String, &str)> = meta
            .columns
            .iter()
            .filter(|c| c.is_primary_key && c.attribute_name != id.attribute_name)
            .map(|c| {
                let v = match c.data_type {
                    sscms_core::DataType::Integer | sscms_core::DataType::Decimal => "-1",
                    sscms_core::DataType::DateTime => "'2000-01-01 00:00:00'",
                    sscms_core::DataType::Boolean => "false",
                    _ => "'new row'",
                };
                (db.q(&name(&c.attribute_name)), v)
            })
            .collect();
        let (table, id) = (db.q(&name(t)), db.q(&name(&id.attribute_name)));
        let max = db
            .int(&format!("SELECT COALESCE(MAX({id}), 0) FROM {table}"))
            .await;
        let insert = match (db.kind, keys.is_empty()) {
            (Kind::MySql, true) => format!("INSERT INTO {table} () VALUES ()"),
            (_, true) => format!("INSERT INTO {table} DEFAULT VALUES"),
            (_, false) => format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                keys.iter()
                    .map(|k| k.0.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                keys.iter().map(|k| k.1).collect::<Vec<_>>().join(", ")
            ),
        };
        db.exec(&insert).await;
        let got = db.int(&format!("SELECT MAX({id}) FROM {table}")).await;
        assert_eq!(got, max + 1, "{version} {:?}: a new row of {t}", db.kind);
        // The databases are backed up again later: leave only the restored rows.
        db.exec(&format!("DELETE FROM {table} WHERE {id} = {got}"))
            .await;
        checked.push(t.clone());
    }
    assert!(
        checked
            .iter()
            .any(|t| t.eq_ignore_ascii_case("siteserver_Channel")),
        "{version} {:?}: {checked:?}",
        db.kind
    );
    if datory {
        assert!(
            checked
                .iter()
                .any(|t| t.eq_ignore_ascii_case("siteserver_Site")),
            "{version} {:?}: {checked:?}",
            db.kind
        );
    }
}

/// The generated 5.0 site updated to 7.4 and to 6.15, each restored into `kind` and checked
/// against its version's schema. Then the restored databases are backed up as live ones: the
/// 6.x backup updates to 7.4, and the 7.x backup restores as it is.
async fn restores_with_the_versions_schema(kind: Kind, test: &str) {
    let Some(db74) = TestDb::create(kind, test).await else {
        return;
    };
    let Some(db615) = TestDb::create(kind, test).await else {
        return;
    };
    let tmp = tmp();
    let input = tmp.path().join("in");
    let summary = generate(Version::V5_0, &input, Scale::Small).unwrap();
    let content: Vec<String> = summary
        .sites
        .iter()
        .map(|s| s.content_table.clone())
        .collect();
    let out74 = tmp.path().join("74");
    update(&input, &out74, None).await;
    let out615 = tmp.path().join("615");
    update(&input, &out615, Some("6.15")).await;
    check_restored(&db74, &out74, "7.4", &content, true).await;
    check_restored(&db615, &out615, "6.15", &content, true).await;

    // A live 6.x database: our backup records 6.15.51 and updates to 7.4.
    let bak615 = tmp.path().join("bak615");
    db615.backup(&bak615).await;
    let reader = BackupReader::open(&bak615).unwrap();
    let manifest = reader.manifest().unwrap();
    assert_eq!(manifest.source_version.as_deref(), Some("6.15.51"));
    let up = tmp.path().join("bak615-74");
    let report = update(&bak615, &up, None).await;
    assert_eq!(report["chain"], serde_json::json!(["v6"]));
    check_7_4_folder(&up, &report, &content, "live 6.15");
    let sites = rows_of(&up, "siteserver_Site");
    for s in &summary.sites {
        assert_eq!(by_id(&sites, s.id)["siteName"], s.name.as_str());
    }

    // A live 7.x database: its backup says 7.4.0 and restores as it is.
    let bak74 = tmp.path().join("bak74");
    db74.backup(&bak74).await;
    let reader = BackupReader::open(&bak74).unwrap();
    assert_eq!(
        reader.manifest().unwrap().source_version.as_deref(),
        Some("7.4.0")
    );
    let again = TestDb::create(Kind::Sqlite, test).await.unwrap();
    check_restored(&again, &bak74, "7.4", &content, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_restores_with_the_versions_schema() {
    restores_with_the_versions_schema(
        Kind::Sqlite,
        "update_v6::sqlite_restores_with_the_versions_schema",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_restores_with_the_versions_schema() {
    restores_with_the_versions_schema(
        Kind::MySql,
        "update_v6::mysql_restores_with_the_versions_schema",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_restores_with_the_versions_schema() {
    restores_with_the_versions_schema(
        Kind::Postgres,
        "update_v6::postgres_restores_with_the_versions_schema",
    )
    .await;
}

/// Rewrites a folder the way the original `sscms data backup` (7.2+) writes one: indented
/// JSON, `rows` instead of `rowFiles`, no `isExtend`, no manifest.
fn as_sscms_backup(dir: &Path) {
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap();
    std::fs::remove_file(dir.join("_manifest.json")).unwrap();
    let tables: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("_tables.json")).unwrap()).unwrap();
    std::fs::write(
        dir.join("_tables.json"),
        pretty(&Value::from(tables.clone())),
    )
    .unwrap();
    for t in tables {
        let path = dir.join(&t).join("_metadata.json");
        let mut meta: Map<String, Value> =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        meta.remove("rowFiles");
        for c in meta["columns"].as_array_mut().unwrap() {
            c.as_object_mut().unwrap().remove("isExtend");
        }
        std::fs::write(&path, pretty(&Value::Object(meta.clone()))).unwrap();
        for f in meta["rows"].as_array().unwrap() {
            let file = dir.join(&t).join(f.as_str().unwrap());
            let rows: Value =
                serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            std::fs::write(&file, pretty(&rows).replace('\n', "\r\n")).unwrap();
        }
    }
}

/// A 7.x folder written by the original tool is detected from its config row, has nothing to
/// update, and restores with 7.4's schema.
#[tokio::test(flavor = "multi_thread")]
async fn an_sscms_backup_is_detected_and_restores_as_it_is() {
    let tmp = tmp();
    let dir = tmp.path().join("sscms");
    update(&repo().join("examples/sample-6.15"), &dir, None).await;
    as_sscms_backup(&dir);
    let meta = std::fs::read_to_string(dir.join("siteserver_Site/_metadata.json")).unwrap();
    assert!(meta.contains("\n  \"rows\": [") && !meta.contains("rowFiles"));

    let d = detect_folder(&BackupReader::open(&dir).unwrap()).unwrap();
    assert_eq!(d.version.to_string(), "7.4.0");
    assert_eq!(d.evidence, "siteserver_Config.DatabaseVersion = 7.4.0");
    let err = siteserver(&[
        "update",
        "-d",
        dir.to_str().unwrap(),
        "-o",
        tmp.path().join("again").to_str().unwrap(),
    ])
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("already at 7.4.0"), "{err}");

    let db = TestDb::create(Kind::Sqlite, "update_v6::sscms_backup")
        .await
        .unwrap();
    check_restored(
        &db,
        &dir,
        "7.4",
        &["siteserver_Content_1".to_string()],
        true,
    )
    .await;
}
