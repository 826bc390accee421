//! The remote-signing HTTP client over real TLS: a one-method CSC server (`info`) behind rustls
//! on `127.0.0.1`, with a server certificate for `IP:127.0.0.1` issued by a root made here with
//! the `openssl` command. The client connects only when that root is configured
//! (`HttpConfig::with_root_certificates`); with Mozilla's roots, or another root, the handshake
//! fails with a transport error.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use kyso_testkit::TestPki;
use kyso_token::Error;
use kyso_token::remote::{CscClient, HttpClient, HttpConfig, RemoteError};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run openssl");
    assert!(status.success(), "openssl {args:?}");
}

/// Makes a root and a server certificate for 127.0.0.1 in `dir`; returns (root PEM, server
/// certificate DER, server key PKCS#8 DER).
fn make_tls_pki(dir: &Path) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let mut root = vec!["req", "-x509"];
    root.extend(ec);
    root.extend([
        "-keyout",
        "root.key",
        "-out",
        "root.pem",
        "-days",
        "2",
        "-subj",
        "/C=VN/O=kyso tests/CN=kyso TLS test root",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(dir, &root);
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    openssl(dir, &csr);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-outform",
            "DER",
            "-out",
            "server.der",
        ],
    );
    openssl(
        dir,
        &[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            "server.key",
            "-outform",
            "DER",
            "-out",
            "server.key.der",
        ],
    );
    (
        std::fs::read(dir.join("root.pem")).unwrap(),
        std::fs::read(dir.join("server.der")).unwrap(),
        std::fs::read(dir.join("server.key.der")).unwrap(),
    )
}

/// Serves `info` over TLS on 127.0.0.1 until the process ends; returns the base URL.
fn serve(cert: Vec<u8>, key: Vec<u8>) -> String {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert)],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
        )
        .expect("server certificate");
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let config = Arc::clone(&config);
            std::thread::spawn(move || {
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
                let Ok(connection) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut reader = BufReader::new(rustls::StreamOwned::new(connection, tcp));
                // Request line and headers, then the body (Content-Length).
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => return, // handshake refused by the client
                        Ok(_) => {}
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let reply = r#"{"specs":"2.0.0.2","name":"kyso TLS test RSSP","region":"VN","methods":["info"]}"#;
                let mut stream = reader.into_inner();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                    reply.len()
                );
                stream.conn.send_close_notify();
                let _ = stream.flush();
            });
        }
    });
    format!("https://127.0.0.1:{port}/csc/v2")
}

fn info(config: &HttpConfig, base_url: &str) -> Result<String, Error> {
    let client = CscClient::without_token(HttpClient::new(config), base_url)?;
    Ok(client.info()?.name.unwrap_or_default())
}

#[test]
fn https_with_a_custom_root_and_nothing_else() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (root, cert, key) = make_tls_pki(dir.path());
    let base_url = serve(cert, key);
    let timeout = Duration::from_secs(10);

    // The service's own root: connects.
    let trusting = HttpConfig::new()
        .with_timeout(timeout)
        .with_root_certificates(&root)
        .expect("root");
    assert_eq!(
        info(&trusting, &base_url).expect("info over TLS"),
        "kyso TLS test RSSP"
    );

    // Mozilla's roots (the default) do not know it.
    let err = info(&HttpConfig::new().with_timeout(timeout), &base_url).unwrap_err();
    assert!(
        matches!(err, Error::Remote(RemoteError::Transport { .. })),
        "{err}"
    );

    // Nor does another root (the test PKI's, which signs documents, not TLS servers).
    let other = std::fs::read(TestPki::get().root_pem()).unwrap();
    let wrong = HttpConfig::new()
        .with_timeout(timeout)
        .with_root_certificates(&other)
        .expect("root");
    let err = info(&wrong, &base_url).unwrap_err();
    assert!(
        matches!(err, Error::Remote(RemoteError::Transport { .. })),
        "{err}"
    );
    // The TLS failure is in the source chain for the caller to log.
    assert!(std::error::Error::source(&err).is_some());
}
