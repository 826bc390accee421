//! PDF integration for kyso: PAdES signatures added by incremental update.
//!
//! * [`PdfSigner`] signs a document — a new invisible signature field or an existing empty
//!   one — by appending an incremental update (ISO 32000-2 §7.5.6): earlier revisions, and so
//!   earlier signatures, stay byte-for-byte. /SubFilter `ETSI.CAdES.detached` (PAdES B-B,
//!   ETSI EN 319 142-1) or `adbe.pkcs7.detached`.
//! * [`VisibleSignature`] ([`SignOptions::visible`]) shows the signature on the page:
//!   Vietnamese text in an embedded font subset, the signature or seal image, placed by
//!   rectangle, millimetres, field or text anchor, with the Decree 30/2020 presets
//!   ([`appearance`]).
//! * [`PreparedPdf`] and [`DeferredState`] split signing in two for portals whose users sign
//!   with a token in the browser: prepare, send [`PreparedPdf::data_to_sign`] out, finish
//!   with the returned signature — possibly in another process, from a few kilobytes of
//!   serialized state. [`PdfSigner::prepare_bytes`] and [`DeferredSignature`] do the same
//!   in memory, for a service that hands both halves to its client (kyso-server seals them).
//! * [`PdfReader`] reads only what it is asked for — trailer, cross-reference data (tables,
//!   streams, hybrid files), single objects, object streams — through positioned reads, so
//!   signing a 100 MB file never holds it in memory; [`object`] is the object model.
//!
//! The signer takes a `&dyn` [`kyso_cms::Signer`]: it never knows whether the key is in
//! software, on a PKCS#11 token or behind a remote service.
//!
//! ```no_run
//! use kyso_pdf::{PdfSigner, SignOptions};
//! use kyso_token::SoftwareSigner;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let signer = SoftwareSigner::from_pkcs12(&std::fs::read("can-bo.p12")?, "mật khẩu")?;
//! let options = SignOptions {
//!     reason: Some("Phê duyệt văn bản".into()),
//!     location: Some("Hà Nội".into()),
//!     ..SignOptions::default()
//! };
//! PdfSigner::new(options).sign_file("to-trinh.pdf".as_ref(), "to-trinh-da-ky.pdf".as_ref(), &signer)?;
//! # Ok(()) }
//! ```
//!
//! Encrypted documents are refused with [`Error::Encrypted`]; a document certified with
//! DocMDP "no changes" with [`Error::CertifiedNoChanges`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
pub mod object;
pub mod reader;

pub mod unstable;
pub(crate) use unstable::parser;

pub use error::{Error, Result};
pub use object::{Dict, Name, ObjRef, Object, PdfString, Stream, decode_text_string};
pub use reader::{PdfReader, Prefix, Source, XrefEntry, XrefKind};

pub mod appearance;
mod certification;
mod date;
pub mod dss;
pub mod form;
pub mod output;
pub mod sign;
mod update;
pub mod verify;

pub use form::{FoundField, MAX_FIELD_TREE_DEPTH, MAX_FIELDS};
pub use sign::{
    BatchEvent, BatchJob, BatchReport, DeferredSignature, DeferredState, ExtendOptions,
    ExtendOutcome, Level, PdfSigner, PreparedPdf, SignOptions, SubFilter, VisibleSignature,
    extend_file,
};
