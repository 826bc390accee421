//! BER to DER: the CMS verifier reads DER only, but RFC 5652 allows BER for `ContentInfo`,
//! `SignedData` and the certificate and CRL sets, and the signers in use write it — NSS
//! (poppler's `pdfsig`, LibreOffice, Okular, Firefox), BouncyCastle's streaming generators,
//! CryptoAPI and `openssl cms -stream` use indefinite lengths and constructed OCTET STRINGs.
//! [`to_der`] rewrites such input into its DER form before the structure is read.
//!
//! What is rewritten, per X.690 §10: indefinite lengths become definite (§10.1), lengths use
//! the fewest octets (§10.1), and constructed encodings of the string types (OCTET STRING,
//! the character strings) become primitive (§10.2). Constructed BIT STRINGs, which no CMS
//! producer writes, are refused. Other DER rules are not enforced here: SET OF order (§11.6)
//! and BOOLEAN values are left as they are, because re-sorting a `SET OF` would change what a
//! signer signed. Elements already in DER are copied byte for byte, so a DER input comes
//! back borrowed, unchanged.
//!
//! The rewrite runs in two passes over the input — one to measure every element's DER
//! length, one to write — so the output is allocated once and no element is copied more than
//! once. Depth ([`MAX_DEPTH`]), element count ([`MAX_ELEMENTS`]) and size (the caller's
//! bound) are limited; whatever the input, this returns an error rather than panicking.
//!
//! ```
//! // An indefinite-length SEQUENCE holding a constructed OCTET STRING of two segments.
//! let ber = [0x30, 0x80, 0x24, 0x80, 0x04, 0x01, b'a', 0x04, 0x01, b'b', 0, 0, 0, 0];
//! let der = kyso_cms::ber::to_der(&ber)?;
//! assert_eq!(der.bytes(), &[0x30, 0x04, 0x04, 0x02, b'a', b'b']);
//! assert!(der.was_rewritten());
//! # Ok::<(), kyso_cms::Error>(())
//! ```

use std::borrow::Cow;
use std::ops::Range;

use crate::{Error, Result};

/// The deepest nesting of constructed elements read (real CMS structures nest about 15
/// deep).
pub const MAX_DEPTH: usize = 64;

/// The most elements (TLVs) one input may hold: a CMS with a long chain, CRLs and OCSP
/// responses has tens of thousands.
pub const MAX_ELEMENTS: usize = 1 << 20;

/// The DER form of a BER input: [`to_der`]'s result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DerForm<'a> {
    bytes: Cow<'a, [u8]>,
    rewritten: Vec<Range<usize>>,
}

impl DerForm<'_> {
    /// The DER bytes: the first element of the input in DER, then whatever followed it, as
    /// it was.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Whether anything was rewritten (the input was not DER).
    pub fn was_rewritten(&self) -> bool {
        !self.rewritten.is_empty()
    }

    /// Whether an element lying wholly inside `range` (offsets in [`DerForm::bytes`]) was
    /// rewritten: the bytes there are not the input's.
    pub fn rewritten_within(&self, range: Range<usize>) -> bool {
        self.rewritten
            .iter()
            .any(|r| r.start >= range.start && r.end <= range.end)
    }
}

/// Rewrites the first BER element of `input` into DER (see the [module docs](self)); bytes
/// after it (a PDF /Contents placeholder's zero padding) are kept as they are.
///
/// # Errors
///
/// [`Error::Malformed`] (with `what` = `"BER"` and the input offset) for truncated or
/// inconsistent encodings, an indefinite length on a primitive element, an end-of-contents
/// marker outside an indefinite-length element, a constructed string holding something other
/// than segments of its own type, a constructed BIT STRING, nesting deeper than
/// [`MAX_DEPTH`], more than [`MAX_ELEMENTS`] elements or a length that does not fit in
/// memory.
pub fn to_der(input: &[u8]) -> Result<DerForm<'_>> {
    let mut measure = Pass {
        input,
        lens: Vec::new(),
        next: 0,
        out: None,
        rewritten: Vec::new(),
        changed: false,
    };
    let (end, _) = measure.element(0, 0)?;
    if !measure.changed {
        return Ok(DerForm {
            bytes: Cow::Borrowed(input),
            rewritten: Vec::new(),
        });
    }
    let rest = input.get(end..).unwrap_or_default();
    let mut write = Pass {
        input,
        lens: std::mem::take(&mut measure.lens),
        next: 0,
        out: Some(Vec::new()),
        rewritten: Vec::new(),
        changed: false,
    };
    write.element(0, 0)?;
    let mut out = write.out.take().unwrap_or_default();
    out.extend_from_slice(rest);
    Ok(DerForm {
        bytes: Cow::Owned(out),
        rewritten: write.rewritten,
    })
}

/// One pass over the input. The measuring pass (`out: None`) records each element's DER
/// content length in pre-order; the writing pass reads them back in the same order.
struct Pass<'a> {
    input: &'a [u8],
    lens: Vec<usize>,
    next: usize,
    out: Option<Vec<u8>>,
    rewritten: Vec<Range<usize>>,
    changed: bool,
}

/// An element's identifier and length octets as read.
struct Header {
    /// Identifier octets.
    tag: Range<usize>,
    /// First content octet.
    content: usize,
    /// `None`: indefinite length.
    len: Option<usize>,
    /// The length octets were not the shortest form.
    long_length: bool,
}

fn bad(offset: usize, reason: impl Into<String>) -> Error {
    Error::Malformed {
        what: "BER",
        offset,
        reason: reason.into(),
    }
}

/// Universal string types whose constructed form X.690 §10.2 forbids in DER: OCTET STRING,
/// the character strings and the time types (tag numbers 12, 18–30).
fn is_string_type(tag: u8) -> bool {
    tag & 0xC0 == 0 && matches!(tag & 0x1F, 4 | 12 | 18..=30)
}

impl Pass<'_> {
    fn header(&self, at: usize) -> Result<Header> {
        let input = self.input;
        let byte = |i: usize| {
            input
                .get(i)
                .copied()
                .ok_or_else(|| bad(i, "truncated element"))
        };
        let first = byte(at)?;
        let mut i = at + 1;
        if first & 0x1F == 0x1F {
            // High tag number form: base-128 octets, the last without bit 8.
            loop {
                let b = byte(i)?;
                i += 1;
                if i - at > 5 {
                    return Err(bad(at, "tag number too large"));
                }
                if b & 0x80 == 0 {
                    break;
                }
            }
        }
        let tag = at..i;
        let l = byte(i)?;
        i += 1;
        let (len, long_length) = match l {
            0x80 => (None, false),
            0x00..=0x7F => (Some(usize::from(l)), false),
            0xFF => return Err(bad(i - 1, "reserved length octet 0xFF")),
            _ => {
                let n = usize::from(l & 0x7F);
                if n > 4 {
                    return Err(bad(i - 1, format!("{n}-octet length")));
                }
                let mut len = 0usize;
                for _ in 0..n {
                    len = (len << 8) | usize::from(byte(i)?);
                    i += 1;
                }
                (Some(len), len < 0x80 || len >> (8 * (n - 1)) == 0)
            }
        };
        if let Some(len) = len
            && input.len().saturating_sub(i) < len
        {
            return Err(bad(
                at,
                format!("length {len} runs past the end of the input"),
            ));
        }
        Ok(Header {
            tag,
            content: i,
            len,
            long_length,
        })
    }

    /// Reads (and in the writing pass, writes) the element at `at`; returns the input offset
    /// after it and the length of its DER encoding.
    fn element(&mut self, at: usize, depth: usize) -> Result<(usize, usize)> {
        if depth > MAX_DEPTH {
            return Err(bad(at, format!("nested deeper than {MAX_DEPTH}")));
        }
        let h = self.header(at)?;
        let first = self.input.get(at).copied().unwrap_or(0);
        let constructed = first & 0x20 != 0;
        if !constructed {
            let len = h
                .len
                .ok_or_else(|| bad(at, "indefinite length on a primitive element"))?;
            let end = h.content + len;
            if h.long_length {
                self.changed = true;
            }
            let content = self.input.get(h.content..end).unwrap_or_default();
            let tag = self.input.get(h.tag.clone()).unwrap_or_default();
            let der_len = self.emit(tag, content.len(), h.long_length, |out| {
                out.extend_from_slice(content)
            });
            return Ok((end, der_len));
        }
        if first == 0x23 {
            return Err(bad(at, "constructed BIT STRING"));
        }
        let flatten = is_string_type(first);
        if h.len.is_none() || flatten || h.long_length {
            self.changed = true;
        }
        let rewritten = h.len.is_none() || flatten || h.long_length;

        // The measuring pass computes the DER content length; the writing pass reads it.
        let slot = if self.out.is_none() {
            if self.lens.len() >= MAX_ELEMENTS {
                return Err(bad(at, format!("more than {MAX_ELEMENTS} elements")));
            }
            self.lens.push(0);
            self.lens.len() - 1
        } else {
            self.next += 1;
            self.next - 1
        };
        let tag: Vec<u8> = if flatten {
            vec![first & !0x20]
        } else {
            self.input.get(h.tag.clone()).unwrap_or_default().to_vec()
        };
        let content_len = self.lens.get(slot).copied().unwrap_or(0);
        let start = self.out.as_ref().map_or(0, Vec::len);
        if let Some(out) = self.out.as_mut() {
            out.extend_from_slice(&tag);
            push_length(out, content_len);
        }
        let (end, measured) = self.children(at, &h, flatten, depth)?;
        if self.out.is_none() {
            if let Some(l) = self.lens.get_mut(slot) {
                *l = measured;
            }
        } else if rewritten {
            let end_out = self.out.as_ref().map_or(0, Vec::len);
            self.rewritten.push(start..end_out);
        }
        Ok((end, tag.len() + length_len(measured) + measured))
    }

    /// The contents of a constructed element: its children until the end of its definite
    /// length or until end-of-contents. Returns the input offset after the element and the
    /// DER content length.
    fn children(
        &mut self,
        at: usize,
        h: &Header,
        flatten: bool,
        depth: usize,
    ) -> Result<(usize, usize)> {
        let string_tag = self.input.get(at).copied().unwrap_or(0) & !0x20;
        let mut pos = h.content;
        let mut total = 0usize;
        loop {
            match h.len {
                Some(len) if pos == h.content + len => return Ok((pos, total)),
                Some(len) if pos > h.content + len => {
                    return Err(bad(pos, "child runs past its parent's end"));
                }
                _ => {}
            }
            if self.input.get(pos..pos + 2) == Some(&[0, 0]) {
                if h.len.is_none() {
                    return Ok((pos + 2, total));
                }
                return Err(bad(pos, "end-of-contents inside a definite-length element"));
            }
            if pos >= self.input.len() {
                return Err(bad(pos, "missing end-of-contents"));
            }
            if flatten {
                let (next, len) = self.segment(pos, string_tag, depth + 1)?;
                pos = next;
                total = total.saturating_add(len);
            } else {
                let (next, len) = self.element(pos, depth + 1)?;
                pos = next;
                total = total.saturating_add(len);
            }
        }
    }

    /// One segment of a constructed string: a primitive or constructed element of the same
    /// type, whose content octets are appended. Returns the input offset after it and the
    /// number of content octets.
    fn segment(&mut self, at: usize, string_tag: u8, depth: usize) -> Result<(usize, usize)> {
        if depth > MAX_DEPTH {
            return Err(bad(at, format!("nested deeper than {MAX_DEPTH}")));
        }
        let first = self.input.get(at).copied().unwrap_or(0);
        if first & !0x20 != string_tag {
            return Err(bad(
                at,
                format!("segment of a constructed string has tag 0x{first:02X}"),
            ));
        }
        let h = self.header(at)?;
        if first & 0x20 == 0 {
            let len = h
                .len
                .ok_or_else(|| bad(at, "indefinite length on a primitive element"))?;
            let end = h.content + len;
            if let (Some(out), Some(content)) = (self.out.as_mut(), self.input.get(h.content..end))
            {
                out.extend_from_slice(content);
            }
            return Ok((end, len));
        }
        self.children(at, &h, true, depth)
    }

    /// Writes a primitive element (writing pass only) and returns its DER length.
    fn emit(
        &mut self,
        tag: &[u8],
        content_len: usize,
        rewritten: bool,
        content: impl FnOnce(&mut Vec<u8>),
    ) -> usize {
        if let Some(out) = self.out.as_mut() {
            let start = out.len();
            out.extend_from_slice(tag);
            push_length(out, content_len);
            content(out);
            if rewritten {
                let end = out.len();
                self.rewritten.push(start..end);
            }
        }
        tag.len() + length_len(content_len) + content_len
    }
}

/// Octets of the DER length of `len`.
fn length_len(len: usize) -> usize {
    if len < 0x80 {
        1
    } else {
        1 + (usize::BITS as usize / 8 - len.leading_zeros() as usize / 8)
    }
}

fn push_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let n = length_len(len) - 1;
    out.push(0x80 | n as u8);
    for i in (0..n).rev() {
        out.push((len >> (8 * i)) as u8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_input_is_returned_borrowed() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x05];
        let form = to_der(&der).unwrap();
        assert!(matches!(form.bytes, Cow::Borrowed(_)));
        assert!(!form.was_rewritten());
    }

    #[test]
    fn indefinite_lengths_become_definite_and_padding_is_kept() {
        let ber = [
            0x30, 0x80, 0xA0, 0x80, 0x02, 0x01, 0x07, 0, 0, 0, 0, 0, 0, 0,
        ];
        let form = to_der(&ber).unwrap();
        assert_eq!(
            form.bytes(),
            &[0x30, 0x05, 0xA0, 0x03, 0x02, 0x01, 0x07, 0, 0, 0]
        );
        assert!(form.rewritten_within(2..7));
        assert!(form.rewritten_within(0..7));
        assert!(!form.rewritten_within(4..7));
    }

    #[test]
    fn non_minimal_lengths_are_shortened() {
        let ber = [0x04, 0x82, 0x00, 0x02, b'h', b'i'];
        assert_eq!(to_der(&ber).unwrap().bytes(), &[0x04, 0x02, b'h', b'i']);
    }

    #[test]
    fn nested_constructed_octet_strings_are_flattened() {
        // 0x24 { 0x04 "ab", 0x24 { 0x04 "c" } }
        let ber = [
            0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x24, 0x03, 0x04, 0x01, b'c', 0, 0,
        ];
        assert_eq!(
            to_der(&ber).unwrap().bytes(),
            &[0x04, 0x03, b'a', b'b', b'c']
        );
    }

    #[test]
    fn long_contents_get_long_form_lengths() {
        let mut ber = vec![0x24, 0x80];
        for _ in 0..3 {
            ber.extend_from_slice(&[0x04, 0x81, 100]);
            ber.extend(std::iter::repeat_n(7u8, 100));
        }
        ber.extend_from_slice(&[0, 0]);
        let form = to_der(&ber).unwrap();
        assert_eq!(&form.bytes()[..4], &[0x04, 0x82, 0x01, 0x2C]);
        assert_eq!(form.bytes().len(), 4 + 300);
    }

    #[test]
    fn bad_encodings_are_refused_with_their_offset() {
        let cases: &[(&[u8], &str)] = &[
            (&[0x04, 0x80, 0, 0], "indefinite length on a primitive"),
            (&[0x30, 0x80, 0x02, 0x01, 0x01], "missing end-of-contents"),
            (
                &[0x30, 0x04, 0x02, 0x01, 0x01, 0, 0],
                "end-of-contents inside",
            ),
            (&[0x30, 0x05, 0x02, 0x01], "runs past the end"),
            (
                &[0x24, 0x80, 0x02, 0x01, 0x01, 0, 0],
                "segment of a constructed string",
            ),
            (
                &[0x23, 0x80, 0x03, 0x02, 0x00, 0x01, 0, 0],
                "constructed BIT STRING",
            ),
            (&[0x30, 0x85, 1, 0, 0, 0, 0], "5-octet length"),
        ];
        for (input, want) in cases {
            let err = to_der(input).unwrap_err().to_string();
            assert!(err.contains(want), "{input:02X?}: {err}");
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let mut ber = Vec::new();
        for _ in 0..=MAX_DEPTH + 1 {
            ber.extend_from_slice(&[0x30, 0x80]);
        }
        let err = to_der(&ber).unwrap_err().to_string();
        assert!(err.contains("nested deeper"), "{err}");
    }
}
