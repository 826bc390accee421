//! PAdES B-T: signatures time-stamped by a real TSA (`openssl ts -reply` behind HTTP on
//! loopback, the test PKI's TSA), judged B-T by kyso, pyHanko and pdfsig; a time-stamp token
//! taken from another signature is not counted.

#[allow(dead_code)]
#[path = "attacks/build.rs"]
mod build;

use std::sync::Arc;

use kyso_cms::SignedDataBuilder;
use kyso_pdf::verify::Verdict;
use kyso_pdf::{PdfSigner, SignOptions};
use kyso_testkit::tsa::TsaServer;
use kyso_testkit::{ExtraExtensions, ExtraKey, ExtraLeaf, TestPki, corpus, validators};
use kyso_token::remote::{HttpConfig, HttpTimestampAuthority};

fn timestamped(server: &TsaServer, input: &[u8]) -> Vec<u8> {
    let tsa = HttpTimestampAuthority::new(server.url(), &HttpConfig::new(), None).expect("tsa");
    PdfSigner::new(SignOptions {
        timestamp_authority: Some(Arc::new(tsa)),
        ..SignOptions::default()
    })
    .sign_bytes(input, &build::signer())
    .expect("sign B-T")
}

#[test]
fn a_timestamped_signature_is_b_t_in_kyso_pyhanko_and_pdfsig() {
    let server = TsaServer::start(None);
    let signed = timestamped(&server, &corpus::classic().bytes());
    drop(server); // validation needs no TSA

    let report = build::validate_bytes(&signed);
    let sig = &report.signatures[0];
    assert_eq!(sig.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(sig.level.as_deref(), Some("B-T"));
    let ts = sig.timestamp.as_ref().expect("a time-stamp");
    assert!(ts.valid && ts.trusted, "{ts:?}");
    assert!(ts.tsa.contains("Kyso Test TSA"), "{ts:?}");
    // genTime, RFC 3339 in UTC, after the signing began.
    let gen_time = ts.time.trim_end_matches('Z');
    assert!(ts.time.ends_with('Z') && gen_time.len() >= 19, "{ts:?}");
    let claimed = sig.signing_time.as_deref().expect("claimed time");
    assert!(
        ts.time.as_str()[..16] >= claimed[..16],
        "{ts:?} vs {claimed}"
    );

    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("b-t.pdf");
    std::fs::write(&path, &signed).expect("write");
    let pki = TestPki::get();
    let pyhanko = validators::pyhanko_validate(&path, pki.root_pem());
    assert!(pyhanko[0].is_fully_valid(), "{pyhanko:#?}");
    assert!(
        pyhanko[0].details.contains("timestamp token") || pyhanko[0].details.contains("time stamp"),
        "pyHanko sees the time-stamp: {}",
        pyhanko[0].details
    );
    let pdfsig = validators::pdfsig_verify(&path, pki.nss_db());
    assert!(pdfsig[0].is_fully_valid(), "{pdfsig:#?}");
}

#[test]
fn a_timestamp_token_copied_from_another_signature_is_not_counted() {
    let server = TsaServer::start(None);
    let donor = timestamped(&server, &corpus::classic().bytes());
    let layout = build::sig_layout(&donor, 0);
    let der = &layout.contents[..tlv_len(&layout.contents)];
    let info = kyso_cms::verify::SignedDataInfo::parse(der).expect("donor CMS");
    let stolen = info.timestamp_tokens()[0].to_vec();

    // A new signature over another document, carrying the donor's token.
    let dir = tempfile::tempdir().expect("temp");
    let (input, output) = (dir.path().join("in.pdf"), dir.path().join("out.pdf"));
    std::fs::write(&input, corpus::incremental().bytes()).expect("write");
    let signer = build::signer();
    let builder = SignedDataBuilder::for_signer(&signer);
    let prepared = PdfSigner::new(SignOptions {
        contents_capacity: Some(16 * 1024),
        ..SignOptions::default()
    })
    .prepare(&input, &output, builder.clone())
    .expect("prepare");
    let attributes = builder
        .signed_attributes(prepared.content_digest())
        .expect("attributes");
    let signature = kyso_cms::Signer::sign(&signer, attributes.der()).expect("sign");
    let cms = builder
        .assemble_timestamped(&attributes, &signature, &stolen)
        .expect("assemble");
    prepared.finish_with_cms(&cms).expect("embed");

    let report = build::validate_bytes(&std::fs::read(&output).expect("read"));
    let sig = &report.signatures[0];
    assert_eq!(sig.level.as_deref(), Some("B-B"), "{report:#?}");
    let ts = sig.timestamp.as_ref().expect("the token is reported");
    assert!(!ts.valid, "{ts:?}");
    assert!(
        sig.warnings
            .iter()
            .any(|w| w.contains("time-stamp is not counted") && w.contains("message imprint")),
        "{:?}",
        sig.warnings
    );
}

/// The length of the DER element at the start of `b` (the /Contents padding after it cut off).
fn tlv_len(b: &[u8]) -> usize {
    match b[1] {
        n if n < 0x80 => 2 + usize::from(n),
        n => {
            let k = usize::from(n & 0x7f);
            2 + k
                + b[2..2 + k]
                    .iter()
                    .fold(0usize, |a, x| (a << 8) | usize::from(*x))
        }
    }
}

/// `input` with a document time-stamp added by pyHanko (`PdfTimeStamper`) from the TSA at `url`.
fn pyhanko_document_timestamp(input: &[u8], url: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp");
    let (inp, out) = (dir.path().join("in.pdf"), dir.path().join("out.pdf"));
    std::fs::write(&inp, input).expect("write");
    let script = r#"
import sys
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import timestamps
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
inp, out, url = sys.argv[1:4]
with open(inp, 'rb') as f:
    w = IncrementalPdfFileWriter(f)
    with open(out, 'wb') as o:
        PdfTimeStamper(timestamps.HTTPTimeStamper(url)).timestamp_pdf(w, 'sha256', output=o)
"#;
    let o = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&inp)
        .arg(&out)
        .arg(url)
        .output()
        .expect("python3 with pyHanko: run scripts/test.sh");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read(&out).expect("output")
}

#[test]
fn a_document_timestamp_by_pyhanko_is_validated_and_a_changed_byte_breaks_it() {
    let server = TsaServer::start(None);
    let signed = timestamped(&server, &corpus::classic().bytes());
    let lta = pyhanko_document_timestamp(&signed, server.url());
    drop(server);

    let report = build::validate_bytes(&lta);
    assert_eq!(report.signatures.len(), 2, "{report:#?}");
    let (sig, doc_ts) = (&report.signatures[0], &report.signatures[1]);
    assert_eq!(sig.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(doc_ts.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(doc_ts.sub_filter.as_deref(), Some("ETSI.RFC3161"));
    let ts = doc_ts.timestamp.as_ref().expect("the time-stamp");
    assert!(
        ts.valid && ts.trusted && ts.tsa.contains("Kyso Test TSA"),
        "{ts:?}"
    );
    assert_eq!(
        doc_ts.signer.as_ref().and_then(|s| s.name.as_deref()),
        Some("Kyso Test TSA")
    );

    // One letter of the page's text changed ("Trang" → "Trung"): the document time-stamp's
    // imprint no longer matches the bytes.
    let mut broken = lta.clone();
    let at = build::find(&broken, b"(Trang").expect("the page text") + 3;
    broken[at] = b'u';
    let report = build::validate_bytes(&broken);
    let doc_ts = &report.signatures[1];
    assert_eq!(doc_ts.verdict, Verdict::Invalid, "{report:#?}");
    assert!(
        doc_ts
            .reasons
            .iter()
            .any(|r| r.code == kyso_pdf::verify::ReasonCode::DigestMismatch),
        "{:?}",
        doc_ts.reasons
    );
}

/// pyHanko's `validate_pdf_timestamp` on the last document time-stamp of `pdf`:
/// (intact, valid, trusted).
fn pyhanko_document_timestamp_status(pdf: &[u8]) -> (bool, bool, bool) {
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).expect("write");
    let script = r#"
import sys
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext
path, root = sys.argv[1:3]
with open(path, 'rb') as f:
    r = PdfFileReader(f)
    ts = [s for s in r.embedded_signatures if s.sig_object.get('/Type') == '/DocTimeStamp'][-1]
    vc = ValidationContext(trust_roots=[load_cert_from_pemder(root)])
    st = validate_pdf_timestamp(ts, validation_context=vc)
    print(st.intact, st.valid, st.trusted)
"#;
    let o = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .arg(TestPki::get().root_pem())
        .output()
        .expect("python3 with pyHanko");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let flags: Vec<bool> = out.split_whitespace().map(|w| w == "True").collect();
    (flags[0], flags[1], flags[2])
}

#[test]
fn kyso_adds_a_document_timestamp_that_pyhanko_and_kyso_accept() {
    let server = TsaServer::start(None);
    let tsa = HttpTimestampAuthority::new(server.url(), &HttpConfig::new(), None).expect("tsa");
    let signed = timestamped(&server, &corpus::classic().bytes());
    let dir = tempfile::tempdir().expect("temp");
    let (input, output) = (dir.path().join("b-t.pdf"), dir.path().join("archived.pdf"));
    std::fs::write(&input, &signed).expect("write");
    PdfSigner::new(SignOptions::default())
        .timestamp_file(&input, &output, &tsa)
        .expect("document time-stamp");
    drop(server);
    let archived = std::fs::read(&output).expect("read");
    assert!(archived.starts_with(&signed), "an incremental update");
    assert_eq!(
        std::fs::read(&input).expect("input"),
        signed,
        "input untouched"
    );

    let report = build::validate_bytes(&archived);
    assert_eq!(report.signatures.len(), 2, "{report:#?}");
    assert!(
        report
            .signatures
            .iter()
            .all(|s| s.verdict == Verdict::Valid),
        "{report:#?}"
    );
    assert_eq!(report.signatures[0].level.as_deref(), Some("B-T"));
    assert_eq!(
        report.signatures[1].sub_filter.as_deref(),
        Some("ETSI.RFC3161")
    );
    assert_eq!(
        pyhanko_document_timestamp_status(&archived),
        (true, true, true)
    );

    // pyHanko still judges the signature, followed only by the document time-stamp.
    let pyhanko = validators::pyhanko_validate(&output, TestPki::get().root_pem());
    assert!(
        pyhanko[0].intact && pyhanko[0].valid && pyhanko[0].trusted,
        "{pyhanko:#?}"
    );
}

/// A signer whose certificate (from the test intermediate) expires a day from now.
fn short_lived_signer(dir: &std::path::Path) -> kyso_token::SoftwareSigner {
    let pki = TestPki::get();
    let (cert, key) = pki.issue_extra_leaf(
        dir,
        &ExtraLeaf {
            key: ExtraKey::EcP256,
            subject: "/CN=Can bo ngan han/O=Kyso Test PKI/C=VN",
            days: 1,
            serial: Some(4242),
            extensions: ExtraExtensions::Signer,
        },
    );
    kyso_token::SoftwareSigner::from_pem_files(&key, &cert, Some(pki.intermediate_pem()), None)
        .expect("short-lived signer")
}

#[test]
fn an_expired_certificate_is_judged_at_its_trusted_timestamp() {
    let dir = tempfile::tempdir().expect("temp");
    let signer = short_lived_signer(dir.path());
    let server = TsaServer::start(None);
    let tsa = HttpTimestampAuthority::new(server.url(), &HttpConfig::new(), None).expect("tsa");
    let doc = corpus::classic().bytes();
    let b_t = PdfSigner::new(SignOptions {
        timestamp_authority: Some(Arc::new(tsa)),
        ..SignOptions::default()
    })
    .sign_bytes(&doc, &signer)
    .expect("B-T");
    let b_b = PdfSigner::new(SignOptions::default())
        .sign_bytes(&doc, &signer)
        .expect("B-B");
    drop(server);

    // Three days on: the signer's certificate has expired, the TSA's has not.
    let anchors = kyso_cert::Certificate::all_from_der_or_pem(
        &std::fs::read(TestPki::get().root_pem()).expect("root"),
    )
    .expect("root");
    let mut options = kyso_pdf::verify::ValidationOptions::new(anchors);
    options.time = Some(std::time::SystemTime::now() + std::time::Duration::from_secs(3 * 86_400));

    let later = |pdf: &Vec<u8>| kyso_pdf::verify::validate(pdf, &options).expect("report");
    let report = later(&b_t);
    let sig = &report.signatures[0];
    assert_eq!(sig.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(sig.level.as_deref(), Some("B-T"));
    assert!(
        sig.warnings
            .iter()
            .any(|w| w.contains("no longer valid") && w.contains("time-stamp")),
        "{:?}",
        sig.warnings
    );

    let report = later(&b_b);
    let sig = &report.signatures[0];
    assert_eq!(sig.verdict, Verdict::Indeterminate, "{report:#?}");
    assert!(
        sig.reasons
            .iter()
            .any(|r| r.code == kyso_pdf::verify::ReasonCode::CertificateExpired)
    );
}

#[test]
fn a_deferred_signature_finished_from_its_state_is_time_stamped() {
    use kyso_cms::Signer;
    let server = TsaServer::start(None);
    let tsa: Arc<dyn kyso_cms::tsp::TimestampAuthority> =
        Arc::new(HttpTimestampAuthority::new(server.url(), &HttpConfig::new(), None).expect("tsa"));
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("deferred-b-t.pdf");
    let token = build::signer();
    let builder = SignedDataBuilder::new(
        token.certificate().clone(),
        token.chain().to_vec(),
        token.algorithm(),
    );
    // The TSA at prepare time only sizes the placeholder; the state carries no TSA.
    let prepared = PdfSigner::new(SignOptions {
        timestamp_authority: Some(tsa.clone()),
        ..SignOptions::default()
    })
    .prepare(&corpus::classic().path, &out, builder)
    .expect("prepare");
    let json = serde_json::to_string(&prepared.suspend().expect("suspend")).expect("state");
    let state: kyso_pdf::DeferredState = serde_json::from_str(&json).expect("state");
    let signature = token.sign(state.data_to_sign()).expect("token signs");
    state.finish_timestamped(&signature, tsa).expect("finish");
    let report = build::validate_bytes(&std::fs::read(&out).expect("read"));
    let sig = &report.signatures[0];
    assert_eq!(sig.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(sig.level.as_deref(), Some("B-T"), "{report:#?}");
}

#[test]
fn an_in_memory_deferred_signature_is_time_stamped_at_finish() {
    use kyso_cms::Signer;
    let server = TsaServer::start(None);
    let tsa: Arc<dyn kyso_cms::tsp::TimestampAuthority> =
        Arc::new(HttpTimestampAuthority::new(server.url(), &HttpConfig::new(), None).expect("tsa"));
    let token = build::signer();
    let builder = SignedDataBuilder::new(
        token.certificate().clone(),
        token.chain().to_vec(),
        token.algorithm(),
    );
    let input = std::fs::read(&corpus::classic().path).expect("sample");
    let (prepared, state) = PdfSigner::new(SignOptions {
        timestamp_authority: Some(tsa.clone()),
        ..SignOptions::default()
    })
    .prepare_bytes(&input, builder)
    .expect("prepare");
    let signature = token.sign(state.data_to_sign()).expect("token signs");
    let signed = state
        .finish_timestamped(prepared, &signature, tsa)
        .expect("finish");
    let report = build::validate_bytes(&signed);
    let sig = &report.signatures[0];
    assert_eq!(sig.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(sig.level.as_deref(), Some("B-T"), "{report:#?}");
}
