//! Verification of a CMS `SignedData` ([RFC 5652 §5]) with one signer: the integrity half of
//! validating a PAdES or detached CAdES signature. Trust (path validation to an anchor,
//! revocation) is kyso-cert's and comes after.
//!
//! Two steps, because kyso-pdf hashes the signed byte ranges itself while it streams them:
//!
//! 1. [`SignedDataInfo::parse`] reads the structure and tells which digest algorithm the
//!    content must be hashed with ([`SignedDataInfo::digest_algorithm`]); it finds the
//!    signer's certificate and resolves the signature algorithm;
//! 2. [`SignedDataInfo::verify`] takes the content digest and checks, in this order: the
//!    signature value over the signed attributes (as re-tagged `SET`, from the input bytes:
//!    [RFC 5652 §5.4]), the message-digest attribute against the content digest, the
//!    content-type attribute, CMS algorithm protection ([RFC 6211]) and the ESS
//!    signing-certificate(-v2) binding ([RFC 5035]).
//!
//! [`verify_detached`] and [`verify_detached_digest`] do both in one call.
//!
//! ```no_run
//! # fn main() -> kyso_cms::Result<()> {
//! # let (cms, content) = (vec![], vec![]);
//! let info = kyso_cms::verify::SignedDataInfo::parse(&cms)?;
//! let digest = info.digest_algorithm().digest(&content);
//! let verified = info.verify(&digest)?;
//! println!("signed by {}", verified.signer.subject().display());
//! # Ok(()) }
//! ```
//!
//! BER is read wherever RFC 5652 allows it — indefinite lengths and constructed OCTET STRINGs,
//! as NSS, BouncyCastle's streaming generators, CryptoAPI and `openssl cms -stream` write
//! them: the input is first rewritten into its DER form ([`crate::ber::to_der`]), and byte
//! offsets in errors are offsets in that form (the input's own when it was DER). The
//! signature is over the DER of the signed attributes (§5.4); when the stored attributes are
//! not DER, the DER re-encoding is verified, as OpenSSL and BouncyCastle do, and
//! [`Warning::SignedAttributesNotDer`] says so. Inputs are bounded by [`MAX_CMS_LEN`], [`MAX_CERTIFICATES`] and
//! [`MAX_ATTRIBUTES`]; no input makes the verifier panic (a property test checks it).
//!
//! [RFC 5652 §5]: https://www.rfc-editor.org/rfc/rfc5652#section-5
//! [RFC 5652 §5.4]: https://www.rfc-editor.org/rfc/rfc5652#section-5.4
//! [RFC 6211]: https://www.rfc-editor.org/rfc/rfc6211
//! [RFC 5035]: https://www.rfc-editor.org/rfc/rfc5035

pub(crate) mod algorithm;
mod attributes;
mod primitive;
mod tlv;

use std::time::SystemTime;

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911;
use der::Decode;
use kyso_cert::Certificate;
use serde::{Serialize, Serializer};
use spki::AlgorithmIdentifierOwned;

pub use attributes::EssBinding;

use crate::{DigestAlgorithm, Error, Result, SignatureScheme};
use tlv::{Tlv, Walker, malformed};

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
struct RevocationInfoArchival {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    crl: Option<Vec<der::Any>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    ocsp: Option<Vec<der::Any>>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    other: Option<der::Any>,
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
    options: VerifyOptions,
    econtent_type: ObjectIdentifier,
    econtent: Option<Vec<u8>>,
    certificates: Vec<Certificate>,
    signer: Certificate,
    signer_index: usize,
    crls: Vec<Vec<u8>>,
    signer_id: SignerId,
    digest_algorithm_id: AlgorithmIdentifierOwned,
    digest_algorithm: DigestAlgorithm,
    signature_algorithm_id: AlgorithmIdentifierOwned,
    scheme: SignatureScheme,
    signed_attrs_der: Option<Vec<u8>>,
    signed_attrs: Vec<RawAttribute>,
    unsigned_attrs: Vec<RawAttribute>,
    signature: Vec<u8>,
    signing_time: Option<SystemTime>,
    warnings: Vec<Warning>,
}

/// What the `SignerInfo`s of one `SignedData` share.
#[derive(Clone)]
struct Shared {
    options: VerifyOptions,
    econtent_type: ObjectIdentifier,
    econtent: Option<Vec<u8>>,
    certificates: Vec<Certificate>,
    crls: Vec<Vec<u8>>,
    warnings: Vec<Warning>,
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

/// The DER of a CMS file that may be PEM-armoured (`-----BEGIN PKCS7-----`, as
/// `openssl cms -outform PEM` and most `.p7s` tools write, or `-----BEGIN CMS-----`,
/// [RFC 7468 §9]); DER input is returned as it is.
///
/// [RFC 7468 §9]: https://www.rfc-editor.org/rfc/rfc7468#section-9
pub fn der_from_der_or_pem(input: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
    let start = input
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(input.len());
    let trimmed = input.get(start..).unwrap_or_default();
    if !trimmed.starts_with(b"-----BEGIN ") {
        return Ok(std::borrow::Cow::Borrowed(input));
    }
    if trimmed.len() > 2 * MAX_CMS_LEN {
        return Err(Error::TooLarge {
            len: trimmed.len(),
            max: 2 * MAX_CMS_LEN,
        });
    }
    let (label, der) =
        der::pem::decode_vec(trimmed).map_err(|e| malformed("PEM", start, e.to_string()))?;
    match label {
        "PKCS7" | "CMS" => Ok(std::borrow::Cow::Owned(der)),
        other => Err(malformed(
            "PEM",
            start,
            format!("label {other:?}, expected PKCS7 or CMS"),
        )),
    }
}

/// Verifies a detached CMS signature over `content` with the default [`VerifyOptions`].
pub fn verify_detached(cms_der: &[u8], content: &[u8]) -> Result<VerifiedSignature> {
    let info = SignedDataInfo::parse(cms_der)?;
    let digest = info.digest_algorithm().digest(content);
    info.verify(&digest)
}

/// Verifies a detached CMS signature whose content the caller hashes: `digest_of` gets the
/// digest algorithm the CMS names and returns the content's digest.
pub fn verify_detached_digest(
    cms_der: &[u8],
    digest_of: impl FnOnce(DigestAlgorithm) -> Vec<u8>,
) -> Result<VerifiedSignature> {
    let info = SignedDataInfo::parse(cms_der)?;
    let digest = digest_of(info.digest_algorithm());
    info.verify(&digest)
}

impl SignedDataInfo {
    /// Parses a DER `ContentInfo` holding a `SignedData` with the default options.
    ///
    /// Trailing zero bytes after the `ContentInfo` (the padding of a PDF /Contents
    /// placeholder) are ignored.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`], [`Error::Malformed`], [`Error::NotSignedData`],
    /// [`Error::SignerCount`], [`Error::TooManyCertificates`], [`Error::TooManyAttributes`],
    /// [`Error::SignerCertificateNotFound`], [`Error::UnsupportedAlgorithm`],
    /// [`Error::Sha1NotAllowed`], [`Error::MalformedAttribute`] (signing-time).
    pub fn parse(cms_der: &[u8]) -> Result<Self> {
        Self::parse_with(cms_der, VerifyOptions::default())
    }

    /// Parses with `options`; see [`SignedDataInfo::parse`].
    pub fn parse_with(cms_der: &[u8], options: VerifyOptions) -> Result<Self> {
        let mut signers = Self::parse_signers(cms_der, options, 1)?;
        signers.pop().ok_or(Error::SignerCount { count: 0 })
    }

    /// Parses a `SignedData` with any number of `SignerInfo`s (RFC 5652 allows several; PAdES
    /// and CAdES baseline signatures have exactly one): one [`SignedDataInfo`] per signer, in
    /// input order, sharing the embedded certificates and CRLs, each to be verified on its
    /// own. Errors as [`SignedDataInfo::parse`], except that any number of signers but zero
    /// is accepted; one unreadable `SignerInfo` fails the whole parse.
    ///
    /// More than [`MAX_SIGNER_INFOS`] is refused with [`Error::SignerCount`].
    pub fn parse_all_with(cms_der: &[u8], options: VerifyOptions) -> Result<Vec<Self>> {
        Self::parse_signers(cms_der, options, MAX_SIGNER_INFOS)
    }

    /// Parses a `SignedData` with 1 to `max` `SignerInfo`s; the count is checked before any
    /// signer is built.
    fn parse_signers(cms_der: &[u8], options: VerifyOptions, max: usize) -> Result<Vec<Self>> {
        if cms_der.len() > MAX_CMS_LEN {
            return Err(Error::TooLarge {
                len: cms_der.len(),
                max: MAX_CMS_LEN,
            });
        }
        let form = crate::ber::to_der(cms_der)?;
        let base = form.bytes();
        let mut top = Walker::new(base, base);
        let content_info = top.read(tlv::SEQUENCE, "ContentInfo")?;
        if top.rest().iter().any(|&b| b != 0) {
            return Err(malformed(
                "ContentInfo",
                top.offset(),
                format!("{} bytes of trailing data", top.rest().len()),
            ));
        }
        let mut ci = Walker::inside(base, &content_info);
        let content_type: ObjectIdentifier = ci
            .read(tlv::OID, "ContentInfo.contentType")?
            .decode("ContentInfo.contentType")?;
        if content_type != rfc5911::ID_SIGNED_DATA {
            return Err(Error::NotSignedData {
                content_type: algorithm::describe_oid(&content_type),
            });
        }
        let explicit = ci.read(tlv::CTX0, "ContentInfo.content")?;
        ci.finish("ContentInfo")?;
        let mut explicit = Walker::inside(base, &explicit);
        let signed_data = explicit.read(tlv::SEQUENCE, "SignedData")?;
        explicit.finish("ContentInfo.content")?;

        let mut sd = Walker::inside(base, &signed_data);
        sd.read(tlv::INTEGER, "SignedData.version")?;
        sd.read(tlv::SET, "SignedData.digestAlgorithms")?;
        let encap = sd.read(tlv::SEQUENCE, "SignedData.encapContentInfo")?;
        let (econtent_type, econtent) = parse_encap(base, &encap)?;
        let mut warnings = Vec::new();
        if form.was_rewritten() {
            warnings.push(Warning::BerEncoding);
        }
        let certificates = match sd.optional(tlv::CTX0, "SignedData.certificates")? {
            Some(set) => parse_certificates(base, &set, &mut warnings)?,
            None => Vec::new(),
        };
        let crls = match sd.optional(tlv::CTX1, "SignedData.crls")? {
            Some(set) => {
                let mut w = Walker::inside(base, &set);
                let mut crls = Vec::new();
                while !w.is_empty() {
                    crls.push(w.any("SignedData.crls")?.raw.to_vec());
                }
                crls
            }
            None => Vec::new(),
        };
        let signer_infos = sd.read(tlv::SET, "SignedData.signerInfos")?;
        sd.finish("SignedData")?;
        let mut infos = Walker::inside(base, &signer_infos);
        let mut found = Vec::new();
        while !infos.is_empty() {
            found.push(infos.any("SignerInfo")?);
        }
        if found.is_empty() || found.len() > max {
            return Err(Error::SignerCount { count: found.len() });
        }
        if let Some(e) = &econtent {
            warnings.push(Warning::EncapsulatedContent { len: e.len() });
        }
        let shared = Shared {
            options,
            econtent_type,
            econtent,
            certificates,
            crls,
            warnings,
        };
        found
            .iter()
            .map(|signer_info| Self::parse_signer_info(&form, signer_info, &shared))
            .collect()
    }

    /// One `SignerInfo` of a parsed `SignedData`.
    fn parse_signer_info(
        form: &crate::ber::DerForm<'_>,
        signer_info: &Tlv<'_>,
        shared: &Shared,
    ) -> Result<Self> {
        let base = form.bytes();
        let Shared {
            options,
            econtent_type,
            econtent,
            certificates,
            crls,
            warnings,
        } = shared.clone();
        let mut warnings = warnings;
        if signer_info.tag != tlv::SEQUENCE {
            return Err(malformed(
                "SignerInfo",
                signer_info.offset,
                "not a SEQUENCE",
            ));
        }

        let mut si = Walker::inside(base, signer_info);
        si.read(tlv::INTEGER, "SignerInfo.version")?;
        let sid = si.any("SignerInfo.sid")?;
        let digest_algorithm_id: AlgorithmIdentifierOwned = si
            .read(tlv::SEQUENCE, "SignerInfo.digestAlgorithm")?
            .decode("SignerInfo.digestAlgorithm")?;
        let signed = si.optional(tlv::CTX0, "SignerInfo.signedAttrs")?;
        let signature_algorithm_id: AlgorithmIdentifierOwned = si
            .read(tlv::SEQUENCE, "SignerInfo.signatureAlgorithm")?
            .decode("SignerInfo.signatureAlgorithm")?;
        let signature = si.read(tlv::OCTET_STRING, "SignerInfo.signature")?;
        let unsigned = si.optional(tlv::CTX1, "SignerInfo.unsignedAttrs")?;
        si.finish("SignerInfo")?;

        let unreadable = warnings
            .iter()
            .filter(|w| matches!(w, Warning::UnreadableCertificate { .. }))
            .count();
        let (signer_id, signer_index) = find_signer(base, &sid, &certificates, unreadable)?;

        let digest_algorithm = algorithm::resolve_digest(&digest_algorithm_id)?;
        let scheme = algorithm::resolve(&signature_algorithm_id, digest_algorithm)?;
        let signature_hash = scheme.digest();
        for (what, hash) in [
            ("digest algorithm", digest_algorithm),
            ("signature algorithm", signature_hash),
        ] {
            if hash == DigestAlgorithm::Sha1 {
                if !options.allow_sha1 {
                    return Err(Error::Sha1NotAllowed { what });
                }
                warnings.push(Warning::Sha1 { what });
            }
        }
        if signature_hash != digest_algorithm {
            warnings.push(Warning::MixedHashes {
                digest: digest_algorithm,
                signature: signature_hash,
            });
        }

        let (signed_attrs_der, signed_attrs) = match &signed {
            Some(tlv) => {
                if form.rewritten_within(tlv.offset..tlv.offset + tlv.raw.len()) {
                    warnings.push(Warning::SignedAttributesNotDer);
                }
                // RFC 5652 §5.4: the DER of the SignedAttributes with an EXPLICIT SET OF tag:
                // the input bytes with the [0] IMPLICIT identifier octet replaced by SET.
                let mut der = tlv.raw.to_vec();
                if let Some(first) = der.first_mut() {
                    *first = tlv::SET;
                }
                (
                    Some(der),
                    parse_attributes(base, tlv, "SignerInfo.signedAttrs")?,
                )
            }
            None => {
                warnings.push(Warning::NoSignedAttributes);
                if econtent_type != rfc5911::ID_DATA {
                    return Err(malformed(
                        "SignerInfo.signedAttrs",
                        signer_info.offset,
                        "absent although eContentType is not id-data (RFC 5652 §5.3)",
                    ));
                }
                (None, Vec::new())
            }
        };
        let unsigned_attrs = match &unsigned {
            Some(tlv) => parse_attributes(base, tlv, "SignerInfo.unsignedAttrs")?,
            None => Vec::new(),
        };
        let signing_time = attributes::signing_time(&signed_attrs)?;

        let signer =
            certificates
                .get(signer_index)
                .cloned()
                .ok_or(Error::SignerCertificateNotFound {
                    signer: signer_id.to_string(),
                    embedded: certificates.len(),
                    unreadable,
                })?;
        Ok(Self {
            options,
            econtent_type,
            econtent,
            certificates,
            signer,
            signer_index,
            crls,
            signer_id,
            digest_algorithm_id,
            digest_algorithm,
            signature_algorithm_id,
            scheme,
            signed_attrs_der,
            signed_attrs,
            unsigned_attrs,
            signature: signature.value.to_vec(),
            signing_time,
            warnings,
        })
    }

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

    /// Hashes `content` with [`SignedDataInfo::digest_algorithm`] and verifies; the only way
    /// to verify a `SignerInfo` without signed attributes, whose signature covers the content
    /// itself.
    pub fn verify_content(&self, content: &[u8]) -> Result<VerifiedSignature> {
        self.verify_with(&self.digest_algorithm.digest(content), Some(content))
    }

    /// Verifies the signature for content whose digest (with
    /// [`SignedDataInfo::digest_algorithm`]) is `content_digest`.
    ///
    /// # Errors
    ///
    /// [`Error::DigestLength`], [`Error::BadSignature`], [`Error::DigestMismatch`],
    /// [`Error::MissingAttribute`], [`Error::MalformedAttribute`],
    /// [`Error::ContentTypeMismatch`], [`Error::AlgorithmProtectionMismatch`],
    /// [`Error::SigningCertificateMismatch`], [`Error::UnsupportedAlgorithm`]. A `SignerInfo`
    /// without signed attributes signs the content digest directly, so the digest is enough.
    pub fn verify(&self, content_digest: &[u8]) -> Result<VerifiedSignature> {
        self.verify_with(content_digest, None)
    }

    fn verify_with(
        &self,
        content_digest: &[u8],
        content: Option<&[u8]>,
    ) -> Result<VerifiedSignature> {
        let expected = self.digest_algorithm.output_len();
        if content_digest.len() != expected {
            return Err(Error::DigestLength {
                algorithm: self.digest_algorithm,
                expected,
                actual: content_digest.len(),
            });
        }
        let signer = self.signer_certificate();
        let check_signature = |message: &[u8]| {
            primitive::verify(
                signer,
                &self.signature_algorithm_id,
                self.digest_algorithm,
                self.options.allow_sha1,
                message,
                &self.signature,
            )
        };
        let mut warnings = self.warnings.clone();
        let (ess_binding, algorithm_protection) = match &self.signed_attrs_der {
            Some(der) => {
                // Attributes must be present and well-formed before the signature is checked
                // (RFC 5652 §5.3 makes content-type and message-digest mandatory).
                let checked = attributes::required(&self.signed_attrs)?;
                check_signature(der)?;
                if checked.message_digest != content_digest {
                    return Err(Error::DigestMismatch {
                        algorithm: self.digest_algorithm,
                    });
                }
                if checked.content_type != self.econtent_type {
                    return Err(Error::ContentTypeMismatch {
                        attribute: checked.content_type.to_string(),
                        econtent_type: self.econtent_type.to_string(),
                    });
                }
                let protection = attributes::check_algorithm_protection(
                    &self.signed_attrs,
                    &self.digest_algorithm_id,
                    &self.signature_algorithm_id,
                )?;
                let ess = attributes::check_ess(&self.signed_attrs, signer)?;
                if ess == EssBinding::Absent {
                    warnings.push(Warning::NoSigningCertificateAttribute);
                }
                (ess, protection)
            }
            None => {
                // RFC 5652 §5.4: without signed attributes the signature is over the content
                // itself, hashed with the digest algorithm.
                if !matches!(self.scheme, SignatureScheme::RsaPkcs1v15(_))
                    || self.scheme.digest() != self.digest_algorithm
                {
                    return Err(Error::UnsupportedAlgorithm(format!(
                        "{} without signed attributes (only RSA PKCS#1 v1.5 with the content's digest algorithm is accepted there)",
                        self.scheme
                    )));
                }
                // The signature is over the content's digest: what the caller gave, or the
                // digest of the content it gave.
                match content {
                    Some(content) => check_signature(content)?,
                    None => primitive::verify_prehashed(
                        signer,
                        &self.signature_algorithm_id,
                        self.digest_algorithm,
                        self.options.allow_sha1,
                        content_digest,
                        &self.signature,
                    )?,
                }
                (EssBinding::Absent, false)
            }
        };
        Ok(VerifiedSignature {
            signer: signer.clone(),
            certificates: self
                .certificates
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != self.signer_index)
                .map(|(_, c)| c.clone())
                .collect(),
            signer_id: self.signer_id.clone(),
            digest_algorithm: self.digest_algorithm,
            signature_algorithm: self.scheme,
            signing_time: self.signing_time,
            ess_binding,
            algorithm_protection,
            warnings,
            timestamp_tokens: self
                .timestamp_tokens()
                .into_iter()
                .map(<[u8]>::to_vec)
                .collect(),
        })
    }

    /// The options this was parsed with.
    pub fn options(&self) -> &VerifyOptions {
        &self.options
    }
}

/// `EncapsulatedContentInfo` ([RFC 5652 §5.2]).
///
/// ```text
/// EncapsulatedContentInfo ::= SEQUENCE {
///     eContentType ContentType,
///     eContent [0] EXPLICIT OCTET STRING OPTIONAL }
/// ```
fn parse_encap(base: &[u8], encap: &Tlv<'_>) -> Result<(ObjectIdentifier, Option<Vec<u8>>)> {
    let mut w = Walker::inside(base, encap);
    let econtent_type: ObjectIdentifier = w
        .read(tlv::OID, "EncapsulatedContentInfo.eContentType")?
        .decode("EncapsulatedContentInfo.eContentType")?;
    let econtent = match w.optional(tlv::CTX0, "EncapsulatedContentInfo.eContent")? {
        Some(explicit) => {
            let mut inner = Walker::inside(base, &explicit);
            let octets = inner.read(tlv::OCTET_STRING, "EncapsulatedContentInfo.eContent")?;
            inner.finish("EncapsulatedContentInfo.eContent")?;
            Some(octets.value.to_vec())
        }
        None => None,
    };
    w.finish("EncapsulatedContentInfo")?;
    Ok((econtent_type, econtent))
}

/// `CertificateSet` ([RFC 5652 §10.2.3]): X.509 certificates are kept with their exact DER;
/// other choices are counted and skipped.
///
/// ```text
/// CertificateChoices ::= CHOICE {
///     certificate Certificate,
///     extendedCertificate [0] IMPLICIT ExtendedCertificate,  -- Obsolete
///     v1AttrCert [1] IMPLICIT AttributeCertificateV1,        -- Obsolete
///     v2AttrCert [2] IMPLICIT AttributeCertificateV2,
///     other [3] IMPLICIT OtherCertificateFormat }
/// ```
///
/// [RFC 5652 §10.2.3]: https://www.rfc-editor.org/rfc/rfc5652#section-10.2.3
fn parse_certificates(
    base: &[u8],
    set: &Tlv<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Certificate>> {
    let mut w = Walker::inside(base, set);
    let mut certificates = Vec::new();
    let (mut count, mut others) = (0, 0);
    while !w.is_empty() {
        count += 1;
        if count > MAX_CERTIFICATES {
            return Err(Error::TooManyCertificates {
                count,
                max: MAX_CERTIFICATES,
            });
        }
        let element = w.any("SignedData.certificates")?;
        if element.tag != tlv::SEQUENCE {
            others += 1;
            continue;
        }
        match Certificate::from_der(element.raw) {
            Ok(c) => certificates.push(c),
            Err(e) => warnings.push(Warning::UnreadableCertificate {
                offset: element.offset,
                reason: e.to_string(),
            }),
        }
    }
    if others > 0 {
        warnings.push(Warning::OtherCertificateFormats { count: others });
    }
    Ok(certificates)
}

/// The contents of a `SignedAttributes` or `UnsignedAttributes` set.
fn parse_attributes(base: &[u8], set: &Tlv<'_>, what: &'static str) -> Result<Vec<RawAttribute>> {
    let mut w = Walker::inside(base, set);
    let mut out = Vec::new();
    while !w.is_empty() {
        if out.len() == MAX_ATTRIBUTES {
            return Err(Error::TooManyAttributes {
                max: MAX_ATTRIBUTES,
            });
        }
        let attribute = w.read(tlv::SEQUENCE, what)?;
        let mut a = Walker::inside(base, &attribute);
        let oid: ObjectIdentifier = a.read(tlv::OID, what)?.decode(what)?;
        let values_set = a.read(tlv::SET, what)?;
        a.finish(what)?;
        let mut v = Walker::inside(base, &values_set);
        let mut values = Vec::new();
        while !v.is_empty() {
            if values.len() == MAX_ATTRIBUTES {
                return Err(Error::TooManyAttributes {
                    max: MAX_ATTRIBUTES,
                });
            }
            values.push(v.any(what)?.raw.to_vec());
        }
        out.push(RawAttribute { oid, values });
    }
    Ok(out)
}

/// Finds the certificate `sid` names among `certificates`.
fn find_signer(
    base: &[u8],
    sid: &Tlv<'_>,
    certificates: &[Certificate],
    unreadable: usize,
) -> Result<(SignerId, usize)> {
    let (id, index) = match sid.tag {
        tlv::SEQUENCE => {
            // IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber CertificateSerialNumber }
            let mut w = Walker::inside(base, sid);
            let issuer = w.read(tlv::SEQUENCE, "IssuerAndSerialNumber.issuer")?;
            let serial = w.read(tlv::INTEGER, "IssuerAndSerialNumber.serialNumber")?;
            w.finish("IssuerAndSerialNumber")?;
            let readable = x509_cert::name::Name::from_der(issuer.raw)
                .map(|n| n.to_string())
                .unwrap_or_else(|_| hex::encode_upper(issuer.raw));
            let index = certificates.iter().position(|c| {
                raw_issuer_and_serial(c.der())
                    .is_some_and(|(i, s)| i == issuer.raw && s == serial.value)
            });
            (
                SignerId::IssuerAndSerialNumber {
                    issuer: readable,
                    serial: hex::encode_upper(serial.value),
                },
                index,
            )
        }
        tlv::CTX0_PRIMITIVE => {
            let index = certificates.iter().position(
                |c| matches!(c.subject_key_identifier(), Ok(Some(ski)) if ski == sid.value),
            );
            (
                SignerId::SubjectKeyIdentifier(hex::encode_upper(sid.value)),
                index,
            )
        }
        other => {
            return Err(malformed(
                "SignerInfo.sid",
                sid.offset,
                format!(
                    "neither issuerAndSerialNumber nor [0] subjectKeyIdentifier (tag 0x{other:02X})"
                ),
            ));
        }
    };
    match index {
        Some(i) => Ok((id, i)),
        None => Err(Error::SignerCertificateNotFound {
            signer: id.to_string(),
            embedded: certificates.len(),
            unreadable,
        }),
    }
}

/// The issuer `Name` (whole DER) and serial number (INTEGER contents) of a certificate, read
/// from its own bytes so that names kyso-cert had to patch still compare byte for byte.
///
/// ```text
/// TBSCertificate  ::=  SEQUENCE  {
///      version         [0]  EXPLICIT Version DEFAULT v1,
///      serialNumber         CertificateSerialNumber,
///      signature            AlgorithmIdentifier,
///      issuer               Name, ... }
/// ```
fn raw_issuer_and_serial(cert_der: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut top = Walker::new(cert_der, cert_der);
    let cert = top.read(tlv::SEQUENCE, "Certificate").ok()?;
    let mut c = Walker::inside(cert_der, &cert);
    let tbs = c.read(tlv::SEQUENCE, "TBSCertificate").ok()?;
    let mut t = Walker::inside(cert_der, &tbs);
    t.optional(tlv::CTX0, "version").ok()?;
    let serial = t.read(tlv::INTEGER, "serialNumber").ok()?;
    t.read(tlv::SEQUENCE, "signature").ok()?;
    let issuer = t.read(tlv::SEQUENCE, "issuer").ok()?;
    Some((issuer.raw, serial.value))
}

fn serialize_certificate<S: Serializer>(c: &Certificate, s: S) -> Result<S::Ok, S::Error> {
    CertificateSummary::of(c).serialize(s)
}

fn serialize_certificates<S: Serializer>(c: &[Certificate], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(c.iter().map(CertificateSummary::of))
}

fn serialize_time<S: Serializer>(t: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_some(&rfc3339(*t)),
        None => s.serialize_none(),
    }
}

fn serialize_hex_list<S: Serializer>(v: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
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
