//! The Document Security Store (ETSI EN 319 142-1 §5.4.2, ISO 32000-2 §12.8.4.3): PAdES B-LT
//! and B-LTA add validation data after signing — certificates, OCSP responses and CRLs as
//! plain streams, listed in /Certs, /OCSPs and /CRLs and per signature in /VRI. That is
//! signature maintenance; anything else reached from the DSS (an annotation, a form field, a
//! page, a font) is not validation data and is a modification, whatever else also uses it.

use std::collections::HashSet;

use super::super::{Analysis, ChangeKind, ModificationLevel, Role, describe};
use super::ChangeRule;
use crate::Result;
use crate::object::{Dict, ObjRef, Object};
use crate::reader::{PdfReader, Source};

/// The rule for the DSS of the signed revision (its dictionary, arrays and VRI
/// dictionaries): a later B-LT or B-LTA update adds validation data to them.
pub(in crate::verify::diff) struct DssRule;

impl ChangeRule for DssRule {
    fn judge<A: Source, B: Source>(
        &self,
        a: &mut Analysis<'_, A, B>,
        r: ObjRef,
        old: &Object,
        new: &Object,
    ) -> Result<()> {
        match not_validation_data(new) {
            _ if a.is_rendered(r) => a.note(ModificationLevel::Other, super::changed(r, old, new)),
            Some(_) => a.note(ModificationLevel::Other, super::changed(r, old, new)),
            None => {
                a.roots.extend(super::follow(new, Role::Dss));
                a.note(
                    ModificationLevel::LtaUpdates,
                    ChangeKind::DssUpdated { object: r },
                );
            }
        }
        Ok(())
    }
}

/// The objects of the signed revision's DSS: the dictionary, the arrays and VRI
/// dictionaries it holds indirectly (never the data streams, which do not change).
pub(in crate::verify::diff) fn members<S: Source>(
    reader: &PdfReader<S>,
    catalog: &Dict,
) -> HashSet<ObjRef> {
    let mut members = HashSet::new();
    let mut queue: Vec<(ObjRef, usize)> = catalog
        .get("DSS")
        .and_then(Object::as_reference)
        .map(|r| vec![(r, 0)])
        .unwrap_or_default();
    let mut direct = Vec::new();
    if let Some(Object::Dict(d)) = catalog.get("DSS") {
        direct.push(Object::Dict(d.clone()));
    }
    let push_refs = |obj: &Object, depth: usize, queue: &mut Vec<(ObjRef, usize)>| match obj {
        Object::Dict(d) => {
            for (_, v) in d.iter() {
                if let Object::Reference(r) = v {
                    queue.push((*r, depth + 1));
                }
            }
        }
        Object::Array(items) => {
            queue.extend(
                items
                    .iter()
                    .filter_map(Object::as_reference)
                    .map(|r| (r, depth + 1)),
            );
        }
        _ => {}
    };
    for d in &direct {
        push_refs(d, 0, &mut queue);
    }
    // DSS → arrays and VRI → VRI dictionaries → their arrays: three levels.
    while let Some((r, depth)) = queue.pop() {
        if depth > 3 || members.len() >= 10_000 || members.contains(&r) {
            continue;
        }
        let Ok(obj) = reader.resolve(r) else {
            continue;
        };
        if obj.as_stream().is_some() || not_validation_data(&obj).is_some() {
            continue;
        }
        members.insert(r);
        push_refs(&obj, depth, &mut queue);
    }
    members
}

/// Keys a DSS or VRI dictionary may hold (ETSI EN 319 142-1 Tables 2 and 3).
const DSS_KEYS: &[&str] = &["Type", "Certs", "OCSPs", "CRLs", "VRI"];
const VRI_KEYS: &[&str] = &["Type", "Cert", "OCSP", "CRL", "TU", "TS"];

/// Judges an object added in the DSS: the DSS dictionary, its arrays, the VRI dictionaries
/// and the data streams.
pub(in crate::verify::diff) fn judge_new<A: Source, B: Source>(
    a: &mut Analysis<'_, A, B>,
    r: ObjRef,
    obj: &Object,
) -> Vec<(ObjRef, Role)> {
    if let Some(what) = not_validation_data(obj) {
        a.note(
            ModificationLevel::Other,
            ChangeKind::NotDssContent { object: r, what },
        );
        return Vec::new();
    }
    a.note(
        ModificationLevel::LtaUpdates,
        ChangeKind::DssAdded { object: r },
    );
    super::follow(obj, Role::Dss)
}

/// Why `obj` cannot be DSS content, if it cannot.
fn not_validation_data(obj: &Object) -> Option<String> {
    match obj {
        // A certificate, OCSP response or CRL: a stream with no /Type or /Subtype of its own.
        Object::Stream(s) => {
            let typed = s.dict.contains_key("Type") || s.dict.contains_key("Subtype");
            typed.then(|| describe(obj))
        }
        Object::Array(items) => items
            .iter()
            .any(|i| !matches!(i, Object::Reference(_)))
            .then(|| "an array holding direct objects".to_string()),
        Object::Dict(d) => {
            let only = |keys: &[&str]| d.iter().all(|(k, _)| keys.iter().any(|key| *k == *key));
            let (dss_like, vri_like) = (only(DSS_KEYS), only(VRI_KEYS));
            // The /VRI dictionary maps signature hashes (names) to VRI dictionaries.
            let vri_map = d.iter().all(|(k, v)| {
                k.as_bytes().iter().all(u8::is_ascii_hexdigit)
                    && matches!(v, Object::Reference(_) | Object::Dict(_))
            });
            if dss_like || vri_like || vri_map {
                None
            } else {
                Some(describe(obj))
            }
        }
        _ => Some(obj.type_name().to_string()),
    }
}
