//! The report of a detached CMS signature checked over its content: what `kyso verify-cms
//! --json` prints and `kyso serve` answers, from one function.

use serde::Serialize;

use super::{SignedDataInfo, VerifiedSignature, der_from_der_or_pem};
use crate::Error;

/// What the trust field of every [`DetachedReport`] says: the signer's certificate is not
/// validated against a trust anchor by this check.
pub const TRUST_NOT_CHECKED: &str = "not checked";

/// The outcome of [`check_detached`], serializable as a stable JSON report.
#[derive(Clone, Debug, Serialize)]
pub struct DetachedReport {
    /// The digest, the signature value and the signed attributes all hold.
    pub valid: bool,
    /// Always [`TRUST_NOT_CHECKED`].
    pub trust: &'static str,
    /// The verified signature, when `valid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<VerifiedSignature>,
    /// Which check failed (`structure`, `digest`, `signature`, `signing-certificate`,
    /// `algorithm`, `signed-attributes`), when not `valid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_step: Option<&'static str>,
    /// The failure, in words, when not `valid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Parses `signature` (DER, or PEM `PKCS7`/`CMS`) and checks it over `data`; the parsed
/// SignedData comes back too when it parsed, for a text rendering of its signer.
pub fn check_detached(data: &[u8], signature: &[u8]) -> (Option<SignedDataInfo>, DetachedReport) {
    let info = der_from_der_or_pem(signature).and_then(|der| SignedDataInfo::parse(&der));
    let (info, result) = match info {
        Ok(info) => {
            let result = info.verify_content(data);
            (Some(info), result)
        }
        Err(e) => (None, Err(e)),
    };
    let report = match result {
        Ok(v) => DetachedReport {
            valid: true,
            trust: TRUST_NOT_CHECKED,
            signature: Some(v),
            failed_step: None,
            error: None,
        },
        Err(e) => DetachedReport {
            valid: false,
            trust: TRUST_NOT_CHECKED,
            signature: None,
            failed_step: Some(step(&e)),
            error: Some(e.to_string()),
        },
    };
    (info, report)
}

/// The check an error belongs to.
fn step(e: &Error) -> &'static str {
    match e {
        Error::DigestMismatch { .. } | Error::DigestLength { .. } => "digest",
        Error::BadSignature { .. } => "signature",
        Error::SigningCertificateMismatch { .. } => "signing-certificate",
        Error::UnsupportedAlgorithm(_) | Error::Sha1NotAllowed { .. } => "algorithm",
        Error::MissingAttribute { .. }
        | Error::MalformedAttribute { .. }
        | Error::ContentTypeMismatch { .. }
        | Error::AlgorithmProtectionMismatch { .. } => "signed-attributes",
        _ => "structure",
    }
}
