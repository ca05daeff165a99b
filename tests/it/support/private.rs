//! Database servers of the tests' own, on a free port in a temp folder, for the tests that stop
//! and restart a server: the machine's shared servers are never touched.
//!
//! PostgreSQL is made with `initdb` and run with `pg_ctl`; MariaDB with `mariadb-install-db` and
//! `mariadbd`. As root, PostgreSQL runs as the `postgres` user, since it refuses root. Where the
//! programs are missing the tests print `SKIPPED:`, unless `SITESERVER_TEST_PRIVATE_SERVERS=1`
//! (set by `.ci/run`) makes them required.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::db::Kind;

pub const REQUIRED_ENV: &str = "SITESERVER_TEST_PRIVATE_SERVERS";

pub struct PrivateServer {
    pub kind: Kind,
    pub port: u16,
    dir: tempfile::TempDir,
    /// `mariadbd`; PostgreSQL runs detached under `pg_ctl`.
    child: Option<Child>,
    /// `runuser -u postgres --` when running as root.
    as_user: Vec<String>,
}

fn found(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn run(label: &str, cmd: &mut Command) {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    assert!(
        out.status.success(),
        "{label}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl PrivateServer {
    /// A new server with an empty cluster, running; None (after a skip notice) when this
    /// machine cannot run one and it is not required.
    pub fn start(kind: Kind, test: &str) -> Option<PrivateServer> {
        let (tools, why): (&[&str], &str) = match kind {
            Kind::Postgres => (&["initdb", "pg_ctl"], "initdb and pg_ctl"),
            Kind::MySql => (
                &["mariadb-install-db", "mariadbd", "mariadb-admin"],
                "mariadb-install-db and mariadbd",
            ),
            Kind::Sqlite => panic!("SQLite has no server"),
        };
        let root = is_root();
        let missing = !tools.iter().all(|t| found(t))
            || (kind == Kind::Postgres && root && !found("runuser"));
        if missing {
            assert!(
                std::env::var_os(REQUIRED_ENV).is_none(),
                "{test}: {REQUIRED_ENV} is set but {why} are not on PATH"
            );
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: {test}: a private {} server needs {why} on PATH",
                kind.type_name()
            );
            return None;
        }
        // Under the system temp folder: the postgres user must be able to reach it.
        let dir = tempfile::Builder::new()
            .prefix("sscms-server-")
            .tempdir()
            .expect("temp dir");
        let as_user = if kind == Kind::Postgres && root {
            run(
                "chown",
                Command::new("chown").arg("postgres").arg(dir.path()),
            );
            ["runuser", "-u", "postgres", "--"]
                .map(String::from)
                .to_vec()
        } else {
            Vec::new()
        };
        let mut server = PrivateServer {
            kind,
            port: free_port(),
            dir,
            child: None,
            as_user,
        };
        match kind {
            Kind::Postgres => {
                let data = server.data();
                run(
                    "initdb",
                    server
                        .command("initdb")
                        .arg("-D")
                        .arg(&data)
                        .args(["-A", "trust", "-U", "postgres", "--no-sync"])
                        .args(["-E", "UTF8", "--locale=C"]),
                );
            }
            _ => {
                let data = server.data();
                let tmp = server.tmp_dir();
                // Two bootstraps at once in the same temporary folder have removed each
                // other's work files; each gets its own, and they run one at a time.
                static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
                let _one = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
                run(
                    "mariadb-install-db",
                    Command::new("mariadb-install-db")
                        .arg("--no-defaults")
                        .arg(format!("--datadir={}", data.display()))
                        .arg(format!("--tmpdir={}", tmp.display()))
                        .arg(format!("--user={}", whoami()))
                        .args(["--auth-root-authentication-method=normal", "--skip-test-db"])
                        .env("TMPDIR", &tmp),
                );
            }
        }
        server.up();
        Some(server)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The server's own temporary folder.
    fn tmp_dir(&self) -> PathBuf {
        let tmp = self.dir.path().join("tmp");
        std::fs::create_dir_all(&tmp).expect("server tmp folder");
        tmp
    }

    fn command(&self, program: &str) -> Command {
        match self.as_user.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(program);
                c
            }
            None => Command::new(program),
        }
    }

    /// The server URL, without a database.
    pub fn url(&self) -> String {
        match self.kind {
            Kind::Postgres => format!("postgres://postgres@127.0.0.1:{}", self.port),
            _ => format!("mysql://root@127.0.0.1:{}", self.port),
        }
    }

    /// Starts the server on its data and waits until it takes connections.
    pub fn up(&mut self) {
        let dir = self.dir.path().to_path_buf();
        match self.kind {
            Kind::Postgres => {
                let opts = format!(
                    "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
                    self.port,
                    dir.display()
                );
                run(
                    "pg_ctl start",
                    self.command("pg_ctl")
                        .arg("-D")
                        .arg(self.data())
                        .arg("-l")
                        .arg(dir.join("server.log"))
                        .args(["-o", &opts, "-w", "start"])
                        .stdout(Stdio::null())
                        .stderr(Stdio::null()),
                );
            }
            _ => {
                let child = Command::new("mariadbd")
                    .arg("--no-defaults")
                    .arg(format!("--datadir={}", self.data().display()))
                    .arg(format!("--port={}", self.port))
                    .arg(format!("--socket={}", dir.join("mysqld.sock").display()))
                    .arg(format!("--pid-file={}", dir.join("mysqld.pid").display()))
                    .arg(format!("--log-error={}", dir.join("server.log").display()))
                    .arg(format!("--tmpdir={}", self.tmp_dir().display()))
                    .arg(format!("--user={}", whoami()))
                    .args(["--bind-address=127.0.0.1", "--innodb-buffer-pool-size=32M"])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("mariadbd");
                self.child = Some(child);
                self.wait_ready();
            }
        }
    }

    fn wait_ready(&mut self) {
        let start = Instant::now();
        loop {
            let ok = Command::new("mariadb-admin")
                .args([
                    "--no-defaults",
                    "--protocol=tcp",
                    "-h",
                    "127.0.0.1",
                    "-u",
                    "root",
                ])
                .arg(format!("-P{}", self.port))
                .arg("ping")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                return;
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!("mariadbd exited with {status}: {}", self.log());
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the private MariaDB did not start: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Stops the server at once, as a crash would: no shutdown checkpoint, connections cut.
    pub fn kill(&mut self) {
        match self.kind {
            Kind::Postgres => run(
                "pg_ctl stop",
                self.command("pg_ctl").arg("-D").arg(self.data()).args([
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ]),
            ),
            _ => {
                if let Some(mut child) = self.child.take() {
                    let _ = child.kill();
                    let _ = child.wait();
                }
            }
        }
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        match self.kind {
            Kind::Postgres => {
                let _ = self
                    .command("pg_ctl")
                    .arg("-D")
                    .arg(self.data())
                    .args(["-m", "immediate", "-w", "stop"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
            }
            _ => self.kill(),
        }
    }
}

fn whoami() -> String {
    Command::new("id")
        .arg("-un")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "root".into())
}
