//! The crypto provider in use is the one the environment asks for (how CI runs the suites under
//! each), and both providers give the same verdicts on real certificates' signatures.

use kyso_cert::crypto::{PROVIDER_ENV, Provider};
use kyso_cert::{Certificate, verify_signature};
use kyso_testkit::{LeafKind, TestPki};

#[test]
fn the_provider_in_use_is_the_one_asked_for() {
    let asked = std::env::var(PROVIDER_ENV)
        .ok()
        .and_then(|name| name.parse::<Provider>().ok())
        .filter(|p| p.is_available());
    let expected = asked.unwrap_or(if Provider::AwsLcRs.is_available() {
        Provider::AwsLcRs
    } else {
        Provider::RustCrypto
    });
    assert_eq!(Provider::current(), expected);
    assert!(Provider::available().contains(&Provider::RustCrypto));
    // The choice is made once: installing another one now is refused, naming the one in use.
    let other = Provider::available().into_iter().find(|p| *p != expected);
    if let Some(other) = other {
        let err = other.install().expect_err("already chosen");
        assert!(err.to_string().contains(expected.name()), "{err}");
    }
    assert!(expected.install().is_ok());
}

#[test]
fn unknown_provider_names_are_refused() {
    let err = "openssl".parse::<Provider>().expect_err("unknown");
    assert!(err.to_string().contains("rustcrypto, aws-lc-rs"), "{err}");
    assert_eq!(
        "aws-lc-rs".parse::<Provider>().ok(),
        Some(Provider::AwsLcRs)
    );
    assert_eq!(
        "RustCrypto".parse::<Provider>().ok(),
        Some(Provider::RustCrypto)
    );
}

/// Every kind of test certificate verifies under its issuer, and one flipped bit in the
/// signature is refused with `SignatureMismatch`, under whichever provider this run uses.
#[test]
fn certificate_signatures_verify_and_a_flipped_bit_is_refused() {
    let pki = TestPki::get();
    let read = |path: &std::path::Path| {
        Certificate::from_pem(&std::fs::read(path).expect("read")).expect("certificate")
    };
    let intermediate = read(pki.intermediate_pem());
    for kind in LeafKind::ALL {
        let leaf = read(&pki.leaf(kind).cert_pem);
        let x509 = leaf.inner();
        let tbs = leaf.tbs_der().expect("tbs");
        let signature = x509.signature().raw_bytes();
        verify_signature(&intermediate, x509.signature_algorithm(), tbs, signature)
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        let mut bad = signature.to_vec();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        let err = verify_signature(&intermediate, x509.signature_algorithm(), tbs, &bad)
            .expect_err("flipped bit");
        assert!(
            matches!(err, kyso_cert::Error::SignatureMismatch),
            "{kind:?}: {err:?}"
        );
    }
}
