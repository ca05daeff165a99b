//! Which 6.x table feeds which 7.4 table, and how its rows change: the 7.4 updater's converters
//! (spec `update-rules.md` §12), plus the mappings it misses (§12.3, last list), so that every
//! 6.x value reaches a 7.4 column or the row's `ExtendValues`.

/// Per-table steps beyond the generic ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    None,
    /// `DatabaseVersion` becomes 7.4's, so 7.4 does not ask for a database sync.
    Config,
    /// `Content` gets the `@upload` fix.
    Channel,
    /// `SiteId` from the item's related field (7.4 has the column, 6.x did not).
    RelatedFieldItem,
    /// `IsGroup` says whether the menu is limited to `GroupIds`.
    UserMenu,
    /// `GroupId` is used up: a group becomes a `siteserver_UsersInGroups` row, 0 is none.
    User,
    /// Tags, `@upload` fix of the body.
    Content,
}

#[derive(Clone, Copy)]
pub struct Rule {
    pub target: &'static str,
    /// The 6.x table.
    pub source: &'static str,
    /// Old column → new column, applied when the old one is present.
    pub renames: &'static [(&'static str, &'static str)],
    /// The column whose date becomes `CreatedDate`.
    pub created: Option<&'static str>,
    /// The column whose date becomes `LastModifiedDate`; `created` when there is none.
    pub modified: Option<&'static str>,
    /// The 6.x settings column that becomes the JSON of `ExtendValues`.
    pub settings: Option<&'static str>,
    /// `(user-name column, admin-id column)`: 7.4 keeps the administrator's id, not the name.
    pub admins: &'static [(&'static str, &'static str)],
    pub special: Special,
}

pub const fn rule(target: &'static str, source: &'static str) -> Rule {
    Rule {
        target,
        source,
        renames: &[],
        created: None,
        modified: None,
        settings: None,
        admins: &[],
        special: Special::None,
    }
}

pub const ADMINISTRATOR: &str = "siteserver_Administrator";
pub const RELATED_FIELD: &str = "siteserver_RelatedField";
pub const SITE: &str = "siteserver_Site";
pub const USER: &str = "siteserver_User";
pub const USERS_IN_GROUPS: &str = "siteserver_UsersInGroups";

/// One rule per 7.4 table that 6.x data reaches. The other 7.4 tables are created empty.
pub const RULES: &[Rule] = &[
    Rule {
        created: Some("AddDate"),
        modified: Some("UpdatedDate"),
        ..rule("siteserver_AccessToken", "siteserver_AccessToken")
    },
    Rule {
        // 7.4's updater maps neither the site list nor the creation date.
        renames: &[("IsLockedOut", "Locked"), ("SiteIdCollection", "SiteIds")],
        created: Some("CreationDate"),
        ..rule(ADMINISTRATOR, ADMINISTRATOR)
    },
    rule(
        "siteserver_AdministratorsInRoles",
        "siteserver_AdministratorsInRoles",
    ),
    Rule {
        renames: &[("GroupNameCollection", "GroupNames")],
        created: Some("AddDate"),
        settings: Some("ExtendValues"),
        special: Special::Channel,
        ..rule("siteserver_Channel", "siteserver_Channel")
    },
    rule("siteserver_ChannelGroup", "siteserver_ChannelGroup"),
    Rule {
        // 7.4 keeps every setting but the version in ExtendValues; its updater drops them.
        created: Some("UpdateDate"),
        settings: Some("SystemConfig"),
        special: Special::Config,
        ..rule("siteserver_Config", "siteserver_Config")
    },
    Rule {
        renames: &[("IsChecked", "Checked")],
        created: Some("CheckDate"),
        admins: &[("UserName", "AdminId")],
        ..rule("siteserver_ContentCheck", "siteserver_ContentCheck")
    },
    rule("siteserver_ContentGroup", "siteserver_ContentGroup"),
    Rule {
        // 7.4 renamed the tag table (update-rules §12.3).
        renames: &[("Tag", "TagName"), ("ContentIdCollection", "ContentIds")],
        ..rule("siteserver_ContentTag", "siteserver_Tag")
    },
    Rule {
        created: Some("AddDate"),
        ..rule("siteserver_DbCache", "siteserver_DbCache")
    },
    Rule {
        created: Some("AddDate"),
        ..rule("siteserver_ErrorLog", "siteserver_ErrorLog")
    },
    Rule {
        // 7.4's log has the administrator's id and no name or date columns.
        created: Some("AddDate"),
        admins: &[("UserName", "AdminId")],
        ..rule("siteserver_Log", "siteserver_Log")
    },
    Rule {
        renames: &[("GeneralPermissions", "AppPermissions")],
        ..rule(
            "siteserver_PermissionsInRoles",
            "siteserver_PermissionsInRoles",
        )
    },
    rule("siteserver_PluginConfig", "siteserver_PluginConfig"),
    Rule {
        renames: &[("ItemName", "Label"), ("ItemValue", "Value")],
        special: Special::RelatedFieldItem,
        ..rule("siteserver_RelatedFieldItem", "siteserver_RelatedFieldItem")
    },
    rule(RELATED_FIELD, RELATED_FIELD),
    rule("siteserver_Role", "siteserver_Role"),
    Rule {
        created: Some("AddDate"),
        admins: &[("UserName", "AdminId")],
        ..rule("siteserver_SiteLog", "siteserver_SiteLog")
    },
    Rule {
        // Site-wide permissions were `WebsitePermissions`, channel ones `ChannelPermissions`.
        renames: &[
            ("ChannelIdCollection", "ChannelIds"),
            ("WebsitePermissions", "Permissions"),
            ("ChannelPermissions", "ContentPermissions"),
        ],
        ..rule("siteserver_SitePermissions", "siteserver_SitePermissions")
    },
    Rule {
        // 7.4's updater leaves the site's settings behind.
        renames: &[("IsRoot", "Root")],
        settings: Some("SettingsXml"),
        ..rule(SITE, SITE)
    },
    Rule {
        created: Some("AddDate"),
        ..rule("siteserver_Special", "siteserver_Special")
    },
    Rule {
        renames: &[("IsVisibleInList", "List"), ("IsHorizontal", "Horizontal")],
        settings: Some("ExtendValues"),
        ..rule("siteserver_TableStyle", "siteserver_TableStyle")
    },
    Rule {
        created: Some("AddDate"),
        admins: &[("AddUserName", "AdminId")],
        ..rule("siteserver_TemplateLog", "siteserver_TemplateLog")
    },
    Rule {
        renames: &[("IsDefault", "DefaultTemplate")],
        ..rule("siteserver_Template", "siteserver_Template")
    },
    rule("siteserver_UserGroup", "siteserver_UserGroup"),
    Rule {
        renames: &[
            ("GroupIdCollection", "GroupIds"),
            ("IsDisabled", "Disabled"),
            ("Href", "Link"),
        ],
        special: Special::UserMenu,
        ..rule("siteserver_UserMenu", "siteserver_UserMenu")
    },
    Rule {
        renames: &[("IsChecked", "Checked"), ("IsLockedOut", "Locked")],
        created: Some("CreateDate"),
        settings: Some("SettingsXml"),
        special: Special::User,
        ..rule(USER, USER)
    },
];

/// A content table: the 7.4 content converter's renames (update-rules §12.3) with the flags,
/// and the columns 7.4 turned into administrator ids.
pub const CONTENT: Rule = Rule {
    renames: &[
        ("GroupNameCollection", "GroupNames"),
        ("Tags", "TagNames"),
        ("Content", "Body"),
        ("IsChecked", "Checked"),
        ("IsTop", "Top"),
        ("IsRecommend", "Recommend"),
        ("IsHot", "Hot"),
        ("IsColor", "Color"),
    ],
    created: Some("AddDate"),
    modified: Some("LastEditDate"),
    settings: Some("SettingsXml"),
    admins: &[
        ("AddUserName", "AdminId"),
        ("LastEditUserName", "LastEditAdminId"),
    ],
    special: Special::Content,
    ..rule("", "")
};

/// The 6.15 tables 7.4 no longer has (spec target-schema §4): carried unchanged.
pub const DROPPED_IN_7_4: &[&str] = &[
    "siteserver_Keyword",
    "siteserver_LibraryGroup",
    "siteserver_LibraryImage",
    "siteserver_LibraryText",
    "siteserver_Plugin",
    "siteserver_TableStyleItem",
    "siteserver_TemplateMatch",
    "siteserver_UserLog",
];

pub fn rule_for(target: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.target.eq_ignore_ascii_case(target))
}
