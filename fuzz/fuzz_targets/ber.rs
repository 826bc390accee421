//! Rewrites arbitrary bytes from BER to DER; when that succeeds, the DER form must read
//! back unchanged (DER is a fixed point of the rewrite).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(form) = kyso_cms::ber::to_der(data) {
        let again = kyso_cms::ber::to_der(form.bytes()).expect("DER reads as BER");
        assert_eq!(again.bytes(), form.bytes());
        assert!(!again.was_rewritten());
    }
});
