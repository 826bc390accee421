//! Name constraints ([RFC 5280 §4.2.1.10], applied by §6.1.3 (b), (c) and §6.1.4 (g)).
//!
//! ```text
//! NameConstraints ::= SEQUENCE {
//!      permittedSubtrees       [0]     GeneralSubtrees OPTIONAL,
//!      excludedSubtrees        [1]     GeneralSubtrees OPTIONAL }
//!
//! GeneralSubtree ::= SEQUENCE {
//!      base                    GeneralName,
//!      minimum         [0]     BaseDistance DEFAULT 0,
//!      maximum         [1]     BaseDistance OPTIONAL }
//! ```
//!
//! Instead of intersecting permitted subtrees as §6.1.4 (g) describes, every CA's constraints
//! are kept apart and a name must satisfy each of them; that is equivalent and simpler.
//! For each CA and each name form, a name of that form must lie in one of the CA's permitted
//! subtrees of that form (if it has any) and in none of its excluded ones.
//!
//! Checked forms: `directoryName` (applied to the subject and to directoryName SANs),
//! `rfc822Name` (applied to rfc822Name SANs, or to `emailAddress` attributes of the subject
//! when the certificate has no subjectAltName, as §4.2.1.10 says), `dNSName` and
//! `iPAddress`. For the other forms (otherName, x400Address, ediPartyName, URI,
//! registeredID) the rule of §4.2.1.10 is applied: a name of such a form in a certificate
//! whose path has a constraint on that form is rejected, since it cannot be checked (whether
//! or not the extension is critical); such constraints on forms no certificate uses are
//! harmless. `minimum` other than 0 and `maximum` (which RFC 5280 forbids) are rejected.
//!
//! A `dNSName` SAN that is a wildcard (`*.example.com`) violates an excluded subtree it could
//! match (`bar.example.com`), so that a wildcard cannot be used to get around an exclusion
//! (CVE-2025-61727).
//!
//! Work is bounded: the subtrees are grouped by form once per CA, and every (name, subtree)
//! comparison counts against
//! [`MAX_NAME_CONSTRAINT_CHECKS`](crate::path::MAX_NAME_CONSTRAINT_CHECKS), so the cost is
//! linear in the names and subtrees plus the budgeted comparisons.
//!
//! [RFC 5280 §4.2.1.10]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.10

use const_oid::db::rfc3280::EMAIL_ADDRESS;
use x509_cert::ext::pkix::{NameConstraints, constraints::name::GeneralSubtree, name::GeneralName};

use super::names::{NormalizedName, Value};
use crate::{Error, Result};

/// A name of a certificate, in the forms constraints are checked for.
#[derive(Debug)]
pub(crate) enum CertName<'a> {
    /// The subject DN or a directoryName SAN.
    Directory(NormalizedName),
    /// An rfc822Name SAN or a subject `emailAddress`.
    Email(String),
    /// A dNSName SAN.
    Dns(&'a str),
    /// An iPAddress SAN (4 or 16 octets if well-formed).
    Ip(&'a [u8]),
    /// A form not checked here; the number is its `GeneralName` tag.
    Other(u8),
}

/// The GeneralName tag of each form ([RFC 5280 §4.2.1.6]).
///
/// [RFC 5280 §4.2.1.6]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.6
fn form_of(name: &GeneralName) -> u8 {
    match name {
        GeneralName::OtherName(_) => 0,
        GeneralName::Rfc822Name(_) => 1,
        GeneralName::DnsName(_) => 2,
        GeneralName::DirectoryName(_) => 4,
        GeneralName::EdiPartyName(_) => 5,
        GeneralName::UniformResourceIdentifier(_) => 6,
        GeneralName::IpAddress(_) => 7,
        GeneralName::RegisteredId(_) => 8,
    }
}

fn form_name(form: u8) -> &'static str {
    match form {
        0 => "otherName",
        1 => "rfc822Name",
        2 => "dNSName",
        3 => "x400Address",
        4 => "directoryName",
        5 => "ediPartyName",
        6 => "uniformResourceIdentifier",
        7 => "iPAddress",
        _ => "registeredID",
    }
}

impl CertName<'_> {
    fn form(&self) -> u8 {
        match self {
            Self::Directory(_) => 4,
            Self::Email(_) => 1,
            Self::Dns(_) => 2,
            Self::Ip(_) => 7,
            Self::Other(form) => *form,
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Directory(_) => "directoryName".to_owned(),
            Self::Email(email) => format!("rfc822Name {email}"),
            Self::Dns(dns) => format!("dNSName {dns}"),
            Self::Ip(ip) => format!("iPAddress {}", hex::encode(ip)),
            Self::Other(form) => form_name(*form).to_owned(),
        }
    }
}

/// The names of a certificate that constraints apply to: the subject (if not empty), the
/// SANs, and the subject's `emailAddress` values when there is no SAN extension.
pub(crate) fn names_of<'a>(
    subject: &NormalizedName,
    sans: &'a [GeneralName],
    has_san_extension: bool,
) -> Vec<CertName<'a>> {
    let mut names = Vec::new();
    if !subject.is_empty() {
        names.push(CertName::Directory(subject.clone()));
        if !has_san_extension {
            names.extend(subject.values_of(EMAIL_ADDRESS).map(|value| match value {
                Value::Text(text) => CertName::Email(text.clone()),
                Value::Der(_) => CertName::Other(1),
            }));
        }
    }
    for san in sans {
        names.push(match san {
            GeneralName::DirectoryName(name) => CertName::Directory(NormalizedName::new(name)),
            GeneralName::Rfc822Name(email) => CertName::Email(email.as_str().to_owned()),
            GeneralName::DnsName(dns) => CertName::Dns(dns.as_str()),
            GeneralName::IpAddress(ip) => CertName::Ip(ip.as_bytes()),
            other => CertName::Other(form_of(other)),
        });
    }
    names
}

/// Checks `names` against one CA's constraints; `budget` is decremented per comparison.
pub(crate) fn check(
    names: &[CertName<'_>],
    constraints: &NameConstraints,
    budget: &mut usize,
    subject: &dyn Fn() -> String,
) -> Result<()> {
    let violation = |reason: String| Error::NameConstraintViolation {
        subject: subject(),
        reason,
    };
    let permitted = by_form(constraints.permitted_subtrees.as_deref());
    let excluded = by_form(constraints.excluded_subtrees.as_deref());
    for name in names {
        let form = usize::from(name.form());
        let permitted = permitted.get(form).map_or(&[][..], Vec::as_slice);
        let excluded = excluded.get(form).map_or(&[][..], Vec::as_slice);
        let mut is_permitted = false;
        for subtree in permitted {
            spend(budget)?;
            if matches(name, subtree, false).map_err(&violation)? {
                is_permitted = true;
                break;
            }
        }
        if !permitted.is_empty() && !is_permitted {
            return Err(violation(format!(
                "{} is not in any permitted subtree",
                name.describe()
            )));
        }
        for subtree in excluded {
            spend(budget)?;
            if matches(name, subtree, true).map_err(&violation)? {
                return Err(violation(format!(
                    "{} is in an excluded subtree",
                    name.describe()
                )));
            }
        }
    }
    Ok(())
}

/// The subtrees by the GeneralName tag of their base (index 0..=8).
fn by_form(subtrees: Option<&[GeneralSubtree]>) -> [Vec<&GeneralSubtree>; 9] {
    let mut forms: [Vec<&GeneralSubtree>; 9] = Default::default();
    for subtree in subtrees.unwrap_or_default() {
        if let Some(list) = forms.get_mut(usize::from(form_of(&subtree.base))) {
            list.push(subtree);
        }
    }
    forms
}

fn spend(budget: &mut usize) -> Result<()> {
    *budget = budget.checked_sub(1).ok_or(Error::BudgetExceeded {
        what: "name constraint comparisons",
        limit: super::MAX_NAME_CONSTRAINT_CHECKS,
    })?;
    Ok(())
}

/// Whether `name` lies in `subtree` (same form). `Err(reason)` when the subtree or the name is
/// malformed, or the form cannot be checked.
fn matches(
    name: &CertName<'_>,
    subtree: &GeneralSubtree,
    excluded: bool,
) -> std::result::Result<bool, String> {
    if subtree.minimum != 0 || subtree.maximum.is_some() {
        return Err("GeneralSubtree with minimum or maximum (RFC 5280 §4.2.1.10)".to_owned());
    }
    match (name, &subtree.base) {
        (CertName::Directory(name), GeneralName::DirectoryName(base)) => {
            Ok(name.is_within(&NormalizedName::new(base)))
        }
        (CertName::Dns(name), GeneralName::DnsName(base)) => {
            dns_matches(name, base.as_str(), excluded)
        }
        (CertName::Email(name), GeneralName::Rfc822Name(base)) => {
            email_matches(name, base.as_str())
        }
        (CertName::Ip(name), GeneralName::IpAddress(base)) => ip_matches(name, base.as_bytes()),
        (name, _) => Err(format!(
            "constraints on {} cannot be checked",
            name.describe()
        )),
    }
}

/// A DNS name's labels, lower-cased; `None` unless it is a preferred-syntax host name
/// (letters, digits, hyphens; no empty label), with a leading `*` label when `wildcard`.
fn dns_labels(name: &str, wildcard: bool) -> Option<Vec<String>> {
    if name.is_empty() || name.len() > 253 {
        return None;
    }
    let labels: Vec<String> = name.split('.').map(str::to_ascii_lowercase).collect();
    for (i, label) in labels.iter().enumerate() {
        let ok = if i == 0 && wildcard && label == "*" {
            labels.len() > 2
        } else {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        if !ok {
            return None;
        }
    }
    Some(labels)
}

/// dNSName constraint: "any DNS name that can be constructed by simply adding zero or more
/// labels to the left-hand side of the name satisfies the name constraint" (RFC 5280
/// §4.2.1.10). An empty constraint matches every name.
fn dns_matches(name: &str, base: &str, excluded: bool) -> std::result::Result<bool, String> {
    let name_labels =
        dns_labels(name, true).ok_or_else(|| format!("malformed dNSName {name:?}"))?;
    if base.is_empty() {
        return Ok(true);
    }
    let base_labels =
        dns_labels(base, false).ok_or_else(|| format!("malformed dNSName constraint {base:?}"))?;
    if name_labels.ends_with(&base_labels) {
        return Ok(true);
    }
    // A wildcard `*.D` may stand for `L.D`: an excluded `L.D` must catch it.
    if excluded && name_labels.first().is_some_and(|l| l == "*") {
        let domain = name_labels.get(1..).unwrap_or_default();
        return Ok(base_labels.len() == domain.len() + 1 && base_labels.ends_with(domain));
    }
    Ok(false)
}

/// rfc822Name constraint: a full mailbox matches exactly; `host` matches mailboxes at that
/// host; `.domain` matches mailboxes at any host under the domain (RFC 5280 §4.2.1.10).
/// Compared case-insensitively.
fn email_matches(name: &str, base: &str) -> std::result::Result<bool, String> {
    let (local, host) = name
        .rsplit_once('@')
        .filter(|(local, host)| is_local_part(local) && dns_labels(host, false).is_some())
        .ok_or_else(|| format!("malformed rfc822Name {name:?}"))?;
    let host = host.to_ascii_lowercase();
    if let Some((base_local, base_host)) = base.rsplit_once('@') {
        if base_local.is_empty() || dns_labels(base_host, false).is_none() {
            return Err(format!("malformed rfc822Name constraint {base:?}"));
        }
        return Ok(local.eq_ignore_ascii_case(base_local) && host == base_host.to_ascii_lowercase());
    }
    let malformed = || format!("malformed rfc822Name constraint {base:?}");
    if let Some(domain) = base.strip_prefix('.') {
        let domain = dns_labels(domain, false).ok_or_else(malformed)?;
        let host = dns_labels(&host, false).ok_or_else(malformed)?;
        return Ok(host.len() > domain.len() && host.ends_with(&domain));
    }
    dns_labels(base, false).ok_or_else(malformed)?;
    Ok(host == base.to_ascii_lowercase())
}

/// An RFC 5321 §4.1.2 `Local-part`, simplified: a quoted string, or printable ASCII without
/// spaces and without `@`.
fn is_local_part(local: &str) -> bool {
    let quoted = local.len() >= 2 && local.starts_with('"') && local.ends_with('"');
    !local.is_empty() && (quoted || local.bytes().all(|b| b.is_ascii_graphic() && b != b'@'))
}

/// iPAddress constraint: address and mask (8 octets for IPv4, 32 for IPv6, RFC 5280
/// §4.2.1.10); the mask must be contiguous.
fn ip_matches(name: &[u8], base: &[u8]) -> std::result::Result<bool, String> {
    if name.len() != 4 && name.len() != 16 {
        return Err(format!("malformed iPAddress {}", hex::encode(name)));
    }
    let malformed = || format!("malformed iPAddress constraint {}", hex::encode(base));
    if base.len() != 8 && base.len() != 32 {
        return Err(malformed());
    }
    let (address, mask) = base.split_at(base.len() / 2);
    let mut seen_zero = false;
    for byte in mask {
        for bit in (0..8).rev() {
            let set = byte >> bit & 1 == 1;
            if set && seen_zero {
                return Err(malformed());
            }
            seen_zero |= !set;
        }
    }
    if name.len() != address.len() {
        return Ok(false); // IPv4 names are not constrained by IPv6 subtrees and vice versa
    }
    Ok(name
        .iter()
        .zip(address)
        .zip(mask)
        .all(|((n, a), m)| n & m == a & m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_subtree_adds_labels_on_the_left_only() {
        assert_eq!(dns_matches("example.com", "example.com", false), Ok(true));
        assert_eq!(
            dns_matches("foo.example.com", "example.com", false),
            Ok(true)
        );
        assert_eq!(
            dns_matches("fooexample.com", "example.com", false),
            Ok(false)
        );
        assert!(dns_matches("foo.example.com", ".example.com", false).is_err());
        assert!(dns_matches("foo.example.com", "*.example.com", false).is_err());
    }

    #[test]
    fn wildcard_name_is_caught_by_an_excluded_host_it_could_match() {
        assert_eq!(
            dns_matches("*.example.com", "bar.example.com", true),
            Ok(true)
        );
        assert_eq!(
            dns_matches("*.example.com", "bar.example.com", false),
            Ok(false)
        );
        assert_eq!(
            dns_matches("*.example.com", "a.bar.example.com", true),
            Ok(false)
        );
    }

    #[test]
    fn email_forms() {
        assert_eq!(email_matches("a@example.com", "a@example.com"), Ok(true));
        assert_eq!(email_matches("b@example.com", "a@example.com"), Ok(false));
        assert_eq!(email_matches("a@example.com", "example.com"), Ok(true));
        assert_eq!(
            email_matches("a@mail.example.com", "example.com"),
            Ok(false)
        );
        assert_eq!(
            email_matches("a@mail.example.com", ".example.com"),
            Ok(true)
        );
        assert_eq!(email_matches("a@example.com", ".example.com"), Ok(false));
        assert!(email_matches("not-an-email", "example.com").is_err());
        assert!(email_matches("invalid@address@example.com", "example.com").is_err());
    }

    #[test]
    fn ip_address_and_mask() {
        let net = [192, 0, 2, 0, 255, 255, 255, 0];
        assert_eq!(ip_matches(&[192, 0, 2, 1], &net), Ok(true));
        assert_eq!(ip_matches(&[192, 0, 3, 1], &net), Ok(false));
        assert!(ip_matches(&[192, 0, 2, 1], &[192, 0, 2, 0, 255, 0, 255, 0]).is_err());
        assert!(ip_matches(&[192, 0, 2], &net).is_err());
    }
}
