//! Issue 5 item 6 in Chromium: an applicant submits the 12-in-1 utility bundle on its page; the
//! clerk accepts; reviewers of two departments (行政审批服务局 and 交通运输局) each see and
//! review their own items on their to-do pages, and approvers decide; the simulator's water and
//! gas companies get their parts by webhook and report; the applicant watches the one combined
//! status move and downloads the sealed combined result.

use super::browser::{sign_in, wait_gone};
use super::cases::open_task;
use super::common::*;
use super::partners::signed;
use serde_json::{Value, json};
use shenpi_testkit::browser::Browser;
use shenpi_testkit::{TestApp, spawn_app};
use std::time::Duration;

/// Signs in as `username`: the to-do page lists the tasks of `numbers` and none of `hidden`
/// (another department's); each is approved with an opinion through its form.
async fn review_on_to_do_page(
    b: &Browser,
    app: &TestApp,
    username: &str,
    numbers: &[String],
    hidden: &[String],
) {
    let token = login(app, username).await;
    let v: Value = get(app, &token, "/api/v1/tasks")
        .await
        .json()
        .await
        .unwrap();
    let mut listed: Vec<String> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["case_number"].as_str().unwrap().to_string())
        .collect();
    listed.sort();
    let mut wanted = numbers.to_vec();
    wanted.sort();
    assert_eq!(
        listed, wanted,
        "{username} sees its department's items only"
    );
    sign_in(b, app, username).await;
    b.goto(&app.url("/tasks")).await;
    assert!(b.wait_for(".task", Duration::from_secs(10)).await);
    let page = b.text("main").await;
    assert!(numbers.iter().all(|n| page.contains(n.as_str())), "{page}");
    assert!(!hidden.iter().any(|n| page.contains(n.as_str())), "{page}");
    for number in numbers {
        let tid = open_task(app, &token, number).await["task"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        b.goto(&app.url("/tasks")).await;
        let form = format!("form[action=\"/tasks/{tid}/complete\"]");
        assert!(
            b.wait_for(&form, Duration::from_secs(10)).await,
            "{username} {number}: {}",
            b.source().await
        );
        b.click(&format!("#outcome-{tid} option[value=\"approve\"]"))
            .await;
        b.fill(&format!("#opinion-{tid}"), "经审查，符合条件，同意。")
            .await;
        b.click(&format!("{form} button[type=\"submit\"]")).await;
        assert!(
            wait_gone(b, &form, Duration::from_secs(15)).await,
            "{username} {number}: {}",
            b.source().await
        );
    }
}

#[tokio::test]
async fn an_applicant_submits_the_utility_bundle_and_downloads_the_combined_result_in_chromium() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("材料.pdf");
    std::fs::write(&pdf, "%PDF-1.7\n% bundle material\n%%EOF\n").unwrap();

    // The water and gas companies are wired to the simulator.
    let admin = login(&app, "admin").await;
    let (creds, inbox) =
        super::partners::wire_partners(&app, &admin, &["water-supply", "gas"]).await;

    // The applicant picks the bundle, answers the questionnaire, fills the shared fields once
    // and uploads the materials once.
    sign_in(&b, &app, "citizen").await;
    b.goto(&app.url("/bundles")).await;
    assert!(
        b.wait_for(
            "#bundle-utility-hookup-12 .bundle-apply",
            Duration::from_secs(10)
        )
        .await,
        "{}",
        b.source().await
    );
    b.click("#bundle-utility-hookup-12 .bundle-apply").await;
    assert!(
        b.wait_for("#bundle-form", Duration::from_secs(10)).await,
        "{}",
        b.source().await
    );
    assert!(b.text("#bundle-title").await.contains("12合一"));
    for id in [
        "#q-services-water",
        "#q-services-gas",
        "#q-dig_road-yes",
        "#q-green-no",
        "#q-highway-yes",
    ] {
        b.click(id).await;
    }
    for (id, text) in [
        ("#f-project_name", "示例科技园三期"),
        ("#f-address", "市南区示例路 3 号"),
        ("#f-contact", "赵示例"),
        ("#f-contact_phone", "13700000000"),
    ] {
        b.fill(id, text).await;
    }
    let inputs = b
        .execute_async(
            "const done = arguments[arguments.length - 1]; done([...document.querySelectorAll('input.bundle-file')].map(i => i.id));",
            json!([]),
        )
        .await;
    let inputs: Vec<String> = inputs
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(
        inputs.len() > 30,
        "one input per material of the bundle: {inputs:?}"
    );
    for id in &inputs {
        b.attach(&format!("#{id}"), &pdf).await;
    }
    b.click("#bundle-submit").await;
    assert!(
        b.wait_for("#bundle-status", Duration::from_secs(20)).await,
        "{}",
        b.source().await
    );
    assert_eq!(b.text("#bundle-status").await, "已提交，待受理");
    let url = b.current_url().await;
    let bundle_id = url.rsplit('/').next().unwrap().to_string();
    let citizen = login(&app, "citizen").await;
    b.goto(&app.url("/cases")).await;
    assert!(
        b.wait_for("#bundle-cases", Duration::from_secs(10)).await,
        "{}",
        b.source().await
    );
    assert!(
        b.text("#bundle-cases").await.contains("12合一"),
        "我的办件 lists the bundle case"
    );
    let view: Value = get(&app, &citizen, &format!("/api/v1/bundle-cases/{bundle_id}"))
        .await
        .json()
        .await
        .unwrap();
    let subs = view["sub_cases"].as_array().unwrap().clone();
    assert_eq!(subs.len(), 6, "{view}");

    // The government items: acceptance at the comprehensive window, review and decision by
    // the staff of each item's department.
    let step = |username: &'static str, number: String, outcome: &'static str| {
        let app = &app;
        async move {
            let token = login(app, username).await;
            let tid = open_task(app, &token, &number).await["task"]["id"]
                .as_str()
                .unwrap()
                .to_string();
            let r = post(
                app,
                &token,
                &format!("/api/v1/tasks/{tid}/complete"),
                json!({"outcome": outcome, "opinion": "符合条件，同意。"}),
            )
            .await;
            assert_eq!(r.status(), 200, "{username} {number}");
        }
    };
    let government: Vec<String> = subs
        .iter()
        .filter(|s| s["handler"].get("department").is_some())
        .map(|s| s["number"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(government.len(), 4);
    let of = |department: &str| -> Vec<String> {
        subs.iter()
            .filter(|s| s["handler"]["department"] == department)
            .map(|s| s["number"].as_str().unwrap().to_string())
            .collect()
    };
    let (bureau, transport) = (of("spj"), of("jtj"));
    assert_eq!((bureau.len(), transport.len()), (3, 1));
    step("clerk-370202", government[0].clone(), "accept").await;
    b.goto(&url).await;
    assert!(b.wait_for("#bundle-status", Duration::from_secs(10)).await);
    assert_eq!(b.text("#bundle-status").await, "办理中", "the status moves");
    for n in &government[1..] {
        step("clerk-370202", n.clone(), "accept").await;
    }
    // Each department's reviewer signs in and reviews on the to-do page, which lists only
    // that department's items.
    review_on_to_do_page(&b, &app, "reviewer-370202", &bureau, &transport).await;
    review_on_to_do_page(&b, &app, "reviewer-jtj-370202", &transport, &bureau).await;
    for n in &bureau {
        step("approver-370202", n.clone(), "approve").await;
    }
    for n in &transport {
        step("approver-jtj-370202", n.clone(), "approve").await;
    }

    // The companies get their parts and report completion.
    assert_eq!(app.app.deliver_due().await.unwrap(), 1, "gas fails once");
    app.clock
        .set(shenpi_testkit::start_time() + chrono::Duration::seconds(31));
    assert_eq!(app.app.deliver_due().await.unwrap(), 1);
    assert_eq!(inbox.lock().unwrap().len(), 2);
    let now = shenpi_app::Clock::now(&*app.clock).timestamp();
    for (i, code) in [(0, "QDGY00101-01"), (1, "QDGY00401-01")] {
        let sub = subs.iter().find(|s| s["item_code"] == code).unwrap();
        let path = format!(
            "/api/v1/partner/subcases/{}/progress",
            sub["case_id"].as_str().unwrap()
        );
        let r = signed(&app, (creds[i].1.as_str(), creds[i].2.as_str()), &path,
            &json!({"idempotency_key": format!("done-{code}"), "status": "completed", "note": "已完成接入"}), now, &format!("n-{code}")).await;
        assert_eq!(r.status(), 200);
    }

    // The applicant sees one status, every item done, and downloads the sealed result.
    sign_in(&b, &app, "citizen").await;
    b.goto(&url).await;
    assert!(
        b.wait_for("#bundle-result-link", Duration::from_secs(10))
            .await,
        "{}",
        b.source().await
    );
    assert_eq!(b.text("#bundle-status").await, "已办结");
    let got = b
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               fetch(document.querySelector('#bundle-result-link').href, {credentials: 'same-origin'})
                 .then(r => r.arrayBuffer().then(buf => done({status: r.status, type: r.headers.get('content-type'), bytes: Array.from(new Uint8Array(buf))})))
                 .catch(e => done({error: String(e)}));"#,
            json!([]),
        )
        .await;
    assert_eq!(
        got["status"],
        200,
        "{}",
        got.get("error").cloned().unwrap_or_default()
    );
    assert_eq!(got["type"], "application/pdf");
    let bytes: Vec<u8> = got["bytes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| u8::try_from(x.as_u64().unwrap()).unwrap())
        .collect();
    assert!(bytes.starts_with(b"%PDF-"));
    let verified: Value = client()
        .post(app.url("/api/v1/notices/verify"))
        .header("content-type", "application/pdf")
        .body(bytes)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(verified["valid"], true, "{verified}");
}
