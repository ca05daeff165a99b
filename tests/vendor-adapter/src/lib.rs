//! An example of a third-party adapter, written as an outside vendor would write it.
//!
//! Acme ships a SiteServer 6.15 fork whose next release, 6.16, changes the table of its Acme
//! Shop plugin: `acme_Order.OrderSN` becomes `OrderNumber`, and the `IsPaid` flag, a
//! "True"/"False" string in 6.15, becomes a real boolean. Every other table passes through
//! unchanged (the engine carries tables a plan does not read), and the config row's
//! `DatabaseVersion` becomes `6.16.0`.
//!
//! Linking this crate into a `siteserver` binary is all it takes: the `inventory::submit!` at the
//! bottom adds the hop `>=6.15.0, <6.16.0 -> 6.16.0` to the upgrade-path graph.

use semver::{Version, VersionReq};
use serde_json::Value;
use sscms_core::adapter::{
    HopInput, HopPlan, OutputTable, RowOutcome, Source, TableStatus, rename, take,
};
use sscms_core::{AdapterRegistration, Column, DataType, Result, VersionAdapter};

struct AcmeShop;

const ORDER: &str = "acme_Order";
const CONFIG: &str = "siteserver_Config";

impl VersionAdapter for AcmeShop {
    fn name(&self) -> &'static str {
        "acme_shop"
    }

    fn accepts(&self) -> VersionReq {
        VersionReq::parse(">=6.15.0, <6.16.0").expect("valid range")
    }

    fn produces(&self) -> Version {
        Version::new(6, 16, 0)
    }

    fn plan(&self, input: &HopInput<'_>) -> Result<HopPlan> {
        let mut plan = HopPlan::default();
        if let Some(order) = input.table(ORDER) {
            let columns = order
                .meta
                .columns
                .iter()
                .map(|c| match c.attribute_name.as_str() {
                    "OrderSN" => {
                        Column::new("OrderNumber", DataType::VarChar).length(c.data_length)
                    }
                    "IsPaid" => Column::new("IsPaid", DataType::Boolean),
                    _ => c.clone(),
                })
                .collect();
            plan.tables.push(
                OutputTable::new(ORDER, columns, TableStatus::Converted).source(Source::with(
                    order.meta.name.clone(),
                    |mut row| {
                        rename(&mut row, "OrderSN", "OrderNumber");
                        let paid = match take(&mut row, "IsPaid") {
                            Some(Value::String(s)) => Value::Bool(s.eq_ignore_ascii_case("true")),
                            Some(other) => other,
                            None => Value::Null,
                        };
                        row.insert("IsPaid".into(), paid);
                        Ok(RowOutcome::Keep(row))
                    },
                )),
            );
        }
        if let Some(config) = input.table(CONFIG) {
            plan.tables.push(
                OutputTable::new(CONFIG, config.meta.columns.clone(), TableStatus::Converted)
                    .source(Source::with(config.meta.name.clone(), |mut row| {
                        take(&mut row, "DatabaseVersion");
                        row.insert("DatabaseVersion".into(), Value::from("6.16.0"));
                        Ok(RowOutcome::Keep(row))
                    })),
            );
        }
        Ok(plan)
    }
}

inventory::submit! {
    AdapterRegistration::new(&AcmeShop, env!("CARGO_PKG_NAME"))
}
