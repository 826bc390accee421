//! RFC 3161 from the command line: `--tsa URL` for `kyso sign` (PAdES B-T), `kyso timestamp
//! FILE -o FILE.tsr` (a detached time-stamp for any file) and `kyso verify-timestamp`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use kyso_cms::DigestAlgorithm;
use kyso_cms::tsp::{TimeStampRequest, TimeStampResponse, TimestampAuthority};
use kyso_token::remote::{HttpConfig, HttpTimestampAuthority, TsaCredentials};
use zeroize::Zeroizing;

use crate::error::CliError;
use crate::stdio::outln;
use kyso_pdf::verify::Verdict;

/// The PAdES baseline level to sign at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum Level {
    /// B-B: the signature.
    #[default]
    #[value(name = "B-B")]
    BB,
    /// B-T: the signature time-stamped by --tsa.
    #[value(name = "B-T")]
    BT,
    /// B-LT: B-T plus validation data in a DSS.
    #[value(name = "B-LT")]
    BLt,
    /// B-LTA: B-LT plus a document time-stamp.
    #[value(name = "B-LTA")]
    BLta,
}

impl Level {
    /// The level to extend a signed file to after signing (B-T is reached by signing with a
    /// TSA; B-LT and B-LTA by [`kyso_pdf::extend_file`] then), or for `kyso extend`; `None`
    /// for B-B.
    pub(crate) fn extension(self) -> Option<kyso_pdf::Level> {
        match self {
            Level::BB => None,
            Level::BT => Some(kyso_pdf::Level::BT),
            Level::BLt => Some(kyso_pdf::Level::BLt),
            Level::BLta => Some(kyso_pdf::Level::BLta),
        }
    }
}

/// Where to get time-stamps.
#[derive(Args, Debug, Default)]
pub(crate) struct TsaArgs {
    /// An RFC 3161 time-stamping authority (http:// or https://); signing with it is B-T.
    #[arg(long, value_name = "URL")]
    tsa: Option<String>,
    /// Read the TSA's HTTP basic credentials, "user:password", from this environment variable.
    #[arg(long, value_name = "VAR", requires = "tsa")]
    tsa_credentials_env: Option<String>,
}

impl TsaArgs {
    /// The TSA, if one was named.
    pub(crate) fn authority(&self) -> Result<Option<Arc<dyn TimestampAuthority>>, CliError> {
        let Some(url) = &self.tsa else {
            return Ok(None);
        };
        let credentials = match &self.tsa_credentials_env {
            Some(var) => {
                let value = Zeroizing::new(std::env::var(var).map_err(|_| {
                    CliError::Usage(format!("--tsa-credentials-env: {var} is not set"))
                })?);
                let (user, password) = value.split_once(':').ok_or_else(|| {
                    CliError::Usage(format!("--tsa-credentials-env: {var} is not user:password"))
                })?;
                Some(TsaCredentials::Basic {
                    user: user.to_string(),
                    password: Zeroizing::new(password.to_string()),
                })
            }
            None => None,
        };
        let tsa = HttpTimestampAuthority::new(url, &HttpConfig::new(), credentials)?;
        Ok(Some(Arc::new(tsa)))
    }

    /// The TSA for signing at `level`: required for B-T, B-LT and B-LTA.
    pub(crate) fn for_level(
        &self,
        level: Option<Level>,
    ) -> Result<Option<Arc<dyn TimestampAuthority>>, CliError> {
        let level = level.unwrap_or(if self.tsa.is_some() {
            Level::BT
        } else {
            Level::BB
        });
        match level {
            Level::BT | Level::BLt | Level::BLta if self.tsa.is_none() => Err(CliError::Usage(
                "--level B-T, B-LT and B-LTA need --tsa URL".into(),
            )),
            Level::BB if self.tsa.is_some() => Err(CliError::Usage(
                "--tsa time-stamps the signature: that is --level B-T".into(),
            )),
            _ => self.authority(),
        }
    }
}

/// `kyso timestamp FILE -o FILE.tsr --tsa URL`.
#[derive(Args, Debug)]
pub(crate) struct TimestampArgs {
    /// The file to time-stamp (never modified); `-` reads standard input.
    input: PathBuf,
    /// Where to write the RFC 3161 response (.tsr, what `openssl ts -reply` writes), or the
    /// time-stamped PDF with --document; `-` writes standard output.
    #[arg(short, long)]
    output: PathBuf,
    /// Add a document time-stamp to the PDF (/SubFilter ETSI.RFC3161, by incremental update:
    /// earlier signatures stay valid) instead of writing a detached .tsr.
    #[arg(long)]
    document: bool,
    #[command(flatten)]
    tsa: TsaArgs,
}

/// `kyso verify-timestamp FILE.tsr --data FILE --trust ROOT.pem`.
#[derive(Args, Debug)]
pub(crate) struct VerifyTimestampArgs {
    /// The RFC 3161 response (.tsr) or token.
    input: PathBuf,
    /// The file it time-stamps.
    #[arg(long)]
    data: PathBuf,
    /// Trust anchors for the TSA (PEM or DER files, or folders of them).
    #[arg(long, required = true)]
    trust: Vec<PathBuf>,
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::Read {
        path: path.to_path_buf(),
        source: e,
    })
}

/// Time-stamps a file and writes the response atomically.
pub(crate) fn run(args: &TimestampArgs) -> Result<(), CliError> {
    let tsa = args
        .tsa
        .authority()?
        .ok_or_else(|| CliError::Usage("kyso timestamp needs --tsa URL".into()))?;
    let input = crate::stdio::Input::open(&args.input)?;
    let output = crate::stdio::Output::create(&args.output)?;
    if args.document {
        kyso_pdf::PdfSigner::new(kyso_pdf::SignOptions::default()).timestamp_file(
            input.path(),
            output.path(),
            tsa.as_ref(),
        )?;
        eprintln!(
            "added a document time-stamp from {} to {} -> {}",
            tsa.name(),
            args.input.display(),
            output.name()
        );
        return output.finish();
    }
    let data = read(input.path())?;
    let request = TimeStampRequest::for_data(DigestAlgorithm::Sha256, &data).with_random_nonce()?;
    let answer = kyso_cms::tsp::ask(tsa.as_ref(), &request)?;
    let info = answer.info;
    let write_err = |e: std::io::Error| CliError::Write {
        path: args.output.clone(),
        source: e,
    };
    kyso_pdf::output::write_atomically(output.path(), &answer.response, false)
        .map_err(write_err)?;
    eprintln!(
        "time-stamped {} at {} by {} -> {}",
        args.input.display(),
        rfc3339(info.gen_time),
        info.tsa.subject().display(),
        output.name()
    );
    output.finish()
}

/// Verifies a response or token for a file: VALID when it holds and the TSA is trusted,
/// INDETERMINATE when it holds but the TSA is not trusted, INVALID when it does not hold.
pub(crate) fn verify(args: &VerifyTimestampArgs) -> Result<Verdict, CliError> {
    let bytes = read(&args.input)?;
    let token = match TimeStampResponse::from_der(&bytes) {
        Ok(response) => response.into_token()?,
        Err(_) => kyso_cms::tsp::TimeStampToken::from_der(&bytes)?,
    };
    let anchors = crate::verify::load_certificates(&args.trust)?;
    let info = match token.verify_data(&read(&args.data)?) {
        Ok(info) => info,
        Err(e) => {
            crate::stdio::print(&format!("time-stamp: INVALID ({e})\n"))?;
            return Ok(Verdict::Invalid);
        }
    };
    let store = kyso_cert::TrustStore::from_anchors(anchors);
    let policy = kyso_cert::ValidationPolicy::timestamping(std::time::SystemTime::now());
    let path = kyso_cert::validate_path(&info.tsa, &info.certificates, &store, &policy);
    let mut out = String::new();
    outln!(out, "time: {}", rfc3339(info.gen_time));
    outln!(out, "tsa: {}", info.tsa.subject().display());
    let verdict = match path {
        Ok(p) => {
            outln!(out, "trust: trusted ({})", p.anchor.subject().display());
            outln!(out, "time-stamp: VALID");
            Verdict::Valid
        }
        Err(e) => {
            outln!(out, "trust: not trusted ({e})");
            outln!(out, "time-stamp: INDETERMINATE");
            Verdict::Indeterminate
        }
    };
    crate::stdio::print(&out)?;
    Ok(verdict)
}

fn rfc3339(t: std::time::SystemTime) -> String {
    kyso_pdf::verify::rfc3339(t)
}
