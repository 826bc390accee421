//! Which PKCS#11 mechanism signs for which [`SignatureScheme`], what goes into `C_Sign`, and
//! what comes out.
//!
//! | Algorithm              | Preferred mechanism (the token hashes) | Fallback (kyso hashes)                  |
//! |------------------------|----------------------------------------|-----------------------------------------|
//! | RSA PKCS#1 v1.5, SHA-x | `CKM_SHAx_RSA_PKCS` over the message   | `CKM_RSA_PKCS` over a `DigestInfo`      |
//!
//! | Algorithm              | Preferred mechanism (kyso hashes)      | Fallback (the token hashes)             |
//! |------------------------|----------------------------------------|-----------------------------------------|
//! | RSA-PSS, SHA-x         | `CKM_RSA_PKCS_PSS` over the hash       | `CKM_SHAx_RSA_PKCS_PSS` over the message |
//! | ECDSA, SHA-x           | `CKM_ECDSA` over the hash              | `CKM_ECDSA_SHAx` over the message       |
//!
//! PSS parameters are always hash = SHA-x, MGF1 with SHA-x, salt length = the hash length
//! ([RFC 4055 §3.1], what kyso-cms writes into `RSASSA-PSS-params`). ECDSA comes back from the
//! token as the raw `r || s` of PKCS#11 v2.40 §2.3.1 and is re-encoded as the DER
//! `Ecdsa-Sig-Value` that CMS carries ([RFC 5753 §7.2], [RFC 3279 §2.2.3]).
//!
//! [RFC 4055 §3.1]: https://www.rfc-editor.org/rfc/rfc4055#section-3.1
//! [RFC 5753 §7.2]: https://www.rfc-editor.org/rfc/rfc5753#section-7.2
//! [RFC 3279 §2.2.3]: https://www.rfc-editor.org/rfc/rfc3279#section-2.2.3

use std::fmt;

use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use kyso_cert::{DigestAlgorithm, SignatureScheme};

use crate::{Error, KeyType, Result};

/// The PKCS#11 mechanism family a [`Pkcs11Signer`](super::Pkcs11Signer) signs with; the digest
/// comes from the signer's [`SignatureScheme`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pkcs11Mechanism {
    /// `CKM_SHA256_RSA_PKCS` (and 384/512): the token hashes the message and pads (PKCS#1 v1.5).
    RsaPkcsWithHash,
    /// `CKM_RSA_PKCS`: kyso hashes and builds the `DigestInfo`; the token only pads and signs.
    /// For tokens that offer no hashing RSA mechanism.
    RsaPkcsRaw,
    /// `CKM_RSA_PKCS_PSS` with `CK_RSA_PKCS_PSS_PARAMS`: kyso hashes, the token does PSS.
    RsaPkcsPss,
    /// `CKM_SHA256_RSA_PKCS_PSS` (and 384/512): the token hashes and does PSS.
    RsaPkcsPssWithHash,
    /// `CKM_ECDSA`: kyso hashes, the token signs the hash.
    Ecdsa,
    /// `CKM_ECDSA_SHA256` (and 384/512): the token hashes and signs.
    EcdsaWithHash,
}

impl Pkcs11Mechanism {
    /// Whether this mechanism can make signatures of `algorithm`'s kind.
    pub fn fits(self, algorithm: SignatureScheme) -> bool {
        matches!(
            (self, algorithm),
            (
                Self::RsaPkcsWithHash | Self::RsaPkcsRaw,
                SignatureScheme::RsaPkcs1v15(_)
            ) | (
                Self::RsaPkcsPss | Self::RsaPkcsPssWithHash,
                SignatureScheme::RsaPss { .. }
            ) | (Self::Ecdsa | Self::EcdsaWithHash, SignatureScheme::Ecdsa(_))
        )
    }

    /// The PKCS#11 mechanism type for `digest`.
    pub(crate) fn mechanism_type(self, digest: DigestAlgorithm) -> MechanismType {
        use DigestAlgorithm::*;
        match (self, digest) {
            (Self::RsaPkcsWithHash, Sha1) => MechanismType::SHA1_RSA_PKCS,
            (Self::RsaPkcsWithHash, Sha256) => MechanismType::SHA256_RSA_PKCS,
            (Self::RsaPkcsWithHash, Sha384) => MechanismType::SHA384_RSA_PKCS,
            (Self::RsaPkcsWithHash, Sha512) => MechanismType::SHA512_RSA_PKCS,
            (Self::RsaPkcsRaw, _) => MechanismType::RSA_PKCS,
            (Self::RsaPkcsPss, _) => MechanismType::RSA_PKCS_PSS,
            (Self::RsaPkcsPssWithHash, Sha1) => MechanismType::SHA1_RSA_PKCS_PSS,
            (Self::RsaPkcsPssWithHash, Sha256) => MechanismType::SHA256_RSA_PKCS_PSS,
            (Self::RsaPkcsPssWithHash, Sha384) => MechanismType::SHA384_RSA_PKCS_PSS,
            (Self::RsaPkcsPssWithHash, Sha512) => MechanismType::SHA512_RSA_PKCS_PSS,
            (Self::Ecdsa, _) => MechanismType::ECDSA,
            (Self::EcdsaWithHash, Sha1) => MechanismType::ECDSA_SHA1,
            (Self::EcdsaWithHash, Sha256) => MechanismType::ECDSA_SHA256,
            (Self::EcdsaWithHash, Sha384) => MechanismType::ECDSA_SHA384,
            (Self::EcdsaWithHash, Sha512) => MechanismType::ECDSA_SHA512,
        }
    }

    /// The `CKM_*` name for `digest`, as PKCS#11 documents and vendor tools print it.
    pub fn name(self, digest: DigestAlgorithm) -> &'static str {
        use DigestAlgorithm::*;
        match (self, digest) {
            (Self::RsaPkcsWithHash, Sha1) => "CKM_SHA1_RSA_PKCS",
            (Self::RsaPkcsWithHash, Sha256) => "CKM_SHA256_RSA_PKCS",
            (Self::RsaPkcsWithHash, Sha384) => "CKM_SHA384_RSA_PKCS",
            (Self::RsaPkcsWithHash, Sha512) => "CKM_SHA512_RSA_PKCS",
            (Self::RsaPkcsRaw, _) => "CKM_RSA_PKCS",
            (Self::RsaPkcsPss, _) => "CKM_RSA_PKCS_PSS",
            (Self::RsaPkcsPssWithHash, Sha1) => "CKM_SHA1_RSA_PKCS_PSS",
            (Self::RsaPkcsPssWithHash, Sha256) => "CKM_SHA256_RSA_PKCS_PSS",
            (Self::RsaPkcsPssWithHash, Sha384) => "CKM_SHA384_RSA_PKCS_PSS",
            (Self::RsaPkcsPssWithHash, Sha512) => "CKM_SHA512_RSA_PKCS_PSS",
            (Self::Ecdsa, _) => "CKM_ECDSA",
            (Self::EcdsaWithHash, Sha1) => "CKM_ECDSA_SHA1",
            (Self::EcdsaWithHash, Sha256) => "CKM_ECDSA_SHA256",
            (Self::EcdsaWithHash, Sha384) => "CKM_ECDSA_SHA384",
            (Self::EcdsaWithHash, Sha512) => "CKM_ECDSA_SHA512",
        }
    }

    /// Whether kyso hashes the message before `C_Sign` (else the token does).
    fn prehashed(self) -> bool {
        matches!(self, Self::RsaPkcsRaw | Self::RsaPkcsPss | Self::Ecdsa)
    }

    /// The candidates for `algorithm`, in order of preference.
    fn preference(algorithm: SignatureScheme) -> [Self; 2] {
        match algorithm {
            SignatureScheme::RsaPkcs1v15(_) => [Self::RsaPkcsWithHash, Self::RsaPkcsRaw],
            SignatureScheme::RsaPss { .. } => [Self::RsaPkcsPss, Self::RsaPkcsPssWithHash],
            SignatureScheme::Ecdsa(_) => [Self::Ecdsa, Self::EcdsaWithHash],
        }
    }
}

impl fmt::Display for Pkcs11Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::RsaPkcsWithHash => "CKM_SHAx_RSA_PKCS",
            Self::RsaPkcsRaw => "CKM_RSA_PKCS",
            Self::RsaPkcsPss => "CKM_RSA_PKCS_PSS",
            Self::RsaPkcsPssWithHash => "CKM_SHAx_RSA_PKCS_PSS",
            Self::Ecdsa => "CKM_ECDSA",
            Self::EcdsaWithHash => "CKM_ECDSA_SHAx",
        })
    }
}

/// Picks the mechanism for `algorithm` among those the token lists (`available`); `forced`
/// names the only one to consider.
pub(crate) fn choose(
    algorithm: SignatureScheme,
    available: &[MechanismType],
    forced: Option<Pkcs11Mechanism>,
) -> Result<Pkcs11Mechanism> {
    let digest = algorithm.digest();
    let candidates: Vec<Pkcs11Mechanism> = match forced {
        Some(m) if !m.fits(algorithm) => {
            return Err(Error::MechanismNotSupported {
                algorithm,
                reason: format!("{m} does not make {algorithm} signatures"),
            });
        }
        Some(m) => vec![m],
        None => Pkcs11Mechanism::preference(algorithm).to_vec(),
    };
    candidates
        .iter()
        .copied()
        .find(|m| available.contains(&m.mechanism_type(digest)))
        .ok_or_else(|| Error::MechanismNotSupported {
            algorithm,
            reason: format!(
                "the token lists none of {}",
                candidates
                    .iter()
                    .map(|m| m.name(digest))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
}

/// The `CK_MECHANISM` for one `scheme` signature.
pub(crate) fn mechanism(m: Pkcs11Mechanism, scheme: SignatureScheme) -> Mechanism<'static> {
    use DigestAlgorithm::*;
    let digest = scheme.digest();
    let salt_len = match scheme {
        SignatureScheme::RsaPss { salt_len, .. } => u64::from(salt_len),
        _ => digest.output_len() as u64,
    };
    let pss = || PkcsPssParams {
        hash_alg: match digest {
            Sha1 => MechanismType::SHA1,
            Sha256 => MechanismType::SHA256,
            Sha384 => MechanismType::SHA384,
            Sha512 => MechanismType::SHA512,
        },
        mgf: match digest {
            Sha1 => PkcsMgfType::MGF1_SHA1,
            Sha256 => PkcsMgfType::MGF1_SHA256,
            Sha384 => PkcsMgfType::MGF1_SHA384,
            Sha512 => PkcsMgfType::MGF1_SHA512,
        },
        s_len: salt_len.into(),
    };
    match (m, digest) {
        (Pkcs11Mechanism::RsaPkcsWithHash, Sha1) => Mechanism::Sha1RsaPkcs,
        (Pkcs11Mechanism::RsaPkcsWithHash, Sha256) => Mechanism::Sha256RsaPkcs,
        (Pkcs11Mechanism::RsaPkcsWithHash, Sha384) => Mechanism::Sha384RsaPkcs,
        (Pkcs11Mechanism::RsaPkcsWithHash, Sha512) => Mechanism::Sha512RsaPkcs,
        (Pkcs11Mechanism::RsaPkcsRaw, _) => Mechanism::RsaPkcs,
        (Pkcs11Mechanism::RsaPkcsPss, _) => Mechanism::RsaPkcsPss(pss()),
        (Pkcs11Mechanism::RsaPkcsPssWithHash, Sha1) => Mechanism::Sha1RsaPkcsPss(pss()),
        (Pkcs11Mechanism::RsaPkcsPssWithHash, Sha256) => Mechanism::Sha256RsaPkcsPss(pss()),
        (Pkcs11Mechanism::RsaPkcsPssWithHash, Sha384) => Mechanism::Sha384RsaPkcsPss(pss()),
        (Pkcs11Mechanism::RsaPkcsPssWithHash, Sha512) => Mechanism::Sha512RsaPkcsPss(pss()),
        (Pkcs11Mechanism::Ecdsa, _) => Mechanism::Ecdsa,
        (Pkcs11Mechanism::EcdsaWithHash, Sha1) => Mechanism::EcdsaSha1,
        (Pkcs11Mechanism::EcdsaWithHash, Sha256) => Mechanism::EcdsaSha256,
        (Pkcs11Mechanism::EcdsaWithHash, Sha384) => Mechanism::EcdsaSha384,
        (Pkcs11Mechanism::EcdsaWithHash, Sha512) => Mechanism::EcdsaSha512,
    }
}

/// The bytes handed to `C_Sign` for `message`.
pub(crate) fn sign_input(m: Pkcs11Mechanism, digest: DigestAlgorithm, message: &[u8]) -> Vec<u8> {
    if !m.prehashed() {
        return message.to_vec();
    }
    let hash = digest.digest(message);
    match m {
        Pkcs11Mechanism::RsaPkcsRaw => digest_info(digest, &hash),
        _ => hash,
    }
}

/// The DER prefixes of `DigestInfo` ([RFC 8017 §9.2], note 1): the encoding of
///
/// ```text
/// DigestInfo ::= SEQUENCE {
///     digestAlgorithm DigestAlgorithm,   -- { id-shaX, NULL }
///     digest OCTET STRING }
/// ```
///
/// up to the digest itself. `CKM_RSA_PKCS` pads and signs whatever it is given, so for a raw
/// RSA token this is what makes the result a PKCS#1 v1.5 *signature* of the hash.
///
/// [RFC 8017 §9.2]: https://www.rfc-editor.org/rfc/rfc8017#section-9.2
const DIGEST_INFO_SHA1: [u8; 15] = [
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];
const DIGEST_INFO_SHA256: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
const DIGEST_INFO_SHA384: [u8; 19] = [
    0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
    0x00, 0x04, 0x30,
];
const DIGEST_INFO_SHA512: [u8; 19] = [
    0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
    0x00, 0x04, 0x40,
];

/// `DigestInfo` (DER) for `hash`, a `digest` hash.
pub(crate) fn digest_info(digest: DigestAlgorithm, hash: &[u8]) -> Vec<u8> {
    let prefix: &[u8] = match digest {
        DigestAlgorithm::Sha1 => &DIGEST_INFO_SHA1,
        DigestAlgorithm::Sha256 => &DIGEST_INFO_SHA256,
        DigestAlgorithm::Sha384 => &DIGEST_INFO_SHA384,
        DigestAlgorithm::Sha512 => &DIGEST_INFO_SHA512,
    };
    let mut out = Vec::with_capacity(prefix.len() + hash.len());
    out.extend_from_slice(prefix);
    out.extend_from_slice(hash);
    out
}

/// Turns what `C_Sign` returned into the signature value CMS carries: unchanged for RSA, the
/// raw `r || s` of an ECDSA token re-encoded as DER.
pub(crate) fn finish_signature(key: KeyType, raw: Vec<u8>) -> Result<Vec<u8>> {
    match key {
        KeyType::Ec(curve) => curve
            .der_signature(&raw)
            .map_err(|e| Error::InvalidKey(format!("the token's ECDSA signature: {e}"))),
        _ => Ok(raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;
    use der::asn1::{Null, OctetString};
    use spki::AlgorithmIdentifierOwned;

    /// The fixed prefixes are exactly the DER of `DigestInfo` built field by field.
    #[test]
    fn digest_info_is_der_of_the_structure() {
        #[derive(der::Sequence)]
        struct DigestInfo {
            algorithm: AlgorithmIdentifierOwned,
            digest: OctetString,
        }
        for digest in DigestAlgorithm::ALL {
            let hash = digest.digest(b"kyso");
            let built = DigestInfo {
                algorithm: AlgorithmIdentifierOwned {
                    oid: digest.oid(),
                    parameters: Some(der::asn1::Any::encode_from(&Null).unwrap()),
                },
                digest: OctetString::new(hash.clone()).unwrap(),
            }
            .to_der()
            .unwrap();
            assert_eq!(digest_info(digest, &hash), built, "{digest:?}");
        }
    }

    #[test]
    fn preference_and_fallback() {
        let sha256 = SignatureScheme::RsaPkcs1v15(DigestAlgorithm::Sha256);
        let all = [MechanismType::SHA256_RSA_PKCS, MechanismType::RSA_PKCS];
        assert_eq!(
            choose(sha256, &all, None).unwrap(),
            Pkcs11Mechanism::RsaPkcsWithHash
        );
        assert_eq!(
            choose(sha256, &[MechanismType::RSA_PKCS], None).unwrap(),
            Pkcs11Mechanism::RsaPkcsRaw
        );
        assert_eq!(
            choose(sha256, &all, Some(Pkcs11Mechanism::RsaPkcsRaw)).unwrap(),
            Pkcs11Mechanism::RsaPkcsRaw
        );
        assert!(matches!(
            choose(sha256, &all, Some(Pkcs11Mechanism::Ecdsa)),
            Err(Error::MechanismNotSupported { .. })
        ));
        let ecdsa = SignatureScheme::Ecdsa(DigestAlgorithm::Sha384);
        assert_eq!(
            choose(ecdsa, &[MechanismType::ECDSA_SHA384], None).unwrap(),
            Pkcs11Mechanism::EcdsaWithHash
        );
        let err = choose(ecdsa, &all, None).unwrap_err().to_string();
        assert!(err.contains("CKM_ECDSA, CKM_ECDSA_SHA384"), "{err}");
    }
}
