//! The SignedData builder checked by OpenSSL: detached CMS over real content verifies with
//! `openssl cms -verify` against the test root, for every key type, and carries exactly the
//! CAdES baseline attributes.

use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

use kyso_cms::{DigestAlgorithm, Error, SignatureScheme, SignedDataBuilder, Signer};
use kyso_testkit::{LeafKind, TestPki};
use kyso_token::SoftwareSigner;

fn signer(kind: LeafKind) -> SoftwareSigner {
    let leaf = TestPki::get().leaf(kind);
    SoftwareSigner::from_pem_files(&leaf.key_pem, &leaf.cert_pem, Some(&leaf.chain_pem), None)
        .expect("load test key")
}

/// Runs `openssl cms -verify` on a detached signature; returns (success, stderr).
fn openssl_verify(cms: &[u8], content: &[u8]) -> (bool, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (sig, data) = (dir.path().join("sig.der"), dir.path().join("data.bin"));
    std::fs::write(&sig, cms).expect("write");
    std::fs::write(&data, content).expect("write");
    let out = Command::new("openssl")
        .args([
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ])
        .arg("-in")
        .arg(&sig)
        .arg("-content")
        .arg(&data)
        .arg("-CAfile")
        .arg(TestPki::get().root_pem())
        .output()
        .expect("openssl");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn openssl_print(cms: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let sig = dir.path().join("sig.der");
    std::fs::write(&sig, cms).expect("write");
    let out = Command::new("openssl")
        .args([
            "cms", "-cmsout", "-print", "-inform", "DER", "-noout", "-in",
        ])
        .arg(&sig)
        .output()
        .expect("openssl");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sign(signer: &dyn Signer, content: &[u8]) -> Vec<u8> {
    let builder = SignedDataBuilder::for_signer(signer);
    let digest = builder.digest_algorithm().digest(content);
    builder.sign(signer, &digest).expect("sign")
}

#[test]
fn openssl_verifies_rsa_pkcs1v15_signature() {
    let content = "Quyết định số 123/QĐ-UBND".as_bytes();
    let (ok, err) = openssl_verify(&sign(&signer(LeafKind::Rsa2048), content), content);
    assert!(ok, "{err}");
}

#[test]
fn openssl_verifies_rsa_pss_signature() {
    let s = signer(LeafKind::Rsa3072Pss)
        .with_algorithm(SignatureScheme::rsa_pss(DigestAlgorithm::Sha256))
        .expect("pss");
    let content = b"detached content";
    let cms = sign(&s, content);
    let (ok, err) = openssl_verify(&cms, content);
    assert!(ok, "{err}");
    assert!(openssl_print(&cms).contains("rsassaPss"));
}

#[test]
fn openssl_verifies_ecdsa_and_sha384_and_sha512() {
    let content = b"ecdsa content";
    let p256 = signer(LeafKind::P256);
    assert!(openssl_verify(&sign(&p256, content), content).0);
    for d in [DigestAlgorithm::Sha384, DigestAlgorithm::Sha512] {
        let s = signer(LeafKind::Rsa2048)
            .with_algorithm(SignatureScheme::RsaPkcs1v15(d))
            .expect("algorithm");
        let (ok, err) = openssl_verify(&sign(&s, content), content);
        assert!(ok, "{d:?}: {err}");
    }
}

#[test]
fn openssl_rejects_the_signature_over_other_content() {
    let cms = sign(&signer(LeafKind::Rsa2048), b"original");
    let (ok, _) = openssl_verify(&cms, b"tampered");
    assert!(!ok, "a signature over other content must not verify");
}

#[test]
fn carries_cades_baseline_attributes_and_no_signing_time_by_default() {
    let cms = sign(&signer(LeafKind::Rsa2048), b"x");
    let text = openssl_print(&cms);
    for attr in [
        "contentType",
        "messageDigest",
        "id-smime-aa-signingCertificateV2",
    ] {
        assert!(text.contains(attr), "missing {attr} in:\n{text}");
    }
    assert!(
        !text.contains("signingTime"),
        "signing-time must be off by default"
    );
    // The chain (intermediate and root) is embedded beside the signer's certificate.
    assert_eq!(text.matches("cert_info:").count(), 3, "{text}");
}

#[test]
fn adds_signing_time_on_request() {
    let s = signer(LeafKind::Rsa2048);
    let builder = SignedDataBuilder::for_signer(&s)
        .signing_time(UNIX_EPOCH + Duration::from_secs(1_795_490_882));
    let digest = builder.digest_algorithm().digest(b"x");
    let cms = builder.sign(&s, &digest).expect("sign");
    let text = openssl_print(&cms);
    assert!(text.contains("signingTime"), "{text}");
    assert!(text.contains("Nov 24 03:28:02 2026"), "{text}");
}

#[test]
fn deferred_halves_give_the_same_verifiable_signature() {
    let s = signer(LeafKind::P256);
    let builder =
        SignedDataBuilder::new(s.certificate().clone(), s.chain().to_vec(), s.algorithm());
    let content = b"deferred";
    let attrs = builder
        .signed_attributes(&builder.digest_algorithm().digest(content))
        .expect("attributes");
    let signature = s.sign(attrs.der()).expect("token signs");
    let cms = builder.assemble(&attrs, &signature).expect("assemble");
    assert!(openssl_verify(&cms, content).0);
}

#[test]
fn check_signature_accepts_the_signature_over_the_attributes_of_the_content() {
    let s = signer(LeafKind::Rsa2048);
    let builder = SignedDataBuilder::for_signer(&s);
    let digest = builder.digest_algorithm().digest(b"content");
    let attrs = builder.signed_attributes(&digest).expect("attributes");
    let signature = s.sign(attrs.der()).expect("token signs");
    builder
        .check_signature(&attrs, &digest, &signature)
        .expect("the signature holds");
}

#[test]
fn check_signature_refuses_attributes_that_commit_to_other_content() {
    // A deferred state whose attributes were swapped for those of another document: the
    // signature over them is genuine, but it would not cover this content.
    let s = signer(LeafKind::P256);
    let builder = SignedDataBuilder::for_signer(&s);
    let digest = builder.digest_algorithm().digest(b"content");
    let other = builder
        .signed_attributes(&builder.digest_algorithm().digest(b"other content"))
        .expect("attributes");
    let signature = s.sign(other.der()).expect("token signs");
    match builder.check_signature(&other, &digest, &signature) {
        Err(Error::DigestMismatch { .. }) => {}
        other => panic!("expected DigestMismatch, got {other:?}"),
    }
}

#[test]
fn check_signature_refuses_a_signature_by_another_key() {
    let s = signer(LeafKind::Rsa2048);
    let builder = SignedDataBuilder::for_signer(&s);
    let digest = builder.digest_algorithm().digest(b"content");
    let attrs = builder.signed_attributes(&digest).expect("attributes");
    // The same size and scheme (the revoked leaf is RSA-2048 too), another key.
    let wrong = signer(LeafKind::Revoked).sign(attrs.der()).expect("sign");
    match builder.check_signature(&attrs, &digest, &wrong) {
        Err(Error::BadSignature { .. }) => {}
        other => panic!("expected BadSignature, got {other:?}"),
    }
}

#[test]
fn rejects_a_digest_of_the_wrong_length() {
    let s = signer(LeafKind::Rsa2048);
    let builder = SignedDataBuilder::for_signer(&s);
    match builder.signed_attributes(&[0u8; 20]) {
        Err(Error::DigestLength {
            expected: 32,
            actual: 20,
            ..
        }) => {}
        other => panic!("expected DigestLength, got {other:?}"),
    }
}

#[test]
fn placeholder_bound_covers_the_encoded_signature() {
    for kind in [LeafKind::Rsa2048, LeafKind::Rsa3072Pss, LeafKind::P256] {
        let s = signer(kind);
        let builder = SignedDataBuilder::for_signer(&s);
        let cms = sign(&s, b"size");
        assert!(
            cms.len() <= builder.max_encoded_len(),
            "{kind:?}: {} > {}",
            cms.len(),
            builder.max_encoded_len()
        );
    }
}

#[test]
fn embeds_each_certificate_once_byte_for_byte_even_one_der_0_8_cannot_re_encode() {
    use kyso_cert::Certificate;
    let s = signer(LeafKind::Rsa2048);
    // A Vietnamese CA certificate whose names are UniversalStrings: kyso-cert reads it by
    // re-tagging them, so only its original DER is the certificate.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../kyso-cert/tests/data/vn-universalstring.pem"
    );
    let odd = Certificate::from_pem(&std::fs::read(path).expect("fixture")).expect("parse");
    let mut chain = s.chain().to_vec();
    chain.push(odd.clone());
    chain.push(s.certificate().clone()); // the signer's own again
    chain.extend(s.chain().iter().cloned()); // the whole chain twice
    let builder = SignedDataBuilder::new(s.certificate().clone(), chain, s.algorithm());
    let digest = builder.digest_algorithm().digest(b"content");
    let attrs = builder.signed_attributes(&digest).expect("attributes");
    let cms = builder
        .assemble(&attrs, &s.sign(attrs.der()).expect("sign"))
        .expect("assemble");

    let info = kyso_cms::verify::SignedDataInfo::parse(&cms).expect("parse");
    let mut embedded: Vec<&[u8]> = info.certificates().iter().map(|c| c.der()).collect();
    let mut expected: Vec<&[u8]> = std::iter::once(s.certificate())
        .chain(s.chain())
        .chain([&odd])
        .map(|c| c.der())
        .collect();
    // DER SET OF order: ascending as octet strings.
    assert!(embedded.is_sorted(), "certificates in DER order");
    embedded.sort_unstable();
    expected.sort_unstable();
    assert_eq!(embedded, expected, "each certificate once, as given");
    let (ok, stderr) = openssl_verify(&cms, b"content");
    assert!(ok, "{stderr}");
}
