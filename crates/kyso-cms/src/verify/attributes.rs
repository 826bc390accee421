//! Checks of the signed attributes: content-type and message-digest ([RFC 5652 §11.1,
//! §11.2]), signing-time ([RFC 5652 §11.3]), CMS algorithm protection ([RFC 6211 §2]) and
//! the ESS signing-certificate binding ([RFC 5035 §3], [RFC 2634 §5.4]).
//!
//! [RFC 5652 §11.1, §11.2]: https://www.rfc-editor.org/rfc/rfc5652#section-11.1
//! [RFC 5652 §11.3]: https://www.rfc-editor.org/rfc/rfc5652#section-11.3
//! [RFC 6211 §2]: https://www.rfc-editor.org/rfc/rfc6211#section-2
//! [RFC 5035 §3]: https://www.rfc-editor.org/rfc/rfc5035#section-3
//! [RFC 2634 §5.4]: https://www.rfc-editor.org/rfc/rfc2634#section-5.4

use std::time::SystemTime;

use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5911, rfc6211};
use der::Decode;
use der::asn1::OctetString;
use kyso_cert::Certificate;
use serde::Serialize;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::time::Time;

use super::RawAttribute;
use super::algorithm::{describe_oid, resolve_digest, same_identifier};
use crate::asn1::{CmsAlgorithmProtection, IssuerSerial, SigningCertificate, SigningCertificateV2};
use crate::{DigestAlgorithm, Error, Result};

/// How the signed attributes bind the signer's certificate (ESS, [RFC 5035 §3]; the SHA-1
/// form is [RFC 2634 §5.4]). The first `ESSCertIDv2` (or `ESSCertID`) must hold the hash of
/// the signer's certificate and, if present, its issuer and serial number.
///
/// ```text
/// SigningCertificateV2 ::=  SEQUENCE {
///     certs        SEQUENCE OF ESSCertIDv2,
///     policies     SEQUENCE OF PolicyInformation OPTIONAL }
/// ESSCertIDv2 ::=  SEQUENCE {
///     hashAlgorithm           AlgorithmIdentifier DEFAULT {algorithm id-sha256},
///     certHash                Hash,
///     issuerSerial            IssuerSerial OPTIONAL }
/// ```
///
/// [RFC 5035 §3]: https://www.rfc-editor.org/rfc/rfc5035#section-3
/// [RFC 2634 §5.4]: https://www.rfc-editor.org/rfc/rfc2634#section-5.4
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "attribute", rename_all = "kebab-case")]
pub enum EssBinding {
    /// `id-aa-signingCertificateV2` (1.2.840.113549.1.9.16.2.47) matched the certificate.
    SigningCertificateV2 {
        /// The hash of the certificate it holds.
        hash: DigestAlgorithm,
        /// Whether it also holds (matching) `issuerSerial`.
        issuer_serial: bool,
    },
    /// Only the SHA-1 `id-aa-signingCertificate` (1.2.840.113549.1.9.16.2.12) is present,
    /// and it matched the certificate.
    SigningCertificate {
        /// Whether it also holds (matching) `issuerSerial`.
        issuer_serial: bool,
    },
    /// Neither is present. CAdES (ETSI EN 319 122-1 §5.2.2) requires one.
    Absent,
}

/// `id-aa-signingCertificate` ([RFC 2634 §5.4]).
///
/// [RFC 2634 §5.4]: https://www.rfc-editor.org/rfc/rfc2634#section-5.4
const ID_AA_SIGNING_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");

/// The mandatory attributes, decoded.
pub(crate) struct Required {
    pub content_type: ObjectIdentifier,
    pub message_digest: Vec<u8>,
}

/// The single value of the attribute `oid`: `None` if absent, an error if the attribute
/// appears more than once or does not have exactly one value (RFC 5652 §11.1–11.3 and
/// RFC 5035 §3 require both for every attribute this module reads).
fn single<'a>(
    attrs: &'a [RawAttribute],
    oid: ObjectIdentifier,
    name: &'static str,
) -> Result<Option<&'a [u8]>> {
    let mut found = attrs.iter().filter(|a| a.oid == oid);
    let Some(first) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() {
        return Err(Error::MalformedAttribute {
            name,
            reason: "present more than once".into(),
        });
    }
    match first.values.as_slice() {
        [value] => Ok(Some(value)),
        values => Err(Error::MalformedAttribute {
            name,
            reason: format!("{} values, exactly one required", values.len()),
        }),
    }
}

fn decode<'a, T: Decode<'a, Error = der::Error>>(value: &'a [u8], name: &'static str) -> Result<T> {
    T::from_der(value).map_err(|e| Error::MalformedAttribute {
        name,
        reason: e.to_string(),
    })
}

/// content-type and message-digest, which RFC 5652 §5.3 requires whenever signed attributes
/// are present.
///
/// ```text
/// ContentType ::= OBJECT IDENTIFIER
/// MessageDigest ::= OCTET STRING
/// ```
pub(crate) fn required(attrs: &[RawAttribute]) -> Result<Required> {
    let content_type = single(attrs, rfc5911::ID_CONTENT_TYPE, "content-type")?.ok_or(
        Error::MissingAttribute {
            name: "content-type",
        },
    )?;
    let message_digest = single(attrs, rfc5911::ID_MESSAGE_DIGEST, "message-digest")?.ok_or(
        Error::MissingAttribute {
            name: "message-digest",
        },
    )?;
    Ok(Required {
        content_type: decode(content_type, "content-type")?,
        message_digest: decode::<OctetString>(message_digest, "message-digest")?
            .as_bytes()
            .to_vec(),
    })
}

/// The signing-time attribute, if present.
///
/// ```text
/// SigningTime  ::= Time
/// Time ::= CHOICE {
///     utcTime          UTCTime,
///     generalizedTime  GeneralizedTime }
/// ```
pub(crate) fn signing_time(attrs: &[RawAttribute]) -> Result<Option<SystemTime>> {
    let Some(value) = single(attrs, rfc5911::ID_SIGNING_TIME, "signing-time")? else {
        return Ok(None);
    };
    Ok(Some(
        decode::<Time>(value, "signing-time")?.to_system_time(),
    ))
}

/// Checks the CMS algorithm protection attribute against the `SignerInfo`'s algorithms;
/// returns whether it was present.
pub(crate) fn check_algorithm_protection(
    attrs: &[RawAttribute],
    digest_algorithm: &AlgorithmIdentifierOwned,
    signature_algorithm: &AlgorithmIdentifierOwned,
) -> Result<bool> {
    const NAME: &str = "cms-algorithm-protection";
    let Some(value) = single(attrs, rfc6211::ID_AA_CMS_ALGORITHM_PROTECTION, NAME)? else {
        return Ok(false);
    };
    let protection: CmsAlgorithmProtection = decode(value, NAME)?;
    if !same_identifier(&protection.digest_algorithm, digest_algorithm) {
        return Err(Error::AlgorithmProtectionMismatch {
            field: "digestAlgorithm",
            protected: describe_oid(&protection.digest_algorithm.oid),
            used: describe_oid(&digest_algorithm.oid),
        });
    }
    if protection.mac_algorithm.is_some() {
        return Err(Error::MalformedAttribute {
            name: NAME,
            reason: "macAlgorithm present in a signature (RFC 6211 §2)".into(),
        });
    }
    match &protection.signature_algorithm {
        Some(protected) if same_identifier(protected, signature_algorithm) => Ok(true),
        Some(protected) => Err(Error::AlgorithmProtectionMismatch {
            field: "signatureAlgorithm",
            protected: describe_oid(&protected.oid),
            used: describe_oid(&signature_algorithm.oid),
        }),
        None => Err(Error::MalformedAttribute {
            name: NAME,
            reason: "signatureAlgorithm absent in a signature (RFC 6211 §2)".into(),
        }),
    }
}

/// Checks signing-certificate-v2 and signing-certificate against the signer's certificate:
/// the first `ESSCertID(v2)` identifies the signing certificate ([RFC 5035 §3]).
pub(crate) fn check_ess(attrs: &[RawAttribute], signer: &Certificate) -> Result<EssBinding> {
    const V2: &str = "signing-certificate-v2";
    const V1: &str = "signing-certificate";
    let v2 = match single(attrs, rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2, V2)? {
        Some(value) => {
            let attr: SigningCertificateV2 = decode(value, V2)?;
            let first = attr.certs.first().ok_or(Error::MalformedAttribute {
                name: V2,
                reason: "no ESSCertIDv2".into(),
            })?;
            let hash = match &first.hash_algorithm {
                Some(id) => resolve_digest(id)?,
                None => DigestAlgorithm::Sha256,
            };
            if hash.digest(signer.der()) != first.cert_hash.as_bytes() {
                return Err(Error::SigningCertificateMismatch {
                    attribute: V2,
                    reason: format!("certHash ({hash}) is not the hash of the signer certificate"),
                });
            }
            check_issuer_serial(first.issuer_serial.as_ref(), signer, V2)?;
            Some(EssBinding::SigningCertificateV2 {
                hash,
                issuer_serial: first.issuer_serial.is_some(),
            })
        }
        None => None,
    };
    let v1 = match single(attrs, ID_AA_SIGNING_CERTIFICATE, V1)? {
        Some(value) => {
            let attr: SigningCertificate = decode(value, V1)?;
            let first = attr.certs.first().ok_or(Error::MalformedAttribute {
                name: V1,
                reason: "no ESSCertID".into(),
            })?;
            if DigestAlgorithm::Sha1.digest(signer.der()) != first.cert_hash.as_bytes() {
                return Err(Error::SigningCertificateMismatch {
                    attribute: V1,
                    reason: "certHash (SHA-1) is not the hash of the signer certificate".into(),
                });
            }
            check_issuer_serial(first.issuer_serial.as_ref(), signer, V1)?;
            Some(EssBinding::SigningCertificate {
                issuer_serial: first.issuer_serial.is_some(),
            })
        }
        None => None,
    };
    Ok(v2.or(v1).unwrap_or(EssBinding::Absent))
}

/// `issuerSerial`, when present, must name the signer certificate's issuer (as a
/// directoryName) and serial number.
fn check_issuer_serial(
    issuer_serial: Option<&IssuerSerial>,
    signer: &Certificate,
    attribute: &'static str,
) -> Result<()> {
    let Some(is) = issuer_serial else {
        return Ok(());
    };
    let tbs = signer.inner().tbs_certificate();
    if &is.serial_number != tbs.serial_number() {
        return Err(Error::SigningCertificateMismatch {
            attribute,
            reason: "issuerSerial.serialNumber differs from the certificate's".into(),
        });
    }
    let names_issuer = is
        .issuer
        .iter()
        .any(|n| matches!(n, GeneralName::DirectoryName(name) if name == tbs.issuer()));
    if !names_issuer {
        return Err(Error::SigningCertificateMismatch {
            attribute,
            reason: "issuerSerial.issuer does not name the certificate's issuer".into(),
        });
    }
    Ok(())
}
