//! Parses arbitrary bytes as DER or PEM certificates and reads every field kyso shows.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(certs) = kyso_cert::Certificate::all_from_der_or_pem(data) {
        for cert in certs {
            let _ = cert.subject();
            let _ = cert.issuer();
            let _ = cert.key_usage();
        }
    }
});
