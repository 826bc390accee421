//! The validator takes untrusted bytes: whatever is done to a signed file — truncation, byte
//! flips, spliced garbage — validation returns a report or a typed error, never panics, and
//! never calls a signature VALID once a signed byte is damaged.

use std::sync::OnceLock;

use kyso_cert::Certificate;
use kyso_pdf::verify::{ValidationOptions, Verdict, validate};
use kyso_pdf::{PdfSigner, SignOptions};
use kyso_testkit::{LeafKind, TestPki, corpus};
use kyso_token::SoftwareSigner;
use proptest::prelude::*;

fn signed() -> &'static (Vec<u8>, ValidationOptions) {
    static SIGNED: OnceLock<(Vec<u8>, ValidationOptions)> = OnceLock::new();
    SIGNED.get_or_init(|| {
        let leaf = TestPki::get().leaf(LeafKind::P256);
        let signer = SoftwareSigner::from_pem_files(
            &leaf.key_pem,
            &leaf.cert_pem,
            Some(&leaf.chain_pem),
            None,
        )
        .expect("key");
        let pdf = PdfSigner::new(SignOptions::default())
            .sign_bytes(&corpus::classic().bytes(), &signer)
            .expect("sign");
        let root = std::fs::read(TestPki::get().root_pem()).expect("root");
        let anchors = Certificate::all_from_der_or_pem(&root).expect("root");
        (pdf, ValidationOptions::new(anchors))
    })
}

/// An AES-256 encrypted file (empty user password) signed by pyHanko: the decryption layer
/// under the same damage.
fn signed_encrypted() -> &'static Vec<u8> {
    static SIGNED: OnceLock<Vec<u8>> = OnceLock::new();
    SIGNED.get_or_init(|| {
        use kyso_testkit::reference::{Encryption, pyhanko_sign_encrypted, qpdf_encrypt};
        let dir = tempfile::tempdir().expect("temp dir");
        let (encrypted, out) = (dir.path().join("enc.pdf"), dir.path().join("signed.pdf"));
        qpdf_encrypt(
            corpus::classic().path,
            &encrypted,
            Encryption::Aes256,
            "",
            "owner",
        );
        let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
        pyhanko_sign_encrypted(&encrypted, &out, leaf, "Sig1", "");
        std::fs::read(&out).expect("read")
    })
}

/// The unsigned gap (the /Contents hex string) of the signed file.
fn gap(pdf: &[u8], options: &ValidationOptions) -> std::ops::Range<u64> {
    let report = validate(&pdf.to_vec(), options).expect("validate");
    let br = report.signatures[0].byte_range.expect("byte range");
    br[1]..br[2]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn truncated_files_never_panic_and_are_never_valid(cut in 0usize..100) {
        let (pdf, options) = signed();
        let len = pdf.len() * cut / 100;
        if let Ok(report) = validate(&pdf[..len].to_vec(), options) {
            prop_assert_ne!(report.verdict, Verdict::Valid);
        }
    }

    #[test]
    fn flipped_bytes_never_panic_and_never_leave_a_valid_verdict(
        at in 0usize..usize::MAX, bit in 0u8..8
    ) {
        let (pdf, options) = signed();
        let mut damaged = pdf.clone();
        let i = at % damaged.len();
        damaged[i] ^= 1 << bit;
        let gap = gap(pdf, options);
        if let Ok(report) = validate(&damaged, options) {
            // Every byte outside /Contents is signed. Inside it, a flip may rightly leave the
            // signature VALID: a hex letter changing case (`A` → `a`), or a damaged copy of
            // a certificate the path does not need (the root, given as anchor anyway).
            if !gap.contains(&(i as u64)) {
                prop_assert_ne!(report.verdict, Verdict::Valid, "byte {} bit {}", i, bit);
            }
        }
    }

    #[test]
    fn spliced_garbage_never_panics(at in 0usize..usize::MAX, junk in proptest::collection::vec(any::<u8>(), 1..64)) {
        let (pdf, options) = signed();
        let i = at % pdf.len();
        let mut damaged = pdf[..i].to_vec();
        damaged.extend_from_slice(&junk);
        damaged.extend_from_slice(&pdf[i..]);
        let _ = validate(&damaged, options);
    }

    #[test]
    fn damaged_encrypted_files_never_panic_and_are_never_valid(
        at in 0usize..usize::MAX, bit in 0u8..8
    ) {
        let (_, options) = signed();
        let pdf = signed_encrypted();
        let gap = gap(pdf, options);
        let mut damaged = pdf.clone();
        let i = at % damaged.len();
        damaged[i] ^= 1 << bit;
        if let Ok(report) = validate(&damaged, options)
            && !gap.contains(&(i as u64))
        {
            prop_assert_ne!(report.verdict, Verdict::Valid, "byte {} bit {}", i, bit);
        }
    }
}
