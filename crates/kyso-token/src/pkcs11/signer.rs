//! [`Pkcs11Signer`]: a key on a PKCS#11 token as a [`kyso_cms::Signer`].

use std::fmt;
use std::sync::Mutex;

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::MechanismType;
use cryptoki::object::ObjectHandle;
use cryptoki::session::Session;
use cryptoki::slot::Slot;
use kyso_cert::Certificate;
use kyso_cms::{SignatureScheme, Signer, SignerError};

use super::chain::chain_from;
use super::mechanism::{self, Pkcs11Mechanism};
use super::objects;
use super::select::{CertChoice, KeySelector, select};
use super::{PinSource, Pkcs11Module, TokenInfo, ck_error, login};
use crate::{Error, KeyType, Result};

/// A private key on a PKCS#11 token (a Vietnamese CA's USB token, a smart card, an HSM) that
/// signs as a [`Signer`].
///
/// Made by [`Pkcs11Signer::builder`]: choose the token, the key and where the PIN comes from,
/// then [`Pkcs11SignerBuilder::open`] logs in once and keeps that session for every signature.
/// The session sits behind a mutex, so one signer can be shared (`Arc<Pkcs11Signer>`) by
/// threads that sign in parallel; the token itself signs one request at a time.
///
/// The certificate is the token's certificate for the key (same `CKA_ID`, same public key); the
/// chain is made of the CA certificates stored on the token (plus any given with
/// [`Pkcs11SignerBuilder::extra_chain`]), ordered from the signer's issuer upward.
///
/// Dropping the signer closes its session; the token logs the application out when its last
/// session closes.
pub struct Pkcs11Signer {
    // Declared first so it is dropped (closed) before the module may be finalised.
    session: Mutex<Session>,
    module: Pkcs11Module,
    token: TokenInfo,
    key: ObjectHandle,
    key_label: String,
    key_id: Vec<u8>,
    key_type: KeyType,
    always_authenticate: bool,
    certificate: Certificate,
    chain: Vec<Certificate>,
    algorithm: SignatureScheme,
    mechanism: Pkcs11Mechanism,
    available: Vec<MechanismType>,
    forced: Option<Pkcs11Mechanism>,
}

/// Options for opening a [`Pkcs11Signer`]; see [`Pkcs11Signer::builder`].
#[derive(Debug)]
#[must_use = "call .open() to log in and get the signer"]
pub struct Pkcs11SignerBuilder {
    module: Pkcs11Module,
    token_label: Option<String>,
    slot_id: Option<u64>,
    selector: KeySelector,
    pin: Option<PinSource>,
    algorithm: Option<SignatureScheme>,
    mechanism: Option<Pkcs11Mechanism>,
    extra_chain: Vec<Certificate>,
    allow_final_try: bool,
}

impl Pkcs11Signer {
    /// Starts choosing a token and key of `module`. With nothing else set, the only token
    /// present, its only signing key, and no PIN (which fails on tokens that need one).
    pub fn builder(module: &Pkcs11Module) -> Pkcs11SignerBuilder {
        Pkcs11SignerBuilder {
            module: module.clone(),
            token_label: None,
            slot_id: None,
            selector: KeySelector::Any,
            pin: None,
            algorithm: None,
            mechanism: None,
            extra_chain: Vec::new(),
            allow_final_try: false,
        }
    }

    /// Signs with `algorithm` instead of the default (PKCS#1 v1.5 with SHA-256 for RSA, PSS for
    /// a PSS-only certificate, ECDSA with SHA-256 on P-256 and SHA-384 on P-384).
    ///
    /// # Errors
    ///
    /// [`Error::AlgorithmMismatch`] when the key cannot make such signatures;
    /// [`Error::MechanismNotSupported`] when the token offers no mechanism for it.
    pub fn with_algorithm(mut self, algorithm: SignatureScheme) -> Result<Self> {
        crate::scheme::check_scheme(self.key_type, algorithm)?;
        self.mechanism = mechanism::choose(algorithm, &self.available, self.forced)?;
        self.algorithm = algorithm;
        Ok(self)
    }

    /// The token the key is on.
    pub fn token(&self) -> &TokenInfo {
        &self.token
    }

    /// The module the token is reached through.
    pub fn module(&self) -> &Pkcs11Module {
        &self.module
    }

    /// The private key's `CKA_LABEL`.
    pub fn key_label(&self) -> &str {
        &self.key_label
    }

    /// The private key's `CKA_ID`.
    pub fn key_id(&self) -> &[u8] {
        &self.key_id
    }

    /// The key's type and size, from its certificate.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The mechanism family used for each signature.
    pub fn mechanism(&self) -> Pkcs11Mechanism {
        self.mechanism
    }

    /// The exact mechanism used for each signature, e.g. `CKM_SHA256_RSA_PKCS`.
    pub fn mechanism_name(&self) -> &'static str {
        self.mechanism.name(self.algorithm.digest())
    }

    /// Signs `message` in `session` (held locked by the caller).
    fn sign_locked(&self, session: &Session, message: &[u8]) -> Result<Vec<u8>> {
        let digest = self.algorithm.digest();
        let input = mechanism::sign_input(self.mechanism, digest, message);
        let mech = mechanism::mechanism(self.mechanism, self.algorithm);
        let raw = session
            .sign(&mech, self.key, &input)
            .map_err(|e| self.sign_error(e))?;
        mechanism::finish_signature(self.key_type, raw)
    }

    fn session(&self) -> std::sync::MutexGuard<'_, Session> {
        // A panic while the lock was held cannot leave the session half-used: every call is
        // one complete C_SignInit + C_Sign.
        self.session.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn sign_error(&self, e: CkError) -> Error {
        match e {
            CkError::Pkcs11(
                RvError::MechanismInvalid
                | RvError::MechanismParamInvalid
                | RvError::KeyFunctionNotPermitted
                | RvError::KeyTypeInconsistent,
                _,
            ) => Error::MechanismNotSupported {
                algorithm: self.algorithm,
                reason: format!("the token refused {}: {e}", self.mechanism_name()),
            },
            CkError::Pkcs11(RvError::UserNotLoggedIn, _) if self.always_authenticate => {
                Error::UnsupportedKey(
                    "the key asks for the PIN again before every signature \
                     (CKA_ALWAYS_AUTHENTICATE), which kyso does not support yet"
                        .into(),
                )
            }
            e => match ck_error("C_Sign", e) {
                // Modules report a token pulled out mid-way in many ways (SoftHSM2: the key
                // handle is no longer valid); if the token is gone, say so.
                Error::Pkcs11 { .. } if !self.token_still_there() => Error::TokenRemoved,
                err => err,
            },
        }
    }

    /// Whether the token this signer logged in to is still in its slot.
    fn token_still_there(&self) -> bool {
        Slot::try_from(self.token.slot_id)
            .ok()
            .and_then(|slot| self.module.token_info(slot).ok())
            .is_some_and(|now| {
                now.serial_number == self.token.serial_number && now.label == self.token.label
            })
    }
}

impl Pkcs11SignerBuilder {
    /// Uses the token with this label (compared after NFC normalisation).
    pub fn token_label(mut self, label: impl Into<String>) -> Self {
        self.token_label = Some(label.into());
        self
    }

    /// Uses the token in this slot (takes precedence over [`Pkcs11SignerBuilder::token_label`]).
    pub fn slot(mut self, slot_id: u64) -> Self {
        self.slot_id = Some(slot_id);
        self
    }

    /// Picks the key (default [`KeySelector::Any`]).
    pub fn key(mut self, selector: KeySelector) -> Self {
        self.selector = selector;
        self
    }

    /// Where the PIN comes from, when the token needs a login.
    pub fn pin(mut self, source: impl Into<PinSource>) -> Self {
        self.pin = Some(source.into());
        self
    }

    /// Signs with this algorithm instead of the key's default.
    pub fn algorithm(mut self, algorithm: SignatureScheme) -> Self {
        self.algorithm = Some(algorithm);
        self
    }

    /// Uses only this mechanism family, e.g. [`Pkcs11Mechanism::RsaPkcsRaw`] for a token whose
    /// hashing mechanisms misbehave. By default the first the token lists, in the order of the
    /// [module guide](super#mechanisms).
    pub fn mechanism(mut self, mechanism: Pkcs11Mechanism) -> Self {
        self.mechanism = Some(mechanism);
        self
    }

    /// CA certificates to embed besides those on the token (for tokens that carry only the
    /// signer's certificate).
    pub fn extra_chain(mut self, certificates: Vec<Certificate>) -> Self {
        self.extra_chain = certificates;
        self
    }

    /// Tries the PIN even when the token says one more wrong PIN locks it. Off by default:
    /// [`open`](Self::open) then fails with [`Error::PinFinalTry`] before sending the PIN.
    pub fn allow_final_try(mut self, allow: bool) -> Self {
        self.allow_final_try = allow;
        self
    }

    /// Finds the token, logs in, picks the key and its certificate, reads the chain and
    /// chooses the mechanism.
    ///
    /// # Errors
    ///
    /// * the token: [`Error::NoTokenPresent`], [`Error::AmbiguousToken`];
    /// * the login: [`Error::WrongPin`], [`Error::PinLocked`], [`Error::PinFinalTry`],
    ///   [`Error::PinUnavailable`] (also when the token needs a PIN and no source was given);
    /// * the key: [`Error::KeyNotFound`], [`Error::AmbiguousKey`],
    ///   [`Error::CertificateNotFound`], [`Error::KeyCertificateMismatch`] (the certificate
    ///   with the key's id holds another key, or a trial signature did not verify),
    ///   [`Error::UnsupportedKey`];
    /// * the algorithm: [`Error::AlgorithmMismatch`], [`Error::MechanismNotSupported`];
    /// * [`Error::TokenRemoved`], [`Error::Pkcs11`] for the module's own failures.
    pub fn open(self) -> Result<Pkcs11Signer> {
        let module = self.module;
        let token = match (self.slot_id, &self.token_label) {
            (Some(slot), _) => module.token_in_slot(slot)?,
            (None, label) => module.find_token(label.as_deref())?,
        };
        let slot = Slot::try_from(token.slot_id).map_err(|_| Error::TokenRemoved)?;
        let session = module.open_session(&token)?;

        let source = match self.pin {
            Some(source) => Some(source),
            None if !token.login_required => None,
            None if token.protected_authentication_path => {
                Some(PinSource::ProtectedAuthenticationPath)
            }
            None => {
                return Err(Error::PinUnavailable(format!(
                    "the token \"{}\" needs a PIN and none was given",
                    token.label
                )));
            }
        };
        let logged_in = source.is_some() || !token.login_required;
        if let Some(source) = source {
            login::login(&session, &token, source, self.allow_final_try)?;
        }
        // The flags after the login (count-low cleared, and so on).
        let token = module.token_info(slot).unwrap_or(token);

        let objects = objects::read_all(&session, token.clone(), logged_in)?;
        let (k, choice) = select(&objects, &self.selector)?;
        let key = &objects.private_keys[k];
        let available = module
            .context()
            .get_mechanism_list(slot)
            .map_err(|e| ck_error("C_GetMechanismList", e))?;

        let plan = |cert: &Certificate| -> Result<(KeyType, SignatureScheme, Pkcs11Mechanism)> {
            let key_type = key_type_of(cert)?;
            let algorithm = match self.algorithm {
                Some(chosen) => chosen,
                None => crate::scheme::default_scheme(key_type)?,
            };
            crate::scheme::check_scheme(key_type, algorithm)?;
            let chosen = mechanism::choose(algorithm, &available, self.mechanism)?;
            Ok((key_type, algorithm, chosen))
        };
        let certificate_at = |i: usize| {
            objects.certificates[i]
                .certificate
                .clone()
                .expect("paired certificates are parsed")
        };

        let (certificate, (key_type, algorithm, chosen)) = match choice {
            CertChoice::Verified(i) => {
                let cert = certificate_at(i);
                let plan = plan(&cert)?;
                (cert, plan)
            }
            // The token shows no public value for the key: the certificate whose key verifies a
            // trial signature is the one.
            CertChoice::Unverified(candidates) => {
                let mut found = None;
                let mut last_error = None;
                for i in candidates {
                    let cert = certificate_at(i);
                    match plan(&cert)
                        .and_then(|p| trial_signature(&session, key.handle, &cert, p).map(|()| p))
                    {
                        Ok(p) => {
                            found = Some((cert, p));
                            break;
                        }
                        Err(Error::KeyCertificateMismatch) => {}
                        Err(e) => last_error = Some(e),
                    }
                }
                match (found, last_error) {
                    (Some(found), _) => found,
                    (None, Some(e)) => return Err(e),
                    (None, None) => return Err(Error::KeyCertificateMismatch),
                }
            }
        };

        let mut pool: Vec<Certificate> = objects
            .certificates
            .iter()
            .filter_map(|c| c.certificate.clone())
            .filter(|c| c.der() != certificate.der())
            .collect();
        pool.extend(self.extra_chain.iter().cloned());
        let mut chain = chain_from(&certificate, &pool);
        for extra in self.extra_chain {
            if extra.der() != certificate.der() && !chain.iter().any(|c| c.der() == extra.der()) {
                chain.push(extra);
            }
        }

        Ok(Pkcs11Signer {
            session: Mutex::new(session),
            token,
            key: key.handle,
            key_label: key.label.clone(),
            key_id: key.id.clone(),
            key_type,
            always_authenticate: key.always_authenticate,
            certificate,
            chain,
            algorithm,
            mechanism: chosen,
            available,
            forced: self.mechanism,
            module,
        })
    }
}

/// Signs a fixed message with the token key and checks it with `cert`'s public key.
fn trial_signature(
    session: &Session,
    key: ObjectHandle,
    cert: &Certificate,
    (key_type, algorithm, chosen): (KeyType, SignatureScheme, Pkcs11Mechanism),
) -> Result<()> {
    const MESSAGE: &[u8] = b"kyso: does this key belong to this certificate?";
    let digest = algorithm.digest();
    let raw = session
        .sign(
            &mechanism::mechanism(chosen, algorithm),
            key,
            &mechanism::sign_input(chosen, digest, MESSAGE),
        )
        .map_err(|e| ck_error("C_Sign", e))?;
    let signature = mechanism::finish_signature(key_type, raw)?;
    let identifier = algorithm
        .identifier()
        .map_err(|e| Error::InvalidKey(format!("algorithm identifier: {e}")))?;
    let options = kyso_cert::VerifyOptions {
        allow_sha1: false,
        digest: Some(digest),
    };
    kyso_cert::verify_signature_with(cert, &identifier, MESSAGE, &signature, &options)
        .map_err(|_| Error::KeyCertificateMismatch)
}

/// The key type a certificate's SubjectPublicKeyInfo declares.
fn key_type_of(cert: &Certificate) -> Result<KeyType> {
    kyso_cert::key_type(cert)
        .map_err(|e| Error::InvalidKey(format!("the certificate's public key: {e}")))
}

impl Signer for Pkcs11Signer {
    fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureScheme {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.sign_locked(&self.session(), message)
            .map_err(|e| SignerError::with_source("the PKCS#11 token could not sign", e))
    }

    /// Signs the whole batch under one hold of the session, so another thread's signatures do
    /// not interleave; after the token is removed the remaining messages fail at once.
    fn sign_many(&self, messages: &[&[u8]]) -> Vec<Result<Vec<u8>, SignerError>> {
        let session = self.session();
        let mut removed = false;
        messages
            .iter()
            .map(|m| {
                let result = if removed {
                    Err(Error::TokenRemoved)
                } else {
                    self.sign_locked(&session, m)
                };
                removed |= matches!(result, Err(Error::TokenRemoved));
                result.map_err(|e| SignerError::with_source("the PKCS#11 token could not sign", e))
            })
            .collect()
    }
}

impl fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("token", &self.token.label)
            .field("key_label", &self.key_label)
            .field("key_id", &hex::encode(&self.key_id))
            .field("subject", &self.certificate.subject().display())
            .field("key_type", &self.key_type)
            .field("algorithm", &self.algorithm)
            .field("mechanism", &self.mechanism_name())
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}
