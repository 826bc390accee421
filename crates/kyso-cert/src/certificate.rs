//! [`Certificate`]: a parsed X.509 certificate that keeps its original DER.

use std::sync::Arc;
use std::time::SystemTime;

use const_oid::{AssociatedOid, ObjectIdentifier};
use der::{Decode, Encode, ErrorKind, asn1::BitString};
use sha2::{Digest, Sha256};
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, CrlDistributionPoints,
    ExtendedKeyUsage, NameConstraints, SubjectAltName, SubjectKeyIdentifier,
    name::{DistributionPointName, GeneralName},
};

use crate::{Error, Identity, KeyUsage, Result, compat};

/// A parsed X.509 certificate ([RFC 5280 §4.1]) together with its exact DER encoding.
///
/// ```text
/// Certificate  ::=  SEQUENCE  {
///      tbsCertificate       TBSCertificate,
///      signatureAlgorithm   AlgorithmIdentifier,
///      signatureValue       BIT STRING  }
/// ```
///
/// [RFC 5280 §4.1]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1
///
/// Cloning is cheap (the parsed certificate is shared): a signer hands its certificate to
/// every document of a batch, a validator to every path it tries.
#[derive(Clone, Debug)]
pub struct Certificate {
    parsed: Arc<Parsed>,
}

/// The DER and what was decoded from it, shared by every clone of a [`Certificate`].
#[derive(Debug)]
struct Parsed {
    der: Vec<u8>,
    inner: x509_cert::Certificate,
}

impl PartialEq for Certificate {
    /// Equal when the DER is (what is decoded from it follows).
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.parsed, &other.parsed) || self.parsed.der == other.parsed.der
    }
}

impl Eq for Certificate {}

impl Certificate {
    /// Parses one DER-encoded certificate; trailing bytes are an error.
    ///
    /// Issuer and subject names holding UniversalString values, which the `der` crate
    /// cannot represent, are accepted: those values are re-tagged `[PRIVATE 28]` in
    /// [`inner`](Self::inner) (see `compat.rs`) and read correctly by
    /// [`subject`](Self::subject) and [`issuer`](Self::issuer); [`der`](Self::der) keeps
    /// the original bytes.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let inner = match x509_cert::Certificate::from_der(der) {
            Ok(inner) => inner,
            Err(error) if is_universal_string_tag(&error) => {
                match compat::retag_universal_strings(der) {
                    Some(patched) => x509_cert::Certificate::from_der(&patched)?,
                    None => return Err(error.into()),
                }
            }
            Err(error) => return Err(error.into()),
        };
        Ok(Self::from_parts(der.to_vec(), inner))
    }

    /// Wraps an already decoded certificate (re-encodes it to DER, which for a certificate
    /// decoded from DER gives back the same bytes).
    pub fn from_x509(inner: x509_cert::Certificate) -> Result<Self> {
        let der = inner.to_der()?;
        Ok(Self::from_parts(der, inner))
    }

    /// The decoded `tbsCertificate`.
    fn tbs(&self) -> &x509_cert::TbsCertificate {
        self.parsed.inner.tbs_certificate()
    }

    fn from_parts(der: Vec<u8>, inner: x509_cert::Certificate) -> Self {
        Self {
            parsed: Arc::new(Parsed { der, inner }),
        }
    }

    /// Parses the first `CERTIFICATE` block of a PEM file.
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        Self::all_from_pem(pem)?
            .into_iter()
            .next()
            .ok_or(Error::NoPemCertificate)
    }

    /// Parses every `CERTIFICATE` block of a PEM file (a chain file), in file order.
    /// Other blocks (keys, CRLs) are skipped.
    pub fn all_from_pem(pem: &[u8]) -> Result<Vec<Self>> {
        let mut out = Vec::new();
        let text = std::str::from_utf8(pem).map_err(|_| Error::Pem("not UTF-8 text".into()))?;
        let mut rest = text;
        while let Some(start) = rest.find("-----BEGIN ") {
            let block = &rest[start..];
            let label_end = block[11..]
                .find("-----")
                .ok_or_else(|| Error::Pem("unterminated BEGIN line".into()))?;
            let label = &block[11..11 + label_end];
            let end_marker = format!("-----END {label}-----");
            let end = block
                .find(&end_marker)
                .ok_or_else(|| Error::Pem(format!("missing {end_marker}")))?;
            let whole = &block[..end + end_marker.len()];
            if label == "CERTIFICATE" {
                let (_, der) = der::pem::decode_vec(whole.as_bytes())
                    .map_err(|e| Error::Pem(e.to_string()))?;
                out.push(Self::from_der(&der)?);
            }
            rest = &block[end + end_marker.len()..];
        }
        if out.is_empty() {
            return Err(Error::NoPemCertificate);
        }
        Ok(out)
    }

    /// Reads DER or PEM, whichever the bytes are; PEM may hold several certificates.
    pub fn all_from_der_or_pem(bytes: &[u8]) -> Result<Vec<Self>> {
        if bytes.first() == Some(&0x30) {
            Ok(vec![Self::from_der(bytes)?])
        } else {
            Self::all_from_pem(bytes)
        }
    }

    /// The exact DER encoding this certificate was read from.
    pub fn der(&self) -> &[u8] {
        &self.parsed.der
    }

    /// The DER of the `tbsCertificate` exactly as read ([RFC 5280 §4.1.1.3]): the bytes the
    /// issuer signed, to pass to [`verify_signature`](crate::verify_signature) with
    /// `inner().signature_algorithm()` and `inner().signature()`.
    ///
    /// # Errors
    ///
    /// [`Error::Der`] if the outer layers cannot be found (not possible for a certificate
    /// that decoded, but the bytes are checked again rather than trusted).
    ///
    /// [RFC 5280 §4.1.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.3
    pub fn tbs_der(&self) -> Result<&[u8]> {
        compat::tbs_range(&self.parsed.der)
            .and_then(|range| self.parsed.der.get(range))
            .ok_or_else(|| Error::Der(der::Tag::Sequence.value_error().into()))
    }

    /// The decoded structure, for callers that need fields this type does not expose.
    ///
    /// Its re-encoding equals [`der`](Self::der) except for certificates with
    /// UniversalString names (see [`from_der`](Self::from_der)); compute signatures and
    /// hashes over [`der`](Self::der).
    pub fn inner(&self) -> &x509_cert::Certificate {
        &self.parsed.inner
    }

    /// The DER of the SubjectPublicKeyInfo ([RFC 5280 §4.1.2.7]), ready for a verifier.
    ///
    /// ```text
    /// SubjectPublicKeyInfo  ::=  SEQUENCE  {
    ///      algorithm            AlgorithmIdentifier,
    ///      subjectPublicKey     BIT STRING  }
    /// ```
    ///
    /// [RFC 5280 §4.1.2.7]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.7
    pub fn public_key_der(&self) -> Result<Vec<u8>> {
        Ok(self.tbs().subject_public_key_info().to_der()?)
    }

    /// The serial number ([RFC 5280 §4.1.2.2]) as uppercase hex of its DER content octets
    /// (no leading `0x`), as certificate viewers and CA portals show it.
    ///
    /// [RFC 5280 §4.1.2.2]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.2
    pub fn serial_hex(&self) -> String {
        hex::encode_upper(self.tbs().serial_number().as_bytes())
    }
    /// The subject ([RFC 5280 §4.1.2.6]) as readable UTF-8, with its Vietnamese identifiers.
    ///
    /// [RFC 5280 §4.1.2.6]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.6
    pub fn subject(&self) -> Identity {
        Identity::from_name(self.tbs().subject())
    }

    /// The issuer ([RFC 5280 §4.1.2.4]) as readable UTF-8.
    ///
    /// [RFC 5280 §4.1.2.4]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.4
    pub fn issuer(&self) -> Identity {
        Identity::from_name(self.tbs().issuer())
    }

    /// Start of the validity period, `notBefore` ([RFC 5280 §4.1.2.5]).
    ///
    /// ```text
    /// Validity ::= SEQUENCE {
    ///      notBefore      Time,
    ///      notAfter       Time }
    /// ```
    ///
    /// [RFC 5280 §4.1.2.5]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5
    pub fn not_before(&self) -> SystemTime {
        self.tbs().validity().not_before.to_system_time()
    }

    /// End of the validity period, `notAfter` ([RFC 5280 §4.1.2.5]); the certificate is
    /// still valid at this very second.
    ///
    /// [RFC 5280 §4.1.2.5]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5
    pub fn not_after(&self) -> SystemTime {
        self.tbs().validity().not_after.to_system_time()
    }

    /// Whether `time` lies in the validity period, both ends included ([RFC 5280 §4.1.2.5]:
    /// "the period of time from notBefore through notAfter, inclusive").
    ///
    /// This checks the dates only; whether the certificate is trusted or revoked is path
    /// validation's business.
    ///
    /// [RFC 5280 §4.1.2.5]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5
    pub fn is_valid_at(&self, time: SystemTime) -> bool {
        self.not_before() <= time && time <= self.not_after()
    }

    /// The key usage extension ([RFC 5280 §4.2.1.3]); `Ok(None)` if absent, which means the
    /// key is not restricted by it.
    ///
    /// # Errors
    ///
    /// [`Error::MalformedExtension`] if the value is not a BIT STRING,
    /// [`Error::DuplicateExtension`] if the extension appears twice.
    ///
    /// [RFC 5280 §4.2.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.3
    pub fn key_usage(&self) -> Result<Option<KeyUsage>> {
        let Some(value) = self.extension_value(x509_cert::ext::pkix::KeyUsage::OID, "keyUsage")?
        else {
            return Ok(None);
        };
        let bits = BitString::from_der(value).map_err(|source| Error::MalformedExtension {
            name: "keyUsage",
            oid: x509_cert::ext::pkix::KeyUsage::OID,
            source,
        })?;
        Ok(Some(KeyUsage::from_bits(&bits)))
    }

    /// The purposes listed in the extended key usage extension ([RFC 5280 §4.2.1.12]),
    /// in order; empty if the extension is absent.
    ///
    /// ```text
    /// ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
    /// KeyPurposeId ::= OBJECT IDENTIFIER
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::MalformedExtension`], [`Error::DuplicateExtension`].
    ///
    /// [RFC 5280 §4.2.1.12]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.12
    pub fn extended_key_usage(&self) -> Result<Vec<ObjectIdentifier>> {
        Ok(self
            .decode_extension::<ExtendedKeyUsage>("extKeyUsage")?
            .map(|eku| eku.0)
            .unwrap_or_default())
    }

    /// Whether basicConstraints ([RFC 5280 §4.2.1.9]) says this is a CA certificate
    /// (`cA` is TRUE); `false` when the extension is absent.
    ///
    /// ```text
    /// BasicConstraints ::= SEQUENCE {
    ///      cA                      BOOLEAN DEFAULT FALSE,
    ///      pathLenConstraint       INTEGER (0..MAX) OPTIONAL }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::MalformedExtension`], [`Error::DuplicateExtension`].
    ///
    /// [RFC 5280 §4.2.1.9]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.9
    pub fn is_ca(&self) -> Result<bool> {
        Ok(self
            .decode_extension::<BasicConstraints>("basicConstraints")?
            .is_some_and(|constraints| constraints.ca))
    }

    /// The basicConstraints extension ([RFC 5280 §4.2.1.9]) as `(cA, pathLenConstraint)`;
    /// `None` when absent.
    ///
    /// # Errors
    ///
    /// [`Error::MalformedExtension`], [`Error::DuplicateExtension`].
    ///
    /// [RFC 5280 §4.2.1.9]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.9
    pub fn basic_constraints(&self) -> Result<Option<(bool, Option<u8>)>> {
        Ok(self
            .decode_extension::<BasicConstraints>("basicConstraints")?
            .map(|bc| (bc.ca, bc.path_len_constraint)))
    }

    /// The names of the subjectAltName extension ([RFC 5280 §4.2.1.6]); empty if absent.
    ///
    /// ```text
    /// SubjectAltName ::= GeneralNames
    /// GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::MalformedExtension`], [`Error::DuplicateExtension`].
    ///
    /// [RFC 5280 §4.2.1.6]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.6
    pub fn subject_alt_names(&self) -> Result<Vec<GeneralName>> {
        Ok(self
            .decode_extension::<SubjectAltName>("subjectAltName")?
            .map(|san| san.0)
            .unwrap_or_default())
    }

    /// The nameConstraints extension ([RFC 5280 §4.2.1.10]), if present.
    ///
    /// ```text
    /// NameConstraints ::= SEQUENCE {
    ///      permittedSubtrees       [0]     GeneralSubtrees OPTIONAL,
    ///      excludedSubtrees        [1]     GeneralSubtrees OPTIONAL }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::MalformedExtension`], [`Error::DuplicateExtension`].
    ///
    /// [RFC 5280 §4.2.1.10]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.10
    pub fn name_constraints(&self) -> Result<Option<NameConstraints>> {
        self.decode_extension::<NameConstraints>("nameConstraints")
    }

    /// The subject key identifier ([RFC 5280 §4.2.1.2]), if present.
    ///
    /// ```text
    /// SubjectKeyIdentifier ::= KeyIdentifier
    /// KeyIdentifier ::= OCTET STRING
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::MalformedExtension`], [`Error::DuplicateExtension`].
    ///
    /// [RFC 5280 §4.2.1.2]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.2
    pub fn subject_key_identifier(&self) -> Result<Option<Vec<u8>>> {
        Ok(self
            .decode_extension::<SubjectKeyIdentifier>("subjectKeyIdentifier")?
            .map(|ski| ski.0.as_bytes().to_vec()))
    }

    /// The `keyIdentifier` of the authority key identifier ([RFC 5280 §4.2.1.1]): the
    /// subject key identifier of the issuer's certificate. `None` if the extension or the
    /// field is absent (the issuer-and-serial form is available through
    /// [`inner`](Self::inner)).
    ///
    /// ```text
    /// AuthorityKeyIdentifier ::= SEQUENCE {
    ///     keyIdentifier             [0] KeyIdentifier           OPTIONAL,
    ///     authorityCertIssuer       [1] GeneralNames            OPTIONAL,
    ///     authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL  }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::MalformedExtension`], [`Error::DuplicateExtension`].
    ///
    /// [RFC 5280 §4.2.1.1]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.1
    pub fn authority_key_identifier(&self) -> Result<Option<Vec<u8>>> {
        Ok(self
            .decode_extension::<AuthorityKeyIdentifier>("authorityKeyIdentifier")?
            .and_then(|aki| aki.key_identifier)
            .map(|id| id.as_bytes().to_vec()))
    }

    /// The OCSP responder URIs of the authorityInfoAccess extension ([RFC 5280 §4.2.2.1],
    /// `id-ad-ocsp`), in the certificate's order.
    ///
    /// # Errors
    ///
    /// [`Error::MalformedExtension`], [`Error::DuplicateExtension`].
    ///
    /// [RFC 5280 §4.2.2.1]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.2.1
    pub fn ocsp_urls(&self) -> Result<Vec<String>> {
        Ok(self
            .decode_extension::<AuthorityInfoAccessSyntax>("authorityInfoAccess")?
            .map(|aia| {
                aia.0
                    .into_iter()
                    .filter(|d| d.access_method == const_oid::db::rfc5280::ID_AD_OCSP)
                    .filter_map(|d| uri(&d.access_location))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The full-name URIs of the cRLDistributionPoints extension ([RFC 5280 §4.2.1.13]),
    /// in the certificate's order (relative names and CRL issuers other than the
    /// certificate's are not followed).
    ///
    /// # Errors
    ///
    /// [`Error::MalformedExtension`], [`Error::DuplicateExtension`].
    ///
    /// [RFC 5280 §4.2.1.13]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.13
    pub fn crl_urls(&self) -> Result<Vec<String>> {
        Ok(self
            .decode_extension::<CrlDistributionPoints>("cRLDistributionPoints")?
            .map(|points| {
                points
                    .0
                    .into_iter()
                    .filter(|p| p.crl_issuer.is_none())
                    .filter_map(|p| match p.distribution_point {
                        Some(DistributionPointName::FullName(names)) => Some(names),
                        _ => None,
                    })
                    .flatten()
                    .filter_map(|n| uri(&n))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Whether the certificate carries `id-pkix-ocsp-nocheck` ([RFC 6960 §4.2.2.2.1]): an
    /// OCSP responder's certificate whose own status need not be checked.
    ///
    /// [RFC 6960 §4.2.2.2.1]: https://www.rfc-editor.org/rfc/rfc6960#section-4.2.2.2.1
    pub fn has_ocsp_nocheck(&self) -> bool {
        self.tbs().extensions().is_some_and(|e| {
            e.iter()
                .any(|x| x.extn_id == crate::ocsp::ID_PKIX_OCSP_NOCHECK)
        })
    }

    /// SHA-256 of the certificate's DER: the fingerprint certificate viewers show, and what
    /// ESS signing-certificate-v2 ([RFC 5035]) binds a signature to.
    ///
    /// [RFC 5035]: https://www.rfc-editor.org/rfc/rfc5035
    pub fn fingerprint_sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.parsed.der).into()
    }

    /// Whether issuer and subject are the same name ([RFC 5280 §6.1]: "self-issued"), as is
    /// the case for root CAs and CA key-rollover certificates. Names are compared by their
    /// DER encoding, without RFC 5280 §7.1 normalisation.
    ///
    /// [RFC 5280 §6.1]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1
    pub fn is_self_issued(&self) -> bool {
        let tbs = self.tbs();
        tbs.issuer() == tbs.subject()
    }

    /// The `extnValue` contents of the extension `oid`, if present exactly once.
    fn extension_value(&self, oid: ObjectIdentifier, name: &'static str) -> Result<Option<&[u8]>> {
        let mut matching = self
            .tbs()
            .extensions()
            .into_iter()
            .flatten()
            .filter(|extension| extension.extn_id == oid);
        let first = matching.next();
        if matching.next().is_some() {
            return Err(Error::DuplicateExtension { name, oid });
        }
        Ok(first.map(|extension| extension.extn_value.as_bytes()))
    }

    /// The extension of type `T`, decoded, if present exactly once.
    fn decode_extension<T>(&self, name: &'static str) -> Result<Option<T>>
    where
        T: AssociatedOid + for<'a> Decode<'a, Error = der::Error>,
    {
        self.extension_value(T::OID, name)?
            .map(|value| {
                T::from_der(value).map_err(|source| Error::MalformedExtension {
                    name,
                    oid: T::OID,
                    source,
                })
            })
            .transpose()
    }
}

/// The URI of a GeneralName, if it is one.
fn uri(name: &GeneralName) -> Option<String> {
    match name {
        GeneralName::UniformResourceIdentifier(u) => Some(u.as_str().to_string()),
        _ => None,
    }
}

/// Whether decoding failed on a UniversalString tag (`0x1C`), which `der` does not know.
fn is_universal_string_tag(error: &der::Error) -> bool {
    matches!(error.kind(), ErrorKind::TagUnknown { byte: 0x1C })
}
