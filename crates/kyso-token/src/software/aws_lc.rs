//! A software key's AWS-LC twin: the same private key loaded into `aws-lc-rs`, used when the
//! process's crypto provider is [`Provider::AwsLcRs`](kyso_cert::crypto::Provider). It signs
//! RSA PKCS #1 v1.5 and PSS (salt = digest length) with SHA-2 for keys of 2048 to 8192 bits,
//! and ECDSA on P-256 with SHA-256 and on P-384 with SHA-384; anything else falls back to the
//! RustCrypto key ([`PrivateKey`]), which holds the same secret.
//!
//! AWS-LC's ECDSA nonces are random (from its DRBG, seeded by the OS), RustCrypto's hedged
//! RFC 6979: both are safe; the signatures differ, the verdicts do not.

use std::fmt;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as lc, EcdsaKeyPair, RsaKeyPair};
use kyso_cert::{DigestAlgorithm, SignatureScheme};

use super::key::PrivateKey;
use crate::{Error, Result};

/// The AWS-LC form of a software key.
pub(crate) enum FastKey {
    /// An RSA key pair.
    Rsa(RsaKeyPair),
    /// An ECDSA P-256 key pair, signing with SHA-256.
    P256(EcdsaKeyPair),
    /// An ECDSA P-384 key pair, signing with SHA-384.
    P384(EcdsaKeyPair),
}

impl fmt::Debug for FastKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Rsa(_) => "FastKey::Rsa",
            Self::P256(_) => "FastKey::P256",
            Self::P384(_) => "FastKey::P384",
        })
    }
}

impl FastKey {
    /// Loads `key` into AWS-LC; `None` when AWS-LC refuses it (an RSA key under 2048 bits,
    /// say), and RustCrypto signs alone.
    pub(crate) fn new(key: &PrivateKey) -> Option<Self> {
        let der = key.private_der().ok()?;
        match key {
            PrivateKey::Rsa { .. } => RsaKeyPair::from_der(&der).ok().map(Self::Rsa),
            PrivateKey::P256(_) => {
                EcdsaKeyPair::from_pkcs8(&lc::ECDSA_P256_SHA256_ASN1_SIGNING, &der)
                    .ok()
                    .map(Self::P256)
            }
            PrivateKey::P384(_) => {
                EcdsaKeyPair::from_pkcs8(&lc::ECDSA_P384_SHA384_ASN1_SIGNING, &der)
                    .ok()
                    .map(Self::P384)
            }
        }
    }

    /// Signs `message` with `scheme` (already checked against the key), or `None` when AWS-LC
    /// does not offer the combination.
    pub(crate) fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Option<Result<Vec<u8>>> {
        use DigestAlgorithm::{Sha256, Sha384, Sha512};
        let rng = SystemRandom::new();
        let failed = |what: &str| Error::InvalidKey(format!("AWS-LC could not sign ({what})"));
        match (self, scheme) {
            (Self::Rsa(pair), _) => {
                let padding: &'static dyn lc::RsaEncoding = match scheme {
                    SignatureScheme::RsaPkcs1v15(Sha256) => &lc::RSA_PKCS1_SHA256,
                    SignatureScheme::RsaPkcs1v15(Sha384) => &lc::RSA_PKCS1_SHA384,
                    SignatureScheme::RsaPkcs1v15(Sha512) => &lc::RSA_PKCS1_SHA512,
                    SignatureScheme::RsaPss { digest, salt_len }
                        if salt_len as usize == digest.output_len() =>
                    {
                        match digest {
                            Sha256 => &lc::RSA_PSS_SHA256,
                            Sha384 => &lc::RSA_PSS_SHA384,
                            Sha512 => &lc::RSA_PSS_SHA512,
                            DigestAlgorithm::Sha1 => return None,
                        }
                    }
                    _ => return None,
                };
                let mut signature = vec![0; pair.public_modulus_len()];
                Some(
                    pair.sign(padding, &rng, message, &mut signature)
                        .map(|()| signature)
                        .map_err(|_| failed("RSA")),
                )
            }
            (Self::P256(pair), SignatureScheme::Ecdsa(Sha256))
            | (Self::P384(pair), SignatureScheme::Ecdsa(Sha384)) => Some(
                pair.sign(&rng, message)
                    .map(|signature| signature.as_ref().to_vec())
                    .map_err(|_| failed("ECDSA")),
            ),
            _ => None,
        }
    }
}
