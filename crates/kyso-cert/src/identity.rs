//! [`Identity`]: a certificate subject or issuer as readable UTF-8.
//!
//! An X.509 name ([RFC 5280 §4.1.2.4]) is a sequence of relative distinguished names, each a
//! set of attribute type/value pairs:
//!
//! ```text
//! Name ::= CHOICE { -- only one possibility for now --
//!   rdnSequence  RDNSequence }
//!
//! RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
//!
//! RelativeDistinguishedName ::=
//!   SET SIZE (1..MAX) OF AttributeTypeAndValue
//!
//! AttributeTypeAndValue ::= SEQUENCE {
//!   type     AttributeType,
//!   value    AttributeValue }
//! ```
//!
//! [`Identity`] flattens that into the fields a person or a report asks for (name,
//! organisation, place, tax code) while keeping every attribute, in order, in
//! [`Identity::attributes`].
//!
//! [RFC 5280 §4.1.2.4]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.4

use std::fmt;

use const_oid::{
    ObjectIdentifier,
    db::{DB, rfc3280, rfc4519, rfc4524},
};
use serde::Serialize;
use x509_cert::name::Name;

use crate::{StringType, VnId, directory_string};

/// A subject or issuer name, decoded to readable UTF-8.
///
/// Each typed field holds the *first* value of its attribute in encoding order (a name with
/// two `OU`s has the first in [`organizational_unit`](Self::organizational_unit); both are in
/// [`attributes`](Self::attributes)). Values are decoded whatever ASN.1 string type the CA
/// used — UTF8String, PrintableString, IA5String, BMPString, UniversalString, TeletexString
/// (see [`StringType`]) — so Vietnamese names such as "Nguyễn Văn An" come out right.
///
/// ```
/// # fn main() -> Result<(), kyso_cert::Error> {
/// let cert = kyso_cert::Certificate::from_pem(include_bytes!("../tests/data/vn-signer.pem"))?;
/// let subject = cert.subject();
/// assert_eq!(subject.common_name.as_deref(), Some("Nguyễn Văn An"));
/// assert_eq!(subject.tax_code(), Some("0101234567"));
/// assert_eq!(subject.citizen_id(), Some("001234567890"));
/// assert_eq!(
///     subject.to_string(),
///     "UID=MST:0101234567+UID=CCCD:001234567890,CN=Nguyễn Văn An,\
///      O=Công ty TNHH Một Thành Viên Ví Dụ,L=Hà Nội,C=VN"
/// );
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Identity {
    /// `commonName` (CN, 2.5.4.3): the person's full name or the organisation's name.
    pub common_name: Option<String>,
    /// `organizationName` (O, 2.5.4.10).
    pub organization: Option<String>,
    /// `organizationalUnitName` (OU, 2.5.4.11), the first one.
    pub organizational_unit: Option<String>,
    /// `localityName` (L, 2.5.4.7): city, district.
    pub locality: Option<String>,
    /// `stateOrProvinceName` (ST, 2.5.4.8): province (tỉnh) or centrally-run city.
    pub state_or_province: Option<String>,
    /// `countryName` (C, 2.5.4.6): two-letter ISO 3166 code, `VN`.
    pub country: Option<String>,
    /// `emailAddress` (1.2.840.113549.1.9.1, PKCS #9; [RFC 5280 §4.1.2.6] deprecates it in
    /// favour of subjectAltName, but VN CAs still use it).
    ///
    /// [RFC 5280 §4.1.2.6]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.6
    pub email: Option<String>,
    /// `title` (2.5.4.12): position, e.g. "Giám đốc".
    pub title: Option<String>,
    /// Vietnamese identifiers, in encoding order: every `PREFIX:value` in a `UID`, and
    /// `serialNumber` or `OU` values with a known prefix (MST, CMND, CCCD, HC, MNS).
    /// See [`VnId`].
    pub ids: Vec<VnId>,
    /// Attributes without a typed field and not turned into [`ids`](Self::ids), as
    /// (dotted OID, decoded value) — e.g. `("2.5.4.5", "…")` for serialNumber, or a `UID`
    /// value without a prefix. In encoding order.
    pub other: Vec<(String, String)>,
    /// Every attribute of the name, in encoding order, with the RDN it belongs to.
    pub attributes: Vec<NameAttribute>,
}

/// One `AttributeTypeAndValue` of a name ([RFC 5280 §4.1.2.4]), decoded.
///
/// ```text
/// AttributeTypeAndValue ::= SEQUENCE {
///   type     AttributeType,
///   value    AttributeValue }
/// ```
///
/// [RFC 5280 §4.1.2.4]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.4
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NameAttribute {
    /// Index of the RelativeDistinguishedName this attribute belongs to, counted in
    /// encoding order from 0. Attributes sharing an index form a multi-valued RDN.
    pub rdn: usize,
    /// The attribute type as a dotted OID, e.g. `2.5.4.3`.
    pub oid: String,
    /// The short name used when displaying: `CN`, `O`, `UID`, …, a name from the OID
    /// database, or the dotted OID.
    pub label: String,
    /// The decoded value (`#` + hex DER when [`string_type`](Self::string_type) is
    /// [`StringType::NotAString`]).
    pub value: String,
    /// The ASN.1 string type the CA encoded the value with.
    pub string_type: StringType,
}

/// Attribute types with a typed field in [`Identity`] or a special meaning for [`VnId`].
const USER_ID: ObjectIdentifier = rfc4519::UID;
const SERIAL_NUMBER: ObjectIdentifier = rfc4519::SERIAL_NUMBER;

/// Short names for display: those of [RFC 4514 §3] plus the usual OpenSSL names.
///
/// [RFC 4514 §3]: https://www.rfc-editor.org/rfc/rfc4514#section-3
const LABELS: &[(ObjectIdentifier, &str)] = &[
    (rfc4519::CN, "CN"),
    (rfc4519::L, "L"),
    (rfc4519::ST, "ST"),
    (rfc4519::O, "O"),
    (rfc4519::OU, "OU"),
    (rfc4519::C, "C"),
    (rfc4519::STREET, "STREET"),
    (rfc4519::DC, "DC"),
    (rfc4519::UID, "UID"),
    (rfc4519::SERIAL_NUMBER, "serialNumber"),
    (rfc4519::TITLE, "title"),
    (rfc4519::SN, "SN"),
    (rfc4519::GIVEN_NAME, "GN"),
    (rfc3280::EMAIL_ADDRESS, "emailAddress"),
    (rfc4524::MAIL, "mail"),
];

impl Identity {
    /// Decodes an X.509 [`Name`]. Never fails: a value that cannot be read as text is kept as
    /// `#` + hex of its DER (see [`StringType::NotAString`]).
    pub fn from_name(name: &Name) -> Self {
        let mut identity = Self::default();
        for (rdn_index, rdn) in name.iter_rdn().enumerate() {
            for atav in rdn.iter() {
                let (value, string_type) = directory_string::decode(&atav.value);
                identity.add(rdn_index, atav.oid, value, string_type);
            }
        }
        identity
    }

    fn add(&mut self, rdn: usize, oid: ObjectIdentifier, value: String, string_type: StringType) {
        let field = match oid {
            rfc4519::CN => Some(&mut self.common_name),
            rfc4519::O => Some(&mut self.organization),
            rfc4519::OU => Some(&mut self.organizational_unit),
            rfc4519::L => Some(&mut self.locality),
            rfc4519::ST => Some(&mut self.state_or_province),
            rfc4519::C => Some(&mut self.country),
            rfc3280::EMAIL_ADDRESS | rfc4524::MAIL => Some(&mut self.email),
            rfc4519::TITLE => Some(&mut self.title),
            _ => None,
        };
        let is_text = string_type != StringType::NotAString;
        match field {
            Some(field) => {
                if field.is_none() {
                    *field = Some(value.clone());
                }
                if oid == rfc4519::OU && is_text {
                    self.ids.extend(VnId::parse_known(&value));
                }
            }
            None if oid == USER_ID && is_text => match VnId::parse(&value) {
                Some(id) => self.ids.push(id),
                None => self.other.push((oid.to_string(), value.clone())),
            },
            None => {
                if oid == SERIAL_NUMBER && is_text {
                    self.ids.extend(VnId::parse_known(&value));
                }
                self.other.push((oid.to_string(), value.clone()));
            }
        }
        self.attributes.push(NameAttribute {
            rdn,
            oid: oid.to_string(),
            label: label(oid),
            value,
            string_type,
        });
    }

    /// The tax code (MST) without prefix, e.g. `0101234567` or `0101234567-001`: the first
    /// valid [`VnId::TaxCode`].
    pub fn tax_code(&self) -> Option<&str> {
        self.ids.iter().find_map(|id| match id {
            VnId::TaxCode(code) => Some(code.as_str()),
            _ => None,
        })
    }

    /// The 12-digit citizen identity number (CCCD): the first valid [`VnId::CitizenId`].
    pub fn citizen_id(&self) -> Option<&str> {
        self.ids.iter().find_map(|id| match id {
            VnId::CitizenId(number) => Some(number.as_str()),
            _ => None,
        })
    }

    /// The name as one readable line in the style of [RFC 4514]: RDNs from last to first
    /// separated by `,`, the attributes of a multi-valued RDN joined by `+` in their
    /// encoded order, special
    /// characters escaped with `\`. Unlike RFC 4514, non-ASCII text is written as is and
    /// values of unknown attribute types are shown decoded rather than as hex.
    ///
    /// Same as the [`Display`](fmt::Display) output.
    ///
    /// [RFC 4514]: https://www.rfc-editor.org/rfc/rfc4514
    pub fn display(&self) -> String {
        self.to_string()
    }
}

impl From<&Name> for Identity {
    fn from(name: &Name) -> Self {
        Self::from_name(name)
    }
}

/// See [`Identity::display`].
impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // RDNs from last to first; the attributes of one RDN in their encoded order.
        let rdns = self.attributes.chunk_by(|a, b| a.rdn == b.rdn).rev();
        for (i, rdn) in rdns.enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            for (j, attribute) in rdn.iter().enumerate() {
                if j > 0 {
                    f.write_str("+")?;
                }
                write!(f, "{}=", attribute.label)?;
                if attribute.string_type == StringType::NotAString {
                    f.write_str(&attribute.value)?;
                } else {
                    write_escaped(f, &attribute.value)?;
                }
            }
        }
        Ok(())
    }
}

/// The display label of an attribute type.
fn label(oid: ObjectIdentifier) -> String {
    LABELS
        .iter()
        .find(|(known, _)| *known == oid)
        .map(|(_, label)| (*label).to_owned())
        .or_else(|| DB.by_oid(&oid).map(str::to_owned))
        .unwrap_or_else(|| oid.to_string())
}

/// Writes a value escaped as [RFC 4514 §2.4] asks (without hex-escaping non-ASCII).
///
/// [RFC 4514 §2.4]: https://www.rfc-editor.org/rfc/rfc4514#section-2.4
fn write_escaped(f: &mut fmt::Formatter<'_>, value: &str) -> fmt::Result {
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => write!(f, "\\{c}")?,
            ' ' | '#' if i == 0 => write!(f, "\\{c}")?,
            ' ' if i == last => f.write_str("\\ ")?,
            '\0' => f.write_str("\\00")?,
            _ => write!(f, "{c}")?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn identity(dn: &str) -> Identity {
        Identity::from_name(&Name::from_str(dn).expect("test DN"))
    }

    #[test]
    fn special_characters_are_escaped_in_display() {
        let id = identity(r#"CN=Trần\, Văn \+ Bình,O=\#1 Co"#);
        assert_eq!(id.common_name.as_deref(), Some("Trần, Văn + Bình"));
        assert_eq!(id.to_string(), r"CN=Trần\, Văn \+ Bình,O=\#1 Co");
    }

    #[test]
    fn repeated_attribute_keeps_first_in_field_and_all_in_attributes() {
        let id = identity("OU=Phòng Kế toán,OU=Ban Giám đốc,O=Ví Dụ");
        // from_str reverses RFC 4514 order into encoding order: "Ban Giám đốc" is encoded first.
        assert_eq!(id.organizational_unit.as_deref(), Some("Ban Giám đốc"));
        let ous: Vec<&str> = id
            .attributes
            .iter()
            .filter(|a| a.label == "OU")
            .map(|a| a.value.as_str())
            .collect();
        assert_eq!(ous, ["Ban Giám đốc", "Phòng Kế toán"]);
    }

    #[test]
    fn uid_without_prefix_goes_to_other() {
        let id = identity("UID=jsmith,CN=John");
        assert!(id.ids.is_empty());
        assert_eq!(
            id.other,
            [("0.9.2342.19200300.100.1.1".to_owned(), "jsmith".to_owned())]
        );
    }

    #[test]
    fn known_prefix_in_serial_number_and_ou_becomes_an_id() {
        let id = identity("serialNumber=CMND:012345678,OU=MST:0101234567,CN=A");
        assert_eq!(
            id.ids,
            [
                VnId::TaxCode("0101234567".into()),
                VnId::IdentityCard("012345678".into())
            ]
        );
        assert_eq!(id.organizational_unit.as_deref(), Some("MST:0101234567"));
        assert_eq!(
            id.other,
            [("2.5.4.5".to_owned(), "CMND:012345678".to_owned())]
        );
    }

    #[test]
    fn unknown_attribute_is_kept_in_other_with_its_oid() {
        let id = identity("1.3.6.1.4.1.99999.1=#0C03414243,CN=A");
        assert_eq!(
            id.other,
            [("1.3.6.1.4.1.99999.1".to_owned(), "ABC".to_owned())]
        );
        assert_eq!(id.to_string(), "1.3.6.1.4.1.99999.1=ABC,CN=A");
    }

    #[test]
    fn empty_name_displays_as_empty_string() {
        assert_eq!(Identity::from_name(&Name::default()).to_string(), "");
    }
}
