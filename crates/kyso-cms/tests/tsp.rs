//! RFC 3161 against OpenSSL's TSA (`openssl ts -reply`) and verifier (`openssl ts -verify`):
//! kyso's requests are answered and verified by OpenSSL, OpenSSL's tokens are verified by kyso,
//! and tokens that do not time-stamp the data, answer another request, come from a certificate
//! that is not a TSA's, or were refused fail with the error that says so.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use kyso_cms::tsp::{TimeStampRequest, TimeStampResponse, TimeStampToken};
use kyso_cms::{DigestAlgorithm, Error};
use kyso_testkit::{LeafKind, TestPki};

fn openssl(args: &[&str]) -> std::process::Output {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn openssl_answers_kysos_request_and_both_verify_the_token() {
    let dir = tempfile::tempdir().expect("temp");
    let data = b"Quyet dinh 125/QD-UBND";
    let request = TimeStampRequest::for_data(DigestAlgorithm::Sha256, data)
        .with_random_nonce()
        .expect("nonce");
    let before = SystemTime::now() - Duration::from_secs(2);
    let response = kyso_testkit::tsa::reply(&request.to_der().expect("DER"), "sha256");
    let after = SystemTime::now() + Duration::from_secs(2);

    let token = TimeStampResponse::from_der(&response)
        .expect("response")
        .into_token()
        .expect("granted");
    let info = token
        .verify_for(&request)
        .expect("kyso verifies OpenSSL's token");
    assert!(
        info.gen_time >= before && info.gen_time <= after,
        "{:?}",
        info.gen_time
    );
    assert_eq!(info.accuracy, Some(Duration::from_micros(1_500_100)));
    assert_eq!(info.policy.to_string(), "1.2.3.4.1");
    assert_eq!(
        info.tsa.subject().common_name.as_deref(),
        Some("Kyso Test TSA")
    );
    assert!(info.nonce.is_some());
    assert_eq!(
        info.serial,
        vec![2],
        "the serial file held 01: OpenSSL issues the next one"
    );
    token
        .verify_data(data)
        .expect("the token time-stamps the data");

    // OpenSSL verifies the same token against kyso's request and the test root.
    let pki = TestPki::get();
    let tsa = pki.leaf(LeafKind::Tsa);
    std::fs::write(dir.path().join("req.tsq"), request.to_der().expect("DER")).expect("write");
    std::fs::write(dir.path().join("resp.tsr"), &response).expect("write");
    let out = openssl(&[
        "ts",
        "-verify",
        "-queryfile",
        s(&dir.path().join("req.tsq")),
        "-in",
        s(&dir.path().join("resp.tsr")),
        "-CAfile",
        s(pki.root_pem()),
        "-untrusted",
        s(&tsa.chain_pem),
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Verification: OK"));
}

#[test]
fn a_token_for_other_data_or_another_nonce_is_refused() {
    let request = TimeStampRequest::for_data(DigestAlgorithm::Sha256, b"ban chinh").with_nonce(7);
    let token = TimeStampResponse::from_der(&kyso_testkit::tsa::reply(
        &request.to_der().expect("DER"),
        "sha256",
    ))
    .expect("response")
    .into_token()
    .expect("granted");
    let err = token.verify_data(b"ban da sua").unwrap_err();
    assert!(
        matches!(
            err,
            Error::TimestampMismatch {
                what: "message imprint",
                ..
            }
        ),
        "{err}"
    );
    let other = TimeStampRequest::for_data(DigestAlgorithm::Sha256, b"ban chinh").with_nonce(8);
    let err = token.verify_for(&other).unwrap_err();
    assert!(
        matches!(err, Error::TimestampMismatch { what: "nonce", .. }),
        "{err}"
    );
}

#[test]
fn a_refused_request_says_why() {
    // The TSA takes SHA-256 only; a SHA-512 imprint is rejected (badAlg).
    let request = TimeStampRequest::for_data(DigestAlgorithm::Sha512, b"x");
    let response = TimeStampResponse::from_der(&kyso_testkit::tsa::reply(
        &request.to_der().expect("DER"),
        "sha256",
    ))
    .expect("response");
    assert_eq!(response.status(), 2);
    let err = response.into_token().unwrap_err();
    assert!(
        matches!(err, Error::TimestampRefused { status: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("refused"), "{err}");
}

#[test]
fn a_tstinfo_signed_by_a_certificate_that_is_not_a_tsa_is_refused() {
    let dir = tempfile::tempdir().expect("temp");
    let request = TimeStampRequest::for_data(DigestAlgorithm::Sha256, b"x");
    let response = kyso_testkit::tsa::reply(&request.to_der().expect("DER"), "sha256");
    // The genuine TSTInfo, re-signed by an ordinary signing certificate.
    let (resp, token, tst) = (
        dir.path().join("r.tsr"),
        dir.path().join("t.p7"),
        dir.path().join("tst.der"),
    );
    std::fs::write(&resp, &response).expect("write");
    openssl(&[
        "ts",
        "-reply",
        "-in",
        s(&resp),
        "-token_out",
        "-out",
        s(&token),
    ]);
    openssl(&[
        "cms",
        "-verify",
        "-noverify",
        "-inform",
        "DER",
        "-in",
        s(&token),
        "-out",
        s(&tst),
    ]);
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let forged = dir.path().join("forged.p7");
    openssl(&[
        "cms",
        "-sign",
        "-binary",
        "-nodetach",
        "-econtent_type",
        "1.2.840.113549.1.9.16.1.4",
        "-in",
        s(&tst),
        "-signer",
        s(&leaf.cert_pem),
        "-inkey",
        s(&leaf.key_pem),
        "-outform",
        "DER",
        "-out",
        s(&forged),
        "-md",
        "sha256",
    ]);
    let forged = TimeStampToken::from_der(&std::fs::read(&forged).expect("forged")).expect("token");
    let err = forged.verify_for(&request).unwrap_err();
    assert!(matches!(err, Error::NotTsaCertificate { .. }), "{err}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// A genuine response with bytes overwritten reads, or fails, without a panic; if it
    /// still verifies, it verifies for the data it was made for (the TSA's signature holds).
    #[test]
    fn damaged_responses_fail_cleanly(edits in proptest::collection::vec((0.0f64..1.0, proptest::prelude::any::<u8>()), 1..8)) {
        use std::sync::OnceLock;
        static GENUINE: OnceLock<Vec<u8>> = OnceLock::new();
        let genuine = GENUINE.get_or_init(|| {
            let request = TimeStampRequest::for_data(DigestAlgorithm::Sha256, b"goc");
            kyso_testkit::tsa::reply(&request.to_der().expect("DER"), "sha256")
        });
        let mut bytes = genuine.clone();
        for (at, v) in &edits {
            let i = ((*at * bytes.len() as f64) as usize).min(bytes.len() - 1);
            bytes[i] = *v;
        }
        if let Ok(response) = TimeStampResponse::from_der(&bytes)
            && let Ok(token) = response.into_token()
            && token.verify_data(b"goc").is_ok()
        {
            proptest::prop_assert!(token.verify_data(b"khac").is_err());
        }
    }
}
