//! Internals exposed for fuzzing and for tools that read PDF syntax themselves: the object
//! parser and stream filters ([`parser`]). **Unstable**, as rustls's `internal` module: not
//! covered by semver, may change in any release. [`PdfReader`](crate::PdfReader),
//! [`sign`](crate::sign) and [`verify`](crate::verify) are the stable API.

#[path = "parser/mod.rs"]
pub mod parser;
