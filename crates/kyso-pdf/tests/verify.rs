//! The validator on genuine signatures (kyso's and pyHanko's), on documents changed after
//! signing, and on pyHanko's own hard cases: a wrong VALID is the worst bug this crate can have.

use std::path::{Path, PathBuf};

use kyso_cert::Certificate;
use kyso_pdf::verify::{
    Coverage, ReasonCode, ValidationOptions, ValidationReport, Verdict, validate,
};
use kyso_pdf::{PdfSigner, SignOptions};
use kyso_testkit::{LeafKind, TestPki, corpus};
use kyso_token::SoftwareSigner;

fn signer(kind: LeafKind) -> SoftwareSigner {
    let leaf = TestPki::get().leaf(kind);
    SoftwareSigner::from_pem_files(&leaf.key_pem, &leaf.cert_pem, Some(&leaf.chain_pem), None)
        .expect("test key")
}

fn test_root() -> Vec<Certificate> {
    Certificate::all_from_der_or_pem(&std::fs::read(TestPki::get().root_pem()).expect("root"))
        .expect("root certificate")
}

fn check(pdf: &[u8], anchors: Vec<Certificate>) -> ValidationReport {
    validate(&pdf.to_vec(), &ValidationOptions::new(anchors)).expect("validation runs")
}

fn sign(input: &[u8], kind: LeafKind, field: Option<&str>) -> Vec<u8> {
    PdfSigner::new(SignOptions {
        field_name: field.map(str::to_string),
        ..SignOptions::default()
    })
    .sign_bytes(input, &signer(kind))
    .expect("sign")
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pyhanko")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn codes(report: &ValidationReport, i: usize) -> Vec<ReasonCode> {
    report.signatures[i]
        .reasons
        .iter()
        .map(|r| r.code)
        .collect()
}

#[test]
fn kyso_signature_is_valid_and_names_the_signer() {
    let signed = sign(&corpus::classic().bytes(), LeafKind::Rsa2048, None);
    let report = check(&signed, test_root());
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    let s = &report.signatures[0];
    assert!(s.integrity_ok && s.trusted);
    assert_eq!(s.coverage, Coverage::WholeFile);
    assert_eq!(s.level.as_deref(), Some("B-B"));
    let signer = s.signer.as_ref().expect("signer");
    assert_eq!(
        signer.name.as_deref(),
        Some(LeafKind::Rsa2048.common_name())
    );
    assert_eq!(signer.citizen_id.as_deref(), Some("001234567890"));
}

#[test]
fn every_key_type_and_input_kind_verifies() {
    for input in corpus::all() {
        for kind in [LeafKind::Rsa2048, LeafKind::Rsa3072Pss, LeafKind::P256] {
            let signed = sign(&input.bytes(), kind, None);
            let report = check(&signed, test_root());
            assert_eq!(
                report.verdict,
                Verdict::Valid,
                "{} / {kind:?}: {report:#?}",
                input.name
            );
        }
    }
}

#[test]
fn a_countersigned_document_keeps_both_signatures_valid() {
    let once = sign(&corpus::classic().bytes(), LeafKind::Rsa2048, None);
    let twice = sign(&once, LeafKind::P256, Some("Con dấu"));
    let report = check(&twice, test_root());
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(
        report.signatures[0].coverage,
        Coverage::RevisionPlusAllowedChanges
    );
    assert_eq!(report.signatures[1].coverage, Coverage::WholeFile);
    assert!(
        !report.signatures[0].changes.is_empty(),
        "the later signature is listed as a change"
    );
}

#[test]
fn an_unknown_root_gives_indeterminate_not_valid() {
    let signed = sign(&corpus::classic().bytes(), LeafKind::Rsa2048, None);
    let report = check(&signed, Vec::new());
    assert_eq!(report.verdict, Verdict::Indeterminate, "{report:#?}");
    assert!(report.signatures[0].integrity_ok);
    assert!(!report.signatures[0].trusted);
    assert!(codes(&report, 0).contains(&ReasonCode::NoTrustAnchor));
}

#[test]
fn a_flipped_byte_in_the_signed_range_is_invalid() {
    let mut signed = sign(&corpus::classic().bytes(), LeafKind::Rsa2048, None);
    // Inside the first page's content stream, far from the signature.
    let at = signed
        .windows(2)
        .position(|w| w == b"Tj")
        .expect("content stream");
    signed[at - 2] ^= 0x01;
    let report = check(&signed, test_root());
    assert_eq!(report.verdict, Verdict::Invalid);
    assert!(!report.signatures[0].integrity_ok);
    assert!(
        codes(&report, 0).contains(&ReasonCode::DigestMismatch),
        "{report:#?}"
    );
}

#[test]
fn page_content_changed_by_a_later_update_is_modified() {
    let signed = sign(&corpus::incremental().bytes(), LeafKind::P256, None);
    let reader = kyso_pdf::PdfReader::new(signed.as_slice()).expect("read");
    let page = reader.page_ref(0).expect("page");
    let mut page_dict = reader.resolve_dict(page).expect("page dict");
    let content = kyso_pdf::ObjRef::new(reader.size(), 0);
    page_dict.set("Contents", kyso_pdf::Object::Reference(content));
    let mut update = Vec::new();
    let mut offsets = Vec::new();
    let base = signed.len();
    let mut body = Vec::new();
    for (r, obj) in [
        (
            content,
            kyso_pdf::Object::Stream(kyso_pdf::Stream::new(
                kyso_pdf::Dict::new(),
                b"BT /F1 24 Tf 72 700 Td (PAID IN FULL) Tj ET".to_vec(),
            )),
        ),
        (page, kyso_pdf::Object::Dict(page_dict)),
    ] {
        offsets.push((r, base + body.len()));
        kyso_pdf::object::write_indirect_object(r, &obj, &mut body);
    }
    update.extend_from_slice(&body);
    let xref_at = base + update.len();
    update.extend_from_slice(b"xref\n");
    for (r, off) in &offsets {
        update.extend_from_slice(format!("{} 1\n{off:010} 00000 n\r\n", r.num).as_bytes());
    }
    update.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root {} /Prev {} >>\nstartxref\n{xref_at}\n%%EOF\n",
            content.num + 1,
            reader.catalog_ref().expect("root"),
            reader.startxref()
        )
        .as_bytes(),
    );
    let mut modified = signed.clone();
    modified.extend_from_slice(&update);
    let report = check(&modified, test_root());
    assert_eq!(report.verdict, Verdict::Invalid, "{report:#?}");
    let s = &report.signatures[0];
    assert!(s.integrity_ok, "the signed revision itself is intact");
    assert_eq!(s.coverage, Coverage::Modified);
    assert!(codes(&report, 0).contains(&ReasonCode::ModifiedAfterSigning));
}

#[test]
fn an_unsigned_document_is_not_valid() {
    let report = check(&corpus::classic().bytes(), test_root());
    assert!(report.signatures.is_empty());
    assert_eq!(report.verdict, Verdict::Invalid);
}

#[test]
fn pyhanko_signatures_verify() {
    let dir = tempfile::tempdir().expect("temp dir");
    let one: PathBuf = dir.path().join("one.pdf");
    let two: PathBuf = dir.path().join("two.pdf");
    let pki = TestPki::get();
    kyso_testkit::reference::pyhanko_sign(
        &corpus::classic().path,
        &one,
        pki.leaf(LeafKind::Rsa2048),
        "Sig1",
    );
    kyso_testkit::reference::pyhanko_sign(&one, &two, pki.leaf(LeafKind::P256), "Sig2");
    for (path, count) in [(&one, 1), (&two, 2)] {
        let report = check(&std::fs::read(path).expect("read"), test_root());
        assert_eq!(report.signatures.len(), count);
        assert_eq!(
            report.verdict,
            Verdict::Valid,
            "{}: {report:#?}",
            path.display()
        );
    }
}

#[test]
fn pyhanko_coverage_anomalies_are_never_valid() {
    for name in [
        "tail-uncovered.pdf",
        "signature-gap-too-big.pdf",
        "one-byterange.pdf",
        "weird-byterange.pdf",
    ] {
        let report = check(&fixture(&format!("coverage-anomalies/{name}")), Vec::new());
        assert_ne!(report.verdict, Verdict::Valid, "{name}");
        let s = &report.signatures[0];
        assert!(
            matches!(s.coverage, Coverage::Unclear | Coverage::Modified),
            "{name}: {s:#?}"
        );
    }
}

#[test]
fn pyhanko_sneaky_form_updates_are_modifications() {
    for name in [
        "form-update-ap-indirect-sneaky-trailer.pdf",
        "form-update-no-override-appearance-stream-ap-indirect-sneaky.pdf",
        "form-update-override-appearance-stream-ap-indirect-sneaky.pdf",
        "form-update-override-appearance-stream-sneaky.pdf",
    ] {
        let report = check(&fixture(name), Vec::new());
        assert_eq!(report.verdict, Verdict::Invalid, "{name}: {report:#?}");
        assert!(
            report
                .signatures
                .iter()
                .any(|s| s.coverage == Coverage::Modified),
            "{name}: {report:#?}"
        );
    }
}

#[test]
fn pyhanko_odd_but_sound_cms_structures_keep_their_integrity() {
    for name in [
        "sig-with-ski-sid.pdf",
        "pades-with-old-style-signing-cert-attr.pdf",
    ] {
        let report = check(&fixture(name), Vec::new());
        assert!(report.signatures[0].integrity_ok, "{name}: {report:#?}");
        assert_eq!(
            report.verdict,
            Verdict::Indeterminate,
            "{name}: untrusted PKI"
        );
    }
}

/// pyHanko's file whose signature dictionaries have no /Type (ISO 32000-2 §12.8.1 makes it
/// optional): both are read and judged; only trust is missing (pyHanko's test root is not
/// among the anchors), and the second signature counts as an allowed change for the first,
/// listed once.
#[test]
fn signature_dictionaries_without_type_are_read_and_judged() {
    let report = check(
        &fixture("minimal-signed-twice-no-sig-type.pdf"),
        test_root(),
    );
    assert_eq!(report.signatures.len(), 2);
    for (i, s) in report.signatures.iter().enumerate() {
        assert!(s.integrity_ok, "signature {i}: {:?}", s.reasons);
        assert_eq!(s.verdict, Verdict::Indeterminate);
        assert_eq!(codes(&report, i), [ReasonCode::NoTrustAnchor]);
    }
    assert_eq!(
        report.signatures[0].coverage,
        Coverage::RevisionPlusAllowedChanges
    );
    let added = report.signatures[0]
        .changes
        .iter()
        .filter(|c| {
            matches!(
                c.kind,
                kyso_pdf::verify::ChangeKind::SignatureFieldAdded { .. }
            )
        })
        .count();
    assert_eq!(added, 1, "{:?}", report.signatures[0].changes);
}

/// Only trust is missing for every signature of a pyHanko fixture (its test root is not among
/// the anchors, or the algorithm is one kyso does not verify): nothing is proven wrong.
fn assert_nothing_proven_wrong(name: &str) -> ValidationReport {
    let report = check(&fixture(name), test_root());
    for (i, s) in report.signatures.iter().enumerate() {
        assert_ne!(
            s.verdict,
            Verdict::Invalid,
            "{name}, signature {i}: {:?}",
            s.reasons
        );
        assert!(
            s.reasons.iter().all(|r| r.code.is_indeterminate()),
            "{name}, signature {i}: {:?}",
            s.reasons
        );
    }
    report
}

/// A later signer raising the developer extension level (/Extensions, ISO 32000-2 §7.12),
/// in an indirect or direct extensions dictionary: permitted, listed. When the extensions
/// dictionary is also reachable by another catalog key (pyHanko's "not all paths" case,
/// `/DontOverrideMe`), the same update changes more than extensions: a modification.
#[test]
fn extension_level_raised_by_a_later_signer_is_permitted() {
    for name in [
        "extensions-update-indirect.pdf",
        "extensions-update-direct.pdf",
    ] {
        let report = assert_nothing_proven_wrong(name);
        let first = report
            .signatures
            .iter()
            .find(|s| s.coverage == Coverage::RevisionPlusAllowedChanges)
            .unwrap_or_else(|| panic!("{name}: the first signature"));
        assert!(first.integrity_ok, "{name}");
    }
    let report = check(
        &fixture("extensions-indirect-not-all-paths.pdf"),
        test_root(),
    );
    assert_eq!(report.signatures[0].coverage, Coverage::Modified);
    assert_eq!(report.signatures[0].verdict, Verdict::Invalid);
}

/// pyHanko sets the Locked flag of the widget it signs (/F 4 → 132): a signer's own
/// flags, not a change to signed content.
#[test]
fn a_signer_locking_its_own_widget_is_permitted() {
    let report = assert_nothing_proven_wrong("minimal-two-fields-signed-twice.pdf");
    assert!(
        report
            .signatures
            .iter()
            .any(|s| s.coverage == Coverage::RevisionPlusAllowedChanges && s.integrity_ok),
        "{report:#?}"
    );
}

/// pyHanko overriding the placeholder appearance stream of the empty field it signs, in
/// place (the AP direct or indirect): permitted, as pyHanko judges it — while the sneaky
/// twins, where the stream or its AP dictionary is also held elsewhere, stay modifications
/// (`pyhanko_sneaky_form_updates_are_modifications`).
#[test]
fn pyhanko_overriding_the_appearance_of_the_field_it_signs_is_permitted() {
    for name in [
        "form-update-override-appearance-stream.pdf",
        "form-update-override-appearance-stream-ap-indirect.pdf",
        "form-update-no-override-appearance-stream-ap-indirect.pdf",
    ] {
        let report = assert_nothing_proven_wrong(name);
        assert!(
            report
                .signatures
                .iter()
                .any(|s| s.coverage == Coverage::RevisionPlusAllowedChanges),
            "{name}: {report:#?}"
        );
    }
}

/// A SignerInfo without signed attributes signs the content digest itself (RFC 5652 §5.4,
/// what older PKCS#7 signers write): verified from the digest the streaming pass computes,
/// with a warning that nothing binds the certificate.
#[test]
fn a_signature_without_signed_attributes_is_verified_from_the_digest() {
    let report = assert_nothing_proven_wrong("sig-no-signed-attrs.pdf");
    let s = &report.signatures[0];
    assert!(s.integrity_ok, "{:?}", s.reasons);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("no signed attributes")),
        "{:?}",
        s.warnings
    );
}

/// PAdES B-LTA by pyHanko: a document timestamp, then DSS updates that extend the DSS's
/// indirect arrays (and a second signature): signature maintenance for every earlier
/// signature. The document timestamps are validated: their integrity holds, their TSA is
/// pyHanko's test TSA, whose root is not a trust anchor here (INDETERMINATE).
#[test]
fn dss_updates_extending_indirect_arrays_are_signature_maintenance() {
    for name in [
        "pades-lta-dss-indirect-arrs-test.pdf",
        "pades-lta-dss-indirect-arrs-test-2.pdf",
    ] {
        let report = assert_nothing_proven_wrong(name);
        assert_eq!(
            report.signatures[0].coverage,
            Coverage::RevisionPlusAllowedChanges,
            "{name}"
        );
        for ts in report
            .signatures
            .iter()
            .filter(|s| s.sub_filter.as_deref() == Some("ETSI.RFC3161"))
        {
            assert!(ts.integrity_ok, "{name}: {ts:#?}");
            assert!(
                ts.timestamp.as_ref().is_some_and(|t| t.valid && !t.trusted),
                "{name}"
            );
            assert_eq!(
                ts.verdict,
                kyso_pdf::verify::Verdict::Indeterminate,
                "{name}"
            );
        }
        // The document timestamp's revision already had the DSS: later updates extend it.
        assert!(
            report.signatures.iter().any(|s| s
                .changes
                .iter()
                .any(|c| matches!(c.kind, kyso_pdf::verify::ChangeKind::DssUpdated { .. }))),
            "{name}: {report:#?}"
        );
    }
}

/// A new signature field whose /Kids is an indirect array and whose widget has no /Parent:
/// still that field's widget.
#[test]
fn a_new_signature_widget_listed_only_in_indirect_kids_belongs_to_its_field() {
    let report = assert_nothing_proven_wrong("separate-annots-kids-indir.pdf");
    assert_eq!(
        report.signatures[0].coverage,
        Coverage::RevisionPlusAllowedChanges
    );
}
