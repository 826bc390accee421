//! The one place the verifier checks a signature value: kyso-cert's signature primitive
//! ([`kyso_cert::verify_signature_with`], [`kyso_cert::verify_prehashed_with`]), with its
//! errors mapped to this crate's.

use kyso_cert::Certificate;
use spki::AlgorithmIdentifierOwned;

use super::algorithm::describe_oid;
use crate::{DigestAlgorithm, Error, Result};

/// Checks `signature` over `message` with `certificate`'s public key under `algorithm` (the
/// `SignerInfo`'s `signatureAlgorithm` as it is); `digest` is the `digestAlgorithm`, used when
/// `algorithm` names only a key type (`rsaEncryption`, `id-ecPublicKey`).
pub(crate) fn verify(
    certificate: &Certificate,
    algorithm: &AlgorithmIdentifierOwned,
    digest: DigestAlgorithm,
    allow_sha1: bool,
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    kyso_cert::verify_signature_with(
        certificate,
        algorithm,
        message,
        signature,
        &options(digest, allow_sha1),
    )
    .map_err(cms_error)
}

/// Like [`verify`], for a message already hashed with `digest`: `hashed` is its hash.
pub(crate) fn verify_prehashed(
    certificate: &Certificate,
    algorithm: &AlgorithmIdentifierOwned,
    digest: DigestAlgorithm,
    allow_sha1: bool,
    hashed: &[u8],
    signature: &[u8],
) -> Result<()> {
    kyso_cert::verify_prehashed_with(
        certificate,
        algorithm,
        hashed,
        signature,
        &options(digest, allow_sha1),
    )
    .map_err(cms_error)
}

fn options(digest: DigestAlgorithm, allow_sha1: bool) -> kyso_cert::VerifyOptions {
    kyso_cert::VerifyOptions {
        allow_sha1,
        digest: Some(digest),
    }
}

fn cms_error(e: kyso_cert::Error) -> Error {
    match e {
        kyso_cert::Error::SignatureMismatch
        | kyso_cert::Error::KeyMismatch { .. }
        | kyso_cert::Error::InvalidPublicKey { .. } => Error::BadSignature {
            reason: e.to_string(),
        },
        kyso_cert::Error::UnsupportedAlgorithm { oid, reason } => Error::UnsupportedAlgorithm(
            format!("signature algorithm {}: {reason}", describe_oid(&oid)),
        ),
        kyso_cert::Error::Sha1NotAllowed { .. } => Error::Sha1NotAllowed {
            what: "signature algorithm",
        },
        other => Error::Certificate(other),
    }
}
