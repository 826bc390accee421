//! The cross-reference index: the newest entry for each object number, in 8 bytes an
//! object (a `Vec` indexed by object number), so that the cost of opening a file grows with
//! the objects it has by a few bytes each, not the 60–90 of a hash map of 24-byte slots.
//!
//! Packing (one `u64`): the top 2 bits say what the entry is (0 none, 1 in the file, 2 in an
//! object stream, 3 free), the next 16 the generation, the low 46 the byte offset (up to
//! 64 TiB) or the object stream's number (23 bits, ISO 32000-2 Annex C's 8,388,607 objects)
//! and the index in it (23 bits). An entry that does not fit is kept as "none": the object
//! reads as missing, as a reader would find it.
//!
//! A file that names a few objects with huge numbers (a hostile one) would make the vector
//! huge: past a density of one entry in eight the index falls back to a `BTreeMap`, so memory
//! stays bounded by the entries present.

use std::collections::BTreeMap;

use super::{Slot, XrefEntry};

const PAYLOAD_BITS: u32 = 46;
const PAYLOAD_MASK: u64 = (1 << PAYLOAD_BITS) - 1;
const HALF_BITS: u32 = 23;
const HALF_MASK: u64 = (1 << HALF_BITS) - 1;
const IN_FILE: u64 = 1;
const IN_STREAM: u64 = 2;
const FREE: u64 = 3;

/// Below this many slots the vector is used whatever the density.
const DENSE_FLOOR: usize = 1 << 16;
/// The vector is kept while it has at most this many slots per entry.
const MAX_SLOTS_PER_ENTRY: usize = 8;

/// The entries of one cross-reference section in file order, packed (12 bytes each), before
/// they are indexed: a section is read whole first, so that one that turns out unreadable
/// (and is looked for a few bytes further) leaves nothing behind.
#[derive(Debug, Default)]
pub(crate) struct Entries {
    nums: Vec<u32>,
    packed: Vec<u64>,
}

impl Entries {
    /// Room for `n` entries (bounded by the caller).
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            nums: Vec::with_capacity(n),
            packed: Vec::with_capacity(n),
        }
    }

    /// Appends an entry.
    pub(crate) fn push(&mut self, num: u32, slot: Slot) {
        self.nums.push(num);
        self.packed.push(pack(slot));
    }

    /// The object numbers, in file order.
    pub(crate) fn nums(&self) -> &[u32] {
        &self.nums
    }
}

/// Object number → newest cross-reference entry and generation.
#[derive(Debug, Default)]
pub(crate) struct XrefIndex {
    dense: Vec<u64>,
    sparse: Option<BTreeMap<u32, u64>>,
    count: usize,
}

fn pack(slot: Slot) -> u64 {
    let generation = u64::from(slot.generation) << PAYLOAD_BITS;
    match slot.entry {
        XrefEntry::InFile { offset } if offset <= PAYLOAD_MASK => {
            (IN_FILE << 62) | generation | offset
        }
        XrefEntry::InStream { stream_num, index }
            if u64::from(stream_num) <= HALF_MASK && u64::from(index) <= HALF_MASK =>
        {
            (IN_STREAM << 62) | (u64::from(stream_num) << HALF_BITS) | u64::from(index)
        }
        XrefEntry::Free => (FREE << 62) | generation,
        _ => 0,
    }
}

fn unpack(v: u64) -> Option<Slot> {
    let generation = ((v >> PAYLOAD_BITS) & 0xFFFF) as u16;
    let payload = v & PAYLOAD_MASK;
    let entry = match v >> 62 {
        IN_FILE => XrefEntry::InFile { offset: payload },
        IN_STREAM => XrefEntry::InStream {
            stream_num: (payload >> HALF_BITS) as u32,
            index: (payload & HALF_MASK) as u32,
        },
        FREE => XrefEntry::Free,
        _ => return None,
    };
    Some(Slot { entry, generation })
}

impl XrefIndex {
    /// Records `entries` in order, each unless its number has an entry already (sections are
    /// read newest first: the first entry for a number wins).
    pub(crate) fn insert_all(&mut self, entries: &Entries) {
        for (&num, &packed) in entries.nums.iter().zip(&entries.packed) {
            self.insert_packed(num, packed);
        }
    }

    /// Records `slot` for `num` unless an entry is already there.
    #[cfg(test)]
    pub(crate) fn insert_if_absent(&mut self, num: u32, slot: Slot) {
        self.insert_packed(num, pack(slot));
    }

    fn insert_packed(&mut self, num: u32, packed: u64) {
        if packed == 0 {
            return;
        }
        if let Some(map) = &mut self.sparse {
            if let std::collections::btree_map::Entry::Vacant(e) = map.entry(num) {
                e.insert(packed);
                self.count += 1;
            }
            return;
        }
        let i = num as usize;
        if i >= self.dense.len() {
            let needed = i + 1;
            if needed > DENSE_FLOOR && needed > MAX_SLOTS_PER_ENTRY * (self.count + 1) {
                // Too sparse for a vector: move what is there into a map.
                let mut map: BTreeMap<u32, u64> = self
                    .dense
                    .iter()
                    .enumerate()
                    .filter(|&(_, &v)| v != 0)
                    .map(|(n, &v)| (n as u32, v))
                    .collect();
                map.insert(num, packed);
                self.count += 1;
                self.dense = Vec::new();
                self.sparse = Some(map);
                return;
            }
            self.dense.resize(needed, 0);
        }
        if self.dense[i] == 0 {
            self.dense[i] = packed;
            self.count += 1;
        }
    }

    /// The entry for `num`, if any.
    pub(crate) fn get(&self, num: u32) -> Option<Slot> {
        let v = match &self.sparse {
            Some(map) => *map.get(&num)?,
            None => *self.dense.get(num as usize)?,
        };
        unpack(v)
    }

    /// How many object numbers have an entry.
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// Every object number with its entry, in increasing order.
    pub(crate) fn iter(&self) -> Box<dyn Iterator<Item = (u32, Slot)> + '_> {
        match &self.sparse {
            Some(map) => Box::new(map.iter().filter_map(|(&n, &v)| Some((n, unpack(v)?)))),
            None => Box::new(
                self.dense
                    .iter()
                    .enumerate()
                    .filter_map(|(n, &v)| Some((n as u32, unpack(v)?))),
            ),
        }
    }

    /// Bytes held, for the memory bench.
    #[cfg(test)]
    fn heap_bytes(&self) -> usize {
        self.dense.capacity() * 8 + self.sparse.as_ref().map_or(0, |m| m.len() * 40)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(entry: XrefEntry, generation: u16) -> Slot {
        Slot { entry, generation }
    }

    #[test]
    fn entries_round_trip_and_the_first_one_wins() {
        let mut x = XrefIndex::default();
        x.insert_if_absent(5, slot(XrefEntry::InFile { offset: 1234 }, 2));
        x.insert_if_absent(5, slot(XrefEntry::Free, 0));
        x.insert_if_absent(
            7,
            slot(
                XrefEntry::InStream {
                    stream_num: 9,
                    index: 3,
                },
                0,
            ),
        );
        x.insert_if_absent(8, slot(XrefEntry::Free, 65535));
        let got = x.get(5).expect("5");
        assert_eq!(
            (got.entry, got.generation),
            (XrefEntry::InFile { offset: 1234 }, 2)
        );
        let got = x.get(7).expect("7");
        assert_eq!(
            got.entry,
            XrefEntry::InStream {
                stream_num: 9,
                index: 3
            }
        );
        assert_eq!(
            x.get(8).map(|s| (s.entry, s.generation)),
            Some((XrefEntry::Free, 65535))
        );
        assert!(x.get(6).is_none() && x.get(1_000_000).is_none());
        assert_eq!(x.len(), 3);
        assert_eq!(x.iter().map(|(n, _)| n).collect::<Vec<_>>(), vec![5, 7, 8]);
    }

    #[test]
    fn what_does_not_fit_is_no_entry() {
        let mut x = XrefIndex::default();
        x.insert_if_absent(1, slot(XrefEntry::InFile { offset: 1 << 50 }, 0));
        x.insert_if_absent(
            2,
            slot(
                XrefEntry::InStream {
                    stream_num: 1 << 24,
                    index: 0,
                },
                0,
            ),
        );
        assert!(x.get(1).is_none() && x.get(2).is_none());
        assert_eq!(x.len(), 0);
    }

    #[test]
    fn a_million_objects_take_eight_bytes_each_and_huge_sparse_numbers_stay_small() {
        let mut x = XrefIndex::default();
        for n in 1..=1_000_000u32 {
            x.insert_if_absent(
                n,
                slot(
                    XrefEntry::InFile {
                        offset: u64::from(n) * 40,
                    },
                    0,
                ),
            );
        }
        assert!(x.heap_bytes() <= 16 * 1_000_001, "{} bytes", x.heap_bytes());
        let mut hostile = XrefIndex::default();
        for k in 0..100u32 {
            hostile.insert_if_absent(8_000_000 - k * 70_000, slot(XrefEntry::Free, 0));
        }
        assert!(
            hostile.heap_bytes() < 100 * 64,
            "{} bytes",
            hostile.heap_bytes()
        );
        assert_eq!(hostile.len(), 100);
        assert!(hostile.get(8_000_000).is_some());
    }
}
