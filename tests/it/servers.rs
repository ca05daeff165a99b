//! MySQL and PostgreSQL specifics: read-only backups, catalogs, snapshots, schemas, values a
//! target cannot hold as they are, and connection errors.

use sscms_core::config::{ConfigSource, DatabaseConfig, DatabaseType};
use sscms_core::{Access, Select, connect};

use crate::support::db::{Kind, TestDb, assert_same_rows, read_backup, rich};
use crate::support::tmp;

/// What a backup must not change: tables (views included), columns with their full types,
/// defaults and extras, row counts, and the next identity value.
async fn fingerprint(db: &TestDb) -> Vec<Vec<Option<String>>> {
    let mut out = Vec::new();
    let (tables, columns) = match db.kind {
        Kind::MySql => (
            "SELECT CAST(TABLE_NAME AS CHAR), CAST(TABLE_TYPE AS CHAR), CAST(AUTO_INCREMENT AS CHAR) \
             FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1",
            "SELECT CAST(TABLE_NAME AS CHAR), CAST(COLUMN_NAME AS CHAR), CAST(COLUMN_TYPE AS CHAR), \
             CAST(IS_NULLABLE AS CHAR), CAST(COLUMN_DEFAULT AS CHAR), CAST(EXTRA AS CHAR), \
             CAST(COLUMN_KEY AS CHAR) FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1, ORDINAL_POSITION",
        ),
        _ => (
            "SELECT c.relname::text, c.relkind::text, NULL::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY 1",
            "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text, \
             column_default::text, is_identity::text, character_maximum_length::text \
             FROM information_schema.columns WHERE table_schema = 'public' \
             ORDER BY 1, ordinal_position",
        ),
    };
    let tables = db.texts(tables).await;
    for t in &tables {
        let name = t[0].clone().unwrap();
        let kind = t[1].clone().unwrap_or_default();
        if kind == "BASE TABLE" || kind == "r" {
            let n = db
                .int(&format!("SELECT COUNT(*) FROM {}", db.q(&name)))
                .await;
            out.push(vec![Some(name), Some(n.to_string())]);
        }
    }
    if db.kind == Kind::Postgres {
        out.extend(
            db.texts("SELECT sequencename::text, last_value::text FROM pg_sequences ORDER BY 1")
                .await,
        );
    }
    out.extend(tables);
    out.extend(db.texts(columns).await);
    out
}

/// A source with a view and a table that has no id column, which the originals would ALTER.
async fn source_with_view(kind: Kind, test: &str) -> Option<TestDb> {
    let db = TestDb::create(kind, test).await?;
    rich(&db, 1_000).await;
    let (t, v) = (db.q("siteserver_Site"), db.q("v_sites"));
    db.exec(&format!(
        "CREATE VIEW {v} AS SELECT {}, {} FROM {t}",
        db.q("Id"),
        db.q("SiteName")
    ))
    .await;
    Some(db)
}

async fn backup_leaves_the_source_unchanged(kind: Kind, test: &str) {
    let Some(db) = source_with_view(kind, test).await else {
        return;
    };
    let before = fingerprint(&db).await;
    assert!(
        before
            .iter()
            .flatten()
            .any(|v| v.as_deref() == Some("v_sites"))
    );
    let dir = tmp();
    db.backup_with(&db.ado(), &dir.path().join("bak")).await;
    assert_eq!(fingerprint(&db).await, before, "the source changed");

    let tables = read_backup(&dir.path().join("bak"));
    let names: Vec<&str> = tables.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Big_Table",
            "Mixed_Case_Table",
            "no_key",
            "pair_key",
            "siteserver_Site"
        ],
        "views are skipped"
    );
    let no_key = tables.iter().find(|t| t.0 == "no_key").unwrap();
    assert_eq!(
        no_key.1,
        [("A".into(), "Text".into()), ("B".into(), "Integer".into())],
        "no Id column is added"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_backup_leaves_the_source_unchanged() {
    backup_leaves_the_source_unchanged(
        Kind::MySql,
        "servers::mysql_backup_leaves_the_source_unchanged",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_backup_leaves_the_source_unchanged() {
    backup_leaves_the_source_unchanged(
        Kind::Postgres,
        "servers::postgres_backup_leaves_the_source_unchanged",
    )
    .await;
}

/// The catalog reads as the six types, with keys and identities wherever they are declared,
/// and decimals keep all 18 digits.
async fn catalog_and_exact_values(kind: Kind, test: &str) {
    let Some(db) = TestDb::create(kind, test).await else {
        return;
    };
    rich(&db, 10).await;
    db.exec(&format!(
        "INSERT INTO {} ({}, {}) VALUES ('max', 9999999999999999.99)",
        db.q("siteserver_Site"),
        db.q("SiteName"),
        db.q("Price")
    ))
    .await;
    let dir = tmp();
    let bak = dir.path().join("bak");
    db.backup(&bak).await;
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bak.join("siteserver_Site/_metadata.json")).unwrap())
            .unwrap();
    let types: Vec<(&str, &str, bool, bool)> = meta["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["attributeName"].as_str().unwrap(),
                c["dataType"].as_str().unwrap(),
                c["isPrimaryKey"] == true,
                c["isIdentity"] == true,
            )
        })
        .collect();
    assert_eq!(
        types,
        [
            ("Id", "Integer", true, true),
            ("SiteName", "VarChar", false, false),
            ("IsRoot", "Boolean", false, false),
            ("AddDate", "DateTime", false, false),
            ("Price", "Decimal", false, false),
            ("Taxis", "Integer", false, false),
            ("Body", "Text", false, false),
            ("Top", "VarChar", false, false),
        ]
    );
    assert_eq!(meta["columns"][1]["dataLength"], 50);
    let rows = std::fs::read_to_string(bak.join("siteserver_Site/1.json")).unwrap();
    assert!(
        rows.contains(r#""price":9999999999999999.99"#),
        "decimals are exact"
    );
    assert!(rows.contains(r#""addDate":"2020-05-01 08:30:00.250""#));
    // A primary key named anything at all is found.
    let mixed = read_backup(&bak)
        .into_iter()
        .find(|t| t.0 == "Mixed_Case_Table")
        .unwrap();
    assert_eq!(mixed.2[0]["key"], 1, "rows in key order");
    let meta: serde_json::Value = serde_json::from_slice(
        &std::fs::read(bak.join("Mixed_Case_Table/_metadata.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(meta["columns"][0]["isPrimaryKey"], true);
    assert_eq!(meta["columns"][2]["dataType"], "Boolean");
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_catalog_and_exact_values() {
    catalog_and_exact_values(Kind::MySql, "servers::mysql_catalog_and_exact_values").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_catalog_and_exact_values() {
    catalog_and_exact_values(Kind::Postgres, "servers::postgres_catalog_and_exact_values").await;
}

/// Backup writes each value from the wire (`read_json`) exactly as encoding the value
/// `stream_rows` reads gives it, for every table and every native type, nulls included.
async fn json_rows_are_the_values_read(kind: Kind, test: &str) {
    use futures::TryStreamExt;
    use sscms_core::backup::JsonRows;
    let Some(db) = TestDb::create(kind, test).await else {
        return;
    };
    rich(&db, 300).await;
    db.exec(match kind {
        Kind::MySql => {
            "CREATE TABLE native (Id int PRIMARY KEY, U int unsigned, BU bigint unsigned,
                F float, D double, T time(3), B bit(8), Bl blob, Y year, J json,
                E enum('a','b'), Dt date, Ts timestamp(6) NULL, Dc decimal(10,3),
                Bo tinyint(1), Ti tinyint, Txt text, N int) DEFAULT CHARSET=utf8mb4;
            INSERT INTO native VALUES (1, 4294967295, 18446744073709551615, 1.5, 0.1,
                '-12:30:00.125', b'10100101', x'00ff10', 2024, '{\"a\": [1, \"中\"]}', 'b',
                '2024-02-29', '2024-01-02 03:04:05.123456', -1234567.891, 1, -5,
                'tab\t \"q\" \\\\ 😀 中文', NULL),
                (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                NULL, NULL, NULL, '', 0)"
        }
        _ => {
            r#"CREATE TABLE native ("Id" int4 PRIMARY KEY, "S" int2, "B" int8, "F" float4,
                "D" float8, "By" bytea, "T" time, "Dt" date, "Ts" timestamp, "Tz" timestamptz,
                "U" uuid, "J" jsonb, "N" numeric, "Bo" bool, "Txt" text, "Ch" char(3));
            INSERT INTO native VALUES (1, -32768, 9223372036854775807, 1.5, 0.1, '\x00ff10',
                '12:30:00.125', '2024-02-29', '2024-01-02 03:04:05.123456',
                '2024-01-02 03:04:05+02', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
                '{"a": [1, "中"]}', 123456789012345678901234567890.123, true,
                E'tab\t "q" \\ 😀 中文', 'ab'),
                (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                NULL, '', NULL)"#
        }
    })
    .await;
    let config = DatabaseConfig {
        database_type: match kind {
            Kind::MySql => DatabaseType::MySql,
            _ => DatabaseType::PostgreSql,
        },
        connection_string: db.url(),
        base_dir: ".".into(),
        source: ConfigSource::Flag,
    };
    let mut driver = connect(&config, Access::ReadOnly).await.unwrap();
    let mut checked = 0;
    for name in driver.list_tables().await.unwrap() {
        let columns = driver.columns(&name).await.unwrap();
        let meta = sscms_core::TableMeta { name, columns };
        let values: Vec<Vec<serde_json::Value>> = driver
            .stream_rows(&meta, Select::all())
            .try_collect()
            .await
            .unwrap();
        let mut written: Vec<String> = Vec::new();
        driver
            .read_json(&meta, Select::all(), &mut |b| {
                written.extend((0..b.len()).map(|i| String::from_utf8_lossy(b.row(i)).into()));
                Ok(())
            })
            .await
            .unwrap();
        let expected: Vec<String> = values
            .iter()
            .map(|row| {
                let mut one = JsonRows::new(&meta);
                for v in row {
                    one.push_value(v);
                }
                one.end_row();
                String::from_utf8_lossy(one.row(0)).into()
            })
            .collect();
        assert_eq!(written.len(), expected.len(), "rows of `{}`", meta.name);
        for (i, (w, e)) in written.iter().zip(&expected).enumerate() {
            assert_eq!(w, e, "`{}` row {i}", meta.name);
        }
        checked += written.len();
    }
    // `rich`'s 300 big rows and the rest: more than one batch was compared.
    assert!(checked > 300, "{checked} rows compared");
    driver.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_json_rows_are_the_values_read() {
    json_rows_are_the_values_read(Kind::MySql, "servers::mysql_json_rows_are_the_values_read")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_json_rows_are_the_values_read() {
    json_rows_are_the_values_read(
        Kind::Postgres,
        "servers::postgres_json_rows_are_the_values_read",
    )
    .await;
}

/// Rows committed by others after a backup starts are not in it, and it cannot write.
async fn backup_reads_one_snapshot(kind: Kind, test: &str) {
    let Some(db) = TestDb::create(kind, test).await else {
        return;
    };
    rich(&db, 100).await;
    let config = DatabaseConfig {
        database_type: match kind {
            Kind::MySql => DatabaseType::MySql,
            _ => DatabaseType::PostgreSql,
        },
        connection_string: db.url(),
        base_dir: ".".into(),
        source: ConfigSource::Flag,
    };
    let mut driver = connect(&config, Access::ReadOnly).await.unwrap();
    driver.begin_snapshot().await.unwrap();
    assert_eq!(driver.count_rows("Big_Table").await.unwrap(), 100);
    let big = db.q("Big_Table");
    db.exec(&format!(
        "INSERT INTO {big} ({}) VALUES ('late'); INSERT INTO {} VALUES (9, 'late', NULL)",
        db.q("Title"),
        db.q("Mixed_Case_Table")
    ))
    .await;
    assert_eq!(db.int(&format!("SELECT COUNT(*) FROM {big}")).await, 101);
    assert_eq!(driver.count_rows("Big_Table").await.unwrap(), 100);
    assert_eq!(driver.count_rows("Mixed_Case_Table").await.unwrap(), 3);
    let columns = driver.columns("Big_Table").await.unwrap();
    let meta = sscms_core::TableMeta {
        name: "Big_Table".into(),
        columns,
    };
    {
        use futures::TryStreamExt;
        let rows: Vec<_> = driver
            .stream_rows(&meta, Select::all())
            .try_collect()
            .await
            .unwrap();
        assert_eq!(rows.len(), 100);
        assert_eq!(rows[99][0], 100, "in key order");
    }
    let err = driver
        .execute(&format!("DELETE FROM {big}"))
        .await
        .unwrap_err();
    assert!(err.to_string().to_lowercase().contains("read"), "{err}");
    let _ = driver.end_snapshot().await;
    driver.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_backup_reads_one_snapshot() {
    backup_reads_one_snapshot(Kind::MySql, "servers::mysql_backup_reads_one_snapshot").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_backup_reads_one_snapshot() {
    backup_reads_one_snapshot(
        Kind::Postgres,
        "servers::postgres_backup_reads_one_snapshot",
    )
    .await;
}

/// A SQLite source holds what SQLite does not enforce: text longer than its VarChar, decimals
/// with more places than `decimal(18, 2)`, integers beyond `int`, fractional seconds. A source
/// of the other server type holds a `decimal(30, 5)`. The target widens those columns and keeps
/// every value.
async fn widens_what_does_not_fit(kind: Kind, test: &str) {
    let Some(dst) = TestDb::create(kind, test).await else {
        return;
    };
    let src = TestDb::create(Kind::Sqlite, test).await.unwrap();
    src.exec(
        r#"CREATE TABLE "t" ("Id" INTEGER PRIMARY KEY AUTOINCREMENT, "Short" NVARCHAR(5),
            "Price" DECIMAL(18, 2), "Big" INTEGER, "At" DATETIME);
        INSERT INTO "t" VALUES (1, 'abcdefgh', 3.14159, 5000000000, '2020-01-01 00:00:00.123456');
        INSERT INTO "t" VALUES (2, '五个字符串', 0.001, -5000000000, '2020-01-01 00:00:00.5');"#,
    )
    .await;
    let dir = tmp();
    let bak = dir.path().join("bak");
    src.backup(&bak).await;
    dst.restore(&bak).await;
    let again = dir.path().join("again");
    dst.backup(&again).await;
    assert_same_rows(&bak, &again, test);
    let rows = std::fs::read_to_string(again.join("t/1.json")).unwrap();
    assert!(rows.contains(r#""price":3.14159"#), "{rows}");
    assert!(rows.contains("2020-01-01 00:00:00.123456"), "{rows}");
    assert!(rows.contains("abcdefgh"), "{rows}");
    assert_eq!(dst.insert_id_after_restore("t").await, 3);

    let other = if kind == Kind::MySql {
        Kind::Postgres
    } else {
        Kind::MySql
    };
    let Some(wide) = TestDb::create(other, test).await else {
        return;
    };
    wide.exec(&format!(
        "CREATE TABLE {} ({} int PRIMARY KEY, {} decimal(30, 5)); \
         INSERT INTO {0} VALUES (1, 1234567890123456789012345.12345), (2, -0.5)",
        wide.q("d"),
        wide.q("Id"),
        wide.q("P")
    ))
    .await;
    let bak = dir.path().join("wide");
    wide.backup(&bak).await;
    let target = TestDb::create(kind, test).await.unwrap();
    target.restore(&bak).await;
    let again = dir.path().join("wide-again");
    target.backup(&again).await;
    assert_same_rows(&bak, &again, test);
    let rows = std::fs::read_to_string(again.join("d/1.json")).unwrap();
    assert!(rows.contains("1234567890123456789012345.12345"), "{rows}");
}

impl TestDb {
    async fn insert_id_after_restore(&self, table: &str) -> i64 {
        let t = self.q(table);
        let c = self.q("Short");
        self.exec(&format!("INSERT INTO {t} ({c}) VALUES ('new')"))
            .await;
        self.int(&format!(
            "SELECT {} FROM {t} WHERE {c} = 'new'",
            self.q("Id")
        ))
        .await
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_widens_what_does_not_fit() {
    widens_what_does_not_fit(Kind::MySql, "servers::mysql_widens_what_does_not_fit").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_widens_what_does_not_fit() {
    widens_what_does_not_fit(Kind::Postgres, "servers::postgres_widens_what_does_not_fit").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_refuses_a_nul_character_naming_table_row_and_column() {
    let test = "servers::postgres_refuses_a_nul_character_naming_table_row_and_column";
    let Some(dst) = TestDb::create(Kind::Postgres, test).await else {
        return;
    };
    let src = TestDb::create(Kind::Sqlite, test).await.unwrap();
    src.exec(
        r#"CREATE TABLE "ok" ("Id" INTEGER PRIMARY KEY, "Body" TEXT);
        INSERT INTO "ok" VALUES (1, 'fine');
        CREATE TABLE "bad" ("Id" INTEGER PRIMARY KEY, "Body" TEXT);
        INSERT INTO "bad" VALUES (1, 'fine'), (7, 'a' || char(0) || 'b');"#,
    )
    .await;
    let dir = tmp();
    let bak = dir.path().join("bak");
    src.backup(&bak).await;
    let err = format!("{:#}", dst.try_restore(&bak).await.unwrap_err());
    assert!(
        err.contains("bad/1.json: row 2 (Id=7), column `Body`")
            && err.contains("NUL")
            && err.contains("nothing was written"),
        "{err}"
    );
    let left = dst
        .int("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'")
        .await;
    assert_eq!(left, 0, "the tables this run created are dropped again");
}

/// `Search Path` in the connection string picks the schema; `public` is not touched.
#[tokio::test(flavor = "multi_thread")]
async fn postgres_uses_the_schema_of_the_connection_string() {
    let test = "servers::postgres_uses_the_schema_of_the_connection_string";
    let Some(dst) = TestDb::create(Kind::Postgres, test).await else {
        return;
    };
    let src = TestDb::create(Kind::Sqlite, test).await.unwrap();
    rich(&src, 10).await;
    let dir = tmp();
    let bak = dir.path().join("bak");
    src.backup(&bak).await;
    // A table of the same name in `public` is no clash for a restore into `cms`.
    dst.exec(r#"CREATE SCHEMA cms; CREATE TABLE public."siteserver_Site" ("Mine" text)"#)
        .await;
    let cs = format!("{}Search Path=cms;", dst.ado());
    crate::support::ok(
        crate::support::siteserver(&[
            "restore",
            "--database-type",
            "PostgreSql",
            "--connection-string",
            &cs,
            "-d",
            bak.to_str().unwrap(),
        ])
        .await
        .unwrap(),
    );
    assert_eq!(
        dst.int("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'cms'")
            .await,
        5
    );
    let again = dir.path().join("again");
    dst.backup_with(&cs, &again).await;
    assert_same_rows(&bak, &again, test);
    let public = dir.path().join("public");
    dst.backup(&public).await;
    let tables = read_backup(&public);
    assert_eq!(tables.len(), 1, "public holds only its own table");
    assert_eq!(tables[0].1, [("Mine".into(), "Text".into())]);
}

/// `Timezone` in the connection string is the zone of `timestamptz` wall-clock times, both
/// ways; without it the zone is UTC.
#[tokio::test(flavor = "multi_thread")]
async fn postgres_timezone_names_the_wall_clock_zone() {
    let test = "servers::postgres_timezone_names_the_wall_clock_zone";
    let Some(dst) = TestDb::create(Kind::Postgres, test).await else {
        return;
    };
    let src = TestDb::create(Kind::Sqlite, test).await.unwrap();
    src.exec(
        r#"CREATE TABLE "t" ("Id" INTEGER PRIMARY KEY, "At" DATETIME);
        INSERT INTO "t" VALUES (1, '2020-05-01 08:30:00'), (2, '2020-05-01 08:30:00.250');"#,
    )
    .await;
    let dir = tmp();
    let bak = dir.path().join("bak");
    src.backup(&bak).await;
    let cs = format!("{}Timezone=Asia/Shanghai;", dst.ado());
    crate::support::ok(
        crate::support::siteserver(&[
            "restore",
            "--database-type",
            "PostgreSql",
            "--connection-string",
            &cs,
            "-d",
            bak.to_str().unwrap(),
        ])
        .await
        .unwrap(),
    );
    let utc = dst
        .texts(r#"SELECT ("At" AT TIME ZONE 'UTC')::text FROM "t" ORDER BY "Id""#)
        .await;
    assert_eq!(utc[0][0].as_deref(), Some("2020-05-01 00:30:00"));
    let again = dir.path().join("again");
    dst.backup_with(&cs, &again).await;
    assert_same_rows(&bak, &again, test);
    let utc_dir = dir.path().join("utc");
    dst.backup(&utc_dir).await;
    let rows = std::fs::read_to_string(utc_dir.join("t/1.json")).unwrap();
    assert!(rows.contains("2020-05-01 00:30:00.250"), "{rows}");
}

async fn missing_database_is_named(kind: Kind, test: &str) {
    let Some(server) = kind.server_url(test) else {
        return;
    };
    let dir = tmp();
    let bak = dir.path().join("bak");
    let src = TestDb::create(Kind::Sqlite, test).await.unwrap();
    src.exec(r#"CREATE TABLE "t" ("Id" INTEGER PRIMARY KEY)"#)
        .await;
    src.backup(&bak).await;
    let url = crate::support::db::with_database(&server, "sscms_test_no_such_database");
    let err = crate::support::siteserver(&[
        "restore",
        "--database-type",
        kind.type_name(),
        "--connection-string",
        &url,
        "-d",
        bak.to_str().unwrap(),
    ])
    .await
    .unwrap_err();
    let err = format!("{err:#}");
    assert!(
        err.contains("`sscms_test_no_such_database` does not exist")
            && err.contains("CREATE DATABASE"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_missing_database_is_named() {
    missing_database_is_named(Kind::MySql, "servers::mysql_missing_database_is_named").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_missing_database_is_named() {
    missing_database_is_named(
        Kind::Postgres,
        "servers::postgres_missing_database_is_named",
    )
    .await;
}

/// Needs no server: nothing listens on port 1.
#[tokio::test(flavor = "multi_thread")]
async fn connection_errors_name_host_and_port_but_never_the_password() {
    for (ty, cs) in [
        (
            DatabaseType::MySql,
            "Server=127.0.0.1;Port=1;Database=cms;Uid=admin;Pwd=Sup3rSecret;",
        ),
        (
            DatabaseType::PostgreSql,
            "Host=127.0.0.1;Port=1;Database=cms;Username=admin;Password=Sup3rSecret;",
        ),
        (
            DatabaseType::MySql,
            "mysql://admin:Sup3rSecret@127.0.0.1:1/cms",
        ),
    ] {
        let config = DatabaseConfig {
            database_type: ty,
            connection_string: cs.into(),
            base_dir: ".".into(),
            source: ConfigSource::Flag,
        };
        let err = match connect(&config, Access::ReadOnly).await {
            Ok(_) => panic!("{cs}: connected to port 1"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains("127.0.0.1:1"), "{err}");
        assert!(err.contains("`cms`") && err.contains("`admin`"), "{err}");
        assert!(!err.contains("Sup3rSecret"), "{err}");
    }
}
