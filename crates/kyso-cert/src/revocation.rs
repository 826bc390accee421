//! Revocation checking of a validated path ([RFC 5280 §6.1.3] (a)(3)) from OCSP responses
//! ([RFC 6960]) and CRLs ([RFC 5280 §5]): the evidence a signature carries (a PDF's DSS, a
//! CMS), and, when the policy allows it, what a [`RevocationFetcher`] gets from the
//! responders and distribution points the certificates name.
//!
//! [`RevocationChecker::check`] judges each certificate of a [`ValidatedPath`] but its trust
//! anchor, as ETSI EN 319 102-1 §5.2.5 and §5.6.2 ask of a signature kept for years:
//!
//! * **revoked**: authentic evidence (signed by the issuer, or by a responder it delegated)
//!   lists the certificate as revoked, at a time. A revocation is permanent, so even
//!   evidence past its nextUpdate proves it (a certificateHold only while current). The
//!   caller compares the time with the signature's proof of existence: revoked after it →
//!   the signature still holds; before → it does not.
//! * **good**: authentic evidence says good and is *fresh* for the check: current at the
//!   validation time, or — when the signature is proven to have existed at a time (a trusted
//!   time-stamp) — issued after that time (within [`CLOCK_SKEW`]). An old OCSP response kept
//!   in a DSS thus keeps vouching for a signature time-stamped before it was produced; one
//!   produced before the time-stamp does not, even if its nextUpdate was still ahead then:
//!   the key could have been revoked, and used, in between.
//! * **not checked**: the certificate names no OCSP responder and no CRL distribution point
//!   (and the policy asks for evidence only where it can exist), or the policy checks
//!   nothing.
//! * **missing**: evidence is required and none usable was found; each problem is named
//!   (stale, unknown to the responder, unreachable, badly signed).
//!
//! Fetched answers are cached for the checker's life (per URL, and per certificate for
//! OCSP), failures too, so a batch asks a dead responder once. The evidence that decided
//! each certificate is returned ([`PathRevocation::used`]) for a DSS to keep.
//!
//! Not implemented: delta CRLs and CRLs scoped by a critical issuing distribution point
//! (refused by [`crate::crl`]); CRLs signed by another key of the issuer (a separate cRLSign
//! certificate, the other key of a self-issued roll-over) and indirect CRLs named by a
//! cRLIssuer (not searched: the evidence is then missing); the revocation of a delegated OCSP
//! responder's own certificate unless it carries `id-pkix-ocsp-nocheck` (it is not checked
//! either way). The PKITS deviations these leave are listed in `tests/pkits/deviations.txt`.
//!
//! [RFC 5280 §6.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.3
//! [RFC 5280 §5]: https://www.rfc-editor.org/rfc/rfc5280#section-5
//! [RFC 6960]: https://www.rfc-editor.org/rfc/rfc6960

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::ocsp::{self, CLOCK_SKEW, CertStatus, OcspRequest};
use crate::{Certificate, Error, Result, ValidatedPath, crl};

/// How long evidence without a nextUpdate counts as current (RFC 6960 §4.2.2.1 leaves it to
/// the relying party; a day, as responders that omit it answer live).
pub const MAX_AGE_WITHOUT_NEXT_UPDATE: std::time::Duration =
    std::time::Duration::from_secs(24 * 3600);

/// The CRL reason `certificateHold` (RFC 5280 §5.3.1): a suspension, not a revocation.
const REASON_CERTIFICATE_HOLD: u8 = 6;

/// Revocation evidence as it is kept: DER OCSP responses and CRLs, for any certificates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RevocationEvidence {
    /// DER `OCSPResponse`s.
    pub ocsp_responses: Vec<Vec<u8>>,
    /// DER (or PEM) `CertificateList`s.
    pub crls: Vec<Vec<u8>>,
}

impl RevocationEvidence {
    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.ocsp_responses.is_empty() && self.crls.is_empty()
    }

    /// Adds `other`'s evidence, leaving out what is already here.
    pub fn extend(&mut self, other: RevocationEvidence) {
        for r in other.ocsp_responses {
            if !self.ocsp_responses.contains(&r) {
                self.ocsp_responses.push(r);
            }
        }
        for c in other.crls {
            if !self.crls.contains(&c) {
                self.crls.push(c);
            }
        }
    }
}

/// Gets revocation evidence over the network: what kyso-cert asks of an HTTP client, so that
/// it needs none itself (kyso-token's `HttpRevocationFetcher` is one).
pub trait RevocationFetcher: Send + Sync + std::fmt::Debug {
    /// The DER `OCSPResponse` the responder at `url` gives to the DER `request`.
    ///
    /// # Errors
    ///
    /// [`Error::Fetch`] naming the URL and what failed.
    fn fetch_ocsp(&self, url: &str, request: &[u8]) -> Result<Vec<u8>>;

    /// The CRL published at `url`.
    ///
    /// # Errors
    ///
    /// [`Error::Fetch`] naming the URL and what failed.
    fn fetch_crl(&self, url: &str) -> Result<Vec<u8>>;
}

/// Which certificates must have revocation evidence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Requirement {
    /// Every certificate of the path but the trust anchor.
    Always,
    /// The certificates that name an OCSP responder or a CRL distribution point (as
    /// pyHanko's "hard-fail" mode): for the others no evidence can exist.
    #[default]
    WhenPointed,
    /// None: revocation is not checked.
    Never,
}

/// Which kind of evidence is tried first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Preference {
    /// OCSP, then CRLs.
    #[default]
    Ocsp,
    /// CRLs, then OCSP.
    Crl,
}

/// How revocation is checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RevocationPolicy {
    /// Which certificates need evidence.
    pub requirement: Requirement,
    /// Which evidence is tried first.
    pub prefer: Preference,
    /// Whether missing evidence may be fetched (with the checker's fetcher); `false`: only
    /// the evidence given is used (offline).
    pub fetch: bool,
}

/// Where an answer came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// An OCSP response.
    Ocsp,
    /// A CRL.
    Crl,
}

impl Source {
    /// The stable name, as serialized: `ocsp` or `crl`.
    pub fn name(self) -> &'static str {
        match self {
            Source::Ocsp => "ocsp",
            Source::Crl => "crl",
        }
    }

    /// A piece of such evidence, for messages: "an OCSP response", "a CRL".
    fn one(self) -> &'static str {
        match self {
            Source::Ocsp => "an OCSP response",
            Source::Crl => "a CRL",
        }
    }

    /// `der` as evidence of this kind.
    fn evidence(self, der: &[u8]) -> RevocationEvidence {
        let mut e = RevocationEvidence::default();
        match self {
            Source::Ocsp => e.ocsp_responses.push(der.to_vec()),
            Source::Crl => e.crls.push(der.to_vec()),
        }
        e
    }
}

/// Why a certificate's revocation was not checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotChecked {
    /// It names no OCSP responder and no CRL distribution point.
    NoPointers,
    /// The policy checks nothing ([`Requirement::Never`]).
    Policy,
}

/// The revocation status found for one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// Not revoked, by fresh evidence.
    Good {
        /// Where it came from.
        source: Source,
        /// The evidence's thisUpdate.
        this_update: SystemTime,
    },
    /// Revoked.
    Revoked {
        /// Where it came from.
        source: Source,
        /// When the certificate was revoked.
        time: SystemTime,
        /// The CRL reason code (RFC 5280 §5.3.1), if given.
        reason: Option<u8>,
    },
    /// Not checked, and not required.
    NotChecked(NotChecked),
    /// Required, and no usable evidence: the problems met, one per piece of evidence tried.
    Missing {
        /// What was wrong with each piece of evidence tried (or that there was none).
        problems: Vec<String>,
    },
}

/// The revocation status of one certificate of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRevocation {
    /// The certificate.
    pub certificate: Certificate,
    /// Its status.
    pub status: Status,
}

/// The revocation status of a path, end entity first, trust anchor left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathRevocation {
    /// One entry per certificate checked.
    pub certificates: Vec<CertificateRevocation>,
    /// The evidence that decided them (given or fetched), for a DSS to keep.
    pub used: RevocationEvidence,
}

impl PathRevocation {
    /// The first revoked certificate, if any.
    pub fn revoked(&self) -> Option<&CertificateRevocation> {
        self.certificates
            .iter()
            .find(|c| matches!(c.status, Status::Revoked { .. }))
    }

    /// The first certificate whose required evidence is missing, if any.
    pub fn missing(&self) -> Option<&CertificateRevocation> {
        self.certificates
            .iter()
            .find(|c| matches!(c.status, Status::Missing { .. }))
    }
}

/// The times a check is made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckTime {
    /// The validation time (now, usually).
    pub now: SystemTime,
    /// The time the signature is proven to have existed at (a trusted time-stamp's genTime),
    /// if any: evidence issued after it, or current at it, is fresh enough.
    pub existence: Option<SystemTime>,
}

impl CheckTime {
    /// A check at `now` with no proof of existence.
    pub fn at(now: SystemTime) -> Self {
        Self {
            now,
            existence: None,
        }
    }

    /// Whether good-status evidence from `this_update` to `next_update` vouches for the
    /// signature: evidence current at the validation time, or — with a proof of existence —
    /// issued after it (within [`CLOCK_SKEW`]; ETSI EN 319 102-1 §5.2.5.4: revocation
    /// information issued after the signing time). Evidence merely current at the proof's
    /// time does not count: it could predate a revocation that the signature followed.
    fn fresh(
        &self,
        this_update: SystemTime,
        next_update: Option<SystemTime>,
    ) -> Result<(), String> {
        if let Some(poe) = self.existence
            && this_update + CLOCK_SKEW >= poe
        {
            return Ok(());
        }
        check_current("evidence", this_update, next_update, self.now).map_err(|m| {
            match self.existence {
                Some(_) => format!("{m}, and it was issued before the signature's time-stamp"),
                None => m,
            }
        })
    }
}

/// Checks revocation for validated paths under a [`RevocationPolicy`], fetching with an
/// optional [`RevocationFetcher`] and caching what it fetched.
///
/// ```
/// use kyso_cert::revocation::{RevocationChecker, RevocationPolicy};
///
/// // Offline: only the evidence a signature carries counts.
/// let checker = RevocationChecker::new(RevocationPolicy::default());
/// # let _ = checker;
/// ```
pub struct RevocationChecker {
    policy: RevocationPolicy,
    fetcher: Option<Arc<dyn RevocationFetcher>>,
    cache: Mutex<Cache>,
}

#[derive(Default)]
struct Cache {
    /// OCSP answers by (URL, certificate fingerprint).
    ocsp: HashMap<(String, [u8; 32]), std::result::Result<Vec<u8>, String>>,
    /// CRLs by URL.
    crls: HashMap<String, std::result::Result<Vec<u8>, String>>,
}

impl std::fmt::Debug for RevocationChecker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RevocationChecker")
            .field("policy", &self.policy)
            .field("fetcher", &self.fetcher.is_some())
            .finish()
    }
}

impl RevocationChecker {
    /// A checker with `policy` and no fetcher.
    pub fn new(policy: RevocationPolicy) -> Self {
        Self {
            policy,
            fetcher: None,
            cache: Mutex::new(Cache::default()),
        }
    }

    /// Fetches missing evidence with `fetcher` when the policy allows fetching.
    pub fn with_fetcher(mut self, fetcher: Arc<dyn RevocationFetcher>) -> Self {
        self.fetcher = Some(fetcher);
        self
    }

    /// The policy.
    pub fn policy(&self) -> &RevocationPolicy {
        &self.policy
    }

    /// The revocation status of each certificate of `path` but its trust anchor, from
    /// `evidence` and, if allowed, fetched answers, fresh for `time`.
    pub fn check(
        &self,
        path: &ValidatedPath,
        evidence: &RevocationEvidence,
        time: CheckTime,
    ) -> PathRevocation {
        let mut out = PathRevocation::default();
        for pair in path.certificates.windows(2) {
            let (cert, issuer) = (&pair[0], &pair[1]);
            let (status, used) = self.check_one(cert, issuer, evidence, time);
            out.used.extend(used);
            out.certificates.push(CertificateRevocation {
                certificate: cert.clone(),
                status,
            });
        }
        out
    }

    fn check_one(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
        evidence: &RevocationEvidence,
        time: CheckTime,
    ) -> (Status, RevocationEvidence) {
        if self.policy.requirement == Requirement::Never {
            return (
                Status::NotChecked(NotChecked::Policy),
                RevocationEvidence::default(),
            );
        }
        let mut problems = Vec::new();
        let mut judge = Judgement::default();
        for der in &evidence.ocsp_responses {
            judge.ocsp(der, cert, issuer, time, &mut problems);
        }
        for der in &evidence.crls {
            judge.crl(der, cert, issuer, time, &mut problems);
        }
        if let Some(decided) = judge.decide(self.policy.prefer) {
            return decided;
        }
        let ocsp_urls = cert.ocsp_urls().unwrap_or_default();
        let crl_urls = cert.crl_urls().unwrap_or_default();
        if self.policy.fetch
            && let Some(fetcher) = &self.fetcher
        {
            let order = match self.policy.prefer {
                Preference::Ocsp => [Source::Ocsp, Source::Crl],
                Preference::Crl => [Source::Crl, Source::Ocsp],
            };
            for source in order {
                match source {
                    Source::Ocsp => {
                        for url in ocsp_urls.iter().filter(|u| is_http(u)) {
                            match self.fetch_ocsp(fetcher.as_ref(), url, cert, issuer) {
                                Ok(der) => judge.ocsp(&der, cert, issuer, time, &mut problems),
                                Err(e) => problems.push(e),
                            }
                        }
                    }
                    Source::Crl => {
                        for url in crl_urls.iter().filter(|u| is_http(u)) {
                            match self.fetch_crl(fetcher.as_ref(), url) {
                                Ok(der) => judge.crl(&der, cert, issuer, time, &mut problems),
                                Err(e) => problems.push(e),
                            }
                        }
                    }
                }
                if let Some(decided) = judge.decide(self.policy.prefer) {
                    return decided;
                }
            }
        }
        // Named, even where kyso cannot follow it (a cRLIssuer, a non-URI name).
        let pointed = !ocsp_urls.is_empty() || !crl_urls.is_empty() || names_crl_location(cert);
        if !pointed && self.policy.requirement == Requirement::WhenPointed {
            return (
                Status::NotChecked(NotChecked::NoPointers),
                RevocationEvidence::default(),
            );
        }
        if problems.is_empty() {
            problems.push(if self.policy.fetch && self.fetcher.is_some() {
                "no revocation evidence could be had".to_string()
            } else if pointed {
                "no revocation evidence is given, and fetching it is off".to_string()
            } else {
                "no revocation evidence is given, and the certificate names no OCSP responder \
                 or CRL distribution point"
                    .to_string()
            });
        }
        (Status::Missing { problems }, RevocationEvidence::default())
    }

    fn fetch_ocsp(
        &self,
        fetcher: &dyn RevocationFetcher,
        url: &str,
        cert: &Certificate,
        issuer: &Certificate,
    ) -> std::result::Result<Vec<u8>, String> {
        let key = (url.to_string(), cert.fingerprint_sha256());
        if let Some(hit) = self.lock().ocsp.get(&key) {
            return hit.clone();
        }
        let fetched = (|| -> Result<Vec<u8>> {
            let mut nonce = vec![0u8; 16];
            getrandom::fill(&mut nonce)
                .map_err(|e| Error::Ocsp(format!("no random nonce: {e}")))?;
            let request = OcspRequest::new(cert, issuer, Some(nonce.clone()))?;
            let der = fetcher.fetch_ocsp(url, &request.to_der()?)?;
            // A fresh answer must echo the nonce (RFC 8954 allows responders not to; a
            // pre-produced response without it is still checked for freshness).
            match ocsp::read_response(&der, cert, issuer, Some(&nonce)) {
                Err(Error::Ocsp(m)) if m.contains("nonce") => {
                    let status = ocsp::read_response(&der, cert, issuer, None)?;
                    status.check_current(SystemTime::now())?;
                }
                other => {
                    other?;
                }
            }
            Ok(der)
        })()
        .map_err(|e| e.to_string());
        self.lock().ocsp.insert(key, fetched.clone());
        fetched
    }

    fn fetch_crl(
        &self,
        fetcher: &dyn RevocationFetcher,
        url: &str,
    ) -> std::result::Result<Vec<u8>, String> {
        if let Some(hit) = self.lock().crls.get(url) {
            return hit.clone();
        }
        let fetched = fetcher.fetch_crl(url).map_err(|e| e.to_string());
        self.lock().crls.insert(url.to_string(), fetched.clone());
        fetched
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        // A panic while the lock was held left only a cache behind: keep using it.
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What the evidence seen so far says of one certificate.
#[derive(Default)]
struct Judgement {
    revoked: Option<(Status, Vec<u8>)>,
    good_ocsp: Option<(Status, Vec<u8>)>,
    good_crl: Option<(Status, Vec<u8>)>,
}

impl Judgement {
    fn ocsp(
        &mut self,
        der: &[u8],
        cert: &Certificate,
        issuer: &Certificate,
        time: CheckTime,
        problems: &mut Vec<String>,
    ) {
        let status = match ocsp::read_response(der, cert, issuer, None) {
            Ok(s) => s,
            Err(Error::Ocsp(m)) if m == ocsp::NOT_FOR_THIS_CERTIFICATE => return,
            Err(e) => {
                problems.push(format!("an OCSP response does not hold: {e}"));
                return;
            }
        };
        let current = status.check_current(time.now).is_ok();
        match status.status {
            CertStatus::Revoked { time: at, reason } => {
                self.revoked(Source::Ocsp, at, reason, current, der, problems)
            }
            CertStatus::Good => self.good(
                Source::Ocsp,
                status.this_update,
                status.next_update,
                time,
                der,
                problems,
            ),
            CertStatus::Unknown => {
                problems.push("the OCSP responder does not know the certificate".into())
            }
        }
    }

    fn crl(
        &mut self,
        der: &[u8],
        cert: &Certificate,
        issuer: &Certificate,
        time: CheckTime,
        problems: &mut Vec<String>,
    ) {
        let list = match crl::read_crl_if_issued_by(der, issuer) {
            None => return,
            Some(Ok(l)) => l,
            Some(Err(e)) => {
                problems.push(format!("a CRL does not hold: {e}"));
                return;
            }
        };
        let current = list.check_current(time.now).is_ok();
        match list.revocation(cert) {
            Err(e) => problems.push(format!("a CRL cannot be read for the certificate: {e}")),
            Ok(Some(r)) => self.revoked(Source::Crl, r.time, r.reason, current, der, problems),
            Ok(None) => self.good(
                Source::Crl,
                list.this_update,
                list.next_update,
                time,
                der,
                problems,
            ),
        }
    }

    /// A good status from `source`, kept (the first of its kind) when fresh for `time`.
    fn good(
        &mut self,
        source: Source,
        this_update: SystemTime,
        next_update: Option<SystemTime>,
        time: CheckTime,
        der: &[u8],
        problems: &mut Vec<String>,
    ) {
        match time.fresh(this_update, next_update) {
            Ok(()) => {
                let slot = match source {
                    Source::Ocsp => &mut self.good_ocsp,
                    Source::Crl => &mut self.good_crl,
                };
                slot.get_or_insert((
                    Status::Good {
                        source,
                        this_update,
                    },
                    der.to_vec(),
                ));
            }
            Err(m) => problems.push(format!("{} is not fresh: {m}", source.one())),
        }
    }

    /// Keeps the earliest revocation seen. A certificateHold counts only from evidence still
    /// current (a suspension may have been lifted since).
    fn revoked(
        &mut self,
        source: Source,
        at: SystemTime,
        reason: Option<u8>,
        current: bool,
        der: &[u8],
        problems: &mut Vec<String>,
    ) {
        if reason == Some(REASON_CERTIFICATE_HOLD) && !current {
            problems.push(format!(
                "{} put the certificate on hold, and is no longer current",
                source.one()
            ));
            return;
        }
        let earlier = match &self.revoked {
            Some((Status::Revoked { time: old, .. }, ..)) => at < *old,
            _ => true,
        };
        if earlier {
            let status = Status::Revoked {
                source,
                time: at,
                reason,
            };
            self.revoked = Some((status, der.to_vec()));
        }
    }

    fn decide(&self, prefer: Preference) -> Option<(Status, RevocationEvidence)> {
        let (first, second) = match prefer {
            Preference::Ocsp => (&self.good_ocsp, &self.good_crl),
            Preference::Crl => (&self.good_crl, &self.good_ocsp),
        };
        let (status, der) = self
            .revoked
            .as_ref()
            .or(first.as_ref())
            .or(second.as_ref())?;
        let source = match status {
            Status::Good { source, .. } | Status::Revoked { source, .. } => *source,
            _ => return None,
        };
        Some((status.clone(), source.evidence(der)))
    }
}

/// Whether `cert` has a cRLDistributionPoints extension, whatever it names.
fn names_crl_location(cert: &Certificate) -> bool {
    const ID_CE_CRL_DISTRIBUTION_POINTS: const_oid::ObjectIdentifier =
        const_oid::ObjectIdentifier::new_unwrap("2.5.29.31");
    cert.inner()
        .tbs_certificate()
        .extensions()
        .is_some_and(|e| e.iter().any(|x| x.extn_id == ID_CE_CRL_DISTRIBUTION_POINTS))
}

fn is_http(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

/// Whether evidence with `this_update` and `next_update` is current at `time`, within
/// [`CLOCK_SKEW`]; the message names `what` (response, CRL) and the problem.
pub(crate) fn check_current(
    what: &str,
    this_update: SystemTime,
    next_update: Option<SystemTime>,
    time: SystemTime,
) -> std::result::Result<(), String> {
    if this_update > time + CLOCK_SKEW {
        return Err(format!("the {what}'s thisUpdate is in the future"));
    }
    match next_update {
        Some(next) if next + CLOCK_SKEW < time => {
            Err(format!("the {what} is stale: nextUpdate has passed"))
        }
        None if this_update + MAX_AGE_WITHOUT_NEXT_UPDATE < time => Err(format!(
            "the {what} has no nextUpdate and is more than a day old"
        )),
        _ => Ok(()),
    }
}
