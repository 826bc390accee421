//! Verifying a signature with a certificate's public key: certificate signatures during path
//! validation, and (through kyso-cms) CMS `SignerInfo` signatures.
//!
//! The algorithm comes from an `AlgorithmIdentifier` ([RFC 5280 §4.1.1.2]):
//!
//! ```text
//! AlgorithmIdentifier  ::=  SEQUENCE  {
//!      algorithm               OBJECT IDENTIFIER,
//!      parameters              ANY DEFINED BY algorithm OPTIONAL  }
//! ```
//!
//! Supported, with the RFCs that define the identifiers:
//!
//! | algorithm | identifier | key |
//! |-----------|-----------|-----|
//! | RSASSA-PKCS1-v1_5 with SHA-256/384/512 | `sha{256,384,512}WithRSAEncryption` ([RFC 4055 §5]) | `rsaEncryption` |
//! | RSASSA-PKCS1-v1_5 with SHA-1 (legacy, only with [`VerifyOptions::allow_sha1`]) | `sha1WithRSAEncryption` ([RFC 3279 §2.2.1]) | `rsaEncryption` |
//! | RSASSA-PSS, MGF1 with the same digest, any salt length | `id-RSASSA-PSS` with `RSASSA-PSS-params` ([RFC 4055 §3.1]) | `rsaEncryption` or `id-RSASSA-PSS` |
//! | ECDSA with SHA-256/384/512 on P-256 and P-384 | `ecdsa-with-SHA{256,384,512}` ([RFC 5758 §3.2]) | `id-ecPublicKey` ([RFC 5480 §2.1.1]) |
//! | PKCS #1 v1.5 or ECDSA with the digest given apart | `rsaEncryption` / `id-ecPublicKey` as the signature algorithm, which CMS allows ([RFC 5652 §5.3], [RFC 3370 §3.2]) | as above |
//!
//! The identifiers are read by [`SignatureScheme::from_identifier`]; the message is hashed with
//! the digest the identifier names and the signature checked by the [crypto
//! provider](crate::crypto) in use (aws-lc-rs when built in, with RustCrypto's `rsa`, `p256`
//! and `p384` for what it does not do; RustCrypto alone otherwise). A 384-bit digest with a
//! P-256 key truncates as FIPS 186-4 §6.4 says.
//!
//! [RFC 5280 §4.1.1.2]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.2
//! [RFC 4055 §5]: https://www.rfc-editor.org/rfc/rfc4055#section-5
//! [RFC 4055 §3.1]: https://www.rfc-editor.org/rfc/rfc4055#section-3.1
//! [RFC 3279 §2.2.1]: https://www.rfc-editor.org/rfc/rfc3279#section-2.2.1
//! [RFC 5758 §3.2]: https://www.rfc-editor.org/rfc/rfc5758#section-3.2
//! [RFC 5480 §2.1.1]: https://www.rfc-editor.org/rfc/rfc5480#section-2.1.1
//! [RFC 5652 §5.3]: https://www.rfc-editor.org/rfc/rfc5652#section-5.3
//! [RFC 3370 §3.2]: https://www.rfc-editor.org/rfc/rfc3370#section-3.2

use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::crypto::Signed;
use crate::{Certificate, DigestAlgorithm, Error, Result, SignatureScheme};

/// What [`verify_signature_with`] accepts beyond the defaults: the `AlgorithmIdentifier`
/// ([RFC 5280 §4.1.1.2]) may leave the digest to the caller, and SHA-1 may be allowed.
///
/// [RFC 5280 §4.1.1.2]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.2
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Accept SHA-1 based algorithms (`sha1WithRSAEncryption`, `ecdsa-with-SHA1`, PSS with
    /// SHA-1). Off by default: SHA-1 signatures are legacy, to be accepted only for old
    /// documents and flagged in reports.
    pub allow_sha1: bool,
    /// The digest for identifiers that name only a key type (`rsaEncryption`,
    /// `id-ecPublicKey`), as in CMS; ignored otherwise.
    pub digest: Option<DigestAlgorithm>,
}

/// The key to verify with: a certificate or a bare SubjectPublicKeyInfo ([RFC 5280
/// §4.1.2.7]).
///
/// [RFC 5280 §4.1.2.7]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.7
pub trait PublicKeySource {
    /// The SubjectPublicKeyInfo ([RFC 5280 §4.1.2.7]).
    ///
    /// [RFC 5280 §4.1.2.7]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.7
    fn subject_public_key_info(&self) -> &SubjectPublicKeyInfoOwned;
}

impl PublicKeySource for SubjectPublicKeyInfoOwned {
    fn subject_public_key_info(&self) -> &SubjectPublicKeyInfoOwned {
        self
    }
}

impl PublicKeySource for Certificate {
    fn subject_public_key_info(&self) -> &SubjectPublicKeyInfoOwned {
        self.inner().tbs_certificate().subject_public_key_info()
    }
}

/// Verifies `signature` over `message` with `key` (a [`Certificate`] or a
/// `SubjectPublicKeyInfoOwned`, [RFC 5280 §4.1.2.7]) under `algorithm` ([RFC 5280
/// §4.1.1.2]), rejecting SHA-1 (see [`verify_signature_with`]). For a certificate's own
/// signature, `message` is the DER `tbsCertificate` and `signature` the `signatureValue`
/// bits ([RFC 5280 §4.1.1.3]).
///
/// [RFC 5280 §4.1.2.7]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.7
/// [RFC 5280 §4.1.1.2]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.2
/// [RFC 5280 §4.1.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.3
///
/// ```no_run
/// # fn f(cert: &kyso_cert::Certificate, issuer: &kyso_cert::Certificate) -> kyso_cert::Result<()> {
/// // Does `issuer`'s key sign `cert`? (path validation does this for every link)
/// let x509 = cert.inner();
/// kyso_cert::verify_signature(
///     issuer,
///     x509.signature_algorithm(),
///     cert.tbs_der()?,
///     x509.signature().raw_bytes(),
/// )?;
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// See [`verify_signature_with`].
pub fn verify_signature(
    key: &impl PublicKeySource,
    algorithm: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    verify_signature_with(
        key,
        algorithm,
        message,
        signature,
        &VerifyOptions::default(),
    )
}

/// Verifies `signature` over `message` with `key` under `algorithm` and `options` (see
/// [`verify_signature`]). The parameters of an `id-RSASSA-PSS` *key* ([RFC 4055 §3.1],
/// restricting the hash it may be used with) are not enforced; the signature's own
/// parameters are.
///
/// [RFC 4055 §3.1]: https://www.rfc-editor.org/rfc/rfc4055#section-3.1
///
/// # Errors
///
/// * [`Error::UnsupportedAlgorithm`]: the algorithm or its parameters are not supported;
/// * [`Error::Sha1NotAllowed`]: a SHA-1 algorithm without [`VerifyOptions::allow_sha1`];
/// * [`Error::KeyMismatch`]: the key is not of the algorithm's type (e.g. an EC key for an
///   RSA signature, an `id-RSASSA-PSS` key for PKCS #1 v1.5 — [RFC 4055 §1.2]), or is on an
///   unsupported curve;
/// * [`Error::InvalidPublicKey`]: the key does not decode (bad RSA modulus, point not on
///   the curve, RSA modulus outside 1024..=8192 bits);
/// * [`Error::SignatureMismatch`]: the signature does not verify.
///
/// [RFC 4055 §1.2]: https://www.rfc-editor.org/rfc/rfc4055#section-1.2
pub fn verify_signature_with(
    key: &impl PublicKeySource,
    algorithm: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
    options: &VerifyOptions,
) -> Result<()> {
    let scheme = checked_scheme(algorithm, options)?;
    crate::crypto::verify(
        key.subject_public_key_info(),
        algorithm.oid,
        scheme,
        Signed::Message(message),
        signature,
    )
}

/// Like [`verify_signature_with`], for a message the caller has already hashed with the
/// algorithm's digest: `digest` is that hash (a CMS `SignerInfo` without signed attributes
/// signs the content digest, which is all a streaming verifier keeps).
///
/// # Errors
///
/// As [`verify_signature_with`]; [`Error::SignatureMismatch`] also when `digest` has the
/// wrong length for the algorithm.
pub fn verify_prehashed_with(
    key: &impl PublicKeySource,
    algorithm: &AlgorithmIdentifierOwned,
    digest: &[u8],
    signature: &[u8],
    options: &VerifyOptions,
) -> Result<()> {
    let scheme = checked_scheme(algorithm, options)?;
    if digest.len() != scheme.digest().output_len() {
        return Err(Error::SignatureMismatch);
    }
    crate::crypto::verify(
        key.subject_public_key_info(),
        algorithm.oid,
        scheme,
        Signed::Digest(digest),
        signature,
    )
}

/// The scheme `algorithm` names, refused when it is SHA-1 based and `options` do not allow it.
fn checked_scheme(
    algorithm: &AlgorithmIdentifierOwned,
    options: &VerifyOptions,
) -> Result<SignatureScheme> {
    let scheme = SignatureScheme::from_identifier(algorithm, options.digest)?;
    if scheme.digest().is_legacy() && !options.allow_sha1 {
        return Err(Error::Sha1NotAllowed { oid: algorithm.oid });
    }
    Ok(scheme)
}
