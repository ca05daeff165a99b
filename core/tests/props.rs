//! Bounded property tests over the entry points that the fuzz targets in `fuzz/` drive: backup
//! folders, settings strings, connection strings and config files. No input may panic, and the
//! round trips hold. Few cases, so `cargo test` stays quick; the fuzzers go further.

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;
use sscms_core::backup::{MANIFEST_FILE, METADATA_FILE, RowKeys, TABLES_FILE};
use sscms_core::config::files::ConfigFile;
use sscms_core::config::write::{self, Generation, NewConfig};
use sscms_core::config::{ConfigSource, ConnectionString, DatabaseConfig, DatabaseType, protect};
use sscms_core::settings::{Settings, escape_value, unescape_value};
use sscms_core::{BackupReader, BackupWriter, Column, DataType, TableMeta};

const TYPES: [DatabaseType; 4] = [
    DatabaseType::Sqlite,
    DatabaseType::MySql,
    DatabaseType::PostgreSql,
    DatabaseType::SqlServer,
];
const PASSWORD_KEYS: &[&str] = &["Pwd", "Password"];

/// Text glued from pieces of a format's syntax and a few arbitrary characters, so the cases hit
/// the parsers' edges rather than only their error for random noise.
fn text_of(pieces: &'static [&'static str]) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => proptest::sample::select(pieces).prop_map(str::to_string),
        1 => proptest::collection::vec(any::<char>(), 0..4).prop_map(String::from_iter),
    ];
    proptest::collection::vec(piece, 0..16).prop_map(|v| v.concat())
}

fn settings_text() -> impl Strategy<Value = String> {
    text_of(&[
        "a",
        "Key",
        "=",
        "&",
        "&&",
        "/u0026",
        "_",
        "%",
        "%5F",
        "+",
        "{",
        "}",
        "_equals_",
        "_and_",
        "_question_",
        "_quote_",
        "_add_",
        "_return_",
        "_newline_",
        "\r",
        "\n",
        "é",
    ])
}

fn connection_text() -> impl Strategy<Value = String> {
    text_of(&[
        "Server",
        "Host",
        "Data Source",
        "Port",
        "Pwd",
        "Password",
        "Uid",
        "Database",
        "Integrated Security",
        "Search Path",
        "Options",
        "search_path=",
        "Connect Timeout",
        "SslMode",
        "Timezone",
        "=",
        "==",
        ";",
        " ",
        "'",
        "\"",
        "''",
        "h",
        "1433",
        ",",
        ":",
        "\\",
        "@",
        "/",
        "?",
        "&",
        "%",
        "%40",
        "%zz",
        "[",
        "]",
        "::1",
        "~/",
        "file:",
        "true",
        "SSPI",
        "0",
        "-1",
        "65536",
    ])
}

fn url_prefix() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(
        &[
            "",
            "mysql://",
            "mariadb://",
            "postgres://",
            "postgresql://",
            "sqlserver://",
            "mssql://",
            "jdbc:sqlserver://",
            "sqlite:",
            "sqlite://",
            "redis://",
        ][..],
    )
}

fn config(database_type: DatabaseType, connection_string: String) -> DatabaseConfig {
    DatabaseConfig {
        database_type,
        connection_string,
        base_dir: PathBuf::from("/base"),
        source: ConfigSource::Flag,
    }
}

fn config_text() -> impl Strategy<Value = String> {
    text_of(&[
        "<?xml version=\"1.0\"?>",
        "\u{feff}",
        "<configuration>",
        "</configuration>",
        "<appSettings>",
        "</appSettings>",
        "<add key=\"",
        "DatabaseType",
        "ConnectionString",
        "IsProtectData",
        "SecretKey",
        "\" value=\"",
        "\" />",
        "<!-- x -->",
        "&amp;",
        "&#x41;",
        "&bad;",
        "<",
        ">",
        "\"",
        "{",
        "}",
        "\"Database\":",
        "{\"Type\":",
        "\"SecurityKey\":",
        "\"IsProtectData\":",
        "\"Database:Type\":",
        "true",
        "\"True\"",
        "null",
        "[1]",
        ",",
        ":",
        "\"MySql\"",
        "\"eef9e4b0d48bf7a5\"",
        "DXZRYLMDOKE0equals00secret0",
        "0secret0",
        "0add0",
        "0slash0",
    ])
}

/// Checks what the fuzzers check on a parsed config file.
fn check_config_file(file: &ConfigFile) {
    let _ = file.has_database_settings();
    let _ = file.database_type();
    let _ = file.connection_string();
}

fn backup_text() -> impl Strategy<Value = String> {
    text_of(&[
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "\"t\"",
        "\"T\"",
        "\"../x\"",
        "\"select\"",
        "\"\"",
        "\"columns\":",
        "\"attributeName\":",
        "\"Id\"",
        "\"id\"",
        "\"dataType\":",
        "\"Integer\"",
        "\"VarChar\"",
        "\"Blob\"",
        "0",
        "7",
        "-1",
        "1.5",
        "1e400",
        "\"dataLength\":",
        "2147483648",
        "\"isPrimaryKey\":",
        "true",
        "null",
        "\"totalCount\":",
        "\"rows\":",
        "\"rowFiles\":",
        "\"1.json\"",
        "\"row_num\"",
        "\u{feff}",
        " ",
    ])
}

/// A backup folder holding the given files; names with `/` get their folder.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = tmp.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    tmp
}

/// Opens `dir` and reads every table and row file it lists, as restore does; errors are fine.
fn read_all(dir: &Path) -> Result<Vec<Vec<Vec<Value>>>, String> {
    let reader = BackupReader::open(dir).map_err(|e| e.to_string())?;
    let mut tables = Vec::new();
    for table in reader.tables() {
        let data = reader.table(table).map_err(|e| e.to_string())?;
        let keys = RowKeys::new(&data.meta);
        let mut rows = Vec::new();
        for file in &data.row_files {
            reader
                .read_rows(table, file, |_, row| {
                    rows.push(keys.align(row).map_err(sscms_core::Error::Invalid)?);
                    Ok(())
                })
                .map_err(|e| e.to_string())?;
        }
        tables.push(rows);
    }
    reader.verify_manifest_files().map_err(|e| e.to_string())?;
    Ok(tables)
}

/// Column names as SiteServer tables have them, plus a few non-ASCII letters; distinct in any
/// case, as the reader matches keys to columns case-insensitively.
fn columns() -> impl Strategy<Value = Vec<Column>> {
    let types = proptest::sample::select(DataType::ALL.to_vec());
    let name = "[A-Za-zΣσÉéİ][A-Za-z0-9_Σσ]{0,8}";
    proptest::collection::vec((name, types), 1..5).prop_map(|cols| {
        let fold = |s: &str| s.chars().flat_map(char::to_lowercase).collect::<String>();
        let mut out: Vec<Column> = Vec::new();
        for (name, data_type) in cols {
            if !out.iter().any(|c| fold(&c.attribute_name) == fold(&name)) {
                out.push(Column::new(&name, data_type));
            }
        }
        out
    })
}

fn json_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn settings_decode_and_round_trip(s in settings_text()) {
        let parsed = Settings::parse(&s);
        let encoded = parsed.encode();
        prop_assert_eq!(&Settings::parse(&encoded), &parsed);
        prop_assert_eq!(Settings::parse(&encoded).encode(), encoded);
        let _ = parsed.to_json();
    }

    #[test]
    fn settings_encode_round_trips(
        pairs in proptest::collection::vec((settings_text(), settings_text()), 0..5)
    ) {
        let built: Settings = pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        prop_assert_eq!(Settings::parse(&built.encode()), built);
        for (k, v) in &pairs {
            prop_assert_eq!(&unescape_value(&escape_value(k)), k);
            prop_assert_eq!(&unescape_value(&escape_value(v)), v);
        }
    }

    #[test]
    fn connection_strings_parse_mask_and_resolve(s in connection_text(), prefix in url_prefix()) {
        if let Ok(cs) = ConnectionString::parse(&s) {
            let masked = cs.masked();
            let back = ConnectionString::parse(&masked);
            prop_assert!(back.is_ok(), "masked() of {:?} gives {:?}", s, masked);
            let back = back.unwrap();
            prop_assert_eq!(&back.masked(), &masked);
            if cs.get(PASSWORD_KEYS).is_none() {
                prop_assert_eq!(back, cs);
            }
        }
        let connection_string = format!("{prefix}{s}");
        for database_type in TYPES {
            let c = config(database_type, connection_string.clone());
            let _ = c.server();
            let _ = c.sqlite_path();
            let _ = c.masked();
            for generation in [Generation::V6, Generation::V7] {
                if let Ok(written) = write::provider_connection_string(&c, generation)
                    && (database_type == DatabaseType::Sqlite || connection_string.contains("://"))
                {
                    prop_assert!(ConnectionString::parse(&written).is_ok(), "{:?}", written);
                }
            }
        }
    }

    #[test]
    fn config_files_parse(text in config_text()) {
        if let Ok(f) = ConfigFile::parse_web_config(Path::new("/site/Web.config"), &text) {
            check_config_file(&f);
        }
        if let Ok(f) = ConfigFile::parse_sscms_json(Path::new("/site/sscms.json"), &text) {
            check_config_file(&f);
        }
    }

    /// What `siteserver config` writes, both generations, plain and DES-protected, reads back.
    #[test]
    fn written_config_files_read_back(
        type_index in 0..TYPES.len(),
        connection_string in "[^\\p{Cc}]{1,40}",
        protected in any::<bool>(),
        secret_key in "[0-9a-f]{8,32}",
    ) {
        let database_type = TYPES[type_index];
        let new = NewConfig {
            database_type,
            connection_string: connection_string.clone(),
            protect: protected,
            secret_key,
            redis: String::new(),
        };
        let want = Some(connection_string.clone()).filter(|s| !s.trim().is_empty());
        for (text, read) in [
            (
                write::web_config(&new, None).unwrap(),
                ConfigFile::parse_web_config as fn(&Path, &str) -> _,
            ),
            (write::sscms_json(&new).unwrap(), ConfigFile::parse_sscms_json),
        ] {
            let f = read(Path::new("/site/config"), &text).unwrap();
            prop_assert_eq!(f.database_type().unwrap(), Some(database_type.to_string()));
            prop_assert_eq!(&f.connection_string().unwrap(), &want);
        }
        let enc = protect::encrypt(&new.secret_key, &connection_string).unwrap();
        prop_assert_eq!(protect::decrypt(&new.secret_key, &enc).unwrap(), connection_string);
    }

    #[test]
    fn backup_folders_read_without_panic(
        tables in backup_text(),
        metadata in backup_text(),
        rows in backup_text(),
        manifest in proptest::option::of(backup_text()),
    ) {
        let mut files = vec![
            (TABLES_FILE.to_string(), tables),
            (format!("t/{METADATA_FILE}"), metadata),
            ("t/1.json".to_string(), rows),
        ];
        if let Some(m) = manifest {
            files.push((MANIFEST_FILE.to_string(), m));
        }
        let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        let tmp = folder(&files);
        let _ = read_all(tmp.path());
    }

    /// Rows written with [`BackupWriter`] are read back the same, page by page.
    #[test]
    fn backup_writer_round_trips(
        cols in columns(),
        raw_rows in proptest::collection::vec(proptest::collection::vec(json_value(), 5), 0..12),
        page_size in 1usize..5,
    ) {
        let meta = TableMeta { name: "t".into(), columns: cols };
        let rows: Vec<Vec<Value>> = raw_rows
            .into_iter()
            .map(|mut r| {
                r.truncate(meta.columns.len());
                r
            })
            .collect();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("bak");
        let mut w = BackupWriter::create(&dir, None).unwrap();
        let mut t = w.table(&meta, page_size).unwrap();
        for r in &rows {
            t.push(r).unwrap();
        }
        w.add(t.finish().unwrap());
        w.finish().unwrap();
        let read = read_all(&dir);
        prop_assert_eq!(read, Ok(vec![rows]));
    }
}
