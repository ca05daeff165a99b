//! Converts SiteServer CMS 6.x backup tables to the SSCMS 7.4 layout: the conversion of 7.4's
//! `sscms data update` (spec `update-rules.md` §12), without the losses listed there.
//!
//! The output has the 50 tables of 7.4 (empty where nothing maps), one table per content table,
//! and every other table carried unchanged: the 6.x tables 7.4 dropped (`siteserver_Keyword`,
//! `siteserver_TemplateMatch`, …) and plugin tables such as `ss_govpublic_*`. Every row gets the
//! entity columns of 7.4:
//! - `Guid`, name-based from the table and the row's id, so an update is reproducible;
//! - `CreatedDate` and `LastModifiedDate` from the row's own add and edit dates, null where it has
//!   none;
//! - `ExtendValues`: the row's 6.x settings string (`SystemConfig`, `SettingsXml`,
//!   `ExtendValues`) as a camelCase JSON object, plus every value without a 7.4 column, which the
//!   engine adds and reports.
//!
//! `Is*` flags become booleans under their 7.4 names, content columns take their 7.4 names
//! (`Content` → `Body`, `Tags` → `TagNames`, …), `siteserver_Tag` becomes
//! `siteserver_ContentTag`, and the values 7.4's updater loses are kept: settings, site lists,
//! permissions, related-field items, administrator names (as ids), user groups (as
//! `siteserver_UsersInGroups` rows). `siteserver_Config.DatabaseVersion` becomes `7.4.0`.

mod row;
pub mod rules;
pub mod schema;

use std::collections::HashMap;
use std::sync::Arc;

use semver::{Version, VersionReq};
use serde_json::{Map, Value};
use sscms_core::adapter::schema::insert_row;
use sscms_core::adapter::{
    HopInput, HopPlan, NameSet, OutputTable, RowOutcome, Source, TableStatus, get, take,
};
use sscms_core::naming::camel_case;
use sscms_core::{AdapterRegistration, Column, DataType, Row, VersionAdapter};

use crate::rules::{Rule, Special};
use crate::schema::{CREATED_DATE, EXTEND_VALUES, GUID, ID, LAST_MODIFIED_DATE};

/// The 6.x adapter.
pub struct V6;

/// The adapter as a static, for registries built by hand (tests, embedders).
pub static ADAPTER: V6 = V6;

impl VersionAdapter for V6 {
    fn name(&self) -> &'static str {
        "v6"
    }

    fn accepts(&self) -> VersionReq {
        VersionReq::parse(">=6.0.0, <7.0.0").expect("a valid range")
    }

    fn produces(&self) -> Version {
        Version::new(7, 4, 0)
    }

    fn plan(&self, input: &HopInput<'_>) -> sscms_core::Result<HopPlan> {
        Planner::read(input)?.plan()
    }
}

/// What row transforms look up in other tables; read before any row streams.
#[derive(Default)]
struct Ctx {
    /// Administrator user name → id, exactly and lower-cased.
    admins: HashMap<String, i64>,
    admins_folded: HashMap<String, i64>,
    /// Related field id → its site.
    related_field_sites: HashMap<i64, i64>,
}

impl Ctx {
    fn admin_id(&self, name: &str) -> Option<i64> {
        self.admins
            .get(name)
            .or_else(|| self.admins_folded.get(&name.to_lowercase()))
            .copied()
    }
}

struct Planner<'a, 'i> {
    input: &'a HopInput<'i>,
    ctx: Ctx,
    /// Content tables as the sites name them, with the input table that holds them.
    content: Vec<(String, String)>,
    /// Whether every site has a `siteserver_Content_{id}` table of its own already.
    split: bool,
    notes: Vec<String>,
}

impl<'a, 'i> Planner<'a, 'i> {
    fn read(input: &'a HopInput<'i>) -> sscms_core::Result<Self> {
        let mut ctx = Ctx::default();
        if input.table(rules::ADMINISTRATOR).is_some() {
            input.for_each_row(rules::ADMINISTRATOR, |r| {
                if let (Some(name), Some(id)) =
                    (row::get_text(&r, "UserName"), row::get_int(&r, ID))
                {
                    ctx.admins.entry(name.to_string()).or_insert(id);
                    ctx.admins_folded.entry(name.to_lowercase()).or_insert(id);
                }
                Ok(())
            })?;
        }
        if input.table(rules::RELATED_FIELD).is_some() {
            input.for_each_row(rules::RELATED_FIELD, |r| {
                if let (Some(id), Some(site)) = (row::get_int(&r, ID), row::get_int(&r, "SiteId")) {
                    ctx.related_field_sites.insert(id, site);
                }
                Ok(())
            })?;
        }
        let mut planner = Planner {
            input,
            ctx,
            content: Vec::new(),
            split: true,
            notes: Vec::new(),
        };
        planner.read_content_tables()?;
        Ok(planner)
    }

    /// The content tables the sites name (`siteserver_Site.TableName`), as 7.4's updater finds
    /// them.
    fn read_content_tables(&mut self) -> sscms_core::Result<()> {
        if self.input.table(rules::SITE).is_none() {
            return Ok(());
        }
        let mut named: Vec<String> = Vec::new();
        let mut split = true;
        self.input.for_each_row(rules::SITE, |r| {
            if let Some(t) = row::get_text(&r, "TableName").map(str::trim) {
                let own = row::get_int(&r, ID).map(|id| format!("siteserver_Content_{id}"));
                split &= own.is_some_and(|own| own.eq_ignore_ascii_case(t));
                if !named.iter().any(|n| n.eq_ignore_ascii_case(t)) {
                    named.push(t.to_string());
                }
            }
            Ok(())
        })?;
        self.split = split;
        for name in named {
            let system = schema::is_system_table(&name)
                || rules::RULES
                    .iter()
                    .any(|r| r.source.eq_ignore_ascii_case(&name))
                || rules::DROPPED_IN_7_4
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(&name));
            if system {
                self.notes.push(format!(
                    "a site names `{name}` as its content table, but that is a system table; \
                     it is converted as a system table"
                ));
                continue;
            }
            match self.input.table(&name) {
                Some(t) => self.content.push((name, t.meta.name.clone())),
                None => self.notes.push(format!(
                    "a site names `{name}` as its content table, but the backup has no such table"
                )),
            }
        }
        Ok(())
    }

    fn plan(mut self) -> sscms_core::Result<HopPlan> {
        let ctx = Arc::new(std::mem::take(&mut self.ctx));
        let mut tables = Vec::new();
        for (target, _) in schema::TABLES {
            tables.push(self.system_output(target, &ctx));
        }
        for (name, source) in &self.content {
            let columns = schema::content_columns();
            let mut conv = Convert::new(rules::CONTENT, name, columns.clone(), &ctx);
            tables.push(
                OutputTable::new(name.clone(), columns, TableStatus::Converted)
                    .settings(EXTEND_VALUES)
                    .source(Source::with(source.clone(), move |r| conv.apply(r))),
            );
        }
        if !self.content.is_empty() {
            self.notes.push(
                "content tables: `Content` became `Body`, `Tags` `TagNames` (comma-separated), \
                 the Is* flags `Checked`/`Top`/`Recommend`/`Hot`/`Color`, editor names \
                 administrator ids; the 6.x columns 7.4 dropped and the site's custom fields are in \
                 `ExtendValues`"
                    .into(),
            );
        }
        if self.input.options().split_contents && !self.split {
            self.notes.push(
                "--split-contents: content tables of a 6.x backup keep their names, which 7.4 \
                 reads as they are; splitting happens on the way from 5.0 to 6.x"
                    .into(),
            );
        }
        for name in rules::DROPPED_IN_7_4 {
            if let Some(t) = self.input.table(name) {
                self.notes.push(format!(
                    "carried `{}` unchanged: 7.4 has no such table",
                    t.meta.name
                ));
                tables.push(
                    OutputTable::new(
                        t.meta.name.clone(),
                        t.meta.columns.clone(),
                        TableStatus::Carried,
                    )
                    .source(Source::plain(t.meta.name.clone())),
                );
            }
        }
        self.notes.push(
            "every 7.4 row has a Guid made from its table and id (the same on every run), and \
             CreatedDate/LastModifiedDate from its own add and edit dates where it has them"
                .into(),
        );
        Ok(HopPlan {
            tables,
            id_maps: Vec::new(),
            notes: self.notes,
        })
    }

    /// One of the 50 tables.
    fn system_output(&mut self, target: &'static str, ctx: &Arc<Ctx>) -> OutputTable {
        let columns = schema::columns(target).expect("a 7.4 table");
        if target == rules::USERS_IN_GROUPS {
            return self.users_in_groups(columns);
        }
        let Some(rule) = rules::rule_for(target) else {
            return OutputTable::new(target, columns, TableStatus::CreatedEmpty)
                .settings(EXTEND_VALUES);
        };
        let source = self.input.table(rule.source);
        let config_rows = source.map_or(0, |t| t.total_count);
        let mut out = OutputTable::new(
            target,
            columns.clone(),
            if source.is_some() {
                TableStatus::Converted
            } else {
                TableStatus::CreatedEmpty
            },
        )
        .settings(EXTEND_VALUES);
        if let Some(t) = source {
            let mut conv = Convert::new(*rule, target, columns.clone(), ctx);
            out = out.source(Source::with(t.meta.name.clone(), move |r| conv.apply(r)));
        }
        if rule.special == Special::Config && config_rows == 0 {
            // 7.4 counts a database as installed when the config table has a row.
            let anchor = self.input.tables().iter().find(|t| t.total_count > 0);
            if let Some(anchor) = anchor {
                let mut conv = Convert::new(*rule, target, columns.clone(), ctx);
                let mut r = Row::new();
                r.insert(ID.into(), Value::from(1));
                if let Ok(RowOutcome::Keep(r)) = conv.apply(r) {
                    self.notes.push(format!(
                        "the backup has no config row, so one is written with DatabaseVersion \
                         {}; the report lists `{}` among its sources",
                        schema::DATABASE_VERSION,
                        anchor.meta.name
                    ));
                    out = out.source(insert_row(&anchor.meta.name, r));
                }
            }
        }
        out
    }

    /// 6.x kept a user's group in `siteserver_User.GroupId`; 7.4 keeps memberships in
    /// `siteserver_UsersInGroups`, which its updater never fills.
    fn users_in_groups(&mut self, columns: Vec<Column>) -> OutputTable {
        let Some(users) = self.input.table(rules::USER) else {
            return OutputTable::new(rules::USERS_IN_GROUPS, columns, TableStatus::CreatedEmpty)
                .settings(EXTEND_VALUES);
        };
        self.notes.push(format!(
            "`{}`: each user's GroupId becomes a `{}` row",
            users.meta.name,
            rules::USERS_IN_GROUPS
        ));
        let mut next = 0i64;
        OutputTable::new(rules::USERS_IN_GROUPS, columns, TableStatus::Converted)
            .settings(EXTEND_VALUES)
            .source(Source::with(users.meta.name.clone(), move |r| {
                let (Some(user), Some(group)) = (
                    row::get_int(&r, ID),
                    row::get_int(&r, "GroupId").filter(|g| *g > 0),
                ) else {
                    return Ok(RowOutcome::Elsewhere);
                };
                next += 1;
                let mut out = Row::new();
                out.insert(ID.into(), Value::from(next));
                out.insert(
                    GUID.into(),
                    Value::from(row::guid(rules::USERS_IN_GROUPS, &next.to_string())),
                );
                out.insert(EXTEND_VALUES.into(), Value::from("{}"));
                out.insert(CREATED_DATE.into(), Value::Null);
                out.insert(LAST_MODIFIED_DATE.into(), Value::Null);
                out.insert("UserId".into(), Value::from(user));
                out.insert("GroupId".into(), Value::from(group));
                Ok(RowOutcome::Keep(out))
            }))
    }
}

/// One 6.x row on its way into a 7.4 table.
struct Convert {
    rule: Rule,
    /// The output table, for the rows' `Guid`.
    table: String,
    columns: Vec<Column>,
    /// Output column names.
    names: NameSet,
    ctx: Arc<Ctx>,
    /// Rows read so far, the `Guid` seed of a row without an id.
    count: u64,
}

impl Convert {
    fn new(rule: Rule, table: &str, columns: Vec<Column>, ctx: &Arc<Ctx>) -> Self {
        Convert {
            rule,
            table: table.to_string(),
            names: NameSet::new(columns.iter().map(|c| c.attribute_name.as_str())),
            columns,
            ctx: Arc::clone(ctx),
            count: 0,
        }
    }

    fn is_column(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    fn apply(&mut self, mut r: Row) -> Result<RowOutcome, String> {
        self.count += 1;
        // The settings column may be called `ExtendValues` already (Channel, TableStyle), so it
        // is read before anything else can land there.
        let settings = self.rule.settings.map(|s| (s, take(&mut r, s)));
        for &(from, to) in self.rule.renames {
            row::rename(&mut r, from, to);
        }
        match self.rule.special {
            Special::None => {}
            Special::Config => {
                row::set(
                    &mut r,
                    "DatabaseVersion",
                    Value::from(schema::DATABASE_VERSION),
                );
            }
            Special::Channel => row::fix_upload(&mut r, "Content"),
            Special::User => {
                take(&mut r, "GroupId");
            }
            Special::RelatedFieldItem => {
                if row::is_empty(get(&r, "SiteId"))
                    && let Some(site) = row::get_int(&r, "RelatedFieldId")
                        .and_then(|f| self.ctx.related_field_sites.get(&f))
                {
                    row::set(&mut r, "SiteId", Value::from(*site));
                }
            }
            Special::UserMenu => {
                if get(&r, "IsGroup").is_none() {
                    let limited = row::get_text(&r, "GroupIds").is_some();
                    row::set(&mut r, "IsGroup", Value::Bool(limited));
                }
            }
            Special::Content => {
                row::fix_upload(&mut r, "Body");
                if let Some(tags) = row::get_text(&r, "TagNames").map(str::to_string) {
                    let list = row::parse_tags(&tags);
                    row::set(&mut r, "TagNames", Value::from(list.join(",")));
                    // A tag with a comma cannot be one item of 7.4's comma-joined list.
                    if list.iter().any(|t| t.contains(',')) {
                        r.insert("Tags".into(), Value::from(tags));
                    }
                }
            }
        }
        for c in &self.columns {
            if c.data_type == DataType::Boolean
                && let Some(v) = get(&r, &c.attribute_name)
            {
                let b = row::flag(v);
                row::set(&mut r, &c.attribute_name, b);
            }
        }
        self.admins(&mut r);
        self.dates(&mut r);
        self.extend_values(&mut r, settings);
        if !row::get_text(&r, GUID).is_some_and(row::is_guid) {
            let id = match get(&r, ID) {
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
                _ => format!("row{}", self.count),
            };
            row::set(&mut r, GUID, Value::from(row::guid(&self.table, &id)));
        }
        for c in &self.columns {
            let name = &c.attribute_name;
            // A row's keys differ in more than case, so its own spelling is the one.
            let found = match r.get_mut(name.as_str()) {
                Some(v) => Some(v),
                None => r
                    .iter_mut()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v),
            };
            match found {
                Some(v) => row::blank_to_null(v, c.data_type),
                None if name != ID => {
                    r.insert(name.clone(), row::model_default(c.data_type));
                }
                None => {}
            }
        }
        Ok(RowOutcome::Keep(r))
    }

    /// 7.4 keeps administrators by id: a name that is an administrator's becomes the id, unless
    /// the row's id already names someone else; a name that is no administrator's stays.
    fn admins(&self, r: &mut Row) {
        for &(name_col, id_col) in self.rule.admins {
            let Some(name) = row::get_text(r, name_col).map(str::to_string) else {
                continue;
            };
            let Some(id) = self.ctx.admin_id(name.trim()) else {
                continue;
            };
            match row::get_int(r, id_col) {
                None | Some(0) => {
                    row::set(r, id_col, Value::from(id));
                    take(r, name_col);
                }
                Some(current) if current == id => {
                    take(r, name_col);
                }
                Some(_) => {}
            }
        }
    }

    /// `CreatedDate` and `LastModifiedDate` from the row's own dates; a date column 7.4 no
    /// longer has is used up, one it still has is copied.
    fn dates(&self, r: &mut Row) {
        let mut read = |col: Option<&str>| -> Option<Value> {
            let col = col?;
            let v = if self.is_column(col) {
                get(r, col).cloned()
            } else {
                take(r, col)
            };
            v.filter(|v| !row::is_empty(Some(v)))
        };
        let created = read(self.rule.created);
        let modified = read(self.rule.modified).or_else(|| created.clone());
        for (col, v) in [(CREATED_DATE, created), (LAST_MODIFIED_DATE, modified)] {
            if row::is_empty(get(r, col)) {
                row::set(r, col, v.unwrap_or(Value::Null));
            }
        }
    }

    /// The settings string as a JSON object in `ExtendValues`, ready for the engine to add the
    /// values that have no 7.4 column. Where such a value's key is in the settings already with
    /// another value, the column's value wins, as 6.x read it, and the settings' one moves to
    /// `{key}FromSettings`.
    fn extend_values(&self, r: &mut Row, settings: Option<(&str, Option<Value>)>) {
        let mut ext = Map::new();
        match settings {
            Some((_, None | Some(Value::Null))) | None => {}
            Some((col, Some(Value::String(s)))) => {
                let s = if self.rule.special == Special::Content {
                    s.replace("@upload", "@/upload")
                } else {
                    s
                };
                match row::settings_json(&s) {
                    Some(obj) => ext = obj,
                    None => {
                        ext.insert(camel_case(col), Value::String(s));
                    }
                }
            }
            Some((col, Some(other))) => {
                ext.insert(camel_case(col), other);
            }
        }
        // A 7.x-shaped row may hold ExtendValues JSON already.
        if let Some(Value::String(s)) = take(r, EXTEND_VALUES)
            && let Some(obj) = row::settings_json(&s)
        {
            for (k, v) in obj {
                ext.entry(k).or_insert(v);
            }
        }
        // Only a clash copies anything; most rows have none.
        for (k, value) in r.iter() {
            if row::is_empty(Some(value)) || self.is_column(k) {
                continue;
            }
            let key = camel_case(k);
            let Some((existing, _)) = row::json_get(&ext, &key) else {
                continue;
            };
            let existing = existing.clone();
            let Some(old) = ext.shift_remove(&existing) else {
                continue;
            };
            if old != *value {
                ext.insert(format!("{key}FromSettings"), old);
            }
        }
        r.insert(
            EXTEND_VALUES.into(),
            Value::String(Value::Object(ext).to_string()),
        );
    }
}

inventory::submit! {
    AdapterRegistration::new(&V6, env!("CARGO_PKG_NAME"))
}
