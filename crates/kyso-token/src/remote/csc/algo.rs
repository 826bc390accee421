//! Mapping between a credential's `key/algo` OIDs and [`SignatureAlgorithm`], and the
//! `signAlgo` / `hashAlgorithmOID` / `signAlgoParams` to send with `signatures/signHash`.

use base64ct::{Base64, Encoding};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::{
    ECDSA_WITH_SHA_256, ECDSA_WITH_SHA_384, ECDSA_WITH_SHA_512, ID_EC_PUBLIC_KEY, ID_RSASSA_PSS,
    RSA_ENCRYPTION, SECP_256_R_1, SECP_384_R_1, SHA_256_WITH_RSA_ENCRYPTION,
    SHA_384_WITH_RSA_ENCRYPTION, SHA_512_WITH_RSA_ENCRYPTION,
};
use kyso_cert::Certificate;
use kyso_cms::{DigestAlgorithm, SignatureAlgorithm};

use crate::Result;
use crate::remote::RemoteError;

/// The kind of key a certificate holds, as far as choosing an algorithm goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// `rsaEncryption`.
    Rsa,
    /// `id-RSASSA-PSS`: PSS only.
    RsaPss,
    /// `id-ecPublicKey` on P-256.
    P256,
    /// `id-ecPublicKey` on P-384.
    P384,
}

impl KeyKind {
    pub(crate) fn of(certificate: &Certificate) -> Result<Self> {
        let spki = certificate
            .inner()
            .tbs_certificate()
            .subject_public_key_info();
        match spki.algorithm.oid {
            RSA_ENCRYPTION => Ok(Self::Rsa),
            ID_RSASSA_PSS => Ok(Self::RsaPss),
            ID_EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
                match curve {
                    Some(SECP_256_R_1) => Ok(Self::P256),
                    Some(SECP_384_R_1) => Ok(Self::P384),
                    other => Err(unsupported(format!(
                        "the credential's EC key is on curve {}; kyso signs with P-256 and P-384",
                        other.map(|o| o.to_string()).unwrap_or_else(|| "?".into())
                    ))),
                }
            }
            other => Err(unsupported(format!(
                "the credential's certificate holds a {other} key; kyso signs with RSA and ECDSA"
            ))),
        }
    }
}

/// What goes into `signatures/signHash` for one [`SignatureAlgorithm`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CscAlgorithm {
    /// `signAlgo`.
    pub sign_algo: ObjectIdentifier,
    /// `hashAlgorithmOID` (always sent: required with `rsaEncryption`/`id-ecPublicKey`, ignored
    /// by services when `signAlgo` implies it).
    pub hash_algorithm: ObjectIdentifier,
    /// `signAlgoParams`, Base64 DER (RSASSA-PSS only).
    pub params: Option<String>,
}

/// The algorithms the credential offers, parsed; OIDs that do not parse are skipped.
pub(crate) fn offered(algos: &[String]) -> Vec<ObjectIdentifier> {
    algos
        .iter()
        .filter_map(|a| ObjectIdentifier::new(a.trim()).ok())
        .collect()
}

/// The default algorithm for `key` among `offered`: PKCS#1 v1.5 with SHA-256 for RSA (PSS when
/// the key or the credential allows nothing else), ECDSA with SHA-256 on P-256 and SHA-384 on
/// P-384.
pub(crate) fn default_algorithm(
    key: KeyKind,
    offered: &[ObjectIdentifier],
) -> Result<SignatureAlgorithm> {
    use DigestAlgorithm::*;
    let candidates: &[SignatureAlgorithm] = match key {
        KeyKind::Rsa => &[
            SignatureAlgorithm::RsaPkcs1v15(Sha256),
            SignatureAlgorithm::RsaPss(Sha256),
            SignatureAlgorithm::RsaPkcs1v15(Sha384),
            SignatureAlgorithm::RsaPkcs1v15(Sha512),
        ],
        KeyKind::RsaPss => &[SignatureAlgorithm::RsaPss(Sha256)],
        KeyKind::P256 => &[
            SignatureAlgorithm::Ecdsa(Sha256),
            SignatureAlgorithm::Ecdsa(Sha384),
        ],
        KeyKind::P384 => &[
            SignatureAlgorithm::Ecdsa(Sha384),
            SignatureAlgorithm::Ecdsa(Sha512),
            SignatureAlgorithm::Ecdsa(Sha256),
        ],
    };
    candidates
        .iter()
        .copied()
        .find(|a| csc_algorithm(key, *a, offered).is_ok())
        .ok_or_else(|| {
            unsupported(format!(
                "none of the credential's algorithms ({}) is one kyso signs with for this key",
                offered
                    .iter()
                    .map(|o| o.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

/// The `signHash` parameters for `algorithm` with a `key` key, if the credential offers it.
pub(crate) fn csc_algorithm(
    key: KeyKind,
    algorithm: SignatureAlgorithm,
    offered: &[ObjectIdentifier],
) -> Result<CscAlgorithm> {
    use DigestAlgorithm::*;
    let has = |oid: &ObjectIdentifier| offered.contains(oid);
    let digest = algorithm.digest();
    let plain = |sign_algo| CscAlgorithm {
        sign_algo,
        hash_algorithm: digest.oid(),
        params: None,
    };
    let refuse = || {
        unsupported(format!(
            "the credential does not offer {algorithm:?} (it offers {})",
            offered
                .iter()
                .map(|o| o.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    match (key, algorithm) {
        (KeyKind::Rsa, SignatureAlgorithm::RsaPkcs1v15(d)) => {
            let combined = match d {
                Sha256 => SHA_256_WITH_RSA_ENCRYPTION,
                Sha384 => SHA_384_WITH_RSA_ENCRYPTION,
                Sha512 => SHA_512_WITH_RSA_ENCRYPTION,
            };
            if has(&combined) {
                Ok(plain(combined))
            } else if has(&RSA_ENCRYPTION) {
                Ok(plain(RSA_ENCRYPTION))
            } else {
                Err(refuse())
            }
        }
        (KeyKind::Rsa | KeyKind::RsaPss, SignatureAlgorithm::RsaPss(_)) => {
            if !has(&ID_RSASSA_PSS) {
                return Err(refuse());
            }
            let identifier = algorithm.identifier().map_err(|e| {
                RemoteError::Config(format!("cannot encode the PSS parameters: {e}"))
            })?;
            let params = identifier
                .parameters
                .as_ref()
                .map(der::Encode::to_der)
                .transpose()
                .map_err(|e| RemoteError::Config(format!("cannot encode the PSS parameters: {e}")))?
                .map(|der| Base64::encode_string(&der));
            Ok(CscAlgorithm {
                sign_algo: ID_RSASSA_PSS,
                hash_algorithm: digest.oid(),
                params,
            })
        }
        (KeyKind::P256 | KeyKind::P384, SignatureAlgorithm::Ecdsa(d)) => {
            let combined = match d {
                Sha256 => ECDSA_WITH_SHA_256,
                Sha384 => ECDSA_WITH_SHA_384,
                Sha512 => ECDSA_WITH_SHA_512,
            };
            if has(&combined) {
                Ok(plain(combined))
            } else if has(&ID_EC_PUBLIC_KEY) {
                Ok(plain(ID_EC_PUBLIC_KEY))
            } else {
                Err(refuse())
            }
        }
        _ => Err(unsupported(format!(
            "{algorithm:?} cannot be used with the credential's {key:?} key"
        ))),
    }
}

/// ECDSA signatures as a CMS `SignerInfo` needs them: DER `ECDSA-Sig-Value`. Services return
/// either that or the raw `r || s` of PKCS#11 and JOSE; the raw form is converted.
pub(crate) fn normalize_signature(key: KeyKind, signature: Vec<u8>) -> Result<Vec<u8>> {
    let invalid =
        |e: signature::Error| RemoteError::InvalidResponse(format!("bad ECDSA signature: {e}"));
    match key {
        KeyKind::P256 => {
            if p256::ecdsa::Signature::from_der(&signature).is_ok() {
                return Ok(signature);
            }
            let raw = p256::ecdsa::Signature::from_slice(&signature).map_err(invalid)?;
            Ok(raw.to_der().as_bytes().to_vec())
        }
        KeyKind::P384 => {
            if p384::ecdsa::Signature::from_der(&signature).is_ok() {
                return Ok(signature);
            }
            let raw = p384::ecdsa::Signature::from_slice(&signature).map_err(invalid)?;
            Ok(raw.to_der().as_bytes().to_vec())
        }
        KeyKind::Rsa | KeyKind::RsaPss => Ok(signature),
    }
}

fn unsupported(message: String) -> crate::Error {
    RemoteError::Config(message).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oids(list: &[&str]) -> Vec<ObjectIdentifier> {
        offered(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn rsa_prefers_pkcs1_sha256() {
        let offered = oids(&["1.2.840.113549.1.1.10", "1.2.840.113549.1.1.1"]);
        let alg = default_algorithm(KeyKind::Rsa, &offered).unwrap();
        assert_eq!(
            alg,
            SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256)
        );
        let csc = csc_algorithm(KeyKind::Rsa, alg, &offered).unwrap();
        assert_eq!(csc.sign_algo, RSA_ENCRYPTION);
        assert_eq!(csc.hash_algorithm, DigestAlgorithm::Sha256.oid());
    }

    #[test]
    fn rsa_with_only_pss_signs_pss_with_parameters() {
        let offered = oids(&["1.2.840.113549.1.1.10"]);
        let alg = default_algorithm(KeyKind::Rsa, &offered).unwrap();
        assert_eq!(alg, SignatureAlgorithm::RsaPss(DigestAlgorithm::Sha256));
        let csc = csc_algorithm(KeyKind::Rsa, alg, &offered).unwrap();
        assert!(csc.params.is_some());
    }

    #[test]
    fn ecdsa_by_curve_and_refusals() {
        let offered = oids(&["1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3"]);
        assert_eq!(
            default_algorithm(KeyKind::P384, &offered).unwrap(),
            SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha384)
        );
        assert!(default_algorithm(KeyKind::Rsa, &offered).is_err());
        assert!(
            csc_algorithm(
                KeyKind::P256,
                SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256),
                &offered
            )
            .is_err()
        );
    }

    #[test]
    fn raw_ecdsa_signature_becomes_der() {
        let mut raw = vec![0u8; 64];
        raw[31] = 1;
        raw[63] = 2;
        let der = normalize_signature(KeyKind::P256, raw).unwrap();
        assert_eq!(der[0], 0x30);
        assert_eq!(
            normalize_signature(KeyKind::P256, der.clone()).unwrap(),
            der
        );
        assert!(normalize_signature(KeyKind::P256, vec![1, 2, 3]).is_err());
    }
}
