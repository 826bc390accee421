//! x509-limbo conformance: the rfc5280, pathlen, pathological, cve and invalid test cases run
//! through `validate_path`, with known deviations listed in `tests/limbo/deviations.txt`.
//!
//! The test fails when a case not listed there gives another result than limbo expects, when
//! a listed case starts to give the expected result (remove it from the list), or when a
//! listed id is not run. Cases outside the scope of an RFC 5280 path validator for document
//! signatures are skipped, each with its reason (see `skip_reason`).
//!
//! `tests/limbo/limbo.json.gz` is limbo's compiled suite (see `tests/limbo/README.md`).

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5280::{
    ANY_EXTENDED_KEY_USAGE, ID_KP_CLIENT_AUTH, ID_KP_CODE_SIGNING, ID_KP_EMAIL_PROTECTION,
    ID_KP_OCSP_SIGNING, ID_KP_SERVER_AUTH, ID_KP_TIME_STAMPING,
};
use kyso_cert::{Certificate, TrustStore, ValidationPolicy, validate_path};
use serde_json::Value;

const SUITE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/limbo/limbo.json.gz");
const DEVIATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/limbo/deviations.txt");

/// Case families this validator is meant for.
const FAMILIES: &[&str] = &["rfc5280", "pathlen", "pathological", "cve", "invalid"];

/// Cases whose only point is matching the TLS peer name against the certificate, which a
/// document-signature validator does not do.
const PEER_NAME_ONLY: &[&str] = &[
    "rfc5280::san::underscore-dns",
    "rfc5280::san::ip-in-dns",
    "rfc5280::ca-as-leaf-wrong-san",
];

fn skip_reason(case: &Value) -> Option<String> {
    let id = case["id"].as_str().unwrap_or_default();
    let family = id.split("::").next().unwrap_or_default();
    if !FAMILIES.contains(&family) {
        return Some(format!(
            "family {family} (web PKI / revocation / online) not in scope"
        ));
    }
    if PEER_NAME_ONLY.contains(&id) {
        return Some("TLS peer-name matching only".to_owned());
    }
    for feature in case["features"].as_array().into_iter().flatten() {
        let feature = feature.as_str().unwrap_or_default();
        let reason = match feature {
            "has-crl" => "revocation (CRL) is checked outside path validation",
            "has-policy-constraints" | "has-cert-policies" | "no-cert-policies" => {
                "certificate policy processing is not implemented"
            }
            "pedantic-serial-number" => "serial number profile rules are not enforced",
            "pedantic-webpki-subscriber-key"
            | "pedantic-webpki-eku"
            | "pedantic-public-suffix-wildcard" => "web PKI (CA/B Forum) rules are not applied",
            _ => continue,
        };
        return Some(format!("feature {feature}: {reason}"));
    }
    if case["signature_algorithms"]
        .as_array()
        .is_some_and(|a| !a.is_empty())
    {
        return Some("restricted signature algorithm set".to_owned());
    }
    if case["key_usage"].as_array().is_some_and(|a| !a.is_empty()) {
        return Some("key usage requirement".to_owned());
    }
    None
}

fn eku_oid(name: &str) -> ObjectIdentifier {
    match name {
        "serverAuth" => ID_KP_SERVER_AUTH,
        "clientAuth" => ID_KP_CLIENT_AUTH,
        "codeSigning" => ID_KP_CODE_SIGNING,
        "emailProtection" => ID_KP_EMAIL_PROTECTION,
        "timeStamping" => ID_KP_TIME_STAMPING,
        "OCSPSigning" => ID_KP_OCSP_SIGNING,
        "anyExtendedKeyUsage" => ANY_EXTENDED_KEY_USAGE,
        other => panic!("unknown EKU {other}"),
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff](+HH:MM|Z)`.
fn parse_time(text: &str) -> SystemTime {
    let bad = || panic!("unexpected time {text:?}");
    let num = |range: std::ops::Range<usize>| -> i64 {
        text.get(range)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(bad)
    };
    let (y, mo, d, h, mi, s) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    );
    let mut rest = &text[19..];
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
        rest = &frac[digits.len()..];
        let padded = format!("{digits:0<9}");
        nanos = padded[..9].parse().expect("fraction");
    }
    let offset = match rest {
        "Z" | "+00:00" => 0,
        other => {
            let sign = if other.starts_with('-') { -1 } else { 1 };
            sign * (other[1..3].parse::<i64>().unwrap_or_else(|_| bad()) * 3600
                + other[4..6].parse::<i64>().unwrap_or_else(|_| bad()) * 60)
        }
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + s - offset;
    UNIX_EPOCH + Duration::new(u64::try_from(secs).expect("after 1970"), nanos)
}

/// Runs one case; `Ok(())` for SUCCESS, `Err(reason)` for FAILURE.
fn run(case: &Value) -> Result<(), String> {
    let pem = |v: &Value| -> Result<Certificate, String> {
        Certificate::from_pem(v.as_str().unwrap_or_default().as_bytes())
            .map_err(|e| format!("parse: {e}"))
    };
    let mut trust = TrustStore::new();
    for anchor in case["trusted_certs"].as_array().into_iter().flatten() {
        trust.add_anchor(pem(anchor)?);
    }
    let supplied = case["untrusted_intermediates"]
        .as_array()
        .into_iter()
        .flatten()
        .map(pem)
        .collect::<Result<Vec<_>, _>>()?;
    let leaf = pem(&case["peer_certificate"])?;
    let time = case["validation_time"]
        .as_str()
        .map_or_else(SystemTime::now, parse_time);
    let mut policy = ValidationPolicy::at(time);
    if let Some(eku) = case["extended_key_usage"]
        .as_array()
        .and_then(|a| a.first())
        .and_then(Value::as_str)
    {
        policy.required_eku = Some(eku_oid(eku));
    }
    if let Some(depth) = case["max_chain_depth"].as_u64() {
        policy.max_intermediates = usize::try_from(depth).unwrap_or(usize::MAX);
    }
    validate_path(&leaf, &supplied, &trust, &policy)
        .map(drop)
        .map_err(|e| e.to_string())
}

#[test]
fn limbo_cases_match_expectations_or_listed_deviations() {
    let mut json = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(SUITE).expect("limbo.json.gz"))
        .read_to_string(&mut json)
        .expect("gunzip");
    let suite: Value = serde_json::from_str(&json).expect("limbo JSON");
    let known = common::deviations(DEVIATIONS);
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let (mut passed, mut deviated) = (0, 0);
    let mut problems = Vec::new();
    let mut ran = Vec::new();
    for case in suite["testcases"].as_array().expect("testcases") {
        let id = case["id"].as_str().expect("id").to_owned();
        if let Some(reason) = skip_reason(case) {
            *skipped.entry(reason).or_default() += 1;
            continue;
        }
        let expected = case["expected_result"].as_str().expect("expected_result");
        let outcome = run(case);
        let actual = if outcome.is_ok() {
            "SUCCESS"
        } else {
            "FAILURE"
        };
        if std::env::var_os("LIMBO_VERBOSE").is_some() {
            println!(
                "{id}: {actual} {}",
                outcome.as_ref().err().map_or("", String::as_str)
            );
        }
        ran.push(id.clone());
        match (expected == actual, known.get(&id)) {
            (true, None) => passed += 1,
            (true, Some(_)) => problems.push(format!(
                "{id}: listed as a deviation but now gives the expected {expected}; remove it"
            )),
            (false, Some(d)) if d.expected == expected && d.actual == actual => deviated += 1,
            (false, _) => problems.push(format!(
                "{id}: expected {expected}, got {actual} ({})",
                outcome.err().unwrap_or_default()
            )),
        }
    }
    for id in known.keys() {
        if !ran.contains(id) {
            problems.push(format!("{id}: listed in deviations.txt but not run"));
        }
    }
    let skipped_total: usize = skipped.values().sum();
    println!("limbo: {passed} passed, {deviated} known deviations, {skipped_total} skipped");
    for (reason, count) in &skipped {
        println!("  skipped {count}: {reason}");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
