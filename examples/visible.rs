//! Three visible signatures on one decision, as Decree 30/2020/NĐ-CP wants them: the
//! official's signature image between the title and the name, the organisation's seal over its
//! left third, and an electronic copy's stamp top right of page 1.
//!
//! ```sh
//! cargo run -p kyso-examples --example visible     # writes three PDFs to the temp directory
//! ```
//! All three are signed with the built-in demo identity; real ones use three keys.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use kyso_pdf::appearance::Image;
use kyso_pdf::appearance::Placement;
use kyso_pdf::appearance::preset::{CopyForm, Preset};
use kyso_pdf::{PdfSigner, SignOptions, VisibleSignature};
use kyso_token::SoftwareSigner;

const DEMO_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../crates/kyso-cli/demo");
const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../crates/kyso-pdf/tests/fixtures/visible"
);

fn sign(
    input: &Path,
    output: &Path,
    visible: VisibleSignature,
) -> Result<(), Box<dyn std::error::Error>> {
    let signer = SoftwareSigner::from_pkcs12(
        &std::fs::read(Path::new(DEMO_DIR).join("signer.p12"))?,
        "kyso-demo",
    )?;
    let options = SignOptions {
        visible: Some(visible),
        ..SignOptions::default()
    };
    PdfSigner::new(options).sign_file(input, output, &signer)?;
    println!("{}", output.display());
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fixtures = PathBuf::from(FIXTURES);
    let out = std::env::temp_dir();
    let now = SystemTime::now();
    let (one, two, three) = (
        out.join("kyso-quyet-dinh-1.pdf"),
        out.join("kyso-quyet-dinh-2.pdf"),
        out.join("kyso-quyet-dinh-sao-y.pdf"),
    );

    let official = Preset::Personal {
        image: Image::from_file(&fixtures.join("chu-ky.png"))?,
    };
    let between = Placement::Between {
        page: None,
        above: "CHỦ TỊCH".into(),
        below: "Trần Văn Đức".into(),
        gap: 2.0,
    };
    let v = VisibleSignature::from_preset(&official, now, Some(between))?;
    sign(&fixtures.join("quyet-dinh.pdf"), &one, v)?;

    let seal = Preset::Organisation {
        seal: Image::from_file(&fixtures.join("con-dau.png"))?,
        diameter_mm: None,
        caption: None,
        over_field: None,
    };
    sign(&one, &two, VisibleSignature::from_preset(&seal, now, None)?)?;

    let copy = Preset::Copy {
        form: CopyForm::SaoY,
        organisation: "Sở Thông tin và Truyền thông".into(),
    };
    sign(
        &two,
        &three,
        VisibleSignature::from_preset(&copy, now, None)?,
    )?;
    Ok(())
}
