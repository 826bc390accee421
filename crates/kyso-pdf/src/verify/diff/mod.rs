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
//!
//! The rules, one module each under `rules/`, in the spirit of pyHanko's
//! `diff_analysis/rules`: `rules::catalog`, `rules::acroform`, `rules::page`,
//! `rules::field` (fields, widgets, new signature fields), `rules::annotation` (markup
//! annotations), `rules::structure` (the structure tree of tagged PDF), `rules::metadata`
//! (/Info and XMP), `rules::dss` (PAdES validation data) and `rules::signature` (signature
//! and document timestamp dictionaries). Each changed object of the signed revision goes to the
//! one rule that governs its kind (`SignedObject`); each new object is judged in the role
//! the change that brought it in gave it (`Role`). `xref` holds the structural checks
//! that come before any object is judged. What they find is a typed list of [`Change`]s.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use crate::Result;
use crate::object::{Dict, ObjRef, Object, is_delimiter};
use crate::parser::lexer::is_whitespace;
use crate::reader::{PdfReader, Source, XrefEntry};

mod change;
mod rules;
mod xref;

pub use change::{Change, ChangeKind};

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

/// A change the permissions do not allow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The change.
    pub change: Change,
    /// It in English, with the permission it breaks.
    pub message: String,
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
    /// Every change, allowed or not.
    pub changes: Vec<Change>,
    /// The changes the permissions do not allow; empty means the signature still holds.
    pub violations: Vec<Violation>,
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
    /// Widgets of new signature fields (listed in the field's /Kids, direct or not), with
    /// their field: a widget without /Parent still belongs to the field that lists it.
    new_widget_fields: HashMap<ObjRef, ObjRef>,
    /// What the final document draws or runs, computed when a rule for something that is not
    /// drawn (metadata, extensions, DSS, structure tree) is about to permit a change.
    rendered: Option<HashSet<ObjRef>>,
    /// Which signed pages list each annotation, once read (see `annotation_pages`).
    annotation_pages: Option<HashMap<ObjRef, Vec<(usize, ObjRef)>>>,
    /// The signed revision's pages read so far for the overlay check.
    page_content: HashMap<ObjRef, std::rc::Rc<crate::appearance::text::PageText>>,
}

/// Why a new object was referenced by an allowed change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    /// Part of the structure tree (ISO 32000-2 §14.7): structure elements, the parent tree.
    Structure,
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
        new_widget_fields: HashMap::new(),
        rendered: None,
        page_content: HashMap::new(),
        annotation_pages: None,
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
    /// Whether object `r` of the final document is reachable from what it draws or runs:
    /// the catalog (but not its /DSS, /Metadata, /StructTreeRoot or /Extensions), the page
    /// tree, the form, the other trailer entries (not /Info). A rule for something nothing
    /// draws asks this before permitting a change, so that an object that is both — an
    /// /Info that is also a page's font — is never changed as "metadata". Past
    /// [`MAX_SIGNED_OBJECTS_WALKED`] objects every object counts as drawn (fail closed).
    fn is_rendered(&mut self, r: ObjRef) -> bool {
        if self.rendered.is_none() {
            self.rendered = Some(self.walk_rendered());
        }
        self.rendered
            .as_ref()
            .is_none_or(|set| set.is_empty() || set.contains(&r))
    }

    /// The objects [`Analysis::is_rendered`] counts; empty when the walk ran past its bound.
    fn walk_rendered(&self) -> HashSet<ObjRef> {
        let mut queue: VecDeque<ObjRef> = VecDeque::new();
        let mut start = Vec::new();
        for (k, v) in self.new.trailer().iter() {
            if !matches!(
                k.as_bytes(),
                b"Root" | b"Info" | b"Prev" | b"Size" | b"ID" | b"XRefStm" | b"Encrypt"
            ) {
                collect_refs(v, &mut start, 0);
            }
        }
        if let Ok(catalog) = self.new.catalog() {
            for (k, v) in catalog.iter() {
                if !matches!(
                    k.as_bytes(),
                    b"DSS" | b"Metadata" | b"StructTreeRoot" | b"Extensions"
                ) {
                    collect_refs(v, &mut start, 0);
                }
            }
        }
        queue.extend(start);
        let mut seen: HashSet<ObjRef> = HashSet::new();
        while let Some(r) = queue.pop_front() {
            if !seen.insert(r) {
                continue;
            }
            if seen.len() > MAX_SIGNED_OBJECTS_WALKED {
                return HashSet::new();
            }
            if let Ok(obj) = self.new.resolve(r) {
                let mut refs = Vec::new();
                collect_refs(&obj, &mut refs, 0);
                queue.extend(refs);
            }
        }
        seen
    }

    /// Records a change of `level`; a change the permissions do not allow is a violation.
    fn note(&mut self, level: ModificationLevel, kind: ChangeKind) {
        // An object reached in two roles (a widget in /Fields and in /Annots) is one change.
        if self
            .outcome
            .changes
            .iter()
            .any(|c| c.kind == kind && c.level == level)
        {
            return;
        }
        self.outcome.level = self.outcome.level.max(level);
        let permitted = level != ModificationLevel::Other && self.permissions.allows(level);
        if !permitted {
            let message = kind.text(crate::verify::Lang::En);
            let why = match self.permissions.docmdp {
                Some(p) if level != ModificationLevel::Other => {
                    format!("{message} (not allowed by the certification, DocMDP P={p})")
                }
                _ => message,
            };
            let change = Change {
                kind: kind.clone(),
                level,
                permitted,
            };
            self.outcome.violations.push(Violation {
                change,
                message: why,
            });
        }
        self.outcome.changes.push(Change {
            kind,
            level,
            permitted,
        });
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
                ChangeKind::ObjectMissing { number: num },
            );
        }

        let old_catalog = self.old.catalog_ref()?;
        let new_catalog = self.new.catalog_ref()?;
        if new_catalog != old_catalog {
            self.note(
                ModificationLevel::Other,
                ChangeKind::RootSwapped {
                    old: old_catalog,
                    new: new_catalog,
                },
            );
        }
        // How every string and stream decrypts: /Encrypt, and for an encrypted document the
        // first file identifier, are part of what was signed.
        let id0 = |t: &Dict| match t.get("ID") {
            Some(Object::Array(ids)) => ids.first().cloned(),
            _ => None,
        };
        let (ot, nt) = (self.old.trailer(), self.new.trailer());
        if ot.get("Encrypt") != nt.get("Encrypt") || (self.old.is_encrypted() && id0(ot) != id0(nt))
        {
            self.note(
                ModificationLevel::Other,
                ChangeKind::CatalogEntryChanged {
                    key: "Encrypt (trailer)".into(),
                },
            );
        }
        let old_catalog_dict = self.old.catalog()?;
        self.form_members = match old_catalog_dict.get("AcroForm") {
            Some(af) => match self.old.deref(af)?.as_dict() {
                Some(af) => form_members(self.old, af)?,
                None => HashSet::new(),
            },
            None => HashSet::new(),
        };
        let layout = SignedLayout::read(
            self.old,
            self.new,
            old_catalog,
            &old_catalog_dict,
            &self.form_members,
        )?;

        for r in changed {
            let old_entry = old_entries.get(&r.num);
            let existed = matches!(old_entry, Some((_, e)) if *e != XrefEntry::Free);
            let new_obj = match self.new.resolve(r) {
                Ok(o) => o,
                Err(e) => {
                    self.note(
                        ModificationLevel::Other,
                        ChangeKind::ObjectUnreadable {
                            object: r,
                            error: e.to_string(),
                        },
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
                    ChangeKind::GenerationReplaced {
                        old: old_ref,
                        new: r,
                    },
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
                    ChangeKind::ObjectDeleted {
                        object: r,
                        what: describe(&old_obj),
                    },
                );
                continue;
            }
            let kind = layout.classify(r, &old_obj, &self.form_members);
            self.judge_changed(kind, r, &old_obj, &new_obj)?;
        }
        Ok(())
    }

    /// Every new object must be reachable from an allowed change and be of a kind that change
    /// may add. An object reached in several roles is judged in each.
    fn new_objects(&mut self) -> Result<()> {
        for &r in self.added.iter().filter(|r| self.form_added.contains(r)) {
            let Ok(Object::Dict(d)) = self.new.resolve(r) else {
                continue;
            };
            if field_type(&d) != Some(b"Sig".as_slice()) {
                continue;
            }
            if let Some(kids) = d.get("Kids").and_then(|k| self.new.deref(k).ok())
                && let Some(kids) = kids.as_array()
            {
                for k in kids.iter().filter_map(Object::as_reference) {
                    self.new_widget_fields.insert(k, r);
                }
            }
        }
        let mut seen: HashSet<(ObjRef, Role)> = HashSet::new();
        let mut reached: HashSet<ObjRef> = HashSet::new();
        let mut queue: VecDeque<(ObjRef, Role)> = self.roots.drain(..).collect();
        while let Some((r, role)) = queue.pop_front() {
            if !self.added.contains(&r) || !seen.insert((r, role)) {
                continue; // existing objects were judged by the rules above
            }
            reached.insert(r);
            if seen.len() > MAX_NEW_OBJECTS {
                self.note(
                    ModificationLevel::Other,
                    ChangeKind::TooManyObjects {
                        limit: MAX_NEW_OBJECTS,
                    },
                );
                break;
            }
            let obj = self.new.resolve(r)?;
            let next = self.judge_new(r, &obj, role);
            queue.extend(next);
        }
        let unreachable = self.added.iter().filter(|r| !reached.contains(r)).count();
        if unreachable > 0 {
            self.outcome.warnings.push(format!(
                "{unreachable} new object(s) after signing are not used by the document"
            ));
        }
        Ok(())
    }

    /// Sends a changed object of the signed revision to the rule for its kind.
    fn judge_changed(
        &mut self,
        kind: SignedObject,
        r: ObjRef,
        old: &Object,
        new: &Object,
    ) -> Result<()> {
        use rules::ChangeRule;
        match kind {
            SignedObject::Catalog => rules::catalog::CatalogRule.judge(self, r, old, new),
            SignedObject::AcroForm => rules::acroform::AcroFormRule.judge(self, r, old, new),
            SignedObject::FieldsArray => rules::acroform::FieldsArrayRule.judge(self, r, old, new),
            SignedObject::AnnotsArray => rules::page::AnnotsArrayRule.judge(self, r, old, new),
            SignedObject::Page => rules::page::PageRule.judge(self, r, old, new),
            SignedObject::Info => rules::metadata::InfoRule.judge(self, r, old, new),
            SignedObject::XmpMetadata => rules::metadata::XmpRule.judge(self, r, old, new),
            SignedObject::Extensions => rules::metadata::ExtensionsRule.judge(self, r, old, new),
            SignedObject::Dss => rules::dss::DssRule.judge(self, r, old, new),
            SignedObject::StructureTree => {
                rules::structure::StructureTreeRule.judge(self, r, old, new)
            }
            SignedObject::FieldOrWidget => rules::field::FieldRule.judge(self, r, old, new),
            SignedObject::FieldAppearance(widget) => {
                rules::field::FieldAppearanceRule { widget }.judge(self, r, old, new)
            }
            SignedObject::Annotation => {
                rules::annotation::MarkupAnnotationRule.judge(self, r, old, new)
            }
            SignedObject::Other => rules::OtherRule.judge(self, r, old, new),
        }
    }

    /// Judges one new object in its role; returns the objects it brings in, with theirs.
    fn judge_new(&mut self, r: ObjRef, obj: &Object, role: Role) -> Vec<(ObjRef, Role)> {
        match role {
            Role::Dss => rules::dss::judge_new(self, r, obj),
            Role::Metadata => rules::metadata::judge_new(self, r, obj),
            Role::SignatureValue => rules::signature::judge_new(self, r, obj),
            Role::AcroForm => rules::acroform::judge_new(self, obj),
            Role::Appearance => rules::field::judge_new_appearance(self, r, obj),
            Role::Structure => rules::structure::judge_new(self, r, obj),
            Role::Field | Role::Annotation => rules::annotation::judge_new(self, r, obj, role),
        }
    }
}

/// What an object of the signed revision is, for the rule that governs its changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SignedObject {
    Catalog,
    AcroForm,
    FieldsArray,
    AnnotsArray,
    Page,
    Info,
    XmpMetadata,
    /// The catalog's /Extensions dictionary (ISO 32000-2 §7.12) or one of its entries.
    Extensions,
    /// The DSS of the signed revision, its arrays or VRI dictionaries (PAdES B-LT).
    Dss,
    StructureTree,
    FieldOrWidget,
    /// An appearance stream of this field widget.
    FieldAppearance(ObjRef),
    Annotation,
    /// No rule governs it: any change is a modification.
    Other,
}

/// Where the signed revision keeps what the rules govern.
struct SignedLayout {
    catalog: ObjRef,
    acroform: Option<ObjRef>,
    fields_array: Option<ObjRef>,
    pages: HashSet<ObjRef>,
    annots_arrays: HashSet<ObjRef>,
    info: Option<ObjRef>,
    xmp: Option<ObjRef>,
    extensions: HashSet<ObjRef>,
    dss: HashSet<ObjRef>,
    structure: HashSet<ObjRef>,
    /// Appearance streams of the form's widgets, with their widget.
    field_appearances: HashMap<ObjRef, ObjRef>,
}

impl SignedLayout {
    fn read<A: Source, B: Source>(
        old: &PdfReader<A>,
        new: &PdfReader<B>,
        catalog: ObjRef,
        catalog_dict: &Dict,
        form_members: &HashSet<ObjRef>,
    ) -> Result<Self> {
        let acroform = catalog_dict.get("AcroForm").and_then(Object::as_reference);
        let fields_array = match catalog_dict.get("AcroForm") {
            Some(af) => old
                .deref(af)?
                .as_dict()
                .and_then(|d| d.get("Fields"))
                .and_then(Object::as_reference),
            None => None,
        };
        let pages: HashSet<ObjRef> = old.page_refs()?.into_iter().collect();
        let annots_arrays = pages
            .iter()
            .filter_map(|p| old.resolve(*p).ok())
            .filter_map(|o| {
                o.as_dict()
                    .and_then(|d| d.get("Annots"))
                    .and_then(Object::as_reference)
            })
            .collect();
        // The information dictionary: the signed revision's, or one an earlier trailer of
        // the signed revision named that the final trailer names again (pypdf drops /Info
        // from the trailers it writes, and puts it back when it edits the metadata).
        let new_info = new.trailer().get("Info").and_then(Object::as_reference);
        let info = old
            .trailer()
            .get("Info")
            .and_then(Object::as_reference)
            .or(new_info.filter(|i| old.info_refs().contains(i)));
        let xmp = catalog_dict.get("Metadata").and_then(Object::as_reference);
        // /Extensions and the developer extension dictionaries it holds, direct or not.
        let mut extensions = HashSet::new();
        if let Some(ext) = catalog_dict.get("Extensions") {
            if let Some(r) = ext.as_reference() {
                extensions.insert(r);
            }
            if let Some(d) = old.deref(ext)?.as_dict() {
                for (_, v) in d.iter() {
                    match v {
                        Object::Reference(r) => {
                            extensions.insert(*r);
                        }
                        Object::Array(items) => {
                            extensions.extend(items.iter().filter_map(Object::as_reference));
                        }
                        _ => {}
                    }
                }
            }
        }
        let structure = rules::structure::members(old, catalog_dict)?;
        let dss = rules::dss::members(old, catalog_dict);
        let mut field_appearances = HashMap::new();
        for &m in form_members {
            let Ok(Object::Dict(d)) = old.resolve(m) else {
                continue;
            };
            for ap in appearance_streams(old, &d) {
                field_appearances.insert(ap, m);
            }
        }
        Ok(Self {
            catalog,
            acroform,
            fields_array,
            pages,
            annots_arrays,
            info,
            xmp,
            extensions,
            dss,
            structure,
            field_appearances,
        })
    }

    fn classify(&self, r: ObjRef, old: &Object, form_members: &HashSet<ObjRef>) -> SignedObject {
        let dict = old.as_dict();
        let is_annotation =
            dict.is_some_and(|d| d.contains_key("Subtype") && d.contains_key("Rect"));
        let is_widget_or_field =
            dict.is_some_and(|d| d.get("Subtype").is_none_or(|t| t.is_name("Widget")));
        if r == self.catalog {
            SignedObject::Catalog
        } else if Some(r) == self.acroform {
            SignedObject::AcroForm
        } else if Some(r) == self.fields_array {
            SignedObject::FieldsArray
        } else if self.annots_arrays.contains(&r) {
            SignedObject::AnnotsArray
        } else if self.pages.contains(&r) {
            SignedObject::Page
        } else if Some(r) == self.info {
            SignedObject::Info
        } else if Some(r) == self.xmp {
            SignedObject::XmpMetadata
        } else if self.extensions.contains(&r) {
            SignedObject::Extensions
        } else if self.dss.contains(&r) {
            SignedObject::Dss
        } else if self.structure.contains(&r) {
            SignedObject::StructureTree
        } else if form_members.contains(&r) && is_widget_or_field {
            // A field is what the form's field tree holds, as a field or a widget (ISO
            // 32000-2 §12.7.4); an annotation with /T (its author, §12.5.6.2) or /Parent is
            // not one, whatever keys it carries (Evil Annotation Attack, Rohlmann et al. S&P
            // 2021).
            SignedObject::FieldOrWidget
        } else if let Some(&widget) = self.field_appearances.get(&r) {
            SignedObject::FieldAppearance(widget)
        } else if is_annotation {
            SignedObject::Annotation
        } else {
            SignedObject::Other
        }
    }
}

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

/// The appearance streams of a widget: /AP /N /D /R, each a stream or a dictionary of
/// appearance states (ISO 32000-2 §12.5.5), through one level of indirection.
fn appearance_streams<S: Source>(reader: &PdfReader<S>, widget: &Dict) -> Vec<ObjRef> {
    let mut out = Vec::new();
    let Some(ap) = widget.get("AP").and_then(|ap| reader.deref(ap).ok()) else {
        return out;
    };
    let Some(ap) = ap.as_dict() else {
        return out;
    };
    for (_, entry) in ap.iter() {
        match entry {
            Object::Reference(r) => match reader.resolve(*r) {
                Ok(Object::Stream(_)) => out.push(*r),
                Ok(Object::Dict(states)) => {
                    out.extend(states.iter().filter_map(|(_, s)| s.as_reference()));
                }
                _ => {}
            },
            Object::Dict(states) => out.extend(states.iter().filter_map(|(_, s)| s.as_reference())),
            _ => {}
        }
    }
    out
}

/// The indirect objects of a field's /AP: the dictionary itself and its /N /D /R entries.
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

impl<A: Source, B: Source> Analysis<'_, A, B> {
    /// Warns (once) when annotation `r` (dictionary `d`, described by `what`: "signature 24 0
    /// R added after signing"), new or changed after
    /// signing, paints over the signed revision's text, images or small drawings on a page
    /// that shows it; says nothing when it lies over blank paper or other annotations (a
    /// transparent seal over a signature), and warns plainly when a page cannot be read.
    fn warn_if_over_signed_content(&mut self, what: &str, r: ObjRef, d: &Dict) {
        let warning = match self.signed_content_under(r, d) {
            Ok(None) => return,
            Ok(Some((page, Covered::Text(text)))) => {
                format!("{what} is drawn over signed text on page {page}: \"{text}\"")
            }
            Ok(Some((page, Covered::Image))) => {
                format!("{what} is drawn over a signed image on page {page}")
            }
            Ok(Some((page, Covered::Drawing))) => {
                format!("{what} is drawn over a signed drawing on page {page}")
            }
            Err(_) => {
                format!("{what} has a visible appearance; check it does not cover signed content")
            }
        };
        if !self.outcome.warnings.contains(&warning) {
            self.outcome.warnings.push(warning);
        }
    }

    /// The signed content that annotation `r` hides: glyphs, images and small filled or
    /// stroked shapes of a signed page whose /Annots lists it (not its /P, which a viewer does
    /// not use to place it), at least [`COVERED_SHARE`] under the union of the boxes its
    /// appearance paints opaquely; with the page number (1-based).
    fn signed_content_under(&mut self, r: ObjRef, d: &Dict) -> Result<Option<(usize, Covered)>> {
        let rect = d
            .get("Rect")
            .and_then(crate::appearance::page::rect_of)
            .ok_or_else(|| crate::Error::Appearance("no /Rect".into()))?;
        let opaque = self.painted_boxes(d, rect);
        let shown_on = self
            .annotation_pages()?
            .get(&r)
            .cloned()
            .unwrap_or_default();
        for (index, page) in shown_on {
            let content = self.signed_page_content(page)?;
            let covered = |b: [f64; 4]| covered_share(b, &opaque) >= COVERED_SHARE;
            let mut text = String::new();
            for g in content
                .glyphs
                .iter()
                .filter(|g| g.painted && covered(g.bbox))
            {
                text.push_str(&g.text);
                if text.chars().count() >= 60 {
                    text.push('…');
                    break;
                }
            }
            let text = text.trim().to_string();
            if !text.is_empty() {
                return Ok(Some((index + 1, Covered::Text(text))));
            }
            if content.images.iter().any(|i| covered(i.bbox)) {
                return Ok(Some((index + 1, Covered::Image)));
            }
            let small = |b: &[f64; 4]| (b[2] - b[0]) * (b[3] - b[1]) <= SMALL_DRAWING_AREA;
            if content
                .fills
                .iter()
                .filter(|b| small(b))
                .any(|b| covered(*b))
            {
                return Ok(Some((index + 1, Covered::Drawing)));
            }
        }
        Ok(None)
    }

    /// Where annotation `d`'s appearance paints opaquely on the page: its glyphs, fills,
    /// strokes and opaque images (the stream interpreted, its /BBox fitted onto `rect`). The
    /// whole `rect` when the appearance cannot be followed exactly, or when NoZoom/NoRotate
    /// (§12.5.3) let a viewer draw it elsewhere than /Rect.
    fn painted_boxes(&self, d: &Dict, rect: [f64; 4]) -> Vec<[f64; 4]> {
        let flags = d.get("F").and_then(Object::as_i64).unwrap_or(0);
        if flags & (8 | 16) != 0 {
            return vec![rect];
        }
        match self.appearance_stream(d) {
            Some(form) => {
                match crate::appearance::text::extract_appearance(self.new, &form, rect) {
                    Ok(drawn) if drawn.incomplete.is_none() => drawn.opaque_boxes().collect(),
                    _ => vec![rect],
                }
            }
            None => vec![rect],
        }
    }

    /// For each annotation a signed page of the new revision lists in /Annots, those pages
    /// (index, object) in order: the page tree and the /Annots arrays are read once per
    /// validation, not once per annotation judged.
    fn annotation_pages(&mut self) -> Result<&HashMap<ObjRef, Vec<(usize, ObjRef)>>> {
        if self.annotation_pages.is_none() {
            let signed: HashSet<ObjRef> = self.old.page_refs()?.into_iter().collect();
            let mut map: HashMap<ObjRef, Vec<(usize, ObjRef)>> = HashMap::new();
            for (index, page) in self.new.page_refs()?.into_iter().enumerate() {
                if !signed.contains(&page) {
                    continue;
                }
                if let Some(a) = self.new.resolve_dict(page)?.get("Annots")
                    && let Some(items) = self.new.deref(a)?.as_array()
                {
                    for annot in items.iter().filter_map(Object::as_reference) {
                        let pages = map.entry(annot).or_default();
                        if !pages.iter().any(|(_, p)| *p == page) {
                            pages.push((index, page));
                        }
                    }
                }
            }
            self.annotation_pages = Some(map);
        }
        Ok(self.annotation_pages.get_or_insert_default())
    }

    /// The signed revision's page content, read once per validation.
    fn signed_page_content(
        &mut self,
        page: ObjRef,
    ) -> Result<std::rc::Rc<crate::appearance::text::PageText>> {
        if let Some(c) = self.page_content.get(&page) {
            return Ok(c.clone());
        }
        if self.page_content.len() >= MAX_PAGES_READ {
            return Err(crate::Error::LimitExceeded {
                what: "signed pages read to check annotations drawn over them",
                limit: MAX_PAGES_READ,
            });
        }
        let c = std::rc::Rc::new(crate::appearance::text::extract(self.old, page)?);
        self.page_content.insert(page, c.clone());
        Ok(c)
    }
}

/// The share of box `b` under the union of `boxes`: the part of an 8 × 8 grid of sample
/// points over `b` that some box contains (many thin strips together hide what none does
/// alone).
fn covered_share(b: [f64; 4], boxes: &[[f64; 4]]) -> f64 {
    const GRID: usize = 8;
    let (w, h) = (b[2] - b[0], b[3] - b[1]);
    if !(w > 0.0 && h > 0.0) {
        return 0.0;
    }
    let near: Vec<&[f64; 4]> = boxes
        .iter()
        .filter(|o| o[0] < b[2] && o[2] > b[0] && o[1] < b[3] && o[3] > b[1])
        .collect();
    if near.is_empty() {
        return 0.0;
    }
    let mut hit = 0;
    for i in 0..GRID {
        for j in 0..GRID {
            let x = b[0] + w * (i as f64 + 0.5) / GRID as f64;
            let y = b[1] + h * (j as f64 + 0.5) / GRID as f64;
            if near
                .iter()
                .any(|o| x >= o[0] && x <= o[2] && y >= o[1] && y <= o[3])
            {
                hit += 1;
            }
        }
    }
    f64::from(hit) / (GRID * GRID) as f64
}

/// Signed pages whose content is read for the overlay check in one validation, at most.
const MAX_PAGES_READ: usize = 64;
/// Filled or stroked shapes of the signed page up to this area (pt², a 5 × 5 cm square) are
/// protected like text: a QR code's modules, a table's rules, a drawn signature. Larger ones
/// (page backgrounds, frames) are not.
const SMALL_DRAWING_AREA: f64 = 20_000.0;

impl<A: Source, B: Source> Analysis<'_, A, B> {
    /// The normal appearance stream (/AP /N, or its /AS state) of annotation `d`.
    fn appearance_stream(&self, d: &Dict) -> Option<crate::object::Stream> {
        let ap = self.new.deref(d.get("AP")?).ok()?;
        let normal = self.new.deref(ap.as_dict()?.get("N")?).ok()?;
        match normal {
            Object::Stream(s) => Some(s),
            Object::Dict(states) => {
                let state = d.get("AS").and_then(Object::as_name)?;
                match self.new.deref(states.get(state)?).ok()? {
                    Object::Stream(s) => Some(s),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// What a later annotation hides of the signed page.
enum Covered {
    /// This text.
    Text(String),
    /// An image.
    Image,
    /// A small filled or stroked shape.
    Drawing,
}

/// The part of a glyph's or an image's box a later annotation must cover for it to count as
/// hidden: a seal touching the edge of a name is not hiding it, nor a stamp on a corner of a
/// full-page scan.
const COVERED_SHARE: f64 = 0.6;

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
    collect_refs_with(obj, out, depth, true);
}

/// Every reference `obj` holds, /P and /Parent included: for walks that must see where an
/// object inherits from (a widget's field, an annotation's page).
fn collect_every_ref(obj: &Object, out: &mut Vec<ObjRef>) {
    collect_refs_with(obj, out, 0, false);
}

fn collect_refs_with(obj: &Object, out: &mut Vec<ObjRef>, depth: usize, skip_up: bool) {
    if depth > crate::parser::MAX_NESTING_DEPTH {
        return;
    }
    match obj {
        Object::Reference(r) => out.push(*r),
        Object::Array(items) => items
            .iter()
            .for_each(|i| collect_refs_with(i, out, depth + 1, skip_up)),
        Object::Dict(d) => d.iter().for_each(|(k, v)| {
            // /P (page) and /Parent point back into the signed document.
            if !skip_up || (*k != "P" && *k != "Parent") {
                collect_refs_with(v, out, depth + 1, skip_up)
            }
        }),
        Object::Stream(s) => s
            .dict
            .iter()
            .for_each(|(_, v)| collect_refs_with(v, out, depth + 1, skip_up)),
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
