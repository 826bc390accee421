//! Path building: a depth-first search from the end entity towards a trust anchor
//! ([RFC 4158] describes the problem; this is the simple, bounded version of it).
//!
//! Candidates for a certificate's issuer are the certificates whose subject equals its issuer
//! name ([RFC 5280 §7.1] comparison, through a hash index). They are tried in this order:
//! trust anchors first (shortest path); then those whose subject key identifier equals the
//! certificate's authority key identifier, then those without one of the two, then those
//! whose identifier differs ([RFC 4158 §3.5.12]: key identifiers order candidates, they do
//! not exclude them — CAs re-issued with another key-identifier method exist); then those
//! valid at the validation time (so an expired cross-certificate is tried last — the "chain
//! of pain"); then in the order given. Each link's signature is checked before going
//! further, and results are cached, so each (certificate, issuer) pair costs one
//! verification at most.
//!
//! Loops are impossible: a certificate, or another certificate with the same subject and
//! public key (the same CA, cross-signed), is never used twice in one path. Work is bounded
//! by [`MAX_SIGNATURE_CHECKS`], [`MAX_PATH_DEPTH`] and [`MAX_BUILD_STEPS`] (which also bounds
//! how many complete paths are validated), and [`MAX_NAME_CONSTRAINT_CHECKS`] is shared by all
//! of them.
//!
//! [RFC 4158]: https://www.rfc-editor.org/rfc/rfc4158
//! [RFC 5280 §7.1]: https://www.rfc-editor.org/rfc/rfc5280#section-7.1
//! [RFC 4158 §3.5.12]: https://www.rfc-editor.org/rfc/rfc4158#section-3.5.12

use std::collections::{HashMap, HashSet};

use super::names::NormalizedName;
use super::{
    MAX_BUILD_STEPS, MAX_NAME_CONSTRAINT_CHECKS, MAX_PATH_DEPTH, MAX_SIGNATURE_CHECKS,
    ValidatedPath, ValidationPolicy, validate,
};
use crate::signature::{VerifyOptions, verify_signature_with};
use crate::{Certificate, Error, Result, TrustStore};

/// A certificate with what path building looks at, computed once.
pub(super) struct Node<'a> {
    pub(super) cert: &'a Certificate,
    pub(super) subject: NormalizedName,
    pub(super) issuer: NormalizedName,
    ski: Option<Vec<u8>>,
    aki: Option<Vec<u8>>,
    pub(super) anchor: bool,
}

impl<'a> Node<'a> {
    fn new(cert: &'a Certificate, anchor: bool) -> Self {
        let tbs = cert.inner().tbs_certificate();
        Self {
            cert,
            subject: NormalizedName::new(tbs.subject()),
            issuer: NormalizedName::new(tbs.issuer()),
            // A malformed identifier is reported by validation if the certificate ends up
            // in a path; for building it is as good as absent.
            ski: cert.subject_key_identifier().ok().flatten(),
            aki: cert.authority_key_identifier().ok().flatten(),
            anchor,
        }
    }

    /// Issuer and subject are the same name ([RFC 5280 §6.1]: "self-issued").
    ///
    /// [RFC 5280 §6.1]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1
    pub(super) fn is_self_issued(&self) -> bool {
        self.subject == self.issuer
    }
}

/// The search state for one call of [`validate_path`](super::validate_path).
struct Search<'a, 'p> {
    nodes: Vec<Node<'a>>,
    by_subject: HashMap<NormalizedName, Vec<usize>>,
    policy: &'p ValidationPolicy,
    /// (certificate, issuer) → whether the signature verified.
    signatures: HashMap<(usize, usize), bool>,
    signature_checks: usize,
    steps: usize,
    /// Name constraint comparisons left, for all candidate paths together.
    name_checks: usize,
    /// The error of the first complete path (end entity to anchor) that did not validate.
    complete_error: Option<Error>,
    /// The deepest link whose signature did not verify: (path length below the candidate,
    /// error); the first one found at that depth.
    signature_error: Option<(usize, Error)>,
    /// Whether a candidate was left out for [`MAX_PATH_DEPTH`].
    depth_limited: bool,
    /// The deepest certificate (position, node) for which no candidate issuer exists.
    dead_end: Option<(usize, usize)>,
}

pub(super) fn build(
    leaf: &Certificate,
    supplied: &[Certificate],
    trust: &TrustStore,
    policy: &ValidationPolicy,
) -> Result<ValidatedPath> {
    let anchors: HashSet<&[u8]> = trust.anchors().iter().map(Certificate::der).collect();
    let mut seen: HashSet<&[u8]> = HashSet::new();
    let mut nodes = Vec::new();
    seen.insert(leaf.der());
    nodes.push(Node::new(leaf, anchors.contains(leaf.der())));
    let others = trust.anchors().iter().map(|c| (c, true)).chain(
        supplied
            .iter()
            .chain(trust.intermediates())
            .map(|c| (c, false)),
    );
    for (cert, anchor) in others {
        if seen.insert(cert.der()) {
            nodes.push(Node::new(cert, anchor));
        }
    }
    let mut by_subject: HashMap<NormalizedName, Vec<usize>> = HashMap::new();
    for (i, node) in nodes.iter().enumerate().skip(1) {
        by_subject.entry(node.subject.clone()).or_default().push(i);
    }

    if nodes[0].anchor {
        let mut name_checks = MAX_NAME_CONSTRAINT_CHECKS;
        return validate::validate(&nodes, &[0], policy, &mut name_checks);
    }
    let mut search = Search {
        nodes,
        by_subject,
        policy,
        signatures: HashMap::new(),
        signature_checks: 0,
        steps: 0,
        name_checks: MAX_NAME_CONSTRAINT_CHECKS,
        complete_error: None,
        signature_error: None,
        depth_limited: false,
        dead_end: None,
    };
    let mut path = vec![0];
    if let Some(found) = search.extend(&mut path)? {
        return Ok(found);
    }
    Err(search.failure())
}

impl Search<'_, '_> {
    /// Tries to complete `path` (end entity first) to a validated path.
    /// `Err` only for a budget that stops the whole search.
    fn extend(&mut self, path: &mut Vec<usize>) -> Result<Option<ValidatedPath>> {
        let Some(&top) = path.last() else {
            return Ok(None);
        };
        let candidates = self.candidates(top, path);
        if candidates.is_empty() {
            if self.dead_end.is_none_or(|(depth, _)| path.len() > depth) {
                self.dead_end = Some((path.len(), top));
            }
            return Ok(None);
        }
        for candidate in candidates {
            self.steps += 1;
            if self.steps > MAX_BUILD_STEPS {
                return Err(Error::BudgetExceeded {
                    what: "candidate issuers",
                    limit: MAX_BUILD_STEPS,
                });
            }
            let is_anchor = self.nodes[candidate].anchor;
            // A non-anchor candidate needs room for itself and an anchor above it.
            if !is_anchor && path.len() + 2 > MAX_PATH_DEPTH {
                self.depth_limited = true;
                continue;
            }
            if !self.signature_ok(top, candidate, path.len())? {
                continue;
            }
            path.push(candidate);
            if is_anchor {
                match validate::validate(&self.nodes, path, self.policy, &mut self.name_checks) {
                    Ok(found) => return Ok(Some(found)),
                    Err(error @ Error::BudgetExceeded { .. }) => return Err(error),
                    Err(error) => {
                        if self.complete_error.is_none() {
                            self.complete_error = Some(error);
                        }
                    }
                }
            } else if let Some(found) = self.extend(path)? {
                return Ok(Some(found));
            }
            path.pop();
        }
        Ok(None)
    }

    /// The possible issuers of `top` not yet in `path`, best first.
    fn candidates(&self, top: usize, path: &[usize]) -> Vec<usize> {
        let node = &self.nodes[top];
        let Some(all) = self.by_subject.get(&node.issuer) else {
            return Vec::new();
        };
        let time = self.policy.time;
        let mut candidates: Vec<(bool, u8, bool, usize)> = all
            .iter()
            .copied()
            .filter(|&c| !path.contains(&c))
            .filter(|&c| {
                let candidate = &self.nodes[c];
                let key = candidate
                    .cert
                    .inner()
                    .tbs_certificate()
                    .subject_public_key_info();
                // The same CA (subject and key) is never used twice.
                !path.iter().any(|&p| {
                    let used = &self.nodes[p];
                    used.subject == candidate.subject
                        && used
                            .cert
                            .inner()
                            .tbs_certificate()
                            .subject_public_key_info()
                            == key
                })
            })
            .map(|c| {
                let candidate = &self.nodes[c];
                // 0: the AKI names this key, 1: nothing to compare, 2: the AKI names another.
                let key_match: u8 = match (&node.aki, &candidate.ski) {
                    (Some(aki), Some(ski)) if aki == ski => 0,
                    (Some(_), Some(_)) => 2,
                    _ => 1,
                };
                (
                    !candidate.anchor,
                    key_match,
                    !candidate.cert.is_valid_at(time),
                    c,
                )
            })
            .collect();
        candidates.sort_unstable();
        candidates.into_iter().map(|(.., c)| c).collect()
    }

    /// Whether `issuer`'s key verifies `subject`'s signature, `subject` being at `depth` (the
    /// deepest failure is kept for the report); `Err` when the signature budget is spent.
    fn signature_ok(&mut self, subject: usize, issuer: usize, depth: usize) -> Result<bool> {
        if let Some(&ok) = self.signatures.get(&(subject, issuer)) {
            return Ok(ok);
        }
        self.signature_checks += 1;
        if self.signature_checks > MAX_SIGNATURE_CHECKS {
            return Err(Error::BudgetExceeded {
                what: "signature checks",
                limit: MAX_SIGNATURE_CHECKS,
            });
        }
        let outcome = verify_link(
            self.nodes[subject].cert,
            self.nodes[issuer].cert,
            self.policy.allow_sha1,
        );
        let ok = outcome.is_ok();
        if let Err(error) = outcome
            && self
                .signature_error
                .as_ref()
                .is_none_or(|(deepest, _)| depth > *deepest)
        {
            self.signature_error = Some((depth, error));
        }
        self.signatures.insert((subject, issuer), ok);
        Ok(ok)
    }

    /// The error to report when no path validated: the first complete path's error; else the
    /// depth limit if it cut a path; else whichever got furthest from the end entity — a bad
    /// signature or a certificate without any candidate issuer (a bad signature wins a tie,
    /// as its issuer was at least found).
    fn failure(self) -> Error {
        if let Some(error) = self.complete_error {
            return error;
        }
        if self.depth_limited {
            return Error::BudgetExceeded {
                what: "certificates in a path",
                limit: MAX_PATH_DEPTH,
            };
        }
        let dead_end_depth = self.dead_end.map_or(0, |(depth, _)| depth);
        if let Some((depth, error)) = self.signature_error
            && depth >= dead_end_depth
        {
            return error;
        }
        let node = &self.nodes[self.dead_end.map_or(0, |(_, node)| node)];
        Error::MissingIssuer {
            subject: node.cert.subject().to_string(),
            issuer: node.cert.issuer().to_string(),
        }
    }
}

/// Verifies `cert`'s signature with `issuer`'s key ([RFC 5280 §6.1.3] (a)(1)).
///
/// [RFC 5280 §6.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.3
fn verify_link(
    cert: &Certificate,
    issuer: &Certificate,
    allow_sha1: bool,
) -> std::result::Result<(), Error> {
    let bad = |source: Error| Error::BadSignature {
        subject: cert.subject().to_string(),
        source: Box::new(source),
    };
    let x509 = cert.inner();
    if x509.tbs_certificate().signature() != x509.signature_algorithm() {
        return Err(bad(Error::UnsupportedAlgorithm {
            oid: x509.signature_algorithm().oid,
            reason: "signatureAlgorithm differs from tbsCertificate.signature (RFC 5280 §4.1.1.2)",
        }));
    }
    let tbs = cert.tbs_der().map_err(bad)?;
    let signature = x509
        .signature()
        .as_bytes()
        .ok_or_else(|| bad(Error::SignatureMismatch))?;
    let options = VerifyOptions {
        allow_sha1,
        digest: None,
    };
    verify_signature_with(issuer, x509.signature_algorithm(), tbs, signature, &options).map_err(bad)
}
