//! Signing the same one-page administrative document (ReportLab-made, 27 KB) invisibly and
//! with a visible appearance — the signature image beside two lines of Vietnamese text in the
//! embedded font subset — and with the Decree 30 official's preset placed between the title
//! and the name (text extraction included). Figures: benches/README.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use kyso_pdf::appearance::preset::Preset;
use kyso_pdf::appearance::{Appearance, Image, Layout, Placement};
use kyso_pdf::{PdfSigner, SignOptions, VisibleSignature};
use kyso_token::SoftwareSigner;

const P12: &[u8] = include_bytes!("../../crates/kyso-cli/demo/signer.p12");
const DOC: &[u8] = include_bytes!("../../crates/kyso-pdf/tests/fixtures/visible/quyet-dinh.pdf");
const SIGNATURE: &[u8] = include_bytes!("../../crates/kyso-pdf/tests/fixtures/visible/chu-ky.png");

fn bench_visible(c: &mut Criterion) {
    let signer = SoftwareSigner::from_pkcs12(P12, "kyso-demo").expect("demo identity");
    let image = Image::from_bytes(SIGNATURE).expect("image");
    let mut group = c.benchmark_group("sign-27KB");
    let invisible = PdfSigner::new(SignOptions::default());
    group.bench_function("invisible", |b| {
        b.iter(|| black_box(invisible.sign_bytes(DOC, &signer).expect("sign")))
    });
    let mut appearance =
        Appearance::text("Ký bởi: Trần Văn Đức\nThời gian ký: 10:20:30 01/12/2026 +07:00");
    appearance.image = Some(image.clone());
    appearance.layout = Layout::ImageBesideText { image_share: 0.4 };
    let visible = PdfSigner::new(SignOptions {
        visible: Some(VisibleSignature {
            appearance,
            placement: Placement::Rect {
                page: 0,
                rect: [300.0, 100.0, 540.0, 160.0],
            },
            size: (0.0, 0.0),
        }),
        ..SignOptions::default()
    });
    group.bench_function("visible-image-text", |b| {
        b.iter(|| black_box(visible.sign_bytes(DOC, &signer).expect("sign")))
    });
    let preset = VisibleSignature::from_preset(
        &Preset::Personal { image },
        std::time::SystemTime::now(),
        Some(Placement::Between {
            page: None,
            above: "CHỦ TỊCH".into(),
            below: "Trần Văn Đức".into(),
            gap: 2.0,
        }),
    )
    .expect("preset");
    let official = PdfSigner::new(SignOptions {
        visible: Some(preset),
        ..SignOptions::default()
    });
    group.bench_function("visible-preset-between-anchors", |b| {
        b.iter(|| black_box(official.sign_bytes(DOC, &signer).expect("sign")))
    });
    group.finish();
}

criterion_group!(benches, bench_visible);
criterion_main!(benches);
