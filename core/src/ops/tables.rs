//! Which tables a run takes, and what it says about each.

/// A table left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    pub table: String,
    pub reason: String,
}

/// A table that finished, with its row count.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableDone {
    pub table: String,
    pub rows: u64,
}

/// A table that failed, with the error.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableFailed {
    pub table: String,
    pub error: String,
}

fn contains(list: &[String], name: &str) -> bool {
    list.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Applies `--includes` / `--excludes` (case-insensitive) to `names`, keeping their order.
///
/// `default_excludes` drop a table unless `includes` names it, so asking for a log table by
/// name gets it. Returns the selection, the skipped tables, and included names not found.
pub(crate) fn select_tables(
    names: &[String],
    includes: Option<&[String]>,
    excludes: &[String],
    default_excludes: &[&str],
) -> (Vec<String>, Vec<Skipped>, Vec<String>) {
    let mut selected = Vec::new();
    let mut skipped = Vec::new();
    for name in names {
        let reason = if includes.is_some_and(|inc| !contains(inc, name)) {
            Some("not in --includes")
        } else if contains(excludes, name) {
            Some("in --excludes")
        } else if includes.is_none()
            && default_excludes
                .iter()
                .any(|d| d.eq_ignore_ascii_case(name))
        {
            Some("log table, excluded by default (name it in --includes to back it up)")
        } else {
            None
        };
        match reason {
            Some(r) => skipped.push(Skipped {
                table: name.clone(),
                reason: r.into(),
            }),
            None => selected.push(name.clone()),
        }
    }
    let missing = includes
        .unwrap_or_default()
        .iter()
        .filter(|i| !contains(names, i))
        .cloned()
        .collect();
    (selected, skipped, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn includes_excludes_and_defaults() {
        let names = s(&["a", "B", "siteserver_Log"]);
        let (sel, skip, missing) = select_tables(&names, None, &s(&["b"]), &["siteserver_log"]);
        assert_eq!(sel, ["a"]);
        assert_eq!(skip.len(), 2);
        assert!(missing.is_empty());
        let inc = s(&["SITESERVER_LOG", "zz"]);
        let (sel, _, missing) = select_tables(&names, Some(&inc), &[], &["siteserver_Log"]);
        assert_eq!(sel, ["siteserver_Log"]);
        assert_eq!(missing, ["zz"]);
    }
}
