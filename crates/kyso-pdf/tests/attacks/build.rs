//! Building the attack files: genuinely signed inputs (signed by kyso with the test PKI, or
//! certified by pyHanko), incremental updates written by hand, in-place byte edits, and the
//! assertions every attack test shares.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;

use kyso_pdf::form::list_fields;
use kyso_pdf::unstable::parser::parse_object;
use kyso_pdf::verify::{
    Coverage, Lang, ReasonCode, SignatureReport, ValidationOptions, ValidationReport, Verdict,
    render_text, validate,
};
use kyso_pdf::{Dict, ObjRef, Object, PdfReader, PdfSigner, SignOptions, Stream, XrefEntry};
use kyso_testkit::{LeafKind, TestPki};
use kyso_token::SoftwareSigner;

// ----- objects -----

/// `n 0 R`.
pub const fn r(num: u32) -> ObjRef {
    ObjRef::new(num, 0)
}

/// Parses PDF syntax (a direct object): `pdf("<< /Type /Catalog /Pages 2 0 R >>")`.
pub fn pdf(text: &str) -> Object {
    parse_object(text.as_bytes()).unwrap_or_else(|e| panic!("bad test object {text}: {e}"))
}

/// A stream with the dictionary `dict` (PDF syntax) and `data`.
pub fn stream(dict: &str, data: &str) -> Object {
    let Object::Dict(d) = pdf(dict) else {
        panic!("stream dictionary {dict} is not a dictionary");
    };
    Object::Stream(Stream::new(d, data.as_bytes().to_vec()))
}

/// A form XObject of `w` × `h` points drawing `content` with Helvetica as /F1 (object `font`).
pub fn form_xobject(w: u32, h: u32, font: ObjRef, content: &str) -> Object {
    stream(
        &format!(
            "<< /Type /XObject /Subtype /Form /BBox [0 0 {w} {h}] \
             /Resources << /Font << /F1 {font} >> >> >>"
        ),
        content,
    )
}

/// A one-revision PDF with these objects (numbered from 1, gaps allowed), a classic
/// cross-reference table and /Root `root`.
pub fn write_document(objects: &[(ObjRef, Object)], root: ObjRef) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let size = objects.iter().map(|(r, _)| r.num + 1).max().unwrap_or(1);
    let mut offsets = vec![None; size as usize];
    for (r, o) in objects {
        offsets[r.num as usize] = Some((out.len(), r.generation));
        kyso_pdf::object::write_indirect_object(*r, o, &mut out);
    }
    let xref_at = out.len();
    let mut xref = format!("xref\n0 {size}\n0000000000 65535 f\r\n");
    for slot in &offsets[1..] {
        match slot {
            Some((off, g)) => write!(xref, "{off:010} {g:05} n\r\n"),
            None => write!(xref, "0000000000 00000 f\r\n"),
        }
        .expect("write to a String");
    }
    write!(
        xref,
        "trailer\n<< /Size {size} /Root {root} /ID [<6B79736F61747461636B73> <6B79736F61747461636B73>] >>\n\
         startxref\n{xref_at}\n%%EOF\n"
    )
    .expect("write to a String");
    out.extend_from_slice(xref.as_bytes());
    out
}

// ----- incremental updates -----

/// Appends an incremental update (ISO 32000-2 §7.5.6) that defines `objects`, with a classic
/// cross-reference section listing them and a trailer whose /Prev is the previous
/// `startxref`. /Root, /Info and /ID are carried over; `trailer_extra` overrides entries.
pub fn append_update(
    pdf: &[u8],
    objects: &[(ObjRef, Object)],
    trailer_extra: &[(&str, Object)],
) -> Vec<u8> {
    let bodies: Vec<(ObjRef, Vec<u8>)> = objects.iter().map(|(r, o)| (*r, o.to_bytes())).collect();
    append_raw_update(pdf, &bodies, &[], trailer_extra)
}

/// Like [`append_update`], with the object bodies (what goes between `obj` and `endobj`) as
/// raw bytes, and `redirects`: cross-reference entries pointing existing objects at offsets
/// already in the file.
pub fn append_raw_update(
    pdf: &[u8],
    bodies: &[(ObjRef, Vec<u8>)],
    redirects: &[(ObjRef, u64)],
    trailer_extra: &[(&str, Object)],
) -> Vec<u8> {
    let reader = PdfReader::new(pdf).expect("the file to update must be readable");
    let mut trailer = Dict::new();
    for key in ["Root", "Info", "ID"] {
        if let Some(v) = reader.trailer().get(key) {
            trailer.set(key, v.clone());
        }
    }
    trailer.set("Prev", Object::Integer(reader.startxref() as i64));
    for (k, v) in trailer_extra {
        trailer.set(*k, v.clone());
    }
    append_section(pdf, bodies, redirects, trailer, reader.size())
}

/// Appends `bodies`, a cross-reference table for them and `redirects`, and `trailer`
/// (completed with /Size, at least `size`), without reading `pdf`.
pub fn append_section(
    pdf: &[u8],
    bodies: &[(ObjRef, Vec<u8>)],
    redirects: &[(ObjRef, u64)],
    mut trailer: Dict,
    size: u32,
) -> Vec<u8> {
    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut entries: Vec<(ObjRef, u64)> = redirects.to_vec();
    for (r, body) in bodies {
        entries.push((*r, out.len() as u64));
        out.extend_from_slice(format!("{} {} obj\n", r.num, r.generation).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    entries.sort();
    let xref_at = out.len();
    let mut xref = String::from("xref\n");
    for (r, off) in &entries {
        write!(xref, "{} 1\n{off:010} {:05} n\r\n", r.num, r.generation)
            .expect("write to a String");
    }
    out.extend_from_slice(xref.as_bytes());
    let size = entries
        .iter()
        .map(|(r, _)| r.num + 1)
        .max()
        .unwrap_or(0)
        .max(size);
    trailer.set("Size", Object::from(size));
    out.extend_from_slice(b"trailer\n");
    trailer.write_to(&mut out);
    out.extend_from_slice(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

/// The first object number an update can allocate.
pub fn next_free(pdf: &[u8]) -> u32 {
    PdfReader::new(pdf).expect("readable").size()
}

/// The current definition of `obj` in `pdf`.
pub fn current(pdf: &[u8], obj: ObjRef) -> Object {
    PdfReader::new(pdf)
        .expect("readable")
        .resolve(obj)
        .unwrap_or_else(|e| panic!("resolve {obj}: {e}"))
}

/// The current dictionary of `obj` in `pdf`.
pub fn current_dict(pdf: &[u8], obj: ObjRef) -> Dict {
    current(pdf, obj)
        .as_dict()
        .cloned()
        .unwrap_or_else(|| panic!("{obj} is not a dictionary"))
}

/// The catalog's object.
pub fn catalog_ref(pdf: &[u8]) -> ObjRef {
    PdfReader::new(pdf)
        .expect("readable")
        .catalog_ref()
        .expect("catalog")
}

/// Page `index`'s object.
pub fn page_ref(pdf: &[u8], index: usize) -> ObjRef {
    PdfReader::new(pdf)
        .expect("readable")
        .page_ref(index)
        .expect("page")
}

/// The objects to rewrite so that the array `key` of `holder` (a dictionary object) gains
/// `item`: the holder itself when the array is direct or missing, else the array object.
pub fn with_array_item(pdf: &[u8], holder: ObjRef, key: &str, item: ObjRef) -> (ObjRef, Object) {
    let mut dict = current_dict(pdf, holder);
    match dict.get(key).cloned() {
        Some(Object::Reference(array_ref)) => {
            let Object::Array(mut items) = current(pdf, array_ref) else {
                panic!("{holder} /{key} does not lead to an array");
            };
            items.push(Object::Reference(item));
            (array_ref, Object::Array(items))
        }
        Some(Object::Array(mut items)) => {
            items.push(Object::Reference(item));
            dict.set(key, Object::Array(items));
            (holder, Object::Dict(dict))
        }
        None => {
            dict.set(key, Object::Array(vec![Object::Reference(item)]));
            (holder, Object::Dict(dict))
        }
        Some(other) => panic!("{holder} /{key} is a {}", other.type_name()),
    }
}

/// The AcroForm's object (it must be indirect).
pub fn acroform_ref(pdf: &[u8]) -> ObjRef {
    let catalog = current_dict(pdf, catalog_ref(pdf));
    catalog
        .get("AcroForm")
        .and_then(Object::as_reference)
        .expect("the catalog's /AcroForm is an indirect object")
}

// ----- signatures in the file -----

/// Where one signature's dictionary sits in the file.
#[derive(Debug, Clone)]
pub struct SigLayout {
    /// The signature dictionary's object.
    pub sig_ref: ObjRef,
    /// The field holding it.
    pub field_ref: ObjRef,
    /// The /ByteRange numbers.
    pub byte_range: [u64; 4],
    /// Offset of the `/ByteRange` key.
    pub byte_range_key: usize,
    /// The array `[...]`, brackets included.
    pub byte_range_span: Range<usize>,
    /// Offset of the `/Contents` key.
    pub contents_key: usize,
    /// The hex string `<...>`, brackets included: the gap between the signed ranges.
    pub contents_span: Range<usize>,
    /// The decoded /Contents.
    pub contents: Vec<u8>,
}

/// The layout of the `index`-th signature (in field order) of `pdf`, as written by kyso or
/// pyHanko (`/ByteRange [...]` and `/Contents <...>` inside the object).
pub fn sig_layout(pdf: &[u8], index: usize) -> SigLayout {
    let reader = PdfReader::new(pdf).expect("readable");
    let catalog = reader.catalog().expect("catalog");
    let af = reader
        .deref(catalog.get("AcroForm").expect("an AcroForm"))
        .expect("AcroForm");
    let fields = list_fields(&reader, af.as_dict().expect("AcroForm dictionary")).expect("fields");
    let (field_ref, sig_ref) = fields
        .iter()
        .filter(|f| f.field_type.as_deref() == Some(b"Sig".as_slice()))
        .filter_map(|f| {
            f.dict
                .get("V")
                .and_then(Object::as_reference)
                .map(|v| (f.reference, v))
        })
        .nth(index)
        .unwrap_or_else(|| panic!("no signature number {index}"));
    let Some(XrefEntry::InFile { offset }) = reader.object_offset(sig_ref) else {
        panic!("signature {sig_ref} is not stored in the file directly");
    };
    let start = offset as usize;
    let end = start + find(&pdf[start..], b"endobj").expect("endobj");
    let within =
        |needle: &[u8]| start + find(&pdf[start..end], needle).expect("key in the signature");
    let byte_range_key = within(b"/ByteRange");
    let open = byte_range_key + find(&pdf[byte_range_key..], b"[").expect("[");
    let close = open + find(&pdf[open..], b"]").expect("]");
    let contents_key = within(b"/Contents");
    let lt = contents_key + find(&pdf[contents_key..], b"<").expect("<");
    let gt = lt + find(&pdf[lt..], b">").expect(">");
    let numbers: Vec<u64> = std::str::from_utf8(&pdf[open + 1..close])
        .expect("ASCII")
        .split_ascii_whitespace()
        .map(|n| n.parse().expect("a ByteRange number"))
        .collect();
    SigLayout {
        sig_ref,
        field_ref,
        byte_range: numbers.try_into().expect("four numbers"),
        byte_range_key,
        byte_range_span: open..close + 1,
        contents_key,
        contents_span: lt..gt + 1,
        contents: hex::decode(&pdf[lt + 1..gt]).expect("hex /Contents"),
    }
}

/// `pdf` with `span` overwritten by `text`, padded with spaces to the same length: object
/// offsets stay where the cross-reference data says they are.
pub fn overwrite(pdf: &[u8], span: Range<usize>, text: &str) -> Vec<u8> {
    assert!(
        text.len() <= span.len(),
        "{text:?} does not fit in {} bytes",
        span.len()
    );
    let mut out = pdf.to_vec();
    let mut replacement = text.as_bytes().to_vec();
    replacement.resize(span.len(), b' ');
    out[span].copy_from_slice(&replacement);
    out
}

/// Offset of the first `needle` in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

// ----- signing -----

/// The test PKI's RSA-2048 leaf as a software signer.
pub fn signer() -> SoftwareSigner {
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    SoftwareSigner::from_pem_files(&leaf.key_pem, &leaf.cert_pem, Some(&leaf.chain_pem), None)
        .expect("load the RSA-2048 test leaf")
}

/// `input` signed by kyso in a new field (`Signature<n>`), in memory.
pub fn genuine_signed(input: &[u8]) -> Vec<u8> {
    PdfSigner::new(SignOptions {
        reason: Some("Phê duyệt văn bản".into()),
        location: Some("Hà Nội".into()),
        ..SignOptions::default()
    })
    .sign_bytes(input, &signer())
    .expect("kyso signs the input")
}

/// A DocMDP certification by pyHanko (`tests/attacks/certify.py`) of [`form_document`] with
/// permission `p`, made once and kept in the test kit's shared directory.
pub fn certified(p: u8) -> Vec<u8> {
    certify(p, "form", &form_document())
}

/// `doc` certified by pyHanko with DocMDP permission `p`, kept in the shared directory
/// under `name` (which must name `doc`'s content).
pub fn certify(p: u8, name: &str, doc: &[u8]) -> Vec<u8> {
    let pki = TestPki::get();
    let leaf = pki.leaf(LeafKind::Rsa2048);
    let root = std::fs::read(pki.root_pem()).expect("root certificate");
    let dir = kyso_testkit::shared_dir().join("attacks-v1");
    std::fs::create_dir_all(&dir).expect("create the attack cache directory");
    let path = dir.join(format!(
        "certified-{name}-p{p}-{:016x}-{:016x}.pdf",
        fnv64(&root),
        fnv64(doc)
    ));
    if let Ok(bytes) = std::fs::read(&path) {
        return bytes;
    }
    let tmp = tempfile::tempdir_in(&dir).expect("temp dir");
    let input = tmp.path().join("form.pdf");
    let output = tmp.path().join("certified.pdf");
    std::fs::write(&input, doc).expect("write the document");
    let s = |p: &Path| p.to_string_lossy().into_owned();
    let request = serde_json::json!({
        "input": s(&input), "output": s(&output), "field": "ChungThuc",
        "key": s(&leaf.key_pem), "cert": s(&leaf.cert_pem), "chain": s(&leaf.chain_pem),
        "p": p,
    });
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/attacks/certify.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(request.to_string())
        .output()
        .expect("run python3 (pyHanko certifies the test document; run scripts/test.sh)");
    assert!(
        out.status.success(),
        "pyHanko could not certify:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Rename into place: a process that loses the race uses the winner's copy.
    std::fs::rename(&output, &path).expect("move the certified file into place");
    std::fs::read(&path).expect("read the certified file")
}

fn fnv64(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Objects of [`form_document`].
pub const FORM_FONT: ObjRef = r(4);
/// The text field of [`form_document`].
pub const FORM_TEXT_FIELD: ObjRef = r(7);

/// A one-page form for certification: a text field "HoTen" (object 7) on page 3.
pub fn form_document() -> Vec<u8> {
    write_document(&form_objects(), r(1))
}

/// [`form_document`] with a FreeText note (object 8, appearance 9) beside the field: a
/// markup annotation whose /T is its author, as every markup annotation may have (ISO
/// 32000-2 §12.5.6.2).
pub fn form_with_note_document() -> Vec<u8> {
    let mut objects = form_objects();
    for (r, o) in &mut objects {
        if *r == ObjRef::new(3, 0) {
            *o = pdf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
                      /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R /Annots [7 0 R 8 0 R] >>");
        }
    }
    objects.push((
        r(8),
        pdf(
            "<< /Type /Annot /Subtype /FreeText /T (Nguyen Van An) /Rect [72 600 400 640] \
             /P 3 0 R /F 4 /Contents (Da xem) /DA (/F1 12 Tf 0 g) /AP << /N 9 0 R >> >>",
        ),
    ));
    objects.push((
        r(9),
        form_xobject(328, 40, FORM_FONT, "BT /F1 12 Tf 4 14 Td (Da xem) Tj ET"),
    ));
    write_document(&objects, r(1))
}

/// The objects of [`form_document`].
fn form_objects() -> Vec<(ObjRef, Object)> {
    vec![
        (
            r(1),
            pdf("<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R >>"),
        ),
        (r(2), pdf("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")),
        (
            r(3),
            pdf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
                     /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R /Annots [7 0 R] >>"),
        ),
        (
            r(4),
            pdf(
                "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            ),
        ),
        (
            r(5),
            stream(
                "<< >>",
                "BT /F1 18 Tf 72 770 Td (Giay de nghi cap phep) Tj ET \
                     BT /F1 12 Tf 72 740 Td (So tien: 100.000.000 VND) Tj ET",
            ),
        ),
        (
            r(6),
            pdf("<< /Fields [7 0 R] /DA (/F1 12 Tf 0 g) /DR << /Font << /F1 4 0 R >> >> >>"),
        ),
        (
            r(7),
            pdf(
                "<< /Type /Annot /Subtype /Widget /FT /Tx /T (HoTen) /Rect [72 690 400 720] \
                     /P 3 0 R /F 4 /DA (/F1 12 Tf 0 g) >>",
            ),
        ),
    ]
}

// ----- validation -----

/// Validates `pdf` against the test root.
pub fn validate_bytes(pdf: &Vec<u8>) -> ValidationReport {
    let root = std::fs::read(TestPki::get().root_pem()).expect("root certificate");
    let anchors = kyso_cert::Certificate::all_from_der_or_pem(&root).expect("parse the root");
    validate(pdf, &ValidationOptions::new(anchors)).expect("validation produces a report")
}

fn show(report: &ValidationReport) -> String {
    let mut s = render_text(report, Lang::En);
    for (i, sig) in report.signatures.iter().enumerate() {
        let codes: Vec<_> = sig.reasons.iter().map(|r| r.code).collect();
        let _ = write!(
            s,
            "\n[signature {i}: coverage {:?}, codes {codes:?}, changes {:?}, warnings {:?}]",
            sig.coverage, sig.changes, sig.warnings
        );
    }
    let codes: Vec<_> = report.reasons.iter().map(|r| r.code).collect();
    let _ = write!(s, "\n[document codes {codes:?}]");
    s
}

fn signature(report: &ValidationReport, index: usize) -> &SignatureReport {
    report
        .signatures
        .get(index)
        .unwrap_or_else(|| panic!("no signature {index} in the report:\n{}", show(report)))
}

/// The validator rejects signature `index` of the report (and so the document) and says
/// why with `code`.
pub fn assert_rejected(report: &ValidationReport, index: usize, code: ReasonCode) {
    eprintln!("{}", show(report));
    let sig = signature(report, index);
    assert_ne!(
        report.verdict,
        Verdict::Valid,
        "document VALID:\n{}",
        show(report)
    );
    assert_ne!(
        sig.verdict,
        Verdict::Valid,
        "signature VALID:\n{}",
        show(report)
    );
    assert!(
        sig.reasons.iter().any(|r| r.code == code),
        "expected reason {code:?} for signature {index}:\n{}",
        show(report)
    );
}

/// Like [`assert_rejected`], and the signature's coverage is [`Coverage::Modified`].
pub fn assert_modified(report: &ValidationReport, index: usize, code: ReasonCode) {
    if let Err(e) = check_modified(report, index, code) {
        panic!("{e}");
    }
}

/// What [`assert_modified`] asserts, as a result: `Err` says what is missing.
pub fn check_modified(
    report: &ValidationReport,
    index: usize,
    code: ReasonCode,
) -> Result<(), String> {
    let sig = signature(report, index);
    let mut missing = Vec::new();
    if report.verdict == Verdict::Valid || sig.verdict == Verdict::Valid {
        missing.push("a verdict other than VALID".to_string());
    }
    if !sig.reasons.iter().any(|r| r.code == code) {
        missing.push(format!("reason {code:?}"));
    }
    if sig.coverage != Coverage::Modified {
        missing.push("coverage Modified".to_string());
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "signature {index}: expected {}:\n{}",
            missing.join(", "),
            show(report)
        ))
    }
}

/// The document is rejected with the document-level reason `code`.
pub fn assert_document_reason(report: &ValidationReport, code: ReasonCode) {
    assert_ne!(
        report.verdict,
        Verdict::Valid,
        "document VALID:\n{}",
        show(report)
    );
    assert!(
        report.reasons.iter().any(|r| r.code == code),
        "expected document reason {code:?}:\n{}",
        show(report)
    );
}

/// Signature `index` is VALID with `coverage`, its structure intact and no document-level
/// reason raised.
pub fn assert_valid(report: &ValidationReport, index: usize, coverage: Coverage) {
    let sig = signature(report, index);
    assert_eq!(sig.coverage, coverage, "coverage:\n{}", show(report));
    assert!(
        sig.byte_range.is_some() && sig.revision.is_some(),
        "{}",
        show(report)
    );
    assert!(
        report.reasons.is_empty(),
        "document reasons:\n{}",
        show(report)
    );
    assert_eq!(sig.verdict, Verdict::Valid, "{}", show(report));
}

/// Fills the text field of [`form_document`] (value and appearance) in a new update.
pub fn fill_text_field(certified: &[u8]) -> Vec<u8> {
    let appearance = r(next_free(certified));
    let mut field = current_dict(certified, FORM_TEXT_FIELD);
    field.set("V", Object::text_string("Nguyễn Văn An"));
    field.set("AP", pdf(&format!("<< /N {appearance} >>")));
    append_update(
        certified,
        &[
            (FORM_TEXT_FIELD, Object::Dict(field)),
            (
                appearance,
                form_xobject(
                    328,
                    30,
                    FORM_FONT,
                    "/Tx BMC BT /F1 12 Tf 2 10 Td (Nguyen Van An) Tj ET EMC",
                ),
            ),
        ],
        &[],
    )
}
