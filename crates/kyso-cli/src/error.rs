//! The errors of the `kyso` command and their exit codes.

use std::path::PathBuf;

/// Everything a `kyso` command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line is inconsistent.
    #[error("{0}")]
    Usage(String),
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
}

impl CliError {
    /// The process exit code: 2 for usage errors (as clap uses), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => 2,
            _ => 1,
        }
    }
}
