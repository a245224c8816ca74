//! Application materials (申请材料) and where each comes from.

use serde::{Deserialize, Serialize};

/// Where a material comes from. Anything but `Upload` spares the applicant the document (零材料).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MaterialSource {
    /// The applicant uploads or hands it in.
    Upload,
    /// Pulled from shared government data (数据共享), e.g. the enterprise registry.
    SharedData {
        /// The data set, e.g. 市场主体登记信息.
        dataset: String,
    },
    /// An electronic certificate (电子证照) of a type.
    ECertificate {
        /// e.g. 营业执照, 建设工程规划许可证.
        cert_type: String,
    },
    /// Replaced by a signed notification-and-commitment (告知承诺).
    Commitment,
}

impl MaterialSource {
    /// Chinese name.
    pub fn name_zh(&self) -> &'static str {
        match self {
            MaterialSource::Upload => "申请人提交",
            MaterialSource::SharedData { .. } => "数据共享获取",
            MaterialSource::ECertificate { .. } => "电子证照调用",
            MaterialSource::Commitment => "告知承诺",
        }
    }
}

/// Paper, electronic or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialForm {
    Paper,
    Electronic,
    Either,
}

impl MaterialForm {
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            MaterialForm::Paper => "纸质",
            MaterialForm::Electronic => "电子",
            MaterialForm::Either => "纸质或电子",
        }
    }
}

/// One material of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    /// Stable key within the item, e.g. `application-form`.
    pub key: String,
    pub name: String,
    /// Number of originals (原件).
    #[serde(default)]
    pub originals: u8,
    /// Number of copies (复印件).
    #[serde(default)]
    pub copies: u8,
    pub form: MaterialForm,
    /// Required in every situation; otherwise only where a situation selects it.
    pub always_required: bool,
    pub source: MaterialSource,
    /// Notes for the applicant (e.g. 须加盖公章).
    #[serde(default)]
    pub notes: String,
}
