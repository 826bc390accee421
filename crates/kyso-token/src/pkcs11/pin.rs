//! [`Pin`] and [`PinSource`]: where the token's user PIN comes from, and how it is kept while it
//! exists.
//!
//! A PIN is held in a [`secrecy::SecretString`], whose buffer is zeroized when dropped; it is
//! handed to `C_Login` and dropped right after, so it lives for the duration of the login only.
//! `Debug` never shows it, and there is no `Display`.

use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::TokenInfo;
use crate::{Error, Result};

/// A token's user PIN. Zeroized when dropped; never printed (`Debug` shows `Pin(<hidden>)`).
pub struct Pin(SecretString);

impl Pin {
    /// A PIN from a string. The string is copied into the secret buffer and the original is
    /// zeroized, so no unwiped copy stays behind.
    pub fn new(pin: impl Into<String>) -> Self {
        let pin = Zeroizing::new(pin.into());
        Self(SecretString::from(pin.as_str()))
    }

    /// The PIN held by the environment variable `var`. Only read when the caller asks for it:
    /// this crate never looks at the environment on its own.
    ///
    /// # Errors
    ///
    /// [`Error::PinUnavailable`] when the variable is not set, not UTF-8 or empty.
    pub fn from_env(var: &str) -> Result<Self> {
        let value = Zeroizing::new(std::env::var(var).map_err(|_| {
            Error::PinUnavailable(format!("the environment variable {var} is not set"))
        })?);
        if value.is_empty() {
            return Err(Error::PinUnavailable(format!(
                "the environment variable {var} is empty"
            )));
        }
        Ok(Self::new(value.as_str()))
    }

    /// The PIN on the first line of a file (without its line ending).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read; [`Error::PinUnavailable`] when its first line
    /// is empty.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?);
        let line = text.lines().next().unwrap_or_default();
        if line.is_empty() {
            return Err(Error::PinUnavailable(format!(
                "the first line of {} is empty",
                path.display()
            )));
        }
        Ok(Self::new(line))
    }

    /// The PIN as cryptoki takes it.
    pub(crate) fn secret(&self) -> &SecretString {
        &self.0
    }

    /// The PIN's length in bytes (never its content); for checks against the token's limits.
    pub fn len(&self) -> usize {
        self.0.expose_secret().len()
    }

    /// Whether the PIN is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(<hidden>)")
    }
}

/// A function that supplies the PIN when the token asks for it, shown the token it is for (its
/// label, and whether the PIN count is low) — a dialog, a terminal prompt, a secrets manager.
pub type PinCallback = Box<dyn FnMut(&TokenInfo) -> Result<Pin> + Send>;

/// Where [`Pkcs11Signer`](super::Pkcs11Signer) gets the PIN when the token needs a login.
///
/// The PIN is fetched only when needed (a token that requires no login is never asked), used
/// for one `C_Login`, and dropped.
pub enum PinSource {
    /// This PIN.
    Pin(Pin),
    /// The value of this environment variable ([`Pin::from_env`]).
    Env(String),
    /// The first line of this file ([`Pin::from_file`]).
    File(PathBuf),
    /// Ask this function ([`PinCallback`]).
    Callback(PinCallback),
    /// The token has its own PIN pad or biometric reader (`CKF_PROTECTED_AUTHENTICATION_PATH`):
    /// log in without sending a PIN; the user enters it on the device.
    ProtectedAuthenticationPath,
}

impl PinSource {
    /// A [`PinSource::Callback`] from a closure.
    pub fn callback(f: impl FnMut(&TokenInfo) -> Result<Pin> + Send + 'static) -> Self {
        Self::Callback(Box::new(f))
    }

    /// The PIN, or `None` for the protected authentication path.
    pub(crate) fn take(self, token: &TokenInfo) -> Result<Option<Pin>> {
        match self {
            Self::Pin(pin) => Ok(Some(pin)),
            Self::Env(var) => Pin::from_env(&var).map(Some),
            Self::File(path) => Pin::from_file(path).map(Some),
            Self::Callback(mut f) => f(token).map(Some),
            Self::ProtectedAuthenticationPath => Ok(None),
        }
    }
}

impl From<Pin> for PinSource {
    fn from(pin: Pin) -> Self {
        Self::Pin(pin)
    }
}

impl fmt::Debug for PinSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pin(_) => f.write_str("PinSource::Pin(<hidden>)"),
            Self::Env(var) => write!(f, "PinSource::Env({var:?})"),
            Self::File(path) => write!(f, "PinSource::File({path:?})"),
            Self::Callback(_) => f.write_str("PinSource::Callback(..)"),
            Self::ProtectedAuthenticationPath => {
                f.write_str("PinSource::ProtectedAuthenticationPath")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_pin() {
        let pin = Pin::new("123456");
        assert_eq!(format!("{pin:?}"), "Pin(<hidden>)");
        let source = PinSource::from(Pin::new("987654"));
        assert!(!format!("{source:?}").contains("987654"));
        assert_eq!(pin.len(), 6);
    }

    #[test]
    fn file_pin_is_the_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pin");
        std::fs::write(&path, "2468\r\nignored\n").unwrap();
        let pin = Pin::from_file(&path).unwrap();
        assert_eq!(pin.secret().expose_secret(), "2468");
        std::fs::write(&path, "\n").unwrap();
        assert!(matches!(
            Pin::from_file(&path),
            Err(Error::PinUnavailable(_))
        ));
        assert!(matches!(
            Pin::from_file(dir.path().join("missing")),
            Err(Error::Io { .. })
        ));
    }

    #[test]
    fn missing_env_var_is_pin_unavailable() {
        assert!(matches!(
            Pin::from_env("KYSO_TEST_PIN_THAT_IS_NEVER_SET"),
            Err(Error::PinUnavailable(_))
        ));
    }
}
