//! Tests of the key set and revocation list JSON and look-ups.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use shenpi_certs::keys::{Algorithm, KeyPair};
use shenpi_certs::keyset::{KeyEntry, KeySet, RevocationList, RevokedEntry};

#[test]
fn key_set_json_and_find() {
    let sm2 = KeyPair::generate(Algorithm::Sm2).unwrap();
    let ed = KeyPair::generate(Algorithm::Ed25519).unwrap();
    let mut retired = KeyEntry::new(&sm2.public(), "2025-01-01T00:00:00+08:00");
    retired.retired_at = Some("2026-01-01T00:00:00+08:00".into());
    let set = KeySet {
        issuer: "青岛市行政审批服务局".into(),
        keys: vec![
            retired,
            KeyEntry::new(&ed.public(), "2026-01-01T00:00:00+08:00"),
        ],
    };
    let json = serde_json::to_string(&set).unwrap();
    assert!(json.contains("\"alg\":\"SM2\""), "{json}");
    assert!(json.contains("\"alg\":\"Ed25519\""), "{json}");
    let back: KeySet = serde_json::from_str(&json).unwrap();
    assert_eq!(back, set);
    // Retired keys still verify.
    assert_eq!(back.find(&sm2.kid()).unwrap(), sm2.public());
    assert_eq!(back.find(&ed.kid()).unwrap(), ed.public());
    assert!(back.find("0000000000000000").is_none());
    // A missing retired_at reads as None.
    let minimal = format!(
        r#"{{"issuer":"x","keys":[{{"kid":"{}","alg":"Ed25519","public_key":"{}","created_at":"2026-01-01T00:00:00Z"}}]}}"#,
        ed.kid(),
        set.keys[1].public_key
    );
    let minimal: KeySet = serde_json::from_str(&minimal).unwrap();
    assert_eq!(minimal.keys[0].retired_at, None);
    assert!(minimal.find(&ed.kid()).is_some());
}

#[test]
fn an_entry_whose_key_does_not_match_its_kid_is_ignored() {
    let a = KeyPair::generate(Algorithm::Ed25519).unwrap();
    let b = KeyPair::generate(Algorithm::Ed25519).unwrap();
    let mut entry = KeyEntry::new(&b.public(), "2026-01-01T00:00:00Z");
    entry.kid = a.kid();
    let set = KeySet {
        issuer: "x".into(),
        keys: vec![entry],
    };
    assert!(set.find(&a.kid()).is_none());
    assert!(set.find(&b.kid()).is_none());
}

#[test]
fn revocation_list_find() {
    let list = RevocationList {
        issued_at: "2026-03-01T00:00:00+08:00".into(),
        revoked: vec![
            RevokedEntry {
                cert_id: "A".into(),
                version: None,
                status: "revoked".into(),
                reason: "吊销".into(),
                at: "2026-02-01T00:00:00+08:00".into(),
            },
            RevokedEntry {
                cert_id: "B".into(),
                version: Some(1),
                status: "superseded".into(),
                reason: "变更".into(),
                at: "2026-02-02T00:00:00+08:00".into(),
            },
        ],
    };
    assert_eq!(list.find("A", 7).unwrap().status, "revoked");
    assert_eq!(list.find("B", 1).unwrap().status, "superseded");
    assert!(list.find("B", 2).is_none());
    assert!(list.find("C", 1).is_none());
    let json = serde_json::to_string(&list).unwrap();
    assert_eq!(serde_json::from_str::<RevocationList>(&json).unwrap(), list);
}
