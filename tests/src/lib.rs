//! End-to-end test support for the `siteserver` tool.
//!
//! The integration tests live in `it/`. This library holds what they, the adapters' tests and
//! people share: [`fixtures`], a deterministic generator of SiteServer 3.6/4.0/4.1/5.0 backup
//! folders as the original 6.x `siteserver backup` wrote them. `cargo run -p sscms-tests --bin
//! gen-fixture -- 4.1 /tmp/out` writes one to disk.

pub mod fixtures;

pub use fixtures::{Scale, Summary, Version, generate};
