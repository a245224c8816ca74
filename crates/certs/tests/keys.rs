//! Tests of keys: generation, import, key ids, signatures, PEM, DER, `Debug` redaction.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use shenpi_certs::keys::{
    Algorithm, KeyError, KeyPair, PublicKey, Signer, der_to_raw, raw_to_der, sign_der_sm2,
};
use sm3::Digest as _;

const ALGS: [Algorithm; 2] = [Algorithm::Sm2, Algorithm::Ed25519];

#[test]
fn algorithm_names_round_trip() {
    for alg in ALGS {
        assert_eq!(Algorithm::parse(alg.as_str()).unwrap(), alg);
        let json = serde_json::to_string(&alg).unwrap();
        assert_eq!(json, format!("\"{}\"", alg.as_str()));
        assert_eq!(serde_json::from_str::<Algorithm>(&json).unwrap(), alg);
    }
    assert_eq!(Algorithm::Sm2.as_str(), "SM2");
    assert_eq!(Algorithm::Ed25519.as_str(), "Ed25519");
    assert_eq!(Algorithm::parse("ed25519").unwrap(), Algorithm::Ed25519);
    assert_eq!(Algorithm::parse("RSA"), Err(KeyError::UnknownAlgorithm));
}

#[test]
fn sign_verify_and_reimport() {
    for alg in ALGS {
        let pair = KeyPair::generate(alg).unwrap();
        let sig = pair.sign(b"message").unwrap();
        let public = pair.public();
        public.verify(b"message", &sig).unwrap();
        assert_eq!(
            public.verify(b"messagf", &sig),
            Err(KeyError::BadSignature),
            "{alg}"
        );
        let mut bad = sig;
        bad[10] ^= 1;
        assert!(public.verify(b"message", &bad).is_err());
        assert_eq!(
            public.verify(b"message", &sig[..63]),
            Err(KeyError::MalformedSignature)
        );

        let again = KeyPair::from_secret(alg, &pair.secret_bytes()).unwrap();
        assert_eq!(again.public(), public);
        assert_eq!(again.kid(), pair.kid());
        let parsed = PublicKey::from_bytes(alg, public.bytes()).unwrap();
        assert_eq!(parsed, public);
        parsed
            .verify(b"message", &again.sign(b"message").unwrap())
            .unwrap();
    }
}

#[test]
fn public_key_sizes_and_kid() {
    let sm2 = KeyPair::generate(Algorithm::Sm2).unwrap().public();
    assert_eq!(sm2.bytes().len(), 65);
    assert_eq!(sm2.bytes()[0], 4);
    let ed = KeyPair::generate(Algorithm::Ed25519).unwrap().public();
    assert_eq!(ed.bytes().len(), 32);

    for (key, tag) in [(&sm2, 1u8), (&ed, 2u8)] {
        let mut hasher = sm3::Sm3::new();
        hasher.update([tag]);
        hasher.update(key.bytes());
        let expected = hex::encode(&hasher.finalize()[..8]);
        assert_eq!(key.kid(), expected);
        assert_eq!(key.kid().len(), 16);
    }
}

#[test]
fn invalid_keys_are_refused() {
    assert_eq!(
        KeyPair::from_secret(Algorithm::Sm2, &[0u8; 32]).unwrap_err(),
        KeyError::InvalidSecret
    );
    assert_eq!(
        KeyPair::from_secret(Algorithm::Sm2, &[0xffu8; 32]).unwrap_err(),
        KeyError::InvalidSecret
    );
    assert_eq!(
        KeyPair::from_secret(Algorithm::Ed25519, &[1u8; 31]).unwrap_err(),
        KeyError::InvalidSecret
    );
    let sm2 = KeyPair::generate(Algorithm::Sm2).unwrap().public();
    // A compressed point or a point off the curve is refused.
    assert!(PublicKey::from_bytes(Algorithm::Sm2, &sm2.bytes()[..33]).is_err());
    let mut off_curve = sm2.bytes().to_vec();
    off_curve[64] ^= 1;
    assert_eq!(
        PublicKey::from_bytes(Algorithm::Sm2, &off_curve).unwrap_err(),
        KeyError::InvalidPublic
    );
    assert!(PublicKey::from_bytes(Algorithm::Ed25519, &[0u8; 31]).is_err());
    assert!(PublicKey::from_bytes(Algorithm::Ed25519, sm2.bytes()).is_err());
}

#[test]
fn fixed_secret_gives_fixed_public() {
    let pair = KeyPair::from_secret(Algorithm::Ed25519, &[0x11; 32]).unwrap();
    assert_eq!(pair.secret_bytes(), [0x11; 32]);
    // Ed25519 is deterministic: the same secret and message give the same signature.
    assert_eq!(pair.sign(b"x").unwrap(), pair.sign(b"x").unwrap());
    let sm2 = KeyPair::from_secret(Algorithm::Sm2, &[0x11; 32]).unwrap();
    assert_eq!(sm2.secret_bytes(), [0x11; 32]);
}

#[test]
fn debug_shows_no_secret() {
    for alg in ALGS {
        let pair = KeyPair::from_secret(alg, &[0x5a; 32]).unwrap();
        let debug = format!("{pair:?}");
        assert!(debug.contains(&pair.kid()), "{debug}");
        assert!(debug.contains(alg.as_str()) || debug.contains(&format!("{alg:?}")));
        assert!(!debug.contains("5a5a"), "{debug}");
        assert!(!debug.contains("90, 90"), "{debug}");
    }
}

#[test]
fn pem_round_trip() {
    for alg in ALGS {
        let public = KeyPair::generate(alg).unwrap().public();
        let pem = public.to_pem();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
        assert!(pem.ends_with("-----END PUBLIC KEY-----\n"), "{pem}");
        assert_eq!(PublicKey::from_pem(&pem).unwrap(), public);
    }
    assert_eq!(
        PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
        Err(KeyError::InvalidPem)
    );
}

#[test]
fn sm2_spki_matches_the_sm2_crate() {
    use sm2::pkcs8::EncodePublicKey as _;
    let pair = KeyPair::generate(Algorithm::Sm2).unwrap();
    let theirs = sm2::dsa::VerifyingKey::from_sec1_bytes("1234567812345678", pair.public().bytes())
        .unwrap()
        .to_public_key_der()
        .unwrap();
    assert_eq!(pair.public().to_spki_der(), theirs.as_bytes());
}

#[test]
fn der_signatures() {
    let pair = KeyPair::generate(Algorithm::Sm2).unwrap();
    for i in 0..20u8 {
        let msg = [i; 7];
        let raw = pair.sign(&msg).unwrap();
        let der = raw_to_der(&raw);
        let theirs = sm2::dsa::Signature::from_slice(&raw).unwrap().to_der();
        assert_eq!(der, theirs.as_bytes());
        assert_eq!(der_to_raw(&der).unwrap(), raw);
        let via_helper = sign_der_sm2(&pair, &msg).unwrap();
        pair.public()
            .verify(&msg, &der_to_raw(&via_helper).unwrap())
            .unwrap();
    }
    // Leading zero bytes and high bits are encoded minimally.
    let mut raw = [0u8; 64];
    raw[31] = 1;
    raw[32] = 0x80;
    let der = raw_to_der(&raw);
    assert_eq!(&der[..5], &[0x30, 0x26, 0x02, 0x01, 0x01]);
    assert_eq!(&der[5..8], &[0x02, 0x21, 0x00]);
    let ed = KeyPair::generate(Algorithm::Ed25519).unwrap();
    assert_eq!(sign_der_sm2(&ed, b"x"), Err(KeyError::AlgorithmMismatch));
    assert_eq!(der_to_raw(b"\x30\x00"), Err(KeyError::MalformedSignature));
}

#[test]
fn error_codes_and_messages() {
    let error = KeyError::BadSignature;
    assert_eq!(error.code(), "KEY_BAD_SIGNATURE");
    assert!(!error.message_zh().is_empty());
    assert_eq!(error.message_en(), error.to_string());
}

#[test]
fn signer_is_object_safe() {
    let pair = KeyPair::generate(Algorithm::Sm2).unwrap();
    let signer: &dyn Signer = &pair;
    assert_eq!(signer.alg(), Algorithm::Sm2);
    assert_eq!(signer.kid(), pair.kid());
    let sig = signer.sign(b"m").unwrap();
    signer.public().verify(b"m", &sig).unwrap();
}
