//! Which signature scheme a `SignerInfo` uses: resolved from its `signatureAlgorithm` and
//! `digestAlgorithm` ([RFC 5652 §5.3]) by the rules of [RFC 3370 §3.2], [RFC 4056 §2],
//! [RFC 5754 §3] and [RFC 5753 §7.1.3] (ECDSA).
//!
//! [RFC 5652 §5.3]: https://www.rfc-editor.org/rfc/rfc5652#section-5.3
//! [RFC 3370 §3.2]: https://www.rfc-editor.org/rfc/rfc3370#section-3.2
//! [RFC 4056 §2]: https://www.rfc-editor.org/rfc/rfc4056#section-2
//! [RFC 5754 §3]: https://www.rfc-editor.org/rfc/rfc5754#section-3
//! [RFC 5753 §7.1.3]: https://www.rfc-editor.org/rfc/rfc5753#section-7.1.3

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;
use der::asn1::Any;
use serde::Serialize;
use spki::AlgorithmIdentifierOwned;

use crate::asn1::PssParams;
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
    /// RSASSA-PSS ([RFC 8017 §8.1]) with the parameters of [RFC 4055 §3.1].
    ///
    /// [RFC 8017 §8.1]: https://www.rfc-editor.org/rfc/rfc8017#section-8.1
    /// [RFC 4055 §3.1]: https://www.rfc-editor.org/rfc/rfc4055#section-3.1
    RsaPss {
        /// `hashAlgorithm`.
        hash: HashAlgorithm,
        /// The hash of `maskGenAlgorithm` (always MGF1).
        mgf1_hash: HashAlgorithm,
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

    /// The same scheme as a [`SignatureAlgorithm`], when kyso could sign with it (SHA-2; for
    /// PSS, MGF1 over the same hash and a salt as long as the digest).
    pub fn signature_algorithm(self) -> Option<SignatureAlgorithm> {
        match self {
            Self::RsaPkcs1v15 { hash } => hash.sha2().map(SignatureAlgorithm::RsaPkcs1v15),
            Self::RsaPss {
                hash,
                mgf1_hash,
                salt_length,
            } => {
                let d = hash.sha2()?;
                (mgf1_hash == hash && salt_length as usize == d.output_len())
                    .then_some(SignatureAlgorithm::RsaPss(d))
            }
            Self::Ecdsa { hash } => hash.sha2().map(SignatureAlgorithm::Ecdsa),
        }
    }
}

impl std::fmt::Display for SignatureScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::RsaPkcs1v15 { hash } => write!(f, "RSA PKCS#1 v1.5 with {hash}"),
            Self::RsaPss {
                hash,
                mgf1_hash,
                salt_length,
            } => write!(
                f,
                "RSA-PSS with {hash} (MGF1 {mgf1_hash}, salt {salt_length} bytes)"
            ),
            Self::Ecdsa { hash } => write!(f, "ECDSA with {hash}"),
        }
    }
}

/// `rsaEncryption` ([RFC 8017 Appendix C]).
///
/// [RFC 8017 Appendix C]: https://www.rfc-editor.org/rfc/rfc8017#appendix-C
const RSA_ENCRYPTION: ObjectIdentifier = rfc5912::RSA_ENCRYPTION;
/// `id-ecPublicKey` ([RFC 5480 §2.1.1]), which some signers put in `signatureAlgorithm`.
///
/// [RFC 5480 §2.1.1]: https://www.rfc-editor.org/rfc/rfc5480#section-2.1.1
/// `ecdsa-with-SHA1` ([RFC 3279 §2.2.3]).
///
/// [RFC 3279 §2.2.3]: https://www.rfc-editor.org/rfc/rfc3279#section-2.2.3
const ECDSA_WITH_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");
const ID_EC_PUBLIC_KEY: ObjectIdentifier = rfc5912::ID_EC_PUBLIC_KEY;

/// A resolved signature algorithm: the scheme, and the `AlgorithmIdentifier` to hand the
/// signature primitive (the `signatureAlgorithm` itself, or the combined identifier when the
/// `SignerInfo` names the key type only, as `rsaEncryption` with a separate digest).
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    pub scheme: SignatureScheme,
    pub identifier: AlgorithmIdentifierOwned,
}

/// Resolves the scheme of `signature_algorithm` used with `digest` (the `SignerInfo`'s
/// `digestAlgorithm`).
pub(crate) fn resolve(
    signature_algorithm: &AlgorithmIdentifierOwned,
    digest: HashAlgorithm,
) -> Result<Resolved> {
    let oid = signature_algorithm.oid;
    let as_is = |scheme| Resolved {
        scheme,
        identifier: signature_algorithm.clone(),
    };
    let rsa = |hash| SignatureScheme::RsaPkcs1v15 { hash };
    let ecdsa = |hash| SignatureScheme::Ecdsa { hash };
    Ok(match oid {
        RSA_ENCRYPTION => {
            let scheme = rsa(digest);
            Resolved {
                scheme,
                identifier: rsa_identifier(digest),
            }
        }
        rfc5912::SHA_1_WITH_RSA_ENCRYPTION => as_is(rsa(HashAlgorithm::Sha1)),
        rfc5912::SHA_256_WITH_RSA_ENCRYPTION => as_is(rsa(HashAlgorithm::Sha256)),
        rfc5912::SHA_384_WITH_RSA_ENCRYPTION => as_is(rsa(HashAlgorithm::Sha384)),
        rfc5912::SHA_512_WITH_RSA_ENCRYPTION => as_is(rsa(HashAlgorithm::Sha512)),
        rfc5912::ID_RSASSA_PSS => as_is(pss_scheme(signature_algorithm)?),
        ECDSA_WITH_SHA1 => as_is(ecdsa(HashAlgorithm::Sha1)),
        rfc5912::ECDSA_WITH_SHA_256 => as_is(ecdsa(HashAlgorithm::Sha256)),
        rfc5912::ECDSA_WITH_SHA_384 => as_is(ecdsa(HashAlgorithm::Sha384)),
        rfc5912::ECDSA_WITH_SHA_512 => as_is(ecdsa(HashAlgorithm::Sha512)),
        ID_EC_PUBLIC_KEY => Resolved {
            scheme: ecdsa(digest),
            identifier: AlgorithmIdentifierOwned {
                oid: ecdsa_oid(digest),
                parameters: None,
            },
        },
        other => {
            return Err(Error::UnsupportedAlgorithm(format!(
                "signature algorithm {}",
                describe_oid(&other)
            )));
        }
    })
}

/// The hash algorithm of a `digestAlgorithm`, or an error naming it.
pub(crate) fn resolve_digest(identifier: &AlgorithmIdentifierOwned) -> Result<HashAlgorithm> {
    HashAlgorithm::from_oid(&identifier.oid).map_err(|_| {
        Error::UnsupportedAlgorithm(format!("digest algorithm {}", describe_oid(&identifier.oid)))
    })
}

/// `1.2.3.4 (name)` when the OID database knows the name, else the dotted form.
pub(crate) fn describe_oid(oid: &ObjectIdentifier) -> String {
    match const_oid::db::DB.by_oid(oid) {
        Some(name) => format!("{oid} ({name})"),
        None => oid.to_string(),
    }
}

fn rsa_identifier(hash: HashAlgorithm) -> AlgorithmIdentifierOwned {
    let oid = match hash {
        HashAlgorithm::Sha1 => rfc5912::SHA_1_WITH_RSA_ENCRYPTION,
        HashAlgorithm::Sha256 => rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
        HashAlgorithm::Sha384 => rfc5912::SHA_384_WITH_RSA_ENCRYPTION,
        HashAlgorithm::Sha512 => rfc5912::SHA_512_WITH_RSA_ENCRYPTION,
    };
    AlgorithmIdentifierOwned {
        oid,
        parameters: Some(Any::null()),
    }
}

fn ecdsa_oid(hash: HashAlgorithm) -> ObjectIdentifier {
    match hash {
        HashAlgorithm::Sha1 => ECDSA_WITH_SHA1,
        HashAlgorithm::Sha256 => rfc5912::ECDSA_WITH_SHA_256,
        HashAlgorithm::Sha384 => rfc5912::ECDSA_WITH_SHA_384,
        HashAlgorithm::Sha512 => rfc5912::ECDSA_WITH_SHA_512,
    }
}

/// Reads `RSASSA-PSS-params`, applying the DEFAULTs (SHA-1, MGF1-SHA-1, salt 20).
fn pss_scheme(identifier: &AlgorithmIdentifierOwned) -> Result<SignatureScheme> {
    let unsupported = |why: String| Error::UnsupportedAlgorithm(format!("RSASSA-PSS {why}"));
    let params: PssParams = match &identifier.parameters {
        Some(any) => any
            .decode_as()
            .map_err(|e| unsupported(format!("with malformed parameters: {e}")))?,
        None => {
            return Err(unsupported(
                "without parameters (RFC 4056 §3 requires them in CMS)".into(),
            ));
        }
    };
    let hash = match &params.hash {
        Some(h) => resolve_digest(h)?,
        None => HashAlgorithm::Sha1,
    };
    let mgf1_hash = match &params.mgf {
        None => HashAlgorithm::Sha1,
        Some(mgf) if mgf.oid == rfc5912::ID_MGF_1 => {
            let inner: AlgorithmIdentifierOwned = mgf
                .parameters
                .as_ref()
                .ok_or_else(|| unsupported("MGF1 without a hash".into()))?
                .decode_as()
                .map_err(|e| unsupported(format!("MGF1 with malformed parameters: {e}")))?;
            resolve_digest(&inner)?
        }
        Some(mgf) => {
            return Err(unsupported(format!(
                "with mask generation function {}",
                describe_oid(&mgf.oid)
            )));
        }
    };
    if params.trailer.unwrap_or(1) != 1 {
        return Err(unsupported("with a trailer field other than 1".into()));
    }
    Ok(SignatureScheme::RsaPss {
        hash,
        mgf1_hash,
        salt_length: params.salt.unwrap_or(20),
    })
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
            let resolved = resolve(&id, alg.digest().into()).expect("resolve");
            assert_eq!(resolved.scheme.signature_algorithm(), Some(alg));
            assert_eq!(resolved.identifier, id);
        }
    }

    #[test]
    fn rsa_encryption_takes_the_digest_algorithm() {
        let id = AlgorithmIdentifierOwned {
            oid: RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        };
        let r = resolve(&id, HashAlgorithm::Sha384).expect("resolve");
        assert_eq!(
            r.scheme,
            SignatureScheme::RsaPkcs1v15 {
                hash: HashAlgorithm::Sha384
            }
        );
        assert_eq!(r.identifier.oid, rfc5912::SHA_384_WITH_RSA_ENCRYPTION);
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
