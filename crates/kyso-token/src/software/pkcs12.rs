//! Reading a PKCS#12 / PFX file ([RFC 7292]) with the `p12-keystore` crate.
//!
//! ```text
//! PFX ::= SEQUENCE {
//!     version     INTEGER {v3(3)}(v3,...),
//!     authSafe    ContentInfo,
//!     macData     MacData OPTIONAL }
//! ```
//!
//! Both the schemes OpenSSL 3 writes by default (PBES2: PBKDF2-HMAC-SHA256 + AES-256-CBC, MAC
//! HMAC-SHA256) and the legacy ones that Windows certificate export, Java and most CA tools
//! still write (`pbeWithSHAAnd40BitRC2-CBC` for certificates, `pbeWithSHAAnd3-KeyTripleDES-CBC`
//! for keys, MAC HMAC-SHA1; [RFC 7292 Appendix C]) are read.
//!
//! `p12-keystore`'s low-level [`p12_keystore::Pkcs12Archive`] is used rather than its
//! `KeyStore`: it returns every key and certificate bag as found, so the key is matched to its
//! certificate by public key here (not by `localKeyId` or order) and no certificate is filtered
//! out.
//!
//! [RFC 7292]: https://www.rfc-editor.org/rfc/rfc7292
//! [RFC 7292 Appendix C]: https://www.rfc-editor.org/rfc/rfc7292#appendix-C

use kyso_cert::Certificate;
use p12_keystore::Pkcs12Archive;
use p12_keystore::error::Error as P12Error;

use super::key::PrivateKey;
use crate::{Error, Result};

/// What a PKCS#12 file holds that a signer needs.
pub(crate) struct Contents {
    /// Every private key, in file order.
    pub(crate) keys: Vec<PrivateKey>,
    /// Every X.509 certificate, in file order.
    pub(crate) certs: Vec<Certificate>,
}

/// Opens a PKCS#12 file with `password`.
pub(crate) fn read(bytes: &[u8], password: &str) -> Result<Contents> {
    let archive = Pkcs12Archive::from_pkcs12(bytes, password).map_err(map_error)?;
    // `p12_keystore::PrivateKey` keeps the decrypted PKCS#8 in a plain `Vec` that this crate
    // cannot reach to zeroize; the archive is dropped as soon as the keys are decoded.
    let keys = archive
        .keys
        .iter()
        .map(|bag| PrivateKey::from_pkcs8_der(bag.key.as_der()))
        .collect::<Result<Vec<_>>>()?;
    let certs = archive
        .certs
        .iter()
        .map(|bag| Certificate::from_der(bag.cert.as_der()))
        .collect::<kyso_cert::Result<Vec<_>>>()?;
    Ok(Contents { keys, certs })
}

/// Tells a wrong password from a damaged file, as far as the file allows.
///
/// With a MAC (every file OpenSSL, Windows and Java write), the MAC is checked first with a key
/// derived from the password ([RFC 7292 §5]), so a MAC failure means a wrong password. Without a
/// MAC, a wrong password shows up as bad padding after decryption.
///
/// [RFC 7292 §5]: https://www.rfc-editor.org/rfc/rfc7292#section-5
fn map_error(error: P12Error) -> Error {
    match error {
        P12Error::MacError(_) | P12Error::UnpadError => Error::WrongPassword,
        P12Error::Pkcs5Error(ref message) if message.contains("decryption failed") => {
            Error::WrongPassword
        }
        other => Error::Pkcs12(other),
    }
}
