//! `kyso sign-batch --csc` against the CSC API v2 test server (the one kyso-token's tests use,
//! a real HTTP server on loopback): one authorisation for the whole batch, every output VALID,
//! the access token and PIN never printed, a wrong PIN failing every file with exit 4.

#[path = "../../kyso-token/tests/csc_server/mod.rs"]
mod csc_server;

use std::path::Path;
use std::process::{Command, Output};

use csc_server::{Config, TestCsc};
use kyso_testkit::{TestPki, corpus};

const TOKEN_VAR: &str = "KYSO_TEST_CSC_TOKEN";
const PIN_VAR: &str = "KYSO_TEST_CSC_PIN";

fn sign_batch(server: &TestCsc, inputs: &[&Path], out_dir: &Path, pin: &str) -> Output {
    let config = Config::default();
    Command::new(env!("CARGO_BIN_EXE_kyso"))
        .arg("sign-batch")
        .args(inputs)
        .arg("-o")
        .arg(out_dir)
        .args([
            "--csc",
            &server.base_url,
            "--credential",
            &config.credential_id,
        ])
        .args(["--access-token-env", TOKEN_VAR, "--csc-pin-env", PIN_VAR])
        .args(["--csc-allow-loopback-http", "--json"])
        .env(TOKEN_VAR, &config.token)
        .env(PIN_VAR, pin)
        .output()
        .expect("run kyso")
}

#[test]
fn sign_batch_over_csc_authorises_once_and_every_output_verifies() {
    let server = TestCsc::start(Config::default());
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = [
        corpus::classic().path,
        corpus::xref_stream().path,
        corpus::incremental().path,
    ];
    let inputs: Vec<&Path> = inputs.iter().map(|p| p.as_path()).collect();
    let out_dir = dir.path().join("signed");
    let out = sign_batch(&server, &inputs, &out_dir, "123456");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let config = Config::default();
    let printed = format!("{stderr}{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        !printed.contains(&config.token),
        "the access token was printed"
    );
    assert!(!printed.contains("123456"), "the PIN was printed");

    // One credentials/authorize for the three documents, bound to their three hashes, and
    // one signatures/signHash.
    let authorize = server.calls("/csc/v2/credentials/authorize");
    assert_eq!(authorize.len(), 1, "{authorize:?}");
    assert_eq!(authorize[0].body["numSignatures"], 3);
    assert_eq!(server.calls("/csc/v2/signatures/signHash").len(), 1);

    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON summary");
    assert_eq!(json["signed"], 3, "{json}");
    let root = TestPki::get().root_pem();
    for input in &inputs {
        let signed = out_dir.join(input.file_name().expect("name"));
        let verify = Command::new(env!("CARGO_BIN_EXE_kyso"))
            .args(["verify", "--json", "--trust"])
            .arg(root)
            .arg(&signed)
            .output()
            .expect("run kyso verify");
        assert_eq!(verify.status.code(), Some(0), "{}", signed.display());
    }
}

#[test]
fn a_wrong_pin_fails_the_batch_with_exit_4_and_writes_nothing() {
    let server = TestCsc::start(Config::default());
    let dir = tempfile::tempdir().expect("temp dir");
    let input = corpus::classic().path;
    let out_dir = dir.path().join("signed");
    let out = sign_batch(&server, &[input.as_path()], &out_dir, "000000");
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("000000"), "the PIN was printed: {stderr}");
    // The service was asked, and said no.
    assert_eq!(server.calls("/csc/v2/credentials/authorize").len(), 1);
    assert!(server.calls("/csc/v2/signatures/signHash").is_empty());
    assert!(stderr.contains("authenticat"), "{stderr}");
    let written = std::fs::read_dir(&out_dir)
        .map(|entries| entries.count())
        .unwrap_or(0);
    assert_eq!(written, 0, "a file was written");
}
