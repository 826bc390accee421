//! Text layout inside a box: word wrap at spaces (and inside words too long for a line) and
//! the largest font size, down to [`MIN_FONT_SIZE`], at which the text fits.

use unicode_normalization::UnicodeNormalization;

use super::{Align, Font, FontSize};
use crate::{Error, Result};

/// The smallest size automatic sizing goes down to, in points.
pub const MIN_FONT_SIZE: f64 = 4.0;
/// The largest font size accepted, in points.
pub const MAX_FONT_SIZE: f64 = 300.0;
/// Baseline-to-baseline distance as a multiple of the font size.
pub const LEADING: f64 = 1.2;

/// One laid-out line: its text and where its baseline starts, in the box's coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The line's text (NFC).
    pub text: String,
    /// Left end of the baseline.
    pub x: f64,
    /// Height of the baseline above the box's bottom.
    pub y: f64,
    /// Width of the line at the block's size.
    pub width: f64,
}

/// Text laid out in a box at one size.
#[derive(Clone, Debug, PartialEq)]
pub struct TextBlock {
    /// Font size in points.
    pub size: f64,
    /// The lines, top first.
    pub lines: Vec<Line>,
}

/// The height `lines` lines take at `size`: ascent of the first to descent of the last.
pub fn block_height(font: &Font, lines: usize, size: f64) -> f64 {
    if lines == 0 {
        return 0.0;
    }
    (lines - 1) as f64 * size * LEADING + font.ascent(size) + font.descent(size)
}

/// Lays `text` out in the box `[x, y, x + w, y + h]`: paragraphs at `\n`, wrapped to `w`,
/// centred vertically.
///
/// # Errors
///
/// [`Error::MissingGlyph`] for a character the font lacks; [`Error::TextDoesNotFit`] when
/// the text is taller than the box at the fixed size, or at [`MIN_FONT_SIZE`].
pub fn fit(
    font: &Font,
    text: &str,
    [x, y, w, h]: [f64; 4],
    size: FontSize,
    align: Align,
) -> Result<TextBlock> {
    let text: String = text.nfc().collect();
    font.check_covers(&text)?;
    let requested = match size {
        FontSize::Fixed(s) | FontSize::Auto { max: s } => s,
    };
    if !(requested > 0.0 && requested <= MAX_FONT_SIZE) {
        return Err(Error::Appearance(format!(
            "font size {requested} pt; it must be above 0 and at most {MAX_FONT_SIZE}"
        )));
    }
    let candidates: Vec<f64> = match size {
        FontSize::Fixed(s) => vec![s],
        FontSize::Auto { max } => {
            let mut v = Vec::new();
            let mut s = max.max(MIN_FONT_SIZE);
            while s >= MIN_FONT_SIZE {
                v.push(s);
                s -= 0.25;
            }
            v
        }
    };
    for &s in &candidates {
        let lines = wrap(font, &text, w, s)?;
        let height = block_height(font, lines.len(), s);
        if height <= h + 1e-6 {
            let top = y + (h + height) / 2.0;
            let mut out = Vec::with_capacity(lines.len());
            for (i, (line, width)) in lines.into_iter().enumerate() {
                let lx = match align {
                    Align::Left => x,
                    Align::Center => x + (w - width) / 2.0,
                };
                let ly = top - font.ascent(s) - i as f64 * s * LEADING;
                out.push(Line {
                    text: line,
                    x: lx,
                    y: ly,
                    width,
                });
            }
            return Ok(TextBlock {
                size: s,
                lines: out,
            });
        }
    }
    Err(Error::TextDoesNotFit {
        width: w,
        height: h,
        size: candidates.last().copied().unwrap_or(MIN_FONT_SIZE),
    })
}

/// Greedy wrap of each paragraph to `width` at `size`; returns lines and their widths.
pub fn wrap(font: &Font, text: &str, width: f64, size: f64) -> Result<Vec<(String, f64)>> {
    let space = font.text_width(" ", size)?;
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let word_w = font.text_width(word, size)?;
            if !line.is_empty() && line_w + space + word_w <= width {
                line.push(' ');
                line.push_str(word);
                line_w += space + word_w;
                continue;
            }
            if !line.is_empty() {
                lines.push((std::mem::take(&mut line), line_w));
            }
            if word_w <= width {
                line = word.to_string();
                line_w = word_w;
            } else {
                // A word wider than the box is broken between characters.
                line_w = 0.0;
                for c in word.chars() {
                    let cw = font.text_width(c.encode_utf8(&mut [0; 4]), size)?;
                    if !line.is_empty() && line_w + cw > width {
                        lines.push((std::mem::take(&mut line), line_w));
                        line_w = 0.0;
                    }
                    line.push(c);
                    line_w += cw;
                }
            }
        }
        lines.push((line, line_w));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_within_the_width() {
        let font = Font::bundled();
        let lines = wrap(&font, "Ủy ban nhân dân tỉnh Đắk Nông", 80.0, 10.0).unwrap();
        assert!(lines.len() >= 2, "{lines:?}");
        assert!(lines.iter().all(|(_, w)| *w <= 80.0));
        let joined: Vec<_> = lines.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(joined.join(" "), "Ủy ban nhân dân tỉnh Đắk Nông");
    }

    #[test]
    fn auto_size_is_the_largest_that_fits() {
        let font = Font::bundled();
        let block = fit(
            &font,
            "Nguyễn Thị Lấp Lánh Ánh",
            [0.0, 0.0, 200.0, 20.0],
            FontSize::Auto { max: 40.0 },
            Align::Left,
        )
        .unwrap();
        assert_eq!(block.lines.len(), 1);
        assert!(block.size > 10.0 && block.size < 40.0, "{}", block.size);
        let larger = block.size + 0.25;
        let lines = wrap(&font, "Nguyễn Thị Lấp Lánh Ánh", 200.0, larger).unwrap();
        assert!(block_height(&font, lines.len(), larger) > 20.0);
    }

    #[test]
    fn fixed_size_that_overflows_is_an_error() {
        let err = fit(
            &Font::bundled(),
            "Sở Thông tin và Truyền thông",
            [0.0, 0.0, 30.0, 10.0],
            FontSize::Fixed(10.0),
            Align::Left,
        )
        .unwrap_err();
        assert!(matches!(err, Error::TextDoesNotFit { .. }), "{err}");
    }
}
