//! Signing backends for kyso (software keys first; PKCS#11 and remote services follow).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod software;

pub use error::Error;
pub use software::{KeyType, SoftwareSigner};

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
