//! The Document Security Store (ETSI EN 319 142-1 §5.4.2, ISO 32000-2 §12.8.4.3): PAdES B-LT
//! and B-LTA add validation data after signing — certificates, OCSP responses and CRLs as
//! plain streams, listed in /Certs, /OCSPs and /CRLs and per signature in /VRI. That is
//! signature maintenance; anything else reached from the DSS (an annotation, a form field, a
//! page, a font) is not validation data and is a modification, whatever else also uses it.

use super::super::{Analysis, ChangeKind, ModificationLevel, Role, describe};
use crate::object::{ObjRef, Object};
use crate::reader::Source;

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
