//! Which config file to read: the `-c` file or folder, else Web.config or
//! sscms.json in the working folder.

use std::path::{Path, PathBuf};

use super::files::ConfigFile;
use super::types::{ConfigError, ConfigInputs};

/// Config files looked for in the working folder, in this order.
pub const DEFAULT_CONFIG_FILES: [&str; 2] = ["Web.config", "sscms.json"];

/// The config file to use, or `None` plus notes on what was looked at.
pub(super) fn find_config_file(
    inputs: &ConfigInputs<'_>,
) -> Result<(Option<ConfigFile>, Vec<String>), ConfigError> {
    match inputs.config_file {
        Some(p) => {
            let path = inputs.cwd.join(p);
            if path.is_dir() {
                return discover(&path);
            }
            Ok((Some(ConfigFile::read(&path)?), Vec::new()))
        }
        None => discover(inputs.cwd),
    }
}

fn discover(dir: &Path) -> Result<(Option<ConfigFile>, Vec<String>), ConfigError> {
    let mut notes = Vec::new();
    for name in DEFAULT_CONFIG_FILES {
        let Some(path) = find_name_ci(dir, name) else {
            notes.push(format!("{} (not found)", dir.join(name).display()));
            continue;
        };
        let file = ConfigFile::read(&path)?;
        if file.has_database_settings() {
            return Ok((Some(file), notes));
        }
        notes.push(format!(
            "{} (no {} or {})",
            path.display(),
            file.kind.type_key(),
            file.kind.connection_string_key()
        ));
    }
    Ok((None, notes))
}

/// `dir/name`, or a file in `dir` whose name matches `name` in another case
/// (`web.config` on a case-sensitive file system).
fn find_name_ci(dir: &Path, name: &str) -> Option<PathBuf> {
    let exact = dir.join(name);
    if exact.is_file() {
        return Some(exact);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.into_iter().next()
}
