//! SiteServer 4.0 → 4.1.1603: the official in-place upgrade (spec `upgrade-hops.md` §4), on the
//! backup folder.
//!
//! The source is a fresh 4.0 install or the output of the 3.6 hop ("3.6-origin", told apart by
//! `bairong_Users` having no `UserID`). The upgrade is additive; this hop
//!
//! - creates the tables of Platform 4_0_2/4_0_5/4_1 and CMS 4_1 that are missing (empty), and
//!   for 3.6-origin also `bairong_UserGroup` and `bairong_ErrorLog`;
//! - appends columns with the value existing rows got: `bairong_Task.OnlyOnceDate`,
//!   `bairong_UserBinding` (3), `bairong_UserContact.Gender`, `bairong_UserMessage.Title`,
//!   `bairong_Users` (up to 23), `bairong_AjaxUrl` (6), `siteserver_Comment` (9 for 4.0-fresh,
//!   and `AdminName`), `IsAutoCreate` on the two gather-rule tables, `ClassifyID` on
//!   `siteserver_Input` and `siteserver_Keyword`, and the task dates and `MemberName` on a table
//!   named `model_Content`;
//! - renames `bairong_Roles.Modules` to `ProductIDCollection` (the `LastModuleID` rename fails
//!   as it did officially, because hop 1 created `LastProductID`), widens `bairong_AjaxUrl.AjaxUrl`
//!   and the three `siteserver_Adv` collections, and re-keys `bairong_Users` (3.6-origin: on a new
//!   identity `UserID`), `bairong_UserBinding` and `bairong_ContentModel`;
//! - migrates the 3.6 `siteserver_Ad` rows into `siteserver_AdArea`/`Adv`/`AdMaterial`;
//! - registers `ml_Content` and runs `CreateAllAuxiliaryTableIfNotExists` (4.1 rules): missing
//!   default content tables are created with their `bairong_TableCollection` and
//!   `bairong_TableMetadata` rows;
//! - rewrites the config row (§2.3) with `DatabaseVersion = "4.1.1603"`.
//!
//! Where the official upgrade lost data, this hop keeps it: comments still in
//! `siteserver_CommentContent` (a fresh 4.0 keeps its comments there) move into
//! `siteserver_Comment`, which becomes the comment table in 4.1.
//!
//! "The upgrade time" is the backup's own `bairong_Config.UpdateDate`, or `1754-01-01 00:00:00`
//! when there is none; rows an upgrade inserts are written as if the config row's table held
//! them (see `schema::insert_row`), so the report lists `bairong_Config` among their sources.

mod content;
mod install;
mod tables;

use std::collections::{BTreeMap, BTreeSet};

use semver::{Version, VersionReq};
use serde_json::Value;
use sscms_core::adapter::legacy::{added, comment_from_content, content_tables, rewrite_config};
use sscms_core::adapter::schema::{
    self, AddedColumn, add_columns, append_missing, column_ints, columns, fill, first_text,
    has_column, insert_row, max_id, new_row, position, put, rename_column, renumber, sql_column,
};
use sscms_core::adapter::{
    HopInput, HopPlan, IdMap, OutputTable, RowOutcome, Source, TableStatus, get, rename, text,
};
use sscms_core::{AdapterRegistration, Column, Result, Row, VersionAdapter};

use content::{DEFAULT_TYPES, MetaRow};

/// A table the hop creates, as a column definition list.
pub(crate) struct Created {
    pub name: &'static str,
    /// Created only when the source came from 3.6 (a fresh 4.0 has it already).
    pub only_from_3_6: bool,
    pub columns: &'static str,
}

/// The adapter for 4.0 backups.
pub struct V40;

/// The one instance, registered below; tests build registries from it.
pub static ADAPTER: V40 = V40;

/// `ProductManager.Version` of the 4.1.1603 snapshot, written into `DatabaseVersion`.
pub const DATABASE_VERSION: &str = "4.1.1603";

/// The upgrade time when the backup's config row has no `UpdateDate`.
pub const FALLBACK_UPGRADE_TIME: &str = "1754-01-01 00:00:00";

pub use sscms_core::adapter::legacy::FORM_ID_KEY;

const CONFIG: &str = "bairong_Config";
const COMMENT: &str = "siteserver_Comment";
const COMMENT_CONTENT: &str = "siteserver_CommentContent";
const COLLECTION: &str = "bairong_TableCollection";
const METADATA: &str = "bairong_TableMetadata";
const USERS: &str = "bairong_Users";
const AD: &str = "siteserver_Ad";

impl VersionAdapter for V40 {
    fn name(&self) -> &'static str {
        "v4_0"
    }

    fn accepts(&self) -> VersionReq {
        VersionReq::parse(">=4.0.0, <4.1.0").expect("a valid range")
    }

    fn produces(&self) -> Version {
        Version::new(4, 1, 1603)
    }

    fn install_tables(&self) -> sscms_core::Result<Vec<sscms_core::TableMeta>> {
        sscms_core::adapter::schema::tables(install::INSTALL)
    }

    fn plan(&self, input: &HopInput<'_>) -> Result<HopPlan> {
        Planner::new(input)?.plan()
    }
}

/// Rows upgrade steps insert into one table.
#[derive(Default)]
struct Extra {
    sources: Vec<Source>,
    rows: u64,
    /// Written alongside the config row (see [`Planner::anchor`]).
    anchored: bool,
}

/// One `bairong_TableCollection` row, as far as the hop needs it.
struct Registered {
    name: String,
    kind: String,
    created: bool,
}

struct Planner<'a, 'b> {
    input: &'a HopInput<'b>,
    time: Value,
    /// The source came from 3.6 through hop 1 rather than from a 4.0 install.
    from_3_6: bool,
    content: BTreeSet<String>,
    registry: Vec<Registered>,
    /// Rows upgrade steps add to a table, by lower-cased table name.
    extra: BTreeMap<String, Extra>,
    /// Registry rows whose `IsCreatedInDB` the hop sets to "True", lower-cased.
    mark_created: BTreeSet<String>,
    /// Default content tables to create (name, columns).
    new_content: Vec<(String, Vec<Column>)>,
    plan: HopPlan,
}

impl<'a, 'b> Planner<'a, 'b> {
    fn new(input: &'a HopInput<'b>) -> Result<Self> {
        let (time, from) = match first_text(input, CONFIG, "UpdateDate")? {
            Some(t) => (Value::from(t), "bairong_Config.UpdateDate of the backup"),
            None => (
                Value::from(FALLBACK_UPGRADE_TIME),
                "the backup has no bairong_Config.UpdateDate",
            ),
        };
        let mut plan = HopPlan::default();
        plan.notes.push(format!(
            "the upgrade time written into new date columns is {} ({from})",
            time.as_str().unwrap_or_default()
        ));
        let from_3_6 = input
            .table(USERS)
            .is_some_and(|t| !has_column(&t.meta.columns, "UserID"));
        let mut registry = Vec::new();
        if input.table(COLLECTION).is_some() {
            input.for_each_row(COLLECTION, |row| {
                registry.push(Registered {
                    name: text(&row, "TableENName").unwrap_or_default(),
                    kind: text(&row, "AuxiliaryTableType").unwrap_or_default(),
                    created: text(&row, "IsCreatedInDB")
                        .is_some_and(|v| v.eq_ignore_ascii_case("true")),
                });
                Ok(())
            })?;
        }
        Ok(Planner {
            input,
            time,
            from_3_6,
            content: content_tables(input)?.all,
            registry,
            extra: BTreeMap::new(),
            mark_created: BTreeSet::new(),
            new_content: Vec::new(),
            plan,
        })
    }

    fn plan(mut self) -> Result<HopPlan> {
        self.register_content()?;
        self.migrate_ads()?;
        // Tables of 4.0, and those this hop would create (4.0.2+ builds have some already).
        let known: BTreeSet<String> = tables::KNOWN
            .iter()
            .copied()
            .chain(tables::CREATED.iter().map(|c| c.name))
            .map(str::to_lowercase)
            .collect();
        let merge = self.input.table(COMMENT).is_some()
            && self
                .input
                .table(COMMENT_CONTENT)
                .is_some_and(|t| t.total_count > 0);
        let input = self.input;
        for t in input.tables() {
            let name = t.meta.name.clone();
            let lower = name.to_lowercase();
            let cols = &t.meta.columns;
            let time = self.time.clone();
            let table = match lower.as_str() {
                "bairong_config" => OutputTable::new(&name, cols.clone(), TableStatus::Converted)
                    .source(Source::with(&name, move |mut row| {
                        rewrite_config(&mut row, DATABASE_VERSION, &time);
                        Ok(RowOutcome::Keep(row))
                    })),
                "bairong_task" => {
                    add_columns(&name, cols, vec![added("OnlyOnceDate", "datetime", time)?])
                }
                "bairong_userbinding" => self.user_binding(&name, cols, t.total_count)?,
                "bairong_usercontact" => {
                    add_columns(&name, cols, vec![added("Gender", "varchar(18)", "")?])
                }
                "bairong_usermessage" => {
                    add_columns(&name, cols, vec![added("Title", "nvarchar(255)", "")?])
                }
                "bairong_users" => self.users(&name, cols)?,
                "bairong_ajaxurl" => {
                    let mut cols = cols.clone();
                    widen(&mut cols, &["AjaxUrl"], 500);
                    add_columns(
                        &name,
                        &cols,
                        vec![
                            added("ContentID", "int", 0)?,
                            added("NodeID", "int", 0)?,
                            added("TemplateID", "int", 0)?,
                            added("PublishmentSystemID", "int", 0)?,
                            added("CreateTaskID", "int", 0)?,
                            added("ActionType", "varchar(50)", "")?,
                        ],
                    )
                }
                "bairong_roles" => renamed(&name, cols, "Modules", "ProductIDCollection"),
                // Fails officially when hop 1 already added LastProductID; then nothing changes.
                "bairong_administrator" => renamed(&name, cols, "LastModuleID", "LastProductID"),
                "bairong_contentmodel" => {
                    let mut cols = cols.clone();
                    if let Some(i) = position(&cols, "SiteID") {
                        cols[i].is_primary_key = true;
                    }
                    converted(&name, cols)
                }
                "bairong_tablecollection" => self.collection(&name, cols),
                "siteserver_comment" if merge => self.comments(&name)?,
                "siteserver_comment" => add_columns(&name, cols, comment_columns(&time)?),
                "siteserver_commentcontent" if merge => {
                    // Its rows moved into siteserver_Comment; the table stays, as upgrades keep it.
                    OutputTable::new(&name, cols.clone(), TableStatus::CreatedEmpty)
                }
                "siteserver_gatherdatabaserule" | "siteserver_gatherfilerule" => {
                    add_columns(&name, cols, vec![added("IsAutoCreate", "varchar(18)", "")?])
                }
                "siteserver_input" | "siteserver_keyword" => {
                    add_columns(&name, cols, vec![added("ClassifyID", "int", 0)?])
                }
                "siteserver_adv" => {
                    let mut cols = cols.clone();
                    widen(&mut cols, ADV_COLLECTIONS, 4000);
                    converted(&name, cols)
                }
                // Only a table of exactly this name (SQL Server compares names without case).
                "model_content" => add_columns(
                    &name,
                    cols,
                    vec![
                        added("CheckTaskDate", "datetime", time.clone())?,
                        added("UnCheckTaskDate", "datetime", time)?,
                        added("MemberName", "nvarchar(50)", "")?,
                    ],
                ),
                _ if known.contains(&lower) || self.content.contains(&lower) => {
                    OutputTable::new(&name, cols.clone(), TableStatus::Carried)
                        .source(Source::plain(&name))
                }
                // Not a 4.0 table: the engine carries it and lists it.
                _ => continue,
            };
            self.push(table);
        }
        for c in tables::CREATED {
            if self.input.table(c.name).is_none() && (self.from_3_6 || !c.only_from_3_6) {
                let table =
                    OutputTable::new(c.name, columns(c.columns)?, TableStatus::CreatedEmpty);
                self.push(table);
            }
        }
        for (name, cols) in std::mem::take(&mut self.new_content) {
            self.push(OutputTable::new(name, cols, TableStatus::CreatedEmpty));
        }
        for (table, extra) in std::mem::take(&mut self.extra) {
            self.plan.notes.push(format!(
                "{} rows the upgrade would insert into {table} are not written: the backup has \
                 no such table",
                extra.rows
            ));
        }
        Ok(self.plan)
    }

    /// Adds a table to the plan with any rows the upgrade inserts into it.
    fn push(&mut self, mut table: OutputTable) {
        if let Some(extra) = self.extra.remove(&table.name.to_lowercase()) {
            table.sources.extend(extra.sources);
            if table.status != TableStatus::Merged {
                table.status = TableStatus::Converted;
            }
            self.plan.notes.push(if extra.anchored {
                format!(
                    "{}: the upgrade inserts {} rows; they are written alongside the config row, \
                     so the report lists bairong_Config among this table's sources",
                    table.name, extra.rows
                )
            } else {
                format!("{}: the upgrade inserts {} rows", table.name, extra.rows)
            });
        }
        self.plan.tables.push(table);
    }

    /// `bairong_UserBinding`: three columns, and the key moves from `UserName` to `UserID`. The
    /// new key holds only while at most one row has the `UserID` 0 that every row gets;
    /// otherwise the official upgrade left the table without a primary key, and so does this.
    fn user_binding(&mut self, name: &str, cols: &[Column], rows: u64) -> Result<OutputTable> {
        let mut cols = cols.to_vec();
        let rekey = position(&cols, "UserName").is_some_and(|i| cols[i].is_primary_key);
        let added = append_missing(
            &mut cols,
            vec![
                added("UserID", "int", 0)?,
                added("ThirdLoginType", "varchar(50)", "")?,
                added("ThirdLoginUserID", "nvarchar(255)", "")?,
            ],
        );
        if rekey {
            for c in cols.iter_mut() {
                c.is_primary_key = rows <= 1 && c.attribute_name.eq_ignore_ascii_case("UserID");
            }
            if rows > 1 {
                self.plan.notes.push(format!(
                    "{name} has {rows} rows, all with UserID 0, so the new primary key on UserID \
                     failed officially; the table is left without one"
                ));
            }
        }
        Ok(
            OutputTable::new(name, cols, TableStatus::Converted).source(Source::with(
                name,
                move |mut row| {
                    fill(&mut row, &added);
                    Ok(RowOutcome::Keep(row))
                },
            )),
        )
    }

    /// `bairong_Users`: the profile columns; for 3.6-origin also `GroupID`, `Credits`, `GroupSN`
    /// and the identity `UserID`, which becomes the primary key instead of `UserName`.
    ///
    /// SQL Server numbered the new identity in scan order. The backup-added `Id` was numbered the
    /// same way, so its values become the `UserID`s (spec §4.6). `Id` stays, with its values, but
    /// as a plain column: a table has one identity.
    fn users(&mut self, name: &str, cols: &[Column]) -> Result<OutputTable> {
        let mut cols = cols.to_vec();
        let new_key = !has_column(&cols, "UserID");
        let added = append_missing(&mut cols, users_columns()?);
        if !new_key {
            return Ok(
                OutputTable::new(name, cols, TableStatus::Converted).source(Source::with(
                    name,
                    move |mut row| {
                        fill(&mut row, &added);
                        Ok(RowOutcome::Keep(row))
                    },
                )),
            );
        }
        for c in cols.iter_mut() {
            let key = c.attribute_name.eq_ignore_ascii_case("UserID");
            c.is_primary_key = key;
            c.is_identity = key;
        }
        let source_ids = match self
            .input
            .table(name)
            .and_then(|t| t.meta.identity().map(|c| c.attribute_name.clone()))
        {
            Some(id) => column_ints(self.input, name, &id)?,
            None => {
                let count = self.input.table(name).map_or(0, |t| t.total_count);
                (0..count).map(|_| None).collect()
            }
        };
        let mut ids = schema::renumber(&[], &source_ids).ids.into_iter();
        self.plan.notes.push(format!(
            "{name}: UserID numbers the {} users as the backup-added Id does, and becomes the \
             primary key; Id stays as a plain column",
            source_ids.len()
        ));
        Ok(
            OutputTable::new(name, cols, TableStatus::Converted).source(Source::with(
                name,
                move |mut row| {
                    fill(&mut row, &added);
                    let id = ids
                        .next()
                        .ok_or("more users than when the hop was planned")?;
                    put(&mut row, "UserID", id);
                    Ok(RowOutcome::Keep(row))
                },
            )),
        )
    }

    /// `siteserver_Comment` with the comment columns, then the comments of
    /// `siteserver_CommentContent` mapped into that layout.
    fn comments(&mut self, name: &str) -> Result<OutputTable> {
        let (Some(comment), Some(content)) =
            (self.input.table(COMMENT), self.input.table(COMMENT_CONTENT))
        else {
            return Err(sscms_core::Error::Invalid("no comment tables".into()));
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
            "moved {} comments from {} into {name}, the 4.1 comment table (the official upgrade \
             left them behind); {} of them got new ids because a row of {name} had theirs",
            ids.len(),
            content.meta.name,
            renumbered.changed.len()
        ));
        let layout = cols.clone();
        let mut new_ids = renumbered.ids.into_iter();
        Ok(OutputTable::new(name, cols, TableStatus::Merged)
            .source(Source::with(&comment.meta.name, move |mut row| {
                fill(&mut row, &added);
                Ok(RowOutcome::Keep(row))
            }))
            .source(Source::with(&content.meta.name, move |row| {
                let id = new_ids
                    .next()
                    .ok_or("more comments than when the hop was planned")?;
                Ok(RowOutcome::Keep(comment_from_content(row, id, &layout)))
            })))
    }

    /// `bairong_TableCollection`, with `IsCreatedInDB` set where `CreateAll` re-creates a
    /// registered default table.
    fn collection(&self, name: &str, cols: &[Column]) -> OutputTable {
        let mark = self.mark_created.clone();
        let status = if mark.is_empty() {
            TableStatus::Carried
        } else {
            TableStatus::Converted
        };
        OutputTable::new(name, cols.to_vec(), status).source(Source::with(name, move |mut row| {
            if text(&row, "TableENName").is_some_and(|n| mark.contains(&n.to_lowercase())) {
                put(&mut row, "IsCreatedInDB", "True");
            }
            Ok(RowOutcome::Keep(row))
        }))
    }

    /// The `ml_Content` registration of Platform/4_1, then `CreateAllAuxiliaryTableIfNotExists`
    /// with the 4.1 rules: for each default type that no created table is registered for, its
    /// registry row, its metadata rows and its empty table.
    fn register_content(&mut self) -> Result<()> {
        let mut collection_rows: Vec<Vec<(&str, Value)>> = Vec::new();
        let mut metadata_rows: Vec<(String, Vec<MetaRow>)> = Vec::new();
        let has_metadata = self.metadata_tables()?;
        let registered =
            |reg: &[Registered], n: &str| reg.iter().any(|r| r.name.eq_ignore_ascii_case(n));
        if !registered(&self.registry, content::ML_CONTENT) {
            collection_rows.push(vec![
                ("TableENName", content::ML_CONTENT.into()),
                ("TableCNName", content::ML_CONTENT_CN.into()),
                ("AttributeNum", 15.into()),
                ("AuxiliaryTableType", content::ML_CONTENT_KIND.into()),
                ("IsCreatedInDB", "True".into()),
                ("IsChangedAfterCreatedInDB", "False".into()),
                ("IsDefault", "False".into()),
                ("Description", content::ML_CONTENT_DESCRIPTION.into()),
            ]);
        }
        if !has_metadata.contains(&content::ML_CONTENT.to_lowercase()) {
            let rows = content::metadata(content::ML_CONTENT_METADATA);
            metadata_rows.push((content::ML_CONTENT.into(), rows));
        }
        self.content.insert(content::ML_CONTENT.to_lowercase());
        for t in DEFAULT_TYPES {
            let exists = self
                .registry
                .iter()
                .any(|r| r.created && r.kind.eq_ignore_ascii_case(t.kind));
            if exists {
                continue;
            }
            if registered(&self.registry, t.table) {
                self.mark_created.insert(t.table.to_lowercase());
            } else {
                collection_rows.push(vec![
                    ("TableENName", t.table.into()),
                    ("TableCNName", t.cn_name.into()),
                    ("AttributeNum", 0.into()),
                    ("AuxiliaryTableType", t.kind.into()),
                    ("IsCreatedInDB", "True".into()),
                    ("IsChangedAfterCreatedInDB", "False".into()),
                    ("IsDefault", "True".into()),
                    ("Description", "".into()),
                ]);
            }
            if !has_metadata.contains(&t.table.to_lowercase()) {
                metadata_rows.push((t.table.into(), content::metadata(t.metadata)));
            }
            if self.input.table(t.table).is_none() {
                self.new_content
                    .push((t.table.to_string(), content::table_columns(t)?));
            }
            self.content.insert(t.table.to_lowercase());
            self.plan.notes.push(format!(
                "CreateAllAuxiliaryTableIfNotExists: no created {} table was registered, so \
                 {} is created and registered",
                t.kind, t.table
            ));
        }
        self.insert_rows(COLLECTION, "Id", collection_rows)?;
        let mut rows = Vec::new();
        for (table, meta) in metadata_rows {
            for (i, m) in meta.iter().enumerate() {
                rows.push(vec![
                    ("AuxiliaryTableENName", Value::from(table.clone())),
                    ("AttributeName", m.name.clone().into()),
                    ("DataType", m.data_type.clone().into()),
                    ("DataLength", m.length.into()),
                    (
                        "CanBeNull",
                        if m.can_be_null { "True" } else { "False" }.into(),
                    ),
                    ("DBDefaultValue", m.db_default()),
                    ("Taxis", (i + 1).into()),
                    ("IsSystem", "True".into()),
                ]);
            }
        }
        self.insert_rows(METADATA, "TableMetadataID", rows)
    }

    /// Tables that have `bairong_TableMetadata` rows, lower-cased.
    fn metadata_tables(&self) -> Result<BTreeSet<String>> {
        let mut out = BTreeSet::new();
        if self.input.table(METADATA).is_some() {
            self.input.for_each_row(METADATA, |row| {
                if let Some(n) = text(&row, "AuxiliaryTableENName") {
                    out.insert(n.to_lowercase());
                }
                Ok(())
            })?;
        }
        Ok(out)
    }

    /// Queues rows the upgrade inserts into `table`; its identity column (named `identity` or
    /// the backup-added one) continues after the largest existing id.
    fn insert_rows(
        &mut self,
        table: &str,
        identity: &str,
        rows: Vec<Vec<(&str, Value)>>,
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let Some(data) = self.input.table(table) else {
            self.plan.notes.push(format!(
                "{} rows the upgrade inserts into {table} are not written: the backup has no \
                 such table",
                rows.len()
            ));
            return Ok(());
        };
        let cols = data.meta.columns.clone();
        let id_col = data
            .meta
            .identity()
            .map(|c| c.attribute_name.clone())
            .or_else(|| has_column(&cols, identity).then(|| identity.to_string()));
        let mut next = match &id_col {
            Some(c) => max_id(&column_ints(self.input, table, c)?) + 1,
            None => 1,
        };
        let Some(anchor) = self.anchor() else {
            return Ok(());
        };
        let extra = self.extra.entry(table.to_lowercase()).or_default();
        for mut values in rows {
            if let Some(c) = &id_col {
                values.push((c.as_str(), Value::from(next)));
                next += 1;
            }
            extra
                .sources
                .push(insert_row(&anchor, new_row(&cols, &values)));
            extra.rows += 1;
            extra.anchored = true;
        }
        Ok(())
    }

    /// The table whose single row carries the inserted rows: the config table.
    fn anchor(&mut self) -> Option<String> {
        match self.input.table(CONFIG) {
            Some(t) if t.total_count > 0 => Some(t.meta.name.clone()),
            _ => {
                self.plan.notes.push(
                    "the backup has no bairong_Config row, so rows the upgrade inserts are not \
                     written"
                        .into(),
                );
                None
            }
        }
    }

    /// CMS/4_1's copy of each 3.6 `siteserver_Ad` row into `siteserver_AdArea`, `siteserver_Adv`
    /// and `siteserver_AdMaterial`, in row order; new ids continue after existing ones.
    fn migrate_ads(&mut self) -> Result<()> {
        let Some(ad) = self.input.table(AD).filter(|t| t.total_count > 0) else {
            return Ok(());
        };
        let count = ad.total_count;
        let ad = ad.meta.name.clone();
        let area_cols = self.layout("siteserver_AdArea")?;
        let adv_cols = self.layout("siteserver_Adv")?;
        let material_cols = self.layout("siteserver_AdMaterial")?;
        let base_area = max_id(&column_ints(self.input, "siteserver_AdArea", "AdAreaID")?);
        let base_adv = max_id(&column_ints(self.input, "siteserver_Adv", "AdvID")?);
        let base_material = max_id(&column_ints(
            self.input,
            "siteserver_AdMaterial",
            "AdMaterialID",
        )?);
        let time = self.time.clone();
        let copy = |row: &Row, keys: &[&str]| -> Vec<(String, Value)> {
            keys.iter()
                .map(|k| (k.to_string(), get(row, k).cloned().unwrap_or(Value::Null)))
                .collect()
        };
        let mut i = 0i64;
        let area = Source::with(&ad, move |row| {
            i += 1;
            let mut v = copy(&row, &["PublishmentSystemID", "IsEnabled"]);
            v.push(("AdAreaID".into(), (base_area + i).into()));
            v.push(("AdAreaName".into(), get(&row, "AdName").cloned().into()));
            v.push(("AddDate".into(), time.clone()));
            Ok(RowOutcome::Keep(build(&area_cols, v)))
        });
        let mut i = 0i64;
        let adv = Source::with(&ad, move |row| {
            i += 1;
            let mut v = copy(
                &row,
                &[
                    "PublishmentSystemID",
                    "IsEnabled",
                    "IsDateLimited",
                    "StartDate",
                    "EndDate",
                ],
            );
            v.push(("AdvID".into(), (base_adv + i).into()));
            v.push(("AdAreaID".into(), (base_area + i).into()));
            v.push(("AdvName".into(), get(&row, "AdName").cloned().into()));
            v.push(("LevelType".into(), "Hold".into()));
            v.push(("IsWeight".into(), "False".into()));
            v.push(("RotateType".into(), "Equality".into()));
            let site = text(&row, "PublishmentSystemID").unwrap_or_default();
            v.push(("NodeIDCollectionToChannel".into(), site.into()));
            Ok(RowOutcome::Keep(build(&adv_cols, v)))
        });
        let mut i = 0i64;
        let material = Source::with(&ad, move |row| {
            i += 1;
            let mut v = copy(
                &row,
                &[
                    "PublishmentSystemID",
                    "Code",
                    "TextWord",
                    "TextLink",
                    "TextColor",
                    "TextFontSize",
                    "ImageUrl",
                    "ImageLink",
                    "ImageWidth",
                    "ImageHeight",
                    "ImageAlt",
                    "IsEnabled",
                ],
            );
            v.push(("AdMaterialID".into(), (base_material + i).into()));
            v.push(("AdvID".into(), (base_adv + i).into()));
            v.push(("AdMaterialName".into(), get(&row, "AdName").cloned().into()));
            v.push(("AdMaterialType".into(), get(&row, "AdType").cloned().into()));
            Ok(RowOutcome::Keep(build(&material_cols, v)))
        });
        for (table, source) in [
            ("siteserver_AdArea", area),
            ("siteserver_Adv", adv),
            ("siteserver_AdMaterial", material),
        ] {
            let extra = self.extra.entry(table.to_lowercase()).or_default();
            extra.sources.push(source);
            extra.rows += count;
        }
        self.plan.notes.push(format!(
            "copied each {ad} row into siteserver_AdArea, siteserver_Adv and siteserver_AdMaterial \
             as CMS/4_1 does; {ad} is kept"
        ));
        Ok(())
    }

    /// The columns a table has after the hop: the backup's (the `Adv` collections widened), or
    /// the definition the hop creates it with.
    fn layout(&self, name: &str) -> Result<Vec<Column>> {
        if let Some(t) = self.input.table(name) {
            let mut cols = t.meta.columns.clone();
            widen(&mut cols, ADV_COLLECTIONS, 4000);
            return Ok(cols);
        }
        match tables::CREATED.iter().find(|c| c.name == name) {
            Some(c) => columns(c.columns),
            None => Ok(Vec::new()),
        }
    }
}

/// The three `siteserver_Adv` columns CMS/4_1 widens to nvarchar(4000) NULL.
const ADV_COLLECTIONS: &[&str] = &[
    "NodeIDCollectionToChannel",
    "NodeIDCollectionToContent",
    "FileTemplateIDCollection",
];

/// A whole row for `cols` from (key, value) pairs; other columns get their empty value.
fn build(cols: &[Column], values: Vec<(String, Value)>) -> Row {
    let pairs: Vec<(&str, Value)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    new_row(cols, &pairs)
}

/// Sets the length of some string columns, which `ALTER COLUMN` widened.
fn widen(cols: &mut [Column], names: &[&str], length: i32) {
    for n in names {
        if let Some(i) = position(cols, n) {
            cols[i].data_length = length;
        }
    }
}

/// A table whose columns changed only in their flags or lengths.
fn converted(name: &str, cols: Vec<Column>) -> OutputTable {
    OutputTable::new(name, cols, TableStatus::Converted).source(Source::plain(name))
}

/// A table with one column renamed, where `sp_rename` succeeds; otherwise carried as it is.
fn renamed(name: &str, cols: &[Column], from: &str, to: &str) -> OutputTable {
    let mut cols = cols.to_vec();
    if !rename_column(&mut cols, from, to) {
        return OutputTable::new(name, cols, TableStatus::Carried).source(Source::plain(name));
    }
    let (from, to) = (from.to_string(), to.to_string());
    OutputTable::new(name, cols, TableStatus::Converted).source(Source::with(
        name,
        move |mut row| {
            rename(&mut row, &from, &to);
            Ok(RowOutcome::Keep(row))
        },
    ))
}

/// The `bairong_Users` columns of 4_0_2 and 4_1, in script order, with what existing rows get.
fn users_columns() -> Result<Vec<AddedColumn>> {
    let mut out = vec![added("LoginNum", "int", 0)?];
    for (name, ty) in [
        ("Birthday", "varchar(50)"),
        ("BloodType", "varchar(50)"),
        ("Gender", "nvarchar(50)"),
        ("Education", "nvarchar(255)"),
        ("MaritalStatus", "nvarchar(50)"),
        ("Graduation", "nvarchar(255)"),
        ("Profession", "nvarchar(255)"),
        ("QQ", "varchar(50)"),
        ("WeiBo", "nvarchar(50)"),
        ("WeiXin", "nvarchar(50)"),
        ("Interests", "ntext"),
        ("Organization", "nvarchar(50)"),
        ("Department", "nvarchar(50)"),
        ("Position", "nvarchar(50)"),
        ("Address", "nvarchar(255)"),
    ] {
        out.push(added(name, ty, "")?);
    }
    out.push(added("GroupID", "int", 0)?);
    out.push(added("Credits", "int", 0)?);
    // Its value comes from the row's position, set by the caller.
    out.push(AddedColumn::new(
        sql_column("UserID", "int")?.primary_key().identity(),
        Value::Null,
    ));
    out.push(added("GroupSN", "nvarchar(255)", "")?);
    out.push(added("NewGroupID", "int", 0)?);
    out.push(added("MLibNum", "int", 0)?);
    out.push(added(
        "MLibValidityDate",
        "datetime",
        "1754-01-01 00:00:00",
    )?);
    Ok(out)
}

/// The nine comment columns (present already after hop 1) and CMS/4_1's `AdminName`.
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
        added("AdminName", "nvarchar(255)", "")?,
    ])
}

inventory::submit! {
    AdapterRegistration::new(&ADAPTER, env!("CARGO_PKG_NAME"))
}
