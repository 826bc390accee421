//! Document metadata that nothing renders: the document information dictionary (/Info,
//! ISO 32000-2 §14.3.3), the catalog's XMP metadata stream (§14.3.2) and its developer
//! extensions (/Extensions, §7.12: which extension levels the file uses). Editors update them
//! (pypdf, Acrobat, PDFBox on save, signers raising the extension level); the change is
//! listed and permitted.

use super::super::{Analysis, ChangeKind, ModificationLevel, Role};
use super::ChangeRule;
use crate::Result;
use crate::object::{ObjRef, Object};
use crate::reader::Source;

/// The rule for the document information dictionary.
pub(in crate::verify::diff) struct InfoRule;

impl ChangeRule for InfoRule {
    fn judge<A: Source, B: Source>(
        &self,
        a: &mut Analysis<'_, A, B>,
        r: ObjRef,
        old: &Object,
        new: &Object,
    ) -> Result<()> {
        // Strings, dates, names, numbers: a dictionary that now refers to other objects is
        // no longer just metadata.
        let plain = new.as_dict().is_some_and(|d| {
            d.iter().all(|(_, v)| {
                !matches!(
                    v,
                    Object::Reference(_) | Object::Dict(_) | Object::Array(_) | Object::Stream(_)
                )
            })
        });
        if plain && new.as_stream().is_none() && !a.is_rendered(r) {
            a.note(
                ModificationLevel::None,
                ChangeKind::InfoUpdated { object: r },
            );
        } else {
            a.note(ModificationLevel::Other, super::changed(r, old, new));
        }
        Ok(())
    }
}

/// The rule for the catalog's XMP metadata stream.
pub(in crate::verify::diff) struct XmpRule;

impl ChangeRule for XmpRule {
    fn judge<A: Source, B: Source>(
        &self,
        a: &mut Analysis<'_, A, B>,
        r: ObjRef,
        old: &Object,
        new: &Object,
    ) -> Result<()> {
        if is_metadata_stream(new) && !a.is_rendered(r) {
            a.note(
                ModificationLevel::None,
                ChangeKind::XmpMetadataUpdated { object: r },
            );
        } else {
            a.note(ModificationLevel::Other, super::changed(r, old, new));
        }
        Ok(())
    }
}

/// The rule for the catalog's /Extensions dictionary and the extension dictionaries in it.
pub(in crate::verify::diff) struct ExtensionsRule;

impl ChangeRule for ExtensionsRule {
    fn judge<A: Source, B: Source>(
        &self,
        a: &mut Analysis<'_, A, B>,
        r: ObjRef,
        old: &Object,
        new: &Object,
    ) -> Result<()> {
        // Extension dictionaries hold names, numbers and strings (/BaseVersion,
        // /ExtensionLevel, /URL, …), directly or in arrays; nothing that draws or runs.
        fn plain(o: &Object, depth: usize) -> bool {
            match o {
                Object::Stream(_) => false,
                Object::Dict(d) => depth < 4 && d.iter().all(|(_, v)| plain(v, depth + 1)),
                Object::Array(items) => depth < 4 && items.iter().all(|v| plain(v, depth + 1)),
                _ => true,
            }
        }
        if new.as_dict().is_some() && plain(new, 0) && !a.is_rendered(r) {
            a.note(
                ModificationLevel::None,
                ChangeKind::CatalogEntryUpdated {
                    key: "Extensions".into(),
                },
            );
        } else {
            a.note(ModificationLevel::Other, super::changed(r, old, new));
        }
        Ok(())
    }
}

/// A new object given as the catalog's /Metadata: it must be a metadata stream.
pub(in crate::verify::diff) fn judge_new<A: Source, B: Source>(
    a: &mut Analysis<'_, A, B>,
    r: ObjRef,
    obj: &Object,
) -> Vec<(ObjRef, Role)> {
    if !is_metadata_stream(obj) {
        a.note(
            ModificationLevel::Other,
            ChangeKind::NotAMetadataStream { object: r },
        );
    }
    Vec::new()
}

fn is_metadata_stream(obj: &Object) -> bool {
    obj.as_stream()
        .is_some_and(|s| s.dict.get("Type").is_some_and(|t| t.is_name("Metadata")))
}
