//! Text on a page, with where each character is: enough of the content-stream interpreter
//! (ISO 32000-2 §9.3, §9.4: text state, text positioning and showing, `cm`, `q`/`Q`, form
//! XObjects) to find an anchor such as "[ky-so]" or "Nơi nhận:".
//!
//! Content streams are parsed with lopdf's content module. A font's codes become text through
//! its /ToUnicode CMap (§9.10.3, also parsed with lopdf's content parser: a CMap is PostScript
//! of the same lexical shape), else its simple encoding (WinAnsi, MacRoman, Standard and
//! /Differences with common glyph names); widths come from /Widths or /W.

use std::collections::HashMap;

use lopdf::content::Content;
use unicode_normalization::UnicodeNormalization;

use crate::object::{Dict, ObjRef, Object};
use crate::reader::{PdfReader, Source};
use crate::{Error, Result};

/// Content-stream operations interpreted per page (all streams and forms together).
pub const MAX_OPERATIONS: usize = 1_000_000;
/// Nesting of form XObjects followed.
pub const MAX_FORM_DEPTH: usize = 8;
/// Characters kept per page.
pub const MAX_GLYPHS: usize = 1_000_000;
/// Bytes of content streams and forms decoded per page, all together.
pub const MAX_DECODED_PER_PAGE: usize = 256 * 1024 * 1024;

/// One shown character (or the several a ligature stands for) and its box in user space.
#[derive(Clone, Debug, PartialEq)]
pub struct Glyph {
    /// The text the glyph stands for.
    pub text: String,
    /// Its box `[x1, y1, x2, y2]` in the page's user space.
    pub bbox: [f64; 4],
    /// The font size as shown (the text matrix's vertical scale included).
    pub size: f64,
    /// Whether it is painted: text rendering mode 3 and 7 (OCR layers under scans) are not.
    pub painted: bool,
}

/// An image drawn on the page.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlacedImage {
    /// Its box in user space.
    pub bbox: [f64; 4],
    /// Whether what is under it shows through: an 8-bit soft mask (/SMask) transparent over
    /// at least half the image, or a stencil inline image.
    pub masked: bool,
}

/// The text of a page in content order, and where its images and filled shapes are.
#[derive(Clone, Debug, Default)]
pub struct PageText {
    /// The glyphs, in the order they are shown.
    pub glyphs: Vec<Glyph>,
    /// The images drawn: image XObjects and inline images.
    pub images: Vec<PlacedImage>,
    /// The boxes (user space) where paths are filled or stroked, and where images with a soft
    /// mask are opaque.
    pub fills: Vec<[f64; 4]>,
    /// Why the content could not be followed to its end (an operator not understood, a limit
    /// reached, a token lopdf cannot read), if it could not: what it paints is then unknown.
    pub incomplete: Option<String>,
}

impl PageText {
    /// The boxes where this content paints over what is beneath it: glyphs, images without
    /// transparency, filled paths.
    pub fn opaque_boxes(&self) -> impl Iterator<Item = [f64; 4]> + '_ {
        self.glyphs
            .iter()
            .filter(|g| g.painted)
            .map(|g| g.bbox)
            .chain(self.images.iter().filter(|i| !i.masked).map(|i| i.bbox))
            .chain(self.fills.iter().copied())
    }
}

impl PageText {
    /// The page's text: glyphs in order, a space where two are apart on a line, a line break
    /// where the baseline changes.
    pub fn text(&self) -> String {
        self.chars().into_iter().map(|(c, _)| c).collect()
    }

    /// Characters (NFD) each with the index of its glyph, virtual spaces and breaks with none.
    fn chars(&self) -> Vec<(char, Option<usize>)> {
        let mut out = Vec::new();
        let mut prev: Option<&Glyph> = None;
        for (i, g) in self.glyphs.iter().enumerate() {
            if let Some(p) = prev {
                let same_line = (p.bbox[1] - g.bbox[1]).abs() < 0.5 * p.size.max(g.size);
                if !same_line {
                    out.push(('\n', None));
                } else if g.bbox[0] - p.bbox[2] > 0.2 * g.size
                    && !p.text.ends_with(' ')
                    && !g.text.starts_with(' ')
                {
                    out.push((' ', None));
                }
            }
            out.extend(g.text.nfd().map(|c| (c, Some(i))));
            prev = Some(g);
        }
        out
    }

    /// Every place `needle` occurs (compared in NFD, any run of white space matching any
    /// other), as the box around its glyphs, in content order.
    pub fn find(&self, needle: &str) -> Vec<[f64; 4]> {
        let needle: Vec<char> = collapse(needle.nfd());
        if needle.is_empty() {
            return Vec::new();
        }
        let chars = self.chars();
        let hay: Vec<(char, Option<usize>)> = {
            let mut v: Vec<(char, Option<usize>)> = Vec::with_capacity(chars.len());
            for (c, g) in chars {
                // Line breaks stay: an anchor is found within one line.
                let c = if c.is_whitespace() && c != '\n' {
                    ' '
                } else {
                    c
                };
                if c == ' ' && v.last().is_some_and(|(p, _)| *p == ' ') {
                    continue;
                }
                v.push((c, g));
            }
            v
        };
        let mut hits = Vec::new();
        let mut start = 0;
        while start + needle.len() <= hay.len() {
            if hay[start..start + needle.len()]
                .iter()
                .zip(&needle)
                .all(|((h, _), n)| h == n)
            {
                let mut bbox: Option<[f64; 4]> = None;
                for (_, g) in &hay[start..start + needle.len()] {
                    if let Some(i) = g {
                        let b = self.glyphs[*i].bbox;
                        bbox = Some(match bbox {
                            None => b,
                            Some(a) => [
                                a[0].min(b[0]),
                                a[1].min(b[1]),
                                a[2].max(b[2]),
                                a[3].max(b[3]),
                            ],
                        });
                    }
                }
                if let Some(b) = bbox {
                    hits.push(b);
                }
                start += needle.len();
            } else {
                start += 1;
            }
        }
        hits
    }
}

fn collapse(chars: impl Iterator<Item = char>) -> Vec<char> {
    let mut out: Vec<char> = Vec::new();
    for c in chars {
        let c = if c.is_whitespace() { ' ' } else { c };
        if c == ' ' && (out.is_empty() || out.last() == Some(&' ')) {
            continue;
        }
        out.push(c);
    }
    while out.last() == Some(&' ') {
        out.pop();
    }
    out
}

/// Extracts the text of page `page`.
pub fn extract<S: Source>(reader: &PdfReader<S>, page: ObjRef) -> Result<PageText> {
    let page_dict = reader.resolve_dict(page)?;
    let resources = inherited_resources(reader, page)?;
    let mut data = Vec::new();
    match page_dict
        .get("Contents")
        .map(|c| reader.deref(c))
        .transpose()?
    {
        Some(Object::Stream(s)) => data = s.decoded_data()?,
        Some(Object::Array(items)) => {
            for item in items {
                if let Object::Stream(s) = reader.deref(&item)? {
                    data.extend_from_slice(&s.decoded_data()?);
                    data.push(b'\n');
                    if data.len() > MAX_DECODED_PER_PAGE {
                        return Err(Error::LimitExceeded {
                            what: "content bytes decoded for one page",
                            limit: MAX_DECODED_PER_PAGE,
                        });
                    }
                }
            }
        }
        _ => {}
    }
    interpret(reader, &data, &resources, IDENTITY)
}

/// What form XObject `form` — an annotation's appearance — draws, in the user space of the
/// page where the annotation's /Rect is `rect` (ISO 32000-2 §12.5.5, Algorithm 8.1: the form's
/// /BBox, transformed by its /Matrix, is fitted onto /Rect).
pub fn extract_appearance<S: Source>(
    reader: &PdfReader<S>,
    form: &crate::object::Stream,
    rect: [f64; 4],
) -> Result<PageText> {
    let bbox = form
        .dict
        .get("BBox")
        .and_then(super::page::rect_of)
        .ok_or_else(|| Error::Appearance("the appearance has no /BBox".into()))?;
    let Some(matrix) = matrix_of(&form.dict) else {
        return Ok(PageText {
            incomplete: Some("the appearance's /Matrix is not six numbers".into()),
            ..PageText::default()
        });
    };
    let t = transformed_box(matrix, bbox);
    let (w, h) = (t[2] - t[0], t[3] - t[1]);
    if w <= 0.0 || h <= 0.0 {
        return Ok(PageText::default());
    }
    let (sx, sy) = ((rect[2] - rect[0]) / w, (rect[3] - rect[1]) / h);
    let fit = [sx, 0.0, 0.0, sy, rect[0] - t[0] * sx, rect[1] - t[1] * sy];
    let resources = match form.dict.get("Resources") {
        Some(r) => reader.deref(r)?.as_dict().cloned().unwrap_or_default(),
        None => Dict::new(),
    };
    interpret(reader, &form.decoded_data()?, &resources, mul(matrix, fit))
}

fn interpret<S: Source>(
    reader: &PdfReader<S>,
    data: &[u8],
    resources: &Dict,
    ctm: Matrix,
) -> Result<PageText> {
    let mut interp = Interpreter {
        reader,
        fonts: HashMap::new(),
        out: PageText::default(),
        operations: 0,
        decoded: data.len(),
        path: Path::default(),
    };
    interp.run(data, resources, ctm, 0)?;
    Ok(interp.out)
}

/// A form's /Matrix (§8.10.1): identity when absent, `None` when it is not six direct numbers.
fn matrix_of(dict: &Dict) -> Option<Matrix> {
    let Some(m) = dict.get("Matrix") else {
        return Some(IDENTITY);
    };
    let v: Vec<f64> = m.as_array()?.iter().filter_map(Object::as_f64).collect();
    <[f64; 6]>::try_from(v)
        .ok()
        .filter(|m| m.iter().all(|x| x.is_finite()))
}

fn inherited_resources<S: Source>(reader: &PdfReader<S>, page: ObjRef) -> Result<Dict> {
    Ok(super::page::inherited(reader, page, "Resources")?
        .and_then(|r| r.as_dict().cloned())
        .unwrap_or_default())
}

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a` then `b`: the matrix product a × b of §8.3.4.
fn mul(a: Matrix, b: Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn apply(m: Matrix, x: f64, y: f64) -> (f64, f64) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

/// The axis-aligned box around rectangle `[x1, y1, x2, y2]` transformed by `m`.
fn transformed_box(m: Matrix, [x1, y1, x2, y2]: [f64; 4]) -> [f64; 4] {
    let corners = [
        apply(m, x1, y1),
        apply(m, x2, y1),
        apply(m, x1, y2),
        apply(m, x2, y2),
    ];
    let xs = corners.map(|c| c.0);
    let ys = corners.map(|c| c.1);
    [
        xs.iter().copied().fold(f64::INFINITY, f64::min),
        ys.iter().copied().fold(f64::INFINITY, f64::min),
        xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    ]
}

#[derive(Clone)]
struct State {
    ctm: Matrix,
    render_mode: i64,
    line_width: f64,
    font: Option<ObjRef>,
    font_key: Vec<u8>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scale: f64,
    leading: f64,
}

struct Interpreter<'r, S: Source> {
    reader: &'r PdfReader<S>,
    fonts: HashMap<ObjRef, std::rc::Rc<FontCodes>>,
    out: PageText,
    operations: usize,
    decoded: usize,
    /// The path being built.
    path: Path,
}

/// A path under construction (§8.5.2), in device-independent user space of the page: the
/// rectangles of `re` (their four corners) and the box of every other segment.
#[derive(Default)]
struct Path {
    rects: Vec<[(f64, f64); 4]>,
    other: Option<[f64; 4]>,
}

fn num(o: &lopdf::Object) -> f64 {
    match o {
        lopdf::Object::Integer(i) => *i as f64,
        lopdf::Object::Real(r) => f64::from(*r),
        _ => 0.0,
    }
}

impl<S: Source> Interpreter<'_, S> {
    fn run(&mut self, data: &[u8], resources: &Dict, ctm: Matrix, depth: usize) -> Result<()> {
        let mut state = State {
            ctm,
            render_mode: 0,
            line_width: 1.0,
            font: None,
            font_key: Vec::new(),
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
        };
        let mut stack: Vec<State> = Vec::new();
        let (mut tm, mut tlm) = (IDENTITY, IDENTITY);
        let fonts = match resources.get("Font") {
            Some(f) => self.reader.deref(f)?.as_dict().cloned().unwrap_or_default(),
            None => Dict::new(),
        };
        for op in Content::decode_iter(data) {
            // A damaged tail ends the page's text; what came before is kept.
            let Ok(op) = op else {
                self.incomplete("a content-stream token lopdf cannot read");
                break;
            };
            self.operations += 1;
            if self.operations > MAX_OPERATIONS {
                return Err(Error::LimitExceeded {
                    what: "content-stream operations on a page",
                    limit: MAX_OPERATIONS,
                });
            }
            let a = &op.operands;
            let n = |i: usize| a.get(i).map(num).unwrap_or(0.0);
            match op.operator.as_str() {
                "q" if stack.len() < 256 => stack.push(state.clone()),
                "q" => self.incomplete("graphics states nested deeper than 256"),
                "Q" => {
                    if let Some(s) = stack.pop() {
                        state = s;
                    }
                }
                "cm" if a.len() == 6 => {
                    state.ctm = mul([n(0), n(1), n(2), n(3), n(4), n(5)], state.ctm)
                }
                "BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                "Tf" => {
                    if let Some(lopdf::Object::Name(key)) = a.first() {
                        state.font_key = key.clone();
                        state.font = fonts.get(key.as_slice()).and_then(Object::as_reference);
                    }
                    state.size = n(1);
                }
                "Tc" => state.char_spacing = n(0),
                "Tw" => state.word_spacing = n(0),
                "Tz" => state.scale = n(0) / 100.0,
                "TL" => state.leading = n(0),
                "Td" | "TD" => {
                    if op.operator == "TD" {
                        state.leading = -n(1);
                    }
                    tlm = mul([1.0, 0.0, 0.0, 1.0, n(0), n(1)], tlm);
                    tm = tlm;
                }
                "Tm" if a.len() == 6 => {
                    tlm = [n(0), n(1), n(2), n(3), n(4), n(5)];
                    tm = tlm;
                }
                "T*" => {
                    tlm = mul([1.0, 0.0, 0.0, 1.0, 0.0, -state.leading], tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" => {
                    if op.operator != "Tj" {
                        if op.operator == "\"" {
                            state.word_spacing = n(0);
                            state.char_spacing = n(1);
                        }
                        tlm = mul([1.0, 0.0, 0.0, 1.0, 0.0, -state.leading], tlm);
                        tm = tlm;
                    }
                    if let Some(lopdf::Object::String(bytes, _)) = a.last() {
                        self.show(&state, &fonts, &mut tm, bytes)?;
                    }
                }
                "TJ" => {
                    if let Some(lopdf::Object::Array(items)) = a.first() {
                        for item in items {
                            match item {
                                lopdf::Object::String(bytes, _) => {
                                    self.show(&state, &fonts, &mut tm, bytes)?
                                }
                                other => {
                                    let tx = -num(other) / 1000.0 * state.size * state.scale;
                                    tm = mul([1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
                                }
                            }
                        }
                    }
                }
                "Do" if depth < MAX_FORM_DEPTH => {
                    if let Some(lopdf::Object::Name(key)) = a.first() {
                        self.xobject(resources, key, state.ctm, depth)?;
                    }
                }
                "Do" => self.incomplete("form XObjects nested too deep"),
                "sh" => self.incomplete("a shading (sh) paints an area kyso does not measure"),
                "Tr" => state.render_mode = n(0) as i64,
                "Ts" if n(0) != 0.0 => self.incomplete("text rise (Ts)"),
                "gs" => self.incomplete("graphics state parameters (gs)"),
                "w" => state.line_width = n(0).abs(),
                // Inline images, stencils included, are taken as painting their whole square.
                "BI" => self.image(state.ctm, false),
                "m" | "l" if a.len() == 2 => self.extend_path(state.ctm, &[(n(0), n(1))]),
                "c" if a.len() == 6 => {
                    self.extend_path(state.ctm, &[(n(0), n(1)), (n(2), n(3)), (n(4), n(5))])
                }
                "v" | "y" if a.len() == 4 => {
                    self.extend_path(state.ctm, &[(n(0), n(1)), (n(2), n(3))])
                }
                "re" if a.len() == 4 => {
                    let (x, y, w, h) = (n(0), n(1), n(2), n(3));
                    let c = state.ctm;
                    self.path.rects.push([
                        apply(c, x, y),
                        apply(c, x + w, y),
                        apply(c, x + w, y + h),
                        apply(c, x, y + h),
                    ]);
                }
                "f" | "F" | "f*" => self.paint_path(&state, true, false),
                "B" | "B*" | "b" | "b*" => self.paint_path(&state, true, true),
                "S" | "s" => self.paint_path(&state, false, true),
                "n" => self.path = Path::default(),
                _ => {}
            }
        }
        Ok(())
    }

    /// Records the unit square under `ctm`: where an image is drawn (§8.9.4).
    fn image(&mut self, ctm: Matrix, masked: bool) {
        if self.out.images.len() < MAX_GLYPHS {
            self.out.images.push(PlacedImage {
                bbox: transformed_box(ctm, [0.0, 0.0, 1.0, 1.0]),
                masked,
            });
        }
    }

    /// For an image with an 8-bit soft mask, the cells (of an 8 × 8 grid over the image's unit
    /// square) where the mask is mostly opaque: only there does the image hide what is under
    /// it. `None` when the image has no such mask (/Mask and /ImageMask stencils may paint
    /// every pixel): it hides its whole square.
    fn opaque_cells(&mut self, image: &Dict) -> Result<Option<Vec<[f64; 4]>>> {
        const GRID: usize = 8;
        let Some(mask) = image.get("SMask") else {
            return Ok(None);
        };
        let Object::Stream(mask) = self.reader.deref(mask)? else {
            return Ok(None);
        };
        let dim = |k: &str| {
            mask.dict
                .get(k)
                .and_then(Object::as_i64)
                .and_then(|v| usize::try_from(v).ok())
                .filter(|v| (1..=65_536).contains(v))
        };
        let (Some(w), Some(h)) = (dim("Width"), dim("Height")) else {
            return Ok(None);
        };
        if mask.dict.get("BitsPerComponent").and_then(Object::as_i64) != Some(8) {
            return Ok(None);
        }
        let alpha = mask.decoded_data()?;
        self.decoded += alpha.len();
        if self.decoded > MAX_DECODED_PER_PAGE {
            return Err(Error::LimitExceeded {
                what: "content bytes decoded for one page",
                limit: MAX_DECODED_PER_PAGE,
            });
        }
        if alpha.len() < w * h {
            return Ok(None);
        }
        // /Decode [1 0] inverts the mask (§8.9.5.2).
        let inverted = mask
            .dict
            .get("Decode")
            .and_then(Object::as_array)
            .and_then(|d| d.first())
            .and_then(Object::as_f64)
            == Some(1.0);
        let mut cells = Vec::new();
        for gy in 0..GRID {
            for gx in 0..GRID {
                let (x0, x1) = (gx * w / GRID, ((gx + 1) * w / GRID).max(gx * w / GRID + 1));
                let (y0, y1) = (gy * h / GRID, ((gy + 1) * h / GRID).max(gy * h / GRID + 1));
                let (mut opaque, mut all) = (0usize, 0usize);
                for y in y0..y1.min(h) {
                    for x in x0..x1.min(w) {
                        let a = alpha[y * w + x];
                        let a = if inverted { 255 - a } else { a };
                        all += 1;
                        opaque += usize::from(a >= 128);
                    }
                }
                if all > 0 && opaque * 2 >= all {
                    // Image rows run top to bottom; the unit square's y runs up (§8.9.4).
                    let (fx0, fx1) = (x0 as f64 / w as f64, x1.min(w) as f64 / w as f64);
                    let (fy0, fy1) = (y0 as f64 / h as f64, y1.min(h) as f64 / h as f64);
                    cells.push([fx0, 1.0 - fy1, fx1, 1.0 - fy0]);
                }
            }
        }
        Ok(Some(cells))
    }

    /// Adds points (in the current user space) to the box of the path's non-rectangle parts.
    fn extend_path(&mut self, ctm: Matrix, points: &[(f64, f64)]) {
        for &(x, y) in points {
            let (ux, uy) = apply(ctm, x, y);
            let b = self.path.other.get_or_insert([ux, uy, ux, uy]);
            *b = [b[0].min(ux), b[1].min(uy), b[2].max(ux), b[3].max(uy)];
        }
    }

    /// Paints the current path (filled, stroked or both) and starts a new one. A filled
    /// rectangle paints its box; a stroked one its four edges, as wide as the line; any other
    /// path its whole box.
    fn paint_path(&mut self, state: &State, fill: bool, stroke: bool) {
        let path = std::mem::take(&mut self.path);
        let half = state.line_width
            * state.ctm[0]
                .hypot(state.ctm[1])
                .max(state.ctm[2].hypot(state.ctm[3]))
            / 2.0;
        let grow = |b: [f64; 4], by: f64| [b[0] - by, b[1] - by, b[2] + by, b[3] + by];
        let bounds = |pts: &[(f64, f64)]| {
            let xs = pts.iter().map(|p| p.0);
            let ys = pts.iter().map(|p| p.1);
            [
                xs.clone().fold(f64::INFINITY, f64::min),
                ys.clone().fold(f64::INFINITY, f64::min),
                xs.fold(f64::NEG_INFINITY, f64::max),
                ys.fold(f64::NEG_INFINITY, f64::max),
            ]
        };
        let mut boxes = Vec::new();
        for corners in &path.rects {
            if fill {
                boxes.push(grow(bounds(corners), if stroke { half } else { 0.0 }));
            } else {
                for k in 0..4 {
                    boxes.push(grow(bounds(&[corners[k], corners[(k + 1) % 4]]), half));
                }
            }
        }
        if let Some(b) = path.other {
            boxes.push(grow(b, if stroke { half } else { 0.0 }));
        }
        for b in boxes {
            if self.out.fills.len() < MAX_GLYPHS {
                self.out.fills.push(b);
            }
        }
    }

    /// Notes the first reason the content cannot be followed exactly.
    fn incomplete(&mut self, why: &str) {
        if self.out.incomplete.is_none() {
            self.out.incomplete = Some(why.to_string());
        }
    }

    /// Runs a form XObject `key` of `resources`, or records an image XObject.
    fn xobject(&mut self, resources: &Dict, key: &[u8], ctm: Matrix, depth: usize) -> Result<()> {
        let Some(xobjects) = resources.get("XObject") else {
            return Ok(());
        };
        let xobjects = self.reader.deref(xobjects)?;
        let Some(x) = xobjects.as_dict().and_then(|d| d.get(key)) else {
            return Ok(());
        };
        let Object::Stream(form) = self.reader.deref(x)? else {
            return Ok(());
        };
        if form.dict.get("Subtype").is_some_and(|s| s.is_name("Image")) {
            match self.opaque_cells(&form.dict)? {
                Some(cells) => {
                    self.image(ctm, true);
                    for c in cells {
                        if self.out.fills.len() < MAX_GLYPHS {
                            self.out.fills.push(transformed_box(ctm, c));
                        }
                    }
                }
                None => self.image(ctm, false),
            }
            return Ok(());
        }
        if !form.dict.get("Subtype").is_some_and(|s| s.is_name("Form")) {
            return Ok(());
        }
        let Some(matrix) = matrix_of(&form.dict) else {
            self.incomplete("a form's /Matrix is not six numbers");
            return Ok(());
        };
        let own = match form.dict.get("Resources") {
            Some(r) => self.reader.deref(r)?.as_dict().cloned(),
            None => None,
        };
        let data = form.decoded_data()?;
        self.decoded += data.len();
        if self.decoded > MAX_DECODED_PER_PAGE {
            return Err(Error::LimitExceeded {
                what: "content bytes decoded for one page",
                limit: MAX_DECODED_PER_PAGE,
            });
        }
        self.run(
            &data,
            own.as_ref().unwrap_or(resources),
            mul(matrix, ctm),
            depth + 1,
        )
    }

    fn font(&mut self, state: &State, fonts: &Dict) -> Result<std::rc::Rc<FontCodes>> {
        // Only fonts that are objects of their own are cached: two forms may each have a
        // direct /F1 of a different font.
        if let Some(r) = state.font
            && let Some(f) = self.fonts.get(&r)
        {
            return Ok(f.clone());
        }
        let dict = match fonts.get(state.font_key.as_slice()) {
            Some(f) => self.reader.deref(f)?.as_dict().cloned().unwrap_or_default(),
            None => Dict::new(),
        };
        if dict.get("Subtype").is_some_and(|t| t.is_name("Type3")) {
            self.incomplete("a Type 3 font (its glyphs are drawings of any size)");
        }
        if dict.get("Subtype").is_some_and(|t| t.is_name("Type0"))
            && !dict
                .get("Encoding")
                .is_some_and(|e| e.is_name("Identity-H"))
        {
            self.incomplete("a Type 0 font with another encoding than Identity-H");
        }
        let f = std::rc::Rc::new(FontCodes::read(self.reader, &dict)?);
        if let Some(r) = state.font {
            self.fonts.insert(r, f.clone());
        }
        Ok(f)
    }

    fn show(&mut self, state: &State, fonts: &Dict, tm: &mut Matrix, bytes: &[u8]) -> Result<()> {
        let font = self.font(state, fonts)?;
        let size = state.size;
        let mut i = 0;
        while i < bytes.len() {
            let width = if font.two_byte { 2 } else { 1 };
            let code = bytes[i..(i + width).min(bytes.len())]
                .iter()
                .fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
            i += width;
            let w0 = font.width(code) / 1000.0;
            let advance = (w0 * size
                + state.char_spacing
                + if width == 1 && code == 32 {
                    state.word_spacing
                } else {
                    0.0
                })
                * state.scale;
            let m = mul(*tm, state.ctm);
            let bbox = transformed_box(
                m,
                [
                    0.0,
                    font.descent * size,
                    w0 * size * state.scale,
                    font.ascent * size,
                ],
            );
            let shown = (m[1].hypot(m[3])) * size;
            if self.out.glyphs.len() < MAX_GLYPHS {
                self.out.glyphs.push(Glyph {
                    text: font.text(code),
                    bbox,
                    size: shown,
                    painted: !matches!(state.render_mode, 3 | 7),
                });
            }
            *tm = mul([1.0, 0.0, 0.0, 1.0, advance, 0.0], *tm);
        }
        Ok(())
    }
}

/// What a font's codes mean: text, width, and the code length.
struct FontCodes {
    two_byte: bool,
    to_unicode: HashMap<u32, String>,
    encoding: Option<[char; 256]>,
    widths: HashMap<u32, f64>,
    default_width: f64,
    ascent: f64,
    descent: f64,
}

impl FontCodes {
    fn read<S: Source>(reader: &PdfReader<S>, font: &Dict) -> Result<Self> {
        let type0 = font.get("Subtype").is_some_and(|s| s.is_name("Type0"));
        let mut widths = HashMap::new();
        let mut default_width = if type0 { 1000.0 } else { 500.0 };
        let mut descriptor = font.get("FontDescriptor").cloned();
        if type0 {
            let descendant = match font
                .get("DescendantFonts")
                .map(|d| reader.deref(d))
                .transpose()?
            {
                Some(Object::Array(a)) => match a.first() {
                    Some(d) => reader.deref(d)?.as_dict().cloned().unwrap_or_default(),
                    None => Dict::new(),
                },
                _ => Dict::new(),
            };
            if let Some(dw) = descendant.get("DW").and_then(Object::as_f64) {
                default_width = dw;
            }
            if let Some(Object::Array(w)) =
                descendant.get("W").map(|w| reader.deref(w)).transpose()?
            {
                read_cid_widths(reader, &w, &mut widths)?;
            }
            descriptor = descendant.get("FontDescriptor").cloned();
        } else {
            let first = font.get("FirstChar").and_then(Object::as_i64).unwrap_or(0);
            if let Some(Object::Array(w)) =
                font.get("Widths").map(|w| reader.deref(w)).transpose()?
            {
                for (i, v) in w.iter().enumerate().take(256) {
                    if let Some(v) = reader.deref(v)?.as_f64() {
                        widths.insert((first + i as i64).clamp(0, 255) as u32, v);
                    }
                }
            }
        }
        let (mut ascent, mut descent) = (0.8, -0.2);
        if let Some(d) = descriptor {
            let d = reader.deref(&d)?;
            if let Some(d) = d.as_dict() {
                if let Some(a) = d
                    .get("Ascent")
                    .and_then(Object::as_f64)
                    .filter(|a| *a > 0.0)
                {
                    ascent = (a / 1000.0).min(1.5);
                }
                if let Some(a) = d
                    .get("Descent")
                    .and_then(Object::as_f64)
                    .filter(|a| *a < 0.0)
                {
                    descent = (a / 1000.0).max(-1.0);
                }
            }
        }
        let to_unicode = match font.get("ToUnicode").map(|t| reader.deref(t)).transpose()? {
            Some(Object::Stream(s)) => parse_to_unicode(&s.decoded_data()?),
            _ => HashMap::new(),
        };
        let encoding = if type0 {
            None
        } else {
            Some(simple_encoding(reader, font)?)
        };
        Ok(FontCodes {
            two_byte: type0,
            to_unicode,
            encoding,
            widths,
            default_width,
            ascent,
            descent,
        })
    }

    fn width(&self, code: u32) -> f64 {
        self.widths
            .get(&code)
            .copied()
            .unwrap_or(self.default_width)
    }

    fn text(&self, code: u32) -> String {
        if let Some(t) = self.to_unicode.get(&code) {
            return t.clone();
        }
        match (&self.encoding, u8::try_from(code)) {
            (Some(table), Ok(b)) => table[usize::from(b)].to_string(),
            _ => char::REPLACEMENT_CHARACTER.to_string(),
        }
    }
}

fn read_cid_widths<S: Source>(
    reader: &PdfReader<S>,
    w: &[Object],
    widths: &mut HashMap<u32, f64>,
) -> Result<()> {
    let mut i = 0;
    // Entries written, repeats included: a /W of many overlapping ranges costs no more.
    let mut work = 0usize;
    while i < w.len() && work < 131_072 {
        let first = reader.deref(&w[i])?.as_i64().unwrap_or(0).clamp(0, 65_535) as u32;
        match w.get(i + 1).map(|o| reader.deref(o)).transpose()? {
            Some(Object::Array(list)) => {
                for (k, v) in list.iter().enumerate().take(65_536) {
                    if let Some(v) = v.as_f64() {
                        widths.insert(first + k as u32, v);
                    }
                    work += 1;
                }
                i += 2;
            }
            Some(last) => {
                let last = last.as_i64().unwrap_or(0).clamp(0, 65_535) as u32;
                let v = w.get(i + 2).and_then(Object::as_f64).unwrap_or(1000.0);
                for c in first..=last.min(first + 65_535) {
                    widths.insert(c, v);
                    work += 1;
                }
                i += 3;
            }
            None => break,
        }
    }
    Ok(())
}

/// Code → text from a ToUnicode CMap: `bfchar` and `bfrange` (both forms).
fn parse_to_unicode(data: &[u8]) -> HashMap<u32, String> {
    let code = |b: &[u8]| b.iter().take(4).fold(0u32, |a, x| (a << 8) | u32::from(*x));
    let utf16 = |b: &[u8]| {
        let units: Vec<u16> = b
            .chunks(2)
            .map(|c| (u16::from(c[0]) << 8) | u16::from(*c.get(1).unwrap_or(&0)))
            .collect();
        String::from_utf16_lossy(&units)
    };
    let mut map = HashMap::new();
    // Entries written, repeats included: overlapping ranges cost no more than distinct ones.
    let mut work = 0usize;
    for op in Content::decode_iter(data).take(MAX_OPERATIONS) {
        let Ok(op) = op else { break };
        let s = |o: &lopdf::Object| match o {
            lopdf::Object::String(b, _) => Some(b.clone()),
            _ => None,
        };
        match op.operator.as_str() {
            "endbfchar" => {
                for pair in op.operands.chunks(2) {
                    if let (Some(src), Some(dst)) =
                        (pair.first().and_then(s), pair.get(1).and_then(s))
                    {
                        map.insert(code(&src), utf16(&dst));
                        work += 1;
                    }
                }
            }
            "endbfrange" => {
                for triple in op.operands.chunks(3) {
                    let (Some(lo), Some(hi)) =
                        (triple.first().and_then(s), triple.get(1).and_then(s))
                    else {
                        continue;
                    };
                    let (lo, hi) = (code(&lo), code(&hi));
                    if hi < lo || hi - lo > 65_535 {
                        continue;
                    }
                    if work > MAX_TO_UNICODE {
                        break;
                    }
                    work += (hi - lo) as usize + 1;
                    match triple.get(2) {
                        Some(lopdf::Object::String(dst, _)) => {
                            let base: Vec<u16> = utf16(dst).encode_utf16().collect();
                            for (k, c) in (lo..=hi).enumerate() {
                                let mut units = base.clone();
                                if let Some(last) = units.last_mut() {
                                    *last = last.wrapping_add(k as u16);
                                }
                                map.insert(c, String::from_utf16_lossy(&units));
                            }
                        }
                        Some(lopdf::Object::Array(list)) => {
                            for (c, d) in (lo..=hi).zip(list) {
                                if let Some(d) = s(d) {
                                    map.insert(c, utf16(&d));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        if work > MAX_TO_UNICODE {
            break;
        }
    }
    map
}

/// Codes written from one ToUnicode CMap, at most (a range may add 65 536 at once).
const MAX_TO_UNICODE: usize = 131_072;

/// The 256 characters of a simple font's codes: its base encoding and /Differences.
fn simple_encoding<S: Source>(reader: &PdfReader<S>, font: &Dict) -> Result<[char; 256]> {
    let mut table = WIN_ANSI;
    let enc = font.get("Encoding").map(|e| reader.deref(e)).transpose()?;
    let (base, differences) = match &enc {
        Some(Object::Name(n)) => (Some(n.as_bytes().to_vec()), None),
        Some(Object::Dict(d)) => (
            d.get("BaseEncoding")
                .and_then(Object::as_name)
                .map(<[u8]>::to_vec),
            d.get("Differences")
                .and_then(Object::as_array)
                .map(<[Object]>::to_vec),
        ),
        _ => (None, None),
    };
    if base.as_deref() == Some(b"MacRomanEncoding") {
        for (i, c) in MAC_ROMAN_HIGH.chars().enumerate() {
            table[128 + i] = c;
        }
    }
    if let Some(diff) = differences {
        let mut code = 0usize;
        for item in diff {
            match item {
                Object::Integer(i) => code = i.clamp(0, 255) as usize,
                Object::Name(n) => {
                    if code < 256
                        && let Some(c) = glyph_name_char(n.as_bytes())
                    {
                        table[code] = c;
                    }
                    code += 1;
                }
                _ => {}
            }
        }
    }
    Ok(table)
}

/// The character of a glyph name: `uniXXXX`, `uXXXX[XX]`, single letters and digits, and the
/// common Adobe Glyph List names.
fn glyph_name_char(name: &[u8]) -> Option<char> {
    let name = std::str::from_utf8(name).ok()?;
    let hex = |h: &str| u32::from_str_radix(h, 16).ok().and_then(char::from_u32);
    if let Some(h) = name.strip_prefix("uni").filter(|h| h.len() == 4) {
        return hex(h);
    }
    if let Some(h) = name
        .strip_prefix('u')
        .filter(|h| (4..=6).contains(&h.len()))
    {
        return hex(h);
    }
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next())
        && c.is_ascii_alphabetic()
    {
        return Some(c);
    }
    let named = [
        ("space", ' '),
        ("zero", '0'),
        ("one", '1'),
        ("two", '2'),
        ("three", '3'),
        ("four", '4'),
        ("five", '5'),
        ("six", '6'),
        ("seven", '7'),
        ("eight", '8'),
        ("nine", '9'),
        ("period", '.'),
        ("comma", ','),
        ("colon", ':'),
        ("semicolon", ';'),
        ("hyphen", '-'),
        ("bracketleft", '['),
        ("bracketright", ']'),
        ("parenleft", '('),
        ("parenright", ')'),
        ("slash", '/'),
        ("quotesingle", '\''),
        ("quotedbl", '"'),
        ("underscore", '_'),
        ("Dcroat", 'Đ'),
        ("dcroat", 'đ'),
        ("Ohorn", 'Ơ'),
        ("ohorn", 'ơ'),
        ("Uhorn", 'Ư'),
        ("uhorn", 'ư'),
        ("Abreve", 'Ă'),
        ("abreve", 'ă'),
    ];
    named.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// WinAnsiEncoding (ISO 32000-2 Annex D): Latin-1 with the cp1252 characters in 0x80–0x9F.
const WIN_ANSI: [char; 256] = {
    let mut t = ['\u{FFFD}'; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match char::from_u32(i as u32) {
            Some(c) => c,
            None => '\u{FFFD}',
        };
        i += 1;
    }
    let high = [
        '€', '\u{FFFD}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{FFFD}', 'Ž',
        '\u{FFFD}', '\u{FFFD}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ',
        '\u{FFFD}', 'ž', 'Ÿ',
    ];
    let mut k = 0;
    while k < 32 {
        t[0x80 + k] = high[k];
        k += 1;
    }
    t
};

/// MacRomanEncoding, codes 128–255.
const MAC_ROMAN_HIGH: &str = "ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø¿¡¬√ƒ≈∆«»… ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄€‹›ﬁﬂ‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\u{F8FF}ÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇ";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_unicode_cmap_forms_are_read() {
        let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
            1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
            2 beginbfchar <0003> <0020> <0010> <1EC5> endbfchar\n\
            2 beginbfrange <0020> <0022> <0041> <0030> <0031> [<0110> <01B0>] endbfrange\n\
            endcmap CMapName currentdict /CMap defineresource pop end end";
        let m = parse_to_unicode(cmap);
        assert_eq!(m[&0x10], "ễ");
        assert_eq!(m[&0x03], " ");
        assert_eq!(m[&0x22], "C");
        assert_eq!(m[&0x31], "ư");
    }

    fn glyphs(s: &str, x0: f64, y: f64) -> Vec<Glyph> {
        s.chars()
            .enumerate()
            .map(|(i, c)| Glyph {
                text: c.to_string(),
                bbox: [x0 + 6.0 * i as f64, y, x0 + 6.0 * (i + 1) as f64, y + 10.0],
                size: 10.0,
                painted: true,
            })
            .collect()
    }

    #[test]
    fn find_spans_runs_and_ignores_normalisation_and_spacing() {
        let mut page = PageText::default();
        page.glyphs.extend(glyphs("Nơi", 100.0, 500.0));
        // "nhận:" shown decomposed, after a gap: a virtual space joins the two runs.
        page.glyphs
            .extend(glyphs("nha\u{323}\u{302}n:", 130.0, 500.0));
        page.glyphs.extend(glyphs("[ky-so]", 300.0, 200.0));
        let hit = page.find("Nơi  nhận:");
        assert_eq!(hit.len(), 1);
        assert_eq!(hit[0][0], 100.0);
        assert_eq!(page.find("[ky-so]"), vec![[300.0, 200.0, 342.0, 210.0]]);
        assert!(page.find("Nơi nhận: [ky-so]").is_empty());
        assert!(page.find("không có").is_empty());
    }
}
