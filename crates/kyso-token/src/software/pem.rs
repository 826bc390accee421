//! Reading a private key from a PEM file ([RFC 7468]) or raw DER.
//!
//! | PEM label               | Structure                                   |
//! |-------------------------|---------------------------------------------|
//! | `PRIVATE KEY`           | PKCS#8 `PrivateKeyInfo` ([RFC 5208 §5])      |
//! | `ENCRYPTED PRIVATE KEY` | PKCS#8 `EncryptedPrivateKeyInfo` ([RFC 5208 §6]), PBES2 |
//! | `RSA PRIVATE KEY`       | PKCS#1 `RSAPrivateKey` ([RFC 8017 §A.1.2])   |
//! | `EC PRIVATE KEY`        | SEC1 `ECPrivateKey` ([RFC 5915 §3])          |
//!
//! The first key block of the file is used; other blocks (`EC PARAMETERS`, which `openssl
//! ecparam -genkey` writes first, certificates of a combined file) are skipped. OpenSSL's old
//! per-block encryption (`Proc-Type: 4,ENCRYPTED` / `DEK-Info`) is refused with a hint to
//! convert to encrypted PKCS#8. Decoded key bytes live in zeroizing buffers.
//!
//! [RFC 7468]: https://www.rfc-editor.org/rfc/rfc7468
//! [RFC 5208 §5]: https://www.rfc-editor.org/rfc/rfc5208#section-5
//! [RFC 5208 §6]: https://www.rfc-editor.org/rfc/rfc5208#section-6
//! [RFC 8017 §A.1.2]: https://www.rfc-editor.org/rfc/rfc8017#appendix-A.1.2
//! [RFC 5915 §3]: https://www.rfc-editor.org/rfc/rfc5915#section-3

use der::Decode;
use pkcs8::EncryptedPrivateKeyInfoRef;
use zeroize::Zeroizing;

use super::key::PrivateKey;
use crate::{Error, Result};

const PKCS8: &str = "PRIVATE KEY";
const PKCS8_ENCRYPTED: &str = "ENCRYPTED PRIVATE KEY";
const PKCS1: &str = "RSA PRIVATE KEY";
const SEC1: &str = "EC PRIVATE KEY";

/// Reads the first private key of a PEM file, or a DER PKCS#8 (plain or encrypted), PKCS#1 or
/// SEC1 key. `password` opens an encrypted PKCS#8 key and is ignored for a plain one.
pub(crate) fn read_key(input: &[u8], password: Option<&str>) -> Result<PrivateKey> {
    if input.first() == Some(&0x30) {
        return read_der_key(input, password);
    }
    let text = std::str::from_utf8(input)
        .map_err(|_| Error::InvalidKey("neither PEM text nor DER".into()))?;
    for block in pem_blocks(text) {
        let block = block?;
        if ![PKCS8, PKCS8_ENCRYPTED, PKCS1, SEC1].contains(&block.label) {
            continue;
        }
        if block.text.contains("Proc-Type:") {
            return Err(Error::UnsupportedKey(
                "OpenSSL legacy-encrypted PEM (Proc-Type/DEK-Info); convert it with \
                 `openssl pkcs8 -topk8` to an ENCRYPTED PRIVATE KEY"
                    .into(),
            ));
        }
        let (label, der) = der::pem::decode_vec(block.text.as_bytes())
            .map_err(|e| Error::InvalidKey(format!("bad PEM block {}: {e}", block.label)))?;
        let der = Zeroizing::new(der);
        return match label {
            PKCS8 => PrivateKey::from_pkcs8_der(&der),
            PKCS8_ENCRYPTED => decrypt_pkcs8(&der, password),
            PKCS1 => PrivateKey::from_pkcs1_der(&der),
            _ => PrivateKey::from_sec1_der(&der),
        };
    }
    Err(Error::NoPrivateKey("the key file"))
}

/// A DER key: the structure is recognised by trying each in turn.
fn read_der_key(der: &[u8], password: Option<&str>) -> Result<PrivateKey> {
    if pkcs8::PrivateKeyInfoRef::try_from(der).is_ok() {
        return PrivateKey::from_pkcs8_der(der);
    }
    if EncryptedPrivateKeyInfoRef::try_from(der).is_ok() {
        return decrypt_pkcs8(der, password);
    }
    PrivateKey::from_pkcs1_der(der)
        .or_else(|_| PrivateKey::from_sec1_der(der))
        .map_err(|_| {
            Error::InvalidKey("DER input is not a PKCS#8, PKCS#1 or SEC1 private key".into())
        })
}

/// Decrypts an `EncryptedPrivateKeyInfo` ([RFC 5208 §6]) and decodes the key inside.
///
/// ```text
/// EncryptedPrivateKeyInfo ::= SEQUENCE {
///   encryptionAlgorithm  EncryptionAlgorithmIdentifier,
///   encryptedData        EncryptedData }
/// ```
///
/// A padding failure after decryption, or plaintext that is not DER, means the password was
/// wrong (there is no MAC to tell it otherwise).
///
/// [RFC 5208 §6]: https://www.rfc-editor.org/rfc/rfc5208#section-6
fn decrypt_pkcs8(der: &[u8], password: Option<&str>) -> Result<PrivateKey> {
    let encrypted = EncryptedPrivateKeyInfoRef::try_from(der).map_err(|e| {
        // Well formed, but with a scheme `pkcs5` does not know: PKCS#12 PBE (`openssl pkcs8
        // -topk8 -v1 PBE-SHA1-3DES`, the OpenSSL 1.0 default) and the like.
        match AnyEncryptedKey::from_der(der) {
            Ok(any) => Error::UnsupportedKey(format!(
                "key encryption scheme {} (only PBES2 is supported; re-encrypt with \
                 `openssl pkcs8 -topk8 -v2 aes-256-cbc`)",
                any.encryption_algorithm.oid
            )),
            Err(_) => Error::InvalidKey(format!("not an encrypted PKCS#8 key: {e}")),
        }
    })?;
    let password = password.ok_or(Error::PasswordRequired)?;
    let plain = encrypted
        .decrypt(password.as_bytes())
        .map_err(|e| match e {
            pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::DecryptFailed)
            | pkcs8::Error::Asn1(_) => Error::WrongPassword,
            pkcs8::Error::EncryptedPrivateKey(
                e @ (pkcs8::pkcs5::Error::UnsupportedAlgorithm { .. }
                | pkcs8::pkcs5::Error::NoPbes1CryptSupport),
            ) => Error::UnsupportedKey(format!("key encryption scheme: {e}")),
            other => Error::InvalidKey(format!("encrypted PKCS#8 key: {other}")),
        })?;
    PrivateKey::from_pkcs8_der(plain.as_bytes())
}

/// `EncryptedPrivateKeyInfo` with any encryption algorithm, to name a scheme `pkcs5` refuses.
#[derive(der::Sequence)]
struct AnyEncryptedKey {
    encryption_algorithm: spki::AlgorithmIdentifierOwned,
    encrypted_data: der::asn1::OctetString,
}

/// One `-----BEGIN label-----` … `-----END label-----` block of a PEM file.
struct Block<'a> {
    label: &'a str,
    /// The whole block, both boundary lines included.
    text: &'a str,
}

/// The PEM blocks of `text`, in order.
fn pem_blocks(text: &str) -> impl Iterator<Item = Result<Block<'_>>> {
    const BEGIN: &str = "-----BEGIN ";
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find(BEGIN)?;
        let block = &rest[start..];
        let after = &block[BEGIN.len()..];
        let Some(label_len) = after.find("-----") else {
            rest = "";
            return Some(Err(Error::InvalidKey("unterminated PEM BEGIN line".into())));
        };
        let label = &after[..label_len];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = block.find(&end_marker) else {
            rest = "";
            return Some(Err(Error::InvalidKey(format!(
                "PEM block {label} has no END line"
            ))));
        };
        let whole = &block[..end + end_marker.len()];
        rest = &block[end + end_marker.len()..];
        Some(Ok(Block { label, text: whole }))
    })
}
