//! The appearances Decree 30/2020/NĐ-CP on clerical work (công tác văn thư) prescribes for
//! electronic administrative documents, Appendix I (Phụ lục I).
//!
//! | Preset | Clause | What it shows, where |
//! |---|---|---|
//! | [`Preset::Personal`] (`ca-nhan`) | Phần I, Mục II, khoản 7, điểm d | "hình ảnh chữ ký của người có thẩm quyền trên văn bản giấy, màu xanh, định dạng Portable Network Graphics (.png) nền trong suốt; đặt canh giữa chức vụ của người ký và họ tên người ký": the signature image only — checked to be a transparent PNG whose ink is blue — centred between the signer's title and name ([`Placement::Between`]) |
//! | [`Preset::Organisation`] (`to-chuc`) | Phần I, Mục II, khoản 8, điểm a | "hình ảnh dấu của cơ quan, tổ chức …, màu đỏ, kích thước bằng kích thước thực tế của dấu, định dạng (.png) nền trong suốt, trùm lên khoảng 1/3 hình ảnh chữ ký số của người có thẩm quyền về bên trái": the seal image only — a transparent red PNG — at its real size (from the PNG's pHYs, else [`DEFAULT_SEAL_DIAMETER_MM`]), its right third over the left third of the official's signature image, centred on it vertically. The clause names no text; an optional caption goes under the seal |
//! | [`Preset::Copy`] (`ban-sao`) | Phần II, Mục I, khoản 1 and 3 | "Vị trí: Góc trên, bên phải, trang đầu của văn bản … Hình ảnh …: Không hiển thị. Thông tin: Hình thức sao, tên cơ quan, tổ chức sao văn bản, thời gian ký (ngày tháng năm; giờ phút giây; múi giờ Việt Nam theo tiêu chuẩn ISO 8601) … Times New Roman, chữ in thường, kiểu chữ đứng, cỡ chữ 10, màu đen": SAO Y / SAO LỤC / TRÍCH SAO, the organisation, the time, top right of page 1 |
//! | [`Preset::Attachment`] (`kem-theo`) | Phần I, Mục II, khoản 8, điểm b (and Mục III, khoản 1, điểm d for appendices) | "Vị trí: Góc trên, bên phải, trang đầu của văn bản kèm theo … Không hiển thị … Thông tin: Số và ký hiệu văn bản; thời gian ký …" in the same type: the main document's number and symbol, the time (and the organisation, if given — the clause does not ask for it), top right of page 1 |
//!
//! Times are shown in Vietnam time as `hh:mm:ss dd/mm/yyyy +07:00`. The type is the bundled
//! Liberation Serif, metric-compatible with Times New Roman, regular (upright), 10 pt, black.

use std::time::SystemTime;

pub use crate::date::vietnam_time;

/// The default text of a visible signature: "Ký bởi: NAME" and "Thời gian ký: " with `time`
/// in Vietnam's time ([`vietnam_time`]), on two lines.
pub fn signed_by(name: &str, time: SystemTime) -> String {
    format!("Ký bởi: {name}\nThời gian ký: {}", vietnam_time(time))
}

use super::page::{Corner, POINTS_PER_MM};
use super::{Align, Appearance, FontSize, Image, Layout, Placement, Rgb, layout};
use crate::{Error, Result};

/// Font size of the text presets (cỡ chữ 10).
pub const TEXT_SIZE: f64 = 10.0;
/// The seal's diameter when its PNG does not record a physical size, in millimetres: the
/// common size of round seals of Vietnamese state agencies.
pub const DEFAULT_SEAL_DIAMETER_MM: f64 = 36.0;
/// Distance of the copy and attachment stamps from the top and right edges, in millimetres:
/// inside the 20–25 mm top margin and 15–20 mm right margin of Appendix I, Phần I, Mục I.
pub const STAMP_MARGIN_MM: (f64, f64) = (15.0, 3.0);
/// Widest a copy or attachment stamp grows before its lines wrap, in millimetres.
pub const STAMP_MAX_WIDTH_MM: f64 = 80.0;
/// Default height of the official's signature image, in millimetres.
pub const SIGNATURE_HEIGHT_MM: f64 = 20.0;

/// The form of an electronic copy (Phần II, Mục I, khoản 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyForm {
    /// "SAO Y": a full copy.
    SaoY,
    /// "SAO LỤC": a copy of a copy.
    SaoLuc,
    /// "TRÍCH SAO": an excerpt.
    TrichSao,
}

impl CopyForm {
    /// The words the stamp shows.
    pub fn label(self) -> &'static str {
        match self {
            CopyForm::SaoY => "SAO Y",
            CopyForm::SaoLuc => "SAO LỤC",
            CopyForm::TrichSao => "TRÍCH SAO",
        }
    }
}

/// One of the Decree 30/2020 appearances.
#[derive(Clone, Debug)]
pub enum Preset {
    /// The signature of the person with authority: the signature image.
    Personal {
        /// The handwritten signature: a transparent PNG in blue ink.
        image: Image,
    },
    /// The organisation's signature: the red seal over the official's signature image.
    Organisation {
        /// The seal: a transparent PNG in red.
        seal: Image,
        /// The seal's real diameter in millimetres; `None`: from the PNG, else
        /// [`DEFAULT_SEAL_DIAMETER_MM`].
        diameter_mm: Option<f64>,
        /// Text under the seal (e.g. the organisation's name and the time), if wanted.
        caption: Option<String>,
        /// The signed field whose signature image the seal covers; `None`: the last signed
        /// field with a visible widget.
        over_field: Option<String>,
    },
    /// The organisation's signature on an electronic copy.
    Copy {
        /// SAO Y, SAO LỤC or TRÍCH SAO.
        form: CopyForm,
        /// The organisation that makes the copy.
        organisation: String,
    },
    /// The organisation's signature on an attachment sent in its own file.
    Attachment {
        /// The main document's number and symbol, e.g. "125/QĐ-UBND".
        document_number: String,
        /// The organisation, shown under the number if given.
        organisation: Option<String>,
    },
}

/// A preset worked out for a signing time: what to draw and the box's size.
#[derive(Clone, Debug)]
pub struct PresetAppearance {
    /// What the widget shows.
    pub appearance: Appearance,
    /// Width and height of the box in points, as displayed.
    pub size: (f64, f64),
    /// Where the preset puts it when the caller does not say; `None` for the official's
    /// signature, whose place (between title and name) only the caller knows.
    pub placement: Option<Placement>,
}

impl Preset {
    /// The appearance, box size and default place of this preset for a signature made at
    /// `time`.
    ///
    /// # Errors
    ///
    /// [`Error::Appearance`] when an image breaks the clause (not a transparent PNG, not blue
    /// for a signature, not red for a seal); text errors from layout.
    pub fn build(&self, time: SystemTime) -> Result<PresetAppearance> {
        let when = format!("Thời gian ký: {}", crate::date::vietnam_time(time));
        match self {
            Preset::Personal { image } => {
                check_ink(image, "signature", "blue (màu xanh)", |[r, g, b]| {
                    b > r.saturating_add(20) && b > g
                })?;
                let h = SIGNATURE_HEIGHT_MM * POINTS_PER_MM;
                Ok(PresetAppearance {
                    appearance: Appearance {
                        padding: 0.0,
                        ..Appearance::image(image.clone())
                    },
                    size: (h * image.aspect(), h),
                    placement: None,
                })
            }
            Preset::Organisation {
                seal,
                diameter_mm,
                caption,
                over_field,
            } => {
                check_ink(seal, "seal", "red (màu đỏ)", |[r, g, b]| {
                    r > g.saturating_add(40) && r > b.saturating_add(40)
                })?;
                let (w, h) = seal_size_pt(seal, *diameter_mm);
                let mut appearance = Appearance {
                    padding: 0.0,
                    ..Appearance::image(seal.clone())
                };
                let mut size = (w, h);
                if let Some(text) = caption.as_ref().filter(|t| !t.trim().is_empty()) {
                    let lines = layout::wrap(&appearance.font, text, w, TEXT_SIZE)?;
                    let band = layout::block_height(&appearance.font, lines.len(), TEXT_SIZE) + 2.0;
                    appearance.layout = Layout::ImageAboveText { text_height: band };
                    appearance.text = text.clone();
                    appearance.font_size = FontSize::Fixed(TEXT_SIZE);
                    appearance.align = Align::Center;
                    size.1 += band;
                }
                Ok(PresetAppearance {
                    appearance,
                    size,
                    placement: Some(Placement::SealOver {
                        field: over_field.clone(),
                        seal_height: h,
                    }),
                })
            }
            Preset::Copy { form, organisation } => {
                text_stamp(format!("{}\n{organisation}\n{when}", form.label()))
            }
            Preset::Attachment {
                document_number,
                organisation,
            } => {
                let mut text = format!("Kèm theo văn bản số {document_number}\n{when}");
                if let Some(o) = organisation {
                    text.push('\n');
                    text.push_str(o);
                }
                text_stamp(text)
            }
        }
    }
}

/// The seal's size in points: its physical size, or the default diameter across its width.
fn seal_size_pt(seal: &Image, diameter_mm: Option<f64>) -> (f64, f64) {
    let (w_mm, h_mm) = match (diameter_mm, seal.physical_size_mm()) {
        (Some(d), _) => (d, d / seal.aspect()),
        (None, Some(size)) => size,
        (None, None) => (
            DEFAULT_SEAL_DIAMETER_MM,
            DEFAULT_SEAL_DIAMETER_MM / seal.aspect(),
        ),
    };
    (w_mm * POINTS_PER_MM, h_mm * POINTS_PER_MM)
}

fn check_ink(image: &Image, what: &str, colour: &str, ok: impl Fn([u8; 3]) -> bool) -> Result<()> {
    match image.ink() {
        None => Err(Error::Appearance(format!(
            "Decree 30/2020 wants the {what} image as a PNG with a transparent background; \
             this one has none"
        ))),
        Some(ink) if !ok(ink) => Err(Error::Appearance(format!(
            "Decree 30/2020 wants the {what} image {colour}; its ink is #{:02x}{:02x}{:02x}",
            ink[0], ink[1], ink[2]
        ))),
        Some(_) => Ok(()),
    }
}

/// A black 10 pt text stamp, top right of page 1, as wide as its longest line (up to
/// [`STAMP_MAX_WIDTH_MM`]).
fn text_stamp(text: String) -> Result<PresetAppearance> {
    let appearance = Appearance {
        text,
        font_size: FontSize::Fixed(TEXT_SIZE),
        color: Rgb(0.0, 0.0, 0.0),
        padding: 3.0,
        ..Appearance::default()
    };
    let max_w = STAMP_MAX_WIDTH_MM * POINTS_PER_MM - 2.0 * appearance.padding;
    let lines = layout::wrap(&appearance.font, &appearance.text, max_w, TEXT_SIZE)?;
    let text_w = lines.iter().map(|(_, w)| *w).fold(0.0, f64::max);
    let w = text_w.ceil() + 2.0 * appearance.padding + 1.0;
    let h = layout::block_height(&appearance.font, lines.len(), TEXT_SIZE)
        + 2.0 * appearance.padding
        + 1.0;
    let (right, top) = STAMP_MARGIN_MM;
    Ok(PresetAppearance {
        placement: Some(Placement::Millimetres {
            page: 0,
            corner: Corner::TopRight,
            x: right,
            y: top,
            width: w / POINTS_PER_MM,
            height: h / POINTS_PER_MM,
        }),
        appearance,
        size: (w, h),
    })
}
