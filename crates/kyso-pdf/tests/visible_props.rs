//! Damaged inputs of visible signatures never panic: signature and seal images, fonts, and
//! page content streams searched for anchors — real files with bytes overwritten, the stable
//! toolchain's counterpart of the `appearance_image`, `appearance_font` and `content_text`
//! fuzz targets.

use std::path::Path;

use kyso_pdf::appearance::{Appearance, Font, Image};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).expect("fixture")
}

/// `bytes` with `edits` (position share, value) written over it.
fn damaged(mut bytes: Vec<u8>, edits: &[(f64, u8)]) -> Vec<u8> {
    let len = bytes.len();
    for (at, v) in edits {
        let i = ((*at * len as f64) as usize).min(len - 1);
        bytes[i] = *v;
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn damaged_images_read_or_fail_cleanly(edits in prop::collection::vec((0.0f64..1.0, any::<u8>()), 1..12)) {
        for name in ["tests/fixtures/visible/chu-ky.png", "tests/fixtures/visible/chu-ky-scan.jpg"] {
            if let Ok(image) = Image::from_bytes(&damaged(fixture(name), &edits)) {
                let d = Appearance::image(image).layout(100.0, 40.0).expect("lays out");
                prop_assert!(d.image.is_some());
            }
        }
    }

    #[test]
    fn damaged_fonts_read_or_fail_cleanly(edits in prop::collection::vec((0.0f64..0.05, any::<u8>()), 1..8)) {
        // Edits in the first 5 %: the table directory and the small tables after it.
        let bytes = damaged(fixture("fonts/LiberationSerif-Regular.ttf"), &edits);
        if let Ok(font) = Font::from_bytes(bytes) {
            let _ = font.subset("Trần Văn Đức");
            let mut a = Appearance::text("Nguyễn Thị Lấp Lánh Ánh");
            a.font = font;
            let _ = a.layout(150.0, 30.0);
        }
    }

    #[test]
    fn damaged_pages_extract_or_fail_cleanly(edits in prop::collection::vec((0.0f64..1.0, any::<u8>()), 1..16)) {
        let pdf = damaged(fixture("tests/fixtures/visible/cong-van.pdf"), &edits);
        if let Ok(reader) = kyso_pdf::PdfReader::new(pdf.as_slice())
            && let Ok(page) = reader.page_ref(0)
            && let Ok(text) = kyso_pdf::appearance::text::extract(&reader, page)
        {
            let _ = text.find("[ky-so]");
        }
    }
}
