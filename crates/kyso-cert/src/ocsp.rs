//! OCSP (RFC 6960): requests for a certificate's status and the verification of responses —
//! the responder's signature (the issuing CA itself, or a responder it delegated with
//! `id-kp-OCSPSigning`), the certificate identifier, freshness (thisUpdate, nextUpdate) and
//! the nonce.
//!
//! The ASN.1 types are this crate's own: RustCrypto's `x509-ocsp` is on the der 0.7
//! generation (0.2.1), kyso on der 0.8. They follow RFC 6960 §4.1.1 and §4.2.1.

use std::time::{Duration, SystemTime};

use der::asn1::{BitString, GeneralizedTime, Int, Null, ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode, Sequence, Tagged};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::Extension;

use crate::{Certificate, Error, Result};

/// `id-pkix-ocsp-basic`: the response type kyso reads.
pub const ID_PKIX_OCSP_BASIC: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// `id-pkix-ocsp-nonce`.
pub const ID_PKIX_OCSP_NONCE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");
/// `id-pkix-ocsp-nocheck`: a delegated responder's certificate need not itself be checked.
pub const ID_PKIX_OCSP_NOCHECK: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.5");
/// `id-kp-OCSPSigning`: what a delegated responder's certificate must allow.
pub const ID_KP_OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");

/// The largest OCSP response read.
pub const MAX_RESPONSE_LEN: usize = 256 * 1024;
/// The [`Error::Ocsp`] message of a response that does not speak of the certificate asked
/// about (how the revocation checker tells another certificate's evidence from bad evidence).
pub(crate) const NOT_FOR_THIS_CERTIFICATE: &str = "the response says nothing of this certificate";
/// Clock difference tolerated between kyso and a responder.
pub const CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct CertId {
    hash_algorithm: AlgorithmIdentifierOwned,
    issuer_name_hash: OctetString,
    issuer_key_hash: OctetString,
    serial_number: Int,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct Request {
    req_cert: CertId,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TbsRequest {
    request_list: Vec<Request>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    request_extensions: Option<Vec<Extension>>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct OcspRequestAsn1 {
    tbs_request: TbsRequest,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct ResponseBytes {
    response_type: ObjectIdentifier,
    response: OctetString,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct OcspResponseAsn1 {
    response_status: der::asn1::Any,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    response_bytes: Option<ResponseBytes>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct BasicOcspResponse {
    tbs_response_data: Any,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    certs: Option<Vec<x509_cert::Certificate>>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct ResponseData {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    version: Option<u8>,
    responder_id: Any,
    produced_at: GeneralizedTime,
    responses: Vec<SingleResponse>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    response_extensions: Option<Vec<Extension>>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SingleResponse {
    cert_id: CertId,
    cert_status: Any,
    this_update: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    next_update: Option<GeneralizedTime>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    single_extensions: Option<Vec<Extension>>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct RevokedInfo {
    revocation_time: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    revocation_reason: Option<Any>,
}

/// An OCSP request for one certificate.
#[derive(Clone, Debug)]
pub struct OcspRequest {
    cert_id: CertId,
    nonce: Option<Vec<u8>>,
}

impl OcspRequest {
    /// A request for `cert`, issued by `issuer`, with SHA-256 identifiers and, when given,
    /// a nonce.
    pub fn new(cert: &Certificate, issuer: &Certificate, nonce: Option<Vec<u8>>) -> Result<Self> {
        Ok(OcspRequest {
            cert_id: cert_id(cert, issuer, ID_SHA256)?,
            nonce,
        })
    }

    /// The DER `OCSPRequest`, to POST as `application/ocsp-request`.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        let request_extensions = match &self.nonce {
            Some(n) => Some(vec![Extension {
                extn_id: ID_PKIX_OCSP_NONCE,
                critical: false,
                extn_value: OctetString::new(OctetString::new(n.clone())?.to_der()?)?,
            }]),
            None => None,
        };
        Ok(OcspRequestAsn1 {
            tbs_request: TbsRequest {
                request_list: vec![Request {
                    req_cert: self.cert_id.clone(),
                }],
                request_extensions,
            },
        }
        .to_der()?)
    }
}

/// What a verified response says of the certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertStatus {
    /// Not revoked (at thisUpdate).
    Good,
    /// Revoked at `time`, with the CRL reason code if given (RFC 5280 §5.3.1).
    Revoked {
        /// When it was revoked.
        time: SystemTime,
        /// The reason code.
        reason: Option<u8>,
    },
    /// The responder does not know the certificate.
    Unknown,
}

/// A verified OCSP answer for one certificate.
#[derive(Clone, Debug)]
pub struct OcspStatus {
    /// The status.
    pub status: CertStatus,
    /// When the status was known to be correct.
    pub this_update: SystemTime,
    /// When newer information will be available, if said.
    pub next_update: Option<SystemTime>,
    /// When the response was signed.
    pub produced_at: SystemTime,
    /// Who signed it: the issuer, or the delegated responder.
    pub responder: Certificate,
    /// The delegated responder's certificate has `id-pkix-ocsp-nocheck`.
    pub responder_nocheck: bool,
}

impl OcspStatus {
    /// Whether the answer is current at `time`: thisUpdate ≤ time ≤ nextUpdate, within
    /// [`CLOCK_SKEW`].
    ///
    /// # Errors
    ///
    /// [`Error::Ocsp`] for a response from the future or one past its nextUpdate.
    pub fn check_current(&self, time: SystemTime) -> Result<()> {
        crate::revocation::check_current("response", self.this_update, self.next_update, time)
            .map_err(Error::Ocsp)
    }
}

/// Verifies a DER `OCSPResponse` for `cert` (issued by `issuer`) at `time`: the response is
/// successful and basic, signed by the issuer or by a responder certificate the issuer issued
/// with `id-kp-OCSPSigning` (valid when the response was produced), holds a SingleResponse
/// for this certificate, is fresh (thisUpdate ≤ time ≤ nextUpdate, within [`CLOCK_SKEW`]),
/// and echoes `nonce`.
///
/// # Errors
///
/// [`Error::Ocsp`] naming what fails; the signature errors of [`crate::verify_signature`].
pub fn verify_response(
    der: &[u8],
    cert: &Certificate,
    issuer: &Certificate,
    time: SystemTime,
    nonce: Option<&[u8]>,
) -> Result<OcspStatus> {
    let status = read_response(der, cert, issuer, nonce)?;
    status.check_current(time)?;
    Ok(status)
}

/// Verifies a DER `OCSPResponse` for `cert` as [`verify_response`] does, but leaves its
/// freshness to the caller: for evidence kept with a signature (a PDF's DSS), which is judged
/// against the time the signature is proven to have existed, not against now
/// ([`OcspStatus::check_current`] is the check `verify_response` makes). The delegated
/// responder's certificate must be valid at the response's producedAt.
///
/// # Errors
///
/// As [`verify_response`], freshness aside.
pub fn read_response(
    der: &[u8],
    cert: &Certificate,
    issuer: &Certificate,
    nonce: Option<&[u8]>,
) -> Result<OcspStatus> {
    let bad = |m: String| Error::Ocsp(m);
    if der.len() > MAX_RESPONSE_LEN {
        return Err(bad(format!("the response is {} bytes", der.len())));
    }
    let resp =
        OcspResponseAsn1::from_der(der).map_err(|e| bad(format!("not an OCSPResponse: {e}")))?;
    if resp.response_status.tag() != der::Tag::Enumerated {
        return Err(bad("responseStatus is not an ENUMERATED".into()));
    }
    let status = resp.response_status.value().first().copied().unwrap_or(255);
    if status != 0 {
        let what = match status {
            1 => "malformedRequest",
            2 => "internalError",
            3 => "tryLater",
            5 => "sigRequired",
            6 => "unauthorized",
            _ => "an unknown status",
        };
        return Err(bad(format!("the responder answered {what} ({status})")));
    }
    let bytes = resp
        .response_bytes
        .ok_or_else(|| bad("a successful response without responseBytes".into()))?;
    if bytes.response_type != ID_PKIX_OCSP_BASIC {
        return Err(bad(format!(
            "response type {} is not id-pkix-ocsp-basic",
            bytes.response_type
        )));
    }
    let basic = BasicOcspResponse::from_der(bytes.response.as_bytes())
        .map_err(|e| bad(format!("not a BasicOCSPResponse: {e}")))?;
    let tbs_der = basic.tbs_response_data.to_der()?;
    let data = ResponseData::from_der(&tbs_der).map_err(|e| bad(format!("ResponseData: {e}")))?;

    // First whether it speaks of this certificate at all: evidence for others is set aside
    // before any signature is checked.
    let single = data
        .responses
        .iter()
        .find(|r| {
            // Compared field by field: responders differ on NULL or absent hash parameters.
            cert_id(cert, issuer, r.cert_id.hash_algorithm.oid).is_ok_and(|id| {
                id.issuer_name_hash == r.cert_id.issuer_name_hash
                    && id.issuer_key_hash == r.cert_id.issuer_key_hash
                    && id.serial_number == r.cert_id.serial_number
            })
        })
        .ok_or_else(|| bad(NOT_FOR_THIS_CERTIFICATE.into()))?;
    // Who signed: the issuer, or a certificate in the response matching responderID.
    let certs: Vec<Certificate> = basic
        .certs
        .unwrap_or_default()
        .into_iter()
        .take(16)
        .map(Certificate::from_x509)
        .collect::<Result<_>>()?;
    let candidates = std::iter::once(issuer.clone()).chain(certs);
    let responder = candidates
        .into_iter()
        .find(|c| responder_matches(&data.responder_id, c))
        .ok_or_else(|| bad("no certificate matches the responderID".into()))?;
    crate::verify_signature(
        &responder,
        &basic.signature_algorithm,
        &tbs_der,
        basic.signature.raw_bytes(),
    )
    .map_err(|e| bad(format!("the response's signature does not verify: {e}")))?;
    let mut nocheck = false;
    if responder.der() != issuer.der() {
        // A delegated responder (RFC 6960 §4.2.2.2): issued by the CA, for OCSP signing.
        let tbs = responder.tbs_der()?;
        crate::verify_signature(
            issuer,
            responder.inner().signature_algorithm(),
            tbs,
            responder.inner().signature().raw_bytes(),
        )
        .map_err(|_| {
            bad("the responder's certificate was not issued by the certificate's issuer".into())
        })?;
        if !responder
            .extended_key_usage()?
            .contains(&ID_KP_OCSP_SIGNING)
        {
            return Err(bad(format!(
                "{} signed the response but is not authorised for OCSP signing",
                responder.subject().display()
            )));
        }
        if !responder.is_valid_at(data.produced_at.to_system_time()) {
            return Err(bad(
                "the responder's certificate was not valid when the response was produced".into(),
            ));
        }
        nocheck = responder.has_ocsp_nocheck();
    }

    if let Some(n) = nonce {
        let echoed = data
            .response_extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id == ID_PKIX_OCSP_NONCE)
            .and_then(|e| OctetString::from_der(e.extn_value.as_bytes()).ok());
        if echoed.as_ref().map(OctetString::as_bytes) != Some(n) {
            return Err(bad("the response does not echo the request's nonce".into()));
        }
    }

    let this_update = single.this_update.to_system_time();
    let next_update = single.next_update.map(|t| t.to_system_time());
    let status = match single.cert_status.tag() {
        der::Tag::ContextSpecific {
            constructed: false,
            number: der::TagNumber(0),
        } => CertStatus::Good,
        der::Tag::ContextSpecific {
            constructed: true,
            number: der::TagNumber(1),
        } => {
            let mut seq = vec![0x30];
            der::Length::try_from(single.cert_status.value().len())?.encode_to_vec(&mut seq)?;
            seq.extend_from_slice(single.cert_status.value());
            let info = RevokedInfo::from_der(&seq).map_err(|e| bad(format!("RevokedInfo: {e}")))?;
            CertStatus::Revoked {
                time: info.revocation_time.to_system_time(),
                reason: info
                    .revocation_reason
                    .as_ref()
                    .and_then(|r| r.value().first().copied()),
            }
        }
        _ => CertStatus::Unknown,
    };
    Ok(OcspStatus {
        status,
        this_update,
        next_update,
        produced_at: data.produced_at.to_system_time(),
        responder,
        responder_nocheck: nocheck,
    })
}

/// The certificates an OCSP response carries (a delegated responder's, usually), unverified;
/// empty for what is not a basic response.
pub fn response_certificates(der: &[u8]) -> Vec<Certificate> {
    let Ok(resp) = OcspResponseAsn1::from_der(der) else {
        return Vec::new();
    };
    let Some(bytes) = resp.response_bytes else {
        return Vec::new();
    };
    BasicOcspResponse::from_der(bytes.response.as_bytes())
        .ok()
        .and_then(|b| b.certs)
        .unwrap_or_default()
        .into_iter()
        .take(16)
        .filter_map(|c| Certificate::from_x509(c).ok())
        .collect()
}

fn responder_matches(id: &Any, cert: &Certificate) -> bool {
    let tag = id.tag();
    if tag
        == (der::Tag::ContextSpecific {
            constructed: true,
            number: der::TagNumber(1),
        })
    {
        // byName [1] EXPLICIT Name
        return cert
            .inner()
            .tbs_certificate()
            .subject()
            .to_der()
            .is_ok_and(|n| n == id.value());
    }
    if tag
        == (der::Tag::ContextSpecific {
            constructed: true,
            number: der::TagNumber(2),
        })
    {
        // byKey [2] EXPLICIT KeyHash (SHA-1 of the subjectPublicKey bits)
        let key = cert
            .inner()
            .tbs_certificate()
            .subject_public_key_info()
            .subject_public_key
            .raw_bytes();
        return OctetString::from_der(id.value()).is_ok_and(|h| h.as_bytes() == sha1(key));
    }
    false
}

fn sha1(data: &[u8]) -> Vec<u8> {
    use sha1::Digest;
    sha1::Sha1::digest(data).to_vec()
}

/// The CertID of `cert` under `issuer` with hash `algorithm` (SHA-1 or SHA-256).
fn cert_id(
    cert: &Certificate,
    issuer: &Certificate,
    algorithm: ObjectIdentifier,
) -> Result<CertId> {
    let hash = |d: &[u8]| -> Result<Vec<u8>> {
        match algorithm {
            ID_SHA256 => {
                use sha2::Digest;
                Ok(sha2::Sha256::digest(d).to_vec())
            }
            ID_SHA1 => Ok(sha1(d)),
            other => Err(Error::Ocsp(format!("CertID hash {other} is not supported"))),
        }
    };
    let name = issuer.inner().tbs_certificate().subject().to_der()?;
    let key = issuer
        .inner()
        .tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .raw_bytes();
    Ok(CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: algorithm,
            parameters: Some(Any::from(Null)),
        },
        issuer_name_hash: OctetString::new(hash(&name)?)?,
        issuer_key_hash: OctetString::new(hash(key)?)?,
        serial_number: Int::new(cert.inner().tbs_certificate().serial_number().as_bytes())?,
    })
}
