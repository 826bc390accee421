//! Object streams (ISO 32000-2 §7.5.7): decoded once, kept in a small bounded cache.

use std::sync::Arc;

use super::{MAX_OBJECT_STREAM_OBJECTS, PdfReader, Source, XrefEntry};
use crate::error::{Error, Result};
use crate::object::{ObjRef, Object};
use crate::parser::lexer::{Lexer, PErr, Token};
use crate::parser::{parse_value, perr_to_error};

/// Most object streams kept decoded.
const CACHE_ENTRIES: usize = 16;
/// Most decoded bytes kept in the cache; a larger stream is decoded but not kept.
const CACHE_BYTES: usize = 16 << 20;

/// A decoded object stream: its data, `/First`, and the `(number, offset)` pairs of its
/// header.
pub(super) struct ObjStm {
    data: Vec<u8>,
    first: usize,
    entries: Vec<(u32, usize)>,
    /// The offsets of `entries`, sorted.
    sorted_offsets: Vec<usize>,
    /// What was wrong with the header, if it lists fewer than `/N` objects.
    header_problem: Option<String>,
}

/// Least recently used first.
#[derive(Default)]
pub(super) struct Cache {
    items: Vec<(u32, Arc<ObjStm>)>,
    bytes: usize,
}

impl Cache {
    fn get(&mut self, num: u32) -> Option<Arc<ObjStm>> {
        let i = self.items.iter().position(|(n, _)| *n == num)?;
        let item = self.items.remove(i);
        let stm = item.1.clone();
        self.items.push(item);
        Some(stm)
    }

    fn put(&mut self, num: u32, stm: Arc<ObjStm>) {
        if stm.data.len() > CACHE_BYTES || self.items.iter().any(|(n, _)| *n == num) {
            return;
        }
        self.bytes += stm.data.len();
        self.items.push((num, stm));
        while self.items.len() > CACHE_ENTRIES || self.bytes > CACHE_BYTES {
            let (_, old) = self.items.remove(0);
            self.bytes -= old.data.len();
        }
    }
}

impl<S: Source> PdfReader<S> {
    /// Reads object `r`, the `index`-th object of object stream `stream_num`.
    pub(super) fn read_in_object_stream(
        &self,
        r: ObjRef,
        stream_num: u32,
        index: u32,
        depth: usize,
    ) -> Result<Object> {
        let stm = self.object_stream(stream_num, depth + 1)?;
        let bad = |message: String| Error::BadObject { object: r, message };
        // The header should list `r` at `index`; if it does not, look for it by number.
        let off = match stm.entries.get(index as usize) {
            Some(&(num, off)) if num == r.num => off,
            _ => match stm.entries.iter().find(|(num, _)| *num == r.num) {
                Some(&(_, off)) => off,
                None => {
                    return Err(bad(format!(
                        "object stream {stream_num} does not contain object {} (the \
                         cross-reference data says index {index}; the stream lists {} objects{})",
                        r.num,
                        stm.entries.len(),
                        stm.header_problem
                            .as_deref()
                            .map(|p| format!("; {p}"))
                            .unwrap_or_default()
                    )));
                }
            },
        };
        // The object ends where the next one (by offset) starts.
        let next = stm.sorted_offsets.partition_point(|&o| o <= off);
        let end = stm
            .sorted_offsets
            .get(next)
            .map_or(stm.data.len(), |&o| stm.first + o);
        let start = stm.first + off;
        let Some(slice) = stm.data.get(start..end) else {
            return Err(bad(format!(
                "offset {start} is beyond the data of object stream {stream_num} ({} bytes)",
                stm.data.len()
            )));
        };
        let mut lx = Lexer::new(slice, start as u64, true);
        let obj = parse_value(&mut lx, 0).map_err(|e| {
            bad(format!(
                "in object stream {stream_num}: {}",
                perr_to_error(e)
            ))
        })?;
        if let Ok(true) = lx.eat_keyword(b"stream") {
            return Err(bad(format!(
                "a stream inside object stream {stream_num} (forbidden by ISO 32000-2 §7.5.7)"
            )));
        }
        Ok(obj)
    }

    /// The decoded object stream `num`, from the cache or read now.
    fn object_stream(&self, num: u32, depth: usize) -> Result<Arc<ObjStm>> {
        if let Some(stm) = self.lock_cache().get(num) {
            return Ok(stm);
        }
        let slot = self.xref.get(num);
        let sref = ObjRef::new(num, slot.map_or(0, |s| s.generation));
        let bad = |message: String| Error::BadObject {
            object: sref,
            message,
        };
        match slot.map(|s| s.entry) {
            Some(XrefEntry::InFile { .. }) => {}
            Some(XrefEntry::InStream { .. }) => {
                return Err(bad(
                    "an object stream cannot be inside an object stream".into()
                ));
            }
            _ => return Err(bad("the object stream does not exist".into())),
        }
        let stream = match self.resolve_inner(sref, depth)? {
            Object::Stream(s) => s,
            other => {
                return Err(bad(format!(
                    "expected an object stream, found a {}",
                    other.type_name()
                )));
            }
        };
        if let Some(t) = stream.dict.type_name()
            && t != b"ObjStm"
        {
            return Err(bad(format!(
                "expected /Type /ObjStm, found /{}",
                String::from_utf8_lossy(t)
            )));
        }
        let n = stream.dict.get("N").and_then(Object::as_i64);
        let n = match n.and_then(|n| usize::try_from(n).ok()) {
            Some(n) if n <= MAX_OBJECT_STREAM_OBJECTS => n,
            Some(_) => {
                return Err(Error::LimitExceeded {
                    what: "objects in one object stream",
                    limit: MAX_OBJECT_STREAM_OBJECTS,
                });
            }
            None => return Err(bad("/N is missing or negative".into())),
        };
        let first = stream
            .dict
            .get("First")
            .and_then(Object::as_i64)
            .and_then(|f| usize::try_from(f).ok())
            .ok_or_else(|| bad("/First is missing or negative".into()))?;
        let data = stream.decoded_data().map_err(|e| match e {
            e @ Error::LimitExceeded { .. } => e,
            e => bad(format!("cannot decode the object stream: {e}")),
        })?;
        if first > data.len() {
            return Err(bad(format!(
                "/First {first} is beyond the decoded data ({} bytes)",
                data.len()
            )));
        }
        // Header pairs up to the first bad one; objects listed before it stay readable.
        let mut lx = Lexer::new(&data[..first], 0, true);
        let mut entries = Vec::with_capacity(n.min(first / 4 + 1));
        let mut header_problem = None;
        for i in 0..n {
            let pair = (lx.next_opt(), lx.next_opt());
            let problem = match pair {
                (Ok(Some(Token::Integer(num))), Ok(Some(Token::Integer(off)))) => {
                    match (u32::try_from(num), usize::try_from(off)) {
                        (Ok(num), Ok(off)) if off <= data.len() - first => {
                            entries.push((num, off));
                            continue;
                        }
                        _ => format!("entry {i} ({num} {off}) is out of range"),
                    }
                }
                (Err(PErr::Syntax { message, .. }), _) | (_, Err(PErr::Syntax { message, .. })) => {
                    message
                }
                _ => format!("entry {i} of {n} is missing"),
            };
            header_problem = Some(format!("object stream header corrupted: {problem}"));
            break;
        }
        let mut sorted_offsets: Vec<usize> = entries.iter().map(|&(_, o)| o).collect();
        sorted_offsets.sort_unstable();
        let stm = Arc::new(ObjStm {
            data,
            first,
            entries,
            sorted_offsets,
            header_problem,
        });
        self.lock_cache().put(num, stm.clone());
        Ok(stm)
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        // A panic while holding the lock cannot leave the cache inconsistent in a way
        // that matters (worst case a missing entry), so a poisoned lock is used as is.
        self.objstm_cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
