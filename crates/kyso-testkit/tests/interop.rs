//! The independent signers, editors and verifiers of `kyso_testkit::interop` do what
//! they claim, judged by pyHanko and qpdf — and what each one cannot do is pinned
//! down here, so that a change in a tool's behaviour shows.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use kyso_testkit::corpus;
use kyso_testkit::interop::{
    JavaVerdict, JavaVerifier, PdfboxEdit, PypdfEdit, SignRequest, Signer, SignpdfPlaceholder,
    SubFilter, ber_len, indefinite_length_tags, java_verify_batch, openssl_cms_stream, pdfbox_edit,
    pypdf_edit, revision_count, sign_batch, signature_contents, try_pdfbox_edit, try_pypdf_edit,
};
use kyso_testkit::reference::{pyhanko_sign, pyhanko_sign_pkcs7};
use kyso_testkit::validators::{
    Coverage, ModificationLevel, PyhankoOptions, PyhankoSig, QpdfReport, pyhanko_validate_batch,
    qpdf_check,
};
use kyso_testkit::{LeafKind, TestPki};

fn out_dir() -> PathBuf {
    tempfile::tempdir().unwrap().keep()
}

const LEAVES: [LeafKind; 3] = [LeafKind::Rsa2048, LeafKind::Rsa3072Pss, LeafKind::P256];

/// qpdf's warning about an xref stream that has no entry for itself (PDFBox's and
/// pypdf's incremental updates).
const XREF_STREAM_WITHOUT_ITSELF: &str = "is not one plus the highest object number";

/// qpdf's warning about a `startxref` that points one byte early (@signpdf's plain
/// placeholder).
const STARTXREF_ONE_BYTE_EARLY: &str = "extraneous whitespace seen before xref";

/// What a signer makes of one input with one leaf.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    /// pyHanko: fully valid (intact, valid, trusted, entire file, untouched), with
    /// this signature mechanism; qpdf: ok, or exactly this one warning.
    Valid {
        mechanism: &'static str,
        qpdf_warning: Option<&'static str>,
    },
    /// Signed and intact, but pyHanko finds the signature unsound.
    Unsound { mechanism: &'static str },
    /// The signer fails, saying this.
    Fails(&'static str),
}

/// What the tests below found each signer to do (see the module docs of
/// `kyso_testkit::interop` for the reasons).
fn expect(signer: Signer, input: &str, kind: LeafKind) -> Expect {
    use Expect::*;
    let rsa_pkcs1 = "rsassa_pkcs1v15";
    match signer {
        Signer::Pdfbox => Valid {
            mechanism: match kind {
                LeafKind::Rsa3072Pss => "rsassa_pss",
                LeafKind::P256 => "sha256_ecdsa",
                _ => "sha256_rsa",
            },
            qpdf_warning: (input == "xref-stream-objstm").then_some(XREF_STREAM_WITHOUT_ITSELF),
        },
        // iText 5 writes rsaEncryption as the signature algorithm, signs PKCS#1 v1.5
        // for the PSS leaf, and id-ecPublicKey for ECDSA, which pyHanko rejects.
        Signer::Itext5(_) => match kind {
            LeafKind::P256 => Unsound {
                mechanism: "1.2.840.10045.2.1",
            },
            _ => Valid {
                mechanism: rsa_pkcs1,
                qpdf_warning: None,
            },
        },
        Signer::Signpdf(placeholder) => {
            if placeholder == SignpdfPlaceholder::Plain && input == "xref-stream-objstm" {
                Fails("Expected xref at NaN")
            } else if kind == LeafKind::P256 {
                // node-forge cannot read an EC certificate.
                Fails("Cannot destructure property 'publicKey'")
            } else {
                Valid {
                    mechanism: rsa_pkcs1,
                    qpdf_warning: (placeholder == SignpdfPlaceholder::Plain)
                        .then_some(STARTXREF_ONE_BYTE_EARLY),
                }
            }
        }
        Signer::Pdfsig => Valid {
            mechanism: match kind {
                LeafKind::P256 => "sha256_ecdsa",
                // NSS signs PKCS#1 v1.5 with an rsaEncryption key.
                _ => rsa_pkcs1,
            },
            qpdf_warning: None,
        },
    }
}

/// The tags of the elements that each signer's CMS encodes with an indefinite length.
fn expected_indefinite_tags(signer: Signer) -> &'static [u8] {
    match signer {
        // ContentInfo, [0], SignedData, certificates [0] (BouncyCastle's getEncoded()).
        Signer::Pdfbox => &[0x30, 0xa0, 0x30, 0xa0],
        // ContentInfo, [0], SignedData, EncapsulatedContentInfo (NSS).
        Signer::Pdfsig => &[0x30, 0xa0, 0x30, 0x30],
        // iText 5 and node-forge write DER.
        Signer::Itext5(_) | Signer::Signpdf(_) => &[],
    }
}

fn expected_sub_filter(signer: Signer) -> &'static str {
    match signer {
        Signer::Itext5(SubFilter::CadesDetached) => "/ETSI.CAdES.detached",
        _ => "/adbe.pkcs7.detached",
    }
}

fn qpdf_as_expected(report: &QpdfReport, warning: Option<&str>) -> bool {
    match warning {
        None => report.ok,
        Some(w) => {
            report.exit_code == Some(3)
                && report.output.contains(w)
                && report.output.matches("WARNING").count() == 1
        }
    }
}

/// Signs every input with every leaf in `LEAVES` with `signer`, then checks each
/// outcome against [`expect`] with pyHanko, qpdf and PDFBox's verifier.
fn check_signer(signer: Signer) {
    let pki = TestPki::get();
    let dir = out_dir();
    let mut cases = Vec::new();
    for input in corpus::interop_inputs() {
        for kind in LEAVES {
            cases.push((input.clone(), kind));
        }
    }
    let requests: Vec<SignRequest> = cases
        .iter()
        .map(|(input, kind)| SignRequest {
            signer,
            input: input.path.clone(),
            output: dir.join(format!(
                "{}-{}-{}.pdf",
                signer.name(),
                input.name,
                kind.name()
            )),
            leaf: pki.leaf(*kind),
        })
        .collect();
    let results = sign_batch(&requests);

    let signed: Vec<&Path> = requests
        .iter()
        .zip(&results)
        .filter(|(_, r)| r.is_ok())
        .map(|(q, _)| q.output.as_path())
        .collect();
    let opts = PyhankoOptions {
        trust_roots: vec![pki.root_pem().to_path_buf()],
        ..Default::default()
    };
    let mut pyhanko = pyhanko_validate_batch(&signed, &opts).into_iter();
    let mut pdfbox = java_verify_batch(JavaVerifier::Pdfbox, &signed).into_iter();

    let mut failures = Vec::new();
    for (((input, kind), request), result) in cases.iter().zip(&requests).zip(&results) {
        let case = format!("{} × {} × {}", signer.name(), input.name, kind.name());
        let expected = expect(signer, input.name, *kind);
        let fail = |what: String| format!("{case}: expected {expected:?}, {what}");
        let Ok(()) = result else {
            let err = result.as_ref().unwrap_err();
            match expected {
                Expect::Fails(msg) if err.contains(msg) => {}
                _ => failures.push(fail(format!("signing failed:\n{err}"))),
            }
            assert!(
                !request.output.exists(),
                "{case}: a failed signer left a file"
            );
            continue;
        };
        let sigs = pyhanko
            .next()
            .unwrap()
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        let java = pdfbox
            .next()
            .unwrap()
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        let Some(sig) = sigs.last() else {
            failures.push(fail("pyHanko found no signature".into()));
            continue;
        };
        let qpdf = qpdf_check(&request.output);
        let ok = match expected {
            Expect::Valid {
                mechanism,
                qpdf_warning,
            } => {
                sig.is_fully_valid()
                    && sig.signature_mechanism.as_deref() == Some(mechanism)
                    && qpdf_as_expected(&qpdf, qpdf_warning)
            }
            Expect::Unsound { mechanism } => {
                sig.intact
                    && !sig.valid
                    && sig.signature_mechanism.as_deref() == Some(mechanism)
                    && qpdf.ok
            }
            Expect::Fails(_) => false,
        };
        if !ok {
            failures.push(fail(format!("got pyHanko {sig:#?}\nqpdf: {}", qpdf.output)));
            continue;
        }
        // The whole chain is embedded, the field is new, the subject is the leaf's.
        assert_eq!(sigs.len(), 1, "{case}");
        assert_eq!(
            sig.signer_common_name.as_deref(),
            Some(kind.common_name()),
            "{case}"
        );
        assert_eq!(
            sig.sub_filter.as_deref(),
            Some(expected_sub_filter(signer)),
            "{case}"
        );
        assert_eq!(sig.md_algorithm.as_deref(), Some("sha256"), "{case}");
        // pyHanko reads hybrid files only leniently (pdf-lib rewrites them with a plain
        // xref table), and pdfsig's output (objects of generation 1) too.
        let pdf_lib = signer == Signer::Signpdf(SignpdfPlaceholder::PdfLib);
        let strict = (input.name != "hybrid-xref" || pdf_lib) && signer != Signer::Pdfsig;
        assert_eq!(sig.strict_syntax, strict, "{case}");
        // PDFBox + BouncyCastle agrees with pyHanko on the signature.
        assert_eq!(java.len(), 1, "{case}: {java:#?}");
        assert_eq!(java[0].is_valid(), sig.valid, "{case}: {:#?}", java[0]);

        let pdf = fs::read(&request.output).unwrap();
        let cms = signature_contents(&pdf, 0).unwrap();
        assert_eq!(
            indefinite_length_tags(&cms).unwrap(),
            expected_indefinite_tags(signer),
            "{case}: the CMS's indefinite lengths"
        );
        let original = fs::read(&input.path).unwrap();
        if signer == Signer::Signpdf(SignpdfPlaceholder::PdfLib) {
            // pdf-lib saves the document anew: one revision, whatever the input had.
            assert_eq!(revision_count(&pdf).unwrap(), 1, "{case}");
        } else {
            // An incremental update: the input's bytes, then one more revision.
            assert!(
                pdf.starts_with(&original),
                "{case}: not an incremental update"
            );
            assert_eq!(
                revision_count(&pdf).unwrap(),
                revision_count(&original).unwrap() + 1,
                "{case}"
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn pdfbox_signs_every_input() {
    check_signer(Signer::Pdfbox);
}

#[test]
fn itext5_signs_every_input_as_cms() {
    check_signer(Signer::Itext5(SubFilter::Pkcs7Detached));
}

#[test]
fn itext5_signs_every_input_as_cades() {
    check_signer(Signer::Itext5(SubFilter::CadesDetached));
}

#[test]
fn signpdf_plain_signs_what_it_can_read() {
    check_signer(Signer::Signpdf(SignpdfPlaceholder::Plain));
}

#[test]
fn signpdf_pdf_lib_signs_every_input() {
    check_signer(Signer::Signpdf(SignpdfPlaceholder::PdfLib));
}

#[test]
fn pdfsig_signs_every_input() {
    check_signer(Signer::Pdfsig);
}

// --- editors ----------------------------------------------------------------------------

/// `input` signed by pyHanko (PAdES, RSA-2048, field `Sig1`).
fn pyhanko_signed(input: &Path, dir: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
    pyhanko_sign(input, &out, TestPki::get().leaf(LeafKind::Rsa2048), "Sig1");
    out
}

#[test]
fn editors_add_one_revision_to_a_signed_file() {
    let pki = TestPki::get();
    let dir = out_dir();
    let signed = pyhanko_signed(&corpus::classic().path, &dir, "signed.pdf");
    // The corpus has no text field: add one, then sign.
    let with_field = dir.join("with-field.pdf");
    let name = PypdfEdit::AddTextField {
        field: "Name".into(),
    };
    pypdf_edit(&corpus::classic().path, &with_field, &name);
    let signed_form = pyhanko_signed(&with_field, &dir, "signed-form.pdf");

    let fill = |value: &str| ("Name".to_owned(), value.to_owned());
    let (field, value) = fill("Nguyen Van An");
    // (editor, input, output, pyHanko's modification level, qpdf's warning)
    type Case = (
        &'static str,
        PathBuf,
        PathBuf,
        ModificationLevel,
        Option<&'static str>,
    );
    let mut cases: Vec<Case> = Vec::new();
    let pypdf_cases = [
        (
            "metadata",
            &signed,
            PypdfEdit::Metadata,
            ModificationLevel::LtaUpdates,
        ),
        // pyHanko judges a new annotation after an approval signature OTHER.
        (
            "annotation",
            &signed,
            PypdfEdit::Annotation,
            ModificationLevel::Other,
        ),
        (
            "form-fill",
            &signed_form,
            PypdfEdit::FormFill {
                field: field.clone(),
                value: value.clone(),
            },
            ModificationLevel::FormFilling,
        ),
        (
            "page-content",
            &signed,
            PypdfEdit::PageContent,
            ModificationLevel::Other,
        ),
        (
            "add-text-field",
            &signed,
            PypdfEdit::AddTextField {
                field: "Extra".into(),
            },
            ModificationLevel::Other,
        ),
    ];
    for (name, input, edit, level) in pypdf_cases {
        let out = dir.join(format!("pypdf-{name}.pdf"));
        pypdf_edit(input, &out, &edit);
        cases.push((
            "pypdf",
            input.clone(),
            out,
            level,
            Some(XREF_STREAM_WITHOUT_ITSELF),
        ));
    }
    let pdfbox_cases = [
        (
            "annotation",
            &signed,
            PdfboxEdit::Annotation,
            ModificationLevel::Other,
        ),
        (
            "form-fill",
            &signed_form,
            PdfboxEdit::FormFill {
                field: field.clone(),
                value: value.clone(),
            },
            ModificationLevel::FormFilling,
        ),
    ];
    for (name, input, edit, level) in pdfbox_cases {
        let out = dir.join(format!("pdfbox-{name}.pdf"));
        pdfbox_edit(input, &out, &edit);
        // `signed-form.pdf` ends in an xref stream (pypdf's, then pyHanko's, which
        // follows the file's kind): PDFBox's then has no entry for itself.
        let warning = (input == &signed_form).then_some(XREF_STREAM_WITHOUT_ITSELF);
        cases.push(("pdfbox", input.clone(), out, level, warning));
    }

    let outputs: Vec<&Path> = cases.iter().map(|c| c.2.as_path()).collect();
    let opts = PyhankoOptions {
        trust_roots: vec![pki.root_pem().to_path_buf()],
        ..Default::default()
    };
    let verdicts = pyhanko_validate_batch(&outputs, &opts);
    let mut failures = Vec::new();
    for ((editor, input, output, level, warning), verdict) in cases.iter().zip(verdicts) {
        let case = format!("{editor} {}", output.display());
        let before = fs::read(input).unwrap();
        let after = fs::read(output).unwrap();
        assert!(
            after.starts_with(&before),
            "{case}: not an incremental update"
        );
        assert_eq!(
            revision_count(&after).unwrap(),
            revision_count(&before).unwrap() + 1,
            "{case}"
        );
        let qpdf = qpdf_check(output);
        if !qpdf_as_expected(&qpdf, *warning) {
            failures.push(format!(
                "{case}: qpdf (expected {warning:?}): {}",
                qpdf.output
            ));
        }
        let sigs = verdict.unwrap_or_else(|e| panic!("{case}: {e}"));
        let sig: &PyhankoSig = &sigs[0];
        let as_expected = sig.intact
            && sig.valid
            && sig.trusted
            && sig.coverage == Some(Coverage::EntireRevision)
            && sig.modification_level == Some(*level);
        if !as_expected {
            failures.push(format!("{case}: expected {level:?}, got {sig:#?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn form_fill_of_a_missing_field_fails() {
    let dir = out_dir();
    let signed = pyhanko_signed(&corpus::classic().path, &dir, "signed.pdf");
    let (field, value) = ("Name".to_owned(), "x".to_owned());
    let out = dir.join("pypdf.pdf");
    let edit = PypdfEdit::FormFill {
        field: field.clone(),
        value: value.clone(),
    };
    let err = try_pypdf_edit(&signed, &out, &edit).unwrap_err();
    assert!(err.contains("no text field named 'Name'"), "{err}");
    assert!(!out.exists());
    let out = dir.join("pdfbox.pdf");
    let err = try_pdfbox_edit(&signed, &out, &PdfboxEdit::FormFill { field, value }).unwrap_err();
    assert!(err.contains("no form field named Name"), "{err}");
    assert!(!out.exists(), "a failed PDFBox job left a file");
}

// --- verifiers --------------------------------------------------------------------------

/// `pdf` with "Trang 1" (page 1's text, inside the first signed range) made "Trang 7".
fn tampered(pdf: &Path, out: &Path) -> PathBuf {
    let mut bytes = fs::read(pdf).unwrap();
    let at = bytes
        .windows(7)
        .position(|w| w == b"Trang 1")
        .expect("page 1's text");
    bytes[at + 6] = b'7';
    fs::write(out, bytes).unwrap();
    out.to_path_buf()
}

#[test]
fn java_verifiers_accept_pyhanko_signatures_and_reject_tampering() {
    let pki = TestPki::get();
    let dir = out_dir();
    let classic = corpus::classic().path;
    let sign = |kind: LeafKind| {
        let out = dir.join(format!("{}.pdf", kind.name()));
        pyhanko_sign(&classic, &out, pki.leaf(kind), "Sig1");
        out
    };
    let rsa = sign(LeafKind::Rsa2048);
    let p256 = sign(LeafKind::P256);
    let pss = sign(LeafKind::Rsa3072Pss);
    let pkcs7 = dir.join("pkcs7.pdf");
    pyhanko_sign_pkcs7(&classic, &pkcs7, pki.leaf(LeafKind::Rsa2048), "Sig1");
    let flipped = tampered(&rsa, &dir.join("tampered.pdf"));
    let flipped_p256 = tampered(&p256, &dir.join("tampered-p256.pdf"));
    let annotated = dir.join("annotated.pdf");
    pypdf_edit(&rsa, &annotated, &PypdfEdit::Annotation);
    let files = [
        &rsa,
        &p256,
        &pss,
        &pkcs7,
        &flipped,
        &flipped_p256,
        &annotated,
    ];

    for verifier in [JavaVerifier::Pdfbox, JavaVerifier::Itext5] {
        let verdicts: Vec<JavaVerdict> = java_verify_batch(verifier, &files)
            .into_iter()
            .zip(&files)
            .map(|(r, f)| {
                let mut sigs = r.unwrap_or_else(|e| panic!("{verifier:?} {}: {e}", f.display()));
                assert_eq!(sigs.len(), 1, "{verifier:?} {}: {sigs:#?}", f.display());
                sigs.pop().unwrap()
            })
            .collect();
        let [rsa, p256, pss, pkcs7, flipped, flipped_p256, annotated] = &verdicts[..] else {
            unreachable!()
        };
        for (v, kind, sub_filter) in [
            (rsa, LeafKind::Rsa2048, "ETSI.CAdES.detached"),
            (p256, LeafKind::P256, "ETSI.CAdES.detached"),
            (pkcs7, LeafKind::Rsa2048, "adbe.pkcs7.detached"),
        ] {
            assert!(v.is_valid(), "{verifier:?}: {v:#?}");
            assert_eq!(v.field_name, "Sig1");
            assert_eq!(v.sub_filter.as_deref(), Some(sub_filter));
            let subject = v.signer_subject.as_deref().unwrap_or_default();
            assert!(
                subject.contains(&format!("CN={}", kind.common_name())),
                "{subject}"
            );
        }
        match verifier {
            JavaVerifier::Pdfbox => assert!(pss.is_valid(), "{pss:#?}"),
            // iText 5 knows no RSASSA-PSS.
            JavaVerifier::Itext5 => {
                assert!(!pss.verified, "{pss:#?}");
                let err = pss.error.as_deref().unwrap_or_default();
                assert!(err.contains("1.2.840.113549.1.1.10"), "{err}");
            }
        }
        for v in [flipped, flipped_p256] {
            assert!(!v.verified, "{verifier:?} accepts a flipped byte: {v:#?}");
            assert!(v.covers_whole_file, "{v:#?}");
            assert!(v.error.is_some(), "{v:#?}");
        }
        // Still verified, but no longer covering the file.
        assert!(annotated.verified, "{annotated:#?}");
        assert!(!annotated.covers_whole_file, "{annotated:#?}");
    }
}

// --- openssl ----------------------------------------------------------------------------

const DATA: &[u8] = b"%PDF-1.7 the bytes a /ByteRange would cover, for openssl cms -stream";

#[test]
fn openssl_cms_stream_is_a_detached_indefinite_length_signature() {
    let pki = TestPki::get();
    for kind in [LeafKind::Rsa2048, LeafKind::P256] {
        let cms = openssl_cms_stream(DATA, pki.leaf(kind));
        assert_eq!(ber_len(&cms).unwrap(), cms.len(), "{kind:?}: one element");
        // ContentInfo, [0], SignedData, EncapsulatedContentInfo: indefinite; no eContent.
        let tags = indefinite_length_tags(&cms).unwrap();
        assert_eq!(tags, [0x30, 0xa0, 0x30, 0x30], "{kind:?}");
        assert!(
            !cms.windows(DATA.len()).any(|w| w == DATA),
            "content inside"
        );

        let dir = tempfile::tempdir().unwrap();
        let (sig, data, other) = (
            dir.path().join("sig.ber"),
            dir.path().join("data.bin"),
            dir.path().join("other.bin"),
        );
        fs::write(&sig, &cms).unwrap();
        fs::write(&data, DATA).unwrap();
        fs::write(&other, b"other bytes").unwrap();
        let verify = |content: &Path| {
            Command::new("openssl")
                .args([
                    "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any",
                ])
                .arg("-in")
                .arg(&sig)
                .arg("-content")
                .arg(content)
                .arg("-CAfile")
                .arg(pki.root_pem())
                .args(["-out", "/dev/null"])
                .output()
                .unwrap()
        };
        let out = verify(&data);
        assert!(
            out.status.success(),
            "{kind:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !verify(&other).status.success(),
            "{kind:?}: other content verifies"
        );
    }
}

#[test]
#[should_panic(expected = "illegal zero content")]
fn openssl_cannot_stream_sign_with_pss() {
    openssl_cms_stream(DATA, TestPki::get().leaf(LeafKind::Rsa3072Pss));
}
