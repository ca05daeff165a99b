//! The 3.6 → 4.0 hop on the bundled 3.6 sample (`examples/sample-3.6`, DatabaseVersion 3.6.4).

use serde_json::Value;
use sscms_core::DataType;
use sscms_core::adapter::TableStatus;
use sscms_core::testkit::*;

fn hop() -> Out {
    let reg = registry(&[&sscms_adapter_v3_6::ADAPTER]);
    run(&reg, &sample("3.6"), "4.0")
}

#[test]
fn creates_the_4_0_tables_and_appends_columns() {
    let out = hop();
    assert_eq!(out.report.chain, ["v3_6"]);
    assert_eq!(out.report.to, "4.0.0");
    for t in [
        "bairong_AjaxUrl",
        "siteserver_TemplateLog",
        "siteserver_ThirdLogin",
    ] {
        assert!(out.rows(t).is_empty(), "{t}");
    }
    // 3.6.4 already has the tables of the 3_63 folder.
    assert_eq!(
        out.tables()
            .iter()
            .filter(|t| *t == "bairong_Storage")
            .count(),
        1
    );
    let admin = out.column_names("bairong_Administrator");
    assert_eq!(
        admin[admin.len() - 3..],
        ["Language", "LastProductID", "PublishmentSystemIDCollection"]
    );
    assert!(admin.contains(&"LastModuleID".to_string()));
    let a = out.row("bairong_Administrator", "UserName", "admin");
    assert_eq!(val(&a, "LastModuleID"), "cms");
    assert_eq!(val(&a, "LastProductID"), "");

    let site = out.row("siteserver_PublishmentSystem", "PublishmentSystemID", 1);
    assert_eq!(val(&site, "PublishmentSystemName"), "示例单位官网");
    for k in [
        "PublishmentSystemType",
        "AuxiliaryTableForGoods",
        "AuxiliaryTableForBrand",
        "GroupSN",
    ] {
        assert_eq!(val(&site, k), "", "{k}");
    }
    // The backup-added Id survives, as the first column and with its values.
    let cols = out.columns("siteserver_PublishmentSystem");
    assert_eq!(
        (
            cols[0].attribute_name.as_str(),
            cols[0].is_identity,
            cols[0].is_primary_key
        ),
        ("Id", true, false)
    );
    assert_eq!(val(&site, "Id"), 1);
    // Content tables with install-specific names are carried as they are.
    assert_eq!(out.rows("cms_Content").len(), 4);
    assert!(
        !out.column_names("cms_Content")
            .contains(&"Photos".to_string())
    );
}

#[test]
fn comments_move_into_the_comment_table() {
    let out = hop();
    let names = out.column_names("siteserver_Comment");
    assert_eq!(
        names[7..],
        [
            "NodeID",
            "ContentID",
            "Good",
            "UserName",
            "IPAddress",
            "AddDate",
            "IsChecked",
            "IsRecommend",
            "Content"
        ]
    );
    let added = &out.columns("siteserver_Comment")[7..];
    assert_eq!(added[5].data_type, DataType::DateTime);
    assert_eq!(added[8].data_type, DataType::Text);
    // The comment form keeps its id and gets what the ALTER gave it: the upgrade time is the
    // backup's own config UpdateDate.
    let form = out.row("siteserver_Comment", "CommentID", 1);
    assert_eq!(val(&form, "CommentName"), "文章评论");
    assert_eq!(val(&form, "NodeID"), 0);
    assert_eq!(val(&form, "AddDate"), "2014-03-01 10:00:00");
    assert_eq!(val(&form, "Content"), "");
    // CommentContent 1 collides with the form's id and becomes 3; CommentContent 2 keeps 2.
    let first = out.row("siteserver_Comment", "CommentID", 3);
    assert_eq!(val(&first, "Content"), "写得很好，支持！");
    assert_eq!(val(&first, "UserName"), "zhangsan");
    assert_eq!(val(&first, "Good"), 3);
    assert_eq!(val(&first, "AddDate"), "2014-03-03 10:12:05");
    assert_eq!(
        (val(&first, "NodeID"), val(&first, "ContentID")),
        (&Value::from(2), &Value::from(1))
    );
    let second = out.row("siteserver_Comment", "CommentID", 2);
    assert_eq!(
        val(&second, "Content"),
        "请问\"开源\"版本在哪里下载？\r\n谢谢。"
    );
    assert_eq!(val(&second, "IPAddress"), "10.0.0.8");
    assert_eq!(out.report.id_maps.len(), 1);
    assert_eq!(out.report.id_maps[0].ids, [(1, 3)]);
    assert_eq!(out.report.id_maps[0].source, "siteserver_CommentContent");
    // The table stays, empty; the values without a 4.0 column are reported.
    assert!(out.rows("siteserver_CommentContent").is_empty());
    assert_eq!(out.column_names("siteserver_CommentContent").len(), 21);
    let unplaced: Vec<(&str, u64)> = out
        .report
        .unplaced_values
        .iter()
        .map(|u| (u.column.as_str(), u.rows))
        .collect();
    assert_eq!(
        unplaced,
        [(sscms_adapter_v3_6::FORM_ID_KEY, 2), ("Location", 2)]
    );
    let merged = out
        .report
        .tables
        .iter()
        .find(|t| t.target == "siteserver_Comment")
        .unwrap();
    assert_eq!((merged.rows_in, merged.rows_out), (3, 3));
    assert_eq!(merged.status, TableStatus::Merged);
}

#[test]
fn the_config_row_says_4_0() {
    let out = hop();
    let config = &out.rows("bairong_Config")[0];
    assert_eq!(val(config, "DatabaseVersion"), "4.0");
    assert_eq!(val(config, "IsInitialized"), "True");
    assert_eq!(val(config, "IsRelatedUrl"), "False");
    assert_eq!(val(config, "UpdateDate"), "2014-03-01 10:00:00");
    assert_eq!(
        val(config, "SettingsXML"),
        "restrictiontype=None&islog=True&cipherkey=3edf87da"
    );
    assert_eq!(val(config, "Id"), 1);
    for t in &out.report.tables {
        assert_eq!(t.rows_in, t.rows_out, "{}", t.target);
    }
}
