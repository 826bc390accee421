//! The error type of kyso-cms.

/// What can go wrong when building or verifying a CMS signature.
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
    #[error("digest is {actual} bytes, {algorithm:?} needs {expected}")]
    DigestLength {
        /// The algorithm the digest was meant for.
        algorithm: crate::DigestAlgorithm,
        /// Its output length.
        expected: usize,
        /// The length supplied.
        actual: usize,
    },
}
