// Generated from the spec (`upgrade-hops.json` hop 3.6 -> 4.0, `old-schemas.json`); facts only.

use crate::Created;

/// Tables hop 1 creates when they are missing.
pub const CREATED: &[Created] = &[
    Created {
        name: "bairong_AjaxUrl",
        columns: "
        SN varchar(50) pk,
        AjaxUrl varchar(200),
        Parameters ntext
        ",
    },
    Created {
        name: "siteserver_TemplateLog",
        columns: "
        ID int pk identity,
        TemplateID int,
        PublishmentSystemID int,
        AddDate datetime,
        AddUserName nvarchar(255),
        ContentLength int,
        TemplateContent ntext
        ",
    },
    Created {
        name: "siteserver_ThirdLogin",
        columns: "
        ID int pk identity,
        PublishmentSystemID int,
        ThirdLoginType varchar(50),
        ThirdLoginName nvarchar(50),
        IsEnabled varchar(18),
        Taxis int,
        Description nvarchar(255),
        SettingsXML ntext
        ",
    },
];

/// Tables the Platform/CMS 3_63 folders create, run only for sources below 3.6.3.
pub const CREATED_BELOW_3_6_3: &[Created] = &[
    Created {
        name: "bairong_CloudStorage",
        columns: "
        StorageID int pk,
        ProviderType varchar(50),
        SettingsXML ntext
        ",
    },
    Created {
        name: "bairong_FTPStorage",
        columns: "
        StorageID int pk,
        Server varchar(200),
        Port int,
        UserName varchar(200),
        Password varchar(200),
        IsPassiveMode varchar(18)
        ",
    },
    Created {
        name: "bairong_LocalStorage",
        columns: "
        StorageID int pk,
        DirectoryPath nvarchar(255)
        ",
    },
    Created {
        name: "bairong_Storage",
        columns: "
        StorageID int pk identity,
        StorageName nvarchar(50),
        StorageUrl varchar(200),
        StorageType varchar(50),
        IsEnabled varchar(18),
        Description nvarchar(255),
        AddDate datetime
        ",
    },
    Created {
        name: "bairong_Task",
        columns: "
        TaskID int pk identity,
        TaskName nvarchar(50),
        ProductID varchar(50),
        IsSystemTask varchar(18),
        PublishmentSystemID int,
        ServiceType varchar(50),
        ServiceParameters ntext,
        FrequencyType varchar(50),
        PeriodIntervalMinute int,
        StartDay int,
        StartWeekday int,
        StartHour int,
        IsEnabled varchar(18),
        AddDate datetime,
        LastExecuteDate datetime,
        Description nvarchar(255)
        ",
    },
    Created {
        name: "bairong_TaskLog",
        columns: "
        ID int pk identity,
        TaskID int,
        IsSuccess varchar(18),
        ErrorMessage nvarchar(255),
        StackTrace ntext,
        SubtaskErrors ntext,
        AddDate datetime
        ",
    },
    Created {
        name: "siteserver_GovPublicIdentifierSeq",
        columns: "
        SeqID int pk identity,
        PublishmentSystemID int,
        NodeID int,
        DepartmentID int,
        AddYear int,
        Sequence int
        ",
    },
];

/// Every table of a 3.6 database (old-schemas 3.6); tables outside this list and the content
/// tables are left to the engine, which carries them and says so.
pub const KNOWN: &[&str] = &[
    "bairong_Administrator",
    "bairong_AdministratorsInRoles",
    "bairong_Area",
    "bairong_Cache",
    "bairong_CloudStorage",
    "bairong_Config",
    "bairong_ContentCheck",
    "bairong_ContentModel",
    "bairong_Count",
    "bairong_Department",
    "bairong_Digg",
    "bairong_FTPStorage",
    "bairong_IP2City",
    "bairong_LocalStorage",
    "bairong_Log",
    "bairong_Module",
    "bairong_PermissionsInRoles",
    "bairong_Roles",
    "bairong_SMSMessages",
    "bairong_SSOApp",
    "bairong_Storage",
    "bairong_TableCollection",
    "bairong_TableMatch",
    "bairong_TableMetadata",
    "bairong_TableStyle",
    "bairong_TableStyleItem",
    "bairong_Tags",
    "bairong_Task",
    "bairong_TaskLog",
    "bairong_UserBinding",
    "bairong_UserConfig",
    "bairong_UserContact",
    "bairong_UserCreditsLog",
    "bairong_UserDownload",
    "bairong_UserMessage",
    "bairong_UserType",
    "bairong_Users",
    "siteserver_Ad",
    "siteserver_Advertisement",
    "siteserver_Comment",
    "siteserver_CommentContent",
    "siteserver_Configuration",
    "siteserver_ContentGroup",
    "siteserver_GatherDatabaseRule",
    "siteserver_GatherFileRule",
    "siteserver_GatherRule",
    "siteserver_GovInteractChannel",
    "siteserver_GovInteractLog",
    "siteserver_GovInteractPermissions",
    "siteserver_GovInteractRemark",
    "siteserver_GovInteractReply",
    "siteserver_GovInteractType",
    "siteserver_GovPublicApply",
    "siteserver_GovPublicApplyLog",
    "siteserver_GovPublicApplyRemark",
    "siteserver_GovPublicApplyReply",
    "siteserver_GovPublicCategory",
    "siteserver_GovPublicCategoryClass",
    "siteserver_GovPublicChannel",
    "siteserver_GovPublicIdentifierRule",
    "siteserver_GovPublicIdentifierSeq",
    "siteserver_InnerLink",
    "siteserver_Input",
    "siteserver_InputContent",
    "siteserver_Keyword",
    "siteserver_Log",
    "siteserver_MailSendLog",
    "siteserver_MailSubscribe",
    "siteserver_MenuDisplay",
    "siteserver_Node",
    "siteserver_NodeGroup",
    "siteserver_PhotoContent",
    "siteserver_PublishmentSystem",
    "siteserver_RelatedField",
    "siteserver_RelatedFieldItem",
    "siteserver_ResumeContent",
    "siteserver_SeoMeta",
    "siteserver_SeoMetasInNodes",
    "siteserver_SigninLog",
    "siteserver_SigninSetting",
    "siteserver_SigninUserContentID",
    "siteserver_Star",
    "siteserver_StarSetting",
    "siteserver_StlTag",
    "siteserver_SystemPermissions",
    "siteserver_TagStyle",
    "siteserver_Template",
    "siteserver_TemplateMatch",
    "siteserver_TemplateRule",
    "siteserver_TouGaoSetting",
    "siteserver_Tracking",
    "siteserver_UserGroup",
    "siteserver_Users",
    "siteserver_VoteOperation",
    "siteserver_VoteOption",
];
