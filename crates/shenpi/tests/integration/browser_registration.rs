//! Issue 6 item 7 in Chromium, on a phone-sized screen: an enterprise applicant walks the smart
//! registration form from empty to the generated documents — name parts, scope picked from the
//! list, premises, capital, one shareholder, officers, contact — sees the inferred entity type
//! and the permits, generates the documents, opens a PDF (its text has the company name) and
//! goes on to the application of the picked item with the documents attached.

use super::browser::sign_in;
use super::registration::{WANG, ZHANG};
use serde_json::json;
use shenpi_testkit::browser::Browser;
use shenpi_testkit::spawn_app;
use std::time::Duration;

#[tokio::test]
async fn an_applicant_walks_from_the_empty_registration_form_to_the_documents_in_chromium() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    b.set_window_size(390, 900).await;
    sign_in(&b, &app, "enterprise").await;
    b.goto(&app.url("/registration")).await;
    assert!(
        b.wait_for("#reg-form", Duration::from_secs(10)).await,
        "{}",
        b.source().await
    );
    for (css, text) in [
        ("#name_trade", "海蓝"),
        ("#name_industry", "信息技术"),
        ("#address_detail", "香港中路10号"),
        ("#capital", "100"),
        ("#sh-0-name", "张海"),
        ("#sh-0-id", ZHANG),
        ("#sh-0-amount", "100"),
        ("#rep_name", "张海"),
        ("#rep_id", ZHANG),
        ("#rep_mobile", "13800000001"),
        ("#of-0-name", "张海"),
        ("#of-0-id", ZHANG),
        ("#of-1-name", "王蓝"),
        ("#of-1-id", WANG),
        ("#contact_name", "王蓝"),
        ("#contact_id", WANG),
        ("#contact_mobile", "13800000002"),
    ] {
        b.fill(css, text).await;
    }
    for css in [
        "#scope-I6511",
        "#scope-H6210",
        "#address_region option[value=\"370202\"]",
        "#of-0-position option[value=\"执行董事\"]",
        "#of-1-position option[value=\"监事\"]",
    ] {
        b.click(css).await;
    }
    // A date input takes keys in the browser's locale; set the ISO value directly.
    b.execute_async(
        "const done = arguments[arguments.length - 1]; document.querySelector('#sh-0-due').value = arguments[0]; done(true);",
        json!(["2030-12-31"]),
    )
    .await;
    b.click("#reg-check").await;
    assert!(
        b.wait_for("#reg-entity-type", Duration::from_secs(15))
            .await,
        "{}",
        b.source().await
    );
    assert_eq!(
        b.text("#reg-entity-type").await,
        "有限责任公司（自然人独资）"
    );
    assert_eq!(b.text("#reg-name").await, "青岛海蓝信息技术有限公司");
    assert!(b.text("#reg-permits").await.contains("食品经营许可证"));
    assert!(b.text("#reg-item").await.contains("有限责任公司设立登记"));

    b.click("#reg-generate").await;
    assert!(
        b.wait_for("#reg-documents", Duration::from_secs(30)).await,
        "{}",
        b.source().await
    );
    let list = b.text("#reg-documents").await;
    for title in [
        "公司设立登记申请书",
        "公司章程",
        "股东决定",
        "法定代表人任职文件",
        "指定代表",
    ] {
        assert!(list.contains(title), "{list}");
    }
    let got = b
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               fetch(document.querySelector('a.reg-doc[data-kind="articles"]').href, {credentials: 'same-origin'})
                 .then(r => r.arrayBuffer().then(buf => done({status: r.status, type: r.headers.get('content-type'), bytes: Array.from(new Uint8Array(buf))})))
                 .catch(e => done({error: String(e)}));"#,
            json!([]),
        )
        .await;
    assert_eq!(got["status"], 200, "{got}");
    assert_eq!(got["type"], "application/pdf");
    let bytes: Vec<u8> = got["bytes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| u8::try_from(x.as_u64().unwrap()).unwrap())
        .collect();
    assert!(bytes.starts_with(b"%PDF-"));
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("articles.pdf");
    std::fs::write(&pdf, &bytes).unwrap();
    match std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
    {
        Ok(o) if o.status.success() => {
            // Justified CJK lines may come out with spaces between characters.
            let text: String = String::from_utf8_lossy(&o.stdout)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            assert!(text.contains("青岛海蓝信息技术有限公司"), "{text}");
            assert!(text.contains("公司章程"), "{text}");
            assert!(text.contains("reg.articles"), "{text}");
        }
        _ => eprintln!("pdftotext not installed: the PDF's text was not checked"),
    }

    // On to the application of the picked item, the documents already attached.
    b.click("#reg-apply").await;
    assert!(b.wait_for("form", Duration::from_secs(10)).await);
    let page = b.text("main").await;
    assert!(page.contains("有限责任公司设立登记"), "{page}");
}
