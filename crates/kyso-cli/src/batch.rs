//! `kyso sign-batch FILES|DIRS… -o OUTDIR`: signs many PDFs with one key loaded once, shows
//! progress, reports each failure and goes on, and ends with a summary.

use std::io::Write;
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
    /// /Reason for every signature.
    #[arg(long)]
    pub reason: Option<String>,
    /// /Location for every signature.
    #[arg(long)]
    pub location: Option<String>,
    /// Threads preparing documents (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
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
    let signer: Box<dyn kyso_cms::Signer> =
        match crate::tokens::open_signer(&args.token, None, None)? {
            Some(token_signer) => Box::new(token_signer),
            None => Box::new(crate::load_signer(&args.key, &password)?),
        };
    let options = SignOptions {
        reason: args.reason.clone(),
        location: args.location.clone(),
        ..SignOptions::default()
    };
    let report =
        PdfSigner::new(options).sign_batch(&jobs, signer.as_ref(), args.threads, &|event| {
            progress_line(event)
        });
    eprintln!();
    for (job, result) in jobs.iter().zip(&report.results) {
        if let Err(e) = result {
            eprintln!("failed: {}: {e}", job.input.display());
        }
    }
    let secs = report.elapsed.as_secs_f64();
    eprintln!(
        "signed {}, failed {}, in {secs:.2} s ({:.1} documents/s)",
        report.signed(),
        report.failed(),
        report.signed() as f64 / secs.max(1e-9)
    );
    Ok(report.failed() == 0)
}

/// Draws `[#####     ] k/N phase` on stderr, overwriting the line.
fn progress_line(event: BatchEvent) {
    let (phase, done, total) = match event {
        BatchEvent::Prepared { done, total } => ("hashing", done, total),
        BatchEvent::Signing { count } => ("signing", count, count),
        BatchEvent::Finished { done, total } => ("writing", done, total),
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
