//! Incremental updates (ISO 32000-2 §7.5.6): new and changed objects appended after the
//! original bytes, with a cross-reference section of the same kind as the file's newest one
//! and a trailer whose /Prev points back to it. Earlier revisions stay byte-for-byte, so
//! earlier signatures stay valid.

use std::collections::BTreeMap;

use crate::object::{Dict, Name, ObjRef, Object, PdfString};
use crate::reader::{PdfReader, Source, XrefKind};

/// An incremental update being planned: objects to (re)write, and numbers for new ones.
#[derive(Debug)]
pub struct IncrementalUpdate {
    objects: BTreeMap<ObjRef, Vec<u8>>,
    next_number: u32,
    xref_kind: XrefKind,
    prev_startxref: u64,
    trailer: Dict,
}

/// A serialized update section and where each object's body starts in it.
#[derive(Debug)]
pub struct Section {
    /// The bytes to append after the original file (and its separating end-of-line).
    pub bytes: Vec<u8>,
    /// Offset, within `bytes`, of the first byte after `n g obj\n` of each object.
    pub body_offsets: BTreeMap<ObjRef, usize>,
}

impl IncrementalUpdate {
    /// Starts an update of the document `reader` reads.
    pub fn new<S: Source>(reader: &PdfReader<S>) -> Self {
        Self {
            objects: BTreeMap::new(),
            next_number: reader.size().max(1),
            xref_kind: reader.xref_kind(),
            prev_startxref: reader.startxref(),
            trailer: reader.trailer().clone(),
        }
    }

    /// A fresh object number for a new object.
    pub fn allocate(&mut self) -> ObjRef {
        let r = ObjRef {
            num: self.next_number,
            generation: 0,
        };
        self.next_number += 1;
        r
    }

    /// Writes (or overwrites) object `r` with `object`.
    pub fn put(&mut self, r: ObjRef, object: &Object) {
        let mut body = Vec::new();
        object.write_to(&mut body);
        self.objects.insert(r, body);
    }

    /// Writes object `r` from bytes already serialized as PDF syntax.
    pub fn put_raw(&mut self, r: ObjRef, body: Vec<u8>) {
        self.objects.insert(r, body);
    }

    /// Serializes the section as it will sit at byte `base_offset` of the output file: the
    /// objects, a cross-reference table or stream (the original's newest kind), the trailer
    /// with /Prev, and `%%EOF`.
    ///
    /// `file_id` becomes the second element of /ID (ISO 32000-2 §14.4: the first stays, the
    /// second changes with each update).
    pub fn serialize(mut self, base_offset: u64, file_id: [u8; 16]) -> Section {
        let mut bytes = Vec::new();
        let mut body_offsets = BTreeMap::new();
        let mut xref_offsets = BTreeMap::new();
        let xref_stream_ref = match self.xref_kind {
            XrefKind::Stream => Some(self.allocate()),
            XrefKind::Table => None,
        };
        for (r, body) in &self.objects {
            xref_offsets.insert(r.num, (base_offset + bytes.len() as u64, r.generation));
            bytes.extend_from_slice(format!("{} {} obj\n", r.num, r.generation).as_bytes());
            body_offsets.insert(*r, bytes.len());
            bytes.extend_from_slice(body);
            bytes.extend_from_slice(b"\nendobj\n");
        }
        let trailer = self.trailer_dict(file_id);
        let startxref = base_offset + bytes.len() as u64;
        match xref_stream_ref {
            None => {
                bytes.extend_from_slice(b"xref\n");
                for (first, run) in runs(&xref_offsets) {
                    bytes.extend_from_slice(format!("{first} {}\n", run.len()).as_bytes());
                    for (offset, generation) in run {
                        bytes.extend_from_slice(
                            format!("{offset:010} {generation:05} n\r\n").as_bytes(),
                        );
                    }
                }
                bytes.extend_from_slice(b"trailer\n");
                Object::Dict(trailer).write_to(&mut bytes);
                bytes.push(b'\n');
            }
            Some(xref_ref) => {
                xref_offsets.insert(xref_ref.num, (startxref, 0));
                let mut dict = trailer;
                let width = offset_width(startxref);
                let mut data = Vec::new();
                let mut index = Vec::new();
                for (first, run) in runs(&xref_offsets) {
                    index.push(Object::Integer(i64::from(first)));
                    index.push(Object::Integer(run.len() as i64));
                    for (offset, generation) in run {
                        data.push(1u8);
                        data.extend_from_slice(&offset.to_be_bytes()[8 - width..]);
                        data.extend_from_slice(&generation.to_be_bytes());
                    }
                }
                dict.set("Type", Object::Name(Name::new("XRef")));
                dict.set(
                    "W",
                    Object::Array(vec![
                        Object::Integer(1),
                        Object::Integer(width as i64),
                        Object::Integer(2),
                    ]),
                );
                dict.set("Index", Object::Array(index));
                dict.set("Length", Object::Integer(data.len() as i64));
                bytes.extend_from_slice(format!("{} 0 obj\n", xref_ref.num).as_bytes());
                Object::Stream(crate::object::Stream { dict, data }).write_to(&mut bytes);
                bytes.extend_from_slice(b"\nendobj\n");
            }
        }
        bytes.extend_from_slice(format!("startxref\n{startxref}\n%%EOF\n").as_bytes());
        Section {
            bytes,
            body_offsets,
        }
    }

    /// The new trailer: /Size, /Prev, /Root, /Info and /ID carried over (ISO 32000-2 §7.5.5);
    /// nothing else of the old trailer (in particular no /XRefStm of a hybrid file, whose
    /// hidden entries the /Prev chain still reaches).
    fn trailer_dict(&self, file_id: [u8; 16]) -> Dict {
        let mut trailer = Dict::new();
        trailer.set("Size", Object::Integer(i64::from(self.next_number)));
        for key in ["Root", "Info"] {
            if let Some(v) = self.trailer.get(key) {
                trailer.set(key, v.clone());
            }
        }
        let new_id = Object::String(PdfString {
            bytes: file_id.to_vec(),
            hex: true,
        });
        let first_id = match self.trailer.get("ID").and_then(Object::as_array) {
            Some([first, ..]) if matches!(first, Object::String(_)) => first.clone(),
            _ => new_id.clone(),
        };
        trailer.set("ID", Object::Array(vec![first_id, new_id]));
        trailer.set("Prev", Object::Integer(self.prev_startxref as i64));
        trailer
    }
}

/// Bytes needed to hold `max_offset` in an xref stream field (ISO 32000-2 §7.5.8.2).
fn offset_width(max_offset: u64) -> usize {
    let bits = 64 - max_offset.leading_zeros() as usize;
    bits.div_ceil(8).max(1)
}

/// Groups sorted object numbers into runs of consecutive numbers: the subsections of a
/// cross-reference table (ISO 32000-2 §7.5.4) or the /Index pairs of an xref stream.
fn runs<T: Copy>(offsets: &BTreeMap<u32, T>) -> Vec<(u32, Vec<T>)> {
    let mut out: Vec<(u32, Vec<T>)> = Vec::new();
    for (&num, &offset) in offsets {
        match out.last_mut() {
            Some((first, run)) if *first as usize + run.len() == num as usize => run.push(offset),
            _ => out.push((num, vec![offset])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_numbers_share_a_subsection() {
        let offsets = BTreeMap::from([(3, 10), (4, 20), (5, 30), (9, 40), (1, 5)]);
        let r = runs(&offsets);
        assert_eq!(r, vec![(1, vec![5]), (3, vec![10, 20, 30]), (9, vec![40])]);
    }

    #[test]
    fn offset_width_fits_the_largest_offset() {
        assert_eq!(offset_width(0), 1);
        assert_eq!(offset_width(255), 1);
        assert_eq!(offset_width(256), 2);
        assert_eq!(offset_width(100 * 1024 * 1024), 4);
        assert_eq!(offset_width(5_000_000_000), 5);
    }
}
