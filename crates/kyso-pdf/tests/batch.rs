//! Batch signing: every good document is signed (and validates), a bad one gets its own error
//! while the others go on, and the signer is asked once for the whole batch — or, for a signer
//! that signs each document as it is ready, once per document and never for the batch.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use kyso_cert::Certificate;
use kyso_cms::{BatchMode, SignatureScheme, Signer, SignerError};
use kyso_pdf::verify::{ValidationOptions, Verdict, validate_file};
use kyso_pdf::{BatchEvent, BatchJob, Error, PdfSigner, SignOptions};
use kyso_testkit::{LeafKind, TestPki, corpus};
use kyso_token::SoftwareSigner;

/// A signer that counts how often it is asked, around a real software key, in a chosen mode.
struct Counting {
    inner: SoftwareSigner,
    mode: BatchMode,
    batches: AtomicUsize,
    singles: AtomicUsize,
}

impl Counting {
    fn new(mode: BatchMode) -> Self {
        let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
        Self {
            inner: SoftwareSigner::from_pem_files(
                &leaf.key_pem,
                &leaf.cert_pem,
                Some(&leaf.chain_pem),
                None,
            )
            .expect("key"),
            mode,
            batches: AtomicUsize::new(0),
            singles: AtomicUsize::new(0),
        }
    }
}

impl Signer for Counting {
    fn certificate(&self) -> &Certificate {
        self.inner.certificate()
    }
    fn chain(&self) -> &[Certificate] {
        self.inner.chain()
    }
    fn algorithm(&self) -> SignatureScheme {
        self.inner.algorithm()
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.singles.fetch_add(1, Ordering::SeqCst);
        self.inner.sign(message)
    }
    fn sign_many(&self, messages: &[&[u8]]) -> Vec<Result<Vec<u8>, SignerError>> {
        self.batches.fetch_add(1, Ordering::SeqCst);
        messages.iter().map(|m| self.inner.sign(m)).collect()
    }
    fn batch_mode(&self) -> BatchMode {
        self.mode
    }
}

/// The corpus and, third, a file cut short: one output folder for all.
fn jobs_with_a_broken_file(dir: &std::path::Path) -> Vec<BatchJob> {
    let out = dir.join("out");
    std::fs::create_dir(&out).expect("out dir");
    let mut jobs = Vec::new();
    for (i, input) in corpus::all().into_iter().enumerate() {
        jobs.push(BatchJob {
            input: input.path.clone(),
            output: out.join(format!("{i}-{}.pdf", input.name)),
        });
    }
    let broken: PathBuf = dir.join("broken.pdf");
    std::fs::write(&broken, b"%PDF-1.7\n% cut short").expect("write");
    jobs.insert(
        2,
        BatchJob {
            input: broken,
            output: out.join("broken.pdf"),
        },
    );
    jobs
}

/// Every output but the broken file's validates; the broken one failed with its own error and
/// left nothing behind.
fn assert_all_but_the_broken_file_signed(jobs: &[BatchJob], report: &kyso_pdf::BatchReport) {
    assert_eq!(report.results.len(), jobs.len());
    assert_eq!(report.failed(), 1);
    assert!(
        matches!(report.results[2], Err(Error::Xref { .. })),
        "{:?}",
        report.results[2]
    );
    assert!(!jobs[2].output.exists());
    let root = std::fs::read(TestPki::get().root_pem()).expect("root");
    let options = ValidationOptions::new(Certificate::all_from_der_or_pem(&root).expect("root"));
    for (job, result) in jobs.iter().zip(&report.results) {
        if result.is_ok() {
            let report = validate_file(&job.output, &options).expect("validate");
            assert_eq!(report.verdict, Verdict::Valid, "{}", job.output.display());
        }
    }
}

#[test]
fn signs_every_good_document_reports_the_bad_one_and_asks_the_signer_once() {
    let signer = Counting::new(BatchMode::Gathered);
    let dir = tempfile::tempdir().expect("temp dir");
    let jobs = jobs_with_a_broken_file(dir.path());

    let events = AtomicUsize::new(0);
    let report = PdfSigner::new(SignOptions::default()).sign_batch(&jobs, &signer, 2, &|_| {
        events.fetch_add(1, Ordering::SeqCst);
    });

    assert_all_but_the_broken_file_signed(&jobs, &report);
    assert_eq!(
        signer.batches.load(Ordering::SeqCst),
        1,
        "one signer call for the batch"
    );
    assert_eq!(signer.singles.load(Ordering::SeqCst), 0);
    assert_eq!(events.load(Ordering::SeqCst), 2 * jobs.len() + 1);
}

#[test]
fn a_signer_that_signs_each_as_ready_is_asked_once_per_good_document_and_never_for_the_batch() {
    let signer = Counting::new(BatchMode::EachAsReady);
    let dir = tempfile::tempdir().expect("temp dir");
    let jobs = jobs_with_a_broken_file(dir.path());

    let finished = Mutex::new(Vec::new());
    let report = PdfSigner::new(SignOptions::default()).sign_batch(&jobs, &signer, 2, &|event| {
        finished.lock().expect("events").push(event);
    });

    assert_all_but_the_broken_file_signed(&jobs, &report);
    assert_eq!(signer.batches.load(Ordering::SeqCst), 0);
    assert_eq!(signer.singles.load(Ordering::SeqCst), jobs.len() - 1);
    // One event per document, the broken one included, each counting one more done.
    let mut done: Vec<usize> = finished
        .into_inner()
        .expect("events")
        .into_iter()
        .map(|event| match event {
            BatchEvent::Finished { done, total } => {
                assert_eq!(total, jobs.len());
                done
            }
            other => panic!("only Finished events expected, got {other:?}"),
        })
        .collect();
    done.sort_unstable();
    assert_eq!(done, (1..=jobs.len()).collect::<Vec<_>>());
}

/// A signer that presents one leaf's certificate and signs with another leaf's key — a token
/// holding the wrong key — and says whether it vouches for its own signatures.
struct WrongKey {
    certified: SoftwareSigner,
    signing: SoftwareSigner,
    mode: BatchMode,
    vouches: bool,
}

impl WrongKey {
    fn new(mode: BatchMode, vouches: bool) -> Self {
        let load = |kind| {
            let leaf = TestPki::get().leaf(kind);
            SoftwareSigner::from_pem_files(&leaf.key_pem, &leaf.cert_pem, None, None).expect("key")
        };
        Self {
            certified: load(LeafKind::Rsa2048),
            signing: load(LeafKind::Revoked), // also RSA-2048: right length, wrong key
            mode,
            vouches,
        }
    }
}

impl Signer for WrongKey {
    fn certificate(&self) -> &Certificate {
        self.certified.certificate()
    }
    fn chain(&self) -> &[Certificate] {
        &[]
    }
    fn algorithm(&self) -> SignatureScheme {
        self.certified.algorithm()
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.signing.sign(message)
    }
    fn batch_mode(&self) -> BatchMode {
        self.mode
    }
    fn verifies_own_signatures(&self) -> bool {
        self.vouches
    }
}

#[test]
fn a_signature_by_another_key_is_refused_before_embedding_in_both_batch_modes() {
    for mode in [BatchMode::Gathered, BatchMode::EachAsReady] {
        let dir = tempfile::tempdir().expect("temp dir");
        let jobs = jobs_with_a_broken_file(dir.path());
        let report = PdfSigner::new(SignOptions::default()).sign_batch(
            &jobs,
            &WrongKey::new(mode, false),
            2,
            &|_| {},
        );
        assert_eq!(report.failed(), jobs.len(), "{mode:?}");
        for (i, (job, result)) in jobs.iter().zip(&report.results).enumerate() {
            if i != 2 {
                assert!(
                    matches!(
                        result,
                        Err(Error::Cms(kyso_cms::Error::BadSignature { .. }))
                    ),
                    "{mode:?} {}: {result:?}",
                    job.input.display()
                );
            }
            assert!(
                !job.output.exists(),
                "{mode:?}: no output for a wrong signature"
            );
        }
    }
}

#[test]
fn a_signer_that_vouches_for_its_signatures_is_not_verified_again_and_the_validator_catches_a_false_vouch()
 {
    // The software signer vouches (its key was matched to its certificate at load); tokens
    // and services do not.
    assert!(
        Counting::new(BatchMode::Gathered)
            .inner
            .verifies_own_signatures()
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("signed.pdf");
    PdfSigner::new(SignOptions::default())
        .sign_file(
            &corpus::classic().path,
            &out,
            &WrongKey::new(BatchMode::EachAsReady, true),
        )
        .expect("a vouched-for signature is embedded without a second verification");
    let root = std::fs::read(TestPki::get().root_pem()).expect("root");
    let options = ValidationOptions::new(Certificate::all_from_der_or_pem(&root).expect("root"));
    let report = validate_file(&out, &options).expect("validate");
    assert_eq!(report.verdict, Verdict::Invalid);
}
