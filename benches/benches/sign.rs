//! Signing 1, 10 and 100 MB PDFs, beside one read + SHA-256 pass over the same file (the
//! floor any signer must pay). Figures and how to read them: benches/README.md.

use std::hint::black_box;
use std::io::BufWriter;

use criterion::{Criterion, criterion_group, criterion_main};
use kyso_pdf::{PdfSigner, SignOptions};
use kyso_token::SoftwareSigner;

const P12: &[u8] = include_bytes!("../../crates/kyso-cli/demo/signer.p12");

fn bench_sign(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let signer = SoftwareSigner::from_pkcs12(P12, "kyso-demo").expect("demo identity");
    let pdf_signer = PdfSigner::new(SignOptions::default());
    for mb in [1usize, 10, 100] {
        let input = dir.path().join(format!("in-{mb}.pdf"));
        let output = dir.path().join(format!("out-{mb}.pdf"));
        let mut w = BufWriter::new(std::fs::File::create(&input).expect("create"));
        kyso_benches::make_pdf(mb * 1024 * 1024, &mut w).expect("write input");
        drop(w);
        let mut group = c.benchmark_group(format!("{mb}MB"));
        if mb == 100 {
            group.sample_size(10);
        }
        group.bench_function("sha256-pass", |b| {
            b.iter(|| black_box(kyso_benches::sha256_file(&input).expect("read")))
        });
        group.bench_function("kyso-sign", |b| {
            b.iter(|| {
                pdf_signer
                    .sign_file(&input, &output, &signer)
                    .expect("sign")
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench_sign);
criterion_main!(benches);
