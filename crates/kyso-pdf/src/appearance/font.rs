//! Fonts for appearance text: a TrueType/OpenType font read with `ttf-parser`, embedded as a
//! subset (`subsetter`) in a Type 0 font with Identity-H encoding and a ToUnicode CMap
//! (ISO 32000-2 §9.7, §9.10.3), so that every Vietnamese letter shows and can be copied.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use unicode_normalization::UnicodeNormalization;

use crate::object::{Dict, Name, ObjRef, Object, PdfString, Stream};
use crate::update::IncrementalUpdate;
use crate::{Error, Result};

/// Liberation Serif Regular 2.1.5: metric-compatible with Times New Roman (the face Decree
/// 30/2020 names), complete for Vietnamese, under the SIL Open Font License 1.1
/// (`fonts/LICENSE-OFL.txt`).
static BUNDLED: &[u8] = include_bytes!("../../fonts/LiberationSerif-Regular.ttf");

/// The largest font file accepted from a caller.
pub const MAX_FONT_LEN: usize = 64 * 1024 * 1024;

/// A font for appearance text.
#[derive(Clone)]
pub struct Font {
    data: Arc<[u8]>,
    name: String,
    metrics: Metrics,
}

#[derive(Clone, Copy, Debug)]
struct Metrics {
    units_per_em: f64,
    ascender: f64,
    descender: f64,
    cap_height: f64,
    italic_angle: f64,
    bbox: [f64; 4],
    cff: bool,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Font")
            .field("name", &self.name)
            .field("len", &self.data.len())
            .finish()
    }
}

impl Default for Font {
    fn default() -> Self {
        Self::bundled()
    }
}

impl Font {
    /// The bundled font (Liberation Serif), used when none is given.
    pub fn bundled() -> Self {
        // The bundled file is known good; parsing it cannot fail (a test proves it).
        Self::from_shared(Arc::from(BUNDLED)).unwrap_or_else(|_| unreachable!())
    }

    /// A font from the bytes of a TrueType (`glyf`) or OpenType (`CFF `) file; the first face
    /// of a collection.
    ///
    /// # Errors
    ///
    /// [`Error::Font`] when the bytes are not a font `ttf-parser` can read, or the font's
    /// licence bits forbid embedding (OS/2 fsType "restricted license").
    pub fn from_bytes(data: Vec<u8>) -> Result<Self> {
        if data.len() > MAX_FONT_LEN {
            return Err(Error::LimitExceeded {
                what: "font file size",
                limit: MAX_FONT_LEN,
            });
        }
        Self::from_shared(Arc::from(data))
    }

    /// A font read from a file.
    pub fn from_file(path: &Path) -> Result<Self> {
        let data = std::fs::read(path).map_err(|e| Error::Input {
            path: path.to_path_buf(),
            source: e,
        })?;
        Self::from_bytes(data)
    }

    fn from_shared(data: Arc<[u8]>) -> Result<Self> {
        let face = ttf_parser::Face::parse(&data, 0)
            .map_err(|e| Error::Font(format!("not a TrueType/OpenType font: {e}")))?;
        if face.permissions() == Some(ttf_parser::Permissions::Restricted) {
            return Err(Error::Font(
                "the font's licence forbids embedding (OS/2 fsType: restricted)".into(),
            ));
        }
        let name = postscript_name(&face);
        let upem = f64::from(face.units_per_em());
        let b = face.global_bounding_box();
        let metrics = Metrics {
            units_per_em: upem,
            ascender: f64::from(face.ascender()),
            descender: f64::from(face.descender()),
            cap_height: face
                .capital_height()
                .map(f64::from)
                .unwrap_or(f64::from(face.ascender()) * 0.7),
            italic_angle: f64::from(face.italic_angle()),
            bbox: [b.x_min, b.y_min, b.x_max, b.y_max].map(f64::from),
            cff: face.tables().cff.is_some(),
        };
        if face.tables().glyf.is_none() && !metrics.cff {
            return Err(Error::Font(
                "the font has neither TrueType (glyf) nor CFF outlines".into(),
            ));
        }
        Ok(Font {
            data,
            name,
            metrics,
        })
    }

    /// The font's PostScript name (or family name), as it appears in /BaseFont.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn face(&self) -> ttf_parser::Face<'_> {
        // Parsed once in `from_shared`; the same bytes parse again.
        ttf_parser::Face::parse(&self.data, 0).unwrap_or_else(|_| unreachable!())
    }

    /// The glyph for `c`, or [`Error::MissingGlyph`] naming it.
    fn glyph(&self, face: &ttf_parser::Face<'_>, c: char) -> Result<u16> {
        match face.glyph_index(c) {
            Some(g) if g.0 != 0 => Ok(g.0),
            _ => Err(Error::MissingGlyph {
                character: c,
                font: self.name.clone(),
            }),
        }
    }

    /// The width of `text` (NFC) at `size` points; fails on a character the font lacks.
    pub fn text_width(&self, text: &str, size: f64) -> Result<f64> {
        let face = self.face();
        let mut units = 0.0;
        for c in text.nfc() {
            let g = self.glyph(&face, c)?;
            units += f64::from(face.glyph_hor_advance(ttf_parser::GlyphId(g)).unwrap_or(0));
        }
        Ok(units * size / self.metrics.units_per_em)
    }

    /// Checks that the font has a glyph for every character of `text` (after NFC).
    pub fn check_covers(&self, text: &str) -> Result<()> {
        let face = self.face();
        for c in text.nfc().filter(|c| !c.is_control()) {
            self.glyph(&face, c)?;
        }
        Ok(())
    }

    /// The font program kyso embeds for `text` (NFC): a subset holding only its glyphs (and
    /// .notdef), renumbered from 1 in order of first use.
    ///
    /// # Errors
    ///
    /// [`Error::MissingGlyph`]; [`Error::Font`] when the font cannot be subset.
    pub fn subset(&self, text: &str) -> Result<Vec<u8>> {
        let mut s = FontSubset::new(self.clone());
        s.encode(text)?;
        s.program()
    }

    /// Ascender above the baseline at `size` points.
    pub fn ascent(&self, size: f64) -> f64 {
        self.metrics.ascender * size / self.metrics.units_per_em
    }

    /// Descender below the baseline at `size` points (positive).
    pub fn descent(&self, size: f64) -> f64 {
        -self.metrics.descender * size / self.metrics.units_per_em
    }
}

fn postscript_name(face: &ttf_parser::Face<'_>) -> String {
    let pick = |id: u16| {
        face.names()
            .into_iter()
            .filter(|n| n.name_id == id)
            .find_map(|n| n.to_string())
    };
    let raw = pick(ttf_parser::name_id::POST_SCRIPT_NAME)
        .or_else(|| pick(ttf_parser::name_id::FAMILY))
        .unwrap_or_else(|| "Font".to_string());
    // A PDF name without delimiters or spaces (ISO 32000-2 §9.6.2.1).
    let clean: String = raw
        .chars()
        .filter(|c| c.is_ascii_graphic() && !"()<>[]{}/%#".contains(*c))
        .collect();
    if clean.is_empty() {
        "Font".into()
    } else {
        clean
    }
}

/// The glyphs of one font used by one appearance, and the encoding of text into them.
pub(crate) struct FontSubset {
    font: Font,
    remapper: subsetter::GlyphRemapper,
    /// New glyph id → (old glyph id, the text it stands for).
    used: BTreeMap<u16, (u16, char)>,
}

impl FontSubset {
    pub(crate) fn new(font: Font) -> Self {
        let mut remapper = subsetter::GlyphRemapper::new();
        remapper.remap(0); // .notdef stays glyph 0, as TrueType requires
        FontSubset {
            font,
            remapper,
            used: BTreeMap::new(),
        }
    }

    /// `text` (NFC) as the 2-byte codes of Identity-H.
    pub(crate) fn encode(&mut self, text: &str) -> Result<Vec<u8>> {
        let face = self.font.face();
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.nfc() {
            let old = self.font.glyph(&face, c)?;
            let new = self.remapper.remap(old);
            self.used.entry(new).or_insert((old, c));
            out.extend_from_slice(&new.to_be_bytes());
        }
        Ok(out)
    }

    /// Writes the Type 0 font and its parts into `update`; returns the font dictionary's
    /// reference.
    pub(crate) fn write(&self, update: &mut IncrementalUpdate) -> Result<ObjRef> {
        let m = self.font.metrics;
        let face = self.font.face();
        let subset = self.program()?;
        let base_font = format!("{}+{}", self.tag(), self.font.name);
        let scale = 1000.0 / m.units_per_em;

        let file_ref = update.allocate();
        let mut file_dict = Dict::new();
        file_dict.set("Filter", Object::name("FlateDecode"));
        if m.cff {
            file_dict.set("Subtype", Object::name("OpenType"));
        } else {
            file_dict.set("Length1", Object::Integer(subset.len() as i64));
        }
        update.put(
            file_ref,
            &Object::Stream(Stream::new(file_dict, super::deflate(&subset))),
        );

        let descriptor_ref = update.allocate();
        let mut fd = Dict::new();
        fd.set("Type", Object::name("FontDescriptor"));
        fd.set("FontName", Object::Name(Name::new(&base_font)));
        // Symbolic (bit 3): the glyphs are addressed by CID, not by a standard encoding.
        fd.set("Flags", Object::Integer(4));
        fd.set(
            "FontBBox",
            Object::Array(m.bbox.iter().map(|v| number(v * scale)).collect()),
        );
        fd.set("ItalicAngle", number(m.italic_angle));
        fd.set("Ascent", number(m.ascender * scale));
        fd.set("Descent", number(m.descender * scale));
        fd.set("CapHeight", number(m.cap_height * scale));
        fd.set("StemV", Object::Integer(80));
        fd.set(
            if m.cff { "FontFile3" } else { "FontFile2" },
            Object::Reference(file_ref),
        );
        update.put(descriptor_ref, &Object::Dict(fd));

        // /W: one run of consecutive CIDs (the new glyph ids are dense from 1).
        let mut widths = Vec::new();
        for (&new, &(old, _)) in &self.used {
            let w = f64::from(
                face.glyph_hor_advance(ttf_parser::GlyphId(old))
                    .unwrap_or(0),
            );
            widths.push(Object::Integer(i64::from(new)));
            widths.push(Object::Array(vec![number(w * scale)]));
        }
        let cid_ref = update.allocate();
        let mut cid = Dict::new();
        cid.set("Type", Object::name("Font"));
        cid.set(
            "Subtype",
            Object::name(if m.cff {
                "CIDFontType0"
            } else {
                "CIDFontType2"
            }),
        );
        cid.set("BaseFont", Object::Name(Name::new(&base_font)));
        let mut info = Dict::new();
        info.set("Registry", Object::String(PdfString::literal("Adobe")));
        info.set("Ordering", Object::String(PdfString::literal("Identity")));
        info.set("Supplement", Object::Integer(0));
        cid.set("CIDSystemInfo", Object::Dict(info));
        cid.set("FontDescriptor", Object::Reference(descriptor_ref));
        cid.set("W", Object::Array(widths));
        if !m.cff {
            cid.set("CIDToGIDMap", Object::name("Identity"));
        }
        update.put(cid_ref, &Object::Dict(cid));

        let to_unicode_ref = update.allocate();
        let mut tu = Dict::new();
        tu.set("Filter", Object::name("FlateDecode"));
        update.put(
            to_unicode_ref,
            &Object::Stream(Stream::new(tu, super::deflate(&self.to_unicode_cmap()))),
        );

        let font_ref = update.allocate();
        let mut font = Dict::new();
        font.set("Type", Object::name("Font"));
        font.set("Subtype", Object::name("Type0"));
        font.set("BaseFont", Object::Name(Name::new(&base_font)));
        font.set("Encoding", Object::name("Identity-H"));
        font.set(
            "DescendantFonts",
            Object::Array(vec![Object::Reference(cid_ref)]),
        );
        font.set("ToUnicode", Object::Reference(to_unicode_ref));
        update.put(font_ref, &Object::Dict(font));
        Ok(font_ref)
    }

    /// The subset font program.
    fn program(&self) -> Result<Vec<u8>> {
        subsetter::subset(&self.font.data, 0, &self.remapper)
            .map_err(|e| Error::Font(format!("cannot subset {}: {e}", self.font.name)))
    }

    /// Six capital letters naming this subset (ISO 32000-2 §9.9.2), from the glyphs in it.
    fn tag(&self) -> String {
        let mut h = kyso_cms::DigestAlgorithm::Sha256.hasher();
        h.update(self.font.name.as_bytes());
        for (new, (old, _)) in &self.used {
            h.update(&new.to_be_bytes());
            h.update(&old.to_be_bytes());
        }
        h.finalize()
            .iter()
            .take(6)
            .map(|b| char::from(b'A' + b % 26))
            .collect()
    }

    /// The ToUnicode CMap (ISO 32000-2 §9.10.3; Adobe technical note #5411).
    fn to_unicode_cmap(&self) -> Vec<u8> {
        let mut s = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        let entries: Vec<_> = self.used.iter().collect();
        for chunk in entries.chunks(100) {
            s.push_str(&format!("{} beginbfchar\n", chunk.len()));
            for (new, (_, c)) in chunk {
                let mut units = [0u16; 2];
                let hex: String = c
                    .encode_utf16(&mut units)
                    .iter()
                    .map(|u| format!("{u:04X}"))
                    .collect();
                s.push_str(&format!("<{new:04X}> <{hex}>\n"));
            }
            s.push_str("endbfchar\n");
        }
        s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        s.into_bytes()
    }
}

/// A PDF number: an integer when it is one, else a real with at most 3 decimals.
pub(crate) fn number(v: f64) -> Object {
    let r = (v * 1000.0).round() / 1000.0;
    if r.fract() == 0.0 && r.abs() < 1e15 {
        Object::Integer(r as i64)
    } else {
        Object::Real(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_font_covers_vietnamese() {
        let font = Font::bundled();
        assert_eq!(font.name(), "LiberationSerif");
        font.check_covers("Nguyễn Thị Lấp Lánh Ánh — Ủy ban nhân dân tỉnh Đắk Nông; ỹ ự ẵ ộ")
            .unwrap();
    }

    #[test]
    fn decomposed_input_is_normalised_before_lookup() {
        let font = Font::bundled();
        // "ễ" as e + circumflex + tilde: NFC makes it U+1EC5, which the font has.
        let decomposed = "Nguye\u{302}\u{303}n";
        assert_eq!(
            font.text_width(decomposed, 10.0).unwrap(),
            font.text_width("Nguyễn", 10.0).unwrap()
        );
    }

    #[test]
    fn subset_is_a_font_with_only_the_glyphs_used() {
        let subset = Font::bundled().subset("Trần Văn Đức").unwrap();
        assert!(subset.len() < 12_000, "{}", subset.len());
        let face = ttf_parser::Face::parse(&subset, 0).unwrap();
        // .notdef, the 10 distinct characters (T r ầ n space V ă Đ ứ c), and the base letters
        // and marks the composite glyphs ầ ă Đ ứ are built from.
        let glyphs = face.number_of_glyphs();
        assert!((11..=20).contains(&glyphs), "{glyphs}");
    }

    #[test]
    fn not_a_font_is_refused() {
        assert!(matches!(
            Font::from_bytes(b"%PDF-1.7 not a font".to_vec()),
            Err(Error::Font(_))
        ));
    }
}
