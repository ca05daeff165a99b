//! The official in-place upgrade hops 3.6 → 4.0 → 4.1 → 5.0 (adapters `v3_6`, `v4_0`, `v4_1`),
//! run by `update --to` on the bundled samples, on generated fixtures and on a hand-edited 3.6.2
//! backup, and checked against the spec's JSON (`tests/fixtures/spec/upgrade-hops.json` and
//! `old-schemas.json`).
//!
//! **Schema.** [`Model`] replays each hop of `upgrade-hops.json` on the input folder's own tables:
//! `tables_created` (`same_as` pointers resolved in `old-schemas.json`, the 3_63 tail below
//! 3.6.3, `applies_to` origins), `columns_added` (appended when the table exists and lacks them;
//! `source < 3.6x` conditions), `columns_renamed`, `columns_retyped`, `tables_recreated`, the
//! `CreateAllAuxiliaryTableIfNotExists` tables (types and default names from its `data_updates`
//! entry, base and extra columns from `content_table_changes`, metadata columns from
//! `created_content_tables_metadata_4_1`) and 5.0's `WritingUserName` on every registered,
//! created content table. The output must have exactly those tables, each with exactly those
//! columns in that order, with the type and length the 6.15 backup reads from SQL Server. Keys
//! and identities (`primary_key_changes`, `bairong_Users.UserID`) are checked by name in
//! [`a_3_6_2_backup_gets_the_3_63_folders_and_every_rewrite`].
//!
//! Where the JSON names a column without a type, the replay takes it from the 4.1 content
//! template, else old-schemas' note (GovInteract `Location` nvarchar(50)), else `int` (`Teleplays`,
//! like `Photos`). Deliberate deviations, expected here too:
//! - hop 2 appends the 4.0-fresh comment columns (CMS/4_1 l.21-65) before `AdminName`
//!   (l.754-758), the script order, which the JSON's list does not keep;
//! - hop 3 carries the 3.6 comment-form rows of `siteserver_Comment` as
//!   `siteserver_Comment__from_v41` (its 4.1 columns), since they are not comments.
//!
//! **Rows.** Every output table holds the rows of the input table it comes from, plus the rows
//! the upgrade inserts (`bairong_TableCollection`, `bairong_TableMetadata`, the Ad* tables, as
//! counted from the spec); comments move into `siteserver_Comment`, and at 5.0 the comment forms
//! into `…__from_v41`. **Values.** Every row of every table that keeps its name is found by its
//! key with the value it had in every column it had, and the mapped values (versions, sites,
//! channels, administrators, contents, comments, settings) are checked by id.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use sscms_core::adapter::{HopOptions, TableStatus};
use sscms_core::adapter::{Registry, Target};
use sscms_core::model::{DataType, Row, TableMeta};
use sscms_core::settings::Settings;
use sscms_core::update::{UpdateOptions, UpdateReport, update};
use sscms_core::{BackupReader, NoProgress};
use sscms_tests::fixtures::{Scale, Version, generate};

use crate::support::tmp;

// ---------------------------------------------------------------------------------------------
// Folders

/// A backup folder, read back.
struct Folder {
    reader: BackupReader,
}

impl Folder {
    fn open(dir: &Path) -> Folder {
        Folder {
            reader: BackupReader::open(dir).expect("folder opens"),
        }
    }

    fn names(&self) -> Vec<String> {
        self.reader.tables().to_vec()
    }

    fn name(&self, table: &str) -> Option<String> {
        self.names()
            .into_iter()
            .find(|n| n.eq_ignore_ascii_case(table))
    }

    fn meta(&self, table: &str) -> Option<TableMeta> {
        let name = self.name(table)?;
        Some(self.reader.table(&name).expect("metadata").meta)
    }

    fn rows(&self, table: &str) -> Vec<Row> {
        let Some(name) = self.name(table) else {
            return Vec::new();
        };
        let data = self.reader.table(&name).expect("metadata");
        let mut rows = Vec::new();
        for f in &data.row_files {
            self.reader
                .read_rows(&name, f, |_, r| {
                    rows.push(r);
                    Ok(())
                })
                .expect("rows");
        }
        assert_eq!(rows.len() as u64, data.total_count, "{name}: totalCount");
        rows
    }

    fn total_rows(&self) -> u64 {
        self.names()
            .iter()
            .map(|n| self.reader.table(n).expect("metadata").total_count)
            .sum()
    }
}

fn get<'r>(row: &'r Row, key: &str) -> Option<&'r Value> {
    row.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn text(row: &Row, key: &str) -> String {
    match get(row, key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

fn int(row: &Row, key: &str) -> i64 {
    get(row, key).and_then(Value::as_i64).unwrap_or(0)
}

/// The row whose `key` is `id`.
fn by<'r>(rows: &'r [Row], key: &str, id: impl Into<Value>) -> &'r Row {
    let id = id.into();
    rows.iter()
        .find(|r| get(r, key) == Some(&id))
        .unwrap_or_else(|| panic!("no row with {key} = {id}"))
}

fn sample(version: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(format!("sample-{version}"))
}

struct Run {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    out: Folder,
    report: UpdateReport,
}

fn run(input: &Path, to: &str) -> Run {
    let tmp = tmp();
    let out = tmp.path().join("out");
    let registry = Registry::load().expect("registry");
    let report = update(
        &registry,
        &UpdateOptions {
            dir: input.to_path_buf(),
            out: out.clone(),
            from: None,
            to: Target::Named(to.into()),
            overwrite: false,
            page_size: 500,
            hop: HopOptions::default(),
        },
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("update {} --to {to}: {e}", input.display()));
    Run {
        out: Folder::open(&out),
        dir: out,
        _tmp: tmp,
        report,
    }
}

// ---------------------------------------------------------------------------------------------
// The spec, replayed

fn spec(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/spec")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("spec file")).expect("spec JSON")
}

/// A column as the comparison sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Col {
    name: String,
    ty: DataType,
    len: i32,
}

/// A SQL Server type as the 6.15 backup reads it (backup-format §1.6; samples' README).
fn sql(name: &str, ty: &str, len: Option<i64>) -> Col {
    let len = len.and_then(|l| i32::try_from(l).ok());
    let (ty, len) = match ty {
        "int" => (DataType::Integer, 4),
        "datetime" => (DataType::DateTime, 8),
        "ntext" | "text" => (DataType::Text, 16),
        "decimal" => (
            DataType::Decimal,
            if len.unwrap_or(18) <= 19 { 9 } else { 13 },
        ),
        "float" => (DataType::VarChar, 8),
        "bit" => (DataType::Boolean, 1),
        "nvarchar" | "varchar" => (DataType::VarChar, len.expect("a string length")),
        other => panic!("type {other}"),
    };
    Col {
        name: name.into(),
        ty,
        len,
    }
}

fn spec_columns(columns: &Value) -> Vec<Col> {
    columns
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| {
            sql(
                c["name"].as_str().unwrap(),
                c["type"].as_str().unwrap(),
                c["length"].as_i64(),
            )
        })
        .collect()
}

/// Text between `start` and the next `end`, after `from`.
fn between<'s>(s: &'s str, start: &str, end: &str) -> Option<&'s str> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)? + i;
    Some(&s[i..j])
}

/// The columns a `same_as` pointer such as `old-schemas.json versions["4.0"].tables["x"]` names.
fn same_as(old: &Value, pointer: &str) -> Vec<Col> {
    let version = between(pointer, "versions[\"", "\"]").expect("a version");
    let (kind, name) = if let Some(n) = between(pointer, "variant_tables[\"", "\"]") {
        ("variant_tables", n)
    } else {
        (
            "tables",
            between(pointer, ".tables[\"", "\"]").expect("a table"),
        )
    };
    let table = old["versions"][version][kind]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("{pointer}"));
    spec_columns(&table["columns"])
}

/// The SQL type of a metadata entry such as `Title NVarChar255` (§2.4: Decimal is
/// decimal(18,2)); the entries without a type are the task dates, datetime.
fn metadata_column(entry: &str) -> Vec<Col> {
    let words: Vec<&str> = entry.split_whitespace().collect();
    let ty = words.get(1).copied().unwrap_or("NULL");
    let one = |name: &str| -> Col {
        let digits: String = ty.chars().filter(char::is_ascii_digit).collect();
        let len = digits.parse::<i64>().ok();
        match ty.trim_end_matches(|c: char| c.is_ascii_digit()) {
            "NVarChar" => sql(name, "nvarchar", len),
            "VarChar" => sql(name, "varchar", len),
            "NText" => sql(name, "ntext", None),
            "Integer" => sql(name, "int", None),
            "Decimal" => sql(name, "decimal", Some(18)),
            _ => sql(name, "datetime", None),
        }
    };
    match words[0].split_once("..") {
        // F1..F9
        Some((first, last)) => {
            let prefix = first.trim_end_matches(|c: char| c.is_ascii_digit());
            let a: u32 = first[prefix.len()..].parse().unwrap();
            let b: u32 = last[prefix.len()..].parse().unwrap();
            (a..=b).map(|i| one(&format!("{prefix}{i}"))).collect()
        }
        None => vec![one(words[0])],
    }
}

/// One row of `bairong_TableCollection` as the replay tracks it.
#[derive(Debug, Clone)]
struct Registered {
    name: String,
    kind: String,
    created: bool,
}

/// A database's tables as the official upgrades leave them.
#[derive(Debug, Clone)]
struct Model {
    tables: Vec<(String, Vec<Col>)>,
    registry: Vec<Registered>,
    /// Content tables with `bairong_TableMetadata` rows, lower-cased.
    described: BTreeSet<String>,
    /// Rows the upgrades insert, per table.
    inserted: BTreeMap<String, u64>,
    /// The source's patch level: `GetVersionDouble` reads 3.6.4 as 3.64.
    patch: u64,
    /// `bairong_Users` had no `UserID` when hop 2 ran.
    from_3_6: bool,
    /// 3.6 comment-form rows in `siteserver_Comment`.
    forms: usize,
    ads: usize,
}

impl Model {
    fn of(folder: &Folder, version: &str) -> Model {
        let tables = folder
            .names()
            .iter()
            .map(|n| {
                let meta = folder.meta(n).unwrap();
                let cols = meta
                    .columns
                    .iter()
                    .map(|c| Col {
                        name: c.attribute_name.clone(),
                        ty: c.data_type,
                        len: c.data_length,
                    })
                    .collect();
                (n.clone(), cols)
            })
            .collect();
        let registry = folder
            .rows("bairong_TableCollection")
            .iter()
            .map(|r| Registered {
                name: text(r, "TableENName"),
                kind: text(r, "AuxiliaryTableType"),
                created: text(r, "IsCreatedInDB").eq_ignore_ascii_case("true"),
            })
            .collect();
        let forms = folder
            .rows("siteserver_Comment")
            .iter()
            .filter(|r| !text(r, "CommentName").is_empty() && int(r, "ContentID") == 0)
            .count();
        let described = folder
            .rows("bairong_TableMetadata")
            .iter()
            .map(|r| text(r, "AuxiliaryTableENName").to_lowercase())
            .collect();
        Model {
            tables,
            registry,
            described,
            inserted: BTreeMap::new(),
            patch: sscms_core::version::parse_version(version).unwrap().patch,
            from_3_6: false,
            forms,
            ads: folder.rows("siteserver_Ad").len(),
        }
    }

    fn table(&mut self, name: &str) -> Option<&mut Vec<Col>> {
        self.tables
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, c)| c)
    }

    fn has(&self, name: &str) -> bool {
        self.tables
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    fn create(&mut self, name: &str, cols: Vec<Col>) {
        if !self.has(name) {
            self.tables.push((name.to_string(), cols));
        }
    }

    fn add_column(&mut self, table: &str, col: Col) {
        if let Some(cols) = self.table(table)
            && !cols.iter().any(|c| c.name.eq_ignore_ascii_case(&col.name))
        {
            cols.push(col);
        }
    }

    fn insert(&mut self, table: &str, rows: u64) {
        *self.inserted.entry(table.to_string()).or_default() += rows;
    }

    /// Replays hop `i` (0: 3.6 → 4.0, 1: 4.0 → 4.1, 2: 4.1 → 5.0).
    fn hop(&mut self, hops: &Value, old: &Value, i: usize) {
        let hop = &hops["hops"][i];
        let patch = self.patch;
        if i == 1 {
            self.from_3_6 = self
                .table("bairong_Users")
                .is_some_and(|c| !c.iter().any(|c| c.name == "UserID"));
        }
        let resolve = |e: &Value| match e["same_as"].as_str() {
            Some(p) => same_as(old, p),
            None => spec_columns(&e["columns"]),
        };
        let mut created: Vec<&Value> = hop["tables_created"].as_array().unwrap().iter().collect();
        if i == 0 && patch < 3 {
            created.extend(
                hop["tables_created_by_tail_if_source_below_3_6_3"]
                    .as_array()
                    .unwrap(),
            );
        }
        for e in created {
            let applies = e["applies_to"].as_str().unwrap_or("both");
            if applies.starts_with("3.6-origin") && !self.from_3_6 {
                continue;
            }
            self.create(e["table"].as_str().unwrap(), resolve(e));
        }
        for e in hop["tables_recreated"].as_array().unwrap() {
            let cols = spec_columns(&e["new_columns"]);
            *self.table(e["table"].as_str().unwrap()).unwrap() = cols;
        }
        let mut added: Vec<&Value> = hop["columns_added"].as_array().unwrap().iter().collect();
        // Script order: CMS/4_1 l.21-65 (the 4.0-fresh comment columns) before l.754-758.
        added.sort_by_key(|e| {
            !e["applies_to"]
                .as_str()
                .unwrap_or_default()
                .starts_with("4.0-fresh")
        });
        for e in added {
            let applies = e["applies_to"].as_str().unwrap_or_default();
            if (applies.starts_with("source < 3.64") && patch >= 4)
                || (applies.starts_with("source < 3.63") && patch >= 3)
            {
                continue;
            }
            let col = sql(
                e["column"].as_str().unwrap(),
                e["type"].as_str().unwrap(),
                e["length"].as_i64(),
            );
            self.add_column(e["table"].as_str().unwrap(), col);
        }
        for e in hop["columns_renamed"].as_array().unwrap() {
            if let Some(cols) = self.table(e["table"].as_str().unwrap())
                && !cols.iter().any(|c| c.name == e["to"])
                && let Some(c) = cols.iter_mut().find(|c| c.name == e["from"])
            {
                c.name = e["to"].as_str().unwrap().into();
            }
        }
        for e in hop["columns_retyped"].as_array().unwrap() {
            let to = e["to"].as_str().unwrap();
            let len: i32 = between(to, "(", ")").unwrap().parse().unwrap();
            let table = e["table"].as_str().unwrap().to_string();
            for name in e["column"].as_str().unwrap().split(", ") {
                if let Some(cols) = self.table(&table)
                    && let Some(c) = cols.iter_mut().find(|c| c.name == name)
                {
                    c.len = len;
                }
            }
        }
        if i == 1 {
            self.registrations(hop, old);
            if self.from_3_6 && self.ads > 0 {
                for t in [
                    "siteserver_AdArea",
                    "siteserver_Adv",
                    "siteserver_AdMaterial",
                ] {
                    self.insert(t, self.ads as u64);
                }
            }
        }
        if i == 2 {
            let change = hop["content_table_changes"][0].as_str().unwrap();
            let name = between(change, "ADD [", "]").unwrap();
            let ty = between(change, "] ", "(").unwrap();
            let len = between(change, "(", ")").unwrap().parse().ok();
            for r in self.registry.clone() {
                if r.created {
                    self.add_column(&r.name, sql(name, ty, len));
                }
            }
        }
    }

    /// Hop 2's registry inserts: `ml_Content`, then `CreateAllAuxiliaryTableIfNotExists`.
    fn registrations(&mut self, hop: &Value, old: &Value) {
        let updates = hop["data_updates"].as_array().unwrap();
        let find = |kind: &str| {
            updates
                .iter()
                .find(|u| u["kind"].as_str().unwrap_or_default().contains(kind))
                .unwrap()["description"]
                .as_str()
                .unwrap()
                .to_string()
        };
        // "insert 15 rows (…)" for ml_Content
        let ml = find("SQL INSERT");
        if !self
            .registry
            .iter()
            .any(|r| r.name.eq_ignore_ascii_case("ml_Content"))
        {
            self.insert("bairong_TableCollection", 1);
            self.registry.push(Registered {
                name: "ml_Content".into(),
                kind: "ManuscriptContent".into(),
                created: true,
            });
        }
        let ml_rows: u64 = between(&ml, "TableMetadata rows for ml_Content: insert ", " rows")
            .unwrap()
            .parse()
            .unwrap();
        if !self.described.contains("ml_content") {
            self.insert("bairong_TableMetadata", ml_rows);
        }

        let create_all = find("CreateAllAuxiliaryTableIfNotExists");
        let kinds: Vec<String> = between(&create_all, "in order ", ":")
            .unwrap()
            .split(", ")
            .map(String::from)
            .collect();
        let names: Vec<String> = between(&create_all, "(default name ", ";")
            .unwrap()
            .split(" / ")
            .map(String::from)
            .collect();
        assert_eq!(kinds.len(), names.len());
        let prose = hop["content_table_changes"][3].as_str().unwrap();
        let metadata = &hop["created_content_tables_metadata_4_1"];
        for (kind, table) in kinds.iter().zip(&names) {
            if self.registry.iter().any(|r| r.created && &r.kind == kind) {
                continue;
            }
            let meta: Vec<Col> = metadata[kind.as_str()]
                .as_str()
                .unwrap()
                .split(", ")
                .flat_map(metadata_column)
                .collect();
            self.insert("bairong_TableCollection", 1);
            if !self.described.contains(&table.to_lowercase()) {
                self.insert("bairong_TableMetadata", meta.len() as u64);
            }
            self.registry.push(Registered {
                name: table.clone(),
                kind: kind.clone(),
                created: true,
            });
            let mut cols = content_base(old);
            cols.extend(content_extras(old, prose, kind));
            cols.extend(meta);
            self.create(table, cols);
        }
    }
}

/// `ID` … `SettingsXML` of the 4.1 content template, with `Teleplays` after `Photos` (§2.4:
/// "including Photos and Teleplays").
fn content_base(old: &Value) -> Vec<Col> {
    let template = old["versions"]["4.1"]["content_tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["auxiliary_table_type"] == "BackgroundContent")
        .unwrap();
    let mut out = Vec::new();
    for c in spec_columns(&template["columns"]) {
        let last = c.name == "SettingsXML";
        let photos = c.name == "Photos";
        out.push(c);
        if photos {
            out.push(sql("Teleplays", "int", None));
        }
        if last {
            break;
        }
    }
    out
}

/// The type-specific columns §2.4 lists ("Vote adds IsImageVote, …"), typed from the prose, the
/// type's 4.1 template, or (Location) old-schemas' note; a name without any is `int`.
fn content_extras(old: &Value, prose: &str, kind: &str) -> Vec<Col> {
    let short = kind.trim_end_matches("Content");
    let Some(list) = prose
        .split("; ")
        .find_map(|s| {
            s.trim_start_matches(|c: char| !c.is_uppercase())
                .strip_prefix(&format!("{short} adds "))
        })
        .map(|s| s.split(" before ").next().unwrap_or(s))
    else {
        return Vec::new();
    };
    let template: Vec<Col> = old["versions"]["4.1"]["content_tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["auxiliary_table_type"] == kind)
        .map(|t| spec_columns(&t["columns"]))
        .unwrap_or_default();
    let mut out = Vec::new();
    for item in list.trim_end_matches(';').split(", ") {
        let words: Vec<&str> = item.split_whitespace().collect();
        let names: Vec<String> = match words[0].split_once("..") {
            Some((a, b)) => {
                let (pa, pb) = (a.trim_end_matches("ID"), b.trim_end_matches("ID"));
                let prefix = pa.trim_end_matches(|c: char| c.is_ascii_digit());
                let from: u32 = pa[prefix.len()..].parse().unwrap();
                let to: u32 = pb[prefix.len()..].parse().unwrap();
                (from..=to).map(|i| format!("{prefix}{i}ID")).collect()
            }
            None => vec![words[0].to_string()],
        };
        for name in names {
            let col = match words.get(1) {
                Some(ty) => {
                    let base = ty.split('(').next().unwrap();
                    sql(
                        &name,
                        base,
                        between(ty, "(", ")").and_then(|l| l.parse().ok()),
                    )
                }
                None => template
                    .iter()
                    .find(|c| c.name == name)
                    .cloned()
                    .unwrap_or_else(|| {
                        if name == "Location" {
                            sql(&name, "nvarchar", Some(50))
                        } else {
                            sql(&name, "int", None)
                        }
                    }),
            };
            out.push(col);
        }
    }
    out
}

/// The model after running hops `first..last` (0-based) on a folder.
fn expected(input: &Folder, version: &str, first: usize, last: usize) -> Model {
    let hops = spec("upgrade-hops.json");
    let old = spec("old-schemas.json");
    let mut m = Model::of(input, version);
    for i in first..last {
        m.hop(&hops, &old, i);
    }
    if last == 3 && m.forms > 0 {
        // The carried forms keep the 4.1 layout of siteserver_Comment.
        let mut before = Model::of(input, version);
        for i in first..2 {
            before.hop(&hops, &old, i);
        }
        let cols = before.table("siteserver_Comment").cloned().unwrap();
        m.tables.push(("siteserver_Comment__from_v41".into(), cols));
    }
    m
}

/// The chain stops at `to`, so the output also has every table a fresh `to` install creates
/// that the upgrade does not (the log tables a backup leaves out among them): empty, with the
/// install's columns, and reported as `created-empty`.
fn complete_install(model: &mut Model, run: &Run, to: &str, what: &str) {
    let old = spec("old-schemas.json");
    for t in old["versions"][to]["tables"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        if model.table(name).is_some()
            || model
                .tables
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            continue;
        }
        model
            .tables
            .push((name.to_string(), spec_columns(&t["columns"])));
        let r = run
            .report
            .tables
            .iter()
            .find(|r| r.target == name)
            .unwrap_or_else(|| panic!("{what}: {name} is not in the report"));
        assert_eq!(r.status, TableStatus::CreatedEmpty, "{what}: {name}");
        assert_eq!((r.rows_in, r.rows_out), (0, 0), "{what}: {name}");
    }
    for log in ["bairong_Log", "siteserver_Log", "siteserver_Tracking"] {
        assert!(model.table(log).is_some(), "{what}: {log}");
    }
}

/// The output has exactly the model's tables, with its columns in order.
fn assert_schema(run: &Run, model: &Model, what: &str) {
    let want: BTreeSet<String> = model.tables.iter().map(|(n, _)| n.clone()).collect();
    let got: BTreeSet<String> = run.out.names().into_iter().collect();
    assert_eq!(
        got.difference(&want).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "{what}: tables the official upgrade does not have"
    );
    assert_eq!(
        want.difference(&got).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "{what}: tables the official upgrade has"
    );
    for (name, cols) in &model.tables {
        let meta = run.out.meta(name).unwrap();
        let got: Vec<Col> = meta
            .columns
            .iter()
            .map(|c| Col {
                name: c.attribute_name.clone(),
                ty: c.data_type,
                len: c.data_length,
            })
            .collect();
        assert_eq!(&got, cols, "{what}: columns of {name}");
    }
}

/// Rows in equal rows out, table by table: every output table holds the rows of the input
/// table(s) it comes from, plus the rows the upgrade inserts; comments move into
/// `siteserver_Comment` (and at 5.0 the comment forms into `…__from_v41`).
fn assert_rows(input: &Folder, run: &Run, model: &Model, to: &str, what: &str) {
    let inserted: u64 = model.inserted.values().sum();
    assert_eq!(
        run.out.total_rows(),
        input.total_rows() + inserted,
        "{what}: rows out = rows in + the rows the upgrade inserts ({:?})",
        model.inserted
    );
    assert!(run.report.ok(), "{what}: {:?}", run.report.unaccounted);
    assert!(run.report.dropped_rows.is_empty(), "{what}");
    let rows_in = |t: &str| input.rows(t).len() as u64;
    let comments = rows_in("siteserver_Comment");
    let merged = comments > 0 && rows_in("siteserver_CommentContent") > 0;
    let forms = if to == "5.0" { model.forms as u64 } else { 0 };
    for name in run.out.names() {
        let want = match name.as_str() {
            "siteserver_Comment" if merged => {
                comments + rows_in("siteserver_CommentContent") - forms
            }
            "siteserver_Comment" => comments - forms,
            "siteserver_CommentContent" if merged => 0,
            "siteserver_Comment__from_v41" => forms,
            other => rows_in(other) + model.inserted.get(other).copied().unwrap_or(0),
        };
        assert_eq!(
            run.out.rows(&name).len() as u64,
            want,
            "{what}: rows of {name}"
        );
        let reported = run.report.tables.iter().find(|t| t.target == name);
        assert_eq!(
            reported.map(|t| t.rows_out),
            Some(want),
            "{what}: report of {name}"
        );
    }
}

/// Every row of every table that keeps its name is still there under its key, with the value
/// it had in every column it had (renamed columns followed; rewritten rows checked elsewhere).
fn assert_values_kept(input: &Folder, run: &Run, what: &str) {
    let skip = [
        "bairong_config",
        "siteserver_comment",
        "siteserver_commentcontent",
    ];
    for name in input.names() {
        if skip.contains(&name.to_lowercase().as_str()) {
            continue;
        }
        let meta = input.meta(&name).unwrap();
        let Some(out_meta) = run.out.meta(&name) else {
            panic!("{what}: {name} is gone");
        };
        let mut key: Vec<String> = meta
            .columns
            .iter()
            .filter(|c| c.is_primary_key)
            .map(|c| c.attribute_name.clone())
            .collect();
        if key.is_empty() {
            key = meta
                .identity()
                .map(|c| c.attribute_name.clone())
                .into_iter()
                .collect();
        }
        let out_rows = run.out.rows(&name);
        let in_rows = input.rows(&name);
        for (i, row) in in_rows.iter().enumerate() {
            let found = if key.is_empty() {
                &out_rows[i]
            } else {
                out_rows
                    .iter()
                    .find(|r| key.iter().all(|k| get(r, k) == get(row, k)))
                    .unwrap_or_else(|| panic!("{what}: {name} lost the row {row:?}"))
            };
            for c in &meta.columns {
                let mut out_col = c.attribute_name.clone();
                if !out_meta.columns.iter().any(|o| o.attribute_name == out_col) {
                    // bairong_Roles.Modules → ProductIDCollection (hop 2, 3.6-origin)
                    out_col = "ProductIDCollection".into();
                }
                assert_eq!(
                    get(found, &out_col),
                    get(row, &c.attribute_name),
                    "{what}: {name}.{} of {row:?}",
                    c.attribute_name
                );
            }
        }
    }
}

/// Settings strings decoded, for comparing values.
fn settings(s: &str) -> Vec<(String, String)> {
    Settings::parse(s)
        .iter()
        .map(|(k, v)| (k.to_lowercase(), v.to_string()))
        .collect()
}

/// Every comment of the input is in the output's comment table under its (mapped) id, with its
/// text, author, date and content; comment forms reach 5.0 only as `…__from_v41`.
fn assert_comments(input: &Folder, run: &Run, to: &str, what: &str) {
    let out = run.out.rows("siteserver_Comment");
    let mut moved: BTreeMap<i64, i64> = BTreeMap::new();
    for m in &run.report.id_maps {
        assert_eq!(m.table, "siteserver_Comment", "{what}");
        assert_eq!(m.source, "siteserver_CommentContent", "{what}");
        moved.extend(m.ids.iter().copied());
    }
    let id_key = if to == "5.0" { "ID" } else { "CommentID" };
    let good_key = if to == "5.0" { "GoodCount" } else { "Good" };
    let mut expected: Vec<(i64, &Row)> = Vec::new();
    let comment_rows = input.rows("siteserver_Comment");
    let content_rows = input.rows("siteserver_CommentContent");
    for r in &comment_rows {
        if text(r, "CommentName").is_empty() || int(r, "ContentID") != 0 {
            expected.push((int(r, "CommentID"), r));
        }
    }
    for r in &content_rows {
        let id = int(r, "ID");
        expected.push((moved.get(&id).copied().unwrap_or(id), r));
    }
    for (id, r) in expected {
        let o = by(&out, id_key, id);
        for k in [
            "Content",
            "UserName",
            "AddDate",
            "NodeID",
            "ContentID",
            "PublishmentSystemID",
        ] {
            assert_eq!(get(o, k), get(r, k), "{what}: comment {id}: {k}");
        }
        assert_eq!(
            get(o, good_key),
            get(r, "Good"),
            "{what}: comment {id}: Good"
        );
    }
    let forms: Vec<&Row> = comment_rows
        .iter()
        .filter(|r| !text(r, "CommentName").is_empty() && int(r, "ContentID") == 0)
        .collect();
    let form_table = if to == "5.0" {
        "siteserver_Comment__from_v41"
    } else {
        "siteserver_Comment"
    };
    let carried = run.out.rows(form_table);
    for f in forms {
        let o = by(&carried, "CommentID", int(f, "CommentID"));
        assert_eq!(text(o, "CommentName"), text(f, "CommentName"), "{what}");
    }
    if to == "5.0" {
        assert!(
            out.iter().all(|r| get(r, "CommentName").is_none()),
            "{what}: 5.0 layout"
        );
    }
}

/// The config row: the version string, `UpdateDate` (the fixed upgrade time), settings.
fn assert_config(input: &Folder, run: &Run, to: &str, what: &str) {
    let before = &input.rows("bairong_Config")[0];
    let after = &run.out.rows("bairong_Config")[0];
    let version = match to {
        "4.0" => "4.0",
        "4.1" => "4.1.1603",
        _ => "5.0",
    };
    assert_eq!(text(after, "DatabaseVersion"), version, "{what}");
    assert_eq!(text(after, "IsInitialized"), "True", "{what}");
    assert_eq!(
        get(after, "UpdateDate"),
        get(before, "UpdateDate"),
        "{what}"
    );
    assert_eq!(
        settings(&text(after, "SettingsXML")),
        settings(&text(before, "SettingsXML")),
        "{what}: SettingsXML keeps its values"
    );
    if to == "5.0" {
        assert_eq!(get(after, "SystemConfig"), Some(&Value::from("")), "{what}");
        assert_eq!(get(after, "UserConfig"), Some(&Value::from("")), "{what}");
    }
}

const CHAINS: [(&str, &str, usize, usize); 6] = [
    ("3.6", "4.0", 0, 1),
    ("3.6", "4.1", 0, 2),
    ("3.6", "5.0", 0, 3),
    ("4.0", "4.1", 1, 2),
    ("4.0", "5.0", 1, 3),
    ("4.1", "5.0", 2, 3),
];

/// Every check on one input folder and every chain from its version.
fn check_all(dir: &Path, from: &str) {
    let input = Folder::open(dir);
    let version = text(&input.rows("bairong_Config")[0], "DatabaseVersion");
    for (f, to, first, last) in CHAINS {
        if f != from {
            continue;
        }
        let what = format!("{} --to {to}", dir.display());
        let run = run(dir, to);
        let chain: Vec<&str> = ["v3_6", "v4_0", "v4_1"][first..last].to_vec();
        assert_eq!(run.report.chain, chain, "{what}");
        let mut model = expected(&input, &version, first, last);
        complete_install(&mut model, &run, to, &what);
        assert_schema(&run, &model, &what);
        assert_rows(&input, &run, &model, to, &what);
        assert_values_kept(&input, &run, &what);
        assert_comments(&input, &run, to, &what);
        assert_config(&input, &run, to, &what);
    }
}

#[test]
fn samples_match_the_official_upgrades() {
    for v in ["3.6", "4.0", "4.1"] {
        check_all(&sample(v), v);
    }
}

#[test]
fn generated_fixtures_match_the_official_upgrades() {
    for v in [Version::V3_6, Version::V4_0, Version::V4_1] {
        let tmp = tmp();
        let dir = tmp.path().join(v.key());
        generate(v, &dir, Scale::Small).expect("fixture");
        check_all(&dir, v.key());
    }
}

// ---------------------------------------------------------------------------------------------
// Values by id

/// The brief's values, by id, through every chain from the samples.
#[test]
fn sample_values_by_id() {
    for (from, to, _, _) in CHAINS {
        let input = Folder::open(&sample(from));
        let run = run(&sample(from), to);
        let what = format!("{from} --to {to}");
        let out = &run.out;

        let config = &out.rows("bairong_Config")[0];
        let version = match to {
            "4.0" => "4.0",
            "4.1" => "4.1.1603",
            _ => "5.0",
        };
        assert_eq!(text(config, "DatabaseVersion"), version, "{what}");
        let cipher = Settings::parse(&text(config, "SettingsXML"))
            .get("cipherkey")
            .map(String::from);
        let cipher_in = Settings::parse(&text(&input.rows("bairong_Config")[0], "SettingsXML"))
            .get("cipherkey")
            .map(String::from);
        assert!(cipher.is_some(), "{what}");
        assert_eq!(cipher, cipher_in, "{what}");

        let sites = out.rows("siteserver_PublishmentSystem");
        let site = by(&sites, "PublishmentSystemID", 1);
        assert_eq!(
            text(site, "PublishmentSystemName"),
            "示例单位官网",
            "{what}"
        );
        assert_eq!(text(site, "PublishmentSystemDir"), "", "{what}");
        let site_settings = Settings::parse(&text(site, "SettingsXML"));
        assert_eq!(
            site_settings.get("seotitle"),
            Some("示例单位官网 - 'SiteServer' 演示 & 测试"),
            "{what}"
        );
        assert_eq!(site_settings.get("pagesize"), Some("30"), "{what}");
        if from == "4.1" {
            let en = by(&sites, "PublishmentSystemID", 5);
            assert_eq!(text(en, "PublishmentSystemName"), "英文站", "{what}");
            assert_eq!(text(en, "PublishmentSystemDir"), "en", "{what}");
        }

        let nodes = out.rows("siteserver_Node");
        for (id, name) in [
            (1, "首页"),
            (2, "新闻中心"),
            (3, "通知公告"),
            (4, "关于我们"),
        ] {
            assert_eq!(text(by(&nodes, "NodeID", id), "NodeName"), name, "{what}");
        }

        let admins = out.rows("bairong_Administrator");
        let admin = by(&admins, "UserName", "admin");
        assert_eq!(text(admin, "DisplayName"), "管理员", "{what}");
        // hop 1 adds LastProductID, so 4_1's rename of LastModuleID fails: both stay.
        if from == "3.6" {
            assert_eq!(text(admin, "LastModuleID"), "cms", "{what}");
            assert_eq!(text(admin, "LastProductID"), "", "{what}");
        }
        if to == "5.0" {
            assert_eq!(
                get(admin, "CountOfFailedLogin"),
                Some(&Value::Null),
                "{what}"
            );
        }

        let table = if from == "3.6" {
            "cms_Content"
        } else {
            "model_Content"
        };
        let contents = out.rows(table);
        let first = by(&contents, "ID", 1);
        assert_eq!(text(first, "Title"), "欢迎使用 SiteServer CMS", "{what}");
        let body = text(first, "Content");
        assert!(
            body.contains("SiteServer CMS 是一款\"开源\"的内容管理系统"),
            "{what}"
        );
        // The in-place upgrades never rewrote `@upload`; the 6.x conversion does.
        if from == "3.6" {
            assert!(body.contains("src=\"@upload/"), "{what}: {body}");
        }
        let second = by(&contents, "ID", 2);
        assert_eq!(text(second, "Title"), "新春快乐 🎉 春节放假通知", "{what}");
        assert!(text(second, "Content").contains("\r\n"), "{what}");
        let third = Settings::parse(&text(by(&contents, "ID", 3), "SettingsXML"));
        assert_eq!(
            third.get("sourceurl"),
            Some("http://www.example.com/news?id=12&page=1"),
            "{what}"
        );
        if to == "5.0" {
            assert!(
                contents
                    .iter()
                    .all(|r| get(r, "WritingUserName") == Some(&Value::Null)),
                "{what}"
            );
        }

        let comments = out.rows("siteserver_Comment");
        let (id_key, first_id) = match (from, to) {
            (_, "5.0") if from != "4.1" => ("ID", 3),
            ("4.1", _) => ("ID", 1),
            _ => ("CommentID", 3),
        };
        let c = by(&comments, id_key, first_id);
        assert_eq!(text(c, "Content"), "写得很好，支持！", "{what}");
        assert_eq!(text(c, "UserName"), "zhangsan", "{what}");
        let c = by(&comments, id_key, 2);
        assert_eq!(
            text(c, "Content"),
            "请问\"开源\"版本在哪里下载？\r\n谢谢。",
            "{what}"
        );
        if to == "5.0" {
            assert_eq!(
                run.out.column_names("siteserver_Comment"),
                [
                    "ID",
                    "PublishmentSystemID",
                    "NodeID",
                    "ContentID",
                    "GoodCount",
                    "UserName",
                    "IsChecked",
                    "AddDate",
                    "Content"
                ],
                "{what}"
            );
            assert_eq!(int(by(&comments, "ID", first_id), "GoodCount"), 3, "{what}");
        }
    }
}

impl Folder {
    fn column_names(&self, table: &str) -> Vec<String> {
        self.meta(table)
            .unwrap()
            .columns
            .into_iter()
            .map(|c| c.attribute_name)
            .collect()
    }

    fn flags(&self, table: &str, column: &str) -> (bool, bool) {
        let meta = self.meta(table).unwrap();
        let c = meta
            .columns
            .iter()
            .find(|c| c.attribute_name == column)
            .unwrap_or_else(|| panic!("{table}.{column}"));
        (c.is_primary_key, c.is_identity)
    }
}

// ---------------------------------------------------------------------------------------------
// A hand-edited 3.6.2 backup: the 3_63/3_64 folders, the config rewrite, users, ads, keys

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Replaces a table's rows (one page).
fn set_rows(dir: &Path, table: &str, rows: Value) {
    let meta_path = dir.join(table).join("_metadata.json");
    let mut meta = read_json(&meta_path);
    meta["totalCount"] = Value::from(rows.as_array().unwrap().len());
    meta["rowFiles"] = Value::from(vec!["1.json"]);
    std::fs::write(&meta_path, meta.to_string()).unwrap();
    std::fs::write(dir.join(table).join("1.json"), rows.to_string()).unwrap();
}

/// The 3.6 sample as a 3.6.2 database: without the tables and columns 3_63/3_64 add, with a
/// settings string in mixed-case keys, spaced restriction lists, two ads and one user binding.
fn edited_3_6_2(dir: &Path) {
    crate::support::copy_dir(&sample("3.6"), dir);
    let below_3_6_3 = [
        "bairong_CloudStorage",
        "bairong_FTPStorage",
        "bairong_LocalStorage",
        "bairong_Storage",
        "bairong_Task",
        "bairong_TaskLog",
        "siteserver_GovPublicIdentifierSeq",
    ];
    let tables: Vec<String> = serde_json::from_value(read_json(&dir.join("_tables.json"))).unwrap();
    let tables: Vec<String> = tables
        .into_iter()
        .filter(|t| !below_3_6_3.contains(&t.as_str()))
        .collect();
    for t in below_3_6_3 {
        std::fs::remove_dir_all(dir.join(t)).unwrap();
    }
    std::fs::write(dir.join("_tables.json"), Value::from(tables).to_string()).unwrap();
    let rule = dir.join("siteserver_GovPublicIdentifierRule/_metadata.json");
    let mut meta = read_json(&rule);
    meta["columns"]
        .as_array_mut()
        .unwrap()
        .retain(|c| c["attributeName"] != "SettingsXML");
    std::fs::write(&rule, meta.to_string()).unwrap();

    set_rows(
        dir,
        "bairong_Config",
        serde_json::json!([{"isInitialized":"False","databaseVersion":"3.6.2",
            "restrictionBlackList":" 10.0.0.1 , 10.0.0.2","restrictionWhiteList":"",
            "isRelatedUrl":"true","rootUrl":"http://www.example.com","updateDate":"2013-05-06 07:08:09",
            "settingsXML":"RestrictionType=None&IsLog=True&CipherKey=a_and_b_equals_c","id":1}]),
    );
    let ad = |name: &str, id: i64| {
        serde_json::json!({"adName":name,"publishmentSystemID":1,"adType":"Image","code":"<b>x</b>",
            "textWord":"","textLink":"","textColor":"","textFontSize":12,"imageUrl":"@/upload/ad.png",
            "imageLink":"http://www.example.com/","imageWidth":300,"imageHeight":100,"imageAlt":name,
            "isEnabled":"True","isDateLimited":"False","startDate":"2013-01-01 00:00:00",
            "endDate":"2013-12-31 00:00:00","id":id})
    };
    set_rows(
        dir,
        "siteserver_Ad",
        Value::from(vec![ad("首页横幅", 1), ad("侧栏", 2)]),
    );
    set_rows(
        dir,
        "bairong_UserBinding",
        serde_json::json!([{"userName":"zhangsan","bindingType":"QQ","bindingID":77,
            "bindingName":"张三QQ","id":1}]),
    );
}

#[test]
fn a_3_6_2_backup_gets_the_3_63_folders_and_every_rewrite() {
    let tmp = tmp();
    let dir = tmp.path().join("in");
    edited_3_6_2(&dir);
    // The JSON replay, rows and values, for every chain.
    check_all(&dir, "3.6");

    let to40 = run(&dir, "4.0");
    let out = &to40.out;
    for t in [
        "bairong_CloudStorage",
        "bairong_Task",
        "siteserver_GovPublicIdentifierSeq",
    ] {
        assert!(out.name(t).is_some(), "{t}");
    }
    assert!(
        out.column_names("siteserver_GovPublicIdentifierRule")
            .ends_with(&["SettingsXML".to_string()])
    );
    let config = &out.rows("bairong_Config")[0];
    assert_eq!(text(config, "IsInitialized"), "True");
    assert_eq!(text(config, "DatabaseVersion"), "4.0");
    assert_eq!(text(config, "RestrictionBlackList"), "10.0.0.1,10.0.0.2");
    assert_eq!(text(config, "IsRelatedUrl"), "True");
    assert_eq!(text(config, "RootUrl"), "http://www.example.com");
    assert_eq!(text(config, "UpdateDate"), "2013-05-06 07:08:09");
    assert_eq!(
        text(config, "SettingsXML"),
        "restrictiontype=None&islog=True&cipherkey=a_and_b_equals_c"
    );
    // The upgrade time is the backup's UpdateDate, in every column that got "now".
    let form = by(&out.rows("siteserver_Comment"), "CommentID", 1).clone();
    assert_eq!(text(&form, "AddDate"), "2013-05-06 07:08:09");
    assert_eq!(text(&form, "CommentName"), "文章评论");

    let to41 = run(&dir, "4.1");
    let out = &to41.out;
    assert_eq!(
        text(&out.rows("bairong_Config")[0], "DatabaseVersion"),
        "4.1.1603"
    );
    // 3.6 users get UserID from the backup-added Id, which stays as a plain column.
    let users = out.rows("bairong_Users");
    for u in &users {
        assert_eq!(get(u, "UserID"), get(u, "Id"), "{u:?}");
    }
    assert_eq!(int(by(&users, "UserName", "lisi"), "UserID"), 2);
    assert_eq!(out.flags("bairong_Users", "UserID"), (true, true));
    assert_eq!(out.flags("bairong_Users", "UserName"), (false, false));
    assert_eq!(out.flags("bairong_Users", "Id"), (false, false));
    assert_eq!(
        text(by(&users, "UserName", "zhangsan"), "MLibValidityDate"),
        "1754-01-01 00:00:00"
    );
    // One binding: the new key on UserID holds.
    assert_eq!(out.flags("bairong_UserBinding", "UserID"), (true, false));
    assert_eq!(out.flags("bairong_UserBinding", "UserName"), (false, false));
    let binding = &out.rows("bairong_UserBinding")[0];
    assert_eq!((int(binding, "UserID"), int(binding, "BindingID")), (0, 77));
    assert_eq!(out.flags("bairong_ContentModel", "ModelID"), (true, false));
    assert_eq!(out.flags("bairong_ContentModel", "SiteID"), (true, false));
    assert!(
        out.column_names("bairong_Roles")
            .contains(&"ProductIDCollection".to_string())
    );
    assert_eq!(
        out.meta("siteserver_Adv")
            .unwrap()
            .columns
            .last()
            .unwrap()
            .data_length,
        4000
    );

    // CMS/4_1 copies each ad into an area, an ad and a material, ids from 1.
    let areas = out.rows("siteserver_AdArea");
    let advs = out.rows("siteserver_Adv");
    let materials = out.rows("siteserver_AdMaterial");
    assert_eq!((areas.len(), advs.len(), materials.len()), (2, 2, 2));
    let area = by(&areas, "AdAreaID", 2);
    assert_eq!(text(area, "AdAreaName"), "侧栏");
    assert_eq!(text(area, "AddDate"), "2013-05-06 07:08:09");
    assert_eq!(text(area, "IsEnabled"), "True");
    let adv = by(&advs, "AdvID", 2);
    assert_eq!(int(adv, "AdAreaID"), 2);
    assert_eq!(text(adv, "AdvName"), "侧栏");
    assert_eq!(text(adv, "LevelType"), "Hold");
    assert_eq!(text(adv, "RotateType"), "Equality");
    assert_eq!(text(adv, "NodeIDCollectionToChannel"), "1");
    assert_eq!(text(adv, "EndDate"), "2013-12-31 00:00:00");
    let material = by(&materials, "AdMaterialID", 1);
    assert_eq!(int(material, "AdvID"), 1);
    assert_eq!(text(material, "AdMaterialName"), "首页横幅");
    assert_eq!(text(material, "AdMaterialType"), "Image");
    assert_eq!(text(material, "Code"), "<b>x</b>");
    assert_eq!(int(material, "ImageWidth"), 300);
    assert_eq!(out.rows("siteserver_Ad").len(), 2);

    // The registry rows hop 2 inserts, continuing the backup-added Id.
    let registry = out.rows("bairong_TableCollection");
    let ml = by(&registry, "TableENName", "ml_Content");
    assert_eq!(int(ml, "Id"), 5);
    assert_eq!(text(ml, "AuxiliaryTableType"), "ManuscriptContent");
    assert_eq!(text(ml, "ProductID"), "");
    for (name, kind) in [
        ("model_B2C_Goods", "GoodsContent"),
        ("model_B2C_Brand", "BrandContent"),
        ("model_WCM_GovPublic", "GovPublicContent"),
        ("model_WCM_GovInteract", "GovInteractContent"),
    ] {
        let r = by(&registry, "TableENName", name);
        assert_eq!(text(r, "AuxiliaryTableType"), kind);
        assert_eq!(text(r, "IsCreatedInDB"), "True");
        assert_eq!(out.rows(name).len(), 0);
    }
    let metadata = out.rows("bairong_TableMetadata");
    let title = metadata
        .iter()
        .find(|r| {
            text(r, "AuxiliaryTableENName") == "ml_Content" && text(r, "AttributeName") == "Title"
        })
        .unwrap();
    assert_eq!(
        (
            text(title, "DataType"),
            int(title, "DataLength"),
            text(title, "DBDefaultValue")
        ),
        ("NVarChar".into(), 255, "''".into())
    );
    let check = metadata
        .iter()
        .find(|r| {
            text(r, "AuxiliaryTableENName") == "model_B2C_Goods"
                && text(r, "AttributeName") == "CheckTaskDate"
        })
        .unwrap();
    assert_eq!(text(check, "CanBeNull"), "True");
    assert_eq!(text(check, "DBDefaultValue"), "getdate()");

    let to50 = run(&dir, "5.0");
    let out = &to50.out;
    let config = &out.rows("bairong_Config")[0];
    assert_eq!(text(config, "DatabaseVersion"), "5.0");
    assert_eq!(text(config, "RootUrl"), "http://www.example.com");
    assert_eq!(
        text(config, "SettingsXML"),
        "restrictiontype=None&islog=True&cipherkey=a_and_b_equals_c"
    );
    let forms = out.rows("siteserver_Comment__from_v41");
    assert_eq!(text(&forms[0], "CommentName"), "文章评论");
    // Every registered content table gets WritingUserName, including the ones hop 2 created.
    for t in [
        "cms_Content",
        "cms_ContentVote",
        "ml_Content",
        "model_B2C_Goods",
    ] {
        assert_eq!(
            out.column_names(t).last().map(String::as_str),
            Some("WritingUserName"),
            "{t}"
        );
    }
    let report: Value = read_json(&to50.dir.join("_report.json"));
    assert_eq!(report["chain"], serde_json::json!(["v3_6", "v4_0", "v4_1"]));
}
