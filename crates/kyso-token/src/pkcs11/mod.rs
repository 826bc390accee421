//! PKCS#11 tokens: the USB tokens Vietnamese CAs issue, smart cards and HSMs, through the
//! vendor's PKCS#11 module ([`cryptoki`]).
//!
//! # Finding the vendor's module
//!
//! Every token vendor ships a PKCS#11 library with its driver (the "middleware"), and signing
//! needs its path. Its name and place depend on the CA, the token model, the driver version and
//! the operating system, and change between versions, so **check what the vendor's installer put
//! on the machine**: its file list (`dpkg -L PACKAGE` for a `.deb`, the installation folder on
//! Windows), or the PKCS#11 path the CA's own signing tool is configured with. On Linux a file
//! is a PKCS#11 module when it exports `C_GetFunctionList`
//! (`nm -D --defined-only FILE.so | grep C_GetFunctionList`).
//!
//! | Token                                         | Where the module usually is (verify on your machine)                    |
//! |-----------------------------------------------|--------------------------------------------------------------------------|
//! | Viettel-CA                                    | the Viettel-CA driver's library, e.g. `/usr/lib/viettel-ca_v6.so` on Linux (seen in pyHanko issue #457) |
//! | VNPT-CA                                       | the library installed by the VNPT-CA token driver for the token model issued |
//! | Ban Cơ yếu Chính phủ (Government Cipher Committee) | the library installed with the token software the Committee's CA provides |
//! | SafeNet / Thales eToken (used by several CAs) | `/usr/lib/libeTPkcs11.so`; `C:\Windows\System32\eTPKCS11.dll`       |
//! | Smart cards supported by OpenSC               | `/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so` (Debian/Ubuntu)            |
//! | SoftHSM2 (software token for tests)           | `/usr/lib/softhsm/libsofthsm2.so` (Debian/Ubuntu)                       |
//!
//! Many vendor tools on Windows work through the Windows certificate store (CAPI/CNG) instead;
//! their PKCS#11 DLL, when there is one, sits next to the driver (often in `System32`).
//! `kyso tokens --module PATH` (or [`Pkcs11Module::tokens`] and
//! [`Pkcs11Module::token_objects`]) shows whether a module sees the token and what is on it.
//!
//! # Listing what a token holds
//!
//! ```no_run
//! use kyso_token::pkcs11::{Pkcs11Module, PinSource};
//!
//! # fn main() -> Result<(), kyso_token::Error> {
//! let module = Pkcs11Module::load("/usr/lib/softhsm/libsofthsm2.so")?;
//! for token in module.tokens()? {
//!     println!("token \"{}\" ({} {}, serial {})", token.label, token.manufacturer,
//!              token.model, token.serial_number);
//!     // Without a PIN: certificates and public keys. With one, the private keys too.
//!     let objects = module.token_objects(&token, Some(PinSource::Env("KYSO_PIN".into())))?;
//!     for cert in &objects.certificates {
//!         if let Some(c) = &cert.certificate {
//!             let subject = c.subject();
//!             println!("  [{}] \"{}\": {} (MST {:?}, CCCD {:?})", cert.id_hex(), cert.label,
//!                      subject.display(), subject.tax_code(), subject.citizen_id());
//!         }
//!     }
//!     for key in &objects.private_keys {
//!         println!("  key [{}] \"{}\" {}", key.id_hex(), key.label, key.kind);
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # Signing
//!
//! ```no_run
//! use kyso_cms::Signer;
//! use kyso_token::pkcs11::{CertificateFilter, KeySelector, Pin, PinSource, Pkcs11Module, Pkcs11Signer};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let module = Pkcs11Module::load("/usr/lib/softhsm/libsofthsm2.so")?;
//! let signer = Pkcs11Signer::builder(&module)
//!     .token_label("Token Ký Số")
//!     // by the key's or the certificate's label, by CKA_ID, or by a certificate filter:
//!     .key(KeySelector::Certificate(
//!         CertificateFilter::new().subject_contains("MST:0101234567").valid_now(),
//!     ))
//!     // the PIN from a dialog, a prompt, an environment variable or a file:
//!     .pin(PinSource::callback(|token| {
//!         // ask the user, showing token.label; warn when token.user_pin_count_low
//!         Ok(Pin::new("1234"))
//!     }))
//!     .open()?;
//! println!("{signer:?}"); // token, key, subject, mechanism; never the PIN
//! let signature = signer.sign(b"DER of the signed attributes")?;
//! # let _ = signature;
//! // Or hand it to kyso_pdf::PdfSigner::sign_file(input, output, &signer).
//! # Ok(()) }
//! ```
//!
//! # Keys and certificates
//!
//! [`KeySelector`] picks the private key: by its `CKA_LABEL` — or the label of its certificate,
//! since CA tools often label only the certificate ("TRẦN NGỌC TÚ's Viettel-CA SHA2
//! Certificate", pyHanko issue #457) — by `CKA_ID`, or by a [`CertificateFilter`] (subject or
//! issuer containing a text such as a name, an MST or CCCD number; serial number; valid at a
//! time). Labels are UTF-8 and compared after Unicode NFC normalisation, so a label typed with
//! combining diacritics (as some Vietnamese input methods produce) finds one stored
//! precomposed, and the other way round.
//!
//! The certificate is the one with the key's `CKA_ID` whose public key is the key's (RSA
//! modulus or EC point, read from the key object or a public-key object with the same id); a
//! certificate with another id but the right key is accepted too; a token that exposes no
//! public value for its key gets a trial signature, verified with the candidate certificate.
//! The other certificates of the token that chain the signer's up to a root are embedded, nearest
//! first (pyHanko issue #386: chain certificates on the token were ignored).
//!
//! # PIN
//!
//! [`PinSource`]: a [`Pin`] value, a callback, an environment variable or a file named by the
//! caller, or the token's PIN pad (protected authentication path). The PIN is fetched only when
//! the token requires a login, sent once (`C_Login`) and zeroized; it is never printed, and
//! `Debug` hides it. Before sending it, the token's flags are checked: a locked PIN fails with
//! [`Error::PinLocked`], and a PIN on its final try is not risked
//! ([`Error::PinFinalTry`]) unless
//! [`Pkcs11SignerBuilder::allow_final_try`] says so. `CKR_PIN_INCORRECT` is
//! [`Error::WrongPin`].
//!
//! # Mechanisms
//!
//! The signer asks the token for its mechanism list once and picks, for the requested
//! algorithm:
//!
//! | Algorithm                 | First choice                                 | Otherwise                                      |
//! |---------------------------|----------------------------------------------|------------------------------------------------|
//! | RSA PKCS#1 v1.5, SHA-256/384/512 | `CKM_SHA256_RSA_PKCS` (…384/512): the token hashes | `CKM_RSA_PKCS` over a `DigestInfo` kyso builds |
//! | RSA-PSS, SHA-256/384/512  | `CKM_RSA_PKCS_PSS` over kyso's hash (MGF1 with the same hash, salt = hash length) | `CKM_SHA256_RSA_PKCS_PSS` (…384/512) |
//! | ECDSA P-256/P-384         | `CKM_ECDSA` over kyso's hash                 | `CKM_ECDSA_SHA256` (…384/512)                  |
//!
//! ECDSA results (raw `r || s`) are re-encoded as DER `Ecdsa-Sig-Value`.
//! [`Pkcs11SignerBuilder::mechanism`] forces one family.
//!
//! # Sessions and threads
//!
//! A [`Pkcs11Signer`] logs in once and keeps that session for all its signatures (a batch of
//! documents costs one PIN entry); the session is behind a mutex, so the signer is
//! `Send + Sync` and can be shared across threads. A module is loaded and initialised once per
//! process and path ([`Pkcs11Module::load`] returns the same module again), and finalised when
//! its last user is dropped. If the token is pulled out, calls fail with
//! [`Error::TokenRemoved`]; open a new signer after plugging it back.
//!
//! # Not supported yet
//!
//! Keys marked `CKA_ALWAYS_AUTHENTICATE` (PIN before every signature), EC curves other than
//! P-256 and P-384, and waiting for a token to be inserted (`C_WaitForSlotEvent`).

mod chain;
mod login;
mod mechanism;
mod module;
mod objects;
mod pin;
mod select;
mod signer;

pub use mechanism::Pkcs11Mechanism;
pub use module::{ModuleInfo, Pkcs11Module, SlotInfo, TokenInfo};
pub use objects::{CertificateObject, KeyKind, KeyObject, TokenObjects};
pub use pin::{Pin, PinCallback, PinSource};
pub use select::{CertificateFilter, KeySelector};
pub use signer::{Pkcs11Signer, Pkcs11SignerBuilder};

use cryptoki::error::{Error as CkError, RvError};
use unicode_normalization::UnicodeNormalization;

use crate::Error;

/// This crate's error for a cryptoki failure during `operation`: the return values a caller
/// acts on get their own variant.
pub(crate) fn ck_error(operation: &'static str, e: CkError) -> Error {
    match e {
        CkError::Pkcs11(RvError::PinIncorrect | RvError::PinInvalid | RvError::PinLenRange, _) => {
            Error::WrongPin
        }
        CkError::Pkcs11(RvError::PinLocked, _) => Error::PinLocked,
        CkError::Pkcs11(
            RvError::DeviceRemoved
            | RvError::TokenNotPresent
            | RvError::SessionHandleInvalid
            | RvError::SessionClosed,
            _,
        ) => Error::TokenRemoved,
        source => Error::Pkcs11 { operation, source },
    }
}

/// A label as compared: trimmed, in Unicode NFC.
pub(crate) fn normalize_label(label: &str) -> String {
    label.trim().nfc().collect()
}
