//! The errors of the `kyso` command and their exit codes.

use std::path::PathBuf;

/// Everything a `kyso` command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line is inconsistent.
    #[error("{0}")]
    Usage(String),
    /// `kyso serve` could not start or stopped serving.
    #[error(transparent)]
    Serve(kyso_server::Error),
    /// A file named on the command line could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Writing the demo folder failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// No password could be obtained.
    #[error("password: {0}")]
    Password(String),
    /// A certificate file could not be parsed.
    #[error("cannot read a certificate from {0}: {1}")]
    Certificate(PathBuf, Box<kyso_cert::Error>),
    /// Loading the key or certificate failed.
    #[error(transparent)]
    Token(#[from] kyso_token::Error),
    /// Reading or signing the PDF failed.
    #[error(transparent)]
    Pdf(#[from] kyso_pdf::Error),
    /// A time-stamp could not be made or read.
    #[error(transparent)]
    Cms(#[from] kyso_cms::Error),
    /// Standard output was closed by its reader (`| head`): the command ends quietly.
    #[error("standard output was closed")]
    ClosedStdout,
}

/// Exit codes, as `kyso --help` lists them.
pub mod exit {
    /// Every signature (or time-stamp) VALID; any other command done.
    pub const OK: u8 = 0;
    /// A signature (or time-stamp, or detached CMS) is INVALID.
    pub const INVALID: u8 = 1;
    /// The command line is wrong (clap's code too).
    pub const USAGE: u8 = 2;
    /// No signature INVALID, but one is INDETERMINATE (no trust anchor, no revocation
    /// evidence, a weak algorithm).
    pub const INDETERMINATE: u8 = 3;
    /// An input could not be read, an output written, a service reached, a file signed or
    /// extended (in a batch: at least one file failed).
    pub const ERROR: u8 = 4;
}

impl CliError {
    /// The process exit code: [`exit::USAGE`] for usage errors, [`exit::OK`] when only
    /// standard output was closed, [`exit::ERROR`] otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => exit::USAGE,
            Self::ClosedStdout => exit::OK,
            _ => exit::ERROR,
        }
    }
}
