//! `kyso verify-cms DATA SIG.p7s [--json]`: checks a detached CMS signature (DER or PEM
//! `PKCS7`/`CMS`) over a file — digest and signature value, signed attributes, ESS binding —
//! and exits 0 when it holds, 1 otherwise. The signer's certificate is not validated against
//! any trust anchor: the output says so.

use std::path::PathBuf;

use clap::Args;
use kyso_cms::verify::{DetachedReport, EssBinding, SignedDataInfo};

use crate::error::CliError;

/// What every output says about trust.
const TRUST_NOT_CHECKED: &str =
    "not checked (the signer's certificate was not validated against a trust anchor)";

/// Arguments of `kyso verify-cms`.
#[derive(Args, Debug)]
pub struct VerifyCmsArgs {
    /// The signed content (the detached data).
    pub data: PathBuf,
    /// The CMS signature (.p7s), DER or PEM.
    pub signature: PathBuf,
    /// Print a JSON report instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `kyso verify-cms`; `Ok(true)` when the signature holds.
pub fn run(args: &VerifyCmsArgs) -> Result<bool, CliError> {
    let read = |p: &PathBuf| {
        std::fs::read(p).map_err(|e| CliError::Read {
            path: p.clone(),
            source: e,
        })
    };
    let data = read(&args.data)?;
    let sig = read(&args.signature)?;
    let (info, report) = kyso_cms::verify::check_detached(&data, &sig);
    if args.json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| CliError::Usage(format!("cannot render the report: {e}")))?;
        crate::stdio::print(&format!("{text}\n"))?;
    } else {
        crate::stdio::print(&render(info.as_ref(), &report))?;
    }
    Ok(report.valid)
}

fn render(info: Option<&SignedDataInfo>, report: &DetachedReport) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: &str| out.push_str(&format!("{label:<22}{value}\n"));
    if let Some(info) = info {
        let cert = info.signer_certificate();
        line("signer:", &cert.subject().display());
        line("issuer:", &cert.issuer().display());
        line("serial:", &cert.serial_hex());
        line("digest algorithm:", info.digest_algorithm().name());
        line("signature algorithm:", &info.signature_scheme().to_string());
    }
    match &report.signature {
        Some(v) => {
            line("digest:", "OK (matches the signed message-digest)");
            line("signature:", "OK");
            let ess = match v.ess_binding {
                EssBinding::SigningCertificateV2 {
                    hash,
                    issuer_serial,
                } => format!(
                    "signing-certificate-v2 ({hash}{})",
                    if issuer_serial { ", issuerSerial" } else { "" }
                ),
                EssBinding::SigningCertificate { .. } => "signing-certificate (SHA-1)".into(),
                EssBinding::Absent => "absent".into(),
            };
            line("ESS binding:", &ess);
            // The report's own rendering of the time (RFC 3339, UTC).
            let json = serde_json::to_value(v).unwrap_or_default();
            if let Some(t) = json["signing_time"].as_str() {
                line("claimed signing time:", t);
            }
            if !v.timestamp_tokens.is_empty() {
                line(
                    "timestamp tokens:",
                    &format!("{} (not verified)", v.timestamp_tokens.len()),
                );
            }
            for w in &v.warnings {
                line("warning:", &w.to_string());
            }
            line("trust:", TRUST_NOT_CHECKED);
            line("result:", "signature holds (trust not checked)");
        }
        None => {
            let step = report.failed_step.unwrap_or("structure");
            let message = report.error.as_deref().unwrap_or("");
            match step {
                "digest" => line("digest:", "MISMATCH"),
                "signature" => line("signature:", "BAD"),
                _ => {}
            }
            line("trust:", TRUST_NOT_CHECKED);
            line(
                "result:",
                &format!("signature does NOT hold ({step}): {message} (trust not checked)"),
            );
        }
    }
    out
}
