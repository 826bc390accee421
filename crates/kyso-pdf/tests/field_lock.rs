//! FieldMDP and field locks (ISO 32000-2 §12.7.5.5, §12.8.2.4): after a signature whose field
//! locks other fields, filling a locked field is a modification; filling one it leaves open is
//! allowed form filling.

#[allow(dead_code)]
#[path = "attacks/build.rs"]
mod build;

use build::{FORM_TEXT_FIELD, pdf, r, validate_bytes, write_document};
use kyso_pdf::verify::{Coverage, ReasonCode, Verdict};
use kyso_pdf::{PdfSigner, SignOptions};

/// The form of `build::form_document` plus an empty signature field "KyDuyet" whose /Lock
/// has `action` over the text field "HoTen".
fn form_with_locking_signature_field(action: &str) -> Vec<u8> {
    let base = build::form_document();
    let reader = kyso_pdf::PdfReader::new(base.as_slice()).expect("form");
    let mut objects: Vec<(kyso_pdf::ObjRef, kyso_pdf::Object)> = (1..=7)
        .map(|n| (r(n), reader.resolve(r(n)).expect("object")))
        .collect();
    let lock = format!("<< /Type /SigFieldLock /Action /{action} /Fields [(HoTen)] >>");
    objects.push((
        r(8),
        pdf(&format!(
            "<< /Type /Annot /Subtype /Widget /FT /Sig /T (KyDuyet) /Rect [0 0 0 0] /F 132 \
             /P 3 0 R /Lock {lock} >>"
        )),
    ));
    for (num, obj) in objects.iter_mut() {
        if let Some(d) = obj.as_dict_mut() {
            if *num == r(6) {
                d.set("Fields", pdf(&format!("[{FORM_TEXT_FIELD} 8 0 R]")));
            }
            if *num == r(3) {
                d.set("Annots", pdf(&format!("[{FORM_TEXT_FIELD} 8 0 R]")));
            }
        }
    }
    write_document(&objects, r(1))
}

fn sign_locking_field(action: &str) -> Vec<u8> {
    PdfSigner::new(SignOptions {
        field_name: Some("KyDuyet".into()),
        ..SignOptions::default()
    })
    .sign_bytes(&form_with_locking_signature_field(action), &build::signer())
    .expect("sign the locking field")
}

#[test]
fn filling_a_field_the_signature_locks_is_a_modification() {
    let filled = build::fill_text_field(&sign_locking_field("Include"));
    let report = validate_bytes(&filled);
    let s = &report.signatures[0];
    assert_eq!(s.verdict, Verdict::Invalid, "{report:#?}");
    assert_eq!(s.coverage, Coverage::Modified);
    assert!(
        s.reasons
            .iter()
            .any(|r| r.code == ReasonCode::ModifiedAfterSigning && r.message.contains("locks")),
        "{report:#?}"
    );
}

#[test]
fn filling_a_field_the_signature_leaves_open_is_allowed() {
    let filled = build::fill_text_field(&sign_locking_field("Exclude"));
    let report = validate_bytes(&filled);
    let s = &report.signatures[0];
    assert_eq!(s.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(s.coverage, Coverage::RevisionPlusAllowedChanges);
}

#[test]
fn a_lock_on_all_fields_covers_every_field() {
    let filled = build::fill_text_field(&sign_locking_field("All"));
    let report = validate_bytes(&filled);
    assert_eq!(
        report.signatures[0].coverage,
        Coverage::Modified,
        "{report:#?}"
    );
}

/// `SignOptions::lock_fields` (`kyso sign --lock`): the new field gets /Lock /All and the
/// signature a FieldMDP reference; pyHanko accepts the signature, and filling a field after it
/// is a modification.
#[test]
fn signing_with_lock_fields_locks_every_field_for_later_fill() {
    let signed = PdfSigner::new(SignOptions {
        lock_fields: true,
        ..SignOptions::default()
    })
    .sign_bytes(&build::form_document(), &build::signer())
    .expect("sign with a lock");
    let reader = kyso_pdf::PdfReader::new(signed.as_slice()).expect("read");
    let sig_field = reader
        .xref_entries()
        .filter_map(|(r, _)| reader.resolve(r).ok())
        .filter_map(|o| o.as_dict().cloned())
        .find(|d| d.get("FT").is_some_and(|t| t.is_name("Sig")))
        .expect("the signature field");
    let lock = sig_field
        .get("Lock")
        .and_then(|l| l.as_dict())
        .expect("/Lock");
    assert!(lock.get("Action").is_some_and(|a| a.is_name("All")));

    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("locked.pdf");
    std::fs::write(&path, &signed).expect("write");
    let pyhanko =
        kyso_testkit::validators::pyhanko_validate(&path, kyso_testkit::TestPki::get().root_pem());
    assert!(pyhanko[0].is_fully_valid(), "{pyhanko:#?}");

    let filled = build::fill_text_field(&signed);
    let report = validate_bytes(&filled);
    assert_eq!(
        report.signatures[0].coverage,
        Coverage::Modified,
        "{report:#?}"
    );
}
