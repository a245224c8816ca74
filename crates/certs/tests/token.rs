//! Tests of the show-and-verify token: round trips, every error, expiry boundaries, URLs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use shenpi_certs::keys::{Algorithm, KeyPair, PublicKey, Signer};
use shenpi_certs::token::{
    self, CLOCK_SKEW_SECS, Claims, DYNAMIC_LIFETIME_SECS, TokenError, TokenKind, extract,
};

const CERT_ID: &str = "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F";
const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn keys_of(pair: &KeyPair) -> impl Fn(&str) -> Option<PublicKey> + '_ {
    move |kid: &str| (kid == pair.kid()).then(|| pair.public())
}

#[test]
fn round_trip_for_both_algorithms_and_kinds() {
    for alg in [Algorithm::Sm2, Algorithm::Ed25519] {
        let pair = KeyPair::generate(alg).unwrap();
        for claims in [
            Claims::new_dynamic(&pair.kid(), CERT_ID, 3, NOW),
            Claims::new_static(&pair.kid(), CERT_ID, 1, NOW),
        ] {
            let text = token::issue(&pair, &claims).unwrap();
            assert!(
                text.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{text}"
            );
            let bytes = URL_SAFE_NO_PAD.decode(&text).unwrap();
            assert_eq!(bytes.len(), 93 + CERT_ID.len());
            let (parsed, unverified) = token::parse(&text).unwrap();
            assert_eq!(parsed, claims);
            unverified.check_signature(&pair.public()).unwrap();
            assert_eq!(token::verify(&text, &keys_of(&pair), NOW).unwrap(), claims);
            // A static token never expires.
            if claims.kind == TokenKind::Static {
                assert!(token::verify(&text, &keys_of(&pair), i64::MAX).is_ok());
            }
        }
    }
}

#[test]
fn layout_is_as_documented() {
    let pair = KeyPair::from_secret(Algorithm::Ed25519, &[7; 32]).unwrap();
    let claims = Claims::new_dynamic(&pair.kid(), "ABC", 0x0102, 0x1122);
    let bytes = URL_SAFE_NO_PAD
        .decode(token::issue(&pair, &claims).unwrap())
        .unwrap();
    assert_eq!(bytes[0], 1);
    assert_eq!(bytes[1], 1);
    assert_eq!(hex::encode(&bytes[2..10]), pair.kid());
    assert_eq!(&bytes[10..18], &0x1122i64.to_be_bytes());
    assert_eq!(&bytes[18..26], &(0x1122i64 + 300).to_be_bytes());
    assert_eq!(&bytes[26..28], &[1, 2]);
    assert_eq!(bytes[28], 3);
    assert_eq!(&bytes[29..32], b"ABC");
    let mut signed = b"shenpi-cert-token-v1\0".to_vec();
    signed.extend_from_slice(&bytes[..32]);
    pair.public().verify(&signed, &bytes[32..]).unwrap();
    assert_eq!(bytes.len(), 96);
}

#[test]
fn truncated_at_every_length_is_malformed() {
    let pair = KeyPair::generate(Algorithm::Sm2).unwrap();
    let text = token::issue(&pair, &Claims::new_dynamic(&pair.kid(), CERT_ID, 1, NOW)).unwrap();
    let bytes = URL_SAFE_NO_PAD.decode(&text).unwrap();
    for len in 0..bytes.len() {
        let cut = URL_SAFE_NO_PAD.encode(&bytes[..len]);
        let error = token::verify(&cut, &keys_of(&pair), NOW).unwrap_err();
        assert_eq!(error.code(), "TOKEN_MALFORMED", "length {len}");
    }
    // Cutting the text itself (possibly mid-character) is malformed too.
    for len in 0..text.len() {
        let error = token::verify(&text[..len], &keys_of(&pair), NOW).unwrap_err();
        assert_eq!(error.code(), "TOKEN_MALFORMED", "text length {len}");
    }
    let mut long = bytes.clone();
    long.push(0);
    let error = token::verify(&URL_SAFE_NO_PAD.encode(&long), &keys_of(&pair), NOW).unwrap_err();
    assert_eq!(
        error,
        TokenError::Malformed {
            detail: "trailing bytes"
        }
    );
}

#[test]
fn every_flipped_bit_is_refused() {
    for alg in [Algorithm::Sm2, Algorithm::Ed25519] {
        let pair = KeyPair::generate(alg).unwrap();
        let text = token::issue(&pair, &Claims::new_dynamic(&pair.kid(), CERT_ID, 9, NOW)).unwrap();
        let bytes = URL_SAFE_NO_PAD.decode(&text).unwrap();
        for bit in 0..bytes.len() * 8 {
            let mut bad = bytes.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            let result = token::verify(&URL_SAFE_NO_PAD.encode(&bad), &keys_of(&pair), NOW);
            let code = result.unwrap_err().code();
            let expected: &[&str] = if (2..10).contains(&(bit / 8)) {
                &["TOKEN_UNKNOWN_KEY"]
            } else {
                &["TOKEN_MALFORMED", "TOKEN_BAD_SIGNATURE"]
            };
            assert!(expected.contains(&code), "{alg} bit {bit}: {code}");
        }
        // Changing one character of the text is refused too (non-canonical last characters
        // included).
        for i in 0..text.len() {
            let mut chars: Vec<u8> = text.clone().into_bytes();
            chars[i] = if chars[i] == b'A' { b'B' } else { b'A' };
            let bad = String::from_utf8(chars).unwrap();
            assert!(
                token::verify(&bad, &keys_of(&pair), NOW).is_err(),
                "{alg} char {i}"
            );
        }
    }
}

#[test]
fn expiry_boundaries() {
    let pair = KeyPair::generate(Algorithm::Ed25519).unwrap();
    let claims = Claims::new_dynamic(&pair.kid(), CERT_ID, 1, NOW);
    assert_eq!(claims.expires_at, Some(NOW + DYNAMIC_LIFETIME_SECS));
    assert_eq!(DYNAMIC_LIFETIME_SECS, 300);
    let text = token::issue(&pair, &claims).unwrap();
    let keys = keys_of(&pair);
    assert!(token::verify(&text, &keys, NOW + 300).is_ok());
    assert_eq!(
        token::verify(&text, &keys, NOW + 301).unwrap_err(),
        TokenError::Expired {
            expires_at: NOW + 300
        }
    );
    assert_eq!(
        token::verify(&text, &keys, NOW + 301).unwrap_err().code(),
        "TOKEN_EXPIRED"
    );
    // Issued up to 60 s in the future is accepted (clock skew), beyond that refused.
    assert!(token::verify(&text, &keys, NOW - CLOCK_SKEW_SECS).is_ok());
    let error = token::verify(&text, &keys, NOW - CLOCK_SKEW_SECS - 1).unwrap_err();
    assert_eq!(error.code(), "TOKEN_NOT_YET_VALID");
    assert!(!error.message_zh().is_empty());
}

#[test]
fn unknown_kid() {
    let pair = KeyPair::generate(Algorithm::Sm2).unwrap();
    let other = KeyPair::generate(Algorithm::Sm2).unwrap();
    let text = token::issue(&pair, &Claims::new_static(&pair.kid(), CERT_ID, 1, NOW)).unwrap();
    let error = token::verify(&text, &keys_of(&other), NOW).unwrap_err();
    assert_eq!(error.code(), "TOKEN_UNKNOWN_KEY");
    assert_eq!(error, TokenError::UnknownKey { kid: pair.kid() });
    // A key set that answers with the wrong key for this kid is not trusted either.
    let lying = |_: &str| Some(other.public());
    assert_eq!(
        token::verify(&text, &lying, NOW).unwrap_err().code(),
        "TOKEN_UNKNOWN_KEY"
    );
}

#[test]
fn a_token_signed_by_another_key_with_the_same_kid_is_bad() {
    struct Liar(KeyPair, String);
    impl Signer for Liar {
        fn alg(&self) -> Algorithm {
            self.0.alg()
        }
        fn kid(&self) -> String {
            self.1.clone()
        }
        fn public(&self) -> PublicKey {
            self.0.public()
        }
        fn sign(&self, msg: &[u8]) -> Result<[u8; 64], shenpi_certs::keys::KeyError> {
            self.0.sign(msg)
        }
    }
    let real = KeyPair::generate(Algorithm::Sm2).unwrap();
    let liar = Liar(KeyPair::generate(Algorithm::Sm2).unwrap(), real.kid());
    let text = token::issue(&liar, &Claims::new_static(&real.kid(), CERT_ID, 1, NOW)).unwrap();
    assert_eq!(
        token::verify(&text, &keys_of(&real), NOW).unwrap_err(),
        TokenError::BadSignature
    );
}

#[test]
fn invalid_claims_are_not_issued() {
    let pair = KeyPair::generate(Algorithm::Ed25519).unwrap();
    let good = Claims::new_dynamic(&pair.kid(), CERT_ID, 1, NOW);
    let cases = [
        Claims {
            kid: "0000000000000000".into(),
            ..good.clone()
        },
        Claims {
            cert_id: String::new(),
            ..good.clone()
        },
        Claims {
            cert_id: "x".repeat(121),
            ..good.clone()
        },
        Claims {
            cert_id: "a\nb".into(),
            ..good.clone()
        },
        Claims {
            expires_at: None,
            ..good.clone()
        },
        Claims {
            expires_at: Some(0),
            ..good.clone()
        },
        Claims {
            kind: TokenKind::Static,
            ..good.clone()
        },
    ];
    for claims in cases {
        let error = token::issue(&pair, &claims).unwrap_err();
        assert_eq!(error.code(), "TOKEN_INVALID_CLAIMS", "{claims:?}");
    }
    let max = Claims {
        cert_id: "证".repeat(40),
        ..good
    };
    assert_eq!(max.cert_id.len(), 120);
    let text = token::issue(&pair, &max).unwrap();
    assert_eq!(token::verify(&text, &keys_of(&pair), NOW).unwrap(), max);
}

#[test]
fn unknown_version_or_kind_is_malformed() {
    let pair = KeyPair::generate(Algorithm::Ed25519).unwrap();
    let text = token::issue(&pair, &Claims::new_static(&pair.kid(), CERT_ID, 1, NOW)).unwrap();
    let bytes = URL_SAFE_NO_PAD.decode(&text).unwrap();
    for (index, value) in [(0, 2u8), (0, 0), (1, 0), (1, 3)] {
        let mut bad = bytes.clone();
        bad[index] = value;
        assert_eq!(
            token::parse(&URL_SAFE_NO_PAD.encode(&bad))
                .unwrap_err()
                .code(),
            "TOKEN_MALFORMED"
        );
    }
    assert_eq!(
        token::parse("not a token!").unwrap_err().code(),
        "TOKEN_MALFORMED"
    );
    let padded = format!("{text}=");
    assert_eq!(token::parse(&padded).unwrap_err().code(), "TOKEN_MALFORMED");
}

#[test]
fn tokens_inside_urls() {
    let pair = KeyPair::generate(Algorithm::Sm2).unwrap();
    let text = token::issue(&pair, &Claims::new_dynamic(&pair.kid(), CERT_ID, 1, NOW)).unwrap();
    for wrapped in [
        text.clone(),
        format!(" {text}\n"),
        format!("https://zwfw.example.gov.cn/verify/{text}"),
        format!("https://zwfw.example.gov.cn/verify/{text}/"),
        format!("https://zwfw.example.gov.cn/verify/{text}#top"),
        format!("https://zwfw.example.gov.cn/v?t={text}"),
        format!("https://zwfw.example.gov.cn/v?lang=zh&t={text}&x=1"),
        format!("/verify?t={text}#frag"),
    ] {
        assert_eq!(extract(&wrapped), text, "{wrapped}");
        assert!(token::verify(&wrapped, &keys_of(&pair), NOW).is_ok());
    }
    assert_eq!(extract("https://h/verify?x=1"), "verify");
}
