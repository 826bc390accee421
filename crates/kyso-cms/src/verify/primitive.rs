//! The one place the verifier checks a signature value: kyso-cert's signature primitive.

use kyso_cert::Certificate;
use spki::AlgorithmIdentifierOwned;

use crate::{Error, Result};

/// Checks `signature` over `message` with `certificate`'s public key under `algorithm`
/// (a combined identifier such as `sha256WithRSAEncryption`, `id-RSASSA-PSS` with
/// parameters, or `ecdsa-with-SHA256`).
pub(crate) fn verify(
    certificate: &Certificate,
    algorithm: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    let _ = (certificate, message, signature);
    Err(Error::UnsupportedAlgorithm(format!(
        "{} (kyso-cert's signature primitive is not available yet)",
        algorithm.oid
    )))
}

/// Checks an RSA PKCS#1 v1.5 `signature` over an already computed `digest` (a
/// `SignerInfo` without signed attributes, [RFC 5652 §5.4]).
///
/// [RFC 5652 §5.4]: https://www.rfc-editor.org/rfc/rfc5652#section-5.4
pub(crate) fn verify_digest(
    certificate: &Certificate,
    algorithm: &AlgorithmIdentifierOwned,
    digest: &[u8],
    signature: &[u8],
) -> Result<()> {
    let _ = (certificate, digest, signature);
    Err(Error::UnsupportedAlgorithm(format!(
        "{} over a digest (kyso-cert's signature primitive is not available yet)",
        algorithm.oid
    )))
}
