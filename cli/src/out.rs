//! Where human lines go: stdout, or stderr when `--format json` keeps stdout for the document.

use std::sync::atomic::{AtomicBool, Ordering};

static JSON: AtomicBool = AtomicBool::new(false);

pub fn set_json(on: bool) {
    JSON.store(on, Ordering::Relaxed);
}

pub fn json() -> bool {
    JSON.load(Ordering::Relaxed)
}

/// A finished command: whether it succeeded, and its summary for `--format json`.
pub struct Outcome {
    pub ok: bool,
    pub summary: serde_json::Value,
}

/// `println!` for human lines: on stderr in JSON mode.
macro_rules! say {
    () => {
        if $crate::out::json() { eprintln!() } else { println!() }
    };
    ($($arg:tt)*) => {
        if $crate::out::json() { eprintln!($($arg)*) } else { println!($($arg)*) }
    };
}
pub(crate) use say;
