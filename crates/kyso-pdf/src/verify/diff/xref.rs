//! Structural checks of the bytes after the signed revision, before any object is judged:
//! object definitions no cross-reference section accounts for and data after the last
//! `%%EOF` (Incremental Saving Attacks), what the reader had to repair (Mladenov et al., CCS
//! 2019), and definitions that give meaning to references dangling at signing time (shadow
//! attacks, Mainka et al., NDSS 2021).

use std::collections::{HashSet, VecDeque};

use super::{
    Analysis, ChangeKind, MAX_NEW_OBJECTS, MAX_SIGNED_OBJECTS_WALKED, ModificationLevel,
    collect_every_ref, object_header_before,
};
use crate::Result;
use crate::object::{ObjRef, Object};
use crate::parser::lexer::is_whitespace;
use crate::reader::{PdfReader, Source, XrefEntry};

impl<A: Source, B: Source> Analysis<'_, A, B> {
    /// Object definitions after the signed revision that no later cross-reference section
    /// points to, and bytes after the last `%%EOF`: a viewer that repairs the file would show
    /// them (Incremental Saving Attack without a proper update). Every revision's own
    /// cross-reference data counts, so objects superseded by a later signer are accounted for.
    pub(in crate::verify::diff) fn hidden_definitions(&mut self, signed_end: u64) -> Result<()> {
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
    pub(in crate::verify::diff) fn repairs_after(&mut self, signed_end: u64) {
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
    pub(in crate::verify::diff) fn late_definitions(&mut self) -> Result<()> {
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
                ChangeKind::LateObjectStream {
                    object: r,
                    stream: stream_num,
                },
            );
        }

        // Walk everything the signed revision reaches from its trailer.
        let mut seen: HashSet<ObjRef> = HashSet::new();
        let mut queue: VecDeque<(ObjRef, ObjRef)> = VecDeque::new();
        let mut start = Vec::new();
        collect_every_ref(&Object::Dict(self.old.trailer().clone()), &mut start);
        queue.extend(start.into_iter().map(|r| (r, r)));
        let mut found = Vec::new();
        while let Some((r, from)) = queue.pop_front() {
            if !seen.insert(r) {
                continue;
            }
            if seen.len() > MAX_SIGNED_OBJECTS_WALKED {
                self.note(
                    ModificationLevel::Other,
                    ChangeKind::TooManyObjects {
                        limit: MAX_SIGNED_OBJECTS_WALKED,
                    },
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
                    // /Parent too: a widget inherits /FT, /V and /DA from its field.
                    collect_every_ref(&obj, &mut refs);
                    queue.extend(refs.into_iter().map(|c| (c, r)));
                }
            }
        }
        found.sort_unstable();
        for (r, from) in found {
            self.note(
                ModificationLevel::Other,
                ChangeKind::LateDefinition {
                    object: r,
                    referenced_by: from,
                },
            );
        }
        Ok(())
    }
}
