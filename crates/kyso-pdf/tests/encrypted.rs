//! Signed encrypted documents (ISO 32000-2 §7.6, standard security handler): encrypted by
//! qpdf with RC4-40, RC4-128, AES-128 and AES-256, then signed by pyHanko, which keeps the
//! encryption. kyso decrypts strings and streams as it reads them (never a signature's
//! /Contents) and validates: VALID with the empty user password or with the password given;
//! a wrong password is an error that says so; a change after signing is still caught.

use std::path::{Path, PathBuf};

use kyso_pdf::verify::{Coverage, Password, ValidationOptions, Verdict, validate_file};
use kyso_pdf::{Error, PdfReader};
use kyso_testkit::reference::{Encryption, pyhanko_sign_encrypted, qpdf_encrypt};
use kyso_testkit::{LeafKind, TestPki, corpus};

const OWNER: &str = "chủ-sở-hữu";
const USER: &str = "người-dùng";

fn options(password: Option<&str>) -> ValidationOptions {
    let root = std::fs::read(TestPki::get().root_pem()).expect("root");
    let mut o =
        ValidationOptions::new(kyso_cert::Certificate::all_from_der_or_pem(&root).expect("root"));
    o.password = password.map(Password::new);
    o
}

/// The classic corpus input encrypted with `encryption` and user password `user`, signed by
/// pyHanko.
fn signed_encrypted(dir: &Path, encryption: Encryption, user: &str) -> PathBuf {
    let encrypted = dir.join(format!("{encryption:?}.pdf"));
    let signed = dir.join(format!("{encryption:?}-signed.pdf"));
    qpdf_encrypt(corpus::classic().path, &encrypted, encryption, user, OWNER);
    pyhanko_sign_encrypted(
        &encrypted,
        &signed,
        TestPki::get().leaf(LeafKind::Rsa2048),
        "ChuKy1",
        user,
    );
    signed
}

#[test]
fn signed_encrypted_documents_are_valid_with_the_empty_user_password() {
    let dir = tempfile::tempdir().expect("temp dir");
    for encryption in Encryption::ALL {
        let signed = signed_encrypted(dir.path(), encryption, "");
        let report = validate_file(&signed, &options(None)).expect("report");
        let sig = &report.signatures[0];
        // The field name is an encrypted string: reading it right proves the decryption.
        assert_eq!(sig.field, "ChuKy1", "{encryption:?}");
        assert_eq!(
            sig.verdict,
            Verdict::Valid,
            "{encryption:?}: {:?}",
            sig.reasons
        );
        assert_eq!(sig.coverage, Coverage::WholeFile);
    }
}

#[test]
fn a_user_password_opens_the_document_and_so_does_the_owner_password() {
    let dir = tempfile::tempdir().expect("temp dir");
    for encryption in [Encryption::Rc4_128, Encryption::Aes256] {
        let signed = signed_encrypted(dir.path(), encryption, USER);
        for password in [USER, OWNER] {
            let report = validate_file(&signed, &options(Some(password))).expect("report");
            assert_eq!(
                report.verdict,
                Verdict::Valid,
                "{encryption:?} with {password}"
            );
        }
        for wrong in [None, Some("sai mật khẩu")] {
            match validate_file(&signed, &options(wrong)) {
                Err(Error::WrongPassword) => {}
                other => panic!("{encryption:?}, {wrong:?}: expected WrongPassword, got {other:?}"),
            }
        }
    }
}

#[test]
fn a_change_after_signing_an_encrypted_document_is_caught() {
    let dir = tempfile::tempdir().expect("temp dir");
    let signed = signed_encrypted(dir.path(), Encryption::Aes128, "");
    // qpdf rewrites the whole file (same encryption, new object layout): signed bytes change.
    let rewritten = dir.path().join("rewritten.pdf");
    let out = std::process::Command::new("qpdf")
        .args(["--password=", "--allow-weak-crypto"])
        .arg(&signed)
        .arg(&rewritten)
        .output()
        .expect("qpdf");
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 3),
        "{out:?}"
    );
    let report = validate_file(&rewritten, &options(None)).expect("report");
    assert_ne!(report.verdict, Verdict::Valid);
}

#[test]
fn unlocking_decrypts_strings_and_streams_and_keeps_the_signature_contents() {
    let dir = tempfile::tempdir().expect("temp dir");
    let signed = signed_encrypted(dir.path(), Encryption::Aes256, "");
    let bytes = std::fs::read(&signed).expect("read");
    let mut reader = PdfReader::new(bytes.as_slice()).expect("open");
    assert!(reader.is_encrypted());
    reader
        .unlock(b"")
        .expect("the empty user password opens it");
    let page = reader.page_ref(0).expect("page 0");
    let page = reader.resolve_dict(page).expect("page");
    let content = page
        .get("Contents")
        .and_then(kyso_pdf::Object::as_reference)
        .expect("contents");
    let stream = reader.resolve(content).expect("content stream");
    let stream = stream.as_stream().expect("a stream");
    let data = kyso_pdf::unstable::parser::decode_stream(
        &stream.dict,
        &stream.data,
        kyso_pdf::unstable::parser::MAX_DECODED_STREAM_LEN,
    )
    .expect("decodes after decryption");
    assert!(
        data.windows(2).any(|w| w == b"Tj" || w == b"TJ"),
        "the page content reads as PDF operators"
    );
}
