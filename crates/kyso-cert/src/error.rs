//! The error type of kyso-cert.
//!
//! One enum for the whole crate, as every kyso crate has: reading a certificate, verifying a
//! signature ([`verify_signature`](crate::verify_signature)) and validating a certification
//! path ([`validate_path`](crate::validate_path)) all fail with [`Error`]. Path validation
//! failures have one variant per reason a caller can act on (expired, missing issuer, bad
//! signature, …), each naming the certificate concerned by its subject (RFC 4514 text, as
//! [`Identity`](crate::Identity) displays it).
//!
//! For a signature report in the spirit of ETSI EN 319 102-1: [`Error::MissingIssuer`] and
//! [`Error::BudgetExceeded`] mean no path could be found (INDETERMINATE,
//! NO_CERTIFICATE_CHAIN_FOUND); [`Error::Expired`] and [`Error::NotYetValid`] are
//! INDETERMINATE (OUT_OF_BOUNDS…) until proof of existence at an earlier time is given;
//! the other path variants are constraint failures the caller maps as its policy says.

use std::time::SystemTime;

use const_oid::ObjectIdentifier;

use crate::KeyUsage;

/// What can go wrong when reading or checking a certificate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not a DER-encoded X.509 certificate.
    #[error("not a valid X.509 certificate: {0}")]
    Der(#[from] der::Error),
    /// PEM input had no `CERTIFICATE` block.
    #[error("no PEM CERTIFICATE block found")]
    NoPemCertificate,
    /// PEM armour was present but broken.
    #[error("malformed PEM: {0}")]
    Pem(String),
    /// An extension is present but its `extnValue` does not decode as the type RFC 5280
    /// gives it.
    #[error("malformed {name} extension ({oid}): {source}")]
    MalformedExtension {
        /// Readable name of the extension, e.g. `keyUsage`.
        name: &'static str,
        /// Its `extnID`.
        oid: ObjectIdentifier,
        /// The decoding error.
        source: der::Error,
    },
    /// The same extension appears more than once, which [RFC 5280 §4.2] forbids
    /// ("A certificate MUST NOT include more than one instance of a particular extension").
    ///
    /// [RFC 5280 §4.2]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2
    #[error("the {name} extension ({oid}) appears more than once")]
    DuplicateExtension {
        /// Readable name of the extension, e.g. `keyUsage`.
        name: &'static str,
        /// Its `extnID`.
        oid: ObjectIdentifier,
    },

    /// Reading a file failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A certificate file (or folder) of a [`TrustStore`](crate::TrustStore) could not be
    /// read or held no certificate.
    #[error("{}: {source}", path.display())]
    CertificateFile {
        /// The file or folder.
        path: std::path::PathBuf,
        /// What went wrong.
        source: Box<Error>,
    },

    /// The signature algorithm, or its parameters, are not supported (see the table in
    /// [`signature`](crate::verify_signature)).
    #[error("unsupported signature algorithm {oid}: {reason}")]
    UnsupportedAlgorithm {
        /// The `AlgorithmIdentifier`'s OID.
        oid: ObjectIdentifier,
        /// What is not supported.
        reason: &'static str,
    },
    /// A digest or signature-scheme name that kyso does not know (see
    /// [`algorithm`](crate::algorithm) for the names).
    #[error("unknown {kind} name {name:?}")]
    UnknownAlgorithmName {
        /// `digest` or `signature scheme`.
        kind: &'static str,
        /// The name given.
        name: String,
    },

    /// Bytes offered as an ECDSA signature are neither DER nor raw `r || s`.
    #[error("not an ECDSA {curve} signature: {reason}")]
    InvalidSignatureEncoding {
        /// The curve's name.
        curve: &'static str,
        /// What is wrong.
        reason: &'static str,
    },

    /// A crypto provider could not be chosen (see [`crypto`](crate::crypto)).
    #[error("{0}")]
    CryptoProvider(String),

    /// A SHA-1 based signature algorithm, and the caller did not allow SHA-1.
    #[error("SHA-1 signature algorithm {oid} is not allowed")]
    Sha1NotAllowed {
        /// The algorithm's OID.
        oid: ObjectIdentifier,
    },
    /// The public key is not of the type the signature algorithm needs.
    #[error("a {key} key cannot verify a {algorithm} signature")]
    KeyMismatch {
        /// The SubjectPublicKeyInfo algorithm OID.
        key: ObjectIdentifier,
        /// The signature algorithm OID.
        algorithm: ObjectIdentifier,
    },
    /// The public key does not decode or is outside supported sizes.
    #[error("invalid public key: {reason}")]
    InvalidPublicKey {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The signature does not verify with the key.
    #[error("the signature does not verify with the public key")]
    SignatureMismatch,

    /// No issuer for `subject` was found among the supplied certificates, the intermediate
    /// pool and the trust anchors ([RFC 5280 §6.1], path construction is a prerequisite).
    /// For a signature verdict: INDETERMINATE (no certificate chain found).
    ///
    /// [RFC 5280 §6.1]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1
    #[error("no issuer certificate found for {subject} (issuer {issuer})")]
    MissingIssuer {
        /// The certificate whose issuer is missing.
        subject: String,
        /// Its issuer name.
        issuer: String,
    },
    /// The validation time is after `notAfter` ([RFC 5280 §6.1.3] (a)(2)).
    ///
    /// [RFC 5280 §6.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.3
    #[error("certificate {subject} expired")]
    Expired {
        /// The expired certificate.
        subject: String,
        /// Its `notAfter`.
        not_after: SystemTime,
    },
    /// The validation time is before `notBefore` ([RFC 5280 §6.1.3] (a)(2)).
    ///
    /// [RFC 5280 §6.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.3
    #[error("certificate {subject} is not yet valid")]
    NotYetValid {
        /// The certificate.
        subject: String,
        /// Its `notBefore`.
        not_before: SystemTime,
    },
    /// The certificate's signature does not verify with its issuer's public key
    /// ([RFC 5280 §6.1.3] (a)(1)), or uses an algorithm not supported or not allowed (the
    /// underlying error is the source).
    ///
    /// [RFC 5280 §6.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.3
    #[error("the signature on certificate {subject} does not verify: {source}")]
    BadSignature {
        /// The certificate whose signature failed.
        subject: String,
        /// Why: [`Error::SignatureMismatch`], [`Error::UnsupportedAlgorithm`],
        /// [`Error::Sha1NotAllowed`], [`Error::KeyMismatch`] or [`Error::InvalidPublicKey`].
        source: Box<Error>,
    },
    /// A certificate that issues another is not a CA: basicConstraints absent or `cA` FALSE
    /// ([RFC 5280 §6.1.4] (k)).
    ///
    /// [RFC 5280 §6.1.4]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.4
    #[error("certificate {subject} issues certificates but is not a CA")]
    NotACa {
        /// The certificate used as an issuer.
        subject: String,
    },
    /// A CA's `pathLenConstraint` allows fewer intermediates below it than the path has
    /// ([RFC 5280 §6.1.4] (l), (m)).
    ///
    /// [RFC 5280 §6.1.4]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.4
    #[error("path length constraint exceeded at {subject}")]
    PathLenExceeded {
        /// The first certificate that the constraint does not allow.
        subject: String,
    },
    /// A CA's keyUsage lacks `keyCertSign` ([RFC 5280 §6.1.4] (n)).
    ///
    /// [RFC 5280 §6.1.4]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.4
    #[error("CA certificate {subject} has keyUsage without keyCertSign")]
    MissingKeyCertSign {
        /// The CA certificate.
        subject: String,
    },
    /// The end-entity certificate's keyUsage ([RFC 5280 §4.2.1.3]) has none of the bits the
    /// policy requires.
    ///
    /// [RFC 5280 §4.2.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.3
    #[error("certificate {subject} key usage ({key_usage}) does not allow {required}")]
    SignerKeyUsage {
        /// The end-entity certificate.
        subject: String,
        /// Its key usage.
        key_usage: KeyUsage,
        /// What the policy asks for (any one bit suffices).
        required: KeyUsage,
    },
    /// The end-entity certificate's extKeyUsage ([RFC 5280 §4.2.1.12]) lists neither the
    /// purpose the policy requires nor `anyExtendedKeyUsage`.
    ///
    /// [RFC 5280 §4.2.1.12]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.12
    #[error("certificate {subject} extended key usage does not include {required}")]
    SignerExtendedKeyUsage {
        /// The end-entity certificate.
        subject: String,
        /// The purpose required.
        required: ObjectIdentifier,
    },
    /// A critical extension this crate does not process ([RFC 5280 §6.1.4] (o), §4.2: "A
    /// certificate-using system MUST reject the certificate if it encounters a critical
    /// extension it does not recognize").
    ///
    /// [RFC 5280 §6.1.4]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.4
    #[error("certificate {subject} has an unknown critical extension {oid}")]
    UnknownCriticalExtension {
        /// The certificate.
        subject: String,
        /// The extension's OID.
        oid: ObjectIdentifier,
    },
    /// A name in the certificate is outside a CA's permitted subtrees, inside its excluded
    /// subtrees, or of a form a critical nameConstraints constrains but this crate cannot
    /// check ([RFC 5280 §4.2.1.10], §6.1.3 (b), (c)).
    ///
    /// [RFC 5280 §4.2.1.10]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.10
    #[error("certificate {subject} violates name constraints: {reason}")]
    NameConstraintViolation {
        /// The certificate whose name is constrained.
        subject: String,
        /// The name and the constraint.
        reason: String,
    },
    /// A certificate breaks an RFC 5280 profile rule that path validation relies on (for
    /// example `keyCertSign` without `cA`, signature algorithm fields that differ, an empty
    /// issuer name, a malformed or duplicated extension).
    #[error("certificate {subject} is not RFC 5280 conformant: {reason}")]
    NonConformant {
        /// The certificate.
        subject: String,
        /// Which rule.
        reason: String,
    },
    /// A work limit was reached while building or validating a path (too many signature
    /// checks, too deep, too many name comparisons). A path may exist; none was found
    /// within the limit. For a signature verdict: INDETERMINATE.
    #[error("path building gave up: more than {limit} {what}")]
    BudgetExceeded {
        /// Which limit.
        what: &'static str,
        /// Its value.
        limit: usize,
    },
    /// A CRL does not hold (RFC 5280 §5): what fails.
    #[error("CRL: {0}")]
    Crl(String),
    /// An OCSP response does not hold (RFC 6960): what fails.
    #[error("OCSP: {0}")]
    Ocsp(String),
    /// Revocation evidence could not be fetched (kyso-cert's [`RevocationFetcher`]
    /// implementations): from where, and why.
    ///
    /// [`RevocationFetcher`]: crate::revocation::RevocationFetcher
    #[error("fetching {url}: {message}")]
    Fetch {
        /// The OCSP responder or CRL distribution point.
        url: String,
        /// What went wrong (time-out, refused, HTTP status, too large).
        message: String,
    },
}
