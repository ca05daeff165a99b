//! The 6.15 sample through this adapter alone: the 7.4 tables, values by id, and the values
//! 7.4's own updater loses.

use serde_json::{Map, Value, json};
use sscms_adapter_v6::{ADAPTER, schema};
use sscms_core::Registry;
use sscms_core::testkit::{copy_sample, registry, run, sample, set_rows, val};

fn v6() -> Registry {
    registry(&[&ADAPTER])
}

/// `ExtendValues` of a row, parsed.
fn ext(row: &Map<String, Value>) -> Map<String, Value> {
    let text = val(row, "ExtendValues")
        .as_str()
        .expect("ExtendValues is text");
    serde_json::from_str(text).expect("ExtendValues is a JSON object")
}

#[test]
fn the_sample_becomes_the_7_4_schema() {
    let out = run(&v6(), &sample("6.15"), "7.4");
    assert_eq!(out.report.to, "7.4.0");
    assert_eq!(out.report.chain, ["v6"]);
    let tables = out.tables();
    let names: Vec<&str> = schema::TABLES.iter().map(|(n, _)| *n).collect();
    assert_eq!(&tables[..50], names.as_slice());
    for name in &names {
        let want: Vec<String> = schema::columns(name)
            .unwrap()
            .into_iter()
            .map(|c| c.attribute_name)
            .collect();
        assert_eq!(out.column_names(name), want, "{name}");
    }
    let content: Vec<String> = schema::content_columns()
        .into_iter()
        .map(|c| c.attribute_name)
        .collect();
    assert_eq!(out.column_names("siteserver_Content_1"), content);
    // The 6.15 tables 7.4 dropped are carried as they are.
    for t in [
        "siteserver_Keyword",
        "siteserver_TemplateMatch",
        "siteserver_UserLog",
    ] {
        assert!(tables.iter().any(|x| x == t), "{t}");
        let entry = out.report.tables.iter().find(|e| e.target == t).unwrap();
        assert_eq!(
            serde_json::to_value(entry.status).unwrap(),
            "carried",
            "{t}"
        );
    }
    assert!(!tables.iter().any(|t| t == "siteserver_Tag"));
    for t in &out.report.tables {
        assert_eq!(t.rows_in, t.rows_out, "{}", t.target);
    }
    let config = out.row("siteserver_Config", "Id", 1);
    assert_eq!(val(&config, "DatabaseVersion"), "7.4.0");
    assert_eq!(ext(&config)["isInitialized"], "True");
}

#[test]
fn values_arrive_by_id() {
    let out = run(&v6(), &sample("6.15"), "7.4");

    let site = out.row("siteserver_Site", "Id", 1);
    assert_eq!(val(&site, "SiteName"), "示例单位官网");
    assert_eq!(val(&site, "Root"), &json!(true));
    // The site's 6.15 SettingsXml (JSON) is its ExtendValues, value types kept.
    let e = ext(&site);
    assert_eq!(e["charset"], "utf-8");
    assert_eq!(e["pageSize"], 30);
    assert_eq!(e["isCountHits"], true);
    assert_eq!(
        val(&out.row("siteserver_Site", "Id", 5), "Root"),
        &json!(false)
    );

    let c1 = out.row("siteserver_Content_1", "Id", 1);
    assert_eq!(val(&c1, "Title"), "欢迎使用 SiteServer CMS");
    assert!(
        val(&c1, "Body")
            .as_str()
            .unwrap()
            .contains("@/upload/images/2020/3/welcome.jpg")
    );
    assert_eq!(val(&c1, "TagNames"), "示例,新闻");
    assert_eq!(val(&c1, "Checked"), &json!(true));
    assert_eq!(val(&c1, "Recommend"), &json!(true));
    assert_eq!(val(&c1, "Top"), &json!(false));
    assert_eq!(val(&c1, "AdminId"), 1);
    assert_eq!(val(&c1, "LastEditAdminId"), 1);
    assert_eq!(val(&c1, "CreatedDate"), "2020-03-02 09:30:00");
    assert_eq!(val(&c1, "LastModifiedDate"), "2020-03-02 09:30:00");
    assert_eq!(val(&c1, "TemplateId"), 0);
    // The custom field and the hit counters 7.4 dropped.
    let e = ext(&c1);
    assert_eq!(e["editor"], "王编辑");
    assert_eq!(e["hitsByDay"], 0);
    assert!(e.get("addUserName").is_none(), "the name became AdminId");
    let c2 = out.row("siteserver_Content_1", "Id", 2);
    assert_eq!(val(&c2, "Top"), &json!(true));
    assert_eq!(val(&c2, "Color"), &json!(true));

    for (id, name) in [(1, "首页"), (2, "新闻中心"), (3, "通知公告")] {
        assert_eq!(
            val(&out.row("siteserver_Channel", "Id", id), "ChannelName"),
            name
        );
    }
    let user = out.row("siteserver_User", "UserName", "zhangsan");
    assert_eq!(val(&user, "Checked"), &json!(true));
    assert_eq!(val(&user, "Locked"), &json!(false));
    assert_eq!(val(&user, "CreatedDate"), "2020-04-02 14:03:11");
    assert_eq!(ext(&user)["birthday"], "1990-05-12");
    assert!(ext(&user).get("groupId").is_none());
    let admin = out.row("siteserver_Administrator", "Id", 1);
    assert_eq!(val(&admin, "Locked"), &json!(false));
    assert_eq!(val(&admin, "CreatedDate"), "2020-03-01 10:00:00");
    assert_eq!(val(&admin, "MobileVerified"), &json!(false));
    assert_eq!(
        val(&out.row("siteserver_Template", "Id", 1), "DefaultTemplate"),
        &json!(true)
    );
    let style = out.row("siteserver_TableStyle", "Id", 1);
    assert_eq!(val(&style, "List"), &json!(false));
    assert_eq!(val(&style, "Horizontal"), &json!(true));
}

#[test]
fn guids_are_valid_distinct_and_reproducible() {
    let a = run(&v6(), &sample("6.15"), "7.4");
    let b = run(&v6(), &sample("6.15"), "7.4");
    for table in [
        "siteserver_Channel",
        "siteserver_Content_1",
        "siteserver_Site",
    ] {
        let guids = |out: &sscms_core::testkit::Out| -> Vec<String> {
            out.rows(table)
                .iter()
                .map(|r| val(r, "Guid").as_str().unwrap().to_string())
                .collect()
        };
        let ga = guids(&a);
        assert_eq!(ga, guids(&b), "{table}");
        let mut unique = ga.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ga.len(), "{table}");
        assert!(
            ga.iter()
                .all(|g| g.len() == 36 && g.matches('-').count() == 4)
        );
    }
    let site = a.row("siteserver_Site", "Id", 1);
    assert_ne!(
        val(&site, "Guid"),
        val(&a.row("siteserver_Channel", "Id", 1), "Guid")
    );
}

/// What 7.4's updater loses (update-rules §12.3): names, settings, lists, permissions, items.
#[test]
fn values_7_4_loses_are_kept() {
    let dir = copy_sample("6.15");
    let d = dir.path();
    set_rows(
        d,
        "siteserver_SiteLog",
        &[
            json!({"id": 1, "siteId": 1, "channelId": 2, "contentId": 1, "userName": "admin", "ipAddress": "127.0.0.1", "addDate": "2020-06-01 08:00:00", "action": "添加内容", "summary": "s"}),
            json!({"id": 2, "siteId": 1, "channelId": 2, "contentId": 1, "userName": "ghost", "ipAddress": "127.0.0.1", "addDate": "2020-06-02 08:00:00", "action": "删除内容", "summary": ""}),
        ],
    );
    set_rows(
        d,
        "siteserver_RelatedField",
        &[
            json!({"id": 3, "title": "省市", "siteId": 5, "totalLevel": 2, "prefixes": "", "suffixes": ""}),
        ],
    );
    set_rows(
        d,
        "siteserver_RelatedFieldItem",
        &[
            json!({"id": 7, "relatedFieldId": 3, "itemName": "北京", "itemValue": "bj", "parentId": 0, "taxis": 1}),
        ],
    );
    set_rows(
        d,
        "siteserver_SitePermissions",
        &[
            json!({"id": 1, "roleName": "编辑", "siteId": 1, "channelIdCollection": "2,3", "channelPermissions": "cms_contentView,cms_contentAdd", "websitePermissions": "cms_template"}),
        ],
    );
    set_rows(
        d,
        "siteserver_PermissionsInRoles",
        &[json!({"id": 1, "roleName": "编辑", "generalPermissions": "settings_site"})],
    );
    set_rows(
        d,
        "siteserver_UserMenu",
        &[
            json!({"id": 1, "systemId": "Dashboard", "groupIdCollection": "2", "isDisabled": false, "parentId": 0, "taxis": 1, "text": "首页", "iconClass": "", "href": "/home", "target": ""}),
            json!({"id": 2, "systemId": "", "groupIdCollection": "", "isDisabled": "True", "parentId": 0, "taxis": 2, "text": "x", "iconClass": "", "href": "", "target": ""}),
        ],
    );
    set_rows(
        d,
        "siteserver_Tag",
        &[json!({"id": 4, "siteId": 1, "contentIdCollection": "1,2", "tag": "新闻", "useNum": 2})],
    );
    let users = d.join("siteserver_User/1.json");
    let text = std::fs::read_to_string(&users).unwrap();
    std::fs::write(&users, text.replacen("\"groupId\":0", "\"groupId\":2", 1)).unwrap();

    let out = run(&v6(), d, "7.4");
    let log = out.row("siteserver_SiteLog", "Id", 1);
    assert_eq!(val(&log, "AdminId"), 1);
    assert_eq!(val(&log, "CreatedDate"), "2020-06-01 08:00:00");
    let unknown = out.row("siteserver_SiteLog", "Id", 2);
    assert_eq!(val(&unknown, "AdminId"), 0);
    assert_eq!(ext(&unknown)["userName"], "ghost");

    let item = out.row("siteserver_RelatedFieldItem", "Id", 7);
    assert_eq!(val(&item, "Label"), "北京");
    assert_eq!(val(&item, "Value"), "bj");
    assert_eq!(val(&item, "SiteId"), 5);
    assert_eq!(
        ext(&out.row("siteserver_RelatedField", "Id", 3))["totalLevel"],
        2
    );

    let perm = out.row("siteserver_SitePermissions", "Id", 1);
    assert_eq!(val(&perm, "ChannelIds"), "2,3");
    assert_eq!(val(&perm, "Permissions"), "cms_template");
    assert_eq!(
        val(&perm, "ContentPermissions"),
        "cms_contentView,cms_contentAdd"
    );
    assert_eq!(
        val(
            &out.row("siteserver_PermissionsInRoles", "Id", 1),
            "AppPermissions"
        ),
        "settings_site"
    );

    let menu = out.row("siteserver_UserMenu", "Id", 1);
    assert_eq!(val(&menu, "IsGroup"), &json!(true));
    assert_eq!(val(&menu, "GroupIds"), "2");
    assert_eq!(val(&menu, "Link"), "/home");
    assert_eq!(val(&menu, "Disabled"), &json!(false));
    assert_eq!(ext(&menu)["systemId"], "Dashboard");
    let menu = out.row("siteserver_UserMenu", "Id", 2);
    assert_eq!(val(&menu, "IsGroup"), &json!(false));
    assert_eq!(val(&menu, "Disabled"), &json!(true));

    let tag = out.row("siteserver_ContentTag", "Id", 4);
    assert_eq!(val(&tag, "TagName"), "新闻");
    assert_eq!(val(&tag, "ContentIds"), "1,2");

    let member = out.rows("siteserver_UsersInGroups");
    assert_eq!(member.len(), 1);
    assert_eq!(val(&member[0], "UserId"), 1);
    assert_eq!(val(&member[0], "GroupId"), 2);

    let moved: Vec<(String, String)> = out
        .report
        .moved_values
        .iter()
        .map(|m| (m.table.clone(), m.column.clone()))
        .collect();
    assert!(moved.contains(&("siteserver_SiteLog".into(), "UserName".into())));
    assert!(moved.contains(&("siteserver_UserMenu".into(), "SystemId".into())));
    assert!(out.report.unplaced_values.is_empty());
}

/// 6.x plugin tables have no 7.4 counterpart: carried as they are, and reported.
#[test]
fn plugin_tables_are_carried_and_reported() {
    let dir = copy_sample("6.15");
    let d = dir.path();
    let table = "ss_govpublic_category";
    std::fs::create_dir(d.join(table)).unwrap();
    std::fs::write(
        d.join(table).join("_metadata.json"),
        json!({"columns": [
            {"attributeName": "Id", "dataType": "Integer", "dataLength": 4, "isPrimaryKey": true, "isIdentity": true, "isExtend": false},
            {"attributeName": "CategoryName", "dataType": "VarChar", "dataLength": 50, "isPrimaryKey": false, "isIdentity": false, "isExtend": false}],
            "totalCount": 0, "rowFiles": []})
        .to_string(),
    )
    .unwrap();
    set_rows(d, table, &[json!({"id": 1, "categoryName": "主题"})]);
    let tables_path = d.join("_tables.json");
    let mut tables: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(&tables_path).unwrap()).unwrap();
    tables.push(table.into());
    std::fs::write(&tables_path, serde_json::to_string(&tables).unwrap()).unwrap();

    let out = run(&v6(), d, "7.4");
    assert_eq!(out.column_names(table), ["Id", "CategoryName"]);
    assert_eq!(val(&out.rows(table)[0], "CategoryName"), "主题");
    let entry = out
        .report
        .tables
        .iter()
        .find(|e| e.target == table)
        .unwrap();
    assert_eq!((entry.rows_in, entry.rows_out), (1, 1));
    assert_eq!(serde_json::to_value(entry.status).unwrap(), "carried");
    assert!(out.report.notes.iter().any(|n| n.contains(table)));
}

/// 7.4 counts a database as installed when its config table has a row.
#[test]
fn a_missing_config_row_is_written() {
    let dir = copy_sample("6.15");
    set_rows(dir.path(), "siteserver_Config", &[]);
    let tmp = tempfile::tempdir().unwrap();
    let opts = sscms_core::update::UpdateOptions {
        dir: dir.path().to_path_buf(),
        out: tmp.path().join("out"),
        from: Some("6.15.51".into()),
        to: sscms_core::Target::Latest,
        overwrite: false,
        page_size: 500,
        hop: Default::default(),
    };
    sscms_core::update::update(&v6(), &opts, &sscms_core::NoProgress).unwrap();
    let reader = sscms_core::BackupReader::open(&tmp.path().join("out")).unwrap();
    let data = reader.table("siteserver_Config").unwrap();
    assert_eq!(data.total_count, 1);
    reader
        .read_rows("siteserver_Config", &data.row_files[0], |_, r| {
            assert_eq!(val(&r, "DatabaseVersion"), "7.4.0");
            Ok(())
        })
        .unwrap();
}
