//! `kyso-server` on loopback: every route, the same report as the library, and bad input
//! answered with a JSON 4xx while the service stays healthy.

mod common;

use common::*;
use kyso_pdf::verify::{ValidationOptions, validate};
use kyso_server::{Config, Error, Server};
use serde_json::Value;

fn library_report(pdf: &[u8]) -> Value {
    let trust =
        kyso_cert::Certificate::all_from_der_or_pem(&std::fs::read(demo("root.pem")).unwrap())
            .unwrap();
    serde_json::to_value(validate(&pdf.to_vec(), &ValidationOptions::new(trust)).unwrap()).unwrap()
}

#[test]
fn verify_answers_the_report_the_library_gives_for_a_valid_signature() {
    let service = start("");
    let pdf = signed_sample();
    let (status, report) = post_pdf(service.addr, "/v1/verify", &pdf);
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["verdict"], "VALID", "{report}");
    assert_eq!(report, library_report(&pdf));
}

#[test]
fn verify_finds_a_tampered_document_invalid() {
    let service = start("");
    let mut pdf = signed_sample();
    // A byte of the signed original (inside the first byte range) changed.
    let at = pdf.windows(6).position(|w| w == b"/Pages").unwrap() + 1;
    pdf[at] = b'Q';
    let (status, report) = post_pdf(service.addr, "/v1/verify", &pdf);
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["verdict"], "INVALID", "{report}");
    assert_eq!(report, library_report(&pdf));
}

#[test]
fn verify_takes_the_pdf_part_of_a_multipart_form() {
    let service = start("");
    let pdf = signed_sample();
    let mut body = Vec::new();
    body.extend_from_slice(
        b"--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n",
    );
    body.extend_from_slice(b"--XyZ\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n");
    body.extend_from_slice(&pdf);
    body.extend_from_slice(b"\r\n--XyZ--\r\n");
    let (status, report) = request(
        service.addr,
        "POST",
        "/v1/verify",
        "multipart/form-data; boundary=XyZ",
        &body,
    );
    let report = json(&report);
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["verdict"], "VALID");

    let form = b"--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--XyZ--\r\n";
    let (status, error) = request(
        service.addr,
        "POST",
        "/v1/verify",
        "multipart/form-data; boundary=XyZ",
        form,
    );
    assert_eq!(status, 400);
    assert!(
        json(&error)["error"]
            .as_str()
            .unwrap()
            .contains("`pdf` part")
    );
}

#[test]
fn a_request_may_narrow_the_policy_but_not_name_an_unknown_level() {
    let service = start("");
    // Nothing changed after the demo signature: VALID even under `none`.
    let (status, report) = post_pdf(
        service.addr,
        "/v1/verify?max_changes=none",
        &signed_sample(),
    );
    assert_eq!((status, report["verdict"].as_str()), (200, Some("VALID")));
    let (status, error) = post_pdf(
        service.addr,
        "/v1/verify?max_changes=anything",
        &signed_sample(),
    );
    assert_eq!(status, 400, "{error}");
    assert!(
        error["error"].as_str().unwrap().contains("max_changes"),
        "{error}"
    );
}

#[test]
fn bad_uploads_get_a_json_4xx_naming_the_problem_and_the_service_stays_healthy() {
    let service = start("max_body_bytes = 65536\n");
    let (status, error) = post_pdf(service.addr, "/v1/verify", b"");
    assert_eq!(status, 400);
    assert!(
        error["error"].as_str().unwrap().contains("no document"),
        "{error}"
    );
    let (status, error) = post_pdf(service.addr, "/v1/verify", b"GIF89a not a pdf at all");
    assert_eq!(status, 422, "{error}");
    assert_eq!(error["status"], 422);
    let (status, error) = post_pdf(service.addr, "/v1/verify", &vec![b'%'; 100_000]);
    assert_eq!(status, 413, "{error}");

    // 200 malformed uploads: truncations and corruptions of a real signed file.
    let pdf = signed_sample();
    for i in 0..200usize {
        let mut bad = pdf[..(i * 37) % pdf.len()].to_vec();
        if i % 3 == 0 {
            bad.extend_from_slice(b"%%EOF garbage");
            bad.iter_mut()
                .skip(i % 50)
                .step_by(11)
                .for_each(|b| *b = b'#');
        }
        let (status, body) = request(service.addr, "POST", "/v1/verify", "application/pdf", &bad);
        let answer = json(&body);
        let client_error = (400..500).contains(&status);
        let judged = status == 200 && answer["verdict"] != "VALID";
        assert!(client_error || judged, "upload {i}: {status} {answer}");
    }
    let (status, body) = request(service.addr, "GET", "/healthz", "text/plain", b"");
    assert_eq!((status, body.as_slice()), (200, &b"ok\n"[..]));
}

#[test]
fn metrics_count_requests_verdicts_and_latency() {
    let service = start("");
    post_pdf(service.addr, "/v1/verify", &signed_sample());
    post_pdf(service.addr, "/v1/verify", b"not a pdf");
    let (status, body) = request(service.addr, "GET", "/metrics", "text/plain", b"");
    assert_eq!(status, 200);
    let text = String::from_utf8(body).unwrap();
    for line in [
        "kyso_http_requests_total{route=\"/v1/verify\",status=\"200\"} 1",
        "kyso_http_requests_total{route=\"/v1/verify\",status=\"422\"} 1",
        "kyso_verdicts_total{verdict=\"VALID\"} 1",
        "kyso_verdicts_total{verdict=\"INVALID\"} 0",
        "kyso_http_request_duration_seconds_count{route=\"/v1/verify\"} 2",
        "kyso_verifications_in_flight 0",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
}

#[test]
fn every_route_of_the_openapi_description_is_served_and_nothing_else() {
    let service = start("");
    let (status, body) = request(service.addr, "GET", "/v1/openapi.json", "text/plain", b"");
    assert_eq!(status, 200);
    let api = json(&body);
    assert_eq!(
        api,
        serde_json::from_str::<Value>(kyso_server::OPENAPI).unwrap()
    );
    let paths = api["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 8);
    for (path, methods) in paths {
        for (method, operation) in methods.as_object().unwrap() {
            let (status, _) = request(
                service.addr,
                &method.to_uppercase(),
                path,
                "application/pdf",
                &signed_sample(),
            );
            assert!(
                operation["responses"].get(status.to_string()).is_some(),
                "{method} {path} answered {status}, which the description does not list"
            );
            // The other method on the same path is not served.
            let other = if method == "get" { "POST" } else { "GET" };
            let (status, _) = request(service.addr, other, path, "text/plain", b"");
            assert_eq!(status, 405, "{other} {path}");
        }
    }
    let (status, body) = request(service.addr, "GET", "/v1/nothing", "text/plain", b"");
    assert_eq!(status, 404);
    assert_eq!(json(&body)["status"], 404);
}

#[test]
fn the_service_refuses_to_start_without_a_32_byte_state_key_or_a_trust_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), "");
    std::fs::write(dir.path().join("state.key"), b"short").unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    match runtime.block_on(Server::bind(&config)) {
        Err(Error::StateKey { reason, .. }) => assert!(reason.contains("5 bytes"), "{reason}"),
        other => panic!("expected a state key error, got {:?}", other.err()),
    }
    config.trust = vec![dir.path().join("missing.pem")];
    assert!(matches!(
        runtime.block_on(Server::bind(&config)),
        Err(Error::Certificate(_))
    ));
    match Config::from_toml("trust = []\nstate_key_file = \"k\"\n") {
        Err(Error::Config { reason, .. }) => assert!(reason.contains("no trust anchor")),
        other => panic!("expected a config error, got {other:?}"),
    }
    match Config::from_toml("trust = [\"a\"]\nstate_key_file = \"k\"\nlisten_on = 1\n") {
        Err(Error::Config { reason, .. }) => assert!(reason.contains("listen_on"), "{reason}"),
        other => panic!("expected a config error, got {other:?}"),
    }
}

#[test]
fn verify_checks_a_detached_cms_made_by_openssl_over_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    let data = dir.path().join("data.txt");
    let p7s = dir.path().join("data.p7s");
    std::fs::write(&data, "Quyết định số 12/QĐ-UBND\n").unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "pkcs12".as_ref(),
        "-in".as_ref(),
        demo("signer.p12").as_os_str(),
        "-passin".as_ref(),
        "pass:kyso-demo".as_ref(),
        "-nocerts".as_ref(),
        "-nodes".as_ref(),
        "-out".as_ref(),
        key.as_os_str(),
    ]);
    run(&[
        "cms".as_ref(),
        "-sign".as_ref(),
        "-binary".as_ref(),
        "-in".as_ref(),
        data.as_os_str(),
        "-signer".as_ref(),
        demo("signer.pem").as_os_str(),
        "-inkey".as_ref(),
        key.as_os_str(),
        "-outform".as_ref(),
        "DER".as_ref(),
        "-out".as_ref(),
        p7s.as_os_str(),
    ]);
    let cms = std::fs::read(&p7s).unwrap();
    let data = std::fs::read(&data).unwrap();

    let service = start("");
    let ask = |parts: &[(&str, &[u8])]| {
        let (status, body) = request(
            service.addr,
            "POST",
            "/v1/verify",
            "multipart/form-data; boundary=XyZ",
            &form(parts),
        );
        (status, json(&body))
    };
    let (status, report) = ask(&[("cms", &cms), ("data", &data)]);
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["trust"], "not checked");
    assert_eq!(
        report,
        serde_json::to_value(kyso_cms::verify::check_detached(&data, &cms).1).unwrap()
    );

    let mut changed = data.clone();
    changed[0] ^= 1;
    let (status, report) = ask(&[("cms", &cms), ("data", &changed)]);
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (report["valid"].as_bool(), report["failed_step"].as_str()),
        (Some(false), Some("digest"))
    );

    let (status, error) = ask(&[("cms", &cms)]);
    assert_eq!(status, 400);
    assert!(
        error["error"].as_str().unwrap().contains("no `data` part"),
        "{error}"
    );
    let (status, _) = ask(&[("pdf", &signed_sample()), ("cms", &cms), ("data", &data)]);
    assert_eq!(status, 400);
}
