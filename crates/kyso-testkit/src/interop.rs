//! Independent implementations that sign, edit and verify PDFs, for testing kyso
//! against them.
//!
//! | function | implementation | does |
//! | --- | --- | --- |
//! | [`pdfbox_sign`] | PDFBox 2 + BouncyCastle `CMSSignedDataGenerator` ([`INTEROP_JAVA`]) | signs: `/adbe.pkcs7.detached`, RSA, RSASSA-PSS or ECDSA |
//! | [`itext5_sign`], [`itext5_sign_cades`] | iText 5 `MakeSignature.signDetached` | signs: `CryptoStandard.CMS` or `CADES` |
//! | [`signpdf_sign`] | node, `@signpdf` 3 with node-forge ([`SIGNPDF_JS`]) | signs: `/adbe.pkcs7.detached`, RSA only |
//! | [`pdfsig_sign`] | poppler's `pdfsig -add-signature`, NSS | signs: `/adbe.pkcs7.detached` |
//! | [`openssl_cms_stream`] | `openssl cms -sign -stream` | a detached BER CMS for kyso's deferred signing |
//! | [`pypdf_edit`] | pypdf `PdfWriter(reader, incremental=True)` ([`PYPDF_EDIT_PY`]) | edits a signed file: metadata, annotation, form fill, page content |
//! | [`pdfbox_edit`] | PDFBox 2 `saveIncremental` | edits a signed file: annotation, form fill |
//! | [`pdfbox_verify`] | PDFBox 2 + BouncyCastle `SignerInformation.verify` | verifies every signature |
//! | [`itext5_verify`] | iText 5 `AcroFields.verifySignature` → `PdfPKCS7.verify` | verifies every signature |
//!
//! Every signer signs with SHA-256, puts a detached CMS into a new invisible signature
//! field and embeds the whole chain (leaf, intermediate, root). The Java work (PDFBox,
//! iText) runs in one JVM per batch ([`sign_batch`], [`java_verify_batch`]), the
//! node work in one node process per batch.
//!
//! # What is needed, and where it is kept
//!
//! * Java 17 (`javac`, `java`) and the Debian jars in [`JAVA_DIR`] (packages
//!   `libpdfbox2-java`, `libbcpkix-java`, `libitext5-java` and what they pull in);
//!   [`INTEROP_JAVA`] is compiled on first use into
//!   `shared_dir()/java-classes-<hash of source and classpath>`;
//! * `node` and `npm`: the pinned [`SIGNPDF_PACKAGES`] are installed on first use
//!   (`npm install --no-audit --no-fund`, from the npm registry) into
//!   `shared_dir()/signpdf-npm-<hash of the pins>`;
//! * `pdfsig` (poppler-utils), `certutil` and `pk12util` (libnss3-tools): one NSS
//!   database a leaf, holding its PKCS#12 file, in
//!   `shared_dir()/pdfsig-nss-<leaf>-<hash of its certificate>`;
//! * `python3` with pypdf >= 5; `openssl`.
//!
//! Each cached directory is built in a temporary directory and renamed into place,
//! as the [`TestPki`](crate::TestPki) is. A missing tool panics with the fix
//! (`javac not installed: run scripts/test.sh`).
//!
//! # Known limitations of the implementations (this machine's versions)
//!
//! What follows is what the tools do, not what kyso-testkit chose; the tests in
//! `tests/interop.rs` pin each point down, so a change of behaviour shows.
//!
//! * PDFBox 2.0.27: its CMS is BER (`CMSSignedData.getEncoded()`): indefinite lengths
//!   on the ContentInfo, its `[0]`, the SignedData and the `certificates [0]`. Its
//!   incremental update of a cross-reference-stream file writes an xref stream that
//!   has no entry for itself, which `qpdf --check` warns about ("reported number of
//!   objects … is not one plus the highest object number").
//! * iText 5.5.13: for an ECDSA key it writes `id-ecPublicKey` (1.2.840.10045.2.1) as
//!   the SignerInfo's signature algorithm, which pyHanko and BouncyCastle reject; for
//!   the PSS leaf it signs PKCS#1 v1.5 (iText 5 has no RSASSA-PSS). As a verifier it
//!   knows no ECDSA OID and no RSASSA-PSS at all: [`itext5_verify`] registers the ECDSA
//!   OIDs (see there); PSS signatures stay unverifiable.
//! * @signpdf 3.3.0: node-forge signs with RSA keys only (the P-256 leaf fails, forge
//!   cannot even read an EC certificate); the plain placeholder cannot read a file
//!   whose last cross-reference section is a stream ("Expected xref at NaN"), and the
//!   `startxref` it writes points one byte before the `xref` keyword (qpdf warns
//!   "extraneous whitespace seen before xref"). The pdf-lib placeholder reads every
//!   corpus input but saves the whole document anew: earlier revisions are lost.
//! * pdfsig (poppler 22.12): signs with PKCS#1 v1.5 for the PSS leaf (NSS picks the
//!   scheme from the key type); writes the new objects with generation 1, which
//!   pyHanko reads only leniently ("orphaned generation"); embeds a whole TrueType
//!   font (about 1.1 MB) in the AcroForm for the invisible widget's appearance; its
//!   CMS is BER (indefinite ContentInfo, `[0]`, SignedData, EncapsulatedContentInfo).
//!   With an ECDSA key, 45 to 65 % of the runs (measured on the corpus) fail with
//!   "unable update signature", leaving a file whose placeholder was never filled; no
//!   run with an RSA key did: [`pdfsig_sign`] retries.
//! * pypdf 7: an incremental update always ends in an xref stream, even after a
//!   classic xref table, and that stream has no entry for itself (qpdf warns as for
//!   PDFBox); its trailer drops `/Info` unless the edit changed the Info dictionary.
//! * `openssl cms` (3.0): `-stream` output in DER form always carries the content
//!   (`-nodetach` or not); without `-stream` the output is definite-length DER. With
//!   an RSASSA-PSS key `-stream` fails ("illegal zero content"). See
//!   [`openssl_cms_stream`].

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

use crate::cache::{build_once, shared_dir};
use crate::pki::Leaf;
use crate::tools::{combined, require, run, run_ok};

/// The Java source of every PDFBox and iText job (`crates/kyso-testkit/java/KysoInterop.java`):
/// one class reading tab-separated jobs from stdin and printing one line of JSON a job.
pub const INTEROP_JAVA: &str = include_str!("../java/KysoInterop.java");

/// The node script of [`signpdf_sign`] (`crates/kyso-testkit/js/sign.js`).
pub const SIGNPDF_JS: &str = include_str!("../js/sign.js");

/// The Python script of [`pypdf_edit`] (`crates/kyso-testkit/py/edit.py`).
pub const PYPDF_EDIT_PY: &str = include_str!("../py/edit.py");

/// Where the Debian Java packages put their jars.
pub const JAVA_DIR: &str = "/usr/share/java";

/// The jars on the classpath of [`INTEROP_JAVA`], each with the Debian package that
/// installs it.
pub const JAVA_JARS: [(&str, &str); 7] = [
    ("pdfbox2.jar", "libpdfbox2-java"),
    ("fontbox2.jar", "libfontbox2-java"),
    ("commons-logging.jar", "libcommons-logging-java"),
    ("bcprov.jar", "libbcprov-java"),
    ("bcpkix.jar", "libbcpkix-java"),
    ("bcutil.jar", "libbcutil-java"),
    ("itext5.jar", "libitext5-java"),
];

/// The npm packages [`signpdf_sign`] runs, with their pinned versions.
pub const SIGNPDF_PACKAGES: [(&str, &str); 7] = [
    ("@signpdf/signpdf", "3.3.0"),
    ("@signpdf/placeholder-plain", "3.3.0"),
    ("@signpdf/placeholder-pdf-lib", "3.3.0"),
    ("@signpdf/signer-p12", "3.3.0"),
    ("@signpdf/utils", "3.3.0"),
    ("node-forge", "1.4.3"),
    ("pdf-lib", "1.17.1"),
];

/// How many times [`pdfsig_sign`] runs `pdfsig` while it fails with "unable update
/// signature" (see the [module docs](self)): with a failure rate of two thirds, 20
/// attempts all fail once in 3 000 signings.
pub const PDFSIG_ATTEMPTS: usize = 20;

// --- signers --------------------------------------------------------------------------

/// The `/SubFilter`, and with it the CMS profile, of an iText 5 signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubFilter {
    /// `/adbe.pkcs7.detached` (iText's `CryptoStandard.CMS`).
    Pkcs7Detached,
    /// `/ETSI.CAdES.detached` (iText's `CryptoStandard.CADES`: adds the
    /// signing-certificate-v2 attribute).
    CadesDetached,
}

/// How [`signpdf_sign`] prepares the signature placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignpdfPlaceholder {
    /// `@signpdf/placeholder-plain`: an incremental update made by string operations;
    /// cannot read cross-reference streams.
    Plain,
    /// `@signpdf/placeholder-pdf-lib`: pdf-lib rewrites the whole document
    /// (`useObjectStreams: false`), so earlier revisions are not kept.
    PdfLib,
}

/// One of the independent signers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signer {
    /// PDFBox 2 with BouncyCastle ([`pdfbox_sign`]).
    Pdfbox,
    /// iText 5 ([`itext5_sign`], [`itext5_sign_cades`]).
    Itext5(SubFilter),
    /// @signpdf with node-forge ([`signpdf_sign`]).
    Signpdf(SignpdfPlaceholder),
    /// poppler's `pdfsig` with NSS ([`pdfsig_sign`]).
    Pdfsig,
}

impl Signer {
    /// Every signer and variant.
    pub const ALL: [Signer; 6] = [
        Signer::Pdfbox,
        Signer::Itext5(SubFilter::Pkcs7Detached),
        Signer::Itext5(SubFilter::CadesDetached),
        Signer::Signpdf(SignpdfPlaceholder::Plain),
        Signer::Signpdf(SignpdfPlaceholder::PdfLib),
        Signer::Pdfsig,
    ];

    /// A short name for file and test names (`pdfbox`, `itext5-cades`, `signpdf-plain`).
    pub fn name(self) -> &'static str {
        match self {
            Signer::Pdfbox => "pdfbox",
            Signer::Itext5(SubFilter::Pkcs7Detached) => "itext5-cms",
            Signer::Itext5(SubFilter::CadesDetached) => "itext5-cades",
            Signer::Signpdf(SignpdfPlaceholder::Plain) => "signpdf-plain",
            Signer::Signpdf(SignpdfPlaceholder::PdfLib) => "signpdf-pdf-lib",
            Signer::Pdfsig => "pdfsig",
        }
    }
}

/// One file for [`sign_batch`] to sign.
#[derive(Debug, Clone)]
pub struct SignRequest<'a> {
    /// Who signs.
    pub signer: Signer,
    /// The PDF to sign (read only).
    pub input: PathBuf,
    /// Where to write the signed PDF; nothing is written when signing fails.
    pub output: PathBuf,
    /// Whose key and chain.
    pub leaf: &'a Leaf,
}

/// Signs `input` into `output` with PDFBox 2 as its CreateSignature example does:
/// `PDSignature` with `/Adobe.PPKLite`, `/adbe.pkcs7.detached`, a new invisible field
/// (`Signature1`, or the next free number), `doc.addSignature(sig, SignatureInterface)`
/// whose CMS comes from BouncyCastle's `CMSSignedDataGenerator` (content signer
/// `SHA256withRSA`, `SHA256withRSAandMGF1` for the PSS leaf — BouncyCastle's default
/// PSS parameters: MGF1-SHA-256, salt 32 — or `SHA256withECDSA`), then
/// `saveIncremental`.
///
/// # Panics
///
/// If Java or a jar is missing, or PDFBox fails (its stack trace is in the message).
pub fn pdfbox_sign(input: impl AsRef<Path>, output: impl AsRef<Path>, leaf: &Leaf) {
    sign_or_panic(Signer::Pdfbox, input.as_ref(), output.as_ref(), leaf);
}

/// Signs `input` into `output` with iText 5:
/// `PdfStamper.createSignature(reader, out, '\0', null, true)` (append mode), an
/// invisible field (`Signature1`, or the next free number),
/// `MakeSignature.signDetached` with `PrivateKeySignature(key, "SHA-256", "BC")` and
/// `CryptoStandard.CMS` (`/adbe.pkcs7.detached`).
///
/// # Panics
///
/// If Java or a jar is missing, or iText fails.
pub fn itext5_sign(input: impl AsRef<Path>, output: impl AsRef<Path>, leaf: &Leaf) {
    let signer = Signer::Itext5(SubFilter::Pkcs7Detached);
    sign_or_panic(signer, input.as_ref(), output.as_ref(), leaf);
}

/// Like [`itext5_sign`], with `CryptoStandard.CADES` (`/ETSI.CAdES.detached`).
///
/// # Panics
///
/// If Java or a jar is missing, or iText fails.
pub fn itext5_sign_cades(input: impl AsRef<Path>, output: impl AsRef<Path>, leaf: &Leaf) {
    let signer = Signer::Itext5(SubFilter::CadesDetached);
    sign_or_panic(signer, input.as_ref(), output.as_ref(), leaf);
}

/// Signs `input` into `output` with @signpdf: `plainAddPlaceholder` (an incremental
/// update adding the field `Signature1`, 16 384-byte placeholder), then
/// `signpdf.sign` with a `P12Signer` on the leaf's modern PKCS#12 file — node-forge's
/// PKCS#7, SHA-256, PKCS#1 v1.5. RSA leaves only; not for cross-reference-stream
/// inputs (see the [module docs](self); [`try_sign`] with
/// [`SignpdfPlaceholder::PdfLib`] reads those).
///
/// # Panics
///
/// If node or npm is missing, the packages cannot be installed, or @signpdf fails.
pub fn signpdf_sign(input: impl AsRef<Path>, output: impl AsRef<Path>, leaf: &Leaf) {
    let signer = Signer::Signpdf(SignpdfPlaceholder::Plain);
    sign_or_panic(signer, input.as_ref(), output.as_ref(), leaf);
}

/// Signs `input` into `output` with poppler's
/// `pdfsig -add-signature -nssdir sql:DB -nick CN -digest SHA256
/// -new-signature-field-name SignatureN` (N one more than the signatures the file
/// has), DB being an NSS database (empty password) into which `pk12util` imported the
/// leaf's PKCS#12 file. `pdfsig` 22.12 offers no `-etsi` with `-add-signature`, so the
/// signature is `/adbe.pkcs7.detached`. Runs up to [`PDFSIG_ATTEMPTS`] times while
/// pdfsig fails with "unable update signature" (ECDSA, see the [module docs](self)).
///
/// # Panics
///
/// If pdfsig, certutil or pk12util is missing, or pdfsig fails.
pub fn pdfsig_sign(input: impl AsRef<Path>, output: impl AsRef<Path>, leaf: &Leaf) {
    sign_or_panic(Signer::Pdfsig, input.as_ref(), output.as_ref(), leaf);
}

/// Signs with `signer`: `Err` with the tool's output when it fails (and then leaves no
/// `output` file).
///
/// # Panics
///
/// If the tool is not installed.
pub fn try_sign(
    signer: Signer,
    input: impl AsRef<Path>,
    output: impl AsRef<Path>,
    leaf: &Leaf,
) -> Result<(), String> {
    let request = SignRequest {
        signer,
        input: input.as_ref().to_path_buf(),
        output: output.as_ref().to_path_buf(),
        leaf,
    };
    sign_batch(&[request])
        .pop()
        .expect("one result per request")
}

/// Signs every request, one result each, in order: the Java requests in one JVM, the
/// @signpdf ones in one node process, the pdfsig ones one after the other.
///
/// # Panics
///
/// If a tool that a request needs is not installed.
pub fn sign_batch(requests: &[SignRequest<'_>]) -> Vec<Result<(), String>> {
    let mut results: Vec<Option<Result<(), String>>> = vec![None; requests.len()];

    let java: Vec<usize> = (0..requests.len())
        .filter(|&i| matches!(requests[i].signer, Signer::Pdfbox | Signer::Itext5(_)))
        .collect();
    if !java.is_empty() {
        let jobs: Vec<Vec<String>> = java.iter().map(|&i| java_sign_job(&requests[i])).collect();
        for (&i, r) in java.iter().zip(run_java(&jobs)) {
            results[i] = Some(r.map(|_| ()));
        }
    }

    let node: Vec<usize> = (0..requests.len())
        .filter(|&i| matches!(requests[i].signer, Signer::Signpdf(_)))
        .collect();
    if !node.is_empty() {
        for (&i, r) in node.iter().zip(run_signpdf(requests, &node)) {
            results[i] = Some(r);
        }
    }

    for (i, request) in requests.iter().enumerate() {
        if request.signer == Signer::Pdfsig {
            results[i] = Some(run_pdfsig_sign(request));
        }
    }
    results
        .into_iter()
        .map(|r| r.expect("every request handled"))
        .collect()
}

fn sign_or_panic(signer: Signer, input: &Path, output: &Path, leaf: &Leaf) {
    if let Err(e) = try_sign(signer, input, output, leaf) {
        panic!(
            "{} could not sign {} with {}:\n{e}",
            signer.name(),
            input.display(),
            leaf.kind.name()
        );
    }
}

fn java_sign_job(r: &SignRequest<'_>) -> Vec<String> {
    let (cmd, last) = match r.signer {
        Signer::Pdfbox => ("pdfbox-sign", r.leaf.kind.uses_pss().to_string()),
        Signer::Itext5(SubFilter::Pkcs7Detached) => ("itext5-sign", "CMS".to_owned()),
        Signer::Itext5(SubFilter::CadesDetached) => ("itext5-sign", "CADES".to_owned()),
        _ => unreachable!("not a Java signer"),
    };
    vec![
        cmd.to_owned(),
        utf8(&r.input),
        utf8(&r.output),
        utf8(&r.leaf.key_pem),
        utf8(&r.leaf.cert_pem),
        utf8(&r.leaf.chain_pem),
        last,
    ]
}

// --- openssl ------------------------------------------------------------------------

/// A detached CMS SignedData over `data`, as BER with indefinite lengths, made by
/// `openssl cms -sign -binary -stream -outform DER -md sha256 -signer cert -inkey key
/// -certfile chain` (for the PSS leaf also `-keyopt rsa_padding_mode:pss
/// -keyopt rsa_pss_saltlen:32`). Signed attributes are OpenSSL's defaults
/// (contentType, signingTime, SMIMECapabilities, messageDigest). The caller embeds it
/// through kyso's deferred-signing API.
///
/// OpenSSL streams the content into the `eContent` of its output whether or not
/// `-nodetach` is given (its NDEF BIO writes what it reads; without `-stream` the
/// output is detached but definite-length DER). So the `[0] eContent` is cut out of the
/// EncapsulatedContentInfo afterwards: every length around it is indefinite, so no
/// length changes, and the signature — over the signed attributes, whose
/// messageDigest is that of `data` — stays valid. The result starts
/// `30 80 06 09 2A 86 48 86 F7 0D 01 07 02 A0 80 30 80` and verifies with
/// `openssl cms -verify -binary -inform DER -content data`.
///
/// # Panics
///
/// If `openssl` is missing or fails — OpenSSL 3.0 cannot stream-sign with
/// RSASSA-PSS ("illegal zero content"), so the PSS leaf panics — or its output is not
/// the indefinite-length form described above.
pub fn openssl_cms_stream(data: &[u8], leaf: &Leaf) -> Vec<u8> {
    let mut extra = vec!["-stream", "-md", "sha256"];
    if leaf.kind.uses_pss() {
        extra.extend([
            "-keyopt",
            "rsa_padding_mode:pss",
            "-keyopt",
            "rsa_pss_saltlen:32",
        ]);
    }
    let attached = crate::reference::openssl_cms_sign(data, leaf, &extra);
    strip_econtent(&attached)
        .unwrap_or_else(|e| panic!("unexpected output of openssl cms -sign -stream: {e}"))
}

/// Removes the `[0] eContent` of the EncapsulatedContentInfo of a SignedData whose
/// ContentInfo, `[0]`, SignedData and EncapsulatedContentInfo all have indefinite
/// lengths.
fn strip_econtent(ber: &[u8]) -> Result<Vec<u8>, String> {
    let indefinite = |at: usize, tag: u8, what: &str| -> Result<usize, String> {
        let h = header(ber, at)?;
        if h.tag != tag || h.len.is_some() {
            return Err(format!(
                "{what} at {at}: expected tag {tag:#04x} with an indefinite length, got tag {:#04x} length {:?}",
                h.tag, h.len
            ));
        }
        Ok(h.content)
    };
    let content_info = indefinite(0, 0x30, "ContentInfo")?;
    let explicit = indefinite(element_end(ber, content_info, 0, &mut |_| {})?, 0xa0, "[0]")?;
    let signed_data = indefinite(explicit, 0x30, "SignedData")?;
    let version_end = element_end(ber, signed_data, 0, &mut |_| {})?;
    let digests_end = element_end(ber, version_end, 0, &mut |_| {})?;
    let encap = indefinite(digests_end, 0x30, "EncapsulatedContentInfo")?;
    let econtent = element_end(ber, encap, 0, &mut |_| {})?;
    match ber.get(econtent..econtent + 2) {
        Some([0, 0]) => Ok(ber.to_vec()),
        Some([0xa0, _]) => {
            let end = element_end(ber, econtent, 0, &mut |_| {})?;
            let mut out = ber[..econtent].to_vec();
            out.extend_from_slice(&ber[end..]);
            Ok(out)
        }
        other => Err(format!("after eContentType: {other:?}")),
    }
}

// --- BER, for looking at what the signers wrote ----------------------------------------

/// The total length of the BER (or DER) element at the start of `ber`, end-of-contents
/// octets included: how much of a zero-padded `/Contents` is the CMS.
pub fn ber_len(ber: &[u8]) -> Result<usize, String> {
    element_end(ber, 0, 0, &mut |_| {})
}

/// The tags of the elements of the first BER element of `ber` (it included) that have
/// an indefinite length, in encoding order; empty for DER. PDFBox's CMS gives
/// `[0x30, 0xa0, 0x30, 0xa0]` (ContentInfo, `[0]`, SignedData, certificates).
pub fn indefinite_length_tags(ber: &[u8]) -> Result<Vec<u8>, String> {
    let mut tags = Vec::new();
    element_end(ber, 0, 0, &mut |t| tags.push(t))?;
    Ok(tags)
}

/// The CMS of the `index`-th signature (from 0, in file order) of `pdf`: the
/// `/Contents` hex string between the two `/ByteRange` ranges, decoded and cut at the
/// end of its first BER element. Unlike
/// [`extract_signature`](crate::validators::extract_signature) it accepts
/// indefinite lengths.
pub fn signature_contents(pdf: &[u8], index: usize) -> Result<Vec<u8>, String> {
    let ranges = crate::validators::byte_ranges(pdf);
    let &[a, b, c, _] = ranges
        .get(index)
        .ok_or_else(|| format!("no signature #{index}: {} /ByteRange found", ranges.len()))?;
    let (start, end) = (usize::try_from(a + b).ok(), usize::try_from(c).ok());
    let gap = start
        .zip(end)
        .and_then(|(s, e)| pdf.get(s..e))
        .ok_or_else(|| format!("/ByteRange {:?} does not fit the file", ranges[index]))?;
    let hex_str: Vec<u8> = gap
        .strip_prefix(b"<")
        .and_then(|g| g.strip_suffix(b">"))
        .ok_or("the gap between the ranges is not a hex string <…>")?
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let mut cms = hex::decode(hex_str).map_err(|e| format!("/Contents is not hex: {e}"))?;
    let len = ber_len(&cms)?;
    cms.truncate(len);
    Ok(cms)
}

struct Header {
    tag: u8,
    /// Offset of the content.
    content: usize,
    /// `None`: indefinite.
    len: Option<usize>,
}

fn header(b: &[u8], at: usize) -> Result<Header, String> {
    let short = || format!("truncated BER at {at}");
    let tag = *b.get(at).ok_or_else(short)?;
    if tag & 0x1f == 0x1f {
        return Err(format!("multi-byte tag at {at}"));
    }
    let first = *b.get(at + 1).ok_or_else(short)?;
    if first < 0x80 {
        return Ok(Header {
            tag,
            content: at + 2,
            len: Some(usize::from(first)),
        });
    }
    if first == 0x80 {
        if tag & 0x20 == 0 {
            return Err(format!("indefinite length on a primitive at {at}"));
        }
        return Ok(Header {
            tag,
            content: at + 2,
            len: None,
        });
    }
    let n = usize::from(first & 0x7f);
    if n > 4 {
        return Err(format!("{n}-byte length at {at}"));
    }
    let bytes = b.get(at + 2..at + 2 + n).ok_or_else(short)?;
    let len = bytes
        .iter()
        .fold(0usize, |acc, &x| acc << 8 | usize::from(x));
    Ok(Header {
        tag,
        content: at + 2 + n,
        len: Some(len),
    })
}

/// The end of the element at `at`, calling `indefinite` with the tag of every element
/// (this one and those inside) that has an indefinite length.
fn element_end(
    b: &[u8],
    at: usize,
    depth: usize,
    indefinite: &mut dyn FnMut(u8),
) -> Result<usize, String> {
    if depth > 64 {
        return Err("BER nested too deep".into());
    }
    let h = header(b, at)?;
    match h.len {
        None => {
            indefinite(h.tag);
            let mut pos = h.content;
            loop {
                match b.get(pos..pos + 2) {
                    Some([0, 0]) => return Ok(pos + 2),
                    Some(_) => pos = element_end(b, pos, depth + 1, indefinite)?,
                    None => return Err(format!("no end-of-contents for the element at {at}")),
                }
            }
        }
        Some(len) => {
            let end = h
                .content
                .checked_add(len)
                .filter(|&e| e <= b.len())
                .ok_or_else(|| format!("element at {at} runs past the end"))?;
            if h.tag & 0x20 != 0 {
                let mut pos = h.content;
                while pos < end {
                    pos = element_end(b, pos, depth + 1, indefinite)?;
                }
                if pos != end {
                    return Err(format!("children of the element at {at} overrun it"));
                }
            }
            Ok(end)
        }
    }
}

// --- revisions ------------------------------------------------------------------------

/// How many cross-reference sections `pdf` has, following the last `startxref` and
/// then each `/Prev`: one for a fresh file, one more for each incremental update.
/// (A linearized file counts two; a hybrid file's `/XRefStm` is not counted.)
///
/// Test code, not a PDF parser: it looks for `/Prev N` in the trailer after an `xref`
/// table, or in the dictionary of an xref stream up to its `stream` keyword, skipping
/// white space before either (as qpdf does, with a warning).
pub fn revision_count(pdf: &[u8]) -> Result<usize, String> {
    let key = b"startxref";
    let at = pdf
        .windows(key.len())
        .rposition(|w| w == key)
        .ok_or("no startxref")?;
    let mut offset = leading_number(&pdf[at + key.len()..]).ok_or("no number after startxref")?;
    let mut seen = HashSet::new();
    loop {
        if !seen.insert(offset) {
            return Err(format!("/Prev loop at {offset}"));
        }
        let section = pdf
            .get(offset..)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| format!("cross-reference offset {offset} is past the end"))?;
        // Leniently, as qpdf: @signpdf's startxref points at the newline before `xref`.
        let section = &section[section
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(0)..];
        let dict: &[u8] = if section.starts_with(b"xref") {
            let start = find(section, b"trailer").ok_or("xref table without trailer")?;
            let end = find(&section[start..], b"startxref").map_or(section.len(), |e| start + e);
            &section[start..end]
        } else {
            let end = find(section, b"stream").ok_or("xref stream without `stream`")?;
            &section[..end]
        };
        match find(dict, b"/Prev") {
            Some(p) => {
                offset = leading_number(&dict[p + 5..]).ok_or("/Prev without a number")?;
            }
            None => return Ok(seen.len()),
        }
    }
}

fn leading_number(s: &[u8]) -> Option<usize> {
    let s = &s[s.iter().position(|b| !b.is_ascii_whitespace())?..];
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&s[..digits]).ok()?.parse().ok()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

// --- editors --------------------------------------------------------------------------

/// An edit [`pypdf_edit`] makes, as one incremental update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PypdfEdit {
    /// Sets `/Title` in the document information dictionary (`writer.add_metadata`).
    Metadata,
    /// Adds a `/Text` annotation (sticky note) to page 1
    /// (`pypdf.annotations.Text`, `writer.add_annotation`).
    Annotation,
    /// Sets the text field `field` to `value` (`update_page_form_field_values`, which
    /// also writes an appearance stream in Helvetica: keep `value` to what WinAnsi
    /// encodes). Fails if the document has no text field of that name — the corpus has
    /// none: make one with [`PypdfEdit::AddTextField`] before signing.
    FormFill {
        /// The field's fully qualified name.
        field: String,
        /// The new value.
        value: String,
    },
    /// Appends a content stream drawing a line of text to page 1 (with a font
    /// resource `/KysoF1` of its own).
    PageContent,
    /// Adds an empty text field `field` (widget on page 1, Helvetica through the
    /// AcroForm's `/DR`), creating the AcroForm if there is none: the preparation that
    /// [`PypdfEdit::FormFill`] and [`PdfboxEdit::FormFill`] need, or, after a
    /// signature, a change no signature allows.
    AddTextField {
        /// The new field's name.
        field: String,
    },
}

/// Edits `input` into `output` with pypdf (>= 5):
/// `PdfWriter(PdfReader(input), incremental=True)`, the edit, `writer.write(output)` —
/// the input's bytes unchanged, then one incremental update. Mind pypdf's way with
/// incremental updates (an xref stream without an entry for itself, `/Info` dropped
/// from the trailer: see the [module docs](self)).
///
/// # Panics
///
/// If pypdf is not installed or the edit fails (a form field that is not there).
pub fn pypdf_edit(input: impl AsRef<Path>, output: impl AsRef<Path>, edit: &PypdfEdit) {
    let (input, output) = (input.as_ref(), output.as_ref());
    if let Err(e) = try_pypdf_edit(input, output, edit) {
        panic!("pypdf could not edit {} ({edit:?}):\n{e}", input.display());
    }
}

/// Like [`pypdf_edit`], with `Err` (pypdf's traceback) when the edit fails.
///
/// # Panics
///
/// If pypdf is not installed.
pub fn try_pypdf_edit(
    input: impl AsRef<Path>,
    output: impl AsRef<Path>,
    edit: &PypdfEdit,
) -> Result<(), String> {
    require_pypdf();
    let (name, field, value) = match edit {
        PypdfEdit::Metadata => ("metadata", None, None),
        PypdfEdit::Annotation => ("annotation", None, None),
        PypdfEdit::FormFill { field, value } => ("form-fill", Some(field), Some(value)),
        PypdfEdit::PageContent => ("page-content", None, None),
        PypdfEdit::AddTextField { field } => ("add-text-field", Some(field), None),
    };
    let request = serde_json::json!([{
        "input": utf8(input.as_ref()),
        "output": utf8(output.as_ref()),
        "edit": name,
        "field": field,
        "value": value,
    }]);
    let out = run("python3", ["-c", PYPDF_EDIT_PY, &request.to_string()], None);
    let results = json_lines(&out.stdout);
    match results.first() {
        Some(r) if out.status.success() && results.len() == 1 => ok_or_error(r),
        _ => panic!(
            "pypdf edit script failed ({}):\n{}",
            out.status,
            combined(&out)
        ),
    }
}

/// An edit [`pdfbox_edit`] makes, as one incremental update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfboxEdit {
    /// Adds a `PDAnnotationText` (sticky note) to page 1.
    Annotation,
    /// `PDAcroForm.getField(field).setValue(value)`, which also regenerates the
    /// widget's appearance (WinAnsi Helvetica: PDFBox refuses characters it cannot
    /// encode, such as Vietnamese ones). Fails if there is no such field.
    FormFill {
        /// The field's fully qualified name.
        field: String,
        /// The new value.
        value: String,
    },
}

/// Edits `input` into `output` with PDFBox 2's `saveIncremental`, after marking with
/// `setNeedToBeUpdated(true)` every changed object and the path to it from the
/// catalog (page, page-tree nodes and catalog for an annotation; catalog, AcroForm,
/// `/Fields`, field, widgets and their appearance streams for a form fill), as
/// PDFBox 2 requires.
///
/// # Panics
///
/// If Java or a jar is missing, or PDFBox fails.
pub fn pdfbox_edit(input: impl AsRef<Path>, output: impl AsRef<Path>, edit: &PdfboxEdit) {
    let (input, output) = (input.as_ref(), output.as_ref());
    if let Err(e) = try_pdfbox_edit(input, output, edit) {
        panic!("PDFBox could not edit {} ({edit:?}):\n{e}", input.display());
    }
}

/// Like [`pdfbox_edit`], with `Err` (PDFBox's stack trace) when the edit fails.
///
/// # Panics
///
/// If Java or a jar is missing.
pub fn try_pdfbox_edit(
    input: impl AsRef<Path>,
    output: impl AsRef<Path>,
    edit: &PdfboxEdit,
) -> Result<(), String> {
    let mut job = vec![
        "pdfbox-edit".to_owned(),
        utf8(input.as_ref()),
        utf8(output.as_ref()),
    ];
    match edit {
        PdfboxEdit::Annotation => job.push("annotation".into()),
        PdfboxEdit::FormFill { field, value } => {
            job.extend(["form-fill".to_owned(), field.clone(), value.clone()]);
        }
    }
    run_java(&[job]).pop().expect("one result").map(|_| ())
}

// --- verifiers ------------------------------------------------------------------------

/// The Java verifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JavaVerifier {
    /// PDFBox 2 + BouncyCastle ([`pdfbox_verify`]).
    Pdfbox,
    /// iText 5 ([`itext5_verify`]).
    Itext5,
}

/// A Java verifier's verdict on one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaVerdict {
    /// Who judged.
    pub verifier: JavaVerifier,
    /// The signature field's (fully qualified) name.
    pub field_name: String,
    /// The `/SubFilter` without its slash (`adbe.pkcs7.detached`,
    /// `ETSI.CAdES.detached`), if any.
    pub sub_filter: Option<String>,
    /// The CMS verified over the signed bytes: message digest and signature
    /// (`SignerInformation.verify` / `PdfPKCS7.verify` returned true).
    pub verified: bool,
    /// The `/ByteRange` covers the whole file but `/Contents` (PDFBox: `[0 a b c]` with
    /// `b + c` the file's length; iText: `signatureCoversWholeDocument`).
    pub covers_whole_file: bool,
    /// The signer certificate's subject as BouncyCastle's `X500Name` prints it
    /// (`C=VN,ST=Hà Nội,O=…,CN=…,UID=…`), if it was found.
    pub signer_subject: Option<String>,
    /// Why `verified` is false: the exception, or "verify returned false".
    pub error: Option<String>,
    /// The verifier's JSON line for this signature, for failure messages.
    pub raw: String,
}

impl JavaVerdict {
    /// Verified and covering the whole file.
    pub fn is_valid(&self) -> bool {
        self.verified && self.covers_whole_file
    }
}

/// Verifies every signature of `pdf` with PDFBox 2 and BouncyCastle: for each
/// signature field with a value, `PDSignature.getContents` and `getSignedContent`
/// (by the `/ByteRange`), `new CMSSignedData(new CMSProcessableByteArray(content),
/// contents)`, the signer's certificate from the CMS, then
/// `SignerInformation.verify(new JcaSimpleSignerInfoVerifierBuilder().build(cert))`.
/// Trust is not checked. One verdict a signature, in field order.
///
/// # Panics
///
/// If Java or a jar is missing, or PDFBox cannot read the file at all.
pub fn pdfbox_verify(pdf: impl AsRef<Path>) -> Vec<JavaVerdict> {
    verify_or_panic(JavaVerifier::Pdfbox, pdf.as_ref())
}

/// Verifies every signature of `pdf` with iText 5: `AcroFields.getSignatureNames()`,
/// then for each `verifySignature(name, "BC").verify()` and
/// `signatureCoversWholeDocument(name)`. Trust is not checked.
///
/// iText 5.5.13 maps no ECDSA OID to an algorithm name, so out of the box it verifies
/// no ECDSA signature at all; the Java side registers `id-ecPublicKey`,
/// `ecdsa-with-SHA1/256/384/512` as `ECDSA` through iText's own
/// `EncryptionAlgorithms.addAlgorithm` first (ECDSA has no parameters to lose).
/// RSASSA-PSS is not registered (a name would drop its parameters): a PSS signature
/// comes back unverified, with iText's `NoSuchAlgorithmException` as the error.
///
/// # Panics
///
/// If Java or a jar is missing, or iText cannot read the file at all.
pub fn itext5_verify(pdf: impl AsRef<Path>) -> Vec<JavaVerdict> {
    verify_or_panic(JavaVerifier::Itext5, pdf.as_ref())
}

/// Verifies several PDFs in one JVM, one result per file in order: `Err` with the
/// stack trace when the verifier cannot read a file at all.
///
/// # Panics
///
/// If Java or a jar is missing.
pub fn java_verify_batch<P: AsRef<Path>>(
    verifier: JavaVerifier,
    pdfs: &[P],
) -> Vec<Result<Vec<JavaVerdict>, String>> {
    let cmd = match verifier {
        JavaVerifier::Pdfbox => "pdfbox-verify",
        JavaVerifier::Itext5 => "itext5-verify",
    };
    let jobs: Vec<Vec<String>> = pdfs
        .iter()
        .map(|p| vec![cmd.to_owned(), utf8(p.as_ref())])
        .collect();
    run_java(&jobs)
        .into_iter()
        .map(|r| {
            r.map(|sigs| {
                sigs.iter()
                    .map(|s| JavaVerdict {
                        verifier,
                        field_name: s["field"].as_str().unwrap_or_default().to_owned(),
                        sub_filter: s["subfilter"].as_str().map(str::to_owned),
                        verified: s["verified"].as_bool().unwrap_or(false),
                        covers_whole_file: s["covers_whole_file"].as_bool().unwrap_or(false),
                        signer_subject: s["signer_subject"].as_str().map(str::to_owned),
                        error: s["error"].as_str().map(str::to_owned),
                        raw: s.to_string(),
                    })
                    .collect()
            })
        })
        .collect()
}

fn verify_or_panic(verifier: JavaVerifier, pdf: &Path) -> Vec<JavaVerdict> {
    java_verify_batch(verifier, &[pdf])
        .pop()
        .expect("one result")
        .unwrap_or_else(|e| panic!("{verifier:?} cannot read {}:\n{e}", pdf.display()))
}

// --- running Java -----------------------------------------------------------------------

fn classpath_jars() -> Vec<PathBuf> {
    JAVA_JARS
        .iter()
        .map(|(jar, package)| {
            let path = Path::new(JAVA_DIR).join(jar);
            if !path.is_file() {
                panic!(
                    "{package} not installed ({} missing): run scripts/test.sh",
                    path.display()
                );
            }
            path
        })
        .collect()
}

fn join_classpath(entries: &[PathBuf]) -> OsString {
    std::env::join_paths(entries).expect("classpath entries without ':'")
}

/// The compiled [`INTEROP_JAVA`], built once.
fn java_classes() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        require("javac");
        let jars = classpath_jars();
        let classpath = join_classpath(&jars);
        let key = format!("{INTEROP_JAVA}\0{}", classpath.to_string_lossy());
        let name = format!("java-classes-v1-{:016x}", fnv64(key.as_bytes()));
        build_once(&name, |dir| {
            let src = dir.join("src");
            fs::create_dir_all(&src).expect("create src dir");
            let file = src.join("KysoInterop.java");
            fs::write(&file, INTEROP_JAVA).expect("write KysoInterop.java");
            let mut args: Vec<OsString> = ["-encoding", "UTF-8", "-Xlint:none", "-nowarn", "-cp"]
                .map(OsString::from)
                .to_vec();
            args.push(classpath.clone());
            args.push("-d".into());
            args.push(dir.into());
            args.push(file.into());
            run_ok("javac", &args, None);
        })
    })
}

/// Runs the jobs (tab-separated fields) in one JVM; one result per job: the
/// signatures a verify job reported (empty for others), or the stack trace.
fn run_java(jobs: &[Vec<String>]) -> Vec<Result<Vec<Value>, String>> {
    require("java");
    let classes = java_classes();
    let mut cp = vec![classes.to_path_buf()];
    cp.extend(classpath_jars());
    let font_cache = shared_dir().join("pdfbox-fontcache");
    fs::create_dir_all(&font_cache).expect("create the PDFBox font cache dir");
    let mut input = String::new();
    for job in jobs {
        for field in job {
            assert!(
                !field.contains(['\t', '\n', '\r']),
                "a Java job field holds a tab or newline: {field:?}"
            );
        }
        input.push_str(&job.join("\t"));
        input.push('\n');
    }
    let mut cmd = Command::new("java");
    cmd.arg("-XX:TieredStopAtLevel=1")
        .arg("-XX:+UseSerialGC")
        .arg("-Djava.awt.headless=true")
        .arg("-Dfile.encoding=UTF-8")
        .arg(format!("-Dpdfbox.fontcache={}", font_cache.display()))
        .arg("-cp")
        .arg(join_classpath(&cp))
        .arg("KysoInterop")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run java: {e}"));
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("wait for java");
    writer
        .join()
        .expect("stdin writer")
        .unwrap_or_else(|e| panic!("cannot feed the JVM its jobs: {e}\n{}", combined(&out)));
    let results = json_lines(&out.stdout);
    if !out.status.success() || results.len() != jobs.len() {
        panic!(
            "java KysoInterop failed ({}, {} results for {} jobs):\n{}",
            out.status,
            results.len(),
            jobs.len(),
            combined(&out)
        );
    }
    results
        .iter()
        .map(|r| ok_or_error(r).map(|()| r["signatures"].as_array().cloned().unwrap_or_default()))
        .collect()
}

// --- running node (@signpdf) ------------------------------------------------------------

/// The directory holding `node_modules` with [`SIGNPDF_PACKAGES`], installed once.
fn signpdf_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        require("node");
        require("npm");
        let deps: serde_json::Map<String, Value> = SIGNPDF_PACKAGES
            .iter()
            .map(|(name, version)| ((*name).to_owned(), Value::from(*version)))
            .collect();
        let package = serde_json::json!({
            "name": "kyso-testkit-signpdf",
            "private": true,
            "description": "@signpdf for kyso-testkit's interop tests",
            "license": "UNLICENSED",
            "dependencies": deps,
        });
        let package = serde_json::to_string_pretty(&package).expect("package.json");
        let name = format!("signpdf-npm-{:016x}", fnv64(package.as_bytes()));
        build_once(&name, |dir| {
            fs::write(dir.join("package.json"), &package).expect("write package.json");
            let out = run(
                "npm",
                ["install", "--no-audit", "--no-fund", "--loglevel=error"],
                Some(dir),
            );
            if !out.status.success() {
                panic!(
                    "npm install of {SIGNPDF_PACKAGES:?} failed ({}; it needs the npm registry):\n{}",
                    out.status,
                    combined(&out)
                );
            }
        })
    })
}

fn run_signpdf(requests: &[SignRequest<'_>], which: &[usize]) -> Vec<Result<(), String>> {
    let dir = signpdf_dir();
    let jobs: Vec<Value> = which
        .iter()
        .map(|&i| {
            let r = &requests[i];
            let placeholder = match r.signer {
                Signer::Signpdf(SignpdfPlaceholder::Plain) => "plain",
                Signer::Signpdf(SignpdfPlaceholder::PdfLib) => "pdf-lib",
                _ => unreachable!("not a signpdf request"),
            };
            serde_json::json!({
                "input": utf8(&r.input),
                "output": utf8(&r.output),
                "p12": utf8(&r.leaf.p12_modern),
                "passphrase": r.leaf.p12_password,
                "placeholder": placeholder,
                "name": r.leaf.kind.common_name(),
            })
        })
        .collect();
    let request = Value::from(jobs).to_string();
    let out = Command::new("node")
        .args(["-e", SIGNPDF_JS, &request])
        .env("NODE_PATH", dir.join("node_modules"))
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node: {e}"));
    let results = json_lines(&out.stdout);
    if !out.status.success() || results.len() != which.len() {
        panic!(
            "node @signpdf script failed ({}):\n{}",
            out.status,
            combined(&out)
        );
    }
    results.iter().map(ok_or_error).collect()
}

// --- running pdfsig ---------------------------------------------------------------------

/// An NSS database (empty password) holding `leaf`'s key and certificates, built once.
fn pdfsig_nss_db(leaf: &Leaf) -> PathBuf {
    require("certutil");
    require("pk12util");
    let cert = fs::read(&leaf.cert_pem)
        .unwrap_or_else(|e| panic!("read {}: {e}", leaf.cert_pem.display()));
    let name = format!("pdfsig-nss-{}-{:016x}", leaf.kind.name(), fnv64(&cert));
    build_once(&name, |dir| {
        let db = format!("sql:{}", dir.display());
        run_ok("certutil", ["-N", "--empty-password", "-d", &db], None);
        let p12 = utf8(&leaf.p12_modern);
        run_ok(
            "pk12util",
            ["-i", &p12, "-d", &db, "-W", leaf.p12_password, "-K", ""],
            None,
        );
    })
}

fn run_pdfsig_sign(r: &SignRequest<'_>) -> Result<(), String> {
    require("pdfsig");
    let db = format!("sql:{}", pdfsig_nss_db(r.leaf).display());
    let pdf = fs::read(&r.input).unwrap_or_else(|e| panic!("read {}: {e}", r.input.display()));
    let field = format!(
        "Signature{}",
        crate::validators::byte_ranges(&pdf).len() + 1
    );
    let args: Vec<OsString> = vec![
        "-nssdir".into(),
        db.into(),
        "-nick".into(),
        r.leaf.kind.common_name().into(),
        "-add-signature".into(),
        "-new-signature-field-name".into(),
        field.into(),
        "-digest".into(),
        "SHA256".into(),
        r.input.clone().into(),
        r.output.clone().into(),
    ];
    let mut log = String::new();
    for attempt in 1..=PDFSIG_ATTEMPTS {
        let out = run("pdfsig", &args, None);
        let text = combined(&out);
        if out.status.success() {
            return Ok(());
        }
        // A failed run leaves a file with an unfilled placeholder behind.
        let _ = fs::remove_file(&r.output);
        log.push_str(&format!("attempt {attempt} ({}):\n{text}\n", out.status));
        if !text.contains("unable update signature") {
            break;
        }
    }
    Err(log)
}

// --- small helpers ----------------------------------------------------------------------

/// Panics with the fix unless `python3` imports pypdf 5 or later.
fn require_pypdf() {
    static OK: OnceLock<bool> = OnceLock::new();
    require("python3");
    let ok = *OK.get_or_init(|| {
        Command::new("python3")
            .args([
                "-c",
                "import sys, pypdf; sys.exit(int(pypdf.__version__.split('.')[0]) < 5)",
            ])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !ok {
        panic!(
            "pypdf >= 5 not installed (python3 -c 'import pypdf' fails or is older): run scripts/test.sh"
        );
    }
}

fn utf8(p: &Path) -> String {
    p.to_str()
        .unwrap_or_else(|| panic!("not a UTF-8 path: {}", p.display()))
        .to_owned()
}

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(Value::is_object)
        .collect()
}

fn ok_or_error(r: &Value) -> Result<(), String> {
    if r["ok"].as_bool() == Some(true) {
        Ok(())
    } else {
        Err(r["error"]
            .as_str()
            .unwrap_or("(no error message)")
            .to_owned())
    }
}

/// FNV-1a, 64 bits: names cached directories after what they are built from.
fn fnv64(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ber_lengths_and_indefinite_tags() {
        // SEQUENCE (indefinite) { INTEGER 5, [0] (indefinite) { NULL } } EOC, then padding.
        let ber = [
            0x30, 0x80, 0x02, 0x01, 0x05, 0xa0, 0x80, 0x05, 0x00, 0, 0, 0, 0, 0, 0,
        ];
        assert_eq!(ber_len(&ber).unwrap(), 13);
        assert_eq!(indefinite_length_tags(&ber).unwrap(), vec![0x30, 0xa0]);
        let der = [0x30, 0x03, 0x02, 0x01, 0x05, 0, 0];
        assert_eq!(ber_len(&der).unwrap(), 5);
        assert!(indefinite_length_tags(&der).unwrap().is_empty());
        assert!(ber_len(&[0x30, 0x80, 0x02, 0x01]).is_err());
        assert!(ber_len(&[0x04, 0x80]).is_err(), "indefinite primitive");
    }

    #[test]
    fn strips_the_econtent_of_an_indefinite_signed_data() {
        // ContentInfo { OID, [0] { SignedData { INTEGER 1, SET {}, encap { OID, [0] {
        // OCTET STRING "ab" } }, SET {} } } }, every constructed element indefinite.
        let oid = [0x06, 0x01, 0x2a];
        let mut ber = vec![0x30, 0x80];
        ber.extend(oid);
        ber.extend([
            0xa0, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0x31, 0x00, 0x30, 0x80,
        ]);
        ber.extend(oid);
        let econtent = [0xa0, 0x80, 0x04, 0x02, b'a', b'b', 0, 0];
        ber.extend(econtent);
        ber.extend([0, 0, 0x31, 0x00, 0, 0, 0, 0, 0, 0]);
        let stripped = strip_econtent(&ber).unwrap();
        assert_eq!(stripped.len(), ber.len() - econtent.len());
        assert_eq!(ber_len(&stripped).unwrap(), stripped.len());
        assert!(!stripped.windows(2).any(|w| w == b"ab"));
        // Already detached: unchanged.
        assert_eq!(strip_econtent(&stripped).unwrap(), stripped);
    }

    #[test]
    fn counts_revisions_through_prev() {
        let pdf = crate::corpus::write_pdf("1.7", 1);
        assert_eq!(revision_count(&pdf.bytes).unwrap(), 1);
        let updated = crate::corpus::append_info_update(&pdf);
        assert_eq!(revision_count(&updated).unwrap(), 2);
    }
}
