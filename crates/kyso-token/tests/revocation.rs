//! Revocation checking against live services: an `openssl ocsp` responder and CRLs served
//! over HTTP on loopback (kyso-testkit's `LtvPki`), fetched by `HttpRevocationFetcher` for
//! kyso-cert's `RevocationChecker`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use kyso_cert::revocation::{
    CheckTime, Preference, RevocationChecker, RevocationEvidence, RevocationPolicy, Source, Status,
};
use kyso_cert::{Certificate, TrustStore, ValidatedPath, ValidationPolicy, validate_path};
use kyso_testkit::ltv::{LtvLeaf, LtvPki};
use kyso_token::remote::{HttpRevocationFetcher, OcspMethod};

fn cert(path: &std::path::Path) -> Certificate {
    Certificate::from_pem(&std::fs::read(path).expect("read")).expect("parse")
}

fn path_of(pki: &LtvPki, leaf: &LtvLeaf) -> ValidatedPath {
    let trust = TrustStore::from_anchors([cert(&pki.root_pem())]);
    validate_path(
        &cert(&leaf.cert_pem),
        &[cert(&pki.intermediate_pem())],
        &trust,
        &ValidationPolicy::at(SystemTime::now()),
    )
    .expect("the path validates")
}

fn online(prefer: Preference, method: OcspMethod) -> RevocationChecker {
    let mut policy = RevocationPolicy::default();
    policy.fetch = true;
    policy.prefer = prefer;
    RevocationChecker::new(policy).with_fetcher(Arc::new(
        HttpRevocationFetcher::new().with_ocsp_method(method),
    ))
}

#[test]
fn ocsp_by_post_and_get_and_the_root_crl_vouch_for_the_whole_path() {
    let pki = LtvPki::start();
    let path = path_of(&pki, pki.signer());
    for method in [OcspMethod::Post, OcspMethod::GetWhenSmall] {
        let result = online(Preference::Ocsp, method).check(
            &path,
            &RevocationEvidence::default(),
            CheckTime::at(SystemTime::now()),
        );
        assert_eq!(result.certificates.len(), 2, "signer and intermediate");
        assert!(
            matches!(
                result.certificates[0].status,
                Status::Good {
                    source: Source::Ocsp,
                    ..
                }
            ),
            "{:?}",
            result.certificates[0].status
        );
        // The intermediate names only the root's CRL.
        assert!(
            matches!(
                result.certificates[1].status,
                Status::Good {
                    source: Source::Crl,
                    ..
                }
            ),
            "{:?}",
            result.certificates[1].status
        );
        assert_eq!(result.used.ocsp_responses.len(), 1);
        assert_eq!(result.used.crls, vec![pki.root_crl()]);
    }
    assert_eq!(pki.requests("/ocsp"), 2, "one POST, one GET");
}

#[test]
fn a_revocation_is_found_by_ocsp_and_by_crl_with_its_time() {
    let pki = LtvPki::start();
    let at = SystemTime::now() - Duration::from_secs(3600);
    pki.revoke(pki.signer(), at);
    let path = path_of(&pki, pki.signer());
    let expected = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    for (prefer, source) in [
        (Preference::Ocsp, Source::Ocsp),
        (Preference::Crl, Source::Crl),
    ] {
        let result = online(prefer, OcspMethod::Post).check(
            &path,
            &RevocationEvidence::default(),
            CheckTime::at(SystemTime::now()),
        );
        let revoked = result.revoked().expect("the signer is revoked");
        match &revoked.status {
            Status::Revoked {
                source: s,
                time,
                reason,
            } => {
                assert_eq!(*s, source);
                let secs = time
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .expect("t")
                    .as_secs();
                assert_eq!(secs, expected);
                assert_eq!(*reason, Some(1), "keyCompromise");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn answers_are_cached_and_kept_evidence_serves_offline_once_the_services_stop() {
    let mut pki = LtvPki::start();
    let path = path_of(&pki, pki.signer());
    let checker = online(Preference::Ocsp, OcspMethod::Post);
    let now = CheckTime::at(SystemTime::now());
    let first = checker.check(&path, &RevocationEvidence::default(), now);
    let second = checker.check(&path, &RevocationEvidence::default(), now);
    assert_eq!(first, second);
    assert_eq!(pki.requests("/ocsp"), 1, "the second check used the cache");
    assert_eq!(pki.requests("/crl"), 1);

    pki.stop();
    let offline = RevocationChecker::new(RevocationPolicy::default());
    let kept = offline.check(&path, &first.used, now);
    assert!(
        kept.missing().is_none() && kept.revoked().is_none(),
        "{kept:?}"
    );
    let none = offline.check(&path, &RevocationEvidence::default(), now);
    match &none.missing().expect("no evidence offline").status {
        Status::Missing { problems } => {
            assert!(problems[0].contains("fetching it is off"), "{problems:?}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unreachable_responder_leaves_the_status_missing_naming_the_url() {
    let mut pki = LtvPki::start();
    let path = path_of(&pki, pki.signer());
    let url = pki.ocsp_url();
    pki.stop();
    let result = online(Preference::Ocsp, OcspMethod::Post).check(
        &path,
        &RevocationEvidence::default(),
        CheckTime::at(SystemTime::now()),
    );
    match &result.missing().expect("nothing could be had").status {
        Status::Missing { problems } => {
            assert!(problems.iter().any(|p| p.contains(&url)), "{problems:?}");
            assert!(
                problems.iter().any(|p| p.contains("/crl/intermediate.crl")),
                "{problems:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// The evidence the services give now for `path`.
fn fetched_now(path: &ValidatedPath) -> (SystemTime, kyso_cert::revocation::PathRevocation) {
    let now = SystemTime::now();
    let fetched = online(Preference::Ocsp, OcspMethod::Post).check(
        path,
        &RevocationEvidence::default(),
        CheckTime::at(now),
    );
    (now, fetched)
}

#[test]
fn old_evidence_counts_only_for_a_signature_proven_to_exist_before_it() {
    let pki = LtvPki::start();
    let path = path_of(&pki, pki.signer());
    let (now, fetched) = fetched_now(&path);
    let offline = RevocationChecker::new(RevocationPolicy::default());
    // Two days on, the responses (an hour) and CRLs (a day) have expired.
    let later = now + Duration::from_secs(2 * 86_400);
    let stale = offline.check(&path, &fetched.used, CheckTime::at(later));
    assert!(stale.missing().is_some(), "{stale:?}");
    // With a time-stamp proving the signature existed before the evidence was produced, the
    // same evidence still vouches.
    let proven = CheckTime {
        now: later,
        existence: Some(now - Duration::from_secs(60)),
    };
    let kept = offline.check(&path, &fetched.used, proven);
    assert!(kept.missing().is_none(), "{kept:?}");
}

#[test]
fn evidence_older_than_the_time_stamp_does_not_vouch_even_within_its_next_update() {
    // The attack: a key revoked after a "good" OCSP response was produced, then used, and
    // the signature time-stamped, with that older response (still within its nextUpdate)
    // kept as evidence.
    let pki = LtvPki::start();
    let path = path_of(&pki, pki.signer());
    let (now, fetched) = fetched_now(&path);
    let offline = RevocationChecker::new(RevocationPolicy::default());
    let later = now + Duration::from_secs(20 * 60);
    let stamped_later = CheckTime {
        now: later + Duration::from_secs(2 * 86_400),
        existence: Some(later),
    };
    let result = offline.check(&path, &fetched.used, stamped_later);
    match &result
        .missing()
        .expect("the old response does not vouch")
        .status
    {
        Status::Missing { problems } => assert!(
            problems
                .iter()
                .any(|p| p.contains("before the signature's time-stamp")),
            "{problems:?}"
        ),
        other => panic!("{other:?}"),
    }
}
