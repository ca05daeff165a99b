// Generated from the spec (`old-schemas.json`, version 4.0, `tables`); facts only.

/// The tables a fresh 4.0 install creates, with their columns: where a chain stops at 4.0,
/// those the hop did not write are added empty.
pub const INSTALL: &[(&str, &str)] = &[
    (
        "bairong_Administrator",
        "
        UserName nvarchar(255) pk,
        Password nvarchar(255),
        PasswordFormat varchar(50),
        PasswordSalt nvarchar(128),
        CreationDate datetime,
        LastActivityDate datetime,
        LastProductID varchar(50),
        CountOfLogin int,
        CreatorUserName nvarchar(255),
        IsLockedOut varchar(18),
        PublishmentSystemIDCollection varchar(50),
        PublishmentSystemID int,
        DepartmentID int,
        AreaID int,
        DisplayName nvarchar(255),
        Question nvarchar(255),
        Answer nvarchar(255),
        Email nvarchar(255),
        Mobile varchar(20),
        Theme varchar(50),
        Language varchar(50)
        ",
    ),
    (
        "bairong_AdministratorsInRoles",
        "
        RoleName nvarchar(255) pk,
        UserName nvarchar(255) pk
        ",
    ),
    (
        "bairong_AjaxUrl",
        "
        SN varchar(50) pk,
        AjaxUrl varchar(200),
        Parameters ntext
        ",
    ),
    (
        "bairong_Area",
        "
        AreaID int pk identity,
        AreaName nvarchar(255),
        ParentID int,
        ParentsPath nvarchar(255),
        ParentsCount int,
        ChildrenCount int,
        IsLastNode varchar(18),
        Taxis int,
        CountOfAdmin int
        ",
    ),
    (
        "bairong_Cache",
        "
        CacheKey varchar(200) pk,
        CacheValue ntext
        ",
    ),
    (
        "bairong_CloudStorage",
        "
        StorageID int pk,
        ProviderType varchar(50),
        SettingsXML ntext
        ",
    ),
    (
        "bairong_Config",
        "
        IsInitialized varchar(18),
        DatabaseVersion varchar(50),
        RestrictionBlackList nvarchar(255),
        RestrictionWhiteList nvarchar(255),
        IsRelatedUrl varchar(18),
        RootUrl varchar(200),
        UpdateDate datetime,
        SettingsXML ntext
        ",
    ),
    (
        "bairong_ContentCheck",
        "
        CheckID int pk identity,
        TableName varchar(50),
        PublishmentSystemID int,
        NodeID int,
        ContentID int,
        IsAdmin varchar(18),
        UserName nvarchar(255),
        IsChecked varchar(18),
        CheckedLevel int,
        CheckDate datetime,
        Reasons nvarchar(255)
        ",
    ),
    (
        "bairong_ContentModel",
        "
        ModelID varchar(50) pk,
        ProductID varchar(50),
        SiteID int,
        ModelName nvarchar(50),
        IsSystem varchar(18),
        TableName varchar(200),
        TableType varchar(50),
        IconUrl varchar(50),
        Description nvarchar(255)
        ",
    ),
    (
        "bairong_Count",
        "
        CountID int pk identity,
        ApplicationName varchar(50),
        RelatedTableName nvarchar(255),
        RelatedIdentity nvarchar(255),
        CountType varchar(50),
        CountNum int
        ",
    ),
    (
        "bairong_Department",
        "
        DepartmentID int pk identity,
        DepartmentName nvarchar(255),
        Code varchar(50),
        ParentID int,
        ParentsPath nvarchar(255),
        ParentsCount int,
        ChildrenCount int,
        IsLastNode varchar(18),
        Taxis int,
        AddDate datetime,
        Summary nvarchar(255),
        CountOfAdmin int
        ",
    ),
    (
        "bairong_Digg",
        "
        DiggID int pk identity,
        PublishmentSystemID int,
        RelatedIdentity int,
        Good int,
        Bad int
        ",
    ),
    (
        "bairong_ErrorLog",
        "
        ID int pk identity,
        AddDate datetime,
        Message nvarchar(255),
        Stacktrace ntext,
        Summary ntext
        ",
    ),
    (
        "bairong_FTPStorage",
        "
        StorageID int pk,
        Server varchar(200),
        Port int,
        UserName varchar(200),
        Password varchar(200),
        IsPassiveMode varchar(18)
        ",
    ),
    (
        "bairong_IP2City",
        "
        ID int pk identity,
        StartNum float,
        EndNum float,
        Province nvarchar(50),
        City nvarchar(50)
        ",
    ),
    (
        "bairong_LocalStorage",
        "
        StorageID int pk,
        DirectoryPath nvarchar(255)
        ",
    ),
    (
        "bairong_Log",
        "
        ID int pk identity,
        UserName varchar(50),
        IPAddress varchar(50),
        AddDate datetime,
        Action nvarchar(255),
        Summary nvarchar(255)
        ",
    ),
    (
        "bairong_PermissionsInRoles",
        "
        RoleName nvarchar(255) pk,
        GeneralPermissions text
        ",
    ),
    (
        "bairong_Roles",
        "
        RoleName nvarchar(255) pk,
        ProductIDCollection varchar(200),
        CreatorUserName nvarchar(255),
        Description nvarchar(255)
        ",
    ),
    (
        "bairong_SMSMessages",
        "
        ID int pk identity,
        MobilesList ntext,
        SMSContent nvarchar(1000),
        SendDate datetime,
        SMSUserName nvarchar(255)
        ",
    ),
    (
        "bairong_Storage",
        "
        StorageID int pk identity,
        StorageName nvarchar(50),
        StorageUrl varchar(200),
        StorageType varchar(50),
        IsEnabled varchar(18),
        Description nvarchar(255),
        AddDate datetime
        ",
    ),
    (
        "bairong_TableCollection",
        "
        TableENName varchar(50) pk,
        TableCNName nvarchar(50),
        AttributeNum int,
        AuxiliaryTableType varchar(50),
        IsCreatedInDB varchar(18),
        IsChangedAfterCreatedInDB varchar(18),
        IsDefault varchar(18),
        Description ntext
        ",
    ),
    (
        "bairong_TableMatch",
        "
        TableMatchID int pk identity,
        ConnectionString varchar(200),
        TableName varchar(200),
        ConnectionStringToMatch varchar(200),
        TableNameToMatch varchar(200),
        ColumnsMap ntext
        ",
    ),
    (
        "bairong_TableMetadata",
        "
        TableMetadataID int pk identity,
        AuxiliaryTableENName varchar(50),
        AttributeName varchar(50),
        DataType varchar(50),
        DataLength int,
        CanBeNull varchar(18),
        DBDefaultValue nvarchar(255),
        Taxis int,
        IsSystem varchar(18)
        ",
    ),
    (
        "bairong_TableStyle",
        "
        TableStyleID int pk identity,
        RelatedIdentity int,
        TableName varchar(50),
        AttributeName varchar(50),
        Taxis int,
        DisplayName nvarchar(255),
        HelpText varchar(255),
        IsVisible varchar(18),
        IsVisibleInList varchar(18),
        IsSingleLine varchar(18),
        InputType varchar(50),
        IsRequired varchar(18),
        DefaultValue varchar(255),
        IsHorizontal varchar(18),
        ExtendValues ntext
        ",
    ),
    (
        "bairong_TableStyleItem",
        "
        TableStyleItemID int pk identity,
        TableStyleID int,
        ItemTitle varchar(255),
        ItemValue varchar(255),
        IsSelected varchar(18)
        ",
    ),
    (
        "bairong_Tags",
        "
        TagID int pk identity,
        ProductID varchar(50),
        PublishmentSystemID int,
        ContentIDCollection nvarchar(255),
        Tag nvarchar(255),
        UseNum int
        ",
    ),
    (
        "bairong_Task",
        "
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
    ),
    (
        "bairong_TaskLog",
        "
        ID int pk identity,
        TaskID int,
        IsSuccess varchar(18),
        ErrorMessage nvarchar(255),
        StackTrace ntext,
        SubtaskErrors ntext,
        AddDate datetime
        ",
    ),
    (
        "bairong_UserBinding",
        "
        UserName nvarchar(255) pk,
        BindingType varchar(50),
        BindingID int,
        BindingName nvarchar(255)
        ",
    ),
    (
        "bairong_UserConfig",
        "
        SettingsXML ntext
        ",
    ),
    (
        "bairong_UserContact",
        "
        ID int pk identity,
        RelatedUserName nvarchar(255),
        CreateUserName nvarchar(255),
        Taxis int,
        FullName nvarchar(50),
        AvatarUrl varchar(200),
        Summary nvarchar(255),
        Tel varchar(50),
        Mobile varchar(200),
        Email varchar(200),
        QQ varchar(50),
        Birthday varchar(50),
        Organization nvarchar(50),
        Department nvarchar(50),
        Position nvarchar(50),
        Address nvarchar(255),
        Website varchar(200)
        ",
    ),
    (
        "bairong_UserCreditsLog",
        "
        ID int pk identity,
        UserName nvarchar(255),
        ProductID varchar(50),
        IsIncreased varchar(18),
        Num int,
        Action nvarchar(255),
        Description nvarchar(255),
        AddDate datetime
        ",
    ),
    (
        "bairong_UserDownload",
        "
        ID int pk identity,
        CreateUserName nvarchar(255),
        Taxis int,
        Downloads int,
        FileName nvarchar(255),
        FileUrl varchar(200),
        Summary nvarchar(255),
        AddDate datetime
        ",
    ),
    (
        "bairong_UserGroup",
        "
        GroupID int pk identity,
        GroupSN nvarchar(255),
        GroupName nvarchar(50),
        GroupType varchar(50),
        CreditsFrom int,
        CreditsTo int,
        Stars int,
        Color varchar(10),
        ExtendValues ntext
        ",
    ),
    (
        "bairong_UserMessage",
        "
        ID int pk identity,
        MessageFrom nvarchar(255),
        MessageTo nvarchar(255),
        MessageType varchar(50),
        ParentID int,
        IsViewed varchar(18),
        AddDate datetime,
        Content ntext,
        LastAddDate datetime,
        LastContent ntext
        ",
    ),
    (
        "bairong_Users",
        "
        UserID int pk identity,
        GroupSN nvarchar(255),
        UserName nvarchar(255),
        Password nvarchar(255),
        PasswordFormat varchar(50),
        PasswordSalt nvarchar(128),
        GroupID int,
        Credits int,
        CreateDate datetime,
        CreateIPAddress varchar(50),
        CreateUserName nvarchar(255),
        PointCount int,
        LastActivityDate datetime,
        IsChecked varchar(18),
        IsLockedOut varchar(18),
        IsTemporary varchar(18),
        DisplayName nvarchar(255),
        Email nvarchar(255),
        Mobile varchar(20),
        OnlineSeconds int,
        AvatarLarge varchar(200),
        AvatarMiddle varchar(200),
        AvatarSmall varchar(200),
        Signature nvarchar(255),
        SettingsXML ntext
        ",
    ),
    (
        "siteserver_AdArea",
        "
        AdAreaID int pk identity,
        PublishmentSystemID int,
        AdAreaName nvarchar(50),
        Width int,
        Height int,
        Summary nvarchar(255),
        IsEnabled varchar(18),
        AddDate datetime
        ",
    ),
    (
        "siteserver_AdMaterial",
        "
        AdMaterialID int pk identity,
        PublishmentSystemID int,
        AdvID int,
        AdvertID int,
        AdMaterialName nvarchar(50),
        AdMaterialType varchar(50),
        Code ntext,
        TextWord nvarchar(255),
        TextLink varchar(200),
        TextColor varchar(10),
        TextFontSize int,
        ImageUrl varchar(200),
        ImageLink varchar(200),
        ImageWidth int,
        ImageHeight int,
        ImageAlt nvarchar(50),
        Weight int,
        IsEnabled varchar(18)
        ",
    ),
    (
        "siteserver_Adv",
        "
        AdvID int pk identity,
        PublishmentSystemID int,
        AdAreaID int,
        AdvName nvarchar(50),
        Summary nvarchar(255),
        IsEnabled varchar(18),
        IsDateLimited varchar(18),
        StartDate datetime,
        EndDate datetime,
        LevelType nvarchar(50),
        Level int,
        IsWeight varchar(18),
        Weight int,
        RotateType nvarchar(50),
        RotateInterval int,
        NodeIDCollectionToChannel nvarchar(255),
        NodeIDCollectionToContent nvarchar(255),
        FileTemplateIDCollection nvarchar(255)
        ",
    ),
    (
        "siteserver_Advertisement",
        "
        AdvertisementName varchar(50) pk,
        PublishmentSystemID int pk,
        AdvertisementType varchar(50),
        NavigationUrl varchar(200),
        IsDateLimited varchar(18),
        StartDate datetime,
        EndDate datetime,
        AddDate datetime,
        NodeIDCollectionToChannel nvarchar(255),
        NodeIDCollectionToContent nvarchar(255),
        FileTemplateIDCollection nvarchar(255),
        Settings ntext
        ",
    ),
    (
        "siteserver_Comment",
        "
        CommentID int pk identity,
        CommentName nvarchar(50),
        PublishmentSystemID int,
        ApplyStyleID int,
        QueryStyleID int,
        Taxis int,
        Summary nvarchar(255)
        ",
    ),
    (
        "siteserver_CommentContent",
        "
        ID int pk identity,
        CommentID int,
        PublishmentSystemID int,
        NodeID int,
        ContentID int,
        ReferenceID int,
        Good int,
        Bad int,
        UserName nvarchar(255),
        IPAddress varchar(50),
        Location nvarchar(255),
        AddDate datetime,
        Taxis int,
        IsChecked varchar(18),
        Attribute1 nvarchar(255),
        Attribute2 nvarchar(255),
        Attribute3 nvarchar(255),
        Attribute4 nvarchar(255),
        Attribute5 nvarchar(255),
        Content ntext,
        SettingsXML ntext
        ",
    ),
    (
        "siteserver_ContentGroup",
        "
        ContentGroupName nvarchar(255) pk,
        PublishmentSystemID int pk,
        Taxis int,
        Description ntext
        ",
    ),
    (
        "siteserver_GatherDatabaseRule",
        "
        GatherRuleName nvarchar(50) pk,
        PublishmentSystemID int pk,
        DatabaseType varchar(50),
        ConnectionString varchar(255),
        RelatedTableName varchar(255),
        RelatedIdentity varchar(255),
        RelatedOrderBy varchar(255),
        WhereString nvarchar(255),
        TableMatchID int,
        NodeID int,
        GatherNum int,
        IsChecked varchar(18),
        IsOrderByDesc varchar(18),
        LastGatherDate datetime
        ",
    ),
    (
        "siteserver_GatherFileRule",
        "
        GatherRuleName nvarchar(50) pk,
        PublishmentSystemID int pk,
        GatherUrl nvarchar(255),
        Charset varchar(50),
        LastGatherDate datetime,
        IsToFile varchar(18),
        FilePath nvarchar(255),
        IsSaveRelatedFiles varchar(18),
        IsRemoveScripts varchar(18),
        StyleDirectoryPath nvarchar(255),
        ScriptDirectoryPath nvarchar(255),
        ImageDirectoryPath nvarchar(255),
        NodeID int,
        IsSaveImage varchar(18),
        IsChecked varchar(18),
        ContentExclude ntext,
        ContentHtmlClearCollection nvarchar(255),
        ContentHtmlClearTagCollection nvarchar(255),
        ContentTitleStart ntext,
        ContentTitleEnd ntext,
        ContentContentStart ntext,
        ContentContentEnd ntext,
        ContentAttributes ntext,
        ContentAttributesXML ntext
        ",
    ),
    (
        "siteserver_GatherRule",
        "
        GatherRuleName nvarchar(50) pk,
        PublishmentSystemID int pk,
        CookieString text,
        GatherUrlIsCollection varchar(18),
        GatherUrlCollection text,
        GatherUrlIsSerialize varchar(18),
        GatherUrlSerialize varchar(200),
        SerializeFrom int,
        SerializeTo int,
        SerializeInterval int,
        SerializeIsOrderByDesc varchar(18),
        SerializeIsAddZero varchar(18),
        NodeID int,
        Charset varchar(50),
        UrlInclude varchar(200),
        TitleInclude nvarchar(255),
        ContentExclude ntext,
        ContentHtmlClearCollection nvarchar(255),
        ContentHtmlClearTagCollection nvarchar(255),
        LastGatherDate datetime,
        ListAreaStart ntext,
        ListAreaEnd ntext,
        ContentChannelStart ntext,
        ContentChannelEnd ntext,
        ContentTitleStart ntext,
        ContentTitleEnd ntext,
        ContentContentStart ntext,
        ContentContentEnd ntext,
        ContentNextPageStart ntext,
        ContentNextPageEnd ntext,
        ContentAttributes ntext,
        ContentAttributesXML ntext,
        ExtendValues ntext
        ",
    ),
    (
        "siteserver_InnerLink",
        "
        InnerLinkName nvarchar(255) pk,
        PublishmentSystemID int pk,
        LinkUrl varchar(200)
        ",
    ),
    (
        "siteserver_Input",
        "
        InputID int pk identity,
        InputName nvarchar(50),
        PublishmentSystemID int,
        AddDate datetime,
        IsChecked varchar(18),
        IsReply varchar(18),
        Taxis int,
        IsTemplate varchar(18),
        StyleTemplate ntext,
        ScriptTemplate ntext,
        ContentTemplate ntext,
        SettingsXML ntext
        ",
    ),
    (
        "siteserver_InputContent",
        "
        ID int pk identity,
        InputID int,
        Taxis int,
        IsChecked varchar(18),
        UserName nvarchar(255),
        IPAddress varchar(50),
        Location nvarchar(50),
        AddDate datetime,
        Reply ntext,
        SettingsXML ntext
        ",
    ),
    (
        "siteserver_Keyword",
        "
        KeywordID int pk identity,
        Keyword nvarchar(50),
        Alternative nvarchar(50),
        Grade nvarchar(50)
        ",
    ),
    (
        "siteserver_Log",
        "
        ID int pk identity,
        PublishmentSystemID int,
        ChannelID int,
        ContentID int,
        UserName varchar(50),
        IPAddress varchar(50),
        AddDate datetime,
        Action nvarchar(255),
        Summary nvarchar(255)
        ",
    ),
    (
        "siteserver_MailSendLog",
        "
        ID int pk identity,
        PublishmentSystemID int,
        ChannelID int,
        ContentID int,
        Title nvarchar(255),
        PageUrl varchar(200),
        Receiver nvarchar(255),
        Mail nvarchar(255),
        Sender nvarchar(255),
        IPAddress varchar(50),
        AddDate datetime
        ",
    ),
    (
        "siteserver_MailSubscribe",
        "
        ID int pk identity,
        PublishmentSystemID int,
        Receiver nvarchar(255),
        Mail nvarchar(255),
        IPAddress varchar(50),
        AddDate datetime
        ",
    ),
    (
        "siteserver_MenuDisplay",
        "
        MenuDisplayID int pk identity,
        PublishmentSystemID int,
        MenuDisplayName varchar(50),
        Vertical varchar(50),
        FontFamily varchar(200),
        FontSize int,
        FontWeight varchar(50),
        FontStyle varchar(50),
        MenuItemHAlign varchar(50),
        MenuItemVAlign varchar(50),
        FontColor varchar(50),
        MenuItemBgColor varchar(50),
        FontColorHilite varchar(50),
        MenuHiliteBgColor varchar(50),
        XPosition varchar(50),
        YPosition varchar(50),
        HideOnMouseOut varchar(50),
        MenuWidth int,
        MenuItemHeight int,
        MenuItemPadding int,
        MenuItemSpacing int,
        MenuItemIndent int,
        HideTimeout int,
        MenuBgOpaque varchar(50),
        MenuBorder int,
        BGColor varchar(50),
        MenuBorderBgColor varchar(50),
        MenuLiteBgColor varchar(50),
        ChildMenuIcon varchar(200),
        AddDate datetime,
        IsDefault varchar(18),
        Description ntext
        ",
    ),
    (
        "siteserver_Node",
        "
        NodeID int pk identity,
        NodeName nvarchar(255),
        NodeType varchar(50),
        PublishmentSystemID int,
        ContentModelID varchar(50),
        ParentID int,
        ParentsPath nvarchar(255),
        ParentsCount int,
        ChildrenCount int,
        IsLastNode varchar(18),
        NodeIndexName nvarchar(255),
        NodeGroupNameCollection nvarchar(255),
        Taxis int,
        AddDate datetime,
        ImageUrl varchar(200),
        Content ntext,
        ContentNum int,
        CommentNum int,
        FilePath varchar(200),
        ChannelFilePathRule varchar(200),
        ContentFilePathRule varchar(200),
        LinkUrl varchar(200),
        LinkType varchar(200),
        ChannelTemplateID int,
        ContentTemplateID int,
        Keywords nvarchar(255),
        Description nvarchar(255),
        ExtendValues ntext
        ",
    ),
    (
        "siteserver_NodeGroup",
        "
        NodeGroupName nvarchar(255) pk,
        PublishmentSystemID int pk,
        Taxis int,
        Description ntext
        ",
    ),
    (
        "siteserver_Photo",
        "
        ID int pk identity,
        PublishmentSystemID int,
        ContentID int,
        SmallUrl varchar(200),
        MiddleUrl varchar(200),
        LargeUrl varchar(200),
        Taxis int,
        Description varchar(255)
        ",
    ),
    (
        "siteserver_PublishmentSystem",
        "
        PublishmentSystemID int pk,
        PublishmentSystemName nvarchar(50),
        PublishmentSystemType varchar(50),
        AuxiliaryTableForContent varchar(50),
        AuxiliaryTableForGoods varchar(50),
        AuxiliaryTableForBrand varchar(50),
        AuxiliaryTableForGovPublic varchar(50),
        AuxiliaryTableForGovInteract varchar(50),
        AuxiliaryTableForVote varchar(50),
        AuxiliaryTableForJob varchar(50),
        IsCheckContentUseLevel varchar(18),
        CheckContentLevel int,
        PublishmentSystemDir varchar(50),
        PublishmentSystemUrl varchar(200),
        IsHeadquarters varchar(18),
        ParentPublishmentSystemID int,
        GroupSN nvarchar(255),
        Taxis int,
        SettingsXML ntext
        ",
    ),
    (
        "siteserver_RelatedField",
        "
        RelatedFieldID int pk identity,
        RelatedFieldName nvarchar(50),
        PublishmentSystemID int,
        TotalLevel int,
        Prefixes nvarchar(255),
        Suffixes nvarchar(255)
        ",
    ),
    (
        "siteserver_RelatedFieldItem",
        "
        ID int pk identity,
        RelatedFieldID int,
        ItemName nvarchar(255),
        ItemValue nvarchar(255),
        ParentID int,
        Taxis int
        ",
    ),
    (
        "siteserver_ResumeContent",
        "
        ID int pk identity,
        StyleID int,
        PublishmentSystemID int,
        JobContentID int,
        UserName nvarchar(255),
        IsView varchar(18),
        AddDate datetime,
        RealName nvarchar(50),
        Nationality nvarchar(50),
        Gender nvarchar(50),
        Email varchar(50),
        MobilePhone varchar(50),
        HomePhone varchar(50),
        LastSchoolName nvarchar(50),
        Education nvarchar(50),
        IDCardType nvarchar(50),
        IDCardNo varchar(50),
        Birthday varchar(50),
        Marriage nvarchar(50),
        WorkYear nvarchar(50),
        Profession nvarchar(50),
        ExpectSalary nvarchar(50),
        AvailabelTime nvarchar(50),
        Location nvarchar(50),
        ImageUrl varchar(200),
        Summary nvarchar(255),
        Exp_Count int,
        Exp_FromYear nvarchar(50),
        Exp_FromMonth nvarchar(50),
        Exp_ToYear nvarchar(50),
        Exp_ToMonth nvarchar(50),
        Exp_EmployerName nvarchar(255),
        Exp_Department nvarchar(255),
        Exp_EmployerPhone nvarchar(255),
        Exp_WorkPlace nvarchar(255),
        Exp_PositionTitle nvarchar(255),
        Exp_Industry nvarchar(255),
        Exp_Summary ntext,
        Exp_Score ntext,
        Pro_Count int,
        Pro_FromYear nvarchar(50),
        Pro_FromMonth nvarchar(50),
        Pro_ToYear nvarchar(50),
        Pro_ToMonth nvarchar(50),
        Pro_ProjectName nvarchar(255),
        Pro_Summary ntext,
        Edu_Count int,
        Edu_FromYear nvarchar(50),
        Edu_FromMonth nvarchar(50),
        Edu_ToYear nvarchar(50),
        Edu_ToMonth nvarchar(50),
        Edu_SchoolName nvarchar(255),
        Edu_Education nvarchar(255),
        Edu_Profession nvarchar(255),
        Edu_Summary ntext,
        Tra_Count int,
        Tra_FromYear nvarchar(50),
        Tra_FromMonth nvarchar(50),
        Tra_ToYear nvarchar(50),
        Tra_ToMonth nvarchar(50),
        Tra_TrainerName nvarchar(255),
        Tra_TrainerAddress nvarchar(255),
        Tra_Lesson nvarchar(255),
        Tra_Centification nvarchar(255),
        Tra_Summary nvarchar(255),
        Lan_Count int,
        Lan_Language nvarchar(255),
        Lan_Level nvarchar(255),
        Ski_Count int,
        Ski_SkillName nvarchar(255),
        Ski_UsedTimes nvarchar(255),
        Ski_Ability nvarchar(255),
        Cer_Count int,
        Cer_CertificationName nvarchar(255),
        Cer_EffectiveDate nvarchar(255)
        ",
    ),
    (
        "siteserver_SeoMeta",
        "
        SeoMetaID int pk identity,
        PublishmentSystemID int,
        SeoMetaName varchar(50),
        IsDefault varchar(18),
        PageTitle nvarchar(80),
        Keywords nvarchar(100),
        Description nvarchar(200),
        Copyright nvarchar(255),
        Author nvarchar(50),
        Email nvarchar(50),
        Language varchar(50),
        Charset varchar(50),
        Distribution varchar(50),
        Rating varchar(50),
        Robots varchar(50),
        RevisitAfter varchar(50),
        Expires varchar(50)
        ",
    ),
    (
        "siteserver_SeoMetasInNodes",
        "
        NodeID int pk,
        IsChannel varchar(18) pk,
        SeoMetaID int pk,
        PublishmentSystemID int
        ",
    ),
    (
        "siteserver_SigninLog",
        "
        ID int pk identity,
        PublishmentSystemID int,
        ContentID int,
        UserName nvarchar(255),
        IsSignin varchar(18),
        SigninDate datetime,
        IPAddress varchar(50)
        ",
    ),
    (
        "siteserver_SigninSetting",
        "
        ID int pk identity,
        PublishmentSystemID int,
        NodeID int,
        ContentID int,
        IsGroup varchar(18),
        UserGroupCollection varchar(500),
        UserNameCollection nvarchar(500),
        Priority int,
        EndDate varchar(50),
        IsSignin varchar(18),
        SigninDate datetime
        ",
    ),
    (
        "siteserver_SigninUserContentID",
        "
        ID int pk identity,
        IsGroup varchar(18),
        GroupID int,
        UserName nvarchar(255),
        PublishmentSystemID int,
        NodeID int,
        ContentIDCollection varchar(500)
        ",
    ),
    (
        "siteserver_Star",
        "
        StarID int pk identity,
        PublishmentSystemID int,
        ChannelID int,
        ContentID int,
        UserName nvarchar(255),
        Point int,
        Message nvarchar(255),
        AddDate datetime
        ",
    ),
    (
        "siteserver_StarSetting",
        "
        StarSettingID int pk identity,
        PublishmentSystemID int,
        ChannelID int,
        ContentID int,
        TotalCount int,
        PointAverage decimal(18,1)
        ",
    ),
    (
        "siteserver_StlTag",
        "
        TagName nvarchar(50) pk,
        PublishmentSystemID int pk,
        TagDescription nvarchar(255),
        TagContent ntext
        ",
    ),
    (
        "siteserver_SystemPermissions",
        "
        RoleName nvarchar(255) pk,
        PublishmentSystemID int pk,
        NodeIDCollection text,
        ChannelPermissions text,
        WebsitePermissions text
        ",
    ),
    (
        "siteserver_TagStyle",
        "
        StyleID int pk identity,
        StyleName nvarchar(50),
        ElementName varchar(50),
        PublishmentSystemID int,
        IsTemplate varchar(18),
        StyleTemplate ntext,
        ScriptTemplate ntext,
        ContentTemplate ntext,
        SuccessTemplate ntext,
        FailureTemplate ntext,
        SettingsXML ntext
        ",
    ),
    (
        "siteserver_Template",
        "
        TemplateID int pk identity,
        PublishmentSystemID int,
        TemplateName nvarchar(50),
        TemplateType varchar(50),
        RelatedFileName nvarchar(50),
        CreatedFileFullName nvarchar(50),
        CreatedFileExtName varchar(50),
        Charset varchar(50),
        IsDefault varchar(18)
        ",
    ),
    (
        "siteserver_TemplateLog",
        "
        ID int pk identity,
        TemplateID int,
        PublishmentSystemID int,
        AddDate datetime,
        AddUserName nvarchar(255),
        ContentLength int,
        TemplateContent ntext
        ",
    ),
    (
        "siteserver_TemplateMatch",
        "
        NodeID int pk,
        PublishmentSystemID int,
        ChannelTemplateID int,
        ContentTemplateID int,
        FilePath varchar(200),
        ChannelFilePathRule varchar(200),
        ContentFilePathRule varchar(200)
        ",
    ),
    (
        "siteserver_Tracking",
        "
        TrackingID int pk identity,
        PublishmentSystemID int,
        UserName nvarchar(255),
        TrackerType varchar(50),
        LastAccessDateTime datetime,
        PageUrl varchar(200),
        PageNodeID int,
        PageContentID int,
        Referrer varchar(200),
        IPAddress varchar(200),
        OperatingSystem varchar(200),
        Browser varchar(200),
        AccessDateTime datetime
        ",
    ),
    (
        "siteserver_UserGroup",
        "
        GroupID int pk identity,
        GroupName nvarchar(50),
        IsCredits varchar(18),
        CreditsFrom int,
        CreditsTo int,
        Stars int,
        Color varchar(10),
        Rank int,
        UserPermissions ntext
        ",
    ),
    (
        "siteserver_Users",
        "
        UserName nvarchar(255) pk,
        GroupID int,
        Credits int,
        SettingsXML ntext
        ",
    ),
    (
        "siteserver_VoteOperation",
        "
        OperationID int pk identity,
        PublishmentSystemID int,
        NodeID int,
        ContentID int,
        IPAddress varchar(50),
        UserName nvarchar(255),
        AddDate datetime
        ",
    ),
    (
        "siteserver_VoteOption",
        "
        OptionID int pk identity,
        PublishmentSystemID int,
        NodeID int,
        ContentID int,
        Title nvarchar(255),
        ImageUrl varchar(200),
        NavigationUrl varchar(200),
        VoteNum int
        ",
    ),
];
