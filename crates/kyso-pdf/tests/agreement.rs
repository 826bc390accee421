//! kyso, pyHanko and poppler's pdfsig over the same files: their verdicts agree, and where
//! they legitimately differ the case says why.
//!
//! pdfsig checks integrity and trust of each signature but does no modification analysis: it
//! reports a signature over an earlier revision as valid with "Total document signed" absent,
//! whatever was appended. pyHanko and kyso both judge what changed after signing.

#[allow(dead_code)]
#[path = "attacks/build.rs"]
mod build;

use kyso_cert::Certificate;
use kyso_pdf::verify::{Coverage, ValidationOptions, ValidationReport, Verdict, validate};
use kyso_pdf::{PdfSigner, SignOptions};
use kyso_testkit::validators::{self, PdfsigSig, PyhankoSig};
use kyso_testkit::{LeafKind, TestPki, corpus};
use kyso_token::SoftwareSigner;

/// What each validator says about one signature.
#[derive(Debug)]
struct Opinions {
    kyso: Verdict,
    kyso_coverage: Coverage,
    kyso_integrity: bool,
    pyhanko: PyhankoSig,
    pdfsig: PdfsigSig,
}

fn signer(kind: LeafKind) -> SoftwareSigner {
    let leaf = TestPki::get().leaf(kind);
    SoftwareSigner::from_pem_files(&leaf.key_pem, &leaf.cert_pem, Some(&leaf.chain_pem), None)
        .expect("test key")
}

fn sign(input: &[u8], kind: LeafKind) -> Vec<u8> {
    PdfSigner::new(SignOptions::default())
        .sign_bytes(input, &signer(kind))
        .expect("sign")
}

/// Runs the three validators on `pdf` and pairs their opinions per signature, in file order.
fn opinions(pdf: &[u8]) -> Vec<Opinions> {
    let pki = TestPki::get();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).expect("write");
    let anchors = Certificate::all_from_der_or_pem(&std::fs::read(pki.root_pem()).expect("root"))
        .expect("root");
    let report: ValidationReport =
        validate(&pdf.to_vec(), &ValidationOptions::new(anchors)).expect("kyso validates");
    let pyhanko = validators::pyhanko_validate(&path, pki.root_pem());
    let pdfsig: Vec<PdfsigSig> = validators::pdfsig_verify(&path, pki.nss_db())
        .into_iter()
        .filter(|s| !s.raw.contains("is not signed"))
        .collect();
    assert_eq!(
        report.signatures.len(),
        pyhanko.len(),
        "kyso and pyHanko count signatures alike"
    );
    assert_eq!(
        report.signatures.len(),
        pdfsig.len(),
        "kyso and pdfsig count signatures alike"
    );
    report
        .signatures
        .iter()
        .zip(pyhanko)
        .zip(pdfsig)
        .map(|((k, p), s)| Opinions {
            kyso: k.verdict,
            kyso_coverage: k.coverage,
            kyso_integrity: k.integrity_ok,
            pyhanko: p,
            pdfsig: s,
        })
        .collect()
}

/// All three accept the signature.
fn all_accept(o: &Opinions) {
    assert_eq!(o.kyso, Verdict::Valid, "kyso: {o:#?}");
    assert!(
        o.pyhanko.bottom_line && o.pyhanko.intact && o.pyhanko.trusted,
        "pyHanko: {o:#?}"
    );
    assert!(
        o.pdfsig.signature_valid && o.pdfsig.certificate_trusted,
        "pdfsig: {o:#?}"
    );
}

#[test]
fn all_accept_a_kyso_signature_on_every_input_kind() {
    for input in corpus::all() {
        let signed = sign(&input.bytes(), LeafKind::Rsa2048);
        for o in opinions(&signed) {
            all_accept(&o);
        }
    }
}

#[test]
fn all_accept_kyso_then_pyhanko_then_kyso_signatures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = dir.path().join("first.pdf");
    let second = dir.path().join("second.pdf");
    std::fs::write(&first, sign(&corpus::classic().bytes(), LeafKind::P256)).expect("write");
    kyso_testkit::reference::pyhanko_sign(
        &first,
        &second,
        TestPki::get().leaf(LeafKind::Rsa2048),
        "PyHanko",
    );
    let third = sign(&std::fs::read(&second).expect("read"), LeafKind::Rsa3072Pss);
    let all = opinions(&third);
    assert_eq!(all.len(), 3);
    for o in &all {
        all_accept(o);
    }
    // Only the last covers the whole file; pdfsig says so too.
    assert!(all[2].pdfsig.total_document_signed);
    assert!(!all[0].pdfsig.total_document_signed);
    assert_eq!(all[0].kyso_coverage, Coverage::RevisionPlusAllowedChanges);
}

#[test]
fn all_accept_an_approval_signature_after_a_pyhanko_certification() {
    let certified = build::certified(2);
    let signed = sign(&certified, LeafKind::P256);
    let all = opinions(&signed);
    assert_eq!(all.len(), 2);
    for o in &all {
        all_accept(o);
    }
    assert_eq!(all[0].kyso_coverage, Coverage::RevisionPlusAllowedChanges);
}

#[test]
fn all_reject_a_flipped_byte() {
    let mut signed = sign(&corpus::classic().bytes(), LeafKind::Rsa2048);
    let at = signed.windows(2).position(|w| w == b"Tj").expect("content");
    signed[at - 2] ^= 0x01;
    let o = opinions(&signed).remove(0);
    assert_eq!(o.kyso, Verdict::Invalid);
    assert!(!o.kyso_integrity);
    assert!(!o.pyhanko.intact, "pyHanko: {o:#?}");
    assert!(!o.pdfsig.signature_valid, "pdfsig: {o:#?}");
}

#[test]
fn kyso_and_pyhanko_reject_page_content_changed_later_pdfsig_only_notes_partial_coverage() {
    let signed = sign(&corpus::classic().bytes(), LeafKind::Rsa2048);
    let page = build::page_ref(&signed, 0);
    let content = kyso_pdf::ObjRef::new(build::next_free(&signed), 0);
    let mut page_dict = build::current_dict(&signed, page);
    page_dict.set("Contents", kyso_pdf::Object::Reference(content));
    let modified = build::append_update(
        &signed,
        &[
            (
                content,
                build::stream("<< >>", "BT /F1 24 Tf 72 700 Td (DA THANH TOAN) Tj ET"),
            ),
            (page, kyso_pdf::Object::Dict(page_dict)),
        ],
        &[],
    );
    let o = opinions(&modified).remove(0);
    assert_eq!(o.kyso, Verdict::Invalid);
    assert_eq!(o.kyso_coverage, Coverage::Modified);
    assert!(o.kyso_integrity, "the signed revision itself is intact");
    assert!(!o.pyhanko.bottom_line, "pyHanko: {o:#?}");
    // The legitimate difference: pdfsig verifies the signed bytes only.
    assert!(o.pdfsig.signature_valid, "pdfsig: {o:#?}");
    assert!(!o.pdfsig.total_document_signed, "pdfsig: {o:#?}");
}
