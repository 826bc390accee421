//! `qpdf --check`.

use std::path::Path;

use crate::tools::{combined, run};

/// What `qpdf --check` said about a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QpdfReport {
    /// True only on exit code 0: no errors and no warnings. qpdf exits 3 when it
    /// only warns (for instance after recovering a damaged xref table): that is not
    /// ok here, since a signer's output must not need recovering.
    pub ok: bool,
    /// qpdf's exit code (0 ok, 2 errors, 3 warnings), `None` if killed by a signal.
    pub exit_code: Option<i32>,
    /// Everything qpdf printed, stdout then stderr.
    pub output: String,
}

/// Runs `qpdf --check <path>`.
///
/// # Panics
///
/// If `qpdf` is not installed.
pub fn qpdf_check(path: impl AsRef<Path>) -> QpdfReport {
    let out = run(
        "qpdf",
        [std::ffi::OsStr::new("--check"), path.as_ref().as_os_str()],
        None,
    );
    QpdfReport {
        ok: out.status.code() == Some(0),
        exit_code: out.status.code(),
        output: combined(&out),
    }
}
