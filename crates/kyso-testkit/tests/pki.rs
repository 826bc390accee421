//! The generated test PKI is complete, chains up, and its files open.

use std::process::Command;

use kyso_testkit::{LeafKind, TestPki};

fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("run openssl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "openssl {args:?} failed:\n{text}");
    text
}

fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn every_leaf_chains_to_the_root() {
    let pki = TestPki::get();
    for kind in LeafKind::ALL {
        let leaf = pki.leaf(kind);
        for p in [
            &leaf.key_pem,
            &leaf.cert_pem,
            &leaf.chain_pem,
            &leaf.p12_modern,
            &leaf.p12_legacy,
        ] {
            assert!(p.is_file(), "{} missing", p.display());
        }
        let out = openssl(&[
            "verify",
            "-CAfile",
            s(pki.root_pem()),
            "-untrusted",
            s(pki.intermediate_pem()),
            s(&leaf.cert_pem),
        ]);
        assert!(out.contains(": OK"), "{out}");
    }
}

#[test]
fn signer_leaves_have_vietnamese_subjects_and_signing_key_usage() {
    let pki = TestPki::get();
    for kind in LeafKind::SIGNERS {
        let leaf = pki.leaf(kind);
        let text = openssl(&[
            "x509",
            "-in",
            s(&leaf.cert_pem),
            "-noout",
            "-text",
            "-nameopt",
            "utf8",
        ]);
        assert!(text.contains(kind.common_name()), "{text}");
        assert!(
            text.contains("Sở Thông tin và Truyền thông Hà Nội"),
            "{text}"
        );
        assert!(text.contains(kind.uid().unwrap()), "{text}");
        assert!(
            text.contains("Digital Signature, Non Repudiation"),
            "{text}"
        );
        let key = std::fs::read_to_string(&leaf.key_pem).unwrap();
        assert!(
            key.starts_with("-----BEGIN PRIVATE KEY-----"),
            "not PKCS#8: {kind:?}"
        );
    }
    let pss = openssl(&[
        "x509",
        "-in",
        s(&pki.leaf(LeafKind::Rsa3072Pss).cert_pem),
        "-noout",
        "-text",
    ]);
    assert!(pss.contains("Signature Algorithm: rsassaPss"), "{pss}");
    assert!(pss.contains("(3072 bit)"), "{pss}");
    let ec = openssl(&[
        "x509",
        "-in",
        s(&pki.leaf(LeafKind::P256).cert_pem),
        "-noout",
        "-text",
    ]);
    assert!(ec.contains("NIST CURVE: P-256"), "{ec}");
}

#[test]
fn both_pkcs12_flavours_open_with_the_password() {
    let pki = TestPki::get();
    let leaf = pki.leaf(LeafKind::Rsa2048);
    let pass = format!("pass:{}", leaf.p12_password);
    let modern = openssl(&[
        "pkcs12",
        "-in",
        s(&leaf.p12_modern),
        "-info",
        "-noout",
        "-passin",
        &pass,
    ]);
    assert!(modern.contains("AES-256-CBC"), "{modern}");
    let legacy = openssl(&[
        "pkcs12",
        "-legacy",
        "-in",
        s(&leaf.p12_legacy),
        "-info",
        "-noout",
        "-passin",
        &pass,
    ]);
    assert!(
        legacy.contains("pbeWithSHA1And3-KeyTripleDES-CBC"),
        "{legacy}"
    );
    assert!(legacy.contains("RC2"), "{legacy}");
}

#[test]
fn the_revoked_leaf_is_on_the_intermediate_crl() {
    let pki = TestPki::get();
    let serial = openssl(&[
        "x509",
        "-in",
        s(&pki.leaf(LeafKind::Revoked).cert_pem),
        "-noout",
        "-serial",
    ]);
    let serial = serial.trim().trim_start_matches("serial=").to_owned();
    let crl = openssl(&[
        "crl",
        "-in",
        s(pki.intermediate_crl_pem()),
        "-noout",
        "-text",
    ]);
    assert!(
        crl.contains(&format!("Serial Number: {serial}")),
        "{serial} not in\n{crl}"
    );
    assert!(crl.contains("Key Compromise"), "{crl}");
    let index = std::fs::read_to_string(pki.intermediate_index()).unwrap();
    assert!(
        index
            .lines()
            .any(|l| l.starts_with('R') && l.contains(&serial)),
        "{index}"
    );
}

#[test]
fn the_nss_database_trusts_the_root() {
    let pki = TestPki::get();
    let db = format!("sql:{}", pki.nss_db().display());
    let out = Command::new("certutil")
        .args(["-L", "-d", &db])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("kyso-root") && l.contains("CT,C,C")),
        "{text}"
    );
}
