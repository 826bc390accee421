//! The seal's token goes away while the service runs (a USB token pulled, an HSM partition
//! gone): each seal answers 503 naming the key, not 422 as if the document were at fault, and
//! the service keeps answering. A test binary of its own: it deletes the SoftHSM2 token.

mod common;
#[path = "../../kyso-token/tests/pkcs11_softhsm/mod.rs"]
mod pkcs11_softhsm;

use common::*;
use pkcs11_softhsm::{PIN, RSA, TOKEN, softhsm};

#[test]
fn a_seal_whose_token_is_gone_answers_503_and_the_service_stays_up() {
    let hsm = softhsm();
    let dir = tempfile::tempdir().unwrap();
    let key = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    std::fs::write(dir.path().join("api-keys"), key).unwrap();
    std::fs::write(dir.path().join("pin"), PIN).unwrap();
    let service = start(&format!(
        "[seal]\npkcs11_module = {:?}\ntoken = {TOKEN:?}\nkey_label = {:?}\npin_file = {:?}\napi_keys_file = {:?}\n",
        hsm.module.display().to_string(),
        RSA.key_label,
        dir.path().join("pin").display().to_string(),
        dir.path().join("api-keys").display().to_string(),
    ));
    let sample = std::fs::read(demo("sample.pdf")).unwrap();
    let seal = |body: &[u8]| {
        let (status, body, _) = request_with(
            service.addr,
            "POST",
            "/v1/sign",
            &format!("Authorization: Bearer {key}\r\n"),
            "application/pdf",
            body,
        );
        (status, String::from_utf8_lossy(&body).into_owned())
    };
    assert_eq!(seal(&sample).0, 200);

    hsm.softhsm2_util(&["--delete-token", "--token", TOKEN]);
    let (status, text) = seal(&sample);
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("the seal key could not sign"), "{text}");
    let (status, _) = request(service.addr, "GET", "/healthz", "text/plain", b"");
    assert_eq!(status, 200);
}
