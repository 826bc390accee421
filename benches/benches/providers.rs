//! The crypto provider's own figures, in process: one RSA-2048 and one P-256 signature by a
//! software key, and the validation of one small signed PDF (RSA-2048 signer). Run once per
//! provider (`KYSO_CRYPTO_PROVIDER=aws-lc-rs|rustcrypto cargo bench -p kyso-benches --bench
//! providers`); the group name carries the provider in use. Figures: benches/README.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use kyso_cert::Certificate;
use kyso_cert::crypto::Provider;
use kyso_cms::Signer;
use kyso_pdf::verify::{ValidationOptions, Verdict, validate_file};
use kyso_pdf::{PdfSigner, SignOptions};
use kyso_testkit::{LeafKind, TestPki};
use kyso_token::SoftwareSigner;

const P12: &[u8] = include_bytes!("../../crates/kyso-cli/demo/signer.p12");
const ROOT: &[u8] = include_bytes!("../../crates/kyso-cli/demo/root.pem");
const SAMPLE: &[u8] = include_bytes!("../../crates/kyso-cli/demo/sample.pdf");

fn bench_providers(c: &mut Criterion) {
    let provider = Provider::current();
    let rsa = SoftwareSigner::from_pkcs12(P12, "kyso-demo").expect("demo identity");
    let p256_leaf = TestPki::get().leaf(LeafKind::P256);
    let p256 = SoftwareSigner::from_pkcs12(
        &std::fs::read(&p256_leaf.p12_modern).expect("p12"),
        kyso_testkit::P12_PASSWORD,
    )
    .expect("P-256 identity");
    // What a CMS signature signs: the DER of its signed attributes, about this size.
    let message = [0x31u8; 230];

    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("sample.pdf");
    let signed = dir.path().join("signed.pdf");
    std::fs::write(&input, SAMPLE).expect("write sample");
    PdfSigner::new(SignOptions::default())
        .sign_file(&input, &signed, &rsa)
        .expect("sign");
    let options = ValidationOptions::new(vec![Certificate::from_pem(ROOT).expect("demo root")]);
    assert_eq!(
        validate_file(&signed, &options).expect("validate").verdict,
        Verdict::Valid
    );

    let mut group = c.benchmark_group(format!("provider-{}", provider.name()));
    group.bench_function("sign-rsa2048", |b| {
        b.iter(|| black_box(rsa.sign(&message).expect("sign")))
    });
    group.bench_function("sign-p256", |b| {
        b.iter(|| black_box(p256.sign(&message).expect("sign")))
    });
    group.bench_function("verify-small-pdf", |b| {
        b.iter(|| validate_file(&signed, &options).expect("validate"))
    });
    group.finish();
}

criterion_group!(benches, bench_providers);
criterion_main!(benches);
