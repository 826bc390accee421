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
//! # Validating a signer's certificate
//!
//! [`validate_path`] builds a certification path from the signer's certificate through the
//! certificates that came with the signature (and a [`TrustStore`]'s intermediate pool) to
//! one of the store's trust anchors, and validates it as [RFC 5280 §6.1] says, at the time a
//! [`ValidationPolicy`] gives. It returns the path, or an [`Error`] that says why not
//! ([`Error::Expired`], [`Error::MissingIssuer`], [`Error::BadSignature`],
//! [`Error::NotACa`], [`Error::NameConstraintViolation`], …):
//!
//! ```
//! # fn main() -> Result<(), kyso_cert::Error> {
//! use std::time::Duration;
//! use kyso_cert::{Certificate, TrustStore, ValidationPolicy, validate_path};
//!
//! let root = Certificate::from_pem(include_bytes!("../tests/data/vn-root-ca.pem"))?;
//! let signer = Certificate::from_pem(include_bytes!("../tests/data/vn-signer.pem"))?;
//! let trust = TrustStore::from_anchors([root]);
//!
//! // At the signing time; keyUsage must allow digitalSignature or nonRepudiation.
//! let signing_time = signer.not_before() + Duration::from_secs(86_400);
//! let policy = ValidationPolicy::document_signing(signing_time);
//! let path = validate_path(&signer, &[], &trust, &policy)?;
//! assert_eq!(path.certificates.len(), 2);
//! assert_eq!(path.anchor.subject().common_name.as_deref(), Some("Kyso Test Root CA"));
//!
//! // Ten years on, the signer's certificate has expired.
//! let later = ValidationPolicy::document_signing(signer.not_after() + Duration::from_secs(1));
//! assert!(matches!(
//!     validate_path(&signer, &[], &trust, &later),
//!     Err(kyso_cert::Error::Expired { .. })
//! ));
//! # Ok(()) }
//! ```
//!
//! Path building tries every candidate issuer (several CAs with one name, cross-certificates)
//! within fixed budgets ([`path::MAX_SIGNATURE_CHECKS`] and the other limits in [`path`]).
//! [`verify_signature`] — the check each link uses — is public for CMS signatures: RSA
//! PKCS #1 v1.5 and PSS, ECDSA on P-256 and P-384, SHA-1 only when allowed.
//!
//! The conformance of the validator against the x509-limbo suite and NIST PKITS, and the
//! known deviations of each, are in the crate README.
//!
//! # What this crate does not do (yet)
//!
//! Certificate policy processing (policy extensions are recognised, not evaluated). Revocation
//! is a separate step after path validation ([`revocation::RevocationChecker`]), so that a
//! caller can judge it at the time a signature is proven to have existed; delta, scoped and
//! indirect CRLs, and CRLs signed by another key of the issuer, are not read.
//!
//! [RFC 5280]: https://www.rfc-editor.org/rfc/rfc5280
//! [RFC 5280 §6.1]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod algorithm;
mod certificate;
mod compat;
pub mod crl;
pub mod crypto;
mod directory_string;
mod error;
mod identity;
mod key_usage;
pub mod ocsp;
pub mod path;
pub mod revocation;
pub mod signature;
mod trust;
mod vn_id;

pub use algorithm::{DigestAlgorithm, EcCurve, Hasher, KeyType, SignatureScheme, key_type};
/// The RustCrypto crates whose types appear in kyso's public signatures (`der::Error`,
/// `spki::AlgorithmIdentifierOwned`, `x509_cert::Certificate`, `const_oid::ObjectIdentifier`),
/// re-exported so that a caller names the same versions kyso is built with.
pub use {const_oid, der, spki, x509_cert};

pub use certificate::Certificate;
pub use directory_string::StringType;
pub use error::Error;
pub use identity::{Identity, NameAttribute};
pub use key_usage::KeyUsage;
pub use path::{ValidatedPath, ValidationPolicy, validate_path};
pub use signature::{
    PublicKeySource, VerifyOptions, verify_prehashed_with, verify_signature, verify_signature_with,
};
pub use trust::TrustStore;
pub use vn_id::VnId;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
