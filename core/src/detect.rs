//! Which SiteServer version a backup folder came from (old-schemas §5).
//!
//! The config row's `DatabaseVersion` decides when it can be read; otherwise the tables and
//! columns present decide, newest markers first, because upgraded databases keep older tables.

use std::fmt;
use std::path::Path;

use semver::Version;
use serde_json::Value;

use crate::backup::{BackupReader, MANIFEST_FILE, RowKeys, TableData};
use crate::error::{Error, Result};
use crate::version::parse_version;

/// The oldest version the adapters convert. Older databases would need the destructive 3.x
/// scripts that the official engine would re-run.
pub const OLDEST: Version = Version::new(3, 6, 0);

/// A detected version and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub version: Version,
    /// What decided it, e.g. `bairong_Config.DatabaseVersion = 4.1.1603`.
    pub evidence: String,
    /// Returns true if and only if the version came from table structure, not a version string.
    pub structural: bool,
}

impl fmt::Display for Detected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.version, self.evidence)
    }
}

/// What detection looks at: table names with their columns, and the config row's version string.
pub struct Evidence<'a> {
    pub tables: &'a [TableData],
    /// `(table, value)` of the config row's `DatabaseVersion`, if the row exists.
    pub database_version: Option<(String, Option<String>)>,
}

impl Evidence<'_> {
    fn table(&self, name: &str) -> Option<&TableData> {
        self.tables
            .iter()
            .find(|t| t.meta.name.eq_ignore_ascii_case(name))
    }

    fn has(&self, name: &str) -> bool {
        self.table(name).is_some()
    }

    fn has_column(&self, table: &str, column: &str) -> bool {
        self.table(table).is_some_and(|t| {
            t.meta
                .columns
                .iter()
                .any(|c| c.attribute_name.eq_ignore_ascii_case(column))
        })
    }
}

/// Reads the tables and the config row of a backup folder, then detects.
pub fn detect_folder(reader: &BackupReader) -> Result<Detected> {
    let mut tables = Vec::new();
    for name in reader.tables() {
        tables.push(reader.table(name)?);
    }
    let mut database_version = None;
    for config in ["bairong_Config", "siteserver_Config"] {
        if let Some(t) = tables
            .iter()
            .find(|t| t.meta.name.eq_ignore_ascii_case(config))
        {
            database_version = Some((
                t.meta.name.clone(),
                first_value(reader, t, "DatabaseVersion")?,
            ));
            break;
        }
    }
    detect(&Evidence {
        tables: &tables,
        database_version,
    })
}

/// Detects the version of a finished backup folder and records it in its `_manifest.json`.
///
/// A database that is not a SiteServer one is still backed up; the manifest then says why no
/// version was found.
pub fn record_in_manifest(dir: &Path) -> Result<std::result::Result<Detected, String>> {
    let reader = BackupReader::open(dir)?;
    let detected = detect_folder(&reader).map_err(|e| e.to_string());
    let mut manifest = reader
        .manifest()
        .cloned()
        .ok_or_else(|| Error::format(&dir.join(MANIFEST_FILE), "missing"))?;
    match &detected {
        Ok(d) => {
            manifest.source_version = Some(d.version.to_string());
            manifest.version_evidence = Some(d.evidence.clone());
        }
        Err(e) => manifest.version_evidence = Some(format!("not detected: {e}")),
    }
    let path = dir.join(MANIFEST_FILE);
    let text = serde_json::to_vec(&manifest).map_err(|e| Error::format(&path, e.to_string()))?;
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    Ok(detected)
}

/// The first row's value of one column, as text.
fn first_value(reader: &BackupReader, table: &TableData, column: &str) -> Result<Option<String>> {
    let Some(index) = table
        .meta
        .columns
        .iter()
        .position(|c| c.attribute_name.eq_ignore_ascii_case(column))
    else {
        return Ok(None);
    };
    let keys = RowKeys::new(&table.meta);
    let mut found: Option<Option<String>> = None;
    for file in &table.row_files {
        reader.read_rows(&table.meta.name, file, |_, row| {
            if found.is_none() {
                let values = keys
                    .align(row)
                    .map_err(|e| Error::table(&table.meta.name, format!("{file}: {e}")))?;
                found = Some(match &values[index] {
                    Value::Null => None,
                    Value::String(s) => Some(s.clone()),
                    other => Some(other.to_string()),
                });
            }
            Ok(())
        })?;
        if found.is_some() {
            break;
        }
    }
    Ok(found.flatten())
}

/// Applies the detection rules in order.
pub fn detect(e: &Evidence<'_>) -> Result<Detected> {
    let refuse = |msg: String| Err(Error::Invalid(msg));
    let from_string = |table: &str, raw: &str| -> Result<Option<Detected>> {
        let s = raw.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let v = parse_version(s).map_err(|e| {
            Error::Invalid(format!(
                "{table}.DatabaseVersion = `{raw}`: {e}; pass --from VERSION if you know the version"
            ))
        })?;
        if v < OLDEST {
            return Err(Error::Invalid(format!(
                "{table}.DatabaseVersion = {s}: versions below 3.6 are not supported \
                 (the official upgrade would re-run destructive 3.x scripts); upgrade the site to 3.6 first"
            )));
        }
        Ok(Some(Detected {
            version: v,
            evidence: format!("{table}.DatabaseVersion = {s}"),
            structural: false,
        }))
    };

    let has_bairong = e.has("bairong_Config");
    if e.has("siteserver_Config") && !has_bairong {
        if let Some((t, Some(v))) = &e.database_version
            && let Some(d) = from_string(t, v)?
        {
            return Ok(d);
        }
        return refuse(
            "siteserver_Config has no DatabaseVersion, so the 6.x/7.x version is unknown; pass --from VERSION"
                .into(),
        );
    }
    if has_bairong && e.has_column("bairong_Config", "SystemConfig") {
        // 5.0 wrote "5.0" on the release line and "5.1" on the dev line.
        if let Some((t, Some(v))) = &e.database_version
            && let Some(d) = from_string(t, v)?
        {
            return Ok(d);
        }
        return Ok(Detected {
            version: Version::new(5, 0, 0),
            evidence: "bairong_Config has SystemConfig and UserConfig".into(),
            structural: true,
        });
    }
    if has_bairong
        && let Some((t, Some(v))) = &e.database_version
        && let Some(d) = from_string(t, v)?
    {
        return Ok(d);
    }
    // Structural fallback, newest markers first.
    let why = if has_bairong {
        "bairong_Config.DatabaseVersion is empty or missing"
    } else {
        "there is no config table"
    };
    let rules: [(&str, Version, &[&str]); 3] = [
        (
            "5.0",
            Version::new(5, 0, 0),
            &["bairong_DbCache", "siteserver_CreateTask"],
        ),
        (
            "4.1",
            Version::new(4, 1, 0),
            &[
                "bairong_UserLog",
                "bairong_ThirdLogin",
                "siteserver_AdvImageContent",
            ],
        ),
        ("4.0", Version::new(4, 0, 0), &["bairong_AjaxUrl"]),
    ];
    for (_, version, markers) in rules {
        if let Some(m) = markers.iter().find(|m| e.has(m)) {
            return Ok(Detected {
                version,
                evidence: format!("{why}; table {m} exists"),
                structural: true,
            });
        }
    }
    if e.has_column("siteserver_PublishmentSystem", "PublishmentSystemType") {
        return Ok(Detected {
            version: Version::new(4, 0, 0),
            evidence: format!("{why}; siteserver_PublishmentSystem has PublishmentSystemType"),
            structural: true,
        });
    }
    for m in [
        "bairong_Module",
        "siteserver_TemplateRule",
        "siteserver_Configuration",
    ] {
        if e.has(m) {
            return Ok(Detected {
                version: OLDEST,
                evidence: format!("{why}; table {m} exists"),
                structural: true,
            });
        }
    }
    refuse(format!(
        "cannot tell which SiteServer version this backup came from: {why} and no marker table was found; pass --from VERSION"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, DataType, TableMeta};

    fn t(name: &str, cols: &[&str]) -> TableData {
        TableData {
            meta: TableMeta {
                name: name.into(),
                columns: cols
                    .iter()
                    .map(|c| Column::new(*c, DataType::VarChar))
                    .collect(),
            },
            total_count: 0,
            row_files: vec![],
        }
    }

    fn run(tables: &[TableData], dv: Option<&str>) -> Result<Detected> {
        let config = tables
            .iter()
            .find(|t| t.meta.name.ends_with("_Config"))
            .map(|t| (t.meta.name.clone(), dv.map(String::from)));
        detect(&Evidence {
            tables,
            database_version: config,
        })
    }

    #[test]
    fn the_version_string_decides() {
        let cfg = t("bairong_Config", &["DatabaseVersion", "SettingsXML"]);
        let d = run(std::slice::from_ref(&cfg), Some("4.1.1603")).unwrap();
        assert_eq!(d.version, Version::new(4, 1, 1603));
        assert_eq!(d.evidence, "bairong_Config.DatabaseVersion = 4.1.1603");
        assert!(!d.structural);
        assert_eq!(
            run(std::slice::from_ref(&cfg), Some("3.6.4"))
                .unwrap()
                .version,
            Version::new(3, 6, 4)
        );
        let five = t(
            "bairong_Config",
            &["DatabaseVersion", "SystemConfig", "UserConfig"],
        );
        assert_eq!(
            run(&[five], Some("5.1")).unwrap().version,
            Version::new(5, 1, 0)
        );
        let six = t("siteserver_Config", &["DatabaseVersion", "SystemConfig"]);
        assert_eq!(
            run(&[six], Some("6.15.51")).unwrap().version,
            Version::new(6, 15, 51)
        );
        // 7.4's config row has only the version and its date.
        let seven = t(
            "siteserver_Config",
            &["Id", "Guid", "DatabaseVersion", "UpdateDate"],
        );
        let d = run(&[seven], Some("7.4.0")).unwrap();
        assert_eq!(d.version, Version::new(7, 4, 0));
        assert_eq!(d.evidence, "siteserver_Config.DatabaseVersion = 7.4.0");
    }

    #[test]
    fn old_or_odd_strings_are_refused() {
        let cfg = t("bairong_Config", &["DatabaseVersion"]);
        let e = run(std::slice::from_ref(&cfg), Some("3.4"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("below 3.6"), "{e}");
        let e = run(&[cfg], Some("4.1 beta")).unwrap_err().to_string();
        assert!(e.contains("`4.1 beta`") && e.contains("--from"), "{e}");
    }

    #[test]
    fn structure_decides_when_the_string_is_missing() {
        let cfg = t("bairong_Config", &["DatabaseVersion"]);
        let d = run(
            &[
                cfg.clone(),
                t("bairong_UserLog", &["ID"]),
                t("bairong_AjaxUrl", &["ID"]),
            ],
            Some(" "),
        )
        .unwrap();
        assert_eq!(d.version, Version::new(4, 1, 0));
        assert!(d.structural);
        assert_eq!(
            d.evidence,
            "bairong_Config.DatabaseVersion is empty or missing; table bairong_UserLog exists"
        );
        let d = run(
            &[
                cfg.clone(),
                t("siteserver_PublishmentSystem", &["PublishmentSystemType"]),
            ],
            None,
        )
        .unwrap();
        assert_eq!(d.version, Version::new(4, 0, 0));
        let d = run(&[cfg.clone(), t("bairong_Module", &["ModuleID"])], None).unwrap();
        assert_eq!(d.version, OLDEST);
        assert!(run(&[cfg], None).is_err());
    }
}
