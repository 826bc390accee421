//! PAdES B-T, B-LT and B-LTA against live services on loopback — `openssl ts` as the TSA,
//! `openssl ocsp` as the responder, CRLs over HTTP (kyso-testkit's `LtvPki`, whose
//! certificates point at them) — and validation with the services stopped: by kyso, by
//! pyHanko's AdES/LTA validation (`pyhanko sign adesverify`) and by pdfsig; the revocation
//! rules of validation at a past time; files made by pyHanko validated the same way.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use kyso_cert::revocation::{RevocationChecker, RevocationPolicy};
use kyso_cert::{Certificate, TrustStore};
use kyso_pdf::verify::{ReasonCode, ValidationOptions, ValidationReport, Verdict, validate_file};
use kyso_pdf::{ExtendOptions, Level, PdfSigner, SignOptions, extend_file};
use kyso_testkit::ltv::{LTV_P12_PASSWORD, LtvKey, LtvLeaf, LtvPki};
use kyso_testkit::{corpus, validators};
use kyso_token::SoftwareSigner;
use kyso_token::remote::{HttpConfig, HttpRevocationFetcher, HttpTimestampAuthority};

fn root(pki: &LtvPki) -> Certificate {
    Certificate::from_pem(&std::fs::read(pki.root_pem()).expect("root")).expect("parse root")
}

fn tsa(pki: &LtvPki) -> Arc<HttpTimestampAuthority> {
    Arc::new(HttpTimestampAuthority::new(&pki.tsa_url(), &HttpConfig::new(), None).expect("tsa"))
}

fn signer(leaf: &LtvLeaf) -> SoftwareSigner {
    SoftwareSigner::from_pkcs12_file(&leaf.p12, LTV_P12_PASSWORD).expect("p12")
}

/// Signs the classic corpus file as `leaf`, B-T when `timestamped`.
fn sign(pki: &LtvPki, leaf: &LtvLeaf, dir: &Path, timestamped: bool) -> PathBuf {
    let input = dir.join("in.pdf");
    std::fs::write(&input, corpus::classic().bytes()).expect("write");
    let out = dir.join("signed.pdf");
    let options = SignOptions {
        timestamp_authority: timestamped
            .then(|| tsa(pki) as Arc<dyn kyso_cms::tsp::TimestampAuthority>),
        ..SignOptions::default()
    };
    PdfSigner::new(options)
        .sign_file(&input, &out, &signer(leaf))
        .expect("sign");
    out
}

fn online() -> RevocationChecker {
    let mut policy = RevocationPolicy::default();
    policy.fetch = true;
    RevocationChecker::new(policy).with_fetcher(Arc::new(HttpRevocationFetcher::new()))
}

fn extend(
    pki: &LtvPki,
    input: &Path,
    output: &Path,
    level: Level,
) -> kyso_pdf::Result<kyso_pdf::ExtendOutcome> {
    let trust = TrustStore::from_anchors([root(pki)]);
    let checker = online();
    let tsa = tsa(pki);
    extend_file(
        input,
        output,
        &ExtendOptions {
            level,
            trust: &trust,
            revocation: &checker,
            tsa: Some(tsa.as_ref()),
            sign: SignOptions::default(),
        },
    )
}

fn validate_at(pki: &LtvPki, path: &Path, time: Option<SystemTime>) -> ValidationReport {
    let mut options = ValidationOptions::new(vec![root(pki)]);
    options.time = time;
    validate_file(path, &options).expect("validate")
}

/// An NSS database trusting the LTV root, for pdfsig.
fn nss_db(pki: &LtvPki, dir: &Path) -> PathBuf {
    let db = dir.join("nssdb");
    std::fs::create_dir_all(&db).expect("mkdir");
    let run = |args: &[&std::ffi::OsStr]| {
        let o = std::process::Command::new("certutil")
            .args(args)
            .output()
            .expect("certutil not installed: run scripts/test.sh");
        assert!(
            o.status.success(),
            "certutil: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    let sql = std::ffi::OsString::from(format!("sql:{}", db.display()));
    run(&[
        "-N".as_ref(),
        "-d".as_ref(),
        &sql,
        "--empty-password".as_ref(),
    ]);
    run(&[
        "-A".as_ref(),
        "-d".as_ref(),
        &sql,
        "-n".as_ref(),
        "ltv-root".as_ref(),
        "-t".as_ref(),
        "CT,C,C".as_ref(),
        "-i".as_ref(),
        pki.root_pem().as_os_str(),
    ]);
    db
}

#[test]
fn b_lt_and_b_lta_are_reached_and_validate_offline_in_kyso_and_pyhanko() {
    // pyHanko validates the last document time-stamp at the current time, from the DSS: the
    // signature time-stamp's TSA (the same) is vouched for there.
    let mut pki = LtvPki::start();
    let dir = tempfile::tempdir().expect("temp");
    let signed = sign(&pki, pki.signer(), dir.path(), true);
    let lt = dir.path().join("b-lt.pdf");
    let outcome = extend(&pki, &signed, &lt, Level::BLt).expect("extend to B-LT");
    assert_eq!(
        outcome.timestamps, 0,
        "the signature is already time-stamped"
    );
    assert!(
        outcome.ocsp_responses >= 2,
        "signer and TSA by OCSP: {outcome:?}"
    );
    assert!(
        outcome.crls >= 1,
        "the intermediate by the root's CRL: {outcome:?}"
    );
    let lta = dir.path().join("b-lta.pdf");
    let outcome = extend(&pki, &lt, &lta, Level::BLta).expect("extend to B-LTA");
    assert_eq!(outcome.timestamps, 1);
    let original = std::fs::read(&lt).expect("read");
    assert!(
        std::fs::read(&lta).expect("read").starts_with(&original),
        "an incremental update"
    );

    // pdfsig (NSS) reads no DSS: it asks the signer's OCSP responder itself, so it runs
    // while the services do.
    let pdfsig = validators::pdfsig_verify(&lta, nss_db(&pki, dir.path()));
    assert_eq!(pdfsig.len(), 2, "{pdfsig:#?}");
    assert!(
        pdfsig[0].signature_valid && pdfsig[0].certificate_trusted,
        "pdfsig on B-LTA: {pdfsig:#?}"
    );

    pki.stop();
    for (path, level) in [(&signed, "B-T"), (&lt, "B-LT"), (&lta, "B-LTA")] {
        let report = validate_at(&pki, path, None);
        let sig = &report.signatures[0];
        assert_eq!(sig.level.as_deref(), Some(level), "{report:#?}");
        if level == "B-T" {
            // Offline, nothing in the file vouches for the signer: INDETERMINATE.
            assert_eq!(sig.verdict, Verdict::Indeterminate, "{report:#?}");
            assert!(
                sig.reasons
                    .iter()
                    .any(|r| r.code == ReasonCode::RevocationUnknown)
            );
            continue;
        }
        assert_eq!(sig.verdict, Verdict::Valid, "{level}: {report:#?}");
        assert!(
            sig.revocation
                .iter()
                .all(|r| r.status == "good" && r.in_file),
            "{:#?}",
            sig.revocation
        );
        assert_eq!(sig.revocation.len(), 2, "signer and intermediate");
    }
    let lta_report = validate_at(&pki, &lta, None);
    assert_eq!(lta_report.verdict, Verdict::Valid, "{lta_report:#?}");
    assert_eq!(
        lta_report.signatures.len(),
        2,
        "signature and document time-stamp"
    );

    let ades = validators::pyhanko_ades_validate(&lt, pki.root_pem(), None);
    assert!(ades[0].bottom_line, "pyHanko on B-LT: {ades:#?}");
    let ades = validators::pyhanko_ades_validate(&lta, pki.root_pem(), None);
    assert!(
        ades[0].bottom_line && ades[0].indication == "AdESPassed",
        "pyHanko on B-LTA: {ades:#?}"
    );
}

#[test]
fn a_b_b_signature_is_raised_to_b_t_by_a_document_time_stamp() {
    let pki = LtvPki::start();
    let dir = tempfile::tempdir().expect("temp");
    let signed = sign(&pki, pki.signer(), dir.path(), false);
    let bt = dir.path().join("b-t.pdf");
    let outcome = extend(&pki, &signed, &bt, Level::BT).expect("extend to B-T");
    assert_eq!(outcome.timestamps, 1);
    let mut options = ValidationOptions::new(vec![root(&pki)]);
    options.revocation.fetch = true;
    options.fetcher = Some(Arc::new(HttpRevocationFetcher::new()));
    let report = validate_file(&bt, &options).expect("validate");
    let sig = &report.signatures[0];
    assert_eq!(sig.level.as_deref(), Some("B-T"), "{report:#?}");
    assert_eq!(sig.verdict, Verdict::Valid, "fetched online: {report:#?}");
    assert!(
        sig.timestamp.is_none() && sig.proven_time.is_some(),
        "{sig:#?}"
    );
    assert!(
        sig.revocation.iter().all(|r| !r.in_file),
        "fetched, not in the file"
    );
    // B-LT from there: the document time-stamp's TSA gets its evidence too.
    let lt = dir.path().join("b-lt.pdf");
    extend(&pki, &bt, &lt, Level::BLt).expect("extend to B-LT");
    let report = validate_at(&pki, &lt, None);
    assert_eq!(
        report.signatures[0].level.as_deref(),
        Some("B-LT"),
        "{report:#?}"
    );
    assert!(
        report.signatures[1]
            .revocation
            .iter()
            .all(|r| r.status == "good" && r.in_file)
    );
}

#[test]
fn revoked_after_the_time_stamp_is_valid_with_a_note_and_before_is_invalid() {
    let mut pki = LtvPki::start();
    let dir = tempfile::tempdir().expect("temp");
    let signed = sign(&pki, pki.signer(), dir.path(), true);
    let report = validate_at(&pki, &signed, None);
    let gen_time = report.signatures[0]
        .proven_time
        .clone()
        .expect("time-stamped");
    // Revoked a second after the time-stamp (whole seconds, rounded up).
    let after = SystemTime::now() + Duration::from_secs(2);
    pki.revoke(pki.signer(), after);
    let lt = dir.path().join("b-lt.pdf");
    extend(&pki, &signed, &lt, Level::BLt).expect("evidence of a later revocation is kept");
    pki.stop();
    let report = validate_at(&pki, &lt, Some(after + Duration::from_secs(60)));
    let sig = &report.signatures[0];
    assert_eq!(sig.verdict, Verdict::Valid, "{report:#?}");
    assert!(
        sig.warnings
            .iter()
            .any(|w| w.contains("after the signature was proven to exist")),
        "{:#?} (time-stamp {gen_time})",
        sig.warnings
    );
    assert_eq!(sig.revocation[0].status, "revoked");

    // A signer revoked an hour before signing: extension refuses, validation online says
    // INVALID.
    let pki = LtvPki::start();
    let dir = tempfile::tempdir().expect("temp");
    pki.revoke(pki.signer(), SystemTime::now() - Duration::from_secs(3600));
    let signed = sign(&pki, pki.signer(), dir.path(), true);
    let out = dir.path().join("b-lt.pdf");
    let err = extend(&pki, &signed, &out, Level::BLt).expect_err("revoked before");
    assert!(err.to_string().contains("revoked"), "{err}");
    assert!(!out.exists(), "no output on failure");
    let mut options = ValidationOptions::new(vec![root(&pki)]);
    options.revocation.fetch = true;
    options.fetcher = Some(Arc::new(HttpRevocationFetcher::new()));
    let report = validate_file(&signed, &options).expect("validate");
    let sig = &report.signatures[0];
    assert_eq!(sig.verdict, Verdict::Invalid, "{report:#?}");
    assert!(
        sig.reasons
            .iter()
            .any(|r| r.code == ReasonCode::CertificateRevoked),
        "{report:#?}"
    );
}

#[test]
fn expired_now_but_b_lta_is_valid_and_b_b_is_not() {
    let mut pki = LtvPki::start();
    let dir = tempfile::tempdir().expect("temp");
    let short = pki.issue_signer("Lê Thị Hạn", LtvKey::P256, 1);
    let signed = sign(&pki, &short, dir.path(), true);
    let lta = dir.path().join("b-lta.pdf");
    extend(&pki, &signed, &lta, Level::BLta).expect("B-LTA");
    let unstamped_dir = tempfile::tempdir().expect("temp");
    let unstamped = sign(&pki, &short, unstamped_dir.path(), false);
    pki.stop();
    let later = SystemTime::now() + Duration::from_secs(3 * 86_400);
    let report = validate_at(&pki, &lta, Some(later));
    let sig = &report.signatures[0];
    assert_eq!(sig.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(sig.level.as_deref(), Some("B-LTA"));
    assert!(
        sig.warnings.iter().any(|w| w.contains("no longer valid")),
        "{:#?}",
        sig.warnings
    );
    let report = validate_at(&pki, &unstamped, Some(later));
    assert_eq!(
        report.signatures[0].verdict,
        Verdict::Indeterminate,
        "{report:#?}"
    );
    assert!(
        report.signatures[0]
            .reasons
            .iter()
            .any(|r| r.code == ReasonCode::CertificateExpired)
    );
}

#[test]
fn an_unreachable_responder_stops_extension_with_the_reason_and_no_output() {
    let mut pki = LtvPki::start();
    let dir = tempfile::tempdir().expect("temp");
    let signed = sign(&pki, pki.signer(), dir.path(), true);
    let trust = TrustStore::from_anchors([root(&pki)]);
    pki.stop();
    let out = dir.path().join("b-lt.pdf");
    let checker = online();
    let err = extend_file(
        &signed,
        &out,
        &ExtendOptions {
            level: Level::BLt,
            trust: &trust,
            revocation: &checker,
            tsa: None,
            sign: SignOptions::default(),
        },
    )
    .expect_err("nothing can be fetched");
    let text = err.to_string();
    assert!(
        text.contains("no revocation evidence") && text.contains("/ocsp"),
        "{text}"
    );
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".part"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary files removed: {leftovers:?}"
    );
}

#[test]
fn an_archive_time_stamp_is_renewed_with_the_last_ones_validation_data() {
    let mut pki = LtvPki::start();
    let dir = tempfile::tempdir().expect("temp");
    let signed = sign(&pki, pki.signer(), dir.path(), true);
    let first = dir.path().join("lta-1.pdf");
    extend(&pki, &signed, &first, Level::BLta).expect("B-LTA");
    let second = dir.path().join("lta-2.pdf");
    extend(&pki, &first, &second, Level::BLta).expect("renewed");
    pki.stop();
    let report = validate_at(&pki, &second, None);
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(
        report.signatures.len(),
        3,
        "signature and two document time-stamps"
    );
    let first_stamp = &report.signatures[1];
    assert!(
        !first_stamp.revocation.is_empty()
            && first_stamp
                .revocation
                .iter()
                .all(|r| r.status == "good" && r.in_file),
        "the first time-stamp's TSA is vouched for by the renewal's DSS: {:#?}",
        first_stamp.revocation
    );
    assert_eq!(report.signatures[0].level.as_deref(), Some("B-LTA"));
}

#[test]
fn pyhanko_made_ltv_files_validate_offline_at_their_level() {
    // adbe.pkcs7.detached with --with-validation-info keeps the evidence in the CMS
    // (Adobe's signed adbe-revocationInfoArchival); --use-pades puts it in a DSS.
    let mut pki = LtvPki::start();
    let dir = tempfile::tempdir().expect("temp");
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, corpus::classic().bytes()).expect("write");
    let leaf = pki.signer().clone();
    let mut made = Vec::new();
    // (file, --use-pades, --use-pades-lta, the level kyso should find)
    let cases = [
        ("pyhanko-adobe.pdf", false, false, None),
        ("pyhanko-lt.pdf", true, false, Some("B-LT")),
        ("pyhanko-lta.pdf", true, true, Some("B-LTA")),
    ];
    for (name, pades, lta, level) in cases {
        let out = dir.path().join(name);
        let mut args: Vec<std::ffi::OsString> = vec![
            "sign".into(),
            "addsig".into(),
            "--field".into(),
            "Sig1".into(),
            "--timestamp-url".into(),
            pki.tsa_url().into(),
            "--with-validation-info".into(),
            "--trust-replace".into(),
            "--trust".into(),
            pki.root_pem().into(),
        ];
        if pades {
            args.push("--use-pades".into());
        }
        if lta {
            args.push("--use-pades-lta".into());
        }
        args.extend(["pemder".into(), "--key".into(), leaf.key_pem.clone().into()]);
        args.extend(["--cert".into(), leaf.cert_pem.clone().into()]);
        args.extend([
            "--chain".into(),
            leaf.chain_pem.clone().into(),
            "--no-pass".into(),
        ]);
        args.push(input.clone().into());
        args.push(out.clone().into());
        let o = std::process::Command::new("pyhanko")
            .args(&args)
            .output()
            .expect("pyhanko not installed: run scripts/test.sh");
        assert!(
            o.status.success(),
            "pyhanko addsig: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        made.push((out, level));
    }
    pki.stop();
    for (path, level) in &made {
        let report = validate_at(&pki, path, None);
        let sig = &report.signatures[0];
        assert_eq!(
            sig.verdict,
            Verdict::Valid,
            "{}: {report:#?}",
            path.display()
        );
        assert_eq!(
            sig.level.as_deref(),
            *level,
            "{}: {report:#?}",
            path.display()
        );
        assert!(
            sig.revocation
                .iter()
                .all(|r| r.status == "good" && r.in_file),
            "{}: {:#?}",
            path.display(),
            sig.revocation
        );
    }
}

#[test]
fn files_signed_by_pdfbox_and_itext_are_extended_to_b_lta() {
    use kyso_testkit::interop::{SignRequest, Signer, SubFilter, sign_batch};
    let mut pki = LtvPki::start();
    let dir = tempfile::tempdir().expect("temp");
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, corpus::classic().bytes()).expect("write");
    let leaf = pki.signer().as_leaf();
    let signers = [
        ("pdfbox", Signer::Pdfbox, None),
        (
            "itext-cades",
            Signer::Itext5(SubFilter::CadesDetached),
            Some("B-LTA"),
        ),
    ];
    let requests: Vec<SignRequest<'_>> = signers
        .iter()
        .map(|(name, signer, _)| SignRequest {
            signer: *signer,
            input: input.clone(),
            output: dir.path().join(format!("{name}.pdf")),
            leaf: &leaf,
        })
        .collect();
    for (r, (name, ..)) in sign_batch(&requests).into_iter().zip(&signers) {
        r.unwrap_or_else(|e| panic!("{name} signs: {e}"));
    }
    let mut extended = Vec::new();
    for (name, _, level) in &signers {
        let signed = dir.path().join(format!("{name}.pdf"));
        let out = dir.path().join(format!("{name}-lta.pdf"));
        let outcome = extend(&pki, &signed, &out, Level::BLta).expect("extend");
        assert_eq!(
            outcome.timestamps, 2,
            "{name}: a B-T time-stamp, then the archive one"
        );
        extended.push((out, *level));
    }
    pki.stop();
    for (path, level) in &extended {
        let report = validate_at(&pki, path, None);
        let sig = &report.signatures[0];
        assert_eq!(
            report.verdict,
            Verdict::Valid,
            "{}: {report:#?}",
            path.display()
        );
        assert_eq!(sig.level.as_deref(), *level, "{}", path.display());
        assert!(sig.proven_time.is_some() && sig.revocation.iter().all(|r| r.in_file));
        let ades = validators::pyhanko_ades_validate(path, pki.root_pem(), None);
        assert!(
            ades[0].bottom_line,
            "pyHanko on {}: {ades:#?}",
            path.display()
        );
    }
}
