//! The error type of kyso-cert.

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
}
