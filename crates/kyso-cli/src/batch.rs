//! `kyso sign-batch FILES|DIRS… -o OUTDIR`: signs many PDFs with one key loaded once (one
//! token login, one CSC authorisation per batch of hashes), optionally time-stamped and
//! extended to B-LT or B-LTA, shows progress on a terminal, reports each failure and goes on,
//! and ends with a summary (`--json`: a machine-readable one on standard output).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use kyso_pdf::{BatchEvent, BatchJob, PdfSigner, SignOptions};

use crate::error::CliError;
use crate::{KeyArgs, PasswordArgs};

/// Arguments of `kyso sign-batch`.
#[derive(Args, Debug)]
pub struct SignBatchArgs {
    /// PDF files, or folders whose `*.pdf` files are signed (not recursively).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Folder for the signed files (same file names).
    #[arg(short, long)]
    pub output_dir: PathBuf,
    #[command(flatten)]
    pub key: KeyArgs,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub token: crate::tokens::TokenArgs,
    #[command(flatten)]
    pub csc: crate::remote::CscArgs,
    #[command(flatten)]
    pub placement: crate::PlacementArgs,
    #[command(flatten)]
    pub signature: crate::SignatureArgs,
    /// Threads preparing documents (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// PAdES level of every signature: B-B, or B-T with --tsa (the default then); B-LT and
    /// B-LTA extend each signed file afterwards (as `kyso extend`).
    #[arg(long, value_enum)]
    pub level: Option<crate::timestamp::Level>,
    /// For B-LT and B-LTA: the trust anchors the signer's path is built to.
    #[arg(long)]
    pub trust: Vec<PathBuf>,
    #[command(flatten)]
    pub tsa: crate::timestamp::TsaArgs,
    /// Print a JSON summary on standard output: every file with its output or its error.
    #[arg(long)]
    pub json: bool,
}

/// Runs the batch; `Ok(true)` when every document was signed.
pub fn run(args: &SignBatchArgs) -> Result<bool, CliError> {
    let inputs = collect_inputs(&args.inputs)?;
    if inputs.is_empty() {
        return Err(CliError::Usage("no PDF files to sign".into()));
    }
    std::fs::create_dir_all(&args.output_dir).map_err(|e| CliError::Write {
        path: args.output_dir.clone(),
        source: e,
    })?;
    let jobs: Vec<BatchJob> = inputs
        .iter()
        .map(|input| BatchJob {
            input: input.clone(),
            output: args
                .output_dir
                .join(input.file_name().unwrap_or(input.as_os_str())),
        })
        .collect();
    let password = args.password.source();
    // One key for the whole batch: one token login, one file load.
    let signer = args
        .signature
        .open_signer(&args.key, &password, &args.token, &args.csc)?;
    let timestamp_authority = args.tsa.for_level(args.level)?;
    let extension = args
        .level
        .and_then(crate::timestamp::Level::extension)
        .filter(|l| *l > kyso_pdf::Level::BT);
    let trust = match extension {
        Some(_) => Some(crate::trust_for(&args.trust, signer.as_ref())?),
        None => None,
    };
    // The same field, page and appearance on every document, with one signing time.
    let options = SignOptions {
        timestamp_authority: timestamp_authority.clone(),
        ..args.placement.options(
            signer.as_ref(),
            &args.signature,
            std::time::SystemTime::now(),
        )?
    };
    let on_terminal = std::io::stderr().is_terminal();
    let report =
        PdfSigner::new(options).sign_batch(&jobs, signer.as_ref(), args.threads, &|event| {
            if on_terminal {
                progress_line(event)
            }
        });
    if on_terminal {
        eprintln!();
    }
    let mut results: Vec<Result<(), String>> = report
        .results
        .iter()
        .map(|r| r.as_ref().map(|_| ()).map_err(|e| e.to_string()))
        .collect();
    if let (Some(level), Some(trust)) = (extension, &trust) {
        let checker = crate::extend::online_checker();
        for (job, result) in jobs.iter().zip(results.iter_mut()) {
            if result.is_ok() {
                *result = extend_in_place(
                    &job.output,
                    level,
                    trust,
                    &checker,
                    timestamp_authority.as_deref(),
                );
            }
        }
    }
    for (job, result) in jobs.iter().zip(&results) {
        if let Err(e) = result {
            eprintln!("failed: {}: {e}", job.input.display());
        }
    }
    let failed = results.iter().filter(|r| r.is_err()).count();
    if args.json {
        let files: Vec<serde_json::Value> = jobs
            .iter()
            .zip(&results)
            .map(|(job, r)| match r {
                Ok(()) => {
                    serde_json::json!({"input": job.input, "output": job.output, "signed": true})
                }
                Err(e) => serde_json::json!({"input": job.input, "signed": false, "error": e}),
            })
            .collect();
        let summary = serde_json::json!({
            "signed": jobs.len() - failed,
            "failed": failed,
            "files": files,
        });
        crate::stdio::print(&format!("{summary:#}\n"))?;
    }
    let secs = report.elapsed.as_secs_f64();
    eprintln!(
        "signed {}, failed {failed}, in {secs:.2} s ({:.1} documents/s)",
        jobs.len() - failed,
        report.signed() as f64 / secs.max(1e-9)
    );
    Ok(failed == 0)
}

/// Extends a signed output to `level`, replacing it once the extended file is complete.
fn extend_in_place(
    output: &Path,
    level: kyso_pdf::Level,
    trust: &kyso_cert::TrustStore,
    checker: &kyso_cert::revocation::RevocationChecker,
    tsa: Option<&dyn kyso_cms::tsp::TimestampAuthority>,
) -> Result<(), String> {
    let extended = kyso_pdf::output::temp_beside(output)
        .map_err(|e| e.to_string())?
        .into_temp_path();
    kyso_pdf::extend_file(
        output,
        &extended,
        &kyso_pdf::ExtendOptions {
            level,
            trust,
            revocation: checker,
            tsa,
            sign: SignOptions::default(),
        },
    )
    .map_err(|e| e.to_string())?;
    extended.persist(output).map_err(|e| e.error.to_string())
}

/// Draws `[#####     ] k/N phase` on stderr, overwriting the line.
fn progress_line(event: BatchEvent) {
    let (phase, done, total) = match event {
        BatchEvent::Prepared { done, total } => ("hashing", done, total),
        BatchEvent::Signing { count } => ("signing", count, count),
        BatchEvent::Finished { done, total } => ("signed", done, total),
    };
    const WIDTH: usize = 30;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH);
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r[{}{}] {done}/{total} {phase}   ",
        "#".repeat(filled),
        " ".repeat(WIDTH - filled)
    );
    let _ = err.flush();
}

fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| read_error(path, e))?;
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("pdf"))
                })
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(path.clone());
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
