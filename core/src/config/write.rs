//! Writing the new site's config: `sscms.json` for 7.x, `Web.config` appSettings for 6.x, in
//! the shapes the CMS reads (spec §5.3, §5.4), so that [`super::files`] reads back what is
//! written here.

use std::path::Path;

use quick_xml::events::Event;

use super::connstr::quote_value;
use super::protect;
use super::types::{ConfigError, DatabaseConfig, DatabaseType};

/// Which CMS the file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generation {
    /// SiteServer 6.x: `Web.config`.
    V6,
    /// SSCMS 7.x: `sscms.json`.
    V7,
}

impl Generation {
    /// The generation of a target version such as `7.4` or `6.15` (`latest` is 7.x).
    pub fn of_version(version: &str) -> Result<Self, ConfigError> {
        let v = version.trim();
        if v.eq_ignore_ascii_case("latest") {
            return Ok(Self::V7);
        }
        match v.split('.').next().and_then(|m| m.parse::<u64>().ok()) {
            Some(6) => Ok(Self::V6),
            Some(7) => Ok(Self::V7),
            _ => Err(ConfigError::InvalidValue {
                reason: format!("no config file is written for version '{v}': only 6.x and 7.x"),
            }),
        }
    }

    /// The file name the CMS reads.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::V6 => "Web.config",
            Self::V7 => "sscms.json",
        }
    }
}

/// The settings of a config file to write, in plain text.
#[derive(Debug, Clone)]
pub struct NewConfig {
    pub database_type: DatabaseType,
    /// In the provider's own syntax (see [`provider_connection_string`]).
    pub connection_string: String,
    /// Encrypt the database settings (DES, as both generations read it).
    pub protect: bool,
    /// `SecurityKey` (7.x) / `SecretKey` (6.x).
    pub secret_key: String,
    /// 7.x `Redis:ConnectionString`; empty for none.
    pub redis: String,
}

/// A fresh key of 32 hex digits. Without the `.` of 7.4's SM4 form, both generations protect
/// with DES, which this tool can read back and check.
pub fn generate_secret_key() -> Result<String, ConfigError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| ConfigError::InvalidValue {
        reason: format!("no random numbers for a SecurityKey: {e}"),
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The connection string as the CMS's provider takes it: an ADO.NET string given by the user
/// is kept as written; a URL becomes the template the CMS's own installer writes (spec §6);
/// SQLite gets an absolute `Data Source` with `Version=3`.
pub fn provider_connection_string(
    config: &DatabaseConfig,
    generation: Generation,
) -> Result<String, ConfigError> {
    let db = config.database_type;
    if generation == Generation::V6 && db == DatabaseType::Sqlite {
        return Err(ConfigError::InvalidValue {
            reason: "SiteServer 6.x cannot run on SQLite; restore into MySQL, PostgreSQL or SQL Server, or write a 7.x sscms.json".into(),
        });
    }
    if db == DatabaseType::Sqlite {
        let path = config.sqlite_path()?;
        let path = std::path::absolute(&path).unwrap_or(path);
        return Ok(format!(
            "Data Source={};Version=3;",
            quote_value(&path.display().to_string())
        ));
    }
    let given = config.connection_string.trim();
    if !given.contains("://") {
        return Ok(given.to_string());
    }
    let a = config.server()?;
    let q = |v: &Option<String>| quote_value(v.as_deref().unwrap_or_default());
    let port = |p: Option<u16>| p.map(|p| format!("Port={p};")).unwrap_or_default();
    let database = a
        .database
        .as_ref()
        .map(|d| format!("Database={};", quote_value(d)));
    let database = database.unwrap_or_default();
    Ok(match db {
        // utf8mb4, not the installer's `utf8`: the restored tables hold emoji.
        DatabaseType::MySql => format!(
            "Server={};{}Uid={};Pwd={};{database}SslMode={};CharSet=utf8mb4;",
            quote_value(&a.host),
            port(a.port),
            q(&a.user),
            q(&a.password),
            quote_value(a.ssl_mode.as_deref().unwrap_or("Preferred")),
        ),
        DatabaseType::PostgreSql => {
            let user_key = match generation {
                Generation::V6 => "Username",
                Generation::V7 => "User Id",
            };
            let host_key = match generation {
                Generation::V6 => "Host",
                Generation::V7 => "Server",
            };
            let mut s = format!(
                "{host_key}={};{}{user_key}={};Password={};{database}",
                quote_value(&a.host),
                port(a.port),
                q(&a.user),
                q(&a.password),
            );
            if let Some(schema) = &a.schema {
                s.push_str(&format!("Search Path={};", quote_value(schema)));
            }
            if let Some(tz) = &a.timezone {
                s.push_str(&format!("Timezone={};", quote_value(tz)));
            }
            s
        }
        DatabaseType::SqlServer => {
            let mut host = a.host.clone();
            if let Some(i) = &a.instance {
                host = format!("{host}\\{i}");
            }
            if let Some(p) = a.port {
                host = format!("{host},{p}");
            }
            let mut s = format!("Server={};", quote_value(&host));
            if a.integrated_security {
                s.push_str("Integrated Security=True;");
            } else {
                s.push_str(&format!("Uid={};Pwd={};", q(&a.user), q(&a.password)));
            }
            s.push_str(&database);
            if let Some(e) = &a.encrypt {
                s.push_str(&format!("Encrypt={};", quote_value(e)));
            }
            if let Some(t) = a.trust_server_certificate {
                s.push_str(&format!("TrustServerCertificate={t};"));
            }
            s
        }
        DatabaseType::Sqlite => unreachable!("handled above"),
    })
}

/// The stored forms of the two database settings: encrypted when protected.
fn stored(cfg: &NewConfig) -> Result<(String, String), ConfigError> {
    let ty = cfg.database_type.to_string();
    if !cfg.protect {
        return Ok((ty, cfg.connection_string.clone()));
    }
    if protect::is_sm4_key(&cfg.secret_key) {
        return Err(ConfigError::Sm4NotSupported {
            reason: "the key has the SM4 form <32 hex>.<32 hex>, and SM4 output cannot be checked against a public test vector; use a key without '.' (DES)",
        });
    }
    Ok((
        protect::encrypt(&cfg.secret_key, &ty)?,
        protect::encrypt(&cfg.secret_key, &cfg.connection_string)?,
    ))
}

/// `sscms.json` with every key 7.4 reads at start, so none is missing (siteserver/cms#3884).
pub fn sscms_json(cfg: &NewConfig) -> Result<String, ConfigError> {
    let (ty, cs) = stored(cfg)?;
    let redis = if cfg.protect && !cfg.redis.is_empty() {
        protect::encrypt(&cfg.secret_key, &cfg.redis)?
    } else {
        cfg.redis.clone()
    };
    let doc = serde_json::json!({
        "IsNightlyUpdate": false,
        "IsProtectData": cfg.protect,
        "IsSafeMode": false,
        "IsDisablePlugins": false,
        "SecurityKey": cfg.secret_key,
        "Database": { "Type": ty, "ConnectionString": cs },
        "Redis": { "ConnectionString": redis },
        "AdminRestriction": { "Host": "", "AllowList": [], "BlockList": [] },
        "Cors": { "IsOrigins": false, "Origins": [] },
    });
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| ConfigError::InvalidValue {
        reason: e.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}

/// The appSettings of a 6.x `Web.config`. Given the text of an existing `Web.config` (the new
/// site's own, with its ASP.NET sections), only these keys change and the rest stays byte for
/// byte; otherwise the file holds just the appSettings.
pub fn web_config(cfg: &NewConfig, existing: Option<(&Path, &str)>) -> Result<String, ConfigError> {
    let (ty, cs) = stored(cfg)?;
    let protect = if cfg.protect { "True" } else { "False" };
    let settings = [
        ("IsProtectData", protect),
        ("SecretKey", cfg.secret_key.as_str()),
        ("DatabaseType", ty.as_str()),
        ("ConnectionString", cs.as_str()),
    ];
    let Some((path, text)) = existing else {
        let mut out = String::from(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <appSettings>\n",
        );
        for (k, v) in settings {
            out.push_str(&format!("    {}\n", add_element(k, v)));
        }
        out.push_str("  </appSettings>\n</configuration>\n");
        return Ok(out);
    };
    edit_app_settings(path, text, &settings)
}

fn add_element(key: &str, value: &str) -> String {
    format!(
        "<add key=\"{}\" value=\"{}\" />",
        xml_escape(key),
        xml_escape(value)
    )
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// Replaces the `<add>` elements of `settings`' keys under `configuration/appSettings` and adds
/// the missing ones before `</appSettings>`.
fn edit_app_settings(
    path: &Path,
    text: &str,
    settings: &[(&str, &str)],
) -> Result<String, ConfigError> {
    let bad = |reason: String| ConfigError::BadFile {
        path: path.to_path_buf(),
        reason,
    };
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    // Byte spans to replace, with their new text.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut found = vec![false; settings.len()];
    let mut close_app = None;
    let mut open_config = None;
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader
            .read_event()
            .map_err(|e| bad(format!("not well-formed XML: {e}")))?;
        let end = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if stack.is_empty() && name == "configuration" {
                    open_config = Some(end);
                }
                stack.push(name);
            }
            Event::End(_) => {
                if stack.len() == 2 && stack[0] == "configuration" && stack[1] == "appSettings" {
                    close_app.get_or_insert(start);
                }
                stack.pop();
            }
            Event::Empty(e)
                if stack.len() == 2
                    && stack[0] == "configuration"
                    && stack[1] == "appSettings"
                    && e.local_name().as_ref() == b"add" =>
            {
                let key = e
                    .try_get_attribute("key")
                    .ok()
                    .flatten()
                    .and_then(|a| a.unescape_value().ok().map(|v| v.trim().to_string()));
                if let Some(i) = key.and_then(|k| {
                    settings
                        .iter()
                        .position(|(s, _)| s.eq_ignore_ascii_case(&k))
                }) {
                    let (k, v) = settings[i];
                    found[i] = true;
                    edits.push((start, end, add_element(k, v)));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let missing: String = settings
        .iter()
        .zip(&found)
        .filter(|(_, f)| !**f)
        .map(|((k, v), _)| format!("  {}\n  ", add_element(k, v)))
        .collect();
    if !missing.is_empty() {
        match (close_app, open_config) {
            (Some(at), _) => edits.push((at, at, missing)),
            (None, Some(at)) => edits.push((
                at,
                at,
                format!("\n  <appSettings>\n  {missing}</appSettings>"),
            )),
            (None, None) => return Err(bad("it has no <configuration> element".into())),
        }
    }
    edits.sort_by_key(|e| e.0);
    let mut out = String::with_capacity(text.len() + 256);
    let mut at = 0;
    for (s, e, new) in edits {
        out.push_str(&text[at..s]);
        out.push_str(&new);
        at = e;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::files::ConfigFile;
    use crate::config::types::ConfigSource;

    fn config(ty: DatabaseType, cs: &str) -> DatabaseConfig {
        DatabaseConfig {
            database_type: ty,
            connection_string: cs.into(),
            base_dir: "/srv/site".into(),
            source: ConfigSource::Flag,
        }
    }

    fn new(ty: DatabaseType, cs: &str, protect: bool) -> NewConfig {
        NewConfig {
            database_type: ty,
            connection_string: cs.into(),
            protect,
            secret_key: generate_secret_key().unwrap(),
            redis: String::new(),
        }
    }

    #[test]
    fn urls_become_the_providers_syntax() {
        let mysql = config(DatabaseType::MySql, "mysql://root:p%3Bw@db.local:3307/cms");
        assert_eq!(
            provider_connection_string(&mysql, Generation::V7).unwrap(),
            "Server=db.local;Port=3307;Uid=root;Pwd=\"p;w\";Database=cms;SslMode=Preferred;CharSet=utf8mb4;"
        );
        let pg = config(DatabaseType::PostgreSql, "postgres://u:pw@h/site");
        assert_eq!(
            provider_connection_string(&pg, Generation::V7).unwrap(),
            "Server=h;User Id=u;Password=pw;Database=site;"
        );
        assert_eq!(
            provider_connection_string(&pg, Generation::V6).unwrap(),
            "Host=h;Username=u;Password=pw;Database=site;"
        );
        let given = "Server=h;Uid=sa;Pwd=x;Database=cms;";
        let ms = config(DatabaseType::SqlServer, given);
        assert_eq!(
            provider_connection_string(&ms, Generation::V6).unwrap(),
            given
        );
        let lite = config(DatabaseType::Sqlite, "Data Source=db/site.sqlite");
        assert_eq!(
            provider_connection_string(&lite, Generation::V7).unwrap(),
            "Data Source=/srv/site/db/site.sqlite;Version=3;"
        );
        let err = provider_connection_string(&lite, Generation::V6).unwrap_err();
        assert!(
            err.to_string().contains("6.x cannot run on SQLite"),
            "{err}"
        );
    }

    #[test]
    fn url_values_cannot_add_keys() {
        // Found by the connection_string fuzzer: an unquoted `ssl-mode` with `;` broke the string.
        let c = config(
            DatabaseType::MySql,
            "mysql://u:=pw@h/d?ssl-mode=Required%3BServer=x",
        );
        let written = provider_connection_string(&c, Generation::V7).unwrap();
        assert_eq!(
            written,
            "Server=h;Uid=u;Pwd=\"=pw\";Database=d;SslMode=\"Required;Server=x\";CharSet=utf8mb4;"
        );
        let cs = crate::config::ConnectionString::parse(&written).unwrap();
        assert_eq!(cs.get(&["Server"]), Some("h"));
        assert_eq!(cs.get(&["Pwd"]), Some("=pw"));
    }

    #[test]
    fn sscms_json_reads_back_plain_and_protected() {
        for protect in [false, true] {
            let cfg = new(
                DatabaseType::MySql,
                "Server=h;Uid=u;Pwd=a&b\"c;Database=cms;",
                protect,
            );
            let text = sscms_json(&cfg).unwrap();
            let back = ConfigFile::parse_sscms_json(Path::new("sscms.json"), &text).unwrap();
            assert_eq!(back.is_protect_data, protect);
            assert_eq!(back.database_type().unwrap().as_deref(), Some("MySql"));
            assert_eq!(
                back.connection_string().unwrap().as_deref(),
                Some(cfg.connection_string.as_str())
            );
            assert_eq!(text.contains("0secret0"), protect, "{text}");
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            for key in [
                "IsNightlyUpdate",
                "IsSafeMode",
                "IsDisablePlugins",
                "Redis",
                "AdminRestriction",
                "Cors",
            ] {
                assert!(doc.get(key).is_some(), "{key} missing: {text}");
            }
        }
    }

    #[test]
    fn web_config_reads_back_and_keeps_the_rest_of_an_existing_file() {
        let cfg = new(
            DatabaseType::SqlServer,
            "Server=h,1433;Uid=sa;Pwd=<&>;Database=cms;",
            true,
        );
        let fresh = web_config(&cfg, None).unwrap();
        let back = ConfigFile::parse_web_config(Path::new("Web.config"), &fresh).unwrap();
        assert!(back.is_protect_data);
        assert_eq!(back.database_type().unwrap().as_deref(), Some("SqlServer"));
        assert_eq!(
            back.connection_string().unwrap().as_deref(),
            Some(cfg.connection_string.as_str())
        );

        let site = "<?xml version=\"1.0\"?>\n<configuration>\n  <appSettings>\n    <add key=\"AdminDirectory\" value=\"SiteServer\" />\n    <add value=\"old\" key=\"connectionstring\"/>\n  </appSettings>\n  <system.web><compilation debug=\"false\" /></system.web>\n</configuration>\n";
        let plain = new(
            DatabaseType::MySql,
            "Server=h;Uid=u;Pwd=p;Database=cms;",
            false,
        );
        let edited = web_config(&plain, Some((Path::new("Web.config"), site))).unwrap();
        assert!(edited.contains("<add key=\"AdminDirectory\" value=\"SiteServer\" />"));
        assert!(edited.contains("<system.web><compilation debug=\"false\" /></system.web>"));
        assert!(!edited.contains("old"), "{edited}");
        assert_eq!(
            edited.matches("key=\"ConnectionString\"").count(),
            1,
            "{edited}"
        );
        let back = ConfigFile::parse_web_config(Path::new("Web.config"), &edited).unwrap();
        assert_eq!(back.database_type().unwrap().as_deref(), Some("MySql"));
        assert_eq!(
            back.connection_string().unwrap().as_deref(),
            Some(plain.connection_string.as_str())
        );

        let no_settings = "<configuration><system.web /></configuration>";
        let edited = web_config(&plain, Some((Path::new("Web.config"), no_settings))).unwrap();
        let back = ConfigFile::parse_web_config(Path::new("Web.config"), &edited).unwrap();
        assert_eq!(back.database_type().unwrap().as_deref(), Some("MySql"));
    }

    #[test]
    fn an_sm4_key_is_refused_for_protection() {
        let mut cfg = new(DatabaseType::MySql, "Server=h;", true);
        cfg.secret_key = format!("{}.{}", "a".repeat(32), "b".repeat(32));
        let err = sscms_json(&cfg).unwrap_err();
        assert!(err.to_string().contains("SM4"), "{err}");
        assert!(!protect::is_sm4_key(&generate_secret_key().unwrap()));
    }
}
