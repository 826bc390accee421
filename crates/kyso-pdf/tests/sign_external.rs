//! kyso's signatures checked by the validators others use: qpdf, pyHanko, poppler's pdfsig
//! (with the test root trusted in an NSS database) and `openssl cms -verify`.
//!
//! Every input of the corpus is signed with every signing key of the test PKI, then signed a
//! second time with another key; after each step every validator must accept every signature.

use std::path::{Path, PathBuf};

use kyso_pdf::{PdfSigner, SignOptions, SubFilter};
use kyso_testkit::validators::{self, PyhankoSig};
use kyso_testkit::{LeafKind, TestPki, corpus};
use kyso_token::SoftwareSigner;

fn signer(kind: LeafKind) -> SoftwareSigner {
    let leaf = TestPki::get().leaf(kind);
    SoftwareSigner::from_pem_files(&leaf.key_pem, &leaf.cert_pem, Some(&leaf.chain_pem), None)
        .unwrap_or_else(|e| panic!("load {kind:?}: {e}"))
}

fn options() -> SignOptions {
    SignOptions {
        reason: Some("Phê duyệt văn bản".into()),
        location: Some("Hà Nội".into()),
        ..SignOptions::default()
    }
}

/// Runs all four validators on `pdf` and asserts `expected` signatures, all valid and trusted.
fn assert_all_validators_accept(pdf: &Path, expected: usize) {
    let pki = TestPki::get();
    let qpdf = validators::qpdf_check(pdf);
    assert!(
        qpdf.ok,
        "qpdf --check failed on {}:\n{}",
        pdf.display(),
        qpdf.output
    );

    let sigs: Vec<PyhankoSig> = validators::pyhanko_validate(pdf, pki.root_pem());
    assert_eq!(sigs.len(), expected, "pyHanko signature count: {sigs:#?}");
    for s in &sigs {
        assert!(
            s.intact && s.valid && s.trusted,
            "pyHanko rejects {} in {}: {}\n{}",
            s.field_name,
            pdf.display(),
            s.summary,
            s.details
        );
    }

    // pdfsig also lists empty signature fields ("The signature form field is not signed.").
    let sigs: Vec<_> = validators::pdfsig_verify(pdf, pki.nss_db())
        .into_iter()
        .filter(|s| !s.raw.contains("is not signed"))
        .collect();
    assert_eq!(sigs.len(), expected, "pdfsig signature count: {sigs:#?}");
    for s in &sigs {
        assert!(
            s.signature_valid && s.certificate_trusted,
            "pdfsig rejects signature {} of {}:\n{}",
            s.number,
            pdf.display(),
            s.raw
        );
    }
    for i in 0..expected {
        validators::openssl_cms_verify(pdf, i, pki.root_pem())
            .unwrap_or_else(|e| panic!("openssl cms -verify, signature {i}: {e}"));
    }
}

fn sign_then_countersign(input: &corpus::CorpusPdf, first: LeafKind, second: LeafKind) {
    let dir = tempfile::tempdir().expect("temp dir");
    let once = dir.path().join("signed-once.pdf");
    let twice = dir.path().join("signed-twice.pdf");
    let before = input.bytes();

    PdfSigner::new(options())
        .sign_file(&input.path, &once, &signer(first))
        .unwrap_or_else(|e| panic!("sign {} with {first:?}: {e}", input.name));
    assert_eq!(before, input.bytes(), "the input was modified");
    assert!(
        std::fs::read(&once).expect("output").starts_with(&before),
        "the original bytes must stay as they were (incremental update)"
    );
    assert_all_validators_accept(&once, 1);

    PdfSigner::new(SignOptions {
        field_name: Some("Con dấu cơ quan".into()),
        ..options()
    })
    .sign_file(&once, &twice, &signer(second))
    .unwrap_or_else(|e| panic!("second signature on {}: {e}", input.name));
    assert_all_validators_accept(&twice, 2);
}

macro_rules! corpus_matrix {
    ($($name:ident: $input:expr, $first:expr, $second:expr;)*) => {$(
        #[test]
        fn $name() {
            sign_then_countersign(&$input, $first, $second);
        }
    )*};
}

use LeafKind::{P256, Rsa2048, Rsa3072Pss};

corpus_matrix! {
    classic_xref_rsa2048: corpus::classic(), Rsa2048, P256;
    classic_xref_rsa3072_pss: corpus::classic(), Rsa3072Pss, Rsa2048;
    classic_xref_p256: corpus::classic(), P256, Rsa3072Pss;
    incremental_rsa2048: corpus::incremental(), Rsa2048, P256;
    incremental_rsa3072_pss: corpus::incremental(), Rsa3072Pss, Rsa2048;
    incremental_p256: corpus::incremental(), P256, Rsa3072Pss;
    xref_stream_rsa2048: corpus::xref_stream(), Rsa2048, P256;
    xref_stream_rsa3072_pss: corpus::xref_stream(), Rsa3072Pss, Rsa2048;
    xref_stream_p256: corpus::xref_stream(), P256, Rsa3072Pss;
    hybrid_xref_rsa2048: corpus::hybrid_xref(), Rsa2048, P256;
    hybrid_xref_rsa3072_pss: corpus::hybrid_xref(), Rsa3072Pss, Rsa2048;
    hybrid_xref_p256: corpus::hybrid_xref(), P256, Rsa3072Pss;
    hybrid_msword_rsa2048: corpus::hybrid_xref_msword(), Rsa2048, P256;
    hybrid_msword_rsa3072_pss: corpus::hybrid_xref_msword(), Rsa3072Pss, Rsa2048;
    hybrid_msword_p256: corpus::hybrid_xref_msword(), P256, Rsa3072Pss;
    pdf20_rsa2048: corpus::pdf20(), Rsa2048, P256;
    pdf20_rsa3072_pss: corpus::pdf20(), Rsa3072Pss, Rsa2048;
    pdf20_p256: corpus::pdf20(), P256, Rsa3072Pss;
    linearized_rsa2048: corpus::linearized(), Rsa2048, P256;
    linearized_rsa3072_pss: corpus::linearized(), Rsa3072Pss, Rsa2048;
    linearized_p256: corpus::linearized(), P256, Rsa3072Pss;
    pages_300_rsa2048: corpus::pages_300(), Rsa2048, P256;
    pages_300_rsa3072_pss: corpus::pages_300(), Rsa3072Pss, Rsa2048;
    pages_300_p256: corpus::pages_300(), P256, Rsa3072Pss;
    empty_field_input_rsa2048: corpus::with_empty_field(), Rsa2048, P256;
    empty_field_input_rsa3072_pss: corpus::with_empty_field(), Rsa3072Pss, Rsa2048;
    empty_field_input_p256: corpus::with_empty_field(), P256, Rsa3072Pss;
}

#[test]
fn fills_an_existing_empty_signature_field_by_name() {
    let input = corpus::with_empty_field();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out.pdf");
    PdfSigner::new(SignOptions {
        field_name: Some(corpus::EMPTY_FIELD_NAME.into()),
        ..options()
    })
    .sign_file(&input.path, &out, &signer(Rsa2048))
    .expect("sign the existing field");
    assert_all_validators_accept(&out, 1);
    let sigs = validators::pyhanko_validate(&out, TestPki::get().root_pem());
    assert_eq!(sigs[0].field_name, corpus::EMPTY_FIELD_NAME);
}

#[test]
fn keeps_a_pyhanko_signature_valid_when_signing_after_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let by_pyhanko = dir.path().join("pyhanko.pdf");
    let both = dir.path().join("both.pdf");
    kyso_testkit::reference::pyhanko_sign(
        &corpus::classic().path,
        &by_pyhanko,
        TestPki::get().leaf(P256),
        "Sig1",
    );
    PdfSigner::new(options())
        .sign_file(&by_pyhanko, &both, &signer(Rsa2048))
        .expect("sign after pyHanko");
    assert_all_validators_accept(&both, 2);
}

#[test]
fn adbe_pkcs7_detached_on_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out.pdf");
    PdfSigner::new(SignOptions {
        sub_filter: SubFilter::Pkcs7Detached,
        ..options()
    })
    .sign_file(&corpus::classic().path, &out, &signer(Rsa2048))
    .expect("sign");
    assert_all_validators_accept(&out, 1);
    let sigs = validators::pyhanko_validate(&out, TestPki::get().root_pem());
    assert_eq!(sigs[0].sub_filter.as_deref(), Some("/adbe.pkcs7.detached"));
}

#[test]
fn signs_pkcs12_identities_modern_and_legacy() {
    let leaf = TestPki::get().leaf(Rsa2048);
    for p12 in [&leaf.p12_modern, &leaf.p12_legacy] {
        let signer = SoftwareSigner::from_pkcs12_file(p12, leaf.p12_password)
            .unwrap_or_else(|e| panic!("{}: {e}", p12.display()));
        let dir = tempfile::tempdir().expect("temp dir");
        let out: PathBuf = dir.path().join("out.pdf");
        PdfSigner::new(options())
            .sign_file(&corpus::classic().path, &out, &signer)
            .expect("sign");
        assert_all_validators_accept(&out, 1);
    }
}

/// The first half of deferred signing, as a portal does it: the token's certificate chain
/// only, no key. Returns the token, the prepared document and the output path (inside `dir`).
fn prepare_deferred(dir: &Path) -> (SoftwareSigner, kyso_pdf::PreparedPdf, std::path::PathBuf) {
    use kyso_cms::{SignedDataBuilder, Signer};
    let token = signer(Rsa2048);
    let out = dir.join("deferred.pdf");
    let builder = SignedDataBuilder::new(
        token.certificate().clone(),
        token.chain().to_vec(),
        token.algorithm(),
    );
    let prepared = PdfSigner::new(options())
        .prepare(&corpus::classic().path, &out, builder)
        .expect("prepare");
    (token, prepared, out)
}

#[test]
fn deferred_signing_through_a_serialized_state_gives_a_valid_signature() {
    use kyso_cms::Signer;
    let dir = tempfile::tempdir().expect("temp dir");
    let (token, prepared, out) = prepare_deferred(dir.path());
    let to_sign = prepared.data_to_sign().to_vec();
    let json = serde_json::to_string(&prepared.suspend().expect("suspend")).expect("serialize");
    assert!(
        json.len() < 16 * 1024,
        "state should be small, is {} bytes",
        json.len()
    );
    assert!(!out.exists(), "no output before the signature arrives");

    let state: kyso_pdf::DeferredState = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(state.data_to_sign(), to_sign);
    let signature = token.sign(&to_sign).expect("token signs");
    let written = state.finish(&signature).expect("finish");
    assert_eq!(written, out);
    assert_all_validators_accept(&out, 1);
}

#[test]
fn deferred_finish_refuses_a_signature_too_large_for_the_placeholder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, prepared, out) = prepare_deferred(dir.path());
    let state = prepared.suspend().expect("suspend");
    let huge = vec![0x42u8; 64 * 1024];
    match state.finish(&huge) {
        Err(kyso_pdf::Error::PlaceholderTooSmall { .. }) => {}
        other => panic!("expected PlaceholderTooSmall, got {other:?}"),
    }
    assert!(!out.exists());
}

#[test]
fn deferred_finish_refuses_a_signature_by_another_key() {
    use kyso_cms::Signer;
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, prepared, out) = prepare_deferred(dir.path());
    let state = prepared.suspend().expect("suspend");
    // The right length and format, the wrong key (the revoked leaf is also RSA-2048).
    let wrong = signer(LeafKind::Revoked)
        .sign(state.data_to_sign())
        .expect("sign");
    match state.finish(&wrong) {
        Err(kyso_pdf::Error::Cms(kyso_cms::Error::BadSignature { .. })) => {}
        other => panic!("expected a bad-signature error, got {other:?}"),
    }
    assert!(!out.exists(), "no output for a wrong signature");
}

/// In-memory deferred signing, as kyso-server does it: the prepared bytes and a path-free
/// state, both of which travel.
fn prepare_in_memory() -> (SoftwareSigner, Vec<u8>, kyso_pdf::DeferredSignature) {
    use kyso_cms::{SignedDataBuilder, Signer};
    let token = signer(Rsa2048);
    let builder = SignedDataBuilder::new(
        token.certificate().clone(),
        token.chain().to_vec(),
        token.algorithm(),
    );
    let input = std::fs::read(&corpus::classic().path).expect("sample");
    let (prepared, state) = PdfSigner::new(options())
        .prepare_bytes(&input, builder)
        .expect("prepare");
    (token, prepared, state)
}

#[test]
fn in_memory_deferred_signing_through_a_serialized_state_gives_a_valid_signature() {
    use kyso_cms::Signer;
    let (token, prepared, state) = prepare_in_memory();
    let json = serde_json::to_string(&state).expect("serialize");
    let state: kyso_pdf::DeferredSignature = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(
        state.digest_to_sign(),
        state.algorithm().digest().digest(state.data_to_sign())
    );
    let signature = token.sign(state.data_to_sign()).expect("token signs");
    let signed = state.finish(prepared, &signature).expect("finish");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("signed.pdf");
    std::fs::write(&out, signed).expect("write");
    assert_all_validators_accept(&out, 1);
}

#[test]
fn in_memory_finish_refuses_bytes_that_are_not_the_prepared_document() {
    use kyso_cms::Signer;
    let (token, prepared, state) = prepare_in_memory();
    let signature = token.sign(state.data_to_sign()).expect("token signs");
    let mut changed = prepared.clone();
    changed[20] ^= 0x01; // inside the original document, a signed range
    let mut filled = prepared.clone();
    let contents = filled
        .windows(11)
        .position(|w| w == b"/Contents <")
        .expect("placeholder")
        + 11;
    filled[contents + 4] = b'A'; // the placeholder no longer empty
    let mut longer = prepared.clone();
    longer.push(b'\n'); // bytes added after the prepared document
    let mut truncated = prepared;
    truncated.truncate(contents);
    for (what, bytes) in [
        ("a changed signed byte", changed),
        ("a filled placeholder", filled),
        ("an appended byte", longer),
        ("a truncated document", truncated),
    ] {
        match state.finish(bytes, &signature) {
            Err(kyso_pdf::Error::State(_)) => {}
            other => panic!("{what}: expected a state error, got {other:?}"),
        }
    }
}

#[test]
fn in_memory_finish_refuses_a_signature_by_another_key() {
    use kyso_cms::Signer;
    let (_, prepared, state) = prepare_in_memory();
    let wrong = signer(LeafKind::Revoked)
        .sign(state.data_to_sign())
        .expect("sign");
    match state.finish(prepared, &wrong) {
        Err(kyso_pdf::Error::Cms(kyso_cms::Error::BadSignature { .. })) => {}
        other => panic!("expected a bad-signature error, got {other:?}"),
    }
}
