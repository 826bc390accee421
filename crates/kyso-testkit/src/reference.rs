//! pyHanko as a reference signer: PDFs signed by someone else, for kyso to verify
//! and for checking the [validators](crate::validators) themselves.

use std::path::{Path, PathBuf};

use crate::pki::Leaf;
use crate::tools::{combined, require_pyhanko, run};

/// The Python script the signing functions run (`crates/kyso-testkit/py/sign.py`):
/// `pyhanko.sign.signers.sign_pdf` with a `SimpleSigner` loaded from the leaf's
/// PEM files, SHA-256, and for [`LeafKind::Rsa3072Pss`](crate::LeafKind::Rsa3072Pss)
/// an explicit RSASSA-PSS mechanism (MGF1-SHA-256, salt 32). The CLI equivalent of
/// [`pyhanko_sign_pkcs7`] for a PKCS#1 v1.5 leaf is
/// `pyhanko sign addsig --field Sig1 pemder --key key.pem --cert cert.pem
/// --chain chain.pem --no-pass IN OUT`.
pub const PYHANKO_SIGN_PY: &str = include_str!("../py/sign.py");

/// One file for [`pyhanko_sign_batch`] to sign.
#[derive(Debug, Clone)]
pub struct SignJob<'a> {
    /// The PDF to sign (read only).
    pub input: PathBuf,
    /// Where to write the signed PDF.
    pub output: PathBuf,
    /// Whose key signs.
    pub leaf: &'a Leaf,
    /// The signature field: filled if the document has it, else created invisible
    /// on page 1.
    pub field: String,
    /// `/SubFilter /ETSI.CAdES.detached` (PAdES baseline B-B) if true,
    /// `/adbe.pkcs7.detached` otherwise.
    pub pades: bool,
    /// The password that opens an encrypted input (user or owner).
    pub password: Option<String>,
}

/// Signs `input` into `output` with pyHanko as PAdES baseline B-B
/// (`/SubFilter /ETSI.CAdES.detached`), in the signature field `field` — filled if
/// the document has it, else created invisible on page 1.
///
/// # Panics
///
/// If pyHanko is not installed or fails to sign (its output is in the message).
pub fn pyhanko_sign(input: impl AsRef<Path>, output: impl AsRef<Path>, leaf: &Leaf, field: &str) {
    pyhanko_sign_batch(&[job(input.as_ref(), output.as_ref(), leaf, field, true)]);
}

/// Like [`pyhanko_sign`], but with `/SubFilter /adbe.pkcs7.detached` (what pyHanko's
/// CLI writes without `--use-pades`).
///
/// # Panics
///
/// If pyHanko is not installed or fails to sign.
pub fn pyhanko_sign_pkcs7(
    input: impl AsRef<Path>,
    output: impl AsRef<Path>,
    leaf: &Leaf,
    field: &str,
) {
    pyhanko_sign_batch(&[job(input.as_ref(), output.as_ref(), leaf, field, false)]);
}

/// Runs every job in one run of pyHanko (importing it takes about a second, signing
/// a small file a tenth of that).
///
/// # Panics
///
/// If pyHanko is not installed or fails on any job (its output is in the message).
pub fn pyhanko_sign_batch(jobs: &[SignJob<'_>]) {
    require_pyhanko();
    let s = |p: &Path| p.to_string_lossy().into_owned();
    let request: Vec<_> = jobs
        .iter()
        .map(|j| {
            serde_json::json!({
                "input": s(&j.input),
                "output": s(&j.output),
                "field": j.field,
                "key": s(&j.leaf.key_pem),
                "cert": s(&j.leaf.cert_pem),
                "chain": s(&j.leaf.chain_pem),
                "pss": j.leaf.kind.uses_pss(),
                "pades": j.pades,
                "password": j.password,
            })
        })
        .collect();
    let request = serde_json::Value::from(request).to_string();
    let out = run("python3", ["-c", PYHANKO_SIGN_PY, &request], None);
    if !out.status.success() {
        panic!(
            "pyHanko could not sign ({}):\n{}",
            out.status,
            combined(&out)
        );
    }
}

fn job<'a>(input: &Path, output: &Path, leaf: &'a Leaf, field: &str, pades: bool) -> SignJob<'a> {
    SignJob {
        input: input.to_path_buf(),
        output: output.to_path_buf(),
        leaf,
        field: field.to_owned(),
        pades,
        password: None,
    }
}

/// Like [`pyhanko_sign`], for an encrypted input that `password` opens; pyHanko keeps the
/// document's encryption in the signed update.
///
/// # Panics
///
/// If pyHanko is not installed or fails to sign.
pub fn pyhanko_sign_encrypted(
    input: impl AsRef<Path>,
    output: impl AsRef<Path>,
    leaf: &Leaf,
    field: &str,
    password: &str,
) {
    let mut j = job(input.as_ref(), output.as_ref(), leaf, field, true);
    j.password = Some(password.to_owned());
    pyhanko_sign_batch(&[j]);
}

/// How [`qpdf_encrypt`] encrypts (the standard security handler, ISO 32000-2 §7.6.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    /// RC4 with a 40-bit key (revision 2).
    Rc4_40,
    /// RC4 with a 128-bit key (revision 3).
    Rc4_128,
    /// AES-128 (`AESV2`, revision 4).
    Aes128,
    /// AES-256 (`AESV3`, revision 6, PDF 2.0).
    Aes256,
}

impl Encryption {
    /// Every kind.
    pub const ALL: [Encryption; 4] = [
        Encryption::Rc4_40,
        Encryption::Rc4_128,
        Encryption::Aes128,
        Encryption::Aes256,
    ];
}

/// Encrypts `input` into `output` with `qpdf --encrypt USER OWNER …`.
///
/// # Panics
///
/// If qpdf is missing or fails.
pub fn qpdf_encrypt(
    input: impl AsRef<Path>,
    output: impl AsRef<Path>,
    encryption: Encryption,
    user: &str,
    owner: &str,
) {
    let spec: &[&str] = match encryption {
        Encryption::Rc4_40 => &["40"],
        Encryption::Rc4_128 => &["128", "--use-aes=n"],
        Encryption::Aes128 => &["128", "--use-aes=y"],
        Encryption::Aes256 => &["256"],
    };
    let mut args: Vec<std::ffi::OsString> = vec!["--allow-weak-crypto".into(), "--encrypt".into()];
    args.extend([user.into(), owner.into()]);
    args.extend(spec.iter().map(Into::into));
    args.push("--".into());
    args.push(input.as_ref().into());
    args.push(output.as_ref().into());
    let out = run("qpdf", args, None);
    if !out.status.success() {
        panic!("qpdf --encrypt failed:\n{}", combined(&out));
    }
}

/// The key and certificates a CMS signer outside the [`TestPki`](crate::TestPki) leaves
/// uses (a weak key made by a test, say): PEM files.
#[derive(Debug, Clone, Copy)]
pub struct PemSigner<'a> {
    /// The signer certificate.
    pub cert: &'a Path,
    /// Its private key.
    pub key: &'a Path,
    /// Certificates to embed besides it (intermediate, root), if any.
    pub chain: Option<&'a Path>,
}

impl<'a> From<&'a Leaf> for PemSigner<'a> {
    fn from(leaf: &'a Leaf) -> Self {
        Self {
            cert: &leaf.cert_pem,
            key: &leaf.key_pem,
            chain: Some(&leaf.chain_pem),
        }
    }
}

/// A detached CMS signature over `content` by `openssl cms -sign -binary -outform DER
/// -nosmimecap`, with `extra` arguments after the signer (`-md sha256`, `-cades`,
/// `-stream` for BER with indefinite lengths, `-nodetach`, `-keyopt …`).
///
/// # Panics
///
/// If openssl is missing or fails.
pub fn openssl_cms_sign<'a>(
    content: &[u8],
    signer: impl Into<PemSigner<'a>>,
    extra: &[&str],
) -> Vec<u8> {
    let signer = signer.into();
    let dir = tempfile::tempdir().expect("temp dir");
    let (data, sig) = (dir.path().join("data.bin"), dir.path().join("sig.der"));
    std::fs::write(&data, content).expect("write the content");
    let mut args: Vec<std::ffi::OsString> =
        ["cms", "-sign", "-binary", "-outform", "DER", "-nosmimecap"]
            .iter()
            .map(Into::into)
            .collect();
    args.extend(["-in".into(), data.into_os_string()]);
    args.extend(["-signer".into(), signer.cert.into()]);
    args.extend(["-inkey".into(), signer.key.into()]);
    // After -signer/-inkey: -keyopt applies to the signer named before it.
    args.extend(extra.iter().map(Into::into));
    if let Some(chain) = signer.chain {
        args.extend(["-certfile".into(), chain.into()]);
    }
    args.extend(["-out".into(), sig.clone().into_os_string()]);
    let out = run("openssl", args, None);
    if !out.status.success() {
        panic!("openssl cms -sign {extra:?} failed:\n{}", combined(&out));
    }
    std::fs::read(&sig).expect("read the signature")
}
