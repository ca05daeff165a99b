//! SiteServer CMS 5.0 → 6.15: the conversion of the 6.15 `update` command (spec
//! `update-rules.md`), without the losses listed there.
//!
//! The output has the 35 tables of 6.15 (empty where nothing maps), one table per content table
//! (or per site with `--split-contents`), and every other table carried unchanged. Where the
//! 6.15 updater lost data, this adapter keeps it:
//! - old tables that map to one new table are merged; colliding ids of a later table are
//!   renumbered, references within its family of tables follow, and the maps are reported;
//! - ids come from the old id column (`UserId`, `PublishmentSystemId`, …), never from the
//!   backup's added row number;
//! - null values pass through every step;
//! - a table already in 6.x shape goes to its own table, so the admin log is not taken for the
//!   old site log;
//! - the content-table name is rewritten in the site, content-check and table-style rows;
//! - values without a column go to the table's settings column, or are reported by the engine.

mod ids;
mod plugins;
mod row;
mod rules;
pub mod schema;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use semver::{Version, VersionReq};
use serde_json::Value;
use sscms_core::adapter::{
    HopInput, HopPlan, IdMap, OutputTable, RowOutcome, Source, TableStatus, get, take,
};
use sscms_core::backup::TableData;
use sscms_core::{AdapterRegistration, Column, DataType, Row, VersionAdapter};

use crate::rules::{CHANNEL, CONTENT_MODEL_PLUGINS, CONTENT_RENAMES, Ref, Rule, SITE, Special};

/// The 5.0 adapter.
pub struct V50;

/// The adapter as a static, for registries built by hand (tests, embedders).
pub static ADAPTER: V50 = V50;

impl VersionAdapter for V50 {
    fn name(&self) -> &'static str {
        "v5_0"
    }

    /// 5.0 release builds write `5.0`, dev builds `5.1`.
    fn accepts(&self) -> VersionReq {
        VersionReq::parse(">=5.0.0, <6.0.0").expect("a valid range")
    }

    fn produces(&self) -> Version {
        Version::new(6, 15, 51)
    }

    fn plan(&self, input: &HopInput<'_>) -> sscms_core::Result<HopPlan> {
        Planner::new(input).plan()
    }
}

/// The name of a site's content table with `--split-contents`.
pub fn split_table_name(site: i64) -> String {
    format!("siteserver_Content_{site}")
}

type IdMapping = HashMap<i64, i64>;

/// What row transforms need to know about the whole backup; read before any row streams.
#[derive(Default)]
struct Ctx {
    split: bool,
    /// (target, source), lower-cased → renumbered ids.
    maps: HashMap<(String, String), IdMapping>,
    /// Target, lower-cased → (family, source) of each of its sources.
    families: HashMap<String, Vec<(String, String)>>,
    /// The content tables, lower-cased.
    content: HashSet<String>,
    /// Site ids after renumbering.
    sites: HashSet<i64>,
    /// Channel id → its site's id, after renumbering (split mode only).
    channel_site: HashMap<i64, i64>,
}

impl Ctx {
    fn map(&self, target: &str, source: &str) -> Option<&IdMapping> {
        self.maps
            .get(&(target.to_lowercase(), source.to_lowercase()))
            .filter(|m| !m.is_empty())
    }

    /// The renumbering of `target`'s source in the same family as the row's table.
    fn entity_map(&self, target: &str, family: &str) -> Option<&IdMapping> {
        let (_, source) = self
            .families
            .get(&target.to_lowercase())?
            .iter()
            .find(|(f, _)| f == family)?;
        self.map(target, source)
    }

    /// The references of a table of `family` whose targets were renumbered, with their maps.
    fn resolve_refs(&self, refs: &[(&'static str, Ref)], family: &str) -> Vec<Follow> {
        refs.iter()
            .filter_map(|&(column, r)| {
                self.entity_map(r.target(), family).map(|m| Follow {
                    column,
                    list: matches!(r, Ref::List(_)),
                    map: m.clone(),
                })
            })
            .collect()
    }

    /// The split table of a content row's site, if the site is known.
    fn split_target(&self, site: Option<i64>) -> Option<String> {
        site.filter(|s| self.sites.contains(s))
            .map(split_table_name)
    }
}

/// A reference column to rewrite, and how.
struct Follow {
    column: &'static str,
    list: bool,
    map: IdMapping,
}

impl Follow {
    fn apply(&self, row: &mut Row) {
        if self.list {
            row::map_id_list(row, self.column, &self.map);
        } else {
            row::map_id(row, self.column, &self.map);
        }
    }
}

/// One content table of the old backup.
struct ContentTable {
    name: String,
    family: String,
    /// Columns beyond the 6.15 content columns, kept as real columns.
    custom: Vec<Column>,
    total: u64,
}

/// What a site row of the old backup says, before renumbering.
struct SiteRow {
    family: String,
    id: Option<i64>,
    content: Option<String>,
}

struct Planner<'a, 'i> {
    input: &'a HopInput<'i>,
    ctx: Ctx,
    notes: Vec<String>,
    id_maps: Vec<IdMap>,
    /// Sources of each of the 35 tables, with the column holding each row's id.
    sources: HashMap<String, Vec<(&'a TableData, Option<String>)>>,
    /// Id allocators for rows without an id, per target.
    next_ids: HashMap<String, i64>,
    /// The GovPublic, GovInteract and Job content tables the sites name (in
    /// [`rules::PLUGIN_CONTENT`] order), each with its site's family.
    plugin_lists: Vec<Vec<(String, String)>>,
}

impl<'a, 'i> Planner<'a, 'i> {
    fn new(input: &'a HopInput<'i>) -> Self {
        Planner {
            input,
            ctx: Ctx {
                split: input.options().split_contents,
                ..Ctx::default()
            },
            notes: Vec::new(),
            id_maps: Vec::new(),
            sources: HashMap::new(),
            next_ids: HashMap::new(),
            plugin_lists: Vec::new(),
        }
    }

    fn plan(mut self) -> sscms_core::Result<HopPlan> {
        for (target, _) in schema::TABLES {
            let rule = rule_or_default(target);
            let found = self.sources_of(rule);
            self.sources.insert(target.to_lowercase(), found);
        }
        for rule in rules::PLUGIN_RULES {
            let found = self.sources_of(*rule);
            self.sources.insert(rule.target.to_lowercase(), found);
        }
        for (target, srcs) in &self.sources {
            self.ctx.families.insert(
                target.clone(),
                srcs.iter()
                    .map(|(t, _)| (rules::family(&t.meta.name), t.meta.name.to_lowercase()))
                    .collect(),
            );
        }
        let sites = self.read_sites()?;
        // Channels first: a site's id is its root channel's id and follows it.
        for rule in rules::all_rules() {
            self.plan_ids(rule)?;
        }
        for s in &sites {
            if let Some(id) = s.id {
                let id = self
                    .ctx
                    .entity_map(SITE, &s.family)
                    .and_then(|m| m.get(&id).copied())
                    .unwrap_or(id);
                // 6.15 only knows sites with a positive id.
                if id > 0 {
                    self.ctx.sites.insert(id);
                }
            }
        }
        let content = self.content_tables(&sites)?;
        self.ctx.content = content.iter().map(|c| c.name.to_lowercase()).collect();
        let plugin_outputs = self.plugin_content_outputs()?;

        let mut tables = Vec::new();
        let content_outputs = if self.ctx.split {
            self.read_channel_sites()?;
            self.note_unresolved_styles()?;
            self.split_outputs(&content, &sites)?
        } else {
            Vec::new()
        };
        let ctx = Arc::new(std::mem::take(&mut self.ctx));
        for (target, _) in schema::TABLES {
            tables.push(self.system_output(target, &ctx));
        }
        // Plugin tables exist where a plugin was installed, that is where old data feeds them.
        for rule in rules::PLUGIN_RULES {
            if self
                .sources
                .get(&rule.target.to_lowercase())
                .is_some_and(|s| !s.is_empty())
            {
                tables.push(self.system_output(rule.target, &ctx));
            }
        }
        for out in plugin_outputs {
            tables.push(out.build(&ctx));
        }
        if ctx.split {
            for out in content_outputs {
                tables.push(out.build(&ctx));
            }
        } else {
            for c in &content {
                tables.push(
                    ContentOutput {
                        name: c.name.clone(),
                        columns: content_columns(std::slice::from_ref(c)),
                        sources: vec![(c.name.clone(), c.family.clone(), Keep::All)],
                    }
                    .build(&ctx),
                );
            }
        }
        Ok(HopPlan {
            tables,
            id_maps: self.id_maps,
            notes: self.notes,
        })
    }

    /// The input tables feeding `rule.target`, each with its id column.
    fn sources_of(&mut self, rule: Rule) -> Vec<(&'a TableData, Option<String>)> {
        let input = self.input;
        let mut found: Vec<&'a TableData> = Vec::new();
        for name in rule.sources {
            let Some(t) = input.table(name) else { continue };
            // `siteserver_Log` is the site log before 6.0 and the admin log after it: its
            // columns tell which.
            if name.eq_ignore_ascii_case("siteserver_Log") && !has_column(t, "PublishmentSystemId")
            {
                continue;
            }
            found.push(t);
        }
        // A table already in 6.x shape under the target's own name is converted onto itself.
        if !found
            .iter()
            .any(|t| t.meta.name.eq_ignore_ascii_case(rule.target))
            && let Some(t) = input.table(rule.target)
        {
            let target_cols = schema::target_columns(rule.target).unwrap_or_default();
            let fits = t.meta.columns.iter().all(|c| {
                target_cols
                    .iter()
                    .any(|tc| tc.attribute_name.eq_ignore_ascii_case(&c.attribute_name))
            });
            if fits {
                found.push(t);
            } else if !self.is_rule_source(&t.meta.name) {
                self.notes.push(format!(
                    "`{}` is not in the 6.x shape of that table (it is an older table of the same \
                     name), so it is carried under a marked name",
                    t.meta.name
                ));
            }
        }
        found
            .into_iter()
            .map(|t| {
                let key = rule
                    .id_keys
                    .iter()
                    .find_map(|k| column_name(t, k))
                    .map(String::from);
                (t, key)
            })
            .collect()
    }

    /// Sites as the old site tables (or a 6.x site table) list them.
    fn read_sites(&mut self) -> sscms_core::Result<Vec<SiteRow>> {
        let mut sites = Vec::new();
        let srcs: Vec<(&TableData, Option<String>)> = self
            .sources
            .get(&SITE.to_lowercase())
            .cloned()
            .unwrap_or_default();
        let mut lists: Vec<Vec<(String, String)>> = vec![Vec::new(); rules::PLUGIN_CONTENT.len()];
        let mut votes: Vec<String> = Vec::new();
        for (t, id_key) in srcs {
            let family = rules::family(&t.meta.name);
            let content_key = if has_column(t, "AuxiliaryTableForContent") {
                "AuxiliaryTableForContent"
            } else {
                "TableName"
            };
            self.input.for_each_row(&t.meta.name, |r| {
                sites.push(SiteRow {
                    family: family.clone(),
                    id: id_key.as_deref().and_then(|k| row::get_int(&r, k)),
                    content: row::get_text(&r, content_key).map(String::from),
                });
                for (list, (column, _)) in lists.iter_mut().zip(rules::PLUGIN_CONTENT) {
                    if let Some(name) = row::get_text(&r, column).filter(|n| !n.is_empty())
                        && !list.iter().any(|(p, _)| p.eq_ignore_ascii_case(name))
                    {
                        list.push((name.to_string(), family.clone()));
                    }
                }
                if let Some(name) = row::get_text(&r, "AuxiliaryTableForVote")
                    && !votes.iter().any(|p| p.eq_ignore_ascii_case(name))
                {
                    votes.push(name.to_string());
                }
                Ok(())
            })?;
        }
        for p in votes {
            let named = |n: &str| n.eq_ignore_ascii_case(&p);
            let elsewhere = sites
                .iter()
                .any(|s| s.content.as_deref().is_some_and(named))
                || lists.iter().flatten().any(|(n, _)| named(n));
            if !elsewhere && self.input.table(&p).is_some() {
                self.notes.push(format!(
                    "`{p}` holds vote contents, for which 6.x has no table (its updater ignores \
                     `AuxiliaryTableForVote`); it is carried unchanged"
                ));
            }
        }
        self.plugin_lists = lists;
        Ok(sites)
    }

    /// Renumbers colliding ids of a merged table and records the maps.
    fn plan_ids(&mut self, rule: &'static Rule) -> sscms_core::Result<()> {
        let target = rule.target.to_lowercase();
        let srcs = self.sources.get(&target).cloned().unwrap_or_default();
        let with_rows: Vec<&(&TableData, Option<String>)> =
            srcs.iter().filter(|(t, _)| t.total_count > 0).collect();
        let follows_channels = rule.target == SITE
            && self
                .ctx
                .maps
                .iter()
                .any(|((t, _), m)| t == &CHANNEL.to_lowercase() && !m.is_empty());
        let all_keyed = with_rows.iter().all(|(_, k)| k.is_some());
        if with_rows.len() <= 1 && all_keyed && !follows_channels {
            return Ok(());
        }
        let mut scanned: Vec<(String, Vec<i64>)> = Vec::new();
        for (t, key) in &srcs {
            let Some(key) = key else { continue };
            let mut ids = Vec::new();
            self.input.for_each_row(&t.meta.name, |r| {
                if let Some(i) = row::get_int(&r, key) {
                    ids.push(i);
                }
                Ok(())
            })?;
            scanned.push((t.meta.name.clone(), ids));
        }
        let channel_maps: HashMap<String, IdMapping> = if follows_channels {
            srcs.iter()
                .filter_map(|(t, _)| {
                    let fam = rules::family(&t.meta.name);
                    self.ctx
                        .entity_map(CHANNEL, &fam)
                        .map(|m| (t.meta.name.to_lowercase(), m.clone()))
                })
                .collect()
        } else {
            HashMap::new()
        };
        let pre = |source: &str, id: i64| {
            channel_maps
                .get(&source.to_lowercase())
                .and_then(|m| m.get(&id).copied())
                .unwrap_or(id)
        };
        let mut r = ids::renumber(&scanned, &pre);
        self.next_ids.insert(target.clone(), r.next);
        // In merge order, so notes and the report do not depend on hashing.
        for (source, _) in &scanned {
            let source = source.to_lowercase();
            let map = r.maps.remove(&source).unwrap_or_default();
            if !map.is_empty() {
                let mut pairs: Vec<(i64, i64)> = map.iter().map(|(&a, &b)| (a, b)).collect();
                pairs.sort_unstable();
                let name = srcs
                    .iter()
                    .find(|(t, _)| t.meta.name.eq_ignore_ascii_case(&source))
                    .map_or(source.clone(), |(t, _)| t.meta.name.clone());
                self.notes.push(format!(
                    "{} ids of `{name}` collided with ids already in `{}` and were renumbered; \
                     references from tables of the same family follow",
                    pairs.len(),
                    rule.target
                ));
                self.id_maps.push(IdMap {
                    table: rule.target.to_string(),
                    source: name,
                    column: "Id".into(),
                    ids: pairs,
                });
            }
            self.ctx.maps.insert((target.clone(), source), map);
        }
        Ok(())
    }

    /// The content tables: each site's `AuxiliaryTableForContent` (or 6.x `TableName`) that the
    /// backup holds, with the custom columns `bairong_TableMetadata` registers for it.
    fn content_tables(&mut self, sites: &[SiteRow]) -> sscms_core::Result<Vec<ContentTable>> {
        let mut list: Vec<ContentTable> = Vec::new();
        for s in sites {
            let Some(name) = &s.content else { continue };
            if list.iter().any(|c| c.name.eq_ignore_ascii_case(name)) {
                continue;
            }
            if schema::is_system_table(name) || self.is_rule_source(name) {
                self.notes.push(format!(
                    "a site names `{name}` as its content table, but that is a system table; \
                     it is converted as a system table"
                ));
                continue;
            }
            let Some(t) = self.input.table(name) else {
                self.notes.push(format!(
                    "a site names `{name}` as its content table, but the backup has no such table"
                ));
                continue;
            };
            list.push(ContentTable {
                name: t.meta.name.clone(),
                family: s.family.clone(),
                custom: Vec::new(),
                total: t.total_count,
            });
        }
        let base = schema::content_columns();
        let is_base = |n: &str| {
            base.iter()
                .any(|c| c.attribute_name.eq_ignore_ascii_case(n))
                || CONTENT_RENAMES
                    .iter()
                    .any(|(old, _)| old.eq_ignore_ascii_case(n))
        };
        // Registered custom fields, in registry order.
        let mut registered: Vec<(String, String, String, i64)> = Vec::new();
        if self.input.table("bairong_TableMetadata").is_some() {
            self.input.for_each_row("bairong_TableMetadata", |r| {
                let table = row::get_text(&r, "AuxiliaryTableEnName").unwrap_or_default();
                let attr = row::get_text(&r, "AttributeName").unwrap_or_default();
                if !table.is_empty() && !attr.is_empty() {
                    registered.push((
                        table.to_string(),
                        attr.to_string(),
                        row::get_text(&r, "DataType")
                            .unwrap_or_default()
                            .to_string(),
                        row::get_int(&r, "DataLength").unwrap_or(0),
                    ));
                }
                Ok(())
            })?;
        }
        for c in &mut list {
            let Some(t) = self.input.table(&c.name) else {
                continue;
            };
            let mut add = |col: Column| {
                if !is_base(&col.attribute_name)
                    && !c
                        .custom
                        .iter()
                        .any(|x| x.attribute_name.eq_ignore_ascii_case(&col.attribute_name))
                {
                    c.custom.push(col);
                }
            };
            for (table, attr, ty, len) in &registered {
                if !table.eq_ignore_ascii_case(&c.name) {
                    continue;
                }
                // The physical column, as the backup describes it, else the registry's type.
                let col = t
                    .meta
                    .columns
                    .iter()
                    .find(|x| x.attribute_name.eq_ignore_ascii_case(attr))
                    .map_or_else(
                        || registry_column(attr, ty, *len),
                        |x| Column {
                            is_primary_key: false,
                            is_identity: false,
                            ..x.clone()
                        },
                    );
                add(col);
            }
            // A 6.x content table has no registry: its extra columns are its custom fields.
            if !has_column(t, "PublishmentSystemId") && has_column(t, "SiteId") {
                for x in &t.meta.columns {
                    add(Column {
                        is_primary_key: false,
                        is_identity: false,
                        ..x.clone()
                    });
                }
            }
        }
        Ok(list)
    }

    fn is_rule_source(&self, name: &str) -> bool {
        rules::all_rules().any(|r| r.sources.iter().any(|s| s.eq_ignore_ascii_case(name)))
    }

    /// Content tables merged into `target`: the first keeps its ids, colliding ids of later
    /// ones are renumbered, and the maps go into the report. `scanned` is (table, ids).
    fn renumber_contents(&mut self, target: &str, scanned: &[(String, Vec<i64>)], refs: &str) {
        let mut r = ids::renumber(scanned, &|_, i| i);
        for (source, _) in scanned {
            let key = source.to_lowercase();
            let map = r.maps.remove(&key).unwrap_or_default();
            if !map.is_empty() {
                let mut pairs: Vec<(i64, i64)> = map.iter().map(|(&a, &b)| (a, b)).collect();
                pairs.sort_unstable();
                self.notes.push(format!(
                    "{} content ids of `{source}` collided in `{target}` and were renumbered; \
                     {refs}",
                    pairs.len()
                ));
                self.id_maps.push(IdMap {
                    table: target.to_string(),
                    source: source.clone(),
                    column: "Id".into(),
                    ids: pairs,
                });
            }
            self.ctx.maps.insert((target.to_lowercase(), key), map);
        }
    }

    /// GovPublic, GovInteract and Jobs contents, each kind merged into its plugin table
    /// (update-rules §3 rows 37–39): the content columns, the plugin's columns, then every old
    /// column under its new name. A table a site names as its content table stays one, and a
    /// table in two lists goes where 6.15 tests it first.
    fn plugin_content_outputs(&mut self) -> sscms_core::Result<Vec<ContentOutput>> {
        let mut taken = self.ctx.content.clone();
        let mut outputs = Vec::new();
        let lists = std::mem::take(&mut self.plugin_lists);
        for (list, (column, target)) in lists.iter().zip(rules::PLUGIN_CONTENT) {
            let mut used: Vec<(&TableData, String)> = Vec::new();
            for (name, family) in list {
                if !taken.insert(name.to_lowercase()) {
                    continue;
                }
                if schema::is_system_table(name) || self.is_rule_source(name) {
                    self.notes.push(format!(
                        "a site names `{name}` in `{column}`, but that is a system table; it is \
                         converted as a system table"
                    ));
                    continue;
                }
                match self.input.table(name) {
                    Some(t) => used.push((t, family.clone())),
                    None => self.notes.push(format!(
                        "a site names `{name}` in `{column}`, but the backup has no such table"
                    )),
                }
            }
            if used.is_empty() {
                continue;
            }
            let mut columns = schema::plugin_content_columns(target);
            for (t, _) in &used {
                for c in &t.meta.columns {
                    let name = CONTENT_RENAMES
                        .iter()
                        .find(|(old, _)| old.eq_ignore_ascii_case(&c.attribute_name))
                        .map_or(c.attribute_name.as_str(), |(_, new)| new);
                    if !columns
                        .iter()
                        .any(|x| x.attribute_name.eq_ignore_ascii_case(name))
                    {
                        columns.push(Column {
                            attribute_name: name.to_string(),
                            is_primary_key: false,
                            is_identity: false,
                            ..c.clone()
                        });
                    }
                }
            }
            if used.len() > 1 {
                let mut scanned = Vec::new();
                for (t, _) in &used {
                    let mut ids = Vec::new();
                    if let Some(key) = column_name(t, "Id") {
                        self.input.for_each_row(&t.meta.name, |r| {
                            ids.extend(row::get_int(&r, key));
                            Ok(())
                        })?;
                    }
                    scanned.push((t.meta.name.clone(), ids));
                }
                self.renumber_contents(
                    target,
                    &scanned,
                    "rows of other tables that name a content id are not rewritten",
                );
            }
            outputs.push(ContentOutput {
                name: target.to_string(),
                columns,
                sources: used
                    .iter()
                    .map(|(t, family)| (t.meta.name.clone(), family.clone(), Keep::All))
                    .collect(),
            });
        }
        Ok(outputs)
    }

    /// Channel → site, for table styles whose content table is split by site.
    fn read_channel_sites(&mut self) -> sscms_core::Result<()> {
        let srcs = self
            .sources
            .get(&CHANNEL.to_lowercase())
            .cloned()
            .unwrap_or_default();
        let mut pairs = Vec::new();
        for (t, key) in srcs {
            let Some(key) = key else { continue };
            let family = rules::family(&t.meta.name);
            let site_key = column_name(t, "PublishmentSystemId")
                .or_else(|| column_name(t, "SiteId"))
                .map(String::from);
            self.input.for_each_row(&t.meta.name, |r| {
                if let (Some(c), Some(s)) = (
                    row::get_int(&r, &key),
                    site_key.as_deref().and_then(|k| row::get_int(&r, k)),
                ) {
                    pairs.push((family.clone(), c, s));
                }
                Ok(())
            })?;
        }
        for (family, c, s) in pairs {
            let c = self
                .ctx
                .entity_map(CHANNEL, &family)
                .and_then(|m| m.get(&c).copied())
                .unwrap_or(c);
            let s = self
                .ctx
                .entity_map(SITE, &family)
                .and_then(|m| m.get(&s).copied())
                .unwrap_or(s);
            self.ctx.channel_site.insert(c, s);
        }
        Ok(())
    }

    /// Table styles of a split content table point at a channel or site; those that point at
    /// neither cannot be given one site's table.
    fn note_unresolved_styles(&mut self) -> sscms_core::Result<()> {
        let Some(t) = self.input.table("bairong_TableStyle") else {
            return Ok(());
        };
        let mut unresolved = 0u64;
        self.input.for_each_row(&t.meta.name, |r| {
            let content = row::get_text(&r, "TableName")
                .is_some_and(|n| self.ctx.content.contains(&n.to_lowercase()));
            if content && style_site(&self.ctx, &r).is_none() {
                unresolved += 1;
            }
            Ok(())
        })?;
        if unresolved > 0 {
            self.notes.push(format!(
                "{unresolved} table styles of a split content table belong to no known channel or \
                 site (such as the table-wide defaults); they keep the old table name"
            ));
        }
        Ok(())
    }

    /// Split mode: one table per site, fed by every content table holding that site's rows.
    fn split_outputs(
        &mut self,
        content: &[ContentTable],
        sites: &[SiteRow],
    ) -> sscms_core::Result<Vec<ContentOutput>> {
        // Which sites each content table holds rows of, and their ids.
        let mut per_table: Vec<HashMap<i64, Vec<i64>>> = Vec::new();
        let mut orphans: Vec<u64> = Vec::new();
        for c in content {
            let mut by_site: HashMap<i64, Vec<i64>> = HashMap::new();
            let mut lost = 0u64;
            let site_map = self.ctx.entity_map(SITE, &c.family).cloned();
            if c.total > 0
                && let Some(t) = self.input.table(&c.name)
            {
                let site_key = column_name(t, "PublishmentSystemId")
                    .or_else(|| column_name(t, "SiteId"))
                    .map(String::from);
                let id_key = column_name(t, "Id").map(String::from);
                self.input.for_each_row(&c.name, |r| {
                    let site = site_key
                        .as_deref()
                        .and_then(|k| row::get_int(&r, k))
                        .map(|s| {
                            site_map
                                .as_ref()
                                .and_then(|m| m.get(&s).copied())
                                .unwrap_or(s)
                        });
                    match site.filter(|s| self.ctx.sites.contains(s)) {
                        Some(s) => {
                            let id = id_key.as_deref().and_then(|k| row::get_int(&r, k));
                            by_site.entry(s).or_default().extend(id);
                        }
                        None => lost += 1,
                    }
                    Ok(())
                })?;
            }
            per_table.push(by_site);
            orphans.push(lost);
        }
        let mut site_order: Vec<i64> = Vec::new();
        for s in sites {
            if let Some(id) = s.id {
                let id = self
                    .ctx
                    .entity_map(SITE, &s.family)
                    .and_then(|m| m.get(&id).copied())
                    .unwrap_or(id);
                if self.ctx.sites.contains(&id) && !site_order.contains(&id) {
                    site_order.push(id);
                }
            }
        }
        let mut outputs = Vec::new();
        for site in site_order {
            let name = split_table_name(site);
            let contributing: Vec<usize> = (0..content.len())
                .filter(|&i| per_table[i].contains_key(&site))
                .collect();
            if contributing.len() > 1 {
                let scanned: Vec<(String, Vec<i64>)> = contributing
                    .iter()
                    .map(|&i| (content[i].name.clone(), per_table[i][&site].clone()))
                    .collect();
                self.renumber_contents(
                    &name,
                    &scanned,
                    "content checks follow, other references to them do not",
                );
            }
            let used: Vec<ContentTable> = contributing
                .iter()
                .map(|&i| ContentTable {
                    name: content[i].name.clone(),
                    family: content[i].family.clone(),
                    custom: content[i].custom.clone(),
                    total: 0,
                })
                .collect();
            outputs.push(ContentOutput {
                name: name.clone(),
                columns: content_columns(&used),
                sources: used
                    .iter()
                    .map(|c| (c.name.clone(), c.family.clone(), Keep::Site(site)))
                    .collect(),
            });
        }
        // Rows of no known site stay in their table, converted (6.15 dropped them); a table no
        // site output reads stays too, so that every table is accounted for.
        for (i, c) in content.iter().enumerate() {
            let read = outputs.iter().any(|o| {
                o.sources
                    .iter()
                    .any(|(s, _, _)| s.eq_ignore_ascii_case(&c.name))
            });
            if orphans[i] == 0 && read {
                continue;
            }
            let mut name = c.name.clone();
            if outputs.iter().any(|o| o.name.eq_ignore_ascii_case(&name)) {
                name = format!("{name}__no_site");
            }
            self.notes.push(if orphans[i] > 0 {
                format!(
                    "{} rows of `{}` belong to no known site, so they stay in `{name}`",
                    orphans[i], c.name
                )
            } else {
                format!(
                    "`{}` holds no site's rows; it stays as `{name}`, converted and empty",
                    c.name
                )
            });
            outputs.push(ContentOutput {
                name,
                columns: content_columns(std::slice::from_ref(c)),
                sources: vec![(c.name.clone(), c.family.clone(), Keep::NoSite)],
            });
        }
        Ok(outputs)
    }

    /// One of the 35 tables.
    fn system_output(&mut self, target: &'static str, ctx: &Arc<Ctx>) -> OutputTable {
        let rule = rule_or_default(target);
        let columns = schema::target_columns(target).expect("a 6.15 or plugin table");
        let srcs = self
            .sources
            .get(&target.to_lowercase())
            .cloned()
            .unwrap_or_default();
        let status = match srcs.len() {
            0 => TableStatus::CreatedEmpty,
            1 => TableStatus::Converted,
            _ => TableStatus::Merged,
        };
        let mut out = OutputTable::new(target, columns.clone(), status);
        if let Some(s) = rule.settings {
            out = out.settings(s);
        }
        let next = Arc::new(AtomicI64::new(
            self.next_ids
                .get(&target.to_lowercase())
                .copied()
                .unwrap_or(1),
        ));
        for (t, id_key) in srcs {
            let name = t.meta.name.clone();
            // The backup's added `Id` is only a row number when the table has its own id.
            let drop_added_id = id_key
                .as_deref()
                .is_some_and(|k| !k.eq_ignore_ascii_case("Id"))
                && has_column(t, "Id");
            if drop_added_id {
                self.notes.push(format!(
                    "`{name}`: the `Id` column the backup added is a row number; the id is `{}`",
                    id_key.as_deref().unwrap_or_default()
                ));
            }
            if id_key.is_none() && t.total_count > 0 {
                self.notes.push(format!(
                    "`{name}` has no id column (it was backed up without the added `Id`); its \
                     rows are numbered"
                ));
            }
            let family = rules::family(&name);
            let mut conv = SystemRow {
                rule,
                own: ctx.map(target, &name).cloned(),
                refs: ctx.resolve_refs(rule.refs, &family),
                id_key,
                drop_added_id,
                shape: row::Shape::new(&columns),
                columns: columns.clone(),
                ctx: Arc::clone(ctx),
                next: Arc::clone(&next),
            };
            out = out.source(Source::with(name, move |r| conv.apply(r)));
        }
        out
    }
}

/// The rule of a 6.15 table; for a table with no old counterpart, one that only converts a
/// 6.x-shaped table of that name onto itself.
fn rule_or_default(target: &'static str) -> Rule {
    rules::rule_for(target)
        .copied()
        .unwrap_or_else(|| rules::rule(target, &[]))
}

fn has_column(t: &TableData, name: &str) -> bool {
    column_name(t, name).is_some()
}

/// The spelling a table's metadata uses for a column.
fn column_name<'t>(t: &'t TableData, name: &str) -> Option<&'t str> {
    t.meta
        .columns
        .iter()
        .find(|c| c.attribute_name.eq_ignore_ascii_case(name))
        .map(|c| c.attribute_name.as_str())
}

/// A custom column from `bairong_TableMetadata` when the content table lacks it physically.
fn registry_column(name: &str, data_type: &str, length: i64) -> Column {
    let length = i32::try_from(length).unwrap_or(0);
    let (t, len) = match data_type.to_ascii_lowercase().as_str() {
        "ntext" | "text" => (DataType::Text, 0),
        "datetime" => (DataType::DateTime, 0),
        "integer" | "int" => (DataType::Integer, 0),
        "decimal" => (DataType::Decimal, 0),
        // 5.0 keeps flags as "True"/"False" text, as 6.15 does.
        "boolean" | "bit" => (DataType::VarChar, 18),
        _ => (DataType::VarChar, if length > 0 { length } else { 255 }),
    };
    Column::new(name, t).length(len)
}

/// The 6.15 content columns, then each table's custom columns once.
fn content_columns(tables: &[ContentTable]) -> Vec<Column> {
    let mut cols = schema::content_columns();
    for t in tables {
        for c in &t.custom {
            if !cols
                .iter()
                .any(|x| x.attribute_name.eq_ignore_ascii_case(&c.attribute_name))
            {
                cols.push(c.clone());
            }
        }
    }
    cols
}

/// The site a table style of a content table belongs to: its channel's site (a site's id is
/// its root channel's id).
fn style_site(ctx: &Ctx, r: &Row) -> Option<i64> {
    let related = row::get_int(r, "RelatedIdentity")?;
    ctx.channel_site
        .get(&related)
        .copied()
        .or_else(|| ctx.sites.contains(&related).then_some(related))
        .filter(|s| ctx.sites.contains(s))
}

/// One row of an old table on its way into one of the 35 tables.
struct SystemRow {
    rule: Rule,
    /// This table's renumbered ids, when it was merged after another.
    own: Option<IdMapping>,
    refs: Vec<Follow>,
    id_key: Option<String>,
    drop_added_id: bool,
    shape: row::Shape,
    columns: Vec<Column>,
    ctx: Arc<Ctx>,
    next: Arc<AtomicI64>,
}

impl SystemRow {
    fn apply(&mut self, mut r: Row) -> Result<RowOutcome, String> {
        if self.drop_added_id {
            take(&mut r, "Id");
        }
        let id = match &self.id_key {
            Some(k) => {
                let v = take(&mut r, k).unwrap_or(Value::Null);
                match (row::int(&v), &self.own) {
                    (Some(old), Some(map)) => map.get(&old).map_or(v, |&n| Value::from(n)),
                    _ => v,
                }
            }
            None => Value::from(self.next.fetch_add(1, Ordering::Relaxed)),
        };
        row::set(&mut r, "Id", id);
        let mut renamed = Vec::new();
        for &(from, to) in self.rule.renames {
            if row::rename(&mut r, from, to) {
                renamed.push(to);
            }
        }
        for f in &self.refs {
            f.apply(&mut r);
        }
        match self.rule.special {
            Special::None => {}
            Special::Channel => {
                // The value map fires only for a renamed key, as in 6.15.
                if renamed.contains(&"ContentModelPluginId")
                    && let Some(Value::String(m)) = get(&r, "ContentModelPluginId")
                    && let Some((_, plugin)) = CONTENT_MODEL_PLUGINS.iter().find(|(o, _)| o == m)
                {
                    row::set(&mut r, "ContentModelPluginId", Value::from(*plugin));
                }
                row::fix_upload(&mut r, "Content");
                row::fix_upload(&mut r, "ExtendValues");
            }
            Special::Config => {
                row::set(
                    &mut r,
                    "DatabaseVersion",
                    Value::from(schema::DATABASE_VERSION),
                );
                // 4.x settings reach SystemConfig as 6.15 moves them, without overwriting what
                // 5.0 saved there; an older value that disagrees is kept beside it.
                let older = take(&mut r, "SettingsXml");
                let newer = take(&mut r, "SystemConfig");
                let (merged, conflicts) = row::merge_settings(
                    newer.as_ref().and_then(Value::as_str),
                    older.as_ref().and_then(Value::as_str),
                );
                row::set(
                    &mut r,
                    "SystemConfig",
                    merged.map_or(newer.unwrap_or(Value::Null), Value::from),
                );
                if !conflicts.is_empty() {
                    row::set(&mut r, "SettingsXML", Value::from(conflicts.encode()));
                }
            }
            Special::ContentCheck => {
                if self.ctx.split
                    && let Some(table) = row::get_text(&r, "TableName")
                    && self.ctx.content.contains(&table.to_lowercase())
                    && let Some(split) = self.ctx.split_target(row::get_int(&r, "SiteId"))
                {
                    let old = table.to_string();
                    if let Some(map) = self.ctx.map(&split, &old) {
                        row::map_id(&mut r, "ContentId", map);
                    }
                    row::set(&mut r, "TableName", Value::from(split));
                }
            }
            Special::Site => {
                if self.ctx.split
                    && let Some(split) = self.ctx.split_target(row::get_int(&r, "Id"))
                {
                    row::set(&mut r, "TableName", Value::from(split));
                }
            }
            Special::TableStyle => self.table_style(&mut r),
            Special::User => {
                // 5.0 has AvatarUrl; 3.6–4.1 had AvatarLarge (6.15 let it overwrite AvatarUrl).
                if row::get_text(&r, "AvatarUrl").is_none()
                    && row::get_text(&r, "AvatarLarge").is_some()
                {
                    row::rename(&mut r, "AvatarLarge", "AvatarUrl");
                }
                // 5.0's ExtendValues is the newer home of the attributes 4.x kept in
                // SettingsXML; 6.15 lost it.
                let newer = take(&mut r, "ExtendValues");
                let older = take(&mut r, "SettingsXml");
                let (merged, conflicts) = row::merge_settings(
                    newer.as_ref().and_then(Value::as_str),
                    older.as_ref().and_then(Value::as_str),
                );
                row::set(
                    &mut r,
                    "SettingsXml",
                    merged.map_or(older.unwrap_or(Value::Null), Value::from),
                );
                if !conflicts.is_empty() {
                    row::set(
                        &mut r,
                        "SettingsXmlBefore50",
                        Value::from(conflicts.encode()),
                    );
                }
            }
        }
        self.shape.fix(&mut r);
        if let Some(s) = self.rule.settings {
            row::fold_into_json_settings(&mut r, &self.columns, s);
        }
        Ok(RowOutcome::Keep(r))
    }

    fn table_style(&self, r: &mut Row) {
        if let Some(table) = row::get_text(r, "TableName") {
            if let Some(new) = rules::renamed_table(table) {
                row::set(r, "TableName", Value::from(new));
            } else if self.ctx.split
                && self.ctx.content.contains(&table.to_lowercase())
                && let Some(site) = style_site(&self.ctx, r)
            {
                row::set(r, "TableName", Value::from(split_table_name(site)));
            }
        }
        // 6.x hides a field by its input type; the old type stays beside it.
        let hidden = match get(r, "IsVisible") {
            Some(Value::String(v)) => v.trim().eq_ignore_ascii_case("False"),
            Some(Value::Bool(v)) => !v,
            _ => false,
        };
        if hidden {
            if let Some(old) = row::get_text(r, "InputType")
                && old != "Hidden"
            {
                let old = old.to_string();
                row::set(r, "InputTypeBeforeHidden", Value::from(old));
            }
            row::set(r, "InputType", Value::from("Hidden"));
        }
    }
}

/// Which rows of a content table an output keeps.
#[derive(Clone, Copy)]
enum Keep {
    All,
    /// The rows of one site.
    Site(i64),
    /// Rows of no known site.
    NoSite,
}

struct ContentOutput {
    name: String,
    columns: Vec<Column>,
    /// (content table, family, rows kept).
    sources: Vec<(String, String, Keep)>,
}

impl ContentOutput {
    fn build(self, ctx: &Arc<Ctx>) -> OutputTable {
        let status = if self.sources.len() > 1 {
            TableStatus::Merged
        } else if self.sources.is_empty() {
            TableStatus::CreatedEmpty
        } else {
            TableStatus::Converted
        };
        let mut out = OutputTable::new(self.name.clone(), self.columns.clone(), status)
            .settings("SettingsXml");
        for (source, family, keep) in self.sources {
            let mut conv = ContentRow {
                own: ctx.map(&self.name, &source).cloned(),
                refs: ctx.resolve_refs(
                    &[("SiteId", Ref::One(SITE)), ("ChannelId", Ref::One(CHANNEL))],
                    &family,
                ),
                keep,
                shape: row::Shape::new(&self.columns),
                columns: self.columns.clone(),
                ctx: Arc::clone(ctx),
            };
            out = out.source(Source::with(source, move |r| conv.apply(r)));
        }
        out
    }
}

struct ContentRow {
    own: Option<IdMapping>,
    refs: Vec<Follow>,
    keep: Keep,
    shape: row::Shape,
    columns: Vec<Column>,
    ctx: Arc<Ctx>,
}

impl ContentRow {
    fn apply(&mut self, mut r: Row) -> Result<RowOutcome, String> {
        for &(from, to) in CONTENT_RENAMES {
            row::rename(&mut r, from, to);
        }
        for f in &self.refs {
            f.apply(&mut r);
        }
        let site = row::get_int(&r, "SiteId").filter(|s| self.ctx.sites.contains(s));
        let mine = match self.keep {
            Keep::All => true,
            Keep::Site(s) => site == Some(s),
            Keep::NoSite => site.is_none(),
        };
        if !mine {
            return Ok(RowOutcome::Elsewhere);
        }
        if let Some(map) = &self.own {
            row::map_id(&mut r, "Id", map);
        }
        row::fix_upload(&mut r, "Content");
        row::fix_upload(&mut r, "SettingsXml");
        self.shape.fix(&mut r);
        row::fold_into_json_settings(&mut r, &self.columns, "SettingsXml");
        Ok(RowOutcome::Keep(r))
    }
}

inventory::submit! {
    AdapterRegistration::new(&V50, env!("CARGO_PKG_NAME"))
}
