//! OCSP against OpenSSL's responder (`openssl ocsp -index`, file mode) with the test PKI:
//! good, revoked and unknown answers from the delegated responder (id-kp-OCSPSigning) and
//! from the CA itself verify with the status they carry; a response signed by a certificate
//! not authorised for OCSP, a stale one, one for another certificate and one without the
//! nonce asked for are refused with the reason.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use kyso_cert::Certificate;
use kyso_cert::ocsp::{CertStatus, OcspRequest, verify_response};
use kyso_testkit::{ExtraExtensions, ExtraKey, ExtraLeaf, LeafKind, TestPki};

fn cert(path: &Path) -> Certificate {
    Certificate::from_pem(&std::fs::read(path).expect("read")).expect("certificate")
}

/// OpenSSL's response to kyso's request for `leaf`, signed by `signer` (cert, key).
fn respond(
    leaf: &Certificate,
    nonce: Option<Vec<u8>>,
    signer: (&Path, &Path),
    days: &str,
) -> Vec<u8> {
    let pki = TestPki::get();
    let issuer = cert(pki.intermediate_pem());
    let dir = tempfile::tempdir().expect("temp");
    let (req, resp) = (dir.path().join("req.der"), dir.path().join("resp.der"));
    let request = OcspRequest::new(leaf, &issuer, nonce).expect("request");
    std::fs::write(&req, request.to_der().expect("DER")).expect("write");
    let out = Command::new("openssl")
        .args(["ocsp", "-index"])
        .arg(pki.intermediate_index())
        .arg("-CA")
        .arg(pki.intermediate_pem())
        .arg("-rsigner")
        .arg(signer.0)
        .arg("-rkey")
        .arg(signer.1)
        .arg("-reqin")
        .arg(&req)
        .arg("-respout")
        .arg(&resp)
        .args(["-ndays", days])
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(&resp).expect("response")
}

fn responder() -> (&'static Path, &'static Path) {
    let leaf = TestPki::get().leaf(LeafKind::OcspResponder);
    (&leaf.cert_pem, &leaf.key_pem)
}

#[test]
fn good_revoked_and_unknown_come_back_from_the_delegated_responder() {
    let pki = TestPki::get();
    let issuer = cert(pki.intermediate_pem());
    let now = SystemTime::now();

    let good = cert(&pki.leaf(LeafKind::Rsa2048).cert_pem);
    let nonce = b"kyso-nonce-0001".to_vec();
    let der = respond(&good, Some(nonce.clone()), responder(), "1");
    let status = verify_response(&der, &good, &issuer, now, Some(&nonce)).expect("verifies");
    assert_eq!(status.status, CertStatus::Good);
    assert_eq!(
        status.responder.subject().common_name.as_deref(),
        Some("Kyso Test OCSP Responder")
    );
    assert!(status.next_update.is_some_and(|n| n > now));

    let revoked = cert(&pki.leaf(LeafKind::Revoked).cert_pem);
    let der = respond(&revoked, None, responder(), "1");
    let status = verify_response(&der, &revoked, &issuer, now, None).expect("verifies");
    assert!(
        matches!(status.status, CertStatus::Revoked { time, .. } if time <= now),
        "{status:?}"
    );

    // A certificate the CA's index does not list (issued outside `openssl ca`): unknown.
    let dir = tempfile::tempdir().expect("temp");
    let (pem, _) = pki.issue_extra_leaf(
        dir.path(),
        &ExtraLeaf {
            key: ExtraKey::EcP256,
            subject: "/CN=Ngoai danh sach",
            days: 2,
            serial: Some(987_654),
            extensions: ExtraExtensions::None,
        },
    );
    let stranger = cert(&pem);
    let der = respond(&stranger, None, responder(), "1");
    let status = verify_response(&der, &stranger, &issuer, now, None).expect("verifies");
    assert_eq!(status.status, CertStatus::Unknown);
}

#[test]
fn the_ca_may_sign_its_own_responses() {
    let pki = TestPki::get();
    let issuer = cert(pki.intermediate_pem());
    let good = cert(&pki.leaf(LeafKind::P256).cert_pem);
    let der = respond(
        &good,
        None,
        (pki.intermediate_pem(), pki.intermediate_key()),
        "1",
    );
    let status = verify_response(&der, &good, &issuer, SystemTime::now(), None).expect("verifies");
    assert_eq!(status.status, CertStatus::Good);
    assert_eq!(status.responder.der(), issuer.der());
}

#[test]
fn bad_responses_are_refused_with_the_reason() {
    let pki = TestPki::get();
    let issuer = cert(pki.intermediate_pem());
    let good = cert(&pki.leaf(LeafKind::Rsa2048).cert_pem);
    let now = SystemTime::now();

    // Signed by an ordinary leaf of the same CA: not authorised for OCSP signing.
    let leaf = pki.leaf(LeafKind::P256);
    let der = respond(&good, None, (&leaf.cert_pem, &leaf.key_pem), "1");
    let err = verify_response(&der, &good, &issuer, now, None).unwrap_err();
    assert!(
        err.to_string().contains("not authorised for OCSP signing"),
        "{err}"
    );

    // Stale: valid for a day, checked three days on.
    let der = respond(&good, None, responder(), "1");
    let later = now + Duration::from_secs(3 * 86_400);
    let err = verify_response(&der, &good, &issuer, later, None).unwrap_err();
    assert!(err.to_string().contains("stale"), "{err}");

    // About another certificate.
    let other = cert(&pki.leaf(LeafKind::P256).cert_pem);
    let err = verify_response(&der, &other, &issuer, now, None).unwrap_err();
    assert!(
        err.to_string().contains("says nothing of this certificate"),
        "{err}"
    );

    // A nonce asked for and not echoed (the request carried none).
    let err = verify_response(&der, &good, &issuer, now, Some(b"asked")).unwrap_err();
    assert!(err.to_string().contains("nonce"), "{err}");

    // Not an OCSP response at all; one byte flipped in the signature.
    assert!(verify_response(b"\x30\x03\x0a\x01\x00", &good, &issuer, now, None).is_err());
    let mut flipped = der.clone();
    let at = flipped.len() - 300;
    flipped[at] ^= 0x01;
    assert!(verify_response(&flipped, &good, &issuer, now, None).is_err());
}
