//! The RustCrypto provider: `rsa` 0.10 (constant-time `crypto-bigint`), `p256` and `p384`,
//! pure Rust. It verifies everything kyso reads — PSS with any salt length, SHA-1 for old
//! signatures, RSA from 1024 bits, any digest with either curve — and is the fallback for what
//! another provider refuses.

use rsa::pkcs1::DecodeRsaPublicKey;
use signature::hazmat::PrehashVerifier;
use spki::SubjectPublicKeyInfoOwned;

use super::{Signed, key_bits};
use crate::algorithm::invalid_key;
use crate::{DigestAlgorithm, EcCurve, Error, Result, SignatureScheme};

/// Verifies `signature` over `signed` with `spki` under `scheme` (already matched to the key's
/// algorithm by the caller).
pub(super) fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    curve: Option<EcCurve>,
    scheme: SignatureScheme,
    signed: Signed<'_>,
    signature: &[u8],
) -> Result<()> {
    let hashed = signed.digest(scheme.digest());
    let hashed = hashed.as_ref();
    let key_bits = key_bits(spki)?;
    match scheme {
        SignatureScheme::RsaPkcs1v15(digest) => {
            let public = rsa_key(key_bits)?;
            // EMSA-PKCS1-v1_5 with the DigestInfo prefix of `digest` (RFC 8017 §9.2).
            let padding = match digest {
                DigestAlgorithm::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                DigestAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                DigestAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                DigestAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            public
                .verify(padding, hashed, signature)
                .map_err(|_| Error::SignatureMismatch)
        }
        SignatureScheme::RsaPss { digest, salt_len } => {
            let public = rsa_key(key_bits)?;
            let salt_len = salt_len as usize;
            let sig =
                rsa::pss::Signature::try_from(signature).map_err(|_| Error::SignatureMismatch)?;
            let result = match digest {
                DigestAlgorithm::Sha1 => {
                    rsa::pss::VerifyingKey::<sha1::Sha1>::new_with_salt_len(public, salt_len)
                        .verify_prehash(hashed, &sig)
                }
                DigestAlgorithm::Sha256 => {
                    rsa::pss::VerifyingKey::<sha2::Sha256>::new_with_salt_len(public, salt_len)
                        .verify_prehash(hashed, &sig)
                }
                DigestAlgorithm::Sha384 => {
                    rsa::pss::VerifyingKey::<sha2::Sha384>::new_with_salt_len(public, salt_len)
                        .verify_prehash(hashed, &sig)
                }
                DigestAlgorithm::Sha512 => {
                    rsa::pss::VerifyingKey::<sha2::Sha512>::new_with_salt_len(public, salt_len)
                        .verify_prehash(hashed, &sig)
                }
            };
            result.map_err(|_| Error::SignatureMismatch)
        }
        SignatureScheme::Ecdsa(_) => match curve {
            Some(EcCurve::P256) => {
                let public = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bits)
                    .map_err(|_| invalid_key("not a P-256 point"))?;
                let sig = p256::ecdsa::Signature::from_der(signature)
                    .map_err(|_| Error::SignatureMismatch)?;
                public
                    .verify_prehash(hashed, &sig)
                    .map_err(|_| Error::SignatureMismatch)
            }
            Some(EcCurve::P384) => {
                let public = p384::ecdsa::VerifyingKey::from_sec1_bytes(key_bits)
                    .map_err(|_| invalid_key("not a P-384 point"))?;
                let sig = p384::ecdsa::Signature::from_der(signature)
                    .map_err(|_| Error::SignatureMismatch)?;
                public
                    .verify_prehash(hashed, &sig)
                    .map_err(|_| Error::SignatureMismatch)
            }
            None => Err(Error::InvalidPublicKey {
                reason: "EC key on a curve kyso does not verify with",
            }),
        },
    }
}

/// Why a key that another provider could not verify with is unusable, if it is: the
/// [`Error::InvalidPublicKey`] this provider would give; `Ok` when the key itself is sound (so
/// the signature is what failed).
#[cfg(feature = "aws-lc-rs")]
pub(super) fn check_key(spki: &SubjectPublicKeyInfoOwned, curve: Option<EcCurve>) -> Result<()> {
    let key_bits = key_bits(spki)?;
    match curve {
        None => rsa_key(key_bits).map(drop),
        Some(EcCurve::P256) => p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bits)
            .map(drop)
            .map_err(|_| invalid_key("not a P-256 point")),
        Some(EcCurve::P384) => p384::ecdsa::VerifyingKey::from_sec1_bytes(key_bits)
            .map(drop)
            .map_err(|_| invalid_key("not a P-384 point")),
    }
}

/// The RSA public key in an `rsaEncryption` / `id-RSASSA-PSS` SPKI: a PKCS #1
/// `RSAPublicKey` ([RFC 8017 §A.1.1]), modulus 1024..=8192 bits.
///
/// [RFC 8017 §A.1.1]: https://www.rfc-editor.org/rfc/rfc8017#appendix-A.1.1
fn rsa_key(bits: &[u8]) -> Result<rsa::PublicKey> {
    rsa::PublicKey::from_pkcs1_der(bits).map_err(|_| invalid_key("not a usable RSA public key"))
}
