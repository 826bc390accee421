//! Whether a key can make signatures of a scheme: the one check every backend (software keys,
//! PKCS#11 tokens, CSC services) runs before it signs.

use kyso_cert::{KeyType, SignatureScheme};

use crate::{Error, Result};

/// Whether a `key` key can sign with `scheme`: the padding or ECDSA matches the key type, an
/// `id-RSASSA-PSS` key signs PSS only ([RFC 4055 §1.2]), the modulus is long enough for PSS
/// with the scheme's digest and salt (`emLen >= hLen + sLen + 2`, [RFC 8017 §9.1.1]), and the
/// digest is not SHA-1, which kyso reads in old signatures but never signs with.
///
/// [RFC 4055 §1.2]: https://www.rfc-editor.org/rfc/rfc4055#section-1.2
/// [RFC 8017 §9.1.1]: https://www.rfc-editor.org/rfc/rfc8017#section-9.1.1
pub(crate) fn check_scheme(key: KeyType, scheme: SignatureScheme) -> Result<()> {
    let mismatch = |reason| {
        Err(Error::AlgorithmMismatch {
            key,
            algorithm: scheme,
            reason,
        })
    };
    if scheme.digest().is_legacy() {
        return mismatch(Some("kyso does not make SHA-1 signatures"));
    }
    match (key, scheme) {
        (KeyType::Rsa { pss_only: true, .. }, SignatureScheme::RsaPkcs1v15(_)) => {
            mismatch(Some("the key is restricted to RSASSA-PSS (RFC 4055 §1.2)"))
        }
        (KeyType::Rsa { modulus_bits, .. }, SignatureScheme::RsaPss { digest, salt_len }) => {
            let em_len = (modulus_bits as usize).saturating_sub(1).div_ceil(8);
            if em_len < digest.output_len() + salt_len as usize + 2 {
                mismatch(Some("the key is too short for PSS with this digest"))
            } else {
                Ok(())
            }
        }
        (KeyType::Rsa { .. }, SignatureScheme::RsaPkcs1v15(_)) => Ok(()),
        (KeyType::Ec(_), SignatureScheme::Ecdsa(_)) => Ok(()),
        (KeyType::Rsa { .. }, SignatureScheme::Ecdsa(_)) => mismatch(Some("ECDSA needs an EC key")),
        (KeyType::Ec(_), _) => mismatch(Some("RSA padding needs an RSA key")),
        _ => mismatch(Some("kyso signs with RSA and ECDSA P-256/P-384 keys only")),
    }
}

/// The scheme a key signs with unless told otherwise ([`KeyType::default_scheme`]), or an
/// error naming a key kyso does not sign with.
#[cfg(any(feature = "pkcs11", feature = "pkcs12"))]
pub(crate) fn default_scheme(key: KeyType) -> Result<SignatureScheme> {
    key.default_scheme().ok_or_else(|| {
        Error::UnsupportedKey(format!("{key} (kyso signs with RSA and ECDSA P-256/P-384)"))
    })
}

#[cfg(test)]
mod tests {
    use kyso_cert::{DigestAlgorithm, EcCurve};

    use super::*;

    #[test]
    fn pss_needs_room_for_digest_and_salt() {
        let rsa1024 = KeyType::Rsa {
            modulus_bits: 1024,
            pss_only: false,
        };
        assert!(check_scheme(rsa1024, SignatureScheme::rsa_pss(DigestAlgorithm::Sha384)).is_ok());
        assert!(check_scheme(rsa1024, SignatureScheme::rsa_pss(DigestAlgorithm::Sha512)).is_err());
    }

    #[test]
    fn refuses_mismatched_keys_and_sha1() {
        let pss_key = KeyType::Rsa {
            modulus_bits: 2048,
            pss_only: true,
        };
        let p256 = KeyType::Ec(EcCurve::P256);
        use DigestAlgorithm::{Sha1, Sha256, Sha512};
        assert!(check_scheme(pss_key, SignatureScheme::RsaPkcs1v15(Sha256)).is_err());
        assert!(check_scheme(p256, SignatureScheme::RsaPkcs1v15(Sha256)).is_err());
        assert!(check_scheme(p256, SignatureScheme::Ecdsa(Sha512)).is_ok());
        assert!(check_scheme(p256, SignatureScheme::Ecdsa(Sha1)).is_err());
    }
}
