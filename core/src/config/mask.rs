//! Connection strings for display, with passwords replaced by `***`.

use super::connstr::{ConnectionString, PASSWORD_KEYS, key_matches};
use super::types::DatabaseConfig;
use super::url::{split_url, strip_prefix_ci};

impl DatabaseConfig {
    /// The connection string with passwords replaced by `***`: ADO.NET
    /// `Pwd`/`Password` values, and the password of a URL's `user:password@`.
    pub fn masked(&self) -> String {
        mask_connection_string(&self.connection_string)
    }
}

/// See [`DatabaseConfig::masked`]; also masks `password=` URL parameters.
fn mask_connection_string(s: &str) -> String {
    let t = s.trim();
    if let Some((_, rest)) = split_url(t) {
        let prefix = &t[..t.len() - rest.len()];
        let (main, query) = match rest.find('?') {
            Some(q) => (&rest[..q], &rest[q..]),
            None => (rest, ""),
        };
        let main = match main.rfind('@') {
            Some(at) => {
                let ui = &main[..at];
                match ui.split_once(':') {
                    Some((u, _)) => format!("{u}:***{}", &main[at..]),
                    None => main.to_string(),
                }
            }
            None => main.to_string(),
        };
        return format!("{prefix}{}", mask_params(&format!("{main}{query}")));
    }
    if strip_prefix_ci(t, "sqlite:").is_some() || !t.contains('=') {
        return s.to_string();
    }
    match ConnectionString::parse(t) {
        Ok(cs) => cs.masked(),
        Err(_) => "(connection string hidden: it does not parse)".to_string(),
    }
}

/// Masks `key=value` parameters (after `?`, `&` or `;`) whose key is a password key.
fn mask_params(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut in_params = false;
    while let Some(i) = rest.find(['?', '&', ';']) {
        let (seg, tail) = rest.split_at(i);
        out.push_str(&mask_param(seg, in_params));
        out.push_str(&tail[..1]);
        rest = &tail[1..];
        in_params = true;
    }
    out.push_str(&mask_param(rest, in_params));
    out
}

fn mask_param(seg: &str, in_params: bool) -> String {
    match seg.split_once('=') {
        Some((k, _)) if in_params && key_matches(k, PASSWORD_KEYS) => format!("{k}=***"),
        _ => seg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::config::types::DatabaseType;
    use crate::config::types::tests::cfg;

    #[test]
    fn masked_ado_and_url() {
        let c = cfg(
            DatabaseType::MySql,
            "Server=h;Uid=root;PASSWORD=se;cret;Database=cms;",
        );
        assert!(c.masked().starts_with("(connection string hidden"));
        let c = cfg(
            DatabaseType::MySql,
            "Server=h;Uid=root;pwd='se;cret';Database=cms;",
        );
        assert_eq!(c.masked(), "Server=h;Uid=root;pwd=***;Database=cms");
        let c = cfg(
            DatabaseType::PostgreSql,
            "postgres://u:p%40ss@h:5432/db?sslmode=require&password=x",
        );
        assert_eq!(
            c.masked(),
            "postgres://u:***@h:5432/db?sslmode=require&password=***"
        );
        let c = cfg(
            DatabaseType::SqlServer,
            "sqlserver://h;user=sa;password=secret;database=x",
        );
        assert_eq!(c.masked(), "sqlserver://h;user=sa;password=***;database=x");
        let c = cfg(DatabaseType::Sqlite, "/data/cms.sqlite");
        assert_eq!(c.masked(), "/data/cms.sqlite");
    }
}
