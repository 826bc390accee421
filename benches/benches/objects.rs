//! Signing and verifying a file of ~190,000 small objects beside a file of the same size made
//! of a few large ones: the costs should grow with the objects touched, not those present.
//! Figures: benches/README.md.

use std::io::BufWriter;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use kyso_cert::Certificate;
use kyso_pdf::verify::{ValidationOptions, Verdict, validate_file};
use kyso_pdf::{PdfSigner, SignOptions};
use kyso_token::SoftwareSigner;

const P12: &[u8] = include_bytes!("../../crates/kyso-cli/demo/signer.p12");
const ROOT: &[u8] = include_bytes!("../../crates/kyso-cli/demo/root.pem");
const OBJECTS: usize = 190_000;

fn bench_objects(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let signer = SoftwareSigner::from_pkcs12(P12, "kyso-demo").expect("demo identity");
    let options = ValidationOptions::new(vec![Certificate::from_pem(ROOT).expect("demo root")]);
    let many = dir.path().join("many.pdf");
    let mut w = BufWriter::new(std::fs::File::create(&many).expect("create"));
    kyso_benches::make_many_objects_pdf(OBJECTS, &mut w).expect("write");
    drop(w);
    let size = std::fs::metadata(&many).expect("size").len() as usize;
    let few = dir.path().join("few.pdf");
    let mut w = BufWriter::new(std::fs::File::create(&few).expect("create"));
    kyso_benches::make_pdf(size, &mut w).expect("write");
    drop(w);
    let pdf_signer = PdfSigner::new(SignOptions::default());
    let mut group = c.benchmark_group(format!("{}MB", size >> 20));
    group.sample_size(10);
    for (name, input) in [("many-objects", &many), ("few-objects", &few)] {
        let out = dir.path().join(format!("{name}-signed.pdf"));
        group.bench_function(format!("sign-{name}"), |b| {
            b.iter(|| pdf_signer.sign_file(input, &out, &signer).expect("sign"))
        });
        check(&out, &options);
        group.bench_function(format!("verify-{name}"), |b| {
            b.iter(|| validate_file(&out, &options).expect("validate"))
        });
    }
    group.finish();
}

fn check(signed: &Path, options: &ValidationOptions) {
    let report = validate_file(signed, options).expect("validate");
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
}

criterion_group!(benches, bench_objects);
criterion_main!(benches);
