//! Failures from outside: the database server killed and restarted mid-restore, the connection
//! lost mid-backup, the disk full during backup and update. Each run fails with one clear line
//! and exit 1, leaves nothing that a later step could take as whole, and `--resume` (or a new
//! run) then completes exactly.
//!
//! The servers are the tests' own (`support::private`), so the shared ones are never stopped.
//! The full disk is a small tmpfs the test mounts, which needs root.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sscms_core::backup::INCOMPLETE_FILE;
use sscms_tests::fixtures::{Scale, Version, generate};

use crate::support::db::{Kind, TestDb, assert_same_rows, rich};
use crate::support::private::PrivateServer;
use crate::support::{Paused, siteserver, tmp};

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The one `error:` line of a failed run.
fn error_line(o: &Output, label: &str) -> String {
    assert_eq!(o.status.code(), Some(1), "{label}: exit 1: {}", text(o));
    let lines: Vec<String> = text(o)
        .lines()
        .filter(|l| l.starts_with("error:"))
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), 1, "{label}: one error line: {}", text(o));
    lines[0].clone()
}

fn cli_db(kind: Kind, db: &TestDb, dir: &Path, command: &str) -> Vec<String> {
    [
        command,
        "--database-type",
        kind.type_name(),
        "--connection-string",
        &db.url(),
        "-d",
        dir.to_str().unwrap(),
    ]
    .map(String::from)
    .to_vec()
}

async fn run_ok(args: &[String], label: &str) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let code = siteserver(&args)
        .await
        .unwrap_or_else(|e| panic!("{label}: {args:?}: {e:#}"));
    assert_eq!(code, std::process::ExitCode::SUCCESS, "{label}: {args:?}");
}

async fn server_killed_mid_restore(kind: Kind, test: &str) {
    let Some(mut server) = PrivateServer::start(kind, test) else {
        return;
    };
    let src = TestDb::create_on(Kind::Sqlite, String::new()).await;
    rich(&src, 50_000).await;
    let dir = tmp();
    let bak = dir.path().join("backup");
    src.backup(&bak).await;
    let dst = TestDb::create_on(kind, server.url()).await;
    let args = cli_db(kind, &dst, &bak, "restore");
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();

    // After the first committed chunk of the big table, the server dies and comes back.
    let paused = Paused::start(&argv, "chunk:1");
    server.kill();
    server.up();
    let o = paused.release();
    let line = error_line(&o, test);
    assert!(
        line.contains("table `Big_Table`") && line.contains("Big_Table/") && line.contains(".json"),
        "{test}: the error names the table and the file: {line}"
    );
    assert!(line.contains("--resume"), "{test}: {line}");

    let mut resume = args.clone();
    resume.push("--resume".into());
    run_ok(&resume, test).await;
    let report = dst.verify_report(&bak).await;
    assert!(report.ok, "{test}: {report:#?}");
    let again = dir.path().join("again");
    dst.backup(&again).await;
    assert_same_rows(&bak, &again, test);
    assert_eq!(dst.insert_new_site().await, 101, "{test}: ids continue");
    drop(dst);
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_killed_mid_restore_then_resume() {
    server_killed_mid_restore(Kind::Postgres, "faults::restore_pg").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_killed_mid_restore_then_resume() {
    server_killed_mid_restore(Kind::MySql, "faults::restore_mysql").await;
}

/// The `_tables.json` a finished folder has; an incomplete one has the marker instead.
fn assert_incomplete(dir: &Path, label: &str) {
    assert!(dir.join(INCOMPLETE_FILE).is_file(), "{label}: marked");
    assert!(!dir.join("_tables.json").exists(), "{label}: no table list");
    let err = sscms_core::BackupReader::open(dir).unwrap_err().to_string();
    assert!(err.contains("incomplete"), "{label}: {err}");
}

/// Tables the marker of a stopped backup records as finished.
fn finished_tables(dir: &Path) -> usize {
    let text = std::fs::read(dir.join(INCOMPLETE_FILE)).unwrap();
    let journal: sscms_core::backup::Journal = serde_json::from_slice(&text).unwrap();
    journal.tables.len()
}

async fn connection_lost_mid_backup(kind: Kind, test: &str) {
    let Some(mut server) = PrivateServer::start(kind, test) else {
        return;
    };
    let src = TestDb::create_on(kind, server.url()).await;
    rich(&src, 20_000).await;
    // Read before Big_Table, so the backup has a finished table when the server goes.
    let first = src.q("A_First");
    src.exec(&format!(
        "CREATE TABLE {first} ({} int PRIMARY KEY, {} varchar(20)); \
         INSERT INTO {first} VALUES (1, 'first')",
        src.q("Id"),
        src.q("Name")
    ))
    .await;
    let dir = tmp();
    let reference = dir.path().join("reference");
    src.backup(&reference).await;
    let bak = dir.path().join("backup");
    let mut args = cli_db(kind, &src, &bak, "backup");
    args.extend(["--jobs".into(), "1".into()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();

    // Inside Big_Table (pages 2 to 21 of the run), the server goes away.
    let paused = Paused::start(&argv, "backup-page:5");
    server.kill();
    let o = paused.release();
    let line = error_line(&o, test);
    assert!(
        line.contains("marked incomplete") && line.contains("--resume"),
        "{test}: {line}"
    );
    // Rows already received still make their table; the next read fails and is named.
    assert!(text(&o).contains(": FAILED: "), "{test}: {}", text(&o));
    assert_incomplete(&bak, test);
    let kept = finished_tables(&bak);
    assert!(
        kept >= 1,
        "{test}: the table finished before the loss is recorded"
    );
    // Never taken as whole by a restore.
    let target = TestDb::create_on(Kind::Sqlite, String::new()).await;
    let err = format!("{:#}", target.try_restore(&bak).await.unwrap_err());
    assert!(err.contains("incomplete"), "{test}: {err}");

    server.up();
    let mut resume = args.clone();
    resume.push("--resume".into());
    run_ok(&resume, test).await;
    assert!(
        !bak.join(INCOMPLETE_FILE).exists(),
        "{test}: marker removed"
    );
    assert_same_rows(&reference, &bak, test);
    // Every file the manifest lists still has its sha256.
    sscms_core::BackupReader::open(&bak)
        .unwrap()
        .verify_manifest_files()
        .unwrap();
    drop(src);
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_connection_lost_mid_backup_then_resume() {
    connection_lost_mid_backup(Kind::Postgres, "faults::backup_pg").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_connection_lost_mid_backup_then_resume() {
    connection_lost_mid_backup(Kind::MySql, "faults::backup_mysql").await;
}

/// A tmpfs of `bytes`, unmounted on drop; None (after a skip notice) when not root.
struct SmallDisk {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(bytes: u64, test: &str) -> Option<SmallDisk> {
        let dir = tmp();
        let path = dir.path().join("disk");
        std::fs::create_dir(&path).unwrap();
        let size = format!("size={}k", bytes.div_ceil(4096) * 4);
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &size, "tmpfs"])
            .arg(&path)
            .output();
        match mounted {
            Ok(o) if o.status.success() => Some(SmallDisk { path, _dir: dir }),
            other => {
                let why = match other {
                    Ok(o) => String::from_utf8_lossy(&o.stderr).trim().to_string(),
                    Err(e) => e.to_string(),
                };
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED: {test}: mounting a small tmpfs needs root ({why})"
                );
                None
            }
        }
    }

    fn grow(&self, bytes: u64) {
        let size = format!("remount,size={}k", bytes.div_ceil(4096) * 4);
        let ok = Command::new("mount")
            .args(["-o", &size])
            .arg(&self.path)
            .status()
            .unwrap();
        assert!(ok.success(), "remount");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

fn folder_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let meta = e.metadata().unwrap();
        total += if meta.is_dir() {
            folder_bytes(&e.path())
        } else {
            meta.len()
        };
    }
    total
}

/// Files a write left under a temporary name.
fn partial_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            out.extend(partial_files(&path));
        } else if path.to_string_lossy().ends_with(".partial") {
            out.push(path);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn disk_full_during_backup_then_resume() {
    let test = "faults::disk_full_backup";
    let src = TestDb::create_on(Kind::Sqlite, String::new()).await;
    rich(&src, 20_000).await;
    let dir = tmp();
    let reference = dir.path().join("reference");
    src.backup(&reference).await;
    let size = folder_bytes(&reference);
    let Some(disk) = SmallDisk::mount(size / 2, test) else {
        return;
    };
    let bak = disk.path.join("backup");
    let args = cli_db(Kind::Sqlite, &src, &bak, "backup");
    let o = Command::new(crate::support::binary())
        .args(&args)
        .output()
        .unwrap();
    let line = error_line(&o, test);
    assert!(line.contains("marked incomplete"), "{test}: {line}");
    assert!(
        text(&o).contains("No space left on device") && text(&o).contains(".json"),
        "{test}: names the file: {}",
        text(&o)
    );
    assert_incomplete(&bak, test);
    assert!(
        partial_files(&bak).is_empty(),
        "{test}: {:?}",
        partial_files(&bak)
    );

    disk.grow(size * 3);
    let mut resume = args.clone();
    resume.push("--resume".into());
    run_ok(&resume, test).await;
    assert_same_rows(&reference, &bak, test);
}

#[tokio::test(flavor = "multi_thread")]
async fn disk_full_during_update_leaves_no_folder() {
    let test = "faults::disk_full_update";
    let dir = tmp();
    let fixture = dir.path().join("fixture");
    generate(Version::V5_0, &fixture, Scale::Pages).unwrap();
    let size = folder_bytes(&fixture);
    let Some(disk) = SmallDisk::mount(size / 2, test) else {
        return;
    };
    let out = disk.path.join("update");
    let update = || {
        Command::new(crate::support::binary())
            .arg("update")
            .arg("-d")
            .arg(&fixture)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap()
    };
    let o = update();
    let line = error_line(&o, test);
    assert!(
        line.contains("No space left on device") && line.contains(disk.path.to_str().unwrap()),
        "{test}: names the file: {line}"
    );
    // Neither the output nor a hop's work folder is left behind.
    let left: Vec<_> = std::fs::read_dir(&disk.path).unwrap().collect();
    assert!(left.is_empty(), "{test}: {left:?}");

    disk.grow(size * 4);
    let o = update();
    assert!(o.status.success(), "{test}: {}", text(&o));
    sscms_core::BackupReader::open(&out)
        .unwrap()
        .verify_manifest_files()
        .unwrap();
}
