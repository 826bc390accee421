//! pyHanko's signature validation, through a small Python script.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::tools::{combined, require_pyhanko, run};

/// The Python script [`pyhanko_validate`] runs (`crates/kyso-testkit/py/validate.py`).
///
/// It calls `pyhanko.sign.validation.validate_pdf_signature` for every embedded
/// signature with a `ValidationContext(trust_roots=[root], allow_fetching=False)` and
/// prints JSON. It reads the file strictly first and, if that fails or the file is
/// a hybrid-reference one (which pyHanko validates only leniently), again leniently
/// (as the CLI's `--no-strict-syntax`), saying so in [`PyhankoSig::strict_syntax`]. Driving the API is
/// sturdier than parsing the CLI's text; the CLI equivalent is
/// `pyhanko sign validate --pretty-print --trust-replace --trust ROOT FILE`.
pub const PYHANKO_VALIDATE_PY: &str = include_str!("../../py/validate.py");

/// pyHanko's `SignatureCoverageLevel`: how much of the file the `/ByteRange` covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Coverage {
    /// `UNCLEAR`: disconnected or otherwise unclear coverage.
    Unclear,
    /// `CONTIGUOUS_BLOCK_FROM_START`: from the first byte, but not to the end of its
    /// revision.
    ContiguousBlockFromStart,
    /// `ENTIRE_REVISION`: the whole revision the signature belongs to; later
    /// revisions follow.
    EntireRevision,
    /// `ENTIRE_FILE`: the whole file but the signature's own `/Contents`.
    EntireFile,
}

impl Coverage {
    fn parse(s: &str) -> Option<Coverage> {
        Some(match s {
            "UNCLEAR" => Coverage::Unclear,
            "CONTIGUOUS_BLOCK_FROM_START" => Coverage::ContiguousBlockFromStart,
            "ENTIRE_REVISION" => Coverage::EntireRevision,
            "ENTIRE_FILE" => Coverage::EntireFile,
            _ => return None,
        })
    }
}

/// pyHanko's `ModificationLevel`: what changed after the signed revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ModificationLevel {
    /// `NONE`: nothing; the signed revision is the file.
    None,
    /// `LTA_UPDATES`: only DSS and document timestamp updates.
    LtaUpdates,
    /// `FORM_FILLING`: form filling, including later signatures.
    FormFilling,
    /// `ANNOTATIONS`: annotation changes.
    Annotations,
    /// `OTHER`: anything else — a modification.
    Other,
}

impl ModificationLevel {
    fn parse(s: &str) -> Option<ModificationLevel> {
        Some(match s {
            "NONE" => ModificationLevel::None,
            "LTA_UPDATES" => ModificationLevel::LtaUpdates,
            "FORM_FILLING" => ModificationLevel::FormFilling,
            "ANNOTATIONS" => ModificationLevel::Annotations,
            "OTHER" => ModificationLevel::Other,
            _ => return None,
        })
    }
}

/// pyHanko's verdict on one embedded signature (its `PdfSignatureStatus`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyhankoSig {
    /// The signature field's name.
    pub field_name: String,
    /// The `/SubFilter` (`/adbe.pkcs7.detached`, `/ETSI.CAdES.detached`), if read.
    pub sub_filter: Option<String>,
    /// The digest of the covered bytes matches the CMS message-digest.
    pub intact: bool,
    /// The CMS signature verifies with the signer's public key.
    pub valid: bool,
    /// The signer's certificate chains up to a given trust root.
    pub trusted: bool,
    /// The signer's certificate was found revoked.
    pub revoked: bool,
    /// How much of the file the signature covers; `None` if pyHanko could not say.
    pub coverage: Option<Coverage>,
    /// What changed after the signed revision; `None` if pyHanko could not say.
    pub modification_level: Option<ModificationLevel>,
    /// The changes agree with the document's modification policy (DocMDP);
    /// `None` if undetermined.
    pub docmdp_ok: Option<bool>,
    /// pyHanko's overall judgment (`bottom_line`): VALID if true.
    pub bottom_line: bool,
    /// The digest algorithm (`sha256`).
    pub md_algorithm: Option<String>,
    /// The signature mechanism (`sha256_rsa`, `rsassa_pss`, `sha256_ecdsa`).
    pub signature_mechanism: Option<String>,
    /// The signer's subject as pyHanko renders it.
    pub signer_subject: Option<String>,
    /// The signer's common name.
    pub signer_common_name: Option<String>,
    /// The signing time the signer claimed, ISO 8601.
    pub signing_time: Option<String>,
    /// pyHanko's AdES sub-indication when trust failed (`NO_CERTIFICATE_CHAIN_FOUND`).
    pub trust_problem: Option<String>,
    /// Whether pyHanko read the file in strict mode (false: only leniently, as
    /// `--no-strict-syntax`; always so for hybrid-reference files).
    pub strict_syntax: bool,
    /// Set when pyHanko raised instead of returning a status; every flag is then false.
    pub error: Option<String>,
    /// pyHanko's one-line summary (`INTACT:TRUSTED,UNTOUCHED`).
    pub summary: String,
    /// pyHanko's pretty-printed details (what `--pretty-print` shows), or the error.
    pub details: String,
}

impl PyhankoSig {
    /// Intact, valid, trusted, judged VALID, covering the entire file, no
    /// modification: the verdict a freshly signed file must get.
    pub fn is_fully_valid(&self) -> bool {
        self.intact
            && self.valid
            && self.trusted
            && self.bottom_line
            && self.coverage == Some(Coverage::EntireFile)
            && self.modification_level == Some(ModificationLevel::None)
            && self.error.is_none()
    }
}

/// Options of [`pyhanko_validate_with`].
#[derive(Debug, Clone, Default)]
pub struct PyhankoOptions {
    /// Trust roots (PEM or DER); none trusts nothing (`--trust-replace`).
    pub trust_roots: Vec<PathBuf>,
    /// CRLs to consult (PEM or DER).
    pub crls: Vec<PathBuf>,
    /// pyHanko's `revocation_mode`: `soft-fail` when `None`; `hard-fail` checks only
    /// the certificates that declare a CRL or OCSP source (the test PKI's declare
    /// none); `require` demands revocation evidence for every non-root certificate —
    /// give [`crls`](Self::crls) then.
    pub revocation_mode: Option<String>,
    /// The password of an encrypted file.
    pub password: Option<String>,
}

/// Validates every signature of `pdf` with pyHanko, trusting only `trust_root`
/// (no fetching, soft-fail revocation checking).
///
/// # Panics
///
/// If pyHanko is not installed or cannot read the file at all: see
/// [`pyhanko_validate_with`] for a `Result`. A signature that pyHanko rejects by
/// raising comes back with [`PyhankoSig::error`] set, not as a panic.
pub fn pyhanko_validate(pdf: impl AsRef<Path>, trust_root: impl AsRef<Path>) -> Vec<PyhankoSig> {
    let opts = PyhankoOptions {
        trust_roots: vec![trust_root.as_ref().to_path_buf()],
        ..Default::default()
    };
    pyhanko_validate_with(pdf, &opts).unwrap_or_else(|e| panic!("{e}"))
}

/// Validates every signature of `pdf` with pyHanko under `opts`; `Err` (with pyHanko's
/// message) when it cannot read the file at all.
///
/// # Panics
///
/// If pyHanko is not installed or the script fails as a whole (a bad trust root or
/// CRL path).
pub fn pyhanko_validate_with(
    pdf: impl AsRef<Path>,
    opts: &PyhankoOptions,
) -> Result<Vec<PyhankoSig>, String> {
    pyhanko_validate_batch(&[pdf], opts)
        .pop()
        .expect("one result per file")
}

/// Validates several PDFs in one run of pyHanko — importing it takes about a second,
/// validating a small file a tenth of that. One result per file, in order, as in
/// [`pyhanko_validate_with`].
///
/// # Panics
///
/// If pyHanko is not installed or the script fails as a whole (a bad trust root or
/// CRL path).
pub fn pyhanko_validate_batch<P: AsRef<Path>>(
    pdfs: &[P],
    opts: &PyhankoOptions,
) -> Vec<Result<Vec<PyhankoSig>, String>> {
    require_pyhanko();
    let paths = |v: &mut dyn Iterator<Item = &Path>| -> Vec<String> {
        v.map(|p| p.to_string_lossy().into_owned()).collect()
    };
    let request = serde_json::json!({
        "pdfs": paths(&mut pdfs.iter().map(AsRef::as_ref)),
        "trust_roots": paths(&mut opts.trust_roots.iter().map(PathBuf::as_path)),
        "crls": paths(&mut opts.crls.iter().map(PathBuf::as_path)),
        "revocation_mode": opts.revocation_mode,
        "password": opts.password,
    });
    let out = run(
        "python3",
        ["-c", PYHANKO_VALIDATE_PY, &request.to_string()],
        None,
    );
    let results: Option<Vec<Value>> = out
        .status
        .success()
        .then(|| serde_json::from_slice::<Vec<Value>>(&out.stdout).ok())
        .flatten()
        .filter(|r| r.len() == pdfs.len());
    let Some(results) = results else {
        panic!(
            "pyHanko validation failed ({}):\n{}",
            out.status,
            combined(&out)
        );
    };
    results
        .iter()
        .map(|r| match r["error"].as_str() {
            Some(e) => Err(format!("pyHanko cannot read {}: {e}", r["pdf"])),
            None => {
                let strict = r["strict_syntax"].as_bool().unwrap_or(false);
                let sigs = r["signatures"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                Ok(sigs.iter().map(|s| parse_sig(s, strict)).collect())
            }
        })
        .collect()
}

fn parse_sig(v: &Value, strict_syntax: bool) -> PyhankoSig {
    let s = |k: &str| v[k].as_str().map(str::to_owned);
    let b = |k: &str| v[k].as_bool().unwrap_or(false);
    let error = s("error");
    PyhankoSig {
        field_name: s("field").unwrap_or_default(),
        sub_filter: s("sub_filter"),
        intact: b("intact"),
        valid: b("valid"),
        trusted: b("trusted"),
        revoked: b("revoked"),
        coverage: v["coverage"].as_str().and_then(Coverage::parse),
        modification_level: v["modification_level"]
            .as_str()
            .and_then(ModificationLevel::parse),
        docmdp_ok: v["docmdp_ok"].as_bool(),
        bottom_line: b("bottom_line"),
        md_algorithm: s("md_algorithm"),
        signature_mechanism: s("signature_mechanism"),
        signer_subject: s("signer_subject"),
        signer_common_name: s("signer_common_name"),
        signing_time: s("signing_time"),
        trust_problem: s("trust_problem"),
        strict_syntax,
        summary: s("summary").unwrap_or_default(),
        details: s("details").or_else(|| error.clone()).unwrap_or_default(),
        error,
    }
}

/// What `pyhanko sign validate --pretty-print` printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyhankoCliReport {
    /// Exit code 0, at least one signature, and every one "judged VALID". (The CLI
    /// exits 0 with no output on a file without signatures: that is not ok here.)
    pub ok: bool,
    /// How many signatures the CLI judged VALID.
    pub judged_valid: usize,
    /// How many signatures the CLI judged INVALID.
    pub judged_invalid: usize,
    /// The CLI's exit code (1 when a signature is invalid).
    pub exit_code: Option<i32>,
    /// Everything it printed, stdout then stderr.
    pub output: String,
}

/// Runs pyHanko's command line as a person would:
/// `pyhanko sign validate --pretty-print --trust-replace --trust <trust_root> <pdf>`,
/// with `--no-strict-syntax` inserted when `no_strict_syntax` (needed for
/// hybrid-reference files). [`pyhanko_validate`] gives typed sub-results; this checks
/// the command that the project's documentation tells people to run.
///
/// # Panics
///
/// If the `pyhanko` command (PyPI `pyhanko-cli`) is not installed.
pub fn pyhanko_cli_validate(
    pdf: impl AsRef<Path>,
    trust_root: impl AsRef<Path>,
    no_strict_syntax: bool,
) -> PyhankoCliReport {
    let mut args: Vec<&std::ffi::OsStr> = vec!["sign".as_ref(), "validate".as_ref()];
    if no_strict_syntax {
        args.push("--no-strict-syntax".as_ref());
    }
    args.extend::<[&std::ffi::OsStr; 5]>([
        "--pretty-print".as_ref(),
        "--trust-replace".as_ref(),
        "--trust".as_ref(),
        trust_root.as_ref().as_os_str(),
        pdf.as_ref().as_os_str(),
    ]);
    let out = run("pyhanko", args, None);
    let text = String::from_utf8_lossy(&out.stdout);
    let judged_valid = text.matches("The signature is judged VALID.").count();
    let judged_invalid = text.matches("The signature is judged INVALID.").count();
    PyhankoCliReport {
        ok: out.status.success() && judged_valid > 0 && judged_invalid == 0,
        judged_valid,
        judged_invalid,
        exit_code: out.status.code(),
        output: combined(&out),
    }
}

/// The script behind [`pyhanko_ades_validate`].
pub const PYHANKO_ADES_VALIDATE_PY: &str = include_str!("../../py/ades_validate.py");

/// pyHanko's verdict on one signature under AdES validation with long-term availability.
#[derive(Debug, Clone)]
pub struct PyhankoAdes {
    /// The signature field.
    pub field: String,
    /// `AdESPassed`, `AdESIndeterminate`, `AdESFailure` (or `error`).
    pub indication: String,
    /// The sub-indication (`OK`, `NO_POE`, `REVOKED_NO_POE`, …).
    pub subindication: String,
    /// pyHanko's own bottom line for the signature.
    pub bottom_line: bool,
    /// pyHanko's message, if any.
    pub failure: Option<String>,
}

/// Validates every signature of `pdf` as ETSI EN 319 102-1 §5.6.3 asks (pyHanko's
/// `ades_lta_validation`: the document time-stamp chain as evidence record, past signature
/// validation), offline, trusting only `trust_root`, with revocation information required
/// (see `py/ades_validate.py` for why not `pyhanko sign adesverify`). `time`: an ISO 8601
/// validation time, or now.
///
/// # Panics
///
/// If pyHanko is not installed or the script fails as a whole.
pub fn pyhanko_ades_validate(
    pdf: impl AsRef<Path>,
    trust_root: impl AsRef<Path>,
    time: Option<&str>,
) -> Vec<PyhankoAdes> {
    require_pyhanko();
    let mut args: Vec<std::ffi::OsString> = vec![
        "-c".into(),
        PYHANKO_ADES_VALIDATE_PY.into(),
        pdf.as_ref().into(),
        trust_root.as_ref().into(),
    ];
    if let Some(t) = time {
        args.push(t.into());
    }
    let out = run("python3", &args, None);
    let parsed: Option<Vec<Value>> = out
        .status
        .success()
        .then(|| serde_json::from_slice(&out.stdout).ok())
        .flatten();
    let Some(sigs) = parsed else {
        panic!(
            "pyHanko AdES validation failed ({}):\n{}",
            out.status,
            combined(&out)
        );
    };
    sigs.iter()
        .map(|s| PyhankoAdes {
            field: s["field"].as_str().unwrap_or_default().to_string(),
            indication: s["indication"].as_str().unwrap_or_default().to_string(),
            subindication: s["subindication"].as_str().unwrap_or_default().to_string(),
            bottom_line: s["bottom_line"].as_bool().unwrap_or(false),
            failure: s["failure"].as_str().map(str::to_string),
        })
        .collect()
}
