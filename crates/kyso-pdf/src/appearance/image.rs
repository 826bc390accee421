//! Images for appearances: the handwritten signature and the red seal (ISO 32000-2 §8.9).
//!
//! PNG is decoded (`png`) and re-encoded as Flate image data, its alpha channel as a soft mask
//! (/SMask, §11.6.5.3) so a transparent background stays transparent; JPEG is passed through
//! as /DCTDecode after reading its frame header. Anything else is refused.

use std::io::Cursor;
use std::path::Path;

use crate::object::{Dict, ObjRef, Object, Stream};
use crate::update::IncrementalUpdate;
use crate::{Error, Result};

/// The largest image width or height accepted, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 8192;
/// The largest image file accepted.
pub const MAX_IMAGE_LEN: usize = 32 * 1024 * 1024;

/// A decoded or passed-through raster image.
#[derive(Clone, Debug)]
pub struct Image {
    width: u32,
    height: u32,
    /// Pixels per millimetre from the file (PNG pHYs, JFIF density), when it says.
    density: Option<(f64, f64)>,
    /// Mean colour of the visible pixels (alpha ≥ 128) of a transparent PNG.
    ink: Option<[u8; 3]>,
    pixels: Pixels,
}

#[derive(Clone, Debug)]
enum Pixels {
    /// JPEG bytes as they came, with the colour space their component count implies.
    Jpeg {
        data: Vec<u8>,
        components: u8,
        adobe_inverted: bool,
    },
    /// 8-bit samples, Flate-compressed: gray or RGB, and an optional alpha plane.
    Raw {
        rgb: bool,
        data: Vec<u8>,
        alpha: Option<Vec<u8>>,
    },
}

impl Image {
    /// An image from PNG or JPEG bytes, told apart by their signatures.
    ///
    /// # Errors
    ///
    /// [`Error::Image`] for any other format, a damaged file, or one larger than
    /// [`MAX_IMAGE_SIDE`] pixels a side or [`MAX_IMAGE_LEN`] bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() > MAX_IMAGE_LEN {
            return Err(Error::LimitExceeded {
                what: "image file size",
                limit: MAX_IMAGE_LEN,
            });
        }
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            decode_png(bytes)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            read_jpeg(bytes)
        } else {
            Err(Error::Image(
                "not a PNG or JPEG file (signature and seal images must be PNG or JPEG)".into(),
            ))
        }
    }

    /// An image read from a file.
    pub fn from_file(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::Input {
            path: path.to_path_buf(),
            source: e,
        })?;
        Self::from_bytes(&bytes).map_err(|e| match e {
            Error::Image(m) => Error::Image(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// Width and height in pixels.
    pub fn pixel_size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The printed size in millimetres the file records (PNG pHYs in pixels per metre,
    /// JFIF dots per inch or per centimetre), if it records one.
    pub fn physical_size_mm(&self) -> Option<(f64, f64)> {
        self.density
            .map(|(x, y)| (f64::from(self.width) / x, f64::from(self.height) / y))
    }

    /// Width over height.
    pub fn aspect(&self) -> f64 {
        f64::from(self.width) / f64::from(self.height.max(1))
    }

    /// The mean colour of the drawn (alpha ≥ 128) pixels of an image with a transparent
    /// background, RGB: what the ink or the seal looks like.
    pub fn ink(&self) -> Option<[u8; 3]> {
        self.ink
    }

    /// Whether the image has a transparent background (an alpha channel).
    pub fn has_alpha(&self) -> bool {
        matches!(&self.pixels, Pixels::Raw { alpha: Some(_), .. })
    }

    /// Writes the image XObject (and its soft mask) into `update`.
    pub(crate) fn write(&self, update: &mut IncrementalUpdate) -> ObjRef {
        let mut dict = self.xobject_dict();
        let data = match &self.pixels {
            Pixels::Jpeg {
                data,
                components,
                adobe_inverted,
            } => {
                dict.set("Filter", Object::name("DCTDecode"));
                let space = match components {
                    1 => "DeviceGray",
                    4 => "DeviceCMYK",
                    _ => "DeviceRGB",
                };
                dict.set("ColorSpace", Object::name(space));
                if *components == 4 && *adobe_inverted {
                    dict.set(
                        "Decode",
                        Object::Array([1, 0, 1, 0, 1, 0, 1, 0].map(Object::Integer).to_vec()),
                    );
                }
                data.clone()
            }
            Pixels::Raw { rgb, data, alpha } => {
                dict.set("Filter", Object::name("FlateDecode"));
                dict.set(
                    "ColorSpace",
                    Object::name(if *rgb { "DeviceRGB" } else { "DeviceGray" }),
                );
                if let Some(alpha) = alpha {
                    let mask = update.allocate();
                    let mut m = self.xobject_dict();
                    m.set("ColorSpace", Object::name("DeviceGray"));
                    m.set("Filter", Object::name("FlateDecode"));
                    update.put(mask, &Object::Stream(Stream::new(m, alpha.clone())));
                    dict.set("SMask", Object::Reference(mask));
                }
                data.clone()
            }
        };
        let r = update.allocate();
        update.put(r, &Object::Stream(Stream::new(dict, data)));
        r
    }
}

impl Image {
    /// The entries an image XObject of this size and its soft mask share (§8.9.5).
    fn xobject_dict(&self) -> Dict {
        let mut d = Dict::new();
        d.set("Type", Object::name("XObject"));
        d.set("Subtype", Object::name("Image"));
        d.set("Width", Object::Integer(i64::from(self.width)));
        d.set("Height", Object::Integer(i64::from(self.height)));
        d.set("BitsPerComponent", Object::Integer(8));
        d
    }
}

fn check_side(width: u32, height: u32) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(Error::Image("the image has no pixels".into()));
    }
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(Error::Image(format!(
            "the image is {width}×{height} pixels; at most {MAX_IMAGE_SIDE} a side"
        )));
    }
    Ok(())
}

fn decode_png(bytes: &[u8]) -> Result<Image> {
    let bad = |e: png::DecodingError| Error::Image(format!("damaged PNG: {e}"));
    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: 4 * (MAX_IMAGE_SIDE as usize) * (MAX_IMAGE_SIDE as usize),
        },
    );
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(bad)?;
    let (width, height) = (reader.info().width, reader.info().height);
    check_side(width, height)?;
    let density = reader.info().pixel_dims.and_then(|d| match d.unit {
        png::Unit::Meter if d.xppu > 0 && d.yppu > 0 => {
            Some((f64::from(d.xppu) / 1000.0, f64::from(d.yppu) / 1000.0))
        }
        _ => None,
    });
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| Error::Image("the PNG is too large to decode".into()))?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(bad)?;
    buf.truncate(frame.buffer_size());
    let (channels, rgb, has_alpha) = match frame.color_type {
        png::ColorType::Grayscale => (1, false, false),
        png::ColorType::GrayscaleAlpha => (2, false, true),
        png::ColorType::Rgb => (3, true, false),
        png::ColorType::Rgba => (4, true, true),
        png::ColorType::Indexed => {
            return Err(Error::Image("an indexed PNG was not expanded".into()));
        }
    };
    let colour_channels = channels - usize::from(has_alpha);
    let pixels = buf.len() / channels;
    let mut colour = Vec::with_capacity(pixels * colour_channels);
    let mut alpha = Vec::with_capacity(if has_alpha { pixels } else { 0 });
    let (mut sum, mut drawn) = ([0u64; 3], 0u64);
    for px in buf.chunks_exact(channels) {
        colour.extend_from_slice(&px[..colour_channels]);
        if has_alpha {
            let a = px[colour_channels];
            alpha.push(a);
            if a >= 128 {
                drawn += 1;
                for (k, s) in sum.iter_mut().enumerate() {
                    *s += u64::from(px[if rgb { k } else { 0 }]);
                }
            }
        }
    }
    let ink = (has_alpha && drawn > 0).then(|| sum.map(|s| (s / drawn) as u8));
    // An alpha channel that is opaque everywhere needs no soft mask.
    let alpha = (has_alpha && alpha.iter().any(|&a| a != 255)).then(|| super::deflate(&alpha));
    Ok(Image {
        width,
        height,
        density,
        ink,
        pixels: Pixels::Raw {
            rgb,
            data: super::deflate(&colour),
            alpha,
        },
    })
}

/// Reads a JPEG's markers up to its frame header (ITU-T T.81 §B.2): size, components, JFIF
/// density, and whether an Adobe APP14 marker says CMYK is stored inverted.
fn read_jpeg(bytes: &[u8]) -> Result<Image> {
    let bad = |m: &str| Error::Image(format!("damaged JPEG: {m}"));
    let mut at = 2;
    let mut density = None;
    let mut adobe = false;
    loop {
        // Fill bytes (0xFF) may precede a marker.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else {
            return Err(bad("no frame header"));
        };
        at += 2;
        if marker == 0xD8 || (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            continue;
        }
        if marker == 0xD9 || marker == 0xDA {
            return Err(bad("no frame header before the image data"));
        }
        let len = match bytes.get(at..at + 2) {
            Some(l) => usize::from(u16::from_be_bytes([l[0], l[1]])),
            None => return Err(bad("truncated marker")),
        };
        let body = bytes
            .get(at + 2..at + len)
            .filter(|_| len >= 2)
            .ok_or_else(|| bad("truncated marker segment"))?;
        match marker {
            0xE0 if body.starts_with(b"JFIF\0") && body.len() >= 12 => {
                let x = f64::from(u16::from_be_bytes([body[8], body[9]]));
                let y = f64::from(u16::from_be_bytes([body[10], body[11]]));
                density = match body[7] {
                    1 if x > 0.0 && y > 0.0 => Some((x / 25.4, y / 25.4)),
                    2 if x > 0.0 && y > 0.0 => Some((x / 10.0, y / 10.0)),
                    _ => None,
                };
            }
            0xEE if body.starts_with(b"Adobe") => adobe = true,
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                if body.len() < 6 {
                    return Err(bad("short frame header"));
                }
                if body[0] != 8 {
                    return Err(Error::Image(format!(
                        "a {}-bit JPEG; only 8-bit JPEG can be embedded",
                        body[0]
                    )));
                }
                let height = u32::from(u16::from_be_bytes([body[1], body[2]]));
                let width = u32::from(u16::from_be_bytes([body[3], body[4]]));
                let components = body[5];
                if !matches!(components, 1 | 3 | 4) {
                    return Err(bad("neither 1, 3 nor 4 colour components"));
                }
                check_side(width, height)?;
                return Ok(Image {
                    width,
                    height,
                    density,
                    ink: None,
                    pixels: Pixels::Jpeg {
                        data: bytes.to_vec(),
                        components,
                        adobe_inverted: adobe,
                    },
                });
            }
            _ => {}
        }
        at += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(color: png::ColorType, pixels: &[u8], w: u32, h: u32, ppm: Option<u32>) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        if let Some(p) = ppm {
            enc.set_pixel_dims(Some(png::PixelDimensions {
                xppu: p,
                yppu: p,
                unit: png::Unit::Meter,
            }));
        }
        let mut w = enc.write_header().unwrap();
        w.write_image_data(pixels).unwrap();
        drop(w);
        out
    }

    #[test]
    fn png_alpha_becomes_a_soft_mask_and_density_a_size() {
        // 2×1 RGBA: one opaque red pixel, one transparent; 1000 px/m = 1 px/mm.
        let bytes = png(
            png::ColorType::Rgba,
            &[255, 0, 0, 255, 0, 0, 0, 0],
            2,
            1,
            Some(1000),
        );
        let img = Image::from_bytes(&bytes).unwrap();
        assert_eq!(img.pixel_size(), (2, 1));
        assert!(img.has_alpha());
        assert_eq!(img.physical_size_mm(), Some((2.0, 1.0)));
        assert_eq!(img.ink(), Some([255, 0, 0]));
    }

    #[test]
    fn opaque_png_has_no_mask() {
        let bytes = png(png::ColorType::Rgba, &[1, 2, 3, 255], 1, 1, None);
        let img = Image::from_bytes(&bytes).unwrap();
        assert!(!img.has_alpha());
        assert_eq!(img.physical_size_mm(), None);
    }

    #[test]
    fn jpeg_frame_header_is_read() {
        // SOI, JFIF APP0 at 300 dpi, SOF0 8-bit 20×10 with 3 components, EOI.
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
        j.extend_from_slice(b"JFIF\0\x01\x02\x01\x01\x2C\x01\x2C\0\0");
        j.extend_from_slice(&[0xFF, 0xC0, 0, 17, 8, 0, 10, 0, 20, 3]);
        j.extend_from_slice(&[1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        j.extend_from_slice(&[0xFF, 0xD9]);
        let img = Image::from_bytes(&j).unwrap();
        assert_eq!(img.pixel_size(), (20, 10));
        let (w, _) = img.physical_size_mm().unwrap();
        assert!((w - 20.0 * 25.4 / 300.0).abs() < 1e-9);
    }

    #[test]
    fn other_formats_and_damage_are_refused() {
        for bytes in [
            &b"GIF89a...."[..],
            b"BM\0\0",
            b"\x89PNG\r\n\x1a\nbroken",
            &[0xFF, 0xD8, 0xFF, 0xD9],
        ] {
            assert!(
                matches!(Image::from_bytes(bytes), Err(Error::Image(_))),
                "{bytes:?}"
            );
        }
    }
}
