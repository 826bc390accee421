//! `kyso serve` as a process: it says where it listens, answers on loopback with the same
//! verdict as `kyso verify`, finishes on one replica a signature another prepared (the two
//! share only the sealing key and a replay folder), and ends with exit 0 on SIGTERM after
//! finishing what it holds.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use base64ct::{Base64, Encoding};

fn http(addr: &str, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    http_as(addr, method, path, "application/pdf", body)
}

fn http_as(addr: &str, method: &str, path: &str, content_type: &str, body: &[u8]) -> (u16, String) {
    let (status, body) = http_bytes(addr, method, path, content_type, body);
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn http_bytes(
    addr: &str,
    method: &str,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).expect("connect to kyso serve");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: kyso\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(body).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response");
    let status = String::from_utf8_lossy(&response[..split])
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap();
    (status, response[split + 4..].to_vec())
}

/// `kyso serve --config CONFIG` and the address it says it listens on.
fn serve(config: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["serve", "--config"])
        .arg(config)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, addr)
}

#[test]
fn serve_answers_verify_like_kyso_verify_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let made = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["demo", "--dir"])
        .arg(&demo)
        .output()
        .unwrap();
    assert!(made.status.success());
    std::fs::write(dir.path().join("state.key"), [1u8; 32]).unwrap();
    let config = dir.path().join("kyso.toml");
    std::fs::write(
        &config,
        "listen = \"127.0.0.1:0\"\ntrust = [\"demo/demo-root.pem\"]\nstate_key_file = \"state.key\"\n",
    )
    .unwrap();
    let (mut child, addr) = serve(&config);

    assert_eq!(http(&addr, "GET", "/healthz", b""), (200, "ok\n".into()));
    let signed = std::fs::read(demo.join("sample-signed.pdf")).unwrap();
    let (status, report) = http(&addr, "POST", "/v1/verify", &signed);
    assert_eq!(status, 200, "{report}");
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    let cli = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["verify", "--json", "--trust"])
        .arg(demo.join("demo-root.pem"))
        .arg(demo.join("sample-signed.pdf"))
        .output()
        .unwrap();
    let cli: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(report["verdict"], "VALID");
    assert_eq!(report, cli);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "kyso serve after SIGTERM: {status}");
    assert!(
        TcpStream::connect(&addr).is_err(),
        "still listening after SIGTERM"
    );
}

#[test]
fn serve_with_a_short_state_key_exits_4_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("state.key"), b"0123").unwrap();
    std::fs::write(
        dir.path().join("root.pem"),
        include_bytes!("../demo/root.pem"),
    )
    .unwrap();
    let config = dir.path().join("kyso.toml");
    std::fs::write(
        &config,
        "listen = \"127.0.0.1:0\"\ntrust = [\"root.pem\"]\nstate_key_file = \"state.key\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["serve", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("state.key") && err.contains("exactly 32"),
        "{err}"
    );
}

#[test]
fn a_signature_prepared_on_one_replica_is_finished_on_another_and_only_once() {
    let pki = kyso_testkit::TestPki::get();
    let dir = tempfile::tempdir().unwrap();
    // What the replicas share: the sealing key and a replay folder (a shared volume).
    std::fs::write(dir.path().join("state.key"), [9u8; 32]).unwrap();
    let config = dir.path().join("kyso.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ntrust = [{:?}]\nstate_key_file = \"state.key\"\nreplay_dir = \"replay\"\n",
            pki.root_pem().display().to_string()
        ),
    )
    .unwrap();
    let (mut a, addr_a) = serve(&config);
    let (mut b, addr_b) = serve(&config);
    assert_ne!(addr_a, addr_b);

    let leaf = pki.leaf(kyso_testkit::LeafKind::Rsa2048);
    let mut chain = std::fs::read(&leaf.cert_pem).unwrap();
    chain.extend(std::fs::read(&leaf.chain_pem).unwrap());
    let sample = include_bytes!("../demo/sample.pdf");
    let mut form = Vec::new();
    for (name, bytes) in [("pdf", &sample[..]), ("chain", &chain)] {
        form.extend_from_slice(
            format!("--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
        );
        form.extend_from_slice(bytes);
        form.extend_from_slice(b"\r\n");
    }
    form.extend_from_slice(b"--XyZ--\r\n");
    let (status, prepared) = http_as(
        &addr_a,
        "POST",
        "/v1/sign/prepare",
        "multipart/form-data; boundary=XyZ",
        &form,
    );
    assert_eq!(status, 200, "{prepared}");
    let prepared: serde_json::Value = serde_json::from_str(&prepared).unwrap();

    // The key signs the hash elsewhere (OpenSSL standing in for the citizen's token).
    let digest = Base64::decode_vec(prepared["digest"].as_str().unwrap()).unwrap();
    let digest_file = dir.path().join("digest.bin");
    std::fs::write(&digest_file, digest).unwrap();
    let signed = Command::new("openssl")
        .args(["pkeyutl", "-sign", "-pkeyopt", "digest:sha256", "-inkey"])
        .arg(&leaf.key_pem)
        .arg("-in")
        .arg(&digest_file)
        .output()
        .unwrap();
    assert!(signed.status.success());
    let finish = serde_json::json!({
        "state": prepared["state"],
        "signature": Base64::encode_string(&signed.stdout),
    })
    .to_string();

    let (status, pdf) = http_bytes(
        &addr_b,
        "POST",
        "/v1/sign/finish",
        "application/json",
        finish.as_bytes(),
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
    let out = dir.path().join("signed.pdf");
    std::fs::write(&out, &pdf).unwrap();
    let verified = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["verify", "--json", "--trust"])
        .arg(pki.root_pem())
        .arg(&out)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(report["verdict"], "VALID", "{report}");

    // The same state again, on the replica that prepared it: a replay, refused.
    let (status, body) = http_as(
        &addr_a,
        "POST",
        "/v1/sign/finish",
        "application/json",
        finish.as_bytes(),
    );
    assert_eq!(status, 409, "{body}");

    for child in [&mut a, &mut b] {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
