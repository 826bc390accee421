//! Mapping between a credential's `key/algo` OIDs and [`SignatureScheme`], and the
//! `signAlgo` / `hashAlgorithmOID` / `signAlgoParams` to send with `signatures/signHash`.

use base64ct::{Base64, Encoding};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::{ID_EC_PUBLIC_KEY, ID_RSASSA_PSS, RSA_ENCRYPTION};
use kyso_cert::{Certificate, DigestAlgorithm, EcCurve, KeyType, SignatureScheme};

use crate::Result;
use crate::remote::RemoteError;

/// The key type of the credential's certificate, if kyso signs with it.
pub(crate) fn key_type_of(certificate: &Certificate) -> Result<KeyType> {
    let key = kyso_cert::key_type(certificate).map_err(|e| {
        RemoteError::InvalidResponse(format!("the credential's certificate key: {e}"))
    })?;
    match key {
        KeyType::Rsa { .. } | KeyType::Ec(_) => Ok(key),
        other => Err(unsupported(format!(
            "the credential's certificate holds a {other} key; kyso signs with RSA and ECDSA \
             P-256/P-384"
        ))),
    }
}

/// What goes into `signatures/signHash` for one [`SignatureScheme`].
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
    key: KeyType,
    offered: &[ObjectIdentifier],
) -> Result<SignatureScheme> {
    use DigestAlgorithm::*;
    let candidates: &[SignatureScheme] = match key {
        KeyType::Rsa {
            pss_only: false, ..
        } => &[
            SignatureScheme::RsaPkcs1v15(Sha256),
            SignatureScheme::rsa_pss(Sha256),
            SignatureScheme::RsaPkcs1v15(Sha384),
            SignatureScheme::RsaPkcs1v15(Sha512),
        ],
        KeyType::Rsa { pss_only: true, .. } => &[SignatureScheme::rsa_pss(Sha256)],
        KeyType::Ec(EcCurve::P256) => &[
            SignatureScheme::Ecdsa(Sha256),
            SignatureScheme::Ecdsa(Sha384),
        ],
        KeyType::Ec(EcCurve::P384) => &[
            SignatureScheme::Ecdsa(Sha384),
            SignatureScheme::Ecdsa(Sha512),
            SignatureScheme::Ecdsa(Sha256),
        ],
        _ => &[],
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
    key: KeyType,
    algorithm: SignatureScheme,
    offered: &[ObjectIdentifier],
) -> Result<CscAlgorithm> {
    crate::scheme::check_scheme(key, algorithm)?;
    let has = |oid: &ObjectIdentifier| offered.contains(oid);
    let digest = algorithm.digest();
    let plain = |sign_algo| CscAlgorithm {
        sign_algo,
        hash_algorithm: digest.oid(),
        params: None,
    };
    let refuse = || {
        unsupported(format!(
            "the credential does not offer {} (it offers {})",
            algorithm.id(),
            offered
                .iter()
                .map(|o| o.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    match (key, algorithm) {
        (KeyType::Rsa { .. }, SignatureScheme::RsaPkcs1v15(_)) => {
            let combined = algorithm.identifier().map_err(encoding)?.oid;
            if has(&combined) {
                Ok(plain(combined))
            } else if has(&RSA_ENCRYPTION) {
                Ok(plain(RSA_ENCRYPTION))
            } else {
                Err(refuse())
            }
        }
        (KeyType::Rsa { .. }, SignatureScheme::RsaPss { .. }) => {
            if !has(&ID_RSASSA_PSS) {
                return Err(refuse());
            }
            let identifier = algorithm.identifier().map_err(encoding)?;
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
        (KeyType::Ec(_), SignatureScheme::Ecdsa(_)) => {
            let combined = algorithm.identifier().map_err(encoding)?.oid;
            if has(&combined) {
                Ok(plain(combined))
            } else if has(&ID_EC_PUBLIC_KEY) {
                Ok(plain(ID_EC_PUBLIC_KEY))
            } else {
                Err(refuse())
            }
        }
        _ => Err(unsupported(format!(
            "{} cannot be used with the credential's {key} key",
            algorithm.id()
        ))),
    }
}

/// ECDSA signatures as a CMS `SignerInfo` needs them: DER `ECDSA-Sig-Value`. Services return
/// either that or the raw `r || s` of PKCS#11 and JOSE; the raw form is converted.
pub(crate) fn normalize_signature(key: KeyType, signature: Vec<u8>) -> Result<Vec<u8>> {
    match key {
        KeyType::Ec(curve) => curve
            .der_signature(&signature)
            .map_err(|e| RemoteError::InvalidResponse(format!("bad ECDSA signature: {e}")).into()),
        _ => Ok(signature),
    }
}

fn encoding(e: kyso_cert::Error) -> crate::Error {
    RemoteError::Config(format!("cannot encode the algorithm identifier: {e}")).into()
}

fn unsupported(message: String) -> crate::Error {
    RemoteError::Config(message).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSA: KeyType = KeyType::Rsa {
        modulus_bits: 2048,
        pss_only: false,
    };
    const P256: KeyType = KeyType::Ec(EcCurve::P256);
    const P384: KeyType = KeyType::Ec(EcCurve::P384);

    fn oids(list: &[&str]) -> Vec<ObjectIdentifier> {
        offered(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn rsa_prefers_pkcs1_sha256() {
        let offered = oids(&["1.2.840.113549.1.1.10", "1.2.840.113549.1.1.1"]);
        let alg = default_algorithm(RSA, &offered).unwrap();
        assert_eq!(alg, SignatureScheme::RsaPkcs1v15(DigestAlgorithm::Sha256));
        let csc = csc_algorithm(RSA, alg, &offered).unwrap();
        assert_eq!(csc.sign_algo, RSA_ENCRYPTION);
        assert_eq!(csc.hash_algorithm, DigestAlgorithm::Sha256.oid());
    }

    #[test]
    fn rsa_with_only_pss_signs_pss_with_parameters() {
        let offered = oids(&["1.2.840.113549.1.1.10"]);
        let alg = default_algorithm(RSA, &offered).unwrap();
        assert_eq!(alg, SignatureScheme::rsa_pss(DigestAlgorithm::Sha256));
        let csc = csc_algorithm(RSA, alg, &offered).unwrap();
        assert!(csc.params.is_some());
    }

    #[test]
    fn ecdsa_by_curve_and_refusals() {
        let offered = oids(&["1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3"]);
        assert_eq!(
            default_algorithm(P384, &offered).unwrap(),
            SignatureScheme::Ecdsa(DigestAlgorithm::Sha384)
        );
        assert!(default_algorithm(RSA, &offered).is_err());
        assert!(
            csc_algorithm(
                P256,
                SignatureScheme::RsaPkcs1v15(DigestAlgorithm::Sha256),
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
        let der = normalize_signature(P256, raw).unwrap();
        assert_eq!(der[0], 0x30);
        assert_eq!(normalize_signature(P256, der.clone()).unwrap(), der);
        assert!(normalize_signature(P256, vec![1, 2, 3]).is_err());
    }
}
