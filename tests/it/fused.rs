//! Large tables go through the hops in memory, row by row: every sample, updated to each stop
//! with and without content splitting, gives the same folder and report as the hop-by-hop run.

use std::path::Path;

use sscms_core::adapter::HopOptions;
use sscms_core::progress::Notes;
use sscms_core::update::{UpdateOptions, update_fused};
use sscms_core::{Registry, Target};

use crate::support::*;

/// Every file of a folder with its bytes, the manifest without its creation time.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read folder") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let name = p.strip_prefix(dir).unwrap().display().to_string();
            let mut bytes = std::fs::read(&p).expect("read file");
            if name == "_manifest.json" {
                let mut m: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                m.as_object_mut().unwrap().remove("createdAt");
                bytes = m.to_string().into_bytes();
            }
            out.push((name, bytes));
        }
    }
    out.sort();
    out
}

#[test]
fn every_table_pending_gives_the_hop_by_hop_output() {
    let mut fused_runs = 0;
    let registry = Registry::load().expect("registry");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    for (sample, stops) in [
        ("site-3.6", &["4.0", "5.0", "latest"][..]),
        ("sample-3.6", &["4.1", "latest"][..]),
        ("sample-4.0", &["latest"][..]),
        ("sample-4.1", &["6.15", "latest"][..]),
        ("sample-5.0", &["latest"][..]),
    ] {
        for to in stops {
            for split in [false, true] {
                let tmp = tmp();
                let run = |name: &str, fuse: Option<u64>| {
                    let out = tmp.path().join(name);
                    let notes = Notes::default();
                    let report = update_fused(
                        &registry,
                        &UpdateOptions {
                            dir: examples.join(sample),
                            out: out.clone(),
                            from: None,
                            to: match *to {
                                "latest" => Target::Latest,
                                v => Target::Named(v.to_string()),
                            },
                            overwrite: false,
                            page_size: 3,
                            hop: HopOptions {
                                split_contents: split,
                            },
                        },
                        &notes,
                        fuse,
                    )
                    .unwrap_or_else(|e| panic!("{sample} --to {to}: {e}"));
                    let again = notes.lines().iter().any(|n| n.contains("again"));
                    (serde_json::to_value(&report).unwrap(), files(&out), again)
                };
                let (fused_report, fused, again) = run("fused", Some(0));
                let (plain_report, plain, _) = run("plain", None);
                fused_runs += usize::from(!again);
                let at = format!("{sample} --to {to} split {split}");
                assert_eq!(fused_report, plain_report, "{at}: report");
                assert_eq!(fused.len(), plain.len(), "{at}: files");
                for (a, b) in fused.iter().zip(&plain) {
                    assert!(a == b, "{at}: {} differs from {}", a.0, b.0);
                }
            }
        }
    }
    // Ten of the sixteen stay fused; the others route rows elsewhere (split contents, dropped
    // rows) and go again hop by hop.
    assert!(fused_runs >= 10, "only {fused_runs} runs stayed fused");
}
