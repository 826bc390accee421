//! Long-term validation (ETSI EN 319 102-1 §5.6, EN 319 142-1 §6.3): the revocation status
//! of a signer's path from the validation data the file keeps (its DSS) or, when the options
//! allow, fetched; the proofs of existence the document time-stamps give earlier signatures;
//! and the PAdES level the file proves.
//!
//! * A certificate revoked *after* the signature is proven to exist (a trusted time-stamp)
//!   leaves the signature VALID, with a note; revoked before, or with no proof, INVALID
//!   (`CERTIFICATE_REVOKED`).
//! * Evidence required (the certificate names an OCSP responder or a CRL distribution point)
//!   and none usable, offline or fetched: INDETERMINATE (`REVOCATION_UNKNOWN`) with each
//!   problem named.
//! * Level: B-B; B-T with a proof of existence; B-LT when, besides, the file's own DSS holds
//!   what validates the signer's path and its signature time-stamp's TSA path (nothing
//!   fetched); B-LTA when a valid document time-stamp over a later revision covers a DSS that
//!   does.

use std::sync::Arc;
use std::time::SystemTime;

use kyso_cert::revocation::{
    CheckTime, NotChecked, PathRevocation, RevocationChecker, RevocationEvidence, RevocationPolicy,
    Status,
};
use kyso_cert::{Certificate, TrustStore, ValidatedPath};

use crate::dss::ValidationData;
use crate::verify::report::{Reason, ReasonCode, RevocationEntry, SignatureReport};

/// What every signature of one document is validated with.
pub(crate) struct Context<'a> {
    pub store: &'a TrustStore,
    /// The validation data of the document's DSS (latest revision).
    pub dss: ValidationData,
    /// Its certificates, parsed: candidates for path building.
    pub dss_certificates: Vec<Certificate>,
    /// Checks with the file's evidence only.
    pub offline: RevocationChecker,
    /// Checks that may fetch (when the options allow it).
    pub online: Option<RevocationChecker>,
    /// The document time-stamps that hold, with the DSS of the revision each covers.
    pub stamps: Vec<Stamp>,
}

/// A document time-stamp that holds and is trusted.
pub(crate) struct Stamp {
    /// Where the revision it time-stamps ends.
    pub covered_end: u64,
    /// Its genTime.
    pub time: SystemTime,
    /// The revocation evidence of the DSS in the revision it covers.
    pub evidence: RevocationEvidence,
}

impl<'a> Context<'a> {
    pub fn new(
        store: &'a TrustStore,
        dss: ValidationData,
        policy: &RevocationPolicy,
        fetcher: Option<Arc<dyn kyso_cert::revocation::RevocationFetcher>>,
    ) -> Self {
        let mut offline_policy = policy.clone();
        offline_policy.fetch = false;
        let online = match fetcher {
            Some(f) if policy.fetch => Some(RevocationChecker::new(policy.clone()).with_fetcher(f)),
            _ => None,
        };
        Self {
            store,
            dss_certificates: dss.parsed_certificates(),
            dss,
            offline: RevocationChecker::new(offline_policy),
            online,
            stamps: Vec::new(),
        }
    }

    /// The earliest time a document time-stamp over a revision after `covered_end` proves.
    pub fn later_stamp(&self, covered_end: u64) -> Option<SystemTime> {
        self.stamps
            .iter()
            .filter(|s| s.covered_end > covered_end)
            .map(|s| s.time)
            .min()
    }

    /// The certificates to build paths with besides the signature's own.
    pub fn supplied(&self, own: &[Certificate]) -> Vec<Certificate> {
        let mut all = own.to_vec();
        all.extend(self.dss_certificates.iter().cloned());
        all
    }

    /// The revocation status of `path`: from the file (its DSS and `embedded`, what the
    /// signature's CMS carries), then — for what the file lacks — fetched when allowed. Also
    /// says whether the file alone sufficed.
    pub fn check(
        &self,
        path: &ValidatedPath,
        embedded: &RevocationEvidence,
        time: CheckTime,
    ) -> (PathRevocation, bool) {
        let evidence = if embedded.is_empty() {
            std::borrow::Cow::Borrowed(&self.dss.revocation)
        } else {
            let mut both = self.dss.revocation.clone();
            both.extend(embedded.clone());
            std::borrow::Cow::Owned(both)
        };
        let offline = self.offline.check(path, &evidence, time);
        let complete = complete(&offline, time);
        match &self.online {
            Some(online) if !complete => (online.check(path, &evidence, time), false),
            _ => (offline, complete),
        }
    }

    /// Whether the document's DSS alone settles `path` (B-LT keeps its validation data
    /// there, EN 319 142-1 §6.3).
    pub fn in_dss(&self, path: &ValidatedPath, time: CheckTime) -> bool {
        complete(&self.offline.check(path, &self.dss.revocation, time), time)
    }

    /// Whether the DSS of a document time-stamp after `covered_end` holds what `path`
    /// needs (B-LTA).
    pub fn archived(&self, covered_end: u64, path: &ValidatedPath, time: CheckTime) -> bool {
        self.stamps
            .iter()
            .filter(|s| s.covered_end > covered_end && !s.evidence.is_empty())
            .any(|s| complete(&self.offline.check(path, &s.evidence, time), time))
    }
}

/// Whether `r` settles every certificate: good, not needed, or revoked only after the proof
/// of existence.
pub(crate) fn complete(r: &PathRevocation, time: CheckTime) -> bool {
    r.certificates.iter().all(|c| match &c.status {
        Status::Good { .. } | Status::NotChecked(_) => true,
        Status::Revoked { time: at, .. } => time.existence.is_some_and(|p| *at > p),
        _ => false,
    })
}

/// The report's entries for `r`.
pub(crate) fn entries(r: &PathRevocation, in_file: bool) -> Vec<RevocationEntry> {
    r.certificates
        .iter()
        .map(|c| {
            let (status, source, time, problems) = match &c.status {
                Status::Good {
                    source,
                    this_update,
                } => ("good", Some(*source), Some(*this_update), Vec::new()),
                Status::Revoked { source, time, .. } => {
                    ("revoked", Some(*source), Some(*time), Vec::new())
                }
                Status::Missing { problems } => ("unknown", None, None, problems.clone()),
                Status::NotChecked(NotChecked::NoPointers) => (
                    "not-checked",
                    None,
                    None,
                    vec![
                        "the certificate names no OCSP responder or CRL distribution point"
                            .to_string(),
                    ],
                ),
                Status::NotChecked(_) => (
                    "not-checked",
                    None,
                    None,
                    vec!["the policy checks no revocation".to_string()],
                ),
                _ => ("unknown", None, None, Vec::new()),
            };
            RevocationEntry {
                subject: c.certificate.subject().to_string(),
                status,
                source: source.map(|s| s.name()),
                time: time.map(crate::date::rfc3339),
                in_file,
                problems,
            }
        })
        .collect()
}

/// Applies the revocation status of the signer's path to `report`: INVALID for a revocation
/// before the proof of existence, a note for one after it, INDETERMINATE for missing
/// evidence.
pub(crate) fn judge_signer(report: &mut SignatureReport, r: &PathRevocation, time: CheckTime) {
    for c in &r.certificates {
        let subject = c.certificate.subject();
        match &c.status {
            Status::Revoked { time: at, .. } => match time.existence {
                Some(p) if *at > p => report.warnings.push(format!(
                    "{subject} was revoked at {}, after the signature was proven to exist at {}: \
                     the signature stands",
                    crate::date::rfc3339(*at),
                    crate::date::rfc3339(p)
                )),
                Some(p) => report.reasons.push(Reason {
                    code: ReasonCode::CertificateRevoked,
                    message: format!(
                        "{subject} was revoked at {}, before the signature was proven to exist \
                         at {}",
                        crate::date::rfc3339(*at),
                        crate::date::rfc3339(p)
                    ),
                    change: None,
                }),
                None => report.reasons.push(Reason {
                    code: ReasonCode::CertificateRevoked,
                    message: format!(
                        "{subject} was revoked at {}, and no time-stamp proves the signature \
                         existed before",
                        crate::date::rfc3339(*at)
                    ),
                    change: None,
                }),
            },
            Status::Missing { problems } => report.reasons.push(Reason {
                code: ReasonCode::RevocationUnknown,
                message: format!(
                    "the revocation status of {subject} is unknown: {}",
                    problems.join("; ")
                ),
                change: None,
            }),
            _ => {}
        }
    }
}
