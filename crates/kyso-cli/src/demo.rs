//! `kyso demo`: writes the built-in demo identity to a folder, signs a sample PDF with it and
//! verifies the result, so a newcomer sees the whole job without preparing anything.

use std::path::Path;

use kyso_pdf::verify::{Lang, ValidationOptions, Verdict, render_text, validate_file};
use kyso_pdf::{PdfSigner, SignOptions};
use kyso_token::SoftwareSigner;

use crate::error::CliError;
use crate::stdio::outln;

const ROOT_PEM: &[u8] = include_bytes!("../demo/root.pem");
const SIGNER_PEM: &[u8] = include_bytes!("../demo/signer.pem");
const SIGNER_P12: &[u8] = include_bytes!("../demo/signer.p12");
const SAMPLE_PDF: &[u8] = include_bytes!("../demo/sample.pdf");
/// The demo PKCS#12 password: public on purpose, like the key it protects.
const DEMO_PASSWORD: &str = "kyso-demo";

/// Runs the demo in `dir`.
pub fn run(dir: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| CliError::Write {
        path: dir.to_path_buf(),
        source: e,
    })?;
    for (name, bytes) in [
        ("demo-root.pem", ROOT_PEM),
        ("demo-signer.pem", SIGNER_PEM),
        ("demo-signer.p12", SIGNER_P12),
        ("sample.pdf", SAMPLE_PDF),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| CliError::Write { path, source: e })?;
    }
    let signer = SoftwareSigner::from_pkcs12(SIGNER_P12, DEMO_PASSWORD)?;
    let input = dir.join("sample.pdf");
    let output = dir.join("sample-signed.pdf");
    let options = SignOptions {
        reason: Some("Ký thử bằng danh tính DEMO của kyso".into()),
        location: Some("Hà Nội".into()),
        ..SignOptions::default()
    };
    PdfSigner::new(options).sign_file(&input, &output, &signer)?;
    let root = kyso_cert::Certificate::from_pem(ROOT_PEM)
        .map_err(|e| CliError::Certificate(dir.join("demo-root.pem"), Box::new(e)))?;
    let report = validate_file(&output, &ValidationOptions::new(vec![root]))?;
    let mut out = String::new();
    outln!(
        out,
        "Demo identity (NOT for real use) written to {}:",
        dir.display()
    );
    outln!(
        out,
        "  demo-root.pem    the demo root CA: trust it to validate the demo signature"
    );
    outln!(
        out,
        "  demo-signer.p12  Nguyễn Văn An's key and certificate (password: {DEMO_PASSWORD})"
    );
    outln!(out, "Signed PDF: {}", output.display());
    outln!(out, "\nkyso verify with the demo root as trust anchor:");
    out.push_str(&render_text(&report, Lang::En));
    outln!(
        out,
        "\nAgain, or with pyHanko:\n  kyso verify {out} --trust {root}\n  pyhanko sign validate --trust-replace --trust {root} {out}",
        out = output.display(),
        root = dir.join("demo-root.pem").display(),
    );
    crate::stdio::print(&out)?;
    if report.verdict != Verdict::Valid {
        return Err(CliError::Usage(
            "the demo signature did not validate; please report this".into(),
        ));
    }
    Ok(())
}
