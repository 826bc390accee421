//! Checking a parsed `SignerInfo`: the message digest, the signed attributes and the
//! signature ([RFC 5652 §5.4, §5.6]).
//!
//! [RFC 5652 §5.4, §5.6]: https://www.rfc-editor.org/rfc/rfc5652#section-5.4

use super::*;
use crate::{DigestAlgorithm, Error, Result, SignatureScheme};

/// Verifies a detached CMS signature over `content` with the default [`VerifyOptions`].
pub fn verify_detached(cms_der: &[u8], content: &[u8]) -> Result<VerifiedSignature> {
    let info = SignedDataInfo::parse(cms_der)?;
    let digest = info.digest_algorithm().digest(content);
    info.verify(&digest)
}

/// Verifies a detached CMS signature whose content the caller hashes: `digest_of` gets the
/// digest algorithm the CMS names and returns the content's digest.
pub fn verify_detached_digest(
    cms_der: &[u8],
    digest_of: impl FnOnce(DigestAlgorithm) -> Vec<u8>,
) -> Result<VerifiedSignature> {
    let info = SignedDataInfo::parse(cms_der)?;
    let digest = digest_of(info.digest_algorithm());
    info.verify(&digest)
}

impl SignedDataInfo {
    /// Hashes `content` with [`SignedDataInfo::digest_algorithm`] and verifies; the only way
    /// to verify a `SignerInfo` without signed attributes, whose signature covers the content
    /// itself.
    pub fn verify_content(&self, content: &[u8]) -> Result<VerifiedSignature> {
        self.verify_with(&self.digest_algorithm.digest(content), Some(content))
    }

    /// Verifies the signature for content whose digest (with
    /// [`SignedDataInfo::digest_algorithm`]) is `content_digest`.
    ///
    /// # Errors
    ///
    /// [`Error::DigestLength`], [`Error::BadSignature`], [`Error::DigestMismatch`],
    /// [`Error::MissingAttribute`], [`Error::MalformedAttribute`],
    /// [`Error::ContentTypeMismatch`], [`Error::AlgorithmProtectionMismatch`],
    /// [`Error::SigningCertificateMismatch`], [`Error::UnsupportedAlgorithm`]. A `SignerInfo`
    /// without signed attributes signs the content digest directly, so the digest is enough.
    pub fn verify(&self, content_digest: &[u8]) -> Result<VerifiedSignature> {
        self.verify_with(content_digest, None)
    }

    fn verify_with(
        &self,
        content_digest: &[u8],
        content: Option<&[u8]>,
    ) -> Result<VerifiedSignature> {
        let expected = self.digest_algorithm.output_len();
        if content_digest.len() != expected {
            return Err(Error::DigestLength {
                algorithm: self.digest_algorithm,
                expected,
                actual: content_digest.len(),
            });
        }
        let signer = self.signer_certificate();
        let check_signature = |message: &[u8]| {
            primitive::verify(
                signer,
                &self.signature_algorithm_id,
                self.digest_algorithm,
                self.options.allow_sha1,
                message,
                &self.signature,
            )
        };
        let mut warnings = self.warnings.clone();
        let (ess_binding, algorithm_protection) = match &self.signed_attrs_der {
            Some(der) => {
                // Attributes must be present and well-formed before the signature is checked
                // (RFC 5652 §5.3 makes content-type and message-digest mandatory).
                let checked = attributes::required(&self.signed_attrs)?;
                check_signature(der)?;
                if checked.message_digest != content_digest {
                    return Err(Error::DigestMismatch {
                        algorithm: self.digest_algorithm,
                    });
                }
                if checked.content_type != self.econtent_type {
                    return Err(Error::ContentTypeMismatch {
                        attribute: checked.content_type.to_string(),
                        econtent_type: self.econtent_type.to_string(),
                    });
                }
                let protection = attributes::check_algorithm_protection(
                    &self.signed_attrs,
                    &self.digest_algorithm_id,
                    &self.signature_algorithm_id,
                )?;
                let ess = attributes::check_ess(&self.signed_attrs, signer)?;
                if ess == EssBinding::Absent {
                    warnings.push(Warning::NoSigningCertificateAttribute);
                }
                (ess, protection)
            }
            None => {
                // RFC 5652 §5.4: without signed attributes the signature is over the content
                // itself, hashed with the digest algorithm.
                if !matches!(self.scheme, SignatureScheme::RsaPkcs1v15(_))
                    || self.scheme.digest() != self.digest_algorithm
                {
                    return Err(Error::UnsupportedAlgorithm(format!(
                        "{} without signed attributes (only RSA PKCS#1 v1.5 with the content's digest algorithm is accepted there)",
                        self.scheme
                    )));
                }
                // The signature is over the content's digest: what the caller gave, or the
                // digest of the content it gave.
                match content {
                    Some(content) => check_signature(content)?,
                    None => primitive::verify_prehashed(
                        signer,
                        &self.signature_algorithm_id,
                        self.digest_algorithm,
                        self.options.allow_sha1,
                        content_digest,
                        &self.signature,
                    )?,
                }
                (EssBinding::Absent, false)
            }
        };
        Ok(VerifiedSignature {
            signer: signer.clone(),
            certificates: self
                .certificates
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != self.signer_index)
                .map(|(_, c)| c.clone())
                .collect(),
            signer_id: self.signer_id.clone(),
            digest_algorithm: self.digest_algorithm,
            signature_algorithm: self.scheme,
            signing_time: self.signing_time,
            ess_binding,
            algorithm_protection,
            warnings,
            timestamp_tokens: self
                .timestamp_tokens()
                .into_iter()
                .map(<[u8]>::to_vec)
                .collect(),
        })
    }
}
