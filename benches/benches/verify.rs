//! Validating a signed 1, 10 and 100 MB PDF, beside one read + SHA-256 pass over the same file.
//! Figures: benches/README.md.

use std::hint::black_box;
use std::io::BufWriter;

use criterion::{Criterion, criterion_group, criterion_main};
use kyso_cert::Certificate;
use kyso_pdf::verify::{ValidationOptions, Verdict, validate_file};
use kyso_pdf::{PdfSigner, SignOptions};
use kyso_token::SoftwareSigner;

const P12: &[u8] = include_bytes!("../../crates/kyso-cli/demo/signer.p12");
const ROOT: &[u8] = include_bytes!("../../crates/kyso-cli/demo/root.pem");

fn bench_verify(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let signer = SoftwareSigner::from_pkcs12(P12, "kyso-demo").expect("demo identity");
    let options = ValidationOptions::new(vec![Certificate::from_pem(ROOT).expect("demo root")]);
    for mb in [1usize, 10, 100] {
        let input = dir.path().join(format!("in-{mb}.pdf"));
        let signed = dir.path().join(format!("signed-{mb}.pdf"));
        let mut w = BufWriter::new(std::fs::File::create(&input).expect("create"));
        kyso_benches::make_pdf(mb * 1024 * 1024, &mut w).expect("write input");
        drop(w);
        PdfSigner::new(SignOptions::default())
            .sign_file(&input, &signed, &signer)
            .expect("sign");
        let report = validate_file(&signed, &options).expect("validate");
        assert_eq!(report.verdict, Verdict::Valid);
        let mut group = c.benchmark_group(format!("verify-{mb}MB"));
        if mb == 100 {
            group.sample_size(10);
        }
        group.bench_function("sha256-pass", |b| {
            b.iter(|| black_box(kyso_benches::sha256_file(&signed).expect("read")))
        });
        group.bench_function("kyso-verify", |b| {
            b.iter(|| validate_file(&signed, &options).expect("validate"))
        });
        group.finish();
    }
}

criterion_group!(benches, bench_verify);
criterion_main!(benches);
