//! Parses arbitrary bytes as a CMS SignedData and verifies it against a fixed digest.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(info) = kyso_cms::verify::SignedDataInfo::parse(data) {
        let digest = vec![0u8; info.digest_algorithm().output_len()];
        let _ = info.verify(&digest);
    }
});
