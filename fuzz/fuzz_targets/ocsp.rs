//! Reads arbitrary bytes as an OCSP response for a fixed certificate and issuer: errors,
//! never a panic.
#![no_main]

use std::sync::OnceLock;
use std::time::SystemTime;

use kyso_cert::Certificate;
use libfuzzer_sys::fuzz_target;

/// A self-signed certificate standing for both the certificate and its issuer.
const CERT: &[u8] = include_bytes!("../../crates/kyso-cli/demo/root.pem");

fuzz_target!(|data: &[u8]| {
    static C: OnceLock<Certificate> = OnceLock::new();
    let c = C.get_or_init(|| Certificate::from_pem(CERT).expect("the demo root"));
    let _ = kyso_cert::ocsp::verify_response(data, c, c, SystemTime::now(), Some(b"n"));
});
