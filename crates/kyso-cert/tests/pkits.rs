//! NIST PKITS conformance: the 224 path validation tests of the Public Key Interoperability
//! Test Suite (2011 edition, §4.1–§4.16 of the PKITS document) run through `validate_path`
//! and, for a path that validates, the revocation check of [`RevocationChecker`] against the
//! suite's CRLs, with known deviations listed in `tests/pkits/deviations.txt`.
//!
//! Result: 170 tests give PKITS's expected result; 54 are known deviations — 28 CRL
//! revocation checking (11 CRL signed by another key of the CA, a separate cRLSign key or the
//! other key of a self-issued certificate, not searched: §4.4, §4.5, §4.6, §4.9, §4.11–§4.13;
//! 9 critical issuing distribution point refused: §4.5, §4.14; 6 indirect CRL (cRLIssuer) not
//! searched: §4.14; 2 delta CRLs not read: §4.15), 21 certificate policy processing not
//! implemented (§4.8–§4.12), 2 DSA signatures not supported, 2 uniformResourceIdentifier name
//! constraints not implemented (the certificate is rejected), 1 end entity whose 1950
//! notBefore the `der` crate cannot parse. Some Invalid tests give the expected failure for
//! another reason than PKITS's (no usable CRL rather than a revoked certificate, or rather
//! than a policy error); `deviations.txt` names them.
//!
//! Each test is run twice, and must give the same result both ways:
//!
//! * **path**: the end entity with the intermediates of the test's own path (the
//!   certificates of its S/MIME message, as a CMS `SignedData` would supply them);
//! * **pool**: the end entity alone, with every CA certificate of the suite (181) in
//!   the [`TrustStore`]'s intermediate pool, so the builder has to find the path itself.
//!
//! Revocation: once `validate_path` succeeds, each certificate of the path but the anchor is
//! checked offline against the 173 CRLs of `crls.tar.gz` with [`Requirement::Always`]
//! (PKITS's default wants a CRL for every certificate: §4.4.1 MissingCRLTest1 fails without
//! one), at the validation time (the suite's CRLs have their nextUpdate in 2030, one in 2050,
//! but for the stale ones of §4.4.11, §4.4.12 and §4.15.10). The path is valid only if no
//! certificate is revoked ([`Status::Revoked`]) or without usable CRL ([`Status::Missing`]).
//!
//! The trust anchor is `TrustAnchorRootCertificate.crt`, the policy
//! [`ValidationPolicy::at`] 2020-01-01T00:00:00Z with no key-usage requirement on the end
//! entity (PKITS end entities are generic) and SHA-1 refused (the suite is signed with
//! sha256WithRSAEncryption; only the DSA tests use SHA-1). The expected result is the one
//! PKITS gives with its default settings (initial-policy-set anyPolicy, every initial-*
//! flag false): "Valid…" tests succeed, "Invalid…" ones fail, and the 22 others (§4.4.1,
//! §4.8, §4.12.3) as `tests/pkits/tests.txt` says.
//!
//! The test fails when a test not listed in `deviations.txt` gives another result than
//! expected, when a listed one starts to give the expected result (remove it from the list),
//! when a listed name is not run, or when the two ways disagree.
//! `pkits_invalid_tests_fail_for_the_expected_reason` checks the error kind (or revocation
//! verdict) of the invalid tests whose reason is clear. `tests/pkits/README.md` says where
//! the data comes from.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::time::{Duration, UNIX_EPOCH};

use kyso_cert::revocation::{
    CheckTime, Requirement, RevocationChecker, RevocationEvidence, RevocationPolicy, Status,
};
use kyso_cert::{Certificate, Error, TrustStore, ValidationPolicy, validate_path};

const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pkits/certs.tar.gz");
const CRLS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pkits/crls.tar.gz");
const TESTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pkits/tests.txt");
const DEVIATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pkits/deviations.txt");

const ANCHOR: &str = "TrustAnchorRootCertificate.crt";

/// 2020-01-01T00:00:00Z: after the notAfter of the "expired" certificates (2011-01-01
/// 08:30 UTC, so 2011-01-01 itself would not do), before the suite's 2030-12-31 and the
/// 2047 notBefore of the "not yet valid" ones.
const VALIDATION_TIME: u64 = 1_577_836_800;

/// The files of `certs.tar.gz` (a ustar archive of PKITS's `certs/` folder), parsed; a
/// certificate kyso-cert cannot parse is kept as the error, for the tests that use it. And
/// the CRLs of `crls.tar.gz` (PKITS's `crls/` folder), as DER.
struct Suite {
    certs: BTreeMap<String, Result<Certificate, String>>,
    /// Every CA certificate of the suite but the trust anchor (the files not named `*EE.crt`).
    pool: Vec<Certificate>,
    /// Every CRL of the suite (173), the revocation evidence of every test.
    crls: RevocationEvidence,
}

/// The bytes of the ustar archive `path` (gzipped).
fn gunzip(path: &str) -> Vec<u8> {
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}")),
    )
    .read_to_end(&mut tar)
    .unwrap_or_else(|e| panic!("gunzip {path}: {e}"));
    tar
}

impl Suite {
    fn load() -> Self {
        let tar = gunzip(CERTS);
        let certs: BTreeMap<_, _> = untar(&tar)
            .into_iter()
            .map(|(name, der)| {
                let cert = Certificate::from_der(der).map_err(|e| format!("{name}: {e}"));
                (name, cert)
            })
            .collect();
        let pool = certs
            .iter()
            .filter(|(name, _)| !name.ends_with("EE.crt") && name.as_str() != ANCHOR)
            .filter_map(|(_, cert)| cert.as_ref().ok().cloned())
            .collect();
        let tar = gunzip(CRLS);
        let crls = RevocationEvidence {
            crls: untar(&tar)
                .into_iter()
                .map(|(_, der)| der.to_vec())
                .collect(),
            ..RevocationEvidence::default()
        };
        assert_eq!(crls.crls.len(), 173, "crls.tar.gz");
        Self { certs, pool, crls }
    }

    fn get(&self, name: &str) -> Result<Certificate, String> {
        self.certs
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not in certs.tar.gz"))
            .clone()
    }
}

/// The regular files of a ustar archive: (name, contents).
fn untar(bytes: &[u8]) -> Vec<(String, &[u8])> {
    let mut files = Vec::new();
    let mut at = 0;
    while let Some(header) = bytes.get(at..at + 512) {
        if header.iter().all(|&b| b == 0) {
            break; // end-of-archive blocks
        }
        let field = |range: std::ops::Range<usize>| {
            std::str::from_utf8(&header[range])
                .expect("ASCII tar header")
                .trim_matches(|c| c == '\0' || c == ' ')
                .to_owned()
        };
        let size = usize::from_str_radix(&field(124..136), 8).expect("octal file size");
        let start = at + 512;
        if matches!(header[156], b'0' | b'\0') {
            files.push((field(0..100), &bytes[start..start + size]));
        }
        at = start + size.div_ceil(512) * 512;
    }
    files
}

/// One line of `tests.txt`.
struct Case {
    section: String,
    name: String,
    expected: &'static str,
    end_entity: String,
    intermediates: Vec<String>,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(TESTS).expect("tests.txt");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let mut fields = line.split_whitespace().map(str::to_owned);
            let (Some(section), Some(name), Some(expected), Some(end_entity)) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                panic!("tests.txt: want `section name expected end-entity …`: {line}");
            };
            let expected = match expected.as_str() {
                "valid" => "valid",
                "invalid" => "invalid",
                other => panic!("tests.txt: expected result {other:?}: {line}"),
            };
            Case {
                section,
                name,
                expected,
                end_entity,
                intermediates: fields.collect(),
            }
        })
        .collect()
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    /// The intermediates of the test's own path, supplied with the end entity.
    Path,
    /// Every CA certificate of the suite in the trust store's pool.
    Pool,
}

/// Why a test's end entity did not validate: kyso-cert's error, a certificate that did not
/// parse, or, once the path validated, a certificate of it revoked or without a usable CRL.
#[derive(Debug)]
enum Failure {
    Validation(Error),
    Parse(String),
    Revoked(String),
    NoUsableCrl(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Validation(error) => write!(f, "{error}"),
            Self::Parse(error) => write!(f, "parse: {error}"),
            Self::Revoked(about) => write!(f, "revoked: {about}"),
            Self::NoUsableCrl(about) => write!(f, "no usable CRL: {about}"),
        }
    }
}

fn run(case: &Case, suite: &Suite, mode: Mode) -> Result<(), Failure> {
    let mut trust = TrustStore::new();
    trust.add_anchor(suite.get(ANCHOR).map_err(Failure::Parse)?);
    let supplied = match mode {
        Mode::Path => case
            .intermediates
            .iter()
            .map(|name| suite.get(name))
            .collect::<Result<Vec<_>, _>>()
            .map_err(Failure::Parse)?,
        Mode::Pool => {
            for cert in &suite.pool {
                trust.add_intermediate(cert.clone());
            }
            Vec::new()
        }
    };
    let leaf = suite.get(&case.end_entity).map_err(Failure::Parse)?;
    let time = UNIX_EPOCH + Duration::from_secs(VALIDATION_TIME);
    let policy = ValidationPolicy::at(time);
    let path = validate_path(&leaf, &supplied, &trust, &policy).map_err(Failure::Validation)?;
    // PKITS's default: every certificate of the path but the anchor needs a CRL (§4.4.1),
    // and only the suite's own CRLs are at hand (offline).
    let mut revocation = RevocationPolicy::default();
    revocation.requirement = Requirement::Always;
    revocation.fetch = false;
    let checked = RevocationChecker::new(revocation).check(
        &path,
        &suite.crls,
        CheckTime {
            now: time,
            existence: None,
        },
    );
    if let Some(c) = checked.revoked() {
        let Status::Revoked { time, reason, .. } = &c.status else {
            unreachable!("revoked() finds a Revoked status")
        };
        let at = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        return Err(Failure::Revoked(format!(
            "{} (at {at}, reason {reason:?})",
            c.certificate.subject().display()
        )));
    }
    if let Some(c) = checked.missing() {
        let Status::Missing { problems } = &c.status else {
            unreachable!("missing() finds a Missing status")
        };
        return Err(Failure::NoUsableCrl(format!(
            "{}: {}",
            c.certificate.subject().display(),
            problems.join("; ")
        )));
    }
    Ok(())
}

#[test]
fn pkits_tests_match_expectations_or_listed_deviations() {
    let suite = Suite::load();
    let known = common::deviations(DEVIATIONS);
    let (mut passed, mut deviated) = (0, 0);
    let mut problems = Vec::new();
    let mut ran = Vec::new();
    for case in cases() {
        let (name, expected) = (&case.name, case.expected);
        let outcome = run(&case, &suite, Mode::Path);
        let actual = if outcome.is_ok() { "valid" } else { "invalid" };
        if std::env::var_os("PKITS_VERBOSE").is_some() {
            let reason = outcome.as_ref().err().map(ToString::to_string);
            println!(
                "{} {name}: {actual} {}",
                case.section,
                reason.unwrap_or_default()
            );
        }
        let pooled = run(&case, &suite, Mode::Pool);
        if pooled.is_ok() != outcome.is_ok() {
            problems.push(format!(
                "{} {name}: {actual} with its own path, but {:?} with every CA in the pool",
                case.section, pooled
            ));
        }
        ran.push(name.clone());
        match (expected == actual, known.get(name)) {
            (true, None) => passed += 1,
            (true, Some(_)) => problems.push(format!(
                "{} {name}: listed as a deviation but now gives the expected {expected}; remove it",
                case.section
            )),
            (false, Some(d)) if d.expected == expected && d.actual == actual => deviated += 1,
            (false, _) => problems.push(format!(
                "{} {name}: expected {expected}, got {actual} ({})",
                case.section,
                outcome.err().map(|e| e.to_string()).unwrap_or_default()
            )),
        }
    }
    for name in known.keys() {
        if !ran.contains(name) {
            problems.push(format!("{name}: listed in deviations.txt but not run"));
        }
    }
    println!("PKITS: {passed} passed, {deviated} known deviations");
    assert_eq!(ran.len(), 224, "PKITS §4 has 224 tests");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Invalid tests whose reason is plain: `test | error kind | text the error must contain`
/// (the certificate it is about, or for `NoUsableCrl` what is wrong with the CRL). `Revoked`
/// and `NoUsableCrl` are the revocation check's verdicts on a path that validated.
const EXPECTED_ERRORS: &str = "
InvalidCASignatureTest2 | BadSignature | CN=Bad Signed CA
InvalidEESignatureTest3 | BadSignature | CN=Invalid EE Signature Test3
InvalidCAnotBeforeDateTest1 | NotYetValid | CN=Bad notBefore Date CA
InvalidEEnotBeforeDateTest2 | NotYetValid | EE Certificate Test2
InvalidCAnotAfterDateTest5 | Expired | CN=Bad notAfter Date CA
InvalidEEnotAfterDateTest6 | Expired | EE Certificate Test6
Invalidpre2000UTCEEnotAfterDateTest7 | Expired | EE Certificate Test7
InvalidNameChainingEETest1 | MissingIssuer | Name Chaining EE Certificate Test1
InvalidNameChainingOrderTest2 | MissingIssuer | Order EE Certificate Test2
InvalidBasicSelfIssuedCRLSigningKeyTest8 | NotACa | CRL Signing Key CA
InvalidMissingbasicConstraintsTest1 | NotACa | CN=Missing basicConstraints CA
InvalidcAFalseTest2 | NotACa | CN=basicConstraints Critical cA False CA
InvalidcAFalseTest3 | NotACa | CN=basicConstraints Not Critical cA False CA
InvalidpathLenConstraintTest6 | PathLenExceeded | CN=pathLenConstraint0 subCA,
InvalidpathLenConstraintTest12 | PathLenExceeded | CN=pathLenConstraint6 subsubsubCA11X
InvalidSelfIssuedpathLenConstraintTest16 | PathLenExceeded | CN=pathLenConstraint0 subCA2
InvalidkeyUsageCriticalkeyCertSignFalseTest1 | MissingKeyCertSign | =keyUsage Critical keyCertSign
InvalidkeyUsageNotCriticalkeyCertSignFalseTest2 | MissingKeyCertSign | Not Critical keyCertSign
InvalidDNnameConstraintsTest2 | NameConstraintViolation | EE Certificate Test2
InvalidDNnameConstraintsTest17 | NameConstraintViolation | EE Certificate Test17
InvalidRFC822nameConstraintsTest22 | NameConstraintViolation | EE Certificate Test22
InvalidDNSnameConstraintsTest31 | NameConstraintViolation | EE Certificate Test31
InvalidUnknownCriticalCertificateExtensionTest2 | UnknownCriticalExtension | EE Cert Test2
InvalidRevokedCATest2 | Revoked | CN=Revoked subCA
InvalidRevokedEETest3 | Revoked | CN=Invalid Revoked EE Certificate Test3
InvalidNegativeSerialNumberTest15 | Revoked | Negative Serial Number EE Certificate Test15
InvalidLongSerialNumberTest18 | Revoked | Long Serial Number EE Certificate Test18
InvaliddeltaCRLTest3 | Revoked | CN=Invalid deltaCRL EE Certificate Test3
InvaliddeltaCRLTest9 | Revoked | CN=Invalid deltaCRL EE Certificate Test9
MissingCRLTest1 | NoUsableCrl | no revocation evidence is given
InvalidBadCRLSignatureTest4 | NoUsableCrl | the CRL's signature does not verify
InvalidBadCRLIssuerNameTest5 | NoUsableCrl | no revocation evidence is given
InvalidWrongCRLTest6 | NoUsableCrl | no revocation evidence is given
InvalidUnknownCRLEntryExtensionTest8 | NoUsableCrl | unknown critical entry extension
InvalidUnknownCRLExtensionTest9 | NoUsableCrl | unknown critical extension
InvalidUnknownCRLExtensionTest10 | NoUsableCrl | unknown critical extension
InvalidOldCRLnextUpdateTest11 | NoUsableCrl | nextUpdate has passed
Invalidpre2000CRLnextUpdateTest12 | NoUsableCrl | nextUpdate has passed
InvalidkeyUsageCriticalcRLSignFalseTest4 | NoUsableCrl | does not allow cRLSign
InvalidkeyUsageNotCriticalcRLSignFalseTest5 | NoUsableCrl | does not allow cRLSign
InvaliddeltaCRLIndicatorNoBaseTest1 | NoUsableCrl | a delta CRL
";

fn kind(error: &Error) -> &'static str {
    match error {
        Error::BadSignature { .. } => "BadSignature",
        Error::NotYetValid { .. } => "NotYetValid",
        Error::Expired { .. } => "Expired",
        Error::MissingIssuer { .. } => "MissingIssuer",
        Error::NotACa { .. } => "NotACa",
        Error::PathLenExceeded { .. } => "PathLenExceeded",
        Error::MissingKeyCertSign { .. } => "MissingKeyCertSign",
        Error::NameConstraintViolation { .. } => "NameConstraintViolation",
        Error::UnknownCriticalExtension { .. } => "UnknownCriticalExtension",
        _ => "another error",
    }
}

/// The tests of [`EXPECTED_ERRORS`] fail with that error, in both modes.
#[test]
fn pkits_invalid_tests_fail_for_the_expected_reason() {
    let suite = Suite::load();
    let cases = cases();
    let table: Vec<&str> = EXPECTED_ERRORS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(table.len(), 41, "EXPECTED_ERRORS");
    for line in table {
        let [name, expected, about] = line.split(" | ").collect::<Vec<_>>()[..] else {
            panic!("EXPECTED_ERRORS: want `test | kind | text`: {line}");
        };
        let case = cases
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("{name} is not in tests.txt"));
        for mode in [Mode::Path, Mode::Pool] {
            let failure = run(case, &suite, mode);
            let (actual, text) = match &failure {
                Err(Failure::Validation(error)) => (kind(error), error.to_string()),
                Err(Failure::Revoked(about)) => ("Revoked", about.clone()),
                Err(Failure::NoUsableCrl(about)) => ("NoUsableCrl", about.clone()),
                other => panic!("{name} ({mode:?}): want {expected}, got {other:?}"),
            };
            assert!(
                actual == expected && text.contains(about),
                "{name} ({mode:?}): want {expected} about {about:?}, got {failure:?}"
            );
        }
    }
}
