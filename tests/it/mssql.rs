//! SQL Server against a live server, when `SITESERVER_TEST_SQLSERVER_URL` names one: an ADO.NET
//! string with a login and no database, e.g.
//! `Server=127.0.0.1,1433;Uid=sa;Pwd=…;TrustServerCertificate=True;`. No machine of this project
//! can run SQL Server, so without it these tests print `SKIPPED` and pass; what they cover is
//! otherwise covered only by the driver's unit tests against the SQL text it sends.

use sscms_core::config::{ConfigSource, DatabaseConfig, DatabaseType};
use sscms_core::{Access, connect};

use crate::support::db::{Kind, TestDb, assert_same_rows, read_backup, rich};
use crate::support::{ok, siteserver, tmp};

const ENV: &str = "SITESERVER_TEST_SQLSERVER_URL";

/// The server's connection string, or None after printing why the test is skipped.
fn server(test: &str) -> Option<String> {
    match std::env::var(ENV) {
        Ok(s) if !s.trim().is_empty() => Some(s.trim().trim_end_matches(';').to_string()),
        _ => {
            // Straight to stderr: the harness captures `eprintln!` of passing tests.
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: {test} against SqlServer: set {ENV} to run it"
            );
            None
        }
    }
}

fn config(connection_string: String) -> DatabaseConfig {
    DatabaseConfig {
        database_type: DatabaseType::SqlServer,
        connection_string,
        base_dir: ".".into(),
        source: ConfigSource::Flag,
    }
}

/// Runs statements in `database` (each call its own batch) through our own driver.
async fn run(server: &str, database: &str, statements: &[&str]) {
    let cs = format!("{server};Database={database}");
    let mut db = connect(&config(cs), Access::ReadWrite)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for sql in statements {
        db.execute(sql).await.unwrap_or_else(|e| panic!("{e}"));
    }
    db.close().await.unwrap();
}

/// A database that exists for one test, dropped again when this value is.
struct TestSqlServer {
    server: String,
    name: String,
}

impl TestSqlServer {
    async fn create(server: String, n: u32) -> Self {
        let name = format!("sscms_test_{}_{n}", std::process::id());
        run(
            &server,
            "master",
            &[
                &format!("CREATE DATABASE [{name}]"),
                &format!("ALTER DATABASE [{name}] SET ALLOW_SNAPSHOT_ISOLATION ON"),
            ],
        )
        .await;
        TestSqlServer { server, name }
    }

    fn connection_string(&self) -> String {
        format!("{};Database={};", self.server, self.name)
    }

    async fn run(&self, statements: &[&str]) {
        run(&self.server, &self.name, statements).await;
    }
}

impl Drop for TestSqlServer {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // Drop cannot await, and may run inside the test's runtime: use a runtime of its own.
        let done = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(run(
                    &server,
                    "master",
                    &[&format!(
                        "IF DB_ID(N'{name}') IS NOT NULL BEGIN \
                         ALTER DATABASE [{name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; \
                         DROP DATABASE [{name}] END"
                    )],
                ));
        })
        .join();
        if done.is_err() {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

async fn cli(args: &[&str]) {
    ok(siteserver(args)
        .await
        .unwrap_or_else(|e| panic!("{args:?}: {e:#}")));
}

/// The rich SQLite source restored into SQL Server and backed up again: the same rows, value
/// for value; then a new row without an id gets max(id) + 1, and a second restore is refused.
#[tokio::test(flavor = "multi_thread")]
async fn rich_backup_round_trips_through_sql_server() {
    let test = "mssql::rich_backup_round_trips_through_sql_server";
    let Some(server) = server(test) else {
        return;
    };
    let Some(src) = TestDb::create(Kind::Sqlite, test).await else {
        return;
    };
    rich(&src, 5_000).await;
    let dir = tmp();
    let bak = dir.path().join("source");
    src.backup(&bak).await;

    let db = TestSqlServer::create(server, 0).await;
    let cs = db.connection_string();
    let args = |cmd: &'static str, d: &std::path::Path| {
        vec![
            cmd.to_string(),
            "--database-type".into(),
            "SqlServer".into(),
            "--connection-string".into(),
            cs.clone(),
            "-d".into(),
            d.to_str().unwrap().to_string(),
        ]
    };
    let restore = args("restore", &bak);
    cli(&restore.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let again = dir.path().join("again");
    let backup = args("backup", &again);
    cli(&backup.iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert_same_rows(&bak, &again, "SQLite -> SqlServer");

    // The identity was reseeded: the CMS's next site gets 101 (the source's largest id is 100).
    db.run(&[
        "INSERT INTO [siteserver_Site] ([SiteName]) VALUES (N'new')",
        "IF (SELECT [Id] FROM [siteserver_Site] WHERE [SiteName] = N'new') <> 101 \
         RAISERROR ('a new site did not get max(id) + 1', 16, 1)",
        "INSERT INTO [Big_Table] ([Title]) VALUES (N'new')",
        "IF (SELECT [Id] FROM [Big_Table] WHERE [Title] = N'new') <> 5001 \
         RAISERROR ('a new big row did not get max(id) + 1', 16, 1)",
    ])
    .await;

    let code = siteserver(&restore.iter().map(String::as_str).collect::<Vec<_>>())
        .await
        .unwrap();
    assert_ne!(
        code,
        std::process::ExitCode::SUCCESS,
        "a target that has the tables is refused"
    );
}

/// Every SQL Server type SiteServer sites hold, read back as the backup format wants it.
#[tokio::test(flavor = "multi_thread")]
async fn sql_server_types_read_as_the_six() {
    let test = "mssql::sql_server_types_read_as_the_six";
    let Some(server) = server(test) else {
        return;
    };
    let db = TestSqlServer::create(server, 1).await;
    db.run(&[
        "CREATE TABLE [all_types] ([Id] int IDENTITY (1, 1) PRIMARY KEY, [B] bit, [D] datetime, \
         [D2] datetime2(3), [M] money, [N] decimal(18, 2), [I] bigint, [V] nvarchar(50), \
         [A] varchar(20), [T] ntext, [X] nvarchar(max), [G] uniqueidentifier, [Top] nvarchar(10))",
        "INSERT INTO [all_types] ([B], [D], [D2], [M], [N], [I], [V], [A], [T], [X], [G], [Top]) \
         VALUES (1, '2020-05-01T08:30:00.003', '2020-05-01T08:30:00.250', 12.3456, 12.50, \
         9007199254740993, N'主站', 'abc', N'正文', N'长文本', \
         '6F9619FF-8B86-D011-B42D-00C04FC964FF', N'top'), \
         (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
    ])
    .await;
    let dir = tmp();
    let bak = dir.path().join("bak");
    cli(&[
        "backup",
        "--database-type",
        "SqlServer",
        "--connection-string",
        &db.connection_string(),
        "-d",
        bak.to_str().unwrap(),
    ])
    .await;
    let tables = read_backup(&bak);
    let (_, columns, rows) = tables.iter().find(|t| t.0 == "all_types").unwrap();
    let types: Vec<&str> = columns.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "Integer", "Boolean", "DateTime", "DateTime", "Decimal", "Decimal", "Integer",
            "VarChar", "VarChar", "Text", "Text", "VarChar", "VarChar"
        ]
    );
    let meta: serde_json::Value = serde_json::from_slice(
        &std::fs::read(bak.join("all_types").join("_metadata.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        meta["columns"][7]["dataLength"], 50,
        "nvarchar(50) is 50 characters"
    );
    assert_eq!(meta["columns"][0]["isIdentity"], true);
    assert_eq!(meta["columns"][0]["isPrimaryKey"], true);
    let first = rows[0].as_object().unwrap();
    let get = |k: &str| first[k].to_string();
    assert_eq!(get("b"), "true");
    assert_eq!(get("d"), "\"2020-05-01 08:30:00.003\"");
    assert_eq!(get("d2"), "\"2020-05-01 08:30:00.250\"");
    assert_eq!(get("m"), "12.3456");
    assert_eq!(get("n"), "12.50");
    assert_eq!(get("i"), "9007199254740993");
    assert_eq!(get("v"), "\"主站\"");
    assert_eq!(get("a"), "\"abc\"");
    assert_eq!(get("t"), "\"正文\"");
    assert_eq!(get("g"), "\"6f9619ff-8b86-d011-b42d-00c04fc964ff\"");
    assert_eq!(get("top"), "\"top\"");
    assert!(
        rows[1]
            .as_object()
            .unwrap()
            .values()
            .skip(1)
            .all(|v| v.is_null())
    );
}
