//! Comparing distinguished names the way [RFC 5280 §7.1] asks: attribute by attribute, with
//! string values compared after the common normalisation.
//!
//! RFC 5280 §7.1 asks for the LDAP string preparation of [RFC 4518] (case folding,
//! insignificant-space handling, Unicode normalisation) before comparing attribute values of
//! DirectoryString type. What is implemented here is its common core, enough for the names
//! CAs actually issue:
//!
//! * any string type is compared by its decoded text, so a PrintableString and a UTF8String
//!   with the same letters are equal (and the UTF-8-in-TeletexString values VN CAs write are
//!   decoded as [`Identity`](crate::Identity) decodes them);
//! * case is folded with Unicode lower-casing (`str::to_lowercase`);
//! * leading and trailing white space is dropped and inner runs of white space become one
//!   space;
//! * a value that is not a string is compared by its DER.
//!
//! Not done: Unicode normalisation (NFKC) and the RFC 4518 mapping tables. A multi-valued
//! RDN compares as a set (its values are sorted).
//!
//! [RFC 5280 §7.1]: https://www.rfc-editor.org/rfc/rfc5280#section-7.1
//! [RFC 4518]: https://www.rfc-editor.org/rfc/rfc4518

use const_oid::ObjectIdentifier;
use der::Encode;
use x509_cert::name::Name;

use crate::{StringType, directory_string};

/// One attribute value after normalisation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Value {
    /// A string value: decoded, case-folded, white space normalised.
    Text(String),
    /// Any other value: its DER.
    Der(Vec<u8>),
}

/// A name reduced to what RFC 5280 §7.1 compares: per RDN, the sorted (type, value) pairs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct NormalizedName(pub(crate) Vec<Vec<(ObjectIdentifier, Value)>>);

impl NormalizedName {
    /// Normalises `name`.
    pub(crate) fn new(name: &Name) -> Self {
        Self(
            name.iter_rdn()
                .map(|rdn| {
                    let mut atvs: Vec<_> = rdn
                        .iter()
                        .map(|atv| (atv.oid, normalize_value(&atv.value)))
                        .collect();
                    atvs.sort();
                    atvs
                })
                .collect(),
        )
    }

    /// Whether the name has no RDNs.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `self` lies in the subtree `base`: `base`'s RDNs are a prefix of `self`'s
    /// (the directoryName rule of [RFC 5280 §4.2.1.10]).
    ///
    /// [RFC 5280 §4.2.1.10]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.10
    pub(crate) fn is_within(&self, base: &Self) -> bool {
        base.0.len() <= self.0.len() && self.0.iter().zip(&base.0).all(|(a, b)| a == b)
    }

    /// The values of attributes of type `oid`, in order.
    pub(crate) fn values_of(&self, oid: ObjectIdentifier) -> impl Iterator<Item = &Value> {
        self.0
            .iter()
            .flatten()
            .filter(move |(t, _)| *t == oid)
            .map(|(_, v)| v)
    }
}

/// Decodes, case-folds and space-normalises a string value; keeps other values as DER.
fn normalize_value(value: &der::asn1::Any) -> Value {
    let (text, kind) = directory_string::decode(value);
    if kind == StringType::NotAString {
        return Value::Der(value.to_der().unwrap_or_else(|_| value.value().to_vec()));
    }
    let folded = text.to_lowercase();
    Value::Text(folded.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use der::Decode;

    use super::*;

    fn name(s: &str) -> NormalizedName {
        NormalizedName::new(&Name::from_str(s).expect("test name"))
    }

    #[test]
    fn case_and_inner_spaces_do_not_matter() {
        assert_eq!(
            name("CN=Kyso  Root CA,O=Ví Dụ"),
            name("CN=kyso root ca,O=VÍ DỤ")
        );
        assert_ne!(name("CN=Kyso Root CA"), name("CN=Kyso Root CB"));
    }

    /// `CN=<value>` with the value's tag chosen.
    fn cn(tag: u8, value: &[u8]) -> NormalizedName {
        let string = [&[tag, value.len() as u8][..], value].concat();
        let atv = [
            &[0x30, 5 + string.len() as u8, 0x06, 0x03, 0x55, 0x04, 0x03][..],
            &string,
        ]
        .concat();
        let set = [&[0x31, atv.len() as u8][..], &atv].concat();
        let der = [&[0x30, set.len() as u8][..], &set].concat();
        NormalizedName::new(&Name::from_der(&der).expect("test name"))
    }

    #[test]
    fn printable_and_utf8_strings_compare_by_text() {
        assert_eq!(cn(0x13, b"  KYSO   ROOT "), cn(0x0C, b"kyso root"));
        assert_ne!(cn(0x13, b"KYSO ROOT"), cn(0x0C, b"kyso roots"));
    }

    #[test]
    fn subtree_is_an_rdn_prefix() {
        // `Name::from_str` takes RFC 4514 order (most specific first).
        let subject = name("CN=Leaf,O=Org,C=VN");
        assert!(subject.is_within(&name("O=Org,C=VN")));
        assert!(!subject.is_within(&name("O=Other,C=VN")));
        assert!(!name("C=VN").is_within(&subject));
    }
}
