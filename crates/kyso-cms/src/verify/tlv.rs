//! A borrowing DER element walker: the verifier needs the exact input bytes of some
//! elements (the signed attributes, each certificate), which decoding into owned types
//! would lose (`SET OF` is re-sorted, certificates re-encoded), and it must say where in the
//! input an element is broken.
//!
//! Only DER is read (definite lengths, minimal length encodings, as the `der` crate checks:
//! BER input is rewritten into DER first, by [`crate::ber`]);
//! nothing here recurses, so nesting depth costs nothing.

use der::{AnyRef, Decode, Reader, SliceReader};

use crate::{Error, Result};

/// Universal tags by their first (and only) identifier octet.
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const OID: u8 = 0x06;
pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;
/// `[0]` constructed (EXPLICIT tagging, or IMPLICIT over a constructed type).
pub(crate) const CTX0: u8 = 0xA0;
/// `[1]` constructed.
pub(crate) const CTX1: u8 = 0xA1;
/// `[0]` primitive (IMPLICIT over a primitive type, e.g. `SubjectKeyIdentifier`).
pub(crate) const CTX0_PRIMITIVE: u8 = 0x80;

/// One DER element of the input: identifier octet, contents, and the whole encoding.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    /// The first identifier octet (all tags the verifier reads fit in one).
    pub tag: u8,
    /// The contents octets.
    pub value: &'a [u8],
    /// Identifier, length and contents octets, as in the input.
    pub raw: &'a [u8],
    /// Offset of `raw` in the whole input.
    pub offset: usize,
}

/// Reads consecutive elements from a slice of the input.
pub(crate) struct Walker<'a> {
    /// The whole input, to compute offsets.
    base: &'a [u8],
    rest: &'a [u8],
}

impl<'a> Walker<'a> {
    /// A walker over `bytes`, a sub-slice of `base` (or `base` itself).
    pub fn new(base: &'a [u8], bytes: &'a [u8]) -> Self {
        Self { base, rest: bytes }
    }

    /// A walker over the contents of `tlv`.
    pub fn inside(base: &'a [u8], tlv: &Tlv<'a>) -> Self {
        Self::new(base, tlv.value)
    }

    /// Offset of the next element.
    pub fn offset(&self) -> usize {
        offset_in(self.base, self.rest)
    }

    /// Whether every element has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// The identifier octet of the next element, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads the next element, whatever its tag.
    pub fn any(&mut self, what: &'static str) -> Result<Tlv<'a>> {
        let offset = self.offset();
        if self.rest.is_empty() {
            return Err(malformed(
                what,
                offset,
                "missing (end of enclosing element)",
            ));
        }
        let mut reader =
            SliceReader::new(self.rest).map_err(|e| malformed(what, offset, e.to_string()))?;
        let raw = reader
            .tlv_bytes()
            .map_err(|e| malformed(what, offset, e.to_string()))?;
        let any = AnyRef::from_der(raw).map_err(|e| malformed(what, offset, e.to_string()))?;
        let Some(&tag) = raw.first() else {
            return Err(malformed(what, offset, "empty element"));
        };
        if tag & 0x1F == 0x1F {
            return Err(malformed(what, offset, "multi-byte tag"));
        }
        self.rest = self.rest.get(raw.len()..).unwrap_or_default();
        Ok(Tlv {
            tag,
            value: any.value(),
            raw,
            offset,
        })
    }

    /// Reads the next element and checks its identifier octet.
    pub fn read(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>> {
        let offset = self.offset();
        match self.peek_tag() {
            Some(t) if t == tag => self.any(what),
            Some(t) => Err(malformed(
                what,
                offset,
                format!("expected {}, found tag 0x{t:02X}", tag_name(tag)),
            )),
            None => Err(malformed(
                what,
                offset,
                format!("missing {} (end of enclosing element)", tag_name(tag)),
            )),
        }
    }

    /// Reads the next element if it has identifier octet `tag`.
    pub fn optional(&mut self, tag: u8, what: &'static str) -> Result<Option<Tlv<'a>>> {
        if self.peek_tag() == Some(tag) {
            self.any(what).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Checks that nothing follows the last element read.
    pub fn finish(&self, what: &'static str) -> Result<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(malformed(
                what,
                self.offset(),
                format!("{} unexpected trailing bytes", self.rest.len()),
            ))
        }
    }
}

impl Tlv<'_> {
    /// Decodes the whole element as `T` (an owned `der` type), reporting failures at its
    /// offset.
    pub fn decode<T: for<'b> Decode<'b, Error = der::Error>>(
        &self,
        what: &'static str,
    ) -> Result<T> {
        T::from_der(self.raw).map_err(|e| malformed(what, self.offset, e.to_string()))
    }
}

/// Offset of `part` (a sub-slice) in `base`, computed from addresses (no `unsafe`).
pub(crate) fn offset_in(base: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize).saturating_sub(base.as_ptr() as usize)
}

/// An [`Error::Malformed`].
pub(crate) fn malformed(what: &'static str, offset: usize, reason: impl Into<String>) -> Error {
    Error::Malformed {
        what,
        offset,
        reason: reason.into(),
    }
}

fn tag_name(tag: u8) -> String {
    match tag {
        INTEGER => "INTEGER".into(),
        OCTET_STRING => "OCTET STRING".into(),
        OID => "OBJECT IDENTIFIER".into(),
        SEQUENCE => "SEQUENCE".into(),
        SET => "SET".into(),
        t if t & 0xC0 == 0x80 => format!("[{}]", t & 0x1F),
        t => format!("tag 0x{t:02X}"),
    }
}
