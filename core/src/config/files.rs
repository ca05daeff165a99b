//! Reading SiteServer's own config files: 6.x `Web.config` (spec §5.3) and
//! 7.x `sscms.json` (spec §5.4).

use std::path::{Path, PathBuf};

use quick_xml::events::{BytesStart, Event};

use super::protect;
use super::types::ConfigError;

/// Which of SiteServer's config formats a file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigFileKind {
    /// 6.x ASP.NET `Web.config` (`configuration/appSettings`).
    WebConfig,
    /// 7.x `sscms.json`.
    SscmsJson,
}

impl ConfigFileKind {
    /// How this format names the database type setting, for messages.
    pub fn type_key(self) -> &'static str {
        match self {
            Self::WebConfig => "DatabaseType",
            Self::SscmsJson => "Database.Type",
        }
    }

    /// How this format names the connection string setting, for messages.
    pub fn connection_string_key(self) -> &'static str {
        match self {
            Self::WebConfig => "ConnectionString",
            Self::SscmsJson => "Database.ConnectionString",
        }
    }

    fn secret_key_name(self) -> &'static str {
        match self {
            Self::WebConfig => "SecretKey",
            Self::SscmsJson => "SecurityKey",
        }
    }
}

/// The database settings of one config file, as stored (possibly encrypted).
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub kind: ConfigFileKind,
    /// Raw values; empty ones are `None`.
    pub database_type: Option<String>,
    pub connection_string: Option<String>,
    pub is_protect_data: bool,
    pub secret_key: Option<String>,
}

impl ConfigFile {
    /// Reads `path`. A `.json` extension, or content starting with `{`, means
    /// sscms.json; anything else is read as Web.config XML.
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let bytes = std::fs::read(path).map_err(|error| {
            if error.kind() == std::io::ErrorKind::NotFound {
                ConfigError::FileNotFound {
                    path: path.to_path_buf(),
                }
            } else {
                ConfigError::Io {
                    path: path.to_path_buf(),
                    error,
                }
            }
        })?;
        let text = decode_text(&bytes).ok_or_else(|| ConfigError::BadFile {
            path: path.to_path_buf(),
            reason: "not valid UTF-8 or UTF-16 text".into(),
        })?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            || text.trim_start().starts_with('{');
        if is_json {
            Self::parse_sscms_json(path, &text)
        } else {
            Self::parse_web_config(path, &text)
        }
    }

    /// Parses Web.config text; `path` is only used in messages and results.
    pub fn parse_web_config(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let settings = read_app_settings(path, text.trim_start_matches('\u{feff}'))?;
        let get = |key: &str| {
            settings
                .iter()
                .rev()
                .find(|(k, _)| k.trim().eq_ignore_ascii_case(key))
                .map(|(_, v)| v.clone())
        };
        let is_protect_data = match get("IsProtectData") {
            None => false,
            Some(v) => parse_bool(&v).ok_or_else(|| {
                in_file(
                    path,
                    "IsProtectData",
                    ConfigError::InvalidBool {
                        key: "IsProtectData".into(),
                        value: v.trim().to_string(),
                    },
                )
            })?,
        };
        Ok(Self {
            path: path.to_path_buf(),
            kind: ConfigFileKind::WebConfig,
            database_type: non_empty(get("DatabaseType")),
            connection_string: non_empty(get("ConnectionString")),
            is_protect_data,
            secret_key: non_empty(get("SecretKey")),
        })
    }

    /// Parses sscms.json text; `path` is only used in messages and results.
    pub fn parse_sscms_json(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let root: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| ConfigError::Json {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        if !root.is_object() {
            return Err(ConfigError::Json {
                path: path.to_path_buf(),
                reason: "the top level is not an object".into(),
            });
        }
        let string_at = |keys: &[&str]| -> Result<Option<String>, ConfigError> {
            match json_get(&root, keys) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(non_empty(Some(s.clone()))),
                Some(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => {
                    Ok(Some(v.to_string()))
                }
                Some(_) => Err(in_file(
                    path,
                    &keys.join("."),
                    ConfigError::InvalidValue {
                        reason: "expected a string".into(),
                    },
                )),
            }
        };
        let is_protect_data = match json_get(&root, &["IsProtectData"]) {
            None | Some(serde_json::Value::Null) => false,
            Some(serde_json::Value::Bool(b)) => *b,
            Some(v) => {
                let s = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                parse_bool(&s).ok_or_else(|| {
                    in_file(
                        path,
                        "IsProtectData",
                        ConfigError::InvalidBool {
                            key: "IsProtectData".into(),
                            value: s.trim().to_string(),
                        },
                    )
                })?
            }
        };
        Ok(Self {
            path: path.to_path_buf(),
            kind: ConfigFileKind::SscmsJson,
            database_type: string_at(&["Database", "Type"])?,
            connection_string: string_at(&["Database", "ConnectionString"])?,
            is_protect_data,
            secret_key: string_at(&["SecurityKey"])?,
        })
    }

    /// `true` if the file names a database type or connection string at all
    /// (an IIS `web.config` of a 7.x site names neither).
    pub fn has_database_settings(&self) -> bool {
        self.database_type.is_some() || self.connection_string.is_some()
    }

    /// The database type setting, decrypted if the file is protected.
    pub fn database_type(&self) -> Result<Option<String>, ConfigError> {
        self.plain(self.database_type.as_deref(), self.kind.type_key())
    }

    /// The connection string, decrypted if the file is protected.
    pub fn connection_string(&self) -> Result<Option<String>, ConfigError> {
        self.plain(
            self.connection_string.as_deref(),
            self.kind.connection_string_key(),
        )
    }

    fn plain(&self, value: Option<&str>, key: &str) -> Result<Option<String>, ConfigError> {
        let Some(value) = value else { return Ok(None) };
        if !self.is_protect_data {
            return Ok(Some(value.to_string()));
        }
        let Some(secret) = self.secret_key.as_deref() else {
            return Err(in_file(
                &self.path,
                key,
                ConfigError::SecretKeyMissing {
                    key: self.kind.secret_key_name(),
                },
            ));
        };
        protect::decrypt(secret, value)
            .map(|v| non_empty(Some(v)))
            .map_err(|e| in_file(&self.path, key, e))
    }
}

fn in_file(path: &Path, key: &str, inner: ConfigError) -> ConfigError {
    ConfigError::In {
        place: format!("{}: {key}", path.display()),
        inner: Box::new(inner),
    }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

/// .NET `bool.TryParse` on the trimmed text.
fn parse_bool(s: &str) -> Option<bool> {
    let s = s.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("false") {
        Some(false)
    } else if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else {
        None
    }
}

/// Decodes UTF-8 (BOM optional) or BOM-marked UTF-16, as .NET readers accept.
fn decode_text(bytes: &[u8]) -> Option<String> {
    let utf16 = |rest: &[u8], le: bool| -> Option<String> {
        if !rest.len().is_multiple_of(2) {
            return None;
        }
        let units = rest.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .ok()
    };
    match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8(rest.to_vec()).ok(),
        _ => String::from_utf8(bytes.to_vec()).ok(),
    }
}

/// Case-insensitive lookup of a nested key; also accepts the flattened
/// `"Database:Type"` spelling that .NET configuration treats as the same key.
fn json_get<'v>(root: &'v serde_json::Value, keys: &[&str]) -> Option<&'v serde_json::Value> {
    fn child<'v>(v: &'v serde_json::Value, key: &str) -> Option<&'v serde_json::Value> {
        // Last match wins, like later keys overriding earlier ones in .NET.
        v.as_object()?
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }
    let nested = keys.iter().try_fold(root, |v, k| child(v, k));
    nested.or_else(|| child(root, &keys.join(":")))
}

/// `(key, value)` of every `<add>` directly under `configuration/appSettings`.
fn read_app_settings(path: &Path, text: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    let mut saw_root = false;
    let mut out = Vec::new();
    let xml_err = |pos: u64, reason: String| {
        let (line, column) = line_col(text, pos);
        ConfigError::Xml {
            path: path.to_path_buf(),
            line,
            column,
            reason,
        }
    };
    loop {
        let event = reader.read_event().map_err(|e| {
            // Attribute errors carry an inner "position N: " that would only confuse.
            let msg = e.to_string();
            let msg = match msg
                .strip_prefix("position ")
                .and_then(|m| m.split_once(": "))
            {
                Some((n, rest)) if n.bytes().all(|b| b.is_ascii_digit()) => rest.to_string(),
                _ => msg,
            };
            xml_err(reader.error_position(), msg)
        })?;
        let pos = reader.buffer_position();
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if stack.is_empty() && saw_root {
                    return Err(xml_err(pos, "more than one root element".into()));
                }
                saw_root = true;
                if is_app_setting(&stack, e) {
                    out.push(read_add(e).map_err(|reason| xml_err(pos, reason))?);
                }
                if matches!(event, Event::Start(_)) {
                    stack.push(local_name(e));
                }
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(xml_err(
            u64::try_from(text.len()).unwrap_or(u64::MAX),
            format!("element <{open}> is not closed"),
        ));
    }
    if !saw_root {
        return Err(xml_err(0, "no root element".into()));
    }
    Ok(out)
}

fn local_name(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

fn is_app_setting(stack: &[String], e: &BytesStart<'_>) -> bool {
    matches!(stack, [c, a] if c.eq_ignore_ascii_case("configuration") && a.eq_ignore_ascii_case("appSettings"))
        && local_name(e).eq_ignore_ascii_case("add")
}

/// The `key` and `value` attributes of an `<add>`, entity-unescaped. Errors
/// never quote the value: it may be a connection string with a password.
fn read_add(e: &BytesStart<'_>) -> Result<(String, String), String> {
    let mut key = String::new();
    let mut value = String::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let name = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
        let slot = if name.eq_ignore_ascii_case("key") {
            &mut key
        } else if name.eq_ignore_ascii_case("value") {
            &mut value
        } else {
            continue;
        };
        *slot = attr
            .unescape_value()
            .map_err(|_| {
                format!("the {name} attribute of an <add> has a bad & escape (write & as &amp;)")
            })?
            .into_owned();
    }
    Ok((key, value))
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, pos: u64) -> (usize, usize) {
    let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
    let mut end = pos;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web(text: &str) -> Result<ConfigFile, ConfigError> {
        ConfigFile::parse_web_config(Path::new("/site/Web.config"), text)
    }

    fn json(text: &str) -> Result<ConfigFile, ConfigError> {
        ConfigFile::parse_sscms_json(Path::new("/site/sscms.json"), text)
    }

    const SPEC_WEB_CONFIG: &str = r#"<configuration><appSettings>
  <add key="IsProtectData" value="False" />
  <add key="SecretKey" value="eef9e4b0d48bf7a5" />
  <add key="DatabaseType" value="MySql" />
  <add key="ConnectionString" value="Server=127.0.0.1;Uid=root;Pwd=pass;Database=cms;" />
</appSettings></configuration>"#;

    #[test]
    fn web_config_from_spec() {
        let f = web(SPEC_WEB_CONFIG).unwrap();
        assert_eq!(f.kind, ConfigFileKind::WebConfig);
        assert_eq!(f.database_type().unwrap().as_deref(), Some("MySql"));
        assert_eq!(
            f.connection_string().unwrap().as_deref(),
            Some("Server=127.0.0.1;Uid=root;Pwd=pass;Database=cms;")
        );
        assert!(!f.is_protect_data);
        assert_eq!(f.secret_key.as_deref(), Some("eef9e4b0d48bf7a5"));
    }

    #[test]
    fn web_config_keys_case_insensitive_entities_and_only_direct_children() {
        let f = web(concat!(
            "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n",
            "<!-- c --><configuration xmlns=\"urn:x\">\n",
            "<system.web><add key=\"ConnectionString\" value=\"wrong\"/></system.web>\n",
            "<appSettings>\n",
            "  <group><add key=\"DatabaseType\" value=\"wrong\"/></group>\n",
            "  <add key=\"databasetype\" value=\"SqlServer\"></add>\n",
            "  <add key=\"CONNECTIONSTRING\" value=\"Server=h;Pwd=a&amp;b&quot;c&#59;\" />\n",
            "</appSettings></configuration>"
        ))
        .unwrap();
        assert_eq!(f.database_type.as_deref(), Some("SqlServer"));
        assert_eq!(f.connection_string.as_deref(), Some("Server=h;Pwd=a&b\"c;"));
    }

    #[test]
    fn web_config_without_app_settings_has_no_database_settings() {
        let f = web(r#"<configuration><system.webServer><aspNetCore processPath="dotnet"/></system.webServer></configuration>"#).unwrap();
        assert!(!f.has_database_settings());
    }

    #[test]
    fn malformed_web_config_names_file_and_hides_values() {
        for bad in [
            "<configuration><appSettings></configuration>",
            "<configuration><appSettings>",
            "",
            "<configuration><appSettings><add key=\"ConnectionString\" value=\"Pwd=se&cret\"/></appSettings></configuration>",
        ] {
            let err = web(bad).unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains("/site/Web.config"), "{msg}");
            assert!(!msg.contains("cret"), "{msg}");
            assert!(!msg.contains('\n'), "{msg}");
        }
    }

    #[test]
    fn invalid_is_protect_data_is_an_error() {
        let err = web(r#"<configuration><appSettings><add key="IsProtectData" value="maybe"/></appSettings></configuration>"#).unwrap_err();
        assert!(err.to_string().contains("IsProtectData"), "{err}");
        let f = web(r#"<configuration><appSettings><add key="IsProtectData" value=" TRUE "/></appSettings></configuration>"#).unwrap();
        assert!(f.is_protect_data);
    }

    #[test]
    fn protected_web_config_decrypts() {
        // Vectors from protect.rs tests (computed with Python `cryptography`).
        let f = web(r#"<configuration><appSettings>
            <add key="IsProtectData" value="True" />
            <add key="SecretKey" value="eef9e4b0d48bf7a5" />
            <add key="DatabaseType" value="DXZRYLMDOKE0equals00secret0" />
            <add key="ConnectionString" value="nxn0slash0Flqd70add0JcgPZDVx0add0Y0add0VUJ3OU3rNF47O8tfi0IJSyNycuJ2XE3eiVtrEordYdw10bxhqdIThk0equals00secret0" />
        </appSettings></configuration>"#).unwrap();
        assert_eq!(f.database_type().unwrap().as_deref(), Some("MySql"));
        assert_eq!(
            f.connection_string().unwrap().as_deref(),
            Some("Server=127.0.0.1;Uid=root;Pwd=pass;Database=cms;")
        );
    }

    #[test]
    fn protected_without_secret_key_is_an_error() {
        let f = web(r#"<configuration><appSettings>
            <add key="IsProtectData" value="True" />
            <add key="DatabaseType" value="DXZRYLMDOKE0equals00secret0" />
        </appSettings></configuration>"#)
        .unwrap();
        let msg = f.database_type().unwrap_err().to_string();
        assert!(
            msg.contains("SecretKey") && msg.contains("/site/Web.config"),
            "{msg}"
        );
    }

    #[test]
    fn sscms_json_from_spec_with_bom_and_any_case() {
        let f = json(
            "\u{feff}{\"isprotectdata\": false, \"SECURITYKEY\": \"ec169e93b156ce7a\",\n\
             \"database\": {\"TYPE\": \"MySql\", \"connectionString\": \"Server=127.0.0.1;Uid=root;Pwd=pass;Database=sscms;\"},\n\
             \"Redis\": {\"ConnectionString\": \"\"}}",
        )
        .unwrap();
        assert_eq!(f.kind, ConfigFileKind::SscmsJson);
        assert_eq!(f.database_type().unwrap().as_deref(), Some("MySql"));
        assert_eq!(
            f.connection_string().unwrap().as_deref(),
            Some("Server=127.0.0.1;Uid=root;Pwd=pass;Database=sscms;")
        );
        assert_eq!(f.secret_key.as_deref(), Some("ec169e93b156ce7a"));
    }

    #[test]
    fn sscms_json_flattened_keys_and_string_bool() {
        let f = json(r#"{"IsProtectData": "False", "Database:Type": "SQLite", "Database:ConnectionString": "Data Source=~/database.sqlite;Version=3;"}"#).unwrap();
        assert_eq!(f.database_type.as_deref(), Some("SQLite"));
        assert!(f.connection_string.is_some());
    }

    #[test]
    fn sscms_json_des_values_decrypt() {
        // A 16-character SecurityKey is 7.4's DES form. Vectors computed outside this crate
        // with Python `cryptography` 48 (TripleDES with the 8-byte key "ec169e93", CBC, IV
        // 1234567890ABCDEF, PKCS7, Base64, then the 0add0/0slash0/0equals0 spellings and the
        // 0secret0 suffix), and checked with `openssl enc -des-cbc`.
        let f = json(r#"{"IsProtectData": true, "SecurityKey": "ec169e93b156ce7a", "Database": {
            "Type": "8yKM8BRqoOWtDe2Z32eURA0equals00equals00secret0",
            "ConnectionString": "u0VncBe6bWWVCd0tNpFCoCFH510slash040k1SGQ9RoZihL7EUYmlVfzEg080add0OlcfhDoUo9oNNcNCyeTEtptI3SbeHeNok0add0LFkntXYK0slash0Y0730slash0Q1qE0equals00secret0"}}"#).unwrap();
        assert_eq!(f.database_type().unwrap().as_deref(), Some("SqlServer"));
        assert_eq!(
            f.connection_string().unwrap().as_deref(),
            Some("Data Source=db.example,1433;Initial Catalog=cms;User ID=cms_user;Password=p@ss;")
        );
    }

    #[test]
    fn sscms_json_sm4_is_a_clear_error() {
        let f = json(r#"{"IsProtectData": true, "SecurityKey": "0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210", "Database": {"Type": "a1b2", "ConnectionString": "c3d4"}}"#).unwrap();
        let msg = f.connection_string().unwrap_err().to_string();
        assert!(msg.contains("SM4") && msg.contains("sscms.json"), "{msg}");
    }

    #[test]
    fn malformed_json_names_file() {
        let msg = json("{\"Database\": ").unwrap_err().to_string();
        assert!(msg.contains("/site/sscms.json"), "{msg}");
        assert!(json("[1]").is_err());
    }

    #[test]
    fn read_sniffs_format_and_decodes_utf16() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("settings.conf");
        std::fs::write(&p, r#" {"Database": {"Type": "SqlServer"}}"#).unwrap();
        assert_eq!(
            ConfigFile::read(&p).unwrap().kind,
            ConfigFileKind::SscmsJson
        );
        let p = dir.path().join("Web.config");
        let mut bytes = vec![0xFF, 0xFE];
        for u in SPEC_WEB_CONFIG.encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        std::fs::write(&p, bytes).unwrap();
        let f = ConfigFile::read(&p).unwrap();
        assert_eq!(f.database_type.as_deref(), Some("MySql"));
        let missing = ConfigFile::read(&dir.path().join("nope.json")).unwrap_err();
        assert!(matches!(missing, ConfigError::FileNotFound { .. }));
    }
}
