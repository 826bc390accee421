//! Validation of one candidate path ([RFC 5280 §6.1]), signatures already checked by the
//! builder.
//!
//! The path is given end entity first; RFC 5280 numbers it from the anchor down. The checks,
//! with the steps of §6.1 they implement:
//!
//! * every certificate, the anchor included: validity at the policy time (§6.1.3 (a)(2));
//!   no unknown critical extension (§6.1.4 (o), §6.1.5 (f)); the profile rules below;
//! * name chaining (§6.1.3 (a)(4)) holds by construction: the builder only links a
//!   certificate to issuers whose subject equals its issuer name (§7.1 comparison);
//! * every issuer, the anchor included: basicConstraints with `cA` TRUE (§6.1.4 (k)),
//!   `keyCertSign` when keyUsage is present (§6.1.4 (n));
//! * `pathLenConstraint`, with self-issued certificates not counted (§6.1.4 (l), (m)), and
//!   [`ValidationPolicy::max_intermediates`] like a constraint on the anchor;
//! * name constraints of the anchor and every CA, applied to every later certificate except
//!   self-issued intermediates (§6.1.3 (b), (c), §6.1.4 (g); see `constraints.rs`);
//! * the end entity's keyUsage and extKeyUsage against the policy.
//!
//! RFC 5280 profile rules enforced ([`Error::NonConformant`]): `signatureAlgorithm` equals
//! `tbsCertificate.signature` (§4.1.1.2); non-empty issuer (§4.1.2.4); non-empty subject for
//! CAs, and a critical subjectAltName when the subject is empty (§4.1.2.6); no extension twice
//! (§4.2); extensions that decode; authority/subject key identifier and authority/subject
//! information access not critical (§4.2.1.1, §4.2.1.2, §4.2.2.1, §4.2.2.2); `keyCertSign`
//! only with `cA` (§4.2.1.3); nameConstraints only in CA certificates (§4.2.1.10); extKeyUsage
//! not empty (§4.2.1.12).
//!
//! [RFC 5280 §6.1]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5280::{
    ANY_EXTENDED_KEY_USAGE, ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_BASIC_CONSTRAINTS,
    ID_CE_CERTIFICATE_POLICIES, ID_CE_CRL_DISTRIBUTION_POINTS, ID_CE_EXT_KEY_USAGE,
    ID_CE_INHIBIT_ANY_POLICY, ID_CE_KEY_USAGE, ID_CE_NAME_CONSTRAINTS, ID_CE_POLICY_CONSTRAINTS,
    ID_CE_POLICY_MAPPINGS, ID_CE_SUBJECT_ALT_NAME, ID_CE_SUBJECT_KEY_IDENTIFIER,
    ID_PE_AUTHORITY_INFO_ACCESS, ID_PE_SUBJECT_INFO_ACCESS,
};

use super::build::Node;
use super::constraints;
use super::{ValidatedPath, ValidationPolicy};
use crate::SignatureScheme;
use crate::{Certificate, Error, KeyUsage, Result};

/// Extensions this crate processes, or recognises and accepts, so that they may be critical
/// (§4.2: anything else critical is rejected). The policy extensions are accepted without
/// policy processing, which is not implemented.
const KNOWN_EXTENSIONS: &[ObjectIdentifier] = &[
    ID_CE_BASIC_CONSTRAINTS,
    ID_CE_KEY_USAGE,
    ID_CE_EXT_KEY_USAGE,
    ID_CE_NAME_CONSTRAINTS,
    ID_CE_CERTIFICATE_POLICIES,
    ID_CE_POLICY_CONSTRAINTS,
    ID_CE_POLICY_MAPPINGS,
    ID_CE_INHIBIT_ANY_POLICY,
    ID_CE_SUBJECT_ALT_NAME,
    ID_CE_SUBJECT_KEY_IDENTIFIER,
    ID_CE_AUTHORITY_KEY_IDENTIFIER,
    ID_CE_CRL_DISTRIBUTION_POINTS,
    ID_PE_AUTHORITY_INFO_ACCESS,
];

/// Extensions RFC 5280 says conforming CAs MUST mark non-critical.
const NEVER_CRITICAL: &[(ObjectIdentifier, &str)] = &[
    (
        ID_CE_AUTHORITY_KEY_IDENTIFIER,
        "authorityKeyIdentifier (§4.2.1.1)",
    ),
    (
        ID_CE_SUBJECT_KEY_IDENTIFIER,
        "subjectKeyIdentifier (§4.2.1.2)",
    ),
    (
        ID_PE_AUTHORITY_INFO_ACCESS,
        "authorityInfoAccess (§4.2.2.1)",
    ),
    (ID_PE_SUBJECT_INFO_ACCESS, "subjectInfoAccess (§4.2.2.2)"),
];

/// Validates `path` (indices into `nodes`, end entity first, trust anchor last).
///
/// `name_checks` is the budget of name constraint comparisons left for the whole search
/// (shared by every candidate path, so that many paths cannot multiply the work).
pub(super) fn validate(
    nodes: &[Node<'_>],
    path: &[usize],
    policy: &ValidationPolicy,
    name_checks: &mut usize,
) -> Result<ValidatedPath> {
    let certs: Vec<&Node<'_>> = path.iter().filter_map(|&i| nodes.get(i)).collect();
    let (Some(leaf), Some(anchor)) = (certs.first(), certs.last()) else {
        // Not reached: the builder always passes at least the end entity.
        return Err(Error::NonConformant {
            subject: String::new(),
            reason: "empty certification path".to_owned(),
        });
    };
    let time = whole_seconds(policy.time);
    let last = certs.len() - 1;

    for (position, node) in certs.iter().enumerate() {
        let cert = node.cert;
        let is_issuer = position > 0;
        conformance(node, is_issuer)?;
        check_validity(cert, time)?;
        if is_issuer {
            if !matches!(cert.basic_constraints(), Ok(Some((true, _)))) {
                return Err(Error::NotACa {
                    subject: subject(cert),
                });
            }
            if let Ok(Some(usage)) = cert.key_usage()
                && !usage.key_cert_sign
            {
                return Err(Error::MissingKeyCertSign {
                    subject: subject(cert),
                });
            }
        }
    }

    // pathLenConstraint, from the anchor down (§6.1.4 (l), (m)).
    let mut remaining = policy.max_intermediates;
    if last > 0
        && let Ok(Some((_, Some(limit)))) = anchor.cert.basic_constraints()
    {
        remaining = remaining.min(usize::from(limit));
    }
    for node in certs.iter().take(last).skip(1).rev() {
        if !node.is_self_issued() {
            remaining = remaining
                .checked_sub(1)
                .ok_or_else(|| Error::PathLenExceeded {
                    subject: subject(node.cert),
                })?;
        }
        if let Ok(Some((_, Some(limit)))) = node.cert.basic_constraints() {
            remaining = remaining.min(usize::from(limit));
        }
    }

    // Name constraints, from the anchor down (§6.1.3 (b), (c), §6.1.4 (g)).
    let mut active = Vec::new();
    for (position, node) in certs.iter().enumerate().rev() {
        let is_leaf = position == 0;
        if !active.is_empty() && (is_leaf || !node.is_self_issued()) {
            let cert = node.cert;
            let sans = cert
                .subject_alt_names()
                .map_err(|e| nonconformant(cert, e))?;
            let has_san = has_extension(cert, ID_CE_SUBJECT_ALT_NAME);
            let names = constraints::names_of(&node.subject, &sans, has_san);
            for constraint in &active {
                constraints::check(&names, constraint, name_checks, &|| subject(cert))?;
            }
        }
        if !is_leaf && let Ok(Some(constraint)) = node.cert.name_constraints() {
            active.push(constraint);
        }
    }

    check_signer(leaf.cert, policy)?;

    let uses_sha1 = certs.iter().take(last).any(|node| {
        SignatureScheme::from_identifier(node.cert.inner().signature_algorithm(), None)
            .is_ok_and(|algorithm| algorithm.digest().is_legacy())
    });
    Ok(ValidatedPath {
        certificates: certs.iter().map(|node| node.cert.clone()).collect(),
        anchor: anchor.cert.clone(),
        uses_sha1,
    })
}

/// The end entity's keyUsage and extKeyUsage against the policy.
fn check_signer(leaf: &Certificate, policy: &ValidationPolicy) -> Result<()> {
    let required = policy.signer_key_usage;
    if required != KeyUsage::default()
        && let Some(usage) = leaf.key_usage().map_err(|e| nonconformant(leaf, e))?
        && !overlaps(usage, required)
    {
        return Err(Error::SignerKeyUsage {
            subject: subject(leaf),
            key_usage: usage,
            required,
        });
    }
    if let Some(purpose) = policy.required_eku {
        let listed = leaf
            .extended_key_usage()
            .map_err(|e| nonconformant(leaf, e))?;
        if !listed.is_empty()
            && !listed.contains(&purpose)
            && !listed.contains(&ANY_EXTENDED_KEY_USAGE)
        {
            return Err(Error::SignerExtendedKeyUsage {
                subject: subject(leaf),
                required: purpose,
            });
        }
    }
    Ok(())
}

fn overlaps(a: KeyUsage, b: KeyUsage) -> bool {
    (a.digital_signature && b.digital_signature)
        || (a.non_repudiation && b.non_repudiation)
        || (a.key_encipherment && b.key_encipherment)
        || (a.data_encipherment && b.data_encipherment)
        || (a.key_agreement && b.key_agreement)
        || (a.key_cert_sign && b.key_cert_sign)
        || (a.crl_sign && b.crl_sign)
        || (a.encipher_only && b.encipher_only)
        || (a.decipher_only && b.decipher_only)
}

/// `time` as whole seconds since 1970 (earlier times count as 0).
fn whole_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// notBefore ≤ time ≤ notAfter, both ends included (§4.1.2.5).
fn check_validity(cert: &Certificate, time: u64) -> Result<()> {
    let validity = cert.inner().tbs_certificate().validity();
    if time < validity.not_before.to_unix_duration().as_secs() {
        return Err(Error::NotYetValid {
            subject: subject(cert),
            not_before: cert.not_before(),
        });
    }
    if time > validity.not_after.to_unix_duration().as_secs() {
        return Err(Error::Expired {
            subject: subject(cert),
            not_after: cert.not_after(),
        });
    }
    Ok(())
}

/// The profile rules listed in the module documentation, and unknown critical extensions.
/// `is_issuer`: the certificate issues the one below it in the path, so a missing `cA` is
/// reported as [`Error::NotACa`] by the caller (§6.1.4 (k)), not as the §4.2.1.3 rule.
fn conformance(node: &Node<'_>, is_issuer: bool) -> Result<()> {
    let cert = node.cert;
    let x509 = cert.inner();
    let tbs = x509.tbs_certificate();
    let fail = |reason: &str| {
        Err(Error::NonConformant {
            subject: subject(cert),
            reason: reason.to_owned(),
        })
    };
    if tbs.signature() != x509.signature_algorithm() {
        return fail("signatureAlgorithm differs from tbsCertificate.signature (§4.1.1.2)");
    }
    if node.issuer.is_empty() {
        return fail("empty issuer name (§4.1.2.4)");
    }
    let mut seen = HashSet::new();
    for extension in tbs.extensions().into_iter().flatten() {
        if !seen.insert(extension.extn_id) {
            return fail(&format!(
                "extension {} appears twice (§4.2)",
                extension.extn_id
            ));
        }
        if extension.critical {
            if !KNOWN_EXTENSIONS.contains(&extension.extn_id) {
                return Err(Error::UnknownCriticalExtension {
                    subject: subject(cert),
                    oid: extension.extn_id,
                });
            }
            if let Some((_, name)) = NEVER_CRITICAL
                .iter()
                .find(|(oid, _)| *oid == extension.extn_id)
            {
                return fail(&format!("{name} must not be critical"));
            }
        }
    }
    let is_ca = cert
        .basic_constraints()
        .map_err(|e| nonconformant(cert, e))?
        .is_some_and(|(ca, _)| ca);
    let usage = cert.key_usage().map_err(|e| nonconformant(cert, e))?;
    if usage.is_some_and(|u| u.key_cert_sign) && !is_ca && !is_issuer {
        return fail("keyCertSign without basicConstraints cA (§4.2.1.3)");
    }
    if cert
        .name_constraints()
        .map_err(|e| nonconformant(cert, e))?
        .is_some()
        && !is_ca
    {
        return fail("nameConstraints in a certificate that is not a CA (§4.2.1.10)");
    }
    let eku_present = has_extension(cert, ID_CE_EXT_KEY_USAGE);
    if eku_present
        && cert
            .extended_key_usage()
            .map_err(|e| nonconformant(cert, e))?
            .is_empty()
    {
        return fail("empty extKeyUsage (§4.2.1.12)");
    }
    cert.subject_key_identifier()
        .map_err(|e| nonconformant(cert, e))?;
    cert.authority_key_identifier()
        .map_err(|e| nonconformant(cert, e))?;
    cert.subject_alt_names()
        .map_err(|e| nonconformant(cert, e))?;
    if node.subject.is_empty() {
        if is_ca {
            return fail("empty subject in a CA certificate (§4.1.2.6)");
        }
        let san_critical = tbs
            .extensions()
            .into_iter()
            .flatten()
            .any(|e| e.extn_id == ID_CE_SUBJECT_ALT_NAME && e.critical);
        if !san_critical {
            return fail("empty subject without a critical subjectAltName (§4.1.2.6)");
        }
    }
    Ok(())
}

fn has_extension(cert: &Certificate, oid: ObjectIdentifier) -> bool {
    cert.inner()
        .tbs_certificate()
        .extensions()
        .into_iter()
        .flatten()
        .any(|e| e.extn_id == oid)
}

fn nonconformant(cert: &Certificate, error: Error) -> Error {
    Error::NonConformant {
        subject: subject(cert),
        reason: error.to_string(),
    }
}

fn subject(cert: &Certificate) -> String {
    cert.subject().to_string()
}
