//! [`PrivateKey`]: the decoded private keys a software signer holds (RSA, ECDSA P-256/P-384),
//! how they are recognised in PKCS#8, PKCS#1 and SEC1, matched against a certificate, and used
//! to sign.
//!
//! RSA goes through `rsa` 0.10 (constant-time `crypto-bigint` arithmetic, blinding with OS
//! randomness on every private-key operation); ECDSA through `p256`/`p384` 0.14, hedged: the
//! nonce is RFC 6979 deterministic *and* mixed with 32/48 fresh bytes from the OS, so a bad RNG
//! cannot leak the key and a fault attack on a repeated message does not get a repeated nonce.
//! Both key types zeroize their secret scalars on drop.

use std::fmt;

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::{
    ID_EC_PUBLIC_KEY, ID_MGF_1, ID_RSASSA_PSS, RSA_ENCRYPTION, SECP_256_R_1, SECP_384_R_1,
};
use der::{Decode, Encode};
use kyso_cert::{DigestAlgorithm, EcCurve, KeyType, SignatureScheme};
use p256::elliptic_curve::common::getrandom::SysRng;
use pkcs8::{DecodePrivateKey, PrivateKeyInfoRef};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::traits::PublicKeyParts;
use sha2::{Sha256, Sha384, Sha512};
use signature::hazmat::RandomizedPrehashSigner;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::scheme::{check_scheme, default_scheme};
use crate::{Error, Result};

/// `RSASSA-PSS-params` ([RFC 4055 §3.1]) as it appears in the `AlgorithmIdentifier` of a key
/// restricted to PSS. kyso always signs with MGF1 over the signing hash and a salt as long as
/// the hash, so a key whose parameters ask for anything else is refused.
///
/// ```text
/// RSASSA-PSS-params  ::=  SEQUENCE  {
///     hashAlgorithm      [0] HashAlgorithm DEFAULT sha1Identifier,
///     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
///     saltLength         [2] INTEGER DEFAULT 20,
///     trailerField       [3] INTEGER DEFAULT 1  }
/// ```
///
/// [RFC 4055 §3.1]: https://www.rfc-editor.org/rfc/rfc4055#section-3.1
#[derive(der::Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_length: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer_field: Option<u32>,
}

/// What an `id-RSASSA-PSS` key identifier says about how the key may be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PssOnly {
    /// The hash the parameters fix, or `None` when the identifier has no parameters (any hash).
    pub(crate) digest: Option<DigestAlgorithm>,
}

impl PssOnly {
    /// Reads the parameters of an `id-RSASSA-PSS` algorithm identifier, given as DER.
    fn from_parameters(parameters_der: Option<Vec<u8>>) -> Result<Self> {
        let Some(der) = parameters_der else {
            return Ok(Self { digest: None });
        };
        let params = PssParams::from_der(&der)
            .map_err(|e| Error::InvalidKey(format!("malformed RSASSA-PSS parameters: {e}")))?;
        let unsupported =
            |what: String| Err(Error::UnsupportedKey(format!("RSASSA-PSS key {what}")));
        // An absent hashAlgorithm means SHA-1, which kyso does not sign with.
        let Some(hash) = params.hash else {
            return unsupported("restricted to SHA-1".into());
        };
        let Some(digest) = DigestAlgorithm::from_oid(hash.oid).filter(|d| !d.is_legacy()) else {
            return unsupported(format!("restricted to hash {}", hash.oid));
        };
        if let Some(mgf) = params.mask_gen {
            let mgf_hash = mgf
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<AlgorithmIdentifierOwned>().ok());
            if mgf.oid != ID_MGF_1 || mgf_hash.map(|h| h.oid) != Some(hash.oid) {
                return unsupported("whose mask generation is not MGF1 over its own hash".into());
            }
        }
        // For a key, saltLength is the least salt the key may be used with (RFC 4055 §3.1);
        // kyso's salt is as long as the digest.
        if params
            .salt_length
            .is_some_and(|s| s as usize > digest.output_len())
        {
            return unsupported("requiring a salt longer than its digest".into());
        }
        if params.trailer_field.is_some_and(|t| t != 1) {
            return unsupported("with a trailer field other than 1".into());
        }
        Ok(Self {
            digest: Some(digest),
        })
    }

    /// The restriction an algorithm identifier puts on an RSA key: `Some` for `id-RSASSA-PSS`.
    pub(crate) fn from_identifier(
        oid: ObjectIdentifier,
        parameters_der: Option<Vec<u8>>,
    ) -> Result<Option<Self>> {
        if oid == ID_RSASSA_PSS {
            Self::from_parameters(parameters_der).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// A decoded private key. Never printed: `Debug` shows only the key type.
pub(crate) enum PrivateKey {
    /// RSA, optionally restricted to PSS.
    Rsa {
        key: Box<rsa::PrivateKey>,
        pss_only: Option<PssOnly>,
    },
    /// ECDSA on P-256.
    P256(p256::ecdsa::SigningKey),
    /// ECDSA on P-384.
    P384(p384::ecdsa::SigningKey),
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("type", &self.key_type())
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// Decodes a PKCS#8 `PrivateKeyInfo` ([RFC 5208 §5], [RFC 5958 §2]) holding an RSA
    /// (`rsaEncryption` or `id-RSASSA-PSS`) or EC (`id-ecPublicKey`, P-256/P-384) key.
    ///
    /// ```text
    /// PrivateKeyInfo ::= SEQUENCE {
    ///   version                   Version,
    ///   privateKeyAlgorithm       PrivateKeyAlgorithmIdentifier,
    ///   privateKey                PrivateKey,
    ///   attributes           [0]  IMPLICIT Attributes OPTIONAL }
    /// ```
    ///
    /// [RFC 5208 §5]: https://www.rfc-editor.org/rfc/rfc5208#section-5
    /// [RFC 5958 §2]: https://www.rfc-editor.org/rfc/rfc5958#section-2
    pub(crate) fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let info = PrivateKeyInfoRef::try_from(der)
            .map_err(|e| Error::InvalidKey(format!("not a PKCS#8 private key: {e}")))?;
        let oid = info.algorithm.oid;
        if oid == RSA_ENCRYPTION || oid == ID_RSASSA_PSS {
            let params = info
                .algorithm
                .parameters
                .filter(|p| !p.is_null())
                .map(|p| p.to_der())
                .transpose()
                .map_err(|e| Error::InvalidKey(e.to_string()))?;
            let pss_only = PssOnly::from_identifier(oid, params)?;
            // Decoded from the inner RSAPrivateKey directly: `rsa` refuses PKCS#8 PSS keys whose
            // identifier carries parameters, which `openssl genpkey -algorithm RSA-PSS -pkeyopt
            // rsa_pss_keygen_md:...` writes.
            let key = rsa::PrivateKey::from_pkcs1_der(info.private_key.as_bytes())
                .map_err(|e| Error::InvalidKey(format!("RSA key: {e}")))?;
            Ok(Self::Rsa {
                key: Box::new(key),
                pss_only,
            })
        } else if oid == ID_EC_PUBLIC_KEY {
            let curve = info
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            match curve {
                Some(SECP_256_R_1) => p256::ecdsa::SigningKey::from_pkcs8_der(der)
                    .map(Self::P256)
                    .map_err(|e| Error::InvalidKey(format!("P-256 key: {e}"))),
                Some(SECP_384_R_1) => p384::ecdsa::SigningKey::from_pkcs8_der(der)
                    .map(Self::P384)
                    .map_err(|e| Error::InvalidKey(format!("P-384 key: {e}"))),
                Some(other) => Err(Error::UnsupportedKey(format!(
                    "EC key on curve {other} (only P-256 and P-384 are supported)"
                ))),
                None => Err(Error::UnsupportedKey(
                    "EC key without a named curve (only P-256 and P-384 are supported)".into(),
                )),
            }
        } else {
            Err(Error::UnsupportedKey(format!(
                "key algorithm {oid} (only RSA and ECDSA P-256/P-384 are supported)"
            )))
        }
    }

    /// Decodes a PKCS#1 `RSAPrivateKey` ([RFC 8017 §A.1.2]), the body of an
    /// `RSA PRIVATE KEY` PEM block.
    ///
    /// [RFC 8017 §A.1.2]: https://www.rfc-editor.org/rfc/rfc8017#appendix-A.1.2
    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        let key = rsa::PrivateKey::from_pkcs1_der(der)
            .map_err(|e| Error::InvalidKey(format!("PKCS#1 RSA key: {e}")))?;
        Ok(Self::Rsa {
            key: Box::new(key),
            pss_only: None,
        })
    }

    /// Decodes a SEC1 `ECPrivateKey` ([RFC 5915 §3]), the body of an `EC PRIVATE KEY` PEM
    /// block. The curve comes from the key's `parameters` when present, else from the length of
    /// the private scalar.
    ///
    /// ```text
    /// ECPrivateKey ::= SEQUENCE {
    ///   version        INTEGER { ecPrivkeyVer1(1) } (ecPrivkeyVer1),
    ///   privateKey     OCTET STRING,
    ///   parameters [0] ECParameters {{ NamedCurve }} OPTIONAL,
    ///   publicKey  [1] BIT STRING OPTIONAL }
    /// ```
    ///
    /// [RFC 5915 §3]: https://www.rfc-editor.org/rfc/rfc5915#section-3
    pub(crate) fn from_sec1_der(der: &[u8]) -> Result<Self> {
        // Each curve's decoder checks the named curve (when present) and the scalar length, so
        // at most one of them accepts a given key.
        if let Ok(key) = p256::SecretKey::from_sec1_der(der) {
            return Ok(Self::P256(key.into()));
        }
        match p384::SecretKey::from_sec1_der(der) {
            Ok(key) => Ok(Self::P384(key.into())),
            Err(e) => Err(Error::InvalidKey(format!(
                "SEC1 EC key (only P-256 and P-384 are supported): {e}"
            ))),
        }
    }

    /// Marks an RSA key as restricted to PSS (because its certificate says so). A restriction
    /// already read from the key file wins when it names a digest.
    pub(crate) fn restrict_to_pss(&mut self, restriction: PssOnly) {
        if let Self::Rsa { pss_only, .. } = self {
            match pss_only {
                Some(PssOnly { digest: Some(_) }) => {}
                _ => *pss_only = Some(restriction),
            }
        }
    }

    /// The key's type and size.
    pub(crate) fn key_type(&self) -> KeyType {
        match self {
            Self::Rsa { key, pss_only } => KeyType::Rsa {
                modulus_bits: key.n().bit_width(),
                pss_only: pss_only.is_some(),
            },
            Self::P256(_) => KeyType::Ec(EcCurve::P256),
            Self::P384(_) => KeyType::Ec(EcCurve::P384),
        }
    }

    /// Whether `spki` (a certificate's SubjectPublicKeyInfo, [RFC 5280 §4.1.2.7]) holds this
    /// key's public half.
    ///
    /// The algorithm family and the public key itself are compared, not the whole SPKI DER: a
    /// PSS certificate says `id-RSASSA-PSS` where the key file says `rsaEncryption`, and an EC
    /// certificate may carry a compressed point.
    ///
    /// [RFC 5280 §4.1.2.7]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.7
    pub(crate) fn matches(&self, spki: &SubjectPublicKeyInfoOwned) -> bool {
        let oid = spki.algorithm.oid;
        let Some(bits) = spki.subject_public_key.as_bytes() else {
            return false;
        };
        match self {
            Self::Rsa { key, .. } => {
                (oid == RSA_ENCRYPTION || oid == ID_RSASSA_PSS)
                    && key
                        .as_public_key()
                        .to_pkcs1_der()
                        .is_ok_and(|public| public.as_bytes() == bits)
            }
            Self::P256(key) => {
                oid == ID_EC_PUBLIC_KEY
                    && named_curve(spki) == Some(SECP_256_R_1)
                    && p256::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                        .is_ok_and(|public| &public == key.verifying_key())
            }
            Self::P384(key) => {
                oid == ID_EC_PUBLIC_KEY
                    && named_curve(spki) == Some(SECP_384_R_1)
                    && p384::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                        .is_ok_and(|public| &public == key.verifying_key())
            }
        }
    }

    /// The algorithm used when the caller does not choose one: the key type's default
    /// ([`KeyType::default_scheme`]: PKCS#1 v1.5 with SHA-256 for RSA, PSS with SHA-256 for a
    /// PSS-only key, ECDSA with the curve's own digest), or PSS with the digest a PSS key's
    /// parameters fix.
    pub(crate) fn default_algorithm(&self) -> Result<SignatureScheme> {
        match self {
            Self::Rsa {
                pss_only: Some(PssOnly {
                    digest: Some(fixed),
                }),
                ..
            } => Ok(SignatureScheme::rsa_pss(*fixed)),
            _ => default_scheme(self.key_type()),
        }
    }

    /// Checks that this key can sign with `algorithm` ([`check_scheme`], and the digest a PSS
    /// key's parameters fix).
    pub(crate) fn check(&self, algorithm: SignatureScheme) -> Result<()> {
        check_scheme(self.key_type(), algorithm)?;
        match (self, algorithm) {
            (
                Self::Rsa {
                    pss_only:
                        Some(PssOnly {
                            digest: Some(fixed),
                        }),
                    ..
                },
                SignatureScheme::RsaPss { digest, .. },
            ) if *fixed != digest => Err(Error::AlgorithmMismatch {
                key: self.key_type(),
                algorithm,
                reason: Some("the key's RSASSA-PSS parameters fix another digest"),
            }),
            (_, SignatureScheme::RsaPss { digest, salt_len })
                if salt_len as usize != digest.output_len() =>
            {
                Err(Error::AlgorithmMismatch {
                    key: self.key_type(),
                    algorithm,
                    reason: Some("software keys sign PSS with a salt as long as the digest"),
                })
            }
            _ => Ok(()),
        }
    }

    /// Hashes `message` with the algorithm's digest and signs it: PKCS#1 v1.5 or PSS (salt =
    /// digest length, MGF1 with the same digest) for RSA, a DER `ECDSA-Sig-Value` for ECDSA.
    pub(crate) fn sign(&self, algorithm: SignatureScheme, message: &[u8]) -> Result<Vec<u8>> {
        self.check(algorithm)?;
        match (self, algorithm) {
            (Self::Rsa { key, .. }, SignatureScheme::RsaPkcs1v15(digest)) => Ok(match digest {
                DigestAlgorithm::Sha256 => key.pkcs1v15_sign::<Sha256>(message)?,
                DigestAlgorithm::Sha384 => key.pkcs1v15_sign::<Sha384>(message)?,
                DigestAlgorithm::Sha512 => key.pkcs1v15_sign::<Sha512>(message)?,
                // `check` refuses SHA-1.
                DigestAlgorithm::Sha1 => return Err(self.cannot(algorithm)),
            }),
            // `check` holds the salt to the digest's length, which `pss_sign` uses.
            (Self::Rsa { key, .. }, SignatureScheme::RsaPss { digest, .. }) => Ok(match digest {
                DigestAlgorithm::Sha256 => key.pss_sign::<Sha256>(message)?,
                DigestAlgorithm::Sha384 => key.pss_sign::<Sha384>(message)?,
                DigestAlgorithm::Sha512 => key.pss_sign::<Sha512>(message)?,
                DigestAlgorithm::Sha1 => return Err(self.cannot(algorithm)),
            }),
            (Self::P256(key), SignatureScheme::Ecdsa(d)) => {
                let signature: p256::ecdsa::Signature =
                    key.sign_prehash_with_rng(&mut SysRng, &d.digest(message))?;
                Ok(signature.to_der().as_bytes().to_vec())
            }
            (Self::P384(key), SignatureScheme::Ecdsa(d)) => {
                let signature: p384::ecdsa::Signature =
                    key.sign_prehash_with_rng(&mut SysRng, &d.digest(message))?;
                Ok(signature.to_der().as_bytes().to_vec())
            }
            // `check` above has rejected every other combination.
            _ => Err(self.cannot(algorithm)),
        }
    }

    /// The private key as DER for another crypto provider: PKCS #1 `RSAPrivateKey` for RSA,
    /// PKCS #8 for EC. Zeroized when dropped.
    #[cfg(feature = "aws-lc-rs")]
    pub(crate) fn private_der(&self) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        use pkcs8::EncodePrivateKey;
        use rsa::pkcs1::EncodeRsaPrivateKey;
        let reencode = |e: String| Error::InvalidKey(format!("cannot re-encode the key: {e}"));
        let document = match self {
            Self::Rsa { key, .. } => key.to_pkcs1_der().map_err(|e| reencode(e.to_string()))?,
            Self::P256(key) => key.to_pkcs8_der().map_err(|e| reencode(e.to_string()))?,
            Self::P384(key) => key.to_pkcs8_der().map_err(|e| reencode(e.to_string()))?,
        };
        Ok(zeroize::Zeroizing::new(document.as_bytes().to_vec()))
    }

    fn cannot(&self, algorithm: SignatureScheme) -> Error {
        Error::AlgorithmMismatch {
            key: self.key_type(),
            algorithm,
            reason: None,
        }
    }
}

/// The `namedCurve` of an `id-ecPublicKey` SPKI ([RFC 5480 §2.1.1]).
///
/// [RFC 5480 §2.1.1]: https://www.rfc-editor.org/rfc/rfc5480#section-2.1.1
fn named_curve(spki: &SubjectPublicKeyInfoOwned) -> Option<ObjectIdentifier> {
    spki.algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
}
