//! The 5.0 → 6.15 hop through the real engine, on `examples/sample-5.0` and edited copies of it.

mod common;

use std::collections::BTreeSet;

use common::{Folder, Obj, run, s, spec, spec_columns};
use serde_json::{Value, json};
use sscms_core::settings::Settings;

/// The tables of sample-5.0 that the hop reads; every other one is carried.
const CONSUMED: &[&str] = &[
    "bairong_Administrator",
    "bairong_AdministratorsInRoles",
    "bairong_Config",
    "bairong_ContentCheck",
    "bairong_DbCache",
    "bairong_PermissionsInRoles",
    "bairong_Roles",
    "bairong_TableStyle",
    "bairong_TableStyleItem",
    "bairong_Tags",
    "bairong_UserGroup",
    "bairong_UserLog",
    "bairong_Users",
    "model_Content",
    "siteserver_ContentGroup",
    "siteserver_Keyword",
    "siteserver_Node",
    "siteserver_NodeGroup",
    "siteserver_PublishmentSystem",
    "siteserver_RelatedField",
    "siteserver_RelatedFieldItem",
    "siteserver_SystemPermissions",
    "siteserver_Template",
    "siteserver_TemplateLog",
    "siteserver_TemplateMatch",
];

/// Old tables of sample-5.0 that go to 6.x plugin tables (update-rules rows 27–39).
const PLUGIN: &[(&str, &str)] = &[
    ("wcm_GovInteractChannel", "ss_govinteract_channel"),
    ("wcm_GovInteractLog", "ss_govinteract_log"),
    ("wcm_GovInteractPermissions", "ss_govinteract_permissions"),
    ("wcm_GovInteractRemark", "ss_govinteract_remark"),
    ("wcm_GovInteractReply", "ss_govinteract_reply"),
    ("wcm_GovInteractType", "ss_govinteract_type"),
    ("wcm_GovPublicCategory", "ss_govpublic_category"),
    ("wcm_GovPublicCategoryClass", "ss_govpublic_category_class"),
    (
        "wcm_GovPublicIdentifierRule",
        "ss_govpublic_identifier_rule",
    ),
    ("wcm_GovPublicIdentifierSeq", "ss_govpublic_identifier_seq"),
    ("model_WCM_GovPublic", "ss_govpublic_content"),
    ("model_WCM_GovInteract", "ss_govinteract_content"),
    ("model_Job", "ss_jobs"),
];

fn spec_tables() -> Vec<(String, Vec<common::Col>)> {
    spec()["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                spec_columns(&t["columns"]),
            )
        })
        .collect()
}

fn content_spec() -> Vec<common::Col> {
    spec_columns(&spec()["content_tables"]["create_columns"])
}

fn input_tables(f: &Folder) -> Vec<String> {
    serde_json::from_str(&std::fs::read_to_string(f.path().join("_tables.json")).unwrap()).unwrap()
}

#[test]
fn output_has_exactly_the_6_15_tables_content_tables_and_carried_ones() {
    let input = Folder::sample("sample-5.0");
    let out = run(input.path(), false, None).unwrap();
    assert_eq!(out.report.chain, ["v5_0"]);
    assert_eq!(out.report.to, "6.15.51");

    let targets = spec_tables();
    assert_eq!(targets.len(), 35);
    let carried: Vec<String> = input_tables(&input)
        .into_iter()
        .filter(|t| !CONSUMED.contains(&t.as_str()) && !PLUGIN.iter().any(|(o, _)| o == t))
        .collect();
    let mut expected: BTreeSet<String> = targets.iter().map(|(n, _)| n.clone()).collect();
    expected.insert("model_Content".into());
    for (old, new) in PLUGIN {
        assert!(input_tables(&input).iter().any(|t| t == old), "{old}");
        expected.insert(new.to_string());
        assert_eq!(out.rows(new), input.rows(old), "rows of {old} in {new}");
    }
    expected.extend(carried.iter().cloned());
    let got: BTreeSet<String> = out.tables().into_iter().collect();
    assert_eq!(got, expected);

    for (name, cols) in &targets {
        assert_eq!(&out.columns(name), cols, "columns of {name}");
    }
    // The 37 columns a 6.15 site's content table is created with; sample-5.0 registers no
    // custom field.
    assert_eq!(out.columns("model_Content"), content_spec());
    for t in &carried {
        assert_eq!(
            out.columns(t),
            common::columns_of(&input.path().join(t)),
            "{t} is carried unchanged"
        );
        assert_eq!(out.entry(t)["status"], "carried", "{t}");
        assert_eq!(out.rows(t), input.rows(t), "rows of {t}");
    }
    for (t, status) in [
        ("siteserver_AccessToken", "created-empty"),
        ("siteserver_UserMenu", "created-empty"),
        ("siteserver_Channel", "converted"),
        ("siteserver_Site", "converted"),
        ("model_Content", "converted"),
    ] {
        assert_eq!(out.entry(t)["status"], status, "{t}");
    }
    assert!(!out.tables().iter().any(|t| t.contains("__from_v")));
}

#[test]
fn every_row_arrives() {
    let input = Folder::sample("sample-5.0");
    let out = run(input.path(), false, None).unwrap();
    let mut total_in = 0;
    for t in input_tables(&input) {
        total_in += input.rows(&t).len();
    }
    let mut total_out = 0;
    for t in out.report_json()["tables"].as_array().unwrap() {
        assert_eq!(t["rowsIn"], t["rowsOut"], "{t}");
        total_out += t["rowsOut"].as_u64().unwrap();
    }
    assert_eq!(total_out, total_in as u64);
    assert!(out.report.unaccounted.is_empty());
    assert!(out.report.dropped_rows.is_empty());
}

#[test]
fn values_arrive_by_id() {
    let input = Folder::sample("sample-5.0");
    let out = run(input.path(), false, None).unwrap();

    let site = out.row("siteserver_Site", 1);
    assert_eq!(site["siteName"], "示例单位官网");
    assert_eq!(site["siteDir"], "");
    assert_eq!(site["tableName"], "model_Content");
    assert_eq!(site["isRoot"], "True");
    let en = out.row("siteserver_Site", 5);
    assert_eq!(en["siteName"], "英文站");
    assert_eq!(en["siteDir"], "en");
    assert_eq!(en["isRoot"], "False");
    // The backup's row number (2) is not the site id.
    assert_eq!(out.rows("siteserver_Site").len(), 2);
    // Site settings keep their escapes; columns 6.15 lacks join them.
    let settings = Settings::parse(s(&site["settingsXml"]));
    assert_eq!(
        settings.get("seotitle"),
        Some("示例单位官网 - 'SiteServer' 演示 & 测试")
    );
    assert_eq!(settings.get("PublishmentSystemUrl"), Some("/"));

    for (id, name, site) in [
        (1, "首页", 1),
        (2, "新闻中心", 1),
        (3, "通知公告", 1),
        (4, "关于我们", 1),
        (5, "英文站", 5),
        (6, "News", 5),
    ] {
        let c = out.row("siteserver_Channel", id);
        assert_eq!(c["channelName"], name);
        assert_eq!(c["siteId"], site);
        assert_eq!(c["indexName"], name);
    }
    assert_eq!(out.row("siteserver_Channel", 6)["parentsPath"], "5");

    let admin = out.row("siteserver_Administrator", 1);
    assert_eq!(admin["userName"], "admin");
    assert_eq!(admin["siteId"], 1);
    assert_eq!(admin["isLockedOut"], "False");
    assert_eq!(admin["creationDate"], "2017-03-01 10:00:00");
    // The user id mapping 6.15 lost.
    assert_eq!(out.row("siteserver_User", 1)["userName"], "zhangsan");
    assert_eq!(out.row("siteserver_User", 2)["userName"], "lisi");
    assert_eq!(
        out.rows("siteserver_AdministratorsInRoles")[0]["roleName"],
        "ConsoleAdministrator"
    );

    let old: Vec<Obj> = input.rows("model_Content");
    for (id, site, channel) in [(1, 1, 2), (2, 1, 3), (3, 1, 2), (4, 5, 6)] {
        let c = out.row("model_Content", id);
        let o = old.iter().find(|r| r["id"] == id).unwrap();
        assert_eq!(c["siteId"], site);
        assert_eq!(c["channelId"], channel);
        assert_eq!(c["title"], o["title"]);
        assert_eq!(c["content"], o["content"]);
        assert_eq!(c["isChecked"], o["isChecked"]);
        assert_eq!(c["addDate"], o["addDate"]);
    }
    assert_eq!(
        out.row("model_Content", 2)["title"],
        "新春快乐 🎉 春节放假通知"
    );
    let settings = Settings::parse(s(&out.row("model_Content", 3)["settingsXml"]));
    assert_eq!(
        settings.get("sourceurl"),
        Some("http://www.example.com/news?id=12&page=1")
    );
    assert_eq!(settings.get("Comments"), Some("0"));

    let config = out.row("siteserver_Config", 1);
    assert_eq!(config["databaseVersion"], "6.15.51");
    assert_eq!(config["isInitialized"], "True");
    assert_eq!(config["updateDate"], "2017-03-01 10:00:00");

    let t = out.row("siteserver_Template", 4);
    assert_eq!(t["siteId"], 5);
    assert_eq!(t["templateName"], "首页模板");
}

/// 5.0 wrote `@/upload`; older data still has `@upload` (update-rules §4.1, §4.3).
#[test]
fn upload_paths_are_rewritten_and_nulls_pass() {
    let input = Folder::sample("sample-5.0");
    input.edit("model_Content", |rows| {
        rows[0]["content"] =
            json!("<img src=\"@upload/images/a.jpg\"/><img src=\"@/upload/b.jpg\"/>");
        rows[1]["content"] = Value::Null;
        rows[1]["settingsXML"] = Value::Null;
        rows[1]["title"] = Value::Null;
        rows[2]["settingsXML"] = json!("img=@upload/c.png");
        rows[3]["hits"] = Value::Null;
        rows[3]["addDate"] = Value::Null;
    });
    input.edit("siteserver_Node", |rows| {
        rows[3]["content"] = json!("<img src=\"@upload/about.png\"/>");
        rows[1]["extendValues"] = json!("banner=@upload/b.png");
        rows[2]["content"] = Value::Null;
        rows[2]["extendValues"] = Value::Null;
        rows[2]["nodeName"] = Value::Null;
    });
    input.edit("siteserver_PublishmentSystem", |rows| {
        rows[1]["settingsXml"] = Value::Null;
        rows[1]["publishmentSystemDir"] = Value::Null;
    });
    input.edit("bairong_Config", |rows| {
        rows[0]["systemConfig"] = Value::Null;
        rows[0]["userConfig"] = Value::Null;
    });
    input.edit("bairong_Users", |rows| {
        rows[0]["extendValues"] = Value::Null;
        rows[1]["userName"] = Value::Null;
    });
    let out = run(input.path(), false, None).unwrap();

    assert_eq!(
        out.row("model_Content", 1)["content"],
        "<img src=\"@/upload/images/a.jpg\"/><img src=\"@/upload/b.jpg\"/>"
    );
    let c2 = out.row("model_Content", 2);
    assert_eq!(c2["content"], Value::Null);
    assert_eq!(c2["title"], Value::Null);
    assert_eq!(
        Settings::parse(s(&out.row("model_Content", 3)["settingsXml"])).get("img"),
        Some("@/upload/c.png")
    );
    let c4 = out.row("model_Content", 4);
    // No "now", no 0: a null stays null.
    assert_eq!(c4["hits"], Value::Null);
    assert_eq!(c4["addDate"], Value::Null);

    assert_eq!(
        out.row("siteserver_Channel", 4)["content"],
        "<img src=\"@/upload/about.png\"/>"
    );
    assert!(
        s(&out.row("siteserver_Channel", 2)["extendValues"]).starts_with("banner=@/upload/b.png")
    );
    let c3 = out.row("siteserver_Channel", 3);
    assert_eq!(c3["content"], Value::Null);
    assert_eq!(c3["channelName"], Value::Null);

    let en = out.row("siteserver_Site", 5);
    assert_eq!(en["siteDir"], Value::Null);
    assert_eq!(en["siteName"], "英文站");
    assert_eq!(
        out.row("siteserver_Config", 1)["databaseVersion"],
        "6.15.51"
    );
    assert_eq!(out.row("siteserver_User", 2)["userName"], Value::Null);
    assert_eq!(out.row("siteserver_User", 2)["displayName"], "李四");
}

/// What 4.x kept in `bairong_Config.SettingsXML` reaches `SystemConfig` (update-rules §3 row 5),
/// without overwriting what 5.0 saved there.
#[test]
fn settings_xml_reaches_system_config() {
    let input = Folder::sample("sample-5.0");
    let col = |n: &str, t: &str, l: i64| {
        json!({"attributeName": n, "dataType": t, "dataLength": l,
               "isPrimaryKey": false, "isIdentity": false, "isExtend": false})
    };
    input.add_column(
        "bairong_Config",
        col("IsRelatedUrl", "VarChar", 18),
        "isRelatedUrl",
        json!("False"),
    );
    input.add_column(
        "bairong_Config",
        col("SettingsXML", "Text", 16),
        "settingsXML",
        json!("restrictiontype=None&islog=True&cipherkey=k_equals_1"),
    );
    let out = run(input.path(), false, None).unwrap();
    let config = out.row("siteserver_Config", 1);
    let text = s(&config["systemConfig"]);
    assert!(
        text.starts_with("restrictiontype=None&islog=True&cipherkey=k_equals_1"),
        "{text}"
    );
    let settings = Settings::parse(text);
    assert_eq!(settings.get("cipherkey"), Some("k=1"));
    assert_eq!(settings.get("IsRelatedUrl"), Some("False"));
    assert_eq!(config["databaseVersion"], "6.15.51");

    // 5.0 saved settings too: they win, and a 4.x value that disagrees is kept beside them.
    input.edit("bairong_Config", |rows| {
        rows[0]["systemConfig"] = json!("islog=False&isviewcontentonlyself=True");
    });
    let out = run(input.path(), false, None).unwrap();
    let settings = Settings::parse(s(&out.row("siteserver_Config", 1)["systemConfig"]));
    assert_eq!(settings.get("islog"), Some("False"));
    assert_eq!(settings.get("isviewcontentonlyself"), Some("True"));
    assert_eq!(settings.get("cipherkey"), Some("k=1"));
    assert_eq!(settings.get("SettingsXML"), Some("islog=True"));
    let moved = out.report_json()["movedValues"].clone();
    assert!(
        moved
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["table"] == "siteserver_Config"
                && m["column"] == "SettingsXML"
                && m["into"] == "SystemConfig"),
        "{moved}"
    );
}

#[test]
fn merged_tables_keep_the_first_ids_and_renumber_later_ones() {
    let input = Folder::sample("sample-5.0");
    input.edit("bairong_DbCache", |rows| {
        rows.push(
            json!({"id": 1, "cacheKey": "new", "cacheValue": "5.0", "addDate": "2017-06-01 00:00:00"})
                .as_object()
                .unwrap()
                .clone(),
        );
    });
    // An upgraded database keeps the 4.x cache beside 5.0's.
    input.add_table(
        "bairong_Cache",
        &[
            ("CacheKey", "VarChar", 200, true, false),
            ("CacheValue", "VarChar", 500, false, false),
            ("Id", "Integer", 0, false, true),
        ],
        vec![
            json!({"cacheKey": "a", "cacheValue": "1", "id": 1}),
            json!({"cacheKey": "b", "cacheValue": "2", "id": 2}),
        ],
    );
    // WCM-edition tables beside the CMS ones: templates collide, their log follows its own.
    input.add_table(
        "wcm_Template",
        &[
            ("TemplateId", "Integer", 4, true, true),
            ("PublishmentSystemId", "Integer", 4, false, false),
            ("TemplateName", "VarChar", 50, false, false),
        ],
        vec![json!({"templateId": 1, "publishmentSystemId": 1, "templateName": "WCM 首页"})],
    );
    let log_cols = [
        ("Id", "Integer", 4, true, true),
        ("TemplateId", "Integer", 4, false, false),
        ("PublishmentSystemId", "Integer", 4, false, false),
        ("TemplateContent", "Text", 16, false, false),
    ];
    input.edit("siteserver_TemplateLog", |rows| {
        rows.push(
            json!({"id": 1, "templateId": 1, "publishmentSystemId": 1, "templateContent": "cms"})
                .as_object()
                .unwrap()
                .clone(),
        );
    });
    input.add_table(
        "wcm_TemplateLog",
        &log_cols,
        vec![json!({"id": 1, "templateId": 1, "publishmentSystemId": 1, "templateContent": "wcm"})],
    );
    let out = run(input.path(), false, None).unwrap();

    let cache = out.rows("siteserver_DbCache");
    assert_eq!(cache.len(), 3);
    let key = |id: i64| out.row("siteserver_DbCache", id)["cacheKey"].clone();
    assert_eq!(key(1), "new");
    assert_eq!(key(2), "b");
    assert_eq!(key(3), "a");
    let e = out.entry("siteserver_DbCache");
    assert_eq!(e["status"], "merged");
    assert_eq!(e["source"], json!(["bairong_DbCache", "bairong_Cache"]));
    assert_eq!(e["rowsIn"], 3);
    assert_eq!(e["rowsOut"], 3);

    assert_eq!(
        out.row("siteserver_Template", 1)["templateName"],
        "首页模板"
    );
    assert_eq!(
        out.row("siteserver_Template", 6)["templateName"],
        "WCM 首页"
    );
    assert_eq!(
        out.row("siteserver_TemplateLog", 1)["templateContent"],
        "cms"
    );
    assert_eq!(out.row("siteserver_TemplateLog", 1)["templateId"], 1);
    let wcm = out.row("siteserver_TemplateLog", 2);
    assert_eq!(wcm["templateContent"], "wcm");
    assert_eq!(
        wcm["templateId"], 6,
        "the reference follows its renumbered template"
    );

    let maps = out.report_json()["idMaps"].clone();
    for (table, source, ids) in [
        ("siteserver_DbCache", "bairong_Cache", json!([[1, 3]])),
        ("siteserver_Template", "wcm_Template", json!([[1, 6]])),
        ("siteserver_TemplateLog", "wcm_TemplateLog", json!([[1, 2]])),
    ] {
        assert!(
            maps.as_array().unwrap().iter().any(|m| m["table"] == table
                && m["source"] == source
                && m["column"] == "Id"
                && m["ids"] == ids),
            "{table} from {source}: {maps}"
        );
    }
}

/// Tables whose name means something else in 6.x go by their source meaning.
#[test]
fn logs_and_groups_go_by_their_source_meaning() {
    let input = Folder::sample("sample-5.0");
    input.add_table(
        "siteserver_Log",
        &[
            ("Id", "Integer", 4, true, true),
            ("PublishmentSystemId", "Integer", 4, false, false),
            ("ChannelId", "Integer", 4, false, false),
            ("ContentId", "Integer", 4, false, false),
            ("UserName", "VarChar", 50, false, false),
            ("IpAddress", "VarChar", 50, false, false),
            ("AddDate", "DateTime", 8, false, false),
            ("Action", "VarChar", 255, false, false),
            ("Summary", "VarChar", 255, false, false),
        ],
        vec![
            json!({"id": 1, "publishmentSystemId": 1, "channelId": 2, "contentId": 1, "userName": "admin",
                   "ipAddress": "127.0.0.1", "addDate": "2017-03-02 09:30:00", "action": "添加内容", "summary": ""}),
            json!({"id": 2, "publishmentSystemId": 5, "channelId": 6, "contentId": 4, "userName": "admin",
                   "ipAddress": null, "addDate": null, "action": "添加内容", "summary": null}),
        ],
    );
    input.add_table(
        "bairong_Log",
        &[
            ("Id", "Integer", 4, true, true),
            ("UserName", "VarChar", 50, false, false),
            ("IpAddress", "VarChar", 50, false, false),
            ("AddDate", "DateTime", 8, false, false),
            ("Action", "VarChar", 255, false, false),
            ("Summary", "VarChar", 255, false, false),
        ],
        vec![
            json!({"id": 7, "userName": "admin", "ipAddress": "127.0.0.1",
                    "addDate": "2017-03-01 10:00:00", "action": "登录", "summary": ""}),
        ],
    );
    // 3.6–4.1 credit ranks: no 6.x counterpart.
    input.add_table(
        "siteserver_UserGroup",
        &[
            ("GroupID", "Integer", 4, true, true),
            ("GroupName", "VarChar", 50, false, false),
            ("IsCredits", "VarChar", 18, false, false),
            ("CreditsFrom", "Integer", 4, false, false),
            ("UserPermissions", "Text", 16, false, false),
        ],
        vec![
            json!({"groupID": 1, "groupName": "新手上路", "isCredits": "True", "creditsFrom": 0,
                    "userPermissions": "a,b"}),
        ],
    );
    input.edit("bairong_UserGroup", |rows| {
        rows.push(
            json!({"groupId": 3, "groupName": "编辑", "isDefault": "True", "description": "", "extendValues": ""})
                .as_object()
                .unwrap()
                .clone(),
        );
    });
    input.add_table(
        "bairong_ErrorLog",
        &[
            ("Id", "Integer", 4, true, true),
            ("AddDate", "DateTime", 8, false, false),
            ("Message", "VarChar", 255, false, false),
            ("Stacktrace", "Text", 16, false, false),
            ("Summary", "Text", 16, false, false),
        ],
        vec![
            json!({"id": 4, "addDate": "2017-03-01 10:00:00", "message": "boom",
                    "stacktrace": "at X", "summary": ""}),
        ],
    );
    let out = run(input.path(), false, None).unwrap();

    let site_log = out.rows("siteserver_SiteLog");
    assert_eq!(site_log.len(), 2);
    assert_eq!(out.row("siteserver_SiteLog", 2)["siteId"], 5);
    assert_eq!(out.row("siteserver_SiteLog", 2)["addDate"], Value::Null);
    assert_eq!(
        out.entry("siteserver_SiteLog")["source"],
        json!(["siteserver_Log"])
    );
    let log = out.rows("siteserver_Log");
    assert_eq!(log.len(), 1);
    assert_eq!(out.row("siteserver_Log", 7)["action"], "登录");
    assert_eq!(
        out.entry("siteserver_Log")["source"],
        json!(["bairong_Log"])
    );

    assert_eq!(out.row("siteserver_UserGroup", 3)["groupName"], "编辑");
    let carried = "siteserver_UserGroup__from_v50";
    assert!(out.tables().contains(&carried.to_string()));
    assert_eq!(out.rows(carried), input.rows("siteserver_UserGroup"));
    assert_eq!(out.entry(carried)["status"], "carried");
    assert!(
        out.report
            .notes
            .iter()
            .any(|n| n.contains("siteserver_UserGroup")),
        "{:?}",
        out.report.notes
    );

    // 6.15 abandoned the error log; it fits 6.15's table.
    let err = out.row("siteserver_ErrorLog", 4);
    assert_eq!(err["message"], "boom");
    assert_eq!(err["stacktrace"], "at X");
}

/// Custom fields registered in `bairong_TableMetadata` stay real columns.
#[test]
fn custom_content_columns_stay_columns() {
    let input = Folder::sample("sample-5.0");
    input.add_column(
        "model_Content",
        json!({"attributeName": "Editor", "dataType": "VarChar", "dataLength": 100,
               "isPrimaryKey": false, "isIdentity": false, "isExtend": false}),
        "editor",
        json!("王编辑"),
    );
    input.edit("bairong_TableMetadata", |rows| {
        for (id, attr, ty, len) in [
            (1, "Title", "NVarChar", 255),
            (2, "Editor", "NVarChar", 100),
            (3, "Score", "Integer", 38),
        ] {
            rows.push(
                json!({"tableMetadataId": id, "auxiliaryTableEnName": "model_Content",
                       "attributeName": attr, "dataType": ty, "dataLength": len,
                       "taxis": id, "isSystem": "False"})
                .as_object()
                .unwrap()
                .clone(),
            );
        }
    });
    let out = run(input.path(), false, None).unwrap();
    let mut expected = common::spec_columns(&spec()["content_tables"]["create_columns"]);
    expected.push(("Editor".into(), "VarChar".into(), 100, false, false));
    expected.push(("Score".into(), "Integer".into(), 0, false, false));
    assert_eq!(out.columns("model_Content"), expected);
    assert_eq!(out.row("model_Content", 4)["editor"], "王编辑");
    assert_eq!(out.row("model_Content", 4)["score"], Value::Null);
}

#[test]
fn split_contents_gives_one_table_per_site() {
    let input = Folder::sample("sample-5.0");
    input.edit("bairong_ContentCheck", |rows| {
        rows.push(
            json!({"checkId": 1, "tableName": "model_Content", "publishmentSystemId": 5, "nodeId": 6,
                   "contentId": 4, "isAdmin": "True", "userName": "admin", "isChecked": "False",
                   "checkedLevel": 0, "checkDate": "2017-06-01 08:00:00", "reasons": ""})
            .as_object()
            .unwrap()
            .clone(),
        );
    });
    input.edit("bairong_TableStyle", |rows| {
        for (id, table, related, visible) in [
            (1, "model_Content", 2, "True"),
            (2, "model_Content", 0, "True"),
            (3, "siteserver_Node", 1, "False"),
        ] {
            rows.push(
                json!({"tableStyleId": id, "relatedIdentity": related, "tableName": table,
                       "attributeName": "Editor", "taxis": 0, "displayName": "编辑", "helpText": "",
                       "isVisible": visible, "isVisibleInList": "False", "isSingleLine": "True",
                       "inputType": "Text", "isRequired": "False", "defaultValue": "",
                       "isHorizontal": "True", "extendValues": ""})
                .as_object()
                .unwrap()
                .clone(),
            );
        }
    });
    let out = run(input.path(), true, None).unwrap();
    let tables = out.tables();
    assert!(!tables.contains(&"model_Content".to_string()));
    let ids = |t: &str| -> BTreeSet<i64> {
        out.rows(t)
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids("siteserver_Content_1"), BTreeSet::from([1, 2, 3]));
    assert_eq!(ids("siteserver_Content_5"), BTreeSet::from([4]));
    for t in ["siteserver_Content_1", "siteserver_Content_5"] {
        assert_eq!(out.columns(t), content_spec(), "{t}");
        assert_eq!(out.entry(t)["source"], json!(["model_Content"]));
    }
    assert_eq!(
        out.row("siteserver_Content_5", 4)["title"],
        "英文站上线 Welcome"
    );
    assert_eq!(
        out.row("siteserver_Content_1", 2)["title"],
        "新春快乐 🎉 春节放假通知"
    );
    assert_eq!(
        out.row("siteserver_Site", 1)["tableName"],
        "siteserver_Content_1"
    );
    assert_eq!(
        out.row("siteserver_Site", 5)["tableName"],
        "siteserver_Content_5"
    );
    let split_rows: u64 = ["siteserver_Content_1", "siteserver_Content_5"]
        .iter()
        .map(|t| out.entry(t)["rowsOut"].as_u64().unwrap())
        .sum();
    assert_eq!(split_rows, 4);

    assert_eq!(
        out.row("siteserver_ContentCheck", 1)["tableName"],
        "siteserver_Content_5"
    );
    assert_eq!(out.row("siteserver_ContentCheck", 1)["contentId"], 4);
    assert_eq!(
        out.row("siteserver_TableStyle", 1)["tableName"],
        "siteserver_Content_1"
    );
    // A table-wide style belongs to no one site: it keeps the old name, and says so.
    assert_eq!(
        out.row("siteserver_TableStyle", 2)["tableName"],
        "model_Content"
    );
    assert!(out.report.notes.iter().any(|n| n.contains("table styles")));
    let channel_style = out.row("siteserver_TableStyle", 3);
    assert_eq!(channel_style["tableName"], "siteserver_Channel");
    assert_eq!(channel_style["inputType"], "Hidden");
    let extend = Settings::parse(s(&channel_style["extendValues"]));
    assert_eq!(extend.get("IsVisible"), Some("False"));
    assert_eq!(extend.get("InputTypeBeforeHidden"), Some("Text"));
}

/// Two content tables hold rows of one site: the first keeps its ids, and content checks follow
/// the renumbered ones. Rows of no site stay in their table (6.15 dropped them).
#[test]
fn split_contents_merges_and_keeps_orphans() {
    let input = Folder::sample("sample-5.0");
    let meta = common::columns_of(&input.path().join("model_Content"));
    let cols: Vec<(&str, &str, i64, bool, bool)> = meta
        .iter()
        .map(|(n, t, l, pk, id)| (n.as_str(), t.as_str(), *l, *pk, *id))
        .collect();
    let mut row4 = input.rows("model_Content")[3].clone();
    row4["title"] = json!("cms 4");
    let mut orphan = row4.clone();
    orphan["id"] = json!(9);
    orphan["publishmentSystemID"] = json!(99);
    orphan["title"] = json!("orphan");
    input.add_table(
        "cms_Content",
        &cols,
        vec![Value::Object(row4), Value::Object(orphan)],
    );
    input.edit("siteserver_PublishmentSystem", |rows| {
        rows[1]["auxiliaryTableForContent"] = json!("cms_Content");
    });
    input.edit("bairong_ContentCheck", |rows| {
        rows.push(
            json!({"checkId": 1, "tableName": "cms_Content", "publishmentSystemId": 5, "nodeId": 6,
                   "contentId": 4, "isChecked": "False"})
            .as_object()
            .unwrap()
            .clone(),
        );
    });
    let out = run(input.path(), true, None).unwrap();

    assert_eq!(
        out.row("siteserver_Content_5", 4)["title"],
        "英文站上线 Welcome"
    );
    assert_eq!(out.row("siteserver_Content_5", 5)["title"], "cms 4");
    let e = out.entry("siteserver_Content_5");
    assert_eq!(e["status"], "merged");
    assert_eq!(e["source"], json!(["model_Content", "cms_Content"]));
    let check = out.row("siteserver_ContentCheck", 1);
    assert_eq!(check["tableName"], "siteserver_Content_5");
    assert_eq!(check["contentId"], 5);
    assert!(
        out.report_json()["idMaps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["table"] == "siteserver_Content_5"
                && m["source"] == "cms_Content"
                && m["ids"] == json!([[4, 5]]))
    );
    let kept = out.rows("cms_Content");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["title"], "orphan");
    assert_eq!(out.columns("cms_Content"), content_spec());
}

/// A backup made without the added `Id` (by this tool) still gets ids where 6.15 needs them.
#[test]
fn tables_without_an_id_column_are_numbered() {
    let input = Folder::sample("sample-5.0");
    input.drop_column("bairong_Administrator", "Id", "id");
    input.drop_column("bairong_AdministratorsInRoles", "Id", "id");
    let out = run(input.path(), false, None).unwrap();
    assert_eq!(out.row("siteserver_Administrator", 1)["userName"], "admin");
    assert_eq!(
        out.row("siteserver_AdministratorsInRoles", 1)["userName"],
        "admin"
    );
}

#[test]
fn report_has_the_documented_shape() {
    let input = Folder::sample("sample-5.0");
    let out = run(input.path(), false, None).unwrap();
    let r = out.report_json();
    assert_eq!(r["from"], "5.0.0");
    assert_eq!(r["to"], "6.15.51");
    assert_eq!(r["chain"], json!(["v5_0"]));
    for t in r["tables"].as_array().unwrap() {
        assert!(t["source"].is_array(), "{t}");
        assert!(t["target"].is_string(), "{t}");
        assert!(t["rowsIn"].is_u64() && t["rowsOut"].is_u64(), "{t}");
        assert!(
            ["converted", "merged", "carried", "created-empty"].contains(&s(&t["status"])),
            "{t}"
        );
    }
    let moved = r["movedValues"].as_array().unwrap();
    assert!(moved.iter().any(|m| m
        == &json!({"table": "siteserver_Site", "column": "PublishmentSystemUrl",
                   "into": "SettingsXml", "rows": 2})));
    assert!(r["idMaps"].as_array().unwrap().is_empty());
    let site = out.entry("siteserver_Site");
    assert_eq!(site["source"], json!(["siteserver_PublishmentSystem"]));
    assert_eq!(site["rowsIn"], 2);
}

/// A 6.x backup is not taken for a 5.0 one: detection finds nothing to do, and even forced
/// through the hop every table lands on itself.
#[test]
fn a_6_15_backup_is_not_misrouted() {
    let input = Folder::sample("sample-6.15");
    let err = run(input.path(), false, None).err().unwrap().to_string();
    assert!(err.contains("already at 6.15.51"), "{err}");
    // An earlier 6.x has no path: no adapter takes it, and none takes it for a 5.0.
    let older = Folder::sample("sample-6.15");
    older.edit("siteserver_Config", |rows| {
        rows[0]["databaseVersion"] = json!("6.10.2");
    });
    let err = run(older.path(), false, None).err().unwrap().to_string();
    assert!(err.contains("no upgrade path from 6.10.2"), "{err}");

    input.add_table(
        "siteserver_Log",
        &[
            ("Id", "Integer", 4, true, true),
            ("UserName", "VarChar", 50, false, false),
            ("IpAddress", "VarChar", 50, false, false),
            ("AddDate", "DateTime", 8, false, false),
            ("Action", "VarChar", 255, false, false),
            ("Summary", "VarChar", 255, false, false),
        ],
        vec![json!({"id": 3, "userName": "admin", "ipAddress": "::1",
                    "addDate": "2020-06-01 09:00:00", "action": "登录", "summary": ""})],
    );
    let out = run(input.path(), false, Some("5.0")).unwrap();
    for t in input_tables(&input) {
        let e = out.entry(&t);
        assert_eq!(e["source"], json!([t]), "{t}");
        assert_eq!(e["rowsIn"], e["rowsOut"], "{t}");
    }
    assert!(!out.tables().iter().any(|t| t.contains("__from_v")));
    assert_eq!(out.rows("siteserver_Log").len(), 1);
    assert_eq!(out.row("siteserver_Log", 3)["action"], "登录");
    assert!(out.rows("siteserver_SiteLog").is_empty());
    for t in ["siteserver_Site", "siteserver_Channel", "siteserver_User"] {
        assert_eq!(out.rows(t), input.rows(t), "{t}");
    }
    let content: Vec<Obj> = out.rows("siteserver_Content_1");
    assert_eq!(content.len(), input.rows("siteserver_Content_1").len());
    assert_eq!(
        out.row("siteserver_Content_1", 1)["settingsXml"],
        input.rows("siteserver_Content_1")[0]["settingsXml"]
    );
    assert_eq!(
        out.row("siteserver_Config", 1)["databaseVersion"],
        "6.15.51"
    );
}

#[test]
fn the_adapter_takes_5_0_and_5_1() {
    use sscms_core::VersionAdapter;
    let a = &sscms_adapter_v5_0::ADAPTER;
    assert_eq!(a.name(), "v5_0");
    for v in ["5.0.0", "5.1.0"] {
        assert!(
            a.accepts().matches(&semver::Version::parse(v).unwrap()),
            "{v}"
        );
    }
    for v in ["4.1.1603", "6.15.51"] {
        assert!(
            !a.accepts().matches(&semver::Version::parse(v).unwrap()),
            "{v}"
        );
    }
    assert_eq!(a.produces().to_string(), "6.15.51");
}
