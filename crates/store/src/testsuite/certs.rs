//! The shared suite's certificate check: one active signing key (a new active key retires the
//! others), certificate versions by holder, case and serial, optimistic updates, usage records.

use super::t0;
use crate::model::{
    CertKeyRecord, CertReminder, CertUsage, CertificateRecord, EnterpriseGrant, ProactiveCase,
};
use crate::{Store, StoreError};
use chrono::Duration;

fn key(kid: &str, minutes: i64) -> CertKeyRecord {
    CertKeyRecord {
        kid: kid.into(),
        alg: "SM2".into(),
        public_key: format!("04{kid}"),
        sealed_secret: Some(format!("sealed-{kid}")),
        created_at: t0() + Duration::minutes(minutes),
        retired_at: None,
        active: true,
    }
}

fn cert(identifier: &str, serial: &str, version: i64, holder: &str) -> CertificateRecord {
    CertificateRecord {
        id: crate::new_id(),
        identifier: identifier.into(),
        serial: serial.into(),
        version,
        type_code: "suite-type".into(),
        holder_id: holder.into(),
        holder_name: "青岛示例建筑劳务有限公司".into(),
        region_code: "370202".into(),
        case_id: Some(format!("case-{serial}")),
        previous: None,
        status: "valid".into(),
        status_reason: String::new(),
        status_at: t0() + Duration::minutes(version),
        valid_from: "2026-11-28".into(),
        valid_until: Some("2031-11-27".into()),
        data: "{\"fields\":{}}".into(),
        issued_at: t0() + Duration::minutes(version),
        revision: 1,
    }
}

pub(super) async fn certificates_and_keys_are_kept(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    tx.insert_cert_key(&key("k1", 0)).await.unwrap();
    tx.insert_cert_key(&key("k2", 5)).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let keys = tx.cert_keys().await.unwrap();
    let state: Vec<(&str, bool, bool)> = keys
        .iter()
        .map(|k| (k.kid.as_str(), k.active, k.retired_at.is_some()))
        .collect();
    assert_eq!(state, [("k1", false, true), ("k2", true, false)]);
    assert_eq!(keys[0].retired_at, Some(t0() + Duration::minutes(5)));
    assert_eq!(keys[1].sealed_secret.as_deref(), Some("sealed-k2"));
    drop(tx);

    let holder = "91370202MA3SUITE0X";
    let v1 = cert("suite.1.001", "S1", 1, holder);
    let mut v2 = cert("suite.1.002", "S1", 2, holder);
    v2.previous = Some(v1.identifier.clone());
    let other = cert("suite.2.001", "S2", 1, "91370202MA3OTHER0X");
    let mut tx = store.begin().await.unwrap();
    for c in [&v1, &v2, &other] {
        tx.insert_certificate(c).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let taken = tx
        .insert_certificate(&cert("suite.1.001", "S9", 1, holder))
        .await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    let mut got = tx.certificate("suite.1.001").await.unwrap().unwrap();
    assert_eq!(got, v1);
    got.status = "superseded".into();
    got.status_reason = "变更换发新版本".into();
    got.revision = 2;
    tx.update_certificate(&got, 1).await.unwrap();
    let stale = tx.update_certificate(&got, 1).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    tx.insert_cert_usage(&CertUsage {
        id: crate::new_id(),
        certificate_id: v2.identifier.clone(),
        region_code: "370202".into(),
        at: t0() + Duration::hours(1),
        actor_id: "u1".into(),
        actor_name: "市南区市场监管局 张示例".into(),
        department: "370202-scjg".into(),
        purpose: "现场核查".into(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let ids = |v: Vec<CertificateRecord>| v.into_iter().map(|c| c.identifier).collect::<Vec<_>>();
    assert_eq!(
        ids(tx.certificates_of_holder(holder).await.unwrap()),
        ["suite.1.002", "suite.1.001"]
    );
    // Page by page, newest first, with the holder's total.
    let first = tx.certificates_of_holder_page(holder, 1, 1).await.unwrap();
    assert_eq!((first.total, first.page, first.per_page), (2, 1, 1));
    assert_eq!(ids(first.items), ["suite.1.002"]);
    let second = tx.certificates_of_holder_page(holder, 2, 1).await.unwrap();
    assert_eq!(ids(second.items), ["suite.1.001"]);
    let past = tx.certificates_of_holder_page(holder, 3, 1).await.unwrap();
    assert!(past.items.is_empty());
    assert_eq!(past.total, 2);
    let none = tx
        .certificates_of_holder_page("nobody", 1, 50)
        .await
        .unwrap();
    assert_eq!((none.total, none.items.len()), (0, 0));
    // Out-of-range arguments are clamped, not refused: page 1, at most 200 a page.
    let clamped = tx
        .certificates_of_holder_page(holder, 0, 10_000)
        .await
        .unwrap();
    assert_eq!((clamped.page, clamped.per_page), (1, 200));
    assert_eq!(ids(clamped.items), ["suite.1.002", "suite.1.001"]);
    // Only valid versions of the asked types: v1 was superseded by v2.
    assert_eq!(
        ids(tx
            .valid_certificates_of_holder(holder, &["other-type", "suite-type"])
            .await
            .unwrap()),
        ["suite.1.002"]
    );
    assert!(
        tx.valid_certificates_of_holder(holder, &["other-type"])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        tx.valid_certificates_of_holder(holder, &[])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ids(tx.certificate_versions("suite-type", "S1").await.unwrap()),
        ["suite.1.001", "suite.1.002"]
    );
    assert_eq!(
        ids(tx.certificates_of_case("case-S2").await.unwrap()),
        ["suite.2.001"]
    );
    let old = tx.certificate("suite.1.001").await.unwrap().unwrap();
    assert_eq!((old.status.as_str(), old.revision), ("superseded", 2));
    assert_eq!(tx.certificate("suite.9.001").await.unwrap(), None);
    assert_eq!(
        ids(tx.inactive_certificates().await.unwrap()),
        ["suite.1.001"]
    );
    assert_eq!(
        ids(tx.certificates_expiring("2031-11-27").await.unwrap()),
        ["suite.1.002", "suite.2.001"]
    );
    assert!(
        tx.certificates_expiring("2031-11-26")
            .await
            .unwrap()
            .is_empty()
    );
    drop(tx);
    let reminder = |threshold: i64| CertReminder {
        identifier: v2.identifier.clone(),
        threshold,
        region_code: "370202".into(),
        holder_id: holder.into(),
        valid_until: "2031-11-27".into(),
        created_at: t0(),
        deliveries: "[]".into(),
    };
    let mut tx = store.begin().await.unwrap();
    assert!(tx.insert_cert_reminder(&reminder(30)).await.unwrap());
    assert!(tx.insert_cert_reminder(&reminder(90)).await.unwrap());
    assert!(
        !tx.insert_cert_reminder(&reminder(30)).await.unwrap(),
        "once per threshold"
    );
    tx.update_cert_reminder_deliveries(&v2.identifier, 30, "[{\"channel\":\"log\"}]")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let got = tx.cert_reminders(&v2.identifier).await.unwrap();
    assert_eq!(
        got.iter().map(|r| r.threshold).collect::<Vec<_>>(),
        [90, 30]
    );
    assert_eq!(got[1].deliveries, "[{\"channel\":\"log\"}]");
    let usages = tx.cert_usages(&v2.identifier).await.unwrap();
    assert_eq!(usages.len(), 1);
    assert_eq!(usages[0].purpose, "现场核查");
    assert!(tx.cert_usages(&v1.identifier).await.unwrap().is_empty());
}

pub(super) async fn enterprise_grants_are_kept_and_revoked(store: &dyn Store) {
    let grant = |username: &str, role: &str| EnterpriseGrant {
        uscc: "91370202MA3GRANT0X".into(),
        username: username.into(),
        role: role.into(),
        region_code: "370202".into(),
        granted_by: "enterprise".into(),
        granted_at: t0(),
        revoked_at: None,
    };
    let mut tx = store.begin().await.unwrap();
    tx.upsert_enterprise_grant(&grant("agent1", "agent"))
        .await
        .unwrap();
    tx.upsert_enterprise_grant(&grant("agent1", "cert_manager"))
        .await
        .unwrap();
    tx.upsert_enterprise_grant(&grant("agent2", "agent"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let at = t0() + Duration::hours(1);
    assert!(
        tx.revoke_enterprise_grant("91370202MA3GRANT0X", "agent2", "agent", at)
            .await
            .unwrap()
    );
    assert!(
        !tx.revoke_enterprise_grant("91370202MA3GRANT0X", "agent2", "agent", at)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let all = tx.enterprise_grants("91370202MA3GRANT0X").await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].revoked_at, Some(at));
    assert!(tx.grants_of_user("agent2").await.unwrap().is_empty());
    let roles: Vec<String> = tx
        .grants_of_user("agent1")
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.role)
        .collect();
    assert_eq!(roles, ["agent", "cert_manager"]);
    drop(tx);
    // Granted again: active again.
    let mut tx = store.begin().await.unwrap();
    tx.upsert_enterprise_grant(&grant("agent2", "agent"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.grants_of_user("agent2").await.unwrap().len(), 1);
}

pub(super) async fn proactive_cases_are_offered_once(store: &dyn Store) {
    let offer = |id: &str| ProactiveCase {
        id: id.into(),
        identifier: "suite.p.001".into(),
        kind: "change".into(),
        holder_id: "91370202MA3PROACT0X".into(),
        region_code: "370202".into(),
        status: "offered".into(),
        data: "{}".into(),
        created_at: t0(),
        decided_at: None,
        revision: 1,
    };
    let mut tx = store.begin().await.unwrap();
    assert!(tx.insert_proactive_case(&offer("p1")).await.unwrap());
    assert!(
        !tx.insert_proactive_case(&offer("p2")).await.unwrap(),
        "one open offer"
    );
    let mut got = tx.proactive_case("p1").await.unwrap().unwrap();
    got.status = "confirmed".into();
    got.decided_at = Some(t0());
    got.revision = 2;
    tx.update_proactive_case(&got, 1).await.unwrap();
    assert!(matches!(
        tx.update_proactive_case(&got, 1).await,
        Err(StoreError::Conflict(_))
    ));
    // Decided: a new offer may open.
    assert!(tx.insert_proactive_case(&offer("p3")).await.unwrap());
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let all = tx.proactive_cases_of("91370202MA3PROACT0X").await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(tx.proactive_case("p2").await.unwrap().is_none());
}
