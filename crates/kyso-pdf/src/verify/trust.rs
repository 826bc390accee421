//! Trust: a certification path from the signer's certificate to one of the caller's trust
//! anchors, validated at the validation time (RFC 5280 §6.1, by [`kyso_cert::validate_path`]).
//!
//! Per ETSI EN 319 102-1 §5.2.6: no path to an anchor, a missing issuer or a certificate
//! outside its validity with no proof of existence (no timestamp yet) are INDETERMINATE; a
//! path that exists but breaks a rule (bad signature, not a CA, key usage, name constraints)
//! is INVALID.

use std::time::SystemTime;

use kyso_cert::{Certificate, TrustStore, ValidatedPath, ValidationPolicy, validate_path};

use crate::verify::ValidationOptions;
use crate::verify::report::{Reason, ReasonCode};

/// The trust store the options describe: built once per document, used for every signature.
pub fn store(options: &ValidationOptions) -> TrustStore {
    let mut store = TrustStore::from_anchors(options.trust_anchors.iter().cloned());
    for i in &options.intermediates {
        store.add_intermediate(i.clone());
    }
    store
}

/// Validates the signer's path (with the certificates `supplied` by the CMS and the DSS);
/// returns it or why there is no valid path.
pub fn check(
    signer: &Certificate,
    supplied: &[Certificate],
    store: &TrustStore,
    time: SystemTime,
) -> Result<ValidatedPath, Reason> {
    let policy = ValidationPolicy::document_signing(time);
    validate_path(signer, supplied, store, &policy).map_err(|e| path_reason(&e, store))
}

/// Why a certification path failed, as a report reason: INDETERMINATE codes for a missing
/// path or validity, INVALID for a broken rule.
pub fn path_reason(e: &kyso_cert::Error, store: &TrustStore) -> Reason {
    use kyso_cert::Error as E;
    let code = match e {
        E::MissingIssuer { .. } | E::BudgetExceeded { .. } => ReasonCode::NoTrustAnchor,
        E::Expired { .. } | E::NotYetValid { .. } => ReasonCode::CertificateExpired,
        _ => ReasonCode::CertificatePathInvalid,
    };
    let message = if store.anchors().is_empty() {
        format!("no trust anchors were given: {e}")
    } else {
        e.to_string()
    };
    Reason {
        code,
        message,
        change: None,
    }
}
