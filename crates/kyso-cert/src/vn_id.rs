//! [`VnId`]: the Vietnamese identifiers that VN CAs write into certificate subjects.
//!
//! There is no ASN.1 type for them. VNPT-CA, Viettel-CA, BKAV-CA, FPT-CA and the Government
//! Cipher Committee (Ban Cơ yếu Chính phủ) put them into the subject as text of the form
//! `PREFIX:value`, mostly in `userId` (UID, 0.9.2342.19200300.100.1.1, [RFC 4519 §2.39]),
//! sometimes in `serialNumber` (2.5.4.5) or `organizationalUnitName`:
//!
//! ```text
//! UID=MST:0101234567          tax code (mã số thuế) of an organisation or a person
//! UID=MST:0101234567-001      tax code of a branch / dependent unit
//! UID=CMND:012345678          old identity card (chứng minh nhân dân), 9 or 12 digits
//! UID=CCCD:001234567890       citizen identity card (căn cước công dân), 12 digits
//! UID=HC:B1234567             passport (hộ chiếu)
//! UID=MNS:1234567             budget-relationship unit code (mã đơn vị có quan hệ với ngân sách)
//! ```
//!
//! [RFC 4519 §2.39]: https://www.rfc-editor.org/rfc/rfc4519#section-2.39

use std::fmt;

use serde::Serialize;

/// A Vietnamese identifier found in a certificate subject.
///
/// Parsing ([`VnId::parse`]) is forgiving about form — the prefix is case-insensitive and
/// spaces around `:` are ignored — and strict about content: a value whose digit count is
/// wrong for its prefix does not become a typed variant but is kept, untouched, as
/// [`VnId::Other`], so no identifier in a certificate is ever dropped.
///
/// ```
/// use kyso_cert::VnId;
///
/// assert_eq!(VnId::parse("mst : 0101234567-001"), Some(VnId::TaxCode("0101234567-001".into())));
/// assert_eq!(VnId::parse("CCCD:001234567890"), Some(VnId::CitizenId("001234567890".into())));
/// // 11 digits is no CCCD: kept, but not typed.
/// assert_eq!(
///     VnId::parse("CCCD:00123456789"),
///     Some(VnId::Other { prefix: "CCCD".into(), value: "00123456789".into() })
/// );
/// assert_eq!(VnId::parse("no prefix here"), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VnId {
    /// `MST:` tax code (mã số thuế): 10 digits, or 10 digits `-` 3 digits for a branch
    /// (a 13-digit value without the dash is normalised to the dashed form).
    TaxCode(String),
    /// `CMND:` identity card (chứng minh nhân dân): 9 or 12 digits.
    IdentityCard(String),
    /// `CCCD:` citizen identity card (căn cước công dân): 12 digits.
    CitizenId(String),
    /// `HC:` passport number (hộ chiếu): 6 to 12 ASCII letters and digits, with at least one
    /// digit (Vietnamese passports are one letter and 7 digits, e.g. `B1234567`); upper-cased.
    Passport(String),
    /// `MNS:` budget-relationship unit code (mã số đơn vị có quan hệ với ngân sách): 7 digits.
    BudgetUnitCode(String),
    /// Any other `prefix:value`, or a known prefix whose value is malformed. Both parts are
    /// kept as written (trimmed).
    Other {
        /// The text before the `:`, e.g. `BHXH` or a known prefix with a bad value.
        prefix: String,
        /// The text after the `:`.
        value: String,
    },
}

/// Longest prefix accepted; longer text before a `:` is not a prefix but free text.
const MAX_PREFIX_LEN: usize = 16;

impl VnId {
    /// Reads one `PREFIX:value` string; `None` if the text has no such shape (no `:`, an
    /// empty side, or a "prefix" that is not 1–16 ASCII letters, digits, `_`, `-` or spaces).
    ///
    /// Never panics, whatever the input.
    pub fn parse(text: &str) -> Option<Self> {
        let (prefix, value) = text.split_once(':')?;
        let prefix = prefix.trim();
        let value = value.trim();
        if prefix.is_empty()
            || value.is_empty()
            || prefix.len() > MAX_PREFIX_LEN
            || !prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b' '))
        {
            return None;
        }
        let typed = match prefix.to_ascii_uppercase().as_str() {
            "MST" => tax_code(value).map(Self::TaxCode),
            "CMND" => (digits(value, 9) || digits(value, 12))
                .then(|| Self::IdentityCard(value.to_owned())),
            "CCCD" => digits(value, 12).then(|| Self::CitizenId(value.to_owned())),
            "HC" => passport(value).map(Self::Passport),
            "MNS" => digits(value, 7).then(|| Self::BudgetUnitCode(value.to_owned())),
            _ => None,
        };
        Some(typed.unwrap_or_else(|| Self::Other {
            prefix: prefix.to_owned(),
            value: value.to_owned(),
        }))
    }

    /// Like [`VnId::parse`], but only for the five known prefixes (MST, CMND, CCCD, HC, MNS),
    /// valid or not. Used for attributes such as `OU` and `serialNumber`, where a colon
    /// is just as likely to be part of free text.
    pub fn parse_known(text: &str) -> Option<Self> {
        let id = Self::parse(text)?;
        match &id {
            Self::Other { prefix, .. } if !is_known_prefix(prefix) => None,
            _ => Some(id),
        }
    }

    /// The prefix in canonical form: `MST`, `CMND`, `CCCD`, `HC`, `MNS`, or the prefix of
    /// [`VnId::Other`] as written.
    pub fn prefix(&self) -> &str {
        match self {
            Self::TaxCode(_) => "MST",
            Self::IdentityCard(_) => "CMND",
            Self::CitizenId(_) => "CCCD",
            Self::Passport(_) => "HC",
            Self::BudgetUnitCode(_) => "MNS",
            Self::Other { prefix, .. } => prefix,
        }
    }

    /// The identifier itself, without prefix.
    pub fn value(&self) -> &str {
        match self {
            Self::TaxCode(v)
            | Self::IdentityCard(v)
            | Self::CitizenId(v)
            | Self::Passport(v)
            | Self::BudgetUnitCode(v)
            | Self::Other { value: v, .. } => v,
        }
    }
}

/// `PREFIX:value`, the form the CAs write.
impl fmt::Display for VnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.prefix(), self.value())
    }
}

fn is_known_prefix(prefix: &str) -> bool {
    ["MST", "CMND", "CCCD", "HC", "MNS"]
        .iter()
        .any(|known| prefix.eq_ignore_ascii_case(known))
}

/// Exactly `count` ASCII digits.
fn digits(text: &str, count: usize) -> bool {
    text.len() == count && text.bytes().all(|b| b.is_ascii_digit())
}

/// `NNNNNNNNNN`, `NNNNNNNNNN-NNN`, or `NNNNNNNNNNNNN` (normalised to the dashed form).
fn tax_code(value: &str) -> Option<String> {
    if digits(value, 10) {
        return Some(value.to_owned());
    }
    if let Some((main, branch)) = value.split_once('-') {
        return (digits(main, 10) && digits(branch, 3)).then(|| format!("{main}-{branch}"));
    }
    if digits(value, 13) {
        // All ASCII digits, so slicing at byte 10 is on a character boundary.
        let (main, branch) = value.split_at(10);
        return Some(format!("{main}-{branch}"));
    }
    None
}

/// 6–12 ASCII alphanumerics with at least one digit, upper-cased.
fn passport(value: &str) -> Option<String> {
    ((6..=12).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_alphanumeric())
        && value.bytes().any(|b| b.is_ascii_digit()))
    .then(|| value.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn other(prefix: &str, value: &str) -> Option<VnId> {
        Some(VnId::Other {
            prefix: prefix.into(),
            value: value.into(),
        })
    }

    #[test]
    fn parses_mst_with_and_without_branch_suffix() {
        assert_eq!(
            VnId::parse("MST:0101234567"),
            Some(VnId::TaxCode("0101234567".into()))
        );
        assert_eq!(
            VnId::parse("MST:0101234567-001"),
            Some(VnId::TaxCode("0101234567-001".into()))
        );
        assert_eq!(
            VnId::parse("MST:0101234567001"),
            Some(VnId::TaxCode("0101234567-001".into()))
        );
    }

    #[test]
    fn prefix_is_case_insensitive_and_spaces_around_colon_are_ignored() {
        assert_eq!(
            VnId::parse("  mSt :  0101234567 "),
            Some(VnId::TaxCode("0101234567".into()))
        );
        assert_eq!(
            VnId::parse("cccd: 001234567890"),
            Some(VnId::CitizenId("001234567890".into()))
        );
    }

    #[test]
    fn cmnd_accepts_nine_or_twelve_digits() {
        assert_eq!(
            VnId::parse("CMND:012345678"),
            Some(VnId::IdentityCard("012345678".into()))
        );
        assert_eq!(
            VnId::parse("CMND:012345678901"),
            Some(VnId::IdentityCard("012345678901".into()))
        );
        assert_eq!(VnId::parse("CMND:0123456789"), other("CMND", "0123456789"));
    }

    #[test]
    fn malformed_values_of_known_prefixes_are_kept_as_other() {
        assert_eq!(
            VnId::parse("CCCD:00123456789"),
            other("CCCD", "00123456789")
        );
        assert_eq!(
            VnId::parse("CCCD:00123456789X"),
            other("CCCD", "00123456789X")
        );
        assert_eq!(VnId::parse("MST:010123456"), other("MST", "010123456"));
        assert_eq!(
            VnId::parse("MST:0101234567-01"),
            other("MST", "0101234567-01")
        );
        assert_eq!(VnId::parse("MNS:123456"), other("MNS", "123456"));
        assert_eq!(VnId::parse("HC:ABCDEFG"), other("HC", "ABCDEFG"));
    }

    #[test]
    fn parses_passport_and_budget_unit_code() {
        assert_eq!(
            VnId::parse("HC:b1234567"),
            Some(VnId::Passport("B1234567".into()))
        );
        assert_eq!(
            VnId::parse("MNS:1234567"),
            Some(VnId::BudgetUnitCode("1234567".into()))
        );
    }

    #[test]
    fn unknown_prefix_is_other_and_text_without_prefix_is_none() {
        assert_eq!(VnId::parse("BHXH:0123456789"), other("BHXH", "0123456789"));
        assert_eq!(VnId::parse("0101234567"), None);
        assert_eq!(VnId::parse(":0101234567"), None);
        assert_eq!(VnId::parse("MST:"), None);
        assert_eq!(VnId::parse("Phòng: Kế toán"), None);
    }

    #[test]
    fn parse_known_ignores_unknown_prefixes_but_keeps_malformed_known_ones() {
        assert_eq!(VnId::parse_known("Ward 7: District 3"), None);
        assert_eq!(VnId::parse_known("CCCD:123"), other("CCCD", "123"));
        assert_eq!(
            VnId::parse_known("CMND:012345678"),
            Some(VnId::IdentityCard("012345678".into()))
        );
    }

    #[test]
    fn display_writes_canonical_prefix() {
        let id = VnId::parse("mst:0101234567").expect("valid");
        assert_eq!(id.to_string(), "MST:0101234567");
        assert_eq!(id.prefix(), "MST");
        assert_eq!(id.value(), "0101234567");
    }
}
