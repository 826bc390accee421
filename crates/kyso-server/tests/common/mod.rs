//! What the service's integration tests share: the demo identity, a service on loopback,
//! one HTTP/1.1 request at a time.

#![allow(dead_code)] // each test binary uses its own part of this

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};

use kyso_pdf::{PdfSigner, SignOptions};
use kyso_server::{Config, Server};
use serde_json::Value;

pub fn demo(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../kyso-cli/demo")
        .join(file)
}

/// The bundled sample signed with the demo identity.
pub fn signed_sample() -> Vec<u8> {
    let signer =
        kyso_token::SoftwareSigner::from_pkcs12_file(demo("signer.p12"), "kyso-demo").unwrap();
    let sample = std::fs::read(demo("sample.pdf")).unwrap();
    PdfSigner::new(SignOptions::default())
        .sign_bytes(&sample, &signer)
        .unwrap()
}

pub struct Running {
    pub addr: SocketAddr,
    _dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

/// A config over the demo root (unless `extra` names its own `trust`) with a fresh state key,
/// `extra` TOML appended.
pub fn config(dir: &Path, extra: &str) -> Config {
    let trust = if extra.lines().any(|l| l.starts_with("trust =")) {
        ""
    } else {
        "trust = [\"root.pem\"]\n"
    };
    std::fs::write(dir.join("state.key"), [7u8; 32]).unwrap();
    std::fs::copy(demo("root.pem"), dir.join("root.pem")).unwrap();
    let path = dir.join("kyso.toml");
    std::fs::write(
        &path,
        format!("listen = \"127.0.0.1:0\"\n{trust}state_key_file = \"state.key\"\n{extra}"),
    )
    .unwrap();
    Config::from_file(&path).unwrap()
}

pub fn start(extra: &str) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), extra);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(Server::bind(&config)).unwrap();
    let addr = server.local_addr().unwrap();
    runtime.spawn(server.serve(std::future::pending()));
    Running {
        addr,
        _dir: dir,
        _runtime: runtime,
    }
}

/// One HTTP/1.1 request (Connection: close); the status and the body.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, Vec<u8>) {
    let (status, body, _) = request_with(addr, method, path, "", content_type, body);
    (status, body)
}

/// One HTTP/1.1 request with `headers` (each line ending in CRLF) added; the status, the
/// body and the response head.
pub fn request_with(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, Vec<u8>, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: kyso\r\nConnection: close\r\n{headers}Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    // A server that answers before reading all of a large body may close early.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete HTTP response");
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    (status, response[split + 4..].to_vec(), head)
}

pub fn json(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

pub fn post_pdf(addr: SocketAddr, path: &str, pdf: &[u8]) -> (u16, Value) {
    let (status, body) = request(addr, "POST", path, "application/pdf", pdf);
    (status, json(&body))
}

/// A multipart form of named parts.
pub fn form(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, bytes) in parts {
        body.extend_from_slice(
            format!("--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--XyZ--\r\n");
    body
}
