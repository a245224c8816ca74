//! Sealing and verifying PDFs with SM2/SM3, and interoperability with OpenSSL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use shenpi_notice::{KeyError, PublicKey, SealKey, VerifyError, seal, verify};
use std::process::Command;

/// A small PDF-like document; the seal does not care what the bytes are.
const DOC: &[u8] =
    b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

fn lookup(key: &SealKey) -> impl Fn(&str) -> Option<PublicKey> + use<> {
    let public = key.public_key();
    move |id: &str| (id == public.key_id()).then(|| public.clone())
}

/// Deterministic pseudo-random bytes (xorshift), for tests without an extra crate.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn a_sealed_pdf_verifies_and_stays_a_pdf() {
    let key = SealKey::generate().unwrap();
    let sealed = seal(DOC, &key);
    assert!(
        sealed.starts_with(DOC),
        "the document bytes are kept as they are"
    );
    let tail = std::str::from_utf8(&sealed[DOC.len()..]).unwrap();
    assert!(tail.starts_with(&format!("%SHENPI-SEAL v1 SM2-SM3 {} ", key.key_id())));
    assert!(tail.ends_with('\n') && tail.lines().count() == 1);
    assert_eq!(
        verify(&sealed, &lookup(&key)),
        Ok(shenpi_notice::Verified {
            key_id: key.key_id()
        })
    );
    // The key id is 16 hex digits of SM3 over the SEC1 point.
    assert_eq!(key.key_id().len(), 16);
    assert!(key.key_id().bytes().all(|b| b.is_ascii_hexdigit()));
}

#[test]
fn a_document_without_final_newline_is_sealed_too() {
    let key = SealKey::generate().unwrap();
    let doc = &DOC[..DOC.len() - 1];
    let sealed = seal(doc, &key);
    assert!(verify(&sealed, &lookup(&key)).is_ok());
}

#[test]
fn every_flipped_byte_is_detected() {
    let key = SealKey::generate().unwrap();
    let sealed = seal(DOC, &key);
    for i in 0..sealed.len() {
        let mut changed = sealed.clone();
        changed[i] ^= 0x01;
        let result = verify(&changed, &lookup(&key));
        assert!(result.is_err(), "flip at byte {i} went unnoticed");
        // Inside the document: a bad signature (its last newline joins the seal line instead).
        if i + 1 < DOC.len() {
            assert_eq!(result, Err(VerifyError::BadSignature), "flip at byte {i}");
        }
    }
}

#[test]
fn a_real_notice_verifies_and_a_changed_one_does_not() {
    let pdf = shenpi_notice::render(&common::sample(shenpi_notice::NoticeKind::Grant)).unwrap();
    let key = SealKey::generate().unwrap();
    let sealed = seal(&pdf, &key);
    assert!(sealed.starts_with(b"%PDF-"));
    assert!(verify(&sealed, &lookup(&key)).is_ok());
    let mut rng = XorShift(0x5eed);
    for _ in 0..50 {
        let mut changed = sealed.clone();
        let i = rng.below(pdf.len());
        changed[i] = changed[i].wrapping_add(1 + (rng.next() % 255) as u8);
        assert_eq!(
            verify(&changed, &lookup(&key)),
            Err(VerifyError::BadSignature)
        );
    }
}

#[test]
fn a_signature_of_another_key_is_rejected() {
    let ours = SealKey::generate().unwrap();
    let theirs = SealKey::generate().unwrap();
    let sealed = seal(DOC, &theirs);
    // Unknown id: our lookup does not know their key.
    assert_eq!(
        verify(&sealed, &lookup(&ours)),
        Err(VerifyError::UnknownKey(theirs.key_id()))
    );
    // Their key id, but a lookup that answers with our key: the signature does not match.
    let wrong = |_: &str| Some(ours.public_key());
    assert_eq!(
        verify(&sealed, &wrong),
        Err(VerifyError::UnknownKey(theirs.key_id()))
    );
    // Their id on the line, signed by us: bad signature.
    let forged = seal(DOC, &ours);
    let line_start = DOC.len() + "%SHENPI-SEAL v1 SM2-SM3 ".len();
    let mut forged = forged;
    forged[line_start..line_start + 16].copy_from_slice(theirs.key_id().as_bytes());
    assert_eq!(
        verify(&forged, &lookup(&theirs)),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn unsealed_and_garbage_input_is_not_sealed_and_never_panics() {
    let key = SealKey::generate().unwrap();
    assert_eq!(verify(DOC, &lookup(&key)), Err(VerifyError::NotSealed));
    assert_eq!(verify(b"", &lookup(&key)), Err(VerifyError::NotSealed));
    assert_eq!(verify(b"\n", &lookup(&key)), Err(VerifyError::NotSealed));
    let sealed = seal(DOC, &key);
    for cut in 0..sealed.len() {
        let _ = verify(&sealed[..cut], &lookup(&key));
    }
    let line = format!("%SHENPI-SEAL v1 SM2-SM3 {} ", key.key_id());
    for bad in [
        format!("{line}\n"),
        format!("{line}!!!!\n"),
        format!("{line}AAAA\n"),
        format!("{line}MAYCAQECAQE=\n"),
        "%SHENPI-SEAL v1 SM2-SM3 zzzzzzzzzzzzzzzz AAAA\n".to_owned(),
        "%SHENPI-SEAL v1 SM2-SM3 \n".to_owned(),
    ] {
        let mut doc = DOC.to_vec();
        doc.extend_from_slice(bad.as_bytes());
        assert!(verify(&doc, &lookup(&key)).is_err(), "{bad:?}");
    }
    let mut rng = XorShift(0x1234_5678_9abc_def1);
    for _ in 0..2000 {
        let len = rng.below(300);
        let mut doc: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if rng.below(2) == 0 {
            doc.extend_from_slice(line.as_bytes());
            doc.extend((0..rng.below(120)).map(|_| b"AZaz09+/=\n "[rng.below(11)]));
        }
        let _ = verify(&doc, &lookup(&key));
    }
}

#[test]
fn keys_export_and_import() {
    let key = SealKey::generate().unwrap();
    let again = SealKey::from_secret_hex(&key.secret_hex()).unwrap();
    assert_eq!(again.key_id(), key.key_id());
    let again = SealKey::from_secret_bytes(&key.secret_bytes()).unwrap();
    assert_eq!(again.public_key(), key.public_key());
    let public = key.public_key();
    let hex = public.to_hex();
    assert_eq!(hex.len(), 130);
    assert!(hex.starts_with("04"));
    assert_eq!(PublicKey::from_hex(&hex).unwrap(), public);
    assert_eq!(hex.parse::<PublicKey>().unwrap(), public);
    assert_eq!(public.to_string(), hex);
    assert_eq!(PublicKey::from_hex("zz"), Err(KeyError::Hex));
    assert_eq!(PublicKey::from_hex("0401"), Err(KeyError::Public));
    assert!(matches!(
        SealKey::from_secret_bytes(&[0u8; 32]),
        Err(KeyError::Secret)
    ));
    // Two generated keys differ.
    assert_ne!(SealKey::generate().unwrap().key_id(), key.key_id());
}

#[test]
fn a_known_key_has_a_stable_id_and_public_key() {
    let key = SealKey::from_secret_hex(
        "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8",
    )
    .unwrap();
    let public = key.public_key().to_hex();
    // GM/T 0003.5 example key pair (the sample private key and its public point).
    assert_eq!(
        public,
        "0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020\
         ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13"
    );
    assert_eq!(key.key_id(), key.public_key().key_id());
}

/// SubjectPublicKeyInfo DER of an SM2 public key (id-ecPublicKey with the SM2 curve OID).
fn spki_der(public: &PublicKey) -> Vec<u8> {
    let mut der = vec![
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
        0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d, 0x03, 0x42, 0x00,
    ];
    der.extend_from_slice(&public.to_sec1_bytes());
    der
}

#[test]
fn openssl_verifies_the_seal_signature() {
    let Ok(out) = Command::new("openssl")
        .args(["list", "-digest-algorithms"])
        .output()
    else {
        eprintln!("SKIPPED: openssl not installed");
        return;
    };
    if !String::from_utf8_lossy(&out.stdout)
        .to_ascii_uppercase()
        .contains("SM3")
    {
        eprintln!("SKIPPED: this openssl has no SM3/SM2");
        return;
    }
    let key = SealKey::generate().unwrap();
    let sealed = seal(DOC, &key);
    let text = std::str::from_utf8(&sealed[DOC.len()..]).unwrap();
    let signature = base64::engine::general_purpose::STANDARD
        .decode(text.trim_end().rsplit(' ').next().unwrap())
        .unwrap();
    let dir = std::env::temp_dir().join(format!("shenpi-notice-openssl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("pub.der"), spki_der(&key.public_key())).unwrap();
    std::fs::write(dir.join("msg"), DOC).unwrap();
    std::fs::write(dir.join("sig"), &signature).unwrap();
    let run = |msg: &str| {
        Command::new("openssl")
            .current_dir(&dir)
            .args([
                "pkeyutl",
                "-verify",
                "-pubin",
                "-keyform",
                "DER",
                "-inkey",
                "pub.der",
                "-rawin",
                "-digest",
                "sm3",
                "-pkeyopt",
                "distid:1234567812345678",
                "-in",
                msg,
                "-sigfile",
                "sig",
            ])
            .output()
            .unwrap()
    };
    let good = run("msg");
    assert!(
        good.status.success(),
        "openssl rejected the signature: {}{}",
        String::from_utf8_lossy(&good.stdout),
        String::from_utf8_lossy(&good.stderr)
    );
    std::fs::write(dir.join("other"), b"%PDF-1.7 changed").unwrap();
    assert!(
        !run("other").status.success(),
        "openssl accepted a changed document"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

mod common;
