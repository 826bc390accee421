//! Runs the whole signature validation over arbitrary bytes (seed it with signed PDFs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = kyso_pdf::verify::ValidationOptions::new(Vec::new());
    let _ = kyso_pdf::verify::validate(&data.to_vec(), &options);
});
