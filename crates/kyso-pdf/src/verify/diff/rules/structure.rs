//! The structure tree of tagged PDF (ISO 32000-2 §14.7): structure elements, the parent tree
//! and the role and class maps. Nothing in it is drawn; Acrobat and other editors update it
//! (a new element for an added field or annotation, a new /ParentTree entry) when they add
//! something after signing. Changes to its objects and new objects in it are listed and
//! permitted where form filling is; a structure object may not be, or become, a stream, a
//! page, a field or an annotation.

use std::collections::{HashSet, VecDeque};

use super::super::{Analysis, ChangeKind, ModificationLevel, Role};
use super::ChangeRule;
use crate::Result;
use crate::object::{Dict, ObjRef, Object};
use crate::reader::{PdfReader, Source};

/// Most structure objects collected from the signed revision.
const MAX_STRUCTURE_OBJECTS: usize = 200_000;

/// The rule for objects of the signed revision's structure tree.
pub(in crate::verify::diff) struct StructureTreeRule;

impl ChangeRule for StructureTreeRule {
    fn judge<A: Source, B: Source>(
        &self,
        a: &mut Analysis<'_, A, B>,
        r: ObjRef,
        old: &Object,
        new: &Object,
    ) -> Result<()> {
        // What an added element or annotation needs: kids, the parent tree and its number
        // tree nodes. /ActualText, /Alt, /E, /Lang and the role map change what is read out
        // or copied, and stay as signed.
        let keys_ok = match (old.as_dict(), new.as_dict()) {
            (Some(o), Some(n)) => super::super::changed_keys(o, n).iter().all(|k| {
                matches!(
                    k.as_str(),
                    "K" | "ParentTree" | "ParentTreeNextKey" | "Nums" | "Kids" | "Limits"
                )
            }),
            _ => old.as_array().is_some() && new.as_array().is_some(),
        };
        if !is_structure_object(new) || !keys_ok || a.is_rendered(r) {
            a.note(ModificationLevel::Other, super::changed(r, old, new));
            return Ok(());
        }
        a.roots.extend(
            structure_refs(new)
                .into_iter()
                .map(|c| (c, Role::Structure)),
        );
        a.note(
            ModificationLevel::FormFilling,
            ChangeKind::StructureTreeUpdated { object: r },
        );
        Ok(())
    }
}

/// Judges a new object of the structure tree.
pub(in crate::verify::diff) fn judge_new<A: Source, B: Source>(
    a: &mut Analysis<'_, A, B>,
    r: ObjRef,
    obj: &Object,
) -> Vec<(ObjRef, Role)> {
    if !is_structure_object(obj) {
        a.note(
            ModificationLevel::Other,
            ChangeKind::UnexpectedObjectAdded {
                object: r,
                what: super::super::describe(obj),
            },
        );
        return Vec::new();
    }
    a.note(
        ModificationLevel::FormFilling,
        ChangeKind::StructureTreeUpdated { object: r },
    );
    structure_refs(obj)
        .into_iter()
        .map(|c| (c, Role::Structure))
        .collect()
}

/// The objects of the structure tree of the signed revision whose catalog is `catalog`.
pub(in crate::verify::diff) fn members<S: Source>(
    reader: &PdfReader<S>,
    catalog: &Dict,
) -> Result<HashSet<ObjRef>> {
    let mut members = HashSet::new();
    let Some(Object::Reference(root)) = catalog.get("StructTreeRoot") else {
        return Ok(members);
    };
    let mut queue = VecDeque::from([*root]);
    while let Some(r) = queue.pop_front() {
        if members.len() >= MAX_STRUCTURE_OBJECTS || members.contains(&r) {
            continue;
        }
        let Ok(obj) = reader.resolve(r) else {
            continue;
        };
        if !is_structure_object(&obj) {
            continue;
        }
        members.insert(r);
        queue.extend(structure_refs(&obj));
    }
    Ok(members)
}

/// Whether `obj` can be part of a structure tree: a dictionary or an array, not a stream,
/// page, field or annotation.
fn is_structure_object(obj: &Object) -> bool {
    match obj {
        Object::Array(_) => true,
        Object::Dict(d) => {
            let drawn = d.contains_key("FT")
                || d.contains_key("Rect")
                || d.get("Type")
                    .is_some_and(|t| t.is_name("Page") || t.is_name("Pages"));
            !drawn
        }
        _ => false,
    }
}

/// The references of a structure object to other structure objects: not to its parent
/// (/P), its page (/Pg), what it marks (/Obj of an object reference, /Stm of a marked-content
/// reference) or its owner's objects.
fn structure_refs(obj: &Object) -> Vec<ObjRef> {
    match obj {
        Object::Array(items) => items
            .iter()
            .flat_map(|i| match i {
                Object::Reference(r) => vec![*r],
                Object::Dict(d) => inner_refs(d),
                _ => Vec::new(),
            })
            .collect(),
        Object::Dict(d) => inner_refs(d),
        _ => Vec::new(),
    }
}

fn inner_refs(d: &Dict) -> Vec<ObjRef> {
    let mut out = Vec::new();
    for (k, v) in d.iter() {
        if ["P", "Pg", "Obj", "Stm", "StmOwn", "Parent"]
            .iter()
            .any(|skip| *k == *skip)
        {
            continue;
        }
        match v {
            Object::Reference(r) => out.push(*r),
            Object::Array(items) => {
                for i in items {
                    match i {
                        Object::Reference(r) => out.push(*r),
                        Object::Dict(inner) => out.extend(inner_refs(inner)),
                        _ => {}
                    }
                }
            }
            Object::Dict(inner) => out.extend(inner_refs(inner)),
            _ => {}
        }
    }
    out
}
