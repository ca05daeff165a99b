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
use std::sync::Arc;
use std::sync::mpsc;

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
    readers: &[Arc<BackupReader>],
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
    readers: &[Arc<BackupReader>],
    data: &TableData,
    origin: Origin,
    f: &mut dyn FnMut(Row) -> Result<()>,
) -> Result<u64> {
    match origin {
        Origin::Disk(r) => read_named_rows(&readers[r], data, f),
        Origin::Pending(j) => {
            // The earlier hops run on a thread of their own, so each hop of a fused chain has a
            // core while the rows pass through in order.
            let (tx, rx) = mpsc::sync_channel::<Vec<Row>>(PIPE_DEPTH);
            std::thread::scope(|scope| {
                let producer = scope.spawn(move || {
                    let mut batch = Vec::with_capacity(PIPE_BATCH);
                    run_output(prev, readers, j, true, &mut |values| {
                        // The row the next hop would read back from the page: keyed by its
                        // metadata.
                        let mut row = Row::with_capacity(values.len());
                        for (c, v) in data.meta.columns.iter().zip(values) {
                            row.insert(c.attribute_name.clone(), v);
                        }
                        batch.push(row);
                        if batch.len() == PIPE_BATCH {
                            let full =
                                std::mem::replace(&mut batch, Vec::with_capacity(PIPE_BATCH));
                            tx.send(full).map_err(|_| pipe_closed())?;
                        }
                        Ok(())
                    })?;
                    if !batch.is_empty() {
                        tx.send(batch).map_err(|_| pipe_closed())?;
                    }
                    Ok(())
                });
                let mut n = 0u64;
                let consumed = (|| {
                    for batch in rx {
                        for row in batch {
                            n += 1;
                            f(row)?;
                        }
                    }
                    Ok(())
                })();
                let produced = producer
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p));
                // The consumer's error first: the producer's is then only the closed pipe.
                consumed.and(produced).map(|()| n)
            })
        }
    }
}

/// Rows per message between the hops of a fused chain, and messages in flight: enough to
/// keep both threads busy, little enough that memory stays independent of table size.
const PIPE_BATCH: usize = 256;
const PIPE_DEPTH: usize = 4;

fn pipe_closed() -> Error {
    Error::Invalid("fused update: the next hop stopped reading".into())
}

/// Writes pending table `j` of the last stage into a folder of its own and opens it.
fn materialize(
    stages: &mut [Stage],
    readers: &mut Vec<Arc<BackupReader>>,
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
    readers.push(Arc::new(BackupReader::open(dir)?));
    Ok(readers.len() - 1)
}

/// The rows a hop's plan reads, from disk or, for a pending table, after writing it.
struct Planning<'e> {
    state: RefCell<PlanState<'e>>,
}

struct PlanState<'e> {
    stages: &'e mut Vec<Stage>,
    readers: &'e mut Vec<Arc<BackupReader>>,
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
            Arc::clone(&st.readers[r])
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
    let mut readers: Vec<Arc<BackupReader>> = vec![Arc::new(BackupReader::open(&opts.dir)?)];
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
            readers.push(Arc::new(BackupReader::open(&output_dir)?));
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

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use semver::{Version, VersionReq};
    use serde_json::{Value, json};

    use crate::adapter::{
        AdapterRegistration, HopInput, HopOptions, HopPlan, OutputTable, Registry, RowOutcome,
        Source, TableStatus, Target, VersionAdapter,
    };
    use crate::backup::{BackupReader, BackupWriter};
    use crate::model::{Column, DataType, TableMeta};
    use crate::progress::Notes;
    use crate::update::{UpdateOptions, update};

    const ROWS: u64 = 5000;

    /// Keeps every row of `T`, appending its name to `Body`; fails on row `fail_at`.
    struct Hop {
        name: &'static str,
        accepts: &'static str,
        produces: &'static str,
        fail_at: Option<u64>,
    }

    impl VersionAdapter for Hop {
        fn name(&self) -> &'static str {
            self.name
        }
        fn accepts(&self) -> VersionReq {
            VersionReq::parse(self.accepts).unwrap()
        }
        fn produces(&self) -> Version {
            Version::parse(self.produces).unwrap()
        }
        fn plan(&self, input: &HopInput<'_>) -> crate::Result<HopPlan> {
            let meta = &input.table("T").unwrap().meta;
            let (name, fail_at) = (self.name, self.fail_at);
            let mut n = 0u64;
            let source = Source::with("T", move |mut row| {
                n += 1;
                if Some(n) == fail_at {
                    return Err(format!("{name} refuses this one"));
                }
                let body = format!("{}+{name}", row["Body"].as_str().unwrap());
                row.insert("Body".into(), Value::String(body));
                Ok(RowOutcome::Keep(row))
            });
            Ok(HopPlan {
                tables: vec![
                    OutputTable::new("T", meta.columns.clone(), TableStatus::Converted)
                        .source(source),
                ],
                ..HopPlan::default()
            })
        }
    }

    /// Three hops, so that two tables stay pending and three threads pass the rows on.
    fn registry(fail: Option<(usize, u64)>) -> Registry {
        let hops = [
            ("h1", ">=8.0.0, <9.0.0", "9.0.0"),
            ("h2", ">=9.0.0, <10.0.0", "10.0.0"),
            ("h3", ">=10.0.0, <11.0.0", "11.0.0"),
        ];
        let regs = hops
            .iter()
            .enumerate()
            .map(|(i, &(name, accepts, produces))| {
                let hop = Hop {
                    name,
                    accepts,
                    produces,
                    fail_at: fail.filter(|f| f.0 == i).map(|f| f.1),
                };
                let adapter: &'static Hop = Box::leak(Box::new(hop));
                &*Box::leak(Box::new(AdapterRegistration::new(adapter, "test")))
            })
            .collect();
        Registry::from_registrations(regs).unwrap()
    }

    /// Runs the update on a thread, so that a pipeline that hangs fails the test.
    fn run(fail: Option<(usize, u64)>) -> (tempfile::TempDir, crate::Result<Vec<String>>) {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("in");
        let mut writer = BackupWriter::create(&input, None).unwrap();
        writer.describe("backup", None, Value::Null).unwrap();
        let meta = TableMeta {
            name: "T".into(),
            columns: vec![
                Column::new("Id", DataType::Integer).primary_key(),
                Column::new("Body", DataType::Text),
            ],
        };
        let mut tw = writer.table(&meta, 700).unwrap();
        for id in 1..=ROWS {
            tw.push(&[json!(id), json!(format!("row {id}"))]).unwrap();
        }
        writer.add(tw.finish().unwrap());
        writer.finish().unwrap();
        let opts = UpdateOptions {
            dir: input,
            out: tmp.path().join("out"),
            from: Some("8.0".into()),
            to: Target::Latest,
            overwrite: false,
            page_size: 1000,
            hop: HopOptions::default(),
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let notes = Notes::default();
            let result = update(&registry(fail), &opts, &notes);
            let _ = tx.send(result.map(|_| notes.lines()));
        });
        let result = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the update finishes");
        (tmp, result)
    }

    #[test]
    fn rows_pass_every_hop_in_order() {
        let (tmp, result) = run(None);
        let notes = result.unwrap();
        assert!(
            !notes.iter().any(|n| n.contains("again")),
            "the run stayed fused: {notes:?}"
        );
        let out = BackupReader::open(&tmp.path().join("out")).unwrap();
        let data = out.table("T").unwrap();
        assert_eq!(data.total_count, ROWS);
        let mut want = 0u64;
        crate::adapter::plan::read_named_rows(&out, &data, |row| {
            want += 1;
            assert_eq!(row["Id"], json!(want));
            assert_eq!(row["Body"], json!(format!("row {want}+h1+h2+h3")));
            Ok(())
        })
        .unwrap();
        assert_eq!(want, ROWS);
    }

    #[test]
    fn a_failing_row_in_any_hop_stops_the_run_and_names_it() {
        // Early rows fail while the hops before are still sending; late ones after they end.
        for (hop, row) in [(0, 4990), (1, 3), (1, 4999), (2, 2), (2, 4000)] {
            let (tmp, result) = run(Some((hop, row)));
            let err = result.expect_err("the run fails").to_string();
            let name = ["h1", "h2", "h3"][hop];
            assert!(
                err.contains(&format!("adapter {name}, table `T`, row {row}:"))
                    && err.contains("refuses this one"),
                "hop {name} row {row}: {err}"
            );
            assert!(!tmp.path().join("out").exists(), "{name} row {row}");
        }
    }
}
