//! Signature fields (ISO 32000-2 §12.7.5.5): finding an empty one by name, or planning a new
//! invisible one, and the AcroForm and page updates either needs.

use std::collections::HashSet;

use crate::form::{FoundField, list_fields};
use crate::object::{Dict, Name, ObjRef, Object};
use crate::reader::{PdfReader, Source};
use crate::update::IncrementalUpdate;
use crate::{Error, Result};

/// The first name of the form `Signature<n>` no field already has.
pub fn unused_name(fields: &[FoundField]) -> String {
    let names: HashSet<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    (1..)
        .map(|n| format!("Signature{n}"))
        .find(|n| !names.contains(n.as_str()))
        .unwrap_or_else(|| "Signature".to_string())
}

/// Where the signature value goes: an existing empty field or a new one.
pub enum FieldPlan {
    /// An existing, unsigned signature field.
    Existing(FoundField),
    /// A new invisible field with this name, its widget on the page given.
    New {
        /// Partial (= full) name of the new top-level field.
        name: String,
        /// The page the widget annotation goes on.
        page: ObjRef,
    },
}

/// Decides which field to sign: `requested` by name, or a new one.
pub fn plan_field<S: Source>(
    reader: &PdfReader<S>,
    acroform: Option<&Dict>,
    requested: Option<&str>,
    page_index: usize,
) -> Result<FieldPlan> {
    let fields = match acroform {
        Some(af) => list_fields(reader, af)?,
        None => Vec::new(),
    };
    if let Some(name) = requested
        && let Some(field) = fields.iter().find(|f| f.name == name)
    {
        if field.field_type.as_deref() != Some(b"Sig") {
            return Err(Error::NotSignatureField {
                name: name.to_string(),
                field_type: field
                    .field_type
                    .as_deref()
                    .map(|t| String::from_utf8_lossy(t).into_owned())
                    .unwrap_or_else(|| "none".into()),
            });
        }
        if field.dict.get("V").is_some_and(|v| !v.is_null()) {
            return Err(Error::FieldAlreadySigned {
                name: name.to_string(),
            });
        }
        return Ok(FieldPlan::Existing(field.clone()));
    }
    let page_count = reader.page_count()?;
    if page_index >= page_count {
        return Err(Error::PageOutOfRange {
            index: page_index,
            count: page_count,
        });
    }
    Ok(FieldPlan::New {
        name: requested
            .map(str::to_string)
            .unwrap_or_else(|| unused_name(&fields)),
        page: reader.page_ref(page_index)?,
    })
}

/// What a visible widget gets: its rectangle and its normal appearance (§12.5.5).
#[derive(Clone, Copy, Debug)]
pub struct WidgetLook {
    /// /Rect in user space.
    pub rect: [f64; 4],
    /// The /AP /N form XObject.
    pub appearance: ObjRef,
}

/// The widget of a terminal field: the field itself when merged (it has /Rect), else its first
/// kid, with that widget's dictionary.
pub fn widget_of<S: Source>(reader: &PdfReader<S>, field: &FoundField) -> Result<(ObjRef, Dict)> {
    if field.dict.contains_key("Rect") {
        return Ok((field.reference, field.dict.clone()));
    }
    if let Some(kids) = field
        .dict
        .get("Kids")
        .map(|k| reader.deref(k))
        .transpose()?
        && let Some(first) = kids
            .as_array()
            .and_then(|a| a.first())
            .and_then(Object::as_reference)
    {
        return Ok((first, dict_of(reader.resolve(first)?, first)?));
    }
    Err(Error::Appearance(format!(
        "signature field '{}' has no widget annotation",
        field.name
    )))
}

/// A widget's /Rect (normalised) when it has an area on the page — more than a point each
/// way; `None` for an invisible widget or a malformed /Rect.
pub fn visible_rect<S: Source>(reader: &PdfReader<S>, widget: &Dict) -> Result<Option<[f64; 4]>> {
    Ok(widget
        .get("Rect")
        .map(|r| reader.deref(r))
        .transpose()?
        .as_ref()
        .and_then(crate::appearance::page::rect_of)
        .filter(|r| r[2] - r[0] > 1.0 && r[3] - r[1] > 1.0))
}

/// The page index a widget is on: its /P, else the page whose /Annots lists it.
pub fn widget_page<S: Source>(reader: &PdfReader<S>, widget: ObjRef, dict: &Dict) -> Result<usize> {
    let pages = reader.page_refs()?;
    if let Some(p) = dict.get("P").and_then(Object::as_reference)
        && let Some(i) = pages.iter().position(|r| *r == p)
    {
        return Ok(i);
    }
    for (i, page) in pages.iter().enumerate() {
        let page_dict = reader.resolve_dict(*page)?;
        if let Some(annots) = page_dict
            .get("Annots")
            .map(|a| reader.deref(a))
            .transpose()?
            && annots
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x.as_reference() == Some(widget)))
        {
            return Ok(i);
        }
    }
    Err(Error::Appearance(format!("widget {widget} is on no page")))
}

/// The page index and widget rectangle (user space) of every signed signature field whose
/// widget has an area, with the field's name, in form order.
fn signed_widgets<S: Source>(reader: &PdfReader<S>) -> Result<Vec<(String, usize, [f64; 4])>> {
    let catalog = reader.catalog()?;
    let fields = match catalog
        .get("AcroForm")
        .map(|a| reader.deref(a))
        .transpose()?
    {
        Some(Object::Dict(af)) => list_fields(reader, &af)?,
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for f in fields.iter().filter(|f| {
        f.field_type.as_deref() == Some(b"Sig") && f.dict.get("V").is_some_and(|v| !v.is_null())
    }) {
        let (widget, dict) = widget_of(reader, f)?;
        if let Some(rect) = visible_rect(reader, &dict)? {
            out.push((f.name.clone(), widget_page(reader, widget, &dict)?, rect));
        }
    }
    Ok(out)
}

/// The page and widget rectangle of every signed, visible signature field.
pub fn signed_widget_rects<S: Source>(reader: &PdfReader<S>) -> Result<Vec<(usize, [f64; 4])>> {
    Ok(signed_widgets(reader)?
        .into_iter()
        .map(|(_, page, rect)| (page, rect))
        .collect())
}

/// The widget rectangle (user space) and page of a signed signature field: `name`, or the last
/// signed one in form order whose widget has an area.
pub fn signed_widget<S: Source>(
    reader: &PdfReader<S>,
    name: Option<&str>,
) -> Result<(usize, [f64; 4])> {
    signed_widgets(reader)?
        .into_iter()
        .rev()
        .find(|(n, _, _)| name.is_none_or(|want| n == want))
        .map(|(_, page, rect)| (page, rect))
        .ok_or_else(|| {
            Error::Appearance(match name {
                Some(n) => format!("no signed signature field '{n}' with a visible widget"),
                None => "the document has no signed signature with a visible widget to put the \
                         seal over"
                    .into(),
            })
        })
}

/// Adds the objects and rewrites that put signature dictionary `sig` into the form:
/// the field's /V, the widget on its page (with `look`, its rectangle and appearance, for a
/// visible signature), /Fields and /SigFlags 3 (§12.7.3) in the AcroForm; with `lock`, the
/// field's /Lock (§12.7.5.5: every other field locked once it is signed).
pub fn apply<S: Source>(
    reader: &PdfReader<S>,
    update: &mut IncrementalUpdate,
    plan: FieldPlan,
    sig: ObjRef,
    look: Option<WidgetLook>,
    lock: bool,
) -> Result<()> {
    let catalog_ref = reader.catalog_ref()?;
    let mut catalog = reader.catalog()?;
    // The AcroForm: indirect (rewrite that object), direct in the catalog (rewrite the
    // catalog), or absent (new object + rewritten catalog).
    let (acroform_ref, mut acroform) = match catalog.get("AcroForm") {
        Some(Object::Reference(r)) => (Some(*r), dict_of(reader.resolve(*r)?, *r)?),
        Some(Object::Dict(d)) => (None, d.clone()),
        _ => (None, Dict::new()),
    };
    acroform.set("SigFlags", Object::Integer(3));

    match plan {
        FieldPlan::Existing(mut field) => {
            field.dict.set("V", Object::Reference(sig));
            if lock {
                field.dict.set("Lock", Object::Dict(lock_dict()));
            }
            if let Some(look) = look {
                let (widget, mut dict) = widget_of(reader, &field)?;
                let target = if widget == field.reference {
                    &mut field.dict
                } else {
                    &mut dict
                };
                target.set("AP", appearance_dict(look.appearance));
                // Printed, as the signature is meant to be (§12.5.3, Print = 4).
                let flags = target.get("F").and_then(Object::as_i64).unwrap_or(0);
                target.set("F", Object::Integer(flags | 4));
                if widget != field.reference {
                    update.put(widget, &Object::Dict(dict));
                }
            }
            update.put(field.reference, &Object::Dict(field.dict));
        }
        FieldPlan::New { name, page } => {
            let field_ref = update.allocate();
            let mut widget = Dict::new();
            widget.set("Type", Object::Name(Name::new("Annot")));
            widget.set("Subtype", Object::Name(Name::new("Widget")));
            widget.set("FT", Object::Name(Name::new("Sig")));
            widget.set("T", Object::text_string(&name));
            widget.set("V", Object::Reference(sig));
            match look {
                Some(look) => {
                    widget.set(
                        "Rect",
                        Object::Array(
                            look.rect
                                .iter()
                                .map(|v| crate::appearance::font::number(*v))
                                .collect(),
                        ),
                    );
                    widget.set("AP", appearance_dict(look.appearance));
                }
                None => widget.set("Rect", Object::Array(vec![Object::Integer(0); 4])),
            }
            if lock {
                widget.set("Lock", Object::Dict(lock_dict()));
            }
            // Print (4) + Locked (128): ISO 32000-2 §12.5.3; the widget cannot be moved.
            widget.set("F", Object::Integer(132));
            widget.set("P", Object::Reference(page));
            update.put(field_ref, &Object::Dict(widget));

            append_to_array(reader, update, &mut acroform, "Fields", field_ref)?;
            let mut page_dict = dict_of(reader.resolve(page)?, page)?;
            if append_to_array(reader, update, &mut page_dict, "Annots", field_ref)? {
                update.put(page, &Object::Dict(page_dict));
            }
        }
    }

    match acroform_ref {
        Some(r) => update.put(r, &Object::Dict(acroform)),
        None if matches!(catalog.get("AcroForm"), Some(Object::Dict(_))) => {
            catalog.set("AcroForm", Object::Dict(acroform));
            update.put(catalog_ref, &Object::Dict(catalog));
        }
        None => {
            let r = update.allocate();
            update.put(r, &Object::Dict(acroform));
            catalog.set("AcroForm", Object::Reference(r));
            update.put(catalog_ref, &Object::Dict(catalog));
        }
    }
    Ok(())
}

fn appearance_dict(normal: ObjRef) -> Object {
    let mut ap = Dict::new();
    ap.set("N", Object::Reference(normal));
    Object::Dict(ap)
}

/// A signature field lock dictionary locking every field (Table 236: /Action /All).
fn lock_dict() -> Dict {
    let mut d = Dict::new();
    d.set("Type", Object::Name(Name::new("SigFieldLock")));
    d.set("Action", Object::Name(Name::new("All")));
    d
}

/// Appends `item` to the array at `dict[key]`. An indirect array is rewritten as its own
/// object (returns `false`: `dict` unchanged); a direct or missing one is changed in `dict`
/// (returns `true`: the caller must rewrite `dict`).
fn append_to_array<S: Source>(
    reader: &PdfReader<S>,
    update: &mut IncrementalUpdate,
    dict: &mut Dict,
    key: &str,
    item: ObjRef,
) -> Result<bool> {
    match dict.get(key) {
        Some(Object::Reference(r)) => {
            let r = *r;
            let mut items = match reader.resolve(r)? {
                Object::Array(a) => a,
                _ => Vec::new(),
            };
            items.push(Object::Reference(item));
            update.put(r, &Object::Array(items));
            Ok(false)
        }
        Some(Object::Array(a)) => {
            let mut items = a.clone();
            items.push(Object::Reference(item));
            dict.set(key, Object::Array(items));
            Ok(true)
        }
        _ => {
            dict.set(key, Object::Array(vec![Object::Reference(item)]));
            Ok(true)
        }
    }
}

/// The dictionary `object` must be, or an error naming object `r`.
pub fn dict_of(object: Object, r: ObjRef) -> Result<Dict> {
    match object {
        Object::Dict(d) => Ok(d),
        other => Err(Error::BadObject {
            object: r,
            message: format!("expected a dictionary, found {}", other.type_name()),
        }),
    }
}
