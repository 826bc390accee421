//! Signing backends for kyso (software keys first; PKCS#11 and remote services follow).
#![forbid(unsafe_code)]
#![warn(missing_docs)]
