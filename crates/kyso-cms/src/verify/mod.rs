//! Verification of a CMS `SignedData` ([RFC 5652 §5]) with one signer: the integrity half of
//! validating a PAdES or detached CAdES signature. Trust (path validation to an anchor,
//! revocation) is kyso-cert's and comes after.
//!
//! Two steps, because kyso-pdf hashes the signed byte ranges itself while it streams them:
//!
//! 1. [`SignedDataInfo::parse`] reads the structure and tells which digest algorithm the
//!    content must be hashed with ([`SignedDataInfo::digest_algorithm`]); it finds the
//!    signer's certificate and resolves the signature algorithm;
//! 2. [`SignedDataInfo::verify`] takes the content digest and checks, in this order: the
//!    signature value over the signed attributes (as re-tagged `SET`, from the input bytes:
//!    [RFC 5652 §5.4]), the message-digest attribute against the content digest, the
//!    content-type attribute, CMS algorithm protection ([RFC 6211]) and the ESS
//!    signing-certificate(-v2) binding ([RFC 5035]).
//!
//! [`verify_detached`] and [`verify_detached_digest`] do both in one call.
//!
//! ```no_run
//! # fn main() -> kyso_cms::Result<()> {
//! # let (cms, content) = (vec![], vec![]);
//! let info = kyso_cms::verify::SignedDataInfo::parse(&cms)?;
//! let digest = info.digest_algorithm().digest(&content);
//! let verified = info.verify(&digest)?;
//! println!("signed by {}", verified.signer.subject().display());
//! # Ok(()) }
//! ```
//!
//! BER is read wherever RFC 5652 allows it — indefinite lengths and constructed OCTET STRINGs,
//! as NSS, BouncyCastle's streaming generators, CryptoAPI and `openssl cms -stream` write
//! them: the input is first rewritten into its DER form ([`crate::ber::to_der`]), and byte
//! offsets in errors are offsets in that form (the input's own when it was DER). The
//! signature is over the DER of the signed attributes (§5.4); when the stored attributes are
//! not DER, the DER re-encoding is verified, as OpenSSL and BouncyCastle do, and
//! [`Warning::SignedAttributesNotDer`] says so. Inputs are bounded by [`MAX_CMS_LEN`], [`MAX_CERTIFICATES`] and
//! [`MAX_ATTRIBUTES`]; no input makes the verifier panic (a property test checks it).
//!
//! [RFC 5652 §5]: https://www.rfc-editor.org/rfc/rfc5652#section-5
//! [RFC 5652 §5.4]: https://www.rfc-editor.org/rfc/rfc5652#section-5.4
//! [RFC 6211]: https://www.rfc-editor.org/rfc/rfc6211
//! [RFC 5035]: https://www.rfc-editor.org/rfc/rfc5035

pub(crate) mod algorithm;
mod attributes;
mod check;
mod parse;
pub(crate) mod primitive;
mod report;
mod tlv;
mod types;

pub use attributes::EssBinding;
pub use check::{verify_detached, verify_detached_digest};
pub use parse::der_from_der_or_pem;
pub(crate) use parse::signed_message_digest;
pub use report::{DetachedReport, TRUST_NOT_CHECKED, check_detached};
pub use types::*;
