//! A CSC API v2 test server: a real HTTP server on `127.0.0.1:0` in a thread (`tiny_http`),
//! backed by a key of the test PKI, that enforces what the specification says:
//!
//! * bearer authentication on every method but `info` (HTTP 401 `invalid_token` otherwise);
//! * credential ids (`Invalid parameter credentialID`);
//! * `credentials/authorize`: the PIN, `numSignatures` between 1 and `multisign` and equal to
//!   the number of hashes, which SCAL 2 makes mandatory;
//! * SAD scope: a SAD is good for its credential, for exactly the hashes it was issued for, and
//!   for `numSignatures` signatures; then it is used up (`Invalid parameter SAD`, `Hash is not
//!   authorized by the SAD`);
//! * SAD expiry on a virtual clock the test moves (`advance_clock`), so no test waits
//!   (`SAD expired`);
//! * pending approval: `credentials/authorize` may answer HTTP 202 with a handle, and
//!   `credentials/authorizeCheck` then answers 202 a set number of times before the SAD;
//!   `signatures/signHash` with `operationMode: "A"` answers a `responseID`, and
//!   `signatures/signPolling` answers 202 `accepted_request` a set number of times before the
//!   signatures; a reject switch makes the next poll answer `access_denied`.
//!
//! It also serves `oauth2/token` (client credentials) and a provider-style "push to phone" API
//! (`/push/v1/...`: submit, status, cancel) for the `ApprovalSigner` adapter of the tests.
//!
//! Every request is logged (method, path, JSON body, status) for the tests to inspect.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use base64ct::{Base64, Encoding};
use kyso_testkit::{LeafKind, TestPki};
use pkcs8::DecodePrivateKey;
use serde_json::{Value, json};
use sha2::{Sha256, Sha384, Sha512};

const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
const RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const SHA384: &str = "2.16.840.1.101.3.4.2.2";
const SHA512: &str = "2.16.840.1.101.3.4.2.3";

/// How the server behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// The only access token it accepts.
    pub token: String,
    /// OAuth 2.0 client credentials that `oauth2/token` exchanges for `token`.
    pub client_id: String,
    /// See `client_id`.
    pub client_secret: String,
    /// The only credential.
    pub credential_id: String,
    /// Whose key and certificate.
    pub leaf: LeafKind,
    /// The PIN `credentials/authorize` wants (`None`: no authentication data).
    pub pin: Option<String>,
    /// `multisign`.
    pub multisign: u32,
    /// SAD lifetime, in virtual seconds.
    pub sad_lifetime_secs: u64,
    /// `credentials/authorize` answers 202 and `authorizeCheck` answers 202 this many times
    /// before the SAD (0: the SAD at once).
    pub authorize_pending_polls: u32,
    /// `signPolling` answers 202 this many times before the signatures.
    pub sign_pending_polls: u32,
    /// The push API's status answers `pending` this many times before `signed`.
    pub push_pending_polls: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            token: "test-access-token".into(),
            client_id: "kyso-tests".into(),
            client_secret: "client-secret".into(),
            credential_id: "cred-rsa-01".into(),
            leaf: LeafKind::Rsa2048,
            pin: Some("123456".into()),
            multisign: 5,
            sad_lifetime_secs: 300,
            authorize_pending_polls: 0,
            sign_pending_polls: 0,
            push_pending_polls: 0,
        }
    }
}

/// One logged request.
#[derive(Clone, Debug)]
pub struct Logged {
    /// `GET` or `POST`.
    pub method: String,
    /// The path, e.g. `/csc/v2/signatures/signHash`.
    pub path: String,
    /// The JSON body (`Null` for none or a form).
    pub body: Value,
    /// The status answered.
    pub status: u16,
}

enum Key {
    Rsa(Box<rsa::PrivateKey>),
    P256(p256::ecdsa::SigningKey),
}

struct Sad {
    credential: String,
    hashes: Vec<Vec<u8>>,
    remaining: u32,
    expires_at: u64,
}

struct PendingAuthorization {
    polls_left: u32,
    sad: String,
}

struct PendingSignature {
    polls_left: u32,
    signatures: Vec<String>,
}

struct PushTransaction {
    polls_left: u32,
    signature: String,
    cancelled: bool,
}

/// The server's state, shared with the test.
pub struct State {
    pub config: Config,
    key: Key,
    certificates: Vec<String>,
    /// Virtual seconds since start.
    now: u64,
    sads: HashMap<String, Sad>,
    handles: HashMap<String, PendingAuthorization>,
    responses: HashMap<String, PendingSignature>,
    push: HashMap<String, PushTransaction>,
    /// The next poll of anything pending answers "rejected".
    pub reject: bool,
    pub log: Vec<Logged>,
    /// Push transactions cancelled, in order.
    pub cancelled: Vec<String>,
    counter: u64,
}

/// A running test server; stopped when dropped.
pub struct TestCsc {
    /// `http://127.0.0.1:PORT`.
    pub root_url: String,
    /// `http://127.0.0.1:PORT/csc/v2`.
    pub base_url: String,
    state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl TestCsc {
    /// Starts a server with `config`.
    pub fn start(config: Config) -> Self {
        let leaf = TestPki::get().leaf(config.leaf);
        let key_pem = std::fs::read_to_string(&leaf.key_pem).expect("key");
        let key = match config.leaf {
            LeafKind::P256 => {
                Key::P256(p256::ecdsa::SigningKey::from_pkcs8_pem(&key_pem).expect("P-256 key"))
            }
            _ => Key::Rsa(Box::new(
                rsa::PrivateKey::from_pkcs8_pem(&key_pem).expect("RSA key"),
            )),
        };
        let mut certificates = Vec::new();
        for path in [&leaf.cert_pem, &leaf.chain_pem] {
            let pem = std::fs::read(path).expect("certificate file");
            for cert in kyso_cert::Certificate::all_from_der_or_pem(&pem).expect("certificates") {
                certificates.push(Base64::encode_string(cert.der()));
            }
        }
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind"));
        let port = server.server_addr().to_ip().expect("ip").port();
        let root_url = format!("http://127.0.0.1:{port}");
        let state = Arc::new(Mutex::new(State {
            config,
            key,
            certificates,
            now: 0,
            sads: HashMap::new(),
            handles: HashMap::new(),
            responses: HashMap::new(),
            push: HashMap::new(),
            reject: false,
            log: Vec::new(),
            cancelled: Vec::new(),
            counter: 0,
        }));
        let thread = {
            let server = Arc::clone(&server);
            let state = Arc::clone(&state);
            let root_url = root_url.clone();
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    handle(request, &state, &root_url);
                }
            })
        };
        Self {
            base_url: format!("{root_url}/csc/v2"),
            root_url,
            state,
            server,
            thread: Some(thread),
        }
    }

    /// The server's state, locked.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The access token the server accepts.
    pub fn token(&self) -> String {
        self.state().config.token.clone()
    }

    /// Moves the server's clock forward (SAD expiry).
    pub fn advance_clock(&self, by: Duration) {
        self.state().now += by.as_secs();
    }

    /// Makes the next poll of anything pending answer "rejected".
    pub fn set_reject(&self, reject: bool) {
        self.state().reject = reject;
    }

    /// The bodies and statuses of the requests to `path` (relative to the root, e.g.
    /// `/csc/v2/credentials/authorize`).
    pub fn calls(&self, path: &str) -> Vec<Logged> {
        self.state()
            .log
            .iter()
            .filter(|l| l.path == path)
            .cloned()
            .collect()
    }

    /// Push transactions cancelled.
    pub fn cancelled(&self) -> Vec<String> {
        self.state().cancelled.clone()
    }
}

impl Drop for TestCsc {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

type Reply = (u16, Value);

fn error(status: u16, code: &str, description: &str) -> Reply {
    (
        status,
        json!({ "error": code, "error_description": description }),
    )
}

fn bad_request(description: &str) -> Reply {
    error(400, "invalid_request", description)
}

fn handle(mut request: tiny_http::Request, state: &Mutex<State>, root_url: &str) {
    let method = request.method().as_str().to_string();
    let path = request.url().split('?').next().unwrap_or("").to_string();
    let authorization = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Authorization"))
        .map(|h| h.value.as_str().to_string());
    let mut text = String::new();
    let _ = request.as_reader().read_to_string(&mut text);
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);

    let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
    let authorized = authorization.as_deref() == Some(&format!("Bearer {}", state.config.token));
    let (status, reply) = match (method.as_str(), path.as_str()) {
        ("POST", "/csc/v2/info") => (200, info(root_url)),
        ("POST", "/oauth2/token") => oauth2_token(&state, &text),
        _ if !authorized => (
            401,
            json!({
                "error": "invalid_token",
                "error_description": "The access token is missing, malformed or not valid"
            }),
        ),
        ("POST", "/csc/v2/credentials/list") => credentials_list(&state, &body),
        ("POST", "/csc/v2/credentials/info") => credentials_info(&state, &body),
        ("POST", "/csc/v2/credentials/authorize") => authorize(&mut state, &body),
        ("POST", "/csc/v2/credentials/authorizeCheck") => authorize_check(&mut state, &body),
        ("POST", "/csc/v2/signatures/signHash") => sign_hash(&mut state, &body),
        ("POST", "/csc/v2/signatures/signPolling") => sign_polling(&mut state, &body),
        ("POST", "/push/v1/sign") => push_sign(&mut state, &body),
        ("GET", p) if p.starts_with("/push/v1/transactions/") => {
            push_status(&mut state, &p["/push/v1/transactions/".len()..])
        }
        ("POST", p) if p.starts_with("/push/v1/transactions/") && p.ends_with("/cancel") => {
            let id = &p["/push/v1/transactions/".len()..p.len() - "/cancel".len()];
            push_cancel(&mut state, id)
        }
        _ => error(404, "invalid_request", "Unknown method"),
    };
    state.log.push(Logged {
        method,
        path,
        body,
        status,
    });
    drop(state);
    let mut response = tiny_http::Response::from_string(reply.to_string())
        .with_status_code(status)
        .with_header(
            tiny_http::Header::from_bytes("Content-Type", "application/json").expect("header"),
        );
    if status == 401 {
        response = response.with_header(
            tiny_http::Header::from_bytes("WWW-Authenticate", "Bearer error=\"invalid_token\"")
                .expect("header"),
        );
    }
    let _ = request.respond(response);
}

fn info(root_url: &str) -> Value {
    json!({
        "specs": "2.0.0.2",
        "name": "kyso test RSSP",
        "logo": format!("{root_url}/logo.png"),
        "region": "VN",
        "lang": "vi-VN",
        "description": "Dịch vụ ký số từ xa dùng cho kiểm thử",
        "authType": ["oauth2client"],
        "oauth2": root_url,
        "asynchronousOperationMode": true,
        "methods": [
            "credentials/list", "credentials/info", "credentials/authorize",
            "credentials/authorizeCheck", "signatures/signHash", "signatures/signPolling"
        ],
        "signAlgorithms": { "algos": [RSA_ENCRYPTION, SHA256_WITH_RSA, RSASSA_PSS, ECDSA_SHA256, EC_PUBLIC_KEY] },
        "signature_formats": { "formats": ["C", "P"], "envelope_properties": [["Detached"], ["Certification", "Revision"]] },
        "conformance_levels": ["Ades-B-B"]
    })
}

fn form_field(form: &str, name: &str) -> Option<String> {
    form.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| url_decode(v))
    })
}

fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn oauth2_token(state: &State, form: &str) -> Reply {
    let config = &state.config;
    if form_field(form, "grant_type").as_deref() != Some("client_credentials") {
        return error(400, "unsupported_grant_type", "Only client_credentials");
    }
    if form_field(form, "client_id").as_deref() != Some(config.client_id.as_str())
        || form_field(form, "client_secret").as_deref() != Some(config.client_secret.as_str())
    {
        return error(401, "invalid_client", "Client authentication failed");
    }
    (
        200,
        json!({
            "access_token": config.token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": form_field(form, "scope"),
        }),
    )
}

fn key_algos(state: &State) -> (Vec<&'static str>, u32, Option<&'static str>) {
    match state.key {
        Key::Rsa(_) => (
            vec![RSA_ENCRYPTION, SHA256_WITH_RSA, RSASSA_PSS],
            2048,
            None,
        ),
        Key::P256(_) => (
            vec![ECDSA_SHA256, EC_PUBLIC_KEY],
            256,
            Some("1.2.840.10045.3.1.7"),
        ),
    }
}

fn credential_info_value(state: &State, certificates: &str, with_id: bool) -> Value {
    let (algo, len, curve) = key_algos(state);
    let certs: Vec<&String> = match certificates {
        "none" => Vec::new(),
        "chain" => state.certificates.iter().collect(),
        _ => state.certificates.iter().take(1).collect(),
    };
    let mut key = json!({ "status": "enabled", "algo": algo, "len": len });
    if let Some(curve) = curve {
        key["curve"] = json!(curve);
    }
    let objects = match &state.config.pin {
        Some(_) => json!([{
            "type": "Password", "id": "PIN", "format": "N", "label": "PIN",
            "description": "Nhập mã PIN ký số"
        }]),
        None => json!([]),
    };
    let mut value = json!({
        "description": "Chứng thư số kiểm thử",
        "key": key,
        "cert": { "status": "valid", "certificates": certs },
        "auth": { "mode": "explicit", "expression": "PIN", "objects": objects },
        "SCAL": "2",
        "multisign": state.config.multisign,
        "lang": "vi-VN",
    });
    if with_id {
        value["credentialID"] = json!(state.config.credential_id);
    }
    value
}

fn credentials_list(state: &State, body: &Value) -> Reply {
    if body.get("userID").is_some_and(|u| !u.is_null()) {
        return bad_request("userID parameter MUST be null");
    }
    let mut reply = json!({ "credentialIDs": [state.config.credential_id] });
    if body["credentialInfo"] == json!(true) {
        let certificates = body["certificates"].as_str().unwrap_or("single");
        reply["credentialInfos"] = json!([credential_info_value(state, certificates, true)]);
    }
    (200, reply)
}

fn check_credential(state: &State, body: &Value) -> Result<(), Reply> {
    match body["credentialID"].as_str() {
        None => Err(bad_request(
            "Missing (or invalid type) string parameter credentialID",
        )),
        Some(id) if id != state.config.credential_id => {
            Err(bad_request("Invalid parameter credentialID"))
        }
        Some(_) => Ok(()),
    }
}

fn credentials_info(state: &State, body: &Value) -> Reply {
    if let Err(reply) = check_credential(state, body) {
        return reply;
    }
    let certificates = body["certificates"].as_str().unwrap_or("single");
    if !matches!(certificates, "none" | "single" | "chain") {
        return bad_request("Invalid parameter certificates");
    }
    (200, credential_info_value(state, certificates, false))
}

fn digest_len(oid: &str) -> Option<usize> {
    match oid {
        SHA256 => Some(32),
        SHA384 => Some(48),
        SHA512 => Some(64),
        _ => None,
    }
}

fn decode_hashes(body: &Value, oid: &str) -> Result<Vec<Vec<u8>>, Reply> {
    let Some(list) = body["hashes"].as_array() else {
        return Err(bad_request(
            "Missing (or invalid type) array parameter hashes",
        ));
    };
    if list.is_empty() {
        return Err(bad_request("Empty hash array"));
    }
    let expected =
        digest_len(oid).ok_or_else(|| bad_request("Invalid parameter hashAlgorithmOID"))?;
    list.iter()
        .map(|h| {
            let bytes = h
                .as_str()
                .and_then(|s| Base64::decode_vec(s).ok())
                .ok_or_else(|| bad_request("Invalid Base64 hash string parameter"))?;
            if bytes.len() != expected {
                return Err(bad_request("Invalid digest value length"));
            }
            Ok(bytes)
        })
        .collect()
}

fn next_id(state: &mut State, prefix: &str) -> String {
    state.counter += 1;
    format!(
        "{prefix}-{}-{:08x}",
        state.counter,
        state.counter.wrapping_mul(0x9e37_79b9)
    )
}

fn authorize(state: &mut State, body: &Value) -> Reply {
    if let Err(reply) = check_credential(state, body) {
        return reply;
    }
    let Some(num) = body["numSignatures"].as_u64() else {
        return bad_request("Missing (or invalid type) integer parameter numSignatures");
    };
    if num < 1 {
        return bad_request("Invalid value for parameter numSignatures");
    }
    if num > u64::from(state.config.multisign) {
        return bad_request("Numbers of signatures is too high");
    }
    // SCAL 2: the SAD is bound to the hashes, so they must be there, one per signature.
    let Some(oid) = body["hashAlgorithmOID"].as_str() else {
        return bad_request("Missing (or invalid type) string parameter hashAlgorithmOID");
    };
    let hashes = match decode_hashes(body, oid) {
        Ok(h) => h,
        Err(reply) => return reply,
    };
    if hashes.len() as u64 != num {
        return bad_request(
            "Invalid value for parameter numSignatures: it must equal the number of hashes",
        );
    }
    if let Some(pin) = state.config.pin.clone() {
        let given = body["authData"].as_array().and_then(|data| {
            data.iter()
                .find(|d| d["id"] == "PIN")
                .and_then(|d| d["value"].as_str())
        });
        if given != Some(pin.as_str()) {
            return error(
                400,
                "invalid_authentication_data",
                "The authentication data is invalid",
            );
        }
    }
    let sad = next_id(state, "sad");
    let record = Sad {
        credential: state.config.credential_id.clone(),
        hashes,
        remaining: num as u32,
        expires_at: state.now + state.config.sad_lifetime_secs,
    };
    state.sads.insert(sad.clone(), record);
    if state.config.authorize_pending_polls == 0 {
        return (
            200,
            json!({ "SAD": sad, "expiresIn": state.config.sad_lifetime_secs }),
        );
    }
    let handle = next_id(state, "handle");
    let polls_left = state.config.authorize_pending_polls;
    state
        .handles
        .insert(handle.clone(), PendingAuthorization { polls_left, sad });
    (202, json!({ "handle": handle }))
}

fn authorize_check(state: &mut State, body: &Value) -> Reply {
    let Some(handle) = body["handle"].as_str() else {
        return bad_request("Missing (or invalid type) string parameter handle");
    };
    let reject = state.reject;
    let lifetime = state.config.sad_lifetime_secs;
    let Some(pending) = state.handles.get_mut(handle) else {
        return bad_request("Invalid parameter handle");
    };
    if reject {
        let sad = pending.sad.clone();
        state.handles.remove(handle);
        state.sads.remove(&sad);
        return error(
            400,
            "access_denied",
            "The user refused the authorization request",
        );
    }
    if pending.polls_left > 0 {
        pending.polls_left -= 1;
        return (202, json!({ "handle": handle }));
    }
    let sad = pending.sad.clone();
    state.handles.remove(handle);
    (200, json!({ "SAD": sad, "expiresIn": lifetime }))
}

fn sign_one(key: &Key, sign_algo: &str, hash_oid: &str, hash: &[u8]) -> Result<Vec<u8>, Reply> {
    let refuse = || bad_request("Invalid parameter signAlgo");
    match key {
        Key::Rsa(key) => {
            let result = match (sign_algo, hash_oid) {
                (RSA_ENCRYPTION, SHA256) | (SHA256_WITH_RSA, _) => {
                    key.pkcs1v15_sign_prehash::<Sha256>(hash)
                }
                (RSA_ENCRYPTION, SHA384) => key.pkcs1v15_sign_prehash::<Sha384>(hash),
                (RSA_ENCRYPTION, SHA512) => key.pkcs1v15_sign_prehash::<Sha512>(hash),
                (RSASSA_PSS, SHA256) => key.pss_sign_prehash::<Sha256>(hash),
                (RSASSA_PSS, SHA384) => key.pss_sign_prehash::<Sha384>(hash),
                (RSASSA_PSS, SHA512) => key.pss_sign_prehash::<Sha512>(hash),
                _ => return Err(refuse()),
            };
            result.map_err(|_| error(500, "server_error", "signing failed"))
        }
        Key::P256(key) => {
            if !matches!(sign_algo, ECDSA_SHA256 | EC_PUBLIC_KEY) {
                return Err(refuse());
            }
            use signature::hazmat::PrehashSigner;
            let signature: p256::ecdsa::Signature = key
                .sign_prehash(hash)
                .map_err(|_| error(500, "server_error", "signing failed"))?;
            Ok(signature.to_der().as_bytes().to_vec())
        }
    }
}

fn sign_hash(state: &mut State, body: &Value) -> Reply {
    if let Err(reply) = check_credential(state, body) {
        return reply;
    }
    let Some(sad_value) = body["SAD"].as_str() else {
        return bad_request("Missing (or invalid type) string parameter SAD");
    };
    let Some(sign_algo) = body["signAlgo"].as_str().map(str::to_string) else {
        return bad_request("Missing (or invalid type) string parameter signAlgo");
    };
    if !key_algos(state).0.contains(&sign_algo.as_str()) {
        return bad_request("Invalid parameter signAlgo");
    }
    let hash_oid = match (body["hashAlgorithmOID"].as_str(), sign_algo.as_str()) {
        (Some(oid), _) => oid.to_string(),
        (None, SHA256_WITH_RSA | ECDSA_SHA256) => SHA256.to_string(),
        (None, _) => {
            return bad_request("Missing (or invalid type) string parameter hashAlgorithmOID");
        }
    };
    let hashes = match decode_hashes(body, &hash_oid) {
        Ok(h) => h,
        Err(reply) => return reply,
    };
    let mode = body["operationMode"].as_str().unwrap_or("S");
    if !matches!(mode, "S" | "A") {
        return bad_request("Invalid parameter operationMode");
    }
    let now = state.now;
    let credential = state.config.credential_id.clone();
    let Some(sad) = state.sads.get_mut(sad_value) else {
        return bad_request("Invalid parameter SAD");
    };
    if sad.credential != credential {
        return bad_request("Invalid parameter SAD");
    }
    if now >= sad.expires_at {
        state.sads.remove(sad_value);
        return bad_request("SAD expired");
    }
    if hashes.len() as u32 > sad.remaining {
        return bad_request("Invalid parameter SAD");
    }
    // Every hash must be one the SAD was issued for, each usable once.
    let mut authorised = sad.hashes.clone();
    for hash in &hashes {
        match authorised.iter().position(|a| a == hash) {
            Some(i) => {
                authorised.remove(i);
            }
            None => return bad_request("Hash is not authorized by the SAD"),
        }
    }
    sad.hashes = authorised;
    sad.remaining -= hashes.len() as u32;
    if sad.remaining == 0 {
        state.sads.remove(sad_value);
    }
    let mut signatures = Vec::new();
    for hash in &hashes {
        match sign_one(&state.key, &sign_algo, &hash_oid, hash) {
            Ok(s) => signatures.push(Base64::encode_string(&s)),
            Err(reply) => return reply,
        }
    }
    if mode == "S" {
        return (200, json!({ "signatures": signatures }));
    }
    let id = next_id(state, "resp");
    let polls_left = state.config.sign_pending_polls;
    state.responses.insert(
        id.clone(),
        PendingSignature {
            polls_left,
            signatures,
        },
    );
    (200, json!({ "responseID": id }))
}

fn sign_polling(state: &mut State, body: &Value) -> Reply {
    let Some(id) = body["requestID"].as_str() else {
        return bad_request("Missing (or invalid type) string parameter requestID");
    };
    let reject = state.reject;
    let Some(pending) = state.responses.get_mut(id) else {
        return bad_request("Invalid parameter requestID");
    };
    if reject {
        state.responses.remove(id);
        return error(
            400,
            "access_denied",
            "The user rejected the signature request",
        );
    }
    if pending.polls_left > 0 {
        pending.polls_left -= 1;
        return error(
            202,
            "accepted_request",
            "The previous asynchronous signature request has been accepted for processing, but the processing has not yet been completed.",
        );
    }
    let signatures = pending.signatures.clone();
    state.responses.remove(id);
    (200, json!({ "signatures": signatures }))
}

fn push_sign(state: &mut State, body: &Value) -> Reply {
    if body["credential_id"].as_str() != Some(state.config.credential_id.as_str()) {
        return error(404, "not_found", "unknown credential");
    }
    let Some(hash) = body["hash"]
        .as_str()
        .and_then(|h| Base64::decode_vec(h).ok())
    else {
        return error(400, "bad_request", "hash");
    };
    if hash.len() != 32 {
        return error(400, "bad_request", "hash length");
    }
    let signature = match sign_one(&state.key, RSA_ENCRYPTION, SHA256, &hash)
        .or_else(|_| sign_one(&state.key, ECDSA_SHA256, SHA256, &hash))
    {
        Ok(s) => Base64::encode_string(&s),
        Err(reply) => return reply,
    };
    let id = next_id(state, "tx");
    let polls_left = state.config.push_pending_polls;
    state.push.insert(
        id.clone(),
        PushTransaction {
            polls_left,
            signature,
            cancelled: false,
        },
    );
    (200, json!({ "transaction_id": id }))
}

fn push_status(state: &mut State, id: &str) -> Reply {
    let reject = state.reject;
    let Some(tx) = state.push.get_mut(id) else {
        return error(404, "not_found", "unknown transaction");
    };
    if tx.cancelled {
        return (200, json!({ "status": "cancelled" }));
    }
    if reject {
        return (200, json!({ "status": "rejected" }));
    }
    if tx.polls_left > 0 {
        tx.polls_left -= 1;
        return (200, json!({ "status": "pending" }));
    }
    (
        200,
        json!({ "status": "signed", "signature": tx.signature }),
    )
}

fn push_cancel(state: &mut State, id: &str) -> Reply {
    let Some(tx) = state.push.get_mut(id) else {
        return error(404, "not_found", "unknown transaction");
    };
    tx.cancelled = true;
    state.cancelled.push(id.to_string());
    (200, json!({ "status": "cancelled" }))
}
