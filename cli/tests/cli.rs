//! The real `siteserver` binary: help text, exit codes, and one-line errors for bad input.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn siteserver(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_siteserver"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SITESERVER_DATABASE_TYPE")
        .env_remove("SITESERVER_CONNECTION_STRING")
        .output()
        .expect("run siteserver")
}

fn tmp() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("sscms-cli-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn help_explains_every_option() {
    let dir = tmp();
    let top = siteserver(&["--help"], dir.path());
    assert_eq!(top.status.code(), Some(0));
    let text = stdout(&top);
    for word in [
        "backup",
        "restore",
        "version",
        "Dump every table",
        "Load a backup folder",
    ] {
        assert!(text.contains(word), "--help lacks {word}:\n{text}");
    }
    let expect: &[(&str, &[&str])] = &[
        (
            "backup",
            &[
                "--directory",
                "--includes",
                "--excludes",
                "--max-rows",
                "--page-size",
                "--database-type",
                "--connection-string",
                "--config",
                "SITESERVER_DATABASE_TYPE",
                "SITESERVER_CONNECTION_STRING",
                "siteserver_SiteLog",
                "must be empty or absent",
            ],
        ),
        (
            "restore",
            &[
                "--directory",
                "--includes",
                "--excludes",
                "--drop-existing",
                "--database-type",
                "--connection-string",
                "--config",
                "refused before anything is written",
            ],
        ),
        (
            "version",
            &["--database-type", "--connection-string", "--config"],
        ),
    ];
    for (cmd, options) in expect {
        let o = siteserver(&[cmd, "--help"], dir.path());
        assert_eq!(o.status.code(), Some(0), "{cmd} --help");
        let text = stdout(&o);
        // Help wraps lines; compare with the wrapping undone.
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for opt in *options {
            assert!(flat.contains(opt), "`{cmd} --help` lacks {opt}:\n{text}");
        }
        // Every option line is followed by an explanation, not left bare.
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim_start();
            if t.starts_with("--") || (t.starts_with('-') && t.len() > 1 && t.as_bytes()[1] != b'-')
            {
                let explained = t.split("  ").filter(|s| !s.trim().is_empty()).count() > 1
                    || lines
                        .get(i + 1)
                        .is_some_and(|n| !n.trim().is_empty() && !n.trim_start().starts_with('-'));
                assert!(
                    explained,
                    "`{cmd} --help`: option without explanation: {line}"
                );
            }
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    let dir = tmp();
    let o = siteserver(&["backup", "--page-size", "0"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = siteserver(&["frobnicate"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let o = siteserver(&["restore"], dir.path());
    assert_eq!(o.status.code(), Some(2), "restore needs -d");
}

/// A small valid backup folder: one table, two rows.
fn write_backup(dir: &Path) -> PathBuf {
    let bak = dir.join("bak");
    fs::create_dir_all(bak.join("siteserver_Site")).unwrap();
    fs::write(bak.join("_tables.json"), r#"["siteserver_Site"]"#).unwrap();
    fs::write(
        bak.join("siteserver_Site/_metadata.json"),
        r#"{"columns":[{"attributeName":"Id","dataType":"Integer","dataLength":0,"isPrimaryKey":true,"isIdentity":true,"isExtend":false},{"attributeName":"SiteName","dataType":"VarChar","dataLength":50,"isPrimaryKey":false,"isIdentity":false,"isExtend":false},{"attributeName":"AddDate","dataType":"DateTime","dataLength":0,"isPrimaryKey":false,"isIdentity":false,"isExtend":false}],"totalCount":2,"rowFiles":["1.json"]}"#,
    )
    .unwrap();
    fs::write(
        bak.join("siteserver_Site/1.json"),
        r#"[{"id":1,"siteName":"主站","addDate":"2020-05-01 08:30:00"},{"id":2,"siteName":"子站","addDate":null}]"#,
    )
    .unwrap();
    bak
}

fn restore(dir: &Path, bak: &Path, target: &Path) -> Output {
    siteserver(
        &[
            "restore",
            "--database-type",
            "SQLite",
            "--connection-string",
            target.to_str().unwrap(),
            "-d",
            bak.to_str().unwrap(),
        ],
        dir,
    )
}

/// Exit 1, one `error:` line that contains `want`, and no target database created.
fn assert_refused(o: &Output, target: &Path, want: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_else(|| panic!("no error line in {err}"));
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error: ")).count(),
        1,
        "{err}"
    );
    for w in want {
        assert!(line.contains(w), "error line lacks {w:?}: {line}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        !target.exists(),
        "nothing is written into the target: {}",
        target.display()
    );
}

#[test]
fn a_valid_folder_restores() {
    let dir = tmp();
    let bak = write_backup(dir.path());
    let target = dir.path().join("t.db");
    let o = restore(dir.path(), &bak, &target);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("siteserver_Site: 2 row(s) restored"), "{out}");
    assert!(
        out.contains("Summary: 1 table(s), 2 row(s) restored"),
        "{out}"
    );
}

#[test]
fn bad_folders_are_refused_with_the_place_named() {
    type Spoil = fn(&Path);
    let cases: Vec<(&str, Spoil, Vec<&str>)> = vec![
        (
            "missing _tables.json",
            |b| fs::remove_file(b.join("_tables.json")).unwrap(),
            vec!["_tables.json"],
        ),
        (
            "corrupt _tables.json",
            |b| fs::write(b.join("_tables.json"), "[\"siteserver_Site\"").unwrap(),
            vec!["_tables.json", "invalid JSON"],
        ),
        (
            "missing _metadata.json",
            |b| fs::remove_file(b.join("siteserver_Site/_metadata.json")).unwrap(),
            vec!["siteserver_Site/_metadata.json"],
        ),
        (
            "corrupt _metadata.json",
            |b| fs::write(b.join("siteserver_Site/_metadata.json"), "{\"columns\":").unwrap(),
            vec!["siteserver_Site/_metadata.json", "invalid JSON"],
        ),
        (
            "missing row file",
            |b| fs::remove_file(b.join("siteserver_Site/1.json")).unwrap(),
            vec!["siteserver_Site/1.json"],
        ),
        (
            "corrupt row file",
            |b| fs::write(b.join("siteserver_Site/1.json"), "[{\"id\":1,").unwrap(),
            vec!["siteserver_Site/1.json", "invalid JSON"],
        ),
        (
            "empty row file",
            |b| fs::write(b.join("siteserver_Site/1.json"), "").unwrap(),
            vec!["siteserver_Site/1.json", "file is empty"],
        ),
        (
            "row count differs",
            |b| fs::write(b.join("siteserver_Site/1.json"), "[{\"id\":1}]").unwrap(),
            vec![
                "siteserver_Site/_metadata.json",
                "totalCount is 2 but the row files hold 1 rows",
            ],
        ),
        (
            "unknown data type",
            |b| {
                let p = b.join("siteserver_Site/_metadata.json");
                fs::write(
                    &p,
                    fs::read_to_string(&p)
                        .unwrap()
                        .replace("\"DateTime\"", "\"Timestamp\""),
                )
                .unwrap()
            },
            vec![
                "siteserver_Site/_metadata.json",
                "column `AddDate`",
                "unknown data type `Timestamp`",
            ],
        ),
        (
            "bad value",
            |b| {
                fs::write(
                    b.join("siteserver_Site/1.json"),
                    r#"[{"id":1,"addDate":"soon"},{"id":2}]"#,
                )
                .unwrap()
            },
            vec![
                "siteserver_Site/1.json: row 1 (Id=1), column `AddDate` (DateTime)",
                "\"soon\" is not a date and time",
            ],
        ),
        (
            "table escaping the folder",
            |b| fs::write(b.join("_tables.json"), r#"["../outside"]"#).unwrap(),
            vec![
                "_tables.json",
                "`../outside`",
                "would leave the backup folder",
            ],
        ),
        (
            "absolute table path",
            |b| fs::write(b.join("_tables.json"), r#"["/etc"]"#).unwrap(),
            vec!["_tables.json", "`/etc`"],
        ),
        (
            "row file escaping the folder",
            |b| {
                let p = b.join("siteserver_Site/_metadata.json");
                fs::write(
                    &p,
                    fs::read_to_string(&p)
                        .unwrap()
                        .replace("\"1.json\"", "\"../../x.json\""),
                )
                .unwrap()
            },
            vec!["siteserver_Site/_metadata.json", "`../../x.json`"],
        ),
    ];
    for (name, spoil, want) in cases {
        let dir = tmp();
        let bak = write_backup(dir.path());
        spoil(&bak);
        let target = dir.path().join("t.db");
        let o = restore(dir.path(), &bak, &target);
        eprintln!("case: {name}");
        assert_refused(&o, &target, &want);
    }
}

#[test]
fn missing_or_unreadable_folders_are_refused() {
    let dir = tmp();
    let target = dir.path().join("t.db");
    let missing = dir.path().join("no-such-folder");
    assert_refused(
        &restore(dir.path(), &missing, &target),
        &target,
        &["no-such-folder", "No such file or directory"],
    );
    let file = dir.path().join("a-file");
    fs::write(&file, "x").unwrap();
    assert_refused(
        &restore(dir.path(), &file, &target),
        &target,
        &["a-file", "not a folder"],
    );
}

#[test]
fn bad_databases_are_refused() {
    let dir = tmp();
    let bak = write_backup(dir.path());
    let target = dir.path().join("t.db");
    let o = siteserver(
        &[
            "restore",
            "--database-type",
            "Access",
            "--connection-string",
            "x.db",
            "-d",
            bak.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_refused(&o, &target, &["Access", "SQLite"]);
    let o = siteserver(
        &[
            "restore",
            "--database-type",
            "SQLite",
            "--connection-string",
            "Data Source=\"unterminated",
            "-d",
            bak.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_refused(&o, &target, &["connection string"]);
    let nowhere = dir.path().join("no/such/dir/t.db");
    let o = restore(dir.path(), &bak, &nowhere);
    assert_refused(
        &o,
        &nowhere,
        &["cannot open SQLite database", "no/such/dir/t.db"],
    );
    let o = siteserver(
        &[
            "backup",
            "--database-type",
            "SQLite",
            "--connection-string",
            "missing.db",
            "-d",
            "out",
        ],
        dir.path(),
    );
    assert_refused(&o, &target, &["missing.db", "does not exist"]);
    assert!(
        !dir.path().join("out").exists(),
        "no backup folder for a database that cannot be read"
    );
    let o = siteserver(&["backup", "-d", "out"], dir.path());
    assert_refused(
        &o,
        &target,
        &[
            "--connection-string",
            "SITESERVER_CONNECTION_STRING",
            "Web.config",
            "sscms.json",
        ],
    );
}

#[test]
fn version_masks_the_password() {
    let dir = tmp();
    let o = siteserver(
        &[
            "version",
            "--database-type",
            "MySql",
            "--connection-string",
            "Server=db;Uid=root;Pwd=s3cret;Database=cms;",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("siteserver ") && out.contains("Database type: MySql"),
        "{out}"
    );
    assert!(
        out.contains("Server=db") && !out.contains("s3cret"),
        "{out}"
    );
}

#[test]
fn web_config_in_the_current_folder_is_read() {
    let dir = tmp();
    let db = dir.path().join("site.db");
    let bak = write_backup(dir.path());
    fs::write(
        dir.path().join("Web.config"),
        r#"<?xml version="1.0"?><configuration><appSettings><add key="DatabaseType" value="SQLite" /><add key="ConnectionString" value="Data Source=~/site.db;Version=3;" /></appSettings></configuration>"#,
    )
    .unwrap();
    let o = siteserver(&["restore", "-d", bak.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(db.exists());
    let o = siteserver(&["backup", "-d", "again"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        fs::read(dir.path().join("again/siteserver_Site/1.json")).unwrap(),
        fs::read(bak.join("siteserver_Site/1.json")).unwrap()
    );
}

#[test]
fn versions_json_lists_the_registry_and_its_paths() {
    let dir = tmp();
    let o = siteserver(&["versions", "--format", "json"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut got: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(got["seconds"].is_f64(), "{got}");
    got.as_object_mut().unwrap().remove("seconds");
    let adapter = |name: &str, from: &str, to: &str, krate: &str| serde_json::json!({"name": name, "from": from, "to": to, "crate": krate});
    let path = |from: &str, chain: &[&str]| serde_json::json!({"from": from, "to": "7.4.0", "chain": chain});
    assert_eq!(
        got,
        serde_json::json!({
            "command": "versions",
            "ok": true,
            "latest": "7.4.0",
            "adapters": [
                adapter("v3_6", ">=3.6.0, <4.0.0", "4.0.0", "sscms-adapter-v3-6"),
                adapter("v4_0", ">=4.0.0, <4.1.0", "4.1.1603", "sscms-adapter-v4-0"),
                adapter("v4_1", ">=4.1.0, <5.0.0", "5.0.0", "sscms-adapter-v4-1"),
                adapter("v5_0", ">=5.0.0, <6.0.0", "6.15.51", "sscms-adapter-v5-0"),
                adapter("v6", ">=6.0.0, <7.0.0", "7.4.0", "sscms-adapter-v6"),
            ],
            "paths": [
                path("3.6.0", &["v3_6", "v4_0", "v4_1", "v5_0", "v6"]),
                path("4.0.0", &["v4_0", "v4_1", "v5_0", "v6"]),
                path("4.1.0", &["v4_1", "v5_0", "v6"]),
                path("5.0.0", &["v5_0", "v6"]),
                path("6.0.0", &["v6"]),
            ],
        })
    );
    let text = siteserver(&["versions"], dir.path());
    assert!(
        stdout(&text).contains("3.6.0 -> 7.4.0: v3_6 -> v4_0 -> v4_1 -> v5_0 -> v6"),
        "{}",
        stdout(&text)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn a_failed_update_names_the_row_and_leaves_no_output() {
    let dir = tmp();
    let bak = dir.path().join("bak");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/sample-5.0"),
        &bak,
    );
    let rows = bak.join("model_Content/1.json");
    let text = fs::read_to_string(&rows).unwrap();
    fs::write(
        &rows,
        text.replacen(
            "\"addDate\":\"2017-03-02 09:30:00\"",
            "\"addDate\":\"soon\"",
            1,
        ),
    )
    .unwrap();
    let o = siteserver(&["update", "-d", "bak", "-o", "out"], dir.path());
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("model_Content")
            && err.contains("row 1")
            && err.contains("AddDate")
            && err.contains("\"soon\""),
        "{err}"
    );
    assert!(
        !dir.path().join("out").exists(),
        "no half-converted folder is left"
    );
    // A folder that was there before is never removed by a refused run.
    fs::create_dir(dir.path().join("out")).unwrap();
    fs::write(dir.path().join("out/keep.txt"), "mine").unwrap();
    let o = siteserver(&["update", "-d", "bak", "-o", "out"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("folder is not empty"), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(dir.path().join("out/keep.txt")).unwrap(),
        "mine"
    );
}

/// Runs the binary, killing it if it has not finished within `limit`.
fn siteserver_within(args: &[&str], cwd: &Path, limit: std::time::Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_siteserver"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SITESERVER_DATABASE_TYPE")
        .env_remove("SITESERVER_CONNECTION_STRING")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run siteserver");
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait for siteserver").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("siteserver {args:?} still ran after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().expect("siteserver output")
}

#[test]
fn unreachable_sql_server_fails_fast_naming_host_and_port_but_not_the_password() {
    let dir = tmp();
    let o = siteserver_within(
        &[
            "backup",
            "--database-type",
            "SqlServer",
            "--connection-string",
            "Server=127.0.0.1,1;Uid=sa;Pwd=secret;Database=x;",
            "-d",
            "out",
        ],
        dir.path(),
        std::time::Duration::from_secs(30),
    );
    let (out, err) = (stdout(&o), stderr(&o));
    assert_ne!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(
        err.contains("SQL Server") && err.contains("127.0.0.1:1"),
        "{err}"
    );
    assert!(
        !out.contains("secret") && !err.contains("secret"),
        "{out}\n{err}"
    );
    assert!(
        !dir.path().join("out").exists(),
        "no backup folder for a database that cannot be reached"
    );
}

#[test]
fn protected_web_config_of_a_sql_server_site_is_decrypted() {
    // Both values encrypted as SiteServer 6.x writes them with IsProtectData=True. The vectors
    // were computed outside this project with Python `cryptography` 48 (TripleDES with the
    // 8-byte key "eef9e4b0" is single DES; CBC, IV 1234567890ABCDEF, PKCS7; Base64, then
    // + = / spelled 0add0 0equals0 0slash0 and "0secret0" appended) and checked with
    // `openssl enc -des-cbc -K 6565663965346230 -iv 1234567890ABCDEF`.
    let dir = tmp();
    fs::write(
        dir.path().join("Web.config"),
        r#"<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <appSettings>
    <add key="IsProtectData" value="True" />
    <add key="SecretKey" value="eef9e4b0d48bf7a5" />
    <add key="DatabaseType" value="7na5jBXJlStTWMjammrcWQ0equals00equals00secret0" />
    <add key="ConnectionString" value="0add0YmPhrx9k52Mqn6Hbt2d392emhxoCZbS6H16Vq1zSyZEov75oWKf0slash092zes6u30add0XRMzik9yBU14Y0equals00secret0" />
  </appSettings>
</configuration>"#,
    )
    .unwrap();
    let o = siteserver(&["version"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Database type: SqlServer"), "{out}");
    assert!(
        out.contains("Connection string: Server=(local);Uid=sa;Pwd=***;Database=cms_4.1"),
        "{out}"
    );
    assert!(!out.contains("123456"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("Database drivers:") && l.contains("SqlServer")),
        "the binary has the SQL Server driver: {out}"
    );
}

/// `--format json`: exactly one JSON document on stdout, the human lines on stderr.
fn json_of(o: &Output, command: &str, ok: bool) -> serde_json::Value {
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{command}: stdout is not one JSON document ({e}):\n{}",
            stdout(o)
        )
    });
    assert_eq!(doc["command"], command, "{doc}");
    assert_eq!(doc["ok"], ok, "{command}: {doc}\n{}", stderr(o));
    assert_eq!(o.status.code(), Some(if ok { 0 } else { 1 }), "{command}");
    assert!(doc["seconds"].is_f64(), "{doc}");
    doc
}

#[test]
fn every_command_prints_one_json_document() {
    let dir = tmp();
    let d = dir.path();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/sample-5.0");
    let sample = sample.to_str().unwrap();
    let db = |name: &str| d.join(name).to_str().unwrap().to_string();
    let sqlite = |cmd: &str, file: &str, folder: &str| {
        siteserver(
            &[
                cmd,
                "--format",
                "json",
                "--database-type",
                "SQLite",
                "--connection-string",
                &db(file),
                "-d",
                folder,
            ],
            d,
        )
    };

    let o = siteserver(&["update", "--format", "json", "-d", sample, "-o", "up"], d);
    let doc = json_of(&o, "update", true);
    assert_eq!(doc["to"], "7.4.0");
    assert_eq!(doc["chain"], serde_json::json!(["v5_0", "v6"]));
    assert!(doc["tables"].as_array().unwrap().len() > 50, "{doc}");
    assert!(
        stderr(&o).contains("Updated 5.0"),
        "human lines go to stderr"
    );

    let o = sqlite("restore", "t.db", "up");
    let doc = json_of(&o, "restore", true);
    assert!(doc["rows"].as_u64().unwrap() > 0);
    assert_eq!(doc["verify"]["ok"], true, "{doc}");
    assert!(stderr(&o).contains("Summary:"));

    let doc = json_of(&sqlite("verify", "t.db", "up"), "verify", true);
    assert!(
        doc["tables"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "ok")
    );

    let doc = json_of(&sqlite("backup", "t.db", "again"), "backup", true);
    assert_eq!(doc["sourceVersion"]["version"], "7.4.0", "{doc}");
    assert!(doc["failed"].as_array().unwrap().is_empty());

    let o = siteserver(
        &[
            "migrate",
            "--format",
            "json",
            "--from-type",
            "SQLite",
            "--from-connection-string",
            &db("t.db"),
            "--to-type",
            "SQLite",
            "--to-connection-string",
            &db("t2.db"),
            "-d",
            "m",
        ],
        d,
    );
    let doc = json_of(&o, "migrate", true);
    let steps: Vec<&str> = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["backup", "update", "restore", "config"]);

    let o = siteserver(
        &[
            "version",
            "--format",
            "json",
            "--database-type",
            "SQLite",
            "--connection-string",
            &db("t.db"),
        ],
        d,
    );
    let doc = json_of(&o, "version", true);
    assert_eq!(doc["database"]["type"], "SQLite", "{doc}");

    // A failure is a document too, with the error.
    let o = sqlite("restore", "t.db", "up");
    let doc = json_of(&o, "restore", false);
    assert!(
        doc["error"].as_str().unwrap().contains("already has"),
        "{doc}"
    );
}

#[test]
fn config_writes_a_file_the_reader_reads_back() {
    let dir = tmp();
    let d = dir.path();
    let url = "mysql://cms:p%3Bw@db.example:3307/site";
    let o = siteserver(&["config", "--connection-string", url], d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = fs::read_to_string(d.join("sscms.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["Database"]["Type"], "MySql");
    assert_eq!(
        doc["Database"]["ConnectionString"],
        "Server=db.example;Port=3307;Uid=cms;Pwd=\"p;w\";Database=site;SslMode=Preferred;CharSet=utf8mb4;"
    );
    assert_eq!(doc["SecurityKey"].as_str().unwrap().len(), 32);
    // The CLI's own reader finds it in the current folder, password masked.
    let v = siteserver(&["version"], d);
    let out = stdout(&v);
    assert!(out.contains("Database type: MySql"), "{out}");
    assert!(
        out.contains("Server=db.example") && !out.contains("p;w"),
        "{out}"
    );

    // Never over an existing file without --overwrite.
    let before = fs::read(d.join("sscms.json")).unwrap();
    let o = siteserver(&["config", "--connection-string", "postgres://u@h/x"], d);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("exists"), "{}", stderr(&o));
    assert_eq!(fs::read(d.join("sscms.json")).unwrap(), before);

    // Protected, then read back through `version -c`.
    let o = siteserver(
        &[
            "config",
            "--connection-string",
            "postgres://u:secret@h/x",
            "--protect",
            "--overwrite",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = fs::read_to_string(d.join("sscms.json")).unwrap();
    assert!(
        text.contains("0secret0") && !text.contains("secret@"),
        "{text}"
    );
    let v = siteserver(&["version", "-c", "sscms.json"], d);
    let out = stdout(&v);
    assert!(out.contains("Database type: PostgreSql"), "{out}");
    assert!(
        out.contains("Server=h;User Id=u;Password=***;Database=x"),
        "{out}"
    );

    // 6.x: the site's own Web.config keeps everything but the database keys.
    let site = "<?xml version=\"1.0\"?>\n<configuration>\n  <appSettings>\n    <add key=\"AdminDirectory\" value=\"SiteServer\" />\n    <add key=\"DatabaseType\" value=\"SqlServer\" />\n  </appSettings>\n  <system.webServer />\n</configuration>\n";
    fs::write(d.join("Web.config"), site).unwrap();
    let args = [
        "config",
        "--to",
        "6.15",
        "--database-type",
        "SqlServer",
        "--connection-string",
        "Server=sql,1433;Uid=sa;Pwd=x;Database=cms;",
        "--protect",
        "-o",
        "Web.config",
    ];
    let o = siteserver(&args, d);
    assert_eq!(o.status.code(), Some(1), "refused without --overwrite");
    let mut args = args.to_vec();
    args.push("--overwrite");
    let o = siteserver(&args, d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = fs::read_to_string(d.join("Web.config")).unwrap();
    assert!(
        text.contains("<add key=\"AdminDirectory\" value=\"SiteServer\" />"),
        "{text}"
    );
    assert!(text.contains("<system.webServer />"), "{text}");
    assert!(text.contains("0secret0"), "{text}");
    let v = siteserver(&["version", "-c", "Web.config"], d);
    let out = stdout(&v);
    assert!(out.contains("Database type: SqlServer"), "{out}");
    assert!(
        out.contains("Server=sql,1433;Uid=sa;Pwd=***;Database=cms"),
        "{out}"
    );

    // 6.x cannot run on SQLite.
    let o = siteserver(
        &[
            "config",
            "--to",
            "6.15",
            "--database-type",
            "SQLite",
            "--connection-string",
            "x.db",
            "-o",
            "w6.config",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot run on SQLite"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("w6.config").exists());
}

/// A 2 GB file of which only `head` is written: the rest is a hole of zeros.
fn sparse(p: &Path, head: &str) {
    fs::write(p, head).unwrap();
    let f = fs::OpenOptions::new().write(true).open(p).unwrap();
    f.set_len(2 << 30).unwrap();
}

/// Rewrites the metadata of the small backup's only table.
fn edit_metadata(b: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let p = b.join("siteserver_Site/_metadata.json");
    let mut v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
    edit(&mut v);
    fs::write(&p, v.to_string()).unwrap();
}

/// Names a table `name` in `_tables.json` and moves the table's folder there where the file
/// system allows it.
fn rename_table(b: &Path, name: &str) {
    fs::write(
        b.join("_tables.json"),
        serde_json::json!([name]).to_string(),
    )
    .unwrap();
    let _ = fs::rename(b.join("siteserver_Site"), b.join(name));
}

#[test]
fn hostile_folders_are_refused_with_the_place_named() {
    type Spoil = Box<dyn Fn(&Path)>;
    let mut cases: Vec<(&str, Spoil, Vec<&str>)> = Vec::new();
    for (name, want) in [
        ("a\\b", "`a\\\\b`"),
        ("a\u{0}b", "`a\\0b`"),
        ("it's", "`it's`"),
        ("a\"b", "`a\"b`"),
        ("a`b", "`a`b`"),
        ("x;DROP TABLE y", "`x;DROP TABLE y`"),
        ("select", "`select`"),
        ("DROP", "`DROP`"),
    ] {
        cases.push((
            "hostile table name",
            Box::new(move |b| rename_table(b, name)),
            vec!["_tables.json", want],
        ));
    }
    cases.push((
        "hostile column name",
        Box::new(|b| {
            edit_metadata(b, |v| {
                v["columns"][1]["attributeName"] = "x\"; DROP TABLE y; --".into()
            })
        }),
        vec!["siteserver_Site/_metadata.json", "column"],
    ));
    cases.push((
        "the same table twice",
        Box::new(|b| {
            fs::write(
                b.join("_tables.json"),
                r#"["siteserver_Site","SITESERVER_SITE"]"#,
            )
            .unwrap()
        }),
        vec!["_tables.json", "twice"],
    ));
    cases.push((
        "the same column twice",
        Box::new(|b| edit_metadata(b, |v| v["columns"][2]["attributeName"] = "siteName".into())),
        vec!["siteserver_Site/_metadata.json", "twice"],
    ));
    cases.push((
        "a key twice in a row",
        Box::new(|b| {
            fs::write(
                b.join("siteserver_Site/1.json"),
                r#"[{"id":1,"id":3},{"id":2}]"#,
            )
            .unwrap()
        }),
        vec!["siteserver_Site/1.json", "row 1", "twice"],
    ));
    cases.push((
        "huge declared length",
        Box::new(|b| {
            edit_metadata(b, |v| {
                v["columns"][1]["dataLength"] = 1_000_000_000_000u64.into()
            })
        }),
        vec!["siteserver_Site/_metadata.json", "dataLength"],
    ));
    cases.push((
        "negative totalCount",
        Box::new(|b| edit_metadata(b, |v| v["totalCount"] = (-5).into())),
        vec!["siteserver_Site/_metadata.json", "totalCount"],
    ));
    cases.push((
        "enormous totalCount",
        Box::new(|b| edit_metadata(b, |v| v["totalCount"] = serde_json::json!(1e30))),
        vec!["siteserver_Site/_metadata.json", "totalCount"],
    ));
    cases.push((
        "absolute row file",
        Box::new(|b| edit_metadata(b, |v| v["rowFiles"] = serde_json::json!(["/etc/hostname"]))),
        vec!["siteserver_Site/_metadata.json", "`/etc/hostname`"],
    ));
    cases.push((
        "row file in a sub folder",
        Box::new(|b| edit_metadata(b, |v| v["rowFiles"] = serde_json::json!(["sub/1.json"]))),
        vec!["siteserver_Site/_metadata.json", "`sub/1.json`"],
    ));
    cases.push((
        "row file linked outside the folder",
        Box::new(|b| {
            let outside = b.parent().unwrap().join("outside.json");
            fs::write(&outside, r#"[{"id":1},{"id":2}]"#).unwrap();
            fs::remove_file(b.join("siteserver_Site/1.json")).unwrap();
            std::os::unix::fs::symlink(&outside, b.join("siteserver_Site/1.json")).unwrap();
        }),
        vec!["siteserver_Site/1.json", "symbolic link"],
    ));
    cases.push((
        "table folder linked outside the folder",
        Box::new(|b| {
            let outside = b.parent().unwrap().join("elsewhere");
            fs::rename(b.join("siteserver_Site"), &outside).unwrap();
            std::os::unix::fs::symlink(&outside, b.join("siteserver_Site")).unwrap();
        }),
        vec!["siteserver_Site", "symbolic link"],
    ));
    cases.push((
        "a 2 GB row file with 10 bytes in it",
        Box::new(|b| sparse(&b.join("siteserver_Site/1.json"), r#"[{"id":1}]"#)),
        vec!["siteserver_Site/1.json"],
    ));
    cases.push((
        "a 2 GB metadata file with 10 bytes in it",
        Box::new(|b| sparse(&b.join("siteserver_Site/_metadata.json"), r#"{"a":1}  "#)),
        vec!["siteserver_Site/_metadata.json", "too large"],
    ));
    cases.push((
        "deeply nested row",
        Box::new(|b| {
            let deep = format!(
                "[{{\"id\":1,\"siteName\":{}1{}}},{{\"id\":2}}]",
                "[".repeat(100_000),
                "]".repeat(100_000)
            );
            fs::write(b.join("siteserver_Site/1.json"), deep).unwrap();
        }),
        vec!["siteserver_Site/1.json"],
    ));
    cases.push((
        "deeply nested metadata",
        Box::new(|b| {
            let deep = format!(
                "{{\"columns\":{}1{}}}",
                "[".repeat(100_000),
                "]".repeat(100_000)
            );
            fs::write(b.join("siteserver_Site/_metadata.json"), deep).unwrap();
        }),
        vec!["siteserver_Site/_metadata.json"],
    ));
    cases.push((
        "deeply nested table list",
        Box::new(|b| fs::write(b.join("_tables.json"), "[".repeat(100_000)).unwrap()),
        vec!["_tables.json"],
    ));
    let mut failures = Vec::new();
    for (name, spoil, want) in cases {
        let dir = tmp();
        let bak = write_backup(dir.path());
        spoil(&bak);
        let target = dir.path().join("t.db");
        let o = restore(dir.path(), &bak, &target);
        let result = std::panic::catch_unwind(|| assert_refused(&o, &target, &want));
        if result.is_err() {
            failures.push(format!(
                "{name}: {want:?}: exit {:?}: {}",
                o.status.code(),
                stderr(&o).lines().last().unwrap_or_default()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_demo_migrates_the_bundled_site_and_verifies_it() {
    let dir = tmp();
    let out = dir.path().join("demo");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let o = Command::new("bash")
        .arg(repo.join("examples/demo.sh"))
        .env("SITESERVER", env!("CARGO_BIN_EXE_siteserver"))
        .env("OUT", &out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Verified: "), "{text}");
    assert!(text.contains("Migrated: "), "{text}");
    assert!(out.join("new-site.db").is_file());
    assert!(out.join("migrate/sscms.json").is_file());
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("migrate/update/_report.json")).unwrap())
            .unwrap();
    assert_eq!(report["from"], "3.6.4", "{}", report["from"]);
    assert_eq!(report["to"], "7.4.0");
}

#[test]
fn config_has_every_key_of_the_shape_and_a_fresh_key_each_run() {
    let dir = tmp();
    let d = dir.path();
    let mut keys = Vec::new();
    for file in ["a.json", "b.json"] {
        let o = siteserver(
            &[
                "config",
                "--format",
                "json",
                "--connection-string",
                "mysql://u:p@h/db",
                "-o",
                file,
            ],
            d,
        );
        let doc = json_of(&o, "config", true);
        assert_eq!(doc["databaseType"], "MySql");
        let v: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(d.join(file)).unwrap()).unwrap();
        // The shape of spec §5.4, with every key 7.4 reads at start.
        let obj = v.as_object().unwrap();
        let mut names: Vec<&str> = obj.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "AdminRestriction",
                "Cors",
                "Database",
                "IsDisablePlugins",
                "IsNightlyUpdate",
                "IsProtectData",
                "IsSafeMode",
                "Redis",
                "SecurityKey"
            ]
        );
        assert_eq!(v["IsProtectData"], false);
        assert_eq!(v["Database"]["Type"], "MySql");
        assert_eq!(
            v["Database"]["ConnectionString"],
            "Server=h;Uid=u;Pwd=p;Database=db;SslMode=Preferred;CharSet=utf8mb4;"
        );
        assert_eq!(v["Redis"]["ConnectionString"], "");
        assert_eq!(
            v["AdminRestriction"],
            serde_json::json!({"Host": "", "AllowList": [], "BlockList": []})
        );
        assert_eq!(
            v["Cors"],
            serde_json::json!({"IsOrigins": false, "Origins": []})
        );
        let key = v["SecurityKey"].as_str().unwrap().to_string();
        assert!(
            key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit()),
            "{key}"
        );
        keys.push(key);
    }
    assert_ne!(keys[0], keys[1], "a fresh SecurityKey per run");
}

#[test]
fn backup_resume_and_incomplete_folders_are_named() {
    let dir = tmp();
    let bak = write_backup(dir.path());
    let db = dir.path().join("site.db");
    assert_eq!(restore(dir.path(), &bak, &db).status.code(), Some(0));
    let backup = |folder: &Path, extra: &[&str]| {
        let mut args = vec![
            "backup",
            "--database-type",
            "SQLite",
            "--connection-string",
            db.to_str().unwrap(),
            "-d",
            folder.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        siteserver(&args, dir.path())
    };
    let one_error = |o: &Output, want: &str| {
        assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
        let err = stderr(o);
        let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(lines.len(), 1, "{}", stderr(o));
        assert!(lines[0].contains(want), "want {want:?}: {}", lines[0]);
    };
    // A finished folder, and a folder of something else, have nothing to resume.
    one_error(&backup(&bak, &["--resume"]), "complete; nothing to resume");
    let other = dir.path().join("other");
    fs::create_dir(&other).unwrap();
    one_error(
        &backup(&other, &["--resume"]),
        "no backup that can be resumed",
    );

    // A folder a backup is still writing (or left) is refused by restore and update, and a new
    // backup into it points at --resume.
    let fresh = dir.path().join("fresh");
    assert_eq!(backup(&fresh, &[]).status.code(), Some(0));
    fs::remove_file(fresh.join("_tables.json")).unwrap();
    fs::write(
        fresh.join("_incomplete.json"),
        r#"{"step":"backup","databaseType":"SQLite","startedAt":"","tables":[]}"#,
    )
    .unwrap();
    let target = dir.path().join("t.db");
    let o = restore(dir.path(), &fresh, &target);
    one_error(&o, "_incomplete.json: this folder is incomplete");
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));
    assert!(!target.exists(), "nothing written");
    let o = siteserver(
        &["update", "-d", fresh.to_str().unwrap(), "-o", "up"],
        dir.path(),
    );
    one_error(&o, "this folder is incomplete");
    one_error(&backup(&fresh, &[]), "pass --resume");
    // The journal names another source: refused rather than mixed.
    one_error(&backup(&fresh, &["--resume"]), "source");
}
