//! NIST PKITS S/MIME signed messages (tests/pkits-smime/README.md): the CMS signature of
//! every message verifies, except the checked-in known deviations.
//!
//! PKITS names its tests for the certification path ("InvalidEEnotAfterDate", …); every
//! message's CMS signature itself is good, so the expected outcome here is always "valid".
//! Path validation is kyso-cert's.

use std::collections::BTreeMap;
use std::path::Path;

use kyso_cms::verify::{SignedDataInfo, VerifyOptions};

/// The signed part (canonical CRLF form, RFC 5751 §3.1.1) and the CMS of an S/MIME
/// `multipart/signed` message (RFC 1847 §2.1).
fn split_multipart_signed(eml: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    let header_end = eml
        .find("\n\n")
        .or_else(|| eml.find("\r\n\r\n"))
        .ok_or("no end of headers")?;
    let headers = &eml[..header_end];
    let boundary = headers
        .split("boundary=")
        .nth(1)
        .ok_or("no boundary")?
        .trim_start_matches('"');
    let boundary = &boundary[..boundary
        .find(['"', ';', '\r', '\n'])
        .unwrap_or(boundary.len())];
    let delimiter = format!("--{boundary}");
    let parts: Vec<&str> = eml.split(delimiter.as_str()).collect();
    if parts.len() < 4 {
        return Err(format!("{} MIME parts", parts.len().saturating_sub(2)));
    }
    // parts[0] preamble, parts[1] signed part, parts[2] signature, parts[3] "--" epilogue.
    let signed = parts[1]
        .strip_prefix("\r\n")
        .or_else(|| parts[1].strip_prefix('\n'))
        .ok_or("no line break after the boundary")?;
    // The line break before the next delimiter belongs to the delimiter.
    let signed = signed
        .strip_suffix("\r\n")
        .or_else(|| signed.strip_suffix('\n'))
        .unwrap_or(signed);
    let signature_part = parts[2];
    let body_start = signature_part
        .find("\n\n")
        .or_else(|| signature_part.find("\r\n\r\n"))
        .ok_or("no body in the signature part")?;
    let base64: String = signature_part[body_start..]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    Ok((canonical(signed), decode_base64(&base64)?))
}

/// Line breaks as CRLF.
fn canonical(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 16);
    let mut previous = 0u8;
    for &b in text.as_bytes() {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    out
}

fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    let value = |c: u8| -> Result<u32, String> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(format!("bad base64 character {:?}", c as char)),
        } as u32)
    };
    let bytes = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        let produced = chunk.len() * 6 / 8;
        out.extend(&n.to_be_bytes()[1..1 + produced]);
    }
    Ok(out)
}

/// `name -> (actual outcome, detail)` for every message.
fn outcomes(dir: &Path) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("pkits-smime")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    names.sort();
    for path in names {
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let eml = std::fs::read_to_string(&path).expect("read");
        let outcome = match split_multipart_signed(&eml) {
            Err(e) => ("mime-error".to_string(), e),
            Ok((content, cms)) => {
                // PKITS (2011) signs with SHA-256; SHA-1 is allowed so that a SHA-1 message
                // would show as a signature result rather than a policy refusal.
                match SignedDataInfo::parse_with(&cms, VerifyOptions::new().allow_sha1(true))
                    .and_then(|info| info.verify_content(&content))
                {
                    Ok(_) => ("valid".to_string(), String::new()),
                    Err(e) => (kind(&e).to_string(), e.to_string()),
                }
            }
        };
        out.insert(name, outcome);
    }
    out
}

fn kind(e: &kyso_cms::Error) -> &'static str {
    use kyso_cms::Error::*;
    match e {
        UnsupportedAlgorithm(_) => "unsupported",
        BadSignature { .. } => "bad-signature",
        DigestMismatch { .. } => "digest-mismatch",
        _ => "error",
    }
}

#[test]
fn pkits_smime_signatures_verify() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pkits-smime");
    let results = outcomes(&dir);
    assert_eq!(results.len(), 224, "the PKITS S/MIME set has 224 messages");

    // known-deviations.txt: name <TAB> expected <TAB> actual <TAB> reason
    let known = std::fs::read_to_string(dir.join("known-deviations.txt")).expect("deviations");
    let mut expected_deviations = BTreeMap::new();
    for line in known
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 4, "malformed deviation line: {line}");
        assert_eq!(fields[1], "valid", "{line}");
        expected_deviations.insert(fields[0].to_string(), fields[2].to_string());
    }
    let actual_deviations: BTreeMap<String, String> = results
        .iter()
        .filter(|(_, (outcome, _))| outcome != "valid")
        .map(|(name, (outcome, _))| (name.clone(), outcome.clone()))
        .collect();
    let details: Vec<String> = results
        .iter()
        .filter(|(n, (o, _))| o != "valid" && expected_deviations.get(*n) != Some(o))
        .map(|(n, (o, d))| format!("{n}\tvalid\t{o}\t{d}"))
        .collect();
    assert_eq!(
        actual_deviations,
        expected_deviations,
        "deviations changed; new ones:\n{}",
        details.join("\n")
    );
    let passed = results.values().filter(|(o, _)| o == "valid").count();
    println!(
        "PKITS S/MIME: {passed} of {} CMS signatures verified, {} known deviations",
        results.len(),
        expected_deviations.len()
    );
}

#[test]
fn splits_a_multipart_signed_message() {
    let eml = "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=\"XY\"\n\n\
               preamble\n--XY\nContent-Type: text/plain\n\nhi\n\n--XY\nContent-Type: application/pkcs7-signature\n\nAQID\n--XY--\n";
    let (content, cms) = split_multipart_signed(eml).expect("split");
    assert_eq!(content, b"Content-Type: text/plain\r\n\r\nhi\r\n");
    assert_eq!(cms, vec![1, 2, 3]);
}
