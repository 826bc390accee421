//! Extending signed PDFs (kyso_pdf::extend_file) against live services on loopback
//! (kyso-testkit's LtvPki: `openssl ocsp`, CRLs over HTTP, `openssl ts`): a 100 MB B-T file to
//! B-LTA beside one read + SHA-256 pass over it, and 200 small B-T files to B-LT and to B-LTA.
//! The revocation checker lives across iterations, as in a batch: its cache answers after the
//! first file, so the figures are the per-file work plus one TSA round trip per time-stamp.
//! Figures and how to read them: benches/README.md.

use std::hint::black_box;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use kyso_cert::revocation::{RevocationChecker, RevocationPolicy};
use kyso_cert::{Certificate, TrustStore};
use kyso_pdf::{ExtendOptions, Level, PdfSigner, SignOptions, extend_file};
use kyso_testkit::ltv::{LTV_P12_PASSWORD, LtvPki};
use kyso_token::SoftwareSigner;
use kyso_token::remote::{HttpConfig, HttpRevocationFetcher, HttpTimestampAuthority};

const SMALL_FILES: usize = 200;

fn bench_extend(c: &mut Criterion) {
    let pki = LtvPki::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let signer =
        SoftwareSigner::from_pkcs12_file(&pki.signer().p12, LTV_P12_PASSWORD).expect("LTV signer");
    let tsa = Arc::new(
        HttpTimestampAuthority::new(&pki.tsa_url(), &HttpConfig::new(), None).expect("TSA"),
    );
    let bt = PdfSigner::new(SignOptions {
        timestamp_authority: Some(tsa.clone()),
        ..SignOptions::default()
    });
    let root = Certificate::from_pem(&std::fs::read(pki.root_pem()).expect("root")).expect("root");
    let trust = TrustStore::from_anchors([root]);
    let mut policy = RevocationPolicy::default();
    policy.fetch = true;
    let checker =
        RevocationChecker::new(policy).with_fetcher(Arc::new(HttpRevocationFetcher::new()));
    let extend = |input: &Path, output: &Path, level: Level| {
        extend_file(
            input,
            output,
            &ExtendOptions {
                level,
                trust: &trust,
                revocation: &checker,
                tsa: Some(tsa.as_ref()),
                sign: SignOptions::default(),
            },
        )
        .expect("extend")
    };

    let make = |name: &str, size: usize| -> PathBuf {
        let unsigned = dir.path().join(format!("{name}.in.pdf"));
        let mut w = BufWriter::new(std::fs::File::create(&unsigned).expect("create"));
        kyso_benches::make_pdf(size, &mut w).expect("write input");
        drop(w);
        let signed = dir.path().join(format!("{name}.pdf"));
        bt.sign_file(&unsigned, &signed, &signer).expect("sign B-T");
        signed
    };

    let big = make("big", 100 * 1024 * 1024);
    let out = dir.path().join("big-lta.pdf");
    let mut group = c.benchmark_group("100MB");
    group.sample_size(10);
    group.bench_function("sha256-pass", |b| {
        b.iter(|| black_box(kyso_benches::sha256_file(&big).expect("read")))
    });
    group.bench_function("kyso-extend-b-lta", |b| {
        b.iter(|| extend(&big, &out, Level::BLta))
    });
    group.finish();

    let small: Vec<PathBuf> = (0..SMALL_FILES)
        .map(|i| make(&format!("small-{i}"), 30 * 1024))
        .collect();
    let outs: Vec<PathBuf> = (0..SMALL_FILES)
        .map(|i| dir.path().join(format!("small-{i}.out.pdf")))
        .collect();
    let mut group = c.benchmark_group(format!("{SMALL_FILES}-small"));
    group.sample_size(10);
    for (name, level) in [
        ("kyso-extend-b-lt", Level::BLt),
        ("kyso-extend-b-lta", Level::BLta),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                for (input, output) in small.iter().zip(&outs) {
                    extend(input, output, level);
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_extend);
criterion_main!(benches);
