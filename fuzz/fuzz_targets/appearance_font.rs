//! Reads arbitrary bytes as a user-supplied font; a font that reads must measure, lay out
//! and subset Vietnamese text or say which character it lacks.
#![no_main]

use kyso_pdf::Error;
use kyso_pdf::appearance::{Appearance, Font};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(font) = Font::from_bytes(data.to_vec()) {
        let text = "Trần Văn Đức";
        match font.subset(text) {
            Ok(_) | Err(Error::MissingGlyph { .. } | Error::Font(_)) => {}
            Err(e) => panic!("unexpected error: {e}"),
        }
        let mut a = Appearance::text(text);
        a.font = font;
        let _ = a.layout(200.0, 40.0);
    }
});
