//! Where a key password comes from: an environment variable, a file, or a silent prompt —
//! never a command-line argument. Passwords live in zeroizing buffers and are never printed.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::error::CliError;

/// The source the user chose for a password.
#[derive(Debug)]
pub enum PasswordSource {
    /// `--password-env VAR`.
    Env(String),
    /// `--password-file FILE`: the first line, without its line ending.
    File(PathBuf),
    /// Neither: ask on the terminal without echo.
    Prompt,
}

impl PasswordSource {
    /// The source named by the command-line options.
    pub fn from_args(env: Option<&str>, file: Option<&Path>) -> Self {
        match (env, file) {
            (Some(var), _) => Self::Env(var.to_string()),
            (None, Some(path)) => Self::File(path.to_path_buf()),
            (None, None) => Self::Prompt,
        }
    }

    /// Whether the user named a source explicitly.
    pub fn is_given(&self) -> bool {
        !matches!(self, Self::Prompt)
    }

    /// Reads the password; `prompt` is shown only when asking on the terminal.
    pub fn get(&self, prompt: &str) -> Result<Zeroizing<String>, CliError> {
        match self {
            Self::Env(var) => std::env::var(var)
                .map(Zeroizing::new)
                .map_err(|_| CliError::Password(format!("environment variable {var} is not set"))),
            Self::File(path) => {
                let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
                    CliError::Read {
                        path: path.clone(),
                        source: e,
                    }
                })?);
                let line = text.lines().next().unwrap_or_default();
                Ok(Zeroizing::new(line.to_string()))
            }
            Self::Prompt => rpassword::prompt_password(prompt)
                .map(Zeroizing::new)
                .map_err(|_| {
                    CliError::Password(
                        "no terminal to ask for the password: use --password-env VAR or --password-file FILE"
                            .into(),
                    )
                }),
        }
    }
}
