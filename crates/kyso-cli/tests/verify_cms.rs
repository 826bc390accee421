//! `kyso verify-cms DATA SIG.p7s [--json]` end to end, on signatures made by `openssl cms`.

use std::path::Path;
use std::process::{Command, Output};

use kyso_testkit::{LeafKind, TestPki};

fn kyso(args: &[&Path], json: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kyso"));
    cmd.arg("verify-cms").args(args);
    if json {
        cmd.arg("--json");
    }
    cmd.output().expect("run kyso")
}

/// `openssl cms -sign` over `data` into `out` (`PEM` or `DER`).
fn openssl_sign(data: &Path, out: &Path, form: &str) {
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let status = Command::new("openssl")
        .args([
            "cms", "-sign", "-binary", "-cades", "-md", "sha256", "-outform", form,
        ])
        .arg("-in")
        .arg(data)
        .arg("-signer")
        .arg(&leaf.cert_pem)
        .arg("-inkey")
        .arg(&leaf.key_pem)
        .arg("-certfile")
        .arg(&leaf.chain_pem)
        .arg("-out")
        .arg(out)
        .status()
        .expect("openssl");
    assert!(status.success());
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn verify_cms_accepts_a_good_signature_and_says_trust_is_not_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("quyet-dinh.txt");
    std::fs::write(&data, "Quyết định số 123/QĐ-UBND").expect("write");
    for form in ["DER", "PEM"] {
        let sig = dir.path().join(format!("sig.{form}"));
        openssl_sign(&data, &sig, form);
        let out = kyso(&[&data, &sig], false);
        let text = stdout(&out);
        assert!(
            out.status.success(),
            "{form}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains(LeafKind::Rsa2048.common_name()), "{text}");
        assert!(text.contains("signature:            OK"), "{text}");
        assert!(text.contains("trust not checked"), "{text}");
        assert!(text.contains("RSA PKCS#1 v1.5 with SHA-256"), "{text}");
    }
}

#[test]
fn verify_cms_fails_with_exit_1_on_changed_content() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data.txt");
    std::fs::write(&data, "original").expect("write");
    let sig = dir.path().join("sig.p7s");
    openssl_sign(&data, &sig, "DER");
    std::fs::write(&data, "tampered").expect("write");
    let out = kyso(&[&data, &sig], false);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("MISMATCH"), "{text}");
    assert!(text.contains("does NOT hold"), "{text}");

    let out = kyso(&[&data, &sig], true);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["valid"], false);
    assert_eq!(json["failed_step"], "digest");
    assert_eq!(json["trust"], "not checked");
}

#[test]
fn verify_cms_json_reports_the_signer_and_algorithms() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data.bin");
    std::fs::write(&data, [0u8, 1, 2, 3]).expect("write");
    let sig = dir.path().join("sig.p7s");
    openssl_sign(&data, &sig, "DER");
    let out = kyso(&[&data, &sig], true);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["valid"], true);
    assert_eq!(
        json["signature"]["signer"]["subject"]["common_name"],
        LeafKind::Rsa2048.common_name()
    );
    // Stable names, not Rust's Debug forms.
    assert_eq!(json["signature"]["digest_algorithm"], "sha256");
    assert_eq!(json["signature"]["signature_algorithm"], "rsa-pkcs1-sha256");
    assert_eq!(
        json["signature"]["ess_binding"]["attribute"],
        "signing-certificate-v2"
    );
}

#[test]
fn verify_cms_rejects_garbage_cleanly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data.bin");
    std::fs::write(&data, b"x").expect("write");
    let sig = dir.path().join("sig.p7s");
    std::fs::write(&sig, b"not a signature at all").expect("write");
    let out = kyso(&[&data, &sig], false);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("malformed CMS"), "{}", stdout(&out));
    let missing = dir.path().join("missing.p7s");
    let out = kyso(&[&data, &missing], false);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}
