//! The SiteServer 6.15 schema this adapter writes (spec `target-schema.md` §6, tag
//! `siteserver-v6.15.51`): the 35 system tables in their declared column order, and the columns
//! a 6.15 content table is created with. `tests/schema.rs` checks both against
//! `target-schema.json`.

use sscms_core::{Column, DataType};

/// The `DatabaseVersion` a 6.15.51 install writes.
pub const DATABASE_VERSION: &str = "6.15.51";

/// One column as the spec lists it; turned into a [`Column`] when a plan is built.
pub struct Def {
    pub name: &'static str,
    pub data_type: DataType,
    pub length: i32,
    pub primary_key: bool,
    pub identity: bool,
}

impl Def {
    pub fn column(&self) -> Column {
        Column {
            attribute_name: self.name.to_string(),
            data_type: self.data_type,
            data_length: self.length,
            is_primary_key: self.primary_key,
            is_identity: self.identity,
        }
    }
}

pub(crate) const fn def(name: &'static str, data_type: DataType, length: i32) -> Def {
    Def {
        name,
        data_type,
        length,
        primary_key: false,
        identity: false,
    }
}

/// `Id`, the identity primary key of every table but `siteserver_Site`.
pub(crate) const fn id() -> Def {
    Def {
        primary_key: true,
        identity: true,
        ..def("Id", DataType::Integer, 0)
    }
}

/// A primary key that is not an identity (`siteserver_Site.Id`: a site's id is its root
/// channel's id).
const fn key(name: &'static str) -> Def {
    Def {
        primary_key: true,
        ..def(name, DataType::Integer, 0)
    }
}

pub(crate) const fn vc(name: &'static str, length: i32) -> Def {
    def(name, DataType::VarChar, length)
}

pub(crate) const fn int(name: &'static str) -> Def {
    def(name, DataType::Integer, 0)
}

pub(crate) const fn date(name: &'static str) -> Def {
    def(name, DataType::DateTime, 0)
}

pub(crate) const fn text(name: &'static str) -> Def {
    def(name, DataType::Text, 0)
}

pub(crate) const fn boolean(name: &'static str) -> Def {
    def(name, DataType::Boolean, 0)
}

/// The 35 tables a 6.15 install creates, in the spec's order.
pub const TABLES: &[(&str, &[Def])] = &[
    (
        "siteserver_AccessToken",
        &[
            id(),
            vc("Title", 200),
            vc("Token", 200),
            vc("AdminName", 200),
            vc("Scopes", 200),
            int("RateLimit"),
            date("AddDate"),
            date("UpdatedDate"),
        ],
    ),
    (
        "siteserver_Administrator",
        &[
            id(),
            vc("UserName", 255),
            vc("Password", 255),
            vc("PasswordFormat", 50),
            vc("PasswordSalt", 128),
            date("CreationDate"),
            date("LastActivityDate"),
            date("LastChangePasswordDate"),
            int("CountOfLogin"),
            int("CountOfFailedLogin"),
            vc("CreatorUserName", 255),
            vc("IsLockedOut", 18),
            text("SiteIdCollection"),
            int("SiteId"),
            vc("DisplayName", 50),
            vc("Mobile", 20),
            vc("Email", 50),
            vc("AvatarUrl", 200),
        ],
    ),
    (
        "siteserver_AdministratorsInRoles",
        &[id(), vc("RoleName", 255), vc("UserName", 255)],
    ),
    (
        "siteserver_Channel",
        &[
            id(),
            vc("ChannelName", 255),
            int("SiteId"),
            vc("ContentModelPluginId", 50),
            vc("ContentRelatedPluginIds", 255),
            int("ParentId"),
            vc("ParentsPath", 255),
            int("ParentsCount"),
            int("ChildrenCount"),
            vc("IsLastNode", 18),
            vc("IndexName", 255),
            vc("GroupNameCollection", 255),
            int("Taxis"),
            date("AddDate"),
            vc("ImageUrl", 200),
            text("Content"),
            vc("FilePath", 200),
            vc("ChannelFilePathRule", 200),
            vc("ContentFilePathRule", 200),
            vc("LinkUrl", 200),
            vc("LinkType", 200),
            int("ChannelTemplateId"),
            int("ContentTemplateId"),
            vc("Keywords", 255),
            vc("Description", 255),
            text("ExtendValues"),
        ],
    ),
    (
        "siteserver_ChannelGroup",
        &[
            id(),
            vc("GroupName", 255),
            int("SiteId"),
            int("Taxis"),
            text("Description"),
        ],
    ),
    (
        "siteserver_Config",
        &[
            id(),
            vc("IsInitialized", 18),
            vc("DatabaseVersion", 50),
            date("UpdateDate"),
            text("SystemConfig"),
        ],
    ),
    (
        "siteserver_ContentCheck",
        &[
            id(),
            vc("TableName", 50),
            int("SiteId"),
            int("ChannelId"),
            int("ContentId"),
            vc("UserName", 255),
            vc("IsChecked", 18),
            int("CheckedLevel"),
            date("CheckDate"),
            vc("Reasons", 255),
        ],
    ),
    (
        "siteserver_ContentGroup",
        &[
            id(),
            vc("GroupName", 255),
            int("SiteId"),
            int("Taxis"),
            text("Description"),
        ],
    ),
    (
        "siteserver_DbCache",
        &[
            id(),
            vc("CacheKey", 200),
            vc("CacheValue", 500),
            date("AddDate"),
        ],
    ),
    (
        "siteserver_ErrorLog",
        &[
            id(),
            vc("Category", 50),
            vc("PluginId", 200),
            vc("Message", 255),
            text("Stacktrace"),
            text("Summary"),
            date("AddDate"),
        ],
    ),
    (
        "siteserver_Keyword",
        &[
            id(),
            vc("Keyword", 50),
            vc("Alternative", 50),
            vc("Grade", 50),
        ],
    ),
    (
        "siteserver_LibraryGroup",
        &[id(), vc("Type", 200), vc("GroupName", 200)],
    ),
    (
        "siteserver_LibraryImage",
        &[id(), vc("Title", 500), int("GroupId"), vc("Url", 500)],
    ),
    (
        "siteserver_LibraryText",
        &[
            id(),
            vc("Title", 500),
            int("GroupId"),
            vc("ImageUrl", 500),
            vc("Summary", 500),
            text("Content"),
        ],
    ),
    (
        "siteserver_Log",
        &[
            id(),
            vc("UserName", 50),
            vc("IpAddress", 50),
            date("AddDate"),
            vc("Action", 255),
            vc("Summary", 255),
        ],
    ),
    (
        "siteserver_PermissionsInRoles",
        &[id(), vc("RoleName", 255), text("GeneralPermissions")],
    ),
    (
        "siteserver_PluginConfig",
        &[
            id(),
            vc("PluginId", 50),
            int("SiteId"),
            vc("ConfigName", 200),
            text("ConfigValue"),
        ],
    ),
    (
        "siteserver_Plugin",
        &[id(), vc("PluginId", 50), vc("IsDisabled", 18), int("Taxis")],
    ),
    (
        "siteserver_RelatedField",
        &[
            id(),
            vc("Title", 50),
            int("SiteId"),
            int("TotalLevel"),
            vc("Prefixes", 255),
            vc("Suffixes", 255),
        ],
    ),
    (
        "siteserver_RelatedFieldItem",
        &[
            id(),
            int("RelatedFieldId"),
            vc("ItemName", 255),
            vc("ItemValue", 255),
            int("ParentId"),
            int("Taxis"),
        ],
    ),
    (
        "siteserver_Role",
        &[
            id(),
            vc("RoleName", 255),
            vc("CreatorUserName", 255),
            vc("Description", 255),
        ],
    ),
    (
        "siteserver_Site",
        &[
            key("Id"),
            vc("SiteName", 50),
            vc("SiteDir", 50),
            vc("TableName", 50),
            vc("IsRoot", 18),
            int("ParentId"),
            int("Taxis"),
            text("SettingsXml"),
        ],
    ),
    (
        "siteserver_SiteLog",
        &[
            id(),
            int("SiteId"),
            int("ChannelId"),
            int("ContentId"),
            vc("UserName", 50),
            vc("IpAddress", 50),
            date("AddDate"),
            vc("Action", 255),
            vc("Summary", 255),
        ],
    ),
    (
        "siteserver_SitePermissions",
        &[
            id(),
            vc("RoleName", 255),
            int("SiteId"),
            text("ChannelIdCollection"),
            text("ChannelPermissions"),
            text("WebsitePermissions"),
        ],
    ),
    (
        "siteserver_Special",
        &[
            id(),
            int("SiteId"),
            vc("Title", 200),
            vc("Url", 200),
            date("AddDate"),
        ],
    ),
    (
        "siteserver_TableStyle",
        &[
            id(),
            int("RelatedIdentity"),
            vc("TableName", 50),
            vc("AttributeName", 50),
            int("Taxis"),
            vc("DisplayName", 255),
            vc("HelpText", 255),
            vc("IsVisibleInList", 18),
            vc("InputType", 50),
            vc("DefaultValue", 255),
            vc("IsHorizontal", 18),
            text("ExtendValues"),
        ],
    ),
    (
        "siteserver_TableStyleItem",
        &[
            id(),
            int("TableStyleId"),
            vc("ItemTitle", 255),
            vc("ItemValue", 255),
            vc("IsSelected", 18),
        ],
    ),
    (
        "siteserver_Tag",
        &[
            id(),
            int("SiteId"),
            vc("ContentIdCollection", 2000),
            vc("Tag", 255),
            int("UseNum"),
        ],
    ),
    (
        "siteserver_Template",
        &[
            id(),
            int("SiteId"),
            vc("TemplateName", 50),
            vc("TemplateType", 50),
            vc("RelatedFileName", 50),
            vc("CreatedFileFullName", 50),
            vc("CreatedFileExtName", 50),
            vc("Charset", 50),
            vc("IsDefault", 18),
        ],
    ),
    (
        "siteserver_TemplateLog",
        &[
            id(),
            int("TemplateId"),
            int("SiteId"),
            date("AddDate"),
            vc("AddUserName", 255),
            int("ContentLength"),
            text("TemplateContent"),
        ],
    ),
    (
        "siteserver_TemplateMatch",
        &[
            id(),
            int("ChannelId"),
            int("SiteId"),
            int("ChannelTemplateId"),
            int("ContentTemplateId"),
            vc("FilePath", 200),
            vc("ChannelFilePathRule", 200),
            vc("ContentFilePathRule", 200),
        ],
    ),
    (
        "siteserver_User",
        &[
            id(),
            vc("UserName", 255),
            vc("Password", 255),
            vc("PasswordFormat", 50),
            vc("PasswordSalt", 128),
            date("CreateDate"),
            date("LastResetPasswordDate"),
            date("LastActivityDate"),
            int("CountOfLogin"),
            int("CountOfFailedLogin"),
            int("GroupId"),
            vc("IsChecked", 18),
            vc("IsLockedOut", 18),
            vc("DisplayName", 255),
            vc("Email", 255),
            vc("Mobile", 20),
            vc("AvatarUrl", 200),
            vc("Gender", 50),
            vc("Birthday", 50),
            vc("WeiXin", 255),
            vc("Qq", 50),
            vc("WeiBo", 255),
            text("Bio"),
            text("SettingsXml"),
        ],
    ),
    (
        "siteserver_UserGroup",
        &[id(), vc("GroupName", 200), vc("AdminName", 200)],
    ),
    (
        "siteserver_UserLog",
        &[
            id(),
            vc("UserName", 255),
            vc("IpAddress", 50),
            date("AddDate"),
            vc("Action", 255),
            vc("Summary", 255),
        ],
    ),
    (
        "siteserver_UserMenu",
        &[
            id(),
            vc("SystemId", 50),
            vc("GroupIdCollection", 200),
            boolean("IsDisabled"),
            int("ParentId"),
            int("Taxis"),
            vc("Text", 50),
            vc("IconClass", 50),
            vc("Href", 200),
            vc("Target", 50),
        ],
    ),
];

/// `ContentDao.TableColumnsDefault`: the 29 columns every 6.15 content table is synced to, then
/// the 8 a new site's table is created with.
pub const CONTENT: &[Def] = &[
    id(),
    int("ChannelId"),
    int("SiteId"),
    vc("AddUserName", 255),
    vc("LastEditUserName", 255),
    date("LastEditDate"),
    int("AdminId"),
    int("UserId"),
    int("Taxis"),
    vc("GroupNameCollection", 255),
    vc("Tags", 255),
    int("SourceId"),
    int("ReferenceId"),
    vc("IsChecked", 18),
    int("CheckedLevel"),
    int("Hits"),
    int("HitsByDay"),
    int("HitsByWeek"),
    int("HitsByMonth"),
    date("LastHitsDate"),
    int("Downloads"),
    text("SettingsXml"),
    vc("Title", 255),
    vc("IsTop", 18),
    vc("IsRecommend", 18),
    vc("IsHot", 18),
    vc("IsColor", 18),
    vc("LinkUrl", 200),
    date("AddDate"),
    vc("SubTitle", 255),
    vc("ImageUrl", 200),
    vc("VideoUrl", 200),
    vc("FileUrl", 200),
    text("Content"),
    text("Summary"),
    vc("Author", 255),
    vc("Source", 255),
];

/// The columns of one of the 35 tables.
pub fn columns(table: &str) -> Option<Vec<Column>> {
    TABLES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(table))
        .map(|(_, defs)| defs.iter().map(Def::column).collect())
}

/// The columns of a 6.15 table or of a plugin table the 6.15 updater writes. The GovPublic
/// identifier rules keep their old `SettingsXML`, which 6.15 lost (update-rules §6).
pub fn target_columns(table: &str) -> Option<Vec<Column>> {
    columns(table).or_else(|| {
        let (name, defs) = crate::plugins::TABLES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(table))?;
        let mut cols: Vec<Column> = defs.iter().map(Def::column).collect();
        if *name == "ss_govpublic_identifier_rule" {
            cols.push(text("SettingsXML").column());
        }
        Some(cols)
    })
}

/// The columns of a plugin content table: the content columns, then the plugin's own.
pub fn plugin_content_columns(table: &str) -> Vec<Column> {
    let mut cols = content_columns();
    for (name, defs) in crate::plugins::CONTENT {
        if name.eq_ignore_ascii_case(table) {
            for d in *defs {
                if !cols
                    .iter()
                    .any(|c| c.attribute_name.eq_ignore_ascii_case(d.name))
                {
                    cols.push(d.column());
                }
            }
        }
    }
    cols
}

/// Whether `name` is one of the 35 tables.
pub fn is_system_table(name: &str) -> bool {
    TABLES.iter().any(|(t, _)| t.eq_ignore_ascii_case(name))
}

/// The content columns.
pub fn content_columns() -> Vec<Column> {
    CONTENT.iter().map(Def::column).collect()
}
