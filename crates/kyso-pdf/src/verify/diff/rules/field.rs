//! Form fields and their widgets (ISO 32000-2 §12.7.4, §12.7.5.5): an empty signature field
//! may receive its value, other fields may be filled (/V, /AS, /AP, and their appearance
//! streams regenerated) where form filling is allowed and no lock (FieldMDP, /Lock) forbids
//! it; a new signature field must be empty and invisible, or signed with a value of its own;
//! a field that swaps or rewrites its appearance must not leave the old one to another holder
//! (pyHanko's "sneaky" updates).

use std::collections::HashSet;

use super::super::{
    Analysis, ChangeKind, ModificationLevel, Role, appearance_refs, changed_keys, collect_refs,
    field_type, has_visible_appearance,
};
use super::ChangeRule;
use crate::Result;
use crate::object::{Dict, ObjRef, Object};
use crate::reader::Source;

/// The rule for fields and widgets of the signed revision's form.
pub(in crate::verify::diff) struct FieldRule;

impl ChangeRule for FieldRule {
    fn judge<A: Source, B: Source>(
        &self,
        a: &mut Analysis<'_, A, B>,
        r: ObjRef,
        old: &Object,
        new: &Object,
    ) -> Result<()> {
        let (Some(o), Some(n)) = (old.as_dict(), new.as_dict()) else {
            a.note(ModificationLevel::Other, super::changed(r, old, new));
            return Ok(());
        };
        if old.as_stream().is_some() || new.as_stream().is_some() {
            a.note(ModificationLevel::Other, super::changed(r, old, new));
            return Ok(());
        }
        let keys = changed_keys(o, n);
        let is_sig_field = field_type(o) == Some(b"Sig".as_slice());
        let name = a.field_name(r, o);
        if !is_sig_field && let Some(owner) = a.signature_owner(r, o) {
            // A widget of a signature field that holds the value (and /FT) itself: it may
            // change only while that field is being signed in the same update.
            let keys_ok = keys.iter().all(|k| match k.as_str() {
                "AP" | "AS" => true,
                "F" => signer_flags_only(o, n),
                _ => false,
            });
            if !keys_ok || !a.being_signed(owner)? {
                a.note(ModificationLevel::Other, super::changed(r, old, new));
                return Ok(());
            }
            a.replace_appearance(r, o, n, &keys);
            note_filled(a, owner, name, true);
            return Ok(());
        }
        if is_sig_field {
            // Only an empty signature field may change: it receives its value. "Was signed"
            // takes a signature value; an appearance alone claims a signer that never signed
            // (Sneaky Signature Attack, Rohlmann et al. S&P 2021).
            let empty = o.get("V").is_none_or(Object::is_null);
            let has_value = match n.get("V") {
                Some(Object::Reference(v)) => {
                    a.roots.push((*v, Role::SignatureValue));
                    true
                }
                Some(Object::Dict(d)) => {
                    let is_sig = d
                        .get("Type")
                        .is_none_or(|t| t.is_name("Sig") || t.is_name("DocTimeStamp"));
                    if !is_sig {
                        a.note(
                            ModificationLevel::Other,
                            ChangeKind::NotASignatureDictionary { object: r },
                        );
                    }
                    true
                }
                _ => false,
            };
            let allowed_keys = keys.iter().all(|k| match k.as_str() {
                "V" | "AP" | "Lock" | "SV" => true,
                "F" => signer_flags_only(o, n),
                _ => false,
            });
            if !(empty && allowed_keys && has_value) {
                a.note(ModificationLevel::Other, super::changed(r, old, new));
                return Ok(());
            }
            a.replace_appearance(r, o, n, &keys);
            note_filled(a, r, name, true);
            return Ok(());
        }
        if !keys.iter().all(|k| matches!(k.as_str(), "V" | "AS" | "AP")) {
            a.note(ModificationLevel::Other, super::changed(r, old, new));
            return Ok(());
        }
        a.replace_appearance(r, o, n, &keys);
        note_filled(a, r, name, false);
        Ok(())
    }
}

/// The rule for an appearance stream of a field of the signed revision, rewritten in place
/// when the field is filled (PDFBox, Acrobat) or, for an empty signature field, when it is
/// signed (pyHanko overrides the placeholder appearance): form filling, provided nothing but
/// its widget uses it. A signature field's appearance changed without a signature value is a
/// modification (Sneaky Signature Attack).
pub(in crate::verify::diff) struct FieldAppearanceRule {
    /// The widget the stream belongs to.
    pub(in crate::verify::diff) widget: ObjRef,
}

impl ChangeRule for FieldAppearanceRule {
    fn judge<A: Source, B: Source>(
        &self,
        a: &mut Analysis<'_, A, B>,
        r: ObjRef,
        old: &Object,
        new: &Object,
    ) -> Result<()> {
        if old.as_stream().is_none() || new.as_stream().is_none() {
            a.note(ModificationLevel::Other, super::changed(r, old, new));
            return Ok(());
        }
        let widget_dict = a.old.resolve(self.widget)?;
        let name = widget_dict
            .as_dict()
            .map(|d| a.field_name(self.widget, d))
            .unwrap_or_default();
        let owner = widget_dict
            .as_dict()
            .and_then(|d| a.signature_owner(self.widget, d));
        if let Some(owner) = owner {
            if !a.being_signed(owner)? {
                a.note(ModificationLevel::Other, super::changed(r, old, new));
                return Ok(());
            }
            a.replaced_appearances
                .push((self.widget, self.rewritten(r, &widget_dict)));
            a.roots.extend(super::follow(new, Role::Appearance));
            note_filled(a, self.widget, name, true);
            return Ok(());
        }
        a.replaced_appearances
            .push((self.widget, self.rewritten(r, &widget_dict)));
        a.roots.extend(super::follow(new, Role::Appearance));
        note_filled(a, self.widget, name, false);
        Ok(())
    }
}

/// Whether a widget's /F changed only in the flags a signer may set on the widget it signs:
/// Print, Locked and LockedContents (pyHanko locks it); Hidden, NoView and the rest stay
/// as signed.
fn signer_flags_only(o: &Dict, n: &Dict) -> bool {
    let flags = |d: &Dict| d.get("F").and_then(Object::as_i64).unwrap_or(0);
    (flags(o) ^ flags(n)) & !(4 | 128 | 512) == 0
}

/// Notes that field `object` named `field` was filled (or, for a signature field, signed):
/// form filling, unless the signature's FieldMDP or the field's /Lock forbids it.
fn note_filled<A: Source, B: Source>(
    a: &mut Analysis<'_, A, B>,
    object: ObjRef,
    field: String,
    signed: bool,
) {
    if a.permissions.locked.locks(&field) {
        a.note(
            ModificationLevel::Other,
            ChangeKind::FieldLocked { object, field },
        );
    } else if signed {
        a.note(
            ModificationLevel::FormFilling,
            ChangeKind::SignatureFieldSigned { object, field },
        );
    } else {
        a.note(
            ModificationLevel::FormFilling,
            ChangeKind::FieldFilled { object, field },
        );
    }
}

impl FieldAppearanceRule {
    /// What the in-place rewrite of stream `r` changes for whoever else holds it: the stream
    /// and the widget's appearance dictionary (an indirect /AP, or the entries of a direct
    /// one) — none may be used by anything but the widget.
    fn rewritten(&self, r: ObjRef, widget: &Object) -> Vec<ObjRef> {
        let mut out = vec![r];
        if let Some(d) = widget.as_dict() {
            out.extend(appearance_refs(d));
        }
        out
    }
}

/// A new object reached from an allowed appearance: resources, fonts, images, forms —
/// never a field or an annotation.
pub(in crate::verify::diff) fn judge_new_appearance<A: Source, B: Source>(
    a: &mut Analysis<'_, A, B>,
    r: ObjRef,
    obj: &Object,
) -> Vec<(ObjRef, Role)> {
    if obj.as_dict().is_some_and(|d| {
        d.contains_key("FT") || (d.contains_key("Subtype") && d.contains_key("Rect"))
    }) {
        a.note(
            ModificationLevel::Other,
            ChangeKind::AppearanceHoldsAnnotation { object: r },
        );
        return Vec::new();
    }
    super::follow(obj, Role::Appearance)
}

impl<A: Source, B: Source> Analysis<'_, A, B> {
    /// A field may swap its own appearance, but the objects it stops using must not be used
    /// by anything else (another widget, a page, the trailer): changing what is shown there
    /// would not be form filling (pyHanko's "sneaky" appearance updates).
    pub(in crate::verify::diff) fn shared_appearances(&mut self) -> Result<()> {
        let replaced = std::mem::take(&mut self.replaced_appearances);
        for (field, old_refs) in replaced {
            if let Some((shared, holder)) = self.held_elsewhere(field, &old_refs)? {
                self.note(
                    ModificationLevel::Other,
                    ChangeKind::SharedAppearanceReplaced {
                        field,
                        appearance: shared,
                        holder,
                    },
                );
            }
        }
        Ok(())
    }

    /// Whether one of `targets` is reachable from the final trailer other than through
    /// `field` — from a page's resources (direct or not), another annotation, the catalog, a
    /// trailer entry — and from which object. A walk over the document's objects, bounded by
    /// [`super::super::MAX_NEW_OBJECTS`]; past the bound the answer is "yes" (fail closed).
    fn held_elsewhere(
        &self,
        field: ObjRef,
        targets: &[ObjRef],
    ) -> Result<Option<(ObjRef, String)>> {
        let mut queue: std::collections::VecDeque<(ObjRef, String)> = Default::default();
        for (k, v) in self.new.trailer().iter() {
            if matches!(
                k.as_bytes(),
                b"Prev" | b"Size" | b"ID" | b"XRefStm" | b"Encrypt" | b"Info"
            ) {
                continue;
            }
            let mut refs = Vec::new();
            collect_refs(v, &mut refs, 0);
            let holder = format!("the trailer's /{}", String::from_utf8_lossy(k.as_bytes()));
            queue.extend(refs.into_iter().map(|r| (r, holder.clone())));
        }
        let mut seen: HashSet<ObjRef> = HashSet::new();
        while let Some((r, holder)) = queue.pop_front() {
            if let Some(t) = targets.iter().find(|t| **t == r) {
                return Ok(Some((*t, holder)));
            }
            if r == field || !seen.insert(r) {
                continue;
            }
            if seen.len() > super::super::MAX_NEW_OBJECTS {
                return Ok(Some((r, "an object past the analysis bound".into())));
            }
            let Ok(obj) = self.new.resolve(r) else {
                continue;
            };
            let mut refs = Vec::new();
            collect_refs(&obj, &mut refs, 0);
            let holder = format!("object {r}");
            queue.extend(refs.into_iter().map(|c| (c, holder.clone())));
        }
        Ok(None)
    }

    /// When field or widget `r` changed its /AP (`o` → `n`): the new appearance is judged as
    /// appearance, and the old one must not be held elsewhere ([`Self::shared_appearances`]).
    fn replace_appearance(&mut self, r: ObjRef, o: &Dict, n: &Dict, keys: &[String]) {
        if keys.iter().any(|k| k == "AP") {
            self.appearance_roots(n);
            self.replaced_appearances.push((r, appearance_refs(o)));
        }
    }

    /// The signature field `r` (a field or widget of the signed revision, dictionary `d`)
    /// belongs to: itself if it has /FT /Sig, its parent if that has (a widget inherits /FT,
    /// ISO 32000-2 §12.7.4.1); `None` for other fields.
    pub(in crate::verify::diff) fn signature_owner(&self, r: ObjRef, d: &Dict) -> Option<ObjRef> {
        if let Some(ft) = field_type(d) {
            return (ft == b"Sig").then_some(r);
        }
        let parent = d.get("Parent").and_then(Object::as_reference)?;
        let pd = self.old.resolve(parent).ok()?;
        (pd.as_dict().and_then(field_type) == Some(b"Sig".as_slice())).then_some(parent)
    }

    /// Whether signature field `owner` had no value in the signed revision and has one now.
    pub(in crate::verify::diff) fn being_signed(&self, owner: ObjRef) -> Result<bool> {
        let value = |o: &Object| {
            o.as_dict()
                .and_then(|d| d.get("V"))
                .is_some_and(|v| !v.is_null())
        };
        Ok(!value(&self.old.resolve(owner)?) && value(&self.new.resolve(owner)?))
    }

    /// The fully qualified name of field `r` in the signed revision (§12.7.4.2).
    pub(in crate::verify::diff) fn field_name(&self, r: ObjRef, dict: &Dict) -> String {
        let mut parts = Vec::new();
        let mut current = Some((r, dict.clone()));
        let mut seen = HashSet::new();
        while let Some((cr, d)) = current.take() {
            if !seen.insert(cr) || seen.len() > crate::form::MAX_FIELD_TREE_DEPTH {
                break;
            }
            if let Some(t) = d.get("T").and_then(Object::as_string_bytes) {
                parts.push(crate::object::decode_text_string(t));
            }
            current = d
                .get("Parent")
                .and_then(Object::as_reference)
                .and_then(|p| {
                    self.old
                        .resolve(p)
                        .ok()
                        .and_then(|o| o.as_dict().cloned().map(|pd| (p, pd)))
                });
        }
        parts.reverse();
        parts.join(".")
    }

    pub(in crate::verify::diff) fn appearance_roots(&mut self, dict: &Dict) {
        if let Some(Object::Reference(ap)) = dict.get("AP") {
            self.roots.push((*ap, Role::Appearance));
        } else if let Some(Object::Dict(ap)) = dict.get("AP") {
            for (_, v) in ap.iter() {
                if let Some(r) = v.as_reference() {
                    self.roots.push((r, Role::Appearance));
                }
            }
        }
    }

    /// A new signature field (or a widget of one): allowed when it is in the form, and either
    /// empty and invisible or signed with a new signature dictionary of its own.
    pub(in crate::verify::diff) fn judge_new_signature_field(
        &mut self,
        r: ObjRef,
        d: &Dict,
        role: Role,
        parent: Option<ObjRef>,
    ) -> Vec<(ObjRef, Role)> {
        // A widget under a field: the field must be new too, and a signature field; the
        // field holds the value.
        let mut field_value = d.get("V").cloned();
        if field_type(d).is_none() {
            let Some(p) = parent else { return Vec::new() };
            let parent_dict = self
                .new
                .resolve(p)
                .ok()
                .and_then(|o| o.as_dict().cloned())
                .filter(|pd| field_type(pd) == Some(b"Sig".as_slice()));
            let parent_ok =
                self.added.contains(&p) && self.form_added.contains(&p) && parent_dict.is_some();
            field_value = parent_dict.and_then(|pd| pd.get("V").cloned());
            if !parent_ok {
                self.note(
                    ModificationLevel::Other,
                    ChangeKind::WidgetUnderForeignField {
                        object: r,
                        parent: p,
                    },
                );
                return Vec::new();
            }
        } else if role == Role::Annotation && !self.form_added.contains(&r) {
            self.note(
                ModificationLevel::Annotations,
                ChangeKind::SignatureWidgetOutsideForm { object: r },
            );
            return Vec::new();
        }
        let value = match field_value.as_ref() {
            None | Some(Object::Null) => None,
            Some(Object::Reference(v)) if self.added.contains(v) => Some(*v),
            Some(Object::Reference(v)) => {
                self.note(
                    ModificationLevel::Other,
                    ChangeKind::SignatureValueReused {
                        object: r,
                        value: *v,
                    },
                );
                return Vec::new();
            }
            Some(_) => {
                self.note(
                    ModificationLevel::Other,
                    ChangeKind::SignatureValueNotReference { object: r },
                );
                return Vec::new();
            }
        };
        // An unsigned signature field with a visible widget — one dictionary, or a field and
        // its widget apart — can cover signed content or pose as a signature (Sneaky
        // Signature Attack, Rohlmann et al. S&P 2021).
        let visible = has_visible_appearance(d);
        if value.is_none() && visible {
            self.note(
                ModificationLevel::Other,
                ChangeKind::UnsignedVisibleSignatureField { object: r },
            );
            return Vec::new();
        }
        self.note(
            ModificationLevel::FormFilling,
            ChangeKind::SignatureFieldAdded {
                object: r,
                signed: value.is_some(),
            },
        );
        if value.is_some() && visible {
            // Over another signature's widget (the seal over the official's signature, as
            // Decree 30/2020 wants) or blank paper is what visible signatures do; over the
            // signed page's text or images it may hide what was signed.
            self.warn_if_over_signed_content(&format!("signature {r} added after signing"), r, d);
        }
        let mut next = Vec::new();
        if let Some(v) = value {
            next.push((v, Role::SignatureValue));
        }
        let mut ap = Vec::new();
        if let Some(a) = d.get("AP") {
            collect_refs(a, &mut ap, 0);
        }
        next.extend(ap.into_iter().map(|a| (a, Role::Appearance)));
        if let Some(kids) = d.get("Kids").and_then(|k| self.new.deref(k).ok())
            && let Some(kids) = kids.as_array()
        {
            next.extend(
                kids.iter()
                    .filter_map(Object::as_reference)
                    .map(|k| (k, Role::Field)),
            );
        }
        next
    }
}
