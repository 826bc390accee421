//! Annotations (ISO 32000-2 §12.5): markup annotations of the signed revision may change, and
//! new annotations may be added to pages, where annotations are permitted (an approval
//! signature, or a certification with DocMDP P=3); one drawn over the page is reported. New
//! objects in a page's /Annots or the form's /Fields are sorted here: signature fields and
//! their widgets go to [`super::field`], other new form fields are modifications, and
//! anything carrying an action (JavaScript, Launch, URI, …) is active content.

use super::super::{
    Analysis, ChangeKind, ModificationLevel, Role, active_content, appearance_refs, describe,
    field_type, has_visible_appearance,
};
use super::ChangeRule;
use crate::Result;
use crate::object::{ObjRef, Object};
use crate::reader::Source;

/// The rule for annotations of the signed revision that are not part of the form.
pub(in crate::verify::diff) struct MarkupAnnotationRule;

impl ChangeRule for MarkupAnnotationRule {
    fn judge<A: Source, B: Source>(
        &self,
        a: &mut Analysis<'_, A, B>,
        r: ObjRef,
        old: &Object,
        new: &Object,
    ) -> Result<()> {
        if old.as_stream().is_some() || new.as_stream().is_none() && new.as_dict().is_none() {
            a.note(ModificationLevel::Other, super::changed(r, old, new));
            return Ok(());
        }
        if let Some(action) = new.as_dict().and_then(active_content)
            && old.as_dict().and_then(active_content).as_ref() != Some(&action)
        {
            a.note(
                ModificationLevel::Other,
                ChangeKind::ActiveContent { object: r, action },
            );
        }
        if let Some(d) = new.as_dict() {
            a.appearance_roots(d);
            // Moved or redrawn: what it now covers is judged as for a new one.
            let redrawn = ["Rect", "AP", "AS", "F"]
                .iter()
                .any(|k| old.as_dict().and_then(|o| o.get(*k)) != d.get(*k));
            if redrawn && has_visible_appearance(d) {
                a.warn_if_over_signed_content(
                    &format!("annotation {r} changed after signing"),
                    r,
                    d,
                );
            }
        }
        a.note(
            ModificationLevel::Annotations,
            ChangeKind::AnnotationChanged { object: r },
        );
        Ok(())
    }
}

/// Judges a new object added to a page's /Annots (`Role::Annotation`) or to the form
/// (`Role::Field`).
pub(in crate::verify::diff) fn judge_new<A: Source, B: Source>(
    a: &mut Analysis<'_, A, B>,
    r: ObjRef,
    obj: &Object,
    role: Role,
) -> Vec<(ObjRef, Role)> {
    let Some(d) = obj.as_dict() else {
        a.note(
            ModificationLevel::Other,
            ChangeKind::UnexpectedObjectAdded {
                object: r,
                what: describe(obj),
            },
        );
        return Vec::new();
    };
    if let Some(action) = active_content(d) {
        a.note(
            ModificationLevel::Other,
            ChangeKind::ActiveContent { object: r, action },
        );
    }
    let ft = field_type(d);
    let parent = d
        .get("Parent")
        .and_then(Object::as_reference)
        .or_else(|| a.new_widget_fields.get(&r).copied());
    let is_widget = d.get("Subtype").is_some_and(|t| t.is_name("Widget"));
    if ft == Some(b"Sig".as_slice()) || ft.is_none() && is_widget && parent.is_some() {
        return a.judge_new_signature_field(r, d, role, parent);
    }
    if ft.is_some() {
        a.note(
            ModificationLevel::Other,
            ChangeKind::FieldAdded { object: r },
        );
        return Vec::new();
    }
    if d.contains_key("Subtype") && d.contains_key("Rect") && !is_widget {
        let subtype = d
            .get("Subtype")
            .and_then(Object::as_name)
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        a.note(
            ModificationLevel::Annotations,
            ChangeKind::AnnotationAdded { object: r, subtype },
        );
        if has_visible_appearance(d) {
            a.warn_if_over_signed_content(
                &format!("annotation {r} ({}) added after signing", describe(obj)),
                r,
                d,
            );
        }
        // Its appearance and pop-up come with it.
        let mut next: Vec<(ObjRef, Role)> = appearance_refs(d)
            .into_iter()
            .map(|ap| (ap, Role::Appearance))
            .collect();
        if let Some(Object::Reference(popup)) = d.get("Popup") {
            next.push((*popup, Role::Annotation));
        }
        return next;
    }
    a.note(
        ModificationLevel::Other,
        ChangeKind::UnexpectedObjectAdded {
            object: r,
            what: describe(obj),
        },
    );
    Vec::new()
}
