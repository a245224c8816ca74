//! Tests of canonical JSON (RFC 8785 examples) and payload signatures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;
use shenpi_certs::canonical::{canonical_json, payload_digest, sign_payload, verify_payload};
use shenpi_certs::keys::{Algorithm, KeyPair};

#[test]
fn rfc8785_sorting_example() {
    // RFC 8785 §3.2.3: sorting by UTF-16 code units.
    let v: serde_json::Value = serde_json::from_str(
        r#"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#,
    )
    .unwrap();
    let text = canonical_json(&v);
    let expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
    assert_eq!(text, expected);
}

#[test]
fn rfc8785_primitives_example() {
    // RFC 8785 §3.2.2, less its first number (333333333.33333329), which serde_json without
    // `float_roundtrip` reads one unit off; payloads carry no fractional numbers.
    let v: serde_json::Value = serde_json::from_str(
        r#"{"numbers": [1E30, 4.50, 2e-3, 0.000000000000000000000000001],
            "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
            "literals": [null, true, false]}"#,
    )
    .unwrap();
    assert_eq!(
        canonical_json(&v),
        r#"{"literals":[null,true,false],"numbers":[1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
    );
}

#[test]
fn numbers() {
    for (input, output) in [
        ("0", "0"),
        ("-0.0", "0"),
        ("1.0", "1"),
        ("-12", "-12"),
        ("1e21", "1e+21"),
        ("1e20", "100000000000000000000"),
        ("123456.789", "123456.789"),
        ("0.000001", "0.000001"),
        ("0.0000001", "1e-7"),
        ("-1.5e-9", "-1.5e-9"),
        ("18446744073709551615", "18446744073709551615"),
        ("-9223372036854775808", "-9223372036854775808"),
    ] {
        let v: serde_json::Value = serde_json::from_str(input).unwrap();
        assert_eq!(canonical_json(&v), output, "{input}");
    }
}

#[test]
fn nested_and_whitespace_free() {
    let v = json!({"b": [1, {"z": 1, "a": "甲"}], "a": {}});
    assert_eq!(canonical_json(&v), r#"{"a":{},"b":[1,{"a":"甲","z":1}]}"#);
    // Key order in the input does not change the digest.
    let w: serde_json::Value =
        serde_json::from_str(r#"{ "a" : {}, "b" : [1, {"a":"甲", "z":1}] }"#).unwrap();
    assert_eq!(payload_digest(&v), payload_digest(&w));
}

#[test]
fn payload_signatures() {
    for alg in [Algorithm::Sm2, Algorithm::Ed25519] {
        let pair = KeyPair::generate(alg).unwrap();
        let data = json!({"holder": "青岛某某有限公司", "cert_id": "X.001.F", "valid_until": "2031-01-01"});
        let sig = sign_payload(&pair, &data).unwrap();
        verify_payload(&pair.public(), &data, &sig).unwrap();
        let changed = json!({"holder": "青岛某某有限公司", "cert_id": "X.002.F", "valid_until": "2031-01-01"});
        assert!(verify_payload(&pair.public(), &changed, &sig).is_err());
    }
}
