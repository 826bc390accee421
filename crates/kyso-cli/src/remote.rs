//! `kyso sign --csc URL --credential ID`: signing through a remote signing service that speaks
//! the Cloud Signature Consortium API v2 (kyso_token::remote::csc). The OAuth2 access token and
//! the credential PIN come from environment variables or files, never from arguments.

use std::path::PathBuf;

use clap::Args;
use kyso_token::remote::{AccessToken, CscClient, CscSession, CscSigner, HttpClient, HttpConfig};

use crate::error::CliError;
use crate::password::PasswordSource;

/// Options selecting a CSC remote signing service.
#[derive(Args, Debug)]
pub(crate) struct CscArgs {
    /// Base URL of the CSC v2 service (before the method names), e.g.
    /// `https://rssp.example.vn/csc/v2`.
    #[arg(
        long,
        value_name = "URL",
        group = "KeyArgs",
        conflicts_with_all = ["p12", "key", "cert", "chain", "module"],
        requires = "credential"
    )]
    pub(crate) csc: Option<String>,
    /// The credential (signing key) id at the service.
    #[arg(long, value_name = "ID", requires = "csc")]
    credential: Option<String>,
    /// Environment variable holding the OAuth2 access token.
    #[arg(
        long,
        value_name = "VAR",
        requires = "csc",
        conflicts_with = "access_token_file"
    )]
    access_token_env: Option<String>,
    /// File whose first line is the OAuth2 access token.
    #[arg(long, value_name = "FILE", requires = "csc")]
    access_token_file: Option<PathBuf>,
    /// Environment variable holding the credential PIN (if the service asks for one).
    #[arg(
        long,
        value_name = "VAR",
        requires = "csc",
        conflicts_with = "csc_pin_file"
    )]
    csc_pin_env: Option<String>,
    /// File whose first line is the credential PIN.
    #[arg(long, value_name = "FILE", requires = "csc")]
    csc_pin_file: Option<PathBuf>,
    /// Extra root CA (PEM) the service's TLS certificate chains to.
    #[arg(long, value_name = "PEM", requires = "csc")]
    csc_ca: Option<PathBuf>,
    /// Allow plain http to a loopback address (tests and local gateways only).
    #[arg(long, requires = "csc")]
    csc_allow_loopback_http: bool,
}

/// The CSC signer `--csc` asked for, or `None` without it.
pub(crate) fn open_signer(args: &CscArgs) -> Result<Option<CscSigner>, CliError> {
    let Some(url) = &args.csc else {
        return Ok(None);
    };
    let credential = args
        .credential
        .as_deref()
        .ok_or_else(|| CliError::Usage("--csc needs --credential ID".into()))?;
    let token_source = PasswordSource::from_args(
        args.access_token_env.as_deref(),
        args.access_token_file.as_deref(),
    );
    let token = token_source.get("OAuth2 access token: ")?;
    let mut config = HttpConfig::new().allow_insecure_loopback(args.csc_allow_loopback_http);
    if let Some(ca) = &args.csc_ca {
        let pem = std::fs::read(ca).map_err(|e| CliError::Read {
            path: ca.clone(),
            source: e,
        })?;
        config = config.with_root_certificates(&pem)?;
    }
    let client = CscClient::new(
        HttpClient::new(&config),
        url,
        AccessToken::new(token.as_str()),
    )?;
    let mut session = CscSession::open(client, credential)?;
    if args.csc_pin_env.is_some() || args.csc_pin_file.is_some() {
        let pin =
            PasswordSource::from_args(args.csc_pin_env.as_deref(), args.csc_pin_file.as_deref())
                .get("Credential PIN: ")?;
        session = session.with_pin(pin.as_str());
    }
    Ok(Some(CscSigner::new(session)))
}
