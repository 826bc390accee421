//! Finding every signature: signature fields of the AcroForm (nested /Kids included, ISO
//! 32000-2 §12.7.4) with a value, plus signature dictionaries that no field reaches — those are
//! reported as suspicious rather than silently ignored.

use std::collections::{BTreeMap, HashMap};

use crate::Result;
use crate::form::list_fields;
use crate::object::{Dict, ObjRef, Object};
use crate::reader::{PdfReader, Source, XrefEntry};

pub use crate::reader::MAX_BYTE_RANGE_OCCURRENCES;

/// A signature field with a value.
#[derive(Debug, Clone)]
pub struct LocatedSignature {
    /// Fully qualified field name.
    pub field: String,
    /// The object holding the signature dictionary: the /V reference, or the field itself
    /// when /V is a direct dictionary.
    pub sig_ref: ObjRef,
    /// The signature dictionary.
    pub sig: Dict,
    /// The field's /Lock dictionary (ISO 32000-2 §12.7.5.5, Table 234), if any.
    pub lock: Option<Dict>,
}

/// All signatures of a document and the structural oddities found while looking.
#[derive(Debug, Default)]
pub struct Located {
    /// Signature fields with a value, in field order.
    pub signatures: Vec<LocatedSignature>,
    /// Objects that look like signature dictionaries but no field's /V points to.
    pub unreachable: Vec<ObjRef>,
    /// Signature dictionaries used by more than one field, with the field names.
    pub shared: Vec<(ObjRef, Vec<String>)>,
}

/// Lists the signatures of the document `reader` reads: the signature fields with a value
/// and the dictionaries shared by several fields. [`unreachable_signature_dictionaries`]
/// adds what no field reaches; it scans the whole file, so the validator runs that scan
/// beside its first hashing pass.
pub fn locate_fields<S: Source>(reader: &PdfReader<S>) -> Result<Located> {
    let mut located = Located::default();
    let catalog = reader.catalog()?;
    let acroform = match catalog.get("AcroForm") {
        Some(a) => reader.deref(a)?.as_dict().cloned(),
        None => None,
    };
    if let Some(af) = &acroform {
        for field in list_fields(reader, af)? {
            if field.field_type.as_deref() != Some(b"Sig") {
                continue;
            }
            let (sig_ref, sig) = match field.dict.get("V") {
                // An unreadable value is reported as a malformed signature (an empty
                // dictionary fails the /Contents and /ByteRange checks), never skipped.
                Some(Object::Reference(r)) => match reader.resolve(*r) {
                    Ok(Object::Dict(d)) => (*r, d),
                    Ok(Object::Null) => continue,
                    Ok(_) | Err(_) => (*r, Dict::new()),
                },
                Some(Object::Dict(d)) => (field.reference, d.clone()),
                Some(Object::Null) | None => continue,
                Some(_) => (field.reference, Dict::new()),
            };
            let lock = match field.dict.get("Lock") {
                Some(l) => reader.deref(l).ok().and_then(|o| o.as_dict().cloned()),
                None => None,
            };
            located.signatures.push(LocatedSignature {
                field: field.name,
                sig_ref,
                sig,
                lock,
            });
        }
    }

    let mut users: BTreeMap<ObjRef, Vec<String>> = BTreeMap::new();
    for s in &located.signatures {
        users.entry(s.sig_ref).or_default().push(s.field.clone());
    }
    located.shared = users
        .into_iter()
        .filter(|(_, fields)| fields.len() > 1)
        .collect();

    Ok(located)
}

/// Objects of the current document whose text holds `/ByteRange` but that no field reaches.
pub fn unreachable_signature_dictionaries<S: Source>(
    reader: &PdfReader<S>,
    reachable: &[LocatedSignature],
) -> Result<Vec<ObjRef>> {
    let hits = reader.byte_range_offsets()?;
    if hits.is_empty() {
        return Ok(Vec::new());
    }
    // For each hit, the current object stored in the file that starts last before it: one
    // pass over the index, memory for the hits only (not a sorted copy of every object).
    let mut hits = hits;
    hits.sort_unstable();
    let mut owner: Vec<Option<(u64, ObjRef)>> = vec![None; hits.len()];
    for (r, e) in reader.xref_entries() {
        let XrefEntry::InFile { offset } = e else {
            continue;
        };
        // The first hit at or after this object's start: it may be inside this object.
        let i = hits.partition_point(|&h| h < offset);
        if let Some(slot) = owner.get_mut(i)
            && slot.is_none_or(|(o, _)| o < offset)
        {
            *slot = Some((offset, r));
        }
    }
    // A hit with no object starting since the previous hit belongs to that hit's object.
    for i in 1..owner.len() {
        if let (Some(prev), cur) = (owner[i - 1], owner[i])
            && cur.is_none_or(|(o, _)| o < prev.0)
        {
            owner[i] = Some(prev);
        }
    }
    let known: HashMap<ObjRef, ()> = reachable.iter().map(|s| (s.sig_ref, ())).collect();
    let mut out = Vec::new();
    for &(_, r) in owner.iter().flatten() {
        if known.contains_key(&r) || out.contains(&r) {
            continue;
        }
        // Only count it if the current object really is a signature-like dictionary: a
        // superseded definition earlier in the file maps to whatever object precedes it.
        if let Ok(Object::Dict(d)) = reader.resolve(r)
            && (d.contains_key("ByteRange")
                || d.get("Type")
                    .is_some_and(|t| t.is_name("Sig") || t.is_name("DocTimeStamp")))
        {
            out.push(r);
        }
    }
    Ok(out)
}
