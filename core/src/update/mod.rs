//! `update`: a backup folder through a chain of version adapters, offline.
//!
//! Each hop converts one version's folder into the next version's, so every hop can be checked
//! on its own (`--to`) and memory stays flat. Small tables are written into intermediate
//! folders beside the output, which are removed afterwards; large ones go through the whole
//! chain row by row ([`engine`]).

mod engine;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::adapter::names::Fnv;
use crate::adapter::{
    AdapterRegistration, HopInput, HopOptions, HopPlan, IdMap, OutputTable, Registry, Source,
    TableStatus, Target, UpgradePath, take,
};
use crate::backup::BackupReader;
use crate::detect::{Detected, OLDEST, detect_folder};
use crate::error::{Error, Result};
use crate::model::{Row, TableMeta};
use crate::progress::Progress;
use crate::value::check_json;
use crate::version::parse_version;

#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// The backup folder to convert.
    pub dir: PathBuf,
    /// The folder to write; absent or empty unless `overwrite`.
    pub out: PathBuf,
    /// Skip detection and take this version.
    pub from: Option<String>,
    pub to: Target,
    pub overwrite: bool,
    pub page_size: usize,
    pub hop: HopOptions,
}

/// One output table in `_report.json`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TableReport {
    /// The original input tables whose rows it holds.
    pub source: Vec<String>,
    pub target: String,
    pub rows_in: u64,
    pub rows_out: u64,
    /// What the table is in the final version: see [`final_status`].
    pub status: TableStatus,
    /// For a carried table, the first hop of the chain that no longer knew it and copied it
    /// unchanged from then on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carried_since: Option<String>,
    /// The table's status after each hop, first hop first.
    pub history: Vec<HopStatus>,
}

/// What one hop did with (an ancestor of) a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HopStatus {
    pub hop: String,
    /// The table's name in that hop's output.
    pub table: String,
    pub status: TableStatus,
}

/// Where one input table went.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputReport {
    pub table: String,
    pub rows: u64,
    /// The output tables holding its rows; rows that reached none are in `droppedRows`.
    pub into: Vec<String>,
}

/// Values moved into a settings column because their column is gone.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MovedValue {
    pub table: String,
    pub column: String,
    pub into: String,
    pub rows: u64,
}

/// Values that had no column and no settings column to go to.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnplacedValue {
    pub hop: String,
    pub table: String,
    pub column: String,
    pub rows: u64,
}

/// Rows an adapter could not carry, with its reason.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DroppedRows {
    pub hop: String,
    pub table: String,
    pub reason: String,
    pub rows: u64,
}

/// `_report.json`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateReport {
    pub from: String,
    pub to: String,
    pub detected: String,
    pub chain: Vec<String>,
    pub tables: Vec<TableReport>,
    /// Every input table and the output tables it went to.
    pub inputs: Vec<InputReport>,
    pub moved_values: Vec<MovedValue>,
    pub id_maps: Vec<IdMap>,
    pub unplaced_values: Vec<UnplacedValue>,
    pub dropped_rows: Vec<DroppedRows>,
    /// Input tables with rows that reached no output table: any entry fails the update.
    pub unaccounted: Vec<String>,
    pub notes: Vec<String>,
}

impl UpdateReport {
    /// Returns true if and only if every row read was written or reported with a reason.
    pub fn ok(&self) -> bool {
        self.unaccounted.is_empty()
    }
}

/// The report file written into the output folder.
pub const REPORT_FILE: &str = "_report.json";

/// Tables of at least this many rows go through the hops in memory, row by row, instead of
/// being written into each intermediate folder (see [`engine`]).
pub const FUSE_MIN_ROWS: u64 = 1000;

/// Detects (or takes `--from`), resolves the chain and runs every hop.
pub fn update(
    registry: &Registry,
    opts: &UpdateOptions,
    progress: &dyn Progress,
) -> Result<UpdateReport> {
    update_fused(registry, opts, progress, Some(FUSE_MIN_ROWS))
}

/// [`update`] with tables of at least `fuse` rows kept in memory between hops, or every hop
/// written (`None`). The output and the report are the same either way; the tests compare them.
#[doc(hidden)]
pub fn update_fused(
    registry: &Registry,
    opts: &UpdateOptions,
    progress: &dyn Progress,
    fuse: Option<u64>,
) -> Result<UpdateReport> {
    let reader = BackupReader::open(&opts.dir)?;
    let detected = match &opts.from {
        Some(v) => {
            let version = parse_version(v).map_err(|e| Error::Invalid(format!("--from: {e}")))?;
            if version < OLDEST {
                return Err(Error::Invalid(format!(
                    "--from {v}: versions below 3.6 are not supported"
                )));
            }
            Detected {
                version,
                evidence: "--from".into(),
                structural: false,
            }
        }
        None => detect_folder(&reader)?,
    };
    drop(reader);
    let path = registry
        .path(&detected.version, &opts.to)
        .map_err(|e| Error::Invalid(e.to_string()))?;
    prepare_out(&opts.out, opts.overwrite)?;
    // The folder is empty or absent now, so a failed run may remove it: a half-converted
    // folder must not be mistaken for a finished one.
    let result = convert(opts, progress, &detected, &path, fuse);
    if result.is_err() {
        let _ = fs::remove_dir_all(&opts.out);
    }
    result
}

/// Runs the chain fused when `fuse` says so, and again hop by hop when the fused run stopped
/// with a table pending (see [`engine`]), so that the result is always the hop-by-hop one.
fn convert(
    opts: &UpdateOptions,
    progress: &dyn Progress,
    detected: &Detected,
    path: &UpgradePath,
    fuse: Option<u64>,
) -> Result<UpdateReport> {
    if fuse.is_some() {
        let mut pending = false;
        match convert_with(opts, progress, detected, path, fuse, &mut pending) {
            Err(_) if pending => {
                let _ = fs::remove_dir_all(&opts.out);
                progress.note(
                    "rows of a large table did not all go straight through the hops; \
                     converting again, one hop at a time",
                );
            }
            result => return result,
        }
    }
    convert_with(opts, progress, detected, path, None, &mut false)
}

fn convert_with(
    opts: &UpdateOptions,
    progress: &dyn Progress,
    detected: &Detected,
    path: &UpgradePath,
    fuse: Option<u64>,
    pending: &mut bool,
) -> Result<UpdateReport> {
    let mut report = UpdateReport {
        from: detected.version.to_string(),
        to: path.to.to_string(),
        detected: detected.to_string(),
        chain: path.names().iter().map(|s| s.to_string()).collect(),
        tables: Vec::new(),
        inputs: Vec::new(),
        moved_values: Vec::new(),
        id_maps: Vec::new(),
        unplaced_values: Vec::new(),
        dropped_rows: Vec::new(),
        unaccounted: Vec::new(),
        notes: Vec::new(),
    };
    if detected.structural {
        report.notes.push(format!(
            "the version string was missing, so the version was detected from the tables: {}",
            detected.evidence
        ));
    }

    let parent = opts
        .out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let work = tempfile::Builder::new()
        .prefix(".siteserver-update-")
        .tempdir_in(parent)
        .map_err(|e| Error::io(parent, e))?;

    // Original source names behind each table of the current folder.
    let mut origins: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut input_rows: Vec<(String, u64)> = Vec::new();
    {
        let reader = BackupReader::open(&opts.dir)?;
        for name in reader.tables() {
            origins.insert(name.to_lowercase(), vec![name.clone()]);
            input_rows.push((name.clone(), reader.table(name)?.total_count));
        }
    }
    // What each hop did to the tables behind each table of the current folder.
    let mut histories: BTreeMap<String, Vec<HopStatus>> = BTreeMap::new();
    if path.chain.is_empty() {
        return Err(Error::Invalid(format!(
            "the backup is already at {} ({}); nothing to update",
            detected.version, detected.evidence
        )));
    }
    let hops = engine::run_chain(
        opts,
        progress,
        path,
        &detected.version,
        work.path(),
        fuse,
        &mut report,
        pending,
    )?;
    let mut last: Vec<HopTable> = Vec::new();
    for (reg, hop) in path.chain.iter().zip(hops) {
        // Trace each output table back to the original tables.
        let mut next_origins = BTreeMap::new();
        let mut next_histories = BTreeMap::new();
        for t in &hop {
            let mut src: Vec<String> = Vec::new();
            for s in &t.sources {
                for o in origins.get(&s.to_lowercase()).into_iter().flatten() {
                    if !src.contains(o) {
                        src.push(o.clone());
                    }
                }
            }
            // A merged table's history is that of its first source, which kept its ids.
            let mut history = t
                .sources
                .first()
                .and_then(|s| histories.get(&s.to_lowercase()))
                .cloned()
                .unwrap_or_default();
            history.push(HopStatus {
                hop: reg.adapter.name().to_string(),
                table: t.name.clone(),
                status: t.status,
            });
            next_origins.insert(t.name.to_lowercase(), src);
            next_histories.insert(t.name.to_lowercase(), history);
        }
        origins = next_origins;
        histories = next_histories;
        last = hop;
    }
    for t in &last {
        let source = origins.remove(&t.name.to_lowercase()).unwrap_or_default();
        let history = histories.remove(&t.name.to_lowercase()).unwrap_or_default();
        let (status, carried_since) = final_status(&source, &history);
        report.tables.push(TableReport {
            // Hops lose no rows, so what reached the last hop is what the sources gave.
            rows_in: t.rows_in,
            source,
            target: t.name.clone(),
            rows_out: t.rows_out,
            status,
            carried_since,
            history,
        });
    }
    for (table, rows) in input_rows {
        let into = report
            .tables
            .iter()
            .filter(|t| t.source.iter().any(|s| s.eq_ignore_ascii_case(&table)))
            .map(|t| t.target.clone())
            .collect();
        report.inputs.push(InputReport { table, rows, into });
    }
    let text = serde_json::to_vec_pretty(&report).unwrap_or_default();
    let report_path = opts.out.join(REPORT_FILE);
    fs::write(&report_path, text).map_err(|e| Error::io(&report_path, e))?;
    crate::backup::record_file(&opts.out, REPORT_FILE)?;
    Ok(report)
}

/// A table's status in the final version, from what each hop did:
/// - `carried`: the last hop did not know the table, so it is not part of the final version's
///   schema (whatever earlier hops did); `carried_since` is the first hop of that trailing run;
/// - `created-empty`: no input table feeds it;
/// - `merged`: several input tables feed it, or a hop merged its ancestors;
/// - `converted`: one input table, converted.
pub fn final_status(source: &[String], history: &[HopStatus]) -> (TableStatus, Option<String>) {
    let carried = history
        .iter()
        .rev()
        .take_while(|h| h.status == TableStatus::Carried)
        .last();
    if let Some(first) = carried {
        return (TableStatus::Carried, Some(first.hop.clone()));
    }
    let status = if source.is_empty() {
        TableStatus::CreatedEmpty
    } else if source.len() > 1 || history.iter().any(|h| h.status == TableStatus::Merged) {
        TableStatus::Merged
    } else {
        TableStatus::Converted
    };
    (status, None)
}

fn prepare_out(out: &Path, overwrite: bool) -> Result<()> {
    match fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                if !overwrite {
                    return Err(Error::Invalid(format!(
                        "{}: folder is not empty; choose another -o folder or pass --overwrite",
                        out.display()
                    )));
                }
                fs::remove_dir_all(out).map_err(|e| Error::io(out, e))?;
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(out, e)),
    }
}

/// One table the hop wrote.
struct HopTable {
    name: String,
    sources: Vec<String>,
    status: TableStatus,
    /// Rows routed to this table: written or dropped with a reason.
    rows_in: u64,
    rows_out: u64,
}

/// Tables the plan does not read are carried unchanged, under a marked name if the plan
/// already writes a table of that name.
fn carry_unreferenced(input: &HopInput<'_>, plan: &mut HopPlan) {
    let read: Vec<String> = plan
        .tables
        .iter()
        .flat_map(|t| t.sources.iter().map(|s| s.table.to_lowercase()))
        .collect();
    for t in input.tables() {
        if read.contains(&t.meta.name.to_lowercase()) {
            continue;
        }
        let taken = |n: &str| plan.tables.iter().any(|o| o.name.eq_ignore_ascii_case(n));
        let name = if taken(&t.meta.name) {
            format!(
                "{}__from_v{}",
                t.meta.name,
                input.version().major * 10 + input.version().minor
            )
        } else {
            t.meta.name.clone()
        };
        plan.notes.push(if name == t.meta.name {
            format!(
                "carried `{}` unchanged (no adapter rule for it)",
                t.meta.name
            )
        } else {
            format!(
                "carried `{}` as `{name}`: the next version has a different table of that name",
                t.meta.name
            )
        });
        plan.tables.push(
            OutputTable::new(name, t.meta.columns.clone(), TableStatus::Carried)
                .source(Source::plain(t.meta.name.clone())),
        );
    }
}

/// The chain stops at this hop's version: every table its fresh install creates is there.
fn complete_install(reg: &AdapterRegistration, plan: &mut HopPlan) -> Result<()> {
    let version = reg.adapter.produces();
    let mut added = Vec::new();
    for t in reg.adapter.install_tables()? {
        if plan
            .tables
            .iter()
            .any(|o| o.name.eq_ignore_ascii_case(&t.name))
        {
            continue;
        }
        added.push(t.name.clone());
        plan.tables.push(OutputTable::new(
            t.name,
            t.columns,
            TableStatus::CreatedEmpty,
        ));
    }
    if !added.is_empty() {
        plan.notes.push(format!(
            "created empty, as a fresh {}.{} install has them: {}",
            version.major,
            version.minor,
            added.join(", ")
        ));
    }
    Ok(())
}

/// Where a row's keys go in one output table, looked up once per table.
struct Columns {
    /// Column name → index.
    exact: HashMap<String, usize, Fnv>,
    /// ASCII-lower-cased column name → index; `None` when two columns differ only in case,
    /// where only the general path of [`take`] picks the same keys.
    folded: Option<HashMap<String, usize, Fnv>>,
}

impl Columns {
    fn new(meta: &TableMeta) -> Self {
        let mut exact = HashMap::with_hasher(Fnv);
        let mut folded = HashMap::with_hasher(Fnv);
        let mut unique = true;
        for (i, c) in meta.columns.iter().enumerate() {
            exact.entry(c.attribute_name.clone()).or_insert(i);
            unique &= folded
                .insert(c.attribute_name.to_ascii_lowercase(), i)
                .is_none();
        }
        Columns {
            exact,
            folded: unique.then_some(folded),
        }
    }

    /// The column a key names case-insensitively.
    fn folded(folded: &HashMap<String, usize, Fnv>, key: &str) -> Option<usize> {
        if key.len() <= 128 {
            let mut buf = [0u8; 128];
            let lower = &mut buf[..key.len()];
            lower.copy_from_slice(key.as_bytes());
            lower.make_ascii_lowercase();
            // Lower-casing ASCII bytes keeps UTF-8 valid.
            let lower = std::str::from_utf8(lower).ok()?;
            folded.get(lower).copied()
        } else {
            folded.get(&key.to_ascii_lowercase()).copied()
        }
    }

    /// Splits a row into the output's columns and what is left, exactly as taking each column
    /// by [`take`] in column order would: a column takes its exact key, else the first key
    /// that matches it case-insensitively; the rest keep their order.
    fn split(&self, meta: &TableMeta, mut row: Row) -> (Vec<Value>, Vec<(String, Value)>) {
        let Some(folded) = &self.folded else {
            let values = meta
                .columns
                .iter()
                .map(|c| take(&mut row, &c.attribute_name).unwrap_or(Value::Null))
                .collect();
            return (values, row.into_iter().collect());
        };
        // Per column: the row position and value it took, and the key when it matched only
        // case-insensitively (an exact key later in the row takes its place).
        let mut slots: Vec<Option<(usize, Option<String>, Value)>> = Vec::new();
        slots.resize_with(meta.columns.len(), || None);
        let mut rest: Vec<(usize, String, Value)> = Vec::new();
        let mut next = 0usize;
        for (at, (k, v)) in row.into_iter().enumerate() {
            let exact = match meta.columns.get(next) {
                Some(c) if c.attribute_name == k => Some(next),
                _ => self.exact.get(&k).copied(),
            };
            if let Some(i) = exact {
                next = i + 1;
                if let Some((was, Some(key), value)) = slots[i].take() {
                    rest.push((was, key, value));
                }
                slots[i] = Some((at, None, v));
                continue;
            }
            match Self::folded(folded, &k) {
                Some(i) if slots[i].is_none() => slots[i] = Some((at, Some(k), v)),
                _ => rest.push((at, k, v)),
            }
        }
        rest.sort_by_key(|(at, _, _)| *at);
        let values = slots
            .into_iter()
            .map(|s| s.map_or(Value::Null, |(_, _, v)| v))
            .collect();
        (values, rest.into_iter().map(|(_, k, v)| (k, v)).collect())
    }
}

/// Puts a row into the output's column order, checking each value against its column type.
fn project(
    meta: &TableMeta,
    columns: &Columns,
    settings_column: Option<&str>,
    row: Row,
    moved: &mut BTreeMap<String, u64>,
    unplaced: &mut BTreeMap<String, u64>,
) -> std::result::Result<Vec<Value>, String> {
    let (mut values, rest) = columns.split(meta, row);
    for (c, v) in meta.columns.iter().zip(&values) {
        check_json(c.data_type, v)
            .map_err(|e| format!("column `{}` ({}): {e}", c.attribute_name, c.data_type))?;
    }
    // What is left has no column in the output.
    let leftovers: Vec<(String, Value)> = rest
        .into_iter()
        .filter(|(_, v)| !matches!(v, Value::Null) && v.as_str() != Some(""))
        .collect();
    if leftovers.is_empty() {
        return Ok(values);
    }
    let target = settings_column.and_then(|s| {
        meta.columns
            .iter()
            .position(|c| c.attribute_name.eq_ignore_ascii_case(s))
    });
    match target {
        Some(i) => {
            let current = values[i].as_str().unwrap_or_default().to_string();
            let json = crate::settings::is_json_form(&current)
                .then(|| serde_json::from_str::<serde_json::Map<String, Value>>(&current).ok())
                .flatten();
            values[i] = Value::String(match json {
                // 6.x keeps these columns as JSON; adding keys keeps them readable.
                Some(mut obj) => {
                    for (k, v) in leftovers {
                        obj.insert(crate::naming::camel_case(&k), v);
                        *moved.entry(k).or_default() += 1;
                    }
                    Value::Object(obj).to_string()
                }
                None => {
                    let mut settings = crate::settings::Settings::parse(&current);
                    for (k, v) in leftovers {
                        let text = match v {
                            Value::String(s) => s,
                            other => other.to_string(),
                        };
                        settings.set(&k, text);
                        *moved.entry(k).or_default() += 1;
                    }
                    settings.encode()
                }
            });
        }
        None => {
            for (k, _) in leftovers {
                *unplaced.entry(k).or_default() += 1;
            }
        }
    }
    Ok(values)
}
