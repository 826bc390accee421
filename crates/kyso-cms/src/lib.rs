//! CMS signatures for kyso.
//!
//! * [`SignedDataBuilder`] builds a detached CMS `SignedData` ([RFC 5652 §5]) with the CAdES
//!   baseline signed attributes ETSI EN 319 122-1 asks for — content-type, message-digest and
//!   ESS signing-certificate-v2 ([RFC 5035]) — and an optional signing-time;
//! * [`verify`] checks a `SignedData` with one signer: [`verify::SignedDataInfo::parse`] reads
//!   it and names the digest algorithm, [`verify::SignedDataInfo::verify`] takes the content
//!   digest and checks the signature, the signed attributes and the ESS certificate binding
//!   (trust — path validation — is kyso-cert's);
//! * [`tsp`] speaks RFC 3161: time-stamp requests, responses, and the verification of
//!   time-stamp tokens (TSA signature, certificate usage, imprint, nonce);
//! * [`Signer`] is what the builder needs from a key; kyso-token implements it;
//! * [`DigestAlgorithm`] and [`SignatureScheme`] name the algorithms and their identifiers;
//!   [`DigestAlgorithm`] adds SHA-1 for reading old signatures.
//!
//! The builder can run in two halves for deferred (portal + external token) signing:
//! [`SignedDataBuilder::signed_attributes`] gives the bytes to sign, and
//! [`SignedDataBuilder::assemble`] puts the returned signature in place.
//!
//! ```no_run
//! # fn main() -> kyso_cms::Result<()> {
//! # let (cms, content): (Vec<u8>, Vec<u8>) = (vec![], vec![]);
//! let verified = kyso_cms::verify::verify_detached(&cms, &content)?;
//! println!("{} — {}", verified.signer.subject().display(), verified.signature_algorithm);
//! # Ok(()) }
//! ```
//!
//! [RFC 5652 §5]: https://www.rfc-editor.org/rfc/rfc5652#section-5
//! [RFC 5035]: https://www.rfc-editor.org/rfc/rfc5035
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod asn1;
pub mod ber;
mod builder;
mod error;
mod signer;
pub mod tsp;
pub mod verify;

pub use builder::{SignedAttributes, SignedDataBuilder};

pub use kyso_cert::{DigestAlgorithm, Hasher, SignatureScheme};
/// The RustCrypto crates of kyso's public signatures (see [`kyso_cert`]'s re-exports).
pub use kyso_cert::{const_oid, der, spki, x509_cert};

pub use error::Error;
pub use signer::{BatchMode, Signer, SignerError};

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
