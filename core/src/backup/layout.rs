//! The names of a backup folder's files, and which table names can be folders.

/// The table list file.
pub const TABLES_FILE: &str = "_tables.json";
/// Per-table metadata file.
pub const METADATA_FILE: &str = "_metadata.json";
/// Our own manifest.
pub const MANIFEST_FILE: &str = "_manifest.json";
/// Present while a folder is being written and removed as its last step, so a folder left by a
/// run that stopped is never taken as whole. It holds the tables finished so far, for
/// `backup --resume`.
pub const INCOMPLETE_FILE: &str = "_incomplete.json";

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

/// A name for messages: control characters escaped, the rest as it is.
fn shown(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Statement words a table name of a real site never is; as a name they only serve injection.
const STATEMENT_WORDS: &[&str] = &[
    "alter", "call", "create", "delete", "drop", "exec", "execute", "grant", "insert", "merge",
    "revoke", "select", "truncate", "union", "update",
];

/// Rejects a table or column name that no SiteServer database holds and that only makes
/// sense as an attack on the SQL built from it: quotes, `;`, control characters, and (for
/// tables) bare statement words. Quoting would keep such names harmless, but a folder that
/// has them was not written by a backup.
pub fn check_identifier(name: &str, is_table: bool) -> Result<(), String> {
    if let Some(c) = name
        .chars()
        .find(|c| matches!(c, '\'' | '"' | '`' | ';' | '[' | ']') || c.is_control())
    {
        return Err(format!(
            "`{}` contains {c:?}, which no SiteServer table or column name has",
            shown(name)
        ));
    }
    if is_table
        && STATEMENT_WORDS
            .iter()
            .any(|w| w.eq_ignore_ascii_case(name.trim()))
    {
        return Err(format!(
            "`{name}` is an SQL statement word, not a table name"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{check_identifier, check_name};

    #[test]
    fn names_cannot_carry_sql() {
        for bad in ["it's", "a\"b", "a`b", "x;DROP TABLE y", "[x]", "a\nb"] {
            assert!(check_identifier(bad, false).is_err(), "{bad:?}");
        }
        for bad in ["select", "DROP", " Update "] {
            assert!(check_identifier(bad, true).is_err(), "{bad:?}");
        }
        for good in ["siteserver_Site", "Order", "表", "model_Content-2"] {
            assert!(check_identifier(good, true).is_ok(), "{good:?}");
        }
        assert!(
            check_identifier("Select", false).is_ok(),
            "a column may be named so"
        );
    }

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
