//! The service-item catalog through the API: proposals and joint review, scheduled versions on
//! the fake clock, district claims with locked key elements, optimistic concurrency, splits,
//! the deviation report and the public guide.

use super::common::*;
use chrono::Duration;
use serde_json::{Value, json};
use shenpi_domain::catalog::example::example_item;
use shenpi_domain::regions::qingdao_districts;
use shenpi_testkit::{TestApp, spawn_app};

fn item_json(code: &str, name: &str) -> Value {
    let mut item = example_item();
    item.code = code.into();
    item.name = name.into();
    serde_json::to_value(item).unwrap()
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let r = post(app, token, "/api/v1/proposals", body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

/// Adds an item through a proposal the city admin overrides and publishes, in force today.
async fn publish_new(app: &TestApp, admin: &str, code: &str, name: &str) {
    let today = app.app.today().to_string();
    let p = create(
        app,
        admin,
        json!({"operation": "add", "title": format!("新增 {name}"),
        "drafts": [item_json(code, name)], "effective_from": today}),
    )
    .await;
    let id = p["id"].as_str().unwrap();
    assert_eq!(
        post(
            app,
            admin,
            &format!("/api/v1/proposals/{id}/submit"),
            json!({})
        )
        .await
        .status(),
        200
    );
    let r = post(
        app,
        admin,
        &format!("/api/v1/proposals/{id}/override"),
        json!({"reason": "测试：立即施行"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = post(
        app,
        admin,
        &format!("/api/v1/proposals/{id}/publish"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn a_change_is_reviewed_by_the_city_and_every_district_then_comes_into_force_on_its_date() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    publish_new(&app, &admin, "T-CHANGE-01", "测试事项甲").await;
    // Every district now implements it (a district-level item added citywide).
    for (code, _) in qingdao_districts() {
        let reg = login(&app, &format!("regadmin-{code}")).await;
        let r = client()
            .post(app.url(&format!("/api/v1/items/T-CHANGE-01/implementations/{code}")))
            .bearer_auth(&reg)
            .json(&json!({"place": "大厅", "hours": "工作日"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let mut changed = item_json("T-CHANGE-01", "测试事项甲");
    changed["promised_limit_days"] = json!(2);
    let tomorrow = (app.app.today() + Duration::days(1)).to_string();
    let p = create(
        &app,
        &admin,
        json!({"operation": "change", "title": "压缩承诺时限", "targets": ["T-CHANGE-01"],
        "drafts": [changed], "effective_from": tomorrow}),
    )
    .await;
    let id = p["id"].as_str().unwrap().to_string();
    assert_eq!(p["districts"].as_array().unwrap().len(), 10);
    let detail: Value = get(&app, &admin, &format!("/api/v1/proposals/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let changes = &detail["diff"][0]["changes"];
    assert_eq!(changes.as_array().unwrap().len(), 1, "{changes}");
    assert_eq!(changes[0]["path"], "promised_limit_days");
    assert_eq!(
        (changes[0]["old"].clone(), changes[0]["new"].clone()),
        (json!(3), json!(2))
    );

    post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{id}/submit"),
        json!({}),
    )
    .await;
    // Publishing before approval is refused.
    assert_error(
        post(
            &app,
            &admin,
            &format!("/api/v1/proposals/{id}/publish"),
            json!({}),
        )
        .await,
        409,
        "PROPOSAL_WRONG_STATUS",
    )
    .await;
    assert_eq!(
        post(
            &app,
            &admin,
            &format!("/api/v1/proposals/{id}/review"),
            json!({"decision": "approve"})
        )
        .await
        .status(),
        200
    );
    for (i, (code, _)) in qingdao_districts().iter().enumerate() {
        let reg = login(&app, &format!("regadmin-{code}")).await;
        let r = post(
            &app,
            &reg,
            &format!("/api/v1/proposals/{id}/review"),
            json!({"decision": "approve", "comment": "同意"}),
        )
        .await;
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        let expected = if i == 9 { "approved" } else { "submitted" };
        assert_eq!(v["status"], expected);
    }
    let r = post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{id}/publish"),
        json!({}),
    )
    .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["published"][0]["version"], 2);

    // Today version 1 is in force and version 2 is scheduled; tomorrow version 2 is.
    let today: Value = client()
        .get(app.url("/api/v1/items/T-CHANGE-01?region=370202"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            today["version"].clone(),
            today["item"]["promised_limit_days"].clone()
        ),
        (json!(1), json!(3))
    );
    assert_eq!(today["scheduled"]["version"], 2);
    app.clock.advance(Duration::days(1));
    let next: Value = client()
        .get(app.url("/api/v1/items/T-CHANGE-01?region=370202"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            next["version"].clone(),
            next["item"]["promised_limit_days"].clone()
        ),
        (json!(2), json!(2))
    );
    assert_eq!(
        next["local"]["place"], "大厅",
        "local elements survive a new standard version"
    );
    // Version 1 stays readable as it was (cases pin the version they were submitted under).
    let v1: Value = client()
        .get(app.url("/api/v1/items/T-CHANGE-01/versions/1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v1["item"]["promised_limit_days"], 3);
    let guide = client()
        .get(app.url("/items/T-CHANGE-01?region=370202"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        guide.contains("id=\"guide-version\">v2<") && guide.contains("id=\"promised-limit\">2<")
    );
}

#[tokio::test]
async fn a_return_sends_the_proposal_back_for_editing_and_stale_edits_are_refused() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    let p = create(&app, &admin, json!({"operation": "add", "title": "新增测试事项",
        "drafts": [item_json("T-RET-01", "退回测试")], "effective_from": app.app.today().to_string()})).await;
    let id = p["id"].as_str().unwrap();
    post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{id}/submit"),
        json!({}),
    )
    .await;
    let reg = login(&app, "regadmin-370203").await;
    let r = post(
        &app,
        &reg,
        &format!("/api/v1/proposals/{id}/review"),
        json!({"decision": "return"}),
    )
    .await;
    let v = assert_error(r, 422, "VALIDATION_FAILED").await;
    assert_eq!(v["details"]["field"], "comment", "a return needs a comment");
    let r: Value = post(
        &app,
        &reg,
        &format!("/api/v1/proposals/{id}/review"),
        json!({"decision": "return", "comment": "请补充本区窗口"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(r["status"], "returned");
    let rev = r["revision"].as_i64().unwrap();
    let body = json!({"operation": "add", "title": "新增测试事项（修改）", "drafts": [item_json("T-RET-01", "退回测试")],
        "effective_from": app.app.today().to_string()});
    let url = |rev: i64| app.url(&format!("/api/v1/proposals/{id}?revision={rev}"));
    let ok = client()
        .put(url(rev))
        .bearer_auth(&admin)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let stale = client()
        .put(url(rev))
        .bearer_auth(&admin)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_error(stale, 409, "STALE_REVISION").await;
    let again: Value = post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{id}/submit"),
        json!({}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(again["status"], "submitted");
    assert!(
        again["reviews"].as_array().unwrap().is_empty(),
        "resubmission starts the review over"
    );
    // A district that is not affected cannot review; the same district cannot review twice.
    let r = post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{id}/review"),
        json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{id}/review"),
        json!({"decision": "approve"}),
    )
    .await;
    assert_error(r, 409, "PROPOSAL_ALREADY_REVIEWED").await;
}

#[tokio::test]
async fn invalid_proposals_are_refused_with_every_problem_named() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    let mut bad = item_json("T-BAD-01", "坏事项");
    bad["promised_limit_days"] = json!(30);
    bad["statutory_limit_days"] = json!(20);
    let r = post(
        &app,
        &admin,
        "/api/v1/proposals",
        json!({"operation": "add", "title": "坏",
        "drafts": [bad], "effective_from": app.app.today().to_string()}),
    )
    .await;
    let v = assert_error(r, 422, "PROPOSAL_INVALID").await;
    let issues = v["details"]["issues"].as_array().unwrap();
    assert!(
        issues
            .iter()
            .any(|i| i["code"] == "ITEM_PROMISED_ABOVE_STATUTORY"
                && i["field"] == "promised_limit_days"),
        "{v}"
    );
    let r = post(
        &app,
        &admin,
        "/api/v1/proposals",
        json!({"operation": "add", "title": "过去",
        "drafts": [item_json("T-PAST", "过去")], "effective_from": "2020-01-01"}),
    )
    .await;
    assert_error(r, 422, "PROPOSAL_EFFECTIVE_IN_PAST").await;
    let r = post(&app, &admin, "/api/v1/proposals", json!({"operation": "change", "title": "无此事项",
        "targets": ["NOPE"], "drafts": [item_json("NOPE", "无")], "effective_from": app.app.today().to_string()})).await;
    assert_error(r, 404, "ITEM_NOT_FOUND").await;
    let r = post(
        &app,
        &admin,
        "/api/v1/proposals",
        json!({"operation": "rename", "title": "x", "effective_from": "2027-01-01"}),
    )
    .await;
    assert_error(r, 422, "INVALID_FIELD").await;
    publish_new(&app, &admin, "T-DUP-01", "重复").await;
    let r = post(
        &app,
        &admin,
        "/api/v1/proposals",
        json!({"operation": "add", "title": "重复",
        "drafts": [item_json("T-DUP-01", "重复")], "effective_from": app.app.today().to_string()}),
    )
    .await;
    assert_error(r, 409, "ITEM_EXISTS").await;
    let clerk = login(&app, "clerk-370202").await;
    assert_error(
        post(&app, &clerk, "/api/v1/proposals", json!({})).await,
        403,
        "FORBIDDEN",
    )
    .await;
}

#[tokio::test]
async fn districts_fill_only_local_elements_of_their_own_district() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    publish_new(&app, &admin, "T-LOCAL-01", "本地要素测试").await;
    let reg = login(&app, "regadmin-370202").await;
    let url = |region: &str| {
        app.url(&format!(
            "/api/v1/items/T-LOCAL-01/implementations/{region}"
        ))
    };
    let r = client()
        .post(url("370203"))
        .bearer_auth(&reg)
        .json(&json!({"place": "x"}))
        .send()
        .await
        .unwrap();
    assert_error(r, 403, "FORBIDDEN").await;
    let r = client()
        .post(url("370202"))
        .bearer_auth(&reg)
        .json(&json!({"place": "市南区大厅", "promised_limit_days": 1}))
        .send()
        .await
        .unwrap();
    let v = assert_error(r, 422, "KEY_ELEMENT_LOCKED").await;
    assert_eq!(v["details"]["fields"], json!(["promised_limit_days"]));
    let r = client()
        .post(url("370202"))
        .bearer_auth(&reg)
        .json(
            &json!({"place": "市南区大厅", "windows": ["A01"], "consultation_phone": "0532-1234"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = client()
        .post(url("370202"))
        .bearer_auth(&reg)
        .json(&json!({"place": "again"}))
        .send()
        .await
        .unwrap();
    assert_error(r, 409, "ITEM_ALREADY_CLAIMED").await;
    let put = |rev: i64, body: Value| {
        client()
            .put(app.url(&format!(
                "/api/v1/items/T-LOCAL-01/implementations/370202?revision={rev}"
            )))
            .bearer_auth(&reg)
            .json(&body)
            .send()
    };
    let r = put(
        1,
        json!({"place": "市南区行政审批服务大厅二楼", "name": "改名"}),
    )
    .await
    .unwrap();
    assert_error(r, 422, "KEY_ELEMENT_LOCKED").await;
    let r = put(
        1,
        json!({"place": "市南区行政审批服务大厅二楼", "consultation_phone": "call me"}),
    )
    .await
    .unwrap();
    assert_error(r, 422, "VALIDATION_FAILED").await;
    assert_eq!(
        put(1, json!({"place": "市南区行政审批服务大厅二楼"}))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_error(
        put(1, json!({"place": "旧版本"})).await.unwrap(),
        409,
        "STALE_REVISION",
    )
    .await;
    let v: Value = client()
        .get(app.url("/api/v1/items/T-LOCAL-01?region=370202"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["local"]["place"], "市南区行政审批服务大厅二楼");
    assert_eq!(
        v["item"]["promised_limit_days"], 3,
        "key elements come from the city standard"
    );
    let r = client()
        .get(app.url("/api/v1/items/T-LOCAL-01?region=370203"))
        .send()
        .await
        .unwrap();
    assert_error(r, 404, "ITEM_NOT_FOUND").await;
    let r = client()
        .get(app.url("/api/v1/items?region=999999"))
        .send()
        .await
        .unwrap();
    assert_error(r, 422, "VALIDATION_FAILED").await;
}

#[tokio::test]
async fn a_split_cancels_the_old_item_and_its_districts_implement_the_new_ones() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    publish_new(&app, &admin, "T-SPLIT-00", "拆分前").await;
    let reg = login(&app, "regadmin-370211").await;
    client()
        .post(app.url("/api/v1/items/T-SPLIT-00/implementations/370211"))
        .bearer_auth(&reg)
        .json(&json!({"place": "黄岛区大厅"}))
        .send()
        .await
        .unwrap();
    let p = create(
        &app,
        &admin,
        json!({"operation": "split", "title": "拆分", "targets": ["T-SPLIT-00"],
        "drafts": [item_json("T-SPLIT-01", "拆分后一"), item_json("T-SPLIT-02", "拆分后二")],
        "effective_from": app.app.today().to_string()}),
    )
    .await;
    assert_eq!(p["districts"], json!(["370211"]));
    let id = p["id"].as_str().unwrap();
    post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{id}/submit"),
        json!({}),
    )
    .await;
    post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{id}/review"),
        json!({"decision": "approve"}),
    )
    .await;
    let v: Value = post(
        &app,
        &reg,
        &format!("/api/v1/proposals/{id}/review"),
        json!({"decision": "approve"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(v["status"], "approved");
    let v: Value = post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{id}/publish"),
        json!({}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(v["published"].as_array().unwrap().len(), 3);
    let list: Value = client()
        .get(app.url("/api/v1/items?region=370211&q=拆分"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["拆分后一", "拆分后二"]);
    let v: Value = client()
        .get(app.url("/api/v1/items/T-SPLIT-02?region=370211"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["local"]["place"], "黄岛区大厅");
    let old: Value = client()
        .get(app.url("/api/v1/items/T-SPLIT-00"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(old["state"], "cancelled");
}

#[tokio::test]
async fn the_deviation_report_lists_districts_whose_list_differs_from_the_standard() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    publish_new(&app, &admin, "T-DEV-01", "偏差测试").await;
    let v: Value = get(&app, &admin, "/api/v1/catalog/deviations")
        .await
        .json()
        .await
        .unwrap();
    assert!(v["items"].as_array().unwrap().is_empty());
    // A district imports its own list, which promises 5 days where the standard says 3.
    let mut own = item_json("T-DEV-01", "偏差测试");
    own["promised_limit_days"] = json!(5);
    let reg = login(&app, "regadmin-370213").await;
    let url = app.url("/api/v1/catalog/import-district?region=370213&format=json");
    let r = client()
        .post(&url)
        .bearer_auth(&reg)
        .json(&json!([own]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["deviations"][0]["changes"][0]["path"],
        "promised_limit_days"
    );
    let v: Value = get(&app, &admin, "/api/v1/catalog/deviations")
        .await
        .json()
        .await
        .unwrap();
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{v}");
    assert_eq!(items[0]["region"], "370213");
    assert_eq!(items[0]["kind"], "key_elements_differ");
    // The guide still shows the city standard: the district list never overrides key elements.
    let g: Value = client()
        .get(app.url("/api/v1/items/T-DEV-01?region=370213"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(g["item"]["promised_limit_days"], 3);
    // Unknown codes refuse the whole list; another district's list is refused.
    let r = client()
        .post(&url)
        .bearer_auth(&reg)
        .json(&json!([item_json("NOPE-01", "无")]))
        .send()
        .await
        .unwrap();
    assert_error(r, 422, "IMPORT_INVALID").await;
    let r = client()
        .post(app.url("/api/v1/catalog/import-district?region=370214&format=json"))
        .bearer_auth(&reg)
        .json(&json!([item_json("T-DEV-01", "偏差测试")]))
        .send()
        .await
        .unwrap();
    assert_error(r, 403, "FORBIDDEN").await;
}

#[tokio::test]
async fn the_guide_shows_every_section_in_order_and_staff_see_review_points() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    publish_new(&app, &admin, "T-GUIDE-01", "指南测试").await;
    let html = client()
        .get(app.url("/items/T-GUIDE-01"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let order = [
        "一、基本信息",
        "二、受理条件",
        "三、申请材料",
        "四、办理流程",
        "五、办理时限",
        "六、收费标准",
        "七、设定依据",
        "八、常见问题",
        "九、办理地点和时间",
        "十、咨询和监督投诉",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|s| html.find(s).unwrap_or_else(|| panic!("{s} missing")))
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "sections in order"
    );
    assert!(
        html.contains("装饰装修工程")
            && html.contains("告知承诺")
            && html.contains("《中华人民共和国建筑法》")
    );
    assert!(
        !html.contains("审查要点与意见用语"),
        "the public does not see reviewer knowledge"
    );
    let list = client()
        .get(app.url("/items?q=指南"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("/items/T-GUIDE-01?region=370200"));
    let r = client().get(app.url("/items/NOPE")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

async fn search(app: &TestApp, query: &str) -> Vec<Value> {
    let r = client()
        .get(app.url(&format!("/api/v1/search?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{query}");
    let v: Value = r.json().await.unwrap();
    v["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn search_tolerates_a_wrong_character_and_understands_pinyin() {
    let app = spawn_app().await;
    for q in ["q=施工许可正", "q=施工许证", "q=shigongxuke", "q=sgxk"] {
        let hits = search(&app, q).await;
        assert!(!hits.is_empty(), "{q}");
        let name = hits[0]["name"].as_str().unwrap();
        assert!(name.contains("施工许可"), "{q} → {name}");
    }
    let hits = search(&app, "q=食品经营许").await;
    assert!(hits[0]["name"].as_str().unwrap().contains("食品经营许可"));
    let hits = search(&app, "q=施工许可&region=370202").await;
    assert!(!hits.is_empty() && hits.iter().all(|h| h["region"] == "370202"));
    let hits = search(&app, "q=施工许可&online_level=offline").await;
    assert!(
        hits.iter()
            .all(|h| h["name"].as_str().unwrap() != "建筑工程施工许可证核发")
    );
    for garbage in ["q=", "q=%22%3A(*)~%5E", "q=%F0%9F%8E%89", "q=AND%20OR"] {
        search(&app, garbage).await;
    }
    let r = client()
        .get(app.url("/api/v1/search?q=x&region=123456"))
        .send()
        .await
        .unwrap();
    assert_error(r, 422, "VALIDATION_FAILED").await;
    let page = client()
        .get(app.url("/search?q=sgxk"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("施工许可") && page.contains("class=\"hit\""));
}

#[tokio::test]
async fn a_published_item_is_searchable_at_once_and_a_cancelled_one_disappears() {
    let app = spawn_app().await;
    assert!(
        search(&app, "q=量子通信基站")
            .await
            .iter()
            .all(|h| h["code"] != "T-SEARCH-01")
    );
    let admin = login(&app, "admin").await;
    publish_new(&app, &admin, "T-SEARCH-01", "量子通信基站建设许可").await;
    let hits = search(&app, "q=量子通信基站").await;
    assert_eq!(hits[0]["code"], "T-SEARCH-01");
    let p = create(
        &app,
        &admin,
        json!({"operation": "cancel", "title": "取消", "targets": ["T-SEARCH-01"],
        "effective_from": app.app.today().to_string()}),
    )
    .await;
    let id = p["id"].as_str().unwrap();
    post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{id}/submit"),
        json!({}),
    )
    .await;
    post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{id}/override"),
        json!({"reason": "测试"}),
    )
    .await;
    assert_eq!(
        post(
            &app,
            &admin,
            &format!("/api/v1/proposals/{id}/publish"),
            json!({})
        )
        .await
        .status(),
        200
    );
    assert!(
        search(&app, "q=量子通信基站")
            .await
            .iter()
            .all(|h| h["code"] != "T-SEARCH-01")
    );
}

async fn proposal_count(app: &TestApp, token: &str) -> i64 {
    let v: Value = get(app, token, "/api/v1/proposals")
        .await
        .json()
        .await
        .unwrap();
    v["total"].as_i64().unwrap()
}

#[tokio::test]
async fn the_catalog_exports_and_imports_whole_or_not_at_all() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    let r = client()
        .get(app.url("/api/v1/catalog/export?format=xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".xlsx")
    );
    let xlsx = r.bytes().await.unwrap();
    let json_export: Value = client()
        .get(app.url("/api/v1/catalog/export?format=json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let count = json_export.as_array().unwrap().len();
    assert!(count >= 30);

    // Re-importing the export proposes a change for every item, in one go.
    let r = client()
        .post(app.url("/api/v1/catalog/import?format=xlsx"))
        .bearer_auth(&admin)
        .header("content-type", "application/octet-stream")
        .body(xlsx.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    assert_eq!(proposal_count(&app, &admin).await as usize, count);

    // A JSON file with one bad item imports nothing and names the problem.
    let mut items = json_export.as_array().unwrap()[..3].to_vec();
    items[1]["promised_limit_days"] = json!(999);
    let r = client()
        .post(app.url("/api/v1/catalog/import?format=json"))
        .bearer_auth(&admin)
        .json(&items)
        .send()
        .await
        .unwrap();
    let v = assert_error(r, 422, "IMPORT_INVALID").await;
    let errors = v["details"]["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["code"] == "ITEM_PROMISED_ABOVE_STATUTORY"),
        "{v}"
    );
    assert_eq!(
        proposal_count(&app, &admin).await as usize,
        count,
        "nothing half-imported"
    );

    // The template imports as one new item; garbage and oversized files are refused.
    let template = client()
        .get(app.url("/api/v1/catalog/template.xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let r = client()
        .post(app.url("/api/v1/catalog/import"))
        .bearer_auth(&admin)
        .body(template.to_vec())
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["proposals"][0]["operation"], "add", "{v}");
    let r = client()
        .post(app.url("/api/v1/catalog/import"))
        .bearer_auth(&admin)
        .body(b"PK\x03\x04garbage".to_vec())
        .send()
        .await
        .unwrap();
    assert_error(r, 422, "IMPORT_INVALID").await;
    let big = vec![b'x'; shenpi_exchange::MAX_IMPORT_BYTES + 10];
    let r = client()
        .post(app.url("/api/v1/catalog/import"))
        .bearer_auth(&admin)
        .body(big)
        .send()
        .await
        .unwrap();
    assert_error(r, 413, "PAYLOAD_TOO_LARGE").await;
    let clerk = login(&app, "clerk-370202").await;
    let r = client()
        .post(app.url("/api/v1/catalog/import"))
        .bearer_auth(&clerk)
        .body(template.to_vec())
        .send()
        .await
        .unwrap();
    assert_error(r, 403, "FORBIDDEN").await;
}

#[tokio::test]
async fn a_merge_cancels_both_items_and_districts_cannot_draft_standards() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    publish_new(&app, &admin, "T-MERGE-A", "合并前甲").await;
    publish_new(&app, &admin, "T-MERGE-B", "合并前乙").await;
    let p = create(&app, &admin, json!({"operation": "merge", "title": "合并", "targets": ["T-MERGE-A", "T-MERGE-B"],
        "drafts": [item_json("T-MERGE-AB", "合并后")], "effective_from": app.app.today().to_string()})).await;
    let id = p["id"].as_str().unwrap();
    post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{id}/submit"),
        json!({}),
    )
    .await;
    let v: Value = post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{id}/review"),
        json!({"decision": "approve"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        v["status"], "approved",
        "no district implements the targets, so the city alone reviews"
    );
    post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{id}/publish"),
        json!({}),
    )
    .await;
    for code in ["T-MERGE-A", "T-MERGE-B"] {
        let v: Value = client()
            .get(app.url(&format!("/api/v1/items/{code}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["state"], "cancelled");
    }
    let v: Value = client()
        .get(app.url("/api/v1/items/T-MERGE-AB"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["state"], "active");
    let reg = login(&app, "regadmin-370202").await;
    let r = post(
        &app,
        &reg,
        "/api/v1/proposals",
        json!({"operation": "add", "title": "区级新增",
        "drafts": [item_json("T-REG-01", "区级")], "effective_from": app.app.today().to_string()}),
    )
    .await;
    assert_error(r, 403, "FORBIDDEN").await;
}

#[tokio::test]
async fn staff_see_review_points_and_standard_opinions_on_the_guide() {
    let app = spawn_app().await;
    let out = page_session(&app, "reviewer-370202").await;
    let html = client()
        .get(app.url("/items/QDJS00501-01?region=370202"))
        .header("cookie", format!("shenpi_session={}", out.token))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("审查要点与意见用语") && html.contains("准予"),
        "staff see the external brain"
    );
}
