//! Standard input and output as a Unix tool uses them: text is built, then written in one go,
//! and a closed pipe (`kyso verify … --json | head -1`) ends the command quietly instead of a
//! panic; `-` as a file name is standard input for an input and standard output for `-o`.
//! The libraries work on seekable files (a PDF is read from its end), so standard input is
//! first spooled to a temporary file, and an output for standard output is written to one and
//! then copied out.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::CliError;

/// Appends one formatted line to a `String` (formatting into a `String` cannot fail).
macro_rules! outln {
    ($out:expr) => {
        $out.push('\n')
    };
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}
pub(crate) use outln;

/// Writes `text` to standard output and flushes it.
///
/// # Errors
///
/// [`CliError::ClosedStdout`] when the reader has gone (EPIPE), [`CliError::Write`] for other
/// failures.
pub(crate) fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

/// The error of a failed write to standard output: [`CliError::ClosedStdout`] for EPIPE.
pub(crate) fn stdout_error(e: std::io::Error) -> CliError {
    match e.kind() {
        std::io::ErrorKind::BrokenPipe => CliError::ClosedStdout,
        _ => CliError::Write {
            path: "-".into(),
            source: e,
        },
    }
}

/// Whether `path` is `-`.
pub(crate) fn is_dash(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// An input file: the path given, or standard input spooled to a temporary file (removed when
/// this is dropped).
pub(crate) struct Input {
    path: PathBuf,
    _spool: Option<tempfile::TempPath>,
}

impl Input {
    /// `path`, or standard input spooled when `path` is `-`.
    pub(crate) fn open(path: &Path) -> Result<Self, CliError> {
        if !is_dash(path) {
            return Ok(Self {
                path: path.to_path_buf(),
                _spool: None,
            });
        }
        let spool_err = |e: std::io::Error| CliError::Read {
            path: "-".into(),
            source: e,
        };
        let mut tmp = tempfile::NamedTempFile::new().map_err(spool_err)?;
        std::io::copy(&mut std::io::stdin().lock(), tmp.as_file_mut()).map_err(spool_err)?;
        let spool = tmp.into_temp_path();
        Ok(Self {
            path: spool.to_path_buf(),
            _spool: Some(spool),
        })
    }

    /// Where to read it.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// An output file: the path given, or a temporary file whose bytes go to standard output when
/// [`Output::finish`] is called.
pub(crate) struct Output {
    path: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl Output {
    /// `path`, or a temporary one for standard output when `path` is `-`.
    pub(crate) fn create(path: &Path) -> Result<Self, CliError> {
        if !is_dash(path) {
            return Ok(Self {
                path: path.to_path_buf(),
                _dir: None,
            });
        }
        let dir = tempfile::tempdir().map_err(|e| CliError::Write {
            path: "-".into(),
            source: e,
        })?;
        Ok(Self {
            path: dir.path().join("output"),
            _dir: Some(dir),
        })
    }

    /// Where the command writes.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// How to name it in messages.
    pub(crate) fn name(&self) -> String {
        match self._dir {
            Some(_) => "standard output".into(),
            None => self.path.display().to_string(),
        }
    }

    /// Copies a standard-output file out (nothing for a named file).
    ///
    /// # Errors
    ///
    /// [`CliError::ClosedStdout`], [`CliError::Read`] / [`CliError::Write`].
    pub(crate) fn finish(self) -> Result<(), CliError> {
        if self._dir.is_none() {
            return Ok(());
        }
        let mut file = std::fs::File::open(&self.path).map_err(|e| CliError::Read {
            path: self.path.clone(),
            source: e,
        })?;
        let mut out = std::io::stdout().lock();
        std::io::copy(&mut file, &mut out)
            .and_then(|_| out.flush())
            .map_err(crate::stdio::stdout_error)?;
        Ok(())
    }
}
