//! Which PKCS#11 mechanism signs for which [`SignatureAlgorithm`], what goes into `C_Sign`, and
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
use der::Encode;
use der::asn1::UintRef;
use kyso_cms::{DigestAlgorithm, SignatureAlgorithm};

use crate::{Error, KeyType, Result};

/// The PKCS#11 mechanism family a [`Pkcs11Signer`](super::Pkcs11Signer) signs with; the digest
/// comes from the signer's [`SignatureAlgorithm`].
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
    pub fn fits(self, algorithm: SignatureAlgorithm) -> bool {
        matches!(
            (self, algorithm),
            (
                Self::RsaPkcsWithHash | Self::RsaPkcsRaw,
                SignatureAlgorithm::RsaPkcs1v15(_)
            ) | (
                Self::RsaPkcsPss | Self::RsaPkcsPssWithHash,
                SignatureAlgorithm::RsaPss(_)
            ) | (
                Self::Ecdsa | Self::EcdsaWithHash,
                SignatureAlgorithm::Ecdsa(_)
            )
        )
    }

    /// The PKCS#11 mechanism type for `digest`.
    pub(crate) fn mechanism_type(self, digest: DigestAlgorithm) -> MechanismType {
        use DigestAlgorithm::*;
        match (self, digest) {
            (Self::RsaPkcsWithHash, Sha256) => MechanismType::SHA256_RSA_PKCS,
            (Self::RsaPkcsWithHash, Sha384) => MechanismType::SHA384_RSA_PKCS,
            (Self::RsaPkcsWithHash, Sha512) => MechanismType::SHA512_RSA_PKCS,
            (Self::RsaPkcsRaw, _) => MechanismType::RSA_PKCS,
            (Self::RsaPkcsPss, _) => MechanismType::RSA_PKCS_PSS,
            (Self::RsaPkcsPssWithHash, Sha256) => MechanismType::SHA256_RSA_PKCS_PSS,
            (Self::RsaPkcsPssWithHash, Sha384) => MechanismType::SHA384_RSA_PKCS_PSS,
            (Self::RsaPkcsPssWithHash, Sha512) => MechanismType::SHA512_RSA_PKCS_PSS,
            (Self::Ecdsa, _) => MechanismType::ECDSA,
            (Self::EcdsaWithHash, Sha256) => MechanismType::ECDSA_SHA256,
            (Self::EcdsaWithHash, Sha384) => MechanismType::ECDSA_SHA384,
            (Self::EcdsaWithHash, Sha512) => MechanismType::ECDSA_SHA512,
        }
    }

    /// The `CKM_*` name for `digest`, as PKCS#11 documents and vendor tools print it.
    pub fn name(self, digest: DigestAlgorithm) -> &'static str {
        use DigestAlgorithm::*;
        match (self, digest) {
            (Self::RsaPkcsWithHash, Sha256) => "CKM_SHA256_RSA_PKCS",
            (Self::RsaPkcsWithHash, Sha384) => "CKM_SHA384_RSA_PKCS",
            (Self::RsaPkcsWithHash, Sha512) => "CKM_SHA512_RSA_PKCS",
            (Self::RsaPkcsRaw, _) => "CKM_RSA_PKCS",
            (Self::RsaPkcsPss, _) => "CKM_RSA_PKCS_PSS",
            (Self::RsaPkcsPssWithHash, Sha256) => "CKM_SHA256_RSA_PKCS_PSS",
            (Self::RsaPkcsPssWithHash, Sha384) => "CKM_SHA384_RSA_PKCS_PSS",
            (Self::RsaPkcsPssWithHash, Sha512) => "CKM_SHA512_RSA_PKCS_PSS",
            (Self::Ecdsa, _) => "CKM_ECDSA",
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
    fn preference(algorithm: SignatureAlgorithm) -> [Self; 2] {
        match algorithm {
            SignatureAlgorithm::RsaPkcs1v15(_) => [Self::RsaPkcsWithHash, Self::RsaPkcsRaw],
            SignatureAlgorithm::RsaPss(_) => [Self::RsaPkcsPss, Self::RsaPkcsPssWithHash],
            SignatureAlgorithm::Ecdsa(_) => [Self::Ecdsa, Self::EcdsaWithHash],
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
    algorithm: SignatureAlgorithm,
    available: &[MechanismType],
    forced: Option<Pkcs11Mechanism>,
) -> Result<Pkcs11Mechanism> {
    let digest = algorithm.digest();
    let candidates: Vec<Pkcs11Mechanism> = match forced {
        Some(m) if !m.fits(algorithm) => {
            return Err(Error::MechanismNotSupported {
                algorithm,
                reason: format!("{m} does not make {algorithm:?} signatures"),
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

/// The `CK_MECHANISM` for one signature.
pub(crate) fn mechanism(m: Pkcs11Mechanism, digest: DigestAlgorithm) -> Mechanism<'static> {
    use DigestAlgorithm::*;
    let pss = || PkcsPssParams {
        hash_alg: match digest {
            Sha256 => MechanismType::SHA256,
            Sha384 => MechanismType::SHA384,
            Sha512 => MechanismType::SHA512,
        },
        mgf: match digest {
            Sha256 => PkcsMgfType::MGF1_SHA256,
            Sha384 => PkcsMgfType::MGF1_SHA384,
            Sha512 => PkcsMgfType::MGF1_SHA512,
        },
        s_len: (digest.output_len() as u64).into(),
    };
    match (m, digest) {
        (Pkcs11Mechanism::RsaPkcsWithHash, Sha256) => Mechanism::Sha256RsaPkcs,
        (Pkcs11Mechanism::RsaPkcsWithHash, Sha384) => Mechanism::Sha384RsaPkcs,
        (Pkcs11Mechanism::RsaPkcsWithHash, Sha512) => Mechanism::Sha512RsaPkcs,
        (Pkcs11Mechanism::RsaPkcsRaw, _) => Mechanism::RsaPkcs,
        (Pkcs11Mechanism::RsaPkcsPss, _) => Mechanism::RsaPkcsPss(pss()),
        (Pkcs11Mechanism::RsaPkcsPssWithHash, Sha256) => Mechanism::Sha256RsaPkcsPss(pss()),
        (Pkcs11Mechanism::RsaPkcsPssWithHash, Sha384) => Mechanism::Sha384RsaPkcsPss(pss()),
        (Pkcs11Mechanism::RsaPkcsPssWithHash, Sha512) => Mechanism::Sha512RsaPkcsPss(pss()),
        (Pkcs11Mechanism::Ecdsa, _) => Mechanism::Ecdsa,
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
    let prefix = match digest {
        DigestAlgorithm::Sha256 => &DIGEST_INFO_SHA256,
        DigestAlgorithm::Sha384 => &DIGEST_INFO_SHA384,
        DigestAlgorithm::Sha512 => &DIGEST_INFO_SHA512,
    };
    let mut out = Vec::with_capacity(prefix.len() + hash.len());
    out.extend_from_slice(prefix);
    out.extend_from_slice(hash);
    out
}

/// `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` ([RFC 3279 §2.2.3]).
///
/// [RFC 3279 §2.2.3]: https://www.rfc-editor.org/rfc/rfc3279#section-2.2.3
#[derive(der::Sequence)]
struct EcdsaSigValue<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

/// Turns what `C_Sign` returned into the signature value CMS carries: unchanged for RSA, the
/// raw `r || s` of an ECDSA token re-encoded as DER for `key`.
pub(crate) fn finish_signature(key: KeyType, raw: Vec<u8>) -> Result<Vec<u8>> {
    let coordinate = match key {
        KeyType::EcdsaP256 => 32,
        KeyType::EcdsaP384 => 48,
        _ => return Ok(raw),
    };
    ecdsa_raw_to_der(&raw, coordinate)
}

/// DER `Ecdsa-Sig-Value` from the PKCS#11 form `r || s`, each `coordinate` bytes big-endian.
pub(crate) fn ecdsa_raw_to_der(raw: &[u8], coordinate: usize) -> Result<Vec<u8>> {
    if raw.len() != 2 * coordinate {
        return Err(Error::InvalidKey(format!(
            "the token returned a {}-byte ECDSA signature; expected r || s of {} bytes",
            raw.len(),
            2 * coordinate
        )));
    }
    let (r, s) = raw.split_at(coordinate);
    let value = EcdsaSigValue {
        r: UintRef::new(r).map_err(|e| Error::InvalidKey(format!("ECDSA r: {e}")))?,
        s: UintRef::new(s).map_err(|e| Error::InvalidKey(format!("ECDSA s: {e}")))?,
    };
    value
        .to_der()
        .map_err(|e| Error::InvalidKey(format!("ECDSA signature encoding: {e}")))
}

/// Whether `key` can make `algorithm` signatures at all (before asking the token).
pub(crate) fn check_algorithm(key: KeyType, algorithm: SignatureAlgorithm) -> Result<()> {
    let mismatch = |reason| Error::AlgorithmMismatch {
        key,
        algorithm,
        reason,
    };
    match (key, algorithm) {
        (KeyType::Rsa { bits } | KeyType::RsaPss { bits }, SignatureAlgorithm::RsaPss(d)) => {
            // EMSA-PSS needs emLen >= hLen + sLen + 2 with sLen = hLen (RFC 8017 §9.1.1).
            let em_len = (bits.saturating_sub(1)).div_ceil(8);
            if em_len < 2 * d.output_len() + 2 {
                return Err(mismatch(Some(
                    "the key is too short for PSS with this digest",
                )));
            }
            Ok(())
        }
        (KeyType::Rsa { .. }, SignatureAlgorithm::RsaPkcs1v15(_)) => Ok(()),
        (KeyType::RsaPss { .. }, SignatureAlgorithm::RsaPkcs1v15(_)) => Err(mismatch(Some(
            "the certificate restricts the key to RSASSA-PSS",
        ))),
        (KeyType::EcdsaP256 | KeyType::EcdsaP384, SignatureAlgorithm::Ecdsa(_)) => Ok(()),
        _ => Err(mismatch(None)),
    }
}

/// The algorithm a key signs with unless told otherwise: PKCS#1 v1.5 with SHA-256 for RSA (what
/// Vietnamese CAs and Adobe use), PSS with SHA-256 for a PSS-only key, ECDSA with the digest
/// matching the curve.
pub(crate) fn default_algorithm(key: KeyType) -> SignatureAlgorithm {
    match key {
        KeyType::RsaPss { .. } => SignatureAlgorithm::RsaPss(DigestAlgorithm::Sha256),
        KeyType::EcdsaP384 => SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha384),
        KeyType::EcdsaP256 => SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256),
        _ => SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;
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
        for digest in [
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ] {
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
    fn ecdsa_raw_becomes_der_with_minimal_integers() {
        // r has a leading zero byte (must be dropped), s has its top bit set (needs a 0x00).
        let mut raw = vec![0u8; 64];
        raw[1] = 0x12;
        raw[31] = 0x01;
        raw[32] = 0x80;
        raw[63] = 0x02;
        let der = ecdsa_raw_to_der(&raw, 32).unwrap();
        let parsed = EcdsaSigValue::from_der(&der).unwrap();
        assert_eq!(parsed.r.as_bytes(), &raw[1..32]);
        assert_eq!(parsed.s.as_bytes(), &raw[32..64]);
        // SEQUENCE, INTEGER of 31 bytes, INTEGER of 33 bytes (0x00 + 32).
        assert_eq!(&der[..4], &[0x30, 2 + 31 + 2 + 33, 0x02, 31]);
        assert_eq!(&der[2 + 2 + 31..2 + 2 + 31 + 3], &[0x02, 33, 0x00]);
        assert!(ecdsa_raw_to_der(&raw[..63], 32).is_err());
    }

    #[test]
    fn preference_and_fallback() {
        let sha256 = SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256);
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
        let ecdsa = SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha384);
        assert_eq!(
            choose(ecdsa, &[MechanismType::ECDSA_SHA384], None).unwrap(),
            Pkcs11Mechanism::EcdsaWithHash
        );
        let err = choose(ecdsa, &all, None).unwrap_err().to_string();
        assert!(err.contains("CKM_ECDSA, CKM_ECDSA_SHA384"), "{err}");
    }

    #[test]
    fn algorithm_checks() {
        use SignatureAlgorithm::*;
        let rsa1024 = KeyType::Rsa { bits: 1024 };
        assert!(check_algorithm(rsa1024, RsaPss(DigestAlgorithm::Sha384)).is_ok());
        assert!(check_algorithm(rsa1024, RsaPss(DigestAlgorithm::Sha512)).is_err());
        assert!(
            check_algorithm(
                KeyType::RsaPss { bits: 2048 },
                RsaPkcs1v15(DigestAlgorithm::Sha256)
            )
            .is_err()
        );
        assert!(check_algorithm(KeyType::EcdsaP256, RsaPkcs1v15(DigestAlgorithm::Sha256)).is_err());
        assert!(check_algorithm(KeyType::EcdsaP256, Ecdsa(DigestAlgorithm::Sha512)).is_ok());
    }
}
