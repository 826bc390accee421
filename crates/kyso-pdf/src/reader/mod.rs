//! A lazy PDF reader (ISO 32000-2 §7.5): it reads the header, the trailer, the
//! cross-reference data and then only the objects asked for — never the whole file.
//!
//! Signing a 100 MB scanned contract must not load 100 MB: [`PdfReader`] reads through a
//! [`Source`] with positioned reads of small windows (a few KiB, grown only while one
//! object does not fit), so memory depends on the number of objects in the
//! cross-reference data and on the objects resolved, not on the file size.
//!
//! We write our own reader instead of using `lopdf` because `lopdf` parses whole
//! documents into memory (`Document::load` reads and parses every object); that is the
//! wrong shape for an incremental-update signer and for a validator fed untrusted
//! uploads.
//!
//! What it handles (all ISO 32000-2 §7.5):
//! * the header `%PDF-x.y` anywhere in the first 1024 bytes (§7.5.2);
//! * the last `startxref` in the final bytes of the file, with junk after `%%EOF`
//!   tolerated and an offset that is off by a few bytes corrected (§7.5.5);
//! * classic cross-reference tables with subsections and the usual deviations in
//!   entry layout (§7.5.4), cross-reference streams with `/W`, `/Index` and entry types
//!   0, 1 and 2 (§7.5.8), hybrid files whose table trailer has `/XRefStm` (§7.5.8.4),
//!   `/Prev` chains of incremental updates (§7.5.6) with cycle detection — the newest
//!   definition of an object wins — and linearized files (Annex F);
//! * object streams (§7.5.7), cached in a small bounded cache;
//! * stream `/Length` given as an indirect reference, or wrong (the data then ends at
//!   `endstream`);
//! * references to free or missing objects, which resolve to `null` (§7.3.10).
//!
//! The reader does not decrypt: strings and streams of an encrypted document
//! ([`PdfReader::is_encrypted`]) come back as stored.
//!
//! Every loop and allocation driven by the file is bounded: see [`MAX_XREF_SECTIONS`],
//! [`MAX_OBJECT_STREAM_OBJECTS`], [`MAX_REFERENCE_CHAIN`], [`MAX_PAGE_TREE_DEPTH`],
//! [`MAX_OBJECT_LEN`], [`MAX_EOF_MARKERS`], [`crate::parser::MAX_NESTING_DEPTH`] and
//! [`crate::parser::MAX_DECODED_STREAM_LEN`].

mod crypt;
mod index;
mod objstm;
mod pages;
mod source;
mod xref;

use std::fmt;
use std::sync::{Mutex, OnceLock};

use crate::error::{Error, Result};
use crate::object::{Dict, ObjRef, Object, Stream};
use crate::parser::lexer::{Lexer, PErr, PResult, is_regular};
use crate::parser::{
    Parsed, endstream_follows, find, parse_indirect, parse_obj_header, perr_to_error, trim_eol,
};
pub(crate) use source::InputFile;
pub(crate) use source::read_full_at;
pub use source::{Appended, Prefix, Source};

/// Most cross-reference sections (tables, streams, and the `/XRefStm` streams of hybrid
/// files) followed through `/Prev`. Each incremental update adds one or two.
pub const MAX_XREF_SECTIONS: usize = 1024;

/// Most objects one object stream may declare in `/N` (ISO 32000-2 §7.5.7).
pub const MAX_OBJECT_STREAM_OBJECTS: usize = 100_000;

/// Most references [`PdfReader::deref`] follows in a chain (`1 0 R` → `2 0 R` → ...).
pub const MAX_REFERENCE_CHAIN: usize = 32;

/// Deepest page tree [`PdfReader::page_ref`] descends (ISO 32000-2 §7.7.3.2).
pub const MAX_PAGE_TREE_DEPTH: usize = 128;

/// Largest object, in bytes of PDF syntax (stream data excluded), the reader parses
/// (8 MiB). The read window grows up to this size while an object does not fit.
pub const MAX_OBJECT_LEN: usize = 8 << 20;

/// Most `%%EOF` markers [`PdfReader::revision_ends`] reports.
pub const MAX_EOF_MARKERS: usize = 100_000;

/// How deeply resolving one object may trigger resolving others (an indirect stream
/// `/Length`, the object stream holding the object).
const MAX_RESOLVE_DEPTH: usize = 8;
/// First read window for an object.
const INITIAL_WINDOW: usize = 2048;
/// Where the header may be (ISO 32000-2 §7.5.2 asks for offset 0; readers allow junk).
const HEADER_SEARCH_LEN: u64 = 1024;
/// How much of the end of the file is searched for `startxref`.
const TAIL_SEARCH_LEN: u64 = 2048;
/// How far from a recorded offset the reader looks for the section or object that
/// should be there.
const OFFSET_SLACK: u64 = 32;
/// Chunk size for cross-reference tables.
const SCAN_CHUNK: usize = 64 << 10;
/// Chunk size for whole-file scans (`%%EOF`, `/ByteRange`, `endstream`); one buffer is reused.
const SCAN_BUFFER: usize = 1 << 20;

/// The kind of the newest cross-reference section (ISO 32000-2 §7.5.4, §7.5.8). A hybrid
/// file's newest section is a [`XrefKind::Table`] whose trailer has `/XRefStm`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum XrefKind {
    /// A classic `xref` table with a `trailer` dictionary (§7.5.4, §7.5.5).
    Table,
    /// A cross-reference stream (§7.5.8).
    Stream,
}

/// Where an object lives, by the newest cross-reference entry for it (ISO 32000-2
/// §7.5.4, §7.5.8.3 Table 18).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum XrefEntry {
    /// `n g obj` at this byte offset (type 1).
    InFile {
        /// Byte offset of the object header.
        offset: u64,
    },
    /// The `index`-th object of object stream `stream_num` (type 2; generation 0).
    InStream {
        /// Object number of the object stream.
        stream_num: u32,
        /// Index of the object within it.
        index: u32,
    },
    /// A free entry (type 0, `f`): the object was deleted.
    Free,
}

/// An entry with its generation number.
/// Something the reader had to correct or choose to read the file: what a viewer that
/// rebuilds the cross-reference data might read differently. Harmless in a file's own
/// history, but after a signature it is where the shown document can differ from the one
/// validated (Mladenov et al., CCS 2019), so the validator refuses it there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repair {
    /// The byte offsets involved (as recorded, and where the thing was found).
    pub offsets: [u64; 2],
    /// What was corrected.
    pub message: String,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    pub(crate) entry: XrefEntry,
    pub(crate) generation: u16,
}

/// A lazy reader of a PDF file (ISO 32000-2 §7.5): the cross-reference data is read by
/// [`PdfReader::new`], objects on demand by [`PdfReader::resolve`].
///
/// The reader is `Sync`: several threads may resolve objects at once.
pub struct PdfReader<S: Source> {
    source: S,
    len: u64,
    header_offset: u64,
    version: (u8, u8),
    trailer: Dict,
    kind: XrefKind,
    startxref: u64,
    xref: index::XrefIndex,
    size: u32,
    objstm_cache: Mutex<objstm::Cache>,
    repairs: Mutex<Vec<Repair>>,
    sections: Vec<u64>,
    info_refs: Vec<ObjRef>,
    decryptor: Option<crypt::Decryptor>,
    landmarks: OnceLock<Landmarks>,
}

/// What one scan of the whole file finds, kept for the validator's later questions.
#[derive(Debug, Clone, Default)]
struct Landmarks {
    /// Offsets just after each `%%EOF`.
    eofs: Vec<u64>,
    /// Offsets of each `/ByteRange`.
    byte_ranges: Vec<u64>,
}

/// Most `/ByteRange` occurrences [`PdfReader::byte_range_offsets`] reports.
pub const MAX_BYTE_RANGE_OCCURRENCES: usize = 10_000;

/// Most [`Repair`]s a reader remembers (enough to judge a file; the bound keeps memory flat).
const MAX_REPAIRS: usize = 64;

impl<S: Source> fmt::Debug for PdfReader<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PdfReader")
            .field("len", &self.len)
            .field("version", &self.version)
            .field("xref_kind", &self.kind)
            .field("startxref", &self.startxref)
            .field("objects", &self.xref.len())
            .field("trailer", &self.trailer)
            .finish_non_exhaustive()
    }
}

impl<S: Source> PdfReader<S> {
    /// Opens a PDF: finds the header (ISO 32000-2 §7.5.2), the last `startxref`
    /// (§7.5.5) and reads every cross-reference section of the `/Prev` chain (§7.5.4,
    /// §7.5.6, §7.5.8). Reads a few KiB per section, never the whole file.
    ///
    /// Errors: [`Error::NotPdf`] without a header, [`Error::Xref`] when the
    /// cross-reference data cannot be found or read, [`Error::LimitExceeded`] past
    /// [`MAX_XREF_SECTIONS`], [`Error::Io`] from the source.
    pub fn new(source: S) -> Result<Self> {
        let len = source.len();
        let mut reader = PdfReader {
            source,
            len,
            header_offset: 0,
            version: (0, 0),
            trailer: Dict::new(),
            kind: XrefKind::Table,
            startxref: 0,
            xref: index::XrefIndex::default(),
            size: 0,
            objstm_cache: Mutex::new(objstm::Cache::default()),
            repairs: Mutex::new(Vec::new()),
            sections: Vec::new(),
            info_refs: Vec::new(),
            decryptor: None,
            landmarks: OnceLock::new(),
        };
        let (header_offset, version) = reader.read_header()?;
        reader.header_offset = header_offset;
        reader.version = version;
        let startxref = reader.read_startxref()?;
        reader.load_xref(startxref)?;
        Ok(reader)
    }

    /// The source the reader reads from.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// The trailer of the newest cross-reference section (ISO 32000-2 §7.5.5); for a
    /// cross-reference stream, its stream dictionary (§7.5.8.2).
    pub fn trailer(&self) -> &Dict {
        &self.trailer
    }

    /// The kind of the newest cross-reference section.
    pub fn xref_kind(&self) -> XrefKind {
        self.kind
    }

    /// Byte offset of the newest cross-reference section (where it actually is, if the
    /// `startxref` value was off by a few bytes). An incremental update's `/Prev` is
    /// this value (ISO 32000-2 §7.5.6).
    pub fn startxref(&self) -> u64 {
        self.startxref
    }

    /// The number of object numbers in use: the larger of the newest trailer's `/Size`
    /// and the highest object number in the cross-reference data plus one (ISO 32000-2
    /// §7.5.5). A new object of an incremental update gets this number.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// The version in the `%PDF-x.y` header (ISO 32000-2 §7.5.2), e.g. `(2, 0)`. The
    /// catalog's `/Version` may name a later one (§7.7.2).
    pub fn header_version(&self) -> (u8, u8) {
        self.version
    }

    /// Whether the newest trailer has `/Encrypt` (ISO 32000-2 §7.6.1). Until
    /// [`PdfReader::unlock`] succeeds, strings and streams come back as stored (encrypted).
    pub fn is_encrypted(&self) -> bool {
        self.trailer.get("Encrypt").is_some_and(|e| !e.is_null())
    }

    /// Opens an encrypted document with `password` (user or owner; most documents open with
    /// the empty user password) under the standard security handler (ISO 32000-2 §7.6.4):
    /// from then on, objects read from the file come back decrypted, except what §7.6.2
    /// leaves in clear (a signature's /Contents among them). Does nothing for a document that
    /// is not encrypted.
    ///
    /// Errors: [`Error::WrongPassword`], [`Error::UnsupportedEncryption`].
    pub fn unlock(&mut self, password: &[u8]) -> Result<()> {
        if !self.is_encrypted() {
            return Ok(());
        }
        let (encrypt_ref, encrypt) = match self.trailer.get("Encrypt") {
            Some(Object::Reference(r)) => (Some(*r), self.resolve(*r)?),
            Some(other) => (None, other.clone()),
            None => return Ok(()),
        };
        let Some(encrypt) = encrypt.as_dict() else {
            return Err(Error::UnsupportedEncryption(
                "/Encrypt is not a dictionary".into(),
            ));
        };
        let id0 = match self.trailer.get("ID") {
            Some(Object::Array(ids)) => ids
                .first()
                .and_then(Object::as_string_bytes)
                .map(<[u8]>::to_vec)
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        self.decryptor = Some(crypt::Decryptor::open(
            encrypt,
            encrypt_ref,
            &id0,
            password,
        )?);
        self.objstm_cache = Mutex::new(objstm::Cache::default());
        Ok(())
    }

    /// Where object `r` lives according to the newest cross-reference entry for its
    /// number (ISO 32000-2 §7.5.4, §7.5.8.3). A free entry is [`XrefEntry::Free`] whatever
    /// the generation; `None` if there is no entry, or if the entry is in use with another
    /// generation than `r.generation` (objects in object streams have generation 0).
    pub fn object_offset(&self, r: ObjRef) -> Option<XrefEntry> {
        let slot = self.xref.get(r.num)?;
        match slot.entry {
            XrefEntry::Free => Some(XrefEntry::Free),
            XrefEntry::InFile { .. } if slot.generation == r.generation => Some(slot.entry),
            XrefEntry::InStream { .. } if r.generation == 0 => Some(slot.entry),
            _ => None,
        }
    }

    /// Reads object `r` (ISO 32000-2 §7.3.10): from `n g obj ... endobj` at its offset
    /// or from inside its object stream (§7.5.7). A free or missing object, or one whose
    /// generation differs from the cross-reference entry, is `null` (§7.3.10).
    ///
    /// Errors: [`Error::BadObject`] when the object cannot be read where the
    /// cross-reference data says it is.
    pub fn resolve(&self, r: ObjRef) -> Result<Object> {
        self.resolve_inner(r, 0)
    }

    /// Like [`PdfReader::resolve`], but a free or missing object is
    /// [`Error::ObjectNotFound`].
    pub fn resolve_existing(&self, r: ObjRef) -> Result<Object> {
        match self.object_offset(r) {
            None | Some(XrefEntry::Free) => Err(Error::ObjectNotFound(r)),
            Some(_) => self.resolve(r),
        }
    }

    /// Reads object `r`, which must be a dictionary (ISO 32000-2 §7.3.7).
    ///
    /// Errors: [`Error::ObjectNotFound`] if it is free or missing, [`Error::BadObject`] if
    /// it is not a dictionary.
    pub fn resolve_dict(&self, r: ObjRef) -> Result<Dict> {
        match self.resolve(r)? {
            Object::Dict(d) => Ok(d),
            Object::Null => Err(Error::ObjectNotFound(r)),
            other => Err(Error::BadObject {
                object: r,
                message: format!("expected a dictionary, found a {}", other.type_name()),
            }),
        }
    }

    /// Follows references until a direct object (ISO 32000-2 §7.3.10), at most
    /// [`MAX_REFERENCE_CHAIN`] of them. A direct object is returned as is.
    pub fn deref(&self, obj: &Object) -> Result<Object> {
        let &Object::Reference(mut r) = obj else {
            return Ok(obj.clone());
        };
        for _ in 0..MAX_REFERENCE_CHAIN {
            match self.resolve(r)? {
                Object::Reference(next) => r = next,
                other => return Ok(other),
            }
        }
        Err(Error::LimitExceeded {
            what: "chain of references to references",
            limit: MAX_REFERENCE_CHAIN,
        })
    }

    /// The trailer's `/Root`: the document catalog (ISO 32000-2 §7.7.2).
    pub fn catalog_ref(&self) -> Result<ObjRef> {
        match self.trailer.get("Root") {
            Some(Object::Reference(r)) => Ok(*r),
            Some(other) => Err(Error::Xref {
                offset: self.startxref,
                message: format!("trailer /Root is a {}, not a reference", other.type_name()),
            }),
            None => Err(Error::Xref {
                offset: self.startxref,
                message: "trailer has no /Root".into(),
            }),
        }
    }

    /// The document catalog dictionary (ISO 32000-2 §7.7.2).
    pub fn catalog(&self) -> Result<Dict> {
        let r = self.catalog_ref()?;
        self.resolve_dict(r)
    }

    /// Byte offsets just after each `%%EOF` marker, ascending: the ends of the revisions
    /// of an incrementally updated file (ISO 32000-2 §7.5.6). An end-of-line after the
    /// marker is not included. The file is scanned in chunks; a linearized file has an
    /// extra marker after its first-page section (Annex F), and a marker inside stream
    /// data would be reported too.
    pub fn revision_ends(&self) -> Result<Vec<u64>> {
        Ok(self.landmarks()?.eofs.clone())
    }

    /// Byte offsets of every `/ByteRange` in the file, ascending: where signature
    /// dictionaries may be, reachable or not. At most [`MAX_BYTE_RANGE_OCCURRENCES`]: a list
    /// that long may be cut short.
    /// Found by the same single scan as [`PdfReader::revision_ends`].
    pub fn byte_range_offsets(&self) -> Result<Vec<u64>> {
        Ok(self.landmarks()?.byte_ranges.clone())
    }

    /// The `%%EOF` markers and `/ByteRange` keys, found by one scan of the whole file the first
    /// time either is asked for.
    fn landmarks(&self) -> Result<&Landmarks> {
        if let Some(l) = self.landmarks.get() {
            return Ok(l);
        }
        let mut found = Landmarks::default();
        self.scan_many(0, &[b"%%EOF", b"/ByteRange"], SCAN_BUFFER, |which, pos| {
            let (list, limit, what) = if which == 0 {
                (&mut found.eofs, MAX_EOF_MARKERS, "%%EOF markers")
            } else {
                (
                    &mut found.byte_ranges,
                    MAX_BYTE_RANGE_OCCURRENCES,
                    "/ByteRange occurrences",
                )
            };
            if list.len() >= limit {
                if which == 1 {
                    // Too many to look at: the validator says so rather than failing.
                    return Ok(true);
                }
                return Err(Error::LimitExceeded { what, limit });
            }
            list.push(if which == 0 { pos + 5 } else { pos });
            Ok(true)
        })?;
        Ok(self.landmarks.get_or_init(|| found))
    }

    // ----- internals -----

    /// Reads up to `max` bytes at `offset`; also says whether they reach the end of the
    /// file.
    fn read_window(&self, offset: u64, max: usize) -> Result<(Vec<u8>, bool)> {
        if offset >= self.len {
            return Ok((Vec::new(), true));
        }
        let n = (self.len - offset).min(max as u64) as usize;
        let mut buf = vec![0u8; n];
        let got = read_full_at(&self.source, offset, &mut buf)?;
        buf.truncate(got);
        let complete = got < n || offset + got as u64 >= self.len;
        Ok((buf, complete))
    }

    /// Runs `f` on a window at `offset`, growing the window up to [`MAX_OBJECT_LEN`]
    /// while `f` runs out of bytes.
    fn parse_at<T>(
        &self,
        offset: u64,
        mut f: impl FnMut(&mut Lexer<'_>) -> PResult<T>,
    ) -> Result<T> {
        let mut window = INITIAL_WINDOW;
        loop {
            let (buf, complete) = self.read_window(offset, window)?;
            let mut lx = Lexer::new(&buf, offset, complete);
            match f(&mut lx) {
                Ok(v) => return Ok(v),
                Err(PErr::Incomplete) if window < MAX_OBJECT_LEN => {
                    window = (window * 4).min(MAX_OBJECT_LEN);
                }
                Err(PErr::Incomplete) => {
                    return Err(Error::LimitExceeded {
                        what: "object size in bytes",
                        limit: MAX_OBJECT_LEN,
                    });
                }
                Err(e) => return Err(perr_to_error(e)),
            }
        }
    }

    /// Calls `found` with the absolute offset of each occurrence of `needle` from `from`
    /// on, in order, until it returns `false` or the file ends. Reads chunk by chunk.
    fn scan(
        &self,
        from: u64,
        needle: &[u8],
        mut found: impl FnMut(u64) -> Result<bool>,
    ) -> Result<()> {
        self.scan_many(from, &[needle], SCAN_CHUNK, |_, pos| found(pos))
    }

    /// Like [`PdfReader::scan`] for several needles in one pass ([`scan_source`]).
    fn scan_many(
        &self,
        from: u64,
        needles: &[&[u8]],
        chunk: usize,
        found: impl FnMut(usize, u64) -> Result<bool>,
    ) -> Result<()> {
        scan_source(&self.source, self.len, from, needles, chunk, found)
    }

    fn read_header(&self) -> Result<(u64, (u8, u8))> {
        let (buf, _) = self.read_window(0, HEADER_SEARCH_LEN as usize + 16)?;
        let search = &buf[..buf.len().min(HEADER_SEARCH_LEN as usize + 5)];
        let at = find(search, b"%PDF-").ok_or(Error::NotPdf)?;
        let rest = &buf[at + 5..];
        let major_len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let minor = rest.get(major_len + 1..).unwrap_or_default();
        let minor_len = minor.iter().take_while(|b| b.is_ascii_digit()).count();
        if major_len == 0 || rest.get(major_len) != Some(&b'.') || minor_len == 0 {
            return Err(Error::NotPdf);
        }
        let num = |d: &[u8]| {
            d.iter()
                .try_fold(0u8, |acc, &c| acc.checked_mul(10)?.checked_add(c - b'0'))
        };
        match (num(&rest[..major_len]), num(&minor[..minor_len])) {
            (Some(major), Some(minor)) => Ok((at as u64, (major, minor))),
            _ => Err(Error::NotPdf),
        }
    }

    /// The offset after the last `startxref` in the tail of the file (ISO 32000-2
    /// §7.5.5).
    fn read_startxref(&self) -> Result<u64> {
        let tail_start = self.len.saturating_sub(TAIL_SEARCH_LEN);
        let (buf, _) = self.read_window(tail_start, TAIL_SEARCH_LEN as usize)?;
        let at = buf
            .windows(9)
            .rposition(|w| w == b"startxref")
            .ok_or_else(|| Error::Xref {
                offset: self.len,
                message: format!("no 'startxref' in the last {TAIL_SEARCH_LEN} bytes"),
            })?;
        let kw_offset = tail_start + at as u64;
        let mut lx = Lexer::new(&buf[at + 9..], kw_offset + 9, true);
        let bad = |message: String| Error::Xref {
            offset: kw_offset,
            message,
        };
        let value = match lx.next_opt() {
            Ok(Some(crate::parser::lexer::Token::Integer(v))) if v >= 0 => v as u64,
            _ => return Err(bad("'startxref' is not followed by a byte offset".into())),
        };
        // Only white space, then a comment (%%EOF) or the end, may follow.
        let rest = &buf[at + 9 + lx.pos()..];
        let skip = rest
            .iter()
            .take_while(|&&b| crate::parser::lexer::is_whitespace(b))
            .count();
        if skip < rest.len() && rest[skip] != b'%' {
            return Err(bad("unexpected data after the 'startxref' offset".into()));
        }
        if value >= self.len {
            return Err(bad(format!(
                "startxref {value} is beyond the end of the file ({} bytes)",
                self.len
            )));
        }
        Ok(value)
    }

    fn resolve_inner(&self, r: ObjRef, depth: usize) -> Result<Object> {
        if depth > MAX_RESOLVE_DEPTH {
            return Err(Error::LimitExceeded {
                what: "nested object lookups (indirect /Length, object streams)",
                limit: MAX_RESOLVE_DEPTH,
            });
        }
        let Some(slot) = self.xref.get(r.num) else {
            return Ok(Object::Null);
        };
        match slot.entry {
            XrefEntry::Free => Ok(Object::Null),
            XrefEntry::InFile { offset } => {
                if slot.generation != r.generation {
                    return Ok(Object::Null);
                }
                self.read_in_file(r, offset, depth)
            }
            XrefEntry::InStream { stream_num, index } => {
                if r.generation != 0 {
                    return Ok(Object::Null);
                }
                self.read_in_object_stream(r, stream_num, index, depth)
            }
        }
    }

    /// Reads the indirect object `r` whose header is at (or, if the recorded offset is
    /// slightly off, near) `offset`.
    fn read_in_file(&self, r: ObjRef, offset: u64, depth: usize) -> Result<Object> {
        if offset >= self.len {
            return Err(Error::BadObject {
                object: r,
                message: format!(
                    "offset {offset} is beyond the end of the file ({} bytes)",
                    self.len
                ),
            });
        }
        let parsed = match self.parse_at(offset, parse_indirect) {
            Ok((found, parsed)) if found == r => parsed,
            Err(Error::Io(e)) => return Err(Error::Io(e)),
            Err(e) if matches!(self.parse_at(offset, parse_obj_header), Ok(found) if found == r) => {
                // The header is right; the object itself is broken.
                return Err(match e {
                    e @ Error::LimitExceeded { .. } => e,
                    Error::Syntax { offset, message } => Error::BadObject {
                        object: r,
                        message: format!("at byte {offset}: {message}"),
                    },
                    e => Error::BadObject {
                        object: r,
                        message: e.to_string(),
                    },
                });
            }
            first => {
                let problem = match first {
                    Ok((found, _)) => format!("byte {offset} holds object {found} instead"),
                    Err(e) => format!("no object header at byte {offset}: {e}"),
                };
                let bad = || Error::BadObject {
                    object: r,
                    message: problem.clone(),
                };
                let at = self.find_object_near(r, offset)?.ok_or_else(bad)?;
                match self.parse_at(at, parse_indirect) {
                    Ok((found, parsed)) if found == r => {
                        self.record_repair(
                            [offset, at],
                            format!(
                                "object {r} is recorded at byte {offset} but starts at byte {at}"
                            ),
                        );
                        parsed
                    }
                    Err(e @ (Error::Io(_) | Error::LimitExceeded { .. })) => return Err(e),
                    _ => return Err(bad()),
                }
            }
        };
        let mut obj = match parsed {
            Parsed::Object(o) => o,
            Parsed::StreamHead { dict, data_start } => {
                let length = match dict.get("Length") {
                    Some(Object::Integer(n)) => u64::try_from(*n).ok(),
                    Some(Object::Reference(lr)) => match self.resolve_inner(*lr, depth + 1) {
                        Ok(Object::Integer(n)) => u64::try_from(n).ok(),
                        _ => None,
                    },
                    _ => None,
                };
                let data = self.read_stream_data(r, data_start, length)?;
                Object::Stream(Stream::new(dict, data))
            }
        };
        if let Some(d) = &self.decryptor {
            d.decrypt_object(r, &mut obj)?;
        }
        Ok(obj)
    }

    /// The raw data of a stream starting at `data_start`: `length` bytes if `endstream`
    /// follows them, else everything up to the next `endstream` (ISO 32000-2 §7.3.8.1).
    fn read_stream_data(&self, r: ObjRef, data_start: u64, length: Option<u64>) -> Result<Vec<u8>> {
        if let Some(l) = length
            && let Some(end) = data_start.checked_add(l)
            && end <= self.len
        {
            let (after, _) = self.read_window(end, 64)?;
            if endstream_follows(&after) {
                let (data, _) = self.read_window(data_start, l as usize)?;
                if data.len() as u64 == l {
                    return Ok(data);
                }
            }
        }
        let mut end = None;
        self.scan(data_start, b"endstream", |p| {
            end = Some(p);
            Ok(false)
        })?;
        let Some(end) = end else {
            return Err(Error::BadObject {
                object: r,
                message: format!("stream data at byte {data_start} has no 'endstream'"),
            });
        };
        let want = usize::try_from(end - data_start).map_err(|_| Error::LimitExceeded {
            what: "stream length",
            limit: usize::MAX,
        })?;
        let (data, _) = self.read_window(data_start, want)?;
        let trimmed = trim_eol(&data).len();
        let mut data = data;
        data.truncate(trimmed);
        Ok(data)
    }

    /// Looks for `r`'s header `num gen obj` within [`OFFSET_SLACK`] bytes of `offset`,
    /// or at `offset` shifted by junk before the header.
    fn find_object_near(&self, r: ObjRef, offset: u64) -> Result<Option<u64>> {
        let mut candidates = Vec::new();
        if self.header_offset > 0 {
            candidates.push(offset + self.header_offset);
        }
        let start = offset.saturating_sub(OFFSET_SLACK);
        let (buf, complete) = self.read_window(start, (OFFSET_SLACK * 2) as usize + 32)?;
        for p in 0..buf.len() {
            let at = start + p as u64;
            if buf[p].is_ascii_digit()
                && (p == 0 && start == 0 || p > 0 && !is_regular(buf[p - 1]))
                && at.abs_diff(offset) <= OFFSET_SLACK
            {
                let mut lx = Lexer::new(&buf[p..], at, complete);
                if let Ok(found) = parse_obj_header(&mut lx)
                    && found == r
                {
                    candidates.push(at);
                }
            }
        }
        candidates.sort_by_key(|&c| c.abs_diff(offset));
        for c in candidates {
            if c == offset || c >= self.len {
                continue;
            }
            if let Ok(found) = self.parse_at(c, parse_obj_header)
                && found == r
            {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }
}

/// Scans `source` (of `len` bytes) from `from` for several needles in one pass: `found` gets the needle's
/// index and the offset, each occurrence once, in offset order per chunk. One buffer of
/// `chunk` bytes is reused; consecutive chunks overlap by the longest needle
/// less one byte, and a match is reported from the chunk in which it starts before the
/// overlap (or from the last chunk).
fn scan_source<S: Source>(
    source: &S,
    len: u64,
    from: u64,
    needles: &[&[u8]],
    chunk: usize,
    mut found: impl FnMut(usize, u64) -> Result<bool>,
) -> Result<()> {
    let longest = needles.iter().map(|n| <[u8]>::len(n)).max().unwrap_or(0);
    if longest == 0 {
        return Ok(());
    }
    let finders: Vec<memchr::memmem::Finder<'_>> =
        needles.iter().map(memchr::memmem::Finder::new).collect();
    let overlap = longest - 1;
    let mut buf = vec![0u8; chunk.max(2 * longest)];
    let mut pos = from;
    let mut hits: Vec<(usize, usize)> = Vec::new();
    while pos < len {
        let want = (len - pos).min(buf.len() as u64) as usize;
        let got = read_full_at(source, pos, &mut buf[..want])?;
        if got == 0 {
            break;
        }
        let window = &buf[..got];
        let last = pos + got as u64 >= len;
        let limit = if last { got } else { got - overlap.min(got) };
        hits.clear();
        for (which, finder) in finders.iter().enumerate() {
            hits.extend(
                finder
                    .find_iter(window)
                    .take_while(|&p| p < limit)
                    .map(|p| (p, which)),
            );
        }
        hits.sort_unstable();
        for &(p, which) in &hits {
            if !found(which, pos + p as u64)? {
                return Ok(());
            }
        }
        if last || limit == 0 {
            break;
        }
        pos += limit as u64;
    }
    Ok(())
}

impl<S: Source> PdfReader<S> {
    /// What the reader corrected so far: cross-reference sections and objects found a few
    /// bytes from their recorded offsets, object numbers listed twice in one section. Objects
    /// are read lazily, so this grows as they are resolved.
    pub fn repairs(&self) -> Vec<Repair> {
        self.repairs.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Byte offsets of every cross-reference section read (tables and streams, `/XRefStm`
    /// streams included), newest first: an xref stream need not list itself (ISO 32000-2
    /// §7.5.8.1 leaves it open, pypdf does not), yet it is accounted for.
    pub fn xref_section_offsets(&self) -> &[u64] {
        &self.sections
    }

    /// The /Info of every trailer in the `/Prev` chain, newest first, without repeats: an
    /// update may drop /Info from its trailer (pypdf does) while the dictionary stays the
    /// document's information dictionary for readers that look further back.
    pub fn info_refs(&self) -> &[ObjRef] {
        &self.info_refs
    }

    pub(crate) fn record_repair(&self, offsets: [u64; 2], message: String) {
        if let Ok(mut r) = self.repairs.lock()
            && r.len() < MAX_REPAIRS
            && !r
                .iter()
                .any(|x| x.offsets == offsets && x.message == message)
        {
            r.push(Repair { offsets, message });
        }
    }

    /// Every object number with its newest cross-reference entry and generation, in no
    /// particular order: what the validator compares between a signed revision and the
    /// final document.
    pub fn xref_entries(&self) -> impl Iterator<Item = (ObjRef, XrefEntry)> + '_ {
        self.xref
            .iter()
            .map(|(num, slot)| (ObjRef::new(num, slot.generation), slot.entry))
    }

    /// Offsets of every occurrence of `needle` at or after `from`, in order, at most `limit`
    /// of them (then [`Error::LimitExceeded`]). Scans in chunks.
    pub fn find_all(&self, from: u64, needle: &'static [u8], limit: usize) -> Result<Vec<u64>> {
        let mut out = Vec::new();
        self.scan(from, needle, |pos| {
            if out.len() >= limit {
                return Err(Error::LimitExceeded {
                    what: "occurrences found by a scan",
                    limit,
                });
            }
            out.push(pos);
            Ok(true)
        })?;
        Ok(out)
    }
}

#[cfg(test)]
mod scan_tests {
    use super::*;

    /// Every occurrence of every needle, by brute force.
    fn naive(hay: &[u8], needles: &[&[u8]]) -> Vec<(u64, usize)> {
        let mut out = Vec::new();
        for (which, n) in needles.iter().enumerate() {
            for p in 0..hay.len().saturating_sub(<[u8]>::len(n) - 1) {
                if hay[p..].starts_with(n) {
                    out.push((p as u64, which));
                }
            }
        }
        out.sort_unstable();
        out
    }

    #[test]
    fn one_pass_finds_each_occurrence_once_across_chunk_boundaries() {
        let needles: [&[u8]; 2] = [b"%%EOF", b"/ByteRange"];
        // Needles at every offset around several chunk boundaries, some overlapping.
        let mut seed = 0x2545_f491_u32;
        for round in 0..200 {
            let len = 40 + round % 97;
            let mut hay: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    b"%EOF/ByteRangex"[(seed >> 16) as usize % 15]
                })
                .collect();
            let at = round % (len - 12);
            hay[at..at + 10].copy_from_slice(b"/ByteRange");
            for chunk in [16, 17, 23, 64] {
                let mut got = Vec::new();
                scan_source(&hay, hay.len() as u64, 0, &needles, chunk, |w, p| {
                    got.push((p, w));
                    Ok(true)
                })
                .expect("scan");
                got.sort_unstable();
                assert_eq!(got, naive(&hay, &needles), "round {round}, chunk {chunk}");
            }
        }
    }
}
