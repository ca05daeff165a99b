//! Throwaway databases of each type, the rich source data, and backup-folder comparison.
//!
//! MySQL and PostgreSQL come from `SITESERVER_TEST_MYSQL_URL` and `SITESERVER_TEST_POSTGRES_URL`
//! (server URLs without a database). Without them a test prints a `SKIPPED:` line and returns,
//! unless the `mysql`/`postgres` feature of this crate is on, which makes the URL required.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::Value;
use sqlx::mysql::MySqlConnection;
use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, Connection, Row};
use sscms_core::config::{ConfigSource, DatabaseConfig, DatabaseType};

use super::{ok, siteserver, sqlite, tmp};

pub const MYSQL_ENV: &str = "SITESERVER_TEST_MYSQL_URL";
pub const POSTGRES_ENV: &str = "SITESERVER_TEST_POSTGRES_URL";

/// Rows of the large table in the matrix source.
pub const BIG_ROWS: u32 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    MySql,
    Postgres,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Sqlite, Kind::MySql, Kind::Postgres];

    /// The `--database-type` value.
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::Sqlite => "SQLite",
            Kind::MySql => "MySql",
            Kind::Postgres => "PostgreSql",
        }
    }

    /// The server URL for this kind, or None after printing why the test is skipped.
    ///
    /// Panics when the crate feature for the server is on but its URL is not set, so a CI run
    /// that means to test a server never passes without it.
    pub fn server_url(self, test: &str) -> Option<String> {
        let (env, feature) = match self {
            Kind::Sqlite => return Some(String::new()),
            Kind::MySql => (MYSQL_ENV, cfg!(feature = "mysql")),
            Kind::Postgres => (POSTGRES_ENV, cfg!(feature = "postgres")),
        };
        match std::env::var(env) {
            Ok(url) if !url.trim().is_empty() => Some(url.trim().trim_end_matches('/').into()),
            _ if feature => panic!(
                "{test}: the {} feature is on, so {env} must name a server",
                self.type_name()
            ),
            _ => {
                // Straight to stderr: the test harness captures `eprintln!` of passing tests,
                // and a skip must be seen.
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED: {test} against {}: set {env} to run it",
                    self.type_name()
                );
                None
            }
        }
    }
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A database that exists for one test: a SQLite file in a temp folder, or a uniquely named
/// MySQL/PostgreSQL database that is dropped when this value is, also when the test panics.
pub struct TestDb {
    pub kind: Kind,
    /// The database name (MySQL/PostgreSQL) or file path (SQLite).
    pub name: String,
    server: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A new empty database, or None (with a skip notice) when its server is not configured.
    pub async fn create(kind: Kind, test: &str) -> Option<TestDb> {
        let server = kind.server_url(test)?;
        Some(Self::create_on(kind, server).await)
    }

    /// A new empty database on the server at `server` (a URL without a database).
    pub async fn create_on(kind: Kind, server: String) -> TestDb {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("sscms_test_{}_{n}", std::process::id());
        match kind {
            Kind::Sqlite => {
                let dir = tmp();
                let path = dir.path().join(format!("{name}.db"));
                TestDb {
                    kind,
                    name: path.display().to_string(),
                    server,
                    _dir: Some(dir),
                }
            }
            _ => {
                let db = TestDb {
                    kind,
                    name,
                    server,
                    _dir: None,
                };
                admin(kind, &db.server, &db.create_sql()).await;
                db
            }
        }
    }

    fn create_sql(&self) -> String {
        match self.kind {
            Kind::MySql => format!("CREATE DATABASE `{}` CHARACTER SET utf8mb4", self.name),
            _ => format!("CREATE DATABASE \"{}\" ENCODING 'UTF8'", self.name),
        }
    }

    /// A URL for this database (SQLite: `Data Source=PATH`).
    pub fn url(&self) -> String {
        match self.kind {
            Kind::Sqlite => format!("Data Source={}", self.name),
            _ => with_database(&self.server, &self.name),
        }
    }

    /// The ADO.NET form SiteServer's Web.config holds.
    pub fn ado(&self) -> String {
        let addr = self.address();
        let host = addr.host;
        let port = addr.port.map(|p| format!("Port={p};")).unwrap_or_default();
        let user = addr.user.unwrap_or_default();
        let pwd = addr.password.unwrap_or_default();
        match self.kind {
            Kind::Sqlite => self.url(),
            Kind::MySql => format!(
                "Server={host};{port}Database={};Uid={user};Pwd={pwd};SslMode=Preferred;CharSet=utf8;",
                self.name
            ),
            Kind::Postgres => format!(
                "Host={host};{port}Database={};Username={user};Password={pwd};",
                self.name
            ),
        }
    }

    /// This database as the CLI resolves it from `--database-type` and `--connection-string`.
    pub fn config(&self) -> DatabaseConfig {
        DatabaseConfig {
            database_type: match self.kind {
                Kind::Sqlite => DatabaseType::Sqlite,
                Kind::MySql => DatabaseType::MySql,
                Kind::Postgres => DatabaseType::PostgreSql,
            },
            connection_string: self.url(),
            base_dir: ".".into(),
            source: ConfigSource::Flag,
        }
    }

    fn address(&self) -> sscms_core::config::ServerAddress {
        if self.kind == Kind::Sqlite {
            return Default::default();
        }
        self.config().server().expect("test server URL")
    }

    /// `siteserver verify` of `dir` against this database: the exit code.
    pub async fn verify_cli(&self, dir: &Path) -> std::process::ExitCode {
        self.on_folder("verify", dir)
            .await
            .unwrap_or_else(|e| panic!("verify of {}: {e:#}", self.name))
    }

    /// `siteserver COMMAND -d DIR` with this database as the one to use.
    async fn on_folder(&self, command: &str, dir: &Path) -> anyhow::Result<std::process::ExitCode> {
        self.on_folder_with(command, dir, &[]).await
    }

    /// [`Self::on_folder`] with more options.
    async fn on_folder_with(
        &self,
        command: &str,
        dir: &Path,
        extra: &[&str],
    ) -> anyhow::Result<std::process::ExitCode> {
        let url = self.url();
        let mut args = vec![
            command,
            "--database-type",
            self.kind.type_name(),
            "--connection-string",
            &url,
            "-d",
            dir.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        siteserver(&args).await
    }

    /// The verify report of `dir` against this database, from the library.
    pub async fn verify_report(&self, dir: &Path) -> sscms_core::ops::VerifyReport {
        let mut driver = sscms_core::connect(&self.config(), sscms_core::Access::ReadOnly)
            .await
            .expect("connect");
        let reader = sscms_core::BackupReader::open(dir).expect("folder");
        let opts = sscms_core::ops::VerifyOptions {
            counts_only: false,
            tables: None,
        };
        let report =
            sscms_core::ops::verify(driver.as_mut(), &reader, &opts, &sscms_core::NoProgress)
                .await
                .expect("verify");
        driver.close().await.expect("close");
        report
    }

    /// Runs statements (several, `;`-separated) with no parameters.
    pub async fn exec(&self, sql: &str) {
        let sql = AssertSqlSafe(sql.to_string());
        let r = match self.kind {
            Kind::Sqlite => sqlx::raw_sql(sql)
                .execute(&mut sqlite(Path::new(&self.name)).await)
                .await
                .map(drop),
            Kind::MySql => sqlx::raw_sql(sql)
                .execute(&mut self.mysql().await)
                .await
                .map(drop),
            Kind::Postgres => sqlx::raw_sql(sql)
                .execute(&mut self.postgres().await)
                .await
                .map(drop),
        };
        r.unwrap_or_else(|e| panic!("{}: {e}", self.name));
    }

    /// Rows of a query whose columns are all text (cast them in the SQL).
    pub async fn texts(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let q = || AssertSqlSafe(sql.to_string());
        fn get<R: Row>(rows: Vec<R>) -> Vec<Vec<Option<String>>>
        where
            for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
            usize: sqlx::ColumnIndex<R>,
        {
            rows.iter()
                .map(|r| (0..r.len()).map(|i| r.get(i)).collect())
                .collect()
        }
        let r = match self.kind {
            Kind::Sqlite => sqlx::query(q())
                .fetch_all(&mut sqlite(Path::new(&self.name)).await)
                .await
                .map(get),
            Kind::MySql => sqlx::query(q())
                .fetch_all(&mut self.mysql().await)
                .await
                .map(get),
            Kind::Postgres => sqlx::query(q())
                .fetch_all(&mut self.postgres().await)
                .await
                .map(get),
        };
        r.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// One integer from a query.
    pub async fn int(&self, sql: &str) -> i64 {
        let cast = match self.kind {
            Kind::MySql => format!("SELECT CAST(({sql}) AS CHAR)"),
            Kind::Postgres => format!("SELECT ({sql})::text"),
            Kind::Sqlite => format!("SELECT CAST(({sql}) AS TEXT)"),
        };
        let rows = self.texts(&cast).await;
        rows[0][0]
            .as_deref()
            .unwrap_or_else(|| panic!("{sql}: NULL"))
            .parse()
            .unwrap()
    }

    pub async fn mysql(&self) -> MySqlConnection {
        MySqlConnection::connect(&self.url())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }

    pub async fn postgres(&self) -> PgConnection {
        PgConnection::connect(&self.url())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }

    /// Quotes an identifier for this database.
    pub fn q(&self, ident: &str) -> String {
        match self.kind {
            Kind::MySql => format!("`{ident}`"),
            _ => format!("\"{ident}\""),
        }
    }

    /// `siteserver backup` of this database into `dir`.
    pub async fn backup(&self, dir: &Path) {
        self.backup_with(&self.url(), dir).await;
    }

    pub async fn backup_with(&self, connection_string: &str, dir: &Path) {
        ok(siteserver(&[
            "backup",
            "--database-type",
            self.kind.type_name(),
            "--connection-string",
            connection_string,
            "-d",
            dir.to_str().unwrap(),
        ])
        .await
        .unwrap_or_else(|e| panic!("backup of {}: {e:#}", self.name)));
    }

    /// `siteserver COMMAND -d DIR --jobs N` with this database: the exit code.
    pub async fn with_jobs(
        &self,
        command: &str,
        dir: &Path,
        jobs: u32,
    ) -> anyhow::Result<std::process::ExitCode> {
        self.on_folder_with(command, dir, &["--jobs", &jobs.to_string()])
            .await
    }

    /// `restore --jobs JOBS` of `bak`, which must fail, into this database holding a table of
    /// its own with one row: after it, the database has the same tables and that row. Returns
    /// the error, for the caller to check what it names.
    pub async fn refused_restore(&self, bak: &Path, jobs: u32, label: &str) -> String {
        let mine = self.q("mine");
        self.exec(&format!(
            "CREATE TABLE {mine} ({} int); INSERT INTO {mine} VALUES (7)",
            self.q("a")
        ))
        .await;
        let before = self.tables().await;
        let err = format!(
            "{:#}",
            self.with_jobs("restore", bak, jobs).await.unwrap_err()
        );
        assert_eq!(
            self.tables().await,
            before,
            "{label}: no table was created, or the tables loaded meanwhile are gone"
        );
        assert_eq!(self.int(&format!("SELECT COUNT(*) FROM {mine}")).await, 1);
        err
    }

    /// The names of the tables this database has, sorted.
    pub async fn tables(&self) -> Vec<String> {
        let sql = match self.kind {
            Kind::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
            Kind::MySql => {
                "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1"
            }
            Kind::Postgres => {
                "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            }
        };
        self.texts(sql)
            .await
            .into_iter()
            .filter_map(|r| r.into_iter().next().flatten())
            .collect()
    }

    /// `siteserver restore` of `dir` into this database.
    pub async fn restore(&self, dir: &Path) {
        ok(self
            .try_restore(dir)
            .await
            .unwrap_or_else(|e| panic!("restore into {}: {e:#}", self.name)));
    }

    pub async fn try_restore(&self, dir: &Path) -> anyhow::Result<std::process::ExitCode> {
        self.on_folder("restore", dir).await
    }

    /// Inserts a site without an id, as the CMS does, and returns the id it got.
    pub async fn insert_new_site(&self) -> i64 {
        let t = self.q("siteserver_Site");
        let c = self.q("SiteName");
        self.exec(&format!("INSERT INTO {t} ({c}) VALUES ('new')"))
            .await;
        self.int(&format!(
            "SELECT {} FROM {t} WHERE {c} = 'new'",
            self.q("Id")
        ))
        .await
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let sql = match self.kind {
            Kind::Sqlite => return,
            Kind::MySql => format!("DROP DATABASE IF EXISTS `{}`", self.name),
            Kind::Postgres => format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name),
        };
        let (kind, server) = (self.kind, self.server.clone());
        // Drop cannot await, and may run inside the test's runtime: use a runtime of its own.
        let done = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(admin(kind, &server, &sql));
        })
        .join();
        if done.is_err() {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

/// Runs a statement on the server itself (no database of the test's).
async fn admin(kind: Kind, server: &str, sql: &str) {
    let sql = AssertSqlSafe(sql.to_string());
    let r = match kind {
        Kind::Sqlite => return,
        Kind::MySql => match MySqlConnection::connect(server).await {
            Ok(mut c) => sqlx::raw_sql(sql).execute(&mut c).await.map(drop),
            Err(e) => Err(e),
        },
        Kind::Postgres => match PgConnection::connect(&with_database(server, "postgres")).await {
            Ok(mut c) => sqlx::raw_sql(sql).execute(&mut c).await.map(drop),
            Err(e) => Err(e),
        },
    };
    r.unwrap_or_else(|e| panic!("{server}: {e}"));
}

/// `scheme://user@host:port` + `/db`, keeping any `?query`.
pub fn with_database(server: &str, db: &str) -> String {
    match server.split_once('?') {
        Some((base, query)) => format!("{}/{db}?{query}", base.trim_end_matches('/')),
        None => format!("{}/{db}", server.trim_end_matches('/')),
    }
}

/// One `siteserver_Site` row: name, root, date, price, taxis, body, top.
type SiteRow<'a> = (
    Option<&'a str>,
    Option<bool>,
    Option<&'a str>,
    Option<&'a str>,
    Option<i64>,
    Option<&'a str>,
    Option<&'a str>,
);

/// Fills `db` with every shape a restore must keep, plus `Big_Table` of `big_rows` rows:
/// all six types, NULLs, empty strings, CJK and emoji, quotes and backslashes, line breaks,
/// "True"/"False" text, a 1 MB text, a `Top` column, a mixed-case table, a table with no
/// key, a composite key and a gap in the ids.
pub async fn rich(db: &TestDb, big_rows: u32) {
    let ddl = match db.kind {
        Kind::Sqlite => {
            r#"CREATE TABLE "siteserver_Site" ("Id" INTEGER PRIMARY KEY AUTOINCREMENT,
                "SiteName" NVARCHAR(50), "IsRoot" INT2, "AddDate" DATETIME, "Price" DECIMAL(18, 2),
                "Taxis" INTEGER, "Body" TEXT, "Top" NVARCHAR(20));
            CREATE TABLE "Mixed_Case_Table" ("Key" INT PRIMARY KEY, "Order" TEXT, "Top" INT2);
            CREATE TABLE "no_key" ("A" TEXT, "B" INTEGER);
            CREATE TABLE "pair_key" ("A" INTEGER, "B" NVARCHAR(10), "C" DECIMAL(18, 2), PRIMARY KEY ("A", "B"));
            CREATE TABLE "Big_Table" ("Id" INTEGER PRIMARY KEY AUTOINCREMENT, "Title" NVARCHAR(100),
                "Num" INTEGER, "Amount" DECIMAL(18, 2), "At" DATETIME, "Flag" INT2);"#
        }
        Kind::MySql => {
            "CREATE TABLE `siteserver_Site` (`Id` INT AUTO_INCREMENT PRIMARY KEY,
                `SiteName` varchar(50), `IsRoot` tinyint(1), `AddDate` datetime(3), `Price` decimal(18, 2),
                `Taxis` int, `Body` longtext, `Top` varchar(20)) DEFAULT CHARSET=utf8mb4;
            CREATE TABLE `Mixed_Case_Table` (`Key` int PRIMARY KEY, `Order` longtext, `Top` tinyint(1)) DEFAULT CHARSET=utf8mb4;
            CREATE TABLE `no_key` (`A` longtext, `B` int) DEFAULT CHARSET=utf8mb4;
            CREATE TABLE `pair_key` (`A` int, `B` varchar(10), `C` decimal(18, 2), PRIMARY KEY (`A`, `B`)) DEFAULT CHARSET=utf8mb4;
            CREATE TABLE `Big_Table` (`Id` INT AUTO_INCREMENT PRIMARY KEY, `Title` varchar(100),
                `Num` int, `Amount` decimal(18, 2), `At` datetime, `Flag` tinyint(1)) DEFAULT CHARSET=utf8mb4;"
        }
        Kind::Postgres => {
            r#"CREATE TABLE "siteserver_Site" ("Id" SERIAL, "SiteName" varchar(50), "IsRoot" bool,
                "AddDate" timestamptz, "Price" numeric(18, 2), "Taxis" int4, "Body" text, "Top" varchar(20),
                CONSTRAINT "PK_siteserver_Site_Id" PRIMARY KEY ("Id"));
            CREATE TABLE "Mixed_Case_Table" ("Key" int4, "Order" text, "Top" bool,
                CONSTRAINT "any_name_at_all" PRIMARY KEY ("Key"));
            CREATE TABLE "no_key" ("A" text, "B" int4);
            CREATE TABLE "pair_key" ("A" int4, "B" varchar(10), "C" numeric(18, 2), PRIMARY KEY ("A", "B"));
            CREATE TABLE "Big_Table" ("Id" SERIAL PRIMARY KEY, "Title" varchar(100),
                "Num" int4, "Amount" numeric(18, 2), "At" timestamptz, "Flag" bool);"#
        }
    };
    db.exec(ddl).await;

    let big: String = "长文本🚀 \"quoted\" 'single'\r\n".repeat(40_000);
    assert!(big.len() > 1_000_000);
    let rows: [SiteRow<'_>; 6] = [
        (
            Some("主站"),
            Some(true),
            Some("2020-05-01 08:30:00"),
            Some("12.5"),
            Some(0),
            Some("正文"),
            Some("top"),
        ),
        (
            Some(""),
            Some(false),
            Some("1999-12-31 23:59:59"),
            Some("0.00"),
            Some(-5),
            Some(""),
            Some(""),
        ),
        (None, None, None, None, None, None, None),
        (
            Some("emoji 😀 and 'quotes' \"double\" \\ back"),
            Some(false),
            Some("2024-02-29 00:00:00"),
            Some("9999999999.99"),
            Some(i64::from(i32::MAX)),
            Some("line1\nline2\r\nline3\ttab"),
            Some("Top"),
        ),
        (
            Some("日本語テキスト"),
            Some(true),
            Some("2020-05-01 08:30:00.250"),
            Some("-0.01"),
            Some(i64::from(i32::MIN)),
            Some(big.as_str()),
            None,
        ),
        (
            Some("True"),
            Some(false),
            Some("2001-01-01 00:00:00"),
            Some("5"),
            Some(7),
            Some("False"),
            Some("null"),
        ),
    ];
    let cols = [
        "SiteName", "IsRoot", "AddDate", "Price", "Taxis", "Body", "Top",
    ]
    .map(|c| db.q(c))
    .join(", ");
    let table = db.q("siteserver_Site");
    match db.kind {
        Kind::Sqlite => {
            let mut c = sqlite(Path::new(&db.name)).await;
            for r in rows {
                let sql = format!("INSERT INTO {table} ({cols}) VALUES (?, ?, ?, ?, ?, ?, ?)");
                sqlx::query(AssertSqlSafe(sql))
                    .bind(r.0)
                    .bind(r.1)
                    .bind(r.2)
                    // Text into a DECIMAL column is stored as a number by SQLite's affinity.
                    .bind(r.3)
                    .bind(r.4)
                    .bind(r.5)
                    .bind(r.6)
                    .execute(&mut c)
                    .await
                    .unwrap();
            }
        }
        Kind::MySql => {
            let mut c = db.mysql().await;
            for r in rows {
                let sql = format!("INSERT INTO {table} ({cols}) VALUES (?, ?, ?, ?, ?, ?, ?)");
                sqlx::query(AssertSqlSafe(sql))
                    .bind(r.0)
                    .bind(r.1)
                    .bind(r.2)
                    .bind(r.3)
                    .bind(r.4)
                    .bind(r.5)
                    .bind(r.6)
                    .execute(&mut c)
                    .await
                    .unwrap();
            }
        }
        Kind::Postgres => {
            let mut c = db.postgres().await;
            for r in rows {
                let sql = format!(
                    "INSERT INTO {table} ({cols}) VALUES ($1, $2, $3::timestamp, $4::numeric, $5, $6, $7)"
                );
                sqlx::query(AssertSqlSafe(sql))
                    .bind(r.0)
                    .bind(r.1)
                    .bind(r.2)
                    .bind(r.3)
                    .bind(r.4)
                    .bind(r.5)
                    .bind(r.6)
                    .execute(&mut c)
                    .await
                    .unwrap();
            }
        }
    }
    let (t, f) = match db.kind {
        Kind::Postgres => ("true", "false"),
        _ => ("1", "0"),
    };
    let q = |s: &str| db.q(s);
    db.exec(&format!(
        "INSERT INTO {table} ({}, {}) VALUES (100, 'after a gap');
        INSERT INTO {} VALUES (3, 'c', {t}), (1, NULL, {f}), (2, 'b', NULL);
        INSERT INTO {} VALUES ('x', 1), ('x', 1), (NULL, NULL);
        INSERT INTO {} VALUES (1, 'a', 1.5), (1, 'b', NULL), (2, 'a', 3);",
        q("Id"),
        q("SiteName"),
        q("Mixed_Case_Table"),
        q("no_key"),
        q("pair_key"),
    ))
    .await;
    big_table(db, big_rows).await;
}

/// `Big_Table` rows 1..=n, inserted a few thousand per statement.
async fn big_table(db: &TestDb, n: u32) {
    let cols = ["Title", "Num", "Amount", "At", "Flag"]
        .map(|c| db.q(c))
        .join(", ");
    let table = db.q("Big_Table");
    if db.kind == Kind::Postgres {
        db.exec(&format!(
            "INSERT INTO {table} ({cols}) SELECT 'title ' || i, (i * 7) % 1000, (i || '.25')::numeric,
             timestamp '2020-01-01' + i * interval '1 second', i % 2 = 0 FROM generate_series(1, {n}) i"
        ))
        .await;
        return;
    }
    let mut i = 1;
    while i <= n {
        let end = (i + 4_999).min(n);
        let values: Vec<String> = (i..=end)
            .map(|i| {
                let s = i % 86_400;
                format!(
                    "('title {i}', {}, {i}.25, '2020-01-{:02} {:02}:{:02}:{:02}', {})",
                    (i * 7) % 1000,
                    1 + i / 86_400,
                    s / 3600,
                    s / 60 % 60,
                    s % 60,
                    u32::from(i % 2 == 0)
                )
            })
            .collect();
        db.exec(&format!(
            "INSERT INTO {table} ({cols}) VALUES {}",
            values.join(", ")
        ))
        .await;
        i = end + 1;
    }
}

/// A backup folder's tables: name to (column names and types, rows).
pub type Tables = Vec<(String, Vec<(String, String)>, Vec<Value>)>;

/// Reads a backup folder: every table with its columns and rows, tables sorted by name, and the
/// rows of a table with no key sorted too (their order is the database's).
pub fn read_backup(dir: &Path) -> Tables {
    let read = |p: &Path| -> Value {
        serde_json::from_slice(&std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    let mut names: Vec<String> = serde_json::from_value(read(&dir.join("_tables.json"))).unwrap();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let meta = read(&dir.join(&name).join("_metadata.json"));
            let columns: Vec<(String, String)> = meta["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["attributeName"].as_str().unwrap().to_string(),
                        c["dataType"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let keyed = meta["columns"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["isPrimaryKey"] == true || c["isIdentity"] == true);
            let mut rows = Vec::new();
            for file in meta["rowFiles"].as_array().unwrap() {
                let page = read(&dir.join(&name).join(file.as_str().unwrap()));
                rows.extend(page.as_array().unwrap().iter().cloned());
            }
            assert_eq!(
                meta["totalCount"].as_u64().unwrap(),
                rows.len() as u64,
                "{name}: totalCount"
            );
            if !keyed {
                rows.sort_by_key(|r| r.to_string());
            }
            (name, columns, rows)
        })
        .collect()
}

/// A decimal as the same text whatever scale a database gave it: `12.50` and `12.5` agree.
fn same_decimal(v: &Value) -> Value {
    match v {
        Value::Number(n) => {
            let s = n.to_string();
            let s = if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s
            };
            Value::String(if s == "-0" { "0".into() } else { s })
        }
        other => other.clone(),
    }
}

/// Asserts that two backup folders hold the same tables and rows, value for value. Decimals
/// compare by value, since a target may keep another scale (`12.5` in SQLite, `12.50` in
/// MySQL).
pub fn assert_same_rows(want_dir: &Path, got_dir: &Path, label: &str) {
    let want = read_backup(want_dir);
    let got = read_backup(got_dir);
    let names = |t: &Tables| t.iter().map(|(n, _, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&want), names(&got), "{label}: tables");
    for ((name, wcols, wrows), (_, gcols, grows)) in want.iter().zip(&got) {
        let wnames: Vec<&String> = wcols.iter().map(|(n, _)| n).collect();
        let gnames: Vec<&String> = gcols.iter().map(|(n, _)| n).collect();
        assert_eq!(wnames, gnames, "{label}: {name}: columns");
        assert_eq!(wrows.len(), grows.len(), "{label}: {name}: row count");
        for (i, (w, g)) in wrows.iter().zip(grows).enumerate() {
            let (w, g) = (w.as_object().unwrap(), g.as_object().unwrap());
            assert_eq!(
                w.keys().collect::<Vec<_>>(),
                g.keys().collect::<Vec<_>>(),
                "{label}: {name} row {i}: keys"
            );
            for ((key, wv), ((_, ty), gv)) in w.iter().zip(wcols.iter().zip(g.values())) {
                let (wv, gv) = if ty == "Decimal" {
                    (same_decimal(wv), same_decimal(gv))
                } else {
                    (wv.clone(), gv.clone())
                };
                if wv != gv {
                    let cut = |v: &Value| v.to_string().chars().take(120).collect::<String>();
                    panic!(
                        "{label}: {name} row {i}, `{key}`: want {}, got {}",
                        cut(&wv),
                        cut(&gv)
                    );
                }
            }
        }
    }
}
