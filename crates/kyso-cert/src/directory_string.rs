//! Turning attribute values of a name into readable UTF-8, whatever string type the CA chose.
//!
//! [RFC 5280 §4.1.2.4] lets a CA encode most name attributes as a `DirectoryString`:
//!
//! ```text
//! DirectoryString ::= CHOICE {
//!       teletexString           TeletexString (SIZE (1..MAX)),
//!       printableString         PrintableString (SIZE (1..MAX)),
//!       universalString         UniversalString (SIZE (1..MAX)),
//!       utf8String              UTF8String (SIZE (1..MAX)),
//!       bmpString               BMPString (SIZE (1..MAX)) }
//! ```
//!
//! and a few attributes (`emailAddress`, `domainComponent`) use `IA5String`. Vietnamese CAs
//! have used all of them, so the rules here are deliberately forgiving: a value always turns
//! into *some* text (invalid sequences become U+FFFD), and a value that is not a string at
//! all is shown as `#` followed by the hex of its DER, as [RFC 4514 §2.4] does.
//!
//! [RFC 5280 §4.1.2.4]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.4
//! [RFC 4514 §2.4]: https://www.rfc-editor.org/rfc/rfc4514#section-2.4

use der::{Encode, Tag, Tagged, asn1::Any};
use serde::Serialize;

/// Tag number of UniversalString (`[UNIVERSAL 28]`).
///
/// The `der` crate has no `Tag` for it and refuses to decode it, so
/// [`Certificate::from_der`](crate::Certificate::from_der) re-tags UniversalString values in
/// the issuer and subject names as `[PRIVATE 28]` before decoding (see `compat.rs`); this
/// module reads `[PRIVATE 28]` back as UniversalString.
pub(crate) const UNIVERSAL_STRING_TAG_NUMBER: u32 = 28;

/// The ASN.1 string type an attribute value was encoded with ([X.680 §41]).
///
/// Kept so that a report can say how the CA encoded a name (a BMPString or a TeletexString
/// holding UTF-8 bytes is worth knowing about when two names fail to match).
///
/// [X.680 §41]: https://www.itu.int/rec/T-REC-X.680
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StringType {
    /// `UTF8String` (tag 12), what [RFC 5280 §4.1.2.4] asks CAs to use.
    ///
    /// [RFC 5280 §4.1.2.4]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.4
    Utf8,
    /// `PrintableString` (tag 19): a subset of ASCII.
    Printable,
    /// `IA5String` (tag 22): ASCII.
    Ia5,
    /// `BMPString` (tag 30): UTF-16BE (the Basic Multilingual Plane, UCS-2 in X.680).
    Bmp,
    /// `UniversalString` (tag 28): UTF-32BE (UCS-4).
    Universal,
    /// `TeletexString` / `T61String` (tag 20): read as Latin-1, or as UTF-8 when the bytes
    /// are valid UTF-8 (a common misuse).
    Teletex,
    /// `VisibleString` (tag 26): ASCII without control characters.
    Visible,
    /// `NumericString` (tag 18): digits and space.
    Numeric,
    /// `VideotexString` (tag 21), read like TeletexString.
    Videotex,
    /// `GeneralString` (tag 27), read like TeletexString.
    General,
    /// Not a string type; the value is shown as `#` + hex of its DER encoding.
    NotAString,
}

impl StringType {
    /// The string type of a value with this tag.
    fn of(tag: Tag) -> Self {
        match tag {
            Tag::Utf8String => Self::Utf8,
            Tag::PrintableString => Self::Printable,
            Tag::Ia5String => Self::Ia5,
            Tag::BmpString => Self::Bmp,
            Tag::TeletexString => Self::Teletex,
            Tag::VisibleString => Self::Visible,
            Tag::NumericString => Self::Numeric,
            Tag::VideotexString => Self::Videotex,
            Tag::GeneralString => Self::General,
            Tag::Private {
                constructed: false,
                number,
            } if number.value() == UNIVERSAL_STRING_TAG_NUMBER => Self::Universal,
            _ => Self::NotAString,
        }
    }
}

/// Decodes an attribute value to readable text and says which string type it had.
///
/// Rules, by type:
///
/// * UTF8String: UTF-8 (invalid sequences become U+FFFD);
/// * BMPString: UTF-16BE (unpaired surrogates and a dangling odd byte become U+FFFD);
/// * UniversalString: UTF-32BE (values that are not scalar values become U+FFFD);
/// * TeletexString, VideotexString, GeneralString, and the ASCII types (PrintableString,
///   IA5String, VisibleString, NumericString): UTF-8 if the bytes are valid UTF-8, else
///   Latin-1 (ISO 8859-1, one byte per character). For ASCII content both give the same
///   text; the UTF-8 reading exists because many VN CAs put UTF-8 bytes into T61Strings;
/// * anything else: `#` + uppercase hex of the value's DER, as [RFC 4514 §2.4] does.
///
/// Trailing NUL characters, which some CAs append to BMPStrings, are removed.
///
/// [RFC 4514 §2.4]: https://www.rfc-editor.org/rfc/rfc4514#section-2.4
pub(crate) fn decode(value: &Any) -> (String, StringType) {
    let kind = StringType::of(value.tag());
    let bytes = value.value();
    let text = match kind {
        StringType::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        StringType::Bmp => utf16be(bytes),
        StringType::Universal => utf32be(bytes),
        StringType::Printable
        | StringType::Ia5
        | StringType::Visible
        | StringType::Numeric
        | StringType::Teletex
        | StringType::Videotex
        | StringType::General => utf8_or_latin1(bytes),
        StringType::NotAString => return (hex_der(value), kind),
    };
    (text.trim_end_matches('\0').to_owned(), kind)
}

/// UTF-8 when the bytes are valid UTF-8, otherwise Latin-1 (every byte is one character).
fn utf8_or_latin1(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().copied().map(char::from).collect(),
    }
}

/// UTF-16BE with replacement of unpaired surrogates and of a dangling odd byte.
fn utf16be(bytes: &[u8]) -> String {
    let units = bytes
        .chunks_exact(2)
        .map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
    let mut text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if !bytes.len().is_multiple_of(2) {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
}

/// UTF-32BE with replacement of non-scalar values and of a partial trailing unit.
fn utf32be(bytes: &[u8]) -> String {
    let mut text: String = bytes
        .chunks_exact(4)
        .map(|quad| {
            char::from_u32(u32::from_be_bytes([quad[0], quad[1], quad[2], quad[3]]))
                .unwrap_or(char::REPLACEMENT_CHARACTER)
        })
        .collect();
    if !bytes.len().is_multiple_of(4) {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
}

/// `#` + uppercase hex of the value's complete DER encoding (tag, length, contents).
fn hex_der(value: &Any) -> String {
    match value.to_der() {
        Ok(der) => format!("#{}", hex::encode_upper(der)),
        // Encoding an `Any` we decoded cannot fail short of running out of length range;
        // fall back to the contents alone rather than panicking.
        Err(_) => format!("#{}", hex::encode_upper(value.value())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any(tag: Tag, bytes: &[u8]) -> Any {
        Any::new(tag, bytes.to_vec()).expect("test value")
    }

    #[test]
    fn bmpstring_is_utf16_big_endian() {
        let bytes: Vec<u8> = "Nguyễn Văn An"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(
            decode(&any(Tag::BmpString, &bytes)),
            ("Nguyễn Văn An".to_owned(), StringType::Bmp)
        );
    }

    #[test]
    fn bmpstring_with_odd_length_or_lone_surrogate_gets_replacement_characters() {
        assert_eq!(
            decode(&any(Tag::BmpString, &[0x00, 0x41, 0x00])).0,
            "A\u{FFFD}"
        );
        assert_eq!(
            decode(&any(Tag::BmpString, &[0xD8, 0x00, 0x00, 0x41])).0,
            "\u{FFFD}A"
        );
    }

    #[test]
    fn bmpstring_trailing_nul_is_dropped() {
        assert_eq!(
            decode(&any(Tag::BmpString, &[0x00, 0x41, 0x00, 0x00])).0,
            "A"
        );
    }

    #[test]
    fn private_28_is_read_as_universalstring() {
        let bytes: Vec<u8> = "Hà Nội"
            .chars()
            .flat_map(|c| u32::from(c).to_be_bytes())
            .collect();
        let tag = Tag::Private {
            constructed: false,
            number: der::TagNumber(UNIVERSAL_STRING_TAG_NUMBER),
        };
        assert_eq!(
            decode(&any(tag, &bytes)),
            ("Hà Nội".to_owned(), StringType::Universal)
        );
        assert_eq!(decode(&any(tag, &[0, 0x11, 0, 0, 0])).0, "\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn teletex_latin1_bytes_are_read_as_latin1() {
        assert_eq!(
            decode(&any(Tag::TeletexString, b"L\xEA Th\xE0nh C\xF4ng")).0,
            "Lê Thành Công"
        );
    }

    #[test]
    fn teletex_holding_utf8_bytes_is_read_as_utf8() {
        assert_eq!(
            decode(&any(Tag::TeletexString, "Nguyễn Văn An".as_bytes())).0,
            "Nguyễn Văn An"
        );
    }

    #[test]
    fn invalid_utf8string_is_replaced_not_rejected() {
        assert_eq!(decode(&any(Tag::Utf8String, b"A\xFFB")).0, "A\u{FFFD}B");
    }

    #[test]
    fn non_string_value_is_shown_as_hex_der() {
        assert_eq!(
            decode(&any(Tag::OctetString, &[0xAB, 0x01])),
            ("#0402AB01".to_owned(), StringType::NotAString)
        );
    }
}
