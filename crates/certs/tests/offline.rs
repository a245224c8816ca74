//! Tests of offline verification reports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use shenpi_certs::keys::{Algorithm, KeyPair};
use shenpi_certs::keyset::{KeyEntry, KeySet, RevocationList, RevokedEntry};
use shenpi_certs::offline::verify_offline;
use shenpi_certs::token::{self, Claims};

const NOW: i64 = 1_767_225_600;

fn setup() -> (KeyPair, KeySet) {
    let pair = KeyPair::generate(Algorithm::Sm2).unwrap();
    let set = KeySet {
        issuer: "test".into(),
        keys: vec![KeyEntry::new(&pair.public(), "2026-01-01T00:00:00Z")],
    };
    (pair, set)
}

fn list(version: Option<u16>) -> RevocationList {
    RevocationList {
        issued_at: "2026-01-01T00:00:00Z".into(),
        revoked: vec![RevokedEntry {
            cert_id: "CERT-1".into(),
            version,
            status: "revoked".into(),
            reason: "违法经营".into(),
            at: "2025-12-31T00:00:00Z".into(),
        }],
    }
}

#[test]
fn valid_without_revocation_list_says_so() {
    let (pair, set) = setup();
    let text = token::issue(&pair, &Claims::new_static(&pair.kid(), "CERT-1", 2, NOW)).unwrap();
    let report = verify_offline(&text, &set, None, NOW);
    assert!(report.valid);
    assert_eq!(report.reason_code, None);
    assert!(!report.revocation_checked);
    assert!(
        report.message_zh.contains("未检查吊销/撤销状态"),
        "{}",
        report.message_zh
    );
    assert!(
        report.message_en.contains("evocation was not checked"),
        "{}",
        report.message_en
    );
    assert_eq!(report.claims.unwrap().cert_version, 2);
}

#[test]
fn valid_and_not_revoked() {
    let (pair, set) = setup();
    let text = token::issue(&pair, &Claims::new_static(&pair.kid(), "CERT-1", 2, NOW)).unwrap();
    let report = verify_offline(&text, &set, Some(&list(Some(1))), NOW);
    assert!(report.valid, "{report:?}");
    assert!(report.revocation_checked);
    assert!(!report.message_zh.contains("未检查"));
    assert!(report.revoked.is_none());
}

#[test]
fn revoked() {
    let (pair, set) = setup();
    let text = token::issue(&pair, &Claims::new_static(&pair.kid(), "CERT-1", 2, NOW)).unwrap();
    for version in [None, Some(2)] {
        let report = verify_offline(&text, &set, Some(&list(version)), NOW);
        assert!(!report.valid);
        assert_eq!(report.reason_code.as_deref(), Some("CERT_REVOKED"));
        assert!(report.revocation_checked);
        assert_eq!(report.revoked.unwrap().reason, "违法经营");
        assert!(report.message_zh.contains("吊销"));
    }
}

#[test]
fn invalid_tokens() {
    let (pair, set) = setup();
    let dynamic = token::issue(&pair, &Claims::new_dynamic(&pair.kid(), "CERT-2", 1, NOW)).unwrap();
    let report = verify_offline(&dynamic, &set, None, NOW + 301);
    assert!(!report.valid);
    assert_eq!(report.reason_code.as_deref(), Some("TOKEN_EXPIRED"));
    // The signature was good, so the claims are shown.
    assert_eq!(report.claims.unwrap().cert_id, "CERT-2");
    assert!(report.message_zh.contains("未检查吊销/撤销状态"));

    let other = KeyPair::generate(Algorithm::Sm2).unwrap();
    let foreign =
        token::issue(&other, &Claims::new_static(&other.kid(), "CERT-1", 1, NOW)).unwrap();
    let report = verify_offline(&foreign, &set, Some(&list(None)), NOW);
    assert_eq!(report.reason_code.as_deref(), Some("TOKEN_UNKNOWN_KEY"));
    assert!(report.claims.is_none());
    assert!(!report.revocation_checked);

    let report = verify_offline("garbage", &set, None, NOW);
    assert_eq!(report.reason_code.as_deref(), Some("TOKEN_MALFORMED"));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["valid"], false);
}
