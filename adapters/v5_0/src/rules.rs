//! Which old tables feed which 6.15 table, and how their rows change: the 6.15 updater's
//! converters (spec `update-rules.md` §3, §4), with its bugs fixed (§9) and its gaps closed.

/// What a reference column points at, so renumbered ids can be followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ref {
    /// One id.
    One(&'static str),
    /// A comma-separated list of ids.
    List(&'static str),
}

impl Ref {
    pub fn target(self) -> &'static str {
        match self {
            Ref::One(t) | Ref::List(t) => t,
        }
    }
}

/// Per-table steps beyond renaming.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    None,
    Channel,
    Config,
    ContentCheck,
    Site,
    TableStyle,
    User,
}

#[derive(Clone, Copy)]
pub struct Rule {
    pub target: &'static str,
    /// Old tables, in merge order: on colliding ids the first keeps its ids.
    pub sources: &'static [&'static str],
    /// The old id column, in order of preference; the first the table has is the row's id.
    pub id_keys: &'static [&'static str],
    /// Old key → new key, applied in order when the old key is present.
    pub renames: &'static [(&'static str, &'static str)],
    /// Columns (new names) that hold ids of another table.
    pub refs: &'static [(&'static str, Ref)],
    /// The column that takes values with no column of their own.
    pub settings: Option<&'static str>,
    pub special: Special,
}

pub const SITE: &str = "siteserver_Site";
pub const CHANNEL: &str = "siteserver_Channel";
pub const TEMPLATE: &str = "siteserver_Template";
pub const RELATED_FIELD: &str = "siteserver_RelatedField";
pub const RELATED_FIELD_ITEM: &str = "siteserver_RelatedFieldItem";

const SITE_ID: (&str, Ref) = ("SiteId", Ref::One(SITE));
const PS_SITE: (&str, &str) = ("PublishmentSystemId", "SiteId");

pub const fn rule(target: &'static str, sources: &'static [&'static str]) -> Rule {
    Rule {
        target,
        sources,
        id_keys: &["Id"],
        renames: &[],
        refs: &[],
        settings: None,
        special: Special::None,
    }
}

/// One rule per 6.15 table that old data reaches. Tables of the 35 without a rule are created
/// empty. The order is the order of pre-scans: channels before sites, whose ids follow them.
pub const RULES: &[Rule] = &[
    Rule {
        // 6.15 dropped the 4.x/5.0 site list (update-rules §9.9); the 2018 converter kept it.
        renames: &[
            PS_SITE,
            ("PublishmentSystemIdCollection", "SiteIdCollection"),
        ],
        ..rule("siteserver_Administrator", &["bairong_Administrator"])
    },
    rule(
        "siteserver_AdministratorsInRoles",
        &["bairong_AdministratorsInRoles"],
    ),
    Rule {
        id_keys: &["NodeId", "Id"],
        renames: &[
            ("NodeName", "ChannelName"),
            PS_SITE,
            ("NodeIndexName", "IndexName"),
            ("NodeGroupNameCollection", "GroupNameCollection"),
            ("ContentModelId", "ContentModelPluginId"),
        ],
        refs: &[
            SITE_ID,
            ("ParentId", Ref::One(CHANNEL)),
            ("ParentsPath", Ref::List(CHANNEL)),
            ("ChannelTemplateId", Ref::One(TEMPLATE)),
            ("ContentTemplateId", Ref::One(TEMPLATE)),
        ],
        settings: Some("ExtendValues"),
        special: Special::Channel,
        ..rule(CHANNEL, &["siteserver_Node", "wcm_Node"])
    },
    Rule {
        renames: &[("NodeGroupName", "GroupName"), PS_SITE],
        refs: &[SITE_ID],
        ..rule(
            "siteserver_ChannelGroup",
            &["siteserver_NodeGroup", "wcm_NodeGroup"],
        )
    },
    Rule {
        settings: Some("SystemConfig"),
        special: Special::Config,
        ..rule("siteserver_Config", &["bairong_Config"])
    },
    Rule {
        id_keys: &["CheckId", "Id"],
        renames: &[PS_SITE, ("NodeId", "ChannelId")],
        special: Special::ContentCheck,
        ..rule("siteserver_ContentCheck", &["bairong_ContentCheck"])
    },
    Rule {
        renames: &[("ContentGroupName", "GroupName"), PS_SITE],
        refs: &[SITE_ID],
        ..rule(
            "siteserver_ContentGroup",
            &["siteserver_ContentGroup", "wcm_ContentGroup"],
        )
    },
    // 5.0 renamed bairong_Cache to bairong_DbCache; 6.15 only knew the old name. A database
    // upgraded from 4.x has both.
    rule("siteserver_DbCache", &["bairong_DbCache", "bairong_Cache"]),
    // 6.15 abandoned the error log; its columns fit 6.15's table, so it is kept.
    rule("siteserver_ErrorLog", &["bairong_ErrorLog"]),
    Rule {
        id_keys: &["KeywordId", "Id"],
        ..rule("siteserver_Keyword", &["siteserver_Keyword", "wcm_Keyword"])
    },
    // The admin log. `siteserver_Log` is read here only in its 6.x shape (see `sources_of`).
    rule("siteserver_Log", &["bairong_Log"]),
    rule(
        "siteserver_PermissionsInRoles",
        &["bairong_PermissionsInRoles"],
    ),
    // The 5.0 dev line already had 6.x's plugin settings table.
    rule("siteserver_PluginConfig", &["siteserver_PluginConfig"]),
    Rule {
        id_keys: &["RelatedFieldId", "Id"],
        renames: &[("RelatedFieldName", "Title"), PS_SITE],
        refs: &[SITE_ID],
        ..rule(
            RELATED_FIELD,
            &["siteserver_RelatedField", "wcm_RelatedField"],
        )
    },
    Rule {
        refs: &[
            ("RelatedFieldId", Ref::One(RELATED_FIELD)),
            ("ParentId", Ref::One(RELATED_FIELD_ITEM)),
        ],
        ..rule(
            RELATED_FIELD_ITEM,
            &["siteserver_RelatedFieldItem", "wcm_RelatedFieldItem"],
        )
    },
    rule("siteserver_Role", &["bairong_Roles"]),
    Rule {
        // The backup's added `Id` is a row number; the site id is PublishmentSystemId
        // (update-rules §9.2: 6.15 got it right only by key order).
        id_keys: &["PublishmentSystemId", "Id"],
        renames: &[
            ("PublishmentSystemName", "SiteName"),
            ("AuxiliaryTableForContent", "TableName"),
            ("PublishmentSystemDir", "SiteDir"),
            ("IsHeadquarters", "IsRoot"),
            ("ParentPublishmentSystemId", "ParentId"),
        ],
        refs: &[("ParentId", Ref::One(SITE))],
        settings: Some("SettingsXml"),
        special: Special::Site,
        ..rule(
            SITE,
            &["siteserver_PublishmentSystem", "wcm_PublishmentSystem"],
        )
    },
    Rule {
        // The site log before 6.0; `siteserver_Log` only in its old shape.
        renames: &[PS_SITE],
        refs: &[SITE_ID, ("ChannelId", Ref::One(CHANNEL))],
        ..rule("siteserver_SiteLog", &["siteserver_Log", "wcm_Log"])
    },
    Rule {
        renames: &[PS_SITE, ("NodeIdCollection", "ChannelIdCollection")],
        refs: &[SITE_ID, ("ChannelIdCollection", Ref::List(CHANNEL))],
        ..rule(
            "siteserver_SitePermissions",
            &["siteserver_SystemPermissions", "wcm_SystemPermissions"],
        )
    },
    Rule {
        id_keys: &["TableStyleId", "Id"],
        settings: Some("ExtendValues"),
        special: Special::TableStyle,
        ..rule("siteserver_TableStyle", &["bairong_TableStyle"])
    },
    Rule {
        id_keys: &["TableStyleItemId", "Id"],
        ..rule("siteserver_TableStyleItem", &["bairong_TableStyleItem"])
    },
    Rule {
        id_keys: &["TagId", "Id"],
        renames: &[PS_SITE],
        ..rule("siteserver_Tag", &["bairong_Tags"])
    },
    Rule {
        id_keys: &["TemplateId", "Id"],
        renames: &[PS_SITE],
        refs: &[SITE_ID],
        ..rule(TEMPLATE, &["siteserver_Template", "wcm_Template"])
    },
    Rule {
        renames: &[PS_SITE],
        refs: &[SITE_ID, ("TemplateId", Ref::One(TEMPLATE))],
        ..rule(
            "siteserver_TemplateLog",
            &["siteserver_TemplateLog", "wcm_TemplateLog"],
        )
    },
    Rule {
        renames: &[("NodeId", "ChannelId"), PS_SITE],
        refs: &[
            ("ChannelId", Ref::One(CHANNEL)),
            SITE_ID,
            ("ChannelTemplateId", Ref::One(TEMPLATE)),
            ("ContentTemplateId", Ref::One(TEMPLATE)),
        ],
        ..rule(
            "siteserver_TemplateMatch",
            &["siteserver_TemplateMatch", "wcm_TemplateMatch"],
        )
    },
    Rule {
        // 6.15 lost the 4.0+ user id (update-rules §9.8); it is `UserId` there.
        id_keys: &["UserId", "Id"],
        settings: Some("SettingsXml"),
        special: Special::User,
        ..rule("siteserver_User", &["bairong_Users"])
    },
    Rule {
        // The 4.x/5.0 user groups, which users' GroupId points at. The 3.6–4.1
        // `siteserver_UserGroup` (credit ranks) has no 6.x counterpart and is carried.
        id_keys: &["GroupId", "Id"],
        ..rule("siteserver_UserGroup", &["bairong_UserGroup"])
    },
    rule("siteserver_UserLog", &["bairong_UserLog"]),
];

const CHANNEL_ID: (&str, Ref) = ("ChannelId", Ref::One(CHANNEL));
const NODE_CHANNEL: (&str, &str) = ("NodeId", "ChannelId");
pub const GOVPUBLIC_CATEGORY: &str = "ss_govpublic_category";

/// The GovInteract and GovPublic plugin tables (update-rules §3 rows 27–36). 5.0 keeps them as
/// `wcm_Gov*`; a database that came up from 3.6 still has the `siteserver_Gov*` tables of the
/// same shape, which 6.15 did not recognise, so they merge in after the `wcm_` ones.
pub const PLUGIN_RULES: &[Rule] = &[
    Rule {
        renames: &[NODE_CHANNEL, PS_SITE],
        refs: &[SITE_ID, CHANNEL_ID],
        ..rule(
            "ss_govinteract_channel",
            &["wcm_GovInteractChannel", "siteserver_GovInteractChannel"],
        )
    },
    Rule {
        id_keys: &["LogId", "Id"],
        renames: &[PS_SITE, NODE_CHANNEL],
        refs: &[SITE_ID, CHANNEL_ID],
        ..rule(
            "ss_govinteract_log",
            &["wcm_GovInteractLog", "siteserver_GovInteractLog"],
        )
    },
    Rule {
        renames: &[NODE_CHANNEL],
        refs: &[CHANNEL_ID],
        ..rule(
            "ss_govinteract_permissions",
            &[
                "wcm_GovInteractPermissions",
                "siteserver_GovInteractPermissions",
            ],
        )
    },
    Rule {
        id_keys: &["RemarkId", "Id"],
        renames: &[PS_SITE, NODE_CHANNEL],
        refs: &[SITE_ID, CHANNEL_ID],
        ..rule(
            "ss_govinteract_remark",
            &["wcm_GovInteractRemark", "siteserver_GovInteractRemark"],
        )
    },
    Rule {
        id_keys: &["ReplyId", "Id"],
        renames: &[PS_SITE, NODE_CHANNEL],
        refs: &[SITE_ID, CHANNEL_ID],
        ..rule(
            "ss_govinteract_reply",
            &["wcm_GovInteractReply", "siteserver_GovInteractReply"],
        )
    },
    Rule {
        id_keys: &["TypeId", "Id"],
        renames: &[NODE_CHANNEL, PS_SITE],
        refs: &[SITE_ID, CHANNEL_ID],
        ..rule(
            "ss_govinteract_type",
            &["wcm_GovInteractType", "siteserver_GovInteractType"],
        )
    },
    Rule {
        id_keys: &["CategoryId", "Id"],
        renames: &[PS_SITE],
        refs: &[
            SITE_ID,
            ("ParentId", Ref::One(GOVPUBLIC_CATEGORY)),
            ("ParentsPath", Ref::List(GOVPUBLIC_CATEGORY)),
        ],
        ..rule(
            GOVPUBLIC_CATEGORY,
            &["wcm_GovPublicCategory", "siteserver_GovPublicCategory"],
        )
    },
    Rule {
        renames: &[PS_SITE],
        refs: &[SITE_ID],
        ..rule(
            "ss_govpublic_category_class",
            &[
                "wcm_GovPublicCategoryClass",
                "siteserver_GovPublicCategoryClass",
            ],
        )
    },
    Rule {
        id_keys: &["RuleId", "Id"],
        renames: &[PS_SITE],
        refs: &[SITE_ID],
        ..rule(
            "ss_govpublic_identifier_rule",
            &[
                "wcm_GovPublicIdentifierRule",
                "siteserver_GovPublicIdentifierRule",
            ],
        )
    },
    Rule {
        id_keys: &["SeqId", "Id"],
        renames: &[PS_SITE, NODE_CHANNEL],
        refs: &[SITE_ID, CHANNEL_ID],
        ..rule(
            "ss_govpublic_identifier_seq",
            &[
                "wcm_GovPublicIdentifierSeq",
                "siteserver_GovPublicIdentifierSeq",
            ],
        )
    },
];

/// The site columns that name plugin content tables, with the 6.x table their rows go to
/// (update-rules §3 rows 37–39, §5.1), in the order 6.15 tests them. `AuxiliaryTableForVote`
/// has no 6.x table: vote contents are carried.
pub const PLUGIN_CONTENT: &[(&str, &str)] = &[
    ("AuxiliaryTableForGovPublic", "ss_govpublic_content"),
    ("AuxiliaryTableForGovInteract", "ss_govinteract_content"),
    ("AuxiliaryTableForJob", "ss_jobs"),
];

/// Every rule: the 6.15 tables' first, then the plugin tables'.
pub fn all_rules() -> impl Iterator<Item = &'static Rule> {
    RULES.iter().chain(PLUGIN_RULES)
}

/// The content-table renames (update-rules §5.2), old key → new key; the rest keep their names.
pub const CONTENT_RENAMES: &[(&str, &str)] = &[
    ("NodeId", "ChannelId"),
    ("PublishmentSystemId", "SiteId"),
    ("ContentGroupNameCollection", "GroupNameCollection"),
];

/// The channel's content model, renamed to the plugin that took it over in 6.x (update-rules
/// §3 row 3). Exact, case-sensitive matches only, as in 6.15.
pub const CONTENT_MODEL_PLUGINS: &[(&str, &str)] = &[
    ("GovInteract", "SS.GovInteract"),
    ("GovPublic", "SS.GovPublic"),
    ("Job", "SS.Jobs"),
];

pub fn rule_for(target: &str) -> Option<&'static Rule> {
    all_rules().find(|r| r.target.eq_ignore_ascii_case(target))
}

/// Old table names that became another table, for values that name a table (table styles).
/// The two logs are left out: their old names mean something else in 6.x.
pub fn renamed_table(old: &str) -> Option<&'static str> {
    RULES
        .iter()
        .filter(|r| !matches!(r.target, "siteserver_Log" | "siteserver_SiteLog"))
        .find(|r| {
            r.sources
                .iter()
                .any(|s| s.eq_ignore_ascii_case(old) && !s.eq_ignore_ascii_case(r.target))
        })
        .map(|r| r.target)
}

/// The prefix that tells which family of tables a table belongs to (`siteserver`, `wcm`,
/// `bairong`, …): references are followed within a family.
pub fn family(table: &str) -> String {
    table
        .split_once('_')
        .map_or(table, |(p, _)| p)
        .to_ascii_lowercase()
}
