//! The `kyso` command line: PAdES signing of PDF documents (verification follows).
//!
//! ```text
//! kyso demo [--dir DIR]
//! kyso sign IN.pdf -o OUT.pdf --p12 ID.p12 [--password-env VAR | --password-file F]
//! kyso sign IN.pdf -o OUT.pdf --key KEY.pem --cert CERT.pem [--chain CHAIN.pem]
//! kyso sign IN.pdf -o OUT.pdf --module PKCS11.so [--token LABEL] [--key-label L | --key-id HEX | --cert-subject S] [--pin-env VAR | --pin-file F]
//! kyso tokens --module PKCS11.so [--login] [--json]
//! kyso sign IN.pdf -o OUT.pdf --csc URL --credential ID --access-token-env VAR [--csc-pin-env VAR]
//! kyso sign-batch FILES|DIRS… -o OUTDIR (key options as for sign)
//! kyso verify FILE.pdf --trust ROOT.pem [--json] [--lang vi]
//! kyso verify-cms DATA SIG.p7s [--json]
//! ```
//!
//! Passwords never come as plain arguments (they would show in `ps` and shell history): from
//! an environment variable, a file, or a prompt that does not echo.
#![forbid(unsafe_code)]

mod batch;
mod demo;
mod error;
mod extend;
mod password;
mod remote;
mod serve;
mod stdio;
mod timestamp;
mod tokens;
mod verify;
mod verify_cms;
mod visible;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use clap::{Args, Parser, Subcommand, ValueEnum};
use kyso_cms::{DigestAlgorithm, Signer};
use kyso_pdf::{PdfSigner, SignOptions, SubFilter};
use kyso_token::SoftwareSigner;

use kyso_pdf::verify::Verdict;

use crate::error::{CliError, exit};
use crate::password::PasswordSource;

/// kyso — digital signatures for PDF documents (PAdES), for Vietnamese e-government.
#[derive(Parser, Debug)]
#[command(
    name = "kyso",
    version,
    about,
    long_about = None,
    after_help = "Exit codes: 0 every signature VALID (or the command done), 1 a signature \
                  INVALID, 2 usage error, 3 INDETERMINATE (none INVALID), 4 an input, output, \
                  service or file that failed (in a batch: at least one file).\n\n\
                  Environment: KYSO_CRYPTO_PROVIDER=aws-lc-rs|rustcrypto chooses the crypto \
                  provider (default: aws-lc-rs when built in)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Sign a PDF by incremental update (PAdES B-B; B-T, B-LT, B-LTA with --tsa).
    Sign(Box<SignArgs>),
    /// Raise signed PDFs to PAdES B-T, B-LT or B-LTA (validation data, document time-stamps).
    Extend(extend::ExtendArgs),
    /// Time-stamp any file at an RFC 3161 authority: writes the response (.tsr).
    Timestamp(timestamp::TimestampArgs),
    /// Check an RFC 3161 time-stamp (.tsr) over a file, and its authority's trust.
    VerifyTimestamp(timestamp::VerifyTimestampArgs),
    /// Sign many PDFs with one key; a failure is reported and the others go on.
    SignBatch(Box<batch::SignBatchArgs>),
    /// Validate every signature of a PDF; exit 0 only when all are VALID.
    Verify(verify::VerifyArgs),
    /// Check a detached CMS signature (.p7s) over a file; exit 0 when it holds (trust not checked).
    VerifyCms(verify_cms::VerifyCmsArgs),
    /// Serve portals over HTTP: verification, deferred signing, the organisation's seal and an
    /// upload page (POST /v1/verify, /v1/sign/prepare, /v1/sign/finish, /v1/sign; GET /).
    Serve(serve::ServeArgs),
    /// List the tokens a PKCS#11 module sees, with their certificates and keys.
    Tokens(tokens::TokensArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff, for `man -l -`) on stdout.
    Man,
    /// Create the demo identity in a folder and sign a bundled sample PDF with it.
    Demo {
        /// Folder to write the demo identity and the signed sample into.
        #[arg(long, default_value = "kyso-demo")]
        dir: PathBuf,
    },
}

#[derive(Args, Debug)]
struct SignArgs {
    /// The PDF to sign (never modified); `-` reads standard input.
    input: PathBuf,
    /// Where to write the signed PDF (must differ from the input); `-` writes standard output.
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    password: PasswordArgs,
    #[command(flatten)]
    token: tokens::TokenArgs,
    #[command(flatten)]
    csc: remote::CscArgs,
    #[command(flatten)]
    placement: PlacementArgs,
    #[command(flatten)]
    signature: SignatureArgs,
    /// PAdES baseline level: B-B, or B-T with --tsa (the default when --tsa is given); B-LT
    /// and B-LTA add validation data fetched from the certificates' OCSP responders and CRL
    /// distribution points (and, for B-LTA, a document time-stamp).
    #[arg(long, value_enum)]
    level: Option<timestamp::Level>,
    /// For B-LT and B-LTA: the trust anchors the signer's path is built to (default: the
    /// self-signed certificates of the signer's chain).
    #[arg(long)]
    trust: Vec<PathBuf>,
    #[command(flatten)]
    tsa: timestamp::TsaArgs,
}

/// Where the signature goes and how it looks, for `sign` and `sign-batch` alike.
#[derive(Args, Debug)]
pub(crate) struct PlacementArgs {
    /// Sign this empty signature field, or create a new field with this name.
    #[arg(long)]
    field: Option<String>,
    /// Page (1-based) for the widget of a new signature field.
    #[arg(long, default_value_t = 1)]
    page: usize,
    /// Flush the signed file to disk before it replaces the output path.
    #[arg(long)]
    sync: bool,
    #[command(flatten)]
    visible: visible::VisibleArgs,
}

impl PlacementArgs {
    /// The placement part of [`SignOptions`] (field, page, visible appearance, lock, flush)
    /// for `signer` signing at `signing_time`.
    pub(crate) fn options(
        &self,
        signer: &dyn Signer,
        signature: &SignatureArgs,
        signing_time: SystemTime,
    ) -> Result<SignOptions, CliError> {
        let page = self
            .page
            .checked_sub(1)
            .ok_or(CliError::Usage("--page counts from 1".to_string()))?;
        // `--field PAGE/X1,Y1,X2,Y2/NAME` (pyHanko's form) is a new visible field, not a name.
        let spec = match &self.field {
            Some(f) => visible::FieldSpec::parse(f)?,
            None => None,
        };
        let field_name = match &spec {
            Some(s) => Some(s.name.clone()),
            None => self.field.clone(),
        };
        let signer_name = signature
            .name
            .clone()
            .or(signer.certificate().subject().common_name.clone())
            .unwrap_or_default();
        let visible = if self.visible.wanted() || spec.is_some() {
            Some(self.visible.build(
                page,
                spec.as_ref(),
                spec.is_none() && self.field.is_some(),
                &signer_name,
                signing_time,
            )?)
        } else {
            None
        };
        Ok(SignOptions {
            field_name,
            visible,
            lock_fields: self.visible.lock,
            signing_time: Some(signing_time),
            page,
            sync_to_disk: self.sync,
            ..signature.options()
        })
    }
}

#[derive(Args, Debug)]
#[group(required = true, multiple = true)]
pub(crate) struct KeyArgs {
    /// PKCS#12 file (.p12/.pfx) holding the key and its certificates.
    #[arg(long, conflicts_with_all = ["key", "cert"])]
    p12: Option<PathBuf>,
    /// Private key (PEM: PKCS#8, encrypted PKCS#8, PKCS#1 or SEC1).
    #[arg(long, requires = "cert")]
    key: Option<PathBuf>,
    /// The signer's certificate (PEM or DER).
    #[arg(long, requires = "key")]
    cert: Option<PathBuf>,
    /// Chain certificates to embed (PEM, several allowed in one file).
    #[arg(long, requires = "key")]
    chain: Option<PathBuf>,
}

/// What goes into every signature, for `sign` and `sign-batch` alike.
#[derive(Args, Debug)]
pub(crate) struct SignatureArgs {
    /// /Reason, e.g. "Phê duyệt".
    #[arg(long)]
    pub(crate) reason: Option<String>,
    /// /Location, e.g. "Hà Nội".
    #[arg(long)]
    pub(crate) location: Option<String>,
    /// /ContactInfo.
    #[arg(long)]
    pub(crate) contact: Option<String>,
    /// /Name shown by viewers.
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// Write /SubFilter adbe.pkcs7.detached instead of ETSI.CAdES.detached.
    #[arg(long)]
    pub(crate) pkcs7: bool,
    /// Signature padding for RSA keys.
    #[arg(long, value_enum)]
    pub(crate) rsa_padding: Option<RsaPadding>,
    /// Digest algorithm (default: SHA-256, SHA-384 for P-384 keys).
    #[arg(long, value_enum)]
    pub(crate) digest: Option<DigestArg>,
}

impl SignatureArgs {
    /// The signer these options and the key options name: a CSC service, a PKCS#11 token or a
    /// software key, with the padding and digest asked for.
    pub(crate) fn open_signer(
        &self,
        key: &KeyArgs,
        password: &PasswordSource,
        token: &tokens::TokenArgs,
        csc: &remote::CscArgs,
    ) -> Result<Box<dyn Signer>, CliError> {
        if let Some(csc_signer) = remote::open_signer(csc)? {
            return Ok(Box::new(csc_signer));
        }
        if let Some(token_signer) = tokens::open_signer(token, self.rsa_padding, self.digest)? {
            return Ok(Box::new(token_signer));
        }
        Ok(Box::new(choose_algorithm(
            load_signer(key, password)?,
            self.rsa_padding,
            self.digest,
        )?))
    }

    /// The signing options these name (the rest default).
    pub(crate) fn options(&self) -> SignOptions {
        SignOptions {
            reason: self.reason.clone(),
            location: self.location.clone(),
            contact_info: self.contact.clone(),
            signer_name: self.name.clone(),
            sub_filter: if self.pkcs7 {
                SubFilter::Pkcs7Detached
            } else {
                SubFilter::CadesDetached
            },
            ..SignOptions::default()
        }
    }
}

#[derive(Args, Debug)]
pub(crate) struct PasswordArgs {
    /// Read the key password from this environment variable.
    #[arg(long, conflicts_with_all = ["password_file", "password_fd"])]
    pub(crate) password_env: Option<String>,
    /// Read the key password from the first line of this file.
    #[arg(long, conflicts_with = "password_fd")]
    pub(crate) password_file: Option<PathBuf>,
    /// Read the key password from the first line of this open file descriptor (as gpg's
    /// --passphrase-fd: `kyso sign … --password-fd 3 3< secret`).
    #[arg(long, value_name = "FD")]
    pub(crate) password_fd: Option<u32>,
}

impl PasswordArgs {
    /// The source these options name (a prompt when none).
    pub(crate) fn source(&self) -> PasswordSource {
        let fd = self
            .password_fd
            .map(|n| PathBuf::from(format!("/dev/fd/{n}")));
        PasswordSource::from_args(
            self.password_env.as_deref(),
            self.password_file.as_deref().or(fd.as_deref()),
        )
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum RsaPadding {
    /// RSASSA-PKCS1-v1_5.
    Pkcs1v15,
    /// RSASSA-PSS.
    Pss,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum DigestArg {
    Sha256,
    Sha384,
    Sha512,
}

impl From<DigestArg> for DigestAlgorithm {
    fn from(d: DigestArg) -> Self {
        match d {
            DigestArg::Sha256 => Self::Sha256,
            DigestArg::Sha384 => Self::Sha384,
            DigestArg::Sha512 => Self::Sha512,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let verdict_code = |v: Verdict| match v {
        Verdict::Valid => exit::OK,
        Verdict::Invalid => exit::INVALID,
        Verdict::Indeterminate => exit::INDETERMINATE,
    };
    let all_done = |done: bool| if done { exit::OK } else { exit::ERROR };
    let result = match cli.command {
        Command::Sign(args) => sign(*args).map(|()| exit::OK),
        Command::Extend(args) => extend::run(&args).map(all_done),
        Command::Demo { dir } => demo::run(&dir).map(|()| exit::OK),
        Command::Completions { shell } => completions(shell).map(|()| exit::OK),
        Command::Man => manual().map(|()| exit::OK),
        Command::Timestamp(args) => timestamp::run(&args).map(|()| exit::OK),
        Command::VerifyTimestamp(args) => timestamp::verify(&args).map(verdict_code),
        Command::Tokens(args) => tokens::run(&args).map(|()| exit::OK),
        Command::Serve(args) => serve::run(&args).map(|()| exit::OK),
        Command::SignBatch(args) => batch::run(&args).map(all_done),
        Command::Verify(args) => verify::run(&args).map(verdict_code),
        Command::VerifyCms(args) => {
            verify_cms::run(&args).map(|holds| if holds { exit::OK } else { exit::INVALID })
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(CliError::ClosedStdout) => ExitCode::from(exit::OK),
        Err(e) => {
            eprintln!("kyso: error: {}", error_chain(&e));
            ExitCode::from(e.exit_code())
        }
    }
}

/// A completion script for `shell`, generated from the clap definitions.
fn completions(shell: clap_complete::Shell) -> Result<(), CliError> {
    use clap::CommandFactory;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "kyso", &mut script);
    stdio::print(&String::from_utf8_lossy(&script))
}

/// The manual page, generated from the clap definitions (every subcommand listed).
fn manual() -> Result<(), CliError> {
    use clap::CommandFactory;
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| CliError::Write {
            path: "-".into(),
            source: e,
        })?;
    stdio::print(&String::from_utf8_lossy(&page))
}

/// The error and its causes on one line, each cause only when its text is not already said
/// (most errors here quote their source).
fn error_chain(e: &CliError) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let cause = s.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
        source = s.source();
    }
    text
}

fn sign(args: SignArgs) -> Result<(), CliError> {
    let password = args.password.source();
    let signer = args
        .signature
        .open_signer(&args.key, &password, &args.token, &args.csc)?;
    let timestamp_authority = args.tsa.for_level(args.level)?;
    let options = SignOptions {
        timestamp_authority,
        ..args
            .placement
            .options(signer.as_ref(), &args.signature, SystemTime::now())?
    };
    let input = stdio::Input::open(&args.input)?;
    let output = stdio::Output::create(&args.output)?;
    match args.level {
        Some(level @ (timestamp::Level::BLt | timestamp::Level::BLta)) => {
            // Sign at B-T beside the output, then extend that to the level asked.
            let signed = kyso_pdf::output::temp_beside(output.path())
                .map_err(|e| CliError::Write {
                    path: args.output.clone(),
                    source: e,
                })?
                .into_temp_path();
            let tsa = options.timestamp_authority.clone();
            PdfSigner::new(options).sign_file(input.path(), &signed, &*signer)?;
            let trust = trust_for(&args.trust, &*signer)?;
            extend::extend_one(
                &signed,
                output.path(),
                &output.name(),
                level.extension().unwrap_or(kyso_pdf::Level::BLt),
                &trust,
                &extend::online_checker(),
                tsa.as_deref(),
            )?;
        }
        _ => PdfSigner::new(options).sign_file(input.path(), output.path(), &*signer)?,
    }
    eprintln!(
        "signed {} as {} -> {}",
        args.input.display(),
        signer
            .certificate()
            .subject()
            .common_name
            .as_deref()
            .unwrap_or("(no common name)"),
        output.name()
    );
    output.finish()
}

/// The trust store B-LT and B-LTA build the signer's path to: `--trust`, or else the
/// self-signed certificates of the signer's chain.
pub(crate) fn trust_for(
    trust: &[PathBuf],
    signer: &dyn Signer,
) -> Result<kyso_cert::TrustStore, CliError> {
    if !trust.is_empty() {
        return Ok(kyso_cert::TrustStore::from_anchors(
            verify::load_certificates(trust)?,
        ));
    }
    let roots: Vec<_> = signer
        .chain()
        .iter()
        .chain(std::iter::once(signer.certificate()))
        .filter(|c| c.is_self_issued())
        .cloned()
        .collect();
    if roots.is_empty() {
        return Err(CliError::Usage(
            "the signer's chain has no root certificate: give --trust ROOT".into(),
        ));
    }
    Ok(kyso_cert::TrustStore::from_anchors(roots))
}

pub(crate) fn load_signer(
    key: &KeyArgs,
    password: &PasswordSource,
) -> Result<SoftwareSigner, CliError> {
    let read = |p: &PathBuf| {
        std::fs::read(p).map_err(|e| CliError::Read {
            path: p.clone(),
            source: e,
        })
    };
    if let Some(p12) = &key.p12 {
        let bytes = read(p12)?;
        let pass = password.get(&format!("Password for {}: ", p12.display()))?;
        return Ok(SoftwareSigner::from_pkcs12(&bytes, pass.as_str())?);
    }
    match (&key.key, &key.cert) {
        (Some(k), Some(c)) => {
            let key_pem = read(k)?;
            let cert = read(c)?;
            let chain = key.chain.as_ref().map(read).transpose()?;
            let pass = if password.is_given() || is_encrypted_pem(&key_pem) {
                Some(password.get(&format!("Password for {}: ", k.display()))?)
            } else {
                None
            };
            Ok(match pass {
                Some(p) => SoftwareSigner::from_encrypted_pem(
                    &key_pem,
                    p.as_str(),
                    &cert,
                    chain.as_deref(),
                )?,
                None => SoftwareSigner::from_pem(&key_pem, &cert, chain.as_deref())?,
            })
        }
        _ => Err(CliError::Usage(
            "give --p12 FILE, --key KEY.pem with --cert CERT.pem, or --module PKCS11.so".into(),
        )),
    }
}

fn is_encrypted_pem(pem: &[u8]) -> bool {
    pem.windows(29)
        .any(|w| w == b"BEGIN ENCRYPTED PRIVATE KEY--")
        || pem.windows(15).any(|w| w == b"Proc-Type: 4,EN")
}

fn choose_algorithm(
    signer: SoftwareSigner,
    padding: Option<RsaPadding>,
    digest: Option<DigestArg>,
) -> Result<SoftwareSigner, CliError> {
    match tokens::algorithm_for(signer.algorithm(), padding, digest)? {
        Some(algorithm) => Ok(signer.with_algorithm(algorithm)?),
        None => Ok(signer),
    }
}
