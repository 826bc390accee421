//! Signature values added after signing: the /V of a new or filled signature field must be
//! a signature dictionary (/Type /Sig) or a document timestamp (/Type /DocTimeStamp, PAdES
//! B-LTA, ETSI EN 319 142-1 §5.4.3); ISO 32000-2 §12.8.1 makes /Type optional, and a
//! dictionary with /ByteRange and /Contents and no /Type is one too. Its own validity is
//! judged when that signature is validated.

use super::super::{Analysis, ChangeKind, ModificationLevel, Role};
use crate::object::{ObjRef, Object};
use crate::reader::Source;

/// Judges a new object given as a signature value.
pub(in crate::verify::diff) fn judge_new<A: Source, B: Source>(
    a: &mut Analysis<'_, A, B>,
    r: ObjRef,
    obj: &Object,
) -> Vec<(ObjRef, Role)> {
    // /ByteRange and /Contents always: a "signature" without them is never validated, yet
    // its field's widget would show it.
    let is_signature = obj.as_stream().is_none()
        && obj.as_dict().is_some_and(|d| {
            d.contains_key("ByteRange")
                && d.contains_key("Contents")
                && match d.get("Type") {
                    None | Some(Object::Null) => true,
                    Some(t) => t.is_name("Sig") || t.is_name("DocTimeStamp"),
                }
        });
    if !is_signature {
        a.note(
            ModificationLevel::Other,
            ChangeKind::NotASignatureDictionary { object: r },
        );
    }
    Vec::new()
}
