//! Interactive forms (ISO 32000-2 §12.7): walking the AcroForm field tree. Shared by the
//! signer (to find or name a signature field) and the validator (to find every signature).

use std::collections::HashSet;

use crate::object::{Dict, ObjRef, Object};
use crate::reader::{PdfReader, Source};
use crate::{Error, Result};

/// How deep a field tree (ISO 32000-2 §12.7.4) may nest before it is treated as hostile.
pub const MAX_FIELD_TREE_DEPTH: usize = 32;
/// How many fields kyso looks at in one form before giving up.
pub const MAX_FIELDS: usize = 10_000;

/// A terminal field found in the form, with its fully qualified name (§12.7.4.2).
#[derive(Debug, Clone)]
pub struct FoundField {
    /// Fully qualified name, parts joined with '.'.
    pub name: String,
    /// The field's object.
    pub reference: ObjRef,
    /// The field dictionary.
    pub dict: Dict,
    /// The field type, inherited from ancestors where the field has none (§12.7.4.1).
    pub field_type: Option<Vec<u8>>,
}

/// Walks the AcroForm /Fields tree and lists every terminal field.
pub fn list_fields<S: Source>(reader: &PdfReader<S>, acroform: &Dict) -> Result<Vec<FoundField>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let roots = match acroform.get("Fields") {
        Some(f) => reader.deref(f)?,
        None => return Ok(out),
    };
    let Some(roots) = roots.as_array() else {
        return Ok(out);
    };
    for kid in roots {
        if let Some(r) = kid.as_reference() {
            walk(reader, r, "", None, 0, &mut seen, &mut out)?;
        }
    }
    Ok(out)
}

fn walk<S: Source>(
    reader: &PdfReader<S>,
    r: ObjRef,
    parent_name: &str,
    inherited_type: Option<&[u8]>,
    depth: usize,
    seen: &mut HashSet<ObjRef>,
    out: &mut Vec<FoundField>,
) -> Result<()> {
    if depth > MAX_FIELD_TREE_DEPTH {
        return Err(Error::LimitExceeded {
            what: "field tree depth",
            limit: MAX_FIELD_TREE_DEPTH,
        });
    }
    if !seen.insert(r) || seen.len() > MAX_FIELDS {
        // A cycle or an absurd form: stop descending here.
        return Ok(());
    }
    let obj = reader.resolve(r)?;
    let Some(dict) = obj.as_dict() else {
        return Ok(());
    };
    let partial = dict
        .get("T")
        .and_then(Object::as_string_bytes)
        .map(crate::object::decode_text_string);
    let name = match (&partial, parent_name.is_empty()) {
        (Some(p), true) => p.clone(),
        (Some(p), false) => format!("{parent_name}.{p}"),
        (None, _) => parent_name.to_string(),
    };
    let field_type = dict
        .get("FT")
        .and_then(Object::as_name)
        .or(inherited_type)
        .map(<[u8]>::to_vec);
    // Kids that have a /T are fields; kids without are widgets of this field (§12.7.4.1).
    let mut field_kids = Vec::new();
    if let Some(kids) = dict.get("Kids")
        && let Some(kids) = reader.deref(kids)?.as_array()
    {
        for kid in kids {
            let Some(kr) = kid.as_reference() else {
                continue;
            };
            let kid_obj = reader.resolve(kr)?;
            if kid_obj.as_dict().is_some_and(|d| d.contains_key("T")) {
                field_kids.push(kr);
            }
        }
    }
    if field_kids.is_empty() {
        out.push(FoundField {
            name,
            reference: r,
            dict: dict.clone(),
            field_type,
        });
    } else {
        for kr in field_kids {
            walk(
                reader,
                kr,
                &name,
                field_type.as_deref(),
                depth + 1,
                seen,
                out,
            )?;
        }
    }
    Ok(())
}
