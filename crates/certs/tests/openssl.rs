//! Interoperability with the `openssl` command line (OpenSSL 3): signatures made here verify
//! there, and signatures made there verify here. Each test prints "SKIPPED" and passes when
//! `openssl` is not on PATH.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use shenpi_certs::keys::{Algorithm, KeyPair, PublicKey, Signer, der_to_raw, sign_der_sm2};

const DIST_ID_OPT: &str = "distid:1234567812345678";

fn openssl_available() -> bool {
    let found = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        println!("SKIPPED: openssl is not on PATH");
    }
    found
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shenpi-certs-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn openssl(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn verify_args(alg: Algorithm, sig_file: &str) -> Vec<&str> {
    let mut args = vec![
        "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "msg", "-sigfile",
        sig_file,
    ];
    if alg == Algorithm::Sm2 {
        args.extend(["-digest", "sm3", "-pkeyopt", DIST_ID_OPT]);
    }
    args
}

#[test]
fn our_signatures_verify_with_openssl() {
    if !openssl_available() {
        return;
    }
    for alg in [Algorithm::Sm2, Algorithm::Ed25519] {
        let dir = scratch(&format!("ours-{alg}"));
        let pair = KeyPair::generate(alg).unwrap();
        let msg = "shenpi-cert-token-v1\0电子证照 1.2.156.3005.2".as_bytes();
        let sig = match alg {
            Algorithm::Sm2 => sign_der_sm2(&pair, msg).unwrap(),
            Algorithm::Ed25519 => pair.sign(msg).unwrap().to_vec(),
        };
        std::fs::write(dir.join("pub.pem"), pair.public().to_pem()).unwrap();
        std::fs::write(dir.join("msg"), msg).unwrap();
        std::fs::write(dir.join("sig"), &sig).unwrap();
        std::fs::write(dir.join("other"), b"another message").unwrap();

        let out = openssl(&dir, &verify_args(alg, "sig"));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{alg}: {stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("Signature Verified Successfully"),
            "{stdout}"
        );

        // The same signature over another message is refused by OpenSSL.
        let mut args = verify_args(alg, "sig");
        args[7] = "other";
        assert!(!openssl(&dir, &args).status.success(), "{alg}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn openssl_signatures_verify_here() {
    if !openssl_available() {
        return;
    }
    for alg in [Algorithm::Sm2, Algorithm::Ed25519] {
        let dir = scratch(&format!("theirs-{alg}"));
        let name = if alg == Algorithm::Sm2 {
            "SM2"
        } else {
            "ED25519"
        };
        let msg = b"signed by openssl";
        std::fs::write(dir.join("msg"), msg).unwrap();
        assert!(
            openssl(&dir, &["genpkey", "-algorithm", name, "-out", "priv.pem"])
                .status
                .success()
        );
        assert!(
            openssl(
                &dir,
                &["pkey", "-in", "priv.pem", "-pubout", "-out", "pub.pem"]
            )
            .status
            .success()
        );
        let mut sign = vec![
            "pkeyutl", "-sign", "-inkey", "priv.pem", "-rawin", "-in", "msg", "-out", "sig",
        ];
        if alg == Algorithm::Sm2 {
            sign.extend(["-digest", "sm3", "-pkeyopt", DIST_ID_OPT]);
        }
        let out = openssl(&dir, &sign);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );

        let public =
            PublicKey::from_pem(&std::fs::read_to_string(dir.join("pub.pem")).unwrap()).unwrap();
        assert_eq!(public.alg(), alg);
        let sig = std::fs::read(dir.join("sig")).unwrap();
        let raw = match alg {
            Algorithm::Sm2 => der_to_raw(&sig).unwrap(),
            Algorithm::Ed25519 => sig.try_into().unwrap(),
        };
        public.verify(msg, &raw).unwrap();
        assert!(public.verify(b"other", &raw).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
