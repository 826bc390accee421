//! Readable identities and Vietnamese identifiers (filled in by the identity work).
