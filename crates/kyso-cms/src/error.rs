//! The error type of kyso-cms.

use crate::DigestAlgorithm;

/// What can go wrong when building or verifying a CMS signature.
///
/// Verification errors come in three kinds a caller can act on: the bytes are not a CMS
/// signature kyso can read ([`Error::Der`], [`Error::Malformed`], [`Error::TooLarge`],
/// [`Error::NotSignedData`], [`Error::SignerCount`], …), kyso reads it but does not
/// support or allow what it uses ([`Error::UnsupportedAlgorithm`], [`Error::Sha1NotAllowed`]),
/// or it is a readable signature that does not hold ([`Error::DigestMismatch`],
/// [`Error::BadSignature`], [`Error::SigningCertificateMismatch`], …).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not valid DER for the structure expected.
    #[error("malformed CMS: {0}")]
    Der(#[from] der::Error),
    /// An algorithm kyso does not implement.
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// The signer failed to produce a signature.
    #[error("signer failed: {0}")]
    Signer(#[from] crate::SignerError),
    /// A certificate could not be read.
    #[error(transparent)]
    Certificate(#[from] kyso_cert::Error),
    /// The content digest given has the wrong length for the algorithm.
    #[error("digest is {actual} bytes, {algorithm} needs {expected}")]
    DigestLength {
        /// The algorithm the digest was meant for.
        algorithm: DigestAlgorithm,
        /// Its output length.
        expected: usize,
        /// The length supplied.
        actual: usize,
    },

    // --- verification: the structure ---
    /// The input is larger than the verifier reads ([`crate::verify::MAX_CMS_LEN`]).
    #[error("CMS input is {len} bytes, more than the {max} bytes kyso reads")]
    TooLarge {
        /// Input length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A part of the structure is not what RFC 5652 says it is.
    #[error("malformed CMS at byte {offset}: {what}: {reason}")]
    Malformed {
        /// The ASN.1 element being read, e.g. `SignerInfo.signature`.
        what: &'static str,
        /// Byte offset of the element in the input.
        offset: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// The `ContentInfo` holds something other than `id-signedData`.
    #[error(
        "ContentInfo holds content type {content_type}, not id-signedData (1.2.840.113549.1.7.2)"
    )]
    NotSignedData {
        /// The content type found (dotted OID).
        content_type: String,
    },
    /// The `SignedData` does not hold exactly one `SignerInfo`.
    #[error("expected exactly one SignerInfo, found {count}")]
    SignerCount {
        /// How many `SignerInfo`s there are.
        count: usize,
    },
    /// More embedded certificates than [`crate::verify::MAX_CERTIFICATES`].
    #[error("the SignedData embeds {count} certificates, more than the {max} kyso reads")]
    TooManyCertificates {
        /// How many were found before giving up.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// More attributes in one set than [`crate::verify::MAX_ATTRIBUTES`].
    #[error("a SignerInfo attribute set holds more than {max} attributes")]
    TooManyAttributes {
        /// The limit.
        max: usize,
    },
    /// None of the embedded certificates matches the `SignerIdentifier`.
    #[error(
        "the signer's certificate ({signer}) is not among the {embedded} embedded certificates{}",
        if *unreadable > 0 { format!(" ({unreadable} more could not be read)") } else { String::new() }
    )]
    SignerCertificateNotFound {
        /// The signer identifier, readable (issuer and serial, or key identifier).
        signer: String,
        /// How many embedded certificates were read.
        embedded: usize,
        /// How many embedded certificates could not be read (see
        /// `verify::Warning::UnreadableCertificate`): the signer's may be among them.
        unreadable: usize,
    },

    // --- verification: policy ---
    /// A SHA-1 digest or signature, refused unless `VerifyOptions::allow_sha1` is set.
    #[error(
        "{what} uses SHA-1, which is no longer collision-resistant; refused (set VerifyOptions::allow_sha1 to accept old signatures)"
    )]
    Sha1NotAllowed {
        /// Where SHA-1 is used: `digest algorithm`, `signature algorithm`.
        what: &'static str,
    },

    // --- verification: the signed attributes ---
    /// A signed attribute RFC 5652 requires is absent.
    #[error("signed attribute {name} is missing")]
    MissingAttribute {
        /// The attribute, e.g. `message-digest`.
        name: &'static str,
    },
    /// A signed attribute is present but does not have the form its RFC gives it.
    #[error("signed attribute {name} is malformed: {reason}")]
    MalformedAttribute {
        /// The attribute, e.g. `message-digest`.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The content-type attribute differs from `eContentType` ([RFC 5652 §11.1]).
    ///
    /// [RFC 5652 §11.1]: https://www.rfc-editor.org/rfc/rfc5652#section-11.1
    #[error("content-type attribute is {attribute} but eContentType is {econtent_type}")]
    ContentTypeMismatch {
        /// The attribute's value (dotted OID).
        attribute: String,
        /// `eContentType` (dotted OID).
        econtent_type: String,
    },
    /// The CMS algorithm protection attribute ([RFC 6211]) names other algorithms than the
    /// `SignerInfo` uses: an algorithm substitution.
    ///
    /// [RFC 6211]: https://www.rfc-editor.org/rfc/rfc6211
    #[error("CMSAlgorithmProtection {field} is {protected}, but the SignerInfo uses {used}")]
    AlgorithmProtectionMismatch {
        /// `digestAlgorithm` or `signatureAlgorithm`.
        field: &'static str,
        /// What the attribute says (dotted OID).
        protected: String,
        /// What the `SignerInfo` says (dotted OID).
        used: String,
    },

    // --- verification: the result ---
    /// The message-digest attribute is not the digest of the content: the content was
    /// changed after signing, or the wrong bytes were hashed.
    #[error("content digest ({algorithm}) does not match the signed message-digest attribute")]
    DigestMismatch {
        /// The digest algorithm.
        algorithm: DigestAlgorithm,
    },
    /// The signature value does not verify with the signer's public key over the signed
    /// attributes (or, without them, over the content digest).
    #[error("the signature does not verify with the signer's key: {reason}")]
    BadSignature {
        /// What the verifier reported.
        reason: String,
    },
    /// The ESS signing-certificate(-v2) attribute ([RFC 5035], [RFC 2634 §5.4]) names another
    /// certificate than the one the signature was verified with: a certificate substitution.
    ///
    /// [RFC 5035]: https://www.rfc-editor.org/rfc/rfc5035
    /// [RFC 2634 §5.4]: https://www.rfc-editor.org/rfc/rfc2634#section-5.4
    #[error("{attribute} does not match the signer's certificate: {reason}")]
    SigningCertificateMismatch {
        /// `signing-certificate-v2` or `signing-certificate`.
        attribute: &'static str,
        /// What differs.
        reason: String,
    },

    // --- time-stamps (RFC 3161) ---
    /// The TSA could not be asked.
    #[error("cannot reach the time-stamping authority {tsa}: {reason}")]
    TimestampTransport {
        /// The TSA's name (URL).
        tsa: String,
        /// What went wrong.
        reason: String,
    },
    /// The TSA did not grant a time-stamp.
    #[error("the time-stamping authority refused: status {status}{}{}", if text.is_empty() { String::new() } else { format!(", \"{text}\"") }, if fail_info.is_empty() { String::new() } else { format!(", failInfo {fail_info}") })]
    TimestampRefused {
        /// PKIStatus (2 rejection, 3 waiting, …).
        status: u32,
        /// The TSA's status text.
        text: String,
        /// PKIFailureInfo bits, hex.
        fail_info: String,
    },
    /// The token does not time-stamp what it was asked to.
    #[error("the time-stamp token's {what} does not match: {detail}")]
    TimestampMismatch {
        /// What differs: "message imprint", "nonce".
        what: &'static str,
        /// The two values.
        detail: String,
    },
    /// The token's signer is not a time-stamping authority (RFC 3161 §2.3).
    #[error(
        "{subject} is not a time-stamping certificate: its extended key usage must be id-kp-timeStamping only, and critical"
    )]
    NotTsaCertificate {
        /// The certificate's subject.
        subject: String,
    },
}
