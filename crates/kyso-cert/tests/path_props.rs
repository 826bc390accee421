//! Path validation and signature verification take untrusted certificates and signatures:
//! whatever the bytes, no panic, and a changed certificate never validates by accident.

mod common;

use std::time::Duration;

use kyso_cert::{Certificate, TrustStore, ValidationPolicy, validate_path, verify_signature};
use proptest::prelude::*;

fn setup() -> (Certificate, Certificate, ValidationPolicy) {
    let root = common::fixture("vn-root-ca.pem");
    let signer = common::fixture("vn-signer.pem");
    let policy = ValidationPolicy::document_signing(signer.not_before() + Duration::from_secs(60));
    (root, signer, policy)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn mutated_signer_never_panics_and_never_validates(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let (root, signer, policy) = setup();
        let mut der = signer.der().to_vec();
        for (index, byte) in &edits {
            let i = index.index(der.len());
            der[i] ^= byte | 1; // always a change
        }
        if let Ok(mutated) = Certificate::from_der(&der) {
            let trust = TrustStore::from_anchors([root]);
            let result = validate_path(&mutated, &[], &trust, &policy);
            // The bytes changed, so either the signature (over the TBS) or the outer
            // signature fields changed: no mutation may validate... except one that only
            // touches the signature BIT STRING's unused tail, which DER forbids anyway.
            prop_assert!(result.is_err() || mutated.der() == signer.der());
        }
    }

    #[test]
    fn mutated_anchor_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let (root, signer, policy) = setup();
        let mut der = root.der().to_vec();
        for (index, byte) in &edits {
            let i = index.index(der.len());
            der[i] ^= byte | 1;
        }
        if let Ok(mutated) = Certificate::from_der(&der) {
            let trust = TrustStore::from_anchors([mutated]);
            let _ = validate_path(&signer, &[], &trust, &policy);
        }
    }

    #[test]
    fn arbitrary_signatures_never_panic(
        signature in proptest::collection::vec(any::<u8>(), 0..600),
        message in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let (root, signer, _) = setup();
        let algorithm = signer.inner().signature_algorithm();
        prop_assert!(verify_signature(&root, algorithm, &message, &signature).is_err());
        let ec = common::fixture("vn-ec-signer.pem");
        let ecdsa_sha256 = spki::AlgorithmIdentifierOwned {
            oid: const_oid::db::rfc5912::ECDSA_WITH_SHA_256,
            parameters: None,
        };
        prop_assert!(verify_signature(&ec, &ecdsa_sha256, &message, &signature).is_err());
    }
}
