//! The exact SQL of every dialect.

use super::*;

fn site() -> TableMeta {
    TableMeta {
        name: "siteserver_Site".into(),
        columns: vec![
            Column::new("Id", DataType::Integer)
                .primary_key()
                .identity(),
            Column::new("SiteName", DataType::VarChar).length(50),
            Column::new("IsRoot", DataType::Boolean),
            Column::new("Top", DataType::Text),
        ],
    }
}

#[test]
fn create_table_per_dialect() {
    assert_eq!(
        Dialect::Sqlite.create_table(&site()),
        r#"CREATE TABLE "siteserver_Site" ("Id" INTEGER PRIMARY KEY AUTOINCREMENT, "SiteName" NVARCHAR(50), "IsRoot" INT2, "Top" TEXT)"#
    );
    assert_eq!(
        Dialect::MySql.create_table(&site()),
        "CREATE TABLE `siteserver_Site` (`Id` INT AUTO_INCREMENT, `SiteName` varchar(50), `IsRoot` tinyint(1), `Top` longtext, PRIMARY KEY (`Id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
    );
    assert_eq!(
        Dialect::Postgres.create_table(&site()),
        r#"CREATE TABLE "siteserver_Site" ("Id" SERIAL, "SiteName" varchar(50), "IsRoot" bool, "Top" text, CONSTRAINT "PK_siteserver_Site_Id" PRIMARY KEY ("Id"))"#
    );
    assert_eq!(
        Dialect::SqlServer.create_table(&site()),
        "CREATE TABLE [siteserver_Site] ([Id] int IDENTITY (1, 1), [SiteName] [nvarchar] (50), [IsRoot] [bit], [Top] [nvarchar] (max), CONSTRAINT [PK_siteserver_Site_Id] PRIMARY KEY ([Id]))"
    );
}

#[test]
fn each_cms_version_gets_its_types_and_names() {
    let t = TableMeta {
        name: "siteserver_Config".into(),
        columns: vec![
            Column::new("Id", DataType::Integer)
                .primary_key()
                .identity(),
            Column::new("SystemConfig", DataType::Text),
            Column::new("Open", DataType::VarChar),
        ],
    };
    // 6.15 on PostgreSQL: unquoted, so lower-case, names.
    let folded = CmsSchema::V6.table_meta(Dialect::Postgres, &t);
    assert_eq!(
        Dialect::Postgres.create_table_in(CmsSchema::V6, &folded, &[]),
        r#"CREATE TABLE "siteserver_config" ("id" SERIAL, "systemconfig" text, "open" varchar(500), CONSTRAINT "pk_siteserver_config_id" PRIMARY KEY ("id"))"#
    );
    assert_eq!(CmsSchema::V6.table_meta(Dialect::MySql, &t), t);
    assert_eq!(CmsSchema::V7.table_meta(Dialect::MySql, &t), t);
    // 7.4 makes `Id` the identity; 6.15's site id is a plain key.
    let site = TableMeta {
        name: "siteserver_Site".into(),
        columns: vec![Column::new("Id", DataType::Integer).primary_key()],
    };
    assert!(CmsSchema::V7.table_meta(Dialect::Sqlite, &site).columns[0].is_identity);
    assert!(!CmsSchema::V6.table_meta(Dialect::MySql, &site).columns[0].is_identity);
    assert!(CmsSchema::V6.table_meta(Dialect::Sqlite, &site).columns[0].is_identity);
    assert_eq!(
        Dialect::Postgres.create_table_in(CmsSchema::V7, &t, &[]),
        r#"CREATE TABLE "siteserver_Config" ("Id" SERIAL, "SystemConfig" text, "Open" varchar(500), CONSTRAINT "PK_siteserver_Config_Id" PRIMARY KEY ("Id"))"#
    );
    // SQL Server text: ntext in 6.15, nvarchar(max) in 7.4.
    let text = &t.columns[1];
    let none = ColumnFit::default();
    assert_eq!(
        Dialect::SqlServer.column_type_in(CmsSchema::V6, text, &none),
        "[ntext]"
    );
    assert_eq!(
        Dialect::SqlServer.column_type_in(CmsSchema::V7, text, &none),
        "[nvarchar] (max)"
    );
    // A VarChar without a length gets 7.4's default in a SiteServer database only.
    let open = &t.columns[2];
    assert_eq!(
        Dialect::Sqlite.column_type_in(CmsSchema::V7, open, &none),
        "NVARCHAR(500)"
    );
    assert_eq!(
        Dialect::Sqlite.column_type_in(CmsSchema::Any, open, &none),
        "NVARCHAR"
    );
    assert_eq!(
        Dialect::MySql.create_table_in(CmsSchema::V7, &t, &[]),
        Dialect::MySql.create_table(&t)
    );
    let v = |s: &str| semver::Version::parse(s).unwrap();
    assert_eq!(CmsSchema::for_version(&v("6.15.51")), CmsSchema::V6);
    assert_eq!(CmsSchema::for_version(&v("7.4.0")), CmsSchema::V7);
    assert_eq!(CmsSchema::for_version(&v("5.0.0")), CmsSchema::Any);
}

#[test]
fn content_tables_get_the_versions_indexes() {
    let six = CmsSchema::V6.content_indexes("siteserver_Content_1");
    assert_eq!(
        six.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
        ["IX_siteserver_Content_1", "IX_siteserver_Content_1_Taxis"]
    );
    assert_eq!(
        Dialect::MySql.create_index("siteserver_Content_1", &six[0]),
        "CREATE INDEX `IX_siteserver_Content_1` ON `siteserver_Content_1` (`IsTop` DESC, `Taxis` DESC, `Id` DESC)"
    );
    let seven = CmsSchema::V7.content_indexes("t");
    assert_eq!(seven.len(), 5);
    assert_eq!(
        Dialect::Postgres.create_index("t", &seven[1]),
        r#"CREATE INDEX "IX_t_SiteId" ON "t" ("SiteId" ASC)"#
    );
    assert!(CmsSchema::Any.content_indexes("t").is_empty());
}

#[test]
fn composite_keys_make_one_clause() {
    let t = TableMeta {
        name: "t".into(),
        columns: vec![
            Column::new("A", DataType::Integer).primary_key(),
            Column::new("B", DataType::VarChar).primary_key(),
        ],
    };
    assert_eq!(
        Dialect::MySql.create_table(&t),
        "CREATE TABLE `t` (`A` int, `B` varchar(500), PRIMARY KEY (`A`, `B`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
    );
    assert_eq!(
        Dialect::Sqlite.create_table(&t),
        r#"CREATE TABLE "t" ("A" INTEGER, "B" NVARCHAR, CONSTRAINT "PK_t_A" PRIMARY KEY ("A", "B"))"#
    );
}

#[test]
fn quoting_escapes_the_quote_character() {
    assert_eq!(Dialect::Sqlite.quote("a\"b"), "\"a\"\"b\"");
    assert_eq!(Dialect::MySql.quote("a`b"), "`a``b`");
    assert_eq!(Dialect::SqlServer.quote("a]b"), "[a]]b]");
}

#[test]
fn inserts_number_their_placeholders() {
    let cols = &site().columns[..2];
    assert_eq!(
        Dialect::Postgres.insert("t", cols, 2),
        r#"INSERT INTO "t" ("Id", "SiteName") VALUES ($1, $2), ($3, $4)"#
    );
    assert_eq!(
        Dialect::SqlServer.insert("t", cols, 1),
        "INSERT INTO [t] ([Id], [SiteName]) VALUES (@P1, @P2)"
    );
}

#[test]
fn batches_fit_the_bind_limit() {
    assert_eq!(Dialect::SqlServer.batch_rows(3), 666);
    assert_eq!(Dialect::SqlServer.batch_rows(1), 1000);
    assert_eq!(Dialect::Sqlite.batch_rows(100), 327);
    assert_eq!(Dialect::Sqlite.batch_rows(50_000), 1);
    for d in [
        Dialect::Sqlite,
        Dialect::MySql,
        Dialect::Postgres,
        Dialect::SqlServer,
    ] {
        for cols in [1, 7, 40, 300] {
            assert!(d.batch_rows(cols) * cols <= d.max_bind_params() || cols > d.max_bind_params());
        }
    }
}

#[test]
fn columns_widen_for_their_values() {
    let t = TableMeta {
        name: "t".into(),
        columns: vec![
            Column::new("Id", DataType::Integer)
                .primary_key()
                .identity(),
            Column::new("Name", DataType::VarChar).length(5),
            Column::new("Price", DataType::Decimal),
            Column::new("At", DataType::DateTime),
        ],
    };
    let fits = [
        ColumnFit {
            wide_int: true,
            ..ColumnFit::default()
        },
        ColumnFit {
            max_chars: 6,
            max_utf16: 7,
            ..ColumnFit::default()
        },
        ColumnFit {
            int_digits: 20,
            scale: 4,
            ..ColumnFit::default()
        },
        ColumnFit {
            frac_digits: 3,
            ..ColumnFit::default()
        },
    ];
    assert_eq!(
        Dialect::MySql.create_table_fit(&t, &fits),
        "CREATE TABLE `t` (`Id` BIGINT AUTO_INCREMENT, `Name` longtext, `Price` decimal(24, 4), `At` datetime(3), PRIMARY KEY (`Id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
    );
    assert_eq!(
        Dialect::Postgres.create_table_fit(&t, &fits),
        r#"CREATE TABLE "t" ("Id" BIGSERIAL, "Name" text, "Price" numeric(24, 4), "At" timestamptz, CONSTRAINT "PK_t_Id" PRIMARY KEY ("Id"))"#
    );
    assert_eq!(
        Dialect::SqlServer.create_table_fit(&t, &fits),
        "CREATE TABLE [t] ([Id] bigint IDENTITY (1, 1), [Name] [nvarchar] (max), [Price] [decimal] (24, 4), [At] [datetime2] (3), CONSTRAINT [PK_t_Id] PRIMARY KEY ([Id]))"
    );
    // SQLite enforces none of it, so nothing changes.
    assert_eq!(
        Dialect::Sqlite.create_table_fit(&t, &fits),
        Dialect::Sqlite.create_table(&t)
    );
    // Values that fit ask for the standard types.
    let fitting = ColumnFit {
        max_chars: 5,
        int_digits: 16,
        scale: 2,
        ..ColumnFit::default()
    };
    for d in [Dialect::MySql, Dialect::Postgres, Dialect::SqlServer] {
        for c in &t.columns {
            assert_eq!(d.column_type_fit(c, &fitting), d.column_type(c));
        }
    }
    // A key cannot be a text type, so it gets a longer varchar.
    let key = Column::new("K", DataType::VarChar).length(5).primary_key();
    assert_eq!(Dialect::MySql.column_type_fit(&key, &fits[1]), "varchar(6)");
    assert_eq!(
        Dialect::SqlServer.column_type_fit(&key, &fits[1]),
        "[nvarchar] (7)"
    );
    // A MySQL VarChar longer than utf8mb4 allows is longtext.
    let long = Column::new("L", DataType::VarChar).length(20_000);
    assert_eq!(Dialect::MySql.column_type(&long), "longtext");
}

#[test]
fn values_beyond_every_type_are_refused() {
    let price = Column::new("Price", DataType::Decimal);
    let huge = ColumnFit {
        int_digits: 70,
        ..ColumnFit::default()
    };
    assert!(
        Dialect::MySql
            .unrepresentable(&price, &huge)
            .unwrap()
            .contains("at most 65 digits")
    );
    assert_eq!(Dialect::Postgres.unrepresentable(&price, &huge), None);
    assert_eq!(Dialect::Sqlite.unrepresentable(&price, &huge), None);
    let at = Column::new("At", DataType::DateTime);
    let nanos = ColumnFit {
        frac_digits: 9,
        ..ColumnFit::default()
    };
    assert!(Dialect::Postgres.unrepresentable(&at, &nanos).is_some());
    assert!(Dialect::MySql.unrepresentable(&at, &nanos).is_some());
    let body = Column::new("Body", DataType::Text);
    let nul = ColumnFit {
        nul_char: true,
        ..ColumnFit::default()
    };
    assert!(Dialect::Postgres.unrepresentable(&body, &nul).is_some());
    assert_eq!(Dialect::MySql.unrepresentable(&body, &nul), None);
}

#[test]
fn postgres_casts_text_bound_decimals_and_dates() {
    let cols = [
        Column::new("P", DataType::Decimal),
        Column::new("D", DataType::DateTime),
        Column::new("B", DataType::Boolean),
    ];
    assert_eq!(
        Dialect::Postgres.insert("t", &cols, 1),
        r#"INSERT INTO "t" ("P", "D", "B") VALUES ($1::numeric, $2::timestamp, $3)"#
    );
    assert_eq!(
        Dialect::MySql.insert("t", &cols, 1),
        "INSERT INTO `t` (`P`, `D`, `B`) VALUES (?, ?, ?)"
    );
}

#[test]
fn select_reads_in_key_order() {
    assert_eq!(
        Dialect::SqlServer.select_all(&site(), None, Select::first(Some(10))),
        "SELECT TOP (10) [Id], [SiteName], [IsRoot], [Top] FROM [siteserver_Site] ORDER BY [Id]"
    );
    let mut t = site();
    t.columns.iter_mut().for_each(|c| {
        c.is_primary_key = false;
        c.is_identity = false;
    });
    assert_eq!(
        Dialect::Sqlite.select_all(&t, Some("rowid"), Select::all()),
        r#"SELECT "Id", "SiteName", "IsRoot", "Top" FROM "siteserver_Site" ORDER BY rowid"#
    );
}

#[test]
fn parts_of_a_table_are_read_by_key_range_and_their_first_keys_by_offset() {
    let range = Select {
        from_key: Some(5),
        below_key: Some(10),
        ..Select::default()
    };
    let key_at = Select {
        offset: 100,
        limit: Some(1),
        ..Select::default()
    };
    let cols = "[Id], [SiteName], [IsRoot], [Top] FROM [siteserver_Site]";
    assert_eq!(
        Dialect::SqlServer.select_all(&site(), None, range),
        format!("SELECT {cols} WHERE [Id] >= 5 AND [Id] < 10 ORDER BY [Id]")
    );
    assert_eq!(
        Dialect::SqlServer.select_all(&site(), None, key_at),
        format!("SELECT {cols} ORDER BY [Id] OFFSET 100 ROWS FETCH NEXT 1 ROWS ONLY")
    );
    let cols = "`Id`, `SiteName`, `IsRoot`, `Top` FROM `siteserver_Site`";
    let first = Select {
        below_key: Some(-3),
        ..Select::default()
    };
    assert_eq!(
        Dialect::MySql.select_all(&site(), None, first),
        format!("SELECT {cols} WHERE `Id` < -3 ORDER BY `Id`")
    );
    assert_eq!(
        Dialect::MySql.select_all(&site(), None, key_at),
        format!("SELECT {cols} ORDER BY `Id` LIMIT 1 OFFSET 100")
    );
    assert_eq!(
        Dialect::Postgres.select_all(
            &site(),
            None,
            Select {
                offset: 7,
                ..key_at
            }
        ),
        r#"SELECT "Id", "SiteName", "IsRoot", "Top" FROM "siteserver_Site" ORDER BY "Id" LIMIT 1 OFFSET 7"#
    );
}
