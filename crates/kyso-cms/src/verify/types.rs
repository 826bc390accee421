//! What verification reads and gives: the parsed `SignerInfo` ([`SignedDataInfo`]), the
//! verified signature, warnings, options and limits.

use std::time::SystemTime;

use const_oid::ObjectIdentifier;
use der::Decode;
use kyso_cert::Certificate;
use serde::{Serialize, Serializer};
use spki::AlgorithmIdentifierOwned;

use super::*;
use crate::{DigestAlgorithm, Result, SignatureScheme};

/// The largest CMS structure [`SignedDataInfo::parse`] reads, in bytes (16 MiB): far above
/// any real signature with its chain, revocation data and timestamps (PDF signers reserve
/// tens of kilobytes), low enough that a hostile input cannot make the verifier allocate
/// much.
pub const MAX_CMS_LEN: usize = 16 * 1024 * 1024;

/// The most `SignerInfo`s [`SignedDataInfo::parse_all_with`] reads (each shares the embedded
/// certificates and CRLs; PAdES and CAdES baseline signatures have one).
pub const MAX_SIGNER_INFOS: usize = 8;

/// The most embedded certificates read from `SignedData.certificates`.
pub const MAX_CERTIFICATES: usize = 100;

/// The most attributes in a `SignerInfo`'s signed or unsigned attribute set, and the most
/// values in one attribute.
pub const MAX_ATTRIBUTES: usize = 64;

/// `id-aa-signatureTimeStampToken` ([RFC 3161 Appendix A]): an unsigned attribute whose
/// value is a timestamp token over the signature value.
///
/// [RFC 3161 Appendix A]: https://www.rfc-editor.org/rfc/rfc3161#appendix-A
pub const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// What the verifier accepts beyond its defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// Accept SHA-1 as digest or signature hash (old signatures; off by default). A SHA-1
    /// signature that verifies then carries [`Warning::Sha1`].
    pub allow_sha1: bool,
}

impl VerifyOptions {
    /// The defaults: SHA-1 refused.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts SHA-1 (or not).
    pub fn allow_sha1(mut self, allow: bool) -> Self {
        self.allow_sha1 = allow;
        self
    }
}

/// One attribute of a `SignerInfo` ([RFC 5652 §5.3]), each value kept as its DER.
///
/// ```text
/// Attribute ::= SEQUENCE {
///     attrType OBJECT IDENTIFIER,
///     attrValues SET OF AttributeValue }
/// ```
///
/// [RFC 5652 §5.3]: https://www.rfc-editor.org/rfc/rfc5652#section-5.3
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawAttribute {
    /// `attrType`.
    pub oid: ObjectIdentifier,
    /// `attrValues`, each the DER of one `AttributeValue`, in input order.
    pub values: Vec<Vec<u8>>,
}

/// `adbe-revocationInfoArchival` (ISO 32000-1 §12.8.3.3.2): revocation evidence in a signed
/// attribute.
pub const ID_ADBE_REVOCATION_INFO_ARCHIVAL: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113583.1.1.8");

/// ```text
/// RevocationInfoArchival ::= SEQUENCE {
///     crl [0] EXPLICIT SEQUENCE of CRLs OPTIONAL,
///     ocsp [1] EXPLICIT SEQUENCE of OCSP Responses OPTIONAL,
///     otherRevInfo [2] EXPLICIT SEQUENCE of OtherRevInfo OPTIONAL }
/// ```
#[derive(der::Sequence)]
pub(super) struct RevocationInfoArchival {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(super) crl: Option<Vec<der::Any>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub(super) ocsp: Option<Vec<der::Any>>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub(super) other: Option<der::Any>,
}

/// How the `SignerInfo` names its signer ([RFC 5652 §5.3]).
///
/// ```text
/// SignerIdentifier ::= CHOICE {
///     issuerAndSerialNumber IssuerAndSerialNumber,
///     subjectKeyIdentifier [0] SubjectKeyIdentifier }
/// ```
///
/// [RFC 5652 §5.3]: https://www.rfc-editor.org/rfc/rfc5652#section-5.3
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignerId {
    /// The issuer's name (RFC 4514 string) and the serial number (uppercase hex).
    IssuerAndSerialNumber {
        /// The issuer's distinguished name.
        issuer: String,
        /// The serial number's DER content octets in uppercase hex.
        serial: String,
    },
    /// The subject key identifier, uppercase hex.
    SubjectKeyIdentifier(String),
}

impl std::fmt::Display for SignerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::IssuerAndSerialNumber { issuer, serial } => {
                write!(f, "issuer {issuer}, serial {serial}")
            }
            Self::SubjectKeyIdentifier(ski) => write!(f, "subject key identifier {ski}"),
        }
    }
}

/// Something a verified signature does that a relying party should know about; none of
/// these makes the signature fail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "warning", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Warning {
    /// No signed attributes: the signature is over the content digest directly
    /// ([RFC 5652 §5.4]); nothing binds the signer's certificate or the content type, and
    /// CAdES and PAdES require signed attributes.
    ///
    /// [RFC 5652 §5.4]: https://www.rfc-editor.org/rfc/rfc5652#section-5.4
    NoSignedAttributes,
    /// Neither ESS signing-certificate-v2 nor signing-certificate is present, which CAdES
    /// (ETSI EN 319 122-1 §5.2.2) requires: the signer's certificate could be swapped for
    /// another with the same key.
    NoSigningCertificateAttribute,
    /// The `SignedData` is not detached: `eContent` holds content of this length. The
    /// digest given to [`SignedDataInfo::verify`] was checked, not this content.
    EncapsulatedContent {
        /// Length of `eContent` in bytes.
        len: usize,
    },
    /// SHA-1 was used and accepted because [`VerifyOptions::allow_sha1`] is set.
    Sha1 {
        /// `digest algorithm` or `signature algorithm`.
        what: &'static str,
    },
    /// The signature's hash differs from the `digestAlgorithm` the content was hashed with.
    MixedHashes {
        /// The `digestAlgorithm`.
        digest: DigestAlgorithm,
        /// The hash of the signature algorithm.
        signature: DigestAlgorithm,
    },
    /// An embedded certificate could not be read and was skipped.
    UnreadableCertificate {
        /// Its byte offset in the input.
        offset: usize,
        /// Why it could not be read.
        reason: String,
    },
    /// The CMS is BER, not DER (indefinite lengths, constructed strings or long-form
    /// lengths, which RFC 5652 allows outside the signed attributes); it was read in its DER
    /// form.
    BerEncoding,
    /// The signed attributes were stored in a BER form; the signature was verified over
    /// their DER re-encoding, which RFC 5652 §5.4 says is what is signed.
    SignedAttributesNotDer,
    /// Embedded certificates of another kind than X.509 (attribute certificates, other
    /// formats) were skipped.
    OtherCertificateFormats {
        /// How many.
        count: usize,
    },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoSignedAttributes => f.write_str(
                "no signed attributes: the signature covers the content digest only (not CAdES)",
            ),
            Self::NoSigningCertificateAttribute => f.write_str(
                "no ESS signing-certificate(-v2) attribute: the signer certificate is not bound (CAdES requires it)",
            ),
            Self::EncapsulatedContent { len } => write!(
                f,
                "not detached: eContent holds {len} bytes (the external content was checked)"
            ),
            Self::Sha1 { what } => write!(f, "{what} is SHA-1 (accepted on request)"),
            Self::MixedHashes { digest, signature } => write!(
                f,
                "content digest is {digest} but the signature hashes with {signature}"
            ),
            Self::UnreadableCertificate { offset, reason } => {
                write!(f, "embedded certificate at byte {offset} skipped: {reason}")
            }
            Self::BerEncoding => f.write_str("the CMS is BER-encoded; read in its DER form"),
            Self::SignedAttributesNotDer => f.write_str(
                "the signed attributes are not stored in DER; verified over their DER re-encoding",
            ),
            Self::OtherCertificateFormats { count } => {
                write!(f, "{count} non-X.509 certificate(s) skipped")
            }
        }
    }
}

/// A parsed `SignedData` with one `SignerInfo`, ready to be verified against a content
/// digest.
///
/// ```text
/// ContentInfo ::= SEQUENCE {
///     contentType ContentType,                      -- id-signedData
///     content [0] EXPLICIT ANY DEFINED BY contentType }
///
/// SignedData ::= SEQUENCE {
///     version CMSVersion,
///     digestAlgorithms DigestAlgorithmIdentifiers,
///     encapContentInfo EncapsulatedContentInfo,
///     certificates [0] IMPLICIT CertificateSet OPTIONAL,
///     crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
///     signerInfos SignerInfos }
///
/// SignerInfo ::= SEQUENCE {
///     version CMSVersion,
///     sid SignerIdentifier,
///     digestAlgorithm DigestAlgorithmIdentifier,
///     signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
///     signatureAlgorithm SignatureAlgorithmIdentifier,
///     signature SignatureValue,
///     unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
/// ```
///
/// ([RFC 5652 §3, §5.1, §5.3].)
///
/// [RFC 5652 §3, §5.1, §5.3]: https://www.rfc-editor.org/rfc/rfc5652#section-5.3
#[derive(Clone, Debug)]
pub struct SignedDataInfo {
    pub(super) options: VerifyOptions,
    pub(super) econtent_type: ObjectIdentifier,
    pub(super) econtent: Option<Vec<u8>>,
    pub(super) certificates: Vec<Certificate>,
    pub(super) signer: Certificate,
    pub(super) signer_index: usize,
    pub(super) crls: Vec<Vec<u8>>,
    pub(super) signer_id: SignerId,
    pub(super) digest_algorithm_id: AlgorithmIdentifierOwned,
    pub(super) digest_algorithm: DigestAlgorithm,
    pub(super) signature_algorithm_id: AlgorithmIdentifierOwned,
    pub(super) scheme: SignatureScheme,
    pub(super) signed_attrs_der: Option<Vec<u8>>,
    pub(super) signed_attrs: Vec<RawAttribute>,
    pub(super) unsigned_attrs: Vec<RawAttribute>,
    pub(super) signature: Vec<u8>,
    pub(super) signing_time: Option<SystemTime>,
    pub(super) warnings: Vec<Warning>,
}

/// What the `SignerInfo`s of one `SignedData` share.
#[derive(Clone)]
pub(super) struct Shared {
    pub(super) options: VerifyOptions,
    pub(super) econtent_type: ObjectIdentifier,
    pub(super) econtent: Option<Vec<u8>>,
    pub(super) certificates: Vec<Certificate>,
    pub(super) crls: Vec<Vec<u8>>,
    pub(super) warnings: Vec<Warning>,
}

/// The outcome of a successful [`SignedDataInfo::verify`]: the signature value holds over
/// the signed attributes, the content digest matches, and the signer's certificate is the one
/// the attributes name. Whether that certificate is trusted is not checked here.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct VerifiedSignature {
    /// The signer's certificate (found among the embedded ones).
    #[serde(serialize_with = "serialize_certificate")]
    pub signer: Certificate,
    /// The other embedded certificates, in input order.
    #[serde(serialize_with = "serialize_certificates")]
    pub certificates: Vec<Certificate>,
    /// How the `SignerInfo` identified the signer.
    pub signer_id: SignerId,
    /// The digest algorithm of the content (`digestAlgorithm`).
    pub digest_algorithm: DigestAlgorithm,
    /// The signature scheme.
    pub signature_algorithm: SignatureScheme,
    /// The signing-time attribute ([RFC 5652 §11.3]): the time the signer *claims*; not
    /// evidence (a signature timestamp is).
    ///
    /// [RFC 5652 §11.3]: https://www.rfc-editor.org/rfc/rfc5652#section-11.3
    #[serde(serialize_with = "serialize_time")]
    pub signing_time: Option<SystemTime>,
    /// Whether and how the signed attributes bind the signer's certificate.
    pub ess_binding: EssBinding,
    /// Whether a CMS algorithm protection attribute ([RFC 6211]) was present (and matched).
    ///
    /// [RFC 6211]: https://www.rfc-editor.org/rfc/rfc6211
    pub algorithm_protection: bool,
    /// What a relying party should know; empty for a clean CAdES signature.
    pub warnings: Vec<Warning>,
    /// The values of `id-aa-signatureTimeStampToken` unsigned attributes: each the DER of a
    /// timestamp token (a `ContentInfo`), not verified here.
    #[serde(serialize_with = "serialize_hex_list")]
    pub timestamp_tokens: Vec<Vec<u8>>,
}

impl SignedDataInfo {
    /// The algorithm the content must be hashed with before [`SignedDataInfo::verify`].
    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.digest_algorithm
    }

    /// `SignerInfo.digestAlgorithm` as it is in the input.
    pub fn digest_algorithm_identifier(&self) -> &AlgorithmIdentifierOwned {
        &self.digest_algorithm_id
    }

    /// The signature scheme, resolved from `signatureAlgorithm` and `digestAlgorithm`.
    pub fn signature_scheme(&self) -> SignatureScheme {
        self.scheme
    }

    /// `SignerInfo.signatureAlgorithm` as it is in the input.
    pub fn signature_algorithm_identifier(&self) -> &AlgorithmIdentifierOwned {
        &self.signature_algorithm_id
    }

    /// The signer's certificate.
    pub fn signer_certificate(&self) -> &Certificate {
        &self.signer
    }

    /// How the `SignerInfo` identifies its signer.
    pub fn signer_id(&self) -> &SignerId {
        &self.signer_id
    }

    /// Every readable embedded certificate, the signer's included, in input order.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// The embedded revocation information (`SignedData.crls`), each element's DER.
    pub fn revocation_info(&self) -> &[Vec<u8>] {
        &self.crls
    }

    /// The revocation evidence the signature carries: the CRLs of `SignedData.crls`
    /// ([RFC 5652 §10.2.1], `otherRevocationInfo` skipped) and the CRLs and OCSP responses of
    /// Adobe's signed `adbe-revocationInfoArchival` attribute (ISO 32000-1 §12.8.3.3.2,
    /// what Acrobat and pyHanko's `--with-validation-info` embed). Unreadable entries are left
    /// out.
    ///
    /// [RFC 5652 §10.2.1]: https://www.rfc-editor.org/rfc/rfc5652#section-10.2.1
    pub fn archived_revocation(&self) -> kyso_cert::revocation::RevocationEvidence {
        let mut evidence = kyso_cert::revocation::RevocationEvidence::default();
        // A CertificateList is a SEQUENCE; `other [1]` is not.
        evidence.crls.extend(
            self.crls
                .iter()
                .filter(|c| c.first() == Some(&0x30))
                .cloned(),
        );
        for attr in self
            .signed_attrs
            .iter()
            .filter(|a| a.oid == ID_ADBE_REVOCATION_INFO_ARCHIVAL)
        {
            for value in &attr.values {
                let Ok(archival) = RevocationInfoArchival::from_der(value) else {
                    continue;
                };
                let der_of = |items: Option<Vec<der::Any>>| -> Vec<Vec<u8>> {
                    items
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|a| der::Encode::to_der(a).ok())
                        .collect()
                };
                evidence.crls.extend(der_of(archival.crl));
                evidence.ocsp_responses.extend(der_of(archival.ocsp));
            }
        }
        evidence
    }

    /// `eContentType` ([RFC 5652 §5.2]); `id-data` for PDF and `.p7s` signatures.
    ///
    /// [RFC 5652 §5.2]: https://www.rfc-editor.org/rfc/rfc5652#section-5.2
    pub fn econtent_type(&self) -> ObjectIdentifier {
        self.econtent_type
    }

    /// `eContent`, when the signature is not detached.
    pub fn encapsulated_content(&self) -> Option<&[u8]> {
        self.econtent.as_deref()
    }

    /// The signed attributes, in input order; empty when there are none.
    pub fn signed_attributes(&self) -> &[RawAttribute] {
        &self.signed_attrs
    }

    /// The bytes the signature covers when there are signed attributes: their DER with the
    /// `SET OF` tag ([RFC 5652 §5.4]), taken from the input without re-encoding.
    ///
    /// [RFC 5652 §5.4]: https://www.rfc-editor.org/rfc/rfc5652#section-5.4
    pub fn signed_attributes_der(&self) -> Option<&[u8]> {
        self.signed_attrs_der.as_deref()
    }

    /// The unsigned attributes, in input order.
    pub fn unsigned_attributes(&self) -> &[RawAttribute] {
        &self.unsigned_attrs
    }

    /// The signature timestamp tokens (`id-aa-signatureTimeStampToken` values), DER.
    pub fn timestamp_tokens(&self) -> Vec<&[u8]> {
        self.unsigned_attrs
            .iter()
            .filter(|a| a.oid == ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
            .flat_map(|a| a.values.iter().map(Vec::as_slice))
            .collect()
    }

    /// `SignerInfo.signature`: the signature value.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The claimed signing time (signing-time attribute), if present.
    pub fn signing_time(&self) -> Option<SystemTime> {
        self.signing_time
    }

    /// What parsing noticed so far (see [`Warning`]).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The options this was parsed with.
    pub fn options(&self) -> &VerifyOptions {
        &self.options
    }
}

pub(super) fn serialize_certificate<S: Serializer>(
    c: &Certificate,
    s: S,
) -> Result<S::Ok, S::Error> {
    CertificateSummary::of(c).serialize(s)
}

pub(super) fn serialize_certificates<S: Serializer>(
    c: &[Certificate],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(c.iter().map(CertificateSummary::of))
}

pub(super) fn serialize_time<S: Serializer>(
    t: &Option<SystemTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_some(&rfc3339(*t)),
        None => s.serialize_none(),
    }
}

pub(super) fn serialize_hex_list<S: Serializer>(v: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(hex::encode_upper))
}

/// `YYYY-MM-DDTHH:MM:SSZ`, or seconds since the epoch for times DER cannot express.
pub(crate) fn rfc3339(t: SystemTime) -> String {
    match der::DateTime::from_system_time(t) {
        Ok(dt) => dt.to_string(),
        Err(_) => format!("{:?}", t),
    }
}

/// How a certificate appears in a serialized [`VerifiedSignature`].
#[derive(Serialize)]
struct CertificateSummary {
    subject: kyso_cert::Identity,
    issuer: kyso_cert::Identity,
    serial: String,
    sha256: String,
    not_before: String,
    not_after: String,
}

impl CertificateSummary {
    fn of(c: &Certificate) -> Self {
        Self {
            subject: c.subject(),
            issuer: c.issuer(),
            serial: c.serial_hex(),
            sha256: hex::encode_upper(c.fingerprint_sha256()),
            not_before: rfc3339(c.not_before()),
            not_after: rfc3339(c.not_after()),
        }
    }
}
