//! Signing refuses what it cannot do safely, with the typed error a caller can act on, and
//! leaves no output behind.

use std::path::Path;

#[allow(dead_code)]
#[path = "attacks/build.rs"]
mod build;

use kyso_pdf::{Error, PdfSigner, SignOptions};
use kyso_testkit::{LeafKind, TestPki, corpus};
use kyso_token::SoftwareSigner;

fn signer() -> SoftwareSigner {
    let leaf = TestPki::get().leaf(LeafKind::P256);
    SoftwareSigner::from_pem_files(&leaf.key_pem, &leaf.cert_pem, Some(&leaf.chain_pem), None)
        .expect("test key")
}

fn sign(input: &Path, output: &Path, options: SignOptions) -> Result<(), Error> {
    PdfSigner::new(options).sign_file(input, output, &signer())
}

#[test]
fn not_a_pdf_is_reported_as_such() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("x.pdf");
    std::fs::write(&input, b"PK\x03\x04 a zip file").expect("write");
    let out = dir.path().join("out.pdf");
    assert!(matches!(
        sign(&input, &out, SignOptions::default()),
        Err(Error::NotPdf)
    ));
    assert!(!out.exists());
}

#[test]
fn encrypted_documents_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out.pdf");
    let r = sign(&corpus::encrypted().path, &out, SignOptions::default());
    assert!(matches!(r, Err(Error::Encrypted)), "{r:?}");
    assert!(!out.exists());
}

#[test]
fn output_equal_to_input_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in.pdf");
    std::fs::copy(corpus::classic().path, &input).expect("copy");
    let r = sign(&input, &input, SignOptions::default());
    assert!(matches!(r, Err(Error::OutputIsInput(_))), "{r:?}");
    // The same file spelled another way.
    let dotted = dir.path().join(".").join("in.pdf");
    let r = sign(&input, &dotted, SignOptions::default());
    assert!(matches!(r, Err(Error::OutputIsInput(_))), "{r:?}");
}

#[cfg(unix)]
#[test]
fn output_that_is_a_link_to_the_input_is_refused_and_the_input_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in.pdf");
    std::fs::copy(corpus::classic().path, &input).expect("copy");
    let before = std::fs::read(&input).expect("read");
    let symbolic = dir.path().join("symbolic.pdf");
    std::os::unix::fs::symlink(&input, &symbolic).expect("symlink");
    let hard = dir.path().join("hard.pdf");
    std::fs::hard_link(&input, &hard).expect("hard link");
    for (what, output) in [("symbolic link", &symbolic), ("hard link", &hard)] {
        let r = sign(&input, output, SignOptions::default());
        assert!(matches!(r, Err(Error::OutputIsInput(_))), "{what}: {r:?}");
    }
    assert_eq!(std::fs::read(&input).expect("read"), before);
    // An existing output that is another file is replaced, as before.
    let other = dir.path().join("other.pdf");
    std::fs::write(&other, b"old output").expect("write");
    sign(&input, &other, SignOptions::default()).expect("sign over another file");
    assert!(std::fs::read(&other).expect("read").starts_with(b"%PDF"));
}

#[test]
fn a_signed_field_cannot_be_signed_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let once = dir.path().join("once.pdf");
    let twice = dir.path().join("twice.pdf");
    let field = || SignOptions {
        field_name: Some(corpus::EMPTY_FIELD_NAME.into()),
        ..SignOptions::default()
    };
    sign(&corpus::with_empty_field().path, &once, field()).expect("first");
    match sign(&once, &twice, field()) {
        Err(Error::FieldAlreadySigned { name }) => assert_eq!(name, corpus::EMPTY_FIELD_NAME),
        other => panic!("expected FieldAlreadySigned, got {other:?}"),
    }
    assert!(!twice.exists());
}

#[test]
fn a_page_past_the_end_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out.pdf");
    let r = sign(
        &corpus::classic().path,
        &out,
        SignOptions {
            page: 5,
            ..SignOptions::default()
        },
    );
    assert!(
        matches!(r, Err(Error::PageOutOfRange { index: 5, count: 1 })),
        "{r:?}"
    );
}

#[test]
fn a_too_small_placeholder_is_refused_and_leaves_no_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out.pdf");
    let r = sign(
        &corpus::classic().path,
        &out,
        SignOptions {
            contents_capacity: Some(64),
            ..SignOptions::default()
        },
    );
    assert!(
        matches!(r, Err(Error::PlaceholderTooSmall { available: 64, .. })),
        "{r:?}"
    );
    assert!(!out.exists());
    let leftovers = std::fs::read_dir(dir.path()).expect("list").count();
    assert_eq!(leftovers, 0, "temporary file left behind");
}

#[test]
fn sign_bytes_matches_what_validators_accept() {
    let input = corpus::xref_stream().bytes();
    let signed = PdfSigner::new(SignOptions::default())
        .sign_bytes(&input, &signer())
        .expect("sign in memory");
    assert!(signed.starts_with(&input));
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("mem.pdf");
    std::fs::write(&out, &signed).expect("write");
    let sigs = kyso_testkit::validators::pyhanko_validate(&out, TestPki::get().root_pem());
    assert!(sigs[0].is_fully_valid(), "{}", sigs[0].details);
}

#[test]
fn a_document_certified_with_no_changes_allowed_is_not_signed_again() {
    let certified = build::certified(1);
    let r = PdfSigner::new(SignOptions::default()).sign_bytes(&certified, &signer());
    assert!(matches!(r, Err(Error::CertifiedNoChanges)), "{r:?}");
}

#[test]
fn a_document_certified_for_form_filling_accepts_an_approval_signature() {
    let certified = build::certified(2);
    let signed = PdfSigner::new(SignOptions::default())
        .sign_bytes(&certified, &signer())
        .expect("P=2 allows signing");
    let report = build::validate_bytes(&signed);
    assert_eq!(
        report.verdict,
        kyso_pdf::verify::Verdict::Valid,
        "{report:#?}"
    );
}
