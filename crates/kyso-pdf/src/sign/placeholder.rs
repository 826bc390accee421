//! The signature dictionary (ISO 32000-2 §12.8.1, Table 255) with a /Contents placeholder and a
//! fixed-width /ByteRange that is filled in once the file's layout is known.

use crate::object::{Dict, Name, Object};

/// Width reserved for the four /ByteRange numbers: room for offsets up to 10^10 − 1 bytes.
const BYTE_RANGE_FIELD: usize = 10;
/// `[` + four fields each followed by a space + `]`.
const BYTE_RANGE_LEN: usize = 1 + 4 * (BYTE_RANGE_FIELD + 1) + 1;

/// A serialized signature dictionary and where its placeholders sit in it.
#[derive(Debug)]
pub struct SignatureDictionary {
    /// The dictionary as PDF syntax.
    pub body: Vec<u8>,
    /// Offset of the `[` of the /ByteRange array.
    pub byte_range_at: usize,
    /// Offset of the `<` opening the /Contents hex string.
    pub contents_at: usize,
    /// Length of the /Contents hex string including `<` and `>`.
    pub contents_len: usize,
}

impl SignatureDictionary {
    /// Serializes `entries` (everything but /ByteRange and /Contents), then /ByteRange and a
    /// /Contents of `capacity` zero bytes (written as `2 × capacity` hex digits).
    pub fn new(entries: &Dict, capacity: usize) -> Self {
        let mut body = Vec::with_capacity(512 + 2 * capacity);
        body.extend_from_slice(b"<<");
        for (key, value) in entries.iter() {
            Object::Name(key.clone()).write_to(&mut body);
            body.push(b' ');
            value.write_to(&mut body);
        }
        Object::Name(Name::new("ByteRange")).write_to(&mut body);
        body.push(b' ');
        let byte_range_at = body.len();
        body.push(b'[');
        body.extend(std::iter::repeat_n(b' ', BYTE_RANGE_LEN - 2));
        body.push(b']');
        Object::Name(Name::new("Contents")).write_to(&mut body);
        body.push(b' ');
        let contents_at = body.len();
        body.push(b'<');
        body.extend(std::iter::repeat_n(b'0', 2 * capacity));
        body.push(b'>');
        let contents_len = body.len() - contents_at;
        body.extend_from_slice(b">>");
        Self {
            body,
            byte_range_at,
            contents_at,
            contents_len,
        }
    }
}

/// Renders `[0 a b c]` padded with spaces to the reserved width, or `None` if an offset is too
/// large for it.
pub fn byte_range_text(range: [u64; 4]) -> Option<Vec<u8>> {
    let text = format!("[{} {} {} {}]", range[0], range[1], range[2], range[3]);
    if text.len() > BYTE_RANGE_LEN {
        return None;
    }
    let mut bytes = text.into_bytes();
    // Pad inside the brackets so the array stays well-formed.
    let close = bytes.pop();
    bytes.resize(BYTE_RANGE_LEN - 1, b' ');
    bytes.extend(close);
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_holds_hex_zeros_of_the_capacity() {
        let d = SignatureDictionary::new(&Dict::new(), 8);
        let contents = &d.body[d.contents_at..d.contents_at + d.contents_len];
        assert_eq!(contents, b"<0000000000000000>");
        assert_eq!(&d.body[d.byte_range_at..d.byte_range_at + 1], b"[");
    }

    #[test]
    fn byte_range_text_keeps_the_reserved_width() {
        let t = byte_range_text([0, 1234, 5678, 90]).unwrap_or_default();
        assert_eq!(t.len(), BYTE_RANGE_LEN);
        assert!(t.starts_with(b"[0 1234 5678 90"));
        assert_eq!(t.last(), Some(&b']'));
        assert!(byte_range_text([0, u64::MAX, u64::MAX, u64::MAX]).is_none());
    }
}
