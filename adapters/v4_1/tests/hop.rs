//! The 4.1 → 5.0 hop on the bundled 4.1 sample (4.1.1603, two sites sharing `model_Content`).

use serde_json::Value;
use sscms_core::testkit::*;

fn hop() -> Out {
    let reg = registry(&[&sscms_adapter_v4_1::ADAPTER]);
    run(&reg, &sample("4.1"), "5.0")
}

#[test]
fn keeps_the_comments_the_official_upgrade_deleted() {
    let out = hop();
    assert_eq!(out.report.chain, ["v4_1"]);
    assert_eq!(
        out.column_names("siteserver_Comment"),
        [
            "ID",
            "PublishmentSystemID",
            "NodeID",
            "ContentID",
            "GoodCount",
            "UserName",
            "IsChecked",
            "AddDate",
            "Content"
        ]
    );
    let first = out.row("siteserver_Comment", "ID", 1);
    assert_eq!(val(&first, "Content"), "写得很好，支持！");
    assert_eq!(val(&first, "GoodCount"), 3);
    assert_eq!(val(&first, "UserName"), "zhangsan");
    assert_eq!(val(&first, "AddDate"), "2016-03-03 10:12:05");
    let second = out.row("siteserver_Comment", "ID", 2);
    assert_eq!(
        val(&second, "Content"),
        "请问\"开源\"版本在哪里下载？\r\n谢谢。"
    );
    // A fresh 4.1 has no comment forms, so nothing is carried aside.
    assert!(
        !out.tables()
            .contains(&sscms_adapter_v4_1::COMMENT_FORMS.to_string())
    );
    let unplaced: Vec<(&str, u64)> = out
        .report
        .unplaced_values
        .iter()
        .map(|u| (u.column.as_str(), u.rows))
        .collect();
    assert_eq!(
        unplaced,
        [
            ("AdminName", 1),
            ("IPAddress", 2),
            ("IsRecommend", 2),
            ("Taxis", 2)
        ]
    );
}

#[test]
fn adds_the_5_0_tables_and_columns() {
    let out = hop();
    for t in [
        "bairong_DbCache",
        "siteserver_CreateTask",
        "siteserver_CreateTaskLog",
        "siteserver_Task",
        "siteserver_TaskLog",
    ] {
        assert!(out.rows(t).is_empty(), "{t}");
    }
    assert_eq!(out.column_names("siteserver_TaskLog")[1], "TaskID");
    // Every registered content table gets WritingUserName at its end, NULL for existing rows.
    for t in [
        "model_Content",
        "model_Job",
        "model_Vote",
        "model_UserDefined",
        "model_WCM_GovPublic",
        "model_WCM_GovInteract",
    ] {
        assert_eq!(
            out.column_names(t).last().map(String::as_str),
            Some("WritingUserName"),
            "{t}"
        );
    }
    // ml_Content is not registered in this install, so the script skips it.
    assert!(
        !out.column_names("ml_Content")
            .contains(&"WritingUserName".to_string())
    );
    let content = out.row("model_Content", "ID", 4);
    assert_eq!(val(&content, "Title"), "英文站上线 Welcome");
    assert_eq!(val(&content, "PublishmentSystemID"), 5);
    assert_eq!(val(&content, "WritingUserName"), &Value::Null);

    let user = out.row("bairong_Users", "UserName", "lisi");
    assert_eq!(val(&user, "ExtendValues"), &Value::Null);
    assert_eq!(val(&user, "LoginNum"), 0);
    assert!(
        out.column_names("bairong_UserGroup")
            .ends_with(&["IsDefault".into(), "Description".into()])
    );
    let admin = out.row("bairong_Administrator", "UserName", "admin");
    assert_eq!(val(&admin, "CountOfFailedLogin"), &Value::Null);
}

#[test]
fn the_config_row_says_5_0() {
    let out = hop();
    let config = &out.rows("bairong_Config")[0];
    assert_eq!(val(config, "DatabaseVersion"), "5.0");
    assert_eq!(val(config, "UserConfig"), "");
    assert_eq!(val(config, "SystemConfig"), "");
    assert_eq!(val(config, "UpdateDate"), "2016-03-01 10:00:00");
    // 5.0 leaves SettingsXML alone; the 6.x conversion maps it to SystemConfig.
    assert_eq!(
        val(config, "SettingsXML"),
        "restrictiontype=None&islog=True&cipherkey=0aa6f237"
    );
    let cols = out.column_names("bairong_Config");
    assert_eq!(cols[cols.len() - 2..], ["UserConfig", "SystemConfig"]);
}
