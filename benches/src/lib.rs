//! Inputs for the kyso benches: PDFs of a chosen size, made on the fly.

use std::io::{Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

/// A PDF written object by object, numbered from 1, with a classic table at the end.
struct ObjectWriter<'a, W: Write> {
    out: &'a mut W,
    offsets: Vec<usize>,
    pos: usize,
}

impl<'a, W: Write> ObjectWriter<'a, W> {
    fn new(out: &'a mut W) -> std::io::Result<Self> {
        let header = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
        out.write_all(header)?;
        Ok(Self {
            out,
            offsets: Vec::new(),
            pos: header.len(),
        })
    }

    fn object(&mut self, body: &[u8]) -> std::io::Result<()> {
        self.offsets.push(self.pos);
        let head = format!("{} 0 obj\n", self.offsets.len());
        self.out.write_all(head.as_bytes())?;
        self.out.write_all(body)?;
        self.out.write_all(b"\nendobj\n")?;
        self.pos += head.len() + body.len() + 8;
        Ok(())
    }

    /// A stream object: `entries` (may be empty) and /Length, then `data`.
    fn stream(&mut self, entries: &str, data: &[u8]) -> std::io::Result<()> {
        let sep = if entries.is_empty() { "" } else { " " };
        let mut body = format!("<< {entries}{sep}/Length {} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.object(&body)
    }

    /// The cross-reference table and trailer (object 1 is the catalog).
    fn finish(self) -> std::io::Result<()> {
        let n = self.offsets.len() + 1;
        let mut tail = format!("xref\n0 {n}\n0000000000 65535 f\r\n");
        for o in &self.offsets {
            tail.push_str(&format!("{o:010} 00000 n\r\n"));
        }
        tail.push_str(&format!(
            "trailer\n<< /Size {n} /Root 1 0 R >>\nstartxref\n{}\n%%EOF\n",
            self.pos
        ));
        self.out.write_all(tail.as_bytes())
    }
}

/// Writes a valid one-page PDF of about `size` bytes: the bulk is an image XObject of
/// pseudo-random bytes (incompressible, as scanned documents are) used by the page.
pub fn make_pdf(size: usize, out: &mut impl Write) -> std::io::Result<()> {
    let mut w = ObjectWriter::new(out)?;
    w.object(b"<< /Type /Catalog /Pages 2 0 R >>")?;
    w.object(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")?;
    w.object(
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
    )?;
    w.stream("", b"q 595 0 0 842 0 0 cm /Im1 Do Q")?;
    // A gray image whose samples fill the requested size.
    let side = ((size.saturating_sub(1024)) as f64).sqrt().max(1.0) as usize;
    let data_len = side * side;
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut data = Vec::with_capacity(data_len);
    while data.len() < data_len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        data.extend_from_slice(&x.to_le_bytes());
    }
    data.truncate(data_len);
    w.stream(
        &format!(
            "/Type /XObject /Subtype /Image /Width {side} /Height {side} /ColorSpace /DeviceGray /BitsPerComponent 8"
        ),
        &data,
    )?;
    w.finish()
}

/// Writes a valid one-page PDF made of `count` small objects (about 250 bytes each: the
/// shape of a long report or a form-heavy file) besides the page: the input that shows
/// whether a cost grows with the objects present rather than the objects touched.
pub fn make_many_objects_pdf(count: usize, out: &mut impl Write) -> std::io::Result<()> {
    let mut w = ObjectWriter::new(out)?;
    w.object(b"<< /Type /Catalog /Pages 2 0 R >>")?;
    w.object(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")?;
    w.object(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>")?;
    w.stream("", b"BT /F1 12 Tf 72 720 Td (many objects) Tj ET")?;
    for n in 0..count {
        let body = format!(
            "<< /Type /Filler /N {n} /Note (object {n} of a file of many small objects, as long reports have) /Rect [0 0 {n} 10] /Data <{:0>64x}> >>",
            n.wrapping_mul(0x9E37_79B9)
        );
        w.object(body.as_bytes())?;
    }
    w.finish()
}

/// One read + SHA-256 pass over a file: the baseline every sign or verify figure is compared
/// with.
pub fn sha256_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().to_vec())
}
