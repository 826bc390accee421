//! PDF signing and validation for kyso.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
