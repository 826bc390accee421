//! The validation report: one status per signature with every sub-result kept, in the spirit
//! of ETSI EN 319 102-1 (VALID / INDETERMINATE / INVALID with a reason). Nothing is decided
//! while rendering: [`crate::verify`] fills these types, [`render_text`] and `serde_json` only
//! show them. The JSON form is described by `schema/verify-report.schema.json`.

use std::fmt::Write as _;

use serde::Serialize;

/// Version of the JSON report layout; bumped on any incompatible change.
pub const REPORT_SCHEMA_VERSION: u32 = 2;

/// The overall judgement of one signature (ETSI EN 319 102-1 §5.1.3 main indications).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Integrity, coverage and trust all hold.
    Valid,
    /// Nothing is proven wrong, but something needed to decide is missing (e.g. no trust
    /// anchor for the chain, a missing intermediate).
    Indeterminate,
    /// Something is proven wrong: a broken signature, a modified document, a forged structure.
    Invalid,
}

/// What part of the file the signature protects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coverage {
    /// The signature covers the whole file.
    WholeFile,
    /// It covers an earlier revision; every later change is of an allowed kind (later
    /// signatures, DSS, document timestamps, form filling where permitted).
    RevisionPlusAllowedChanges,
    /// Signed content was changed after signing.
    Modified,
    /// The ByteRange is not one kyso can relate to a revision of the file.
    Unclear,
}

/// Why a signature is not VALID (or what to know about it): a stable code for programs and
/// a message for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// Stable machine-readable code.
    pub code: ReasonCode,
    /// What went wrong, with the object number or offset where it applies.
    pub message: String,
    /// For a change after signing that no rule permits: the change itself, which reports
    /// render in the reader's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<crate::verify::Change>,
}

/// Stable reason codes of the JSON report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum ReasonCode {
    /// The signature dictionary lacks a usable /Contents or /ByteRange (Universal Signature
    /// Forgery, Mladenov et al. CCS 2019).
    MalformedSignatureDictionary,
    /// The /ByteRange breaks ISO 32000-2 §12.8.1 or PAdES rules (not from 0, not two ranges,
    /// the gap is not exactly /Contents, out of the file).
    ByteRangeInvalid,
    /// The signed bytes end inside a revision, not at one of its ends.
    CoverageUnclear,
    /// Signed content changed after signing.
    ModifiedAfterSigning,
    /// Bytes after the signed revision that no cross-reference section accounts for
    /// (Incremental Saving Attack variants).
    UnaccountedBytes,
    /// The CMS could not be parsed or has an unsupported structure.
    CmsMalformed,
    /// The digest of the signed bytes differs from the CMS message-digest.
    DigestMismatch,
    /// The cryptographic signature does not verify.
    SignatureInvalid,
    /// The ESS signing-certificate attribute does not match the signer certificate.
    SigningCertificateMismatch,
    /// More than one SignerInfo (PAdES allows exactly one).
    MultipleSigners,
    /// No path from the signer certificate to a trust anchor could be built.
    NoTrustAnchor,
    /// The certificate path is invalid (expired, revoked, wrong key usage, …).
    CertificatePathInvalid,
    /// The signer certificate has expired (or is not yet valid) at validation time.
    CertificateExpired,
    /// A /Type /Sig dictionary that no form field reaches.
    UnreachableSignatureDictionary,
    /// One signature dictionary shared by several fields.
    SharedSignatureDictionary,
    /// DocMDP or FieldMDP permissions were broken by a later change.
    PermissionsViolated,
    /// Non-zero bytes after the DER inside /Contents.
    ContentsPadding,
    /// The algorithm is not supported: the signature could not be checked.
    UnsupportedAlgorithm,
    /// The signature holds but uses an algorithm or key size the crypto policy does not
    /// accept (SHA-1, RSA below 2048 bits; ETSI EN 319 102-1 CRYPTO_CONSTRAINTS_FAILURE).
    CryptoConstraints,
    /// A detached signature's CMS encapsulates content (ISO 32000-2 §12.8.3.3).
    EncapsulatedContent,
    /// The signature does not have the form its /SubFilter requires: a PAdES signature
    /// (`ETSI.CAdES.detached`) without signed attributes or without the ESS
    /// signing-certificate(-v2) attribute (ETSI EN 319 142-1, EN 319 102-1 FORMAT_FAILURE).
    FormatFailure,
    /// A certificate of the signer's path was revoked before the signature is proven to have
    /// existed (or with no such proof): RFC 5280 §6.1.3 (a)(3), ETSI EN 319 102-1 REVOKED.
    CertificateRevoked,
    /// Revocation evidence is required for a certificate of the signer's path and none usable
    /// is in the file or could be fetched (EN 319 102-1 TRY_LATER / REVOCATION_NO_DATA).
    RevocationUnknown,
}

impl ReasonCode {
    /// What the code means, in Vietnamese, for the Vietnamese text report (the reason's
    /// message, with object numbers and offsets, follows it).
    pub fn vi(self) -> &'static str {
        match self {
            Self::MalformedSignatureDictionary => "Từ điển chữ ký không hợp lệ",
            Self::ByteRangeInvalid => "/ByteRange không hợp lệ",
            Self::CoverageUnclear => "Phần được ký không khớp với một phiên bản của tệp",
            Self::ModifiedAfterSigning => "Nội dung đã ký bị thay đổi sau khi ký",
            Self::UnaccountedBytes => "Dữ liệu sau khi ký không thuộc phiên bản nào",
            Self::CmsMalformed => "Cấu trúc CMS không đọc được",
            Self::DigestMismatch => "Giá trị băm không khớp",
            Self::SignatureInvalid => "Chữ ký số không đúng",
            Self::SigningCertificateMismatch => "Chứng thư ký không khớp thuộc tính ESS",
            Self::MultipleSigners => "Có nhiều SignerInfo",
            Self::NoTrustAnchor => "Không có đường dẫn tới CA tin cậy",
            Self::CertificatePathInvalid => "Đường dẫn chứng thư không hợp lệ",
            Self::CertificateExpired => "Chứng thư hết hạn hoặc chưa có hiệu lực",
            Self::UnreachableSignatureDictionary => "Từ điển chữ ký không thuộc trường nào",
            Self::SharedSignatureDictionary => "Một từ điển chữ ký dùng chung cho nhiều trường",
            Self::PermissionsViolated => "Vi phạm quyền sửa đổi (DocMDP/FieldMDP)",
            Self::ContentsPadding => "Phần đệm /Contents không phải số 0",
            Self::UnsupportedAlgorithm => "Thuật toán không được hỗ trợ",
            Self::CryptoConstraints => "Thuật toán hoặc độ dài khóa không còn được chấp nhận",
            Self::EncapsulatedContent => "Chữ ký tách rời nhưng CMS chứa nội dung",
            Self::FormatFailure => "Chữ ký không đúng định dạng /SubFilter yêu cầu",
            Self::CertificateRevoked => {
                "Chứng thư đã bị thu hồi trước thời điểm ký được chứng minh"
            }
            Self::RevocationUnknown => "Không có thông tin thu hồi chứng thư",
        }
    }

    /// Whether this reason leaves the verdict open (INDETERMINATE) rather than proving the
    /// signature wrong (INVALID).
    pub fn is_indeterminate(self) -> bool {
        matches!(
            self,
            Self::NoTrustAnchor
                | Self::CertificateExpired
                | Self::CryptoConstraints
                | Self::UnsupportedAlgorithm
                | Self::FormatFailure
                | Self::RevocationUnknown
        )
    }
}

/// Who signed, as read from the signer certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SignerSummary {
    /// Common name.
    pub name: Option<String>,
    /// Organisation.
    pub organisation: Option<String>,
    /// Vietnamese tax code (MST), if the certificate carries one.
    pub tax_code: Option<String>,
    /// Vietnamese citizen identity number (CCCD), if present.
    pub citizen_id: Option<String>,
    /// Subject, RFC 4514-style.
    pub subject: String,
    /// Issuer, RFC 4514-style.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
}

/// The status of one signature with every sub-result.
#[derive(Clone, Debug, Serialize)]
pub struct SignatureReport {
    /// Fully qualified field name.
    pub field: String,
    /// The judgement.
    pub verdict: Verdict,
    /// Why it is not VALID; empty for VALID.
    pub reasons: Vec<Reason>,
    /// The CMS signature and the digest over the signed bytes hold, whatever the trust.
    pub integrity_ok: bool,
    /// What the signature covers.
    pub coverage: Coverage,
    /// The signer's certificate chains to a trust anchor and the path is valid.
    pub trusted: bool,
    /// The anchor the path ends at, when trusted.
    pub trust_anchor: Option<String>,
    /// The signer.
    pub signer: Option<SignerSummary>,
    /// Claimed signing time (the /M entry or the CMS signing-time), RFC 3339, not proven.
    pub signing_time: Option<String>,
    /// PAdES baseline level reached: B-B, B-T, B-LT, B-LTA.
    pub level: Option<String>,
    /// The signature time-stamp (RFC 3161 token over this signature's value), when there is
    /// one: proven time, TSA, and whether it holds.
    pub timestamp: Option<TimestampReport>,
    /// The earliest time a trusted time-stamp proves the signature existed at (its own
    /// signature time-stamp, or a document time-stamp over a later revision), RFC 3339; `None`
    /// when nothing proves it. The best signature time of ETSI EN 319 102-1 §5.6.2.4.
    pub proven_time: Option<String>,
    /// The revocation status of each certificate of the signer's (or, for a document
    /// time-stamp, the TSA's) path, when the path validated.
    pub revocation: Vec<RevocationEntry>,
    /// /SubFilter.
    pub sub_filter: Option<String>,
    /// Digest algorithm, by its stable name (`sha256`).
    pub digest_algorithm: Option<String>,
    /// The digest algorithm's OID (`2.16.840.1.101.3.4.2.1`).
    pub digest_algorithm_oid: Option<String>,
    /// Signature algorithm, by its stable name (`rsa-pkcs1-sha256`, `rsa-pss-sha256`,
    /// `ecdsa-p256-sha256`).
    pub signature_algorithm: Option<String>,
    /// The OID of the `SignerInfo`'s `signatureAlgorithm` (`1.2.840.113549.1.1.11`).
    pub signature_algorithm_oid: Option<String>,
    /// The /ByteRange as read.
    pub byte_range: Option<[u64; 4]>,
    /// Index (0-based) of the revision the signature covers.
    pub revision: Option<usize>,
    /// How far the changes after the signed revision go (none, signature maintenance, form
    /// filling, annotations, other), whether or not they are permitted.
    pub modification_level: crate::verify::ModificationLevel,
    /// DocMDP permission (1, 2, 3) when this is a certification signature.
    pub certification: Option<u8>,
    /// What changed after this signature, one line per finding (allowed or not).
    pub changes: Vec<crate::verify::Change>,
    /// Things worth knowing that do not change the verdict.
    pub warnings: Vec<String>,
}

/// A signature time-stamp as validated: the time it proves (the signature existed then) and
/// the authority that says so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimestampReport {
    /// genTime, RFC 3339 (UTC).
    pub time: String,
    /// The TSA certificate's subject.
    pub tsa: String,
    /// The token is the TSA's signature over the hash of this signature's value.
    pub valid: bool,
    /// The TSA's certificate has a valid path to a trust anchor (with the timeStamping
    /// purpose).
    pub trusted: bool,
    /// Why it does not hold, when it does not.
    pub problem: Option<String>,
}

/// The revocation status of one certificate of a path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RevocationEntry {
    /// The certificate's subject.
    pub subject: String,
    /// `good`, `revoked`, `not-checked` (no responder or distribution point named, or the
    /// policy checks nothing) or `unknown` (required, and no usable evidence).
    pub status: &'static str,
    /// `ocsp` or `crl`, for good and revoked.
    pub source: Option<&'static str>,
    /// The evidence's thisUpdate (good) or the revocation time (revoked), RFC 3339.
    pub time: Option<String>,
    /// Whether the evidence came from the file (its DSS); `false` when fetched.
    pub in_file: bool,
    /// What was wrong, for unknown: each piece of evidence tried.
    pub problems: Vec<String>,
}

/// The report on a whole document.
#[derive(Clone, Debug, Serialize)]
pub struct ValidationReport {
    /// [`REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// VALID only when there is at least one signature and every one is VALID; otherwise the
    /// worst verdict.
    pub verdict: Verdict,
    /// Every signature found, in file order.
    pub signatures: Vec<SignatureReport>,
    /// Document-level problems (e.g. unreachable signature dictionaries).
    pub reasons: Vec<Reason>,
    /// Document-level notes.
    pub warnings: Vec<String>,
}

impl ValidationReport {
    /// Builds the report and its overall verdict.
    pub fn new(
        signatures: Vec<SignatureReport>,
        reasons: Vec<Reason>,
        warnings: Vec<String>,
    ) -> Self {
        let worst = signatures.iter().map(|s| s.verdict).max();
        let verdict = match (worst, reasons.is_empty()) {
            (None, _) => Verdict::Invalid,
            (Some(v), true) => v,
            (Some(_), false) => Verdict::Invalid,
        };
        Self {
            schema_version: REPORT_SCHEMA_VERSION,
            verdict,
            signatures,
            reasons,
            warnings,
        }
    }
}

/// Language of the text rendering.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Vietnamese.
    Vi,
}

struct Labels {
    document: &'static str,
    signature: &'static str,
    no_signatures: &'static str,
    signer: &'static str,
    organisation: &'static str,
    signing_time: &'static str,
    integrity: &'static str,
    coverage: &'static str,
    trust: &'static str,
    level: &'static str,
    timestamp: &'static str,
    proven_time: &'static str,
    revocation: &'static str,
    reasons: &'static str,
    changes: &'static str,
    warnings: &'static str,
    ok: &'static str,
    broken: &'static str,
    trusted: &'static str,
    untrusted: &'static str,
}

const EN: Labels = Labels {
    document: "Document",
    signature: "Signature",
    no_signatures: "no signatures found",
    signer: "Signer",
    organisation: "Organisation",
    signing_time: "Claimed signing time",
    integrity: "Integrity",
    coverage: "Coverage",
    trust: "Trust",
    level: "Level",
    timestamp: "Time-stamp (proven time)",
    proven_time: "Proven to exist at",
    revocation: "Revocation",
    reasons: "Reasons",
    changes: "Changes after signing",
    warnings: "Warnings",
    ok: "intact",
    broken: "BROKEN",
    trusted: "trusted",
    untrusted: "not trusted",
};

const VI: Labels = Labels {
    document: "Tài liệu",
    signature: "Chữ ký",
    no_signatures: "không tìm thấy chữ ký nào",
    signer: "Người ký",
    organisation: "Cơ quan",
    signing_time: "Thời điểm ký (tự khai)",
    integrity: "Toàn vẹn",
    coverage: "Phạm vi ký",
    trust: "Tin cậy",
    level: "Mức",
    timestamp: "Dấu thời gian (thời điểm được chứng thực)",
    proven_time: "Được chứng minh tồn tại lúc",
    revocation: "Tình trạng thu hồi",
    reasons: "Lý do",
    changes: "Thay đổi sau khi ký",
    warnings: "Cảnh báo",
    ok: "nguyên vẹn",
    broken: "BỊ HỎNG",
    trusted: "tin cậy",
    untrusted: "không tin cậy",
};

fn verdict_text(v: Verdict, lang: Lang) -> &'static str {
    match (v, lang) {
        (Verdict::Valid, Lang::En) => "VALID",
        (Verdict::Indeterminate, Lang::En) => "INDETERMINATE",
        (Verdict::Invalid, Lang::En) => "INVALID",
        (Verdict::Valid, Lang::Vi) => "HỢP LỆ",
        (Verdict::Indeterminate, Lang::Vi) => "CHƯA XÁC ĐỊNH",
        (Verdict::Invalid, Lang::Vi) => "KHÔNG HỢP LỆ",
    }
}

fn coverage_text(c: Coverage, lang: Lang) -> &'static str {
    match (c, lang) {
        (Coverage::WholeFile, Lang::En) => "the whole file",
        (Coverage::RevisionPlusAllowedChanges, Lang::En) => {
            "its revision; later changes are allowed ones"
        }
        (Coverage::Modified, Lang::En) => "MODIFIED after signing",
        (Coverage::Unclear, Lang::En) => "unclear",
        (Coverage::WholeFile, Lang::Vi) => "toàn bộ tệp",
        (Coverage::RevisionPlusAllowedChanges, Lang::Vi) => {
            "phiên bản đã ký; các thay đổi sau đều được phép"
        }
        (Coverage::Modified, Lang::Vi) => "ĐÃ BỊ SỬA sau khi ký",
        (Coverage::Unclear, Lang::Vi) => "không rõ",
    }
}

/// Renders the report as text for people.
pub fn render_text(report: &ValidationReport, lang: Lang) -> String {
    let l = match lang {
        Lang::En => &EN,
        Lang::Vi => &VI,
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {}",
        l.document,
        verdict_text(report.verdict, lang)
    );
    if report.signatures.is_empty() {
        let _ = writeln!(out, "  {}", l.no_signatures);
    }
    for r in &report.reasons {
        match lang {
            Lang::En => {
                let _ = writeln!(out, "  ! {}", r.message);
            }
            Lang::Vi => {
                let _ = writeln!(out, "  ! {}: {}", r.code.vi(), r.message);
            }
        }
    }
    for w in &report.warnings {
        let _ = writeln!(out, "  - {w}");
    }
    for (i, s) in report.signatures.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n{} {} \"{}\": {}",
            l.signature,
            i + 1,
            s.field,
            verdict_text(s.verdict, lang)
        );
        if let Some(signer) = &s.signer {
            let mut who = signer
                .name
                .clone()
                .unwrap_or_else(|| signer.subject.clone());
            for (label, v) in [("MST", &signer.tax_code), ("CCCD", &signer.citizen_id)] {
                if let Some(v) = v {
                    let _ = write!(who, ", {label} {v}");
                }
            }
            let _ = writeln!(out, "  {}: {who}", l.signer);
            if let Some(org) = &signer.organisation {
                let _ = writeln!(out, "  {}: {org}", l.organisation);
            }
        }
        if let Some(t) = &s.signing_time {
            let _ = writeln!(out, "  {}: {t}", l.signing_time);
        }
        let _ = writeln!(
            out,
            "  {}: {}",
            l.integrity,
            if s.integrity_ok { l.ok } else { l.broken }
        );
        let _ = writeln!(out, "  {}: {}", l.coverage, coverage_text(s.coverage, lang));
        let trust = match (&s.trust_anchor, s.trusted) {
            (Some(a), true) => format!("{} ({a})", l.trusted),
            _ => l.untrusted.to_string(),
        };
        let _ = writeln!(out, "  {}: {trust}", l.trust);
        if let Some(level) = &s.level {
            let _ = writeln!(out, "  {}: PAdES {level}", l.level);
        }
        if let Some(ts) = &s.timestamp {
            let state = match (ts.valid && ts.trusted, lang) {
                (true, Lang::En) => "valid".to_string(),
                (true, Lang::Vi) => "hợp lệ".to_string(),
                (false, _) => ts.problem.clone().unwrap_or_default(),
            };
            let _ = writeln!(out, "  {}: {} ({}; {state})", l.timestamp, ts.time, ts.tsa);
        }
        if let Some(t) = &s.proven_time {
            let _ = writeln!(out, "  {}: {t}", l.proven_time);
        }
        if !s.revocation.is_empty() {
            let _ = writeln!(out, "  {}:", l.revocation);
            for r in &s.revocation {
                let mut how: Vec<String> = r.source.iter().map(|s| s.to_string()).collect();
                how.extend(r.time.clone());
                if r.source.is_some() {
                    how.push(if r.in_file { "DSS" } else { "fetched" }.to_string());
                }
                let how = if how.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", how.join(", "))
                };
                let _ = writeln!(out, "    - {}: {}{how}", r.subject, r.status);
            }
        }
        if !s.reasons.is_empty() {
            let _ = writeln!(out, "  {}:", l.reasons);
            for r in &s.reasons {
                let text = match (&r.change, lang) {
                    (Some(c), Lang::Vi) => match s.certification {
                        Some(p) if r.code == ReasonCode::PermissionsViolated => {
                            format!("{} (chứng nhận DocMDP P={p} không cho phép)", c.text(lang))
                        }
                        _ => c.text(lang),
                    },
                    (None, Lang::Vi) => format!("{}: {}", r.code.vi(), r.message),
                    (_, Lang::En) => r.message.clone(),
                };
                let _ = writeln!(out, "    - {text}");
            }
        }
        if !s.changes.is_empty() {
            let _ = writeln!(out, "  {}:", l.changes);
            for c in &s.changes {
                let _ = writeln!(out, "    - {}", c.text(lang));
            }
        }
        if !s.warnings.is_empty() {
            let _ = writeln!(out, "  {}:", l.warnings);
            for w in &s.warnings {
                let _ = writeln!(out, "    - {w}");
            }
        }
    }
    out
}
