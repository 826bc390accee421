//! The error type of kyso-pdf.

use crate::object::ObjRef;

/// What can go wrong when reading, signing or validating a PDF.
///
/// Every variant that is about a place in a file names it: a byte offset, an object
/// number, or both (in the message).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the underlying file or buffer failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// No `%PDF-x.y` header in the first 1024 bytes (ISO 32000-2 §7.5.2).
    #[error("not a PDF file: no %PDF-x.y header in the first 1024 bytes")]
    NotPdf,
    /// The bytes at `offset` do not follow the PDF syntax (ISO 32000-2 §7.2, §7.3).
    #[error("PDF syntax error at byte {offset}: {message}")]
    Syntax {
        /// Byte offset in the file (or in the buffer given to a parse function).
        offset: u64,
        /// What was expected and what was found.
        message: String,
    },
    /// The `startxref` pointer, a cross-reference section or a trailer is unusable
    /// (ISO 32000-2 §7.5.4, §7.5.5, §7.5.8).
    #[error("bad cross-reference data at byte {offset}: {message}")]
    Xref {
        /// Byte offset of the section (or of the `startxref` keyword).
        offset: u64,
        /// What is wrong.
        message: String,
    },
    /// An object the document needs (catalog, page tree node, ...) does not exist.
    #[error("object {0} not found")]
    ObjectNotFound(ObjRef),
    /// An indirect object exists but cannot be read or has the wrong shape.
    #[error("bad object {object}: {message}")]
    BadObject {
        /// The object concerned.
        object: ObjRef,
        /// What is wrong, with the byte offset where it applies.
        message: String,
    },
    /// The document is encrypted (ISO 32000-2 §7.6); kyso does not sign encrypted documents.
    #[error("the document is encrypted; encrypted documents are not supported")]
    Encrypted,
    /// The password opens neither as the user nor as the owner password of an encrypted
    /// document (ISO 32000-2 §7.6.4.4). The empty password was tried unless one was given.
    #[error("the document is encrypted and the password does not open it")]
    WrongPassword,
    /// The document's encryption is not one kyso reads: another security handler (public
    /// key), revision or method, or a malformed encryption dictionary.
    #[error("unsupported encryption: {0}")]
    UnsupportedEncryption(String),
    /// A page index past the end of the document's page tree (ISO 32000-2 §7.7.3).
    #[error("page index {index} out of range: the document has {count} pages")]
    PageOutOfRange {
        /// The index asked for (0-based).
        index: usize,
        /// The page count from the page tree root's `/Count`.
        count: usize,
    },
    /// A resource limit protecting against hostile input was reached.
    #[error("limit exceeded: {what} (limit {limit})")]
    LimitExceeded {
        /// What was being counted.
        what: &'static str,
        /// The limit (see the `MAX_*` constants).
        limit: usize,
    },
    /// A valid PDF feature kyso does not implement (e.g. a stream filter).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// An invariant of kyso's own broke (a bug, never the input's fault): a worker thread
    /// panicked, a value kyso wrote is missing. Please report it.
    #[error("internal error (a bug in kyso, please report it): {0}")]
    Internal(&'static str),
    /// Stream data could not be decoded with its filter (ISO 32000-2 §7.4).
    #[error("stream decoding failed: {0}")]
    Decode(String),

    /// The input file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Input {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file ends before a length or offset it declares.
    #[error("file is truncated: data missing at byte {offset}")]
    Truncated {
        /// Where data was expected.
        offset: u64,
    },
    /// The output path names the input file; kyso never modifies its input.
    #[error("output {0} is the input file; choose another output path")]
    OutputIsInput(std::path::PathBuf),
    /// The field asked for exists but is not a signature field (ISO 32000-2 §12.7.5.5).
    #[error("field '{name}' is a /{field_type} field, not a signature field")]
    NotSignatureField {
        /// Fully qualified field name.
        name: String,
        /// Its /FT.
        field_type: String,
    },
    /// The signature field asked for already holds a signature.
    #[error("signature field '{name}' is already signed")]
    FieldAlreadySigned {
        /// Fully qualified field name.
        name: String,
    },
    /// A certification signature with DocMDP /P 1 forbids any further change
    /// (ISO 32000-2 §12.8.2.2.2).
    #[error(
        "the document is certified with 'no changes allowed' (DocMDP P=1); it cannot be signed again"
    )]
    CertifiedNoChanges,
    /// The CMS is larger than the /Contents placeholder reserved for it.
    #[error("signature needs {needed} bytes but the placeholder holds {available}")]
    PlaceholderTooSmall {
        /// Bytes of DER CMS.
        needed: usize,
        /// Bytes reserved.
        available: usize,
    },
    /// A deferred-signing state does not match its pending file or cannot be decoded.
    #[error("deferred signing state is unusable: {0}")]
    State(String),
    /// The font file cannot be used.
    #[error("font: {0}")]
    Font(String),

    /// The appearance text has a character the font does not have.
    #[error("the font {font} has no glyph for '{character}' (U+{:04X}); choose a font that has it (--font)", *character as u32)]
    MissingGlyph {
        /// The character.
        character: char,
        /// The font's name.
        font: String,
    },

    /// The signature or seal image cannot be used.
    #[error("image: {0}")]
    Image(String),

    /// The appearance cannot be drawn as asked.
    #[error("appearance: {0}")]
    Appearance(String),

    /// The text does not fit its box.
    #[error(
        "the text does not fit a {width:.1} × {height:.1} pt box at {size} pt; enlarge the box or shorten the text"
    )]
    TextDoesNotFit {
        /// Box width, points.
        width: f64,
        /// Box height, points.
        height: f64,
        /// The smallest size tried, points.
        size: f64,
    },

    /// The signature's rectangle is not on the page.
    #[error("the signature box {rect:?} is not on page {} (visible area {visible:?}, user space)", page + 1)]
    RectOffPage {
        /// Page index (0-based).
        page: usize,
        /// The rectangle asked for, user space.
        rect: [f64; 4],
        /// The page's visible box.
        visible: [f64; 4],
    },

    /// The anchor text is on no page searched.
    #[error("the anchor text \"{text}\" was not found on the page")]
    AnchorNotFound {
        /// The text looked for.
        text: String,
    },

    /// Building the CMS signature failed (including the signer's own failure).
    #[error(transparent)]
    Cms(#[from] kyso_cms::Error),
    /// A signed PDF cannot be extended (B-T, B-LT, B-LTA): which signature, and why.
    #[error("cannot extend {field}: {problem}")]
    Extend {
        /// The signature field ("" for the document as a whole).
        field: String,
        /// What stands in the way.
        problem: String,
    },
}

/// A `Result` whose error is kyso-pdf's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
