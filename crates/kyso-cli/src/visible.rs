//! `kyso sign --visible …`: the command-line form of a visible signature — placement, image,
//! text, font and the Decree 30/2020 presets.

use std::path::PathBuf;
use std::time::SystemTime;

use clap::{Args, ValueEnum};
use kyso_pdf::VisibleSignature;
use kyso_pdf::appearance::page::POINTS_PER_MM;
use kyso_pdf::appearance::preset::{CopyForm, Preset};
use kyso_pdf::appearance::{Anchor, AnchorSide, Appearance, Corner, Font, Image, Placement};

use crate::error::CliError;

/// Options of a visible signature.
#[derive(Args, Debug, Default)]
pub(crate) struct VisibleArgs {
    /// Show the signature on the page (with --rect, --rect-mm, --field, --anchor, --between or
    /// a preset that places itself).
    #[arg(long)]
    visible: bool,
    /// The box in PDF user space, points: x,y,w,h (x,y its lower-left corner) on --page.
    #[arg(long, value_name = "X,Y,W,H", requires = "visible")]
    rect: Option<String>,
    /// The box in millimetres from --corner of the page as displayed: x,y,w,h (x,y from the
    /// corner to the box's nearest edges) on --page.
    #[arg(
        long,
        value_name = "X,Y,W,H",
        requires = "visible",
        conflicts_with = "rect"
    )]
    rect_mm: Option<String>,
    /// The corner --rect-mm measures from.
    #[arg(long, value_enum, default_value_t = CornerArg::TopLeft)]
    corner: CornerArg,
    /// Put the box next to this text on the page (e.g. "[ky-so]" or "Nơi nhận:").
    #[arg(long, requires = "visible", conflicts_with_all = ["rect", "rect_mm"])]
    anchor: Option<String>,
    /// Where the box goes relative to --anchor.
    #[arg(long, value_enum, default_value_t = SideArg::Below)]
    anchor_side: SideArg,
    /// Centre the box between two texts, the signer's title above and name below (Decree
    /// 30/2020, Appendix I, I.II.7d).
    #[arg(long, num_args = 2, value_names = ["TITLE", "NAME"], requires = "visible",
          conflicts_with_all = ["rect", "rect_mm", "anchor"])]
    between: Option<Vec<String>>,
    /// Box size in millimetres for --anchor (w,h).
    #[arg(long, value_name = "W,H", default_value = "60,20")]
    size_mm: String,
    /// An image to show: the handwritten signature or the seal (PNG or JPEG).
    #[arg(long, requires = "visible")]
    image: Option<PathBuf>,
    /// Text to show; "\n" starts a new line. Default: the signer's name and the time.
    #[arg(long, requires = "visible")]
    text: Option<String>,
    /// A TrueType/OpenType font for the text (default: the bundled Liberation Serif).
    #[arg(long, requires = "visible")]
    font: Option<PathBuf>,
    /// A Decree 30/2020 appearance: ca-nhan (the official's signature image), to-chuc (the
    /// organisation's seal over it), ban-sao (an electronic copy), kem-theo (an attachment).
    #[arg(long, value_enum, requires = "visible")]
    preset: Option<PresetArg>,
    /// ban-sao: SAO Y, SAO LỤC or TRÍCH SAO.
    #[arg(long, value_enum, default_value_t = CopyFormArg::SaoY)]
    copy_form: CopyFormArg,
    /// ban-sao and kem-theo: the organisation's name.
    #[arg(long)]
    organisation: Option<String>,
    /// kem-theo: the main document's number and symbol, e.g. "125/QĐ-UBND".
    #[arg(long)]
    document_number: Option<String>,
    /// to-chuc: the signed field whose signature image the seal covers (default: the last one).
    #[arg(long)]
    seal_over: Option<String>,
    /// to-chuc: the seal's real diameter in mm (default: from the PNG, else 36).
    #[arg(long)]
    seal_diameter_mm: Option<f64>,
    /// Lock every form field once signed (/Lock, FieldMDP /All).
    #[arg(long)]
    pub(crate) lock: bool,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
enum CornerArg {
    #[default]
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
enum SideArg {
    #[default]
    Below,
    Above,
    Right,
    Left,
    Over,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum PresetArg {
    CaNhan,
    ToChuc,
    BanSao,
    KemTheo,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
enum CopyFormArg {
    #[default]
    SaoY,
    SaoLuc,
    TrichSao,
}

/// A `--field` value in pyHanko's `PAGE/X1,Y1,X2,Y2/NAME` form: a new field on page PAGE
/// (1-based) at that rectangle in user space.
pub(crate) struct FieldSpec {
    pub(crate) page: usize,
    pub(crate) rect: [f64; 4],
    pub(crate) name: String,
}

impl FieldSpec {
    /// `Ok(None)` for a plain field name.
    pub(crate) fn parse(value: &str) -> Result<Option<Self>, CliError> {
        let parts: Vec<&str> = value.splitn(3, '/').collect();
        let [page, rect, name] = parts.as_slice() else {
            return Ok(None);
        };
        let Ok(page) = page.parse::<usize>() else {
            return Ok(None);
        };
        let rect = numbers::<4>(rect, "--field PAGE/X1,Y1,X2,Y2/NAME")?;
        if page == 0 || name.is_empty() {
            return Err(CliError::Usage(
                "--field PAGE/X1,Y1,X2,Y2/NAME: pages count from 1 and NAME is required".into(),
            ));
        }
        Ok(Some(FieldSpec {
            page: page - 1,
            rect,
            name: (*name).to_string(),
        }))
    }
}

fn numbers<const N: usize>(text: &str, what: &str) -> Result<[f64; N], CliError> {
    let v: Vec<f64> = text
        .split(',')
        .map(|t| t.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| CliError::Usage(format!("{what}: '{text}' is not {N} numbers")))?;
    <[f64; N]>::try_from(v)
        .ok()
        .filter(|a| a.iter().all(|x| x.is_finite()))
        .ok_or_else(|| CliError::Usage(format!("{what}: '{text}' is not {N} numbers")))
}

impl VisibleArgs {
    /// Whether a visible signature was asked for (--visible, or a pyHanko field spec).
    pub(crate) fn wanted(&self) -> bool {
        self.visible
    }

    /// The visible signature these options describe, on page `page` (0-based) for the
    /// placements that take one; `field` is a pyHanko-style field spec, if one was given;
    /// `existing_field` whether --field names a field to sign (its rectangle is used).
    pub(crate) fn build(
        &self,
        page: usize,
        field: Option<&FieldSpec>,
        existing_field: bool,
        signer_name: &str,
        time: SystemTime,
    ) -> Result<VisibleSignature, CliError> {
        let mut placement = self.placement(page, field)?;
        if placement.is_none() && existing_field {
            placement = Some(Placement::Field);
        }
        let image = self.image.as_deref().map(Image::from_file).transpose()?;
        let font = self.font.as_deref().map(Font::from_file).transpose()?;
        if let Some(preset) = self.preset {
            let preset = self.preset_of(preset, image)?;
            let mut v = VisibleSignature::from_preset(&preset, time, placement)?;
            if let Some(font) = font {
                v.appearance.font = font;
            }
            return Ok(v);
        }
        let placement = placement.ok_or_else(|| {
            CliError::Usage(
                "--visible needs a place: --rect, --rect-mm, --field, --anchor or --between".into(),
            )
        })?;
        let mut appearance = Appearance::signature(self.text.clone(), image, || {
            kyso_pdf::appearance::preset::signed_by(signer_name, time)
        });
        if let Some(font) = font {
            appearance.font = font;
        }
        let [w, h] = numbers::<2>(&self.size_mm, "--size-mm")?;
        Ok(VisibleSignature {
            appearance,
            placement,
            size: (w * POINTS_PER_MM, h * POINTS_PER_MM),
        })
    }

    fn placement(
        &self,
        page: usize,
        field: Option<&FieldSpec>,
    ) -> Result<Option<Placement>, CliError> {
        if let Some(f) = field {
            let [x1, y1, x2, y2] = f.rect;
            return Ok(Some(Placement::Rect {
                page: f.page,
                rect: [x1, y1, x2, y2],
            }));
        }
        if let Some(r) = &self.rect {
            let [x, y, w, h] = numbers::<4>(r, "--rect")?;
            return Ok(Some(Placement::Rect {
                page,
                rect: [x, y, x + w, y + h],
            }));
        }
        if let Some(r) = &self.rect_mm {
            let [x, y, width, height] = numbers::<4>(r, "--rect-mm")?;
            let corner = match self.corner {
                CornerArg::TopLeft => Corner::TopLeft,
                CornerArg::TopRight => Corner::TopRight,
                CornerArg::BottomLeft => Corner::BottomLeft,
                CornerArg::BottomRight => Corner::BottomRight,
            };
            return Ok(Some(Placement::Millimetres {
                page,
                corner,
                x,
                y,
                width,
                height,
            }));
        }
        if let Some(text) = &self.anchor {
            let side = match self.anchor_side {
                SideArg::Below => AnchorSide::Below,
                SideArg::Above => AnchorSide::Above,
                SideArg::Right => AnchorSide::Right,
                SideArg::Left => AnchorSide::Left,
                SideArg::Over => AnchorSide::Over,
            };
            return Ok(Some(Placement::Anchor(Anchor {
                text: text.clone(),
                page: None,
                side,
                gap: 2.0,
            })));
        }
        if let Some([above, below]) = self.between.as_deref() {
            return Ok(Some(Placement::Between {
                page: None,
                above: above.clone(),
                below: below.clone(),
                gap: 2.0,
            }));
        }
        Ok(None)
    }

    fn preset_of(&self, preset: PresetArg, image: Option<Image>) -> Result<Preset, CliError> {
        let need_image = |what: &str| {
            image.clone().ok_or_else(|| {
                CliError::Usage(format!("--preset {what} needs --image (a transparent PNG)"))
            })
        };
        Ok(match preset {
            PresetArg::CaNhan => Preset::Personal {
                image: need_image("ca-nhan")?,
            },
            PresetArg::ToChuc => Preset::Organisation {
                seal: need_image("to-chuc")?,
                diameter_mm: self.seal_diameter_mm,
                caption: self.text.clone(),
                over_field: self.seal_over.clone(),
            },
            PresetArg::BanSao => Preset::Copy {
                form: match self.copy_form {
                    CopyFormArg::SaoY => CopyForm::SaoY,
                    CopyFormArg::SaoLuc => CopyForm::SaoLuc,
                    CopyFormArg::TrichSao => CopyForm::TrichSao,
                },
                organisation: self.organisation.clone().ok_or_else(|| {
                    CliError::Usage("--preset ban-sao needs --organisation".into())
                })?,
            },
            PresetArg::KemTheo => Preset::Attachment {
                document_number: self.document_number.clone().ok_or_else(|| {
                    CliError::Usage("--preset kem-theo needs --document-number".into())
                })?,
                organisation: self.organisation.clone(),
            },
        })
    }
}
