//! poppler's `pdfsig`, with trust from an NSS database.

use std::ffi::OsString;
use std::path::Path;

use crate::tools::{combined, run};

/// What `pdfsig` printed for one signature.
///
/// For a good signature by the test PKI the block reads:
///
/// ```text
/// Signature #1:
///   - Signature Field Name: Sig1
///   - Signer Certificate Common Name: Trần Thị Bình
///   - Signer full Distinguished Name: UID=CCCD:001234567890,CN=Trần Thị Bình,O=…,ST=Hà Nội,C=VN
///   - Signing Time: Nov 24 2026 03:36:56
///   - Signing Hash Algorithm: SHA-256
///   - Signature Type: ETSI.CAdES.detached
///   - Signed Ranges: [0 - 1160], [11424 - 12071]
///   - Total document signed
///   - Signature Validation: Signature is Valid.
///   - Certificate Validation: Certificate is Trusted.
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PdfsigSig {
    /// The signature's number in pdfsig's output, from 1.
    pub number: usize,
    /// "Signature Field Name".
    pub field_name: Option<String>,
    /// "Signer Certificate Common Name".
    pub signer_common_name: Option<String>,
    /// "Signer full Distinguished Name".
    pub signer_dn: Option<String>,
    /// "Signing Time", as pdfsig prints it.
    pub signing_time: Option<String>,
    /// "Signing Hash Algorithm" (`SHA-256`).
    pub hash_algorithm: Option<String>,
    /// "Signature Type" (`adbe.pkcs7.detached`, `ETSI.CAdES.detached`).
    pub signature_type: Option<String>,
    /// "Signed Ranges" as `(start, end)` byte offsets, end exclusive.
    pub signed_ranges: Vec<(u64, u64)>,
    /// pdfsig printed "Total document signed" (rather than "Not total document
    /// signed").
    pub total_document_signed: bool,
    /// "Signature Validation", verbatim (`Signature is Valid.`, `Digest Mismatch.`).
    pub signature_validation: String,
    /// `signature_validation` is "Signature is Valid.".
    pub signature_valid: bool,
    /// "Certificate Validation", verbatim (`Certificate is Trusted.`,
    /// `Certificate issuer isn't Trusted.`); pdfsig leaves it out when the signature
    /// itself is not valid.
    pub certificate_validation: Option<String>,
    /// `certificate_validation` is "Certificate is Trusted.".
    pub certificate_trusted: bool,
    /// The signature's block of pdfsig's output, verbatim.
    pub raw: String,
}

impl PdfsigSig {
    /// Signature valid, certificate trusted, whole document signed.
    pub fn is_fully_valid(&self) -> bool {
        self.signature_valid && self.certificate_trusted && self.total_document_signed
    }
}

/// Runs `pdfsig -nssdir sql:<nss_db> <pdf>` and parses one [`PdfsigSig`] per signature.
/// A file without signatures gives an empty `Vec` (pdfsig exits 2 then).
///
/// # Panics
///
/// If `pdfsig` is not installed, or it fails in a way that is not a verdict (its
/// output is in the message).
pub fn pdfsig_verify(pdf: impl AsRef<Path>, nss_db: impl AsRef<Path>) -> Vec<PdfsigSig> {
    let mut nss = OsString::from("sql:");
    nss.push(nss_db.as_ref());
    let args = [
        OsString::from("-nssdir"),
        nss,
        pdf.as_ref().as_os_str().to_owned(),
    ];
    let out = run("pdfsig", &args, None);
    let text = combined(&out);
    if text.contains("does not contain any signatures") {
        return Vec::new();
    }
    let sigs = parse_pdfsig_output(&String::from_utf8_lossy(&out.stdout));
    if sigs.is_empty() || !out.status.success() {
        panic!(
            "pdfsig failed on {} ({}):\n{text}",
            pdf.as_ref().display(),
            out.status
        );
    }
    sigs
}

/// Parses the text `pdfsig` prints into one [`PdfsigSig`] per `Signature #N:` block.
pub fn parse_pdfsig_output(text: &str) -> Vec<PdfsigSig> {
    let mut sigs: Vec<PdfsigSig> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("Signature #") {
            let number = rest
                .trim_end_matches(':')
                .trim()
                .parse()
                .unwrap_or(sigs.len() + 1);
            sigs.push(PdfsigSig {
                number,
                ..Default::default()
            });
        }
        let Some(sig) = sigs.last_mut() else { continue };
        sig.raw.push_str(line);
        sig.raw.push('\n');
        let Some(item) = line.trim_start().strip_prefix("- ") else {
            continue;
        };
        match item.split_once(": ") {
            Some((key, value)) => {
                let value = value.trim().to_owned();
                match key {
                    "Signature Field Name" => sig.field_name = Some(value),
                    "Signer Certificate Common Name" => sig.signer_common_name = Some(value),
                    "Signer full Distinguished Name" => sig.signer_dn = Some(value),
                    "Signing Time" => sig.signing_time = Some(value),
                    "Signing Hash Algorithm" => sig.hash_algorithm = Some(value),
                    "Signature Type" => sig.signature_type = Some(value),
                    "Signed Ranges" => sig.signed_ranges = parse_ranges(&value),
                    "Signature Validation" => {
                        sig.signature_valid = value == "Signature is Valid.";
                        sig.signature_validation = value;
                    }
                    "Certificate Validation" => {
                        sig.certificate_trusted = value == "Certificate is Trusted.";
                        sig.certificate_validation = Some(value);
                    }
                    _ => {}
                }
            }
            None if item.trim() == "Total document signed" => sig.total_document_signed = true,
            None => {}
        }
    }
    sigs
}

/// `[0 - 1160], [11424 - 12071]` to `[(0, 1160), (11424, 12071)]`.
fn parse_ranges(value: &str) -> Vec<(u64, u64)> {
    value
        .split(']')
        .filter_map(|part| {
            let inner = part.split_once('[')?.1;
            let (a, b) = inner.split_once('-')?;
            Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "Digital Signature Info of: signed.pdf
Signature #1:
  - Signature Field Name: Sig1
  - Signer Certificate Common Name: Trần Thị Bình
  - Signer full Distinguished Name: UID=CCCD:001234567890,CN=Trần Thị Bình,C=VN
  - Signing Time: Nov 24 2026 03:36:56
  - Signing Hash Algorithm: SHA-256
  - Signature Type: adbe.pkcs7.detached
  - Signed Ranges: [0 - 1160], [11424 - 12071]
  - Total document signed
  - Signature Validation: Signature is Valid.
  - Certificate Validation: Certificate is Trusted.
Signature #2:
  - Signature Field Name: Sig2
  - Signed Ranges: [0 - 10], [20 - 30]
  - Not total document signed
  - Signature Validation: Digest Mismatch.
";

    #[test]
    fn parses_every_block() {
        let sigs = parse_pdfsig_output(VALID);
        assert_eq!(sigs.len(), 2);
        let first = &sigs[0];
        assert_eq!(first.number, 1);
        assert_eq!(first.field_name.as_deref(), Some("Sig1"));
        assert_eq!(first.signer_common_name.as_deref(), Some("Trần Thị Bình"));
        assert_eq!(first.signed_ranges, vec![(0, 1160), (11424, 12071)]);
        assert!(first.is_fully_valid());
        let second = &sigs[1];
        assert!(!second.total_document_signed);
        assert!(!second.signature_valid);
        assert_eq!(second.signature_validation, "Digest Mismatch.");
        assert_eq!(second.certificate_validation, None);
        assert!(second.raw.starts_with("Signature #2:"));
    }
}
