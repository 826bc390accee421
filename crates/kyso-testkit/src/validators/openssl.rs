//! `openssl cms -verify` over the bytes a signature's `/ByteRange` names.

use std::ffi::OsStr;
use std::fs;
use std::path::Path;

use crate::tools::{combined, run};

/// What one signature of a PDF signs and carries, found by a byte-level scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureBytes {
    /// The `/ByteRange` array: `[start1 len1 start2 len2]`.
    pub byte_range: [u64; 4],
    /// The covered bytes: both ranges, concatenated.
    pub signed_data: Vec<u8>,
    /// The DER CMS from `/Contents`, without the trailing zero padding (cut at the
    /// length its outer DER header gives).
    pub cms_der: Vec<u8>,
}

/// Finds the `index`-th (from 0, in file order) `/ByteRange [a b c d]` in `pdf`, and
/// takes the hex string `<…>` between the two ranges as its `/Contents`.
///
/// Test code, not a PDF parser: it scans bytes, which works for signature
/// dictionaries written as plain objects (as every signer writes them, since
/// `/Contents` must be patched in place, ISO 32000-2 §12.8.1).
pub fn extract_signature(pdf: &[u8], index: usize) -> Result<SignatureBytes, String> {
    let ranges = byte_ranges(pdf);
    let &br = ranges.get(index).ok_or_else(|| {
        format!(
            "no signature #{index}: {} /ByteRange arrays found",
            ranges.len()
        )
    })?;
    let [a, b, c, d] = br.map(|v| v as usize);
    let (Some(end1), Some(end2)) = (a.checked_add(b), c.checked_add(d)) else {
        return Err(format!("/ByteRange {br:?} overflows"));
    };
    if a > end1 || end1 > c || end2 > pdf.len() {
        return Err(format!(
            "/ByteRange {br:?} does not fit a {}-byte file",
            pdf.len()
        ));
    }
    let mut signed_data = pdf[a..end1].to_vec();
    signed_data.extend_from_slice(&pdf[c..end2]);

    let gap = &pdf[end1..c];
    let hex_str = gap
        .strip_prefix(b"<")
        .and_then(|g| g.strip_suffix(b">"))
        .ok_or_else(|| format!("the gap {end1}..{c} between the ranges is not a hex string <…>"))?;
    let hex_str: Vec<u8> = hex_str
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let mut cms_der = hex::decode(&hex_str).map_err(|e| format!("/Contents is not hex: {e}"))?;
    let len = der_length(&cms_der)?;
    if len > cms_der.len() {
        return Err(format!(
            "CMS DER length {len} exceeds /Contents ({} bytes)",
            cms_der.len()
        ));
    }
    cms_der.truncate(len);
    Ok(SignatureBytes {
        byte_range: br,
        signed_data,
        cms_der,
    })
}

/// Verifies the `sig_index`-th signature of the PDF at `pdf_path` with
/// `openssl cms -verify -binary -inform DER -in sig.der -content data.bin
/// -CAfile ca.pem -purpose any -out /dev/null`: `Ok` on exit 0, otherwise `Err` with
/// openssl's output (or why the signature could not be extracted).
///
/// # Panics
///
/// If `openssl` is not installed or the file cannot be read.
pub fn openssl_cms_verify(
    pdf_path: impl AsRef<Path>,
    sig_index: usize,
    ca_pem: impl AsRef<Path>,
) -> Result<(), String> {
    let pdf_path = pdf_path.as_ref();
    let bytes = fs::read(pdf_path).unwrap_or_else(|e| panic!("read {}: {e}", pdf_path.display()));
    let sig = extract_signature(&bytes, sig_index)?;
    let dir = tempfile::tempdir().expect("temp dir");
    let (der, data) = (dir.path().join("sig.der"), dir.path().join("data.bin"));
    fs::write(&der, &sig.cms_der).expect("write sig.der");
    fs::write(&data, &sig.signed_data).expect("write data.bin");
    let args: [&OsStr; 15] = [
        "cms".as_ref(),
        "-verify".as_ref(),
        "-binary".as_ref(),
        "-inform".as_ref(),
        "DER".as_ref(),
        "-in".as_ref(),
        der.as_os_str(),
        "-content".as_ref(),
        data.as_os_str(),
        "-CAfile".as_ref(),
        ca_pem.as_ref().as_os_str(),
        "-purpose".as_ref(),
        "any".as_ref(),
        "-out".as_ref(),
        "/dev/null".as_ref(),
    ];
    let out = run("openssl", args, None);
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl cms -verify failed on signature #{sig_index} of {} ({}):\n{}",
            pdf_path.display(),
            out.status,
            combined(&out)
        ))
    }
}

/// Every well-formed `/ByteRange [a b c d]` in file order.
pub(crate) fn byte_ranges(pdf: &[u8]) -> Vec<[u64; 4]> {
    const KEY: &[u8] = b"/ByteRange";
    let mut found = Vec::new();
    let mut pos = 0;
    while let Some(i) = find(&pdf[pos..], KEY) {
        let start = pos + i + KEY.len();
        pos = start;
        if let Some(br) = parse_array(&pdf[start..]) {
            found.push(br);
        }
    }
    found
}

/// Parses `[a b c d]` (after optional whitespace) at the start of `s`.
fn parse_array(s: &[u8]) -> Option<[u64; 4]> {
    let s = s.get(..s.len().min(128))?;
    let text = std::str::from_utf8(s).ok().or_else(|| {
        // Cut at the first non-ASCII byte: the array is ASCII.
        let end = s.iter().position(|b| !b.is_ascii()).unwrap_or(s.len());
        std::str::from_utf8(&s[..end]).ok()
    })?;
    let inner = text.trim_start().strip_prefix('[')?.split_once(']')?.0;
    let nums: Vec<u64> = inner
        .split_ascii_whitespace()
        .map(|n| n.parse().ok())
        .collect::<Option<_>>()?;
    nums.try_into().ok()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The total length (header + content) of the DER element at the start of `der`.
fn der_length(der: &[u8]) -> Result<usize, String> {
    let (&tag, rest) = der.split_first().ok_or("empty /Contents")?;
    if tag != 0x30 {
        return Err(format!(
            "/Contents does not start with a DER SEQUENCE (tag {tag:#04x})"
        ));
    }
    let (&first, rest) = rest.split_first().ok_or("truncated DER length")?;
    match first {
        0..=0x7f => Ok(2 + usize::from(first)),
        0x80 => Err("indefinite-length (BER) CMS: cannot find its end".into()),
        _ => {
            let n = usize::from(first & 0x7f);
            if n > 4 || rest.len() < n {
                return Err(format!("unsupported DER length of {n} bytes"));
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |acc, &b| acc << 8 | usize::from(b));
            Ok(2 + n + len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_ranges_and_strips_padding() {
        // [0, 44) then the 14-byte hex string, then [58, 62).
        let mut file = b"/ByteRange [0 44 58 4]".to_vec();
        file.resize(44, b' ');
        file.extend_from_slice(b"<300302010500>");
        file.extend_from_slice(b"tail");
        let sig = extract_signature(&file, 0).unwrap();
        assert_eq!(sig.byte_range, [0, 44, 58, 4]);
        assert_eq!(sig.cms_der, vec![0x30, 0x03, 0x02, 0x01, 0x05]);
        assert_eq!(sig.signed_data.len(), 48);
        assert!(sig.signed_data.ends_with(b"tail"));
        assert!(extract_signature(&file, 1).is_err());
    }

    #[test]
    fn der_lengths() {
        assert_eq!(der_length(&[0x30, 0x03]).unwrap(), 5);
        assert_eq!(der_length(&[0x30, 0x82, 0x01, 0x00]).unwrap(), 4 + 256);
        assert!(der_length(&[0x30, 0x80]).is_err());
        assert!(der_length(&[0x04, 0x01]).is_err());
    }
}
