//! Deferred signing, as a portal does it with a citizen's or official's USB token:
//!
//! 1. the portal gets the signer's certificate chain from the browser/token plug-in,
//!    prepares the PDF and keeps only a small [`DeferredState`] (JSON here) — the HTTP request
//!    can end;
//! 2. the bytes to sign go to the token, which returns a signature;
//! 3. a later request finishes the PDF from the state and the signature.
//!
//! The "token" of step 2 is simulated with the demo identity's software key.
//!
//! ```sh
//! cargo run -p kyso-examples --example deferred
//! ```

use kyso_cms::{SignedDataBuilder, Signer};
use kyso_pdf::{DeferredState, PdfSigner, SignOptions};
use kyso_token::SoftwareSigner;

const DEMO_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../crates/kyso-cli/demo");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = SoftwareSigner::from_pkcs12(
        &std::fs::read(format!("{DEMO_DIR}/signer.p12"))?,
        "kyso-demo",
    )?;
    let work = tempfile::tempdir()?;
    let input = format!("{DEMO_DIR}/sample.pdf");
    let output = work.path().join("signed.pdf");

    // Request 1 — the portal knows the certificate chain and algorithm, not the key.
    let builder = SignedDataBuilder::new(
        token.certificate().clone(),
        token.chain().to_vec(),
        token.algorithm(),
    );
    let prepared =
        PdfSigner::new(SignOptions::default()).prepare(input.as_ref(), &output, builder)?;
    let state_json = serde_json::to_string(&prepared.suspend()?)?;
    println!(
        "state kept between requests: {} bytes of JSON",
        state_json.len()
    );

    // On the user's machine — the token signs the signed attributes.
    let state: DeferredState = serde_json::from_str(&state_json)?;
    let signature = token.sign(state.data_to_sign())?;

    // Request 2 — finish from the state and the returned signature.
    let state: DeferredState = serde_json::from_str(&state_json)?;
    let signed = state.finish(&signature)?;
    println!(
        "signed: {} ({} bytes)",
        signed.display(),
        std::fs::metadata(&signed)?.len()
    );
    Ok(())
}
