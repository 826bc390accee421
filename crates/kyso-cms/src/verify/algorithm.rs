//! Which signature scheme a `SignerInfo` uses: resolved from its `signatureAlgorithm` and
//! `digestAlgorithm` ([RFC 5652 §5.3]; `rsaEncryption` with a separate digest as
//! [RFC 3370 §3.2] allows) through kyso-cert's algorithm table, the one its signature
//! primitive uses.
//!
//! [RFC 5652 §5.3]: https://www.rfc-editor.org/rfc/rfc5652#section-5.3
//! [RFC 3370 §3.2]: https://www.rfc-editor.org/rfc/rfc3370#section-3.2

use const_oid::ObjectIdentifier;
use der::asn1::Any;
use spki::AlgorithmIdentifierOwned;

use crate::{DigestAlgorithm, Error, Result, SignatureScheme};

/// Resolves the scheme of `signature_algorithm` used with `digest` (the `SignerInfo`'s
/// `digestAlgorithm`, which applies when the identifier names only the key type:
/// `rsaEncryption`, `id-ecPublicKey`), by kyso-cert's table
/// ([`SignatureScheme::from_identifier`]), the one its signature check uses.
pub(crate) fn resolve(
    signature_algorithm: &AlgorithmIdentifierOwned,
    digest: DigestAlgorithm,
) -> Result<SignatureScheme> {
    SignatureScheme::from_identifier(signature_algorithm, Some(digest))
        .map_err(|e| unsupported_signature(signature_algorithm, e))
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

/// The hash algorithm of a `digestAlgorithm`, or an error naming it.
pub(crate) fn resolve_digest(identifier: &AlgorithmIdentifierOwned) -> Result<DigestAlgorithm> {
    DigestAlgorithm::from_oid(identifier.oid).ok_or_else(|| {
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

    #[test]
    fn resolves_every_signature_scheme_kyso_signs_with() {
        for scheme in [
            SignatureScheme::RsaPkcs1v15(DigestAlgorithm::Sha256),
            SignatureScheme::RsaPkcs1v15(DigestAlgorithm::Sha512),
            SignatureScheme::rsa_pss(DigestAlgorithm::Sha256),
            SignatureScheme::rsa_pss(DigestAlgorithm::Sha384),
            SignatureScheme::Ecdsa(DigestAlgorithm::Sha384),
        ] {
            let id = scheme.identifier().expect("identifier");
            assert_eq!(resolve(&id, scheme.digest()).ok(), Some(scheme));
        }
    }

    #[test]
    fn rsa_encryption_takes_the_digest_algorithm() {
        let id = AlgorithmIdentifierOwned {
            oid: rfc5912::RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        };
        let scheme = resolve(&id, DigestAlgorithm::Sha384).expect("resolve");
        assert_eq!(
            scheme,
            SignatureScheme::RsaPkcs1v15(DigestAlgorithm::Sha384)
        );
    }

    #[test]
    fn names_an_unsupported_oid() {
        let id = AlgorithmIdentifierOwned {
            oid: rfc5912::DSA_WITH_SHA_1,
            parameters: None,
        };
        let err = resolve(&id, DigestAlgorithm::Sha1).expect_err("DSA");
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
