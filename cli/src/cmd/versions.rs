//! `siteserver versions`.

use serde_json::json;
use sscms_core::Registry;
use sscms_core::adapter::Target;

use crate::out::Outcome;

use crate::out::say;

/// Source versions a user may start from, one per adapter: the lowest version it accepts.
fn sources(registry: &Registry) -> Vec<semver::Version> {
    let mut out: Vec<semver::Version> = registry
        .adapters()
        .iter()
        .filter_map(|r| lowest(&r.adapter.accepts()))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn lowest(req: &semver::VersionReq) -> Option<semver::Version> {
    req.comparators.iter().find_map(|c| match c.op {
        semver::Op::GreaterEq | semver::Op::Exact | semver::Op::Caret | semver::Op::Tilde => Some(
            semver::Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0)),
        ),
        _ => None,
    })
}

pub fn run() -> anyhow::Result<Outcome> {
    let registry = Registry::load()?;
    let latest = registry.latest();
    let mut paths = Vec::new();
    let mut ok = true;
    for from in sources(&registry) {
        match registry.path(&from, &Target::Latest) {
            Ok(p) => paths.push((from.to_string(), p.to.to_string(), Ok(p.names()))),
            Err(e) => {
                ok = false;
                paths.push((from.to_string(), String::new(), Err(e.to_string())));
            }
        }
    }
    let summary = json!({
            "latest": latest.as_ref().map(ToString::to_string),
            "adapters": registry.adapters().iter().map(|r| json!({
                "name": r.adapter.name(),
                "from": r.adapter.accepts().to_string(),
                "to": r.adapter.produces().to_string(),
                "crate": r.krate,
            })).collect::<Vec<_>>(),
            "paths": paths.iter().map(|(from, to, chain)| match chain {
                Ok(c) => json!({"from": from, "to": to, "chain": c}),
                Err(e) => json!({"from": from, "to": null, "chain": [], "error": e}),
            }).collect::<Vec<_>>(),
    });
    match &latest {
        Some(v) => say!("Latest version: {v}"),
        None => say!("No adapters are linked into this build."),
    }
    say!("Adapters:");
    for r in registry.adapters() {
        say!(
            "  {:<8} {:<20} -> {:<10} ({})",
            r.adapter.name(),
            r.adapter.accepts().to_string(),
            r.adapter.produces().to_string(),
            r.krate
        );
    }
    say!("Upgrade paths:");
    for (from, to, chain) in &paths {
        match chain {
            Ok(c) => say!("  {from} -> {to}: {}", c.join(" -> ")),
            Err(e) => say!("  {from}: {e}"),
        }
    }
    Ok(Outcome { ok, summary })
}
