//! Certificate parsing takes untrusted bytes: whatever they are, no panic.

mod common;

use kyso_cert::Certificate;
use proptest::prelude::*;

/// Everything a caller may ask of a parsed certificate; none of it may panic.
fn exercise(cert: &Certificate) {
    let _ = cert.subject().to_string();
    let _ = cert.issuer().to_string();
    let _ = cert.is_valid_at(cert.not_before());
    let _ = cert.key_usage();
    let _ = cert.extended_key_usage();
    let _ = cert.is_ca();
    let _ = cert.subject_key_identifier();
    let _ = cert.authority_key_identifier();
    let _ = cert.fingerprint_sha256();
    let _ = cert.is_self_issued();
}

fn der_of(name: &str) -> Vec<u8> {
    common::fixture(name).der().to_vec()
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(certs) = Certificate::all_from_der_or_pem(&bytes) {
            certs.iter().for_each(exercise);
        }
    }

    #[test]
    fn mutated_certificates_never_panic(
        file in prop::sample::select(vec![
            "vn-signer.pem", "vn-universalstring.pem", "vn-bmpstring.pem", "vn-ec-signer.pem",
        ]),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut der = der_of(file);
        for (index, byte) in edits {
            let at = index.index(der.len());
            der[at] = byte;
        }
        if let Ok(cert) = Certificate::from_der(&der) {
            exercise(&cert);
        }
    }

    #[test]
    fn truncated_certificates_are_errors(cut in 1usize..400) {
        let der = der_of("vn-universalstring.pem");
        let end = der.len().saturating_sub(cut);
        prop_assert!(Certificate::from_der(&der[..end]).is_err());
    }
}
