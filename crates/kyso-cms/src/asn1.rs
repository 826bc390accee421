//! ASN.1 types of the CAdES attributes kyso writes and reads, shared by the builder and the
//! verifier, and of the `SignedData` the builder writes (RFC 5652; the verifier reads with its
//! own bounded walker). Each mirrors its module's definition; `policies` are read but never written.

use const_oid::ObjectIdentifier;
use der::asn1::{Any, OctetString, SetOfVec};
use der::{
    DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Sequence, Tag, ValueOrd, Writer,
};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attributes;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;

/// `ESSCertIDv2` ([RFC 5035 §4]).
///
/// ```text
/// ESSCertIDv2 ::=  SEQUENCE {
///     hashAlgorithm           AlgorithmIdentifier DEFAULT {algorithm id-sha256},
///     certHash                Hash,
///     issuerSerial            IssuerSerial OPTIONAL }
/// ```
///
/// [RFC 5035 §4]: https://www.rfc-editor.org/rfc/rfc5035#section-4
#[derive(Clone, Debug, Sequence)]
pub(crate) struct EssCertIdV2 {
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial` ([RFC 5035 §4]).
///
/// ```text
/// IssuerSerial ::= SEQUENCE {
///     issuer                   GeneralNames,
///     serialNumber             CertificateSerialNumber }
/// ```
///
/// [RFC 5035 §4]: https://www.rfc-editor.org/rfc/rfc5035#section-4
#[derive(Clone, Debug, Sequence)]
pub(crate) struct IssuerSerial {
    pub issuer: Vec<GeneralName>,
    pub serial_number: SerialNumber,
}

/// `SigningCertificateV2` ([RFC 5035 §3]).
///
/// ```text
/// SigningCertificateV2 ::=  SEQUENCE {
///     certs        SEQUENCE OF ESSCertIDv2,
///     policies     SEQUENCE OF PolicyInformation OPTIONAL }
/// ```
///
/// [RFC 5035 §3]: https://www.rfc-editor.org/rfc/rfc5035#section-3
#[derive(Clone, Debug, Sequence)]
pub(crate) struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    pub policies: Option<Any>,
}

/// `ESSCertID` ([RFC 2634 §5.4.1]): the SHA-1 form of [`EssCertIdV2`].
///
/// ```text
/// ESSCertID ::=  SEQUENCE {
///      certHash                 Hash,
///      issuerSerial             IssuerSerial OPTIONAL }
/// Hash ::= OCTET STRING -- SHA1 hash of entire certificate
/// ```
///
/// [RFC 2634 §5.4.1]: https://www.rfc-editor.org/rfc/rfc2634#section-5.4.1
#[derive(Clone, Debug, Sequence)]
pub(crate) struct EssCertId {
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `SigningCertificate` ([RFC 2634 §5.4]).
///
/// ```text
/// SigningCertificate ::=  SEQUENCE {
///     certs        SEQUENCE OF ESSCertID,
///     policies     SEQUENCE OF PolicyInformation OPTIONAL }
/// ```
///
/// [RFC 2634 §5.4]: https://www.rfc-editor.org/rfc/rfc2634#section-5.4
#[derive(Clone, Debug, Sequence)]
pub(crate) struct SigningCertificate {
    pub certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    pub policies: Option<Any>,
}

/// `CMSAlgorithmProtectionAttribute` ([RFC 6211 §2]).
///
/// ```text
/// CMSAlgorithmProtection ::= SEQUENCE {
///     digestAlgorithm         DigestAlgorithmIdentifier,
///     signatureAlgorithm  [1] SignatureAlgorithmIdentifier OPTIONAL,
///     macAlgorithm        [2] MessageAuthenticationCodeAlgorithm OPTIONAL }
/// ```
///
/// [RFC 6211 §2]: https://www.rfc-editor.org/rfc/rfc6211#section-2
#[derive(Clone, Debug, Sequence)]
pub(crate) struct CmsAlgorithmProtection {
    pub digest_algorithm: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub signature_algorithm: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    pub mac_algorithm: Option<AlgorithmIdentifierOwned>,
}

/// `ContentInfo` ([RFC 5652 §3]), as the builder writes it.
///
/// ```text
/// ContentInfo ::= SEQUENCE {
///     contentType ContentType,
///     content [0] EXPLICIT ANY DEFINED BY contentType }
/// ```
///
/// [RFC 5652 §3]: https://www.rfc-editor.org/rfc/rfc5652#section-3
#[derive(Clone, Debug, Sequence)]
pub(crate) struct ContentInfo {
    pub content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    pub content: Any,
}

/// `SignedData` ([RFC 5652 §5.1]) with what kyso writes: version 1, certificates, no CRLs.
///
/// ```text
/// SignedData ::= SEQUENCE {
///     version CMSVersion,
///     digestAlgorithms DigestAlgorithmIdentifiers,
///     encapContentInfo EncapsulatedContentInfo,
///     certificates [0] IMPLICIT CertificateSet OPTIONAL,
///     crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
///     signerInfos SignerInfos }
/// ```
///
/// The `CertificateSet` holds only the `certificate` choice, a plain X.509 certificate.
///
/// [RFC 5652 §5.1]: https://www.rfc-editor.org/rfc/rfc5652#section-5.1
#[derive(Clone, Debug, Sequence)]
pub(crate) struct SignedData {
    pub version: u8,
    pub digest_algorithms: SetOfVec<AlgorithmIdentifierOwned>,
    pub encap_content_info: EncapsulatedContentInfo,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub certificates: Option<CertificateSet>,
    pub signer_infos: SetOfVec<SignerInfo>,
}

/// A `CertificateSet` of plain certificates, made from their DER without re-encoding: each
/// certificate's own DER, each once, in DER `SET OF` order (X.690 §11.6: ascending as octet
/// strings; no DER certificate is a prefix of another), concatenated. A builder makes it when
/// it is created and copies it into every `SignedData` it assembles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CertificateSet {
    contents: Vec<u8>,
}

impl CertificateSet {
    /// The set of `certificates`, repeats left out (a chain may give the root twice).
    pub fn new<'c>(certificates: impl IntoIterator<Item = &'c kyso_cert::Certificate>) -> Self {
        let mut ders: Vec<&[u8]> = certificates.into_iter().map(|c| c.der()).collect();
        ders.sort_unstable();
        ders.dedup();
        Self {
            contents: ders.concat(),
        }
    }
}

impl FixedTag for CertificateSet {
    const TAG: Tag = Tag::Set;
}

impl EncodeValue for CertificateSet {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.contents.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(&self.contents)
    }
}

impl<'a> DecodeValue<'a> for CertificateSet {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        Ok(Self {
            contents: reader.read_vec(header.length())?,
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
///
/// [RFC 5652 §5.2]: https://www.rfc-editor.org/rfc/rfc5652#section-5.2
#[derive(Clone, Debug, Sequence)]
pub(crate) struct EncapsulatedContentInfo {
    pub econtent_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub econtent: Option<OctetString>,
}

/// `SignerInfo` ([RFC 5652 §5.3]) identified by issuer and serial number (version 1).
///
/// ```text
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
/// [RFC 5652 §5.3]: https://www.rfc-editor.org/rfc/rfc5652#section-5.3
#[derive(Clone, Debug, Eq, PartialEq, Sequence, ValueOrd)]
pub(crate) struct SignerInfo {
    pub version: u8,
    pub sid: IssuerAndSerialNumber,
    pub digest_alg: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub signed_attrs: Option<Attributes>,
    pub signature_algorithm: AlgorithmIdentifierOwned,
    pub signature: OctetString,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub unsigned_attrs: Option<Attributes>,
}

/// `IssuerAndSerialNumber` ([RFC 5652 §10.2.4]).
///
/// ```text
/// IssuerAndSerialNumber ::= SEQUENCE {
///     issuer Name,
///     serialNumber CertificateSerialNumber }
/// ```
///
/// [RFC 5652 §10.2.4]: https://www.rfc-editor.org/rfc/rfc5652#section-10.2.4
#[derive(Clone, Debug, Eq, PartialEq, Sequence, ValueOrd)]
pub(crate) struct IssuerAndSerialNumber {
    pub issuer: Name,
    pub serial_number: SerialNumber,
}
