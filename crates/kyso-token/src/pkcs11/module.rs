//! [`Pkcs11Module`]: a vendor's PKCS#11 library, loaded once per process, and what it says about
//! its slots and tokens.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::session::Session;
use cryptoki::slot::Slot;

use super::objects::{self, TokenObjects};
use super::{PinSource, ck_error, login, normalize_label};
use crate::{Error, Result};

/// A loaded PKCS#11 module (the vendor's `.so`/`.dll`/`.dylib`).
///
/// Loading the same path twice in one process gives the same module: a PKCS#11 library keeps
/// process-wide state and may be initialised only once (`C_Initialize`). Cloning is cheap (an
/// `Arc`); the library is finalised (`C_Finalize`) and unloaded when the last clone — and every
/// [`Pkcs11Signer`](super::Pkcs11Signer) made from it — is gone.
#[derive(Clone)]
pub struct Pkcs11Module {
    inner: Arc<ModuleInner>,
}

struct ModuleInner {
    /// The registry key: the canonical path, or the bare name given to the loader.
    key: PathBuf,
    ctx: Pkcs11,
    /// False when the library had already been initialised by someone else in this process.
    finalize_on_drop: bool,
}

/// Every module loaded by this process, by path, so a library is initialised once.
static LOADED: Mutex<BTreeMap<PathBuf, Weak<ModuleInner>>> = Mutex::new(BTreeMap::new());

impl Drop for ModuleInner {
    fn drop(&mut self) {
        // Under the registry lock, so a concurrent `load` of the same library waits until the
        // library is finalised before initialising it again.
        let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
        if self.finalize_on_drop {
            // Nothing useful can be done with a failure here.
            let _ = self.ctx.clone().finalize();
        }
        loaded.remove(&self.key);
    }
}

impl Pkcs11Module {
    /// Loads and initialises the PKCS#11 library at `path` (or returns the module already
    /// loaded from that path).
    ///
    /// `path` is normally absolute (`/usr/lib/libviettel-ca_v6.so`); a bare file name
    /// (`libsofthsm2.so`) is looked up by the system loader in its usual directories.
    ///
    /// # Errors
    ///
    /// [`Error::ModuleNotFound`] when there is no file at `path`; [`Error::ModuleNotLoadable`]
    /// when the file is not a loadable PKCS#11 library (wrong architecture, a missing
    /// dependency, no `C_GetFunctionList`) or `C_Initialize` fails.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bare_name = path.components().count() == 1 && !path.is_absolute();
        if !bare_name && !path.exists() {
            return Err(Error::ModuleNotFound(path.to_path_buf()));
        }
        let key = if bare_name {
            path.to_path_buf()
        } else {
            path.canonicalize().map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })?
        };

        loop {
            let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
            match loaded.get(&key) {
                Some(weak) => {
                    if let Some(inner) = weak.upgrade() {
                        return Ok(Self { inner });
                    }
                    // The last user is dropping it right now and will finalise it under this
                    // lock: let it, then load afresh.
                    drop(loaded);
                    std::thread::yield_now();
                    continue;
                }
                None => {
                    let inner = Arc::new(Self::initialise(path, &key, bare_name)?);
                    loaded.insert(key, Arc::downgrade(&inner));
                    return Ok(Self { inner });
                }
            }
        }
    }

    fn initialise(path: &Path, key: &Path, bare_name: bool) -> Result<ModuleInner> {
        let not_loadable = |reason: String| Error::ModuleNotLoadable {
            path: path.to_path_buf(),
            reason,
        };
        let ctx = Pkcs11::new(key).map_err(|e| {
            let reason = e.to_string();
            if bare_name && reason.contains("No such file") {
                Error::ModuleNotFound(path.to_path_buf())
            } else {
                not_loadable(reason)
            }
        })?;
        let finalize_on_drop =
            match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
                Ok(()) => true,
                Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => false,
                Err(e) => return Err(not_loadable(format!("C_Initialize: {e}"))),
            };
        Ok(ModuleInner {
            key: key.to_path_buf(),
            ctx,
            finalize_on_drop,
        })
    }

    /// The path the module was loaded from (canonical, or the bare name given).
    pub fn path(&self) -> &Path {
        &self.inner.key
    }

    pub(crate) fn context(&self) -> &Pkcs11 {
        &self.inner.ctx
    }

    /// What the library says about itself (`C_GetInfo`).
    ///
    /// # Errors
    ///
    /// [`Error::Pkcs11`] when the module fails the call.
    pub fn info(&self) -> Result<ModuleInfo> {
        let info = self
            .context()
            .get_library_info()
            .map_err(|e| ck_error("C_GetInfo", e))?;
        let v = info.library_version();
        let c = info.cryptoki_version();
        Ok(ModuleInfo {
            manufacturer: info.manufacturer_id().trim().to_string(),
            description: info.library_description().trim().to_string(),
            library_version: format!("{}.{}", v.major(), v.minor()),
            cryptoki_version: format!("{}.{}", c.major(), c.minor()),
        })
    }

    /// Every slot (reader) of the module, with the token in it when one is present.
    ///
    /// # Errors
    ///
    /// [`Error::Pkcs11`] when the module fails `C_GetSlotList`/`C_GetSlotInfo`.
    pub fn slots(&self) -> Result<Vec<SlotInfo>> {
        let ctx = self.context();
        let slots = ctx
            .get_all_slots()
            .map_err(|e| ck_error("C_GetSlotList", e))?;
        let mut out = Vec::with_capacity(slots.len());
        for slot in slots {
            let info = ctx
                .get_slot_info(slot)
                .map_err(|e| ck_error("C_GetSlotInfo", e))?;
            let token = if info.token_present() {
                // A token pulled out between the two calls is simply not there.
                self.token_info(slot).ok()
            } else {
                None
            };
            out.push(SlotInfo {
                id: slot.id(),
                description: info.slot_description().trim().to_string(),
                manufacturer: info.manufacturer_id().trim().to_string(),
                token_present: token.is_some(),
                removable: info.removable_device(),
                hardware: info.hardware_slot(),
                token,
            });
        }
        Ok(out)
    }

    /// The tokens present, in slot order.
    ///
    /// # Errors
    ///
    /// [`Error::Pkcs11`] when the module fails to list its slots.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>> {
        let slots = self
            .context()
            .get_slots_with_token()
            .map_err(|e| ck_error("C_GetSlotList", e))?;
        Ok(slots
            .into_iter()
            .filter_map(|slot| self.token_info(slot).ok())
            .collect())
    }

    /// The token labelled `label` (compared after trimming and Unicode NFC normalisation, so a
    /// label typed with decomposed Vietnamese diacritics still matches), or, for `None`, the
    /// only initialised token present.
    ///
    /// # Errors
    ///
    /// [`Error::NoTokenPresent`] when no token (with that label) is present;
    /// [`Error::AmbiguousToken`] when `label` is `None` and several tokens are present.
    pub fn find_token(&self, label: Option<&str>) -> Result<TokenInfo> {
        let mut tokens = self.tokens()?;
        match label {
            Some(label) => {
                let wanted = normalize_label(label);
                tokens
                    .into_iter()
                    .find(|t| normalize_label(&t.label) == wanted)
                    .ok_or_else(|| Error::NoTokenPresent(Some(label.to_string())))
            }
            None => {
                tokens.retain(|t| t.initialized);
                match tokens.len() {
                    0 => Err(Error::NoTokenPresent(None)),
                    1 => Ok(tokens.remove(0)),
                    _ => Err(Error::AmbiguousToken(
                        tokens
                            .into_iter()
                            .map(|t| format!("\"{}\"", t.label))
                            .collect(),
                    )),
                }
            }
        }
    }

    /// The token in slot `slot_id`.
    ///
    /// # Errors
    ///
    /// [`Error::NoTokenPresent`] when the slot does not exist or holds no token.
    pub fn token_in_slot(&self, slot_id: u64) -> Result<TokenInfo> {
        let slot = Slot::try_from(slot_id).map_err(|_| Error::NoTokenPresent(None))?;
        self.token_info(slot)
            .map_err(|_| Error::NoTokenPresent(None))
    }

    /// Fresh information about the token in `slot` (its PIN flags change with every login).
    pub(crate) fn token_info(&self, slot: Slot) -> Result<TokenInfo> {
        let ctx = self.context();
        let info = ctx
            .get_token_info(slot)
            .map_err(|e| ck_error("C_GetTokenInfo", e))?;
        let slot_info = ctx
            .get_slot_info(slot)
            .map_err(|e| ck_error("C_GetSlotInfo", e))?;
        Ok(TokenInfo {
            slot_id: slot.id(),
            slot_description: slot_info.slot_description().trim().to_string(),
            label: info.label().trim().to_string(),
            initialized: info.token_initialized(),
            manufacturer: info.manufacturer_id().trim().to_string(),
            model: info.model().trim().to_string(),
            serial_number: info.serial_number().trim().to_string(),
            login_required: info.login_required(),
            protected_authentication_path: info.protected_authentication_path(),
            user_pin_initialized: info.user_pin_initialized(),
            user_pin_count_low: info.user_pin_count_low(),
            user_pin_final_try: info.user_pin_final_try(),
            user_pin_locked: info.user_pin_locked(),
            user_pin_to_be_changed: info.user_pin_to_be_changed(),
        })
    }

    /// Opens a read-only session on `token`'s slot.
    pub(crate) fn open_session(&self, token: &TokenInfo) -> Result<Session> {
        let slot = Slot::try_from(token.slot_id).map_err(|_| Error::TokenRemoved)?;
        self.context()
            .open_ro_session(slot)
            .map_err(|e| ck_error("C_OpenSession", e))
    }

    /// The keys and certificates on `token`.
    ///
    /// Without a PIN (`pin` is `None`) only public objects are listed: on most tokens the
    /// certificates and public keys, but not the private keys. With a PIN source the session
    /// logs in first (the PIN is asked for only if the token needs a login) and the private keys
    /// are listed too.
    ///
    /// # Errors
    ///
    /// Login errors ([`Error::WrongPin`], [`Error::PinLocked`], [`Error::PinFinalTry`],
    /// [`Error::PinUnavailable`]); [`Error::TokenRemoved`] when the token goes away;
    /// [`Error::Pkcs11`] for other module failures.
    pub fn token_objects(&self, token: &TokenInfo, pin: Option<PinSource>) -> Result<TokenObjects> {
        let session = self.open_session(token)?;
        let logged_in = match pin {
            Some(pin) => {
                let slot = Slot::try_from(token.slot_id).map_err(|_| Error::TokenRemoved)?;
                let fresh = self.token_info(slot)?;
                login::login(&session, &fresh, pin, false)?;
                true
            }
            None => !token.login_required,
        };
        objects::read_all(&session, token.clone(), logged_in)
    }
}

impl fmt::Debug for Pkcs11Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Module")
            .field("path", &self.inner.key)
            .finish_non_exhaustive()
    }
}

/// What a module says about itself (`CK_INFO`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModuleInfo {
    /// `manufacturerID`.
    pub manufacturer: String,
    /// `libraryDescription`.
    pub description: String,
    /// `libraryVersion`, `major.minor`.
    pub library_version: String,
    /// The PKCS#11 version the module implements, `major.minor`.
    pub cryptoki_version: String,
}

/// A slot (`CK_SLOT_INFO`): a reader, or the USB token's own reader.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SlotInfo {
    /// The slot id (`CK_SLOT_ID`), as the module numbers it.
    pub id: u64,
    /// `slotDescription`.
    pub description: String,
    /// `manufacturerID`.
    pub manufacturer: String,
    /// `CKF_TOKEN_PRESENT`.
    pub token_present: bool,
    /// `CKF_REMOVABLE_DEVICE`.
    pub removable: bool,
    /// `CKF_HW_SLOT`: a hardware slot rather than a software one.
    pub hardware: bool,
    /// The token, when one is present.
    pub token: Option<TokenInfo>,
}

/// A token (`CK_TOKEN_INFO`): the USB token or smart card in a slot.
///
/// Text fields are the module's blank-padded strings, trimmed; labels are UTF-8 (invalid bytes
/// show as U+FFFD).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenInfo {
    /// The slot the token is in.
    pub slot_id: u64,
    /// The slot's description (often the reader's name).
    pub slot_description: String,
    /// `label`: what the user or the CA named the token.
    pub label: String,
    /// `CKF_TOKEN_INITIALIZED`. An uninitialised token (SoftHSM2's free slot, a blank card) has
    /// no label, PIN or keys yet.
    pub initialized: bool,
    /// `manufacturerID`.
    pub manufacturer: String,
    /// `model`.
    pub model: String,
    /// `serialNumber`.
    pub serial_number: String,
    /// `CKF_LOGIN_REQUIRED`: signing needs the user PIN.
    pub login_required: bool,
    /// `CKF_PROTECTED_AUTHENTICATION_PATH`: the PIN is entered on the device (PIN pad), not sent.
    pub protected_authentication_path: bool,
    /// `CKF_USER_PIN_INITIALIZED`.
    pub user_pin_initialized: bool,
    /// `CKF_USER_PIN_COUNT_LOW`: a wrong PIN has been entered since the last success.
    pub user_pin_count_low: bool,
    /// `CKF_USER_PIN_FINAL_TRY`: one more wrong PIN locks the token.
    pub user_pin_final_try: bool,
    /// `CKF_USER_PIN_LOCKED`.
    pub user_pin_locked: bool,
    /// `CKF_USER_PIN_TO_BE_CHANGED`: the PIN is the initial one or has expired.
    pub user_pin_to_be_changed: bool,
}
