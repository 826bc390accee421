//! Finding the signer's certificate among the certificates of a key file, and putting the
//! others in chain order (leaf upward).
//!
//! PKCS#12 files and PEM bundles list certificates in whatever order the exporting tool chose
//! (Windows puts the root first, some CA tools the leaf last). The signer's certificate is the
//! one that holds the private key's public half; the others are ordered by following
//! `issuer` → `subject` links ([RFC 5280 §4.1.2.4], §4.1.2.6), preferring, when two CA
//! certificates share a name, the one whose subject key identifier equals the child's
//! authority key identifier ([RFC 5280 §4.2.1.1]). Nothing is dropped: certificates that do not
//! link (cross-certificates, unrelated CAs) follow in their original order.
//!
//! [RFC 5280 §4.1.2.4]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.4
//! [RFC 5280 §4.2.1.1]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.1

use kyso_cert::Certificate;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, SubjectKeyIdentifier};

use super::key::PrivateKey;

/// The index of the first certificate among `candidates` whose public key is `key`'s.
pub(crate) fn find_leaf(key: &PrivateKey, candidates: &[Certificate]) -> Option<usize> {
    candidates
        .iter()
        .position(|cert| key.matches(cert.inner().tbs_certificate().subject_public_key_info()))
}

/// Orders `others` leaf-upward starting from `leaf`'s issuer. Byte-identical copies (of the leaf
/// or of each other) are removed, since embedding one certificate twice adds nothing; every
/// distinct certificate is kept.
pub(crate) fn order_chain(leaf: &Certificate, others: Vec<Certificate>) -> Vec<Certificate> {
    let mut rest: Vec<Certificate> = Vec::with_capacity(others.len());
    for cert in others {
        if cert.der() != leaf.der() && !rest.iter().any(|c| c.der() == cert.der()) {
            rest.push(cert);
        }
    }

    let mut chain = Vec::with_capacity(rest.len());
    let mut current = leaf.clone();
    // Each step moves one certificate from `rest` to `chain`, so this ends.
    while !is_self_issued(&current) {
        let Some(next) = find_issuer(&current, &rest) else {
            break;
        };
        let issuer = rest.remove(next);
        current = issuer.clone();
        chain.push(issuer);
    }
    chain.extend(rest);
    chain
}

/// Whether `cert` names itself as its issuer (a root, or a self-issued CA key rollover).
fn is_self_issued(cert: &Certificate) -> bool {
    let tbs = cert.inner().tbs_certificate();
    tbs.issuer() == tbs.subject()
}

/// The index in `pool` of the issuer of `child`: a certificate whose subject is `child`'s issuer,
/// preferring one whose subject key identifier matches `child`'s authority key identifier.
fn find_issuer(child: &Certificate, pool: &[Certificate]) -> Option<usize> {
    let issuer_name = child.inner().tbs_certificate().issuer();
    let candidates: Vec<usize> = pool
        .iter()
        .enumerate()
        .filter(|(_, c)| c.inner().tbs_certificate().subject() == issuer_name)
        .map(|(i, _)| i)
        .collect();
    if candidates.len() > 1
        && let Some(aki) = authority_key_id(child)
        && let Some(&best) = candidates
            .iter()
            .find(|&&i| subject_key_id(&pool[i]).as_deref() == Some(aki.as_slice()))
    {
        return Some(best);
    }
    candidates.first().copied()
}

fn authority_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    let (_, aki) = cert
        .inner()
        .tbs_certificate()
        .get_extension::<AuthorityKeyIdentifier>()
        .ok()??;
    aki.key_identifier.map(|id| id.as_bytes().to_vec())
}

fn subject_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    let (_, ski) = cert
        .inner()
        .tbs_certificate()
        .get_extension::<SubjectKeyIdentifier>()
        .ok()??;
    Some(ski.0.as_bytes().to_vec())
}
