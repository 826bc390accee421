//! Deferred signing over HTTP: `/v1/sign/prepare` then `/v1/sign/finish`, with the key held
//! by an independent signer in between (OpenSSL signing the hash as a token does, Node's
//! WebCrypto-style raw ECDSA), the signed PDF checked by the service and by pyHanko; and the
//! sealed state refused when changed, expired or finished twice.

mod common;

use std::path::Path;
use std::process::Command;

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Key};
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use common::*;
use kyso_testkit::validators::pyhanko_validate;
use kyso_testkit::{LeafKind, TestPki};
use serde_json::{Value, json as j};

/// The state key every test service gets (see `common::config`).
const KEY: [u8; 32] = [7u8; 32];

/// A service trusting the test PKI's root.
fn service(extra: &str) -> Running {
    let root = TestPki::get().root_pem().display().to_string();
    start(&format!("trust = [{root:?}]\n{extra}"))
}

/// The chain part of a prepare form for `kind`: the leaf, then its CAs.
fn chain_pem(kind: LeafKind) -> Vec<u8> {
    let leaf = TestPki::get().leaf(kind);
    let mut pem = std::fs::read(&leaf.cert_pem).unwrap();
    pem.extend(std::fs::read(&leaf.chain_pem).unwrap());
    pem
}

fn prepare(addr: std::net::SocketAddr, parts: &[(&str, &[u8])]) -> (u16, Value) {
    let (status, body) = request(
        addr,
        "POST",
        "/v1/sign/prepare",
        "multipart/form-data; boundary=XyZ",
        &form(parts),
    );
    (status, json(&body))
}

fn finish(addr: std::net::SocketAddr, state: &str, signature: &[u8]) -> (u16, Vec<u8>) {
    let body = j!({"state": state, "signature": Base64::encode_string(signature)});
    request(
        addr,
        "POST",
        "/v1/sign/finish",
        "application/json",
        body.to_string().as_bytes(),
    )
}

fn b64(v: &Value) -> Vec<u8> {
    Base64::decode_vec(v.as_str().expect("a base64 string")).expect("base64")
}

/// OpenSSL signing a prepared hash, as a token that signs digests does: PKCS #1 v1.5
/// (DigestInfo added by OpenSSL) or PSS with a 32-byte salt.
fn openssl_sign_digest(key: &Path, digest: &[u8], pss: bool) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("digest.bin");
    std::fs::write(&input, digest).unwrap();
    let mut cmd = Command::new("openssl");
    cmd.args(["pkeyutl", "-sign", "-inkey"])
        .arg(key)
        .args(["-pkeyopt", "digest:sha256"]);
    if pss {
        cmd.args([
            "-pkeyopt",
            "rsa_padding_mode:pss",
            "-pkeyopt",
            "rsa_pss_saltlen:32",
        ]);
    }
    let out = cmd.arg("-in").arg(&input).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Node's crypto signing the message with ECDSA in IEEE P1363 form (raw `r || s`), what
/// WebCrypto in a browser gives.
fn node_sign_p1363(key: &Path, message: &[u8]) -> Vec<u8> {
    let script = "const c=require('crypto'),fs=require('fs');\
        const [k,m]=process.argv.slice(1);\
        process.stdout.write(c.sign('sha256',Buffer.from(m,'base64'),\
        {key:fs.readFileSync(k),dsaEncoding:'ieee-p1363'}).toString('base64'));";
    let out = Command::new("node")
        .args(["-e", script])
        .arg(key)
        .arg(Base64::encode_string(message))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Base64::decode_vec(std::str::from_utf8(&out.stdout).unwrap().trim()).unwrap()
}

/// The signed PDF the service and pyHanko both accept.
fn assert_valid(addr: std::net::SocketAddr, signed: &[u8]) {
    let (status, report) = post_pdf(addr, "/v1/verify", signed);
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["verdict"], "VALID", "{report}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signed.pdf");
    std::fs::write(&path, signed).unwrap();
    let sigs = pyhanko_validate(&path, TestPki::get().root_pem());
    assert_eq!(sigs.len(), 1);
    assert!(sigs[0].is_fully_valid(), "pyHanko: {:?}", sigs[0]);
}

#[test]
fn a_token_that_signs_the_hash_finishes_a_valid_signature() {
    let service = service("");
    let sample = std::fs::read(demo("sample.pdf")).unwrap();
    let chain = chain_pem(LeafKind::Rsa2048);
    let (status, prepared) = prepare(
        service.addr,
        &[
            ("pdf", &sample),
            ("chain", &chain),
            ("reason", "Phê duyệt".as_bytes()),
        ],
    );
    assert_eq!(status, 200, "{prepared}");
    assert_eq!(prepared["signature_algorithm"], "rsa-pkcs1-sha256");
    assert_eq!(prepared["digest_algorithm"], "sha256");
    let data = b64(&prepared["data_to_sign"]);
    let digest = b64(&prepared["digest"]);
    assert_eq!(
        digest,
        kyso_cert::DigestAlgorithm::Sha256.digest(&data),
        "digest is the hash of data_to_sign"
    );
    let key = &TestPki::get().leaf(LeafKind::Rsa2048).key_pem;
    let signature = openssl_sign_digest(key, &digest, false);
    let (status, signed) = finish(
        service.addr,
        prepared["state"].as_str().unwrap(),
        &signature,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&signed));
    assert!(signed.starts_with(&sample), "an incremental update");
    assert_valid(service.addr, &signed);
}

#[test]
fn pss_and_webcrypto_ecdsa_signatures_finish_and_a_visible_box_is_drawn() {
    let service = service("");
    let sample = std::fs::read(demo("sample.pdf")).unwrap();
    let pki = TestPki::get();

    let chain = chain_pem(LeafKind::Rsa3072Pss);
    let (status, prepared) = prepare(
        service.addr,
        &[
            ("pdf", &sample),
            ("chain", &chain),
            ("signature_algorithm", b"rsa-pss-sha256"),
        ],
    );
    assert_eq!(status, 200, "{prepared}");
    assert_eq!(prepared["signature_algorithm"], "rsa-pss-sha256");
    let key = &pki.leaf(LeafKind::Rsa3072Pss).key_pem;
    let signature = openssl_sign_digest(key, &b64(&prepared["digest"]), true);
    let (status, signed) = finish(
        service.addr,
        prepared["state"].as_str().unwrap(),
        &signature,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&signed));
    assert_valid(service.addr, &signed);

    let chain = chain_pem(LeafKind::P256);
    let (status, prepared) = prepare(
        service.addr,
        &[
            ("pdf", &sample),
            ("chain", &chain),
            ("rect", b"72,72,200,60"),
            ("page", b"1"),
        ],
    );
    assert_eq!(status, 200, "{prepared}");
    assert_eq!(prepared["signature_algorithm"], "ecdsa-p256-sha256");
    let key = &pki.leaf(LeafKind::P256).key_pem;
    let raw = node_sign_p1363(key, &b64(&prepared["data_to_sign"]));
    assert_eq!(raw.len(), 64, "IEEE P1363 r || s");
    let (status, signed) = finish(service.addr, prepared["state"].as_str().unwrap(), &raw);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&signed));
    assert_valid(service.addr, &signed);
    let text = String::from_utf8_lossy(&signed);
    assert!(
        text.contains("/Rect [72 72 272 132]"),
        "the widget is the rectangle asked for"
    );
}

/// Opens a sealed state with the shared key, as the crate documents its format.
fn unseal(state: &str) -> ([u8; 12], Vec<u8>) {
    let sealed = Base64UrlUnpadded::decode_vec(state.strip_prefix("ks1.").unwrap()).unwrap();
    let (nonce, ciphertext) = sealed.split_at(12);
    let nonce: [u8; 12] = nonce.try_into().unwrap();
    let mut plain = ciphertext.to_vec();
    Aes256Gcm::new(&Key::<Aes256Gcm>::from(KEY))
        .decrypt_in_place(
            &nonce.into(),
            b"kyso-server deferred-signing state v1",
            &mut plain,
        )
        .expect("the documented format opens with the shared key");
    (nonce, plain)
}

fn reseal(nonce: [u8; 12], mut plain: Vec<u8>) -> String {
    Aes256Gcm::new(&Key::<Aes256Gcm>::from(KEY))
        .encrypt_in_place(
            &nonce.into(),
            b"kyso-server deferred-signing state v1",
            &mut plain,
        )
        .unwrap();
    let mut sealed = nonce.to_vec();
    sealed.extend(plain);
    format!("ks1.{}", Base64UrlUnpadded::encode_string(&sealed))
}

#[test]
fn a_changed_expired_or_replayed_state_is_refused_and_a_bad_signature_can_be_retried() {
    let service = service("");
    let sample = std::fs::read(demo("sample.pdf")).unwrap();
    let chain = chain_pem(LeafKind::Rsa2048);
    let (status, prepared) = prepare(service.addr, &[("pdf", &sample), ("chain", &chain)]);
    assert_eq!(status, 200, "{prepared}");
    let state = prepared["state"].as_str().unwrap().to_owned();
    let key = &TestPki::get().leaf(LeafKind::Rsa2048).key_pem;
    let signature = openssl_sign_digest(key, &b64(&prepared["digest"]), false);

    // One character of the sealed state changed: the tag does not verify.
    let mut changed = state.clone().into_bytes();
    let at = changed.len() / 2;
    changed[at] = if changed[at] == b'A' { b'B' } else { b'A' };
    let (status, body) = finish(
        service.addr,
        std::str::from_utf8(&changed).unwrap(),
        &signature,
    );
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
    assert!(
        json(&body)["error"]
            .as_str()
            .unwrap()
            .contains("not one this service sealed")
    );
    let (status, _) = finish(service.addr, "ks1.AAAA", &signature);
    assert_eq!(status, 400);

    // The same state with its expiry moved into the past, sealed again with the key: the
    // service's clock, not the client, decides.
    let (nonce, mut plain) = unseal(&state);
    plain[24..32].copy_from_slice(&1_000_000_000u64.to_be_bytes());
    let (status, body) = finish(service.addr, &reseal(nonce, plain), &signature);
    assert_eq!(status, 410, "{}", String::from_utf8_lossy(&body));
    assert!(json(&body)["error"].as_str().unwrap().contains("expired"));

    // A signature by another key: 422, and the state is not spent by it.
    let other = &TestPki::get().leaf(LeafKind::Revoked).key_pem;
    let wrong = openssl_sign_digest(other, &b64(&prepared["digest"]), false);
    let (status, body) = finish(service.addr, &state, &wrong);
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));

    let (status, signed) = finish(service.addr, &state, &signature);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&signed));
    // Finished once: the same state again is a replay.
    let (status, body) = finish(service.addr, &state, &signature);
    assert_eq!(status, 409, "{}", String::from_utf8_lossy(&body));
    assert!(
        json(&body)["error"]
            .as_str()
            .unwrap()
            .contains("finished already")
    );
}

/// The parts of a form.
type Parts<'a> = Vec<(&'a str, &'a [u8])>;

#[test]
fn a_bad_prepare_form_gets_a_json_4xx_naming_the_problem() {
    let service = service("");
    let sample = std::fs::read(demo("sample.pdf")).unwrap();
    let chain = chain_pem(LeafKind::Rsa2048);
    let ec_chain = chain_pem(LeafKind::P256);
    let cases: Vec<(Parts, u16, &str)> = vec![
        (vec![("chain", &chain)], 400, "no `pdf` part"),
        (vec![("pdf", &sample)], 400, "no `chain` part"),
        (
            vec![("pdf", &sample), ("chain", b"not a certificate")],
            400,
            "`chain`",
        ),
        (
            vec![("pdf", &sample), ("chain", &chain), ("colour", b"red")],
            400,
            "unknown form part `colour`",
        ),
        (
            vec![
                ("pdf", &sample),
                ("chain", &ec_chain),
                ("signature_algorithm", b"rsa-pkcs1-sha256"),
            ],
            400,
            "does not fit",
        ),
        (
            vec![("pdf", &sample), ("chain", &chain), ("page", b"0")],
            400,
            "`page`",
        ),
        (
            vec![("pdf", &sample), ("chain", &chain), ("text", b"Hello")],
            400,
            "need `rect`",
        ),
        (
            vec![("pdf", b"%PDF-1.7 not really"), ("chain", &chain)],
            422,
            "",
        ),
    ];
    for (parts, want, says) in cases {
        let (status, error) = prepare(service.addr, &parts);
        assert_eq!(status, want, "{error}");
        assert_eq!(error["status"], want);
        assert!(error["error"].as_str().unwrap().contains(says), "{error}");
    }
    let (status, _) = request(
        service.addr,
        "POST",
        "/v1/sign/prepare",
        "application/pdf",
        &sample,
    );
    assert_eq!(status, 415);
    // A signer the service's trust anchors do not vouch for (the demo root is the only one
    // here) is refused before anything is signed — unless the configuration allows it.
    let demo_trust = start("");
    let (status, error) = prepare(demo_trust.addr, &[("pdf", &sample), ("chain", &chain)]);
    assert_eq!(status, 422, "{error}");
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("not trusted for signing"),
        "{error}"
    );
    let anyone = start("trusted_signers_only = false\n");
    let (status, prepared) = prepare(anyone.addr, &[("pdf", &sample), ("chain", &chain)]);
    assert_eq!(status, 200, "{prepared}");
    let (status, _) = request(
        service.addr,
        "POST",
        "/v1/sign/finish",
        "application/json",
        b"{\"state\": \"x\"}",
    );
    assert_eq!(status, 422, "a field missing");
    let (status, _) = request(
        service.addr,
        "POST",
        "/v1/sign/finish",
        "application/json",
        b"{\"state\": ",
    );
    assert_eq!(status, 400, "not JSON");
    let (status, _) = request(service.addr, "POST", "/v1/sign/finish", "text/plain", b"{}");
    assert_eq!(status, 415);
    let (status, _) = finish(service.addr, "ks1.AAAA", b"");
    assert_eq!(status, 400);
    let (status, _) = request(service.addr, "GET", "/healthz", "text/plain", b"");
    assert_eq!(status, 200);
}

#[test]
fn a_document_prepare_accepted_at_the_body_limit_can_be_finished() {
    // Prepare's body (the PDF and the chain) fits 16 KiB; the state, carrying the prepared
    // document with its placeholder in base64, does not — finish has its own, larger limit.
    let service = service("max_body_bytes = 16384\n");
    let sample = std::fs::read(demo("sample.pdf")).unwrap();
    let chain = chain_pem(LeafKind::Rsa2048);
    let (status, prepared) = prepare(service.addr, &[("pdf", &sample), ("chain", &chain)]);
    assert_eq!(status, 200, "{prepared}");
    let state = prepared["state"].as_str().unwrap();
    assert!(state.len() > 16384, "the state is {} bytes", state.len());
    let key = &TestPki::get().leaf(LeafKind::Rsa2048).key_pem;
    let signature = openssl_sign_digest(key, &b64(&prepared["digest"]), false);
    let (status, signed) = finish(service.addr, state, &signature);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&signed));
}

#[test]
fn with_a_tsa_the_signature_is_b_t_and_a_silent_tsa_leaves_the_state_unspent() {
    let tsa = kyso_testkit::tsa::TsaServer::start(None);
    let service = service(&format!("tsa_url = {:?}\n", tsa.url()));
    let sample = std::fs::read(demo("sample.pdf")).unwrap();
    let chain = chain_pem(LeafKind::Rsa2048);
    let key = &TestPki::get().leaf(LeafKind::Rsa2048).key_pem;

    let (status, prepared) = prepare(service.addr, &[("pdf", &sample), ("chain", &chain)]);
    assert_eq!(status, 200, "{prepared}");
    let signature = openssl_sign_digest(key, &b64(&prepared["digest"]), false);
    let (status, signed) = finish(
        service.addr,
        prepared["state"].as_str().unwrap(),
        &signature,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&signed));
    let (_, report) = post_pdf(service.addr, "/v1/verify", &signed);
    assert_eq!(report["verdict"], "VALID", "{report}");
    assert_eq!(report["signatures"][0]["level"], "B-T", "{report}");
    assert!(report["signatures"][0]["timestamp"].is_object(), "{report}");
    assert_valid(service.addr, &signed);

    // The TSA goes away between prepare and finish: 503, and the state is not spent by it.
    let (status, prepared) = prepare(service.addr, &[("pdf", &sample), ("chain", &chain)]);
    assert_eq!(status, 200, "{prepared}");
    let signature = openssl_sign_digest(key, &b64(&prepared["digest"]), false);
    drop(tsa);
    let state = prepared["state"].as_str().unwrap();
    let (status, body) = finish(service.addr, state, &signature);
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
    let (status, body) = finish(service.addr, state, &signature);
    assert_eq!(status, 503, "not 409: {}", String::from_utf8_lossy(&body));
}
