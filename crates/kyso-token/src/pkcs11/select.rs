//! [`KeySelector`] and [`CertificateFilter`]: which key of a token signs.

use std::fmt;
use std::time::SystemTime;

use kyso_cert::Certificate;

use super::normalize_label;
use super::objects::{KeyObject, Pairing, TokenObjects};
use crate::{Error, Result};

/// Which private key of the token signs.
///
/// Whatever picks the key, its certificate is found by `CKA_ID` and checked by public key
/// (see [`TokenObjects::certificate_for`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeySelector {
    /// The token's only signing key that has a certificate; an error lists the keys when
    /// there are several.
    #[default]
    Any,
    /// The key with this `CKA_LABEL`, or else the key of the certificate with this label (CA
    /// tools often label the certificate "NGUYỄN VĂN AN's Viettel-CA Certificate" and the key
    /// something else). Compared after Unicode NFC normalisation, exactly first, then ignoring
    /// case.
    Label(String),
    /// The key with this `CKA_ID`.
    Id(Vec<u8>),
    /// The key whose certificate passes this filter.
    Certificate(CertificateFilter),
}

impl KeySelector {
    /// [`KeySelector::Id`] from hex as `pkcs11-tool` prints it (`01`, `a1b2`, `A1:B2`).
    ///
    /// # Errors
    ///
    /// [`Error::KeyNotFound`] naming the text when it is not hex.
    pub fn id_hex(text: &str) -> Result<Self> {
        let cleaned: String = text
            .chars()
            .filter(|c| !matches!(c, ':' | ' ' | '-'))
            .collect();
        hex::decode(&cleaned)
            .map(Self::Id)
            .map_err(|_| Error::KeyNotFound(format!("id \"{text}\" (not hexadecimal)")))
    }
}

impl fmt::Display for KeySelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("any signing key"),
            Self::Label(label) => write!(f, "label \"{label}\""),
            Self::Id(id) => write!(f, "id {}", hex::encode(id)),
            Self::Certificate(filter) => write!(f, "certificate {filter}"),
        }
    }
}

/// Conditions on the signer's certificate; every condition that is set must hold.
///
/// ```
/// use kyso_token::pkcs11::CertificateFilter;
///
/// // The citizen's certificate that is valid now, whatever else the token holds.
/// let filter = CertificateFilter::new()
///     .subject_contains("CCCD:001234567890")
///     .valid_now();
/// # let _ = filter;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertificateFilter {
    /// Text the subject must contain (name, organisation, MST or CCCD number); compared with
    /// the subject written as one line ([`kyso_cert::Identity::display`]), ignoring case and
    /// Unicode normalisation.
    pub subject_contains: Option<String>,
    /// Text the issuer must contain (e.g. `Viettel-CA`, `VNPT-CA`), compared likewise.
    pub issuer_contains: Option<String>,
    /// The serial number in hex (case, `:` and spaces, leading zeros ignored).
    pub serial: Option<String>,
    /// A time the certificate must be valid at (not expired, not yet valid excluded).
    pub valid_at: Option<SystemTime>,
}

impl CertificateFilter {
    /// A filter that every certificate passes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`CertificateFilter::subject_contains`].
    pub fn subject_contains(mut self, text: impl Into<String>) -> Self {
        self.subject_contains = Some(text.into());
        self
    }

    /// Sets [`CertificateFilter::issuer_contains`].
    pub fn issuer_contains(mut self, text: impl Into<String>) -> Self {
        self.issuer_contains = Some(text.into());
        self
    }

    /// Sets [`CertificateFilter::serial`].
    pub fn serial(mut self, hex: impl Into<String>) -> Self {
        self.serial = Some(hex.into());
        self
    }

    /// Sets [`CertificateFilter::valid_at`].
    pub fn valid_at(mut self, time: SystemTime) -> Self {
        self.valid_at = Some(time);
        self
    }

    /// Sets [`CertificateFilter::valid_at`] to now.
    pub fn valid_now(self) -> Self {
        self.valid_at(SystemTime::now())
    }

    /// Whether `cert` passes every condition that is set.
    pub fn matches(&self, cert: &Certificate) -> bool {
        let contains = |haystack: String, needle: &str| fold(&haystack).contains(&fold(needle));
        if let Some(text) = &self.subject_contains
            && !contains(cert.subject().display(), text)
        {
            return false;
        }
        if let Some(text) = &self.issuer_contains
            && !contains(cert.issuer().display(), text)
        {
            return false;
        }
        if let Some(serial) = &self.serial
            && normalize_serial(serial) != normalize_serial(&cert.serial_hex())
        {
            return false;
        }
        if let Some(time) = self.valid_at
            && !cert.is_valid_at(time)
        {
            return false;
        }
        true
    }
}

impl fmt::Display for CertificateFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(s) = &self.subject_contains {
            parts.push(format!("subject containing \"{s}\""));
        }
        if let Some(s) = &self.issuer_contains {
            parts.push(format!("issuer containing \"{s}\""));
        }
        if let Some(s) = &self.serial {
            parts.push(format!("serial {s}"));
        }
        if self.valid_at.is_some() {
            parts.push("valid at the signing time".to_string());
        }
        if parts.is_empty() {
            f.write_str("(any)")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// NFC and lowercase, for "contains" comparisons.
fn fold(text: &str) -> String {
    normalize_label(text).to_lowercase()
}

fn normalize_serial(text: &str) -> String {
    let hex: String = text
        .chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    hex.trim_start_matches('0').to_string()
}

/// The certificate a selected key signs with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CertChoice {
    /// Holds the key's public value.
    Verified(usize),
    /// Has the key's id; to be checked by a trial signature, in this order.
    Unverified(Vec<usize>),
}

/// One line describing a key, for error messages.
fn describe(objects: &TokenObjects, key: &KeyObject) -> String {
    let subject = objects
        .certificate_for(key)
        .and_then(|c| c.certificate.as_ref())
        .map(|c| {
            let s = c.subject();
            s.common_name.clone().unwrap_or_else(|| s.display())
        });
    match subject {
        Some(s) => format!("id {} \"{}\" ({s})", key.id_hex(), key.label),
        None => format!("id {} \"{}\"", key.id_hex(), key.label),
    }
}

/// Labels equal after NFC (`exact`), or after NFC and lowercasing.
fn label_matches(candidate: &str, wanted: &str, exact: bool) -> bool {
    if exact {
        normalize_label(candidate) == normalize_label(wanted)
    } else {
        fold(candidate).trim() == fold(wanted).trim()
    }
}

/// Whether `key`'s certificate(s) pass `filter`.
fn key_passes(objects: &TokenObjects, key: &KeyObject, filter: &CertificateFilter) -> bool {
    let passes = |i: usize| {
        objects.certificates[i]
            .certificate
            .as_ref()
            .is_some_and(|c| filter.matches(c))
    };
    match objects.pairing(key) {
        Pairing::Verified(i) => passes(i),
        Pairing::Unverified(v) => v.into_iter().any(passes),
        Pairing::Mismatch | Pairing::None => false,
    }
}

/// Picks the private key (index into `objects.private_keys`) and its certificate.
pub(crate) fn select(
    objects: &TokenObjects,
    selector: &KeySelector,
) -> Result<(usize, CertChoice)> {
    let keys = &objects.private_keys;
    let all = 0..keys.len();
    let has_certificate = |k: &usize| {
        !matches!(
            objects.pairing(&keys[*k]),
            Pairing::None | Pairing::Mismatch
        )
    };
    let mut candidates: Vec<usize> = match selector {
        KeySelector::Any => {
            let signing: Vec<usize> = all.filter(|&k| keys[k].can_sign).collect();
            let with_cert: Vec<usize> = signing.iter().copied().filter(has_certificate).collect();
            if with_cert.is_empty() {
                signing
            } else {
                with_cert
            }
        }
        KeySelector::Id(id) => all.filter(|&k| &keys[k].id == id).collect(),
        KeySelector::Label(label) => {
            let by_key = |exact| -> Vec<usize> {
                (0..keys.len())
                    .filter(|&k| label_matches(&keys[k].label, label, exact))
                    .collect()
            };
            let by_cert = |exact| -> Vec<usize> {
                (0..keys.len())
                    .filter(|&k| {
                        let cert_labels: Vec<&str> = match objects.pairing(&keys[k]) {
                            Pairing::Verified(i) => vec![objects.certificates[i].label.as_str()],
                            Pairing::Unverified(v) => v
                                .iter()
                                .map(|&i| objects.certificates[i].label.as_str())
                                .collect(),
                            _ => vec![],
                        };
                        cert_labels.iter().any(|l| label_matches(l, label, exact))
                    })
                    .collect()
            };
            [by_key(true), by_cert(true), by_key(false), by_cert(false)]
                .into_iter()
                .find(|v| !v.is_empty())
                .unwrap_or_default()
        }
        KeySelector::Certificate(filter) => all
            .filter(|&k| key_passes(objects, &keys[k], filter))
            .collect(),
    };
    match candidates.len() {
        0 => {
            let seen = if objects.private_keys.is_empty() {
                " (the token shows no private key: is the PIN right, and is this the right token?)"
            } else {
                ""
            };
            Err(Error::KeyNotFound(format!("{selector}{seen}")))
        }
        1 => {
            let k = candidates.remove(0);
            let key = &keys[k];
            match objects.pairing(key) {
                Pairing::Verified(i) => Ok((k, CertChoice::Verified(i))),
                Pairing::Unverified(mut v) => {
                    if let KeySelector::Certificate(filter) = selector {
                        v.retain(|&i| {
                            objects.certificates[i]
                                .certificate
                                .as_ref()
                                .is_some_and(|c| filter.matches(c))
                        });
                    }
                    Ok((k, CertChoice::Unverified(v)))
                }
                Pairing::Mismatch => Err(Error::KeyCertificateMismatch),
                Pairing::None => Err(Error::CertificateNotFound(describe(objects, key))),
            }
        }
        _ => Err(Error::AmbiguousKey {
            selection: selector.to_string(),
            candidates: candidates
                .iter()
                .map(|&k| describe(objects, &keys[k]))
                .collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_compare_loosely() {
        assert_eq!(normalize_serial("00:1a:2B"), normalize_serial("1A2B"));
        assert_ne!(normalize_serial("1A2C"), normalize_serial("1A2B"));
    }

    #[test]
    fn labels_compare_across_normal_forms() {
        let nfc = "Nguy\u{1ec5}n V\u{103}n An";
        let nfd = "Nguye\u{302}\u{303}n Va\u{306}n An";
        assert!(label_matches(nfc, nfd, true));
        assert!(label_matches(nfc, "NGUYỄN VĂN AN", false));
        assert!(!label_matches(nfc, "NGUYỄN VĂN AN", true));
    }

    #[test]
    fn key_ids_from_hex() {
        assert_eq!(
            KeySelector::id_hex("A1:b2").unwrap(),
            KeySelector::Id(vec![0xa1, 0xb2])
        );
        assert!(matches!(
            KeySelector::id_hex("xyz"),
            Err(Error::KeyNotFound(_))
        ));
    }
}
