//! `kyso serve` as a process: it says where it listens, answers on loopback with the same
//! verdict as `kyso verify`, and ends with exit 0 on SIGTERM after finishing what it holds.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

fn http(addr: &str, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect to kyso serve");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: kyso\r\nConnection: close\r\nContent-Type: application/pdf\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(body).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response
        .split_once("\r\n\r\n")
        .expect("a complete response");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap();
    (status, body.to_owned())
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
    let mut child = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["serve", "--config"])
        .arg(&config)
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
