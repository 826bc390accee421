//! Reads arbitrary bytes as a CRL of a fixed issuer and looks the issuer up in it: errors,
//! never a panic.
#![no_main]

use std::sync::OnceLock;
use std::time::SystemTime;

use kyso_cert::Certificate;
use libfuzzer_sys::fuzz_target;

const CERT: &[u8] = include_bytes!("../../crates/kyso-cli/demo/root.pem");

fuzz_target!(|data: &[u8]| {
    static C: OnceLock<Certificate> = OnceLock::new();
    let c = C.get_or_init(|| Certificate::from_pem(CERT).expect("the demo root"));
    if let Ok(crl) = kyso_cert::crl::verify_crl(data, c, SystemTime::now()) {
        let _ = crl.revocation(c);
    }
});
