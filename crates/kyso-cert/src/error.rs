//! The error type of kyso-cert.

use const_oid::ObjectIdentifier;

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
}
