//! The /ByteRange rules (ISO 32000-2 §12.8.1, ETSI EN 319 142-1 §5.4.1, and the checks EU DSS
//! reports): exactly two ranges, the first from byte 0, the gap between them exactly this
//! signature's /Contents hex string, only zero padding after the DER inside it, and the
//! covered bytes ending where a revision ends. These rules are what defeat Universal Signature
//! Forgery and Signature Wrapping (Mladenov et al., CCS 2019).

use crate::Result;
use crate::object::{Dict, Object};
use crate::parser::lexer::is_whitespace;
use crate::reader::{PdfReader, Source, XrefEntry, read_full_at};
use crate::verify::locate::LocatedSignature;
use crate::verify::report::{Reason, ReasonCode};

/// Largest /Contents accepted, in bytes of CMS (a generous bound for a chain, timestamps and
/// embedded revocation data).
pub const MAX_CONTENTS_LEN: usize = 4 << 20;
/// Most bytes between a signature object's header and its /Contents string.
const MAX_SIG_DICT_PREFIX: u64 = 1 << 20;

/// A ByteRange that passed every rule.
#[derive(Debug, Clone)]
pub struct CheckedRange {
    /// The four numbers.
    pub byte_range: [u64; 4],
    /// First byte after the signed data.
    pub covered_end: u64,
    /// Index of the revision whose end the signed data reaches.
    pub revision: usize,
    /// Whether the signed data reaches the end of the file.
    pub whole_file: bool,
    /// The CMS: the /Contents bytes without trailing zero padding.
    pub cms: Vec<u8>,
}

fn problem(code: ReasonCode, message: impl Into<String>) -> Reason {
    Reason {
        code,
        message: message.into(),
        change: None,
    }
}

/// Reads /ByteRange and /Contents of a signature dictionary, or says why they are unusable.
pub fn read_entries(sig: &Dict) -> std::result::Result<([u64; 4], Vec<u8>), Reason> {
    let malformed = |m: &str| problem(ReasonCode::MalformedSignatureDictionary, m);
    // A key given twice means two readers may see two different signatures: one may take
    // the first /ByteRange, another the last (the parser keeps the last).
    if let Some(key) = sig.repeated_keys().first() {
        return Err(malformed(&format!(
            "the signature dictionary gives /{} more than once",
            String::from_utf8_lossy(key.as_bytes())
        )));
    }
    let contents = match sig.get("Contents") {
        Some(Object::String(s)) if !s.bytes.is_empty() => s.bytes.clone(),
        Some(Object::String(_)) => return Err(malformed("/Contents is empty")),
        Some(Object::Null) | None => return Err(malformed("/Contents is missing or null")),
        Some(other) => {
            return Err(malformed(&format!(
                "/Contents is a {}, not a string",
                other.type_name()
            )));
        }
    };
    let range = match sig.get("ByteRange") {
        Some(Object::Array(items)) => items,
        Some(Object::Null) | None => return Err(malformed("/ByteRange is missing or null")),
        Some(other) => {
            return Err(malformed(&format!(
                "/ByteRange is a {}, not an array",
                other.type_name()
            )));
        }
    };
    if range.len() != 4 {
        return Err(problem(
            ReasonCode::ByteRangeInvalid,
            format!(
                "/ByteRange has {} numbers; exactly 4 (two ranges) are required",
                range.len()
            ),
        ));
    }
    let mut br = [0u64; 4];
    for (slot, item) in br.iter_mut().zip(range) {
        *slot = item
            .as_i64()
            .and_then(|v| u64::try_from(v).ok())
            .ok_or_else(|| {
                problem(
                    ReasonCode::ByteRangeInvalid,
                    "/ByteRange holds a value that is not a non-negative integer",
                )
            })?;
    }
    Ok((br, contents))
}

/// Applies every ByteRange rule to `sig` in the file `reader` reads.
pub fn check<S: Source>(
    reader: &PdfReader<S>,
    sig: &LocatedSignature,
    revision_ends: &[u64],
) -> Result<std::result::Result<CheckedRange, Reason>> {
    let (br, contents) = match read_entries(&sig.sig) {
        Ok(v) => v,
        Err(r) => return Ok(Err(r)),
    };
    let bad = |m: String| Ok(Err(problem(ReasonCode::ByteRangeInvalid, m)));
    let len = reader.source().len();
    if br[0] != 0 {
        return bad(format!("the first range starts at byte {}, not 0", br[0]));
    }
    let gap_end = br[2];
    let gap_start = br[1];
    let Some(covered_end) = br[2].checked_add(br[3]) else {
        return bad("the second range overflows".into());
    };
    if gap_start >= gap_end {
        return bad(format!(
            "the ranges overlap or touch: {gap_start} ≥ {gap_end}"
        ));
    }
    if covered_end > len {
        return bad(format!(
            "the second range ends at byte {covered_end}, past the end of the file ({len})"
        ));
    }
    let gap_len = gap_end - gap_start;
    if gap_len > 2 * MAX_CONTENTS_LEN as u64 + 2 {
        return bad(format!(
            "the gap of {gap_len} bytes is larger than any /Contents kyso accepts"
        ));
    }
    // The gap must be exactly a hex string ...
    let mut gap = vec![0u8; gap_len as usize];
    let got = read_full_at(reader.source(), gap_start, &mut gap)?;
    if got != gap.len() {
        return bad("the gap runs past the end of the file".into());
    }
    if gap.first() != Some(&b'<') || gap.last() != Some(&b'>') {
        return bad(format!(
            "the gap between the ranges (bytes {gap_start}..{gap_end}) is not a hex string"
        ));
    }
    let hex_digits = &gap[1..gap.len() - 1];
    if !hex_digits.len().is_multiple_of(2) || !hex_digits.iter().all(u8::is_ascii_hexdigit) {
        return bad("the gap holds something other than hex digits".into());
    }
    let decoded = match hex::decode(hex_digits) {
        Ok(d) => d,
        Err(_) => return bad("the gap is not valid hex".into()),
    };
    // ... and it must be this signature's /Contents, inside this signature's object.
    if decoded != contents {
        return bad(
            "the gap is not this signature's /Contents (the signed bytes were rearranged)".into(),
        );
    }
    let Some(XrefEntry::InFile { offset: obj_offset }) = reader.object_offset(sig.sig_ref) else {
        return bad(format!(
            "signature dictionary {} is not stored directly in the file",
            sig.sig_ref
        ));
    };
    if obj_offset >= gap_start || gap_start - obj_offset > MAX_SIG_DICT_PREFIX {
        return bad(format!(
            "the /Contents string at byte {gap_start} is not inside signature object {} (byte {obj_offset})",
            sig.sig_ref
        ));
    }
    let mut prefix = vec![0u8; (gap_start - obj_offset) as usize];
    read_full_at(reader.source(), obj_offset, &mut prefix)?;
    if !ends_with_contents_key(&prefix) || prefix.windows(6).any(|w| w == b"endobj") {
        return bad(format!(
            "the gap at byte {gap_start} is not the /Contents value of object {}",
            sig.sig_ref
        ));
    }
    // Only zero padding may follow the DER (EU DSS "signature value not padded").
    let der_len = der_length(&contents).unwrap_or(contents.len());
    if contents[der_len.min(contents.len())..]
        .iter()
        .any(|&b| b != 0)
    {
        return Ok(Err(problem(
            ReasonCode::ContentsPadding,
            "/Contents holds non-zero bytes after the CMS structure",
        )));
    }
    // The signed bytes must end where a revision ends (after %%EOF and its end-of-line).
    let revision = revision_ends.iter().position(|&end| {
        covered_end >= end && covered_end <= end + 2 && eol_between(reader, end, covered_end)
    });
    let Some(revision) = revision else {
        return Ok(Err(problem(
            ReasonCode::CoverageUnclear,
            format!(
                "the signed bytes end at byte {covered_end}, which is not the end of a revision"
            ),
        )));
    };
    Ok(Ok(CheckedRange {
        byte_range: br,
        covered_end,
        revision,
        whole_file: covered_end == len || trailing_is_whitespace(reader, covered_end)?,
        cms: contents[..der_len.min(contents.len())].to_vec(),
    }))
}

/// Whether `prefix` (an object's text up to the gap) ends with the key `/Contents` followed
/// by optional whitespace.
fn ends_with_contents_key(prefix: &[u8]) -> bool {
    let trimmed = prefix
        .iter()
        .rposition(|&b| !is_whitespace(b))
        .map(|i| &prefix[..=i])
        .unwrap_or_default();
    trimmed.ends_with(b"/Contents")
}

fn eol_between<S: Source>(reader: &PdfReader<S>, from: u64, to: u64) -> bool {
    if from == to {
        return true;
    }
    let mut buf = vec![0u8; (to - from) as usize];
    matches!(read_full_at(reader.source(), from, &mut buf), Ok(n) if n == buf.len())
        && buf.iter().all(|b| matches!(b, b'\r' | b'\n'))
}

fn trailing_is_whitespace<S: Source>(reader: &PdfReader<S>, from: u64) -> Result<bool> {
    let len = reader.source().len();
    if len - from > 64 {
        return Ok(false);
    }
    let mut buf = vec![0u8; (len - from) as usize];
    read_full_at(reader.source(), from, &mut buf)?;
    Ok(buf
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\0')))
}

/// Length of the DER TLV at the start of `der` (definite lengths only).
pub fn der_length(der: &[u8]) -> Option<usize> {
    let first = *der.get(1)?;
    let (len, header) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *der.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    header.checked_add(len).filter(|&total| total <= der.len())
}

/// Hashes the two signed ranges with `hasher`, reading in chunks.
pub fn hash_ranges<S: Source>(
    source: &S,
    range: &[u64; 4],
    hasher: &mut kyso_cms::Hasher,
) -> Result<()> {
    for_each_range_chunk(source, range, |chunk| {
        hasher.update(chunk);
        Ok(())
    })
}

/// The digest of a signature's byte ranges, computed before its checks run (beside the
/// whole-file scan): used only if the checks then agree on the ranges and the algorithm.
#[derive(Debug, Clone)]
pub struct DigestAhead {
    /// The digest algorithm the CMS names.
    pub algorithm: kyso_cms::DigestAlgorithm,
    /// The /ByteRange hashed.
    pub byte_range: [u64; 4],
    /// The digest.
    pub digest: Vec<u8>,
}

/// For each signature, the digest of its byte ranges with the algorithm its CMS names,
/// when the /ByteRange is plausible (from 0, increasing, inside the file) and the CMS
/// parses; `None` otherwise (the checks that follow will say why).
pub fn digests_ahead<S: Source>(
    reader: &PdfReader<S>,
    signatures: &[LocatedSignature],
) -> Vec<Option<DigestAhead>> {
    let len = reader.source().len();
    signatures
        .iter()
        .map(|sig| {
            let (br, contents) = read_entries(&sig.sig).ok()?;
            let end = br[2].checked_add(br[3])?;
            if br[0] != 0 || br[1] >= br[2] || end > len {
                return None;
            }
            let options = kyso_cms::verify::VerifyOptions::new().allow_sha1(true);
            let info = kyso_cms::verify::SignedDataInfo::parse_with(&contents, options).ok()?;
            let algorithm = info.digest_algorithm();
            let mut hasher = algorithm.hasher();
            hash_ranges(reader.source(), &br, &mut hasher).ok()?;
            Some(DigestAhead {
                algorithm,
                byte_range: br,
                digest: hasher.finalize(),
            })
        })
        .collect()
}

/// Calls `f` with the bytes of the two ranges of `range`, in order, a chunk at a time.
pub(crate) fn for_each_range_chunk<S: Source>(
    source: &S,
    range: &[u64; 4],
    mut f: impl FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    const CHUNK: usize = 1 << 20;
    let mut buf = vec![0u8; CHUNK];
    for (start, len) in [(range[0], range[1]), (range[2], range[3])] {
        let mut offset = start;
        let end = start + len;
        while offset < end {
            let want = ((end - offset) as usize).min(CHUNK);
            let n = read_full_at(source, offset, &mut buf[..want])?;
            if n == 0 {
                return Err(crate::Error::Truncated { offset });
            }
            f(&buf[..n])?;
            offset += n as u64;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_length_reads_short_and_long_forms() {
        assert_eq!(der_length(&[0x30, 0x03, 1, 2, 3, 0, 0]), Some(5));
        assert_eq!(der_length(&[0x30, 0x82, 0x00, 0x02, 9, 9]), Some(6));
        assert_eq!(der_length(&[0x30, 0x82, 0xff, 0xff, 9]), None);
        assert_eq!(der_length(&[0x30]), None);
    }

    #[test]
    fn contents_key_must_directly_precede_the_gap() {
        assert!(ends_with_contents_key(b"1 0 obj <</Type/Sig /Contents "));
        assert!(ends_with_contents_key(b"/Contents"));
        assert!(!ends_with_contents_key(b"/Contents <00> /Other "));
        assert!(!ends_with_contents_key(b"/ByteRange [0 1 2 3] "));
    }
}
