//! `/v1/sign`: the organisation's seal by the service's key on a PKCS#11 token (SoftHSM2), for
//! callers with an API key, added after an official's signature; both signatures VALID for the
//! service and for pyHanko.

mod common;
#[path = "../../kyso-token/tests/pkcs11_softhsm/mod.rs"]
mod pkcs11_softhsm;

use common::*;
use kyso_server::{Config, Error, Server};
use kyso_testkit::TestPki;
use kyso_testkit::validators::pyhanko_validate;
use pkcs11_softhsm::{PIN, RSA, TOKEN, softhsm};

const API_KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// The `[seal]` section for the RSA key on the SoftHSM2 token, `extra` lines added; the PIN
/// in an environment variable, the API keys in a file.
fn seal_config(dir: &std::path::Path, extra: &str) -> String {
    let hsm = softhsm();
    std::fs::write(dir.join("api-keys"), format!("# portal A\n{API_KEY}\n")).unwrap();
    // SAFETY: set before any thread of this test reads the environment; the same value in
    // every test of this binary.
    unsafe { std::env::set_var("KYSO_TEST_SEAL_PIN", PIN) };
    format!(
        "trust = [{:?}, {:?}]\n[seal]\npkcs11_module = {:?}\ntoken = {TOKEN:?}\nkey_label = {:?}\n\
         pin_env = \"KYSO_TEST_SEAL_PIN\"\napi_keys_file = {:?}\nreason = \"Đóng dấu\"\n{extra}",
        demo("root.pem").display().to_string(),
        TestPki::get().root_pem().display().to_string(),
        hsm.module.display().to_string(),
        RSA.key_label,
        dir.join("api-keys").display().to_string(),
    )
}

fn seal_service() -> (Running, tempfile::TempDir) {
    let keys = tempfile::tempdir().unwrap();
    (start(&seal_config(keys.path(), "")), keys)
}

/// A request to `/v1/sign` with `headers`.
fn post_with(
    addr: std::net::SocketAddr,
    headers: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, Vec<u8>, String) {
    request_with(addr, "POST", "/v1/sign", headers, content_type, body)
}

#[test]
fn the_seal_goes_after_the_officials_signature_and_both_are_valid() {
    let (service, _keys) = seal_service();
    let official = signed_sample();
    let (status, sealed, _) = post_with(
        service.addr,
        &format!("Authorization: Bearer {API_KEY}\r\n"),
        "application/pdf",
        &official,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&sealed));
    assert!(sealed.starts_with(&official), "an incremental update");
    let (status, report) = post_pdf(service.addr, "/v1/verify", &sealed);
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["verdict"], "VALID", "{report}");
    let signatures = report["signatures"].as_array().unwrap();
    assert_eq!(signatures.len(), 2, "{report}");
    // The configured /Reason, as a UTF-16BE text string in hex.
    let reason: String = std::iter::once(0xfeffu16)
        .chain("Đóng dấu".encode_utf16())
        .map(|u| format!("{u:04X}"))
        .collect();
    let text = String::from_utf8_lossy(&sealed).to_ascii_uppercase();
    assert!(text.contains(&format!("/REASON <{reason}>")), "no /Reason");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sealed.pdf");
    std::fs::write(&path, &sealed).unwrap();
    let last = pyhanko_validate(&path, TestPki::get().root_pem())
        .pop()
        .expect("pyHanko sees the seal");
    assert!(last.is_fully_valid(), "pyHanko: {last:?}");
}

#[test]
fn the_seal_needs_a_configured_api_key_and_takes_signature_options() {
    let (service, _keys) = seal_service();
    let sample = std::fs::read(demo("sample.pdf")).unwrap();
    for headers in [
        String::new(),
        "Authorization: Bearer 0f1e2d3c4b5a69788796a5b4c3d2e1f1\r\n".to_owned(),
        format!("Authorization: Basic {API_KEY}\r\n"),
        format!("X-Api-Key: {API_KEY}x\r\n"),
    ] {
        let (status, body, head) = post_with(service.addr, &headers, "application/pdf", &sample);
        assert_eq!(status, 401, "{headers:?}");
        assert!(
            head.to_ascii_lowercase()
                .contains("www-authenticate: bearer"),
            "{head}"
        );
        let error = json(&body);
        assert!(
            !error.to_string().contains(API_KEY),
            "the key is never echoed"
        );
    }
    let body = form(&[
        ("pdf", &sample),
        ("rect", b"300,72,200,60"),
        ("location", "Hà Nội".as_bytes()),
    ]);
    let (status, sealed, _) = post_with(
        service.addr,
        &format!("X-Api-Key: {API_KEY}\r\n"),
        "multipart/form-data; boundary=XyZ",
        &body,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&sealed));
    assert!(String::from_utf8_lossy(&sealed).contains("/Rect [300 72 500 132]"));
    let (status, report) = post_pdf(service.addr, "/v1/verify", &sealed);
    assert_eq!((status, report["verdict"].as_str()), (200, Some("VALID")));

    // The signer is the service's: a form may not name another.
    let body = form(&[("pdf", &sample), ("chain", b"x")]);
    let (status, error, _) = post_with(
        service.addr,
        &format!("X-Api-Key: {API_KEY}\r\n"),
        "multipart/form-data; boundary=XyZ",
        &body,
    );
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&error).contains("unknown form part `chain`"));
}

#[test]
fn without_a_seal_the_route_answers_404_and_a_bad_seal_stops_the_start() {
    let service = start("");
    let (status, body, _) = post_with(
        service.addr,
        &format!("Authorization: Bearer {API_KEY}\r\n"),
        "application/pdf",
        b"%PDF",
    );
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("no seal signer"));

    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let bind = |extra: &str| -> Error {
        let toml = seal_config(dir.path(), extra);
        let config: Config = config(dir.path(), &toml);
        match runtime.block_on(Server::bind(&config)) {
            Err(e) => e,
            Ok(_) => panic!("started with {extra:?}"),
        }
    };
    std::fs::write(dir.path().join("short-keys"), "abc\n").unwrap();
    let short = dir.path().join("short-keys").display().to_string();
    let e = bind("api_keys_env = \"KYSO_TEST_NO_SUCH_VAR\"\n");
    assert!(e.to_string().contains("KYSO_TEST_NO_SUCH_VAR"), "{e}");
    let toml = seal_config(dir.path(), "").replace(
        &format!(
            "api_keys_file = {:?}",
            dir.path().join("api-keys").display().to_string()
        ),
        &format!("api_keys_file = {short:?}"),
    );
    let config = config(dir.path(), &toml);
    match runtime.block_on(Server::bind(&config)) {
        Err(e @ Error::Seal { .. }) => assert!(e.to_string().contains("shorter than"), "{e}"),
        other => panic!("expected a seal error, got {:?}", other.err()),
    }
    let e = bind("pkcs12 = \"seal.p12\"\n");
    assert!(e.to_string().contains("exactly one key"), "{e}");
}

#[test]
fn a_pkcs12_seal_with_its_password_in_a_file_signs_time_stamped() {
    let keys = tempfile::tempdir().unwrap();
    std::fs::write(keys.path().join("api-keys"), format!("{API_KEY}\n")).unwrap();
    std::fs::write(keys.path().join("password"), "kyso-demo\n").unwrap();
    // With a TSA (of the test PKI, trusted beside the demo root), the seal is B-T.
    let tsa = kyso_testkit::tsa::TsaServer::start(None);
    let service = start(&format!(
        "trust = [{:?}, {:?}]\ntsa_url = {:?}\n[seal]\npkcs12 = {:?}\npassword_file = {:?}\napi_keys_file = {:?}\n",
        demo("root.pem").display().to_string(),
        TestPki::get().root_pem().display().to_string(),
        tsa.url(),
        demo("signer.p12").display().to_string(),
        keys.path().join("password").display().to_string(),
        keys.path().join("api-keys").display().to_string(),
    ));
    let sample = std::fs::read(demo("sample.pdf")).unwrap();
    let (status, sealed, _) = post_with(
        service.addr,
        &format!("Authorization: Bearer {API_KEY}\r\n"),
        "application/pdf",
        &sample,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&sealed));
    let (status, report) = post_pdf(service.addr, "/v1/verify", &sealed);
    assert_eq!((status, report["verdict"].as_str()), (200, Some("VALID")));
    assert_eq!(report["signatures"][0]["level"], "B-T", "{report}");

    // A wrong password stops the start, naming the file, not the password.
    std::fs::write(keys.path().join("password"), "sai-mat-khau-42\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = config(
        dir.path(),
        &format!(
            "[seal]\npkcs12 = {:?}\npassword_file = {:?}\napi_keys_file = {:?}\n",
            demo("signer.p12").display().to_string(),
            keys.path().join("password").display().to_string(),
            keys.path().join("api-keys").display().to_string(),
        ),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    match runtime.block_on(Server::bind(&config)) {
        Err(e @ Error::Seal { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains("signer.p12") && !text.contains("sai-mat-khau-42"),
                "{text}"
            );
        }
        other => panic!("expected a seal error, got {:?}", other.err()),
    }
}
