//! kyso's one algorithm vocabulary: the digests, signature schemes and key types that every
//! kyso crate signs, verifies and reports with.
//!
//! kyso-cms, kyso-token and kyso-pdf use these types as they are; nothing converts between
//! look-alike enums. Each type has a stable text form (its `id`, also its serde form, used in
//! JSON reports, configuration and the command line) and its object identifier:
//!
//! | type | stable names | identifiers |
//! |------|--------------|-------------|
//! | [`DigestAlgorithm`] | `sha1`, `sha256`, `sha384`, `sha512` | `id-sha1` ([RFC 3279 §2.1]), `id-sha256`, … ([RFC 4055 §2.1]) |
//! | [`SignatureScheme`] | `rsa-pkcs1-sha256`, `rsa-pss-sha256` (salt = digest length; otherwise `rsa-pss-sha256-salt20`), `ecdsa-sha256` | `sha256WithRSAEncryption`, `id-RSASSA-PSS` with `RSASSA-PSS-params`, `ecdsa-with-SHA256` |
//! | [`KeyType`] | `rsa-2048`, `ecdsa-p256`, … (with a scheme: `ecdsa-p256-sha256`, [`SignatureScheme::id_for`]) | `rsaEncryption`, `id-RSASSA-PSS`, `id-ecPublicKey` with `secp256r1` / `secp384r1` |
//!
//! An ECDSA scheme names no curve, as its `AlgorithmIdentifier` does not ([RFC 5758 §3.2]):
//! the curve is the key's.
//!
//! SHA-1 is in the vocabulary because old signatures use it; verification accepts it only when
//! asked to, and kyso never signs with it.
//!
//! [RFC 3279 §2.1]: https://www.rfc-editor.org/rfc/rfc3279#section-2.1
//! [RFC 4055 §2.1]: https://www.rfc-editor.org/rfc/rfc4055#section-2.1
//! [RFC 5758 §3.2]: https://www.rfc-editor.org/rfc/rfc5758#section-3.2

use std::fmt;
use std::str::FromStr;

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::{
    ECDSA_WITH_SHA_256, ECDSA_WITH_SHA_384, ECDSA_WITH_SHA_512, ID_EC_PUBLIC_KEY, ID_MGF_1,
    ID_RSASSA_PSS, ID_SHA_1, ID_SHA_256, ID_SHA_384, ID_SHA_512, RSA_ENCRYPTION, SECP_256_R_1,
    SECP_384_R_1, SHA_1_WITH_RSA_ENCRYPTION, SHA_256_WITH_RSA_ENCRYPTION,
    SHA_384_WITH_RSA_ENCRYPTION, SHA_512_WITH_RSA_ENCRYPTION,
};
use der::asn1::Any;
use der::{Decode, Encode, Tag, Tagged};
use rsa::pkcs1::{RsaPssParams, TrailerField};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Digest as _;
use spki::AlgorithmIdentifierOwned;

use crate::signature::PublicKeySource;
use crate::{Error, Result};

/// `ecdsa-with-SHA1` ([RFC 3279 §2.2.3]): 1.2.840.10045.4.1.
///
/// [RFC 3279 §2.2.3]: https://www.rfc-editor.org/rfc/rfc3279#section-2.2.3
pub const ECDSA_WITH_SHA_1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");

/// A message digest ([FIPS 180-4]).
///
/// ```text
/// id-sha1    OBJECT IDENTIFIER ::= { iso(1) identified-organization(3) oiw(14)
///                                    secsig(3) algorithms(2) 26 }
/// id-sha256  OBJECT IDENTIFIER ::= { joint-iso-itu-t(2) country(16) us(840)
///                                    organization(1) gov(101) csor(3) nistalgorithm(4)
///                                    hashalgs(2) 1 }
/// ```
///
/// ([RFC 3279 §2.1], [RFC 4055 §2.1]; `id-sha384` and `id-sha512` are arcs 2 and 3.) The serde
/// form is the [`id`](Self::id): `"sha256"`.
///
/// [FIPS 180-4]: https://csrc.nist.gov/pubs/fips/180-4/upd1/final
/// [RFC 3279 §2.1]: https://www.rfc-editor.org/rfc/rfc3279#section-2.1
/// [RFC 4055 §2.1]: https://www.rfc-editor.org/rfc/rfc4055#section-2.1
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestAlgorithm {
    /// SHA-1: legacy, collisions are practical (SHAttered, 2017); read in old signatures when a
    /// caller allows it, never used to sign.
    Sha1,
    /// SHA-256 (the default for PAdES).
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// Every digest, weakest first.
    pub const ALL: [Self; 4] = [Self::Sha1, Self::Sha256, Self::Sha384, Self::Sha512];

    /// The digest with this OID (`id-sha1`, `id-sha256`, …), if kyso knows it.
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

    /// The `DigestAlgorithmIdentifier`, parameters absent as [RFC 5754 §2] recommends.
    ///
    /// [RFC 5754 §2]: https://www.rfc-editor.org/rfc/rfc5754#section-2
    pub fn identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: None,
        }
    }

    /// The stable name of reports, configuration and the command line: `sha256`.
    pub fn id(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// The name as standards and certificate viewers write it: `SHA-256`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// A fresh incremental hasher.
    pub fn hasher(self) -> Hasher {
        match self {
            Self::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            Self::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Self::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            Self::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }

    /// The hash of `message`.
    pub fn digest(self, message: &[u8]) -> Vec<u8> {
        let mut hasher = self.hasher();
        hasher.update(message);
        hasher.finalize()
    }

    /// Whether this is SHA-1, which policies reject unless told otherwise ([RFC 3279 §2.2.1]
    /// still defines `sha1WithRSAEncryption`; NIST SP 800-131A disallows SHA-1 signatures).
    ///
    /// [RFC 3279 §2.2.1]: https://www.rfc-editor.org/rfc/rfc3279#section-2.2.1
    pub fn is_legacy(self) -> bool {
        self == Self::Sha1
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DigestAlgorithm {
    type Err = Error;

    /// Reads a stable name (`sha256`) or a standard name (`SHA-256`), in any case.
    fn from_str(s: &str) -> Result<Self> {
        let folded: String = s
            .chars()
            .filter(|c| *c != '-')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        Self::ALL
            .into_iter()
            .find(|d| d.id() == folded)
            .ok_or_else(|| Error::UnknownAlgorithmName {
                kind: "digest",
                name: s.to_owned(),
            })
    }
}

/// An incremental hasher for one [`DigestAlgorithm`].
#[derive(Clone, Debug)]
#[non_exhaustive]
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

/// A signature scheme: padding (or ECDSA) and digest, as an `AlgorithmIdentifier` names it
/// ([RFC 5280 §4.1.1.2]). The key's type and size are the key's ([`KeyType`]).
///
/// The serde form is the [`id`](Self::id): `"rsa-pkcs1-sha256"`.
///
/// [RFC 5280 §4.1.1.2]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.2
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5 ([RFC 8017 §8.2]) with this digest, the usual choice of Vietnamese
    /// CAs.
    ///
    /// [RFC 8017 §8.2]: https://www.rfc-editor.org/rfc/rfc8017#section-8.2
    RsaPkcs1v15(DigestAlgorithm),
    /// RSASSA-PSS ([RFC 8017 §8.1], parameters [RFC 4055 §3.1]) with this digest for the
    /// message and for MGF1, this salt length and trailer field 1 (the only form kyso reads).
    ///
    /// [RFC 8017 §8.1]: https://www.rfc-editor.org/rfc/rfc8017#section-8.1
    /// [RFC 4055 §3.1]: https://www.rfc-editor.org/rfc/rfc4055#section-3.1
    RsaPss {
        /// Message digest, also MGF1's digest.
        digest: DigestAlgorithm,
        /// Salt length in bytes.
        salt_len: u32,
    },
    /// ECDSA ([RFC 5758 §3.2], FIPS 186-4) with this digest; the signature is a DER
    /// `Ecdsa-Sig-Value` ([RFC 3279 §2.2.3]):
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

impl SignatureScheme {
    /// RSASSA-PSS with MGF1 over `digest` and a salt as long as the digest (what kyso signs
    /// with, [RFC 4055 §3.1]'s recommendation).
    ///
    /// [RFC 4055 §3.1]: https://www.rfc-editor.org/rfc/rfc4055#section-3.1
    pub fn rsa_pss(digest: DigestAlgorithm) -> Self {
        Self::RsaPss {
            digest,
            salt_len: digest.output_len() as u32,
        }
    }

    /// The digest the message is hashed with.
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            Self::RsaPkcs1v15(digest) | Self::Ecdsa(digest) | Self::RsaPss { digest, .. } => digest,
        }
    }

    /// The same scheme with another digest (PSS keeps a salt as long as the new digest when
    /// its salt was as long as the old one).
    pub fn with_digest(self, digest: DigestAlgorithm) -> Self {
        match self {
            Self::RsaPkcs1v15(_) => Self::RsaPkcs1v15(digest),
            Self::Ecdsa(_) => Self::Ecdsa(digest),
            Self::RsaPss {
                digest: old,
                salt_len,
            } => {
                if salt_len as usize == old.output_len() {
                    Self::rsa_pss(digest)
                } else {
                    Self::RsaPss { digest, salt_len }
                }
            }
        }
    }

    /// The stable name of reports, configuration and the command line: `rsa-pkcs1-sha256`,
    /// `rsa-pss-sha256` (salt as long as the digest; otherwise `rsa-pss-sha256-salt20`),
    /// `ecdsa-sha256`.
    pub fn id(self) -> String {
        match self {
            Self::RsaPkcs1v15(d) => format!("rsa-pkcs1-{}", d.id()),
            Self::RsaPss { digest, salt_len } if salt_len as usize == digest.output_len() => {
                format!("rsa-pss-{}", digest.id())
            }
            Self::RsaPss { digest, salt_len } => format!("rsa-pss-{}-salt{salt_len}", digest.id()),
            Self::Ecdsa(d) => format!("ecdsa-{}", d.id()),
        }
    }

    /// The stable name with the key's curve for ECDSA (`ecdsa-p256-sha256`, the form of JSON
    /// reports); [`id`](Self::id) otherwise.
    pub fn id_for(self, key: &KeyType) -> String {
        match (self, key) {
            (Self::Ecdsa(d), KeyType::Ec(curve)) => format!("ecdsa-{}-{}", curve.id(), d.id()),
            _ => self.id(),
        }
    }

    /// Whether the scheme can be used with a key of this type: PKCS #1 v1.5 with
    /// `rsaEncryption` keys, PSS with RSA keys of either identifier ([RFC 4055 §1.2]), ECDSA
    /// with EC keys.
    ///
    /// [RFC 4055 §1.2]: https://www.rfc-editor.org/rfc/rfc4055#section-1.2
    pub fn fits(self, key: &KeyType) -> bool {
        match (self, key) {
            (Self::RsaPkcs1v15(_), KeyType::Rsa { pss_only, .. }) => !pss_only,
            (Self::RsaPss { .. }, KeyType::Rsa { .. }) => true,
            (Self::Ecdsa(_), KeyType::Ec(_) | KeyType::EcOther { .. }) => true,
            _ => false,
        }
    }

    /// Reads a signature `AlgorithmIdentifier`.
    ///
    /// `digest` is used only when the identifier names a key type rather than a signature
    /// algorithm (`rsaEncryption`, `id-ecPublicKey`), as a CMS `SignerInfo` may: the digest
    /// then comes from the `SignerInfo`'s `digestAlgorithm` ([RFC 5652 §5.3], [RFC 3370
    /// §3.2]).
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedAlgorithm`] for an unknown identifier, for parameters that RFC 4055
    /// / RFC 5758 forbid, and for PSS with an MGF1 digest other than the message digest or a
    /// trailer field other than 1.
    ///
    /// [RFC 5652 §5.3]: https://www.rfc-editor.org/rfc/rfc5652#section-5.3
    /// [RFC 3370 §3.2]: https://www.rfc-editor.org/rfc/rfc3370#section-3.2
    pub fn from_identifier(
        algorithm: &AlgorithmIdentifierOwned,
        digest: Option<DigestAlgorithm>,
    ) -> Result<Self> {
        use DigestAlgorithm::{Sha1, Sha256, Sha384, Sha512};
        let oid = algorithm.oid;
        let unsupported = |reason: &'static str| Error::UnsupportedAlgorithm { oid, reason };
        let params = algorithm.parameters.as_ref();
        // RFC 4055 §5: the parameters of sha*WithRSAEncryption "MUST be NULL"; absent is
        // accepted too, as RFC 4055 §5 says implementations SHOULD.
        let rsa = |digest| match params {
            None => Ok(Self::RsaPkcs1v15(digest)),
            Some(any) if any.tag() == Tag::Null && any.value().is_empty() => {
                Ok(Self::RsaPkcs1v15(digest))
            }
            Some(_) => Err(unsupported("parameters must be NULL or absent")),
        };
        // RFC 5758 §3.2: ecdsa-with-SHA* "the encoding MUST omit the parameters field".
        let ecdsa = |digest| match params {
            None => Ok(Self::Ecdsa(digest)),
            Some(_) => Err(unsupported("ECDSA parameters must be absent")),
        };
        let given = || digest.ok_or(unsupported("the digest algorithm was not given"));
        match oid {
            SHA_256_WITH_RSA_ENCRYPTION => rsa(Sha256),
            SHA_384_WITH_RSA_ENCRYPTION => rsa(Sha384),
            SHA_512_WITH_RSA_ENCRYPTION => rsa(Sha512),
            SHA_1_WITH_RSA_ENCRYPTION => rsa(Sha1),
            RSA_ENCRYPTION => rsa(given()?),
            ECDSA_WITH_SHA_256 => ecdsa(Sha256),
            ECDSA_WITH_SHA_384 => ecdsa(Sha384),
            ECDSA_WITH_SHA_512 => ecdsa(Sha512),
            ECDSA_WITH_SHA_1 => ecdsa(Sha1),
            ID_EC_PUBLIC_KEY => Ok(Self::Ecdsa(given()?)),
            ID_RSASSA_PSS => pss_from_params(oid, params),
            _ => Err(unsupported("unknown signature algorithm")),
        }
    }

    /// The signature `AlgorithmIdentifier` kyso writes (in a CMS `SignerInfo`, a CSC request):
    /// the combined `sha256WithRSAEncryption` family with NULL parameters for PKCS #1 v1.5
    /// (what Adobe, pyHanko and EU DSS write), `id-RSASSA-PSS` with full `RSASSA-PSS-params`,
    /// `ecdsa-with-SHA*` without parameters.
    ///
    /// # Errors
    ///
    /// [`Error::Der`] if the PSS parameters do not encode.
    pub fn identifier(self) -> Result<AlgorithmIdentifierOwned> {
        use DigestAlgorithm::{Sha1, Sha256, Sha384, Sha512};
        let (oid, parameters) = match self {
            Self::RsaPkcs1v15(d) => (
                match d {
                    Sha1 => SHA_1_WITH_RSA_ENCRYPTION,
                    Sha256 => SHA_256_WITH_RSA_ENCRYPTION,
                    Sha384 => SHA_384_WITH_RSA_ENCRYPTION,
                    Sha512 => SHA_512_WITH_RSA_ENCRYPTION,
                },
                Some(Any::null()),
            ),
            Self::RsaPss { digest, salt_len } => {
                (ID_RSASSA_PSS, Some(pss_params(digest, salt_len)?))
            }
            Self::Ecdsa(d) => (
                match d {
                    Sha1 => ECDSA_WITH_SHA_1,
                    Sha256 => ECDSA_WITH_SHA_256,
                    Sha384 => ECDSA_WITH_SHA_384,
                    Sha512 => ECDSA_WITH_SHA_512,
                },
                None,
            ),
        };
        Ok(AlgorithmIdentifierOwned { oid, parameters })
    }
}

impl fmt::Display for SignatureScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RsaPkcs1v15(d) => write!(f, "RSA PKCS#1 v1.5 with {d}"),
            Self::RsaPss { digest, salt_len } => {
                write!(
                    f,
                    "RSA-PSS with {digest} (MGF1 {digest}, salt {salt_len} bytes)"
                )
            }
            Self::Ecdsa(d) => write!(f, "ECDSA with {d}"),
        }
    }
}

impl FromStr for SignatureScheme {
    type Err = Error;

    /// Reads a stable name ([`id`](Self::id)); for ECDSA the curve form of
    /// [`id_for`](Self::id_for) (`ecdsa-p256-sha256`) is read too, the curve dropped.
    fn from_str(s: &str) -> Result<Self> {
        let unknown = || Error::UnknownAlgorithmName {
            kind: "signature scheme",
            name: s.to_owned(),
        };
        let digest = |name: &str| name.parse::<DigestAlgorithm>().map_err(|_| unknown());
        if let Some(rest) = s.strip_prefix("rsa-pkcs1-") {
            return Ok(Self::RsaPkcs1v15(digest(rest)?));
        }
        if let Some(rest) = s.strip_prefix("rsa-pss-") {
            return match rest.split_once("-salt") {
                Some((d, salt)) => Ok(Self::RsaPss {
                    digest: digest(d)?,
                    salt_len: salt.parse().map_err(|_| unknown())?,
                }),
                None => Ok(Self::rsa_pss(digest(rest)?)),
            };
        }
        if let Some(rest) = s.strip_prefix("ecdsa-") {
            let rest = ["p256-", "p384-"]
                .iter()
                .find_map(|curve| rest.strip_prefix(curve))
                .unwrap_or(rest);
            return Ok(Self::Ecdsa(digest(rest)?));
        }
        Err(unknown())
    }
}

impl Serialize for SignatureScheme {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.id())
    }
}

impl<'de> Deserialize<'de> for SignatureScheme {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
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
fn pss_from_params(oid: ObjectIdentifier, params: Option<&Any>) -> Result<SignatureScheme> {
    let unsupported = |reason: &'static str| Error::UnsupportedAlgorithm { oid, reason };
    // Absent parameters mean every default: SHA-1, MGF1-SHA-1, salt 20 (RFC 4055 §3.1).
    let Some(params) = params else {
        return Ok(SignatureScheme::RsaPss {
            digest: DigestAlgorithm::Sha1,
            salt_len: 20,
        });
    };
    let der = params
        .to_der()
        .map_err(|_| unsupported("RSASSA-PSS parameters do not encode"))?;
    let parsed: RsaPssParams<Any> = RsaPssParams::try_from(der.as_slice())
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
    Ok(SignatureScheme::RsaPss {
        digest,
        salt_len: u32::from(parsed.salt_len),
    })
}

/// DER of `RSASSA-PSS-params` ([RFC 4055 §3.1], shown at [`pss_from_params`]) for `digest`,
/// MGF1 over the same digest, and `salt_len`; the hash identifiers carry NULL parameters as
/// OpenSSL, Adobe and pyHanko write them.
///
/// [RFC 4055 §3.1]: https://www.rfc-editor.org/rfc/rfc4055#section-3.1
fn pss_params(digest: DigestAlgorithm, salt_len: u32) -> Result<Any> {
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
        oid: ID_MGF_1,
        parameters: Some(Any::encode_from(&hash)?),
    };
    let params = PssParams {
        hash,
        mgf,
        salt: salt_len,
    };
    Ok(Any::from_der(&params.to_der()?)?)
}

/// A named elliptic curve kyso signs and verifies on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EcCurve {
    /// NIST P-256 (`secp256r1`, [RFC 5480 §2.1.1.1]).
    ///
    /// [RFC 5480 §2.1.1.1]: https://www.rfc-editor.org/rfc/rfc5480#section-2.1.1.1
    P256,
    /// NIST P-384 (`secp384r1`).
    P384,
}

impl EcCurve {
    /// The curve with this OID, if kyso supports it.
    pub fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        match oid {
            SECP_256_R_1 => Some(Self::P256),
            SECP_384_R_1 => Some(Self::P384),
            _ => None,
        }
    }

    /// The curve's OID ([RFC 5480 §2.1.1.1]).
    ///
    /// [RFC 5480 §2.1.1.1]: https://www.rfc-editor.org/rfc/rfc5480#section-2.1.1.1
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::P256 => SECP_256_R_1,
            Self::P384 => SECP_384_R_1,
        }
    }

    /// The stable name: `p256`.
    pub fn id(self) -> &'static str {
        match self {
            Self::P256 => "p256",
            Self::P384 => "p384",
        }
    }

    /// The name as FIPS 186-4 writes it: `P-256`.
    pub fn name(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
        }
    }

    /// The digest of the same strength (SHA-256 for P-256, SHA-384 for P-384), the usual
    /// pairing (RFC 5480 §4).
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            Self::P256 => DigestAlgorithm::Sha256,
            Self::P384 => DigestAlgorithm::Sha384,
        }
    }

    /// Length of one coordinate, and of each of r and s, in bytes.
    pub fn field_len(self) -> usize {
        match self {
            Self::P256 => 32,
            Self::P384 => 48,
        }
    }

    /// An ECDSA signature on this curve as CMS carries it, a DER `Ecdsa-Sig-Value` ([RFC 3279
    /// §2.2.3]): returned as it is when it already is one, converted when it is the raw
    /// `r || s` of PKCS #11, JOSE and many signing services (each [`field_len`](Self::field_len)
    /// bytes, big-endian). The one raw-to-DER conversion of kyso.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSignatureEncoding`] when the bytes are neither form.
    ///
    /// [RFC 3279 §2.2.3]: https://www.rfc-editor.org/rfc/rfc3279#section-2.2.3
    pub fn der_signature(self, signature: &[u8]) -> Result<Vec<u8>> {
        #[derive(der::Sequence)]
        struct EcdsaSigValue<'a> {
            r: der::asn1::UintRef<'a>,
            s: der::asn1::UintRef<'a>,
        }
        let fits = |n: &der::asn1::UintRef<'_>| {
            let bytes = n.as_bytes();
            !bytes.is_empty() && bytes.len() <= self.field_len() && bytes.iter().any(|&b| b != 0)
        };
        if let Ok(parsed) = EcdsaSigValue::from_der(signature)
            && fits(&parsed.r)
            && fits(&parsed.s)
        {
            return Ok(signature.to_vec());
        }
        let invalid = |reason| Error::InvalidSignatureEncoding {
            curve: self.name(),
            reason,
        };
        if signature.len() != 2 * self.field_len() {
            return Err(invalid(
                "neither a DER Ecdsa-Sig-Value nor r || s of the curve's size",
            ));
        }
        let (r, s) = signature.split_at(self.field_len());
        let value = EcdsaSigValue {
            r: der::asn1::UintRef::new(r).map_err(|_| invalid("r does not encode"))?,
            s: der::asn1::UintRef::new(s).map_err(|_| invalid("s does not encode"))?,
        };
        if !fits(&value.r) || !fits(&value.s) {
            return Err(invalid("r or s is zero"));
        }
        value.to_der().map_err(|_| invalid("does not encode"))
    }
}

/// A public key's type and size: what choosing a signature scheme and cryptographic
/// constraints (ETSI TS 119 312) need to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// An RSA key with a modulus of this many bits.
    Rsa {
        /// Bit length of the modulus.
        modulus_bits: u32,
        /// The key is an `id-RSASSA-PSS` key, for PSS only ([RFC 4055 §1.2]), rather than
        /// `rsaEncryption`.
        ///
        /// [RFC 4055 §1.2]: https://www.rfc-editor.org/rfc/rfc4055#section-1.2
        pss_only: bool,
    },
    /// An EC key on a curve kyso supports.
    Ec(EcCurve),
    /// An EC key on another curve (named by its OID when the parameters name one).
    EcOther {
        /// The curve's OID.
        curve: Option<ObjectIdentifier>,
    },
    /// Another algorithm (DSA, EdDSA, GOST, …), by its OID.
    Other {
        /// `SubjectPublicKeyInfo.algorithm`.
        algorithm: ObjectIdentifier,
    },
}

impl KeyType {
    /// The scheme kyso signs with unless told otherwise: PKCS #1 v1.5 with SHA-256 for
    /// `rsaEncryption` keys (what Vietnamese CAs, Adobe and readers expect), PSS with SHA-256
    /// for `id-RSASSA-PSS` keys, ECDSA with the curve's own digest; `None` for keys kyso does
    /// not sign with. [`SignatureScheme::with_digest`] picks another digest.
    pub fn default_scheme(self) -> Option<SignatureScheme> {
        match self {
            Self::Rsa {
                pss_only: false, ..
            } => Some(SignatureScheme::RsaPkcs1v15(DigestAlgorithm::Sha256)),
            Self::Rsa { pss_only: true, .. } => {
                Some(SignatureScheme::rsa_pss(DigestAlgorithm::Sha256))
            }
            Self::Ec(curve) => Some(SignatureScheme::Ecdsa(curve.digest())),
            Self::EcOther { .. } | Self::Other { .. } => None,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rsa { modulus_bits, .. } => write!(f, "RSA-{modulus_bits}"),
            Self::Ec(curve) => write!(f, "ECDSA {}", curve.name()),
            Self::EcOther { curve: Some(c) } => write!(f, "EC on curve {c}"),
            Self::EcOther { curve: None } => f.write_str("EC on an unnamed curve"),
            Self::Other { algorithm } => write!(f, "key algorithm {algorithm}"),
        }
    }
}

/// The type and size of `key`'s public key: the one key-type function every kyso crate uses.
///
/// # Errors
///
/// [`Error::InvalidPublicKey`] when an RSA key does not decode.
pub fn key_type(key: &impl PublicKeySource) -> Result<KeyType> {
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
        return Ok(KeyType::Rsa {
            modulus_bits,
            pss_only: oid == ID_RSASSA_PSS,
        });
    }
    if oid == ID_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        return Ok(match curve.and_then(EcCurve::from_oid) {
            Some(supported) => KeyType::Ec(supported),
            None => KeyType::EcOther { curve },
        });
    }
    Ok(KeyType::Other { algorithm: oid })
}

pub(crate) fn invalid_key(reason: &'static str) -> Error {
    Error::InvalidPublicKey { reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_names_oids_and_lengths_round_trip() {
        for digest in DigestAlgorithm::ALL {
            assert_eq!(digest.digest(b"abc").len(), digest.output_len());
            assert_eq!(DigestAlgorithm::from_oid(digest.oid()), Some(digest));
            assert_eq!(digest.id().parse::<DigestAlgorithm>().ok(), Some(digest));
            assert_eq!(digest.name().parse::<DigestAlgorithm>().ok(), Some(digest));
            let json = serde_json::to_string(&digest).expect("serialise");
            assert_eq!(json, format!("\"{}\"", digest.id()));
        }
        assert!("md5".parse::<DigestAlgorithm>().is_err());
    }

    #[test]
    fn every_scheme_round_trips_through_its_identifier_and_its_name() {
        for digest in DigestAlgorithm::ALL {
            for scheme in [
                SignatureScheme::RsaPkcs1v15(digest),
                SignatureScheme::rsa_pss(digest),
                SignatureScheme::RsaPss {
                    digest,
                    salt_len: 0,
                },
                SignatureScheme::Ecdsa(digest),
            ] {
                let id = scheme.identifier().expect("identifier");
                assert_eq!(
                    SignatureScheme::from_identifier(&id, None).ok(),
                    Some(scheme)
                );
                assert_eq!(scheme.id().parse::<SignatureScheme>().ok(), Some(scheme));
                let json = serde_json::to_string(&scheme).expect("serialise");
                assert_eq!(json, format!("\"{}\"", scheme.id()));
                let back: SignatureScheme = serde_json::from_str(&json).expect("deserialise");
                assert_eq!(back, scheme);
            }
        }
    }

    #[test]
    fn stable_names_are_the_documented_ones() {
        use DigestAlgorithm::Sha256;
        assert_eq!(
            SignatureScheme::RsaPkcs1v15(Sha256).id(),
            "rsa-pkcs1-sha256"
        );
        assert_eq!(SignatureScheme::rsa_pss(Sha256).id(), "rsa-pss-sha256");
        let salt20 = SignatureScheme::RsaPss {
            digest: Sha256,
            salt_len: 20,
        };
        assert_eq!(salt20.id(), "rsa-pss-sha256-salt20");
        let ecdsa = SignatureScheme::Ecdsa(Sha256);
        assert_eq!(ecdsa.id(), "ecdsa-sha256");
        assert_eq!(
            ecdsa.id_for(&KeyType::Ec(EcCurve::P256)),
            "ecdsa-p256-sha256"
        );
        assert_eq!(
            "ecdsa-p384-sha256".parse::<SignatureScheme>().ok(),
            Some(ecdsa)
        );
        assert!("rsa-pkcs1-md5".parse::<SignatureScheme>().is_err());
        assert!("dsa-sha256".parse::<SignatureScheme>().is_err());
    }

    #[test]
    fn key_only_identifiers_take_the_given_digest() {
        let rsa = AlgorithmIdentifierOwned {
            oid: RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        };
        assert_eq!(
            SignatureScheme::from_identifier(&rsa, Some(DigestAlgorithm::Sha384)).ok(),
            Some(SignatureScheme::RsaPkcs1v15(DigestAlgorithm::Sha384))
        );
        assert!(matches!(
            SignatureScheme::from_identifier(&rsa, None),
            Err(Error::UnsupportedAlgorithm { .. })
        ));
    }

    #[test]
    fn raw_ecdsa_signatures_become_der_and_der_stays() {
        let raw: Vec<u8> = (1..=64).collect();
        let der = EcCurve::P256.der_signature(&raw).expect("raw r || s");
        assert_eq!(der[0], 0x30);
        assert_eq!(EcCurve::P256.der_signature(&der).ok(), Some(der.clone()));
        // 64 bytes are not a P-384 r || s, and the P-256 DER has the right sizes for P-384
        // too (r and s shorter than 48 bytes are valid).
        assert!(EcCurve::P384.der_signature(&raw).is_err());
        assert!(EcCurve::P256.der_signature(&[0u8; 64]).is_err());
        assert!(EcCurve::P256.der_signature(b"junk").is_err());
    }

    #[test]
    fn pkcs1_refuses_a_pss_only_key() {
        let pss_key = KeyType::Rsa {
            modulus_bits: 2048,
            pss_only: true,
        };
        assert!(!SignatureScheme::RsaPkcs1v15(DigestAlgorithm::Sha256).fits(&pss_key));
        assert!(SignatureScheme::rsa_pss(DigestAlgorithm::Sha256).fits(&pss_key));
        assert!(!SignatureScheme::Ecdsa(DigestAlgorithm::Sha256).fits(&pss_key));
    }
}
