//! PAdES signing by incremental update (ETSI EN 319 142-1, ISO 32000-2 §12.8).
//!
//! The flow is one pass over the document:
//!
//! 1. read the trailer, cross-reference data and the few objects needed (catalog, AcroForm,
//!    the target page or field) — never the whole document;
//! 2. plan an incremental update: signature dictionary with a /Contents placeholder sized from
//!    the certificate chain, the field and its widget, the updated AcroForm and page;
//! 3. copy the original bytes to a temporary file next to the output while hashing them, then
//!    write and hash the update section except the /Contents string (one SHA pass, no second
//!    read);
//! 4. sign the CMS signed attributes — now, with a [`Signer`], or later, for a portal whose
//!    user signs with an external token (see [`PreparedPdf`] and [`DeferredState`], or
//!    [`PdfSigner::prepare_bytes`] and [`DeferredSignature`] in memory);
//! 5. write the CMS into the placeholder and rename the temporary file onto the output.
//!
//! The input is never modified and no half-written output is ever visible.

mod batch;
mod copy;
mod deferred;
mod fields;
mod ltv;
mod options;
mod placeholder;

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use std::sync::Arc;

use kyso_cert::Certificate;
use kyso_cms::tsp::TimestampAuthority;
use kyso_cms::{SignatureScheme, SignedAttributes, SignedDataBuilder, Signer};
use serde::{Deserialize, Serialize};

use crate::appearance::{Layout, Placement};
use crate::object::{Dict, Name, Object};
use crate::reader::{InputFile, PdfReader, Source};
use crate::update::IncrementalUpdate;
use crate::{Error, Result};

pub use batch::{BatchEvent, BatchJob, BatchReport};
use copy::{copy_hashing, copy_plain};
pub use deferred::{DeferredSignature, DeferredState, PreparedPdf};
use deferred::{open_for_update, write_at};
pub(crate) use fields::{signed_widget, signed_widget_rects};
pub use ltv::{ExtendOptions, ExtendOutcome, Level, extend_file};
pub use options::{SignOptions, SubFilter, VisibleSignature};
use placeholder::{SignatureDictionary, byte_range_text};

/// Signs PDF documents by incremental update with the options given.
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let signer: Box<dyn kyso_cms::Signer> = todo!();
/// use kyso_pdf::{PdfSigner, SignOptions};
/// let options = SignOptions { reason: Some("Phê duyệt".into()), ..Default::default() };
/// PdfSigner::new(options).sign_file("in.pdf".as_ref(), "out.pdf".as_ref(), signer.as_ref())?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct PdfSigner {
    options: SignOptions,
}

impl PdfSigner {
    /// A signer applying `options`.
    pub fn new(options: SignOptions) -> Self {
        Self { options }
    }

    /// Signs `input` into `output` with `signer`, in one go.
    ///
    /// A small input (up to 1 MiB, read whole) is signed in memory and its output written in
    /// one go; a larger one is streamed through a temporary file beside `output`
    /// ([`prepare`](Self::prepare)), so memory stays bounded whatever the size.
    pub fn sign_file(&self, input: &Path, output: &Path, signer: &dyn Signer) -> Result<()> {
        check_distinct(input, output)?;
        let file = InputFile::open(input)?;
        if let InputFile::Memory(bytes) = &file {
            let signed = self.sign_bytes(bytes, signer)?;
            return Ok(crate::output::write_atomically(
                output,
                &signed,
                self.options.sync_to_disk,
            )?);
        }
        let prepared =
            self.prepare_read(PdfReader::new(file)?, output, self.builder_for(signer))?;
        let signature = signer
            .sign(prepared.data_to_sign())
            .map_err(kyso_cms::Error::from)?;
        prepared.finish_signed_by(&signature, signer)
    }

    /// Signs a document held in memory and returns the signed bytes.
    pub fn sign_bytes(&self, input: &[u8], signer: &dyn Signer) -> Result<Vec<u8>> {
        let (mut out, plan) = self.prepare_in_memory(input, self.builder_for(signer))?;
        let signature = signer
            .sign(plan.attributes.der())
            .map_err(kyso_cms::Error::from)?;
        deferred::embed(
            &mut out,
            plan.contents_at,
            &plan.cms(&signature, Some(signer))?,
        )?;
        Ok(out)
    }

    /// First half of signing a document held in memory, for a service whose client signs:
    /// the prepared bytes (the /Contents placeholder still empty) and the
    /// [`DeferredSignature`] that [`DeferredSignature::finish`] needs with them. Nothing is
    /// written anywhere; both halves can travel (a service seals them and hands them to its
    /// client, so any replica can finish).
    ///
    /// # Errors
    ///
    /// As [`sign_bytes`](Self::sign_bytes), before any signature.
    pub fn prepare_bytes(
        &self,
        input: &[u8],
        builder: SignedDataBuilder,
    ) -> Result<(Vec<u8>, DeferredSignature)> {
        let (prepared, plan) = self.prepare_in_memory(input, builder)?;
        Ok((prepared, DeferredSignature::from_plan(&plan)))
    }

    /// The prepared bytes of a document held in memory (placeholder empty) and their plan:
    /// what [`sign_bytes`](Self::sign_bytes) and [`prepare_bytes`](Self::prepare_bytes) share.
    fn prepare_in_memory(
        &self,
        input: &[u8],
        builder: SignedDataBuilder,
    ) -> Result<(Vec<u8>, Plan)> {
        let reader = PdfReader::new(input)?;
        let mut out = std::io::Cursor::new(Vec::with_capacity(input.len() + 32 * 1024));
        let plan = self.write_prepared(&reader, &mut out, builder)?;
        Ok((out.into_inner(), plan))
    }

    /// First half of signing: writes the prepared document (placeholder still empty) to a
    /// temporary file beside `output` and computes what must be signed.
    pub fn prepare(
        &self,
        input: &Path,
        output: &Path,
        builder: SignedDataBuilder,
    ) -> Result<PreparedPdf> {
        check_distinct(input, output)?;
        self.prepare_read(PdfReader::new(InputFile::open(input)?)?, output, builder)
    }

    /// [`prepare`](Self::prepare) of the document `reader` reads.
    fn prepare_read(
        &self,
        reader: PdfReader<InputFile>,
        output: &Path,
        builder: SignedDataBuilder,
    ) -> Result<PreparedPdf> {
        let mut tmp = crate::output::temp_beside(output)?;
        let plan = {
            let file = tmp.as_file_mut();
            let plan = self.write_prepared(&reader, file, builder)?;
            file.flush()?;
            plan
        };
        Ok(PreparedPdf {
            plan,
            tmp,
            output: output.to_path_buf(),
            sync: self.options.sync_to_disk,
        })
    }

    fn builder_for(&self, signer: &dyn Signer) -> SignedDataBuilder {
        let builder = SignedDataBuilder::for_signer(signer);
        match self.options.sub_filter {
            SubFilter::Pkcs7Detached => builder.signing_time(self.signing_time()),
            SubFilter::CadesDetached => builder,
        }
    }

    fn signing_time(&self) -> SystemTime {
        self.options.signing_time.unwrap_or_else(SystemTime::now)
    }

    /// Writes original + update section to `out`, hashing the signed ranges on the way.
    fn write_prepared<S: Source, W: Write>(
        &self,
        reader: &PdfReader<S>,
        out: &mut W,
        builder: SignedDataBuilder,
    ) -> Result<Plan> {
        let opts = &self.options;
        let capacity = opts.contents_capacity.unwrap_or_else(|| {
            builder.max_encoded_len()
                + if opts.timestamp_authority.is_some() {
                    TIMESTAMP_ALLOWANCE
                } else {
                    0
                }
        });
        let entries = self.signature_entries(reader.catalog_ref()?);
        let written =
            self.write_update(reader, out, builder.digest_algorithm(), capacity, &entries)?;
        let attributes = builder.signed_attributes(&written.content_digest)?;
        Ok(Plan {
            builder,
            attributes,
            content_digest: written.content_digest,
            contents_at: written.contents_at,
            capacity,
            byte_range: written.byte_range,
            timestamp_authority: opts.timestamp_authority.clone(),
        })
    }

    /// Writes original + update section — the field, its widget, the signature dictionary
    /// with `entries` and a /Contents placeholder of `capacity` bytes — to `out`, hashing the
    /// signed ranges with `digest` on the way.
    fn write_update<S: Source, W: Write>(
        &self,
        reader: &PdfReader<S>,
        out: &mut W,
        digest: kyso_cms::DigestAlgorithm,
        capacity: usize,
        entries: &Dict,
    ) -> Result<Written> {
        if reader.is_encrypted() {
            return Err(Error::Encrypted);
        }
        refuse_if_certified_no_changes(reader)?;
        let opts = &self.options;
        let catalog = reader.catalog()?;
        let acroform = match catalog.get("AcroForm") {
            Some(a) => reader.deref(a)?.as_dict().cloned(),
            None => None,
        };
        let field = fields::plan_field(
            reader,
            acroform.as_ref(),
            opts.field_name.as_deref(),
            opts.page,
        )?;

        let mut update = IncrementalUpdate::new(reader);
        let sig_ref = update.allocate();
        let (field, look) = match &opts.visible {
            Some(v) => {
                let (field, look) = visible_widget(reader, &mut update, field, v)?;
                (field, Some(look))
            }
            None => (field, None),
        };
        fields::apply(reader, &mut update, field, sig_ref, look, opts.lock_fields)?;

        let sig_dict = SignatureDictionary::new(entries, capacity);
        let (byte_range_at, contents_at, contents_len) = (
            sig_dict.byte_range_at,
            sig_dict.contents_at,
            sig_dict.contents_len,
        );
        update.put_raw(sig_ref, sig_dict.body);

        let source = reader.source();
        let original_len = source.len();
        let separator: &[u8] = if ends_with_eol(source)? { b"" } else { b"\n" };
        let base = original_len + separator.len() as u64;
        let mut section = update.serialize(base, file_id(reader, self.signing_time()));
        let body_at = section
            .body_offsets
            .get(&sig_ref)
            .copied()
            .ok_or_else(|| Error::Internal("the signature dictionary was not written"))?;
        let contents_rel = body_at + contents_at;
        let contents_abs = base + contents_rel as u64;
        let after_contents = contents_abs + contents_len as u64;
        let total = base + section.bytes.len() as u64;
        let range = [0, contents_abs, after_contents, total - after_contents];
        let range_text = byte_range_text(range).ok_or(Error::LimitExceeded {
            what: "file size for /ByteRange",
            limit: 9_999_999_999,
        })?;
        let br = body_at + byte_range_at;
        section.bytes[br..br + range_text.len()].copy_from_slice(&range_text);

        let mut hasher = digest.hasher();
        copy_hashing(source, out, &mut hasher)?;
        hasher.update(separator);
        out.write_all(separator)?;
        hasher.update(&section.bytes[..contents_rel]);
        hasher.update(&section.bytes[contents_rel + contents_len..]);
        out.write_all(&section.bytes)?;

        Ok(Written {
            content_digest: hasher.finalize(),
            contents_at: contents_abs,
            byte_range: range,
        })
    }

    /// Adds a document time-stamp (ISO 32000-2 §12.8.5, ETSI EN 319 142-1 §5.4: /Type
    /// /DocTimeStamp, /SubFilter /ETSI.RFC3161) from `tsa` to `input`, written to `output`:
    /// an RFC 3161 token over the whole document as it stands, in a new invisible field. The
    /// archive time-stamp of PAdES B-LTA (which also needs the validation data of B-LT).
    ///
    /// # Errors
    ///
    /// The signing errors; the time-stamp's ([`kyso_cms::Error::TimestampTransport`],
    /// [`kyso_cms::Error::TimestampRefused`], a token that does not verify);
    /// [`Error::PlaceholderTooSmall`].
    pub fn timestamp_file(
        &self,
        input: &Path,
        output: &Path,
        tsa: &dyn TimestampAuthority,
    ) -> Result<()> {
        let (reader, mut tmp) = open_for_update(input, output)?;
        self.timestamp_into(&reader, &mut tmp, tsa)?;
        tmp.persist(output).map_err(|e| Error::Io(e.error))?;
        Ok(())
    }

    /// Writes the document `reader` reads with a document time-stamp from `tsa` added into
    /// `tmp` (what [`timestamp_file`](Self::timestamp_file) persists).
    pub(crate) fn timestamp_into<S: Source>(
        &self,
        reader: &PdfReader<S>,
        tmp: &mut tempfile::NamedTempFile,
        tsa: &dyn TimestampAuthority,
    ) -> Result<()> {
        let capacity = self
            .options
            .contents_capacity
            .unwrap_or(TIMESTAMP_ALLOWANCE);
        let written = self.write_update(
            reader,
            tmp.as_file_mut(),
            kyso_cms::DigestAlgorithm::Sha256,
            capacity,
            &document_timestamp_entries(),
        )?;
        let (token, _) = kyso_cms::tsp::timestamp_digest(
            tsa,
            kyso_cms::DigestAlgorithm::Sha256,
            written.content_digest,
        )?;
        if token.der().len() > capacity {
            return Err(Error::PlaceholderTooSmall {
                needed: token.der().len(),
                available: capacity,
            });
        }
        write_at(
            tmp.as_file_mut(),
            written.contents_at + 1,
            &hex_upper(token.der()),
            self.options.sync_to_disk,
        )
    }

    /// The signature dictionary entries before /ByteRange and /Contents (Table 255);
    /// `catalog` for a FieldMDP reference's /Data.
    fn signature_entries(&self, catalog: crate::object::ObjRef) -> Dict {
        let opts = &self.options;
        let mut d = Dict::new();
        d.set("Type", Object::Name(Name::new("Sig")));
        d.set("Filter", Object::Name(Name::new("Adobe.PPKLite")));
        d.set("SubFilter", Object::Name(Name::new(opts.sub_filter.name())));
        d.set(
            "M",
            Object::text_string(&crate::date::pdf_date(self.signing_time())),
        );
        if opts.lock_fields {
            let mut params = Dict::new();
            params.set("Type", Object::Name(Name::new("TransformParams")));
            params.set("Action", Object::Name(Name::new("All")));
            params.set("V", Object::Name(Name::new("1.2")));
            let mut reference = Dict::new();
            reference.set("Type", Object::Name(Name::new("SigRef")));
            reference.set("TransformMethod", Object::Name(Name::new("FieldMDP")));
            reference.set("TransformParams", Object::Dict(params));
            // ISO 32000-1 Table 253: /Data is required for FieldMDP — the catalog, as
            // pyHanko writes it.
            reference.set("Data", Object::Reference(catalog));
            d.set("Reference", Object::Array(vec![Object::Dict(reference)]));
        }
        for (key, value) in [
            ("Name", &opts.signer_name),
            ("Reason", &opts.reason),
            ("Location", &opts.location),
            ("ContactInfo", &opts.contact_info),
        ] {
            if let Some(v) = value {
                d.set(key, Object::text_string(v));
            }
        }
        d
    }
}

/// Works out where the visible signature `v` goes, writes its appearance, and returns the
/// field plan (a new field moves to the placement's page) with the widget's look.
fn visible_widget<S: Source>(
    reader: &PdfReader<S>,
    update: &mut IncrementalUpdate,
    field: fields::FieldPlan,
    v: &VisibleSignature,
) -> Result<(fields::FieldPlan, fields::WidgetLook)> {
    use crate::appearance::PageGeometry;
    let (field, rect, geometry, new_widget) = match field {
        fields::FieldPlan::Existing(found) => {
            let (widget, dict) = fields::widget_of(reader, &found)?;
            let rect = fields::visible_rect(reader, &dict)?.ok_or_else(|| {
                Error::Appearance(format!(
                    "signature field '{}' has no area on the page; sign it invisibly, or \
                         name a new field",
                    found.name
                ))
            })?;
            // Hidden (2) or NoView (32): the appearance would never show.
            if dict
                .get("F")
                .and_then(Object::as_i64)
                .is_some_and(|f| f & (2 | 32) != 0)
            {
                return Err(Error::Appearance(format!(
                    "signature field '{}' is hidden (annotation flags Hidden or NoView); a visible \
                     signature there would not show",
                    found.name
                )));
            }
            let page = fields::widget_page(reader, widget, &dict)?;
            let geometry = PageGeometry::read(reader, reader.page_ref(page)?)?;
            (fields::FieldPlan::Existing(found), rect, geometry, false)
        }
        fields::FieldPlan::New { name, .. } => {
            if v.placement == Placement::Field {
                return Err(Error::Appearance(format!(
                    "there is no empty signature field '{name}' whose rectangle to use"
                )));
            }
            let resolved = v.placement.resolve(reader, v.size)?;
            (
                fields::FieldPlan::New {
                    name,
                    page: resolved.page_ref,
                },
                resolved.rect,
                resolved.geometry,
                true,
            )
        }
    };
    let mut box_d = geometry.user_rect_to_displayed(rect);
    let (mut w, mut h) = (box_d[2] - box_d[0], box_d[3] - box_d[1]);
    // An image alone in a new widget: the widget is the image's own rectangle, so a seal placed
    // over it later covers the third of the image the decree means, not of an empty margin.
    // (An existing field keeps its rectangle: the image is centred in it.)
    if new_widget
        && v.appearance.layout == Layout::Image
        && let Some([ix, iy, iw, ih]) = v.appearance.layout(w, h)?.image
    {
        box_d = [
            box_d[0] + ix,
            box_d[1] + iy,
            box_d[0] + ix + iw,
            box_d[1] + iy + ih,
        ];
        (w, h) = (iw, ih);
    }
    let rect = geometry.displayed_rect_to_user(box_d);
    let appearance = v.appearance.write_form(update, w, h, geometry.rotate)?;
    Ok((field, fields::WidgetLook { rect, appearance }))
}

/// The signature dictionary entries of a document time-stamp (ISO 32000-2 Table 255).
fn document_timestamp_entries() -> Dict {
    let mut d = Dict::new();
    d.set("Type", Object::Name(Name::new("DocTimeStamp")));
    d.set("Filter", Object::Name(Name::new("Adobe.PPKLite")));
    d.set("SubFilter", Object::Name(Name::new("ETSI.RFC3161")));
    d
}

/// What writing the update leaves to do: the digest to sign, where /Contents goes.
struct Written {
    content_digest: Vec<u8>,
    contents_at: u64,
    byte_range: [u64; 4],
}

/// Everything known once the prepared file is written.
#[derive(Debug)]
struct Plan {
    builder: SignedDataBuilder,
    attributes: SignedAttributes,
    content_digest: Vec<u8>,
    contents_at: u64,
    capacity: usize,
    byte_range: [u64; 4],
    timestamp_authority: Option<Arc<dyn TimestampAuthority>>,
}

/// Bytes reserved in /Contents for a signature time-stamp token: the TSA's signed TSTInfo and
/// its certificate chain (tokens of public TSAs run 3–7 KB).
pub const TIMESTAMP_ALLOWANCE: usize = 12 * 1024;

impl Plan {
    /// The CMS for `signature`, hex-encoded, checked against the placeholder — and verified:
    /// a signature that came back from a token, a portal or a remote service is checked
    /// against the signer's certificate before it goes into the document, so a wrong key or
    /// a corrupted answer fails here instead of producing a broken PDF. The signature itself
    /// is not verified again when `signer` vouches for it ([`Signer::verifies_own_signatures`]:
    /// a software key); that it signs this document's digest always is.
    fn cms(&self, signature: &[u8], signer: Option<&dyn Signer>) -> Result<String> {
        let cms = match &self.timestamp_authority {
            Some(tsa) => {
                // The token's imprint is the hash of this signature's value (RFC 3161
                // Appendix A), with the signature's own digest algorithm.
                let algorithm = self.builder.digest_algorithm();
                let (token, _) = kyso_cms::tsp::timestamp_digest(
                    tsa.as_ref(),
                    algorithm,
                    algorithm.digest(signature),
                )?;
                self.builder
                    .assemble_timestamped(&self.attributes, signature, token.der())?
            }
            None => self.builder.assemble(&self.attributes, signature)?,
        };
        if cms.len() > self.capacity {
            return Err(Error::PlaceholderTooSmall {
                needed: cms.len(),
                available: self.capacity,
            });
        }
        if signer.is_some_and(|s| s.verifies_own_signatures()) {
            self.builder
                .check_digest(&self.attributes, &self.content_digest)?;
        } else {
            self.builder
                .check_signature(&self.attributes, &self.content_digest, signature)?;
        }
        Ok(hex_upper(&cms))
    }
}

/// Refuses to produce an output that is the input: the same path, or the same file through
/// another path (a symbolic or hard link, `./`, `..`).
fn check_distinct(input: &Path, output: &Path) -> Result<()> {
    if same_file(input, output) {
        return Err(Error::OutputIsInput(output.to_path_buf()));
    }
    Ok(())
}

/// Whether the two paths name one file: on Unix the same device and inode (two `stat`s, where
/// resolving both paths costs a `readlink` per component); elsewhere the canonical paths.
/// A path that does not exist yet (the usual output) is another file unless it is spelled
/// the same.
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => a == b,
    }
}

#[cfg(not(unix))]
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// A certification signature with /P 1 forbids any change, signatures included
/// (ISO 32000-2 §12.8.2.2.2, Table 257).
fn refuse_if_certified_no_changes<S: Source>(reader: &PdfReader<S>) -> Result<()> {
    match crate::certification::certification(reader)? {
        Some(c) if c.permissions.contains(&1) => Err(Error::CertifiedNoChanges),
        _ => Ok(()),
    }
}

fn ends_with_eol<S: Source>(source: &S) -> Result<bool> {
    let len = source.len();
    if len == 0 {
        return Ok(false);
    }
    let mut last = [0u8; 1];
    source.read_at(len - 1, &mut last)?;
    Ok(matches!(last[0], b'\n' | b'\r'))
}

/// A fresh second /ID element: a hash of what identifies this update.
fn file_id<S: Source>(reader: &PdfReader<S>, time: SystemTime) -> [u8; 16] {
    let nanos = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut h = kyso_cms::DigestAlgorithm::Sha256.hasher();
    h.update(&reader.startxref().to_be_bytes());
    h.update(&reader.source().len().to_be_bytes());
    h.update(&nanos.to_be_bytes());
    let d = h.finalize();
    let mut id = [0u8; 16];
    id.copy_from_slice(&d[..16]);
    id
}

/// Upper-case hexadecimal of `bytes`, as /Contents holds it (a table, not the `hex` crate's
/// char iterator: the CMS of every document of a batch goes through here).
pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 0x0f)]);
    }
    // Every byte pushed is an ASCII digit or letter.
    String::from_utf8(out).unwrap_or_default()
}
