//! The catalog (ISO 32000-2 §7.7.2): it may gain or change /DSS (PAdES validation data),
//! /AcroForm (a new signature field), /Metadata, /Extensions, /Version (raised only) and what
//! nothing renders (/Lang, /MarkInfo, /StructTreeRoot); nothing else — /OpenAction, /Names,
//! /Pages, /OCProperties and every other entry are signed content.

use super::super::{Analysis, ChangeKind, ModificationLevel, Role, changed_keys};
use super::{ChangeRule, acroform};
use crate::Result;
use crate::object::{Dict, ObjRef, Object};
use crate::reader::Source;

/// The rule for the document catalog.
pub(in crate::verify::diff) struct CatalogRule;

impl ChangeRule for CatalogRule {
    fn judge<A: Source, B: Source>(
        &self,
        a: &mut Analysis<'_, A, B>,
        _r: ObjRef,
        old: &Object,
        new: &Object,
    ) -> Result<()> {
        let (Some(o), Some(n)) = (old.as_dict(), new.as_dict()) else {
            a.note(ModificationLevel::Other, ChangeKind::CatalogReplaced);
            return Ok(());
        };
        for key in changed_keys(o, n) {
            match key.as_str() {
                "DSS" => match n.get("DSS") {
                    Some(Object::Reference(r)) => a.roots.push((*r, Role::Dss)),
                    Some(Object::Dict(d)) => {
                        a.roots
                            .extend(super::follow(&Object::Dict(d.clone()), Role::Dss));
                    }
                    _ => a.note(
                        ModificationLevel::Other,
                        ChangeKind::CatalogEntryChanged { key },
                    ),
                },
                "AcroForm" => match (o.get("AcroForm"), n.get("AcroForm")) {
                    (Some(Object::Dict(od)), Some(Object::Dict(nd))) => {
                        acroform::judge_dict(a, None, od, nd)?;
                    }
                    (None, Some(Object::Reference(r))) => a.roots.push((*r, Role::AcroForm)),
                    (None, Some(Object::Dict(nd))) => {
                        acroform::judge_dict(a, None, &Dict::new(), nd)?;
                    }
                    _ => a.note(
                        ModificationLevel::Other,
                        ChangeKind::CatalogEntryChanged { key },
                    ),
                },
                "Version" => {
                    let version = |d: &Dict| {
                        d.get("Version")
                            .and_then(Object::as_name)
                            .and_then(|v| std::str::from_utf8(v).ok())
                            .and_then(|v| v.parse::<f64>().ok())
                    };
                    match (version(o), version(n)) {
                        (old_v, Some(new_v)) if old_v.is_none_or(|ov| new_v >= ov) => {
                            a.note(
                                ModificationLevel::None,
                                ChangeKind::CatalogEntryUpdated { key },
                            );
                        }
                        _ => a.note(
                            ModificationLevel::Other,
                            ChangeKind::CatalogEntryChanged { key },
                        ),
                    }
                }
                "Metadata" => match n.get("Metadata") {
                    Some(Object::Reference(r)) => {
                        a.roots.push((*r, Role::Metadata));
                        a.note(
                            ModificationLevel::None,
                            ChangeKind::XmpMetadataUpdated { object: *r },
                        );
                    }
                    _ => a.note(
                        ModificationLevel::Other,
                        ChangeKind::CatalogEntryChanged { key },
                    ),
                },
                "Extensions" => a.note(
                    ModificationLevel::None,
                    ChangeKind::CatalogEntryUpdated { key },
                ),
                // Accessibility and language: nothing drawn changes (ISO 32000-2 §14.9.2,
                // §14.7); Acrobat updates them when it adds a field or an annotation.
                "Lang" | "MarkInfo" => a.note(
                    ModificationLevel::FormFilling,
                    ChangeKind::CatalogEntryUpdated { key },
                ),
                "StructTreeRoot" => match n.get("StructTreeRoot") {
                    Some(Object::Reference(r)) => {
                        a.roots.push((*r, Role::Structure));
                        a.note(
                            ModificationLevel::FormFilling,
                            ChangeKind::CatalogEntryUpdated { key },
                        );
                    }
                    _ => a.note(
                        ModificationLevel::Other,
                        ChangeKind::CatalogEntryChanged { key },
                    ),
                },
                _ => a.note(
                    ModificationLevel::Other,
                    ChangeKind::CatalogEntryChanged { key },
                ),
            }
        }
        Ok(())
    }
}
