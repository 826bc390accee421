//! Interoperability with independent implementations (kyso-testkit's `interop` module):
//!
//! 1. PDFs signed with the test PKI by PDFBox 2 + BouncyCastle, iText 5 (CMS and CAdES),
//!    @signpdf with node-forge (plain and pdf-lib placeholders) and poppler's `pdfsig` (NSS,
//!    which writes BER) over every corpus input: kyso says VALID, with the right signer and
//!    whole-file coverage;
//! 2. real editors after a kyso signature — pypdf's incremental writer and PDFBox
//!    `saveIncremental` — get the verdict the policy gives, beside pyHanko's on the same file;
//! 3. kyso's output is accepted by PDFBox + BouncyCastle and by iText 5 `PdfPKCS7.verify`.
//!
//! The matrix is written up in crates/kyso-pdf/README.md.

use std::path::{Path, PathBuf};

use kyso_pdf::verify::{
    Coverage, ModificationLevel, ReasonCode, ValidationOptions, ValidationReport, Verdict,
    validate_file,
};
use kyso_pdf::{PdfSigner, SignOptions};
use kyso_testkit::corpus;
use kyso_testkit::interop::{
    JavaVerifier, PdfboxEdit, PypdfEdit, SignRequest, Signer, SignpdfPlaceholder,
    java_verify_batch, pdfbox_edit, pypdf_edit, sign_batch,
};
use kyso_testkit::validators::{self, PyhankoOptions};
use kyso_testkit::{LeafKind, TestPki};
use kyso_token::SoftwareSigner;

const LEAVES: [LeafKind; 3] = [LeafKind::Rsa2048, LeafKind::Rsa3072Pss, LeafKind::P256];

fn options() -> ValidationOptions {
    let root = std::fs::read(TestPki::get().root_pem()).expect("root");
    ValidationOptions::new(kyso_cert::Certificate::all_from_der_or_pem(&root).expect("root"))
}

fn show(report: &ValidationReport) -> String {
    kyso_pdf::verify::render_text(report, kyso_pdf::verify::Lang::En)
}

/// What the signer itself cannot do (its own limits, pinned by kyso-testkit's tests):
/// node-forge reads no EC certificate, and @signpdf's plain placeholder reads no xref
/// stream.
fn signer_cannot(signer: Signer, input: &str, kind: LeafKind) -> bool {
    matches!(signer, Signer::Signpdf(_)) && kind == LeafKind::P256
        || signer == Signer::Signpdf(SignpdfPlaceholder::Plain) && input == "xref-stream-objstm"
}

#[test]
fn independent_signers_are_valid_on_every_input_and_key() {
    let pki = TestPki::get();
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = corpus::interop_inputs();
    let mut requests = Vec::new();
    let mut cases = Vec::new();
    for signer in Signer::ALL {
        for input in &inputs {
            for kind in LEAVES {
                let output = dir.path().join(format!(
                    "{}-{}-{}.pdf",
                    signer.name(),
                    input.name,
                    kind.name()
                ));
                cases.push((signer, input.name, kind, output.clone()));
                requests.push(SignRequest {
                    signer,
                    input: input.path.clone(),
                    output,
                    leaf: pki.leaf(kind),
                });
            }
        }
    }
    let mut failures = Vec::new();
    for (result, (signer, input, kind, output)) in sign_batch(&requests).into_iter().zip(&cases) {
        let case = format!("{} / {input} / {}", signer.name(), kind.name());
        match result {
            Err(e) if signer_cannot(*signer, input, *kind) => {
                assert!(!output.exists(), "{case}: a failed signer left a file");
                let _ = e;
            }
            Err(e) => failures.push(format!("{case}: the signer failed: {e}")),
            Ok(()) if signer_cannot(*signer, input, *kind) => failures.push(format!(
                "{case}: the signer now works; update signer_cannot"
            )),
            Ok(()) => {
                let report = validate_file(output, &options()).expect("a report");
                let ok = report.verdict == Verdict::Valid
                    && report.signatures.len() == 1
                    && report.signatures[0].coverage == Coverage::WholeFile
                    && report.signatures[0]
                        .signer
                        .as_ref()
                        .and_then(|s| s.name.as_deref())
                        == Some(kind.common_name());
                if !ok {
                    failures.push(format!("{case}:\n{}", show(&report)));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn kyso_signed(input: &Path, dir: &Path, kind: LeafKind) -> PathBuf {
    let leaf = TestPki::get().leaf(kind);
    let signer =
        SoftwareSigner::from_pem_files(&leaf.key_pem, &leaf.cert_pem, Some(&leaf.chain_pem), None)
            .expect("load the leaf");
    let output = dir.join(format!(
        "kyso-{}-{}.pdf",
        input.file_stem().unwrap_or_default().to_string_lossy(),
        kind.name()
    ));
    PdfSigner::new(SignOptions::default())
        .sign_file(input, &output, &signer)
        .expect("kyso signs");
    output
}

/// A kyso-signed document with a text field "HoTen" (added by pypdf before signing).
fn signed_form(dir: &Path) -> PathBuf {
    let form = dir.join("form.pdf");
    pypdf_edit(
        corpus::classic().path,
        &form,
        &PypdfEdit::AddTextField {
            field: "HoTen".into(),
        },
    );
    kyso_signed(&form, dir, LeafKind::Rsa2048)
}

/// One edit after a kyso signature: what kyso and pyHanko say.
struct Edited {
    what: &'static str,
    file: PathBuf,
    kyso_verdict: Verdict,
    kyso_level: ModificationLevel,
    pyhanko: String,
}

fn edited(what: &'static str, file: PathBuf) -> Edited {
    let report = validate_file(&file, &options()).expect("report");
    let sig = &report.signatures[0];
    let py = validators::pyhanko_validate_with(
        &file,
        &PyhankoOptions {
            trust_roots: vec![TestPki::get().root_pem().to_path_buf()],
            ..PyhankoOptions::default()
        },
    );
    let pyhanko = match py {
        Ok(sigs) => sigs
            .first()
            .map(|s| {
                format!(
                    "{} {:?}",
                    if s.bottom_line { "valid" } else { "not valid" },
                    s.modification_level
                )
            })
            .unwrap_or_else(|| "no signature".into()),
        Err(e) => format!("error: {e}"),
    };
    Edited {
        what,
        kyso_verdict: sig.verdict,
        kyso_level: sig.modification_level,
        pyhanko,
        file,
    }
}

#[test]
fn real_editors_after_a_kyso_signature_get_the_policy_verdict() {
    let dir = tempfile::tempdir().expect("temp dir");
    let signed = signed_form(dir.path());
    let out = |name: &str| dir.path().join(name);
    let mut results = Vec::new();
    for (what, edit) in [
        ("pypdf metadata", PypdfEdit::Metadata),
        ("pypdf annotation", PypdfEdit::Annotation),
        (
            "pypdf form fill",
            PypdfEdit::FormFill {
                field: "HoTen".into(),
                value: "Nguyễn Văn An".into(),
            },
        ),
        ("pypdf page content", PypdfEdit::PageContent),
    ] {
        let file = out(&format!("{}.pdf", what.replace(' ', "-")));
        pypdf_edit(&signed, &file, &edit);
        results.push(edited(what, file));
    }
    for (what, edit) in [
        ("PDFBox annotation", PdfboxEdit::Annotation),
        (
            "PDFBox form fill",
            PdfboxEdit::FormFill {
                field: "HoTen".into(),
                value: "Nguyen Van An".into(),
            },
        ),
    ] {
        let file = out(&format!("{}.pdf", what.replace(' ', "-")));
        pdfbox_edit(&signed, &file, &edit);
        results.push(edited(what, file));
    }
    let expected = [
        ("pypdf metadata", Verdict::Valid, ModificationLevel::None),
        (
            "pypdf annotation",
            Verdict::Valid,
            ModificationLevel::Annotations,
        ),
        (
            "pypdf form fill",
            Verdict::Valid,
            ModificationLevel::FormFilling,
        ),
        (
            "pypdf page content",
            Verdict::Invalid,
            ModificationLevel::Other,
        ),
        (
            "PDFBox annotation",
            Verdict::Valid,
            ModificationLevel::Annotations,
        ),
        (
            "PDFBox form fill",
            Verdict::Valid,
            ModificationLevel::FormFilling,
        ),
    ];
    let table: Vec<String> = results
        .iter()
        .map(|e| {
            format!(
                "{:20} kyso {:?} ({:?}), pyHanko {} — {}",
                e.what,
                e.kyso_verdict,
                e.kyso_level,
                e.pyhanko,
                e.file.display()
            )
        })
        .collect();
    eprintln!("{}", table.join("\n"));
    for ((what, verdict, level), got) in expected.iter().zip(&results) {
        assert_eq!(got.what, *what);
        assert_eq!(
            (got.kyso_verdict, got.kyso_level),
            (*verdict, *level),
            "{what}:\n{}",
            show(&validate_file(&got.file, &options()).expect("report"))
        );
    }
    // A page content change is a modification with its reason, not a crash or a warning.
    let report = validate_file(&results[3].file, &options()).expect("report");
    assert!(
        report.signatures[0]
            .reasons
            .iter()
            .any(|r| r.code == ReasonCode::ModifiedAfterSigning),
        "{}",
        show(&report)
    );
}

#[test]
fn kyso_output_is_accepted_by_pdfbox_and_itext() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for input in corpus::interop_inputs() {
        for kind in LEAVES {
            files.push((input.name, kind, kyso_signed(&input.path, dir.path(), kind)));
        }
    }
    let paths: Vec<&Path> = files.iter().map(|(_, _, p)| p.as_path()).collect();
    let mut failures = Vec::new();
    for verifier in [JavaVerifier::Pdfbox, JavaVerifier::Itext5] {
        let verdicts = java_verify_batch(verifier, &paths);
        for (result, (input, kind, _)) in verdicts.into_iter().zip(&files) {
            // iText 5 verifies no RSASSA-PSS (it knows only PKCS#1 v1.5): its own limit.
            if verifier == JavaVerifier::Itext5 && *kind == LeafKind::Rsa3072Pss {
                continue;
            }
            match result {
                Ok(sigs) if sigs.len() == 1 && sigs[0].is_valid() && sigs[0].covers_whole_file => {}
                other => failures.push(format!(
                    "{verifier:?} on {input} / {}: {other:?}",
                    kind.name()
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
