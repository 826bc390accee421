//! Logging a session in: the PIN flags checked first, the PIN fetched only when needed, used for
//! one `C_Login` and dropped (zeroized).

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::session::{Session, UserType};

use super::{PinSource, TokenInfo, ck_error};
use crate::{Error, Result};

/// What the token's PIN flags allow before any PIN is sent.
///
/// A locked PIN cannot log in; a PIN on its final try is not risked unless the caller says so,
/// because a typo would lock the token (and on Vietnamese CA tokens only the CA's unlock
/// procedure can undo that).
pub(crate) fn check_pin_flags(token: &TokenInfo, allow_final_try: bool) -> Result<()> {
    if token.user_pin_locked {
        return Err(Error::PinLocked);
    }
    if token.user_pin_final_try && !allow_final_try {
        return Err(Error::PinFinalTry);
    }
    Ok(())
}

/// Logs `session` in as the user, if `token` requires a login.
///
/// `token` must be fresh (read just before): its PIN flags decide whether to try at all.
/// `CKR_USER_ALREADY_LOGGED_IN` is success: PKCS#11 login state is shared by every session an
/// application has on a token, so another signer of this process may have logged in already.
pub(crate) fn login(
    session: &Session,
    token: &TokenInfo,
    source: PinSource,
    allow_final_try: bool,
) -> Result<()> {
    if !token.login_required {
        return Ok(());
    }
    check_pin_flags(token, allow_final_try)?;
    let pin = match source {
        PinSource::ProtectedAuthenticationPath if !token.protected_authentication_path => {
            return Err(Error::PinUnavailable(
                "the token has no PIN pad (no protected authentication path): give a PIN".into(),
            ));
        }
        source => source.take(token)?,
    };
    let result = session.login(UserType::User, pin.as_ref().map(|p| p.secret()));
    drop(pin); // zeroized here, whatever the outcome
    match result {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
        Err(e) => Err(ck_error("C_Login", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> TokenInfo {
        TokenInfo {
            slot_id: 0,
            slot_description: String::new(),
            label: "Token Ký Số".into(),
            initialized: true,
            manufacturer: String::new(),
            model: String::new(),
            serial_number: String::new(),
            login_required: true,
            protected_authentication_path: false,
            user_pin_initialized: true,
            user_pin_count_low: false,
            user_pin_final_try: false,
            user_pin_locked: false,
            user_pin_to_be_changed: false,
        }
    }

    #[test]
    fn final_try_is_refused_unless_allowed() {
        let mut t = token();
        assert!(check_pin_flags(&t, false).is_ok());
        t.user_pin_count_low = true;
        assert!(check_pin_flags(&t, false).is_ok());
        t.user_pin_final_try = true;
        assert!(matches!(
            check_pin_flags(&t, false),
            Err(Error::PinFinalTry)
        ));
        assert!(check_pin_flags(&t, true).is_ok());
        t.user_pin_locked = true;
        assert!(matches!(check_pin_flags(&t, true), Err(Error::PinLocked)));
    }

    #[test]
    fn errors_are_typed() {
        use cryptoki::context::Function;
        let rv = |rv| CkError::Pkcs11(rv, Function::Login);
        assert!(matches!(
            ck_error("C_Login", rv(RvError::PinIncorrect)),
            Error::WrongPin
        ));
        assert!(matches!(
            ck_error("C_Login", rv(RvError::PinLocked)),
            Error::PinLocked
        ));
        for removed in [
            RvError::DeviceRemoved,
            RvError::TokenNotPresent,
            RvError::SessionHandleInvalid,
            RvError::SessionClosed,
        ] {
            assert!(matches!(
                ck_error("C_Sign", rv(removed)),
                Error::TokenRemoved
            ));
        }
        assert!(matches!(
            ck_error("C_Sign", rv(RvError::GeneralError)),
            Error::Pkcs11 {
                operation: "C_Sign",
                ..
            }
        ));
    }
}
