//! Business forms (业务表单): the demo food-business licence (食品经营许可) carries a JSON Schema
//! form; it is served with its UI hints, form data is checked field by field with bilingual
//! errors at JSON pointers, and an application whose form fails is refused with nothing saved.

use super::common::*;
use serde_json::{Value, json};
use shenpi_testkit::spawn_app;

const ITEM: &str = "QDSP00101-01";

fn valid_form() -> Value {
    let id = shenpi_app::demo::demo_id_number();
    json!({
        "operator_name": "青岛示例餐饮管理有限公司（演示）",
        "uscc": shenpi_app::demo::demo_uscc(),
        "legal_rep": {"name": "张测试", "id_number": id, "mobile": "13800000000"},
        "premises": {"region": "370202", "detail": "香港中路 1 号（演示）"},
        "business_type": "餐饮服务经营者",
        "items": ["热食类食品制售", "自制饮品制售"],
        "online": false,
        "staff": [{"name": "张测试", "health_cert_no": "JK-2026-0001"}]
    })
}

#[tokio::test]
async fn an_items_form_is_served_and_checked_field_by_field() {
    let app = spawn_app().await;
    let r = client()
        .get(app.url(&format!("/api/v1/items/{ITEM}/form?region=370202")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let f: Value = r.json().await.unwrap();
    assert_eq!(
        f["schema"]["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(f["ui"]["fields"]["staff"]["widget"], "group");
    assert_eq!(f["ui"]["fields"]["website"]["show_if"]["field"], "online");
    // An item without a form.
    let r = client()
        .get(app.url("/api/v1/items/QDJS00501-01/form?region=370202"))
        .send()
        .await
        .unwrap();
    assert_error(r, 404, "FORM_NOT_DEFINED").await;

    let check = |body: Value| {
        let app = &app;
        async move {
            client()
                .post(app.url(&format!("/api/v1/items/{ITEM}/form/check?region=370202")))
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .unwrap()
        }
    };
    let r = check(valid_form()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["valid"], true);

    let mut bad = valid_form();
    bad["online"] = json!(true); // then 网站或平台名称 is required
    bad["legal_rep"]["mobile"] = json!("1380000000");
    bad["staff"][0]["health_cert_no"] = json!("<script>alert(1)</script>");
    bad["items"] = json!(["热食类食品制售", "热食类食品制售"]);
    let v = assert_error(check(bad).await, 422, "FORM_INVALID").await;
    let fields = v["details"]["fields"].as_array().unwrap();
    let at = |p: &str| {
        fields
            .iter()
            .find(|f| f["pointer"] == p)
            .unwrap_or_else(|| panic!("no error at {p}: {v}"))
    };
    assert_eq!(fields.len(), 4, "{v}");
    assert_eq!(at("/website")["code"], "FIELD_REQUIRED");
    assert_eq!(at("/website")["message_zh"], "请填写“网站或平台名称”");
    assert_eq!(
        at("/website")["message_en"],
        "“Website or platform” is required"
    );
    assert_eq!(at("/items")["code"], "FIELD_DUPLICATE");
    assert_eq!(at("/staff/0/health_cert_no")["code"], "FIELD_PATTERN");
    assert!(
        at("/legal_rep/mobile")["message_zh"]
            .as_str()
            .unwrap()
            .starts_with("“手机号码”"),
        "{v}"
    );
}

#[tokio::test]
async fn an_application_whose_form_fails_is_refused_and_nothing_is_saved() {
    let app = spawn_app().await;
    // The citizen applies as the demo enterprise's agent (办事人).
    make_agent(&app, "citizen").await;
    let citizen = login(&app, "citizen").await;
    let item: Value = get(
        &app,
        &citizen,
        &format!("/api/v1/items/{ITEM}?region=370202"),
    )
    .await
    .json()
    .await
    .unwrap();
    let situation = item["item"]["situations"][0]["key"].clone();
    let submit = |form: Value, key: &str| {
        let (app, citizen, situation) = (&app, &citizen, situation.clone());
        let key = key.to_string();
        async move {
            post(
                app,
                citizen,
                "/api/v1/cases",
                json!({"item_code": ITEM, "region": "370202", "situation": situation,
                       "form": form, "materials": {}, "idempotency_key": key}),
            )
            .await
        }
    };
    let mut bad = valid_form();
    bad["uscc"] = json!("91370202MA3CT0X1X0");
    let v = assert_error(submit(bad, "f-1").await, 422, "FORM_INVALID").await;
    assert_eq!(v["details"]["fields"][0]["pointer"], "/uscc");
    let v = assert_error(submit(json!({}), "f-2").await, 422, "FORM_INVALID").await;
    assert_eq!(
        v["details"]["fields"].as_array().unwrap().len(),
        7,
        "every required field: {v}"
    );
    // A valid form passes the form check; the missing uploads are what is refused next.
    let r = submit(valid_form(), "f-3").await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_ne!(v["code"], "FORM_INVALID", "{v}");
    let mine: Value = get(&app, &citizen, "/api/v1/cases?mine=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["total"], 0, "nothing saved: {mine}");
}

/// The apply page renders the form from its definition (no page per item), shows each field's
/// error next to it with the values kept (HTML in them escaped), and submits the typed values.
#[tokio::test]
async fn the_apply_page_renders_the_form_and_shows_errors_at_each_field() {
    use super::pages::{browser_like, csrf_of, field_of, multipart, sign_in};
    let app = spawn_app().await;
    make_agent(&app, "citizen").await;
    let c = browser_like();
    sign_in(&app, &c, "citizen").await;
    let html = c
        .get(app.url(&format!("/items/{ITEM}/apply?region=370202")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in [
        "f:/operator_name",
        "f:/uscc",
        "f:/legal_rep/id_number",
        "f:/premises/region",
        "f:/items/#0",
        "f:/staff/0/health_cert_no",
    ] {
        assert!(html.contains(&format!("name=\"{name}\"")), "{name}: {html}");
    }
    assert!(html.contains("当“是否网络经营”为“是”时填写"), "{html}");
    assert!(
        html.contains("data-when-field=\"f:/online\" data-when-value=\"true\""),
        "the conditional field names its condition for the page script"
    );
    let js = client()
        .get(app.url("/assets/forms.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
    assert!(
        html.contains("<option value=\"370202\">市南区（370202）</option>"),
        "the region code list: {html}"
    );
    let (csrf, key) = (csrf_of(&html), field_of(&html, "idempotency_key"));

    // Every upload the first situation needs.
    let citizen = login(&app, "citizen").await;
    let item: Value = get(
        &app,
        &citizen,
        &format!("/api/v1/items/{ITEM}?region=370202"),
    )
    .await
    .json()
    .await
    .unwrap();
    let situation = item["item"]["situations"][0].clone();
    let uploads: Vec<String> = item["item"]["materials"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["source"]["kind"] == "upload"
                && (m["always_required"] == true
                    || situation["materials"]
                        .as_array()
                        .unwrap()
                        .contains(&m["key"]))
        })
        .map(|m| format!("material-{}", m["key"].as_str().unwrap()))
        .collect();
    let id = shenpi_app::demo::demo_id_number();
    let uscc = shenpi_app::demo::demo_uscc();
    let post = |extra: Vec<(&'static str, String)>| {
        let (c, url, csrf, key, uploads) = (
            c.clone(),
            app.url(&format!("/items/{ITEM}/apply")),
            csrf.clone(),
            key.clone(),
            uploads.clone(),
        );
        let situation = situation["key"].as_str().unwrap().to_string();
        async move {
            let mut fields = vec![
                ("csrf", csrf),
                ("region", "370202".to_string()),
                ("situation", situation),
                ("idempotency_key", key),
                ("confirm_shared", "on".to_string()),
            ];
            fields.extend(extra);
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let files: Vec<(&str, &str, &[u8])> = uploads
                .iter()
                .map(|k| (k.as_str(), "材料.pdf", b"%PDF-1.7 form".as_slice()))
                .collect();
            let (ct, body) = multipart(&f, &files);
            c.post(url)
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let good = || {
        vec![
            (
                "f:/operator_name",
                "青岛示例餐饮管理有限公司（演示）".to_string(),
            ),
            ("f:/uscc", uscc.clone()),
            ("f:/legal_rep/name", "张测试".to_string()),
            ("f:/legal_rep/id_number", id.clone()),
            ("f:/legal_rep/mobile", "13800000000".to_string()),
            ("f:/premises/region", "370202".to_string()),
            ("f:/premises/detail", "香港中路 1 号（演示）".to_string()),
            ("f:/business_type", "餐饮服务经营者".to_string()),
            ("f:/items/#3", "1".to_string()),
            ("f:/items/#7", "1".to_string()),
            ("f:/online", "false".to_string()),
            ("f:/staff/0/name", "张测试".to_string()),
            ("f:/staff/0/health_cert_no", "JK-2026-0001".to_string()),
            ("f:/staff/1/name", String::new()),
            ("f:/staff/1/health_cert_no", String::new()),
        ]
    };
    // Bad values: the page again (422), each error at its field, the values kept and escaped.
    let mut bad = good();
    bad.retain(|(k, _)| *k != "f:/legal_rep/mobile");
    bad.push(("f:/legal_rep/mobile", "12".to_string()));
    bad.retain(|(k, _)| *k != "f:/staff/0/health_cert_no");
    bad.push((
        "f:/staff/0/health_cert_no",
        "<script>x</script>".to_string(),
    ));
    let r = post(bad).await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("表单填写有误"), "{page}");
    let error_at = |name: &str| {
        let i = page
            .find(&format!("data-field=\"{name}\""))
            .unwrap_or_else(|| panic!("{name}"));
        let end = page[i..].find("</div>").unwrap() + i;
        page[i..end].to_string()
    };
    assert!(error_at("f:/legal_rep/mobile").contains("field-error"));
    assert!(error_at("f:/staff/0/health_cert_no").contains("field-error"));
    assert!(!error_at("f:/uscc").contains("field-error"));
    assert!(
        page.contains("&lt;script&gt;x&lt;/script&gt;")
            || page.contains("&#60;script&#62;x&#60;/script&#62;"),
        "escaped: {}",
        error_at("f:/staff/0/health_cert_no")
    );
    assert!(!page.contains("<script>x</script>"));
    assert!(page.contains(&format!("value=\"{uscc}\"")), "values kept");
    let mine: Value = get(&app, &citizen, "/api/v1/cases")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["total"], 0, "nothing saved");

    // Good values: the case, with the form typed by its schema.
    let r = post(good()).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let id = location.trim_start_matches("/cases/");
    let case: Value = get(&app, &citizen, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["form"]["online"], false);
    assert_eq!(
        case["form"]["items"],
        json!(["热食类食品制售", "自制饮品制售"])
    );
    assert_eq!(
        case["form"]["staff"],
        json!([{"name": "张测试", "health_cert_no": "JK-2026-0001"}]),
        "the blank row is dropped"
    );
    assert_eq!(case["form"]["premises"]["region"], "370202");
}

/// A situation with its own form (情形表单): the linear-project situation of 水土保持方案
/// asks for the route length, the point-project situation does not; the API serves and checks
/// each situation's form.
#[tokio::test]
async fn a_situation_with_its_own_form_is_served_and_checked_by_that_form() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let form = |situation: &str| {
        let (app, citizen) = (&app, &citizen);
        let path = format!("/api/v1/items/QDSW00101-01/form?region=370202&situation={situation}");
        async move {
            let v: Value = get(app, citizen, &path).await.json().await.unwrap();
            v
        }
    };
    let linear = form("linear").await;
    let point = form("point").await;
    assert!(linear["schema"]["properties"]["route_length_m"].is_object());
    assert!(
        point["schema"]["properties"]
            .get("route_length_m")
            .is_none()
    );
    let data = json!({"uscc": shenpi_app::demo::demo_uscc(), "project_code": "2026-370202-48-01-000101",
        "land_area_m2": 12000, "earthwork_m3": 18000, "commitment": true,
        "signatures": [{"expert_id": "SB-2024-0001", "role": "方案编制", "signed_on": "2026-11-20"}]});
    let check = |situation: &str, data: Value| {
        let (app, citizen) = (&app, &citizen);
        let path =
            format!("/api/v1/items/QDSW00101-01/form/check?region=370202&situation={situation}");
        async move { post(app, citizen, &path, data).await }
    };
    assert_eq!(check("point", data.clone()).await.status(), 200);
    let v = assert_error(check("linear", data.clone()).await, 422, "FORM_INVALID").await;
    assert_eq!(
        v["details"]["fields"][0]["pointer"], "/route_length_m",
        "{v}"
    );
    let mut with_route = data;
    with_route["route_length_m"] = json!(2400);
    assert_eq!(check("linear", with_route).await.status(), 200);
}
