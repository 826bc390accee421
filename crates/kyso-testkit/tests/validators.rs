//! The validators accept what a reference signer (pyHanko) produces and reject
//! what has been tampered with or is not trusted.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use kyso_testkit::corpus::{self, CorpusPdf};
use kyso_testkit::reference::{SignJob, pyhanko_sign, pyhanko_sign_batch, pyhanko_sign_pkcs7};
use kyso_testkit::validators::{
    Coverage, ModificationLevel, PyhankoOptions, PyhankoSig, openssl_cms_verify, pdfsig_verify,
    pyhanko_cli_validate, pyhanko_validate, pyhanko_validate_batch, pyhanko_validate_with,
    qpdf_check,
};
use kyso_testkit::{LeafKind, TestPki};

fn out_dir() -> PathBuf {
    tempfile::tempdir().unwrap().keep()
}

/// Signs `input` with `kind` (PAdES) and returns the signed file.
fn signed(input: &CorpusPdf, kind: LeafKind, field: &str) -> PathBuf {
    let out = out_dir().join(format!("{}-{}.pdf", input.name, kind.name()));
    pyhanko_sign(&input.path, &out, TestPki::get().leaf(kind), field);
    out
}

/// Every validator says the last signature of `pdf` is valid and trusted; returns
/// pyHanko's verdicts.
fn assert_all_validators_pass(pdf: &Path, kind: LeafKind) -> Vec<PyhankoSig> {
    let pki = TestPki::get();
    let qpdf = qpdf_check(pdf);
    assert!(qpdf.ok, "qpdf --check: {}", qpdf.output);

    let pyhanko = pyhanko_validate(pdf, pki.root_pem());
    let last = pyhanko.last().expect("pyHanko found no signature");
    assert!(last.is_fully_valid(), "pyHanko: {last:#?}");
    assert_eq!(last.signer_common_name.as_deref(), Some(kind.common_name()));

    let sigs = pdfsig_verify(pdf, pki.nss_db());
    let last = sigs.last().expect("pdfsig found no signature");
    assert!(last.is_fully_valid(), "pdfsig:\n{}", last.raw);
    assert_eq!(last.signer_common_name.as_deref(), Some(kind.common_name()));

    openssl_cms_verify(pdf, sigs.len() - 1, pki.root_pem()).unwrap();
    pyhanko
}

#[test]
fn pyhanko_signed_file_passes_every_validator() {
    let pki = TestPki::get();
    let dir = out_dir();
    let kinds = [LeafKind::Rsa2048, LeafKind::Rsa3072Pss, LeafKind::P256];
    let jobs: Vec<SignJob> = kinds
        .iter()
        .map(|&kind| SignJob {
            input: corpus::classic().path,
            output: dir.join(format!("{}.pdf", kind.name())),
            leaf: pki.leaf(kind),
            field: "Sig1".into(),
            pades: true,
            password: None,
        })
        .collect();
    pyhanko_sign_batch(&jobs);
    let outputs: Vec<&Path> = jobs.iter().map(|j| j.output.as_path()).collect();
    let opts = PyhankoOptions {
        trust_roots: vec![pki.root_pem().to_path_buf()],
        ..Default::default()
    };
    let verdicts = pyhanko_validate_batch(&outputs, &opts);
    for ((kind, pdf), verdict) in kinds.iter().zip(&outputs).zip(verdicts) {
        let sig = &verdict.unwrap()[0];
        assert!(sig.is_fully_valid(), "{kind:?}: {sig:#?}");
        assert_eq!(sig.signer_common_name.as_deref(), Some(kind.common_name()));
        assert_eq!(sig.sub_filter.as_deref(), Some("/ETSI.CAdES.detached"));
        let mechanism = sig.signature_mechanism.as_deref().unwrap_or_default();
        match kind {
            LeafKind::Rsa3072Pss => assert_eq!(mechanism, "rsassa_pss"),
            LeafKind::P256 => assert!(mechanism.contains("ecdsa"), "{mechanism}"),
            _ => assert_eq!(mechanism, "sha256_rsa"),
        }

        let qpdf = qpdf_check(pdf);
        assert!(qpdf.ok, "{kind:?}: qpdf --check: {}", qpdf.output);
        let pdfsig = &pdfsig_verify(pdf, pki.nss_db())[0];
        assert!(pdfsig.is_fully_valid(), "{kind:?}: pdfsig:\n{}", pdfsig.raw);
        assert_eq!(
            pdfsig.signer_common_name.as_deref(),
            Some(kind.common_name())
        );
        assert_eq!(
            pdfsig.signature_type.as_deref(),
            Some("ETSI.CAdES.detached")
        );
        openssl_cms_verify(pdf, 0, pki.root_pem()).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    }
}

#[test]
fn pkcs7_detached_signature_passes_every_validator() {
    let out = out_dir().join("pkcs7.pdf");
    pyhanko_sign_pkcs7(
        corpus::classic().path,
        &out,
        TestPki::get().leaf(LeafKind::Rsa2048),
        "Sig1",
    );
    assert_all_validators_pass(&out, LeafKind::Rsa2048);
    let sigs = pdfsig_verify(&out, TestPki::get().nss_db());
    assert_eq!(
        sigs[0].signature_type.as_deref(),
        Some("adbe.pkcs7.detached")
    );
}

#[test]
fn pyhanko_command_line_agrees() {
    let pki = TestPki::get();
    let pdf = signed(&corpus::classic(), LeafKind::Rsa2048, "Sig1");
    let report = pyhanko_cli_validate(&pdf, pki.root_pem(), false);
    assert!(report.ok, "{}", report.output);
    assert_eq!(report.judged_valid, 1);

    // The command exits 0 on a file with no signature: the wrapper does not.
    let unsigned = pyhanko_cli_validate(corpus::classic().path, pki.root_pem(), false);
    assert!(
        !unsigned.ok && unsigned.judged_valid == 0,
        "{}",
        unsigned.output
    );
}

#[test]
fn every_corpus_file_can_be_signed_and_validated() {
    // One pyHanko run signs them all and one validates them all: importing pyHanko
    // costs about a second per run.
    let pki = TestPki::get();
    let dir = out_dir();
    let leaf = pki.leaf(LeafKind::Rsa2048);
    let corpus = corpus::all();
    let jobs: Vec<SignJob> = corpus
        .iter()
        .map(|input| SignJob {
            input: input.path.clone(),
            output: dir.join(format!("{}.pdf", input.name)),
            leaf,
            field: corpus::EMPTY_FIELD_NAME.into(),
            pades: true,
            password: None,
        })
        .collect();
    pyhanko_sign_batch(&jobs);
    let outputs: Vec<&Path> = jobs.iter().map(|j| j.output.as_path()).collect();
    let opts = PyhankoOptions {
        trust_roots: vec![pki.root_pem().to_path_buf()],
        ..Default::default()
    };
    let verdicts = pyhanko_validate_batch(&outputs, &opts);
    for ((input, pdf), verdict) in corpus.iter().zip(&outputs).zip(verdicts) {
        let name = input.name;
        let sigs = verdict.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(sigs.len(), 1, "{name}");
        assert!(sigs[0].is_fully_valid(), "{name}: {:#?}", sigs[0]);
        assert_eq!(sigs[0].field_name, corpus::EMPTY_FIELD_NAME, "{name}");
        // pyHanko validates hybrid-reference files only leniently.
        assert_eq!(sigs[0].strict_syntax, !name.starts_with("hybrid"), "{name}");

        let qpdf = qpdf_check(pdf);
        assert!(qpdf.ok, "{name}: qpdf --check: {}", qpdf.output);
        let pdfsig = pdfsig_verify(pdf, pki.nss_db());
        assert_eq!(pdfsig.len(), 1, "{name}");
        assert!(
            pdfsig[0].is_fully_valid(),
            "{name}: pdfsig:\n{}",
            pdfsig[0].raw
        );
        openssl_cms_verify(pdf, 0, pki.root_pem()).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // The field that was already there was filled, not a second one added.
    let json = Command::new("qpdf")
        .args(["--json", "--json-key=acroform"])
        .arg(dir.join("empty-signature-field.pdf"))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let fields = json["acroform"]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 1, "{fields:#?}");
    assert_eq!(fields[0]["fullname"], corpus::EMPTY_FIELD_NAME);
}

#[test]
fn a_second_signature_leaves_the_first_valid_for_its_revision() {
    let first = signed(&corpus::classic(), LeafKind::Rsa2048, "Sig1");
    let second = out_dir().join("twice.pdf");
    pyhanko_sign(&first, &second, TestPki::get().leaf(LeafKind::P256), "Sig2");
    let sigs = assert_all_validators_pass(&second, LeafKind::P256);
    assert_eq!(sigs.len(), 2);
    assert_eq!(sigs[0].field_name, "Sig1");
    assert!(
        sigs[0].intact && sigs[0].valid && sigs[0].trusted,
        "{:#?}",
        sigs[0]
    );
    assert_eq!(sigs[0].coverage, Some(Coverage::EntireRevision));
    assert_eq!(
        sigs[0].modification_level,
        Some(ModificationLevel::FormFilling)
    );
    let pdfsig = pdfsig_verify(&second, TestPki::get().nss_db());
    assert!(
        pdfsig[0].signature_valid && !pdfsig[0].total_document_signed,
        "{}",
        pdfsig[0].raw
    );
    openssl_cms_verify(&second, 0, TestPki::get().root_pem()).unwrap();
}

#[test]
fn a_flipped_byte_in_the_signed_range_fails_every_signature_check() {
    let pki = TestPki::get();
    let pdf = signed(&corpus::classic(), LeafKind::Rsa2048, "Sig1");
    let mut bytes = fs::read(&pdf).unwrap();
    // Change the page text "(Trang 1)" to "(Trang 7)": still a well-formed PDF.
    let at = bytes
        .windows(9)
        .position(|w| w == b"(Trang 1)")
        .expect("page text")
        + 7;
    bytes[at] = b'7';
    let tampered = pdf.with_file_name("tampered.pdf");
    fs::write(&tampered, &bytes).unwrap();

    let sig = &pyhanko_validate(&tampered, pki.root_pem())[0];
    assert!(!sig.intact, "pyHanko: {sig:#?}");
    assert!(!sig.bottom_line);

    let sig = &pdfsig_verify(&tampered, pki.nss_db())[0];
    assert!(!sig.signature_valid, "pdfsig:\n{}", sig.raw);
    assert_eq!(sig.signature_validation, "Digest Mismatch.");

    let cli = pyhanko_cli_validate(&tampered, pki.root_pem(), false);
    assert!(!cli.ok && cli.judged_invalid == 1, "{}", cli.output);
    assert_eq!(cli.exit_code, Some(1));

    let err = openssl_cms_verify(&tampered, 0, pki.root_pem()).unwrap_err();
    assert!(err.contains("failure"), "{err}");
}

#[test]
fn an_unknown_root_is_not_trusted() {
    let pki = TestPki::get();
    let pdf = signed(&corpus::classic(), LeafKind::Rsa2048, "Sig1");
    let other = out_dir();
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=Other Root",
        ])
        .arg("-keyout")
        .arg(other.join("key.pem"))
        .arg("-out")
        .arg(other.join("root.pem"))
        .output()
        .unwrap();
    assert!(status.status.success());

    let sig = &pyhanko_validate(&pdf, other.join("root.pem"))[0];
    assert!(sig.intact && sig.valid && !sig.trusted, "{sig:#?}");

    let nss = other.join("nssdb");
    fs::create_dir(&nss).unwrap();
    let db = format!("sql:{}", nss.display());
    let out = Command::new("certutil")
        .args(["-N", "--empty-password", "-d", &db])
        .output()
        .unwrap();
    assert!(out.status.success());
    let sig = &pdfsig_verify(&pdf, &nss)[0];
    assert!(
        sig.signature_valid && !sig.certificate_trusted,
        "{}",
        sig.raw
    );

    assert!(openssl_cms_verify(&pdf, 0, other.join("root.pem")).is_err());
    openssl_cms_verify(&pdf, 0, pki.root_pem()).unwrap();
}

#[test]
fn the_revoked_leaf_is_caught_with_the_crls() {
    let pki = TestPki::get();
    let pdf = signed(&corpus::classic(), LeafKind::Revoked, "Sig1");
    let opts = PyhankoOptions {
        trust_roots: vec![pki.root_pem().to_path_buf()],
        crls: vec![
            pki.intermediate_crl_pem().to_path_buf(),
            pki.root_crl_pem().to_path_buf(),
        ],
        // "hard-fail" checks only certificates that declare a CRL or OCSP source.
        revocation_mode: Some("require".into()),
        password: None,
    };
    let sig = &pyhanko_validate_with(&pdf, &opts).unwrap()[0];
    assert!(sig.intact && sig.valid, "{sig:#?}");
    assert!(sig.revoked && !sig.trusted && !sig.bottom_line, "{sig:#?}");

    // The same file signed by a good leaf passes under the same policy.
    let good = signed(&corpus::classic(), LeafKind::Rsa2048, "Sig1");
    let sig = &pyhanko_validate_with(&good, &opts).unwrap()[0];
    assert!(sig.is_fully_valid(), "{sig:#?}");
}

#[test]
fn unsigned_files_have_no_signatures() {
    let pki = TestPki::get();
    let pdf = corpus::classic().path;
    assert!(pyhanko_validate(&pdf, pki.root_pem()).is_empty());
    assert!(pdfsig_verify(&pdf, pki.nss_db()).is_empty());
    assert!(openssl_cms_verify(&pdf, 0, pki.root_pem()).is_err());
}
