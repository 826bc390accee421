//! Reading certificates whose names hold UniversalString values.
//!
//! [RFC 5280 §4.1.2.4] still allows `UniversalString` (tag 28, UTF-32BE) in a
//! DirectoryString, but the `der` crate (0.8) has no tag for it and rejects the whole
//! certificate. No crate in our stack reads it, hence this small piece of our own: before
//! decoding, every UniversalString *value of an attribute in the issuer or subject name*
//! is re-tagged `[PRIVATE 28]` (tag byte `0x1C` becomes `0xDC`; lengths are unchanged),
//! which `der` carries as an opaque value and
//! [`directory_string`](crate::directory_string) reads back as UTF-32BE.
//!
//! Only the decoded structure ([`Certificate::inner`](crate::Certificate::inner)) sees the
//! re-tagged bytes; [`Certificate::der`](crate::Certificate::der) stays the original
//! encoding, which is what signatures and hashes must be computed over.
//!
//! The walk below reads only the outer layers of the certificate:
//!
//! ```text
//! Certificate  ::=  SEQUENCE  {
//!      tbsCertificate       TBSCertificate, ... }
//!
//! TBSCertificate  ::=  SEQUENCE  {
//!      version         [0]  EXPLICIT Version DEFAULT v1,
//!      serialNumber         CertificateSerialNumber,
//!      signature            AlgorithmIdentifier,
//!      issuer               Name,
//!      validity             Validity,
//!      subject              Name, ... }
//! ```
//!
//! [RFC 5280 §4.1.2.4]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.4

use std::ops::Range;

use crate::directory_string::UNIVERSAL_STRING_TAG_NUMBER;

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const CONTEXT_0_CONSTRUCTED: u8 = 0xA0;
/// `[UNIVERSAL 28]`, primitive.
const UNIVERSAL_STRING: u8 = 0x1C;
/// `[PRIVATE 28]`, primitive: class bits `11`, constructed bit 0.
const PRIVATE_28: u8 = 0xC0 | UNIVERSAL_STRING_TAG_NUMBER as u8;

/// One tag-length-value found by [`Tlv::read`].
struct Tlv {
    /// Offset of the tag byte.
    start: usize,
    tag: u8,
    /// Where the contents are.
    value: Range<usize>,
}

impl Tlv {
    /// Reads the TLV at `pos`, which must end at or before `end`. Accepts only single-byte
    /// tags and definite lengths of up to 4 length octets; `None` on anything else.
    fn read(der: &[u8], pos: usize, end: usize) -> Option<Self> {
        let tag = *der.get(pos)?;
        if tag & 0x1F == 0x1F {
            return None; // high-tag-number form: not used at the levels walked here
        }
        let first = *der.get(pos.checked_add(1)?)?;
        let (len, header) = if first < 0x80 {
            (usize::from(first), 2)
        } else {
            let count = usize::from(first & 0x7F);
            if count == 0 || count > 4 {
                return None; // indefinite length (BER) or absurdly long
            }
            let mut len = 0usize;
            for i in 0..count {
                let byte = *der.get(pos.checked_add(2 + i)?)?;
                len = len.checked_mul(256)?.checked_add(usize::from(byte))?;
            }
            (len, 2 + count)
        };
        let value_start = pos.checked_add(header)?;
        let value_end = value_start.checked_add(len)?;
        (value_end <= end).then_some(Self {
            start: pos,
            tag,
            value: value_start..value_end,
        })
    }

    fn end(&self) -> usize {
        self.value.end
    }
}

/// The TLVs directly inside `range`, in order; stops at the first one that does not parse.
fn children(der: &[u8], range: Range<usize>) -> impl Iterator<Item = Tlv> + '_ {
    let end = range.end;
    let mut pos = range.start;
    std::iter::from_fn(move || {
        if pos >= end {
            return None;
        }
        let tlv = Tlv::read(der, pos, end)?;
        pos = tlv.end();
        Some(tlv)
    })
}

/// A copy of `der` in which the UniversalString attribute values of the issuer and subject
/// names are re-tagged `[PRIVATE 28]`; `None` if the layout is not a certificate's or no
/// value needed re-tagging.
pub(crate) fn retag_universal_strings(der: &[u8]) -> Option<Vec<u8>> {
    let certificate = Tlv::read(der, 0, der.len())?;
    if certificate.tag != SEQUENCE {
        return None;
    }
    let tbs = children(der, certificate.value).next()?;
    if tbs.tag != SEQUENCE {
        return None;
    }
    let mut fields = children(der, tbs.value).peekable();
    if fields.peek()?.tag == CONTEXT_0_CONSTRUCTED {
        fields.next(); // version
    }
    let mut fields = fields.skip(2); // serialNumber, signature
    let issuer = fields.next()?;
    let subject = fields.nth(1)?; // after validity

    let mut positions = Vec::new();
    for name in [issuer, subject] {
        if name.tag != SEQUENCE {
            return None;
        }
        for rdn in children(der, name.value) {
            if rdn.tag != SET {
                return None;
            }
            for atav in children(der, rdn.value) {
                if atav.tag != SEQUENCE {
                    return None;
                }
                let value = children(der, atav.value).nth(1)?;
                if value.tag == UNIVERSAL_STRING {
                    positions.push(value.start);
                }
            }
        }
    }
    if positions.is_empty() {
        return None;
    }
    let mut patched = der.to_vec();
    for pos in positions {
        *patched.get_mut(pos)? = PRIVATE_28;
    }
    Some(patched)
}

/// Where the encoded `tbsCertificate` (tag and length included) sits in a certificate's
/// DER: the bytes its signature is computed over ([RFC 5280 §4.1.1.3]). `None` if the outer
/// layers are not two nested SEQUENCEs.
///
/// [RFC 5280 §4.1.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1.3
pub(crate) fn tbs_range(der: &[u8]) -> Option<Range<usize>> {
    let certificate = Tlv::read(der, 0, der.len())?;
    if certificate.tag != SEQUENCE {
        return None;
    }
    let tbs = children(der, certificate.value).next()?;
    (tbs.tag == SEQUENCE).then_some(tbs.start..tbs.end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_truncated_input_yield_none() {
        assert!(retag_universal_strings(&[]).is_none());
        assert!(retag_universal_strings(&[0x30]).is_none());
        assert!(retag_universal_strings(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]).is_none());
        assert!(retag_universal_strings(&[0x30, 0x80, 0x00, 0x00]).is_none());
        assert!(retag_universal_strings(b"-----BEGIN CERTIFICATE-----").is_none());
    }

    #[test]
    fn tlv_length_may_not_run_past_its_parent() {
        assert!(Tlv::read(&[0x04, 0x03, 0x01, 0x02], 0, 4).is_none());
        let tlv = Tlv::read(&[0x04, 0x02, 0x01, 0x02], 0, 4).expect("fits");
        assert_eq!(tlv.value, 2..4);
    }
}
