//! Content tables the 4.1 engine creates or registers (spec `upgrade-hops.md` §2.4, §4.6):
//! `CreateAllAuxiliaryTableIfNotExists` and the `ml_Content` registry rows of Platform/4_1.

use serde_json::Value;
use sscms_core::adapter::schema::columns;
use sscms_core::{Column, Result};

/// A content-table type that `CreateAllAuxiliaryTableIfNotExists` makes sure of, in the order
/// it checks them.
pub(crate) struct DefaultType {
    /// `bairong_TableCollection.AuxiliaryTableType`.
    pub kind: &'static str,
    /// The table it creates when no table of this type is registered and created.
    pub table: &'static str,
    pub cn_name: &'static str,
    /// Columns between the base columns and the metadata columns.
    pub extras: &'static str,
    /// One entry per `bairong_TableMetadata` row: name, `DataType`, length for the two string
    /// types, and `NULL` where `CanBeNull` is "True".
    pub metadata: &'static str,
}

pub(crate) const DEFAULT_TYPES: &[DefaultType] = &[
    DefaultType {
        kind: "BackgroundContent",
        table: "model_Content",
        cn_name: "后台内容表",
        extras: "MemberName nvarchar(50)",
        metadata: "Title NVarChar 255, SubTitle NVarChar 255, ImageUrl VarChar 200,
            VideoUrl VarChar 200, FileUrl VarChar 200, LinkUrl NVarChar 200, Content NText,
            Summary NText, Author NVarChar 255, Source NVarChar 255, IsRecommend VarChar 18,
            IsHot VarChar 18, IsColor VarChar 18, IsTop VarChar 18, AddDate DateTime,
            CheckTaskDate DateTime NULL, UnCheckTaskDate DateTime NULL",
    },
    DefaultType {
        kind: "JobContent",
        table: "model_Job",
        cn_name: "招聘内容表",
        extras: "",
        metadata: "Title NVarChar 255, Department NVarChar 255, Location NVarChar 255,
            NumberOfPeople NVarChar 50, Responsibility NText, Requirement NText,
            IsUrgent VarChar 18, IsTop VarChar 18, AddDate DateTime,
            CheckTaskDate DateTime NULL, UnCheckTaskDate DateTime NULL",
    },
    DefaultType {
        kind: "VoteContent",
        table: "model_Vote",
        cn_name: "投票内容表",
        extras: "IsImageVote varchar(18), IsSummary varchar(18), Participants int,
            IsClosed varchar(18), IsTop varchar(18)",
        metadata: "Title NVarChar 255, SubTitle NVarChar 255, MaxSelectNum Integer,
            ImageUrl VarChar 200, Content NText, Summary NText, AddDate DateTime, EndDate DateTime,
            IsVotedView VarChar 18, HiddenContent NText,
            CheckTaskDate DateTime NULL, UnCheckTaskDate DateTime NULL",
    },
    DefaultType {
        kind: "UserDefined",
        table: "model_UserDefined",
        cn_name: "自定义内容表",
        extras: "",
        metadata: "Title NVarChar 255, IsTop VarChar 18, AddDate DateTime",
    },
    DefaultType {
        kind: "GoodsContent",
        table: "model_B2C_Goods",
        cn_name: "商品内容表",
        extras: "BrandID int, BrandValue nvarchar(200), Sales int, SpecIDCollection varchar(200),
            SpecItemIDCollection varchar(200), SKUCount int",
        metadata: "Title NVarChar 255, SN NVarChar 50, Keywords NVarChar 255,
            Summary NVarChar 255, ImageUrl VarChar 200, ThumbUrl VarChar 200,
            LinkUrl NVarChar 200, Content NText, PriceCost Decimal, PriceMarket Decimal,
            PriceSale Decimal, Stock Integer, FileUrl VarChar 200, IsRecommend VarChar 18,
            IsNew VarChar 18, IsHot VarChar 18, IsTop VarChar 18, IsOnSale VarChar 18,
            AddDate DateTime, F1 NVarChar 255, F2 NVarChar 255, F3 NVarChar 255,
            F4 NVarChar 255, F5 NVarChar 255, F6 NVarChar 255, F7 NVarChar 255,
            F8 NVarChar 255, F9 NVarChar 255, CheckTaskDate DateTime NULL,
            UnCheckTaskDate DateTime NULL",
    },
    DefaultType {
        kind: "BrandContent",
        table: "model_B2C_Brand",
        cn_name: "品牌内容表",
        extras: "",
        metadata: "Title NVarChar 255, BrandUrl NVarChar 255, ImageUrl VarChar 200,
            LinkUrl NVarChar 200, Content NText, IsRecommend VarChar 18, IsTop VarChar 18,
            AddDate DateTime, F1 NVarChar 255, F2 NVarChar 255, F3 NVarChar 255",
    },
    DefaultType {
        kind: "GovPublicContent",
        table: "model_WCM_GovPublic",
        cn_name: "信息公开内容表",
        extras: "DepartmentID int, Category1ID int, Category2ID int, Category3ID int,
            Category4ID int, Category5ID int, Category6ID int",
        metadata: "Title NVarChar 255, Identifier NVarChar 255, Description NText,
            PublishDate DateTime, EffectDate DateTime, IsAbolition VarChar 18,
            AbolitionDate DateTime, DocumentNo NVarChar 255, Publisher NVarChar 255,
            Keywords NVarChar 255, ImageUrl NVarChar 255, FileUrl NVarChar 255,
            IsRecommend VarChar 18, IsHot VarChar 18, IsColor VarChar 18, IsTop VarChar 18,
            Content NText, AddDate DateTime",
    },
    DefaultType {
        kind: "GovInteractContent",
        table: "model_WCM_GovInteract",
        cn_name: "互动交流内容表",
        extras: "DepartmentName nvarchar(255), QueryCode nvarchar(255), State varchar(50),
            IPAddress varchar(50), Location nvarchar(50), IsRecommend varchar(18),
            IsTop varchar(18), AddDate datetime",
        metadata: "RealName NVarChar 255, Organization NVarChar 255, CardType NVarChar 255,
            CardNo NVarChar 255, Phone VarChar 50, PostCode VarChar 50, Address NVarChar 255,
            Email NVarChar 255, Fax VarChar 50, TypeID Integer, IsPublic VarChar 18,
            Title NVarChar 255, Content NText, FileUrl NVarChar 255, DepartmentID Integer",
    },
];

/// The registry row Platform/4_1 inserts for `ml_Content`.
pub(crate) const ML_CONTENT: &str = "ml_Content";
pub(crate) const ML_CONTENT_CN: &str = "稿件池";
pub(crate) const ML_CONTENT_KIND: &str = "ManuscriptContent";
pub(crate) const ML_CONTENT_DESCRIPTION: &str = "投稿系统专用模型";
/// Its 15 metadata rows; every `DBDefaultValue` is `''` except AddDate's `getdate()`.
pub(crate) const ML_CONTENT_METADATA: &str = "Title NVarChar 255, SubTitle NVarChar 200,
    ImageUrl NVarChar 200, VideoUrl NVarChar 200, FileUrl NVarChar 200, LinkUrl NVarChar 200,
    Content NText, Summary NText, Author NVarChar 200, Source NVarChar 200,
    IsRecommend NVarChar 18, IsHot NVarChar 18, IsColor NVarChar 18, IsTop NVarChar 18,
    AddDate DateTime";

/// The base columns of a content table created by the 4.1 code, `ID` … `SettingsXML`,
/// including `Photos` and `Teleplays`.
const BASE: &str = "ID int pk identity, NodeID int, PublishmentSystemID int,
    AddUserName nvarchar(255), LastEditUserName nvarchar(255), LastEditDate datetime, Taxis int,
    ContentGroupNameCollection nvarchar(255), Tags nvarchar(255), SourceID int, ReferenceID int,
    IsChecked varchar(18), CheckedLevel int, Comments int, Photos int, Teleplays int, Hits int,
    HitsByDay int, HitsByWeek int, HitsByMonth int, LastHitsDate datetime, SettingsXML ntext";

/// One `bairong_TableMetadata` row to insert.
pub(crate) struct MetaRow {
    pub name: String,
    pub data_type: String,
    pub length: i64,
    pub can_be_null: bool,
}

impl MetaRow {
    /// The SQL type of its column in a created table; Decimal is `decimal(18,2)`.
    fn sql_type(&self) -> String {
        match self.data_type.as_str() {
            "NVarChar" => format!("nvarchar({})", self.length),
            "VarChar" => format!("varchar({})", self.length),
            "NText" => "ntext".into(),
            "DateTime" => "datetime".into(),
            "Integer" => "int".into(),
            _ => "decimal(18,2)".into(),
        }
    }

    /// `DBDefaultValue` by type: `''` for text, `0` for numbers, `getdate()` for dates.
    pub fn db_default(&self) -> Value {
        Value::from(match self.data_type.as_str() {
            "DateTime" => "getdate()",
            "Integer" | "Decimal" => "0",
            _ => "''",
        })
    }
}

/// Reads a metadata list: `Name DataType [length] [NULL]`, comma-separated. `DataLength` is the
/// given length for NVarChar/VarChar, and otherwise what the 4.x code stores (old-schemas §6):
/// 16 for NText, 8 for DateTime, 38 for Integer, 18 for Decimal.
pub(crate) fn metadata(spec: &str) -> Vec<MetaRow> {
    spec.split(',')
        .filter_map(|entry| {
            let words: Vec<&str> = entry.split_whitespace().collect();
            let (&name, &data_type) = (words.first()?, words.get(1)?);
            let length = match words.get(2).and_then(|w| w.parse().ok()) {
                Some(n) => n,
                None => match data_type {
                    "NText" => 16,
                    "DateTime" => 8,
                    "Integer" => 38,
                    _ => 18,
                },
            };
            Some(MetaRow {
                name: name.into(),
                data_type: data_type.into(),
                length,
                can_be_null: words.last() == Some(&"NULL"),
            })
        })
        .collect()
}

/// The columns of a content table of this type as the 4.1 code creates it.
pub(crate) fn table_columns(t: &DefaultType) -> Result<Vec<Column>> {
    let mut cols = columns(BASE)?;
    cols.extend(columns(t.extras)?);
    for m in metadata(t.metadata) {
        cols.extend(columns(&format!("{} {}", m.name, m.sql_type()))?);
    }
    Ok(cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_type_reads() {
        for t in DEFAULT_TYPES {
            let cols = table_columns(t).unwrap();
            assert_eq!(cols[0].attribute_name, "ID");
            let mut names: Vec<String> = cols
                .iter()
                .map(|c| c.attribute_name.to_lowercase())
                .collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), cols.len(), "{}: duplicate column", t.table);
        }
        let ml = metadata(ML_CONTENT_METADATA);
        assert_eq!(ml.len(), 15);
        assert_eq!((ml[6].name.as_str(), ml[6].length), ("Content", 16));
        let bg = metadata(DEFAULT_TYPES[0].metadata);
        assert!(bg.last().unwrap().can_be_null && !bg[0].can_be_null);
    }
}
