//! Flags > environment > config file: which setting wins.

use std::path::Path;

use super::discover::find_config_file;
use super::files;
use super::types::{
    ConfigError, ConfigInputs, ConfigSource, DatabaseConfig, DatabaseType, ENV_CONNECTION_STRING,
    ENV_DATABASE_TYPE, FLAG_CONNECTION_STRING, FLAG_DATABASE_TYPE,
};
use super::url::{split_url, url_type};

/// Finds the database settings. Each of type and connection string is taken
/// from the first of: 1. the flag, 2. its env var, 3. the `-c` config file,
/// 4. `Web.config`, then `sscms.json`, in `cwd` (names matched in any case).
///
/// Source choices:
/// - Files are only read when a flag or env var leaves something missing.
/// - Steps 3 and 4 are one source: a single file supplies whatever is still
///   missing, so type and string never come from two different files. With
///   `-c`, the cwd files are not consulted; `-c` may also name a folder.
/// - In the cwd, a Web.config without DatabaseType and ConnectionString (an IIS
///   `web.config` of a 7.x site) is skipped in favour of sscms.json.
/// - A flag/env connection string that is a URL (`mysql://…`) sets the type
///   unless a flag/env type is given; a conflicting type is an error.
/// - A file without a type is an error, not the original's silent default
///   (SqlServer for Web.config, MySql for sscms.json); the message says so.
pub fn resolve(
    inputs: &ConfigInputs<'_>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<DatabaseConfig, ConfigError> {
    let mut looked_type: Vec<String> = Vec::new();
    let mut looked_cs: Vec<String> = Vec::new();

    let mut db_type: Option<(DatabaseType, String)> = None;
    if let Some(v) = inputs.database_type {
        db_type = Some((
            parse_type(v, FLAG_DATABASE_TYPE)?,
            FLAG_DATABASE_TYPE.to_string(),
        ));
    } else {
        looked_type.push(format!("{FLAG_DATABASE_TYPE} (not given)"));
        match env(ENV_DATABASE_TYPE).filter(|v| !v.trim().is_empty()) {
            Some(v) => {
                db_type = Some((
                    parse_type(&v, ENV_DATABASE_TYPE)?,
                    ENV_DATABASE_TYPE.to_string(),
                ));
            }
            None => looked_type.push(format!("{ENV_DATABASE_TYPE} (not set)")),
        }
    }

    let mut cs: Option<(String, ConfigSource)> = None;
    if let Some(v) = inputs.connection_string {
        if v.trim().is_empty() {
            return Err(ConfigError::In {
                place: FLAG_CONNECTION_STRING.into(),
                inner: Box::new(ConfigError::Empty),
            });
        }
        cs = Some((v.trim().to_string(), ConfigSource::Flag));
    } else {
        looked_cs.push(format!("{FLAG_CONNECTION_STRING} (not given)"));
        match env(ENV_CONNECTION_STRING).filter(|v| !v.trim().is_empty()) {
            Some(v) => cs = Some((v.trim().to_string(), ConfigSource::Env)),
            None => looked_cs.push(format!("{ENV_CONNECTION_STRING} (not set)")),
        }
    }

    // A URL given by flag/env states its own type.
    if db_type.is_none()
        && let Some((s, src)) = &cs
        && let Some((_, t)) = url_type(s)
    {
        db_type = Some((t, src.to_string()));
    }

    if db_type.is_none() || cs.is_none() {
        let (file, notes) = find_config_file(inputs)?;
        match file {
            None => {
                looked_type.extend(notes.iter().cloned());
                looked_cs.extend(notes);
            }
            Some(file) => {
                let path_s = file.path.display().to_string();
                if db_type.is_none() {
                    match file.database_type()? {
                        Some(v) => {
                            let place = format!("{path_s}: {}", file.kind.type_key());
                            db_type = Some((parse_type(&v, &place)?, path_s.clone()));
                        }
                        None => {
                            let default = match file.kind {
                                files::ConfigFileKind::WebConfig => {
                                    "SiteServer 6.x assumed SqlServer"
                                }
                                files::ConfigFileKind::SscmsJson => "SSCMS 7.x assumed MySql",
                            };
                            looked_type.push(format!(
                                "{path_s} (no {}; {default}, pass {FLAG_DATABASE_TYPE} to confirm)",
                                file.kind.type_key()
                            ));
                        }
                    }
                }
                if cs.is_none() {
                    match file.connection_string()? {
                        Some(v) => {
                            cs = Some((v.trim().to_string(), ConfigSource::File(file.path.clone())))
                        }
                        None => looked_cs.push(format!(
                            "{path_s} (no {})",
                            file.kind.connection_string_key()
                        )),
                    }
                }
            }
        }
    }

    let Some((connection_string, source)) = cs else {
        return Err(ConfigError::Missing {
            what: "connection string",
            looked: looked_cs.join(", "),
        });
    };
    let Some((database_type, type_place)) = db_type else {
        if split_url(&connection_string).is_some() {
            looked_type.push("the connection string's URL scheme (not a known database)".into());
        }
        return Err(ConfigError::Missing {
            what: "database type",
            looked: looked_type.join(", "),
        });
    };
    if let Some((scheme, t)) = url_type(&connection_string)
        && t != database_type
    {
        return Err(ConfigError::TypeMismatch {
            database_type,
            type_place,
            scheme,
        });
    }
    let base_dir = match &source {
        ConfigSource::File(p) => p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or_else(|| inputs.cwd.to_path_buf(), Path::to_path_buf),
        _ => inputs.cwd.to_path_buf(),
    };
    Ok(DatabaseConfig {
        database_type,
        connection_string,
        base_dir,
        source,
    })
}

fn parse_type(v: &str, place: &str) -> Result<DatabaseType, ConfigError> {
    if v.trim().is_empty() {
        return Err(ConfigError::In {
            place: place.into(),
            inner: Box::new(ConfigError::Empty),
        });
    }
    v.parse().map_err(|e| ConfigError::In {
        place: place.into(),
        inner: Box::new(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn inputs<'a>(
        t: Option<&'a str>,
        cs: Option<&'a str>,
        file: Option<&'a Path>,
        cwd: &'a Path,
    ) -> ConfigInputs<'a> {
        ConfigInputs {
            database_type: t,
            connection_string: cs,
            config_file: file,
            cwd,
        }
    }

    #[test]
    fn flags_win_and_files_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Web.config"), "<broken").unwrap();
        let c = resolve(
            &inputs(Some("mysql"), Some("Server=h;Uid=u"), None, dir.path()),
            &no_env,
        )
        .unwrap();
        assert_eq!(c.database_type, DatabaseType::MySql);
        assert_eq!(c.source, ConfigSource::Flag);
        assert_eq!(c.base_dir, dir.path());
    }

    #[test]
    fn env_used_when_flags_absent() {
        let env: HashMap<&str, &str> = HashMap::from([
            (ENV_DATABASE_TYPE, "PostgreSql"),
            (ENV_CONNECTION_STRING, "Host=h;Username=u"),
        ]);
        let env = |k: &str| env.get(k).map(|v| v.to_string());
        let dir = tempfile::tempdir().unwrap();
        let c = resolve(&inputs(None, None, None, dir.path()), &env).unwrap();
        assert_eq!(c.database_type, DatabaseType::PostgreSql);
        assert_eq!(c.source, ConfigSource::Env);
        assert_eq!(c.source.to_string(), ENV_CONNECTION_STRING);
        let c = resolve(
            &inputs(Some("SqlServer"), Some("Server=x"), None, dir.path()),
            &env,
        )
        .unwrap();
        assert_eq!(c.database_type, DatabaseType::SqlServer);
    }

    #[test]
    fn url_connection_string_sets_type() {
        let dir = tempfile::tempdir().unwrap();
        let c = resolve(
            &inputs(None, Some("postgres://u@h/d"), None, dir.path()),
            &no_env,
        )
        .unwrap();
        assert_eq!(c.database_type, DatabaseType::PostgreSql);
        let c = resolve(
            &inputs(None, Some("sqlite:x.db"), None, dir.path()),
            &no_env,
        )
        .unwrap();
        assert_eq!(c.sqlite_path().unwrap(), dir.path().join("x.db"));
        let err = resolve(
            &inputs(Some("MySql"), Some("postgres://u@h/d"), None, dir.path()),
            &no_env,
        )
        .unwrap_err();
        assert!(matches!(err, ConfigError::TypeMismatch { .. }), "{err}");
        let err = resolve(&inputs(None, Some("Server=h"), None, dir.path()), &no_env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no database type")
                && err.contains(FLAG_DATABASE_TYPE)
                && err.contains(ENV_DATABASE_TYPE)
                && err.contains("Web.config"),
            "{err}"
        );
    }

    #[test]
    fn nothing_anywhere_lists_what_was_looked_at() {
        let dir = tempfile::tempdir().unwrap();
        let err = resolve(&inputs(None, None, None, dir.path()), &no_env)
            .unwrap_err()
            .to_string();
        for s in [
            FLAG_CONNECTION_STRING,
            ENV_CONNECTION_STRING,
            "Web.config",
            "sscms.json",
        ] {
            assert!(err.contains(s), "{err}");
        }
        assert!(!err.contains('\n'));
    }

    #[test]
    fn web_config_in_cwd_and_protected_values() {
        // Encrypted values from protect.rs tests (computed with Python `cryptography`).
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Web.config"),
            r#"<?xml version="1.0"?><configuration><appSettings>
            <add key="IsProtectData" value="True" />
            <add key="SecretKey" value="eef9e4b0d48bf7a5" />
            <add key="DatabaseType" value="DXZRYLMDOKE0equals00secret0" />
            <add key="ConnectionString" value="nxn0slash0Flqd70add0JcgPZDVx0add0Y0add0VUJ3OU3rNF47O8tfi0IJSyNycuJ2XE3eiVtrEordYdw10bxhqdIThk0equals00secret0" />
            </appSettings></configuration>"#,
        )
        .unwrap();
        let c = resolve(&inputs(None, None, None, dir.path()), &no_env).unwrap();
        assert_eq!(c.database_type, DatabaseType::MySql);
        assert_eq!(
            c.connection_string,
            "Server=127.0.0.1;Uid=root;Pwd=pass;Database=cms;"
        );
        assert_eq!(c.source, ConfigSource::File(dir.path().join("Web.config")));
        assert_eq!(c.masked(), "Server=127.0.0.1;Uid=root;Pwd=***;Database=cms");
        // A flag overrides just the connection string; the type still comes from the file.
        let c = resolve(
            &inputs(None, Some("Server=other"), None, dir.path()),
            &no_env,
        )
        .unwrap();
        assert_eq!(
            (c.database_type, c.source),
            (DatabaseType::MySql, ConfigSource::Flag)
        );
    }

    #[test]
    fn iis_web_config_is_skipped_for_sscms_json() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("web.config"),
            "<configuration><system.webServer/></configuration>",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("sscms.json"),
            r#"{"Database": {"Type": "SQLite", "ConnectionString": "Data Source=~/database.sqlite;Version=3;"}}"#,
        )
        .unwrap();
        let c = resolve(&inputs(None, None, None, dir.path()), &no_env).unwrap();
        assert_eq!(c.database_type, DatabaseType::Sqlite);
        assert_eq!(c.sqlite_path().unwrap(), dir.path().join("database.sqlite"));
    }

    #[test]
    fn explicit_config_file_relative_to_cwd_sets_base_dir() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("site")).unwrap();
        std::fs::write(
            dir.path().join("site/prod.conf"),
            r#"{"database": {"type": "sqlite", "connectionString": "Data Source=~/db.sqlite"}}"#,
        )
        .unwrap();
        // A cwd Web.config must not be consulted when -c is given.
        std::fs::write(dir.path().join("Web.config"), "<broken").unwrap();
        let c = resolve(
            &inputs(None, None, Some(Path::new("site/prod.conf")), dir.path()),
            &no_env,
        )
        .unwrap();
        assert_eq!(c.base_dir, dir.path().join("site"));
        assert_eq!(c.sqlite_path().unwrap(), dir.path().join("site/db.sqlite"));
        let err = resolve(
            &inputs(None, None, Some(Path::new("nope.config")), dir.path()),
            &no_env,
        )
        .unwrap_err();
        assert!(matches!(err, ConfigError::FileNotFound { .. }), "{err}");
        let c = resolve(
            &inputs(None, None, Some(Path::new("site")), dir.path()),
            &no_env,
        );
        assert!(c.is_err(), "folder without config files");
    }

    #[test]
    fn file_without_type_is_an_error_mentioning_the_original_default() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Web.config"),
            r#"<configuration><appSettings><add key="ConnectionString" value="Server=h;Pwd=secret"/></appSettings></configuration>"#,
        )
        .unwrap();
        let err = resolve(&inputs(None, None, None, dir.path()), &no_env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("assumed SqlServer") && !err.contains("secret"),
            "{err}"
        );
        let c = resolve(&inputs(Some("SqlServer"), None, None, dir.path()), &no_env).unwrap();
        assert_eq!(c.connection_string, "Server=h;Pwd=secret");
    }

    #[test]
    fn bad_type_in_file_names_file_and_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Web.config"),
            r#"<configuration><appSettings><add key="DatabaseType" value="Oracle"/><add key="ConnectionString" value="x=y"/></appSettings></configuration>"#,
        )
        .unwrap();
        let err = resolve(&inputs(None, None, None, dir.path()), &no_env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Web.config: DatabaseType: Oracle is not supported"),
            "{err}"
        );
        let err = resolve(&inputs(Some("Foo"), Some("x=y"), None, dir.path()), &no_env)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("--database-type: unknown database type 'Foo'"),
            "{err}"
        );
    }
}
