//! `PdfSigner::sign_file` signs a small input in memory and writes it once, and streams a large
//! one through a temporary file beside the output: both ways give the very bytes
//! `sign_bytes` gives for the same document, and a signature that validates.

use std::io::Write;
use std::time::{Duration, SystemTime};

use kyso_cert::Certificate;
use kyso_pdf::verify::{ValidationOptions, Verdict, validate_file};
use kyso_pdf::{Error, PdfSigner, SignOptions};
use kyso_testkit::{LeafKind, TestPki, corpus};
use kyso_token::SoftwareSigner;

fn signer() -> SoftwareSigner {
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    SoftwareSigner::from_pem_files(&leaf.key_pem, &leaf.cert_pem, Some(&leaf.chain_pem), None)
        .expect("key")
}

/// A fixed signing time, so that two signings of one document (RSA PKCS#1 v1.5 is
/// deterministic) must give the same bytes.
fn pdf_signer() -> PdfSigner {
    PdfSigner::new(SignOptions {
        reason: Some("Phê duyệt".into()),
        signing_time: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_780_000_000)),
        ..SignOptions::default()
    })
}

/// A one-page PDF whose page shows an image of `image_len` bytes.
fn pdf_with_image(image_len: usize) -> Vec<u8> {
    let mut image = format!("<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /BitsPerComponent 8 /ColorSpace /DeviceGray /Length {image_len} >>\nstream\n").into_bytes();
    image.resize(image.len() + image_len, b'x');
    image.extend_from_slice(b"\nendstream");
    let objects: [&[u8]; 4] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 4 0 R >> >> >>",
        &image,
    ];
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        writeln!(pdf, "{} 0 obj", i + 1).expect("write");
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    write!(pdf, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).expect("write");
    for offset in offsets {
        writeln!(pdf, "{offset:010} 00000 n ").expect("write");
    }
    write!(
        pdf,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    )
    .expect("write");
    pdf
}

fn assert_valid(path: &std::path::Path) {
    let root = std::fs::read(TestPki::get().root_pem()).expect("root");
    let options = ValidationOptions::new(Certificate::all_from_der_or_pem(&root).expect("root"));
    let report = validate_file(path, &options).expect("validate");
    assert_eq!(report.verdict, Verdict::Valid, "{}", path.display());
}

/// Signs `input` with `sign_file` and with `sign_bytes` and checks both agree and validate.
fn assert_file_and_bytes_agree(input: &[u8]) {
    let dir = tempfile::tempdir().expect("dir");
    let (in_path, out_path) = (dir.path().join("in.pdf"), dir.path().join("out.pdf"));
    std::fs::write(&in_path, input).expect("write input");
    let signer = signer();
    pdf_signer()
        .sign_file(&in_path, &out_path, &signer)
        .expect("sign_file");
    let signed = std::fs::read(&out_path).expect("output");
    let in_memory = pdf_signer().sign_bytes(input, &signer).expect("sign_bytes");
    assert!(signed == in_memory, "sign_file and sign_bytes differ");
    assert_eq!(
        std::fs::read(&in_path).expect("input"),
        input,
        "input changed"
    );
    assert_valid(&out_path);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(left.len(), 2, "temporary file left behind: {left:?}");
}

#[test]
fn a_small_input_signed_in_memory_gives_the_bytes_sign_bytes_gives() {
    assert_file_and_bytes_agree(&corpus::classic().bytes());
}

#[test]
fn a_large_input_streamed_through_a_temporary_file_gives_the_bytes_sign_bytes_gives() {
    // Above the 1 MiB an input is read whole up to.
    let pdf = pdf_with_image(3 << 20);
    assert_file_and_bytes_agree(&pdf);
}

#[test]
fn an_output_that_is_the_input_is_refused_before_anything_is_written_small_or_large() {
    for input in [corpus::classic().bytes(), pdf_with_image(3 << 20)] {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("doc.pdf");
        std::fs::write(&path, &input).expect("write");
        let err = pdf_signer()
            .sign_file(&path, &path, &signer())
            .expect_err("output is input");
        assert!(matches!(err, Error::OutputIsInput(_)), "{err:?}");
        assert!(
            std::fs::read(&path).expect("input") == input,
            "input changed"
        );
    }
}
