//! The lazy reader against real-world files (pyHanko's test PDFs, qpdf output) and files
//! built here: every cross-reference flavour, incremental updates, linearization, broken
//! and hostile input.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kyso_pdf::reader::MAX_XREF_SECTIONS;
use kyso_pdf::{Error, ObjRef, Object, PdfReader, Source, XrefEntry, XrefKind};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn pyhanko(name: &str) -> PdfReader<Vec<u8>> {
    PdfReader::new(fixture(&format!("pyhanko/{name}"))).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn r(num: u32, generation: u16) -> ObjRef {
    ObjRef::new(num, generation)
}

/// Checks what every readable one-page fixture has: a catalog, one page, a page dict.
fn assert_one_page<S: Source>(reader: &PdfReader<S>) -> ObjRef {
    let catalog = reader.catalog().unwrap();
    assert_eq!(catalog.type_name(), Some(&b"Catalog"[..]));
    assert_eq!(reader.page_count().unwrap(), 1);
    let page = reader.page_ref(0).unwrap();
    let dict = reader.resolve_dict(page).unwrap();
    assert_eq!(dict.type_name(), Some(&b"Page"[..]));
    page
}

// ----- a small PDF writer for building test files -----

struct Builder {
    out: Vec<u8>,
}

impl Builder {
    fn new(version: &str) -> Self {
        let mut out = format!("%PDF-{version}\n").into_bytes();
        out.extend_from_slice(b"%\xe2\xe3\xcf\xd3\n");
        Builder { out }
    }

    fn from(bytes: Vec<u8>) -> Self {
        Builder { out: bytes }
    }

    fn offset(&self) -> u64 {
        self.out.len() as u64
    }

    /// Writes `num gen obj body endobj` and returns its offset.
    fn object(&mut self, num: u32, generation: u16, body: &[u8]) -> u64 {
        let at = self.offset();
        writeln!(self.out, "{num} {generation} obj").unwrap();
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
        at
    }

    /// Writes a classic xref section, one subsection per entry, and the trailer.
    /// `entries`: (num, gen, Some(offset)) in use or (num, gen, None) free.
    fn xref(&mut self, entries: &[(u32, u16, Option<u64>)], trailer: &str) -> u64 {
        let at = self.offset();
        self.out.extend_from_slice(b"xref\n");
        for &(num, generation, offset) in entries {
            match offset {
                Some(o) => write!(self.out, "{num} 1\n{o:010} {generation:05} n \n").unwrap(),
                None => write!(self.out, "{num} 1\n0000000000 {generation:05} f \n").unwrap(),
            }
        }
        write!(
            self.out,
            "trailer\n<< {trailer} >>\nstartxref\n{at}\n%%EOF\n"
        )
        .unwrap();
        at
    }
}

/// A file with `objects` numbered 1.. and a classic xref table.
fn simple_pdf(version: &str, objects: &[&[u8]], trailer: &str) -> Vec<u8> {
    let mut b = Builder::new(version);
    let mut entries = vec![(0, 65535, None)];
    for (i, body) in objects.iter().enumerate() {
        let num = i as u32 + 1;
        entries.push((num, 0, Some(b.object(num, 0, body))));
    }
    let size = objects.len() + 1;
    b.xref(&entries, &format!("/Size {size} {trailer}"));
    b.out
}

/// A file with `objects` numbered 1.. in the file, `compressed` entries
/// (num, stream, index) of type 2, and a cross-reference stream (uncompressed).
fn xref_stream_pdf(objects: &[&[u8]], compressed: &[(u32, u32, u32)]) -> Vec<u8> {
    let mut b = Builder::new("1.7");
    let mut rows: Vec<(u32, [u8; 7])> = vec![(0, [0, 0, 0, 0, 0, 0xff, 0xff])];
    let row = |t: u8, f2: u64, f3: u16| {
        let f2 = (f2 as u32).to_be_bytes();
        let f3 = f3.to_be_bytes();
        [t, f2[0], f2[1], f2[2], f2[3], f3[0], f3[1]]
    };
    for (i, body) in objects.iter().enumerate() {
        let num = i as u32 + 1;
        rows.push((num, row(1, b.object(num, 0, body), 0)));
    }
    for &(num, stream, index) in compressed {
        rows.push((num, row(2, stream.into(), index as u16)));
    }
    let xref_num = rows.iter().map(|r| r.0).max().unwrap() + 1;
    let at = b.offset();
    rows.push((xref_num, row(1, at, 0)));
    rows.sort_by_key(|r| r.0);
    let index: Vec<String> = rows.iter().map(|r| format!("{} 1", r.0)).collect();
    let data: Vec<u8> = rows.iter().flat_map(|r| r.1).collect();
    let mut body = format!(
        "<< /Type /XRef /Size {} /Index [{}] /W [1 4 2] /Root 1 0 R /Length {} >>\nstream\n",
        xref_num + 1,
        index.join(" "),
        data.len()
    )
    .into_bytes();
    body.extend_from_slice(&data);
    body.extend_from_slice(b"\nendstream");
    b.object(xref_num, 0, &body);
    write!(b.out, "startxref\n{at}\n%%EOF\n").unwrap();
    b.out
}

const CATALOG: &[u8] = b"<< /Type /Catalog /Pages 2 0 R >>";
const PAGES_1: &[u8] = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
const PAGE: &[u8] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>";

// ----- reading the cross-reference flavours -----

#[test]
fn reads_catalog_and_pages_of_a_classic_xref_file() {
    let reader = pyhanko("minimal.pdf");
    assert_eq!(reader.xref_kind(), XrefKind::Table);
    assert_eq!(reader.header_version(), (1, 7));
    assert_eq!(reader.startxref(), 565);
    assert_eq!(reader.size(), 5);
    assert!(!reader.is_encrypted());
    assert_eq!(reader.catalog_ref().unwrap(), r(1, 0));
    assert_eq!(assert_one_page(&reader), r(3, 0));
    assert_eq!(
        reader.object_offset(r(4, 0)),
        Some(XrefEntry::InFile { offset: 457 })
    );
    let Object::Stream(content) = reader.resolve(r(4, 0)).unwrap() else {
        panic!("content is not a stream");
    };
    assert_eq!(content.data.len(), 55);
    assert!(content.decoded_data().unwrap().starts_with(b"  BT\n"));
}

#[test]
fn reads_catalog_and_pages_of_an_xref_stream_file() {
    let reader = pyhanko("minimal-xref.pdf");
    assert_eq!(reader.xref_kind(), XrefKind::Stream);
    assert_eq!(reader.trailer().type_name(), Some(&b"XRef"[..]));
    assert_eq!(reader.size(), 7);
    assert_eq!(assert_one_page(&reader), r(5, 0));
}

#[test]
fn reads_objects_inside_object_streams() {
    // Uncompressed object stream written by pyHanko.
    let reader = pyhanko("uncompressed-objstream-sample.pdf");
    let page = assert_one_page(&reader);
    assert_eq!(page, r(5, 0));
    assert!(matches!(
        reader.object_offset(page),
        Some(XrefEntry::InStream { stream_num: 9, .. })
    ));
    // Flate-compressed object stream written by qpdf.
    let reader = PdfReader::new(fixture("objstm-two-fields.pdf")).unwrap();
    assert_eq!(reader.xref_kind(), XrefKind::Stream);
    let catalog = reader.catalog().unwrap();
    let acroform = reader.deref(catalog.get("AcroForm").unwrap()).unwrap();
    let fields = reader
        .deref(acroform.as_dict().unwrap().get("Fields").unwrap())
        .unwrap();
    assert_eq!(fields.as_array().unwrap().len(), 2);
    for f in fields.as_array().unwrap() {
        let field = reader.deref(f).unwrap();
        assert_eq!(
            field.as_dict().unwrap().get("FT"),
            Some(&Object::name("Sig"))
        );
    }
    assert_one_page(&reader);
    // A generation other than 0 does not name an object in an object stream.
    let in_stream = (2..8)
        .map(|n| r(n, 0))
        .find(|&o| matches!(reader.object_offset(o), Some(XrefEntry::InStream { .. })))
        .unwrap();
    assert!(reader.resolve(r(in_stream.num, 1)).unwrap().is_null());
}

#[test]
fn reads_each_hybrid_xref_variant() {
    for (name, title_ref) in [
        ("minimal-hybrid-xref.pdf", r(6, 0)),
        ("minimal-hybrid-xref-mswordstyle.pdf", r(6, 0)),
        ("minimal-hybrid-xref-weirdgen.pdf", r(6, 1)),
    ] {
        let reader = pyhanko(name);
        assert_eq!(reader.xref_kind(), XrefKind::Table, "{name}");
        assert!(reader.trailer().contains_key("XRefStm"), "{name}");
        assert_one_page(&reader);
        // Object 6 is only in the /XRefStm stream (or, in the MS Word style, in both).
        let info = reader.deref(reader.trailer().get("Info").unwrap()).unwrap();
        let title = info.as_dict().unwrap().get("Title").unwrap();
        assert_eq!(title.as_reference(), Some(title_ref), "{name}");
        assert_eq!(
            reader.deref(title).unwrap().as_string_bytes(),
            Some(&b"TestTest"[..]),
            "{name}"
        );
    }
    // A reference with the wrong generation is a reference to nothing (§7.3.10).
    let reader = pyhanko("minimal-hybrid-xref-weirdgen.pdf");
    assert!(reader.resolve(r(6, 0)).unwrap().is_null());
    assert_eq!(reader.object_offset(r(6, 0)), None);
}

#[test]
fn tolerates_malformed_table_entries() {
    // Entries without the trailing space, with " \r\n", a subsection starting at 1.
    assert_one_page(&pyhanko("minimal-badxref.pdf"));
    // Offsets padded with spaces instead of zeros.
    assert_one_page(&pyhanko("malformed-xref-space-padded.pdf"));
    // `startxref 565` on one line.
    assert_one_page(&pyhanko("minimal-startxref-same-line.pdf"));
}

#[test]
fn corrects_startxref_offsets_that_are_off_by_a_few_bytes() {
    for i in 1..=6 {
        let name = format!("minimal-startxref-obo{i}.pdf");
        let reader = pyhanko(&name);
        assert_one_page(&reader);
    }
    // The corrected offset is where the section really is.
    assert_eq!(pyhanko("minimal-startxref-obo2.pdf").startxref(), 565);
    assert_eq!(pyhanko("minimal-startxref-obo5.pdf").startxref(), 426);
}

#[test]
fn hopeless_startxref_is_an_xref_error() {
    for name in [
        "minimal-startxref-hopeless.pdf",
        "minimal-startxref-hopeless2.pdf",
        "minimal-startxref-hopeless3.pdf",
    ] {
        let err = PdfReader::new(fixture(&format!("pyhanko/{name}"))).unwrap_err();
        assert!(matches!(err, Error::Xref { .. }), "{name}: {err}");
    }
}

// ----- incremental updates -----

#[test]
fn finds_the_newest_version_of_an_object_updated_in_a_later_revision() {
    let base = fixture("pyhanko/minimal.pdf");
    let mut b = Builder::from(base.clone());
    let cat = b.object(1, 0, b"<< /Type /Catalog /Pages 2 0 R /Lang (vi-VN) >>");
    let extra = b.object(5, 0, b"(first)");
    let x1 = b.xref(
        &[(1, 0, Some(cat)), (5, 0, Some(extra))],
        "/Size 6 /Root 1 0 R /Prev 565",
    );
    let reader = PdfReader::new(b.out.clone()).unwrap();
    assert_eq!(reader.startxref(), x1);
    assert_eq!(reader.size(), 6);
    assert_eq!(
        reader
            .catalog()
            .unwrap()
            .get("Lang")
            .unwrap()
            .as_string_bytes(),
        Some(&b"vi-VN"[..])
    );
    assert_eq!(reader.revision_ends().unwrap().len(), 2);
    // Untouched objects still come from the first revision.
    assert_eq!(
        reader.object_offset(r(3, 0)),
        Some(XrefEntry::InFile { offset: 178 })
    );

    // A third revision frees object 5 and redefines it with generation 1.
    let freed = b.xref(&[(5, 1, None)], &format!("/Size 6 /Root 1 0 R /Prev {x1}"));
    let reader = PdfReader::new(b.out.clone()).unwrap();
    assert_eq!(reader.startxref(), freed);
    assert_eq!(reader.object_offset(r(5, 0)), Some(XrefEntry::Free));
    assert!(reader.resolve(r(5, 0)).unwrap().is_null());
    assert!(matches!(
        reader.resolve_existing(r(5, 0)),
        Err(Error::ObjectNotFound(o)) if o == r(5, 0)
    ));
    let again = b.object(5, 1, b"(second)");
    b.xref(
        &[(5, 1, Some(again))],
        &format!("/Size 6 /Root 1 0 R /Prev {freed}"),
    );
    let reader = PdfReader::new(b.out).unwrap();
    assert_eq!(
        reader.resolve(r(5, 1)).unwrap().as_string_bytes(),
        Some(&b"second"[..])
    );
    assert!(reader.resolve(r(5, 0)).unwrap().is_null());
    assert_eq!(reader.revision_ends().unwrap().len(), 4);
}

#[test]
fn reads_files_signed_twice_by_pyhanko() {
    for name in [
        "minimal-two-fields-signed-twice.pdf",
        "minimal-signed-twice-both-created.pdf",
    ] {
        let reader = pyhanko(name);
        let bytes = fixture(&format!("pyhanko/{name}"));
        let ends = reader.revision_ends().unwrap();
        assert_eq!(ends.len(), 3, "{name}: {ends:?}");
        assert!(ends.windows(2).all(|w| w[0] < w[1]));
        for &e in &ends {
            assert_eq!(&bytes[e as usize - 5..e as usize], b"%%EOF");
        }
        assert!(bytes.len() as u64 - ends[2] <= 2);
        // Both signature fields have a value written in a later revision.
        let catalog = reader.catalog().unwrap();
        let acroform = reader.deref(catalog.get("AcroForm").unwrap()).unwrap();
        let fields = reader
            .deref(acroform.as_dict().unwrap().get("Fields").unwrap())
            .unwrap();
        let mut signed = 0;
        for f in fields.as_array().unwrap() {
            let field = reader.deref(f).unwrap();
            let Some(v) = field.as_dict().unwrap().get("V") else {
                continue;
            };
            let sig = reader.deref(v).unwrap();
            let sig = sig.as_dict().unwrap();
            assert_eq!(sig.type_name(), Some(&b"Sig"[..]));
            assert_eq!(sig.get("ByteRange").unwrap().as_array().unwrap().len(), 4);
            assert!(
                !sig.get("Contents")
                    .unwrap()
                    .as_string_bytes()
                    .unwrap()
                    .is_empty()
            );
            signed += 1;
        }
        assert_eq!(signed, 2, "{name}");
    }
}

#[test]
fn resolves_an_indirect_stream_length() {
    let pdf = simple_pdf(
        "1.7",
        &[
            CATALOG,
            PAGES_1,
            b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
            b"<< /Length 5 0 R >>\nstream\r\nBT ET\nendstream",
            b"5",
        ],
        "/Root 1 0 R",
    );
    let reader = PdfReader::new(pdf).unwrap();
    let s = reader.resolve(r(4, 0)).unwrap();
    assert_eq!(s.as_stream().unwrap().data, b"BT ET");
    // A stream whose /Length is wrong ends at `endstream`.
    let pdf = simple_pdf(
        "1.7",
        &[
            CATALOG,
            PAGES_1,
            PAGE,
            b"<< /Length 999 >>\nstream\nq Q\nendstream",
        ],
        "/Root 1 0 R",
    );
    let reader = PdfReader::new(pdf).unwrap();
    assert_eq!(
        reader.resolve(r(4, 0)).unwrap().as_stream().unwrap().data,
        b"q Q"
    );
}

#[test]
fn references_to_missing_objects_resolve_to_null() {
    let reader = pyhanko("minimal-with-nonexistent-refs.pdf");
    let page = reader.resolve_dict(reader.page_ref(0).unwrap()).unwrap();
    let bleh = page.get("Bleh").unwrap();
    assert_eq!(bleh.as_reference(), Some(r(100, 0)));
    assert!(reader.deref(bleh).unwrap().is_null());
    assert!(matches!(
        reader.resolve_existing(r(100, 0)),
        Err(Error::ObjectNotFound(_))
    ));
}

#[test]
fn reads_a_root_with_a_high_generation() {
    let reader = pyhanko("minimal-with-orphaned-xrefs.pdf");
    assert_eq!(reader.catalog_ref().unwrap().generation, 9);
    assert_one_page(&reader);
}

// ----- linearized files, headers, encryption -----

#[test]
fn reads_linearized_files_through_startxref_and_prev() {
    for name in [
        "linearized-two-pages.pdf",
        "linearized-objstm-two-pages.pdf",
    ] {
        let reader = PdfReader::new(fixture(name)).unwrap();
        // The newest section is the first-page one at the top of the file.
        assert!(
            reader.startxref() < reader.source().len() as u64 / 4,
            "{name}: {}",
            reader.startxref()
        );
        assert!(reader.trailer().contains_key("Prev"), "{name}");
        assert_eq!(reader.page_count().unwrap(), 2);
        let pages = reader.page_refs().unwrap();
        assert_eq!(pages.len(), 2);
        for (i, p) in pages.iter().enumerate() {
            assert_eq!(reader.page_ref(i).unwrap(), *p);
            let page = reader.resolve_dict(*p).unwrap();
            assert_eq!(page.type_name(), Some(&b"Page"[..]), "{name}");
            // Every page's content stream is in the file.
            let contents = reader.deref(page.get("Contents").unwrap()).unwrap();
            assert!(contents.as_stream().is_some(), "{name}");
        }
    }
}

#[test]
fn reads_a_file_linearized_by_qpdf_now() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in.pdf");
    let out = dir.path().join("out.pdf");
    let many = many_pages_pdf(40, 7);
    std::fs::write(&src, many).unwrap();
    let status = std::process::Command::new("qpdf")
        .arg("--linearize")
        .arg(&src)
        .arg(&out)
        .status()
        .unwrap_or_else(|e| panic!("qpdf not installed (apt-get install qpdf): {e}"));
    assert!(status.success());
    let file = std::fs::File::open(&out).unwrap();
    let reader = PdfReader::new(file).unwrap();
    assert_eq!(reader.page_count().unwrap(), 40);
    assert_eq!(reader.page_refs().unwrap().len(), 40);
    let last = reader.resolve_dict(reader.page_ref(39).unwrap()).unwrap();
    assert_eq!(last.type_name(), Some(&b"Page"[..]));
}

#[test]
fn reads_a_pdf_2_0_header() {
    let mut bytes = fixture("pyhanko/minimal.pdf");
    bytes[..8].copy_from_slice(b"%PDF-2.0");
    let reader = PdfReader::new(bytes).unwrap();
    assert_eq!(reader.header_version(), (2, 0));
    assert_one_page(&reader);
}

#[test]
fn finds_a_header_after_junk_and_corrects_shifted_offsets() {
    let mut bytes = b"junk before the header\n".to_vec();
    bytes.extend_from_slice(&fixture("pyhanko/minimal.pdf"));
    let reader = PdfReader::new(bytes).unwrap();
    assert_eq!(reader.header_version(), (1, 7));
    assert_one_page(&reader);
}

#[test]
fn encrypted_files_report_is_encrypted() {
    assert!(pyhanko("minimal-aes256.pdf").is_encrypted());
    assert!(pyhanko("minimal-rc4.pdf").is_encrypted());
    assert!(!pyhanko("minimal.pdf").is_encrypted());
}

/// pyHanko's encrypted test files (user password `usersecret`, owner `ownersecret`): the
/// right password opens them and the page reads as a page; the wrong one is refused.
#[test]
fn encrypted_files_open_with_their_password() {
    for name in ["minimal-aes256.pdf", "minimal-rc4.pdf"] {
        for password in [&b"usersecret"[..], b"ownersecret"] {
            let mut reader = pyhanko(name);
            reader
                .unlock(password)
                .expect("the password opens the file");
            assert_one_page(&reader);
            let page = reader
                .resolve_dict(reader.page_ref(0).expect("page"))
                .expect("page");
            let contents = page.get("Contents").expect("contents");
            let stream = reader.deref(contents).expect("content stream");
            let stream = stream.as_stream().expect("a stream");
            let data = kyso_pdf::unstable::parser::decode_stream(
                &stream.dict,
                &stream.data,
                kyso_pdf::unstable::parser::MAX_DECODED_STREAM_LEN,
            )
            .expect("the decrypted content decodes");
            assert!(
                data.windows(2)
                    .any(|w| w == b"Tj" || w == b"TJ" || w == b"re"),
                "{name}"
            );
        }
        let mut reader = pyhanko(name);
        assert!(matches!(
            reader.unlock(b"wrong"),
            Err(kyso_pdf::Error::WrongPassword)
        ));
    }
}

// ----- broken and hostile input -----

#[test]
fn circular_page_tree_is_an_error_not_a_hang() {
    let reader = pyhanko("circular-page-tree.pdf");
    assert_eq!(reader.page_count().unwrap(), 3);
    assert_eq!(reader.page_ref(0).unwrap(), r(5, 0));
    for i in 1..3 {
        let err = reader.page_ref(i).unwrap_err();
        assert!(matches!(err, Error::BadObject { .. }), "{err}");
        assert!(err.to_string().contains("cycle"), "{err}");
    }
    assert!(reader.page_refs().is_err());
    assert!(matches!(
        reader.page_ref(3),
        Err(Error::PageOutOfRange { index: 3, count: 3 })
    ));
}

#[test]
fn page_tree_with_a_direct_kid_is_an_error() {
    let reader = pyhanko("page-tree-direct-kid.pdf");
    let count = reader.page_count().unwrap();
    let errors = (0..count).filter(|&i| reader.page_ref(i).is_err()).count();
    assert!(errors > 0);
}

#[test]
fn broken_object_streams_give_typed_errors() {
    for (name, num) in [
        ("broken-objstream1.pdf", 4), // /N too low
        ("broken-objstream3.pdf", 6), // header shorter than /N
        ("broken-objstream4.pdf", 6), // object not in the stream
        ("broken-objstream5.pdf", 9), // a stream inside an object stream
        ("broken-objstream6.pdf", 4), // stream data ends early
    ] {
        let reader = pyhanko(name);
        let err = reader.resolve(r(num, 0)).unwrap_err();
        match &err {
            Error::BadObject { object, .. } => {
                assert!(object.num == num || object.num == 9, "{name}: {err}")
            }
            _ => panic!("{name}: {err}"),
        }
        assert!(err.to_string().contains("object stream"), "{name}: {err}");
    }
    // Object at the wrong index: found by its number.
    let reader = pyhanko("broken-objstream2.pdf");
    assert!(reader.resolve(r(4, 0)).unwrap().as_dict().is_some());
}

#[test]
fn not_a_pdf_is_reported_as_such() {
    for bytes in [
        Vec::new(),
        b"hello world".to_vec(),
        fixture("pyhanko/minimal-illegal-header.pdf"),
        vec![0u8; 5000],
    ] {
        assert!(matches!(PdfReader::new(bytes), Err(Error::NotPdf)));
    }
    // A header but nothing else.
    assert!(matches!(
        PdfReader::new(b"%PDF-1.7\n".to_vec()),
        Err(Error::Xref { .. })
    ));
}

#[test]
fn prev_cycle_is_an_error() {
    let mut b = Builder::new("1.7");
    let o1 = b.object(1, 0, CATALOG);
    // The section's /Prev points at itself.
    let at = b.offset();
    b.xref(
        &[(1, 0, Some(o1))],
        &format!("/Size 2 /Root 1 0 R /Prev {at}"),
    );
    let err = PdfReader::new(b.out).unwrap_err();
    assert!(matches!(err, Error::Xref { .. }), "{err}");
    assert!(err.to_string().contains("loops"), "{err}");
}

#[test]
fn too_many_xref_sections_hit_the_limit() {
    let mut b = Builder::from(fixture("pyhanko/minimal.pdf"));
    let mut prev = 565;
    for _ in 0..MAX_XREF_SECTIONS + 1 {
        prev = b.xref(&[], &format!("/Size 5 /Root 1 0 R /Prev {prev}"));
    }
    assert!(matches!(
        PdfReader::new(b.out),
        Err(Error::LimitExceeded { .. })
    ));
}

#[test]
fn hostile_xref_stream_counts_do_not_allocate() {
    // /Index claims four billion entries; the data holds one.
    let mut b = Builder::new("1.7");
    let o1 = b.object(1, 0, CATALOG);
    let at = b.offset();
    let entry = [1u8, (o1 >> 8) as u8, o1 as u8, 0];
    let mut body = format!(
        "<< /Type /XRef /Size 4294967295 /Index [0 4294967295] /W [1 2 1] /Root 1 0 R /Length {} >>\nstream\n",
        entry.len()
    )
    .into_bytes();
    body.extend_from_slice(&entry);
    body.extend_from_slice(b"\nendstream");
    b.object(2, 0, &body);
    write!(b.out, "startxref\n{at}\n%%EOF\n").unwrap();
    let err = PdfReader::new(b.out).unwrap_err();
    assert!(matches!(err, Error::Xref { .. }), "{err}");
}

#[test]
fn hostile_nesting_and_object_stream_counts_are_limited() {
    let deep = "[".repeat(100_000);
    let pdf = simple_pdf(
        "1.7",
        &[CATALOG, PAGES_1, PAGE, deep.as_bytes()],
        "/Root 1 0 R",
    );
    let reader = PdfReader::new(pdf).unwrap();
    assert!(matches!(
        reader.resolve(r(4, 0)),
        Err(Error::LimitExceeded { .. })
    ));

    // An object stream declaring four billion objects.
    let pdf = xref_stream_pdf(
        &[
            CATALOG,
            PAGES_1,
            PAGE,
            b"<< /Type /ObjStm /N 4000000000 /First 4 /Length 8 >>\nstream\n5 0 (x)\nendstream",
        ],
        &[(5, 4, 0)],
    );
    let reader = PdfReader::new(pdf).unwrap();
    assert_one_page(&reader);
    assert!(matches!(
        reader.resolve(r(5, 0)),
        Err(Error::LimitExceeded { .. })
    ));
    // The same stream with an honest /N works.
    let pdf = xref_stream_pdf(
        &[
            CATALOG,
            PAGES_1,
            PAGE,
            b"<< /Type /ObjStm /N 1 /First 4 /Length 8 >>\nstream\n5 0 (x)\nendstream",
        ],
        &[(5, 4, 0)],
    );
    let reader = PdfReader::new(pdf).unwrap();
    assert_eq!(
        reader.resolve(r(5, 0)).unwrap().as_string_bytes(),
        Some(&b"x"[..])
    );

    // A /Length pointing at the stream itself does not recurse forever.
    let pdf = simple_pdf(
        "1.7",
        &[
            CATALOG,
            PAGES_1,
            PAGE,
            b"<< /Length 4 0 R >>\nstream\nabc\nendstream",
        ],
        "/Root 1 0 R",
    );
    let reader = PdfReader::new(pdf).unwrap();
    assert_eq!(
        reader.resolve(r(4, 0)).unwrap().as_stream().unwrap().data,
        b"abc"
    );
}

#[test]
fn a_reference_chain_is_bounded() {
    // 1 0 R -> 2 0 R -> 1 0 R -> ...
    let pdf = simple_pdf("1.7", &[b"2 0 R", b"1 0 R"], "/Root 1 0 R");
    let reader = PdfReader::new(pdf).unwrap();
    assert!(matches!(
        reader.deref(&Object::Reference(r(1, 0))),
        Err(Error::LimitExceeded { .. })
    ));
}

#[test]
fn every_truncation_of_a_file_gives_an_error_or_a_result_never_a_panic() {
    for name in [
        "pyhanko/minimal.pdf",
        "pyhanko/minimal-xref.pdf",
        "pyhanko/minimal-hybrid-xref.pdf",
        "objstm-two-fields.pdf",
    ] {
        let bytes = fixture(name);
        for cut in 0..bytes.len() {
            let reader = match PdfReader::new(bytes[..cut].to_vec()) {
                Ok(reader) => reader,
                Err(_) => continue,
            };
            let _ = reader.catalog();
            let _ = reader.page_ref(0);
            let _ = reader.page_refs();
        }
    }
}

// ----- size and laziness -----

/// A file with `n` pages in a tree of pages nodes holding `fanout` kids each.
fn many_pages_pdf(n: usize, fanout: usize) -> Vec<u8> {
    // Object numbers: 1 catalog, 2 root, then pages nodes, then pages.
    let mut b = Builder::new("1.7");
    let mut entries = vec![(0, 65535, None)];
    let mut next = 3u32;
    let mut level: Vec<u32> = (0..n)
        .map(|_| {
            next += 1;
            next - 1
        })
        .collect();
    let page_nums = level.clone();
    let mut parents = std::collections::HashMap::new();
    let mut nodes: Vec<(u32, Vec<u32>, usize)> = Vec::new(); // num, kids, count
    let mut counts: std::collections::HashMap<u32, usize> = level.iter().map(|&p| (p, 1)).collect();
    while level.len() > fanout {
        let mut up = Vec::new();
        for chunk in level.chunks(fanout) {
            let num = next;
            next += 1;
            let count = chunk.iter().map(|k| counts[k]).sum();
            counts.insert(num, count);
            for &k in chunk {
                parents.insert(k, num);
            }
            nodes.push((num, chunk.to_vec(), count));
            up.push(num);
        }
        level = up;
    }
    for &k in &level {
        parents.insert(k, 2);
    }
    nodes.push((2, level.clone(), n));
    entries.push((1, 0, Some(b.object(1, 0, CATALOG))));
    for (num, kids, count) in &nodes {
        let kids: Vec<String> = kids.iter().map(|k| format!("{k} 0 R")).collect();
        let parent = parents
            .get(num)
            .map(|p| format!("/Parent {p} 0 R"))
            .unwrap_or_default();
        let body = format!(
            "<< /Type /Pages {parent} /Kids [{}] /Count {count} >>",
            kids.join(" ")
        );
        entries.push((*num, 0, Some(b.object(*num, 0, body.as_bytes()))));
    }
    for (i, &p) in page_nums.iter().enumerate() {
        let body = format!(
            "<< /Type /Page /Parent {} 0 R /MediaBox [0 0 595 842] /PageNo {i} >>",
            parents[&p]
        );
        entries.push((p, 0, Some(b.object(p, 0, body.as_bytes()))));
    }
    entries.sort_by_key(|e| e.0);
    b.xref(&entries, &format!("/Size {next} /Root 1 0 R"));
    b.out
}

#[test]
fn resolves_page_499_of_a_500_page_file_quickly() {
    for fanout in [500, 10, 3] {
        let pdf = many_pages_pdf(500, fanout);
        let start = Instant::now();
        let reader = PdfReader::new(pdf).unwrap();
        assert_eq!(reader.page_count().unwrap(), 500);
        let page = reader.resolve_dict(reader.page_ref(499).unwrap()).unwrap();
        assert_eq!(page.get("PageNo"), Some(&Object::Integer(499)));
        let page = reader.resolve_dict(reader.page_ref(137).unwrap()).unwrap();
        assert_eq!(page.get("PageNo"), Some(&Object::Integer(137)));
        let elapsed = start.elapsed();
        assert!(
            elapsed < Duration::from_secs(2),
            "fanout {fanout}: {elapsed:?}"
        );
        let all = reader.page_refs().unwrap();
        assert_eq!(all.len(), 500);
        assert_eq!(all[499], reader.page_ref(499).unwrap());
    }
}

/// A source that counts the bytes read through it.
struct Counting {
    data: Vec<u8>,
    read: AtomicU64,
}

impl Source for Counting {
    fn len(&self) -> u64 {
        self.data.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.data.as_slice().read_at(offset, buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[test]
fn opening_a_large_file_reads_only_what_it_needs() {
    // 40 MB of image data between the page and the xref table.
    let big = vec![b'x'; 40 << 20];
    let mut image = format!(
        "<< /Type /XObject /Subtype /Image /Length {} >>\nstream\n",
        big.len()
    )
    .into_bytes();
    image.extend_from_slice(&big);
    image.extend_from_slice(b"\nendstream");
    let pdf = simple_pdf(
        "1.7",
        &[
            CATALOG,
            PAGES_1,
            b"<< /Type /Page /Parent 2 0 R /Resources << /XObject << /Im0 4 0 R >> >> >>",
            &image,
        ],
        "/Root 1 0 R",
    );
    drop(big);
    let source = Counting {
        data: pdf,
        read: AtomicU64::new(0),
    };
    let reader = PdfReader::new(&source).unwrap();
    assert_one_page(&reader);
    let read = source.read.load(Ordering::Relaxed);
    assert!(read < 64 << 10, "read {read} bytes of a 40 MB file");
}

#[test]
fn reads_through_a_file_handle() {
    let mut tmp = tempfile::NamedTempFile::new().unwrap();
    tmp.write_all(&fixture("pyhanko/minimal-two-pages.pdf"))
        .unwrap();
    let reader = PdfReader::new(std::fs::File::open(tmp.path()).unwrap()).unwrap();
    assert_eq!(reader.page_count().unwrap(), 2);
    assert_eq!(reader.page_refs().unwrap().len(), 2);
    // Sharing one reader across threads.
    let reader = std::sync::Arc::new(reader);
    let handles: Vec<_> = (0..2)
        .map(|i| {
            let reader = reader.clone();
            std::thread::spawn(move || reader.page_ref(i).unwrap())
        })
        .collect();
    let pages: Vec<ObjRef> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_ne!(pages[0], pages[1]);
}
