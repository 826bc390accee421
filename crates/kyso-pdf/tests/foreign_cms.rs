//! Signatures whose CMS kyso did not make: `openssl cms -sign` output embedded through the
//! deferred API ([`kyso_pdf::sign::PreparedPdf::finish_with_cms`]). BER (indefinite lengths,
//! constructed OCTET STRINGs) is VALID on every kind of input; SHA-1 and RSA-1024 are
//! INDETERMINATE for the crypto constraints, never VALID and never INVALID; content
//! encapsulated in a detached signature is INVALID.
//!
//! `openssl cms -sign -stream` writes BER but always encapsulates the content with DER output;
//! kyso-testkit's `openssl_cms_stream` cuts the content out, leaving openssl's BER detached.
//! NSS's and BouncyCastle's BER are checked through `pdfsig` and PDFBox in the
//! interoperability matrix (tests/interop.rs).

use std::path::{Path, PathBuf};

use kyso_cms::SignedDataBuilder;
use kyso_pdf::verify::{CryptoPolicy, ReasonCode, ValidationOptions, Verdict, validate_file};
use kyso_pdf::{PdfSigner, SignOptions};
use kyso_testkit::reference::{PemSigner, openssl_cms_sign};
use kyso_testkit::{ExtraExtensions, ExtraKey, ExtraLeaf, LeafKind, TestPki, corpus};
use kyso_token::SoftwareSigner;

/// Room for what openssl embeds (the whole chain, S/MIME attributes): the default is sized
/// for kyso's own CMS.
fn sign_options() -> SignOptions {
    SignOptions {
        contents_capacity: Some(16 * 1024),
        ..SignOptions::default()
    }
}

/// The same for a plain CMS (no ESS signing-certificate attribute): `adbe.pkcs7.detached`,
/// since PAdES (`ETSI.CAdES.detached`) requires the attribute.
fn pkcs7_options() -> SignOptions {
    SignOptions {
        sub_filter: kyso_pdf::SubFilter::Pkcs7Detached,
        ..sign_options()
    }
}

fn builder_signer() -> SoftwareSigner {
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    SoftwareSigner::from_pem_files(&leaf.key_pem, &leaf.cert_pem, Some(&leaf.chain_pem), None)
        .expect("load the RSA-2048 test leaf")
}

/// Prepares `input` for signing, has `openssl cms -sign <extra>` sign the byte ranges as
/// `signer`, and embeds that CMS. Returns the signed file.
fn sign_with_openssl<'a>(
    input: &Path,
    dir: &Path,
    signer: impl Into<PemSigner<'a>>,
    extra: &[&str],
) -> PathBuf {
    let signer = signer.into();
    sign_with(input, dir, |content| {
        openssl_cms_sign(content, signer, extra)
    })
}

/// Prepares `input` for signing into `output` (`adbe.pkcs7.detached`), with room for a
/// foreign CMS.
fn prepare(input: &Path, output: &Path) -> kyso_pdf::sign::PreparedPdf {
    PdfSigner::new(pkcs7_options())
        .prepare(
            input,
            output,
            SignedDataBuilder::for_signer(&builder_signer()),
        )
        .expect("prepare")
}

/// Prepares `input` for signing, has `make_cms` sign the byte ranges, and embeds its CMS.
fn sign_with(input: &Path, dir: &Path, make_cms: impl FnOnce(&[u8]) -> Vec<u8>) -> PathBuf {
    let output = dir.join("signed.pdf");
    let prepared = prepare(input, &output);
    let mut content = Vec::new();
    prepared
        .write_signed_content(&mut content)
        .expect("read the signed bytes");
    prepared
        .finish_with_cms(&make_cms(&content))
        .expect("embed the CMS");
    output
}

fn options() -> ValidationOptions {
    let root = std::fs::read(TestPki::get().root_pem()).expect("root");
    ValidationOptions::new(kyso_cert::Certificate::all_from_der_or_pem(&root).expect("root"))
}

fn codes(report: &kyso_pdf::verify::ValidationReport) -> Vec<ReasonCode> {
    report.signatures[0]
        .reasons
        .iter()
        .map(|r| r.code)
        .collect()
}

#[test]
fn ber_cms_from_openssl_stream_is_valid_on_every_kind_of_input() {
    for input in [
        corpus::classic(),
        corpus::xref_stream(),
        corpus::incremental(),
        corpus::hybrid_xref(),
        corpus::pages_300(),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        // openssl's own BER (indefinite lengths from the ContentInfo down), made detached.
        let signed = sign_with(&input.path, dir.path(), |content| {
            kyso_testkit::interop::openssl_cms_stream(content, TestPki::get().leaf(LeafKind::P256))
        });
        let report = validate_file(&signed, &options()).expect("report");
        let sig = &report.signatures[0];
        assert_eq!(
            sig.verdict,
            Verdict::Valid,
            "{}: {:?}",
            input.name,
            sig.reasons
        );
        assert!(
            sig.warnings.iter().any(|w| w.contains("BER")),
            "{}: the BER is reported: {:?}",
            input.name,
            sig.warnings
        );
        assert_eq!(
            sig.signer.as_ref().and_then(|s| s.name.as_deref()),
            Some(LeafKind::P256.common_name())
        );
        assert_eq!(
            sig.signature_algorithm.as_deref(),
            Some("ecdsa-p256-sha256")
        );
        assert_eq!(
            sig.digest_algorithm_oid.as_deref(),
            Some("2.16.840.1.101.3.4.2.1")
        );
    }
}

#[test]
fn an_external_cms_over_other_bytes_is_refused_before_embedding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = dir.path().join("signed.pdf");
    let prepared = prepare(&corpus::classic().path, &output);
    let cms = openssl_cms_sign(
        b"not the document",
        TestPki::get().leaf(LeafKind::Rsa2048),
        &["-md", "sha256"],
    );
    let err = prepared.finish_with_cms(&cms).expect_err("wrong content");
    assert!(err.to_string().contains("digest"), "{err}");
    assert!(!output.exists(), "no output for a refused CMS");
}

/// The classic input signed by kyso, with room for a foreign CMS.
fn kyso_signed_classic() -> Vec<u8> {
    PdfSigner::new(sign_options())
        .sign_bytes(&corpus::classic().bytes(), &builder_signer())
        .expect("sign")
}

/// `pdf`, signed by kyso, with its CMS replaced by `make_cms`'s over the same bytes: what
/// another signer would have written (kyso itself refuses to embed SHA-1).
fn swap_cms(pdf: &[u8], make_cms: impl FnOnce(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let sig = kyso_testkit::validators::extract_signature(pdf, 0).expect("a signature");
    let cms = hex::encode_upper(make_cms(&sig.signed_data));
    let [_, gap_start, gap_end, _] = sig.byte_range.map(|v| v as usize);
    let hex_area = gap_start + 1..gap_end - 1;
    assert!(cms.len() <= hex_area.len(), "the CMS does not fit");
    let mut out = pdf.to_vec();
    out[hex_area.clone()].fill(b'0');
    out[hex_area.start..hex_area.start + cms.len()].copy_from_slice(cms.as_bytes());
    out
}

#[test]
fn sha1_signature_is_indeterminate_for_crypto_constraints_unless_accepted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let kyso_signed = kyso_signed_classic();
    let signed = dir.path().join("sha1.pdf");
    let sha1 = swap_cms(&kyso_signed, |content| {
        openssl_cms_sign(
            content,
            TestPki::get().leaf(LeafKind::Rsa2048),
            &["-md", "sha1", "-cades"],
        )
    });
    std::fs::write(&signed, sha1).expect("write");
    let report = validate_file(&signed, &options()).expect("report");
    let sig = &report.signatures[0];
    assert_eq!(sig.verdict, Verdict::Indeterminate, "{:?}", sig.reasons);
    assert!(sig.integrity_ok && sig.trusted);
    // Digest and signature hash: both SHA-1, both named.
    assert_eq!(
        codes(&report),
        [ReasonCode::CryptoConstraints, ReasonCode::CryptoConstraints]
    );
    assert_eq!(sig.digest_algorithm.as_deref(), Some("sha1"));
    assert_eq!(sig.signature_algorithm.as_deref(), Some("rsa-pkcs1-sha1"));

    let mut accepting = options();
    accepting.crypto = CryptoPolicy::default().accept_sha1(true);
    let report = validate_file(&signed, &accepting).expect("report");
    assert_eq!(report.signatures[0].verdict, Verdict::Valid);
}

/// An RSA-1024 leaf issued by the test intermediate (made here: the test PKI has none).
fn rsa_1024_leaf(dir: &Path) -> (PathBuf, PathBuf) {
    TestPki::get().issue_extra_leaf(
        dir,
        &ExtraLeaf {
            key: ExtraKey::Rsa(1024),
            subject: "/CN=Weak Key Signer/O=Test",
            days: 30,
            serial: None,
            extensions: ExtraExtensions::Lines(
                "keyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
            ),
        },
    )
}

#[test]
fn rsa_1024_signer_is_indeterminate_for_crypto_constraints() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (cert, key) = rsa_1024_leaf(dir.path());
    let chain = TestPki::get().leaf(LeafKind::Rsa2048).chain_pem.clone();
    let signed = sign_with_openssl(
        &corpus::classic().path,
        dir.path(),
        PemSigner {
            cert: &cert,
            key: &key,
            chain: Some(&chain),
        },
        &["-md", "sha256", "-cades"],
    );
    let report = validate_file(&signed, &options()).expect("report");
    let sig = &report.signatures[0];
    assert_eq!(sig.verdict, Verdict::Indeterminate, "{:?}", sig.reasons);
    assert!(sig.integrity_ok && sig.trusted, "{:?}", sig.reasons);
    assert_eq!(codes(&report), [ReasonCode::CryptoConstraints]);
    assert!(
        sig.reasons[0].message.contains("1024 bits"),
        "{:?}",
        sig.reasons
    );

    let mut accepting = options();
    accepting.crypto = CryptoPolicy::default().min_rsa_bits(1024);
    let report = validate_file(&signed, &accepting).expect("report");
    assert_eq!(report.signatures[0].verdict, Verdict::Valid);
}

#[test]
fn encapsulated_content_in_a_detached_signature_is_invalid() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The signature holds over the signed bytes, and carries them inside as well: a reader
    // that shows the encapsulated content would show something the ByteRange does not
    // govern.
    let output = sign_with(&corpus::classic().path, dir.path(), |content| {
        openssl_cms_sign(
            content,
            TestPki::get().leaf(LeafKind::Rsa2048),
            &["-md", "sha256", "-nodetach"],
        )
    });
    let report = validate_file(&output, &options()).expect("report");
    let sig = &report.signatures[0];
    assert_eq!(sig.verdict, Verdict::Invalid, "{:?}", sig.reasons);
    assert!(sig.integrity_ok);
    assert_eq!(codes(&report), [ReasonCode::EncapsulatedContent]);
}

/// Two SignerInfos (`openssl cms -sign` with two signers): PAdES allows one, so the
/// signature is INVALID, and each signer is still judged and named.
#[test]
fn a_cms_with_two_signer_infos_is_invalid_and_each_is_reported() {
    let pki = TestPki::get();
    let second = pki.leaf(LeafKind::P256);
    let kyso_signed = kyso_signed_classic();
    let (cert, key) = (
        second.cert_pem.to_string_lossy().into_owned(),
        second.key_pem.to_string_lossy().into_owned(),
    );
    let two = swap_cms(&kyso_signed, |content| {
        openssl_cms_sign(
            content,
            pki.leaf(LeafKind::Rsa2048),
            &["-md", "sha256", "-signer", &cert, "-inkey", &key],
        )
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("two.pdf");
    std::fs::write(&path, two).expect("write");
    let report = validate_file(&path, &options()).expect("report");
    let sig = &report.signatures[0];
    assert_eq!(sig.verdict, Verdict::Invalid);
    assert_eq!(codes(&report), [ReasonCode::MultipleSigners]);
    let holds: Vec<_> = sig
        .warnings
        .iter()
        .filter(|w| w.starts_with("SignerInfo") && w.ends_with("holds"))
        .collect();
    assert_eq!(holds.len(), 2, "{:?}", sig.warnings);
    assert!(
        sig.warnings
            .iter()
            .any(|w| w.contains(LeafKind::P256.common_name())),
        "{:?}",
        sig.warnings
    );
}

/// `pdf` with its signature's /SubFilter rewritten in place (padded with spaces, so no
/// offset moves) to `sub_filter`.
fn with_sub_filter(pdf: &[u8], sub_filter: &str) -> Vec<u8> {
    let old = b"/SubFilter /ETSI.CAdES.detached";
    let at = pdf
        .windows(old.len())
        .position(|w| w == old)
        .expect("kyso writes ETSI.CAdES.detached");
    let mut new = format!("/SubFilter /{sub_filter}").into_bytes();
    assert!(new.len() <= old.len());
    new.resize(old.len(), b' ');
    let mut out = pdf.to_vec();
    out[at..at + old.len()].copy_from_slice(&new);
    out
}

fn validate_bytes(pdf: Vec<u8>) -> kyso_pdf::verify::ValidationReport {
    kyso_pdf::verify::validate(&pdf, &options()).expect("report")
}

/// `adbe.pkcs7.sha1` (ISO 32000-1 §12.8.3.3.1): the CMS encapsulates the SHA-1 digest of the
/// signed bytes. Checked, then INDETERMINATE for the SHA-1 it rests on; with another digest
/// inside, INVALID.
#[test]
fn adbe_pkcs7_sha1_is_checked_and_indeterminate_for_crypto_constraints() {
    let kyso_signed = kyso_signed_classic();
    let sha1_style = with_sub_filter(&kyso_signed, "adbe.pkcs7.sha1");
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let encapsulate =
        |digest: Vec<u8>| openssl_cms_sign(&digest, leaf, &["-md", "sha256", "-nodetach"]);

    let honest = swap_cms(&sha1_style, |content| {
        encapsulate(kyso_cms::DigestAlgorithm::Sha1.digest(content))
    });
    let report = validate_bytes(honest);
    let sig = &report.signatures[0];
    assert_eq!(sig.verdict, Verdict::Indeterminate, "{:?}", sig.reasons);
    assert!(sig.integrity_ok);
    assert_eq!(codes(&report), [ReasonCode::CryptoConstraints]);

    let forged = swap_cms(&sha1_style, |_| {
        encapsulate(kyso_cms::DigestAlgorithm::Sha1.digest(b"another document"))
    });
    let report = validate_bytes(forged);
    assert_eq!(report.signatures[0].verdict, Verdict::Invalid);
    assert_eq!(codes(&report), [ReasonCode::DigestMismatch]);
}

/// `adbe.x509.rsa_sha1` (a bare PKCS#1 signature, deprecated by ISO 32000-2): not verified,
/// so INDETERMINATE with the reason — never VALID, never a crash.
#[test]
fn adbe_x509_rsa_sha1_is_indeterminate_unsupported() {
    let kyso_signed = kyso_signed_classic();
    let report = validate_bytes(with_sub_filter(&kyso_signed, "adbe.x509.rsa_sha1"));
    let sig = &report.signatures[0];
    assert_eq!(sig.verdict, Verdict::Indeterminate, "{:?}", sig.reasons);
    assert_eq!(codes(&report), [ReasonCode::UnsupportedAlgorithm]);
}

/// PAdES (`ETSI.CAdES.detached`) requires the ESS signing-certificate attribute: a plain CMS
/// under that /SubFilter holds, but is INDETERMINATE for its format; under
/// `adbe.pkcs7.detached` the same CMS is VALID.
#[test]
fn a_pades_signature_without_ess_binding_is_a_format_failure() {
    let plain = |content: &[u8]| {
        openssl_cms_sign(
            content,
            TestPki::get().leaf(LeafKind::Rsa2048),
            &["-md", "sha256"],
        )
    };
    let pades = swap_cms(&kyso_signed_classic(), plain);
    let report = validate_bytes(pades);
    let sig = &report.signatures[0];
    assert_eq!(sig.verdict, Verdict::Indeterminate, "{:?}", sig.reasons);
    assert!(sig.integrity_ok && sig.trusted);
    assert_eq!(codes(&report), [ReasonCode::FormatFailure]);

    let dir = tempfile::tempdir().expect("temp dir");
    let pkcs7 = sign_with(&corpus::classic().path, dir.path(), plain);
    let report = validate_file(&pkcs7, &options()).expect("report");
    assert_eq!(report.signatures[0].verdict, Verdict::Valid);
}
