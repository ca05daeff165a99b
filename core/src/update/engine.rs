//! The hop loop: each hop plans against its input folder, then its output tables stream.
//!
//! Written hop by hop, every hop reads a whole folder and writes the next. Fused, a large table
//! of an intermediate hop is not written: it stays *pending*, and the next hop pulls its rows
//! through the earlier hop's transform as it streams, row by row, so a content table is parsed
//! and written once for the whole chain. The next hop's plan sees such a table as the folder
//! would show it (metadata through the same JSON, row count and page names); a plan that reads
//! its rows gets it written first. The count is a prediction (every source row kept), checked
//! as the rows go: a pending table that drops, routes elsewhere or fails a row stops the fused
//! run, which the caller then repeats hop by hop, so reports and errors are those of the
//! hop-by-hop run in every case.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use semver::Version;
use serde_json::Value;

use super::{
    Columns, DroppedRows, HopTable, MovedValue, UnplacedValue, UpdateOptions, UpdateReport,
    carry_unreferenced, complete_install, project,
};
use crate::adapter::plan::{RowSource, read_named_rows};
use crate::adapter::{AdapterRegistration, HopInput, OutputTable, RowOutcome, UpgradePath};
use crate::backup::{
    BackupReader, BackupWriter, RowKeys, TableData, metadata_json, parse_metadata,
};
use crate::error::{Error, Result};
use crate::model::{Row, TableMeta};
use crate::progress::Progress;

/// Where the rows of one table of a hop's input are.
#[derive(Clone, Copy)]
enum Origin {
    /// In a folder on disk: an index into the readers.
    Disk(usize),
    /// An output table of the previous hop, not written: its index there.
    Pending(usize),
}

/// What streaming one output table gave.
#[derive(Default)]
struct TableResult {
    moved: BTreeMap<String, u64>,
    unplaced: BTreeMap<String, u64>,
    /// Per source table: the rows dropped by reason.
    dropped: Vec<(String, BTreeMap<String, u64>)>,
    /// Rows routed here: written or dropped.
    routed: u64,
    rows_out: u64,
}

/// One hop: its input tables, its plan, and what its tables gave.
struct Stage {
    reg: &'static AdapterRegistration,
    inputs: Vec<TableData>,
    origins: Vec<Origin>,
    tables: Vec<OutputTable>,
    metas: Vec<TableMeta>,
    columns: Vec<Columns>,
    /// For a pending table, the rows the next hop's plan was told it has.
    expected: Vec<Option<u64>>,
    results: Vec<Option<TableResult>>,
    /// Rows of each input table (lower-cased) that reached an output or were dropped.
    placed: BTreeMap<String, u64>,
}

/// The error a fused run stops with; the caller repeats the run hop by hop.
fn unfusable(why: &str) -> Error {
    Error::Invalid(format!("fused update stopped: {why}"))
}

/// Streams one output table of `stages[s]` (the last stage of the slice) into `sink`.
/// `strict`: the table is pending, so every row must be kept.
fn run_output(
    stages: &mut [Stage],
    readers: &[Rc<BackupReader>],
    j: usize,
    strict: bool,
    sink: &mut dyn FnMut(Vec<Value>) -> Result<()>,
) -> Result<()> {
    let s = stages.len() - 1;
    let (prev, rest) = stages.split_at_mut(s);
    let Stage {
        reg,
        inputs,
        origins,
        tables,
        metas,
        columns,
        results,
        placed,
        ..
    } = &mut rest[0];
    let hop_name = reg.adapter.name();
    let out = &mut tables[j];
    let meta = &metas[j];
    let cols = &columns[j];
    let mut res = TableResult::default();
    for src in out.sources.iter_mut() {
        let Some(ti) = inputs
            .iter()
            .position(|t| t.meta.name.eq_ignore_ascii_case(&src.table))
        else {
            return Err(Error::Invalid(format!(
                "adapter {hop_name} reads table `{}`, which the folder does not have",
                src.table
            )));
        };
        let data = &inputs[ti];
        let mut dropped: BTreeMap<String, u64> = BTreeMap::new();
        let mut kept = 0u64;
        let mut index = 0u64;
        let settings = out.settings_column.as_deref();
        let transform = &mut src.transform;
        stream_input(prev, readers, data, origins[ti], &mut |row| {
            index += 1;
            let outcome = match transform.as_mut() {
                Some(f) => f(row).map_err(|e| {
                    Error::Invalid(format!(
                        "adapter {hop_name}, table `{}`, row {index}: {e}",
                        data.meta.name
                    ))
                })?,
                None => RowOutcome::Keep(row),
            };
            match outcome {
                RowOutcome::Keep(row) => {
                    let values =
                        project(meta, cols, settings, row, &mut res.moved, &mut res.unplaced)
                            .map_err(|e| {
                                Error::Invalid(format!(
                                    "adapter {hop_name}: table `{}` row {index} into `{}`: {e}",
                                    data.meta.name, meta.name
                                ))
                            })?;
                    sink(values)?;
                    kept += 1;
                }
                _ if strict => return Err(unfusable("a pending table did not keep a row")),
                RowOutcome::Elsewhere => {}
                RowOutcome::Drop(reason) => *dropped.entry(reason).or_default() += 1,
            }
            Ok(())
        })?;
        let dropped_total: u64 = dropped.values().sum();
        *placed.entry(data.meta.name.to_lowercase()).or_default() += kept + dropped_total;
        res.routed += kept + dropped_total;
        res.rows_out += kept;
        res.dropped.push((data.meta.name.clone(), dropped));
    }
    results[j] = Some(res);
    Ok(())
}

/// Streams the rows of one input table of the stage after `prev`, keyed by its columns.
fn stream_input(
    prev: &mut [Stage],
    readers: &[Rc<BackupReader>],
    data: &TableData,
    origin: Origin,
    f: &mut dyn FnMut(Row) -> Result<()>,
) -> Result<u64> {
    match origin {
        Origin::Disk(r) => read_named_rows(&readers[r], data, f),
        Origin::Pending(j) => {
            let mut n = 0u64;
            run_output(prev, readers, j, true, &mut |values| {
                // The row the next hop would read back from the page: keyed by its metadata.
                let mut row = Row::with_capacity(values.len());
                for (c, v) in data.meta.columns.iter().zip(values) {
                    row.insert(c.attribute_name.clone(), v);
                }
                n += 1;
                f(row)
            })?;
            Ok(n)
        }
    }
}

/// Writes pending table `j` of the last stage into a folder of its own and opens it.
fn materialize(
    stages: &mut [Stage],
    readers: &mut Vec<Rc<BackupReader>>,
    j: usize,
    dir: &Path,
    page_size: usize,
) -> Result<usize> {
    let s = stages.len() - 1;
    let meta = stages[s].metas[j].clone();
    let mut writer = BackupWriter::create(dir, None)?;
    writer.describe("update", None, serde_json::Value::Null)?;
    let mut tw = writer.table(&meta, page_size)?;
    run_output(stages, readers, j, true, &mut |values| tw.push(&values))?;
    writer.add(tw.finish()?);
    writer.finish()?;
    readers.push(Rc::new(BackupReader::open(dir)?));
    Ok(readers.len() - 1)
}

/// The rows a hop's plan reads, from disk or, for a pending table, after writing it.
struct Planning<'e> {
    state: RefCell<PlanState<'e>>,
}

struct PlanState<'e> {
    stages: &'e mut Vec<Stage>,
    readers: &'e mut Vec<Rc<BackupReader>>,
    names: Vec<String>,
    origins: Vec<Origin>,
    work: &'e Path,
    page_size: usize,
    written: &'e mut usize,
}

impl PlanState<'_> {
    /// Writes a pending input table now, checking it is what the plan was told.
    fn materialize(&mut self, ti: usize, told: &TableData) -> Result<()> {
        let Origin::Pending(j) = self.origins[ti] else {
            return Ok(());
        };
        *self.written += 1;
        let dir = self
            .work
            .join(format!("read-{}-{}", *self.written, self.names[ti]));
        let r = materialize(self.stages, self.readers, j, &dir, self.page_size)?;
        if self.readers[r].table(&told.meta.name)? != *told {
            return Err(unfusable(
                "a pending table differs from what its plan was told",
            ));
        }
        self.origins[ti] = Origin::Disk(r);
        Ok(())
    }
}

impl RowSource for Planning<'_> {
    fn for_each_row(&self, data: &TableData, f: &mut dyn FnMut(Row) -> Result<()>) -> Result<u64> {
        let reader = {
            let mut st = self.state.borrow_mut();
            let ti = st
                .names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(&data.meta.name))
                .ok_or_else(|| Error::table(&data.meta.name, "not in the backup folder"))?;
            st.materialize(ti, data)?;
            let Origin::Disk(r) = st.origins[ti] else {
                unreachable!("materialized above")
            };
            Rc::clone(&st.readers[r])
        };
        read_named_rows(&reader, data, f)
    }
}

/// The table the next hop's plan sees for a pending table: what reading its folder would give.
fn pending_data(meta: &TableMeta, rows: u64, page_size: usize) -> Result<TableData> {
    let pages = rows.div_ceil(page_size.max(1) as u64);
    let data = TableData {
        meta: meta.clone(),
        total_count: rows,
        row_files: (1..=pages).map(|n| format!("{n}.json")).collect(),
    };
    parse_metadata(
        &meta.name,
        Path::new(&meta.name),
        &metadata_json(&data).to_string(),
    )
}

/// Runs every hop of `path` and returns, per hop, the tables it wrote. `fuse`: tables of at
/// least this many rows stay pending between hops; `pending` tells whether any did.
#[allow(clippy::too_many_arguments)]
pub(super) fn run_chain(
    opts: &UpdateOptions,
    progress: &dyn Progress,
    path: &UpgradePath,
    first: &Version,
    work: &Path,
    fuse: Option<u64>,
    report: &mut UpdateReport,
    pending: &mut bool,
) -> Result<Vec<Vec<HopTable>>> {
    let mut readers: Vec<Rc<BackupReader>> = vec![Rc::new(BackupReader::open(&opts.dir)?)];
    let mut carried = Vec::new();
    for name in readers[0].tables() {
        carried.push(readers[0].table(name)?);
    }
    let mut carried_origins = vec![Origin::Disk(0); carried.len()];
    let mut stages: Vec<Stage> = Vec::new();
    let mut hops: Vec<Vec<HopTable>> = Vec::new();
    let mut version = first.clone();
    let mut written = 0usize;
    let mut previous_dir: Option<PathBuf> = None;
    let mut finished = 0usize;
    for (i, reg) in path.chain.iter().copied().enumerate() {
        let last = i + 1 == path.chain.len();
        let hop_name = reg.adapter.name();
        let inputs = std::mem::take(&mut carried);
        let origins = std::mem::take(&mut carried_origins);
        progress.note(&format!(
            "{} -> {} ({})",
            version,
            reg.adapter.produces(),
            hop_name
        ));
        let output_dir = if last {
            opts.out.clone()
        } else {
            work.join(format!("{}-{}", i + 1, hop_name))
        };

        let planning = Planning {
            state: RefCell::new(PlanState {
                stages: &mut stages,
                readers: &mut readers,
                names: inputs.iter().map(|t| t.meta.name.clone()).collect(),
                origins,
                work,
                page_size: opts.page_size,
                written: &mut written,
            }),
        };
        let input = HopInput {
            rows: &planning,
            tables: inputs,
            version: version.clone(),
            options: opts.hop.clone(),
        };
        let mut plan = reg.adapter.plan(&input).map_err(|e| match e {
            Error::Invalid(m) => Error::Invalid(format!("adapter {hop_name}: {m}")),
            other => other,
        })?;
        carry_unreferenced(&input, &mut plan);
        if last {
            complete_install(reg, &mut plan)?;
        }
        let HopInput { tables: inputs, .. } = input;
        let mut state = planning.state.into_inner();
        report.id_maps.append(&mut plan.id_maps);
        report
            .notes
            .extend(plan.notes.drain(..).map(|n| format!("{hop_name}: {n}")));
        let mut seen: Vec<String> = Vec::new();
        for t in &plan.tables {
            if seen.iter().any(|s| s.eq_ignore_ascii_case(&t.name)) {
                return Err(Error::Invalid(format!(
                    "adapter {hop_name} writes table `{}` twice",
                    t.name
                )));
            }
            seen.push(t.name.clone());
        }

        // A pending input is streamed by the one output that reads it; one read by several
        // outputs is written first.
        let position = |name: &str| {
            inputs
                .iter()
                .position(|t| t.meta.name.eq_ignore_ascii_case(name))
        };
        let mut reads = vec![0usize; inputs.len()];
        for s in plan.tables.iter().flat_map(|t| &t.sources) {
            if let Some(ti) = position(&s.table) {
                reads[ti] += 1;
            }
        }
        for (ti, &n) in reads.iter().enumerate() {
            if n != 1 {
                state.materialize(ti, &inputs[ti])?;
            }
        }
        let origins = state.origins;

        // Which outputs stay pending: large ones of an intermediate hop whose keys read back
        // as they are written.
        let metas: Vec<TableMeta> = plan
            .tables
            .iter()
            .map(|t| TableMeta {
                name: t.name.clone(),
                columns: t.columns.clone(),
            })
            .collect();
        let expected: Vec<Option<u64>> = plan
            .tables
            .iter()
            .zip(&metas)
            .map(|(t, meta)| {
                let min = fuse.filter(|_| !last)?;
                let mut rows = 0u64;
                for s in &t.sources {
                    rows += inputs[position(&s.table)?].total_count;
                }
                (rows >= min && RowKeys::new(meta).round_trips()).then_some(rows)
            })
            .collect();
        let n = plan.tables.len();
        stages.push(Stage {
            reg,
            inputs,
            origins,
            columns: metas.iter().map(Columns::new).collect(),
            metas,
            tables: plan.tables,
            expected,
            results: (0..n).map(|_| None).collect(),
            placed: BTreeMap::new(),
        });

        let mut writer = BackupWriter::create(&output_dir, None)?;
        writer.describe("update", None, serde_json::Value::Null)?;
        writer.manifest_mut().source_version = Some(reg.adapter.produces().to_string());
        for j in 0..n {
            if stages[i].expected[j].is_some() {
                continue;
            }
            let meta = stages[i].metas[j].clone();
            progress.table_started(&meta.name, 0);
            let mut tw = writer.table(&meta, opts.page_size)?;
            run_output(&mut stages, &readers, j, false, &mut |values| {
                tw.push(&values)
            })?;
            let entry = tw.finish()?;
            progress.table_finished(&meta.name, entry.rows);
            writer.add(entry);
        }
        writer.finish()?;

        let stage = &stages[i];
        hops.push(
            stage
                .tables
                .iter()
                .map(|t| HopTable {
                    name: t.name.clone(),
                    sources: t.sources.iter().map(|s| s.table.clone()).collect(),
                    status: t.status,
                    rows_in: 0,
                    rows_out: 0,
                })
                .collect(),
        );
        *pending |= stage.expected.iter().any(Option::is_some);
        // Hops whose tables have all streamed go into the report in order; with none pending,
        // as after every hop written hop by hop, the folder before this one is done with.
        while finished < stages.len() && stages[finished].results.iter().all(Option::is_some) {
            finish_stage(&stages[finished], report)?;
            finished += 1;
        }
        if finished == stages.len()
            && let Some(dir) = previous_dir.take()
        {
            let _ = std::fs::remove_dir_all(dir);
        }
        let stage = &stages[i];
        if !last {
            readers.push(Rc::new(BackupReader::open(&output_dir)?));
            let r = readers.len() - 1;
            let mut next = Vec::with_capacity(n);
            let mut next_origins = Vec::with_capacity(n);
            for j in 0..n {
                let meta = &stage.metas[j];
                match stage.expected[j] {
                    Some(rows) => {
                        next.push(pending_data(meta, rows, opts.page_size)?);
                        next_origins.push(Origin::Pending(j));
                    }
                    None => {
                        next.push(readers[r].table(&meta.name)?);
                        next_origins.push(Origin::Disk(r));
                    }
                }
            }
            carried = next;
            carried_origins = next_origins;
            previous_dir = Some(output_dir);
        }
        version = reg.adapter.produces();
    }
    for stage in &stages {
        for (j, expected) in stage.expected.iter().enumerate() {
            let got = stage.results[j].as_ref().map(|r| r.rows_out);
            if expected.is_some() && got != *expected {
                return Err(unfusable("a pending table got another row count"));
            }
        }
    }
    for stage in &stages[finished..] {
        finish_stage(stage, report)?;
    }
    for (hop, stage) in hops.iter_mut().zip(&stages) {
        for (t, res) in hop.iter_mut().zip(&stage.results) {
            if let Some(res) = res {
                t.rows_in = res.routed;
                t.rows_out = res.rows_out;
            }
        }
    }
    Ok(hops)
}

/// Adds what a finished hop moved, could not place and dropped to the report, and fails when
/// rows of an input table reached no output.
fn finish_stage(stage: &Stage, report: &mut UpdateReport) -> Result<()> {
    let hop_name = stage.reg.adapter.name();
    for (out, res) in stage.tables.iter().zip(&stage.results) {
        let Some(res) = res else {
            return Err(unfusable("a pending table was never read"));
        };
        for (table, dropped) in &res.dropped {
            for (reason, rows) in dropped {
                report.dropped_rows.push(DroppedRows {
                    hop: hop_name.into(),
                    table: table.clone(),
                    reason: reason.clone(),
                    rows: *rows,
                });
            }
        }
        for (column, rows) in &res.moved {
            report.moved_values.push(MovedValue {
                table: out.name.clone(),
                column: column.clone(),
                into: out.settings_column.clone().unwrap_or_default(),
                rows: *rows,
            });
        }
        for (column, rows) in &res.unplaced {
            report.unplaced_values.push(UnplacedValue {
                hop: hop_name.into(),
                table: out.name.clone(),
                column: column.clone(),
                rows: *rows,
            });
        }
    }
    for t in &stage.inputs {
        let got = stage
            .placed
            .get(&t.meta.name.to_lowercase())
            .copied()
            .unwrap_or(0);
        if got < t.total_count {
            report.unaccounted.push(format!(
                "{hop_name}: {} of {} rows of `{}` reached no table",
                t.total_count - got,
                t.total_count,
                t.meta.name
            ));
        }
    }
    if !report.unaccounted.is_empty() {
        return Err(Error::Invalid(format!(
            "rows were lost, so the update stopped: {}",
            report.unaccounted.join("; ")
        )));
    }
    Ok(())
}
