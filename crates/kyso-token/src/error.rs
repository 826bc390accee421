//! [`Error`]: everything that can go wrong while loading or using a signing key.

use std::path::PathBuf;

use kyso_cert::{KeyType, SignatureScheme};

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
    #[cfg(feature = "pkcs12")]
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
    #[error("{algorithm} cannot be used with this {key} key{}", reason.map(|r| format!(" ({r})")).unwrap_or_default())]
    AlgorithmMismatch {
        /// The signer's key.
        key: KeyType,
        /// The algorithm that was asked for.
        algorithm: SignatureScheme,
        /// A more specific reason, when there is one.
        reason: Option<&'static str>,
    },

    /// A certificate could not be parsed.
    #[error("cannot read a certificate: {0}")]
    Certificate(#[from] kyso_cert::Error),

    /// The RSA private-key operation failed.
    #[cfg(feature = "pkcs12")]
    #[error("RSA signing failed: {0}")]
    Rsa(#[from] rsa::Error),

    /// The ECDSA private-key operation failed (including an OS randomness failure).
    #[cfg(feature = "pkcs12")]
    #[error("ECDSA signing failed: {0}")]
    Ecdsa(#[from] signature::Error),

    /// The PKCS#11 module file does not exist.
    #[error("PKCS#11 module not found: {}", .0.display())]
    ModuleNotFound(PathBuf),

    /// The PKCS#11 module exists but could not be loaded or initialised: not a shared library,
    /// built for another architecture, missing one of its own libraries, or `C_Initialize`
    /// failed.
    #[error("cannot load the PKCS#11 module {}: {reason}", path.display())]
    ModuleNotLoadable {
        /// The module.
        path: PathBuf,
        /// What the loader or the module said.
        reason: String,
    },

    /// No slot holds a token (the USB token is not plugged in), or no token has the label that
    /// was asked for.
    #[error("{}", match .0 {
        Some(label) => format!("no token labelled \"{label}\" is present"),
        None => "no token is present: plug in the USB token".to_string(),
    })]
    NoTokenPresent(Option<String>),

    /// More than one token is present and none was chosen.
    #[error("{} tokens are present ({}): choose one by label", .0.len(), .0.join(", "))]
    AmbiguousToken(Vec<String>),

    /// The token refused the PIN (`CKR_PIN_INCORRECT`). Each wrong PIN brings the token closer
    /// to locking itself; see [`Error::PinFinalTry`].
    #[error("wrong PIN")]
    WrongPin,

    /// The user PIN is locked (`CKR_PIN_LOCKED`, or the token's `CKF_USER_PIN_LOCKED` flag): only
    /// the security officer (the CA's unlock tool with the PUK/SO PIN) can unlock it.
    #[error("the token's PIN is locked: unlock it with the vendor's tool (SO PIN / PUK)")]
    PinLocked,

    /// The token says one more wrong PIN locks it (`CKF_USER_PIN_FINAL_TRY`), so kyso did not
    /// try the PIN. Check the PIN with the vendor's tool first, or explicitly allow the final
    /// try.
    #[error(
        "one more wrong PIN will lock this token: kyso did not try the PIN (check it with the vendor's tool, or allow the final try explicitly)"
    )]
    PinFinalTry,

    /// No PIN could be obtained: the source named none (environment variable not set, empty
    /// file, the callback declined), or the token needs a PIN and none was given.
    #[error("no PIN: {0}")]
    PinUnavailable(String),

    /// No private key on the token matches the selection.
    #[error("no private key on the token matches {0}")]
    KeyNotFound(String),

    /// Several private keys match the selection; the candidates are listed.
    #[error("{} keys match {selection}: {}; choose one by id or by certificate", candidates.len(), candidates.join("; "))]
    AmbiguousKey {
        /// The selection as the user gave it.
        selection: String,
        /// One line per matching key.
        candidates: Vec<String>,
    },

    /// No certificate on the token belongs to the chosen key.
    #[error("no certificate on the token belongs to the key {0}")]
    CertificateNotFound(String),

    /// The token does not offer a mechanism for the requested signature algorithm.
    #[error("the token cannot sign with {algorithm}: {reason}")]
    MechanismNotSupported {
        /// The algorithm that was asked for.
        algorithm: SignatureScheme,
        /// Which mechanisms were looked for.
        reason: String,
    },

    /// The token was removed, or its session was lost, while in use (`CKR_DEVICE_REMOVED`,
    /// `CKR_TOKEN_NOT_PRESENT`, `CKR_SESSION_HANDLE_INVALID`, `CKR_SESSION_CLOSED`). Plug it in
    /// and open a new signer.
    #[error("the token was removed or its session was lost: plug it in and try again")]
    TokenRemoved,

    /// Any other PKCS#11 failure, with the function that failed and the module's return value.
    #[cfg(feature = "pkcs11")]
    #[error("PKCS#11 {operation} failed: {source}")]
    Pkcs11 {
        /// What kyso was doing (`C_Login`, `C_Sign`, …).
        operation: &'static str,
        /// cryptoki's error, holding the `CKR_*` value.
        #[source]
        source: cryptoki::error::Error,
    },

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
    #[cfg(feature = "remote")]
    #[error(transparent)]
    Remote(#[from] crate::remote::RemoteError),
}
