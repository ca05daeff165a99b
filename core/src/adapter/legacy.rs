//! What the pre-6.0 upgrade engine does in more than one hop: finding content tables, moving
//! 3.6 comments into the 4.x comment layout, and rewriting the config row.
//!
//! Shared here rather than between adapter crates, so that a crate replacing one adapter does
//! not have to link another.

use std::collections::BTreeSet;

use serde_json::Value;

use super::plan::HopInput;
use super::row::{get, take, text};
use super::schema::{self, AddedColumn, drop_empty, put, sql_column};
use crate::error::Result;
use crate::model::{Column, Row};

/// The key under which a 3.6 comment keeps the id of the comment form it belonged to, since
/// the 4.x layout has no column for it (it is reported, not dropped).
pub const FORM_ID_KEY: &str = "CommentContent.CommentID";

const COLLECTION: &str = "bairong_TableCollection";
const SITES: &str = "siteserver_PublishmentSystem";

/// Content tables of a pre-6.0 backup, lower-cased.
#[derive(Debug, Default)]
pub struct ContentTables {
    /// Registered in `bairong_TableCollection` or named in a site's `AuxiliaryTableFor*` columns.
    pub all: BTreeSet<String>,
    /// Registered with `IsCreatedInDB` "True": the tables the 5.0 engine's scripts run on.
    pub created: BTreeSet<String>,
}

/// Finds the content tables; their names vary per install (e.g. `cms_Content`).
pub fn content_tables(input: &HopInput<'_>) -> Result<ContentTables> {
    let mut out = ContentTables::default();
    if input.table(COLLECTION).is_some() {
        input.for_each_row(COLLECTION, |row| {
            if let Some(n) = text(&row, "TableENName").filter(|n| !n.is_empty()) {
                if text(&row, "IsCreatedInDB").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
                    out.created.insert(n.to_lowercase());
                }
                out.all.insert(n.to_lowercase());
            }
            Ok(())
        })?;
    }
    if input.table(SITES).is_some() {
        input.for_each_row(SITES, |row| {
            for (k, v) in &row {
                if k.to_lowercase().starts_with("auxiliarytablefor")
                    && let Some(n) = v.as_str().filter(|n| !n.is_empty())
                {
                    out.all.insert(n.to_lowercase());
                }
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// A column a hop appends, from its SQL type, with the value existing rows get.
pub fn added(name: &str, sql_type: &str, value: impl Into<Value>) -> Result<AddedColumn> {
    Ok(AddedColumn::new(sql_column(name, sql_type)?, value))
}

/// A 3.6 comment (`siteserver_CommentContent`) in the 4.x `siteserver_Comment` layout.
///
/// Same-named columns carry over and `ID` becomes `CommentID`. The comment-form columns get
/// what an insert leaves them (`""`, 0). `CommentID` (the form the comment belongs to),
/// `ReferenceID`, `Bad`, `Location`, `Attribute1`–`5` and `SettingsXML` have no column there:
/// empty ones are dropped, the others are listed in the report.
pub fn comment_from_content(mut row: Row, id: i64, layout: &[Column]) -> Row {
    if let Some(form) = take(&mut row, "CommentID") {
        row.insert(FORM_ID_KEY.into(), form);
    }
    take(&mut row, "ID");
    row.insert("CommentID".into(), Value::from(id));
    for c in layout {
        if get(&row, &c.attribute_name).is_none() {
            row.insert(c.attribute_name.clone(), schema::empty_value(c));
        }
    }
    let leftovers: Vec<String> = row
        .keys()
        .filter(|k| !schema::has_column(layout, k))
        .cloned()
        .collect();
    let leftovers: Vec<&str> = leftovers.iter().map(String::as_str).collect();
    drop_empty(&mut row, &leftovers);
    row
}

/// The config row as the 4.x engine's `AppManager.Upgrade` writes it back (upgrade-hops §2.3).
pub fn rewrite_config(row: &mut Row, version: &str, time: &Value) {
    put(row, "IsInitialized", "True");
    put(row, "DatabaseVersion", version);
    for key in ["RestrictionBlackList", "RestrictionWhiteList"] {
        if let Some(v) = text(row, key) {
            put(row, key, schema::trim_list(&v));
        }
    }
    if get(row, "IsRelatedUrl").is_some() {
        let v = text(row, "IsRelatedUrl").unwrap_or_default();
        put(row, "IsRelatedUrl", schema::dotnet_bool(&v));
    }
    if get(row, "UpdateDate").is_some() {
        put(row, "UpdateDate", time.clone());
    }
    if let Some(v) = text(row, "SettingsXML") {
        put(row, "SettingsXML", schema::lowercase_setting_keys(&v));
    }
}
