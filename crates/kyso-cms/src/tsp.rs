//! RFC 3161 time-stamp protocol: requests, responses and the verification of time-stamp
//! tokens (a `SignedData` whose content is a `TSTInfo`).
//!
//! The ASN.1 types are this crate's own: RustCrypto's `x509-tsp` exists only for the der 0.7
//! generation (0.1.0), and kyso is built on der 0.8 (`cms` 0.3, `x509-cert` 0.3). They are
//! small and follow RFC 3161 §2.4 field for field.
//!
//! ```no_run
//! # fn main() -> kyso_cms::Result<()> {
//! use kyso_cms::DigestAlgorithm;
//! use kyso_cms::tsp::{TimeStampRequest, TimeStampResponse};
//! let data = b"the bytes to time-stamp";
//! let request = TimeStampRequest::for_data(DigestAlgorithm::Sha256, data).with_nonce(42);
//! let der = request.to_der()?; // POST as application/timestamp-query
//! # let answer: Vec<u8> = vec![];
//! let response = TimeStampResponse::from_der(&answer)?; // application/timestamp-reply
//! let token = response.into_token()?;
//! let info = token.verify_for(&request)?;
//! println!("time-stamped at {:?} by {}", info.gen_time, info.tsa.subject().display());
//! # Ok(()) }
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use der::asn1::{BitString, Int, ObjectIdentifier, OctetString, Utf8StringRef};
use der::{Any, Decode, Encode, Sequence, Tagged};
use kyso_cert::Certificate;
use spki::AlgorithmIdentifierOwned;

use crate::verify::algorithm::resolve_digest;
use crate::verify::{SignedDataInfo, VerifyOptions};
use crate::{DigestAlgorithm, Error, Result};

/// `id-ct-TSTInfo` (RFC 3161 §2.4.2): the content type of a time-stamp token.
pub const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// `id-kp-timeStamping` (RFC 3161 §2.3): the extended key usage a TSA certificate must have,
/// alone and critical.
pub const ID_KP_TIME_STAMPING: ObjectIdentifier = kyso_cert::path::ID_KP_TIME_STAMPING;
/// `id-ce-extKeyUsage`.
const ID_CE_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");

/// The largest time-stamp response read.
pub const MAX_RESPONSE_LEN: usize = 256 * 1024;

/// `MessageImprint` (RFC 3161 §2.4.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

/// `TimeStampReq` (RFC 3161 §2.4.1), without extensions.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TimeStampReq {
    version: u8,
    message_imprint: MessageImprint,
    #[asn1(optional = "true")]
    req_policy: Option<ObjectIdentifier>,
    #[asn1(optional = "true")]
    nonce: Option<Int>,
    #[asn1(default = "bool::default")]
    cert_req: bool,
}

/// `PKIStatusInfo` (RFC 3161 §2.4.2).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct PkiStatusInfo {
    status: u32,
    #[asn1(optional = "true")]
    status_string: Option<Vec<Any>>,
    #[asn1(optional = "true")]
    fail_info: Option<BitString>,
}

/// `TimeStampResp` (RFC 3161 §2.4.2); the token is kept as DER.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TimeStampResp {
    status: PkiStatusInfo,
    #[asn1(optional = "true")]
    time_stamp_token: Option<Any>,
}

/// `Accuracy` (RFC 3161 §2.4.2).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct AccuracyAsn1 {
    #[asn1(optional = "true")]
    seconds: Option<u32>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    millis: Option<u32>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    micros: Option<u32>,
}

/// `TSTInfo` (RFC 3161 §2.4.2). genTime is read by hand: TSAs write fractions of a second,
/// which der's `GeneralizedTime` refuses.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TstInfo {
    version: u8,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Int,
    gen_time: Any,
    #[asn1(optional = "true")]
    accuracy: Option<AccuracyAsn1>,
    #[asn1(default = "bool::default")]
    ordering: bool,
    #[asn1(optional = "true")]
    nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<Any>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    extensions: Option<Vec<x509_cert::ext::Extension>>,
}

/// A time-stamping authority: something that answers RFC 3161 requests — an HTTP TSA
/// (kyso-token's `HttpTimestampAuthority`), a TSA in the same process, a test double.
pub trait TimestampAuthority: Send + Sync {
    /// A name for messages (the TSA's URL).
    fn name(&self) -> String;

    /// Sends the DER `TimeStampReq` and returns the DER `TimeStampResp`; `Err` with a message
    /// when the TSA cannot be reached or answers with an HTTP error.
    fn respond(&self, request_der: &[u8]) -> std::result::Result<Vec<u8>, String>;
}

impl std::fmt::Debug for dyn TimestampAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TimestampAuthority({})", self.name())
    }
}

/// Time-stamps `digest` (made with `algorithm`) at `tsa`: a request with a random nonce, the
/// response checked, the token verified for the request.
///
/// # Errors
///
/// [`Error::TimestampTransport`] when the TSA cannot be reached; [`Error::TimestampRefused`]
/// when it refuses; the token's verification errors.
pub fn timestamp_digest(
    tsa: &dyn TimestampAuthority,
    algorithm: DigestAlgorithm,
    digest: Vec<u8>,
) -> Result<(TimeStampToken, TimestampInfo)> {
    let request = TimeStampRequest::for_digest(algorithm, digest).with_random_nonce()?;
    let answer = ask(tsa, &request)?;
    Ok((answer.token, answer.info))
}

/// A TSA's answer to a request, checked: the response as it came, its token, what it says.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The DER `TimeStampResp` (what a `.tsr` file holds).
    pub response: Vec<u8>,
    /// Its token.
    pub token: TimeStampToken,
    /// The token, verified for the request.
    pub info: TimestampInfo,
}

/// Sends `request` to `tsa` and checks the answer (granted, the token verified for the
/// request).
///
/// # Errors
///
/// As [`timestamp_digest`].
pub fn ask(tsa: &dyn TimestampAuthority, request: &TimeStampRequest) -> Result<Answer> {
    let response = tsa
        .respond(&request.to_der()?)
        .map_err(|reason| Error::TimestampTransport {
            tsa: tsa.name(),
            reason,
        })?;
    let token = TimeStampResponse::from_der(&response)?.into_token()?;
    let info = token.verify_for(request)?;
    Ok(Answer {
        response,
        token,
        info,
    })
}

/// A time-stamp request: the hash of the data, a nonce, and whether the TSA should put its
/// certificate in the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeStampRequest {
    algorithm: DigestAlgorithm,
    imprint: Vec<u8>,
    nonce: Option<u64>,
    policy: Option<ObjectIdentifier>,
    cert_req: bool,
}

impl TimeStampRequest {
    /// A request for `data`, hashed with `algorithm`; asks for the TSA's certificate.
    pub fn for_data(algorithm: DigestAlgorithm, data: &[u8]) -> Self {
        Self::for_digest(algorithm, algorithm.digest(data))
    }

    /// A request for a digest already computed with `algorithm`.
    pub fn for_digest(algorithm: DigestAlgorithm, digest: Vec<u8>) -> Self {
        TimeStampRequest {
            algorithm,
            imprint: digest,
            nonce: None,
            policy: None,
            cert_req: true,
        }
    }

    /// With a nonce (RFC 3161 §2.4.1: binds the response to this request).
    pub fn with_nonce(mut self, nonce: u64) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// With a random 64-bit nonce from the operating system's generator.
    pub fn with_random_nonce(self) -> Result<Self> {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::UnsupportedAlgorithm(format!("no random nonce: {e}")))?;
        Ok(self.with_nonce(u64::from_be_bytes(bytes)))
    }

    /// Asking for a TSA policy.
    pub fn with_policy(mut self, policy: ObjectIdentifier) -> Self {
        self.policy = Some(policy);
        self
    }

    /// The message imprint's digest.
    pub fn digest(&self) -> &[u8] {
        &self.imprint
    }

    /// The DER `TimeStampReq`, to POST as `application/timestamp-query`.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        let req = TimeStampReq {
            version: 1,
            message_imprint: MessageImprint {
                hash_algorithm: self.algorithm.identifier(),
                hashed_message: OctetString::new(self.imprint.clone())?,
            },
            req_policy: self.policy,
            nonce: self.nonce.map(int_of).transpose()?,
            cert_req: self.cert_req,
        };
        Ok(req.to_der()?)
    }
}

/// A TSA's answer to a request.
#[derive(Clone, Debug)]
pub struct TimeStampResponse {
    status: u32,
    text: Vec<String>,
    fail_info: Option<Vec<u8>>,
    token: Option<Vec<u8>>,
}

impl TimeStampResponse {
    /// Reads a DER `TimeStampResp` (`application/timestamp-reply`).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        if der.len() > MAX_RESPONSE_LEN {
            return Err(Error::TooLarge {
                len: der.len(),
                max: MAX_RESPONSE_LEN,
            });
        }
        let resp = TimeStampResp::from_der(der).map_err(|e| malformed("TimeStampResp", e))?;
        let text = resp
            .status
            .status_string
            .unwrap_or_default()
            .iter()
            .filter_map(|a| {
                a.decode_as::<Utf8StringRef<'_>>()
                    .ok()
                    .map(|s| s.to_string())
            })
            .collect();
        Ok(TimeStampResponse {
            status: resp.status.status,
            text,
            fail_info: resp.status.fail_info.map(|b| b.raw_bytes().to_vec()),
            token: resp.time_stamp_token.map(|t| t.to_der()).transpose()?,
        })
    }

    /// PKIStatus: 0 granted, 1 granted with modifications, 2 rejection, 3 waiting,
    /// 4 revocation warning, 5 revocation notification.
    pub fn status(&self) -> u32 {
        self.status
    }

    /// The token of a granted response.
    ///
    /// # Errors
    ///
    /// [`Error::TimestampRefused`] with the TSA's status, text and failure bits when it did
    /// not grant one.
    pub fn into_token(self) -> Result<TimeStampToken> {
        match (self.status, self.token) {
            (0 | 1, Some(der)) => TimeStampToken::from_der(&der),
            (status, _) => Err(Error::TimestampRefused {
                status,
                text: self.text.join("; "),
                fail_info: self.fail_info.map(hex::encode).unwrap_or_default(),
            }),
        }
    }
}

/// A time-stamp token: a CMS `SignedData` over a `TSTInfo` (RFC 3161 §2.4.2).
#[derive(Clone, Debug)]
pub struct TimeStampToken {
    der: Vec<u8>,
}

/// What a verified token says.
#[derive(Clone, Debug)]
pub struct TimestampInfo {
    /// When the TSA says the data existed (genTime).
    pub gen_time: SystemTime,
    /// The accuracy of `gen_time`, if the TSA states one.
    pub accuracy: Option<Duration>,
    /// The TSA's policy.
    pub policy: ObjectIdentifier,
    /// The token's serial number, big-endian.
    pub serial: Vec<u8>,
    /// The nonce, if the token carries one.
    pub nonce: Option<u64>,
    /// The digest algorithm of the message imprint.
    pub imprint_algorithm: DigestAlgorithm,
    /// The TSA's certificate (the token's signer).
    pub tsa: Certificate,
    /// The certificates the token carries (for the TSA's path).
    pub certificates: Vec<Certificate>,
}

impl TimeStampToken {
    /// A token from its DER (a `ContentInfo`).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        Ok(TimeStampToken { der: der.to_vec() })
    }

    /// The DER of the token, as it goes into a signature-time-stamp attribute or a PDF.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The digest algorithm of the token's message imprint (what the data must be hashed
    /// with), read before anything is verified.
    pub fn imprint_algorithm(&self) -> Result<DigestAlgorithm> {
        let (tst, _, _) = self.open()?;
        resolve_digest(&tst.message_imprint.hash_algorithm)
    }

    /// Verifies the token for the request it answers: imprint and nonce as asked.
    pub fn verify_for(&self, request: &TimeStampRequest) -> Result<TimestampInfo> {
        let info = self.verify_imprint(request.algorithm, &request.imprint)?;
        if request.nonce.is_some() && info.nonce != request.nonce {
            return Err(Error::TimestampMismatch {
                what: "nonce",
                detail: format!("asked {:?}, got {:?}", request.nonce, info.nonce),
            });
        }
        Ok(info)
    }

    /// Verifies that the token time-stamps `data` (hashed with the token's own imprint
    /// algorithm): the TSA's signature over the `TSTInfo`, the ESS binding of its certificate,
    /// the certificate's critical, sole `id-kp-timeStamping` usage, and the imprint.
    /// Trust in the TSA (its path) is the caller's, with kyso-cert.
    pub fn verify_data(&self, data: &[u8]) -> Result<TimestampInfo> {
        let (tst, _, _) = self.open()?;
        let algorithm = resolve_digest(&tst.message_imprint.hash_algorithm)?;
        self.verify_imprint(algorithm, &algorithm.digest(data))
    }

    /// Verifies the token for an imprint `digest` made with `algorithm`.
    pub fn verify_imprint(
        &self,
        algorithm: DigestAlgorithm,
        digest: &[u8],
    ) -> Result<TimestampInfo> {
        let (info, hashed) = self.verify_token_imprint()?;
        if info.imprint_algorithm != algorithm || hashed != digest {
            return Err(Error::TimestampMismatch {
                what: "message imprint",
                detail: format!(
                    "the token time-stamps {} {}, not {} {}",
                    info.imprint_algorithm.id(),
                    hex::encode(&hashed),
                    algorithm.id(),
                    hex::encode(digest)
                ),
            });
        }
        Ok(info)
    }

    /// Verifies the token itself — the TSA's signature over the TSTInfo and its certificate's
    /// timeStamping purpose — but not what it time-stamps: for a caller that only needs the
    /// TSA and genTime of a token already judged elsewhere (extending a signed PDF, say).
    pub fn verify_token(&self) -> Result<TimestampInfo> {
        self.verify_token_imprint().map(|(info, _)| info)
    }

    fn verify_token_imprint(&self) -> Result<(TimestampInfo, Vec<u8>)> {
        let (tst, signed, content) = self.open()?;
        let verified = signed.verify_content(&content)?;
        check_tsa_certificate(&verified.signer)?;
        let token_algorithm = resolve_digest(&tst.message_imprint.hash_algorithm)?;
        let accuracy = tst.accuracy.as_ref().map(|a| {
            Duration::from_secs(u64::from(a.seconds.unwrap_or(0)))
                + Duration::from_millis(u64::from(a.millis.unwrap_or(0)))
                + Duration::from_micros(u64::from(a.micros.unwrap_or(0)))
        });
        let info = TimestampInfo {
            gen_time: generalized_time(&tst.gen_time)?,
            accuracy,
            policy: tst.policy,
            serial: tst.serial_number.as_bytes().to_vec(),
            nonce: tst.nonce.as_ref().and_then(u64_of),
            imprint_algorithm: token_algorithm,
            tsa: verified.signer.clone(),
            certificates: signed.certificates().to_vec(),
        };
        Ok((info, tst.message_imprint.hashed_message.as_bytes().to_vec()))
    }

    fn open(&self) -> Result<(TstInfo, SignedDataInfo, Vec<u8>)> {
        let signed = SignedDataInfo::parse_with(&self.der, VerifyOptions::new())?;
        if signed.econtent_type() != ID_CT_TST_INFO {
            return Err(Error::Malformed {
                what: "time-stamp token",
                offset: 0,
                reason: format!(
                    "its content type is {}, not id-ct-TSTInfo",
                    signed.econtent_type()
                ),
            });
        }
        let content = signed
            .encapsulated_content()
            .ok_or_else(|| Error::Malformed {
                what: "time-stamp token",
                offset: 0,
                reason: "it has no TSTInfo".into(),
            })?
            .to_vec();
        let tst = TstInfo::from_der(&content).map_err(|e| malformed("TSTInfo", e))?;
        if tst.version != 1 {
            return Err(Error::Malformed {
                what: "TSTInfo",
                offset: 0,
                reason: format!("version {}, not 1", tst.version),
            });
        }
        Ok((tst, signed, content))
    }
}

/// RFC 3161 §2.3: the TSA certificate's extended key usage is `id-kp-timeStamping` only, and
/// critical.
fn check_tsa_certificate(cert: &Certificate) -> Result<()> {
    let ext = cert
        .inner()
        .tbs_certificate()
        .extensions()
        .and_then(|exts| exts.iter().find(|e| e.extn_id == ID_CE_EXT_KEY_USAGE));
    let usages = cert.extended_key_usage()?;
    match ext {
        Some(e) if e.critical && usages == [ID_KP_TIME_STAMPING] => Ok(()),
        _ => Err(Error::NotTsaCertificate {
            subject: cert.subject().display(),
        }),
    }
}

fn malformed(what: &'static str, e: der::Error) -> Error {
    Error::Malformed {
        what,
        offset: e
            .position()
            .map(|p| usize::try_from(p).unwrap_or(0))
            .unwrap_or(0),
        reason: e.to_string(),
    }
}

fn int_of(v: u64) -> Result<Int> {
    let bytes = v.to_be_bytes();
    // A positive INTEGER: a leading zero when the top bit is set, none otherwise.
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(7);
    let mut content = Vec::with_capacity(9);
    if bytes[start] & 0x80 != 0 {
        content.push(0);
    }
    content.extend_from_slice(&bytes[start..]);
    Ok(Int::new(&content)?)
}

fn u64_of(i: &Int) -> Option<u64> {
    let b = i.as_bytes();
    let b = b.strip_prefix(&[0]).unwrap_or(b);
    (b.len() <= 8).then(|| b.iter().fold(0u64, |a, x| (a << 8) | u64::from(*x)))
}

/// A GeneralizedTime `YYYYMMDDHHMMSS[.f*]Z` (RFC 3161 §2.4.2 allows fractions).
fn generalized_time(any: &Any) -> Result<SystemTime> {
    let bad = |why: &str| Error::Malformed {
        what: "TSTInfo.genTime",
        offset: 0,
        reason: why.to_string(),
    };
    if any.tag() != der::Tag::GeneralizedTime {
        return Err(bad("not a GeneralizedTime"));
    }
    let s = std::str::from_utf8(any.value()).map_err(|_| bad("not ASCII"))?;
    let s = s
        .strip_suffix('Z')
        .ok_or_else(|| bad("not in UTC (no Z)"))?;
    let (whole, fraction) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if whole.len() != 14
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 9
    {
        return Err(bad("not YYYYMMDDHHMMSS[.fff]Z"));
    }
    let n = |r: std::ops::Range<usize>| whole[r].parse::<u32>().unwrap_or(0);
    let dt = der::DateTime::new(
        n(0..4) as u16,
        n(4..6) as u8,
        n(6..8) as u8,
        n(8..10) as u8,
        n(10..12) as u8,
        n(12..14) as u8,
    )
    .map_err(|e| bad(&e.to_string()))?;
    let nanos = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}").parse::<u32>().unwrap_or(0)
    };
    Ok(UNIX_EPOCH + dt.unix_duration() + Duration::from_nanos(u64::from(nanos)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_is_der_with_nonce_and_cert_req() {
        let der = TimeStampRequest::for_data(DigestAlgorithm::Sha256, b"abc")
            .with_nonce(0x80)
            .to_der()
            .unwrap();
        let back = TimeStampReq::from_der(&der).unwrap();
        assert_eq!(back.version, 1);
        assert!(back.cert_req);
        assert_eq!(back.nonce.as_ref().and_then(u64_of), Some(0x80));
        assert_eq!(
            back.message_imprint.hashed_message.as_bytes(),
            DigestAlgorithm::Sha256.digest(b"abc")
        );
    }

    #[test]
    fn gen_time_with_fractions_and_without() {
        let t = |s: &str| {
            let any = Any::new(der::Tag::GeneralizedTime, s.as_bytes()).unwrap();
            generalized_time(&any)
        };
        let whole = t("20261201031509Z").unwrap();
        assert_eq!(
            whole.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_796_094_909
        );
        let frac = t("20261201031509.25Z").unwrap();
        assert_eq!(
            frac.duration_since(whole).unwrap(),
            Duration::from_millis(250)
        );
        assert!(t("20261201031509").is_err());
        assert!(t("2026120103150Z").is_err());
    }
}
