//! The service's configuration: a TOML file, every setting with a default but the trust
//! anchors.
//!
//! The smallest file:
//!
//! ```toml
//! listen = "127.0.0.1:8080"
//! trust = ["root.pem"]
//! state_key_file = "state.key"
//! ```
//!
//! Relative paths are read from the configuration file's folder.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use kyso_pdf::verify::ModificationLevel;
use serde::Deserialize;

use crate::{Error, Result};

/// `kyso serve`'s settings (see the crate documentation for each one's default).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on (default `127.0.0.1:8080`).
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Trust anchors: PEM/DER certificate files or folders of them (required, at least one).
    pub trust: Vec<PathBuf>,
    /// Intermediate CA certificates offered to path building (default none).
    #[serde(default)]
    pub intermediates: Vec<PathBuf>,
    /// The key that seals deferred-signing state: a file of exactly 32 random bytes, the
    /// same on every replica (`head -c 32 /dev/urandom > state.key`). Read at start so a
    /// missing or short key stops the service before it takes requests.
    pub state_key_file: PathBuf,
    /// How long a prepared signature may wait for its signature, in seconds (default 600):
    /// `/v1/sign/finish` answers 410 for a state older than this.
    #[serde(default = "default_state_ttl")]
    pub state_ttl_secs: u64,
    /// A folder every replica can write (a shared volume), where finished states are
    /// remembered until they expire so that none is finished twice on any replica. Default
    /// none: each replica remembers in its own memory, which stops replays to the same
    /// replica only.
    #[serde(default)]
    pub replay_dir: Option<PathBuf>,
    /// Largest request body accepted, in bytes (default 32 MiB); larger ones get 413.
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    /// Time one request may take, in seconds (default 60); then 503.
    #[serde(default = "default_timeout")]
    pub request_timeout_secs: u64,
    /// Verifications running at once (default: two per core); more wait in a queue.
    #[serde(default)]
    pub max_concurrent_verifications: Option<usize>,
    /// Verifications that may wait for a slot (default 64); past it, 503 with `Retry-After`.
    #[serde(default = "default_max_queued")]
    pub max_queued_verifications: usize,
    /// Validation policy applied to every request.
    #[serde(default)]
    pub policy: PolicyConfig,
    /// `/v1/sign/prepare` refuses (422) a signer whose certificate does not chain, with the
    /// chain sent and `intermediates`, to a `trust` anchor for document signing now (default
    /// true): a signature the service's own verification would not call VALID is refused
    /// before the citizen enters a PIN.
    #[serde(default = "default_true")]
    pub trusted_signers_only: bool,
    /// A time-stamping authority (RFC 3161 over HTTP or HTTPS): signatures made by
    /// `/v1/sign/finish` and `/v1/sign` get a signature time-stamp — PAdES B-T. Default none:
    /// B-B. Every replica should name the same (the room for the token is reserved at
    /// prepare).
    #[serde(default)]
    pub tsa_url: Option<String>,
    /// Extra root CA certificates (PEM) the TSA's HTTPS certificate may chain to.
    #[serde(default)]
    pub tsa_ca_file: Option<PathBuf>,
    /// Serve the upload page at `/` (default true).
    #[serde(default = "default_true")]
    pub upload_page: bool,
    /// The seal signer of `/v1/sign` (`[seal]`); none: the route answers 404.
    #[serde(default)]
    pub seal: Option<crate::SealConfig>,
}

/// The validation policy of the service (`[policy]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// The most a change after a signature may do for it to stay VALID (`none`,
    /// `lta-updates`, `form-filling`, `annotations`; default: what the document's own
    /// permissions allow). A request may ask for less (`?max_changes=none`), never more.
    #[serde(default)]
    pub max_changes: Option<ModificationLevelName>,
    /// Accept SHA-1 signatures (default false: INDETERMINATE).
    #[serde(default)]
    pub accept_sha1: bool,
    /// Smallest RSA key accepted, in bits (default 2048).
    #[serde(default = "default_min_rsa_bits")]
    pub min_rsa_bits: u32,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            max_changes: None,
            accept_sha1: false,
            min_rsa_bits: default_min_rsa_bits(),
        }
    }
}

/// A [`ModificationLevel`] by its name in the JSON report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModificationLevelName {
    /// No change after the signed revision.
    None,
    /// Only DSS and document time-stamps.
    LtaUpdates,
    /// Also further signatures and form filling.
    FormFilling,
    /// Also annotations.
    Annotations,
}

impl From<ModificationLevelName> for ModificationLevel {
    fn from(n: ModificationLevelName) -> Self {
        match n {
            ModificationLevelName::None => Self::None,
            ModificationLevelName::LtaUpdates => Self::LtaUpdates,
            ModificationLevelName::FormFilling => Self::FormFilling,
            ModificationLevelName::Annotations => Self::Annotations,
        }
    }
}

impl Config {
    /// Reads a configuration file; relative paths in it are taken from its folder.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the file cannot be read or is not a valid configuration.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        let mut config = Self::from_toml(&text).map_err(|e| match e {
            Error::Config { reason, .. } => Error::Config {
                path: path.to_owned(),
                reason,
            },
            other => other,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let rebase = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        config.trust.iter_mut().for_each(rebase);
        config.intermediates.iter_mut().for_each(rebase);
        rebase(&mut config.state_key_file);
        if let Some(folder) = &mut config.replay_dir {
            rebase(folder);
        }
        if let Some(ca) = &mut config.tsa_ca_file {
            rebase(ca);
        }
        if let Some(seal) = &mut config.seal {
            seal.paths_mut().for_each(rebase);
        }
        Ok(config)
    }

    /// Parses a configuration from TOML text (paths as written).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming what is wrong.
    pub fn from_toml(text: &str) -> Result<Self> {
        let config: Self = toml::from_str(text).map_err(|e| Error::Config {
            path: PathBuf::from("<config>"),
            reason: e.to_string(),
        })?;
        if config.trust.is_empty() {
            return Err(Error::Config {
                path: PathBuf::from("<config>"),
                reason: "`trust` names no trust anchor".into(),
            });
        }
        Ok(config)
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

fn default_max_body() -> usize {
    32 << 20
}

fn default_true() -> bool {
    true
}

fn default_state_ttl() -> u64 {
    600
}

fn default_max_queued() -> usize {
    64
}

fn default_timeout() -> u64 {
    60
}

fn default_min_rsa_bits() -> u32 {
    2048
}
