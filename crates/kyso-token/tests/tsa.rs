//! RFC 3161 over HTTP against a real TSA (`openssl ts -reply` behind Python's `http.server` on
//! loopback): tokens come back and verify; basic authorisation is sent when configured and
//! refused when wrong; credentials never go over plain HTTP to another host.

use kyso_cms::DigestAlgorithm;
use kyso_cms::tsp::timestamp_digest;
use kyso_testkit::tsa::TsaServer;
use kyso_token::remote::{HttpConfig, HttpTimestampAuthority, TsaCredentials};
use zeroize::Zeroizing;

#[test]
fn a_token_comes_back_over_http_and_verifies() {
    let server = TsaServer::start(None);
    let tsa = HttpTimestampAuthority::new(server.url(), &HttpConfig::new(), None).expect("tsa");
    let digest = DigestAlgorithm::Sha256.digest(b"chu ky so");
    let (token, info) =
        timestamp_digest(&tsa, DigestAlgorithm::Sha256, digest).expect("time-stamped");
    assert!(info.nonce.is_some());
    assert_eq!(
        info.tsa.subject().common_name.as_deref(),
        Some("Kyso Test TSA")
    );
    token
        .verify_data(b"chu ky so")
        .expect("the token covers the data");
}

#[test]
fn basic_authorisation_is_sent_and_a_wrong_password_is_refused() {
    let server = TsaServer::start(Some("van-thu:mat-khau"));
    let with = |password: &str| {
        HttpTimestampAuthority::new(
            server.url(),
            &HttpConfig::new(),
            Some(TsaCredentials::Basic {
                user: "van-thu".into(),
                password: Zeroizing::new(password.into()),
            }),
        )
        .expect("tsa")
    };
    let digest = DigestAlgorithm::Sha256.digest(b"x");
    timestamp_digest(&with("mat-khau"), DigestAlgorithm::Sha256, digest.clone())
        .expect("the right password");
    let err = timestamp_digest(&with("sai"), DigestAlgorithm::Sha256, digest).unwrap_err();
    assert!(
        matches!(err, kyso_cms::Error::TimestampTransport { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("401"), "{err}");
    assert!(
        !err.to_string().contains("sai"),
        "no password in messages: {err}"
    );
}

#[test]
fn credentials_over_plain_http_to_another_host_are_refused() {
    let credentials = TsaCredentials::Basic {
        user: "u".into(),
        password: Zeroizing::new("p".into()),
    };
    let err = HttpTimestampAuthority::new(
        "http://tsa.example.vn/tsa",
        &HttpConfig::new(),
        Some(credentials),
    )
    .unwrap_err();
    assert!(err.to_string().contains("clear"), "{err}");
    // Without credentials plain HTTP is how most TSAs are reached.
    HttpTimestampAuthority::new("http://tsa.example.vn/tsa", &HttpConfig::new(), None)
        .expect("plain http without credentials");
    assert!(HttpTimestampAuthority::new("ftp://tsa.example.vn", &HttpConfig::new(), None).is_err());
}
