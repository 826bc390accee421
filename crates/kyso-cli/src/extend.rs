//! `kyso extend FILE -o OUT --level B-T|B-LT|B-LTA --trust ROOT [--tsa URL]`, or many files
//! (`FILE...` or `--list FILE`) into `--out-dir DIR`: raises signed PDFs — kyso's or anyone's
//! — to a long-term level by incremental updates (kyso_pdf::extend_file). For archive renewal
//! the list can be split across machines by any job scheduler: each file is independent, a
//! failure is reported and the others go on.
//!
//! `kyso sign --level B-LT|B-LTA` signs at B-T and extends the result the same way.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use kyso_cert::TrustStore;
use kyso_cert::revocation::{RevocationChecker, RevocationPolicy};
use kyso_cms::tsp::TimestampAuthority;
use kyso_pdf::{ExtendOptions, SignOptions, extend_file};
use kyso_token::remote::HttpRevocationFetcher;

use crate::error::CliError;
use crate::timestamp::{Level, TsaArgs};

/// Arguments of `kyso extend`.
#[derive(Args, Debug)]
pub(crate) struct ExtendArgs {
    /// Signed PDFs to extend (never modified).
    inputs: Vec<PathBuf>,
    /// Also extend the files listed in this file, one path per line.
    #[arg(long, value_name = "FILE")]
    list: Option<PathBuf>,
    /// Where to write the extended PDF, for one input (`-`: standard output; the input may
    /// then be `-` too).
    #[arg(short, long, conflicts_with = "out_dir")]
    output: Option<PathBuf>,
    /// Where to write the extended PDFs (same file names), for several inputs.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// The level to reach: B-T (a document time-stamp for signatures without one), B-LT (plus
    /// the validation data in a DSS) or B-LTA (plus a document time-stamp; again on a B-LTA
    /// file before its TSA expires).
    #[arg(long, value_enum)]
    level: Level,
    /// Trust anchors the signers' paths are built to (PEM/DER files or folders).
    #[arg(long, required = true)]
    trust: Vec<PathBuf>,
    /// Extra intermediate CA certificates (PEM/DER file or folder).
    #[arg(long)]
    intermediates: Vec<PathBuf>,
    #[command(flatten)]
    tsa: TsaArgs,
}

/// The revocation checker extension uses: fetches what the file lacks, OCSP first.
pub(crate) fn online_checker() -> RevocationChecker {
    let mut policy = RevocationPolicy::default();
    policy.fetch = true;
    RevocationChecker::new(policy).with_fetcher(Arc::new(HttpRevocationFetcher::new()))
}

/// Runs `kyso extend`; `Ok(true)` when every file was extended.
pub(crate) fn run(args: &ExtendArgs) -> Result<bool, CliError> {
    let mut inputs = args.inputs.clone();
    if let Some(list) = &args.list {
        let text = std::fs::read_to_string(list).map_err(|e| CliError::Read {
            path: list.clone(),
            source: e,
        })?;
        inputs.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(PathBuf::from),
        );
    }
    let jobs: Vec<(PathBuf, PathBuf)> = match (&args.output, &args.out_dir) {
        (Some(out), None) if inputs.len() == 1 => vec![(inputs[0].clone(), out.clone())],
        (Some(_), None) => {
            return Err(CliError::Usage(
                "-o names one output: use --out-dir DIR for several inputs".into(),
            ));
        }
        (None, Some(dir)) => inputs
            .iter()
            .map(|i| {
                let name = i.file_name().ok_or_else(|| {
                    CliError::Usage(format!("{} is not a file name", i.display()))
                })?;
                Ok((i.clone(), dir.join(name)))
            })
            .collect::<Result<_, CliError>>()?,
        _ => return Err(CliError::Usage("give -o OUT or --out-dir DIR".into())),
    };
    if jobs.is_empty() {
        return Err(CliError::Usage("no file to extend".into()));
    }
    let mut trust = TrustStore::from_anchors(crate::verify::load_certificates(&args.trust)?);
    for c in crate::verify::load_certificates(&args.intermediates)? {
        trust.add_intermediate(c);
    }
    let tsa = args.tsa.authority()?;
    let checker = online_checker();
    let level = args
        .level
        .extension()
        .ok_or_else(|| CliError::Usage("kyso extend raises a file to B-T, B-LT or B-LTA".into()))?;
    if let ([(input, output)], Some(_)) = (&jobs[..], &args.output) {
        // One file: `-` may stand for standard input and output.
        let input_file = crate::stdio::Input::open(input)?;
        let output_file = crate::stdio::Output::create(output)?;
        extend_one(
            input_file.path(),
            output_file.path(),
            &output_file.name(),
            level,
            &trust,
            &checker,
            tsa.as_deref(),
        )?;
        output_file.finish()?;
        return Ok(true);
    }
    let mut failed = 0usize;
    for (input, output) in &jobs {
        let shown = output.display().to_string();
        match extend_one(
            input,
            output,
            &shown,
            level,
            &trust,
            &checker,
            tsa.as_deref(),
        ) {
            Ok(()) => {}
            Err(e) => {
                failed += 1;
                eprintln!("kyso: {}: {e}", input.display());
            }
        }
    }
    if jobs.len() > 1 {
        eprintln!(
            "extended {} of {} files to {}",
            jobs.len() - failed,
            jobs.len(),
            level.name()
        );
    }
    Ok(failed == 0)
}

/// Extends one file and says what was added (`shown`: how to name the output).
pub(crate) fn extend_one(
    input: &Path,
    output: &Path,
    shown: &str,
    level: kyso_pdf::Level,
    trust: &TrustStore,
    checker: &RevocationChecker,
    tsa: Option<&dyn TimestampAuthority>,
) -> Result<(), CliError> {
    let outcome = extend_file(
        input,
        output,
        &ExtendOptions {
            level,
            trust,
            revocation: checker,
            tsa,
            sign: SignOptions::default(),
        },
    )?;
    eprintln!(
        "extended {} to {} -> {} ({} certificates, {} OCSP responses, {} CRLs, {} time-stamps added)",
        input.display(),
        level.name(),
        shown,
        outcome.certificates,
        outcome.ocsp_responses,
        outcome.crls,
        outcome.timestamps
    );
    Ok(())
}
