//! `kyso verify FILE.pdf --trust ROOT.pem [--json] [--lang vi] [--max-changes LEVEL]
//! [--accept-sha1] [--min-rsa-bits N] [--password-env VAR | --password-file FILE]`: validates
//! every signature and exits 0 only when every one is VALID.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use kyso_cert::Certificate;
use kyso_pdf::verify::{
    CryptoPolicy, Lang, ModificationLevel, Password, ValidationOptions, Verdict, render_text,
    validate_file,
};

use crate::error::CliError;

/// Arguments of `kyso verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The signed PDF; `-` reads standard input.
    pub input: PathBuf,
    /// Trust anchor: a PEM/DER certificate file (several allowed) or a folder of them.
    #[arg(long, required = true)]
    pub trust: Vec<PathBuf>,
    /// Extra intermediate CA certificates (PEM/DER file or folder).
    #[arg(long)]
    pub intermediates: Vec<PathBuf>,
    /// Print the JSON report (schema: crates/kyso-pdf/schema/verify-report.schema.json).
    #[arg(long)]
    pub json: bool,
    /// Language of the text report.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// The most a change after a signature may do for it to stay VALID, on top of what the
    /// document's own permissions allow (default: what they allow).
    #[arg(long, value_enum)]
    pub max_changes: Option<MaxChanges>,
    /// Accept SHA-1 signatures (otherwise INDETERMINATE: crypto constraints).
    #[arg(long)]
    pub accept_sha1: bool,
    /// Smallest RSA key accepted, in bits (smaller ones are INDETERMINATE).
    #[arg(long, default_value_t = 2048)]
    pub min_rsa_bits: u32,
    /// The password of an encrypted PDF, from this environment variable (without one, the
    /// empty user password is tried, which opens most encrypted documents).
    #[arg(long, conflicts_with = "password_file")]
    pub password_env: Option<String>,
    /// The password of an encrypted PDF, from the first line of this file.
    #[arg(long)]
    pub password_file: Option<PathBuf>,
    /// Fetch revocation evidence the file lacks from the certificates' OCSP responders and CRL
    /// distribution points (default: offline, only what the file's DSS holds).
    #[arg(long)]
    pub online: bool,
}

/// What later changes a portal accepts after a signature.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum MaxChanges {
    /// No change at all after the signed revision.
    None,
    /// Only signature maintenance: DSS and document timestamps.
    Signatures,
    /// Also further signatures and form filling.
    FormFill,
    /// Also annotations.
    Annotations,
}

impl From<MaxChanges> for ModificationLevel {
    fn from(m: MaxChanges) -> Self {
        match m {
            MaxChanges::None => ModificationLevel::None,
            MaxChanges::Signatures => ModificationLevel::LtaUpdates,
            MaxChanges::FormFill => ModificationLevel::FormFilling,
            MaxChanges::Annotations => ModificationLevel::Annotations,
        }
    }
}

/// Report languages.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LangArg {
    /// English.
    En,
    /// Tiếng Việt.
    Vi,
}

/// Runs `kyso verify`: the document's verdict (VALID only when every signature is).
pub fn run(args: &VerifyArgs) -> Result<Verdict, CliError> {
    let mut options = ValidationOptions::new(load_certificates(&args.trust)?);
    options.intermediates = load_certificates(&args.intermediates)?;
    options.max_changes = args.max_changes.map(ModificationLevel::from);
    let source = crate::password::PasswordSource::from_args(
        args.password_env.as_deref(),
        args.password_file.as_deref(),
    );
    if source.is_given() {
        let password = source.get("")?;
        options.password = Some(Password::new(password.as_bytes()));
    }
    options.crypto = CryptoPolicy::default()
        .accept_sha1(args.accept_sha1)
        .min_rsa_bits(args.min_rsa_bits);
    if args.online {
        options.revocation.fetch = true;
        options.fetcher = Some(std::sync::Arc::new(
            kyso_token::remote::HttpRevocationFetcher::new(),
        ));
    }
    let input = crate::stdio::Input::open(&args.input)?;
    let report = validate_file(input.path(), &options)?;
    if args.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| CliError::Usage(format!("cannot render the report: {e}")))?;
        crate::stdio::print(&format!("{json}\n"))?;
    } else {
        let lang = match args.lang {
            LangArg::En => Lang::En,
            LangArg::Vi => Lang::Vi,
        };
        crate::stdio::print(&render_text(&report, lang))?;
    }
    Ok(report.verdict)
}

/// Reads certificates from files and folders (every file in a folder that parses).
pub(crate) fn load_certificates(paths: &[PathBuf]) -> Result<Vec<Certificate>, CliError> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| read_error(path, e))?;
            let mut files: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            files.sort();
            for file in files.iter().filter(|f| f.is_file()) {
                let bytes = std::fs::read(file).map_err(|e| read_error(file, e))?;
                if let Ok(certs) = Certificate::all_from_der_or_pem(&bytes) {
                    out.extend(certs);
                }
            }
        } else {
            let bytes = std::fs::read(path).map_err(|e| read_error(path, e))?;
            out.extend(
                Certificate::all_from_der_or_pem(&bytes)
                    .map_err(|e| CliError::Certificate(path.clone(), Box::new(e)))?,
            );
        }
    }
    Ok(out)
}

fn read_error(path: &Path, source: std::io::Error) -> CliError {
    CliError::Read {
        path: path.to_path_buf(),
        source,
    }
}
