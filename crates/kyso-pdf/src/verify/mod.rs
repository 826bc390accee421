//! PDF signature validation (ISO 32000-2 §12.8, ETSI EN 319 142-1, in the spirit of ETSI EN
//! 319 102-1): for each signature, locate → check the ByteRange → check the CMS over the
//! signed bytes → check trust → analyse what changed after signing → report.
//!
//! A wrong VALID is the worst outcome for a portal, so every step fails closed: anything kyso
//! cannot relate to a rule (an odd ByteRange, an object changed in a way no rule allows, a
//! signature dictionary no field reaches) makes the verdict INVALID or INDETERMINATE, with the
//! reason.
//!
//! ```no_run
//! use kyso_pdf::verify::{ValidationOptions, validate_file};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let anchors = kyso_cert::Certificate::all_from_der_or_pem(&std::fs::read("root.pem")?)?;
//! let report = validate_file("signed.pdf".as_ref(), &ValidationOptions::new(anchors))?;
//! println!("{}", kyso_pdf::verify::render_text(&report, kyso_pdf::verify::Lang::Vi));
//! # Ok(()) }
//! ```

pub(crate) mod coverage;
pub mod diff;
pub(crate) mod locate;
mod ltv;
mod report;
mod trust;

use std::path::Path;
use std::time::SystemTime;

use kyso_cert::{Certificate, SignatureScheme};
use kyso_cms::verify::SignedDataInfo;

use crate::Result;
use crate::object::Object;
use crate::reader::{PdfReader, Prefix, Source};

pub use crate::date::rfc3339;
pub(crate) use coverage::for_each_range_chunk;
pub use diff::{Change, ChangeKind, FieldLock, ModificationLevel, Permissions};
pub use locate::MAX_BYTE_RANGE_OCCURRENCES;
pub use report::{
    Coverage, Lang, REPORT_SCHEMA_VERSION, Reason, ReasonCode, SignatureReport, SignerSummary,
    TimestampReport, ValidationReport, Verdict, render_text,
};

/// What to validate against.
#[derive(Clone, Debug)]
pub struct ValidationOptions {
    /// Trust anchors (root CAs). With none, no signature can be VALID: at best INDETERMINATE.
    pub trust_anchors: Vec<Certificate>,
    /// Extra intermediate CA certificates to build paths with.
    pub intermediates: Vec<Certificate>,
    /// Validation time; `None`: now.
    pub time: Option<SystemTime>,
    /// Which algorithms and key sizes can make a signature VALID.
    pub crypto: CryptoPolicy,
    /// The password of an encrypted document (user or owner); `None` tries the empty user
    /// password, which opens most encrypted documents.
    pub password: Option<Password>,
    /// The most a later change may do for a signature to stay VALID, on top of what the
    /// document's own permissions (DocMDP, FieldMDP) allow: a portal that accepts no change
    /// after signing sets [`ModificationLevel::None`]. `None`: what the permissions allow.
    pub max_changes: Option<ModificationLevel>,
    /// How revocation is checked: which certificates need evidence (default: those that name
    /// an OCSP responder or a CRL distribution point), which evidence first, and whether
    /// missing evidence may be fetched (default: no, offline — only the file's DSS counts).
    pub revocation: kyso_cert::revocation::RevocationPolicy,
    /// What fetches missing evidence when [`revocation`](Self::revocation) allows it
    /// (kyso-token's `HttpRevocationFetcher`).
    pub fetcher: Option<std::sync::Arc<dyn kyso_cert::revocation::RevocationFetcher>>,
}

impl ValidationOptions {
    /// Options trusting `anchors`, validating now, with the default [`CryptoPolicy`].
    pub fn new(anchors: Vec<Certificate>) -> Self {
        Self {
            trust_anchors: anchors,
            intermediates: Vec::new(),
            time: None,
            crypto: CryptoPolicy::default(),
            password: None,
            max_changes: None,
            revocation: kyso_cert::revocation::RevocationPolicy::default(),
            fetcher: None,
        }
    }
}

/// A document password: kept out of `Debug` output and wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(zeroize::Zeroizing<Vec<u8>>);

impl Password {
    /// A password from its bytes (UTF-8 for AES-256 documents, PDFDocEncoding or Latin-1
    /// for older ones).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(zeroize::Zeroizing::new(bytes.into()))
    }

    fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

/// Cryptographic constraints (ETSI EN 319 102-1 §5.2.8): which algorithms and key sizes a
/// signature may use to be VALID. A signature that holds but fails them is INDETERMINATE
/// (`CRYPTO_CONSTRAINTS`), never VALID and never INVALID for weakness alone: the signer may
/// have signed honestly with what was acceptable then, and only a proof of existence from
/// that time (a timestamp) could show it.
///
/// The default follows ETSI TS 119 312 for new signatures: no SHA-1 (as digest, signature
/// hash, or the `adbe.pkcs7.sha1` SubFilter, which signs a SHA-1 digest of the document),
/// and RSA moduli of at least 2048 bits. ECDSA is accepted on P-256 and P-384, the curves
/// kyso verifies.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CryptoPolicy {
    /// Accept SHA-1 (default `false`).
    pub accept_sha1: bool,
    /// Smallest RSA modulus accepted, in bits (default 2048).
    pub min_rsa_bits: u32,
}

impl Default for CryptoPolicy {
    fn default() -> Self {
        Self {
            accept_sha1: false,
            min_rsa_bits: 2048,
        }
    }
}

impl CryptoPolicy {
    /// Accepts SHA-1 (or not).
    pub fn accept_sha1(mut self, accept: bool) -> Self {
        self.accept_sha1 = accept;
        self
    }

    /// Sets the smallest RSA modulus accepted.
    pub fn min_rsa_bits(mut self, bits: u32) -> Self {
        self.min_rsa_bits = bits;
        self
    }

    /// What in a verified signature breaks the policy, as messages; empty when it holds.
    fn violations(
        &self,
        sub_filter: Option<&str>,
        verified: &kyso_cms::verify::VerifiedSignature,
    ) -> Vec<String> {
        use kyso_cms::DigestAlgorithm;
        let mut out = Vec::new();
        if !self.accept_sha1 {
            if sub_filter == Some("adbe.pkcs7.sha1") {
                out.push("adbe.pkcs7.sha1 signs a SHA-1 digest of the document".to_string());
            }
            if verified.digest_algorithm == DigestAlgorithm::Sha1 {
                out.push("the digest algorithm is SHA-1".into());
            }
            if verified.signature_algorithm.digest() == DigestAlgorithm::Sha1 {
                out.push("the signature algorithm hashes with SHA-1".into());
            }
        }
        match kyso_cert::key_type(&verified.signer) {
            Ok(kyso_cert::KeyType::Rsa { modulus_bits, .. })
                if modulus_bits < self.min_rsa_bits =>
            {
                out.push(format!(
                    "the signer's RSA key has {modulus_bits} bits, fewer than the {} required",
                    self.min_rsa_bits
                ));
            }
            Ok(_) => {}
            Err(e) => out.push(format!("the signer's public key cannot be judged: {e}")),
        }
        out
    }
}

/// Validates every signature of the PDF at `path`.
pub fn validate_file(path: &Path, options: &ValidationOptions) -> Result<ValidationReport> {
    let file = crate::reader::InputFile::open(path)?;
    validate(&file, options)
}

/// Validates every signature of the PDF `source` holds.
pub fn validate<S: Source>(source: &S, options: &ValidationOptions) -> Result<ValidationReport> {
    let reader = open(source, options)?;
    // The whole-file scan (revision ends, stray /ByteRange keys) runs on a second thread
    // while this one hashes what the signatures cover: the two passes over a large file
    // overlap instead of adding up.
    let (located, digests, revision_ends) = std::thread::scope(|s| {
        let scan = s.spawn(|| reader.revision_ends());
        let located = locate::locate_fields(&reader);
        let digests = match &located {
            Ok(l) => coverage::digests_ahead(&reader, &l.signatures),
            Err(_) => Vec::new(),
        };
        let ends = scan
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (located, digests, ends)
    });
    let mut located = located?;
    let revision_ends = revision_ends?;
    located.unreachable = locate::unreachable_signature_dictionaries(&reader, &located.signatures)?;
    let certification = certification(&reader)?;
    let mut doc_reasons = Vec::new();
    let doc_warnings = Vec::new();
    let byte_ranges = reader.byte_range_offsets()?.len();
    if byte_ranges >= locate::MAX_BYTE_RANGE_OCCURRENCES {
        doc_reasons.push(reason(
            ReasonCode::UnreachableSignatureDictionary,
            format!(
                "the file holds more than {} /ByteRange keys: not all could be examined",
                locate::MAX_BYTE_RANGE_OCCURRENCES
            ),
        ));
    }
    for r in &located.unreachable {
        doc_reasons.push(Reason {
            code: ReasonCode::UnreachableSignatureDictionary,
            message: format!(
                "object {r} looks like a signature dictionary but no signature field uses it"
            ),
            change: None,
        });
    }
    let store = trust::store(options);
    let mut ctx = ltv::Context::new(
        &store,
        crate::dss::read(&reader)?,
        &options.revocation,
        options.fetcher.clone(),
    );
    // Document time-stamps first: they give the earlier signatures their proof of existence.
    let is_stamp = |s: &locate::LocatedSignature| {
        s.sig
            .get("SubFilter")
            .is_some_and(|f| f.is_name("ETSI.RFC3161"))
    };
    let n = located.signatures.len();
    let order: Vec<usize> = (0..n)
        .filter(|&i| is_stamp(&located.signatures[i]))
        .chain((0..n).filter(|&i| !is_stamp(&located.signatures[i])))
        .collect();
    let mut reports: Vec<Option<SignatureReport>> = vec![None; n];
    for i in order {
        let sig = &located.signatures[i];
        let ahead = digests.get(i).and_then(Option::as_ref);
        let mut report = validate_one(
            &reader,
            sig,
            ahead,
            &revision_ends,
            certification,
            &mut ctx,
            options,
        )?;
        if let Some((_, fields)) = located.shared.iter().find(|(r, _)| *r == sig.sig_ref) {
            report.reasons.push(reason(
                ReasonCode::SharedSignatureDictionary,
                format!(
                    "signature dictionary {} is shared by fields {}",
                    sig.sig_ref,
                    fields.join(", ")
                ),
            ));
            report.verdict = Verdict::Invalid;
        }
        reports[i] = Some(report);
    }
    let reports = reports.into_iter().flatten().collect();
    Ok(ValidationReport::new(reports, doc_reasons, doc_warnings))
}

/// Opens `source`, unlocking it with the options' password when it is encrypted.
fn open<S: Source>(source: S, options: &ValidationOptions) -> Result<PdfReader<S>> {
    let mut reader = PdfReader::new(source)?;
    if reader.is_encrypted() {
        let password = options
            .password
            .as_ref()
            .map(Password::bytes)
            .unwrap_or_default();
        reader.unlock(password)?;
    }
    Ok(reader)
}

/// The certification signature's object and its DocMDP /P (ISO 32000-2 §12.8.2.2), if any.
fn certification<S: Source>(reader: &PdfReader<S>) -> Result<Option<(crate::ObjRef, u8)>> {
    Ok(crate::certification::certification(reader)?.and_then(|c| {
        let p = c.permission().clamp(1, 3) as u8;
        c.signature.map(|sig| (sig, p))
    }))
}

/// The fields this signature locks: its field's /Lock and the FieldMDP transforms in its
/// /Reference (ISO 32000-2 §12.8.2.4).
fn field_lock<S: Source>(reader: &PdfReader<S>, sig: &locate::LocatedSignature) -> FieldLock {
    let mut lock = sig
        .lock
        .as_ref()
        .map(FieldLock::from_dict)
        .unwrap_or_default();
    let refs = sig
        .sig
        .get("Reference")
        .and_then(|r| reader.deref(r).ok())
        .and_then(|r| r.as_array().map(<[Object]>::to_vec))
        .unwrap_or_default();
    for item in refs {
        let Ok(Object::Dict(d)) = reader.deref(&item) else {
            continue;
        };
        if !d
            .get("TransformMethod")
            .is_some_and(|m| m.is_name("FieldMDP"))
        {
            continue;
        }
        if let Some(Ok(Object::Dict(params))) = d.get("TransformParams").map(|p| reader.deref(p)) {
            lock = lock.union(FieldLock::from_dict(&params));
        }
    }
    lock
}

fn reason(code: ReasonCode, message: impl Into<String>) -> Reason {
    Reason {
        code,
        message: message.into(),
        change: None,
    }
}

fn validate_one<S: Source>(
    reader: &PdfReader<&S>,
    sig: &locate::LocatedSignature,
    ahead: Option<&coverage::DigestAhead>,
    revision_ends: &[u64],
    certification: Option<(crate::ObjRef, u8)>,
    ctx: &mut ltv::Context<'_>,
    options: &ValidationOptions,
) -> Result<SignatureReport> {
    let store = ctx.store;
    let sub_filter = sig
        .sig
        .get("SubFilter")
        .and_then(Object::as_name)
        .map(|n| String::from_utf8_lossy(n).into_owned());
    let mut report = SignatureReport {
        field: sig.field.clone(),
        verdict: Verdict::Invalid,
        reasons: Vec::new(),
        integrity_ok: false,
        coverage: Coverage::Unclear,
        trusted: false,
        trust_anchor: None,
        signer: None,
        signing_time: sig
            .sig
            .get("M")
            .and_then(Object::as_string_bytes)
            .and_then(|m| crate::date::parse_pdf_date(&String::from_utf8_lossy(m))),
        level: None,
        timestamp: None,
        proven_time: None,
        revocation: Vec::new(),
        sub_filter: sub_filter.clone(),
        digest_algorithm: None,
        digest_algorithm_oid: None,
        signature_algorithm: None,
        signature_algorithm_oid: None,
        byte_range: coverage::read_entries(&sig.sig).ok().map(|(br, _)| br),
        revision: None,
        certification: certification
            .filter(|(r, _)| *r == sig.sig_ref)
            .map(|(_, p)| p),
        modification_level: ModificationLevel::None,
        changes: Vec::new(),
        warnings: Vec::new(),
    };

    // 1. ByteRange and /Contents.
    let range = match coverage::check(reader, sig, revision_ends)? {
        Ok(range) => range,
        Err(r) => {
            report.reasons.push(r);
            return Ok(report);
        }
    };
    report.revision = Some(range.revision);

    // 2. What changed after the signed revision.
    report.coverage = if range.whole_file {
        Coverage::WholeFile
    } else {
        let old = open(Prefix::new(*reader.source(), range.covered_end), options)?;
        let docmdp = certification.map(|(_, p)| p);
        let permissions = Permissions {
            docmdp,
            locked: field_lock(reader, sig),
        };
        let outcome = diff::analyse(&old, reader, range.covered_end, permissions)?;
        report.modification_level = outcome.level;
        let beyond_policy = options.max_changes.is_some_and(|max| outcome.level > max);
        if let Some(max) = options.max_changes
            && beyond_policy
        {
            report.reasons.push(reason(
                ReasonCode::ModifiedAfterSigning,
                format!(
                    "the changes after signing reach {}, beyond the {} this validation accepts",
                    outcome.level.describe(),
                    max.describe()
                ),
            ));
        }
        report.changes = outcome.changes;
        report.warnings.extend(outcome.warnings);
        for u in &outcome.unaccounted {
            report
                .reasons
                .push(reason(ReasonCode::UnaccountedBytes, u.clone()));
        }
        if outcome.violations.is_empty() && outcome.unaccounted.is_empty() && !beyond_policy {
            Coverage::RevisionPlusAllowedChanges
        } else {
            for v in outcome.violations {
                let code = if docmdp.is_some() {
                    ReasonCode::PermissionsViolated
                } else {
                    ReasonCode::ModifiedAfterSigning
                };
                report.reasons.push(Reason {
                    code,
                    message: v.message,
                    change: Some(v.change),
                });
            }
            Coverage::Modified
        }
    };

    // 3. The CMS over the signed bytes.
    match sub_filter.as_deref() {
        Some("ETSI.RFC3161") => {
            document_timestamp(&mut report, reader, &range, ctx, options)?;
            report.verdict = verdict(&report);
            return Ok(report);
        }
        Some("adbe.x509.rsa_sha1") => {
            report.reasons.push(reason(
                ReasonCode::UnsupportedAlgorithm,
                "adbe.x509.rsa_sha1 (a bare PKCS#1 signature, deprecated since ISO 32000-2) is not verified",
            ));
            report.verdict = verdict(&report);
            return Ok(report);
        }
        _ => {}
    }
    // Read SHA-1 too, so that a SHA-1 signature is judged by the crypto policy (INDETERMINATE)
    // rather than refused as unreadable.
    let cms_options = kyso_cms::verify::VerifyOptions::new().allow_sha1(true);
    let info = match SignedDataInfo::parse_with(&range.cms, cms_options.clone()) {
        Ok(info) => info,
        Err(kyso_cms::Error::SignerCount { count }) if count > 1 => {
            // ISO 32000-2 §12.8.3.3.1 and PAdES allow one SignerInfo: kyso does not pick one.
            // Each is judged and named, so the reader sees who signed what.
            report.reasons.push(reason(
                ReasonCode::MultipleSigners,
                format!("the CMS holds {count} SignerInfos; a PDF signature has exactly one"),
            ));
            let infos =
                SignedDataInfo::parse_all_with(&range.cms, cms_options).map_err(|e| cms_reason(&e));
            match infos {
                Ok(infos) => {
                    for (i, info) in infos.iter().enumerate() {
                        let mut hasher = info.digest_algorithm().hasher();
                        coverage::hash_ranges(reader.source(), &range.byte_range, &mut hasher)?;
                        let outcome = match info.verify(&hasher.finalize()) {
                            Ok(_) => "holds".to_string(),
                            Err(e) => format!("does not hold: {e}"),
                        };
                        report.warnings.push(format!(
                            "SignerInfo {} by {}: {outcome}",
                            i + 1,
                            info.signer_certificate().subject()
                        ));
                    }
                }
                Err(r) => report.reasons.push(r),
            }
            report.verdict = verdict(&report);
            return Ok(report);
        }
        Err(e) => {
            report.reasons.push(cms_reason(&e));
            report.verdict = verdict(&report);
            return Ok(report);
        }
    };
    report.signer = Some(signer_summary(info.signer_certificate()));
    let digest_algorithm = info.digest_algorithm();
    report.digest_algorithm = Some(digest_algorithm.id().to_string());
    report.digest_algorithm_oid = Some(digest_algorithm.oid().to_string());
    report.signature_algorithm = Some(scheme_id(
        info.signature_scheme(),
        info.signer_certificate(),
    ));
    report.signature_algorithm_oid = Some(info.signature_algorithm_identifier().oid.to_string());
    let content_digest = if sub_filter.as_deref() == Some("adbe.pkcs7.sha1") {
        // The signed content is the SHA-1 digest of the byte ranges, encapsulated
        // (ISO 32000-1 §12.8.3.3.1).
        let mut sha1 = kyso_cms::DigestAlgorithm::Sha1.hasher();
        coverage::hash_ranges(reader.source(), &range.byte_range, &mut sha1)?;
        let document_sha1 = sha1.finalize();
        match info.encapsulated_content() {
            Some(e) if e == document_sha1.as_slice() => digest_algorithm.digest(e),
            Some(_) => {
                report.reasons.push(reason(
                    ReasonCode::DigestMismatch,
                    "adbe.pkcs7.sha1: the encapsulated SHA-1 digest is not that of the signed bytes",
                ));
                report.verdict = verdict(&report);
                return Ok(report);
            }
            None => {
                report.reasons.push(reason(
                    ReasonCode::CmsMalformed,
                    "adbe.pkcs7.sha1 without encapsulated content (the document's SHA-1 digest)",
                ));
                report.verdict = verdict(&report);
                return Ok(report);
            }
        }
    } else {
        match ahead.filter(|a| a.algorithm == digest_algorithm && a.byte_range == range.byte_range)
        {
            Some(a) => a.digest.clone(),
            None => {
                let mut hasher = digest_algorithm.hasher();
                coverage::hash_ranges(reader.source(), &range.byte_range, &mut hasher)?;
                hasher.finalize()
            }
        }
    };
    let verified = match info.verify(&content_digest) {
        Ok(v) => v,
        Err(e) => {
            report.reasons.push(cms_reason(&e));
            report.verdict = verdict(&report);
            return Ok(report);
        }
    };
    report.integrity_ok = true;
    for w in &verified.warnings {
        report.warnings.push(w.to_string());
    }
    if sub_filter.as_deref() != Some("adbe.pkcs7.sha1")
        && let Some(e) = info.encapsulated_content()
    {
        // A detached signature signs the byte ranges; content inside the CMS is something
        // else a reader might show or trust (ISO 32000-2 §12.8.3.3).
        report.reasons.push(reason(
            ReasonCode::EncapsulatedContent,
            format!(
                "the CMS of a detached signature ({}) encapsulates {} bytes of content",
                sub_filter.as_deref().unwrap_or("no /SubFilter"),
                e.len()
            ),
        ));
    }
    if sub_filter.as_deref() == Some("ETSI.CAdES.detached") {
        // PAdES baseline (ETSI EN 319 142-1 §6.3): signed attributes with an ESS
        // signing-certificate(-v2) binding the signer's certificate. Without them the
        // signature may hold, but is not the form its /SubFilter claims (EN 319 102-1
        // FORMAT_FAILURE).
        use kyso_cms::verify::Warning;
        let missing = if verified.warnings.contains(&Warning::NoSignedAttributes) {
            Some("signed attributes")
        } else if verified
            .warnings
            .contains(&Warning::NoSigningCertificateAttribute)
        {
            Some("the ESS signing-certificate(-v2) attribute")
        } else {
            None
        };
        if let Some(what) = missing {
            report.reasons.push(reason(
                ReasonCode::FormatFailure,
                format!("ETSI.CAdES.detached (PAdES) requires {what}"),
            ));
        }
    }
    for v in options.crypto.violations(sub_filter.as_deref(), &verified) {
        report
            .reasons
            .push(reason(ReasonCode::CryptoConstraints, v));
    }
    if report.signing_time.is_none() {
        report.signing_time = verified.signing_time.map(crate::date::rfc3339);
    }
    // 4. Trust, the signature time-stamp, revocation.
    let time = options.time.unwrap_or_else(SystemTime::now);
    let covered_end = range.byte_range[2] + range.byte_range[3];
    let (timestamp, tsa_path) = match signature_timestamp(&info, store, time) {
        Some((r, path)) => (Some(r), path),
        None => (None, None),
    };
    report.timestamp = timestamp;
    if let Some(ts) = report
        .timestamp
        .as_ref()
        .filter(|t| !(t.valid && t.trusted))
    {
        report.warnings.push(format!(
            "the signature time-stamp is not counted: {}",
            ts.problem.as_deref().unwrap_or("it does not hold")
        ));
    }
    let proven = [
        tsa_path.as_ref().map(|(t, _)| *t),
        ctx.later_stamp(covered_end),
    ]
    .into_iter()
    .flatten()
    .min();
    report.proven_time = proven.map(crate::date::rfc3339);
    let check_time = kyso_cert::revocation::CheckTime {
        now: time,
        existence: proven,
    };

    let supplied = ctx.supplied(&verified.certificates);
    let path = match trust::check(&verified.signer, &supplied, store, time) {
        Ok(path) => Some(path),
        // Past signature validation (ETSI EN 319 102-1 §5.6.2.1): a certificate that has
        // expired since, for a signature a trusted time-stamp proves existed before, is judged
        // at the time-stamp's time.
        Err(r) if r.code == ReasonCode::CertificateExpired && proven.is_some() => {
            let at = proven.unwrap_or(time);
            match trust::check(&verified.signer, &supplied, store, at) {
                Ok(path) => {
                    report.warnings.push(format!(
                        "the signer's certificate is no longer valid ({}); it was at {}, when a                          time-stamp proves the signature existed",
                        r.message,
                        crate::date::rfc3339(at)
                    ));
                    Some(path)
                }
                Err(_) => {
                    report.reasons.push(r);
                    None
                }
            }
        }
        Err(r) => {
            report.reasons.push(r);
            None
        }
    };
    let mut long_term = false;
    let mut archived = false;
    if let Some(path) = &path {
        report.trusted = true;
        report.trust_anchor = Some(path.anchor.subject().to_string());
        let embedded = info.archived_revocation();
        let (revocation, in_file) = ctx.check(path, &embedded, check_time);
        ltv::judge_signer(&mut report, &revocation, check_time);
        report.revocation = ltv::entries(&revocation, in_file);
        // B-LT: the file's DSS settles the signer's path and the time-stamp's TSA path
        // (evidence in the CMS alone, Adobe's way, is not PAdES B-LT).
        let tsa_in_dss = tsa_path.as_ref().is_none_or(|(t, p)| {
            ctx.in_dss(
                p,
                kyso_cert::revocation::CheckTime {
                    now: time,
                    existence: Some(*t),
                },
            )
        });
        // With nothing in the CMS, the check above was of the DSS alone.
        let signer_in_dss = if embedded.is_empty() {
            in_file
        } else {
            ctx.in_dss(path, check_time)
        };
        long_term = proven.is_some() && !ctx.dss.is_empty() && signer_in_dss && tsa_in_dss;
        archived = long_term && ctx.archived(covered_end, path, check_time);
    }
    report.level = level(sub_filter.as_deref(), proven.is_some(), long_term, archived);

    report.verdict = verdict(&report);
    Ok(report)
}

/// INVALID when anything is proven wrong; INDETERMINATE when what is missing is only trust,
/// an acceptable algorithm (crypto constraints) or support for the algorithm; VALID
/// otherwise.
fn verdict(report: &SignatureReport) -> Verdict {
    if report.coverage == Coverage::Modified || report.coverage == Coverage::Unclear {
        return Verdict::Invalid;
    }
    if report.reasons.iter().any(|r| !r.code.is_indeterminate()) {
        return Verdict::Invalid;
    }
    if !report.integrity_ok {
        // Only an algorithm kyso does not verify can leave integrity open.
        let unsupported = report
            .reasons
            .iter()
            .any(|r| r.code == ReasonCode::UnsupportedAlgorithm);
        return if unsupported {
            Verdict::Indeterminate
        } else {
            Verdict::Invalid
        };
    }
    if !report.trusted || !report.reasons.is_empty() {
        Verdict::Indeterminate
    } else {
        Verdict::Valid
    }
}

/// The report's name of a signature scheme: [`SignatureScheme::id_for`] the signer's key, with
/// the curve for ECDSA (`ecdsa-p256-sha256`).
fn scheme_id(scheme: SignatureScheme, signer: &Certificate) -> String {
    match kyso_cert::key_type(signer) {
        Ok(key) => scheme.id_for(&key),
        Err(_) => scheme.id(),
    }
}

/// The PAdES level: B-T needs a proof of existence that holds (a valid and trusted signature
/// time-stamp, or document time-stamp after the signature; one copied from another
/// signature, or from an untrusted TSA, leaves B-B); B-LT the validation data in the file;
/// B-LTA a document time-stamp over it.
fn level(
    sub_filter: Option<&str>,
    proven: bool,
    long_term: bool,
    archived: bool,
) -> Option<String> {
    if sub_filter != Some("ETSI.CAdES.detached") {
        return None;
    }
    let level = match (proven, long_term, archived) {
        (true, true, true) => "B-LTA",
        (true, true, false) => "B-LT",
        (true, false, _) => "B-T",
        (false, ..) => "B-B",
    };
    Some(level.to_string())
}

/// Validates the first signature time-stamp token of `info` (ETSI EN 319 102-1 §5.4): the
/// token's imprint is the hash of this signature's value (not another's), the TSA's signature
/// holds, its certificate is a TSA's and has a path to a trust anchor at `time`.
/// Also returns genTime and the TSA's path when the time-stamp holds and its TSA is trusted:
/// the time the signature is proven to have existed at.
fn signature_timestamp(
    info: &kyso_cms::verify::SignedDataInfo,
    store: &kyso_cert::TrustStore,
    time: SystemTime,
) -> Option<(
    TimestampReport,
    Option<(SystemTime, kyso_cert::ValidatedPath)>,
)> {
    let tokens = info.timestamp_tokens();
    let der = tokens.first()?;
    let token = match kyso_cms::tsp::TimeStampToken::from_der(der) {
        Ok(t) => t,
        Err(e) => return Some((broken_timestamp(e.to_string()), None)),
    };
    let verified = match token.verify_data(info.signature()) {
        Ok(v) => v,
        Err(e) => return Some((broken_timestamp(e.to_string()), None)),
    };
    let (report, path) = verified_timestamp(&verified, store, time);
    Some((report, path.ok().map(|p| (verified.gen_time, p))))
}

/// The report of a time-stamp whose token verified, and its TSA's path to a trust anchor at
/// `time` (with the timeStamping purpose).
fn verified_timestamp(
    info: &kyso_cms::tsp::TimestampInfo,
    store: &kyso_cert::TrustStore,
    time: SystemTime,
) -> (
    TimestampReport,
    std::result::Result<kyso_cert::ValidatedPath, kyso_cert::Error>,
) {
    let policy = kyso_cert::ValidationPolicy::timestamping(time);
    let path = kyso_cert::validate_path(&info.tsa, &info.certificates, store, &policy);
    let report = TimestampReport {
        time: crate::date::rfc3339(info.gen_time),
        tsa: info.tsa.subject().to_string(),
        valid: true,
        trusted: path.is_ok(),
        problem: path
            .as_ref()
            .err()
            .map(|e| format!("the TSA's certificate is not trusted: {e}")),
    };
    (report, path)
}

/// A document time-stamp (/SubFilter ETSI.RFC3161, ETSI EN 319 142-1 §5.4, PAdES B-LTA): the
/// /Contents is an RFC 3161 token whose imprint is the hash of the byte ranges. Its TSA is
/// judged as a signer: the token's signature, the TSA certificate (timeStamping purpose) and
/// its path to a trust anchor.
fn document_timestamp<S: Source>(
    report: &mut SignatureReport,
    reader: &PdfReader<&S>,
    range: &coverage::CheckedRange,
    ctx: &mut ltv::Context<'_>,
    options: &ValidationOptions,
) -> Result<()> {
    let store = ctx.store;
    let token = match kyso_cms::tsp::TimeStampToken::from_der(&range.cms) {
        Ok(t) => t,
        Err(e) => {
            report.reasons.push(cms_reason(&e));
            return Ok(());
        }
    };
    let algorithm = match token.imprint_algorithm() {
        Ok(a) => a,
        Err(e) => {
            report.reasons.push(cms_reason(&e));
            return Ok(());
        }
    };
    if algorithm.is_legacy() {
        report.reasons.push(reason(
            ReasonCode::CryptoConstraints,
            "the document time-stamp's imprint is SHA-1",
        ));
        return Ok(());
    }
    let mut hasher = algorithm.hasher();
    coverage::hash_ranges(reader.source(), &range.byte_range, &mut hasher)?;
    let info = match token.verify_imprint(algorithm, &hasher.finalize()) {
        Ok(i) => i,
        Err(e) => {
            let code = match e {
                kyso_cms::Error::TimestampMismatch { .. } => ReasonCode::DigestMismatch,
                _ => cms_reason(&e).code,
            };
            report.reasons.push(reason(code, e.to_string()));
            return Ok(());
        }
    };
    report.integrity_ok = true;
    report.digest_algorithm = Some(algorithm.id().to_string());
    report.digest_algorithm_oid = Some(algorithm.oid().to_string());
    report.signer = Some(signer_summary(&info.tsa));
    report.signing_time = Some(crate::date::rfc3339(info.gen_time));
    let time = options.time.unwrap_or_else(SystemTime::now);
    let (timestamp, path) = verified_timestamp(&info, store, time);
    report.timestamp = Some(timestamp);
    match path {
        Ok(p) => {
            report.trusted = true;
            report.trust_anchor = Some(p.anchor.subject().to_string());
            // The TSA's revocation: shown, and fatal only for a revocation at or before
            // genTime (the last time-stamp's validation data comes with the next renewal).
            let at = kyso_cert::revocation::CheckTime {
                now: time,
                existence: Some(info.gen_time),
            };
            let (revocation, in_file) = ctx.check(&p, &Default::default(), at);
            report.revocation = ltv::entries(&revocation, in_file);
            if let Some(r) = revocation.revoked()
                && let kyso_cert::revocation::Status::Revoked { time: when, .. } = r.status
            {
                if when <= info.gen_time {
                    report.reasons.push(reason(
                        ReasonCode::CertificateRevoked,
                        format!(
                            "the TSA's certificate {} was revoked at {}, before the time-stamp",
                            r.certificate.subject(),
                            crate::date::rfc3339(when)
                        ),
                    ));
                } else {
                    report.warnings.push(format!(
                        "the TSA's certificate {} was revoked at {}, after the time-stamp",
                        r.certificate.subject(),
                        crate::date::rfc3339(when)
                    ));
                }
            }
            if report.reasons.is_empty() {
                let covered = open(Prefix::new(*reader.source(), range.covered_end), options)?;
                ctx.stamps.push(ltv::Stamp {
                    covered_end: range.covered_end,
                    time: info.gen_time,
                    evidence: crate::dss::read(&covered)?.revocation,
                });
            }
        }
        Err(e) => report.reasons.push(trust::path_reason(&e, store)),
    }
    Ok(())
}

fn broken_timestamp(problem: String) -> TimestampReport {
    TimestampReport {
        time: String::new(),
        tsa: String::new(),
        valid: false,
        trusted: false,
        problem: Some(problem),
    }
}

fn signer_summary(cert: &Certificate) -> SignerSummary {
    let subject = cert.subject();
    SignerSummary {
        name: subject.common_name.clone(),
        organisation: subject.organization.clone(),
        tax_code: subject.tax_code().map(str::to_string),
        citizen_id: subject.citizen_id().map(str::to_string),
        subject: subject.to_string(),
        issuer: cert.issuer().to_string(),
        serial: cert.serial_hex(),
    }
}

fn cms_reason(e: &kyso_cms::Error) -> Reason {
    use kyso_cms::Error as E;
    let code = match e {
        E::DigestMismatch { .. } => ReasonCode::DigestMismatch,
        E::BadSignature { .. } => ReasonCode::SignatureInvalid,
        E::SigningCertificateMismatch { .. } => ReasonCode::SigningCertificateMismatch,
        E::SignerCount { .. } => ReasonCode::MultipleSigners,
        E::UnsupportedAlgorithm(_) => ReasonCode::UnsupportedAlgorithm,
        E::Sha1NotAllowed { .. } => ReasonCode::CryptoConstraints,
        _ => ReasonCode::CmsMalformed,
    };
    reason(code, e.to_string())
}
