//! What a signature says and where it goes: [`SignOptions`], [`SubFilter`], [`VisibleSignature`].

use std::sync::Arc;
use std::time::SystemTime;

use kyso_cms::tsp::TimestampAuthority;
use serde::{Deserialize, Serialize};

use crate::appearance::preset::Preset;
use crate::appearance::{Appearance, Placement};
use crate::{Error, Result};

/// The /SubFilter of the signature dictionary (ISO 32000-2 §12.8.3.3, ETSI EN 319 142-1 §5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubFilter {
    /// `ETSI.CAdES.detached`: PAdES baseline signatures. The default.
    #[default]
    CadesDetached,
    /// `adbe.pkcs7.detached`: for validators that predate PAdES; also carries a
    /// signing-time attribute.
    Pkcs7Detached,
}

impl SubFilter {
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::CadesDetached => "ETSI.CAdES.detached",
            Self::Pkcs7Detached => "adbe.pkcs7.detached",
        }
    }
}

/// What to sign and how: field, descriptive entries, placeholder size.
#[derive(Clone, Debug, Default)]
pub struct SignOptions {
    /// Sign this existing empty signature field, or create a new field with this name.
    /// `None`: a new field named `Signature<n>`.
    pub field_name: Option<String>,
    /// The /SubFilter.
    pub sub_filter: SubFilter,
    /// /Reason, e.g. "Phê duyệt văn bản".
    pub reason: Option<String>,
    /// /Location, e.g. "Hà Nội".
    pub location: Option<String>,
    /// /ContactInfo.
    pub contact_info: Option<String>,
    /// /Name: the signer's name as shown by viewers (normally left to the certificate).
    pub signer_name: Option<String>,
    /// The claimed signing time written to /M; `None`: now.
    pub signing_time: Option<SystemTime>,
    /// Page (0-based) that gets the widget of a new invisible field.
    pub page: usize,
    /// A visible signature: what it shows and where. `None`: invisible.
    pub visible: Option<VisibleSignature>,
    /// A time-stamping authority: the signature value is time-stamped (RFC 3161) and the token
    /// added as the signature-time-stamp attribute — PAdES B-T (ETSI EN 319 142-1 §6.3).
    /// `None`: B-B. Not used by [`DeferredState::finish`](super::DeferredState::finish) (a deferred signature is B-B).
    pub timestamp_authority: Option<Arc<dyn TimestampAuthority>>,
    /// Lock every form field once this signature is made (the field's /Lock with /Action
    /// /All, and a FieldMDP signature reference, ISO 32000-2 §12.7.5.5, §12.8.2.4).
    pub lock_fields: bool,
    /// Bytes reserved for the CMS in /Contents; `None`: computed from the chain.
    pub contents_capacity: Option<usize>,
    /// Flush the output to disk (fsync) before renaming it into place, so that it survives
    /// a power loss. Off by default: the rename already makes the output appear whole, and
    /// the flush costs about half a SHA-256 pass over a large file (see benches/README.md).
    /// [`DeferredState::finish`](super::DeferredState::finish) always flushes: its pending file has waited on disk.
    pub sync_to_disk: bool,
}

/// A visible signature: its appearance, where it goes, and the box size for placements that
/// do not fix one (anchors, the seal over a signature).
#[derive(Clone, Debug)]
pub struct VisibleSignature {
    /// What the widget shows.
    pub appearance: Appearance,
    /// Where it goes.
    pub placement: Placement,
    /// Width and height in points (as displayed) for [`Placement::Anchor`],
    /// [`Placement::Between`] and [`Placement::SealOver`].
    pub size: (f64, f64),
}

impl VisibleSignature {
    /// A Decree 30/2020 preset for a signature made at `time`, placed where the preset puts
    /// it unless `placement` says otherwise.
    ///
    /// # Errors
    ///
    /// The preset's errors; [`Error::Appearance`] when the preset has no place of its own
    /// ([`Preset::Personal`]) and none is given.
    pub fn from_preset(
        preset: &Preset,
        time: SystemTime,
        placement: Option<Placement>,
    ) -> Result<Self> {
        let built = preset.build(time)?;
        let placement = placement.or(built.placement).ok_or_else(|| {
            Error::Appearance(
                "the official's signature goes between the signer's title and name: give a \
                 placement (a rectangle, an anchor, or the title and the name)"
                    .into(),
            )
        })?;
        Ok(VisibleSignature {
            appearance: built.appearance,
            placement,
            size: built.size,
        })
    }
}
