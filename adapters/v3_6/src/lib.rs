//! SiteServer 3.6.x → 4.0: the official in-place upgrade (spec `upgrade-hops.md` §3), on the
//! backup folder.
//!
//! The upgrade is additive: every 3.6 table and column stays, and this hop
//!
//! - creates `bairong_AjaxUrl`, `siteserver_TemplateLog` and `siteserver_ThirdLogin` (empty), and
//!   for sources below 3.6.3 the tables of the 3_63 folders;
//! - appends `LastProductID`/`PublishmentSystemIDCollection` to `bairong_Administrator`, four
//!   columns to `siteserver_PublishmentSystem`, nine comment columns to `siteserver_Comment`,
//!   the task dates to a table named `model_Content`, and (below 3.6.4 / 3.6.3)
//!   `bairong_FTPStorage.IsPassiveMode` and `siteserver_GovPublicIdentifierRule.SettingsXML`,
//!   each with the value the upgrade gave existing rows;
//! - rewrites the config row (§2.3) with `DatabaseVersion = "4.0"`.
//!
//! Where the official upgrade lost data, this hop keeps it: the comments in
//! `siteserver_CommentContent`, which no official hop ever moved, go into `siteserver_Comment`,
//! whose new columns make it the comment table from here on (their ids are kept unless they
//! collide with a comment-form row's id; the id map is in the report).
//!
//! "The upgrade time", which the upgrade wrote into new date columns and the config row, is the
//! backup's own `bairong_Config.UpdateDate` (the last time the old version wrote its config),
//! or `1754-01-01 00:00:00` (SiteServer's empty date) when there is none, so that a hop gives
//! the same output every time.

mod install;
mod tables;

use std::collections::BTreeSet;

use semver::{Version, VersionReq};
use serde_json::Value;
use sscms_core::adapter::legacy::{added, comment_from_content, content_tables, rewrite_config};
use sscms_core::adapter::schema::{
    AddedColumn, add_columns, append_missing, column_ints, columns, fill, first_text, renumber,
};
use sscms_core::adapter::{HopInput, HopPlan, IdMap, OutputTable, RowOutcome, Source, TableStatus};
use sscms_core::{AdapterRegistration, Result, VersionAdapter};

/// A table the hop creates, as a column definition list.
pub(crate) struct Created {
    pub name: &'static str,
    pub columns: &'static str,
}

/// The adapter for 3.6.x backups.
pub struct V36;

/// The one instance, registered below; tests build registries from it.
pub static ADAPTER: V36 = V36;

/// The string the hop writes into `DatabaseVersion` (spec §3.7: the 4.0 product string is
/// unknown; any value in [4.0, 4.02) makes hop 2 run the same folders as a one-shot upgrade).
pub const DATABASE_VERSION: &str = "4.0";

/// The upgrade time when the backup's config row has no `UpdateDate`.
pub const FALLBACK_UPGRADE_TIME: &str = "1754-01-01 00:00:00";

const CONFIG: &str = "bairong_Config";
const COMMENT: &str = "siteserver_Comment";
const COMMENT_CONTENT: &str = "siteserver_CommentContent";
pub use sscms_core::adapter::legacy::FORM_ID_KEY;

impl VersionAdapter for V36 {
    fn name(&self) -> &'static str {
        "v3_6"
    }

    fn accepts(&self) -> VersionReq {
        VersionReq::parse(">=3.6.0, <4.0.0").expect("a valid range")
    }

    fn produces(&self) -> Version {
        Version::new(4, 0, 0)
    }

    fn install_tables(&self) -> sscms_core::Result<Vec<sscms_core::TableMeta>> {
        sscms_core::adapter::schema::tables(install::INSTALL)
    }

    fn plan(&self, input: &HopInput<'_>) -> Result<HopPlan> {
        Planner::new(input)?.plan()
    }
}

struct Planner<'a, 'b> {
    input: &'a HopInput<'b>,
    time: Value,
    content: BTreeSet<String>,
    /// `GetVersionDouble` of the source: 3.6.4 reads 3.64, so the 3_63/3_64 folders run only for
    /// lower patch levels.
    patch: u64,
    plan: HopPlan,
}

impl<'a, 'b> Planner<'a, 'b> {
    fn new(input: &'a HopInput<'b>) -> Result<Self> {
        let (time, from) = upgrade_time(input)?;
        let mut plan = HopPlan::default();
        plan.notes.push(format!(
            "the upgrade time written into new date columns is {} ({from})",
            time.as_str().unwrap_or_default()
        ));
        Ok(Planner {
            input,
            time,
            content: content_tables(input)?.all,
            patch: input.version().patch,
            plan,
        })
    }

    fn plan(mut self) -> Result<HopPlan> {
        // Tables of 3.6, and those this hop would create (present already in some builds).
        let known: BTreeSet<String> = tables::KNOWN
            .iter()
            .copied()
            .chain(tables::CREATED.iter().map(|c| c.name))
            .chain(tables::CREATED_BELOW_3_6_3.iter().map(|c| c.name))
            .map(str::to_lowercase)
            .collect();
        let merge = self.merge_comments();
        for t in self.input.tables() {
            let name = t.meta.name.clone();
            let lower = name.to_lowercase();
            let new_columns = match lower.as_str() {
                "bairong_config" => {
                    self.config(&name);
                    continue;
                }
                "siteserver_comment" if merge => {
                    self.comments(&name)?;
                    continue;
                }
                "siteserver_commentcontent" if merge => {
                    // Its rows moved into siteserver_Comment; the table itself stays, as the
                    // upgrade keeps it.
                    self.plan.tables.push(OutputTable::new(
                        name,
                        t.meta.columns.clone(),
                        TableStatus::CreatedEmpty,
                    ));
                    continue;
                }
                "bairong_administrator" => vec![
                    added("LastProductID", "varchar(50)", "")?,
                    added("PublishmentSystemIDCollection", "varchar(50)", "")?,
                ],
                "siteserver_publishmentsystem" => vec![
                    added("PublishmentSystemType", "varchar(50)", "")?,
                    added("AuxiliaryTableForGoods", "varchar(50)", "")?,
                    added("AuxiliaryTableForBrand", "varchar(50)", "")?,
                    added("GroupSN", "nvarchar(255)", "")?,
                ],
                "siteserver_comment" => comment_columns(&self.time)?,
                "bairong_ftpstorage" if self.patch < 4 => {
                    vec![added("IsPassiveMode", "varchar(18)", "")?]
                }
                "siteserver_govpublicidentifierrule" if self.patch < 3 => {
                    vec![added("SettingsXML", "ntext", "")?]
                }
                // Only a table of exactly this name (SQL Server compares names without case).
                "model_content" => vec![
                    added("CheckTaskDate", "datetime", self.time.clone())?,
                    added("UnCheckTaskDate", "datetime", self.time.clone())?,
                ],
                _ if known.contains(&lower) || self.content.contains(&lower) => {
                    self.plan.tables.push(
                        OutputTable::new(&name, t.meta.columns.clone(), TableStatus::Carried)
                            .source(Source::plain(&name)),
                    );
                    continue;
                }
                // Not a 3.6 table: the engine carries it and lists it.
                _ => continue,
            };
            self.plan
                .tables
                .push(add_columns(&name, &t.meta.columns, new_columns));
        }
        let mut created: Vec<&Created> = tables::CREATED.iter().collect();
        if self.patch < 3 {
            created.extend(tables::CREATED_BELOW_3_6_3);
        }
        for c in created {
            if self.input.table(c.name).is_none() {
                self.plan.tables.push(OutputTable::new(
                    c.name,
                    columns(c.columns)?,
                    TableStatus::CreatedEmpty,
                ));
            }
        }
        Ok(self.plan)
    }

    /// Whether the 3.6 comments are to move into `siteserver_Comment`.
    fn merge_comments(&self) -> bool {
        self.input.table(COMMENT).is_some()
            && self
                .input
                .table(COMMENT_CONTENT)
                .is_some_and(|t| t.total_count > 0)
    }

    fn config(&mut self, name: &str) {
        let time = self.time.clone();
        let columns = self
            .input
            .table(name)
            .map(|t| t.meta.columns.clone())
            .unwrap_or_default();
        self.plan.tables.push(
            OutputTable::new(name, columns, TableStatus::Converted).source(Source::with(
                name,
                move |mut row| {
                    rewrite_config(&mut row, DATABASE_VERSION, &time);
                    Ok(RowOutcome::Keep(row))
                },
            )),
        );
    }

    /// `siteserver_Comment` with its nine new columns, then the comments of
    /// `siteserver_CommentContent` mapped into that layout.
    fn comments(&mut self, name: &str) -> Result<()> {
        let (Some(comment), Some(content)) =
            (self.input.table(COMMENT), self.input.table(COMMENT_CONTENT))
        else {
            return Ok(());
        };
        let mut cols = comment.meta.columns.clone();
        let added = append_missing(&mut cols, comment_columns(&self.time)?);
        let kept = column_ints(self.input, COMMENT, "CommentID")?;
        let ids = column_ints(self.input, COMMENT_CONTENT, "ID")?;
        let renumbered = renumber(&kept, &ids);
        if !renumbered.changed.is_empty() {
            self.plan.id_maps.push(IdMap {
                table: name.to_string(),
                source: content.meta.name.clone(),
                column: "CommentID".into(),
                ids: renumbered.changed.clone(),
            });
        }
        self.plan.notes.push(format!(
            "moved {} comments from {} into {name}, which the upgrade gave comment columns (the \
             official upgrade left them behind); {} of them got new ids because a comment form \
             had theirs",
            ids.len(),
            content.meta.name,
            renumbered.changed.len()
        ));
        let layout = cols.clone();
        let mut new_ids = renumbered.ids.into_iter();
        self.plan.tables.push(
            OutputTable::new(name, cols, TableStatus::Merged)
                .source(Source::with(&comment.meta.name, move |mut row| {
                    fill(&mut row, &added);
                    Ok(RowOutcome::Keep(row))
                }))
                .source(Source::with(&content.meta.name, move |row| {
                    let id = new_ids
                        .next()
                        .ok_or("more comments than when the hop was planned")?;
                    Ok(RowOutcome::Keep(comment_from_content(row, id, &layout)))
                })),
        );
        Ok(())
    }
}

/// The nine columns CMS/4_0 appends to `siteserver_Comment`, with what existing rows get.
fn comment_columns(time: &Value) -> Result<Vec<AddedColumn>> {
    Ok(vec![
        added("NodeID", "int", 0)?,
        added("ContentID", "int", 0)?,
        added("Good", "int", 0)?,
        added("UserName", "nvarchar(50)", "")?,
        added("IPAddress", "varchar(50)", "")?,
        added("AddDate", "datetime", time.clone())?,
        added("IsChecked", "varchar(18)", "")?,
        added("IsRecommend", "varchar(18)", "")?,
        added("Content", "ntext", "")?,
    ])
}

/// The fixed upgrade time and where it came from.
fn upgrade_time(input: &HopInput<'_>) -> Result<(Value, String)> {
    Ok(match first_text(input, CONFIG, "UpdateDate")? {
        Some(t) => (
            Value::from(t),
            "bairong_Config.UpdateDate of the backup".into(),
        ),
        None => (
            Value::from(FALLBACK_UPGRADE_TIME),
            "the backup has no bairong_Config.UpdateDate".into(),
        ),
    })
}

inventory::submit! {
    AdapterRegistration::new(&ADAPTER, env!("CARGO_PKG_NAME"))
}
