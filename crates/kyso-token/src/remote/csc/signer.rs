//! [`CscSigner`]: a [`Signer`] over a [`CscSession`].

use std::sync::Arc;

use kyso_cert::Certificate;
use kyso_cms::{SignatureScheme, Signer, SignerError};

use super::session::CscSession;
use crate::Result;
use crate::remote::{RemoteError, signer_error};

/// A [`Signer`] backed by a CSC credential: `sign` hashes the message with the algorithm's
/// digest and signs the digest with [`CscSession::sign_hashes`]; `sign_many` (what
/// `PdfSigner::sign_batch` calls) signs up to `multisign` messages per authorisation.
///
/// Cheap to clone; safe to share across threads (each call is its own HTTP exchange).
#[derive(Clone, Debug)]
pub struct CscSigner {
    pub(super) session: Arc<CscSession>,
}

impl CscSigner {
    /// A signer over `session`.
    pub fn new(session: CscSession) -> Self {
        session.into_signer()
    }

    /// The session, for batch signing with [`CscSession::sign_hashes`].
    pub fn session(&self) -> &CscSession {
        &self.session
    }

    /// Signs one digest: the typed form of [`Signer::sign`] for callers that hash themselves.
    ///
    /// # Errors
    ///
    /// As [`CscSession::sign_hashes`].
    pub fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>> {
        let mut signatures = self.session.sign_hashes(&[digest])?;
        Ok(signatures.remove(0))
    }
}

impl Signer for CscSigner {
    fn certificate(&self) -> &Certificate {
        self.session.certificate()
    }

    fn chain(&self) -> &[Certificate] {
        self.session.chain()
    }

    fn algorithm(&self) -> SignatureScheme {
        self.session.algorithm()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        let digest = self.session.algorithm().digest().digest(message);
        self.sign_digest(&digest).map_err(signer_error)
    }

    /// Hashes every message and signs them in batches of at most `multisign`: one
    /// `credentials/authorize` and one `signatures/signHash` per batch. A failing batch fails
    /// each of its messages with the same error.
    fn sign_many(&self, messages: &[&[u8]]) -> Vec<Result<Vec<u8>, SignerError>> {
        let digest = self.session.algorithm().digest();
        let digests: Vec<Vec<u8>> = messages.iter().map(|m| digest.digest(m)).collect();
        let mut results = Vec::with_capacity(messages.len());
        for batch in digests.chunks(self.session.multisign() as usize) {
            match self.session.sign_hashes(batch) {
                Ok(signatures) => results.extend(signatures.into_iter().map(Ok)),
                Err(error) => {
                    results.extend((1..batch.len()).map(|_| Err(signer_error(duplicate(&error)))));
                    results.push(Err(signer_error(error)));
                }
            }
        }
        results
    }
}

/// The same error again, for each message of a failed batch: a [`RemoteError`] as it is (it is
/// `Clone`), any other error by its message.
fn duplicate(error: &crate::Error) -> crate::Error {
    match error {
        crate::Error::Remote(remote) => remote.clone().into(),
        other => RemoteError::Config(other.to_string()).into(),
    }
}
