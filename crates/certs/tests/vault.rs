//! Tests of the key vault: round trip, wrong key, wrong key id, tampering, master key text.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use shenpi_certs::keys::{Algorithm, KeyPair};
use shenpi_certs::vault::{MasterKey, VaultError};

const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn master() -> MasterKey {
    MasterKey::from_config(HEX).unwrap()
}

#[test]
fn round_trip_of_a_secret_key() {
    let pair = KeyPair::generate(Algorithm::Sm2).unwrap();
    let kid = pair.kid();
    let sealed = master().seal(&pair.secret_bytes(), kid.as_bytes()).unwrap();
    assert_eq!(sealed.len(), 1 + 12 + 32 + 16);
    assert_eq!(sealed[0], 1);
    let opened = master().open(&sealed, kid.as_bytes()).unwrap();
    let again = KeyPair::from_secret(Algorithm::Sm2, &opened).unwrap();
    assert_eq!(again.kid(), kid);
    // A fresh nonce each time.
    assert_ne!(
        sealed,
        master().seal(&pair.secret_bytes(), kid.as_bytes()).unwrap()
    );
}

#[test]
fn wrong_master_key_fails() {
    let sealed = master().seal(b"secret", b"kid").unwrap();
    let other = MasterKey::from_bytes(&[9u8; 32]).unwrap();
    assert_eq!(
        other.open(&sealed, b"kid").unwrap_err(),
        VaultError::Decrypt
    );
}

#[test]
fn wrong_aad_fails() {
    let sealed = master().seal(b"secret", b"0123456789abcdef").unwrap();
    assert_eq!(
        master().open(&sealed, b"0123456789abcdee").unwrap_err(),
        VaultError::Decrypt
    );
    assert_eq!(
        master().open(&sealed, b"").unwrap_err(),
        VaultError::Decrypt
    );
}

#[test]
fn every_tampered_byte_fails() {
    let sealed = master()
        .seal(b"a 32-byte secret key, for a test", b"kid")
        .unwrap();
    for i in 0..sealed.len() {
        let mut bad = sealed.clone();
        bad[i] ^= 0x01;
        let error = master().open(&bad, b"kid").unwrap_err();
        let expected = if i == 0 {
            VaultError::Malformed
        } else {
            VaultError::Decrypt
        };
        assert_eq!(error, expected, "byte {i}");
    }
    for len in 0..sealed.len() {
        assert!(
            master().open(&sealed[..len], b"kid").is_err(),
            "length {len}"
        );
    }
}

#[test]
fn master_key_text_forms() {
    let bytes: Vec<u8> = (0u8..32).collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let b64_nopad = base64::engine::general_purpose::STANDARD_NO_PAD.encode(&bytes);
    let sealed = master().seal(b"x", b"k").unwrap();
    for text in [
        HEX.to_owned(),
        HEX.to_uppercase(),
        format!("  {HEX}\n"),
        b64,
        b64_nopad,
    ] {
        let key = MasterKey::from_config(&text).unwrap();
        assert_eq!(&key.open(&sealed, b"k").unwrap()[..], b"x", "{text}");
    }
}

#[test]
fn bad_master_key_text_is_refused() {
    for text in [
        "",
        "short",
        &HEX[..62],
        &format!("{HEX}00"),
        "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd", // base64 of 30 bytes
        "not base64 at all!",
    ] {
        assert_eq!(
            MasterKey::from_config(text).unwrap_err(),
            VaultError::InvalidMasterKey,
            "{text:?}"
        );
    }
    let error = VaultError::InvalidMasterKey;
    assert_eq!(error.code(), "VAULT_INVALID_MASTER_KEY");
    assert!(!error.message_zh().is_empty());
}

#[test]
fn debug_is_redacted() {
    let debug = format!("{:?}", master());
    assert_eq!(debug, "MasterKey(<redacted>)");
}
