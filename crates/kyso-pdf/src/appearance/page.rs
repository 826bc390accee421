//! Where a visible signature goes: page geometry (MediaBox, CropBox, /Rotate, all inheritable
//! through the page tree, ISO 32000-2 §7.7.3.4) and the ways of saying where.

use crate::object::{ObjRef, Object};
use crate::reader::{MAX_PAGE_TREE_DEPTH, PdfReader, Source};
use crate::{Error, Result};

/// Points per millimetre (1 pt = 1/72 in).
pub const POINTS_PER_MM: f64 = 72.0 / 25.4;

/// The part of a page that is shown, and how it is turned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PageGeometry {
    /// The visible box in user space, `[x1, y1, x2, y2]`: the CropBox clipped to the MediaBox
    /// (§14.11.2), normalised so that x1 < x2 and y1 < y2.
    pub visible: [f64; 4],
    /// /Rotate, normalised to 0, 90, 180 or 270 (degrees clockwise, §7.7.3.3).
    pub rotate: i64,
}

impl PageGeometry {
    /// Reads the geometry of page `page`, with inherited attributes.
    pub fn read<S: Source>(reader: &PdfReader<S>, page: ObjRef) -> Result<Self> {
        let media = inherited(reader, page, "MediaBox")?
            .as_ref()
            .and_then(rect_of)
            .ok_or_else(|| Error::BadObject {
                object: page,
                message: "the page has no valid /MediaBox".into(),
            })?;
        let visible = match inherited(reader, page, "CropBox")?
            .as_ref()
            .and_then(rect_of)
        {
            Some(c) => {
                let i = [
                    c[0].max(media[0]),
                    c[1].max(media[1]),
                    c[2].min(media[2]),
                    c[3].min(media[3]),
                ];
                if i[0] < i[2] && i[1] < i[3] { i } else { media }
            }
            None => media,
        };
        let rotate = inherited(reader, page, "Rotate")?
            .and_then(|r| r.as_i64())
            .unwrap_or(0)
            .rem_euclid(360);
        // Only multiples of 90 are allowed; anything else is treated as the nearest lower one.
        Ok(PageGeometry {
            visible,
            rotate: rotate - rotate % 90,
        })
    }

    /// Width and height of the page as displayed (after /Rotate), in points.
    pub fn displayed_size(&self) -> (f64, f64) {
        let (w, h) = (
            self.visible[2] - self.visible[0],
            self.visible[3] - self.visible[1],
        );
        if self.rotate % 180 == 0 {
            (w, h)
        } else {
            (h, w)
        }
    }

    /// User-space point for a point of the displayed page (origin at its bottom-left, y up).
    pub fn to_user(&self, dx: f64, dy: f64) -> (f64, f64) {
        let [x1, y1, x2, y2] = self.visible;
        match self.rotate {
            90 => (x2 - dy, y1 + dx),
            180 => (x2 - dx, y2 - dy),
            270 => (x1 + dy, y2 - dx),
            _ => (x1 + dx, y1 + dy),
        }
    }

    /// Displayed-page point for a user-space point (the inverse of [`PageGeometry::to_user`]).
    pub fn to_displayed(&self, ux: f64, uy: f64) -> (f64, f64) {
        let [x1, y1, x2, y2] = self.visible;
        match self.rotate {
            90 => (uy - y1, x2 - ux),
            180 => (x2 - ux, y2 - uy),
            270 => (y2 - uy, ux - x1),
            _ => (ux - x1, uy - y1),
        }
    }

    /// A displayed-page rectangle `[x1, y1, x2, y2]` in user space.
    pub fn displayed_rect_to_user(&self, r: [f64; 4]) -> [f64; 4] {
        let (ax, ay) = self.to_user(r[0], r[1]);
        let (bx, by) = self.to_user(r[2], r[3]);
        [ax.min(bx), ay.min(by), ax.max(bx), ay.max(by)]
    }

    /// A user-space rectangle on the displayed page.
    pub fn user_rect_to_displayed(&self, r: [f64; 4]) -> [f64; 4] {
        let (ax, ay) = self.to_displayed(r[0], r[1]);
        let (bx, by) = self.to_displayed(r[2], r[3]);
        [ax.min(bx), ay.min(by), ax.max(bx), ay.max(by)]
    }

    /// Whether user-space rectangle `r` lies on the visible page (to within a point).
    pub fn contains(&self, r: [f64; 4]) -> bool {
        let v = self.visible;
        r[0] >= v[0] - 1.0 && r[1] >= v[1] - 1.0 && r[2] <= v[2] + 1.0 && r[3] <= v[3] + 1.0
    }
}

/// A page attribute, looked up through /Parent when the page does not have it.
pub(crate) fn inherited<S: Source>(
    reader: &PdfReader<S>,
    page: ObjRef,
    key: &str,
) -> Result<Option<Object>> {
    let mut node = reader.resolve_dict(page)?;
    for _ in 0..MAX_PAGE_TREE_DEPTH {
        if let Some(v) = node.get(key) {
            return reader.deref(v).map(Some);
        }
        match node.get("Parent") {
            Some(Object::Reference(p)) => node = reader.resolve_dict(*p)?,
            _ => return Ok(None),
        }
    }
    Ok(None)
}

/// A rectangle array (§7.9.5), normalised.
pub(crate) fn rect_of(o: &Object) -> Option<[f64; 4]> {
    let a = o.as_array()?;
    if a.len() != 4 {
        return None;
    }
    let v: Vec<f64> = a.iter().filter_map(Object::as_f64).collect();
    if v.len() != 4 || v.iter().any(|x| !x.is_finite()) {
        return None;
    }
    Some([
        v[0].min(v[2]),
        v[1].min(v[3]),
        v[0].max(v[2]),
        v[1].max(v[3]),
    ])
}

/// The form /Matrix that turns an appearance drawn upright (as the page is displayed) into
/// user space of a page with /Rotate `rotate`; `None` for an unrotated page.
pub(crate) fn unrotate_matrix(rotate: i64) -> Option<[f64; 6]> {
    match rotate.rem_euclid(360) {
        90 => Some([0.0, 1.0, -1.0, 0.0, 0.0, 0.0]),
        180 => Some([-1.0, 0.0, 0.0, -1.0, 0.0, 0.0]),
        270 => Some([0.0, -1.0, 1.0, 0.0, 0.0, 0.0]),
        _ => None,
    }
}

/// A corner of the page as displayed, from which clerks measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corner {
    /// Top left.
    TopLeft,
    /// Top right.
    TopRight,
    /// Bottom left.
    BottomLeft,
    /// Bottom right.
    BottomRight,
}

/// Which side of the anchor text the signature box goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AnchorSide {
    /// Below the text, left edges aligned.
    #[default]
    Below,
    /// Above the text, left edges aligned.
    Above,
    /// To the right, centred on the text's line.
    Right,
    /// To the left, centred on the text's line.
    Left,
    /// Centred on the text itself (a placeholder such as "[ky-so]").
    Over,
}

/// A text on the page next to which the signature goes.
#[derive(Clone, Debug, PartialEq)]
pub struct Anchor {
    /// The text to find (compared after Unicode normalisation, runs of white space equal).
    pub text: String,
    /// The page to search (0-based); `None`: every page, first match wins.
    pub page: Option<usize>,
    /// Where the box goes relative to the text.
    pub side: AnchorSide,
    /// Distance between the text and the box, in points.
    pub gap: f64,
}

/// Where a visible signature goes.
#[derive(Clone, Debug, PartialEq)]
pub enum Placement {
    /// Page `page` (0-based), rectangle `[x1, y1, x2, y2]` in the page's user space.
    Rect {
        /// The page.
        page: usize,
        /// The rectangle, in user space (unrotated, MediaBox origin included).
        rect: [f64; 4],
    },
    /// A box measured in millimetres from a corner of the page as displayed: `x` and `y`
    /// from the corner to the box's nearest edges, `width` × `height` its size.
    Millimetres {
        /// The page.
        page: usize,
        /// The corner measured from.
        corner: Corner,
        /// Horizontal distance from the corner, mm.
        x: f64,
        /// Vertical distance from the corner, mm.
        y: f64,
        /// Box width, mm.
        width: f64,
        /// Box height, mm.
        height: f64,
    },
    /// Next to a text found on the page.
    Anchor(Anchor),
    /// Centred between two texts one above the other: the signer's title and name, as Decree
    /// 30/2020 places the official's signature image (Appendix I, Phần I, Mục II, 7d). The box
    /// has the size asked for, made smaller (same proportions) to fit the gap between them less
    /// `gap` on each side.
    Between {
        /// The page to search (0-based); `None`: every page, first match wins.
        page: Option<usize>,
        /// The text above (the title, e.g. "CHỦ TỊCH").
        above: String,
        /// The text below (the name, e.g. "Trần Văn Đức").
        below: String,
        /// Space kept free above and below the box, points.
        gap: f64,
    },
    /// Over an earlier signature's widget, as the organisation's seal goes over the
    /// official's signature image (Appendix I, Phần I, Mục II, 8a): the box's right edge a
    /// third of the way into the widget, the top `seal_height` points of the box centred on it.
    SealOver {
        /// The signed field whose widget the seal covers; `None`: the last signed field with a
        /// visible widget.
        field: Option<String>,
        /// Height of the seal image within the box (the rest is a caption below it).
        seal_height: f64,
    },
    /// The rectangle of the existing empty signature field being signed
    /// ([`crate::SignOptions::field_name`]).
    Field,
}

/// A placement worked out on a document: the page and the widget rectangle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Resolved {
    /// Page index (0-based).
    pub page: usize,
    /// The page object.
    pub page_ref: ObjRef,
    /// The widget's /Rect in user space.
    pub rect: [f64; 4],
    /// The page's geometry.
    pub geometry: PageGeometry,
}

impl Resolved {
    /// The appearance box as displayed: width and height in points.
    pub fn displayed_size(&self) -> (f64, f64) {
        let (w, h) = (self.rect[2] - self.rect[0], self.rect[3] - self.rect[1]);
        if self.geometry.rotate % 180 == 0 {
            (w, h)
        } else {
            (h, w)
        }
    }
}

impl Placement {
    /// Works out the page and user-space rectangle on the document `reader` reads, for a box of
    /// `size` (width, height in points as displayed) where the placement does not fix it.
    ///
    /// # Errors
    ///
    /// [`Error::PageOutOfRange`]; [`Error::RectOffPage`] for a box not on the visible page or
    /// with no area; [`Error::AnchorNotFound`]. [`Placement::Field`] is resolved by the signer
    /// from the field, not here ([`Error::Appearance`]).
    pub fn resolve<S: Source>(&self, reader: &PdfReader<S>, size: (f64, f64)) -> Result<Resolved> {
        let page_at = |page: usize| -> Result<(ObjRef, PageGeometry)> {
            let count = reader.page_count()?;
            if page >= count {
                return Err(Error::PageOutOfRange { index: page, count });
            }
            let r = reader.page_ref(page)?;
            Ok((r, PageGeometry::read(reader, r)?))
        };
        let (page, page_ref, geometry, rect) = match self {
            Placement::Rect { page, rect } => {
                let (r, g) = page_at(*page)?;
                let n = [
                    rect[0].min(rect[2]),
                    rect[1].min(rect[3]),
                    rect[0].max(rect[2]),
                    rect[1].max(rect[3]),
                ];
                (*page, r, g, n)
            }
            Placement::Millimetres {
                page,
                corner,
                x,
                y,
                width,
                height,
            } => {
                let (r, g) = page_at(*page)?;
                let (pw, ph) = g.displayed_size();
                let [x, y, w, h] = [*x, *y, *width, *height].map(|v| v * POINTS_PER_MM);
                let (left, bottom) = match corner {
                    Corner::TopLeft => (x, ph - y - h),
                    Corner::TopRight => (pw - x - w, ph - y - h),
                    Corner::BottomLeft => (x, y),
                    Corner::BottomRight => (pw - x - w, y),
                };
                let rect = g.displayed_rect_to_user([left, bottom, left + w, bottom + h]);
                (*page, r, g, rect)
            }
            Placement::Anchor(anchor) => {
                let pages = pages_to_search(reader, anchor.page)?;
                // A placeholder an earlier signature already covers is taken: the next one is
                // this signer's ("[ky-so]" once per signer).
                let taken = crate::sign::signed_widget_rects(reader)?;
                let mut found = None;
                for p in pages {
                    let (r, g) = page_at(p)?;
                    let text = super::text::extract(reader, r)?;
                    let free = text.find(&anchor.text).into_iter().find(|hit| {
                        !taken.iter().any(|(tp, t)| {
                            *tp == p && {
                                let (cx, cy) = ((hit[0] + hit[2]) / 2.0, (hit[1] + hit[3]) / 2.0);
                                cx >= t[0] && cx <= t[2] && cy >= t[1] && cy <= t[3]
                            }
                        })
                    });
                    if let Some(hit) = free {
                        found = Some((p, r, g, hit));
                        break;
                    }
                }
                let (p, r, g, hit) = found.ok_or_else(|| Error::AnchorNotFound {
                    text: anchor.text.clone(),
                })?;
                let rect = g.displayed_rect_to_user(anchor_box(
                    g.user_rect_to_displayed(hit),
                    anchor,
                    size,
                ));
                (p, r, g, rect)
            }
            Placement::Between {
                page,
                above,
                below,
                gap,
            } => {
                let pages = pages_to_search(reader, *page)?;
                let mut found = None;
                'pages: for p in pages {
                    let (r, g) = page_at(p)?;
                    let text = super::text::extract(reader, r)?;
                    for top in text
                        .find(above)
                        .into_iter()
                        .map(|t| g.user_rect_to_displayed(t))
                    {
                        // The nearest `below` under this `above`.
                        let under = text
                            .find(below)
                            .into_iter()
                            .map(|b| g.user_rect_to_displayed(b))
                            .filter(|b| b[3] <= top[1])
                            .max_by(|a, b| a[3].total_cmp(&b[3]));
                        if let Some(bottom) = under {
                            found = Some((p, r, g, top, bottom));
                            break 'pages;
                        }
                    }
                }
                let (p, r, g, top, bottom) = found.ok_or_else(|| Error::AnchorNotFound {
                    text: format!("{above}\" above \"{below}"),
                })?;
                let (y1, y2) = (bottom[3] + gap, top[1] - gap);
                if y2 - y1 < 5.0 {
                    return Err(Error::Appearance(format!(
                        "there is no room for the signature between \"{above}\" and \"{below}\" \
                         ({:.1} pt)",
                        (y2 - y1).max(0.0)
                    )));
                }
                // The box at most `size`, centred in the gap and on the two texts' centres.
                let centre_x = ((top[0] + top[2]) / 2.0 + (bottom[0] + bottom[2]) / 2.0) / 2.0;
                let centre_y = (y1 + y2) / 2.0;
                let (pw, _) = g.displayed_size();
                let aspect = size.0 / size.1.max(1.0);
                let h = size.1.min(y2 - y1);
                let half_w = (aspect * h / 2.0).min(centre_x).min(pw - centre_x);
                let half_h = (half_w / aspect).min(h / 2.0);
                let rect = g.displayed_rect_to_user([
                    centre_x - half_w,
                    centre_y - half_h,
                    centre_x + half_w,
                    centre_y + half_h,
                ]);
                (p, r, g, rect)
            }
            Placement::SealOver { field, seal_height } => {
                let (p, target) = crate::sign::signed_widget(reader, field.as_deref())?;
                let (r, g) = page_at(p)?;
                let sig = g.user_rect_to_displayed(target);
                let (w, h) = size;
                let right = sig[0] + (sig[2] - sig[0]) / 3.0;
                let top = (sig[1] + sig[3]) / 2.0 + seal_height / 2.0;
                let rect = g.displayed_rect_to_user([right - w, top - h, right, top]);
                (p, r, g, rect)
            }
            Placement::Field => {
                return Err(Error::Appearance(
                    "a field placement takes the rectangle of the field being signed".into(),
                ));
            }
        };
        if !(rect[2] - rect[0] > 0.5 && rect[3] - rect[1] > 0.5 && geometry.contains(rect)) {
            return Err(Error::RectOffPage {
                page,
                rect,
                visible: geometry.visible,
            });
        }
        Ok(Resolved {
            page,
            page_ref,
            rect,
            geometry,
        })
    }
}

/// The page given, or every page in order.
fn pages_to_search<S: Source>(reader: &PdfReader<S>, page: Option<usize>) -> Result<Vec<usize>> {
    Ok(match page {
        Some(p) => vec![p],
        None => (0..reader.page_count()?).collect(),
    })
}

/// The signature box next to anchor text `t` (displayed coordinates).
fn anchor_box(t: [f64; 4], a: &Anchor, (w, h): (f64, f64)) -> [f64; 4] {
    let g = a.gap;
    let mid_y = (t[1] + t[3]) / 2.0;
    let (x, y) = match a.side {
        AnchorSide::Below => (t[0], t[1] - g - h),
        AnchorSide::Above => (t[0], t[3] + g),
        AnchorSide::Right => (t[2] + g, mid_y - h / 2.0),
        AnchorSide::Left => (t[0] - g - w, mid_y - h / 2.0),
        AnchorSide::Over => ((t[0] + t[2] - w) / 2.0, mid_y - h / 2.0),
    };
    [x, y, x + w, y + h]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry(rotate: i64) -> PageGeometry {
        PageGeometry {
            visible: [10.0, 20.0, 610.0, 820.0],
            rotate,
        }
    }

    #[test]
    fn displayed_and_user_coordinates_are_inverse_for_every_rotation() {
        for rotate in [0, 90, 180, 270] {
            let g = geometry(rotate);
            for (dx, dy) in [(0.0, 0.0), (15.0, 40.0), (100.0, 3.0)] {
                let (ux, uy) = g.to_user(dx, dy);
                assert!(g.contains([ux, uy, ux, uy]), "{rotate}: {ux},{uy}");
                let (bx, by) = g.to_displayed(ux, uy);
                assert!((bx - dx).abs() < 1e-9 && (by - dy).abs() < 1e-9, "{rotate}");
            }
        }
    }

    #[test]
    fn displayed_top_right_is_where_the_rotation_puts_it() {
        // /Rotate 90 turns the page clockwise: the displayed top edge is the user-space left
        // edge (x1) and the displayed right edge the user-space top (y2).
        let g = geometry(90);
        let (w, h) = g.displayed_size();
        assert_eq!((w, h), (800.0, 600.0));
        assert_eq!(g.to_user(w, h), (10.0, 820.0));
        assert_eq!(g.to_user(0.0, 0.0), (610.0, 20.0));
    }

    #[test]
    fn unrotate_matrix_undoes_the_page_rotation() {
        // The displayed +x axis must map to the user-space direction that is displayed as +x.
        for rotate in [90, 180, 270] {
            let g = geometry(rotate);
            let m = unrotate_matrix(rotate).unwrap();
            let (ox, oy) = g.to_user(0.0, 0.0);
            let (ex, ey) = g.to_user(1.0, 0.0);
            assert_eq!((m[0], m[1]), (ex - ox, ey - oy), "{rotate}");
            let (fx, fy) = g.to_user(0.0, 1.0);
            assert_eq!((m[2], m[3]), (fx - ox, fy - oy), "{rotate}");
        }
    }
}
