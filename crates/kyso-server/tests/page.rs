//! The upload page in a real browser: Debian's Chromium, headless, driven by ChromeDriver over
//! the W3C WebDriver protocol (a few JSON requests on loopback, no client library). A valid
//! and a tampered signed PDF are given to the page — one through the file chooser, one as a
//! drop event carrying the file — and the verdicts it shows are checked in Vietnamese and in
//! English.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};

use base64ct::{Base64, Encoding};
use common::*;
use serde_json::{Value, json};

/// The key of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    child: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

impl Driver {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let mut child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian chromium-driver; scripts/test.sh installs it)");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while !line.contains("started successfully") {
            line.clear();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "chromedriver ended before it started"
            );
        }
        let profile = tempfile::tempdir().unwrap();
        let mut driver = Self {
            child,
            port,
            session: String::new(),
            _profile: profile,
        };
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--no-first-run",
                         format!("--user-data-dir={}", driver._profile.path().display())],
            },
        }}});
        let session = driver.call("POST", "/session", &capabilities);
        driver.session = session["sessionId"].as_str().unwrap().to_owned();
        // Finding an element waits for it up to this long: the page's answers are awaited
        // by the protocol, not by sleeping.
        driver.session_call("POST", "/timeouts", &json!({"implicit": 30_000}));
        driver
    }

    fn call(&self, method: &str, path: &str, body: &Value) -> Value {
        let body = body.to_string();
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        // ChromeDriver keeps the connection open: read the head, then Content-Length bytes.
        let mut reader = BufReader::new(stream);
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).unwrap();
        let answer: Value = serde_json::from_slice(&body).unwrap();
        assert!(
            answer["value"].get("error").is_none(),
            "{method} {path}: {answer}"
        );
        answer["value"].clone()
    }

    fn session_call(&self, method: &str, path: &str, body: &Value) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    fn open(&self, url: &str) {
        self.session_call("POST", "/url", &json!({"url": url}));
    }

    /// The first element matching `css`, waiting for it to appear.
    fn find(&self, css: &str) -> String {
        let found = self.session_call(
            "POST",
            "/element",
            &json!({"using": "css selector", "value": css}),
        );
        found[ELEMENT].as_str().unwrap().to_owned()
    }

    fn text(&self, css: &str) -> String {
        let id = self.find(css);
        self.session_call("GET", &format!("/element/{id}/text"), &json!({}))
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Chooses `path` in the page's file chooser.
    fn choose_file(&self, path: &std::path::Path) {
        let id = self.find("#file");
        self.session_call(
            "POST",
            &format!("/element/{id}/value"),
            &json!({"text": path.display().to_string()}),
        );
    }

    /// Drops a file on the drop zone: the drop event a browser sends, carrying it; its type
    /// from its name, as a browser gives it.
    fn drop_file(&self, name: &str, bytes: &[u8]) {
        let script = "const [name, b64] = arguments;\
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));\
            const data = new DataTransfer();\
            const type = name.endsWith('.pdf') ? 'application/pdf' : 'image/png';\
            data.items.add(new File([bytes], name, {type}));\
            const zone = document.getElementById('drop');\
            for (const type of ['dragenter', 'dragover', 'drop']) {\
              zone.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));\
            }";
        self.session_call(
            "POST",
            "/execute/sync",
            &json!({"script": script, "args": [name, Base64::encode_string(bytes)]}),
        );
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.session_call("POST", &format!("/element/{id}/click"), &json!({}));
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.call("DELETE", &format!("/session/{}", self.session), &json!({}))
            }));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tampered(mut pdf: Vec<u8>) -> Vec<u8> {
    // A byte of the signed original changed (inside the first byte range).
    let at = pdf.windows(6).position(|w| w == b"/Pages").unwrap() + 1;
    pdf[at] = b'Q';
    pdf
}

fn page_url(addr: SocketAddr, lang: &str) -> String {
    format!("http://{addr}/?lang={lang}")
}

#[test]
fn the_upload_page_shows_the_verdicts_in_vietnamese_and_english() {
    let service = start("");
    let valid = signed_sample();
    let dir = tempfile::tempdir().unwrap();
    let valid_path = dir.path().join("van-ban-da-ky.pdf");
    std::fs::write(&valid_path, &valid).unwrap();
    let driver = Driver::start();

    // Vietnamese, the default: the valid file through the chooser, the tampered one dropped.
    driver.open(&format!("http://{}/", service.addr));
    driver.choose_file(&valid_path);
    assert_eq!(
        driver.text("#overall[data-verdict]"),
        "Kết quả chung: HỢP LỆ"
    );
    let shown = driver.text("#signatures");
    for expected in [
        "Chữ ký 1 (Signature1): HỢP LỆ",
        "Người ký\nNguyễn Văn An",
        "Ủy ban nhân dân phường Ví Dụ (DEMO)",
        "chuỗi tới một gốc tin cậy",
        "Thời gian ký",
        "(GMT+7)",
        "PAdES B-B",
        "Chữ ký bao phủ toàn bộ văn bản",
    ] {
        assert!(shown.contains(expected), "{expected:?} not in {shown:?}");
    }
    assert_eq!(driver.text("#file-name"), "van-ban-da-ky.pdf");

    driver.open(&page_url(service.addr, "vi"));
    driver.drop_file("sua-doi.pdf", &tampered(valid.clone()));
    assert_eq!(
        driver.text("#overall[data-verdict]"),
        "Kết quả chung: KHÔNG HỢP LỆ"
    );
    assert!(driver.text("#signatures").contains("DIGEST_MISMATCH"));

    // The language buttons turn the result shown into English.
    driver.click("nav button[data-lang='en']");
    assert_eq!(driver.text("h1"), "Check the digital signatures of a PDF");
    assert_eq!(driver.text("#overall[data-verdict]"), "Overall: INVALID");

    // English from the address: the same two files the other way round.
    driver.open(&page_url(service.addr, "en"));
    driver.drop_file("signed.pdf", &valid);
    assert_eq!(driver.text("#overall[data-verdict]"), "Overall: VALID");
    let shown = driver.text("#signatures");
    for expected in [
        "Signature 1 (Signature1): VALID",
        "Signer\nNguyễn Văn An",
        "chains to a trusted root",
        "Level\nPAdES B-B",
    ] {
        assert!(shown.contains(expected), "{expected:?} not in {shown:?}");
    }
    let tampered_path = dir.path().join("tampered.pdf");
    std::fs::write(&tampered_path, tampered(valid)).unwrap();
    driver.open(&page_url(service.addr, "en"));
    driver.choose_file(&tampered_path);
    assert_eq!(driver.text("#overall[data-verdict]"), "Overall: INVALID");

    // Not a PDF: said in the page's language, nothing posted.
    driver.open(&page_url(service.addr, "vi"));
    driver.drop_file("anh.png", b"\x89PNG");
    assert!(
        driver
            .text("#status.error")
            .contains("Hãy chọn một tệp PDF")
    );
}

#[test]
fn the_page_loads_nothing_from_elsewhere_and_says_so_to_the_browser() {
    let service = start("");
    for path in ["/", "/assets/page.js", "/assets/page.css"] {
        let mut stream = TcpStream::connect(service.addr).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: kyso\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200"), "{path}: {head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-security-policy: default-src 'none'; script-src 'self'"),
            "{path}: {head}"
        );
        assert!(!body.contains("://"), "{path} names another origin");
    }
    let off = start("upload_page = false\n");
    let (status, _) = request(off.addr, "GET", "/", "text/plain", b"");
    assert_eq!(status, 404);
}
