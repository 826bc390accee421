//! Sign a PDF with a PKCS#12 identity: the smallest complete integration.
//!
//! ```sh
//! cargo run -p kyso-examples --example sign -- IN.pdf OUT.pdf ID.p12
//! ```
//! The password is read from the environment variable `KYSO_P12_PASSWORD`. Without arguments
//! the example signs kyso's bundled sample with the built-in demo identity.

use std::path::PathBuf;

use kyso_pdf::{PdfSigner, SignOptions};
use kyso_token::SoftwareSigner;

const DEMO_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../crates/kyso-cli/demo");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (input, output, p12, password) = match args.as_slice() {
        [i, o, p] => (
            PathBuf::from(i),
            PathBuf::from(o),
            PathBuf::from(p),
            std::env::var("KYSO_P12_PASSWORD")?,
        ),
        [] => (
            PathBuf::from(DEMO_DIR).join("sample.pdf"),
            std::env::temp_dir().join("kyso-example-signed.pdf"),
            PathBuf::from(DEMO_DIR).join("signer.p12"),
            "kyso-demo".to_string(),
        ),
        _ => return Err("usage: sign IN.pdf OUT.pdf ID.p12".into()),
    };

    let signer = SoftwareSigner::from_pkcs12(&std::fs::read(&p12)?, &password)?;
    let options = SignOptions {
        reason: Some("Phê duyệt văn bản".into()),
        location: Some("Hà Nội".into()),
        ..SignOptions::default()
    };
    PdfSigner::new(options).sign_file(&input, &output, &signer)?;
    println!("signed: {}", output.display());
    Ok(())
}
