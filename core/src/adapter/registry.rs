//! The registry of linked adapters and the upgrade-path graph they form: [`Registry::load`]
//! collects the `inventory` submissions, and [`Registry::path`] resolves the one chain of
//! adapters from a detected version to a target.

use std::fmt;

use semver::Version;

use super::registration::AdapterRegistration;
use crate::version::names;

/// A registry that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    #[error(
        "two adapters are named `{name}` (crates {first} and {second}); rename one, or link only one of the crates"
    )]
    DuplicateName {
        name: String,
        first: String,
        second: String,
    },
    #[error(
        "adapter `{name}` ({krate}) produces {produces}, which its own range {accepts} accepts; an adapter must move forward"
    )]
    Backwards {
        name: String,
        krate: String,
        accepts: String,
        produces: String,
    },
}

/// No single chain leads from one version to another.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    #[error("no upgrade path from {from} to {to}; registered adapters: {adapters}")]
    NoPath {
        from: String,
        to: String,
        adapters: String,
    },
    #[error(
        "two equally short upgrade paths from {from} to {to}: {first} and {second}; remove one of the adapters"
    )]
    Ambiguous {
        from: String,
        to: String,
        first: String,
        second: String,
    },
}

/// Where an update should end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The newest version any adapter produces.
    Latest,
    /// A version as the user wrote it: `4.1` names every 4.1.x.
    Named(String),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Latest => f.write_str("latest"),
            Target::Named(v) => f.write_str(v),
        }
    }
}

/// A resolved chain of adapters.
pub struct UpgradePath {
    pub from: Version,
    pub to: Version,
    pub chain: Vec<&'static AdapterRegistration>,
}

impl fmt::Debug for UpgradePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpgradePath")
            .field("from", &self.from.to_string())
            .field("to", &self.to.to_string())
            .field("chain", &self.names())
            .finish()
    }
}

impl UpgradePath {
    pub fn names(&self) -> Vec<&'static str> {
        self.chain.iter().map(|r| r.adapter.name()).collect()
    }
}

/// The registered adapters, sorted by the version they produce, then by name.
pub struct Registry {
    adapters: Vec<&'static AdapterRegistration>,
}

impl Registry {
    /// Collects every adapter linked into this binary.
    pub fn load() -> Result<Self, RegistryError> {
        Self::from_registrations(inventory::iter::<AdapterRegistration>.into_iter().collect())
    }

    /// Builds a registry from an explicit list (tests, embedders).
    pub fn from_registrations(
        mut adapters: Vec<&'static AdapterRegistration>,
    ) -> Result<Self, RegistryError> {
        // inventory gives no order guarantee; sort so every listing and tie-break is stable.
        adapters.sort_by(|a, b| {
            (a.adapter.produces(), a.adapter.name()).cmp(&(b.adapter.produces(), b.adapter.name()))
        });
        let mut names: Vec<&str> = adapters.iter().map(|r| r.adapter.name()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            let dup: Vec<&&AdapterRegistration> = adapters
                .iter()
                .filter(|r| r.adapter.name() == w[0])
                .collect();
            return Err(RegistryError::DuplicateName {
                name: w[0].into(),
                first: dup[0].krate.into(),
                second: dup[1].krate.into(),
            });
        }
        for r in &adapters {
            if r.adapter.accepts().matches(&r.adapter.produces()) {
                return Err(RegistryError::Backwards {
                    name: r.adapter.name().into(),
                    krate: r.krate.into(),
                    accepts: r.adapter.accepts().to_string(),
                    produces: r.adapter.produces().to_string(),
                });
            }
        }
        Ok(Registry { adapters })
    }

    pub fn adapters(&self) -> &[&'static AdapterRegistration] {
        &self.adapters
    }

    /// The newest version any adapter produces.
    pub fn latest(&self) -> Option<Version> {
        self.adapters.iter().map(|r| r.adapter.produces()).max()
    }

    fn reached(&self, target: &Target, v: &Version) -> bool {
        match target {
            Target::Latest => self.latest().as_ref() == Some(v),
            Target::Named(t) => names(t, v),
        }
    }

    /// Resolves the chain from `from` to `target`.
    ///
    /// The chain with the fewest hops wins. Between equally short chains, the one whose hops
    /// produce the higher versions first wins (it gets further sooner). Two chains through the
    /// same versions are ambiguous: that means two adapters claim the same hop.
    pub fn path(&self, from: &Version, target: &Target) -> Result<UpgradePath, PathError> {
        let mut found: Vec<Vec<&'static AdapterRegistration>> = Vec::new();
        let mut stack: Vec<(Version, Vec<&'static AdapterRegistration>)> =
            vec![(from.clone(), Vec::new())];
        while let Some((v, chain)) = stack.pop() {
            if self.reached(target, &v) {
                found.push(chain);
                continue;
            }
            for r in &self.adapters {
                let next = r.adapter.produces();
                // Every hop moves forward, so the search ends.
                if r.adapter.accepts().matches(&v) && next > v {
                    let mut c = chain.clone();
                    c.push(r);
                    stack.push((next, c));
                }
            }
        }
        let produced = |c: &[&AdapterRegistration]| -> Vec<Version> {
            c.iter().map(|r| r.adapter.produces()).collect()
        };
        found.sort_by(|a, b| {
            a.len()
                .cmp(&b.len())
                .then_with(|| produced(b).cmp(&produced(a)))
        });
        let chain_names = |c: &[&AdapterRegistration]| {
            c.iter()
                .map(|r| r.adapter.name())
                .collect::<Vec<_>>()
                .join(" -> ")
        };
        match found.as_slice() {
            [] => Err(PathError::NoPath {
                from: from.to_string(),
                to: target.to_string(),
                adapters: self
                    .adapters
                    .iter()
                    .map(|r| {
                        format!(
                            "{} ({} -> {})",
                            r.adapter.name(),
                            r.adapter.accepts(),
                            r.adapter.produces()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            [best, second, ..]
                if best.len() == second.len() && produced(best) == produced(second) =>
            {
                Err(PathError::Ambiguous {
                    from: from.to_string(),
                    to: target.to_string(),
                    first: chain_names(best),
                    second: chain_names(second),
                })
            }
            [best, ..] => Ok(UpgradePath {
                from: from.clone(),
                to: best
                    .last()
                    .map_or_else(|| from.clone(), |r| r.adapter.produces()),
                chain: best.clone(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::plan::{HopInput, HopPlan};
    use crate::adapter::registration::VersionAdapter;
    use semver::VersionReq;

    struct Fake(&'static str, &'static str, &'static str);

    impl VersionAdapter for Fake {
        fn name(&self) -> &'static str {
            self.0
        }
        fn accepts(&self) -> VersionReq {
            VersionReq::parse(self.1).unwrap()
        }
        fn produces(&self) -> Version {
            Version::parse(self.2).unwrap()
        }
        fn plan(&self, _: &HopInput<'_>) -> crate::error::Result<HopPlan> {
            Ok(HopPlan::default())
        }
    }

    fn reg(list: &[(&'static str, &'static str, &'static str)]) -> Result<Registry, RegistryError> {
        let regs = list
            .iter()
            .map(|&(n, a, p)| {
                let adapter: &'static Fake = Box::leak(Box::new(Fake(n, a, p)));
                &*Box::leak(Box::new(AdapterRegistration::new(adapter, "test")))
            })
            .collect();
        Registry::from_registrations(regs)
    }

    fn v(s: &str) -> Version {
        crate::version::parse_version(s).unwrap()
    }

    const CHAIN: [(&str, &str, &str); 4] = [
        ("v3_6", ">=3.6.0, <4.0.0", "4.0.0"),
        ("v4_0", ">=4.0.0, <4.1.0", "4.1.1603"),
        ("v4_1", ">=4.1.0, <5.0.0", "5.0.0"),
        ("v5_0", ">=5.0.0, <6.0.0", "6.15.51"),
    ];

    #[test]
    fn every_version_has_one_path_to_latest() {
        let r = reg(&CHAIN).unwrap();
        assert_eq!(r.latest(), Some(v("6.15.51")));
        for (from, want) in [
            ("3.6.4", vec!["v3_6", "v4_0", "v4_1", "v5_0"]),
            ("4.0", vec!["v4_0", "v4_1", "v5_0"]),
            ("4.1.1603", vec!["v4_1", "v5_0"]),
            ("5.1", vec!["v5_0"]),
            ("6.15.51", vec![]),
        ] {
            assert_eq!(
                r.path(&v(from), &Target::Latest).unwrap().names(),
                want,
                "{from}"
            );
        }
        let to41 = r.path(&v("3.6"), &Target::Named("4.1".into())).unwrap();
        assert_eq!(to41.names(), ["v3_6", "v4_0"]);
        assert_eq!(to41.to, v("4.1.1603"));
    }

    #[test]
    fn fewer_hops_win_and_gaps_are_named() {
        let mut list = CHAIN.to_vec();
        list.push(("shortcut", ">=4.0.0, <4.1.0", "5.0.0"));
        let r = reg(&list).unwrap();
        assert_eq!(
            r.path(&v("4.0"), &Target::Latest).unwrap().names(),
            ["shortcut", "v5_0"]
        );

        let r = reg(&CHAIN[2..]).unwrap();
        let err = r.path(&v("3.6"), &Target::Latest).unwrap_err().to_string();
        assert!(err.starts_with("no upgrade path from 3.6.0 to latest; registered adapters: v4_1 (>=4.1.0, <5.0.0 -> 5.0.0)"), "{err}");
    }

    #[test]
    fn two_adapters_for_one_hop_are_ambiguous() {
        let mut list = CHAIN.to_vec();
        list.push(("other_v4_1", ">=4.1.0, <5.0.0", "5.0.0"));
        let r = reg(&list).unwrap();
        let err = r.path(&v("4.1"), &Target::Latest).unwrap_err().to_string();
        assert!(
            err.contains("two equally short upgrade paths from 4.1.0 to latest"),
            "{err}"
        );
        assert!(
            err.contains("other_v4_1 -> v5_0") && err.contains("v4_1 -> v5_0"),
            "{err}"
        );
    }

    #[test]
    fn bad_registries_are_refused() {
        let err = reg(&[CHAIN[0], ("v3_6", ">=3.0.0, <3.6.0", "3.6.0")])
            .err()
            .unwrap();
        assert!(matches!(err, RegistryError::DuplicateName { .. }), "{err}");
        let err = reg(&[("loop", ">=4.0.0", "4.1.0")]).err().unwrap();
        assert!(err.to_string().contains("must move forward"), "{err}");
    }
}
