//! The deferred-signing state that `/v1/sign/prepare` hands to its client and
//! `/v1/sign/finish` takes back: the prepared document and its [`DeferredSignature`], sealed
//! with AES-256-GCM under the key every replica shares, with an expiry and a random id that
//! a replay guard remembers until then. Nothing about a signature in progress lives in one
//! process's memory, so any replica can finish what another prepared.
//!
//! A sealed state is `ks1.` and the unpadded base64url of a fresh 96-bit nonce, then the
//! ciphertext and its tag. The plaintext is, in order: the id (16 bytes), the issue and expiry
//! times (Unix seconds, 8 bytes each, big-endian), the length of the state's JSON (4 bytes),
//! that JSON, then the prepared document.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Key};
use axum::http::StatusCode;
use base64ct::{Base64UrlUnpadded, Encoding};
use kyso_pdf::DeferredSignature;

use crate::ApiError;

/// The prefix of a sealed state: its format's version.
const PREFIX: &str = "ks1.";
/// Bound to every sealed state, so that no other use of the key can be passed off as one.
const AAD: &[u8] = b"kyso-server deferred-signing state v1";
const NONCE_LEN: usize = 12;
const HEADER_LEN: usize = 16 + 8 + 8 + 4;

/// A signature in progress, as prepare leaves it.
pub(crate) struct Pending {
    /// Random: what the replay guard remembers.
    pub(crate) id: [u8; 16],
    /// When the state stops being accepted, Unix seconds.
    pub(crate) expires_at: u64,
    /// Where the placeholder is, the signer, the signed attributes and their digest.
    pub(crate) signature: DeferredSignature,
    /// The prepared document, its /Contents placeholder empty.
    pub(crate) prepared: Vec<u8>,
}

/// Seals and opens states with the replicas' shared key.
pub(crate) struct Sealer {
    cipher: Aes256Gcm,
    ttl: Duration,
}

impl Sealer {
    pub(crate) fn new(key: &[u8; 32], ttl: Duration) -> Self {
        Self {
            cipher: Aes256Gcm::new(&Key::<Aes256Gcm>::from(*key)),
            ttl,
        }
    }

    /// A new pending signature for `prepared` and `signature`, expiring one time-to-live
    /// from `now`.
    pub(crate) fn pending(
        &self,
        prepared: Vec<u8>,
        signature: DeferredSignature,
        now: SystemTime,
    ) -> Result<Pending, ApiError> {
        let mut id = [0u8; 16];
        random(&mut id)?;
        Ok(Pending {
            id,
            expires_at: unix(now).saturating_add(self.ttl.as_secs()),
            signature,
            prepared,
        })
    }

    /// The sealed form of `pending`, for the client to carry.
    pub(crate) fn seal(&self, pending: &Pending, now: SystemTime) -> Result<String, ApiError> {
        let json = serde_json::to_vec(&pending.signature).map_err(|e| internal(&e))?;
        let json_len = u32::try_from(json.len()).map_err(|e| internal(&e))?;
        let mut plain = Vec::with_capacity(HEADER_LEN + json.len() + pending.prepared.len() + 16);
        plain.extend_from_slice(&pending.id);
        plain.extend_from_slice(&unix(now).to_be_bytes());
        plain.extend_from_slice(&pending.expires_at.to_be_bytes());
        plain.extend_from_slice(&json_len.to_be_bytes());
        plain.extend_from_slice(&json);
        plain.extend_from_slice(&pending.prepared);
        let mut nonce = [0u8; NONCE_LEN];
        random(&mut nonce)?;
        self.cipher
            .encrypt_in_place(&nonce.into(), AAD, &mut plain)
            .map_err(|e| internal(&e))?;
        let mut sealed = Vec::with_capacity(NONCE_LEN + plain.len());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&plain);
        Ok(format!(
            "{PREFIX}{}",
            Base64UrlUnpadded::encode_string(&sealed)
        ))
    }

    /// Opens a state this service (or a replica sharing its key) sealed, refusing one that
    /// was changed (400) or that expired (410).
    pub(crate) fn open(&self, state: &str, now: SystemTime) -> Result<Pending, ApiError> {
        let not_ours = || {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "the state is not one this service sealed, or it was changed on the way",
            )
        };
        let encoded = state.strip_prefix(PREFIX).ok_or_else(not_ours)?;
        let sealed = Base64UrlUnpadded::decode_vec(encoded).map_err(|_| not_ours())?;
        if sealed.len() < NONCE_LEN + 16 {
            return Err(not_ours());
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| not_ours())?;
        let mut plain = ciphertext.to_vec();
        self.cipher
            .decrypt_in_place(&nonce.into(), AAD, &mut plain)
            .map_err(|_| not_ours())?;
        // Authenticated: from here on the bytes are ours, but read them carefully all the same.
        let (header, rest) = plain.split_at_checked(HEADER_LEN).ok_or_else(not_ours)?;
        let (id, times) = header.split_at(16);
        let expires_at = u64::from_be_bytes(times[8..16].try_into().map_err(|_| not_ours())?);
        let json_len = u32::from_be_bytes(times[16..20].try_into().map_err(|_| not_ours())?);
        if unix(now) >= expires_at {
            return Err(ApiError::new(
                StatusCode::GONE,
                format!(
                    "the state expired at {}: prepare the document again",
                    kyso_pdf::verify::rfc3339(
                        SystemTime::UNIX_EPOCH + Duration::from_secs(expires_at)
                    )
                ),
            ));
        }
        let (json, prepared) = rest
            .split_at_checked(json_len as usize)
            .ok_or_else(not_ours)?;
        let signature = serde_json::from_slice(json).map_err(|_| not_ours())?;
        Ok(Pending {
            id: id.try_into().map_err(|_| not_ours())?,
            expires_at,
            signature,
            prepared: prepared.to_vec(),
        })
    }
}

/// Remembers the states already finished until they expire, so that none is finished twice:
/// in this process's memory, or — for several replicas — as files in a folder they share.
pub(crate) enum ReplayGuard {
    /// One replica's memory: enough for one replica; with several, a state could be finished
    /// once on each (the README says so).
    Memory(Mutex<HashMap<[u8; 16], u64>>),
    /// A folder every replica can write (a shared volume): one file per finished state,
    /// created exclusively, so exactly one replica wins.
    Folder {
        /// The folder.
        path: PathBuf,
        /// Claims since the last sweep of expired files.
        claims: AtomicU64,
    },
}

/// Claims between two sweeps of a shared replay folder.
const SWEEP_EVERY: u64 = 256;

impl ReplayGuard {
    pub(crate) fn new(folder: Option<PathBuf>) -> Self {
        match folder {
            Some(path) => Self::Folder {
                path,
                claims: AtomicU64::new(0),
            },
            None => Self::Memory(Mutex::new(HashMap::new())),
        }
    }

    /// Claims `pending`'s id for one finish: 409 when it was finished already (or is being
    /// finished). The claim is given back when the [`Claim`] drops unkept (a finish that
    /// failed can be tried again).
    pub(crate) fn claim(&self, pending: &Pending, now: SystemTime) -> Result<Claim<'_>, ApiError> {
        let replayed = || {
            ApiError::new(
                StatusCode::CONFLICT,
                "this state was finished already: each prepared signature is finished once",
            )
        };
        match self {
            Self::Memory(seen) => {
                let mut seen = seen
                    .lock()
                    .map_err(|_| internal(&"replay guard poisoned"))?;
                let now = unix(now);
                seen.retain(|_, &mut expires| expires > now);
                if seen.insert(pending.id, pending.expires_at).is_some() {
                    return Err(replayed());
                }
            }
            Self::Folder { path, claims } => {
                if claims.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == 0 {
                    sweep(path, unix(now));
                }
                let file = path.join(hex::encode(pending.id));
                match std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&file)
                {
                    Ok(mut f) => {
                        use std::io::Write;
                        f.write_all(pending.expires_at.to_string().as_bytes())
                            .map_err(|e| internal(&e))?;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        return Err(replayed());
                    }
                    Err(e) => {
                        return Err(ApiError::new(
                            StatusCode::SERVICE_UNAVAILABLE,
                            format!("the replay folder cannot be written: {e}"),
                        ));
                    }
                }
            }
        }
        Ok(Claim {
            guard: self,
            id: pending.id,
            kept: false,
        })
    }

    fn release(&self, id: &[u8; 16]) {
        match self {
            Self::Memory(seen) => {
                if let Ok(mut seen) = seen.lock() {
                    seen.remove(id);
                }
            }
            Self::Folder { path, .. } => {
                let _ = std::fs::remove_file(path.join(hex::encode(id)));
            }
        }
    }
}

/// Removes the files of states that have expired (they can no longer be replayed).
fn sweep(folder: &std::path::Path, now: u64) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let expired = std::fs::read_to_string(entry.path())
            .ok()
            .and_then(|t| t.trim().parse::<u64>().ok())
            .is_some_and(|expires| expires <= now);
        if expired {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A state claimed for one finish; given back on drop unless [`Claim::keep`] was called.
pub(crate) struct Claim<'a> {
    guard: &'a ReplayGuard,
    id: [u8; 16],
    kept: bool,
}

impl Claim<'_> {
    /// The finish succeeded: the state stays spent.
    pub(crate) fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if !self.kept {
            self.guard.release(&self.id);
        }
    }
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn random(out: &mut [u8]) -> Result<(), ApiError> {
    getrandom::fill(out).map_err(|e| internal(&e))
}

fn internal(e: &dyn std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("sealing the signing state failed: {e}"),
    )
}
