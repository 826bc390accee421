//! Input PDFs of every kind a signer must handle.
//!
//! Small files from pyHanko's test suite are checked in under
//! `crates/kyso-testkit/corpus/` (MIT, see the README there); the others are made at
//! test time — hand-written by [`write_pdf`] with exact xref offsets, or rewritten by
//! `qpdf` — into `shared_dir()/corpus-v1`, once for all test processes, the same way
//! as the [`TestPki`](crate::TestPki).
//!
//! | name | accessor | what it exercises |
//! | --- | --- | --- |
//! | `classic-xref` | [`classic`] | one page, classic cross-reference table (ISO 32000-2 §7.5.4) |
//! | `incremental-update` | [`incremental`] | a second revision that replaces the Info dictionary (§7.5.6), `/Prev` chain |
//! | `xref-stream-objstm` | [`xref_stream`] | cross-reference stream and object streams (§7.5.7, §7.5.8), `qpdf --object-streams=generate` |
//! | `hybrid-xref` | [`hybrid_xref`] | hybrid-reference file (§7.5.8.4): xref table plus `/XRefStm` |
//! | `hybrid-xref-msword` | [`hybrid_xref_msword`] | hybrid-reference file laid out as Microsoft Word writes it |
//! | `pdf-2.0` | [`pdf20`] | header `%PDF-2.0` |
//! | `linearized` | [`linearized`] | linearized file (Annex F), `qpdf --linearize` |
//! | `300-pages` | [`pages_300`] | 300 pages, each with a tiny content stream |
//! | `empty-signature-field` | [`with_empty_field`] | an existing empty signature field named [`EMPTY_FIELD_NAME`] |
//! | `encrypted-aes256` | [`encrypted`] | AES-256 (R6) encryption, not in [`all`] |

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::cache::build_once;
use crate::tools::run_ok;

/// The name of the generated corpus's directory inside
/// [`shared_dir`](crate::shared_dir).
pub const CORPUS_DIR_NAME: &str = "corpus-v1";

/// The name (`/T`) of the empty signature field in [`with_empty_field`].
///
/// pyHanko's `minimal-with-field.pdf` names it `Sig1` (checked with `qpdf --qdf`):
/// one field `/FT /Sig`, `/T (Sig1)`, no `/V`, widget on page 1.
pub const EMPTY_FIELD_NAME: &str = "Sig1";

/// The user password of [`encrypted`].
pub const ENCRYPTED_USER_PASSWORD: &str = "user";

/// The owner password of [`encrypted`].
pub const ENCRYPTED_OWNER_PASSWORD: &str = "owner";

/// One input PDF of the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusPdf {
    /// A short stable name, usable in test and file names (`classic-xref`).
    pub name: &'static str,
    /// Where the file is (absolute). Treat it as read-only: it is shared by every test.
    pub path: PathBuf,
}

impl CorpusPdf {
    /// The file's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        fs::read(&self.path).unwrap_or_else(|e| panic!("read {}: {e}", self.path.display()))
    }
}

/// Every unencrypted input a signer must be able to sign, in the order of the table in
/// the [module docs](self).
pub fn all() -> Vec<CorpusPdf> {
    vec![
        classic(),
        incremental(),
        xref_stream(),
        hybrid_xref(),
        hybrid_xref_msword(),
        pdf20(),
        linearized(),
        pages_300(),
        with_empty_field(),
    ]
}

/// The inputs every independent signer and verifier is tried on (kyso-pdf's and the test
/// kit's interoperability tests): classic xref table, xref stream with object streams,
/// incremental update, hybrid reference, 300 pages.
pub fn interop_inputs() -> Vec<CorpusPdf> {
    vec![
        classic(),
        xref_stream(),
        incremental(),
        hybrid_xref(),
        pages_300(),
    ]
}

/// One page, classic cross-reference table, `%PDF-1.7`; hand-written.
pub fn classic() -> CorpusPdf {
    generated("classic-xref")
}

/// [`classic`] plus an incremental update that replaces the Info dictionary
/// (`/Title`, `/ModDate`): two revisions, the second with `/Prev`.
pub fn incremental() -> CorpusPdf {
    generated("incremental-update")
}

/// Three pages rewritten by `qpdf --object-streams=generate --compress-streams=y`:
/// a cross-reference stream, most objects inside object streams.
pub fn xref_stream() -> CorpusPdf {
    generated("xref-stream-objstm")
}

/// pyHanko's `minimal-hybrid-xref.pdf`: a hybrid-reference file (xref table whose
/// trailer has `/XRefStm`).
pub fn hybrid_xref() -> CorpusPdf {
    checked_in("hybrid-xref", "minimal-hybrid-xref.pdf")
}

/// pyHanko's `minimal-hybrid-xref-mswordstyle.pdf`: a hybrid-reference file laid out
/// the way Microsoft Word writes them.
pub fn hybrid_xref_msword() -> CorpusPdf {
    checked_in("hybrid-xref-msword", "minimal-hybrid-xref-mswordstyle.pdf")
}

/// One page, classic xref table, header `%PDF-2.0`; hand-written.
pub fn pdf20() -> CorpusPdf {
    generated("pdf-2.0")
}

/// Three pages rewritten by `qpdf --linearize`.
pub fn linearized() -> CorpusPdf {
    generated("linearized")
}

/// 300 pages, each with its own tiny content stream; hand-written.
pub fn pages_300() -> CorpusPdf {
    generated("300-pages")
}

/// pyHanko's `minimal-with-field.pdf`: one page and an empty signature field named
/// [`EMPTY_FIELD_NAME`].
pub fn with_empty_field() -> CorpusPdf {
    checked_in("empty-signature-field", "minimal-with-field.pdf")
}

/// [`classic`] encrypted by `qpdf --encrypt user owner 256`: AES-256 (V5/R6), user
/// password [`ENCRYPTED_USER_PASSWORD`], owner password [`ENCRYPTED_OWNER_PASSWORD`].
pub fn encrypted() -> CorpusPdf {
    generated("encrypted-aes256")
}

/// The directory of the checked-in files (`crates/kyso-testkit/corpus`).
pub fn checked_in_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"))
}

fn checked_in(name: &'static str, file: &str) -> CorpusPdf {
    let path = checked_in_dir().join(file);
    assert!(path.is_file(), "corpus file missing: {}", path.display());
    CorpusPdf { name, path }
}

fn generated(name: &'static str) -> CorpusPdf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| build_once(CORPUS_DIR_NAME, build));
    CorpusPdf {
        name,
        path: dir.join(format!("{name}.pdf")),
    }
}

/// Makes the generated part of the corpus in `dir`.
fn build(dir: &Path) {
    let write = |name: &str, bytes: &[u8]| {
        fs::write(dir.join(format!("{name}.pdf")), bytes).expect("write corpus file");
    };
    let path = |name: &str| dir.join(format!("{name}.pdf")).into_os_string();

    let classic = write_pdf("1.7", 1);
    write("classic-xref", &classic.bytes);
    write("incremental-update", &append_info_update(&classic));
    write("pdf-2.0", &write_pdf("2.0", 1).bytes);
    write("300-pages", &write_pdf("1.7", 300).bytes);
    write(".three-pages", &write_pdf("1.7", 3).bytes);

    let qpdf = |args: &[&str], input: &str, output: &str| {
        let mut a: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
        a.push(path(input));
        a.push(path(output));
        run_ok("qpdf", a, None);
    };
    qpdf(
        &[
            "--deterministic-id",
            "--object-streams=generate",
            "--compress-streams=y",
        ],
        ".three-pages",
        "xref-stream-objstm",
    );
    qpdf(
        &["--deterministic-id", "--linearize"],
        ".three-pages",
        "linearized",
    );
    let mut a: Vec<std::ffi::OsString> = [
        "--encrypt",
        ENCRYPTED_USER_PASSWORD,
        ENCRYPTED_OWNER_PASSWORD,
        "256",
        "--",
    ]
    .iter()
    .map(Into::into)
    .collect();
    a.push(path("classic-xref"));
    a.push(path("encrypted-aes256"));
    run_ok("qpdf", a, None);
    fs::remove_file(path(".three-pages")).expect("remove temp file");
}

/// A PDF made by [`write_pdf`], with what an incremental update needs to know.
#[derive(Debug, Clone)]
pub struct WrittenPdf {
    /// The whole file.
    pub bytes: Vec<u8>,
    /// Byte offset of the `xref` keyword (the value after `startxref`).
    pub xref_offset: usize,
    /// The trailer's `/Size`: one more than the highest object number.
    pub size: usize,
    /// The first element of the trailer's `/ID`, as hex.
    pub id_hex: String,
}

/// The object number of the document Info dictionary in a [`write_pdf`] file.
pub const INFO_OBJECT: usize = 4;

/// Writes a small valid PDF by hand: `%PDF-<version>`, `pages` pages (A4, each showing
/// "Trang N" in Helvetica from a content stream of its own), an Info dictionary
/// (object [`INFO_OBJECT`]), a classic cross-reference table with exact offsets and a
/// trailer with `/ID`. Deterministic: the same arguments give the same bytes.
///
/// Objects: 1 catalog, 2 page tree, 3 font, 4 Info, then for page `i` (from 0) the
/// page `5 + 2i` and its content stream `6 + 2i`.
pub fn write_pdf(version: &str, pages: usize) -> WrittenPdf {
    let mut out: Vec<u8> = Vec::new();
    out.extend_from_slice(format!("%PDF-{version}\n").as_bytes());
    // Binary-marker comment: four bytes >= 128 (ISO 32000-2 §7.5.2).
    out.extend_from_slice(b"%\xe2\xe3\xcf\xd3\n");

    let size = 5 + 2 * pages;
    let mut offsets = vec![0usize; size];
    let mut obj = |out: &mut Vec<u8>, num: usize, body: &[u8]| {
        offsets[num] = out.len();
        out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };

    obj(&mut out, 1, b"<< /Type /Catalog /Pages 2 0 R >>");
    let kids = (0..pages).fold(String::new(), |mut s, i| {
        let _ = write!(s, "{}{} 0 R", if i == 0 { "" } else { " " }, 5 + 2 * i);
        s
    });
    obj(
        &mut out,
        2,
        format!("<< /Type /Pages /Kids [{kids}] /Count {pages} >>").as_bytes(),
    );
    obj(
        &mut out,
        3,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    );
    obj(
        &mut out,
        INFO_OBJECT,
        b"<< /Title (kyso test document) /Producer (kyso-testkit) /CreationDate (D:20240101000000Z) >>",
    );
    for i in 0..pages {
        let (page, contents) = (5 + 2 * i, 6 + 2 * i);
        obj(
            &mut out,
            page,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
                 /Resources << /Font << /F1 3 0 R >> >> /Contents {contents} 0 R >>"
            )
            .as_bytes(),
        );
        let stream = format!("BT /F1 24 Tf 72 770 Td (Trang {}) Tj ET", i + 1);
        obj(
            &mut out,
            contents,
            format!(
                "<< /Length {} >>\nstream\n{stream}\nendstream",
                stream.len()
            )
            .as_bytes(),
        );
    }

    let id_hex = hex::encode(fnv128(&out));
    let xref_offset = out.len();
    let mut xref = format!("xref\n0 {size}\n0000000000 65535 f\r\n");
    for off in &offsets[1..] {
        let _ = write!(xref, "{off:010} 00000 n\r\n");
    }
    let _ = write!(
        xref,
        "trailer\n<< /Size {size} /Root 1 0 R /Info {INFO_OBJECT} 0 R /ID [<{id_hex}> <{id_hex}>] >>\n\
         startxref\n{xref_offset}\n%%EOF\n"
    );
    out.extend_from_slice(xref.as_bytes());
    WrittenPdf {
        bytes: out,
        xref_offset,
        size,
        id_hex,
    }
}

/// `pdf` plus one incremental update (ISO 32000-2 §7.5.6) that replaces the Info
/// dictionary, with its own xref section and a trailer whose `/Prev` points at the
/// original's.
pub fn append_info_update(pdf: &WrittenPdf) -> Vec<u8> {
    let mut out = pdf.bytes.clone();
    let offset = out.len();
    out.extend_from_slice(
        format!(
            "{INFO_OBJECT} 0 obj\n<< /Title (kyso test document, revised) /Producer (kyso-testkit) \
             /CreationDate (D:20240101000000Z) /ModDate (D:20240102000000Z) >>\nendobj\n"
        )
        .as_bytes(),
    );
    let new_id = hex::encode(fnv128(&out));
    let xref_offset = out.len();
    out.extend_from_slice(
        format!(
            "xref\n0 1\n0000000000 65535 f\r\n{INFO_OBJECT} 1\n{offset:010} 00000 n\r\n\
             trailer\n<< /Size {} /Root 1 0 R /Info {INFO_OBJECT} 0 R /Prev {} \
             /ID [<{}> <{new_id}>] >>\nstartxref\n{xref_offset}\n%%EOF\n",
            pdf.size, pdf.xref_offset, pdf.id_hex
        )
        .as_bytes(),
    );
    out
}

/// FNV-1a, 128 bits: a deterministic file identifier without a hash dependency.
fn fnv128(data: &[u8]) -> [u8; 16] {
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for &b in data {
        h ^= u128::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h.to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xref_offsets_point_at_their_objects() {
        let pdf = write_pdf("1.7", 3);
        let text = String::from_utf8_lossy(&pdf.bytes);
        let header = format!("xref\n0 {}\n", pdf.size);
        assert!(pdf.bytes[pdf.xref_offset..].starts_with(header.as_bytes()));
        // Entries are exactly 20 bytes each (§7.5.4); the first is the free head.
        let entries = &pdf.bytes[pdf.xref_offset + header.len()..];
        assert_eq!(&entries[..20], b"0000000000 65535 f\r\n");
        for num in 1..pdf.size {
            let entry = std::str::from_utf8(&entries[20 * num..20 * num + 20]).unwrap();
            assert!(entry.ends_with(" 00000 n\r\n"), "{entry:?}");
            let off: usize = entry[..10].parse().unwrap();
            assert!(pdf.bytes[off..].starts_with(format!("{num} 0 obj\n").as_bytes()));
        }
        assert!(text.contains("trailer\n<< /Size"));
        assert!(
            pdf.bytes
                .ends_with(format!("startxref\n{}\n%%EOF\n", pdf.xref_offset).as_bytes())
        );
    }

    #[test]
    fn incremental_update_keeps_the_original_bytes() {
        let pdf = write_pdf("1.7", 1);
        let updated = append_info_update(&pdf);
        assert!(updated.starts_with(&pdf.bytes));
        let tail = String::from_utf8_lossy(&updated[pdf.bytes.len()..]).into_owned();
        assert!(tail.contains(&format!("/Prev {}", pdf.xref_offset)));
    }
}
