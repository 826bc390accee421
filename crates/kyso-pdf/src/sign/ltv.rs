//! Extending signed PDFs to a higher PAdES baseline level (ETSI EN 319 142-1 §6.3, §5.4):
//! files kyso signed and files signed by others, by incremental updates only, so every
//! earlier signature stays byte-for-byte.
//!
//! * **B-T**: each signature needs a proof of existence. A signature without a signature
//!   time-stamp gets one from a *document* time-stamp after it (EN 319 142-1 §6.3 allows
//!   either; rewriting an earlier signature's /Contents would not be an incremental update).
//! * **B-LT**: a DSS holding what validates every signature and time-stamp of the file — the
//!   certificates of each path to a trust anchor and fresh revocation evidence (OCSP or CRL)
//!   for each certificate that names where to get it — fetched by the caller's
//!   [`RevocationChecker`], with a /VRI entry per signature.
//! * **B-LTA**: B-LT, then a document time-stamp over everything: the archive time-stamp.
//!   Run again before that TSA's certificate expires, the same call adds the validation data
//!   of the last time-stamp and a new one over it (archive renewal).
//!
//! A signature whose evidence cannot be had (a responder down, a certificate revoked before
//! its proof of existence) stops the extension with an error naming it; nothing is written.

use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

use kyso_cert::revocation::{CheckTime, RevocationChecker, Status};
use kyso_cert::{Certificate, TrustStore, ValidationPolicy, validate_path};
use kyso_cms::tsp::TimestampAuthority;

use super::{PdfSigner, SignOptions, check_distinct, copy_plain, ends_with_eol, file_id};
use crate::dss::{self, ValidationData};
use crate::reader::{Appended, InputFile, PdfReader, Source};
use crate::update::IncrementalUpdate;
use crate::{Error, Result};

/// A PAdES baseline level a signed PDF is extended to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Level {
    /// Every signature has a proof of existence (a signature or document time-stamp).
    BT,
    /// B-T and the validation data of every signature and time-stamp in a DSS.
    BLt,
    /// B-LT and a document time-stamp over it.
    BLta,
}

impl Level {
    /// The level's name, "B-T", "B-LT" or "B-LTA".
    pub fn name(self) -> &'static str {
        match self {
            Level::BT => "B-T",
            Level::BLt => "B-LT",
            Level::BLta => "B-LTA",
        }
    }
}

/// What [`extend_file`] needs.
pub struct ExtendOptions<'a> {
    /// The level to reach.
    pub level: Level,
    /// The trust anchors (and extra intermediates) the paths are built to.
    pub trust: &'a TrustStore,
    /// Gets and checks revocation evidence (fetching should be on for B-LT and B-LTA).
    pub revocation: &'a RevocationChecker,
    /// The TSA for document time-stamps (B-T of an unstamped signature, B-LTA).
    pub tsa: Option<&'a dyn TimestampAuthority>,
    /// Signing options for the document time-stamps (only the capacity and the
    /// durability settings apply).
    pub sign: SignOptions,
}

/// What [`extend_file`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExtendOutcome {
    /// Signatures and time-stamps the validation data covers.
    pub signatures: usize,
    /// Certificates added to the DSS.
    pub certificates: usize,
    /// OCSP responses added.
    pub ocsp_responses: usize,
    /// CRLs added.
    pub crls: usize,
    /// Document time-stamps added.
    pub timestamps: usize,
}

/// One signature or time-stamp of the file, as extension sees it.
struct Signed {
    field: String,
    /// The /Contents bytes (the VRI key is their SHA-1).
    contents: Vec<u8>,
    /// Where its signed revision ends.
    covered_end: u64,
    /// A document time-stamp (not a CMS signature).
    document_timestamp: bool,
    /// The certificates to validate: the signer's (or TSA's), with what came with it, and
    /// the time it is proven to exist at, if any.
    chains: Vec<(Certificate, Vec<Certificate>, Option<SystemTime>)>,
}

/// Extends the signed PDF `input` to `options.level` into `output` (atomically; `input` is
/// not touched).
///
/// # Errors
///
/// [`Error::Extend`] naming the signature and the problem: no signature, a path to no trust
/// anchor, revocation evidence that cannot be had, a certificate revoked before the
/// signature's proof of existence, no TSA when one is needed; the time-stamp and I/O errors.
pub fn extend_file(
    input: &Path,
    output: &Path,
    options: &ExtendOptions<'_>,
) -> Result<ExtendOutcome> {
    check_distinct(input, output)?;
    let mut outcome = ExtendOutcome::default();
    let (mut reader, mut signed) = read_signed(input)?;
    if signed.iter().all(|s| s.document_timestamp) {
        return Err(Error::Extend {
            field: String::new(),
            problem: "the file has no signature to extend".into(),
        });
    }
    let timestamper = PdfSigner::new(options.sign.clone());
    // B-T first, for the signatures without a proof of existence: a document time-stamp, in a
    // file of its own that the later steps read.
    let mut stamped: Option<tempfile::TempPath> = None;
    if let Some(unproven) = signed
        .iter()
        .find(|s| !s.document_timestamp && !proven(s, &signed))
    {
        let Some(tsa) = options.tsa else {
            return Err(Error::Extend {
                field: unproven.field.clone(),
                problem: format!(
                    "has no time-stamp, and {} needs one: give a TSA",
                    options.level.name()
                ),
            });
        };
        let out = crate::output::temp_beside(output)?.into_temp_path();
        timestamper.timestamp_file(input, &out, tsa)?;
        outcome.timestamps += 1;
        (reader, signed) = read_signed(&out)?;
        stamped = Some(out);
    }

    if options.level >= Level::BLt {
        let existing = dss::read(&reader)?;
        let (data, vri) = gather(&signed, &existing, options)?;
        outcome.signatures = signed.len();
        let added = data.without(&existing);
        outcome.certificates = added.certificates.len();
        outcome.ocsp_responses = added.revocation.ocsp_responses.len();
        outcome.crls = added.revocation.crls.len();
        let tail = dss_update(&reader, &data, &vri)?;
        let mut tmp = crate::output::temp_beside(output)?;
        if options.level == Level::BLta {
            // The archive time-stamp over the document with its DSS, in the same pass over
            // the original: the DSS update is read from memory, not written first.
            let Some(tsa) = options.tsa else {
                return Err(Error::Extend {
                    field: String::new(),
                    problem: "B-LTA ends with a document time-stamp: give a TSA".into(),
                });
            };
            let with_dss = PdfReader::new(Appended::new(reader.source(), tail))?;
            timestamper.timestamp_into(&with_dss, &mut tmp, tsa)?;
            outcome.timestamps += 1;
        } else {
            copy_plain(reader.source(), tmp.as_file_mut())?;
            tmp.as_file_mut().write_all(&tail)?;
            if options.sign.sync_to_disk {
                tmp.as_file_mut().sync_all()?;
            }
        }
        tmp.persist(output).map_err(|e| Error::Io(e.error))?;
        return Ok(outcome);
    }

    match stamped {
        Some(file) => file.persist(output).map_err(|e| Error::Io(e.error))?,
        None => {
            // Already at the level: the output is a copy of the input.
            let mut tmp = crate::output::temp_beside(output)?;
            copy_plain(reader.source(), tmp.as_file_mut())?;
            tmp.persist(output).map_err(|e| Error::Io(e.error))?;
        }
    }
    Ok(outcome)
}

/// Whether `s` has a proof of existence: its own signature time-stamp, or a document
/// time-stamp over a later revision.
fn proven(s: &Signed, all: &[Signed]) -> bool {
    s.chains.first().is_some_and(|(_, _, poe)| poe.is_some()) || later_stamp(s, all).is_some()
}

/// The earliest genTime of the document time-stamps over a revision after `s`'s.
fn later_stamp(s: &Signed, all: &[Signed]) -> Option<SystemTime> {
    all.iter()
        .filter(|d| d.document_timestamp && d.covered_end > s.covered_end)
        .filter_map(|d| d.chains.first().and_then(|c| c.2))
        .min()
}

/// The reader of the file at `path`, and its signatures and document time-stamps with
/// their chains.
fn read_signed(path: &Path) -> Result<(PdfReader<InputFile>, Vec<Signed>)> {
    let file = InputFile::open(path)?;
    let reader = PdfReader::new(file)?;
    let located = crate::verify::locate::locate_fields(&reader)?;
    let mut out = Vec::new();
    for sig in located.signatures {
        let (range, contents) =
            crate::verify::coverage::read_entries(&sig.sig).map_err(|r| Error::Extend {
                field: sig.field.clone(),
                problem: r.message,
            })?;
        let der_len = crate::verify::coverage::der_length(&contents).unwrap_or(contents.len());
        let der = &contents[..der_len.min(contents.len())];
        let document_timestamp = sig
            .sig
            .get("SubFilter")
            .is_some_and(|f| f.is_name("ETSI.RFC3161"));
        let bad = |e: kyso_cms::Error| Error::Extend {
            field: sig.field.clone(),
            problem: e.to_string(),
        };
        let chains = if document_timestamp {
            let info = kyso_cms::tsp::TimeStampToken::from_der(der)
                .and_then(|t| t.verify_token())
                .map_err(bad)?;
            vec![(info.tsa, info.certificates, Some(info.gen_time))]
        } else {
            let info = kyso_cms::verify::SignedDataInfo::parse_with(
                der,
                kyso_cms::verify::VerifyOptions::new().allow_sha1(true),
            )
            .map_err(bad)?;
            let stamp = info.timestamp_tokens().first().and_then(|t| {
                kyso_cms::tsp::TimeStampToken::from_der(t)
                    .and_then(|t| t.verify_data(info.signature()))
                    .ok()
            });
            let mut chains = vec![(
                info.signer_certificate().clone(),
                info.certificates().to_vec(),
                stamp.as_ref().map(|s| s.gen_time),
            )];
            if let Some(s) = stamp {
                chains.push((s.tsa, s.certificates, Some(s.gen_time)));
            }
            chains
        };
        out.push(Signed {
            field: sig.field,
            contents,
            covered_end: range[2] + range[3],
            document_timestamp,
            chains,
        });
    }
    Ok((reader, out))
}

/// The validation data for every chain of `signed`: path certificates and the revocation
/// evidence that decided each, and the /Contents of the signatures it serves (VRI keys).
fn gather(
    signed: &[Signed],
    existing: &ValidationData,
    options: &ExtendOptions<'_>,
) -> Result<(ValidationData, Vec<Vec<u8>>)> {
    let now = SystemTime::now();
    let dss_certs = existing.parsed_certificates();
    let mut data = ValidationData::default();
    let mut vri = Vec::new();
    for s in signed {
        let later = later_stamp(s, signed);
        for (leaf, supplied, own_poe) in &s.chains {
            let poe = match (*own_poe, later) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let mut pool = supplied.clone();
            pool.extend(dss_certs.iter().cloned());
            let path = validate_path(leaf, &pool, options.trust, &ValidationPolicy::at(now))
                .or_else(|e| match poe {
                    // An expired certificate of a signature proven to exist while it was
                    // valid: its path at that time.
                    Some(t) => validate_path(leaf, &pool, options.trust, &ValidationPolicy::at(t)),
                    None => Err(e),
                })
                .map_err(|e| Error::Extend {
                    field: s.field.clone(),
                    problem: format!("no path from {} to a trust anchor: {e}", leaf.subject()),
                })?;
            let result = options.revocation.check(
                &path,
                &existing.revocation,
                CheckTime {
                    now,
                    existence: poe,
                },
            );
            for c in &result.certificates {
                match &c.status {
                    Status::Revoked { time, .. } if poe.is_none_or(|p| *time <= p) => {
                        return Err(Error::Extend {
                            field: s.field.clone(),
                            problem: format!(
                                "{} was revoked at {}, before the signature is proven to exist",
                                c.certificate.subject(),
                                crate::date::rfc3339(*time)
                            ),
                        });
                    }
                    Status::Missing { problems } => {
                        return Err(Error::Extend {
                            field: s.field.clone(),
                            problem: format!(
                                "no revocation evidence for {}: {}",
                                c.certificate.subject(),
                                problems.join("; ")
                            ),
                        });
                    }
                    _ => {}
                }
            }
            data.extend(ValidationData {
                certificates: path.certificates.iter().map(|c| c.der().to_vec()).collect(),
                revocation: result.used,
            });
        }
        vri.push(s.contents.clone());
    }
    // The responders' certificates, as Adobe and pyHanko keep them too.
    let responders: Vec<Vec<u8>> = data
        .revocation
        .ocsp_responses
        .iter()
        .flat_map(|der| kyso_cert::ocsp::response_certificates(der))
        .map(|c| c.der().to_vec())
        .collect();
    data.extend(ValidationData {
        certificates: responders,
        revocation: Default::default(),
    });
    Ok((data, vri))
}

/// The bytes that follow `reader`'s document to add `data` to its DSS: the end-of-line a
/// file without one needs, then the incremental update.
fn dss_update<S: Source>(
    reader: &PdfReader<S>,
    data: &ValidationData,
    vri: &[Vec<u8>],
) -> Result<Vec<u8>> {
    let mut update = IncrementalUpdate::new(reader);
    dss::add(reader, &mut update, data, vri)?;
    let source = reader.source();
    let separator: &[u8] = if ends_with_eol(source)? { b"" } else { b"\n" };
    let base = source.len() + separator.len() as u64;
    let section = update.serialize(base, file_id(reader, SystemTime::now()));
    let mut tail = separator.to_vec();
    tail.extend_from_slice(&section.bytes);
    Ok(tail)
}
