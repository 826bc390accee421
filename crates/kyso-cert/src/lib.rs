//! X.509 certificates for kyso.
//!
//! This crate holds what the rest of kyso needs to know about a certificate:
//!
//! * [`Certificate`] parses DER or PEM ([RFC 5280]) and keeps the exact encoded bytes, so a
//!   certificate can be embedded in a CMS structure unchanged;
//! * [`Identity`] shows subject and issuer as readable UTF-8 — Vietnamese names such as
//!   "Nguyễn Văn An" come out right whatever ASN.1 string type the CA used — together with the
//!   Vietnamese identifiers (MST, CMND, CCCD, HC) that VN CAs put in the subject.
//!
//! ```
//! # fn main() -> Result<(), kyso_cert::Error> {
//! # let pem = include_bytes!("../tests/data/vn-signer.pem");
//! let cert = kyso_cert::Certificate::from_pem(pem)?;
//! println!("{} ({})", cert.subject().common_name.unwrap_or_default(), cert.serial_hex());
//! # Ok(()) }
//! ```
//!
//! [RFC 5280]: https://www.rfc-editor.org/rfc/rfc5280
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod certificate;
mod error;
mod identity;

pub use certificate::Certificate;
pub use error::Error;


/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
