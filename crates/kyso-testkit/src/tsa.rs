//! A real time-stamping authority for tests: `openssl ts -reply` with the test PKI's TSA
//! certificate (critical `timeStamping` usage), called directly ([`reply`]) or behind a small
//! HTTP server on loopback ([`TsaServer`], Python's `http.server`), as a TSA is reached.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use crate::{LeafKind, TestPki};

/// The policy OID the test TSA writes into its tokens.
pub const POLICY: &str = "1.2.3.4.1";

/// Writes an `openssl ts` configuration for the test TSA into `dir`: SHA-256 signatures over
/// the tokens, accuracy 1.5001 s, milliseconds in genTime, the TSA's name in the token, the
/// imprint `digests` it accepts (e.g. "sha256, sha384, sha512").
pub fn write_config(dir: &Path, digests: &str) -> PathBuf {
    let serial = dir.join("tsa-serial");
    std::fs::write(&serial, "01\n").expect("write the TSA serial file");
    let config = dir.join("tsa.cnf");
    std::fs::write(
        &config,
        format!(
            "[tsa]\ndefault_tsa = tsa_config1\n[tsa_config1]\nserial = {}\n\
             crypto_device = builtin\nsigner_digest = sha256\ndefault_policy = {POLICY}\n\
             digests = {digests}\naccuracy = secs:1, millisecs:500, microsecs:100\n\
             clock_precision_digits = 3\nordering = no\ntsa_name = yes\n\
             ess_cert_id_chain = no\ness_cert_id_alg = sha256\n",
            serial.display()
        ),
    )
    .expect("write the TSA configuration");
    config
}

/// OpenSSL's DER `TimeStampResp` to the DER `request`, from a TSA accepting `digests`.
pub fn reply(request: &[u8], digests: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let tsa = TestPki::get().leaf(LeafKind::Tsa);
    let (req, resp) = (dir.path().join("req.tsq"), dir.path().join("resp.tsr"));
    std::fs::write(&req, request).expect("write the request");
    let config = write_config(dir.path(), digests);
    let out = Command::new("openssl")
        .args(["ts", "-reply", "-config"])
        .arg(&config)
        .arg("-queryfile")
        .arg(&req)
        .arg("-signer")
        .arg(&tsa.cert_pem)
        .arg("-inkey")
        .arg(&tsa.key_pem)
        .arg("-chain")
        .arg(&tsa.chain_pem)
        .arg("-out")
        .arg(&resp)
        .output()
        .expect("openssl not installed: run scripts/test.sh");
    assert!(
        out.status.success(),
        "openssl ts -reply: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(&resp).expect("the response")
}

/// The TSA behind HTTP on 127.0.0.1, until dropped.
pub struct TsaServer {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl TsaServer {
    /// Starts the server; `basic_auth` ("user:password") makes it require that.
    pub fn start(basic_auth: Option<&str>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let tsa = TestPki::get().leaf(LeafKind::Tsa);
        let config = write_config(dir.path(), "sha256, sha384, sha512");
        let mut args: Vec<&std::ffi::OsStr> = vec![
            config.as_os_str(),
            tsa.cert_pem.as_os_str(),
            tsa.key_pem.as_os_str(),
            tsa.chain_pem.as_os_str(),
        ];
        if let Some(auth) = basic_auth {
            args.push(auth.as_ref());
        }
        let (child, port) = crate::tools::spawn_python_server(
            dir.path(),
            "tsa_server.py",
            include_str!("../py/tsa_server.py"),
            &args,
        );
        TsaServer {
            child,
            url: format!("http://127.0.0.1:{port}/tsa"),
            _dir: dir,
        }
    }

    /// The URL to POST `application/timestamp-query` to.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TsaServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
