//! The interactive form dictionary (ISO 32000-2 §12.7.3): it may gain fields, /SigFlags and
//! what viewers build field appearances with (/DA, /DR, /NeedAppearances); the /Fields array
//! may only grow, and what it gains are new fields judged by [`super::annotation`] and
//! [`super::field`].

use super::super::{Analysis, ChangeKind, ModificationLevel, Role, changed_keys};
use super::ChangeRule;
use crate::Result;
use crate::object::{Dict, ObjRef, Object};
use crate::reader::Source;

/// The rule for the AcroForm dictionary of the signed revision.
pub(in crate::verify::diff) struct AcroFormRule;

impl ChangeRule for AcroFormRule {
    fn judge<A: Source, B: Source>(
        &self,
        a: &mut Analysis<'_, A, B>,
        r: ObjRef,
        old: &Object,
        new: &Object,
    ) -> Result<()> {
        match (old.as_dict(), new.as_dict()) {
            (Some(o), Some(n)) => judge_dict(a, Some(r), o, n),
            _ => {
                a.note(
                    ModificationLevel::Other,
                    ChangeKind::AcroFormReplaced { object: r },
                );
                Ok(())
            }
        }
    }
}

/// The rule for the AcroForm's /Fields array when it is an object of its own.
pub(in crate::verify::diff) struct FieldsArrayRule;

impl ChangeRule for FieldsArrayRule {
    fn judge<A: Source, B: Source>(
        &self,
        a: &mut Analysis<'_, A, B>,
        r: ObjRef,
        old: &Object,
        new: &Object,
    ) -> Result<()> {
        appended_array(a, r, old, new, Role::Field, "/Fields");
        Ok(())
    }
}

/// Judges the AcroForm dictionary `o` → `n` (`object`: its object, `None` when direct in the
/// catalog).
pub(in crate::verify::diff) fn judge_dict<A: Source, B: Source>(
    a: &mut Analysis<'_, A, B>,
    object: Option<ObjRef>,
    o: &Dict,
    n: &Dict,
) -> Result<()> {
    for key in changed_keys(o, n) {
        match key.as_str() {
            "Fields" => match (o.get("Fields"), n.get("Fields")) {
                (Some(Object::Reference(x)), Some(Object::Reference(y))) if x == y => {}
                (old_f, Some(new_f)) => {
                    let old_items = match old_f {
                        Some(f) => a.old.deref(f)?.as_array().map(<[Object]>::to_vec),
                        None => Some(Vec::new()),
                    };
                    let new_items = a.new.deref(new_f)?.as_array().map(<[Object]>::to_vec);
                    match (old_items, new_items) {
                        (Some(oi), Some(ni)) => {
                            appended(a, object, "/Fields", &oi, &ni, Role::Field)
                        }
                        _ => a.note(
                            ModificationLevel::Other,
                            ChangeKind::AcroFormEntryChanged { object, key },
                        ),
                    }
                }
                (_, None) => a.note(
                    ModificationLevel::Other,
                    ChangeKind::AcroFormEntryChanged { object, key },
                ),
            },
            "SigFlags" => {}
            // How viewers build field appearances: part of filling the form — unless a
            // signature locks fields, whose appearances viewers would then redraw too.
            "DA" | "DR" | "NeedAppearances" => {
                if a.permissions.locked != crate::verify::FieldLock::None {
                    a.note(
                        ModificationLevel::Other,
                        ChangeKind::AcroFormEntryChanged { object, key },
                    );
                } else {
                    if let Some(dr) = n.get("DR") {
                        a.roots.extend(super::follow(dr, Role::Appearance));
                    }
                    a.note(
                        ModificationLevel::FormFilling,
                        ChangeKind::FormEntryUpdated { object, key },
                    );
                }
            }
            _ => a.note(
                ModificationLevel::Other,
                ChangeKind::AcroFormEntryChanged { object, key },
            ),
        }
    }
    Ok(())
}

/// A new AcroForm (the document had none when signed): its fields are new fields.
pub(in crate::verify::diff) fn judge_new<A: Source, B: Source>(
    a: &mut Analysis<'_, A, B>,
    obj: &Object,
) -> Vec<(ObjRef, Role)> {
    match obj.as_dict().and_then(|d| d.get("Fields")) {
        Some(Object::Array(fields)) => fields
            .iter()
            .filter_map(Object::as_reference)
            .inspect(|f| {
                a.form_added.insert(*f);
            })
            .map(|f| (f, Role::Field))
            .collect(),
        _ => Vec::new(),
    }
}

/// `new` must be the array `old` with items appended (an array object `r`).
pub(in crate::verify::diff) fn appended_array<A: Source, B: Source>(
    a: &mut Analysis<'_, A, B>,
    r: ObjRef,
    old: &Object,
    new: &Object,
    role: Role,
    what: &str,
) {
    match (old.as_array(), new.as_array()) {
        (Some(o), Some(n)) => appended(a, Some(r), what, o, n, role),
        _ => a.note(
            ModificationLevel::Other,
            ChangeKind::ArrayRewritten {
                object: Some(r),
                what: what.into(),
            },
        ),
    }
}

/// `new` must be `old` with items appended; the appended references become roots in `role`.
pub(in crate::verify::diff) fn appended<A: Source, B: Source>(
    a: &mut Analysis<'_, A, B>,
    object: Option<ObjRef>,
    what: &str,
    old: &[Object],
    new: &[Object],
    role: Role,
) {
    if new.len() < old.len() || new[..old.len()] != *old {
        a.note(
            ModificationLevel::Other,
            ChangeKind::ArrayRewritten {
                object,
                what: what.into(),
            },
        );
        return;
    }
    for item in &new[old.len()..] {
        match item.as_reference() {
            Some(r) => {
                if role == Role::Field {
                    a.form_added.insert(r);
                }
                a.roots.push((r, role));
            }
            None => a.note(
                ModificationLevel::Other,
                ChangeKind::DirectObjectAdded { what: what.into() },
            ),
        }
    }
}
