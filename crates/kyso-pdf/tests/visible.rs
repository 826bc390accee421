//! Visible signatures, judged by independent software: pages rendered by poppler (`pdftoppm`)
//! and MuPDF (`mutool draw`) against golden images, text read back by `pdftotext`, the
//! Decree 30/2020 presets' geometry, a three-signer document accepted by pyHanko, pdfsig and
//! kyso after every step, and the errors a clerk meets.
//!
//! The documents under `fixtures/visible` were written by ReportLab, fpdf2 and pypdf
//! (`fixtures/visible/make.py`), not by kyso.
//!
//! Golden images: `tests/golden/visible/*.png`, rendered at 40 dpi. Two renderings match when
//! at most 0.5 % of the pixels differ by more than 64 (of 255) in some channel — room for
//! anti-aliasing and a renderer update, none for a stamp in the wrong place or a missing
//! letter. `KYSO_UPDATE_GOLDEN=1` rewrites them.

#[allow(dead_code)]
#[path = "attacks/build.rs"]
mod build;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kyso_pdf::appearance::page::POINTS_PER_MM;
use kyso_pdf::appearance::preset::{CopyForm, Preset, STAMP_MARGIN_MM, TEXT_SIZE};
use kyso_pdf::appearance::{
    Anchor, AnchorSide, Appearance, Corner, Font, Image, Layout, PageGeometry, Placement,
};
use kyso_pdf::verify::{Coverage, Verdict};
use kyso_pdf::{Error, Object, PdfReader, PdfSigner, SignOptions, VisibleSignature};
use kyso_testkit::{LeafKind, TestPki, validators};

/// 03:15:09 01/12/2026 in Hà Nội.
fn signing_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_069_709)
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/visible")
        .join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("fixture")
}

fn image(name: &str) -> Image {
    Image::from_file(&fixture(name)).expect("image")
}

fn sign_visible(input: &[u8], visible: VisibleSignature) -> Result<Vec<u8>, Error> {
    PdfSigner::new(SignOptions {
        visible: Some(visible),
        signing_time: Some(signing_time()),
        ..SignOptions::default()
    })
    .sign_bytes(input, &build::signer())
}

fn preset(input: &[u8], preset: &Preset, placement: Option<Placement>) -> Vec<u8> {
    let v = VisibleSignature::from_preset(preset, signing_time(), placement).expect("preset");
    sign_visible(input, v).expect("sign")
}

fn official() -> Preset {
    Preset::Personal {
        image: image("chu-ky.png"),
    }
}

fn between_title_and_name() -> Placement {
    Placement::Between {
        page: None,
        above: "CHỦ TỊCH".into(),
        below: "Trần Văn Đức".into(),
        gap: 2.0,
    }
}

fn seal() -> Preset {
    Preset::Organisation {
        seal: image("con-dau.png"),
        diameter_mm: None,
        caption: None,
        over_field: None,
    }
}

fn copy_stamp() -> Preset {
    Preset::Copy {
        form: CopyForm::SaoY,
        organisation: "Sở Thông tin và Truyền thông".into(),
    }
}

/// The widgets of signed signature fields, in form order: (page index, /Rect).
fn signature_widgets(pdf: &[u8]) -> Vec<(usize, [f64; 4])> {
    let reader = PdfReader::new(pdf).expect("read");
    let catalog = reader.catalog().expect("catalog");
    let af = reader
        .deref(catalog.get("AcroForm").expect("form"))
        .expect("form");
    let pages = reader.page_refs().expect("pages");
    kyso_pdf::form::list_fields(&reader, af.as_dict().expect("dict"))
        .expect("fields")
        .into_iter()
        .filter(|f| f.dict.get("V").is_some())
        .map(|f| {
            let rect: Vec<f64> = f
                .dict
                .get("Rect")
                .and_then(Object::as_array)
                .expect("rect")
                .iter()
                .map(|v| v.as_f64().expect("number"))
                .collect();
            let page = f.dict.get("P").and_then(Object::as_reference).expect("/P");
            (
                pages.iter().position(|p| *p == page).expect("page"),
                [rect[0], rect[1], rect[2], rect[3]],
            )
        })
        .collect()
}

fn kyso_accepts_without_modification(pdf: &Vec<u8>, signatures: usize) {
    let report = build::validate_bytes(pdf);
    assert_eq!(report.signatures.len(), signatures, "{report:#?}");
    for s in &report.signatures {
        assert_eq!(s.verdict, Verdict::Valid, "{report:#?}");
        assert!(
            matches!(
                s.coverage,
                Coverage::WholeFile | Coverage::RevisionPlusAllowedChanges
            ),
            "{report:#?}"
        );
        assert!(
            s.warnings.iter().all(|w| !w.contains("drawn over")),
            "the intended overlap is not reported: {:?}",
            s.warnings
        );
    }
}

/// pyHanko and pdfsig: the newest signature covers the whole file; each earlier one is
/// intact and trusted, and (pyHanko) followed only by signing and form filling.
fn external_validators_accept(pdf: &[u8], signatures: usize) {
    use validators::ModificationLevel as Level;
    let pki = TestPki::get();
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("signed.pdf");
    std::fs::write(&path, pdf).expect("write");
    let pyhanko = validators::pyhanko_validate(&path, pki.root_pem());
    assert_eq!(pyhanko.len(), signatures);
    let (last, earlier) = pyhanko.split_last().expect("signatures");
    assert!(last.is_fully_valid(), "{last:#?}");
    for s in earlier {
        assert!(
            s.intact && s.valid && s.trusted && s.bottom_line && s.error.is_none(),
            "{s:#?}"
        );
        assert!(
            matches!(s.modification_level, Some(Level::FormFilling)),
            "{s:#?}"
        );
    }
    let pdfsig = validators::pdfsig_verify(&path, pki.nss_db());
    assert_eq!(pdfsig.len(), signatures, "{pdfsig:#?}");
    let (last, earlier) = pdfsig.split_last().expect("signatures");
    assert!(last.is_fully_valid(), "{last:#?}");
    assert!(
        earlier
            .iter()
            .all(|s| s.signature_valid && s.certificate_trusted),
        "{earlier:#?}"
    );
}

/// The three-signer document: the official's signature image between title and name, the
/// organisation's seal over it, a second agency's copy stamp — three keys, as three people
/// and offices sign (pdfsig, through NSS, cannot tell apart two signatures by one
/// certificate: the second gets "Unknown issue with Certificate"); each step's output.
fn three_signers(time: SystemTime) -> [Vec<u8>; 3] {
    let at = |input: &[u8], p: &Preset, placement, kind: LeafKind| {
        let v = VisibleSignature::from_preset(p, time, placement).expect("preset");
        let leaf = TestPki::get().leaf(kind);
        let signer = kyso_token::SoftwareSigner::from_pem_files(
            &leaf.key_pem,
            &leaf.cert_pem,
            Some(&leaf.chain_pem),
            None,
        )
        .expect("test key");
        PdfSigner::new(SignOptions {
            visible: Some(v),
            signing_time: Some(time),
            ..SignOptions::default()
        })
        .sign_bytes(input, &signer)
        .expect("sign")
    };
    let doc = read("quyet-dinh.pdf");
    let one = at(
        &doc,
        &official(),
        Some(between_title_and_name()),
        LeafKind::Rsa2048,
    );
    let two = at(&one, &seal(), None, LeafKind::P256);
    let three = at(&two, &copy_stamp(), None, LeafKind::Rsa3072Pss);
    [one, two, three]
}

#[test]
fn three_signers_official_seal_and_second_agency_stay_valid_in_kyso_pyhanko_and_pdfsig() {
    // Signed now: pdfsig checks the certificate at the claimed signing time, and the test
    // PKI is made when the tests first run.
    let steps = three_signers(SystemTime::now());
    for (i, step) in steps.iter().enumerate() {
        kyso_accepts_without_modification(step, i + 1);
        external_validators_accept(step, i + 1);
    }
    assert!(steps[2].starts_with(&steps[1]) && steps[1].starts_with(&steps[0]));
}

#[test]
fn three_signer_page_renders_as_its_golden_image_in_poppler_and_mupdf() {
    let [_, _, three] = three_signers(signing_time());
    for renderer in [Renderer::Poppler, Renderer::Mupdf] {
        compare_with_golden(&three, renderer, "quyet-dinh-ba-chu-ky");
    }
}

#[test]
fn official_signature_sits_between_title_and_name_and_the_seal_covers_its_left_third() {
    let doc = read("quyet-dinh.pdf");
    let one = preset(&doc, &official(), Some(between_title_and_name()));
    let two = preset(&one, &seal(), None);
    let widgets = signature_widgets(&two);
    let (sig, seal) = (widgets[0].1, widgets[1].1);

    // Between: above the name's line (baseline 190) and below the title's (baseline 284).
    assert!(sig[1] > 190.0 && sig[3] < 284.0, "{sig:?}");
    // The image keeps its aspect (600 × 240 pixels).
    let aspect = (sig[2] - sig[0]) / (sig[3] - sig[1]);
    assert!((aspect - 2.5).abs() < 0.01, "{aspect}");

    // The seal at its real size: the PNG says 425 px at 300 dpi, 35.98 mm.
    let diameter = 425.0 / 300.0 * 25.4 * POINTS_PER_MM;
    assert!(((seal[2] - seal[0]) - diameter).abs() < 0.01, "{seal:?}");
    // Its right edge a third of the way into the signature image: it covers the left third.
    let third = sig[0] + (sig[2] - sig[0]) / 3.0;
    assert!((seal[2] - third).abs() < 0.01, "{seal:?} vs {sig:?}");
    let covered = (seal[2] - sig[0]) / (sig[2] - sig[0]);
    assert!((covered - 1.0 / 3.0).abs() < 0.001);
    // Centred on the image vertically.
    let (cs, cg) = ((seal[1] + seal[3]) / 2.0, (sig[1] + sig[3]) / 2.0);
    assert!((cs - cg).abs() < 0.01);
}

#[test]
fn copy_stamp_is_top_right_of_page_one_in_ten_point_type_with_vietnam_time() {
    let signed = preset(&read("quyet-dinh.pdf"), &copy_stamp(), None);
    let (page, rect) = signature_widgets(&signed)[0];
    assert_eq!(page, 0);
    let (right, top) = STAMP_MARGIN_MM;
    assert!(
        (rect[2] - (595.276 - right * POINTS_PER_MM)).abs() < 0.01,
        "{rect:?}"
    );
    assert!(
        (rect[3] - (841.89 - top * POINTS_PER_MM)).abs() < 0.01,
        "{rect:?}"
    );

    let built = copy_stamp().build(signing_time()).expect("preset");
    let drawing = built
        .appearance
        .layout(built.size.0, built.size.1)
        .expect("layout");
    let text = drawing.text.expect("text");
    assert_eq!(text.size, TEXT_SIZE);
    assert_eq!(TEXT_SIZE, 10.0);
    assert!(
        drawing.image.is_none(),
        "no image on a copy (Phần II, Mục I, 3b)"
    );
    let lines: Vec<_> = text.lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        lines,
        [
            "SAO Y",
            "Sở Thông tin và Truyền thông",
            "Thời gian ký: 03:15:09 01/12/2026 +07:00"
        ]
    );
    assert_eq!(
        built.appearance.color,
        kyso_pdf::appearance::Rgb(0.0, 0.0, 0.0)
    );

    let page_text = pdftotext(&signed, 1);
    assert!(
        page_text.contains("Thời gian ký: 03:15:09 01/12/2026 +07:00"),
        "{page_text}"
    );
}

#[test]
fn attachment_stamp_shows_the_main_documents_number_and_time_top_right() {
    let p = Preset::Attachment {
        document_number: "125/QĐ-UBND".into(),
        organisation: Some("Ủy ban nhân dân tỉnh Đắk Nông".into()),
    };
    let signed = preset(&read("cong-van.pdf"), &p, None);
    let (page, rect) = signature_widgets(&signed)[0];
    assert_eq!(page, 0);
    assert!(
        rect[3] > 841.89 - 10.0 * POINTS_PER_MM && rect[2] > 500.0,
        "{rect:?}"
    );
    let text = pdftotext(&signed, 1);
    for s in [
        "Kèm theo văn bản số 125/QĐ-UBND",
        "03:15:09 01/12/2026 +07:00",
        "Ủy ban nhân dân tỉnh Đắk Nông",
    ] {
        assert!(text.contains(s), "{s} in {text}");
    }
    build::validate_bytes(&signed);
}

/// A page with nothing on it (no text of its own to mix up with the appearance's).
fn blank_page() -> Vec<u8> {
    use build::{pdf, r};
    build::write_document(
        &[
            (r(1), pdf("<< /Type /Catalog /Pages 2 0 R >>")),
            (r(2), pdf("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")),
            (
                r(3),
                pdf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"),
            ),
        ],
        r(1),
    )
}

#[test]
fn vietnamese_text_is_extracted_exactly_and_the_font_is_a_small_subset() {
    let names = [
        "Nguyễn Thị Lấp Lánh Ánh",
        "Ủy ban nhân dân tỉnh Đắk Nông",
        "Sở Thông tin và Truyền thông",
        "Trần Văn Đức",
    ];
    let visible = VisibleSignature {
        appearance: Appearance::text(names.join("\n")),
        placement: Placement::Rect {
            page: 0,
            rect: [50.0, 50.0, 350.0, 200.0],
        },
        size: (0.0, 0.0),
    };
    let signed = sign_visible(&blank_page(), visible).expect("sign");
    let text = pdftotext(&signed, 1);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines, names, "pdftotext reads back the appearance");

    // The embedded font: a subset with a tag, far smaller than the 393 576-byte original.
    let reader = PdfReader::new(signed.as_slice()).expect("read");
    let mut font_files = Vec::new();
    for (r, _) in reader.xref_entries() {
        if let Ok(Object::Stream(s)) = reader.resolve(r)
            && let Some(len) = s.dict.get("Length1").and_then(Object::as_i64)
        {
            font_files.push((len, s.data.len()));
        }
        if let Ok(Object::Dict(d)) = reader.resolve(r)
            && d.get("Subtype").is_some_and(|s| s.is_name("Type0"))
        {
            let base = d.get("BaseFont").and_then(Object::as_name).expect("name");
            let base = String::from_utf8_lossy(base);
            assert!(
                base.ends_with("+LiberationSerif") && base.len() == 22,
                "{base}"
            );
        }
    }
    assert_eq!(font_files.len(), 1, "one embedded font");
    let (subset, compressed) = font_files[0];
    assert!(subset < 40_000, "subset is {subset} bytes");
    assert!(
        compressed < 25_000,
        "compressed subset is {compressed} bytes"
    );
}

#[test]
fn placeholder_anchor_written_by_fpdf2_is_covered_centred() {
    let visible = VisibleSignature {
        appearance: Appearance::text("Nguyễn Thị Lấp Lánh Ánh"),
        placement: Placement::Anchor(Anchor {
            text: "[ky-so]".into(),
            page: None,
            side: AnchorSide::Over,
            gap: 0.0,
        }),
        size: (150.0, 30.0),
    };
    let signed = sign_visible(&read("cong-van.pdf"), visible).expect("sign");
    let (_, rect) = signature_widgets(&signed)[0];
    // fpdf2 drew "[ky-so]" centred in a 60 mm cell at x = 120 mm, 215 mm from the top.
    let centre_x = (120.0 + 30.0) * POINTS_PER_MM;
    let centre_y = 841.89 - (215.0 + 5.0) * POINTS_PER_MM;
    assert!(
        ((rect[0] + rect[2]) / 2.0 - centre_x).abs() < 2.0,
        "{rect:?}"
    );
    assert!(
        ((rect[1] + rect[3]) / 2.0 - centre_y).abs() < 4.0,
        "{rect:?}"
    );
    assert!(((rect[2] - rect[0]) - 150.0).abs() < 0.01);
}

#[test]
fn label_anchor_written_by_reportlab_puts_the_box_below_it() {
    let visible = VisibleSignature {
        appearance: Appearance::text("Đã ký"),
        placement: Placement::Anchor(Anchor {
            text: "Nơi nhận:".into(),
            page: None,
            side: AnchorSide::Below,
            gap: 2.0,
        }),
        size: (100.0, 20.0),
    };
    let signed = sign_visible(&read("quyet-dinh.pdf"), visible).expect("sign");
    let (_, rect) = signature_widgets(&signed)[0];
    // "Nơi nhận:" starts at x = 85 on the baseline y = 300 (12 pt).
    assert!((rect[0] - 85.0).abs() < 0.5, "{rect:?}");
    assert!(rect[3] < 300.0 && rect[3] > 290.0, "{rect:?}");
}

#[test]
fn rotated_page_with_moved_origin_gets_the_stamp_at_its_displayed_top_right() {
    let doc = read("quyet-dinh-xoay.pdf");
    let reader = PdfReader::new(doc.as_slice()).expect("read");
    let geometry =
        PageGeometry::read(&reader, reader.page_ref(0).expect("page")).expect("geometry");
    assert_eq!(geometry.rotate, 90);
    assert_eq!(geometry.visible[0], 100.0);
    let signed = preset(&doc, &copy_stamp(), None);
    let (_, rect) = signature_widgets(&signed)[0];
    let shown = geometry.user_rect_to_displayed(rect);
    let (w, h) = geometry.displayed_size();
    let (right, top) = STAMP_MARGIN_MM;
    assert!(
        (shown[2] - (w - right * POINTS_PER_MM)).abs() < 0.01,
        "{shown:?}"
    );
    assert!(
        (shown[3] - (h - top * POINTS_PER_MM)).abs() < 0.01,
        "{shown:?}"
    );
    // The text reads upright on screen: pdftotext (which follows /Rotate) reads it whole.
    assert!(pdftotext(&signed, 1).contains("Sở Thông tin và Truyền thông"));
    for renderer in [Renderer::Poppler, Renderer::Mupdf] {
        compare_with_golden(&signed, renderer, "quyet-dinh-xoay-ban-sao");
    }
}

#[test]
fn millimetres_from_a_corner_measure_the_displayed_page() {
    let visible = VisibleSignature {
        appearance: Appearance::text("Ký số"),
        placement: Placement::Millimetres {
            page: 0,
            corner: Corner::BottomLeft,
            x: 20.0,
            y: 30.0,
            width: 50.0,
            height: 15.0,
        },
        size: (0.0, 0.0),
    };
    let signed = sign_visible(&read("quyet-dinh.pdf"), visible).expect("sign");
    let (_, r) = signature_widgets(&signed)[0];
    for (got, want) in r.iter().zip([20.0, 30.0, 70.0, 45.0]) {
        assert!((got - want * POINTS_PER_MM).abs() < 0.01, "{r:?}");
    }
}

#[test]
fn image_beside_text_and_text_over_image_lay_out_inside_the_box() {
    let mut a = Appearance::text("Ký bởi: Trần Văn Đức\nThời gian ký: 03:15:09 01/12/2026 +07:00");
    a.image = Some(image("chu-ky.png"));
    a.layout = Layout::ImageBesideText { image_share: 0.4 };
    let d = a.layout(240.0, 60.0).expect("layout");
    let [ix, _, iw, _] = d.image.expect("image");
    let text = d.text.expect("text");
    assert!(ix + iw <= 240.0 * 0.4 + 2.0);
    assert!(
        text.lines
            .iter()
            .all(|l| l.x >= ix + iw && l.x + l.width <= 240.0)
    );
    a.layout = Layout::TextOverImage;
    let d = a.layout(240.0, 60.0).expect("layout");
    assert!(d.image.is_some() && d.text.is_some());
    let signed = sign_visible(
        &blank_page(),
        VisibleSignature {
            appearance: a,
            placement: Placement::Rect {
                page: 0,
                rect: [50.0, 600.0, 290.0, 660.0],
            },
            size: (0.0, 0.0),
        },
    )
    .expect("sign");
    build::validate_bytes(&signed);
    assert!(pdftotext(&signed, 1).contains("Ký bởi: Trần Văn Đức"));
}

#[test]
fn signing_into_an_empty_field_made_by_pyhanko_uses_its_rectangle() {
    let dir = tempfile::tempdir().expect("temp");
    let input = dir.path().join("in.pdf");
    let with_field = dir.path().join("field.pdf");
    std::fs::write(&input, read("quyet-dinh.pdf")).expect("write");
    let out = Command::new("pyhanko")
        .args(["sign", "addfields", "--field", "1/300,100,500,160/KyDuyet"])
        .arg(&input)
        .arg(&with_field)
        .output()
        .expect("run pyhanko");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signed = PdfSigner::new(SignOptions {
        field_name: Some("KyDuyet".into()),
        visible: Some(VisibleSignature {
            appearance: Appearance::text("Trần Văn Đức"),
            placement: Placement::Field,
            size: (0.0, 0.0),
        }),
        signing_time: Some(signing_time()),
        ..SignOptions::default()
    })
    .sign_bytes(&std::fs::read(&with_field).expect("read"), &build::signer())
    .expect("sign the field");
    assert_eq!(
        signature_widgets(&signed)[0].1,
        [300.0, 100.0, 500.0, 160.0]
    );
    kyso_accepts_without_modification(&signed, 1);
    external_validators_accept(&signed, 1);
    assert!(pdftotext(&signed, 1).contains("Trần Văn Đức"));
}

#[test]
fn clear_errors_for_a_missing_glyph_a_bad_image_a_box_off_the_page_and_no_anchor() {
    let text_at = |text: &str, rect: [f64; 4]| VisibleSignature {
        appearance: Appearance::text(text),
        placement: Placement::Rect { page: 0, rect },
        size: (0.0, 0.0),
    };
    let doc = read("quyet-dinh.pdf");
    let err = sign_visible(&doc, text_at("Ký 中文", [50.0, 50.0, 250.0, 90.0])).unwrap_err();
    assert!(
        matches!(
            err,
            Error::MissingGlyph {
                character: '中',
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("'中' (U+4E2D)"), "{err}");

    let err = Image::from_bytes(b"GIF89a\x01\x00\x01\x00").unwrap_err();
    assert!(err.to_string().contains("not a PNG or JPEG"), "{err}");

    let err = sign_visible(&doc, text_at("Ký", [500.0, 800.0, 700.0, 860.0])).unwrap_err();
    assert!(matches!(err, Error::RectOffPage { page: 0, .. }), "{err}");

    let err = sign_visible(
        &doc,
        VisibleSignature {
            appearance: Appearance::text("Ký"),
            placement: Placement::Anchor(Anchor {
                text: "[chữ ký ở đây]".into(),
                page: None,
                side: AnchorSide::Over,
                gap: 0.0,
            }),
            size: (100.0, 30.0),
        },
    )
    .unwrap_err();
    assert!(matches!(err, Error::AnchorNotFound { .. }), "{err}");
    assert!(err.to_string().contains("[chữ ký ở đây]"));

    // Decree 30 wants the official's signature a transparent PNG in blue ink.
    let err = Preset::Personal {
        image: image("chu-ky-scan.jpg"),
    }
    .build(signing_time())
    .unwrap_err();
    assert!(err.to_string().contains("transparent background"), "{err}");
    let err = Preset::Personal {
        image: image("con-dau.png"),
    }
    .build(signing_time())
    .unwrap_err();
    assert!(err.to_string().contains("blue"), "{err}");

    // A user-supplied font is held to the same check: DejaVu Sans has no CJK either.
    let dejavu = Font::from_file(Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"));
    if let Ok(font) = dejavu {
        let mut a = Appearance::text("Trần Văn Đức 中");
        a.font = font;
        let err = a.layout(200.0, 40.0).unwrap_err();
        assert!(err.to_string().contains("DejaVuSans"), "{err}");
    }
}

#[test]
fn no_output_is_written_when_the_appearance_fails() {
    let dir = tempfile::tempdir().expect("temp");
    let input = dir.path().join("in.pdf");
    let output = dir.path().join("out.pdf");
    std::fs::write(&input, read("quyet-dinh.pdf")).expect("write");
    let err = PdfSigner::new(SignOptions {
        visible: Some(VisibleSignature {
            appearance: Appearance::text("中"),
            placement: Placement::Rect {
                page: 0,
                rect: [50.0, 50.0, 250.0, 90.0],
            },
            size: (0.0, 0.0),
        }),
        ..SignOptions::default()
    })
    .sign_file(&input, &output, &build::signer())
    .unwrap_err();
    assert!(matches!(err, Error::MissingGlyph { .. }));
    assert!(!output.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "only the input: {leftovers:?}");
}

#[test]
fn a_later_signature_hiding_signed_text_is_reported_with_the_text() {
    let signed = build::genuine_signed(&read("quyet-dinh.pdf"));
    // Over the body line "Theo đề nghị của Giám đốc Sở Thông tin và Truyền thông." (baseline 577).
    let over = |background| {
        let mut appearance = Appearance::text("Đã xem");
        appearance.background = background;
        let doc = sign_visible(
            &signed,
            VisibleSignature {
                appearance,
                placement: Placement::Rect {
                    page: 0,
                    rect: [80.0, 578.0, 300.0, 600.0],
                },
                size: (0.0, 0.0),
            },
        )
        .expect("sign");
        build::validate_bytes(&doc).signatures[0].warnings.clone()
    };
    // An opaque white box: the line is gone from the page.
    let hidden = over(Some(kyso_pdf::appearance::Rgb(1.0, 1.0, 1.0)));
    assert!(
        hidden
            .iter()
            .any(|w| w.contains("drawn over signed text on page 1") && w.contains("Theo đề nghị")),
        "{hidden:?}"
    );
    // The same box transparent: its few letters still hide a few of the line's.
    let transparent = over(None);
    assert!(
        transparent
            .iter()
            .all(|w| !w.contains("Theo đề nghị của Giám đốc")),
        "{transparent:?}"
    );
}

// --- rendering -------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Renderer {
    Poppler,
    Mupdf,
}

fn pdftotext(pdf: &[u8], page: usize) -> String {
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).expect("write");
    let p = page.to_string();
    let out = Command::new("pdftotext")
        .args(["-f", &p, "-l", &p])
        .arg(&path)
        .arg("-")
        .output()
        .expect("run pdftotext (poppler-utils)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Page 1 of `pdf` rendered at 40 dpi: (width, height, RGB pixels).
fn render(pdf: &[u8], renderer: Renderer) -> (u32, u32, Vec<u8>, Vec<u8>) {
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).expect("write");
    let png = dir.path().join("page.png");
    let status = match renderer {
        Renderer::Poppler => Command::new("pdftoppm")
            .args(["-r", "40", "-f", "1", "-l", "1", "-png", "-singlefile"])
            .arg(&path)
            .arg(dir.path().join("page"))
            .status()
            .expect("run pdftoppm"),
        Renderer::Mupdf => Command::new("mutool")
            .args(["draw", "-q", "-r", "40", "-c", "rgb", "-o"])
            .arg(&png)
            .arg(&path)
            .arg("1")
            .status()
            .expect("run mutool (mupdf-tools)"),
    };
    assert!(status.success(), "{renderer:?} failed");
    let bytes = std::fs::read(&png).expect("rendered page");
    let (w, h, rgb) = decode_rgb(&bytes);
    (w, h, rgb, bytes)
}

fn decode_rgb(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("png");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let frame = reader.next_frame(&mut buf).expect("frame");
    buf.truncate(frame.buffer_size());
    let channels = frame.color_type.samples();
    let rgb = buf
        .chunks_exact(channels)
        .flat_map(|p| {
            if channels >= 3 {
                [p[0], p[1], p[2]]
            } else {
                [p[0]; 3]
            }
        })
        .collect();
    (frame.width, frame.height, rgb)
}

fn compare_with_golden(pdf: &[u8], renderer: Renderer, name: &str) {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/visible")
        .join(format!("{name}-{renderer:?}.png").to_lowercase());
    let (w, h, rgb, png) = render(pdf, renderer);
    if std::env::var_os("KYSO_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().expect("dir")).expect("mkdir");
        std::fs::write(&golden, &png).expect("write golden");
        return;
    }
    let (gw, gh, grgb) = decode_rgb(&std::fs::read(&golden).expect("golden image"));
    assert_eq!((w, h), (gw, gh), "{name} {renderer:?}: page size");
    let differing = rgb
        .chunks_exact(3)
        .zip(grgb.chunks_exact(3))
        .filter(|(a, b)| a.iter().zip(*b).any(|(x, y)| x.abs_diff(*y) > 64))
        .count();
    let share = differing as f64 / f64::from(w * h);
    assert!(
        share <= 0.005,
        "{name} {renderer:?}: {differing} pixels ({:.2} %) differ from {}",
        share * 100.0,
        golden.display()
    );
}

/// A page drawing one 200 × 100 pt image XObject at (100, 100): a signed logo, say.
fn page_with_image() -> Vec<u8> {
    use build::{pdf, r, stream};
    build::write_document(
        &[
            (r(1), pdf("<< /Type /Catalog /Pages 2 0 R >>")),
            (r(2), pdf("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")),
            (
                r(3),
                pdf(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
                     /Resources << /XObject << /Im1 5 0 R >> >> >>",
                ),
            ),
            (r(4), stream("<< >>", "q 200 0 0 100 100 100 cm /Im1 Do Q")),
            (
                r(5),
                stream(
                    "<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray \
                     /BitsPerComponent 8 >>",
                    "\u{0}",
                ),
            ),
        ],
        r(1),
    )
}

#[test]
fn a_later_signature_hiding_a_signed_image_is_reported_and_a_transparent_seal_over_it_is_not() {
    let signed = build::genuine_signed(&page_with_image());
    let at = |appearance: Appearance, rect: [f64; 4]| {
        let over = sign_visible(
            &signed,
            VisibleSignature {
                appearance,
                placement: Placement::Rect { page: 0, rect },
                size: (0.0, 0.0),
            },
        )
        .expect("sign");
        build::validate_bytes(&over).signatures[0].warnings.clone()
    };
    let mut opaque = Appearance::text("Đã ký");
    opaque.background = Some(kyso_pdf::appearance::Rgb(1.0, 1.0, 1.0));
    let hiding = at(opaque.clone(), [95.0, 95.0, 305.0, 205.0]);
    assert!(
        hiding
            .iter()
            .any(|w| w.contains("drawn over a signed image on page 1")),
        "{hiding:?}"
    );
    assert!(
        at(opaque, [250.0, 170.0, 350.0, 230.0]).is_empty(),
        "a box on its corner is not hiding it"
    );
    let seal = Appearance::image(image("con-dau.png"));
    assert!(
        at(seal, [95.0, 95.0, 305.0, 205.0]).is_empty(),
        "a transparent seal over it hides nothing"
    );
}

#[test]
fn jpeg_is_embedded_as_is_and_png_alpha_as_a_soft_mask() {
    let at = |image: Image| {
        sign_visible(
            &blank_page(),
            VisibleSignature {
                appearance: Appearance::image(image),
                placement: Placement::Rect {
                    page: 0,
                    rect: [100.0, 100.0, 400.0, 220.0],
                },
                size: (0.0, 0.0),
            },
        )
        .expect("sign")
    };
    let jpeg = read("chu-ky-scan.jpg");
    let signed = at(Image::from_bytes(&jpeg).expect("jpeg"));
    assert!(
        build::find(&signed, &jpeg).is_some(),
        "the JPEG's bytes, unchanged"
    );
    assert!(build::find(&signed, b"/DCTDecode").is_some());
    assert!(build::find(&signed, b"/SMask").is_none());

    let signed = at(image("chu-ky.png"));
    let reader = PdfReader::new(signed.as_slice()).expect("read");
    let masks: Vec<_> = reader
        .xref_entries()
        .filter_map(|(r, _)| match reader.resolve(r) {
            Ok(Object::Stream(s)) => s.dict.get("SMask").and_then(Object::as_reference),
            _ => None,
        })
        .collect();
    assert_eq!(masks.len(), 1, "the signature image has one soft mask");
    let Object::Stream(mask) = reader.resolve(masks[0]).expect("mask") else {
        panic!("the soft mask is a stream")
    };
    let alpha = mask.decoded_data().expect("alpha plane");
    assert_eq!(alpha.len(), 600 * 240);
    assert!(alpha.contains(&0) && alpha.contains(&255));
    // The widget took the image's proportions: 2.5 : 1, as 600 × 240 px.
    let (_, r) = signature_widgets(&signed)[0];
    assert!(((r[2] - r[0]) / (r[3] - r[1]) - 2.5).abs() < 1e-6, "{r:?}");
}

/// The attacker's seal: a PNG with an alpha channel that is opaque nearly everywhere (a white
/// card with one transparent corner) counts as opaque, and hiding signed text with it is
/// reported; the honest ring seal over the same text is not.
#[test]
fn a_nearly_opaque_png_is_not_taken_for_a_transparent_seal() {
    let mut png_bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_bytes, 40, 20);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().expect("header");
        let mut px = vec![255u8; 40 * 20 * 4];
        px[3] = 0; // one transparent pixel
        w.write_image_data(&px).expect("pixels");
    }
    let signed = build::genuine_signed(&read("quyet-dinh.pdf"));
    let at = |image: Image| {
        let over = sign_visible(
            &signed,
            VisibleSignature {
                appearance: Appearance {
                    padding: 0.0,
                    ..Appearance::image(image)
                },
                // Over "Theo đề nghị của Giám đốc" (baseline 577), 2 : 1 like the image.
                placement: Placement::Rect {
                    page: 0,
                    rect: [80.0, 560.0, 200.0, 620.0],
                },
                size: (0.0, 0.0),
            },
        )
        .expect("sign");
        build::validate_bytes(&over).signatures[0].warnings.clone()
    };
    let card = at(Image::from_bytes(&png_bytes).expect("png"));
    assert!(
        card.iter()
            .any(|w| w.contains("drawn over signed text") && w.contains("Theo")),
        "{card:?}"
    );
    assert!(at(image("con-dau.png")).is_empty());
}

/// `signed` plus a Square annotation listed in page `on`'s /Annots, its /P naming page
/// `p_names`, at `rect`, drawn by `content` in a form whose /BBox is the rectangle's size.
fn annotate(signed: &[u8], on: usize, p_names: usize, rect: [f64; 4], content: &str) -> Vec<u8> {
    use build::{pdf, stream};
    let n = build::next_free(signed);
    let (annot, ap) = (build::r(n), build::r(n + 1));
    let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
    let page = build::page_ref(signed, on);
    let named = build::page_ref(signed, p_names);
    let annotation = pdf(&format!(
        "<< /Type /Annot /Subtype /Square /Rect [{} {} {} {}] /P {named} /F 4 /AP << /N {ap} >> >>",
        rect[0], rect[1], rect[2], rect[3]
    ));
    let form = stream(
        &format!("<< /Type /XObject /Subtype /Form /BBox [0 0 {w} {h}] >>"),
        content,
    );
    let holder = build::with_array_item(signed, page, "Annots", annot);
    build::append_update(signed, &[(annot, annotation), (ap, form), holder], &[])
}

/// Over "Theo đề nghị của Giám đốc Sở Thông tin và Truyền thông." (page 1, baseline 576.9;
/// its glyph boxes run from 574.1 to 588.5).
const OVER_THE_LINE: [f64; 4] = [80.0, 570.0, 300.0, 592.0];

fn first_warnings(pdf: &Vec<u8>) -> Vec<String> {
    build::validate_bytes(pdf).signatures[0].warnings.clone()
}

#[test]
fn an_overlay_whose_p_names_a_blank_page_is_judged_on_the_page_that_shows_it() {
    let signed = build::genuine_signed(&read("quyet-dinh.pdf"));
    // Listed on page 1, /P pointing at page 2 (nearly blank there).
    let attacked = annotate(&signed, 0, 1, OVER_THE_LINE, "1 1 1 rg 0 0 220 22 re f");
    let w = first_warnings(&attacked);
    assert!(
        w.iter()
            .any(|w| w.contains("on page 1") && w.contains("Theo đề nghị")),
        "{w:?}"
    );
}

#[test]
fn thin_strips_that_hide_a_line_together_are_reported() {
    let signed = build::genuine_signed(&read("quyet-dinh.pdf"));
    // Strips 2.5 pt wide, 0.5 pt apart: together they cover 83 % of every glyph, one alone
    // less than 60 % of any but the narrowest.
    let strips: String = (0..74)
        .map(|i| format!("{} 0 2.5 22 re f\n", f64::from(i) * 3.0))
        .collect();
    let attacked = annotate(&signed, 0, 0, OVER_THE_LINE, &format!("1 1 1 rg\n{strips}"));
    let w = first_warnings(&attacked);
    assert!(w.iter().any(|w| w.contains("Theo đề nghị")), "{w:?}");
}

#[test]
fn an_appearance_kyso_cannot_follow_counts_as_painting_its_whole_rectangle() {
    let signed = build::genuine_signed(&read("quyet-dinh.pdf"));
    for content in [
        "/Sh1 sh",                      // a shading: paints an area kyso does not measure
        "/GS1 gs 0 0 220 22 re f",      // graphics state parameters
        "1 1 1 rg 0 0 220 22 re f } {", // a token lopdf cannot read, then nothing
    ] {
        let attacked = annotate(&signed, 0, 0, OVER_THE_LINE, content);
        let w = first_warnings(&attacked);
        assert!(
            w.iter().any(|w| w.contains("Theo đề nghị")),
            "{content}: {w:?}"
        );
    }
    // The same over blank paper is still fine.
    let blank = annotate(&signed, 0, 0, [300.0, 400.0, 520.0, 422.0], "/Sh1 sh");
    assert!(first_warnings(&blank).is_empty());
}

#[test]
fn stroked_frames_paint_their_edges_only() {
    let signed = build::genuine_signed(&read("quyet-dinh.pdf"));
    // A 1 pt frame around the line hides nothing; the same rectangle filled hides it.
    let frame = annotate(
        &signed,
        0,
        0,
        OVER_THE_LINE,
        "0 0 1 RG 1 w 0.5 0.5 219 21 re S",
    );
    assert!(
        first_warnings(&frame).is_empty(),
        "{:?}",
        first_warnings(&frame)
    );
    let filled = annotate(&signed, 0, 0, OVER_THE_LINE, "0 0 1 rg 0.5 0.5 219 21 re f");
    assert!(first_warnings(&filled).iter().any(|w| w.contains("Theo")));
}

#[test]
fn each_signer_takes_the_next_free_placeholder() {
    let sign_at_placeholder = |doc: &[u8]| {
        sign_visible(
            doc,
            VisibleSignature {
                appearance: Appearance::text("Đã ký"),
                placement: Placement::Anchor(Anchor {
                    text: "[ky-so]".into(),
                    page: None,
                    side: AnchorSide::Over,
                    gap: 0.0,
                }),
                size: (80.0, 24.0),
            },
        )
    };
    let one = sign_at_placeholder(&read("cong-van.pdf")).expect("first placeholder");
    let two = sign_at_placeholder(&one).expect("second placeholder");
    let widgets = signature_widgets(&two);
    // fpdf2 put the first at x = 120–180 mm, the second at x = 20–80 mm.
    assert!(widgets[0].1[0] > 120.0 * POINTS_PER_MM, "{widgets:?}");
    assert!(widgets[1].1[2] < 80.0 * POINTS_PER_MM, "{widgets:?}");
    let err = sign_at_placeholder(&two).unwrap_err();
    assert!(matches!(err, Error::AnchorNotFound { .. }), "{err}");
}
