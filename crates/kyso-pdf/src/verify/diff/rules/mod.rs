//! The whitelist: one module per kind of object a later update may touch, each with the rule
//! (a type implementing [`ChangeRule`]) that explains changes to such objects of the signed
//! revision, and the judge of new objects added in its role.

pub(super) mod acroform;
pub(super) mod annotation;
pub(super) mod catalog;
pub(super) mod dss;
pub(super) mod field;
pub(super) mod metadata;
pub(super) mod page;
pub(super) mod signature;
pub(super) mod structure;

use super::{Analysis, ChangeKind, ModificationLevel, changed_keys, describe};
use crate::Result;
use crate::object::{ObjRef, Object};
use crate::reader::Source;

/// Explains the change of one object of the signed revision (`old`) into its final form
/// (`new`): notes each change with its level ([`Analysis::note`]), so that what the
/// permissions do not allow becomes a violation, and registers the new objects the change
/// brings in with their role.
pub(super) trait ChangeRule {
    /// Judges the change of object `r`.
    fn judge<A: Source, B: Source>(
        &self,
        a: &mut Analysis<'_, A, B>,
        r: ObjRef,
        old: &Object,
        new: &Object,
    ) -> Result<()>;
}

/// For objects no rule governs: every change is a modification.
pub(super) struct OtherRule;

impl ChangeRule for OtherRule {
    fn judge<A: Source, B: Source>(
        &self,
        a: &mut Analysis<'_, A, B>,
        r: ObjRef,
        old: &Object,
        new: &Object,
    ) -> Result<()> {
        a.note(ModificationLevel::Other, changed(r, old, new));
        Ok(())
    }
}

/// The change of `r` described as a modification: a stream, or a dictionary with the keys
/// that changed.
pub(super) fn changed(r: ObjRef, old: &Object, new: &Object) -> ChangeKind {
    match (old.as_dict(), new.as_dict()) {
        (Some(o), Some(n)) if old.as_stream().is_none() && new.as_stream().is_none() => {
            ChangeKind::ObjectChanged {
                object: r,
                what: describe(old),
                keys: changed_keys(o, n),
            }
        }
        _ if old.as_stream().is_some() || new.as_stream().is_some() => ChangeKind::StreamChanged {
            object: r,
            what: describe(old),
        },
        _ => ChangeKind::ObjectChanged {
            object: r,
            what: describe(old),
            keys: Vec::new(),
        },
    }
}

/// The references `obj` holds, each with `role`.
pub(super) fn follow(obj: &Object, role: super::Role) -> Vec<(ObjRef, super::Role)> {
    let mut refs = Vec::new();
    super::collect_refs(obj, &mut refs, 0);
    refs.into_iter().map(|c| (c, role)).collect()
}
