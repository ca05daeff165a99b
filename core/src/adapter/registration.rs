//! The [`VersionAdapter`] trait and the [`AdapterRegistration`] each adapter crate submits.

use semver::{Version, VersionReq};

use super::plan::{HopInput, HopPlan};

/// One upgrade hop: it accepts backups of some versions and produces the next version's shape.
pub trait VersionAdapter: Send + Sync + 'static {
    /// A short, unique name such as `v4_1`.
    fn name(&self) -> &'static str;

    /// The source versions this adapter converts, e.g. `>=4.1.0, <5.0.0`.
    fn accepts(&self) -> VersionReq;

    /// The version its output has.
    fn produces(&self) -> Version;

    /// Plans the hop: the output tables, where their rows come from and how each row changes.
    /// Context from other tables (which site owns which content table) is read here, before
    /// any rows stream.
    fn plan(&self, input: &HopInput<'_>) -> crate::error::Result<HopPlan>;

    /// The tables a fresh install of the produced version creates. When a chain stops after
    /// this hop, the engine adds each one the plan does not write, empty, so that the output is
    /// a database that version's CMS runs on (log tables a backup leaves out included).
    /// Adapters whose plan always writes the whole schema keep the default.
    fn install_tables(&self) -> crate::error::Result<Vec<crate::model::TableMeta>> {
        Ok(Vec::new())
    }
}

/// What an adapter crate submits to `inventory`.
///
/// Public with a `const fn new` so that `inventory::submit!` in other crates can build it.
pub struct AdapterRegistration {
    pub adapter: &'static dyn VersionAdapter,
    /// The crate that registered it, for `siteserver versions`.
    pub krate: &'static str,
}

impl AdapterRegistration {
    pub const fn new(adapter: &'static dyn VersionAdapter, krate: &'static str) -> Self {
        AdapterRegistration { adapter, krate }
    }
}

inventory::collect!(AdapterRegistration);
