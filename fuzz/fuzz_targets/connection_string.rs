//! Connection strings: the ADO.NET parser, and the server address, SQLite path and masked form
//! of the input for every database type, as given and as the body of each URL scheme.
//!
//! The first byte picks the database type and the URL prefix (or none), so each input makes one
//! `DatabaseConfig` instead of 32 and the fuzzer runs many more inputs; the rest is the string.
#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use sscms_core::config::write::{Generation, provider_connection_string};
use sscms_core::config::{ConfigSource, ConnectionString, DatabaseConfig, DatabaseType};

const TYPES: [DatabaseType; 4] = [
    DatabaseType::Sqlite,
    DatabaseType::MySql,
    DatabaseType::PostgreSql,
    DatabaseType::SqlServer,
];
const URL_PREFIXES: [&str; 8] = [
    "",
    "mysql://",
    "mariadb://",
    "postgres://",
    "sqlserver://",
    "jdbc:sqlserver://",
    "sqlite:",
    "sqlite://",
];
const PASSWORD_KEYS: &[&str] = &["Pwd", "Password"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(s) = std::str::from_utf8(rest) else {
        return;
    };

    if let Ok(cs) = ConnectionString::parse(s) {
        let _ = cs.get(&["Server", "Host", "Data Source"]);
        let masked = cs.masked();
        let back = ConnectionString::parse(&masked)
            .unwrap_or_else(|e| panic!("masked() of {s:?} gives {masked:?}, which fails: {e}"));
        assert_eq!(back.masked(), masked);
        if cs.get(PASSWORD_KEYS).is_none() {
            assert_eq!(back, cs, "masked() of {s:?} does not parse back the same");
        }
    }

    let prefix = URL_PREFIXES[usize::from(pick) % URL_PREFIXES.len()];
    let database_type = TYPES[usize::from(pick / 8) % TYPES.len()];
    let config = DatabaseConfig {
        database_type,
        connection_string: format!("{prefix}{s}"),
        base_dir: PathBuf::from("/base"),
        source: ConfigSource::Flag,
    };
    let _ = config.server();
    let _ = config.sqlite_path();
    let _ = config.masked();

    // What `siteserver config` writes from a URL or SQLite path must parse, password intact.
    for generation in [Generation::V6, Generation::V7] {
        let Ok(written) = provider_connection_string(&config, generation) else {
            continue;
        };
        if database_type != DatabaseType::Sqlite && !config.connection_string.contains("://") {
            continue; // kept as the user wrote it
        }
        let cs = ConnectionString::parse(&written)
            .unwrap_or_else(|e| panic!("{written:?} written from {config:?} fails: {e}"));
        if let Ok(addr) = config.server()
            && !addr.integrated_security
        {
            let written_password = cs.get(PASSWORD_KEYS).filter(|p| !p.is_empty());
            assert_eq!(written_password, addr.password.as_deref(), "{written:?}");
        }
    }
});
