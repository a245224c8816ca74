//! The home page: a workbench per role (工作台), or "my services" for applicants.

use super::{Ctx, render};
use crate::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use shenpi_app::Principal;
use shenpi_domain::org::Role;

/// One card on the home page.
pub struct Card {
    pub title: String,
    pub body: String,
    pub stat: Option<i64>,
    pub stat_label: String,
    pub href: Option<&'static str>,
    pub link_label: String,
    /// Shown as an empty state (nothing to do yet).
    pub empty: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    title: String,
    greeting: String,
    warnings: Vec<String>,
    cards: Vec<Card>,
}

fn card(title: &str, body: &str, href: Option<&'static str>, link: &str, empty: bool) -> Card {
    Card {
        title: title.into(),
        body: body.into(),
        stat: None,
        stat_label: String::new(),
        href,
        link_label: link.into(),
        empty,
    }
}

/// `GET /`
pub async fn show(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
) -> Response {
    let ctx = Ctx::new(&headers, Some(&p), "/");
    let l = ctx.lang;
    let has = |r: Role| p.user.has_role(r);
    let applicant = p.user.roles.iter().any(|r| r.is_applicant());
    let mut cards = vec![];
    let mut warnings = vec![];
    if applicant {
        let count = s.app.my_cases(&p, 1).await.map(|pg| pg.total).unwrap_or(0);
        if count == 0 {
            cards.push(card(l.t("我的办件", "My applications"),
                l.t("您还没有办件。选择事项在线申报后，可在这里查看进度。", "You have no applications yet. Once you apply for a service, its progress shows here."),
                Some("/items"), l.t("去办事", "Find a service"), true));
        } else {
            let mut c = card(
                l.t("我的办件", "My applications"),
                l.t("查看办理进度和时限。", "Progress and time limits."),
                Some("/cases"),
                l.t("查看", "View"),
                false,
            );
            c.stat = Some(count);
            c.stat_label = l.t("件", "cases").into();
            cards.push(c);
        }
        cards.push(card(
            l.t("账号与实名信息", "Account and identity"),
            l.t(
                "查看已登记的身份信息（已脱敏），修改密码。",
                "See your registered identity (masked) and change your password.",
            ),
            Some("/me"),
            l.t("我的账号", "My account"),
            false,
        ));
    }
    if has(Role::Clerk) || has(Role::Reviewer) || has(Role::Approver) {
        let region = p.user.region_code.clone();
        let windows = s
            .app
            .windows(&p, &region)
            .await
            .map(|w| w.len())
            .unwrap_or(0);
        let todo = s.app.todo(&p).await.map(|t| t.len()).unwrap_or(0);
        if todo == 0 {
            cards.push(card(
                l.t("待办事项", "To do"),
                l.t(
                    "当前没有待办件。新的申请提交或流转到您时会出现在这里。",
                    "Nothing to do right now. New applications routed to you appear here.",
                ),
                None,
                "",
                true,
            ));
        } else {
            let mut c = card(
                l.t("待办事项", "To do"),
                l.t(
                    "按剩余时限排序，红色为超期。",
                    "By remaining time; red is overdue.",
                ),
                Some("/tasks"),
                l.t("去办理", "Open"),
                false,
            );
            c.stat = Some(todo as i64);
            c.stat_label = l.t("件待办", "to do").into();
            cards.push(c);
        }
        let mut c = card(
            l.t("本区服务窗口", "Service windows"),
            l.t(
                "本区划行政审批服务大厅的受理窗口。",
                "Intake windows of this region's service hall.",
            ),
            None,
            "",
            false,
        );
        c.stat = Some(windows as i64);
        c.stat_label = l.t("个窗口", "windows").into();
        cards.push(c);
    }
    if has(Role::CityAdmin) {
        if let Some(y) = s.app.missing_next_year() {
            warnings.push(format!(
                "{} {y} {}",
                l.t("尚未导入", "The working-day calendar for"),
                l.t(
                    "年度工作日历，跨年的办理期限将无法计算，请尽快导入。",
                    "is missing: deadlines running into it cannot be computed. Load it soon."
                )
            ));
        }
        cards.push(card(
            l.t("用户管理", "Accounts"),
            l.t(
                "创建与查看各区市、各部门的工作人员账号。",
                "Create and review staff accounts of every region and department.",
            ),
            Some("/admin/users"),
            l.t("进入", "Open"),
            false,
        ));
        cards.push(card(
            l.t("工作日历", "Calendar"),
            l.t(
                "法定节假日与调休安排决定所有办理期限。",
                "Holidays and make-up days drive every deadline.",
            ),
            Some("/calendar"),
            l.t("查看", "View"),
            false,
        ));
    }
    if has(Role::CityAdmin) || has(Role::RegionAdmin) {
        cards.push(card(l.t("事项变更与联合审核", "Catalog changes and joint review"),
            l.t("事项的新增、变更、拆分、合并、暂停、取消须经市级和相关区市联合审核后发布。", "Every catalog change is reviewed by the city and the affected districts before it is published."),
            Some("/proposals"), l.t("进入", "Open"), false));
    }
    if applicant || has(Role::Clerk) || has(Role::RegionAdmin) {
        cards.push(card(
            l.t("办事指南", "Service guides"),
            l.t(
                "查看各区市政务服务事项的办理条件、材料、时限和地点。",
                "Conditions, materials, limits and places of every service item.",
            ),
            Some("/items"),
            l.t("查看", "View"),
            false,
        ));
    }
    if has(Role::RegionAdmin) {
        cards.push(card(
            l.t("本区用户", "Accounts of this region"),
            l.t(
                "查看和创建本区划的工作人员账号。",
                "Review and create staff accounts of your region.",
            ),
            Some("/admin/users"),
            l.t("进入", "Open"),
            false,
        ));
    }
    if has(Role::SecurityAdmin) {
        let n = s.app.alerts(&p).await.map(|a| a.len()).unwrap_or(0);
        let mut c = card(
            l.t("安全告警", "Security alerts"),
            l.t(
                "登录失败、账号锁定与解锁。",
                "Sign-in failures, lockouts and unlocking.",
            ),
            Some("/admin/security"),
            l.t("处理", "Handle"),
            false,
        );
        c.stat = Some(n as i64);
        c.stat_label = l.t("条告警", "alerts").into();
        cards.push(c);
    }
    if has(Role::Auditor) {
        cards.push(card(
            l.t("审计日志", "Audit log"),
            l.t(
                "查阅所有操作记录，校验 SM3 哈希链是否完整。",
                "Read every recorded action and verify the SM3 hash chains.",
            ),
            Some("/admin/audit"),
            l.t("查阅", "Open"),
            false,
        ));
    }
    if has(Role::HallManager) {
        cards.push(card(
            l.t("服务大厅", "Service hall"),
            l.t(
                "排队叫号、预约与好差评将在数字大厅模块上线。",
                "Queueing, appointments and ratings arrive with the digital hall module.",
            ),
            None,
            "",
            true,
        ));
    }
    if has(Role::DataSteward) {
        cards.push(card(
            l.t("数据治理", "Data governance"),
            l.t(
                "数据目录与质量规则将在数据平台模块上线。",
                "The data catalog and quality rules arrive with the data platform module.",
            ),
            None,
            "",
            true,
        ));
    }
    if has(Role::DeptAdmin) {
        cards.push(card(
            l.t("部门事项", "Department items"),
            l.t(
                "本部门的事项与人员配置将在事项库模块上线。",
                "Your department's service items arrive with the catalog module.",
            ),
            None,
            "",
            true,
        ));
    }
    if p.user.totp_exempt {
        warnings.push(l.t("本账号为演示账号，免于动态验证码（TOTP）要求；生产环境中管理员必须使用动态验证码。",
            "This demo account is exempt from TOTP; in production administrators must use it.").into());
    }
    let title = if applicant {
        l.t("我的办事", "My services")
    } else {
        l.t("工作台", "Workbench")
    }
    .to_string();
    let greeting = format!("{}，{}", l.t("您好", "Hello"), p.user.display_name);
    render(&HomePage {
        ctx,
        title,
        greeting,
        warnings,
        cards,
    })
}
