//! Digest and signature algorithms kyso signs and verifies with, and their identifiers.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;
use der::asn1::Any;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use spki::AlgorithmIdentifierOwned;

use crate::{Error, Result};

/// A SHA-2 digest algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DigestAlgorithm {
    /// SHA-256 (the default for PAdES).
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// The object identifier ([RFC 5754 §2]).
    ///
    /// [RFC 5754 §2]: https://www.rfc-editor.org/rfc/rfc5754#section-2
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha256 => rfc5912::ID_SHA_256,
            Self::Sha384 => rfc5912::ID_SHA_384,
            Self::Sha512 => rfc5912::ID_SHA_512,
        }
    }

    /// The algorithm for an object identifier, if kyso supports it.
    pub fn from_oid(oid: &ObjectIdentifier) -> Result<Self> {
        match *oid {
            rfc5912::ID_SHA_256 => Ok(Self::Sha256),
            rfc5912::ID_SHA_384 => Ok(Self::Sha384),
            rfc5912::ID_SHA_512 => Ok(Self::Sha512),
            _ => Err(Error::UnsupportedAlgorithm(oid.to_string())),
        }
    }

    /// The `DigestAlgorithmIdentifier`, parameters absent as RFC 5754 recommends.
    pub fn identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: None,
        }
    }

    /// Length of the digest in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// A fresh incremental hasher for this algorithm.
    pub fn hasher(self) -> Hasher {
        match self {
            Self::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Self::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            Self::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }

    /// Hashes `data` in one call.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut h = self.hasher();
        h.update(data);
        h.finalize()
    }
}

/// Any hash algorithm kyso reads when verifying: the SHA-2 [`DigestAlgorithm`]s it signs
/// with, and SHA-1, which old signatures use and which verification accepts only when asked
/// to (`VerifyOptions::allow_sha1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HashAlgorithm {
    /// SHA-1 ([RFC 3370 §2.1]): broken for collisions, kept only to read old signatures.
    ///
    /// [RFC 3370 §2.1]: https://www.rfc-editor.org/rfc/rfc3370#section-2.1
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// The object identifier (`id-sha1` from [RFC 3370 §2.1], SHA-2 from [RFC 5754 §2]).
    ///
    /// [RFC 3370 §2.1]: https://www.rfc-editor.org/rfc/rfc3370#section-2.1
    /// [RFC 5754 §2]: https://www.rfc-editor.org/rfc/rfc5754#section-2
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha1 => rfc5912::ID_SHA_1,
            Self::Sha256 => rfc5912::ID_SHA_256,
            Self::Sha384 => rfc5912::ID_SHA_384,
            Self::Sha512 => rfc5912::ID_SHA_512,
        }
    }

    /// The algorithm for an object identifier, if kyso reads it.
    pub fn from_oid(oid: &ObjectIdentifier) -> Result<Self> {
        match *oid {
            rfc5912::ID_SHA_1 => Ok(Self::Sha1),
            _ => DigestAlgorithm::from_oid(oid).map(Self::from),
        }
    }

    /// The SHA-2 algorithm, `None` for SHA-1.
    pub fn sha2(self) -> Option<DigestAlgorithm> {
        match self {
            Self::Sha1 => None,
            Self::Sha256 => Some(DigestAlgorithm::Sha256),
            Self::Sha384 => Some(DigestAlgorithm::Sha384),
            Self::Sha512 => Some(DigestAlgorithm::Sha512),
        }
    }

    /// The stable identifier of reports and configuration (`sha256`).
    pub fn id(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// The name as RFCs and certificate viewers write it (`SHA-256`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }

    /// Length of the digest in bytes.
    pub fn output_len(self) -> usize {
        match self.sha2() {
            Some(d) => d.output_len(),
            None => 20,
        }
    }

    /// A fresh incremental hasher for this algorithm.
    pub fn hasher(self) -> Hasher {
        match self.sha2() {
            Some(d) => d.hasher(),
            None => Hasher::Sha1(sha1::Sha1::new()),
        }
    }

    /// Hashes `data` in one call.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut h = self.hasher();
        h.update(data);
        h.finalize()
    }
}

impl From<DigestAlgorithm> for HashAlgorithm {
    fn from(d: DigestAlgorithm) -> Self {
        match d {
            DigestAlgorithm::Sha256 => Self::Sha256,
            DigestAlgorithm::Sha384 => Self::Sha384,
            DigestAlgorithm::Sha512 => Self::Sha512,
        }
    }
}

impl std::fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An incremental hasher for one [`DigestAlgorithm`] (or SHA-1, see [`HashAlgorithm`]).
#[derive(Clone, Debug)]
pub enum Hasher {
    /// SHA-1 state (verification of old signatures only).
    Sha1(sha1::Sha1),
    /// SHA-256 state.
    Sha256(sha2::Sha256),
    /// SHA-384 state.
    Sha384(sha2::Sha384),
    /// SHA-512 state.
    Sha512(sha2::Sha512),
}

impl Hasher {
    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha1(h) => h.update(data),
            Self::Sha256(h) => h.update(data),
            Self::Sha384(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
        }
    }

    /// Finishes and returns the digest.
    pub fn finalize(self) -> Vec<u8> {
        match self {
            Self::Sha1(h) => h.finalize().to_vec(),
            Self::Sha256(h) => h.finalize().to_vec(),
            Self::Sha384(h) => h.finalize().to_vec(),
            Self::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// A signature algorithm: key type, padding and digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 ([RFC 8017 §8.2]), the usual choice of Vietnamese CAs.
    ///
    /// [RFC 8017 §8.2]: https://www.rfc-editor.org/rfc/rfc8017#section-8.2
    RsaPkcs1v15(DigestAlgorithm),
    /// RSASSA-PSS ([RFC 8017 §8.1]) with MGF1 over the same digest and a salt as long as the
    /// digest ([RFC 4055 §3.1]).
    ///
    /// [RFC 8017 §8.1]: https://www.rfc-editor.org/rfc/rfc8017#section-8.1
    /// [RFC 4055 §3.1]: https://www.rfc-editor.org/rfc/rfc4055#section-3.1
    RsaPss(DigestAlgorithm),
    /// ECDSA ([RFC 5758 §3.2]) on P-256 or P-384; the signature is a DER `ECDSA-Sig-Value`.
    ///
    /// [RFC 5758 §3.2]: https://www.rfc-editor.org/rfc/rfc5758#section-3.2
    Ecdsa(DigestAlgorithm),
}

/// `id-RSASSA-PSS` ([RFC 4055 §3.1]).
pub const ID_RSASSA_PSS: ObjectIdentifier = rfc5912::ID_RSASSA_PSS;
/// `id-mgf1` ([RFC 4055 §2.2]).
pub const ID_MGF1: ObjectIdentifier = rfc5912::ID_MGF_1;

impl SignatureAlgorithm {
    /// The digest the signature is computed over.
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            Self::RsaPkcs1v15(d) | Self::RsaPss(d) | Self::Ecdsa(d) => d,
        }
    }

    /// The `SignatureAlgorithmIdentifier` for a CMS `SignerInfo`.
    ///
    /// PKCS#1 v1.5 uses the combined `sha256WithRSAEncryption` family (what Adobe, pyHanko and
    /// EU DSS write), PSS the full `RSASSA-PSS-params`, ECDSA `ecdsa-with-SHA*` without
    /// parameters.
    pub fn identifier(self) -> Result<AlgorithmIdentifierOwned> {
        use DigestAlgorithm::*;
        let (oid, parameters) = match self {
            Self::RsaPkcs1v15(d) => (
                match d {
                    Sha256 => rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
                    Sha384 => rfc5912::SHA_384_WITH_RSA_ENCRYPTION,
                    Sha512 => rfc5912::SHA_512_WITH_RSA_ENCRYPTION,
                },
                Some(Any::null()),
            ),
            Self::RsaPss(d) => (ID_RSASSA_PSS, Some(pss_params(d)?)),
            Self::Ecdsa(d) => (
                match d {
                    Sha256 => rfc5912::ECDSA_WITH_SHA_256,
                    Sha384 => rfc5912::ECDSA_WITH_SHA_384,
                    Sha512 => rfc5912::ECDSA_WITH_SHA_512,
                },
                None,
            ),
        };
        Ok(AlgorithmIdentifierOwned { oid, parameters })
    }
}

/// DER of `RSASSA-PSS-params` ([RFC 4055 §3.1]) for `digest`:
///
/// ```text
/// RSASSA-PSS-params  ::=  SEQUENCE  {
///     hashAlgorithm      [0] HashAlgorithm DEFAULT sha1Identifier,
///     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
///     saltLength         [2] INTEGER DEFAULT 20,
///     trailerField       [3] INTEGER DEFAULT 1  }
/// ```
fn pss_params(digest: DigestAlgorithm) -> Result<Any> {
    use der::{Decode, Encode};
    #[derive(der::Sequence)]
    struct PssParams {
        #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
        hash: AlgorithmIdentifierOwned,
        #[asn1(context_specific = "1", tag_mode = "EXPLICIT")]
        mgf: AlgorithmIdentifierOwned,
        #[asn1(context_specific = "2", tag_mode = "EXPLICIT")]
        salt: u32,
    }
    let hash = AlgorithmIdentifierOwned {
        oid: digest.oid(),
        parameters: Some(Any::null()),
    };
    let mgf = AlgorithmIdentifierOwned {
        oid: ID_MGF1,
        parameters: Some(Any::encode_from(&hash)?),
    };
    let params = PssParams {
        hash,
        mgf,
        salt: digest.output_len() as u32,
    };
    Ok(Any::from_der(&params.to_der()?)?)
}
