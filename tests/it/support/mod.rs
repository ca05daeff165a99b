//! Helpers shared by the integration tests.

pub mod db;
pub mod private;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, Connection, Row, TypeInfo, ValueRef};

/// A temp folder under Cargo's per-target tmp dir, removed on drop.
pub fn tmp() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("sscms-it-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temp dir")
}

/// The `siteserver` binary that `cargo test --workspace` builds beside this test; built here
/// when this crate's tests run alone.
pub fn binary() -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("..");
    let bin = target
        .join("debug")
        .join(format!("siteserver{}", std::env::consts::EXE_SUFFIX));
    if !bin.is_file() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let ok = std::process::Command::new(cargo)
            .args(["build", "-p", "sscms-cli"])
            .status()
            .expect("cargo build");
        assert!(ok.success(), "building siteserver");
    }
    bin
}

/// The real binary run with `SITESERVER_FAULT=point` and a gate: it stops at `point` and waits
/// there until released, so a test can break something (or SIGKILL it) at exactly that point.
pub struct Paused {
    child: std::process::Child,
    gate: PathBuf,
    _dir: tempfile::TempDir,
}

impl Paused {
    /// Starts `siteserver ARGS` and waits until it reaches `point`.
    pub fn start(args: &[&str], point: &str) -> Paused {
        let dir = tmp();
        let gate = dir.path().join("gate");
        // Files, not pipes: a full pipe would stop the run before it reaches the point.
        let file = |name: &str| std::fs::File::create(dir.path().join(name)).expect("log file");
        let child = std::process::Command::new(binary())
            .args(args)
            .env("SITESERVER_FAULT", point)
            .env("SITESERVER_FAULT_GATE", &gate)
            .stdout(file("stdout"))
            .stderr(file("stderr"))
            .spawn()
            .expect("siteserver");
        let mut paused = Paused {
            child,
            gate,
            _dir: dir,
        };
        let reached = paused.gate.with_extension("reached");
        let start = std::time::Instant::now();
        while !reached.exists() {
            if let Ok(Some(_)) = paused.child.try_wait() {
                let out = paused.finish();
                panic!(
                    "siteserver {args:?} ended before {point}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(300),
                "siteserver {args:?} did not reach {point}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        paused
    }

    /// Lets the run go on and waits for it to end.
    pub fn release(mut self) -> std::process::Output {
        std::fs::write(&self.gate, b"").expect("gate");
        self.finish()
    }

    /// Ends the run with SIGKILL where it waits.
    pub fn kill(mut self) -> std::process::Output {
        self.child.kill().expect("kill");
        self.finish()
    }

    fn finish(&mut self) -> std::process::Output {
        let status = self.child.wait().expect("wait");
        let dir = self.gate.parent().expect("gate folder");
        std::process::Output {
            status,
            stdout: std::fs::read(dir.join("stdout")).unwrap_or_default(),
            stderr: std::fs::read(dir.join("stderr")).unwrap_or_default(),
        }
    }
}

/// Runs the CLI in-process with the given arguments (without the program name).
pub async fn siteserver(args: &[&str]) -> anyhow::Result<ExitCode> {
    let cli =
        sscms_cli::Cli::try_parse_from(std::iter::once("siteserver").chain(args.iter().copied()))?;
    sscms_cli::run_async(cli).await
}

/// Runs `backup` of a SQLite file (given as `Data Source=PATH`) into `dir`, with extra options.
pub async fn backup_sqlite(db: &Path, dir: &Path, extra: &[&str]) -> anyhow::Result<ExitCode> {
    let source = data_source(db);
    let mut args = vec![
        "backup",
        "--database-type",
        "SQLite",
        "--connection-string",
        &source,
        "-d",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    siteserver(&args).await
}

pub fn ok(code: ExitCode) {
    assert_eq!(code, ExitCode::SUCCESS);
}

pub async fn sqlite(path: &Path) -> SqliteConnection {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    SqliteConnection::connect_with(&opts)
        .await
        .expect("open sqlite")
}

pub async fn exec(conn: &mut SqliteConnection, sql: &str) {
    sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Every table's rows as (storage class, text) per value, in rowid order: what SQLite holds,
/// with nothing interpreted.
pub async fn dump(path: &Path) -> Vec<(String, Vec<Vec<(String, String)>>)> {
    let mut conn = sqlite(path).await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let sql = format!("SELECT * FROM \"{t}\" ORDER BY rowid");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        let rows = rows
            .iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        let v = r.try_get_raw(i).unwrap();
                        let ty = v.type_info().name().to_string();
                        let text = match ty.as_str() {
                            "NULL" => String::new(),
                            "INTEGER" => r.try_get_unchecked::<i64, _>(i).unwrap().to_string(),
                            "REAL" => r.try_get_unchecked::<f64, _>(i).unwrap().to_string(),
                            "BLOB" => {
                                format!("{:?}", r.try_get_unchecked::<Vec<u8>, _>(i).unwrap())
                            }
                            _ => r.try_get_unchecked::<String, _>(i).unwrap(),
                        };
                        (ty, text)
                    })
                    .collect()
            })
            .collect();
        out.push((t, rows));
    }
    out
}

pub fn sha256(path: &Path) -> String {
    format!("{:x}", Sha256::digest(std::fs::read(path).unwrap()))
}

pub fn data_source(path: &Path) -> String {
    format!("Data Source={}", path.display())
}

/// Every file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// A SQLite database holding every shape the round trip must keep.
pub async fn rich_source(path: &Path) {
    let mut c = sqlite(path).await;
    exec(
        &mut c,
        r#"CREATE TABLE "siteserver_Site" (
            "Id" INTEGER PRIMARY KEY AUTOINCREMENT,
            "SiteName" NVARCHAR(50), "IsRoot" INT2, "AddDate" DATETIME,
            "Price" DECIMAL(18, 2), "Taxis" INTEGER, "Body" TEXT, "Top" NVARCHAR(20));
        CREATE TABLE "Mixed_Case_Table" ("Key" INT PRIMARY KEY, "Order" TEXT, "Top" INT2);
        CREATE TABLE "no_key" ("A" TEXT, "B" INTEGER);
        CREATE TABLE "pair_key" ("A" INTEGER, "B" NVARCHAR(10), "C" DECIMAL(18, 2), PRIMARY KEY ("A", "B"));"#,
    )
    .await;
    let big: String = "长文本🚀 \"quoted\" 'single'\r\n".repeat(40_000);
    assert!(big.len() > 1_000_000);
    #[allow(clippy::type_complexity)]
    let rows: [(
        Option<&str>,
        Option<i64>,
        Option<&str>,
        Option<f64>,
        Option<i64>,
        Option<&str>,
        Option<&str>,
    ); 6] = [
        (
            Some("主站"),
            Some(1),
            Some("2020-05-01 08:30:00"),
            Some(12.5),
            Some(0),
            Some("正文"),
            Some("top"),
        ),
        (
            Some(""),
            Some(0),
            Some("1999-12-31 23:59:59"),
            Some(0.0),
            Some(-5),
            Some(""),
            Some(""),
        ),
        (None, None, None, None, None, None, None),
        (
            Some("emoji 😀 and 'quotes' \"double\" \\ back"),
            Some(0),
            Some("2024-02-29 00:00:00"),
            Some(9_999_999_999.99),
            Some(i64::from(i32::MAX)),
            Some("line1\nline2\r\nline3\ttab"),
            Some("Top"),
        ),
        (
            Some("日本語テキスト"),
            Some(1),
            Some("2020-05-01 08:30:00.250"),
            Some(-0.01),
            Some(i64::from(i32::MIN)),
            Some(big.as_str()),
            None,
        ),
        (
            Some("True"),
            Some(0),
            Some("2001-01-01 00:00:00"),
            Some(5.0),
            Some(7),
            Some("False"),
            Some("null"),
        ),
    ];
    for r in rows {
        sqlx::query(r#"INSERT INTO "siteserver_Site" ("SiteName","IsRoot","AddDate","Price","Taxis","Body","Top") VALUES (?,?,?,?,?,?,?)"#)
            .bind(r.0).bind(r.1).bind(r.2).bind(r.3).bind(r.4).bind(r.5).bind(r.6)
            .execute(&mut c).await.unwrap();
    }
    // A gap in the ids, which restore must keep.
    exec(
        &mut c,
        r#"INSERT INTO "siteserver_Site" ("Id","SiteName") VALUES (100, 'after a gap')"#,
    )
    .await;
    exec(
        &mut c,
        r#"INSERT INTO "Mixed_Case_Table" VALUES (3, 'c', 1), (1, NULL, 0), (2, 'b', NULL);
        INSERT INTO "no_key" VALUES ('x', 1), ('x', 1), (NULL, NULL);
        INSERT INTO "pair_key" VALUES (1, 'a', 1.5), (1, 'b', NULL), (2, 'a', 3);"#,
    )
    .await;
    c.close().await.unwrap();
}

/// Copies a folder and everything in it.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
