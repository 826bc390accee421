//! CMS signatures for kyso.
//!
//! * [`SignedDataBuilder`] builds a detached CMS `SignedData` ([RFC 5652 §5]) with the CAdES
//!   baseline signed attributes ETSI EN 319 122-1 asks for — content-type, message-digest and
//!   ESS signing-certificate-v2 ([RFC 5035]) — and an optional signing-time;
//! * [`Signer`] is what the builder needs from a key; kyso-token implements it;
//! * [`DigestAlgorithm`] and [`SignatureAlgorithm`] name the algorithms and their identifiers.
//!
//! The builder can run in two halves for deferred (portal + external token) signing:
//! [`SignedDataBuilder::signed_attributes`] gives the bytes to sign, and
//! [`SignedDataBuilder::assemble`] puts the returned signature in place.
//!
//! [RFC 5652 §5]: https://www.rfc-editor.org/rfc/rfc5652#section-5
//! [RFC 5035]: https://www.rfc-editor.org/rfc/rfc5035
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod algorithm;
mod asn1;
mod builder;
mod error;
mod signer;
pub mod verify;

pub use builder::{SignedAttributes, SignedDataBuilder};

pub use algorithm::{DigestAlgorithm, HashAlgorithm, Hasher, SignatureAlgorithm};

pub use error::Error;
pub use signer::{Signer, SignerError};

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
