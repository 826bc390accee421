//! CRLs made by `openssl ca -gencrl` for the test PKI: the intermediate's CRL verifies, lists
//! the revoked leaf with its reason and not the others; a CRL checked against the wrong
//! issuer, after its nextUpdate, or with a byte changed is refused with the reason.

use std::time::{Duration, SystemTime};

use kyso_cert::Certificate;
use kyso_cert::crl::verify_crl;
use kyso_testkit::{LeafKind, TestPki};

fn cert(path: &std::path::Path) -> Certificate {
    Certificate::from_pem(&std::fs::read(path).expect("read")).expect("certificate")
}

#[test]
fn the_intermediate_crl_lists_the_revoked_leaf_only() {
    let pki = TestPki::get();
    let issuer = cert(pki.intermediate_pem());
    let crl = verify_crl(
        &std::fs::read(pki.intermediate_crl_pem()).expect("crl"),
        &issuer,
        SystemTime::now(),
    )
    .expect("verifies");
    let revoked = cert(&pki.leaf(LeafKind::Revoked).cert_pem);
    let entry = crl.revocation(&revoked).expect("lookup").expect("listed");
    assert_eq!(entry.reason, Some(1), "keyCompromise");
    assert!(entry.time <= SystemTime::now());
    for kind in [LeafKind::Rsa2048, LeafKind::P256, LeafKind::Tsa] {
        let c = cert(&pki.leaf(kind).cert_pem);
        assert_eq!(crl.revocation(&c).expect("lookup"), None, "{kind:?}");
    }
}

#[test]
fn a_crl_from_another_issuer_a_stale_one_and_a_changed_one_are_refused() {
    let pki = TestPki::get();
    let intermediate = cert(pki.intermediate_pem());
    let root = cert(pki.root_pem());
    let now = SystemTime::now();
    let pem = std::fs::read(pki.intermediate_crl_pem()).expect("crl");

    let err = verify_crl(&pem, &root, now).unwrap_err();
    assert!(err.to_string().contains("not by"), "{err}");
    // The root's own CRL verifies against the root.
    verify_crl(&std::fs::read(pki.root_crl_pem()).expect("crl"), &root, now).expect("root CRL");

    let later = now + Duration::from_secs(400 * 86_400);
    let err = verify_crl(&pem, &intermediate, later).unwrap_err();
    assert!(err.to_string().contains("stale"), "{err}");

    let der = pem_to_der(&pem);
    let mut changed = der.clone();
    let at = changed.len() - 40; // inside the signature
    changed[at] ^= 0x01;
    let err = verify_crl(&changed, &intermediate, now).unwrap_err();
    assert!(err.to_string().contains("signature"), "{err}");
    assert!(verify_crl(b"not a CRL", &intermediate, now).is_err());
}

fn pem_to_der(pem: &[u8]) -> Vec<u8> {
    let out = std::process::Command::new("openssl")
        .args(["crl", "-outform", "DER"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().expect("stdin").write_all(pem)?;
            child.wait_with_output()
        })
        .expect("openssl crl");
    out.stdout
}
