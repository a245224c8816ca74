//! A deterministic synthetic catalog that looks like Qingdao's, for benchmarks and load tests.
//!
//! Names combine a subject (燃气, 食品, 城市道路…), an activity (经营, 施工, 挖掘…) and an action
//! (许可, 备案, 变更…); each item is implemented in three of the eleven Qingdao region codes.
//! The same `(n, seed)` always gives the same documents; no `rand` crate is involved.

use crate::SearchDoc;

/// The eleven region codes: the city level first, then districts and county-level cities.
pub const QINGDAO_REGIONS: [&str; 11] = [
    "370200", "370202", "370203", "370211", "370212", "370213", "370214", "370215", "370281",
    "370283", "370285",
];

/// One subject a line: subject, department, domain, then the activities that make sense for it.
const SUBJECTS: &str = "\
建筑工程 住房和城乡建设局 construction 施工 竣工验收 质量监督\n\
房屋建筑 住房和城乡建设局 construction 施工 安全监督 拆除\n\
商品房 住房和城乡建设局 construction 预售 销售 合同网签\n\
城市道路 城市管理局 municipal 挖掘 占用 养护\n\
城市桥梁 城市管理局 municipal 占用 施工 检测\n\
排水 城市管理局 utilities 接入 设施改建 管网\n\
燃气 城市管理局 utilities 经营 设施改动 供应\n\
供热 城市管理局 utilities 经营 设施改动 开户\n\
城市供水 水务管理局 utilities 接入 经营 设施改装\n\
取水 水务管理局 water 计量 工程 水资源论证\n\
河道 水务管理局 water 采砂 占用 工程建设\n\
园林绿化 园林和林业局 greening 临时占用 树木迁移 工程\n\
户外广告 城市管理局 municipal 设置 变更 延期\n\
建筑垃圾 城市管理局 municipal 处置 运输 消纳\n\
食品 市场监督管理局 food 经营 生产 小作坊\n\
餐饮服务 市场监督管理局 food 经营 食品安全 网络订餐\n\
药品 市场监督管理局 health 零售 批发 生产\n\
医疗器械 市场监督管理局 health 经营 生产 网络销售\n\
化妆品 市场监督管理局 health 生产 经营\n\
特种设备 市场监督管理局 safety 使用 安装改造 检验\n\
公司 行政审批服务局 company 设立 股权 经营范围\n\
个体工商户 行政审批服务局 company 设立 经营场所 经营者\n\
农民专业合作社 行政审批服务局 company 设立 成员 章程\n\
道路运输 交通运输局 transport 经营 货运 客运\n\
出租汽车 交通运输局 transport 经营 驾驶员从业 车辆营运\n\
港口 交通运输局 transport 经营 危险货物作业 岸线使用\n\
危险化学品 应急管理局 safety 经营 使用 储存\n\
烟花爆竹 应急管理局 safety 零售 批发 储存\n\
建设用地 自然资源和规划局 planning 规划 审批 供应\n\
建设工程 自然资源和规划局 planning 规划 规划核实 放线\n\
不动产 自然资源和规划局 planning 首次 转移 抵押\n\
林木 园林和林业局 greening 采伐 运输 种苗生产经营\n\
医疗机构 卫生健康委员会 health 设置 执业 校验\n\
公共场所 卫生健康委员会 health 卫生 经营\n\
放射诊疗 卫生健康委员会 health 项目 设备 校验\n\
民办学校 教育局 education 设立 办学 分立合并\n\
职业培训机构 人力资源和社会保障局 labour 设立 办学 变更\n\
劳务派遣 人力资源和社会保障局 labour 经营 业务\n\
人力资源服务 人力资源和社会保障局 labour 经营 业务\n\
广播电视 文化和旅游局 culture 节目制作经营 设施建设 接收设施\n\
娱乐场所 文化和旅游局 culture 经营 变更\n\
旅行社 文化和旅游局 culture 经营 分社设立\n\
电信 通信管理局 utilities 业务经营 网络接入 设施建设\n\
";

/// Action, item type.
const ACTIONS: &[(&str, &str)] = &[
    ("许可", "licensing"),
    ("许可证核发", "licensing"),
    ("审批", "licensing"),
    ("核准", "licensing"),
    ("许可变更", "licensing"),
    ("许可延续", "licensing"),
    ("许可注销", "licensing"),
    ("备案", "filing"),
    ("登记", "confirmation"),
    ("变更登记", "confirmation"),
    ("注销登记", "confirmation"),
    ("证明办理", "public_service"),
];

const VARIANTS: &[&str] = &[
    "新办",
    "变更名称",
    "变更法定代表人",
    "变更地址",
    "延续",
    "补办",
    "个人申请",
    "企业申请",
    "委托代理",
    "跨区迁移",
];

const MATERIALS: &[&str] = &[
    "申请表",
    "营业执照",
    "法定代表人身份证明",
    "授权委托书",
    "场地使用证明",
    "平面布置图",
    "安全管理制度",
    "专业技术人员资格证书",
    "设备设施清单",
    "检测报告",
    "承诺书",
    "施工方案",
];

const ONLINE_LEVELS: [&str; 3] = ["offline", "online", "fully_online"];

const LAW_PREFIXES: [&str; 4] = ["中华人民共和国", "山东省", "青岛市", "国务院关于"];

/// SplitMix64: small, fast and good enough to pick words.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        // n is a table length, far below u64::MAX; the modulo bias is irrelevant here.
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

/// `n` synthetic documents: items of three regions each, deterministic in `seed`.
pub fn generated_catalog(n: usize, seed: u64) -> Vec<SearchDoc> {
    let mut rng = Rng(seed);
    let subjects: Vec<Vec<&str>> = SUBJECTS
        .lines()
        .map(|line| line.split_whitespace().collect())
        .filter(|words: &Vec<&str>| words.len() >= 4)
        .collect();
    let mut out = Vec::with_capacity(n);
    let mut item = 0usize;
    while out.len() < n {
        let template = item_template(&mut rng, &subjects, item);
        let first_region = rng.below(QINGDAO_REGIONS.len());
        for j in 0..3 {
            if out.len() == n {
                break;
            }
            // 4 and 11 are coprime, so the three regions are distinct.
            let region = QINGDAO_REGIONS
                .get((first_region + 4 * j) % QINGDAO_REGIONS.len())
                .copied()
                .unwrap_or("370200");
            out.push(SearchDoc {
                region: region.to_owned(),
                online_level: ONLINE_LEVELS[rng.below(3)].to_owned(),
                ..template.clone()
            });
        }
        item += 1;
    }
    out
}

fn item_template(rng: &mut Rng, subjects: &[Vec<&str>], item: usize) -> SearchDoc {
    let words = rng.pick(subjects).map(Vec::as_slice).unwrap_or_default();
    let (subject, department, domain, activities) = match words {
        [subject, department, domain, activities @ ..] => {
            (*subject, *department, *domain, activities)
        }
        _ => (
            "建筑工程",
            "住房和城乡建设局",
            "construction",
            &["施工"][..],
        ),
    };
    let activity = rng.pick(activities).copied().unwrap_or("经营");
    let (action, item_type) = rng.pick(ACTIONS).copied().unwrap_or(("许可", "licensing"));
    let name = format!("{subject}{activity}{action}");
    let situations = (0..1 + rng.below(3))
        .filter_map(|_| rng.pick(VARIANTS))
        .map(|v| format!("{subject}{activity}（{v}）"))
        .collect();
    let materials = (0..3 + rng.below(4))
        .filter_map(|_| rng.pick(MATERIALS))
        .map(|m| format!("{subject}{activity}{m}"))
        .collect();
    SearchDoc {
        code: format!("{:012}-01", 900_000_000_000usize + item),
        region: String::new(),
        body: guide_text(rng, subject, activity, &name),
        name,
        department: department.to_owned(),
        domain: domain.to_owned(),
        online_level: String::new(),
        item_type: item_type.to_owned(),
        situations,
        materials,
    }
}

fn guide_text(rng: &mut Rng, subject: &str, activity: &str, name: &str) -> String {
    let law = LAW_PREFIXES[rng.below(LAW_PREFIXES.len())];
    let article = 3 + rng.below(60);
    let days = 1 + rng.below(20);
    format!(
        "【设定依据】《{law}{subject}管理条例》第{article}条。\
         【申请条件】申请人应当具备与{subject}{activity}相适应的场所、设备设施和专业技术人员，\
         有健全的安全管理制度和应急预案，近三年无重大违法记录。\
         【办理流程】网上申请或窗口提交材料，受理后{days}个工作日内审查并作出决定，\
         需要现场核查的，核查时间不计入承诺时限。\
         【收费标准】不收费。\
         【常见问题】问：{name}可以全程网办吗？答：登录爱山东青岛分厅或青岛政务服务网提交申请，\
         符合条件的可以邮寄送达证照。问：委托他人办理需要什么？答：提供授权委托书和受托人身份证件。"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_catalog() {
        assert_eq!(generated_catalog(50, 7), generated_catalog(50, 7));
        assert_ne!(generated_catalog(50, 7), generated_catalog(50, 8));
    }

    #[test]
    fn every_subject_line_names_a_department_a_domain_and_activities() {
        let lines: Vec<&str> = SUBJECTS.lines().collect();
        assert!(lines.len() >= 40);
        assert!(
            lines.iter().all(|l| l.split_whitespace().count() >= 4),
            "{lines:?}"
        );
    }

    #[test]
    fn code_and_region_pairs_are_unique_and_regions_are_qingdao() {
        let docs = generated_catalog(3_000, 42);
        assert_eq!(docs.len(), 3_000);
        let mut keys: Vec<(&str, &str)> = docs.iter().map(|d| (&*d.code, &*d.region)).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 3_000);
        assert!(
            docs.iter()
                .all(|d| QINGDAO_REGIONS.contains(&d.region.as_str()))
        );
    }
}
