//! Reading a `SignedData` ([RFC 5652 §5]) into [`SignedDataInfo`]: the walk over the DER, the
//! certificates, attributes and the signer's certificate, within the limits.
//!
//! [RFC 5652 §5]: https://www.rfc-editor.org/rfc/rfc5652#section-5

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911;
use der::Decode;
use kyso_cert::Certificate;
use spki::AlgorithmIdentifierOwned;

use super::tlv::{self, Tlv, Walker, malformed};
use super::*;
use crate::{DigestAlgorithm, Error, Result};

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

/// The message digest a DER `SignedAttributes` set (as signed: universal SET tag) commits
/// to, read by the verifier's own rules: content-type and message-digest present, each once
/// with one value (RFC 5652 §11.1–11.2).
pub(crate) fn signed_message_digest(der: &[u8]) -> Result<Vec<u8>> {
    const WHAT: &str = "SignedAttributes";
    let mut w = Walker::new(der, der);
    let set = w.read(tlv::SET, WHAT)?;
    w.finish(WHAT)?;
    Ok(attributes::required(&parse_attributes(der, &set, WHAT)?)?.message_digest)
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
