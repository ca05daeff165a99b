//! A third-party adapter joins the upgrade-path graph and runs inside `update`.
//!
//! This target links the example vendor crate in `tests/vendor-adapter/` next to our own
//! adapters, as a vendor's own `siteserver` build would.

use std::fs;
use std::path::Path;

use acme_siteserver_shop_adapter as _;
use serde_json::{Value, json};
use sscms_cli as _;
use sscms_core::adapter::HopOptions;
use sscms_core::adapter::Target;
use sscms_core::update::{UpdateOptions, update};
use sscms_core::{NoProgress, Registry};

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The 6.15 sample plus the plugin's own table.
fn shop_backup(dir: &Path) {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/sample-6.15");
    copy_dir(&sample, dir);
    let mut tables: Vec<String> =
        serde_json::from_slice(&fs::read(dir.join("_tables.json")).unwrap()).unwrap();
    tables.push("acme_Order".into());
    fs::write(
        dir.join("_tables.json"),
        serde_json::to_vec(&tables).unwrap(),
    )
    .unwrap();
    fs::create_dir(dir.join("acme_Order")).unwrap();
    let col = |name: &str, ty: &str, len: i32, key: bool| json!({"attributeName": name, "dataType": ty, "dataLength": len, "isPrimaryKey": key, "isIdentity": key, "isExtend": false});
    let meta = json!({
        "columns": [col("Id", "Integer", 0, true), col("OrderSN", "VarChar", 50, false), col("IsPaid", "VarChar", 18, false), col("Total", "Decimal", 0, false)],
        "totalCount": 3,
        "rowFiles": ["1.json"],
    });
    fs::write(dir.join("acme_Order/_metadata.json"), meta.to_string()).unwrap();
    let rows = r#"[{"id":1,"orderSN":"A-001","isPaid":"True","total":12.50},{"id":2,"orderSN":"A-002","isPaid":"False","total":0.0},{"id":3,"orderSN":null,"isPaid":null,"total":null}]"#;
    fs::write(dir.join("acme_Order/1.json"), rows).unwrap();
}

fn read(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_vendor_adapter_joins_the_graph_and_runs_in_update() {
    let registry = Registry::load().unwrap();
    let acme = registry
        .adapters()
        .iter()
        .find(|r| r.adapter.name() == "acme_shop")
        .expect("the vendor adapter is registered");
    assert_eq!(acme.krate, "acme-siteserver-shop-adapter");
    // 6.16 joins the graph, but the latest version is ours: from 6.15 the shortest chain to
    // 7.4 is `v6` alone, so the vendor's hop is taken when 6.16 is asked for.
    assert_eq!(registry.latest().unwrap().to_string(), "7.4.0");
    let v615 = sscms_core::version::parse_version("6.15.51").unwrap();
    assert_eq!(
        registry.path(&v615, &Target::Latest).unwrap().names(),
        ["v6"]
    );
    assert_eq!(
        registry
            .path(&v615, &Target::Named("6.16".into()))
            .unwrap()
            .names(),
        ["acme_shop"]
    );

    let tmp = tempfile::Builder::new()
        .prefix("sscms-vendor-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let input = tmp.path().join("backup");
    let out = tmp.path().join("update");
    shop_backup(&input);
    let opts = UpdateOptions {
        dir: input.clone(),
        out: out.clone(),
        from: None,
        to: Target::Named("6.16".into()),
        overwrite: false,
        page_size: 1000,
        hop: HopOptions::default(),
    };
    let report = update(&registry, &opts, &NoProgress).unwrap();
    assert_eq!(report.from, "6.15.51");
    assert_eq!(report.chain, ["acme_shop"]);
    assert!(report.ok());

    let meta = read(&out.join("acme_Order/_metadata.json"));
    let names: Vec<&str> = meta["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["attributeName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Id", "OrderNumber", "IsPaid", "Total"]);
    assert_eq!(meta["columns"][2]["dataType"], "Boolean");
    let rows = read(&out.join("acme_Order/1.json"));
    assert_eq!(rows[0]["orderNumber"], "A-001");
    assert_eq!(rows[0]["isPaid"], true);
    assert_eq!(rows[1]["isPaid"], false);
    assert_eq!(rows[2]["isPaid"], Value::Null);
    assert_eq!(rows[0]["total"].to_string(), "12.50");

    let config = read(&out.join("siteserver_Config/1.json"));
    assert_eq!(config[0]["databaseVersion"], "6.16.0");
    // Tables the vendor does not know are carried, row for row.
    assert_eq!(
        fs::read(out.join("siteserver_Site/1.json")).unwrap(),
        fs::read(input.join("siteserver_Site/1.json")).unwrap()
    );
    let site = report
        .tables
        .iter()
        .find(|t| t.target == "siteserver_Site")
        .unwrap();
    assert_eq!((site.rows_in, site.rows_out), (2, 2));
    assert_eq!(
        read(&out.join("_report.json"))["chain"],
        json!(["acme_shop"])
    );
}
