//! The SSCMS 7.4 schema this adapter writes (spec `target-schema.md` §2 and §6): the 50 system
//! tables with their model columns in declared order, and the columns of a content table. Every
//! table starts with the five entity columns of Datory's `Entity`. `tests/schema.rs` checks all of
//! it against `target-schema.json`.

use sscms_core::{Column, DataType};

/// The `DatabaseVersion` SSCMS 7.4.0 writes, and compares exactly before it asks for a sync.
pub const DATABASE_VERSION: &str = "7.4.0";

/// The entity columns every 7.4 table starts with.
pub const ID: &str = "Id";
pub const GUID: &str = "Guid";
pub const EXTEND_VALUES: &str = "ExtendValues";
pub const CREATED_DATE: &str = "CreatedDate";
pub const LAST_MODIFIED_DATE: &str = "LastModifiedDate";

/// One model column as the spec lists it.
pub struct Def {
    pub name: &'static str,
    pub data_type: DataType,
    pub length: i32,
}

impl Def {
    pub fn column(&self) -> Column {
        Column::new(self.name, self.data_type).length(self.length)
    }
}

const fn def(name: &'static str, data_type: DataType, length: i32) -> Def {
    Def {
        name,
        data_type,
        length,
    }
}

/// `string` and `List<…>` properties: VarChar of the default length 500, or as declared.
const fn vc(name: &'static str) -> Def {
    def(name, DataType::VarChar, 500)
}

const fn vcl(name: &'static str, length: i32) -> Def {
    def(name, DataType::VarChar, length)
}

const fn int(name: &'static str) -> Def {
    def(name, DataType::Integer, 0)
}

const fn date(name: &'static str) -> Def {
    def(name, DataType::DateTime, 0)
}

const fn text(name: &'static str) -> Def {
    def(name, DataType::Text, 0)
}

const fn boolean(name: &'static str) -> Def {
    def(name, DataType::Boolean, 0)
}

/// The five entity columns: `Id` (identity primary key), `Guid`, `ExtendValues`, and the two
/// dates.
pub fn entity_columns() -> Vec<Column> {
    vec![
        Column::new(ID, DataType::Integer).primary_key().identity(),
        Column::new(GUID, DataType::VarChar).length(50),
        Column::new(EXTEND_VALUES, DataType::Text),
        Column::new(CREATED_DATE, DataType::DateTime),
        Column::new(LAST_MODIFIED_DATE, DataType::DateTime),
    ]
}

/// The 50 tables a 7.4 install creates, in the spec's order, with their model columns.
pub const TABLES: &[(&str, &[Def])] = &[
    (
        "siteserver_AccessToken",
        &[vc("Title"), vc("Token"), vc("AdminName"), vc("Scopes")],
    ),
    (
        "siteserver_Administrator",
        &[
            vc("UserName"),
            vc("Password"),
            vc("PasswordFormat"),
            vc("PasswordSalt"),
            date("LastActivityDate"),
            date("LastChangePasswordDate"),
            int("CountOfLogin"),
            int("CountOfFailedLogin"),
            vc("CreatorUserName"),
            boolean("Locked"),
            vc("SiteIds"),
            int("SiteId"),
            vc("DisplayName"),
            vc("Mobile"),
            boolean("MobileVerified"),
            vc("Email"),
            vc("AvatarUrl"),
        ],
    ),
    (
        "siteserver_AdministratorsInRoles",
        &[vc("RoleName"), vc("UserName")],
    ),
    (
        "siteserver_Channel",
        &[
            vc("ChannelName"),
            int("SiteId"),
            vc("ContentModelPluginId"),
            vc("TableName"),
            int("ParentId"),
            vc("ParentsPath"),
            int("ParentsCount"),
            int("ChildrenCount"),
            vc("IndexName"),
            vc("GroupNames"),
            int("Taxis"),
            date("AddDate"),
            vc("ImageUrl"),
            text("Content"),
            vc("FilePath"),
            vc("ChannelFilePathRule"),
            vc("ContentFilePathRule"),
            vc("LinkUrl"),
            vc("LinkType"),
            int("ChannelTemplateId"),
            int("ContentTemplateId"),
            vc("Keywords"),
            vc("Description"),
        ],
    ),
    (
        "siteserver_ChannelGroup",
        &[
            vc("GroupName"),
            int("SiteId"),
            int("Taxis"),
            vc("Description"),
        ],
    ),
    (
        "siteserver_Config",
        &[vc("DatabaseVersion"), date("UpdateDate")],
    ),
    (
        "siteserver_ContentCheck",
        &[
            int("SiteId"),
            int("ChannelId"),
            int("ContentId"),
            int("AdminId"),
            boolean("Checked"),
            int("CheckedLevel"),
            date("CheckDate"),
            vc("Reasons"),
        ],
    ),
    (
        "siteserver_ContentGroup",
        &[
            vc("GroupName"),
            int("SiteId"),
            int("Taxis"),
            vc("Description"),
        ],
    ),
    (
        "siteserver_ContentTag",
        &[
            vc("TagName"),
            int("SiteId"),
            text("ContentIds"),
            int("UseNum"),
        ],
    ),
    ("siteserver_DbCache", &[vc("CacheKey"), vc("CacheValue")]),
    (
        "siteserver_Department",
        &[
            vc("Name"),
            int("ParentId"),
            vc("ParentsPath"),
            int("ParentsCount"),
            int("ChildrenCount"),
            int("Count"),
            int("Taxis"),
            vc("Description"),
        ],
    ),
    (
        "siteserver_ErrorLog",
        &[
            vc("Category"),
            vc("PluginId"),
            vc("Message"),
            text("StackTrace"),
            text("Summary"),
        ],
    ),
    (
        "siteserver_Form",
        &[
            int("SiteId"),
            vc("Title"),
            vcl("Description", 2000),
            int("Taxis"),
            boolean("IsReply"),
            int("RepliedCount"),
            int("TotalCount"),
        ],
    ),
    (
        "siteserver_FormData",
        &[
            int("SiteId"),
            int("ChannelId"),
            int("ContentId"),
            int("FormId"),
            boolean("IsReplied"),
            date("ReplyDate"),
            text("ReplyContent"),
        ],
    ),
    (
        "siteserver_Log",
        &[
            int("AdminId"),
            int("UserId"),
            vc("IpAddress"),
            vc("Action"),
            vc("Summary"),
        ],
    ),
    (
        "siteserver_MaterialArticle",
        &[
            int("GroupId"),
            vc("ThumbMediaId"),
            vc("Author"),
            vc("Title"),
            vc("ContentSourceUrl"),
            text("Content"),
            vc("Digest"),
            boolean("ShowCoverPic"),
            vc("ThumbUrl"),
            vc("Url"),
            vc("CommentType"),
        ],
    ),
    (
        "siteserver_MaterialAudio",
        &[int("GroupId"), vc("Title"), vc("FileType"), vc("Url")],
    ),
    (
        "siteserver_MaterialComponent",
        &[
            int("GroupId"),
            vc("Title"),
            vc("Description"),
            vc("ImageUrl"),
            vc("Parameters"),
            text("Content"),
        ],
    ),
    (
        "siteserver_MaterialFile",
        &[
            vc("MediaId"),
            int("GroupId"),
            vc("Title"),
            vc("FileType"),
            vc("Url"),
        ],
    ),
    (
        "siteserver_MaterialGroup",
        &[vc("MaterialType"), vc("GroupName")],
    ),
    (
        "siteserver_MaterialImage",
        &[int("GroupId"), vc("Title"), vc("Url")],
    ),
    ("siteserver_MaterialMessage", &[int("GroupId")]),
    (
        "siteserver_MaterialMessageItem",
        &[
            int("MessageId"),
            vc("MaterialType"),
            int("MaterialId"),
            int("Taxis"),
        ],
    ),
    (
        "siteserver_MaterialVideo",
        &[
            int("GroupId"),
            vc("Title"),
            vc("Description"),
            vc("FileType"),
            vc("Url"),
        ],
    ),
    (
        "siteserver_PermissionsInRoles",
        &[vc("RoleName"), text("AppPermissions")],
    ),
    (
        "siteserver_PluginConfig",
        &[
            vc("PluginId"),
            int("SiteId"),
            vc("ConfigName"),
            text("ConfigValue"),
        ],
    ),
    (
        "siteserver_RelatedFieldItem",
        &[
            int("SiteId"),
            int("RelatedFieldId"),
            vc("Label"),
            vc("Value"),
            int("ParentId"),
            int("Taxis"),
        ],
    ),
    ("siteserver_RelatedField", &[int("SiteId"), vc("Title")]),
    (
        "siteserver_Role",
        &[vc("RoleName"), vc("CreatorUserName"), vc("Description")],
    ),
    (
        "siteserver_ScheduledTask",
        &[
            vc("Title"),
            vc("Description"),
            int("AdminId"),
            vc("TaskType"),
            vc("TaskInterval"),
            int("Every"),
            vc("Weeks"),
            date("StartDate"),
            boolean("IsNoticeSuccess"),
            boolean("IsNoticeFailure"),
            int("NoticeFailureCount"),
            boolean("IsNoticeMobile"),
            vc("NoticeMobile"),
            boolean("IsNoticeMail"),
            vc("NoticeMail"),
            boolean("IsDisabled"),
            int("Timeout"),
            boolean("IsRunning"),
            date("LatestStartDate"),
            date("LatestEndDate"),
            boolean("IsLatestSuccess"),
            int("LatestFailureCount"),
            vc("LatestErrorMessage"),
            date("ScheduledDate"),
            text("Settings"),
        ],
    ),
    (
        "siteserver_SiteLog",
        &[
            int("SiteId"),
            int("ChannelId"),
            int("ContentId"),
            int("AdminId"),
            vc("IpAddress"),
            vc("Action"),
            vc("Summary"),
        ],
    ),
    (
        "siteserver_SitePermissions",
        &[
            vc("RoleName"),
            int("SiteId"),
            text("ChannelIds"),
            text("Permissions"),
            text("ContentPermissions"),
        ],
    ),
    (
        "siteserver_Site",
        &[
            vc("SiteDir"),
            vc("SiteName"),
            vc("SiteType"),
            vc("ImageUrl"),
            vc("Keywords"),
            vc("Description"),
            vc("TableName"),
            boolean("Root"),
            int("ParentId"),
            int("Taxis"),
        ],
    ),
    (
        "siteserver_Special",
        &[int("SiteId"), vc("Title"), vc("Url"), date("AddDate")],
    ),
    (
        "siteserver_Stat",
        &[vc("StatType"), int("SiteId"), int("AdminId"), int("Count")],
    ),
    (
        "siteserver_StorageFile",
        &[vc("Key"), vc("ETag"), vc("Md5"), vc("FileType")],
    ),
    (
        "siteserver_TableStyle",
        &[
            int("RelatedIdentity"),
            vc("TableName"),
            vc("AttributeName"),
            int("Taxis"),
            vc("DisplayName"),
            vc("HelpText"),
            boolean("List"),
            vc("InputType"),
            vc("DefaultValue"),
            boolean("Horizontal"),
        ],
    ),
    (
        "siteserver_TemplateLog",
        &[
            int("TemplateId"),
            int("SiteId"),
            int("AdminId"),
            int("ContentLength"),
            text("TemplateContent"),
        ],
    ),
    (
        "siteserver_Template",
        &[
            int("SiteId"),
            vc("TemplateName"),
            vc("TemplateType"),
            vc("RelatedFileName"),
            vc("CreatedFileFullName"),
            vc("CreatedFileExtName"),
            boolean("DefaultTemplate"),
        ],
    ),
    (
        "siteserver_Translate",
        &[
            int("SiteId"),
            int("ChannelId"),
            int("TargetSiteId"),
            int("TargetChannelId"),
            vc("TranslateType"),
        ],
    ),
    (
        "siteserver_UserGroup",
        &[
            vc("GroupName"),
            int("Taxis"),
            vc("AdminName"),
            vc("Description"),
        ],
    ),
    (
        "siteserver_UserMenu",
        &[
            boolean("IsGroup"),
            vc("GroupIds"),
            boolean("Disabled"),
            int("ParentId"),
            int("Taxis"),
            vc("Text"),
            vc("IconClass"),
            vc("Link"),
            vc("Target"),
        ],
    ),
    (
        "siteserver_User",
        &[
            vc("UserName"),
            vc("Password"),
            vc("PasswordFormat"),
            vc("PasswordSalt"),
            date("LastResetPasswordDate"),
            date("LastActivityDate"),
            int("DepartmentId"),
            boolean("Manager"),
            int("CountOfLogin"),
            int("CountOfFailedLogin"),
            boolean("Checked"),
            boolean("Locked"),
            vc("DisplayName"),
            vc("Mobile"),
            boolean("MobileVerified"),
            vc("Email"),
            vc("AvatarUrl"),
            vc("OpenId"),
        ],
    ),
    ("siteserver_UsersInGroups", &[int("UserId"), int("GroupId")]),
    (
        "siteserver_WxAccount",
        &[
            int("SiteId"),
            boolean("IsEnabled"),
            vc("MpName"),
            vc("MpType"),
            vc("MpAppId"),
            vc("MpAppSecret"),
            vc("MpToken"),
            boolean("MpIsEncrypt"),
            vc("MpEncodingAESKey"),
            int("MpReplyBeAddedMessageId"),
            int("MpReplyAutoMessageId"),
        ],
    ),
    (
        "siteserver_WxChat",
        &[
            int("SiteId"),
            vc("OpenId"),
            boolean("IsReply"),
            boolean("IsStar"),
            vc("MaterialType"),
            int("MaterialId"),
            vc("Text"),
        ],
    ),
    (
        "siteserver_WxMenu",
        &[
            int("SiteId"),
            int("ParentId"),
            int("Taxis"),
            vc("Text"),
            vc("MenuType"),
            vc("Key"),
            vc("Url"),
            vc("AppId"),
            vc("PagePath"),
            vc("MediaId"),
        ],
    ),
    (
        "siteserver_WxReplyKeyword",
        &[int("SiteId"), int("RuleId"), boolean("Exact"), vc("Text")],
    ),
    (
        "siteserver_WxReplyMessage",
        &[
            int("SiteId"),
            int("RuleId"),
            vc("MaterialType"),
            int("MaterialId"),
            vc("Text"),
        ],
    ),
    (
        "siteserver_WxReplyRule",
        &[int("SiteId"), vc("RuleName"), boolean("Random")],
    ),
];

/// The model columns of a 7.4 content table (`Content.cs`).
pub const CONTENT: &[Def] = &[
    int("ChannelId"),
    int("SiteId"),
    int("AdminId"),
    int("LastEditAdminId"),
    int("UserId"),
    int("Taxis"),
    vc("GroupNames"),
    vc("TagNames"),
    int("SourceId"),
    int("ReferenceId"),
    int("TemplateId"),
    boolean("Checked"),
    int("CheckedLevel"),
    int("Hits"),
    int("Downloads"),
    vc("Title"),
    vc("SubTitle"),
    vc("ImageUrl"),
    vc("VideoUrl"),
    vc("FileUrl"),
    text("Body"),
    text("Summary"),
    vc("Author"),
    vc("Source"),
    boolean("Top"),
    boolean("Recommend"),
    boolean("Hot"),
    boolean("Color"),
    vc("LinkType"),
    vc("LinkUrl"),
    date("AddDate"),
];

/// The columns of one of the 50 tables, entity columns first.
pub fn columns(table: &str) -> Option<Vec<Column>> {
    TABLES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(table))
        .map(|(_, defs)| with_entity(defs))
}

/// Returns true if and only if `name` is one of the 50 tables.
pub fn is_system_table(name: &str) -> bool {
    TABLES.iter().any(|(t, _)| t.eq_ignore_ascii_case(name))
}

/// The columns of a content table, entity columns first.
pub fn content_columns() -> Vec<Column> {
    with_entity(CONTENT)
}

fn with_entity(defs: &[Def]) -> Vec<Column> {
    let mut cols = entity_columns();
    cols.extend(defs.iter().map(Def::column));
    cols
}
