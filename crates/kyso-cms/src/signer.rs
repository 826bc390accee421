//! The [`Signer`] trait: what a CMS builder needs from a private key.

use kyso_cert::Certificate;

use crate::SignatureScheme;

/// A private key able to sign, with the certificate that binds it to its holder.
///
/// kyso-token implements this for software keys (PKCS#12, PKCS#8), PKCS#11 tokens and remote
/// signing services; kyso-pdf and the CMS builder only ever see a `&dyn Signer`.
pub trait Signer: Send + Sync {
    /// The signer's own certificate.
    fn certificate(&self) -> &Certificate;

    /// Intermediate CA certificates to embed after the signer's, nearest first. The root may be
    /// included or not; validators ignore it.
    fn chain(&self) -> &[Certificate];

    /// The signature algorithm [`Signer::sign`] applies, including its digest.
    fn algorithm(&self) -> SignatureScheme;

    /// Signs `message` (for CMS, the DER of the signed attributes): hashes it with the
    /// algorithm's digest and returns the signature value as it goes into
    /// `SignerInfo.signature` — PKCS#1 v1.5 or PSS bytes for RSA, a DER `ECDSA-Sig-Value` for
    /// ECDSA.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError>;

    /// Signs several messages, one result per message in order. Backends that can authorise
    /// a batch at once (a CSC service's multi-hash authorisation, a token session) override
    /// this; the default signs one by one.
    fn sign_many(&self, messages: &[&[u8]]) -> Vec<Result<Vec<u8>, SignerError>> {
        messages.iter().map(|m| self.sign(m)).collect()
    }

    /// How a batch of documents should reach this signer: gathered into one
    /// [`Signer::sign_many`] call (the default, for tokens and remote services that authorise
    /// once per call), or one [`Signer::sign`] per document as soon as it is ready.
    fn batch_mode(&self) -> BatchMode {
        BatchMode::Gathered
    }

    /// Whether every signature [`Signer::sign`] returns is known to verify under
    /// [`Signer::certificate`]'s public key, so that a caller holding this signer need not
    /// verify it again before embedding it. `true` only for a key in this process that was
    /// matched to its certificate when it was loaded (and whose RSA results the crypto library
    /// already checks against faults); `false`, the default, for tokens, remote services and
    /// anything else that could answer with another key or a corrupted value.
    fn verifies_own_signatures(&self) -> bool {
        false
    }
}

/// How a batch hands its messages to a [`Signer`] (see [`Signer::batch_mode`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum BatchMode {
    /// Every message in one [`Signer::sign_many`] call, after every document is prepared: one
    /// token login, one PIN entry or one remote authorisation for the whole batch.
    #[default]
    Gathered,
    /// Each message through [`Signer::sign`] as soon as its document is prepared, from several
    /// threads at once: for a key held in this process, where a call costs the signature and
    /// nothing else, so signing one document overlaps reading and writing the others.
    EachAsReady,
}

/// Why a [`Signer`] could not sign. Backends keep their own detailed error as the `source`.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SignerError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl SignerError {
    /// A signing failure described by `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// A signing failure caused by a backend error.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}
