//! The names of a backup folder's files, and which table names can be folders.

/// The table list file.
pub const TABLES_FILE: &str = "_tables.json";
/// Per-table metadata file.
pub const METADATA_FILE: &str = "_metadata.json";
/// Our own manifest.
pub const MANIFEST_FILE: &str = "_manifest.json";

/// Rejects a table or file name that would leave the backup folder or is not a plain name.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("empty name".into());
    }
    if name == "." || name == ".." {
        return Err(format!("`{name}` is not a valid name"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| matches!(c, '/' | '\\' | ':' | '\0') || c.is_control())
    {
        return Err(format!(
            "`{}` contains {:?}, which would leave the backup folder or is not allowed in a file name",
            name.escape_debug(),
            c
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn names_cannot_escape_the_folder() {
        for bad in ["", ".", "..", "../x", "/etc", "a/b", "a\\b", "C:x", "a\0"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        for good in ["siteserver_Site", "MixedCase表", "..x", "a.b"] {
            assert!(check_name(good).is_ok(), "{good:?}");
        }
    }
}
