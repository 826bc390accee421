//! The AWS-LC provider (`aws-lc-rs`): RSA PKCS #1 v1.5 and PSS (salt = digest length) with
//! SHA-2 for keys of 2048 to 8192 bits, ECDSA on P-256 and P-384 with SHA-2. Anything else is
//! left to RustCrypto (`None`).

use aws_lc_rs::signature::{self as lc, UnparsedPublicKey, VerificationAlgorithm};
use spki::SubjectPublicKeyInfoOwned;

use super::{Signed, key_bits};
use crate::{DigestAlgorithm, EcCurve, Error, KeyType, Result, SignatureScheme};

/// Verifies with AWS-LC, or `None` when AWS-LC's API does not offer the combination.
pub(super) fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    curve: Option<EcCurve>,
    scheme: SignatureScheme,
    signed: Signed<'_>,
    signature: &[u8],
) -> Option<Result<()>> {
    use DigestAlgorithm::{Sha256, Sha384, Sha512};
    // AWS-LC verifies a given digest only outside FIPS mode; RustCrypto does it always.
    let Signed::Message(message) = signed else {
        return None;
    };
    let algorithm: &'static dyn VerificationAlgorithm = match (scheme, curve) {
        (SignatureScheme::Ecdsa(digest), Some(curve)) => match (curve, digest) {
            (EcCurve::P256, Sha256) => &lc::ECDSA_P256_SHA256_ASN1,
            (EcCurve::P256, Sha384) => &lc::ECDSA_P256_SHA384_ASN1,
            (EcCurve::P256, Sha512) => &lc::ECDSA_P256_SHA512_ASN1,
            (EcCurve::P384, Sha256) => &lc::ECDSA_P384_SHA256_ASN1,
            (EcCurve::P384, Sha384) => &lc::ECDSA_P384_SHA384_ASN1,
            (EcCurve::P384, Sha512) => &lc::ECDSA_P384_SHA512_ASN1,
            _ => return None,
        },
        (SignatureScheme::RsaPkcs1v15(digest), None) if rsa_in_range(spki) => match digest {
            Sha256 => &lc::RSA_PKCS1_2048_8192_SHA256,
            Sha384 => &lc::RSA_PKCS1_2048_8192_SHA384,
            Sha512 => &lc::RSA_PKCS1_2048_8192_SHA512,
            _ => return None,
        },
        (SignatureScheme::RsaPss { digest, salt_len }, None)
            if salt_len as usize == digest.output_len() && rsa_in_range(spki) =>
        {
            match digest {
                Sha256 => &lc::RSA_PSS_2048_8192_SHA256,
                Sha384 => &lc::RSA_PSS_2048_8192_SHA384,
                Sha512 => &lc::RSA_PSS_2048_8192_SHA512,
                _ => return None,
            }
        }
        _ => return None,
    };
    let key = key_bits(spki).ok()?;
    Some(
        UnparsedPublicKey::new(algorithm, key)
            .verify(message, signature)
            .map_err(|_| Error::SignatureMismatch),
    )
}

/// Whether an RSA key has 2048 to 8192 bits, the range AWS-LC's verification algorithms take.
fn rsa_in_range(spki: &SubjectPublicKeyInfoOwned) -> bool {
    matches!(
        crate::key_type(spki),
        Ok(KeyType::Rsa { modulus_bits, .. }) if (2048..=8192).contains(&modulus_bits)
    )
}
