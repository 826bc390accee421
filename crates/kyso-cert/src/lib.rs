//! X.509 certificates for kyso.
//!
//! This crate holds what the rest of kyso needs to know about a certificate:
//!
//! * [`Certificate`] parses DER or PEM ([RFC 5280]) and keeps the exact encoded bytes, so a
//!   certificate can be embedded in a CMS structure unchanged;
//! * [`Identity`] shows subject and issuer as readable UTF-8 — Vietnamese names such as
//!   "Nguyễn Văn An" come out right whatever ASN.1 string type the CA used — together with the
//!   Vietnamese identifiers (MST, CMND, CCCD, HC, MNS) that VN CAs put in the subject, typed
//!   as [`VnId`];
//! * [`KeyUsage`] and the other extension accessors of [`Certificate`] answer what a signer
//!   or verifier asks: may this key sign documents, is this a CA, which key identifies the
//!   issuer, what is the certificate's fingerprint.
//!
//! # Reading a certificate
//!
//! ```
//! # fn main() -> Result<(), kyso_cert::Error> {
//! # let pem = include_bytes!("../tests/data/vn-signer.pem");
//! let cert = kyso_cert::Certificate::from_pem(pem)?;
//! println!("{} ({})", cert.subject().common_name.unwrap_or_default(), cert.serial_hex());
//!
//! let subject = cert.subject();
//! assert_eq!(subject.common_name.as_deref(), Some("Nguyễn Văn An"));
//! assert_eq!(subject.organization.as_deref(), Some("Công ty TNHH Một Thành Viên Ví Dụ"));
//! assert_eq!(subject.tax_code(), Some("0101234567"));
//! assert_eq!(cert.issuer().common_name.as_deref(), Some("Kyso Test Root CA"));
//!
//! // May this key make document signatures?
//! let usage = cert.key_usage()?.unwrap_or_default();
//! assert!(usage.digital_signature && usage.non_repudiation);
//! assert!(!cert.is_ca()?);
//! assert!(cert.is_valid_at(cert.not_before()));
//! # Ok(()) }
//! ```
//!
//! A chain file (`.pem` with several certificates, or a `.cer` in DER) is read with
//! [`Certificate::all_from_der_or_pem`], which keeps the file's order.
//!
//! # Names and Vietnamese identifiers
//!
//! VN CAs encode names as UTF8String, BMPString, UniversalString, or — wrongly but often —
//! as TeletexString holding UTF-8 bytes; [`Identity`] reads all of them (see
//! [`StringType`]). The identifiers come from `UID` values such as `MST:0101234567` or
//! `CCCD:001234567890` (and from `serialNumber`/`OU` when they carry a known prefix);
//! malformed ones are kept as [`VnId::Other`] rather than dropped:
//!
//! ```
//! use kyso_cert::VnId;
//!
//! assert_eq!(VnId::parse("MST:0101234567-001"), Some(VnId::TaxCode("0101234567-001".into())));
//! assert!(matches!(VnId::parse("CCCD:123"), Some(VnId::Other { .. })));
//! ```
//!
//! # What this crate does not do (yet)
//!
//! It does not verify signatures or build and validate certification paths; it only reads.
//! [`Certificate::is_valid_at`] compares dates and nothing else.
//!
//! [RFC 5280]: https://www.rfc-editor.org/rfc/rfc5280
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod certificate;
mod compat;
mod directory_string;
mod error;
mod identity;
mod key_usage;
pub mod path;
pub mod signature;
mod trust;
mod vn_id;

pub use certificate::Certificate;
pub use directory_string::StringType;
pub use error::Error;
pub use identity::{Identity, NameAttribute};
pub use key_usage::KeyUsage;
pub use path::{ValidatedPath, ValidationPolicy, validate_path};
pub use signature::{
    DigestAlgorithm, SignatureAlgorithm, VerifyOptions, verify_signature, verify_signature_with,
};
pub use trust::TrustStore;
pub use vn_id::VnId;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
