//! Helpers shared by the integration tests: fixtures and a tiny DER writer/reader for
//! building encodings that openssl will not produce.
#![allow(dead_code)]

use std::collections::HashMap;

use kyso_cert::Certificate;

/// The bytes of `tests/data/<name>`.
pub fn read(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The first certificate of `tests/data/<name>`.
pub fn fixture(name: &str) -> Certificate {
    Certificate::from_pem(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// DER TLV with a short or long-form length (up to 65535 bytes).
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else {
        assert!(len <= 0xFFFF, "test helper limit");
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
    out
}

/// The TLVs directly inside `content`, each as (tag, contents, whole encoding).
pub fn children(mut content: &[u8]) -> Vec<(u8, &[u8], &[u8])> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let tag = content[0];
        let (len, header) = match content[1] {
            n if n < 0x80 => (usize::from(n), 2),
            0x81 => (usize::from(content[2]), 3),
            0x82 => (usize::from(content[2]) << 8 | usize::from(content[3]), 4),
            other => panic!("test helper does not read length byte {other:#x}"),
        };
        out.push((
            tag,
            &content[header..header + len],
            &content[..header + len],
        ));
        content = &content[header + len..];
    }
    out
}

/// Re-encodes `cert` with `edit` applied to the contents of its extensions SEQUENCE.
pub fn with_extensions(cert: &[u8], edit: impl FnOnce(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let top = children(cert);
    let parts = children(top[0].1);
    let (tbs, alg, sig) = (parts[0].1, parts[1].2, parts[2].2);
    let fields = children(tbs);
    let (last, rest) = fields.split_last().expect("tbs fields");
    assert_eq!(last.0, 0xA3, "extensions are the last TBS field");
    let extensions = children(last.1)[0].1;
    let new_tbs: Vec<u8> = rest
        .iter()
        .flat_map(|f| f.2.iter().copied())
        .chain(tlv(0xA3, &tlv(0x30, &edit(extensions))))
        .collect();
    tlv(
        0x30,
        &[tlv(0x30, &new_tbs), alg.to_vec(), sig.to_vec()].concat(),
    )
}

/// One line of a conformance suite's known-deviations file: what the suite expects and what
/// kyso does instead (the reason follows on the line, for people).
pub struct Deviation {
    /// The suite's expected outcome.
    pub expected: String,
    /// kyso's outcome.
    pub actual: String,
}

/// Reads a deviations file: lines `id expected actual reason…`, `#` comments and blank lines
/// ignored. Used by the x509-limbo and PKITS tests.
pub fn deviations(path: &str) -> HashMap<String, Deviation> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let mut fields = line.split_whitespace();
            let (Some(id), Some(expected), Some(actual), Some(_reason)) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                panic!("{path}: want `id expected actual reason…`: {line}");
            };
            (
                id.to_owned(),
                Deviation {
                    expected: expected.to_owned(),
                    actual: actual.to_owned(),
                },
            )
        })
        .collect()
}
