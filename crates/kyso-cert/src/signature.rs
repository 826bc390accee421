//! Verifying a signature with a certificate's public key: certificate signatures during path
//! validation, and (through kyso-cms) CMS `SignerInfo` signatures.
//!
//! The algorithm comes from an `AlgorithmIdentifier` ([RFC 5280 §4.1.1.2]):
//!
//! ```text
//! AlgorithmIdentifier  ::=  SEQUENCE  {
//!      algorithm               OBJECT IDENTIFIER,
//!      parameters              ANY DEFINED BY algorithm OPTIONAL  }
//! ```
//!
//! Supported, with the RFCs that define the identifiers:
//!
//! | algorithm | identifier | key |
//! |-----------|-----------|-----|
//! | RSASSA-PKCS1-v1_5 with SHA-256/384/512 | `sha{256,384,512}WithRSAEncryption` ([RFC 4055 §5]) | `rsaEncryption` |
//! | RSASSA-PKCS1-v1_5 with SHA-1 (legacy, only with [`VerifyOptions::allow_sha1`]) | `sha1WithRSAEncryption` ([RFC 3279 §2.2.1]) | `rsaEncryption` |
//! | RSASSA-PSS, MGF1 with the same digest, any salt length | `id-RSASSA-PSS` with `RSASSA-PSS-params` ([RFC 4055 §3.1]) | `rsaEncryption` or `id-RSASSA-PSS` |
//! | ECDSA with SHA-256/384/512 on P-256 and P-384 | `ecdsa-with-SHA{256,384,512}` ([RFC 5758 §3.2]) | `id-ecPublicKey` ([RFC 5480 §2.1.1]) |
//! | PKCS #1 v1.5 or ECDSA with the digest given apart | `rsaEncryption` / `id-ecPublicKey` as the signature algorithm, which CMS allows ([RFC 5652 §5.3], [RFC 3370 §3.2]) | as above |
//!
//! The signature primitives are RustCrypto's `rsa`, `p256` and `p384`; this module only maps
//! identifiers to them and hashes the message (always with the digest the identifier names,
//! then `verify_prehash`, so that a 384-bit digest with a P-256 key truncates as FIPS 186-4
//! §6.4 says).
//!
//! [RFC 5280 §4.1.1.2]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.2
//! [RFC 4055 §5]: https://www.rfc-editor.org/rfc/rfc4055#section-5
//! [RFC 4055 §3.1]: https://www.rfc-editor.org/rfc/rfc4055#section-3.1
//! [RFC 3279 §2.2.1]: https://www.rfc-editor.org/rfc/rfc3279#section-2.2.1
//! [RFC 5758 §3.2]: https://www.rfc-editor.org/rfc/rfc5758#section-3.2
//! [RFC 5480 §2.1.1]: https://www.rfc-editor.org/rfc/rfc5480#section-2.1.1
//! [RFC 5652 §5.3]: https://www.rfc-editor.org/rfc/rfc5652#section-5.3
//! [RFC 3370 §3.2]: https://www.rfc-editor.org/rfc/rfc3370#section-3.2

use const_oid::{
    ObjectIdentifier,
    db::rfc5912::{
        ECDSA_WITH_SHA_256, ECDSA_WITH_SHA_384, ECDSA_WITH_SHA_512, ID_EC_PUBLIC_KEY, ID_MGF_1,
        ID_RSASSA_PSS, ID_SHA_1, ID_SHA_256, ID_SHA_384, ID_SHA_512, RSA_ENCRYPTION, SECP_256_R_1,
        SECP_384_R_1, SHA_1_WITH_RSA_ENCRYPTION, SHA_256_WITH_RSA_ENCRYPTION,
        SHA_384_WITH_RSA_ENCRYPTION, SHA_512_WITH_RSA_ENCRYPTION,
    },
};
use der::{Encode, Tag, Tagged};
use rsa::pkcs1::{DecodeRsaPublicKey, RsaPssParams, TrailerField};
use sha2::Digest;
use signature::hazmat::PrehashVerifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::{Certificate, Error, Result};

/// `ecdsa-with-SHA1` ([RFC 3279 §2.2.3]): 1.2.840.10045.4.1.
///
/// [RFC 3279 §2.2.3]: https://www.rfc-editor.org/rfc/rfc3279#section-2.2.3
pub const ECDSA_WITH_SHA_1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");

/// A message digest named by a signature algorithm.
///
/// ```text
/// id-sha1    OBJECT IDENTIFIER ::= { iso(1) identified-organization(3) oiw(14)
///                                    secsig(3) algorithms(2) 26 }
/// id-sha256  OBJECT IDENTIFIER ::= { joint-iso-itu-t(2) country(16) us(840)
///                                    organization(1) gov(101) csor(3) nistalgorithm(4)
///                                    hashalgs(2) 1 }
/// ```
///
/// ([RFC 3279 §2.1], [RFC 4055 §2.1]; `id-sha384` and `id-sha512` are arcs 2 and 3.)
///
/// [RFC 3279 §2.1]: https://www.rfc-editor.org/rfc/rfc3279#section-2.1
/// [RFC 4055 §2.1]: https://www.rfc-editor.org/rfc/rfc4055#section-2.1
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-1: legacy, collisions are practical (SHAttered, 2017); accepted only when a caller
    /// allows it.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// The digest with this OID (`id-sha1`, `id-sha256`, …, [RFC 4055 §2.1]), if supported.
    ///
    /// [RFC 4055 §2.1]: https://www.rfc-editor.org/rfc/rfc4055#section-2.1
    pub fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        match oid {
            ID_SHA_1 => Some(Self::Sha1),
            ID_SHA_256 => Some(Self::Sha256),
            ID_SHA_384 => Some(Self::Sha384),
            ID_SHA_512 => Some(Self::Sha512),
            _ => None,
        }
    }

    /// The digest's OID ([RFC 4055 §2.1]).
    ///
    /// [RFC 4055 §2.1]: https://www.rfc-editor.org/rfc/rfc4055#section-2.1
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha1 => ID_SHA_1,
            Self::Sha256 => ID_SHA_256,
            Self::Sha384 => ID_SHA_384,
            Self::Sha512 => ID_SHA_512,
        }
    }

    /// The hash of `message` (FIPS 180-4).
    pub fn digest(self, message: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => sha1::Sha1::digest(message).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(message).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(message).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(message).to_vec(),
        }
    }

    /// Output length in bytes (FIPS 180-4).
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Whether this is SHA-1, which policies reject unless told otherwise ([RFC 3279 §2.2.1]
    /// still defines `sha1WithRSAEncryption`; NIST SP 800-131A disallows SHA-1 signatures).
    ///
    /// [RFC 3279 §2.2.1]: https://www.rfc-editor.org/rfc/rfc3279#section-2.2.1
    pub fn is_legacy(self) -> bool {
        self == Self::Sha1
    }
}

/// A signature algorithm read from an `AlgorithmIdentifier` ([RFC 5280 §4.1.1.2]; see the
/// [module](self) table).
///
/// [RFC 5280 §4.1.1.2]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.2
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 ([RFC 8017 §8.2]) with this digest.
    ///
    /// [RFC 8017 §8.2]: https://www.rfc-editor.org/rfc/rfc8017#section-8.2
    RsaPkcs1v15(DigestAlgorithm),
    /// RSASSA-PSS ([RFC 8017 §8.1], parameters [RFC 4055 §3.1]) with this digest for the
    /// message and for MGF1, and this salt length.
    ///
    /// [RFC 8017 §8.1]: https://www.rfc-editor.org/rfc/rfc8017#section-8.1
    /// [RFC 4055 §3.1]: https://www.rfc-editor.org/rfc/rfc4055#section-3.1
    RsaPss {
        /// Message digest, also MGF1's digest.
        digest: DigestAlgorithm,
        /// Salt length in bytes.
        salt_len: usize,
    },
    /// ECDSA ([RFC 5758 §3.2], FIPS 186-4) with this digest; the signature is a DER
    /// `Ecdsa-Sig-Value` as [RFC 3279 §2.2.3] defines it:
    ///
    /// ```text
    /// Ecdsa-Sig-Value  ::=  SEQUENCE  {
    ///      r     INTEGER,
    ///      s     INTEGER  }
    /// ```
    ///
    /// [RFC 5758 §3.2]: https://www.rfc-editor.org/rfc/rfc5758#section-3.2
    /// [RFC 3279 §2.2.3]: https://www.rfc-editor.org/rfc/rfc3279#section-2.2.3
    Ecdsa(DigestAlgorithm),
}

impl SignatureAlgorithm {
    /// Reads a signature `AlgorithmIdentifier`.
    ///
    /// `digest` is used only when the identifier names a key type rather than a signature
    /// algorithm (`rsaEncryption`, `id-ecPublicKey`), as a CMS `SignerInfo` may: the digest
    /// then comes from the `SignerInfo`'s `digestAlgorithm` ([RFC 5652 §5.3]).
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedAlgorithm`] for anything not in the [module](self) table, for
    /// parameters that RFC 4055 / RFC 5758 forbid, and for PSS with an MGF1 digest other than
    /// the message digest or a trailer field other than 1.
    ///
    /// [RFC 5652 §5.3]: https://www.rfc-editor.org/rfc/rfc5652#section-5.3
    pub fn from_identifier(
        algorithm: &AlgorithmIdentifierOwned,
        digest: Option<DigestAlgorithm>,
    ) -> Result<Self> {
        let oid = algorithm.oid;
        let unsupported = |reason: &'static str| Error::UnsupportedAlgorithm { oid, reason };
        let params = algorithm.parameters.as_ref();
        // RFC 4055 §5: the parameters of sha*WithRSAEncryption "MUST be NULL"; absent is
        // accepted too, as RFC 4055 §5 says implementations SHOULD.
        let null_or_absent = || match params {
            None => Ok(()),
            Some(any) if any.tag() == Tag::Null && any.value().is_empty() => Ok(()),
            Some(_) => Err(unsupported("parameters must be NULL or absent")),
        };
        // RFC 5758 §3.2: ecdsa-with-SHA* "the encoding MUST omit the parameters field".
        let absent = || match params {
            None => Ok(()),
            Some(_) => Err(unsupported("ECDSA parameters must be absent")),
        };
        let given = || digest.ok_or(unsupported("the digest algorithm was not given"));
        Ok(match oid {
            SHA_256_WITH_RSA_ENCRYPTION => {
                null_or_absent()?;
                Self::RsaPkcs1v15(DigestAlgorithm::Sha256)
            }
            SHA_384_WITH_RSA_ENCRYPTION => {
                null_or_absent()?;
                Self::RsaPkcs1v15(DigestAlgorithm::Sha384)
            }
            SHA_512_WITH_RSA_ENCRYPTION => {
                null_or_absent()?;
                Self::RsaPkcs1v15(DigestAlgorithm::Sha512)
            }
            SHA_1_WITH_RSA_ENCRYPTION => {
                null_or_absent()?;
                Self::RsaPkcs1v15(DigestAlgorithm::Sha1)
            }
            RSA_ENCRYPTION => {
                null_or_absent()?;
                Self::RsaPkcs1v15(given()?)
            }
            ECDSA_WITH_SHA_256 => {
                absent()?;
                Self::Ecdsa(DigestAlgorithm::Sha256)
            }
            ECDSA_WITH_SHA_384 => {
                absent()?;
                Self::Ecdsa(DigestAlgorithm::Sha384)
            }
            ECDSA_WITH_SHA_512 => {
                absent()?;
                Self::Ecdsa(DigestAlgorithm::Sha512)
            }
            ECDSA_WITH_SHA_1 => {
                absent()?;
                Self::Ecdsa(DigestAlgorithm::Sha1)
            }
            ID_EC_PUBLIC_KEY => Self::Ecdsa(given()?),
            ID_RSASSA_PSS => pss_from_params(oid, params)?,
            _ => return Err(unsupported("unknown signature algorithm")),
        })
    }

    /// The digest the message is hashed with (for a certificate: the `tbsCertificate`,
    /// [RFC 5280 §4.1.1.3]).
    ///
    /// [RFC 5280 §4.1.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.3
    pub fn digest(&self) -> DigestAlgorithm {
        match *self {
            Self::RsaPkcs1v15(digest) | Self::Ecdsa(digest) => digest,
            Self::RsaPss { digest, .. } => digest,
        }
    }
}

/// Reads `RSASSA-PSS-params` ([RFC 4055 §3.1]):
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
fn pss_from_params(oid: ObjectIdentifier, params: Option<&der::Any>) -> Result<SignatureAlgorithm> {
    let unsupported = |reason: &'static str| Error::UnsupportedAlgorithm { oid, reason };
    // Absent parameters mean every default: SHA-1, MGF1-SHA-1, salt 20 (RFC 4055 §3.1).
    let Some(params) = params else {
        return Ok(SignatureAlgorithm::RsaPss {
            digest: DigestAlgorithm::Sha1,
            salt_len: 20,
        });
    };
    let der = params
        .to_der()
        .map_err(|_| unsupported("RSASSA-PSS parameters do not encode"))?;
    let parsed: RsaPssParams<der::Any> = RsaPssParams::try_from(der.as_slice())
        .map_err(|_| unsupported("malformed RSASSA-PSS parameters"))?;
    let digest = DigestAlgorithm::from_oid(parsed.hash.oid)
        .ok_or(unsupported("unsupported RSASSA-PSS hash algorithm"))?;
    if parsed.mask_gen.oid != ID_MGF_1 {
        return Err(unsupported("RSASSA-PSS mask generation other than MGF1"));
    }
    let mgf_digest = parsed
        .mask_gen
        .parameters
        .as_ref()
        .map(|alg| alg.oid)
        .and_then(DigestAlgorithm::from_oid);
    if mgf_digest != Some(digest) {
        return Err(unsupported("RSASSA-PSS MGF1 digest differs from the hash"));
    }
    if parsed.trailer_field != TrailerField::BC {
        return Err(unsupported("RSASSA-PSS trailer field other than 1"));
    }
    Ok(SignatureAlgorithm::RsaPss {
        digest,
        salt_len: usize::from(parsed.salt_len),
    })
}

/// What [`verify_signature_with`] accepts beyond the defaults: the `AlgorithmIdentifier`
/// ([RFC 5280 §4.1.1.2]) may leave the digest to the caller, and SHA-1 may be allowed.
///
/// [RFC 5280 §4.1.1.2]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.2
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Accept SHA-1 based algorithms (`sha1WithRSAEncryption`, `ecdsa-with-SHA1`, PSS with
    /// SHA-1). Off by default: SHA-1 signatures are legacy, to be accepted only for old
    /// documents and flagged in reports.
    pub allow_sha1: bool,
    /// The digest for identifiers that name only a key type (`rsaEncryption`,
    /// `id-ecPublicKey`), as in CMS; ignored otherwise.
    pub digest: Option<DigestAlgorithm>,
}

/// The key to verify with: a certificate or a bare SubjectPublicKeyInfo ([RFC 5280
/// §4.1.2.7]).
///
/// [RFC 5280 §4.1.2.7]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.7
pub trait PublicKeySource {
    /// The SubjectPublicKeyInfo ([RFC 5280 §4.1.2.7]).
    ///
    /// [RFC 5280 §4.1.2.7]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.7
    fn subject_public_key_info(&self) -> &SubjectPublicKeyInfoOwned;
}

impl PublicKeySource for SubjectPublicKeyInfoOwned {
    fn subject_public_key_info(&self) -> &SubjectPublicKeyInfoOwned {
        self
    }
}

impl PublicKeySource for Certificate {
    fn subject_public_key_info(&self) -> &SubjectPublicKeyInfoOwned {
        self.inner().tbs_certificate().subject_public_key_info()
    }
}

/// Verifies `signature` over `message` with `key` (a [`Certificate`] or a
/// `SubjectPublicKeyInfoOwned`, [RFC 5280 §4.1.2.7]) under `algorithm` ([RFC 5280
/// §4.1.1.2]), rejecting SHA-1 (see [`verify_signature_with`]). For a certificate's own
/// signature, `message` is the DER `tbsCertificate` and `signature` the `signatureValue`
/// bits ([RFC 5280 §4.1.1.3]).
///
/// [RFC 5280 §4.1.2.7]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.7
/// [RFC 5280 §4.1.1.2]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.2
/// [RFC 5280 §4.1.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.3
///
/// ```no_run
/// # fn f(cert: &kyso_cert::Certificate, issuer: &kyso_cert::Certificate) -> kyso_cert::Result<()> {
/// // Does `issuer`'s key sign `cert`? (path validation does this for every link)
/// let x509 = cert.inner();
/// kyso_cert::verify_signature(
///     issuer,
///     x509.signature_algorithm(),
///     cert.tbs_der()?,
///     x509.signature().raw_bytes(),
/// )?;
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// See [`verify_signature_with`].
pub fn verify_signature(
    key: &impl PublicKeySource,
    algorithm: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    verify_signature_with(
        key,
        algorithm,
        message,
        signature,
        &VerifyOptions::default(),
    )
}

/// Verifies `signature` over `message` with `key` under `algorithm` and `options` (see
/// [`verify_signature`]). The parameters of an `id-RSASSA-PSS` *key* ([RFC 4055 §3.1],
/// restricting the hash it may be used with) are not enforced; the signature's own
/// parameters are.
///
/// [RFC 4055 §3.1]: https://www.rfc-editor.org/rfc/rfc4055#section-3.1
///
/// # Errors
///
/// * [`Error::UnsupportedAlgorithm`]: the algorithm or its parameters are not supported;
/// * [`Error::Sha1NotAllowed`]: a SHA-1 algorithm without [`VerifyOptions::allow_sha1`];
/// * [`Error::KeyMismatch`]: the key is not of the algorithm's type (e.g. an EC key for an
///   RSA signature, an `id-RSASSA-PSS` key for PKCS #1 v1.5 — [RFC 4055 §1.2]), or is on an
///   unsupported curve;
/// * [`Error::InvalidPublicKey`]: the key does not decode (bad RSA modulus, point not on
///   the curve, RSA modulus outside 1024..=8192 bits);
/// * [`Error::SignatureMismatch`]: the signature does not verify.
///
/// [RFC 4055 §1.2]: https://www.rfc-editor.org/rfc/rfc4055#section-1.2
pub fn verify_signature_with(
    key: &impl PublicKeySource,
    algorithm: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
    options: &VerifyOptions,
) -> Result<()> {
    let parsed = SignatureAlgorithm::from_identifier(algorithm, options.digest)?;
    if parsed.digest().is_legacy() && !options.allow_sha1 {
        return Err(Error::Sha1NotAllowed { oid: algorithm.oid });
    }
    let hashed = parsed.digest().digest(message);
    verify_hashed(key, algorithm, parsed, &hashed, signature)
}

/// Like [`verify_signature_with`], for a message the caller has already hashed with the
/// algorithm's digest: `digest` is that hash (a CMS `SignerInfo` without signed attributes
/// signs the content digest, which is all a streaming verifier keeps).
///
/// # Errors
///
/// As [`verify_signature_with`]; [`Error::SignatureMismatch`] also when `digest` has the
/// wrong length for the algorithm.
pub fn verify_prehashed_with(
    key: &impl PublicKeySource,
    algorithm: &AlgorithmIdentifierOwned,
    digest: &[u8],
    signature: &[u8],
    options: &VerifyOptions,
) -> Result<()> {
    let parsed = SignatureAlgorithm::from_identifier(algorithm, options.digest)?;
    if parsed.digest().is_legacy() && !options.allow_sha1 {
        return Err(Error::Sha1NotAllowed { oid: algorithm.oid });
    }
    if digest.len() != parsed.digest().output_len() {
        return Err(Error::SignatureMismatch);
    }
    verify_hashed(key, algorithm, parsed, digest, signature)
}

/// The signature check proper, over the message's hash.
fn verify_hashed(
    key: &impl PublicKeySource,
    algorithm: &AlgorithmIdentifierOwned,
    parsed: SignatureAlgorithm,
    hashed: &[u8],
    signature: &[u8],
) -> Result<()> {
    let spki = key.subject_public_key_info();
    let key_oid = spki.algorithm.oid;
    let mismatch = || Error::KeyMismatch {
        key: key_oid,
        algorithm: algorithm.oid,
    };
    let key_bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| invalid_key("the public key BIT STRING has unused bits"))?;
    match parsed {
        SignatureAlgorithm::RsaPkcs1v15(digest) => {
            if key_oid != RSA_ENCRYPTION {
                return Err(mismatch());
            }
            let public = rsa_key(key_bits)?;
            // EMSA-PKCS1-v1_5 with the DigestInfo prefix of `digest` (RFC 8017 §9.2).
            let scheme = match digest {
                DigestAlgorithm::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                DigestAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                DigestAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                DigestAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            public
                .verify(scheme, hashed, signature)
                .map_err(|_| Error::SignatureMismatch)
        }
        SignatureAlgorithm::RsaPss { digest, salt_len } => {
            if key_oid != RSA_ENCRYPTION && key_oid != ID_RSASSA_PSS {
                return Err(mismatch());
            }
            let public = rsa_key(key_bits)?;
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
        SignatureAlgorithm::Ecdsa(_) => {
            if key_oid != ID_EC_PUBLIC_KEY {
                return Err(mismatch());
            }
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            match curve {
                Some(SECP_256_R_1) => {
                    let public = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bits)
                        .map_err(|_| invalid_key("not a P-256 point"))?;
                    let sig = p256::ecdsa::Signature::from_der(signature)
                        .map_err(|_| Error::SignatureMismatch)?;
                    public
                        .verify_prehash(hashed, &sig)
                        .map_err(|_| Error::SignatureMismatch)
                }
                Some(SECP_384_R_1) => {
                    let public = p384::ecdsa::VerifyingKey::from_sec1_bytes(key_bits)
                        .map_err(|_| invalid_key("not a P-384 point"))?;
                    let sig = p384::ecdsa::Signature::from_der(signature)
                        .map_err(|_| Error::SignatureMismatch)?;
                    public
                        .verify_prehash(hashed, &sig)
                        .map_err(|_| Error::SignatureMismatch)
                }
                _ => Err(mismatch()),
            }
        }
    }
}

/// A public key's type and size: what cryptographic constraints (ETSI TS 119 312) judge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKeyKind {
    /// An RSA key (`rsaEncryption` or `id-RSASSA-PSS`) with a modulus of this many bits.
    Rsa {
        /// Bit length of the modulus.
        modulus_bits: u32,
    },
    /// An EC key on NIST P-256.
    EcP256,
    /// An EC key on NIST P-384.
    EcP384,
    /// An EC key on a curve kyso does not verify with (named by its OID).
    EcOther {
        /// The curve's OID, if the parameters name one.
        curve: Option<ObjectIdentifier>,
    },
    /// Another algorithm (DSA, EdDSA, GOST, …), by its OID.
    Other {
        /// `SubjectPublicKeyInfo.algorithm`.
        algorithm: ObjectIdentifier,
    },
}

impl std::fmt::Display for PublicKeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rsa { modulus_bits } => write!(f, "RSA-{modulus_bits}"),
            Self::EcP256 => f.write_str("ECDSA P-256"),
            Self::EcP384 => f.write_str("ECDSA P-384"),
            Self::EcOther { curve: Some(c) } => write!(f, "EC on curve {c}"),
            Self::EcOther { curve: None } => f.write_str("EC on an unnamed curve"),
            Self::Other { algorithm } => write!(f, "key algorithm {algorithm}"),
        }
    }
}

/// The type and size of `key`'s public key.
///
/// # Errors
///
/// [`Error::InvalidPublicKey`] when an RSA key does not decode.
pub fn public_key_kind(key: &impl PublicKeySource) -> Result<PublicKeyKind> {
    use der::Decode;
    let spki = key.subject_public_key_info();
    let oid = spki.algorithm.oid;
    if oid == RSA_ENCRYPTION || oid == ID_RSASSA_PSS {
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| invalid_key("the public key BIT STRING has unused bits"))?;
        let public = rsa::pkcs1::RsaPublicKey::<der::asn1::UintRef<'_>>::from_der(bits)
            .map_err(|_| invalid_key("not an RSAPublicKey"))?;
        let modulus = public.modulus.as_bytes();
        let leading = modulus.iter().take_while(|&&b| b == 0).count();
        let significant = modulus.get(leading..).unwrap_or_default();
        let modulus_bits = significant.first().map_or(0, |&b| {
            (significant.len() as u32 - 1) * 8 + (8 - b.leading_zeros())
        });
        return Ok(PublicKeyKind::Rsa { modulus_bits });
    }
    if oid == ID_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        return Ok(match curve {
            Some(SECP_256_R_1) => PublicKeyKind::EcP256,
            Some(SECP_384_R_1) => PublicKeyKind::EcP384,
            curve => PublicKeyKind::EcOther { curve },
        });
    }
    Ok(PublicKeyKind::Other { algorithm: oid })
}

fn invalid_key(reason: &'static str) -> Error {
    Error::InvalidPublicKey { reason }
}

/// The RSA public key in an `rsaEncryption` / `id-RSASSA-PSS` SPKI: a PKCS #1
/// `RSAPublicKey` ([RFC 8017 §A.1.1]), modulus 1024..=8192 bits.
///
/// [RFC 8017 §A.1.1]: https://www.rfc-editor.org/rfc/rfc8017#appendix-A.1.1
fn rsa_key(bits: &[u8]) -> Result<rsa::PublicKey> {
    rsa::PublicKey::from_pkcs1_der(bits).map_err(|_| invalid_key("not a usable RSA public key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_lengths_match_output() {
        for digest in [
            DigestAlgorithm::Sha1,
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ] {
            assert_eq!(digest.digest(b"abc").len(), digest.output_len());
            assert_eq!(DigestAlgorithm::from_oid(digest.oid()), Some(digest));
        }
    }
}
