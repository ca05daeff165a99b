//! Simulated faults for the tests, set from the environment of the real binary.
//!
//! `SITESERVER_FAULT=point[:n]` aborts the process, with no cleanup at all (as SIGKILL would),
//! the `n`th time (default first) a loop passes `point`. With `SITESERVER_FAULT_GATE=path` the
//! process instead creates `path.reached` and waits there until `path` exists, so a test can
//! break something (stop the database server, say) at exactly that point and then let it go on.
//!
//! Points: `chunk`, `table`, `identity` (restore), `backup-page`, `backup-table` (backup).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub(crate) fn fault(point: &str) {
    static PASSED: AtomicU64 = AtomicU64::new(0);
    let Ok(spec) = std::env::var("SITESERVER_FAULT") else {
        return;
    };
    let (want, n) = spec.split_once(':').unwrap_or((spec.as_str(), "1"));
    if want != point || PASSED.fetch_add(1, Ordering::SeqCst) + 1 != n.parse::<u64>().unwrap_or(1) {
        return;
    }
    match std::env::var_os("SITESERVER_FAULT_GATE") {
        Some(gate) => {
            let gate = PathBuf::from(gate);
            let mut reached = gate.clone().into_os_string();
            reached.push(".reached");
            eprintln!("SITESERVER_FAULT: waiting at {spec}");
            let _ = std::fs::write(&reached, b"");
            while !gate.exists() {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        None => {
            eprintln!("SITESERVER_FAULT: stopping at {spec}");
            std::process::abort();
        }
    }
}
