//! pyHanko as a reference signer: PDFs signed by someone else, for kyso to verify
//! and for checking the [validators](crate::validators) themselves.

use std::path::Path;

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

/// Signs `input` into `output` with pyHanko as PAdES baseline B-B
/// (`/SubFilter /ETSI.CAdES.detached`), in the signature field `field` — filled if
/// the document has it, else created invisible on page 1.
///
/// # Panics
///
/// If pyHanko is not installed or fails to sign (its output is in the message).
pub fn pyhanko_sign(input: impl AsRef<Path>, output: impl AsRef<Path>, leaf: &Leaf, field: &str) {
    sign(input.as_ref(), output.as_ref(), leaf, field, true);
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
    sign(input.as_ref(), output.as_ref(), leaf, field, false);
}

fn sign(input: &Path, output: &Path, leaf: &Leaf, field: &str, pades: bool) {
    require_pyhanko();
    let request = serde_json::json!({
        "input": input.to_string_lossy(),
        "output": output.to_string_lossy(),
        "field": field,
        "key": leaf.key_pem.to_string_lossy(),
        "cert": leaf.cert_pem.to_string_lossy(),
        "chain": leaf.chain_pem.to_string_lossy(),
        "pss": leaf.kind.uses_pss(),
        "pades": pades,
    });
    let out = run("python3", ["-c", PYHANKO_SIGN_PY, &request.to_string()], None);
    if !out.status.success() {
        panic!(
            "pyHanko could not sign {} with {}: ({})\n{}",
            input.display(),
            leaf.kind.name(),
            out.status,
            combined(&out)
        );
    }
}
