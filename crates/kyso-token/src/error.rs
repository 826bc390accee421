//! [`Error`]: everything that can go wrong while loading or using a signing key.

use std::path::PathBuf;

use kyso_cms::SignatureAlgorithm;

use crate::KeyType;

/// Why a key could not be loaded or could not sign.
///
/// The variants are the ones a caller acts on differently: ask for the password again
/// ([`Error::WrongPassword`], [`Error::PasswordRequired`]), tell the user they picked the wrong
/// files ([`Error::KeyCertificateMismatch`], [`Error::NoPrivateKey`]), or report a damaged or
/// unsupported file. No variant ever carries key material or a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The password does not open the file: the PKCS#12 MAC did not verify, or an encrypted
    /// key did not decrypt to a well-formed key.
    #[error("wrong password")]
    WrongPassword,

    /// The private key is encrypted and no password was given.
    #[error("the private key is encrypted: a password is needed")]
    PasswordRequired,

    /// The PKCS#12 file could not be read (not PKCS#12, damaged, or an unsupported scheme).
    #[error("cannot read the PKCS#12 file: {0}")]
    Pkcs12(#[source] p12_keystore::error::Error),

    /// The private key could not be decoded.
    #[error("cannot read the private key: {0}")]
    InvalidKey(String),

    /// The key is well formed but of a kind this backend does not sign with.
    #[error("unsupported key: {0}")]
    UnsupportedKey(String),

    /// No private key was found in the input.
    #[error("no private key found in {0}")]
    NoPrivateKey(&'static str),

    /// No certificate was found in the input.
    #[error("no certificate found in {0}")]
    NoCertificate(&'static str),

    /// No certificate holds the public key of the private key: the key and the certificate
    /// belong to different key pairs.
    #[error("the private key does not match the certificate's public key")]
    KeyCertificateMismatch,

    /// The requested signature algorithm cannot be used with this key.
    #[error("{algorithm:?} cannot be used with this {key} key{}", reason.map(|r| format!(" ({r})")).unwrap_or_default())]
    AlgorithmMismatch {
        /// The signer's key.
        key: KeyType,
        /// The algorithm that was asked for.
        algorithm: SignatureAlgorithm,
        /// A more specific reason, when there is one.
        reason: Option<&'static str>,
    },

    /// A certificate could not be parsed.
    #[error("cannot read a certificate: {0}")]
    Certificate(#[from] kyso_cert::Error),

    /// The RSA private-key operation failed.
    #[error("RSA signing failed: {0}")]
    Rsa(#[from] rsa::Error),

    /// The ECDSA private-key operation failed (including an OS randomness failure).
    #[error("ECDSA signing failed: {0}")]
    Ecdsa(#[from] signature::Error),

    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// A remote signing service did not sign: see [`RemoteError`](crate::remote::RemoteError).
    #[error(transparent)]
    Remote(#[from] crate::remote::RemoteError),
}
