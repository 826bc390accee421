//! The `kyso` binary end to end: what users type, what they get back, and that bad input
//! fails with a clear error, a non-zero exit code, no output file and the input untouched.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kyso_testkit::{LeafKind, TestPki, corpus, validators};

fn kyso(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(args)
        .env_remove("KYSO_PASSWORD")
        .output()
        .expect("run kyso")
}

fn kyso_with_env(args: &[&str], var: &str, value: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(args)
        .env(var, value)
        .output()
        .expect("run kyso")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts a failed run: non-zero exit, `needle` in the message, no output, input intact.
fn assert_fails(out: &Output, needle: &str, output: &Path, input: &Path, input_before: &[u8]) {
    assert!(
        !out.status.success(),
        "kyso succeeded; stderr: {}",
        stderr(out)
    );
    let err = stderr(out);
    assert!(
        err.to_lowercase().contains(&needle.to_lowercase()),
        "expected '{needle}' in: {err}"
    );
    assert!(!output.exists(), "an output file was left behind");
    assert_eq!(
        std::fs::read(input).expect("input"),
        input_before,
        "input modified"
    );
    let leftovers: Vec<_> = std::fs::read_dir(output.parent().expect("dir"))
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".kyso-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

struct Work {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn work() -> Work {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_path_buf();
    Work { _dir: dir, path }
}

fn copy_in(work: &Work, from: &Path, name: &str) -> PathBuf {
    let to = work.path.join(name);
    std::fs::copy(from, &to).expect("copy");
    to
}

#[test]
fn demo_signs_the_sample_and_pyhanko_trusts_it_with_the_demo_root() {
    let w = work();
    let dir = w.path.join("demo");
    let out = kyso(&["demo", "--dir", s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("sample-signed.pdf"), "{stdout}");
    let signed = dir.join("sample-signed.pdf");
    assert!(validators::qpdf_check(&signed).ok);
    let sigs = validators::pyhanko_validate(&signed, dir.join("demo-root.pem"));
    assert_eq!(sigs.len(), 1);
    assert!(sigs[0].is_fully_valid(), "{}", sigs[0].details);
    assert_eq!(sigs[0].signer_common_name.as_deref(), Some("Nguyễn Văn An"));
}

#[test]
fn signs_with_p12_password_from_env_and_file() {
    let w = work();
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let input = copy_in(&w, &corpus::classic().path, "in.pdf");
    let out_env = w.path.join("env.pdf");
    let o = kyso_with_env(
        &[
            "sign",
            s(&input),
            "-o",
            s(&out_env),
            "--p12",
            s(&leaf.p12_legacy),
            "--password-env",
            "P12_PASS",
        ],
        "P12_PASS",
        leaf.p12_password,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let pass_file = w.path.join("pass.txt");
    std::fs::write(&pass_file, format!("{}\n", leaf.p12_password)).expect("write");
    let out_file = w.path.join("file.pdf");
    let o = kyso(&[
        "sign",
        s(&input),
        "-o",
        s(&out_file),
        "--p12",
        s(&leaf.p12_modern),
        "--password-file",
        s(&pass_file),
        "--reason",
        "Đồng ý",
        "--location",
        "Đà Nẵng",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for out in [out_env, out_file] {
        let sigs = validators::pyhanko_validate(&out, TestPki::get().root_pem());
        assert!(sigs[0].is_fully_valid(), "{}", sigs[0].details);
    }
}

#[test]
fn signs_with_pem_key_cert_and_chain() {
    let w = work();
    let input = copy_in(&w, &corpus::xref_stream().path, "in.pdf");
    let out = w.path.join("out.pdf");
    sign_with_leaf(LeafKind::P256, &input, &out);
    let sigs = validators::pdfsig_verify(&out, TestPki::get().nss_db());
    assert!(
        sigs[0].signature_valid && sigs[0].certificate_trusted,
        "{}",
        sigs[0].raw
    );
}

#[test]
fn rejects_a_file_that_is_not_a_pdf() {
    let w = work();
    let input = w.path.join("letter.pdf");
    std::fs::write(&input, b"Kinh gui: this is plain text, not a PDF\n").expect("write");
    let before = std::fs::read(&input).expect("read");
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let out = w.path.join("out.pdf");
    let o = kyso(&[
        "sign",
        s(&input),
        "-o",
        s(&out),
        "--key",
        s(&leaf.key_pem),
        "--cert",
        s(&leaf.cert_pem),
    ]);
    assert_fails(&o, "not a PDF", &out, &input, &before);
}

#[test]
fn rejects_a_truncated_pdf() {
    let w = work();
    let bytes = corpus::classic().bytes();
    let input = w.path.join("cut.pdf");
    std::fs::write(&input, &bytes[..bytes.len() * 2 / 3]).expect("write");
    let before = std::fs::read(&input).expect("read");
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let out = w.path.join("out.pdf");
    let o = kyso(&[
        "sign",
        s(&input),
        "-o",
        s(&out),
        "--key",
        s(&leaf.key_pem),
        "--cert",
        s(&leaf.cert_pem),
    ]);
    assert_fails(&o, "xref", &out, &input, &before);
}

#[test]
fn rejects_a_wrong_pkcs12_password() {
    let w = work();
    let input = copy_in(&w, &corpus::classic().path, "in.pdf");
    let before = std::fs::read(&input).expect("read");
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let out = w.path.join("out.pdf");
    let o = kyso_with_env(
        &[
            "sign",
            s(&input),
            "-o",
            s(&out),
            "--p12",
            s(&leaf.p12_modern),
            "--password-env",
            "P12_PASS",
        ],
        "P12_PASS",
        "not-the-password",
    );
    assert_fails(&o, "password", &out, &input, &before);
    assert!(
        !stderr(&o).contains("not-the-password"),
        "the password was printed"
    );
}

#[test]
fn rejects_a_key_that_does_not_match_the_certificate() {
    let w = work();
    let input = copy_in(&w, &corpus::classic().path, "in.pdf");
    let before = std::fs::read(&input).expect("read");
    let pki = TestPki::get();
    let out = w.path.join("out.pdf");
    let o = kyso(&[
        "sign",
        s(&input),
        "-o",
        s(&out),
        "--key",
        s(&pki.leaf(LeafKind::Rsa2048).key_pem),
        "--cert",
        s(&pki.leaf(LeafKind::Revoked).cert_pem),
    ]);
    assert_fails(&o, "does not match", &out, &input, &before);
}

#[test]
fn rejects_a_field_that_is_not_a_signature_field() {
    let w = work();
    let form =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/minimal-with-simple-form.pdf");
    let input = copy_in(&w, &form, "form.pdf");
    let before = std::fs::read(&input).expect("read");
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let out = w.path.join("out.pdf");
    let o = kyso(&[
        "sign",
        s(&input),
        "-o",
        s(&out),
        "--key",
        s(&leaf.key_pem),
        "--cert",
        s(&leaf.cert_pem),
        "--field",
        "TextField1",
    ]);
    assert_fails(&o, "not a signature field", &out, &input, &before);
}

#[test]
fn refuses_to_overwrite_the_input() {
    let w = work();
    let input = copy_in(&w, &corpus::classic().path, "in.pdf");
    let before = std::fs::read(&input).expect("read");
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let same_file_other_spelling = w.path.join(".").join("in.pdf");
    let o = kyso(&[
        "sign",
        s(&input),
        "-o",
        s(&same_file_other_spelling),
        "--key",
        s(&leaf.key_pem),
        "--cert",
        s(&leaf.cert_pem),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("is the input file"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&input).expect("read"), before);
}

#[test]
fn rejects_an_encrypted_pdf_as_unsupported() {
    let w = work();
    let input = copy_in(&w, &corpus::encrypted().path, "enc.pdf");
    let before = std::fs::read(&input).expect("read");
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let out = w.path.join("out.pdf");
    let o = kyso(&[
        "sign",
        s(&input),
        "-o",
        s(&out),
        "--key",
        s(&leaf.key_pem),
        "--cert",
        s(&leaf.cert_pem),
    ]);
    assert_fails(&o, "encrypted", &out, &input, &before);
}

#[test]
fn has_no_plain_password_argument() {
    let o = kyso(&[
        "sign",
        "a.pdf",
        "-o",
        "b.pdf",
        "--p12",
        "x.p12",
        "--password",
        "secret",
    ]);
    assert_eq!(o.status.code(), Some(2), "clap usage error expected");
}

#[test]
fn sign_batch_signs_a_folder_reports_a_bad_file_and_exits_nonzero() {
    let w = work();
    let inputs = w.path.join("in");
    std::fs::create_dir(&inputs).expect("dir");
    for name in ["a.pdf", "b.pdf", "c.PDF"] {
        std::fs::copy(corpus::classic().path, inputs.join(name)).expect("copy");
    }
    std::fs::write(inputs.join("bad.pdf"), b"not a pdf").expect("write");
    std::fs::write(inputs.join("notes.txt"), b"ignored").expect("write");
    let out = w.path.join("out");
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let o = kyso(&[
        "sign-batch",
        s(&inputs),
        "-o",
        s(&out),
        "--key",
        s(&leaf.key_pem),
        "--cert",
        s(&leaf.cert_pem),
        "--chain",
        s(&leaf.chain_pem),
    ]);
    assert_eq!(o.status.code(), Some(4), "one file failed: {}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("signed 3, failed 1"), "{err}");
    assert!(
        err.contains("bad.pdf") && err.contains("not a PDF"),
        "{err}"
    );
    for name in ["a.pdf", "b.pdf", "c.PDF"] {
        let sigs = validators::pyhanko_validate(out.join(name), TestPki::get().root_pem());
        assert!(sigs[0].is_fully_valid(), "{name}: {}", sigs[0].details);
    }
    assert!(!out.join("bad.pdf").exists());
    assert!(!out.join("notes.txt").exists());
}

/// Validates `json` against the report schema with Python's `jsonschema` (installed by
/// scripts/test.sh).
fn assert_matches_report_schema(json: &str) {
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../kyso-pdf/schema/verify-report.schema.json");
    let script = "import json,sys,jsonschema\n\
                  schema=json.load(open(sys.argv[1]))\n\
                  jsonschema.Draft202012Validator.check_schema(schema)\n\
                  jsonschema.validate(json.load(sys.stdin), schema, cls=jsonschema.Draft202012Validator)\n";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .arg(&schema)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 with jsonschema (run scripts/test.sh)");
    use std::io::Write as _;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(json.as_bytes())
        .expect("write report");
    let out = child.wait_with_output().expect("python3");
    assert!(
        out.status.success(),
        "report does not match the schema: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn verify_exits_0_for_a_valid_signature_and_its_json_matches_the_schema() {
    let w = work();
    let input = copy_in(&w, &corpus::classic().path, "in.pdf");
    let signed = w.path.join("signed.pdf");
    sign_with_leaf(LeafKind::Rsa2048, &input, &signed);
    let root = TestPki::get().root_pem();
    let o = kyso(&["verify", s(&signed), "--trust", s(root)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("VALID") && text.contains(LeafKind::Rsa2048.common_name()),
        "{text}"
    );
    let o = kyso(&["verify", s(&signed), "--trust", s(root), "--lang", "vi"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("HỢP LỆ"));
    let o = kyso(&["verify", s(&signed), "--trust", s(root), "--json"]);
    let json = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(json.contains("\"verdict\": \"VALID\""), "{json}");
    assert_matches_report_schema(&json);
}

/// `kyso sign input -o output --key … --cert … --chain …` with test leaf `kind`; asserts it
/// succeeds.
fn sign_with_leaf(kind: LeafKind, input: &Path, output: &Path) {
    let o = sign_with_leaf_args(kind, input, output, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// `kyso sign` with a test leaf and `extra` options; the run's output, success or not.
fn sign_with_leaf_args(kind: LeafKind, input: &Path, output: &Path, extra: &[&str]) -> Output {
    let leaf = TestPki::get().leaf(kind);
    let mut args = vec![
        "sign",
        s(input),
        "-o",
        s(output),
        "--key",
        s(&leaf.key_pem),
        "--cert",
        s(&leaf.cert_pem),
        "--chain",
        s(&leaf.chain_pem),
    ];
    args.extend_from_slice(extra);
    kyso(&args)
}

/// `kyso verify FILE --json` with the test root: exit 0 (every signature VALID), the report
/// matching its schema.
fn verify_valid_json(path: &Path) -> serde_json::Value {
    let o = kyso(&[
        "verify",
        s(path),
        "--trust",
        s(TestPki::get().root_pem()),
        "--json",
    ]);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert_matches_report_schema(&text);
    serde_json::from_str(&text).expect("json")
}

/// A visible-signature fixture of kyso-pdf (documents by ReportLab and fpdf2, images).
fn visible_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../kyso-pdf/tests/fixtures/visible")
        .join(name)
}

#[test]
fn decree_30_presets_sign_official_seal_and_copy_and_verify_valid() {
    let w = work();
    let input = copy_in(&w, &visible_fixture("quyet-dinh.pdf"), "in.pdf");
    let (one, two, three) = (
        w.path.join("1.pdf"),
        w.path.join("2.pdf"),
        w.path.join("3.pdf"),
    );
    let image = visible_fixture("chu-ky.png");
    let seal = visible_fixture("con-dau.png");
    let steps: [(LeafKind, &Path, &Path, Vec<&str>); 3] = [
        (
            LeafKind::Rsa2048,
            &input,
            &one,
            vec![
                "--visible",
                "--preset",
                "ca-nhan",
                "--image",
                s(&image),
                "--between",
                "CHỦ TỊCH",
                "Trần Văn Đức",
            ],
        ),
        (
            LeafKind::P256,
            &one,
            &two,
            vec!["--visible", "--preset", "to-chuc", "--image", s(&seal)],
        ),
        (
            LeafKind::Rsa3072Pss,
            &two,
            &three,
            vec![
                "--visible",
                "--preset",
                "ban-sao",
                "--copy-form",
                "sao-luc",
                "--organisation",
                "Sở Thông tin và Truyền thông",
            ],
        ),
    ];
    for (kind, from, to, extra) in &steps {
        let o = sign_with_leaf_args(*kind, from, to, extra);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = kyso(&["verify", s(&three), "--trust", s(TestPki::get().root_pem())]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let text = Command::new("pdftotext")
        .arg(&three)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("SAO LỤC") && text.contains("+07:00"),
        "{text}"
    );
}

#[test]
fn pyhanko_field_spec_makes_a_visible_field_and_a_plain_name_stays_a_name() {
    let w = work();
    let input = copy_in(&w, &visible_fixture("quyet-dinh.pdf"), "in.pdf");
    let out = w.path.join("out.pdf");
    let o = sign_with_leaf_args(
        LeafKind::Rsa2048,
        &input,
        &out,
        &["--field", "1/300,100,500,160/KyDuyet"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let sigs = validators::pyhanko_validate(&out, TestPki::get().root_pem());
    assert_eq!(sigs[0].field_name, "KyDuyet");
    assert!(sigs[0].is_fully_valid(), "{sigs:#?}");
    // The default appearance names the signer (pdftotext reads the widget's text).
    let text = Command::new("pdftotext")
        .arg(&out)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(String::from_utf8_lossy(&text.stdout).contains("Ký bởi: Trần Thị Bình"));

    let plain = w.path.join("plain.pdf");
    let o = sign_with_leaf_args(LeafKind::Rsa2048, &input, &plain, &["--field", "Ky/Duyet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sigs = validators::pyhanko_validate(&plain, TestPki::get().root_pem());
    assert_eq!(sigs[0].field_name, "Ky/Duyet");
}

#[test]
fn visible_signature_errors_name_the_problem_and_write_nothing() {
    let w = work();
    let input = copy_in(&w, &visible_fixture("quyet-dinh.pdf"), "in.pdf");
    let before = std::fs::read(&input).expect("input");
    let out = w.path.join("out.pdf");
    let gif = w.path.join("chu-ky.gif");
    std::fs::write(&gif, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").expect("gif");
    let cases: [(&[&str], &str); 6] = [
        (
            &["--visible", "--rect", "50,50,200,40", "--text", "Ký 中"],
            "U+4E2D",
        ),
        (
            &["--visible", "--rect", "50,50,200,40", "--image", s(&gif)],
            "not a PNG or JPEG",
        ),
        (
            &["--visible", "--rect", "500,800,200,60"],
            "is not on page 1",
        ),
        (
            &["--visible", "--anchor", "[không có]"],
            "\"[không có]\" was not found",
        ),
        (
            &["--visible", "--preset", "ca-nhan", "--rect", "50,50,200,40"],
            "needs --image",
        ),
        (&["--visible"], "needs a place"),
    ];
    for (extra, needle) in cases {
        let o = sign_with_leaf_args(LeafKind::Rsa2048, &input, &out, extra);
        assert_fails(&o, needle, &out, &input, &before);
    }
}

#[test]
fn verify_lists_typed_changes_in_both_languages_and_max_changes_refuses_them() {
    let w = work();
    let input = copy_in(&w, &corpus::classic().path, "in.pdf");
    let (once, twice) = (w.path.join("once.pdf"), w.path.join("twice.pdf"));
    sign_with_leaf(LeafKind::Rsa2048, &input, &once);
    sign_with_leaf(LeafKind::Rsa2048, &once, &twice);
    let root = TestPki::get().root_pem();

    let o = kyso(&["verify", s(&twice), "--trust", s(root), "--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let json = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        json.contains("\"kind\": \"signature-field-added\""),
        "{json}"
    );
    assert!(
        json.contains("\"modification_level\": \"form-filling\""),
        "{json}"
    );
    assert_matches_report_schema(&json);

    let o = kyso(&["verify", s(&twice), "--trust", s(root), "--lang", "vi"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("Thay đổi sau khi ký"), "{text}");
    assert!(
        text.contains("được thêm và ký"),
        "the change itself is in Vietnamese: {text}"
    );

    // A portal that accepts no change after signing refuses the first signature.
    let o = kyso(&[
        "verify",
        s(&twice),
        "--trust",
        s(root),
        "--json",
        "--max-changes",
        "none",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let json = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(json.contains("MODIFIED_AFTER_SIGNING"), "{json}");
    assert_matches_report_schema(&json);
    let o = kyso(&[
        "verify",
        s(&twice),
        "--trust",
        s(root),
        "--max-changes",
        "form-fill",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn verify_exits_1_for_an_untrusted_or_modified_signature() {
    let w = work();
    let leaf = TestPki::get().leaf(LeafKind::P256);
    let input = copy_in(&w, &corpus::classic().path, "in.pdf");
    let signed = w.path.join("signed.pdf");
    let o = kyso(&[
        "sign",
        s(&input),
        "-o",
        s(&signed),
        "--key",
        s(&leaf.key_pem),
        "--cert",
        s(&leaf.cert_pem),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A root that did not issue this chain: INDETERMINATE, exit 3.
    let demo_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/root.pem");
    let o = kyso(&["verify", s(&signed), "--trust", s(&demo_root), "--json"]);
    assert_eq!(o.status.code(), Some(3));
    let json = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(json.contains("\"verdict\": \"INDETERMINATE\""), "{json}");
    assert_matches_report_schema(&json);
    // One flipped byte: INVALID, exit 1.
    let mut bytes = std::fs::read(&signed).expect("read");
    let at = bytes.windows(2).position(|x| x == b"Tj").expect("content");
    bytes[at - 2] ^= 1;
    std::fs::write(&signed, &bytes).expect("write");
    let o = kyso(&[
        "verify",
        s(&signed),
        "--trust",
        s(TestPki::get().root_pem()),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let json = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(json.contains("DIGEST_MISMATCH"), "{json}");
    assert_matches_report_schema(&json);
}

#[test]
fn sign_with_csc_reports_an_unreachable_service_and_writes_nothing() {
    let w = work();
    let input = copy_in(&w, &corpus::classic().path, "in.pdf");
    let before = std::fs::read(&input).expect("read");
    let out = w.path.join("out.pdf");
    // Port 9 (discard) on loopback: nothing listens there in the test environment.
    let o = kyso_with_env(
        &[
            "sign",
            s(&input),
            "-o",
            s(&out),
            "--csc",
            "http://127.0.0.1:9/csc/v2",
            "--credential",
            "cred-1",
            "--access-token-env",
            "CSC_TOKEN",
            "--csc-allow-loopback-http",
        ],
        "CSC_TOKEN",
        "secret-token-value",
    );
    assert_fails(&o, "", &out, &input, &before);
    assert!(
        !stderr(&o).contains("secret-token-value"),
        "the token was printed"
    );
    // Plain http to a non-loopback host is refused before any request.
    let o = kyso_with_env(
        &[
            "sign",
            s(&input),
            "-o",
            s(&out),
            "--csc",
            "http://rssp.example.vn/csc/v2",
            "--credential",
            "cred-1",
            "--access-token-env",
            "CSC_TOKEN",
        ],
        "CSC_TOKEN",
        "t",
    );
    assert_fails(&o, "http", &out, &input, &before);
    // --csc needs --credential.
    let o = kyso(&[
        "sign",
        s(&input),
        "-o",
        s(&out),
        "--csc",
        "https://rssp.example.vn/csc/v2",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn sign_with_tsa_is_b_t_and_a_level_without_a_tsa_is_a_usage_error() {
    let server = kyso_testkit::tsa::TsaServer::start(None);
    let w = work();
    let input = copy_in(&w, &corpus::classic().path, "in.pdf");
    let out = w.path.join("b-t.pdf");
    let o = sign_with_leaf_args(LeafKind::Rsa2048, &input, &out, &["--tsa", server.url()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = verify_valid_json(&out);
    assert_eq!(json["signatures"][0]["level"], "B-T");
    assert_eq!(json["signatures"][0]["timestamp"]["trusted"], true);

    let before = std::fs::read(&input).expect("input");
    let bad = w.path.join("bad.pdf");
    for (extra, needle) in [
        (&["--level", "B-LT"][..], "need --tsa"),
        (&["--level", "B-T"][..], "need --tsa"),
        (
            &["--tsa", server.url(), "--level", "B-B"][..],
            "that is --level B-T",
        ),
    ] {
        let o = sign_with_leaf_args(LeafKind::Rsa2048, &input, &bad, extra);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert_fails(&o, needle, &bad, &input, &before);
    }
}

#[test]
fn timestamp_a_file_and_verify_it_with_kyso_and_openssl() {
    let server = kyso_testkit::tsa::TsaServer::start(None);
    let w = work();
    let data = w.path.join("bien-ban.txt");
    std::fs::write(&data, "Biên bản họp ngày 01/12/2026").expect("write");
    let tsr = w.path.join("bien-ban.txt.tsr");
    let o = kyso(&["timestamp", s(&data), "-o", s(&tsr), "--tsa", server.url()]);
    assert!(o.status.success(), "{}", stderr(&o));
    drop(server);

    let root = TestPki::get().root_pem();
    let o = kyso(&[
        "verify-timestamp",
        s(&tsr),
        "--data",
        s(&data),
        "--trust",
        s(root),
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(
        text.contains("time-stamp: VALID") && text.contains("Kyso Test TSA"),
        "{text}"
    );

    // OpenSSL agrees, on the same response and data.
    let tsa = TestPki::get().leaf(LeafKind::Tsa);
    let openssl = Command::new("openssl")
        .args([
            "ts",
            "-verify",
            "-in",
            s(&tsr),
            "-data",
            s(&data),
            "-CAfile",
            s(root),
        ])
        .args(["-untrusted", s(&tsa.chain_pem)])
        .output()
        .expect("openssl");
    assert!(
        String::from_utf8_lossy(&openssl.stdout).contains("Verification: OK"),
        "{}",
        String::from_utf8_lossy(&openssl.stderr)
    );

    // A document time-stamp on a signed PDF: both VALID.
    let server = kyso_testkit::tsa::TsaServer::start(None);
    let signed = w.path.join("signed.pdf");
    let input = copy_in(&w, &corpus::classic().path, "in.pdf");
    sign_with_leaf(LeafKind::Rsa2048, &input, &signed);
    let archived = w.path.join("archived.pdf");
    let o = kyso(&[
        "timestamp",
        s(&signed),
        "-o",
        s(&archived),
        "--document",
        "--tsa",
        server.url(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = verify_valid_json(&archived);
    assert_eq!(json["signatures"][1]["sub_filter"], "ETSI.RFC3161");
    drop(server);

    let other = w.path.join("khac.txt");
    std::fs::write(&other, "Biên bản đã sửa").expect("write");
    let o = kyso(&[
        "verify-timestamp",
        s(&tsr),
        "--data",
        s(&other),
        "--trust",
        s(root),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("INVALID"));
}

/// `kyso sign --level B-LTA` and `kyso extend` against live services (kyso-testkit's
/// `LtvPki`), then `kyso verify` offline and `--online`.
#[test]
fn sign_at_b_lta_extend_a_batch_to_b_lt_and_verify_offline_and_online() {
    use kyso_testkit::ltv::{LTV_P12_PASSWORD, LtvPki};
    let mut pki = LtvPki::start();
    let w = work();
    let input = copy_in(&w, &corpus::classic().path, "in.pdf");
    let root = pki.root_pem();
    let p12 = pki.signer().p12.clone();
    let sign = |out: &Path, extra: &[&str]| {
        let mut args = vec!["sign", s(&input), "-o", s(out), "--p12", s(&p12)];
        args.extend_from_slice(&["--password-env", "KYSO_LTV_PASSWORD"]);
        args.extend_from_slice(extra);
        let o = Command::new(env!("CARGO_BIN_EXE_kyso"))
            .args(&args)
            .env("KYSO_LTV_PASSWORD", LTV_P12_PASSWORD)
            .output()
            .expect("run kyso");
        assert!(o.status.success(), "kyso sign {extra:?}: {}", stderr(&o));
    };
    let tsa = pki.tsa_url();
    let lta = w.path.join("b-lta.pdf");
    sign(&lta, &["--tsa", &tsa, "--level", "B-LTA"]);
    let (bb, bt) = (w.path.join("b-b.pdf"), w.path.join("b-t.pdf"));
    sign(&bb, &[]);
    sign(&bt, &["--tsa", &tsa]);
    let out_dir = w.path.join("extended");
    std::fs::create_dir(&out_dir).expect("mkdir");
    let o = kyso(&[
        "extend",
        s(&bb),
        s(&bt),
        "--out-dir",
        s(&out_dir),
        "--level",
        "B-LT",
        "--trust",
        s(&root),
        "--tsa",
        &tsa,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("extended 2 of 2 files to B-LT"),
        "{}",
        stderr(&o)
    );
    let verify = |path: &Path, online: bool| {
        let mut args = vec!["verify", s(path), "--trust", s(&root), "--json"];
        if online {
            args.push("--online");
        }
        let o = kyso(&args);
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        (o.status.code(), json)
    };
    // Online, a B-T file's missing evidence is fetched.
    let (code, json) = verify(&bt, true);
    assert_eq!(code, Some(0), "{json:#}");
    assert_eq!(json["signatures"][0]["revocation"][0]["in_file"], false);

    pki.stop();
    for (path, level) in [
        (lta.clone(), "B-LTA"),
        (out_dir.join("b-b.pdf"), "B-LT"),
        (out_dir.join("b-t.pdf"), "B-LT"),
    ] {
        let (code, json) = verify(&path, false);
        assert_eq!(code, Some(0), "{}: {json:#}", path.display());
        assert_eq!(json["signatures"][0]["level"], level, "{json:#}");
        assert_eq!(json["signatures"][0]["revocation"][0]["status"], "good");
    }
    let (code, json) = verify(&bt, false);
    assert_eq!(code, Some(3), "offline, no evidence: {json:#}");
    assert_eq!(json["signatures"][0]["verdict"], "INDETERMINATE");
    assert_eq!(
        json["signatures"][0]["reasons"][0]["code"],
        "REVOCATION_UNKNOWN"
    );

    // With the services down, extending fails with the reason and writes nothing.
    let failed = w.path.join("failed.pdf");
    let o = kyso(&[
        "extend",
        s(&bt),
        "-o",
        s(&failed),
        "--level",
        "B-LT",
        "--trust",
        s(&root),
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no revocation evidence"),
        "{}",
        stderr(&o)
    );
    assert!(!failed.exists());
}

/// The Unix contract: a closed stdout ends quietly, outputs get the umask's permissions, the
/// exit codes are listed in `--help`.
#[test]
fn a_closed_stdout_ends_quietly_and_outputs_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let w = work();
    let input = copy_in(&w, &corpus::classic().path, "in.pdf");
    let signed = w.path.join("signed.pdf");
    sign_with_leaf(LeafKind::Rsa2048, &input, &signed);
    let root = TestPki::get().root_pem();
    for _ in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kyso"))
            .args(["verify", s(&signed), "--trust", s(root), "--json"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run kyso");
        drop(child.stdout.take()); // `| head -0`: the reader is gone before kyso writes
        let o = child.wait_with_output().expect("wait");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }

    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    for (umask, mode) in [("022", 0o644), ("077", 0o600)] {
        let out = w.path.join(format!("umask-{umask}.pdf"));
        let script = format!(
            "umask {umask} && exec \"$0\" sign \"$1\" -o \"$2\" --key \"$3\" --cert \"$4\" --chain \"$5\""
        );
        let o = Command::new("sh")
            .args(["-c", &script, env!("CARGO_BIN_EXE_kyso")])
            .args([&input, &out, &leaf.key_pem, &leaf.cert_pem, &leaf.chain_pem])
            .output()
            .expect("sh");
        assert!(o.status.success(), "{}", stderr(&o));
        let got = std::fs::metadata(&out)
            .expect("output")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(got, mode, "umask {umask}");
    }

    let o = kyso(&["--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    for needle in [
        "0 every signature VALID",
        "1 a signature",
        "2 usage",
        "3 INDETERMINATE",
        "4 an input",
    ] {
        assert!(help.contains(needle), "--help lacks '{needle}': {help}");
    }
}

#[test]
fn a_dash_is_standard_input_and_standard_output() {
    let w = work();
    let input = copy_in(&w, &corpus::classic().path, "in.pdf");
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let piped = |args: &[&str], stdin: &Path| -> Output {
        Command::new(env!("CARGO_BIN_EXE_kyso"))
            .args(args)
            .stdin(std::fs::File::open(stdin).expect("stdin"))
            .output()
            .expect("run kyso")
    };
    let o = piped(
        &[
            "sign",
            "-",
            "-o",
            "-",
            "--key",
            s(&leaf.key_pem),
            "--cert",
            s(&leaf.cert_pem),
            "--chain",
            s(&leaf.chain_pem),
        ],
        &input,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.starts_with(b"%PDF-"), "the signed PDF on stdout");
    assert!(stderr(&o).contains("-> standard output"), "{}", stderr(&o));
    assert!(!w.path.join("-").exists(), "no file named '-'");
    let signed = w.path.join("from-stdout.pdf");
    std::fs::write(&signed, &o.stdout).expect("write");
    let o = piped(
        &["verify", "-", "--trust", s(TestPki::get().root_pem())],
        &signed,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn a_password_comes_from_a_file_descriptor() {
    let w = work();
    let input = copy_in(&w, &corpus::classic().path, "in.pdf");
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let secret = w.path.join("secret");
    std::fs::write(&secret, format!("{}\n", leaf.p12_password)).expect("write");
    let out = w.path.join("fd.pdf");
    let o = Command::new("sh")
        .args([
            "-c",
            "exec \"$0\" sign \"$1\" -o \"$2\" --p12 \"$3\" --password-fd 3 3< \"$4\"",
            env!("CARGO_BIN_EXE_kyso"),
        ])
        .args([&input, &out, &leaf.p12_modern, &secret])
        .output()
        .expect("sh");
    assert!(o.status.success(), "{}", stderr(&o));
    verify_valid_json(&out);
    assert!(
        !stderr(&o).contains(leaf.p12_password),
        "the password is never printed"
    );
}

#[test]
fn sign_batch_time_stamps_extends_to_b_lta_and_reports_json() {
    use kyso_testkit::ltv::{LTV_P12_PASSWORD, LtvPki};
    let mut pki = LtvPki::start();
    let w = work();
    let dir = w.path.join("in");
    std::fs::create_dir(&dir).expect("mkdir");
    for name in ["a.pdf", "b.pdf"] {
        std::fs::copy(&corpus::classic().path, dir.join(name)).expect("copy");
    }
    let out_dir = w.path.join("out");
    let tsa = pki.tsa_url();
    let o = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args([
            "sign-batch",
            s(&dir),
            "-o",
            s(&out_dir),
            "--p12",
            s(&pki.signer().p12),
        ])
        .args([
            "--password-env",
            "KYSO_LTV_PASSWORD",
            "--tsa",
            &tsa,
            "--level",
            "B-LTA",
            "--json",
        ])
        .env("KYSO_LTV_PASSWORD", LTV_P12_PASSWORD)
        .output()
        .expect("run kyso");
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON summary");
    assert_eq!(summary["signed"], 2, "{summary:#}");
    assert_eq!(summary["failed"], 0);
    assert!(!stderr(&o).contains('\r'), "no progress bar off a terminal");
    pki.stop();
    for name in ["a.pdf", "b.pdf"] {
        let o = kyso(&[
            "verify",
            s(&out_dir.join(name)),
            "--trust",
            s(&pki.root_pem()),
            "--json",
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        assert_eq!(json["signatures"][0]["level"], "B-LTA");
    }
}

#[test]
fn sign_batch_with_csc_goes_to_the_service_not_to_a_key_file() {
    let w = work();
    let input = copy_in(&w, &corpus::classic().path, "in.pdf");
    let out_dir = w.path.join("out");
    let o = kyso_with_env(
        &[
            "sign-batch",
            s(&input),
            "-o",
            s(&out_dir),
            "--csc",
            "http://127.0.0.1:9/csc/v2",
            "--credential",
            "cred-1",
            "--access-token-env",
            "CSC_TOKEN",
            "--csc-allow-loopback-http",
        ],
        "CSC_TOKEN",
        "secret-token-value",
    );
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot reach http://127.0.0.1:9/csc/v2"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("secret-token-value"));
    assert!(!out_dir.join("in.pdf").exists());
}

#[test]
fn completions_and_the_manual_page_are_generated_from_the_command_line_definitions() {
    for shell in ["bash", "zsh", "fish"] {
        let o = kyso(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = String::from_utf8_lossy(&o.stdout);
        for word in ["sign-batch", "extend", "verify", "--tsa"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let o = std::process::Command::new("bash")
        .args(["-n", "-c"])
        .arg(String::from_utf8_lossy(&kyso(&["completions", "bash"]).stdout).into_owned())
        .output()
        .expect("bash");
    assert!(o.status.success(), "the bash script parses: {}", stderr(&o));
    let o = kyso(&["man"]);
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(
        page.starts_with(".ie") && page.contains(".TH kyso 1"),
        "{page}"
    );
    assert!(
        page.contains("Exit codes"),
        "the exit codes are in the manual"
    );
}

#[test]
fn sign_batch_takes_the_signature_options_sign_takes() {
    let w = work();
    let input = copy_in(&w, &corpus::classic().path, "in.pdf");
    let out_dir = w.path.join("out");
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let o = kyso(&[
        "sign-batch",
        s(&input),
        "-o",
        s(&out_dir),
        "--key",
        s(&leaf.key_pem),
        "--cert",
        s(&leaf.cert_pem),
        "--chain",
        s(&leaf.chain_pem),
        "--pkcs7",
        "--digest",
        "sha384",
        "--rsa-padding",
        "pss",
        "--name",
        "Văn thư",
        "--contact",
        "vanthu@example.vn",
        // Placement and appearance, as `sign` takes them: a new visible field on page 1.
        "--field",
        "1/100,100,300,160/VanThu",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = verify_valid_json(&out_dir.join("in.pdf"));
    let sig = &json["signatures"][0];
    assert_eq!(sig["field"], "VanThu", "{sig:#}");
    assert_eq!(sig["sub_filter"], "adbe.pkcs7.detached", "{sig:#}");
    assert_eq!(sig["digest_algorithm"], "sha384");
    assert_eq!(sig["signature_algorithm"], "rsa-pss-sha384");
    let bytes = std::fs::read(out_dir.join("in.pdf")).expect("read");
    assert!(
        bytes
            .windows(b"/ContactInfo".len())
            .any(|w| w == b"/ContactInfo"),
        "the contact is written"
    );
    // A visible widget: an appearance stream (/AP) with a non-empty /Rect.
    assert!(
        bytes.windows(4).any(|w| w == b"/AP "),
        "the widget has an appearance"
    );
    assert!(
        !bytes
            .windows(b"/Rect [0 0 0 0]".len())
            .any(|w| w == b"/Rect [0 0 0 0]"),
        "the widget is visible"
    );
}

#[test]
fn a_detached_time_stamp_reads_stdin_and_writes_stdout() {
    let server = kyso_testkit::tsa::TsaServer::start(None);
    let w = work();
    let data = w.path.join("to-nop.txt");
    std::fs::write(&data, "Tờ trình số 12").expect("write");
    let o = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["timestamp", "-", "-o", "-", "--tsa", server.url()])
        .stdin(std::fs::File::open(&data).expect("stdin"))
        .output()
        .expect("run kyso");
    assert!(o.status.success(), "{}", stderr(&o));
    let tsr = w.path.join("to-nop.tsr");
    std::fs::write(&tsr, &o.stdout).expect("write");
    let root = TestPki::get().root_pem();
    let o = kyso(&[
        "verify-timestamp",
        s(&tsr),
        "--data",
        s(&data),
        "--trust",
        s(root),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}
