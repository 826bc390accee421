//! The external validators, run for real, with typed results.
//!
//! | function | tool | checks |
//! | --- | --- | --- |
//! | [`qpdf_check`] | `qpdf --check` | the file's syntax and structure |
//! | [`pyhanko_validate`] | pyHanko's `validate_pdf_signature` ([`PYHANKO_VALIDATE_PY`]) | integrity, trust, coverage, modification analysis (DocMDP) |
//! | [`pyhanko_cli_validate`] | `pyhanko sign validate --pretty-print --trust-replace --trust ROOT` | the same, through the command people run |
//! | [`pdfsig_verify`] | poppler's `pdfsig -nssdir sql:DIR` | signature and certificate validation through NSS |
//! | [`openssl_cms_verify`] | `openssl cms -verify` | the CMS over the bytes its `/ByteRange` names |
//!
//! Each result keeps the tool's raw output for failure messages. A missing tool
//! panics (`qpdf not installed: run scripts/test.sh`): a validator never passes by
//! not running.

mod openssl;
mod pdfsig;
mod pyhanko;
mod qpdf;

pub(crate) use openssl::byte_ranges;
pub use openssl::{SignatureBytes, extract_signature, openssl_cms_verify};
pub use pdfsig::{PdfsigSig, parse_pdfsig_output, pdfsig_verify};
pub use pyhanko::{
    Coverage, ModificationLevel, PYHANKO_ADES_VALIDATE_PY, PYHANKO_VALIDATE_PY, PyhankoAdes,
    PyhankoCliReport, PyhankoOptions, PyhankoSig, pyhanko_ades_validate, pyhanko_cli_validate,
    pyhanko_validate, pyhanko_validate_batch, pyhanko_validate_with,
};
pub use qpdf::{QpdfReport, qpdf_check};
