//! SiteServer 4.1 → 5.0: the official in-place upgrade (spec `upgrade-hops.md` §5), on the
//! backup folder.
//!
//! The 5.0 engine runs one script: it keeps every 4.x table and column, and
//!
//! - creates `bairong_DbCache`, `siteserver_CreateTask`, `siteserver_CreateTaskLog`,
//!   `siteserver_Task` and `siteserver_TaskLog` (empty), spelled `ID`/`PublishmentSystemID` as
//!   an upgraded database has them;
//! - appends NULL columns that existing rows leave NULL: `bairong_Administrator.CountOfFailedLogin`,
//!   `bairong_UserGroup.IsDefault`/`Description`, six `bairong_Users` columns, and
//!   `WritingUserName` at the end of every content table registered with `IsCreatedInDB`;
//! - appends `UserConfig`/`SystemConfig` to the config row, which the C# rewrite sets to `""`
//!   with `DatabaseVersion = "5.0"` and the normalised restriction lists (`SettingsXML` stays);
//! - drops and re-creates `siteserver_Comment` in the 5.0 layout, losing every comment.
//!
//! This hop keeps the comments instead: every 4.x comment is mapped into the 5.0 layout by id
//! (`CommentID` → `ID`, `Good` → `GoodCount`), and so is any comment still in
//! `siteserver_CommentContent`. Values the 5.0 layout has no column for (`IPAddress`, `Taxis`,
//! `IsRecommend`, `AdminName`, …) are listed in the report. Rows that are 3.6 comment-form
//! definitions (a `CommentName`, no content id) are no comments: they are carried, unchanged,
//! as `siteserver_Comment__from_v41`.
//!
//! "The upgrade time" written into `UpdateDate` is the backup's own `bairong_Config.UpdateDate`
//! (so it stays as it is), or `1754-01-01 00:00:00` when there is none.

mod install;
mod tables;

use std::collections::BTreeSet;

use semver::{Version, VersionReq};
use serde_json::Value;
use sscms_core::adapter::legacy::{ContentTables, added, content_tables};
use sscms_core::adapter::schema::{
    self, add_columns, column_ints, columns, drop_empty, first_text, has_column, put, renumber,
};
use sscms_core::adapter::{
    HopInput, HopPlan, IdMap, OutputTable, RowOutcome, Source, TableStatus, get, take, text,
};
use sscms_core::{AdapterRegistration, Column, Result, Row, VersionAdapter};

/// A table the hop creates, as a column definition list.
pub(crate) struct Created {
    pub name: &'static str,
    pub columns: &'static str,
}

/// The adapter for 4.1 backups.
pub struct V41;

/// The one instance, registered below; tests build registries from it.
pub static ADAPTER: V41 = V41;

/// `AppManager.Version` of the 5.0 release line, written into `DatabaseVersion`.
pub const DATABASE_VERSION: &str = "5.0";

/// The upgrade time when the backup's config row has no `UpdateDate`.
pub const FALLBACK_UPGRADE_TIME: &str = "1754-01-01 00:00:00";

/// Where the 3.6 comment-form rows of `siteserver_Comment` go: they are not comments.
pub const COMMENT_FORMS: &str = "siteserver_Comment__from_v41";

pub use sscms_core::adapter::legacy::FORM_ID_KEY;

const CONFIG: &str = "bairong_Config";
const COMMENT: &str = "siteserver_Comment";
const COMMENT_CONTENT: &str = "siteserver_CommentContent";
const COLLECTION: &str = "bairong_TableCollection";

/// `siteserver_Comment` as 5.0's upgrade.sql re-creates it (upgraded spelling).
const COMMENT_50: &str = "ID int pk identity, PublishmentSystemID int, NodeID int, ContentID int,
    GoodCount int, UserName nvarchar(50), IsChecked varchar(18), AddDate datetime,
    Content nvarchar(500)";

impl VersionAdapter for V41 {
    fn name(&self) -> &'static str {
        "v4_1"
    }

    fn accepts(&self) -> VersionReq {
        VersionReq::parse(">=4.1.0, <5.0.0").expect("a valid range")
    }

    fn produces(&self) -> Version {
        Version::new(5, 0, 0)
    }

    fn install_tables(&self) -> sscms_core::Result<Vec<sscms_core::TableMeta>> {
        sscms_core::adapter::schema::tables(install::INSTALL)
    }

    fn plan(&self, input: &HopInput<'_>) -> Result<HopPlan> {
        let mut plan = HopPlan::default();
        let (time, from) = match first_text(input, CONFIG, "UpdateDate")? {
            Some(t) => (Value::from(t), "bairong_Config.UpdateDate of the backup"),
            None => (
                Value::from(FALLBACK_UPGRADE_TIME),
                "the backup has no bairong_Config.UpdateDate",
            ),
        };
        plan.notes.push(format!(
            "the upgrade time written into UpdateDate is {} ({from})",
            time.as_str().unwrap_or_default()
        ));
        let ContentTables {
            created: registered,
            all: content,
        } = content_tables(input)?;
        // Tables of 4.1, and those this hop creates, should a backup have them already.
        let known: BTreeSet<String> = tables::KNOWN
            .iter()
            .copied()
            .chain(tables::CREATED.iter().map(|c| c.name))
            .map(str::to_lowercase)
            .collect();
        let comments = input.table(COMMENT).is_some();
        for t in input.tables() {
            let name = t.meta.name.clone();
            let lower = name.to_lowercase();
            let cols = &t.meta.columns;
            let table = match lower.as_str() {
                "bairong_config" => {
                    let mut cols = cols.clone();
                    let added = schema::append_missing(
                        &mut cols,
                        vec![
                            added("UserConfig", "ntext", "")?,
                            added("SystemConfig", "ntext", "")?,
                        ],
                    );
                    let time = time.clone();
                    OutputTable::new(&name, cols, TableStatus::Converted).source(Source::with(
                        &name,
                        move |mut row| {
                            schema::fill(&mut row, &added);
                            rewrite_config(&mut row, &time);
                            Ok(RowOutcome::Keep(row))
                        },
                    ))
                }
                "bairong_administrator" => add_columns(
                    &name,
                    cols,
                    vec![added("CountOfFailedLogin", "int", Value::Null)?],
                ),
                "bairong_usergroup" => add_columns(
                    &name,
                    cols,
                    vec![
                        added("IsDefault", "varchar(18)", Value::Null)?,
                        added("Description", "nvarchar(255)", Value::Null)?,
                    ],
                ),
                "bairong_users" => add_columns(
                    &name,
                    cols,
                    vec![
                        added("LastResetPasswordDate", "datetime", Value::Null)?,
                        added("CountOfLogin", "int", Value::Null)?,
                        added("CountOfFailedLogin", "int", Value::Null)?,
                        added("CountOfWriting", "int", Value::Null)?,
                        added("AvatarUrl", "varchar(200)", Value::Null)?,
                        added("ExtendValues", "ntext", Value::Null)?,
                    ],
                ),
                "siteserver_comment" => {
                    comments_50(input, &mut plan)?;
                    continue;
                }
                // Its comments moved into the new siteserver_Comment; the table stays.
                "siteserver_commentcontent" if comments && t.total_count > 0 => {
                    OutputTable::new(&name, cols.clone(), TableStatus::CreatedEmpty)
                }
                // upgrade_tables.sql runs for every registered, created content table.
                _ if registered.contains(&lower) => add_columns(
                    &name,
                    cols,
                    vec![added("WritingUserName", "nvarchar(255)", Value::Null)?],
                ),
                _ if known.contains(&lower) || content.contains(&lower) => {
                    OutputTable::new(&name, cols.clone(), TableStatus::Carried)
                        .source(Source::plain(&name))
                }
                // Not a 4.1 table: the engine carries it and lists it.
                _ => continue,
            };
            plan.tables.push(table);
        }
        if !comments {
            plan.tables.push(OutputTable::new(
                COMMENT,
                columns(COMMENT_50)?,
                TableStatus::CreatedEmpty,
            ));
        }
        for c in tables::CREATED {
            if input.table(c.name).is_none() {
                plan.tables.push(OutputTable::new(
                    c.name,
                    columns(c.columns)?,
                    TableStatus::CreatedEmpty,
                ));
            }
        }
        check_default_tables(input, &mut plan)?;
        Ok(plan)
    }
}

/// Whether a 4.x `siteserver_Comment` row is a 3.6 comment-form definition rather than a
/// comment: it has a `CommentName` and belongs to no content.
fn is_form(row: &Row) -> bool {
    text(row, "CommentName").is_some_and(|n| !n.is_empty())
        && schema::int(row, "ContentID").unwrap_or(0) == 0
}

/// The re-created `siteserver_Comment`, filled from the 4.x comments and the comments left in
/// `siteserver_CommentContent`; the comment forms go to [`COMMENT_FORMS`].
fn comments_50(input: &HopInput<'_>, plan: &mut HopPlan) -> Result<()> {
    let Some(comment) = input.table(COMMENT) else {
        return Ok(());
    };
    let name = comment.meta.name.clone();
    let layout = columns(COMMENT_50)?;
    let mut kept = Vec::new();
    let mut forms = 0u64;
    input.for_each_row(COMMENT, |row| {
        if is_form(&row) {
            forms += 1;
        } else {
            kept.push(schema::int(&row, "CommentID"));
        }
        Ok(())
    })?;
    let lay = layout.clone();
    let mut table = OutputTable::new(&name, layout, TableStatus::Converted).source(Source::with(
        &name,
        move |row| {
            if is_form(&row) {
                return Ok(RowOutcome::Elsewhere);
            }
            Ok(RowOutcome::Keep(comment_50(row, &lay)))
        },
    ));
    plan.notes.push(format!(
        "{name} is re-created in the 5.0 layout; its {} comments are kept in it (the official \
         upgrade deleted them); IPAddress, Taxis, IsRecommend and AdminName have no 5.0 column",
        kept.len()
    ));
    if let Some(content) = input.table(COMMENT_CONTENT).filter(|t| t.total_count > 0) {
        let ids = column_ints(input, COMMENT_CONTENT, "ID")?;
        let renumbered = renumber(&kept, &ids);
        if !renumbered.changed.is_empty() {
            plan.id_maps.push(IdMap {
                table: name.clone(),
                source: content.meta.name.clone(),
                column: "ID".into(),
                ids: renumbered.changed.clone(),
            });
        }
        plan.notes.push(format!(
            "moved {} comments from {} into {name} (no official hop moved them); {} of them got \
             new ids because a comment had theirs",
            ids.len(),
            content.meta.name,
            renumbered.changed.len()
        ));
        let lay = columns(COMMENT_50)?;
        let mut new_ids = renumbered.ids.into_iter();
        table = table.source(Source::with(&content.meta.name, move |mut row| {
            let id = new_ids
                .next()
                .ok_or("more comments than when the hop was planned")?;
            if let Some(form) = take(&mut row, "CommentID") {
                row.insert(FORM_ID_KEY.into(), form);
            }
            take(&mut row, "ID");
            row.insert("CommentID".into(), Value::from(id));
            Ok(RowOutcome::Keep(comment_50(row, &lay)))
        }));
        table.status = TableStatus::Merged;
    }
    plan.tables.push(table);
    if forms > 0 {
        plan.notes.push(format!(
            "{forms} rows of {name} are 3.6 comment-form definitions, not comments; they are \
             carried unchanged as {COMMENT_FORMS}"
        ));
        plan.tables.push(
            OutputTable::new(
                COMMENT_FORMS,
                comment.meta.columns.clone(),
                TableStatus::Carried,
            )
            .source(Source::with(&name, |row| {
                Ok(if is_form(&row) {
                    RowOutcome::Keep(row)
                } else {
                    RowOutcome::Elsewhere
                })
            })),
        );
    }
    Ok(())
}

/// A 4.x comment in the 5.0 layout: `CommentID` → `ID`, `Good` → `GoodCount`, the other 5.0
/// columns by name. What has no 5.0 column is dropped when empty and otherwise listed in the
/// report.
fn comment_50(mut row: Row, layout: &[Column]) -> Row {
    if let Some(id) = take(&mut row, "CommentID") {
        put(&mut row, "ID", id);
    }
    if let Some(good) = take(&mut row, "Good") {
        put(&mut row, "GoodCount", good);
    }
    let leftovers: Vec<String> = row
        .keys()
        .filter(|k| !has_column(layout, k))
        .cloned()
        .collect();
    let leftovers: Vec<&str> = leftovers.iter().map(String::as_str).collect();
    drop_empty(&mut row, &leftovers);
    row
}

/// The config row as the 5.0 `AppManager.Upgrade` writes it (spec §2.3): `IsRelatedUrl`,
/// `RootUrl` and `SettingsXML` are not touched.
fn rewrite_config(row: &mut Row, time: &Value) {
    put(row, "IsInitialized", "True");
    put(row, "DatabaseVersion", DATABASE_VERSION);
    for key in ["RestrictionBlackList", "RestrictionWhiteList"] {
        if let Some(v) = text(row, key) {
            put(row, key, schema::trim_list(&unfilter_sql(&v)));
        }
    }
    if get(row, "UpdateDate").is_some() {
        put(row, "UpdateDate", time.clone());
    }
    put(row, "UserConfig", "");
    put(row, "SystemConfig", "");
}

/// `UnFilterSql`: the restriction lists are stored with `'` written as `_sqlquote_`.
fn unfilter_sql(s: &str) -> String {
    s.replace("_sqlquote_", "'")
}

/// The 5.0 `CreateAllAuxiliaryTableIfNotExists` would create a default table for a type that no
/// created table is registered for; after a 4.1 install or hop 2 every type has one. A backup
/// where one is missing is reported rather than given a table 5.0 would create.
fn check_default_tables(input: &HopInput<'_>, plan: &mut HopPlan) -> Result<()> {
    if input.table(COLLECTION).is_none() {
        return Ok(());
    }
    let mut kinds = BTreeSet::new();
    input.for_each_row(COLLECTION, |row| {
        if text(&row, "IsCreatedInDB").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            kinds.insert(
                text(&row, "AuxiliaryTableType")
                    .unwrap_or_default()
                    .to_lowercase(),
            );
        }
        Ok(())
    })?;
    for kind in [
        "BackgroundContent",
        "JobContent",
        "VoteContent",
        "GovPublicContent",
        "GovInteractContent",
    ] {
        if !kinds.contains(&kind.to_lowercase()) {
            plan.notes.push(format!(
                "no created {kind} table is registered; 5.0 would create one on first start, \
                 and this hop does not"
            ));
        }
    }
    Ok(())
}

inventory::submit! {
    AdapterRegistration::new(&ADAPTER, env!("CARGO_PKG_NAME"))
}
