//! BER forms of DER input, as streaming encoders write them (NSS, BouncyCastle's
//! streaming generators, `openssl cms -stream`): for testing that a reader accepts what
//! RFC 5652 allows.

/// Re-encodes `der` (one DER element, possibly followed by other bytes, kept as they are)
/// in BER: every constructed element gets an indefinite length, and every OCTET STRING
/// longer than `chunk` bytes becomes a constructed OCTET STRING of `chunk`-byte segments.
///
/// # Panics
///
/// If `der` is not well-formed DER (this is for tests, on inputs the test made).
pub fn indefinite(der: &[u8], chunk: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(der.len() * 2);
    let end = element(der, 0, chunk, &mut out);
    out.extend_from_slice(&der[end..]);
    out
}

fn header(der: &[u8], at: usize) -> (usize, usize) {
    let l = der[at + 1];
    if l < 0x80 {
        return (at + 2, usize::from(l));
    }
    let n = usize::from(l & 0x7F);
    let len = der[at + 2..at + 2 + n]
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    (at + 2 + n, len)
}

fn element(der: &[u8], at: usize, chunk: usize, out: &mut Vec<u8>) -> usize {
    let tag = der[at];
    assert_ne!(tag & 0x1F, 0x1F, "multi-byte tags are not handled");
    let (content, len) = header(der, at);
    let end = content + len;
    if tag == 0x04 && len > chunk {
        out.extend_from_slice(&[0x24, 0x80]);
        for piece in der[content..end].chunks(chunk) {
            out.push(0x04);
            push_length(out, piece.len());
            out.extend_from_slice(piece);
        }
        out.extend_from_slice(&[0, 0]);
    } else if tag & 0x20 != 0 {
        out.extend_from_slice(&[tag, 0x80]);
        let mut pos = content;
        while pos < end {
            pos = element(der, pos, chunk, out);
        }
        out.extend_from_slice(&[0, 0]);
    } else {
        out.extend_from_slice(&der[at..end]);
    }
    end
}

fn push_length(out: &mut Vec<u8>, len: usize) {
    out.extend(der_length(len));
}

/// The DER length octets of `len` (X.690 §10.1: short form below 128, else the fewest
/// long-form octets).
pub fn der_length(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![len as u8];
    }
    let bytes: Vec<u8> = len
        .to_be_bytes()
        .into_iter()
        .skip_while(|&b| b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}
