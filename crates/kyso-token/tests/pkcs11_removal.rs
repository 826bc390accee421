//! A token that goes away while a signer holds a session: the typed error, not a module code.
//!
//! A test binary of its own, because it deletes the SoftHSM2 token the other tests use (each
//! test binary sets up its own token directory).

mod pkcs11_softhsm;

use kyso_cms::Signer;
use kyso_token::Error;
use kyso_token::pkcs11::{KeySelector, Pin, Pkcs11Module, Pkcs11Signer};
use pkcs11_softhsm::{EC, PIN, TOKEN, softhsm};

#[test]
fn a_removed_token_gives_token_removed() {
    let hsm = softhsm();
    let module = Pkcs11Module::load(&hsm.module).unwrap();
    let signer = Pkcs11Signer::builder(&module)
        .token_label(TOKEN)
        .key(KeySelector::Label(EC.key_label.into()))
        .pin(Pin::new(PIN))
        .open()
        .unwrap();
    signer.sign(b"before").unwrap();

    // What pulling the USB token out is for SoftHSM2: the token disappears from its slot.
    hsm.softhsm2_util(&["--delete-token", "--token", TOKEN]);

    let err = signer.sign(b"after").unwrap_err();
    let source = std::error::Error::source(&err)
        .and_then(|s| s.downcast_ref::<Error>())
        .unwrap_or_else(|| panic!("no kyso_token::Error behind {err:?}"));
    assert!(matches!(source, Error::TokenRemoved), "{source:?}");
    for result in signer.sign_many(&[b"one", b"two"]) {
        let err = result.unwrap_err();
        let source = std::error::Error::source(&err).and_then(|s| s.downcast_ref::<Error>());
        assert!(matches!(source, Some(Error::TokenRemoved)), "{err:?}");
    }
    let err = module.find_token(Some(TOKEN)).unwrap_err();
    assert!(matches!(err, Error::NoTokenPresent(Some(_))), "{err:?}");
}
