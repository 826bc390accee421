//! Which signature scheme a `SignerInfo` uses: resolved from its `signatureAlgorithm` and
//! `digestAlgorithm` ([RFC 5652 §5.3]; `rsaEncryption` with a separate digest as
//! [RFC 3370 §3.2] allows) through kyso-cert's algorithm table, the one its signature
//! primitive uses.
//!
//! [RFC 5652 §5.3]: https://www.rfc-editor.org/rfc/rfc5652#section-5.3
//! [RFC 3370 §3.2]: https://www.rfc-editor.org/rfc/rfc3370#section-3.2

use const_oid::ObjectIdentifier;
use der::asn1::Any;
use serde::Serialize;
use spki::AlgorithmIdentifierOwned;

use crate::{Error, HashAlgorithm, Result, SignatureAlgorithm};

/// The signature scheme a verified `SignerInfo` used, described fully (unlike
/// [`SignatureAlgorithm`], which only names what kyso signs with).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "scheme", rename_all = "kebab-case")]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5 ([RFC 8017 §8.2]) with this hash.
    ///
    /// [RFC 8017 §8.2]: https://www.rfc-editor.org/rfc/rfc8017#section-8.2
    RsaPkcs1v15 {
        /// The hash inside the `DigestInfo`.
        hash: HashAlgorithm,
    },
    /// RSASSA-PSS ([RFC 8017 §8.1]) with the parameters of [RFC 4055 §3.1]: MGF1 over the
    /// same hash (the only form kyso verifies), this salt length, trailer field 1.
    ///
    /// [RFC 8017 §8.1]: https://www.rfc-editor.org/rfc/rfc8017#section-8.1
    /// [RFC 4055 §3.1]: https://www.rfc-editor.org/rfc/rfc4055#section-3.1
    RsaPss {
        /// `hashAlgorithm`, also MGF1's hash.
        hash: HashAlgorithm,
        /// `saltLength`.
        salt_length: u32,
    },
    /// ECDSA ([RFC 5758 §3.2]) with this hash; the signature is a DER `ECDSA-Sig-Value`.
    ///
    /// [RFC 5758 §3.2]: https://www.rfc-editor.org/rfc/rfc5758#section-3.2
    Ecdsa {
        /// The hash of the message.
        hash: HashAlgorithm,
    },
}

impl SignatureScheme {
    /// The hash the signature is computed with.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            Self::RsaPkcs1v15 { hash } | Self::RsaPss { hash, .. } | Self::Ecdsa { hash } => hash,
        }
    }

    /// The stable identifier of reports: `rsa-pkcs1-sha256`, `rsa-pss-sha256`,
    /// `ecdsa-sha256` (the curve is the key's; a report may name it,
    /// `ecdsa-p256-sha256`).
    pub fn id(self) -> String {
        match self {
            Self::RsaPkcs1v15 { hash } => format!("rsa-pkcs1-{}", hash.id()),
            Self::RsaPss { hash, .. } => format!("rsa-pss-{}", hash.id()),
            Self::Ecdsa { hash } => format!("ecdsa-{}", hash.id()),
        }
    }

    /// The same scheme as a [`SignatureAlgorithm`], when kyso could sign with it (SHA-2; for
    /// PSS, MGF1 over the same hash and a salt as long as the digest).
    pub fn signature_algorithm(self) -> Option<SignatureAlgorithm> {
        match self {
            Self::RsaPkcs1v15 { hash } => hash.sha2().map(SignatureAlgorithm::RsaPkcs1v15),
            Self::RsaPss { hash, salt_length } => {
                let d = hash.sha2()?;
                (salt_length as usize == d.output_len()).then_some(SignatureAlgorithm::RsaPss(d))
            }
            Self::Ecdsa { hash } => hash.sha2().map(SignatureAlgorithm::Ecdsa),
        }
    }
}

impl std::fmt::Display for SignatureScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::RsaPkcs1v15 { hash } => write!(f, "RSA PKCS#1 v1.5 with {hash}"),
            Self::RsaPss { hash, salt_length } => write!(
                f,
                "RSA-PSS with {hash} (MGF1 {hash}, salt {salt_length} bytes)"
            ),
            Self::Ecdsa { hash } => write!(f, "ECDSA with {hash}"),
        }
    }
}

/// Resolves the scheme of `signature_algorithm` used with `digest` (the `SignerInfo`'s
/// `digestAlgorithm`, which applies when the identifier names only the key type:
/// `rsaEncryption`, `id-ecPublicKey`). The table is kyso-cert's
/// ([`kyso_cert::SignatureAlgorithm::from_identifier`]), so what is resolved here is exactly
/// what its signature primitive verifies.
pub(crate) fn resolve(
    signature_algorithm: &AlgorithmIdentifierOwned,
    digest: HashAlgorithm,
) -> Result<SignatureScheme> {
    use kyso_cert::SignatureAlgorithm as Cert;
    let parsed = Cert::from_identifier(signature_algorithm, Some(to_cert_digest(digest)))
        .map_err(|e| unsupported_signature(signature_algorithm, e))?;
    let unknown = || {
        Error::UnsupportedAlgorithm(format!(
            "signature algorithm {}",
            describe_oid(&signature_algorithm.oid)
        ))
    };
    Ok(match parsed {
        Cert::RsaPkcs1v15(d) => SignatureScheme::RsaPkcs1v15 {
            hash: from_cert_digest(d).ok_or_else(unknown)?,
        },
        Cert::RsaPss { digest, salt_len } => SignatureScheme::RsaPss {
            hash: from_cert_digest(digest).ok_or_else(unknown)?,
            salt_length: u32::try_from(salt_len).map_err(|_| unknown())?,
        },
        Cert::Ecdsa(d) => SignatureScheme::Ecdsa {
            hash: from_cert_digest(d).ok_or_else(unknown)?,
        },
        _ => return Err(unknown()),
    })
}

fn unsupported_signature(identifier: &AlgorithmIdentifierOwned, e: kyso_cert::Error) -> Error {
    match e {
        kyso_cert::Error::UnsupportedAlgorithm { reason, .. } => {
            Error::UnsupportedAlgorithm(format!(
                "signature algorithm {}: {reason}",
                describe_oid(&identifier.oid)
            ))
        }
        other => Error::UnsupportedAlgorithm(format!(
            "signature algorithm {}: {other}",
            describe_oid(&identifier.oid)
        )),
    }
}

/// kyso-cert's name for a hash algorithm.
pub(crate) fn to_cert_digest(hash: HashAlgorithm) -> kyso_cert::DigestAlgorithm {
    match hash {
        HashAlgorithm::Sha1 => kyso_cert::DigestAlgorithm::Sha1,
        HashAlgorithm::Sha256 => kyso_cert::DigestAlgorithm::Sha256,
        HashAlgorithm::Sha384 => kyso_cert::DigestAlgorithm::Sha384,
        HashAlgorithm::Sha512 => kyso_cert::DigestAlgorithm::Sha512,
    }
}

fn from_cert_digest(d: kyso_cert::DigestAlgorithm) -> Option<HashAlgorithm> {
    HashAlgorithm::from_oid(&d.oid()).ok()
}

/// The hash algorithm of a `digestAlgorithm`, or an error naming it.
pub(crate) fn resolve_digest(identifier: &AlgorithmIdentifierOwned) -> Result<HashAlgorithm> {
    HashAlgorithm::from_oid(&identifier.oid).map_err(|_| {
        Error::UnsupportedAlgorithm(format!(
            "digest algorithm {}",
            describe_oid(&identifier.oid)
        ))
    })
}

/// `1.2.3.4 (name)` when the OID database knows the name, else the dotted form.
pub(crate) fn describe_oid(oid: &ObjectIdentifier) -> String {
    match const_oid::db::DB.by_oid(oid) {
        Some(name) => format!("{oid} ({name})"),
        None => oid.to_string(),
    }
}

/// Whether two algorithm identifiers are the same, treating absent parameters and NULL
/// parameters as equal (both occur for the SHA-2 identifiers, [RFC 5754 §2]).
///
/// [RFC 5754 §2]: https://www.rfc-editor.org/rfc/rfc5754#section-2
pub(crate) fn same_identifier(a: &AlgorithmIdentifierOwned, b: &AlgorithmIdentifierOwned) -> bool {
    let is_null = |p: &Option<Any>| p.as_ref().is_none_or(|p| p.is_null());
    a.oid == b.oid
        && (a.parameters == b.parameters || (is_null(&a.parameters) && is_null(&b.parameters)))
}

#[cfg(test)]
mod tests {
    use const_oid::db::rfc5912;

    use super::*;
    use crate::DigestAlgorithm;

    #[test]
    fn resolves_every_signature_algorithm_kyso_signs_with() {
        for alg in [
            SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256),
            SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha512),
            SignatureAlgorithm::RsaPss(DigestAlgorithm::Sha256),
            SignatureAlgorithm::RsaPss(DigestAlgorithm::Sha384),
            SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha384),
        ] {
            let id = alg.identifier().expect("identifier");
            let scheme = resolve(&id, alg.digest().into()).expect("resolve");
            assert_eq!(scheme.signature_algorithm(), Some(alg));
        }
    }

    #[test]
    fn rsa_encryption_takes_the_digest_algorithm() {
        let id = AlgorithmIdentifierOwned {
            oid: rfc5912::RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        };
        let scheme = resolve(&id, HashAlgorithm::Sha384).expect("resolve");
        assert_eq!(
            scheme,
            SignatureScheme::RsaPkcs1v15 {
                hash: HashAlgorithm::Sha384
            }
        );
    }

    #[test]
    fn names_an_unsupported_oid() {
        let id = AlgorithmIdentifierOwned {
            oid: rfc5912::DSA_WITH_SHA_1,
            parameters: None,
        };
        let err = resolve(&id, HashAlgorithm::Sha1).expect_err("DSA");
        assert!(err.to_string().contains("1.2.840.10040.4.3"), "{err}");
    }

    #[test]
    fn null_and_absent_parameters_are_the_same_identifier() {
        let mut a = DigestAlgorithm::Sha256.identifier();
        let b = a.clone();
        a.parameters = Some(Any::null());
        assert!(same_identifier(&a, &b));
    }
}
