//! What an adapter is, and everything it needs to write one.
//!
//! An adapter crate implements [`VersionAdapter`] and ends its `lib.rs` with one
//! `inventory::submit!` of an [`AdapterRegistration`]. Its [`VersionAdapter::plan`] reads a
//! [`HopInput`] and returns a [`HopPlan`]; the engine in [`crate::update`] runs the plan.
//!
//! - [`plan`]: the input folder as an adapter sees it, and the plan it returns;
//! - [`row`]: case-insensitive row helpers, and [`names`], a set of column names to match keys;
//! - [`schema`]: columns from SQL Server-style definitions, added columns, renumbering;
//! - [`legacy`]: what the pre-6.0 hops share;
//! - [`registration`]: the trait and what a crate submits to `inventory`;
//! - [`registry`]: the linked adapters and the upgrade paths they form.
//!
//! Nothing here imports the engine, so adapters depend on this module alone (plus the model).

pub mod legacy;
pub mod names;
pub mod plan;
pub mod registration;
pub mod registry;
pub mod row;
pub mod schema;

pub use names::NameSet;
pub use plan::{
    HopInput, HopOptions, HopPlan, IdMap, OutputTable, RowFn, RowOutcome, Source, TableStatus,
};
pub use registration::{AdapterRegistration, VersionAdapter};
pub use registry::{PathError, Registry, RegistryError, Target, UpgradePath};
pub use row::{fix_upload, get, get_int, get_text, int, rename, set, take, text};
