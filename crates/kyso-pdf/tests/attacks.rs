//! Known attacks on PDF signatures, each built from a genuinely signed file (signed by kyso
//! with the test PKI, or certified by pyHanko), must be detected by kyso's validator:
//!
//! * Universal Signature Forgery, Incremental Saving Attack, Signature Wrapping Attack —
//!   Mladenov et al., "1 Trillion Dollar Refund: How To Spoof PDF Signatures", CCS 2019;
//! * shadow attacks (hide, replace, hide-and-replace) — Mainka et al., "Shadow Attacks:
//!   Hiding and Replacing Content in Signed PDFs", NDSS 2021;
//! * certification attacks (Evil Annotation, Sneaky Signature) — Mainka et al., "Breaking
//!   the Specification: PDF Certification", IEEE S&P 2021;
//! * structural oddities: unreachable or shared signature dictionaries, padding.
//!
//! Every attack test asserts that the verdict is not VALID *and* the reason the validator
//! itself gives (a reason code, and [`Coverage::Modified`] where signed content changed), so
//! no test passes merely because CMS verification or path validation is not finished. The
//! baseline tests show that the untouched files are accepted (or would be, once the crypto
//! lands), so the attack tests do not pass by rejecting everything.

#[path = "attacks/build.rs"]
mod build;

use build::*;
use kyso_pdf::verify::{Coverage, ReasonCode};
use kyso_pdf::{ObjRef, Object, PdfReader, PdfString, XrefEntry};
use kyso_testkit::{TestPki, corpus};

use ReasonCode::{
    ByteRangeInvalid, ContentsPadding, CoverageUnclear, MalformedSignatureDictionary,
    ModifiedAfterSigning, PermissionsViolated, SharedSignatureDictionary, UnaccountedBytes,
    UnreachableSignatureDictionary,
};

fn signed_classic() -> Vec<u8> {
    genuine_signed(&corpus::classic().bytes())
}

fn signed_twice() -> Vec<u8> {
    genuine_signed(&signed_classic())
}

/// The content stream of page 0 (the page's /Contents must be one reference).
fn page_content(pdf: &[u8]) -> ObjRef {
    current_dict(pdf, page_ref(pdf, 0))
        .get("Contents")
        .and_then(Object::as_reference)
        .expect("page /Contents is a reference")
}

fn content_stream(text: &str) -> Object {
    stream("<< >>", &format!("BT /F1 24 Tf 72 770 Td ({text}) Tj ET"))
}

// ===== baseline =====

/// The untouched signed files: VALID, covering the whole file. Until CMS signature checking
/// and path validation land in kyso-cert, the verdict is INVALID only for that reason, and
/// the test says so on stderr; the structure and coverage are already checked.
#[test]
fn genuine_signature_is_valid() {
    for input in [
        corpus::classic(),
        corpus::xref_stream(),
        corpus::with_empty_field(),
    ] {
        let report = validate_bytes(&genuine_signed(&input.bytes()));
        assert_valid(&report, 0, Coverage::WholeFile);
    }
}

/// A second signature is an allowed change for the first one.
#[test]
fn genuine_countersignature_keeps_first_signature_valid() {
    let report = validate_bytes(&signed_twice());
    assert_valid(&report, 0, Coverage::RevisionPlusAllowedChanges);
    assert_valid(&report, 1, Coverage::WholeFile);
}

/// Three signers in sequence (DESIGN: "several signers in sequence"): the second and third
/// updates both rewrite the AcroForm and the page, so the second one's definitions are
/// superseded; that is still only signatures being added, for every earlier signature.
#[test]
fn genuine_three_signatures_keep_earlier_signatures_valid() {
    let report = validate_bytes(&genuine_signed(&signed_twice()));
    assert_valid(&report, 0, Coverage::RevisionPlusAllowedChanges);
    assert_valid(&report, 1, Coverage::RevisionPlusAllowedChanges);
    assert_valid(&report, 2, Coverage::WholeFile);
}

// ===== Universal Signature Forgery (Mladenov et al. CCS 2019, §4) =====

/// How the signature dictionary is broken.
#[derive(Clone, Copy, Debug)]
enum SigEdit {
    RemoveContents,
    EmptyContents,
    NullContents,
    ContentsNotString,
    RemoveByteRange,
    NullByteRange,
    ZeroByteRange,
    NegativeByteRange,
    OverflowByteRange,
    TwoNumbers,
    SixNumbers,
}

impl SigEdit {
    /// The replacement /ByteRange text, for the edits that rewrite its numbers.
    fn byte_range_text(self, [_, b, c, d]: [u64; 4]) -> Option<String> {
        Some(match self {
            SigEdit::ZeroByteRange => "[0 0 0 0]".into(),
            SigEdit::NegativeByteRange => format!("[0 {b} -{c} {d}]"),
            SigEdit::OverflowByteRange => format!("[0 {b} {c} 99999999999999999999]"),
            SigEdit::TwoNumbers => format!("[0 {}]", c + d),
            SigEdit::SixNumbers => format!("[0 {b} {c} {d} 0 0]"),
            _ => return None,
        })
    }
}

/// Variant 1: a new incremental update redefines the signature dictionary.
fn usf_in_update(edit: SigEdit) -> Vec<u8> {
    let signed = signed_classic();
    let sig = sig_layout(&signed, 0);
    let mut dict = current_dict(&signed, sig.sig_ref);
    match edit {
        SigEdit::RemoveContents => {
            dict.remove("Contents");
        }
        SigEdit::EmptyContents => dict.set("Contents", Object::String(PdfString::hex(Vec::new()))),
        SigEdit::NullContents => dict.set("Contents", Object::Null),
        SigEdit::ContentsNotString => dict.set("Contents", pdf("[]")),
        SigEdit::RemoveByteRange => {
            dict.remove("ByteRange");
        }
        SigEdit::NullByteRange => dict.set("ByteRange", Object::Null),
        _ => {
            let text = edit
                .byte_range_text(sig.byte_range)
                .expect("a ByteRange edit");
            dict.set("ByteRange", pdf(&text));
        }
    }
    append_update(&signed, &[(sig.sig_ref, Object::Dict(dict))], &[])
}

/// Variant 2: the bytes of the signed file are overwritten in place, keeping every offset.
fn usf_in_place(edit: SigEdit) -> Vec<u8> {
    let signed = signed_classic();
    let sig = sig_layout(&signed, 0);
    let key = |at: usize, len: usize| at..at + len;
    match edit {
        SigEdit::RemoveContents => overwrite(&signed, key(sig.contents_key, 9), "/Contentz"),
        SigEdit::EmptyContents => overwrite(&signed, sig.contents_span, "<>"),
        SigEdit::NullContents => overwrite(&signed, sig.contents_span, "null"),
        SigEdit::ContentsNotString => overwrite(&signed, sig.contents_span, "[]"),
        SigEdit::RemoveByteRange => overwrite(&signed, key(sig.byte_range_key, 10), "/ByteRangx"),
        SigEdit::NullByteRange => overwrite(&signed, sig.byte_range_span, "null"),
        _ => {
            let text = edit
                .byte_range_text(sig.byte_range)
                .expect("a ByteRange edit");
            overwrite(&signed, sig.byte_range_span, &text)
        }
    }
}

macro_rules! usf {
    ($($(#[$doc:meta])* $update:ident, $in_place:ident: $edit:expr => $code:expr;)*) => {$(
        $(#[$doc])*
        #[test]
        fn $update() {
            assert_rejected(&validate_bytes(&usf_in_update($edit)), 0, $code);
        }

        $(#[$doc])*
        /// (Bytes overwritten in place.)
        #[test]
        fn $in_place() {
            assert_rejected(&validate_bytes(&usf_in_place($edit)), 0, $code);
        }
    )*};
}

usf! {
    /// USF: no /Contents, so nothing to verify.
    usf_missing_contents_is_invalid, usf_missing_contents_in_place_is_invalid:
        SigEdit::RemoveContents => MalformedSignatureDictionary;
    /// USF: /Contents `<>`.
    usf_empty_contents_is_invalid, usf_empty_contents_in_place_is_invalid:
        SigEdit::EmptyContents => MalformedSignatureDictionary;
    /// USF: /Contents null.
    usf_null_contents_is_invalid, usf_null_contents_in_place_is_invalid:
        SigEdit::NullContents => MalformedSignatureDictionary;
    /// USF: /Contents an array, not a string.
    usf_contents_not_a_string_is_invalid, usf_contents_not_a_string_in_place_is_invalid:
        SigEdit::ContentsNotString => MalformedSignatureDictionary;
    /// USF: no /ByteRange, so nothing is signed.
    usf_missing_byte_range_is_invalid, usf_missing_byte_range_in_place_is_invalid:
        SigEdit::RemoveByteRange => MalformedSignatureDictionary;
    /// USF: /ByteRange null.
    usf_null_byte_range_is_invalid, usf_null_byte_range_in_place_is_invalid:
        SigEdit::NullByteRange => MalformedSignatureDictionary;
    /// USF: /ByteRange [0 0 0 0]: an empty signed range.
    usf_zero_byte_range_is_invalid, usf_zero_byte_range_in_place_is_invalid:
        SigEdit::ZeroByteRange => ByteRangeInvalid;
    /// USF: a negative /ByteRange number.
    usf_negative_byte_range_is_invalid, usf_negative_byte_range_in_place_is_invalid:
        SigEdit::NegativeByteRange => ByteRangeInvalid;
    /// USF: a /ByteRange number past 2^64.
    usf_overflowing_byte_range_is_invalid, usf_overflowing_byte_range_in_place_is_invalid:
        SigEdit::OverflowByteRange => ByteRangeInvalid;
    /// USF: /ByteRange with two numbers (one range).
    usf_byte_range_with_two_numbers_is_invalid, usf_byte_range_with_two_numbers_in_place_is_invalid:
        SigEdit::TwoNumbers => ByteRangeInvalid;
    /// USF: /ByteRange with six numbers (three ranges).
    usf_byte_range_with_six_numbers_is_invalid, usf_byte_range_with_six_numbers_in_place_is_invalid:
        SigEdit::SixNumbers => ByteRangeInvalid;
}

/// USF: /Contents an indirect reference to a string holding the same CMS (ISO 32000-2
/// §12.8.1 requires a direct string, and only a direct one can be the gap).
#[test]
fn usf_contents_indirect_reference_is_invalid() {
    let signed = signed_classic();
    let sig = sig_layout(&signed, 0);
    let string_ref = r(next_free(&signed));
    let mut dict = current_dict(&signed, sig.sig_ref);
    dict.set("Contents", Object::Reference(string_ref));
    let attacked = append_update(
        &signed,
        &[
            (sig.sig_ref, Object::Dict(dict)),
            (string_ref, Object::String(PdfString::hex(sig.contents))),
        ],
        &[],
    );
    assert_rejected(&validate_bytes(&attacked), 0, MalformedSignatureDictionary);
}

// ===== Incremental Saving Attack (Mladenov et al. CCS 2019, §5) =====

/// ISA 1: an update with a proper cross-reference section points the page at new content.
#[test]
fn isa_new_page_content_with_xref_is_modified() {
    for input in [corpus::classic(), corpus::xref_stream()] {
        let signed = genuine_signed(&input.bytes());
        let page = page_ref(&signed, 0);
        let content = r(next_free(&signed));
        let mut page_dict = current_dict(&signed, page);
        page_dict.set("Contents", Object::Reference(content));
        let attacked = append_update(
            &signed,
            &[
                (page, Object::Dict(page_dict)),
                (content, content_stream("Hoan tien: 1.000.000.000.000 USD")),
            ],
            &[],
        );
        assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
    }
}

/// ISA 1: an update redefines the existing content stream object.
#[test]
fn isa_content_stream_redefined_is_modified() {
    let signed = signed_classic();
    let content = page_content(&signed);
    let attacked = append_update(
        &signed,
        &[(content, content_stream("Hoan tien: 1.000.000.000.000 USD"))],
        &[],
    );
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

/// ISA: an update adds a page to the page tree.
#[test]
fn isa_page_added_is_modified() {
    let signed = signed_classic();
    let pages = current_dict(&signed, catalog_ref(&signed))
        .get("Pages")
        .and_then(Object::as_reference)
        .expect("/Pages");
    let (page, content) = (r(next_free(&signed)), r(next_free(&signed) + 1));
    let mut tree = current_dict(&signed, pages);
    let Some(Object::Array(mut kids)) = tree.get("Kids").cloned() else {
        panic!("/Kids");
    };
    kids.push(Object::Reference(page));
    tree.set("Kids", Object::Array(kids));
    tree.set("Count", Object::Integer(2));
    let attacked = append_update(
        &signed,
        &[
            (pages, Object::Dict(tree)),
            (
                page,
                pdf(&format!(
                    "<< /Type /Page /Parent {pages} /MediaBox [0 0 595 842] \
                     /Resources << /Font << /F1 3 0 R >> >> /Contents {content} >>"
                )),
            ),
            (
                content,
                content_stream("Phu luc: chuyen nhuong toan bo tai san"),
            ),
        ],
        &[],
    );
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

fn hidden_object(header: &str) -> Vec<u8> {
    let data = "BT /F1 24 Tf 72 770 Td (Hoan tien: 1.000.000.000.000 USD) Tj ET";
    format!(
        "{header}\n<< /Length {} >>\nstream\n{data}\nendstream\nendobj\n",
        data.len()
    )
    .into_bytes()
}

/// ISA 2: the new content stream is appended after %%EOF with no cross-reference section
/// and no new startxref; viewers that reconstruct the file show it.
#[test]
fn isa_objects_after_eof_without_xref_are_unaccounted() {
    let signed = signed_classic();
    let content = page_content(&signed);
    let mut attacked = signed.clone();
    attacked.extend(hidden_object(&format!(
        "{} {} obj",
        content.num, content.generation
    )));
    assert_modified(&validate_bytes(&attacked), 0, UnaccountedBytes);
}

/// ISA 2 with other white space between the object number, generation and `obj` (legal
/// PDF syntax, ISO 32000-2 §7.2.3; reconstructing readers accept it).
#[test]
fn isa_objects_after_eof_with_unusual_white_space_are_unaccounted() {
    let signed = signed_classic();
    let content = page_content(&signed);
    let (n, g) = (content.num, content.generation);
    let failures: Vec<String> = [
        format!("{n} {g}\nobj"),
        format!("{n} {g}\robj"),
        format!("{n}  {g} obj"),
        format!("{n}\t{g} obj"),
        format!("{n} {g}\tobj"),
    ]
    .iter()
    .filter_map(|header| {
        let mut attacked = signed.clone();
        attacked.extend(hidden_object(header));
        check_modified(&validate_bytes(&attacked), 0, UnaccountedBytes)
            .err()
            .map(|e| format!("object header {header:?}: {e}"))
    })
    .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// ISA 3: an update that is only a cross-reference section and a trailer, pointing an
/// existing object back at an earlier definition (one the signed revision had superseded).
#[test]
fn isa_xref_only_update_resurrecting_old_definition_is_modified() {
    let font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
    let first = write_document(
        &[
            (r(1), pdf("<< /Type /Catalog /Pages 2 0 R >>")),
            (r(2), pdf("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")),
            (
                r(3),
                pdf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
                     /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"),
            ),
            (r(4), pdf(font)),
            (r(5), content_stream("So tien: 900.000.000 VND")),
        ],
        r(1),
    );
    let old_offset = match PdfReader::new(&first[..])
        .expect("readable")
        .object_offset(r(5))
    {
        Some(XrefEntry::InFile { offset }) => offset,
        other => panic!("object 5: {other:?}"),
    };
    let revised = append_update(
        &first,
        &[(r(5), content_stream("So tien: 100.000.000 VND"))],
        &[],
    );
    let signed = genuine_signed(&revised);
    let attacked = append_raw_update(&signed, &[], &[(r(5), old_offset)], &[]);
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

/// ISA 3: an update whose trailer points /Root at a new catalog (with its own page tree
/// showing other content, and the old AcroForm so the signature is still found). No object
/// of the signed revision is redefined: only the trailer changes what the document is.
#[test]
fn isa_trailer_root_swapped_to_new_catalog_is_modified() {
    let signed = signed_classic();
    let acroform = acroform_ref(&signed);
    let widget = sig_layout(&signed, 0).field_ref;
    let n = next_free(&signed);
    let (catalog, pages, page, content) = (r(n), r(n + 1), r(n + 2), r(n + 3));
    let attacked = append_update(
        &signed,
        &[
            (
                catalog,
                pdf(&format!(
                    "<< /Type /Catalog /Pages {pages} /AcroForm {acroform} >>"
                )),
            ),
            (
                pages,
                pdf(&format!("<< /Type /Pages /Kids [{page}] /Count 1 >>")),
            ),
            (
                page,
                pdf(&format!(
                    "<< /Type /Page /Parent {pages} /MediaBox [0 0 595 842] \
                     /Resources << /Font << /F1 3 0 R >> >> /Contents {content} /Annots [{widget}] >>"
                )),
            ),
            (content, content_stream("Hoan tien: 1.000.000.000.000 USD")),
        ],
        &[("Root", Object::Reference(catalog))],
    );
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

/// ISA 4: an update gives the catalog an /OpenAction running JavaScript.
#[test]
fn isa_catalog_open_action_javascript_is_modified() {
    let signed = signed_classic();
    let catalog = catalog_ref(&signed);
    let mut dict = current_dict(&signed, catalog);
    dict.set(
        "OpenAction",
        pdf(r"<< /S /JavaScript /JS (app.alert\('Van ban da duoc phe duyet'\);) >>"),
    );
    let attacked = append_update(&signed, &[(catalog, Object::Dict(dict))], &[]);
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

/// ISA 4: an update gives the catalog a /Names tree with document-level JavaScript.
#[test]
fn isa_catalog_names_javascript_is_modified() {
    let signed = signed_classic();
    let catalog = catalog_ref(&signed);
    let action = r(next_free(&signed));
    let mut dict = current_dict(&signed, catalog);
    dict.set(
        "Names",
        pdf(&format!("<< /JavaScript << /Names [(kyso) {action}] >> >>")),
    );
    let attacked = append_update(
        &signed,
        &[
            (catalog, Object::Dict(dict)),
            (
                action,
                pdf(r"<< /S /JavaScript /JS (this.getField\('x'\);) >>"),
            ),
        ],
        &[],
    );
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

// ===== Signature Wrapping Attack (Mladenov et al. CCS 2019, §6) =====

/// The gap starts before the /Contents string (the second number made smaller).
#[test]
fn swa_gap_starting_before_contents_is_invalid() {
    let signed = signed_classic();
    let sig = sig_layout(&signed, 0);
    let [_, b, c, d] = sig.byte_range;
    let attacked = overwrite(
        &signed,
        sig.byte_range_span,
        &format!("[0 {} {c} {d}]", b - 10),
    );
    assert_rejected(&validate_bytes(&attacked), 0, ByteRangeInvalid);
}

/// The gap ends after the /Contents string (the second range starts later).
#[test]
fn swa_gap_ending_after_contents_is_invalid() {
    let signed = signed_classic();
    let sig = sig_layout(&signed, 0);
    let [_, b, c, d] = sig.byte_range;
    let attacked = overwrite(
        &signed,
        sig.byte_range_span,
        &format!("[0 {b} {} {}]", c + 2, d - 2),
    );
    assert_rejected(&validate_bytes(&attacked), 0, ByteRangeInvalid);
}

/// The classic SWA: malicious objects are inserted right after the /Contents string, the
/// original second signed range is moved behind them, /ByteRange is changed so the gap
/// covers the malicious objects, and a new cross-reference section points the page content
/// at them and every moved object at its new place.
#[test]
fn swa_relocated_second_range_with_malicious_objects_is_invalid() {
    let signed = signed_classic();
    let sig = sig_layout(&signed, 0);
    let [_, b, c, d] = sig.byte_range;
    let content = page_content(&signed);
    // Inserted after the /Contents string: the end of the signature dictionary, the
    // malicious content stream, and the head of a dummy object that the relocated second
    // range (which starts with the signature dictionary's `>>`) closes.
    let close = b">>\nendobj\n";
    let mut inserted = close.to_vec();
    inserted.extend(hidden_object(&format!(
        "{} {} obj",
        content.num, content.generation
    )));
    inserted.extend_from_slice(b"9999 0 obj\n<< /Dummy 0 ");
    let m = inserted.len() as u64;
    let gap_end = c as usize;

    let mut attacked = signed[..gap_end].to_vec();
    attacked.extend_from_slice(&inserted);
    attacked.extend_from_slice(&signed[gap_end..]);
    let attacked = overwrite(
        &attacked,
        sig.byte_range_span,
        &format!("[0 {b} {} {d}]", c + m),
    );

    let reader = PdfReader::new(&signed[..]).expect("readable");
    let mut moved: Vec<(ObjRef, u64)> = reader
        .xref_entries()
        .filter_map(|(r, e)| match e {
            XrefEntry::InFile { offset } if offset >= c => Some((r, offset + m)),
            _ => None,
        })
        .collect();
    moved.push((content, c + close.len() as u64));
    let mut trailer = reader.trailer().clone();
    trailer.set("Prev", Object::Integer((reader.startxref() + m) as i64));
    let attacked = append_section(&attacked, &[], &moved, trailer, reader.size());

    assert_rejected(&validate_bytes(&attacked), 0, ByteRangeInvalid);
}

/// The second signature's /ByteRange is pointed at the first signature's /Contents (a gap
/// that is a valid signature string, but not this signature's).
#[test]
fn swa_gap_of_another_signature_is_invalid() {
    let twice = signed_twice();
    let first = sig_layout(&twice, 0);
    let second = sig_layout(&twice, 1);
    let [_, b1, c1, _] = first.byte_range;
    let len = twice.len() as u64;
    let attacked = overwrite(
        &twice,
        second.byte_range_span,
        &format!("[0 {b1} {c1} {}]", len - c1),
    );
    assert_rejected(&validate_bytes(&attacked), 1, ByteRangeInvalid);
}

/// An update redefines the second signature with a copy of the first one's /Contents and a
/// /ByteRange whose gap is the first one's /Contents: the gap decodes to this signature's
/// /Contents, but it is not inside this signature's object.
#[test]
fn swa_copied_contents_outside_signature_object_is_invalid() {
    let twice = signed_twice();
    let first = sig_layout(&twice, 0);
    let second = sig_layout(&twice, 1);
    let [_, b1, c1, _] = first.byte_range;
    let len = twice.len() as u64;
    let mut dict = current_dict(&twice, second.sig_ref);
    dict.set(
        "Contents",
        Object::String(PdfString::hex(first.contents.clone())),
    );
    dict.set("ByteRange", pdf(&format!("[0 {b1} {c1} {}]", len - c1)));
    let attacked = append_update(&twice, &[(second.sig_ref, Object::Dict(dict))], &[]);
    assert_rejected(&validate_bytes(&attacked), 1, ByteRangeInvalid);
}

/// The signed bytes end inside a revision (before its %%EOF), not at a revision's end.
#[test]
fn swa_signed_bytes_ending_inside_a_revision_is_unclear() {
    let signed = signed_classic();
    let sig = sig_layout(&signed, 0);
    let [_, b, c, d] = sig.byte_range;
    let attacked = overwrite(
        &signed,
        sig.byte_range_span,
        &format!("[0 {b} {c} {}]", d - 20),
    );
    assert_rejected(&validate_bytes(&attacked), 0, CoverageUnclear);
}

// ===== Shadow attacks (Mainka et al. NDSS 2021) =====

/// A page prepared before signing, as a shadow attacker would: the content first shows the
/// malicious amount, then draws the overlay XObject 6 (white box, benign amount) on top of
/// it, inside optional content group 8 (ON by default, /D is object 10). Object 7 is an
/// unused content stream with the malicious amount.
fn shadow_document() -> Vec<u8> {
    let font = r(4);
    write_document(
        &[
            (
                r(1),
                pdf("<< /Type /Catalog /Pages 2 0 R /OCProperties 9 0 R >>"),
            ),
            (r(2), pdf("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")),
            (
                r(3),
                pdf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
                     /Resources << /Font << /F1 4 0 R >> /XObject << /Fm1 6 0 R >> \
                     /Properties << /oc1 8 0 R >> >> /Contents 5 0 R >>"),
            ),
            (
                font,
                pdf(
                    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
                ),
            ),
            (
                r(5),
                stream(
                    "<< >>",
                    "BT /F1 24 Tf 72 770 Td (So tien: 900.000.000 VND) Tj ET /OC /oc1 BDC /Fm1 Do EMC",
                ),
            ),
            (r(6), overlay(font, "So tien: 100.000.000 VND")),
            (r(7), content_stream("So tien: 900.000.000 VND")),
            (r(8), pdf("<< /Type /OCG /Name (Lop phu) >>")),
            (r(9), pdf("<< /OCGs [8 0 R] /D 10 0 R >>")),
            (r(10), pdf("<< /ON [8 0 R] /OFF [] /Order [8 0 R] >>")),
        ],
        r(1),
    )
}

fn overlay(font: ObjRef, text: &str) -> Object {
    form_xobject(
        595,
        842,
        font,
        &format!("1 1 1 rg 0 740 595 102 re f 0 g BT /F1 24 Tf 72 770 Td ({text}) Tj ET"),
    )
}

fn signed_shadow() -> Vec<u8> {
    genuine_signed(&shadow_document())
}

/// Hide: the overlay XObject is replaced by an empty one, uncovering the hidden content.
#[test]
fn shadow_hide_overlay_removed_is_modified() {
    let signed = signed_shadow();
    let attacked = append_update(&signed, &[(r(6), form_xobject(595, 842, r(4), ""))], &[]);
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

/// Hide: the overlay's optional content group is switched off in /OCProperties /D.
#[test]
fn shadow_hide_optional_content_switched_off_is_modified() {
    let signed = signed_shadow();
    let attacked = append_update(
        &signed,
        &[(r(10), pdf("<< /ON [] /OFF [8 0 R] /Order [8 0 R] >>"))],
        &[],
    );
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

/// Hide: an update whose cross-reference section has no /Prev and lists every object at
/// its signed place except the overlay XObject; a missing object is null (ISO 32000-2
/// §7.3.10), so the overlay disappears without any object being redefined.
#[test]
fn shadow_hide_overlay_dropped_from_xref_is_modified() {
    let signed = signed_shadow();
    let reader = PdfReader::new(&signed[..]).expect("readable");
    let kept: Vec<(ObjRef, u64)> = reader
        .xref_entries()
        .filter_map(|(obj, e)| match e {
            XrefEntry::InFile { offset } if obj != r(6) => Some((obj, offset)),
            _ => None,
        })
        .collect();
    let mut trailer = reader.trailer().clone();
    trailer.remove("Prev");
    let attacked = append_section(&signed, &[], &kept, trailer, reader.size());
    assert!(
        PdfReader::new(&attacked[..])
            .expect("readable")
            .resolve(r(6))
            .expect("resolve")
            .is_null(),
        "the overlay is gone from the attacked file"
    );
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

/// Replace: the overlay XObject is redefined with other text.
#[test]
fn shadow_replace_overlay_redefined_is_modified() {
    let signed = signed_shadow();
    let attacked = append_update(
        &signed,
        &[(r(6), overlay(r(4), "So tien: 900.000.000 VND"))],
        &[],
    );
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

/// Replace: the font used by the page is redefined so that the glyph of "1" shows "9".
#[test]
fn shadow_replace_font_redefined_is_modified() {
    let signed = signed_shadow();
    let font = pdf("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica \
                    /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [49 /nine] >> >>");
    let attacked = append_update(&signed, &[(r(4), font)], &[]);
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

/// Replace: the page's resources are pointed at a new XObject under the same name.
#[test]
fn shadow_replace_page_resources_is_modified() {
    let signed = signed_shadow();
    let page = page_ref(&signed, 0);
    let xobject = r(next_free(&signed));
    let mut dict = current_dict(&signed, page);
    dict.set(
        "Resources",
        pdf(&format!(
            "<< /Font << /F1 4 0 R >> /XObject << /Fm1 {xobject} >> /Properties << /oc1 8 0 R >> >>"
        )),
    );
    let attacked = append_update(
        &signed,
        &[
            (page, Object::Dict(dict)),
            (xobject, overlay(r(4), "So tien: 900.000.000 VND")),
        ],
        &[],
    );
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

/// Hide-and-replace: the page's /Contents is pointed at the unused content stream that was
/// already in the signed document (no new object at all).
#[test]
fn shadow_hide_and_replace_page_contents_swapped_is_modified() {
    let signed = signed_shadow();
    let page = page_ref(&signed, 0);
    let mut dict = current_dict(&signed, page);
    dict.set("Contents", Object::Reference(r(7)));
    let attacked = append_update(&signed, &[(page, Object::Dict(dict))], &[]);
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

// ===== Certification attacks (Mainka et al. IEEE S&P 2021) =====

/// A form XObject covering the upper page, with the attacker's text.
fn cover(text: &str) -> Object {
    form_xobject(
        500,
        150,
        FORM_FONT,
        &format!("1 1 1 rg 0 0 500 150 re f 0 g BT /F1 18 Tf 10 60 Td ({text}) Tj ET"),
    )
}

/// `pdf` plus an annotation (built by `annotation(page, appearance)`) on page 0, in the page's
/// /Annots and, if `field`, in the AcroForm's /Fields.
fn add_widget_or_annotation(
    pdf_bytes: &[u8],
    field: bool,
    annotation: impl Fn(ObjRef, ObjRef) -> Object,
) -> Vec<u8> {
    let page = page_ref(pdf_bytes, 0);
    let n = next_free(pdf_bytes);
    let (annot, appearance) = (r(n), r(n + 1));
    let mut objects = vec![
        (annot, annotation(page, appearance)),
        (appearance, cover("So tien: 900.000.000 VND")),
        with_array_item(pdf_bytes, page, "Annots", annot),
    ];
    if field {
        objects.push(with_array_item(
            pdf_bytes,
            acroform_ref(pdf_bytes),
            "Fields",
            annot,
        ));
    }
    append_update(pdf_bytes, &objects, &[])
}

/// The certified form as pyHanko wrote it is recognised as a certification and accepted.
#[test]
fn certification_p2_genuine_is_valid() {
    let report = validate_bytes(&certified(2));
    assert_eq!(report.signatures.len(), 1);
    assert_eq!(report.signatures[0].certification, Some(2));
    assert_valid(&report, 0, Coverage::WholeFile);
}

/// Allowed under P=2: filling the text field (value and appearance).
#[test]
fn certification_p2_form_fill_stays_valid() {
    let report = validate_bytes(&build::fill_text_field(&certified(2)));
    assert_eq!(report.signatures[0].certification, Some(2));
    assert_valid(&report, 0, Coverage::RevisionPlusAllowedChanges);
}

/// Allowed under P=2: a second (approval) signature, by kyso.
#[test]
fn certification_p2_approval_signature_stays_valid() {
    let report = validate_bytes(&genuine_signed(&certified(2)));
    assert_eq!(report.signatures.len(), 2);
    assert_eq!(report.signatures[0].certification, Some(2));
    assert_valid(&report, 0, Coverage::RevisionPlusAllowedChanges);
    assert_valid(&report, 1, Coverage::WholeFile);
}

/// Under P=1 even form filling is a violation.
#[test]
fn certification_p1_form_fill_is_violation() {
    let certified = certified(1);
    assert_eq!(
        validate_bytes(&certified).signatures[0].certification,
        Some(1)
    );
    assert_modified(
        &validate_bytes(&build::fill_text_field(&certified)),
        0,
        PermissionsViolated,
    );
}

/// Evil Annotation Attack: a FreeText annotation whose appearance covers the certified
/// content, added under P=2 (annotations need P=3).
#[test]
fn eaa_free_text_annotation_under_p2_is_violation() {
    let attacked = add_widget_or_annotation(&certified(2), false, |page, ap| {
        pdf(&format!(
            "<< /Type /Annot /Subtype /FreeText /Rect [50 650 550 800] /P {page} \
             /Contents (So tien: 900.000.000 VND) /DA (/F1 18 Tf 0 g) /F 4 /AP << /N {ap} >> >>"
        ))
    });
    assert_modified(&validate_bytes(&attacked), 0, PermissionsViolated);
}

/// Evil Annotation Attack: a Stamp annotation under P=1.
#[test]
fn eaa_stamp_annotation_under_p1_is_violation() {
    let attacked = add_widget_or_annotation(&certified(1), false, |page, ap| {
        pdf(&format!(
            "<< /Type /Annot /Subtype /Stamp /Rect [50 650 550 800] /P {page} /Name /Approved \
             /F 4 /AP << /N {ap} >> >>"
        ))
    });
    assert_modified(&validate_bytes(&attacked), 0, PermissionsViolated);
}

/// Sneaky Signature Attack: a new, unsigned signature field whose widget has a visible
/// appearance covering the certified content.
#[test]
fn ssa_unsigned_signature_field_with_appearance_is_violation() {
    let attacked = add_widget_or_annotation(&certified(2), true, |page, ap| {
        pdf(&format!(
            "<< /Type /Annot /Subtype /Widget /FT /Sig /T (KyThay) /Rect [50 650 550 800] \
             /P {page} /F 4 /AP << /N {ap} >> >>"
        ))
    });
    assert_modified(&validate_bytes(&attacked), 0, PermissionsViolated);
}

/// Sneaky Signature Attack: the sneaky widget claims the certification signature's
/// dictionary as its /V, so it looks signed; it is only in the page's /Annots (not in
/// /Fields), so no validator that walks the form sees a second field using that dictionary.
#[test]
fn ssa_widget_reusing_certification_value_is_violation() {
    let certified = certified(2);
    let sig = sig_layout(&certified, 0).sig_ref;
    let attacked = add_widget_or_annotation(&certified, false, |page, ap| {
        pdf(&format!(
            "<< /Type /Annot /Subtype /Widget /FT /Sig /T (KyThay) /V {sig} \
             /Rect [50 650 550 800] /P {page} /F 4 /AP << /N {ap} >> >>"
        ))
    });
    assert_modified(&validate_bytes(&attacked), 0, PermissionsViolated);
}

/// Sneaky Signature Attack: a visible widget with no /FT of its own, a /Parent (the
/// certification field) and a /V — shaped like the widget of a signed signature field.
#[test]
fn ssa_widget_with_parent_and_value_is_violation() {
    let certified = certified(2);
    let layout = sig_layout(&certified, 0);
    let (field, sig) = (layout.field_ref, layout.sig_ref);
    let attacked = add_widget_or_annotation(&certified, false, |page, ap| {
        pdf(&format!(
            "<< /Type /Annot /Subtype /Widget /Parent {field} /V {sig} \
             /Rect [50 650 550 800] /P {page} /F 4 /AP << /N {ap} >> >>"
        ))
    });
    assert_modified(&validate_bytes(&attacked), 0, PermissionsViolated);
}

// ===== Structure =====

/// A /Type /Sig dictionary appended in an update that no field references.
#[test]
fn unreachable_signature_dictionary_is_reported() {
    let signed = signed_classic();
    let sig = sig_layout(&signed, 0);
    let [_, b, c, d] = sig.byte_range;
    let orphan = r(next_free(&signed));
    let mut dict = current_dict(&signed, sig.sig_ref);
    dict.set("ByteRange", pdf(&format!("[0 {b} {c} {d}]")));
    dict.set("Contents", Object::String(PdfString::hex(sig.contents)));
    let attacked = append_update(&signed, &[(orphan, Object::Dict(dict))], &[]);
    assert_document_reason(&validate_bytes(&attacked), UnreachableSignatureDictionary);
}

/// Two fields share one signature dictionary: the signature is shown twice, e.g. on another
/// page next to other content.
#[test]
fn shared_signature_dictionary_is_invalid() {
    let signed = signed_classic();
    let sig = sig_layout(&signed, 0).sig_ref;
    let page = page_ref(&signed, 0);
    let copy = r(next_free(&signed));
    let attacked = append_update(
        &signed,
        &[
            (
                copy,
                pdf(&format!(
                    "<< /Type /Annot /Subtype /Widget /FT /Sig /T (BanSao) /V {sig} \
                     /Rect [0 0 0 0] /F 132 /P {page} >>"
                )),
            ),
            with_array_item(&signed, acroform_ref(&signed), "Fields", copy),
            with_array_item(&signed, page, "Annots", copy),
        ],
        &[],
    );
    let report = validate_bytes(&attacked);
    assert_rejected(&report, 0, SharedSignatureDictionary);
    assert_rejected(&report, 1, SharedSignatureDictionary);
}

/// Non-zero bytes after the DER inside /Contents (the zero padding is inside the gap, so it
/// is not signed: it can carry anything).
#[test]
fn nonzero_contents_padding_is_invalid() {
    let signed = signed_classic();
    let sig = sig_layout(&signed, 0);
    let last = sig.contents_span.end - 3..sig.contents_span.end - 1;
    assert_eq!(
        &signed[last.clone()],
        b"00",
        "kyso pads /Contents with zeros"
    );
    let attacked = overwrite(&signed, last, "01");
    assert_rejected(&validate_bytes(&attacked), 0, ContentsPadding);
}

// ===== structure a reader must repair, after signing (Mladenov et al. CCS 2019, §5) =====
//
// kyso's reader forgives a cross-reference section or an object a few bytes from where it is
// recorded, as viewers do. Viewers that find the recorded offset wrong rebuild the whole
// cross-reference data from the objects they scan, and may then show other objects than a
// validator read: after a signature, such slack is refused. Before it, the signature covers
// the bytes, so the same slack is harmless.

/// An update after the signature that rewrites the catalog unchanged: allowed, the twin
/// the attacks below start from.
fn signed_then_catalog_rewritten() -> Vec<u8> {
    let signed = signed_classic();
    let catalog = catalog_ref(&signed);
    let dict = current_dict(&signed, catalog);
    append_update(&signed, &[(catalog, Object::Dict(dict))], &[])
}

#[test]
fn update_rewriting_the_catalog_unchanged_keeps_signature_valid() {
    let report = validate_bytes(&signed_then_catalog_rewritten());
    assert_valid(&report, 0, Coverage::RevisionPlusAllowedChanges);
}

/// The catalog written back with its keys in another order (as PDFBox and Acrobat do when
/// they fill a form) is the same dictionary.
#[test]
fn catalog_rewritten_with_keys_in_another_order_keeps_signature_valid() {
    let signed = signed_classic();
    let catalog = catalog_ref(&signed);
    let dict = current_dict(&signed, catalog);
    let reversed: kyso_pdf::Dict = dict
        .iter()
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert_ne!(
        reversed.iter().next().map(|(k, _)| k.clone()),
        dict.iter().next().map(|(k, _)| k.clone()),
        "the order really changed"
    );
    let updated = append_update(&signed, &[(catalog, Object::Dict(reversed))], &[]);
    assert_valid(
        &validate_bytes(&updated),
        0,
        Coverage::RevisionPlusAllowedChanges,
    );
}

/// `pdf` with the number after its last `startxref` replaced by `f(number)` (same width).
fn shift_last_startxref(pdf: &[u8], f: impl Fn(u64) -> u64) -> Vec<u8> {
    let at = pdf
        .windows(9)
        .rposition(|w| w == b"startxref")
        .expect("startxref")
        + 10;
    let len = pdf[at..].iter().take_while(|b| b.is_ascii_digit()).count();
    let old: u64 = std::str::from_utf8(&pdf[at..at + len])
        .expect("digits")
        .parse()
        .expect("a number");
    let new = format!("{:0len$}", f(old));
    assert_eq!(new.len(), len);
    let mut out = pdf.to_vec();
    out[at..at + len].copy_from_slice(new.as_bytes());
    out
}

/// ISA with a repaired xref: the update's startxref is 3 bytes short of its section.
#[test]
fn update_with_startxref_a_few_bytes_off_is_unaccounted() {
    let attacked = shift_last_startxref(&signed_then_catalog_rewritten(), |n| n - 3);
    assert_modified(&validate_bytes(&attacked), 0, UnaccountedBytes);
}

/// The same slack in the file before it was signed: covered by the signature, accepted.
#[test]
fn startxref_a_few_bytes_off_before_signing_keeps_signature_valid() {
    let sloppy = shift_last_startxref(&corpus::classic().bytes(), |n| n - 3);
    let report = validate_bytes(&genuine_signed(&sloppy));
    assert_valid(&report, 0, Coverage::WholeFile);
}

/// ISA with a repaired object: the update's xref entry for the catalog is 2 bytes off.
#[test]
fn update_with_an_object_offset_a_few_bytes_off_is_unaccounted() {
    let updated = signed_then_catalog_rewritten();
    let catalog = catalog_ref(&updated);
    let xref = updated
        .windows(6)
        .rposition(|w| w == b"\nxref\n")
        .expect("the update's xref");
    let header = format!("{} 1\n", catalog.num);
    let entry =
        xref + find(&updated[xref..], header.as_bytes()).expect("catalog entry") + header.len();
    let offset: u64 = std::str::from_utf8(&updated[entry..entry + 10])
        .expect("digits")
        .parse()
        .expect("offset");
    let attacked = overwrite(&updated, entry..entry + 10, &format!("{:010}", offset - 2));
    assert_modified(&validate_bytes(&attacked), 0, UnaccountedBytes);
}

/// ISA with an ambiguous xref: one section lists the catalog twice, at its signed
/// definition and at a new one; readers differ on which entry wins.
#[test]
fn update_listing_an_object_twice_in_one_section_is_unaccounted() {
    let signed = signed_classic();
    let catalog = catalog_ref(&signed);
    let Some(XrefEntry::InFile { offset }) = PdfReader::new(signed.as_slice())
        .expect("readable")
        .object_offset(catalog)
    else {
        panic!("the catalog is stored in the file");
    };
    let mut dict = current_dict(&signed, catalog);
    dict.set(
        "OpenAction",
        pdf("<< /S /JavaScript /JS (app.alert\\('paid'\\)) >>"),
    );
    let attacked = append_raw_update(
        &signed,
        &[(catalog, Object::Dict(dict).to_bytes())],
        &[(catalog, offset)],
        &[],
    );
    assert_modified(&validate_bytes(&attacked), 0, UnaccountedBytes);
}

/// The span of the first `/Reason` entry (key and string value) of signature `index`.
fn reason_entry(pdf: &[u8]) -> std::ops::Range<usize> {
    let sig = sig_layout(pdf, 0);
    let Some(XrefEntry::InFile { offset }) = PdfReader::new(pdf)
        .expect("readable")
        .object_offset(sig.sig_ref)
    else {
        panic!("the signature is stored in the file");
    };
    let start = offset as usize + find(&pdf[offset as usize..], b"/Reason").expect("/Reason");
    let close = match pdf[start + 7..].iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => b'>',
        _ => b')',
    };
    let end = start + find(&pdf[start..], &[close]).expect("end of the reason") + 1;
    start..end
}

/// A signature dictionary that gives /ByteRange twice: one reader takes the first, another
/// the last. Written in place, where /Reason was.
#[test]
fn duplicate_byte_range_key_in_signature_dictionary_is_invalid() {
    let signed = signed_classic();
    let attacked = overwrite(&signed, reason_entry(&signed), "/ByteRange [0 10 20 30]");
    assert_rejected(&validate_bytes(&attacked), 0, MalformedSignatureDictionary);
}

/// /Contents twice, in an update that redefines the signature dictionary.
#[test]
fn duplicate_contents_key_in_signature_dictionary_is_invalid() {
    let signed = signed_classic();
    let sig = sig_layout(&signed, 0);
    let dict = current_dict(&signed, sig.sig_ref);
    let mut body = Object::Dict(dict).to_bytes();
    let close = body.len() - 2;
    assert_eq!(&body[close..], b">>");
    body.splice(close..close, b" /Contents <00>".iter().copied());
    let attacked = append_raw_update(&signed, &[(sig.sig_ref, body)], &[], &[]);
    assert_rejected(&validate_bytes(&attacked), 0, MalformedSignatureDictionary);
}

// ===== shadow attacks by late definition (Mainka et al. NDSS 2021) =====

/// A page whose content draws XObject /Fm1, object 50, which the document does not define:
/// at signing time it reads as null and draws nothing.
fn dangling_document() -> Vec<u8> {
    write_document(
        &[
            (r(1), pdf("<< /Type /Catalog /Pages 2 0 R >>")),
            (r(2), pdf("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")),
            (
                r(3),
                pdf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
                     /Resources << /Font << /F1 4 0 R >> /XObject << /Fm1 50 0 R >> >> \
                     /Contents 5 0 R >>"),
            ),
            (
                r(4),
                pdf("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
            ),
            (
                r(5),
                stream(
                    "<< >>",
                    "BT /F1 24 Tf 72 770 Td (So tien: 100.000.000 VND) Tj ET /Fm1 Do",
                ),
            ),
        ],
        r(1),
    )
}

/// A later update defines the object the signed page already draws: no signed object
/// changes, yet the page now shows the overlay.
#[test]
fn shadow_reference_dangling_at_signing_defined_later_is_modified() {
    let signed = genuine_signed(&dangling_document());
    let attacked = append_update(
        &signed,
        &[(r(50), overlay(r(4), "So tien: 900.000.000 VND"))],
        &[],
    );
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

/// The twin: the same document, countersigned (new objects, none of them the dangling one).
#[test]
fn dangling_reference_left_alone_by_a_countersignature_stays_valid() {
    let report = validate_bytes(&genuine_signed(&genuine_signed(&dangling_document())));
    assert_valid(&report, 0, Coverage::RevisionPlusAllowedChanges);
}

/// A hybrid file whose cross-reference stream (/XRefStm) records object 7 — the page's
/// resources — as the first object of object stream 60, which is not defined: at signing
/// time the resources are null, and the page's `/Fm1 Do` draws nothing.
fn late_object_stream_document() -> Vec<u8> {
    let base = write_document(
        &[
            (r(1), pdf("<< /Type /Catalog /Pages 2 0 R >>")),
            (r(2), pdf("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")),
            (
                r(3),
                pdf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
                     /Resources 7 0 R /Contents 5 0 R >>"),
            ),
            (
                r(4),
                pdf("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
            ),
            (r(5), stream("<< >>", "/Fm1 Do")),
        ],
        r(1),
    );
    let xref_at = find(&base, b"\nxref\n").expect("xref") + 1;
    let mut out = base[..xref_at].to_vec();
    let stm_at = out.len();
    // Type 2 entry: object 7 is object 0 of stream 60 (W [1 2 1]).
    let entry = [2u8, 0, 60, 0];
    out.extend_from_slice(
        b"8 0 obj\n<< /Type /XRef /Size 9 /W [1 2 1] /Index [7 1] /Length 4 >>\nstream\n",
    );
    out.extend_from_slice(&entry);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let new_xref_at = out.len();
    let table = String::from_utf8(base[xref_at..].to_vec()).expect("ASCII");
    let (table, _) = table.split_once("startxref").expect("startxref");
    let table = table.replace("/Size 6 ", &format!("/Size 9 /XRefStm {stm_at} "));
    out.extend_from_slice(table.as_bytes());
    out.extend_from_slice(format!("startxref\n{new_xref_at}\n%%EOF\n").as_bytes());
    out
}

/// A later update defines object stream 60 and so the signed page's resources — an overlay
/// XObject appears — while no cross-reference entry of the update mentions object 7.
#[test]
fn shadow_object_stream_defined_after_signing_is_modified() {
    let doc = late_object_stream_document();
    let reader = PdfReader::new(doc.as_slice()).expect("readable");
    assert_eq!(
        reader.object_offset(r(7)),
        Some(XrefEntry::InStream {
            stream_num: 60,
            index: 0
        })
    );
    let signed = genuine_signed(&doc);
    let resources = "<< /Font << /F1 4 0 R >> /XObject << /Fm1 61 0 R >> >>";
    let objstm = stream(
        "<< /Type /ObjStm /N 1 /First 4 >>",
        &format!("7 0 {resources}"),
    );
    let attacked = append_update(
        &signed,
        &[
            (r(60), objstm),
            (r(61), overlay(r(4), "So tien: 900.000.000 VND")),
        ],
        &[],
    );
    let reader = PdfReader::new(attacked.as_slice()).expect("readable");
    assert!(
        reader
            .resolve_dict(r(7))
            .is_ok_and(|d| d.contains_key("XObject")),
        "the attack gives object 7 its meaning"
    );
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

// ===== Evil Annotation Attack on an existing note (Rohlmann et al., S&P 2021) =====

/// The note's new appearance: shows another amount in the note's box.
fn evil_note_update(certified: &[u8]) -> Vec<u8> {
    let note = r(8);
    let mut dict = current_dict(certified, note);
    let n = next_free(certified);
    let ap = r(n);
    // Only /AP changes: what form filling may change in a field.
    dict.set("AP", pdf(&format!("<< /N {ap} >>")));
    append_update(
        certified,
        &[
            (note, Object::Dict(dict)),
            (ap, cover("So tien: 900.000.000 VND")),
        ],
        &[],
    )
}

/// The note carries /T (its author); it is still an annotation, not a form field, so
/// swapping its appearance is an annotation change, which P=2 forbids.
#[test]
fn eaa_note_with_author_appearance_swapped_under_p2_is_violation() {
    let certified = build::certify(2, "note", &build::form_with_note_document());
    assert_valid(&validate_bytes(&certified), 0, Coverage::WholeFile);
    assert_modified(
        &validate_bytes(&evil_note_update(&certified)),
        0,
        PermissionsViolated,
    );
}

/// The twin: editing a note's text and appearance under P=3, which allows annotations.
#[test]
fn note_edited_under_p3_stays_valid() {
    let certified = build::certify(3, "note", &build::form_with_note_document());
    let report = validate_bytes(&evil_note_update(&certified));
    assert_valid(&report, 0, Coverage::RevisionPlusAllowedChanges);
    assert_eq!(
        report.signatures[0].modification_level,
        kyso_pdf::verify::ModificationLevel::Annotations
    );
}

// ===== Sneaky Signature Attack with the field and its widget apart =====

/// A new signature field with no value whose separate widget shows a signature.
fn split_signature_field(pdf_bytes: &[u8], visible: bool) -> Vec<u8> {
    let page = page_ref(pdf_bytes, 0);
    let n = next_free(pdf_bytes);
    let (field, widget, ap) = (r(n), r(n + 1), r(n + 2));
    let rect = if visible {
        "[50 650 550 800]"
    } else {
        "[0 0 0 0]"
    };
    let objects = vec![
        (
            field,
            pdf(&format!("<< /FT /Sig /T (GiamDoc) /Kids [{widget}] >>")),
        ),
        (
            widget,
            pdf(&format!(
                "<< /Type /Annot /Subtype /Widget /Parent {field} /Rect {rect} /P {page} /F 4 \
                 /AP << /N {ap} >> >>"
            )),
        ),
        (ap, cover("Da ky: Giam doc So")),
        with_array_item(pdf_bytes, page, "Annots", widget),
        with_array_item(pdf_bytes, acroform_ref(pdf_bytes), "Fields", field),
    ];
    append_update(pdf_bytes, &objects, &[])
}

#[test]
fn ssa_unsigned_field_with_a_separate_visible_widget_is_modified() {
    let attacked = split_signature_field(&signed_classic(), true);
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

/// The twin: an empty invisible signature field for the next signer.
#[test]
fn empty_invisible_signature_field_with_a_separate_widget_stays_valid() {
    let report = validate_bytes(&split_signature_field(&signed_classic(), false));
    assert_valid(&report, 0, Coverage::RevisionPlusAllowedChanges);
}

// ===== the DSS as a back door =====

/// An update under P=1 that adds a DSS — allowed — whose /Certs also holds a new page
/// annotation, which the page lists too.
fn dss_update(certified: &[u8], smuggle: bool) -> Vec<u8> {
    let catalog = catalog_ref(certified);
    let page = page_ref(certified, 0);
    let n = next_free(certified);
    let (dss, cert, annot, ap) = (r(n), r(n + 1), r(n + 2), r(n + 3));
    let leaf = std::fs::read(
        TestPki::get()
            .leaf(kyso_testkit::LeafKind::Rsa2048)
            .cert_pem
            .clone(),
    )
    .expect("leaf");
    let der = kyso_cert::Certificate::from_pem(&leaf)
        .expect("pem")
        .der()
        .to_vec();
    let cert_stream = Object::Stream(kyso_pdf::Stream::new(kyso_pdf::Dict::new(), der));
    let mut catalog_dict = current_dict(certified, catalog);
    catalog_dict.set("DSS", Object::Reference(dss));
    let certs = if smuggle {
        format!("[{cert} {annot}]")
    } else {
        format!("[{cert}]")
    };
    let mut objects = vec![
        (catalog, Object::Dict(catalog_dict)),
        (dss, pdf(&format!("<< /Certs {certs} >>"))),
        (cert, cert_stream),
    ];
    if smuggle {
        objects.push((
            annot,
            pdf(&format!(
                "<< /Type /Annot /Subtype /FreeText /Rect [50 650 550 800] /P {page} \
                 /Contents (So tien: 900.000.000 VND) /F 4 /AP << /N {ap} >> >>"
            )),
        ));
        objects.push((ap, cover("So tien: 900.000.000 VND")));
        objects.push(with_array_item(certified, page, "Annots", annot));
    }
    append_update(certified, &objects, &[])
}

#[test]
fn dss_entry_pointing_at_a_new_page_annotation_under_p1_is_violation() {
    let attacked = dss_update(&certified(1), true);
    let report = validate_bytes(&attacked);
    assert_modified(&report, 0, PermissionsViolated);
    assert!(
        report.signatures[0]
            .changes
            .iter()
            .any(|c| matches!(c.kind, kyso_pdf::verify::ChangeKind::NotDssContent { .. })),
        "the DSS entry itself is named"
    );
}

/// The twin: a DSS holding the signer's certificate, added under P=1 (PAdES B-LT).
#[test]
fn dss_with_validation_data_under_p1_stays_valid() {
    let report = validate_bytes(&dss_update(&certified(1), false));
    assert_valid(&report, 0, Coverage::RevisionPlusAllowedChanges);
    assert_eq!(
        report.signatures[0].modification_level,
        kyso_pdf::verify::ModificationLevel::LtaUpdates
    );
}

// ===== active content added after signing =====

fn link_annotation(signed: &[u8], action: Option<&str>) -> Vec<u8> {
    link_annotation_at(signed, action, "72 700 300 720")
}

/// [`link_annotation`] at `rect`.
fn link_annotation_at(signed: &[u8], action: Option<&str>, rect: &str) -> Vec<u8> {
    add_widget_or_annotation(signed, false, |page, ap| {
        let action = action.map(|a| format!("/A {a}")).unwrap_or_default();
        pdf(&format!(
            "<< /Type /Annot /Subtype /Link /Rect [{rect}] /P {page} /Border [0 0 0] \
             /F 4 /AP << /N {ap} >> {action} >>"
        ))
    })
}

/// A link that runs JavaScript, added after an approval signature (which permits
/// annotations): active content.
#[test]
fn javascript_action_on_an_added_annotation_is_modified() {
    let attacked = link_annotation(
        &signed_classic(),
        Some("<< /S /JavaScript /JS (this.getField\\('SoTien'\\).value = 900) >>"),
    );
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

/// The twin: the same link annotation without an action, permitted after an approval
/// signature, and listed.
#[test]
fn annotation_added_after_an_approval_signature_stays_valid_and_is_listed() {
    let report = validate_bytes(&link_annotation(&signed_classic(), None));
    assert_valid(&report, 0, Coverage::RevisionPlusAllowedChanges);
    let sig = &report.signatures[0];
    assert_eq!(
        sig.modification_level,
        kyso_pdf::verify::ModificationLevel::Annotations
    );
    assert!(sig.changes.iter().all(|c| c.permitted), "{:?}", sig.changes);
    // It lies on blank paper, below the page's only line: nothing signed is hidden.
    assert!(sig.warnings.is_empty(), "{:?}", sig.warnings);
}

/// The overlay: the same annotation over the signed line "Trang 1" (x 72–155, y 765–787) is
/// still permitted after an approval signature, and reported with the text it hides.
#[test]
fn annotation_drawn_over_signed_text_is_reported_with_that_text() {
    let report = validate_bytes(&link_annotation_at(
        &signed_classic(),
        None,
        "60 760 200 790",
    ));
    assert_valid(&report, 0, Coverage::RevisionPlusAllowedChanges);
    let sig = &report.signatures[0];
    assert!(
        sig.warnings
            .iter()
            .any(|w| w.contains("drawn over signed text on page 1: \"Trang 1\"")),
        "{:?}",
        sig.warnings
    );
}

/// A portal that accepts only signature maintenance refuses that annotation.
#[test]
fn annotation_refused_when_the_policy_accepts_only_signatures() {
    let pdf_bytes = link_annotation(&signed_classic(), None);
    let root = std::fs::read(TestPki::get().root_pem()).expect("root");
    let mut options = kyso_pdf::verify::ValidationOptions::new(
        kyso_cert::Certificate::all_from_der_or_pem(&root).expect("root"),
    );
    options.max_changes = Some(kyso_pdf::verify::ModificationLevel::FormFilling);
    let report = kyso_pdf::verify::validate(&pdf_bytes, &options).expect("report");
    assert_modified(&report, 0, ModifiedAfterSigning);
}

// ===== tagged PDF: structure tree updates after signing =====

fn tagged_signed() -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pyhanko/minimal-two-fields-tagged.pdf");
    let input = std::fs::read(path).expect("fixture");
    kyso_pdf::PdfSigner::new(kyso_pdf::SignOptions {
        field_name: Some("Sig1".into()),
        ..kyso_pdf::SignOptions::default()
    })
    .sign_bytes(&input, &signer())
    .expect("kyso signs the tagged form")
}

/// What Acrobat writes when it adds a comment to a tagged document: the annotation, a
/// structure element for it, the parent tree entry, the section's kids, the next key.
/// `element` is the new structure element's body.
fn tagged_comment_update(signed: &[u8], element: impl Fn(ObjRef, ObjRef) -> Object) -> Vec<u8> {
    let n = next_free(signed);
    let (annot, elem, ap) = (r(n), r(n + 1), r(n + 2));
    let page = r(4);
    let mut page_dict = current_dict(signed, page);
    page_dict.set("Annots", pdf(&format!("[6 0 R 7 0 R {annot}]")));
    let mut sect = current_dict(signed, r(11));
    sect.set("K", pdf(&format!("[13 0 R 14 0 R {elem}]")));
    let mut root = current_dict(signed, r(9));
    root.set("ParentTreeNextKey", Object::Integer(4));
    append_update(
        signed,
        &[
            (page, Object::Dict(page_dict)),
            (r(9), Object::Dict(root)),
            (r(11), Object::Dict(sect)),
            (
                r(15),
                pdf(&format!(
                    "<< /Nums [0 [12 0 R] 1 13 0 R 2 14 0 R 3 {elem}] >>"
                )),
            ),
            (
                annot,
                pdf(&format!(
                    "<< /Type /Annot /Subtype /Text /Rect [250 100 270 120] /P {page} \
                     /Contents (Da xem) /T (Nguyen Van An) /StructParent 3 /F 4 /AP << /N {ap} >> >>"
                )),
            ),
            (ap, form_xobject(20, 20, r(4), "0 0 1 rg 0 0 20 20 re f")),
            (elem, element(annot, page)),
        ],
        &[],
    )
}

#[test]
fn structure_tree_updated_with_a_comment_keeps_the_signature_valid() {
    let signed = tagged_signed();
    assert_valid(&validate_bytes(&signed), 0, Coverage::WholeFile);
    let updated = tagged_comment_update(&signed, |annot, page| {
        pdf(&format!(
            "<< /Type /StructElem /S /Annot /P 11 0 R /Pg {page} \
             /K << /Type /OBJR /Obj {annot} /Pg {page} >> >>"
        ))
    });
    let report = validate_bytes(&updated);
    assert_valid(&report, 0, Coverage::RevisionPlusAllowedChanges);
    assert!(
        report.signatures[0].changes.iter().any(|c| matches!(
            c.kind,
            kyso_pdf::verify::ChangeKind::StructureTreeUpdated { .. }
        )),
        "{:?}",
        report.signatures[0].changes
    );
}

/// The structure tree is no hiding place: what it brings in must be structure, not a
/// content stream.
#[test]
fn structure_tree_bringing_in_a_stream_is_modified() {
    let updated = tagged_comment_update(&tagged_signed(), |_, _| {
        stream(
            "<< >>",
            "BT /F1 24 Tf 10 10 Td (So tien: 900.000.000 VND) Tj ET",
        )
    });
    assert_modified(&validate_bytes(&updated), 0, ModifiedAfterSigning);
}

// ===== an existing empty signature field made to look signed =====

/// A document with an empty signature field "Sig1", signed by kyso in another field.
fn signed_with_empty_field() -> (Vec<u8>, ObjRef) {
    let signed = genuine_signed(&corpus::with_empty_field().bytes());
    let reader = PdfReader::new(signed.as_slice()).expect("readable");
    let catalog = reader.catalog().expect("catalog");
    let af = reader
        .deref(catalog.get("AcroForm").expect("AcroForm"))
        .expect("AcroForm");
    let field = kyso_pdf::form::list_fields(&reader, af.as_dict().expect("dict"))
        .expect("fields")
        .into_iter()
        .find(|f| f.name == corpus::EMPTY_FIELD_NAME)
        .expect("the empty field");
    (signed, field.reference)
}

/// Sneaky Signature Attack on an existing field: the empty field gets an appearance that
/// shows a signature, and no signature value.
#[test]
fn ssa_empty_signature_field_given_an_appearance_without_a_value_is_modified() {
    let (signed, field) = signed_with_empty_field();
    let n = next_free(&signed);
    let ap = r(n);
    let mut dict = current_dict(&signed, field);
    dict.set("AP", pdf(&format!("<< /N {ap} >>")));
    let attacked = append_update(
        &signed,
        &[
            (field, Object::Dict(dict)),
            (ap, cover("Da ky: Giam doc So")),
        ],
        &[],
    );
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

/// The twin: the empty field signed for real by a second signer.
#[test]
fn empty_signature_field_signed_later_keeps_the_first_signature_valid() {
    let (signed, _) = signed_with_empty_field();
    let twice = kyso_pdf::PdfSigner::new(kyso_pdf::SignOptions {
        field_name: Some(corpus::EMPTY_FIELD_NAME.into()),
        ..kyso_pdf::SignOptions::default()
    })
    .sign_bytes(&signed, &signer())
    .expect("sign the empty field");
    // Reported in field order: "Sig1" (the later signature) comes first.
    let report = validate_bytes(&twice);
    assert_valid(&report, 0, Coverage::WholeFile);
    assert_valid(&report, 1, Coverage::RevisionPlusAllowedChanges);
}

/// A new (empty, invisible) signature field whose additional actions run JavaScript when
/// the page is shown: active content, whatever the field.
#[test]
fn javascript_on_a_new_signature_fields_actions_is_modified() {
    let attacked = add_widget_or_annotation(&signed_classic(), true, |page, _| {
        pdf(&format!(
            "<< /FT /Sig /T (ChuKy2) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P {page} \
             /F 4 /AA << /PO << /S /JavaScript /JS (app.alert\\('Da ky'\\)) >> >> >>"
        ))
    });
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
    let report = validate_bytes(&attacked);
    assert!(
        report.signatures[0]
            .changes
            .iter()
            .any(|c| matches!(c.kind, kyso_pdf::verify::ChangeKind::ActiveContent { .. })),
        "{:?}",
        report.signatures[0].changes
    );
}

/// Acrobat-style housekeeping after an approval signature — the catalog's /Lang and
/// /MarkInfo, the form's /DA and /NeedAppearances — changes nothing drawn: permitted and
/// listed. Under DocMDP P=1 the same update is a violation.
#[test]
fn lang_and_form_defaults_updated_after_signing_stay_valid_and_are_listed() {
    let update = |pdf_bytes: &[u8]| {
        let catalog = catalog_ref(pdf_bytes);
        let mut cat = current_dict(pdf_bytes, catalog);
        cat.set("Lang", Object::text_string("vi-VN"));
        cat.set("MarkInfo", pdf("<< /Marked true >>"));
        let acroform = acroform_ref(pdf_bytes);
        let mut af = current_dict(pdf_bytes, acroform);
        af.set("DA", Object::text_string("/Helv 0 Tf 0 g"));
        af.set("NeedAppearances", Object::Bool(true));
        append_update(
            pdf_bytes,
            &[(catalog, Object::Dict(cat)), (acroform, Object::Dict(af))],
            &[],
        )
    };
    let report = validate_bytes(&update(&signed_classic()));
    assert_valid(&report, 0, Coverage::RevisionPlusAllowedChanges);
    let changes = &report.signatures[0].changes;
    assert_eq!(changes.len(), 4, "{changes:?}");
    assert!(changes.iter().all(|c| c.permitted));
    assert_modified(
        &validate_bytes(&update(&certified(1))),
        0,
        PermissionsViolated,
    );
}

/// The reasons a modified signature is refused read in Vietnamese too: each is the typed
/// change, rendered in the reader's language.
#[test]
fn reasons_for_a_modification_are_rendered_in_vietnamese() {
    use kyso_pdf::verify::{Lang, render_text};
    let signed = signed_classic();
    let content = page_content(&signed);
    let attacked = append_update(
        &signed,
        &[(content, content_stream("Hoan tien: 1.000.000.000.000 USD"))],
        &[],
    );
    let report = validate_bytes(&attacked);
    let reason = &report.signatures[0].reasons[0];
    assert!(reason.change.is_some(), "{reason:?}");
    let vi = render_text(&report, Lang::Vi);
    assert!(vi.contains(&format!("luồng {content}")), "{vi}");
    assert!(vi.contains("bị thay đổi"), "{vi}");
    assert!(
        !vi.contains("was changed"),
        "no English left in the Vietnamese report:\n{vi}"
    );
    let en = render_text(&report, Lang::En);
    assert!(en.contains(&format!("stream {content}")), "{en}");
}

/// Reasons that are not changes get their code's Vietnamese meaning before the detail.
#[test]
fn other_reasons_carry_a_vietnamese_label() {
    use kyso_pdf::verify::{Lang, render_text};
    let signed = signed_classic();
    let sig = sig_layout(&signed, 0);
    let attacked = overwrite(&signed, sig.byte_range_span, "[0 0 0 0]");
    let vi = render_text(&validate_bytes(&attacked), Lang::Vi);
    assert!(vi.contains("/ByteRange không hợp lệ: "), "{vi}");
}

/// Signing an empty field may set its widget's Print and Locked flags, not its visibility:
/// a value plus a NoView flip is a modification for the earlier signature.
#[test]
fn signing_an_empty_field_while_changing_its_visibility_flags_is_modified() {
    let (signed, field) = signed_with_empty_field();
    let n = next_free(&signed);
    let value = r(n);
    let mut dict = current_dict(&signed, field);
    let flags = dict.get("F").and_then(Object::as_i64).unwrap_or(0);
    dict.set("V", Object::Reference(value));
    dict.set("F", Object::Integer(flags | 32 | 128));
    let attacked = append_update(
        &signed,
        &[
            (field, Object::Dict(dict)),
            (
                value,
                pdf(
                    "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached \
                     /ByteRange [0 0 0 0] /Contents <00> >>",
                ),
            ),
        ],
        &[],
    );
    let report = validate_bytes(&attacked);
    let kyso = report
        .signatures
        .iter()
        .position(|s| s.field != corpus::EMPTY_FIELD_NAME)
        .expect("kyso's signature");
    assert_modified(&report, kyso, ModifiedAfterSigning);
}

// ===== a field appearance rewritten in place that the page also draws =====

/// A form whose text field's appearance stream (object 9) the page also draws as XObject
/// /Fm1 through indirect resources (object 8) when `shared`.
fn field_appearance_document(shared: bool) -> Vec<u8> {
    let resources = if shared {
        "<< /Font << /F1 4 0 R >> /XObject << /Fm1 9 0 R >> >>"
    } else {
        "<< /Font << /F1 4 0 R >> >>"
    };
    let content = if shared {
        "BT /F1 12 Tf 72 740 Td (So tien:) Tj ET q 1 0 0 1 160 730 cm /Fm1 Do Q"
    } else {
        "BT /F1 12 Tf 72 740 Td (So tien:) Tj ET"
    };
    write_document(
        &[
            (
                r(1),
                pdf("<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R >>"),
            ),
            (r(2), pdf("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")),
            (
                r(3),
                pdf(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources 8 0 R \
                     /Contents 5 0 R /Annots [7 0 R] >>",
                ),
            ),
            (
                r(4),
                pdf("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
            ),
            (r(5), stream("<< >>", content)),
            (r(6), pdf("<< /Fields [7 0 R] /DA (/F1 12 Tf 0 g) >>")),
            (
                r(7),
                pdf(
                    "<< /Type /Annot /Subtype /Widget /FT /Tx /T (HoTen) /Rect [72 690 400 720] \
                     /P 3 0 R /F 4 /AP << /N 9 0 R >> >>",
                ),
            ),
            (r(8), pdf(resources)),
            (
                r(9),
                form_xobject(
                    328,
                    30,
                    r(4),
                    "BT /F1 12 Tf 2 10 Td (100.000.000 VND) Tj ET",
                ),
            ),
        ],
        r(1),
    )
}

/// Filling the field by rewriting its appearance stream in place (as PDFBox does).
fn fill_in_place(signed: &[u8]) -> Vec<u8> {
    let mut widget = current_dict(signed, r(7));
    widget.set("V", Object::text_string("900.000.000 VND"));
    append_update(
        signed,
        &[
            (r(7), Object::Dict(widget)),
            (
                r(9),
                form_xobject(
                    328,
                    30,
                    r(4),
                    "BT /F1 12 Tf 2 10 Td (900.000.000 VND) Tj ET",
                ),
            ),
        ],
        &[],
    )
}

/// The page draws the field's appearance too: rewriting it changes the signed page.
#[test]
fn field_appearance_rewritten_in_place_that_the_page_draws_is_modified() {
    let signed = genuine_signed(&field_appearance_document(true));
    assert_modified(
        &validate_bytes(&fill_in_place(&signed)),
        0,
        ModifiedAfterSigning,
    );
}

/// The twin: the same in-place fill where only the widget uses the stream is form filling.
#[test]
fn field_appearance_rewritten_in_place_is_form_filling() {
    let signed = genuine_signed(&field_appearance_document(false));
    let report = validate_bytes(&fill_in_place(&signed));
    assert_valid(&report, 0, Coverage::RevisionPlusAllowedChanges);
    assert_eq!(
        report.signatures[0].modification_level,
        kyso_pdf::verify::ModificationLevel::FormFilling
    );
}

/// An update that slips a new page annotation into an existing DSS array (pyHanko's B-LTA
/// file, whose DSS arrays are indirect): not validation data, so a modification for the
/// earlier signatures.
#[test]
fn dss_array_extended_with_a_page_annotation_is_modified() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pyhanko/pades-lta-dss-indirect-arrs-test.pdf");
    let lta = std::fs::read(path).expect("fixture");
    let dss = current_dict(&lta, catalog_ref(&lta))
        .get("DSS")
        .and_then(Object::as_reference)
        .expect("an indirect DSS");
    let certs = current_dict(&lta, dss)
        .get("Certs")
        .and_then(Object::as_reference)
        .expect("an indirect /Certs array");
    let page = page_ref(&lta, 0);
    let n = next_free(&lta);
    let (annot, ap) = (r(n), r(n + 1));
    let mut certs_array = current(&lta, certs).as_array().expect("array").to_vec();
    certs_array.push(Object::Reference(annot));
    let attacked = append_update(
        &lta,
        &[
            (certs, Object::Array(certs_array)),
            (
                annot,
                pdf(&format!(
                    "<< /Type /Annot /Subtype /FreeText /Rect [10 10 290 134] /P {page} \
                     /Contents (Da thanh toan) /F 4 /AP << /N {ap} >> >>"
                )),
            ),
            (
                ap,
                form_xobject(280, 124, r(4), "1 1 1 rg 0 0 280 124 re f"),
            ),
            with_array_item(&lta, page, "Annots", annot),
        ],
        &[],
    );
    let report = validate_bytes(&attacked);
    assert!(
        report.signatures[0]
            .changes
            .iter()
            .any(|c| matches!(c.kind, kyso_pdf::verify::ChangeKind::NotDssContent { .. })),
        "{:?}",
        report.signatures[0].changes
    );
    assert_eq!(report.signatures[0].coverage, Coverage::Modified);
}

// ===== "metadata" that the page draws =====

/// A document whose trailer names the page's font dictionary (object 4) as its /Info.
fn info_is_the_font_document() -> Vec<u8> {
    let doc = write_document(
        &[
            (r(1), pdf("<< /Type /Catalog /Pages 2 0 R >>")),
            (r(2), pdf("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")),
            (
                r(3),
                pdf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
                     /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"),
            ),
            (
                r(4),
                pdf("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Title (Don) >>"),
            ),
            (
                r(5),
                stream(
                    "<< >>",
                    "BT /F1 24 Tf 72 770 Td (So tien: 100.000.000 VND) Tj ET",
                ),
            ),
        ],
        r(1),
    );
    let text = String::from_utf8_lossy(&doc).into_owned();
    text.replacen("/Root 1 0 R", "/Root 1 0 R /Info 4 0 R", 1)
        .into_bytes()
}

/// The "information dictionary" is the page's font: changing it as metadata would change
/// what the signed page shows (another font, other glyphs).
#[test]
fn info_dictionary_that_is_also_drawn_cannot_change_as_metadata() {
    let signed = genuine_signed(&info_is_the_font_document());
    let mut font = current_dict(&signed, r(4));
    font.set("BaseFont", pdf("/Courier"));
    let attacked = append_update(&signed, &[(r(4), Object::Dict(font))], &[]);
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}

// ===== signature widgets apart from their fields (review findings) =====

/// A document with an empty signature field whose /FT sits on the field and whose widget
/// is a separate kid, signed by kyso twice in other fields.
fn signed_with_split_empty_field() -> Vec<u8> {
    genuine_signed(&split_signature_field(&signed_classic(), false))
}

/// The widget of the still-empty split field is given a visible appearance that shows a
/// signature, its field left without a value: every earlier signature is modified.
#[test]
fn ssa_widget_of_an_existing_empty_split_field_given_an_appearance_is_modified() {
    let signed = signed_with_split_empty_field();
    let reader = PdfReader::new(signed.as_slice()).expect("readable");
    let page = page_ref(&signed, 0);
    // The widget: the annotation of page 0 that has a /Parent.
    let annots = current_dict(&signed, page)
        .get("Annots")
        .and_then(|a| reader.deref(a).ok())
        .and_then(|a| a.as_array().map(<[Object]>::to_vec))
        .expect("annots");
    let widget = annots
        .iter()
        .filter_map(Object::as_reference)
        .find(|w| current_dict(&signed, *w).contains_key("Parent"))
        .expect("the split field's widget");
    let n = next_free(&signed);
    let ap = r(n);
    let mut dict = current_dict(&signed, widget);
    dict.set("Rect", pdf("[50 650 550 800]"));
    dict.set("AP", pdf(&format!("<< /N {ap} >>")));
    let attacked = append_update(
        &signed,
        &[
            (widget, Object::Dict(dict)),
            (ap, cover("Da ky: Giam doc So")),
        ],
        &[],
    );
    let report = validate_bytes(&attacked);
    assert!(!report.signatures.is_empty());
    for i in 0..report.signatures.len() {
        assert_modified(&report, i, ModifiedAfterSigning);
    }
}

/// A new visible widget whose "signature field" parent is in no form, with a value that is
/// not a signature: not a signature field added, but a modification.
#[test]
fn ssa_widget_under_a_signature_field_outside_the_form_is_modified() {
    let signed = signed_classic();
    let page = page_ref(&signed, 0);
    let n = next_free(&signed);
    let (field, widget, ap, value) = (r(n), r(n + 1), r(n + 2), r(n + 3));
    let attacked = append_update(
        &signed,
        &[
            (
                field,
                pdf(&format!(
                    "<< /FT /Sig /T (GiaMao) /Kids [{widget}] /V {value} >>"
                )),
            ),
            (
                widget,
                pdf(&format!(
                    "<< /Type /Annot /Subtype /Widget /Parent {field} /Rect [50 650 550 800] \
                     /P {page} /F 4 /AP << /N {ap} >> >>"
                )),
            ),
            (ap, cover("Da ky: Giam doc So")),
            (value, pdf("<< /Type /Sig >>")),
            with_array_item(&signed, page, "Annots", widget),
        ],
        &[],
    );
    assert_modified(&validate_bytes(&attacked), 0, ModifiedAfterSigning);
}
