//! [`CscApprovalSigner`]: the CSC adapter of [`ApprovalSigner`], for portals that answer at
//! once and poll later.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;

use kyso_cert::Certificate;
use kyso_cms::SignatureScheme;

use super::client::{AuthorizeOutcome, Sad, SignHashOutcome};
use crate::Result;
use crate::remote::RemoteError;
use crate::remote::approval::{ApprovalSigner, PendingId, is_transient};

use super::session::CscSession;
#[derive(Clone)]
enum Pending {
    Authorizing { handle: String, digest: Vec<u8> },
    Signing { response_id: String },
    Ready(Vec<u8>),
}

/// The CSC adapter of [`ApprovalSigner`]: `submit` sends `credentials/authorize` and, once a SAD
/// is there, `signatures/signHash` (in the session's operation mode); `poll` advances through
/// `credentials/authorizeCheck` and `signatures/signPolling`. Wrap it in a
/// [`PollingSigner`](crate::remote::PollingSigner) to get a [`Signer`](kyso_cms::Signer), or drive it yourself
/// (a portal that answers the browser at once and polls on later requests).
///
/// The CSC API has no method to withdraw a request: `cancel` forgets it locally, and a late
/// approval on the user's side then signs a digest nobody collects. Pending ids are valid in
/// this process only.
pub struct CscApprovalSigner {
    session: Arc<CscSession>,
    pending: Mutex<HashMap<u64, Pending>>,
    next_id: AtomicU64,
}

impl fmt::Debug for CscApprovalSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CscApprovalSigner")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl CscApprovalSigner {
    /// The adapter over `session`.
    pub fn new(session: CscSession) -> Self {
        Self {
            session: Arc::new(session),
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
        }
    }

    /// The session.
    pub fn session(&self) -> &CscSession {
        &self.session
    }

    fn start_signing(&self, sad: &Sad, digest: &[u8]) -> Result<Pending> {
        Ok(match self.session.start_sign_hashes(sad, &[digest])? {
            SignHashOutcome::Signatures(mut signatures) => Pending::Ready(signatures.remove(0)),
            SignHashOutcome::Pending { response_id } => Pending::Signing { response_id },
        })
    }

    fn key(id: &PendingId) -> Result<u64> {
        id.as_str()
            .strip_prefix("csc-")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| RemoteError::Config(format!("unknown pending request {id}")).into())
    }

    fn take(&self, key: u64) -> Result<Pending> {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key)
            .ok_or_else(|| RemoteError::Config(format!("unknown pending request csc-{key}")).into())
    }

    fn put(&self, key: u64, state: Pending) {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, state);
    }
}

impl ApprovalSigner for CscApprovalSigner {
    fn certificate(&self) -> &Certificate {
        self.session.certificate()
    }

    fn chain(&self) -> &[Certificate] {
        self.session.chain()
    }

    fn algorithm(&self) -> SignatureScheme {
        self.session.algorithm()
    }

    fn submit(&self, digest: &[u8], algorithm: SignatureScheme) -> Result<PendingId> {
        if algorithm != self.session.algorithm() {
            return Err(RemoteError::Config(format!(
                "the session signs with {}, not {algorithm}",
                self.session.algorithm()
            ))
            .into());
        }
        let state = match self.session.start_authorize(&[digest])? {
            AuthorizeOutcome::Authorized(sad) => self.start_signing(&sad, digest)?,
            AuthorizeOutcome::Pending { handle } => Pending::Authorizing {
                handle,
                digest: digest.to_vec(),
            },
        };
        let key = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.put(key, state);
        Ok(PendingId::new(format!("csc-{key}")))
    }

    fn poll(&self, id: &PendingId) -> Result<Poll<Vec<u8>>> {
        let key = Self::key(id)?;
        // The state is taken out while the service is asked, and put back while still pending
        // or after a network failure (to be asked again); any other failure (rejection,
        // expiry) ends the request.
        let state = self.take(key)?;
        match self.advance(state.clone()) {
            Ok(Pending::Ready(signature)) => Ok(Poll::Ready(signature)),
            Ok(next) => {
                self.put(key, next);
                Ok(Poll::Pending)
            }
            Err(error) => {
                if is_transient(&error) {
                    self.put(key, state);
                }
                Err(error)
            }
        }
    }

    fn cancel(&self, id: &PendingId) -> Result<()> {
        let key = Self::key(id)?;
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key);
        Ok(())
    }
}

impl CscApprovalSigner {
    /// One step: asks the service about `state`; the next state, `Pending::Ready` once signed.
    fn advance(&self, state: Pending) -> Result<Pending> {
        Ok(match state {
            Pending::Ready(signature) => Pending::Ready(signature),
            Pending::Authorizing { handle, digest } => {
                match self.session.client().authorize_check(&handle)? {
                    AuthorizeOutcome::Authorized(sad) => self.start_signing(&sad, &digest)?,
                    AuthorizeOutcome::Pending { handle } => Pending::Authorizing { handle, digest },
                }
            }
            Pending::Signing { response_id } => match self.session.poll_signatures(&response_id)? {
                Poll::Ready(mut signatures) if signatures.len() == 1 => {
                    Pending::Ready(signatures.remove(0))
                }
                Poll::Ready(signatures) => {
                    return Err(RemoteError::InvalidResponse(format!(
                        "{} signatures for 1 hash",
                        signatures.len()
                    ))
                    .into());
                }
                Poll::Pending => Pending::Signing { response_id },
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_ids_round_trip() {
        assert_eq!(
            CscApprovalSigner::key(&PendingId::new("csc-42")).unwrap(),
            42
        );
        assert!(CscApprovalSigner::key(&PendingId::new("other-42")).is_err());
    }
}
