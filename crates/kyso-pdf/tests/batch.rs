//! Batch signing: every good document is signed (and validates), a bad one gets its own error
//! while the others go on, and the signer is asked once for the whole batch.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use kyso_cert::Certificate;
use kyso_cms::{SignatureScheme, Signer, SignerError};
use kyso_pdf::verify::{ValidationOptions, Verdict, validate_file};
use kyso_pdf::{BatchJob, Error, PdfSigner, SignOptions};
use kyso_testkit::{LeafKind, TestPki, corpus};
use kyso_token::SoftwareSigner;

/// A signer that counts how often it is asked, around a real software key.
struct Counting {
    inner: SoftwareSigner,
    batches: AtomicUsize,
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
        self.inner.sign(message)
    }
    fn sign_many(&self, messages: &[&[u8]]) -> Vec<Result<Vec<u8>, SignerError>> {
        self.batches.fetch_add(1, Ordering::SeqCst);
        messages.iter().map(|m| self.inner.sign(m)).collect()
    }
}

#[test]
fn signs_every_good_document_reports_the_bad_one_and_asks_the_signer_once() {
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let signer = Counting {
        inner: SoftwareSigner::from_pem_files(
            &leaf.key_pem,
            &leaf.cert_pem,
            Some(&leaf.chain_pem),
            None,
        )
        .expect("key"),
        batches: AtomicUsize::new(0),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("out dir");
    let mut jobs = Vec::new();
    for (i, input) in corpus::all().into_iter().enumerate() {
        jobs.push(BatchJob {
            input: input.path.clone(),
            output: out.join(format!("{i}-{}.pdf", input.name)),
        });
    }
    let broken: PathBuf = dir.path().join("broken.pdf");
    std::fs::write(&broken, b"%PDF-1.7\n% cut short").expect("write");
    jobs.insert(
        2,
        BatchJob {
            input: broken,
            output: out.join("broken.pdf"),
        },
    );

    let events = AtomicUsize::new(0);
    let report = PdfSigner::new(SignOptions::default()).sign_batch(&jobs, &signer, 2, &|_| {
        events.fetch_add(1, Ordering::SeqCst);
    });

    assert_eq!(report.results.len(), jobs.len());
    assert_eq!(report.failed(), 1);
    assert!(
        matches!(report.results[2], Err(Error::Xref { .. })),
        "{:?}",
        report.results[2]
    );
    assert!(!out.join("broken.pdf").exists());
    assert_eq!(
        signer.batches.load(Ordering::SeqCst),
        1,
        "one signer call for the batch"
    );
    assert_eq!(events.load(Ordering::SeqCst), 2 * jobs.len() + 1);

    let root = std::fs::read(TestPki::get().root_pem()).expect("root");
    let options = ValidationOptions::new(Certificate::all_from_der_or_pem(&root).expect("root"));
    for (job, result) in jobs.iter().zip(&report.results) {
        if result.is_ok() {
            let report = validate_file(&job.output, &options).expect("validate");
            assert_eq!(report.verdict, Verdict::Valid, "{}", job.output.display());
        }
    }
}
