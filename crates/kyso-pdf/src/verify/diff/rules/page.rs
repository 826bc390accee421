//! Pages (ISO 32000-2 §7.7.3.3): a page of the signed revision may only gain annotations in
//! its /Annots array, and the entries nothing renders that viewers update when they add a
//! field or an annotation (/Tabs, the tab order; /StructParents, its key in the structure
//! tree's parent tree). Its contents, resources, boxes and everything else are signed content.

use super::super::{Analysis, ChangeKind, ModificationLevel, Role, changed_keys};
use super::ChangeRule;
use super::acroform::{appended, appended_array};
use crate::Result;
use crate::object::{ObjRef, Object};
use crate::reader::{PdfReader, Source};

/// The rule for the pages of the signed revision.
pub(in crate::verify::diff) struct PageRule;

impl ChangeRule for PageRule {
    fn judge<A: Source, B: Source>(
        &self,
        a: &mut Analysis<'_, A, B>,
        r: ObjRef,
        old: &Object,
        new: &Object,
    ) -> Result<()> {
        let (Some(o), Some(n)) = (old.as_dict(), new.as_dict()) else {
            a.note(
                ModificationLevel::Other,
                ChangeKind::PageReplaced { object: r },
            );
            return Ok(());
        };
        for key in changed_keys(o, n) {
            match key.as_str() {
                "Annots" => {
                    let old_items = array(a.old, o.get("Annots"));
                    let new_items = array(a.new, n.get("Annots"));
                    match (old_items, new_items) {
                        (Some(oi), Some(ni)) => {
                            appended(a, Some(r), "/Annots", &oi, &ni, Role::Annotation)
                        }
                        _ => a.note(
                            ModificationLevel::Other,
                            ChangeKind::PageEntryChanged { object: r, key },
                        ),
                    }
                }
                "Tabs" | "StructParents" => a.note(
                    ModificationLevel::FormFilling,
                    ChangeKind::StructureTreeUpdated { object: r },
                ),
                _ => a.note(
                    ModificationLevel::Other,
                    ChangeKind::PageEntryChanged { object: r, key },
                ),
            }
        }
        Ok(())
    }
}

/// The rule for a page's /Annots array when it is an object of its own.
pub(in crate::verify::diff) struct AnnotsArrayRule;

impl ChangeRule for AnnotsArrayRule {
    fn judge<A: Source, B: Source>(
        &self,
        a: &mut Analysis<'_, A, B>,
        r: ObjRef,
        old: &Object,
        new: &Object,
    ) -> Result<()> {
        appended_array(a, r, old, new, Role::Annotation, "/Annots");
        Ok(())
    }
}

/// The items of an /Annots entry: absent is empty, direct or through one reference.
fn array<S: Source>(reader: &PdfReader<S>, value: Option<&Object>) -> Option<Vec<Object>> {
    match value {
        None => Some(Vec::new()),
        Some(Object::Array(items)) => Some(items.clone()),
        Some(Object::Reference(r)) => reader
            .resolve(*r)
            .ok()
            .and_then(|x| x.as_array().map(<[Object]>::to_vec)),
        _ => None,
    }
}
