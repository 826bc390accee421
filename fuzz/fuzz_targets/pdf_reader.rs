//! Opens arbitrary bytes as a PDF and walks what the signer reads: trailer, catalog, pages.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(reader) = kyso_pdf::reader::PdfReader::new(data) {
        let _ = reader.catalog();
        if let Ok(n) = reader.page_count() {
            for i in 0..n.min(8) {
                let _ = reader.page_ref(i);
            }
        }
        let _ = reader.revision_ends();
    }
});
