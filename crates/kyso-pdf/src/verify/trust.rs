//! Trust: a certification path from the signer's certificate to one of the caller's trust
//! anchors, validated at the validation time (RFC 5280 §6, by kyso-cert).

use std::time::SystemTime;

use kyso_cms::verify::VerifiedSignature;

use crate::verify::ValidationOptions;
use crate::verify::report::{Reason, ReasonCode};

/// Validates the signer's path; returns the anchor's name or why there is no valid path.
pub fn check(
    verified: &VerifiedSignature,
    options: &ValidationOptions,
    time: SystemTime,
) -> Result<String, Reason> {
    let _ = (verified, options, time);
    Err(Reason {
        code: ReasonCode::NoTrustAnchor,
        message: "path validation is not wired in yet".into(),
    })
}
