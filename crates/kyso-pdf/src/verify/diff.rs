//! Modification analysis: what changed between the revision a signature covers and the final
//! document, judged by a whitelist of named rules, as pyHanko's `diff_analysis` does —
//! anything no rule explains counts as a modification of signed content.
//!
//! Allowed (ISO 32000-2 §12.8.2.2, ETSI EN 319 142-1 §5.4): new signature fields and their
//! signatures, filling an empty signature field, DSS and document timestamps (PAdES B-LT/LTA),
//! form filling unless a certification forbids it (DocMDP P=1), annotations only where a
//! certification allows them (P=3). Everything else — page contents, resources, fonts,
//! XObjects, appearance streams of existing annotations, catalog entries such as /OpenAction,
//! deleted or replaced objects, object definitions no cross-reference section accounts for —
//! is reported as a modification. This is what catches Incremental Saving Attacks, shadow
//! attacks (hide, replace, hide-and-replace) and the certification attacks (evil annotation,
//! sneaky signature) of Mainka et al. (NDSS 2021, IEEE S&P 2021).

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use crate::Result;
use crate::object::{Dict, ObjRef, Object, is_delimiter};
use crate::parser::lexer::is_whitespace;
use crate::reader::{PdfReader, Source, XrefEntry};

/// Most new objects followed when checking what later revisions added.
pub const MAX_NEW_OBJECTS: usize = 100_000;

/// Most objects of the signed revision walked when looking for references that a later
/// update gave meaning to (only done when a later update defines new object numbers).
pub const MAX_SIGNED_OBJECTS_WALKED: usize = 1_000_000;

/// How far the changes after a signature go, in increasing order (pyHanko's
/// `ModificationLevel`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModificationLevel {
    /// Nothing changed.
    None,
    /// Only DSS and document timestamps were added.
    LtaUpdates,
    /// Signatures were added and forms filled.
    FormFilling,
    /// Annotations were added or changed.
    Annotations,
    /// Something else changed.
    Other,
}

impl ModificationLevel {
    /// A few words for reports: `no change`, `signature maintenance`, …
    pub fn describe(self) -> &'static str {
        match self {
            Self::None => "no change",
            Self::LtaUpdates => "signature maintenance (DSS, document timestamps)",
            Self::FormFilling => "signing and form filling",
            Self::Annotations => "annotations",
            Self::Other => "other changes",
        }
    }
}

/// The permissions in force for the changes after a signature.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Permissions {
    /// DocMDP /P of a certification signature covering this revision: 1 no changes, 2 form
    /// filling and signing, 3 also annotations. `None`: the document is not certified.
    pub docmdp: Option<u8>,
    /// Fields whose values this signature locks (FieldMDP, ISO 32000-2 §12.8.2.4, and the
    /// field's /Lock, §12.7.5.5).
    pub locked: FieldLock,
}

/// Which fields a FieldMDP transform or a /Lock dictionary locks (ISO 32000-2 Table 256).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum FieldLock {
    /// No lock.
    #[default]
    None,
    /// /Action /All: every field.
    All,
    /// /Action /Include: the fields named (fully qualified).
    Include(Vec<String>),
    /// /Action /Exclude: every field but those named.
    Exclude(Vec<String>),
}

impl FieldLock {
    /// Reads a /Lock or FieldMDP /TransformParams dictionary.
    pub fn from_dict(d: &Dict) -> Self {
        let names = || {
            d.get("Fields")
                .and_then(Object::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Object::as_string_bytes)
                        .map(crate::object::decode_text_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        match d.get("Action").and_then(Object::as_name) {
            Some(b"All") => Self::All,
            Some(b"Include") => Self::Include(names()),
            Some(b"Exclude") => Self::Exclude(names()),
            _ => Self::None,
        }
    }

    /// Combines two locks: a field is locked if either locks it.
    pub fn union(self, other: Self) -> Self {
        match (self, other) {
            (Self::None, x) | (x, Self::None) => x,
            (Self::All, _) | (_, Self::All) => Self::All,
            (Self::Include(mut a), Self::Include(b)) => {
                a.extend(b);
                Self::Include(a)
            }
            (Self::Exclude(a), Self::Exclude(b)) => {
                Self::Exclude(a.into_iter().filter(|n| b.contains(n)).collect())
            }
            (Self::Include(_), Self::Exclude(e)) | (Self::Exclude(e), Self::Include(_)) => {
                Self::Exclude(e)
            }
        }
    }

    /// Whether the field named `name` is locked.
    pub fn locks(&self, name: &str) -> bool {
        match self {
            Self::None => false,
            Self::All => true,
            Self::Include(names) => names.iter().any(|n| n == name),
            Self::Exclude(names) => !names.iter().any(|n| n == name),
        }
    }
}

impl Permissions {
    fn allows(&self, level: ModificationLevel) -> bool {
        match self.docmdp {
            Some(1) => level <= ModificationLevel::LtaUpdates,
            Some(2) => level <= ModificationLevel::FormFilling,
            // P=3, and documents without a certification: approval signatures leave the
            // document open to form filling and annotations (ISO 32000-2 §12.8.2.2 governs
            // only certified documents); a relying party may ask for less
            // (`ValidationOptions::max_changes`).
            _ => level <= ModificationLevel::Annotations,
        }
    }
}

/// The outcome of the analysis.
#[derive(Clone, Debug)]
pub struct DiffOutcome {
    /// The highest level of change seen.
    pub level: ModificationLevel,
    /// One line per change, allowed or not.
    pub changes: Vec<String>,
    /// The changes the permissions do not allow; empty means the signature still holds.
    pub violations: Vec<String>,
    /// Harmless oddities.
    pub warnings: Vec<String>,
    /// Bytes after signing that no cross-reference section accounts for (hidden objects,
    /// trailing data): always a violation.
    pub unaccounted: Vec<String>,
}

struct Analysis<'a, A: Source, B: Source> {
    old: &'a PdfReader<A>,
    new: &'a PdfReader<B>,
    permissions: Permissions,
    outcome: DiffOutcome,
    /// New objects (numbers absent from the signed revision).
    added: BTreeSet<ObjRef>,
    /// Roots from which new objects may be reached, with the role they were added in.
    roots: Vec<(ObjRef, Role)>,
    /// Appearance objects a field stopped using when its /AP was replaced, by field.
    replaced_appearances: Vec<(ObjRef, Vec<ObjRef>)>,
    /// Objects added to the form's field tree (/Fields or a new AcroForm).
    form_added: HashSet<ObjRef>,
    /// Numbers in use in the final document that were free or absent at signing (containers
    /// such as object streams included).
    new_numbers: HashSet<u32>,
    /// The signed revision's terminal fields and their widgets: what the form may change.
    form_members: HashSet<ObjRef>,
}

/// Why a new object was referenced by an allowed change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Added to the AcroForm's /Fields (or a new field's /Kids).
    Field,
    /// Added to a page's /Annots.
    Annotation,
    /// Part of the appearance of an allowed new or filled field (streams, resources).
    Appearance,
    /// The /V of a signature field.
    SignatureValue,
    /// The catalog's /DSS (ETSI EN 319 142-1 §5.4.2).
    Dss,
    /// The catalog's new /AcroForm.
    AcroForm,
    /// The catalog's /Metadata (XMP, ISO 32000-2 §14.3.2).
    Metadata,
}

/// Compares the signed revision (`old`) with the final document (`new`). `signed_end` is the
/// first byte after the signed revision.
pub fn analyse<A: Source, B: Source>(
    old: &PdfReader<A>,
    new: &PdfReader<B>,
    signed_end: u64,
    permissions: Permissions,
) -> Result<DiffOutcome> {
    let mut a = Analysis {
        old,
        new,
        permissions,
        outcome: DiffOutcome {
            level: ModificationLevel::None,
            changes: Vec::new(),
            violations: Vec::new(),
            warnings: Vec::new(),
            unaccounted: Vec::new(),
        },
        added: BTreeSet::new(),
        roots: Vec::new(),
        replaced_appearances: Vec::new(),
        form_added: HashSet::new(),
        new_numbers: HashSet::new(),
        form_members: HashSet::new(),
    };
    a.hidden_definitions(signed_end)?;
    a.changed_objects()?;
    a.late_definitions()?;
    a.new_objects()?;
    a.shared_appearances()?;
    a.repairs_after(signed_end);
    Ok(a.outcome)
}

impl<A: Source, B: Source> Analysis<'_, A, B> {
    fn note(&mut self, level: ModificationLevel, message: String) {
        self.outcome.level = self.outcome.level.max(level);
        if level == ModificationLevel::Other || !self.permissions.allows(level) {
            let why = match self.permissions.docmdp {
                Some(p) if level != ModificationLevel::Other => {
                    format!("{message} (not allowed by the certification, DocMDP P={p})")
                }
                _ => message.clone(),
            };
            self.outcome.violations.push(why);
        }
        self.outcome.changes.push(message);
    }

    /// Object definitions after the signed revision that no later cross-reference section
    /// points to, and bytes after the last `%%EOF`: a viewer that repairs the file would show
    /// them (Incremental Saving Attack without a proper update). Every revision's own
    /// cross-reference data counts, so objects superseded by a later signer are accounted for.
    fn hidden_definitions(&mut self, signed_end: u64) -> Result<()> {
        let source = self.new.source();
        let len = source.len();
        let mut known: HashSet<u64> = HashSet::new();
        let add_offsets = |known: &mut HashSet<u64>, entries: Vec<(ObjRef, XrefEntry)>| {
            for (_, e) in entries {
                if let XrefEntry::InFile { offset } = e {
                    known.insert(offset);
                }
            }
        };
        add_offsets(&mut known, self.new.xref_entries().collect());
        known.extend(self.new.xref_section_offsets());
        let ends = self.new.revision_ends()?;
        for &end in ends.iter().filter(|&&e| e > signed_end && e < len) {
            if let Ok(rev) = PdfReader::new(crate::reader::Prefix::new(source, end)) {
                add_offsets(&mut known, rev.xref_entries().collect());
                known.extend(rev.xref_section_offsets());
            }
        }
        let hits = self.new.find_all(signed_end, b"obj", 4 * MAX_NEW_OBJECTS)?;
        for hit in hits {
            let Some((offset, num, generation)) = object_header_before(source, hit)? else {
                continue;
            };
            if !known.contains(&offset) {
                self.outcome.unaccounted.push(format!(
                    "object {num} {generation} defined at byte {offset} after signing is not in any cross-reference section (hidden update)"
                ));
            }
        }
        if let Some(&last) = ends.last()
            && last >= signed_end
            && last < len
        {
            let mut tail = vec![0u8; (len - last).min(1 << 16) as usize];
            let n = crate::reader::read_full_at(source, last, &mut tail)?;
            if tail[..n].iter().any(|b| !is_whitespace(*b)) {
                self.outcome.unaccounted.push(format!(
                    "{} bytes after the last %%EOF (byte {last}) belong to no revision",
                    len - last
                ));
            }
        }
        Ok(())
    }

    /// Whatever the reader had to correct after the signed revision (sections or objects a
    /// few bytes from their recorded offsets, an object listed twice in one section): a
    /// viewer that rebuilds the cross-reference data may show other objects than the ones
    /// analysed here (Mladenov et al., CCS 2019), so these count as unaccounted changes.
    /// Called last, when every object the analysis needed has been resolved.
    fn repairs_after(&mut self, signed_end: u64) {
        for repair in self.new.repairs() {
            if repair.offsets.iter().any(|&o| o >= signed_end) {
                self.outcome.unaccounted.push(format!(
                    "after signing, {} (a reader must repair the file)",
                    repair.message
                ));
            }
        }
    }

    /// Shadow attacks by late definition (Mainka et al., NDSS 2021): signed content that
    /// refers to an object undefined at signing time (it read as null) gets its meaning from
    /// a later update that defines the object; and objects of the signed revision recorded in
    /// an object stream that existed only later. Either way the signed revision now shows
    /// something it did not, without any signed object changing.
    fn late_definitions(&mut self) -> Result<()> {
        if self.new_numbers.is_empty() {
            return Ok(());
        }
        let mut late_streams: Vec<(ObjRef, u32)> = self
            .old
            .xref_entries()
            .filter_map(|(r, e)| match e {
                XrefEntry::InStream { stream_num, .. }
                    if self.new_numbers.contains(&stream_num) =>
                {
                    Some((r, stream_num))
                }
                _ => None,
            })
            .collect();
        late_streams.sort_unstable();
        for (r, stream_num) in late_streams.into_iter().take(16) {
            self.note(
                ModificationLevel::Other,
                format!(
                    "object {r} of the signed revision is recorded in object stream {stream_num}, which was defined only after signing"
                ),
            );
        }

        // Walk everything the signed revision reaches from its trailer.
        let mut seen: HashSet<ObjRef> = HashSet::new();
        let mut queue: VecDeque<(ObjRef, ObjRef)> = VecDeque::new();
        let mut start = Vec::new();
        collect_refs(&Object::Dict(self.old.trailer().clone()), &mut start, 0);
        queue.extend(start.into_iter().map(|r| (r, r)));
        let mut found = Vec::new();
        while let Some((r, from)) = queue.pop_front() {
            if !seen.insert(r) {
                continue;
            }
            if seen.len() > MAX_SIGNED_OBJECTS_WALKED {
                self.note(
                    ModificationLevel::Other,
                    format!(
                        "more than {MAX_SIGNED_OBJECTS_WALKED} signed objects: references to objects defined after signing not checked"
                    ),
                );
                break;
            }
            match self.old.object_offset(r) {
                None | Some(XrefEntry::Free) => {
                    if self.new_numbers.contains(&r.num)
                        && self.new.resolve(r).is_ok_and(|o| !o.is_null())
                    {
                        found.push((r, from));
                    }
                }
                Some(_) => {
                    let Ok(obj) = self.old.resolve(r) else {
                        continue;
                    };
                    let mut refs = Vec::new();
                    collect_refs(&obj, &mut refs, 0);
                    queue.extend(refs.into_iter().map(|c| (c, r)));
                }
            }
        }
        found.sort_unstable();
        for (r, from) in found {
            self.note(
                ModificationLevel::Other,
                format!(
                    "object {r}, referenced by signed object {from} but undefined when it was signed, is defined after signing (shadow attack)"
                ),
            );
        }
        Ok(())
    }

    fn changed_objects(&mut self) -> Result<()> {
        let old_entries: HashMap<u32, (u16, XrefEntry)> = self
            .old
            .xref_entries()
            .map(|(r, e)| (r.num, (r.generation, e)))
            .collect();
        let mut changed: Vec<ObjRef> = self
            .new
            .xref_entries()
            .filter(|(r, e)| old_entries.get(&r.num) != Some(&(r.generation, *e)))
            .map(|(r, _)| r)
            .collect();
        changed.sort_unstable();

        // Objects of the signed revision the final cross-reference data no longer has: they
        // now resolve to null (an overlay dropped from the xref, a page made to vanish).
        let new_nums: HashSet<u32> = self.new.xref_entries().map(|(r, _)| r.num).collect();
        let mut removed: Vec<u32> = old_entries
            .iter()
            .filter(|(num, (_, e))| *e != XrefEntry::Free && !new_nums.contains(num))
            .map(|(num, _)| *num)
            .collect();
        removed.sort_unstable();
        for num in removed {
            self.note(
                ModificationLevel::Other,
                format!("object {num} of the signed revision is missing from the final cross-reference data"),
            );
        }

        let old_catalog = self.old.catalog_ref()?;
        let new_catalog = self.new.catalog_ref()?;
        if new_catalog != old_catalog {
            self.note(
                ModificationLevel::Other,
                format!("the trailer's /Root now points to {new_catalog} instead of the signed catalog {old_catalog}"),
            );
        }
        let old_catalog_dict = self.old.catalog()?;
        let old_acroform = old_catalog_dict
            .get("AcroForm")
            .and_then(Object::as_reference);
        let old_fields_array = match old_catalog_dict.get("AcroForm") {
            Some(af) => self
                .old
                .deref(af)?
                .as_dict()
                .and_then(|d| d.get("Fields"))
                .and_then(Object::as_reference),
            None => None,
        };
        self.form_members = match old_catalog_dict.get("AcroForm") {
            Some(af) => match self.old.deref(af)?.as_dict() {
                Some(af) => form_members(self.old, af)?,
                None => HashSet::new(),
            },
            None => HashSet::new(),
        };
        let old_pages: HashSet<ObjRef> = self.old.page_refs()?.into_iter().collect();
        // The information dictionary: the signed revision's, or one an earlier trailer of the
        // signed revision named that the final trailer names again (pypdf drops /Info from
        // the trailers it writes, and puts it back when it edits the metadata).
        let new_info = self
            .new
            .trailer()
            .get("Info")
            .and_then(Object::as_reference);
        let old_info = self
            .old
            .trailer()
            .get("Info")
            .and_then(Object::as_reference)
            .or(new_info.filter(|i| self.old.info_refs().contains(i)));
        let annots_arrays: HashSet<ObjRef> = old_pages
            .iter()
            .filter_map(|p| self.old.resolve(*p).ok())
            .filter_map(|o| {
                o.as_dict()
                    .and_then(|d| d.get("Annots"))
                    .and_then(Object::as_reference)
            })
            .collect();

        for r in changed {
            let old_entry = old_entries.get(&r.num);
            let existed = matches!(old_entry, Some((_, e)) if *e != XrefEntry::Free);
            let new_obj = match self.new.resolve(r) {
                Ok(o) => o,
                Err(e) => {
                    self.note(
                        ModificationLevel::Other,
                        format!("object {r} cannot be read: {e}"),
                    );
                    continue;
                }
            };
            if !existed {
                if !new_obj.is_null() {
                    self.new_numbers.insert(r.num);
                }
                if !is_container(&new_obj) && !new_obj.is_null() {
                    self.added.insert(r);
                }
                continue;
            }
            let old_ref = ObjRef::new(r.num, old_entry.map(|(g, _)| *g).unwrap_or(0));
            if old_ref.generation != r.generation {
                self.note(
                    ModificationLevel::Other,
                    format!("object {old_ref} was replaced by {r} (new generation)"),
                );
                continue;
            }
            let old_obj = self.old.resolve(old_ref)?;
            if old_obj == new_obj {
                continue; // rewritten unchanged, or moved into an object stream
            }
            if new_obj.is_null() {
                self.note(
                    ModificationLevel::Other,
                    format!(
                        "object {r} ({}) was deleted after signing",
                        describe(&old_obj)
                    ),
                );
                continue;
            }
            if r == old_catalog {
                self.catalog_rule(&old_obj, &new_obj)?;
            } else if Some(r) == old_acroform {
                self.acroform_rule(r, &old_obj, &new_obj)?;
            } else if Some(r) == old_fields_array {
                self.array_append_rule(r, &old_obj, &new_obj, Role::Field);
            } else if annots_arrays.contains(&r) {
                self.array_append_rule(r, &old_obj, &new_obj, Role::Annotation);
            } else if old_pages.contains(&r) {
                self.page_rule(r, &old_obj, &new_obj);
            } else if Some(r) == old_info {
                self.note(
                    ModificationLevel::None,
                    format!("document information dictionary {r} was updated after signing"),
                );
            } else {
                self.field_rule(r, &old_obj, &new_obj);
            }
        }
        Ok(())
    }

    /// The catalog may gain or change /DSS and /AcroForm (ISO 32000-2 §7.7.2); nothing else.
    fn catalog_rule(&mut self, old: &Object, new: &Object) -> Result<()> {
        let (Some(o), Some(n)) = (old.as_dict(), new.as_dict()) else {
            self.note(ModificationLevel::Other, "the catalog was replaced".into());
            return Ok(());
        };
        for key in changed_keys(o, n) {
            match key.as_str() {
                "DSS" => match n.get("DSS") {
                    Some(Object::Reference(r)) => self.roots.push((*r, Role::Dss)),
                    Some(Object::Dict(_)) => {}
                    _ => self.note(
                        ModificationLevel::Other,
                        "the catalog's /DSS was removed".into(),
                    ),
                },
                "AcroForm" => match (o.get("AcroForm"), n.get("AcroForm")) {
                    (Some(Object::Dict(od)), Some(Object::Dict(nd))) => {
                        self.acroform_dict_rule("the catalog's /AcroForm", od, nd)?;
                    }
                    (None, Some(Object::Reference(r))) => self.roots.push((*r, Role::AcroForm)),
                    (None, Some(Object::Dict(nd))) => {
                        self.acroform_dict_rule("the catalog's new /AcroForm", &Dict::new(), nd)?;
                    }
                    _ => self.note(
                        ModificationLevel::Other,
                        "the catalog's /AcroForm was replaced after signing".into(),
                    ),
                },
                "Version" => {
                    let version = |d: &Dict| {
                        d.get("Version")
                            .and_then(Object::as_name)
                            .and_then(|v| std::str::from_utf8(v).ok())
                            .and_then(|v| v.parse::<f64>().ok())
                    };
                    match (version(o), version(n)) {
                        (old_v, Some(new_v)) if old_v.is_none_or(|ov| new_v >= ov) => self
                            .outcome
                            .warnings
                            .push(format!("the catalog's /Version was raised to {new_v}")),
                        _ => self.note(
                            ModificationLevel::Other,
                            "the catalog's /Version was lowered or removed".into(),
                        ),
                    }
                }
                "Metadata" => match n.get("Metadata") {
                    Some(Object::Reference(r)) => {
                        self.roots.push((*r, Role::Metadata));
                        self.outcome
                            .warnings
                            .push("the document's XMP metadata was replaced".into());
                    }
                    _ => self.note(
                        ModificationLevel::Other,
                        "the catalog's /Metadata was removed or made direct".into(),
                    ),
                },
                // Accessibility and language: nothing drawn changes (ISO 32000-2 §14.9.2,
                // §14.7); Acrobat updates them when it adds a field or an annotation.
                "Lang" | "MarkInfo" => self.note(
                    ModificationLevel::FormFilling,
                    format!("the catalog's /{key} was updated"),
                ),
                "Extensions" => {
                    self.outcome
                        .warnings
                        .push("the catalog's /Extensions were updated".into());
                }
                other => self.note(
                    ModificationLevel::Other,
                    format!("the catalog entry /{other} was changed after signing"),
                ),
            }
        }
        Ok(())
    }

    fn acroform_rule(&mut self, r: ObjRef, old: &Object, new: &Object) -> Result<()> {
        match (old.as_dict(), new.as_dict()) {
            (Some(o), Some(n)) => self.acroform_dict_rule(&format!("AcroForm {r}"), o, n),
            _ => {
                self.note(
                    ModificationLevel::Other,
                    format!("AcroForm {r} was replaced"),
                );
                Ok(())
            }
        }
    }

    /// An AcroForm may gain fields and /SigFlags; /DR may only gain resources.
    fn acroform_dict_rule(&mut self, what: &str, o: &Dict, n: &Dict) -> Result<()> {
        for key in changed_keys(o, n) {
            match key.as_str() {
                "Fields" => match (o.get("Fields"), n.get("Fields")) {
                    (Some(Object::Reference(a)), Some(Object::Reference(b))) if a == b => {}
                    (old_f, Some(new_f)) => {
                        let old_items = match old_f {
                            Some(f) => self.old.deref(f)?.as_array().map(<[Object]>::to_vec),
                            None => Some(Vec::new()),
                        };
                        let new_items = self.new.deref(new_f)?.as_array().map(<[Object]>::to_vec);
                        match (old_items, new_items) {
                            (Some(oi), Some(ni)) => {
                                self.appended(&format!("{what} /Fields"), &oi, &ni, Role::Field)
                            }
                            _ => self.note(
                                ModificationLevel::Other,
                                format!("{what} /Fields is not an array"),
                            ),
                        }
                    }
                    (_, None) => {
                        self.note(ModificationLevel::Other, format!("{what} lost its /Fields"))
                    }
                },
                "SigFlags" => {}
                // How viewers build field appearances: part of filling the form.
                "DA" | "DR" | "NeedAppearances" => self.note(
                    ModificationLevel::FormFilling,
                    format!("{what} /{key} was updated"),
                ),
                other => self.note(
                    ModificationLevel::Other,
                    format!("{what} entry /{other} was changed after signing"),
                ),
            }
        }
        Ok(())
    }

    fn array_append_rule(&mut self, r: ObjRef, old: &Object, new: &Object, role: Role) {
        match (old.as_array(), new.as_array()) {
            (Some(o), Some(n)) => self.appended(&format!("array {r}"), o, n, role),
            _ => self.note(ModificationLevel::Other, format!("array {r} was replaced")),
        }
    }

    /// `new` must be `old` with items appended; the appended references become roots.
    fn appended(&mut self, what: &str, old: &[Object], new: &[Object], role: Role) {
        if new.len() < old.len() || new[..old.len()] != *old {
            self.note(
                ModificationLevel::Other,
                format!("{what}: existing entries were removed or replaced after signing"),
            );
            return;
        }
        for item in &new[old.len()..] {
            match item.as_reference() {
                Some(r) => {
                    if role == Role::Field {
                        self.form_added.insert(r);
                    }
                    self.roots.push((r, role));
                }
                None => self.note(
                    ModificationLevel::Other,
                    format!("{what}: a direct object was added"),
                ),
            }
        }
    }

    /// A page may only gain annotations (its /Annots array).
    fn page_rule(&mut self, r: ObjRef, old: &Object, new: &Object) {
        let (Some(o), Some(n)) = (old.as_dict(), new.as_dict()) else {
            self.note(ModificationLevel::Other, format!("page {r} was replaced"));
            return;
        };
        for key in changed_keys(o, n) {
            if key == "Annots" {
                let old_items = match o.get("Annots") {
                    None => Some(Vec::new()),
                    Some(Object::Array(a)) => Some(a.clone()),
                    Some(Object::Reference(ar)) => self
                        .old
                        .resolve(*ar)
                        .ok()
                        .and_then(|x| x.as_array().map(<[Object]>::to_vec)),
                    _ => None,
                };
                let new_items = match n.get("Annots") {
                    Some(Object::Array(a)) => Some(a.clone()),
                    Some(Object::Reference(ar)) => self
                        .new
                        .resolve(*ar)
                        .ok()
                        .and_then(|x| x.as_array().map(<[Object]>::to_vec)),
                    _ => None,
                };
                match (old_items, new_items) {
                    (Some(oi), Some(ni)) => {
                        self.appended(&format!("page {r} /Annots"), &oi, &ni, Role::Annotation)
                    }
                    _ => self.note(
                        ModificationLevel::Other,
                        format!("page {r} /Annots was replaced"),
                    ),
                }
            } else {
                self.note(
                    ModificationLevel::Other,
                    format!(
                        "page {r}: /{key} was changed after signing (page content or resources)"
                    ),
                );
            }
        }
    }

    /// Existing fields and annotations: an empty signature field may receive its value, other
    /// fields may be filled (/V, /AS, /AP) where form filling is allowed, other annotations
    /// changed where annotations are. Anything else is a modification.
    fn field_rule(&mut self, r: ObjRef, old: &Object, new: &Object) {
        let (Some(o), Some(n)) = (old.as_dict(), new.as_dict()) else {
            self.note(
                ModificationLevel::Other,
                format!("object {r} ({}) was changed after signing", describe(old)),
            );
            return;
        };
        let is_metadata = |x: &Object| {
            x.as_stream()
                .is_some_and(|st| st.dict.get("Type").is_some_and(|t| t.is_name("Metadata")))
        };
        if is_metadata(old) && is_metadata(new) {
            self.outcome
                .warnings
                .push(format!("the XMP metadata stream {r} was updated"));
            return;
        }
        if old.as_stream().is_some() || new.as_stream().is_some() {
            self.note(
                ModificationLevel::Other,
                format!("stream {r} ({}) was changed after signing", describe(old)),
            );
            return;
        }
        let keys = changed_keys(o, n);
        // A field is what the form's field tree holds, as a field or a widget (ISO 32000-2
        // §12.7.4); an annotation with /T (its author, §12.5.6.2) or /Parent (a pop-up's
        // markup annotation) is not one, whatever keys it carries (Evil Annotation Attack,
        // Rohlmann et al. S&P 2021).
        let is_widget_or_field = o.get("Subtype").is_none_or(|t| t.is_name("Widget"));
        let is_field = self.form_members.contains(&r) && is_widget_or_field;
        let is_sig_field = is_field && field_type(o) == Some(b"Sig".as_slice());
        let is_annotation = o.get("Subtype").is_some() && o.contains_key("Rect");
        if is_sig_field && o.get("V").is_none_or(Object::is_null) {
            if keys
                .iter()
                .all(|k| matches!(k.as_str(), "V" | "AP" | "Lock" | "SV"))
            {
                if let Some(Object::Reference(v)) = n.get("V") {
                    self.roots.push((*v, Role::SignatureValue));
                }
                if keys.iter().any(|k| k == "AP") {
                    self.appearance_roots(n);
                    self.replaced_appearances.push((r, appearance_refs(o)));
                }
                let name = self.field_name(r, o);
                if self.permissions.locked.locks(&name) {
                    self.note(
                        ModificationLevel::Other,
                        format!(
                            "signature field '{name}' ({r}) was signed but the signature locks it"
                        ),
                    );
                    return;
                }
                self.note(
                    ModificationLevel::FormFilling,
                    format!("signature field '{name}' ({r}) was signed"),
                );
                return;
            }
        } else if is_field
            && !is_sig_field
            && keys.iter().all(|k| matches!(k.as_str(), "V" | "AS" | "AP"))
        {
            if keys.iter().any(|k| k == "AP") {
                self.appearance_roots(n);
            }
            let name = self.field_name(r, o);
            if self.permissions.locked.locks(&name) {
                self.note(
                    ModificationLevel::Other,
                    format!("form field '{name}' ({r}) was filled but the signature locks it"),
                );
                return;
            }
            self.note(
                ModificationLevel::FormFilling,
                format!("form field '{name}' ({r}) was filled"),
            );
            return;
        } else if is_annotation && !is_field {
            self.note(
                ModificationLevel::Annotations,
                format!("annotation {r} was changed"),
            );
            return;
        }
        let list = keys
            .iter()
            .map(|k| format!("/{k}"))
            .collect::<Vec<_>>()
            .join(", ");
        self.note(
            ModificationLevel::Other,
            format!(
                "object {r} ({}) changed after signing: {list}",
                describe(old)
            ),
        );
    }

    /// A field may swap its own appearance, but the objects it stops using must not be used
    /// by anything else (another widget, a page, the trailer): changing what is shown there
    /// would not be form filling (pyHanko's "sneaky" appearance updates).
    fn shared_appearances(&mut self) -> Result<()> {
        if self.replaced_appearances.is_empty() {
            return Ok(());
        }
        let mut holders: Vec<(String, Object)> = Vec::new();
        for (k, v) in self.new.trailer().iter() {
            if !matches!(
                k.as_bytes(),
                b"Root" | b"Info" | b"Prev" | b"Size" | b"ID" | b"XRefStm"
            ) {
                holders.push((
                    format!("trailer /{}", String::from_utf8_lossy(k.as_bytes())),
                    v.clone(),
                ));
            }
        }
        let catalog = self.new.catalog()?;
        holders.push(("the catalog".into(), Object::Dict(catalog.clone())));
        if let Some(af) = catalog.get("AcroForm") {
            holders.push(("the AcroForm".into(), self.new.deref(af)?));
        }
        for page in self.new.page_refs()? {
            let page_obj = self.new.resolve(page)?;
            if let Some(annots) = page_obj.as_dict().and_then(|d| d.get("Annots")) {
                for a in self.new.deref(annots)?.as_array().unwrap_or_default() {
                    if let Some(ar) = a.as_reference() {
                        holders.push((format!("annotation {ar}"), self.new.resolve(ar)?));
                    }
                }
            }
            holders.push((format!("page {page}"), page_obj));
        }
        let replaced = std::mem::take(&mut self.replaced_appearances);
        for (field, old_refs) in replaced {
            for (what, holder) in &holders {
                if what == &format!("annotation {field}") {
                    continue;
                }
                let mut refs = Vec::new();
                collect_refs(holder, &mut refs, 0);
                if let Some(shared) = old_refs.iter().find(|r| refs.contains(r)) {
                    self.note(
                        ModificationLevel::Other,
                        format!(
                            "field {field} replaced its appearance {shared}, which {what} still uses"
                        ),
                    );
                }
            }
        }
        Ok(())
    }

    /// The fully qualified name of field `r` in the signed revision (§12.7.4.2).
    fn field_name(&self, r: ObjRef, dict: &Dict) -> String {
        let mut parts = Vec::new();
        let mut current = Some((r, dict.clone()));
        let mut seen = HashSet::new();
        while let Some((cr, d)) = current.take() {
            if !seen.insert(cr) || seen.len() > crate::form::MAX_FIELD_TREE_DEPTH {
                break;
            }
            if let Some(t) = d.get("T").and_then(Object::as_string_bytes) {
                parts.push(crate::object::decode_text_string(t));
            }
            current = d
                .get("Parent")
                .and_then(Object::as_reference)
                .and_then(|p| {
                    self.old
                        .resolve(p)
                        .ok()
                        .and_then(|o| o.as_dict().cloned().map(|pd| (p, pd)))
                });
        }
        parts.reverse();
        parts.join(".")
    }

    fn appearance_roots(&mut self, dict: &Dict) {
        if let Some(Object::Reference(ap)) = dict.get("AP") {
            self.roots.push((*ap, Role::Appearance));
        } else if let Some(Object::Dict(ap)) = dict.get("AP") {
            for (_, v) in ap.iter() {
                if let Some(r) = v.as_reference() {
                    self.roots.push((r, Role::Appearance));
                }
            }
        }
    }

    /// Every new object must be reachable from an allowed change and be of a kind that change
    /// may add.
    fn new_objects(&mut self) -> Result<()> {
        let mut seen: HashSet<ObjRef> = HashSet::new();
        let mut queue: VecDeque<(ObjRef, Role)> = self.roots.drain(..).collect();
        while let Some((r, role)) = queue.pop_front() {
            if !self.added.contains(&r) || !seen.insert(r) {
                continue; // existing objects were judged by the rules above
            }
            if seen.len() > MAX_NEW_OBJECTS {
                self.note(
                    ModificationLevel::Other,
                    "too many new objects to analyse".into(),
                );
                break;
            }
            let obj = self.new.resolve(r)?;
            queue.extend(self.judge_new(r, &obj, role));
        }
        let unreachable = self.added.iter().filter(|r| !seen.contains(r)).count();
        if unreachable > 0 {
            self.outcome.warnings.push(format!(
                "{unreachable} new object(s) after signing are not used by the document"
            ));
        }
        Ok(())
    }

    /// Judges one new object; returns the objects it brings in, with their roles.
    fn judge_new(&mut self, r: ObjRef, obj: &Object, role: Role) -> Vec<(ObjRef, Role)> {
        let follow = |role: Role| {
            let mut refs = Vec::new();
            collect_refs(obj, &mut refs, 0);
            refs.into_iter().map(|c| (c, role)).collect::<Vec<_>>()
        };
        let dict = obj.as_dict();
        let type_is = |t: &str| {
            dict.and_then(|d| d.get("Type"))
                .is_some_and(|v| v.is_name(t))
        };
        let subtype_is = |t: &str| {
            dict.and_then(|d| d.get("Subtype"))
                .is_some_and(|v| v.is_name(t))
        };
        match role {
            Role::Dss => {
                if !self.permissions.allows(ModificationLevel::LtaUpdates) {
                    self.note(ModificationLevel::Other, format!("DSS object {r} added"));
                }
                self.outcome.level = self.outcome.level.max(ModificationLevel::LtaUpdates);
                follow(Role::Dss)
            }
            Role::Metadata => {
                if !type_is("Metadata") || obj.as_stream().is_none() {
                    self.note(
                        ModificationLevel::Other,
                        format!("object {r} given as /Metadata is not a metadata stream"),
                    );
                }
                Vec::new()
            }
            Role::SignatureValue => {
                if !(type_is("Sig") || type_is("DocTimeStamp")) {
                    self.note(
                        ModificationLevel::Other,
                        format!(
                            "object {r} given as a signature value is not a signature dictionary"
                        ),
                    );
                }
                Vec::new()
            }
            Role::AcroForm => match dict.and_then(|d| d.get("Fields")) {
                Some(Object::Array(fields)) => fields
                    .iter()
                    .filter_map(Object::as_reference)
                    .inspect(|f| {
                        self.form_added.insert(*f);
                    })
                    .map(|f| (f, Role::Field))
                    .collect(),
                _ => Vec::new(),
            },
            Role::Appearance => {
                if dict.is_some_and(|d| {
                    d.contains_key("FT") || (d.contains_key("Subtype") && d.contains_key("Rect"))
                }) {
                    self.note(
                        ModificationLevel::Other,
                        format!("object {r} reached from an appearance is a field or annotation"),
                    );
                    return Vec::new();
                }
                follow(Role::Appearance)
            }
            Role::Field | Role::Annotation => {
                let Some(d) = dict else {
                    self.note(
                        ModificationLevel::Other,
                        format!(
                            "object {r} ({}) was added as a field or annotation",
                            describe(obj)
                        ),
                    );
                    return Vec::new();
                };
                if let Some(action) = active_content(d) {
                    self.note(
                        ModificationLevel::Other,
                        format!(
                            "object {r} ({}) added after signing carries an action ({action}): active content",
                            describe(obj)
                        ),
                    );
                }
                let ft = field_type(d);
                let parent = d.get("Parent").and_then(Object::as_reference);
                let is_sig_widget = ft.is_none() && subtype_is("Widget") && parent.is_some();
                if ft == Some(b"Sig".as_slice()) || is_sig_widget {
                    self.judge_new_signature_field(r, d, role, parent)
                } else if ft.is_some() {
                    self.note(
                        ModificationLevel::Other,
                        format!("form field {r} was added after signing"),
                    );
                    Vec::new()
                } else if d.contains_key("Subtype") && d.contains_key("Rect") {
                    self.note(
                        ModificationLevel::Annotations,
                        format!("annotation {r} ({}) was added after signing", describe(obj)),
                    );
                    if has_visible_appearance(d) {
                        self.outcome.warnings.push(format!(
                            "annotation {r} ({}) added after signing is drawn over the signed page",
                            describe(obj)
                        ));
                    }
                    Vec::new()
                } else {
                    self.note(
                        ModificationLevel::Other,
                        format!(
                            "object {r} ({}) was added to the form or a page",
                            describe(obj)
                        ),
                    );
                    Vec::new()
                }
            }
        }
    }

    /// A new signature field (or a widget of one): allowed when it is in the form, and either
    /// empty and invisible or signed with a new signature dictionary of its own.
    fn judge_new_signature_field(
        &mut self,
        r: ObjRef,
        d: &Dict,
        role: Role,
        parent: Option<ObjRef>,
    ) -> Vec<(ObjRef, Role)> {
        // A widget under a field: the field must be new too, and a signature field.
        if field_type(d).is_none() {
            let Some(p) = parent else { return Vec::new() };
            let parent_ok = self.added.contains(&p)
                && self
                    .new
                    .resolve(p)
                    .ok()
                    .and_then(|o| {
                        o.as_dict()
                            .map(|pd| field_type(pd) == Some(b"Sig".as_slice()))
                    })
                    .unwrap_or(false);
            if !parent_ok {
                self.note(
                    ModificationLevel::Other,
                    format!(
                        "widget {r} was added under field {p}, which is not a new signature field"
                    ),
                );
                return Vec::new();
            }
        } else if role == Role::Annotation && !self.form_added.contains(&r) {
            self.note(
                ModificationLevel::Annotations,
                format!("signature widget {r} was added to a page but not to the form"),
            );
            return Vec::new();
        }
        let value = match d.get("V") {
            None | Some(Object::Null) => None,
            Some(Object::Reference(v)) if self.added.contains(v) => Some(*v),
            Some(Object::Reference(v)) => {
                self.note(
                    ModificationLevel::Other,
                    format!("signature field {r} reuses the existing signature value {v}"),
                );
                return Vec::new();
            }
            Some(_) => {
                self.note(
                    ModificationLevel::Other,
                    format!("signature field {r} has a value that is not a signature dictionary reference"),
                );
                return Vec::new();
            }
        };
        let visible = has_visible_appearance(d);
        if value.is_none() && visible && field_type(d).is_some() {
            self.note(
                ModificationLevel::Other,
                format!(
                    "unsigned signature field {r} with a visible appearance was added after signing (it can cover signed content)"
                ),
            );
            return Vec::new();
        }
        self.note(
            ModificationLevel::FormFilling,
            match value {
                Some(_) => format!("signature field {r} was added and signed"),
                None => format!("signature field {r} (or its widget) was added"),
            },
        );
        if value.is_some() && visible {
            self.outcome.warnings.push(format!(
                "signature {r} added after signing has a visible appearance; check it does not cover signed content"
            ));
        }
        let mut next = Vec::new();
        if let Some(v) = value {
            next.push((v, Role::SignatureValue));
        }
        let mut ap = Vec::new();
        if let Some(a) = d.get("AP") {
            collect_refs(a, &mut ap, 0);
        }
        next.extend(ap.into_iter().map(|a| (a, Role::Appearance)));
        if let Some(Object::Array(kids)) = d.get("Kids") {
            next.extend(
                kids.iter()
                    .filter_map(Object::as_reference)
                    .map(|k| (k, Role::Field)),
            );
        }
        next
    }
}

/// The indirect objects of a field's /AP: the dictionary itself and its /N /D /R entries.
/// The terminal fields of the form and their widget annotations (kids without /T).
fn form_members<S: Source>(reader: &PdfReader<S>, acroform: &Dict) -> Result<HashSet<ObjRef>> {
    let mut members = HashSet::new();
    for field in crate::form::list_fields(reader, acroform)? {
        members.insert(field.reference);
        if let Some(kids) = field.dict.get("Kids")
            && let Some(kids) = reader.deref(kids)?.as_array()
        {
            members.extend(kids.iter().filter_map(Object::as_reference));
        }
    }
    Ok(members)
}

fn appearance_refs(field: &Dict) -> Vec<ObjRef> {
    let mut out = Vec::new();
    match field.get("AP") {
        Some(Object::Reference(r)) => out.push(*r),
        Some(Object::Dict(ap)) => {
            for (_, v) in ap.iter() {
                if let Some(r) = v.as_reference() {
                    out.push(r);
                }
            }
        }
        _ => {}
    }
    out
}

fn is_container(obj: &Object) -> bool {
    obj.as_stream().is_some_and(|s| {
        s.dict
            .get("Type")
            .is_some_and(|t| t.is_name("ObjStm") || t.is_name("XRef"))
    })
}

/// The kind of action a field or annotation dictionary carries (/A, or any /AA trigger):
/// `JavaScript`, `Launch`, `URI`, … .
fn active_content(d: &Dict) -> Option<String> {
    let kind = |a: &Object| {
        a.as_dict()
            .and_then(|a| a.get("S"))
            .and_then(Object::as_name)
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_else(|| "indirect or unnamed".into())
    };
    if let Some(a) = d.get("A") {
        return Some(kind(a));
    }
    match d.get("AA") {
        Some(Object::Dict(aa)) => aa.iter().next().map(|(_, a)| kind(a)),
        Some(_) => Some("additional actions".into()),
        None => None,
    }
}

fn field_type(d: &Dict) -> Option<&[u8]> {
    d.get("FT").and_then(Object::as_name)
}

fn has_visible_appearance(d: &Dict) -> bool {
    let area = d
        .get("Rect")
        .and_then(Object::as_array)
        .filter(|r| r.len() == 4)
        .map(|r| {
            let v: Vec<f64> = r.iter().map(|x| x.as_f64().unwrap_or(0.0)).collect();
            ((v[2] - v[0]) * (v[3] - v[1])).abs()
        })
        .unwrap_or(0.0);
    let hidden = d
        .get("F")
        .and_then(Object::as_i64)
        .is_some_and(|f| f & 0b10 != 0 || f & 0b10_0000 != 0);
    area > 0.0 && d.contains_key("AP") && !hidden
}

fn changed_keys(o: &Dict, n: &Dict) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for (k, v) in n.iter() {
        if o.get(k.as_bytes()) != Some(v) {
            keys.push(String::from_utf8_lossy(k.as_bytes()).into_owned());
        }
    }
    for (k, _) in o.iter() {
        if !n.contains_key(k.as_bytes()) {
            keys.push(String::from_utf8_lossy(k.as_bytes()).into_owned());
        }
    }
    keys
}

fn describe(obj: &Object) -> String {
    let Some(d) = obj.as_dict() else {
        return obj.type_name().to_string();
    };
    let name = |k: &str| {
        d.get(k)
            .and_then(Object::as_name)
            .map(|n| String::from_utf8_lossy(n).into_owned())
    };
    match (name("Type"), name("Subtype")) {
        (Some(t), Some(s)) => format!("/{t} /{s}"),
        (Some(t), None) => format!("/{t}"),
        (None, Some(s)) => format!("/{s}"),
        (None, None) if obj.as_stream().is_some() => "stream".into(),
        (None, None) => "dictionary".into(),
    }
}

fn collect_refs(obj: &Object, out: &mut Vec<ObjRef>, depth: usize) {
    if depth > crate::parser::MAX_NESTING_DEPTH {
        return;
    }
    match obj {
        Object::Reference(r) => out.push(*r),
        Object::Array(items) => items.iter().for_each(|i| collect_refs(i, out, depth + 1)),
        Object::Dict(d) => d.iter().for_each(|(k, v)| {
            // /P (page) and /Parent point back into the signed document.
            if *k != "P" && *k != "Parent" {
                collect_refs(v, out, depth + 1)
            }
        }),
        Object::Stream(s) => s
            .dict
            .iter()
            .for_each(|(_, v)| collect_refs(v, out, depth + 1)),
        _ => {}
    }
}

/// If `hit` is the `obj` keyword of an `N G obj` header (any PDF white space between the
/// parts), returns (offset of N, N, G).
fn object_header_before<S: Source>(source: &S, hit: u64) -> Result<Option<(u64, u32, u16)>> {
    let start = hit.saturating_sub(64);
    let mut buf = vec![0u8; (hit - start) as usize + 4];
    let n = crate::reader::read_full_at(source, start, &mut buf)?;
    buf.truncate(n);
    let at = (hit - start) as usize;
    // `obj` must be a whole keyword: followed by a delimiter or white space, not part of
    // `endobj` or a longer name.
    if buf.get(at + 3).is_some_and(|b| b.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    let mut i = at;
    let skip_ws = |i: &mut usize| -> usize {
        let from = *i;
        while *i > 0 && is_whitespace(buf[*i - 1]) {
            *i -= 1;
        }
        from - *i
    };
    let digits = |i: &mut usize| -> Option<u64> {
        let end = *i;
        while *i > 0 && buf[*i - 1].is_ascii_digit() {
            *i -= 1;
        }
        std::str::from_utf8(&buf[*i..end]).ok()?.parse().ok()
    };
    if skip_ws(&mut i) == 0 {
        return Ok(None);
    }
    let Some(generation) = digits(&mut i) else {
        return Ok(None);
    };
    if skip_ws(&mut i) == 0 {
        return Ok(None);
    }
    let Some(num) = digits(&mut i) else {
        return Ok(None);
    };
    if i > 0 && !is_whitespace(buf[i - 1]) && !is_delimiter(buf[i - 1]) {
        return Ok(None);
    }
    let (Ok(num), Ok(generation)) = (u32::try_from(num), u16::try_from(generation)) else {
        return Ok(None);
    };
    Ok(Some((start + i as u64, num, generation)))
}
