//! Visible signature appearances (ISO 32000-2 §12.5.5, §12.7.5.5): what a signature widget
//! shows on the page, and where it goes.
//!
//! * [`Appearance`]: text in an embedded font subset ([`Font`], Liberation Serif by default:
//!   Times New Roman's metrics, every Vietnamese letter), an image ([`Image`]: PNG with its
//!   transparency, JPEG as is), in one of the [`Layout`]s, with word wrap and automatic size.
//!   The appearance stream is written with lopdf's content module.
//! * [`Placement`]: a page and a rectangle (PDF user space, or millimetres from a corner of the
//!   page as displayed), or next to a text found on the page ([`Anchor`]); /Rotate and
//!   MediaBox/CropBox origins are taken into account ([`PageGeometry`]).
//! * [`preset`]: the appearances Decree 30/2020/NĐ-CP, Appendix I, prescribes for Vietnamese
//!   electronic administrative documents.
//!
//! ```no_run
//! use kyso_pdf::appearance::{Appearance, Corner, Image, Layout, Placement};
//! use kyso_pdf::{PdfSigner, SignOptions, VisibleSignature};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let signer: Box<dyn kyso_cms::Signer> = todo!();
//! let mut appearance = Appearance::text("Ký bởi: Trần Văn Đức\nSở Thông tin và Truyền thông");
//! appearance.image = Some(Image::from_file("chu-ky.png".as_ref())?);
//! appearance.layout = Layout::ImageBesideText { image_share: 0.4 };
//! let visible = VisibleSignature {
//!     appearance,
//!     // 20 mm from the right and 30 mm from the bottom of page 1, 70 × 25 mm.
//!     placement: Placement::Millimetres {
//!         page: 0,
//!         corner: Corner::BottomRight,
//!         x: 20.0,
//!         y: 30.0,
//!         width: 70.0,
//!         height: 25.0,
//!     },
//!     size: (0.0, 0.0),
//! };
//! let options = SignOptions { visible: Some(visible), ..SignOptions::default() };
//! PdfSigner::new(options).sign_file("in.pdf".as_ref(), "out.pdf".as_ref(), signer.as_ref())?;
//! # Ok(()) }
//! ```

pub mod font;
pub mod image;
pub mod layout;
pub mod page;
pub mod preset;
pub mod text;

use lopdf::content::{Content, Operation};

pub use font::Font;
pub use image::Image;
pub use page::{Anchor, AnchorSide, Corner, PageGeometry, Placement};

use crate::object::{Dict, ObjRef, Object, Stream};
use crate::update::IncrementalUpdate;
use crate::{Error, Result};
use layout::TextBlock;

/// How text and image share the widget's box.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Layout {
    /// Text only.
    #[default]
    Text,
    /// The image only, scaled to fit and centred.
    Image,
    /// The image on the left, taking `image_share` of the width (0–1), the text on the right.
    ImageBesideText {
        /// The part of the width the image gets.
        image_share: f64,
    },
    /// The image on top, the text in `text_height` points at the bottom.
    ImageAboveText {
        /// Height of the text band at the bottom, in points.
        text_height: f64,
    },
    /// The image filling the box and the text drawn over it.
    TextOverImage,
}

/// Horizontal alignment of text lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Align {
    /// Lines start at the left edge.
    #[default]
    Left,
    /// Lines are centred.
    Center,
}

/// Font size: fixed, or the largest that fits the box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FontSize {
    /// Exactly this size, in points; text that does not fit is an error.
    Fixed(f64),
    /// The largest size up to `max` points at which the text fits.
    Auto {
        /// The largest size tried.
        max: f64,
    },
}

impl Default for FontSize {
    fn default() -> Self {
        FontSize::Auto { max: 12.0 }
    }
}

/// A colour in DeviceRGB, each component 0–1.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rgb(pub f64, pub f64, pub f64);

/// What a visible signature shows.
#[derive(Clone, Debug, Default)]
pub struct Appearance {
    /// How text and image are arranged.
    pub layout: Layout,
    /// The text; `\n` starts a new paragraph. Normalised to NFC before use.
    pub text: String,
    /// The image, for the layouts that have one.
    pub image: Option<Image>,
    /// The font of the text (the bundled Liberation Serif by default).
    pub font: Font,
    /// The font size.
    pub font_size: FontSize,
    /// The text colour (black by default).
    pub color: Rgb,
    /// Alignment of the text lines.
    pub align: Align,
    /// Empty margin inside the box, in points.
    pub padding: f64,
    /// A colour filling the whole box under the image and text; `None`: transparent, what is
    /// on the page shows through.
    pub background: Option<Rgb>,
}

/// Where everything of an appearance goes in a box of a given size: the result of layout,
/// before any PDF is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawing {
    /// Width and height of the box (as the page is displayed), in points.
    pub size: (f64, f64),
    /// The image's rectangle `[x, y, width, height]` in the box, if there is an image.
    pub image: Option<[f64; 4]>,
    /// The text, if there is any.
    pub text: Option<TextBlock>,
}

impl Appearance {
    /// Text only, automatic size.
    pub fn text(text: impl Into<String>) -> Self {
        Appearance {
            text: text.into(),
            padding: 2.0,
            ..Default::default()
        }
    }

    /// An image only.
    pub fn image(image: Image) -> Self {
        Appearance {
            layout: Layout::Image,
            image: Some(image),
            ..Default::default()
        }
    }

    /// The usual look of a signature: the image alone when no text is given, the image beside
    /// the text (the image on 40 % of the width) when both are, the text alone — or
    /// `default_text()`, e.g. [`preset::signed_by`] — when there is no image.
    pub fn signature(
        text: Option<String>,
        image: Option<Image>,
        default_text: impl FnOnce() -> String,
    ) -> Self {
        match (image, text) {
            (Some(image), None) => Self::image(image),
            (Some(image), Some(text)) => Appearance {
                layout: Layout::ImageBesideText { image_share: 0.4 },
                image: Some(image),
                ..Self::text(text)
            },
            (None, text) => Self::text(text.unwrap_or_else(default_text)),
        }
    }

    /// Lays the appearance out in a `width` × `height` box.
    ///
    /// # Errors
    ///
    /// [`Error::Appearance`] when the layout needs an image and has none;
    /// [`Error::MissingGlyph`] and [`Error::TextDoesNotFit`] from the text.
    pub fn layout(&self, width: f64, height: f64) -> Result<Drawing> {
        if !(width > 0.0 && height > 0.0 && width.is_finite() && height.is_finite()) {
            return Err(Error::Appearance(format!(
                "the box is {width}×{height} points; both sides must be positive"
            )));
        }
        let p = self.padding.clamp(0.0, width.min(height) / 3.0);
        let inner = [p, p, width - 2.0 * p, height - 2.0 * p];
        let needs_image = !matches!(self.layout, Layout::Text);
        let image = match (&self.image, needs_image) {
            (Some(i), true) => Some(i),
            (None, true) => {
                return Err(Error::Appearance(
                    "this layout shows an image, and none was given".into(),
                ));
            }
            (_, false) => None,
        };
        let has_text = !self.text.trim().is_empty();
        let fit_text = |b: [f64; 4]| -> Result<Option<TextBlock>> {
            if has_text {
                layout::fit(&self.font, &self.text, b, self.font_size, self.align).map(Some)
            } else {
                Ok(None)
            }
        };
        let fit_image = |b: [f64; 4]| image.map(|i| fit_aspect(i.aspect(), b));
        let [x, y, w, h] = inner;
        let (image_rect, text) = match self.layout {
            Layout::Text => (None, fit_text(inner)?),
            Layout::Image => (fit_image(inner), None),
            Layout::TextOverImage => (fit_image(inner), fit_text(inner)?),
            Layout::ImageBesideText { image_share } => {
                let share = image_share.clamp(0.05, 0.95);
                let iw = if has_text { w * share } else { w };
                (
                    fit_image([x, y, iw, h]),
                    fit_text([x + iw + p, y, (w - iw - p).max(1.0), h])?,
                )
            }
            Layout::ImageAboveText { text_height } => {
                let th = if has_text {
                    text_height.clamp(0.0, h * 0.9)
                } else {
                    0.0
                };
                (fit_image([x, y + th, w, h - th]), fit_text([x, y, w, th])?)
            }
        };
        Ok(Drawing {
            size: (width, height),
            image: image_rect,
            text,
        })
    }

    /// Writes the appearance as a form XObject (§8.10) of `width` × `height` points as the
    /// page is displayed; `rotate` is the page's /Rotate, undone by the form's /Matrix so the
    /// appearance stands upright on screen. Returns the form's reference.
    pub(crate) fn write_form(
        &self,
        update: &mut IncrementalUpdate,
        width: f64,
        height: f64,
        rotate: i64,
    ) -> Result<ObjRef> {
        let drawing = self.layout(width, height)?;
        let mut ops = Vec::new();
        let mut resources = Dict::new();
        if let Some(Rgb(r, g, b)) = self.background {
            ops.push(Operation::new("rg", [r, g, b].map(real).to_vec()));
            ops.push(Operation::new(
                "re",
                [0.0, 0.0, width, height].map(real).to_vec(),
            ));
            ops.push(Operation::new("f", vec![]));
        }
        if let (Some([ix, iy, iw, ih]), Some(image)) = (drawing.image, &self.image) {
            let r = image.write(update);
            let mut xobjects = Dict::new();
            xobjects.set("Im1", Object::Reference(r));
            resources.set("XObject", Object::Dict(xobjects));
            ops.push(Operation::new("q", vec![]));
            ops.push(Operation::new(
                "cm",
                [iw, 0.0, 0.0, ih, ix, iy].map(real).to_vec(),
            ));
            ops.push(Operation::new(
                "Do",
                vec![lopdf::Object::Name(b"Im1".to_vec())],
            ));
            ops.push(Operation::new("Q", vec![]));
        }
        if let Some(block) = &drawing.text {
            let mut subset = font::FontSubset::new(self.font.clone());
            let Rgb(r, g, b) = self.color;
            ops.push(Operation::new("BT", vec![]));
            ops.push(Operation::new("rg", [r, g, b].map(real).to_vec()));
            ops.push(Operation::new(
                "Tf",
                vec![lopdf::Object::Name(b"F1".to_vec()), real(block.size)],
            ));
            for line in &block.lines {
                ops.push(Operation::new(
                    "Tm",
                    [1.0, 0.0, 0.0, 1.0, line.x, line.y].map(real).to_vec(),
                ));
                ops.push(Operation::new(
                    "Tj",
                    vec![lopdf::Object::String(
                        subset.encode(&line.text)?,
                        lopdf::StringFormat::Hexadecimal,
                    )],
                ));
            }
            ops.push(Operation::new("ET", vec![]));
            let font_ref = subset.write(update)?;
            let mut fonts = Dict::new();
            fonts.set("F1", Object::Reference(font_ref));
            resources.set("Font", Object::Dict(fonts));
        }
        let content = Content { operations: ops }
            .encode()
            .map_err(|e| Error::Appearance(format!("cannot encode the appearance: {e}")))?;

        let mut form = Dict::new();
        form.set("Type", Object::name("XObject"));
        form.set("Subtype", Object::name("Form"));
        form.set(
            "BBox",
            Object::Array(vec![
                Object::Integer(0),
                Object::Integer(0),
                font::number(width),
                font::number(height),
            ]),
        );
        if let Some(m) = page::unrotate_matrix(rotate) {
            form.set(
                "Matrix",
                Object::Array(m.iter().map(|&v| font::number(v)).collect()),
            );
        }
        form.set("Resources", Object::Dict(resources));
        form.set("Filter", Object::name("FlateDecode"));
        let r = update.allocate();
        update.put(r, &Object::Stream(Stream::new(form, deflate(&content))));
        Ok(r)
    }
}

/// The largest rectangle of aspect `aspect` (width/height) centred in `[x, y, w, h]`.
fn fit_aspect(aspect: f64, [x, y, w, h]: [f64; 4]) -> [f64; 4] {
    let (fw, fh) = if w / h > aspect {
        (h * aspect, h)
    } else {
        (w, w / aspect)
    };
    [x + (w - fw) / 2.0, y + (h - fh) / 2.0, fw, fh]
}

fn real(v: f64) -> lopdf::Object {
    let r = (v * 1000.0).round() / 1000.0;
    if r.fract() == 0.0 && r.abs() < 1e9 {
        lopdf::Object::Integer(r as i64)
    } else {
        lopdf::Object::Real(r as f32)
    }
}

/// Flate (zlib) compression of stream data.
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    use flate2::{Compression, write::ZlibEncoder};
    use std::io::Write;
    let mut e = ZlibEncoder::new(
        Vec::with_capacity(data.len() / 2 + 64),
        Compression::default(),
    );
    // Writing into a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_keeps_its_aspect_and_is_centred() {
        assert_eq!(
            fit_aspect(2.0, [0.0, 0.0, 100.0, 100.0]),
            [0.0, 25.0, 100.0, 50.0]
        );
        assert_eq!(
            fit_aspect(0.5, [0.0, 0.0, 100.0, 100.0]),
            [25.0, 0.0, 50.0, 100.0]
        );
    }

    #[test]
    fn an_image_layout_without_an_image_is_refused() {
        let a = Appearance {
            layout: Layout::Image,
            ..Default::default()
        };
        assert!(matches!(a.layout(100.0, 50.0), Err(Error::Appearance(_))));
    }
}
