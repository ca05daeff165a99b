//! The full adapter registry: exactly our adapters, one path from every source version.

use sscms_core::Registry;
use sscms_core::adapter::Target;
use sscms_core::version::parse_version;

/// `(name, accepts, produces, crate)` of every adapter this project ships. A missing
/// `use sscms_adapter_… as _;` line in the CLI makes this fail.
const EXPECTED: [(&str, &str, &str, &str); 5] = [
    ("v3_6", ">=3.6.0, <4.0.0", "4.0.0", "sscms-adapter-v3-6"),
    ("v4_0", ">=4.0.0, <4.1.0", "4.1.1603", "sscms-adapter-v4-0"),
    ("v4_1", ">=4.1.0, <5.0.0", "5.0.0", "sscms-adapter-v4-1"),
    ("v5_0", ">=5.0.0, <6.0.0", "6.15.51", "sscms-adapter-v5-0"),
    ("v6", ">=6.0.0, <7.0.0", "7.4.0", "sscms-adapter-v6"),
];

#[test]
fn the_registry_holds_exactly_our_adapters() {
    let registry = Registry::load().unwrap();
    let got: Vec<(String, String, String, String)> = registry
        .adapters()
        .iter()
        .map(|r| {
            (
                r.adapter.name().to_string(),
                r.adapter.accepts().to_string(),
                r.adapter.produces().to_string(),
                r.krate.to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String, String, String)> = EXPECTED
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn every_supported_version_has_one_path_to_latest() {
    let registry = Registry::load().unwrap();
    assert_eq!(registry.latest().unwrap().to_string(), "7.4.0");
    for (from, chain) in [
        ("3.6", &["v3_6", "v4_0", "v4_1", "v5_0", "v6"][..]),
        ("3.6.4", &["v3_6", "v4_0", "v4_1", "v5_0", "v6"]),
        ("4.0", &["v4_0", "v4_1", "v5_0", "v6"]),
        ("4.1.1603", &["v4_1", "v5_0", "v6"]),
        ("5.0", &["v5_0", "v6"]),
        ("5.1", &["v5_0", "v6"]),
        ("6.0", &["v6"]),
        ("6.15.51", &["v6"]),
        ("7.4.0", &[]),
    ] {
        let path = registry
            .path(&parse_version(from).unwrap(), &Target::Latest)
            .unwrap();
        assert_eq!(path.names(), chain, "from {from}");
    }
}

#[test]
fn to_6_15_stops_before_the_7_4_hop() {
    let registry = Registry::load().unwrap();
    let path = registry
        .path(
            &parse_version("3.6").unwrap(),
            &Target::Named("6.15".into()),
        )
        .unwrap();
    assert_eq!(path.names(), ["v3_6", "v4_0", "v4_1", "v5_0"]);
    assert_eq!(path.to.to_string(), "6.15.51");
}
