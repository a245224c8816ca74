//! Smart company registration over HTTP: the plan for every entity type and 设立/变更, the
//! permits 许可 scope items trigger, bad input (contributions that do not add up, a prohibited
//! word, a duplicate name, HTML in values) refused with field pointers and nothing stored, the
//! documents as PDF from versioned templates attached to a draft of the picked item, and the
//! all-or-nothing import of a full business-scope catalogue (API and command line).

use super::common::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use shenpi_testkit::spawn_app;

pub const ZHANG: &str = "370202198506152014";
pub const WANG: &str = "370203198803213027";
pub const LI: &str = "370211197909084134";
pub const CORP: &str = "91370203MA3QD00153";

fn investor(name: &str, id: &str, amount: &str) -> Value {
    json!({"kind": "natural", "name": name, "id_number": id, "amount": amount,
           "method": "货币", "due_date": "2030-12-31"})
}

/// A two-shareholder company: 青岛海蓝信息技术有限公司 in 市南区, 100 万元.
pub fn company() -> Value {
    json!({
        "organisation": "enterprise",
        "liability": "limited",
        "name": {"region": "青岛", "trade": "海蓝", "industry": "信息技术", "form": "有限公司"},
        "scopes": ["I6511", "M7519", "H6210", "G5430"],
        "address": {"region": "370202", "detail": "香港中路 10 号 3 层"},
        "capital": "100",
        "shareholders": [investor("张海", ZHANG, "60"), investor("王蓝", WANG, "40")],
        "legal_representative": {"name": "张海", "id_number": ZHANG, "mobile": "13800000001"},
        "officers": [
            {"name": "张海", "id_number": ZHANG, "position": "执行董事"},
            {"name": "王蓝", "id_number": WANG, "position": "监事"},
            {"name": "李青", "id_number": LI, "position": "经理"}
        ],
        "contact": {"name": "王蓝", "id_number": WANG, "mobile": "13800000002"}
    })
}

async fn check(app: &shenpi_testkit::TestApp, body: Value) -> reqwest::Response {
    client()
        .post(app.url("/api/v1/registration/check"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn plan(app: &shenpi_testkit::TestApp, body: Value) -> Value {
    let r = check(app, body).await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, 200, "{v}");
    v
}

fn pointers(v: &Value) -> Vec<(String, String)> {
    v["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["pointer"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_plan_infers_every_entity_type_the_business_the_item_and_the_permits() {
    let app = spawn_app().await;
    let p = plan(&app, company()).await;
    assert_eq!(p["entity_type"], "有限责任公司（自然人投资或控股）");
    assert_eq!(p["business_zh"], "设立登记");
    assert_eq!(p["ready"], true);
    assert_eq!(p["name"], "青岛海蓝信息技术有限公司");
    assert_eq!(p["item"]["code"], "QDQY00101-01");
    assert_eq!(p["item"]["situation"], "natural-person");
    assert_eq!(
        p["item"]["apply_url"],
        "/items/QDQY00101-01/apply?region=370202&situation=natural-person"
    );
    let permits: Vec<&str> = p["permits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["permit"].as_str().unwrap())
        .collect();
    assert_eq!(permits, ["食品经营许可证", "道路运输经营许可证"]);
    assert_eq!(p["contributions"]["adds_up"], true);
    let kinds: Vec<&str> = p["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"shareholders_resolution"), "{kinds:?}");
    assert_eq!(p["rules"][0]["key"], "registration-entity-type");
    assert_eq!(p["rules"][0]["version"], 1);

    // One shareholder: 自然人独资 and a 股东决定.
    let mut one = company();
    one["shareholders"] = json!([investor("张海", ZHANG, "100")]);
    let p = plan(&app, one.clone()).await;
    assert_eq!(p["entity_type"], "有限责任公司（自然人独资）");
    assert!(p["documents"].to_string().contains("shareholder_decision"));

    // A legal-person shareholder holding the majority: 其他有限责任公司, 含法人股东.
    let mut corp = company();
    corp["shareholders"][0]["amount"] = json!("40");
    corp["shareholders"][1] = json!({"kind": "legal", "name": "青岛山海贸易有限公司", "uscc": CORP,
        "amount": "60", "method": "货币", "due_date": "2030-12-31"});
    let p = plan(&app, corp).await;
    assert_eq!(p["entity_type"], "其他有限责任公司");
    assert_eq!(p["item"]["situation"], "corporate-shareholder");

    // Unlimited liability, one investor: 个人独资企业 (its own name form and item).
    let mut sole = one.clone();
    sole["liability"] = json!("unlimited");
    sole["name"]["form"] = json!("工作室");
    sole["officers"] = json!([]);
    sole["premises_commitment"] = json!(true);
    let p = plan(&app, sole).await;
    assert_eq!(p["entity_type"], "个人独资企业");
    assert_eq!(p["item"]["code"], "QDQY00601-01");
    assert_eq!(p["item"]["situation"], "commitment");

    // Two partners with unlimited liability: 合伙企业（普通合伙）and a 合伙协议.
    let mut partners = company();
    partners["liability"] = json!("unlimited");
    partners["name"]["form"] = json!("中心（普通合伙）");
    partners["officers"] = json!([]);
    let p = plan(&app, partners).await;
    assert_eq!(p["entity_type"], "合伙企业（普通合伙）");
    assert_eq!(p["item"]["code"], "QDQY00701-01");
    assert!(p["documents"].to_string().contains("partnership_agreement"));

    // 个体经营: 个体工商户.
    let mut ib = one.clone();
    ib["organisation"] = json!("individual_business");
    ib["liability"] = json!("unlimited");
    ib["name"] = json!({"region": "市南区", "trade": "海蓝", "industry": "餐饮", "form": "店"});
    ib["officers"] = json!([]);
    ib["capital"] = json!("10");
    ib["shareholders"][0]["amount"] = json!("10");
    let p = plan(&app, ib).await;
    assert_eq!(p["entity_type"], "个体工商户");
    assert_eq!(p["item"]["code"], "QDQY00201-01");

    // An existing USCC: 变更登记 of the company.
    let mut change = company();
    change["existing_uscc"] = json!(CORP);
    change["change_item"] = json!("premises");
    let p = plan(&app, change).await;
    assert_eq!(p["business_zh"], "变更登记");
    assert_eq!(p["item"]["code"], "QDQY00101-02");
    assert_eq!(p["item"]["situation"], "premises");
}

#[tokio::test]
async fn bad_input_is_refused_with_bilingual_field_errors_and_nothing_is_stored() {
    let app = spawn_app().await;
    // Contributions that do not add up.
    let mut bad = company();
    bad["shareholders"][1]["amount"] = json!("30");
    let v = assert_error(check(&app, bad.clone()).await, 422, "FORM_INVALID").await;
    assert_eq!(
        pointers(&v),
        [(
            "/shareholders".to_string(),
            "CONTRIBUTIONS_MISMATCH".to_string()
        )]
    );
    let f = &v["details"]["fields"][0];
    assert!(f["message_zh"].as_str().unwrap().contains("90"), "{f}");
    assert!(f["message_en"].as_str().unwrap().contains("100"), "{f}");
    assert_eq!(v["details"]["plan"]["contributions"]["adds_up"], false);
    // A prohibited word and a duplicate of a registered name.
    let mut word = company();
    word["name"]["trade"] = json!("中国海蓝");
    let v = assert_error(check(&app, word).await, 422, "FORM_INVALID").await;
    assert!(pointers(&v).contains(&("/name/trade".into(), "NAME_WORD_PROHIBITED".into())));
    // 青岛示例科技有限公司（演示） is in the demo enterprise registry.
    let mut dup = company();
    dup["name"]["trade"] = json!("示例");
    dup["name"]["industry"] = json!("科技");
    let v = assert_error(check(&app, dup).await, 422, "FORM_INVALID").await;
    assert!(
        pointers(&v).contains(&("/name/trade".into(), "NAME_DUPLICATE".into())),
        "{v}"
    );
    // Wrong types are a 422 too, not a crash.
    let v = assert_error(
        check(&app, json!({"shareholders": "many"})).await,
        422,
        "INVALID_FIELD",
    )
    .await;
    assert!(v["message_en"].as_str().is_some());

    // Documents for a bad form: refused, no draft and no file stored.
    let token = login(&app, "enterprise").await;
    let drafts = |t: String| {
        let app = &app;
        async move {
            let v: Value = get(app, &t, "/api/v1/drafts").await.json().await.unwrap();
            v["items"].as_array().map(Vec::len).unwrap_or(0)
        }
    };
    let before = drafts(token.clone()).await;
    let r = post(&app, &token, "/api/v1/registration/documents", bad).await;
    assert_error(r, 422, "FORM_INVALID").await;
    assert_eq!(drafts(token.clone()).await, before);
    // Staff cannot generate documents; anonymous callers must sign in.
    let clerk = login(&app, "clerk-370202").await;
    let r = post(&app, &clerk, "/api/v1/registration/documents", company()).await;
    assert_error(r, 403, "FORBIDDEN").await;
}

#[tokio::test]
async fn html_in_values_is_escaped_on_the_pages() {
    let app = spawn_app().await;
    let s = page_session(&app, "enterprise").await;
    let form = [
        ("csrf", s.csrf_token.as_str()),
        ("action", "check"),
        ("organisation", "enterprise"),
        ("liability", "limited"),
        ("name_region", "<img src=x onerror=alert(1)>"),
        ("name_trade", "<script>alert('x')</script>"),
        ("name_industry", "信息技术"),
        ("name_form", "有限公司"),
        ("address_region", "370202"),
        ("address_detail", "\"><script>alert(2)</script>"),
        ("capital", "100"),
        ("sh-0-kind", "natural"),
        ("sh-0-name", "<b>张海</b>"),
        ("sh-0-id", ZHANG),
        ("sh-0-amount", "100"),
        ("sh-0-method", "货币"),
        ("sh-0-due", "2030-12-31"),
    ];
    let r = client()
        .post(app.url("/registration"))
        .header("cookie", format!("shenpi_session={}", s.token))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(!body.contains("<script>alert"), "raw script in the page");
    assert!(!body.contains("<img src=x"), "raw img in the page");
    assert!(!body.contains("<b>张海"), "raw markup in the page");
    // askama writes numeric character references.
    let escaped = |raw: &str| {
        body.contains(&raw.replace('<', "&#60;").replace('>', "&#62;"))
            || body.contains(&raw.replace('<', "&lt;").replace('>', "&gt;"))
    };
    assert!(escaped("<script>alert"), "{body}");
    assert!(escaped("<img src=x onerror=alert(1)>"), "{body}");
    assert!(escaped("<b>张海</b>"), "{body}");
    assert!(body.contains("id=\"reg-errors\""));
}

#[tokio::test]
async fn documents_are_generated_from_versioned_templates_and_attached_to_a_draft() {
    let app = spawn_app().await;
    let token = login(&app, "enterprise").await;
    let r = post(&app, &token, "/api/v1/registration/documents", company()).await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let docs = v["documents"].as_array().unwrap();
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "application",
            "articles",
            "shareholders_resolution",
            "legal_rep_appointment",
            "designated_representative"
        ]
    );
    for d in docs {
        assert!(d["template"].as_str().unwrap().starts_with("reg."));
        assert_eq!(d["template_version"], 1);
        let r = get(&app, &token, d["url"].as_str().unwrap()).await;
        assert_eq!(r.status(), 200);
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert_eq!(hex::encode(Sha256::digest(&bytes)), d["sha256"]);
    }
    assert_eq!(docs[0]["title"], "公司设立登记申请书");
    assert_eq!(docs[0]["attached_as"], "application");
    assert_eq!(docs[2]["attached_as"], "appointment");
    // The draft of the picked item carries the documents under its materials.
    let draft_id = v["draft_id"].as_str().unwrap();
    let d: Value = get(&app, &token, &format!("/api/v1/drafts/{draft_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(d["item_code"], "QDQY00101-01");
    assert_eq!(d["situation"], "natural-person");
    assert_eq!(d["materials"]["articles"], docs[1]["material_id"]);
    assert_eq!(
        v["apply_url"],
        format!(
            "/items/QDQY00101-01/apply?region=370202&situation=natural-person&draft={draft_id}"
        )
    );
    // Someone else cannot read them.
    let other = login(&app, "citizen").await;
    let r = get(&app, &other, docs[0]["url"].as_str().unwrap()).await;
    assert_eq!(r.status(), 404);
}

const GOOD_CSV: &str = "code,text,class,industry,permits,note\n\
    I6511,软件开发,一般,I6511,,\n\
    H6210,餐饮服务,许可,H6210,食品经营许可证@市场监督管理部门,\n\
    X0001,水产品零售,一般,F5224,,\n";

const BAD_CSV: &str = "code,text,class,industry,permits,note\n\
    I6511,软件开发,一般,I6511,,\n\
    H6210,餐饮服务,许可,H6210,,\n\
    I6511,软件开发,其他,I6511,,\n";

#[tokio::test]
async fn a_full_catalogue_is_imported_all_or_nothing() {
    let app = spawn_app().await;
    let steward = login(&app, "steward").await;
    let import = |body: &'static str, version: &str| {
        client()
            .post(app.url(&format!(
                "/api/v1/registration/business-scopes/import?format=csv&version={version}&name=full.csv"
            )))
            .bearer_auth(&steward)
            .body(body)
            .send()
    };
    let shipped: Value = client()
        .get(app.url("/api/v1/registration/business-scopes?class=licensed&per_page=5"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shipped["catalogue_version"], "demo-2026.1");
    assert!(shipped["total"].as_i64().unwrap() >= 20);
    assert_eq!(shipped["items"].as_array().unwrap().len(), 5);
    assert!(
        shipped["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["class_zh"] == "许可")
    );

    let v = assert_error(
        import(BAD_CSV, "2026-02").await.unwrap(),
        422,
        "IMPORT_INVALID",
    )
    .await;
    let problems: Vec<(i64, &str)> = v["details"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["row"].as_i64().unwrap(), p["code"].as_str().unwrap()))
        .collect();
    assert!(
        problems.contains(&(2, "SCOPE_PERMIT_MISSING")),
        "{problems:?}"
    );
    assert!(
        problems.contains(&(3, "SCOPE_CLASS_INVALID")),
        "{problems:?}"
    );
    let still: Value = client()
        .get(app.url("/api/v1/registration/business-scopes?q=软件"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(still["catalogue_version"], "demo-2026.1");

    let r = import(GOOD_CSV, "2026-02").await.unwrap();
    assert_eq!(r.status(), 201);
    let done: Value = r.json().await.unwrap();
    assert_eq!(
        (done["version"].as_i64(), done["entries"].as_i64()),
        (Some(1), Some(3))
    );
    let now: Value = client()
        .get(app.url("/api/v1/registration/business-scopes?q=水产品"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(now["catalogue_version"], "2026-02");
    assert_eq!(now["items"][0]["code"], "X0001");
    // The plan now reads the imported catalogue: G5430 is gone from it.
    let v = assert_error(check(&app, company()).await, 422, "FORM_INVALID").await;
    assert!(pointers(&v).contains(&("/scopes/3".into(), "SCOPE_UNKNOWN".into())));
    // Applicants cannot import.
    let citizen = login(&app, "citizen").await;
    let r = client()
        .post(app.url("/api/v1/registration/business-scopes/import?format=csv&version=x"))
        .bearer_auth(&citizen)
        .body(GOOD_CSV)
        .send()
        .await
        .unwrap();
    assert_error(r, 403, "FORBIDDEN").await;
}

#[tokio::test]
async fn the_command_line_imports_a_catalogue_file_or_lists_its_problems() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_shenpi"))
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .env_remove("SHENPI_DATABASE_URL")
            .env("SHENPI_LOG", "warn")
            .output()
            .unwrap()
    };
    assert!(run(&["migrate"]).status.success());
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, BAD_CSV).unwrap();
    let o = run(&[
        "import",
        "business-scope",
        bad.to_str().unwrap(),
        "--version",
        "v2",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("SCOPE") || err.contains("许可项目须列出"),
        "{err}"
    );
    let good = dir.path().join("good.csv");
    std::fs::write(&good, GOOD_CSV).unwrap();
    let o = run(&[
        "import",
        "business-scope",
        good.to_str().unwrap(),
        "--version",
        "v2",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out} {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("3 条") && out.contains("version 1"), "{out}");
}
