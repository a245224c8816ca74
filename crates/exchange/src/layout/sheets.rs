//! The sheet tables: every column of every sheet, in workbook order.

use super::{Column, Kind, Sheet};
use crate::cells;

const fn col(key: &'static str, header: &'static str, kind: Kind, help: &'static str) -> Column {
    Column {
        key,
        header,
        kind,
        required: true,
        help,
    }
}

const fn opt(key: &'static str, header: &'static str, kind: Kind, help: &'static str) -> Column {
    Column {
        key,
        header,
        kind,
        required: false,
        help,
    }
}

fn item_types() -> Vec<(&'static str, &'static str)> {
    cells::ITEM_TYPE.pairs()
}
fn handling_kinds() -> Vec<(&'static str, &'static str)> {
    cells::HANDLING_KIND.pairs()
}
fn case_types() -> Vec<(&'static str, &'static str)> {
    cells::CASE_TYPE.pairs()
}
fn online_levels() -> Vec<(&'static str, &'static str)> {
    cells::ONLINE_LEVEL.pairs()
}
fn material_forms() -> Vec<(&'static str, &'static str)> {
    cells::MATERIAL_FORM.pairs()
}
fn source_kinds() -> Vec<(&'static str, &'static str)> {
    cells::SOURCE_KIND.pairs()
}
fn outcomes() -> Vec<(&'static str, &'static str)> {
    cells::OUTCOME.pairs()
}

const ITEM_CODE_HELP: &str = "所属事项的业务办理项编码，须与“事项”表中的某一行一致";

/// 事项: one row per item.
pub const ITEMS: Sheet = Sheet {
    name: "事项",
    columns: &[
        col(
            "code",
            "业务办理项编码",
            Kind::Code,
            "事项在本平台的唯一标识，≤50 位字母、数字或 - _ .，文件内不得重复",
        ),
        col("name", "事项名称", Kind::Text, "业务办理项名称，≤100 字"),
        col(
            "basic_code",
            "基本编码",
            Kind::Code,
            "事项目录基本编码，≤12 位字母或数字",
        ),
        col(
            "implementation_code",
            "实施编码",
            Kind::Code,
            "市级标准的实施编码，≤36 位字母、数字或 -",
        ),
        col("main_item", "主项名称", Kind::Text, "主项名称，≤100 字"),
        opt(
            "sub_item",
            "子项名称",
            Kind::Text,
            "主项拆分时填写子项名称，否则留空",
        ),
        col(
            "handling_kind",
            "业务办理项类型",
            Kind::Enum(handling_kinds),
            "新设、变更、延续或注销",
        ),
        col(
            "item_type",
            "事项类型",
            Kind::Enum(item_types),
            "行政权力或公共服务的类型",
        ),
        col(
            "domain",
            "领域",
            Kind::Code,
            "浏览与筛选用的领域标识（小写字母），如 construction",
        ),
        col(
            "implementing_body",
            "实施主体",
            Kind::Text,
            "实施主体名称，如 行政审批服务局",
        ),
        col(
            "department",
            "承办部门",
            Kind::Code,
            "承办部门标识（小写字母），如 spj",
        ),
        col(
            "district_level",
            "区级实施",
            Kind::Bool,
            "区（市）是否实施：是/否",
        ),
        col(
            "legal_basis",
            "设定和实施依据",
            Kind::Lines,
            "每行一项：《名称》 第X条，条款不确定时只写《名称》",
        ),
        col(
            "acceptance_conditions",
            "受理条件",
            Kind::Lines,
            "每行一项受理条件",
        ),
        col(
            "statutory_limit_days",
            "法定办结时限",
            Kind::Number,
            "法定办结时限，工作日，≤365",
        ),
        col(
            "promised_limit_days",
            "承诺办结时限",
            Kind::Number,
            "承诺办结时限，工作日，不得超过法定时限",
        ),
        col(
            "case_type",
            "办件类型",
            Kind::Enum(case_types),
            "即办件或承诺件",
        ),
        col(
            "onsite_visits",
            "到办事现场次数",
            Kind::Number,
            "到办事现场次数，0 表示零跑动，≤5",
        ),
        col(
            "fee_charged",
            "是否收费",
            Kind::Bool,
            "是/否；收费时须填写收费标准和收费依据",
        ),
        opt(
            "fee_description",
            "收费标准",
            Kind::Text,
            "收费项目与金额，如 工本费 10 元；不收费留空",
        ),
        opt(
            "fee_basis",
            "收费依据",
            Kind::Text,
            "收费的法律依据；不收费留空",
        ),
        col(
            "online_level",
            "网办深度",
            Kind::Enum(online_levels),
            "窗口办理、网上可办或全程网办",
        ),
        opt(
            "special_procedures",
            "特别程序",
            Kind::Lines,
            "每行一项：名称|天数（工作日），如 专家评审|10；无则留空",
        ),
        col(
            "process_steps",
            "办理流程",
            Kind::Lines,
            "每行一个环节，按顺序，如 申请、受理、审查、决定、送达",
        ),
        opt(
            "service_object",
            "服务对象",
            Kind::Text,
            "如 企业法人、自然人",
        ),
        opt(
            "default_place",
            "办理地点",
            Kind::Text,
            "默认办理地点（区县认领时填写本地地点）",
        ),
        opt("default_hours", "办理时间", Kind::Text, "默认办理时间"),
        opt("faq", "常见问题", Kind::Lines, "每行一问：问|答"),
        opt(
            "process_key",
            "流程标识",
            Kind::Code,
            "所用审批流程的标识，可留空",
        ),
        opt("form_key", "表单标识", Kind::Code, "业务表单的标识，可留空"),
    ],
};

/// 材料: one row per material.
pub const MATERIALS: Sheet = Sheet {
    name: "材料",
    columns: &[
        col("item_code", "业务办理项编码", Kind::Code, ITEM_CODE_HELP),
        col(
            "key",
            "材料标识",
            Kind::Code,
            "事项内唯一的材料标识（小写字母、数字或 -），如 application",
        ),
        col("name", "材料名称", Kind::Text, "材料名称，≤200 字"),
        col("originals", "原件份数", Kind::Number, "原件份数，留空为 0"),
        col("copies", "复印件份数", Kind::Number, "复印件份数，留空为 0"),
        col(
            "form",
            "材料形式",
            Kind::Enum(material_forms),
            "纸质、电子或纸质或电子",
        ),
        col(
            "always_required",
            "是否必交",
            Kind::Bool,
            "是：所有情形都须提交；否：仅在情形中选用时提交",
        ),
        col(
            "source_kind",
            "材料来源",
            Kind::Enum(source_kinds),
            "申请人提交、数据共享获取、电子证照调用或告知承诺",
        ),
        opt(
            "source_detail",
            "来源说明",
            Kind::Text,
            "数据共享获取填数据集名称，电子证照调用填证照类型，其余留空",
        ),
        opt(
            "notes",
            "填报须知",
            Kind::Body,
            "给申请人的说明，如 须加盖公章",
        ),
    ],
};

/// 情形: one row per handling situation.
pub const SITUATIONS: Sheet = Sheet {
    name: "情形",
    columns: &[
        col("item_code", "业务办理项编码", Kind::Code, ITEM_CODE_HELP),
        col(
            "key",
            "情形标识",
            Kind::Code,
            "事项内唯一的情形标识（小写字母、数字或 -），如 new-build",
        ),
        col("name", "情形名称", Kind::Text, "情形名称"),
        opt("description", "情形说明", Kind::Body, "情形的说明，可留空"),
        col(
            "materials",
            "所需材料",
            Kind::Text,
            "该情形选用的非必交材料标识，用逗号分隔",
        ),
        opt(
            "promised_limit_days",
            "情形承诺时限",
            Kind::Number,
            "该情形缩短后的承诺时限（工作日），不缩短留空",
        ),
    ],
};

/// 审查要点: one row per review point.
pub const REVIEW_POINTS: Sheet = Sheet {
    name: "审查要点",
    columns: &[
        col("item_code", "业务办理项编码", Kind::Code, ITEM_CODE_HELP),
        col(
            "step",
            "环节",
            Kind::Text,
            "审查要点所属环节，如 受理、审查、决定",
        ),
        col("text", "审查要点", Kind::Body, "审查要点内容"),
    ],
};

/// 意见用语: one row per standard opinion phrase.
pub const OPINIONS: Sheet = Sheet {
    name: "意见用语",
    columns: &[
        col("item_code", "业务办理项编码", Kind::Code, ITEM_CODE_HELP),
        col(
            "outcome",
            "审批结果",
            Kind::Enum(outcomes),
            "受理、不予受理、补正、准予或不予",
        ),
        col("text", "意见用语", Kind::Body, "标准意见用语"),
    ],
};

/// 文书模板: one row per document template.
pub const TEMPLATES: Sheet = Sheet {
    name: "文书模板",
    columns: &[
        col("item_code", "业务办理项编码", Kind::Code, ITEM_CODE_HELP),
        col("name", "文书名称", Kind::Text, "文书名称，如 受理通知书"),
        col(
            "body",
            "文书内容",
            Kind::Body,
            "文书正文，可用 {{占位符}}，保留换行",
        ),
    ],
};

/// Every data sheet, in workbook order. All are required on import.
pub const SHEETS: [&Sheet; 6] = [
    &ITEMS,
    &MATERIALS,
    &SITUATIONS,
    &REVIEW_POINTS,
    &OPINIONS,
    &TEMPLATES,
];

/// The guide sheet: columns, meanings and allowed values. Ignored on import.
pub const GUIDE_SHEET: &str = "说明";
