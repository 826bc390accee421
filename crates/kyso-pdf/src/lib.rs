//! PDF signing and validation for kyso.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
pub mod object;
pub mod parser;
pub mod reader;

pub use error::{Error, Result};
pub use object::{Dict, Name, ObjRef, Object, PdfString, Stream, decode_text_string};
pub use reader::{PdfReader, Source, XrefEntry, XrefKind};

mod date;
pub mod sign;
mod update;

pub use sign::{DeferredState, PdfSigner, PreparedPdf, SignOptions, SubFilter};
