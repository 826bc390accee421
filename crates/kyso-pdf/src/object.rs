//! PDF objects (ISO 32000-2 §7.3) and their serialization.
//!
//! The eight basic object types of ISO 32000-2 §7.3.1 — boolean, integer and real
//! numbers, strings, names, arrays, dictionaries, streams and the null object — plus
//! indirect references (§7.3.10) make up [`Object`]. Every type writes itself back as PDF
//! syntax with `write_to`; [`crate::parser::parse_object`] reads it, and the two are
//! inverse of each other (a property test checks `parse(write(obj)) == obj`).
//!
//! Text strings (§7.9.2.2) have their own helpers: [`Object::text_string`] encodes a
//! Rust string the way a PDF reader expects it (PDFDocEncoding for printable ASCII,
//! UTF-16BE with a byte order mark otherwise — "Tôi đồng ý", "Hà Nội"), and
//! [`decode_text_string`] reads one back.

use std::fmt;

use crate::error::Result;

/// An indirect reference `12 0 R` (ISO 32000-2 §7.3.10): object number and generation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ObjRef {
    /// The object number (positive for real objects; 0 is the head of the free list).
    pub num: u32,
    /// The generation number (0 for objects that were never freed and reused).
    pub generation: u16,
}

impl ObjRef {
    /// The reference to object `num` with generation `generation`.
    pub const fn new(num: u32, generation: u16) -> Self {
        ObjRef { num, generation }
    }

    /// Writes `num gen R` (ISO 32000-2 §7.3.10).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(format!("{} {} R", self.num, self.generation).as_bytes());
    }
}

impl fmt::Display for ObjRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} R", self.num, self.generation)
    }
}

/// Reports show a reference as PDF writes it: `"12 0 R"`.
impl serde::Serialize for ObjRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A name object `/Type` (ISO 32000-2 §7.3.5), holding the decoded bytes: `/A#20B` is
/// `Name(b"A B")`. The leading slash is not part of the name.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Name(pub Vec<u8>);

impl Name {
    /// The name with the UTF-8 bytes of `s` (`Name::new("Type")` is `/Type`).
    pub fn new(s: &str) -> Self {
        Name(s.as_bytes().to_vec())
    }

    /// The decoded bytes of the name, without the slash.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Writes `/Name`, escaping with `#xx` every byte that is not a regular character
    /// other than `#` (ISO 32000-2 §7.3.5).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.push(b'/');
        for &b in &self.0 {
            if (b'!'..=b'~').contains(&b) && b != b'#' && !is_delimiter(b) {
                out.push(b);
            } else {
                out.push(b'#');
                out.push(HEX_UPPER[usize::from(b >> 4)]);
                out.push(HEX_UPPER[usize::from(b & 0x0f)]);
            }
        }
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", String::from_utf8_lossy(&self.0))
    }
}

impl AsRef<[u8]> for Name {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Self {
        Name::new(s)
    }
}

impl From<&[u8]> for Name {
    fn from(b: &[u8]) -> Self {
        Name(b.to_vec())
    }
}

impl From<Vec<u8>> for Name {
    fn from(b: Vec<u8>) -> Self {
        Name(b)
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

/// A string object (ISO 32000-2 §7.3.4): raw bytes, and whether it is written as a
/// hexadecimal string `<...>` (§7.3.4.3) rather than a literal string `(...)` (§7.3.4.2).
///
/// The bytes are what the string holds after escapes are decoded; for text strings see
/// [`decode_text_string`].
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct PdfString {
    /// The bytes of the string.
    pub bytes: Vec<u8>,
    /// `true` if written as a hexadecimal string.
    pub hex: bool,
}

impl PdfString {
    /// A literal string `(...)` with these bytes.
    pub fn literal(bytes: impl Into<Vec<u8>>) -> Self {
        PdfString {
            bytes: bytes.into(),
            hex: false,
        }
    }

    /// A hexadecimal string `<...>` with these bytes.
    pub fn hex(bytes: impl Into<Vec<u8>>) -> Self {
        PdfString {
            bytes: bytes.into(),
            hex: true,
        }
    }

    /// Writes the string: `<4142>` if `hex`, else `(AB)` with `\`, `(`, `)`, CR and LF
    /// escaped (ISO 32000-2 §7.3.4.2, Table 3) so that it reads back byte for byte.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        if self.hex {
            out.reserve(self.bytes.len() * 2 + 2);
            out.push(b'<');
            for &b in &self.bytes {
                out.push(HEX_UPPER[usize::from(b >> 4)]);
                out.push(HEX_UPPER[usize::from(b & 0x0f)]);
            }
            out.push(b'>');
        } else {
            out.reserve(self.bytes.len() + 2);
            out.push(b'(');
            for &b in &self.bytes {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'(' => out.extend_from_slice(b"\\("),
                    b')' => out.extend_from_slice(b"\\)"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    _ => out.push(b),
                }
            }
            out.push(b')');
        }
    }
}

impl fmt::Debug for PdfString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.hex {
            write!(f, "<{}>", hex::encode(&self.bytes))
        } else {
            write!(f, "({})", String::from_utf8_lossy(&self.bytes))
        }
    }
}

/// A dictionary object `<< /Key value ... >>` (ISO 32000-2 §7.3.7).
///
/// Entries keep the order in which they were read or set, so a dictionary written back
/// looks like the one read. Keys are unique: [`Dict::set`] replaces an existing entry in
/// place. When a file repeats a key, the parser keeps the last value and remembers the key
/// ([`Dict::repeated_keys`]): a validator must refuse a signature dictionary that says two
/// things. Equality compares dictionaries as maps (ISO 32000-2 §7.3.7: entry order has no
/// meaning), so a writer that reorders keys changes nothing.
#[derive(Clone, Default)]
pub struct Dict {
    entries: Vec<(Name, Object)>,
    repeated: Vec<Name>,
}

impl PartialEq for Dict {
    fn eq(&self, other: &Self) -> bool {
        if self.entries.len() != other.entries.len() {
            return false;
        }
        if self.entries.iter().zip(&other.entries).all(|(a, b)| a == b) {
            return true;
        }
        // Keys are unique, so equal lengths and every entry found equal means equal maps.
        if self.entries.len() <= 16 {
            return self
                .entries
                .iter()
                .all(|(k, v)| other.get(k.as_bytes()) == Some(v));
        }
        let theirs: std::collections::HashMap<&Name, &Object> =
            other.entries.iter().map(|(k, v)| (k, v)).collect();
        self.entries
            .iter()
            .all(|(k, v)| theirs.get(k).is_some_and(|o| *o == v))
    }
}

impl Dict {
    /// An empty dictionary.
    pub fn new() -> Self {
        Dict::default()
    }

    /// The keys the input gave more than once (the last value was kept), in order of their
    /// first repetition; at most 16 are remembered.
    pub fn repeated_keys(&self) -> &[Name] {
        &self.repeated
    }

    /// The value for `key` (without the slash: `dict.get("Type")`).
    pub fn get<K: AsRef<[u8]> + ?Sized>(&self, key: &K) -> Option<&Object> {
        let key = key.as_ref();
        self.entries
            .iter()
            .find(|(k, _)| k.0 == key)
            .map(|(_, v)| v)
    }

    /// The value for `key`, mutable.
    pub fn get_mut<K: AsRef<[u8]> + ?Sized>(&mut self, key: &K) -> Option<&mut Object> {
        let key = key.as_ref();
        self.entries
            .iter_mut()
            .find(|(k, _)| k.0 == key)
            .map(|(_, v)| v)
    }

    /// Sets `key` to `value`: replaces the value in place if the key exists, else appends.
    pub fn set<K: AsRef<[u8]> + ?Sized>(&mut self, key: &K, value: Object) {
        match self.get_mut(key) {
            Some(slot) => *slot = value,
            None => self.entries.push((Name(key.as_ref().to_vec()), value)),
        }
    }

    /// Removes `key` and returns its value.
    pub fn remove<K: AsRef<[u8]> + ?Sized>(&mut self, key: &K) -> Option<Object> {
        let key = key.as_ref();
        let i = self.entries.iter().position(|(k, _)| k.0 == key)?;
        Some(self.entries.remove(i).1)
    }

    /// Whether `key` is present (even with a `null` value).
    pub fn contains_key<K: AsRef<[u8]> + ?Sized>(&self, key: &K) -> bool {
        self.get(key).is_some()
    }

    /// The entries in order, values mutable (keys stay unique).
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&Name, &mut Object)> {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&Name, &Object)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value of `/Type` as name bytes, if it is a name (ISO 32000-2 §7.3.7).
    pub fn type_name(&self) -> Option<&[u8]> {
        self.get("Type").and_then(Object::as_name)
    }

    /// Writes `<</Key value ...>>` (ISO 32000-2 §7.3.7).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"<<");
        for (i, (k, v)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            k.write_to(out);
            out.push(b' ');
            v.write_to(out);
        }
        out.extend_from_slice(b">>");
    }
}

impl fmt::Debug for Dict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

/// Collects entries; a repeated key keeps its first position and its last value, as
/// [`Dict::set`] would. Linear time, so a hostile dictionary with a million keys costs no
/// more than reading it.
impl FromIterator<(Name, Object)> for Dict {
    fn from_iter<I: IntoIterator<Item = (Name, Object)>>(iter: I) -> Self {
        let mut entries: Vec<(Name, Object)> = Vec::new();
        let mut index: std::collections::HashMap<Name, usize> = std::collections::HashMap::new();
        let mut repeated = Vec::new();
        for (k, v) in iter {
            match index.get(&k) {
                Some(&i) => {
                    // A few are enough to report; the bound keeps hostile input linear.
                    if repeated.len() < 16 && !repeated.contains(&k) {
                        repeated.push(k.clone());
                    }
                    entries[i].1 = v;
                }
                None => {
                    index.insert(k.clone(), entries.len());
                    entries.push((k, v));
                }
            }
        }
        Dict { entries, repeated }
    }
}

/// A stream object (ISO 32000-2 §7.3.8): a dictionary and the raw, still encoded, bytes
/// between `stream` and `endstream`.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Stream {
    /// The stream dictionary (`/Length`, `/Filter`, `/DecodeParms`, ...).
    pub dict: Dict,
    /// The raw bytes, encoded with the dictionary's `/Filter`.
    pub data: Vec<u8>,
}

impl Stream {
    /// A stream with these raw bytes; `/Length` is set when writing.
    pub fn new(dict: Dict, data: Vec<u8>) -> Self {
        Stream { dict, data }
    }

    /// The decoded bytes (ISO 32000-2 §7.4): no filter, `/FlateDecode` (with the PNG and
    /// TIFF predictors of `/DecodeParms`, §7.4.4.4, which cross-reference streams use),
    /// `/ASCIIHexDecode` and `/ASCII85Decode`, or a chain of them. The output is bounded by
    /// [`crate::parser::MAX_DECODED_STREAM_LEN`].
    pub fn decoded_data(&self) -> Result<Vec<u8>> {
        crate::parser::decode_stream(
            &self.dict,
            &self.data,
            crate::parser::MAX_DECODED_STREAM_LEN,
        )
    }

    /// Writes `<<dict>>\nstream\r\n` data `\r\nendstream` with `/Length` set to the
    /// length of `data` (ISO 32000-2 §7.3.8.1).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let mut dict = self.dict.clone();
        dict.set("Length", Object::Integer(self.data.len() as i64));
        dict.write_to(out);
        out.extend_from_slice(b"\nstream\r\n");
        out.extend_from_slice(&self.data);
        out.extend_from_slice(b"\r\nendstream");
    }
}

/// A PDF object (ISO 32000-2 §7.3).
#[derive(Clone, PartialEq, Debug, Default)]
pub enum Object {
    /// The null object `null` (§7.3.9).
    #[default]
    Null,
    /// `true` or `false` (§7.3.2).
    Bool(bool),
    /// An integer (§7.3.3).
    Integer(i64),
    /// A real number (§7.3.3); written without an exponent.
    Real(f64),
    /// A string (§7.3.4).
    String(PdfString),
    /// A name (§7.3.5).
    Name(Name),
    /// An array (§7.3.6).
    Array(Vec<Object>),
    /// A dictionary (§7.3.7).
    Dict(Dict),
    /// A stream (§7.3.8); only ever an indirect object's value.
    Stream(Stream),
    /// An indirect reference (§7.3.10).
    Reference(ObjRef),
}

impl Object {
    /// The name object with the UTF-8 bytes of `s`.
    pub fn name(s: &str) -> Object {
        Object::Name(Name::new(s))
    }

    /// A text string (ISO 32000-2 §7.9.2.2): a literal string in PDFDocEncoding when every
    /// character is printable ASCII, otherwise UTF-16BE with the byte order mark `FE FF`,
    /// written as a hexadecimal string. `"Hà Nội"` becomes `<FEFF00480020...>`.
    pub fn text_string(s: &str) -> Object {
        if s.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
            Object::String(PdfString::literal(s.as_bytes()))
        } else {
            let mut bytes = Vec::with_capacity(2 + s.len() * 2);
            bytes.extend_from_slice(&[0xfe, 0xff]);
            for unit in s.encode_utf16() {
                bytes.extend_from_slice(&unit.to_be_bytes());
            }
            Object::String(PdfString::hex(bytes))
        }
    }

    /// The integer value, if this is an integer.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Object::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// The numeric value of an integer or a real.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Object::Integer(i) => Some(*i as f64),
            Object::Real(r) => Some(*r),
            _ => None,
        }
    }

    /// The boolean value, if this is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Object::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The decoded bytes of a name.
    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Object::Name(n) => Some(&n.0),
            _ => None,
        }
    }

    /// Whether this is the name `name` (`obj.is_name("Page")`).
    pub fn is_name(&self, name: &str) -> bool {
        self.as_name() == Some(name.as_bytes())
    }

    /// The dictionary of a dictionary, or of a stream.
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Object::Dict(d) => Some(d),
            Object::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }

    /// The mutable dictionary of a dictionary, or of a stream.
    pub fn as_dict_mut(&mut self) -> Option<&mut Dict> {
        match self {
            Object::Dict(d) => Some(d),
            Object::Stream(s) => Some(&mut s.dict),
            _ => None,
        }
    }

    /// The elements of an array.
    pub fn as_array(&self) -> Option<&[Object]> {
        match self {
            Object::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The reference, if this is an indirect reference.
    pub fn as_reference(&self) -> Option<ObjRef> {
        match self {
            Object::Reference(r) => Some(*r),
            _ => None,
        }
    }

    /// The stream, if this is a stream.
    pub fn as_stream(&self) -> Option<&Stream> {
        match self {
            Object::Stream(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes of a string.
    pub fn as_string_bytes(&self) -> Option<&[u8]> {
        match self {
            Object::String(s) => Some(&s.bytes),
            _ => None,
        }
    }

    /// A string read as a text string (ISO 32000-2 §7.9.2.2), see [`decode_text_string`].
    pub fn as_text(&self) -> Option<String> {
        self.as_string_bytes().map(decode_text_string)
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Object::Null)
    }

    /// The name of the object's type for messages: `"dictionary"`, `"integer"`, ...
    pub fn type_name(&self) -> &'static str {
        match self {
            Object::Null => "null",
            Object::Bool(_) => "boolean",
            Object::Integer(_) => "integer",
            Object::Real(_) => "real",
            Object::String(_) => "string",
            Object::Name(_) => "name",
            Object::Array(_) => "array",
            Object::Dict(_) => "dictionary",
            Object::Stream(_) => "stream",
            Object::Reference(_) => "reference",
        }
    }

    /// Writes the object as PDF syntax (ISO 32000-2 §7.3). Reals are written without an
    /// exponent and always with a decimal point; non-finite reals (which PDF cannot
    /// express) are written as `0.0`. A stream is only meaningful as an indirect object's
    /// value; inside an array or dictionary it would not read back.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            Object::Null => out.extend_from_slice(b"null"),
            Object::Bool(true) => out.extend_from_slice(b"true"),
            Object::Bool(false) => out.extend_from_slice(b"false"),
            Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Object::Real(r) => write_real(*r, out),
            Object::String(s) => s.write_to(out),
            Object::Name(n) => n.write_to(out),
            Object::Array(a) => {
                out.push(b'[');
                for (i, item) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    item.write_to(out);
                }
                out.push(b']');
            }
            Object::Dict(d) => d.write_to(out),
            Object::Stream(s) => s.write_to(out),
            Object::Reference(r) => r.write_to(out),
        }
    }

    /// The object written as PDF syntax (see [`Object::write_to`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out);
        out
    }
}

/// Writes the indirect object `num gen obj\n<object>\nendobj\n` (ISO 32000-2 §7.3.10).
pub fn write_indirect_object(r: ObjRef, object: &Object, out: &mut Vec<u8>) {
    out.extend_from_slice(format!("{} {} obj\n", r.num, r.generation).as_bytes());
    object.write_to(out);
    out.extend_from_slice(b"\nendobj\n");
}

fn write_real(r: f64, out: &mut Vec<u8>) {
    if !r.is_finite() {
        out.extend_from_slice(b"0.0");
        return;
    }
    // `Display` for f64 never uses an exponent and prints the shortest digits that read
    // back to the same value.
    let s = r.to_string();
    out.extend_from_slice(s.as_bytes());
    if !s.contains('.') {
        out.extend_from_slice(b".0");
    }
}

macro_rules! object_from {
    ($($t:ty => $variant:ident),* $(,)?) => {
        $(impl From<$t> for Object {
            fn from(v: $t) -> Self {
                Object::$variant(v.into())
            }
        })*
    };
}

object_from! {
    bool => Bool,
    i64 => Integer,
    i32 => Integer,
    u32 => Integer,
    f64 => Real,
    PdfString => String,
    Name => Name,
    Vec<Object> => Array,
    Dict => Dict,
    Stream => Stream,
    ObjRef => Reference,
}

/// Reads a text string (ISO 32000-2 §7.9.2.2): `FE FF` starts UTF-16BE, `EF BB BF`
/// starts UTF-8 (PDF 2.0), anything else is PDFDocEncoding (Annex D.2). Language escape
/// sequences (`U+001B lang U+001B`, §7.9.2.2.1) are dropped; undecodable data becomes
/// U+FFFD.
pub fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units = rest
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)]));
        let mut out = String::with_capacity(rest.len() / 2);
        let mut in_escape = false;
        for c in char::decode_utf16(units) {
            match c {
                Ok('\u{1b}') => in_escape = !in_escape,
                Ok(_) if in_escape => {}
                Ok(c) => out.push(c),
                Err(_) => out.push(char::REPLACEMENT_CHARACTER),
            }
        }
        out
    } else if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        bytes.iter().map(|&b| pdfdoc_char(b)).collect()
    }
}

/// One byte of PDFDocEncoding (ISO 32000-2 Annex D.2, Table D.2).
fn pdfdoc_char(b: u8) -> char {
    const HIGH: [char; 33] = [
        '\u{2022}', '\u{2020}', '\u{2021}', '\u{2026}', '\u{2014}', '\u{2013}', '\u{0192}',
        '\u{2044}', '\u{2039}', '\u{203A}', '\u{2212}', '\u{2030}', '\u{201E}', '\u{201C}',
        '\u{201D}', '\u{2018}', '\u{2019}', '\u{201A}', '\u{2122}', '\u{FB01}', '\u{FB02}',
        '\u{0141}', '\u{0152}', '\u{0160}', '\u{0178}', '\u{017D}', '\u{0131}', '\u{0142}',
        '\u{0153}', '\u{0161}', '\u{017E}', '\u{FFFD}', '\u{20AC}',
    ];
    const LOW: [char; 8] = [
        '\u{02D8}', '\u{02C7}', '\u{02C6}', '\u{02D9}', '\u{02DD}', '\u{02DB}', '\u{02DA}',
        '\u{02DC}',
    ];
    match b {
        0x18..=0x1f => LOW[usize::from(b - 0x18)],
        0x7f => '\u{FFFD}',
        0x80..=0xa0 => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// The delimiter characters of ISO 32000-2 §7.2.3, Table 2.
pub(crate) fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_escape_delimiters_and_non_regular_bytes() {
        let mut out = Vec::new();
        Name(b"A B#(x)\x00\xff".to_vec()).write_to(&mut out);
        assert_eq!(out, b"/A#20B#23#28x#29#00#FF");
    }

    #[test]
    fn literal_strings_escape_parens_backslash_and_eol() {
        let mut out = Vec::new();
        PdfString::literal(&b"a(b)\\c\r\nd"[..]).write_to(&mut out);
        assert_eq!(out, b"(a\\(b\\)\\\\c\\r\\nd)");
    }

    #[test]
    fn reals_have_no_exponent() {
        assert_eq!(Object::Real(1e20).to_bytes(), b"100000000000000000000.0");
        assert_eq!(Object::Real(0.5).to_bytes(), b"0.5");
        assert_eq!(Object::Real(-3.0).to_bytes(), b"-3.0");
        assert_eq!(Object::Real(f64::NAN).to_bytes(), b"0.0");
    }

    #[test]
    fn stream_length_is_set_from_data() {
        let mut d = Dict::new();
        d.set("Length", Object::Integer(99));
        d.set("Filter", Object::name("FlateDecode"));
        let s = Stream::new(d, b"abc".to_vec());
        assert_eq!(
            Object::Stream(s).to_bytes(),
            b"<</Length 3 /Filter /FlateDecode>>\nstream\r\nabc\r\nendstream"
        );
    }

    #[test]
    fn dict_set_replaces_in_place_and_keeps_order() {
        let mut d = Dict::new();
        d.set("A", Object::Integer(1));
        d.set("B", Object::Integer(2));
        d.set("A", Object::Integer(3));
        assert_eq!(d.len(), 2);
        assert_eq!(d.to_object_bytes(), b"<</A 3 /B 2>>");
        assert_eq!(d.remove("A"), Some(Object::Integer(3)));
        assert!(!d.contains_key("A"));
        assert!(d.contains_key("B"));
    }

    impl Dict {
        fn to_object_bytes(&self) -> Vec<u8> {
            let mut out = Vec::new();
            self.write_to(&mut out);
            out
        }
    }

    #[test]
    fn text_string_is_literal_for_ascii_and_utf16_otherwise() {
        assert_eq!(
            Object::text_string("Ha Noi"),
            Object::String(PdfString::literal(&b"Ha Noi"[..]))
        );
        let Object::String(s) = Object::text_string("Hà Nội") else {
            panic!("not a string");
        };
        assert!(s.hex);
        assert_eq!(&s.bytes[..4], &[0xfe, 0xff, 0x00, b'H']);
        assert_eq!(decode_text_string(&s.bytes), "Hà Nội");
    }

    #[test]
    fn decodes_pdfdoc_utf8_and_language_escapes() {
        assert_eq!(
            decode_text_string(b"\x80 \xa0 caf\xe9"),
            "\u{2022} \u{20ac} café"
        );
        assert_eq!(decode_text_string(b"\xef\xbb\xbfT\xc3\xb4i"), "Tôi");
        let mut b = vec![0xfe, 0xff, 0x00, 0x1b];
        b.extend_from_slice(b"\x00v\x00i");
        b.extend_from_slice(&[0x00, 0x1b, 0x00, b'x']);
        assert_eq!(decode_text_string(&b), "x");
        // odd length and lone surrogates do not panic
        assert!(decode_text_string(&[0xfe, 0xff, 0xd8, 0x00, 0x41]).starts_with('\u{fffd}'));
    }
}
