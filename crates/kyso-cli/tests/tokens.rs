//! `kyso tokens` and `kyso sign --module` against SoftHSM2.
//!
//! The test makes its own SoftHSM2 token directory (a temporary configuration that
//! `SOFTHSM2_CONF` names in the environment of the commands it runs — this process never loads
//! the module), initialises the token "Token Ký Số" with `softhsm2-util`, and imports with
//! `pkcs11-tool` the test PKI's RSA-2048 and P-256 keys with their certificates and the
//! intermediate CA certificate. `scripts/test.sh` installs softhsm2 and opensc.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use kyso_testkit::{LeafKind, TestPki, corpus, validators};

const TOKEN: &str = "Token Ký Số";
const PIN: &str = "1234";
const RSA_LABEL: &str = "Trần Thị Bình";
const EC_LABEL: &str = "Lê Văn Cường";

struct Hsm {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    conf: PathBuf,
    module: PathBuf,
}

fn module_path() -> PathBuf {
    [
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/local/lib/softhsm/libsofthsm2.so",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
    .expect("SoftHSM2 is not installed: run scripts/test.sh (installs softhsm2 and opensc)")
}

fn run_tool(program: &str, args: &[&str], conf: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .env("SOFTHSM2_CONF", conf)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}): run scripts/test.sh"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{program} {args:?}:\n{text}");
    text
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn hsm() -> &'static Hsm {
    static HSM: OnceLock<Hsm> = OnceLock::new();
    HSM.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        std::fs::create_dir_all(dir.join("tokens")).unwrap();
        let conf = dir.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                dir.join("tokens").display()
            ),
        )
        .unwrap();
        let module = module_path();
        run_tool(
            "softhsm2-util",
            &[
                "--init-token",
                "--free",
                "--label",
                TOKEN,
                "--pin",
                PIN,
                "--so-pin",
                "5678",
            ],
            &conf,
        );
        let pki = TestPki::get();
        let write = |file: &Path, kind: &str, id: &str, label: &str| {
            run_tool(
                "pkcs11-tool",
                &[
                    "--module",
                    s(&module),
                    "--token-label",
                    TOKEN,
                    "--login",
                    "--pin",
                    PIN,
                    "--write-object",
                    s(file),
                    "--type",
                    kind,
                    "--id",
                    id,
                    "--label",
                    label,
                ],
                &conf,
            );
        };
        for (kind, id, label) in [
            (LeafKind::Rsa2048, "01", RSA_LABEL),
            (LeafKind::P256, "02", EC_LABEL),
        ] {
            let leaf = pki.leaf(kind);
            let key = dir.join(format!("{id}.key.der"));
            let public = dir.join(format!("{id}.pub.der"));
            let cert = dir.join(format!("{id}.cert.der"));
            let pem = s(&leaf.key_pem);
            run_tool(
                "openssl",
                &[
                    "pkcs8",
                    "-topk8",
                    "-nocrypt",
                    "-in",
                    pem,
                    "-outform",
                    "DER",
                    "-out",
                    s(&key),
                ],
                &conf,
            );
            run_tool(
                "openssl",
                &[
                    "pkey",
                    "-in",
                    pem,
                    "-pubout",
                    "-outform",
                    "DER",
                    "-out",
                    s(&public),
                ],
                &conf,
            );
            run_tool(
                "openssl",
                &[
                    "x509",
                    "-in",
                    s(&leaf.cert_pem),
                    "-outform",
                    "DER",
                    "-out",
                    s(&cert),
                ],
                &conf,
            );
            write(&key, "privkey", id, label);
            write(&public, "pubkey", id, label);
            write(&cert, "cert", id, label);
        }
        let ca = dir.join("ca.der");
        run_tool(
            "openssl",
            &[
                "x509",
                "-in",
                s(pki.intermediate_pem()),
                "-outform",
                "DER",
                "-out",
                s(&ca),
            ],
            &conf,
        );
        write(&ca, "cert", "c1", "Kyso Test Intermediate CA");
        Hsm {
            _dir: tmp,
            dir,
            conf,
            module,
        }
    })
}

/// Runs `kyso` with SoftHSM2's configuration and `KYSO_TEST_PIN` set to `pin`.
fn kyso(args: &[&str], pin: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(args)
        .env("SOFTHSM2_CONF", &hsm().conf)
        .env("KYSO_TEST_PIN", pin)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run kyso")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn tokens_lists_certificates_readably_and_as_json() {
    let module = s(&hsm().module);
    let out = kyso(&["tokens", "--module", module], PIN);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    for needle in [
        "Token \"Token Ký Số\"",
        "\"Trần Thị Bình\"",
        "CCCD:     001234567890",
        "CCCD:     079123456789",
        "Issuer:   CN=Kyso Test Intermediate CA",
        "(valid now)",
        "\"Kyso Test Intermediate CA\"",
        "add --login",
    ] {
        assert!(
            listing.contains(needle),
            "'{needle}' missing from:\n{listing}"
        );
    }

    let out = kyso(
        &[
            "tokens",
            "--module",
            module,
            "--token",
            TOKEN,
            "--pin-env",
            "KYSO_TEST_PIN",
            "--json",
        ],
        PIN,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let tokens = report["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1);
    let token = &tokens[0];
    assert_eq!(token["label"], TOKEN);
    assert_eq!(token["logged_in"], true);
    let keys = token["private_keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "{keys:#?}");
    let rsa = keys.iter().find(|k| k["label"] == RSA_LABEL).unwrap();
    assert_eq!(rsa["id"], "01");
    assert_eq!(rsa["type"], "RSA-2048");
    assert_eq!(rsa["certificate_label"], RSA_LABEL);
    let certs = token["certificates"].as_array().unwrap();
    let cert = certs.iter().find(|c| c["id"] == "01").unwrap();
    assert_eq!(cert["citizen_id"], "001234567890");
    assert_eq!(cert["common_name"], RSA_LABEL);
    assert_eq!(cert["valid_now"], true);
    assert_eq!(cert["private_key_id"], "01");

    let out = kyso(&["tokens", "--module", "/nonexistent/libtoken.so"], PIN);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr).contains("not found"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn sign_with_a_token_key_is_accepted_by_pyhanko() {
    let hsm = hsm();
    let input = corpus::classic();
    let by_label = hsm.dir.join("signed-by-label.pdf");
    let by_subject = hsm.dir.join("signed-by-subject.pdf");
    let pin_file = hsm.dir.join("pin.txt");
    std::fs::write(&pin_file, format!("{PIN}\n")).unwrap();

    let out = kyso(
        &[
            "sign",
            s(&input.path),
            "-o",
            s(&by_label),
            "--module",
            s(&hsm.module),
            "--token",
            TOKEN,
            "--key-label",
            RSA_LABEL,
            "--pin-env",
            "KYSO_TEST_PIN",
            "--reason",
            "Phê duyệt",
        ],
        PIN,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("CKM_SHA256_RSA_PKCS"),
        "{}",
        text(&out.stderr)
    );

    let out = kyso(
        &[
            "sign",
            s(&input.path),
            "-o",
            s(&by_subject),
            "--module",
            s(&hsm.module),
            "--cert-subject",
            "CCCD:079123456789",
            "--pin-file",
            s(&pin_file),
        ],
        "unused",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Only the root is trusted: the intermediate comes from the token.
    let opts = validators::PyhankoOptions {
        trust_roots: vec![TestPki::get().root_pem().to_path_buf()],
        ..Default::default()
    };
    for result in validators::pyhanko_validate_batch(&[&by_label, &by_subject], &opts) {
        let sigs = result.expect("pyHanko reads the file");
        assert_eq!(sigs.len(), 1);
        assert!(
            sigs[0].is_fully_valid(),
            "{}\n{}",
            sigs[0].summary,
            sigs[0].details
        );
    }
}

#[test]
fn sign_with_a_token_reports_clear_errors() {
    let hsm = hsm();
    let input = corpus::classic();
    let output = hsm.dir.join("never-written.pdf");
    let module = s(&hsm.module);
    let cases: [(&[&str], &str, &str, i32); 5] = [
        (
            &["--key-label", RSA_LABEL, "--pin-env", "KYSO_TEST_PIN"],
            "0000",
            "wrong PIN",
            4,
        ),
        (
            &["--key-label", "Không có", "--pin-env", "KYSO_TEST_PIN"],
            PIN,
            "no private key",
            4,
        ),
        (&["--pin-env", "KYSO_TEST_PIN"], PIN, "2 keys match", 4),
        (&["--key-label", RSA_LABEL], PIN, "--pin-env", 4),
        (
            &[
                "--key-label",
                RSA_LABEL,
                "--key",
                "k.pem",
                "--cert",
                "c.pem",
            ],
            PIN,
            "cannot be used",
            2,
        ),
    ];
    for (extra, pin, needle, code) in cases {
        let mut args = vec!["sign", s(&input.path), "-o", s(&output), "--module", module];
        args.extend_from_slice(extra);
        let out = kyso(&args, pin);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{extra:?}: {err}");
        assert!(
            err.contains(needle),
            "{extra:?}: expected '{needle}' in {err}"
        );
        assert!(!output.exists(), "{extra:?} left an output");
    }
    // Token options without --module.
    let out = kyso(
        &[
            "sign",
            s(&input.path),
            "-o",
            s(&output),
            "--p12",
            "x.p12",
            "--key-id",
            "01",
        ],
        PIN,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--module"));
}
