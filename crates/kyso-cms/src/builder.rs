//! [`SignedDataBuilder`]: a detached CMS `SignedData` with CAdES baseline signed attributes.
//!
//! The signed attributes follow ETSI EN 319 122-1 §5.2 (CAdES-B-B) as PAdES (ETSI EN 319 142-1
//! §5.3) uses them: content-type, message-digest, ESS signing-certificate-v2 and
//! CMS algorithm protection ([RFC 6211]); signing-time only on request, because PAdES carries
//! the claimed time in the signature dictionary's /M instead.
//!
//! [RFC 6211]: https://www.rfc-editor.org/rfc/rfc6211

use std::time::SystemTime;

use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5911, rfc6211};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use kyso_cert::Certificate;
use x509_cert::attr::{Attribute, Attributes};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::time::Time;

use crate::asn1::{
    CertificateSet, CmsAlgorithmProtection, ContentInfo, EncapsulatedContentInfo, EssCertIdV2,
    IssuerAndSerialNumber, IssuerSerial, SignedData, SignerInfo, SigningCertificateV2,
};
use crate::{DigestAlgorithm, Error, Result, SignatureScheme, Signer};

/// The DER of a `SignedAttributes` set ([RFC 5652 §5.3]) exactly as it is signed: with the
/// universal SET tag (0x31), not the `[0] IMPLICIT` tag it carries inside `SignerInfo`
/// ([RFC 5652 §5.4]).
///
/// [RFC 5652 §5.3]: https://www.rfc-editor.org/rfc/rfc5652#section-5.3
/// [RFC 5652 §5.4]: https://www.rfc-editor.org/rfc/rfc5652#section-5.4
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedAttributes {
    der: Vec<u8>,
}

impl SignedAttributes {
    /// The bytes the signer signs.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Takes back attributes produced earlier (for instance kept by a deferred-signing state);
    /// checks that they are a DER `SET OF Attribute`.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        Attributes::from_der(der)?;
        Ok(Self { der: der.to_vec() })
    }
}

/// Builds a detached CMS `SignedData` ([RFC 5652 §5.1]) over a digest of external content,
/// for PAdES (`ETSI.CAdES.detached`, `adbe.pkcs7.detached`) and detached `.p7s` files.
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
/// In one go, [`SignedDataBuilder::sign`]; for deferred signing,
/// [`SignedDataBuilder::signed_attributes`] then [`SignedDataBuilder::assemble`].
///
/// [RFC 5652 §5.1]: https://www.rfc-editor.org/rfc/rfc5652#section-5.1
#[derive(Clone, Debug)]
pub struct SignedDataBuilder {
    certificate: Certificate,
    chain: Vec<Certificate>,
    /// The certificate and the chain as the `SignedData` carries them, made once per builder.
    certificate_set: CertificateSet,
    algorithm: SignatureScheme,
    signing_time: Option<SystemTime>,
}

/// Bytes of DER framing around the certificates, attributes and signature, generously rounded
/// up: ContentInfo, SignedData, SignerInfo headers, algorithm identifiers, issuer name.
const FRAMING_ALLOWANCE: usize = 1024;

impl SignedDataBuilder {
    /// A builder for `certificate`'s key, embedding `chain` after it.
    pub fn new(
        certificate: Certificate,
        chain: Vec<Certificate>,
        algorithm: SignatureScheme,
    ) -> Self {
        Self {
            certificate_set: CertificateSet::new(std::iter::once(&certificate).chain(&chain)),
            certificate,
            chain,
            algorithm,
            signing_time: None,
        }
    }

    /// A builder for what `signer` holds: its certificate, chain and algorithm.
    pub fn for_signer(signer: &dyn Signer) -> Self {
        Self::new(
            signer.certificate().clone(),
            signer.chain().to_vec(),
            signer.algorithm(),
        )
    }

    /// Adds a signing-time attribute ([RFC 5652 §11.3]). Off by default: ETSI EN 319 142-1
    /// §5.3 forbids it in PAdES baseline signatures, which use /M instead.
    ///
    /// [RFC 5652 §11.3]: https://www.rfc-editor.org/rfc/rfc5652#section-11.3
    pub fn signing_time(mut self, time: SystemTime) -> Self {
        self.signing_time = Some(time);
        self
    }

    /// The digest algorithm the content must be hashed with.
    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.algorithm.digest()
    }

    /// The signature algorithm of the signer.
    pub fn signature_algorithm(&self) -> SignatureScheme {
        self.algorithm
    }

    /// The signer certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The chain certificates embedded after the signer's.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// An upper bound of the DER size of the `ContentInfo` [`SignedDataBuilder::assemble`]
    /// will produce, for sizing a PDF /Contents placeholder before signing.
    pub fn max_encoded_len(&self) -> usize {
        let certs: usize = std::iter::once(&self.certificate)
            .chain(&self.chain)
            .map(|c| c.der().len())
            .sum();
        let issuer = self.certificate.inner().tbs_certificate().issuer();
        let issuer_len = issuer.to_der().map(|d| d.len()).unwrap_or(512);
        // signed attributes: ~200 bytes of fixed content, the issuer twice (ESS issuerSerial
        // and the signer identifier), and the signature: at most 2 × key bytes for ECDSA
        // (plus DER), the modulus for RSA — bounded by the public key's size.
        let key_len = self
            .certificate
            .inner()
            .tbs_certificate()
            .subject_public_key_info()
            .subject_public_key
            .raw_bytes()
            .len();
        certs + 2 * issuer_len + key_len + 400 + FRAMING_ALLOWANCE
    }

    /// The signed attributes for content whose digest (with
    /// [`SignedDataBuilder::digest_algorithm`]) is `content_digest`. Sign their
    /// [`SignedAttributes::der`].
    pub fn signed_attributes(&self, content_digest: &[u8]) -> Result<SignedAttributes> {
        let digest = self.digest_algorithm();
        // SHA-1 is read in old signatures, never used for a new one.
        if digest.is_legacy() {
            return Err(Error::UnsupportedAlgorithm(format!(
                "{digest} is not used for new signatures"
            )));
        }
        if content_digest.len() != digest.output_len() {
            return Err(Error::DigestLength {
                algorithm: digest,
                expected: digest.output_len(),
                actual: content_digest.len(),
            });
        }
        let mut attrs = Attributes::new();
        insert(
            &mut attrs,
            rfc5911::ID_CONTENT_TYPE,
            Any::encode_from(&rfc5911::ID_DATA)?,
        )?;
        insert(
            &mut attrs,
            rfc5911::ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(content_digest)?)?,
        )?;
        insert(
            &mut attrs,
            rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2,
            Any::encode_from(&self.signing_certificate_v2()?)?,
        )?;
        insert(
            &mut attrs,
            rfc6211::ID_AA_CMS_ALGORITHM_PROTECTION,
            Any::encode_from(&CmsAlgorithmProtection {
                digest_algorithm: digest.identifier(),
                signature_algorithm: Some(self.algorithm.identifier()?),
                mac_algorithm: None,
            })?,
        )?;
        if let Some(time) = self.signing_time {
            let time = Time::try_from(time)?;
            insert(
                &mut attrs,
                rfc5911::ID_SIGNING_TIME,
                Any::encode_from(&time)?,
            )?;
        }
        Ok(SignedAttributes {
            der: attrs.to_der()?,
        })
    }

    /// Puts `signature` (made over `attributes.der()` by the signer's key) and the
    /// certificates together into a DER `ContentInfo` holding the `SignedData`.
    pub fn assemble(&self, attributes: &SignedAttributes, signature: &[u8]) -> Result<Vec<u8>> {
        self.assemble_with(attributes, signature, None)
    }

    /// Like [`SignedDataBuilder::assemble`], with `timestamp_token` (a DER RFC 3161 token over
    /// `signature`) as the signature-time-stamp unsigned attribute (`id-aa-signatureTimeStampToken`,
    /// RFC 3161 Appendix A; CAdES/PAdES B-T).
    pub fn assemble_timestamped(
        &self,
        attributes: &SignedAttributes,
        signature: &[u8],
        timestamp_token: &[u8],
    ) -> Result<Vec<u8>> {
        self.assemble_with(attributes, signature, Some(timestamp_token))
    }

    fn assemble_with(
        &self,
        attributes: &SignedAttributes,
        signature: &[u8],
        timestamp_token: Option<&[u8]>,
    ) -> Result<Vec<u8>> {
        let unsigned_attrs = match timestamp_token {
            Some(token) => {
                let mut attrs = Attributes::new();
                insert(
                    &mut attrs,
                    crate::verify::ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
                    Any::from_der(token)?,
                )?;
                Some(attrs)
            }
            None => None,
        };
        let tbs = self.certificate.inner().tbs_certificate();
        // Version 1: the signer is identified by issuer and serial number (RFC 5652 §5.3).
        let signer_info = SignerInfo {
            version: 1,
            sid: IssuerAndSerialNumber {
                issuer: tbs.issuer().clone(),
                serial_number: tbs.serial_number().clone(),
            },
            digest_alg: self.digest_algorithm().identifier(),
            signed_attrs: Some(Attributes::from_der(attributes.der())?),
            signature_algorithm: self.algorithm.identifier()?,
            signature: OctetString::new(signature)?,
            unsigned_attrs,
        };
        let mut digest_algorithms = SetOfVec::new();
        digest_algorithms.insert(self.digest_algorithm().identifier())?;
        // Version 1: id-data content, certificates only, version-1 signer (RFC 5652 §5.1).
        let signed_data = SignedData {
            version: 1,
            digest_algorithms,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: rfc5911::ID_DATA,
                econtent: None,
            },
            certificates: Some(self.certificate_set.clone()),
            signer_infos: SetOfVec::try_from(vec![signer_info])?,
        };
        let content_info = ContentInfo {
            content_type: rfc5911::ID_SIGNED_DATA,
            content: Any::encode_from(&signed_data)?,
        };
        Ok(content_info.to_der()?)
    }

    /// Checks a signature before it is embedded: `attributes` commit to `content_digest`
    /// (their message-digest), and `signature` verifies over them with the certificate's key
    /// under the builder's algorithm. This is what a token that signed with another key than
    /// the certificate's, a corrupted answer or a deferred state whose attributes were changed
    /// would fail; it reads only the attributes, not a whole `SignedData`.
    ///
    /// # Errors
    ///
    /// [`Error::DigestMismatch`] when the attributes name another digest (or none:
    /// [`Error::MissingAttribute`], the verifier's rules for the attributes apply);
    /// [`Error::BadSignature`] when the signature does not verify.
    pub fn check_signature(
        &self,
        attributes: &SignedAttributes,
        content_digest: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        self.check_digest(attributes, content_digest)?;
        crate::verify::primitive::verify(
            &self.certificate,
            &self.algorithm.identifier()?,
            self.digest_algorithm(),
            false,
            attributes.der(),
            signature,
        )
    }

    /// The first half of [`SignedDataBuilder::check_signature`], for a signature that needs
    /// no second verification (a key in this process, [`Signer::verifies_own_signatures`]):
    /// `attributes` commit to `content_digest`.
    ///
    /// # Errors
    ///
    /// As [`SignedDataBuilder::check_signature`], less [`Error::BadSignature`].
    pub fn check_digest(&self, attributes: &SignedAttributes, content_digest: &[u8]) -> Result<()> {
        if crate::verify::signed_message_digest(attributes.der())? != content_digest {
            return Err(Error::DigestMismatch {
                algorithm: self.digest_algorithm(),
            });
        }
        Ok(())
    }

    /// Signs a content digest with `signer` in one go and returns the DER `ContentInfo`.
    pub fn sign(&self, signer: &dyn Signer, content_digest: &[u8]) -> Result<Vec<u8>> {
        let attributes = self.signed_attributes(content_digest)?;
        let signature = signer.sign(attributes.der())?;
        self.assemble(&attributes, &signature)
    }

    fn signing_certificate_v2(&self) -> Result<SigningCertificateV2> {
        let digest = self.digest_algorithm();
        let tbs = self.certificate.inner().tbs_certificate();
        Ok(SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                // DEFAULT id-sha256 must be omitted in DER.
                hash_algorithm: (digest != DigestAlgorithm::Sha256).then(|| digest.identifier()),
                cert_hash: OctetString::new(digest.digest(self.certificate.der()))?,
                issuer_serial: Some(IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                    serial_number: tbs.serial_number().clone(),
                }),
            }],
            policies: None,
        })
    }
}

fn insert(attrs: &mut Attributes, oid: ObjectIdentifier, value: Any) -> Result<()> {
    let mut values = SetOfVec::new();
    values.insert(value)?;
    attrs.insert(Attribute { oid, values })?;
    Ok(())
}
