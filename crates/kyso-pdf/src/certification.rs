//! Certification signatures (ISO 32000-2 §12.8.2.2): the catalog's /Perms /DocMDP signature
//! and the /P permissions of its DocMDP transform. The signer reads them to refuse a document
//! that allows no change; the validator, to judge what changed after each signature.

use crate::Result;
use crate::object::{ObjRef, Object};
use crate::reader::{PdfReader, Source};

/// The document's certification signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certification {
    /// The signature dictionary, when /DocMDP is an indirect reference (as it must be).
    pub signature: Option<ObjRef>,
    /// /P of each DocMDP transform in the signature's /Reference, in order (Table 257; 2 when
    /// the transform gives none).
    pub permissions: Vec<i64>,
}

impl Certification {
    /// The permission in force: the first DocMDP transform's /P, 2 by default.
    pub fn permission(&self) -> i64 {
        self.permissions.first().copied().unwrap_or(2)
    }
}

/// The certification signature of the document `reader` reads, if it has one.
pub fn certification<S: Source>(reader: &PdfReader<S>) -> Result<Option<Certification>> {
    let catalog = reader.catalog()?;
    let Some(perms) = catalog.get("Perms") else {
        return Ok(None);
    };
    let perms = reader.deref(perms)?;
    let Some(docmdp) = perms.as_dict().and_then(|p| p.get("DocMDP")) else {
        return Ok(None);
    };
    let signature = docmdp.as_reference();
    let sig = reader.deref(docmdp)?;
    let refs = match sig.as_dict().and_then(|d| d.get("Reference")) {
        Some(r) => reader.deref(r)?,
        None => Object::Null,
    };
    let mut permissions = Vec::new();
    for item in refs.as_array().unwrap_or_default() {
        let item = reader.deref(item)?;
        let Some(d) = item.as_dict() else { continue };
        if !d
            .get("TransformMethod")
            .is_some_and(|m| m.is_name("DocMDP"))
        {
            continue;
        }
        let p = match d.get("TransformParams") {
            Some(tp) => reader
                .deref(tp)?
                .as_dict()
                .and_then(|t| t.get("P"))
                .and_then(Object::as_i64)
                .unwrap_or(2),
            None => 2,
        };
        permissions.push(p);
    }
    Ok(Some(Certification {
        signature,
        permissions,
    }))
}
