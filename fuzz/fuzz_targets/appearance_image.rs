//! Reads arbitrary bytes as a signature or seal image (PNG decoded, JPEG headers read); an
//! image that reads must lay out in a box.
#![no_main]

use kyso_pdf::appearance::{Appearance, Image};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(image) = Image::from_bytes(data) {
        let (w, h) = image.pixel_size();
        assert!(w > 0 && h > 0);
        let drawing = Appearance::image(image).layout(120.0, 60.0).expect("an image lays out");
        let [x, y, iw, ih] = drawing.image.expect("the image is drawn");
        assert!(x >= 0.0 && y >= 0.0 && x + iw <= 120.0 + 1e-9 && y + ih <= 60.0 + 1e-9);
    }
});
