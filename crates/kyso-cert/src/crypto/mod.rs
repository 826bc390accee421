//! Crypto providers: which implementation computes kyso's signature checks and, through
//! kyso-token, its software-key signatures.
//!
//! Two providers, chosen once per process as rustls chooses its `CryptoProvider`:
//!
//! | provider | what | builds |
//! |----------|------|--------|
//! | [`Provider::AwsLcRs`] | AWS-LC through `aws-lc-rs`: constant-time, FIPS-capable, several times faster for RSA | cargo feature `aws-lc-rs` (C and a C compiler at build time) |
//! | [`Provider::RustCrypto`] | `rsa`, `p256`, `p384`: pure Rust | always |
//!
//! RustCrypto is also the fallback for what AWS-LC's API refuses, whichever provider is chosen:
//! RSA-PSS with a salt other than the digest length, SHA-1 (old signatures only), RSA keys
//! under 2048 bits, ECDSA with a digest other than the curve's own (P-256 with SHA-384, …) and
//! messages given only as their digest. Verdicts do not depend on the provider: a signature is
//! valid under one exactly when it is valid under the other (the test suites run under both).
//!
//! The provider in use is, in order: the one [installed](Provider::install) by the
//! application; the one named by the `KYSO_CRYPTO_PROVIDER` environment variable
//! (`aws-lc-rs` or `rustcrypto`, read once; how the test suites are run under each); AWS-LC
//! when built in; RustCrypto.
//!
//! ```
//! use kyso_cert::crypto::Provider;
//!
//! // An application that wants the pure-Rust provider whatever was built in:
//! let _ = Provider::RustCrypto.install();
//! assert_eq!(Provider::current(), Provider::RustCrypto);
//! ```

#[cfg(feature = "aws-lc-rs")]
mod aws_lc;
mod rustcrypto;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::{ID_EC_PUBLIC_KEY, ID_RSASSA_PSS, RSA_ENCRYPTION};
use spki::SubjectPublicKeyInfoOwned;

use crate::algorithm::invalid_key;
use crate::{DigestAlgorithm, EcCurve, Error, Result, SignatureScheme};

/// The environment variable that chooses the provider when the application has not.
pub const PROVIDER_ENV: &str = "KYSO_CRYPTO_PROVIDER";

/// A crypto provider (see the [module](self) table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// RustCrypto's `rsa`, `p256` and `p384`: pure Rust, always built.
    RustCrypto,
    /// AWS-LC through `aws-lc-rs` (cargo feature `aws-lc-rs`).
    AwsLcRs,
}

static INSTALLED: OnceLock<Provider> = OnceLock::new();

impl Provider {
    /// The stable name: `rustcrypto`, `aws-lc-rs`.
    pub fn name(self) -> &'static str {
        match self {
            Self::RustCrypto => "rustcrypto",
            Self::AwsLcRs => "aws-lc-rs",
        }
    }

    /// Whether this provider is built into this program.
    pub fn is_available(self) -> bool {
        match self {
            Self::RustCrypto => true,
            Self::AwsLcRs => cfg!(feature = "aws-lc-rs"),
        }
    }

    /// The providers built into this program, the default first.
    pub fn available() -> Vec<Self> {
        [Self::AwsLcRs, Self::RustCrypto]
            .into_iter()
            .filter(|p| p.is_available())
            .collect()
    }

    /// Makes this provider the process's, before any signature is checked or made.
    ///
    /// # Errors
    ///
    /// [`Error::CryptoProvider`] when the provider is not built in, or another one is already
    /// in use (installed, or chosen by the first use).
    pub fn install(self) -> Result<()> {
        if !self.is_available() {
            return Err(Error::CryptoProvider(format!(
                "the {} provider is not built in (cargo feature `{}`)",
                self.name(),
                self.name()
            )));
        }
        let chosen = *INSTALLED.get_or_init(|| self);
        if chosen == self {
            Ok(())
        } else {
            Err(Error::CryptoProvider(format!(
                "the {} provider is already in use",
                chosen.name()
            )))
        }
    }

    /// The provider in use (see the [module](self) for the order of choice). A name in
    /// `KYSO_CRYPTO_PROVIDER` that is unknown or not built in is ignored for the default.
    pub fn current() -> Self {
        *INSTALLED.get_or_init(|| {
            std::env::var(PROVIDER_ENV)
                .ok()
                .and_then(|name| name.parse::<Self>().ok())
                .filter(|p| p.is_available())
                .unwrap_or(if cfg!(feature = "aws-lc-rs") {
                    Self::AwsLcRs
                } else {
                    Self::RustCrypto
                })
        })
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Provider {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rustcrypto" | "rust-crypto" => Ok(Self::RustCrypto),
            "aws-lc-rs" | "aws-lc" | "awslc" => Ok(Self::AwsLcRs),
            _ => Err(Error::CryptoProvider(format!(
                "unknown crypto provider {s:?} (known: rustcrypto, aws-lc-rs)"
            ))),
        }
    }
}

/// What was signed: the message itself, or only its digest under the scheme's digest
/// algorithm (a CMS `SignerInfo` without signed attributes).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Signed<'a> {
    /// The whole message.
    Message(&'a [u8]),
    /// The message's digest.
    Digest(&'a [u8]),
}

impl Signed<'_> {
    /// The message's digest under `digest`.
    fn digest(&self, digest: DigestAlgorithm) -> Cow<'_, [u8]> {
        match *self {
            Self::Message(message) => Cow::Owned(digest.digest(message)),
            Self::Digest(hashed) => Cow::Borrowed(hashed),
        }
    }
}

/// Verifies `signature` over `signed` with the key in `spki` under `scheme`, which
/// `algorithm` (the identifier it was read from) named: the one entry point of every
/// signature check in kyso.
pub(crate) fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: ObjectIdentifier,
    scheme: SignatureScheme,
    signed: Signed<'_>,
    signature: &[u8],
) -> Result<()> {
    let key_oid = spki.algorithm.oid;
    let mismatch = || Error::KeyMismatch {
        key: key_oid,
        algorithm,
    };
    // RFC 4055 §1.2: an id-RSASSA-PSS key is for PSS only.
    let curve = match scheme {
        SignatureScheme::RsaPkcs1v15(_) if key_oid == RSA_ENCRYPTION => None,
        SignatureScheme::RsaPss { .. } if key_oid == RSA_ENCRYPTION || key_oid == ID_RSASSA_PSS => {
            None
        }
        SignatureScheme::Ecdsa(_) if key_oid == ID_EC_PUBLIC_KEY => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .and_then(EcCurve::from_oid);
            Some(curve.ok_or_else(mismatch)?)
        }
        _ => return Err(mismatch()),
    };
    #[cfg(feature = "aws-lc-rs")]
    if Provider::current() == Provider::AwsLcRs
        && let Some(verdict) = aws_lc::verify(spki, curve, scheme, signed, signature)
    {
        // AWS-LC says only "invalid": tell a bad key from a bad signature as RustCrypto would,
        // so reports do not depend on the provider.
        return verdict.or_else(|_| {
            rustcrypto::check_key(spki, curve)?;
            Err(Error::SignatureMismatch)
        });
    }
    rustcrypto::verify(spki, curve, scheme, signed, signature)
}

/// The `subjectPublicKey` bytes of an SPKI.
fn key_bits(spki: &SubjectPublicKeyInfoOwned) -> Result<&[u8]> {
    spki.subject_public_key
        .as_bytes()
        .ok_or_else(|| invalid_key("the public key BIT STRING has unused bits"))
}
