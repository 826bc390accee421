//! Cross-reference data: classic tables (ISO 32000-2 §7.5.4) with their trailers
//! (§7.5.5), cross-reference streams (§7.5.8), hybrid files (§7.5.8.4) and the `/Prev`
//! chain of incremental updates (§7.5.6).

use std::collections::HashSet;

use super::index::Entries;
use super::{
    MAX_XREF_SECTIONS, OFFSET_SLACK, PdfReader, SCAN_CHUNK, Slot, Source, XrefEntry, XrefKind,
};
use crate::error::{Error, Result};
use crate::object::{Dict, Object};
use crate::parser::lexer::{Lexer, PErr, PResult, Token, is_regular, is_whitespace};
use crate::parser::{
    MAX_DECODED_STREAM_LEN, Parsed, decode_stream, parse_indirect, parse_obj_header, parse_value,
};

/// One cross-reference section: its kind, trailer and entries in file order.
struct Section {
    kind: XrefKind,
    trailer: Dict,
    entries: Entries,
}

/// Where a table parse stands between two windows.
#[derive(Clone, Copy)]
enum TableState {
    /// Expecting the `xref` keyword.
    Keyword,
    /// Expecting a subsection header `start count` or `trailer`.
    Header,
    /// Inside a subsection.
    Entries { next: u32, remaining: u64 },
}

enum Step {
    Continue,
    Trailer,
}

impl<S: Source> PdfReader<S> {
    /// Reads the section at `startxref` and every section its `/Prev` chain reaches,
    /// newest first; the first entry seen for an object number wins.
    pub(super) fn load_xref(&mut self, startxref: u64) -> Result<()> {
        let mut visited = HashSet::new();
        let mut next = Some(startxref);
        let mut sections = 0usize;
        let mut first = true;
        let mut max_num: Option<u32> = None;
        while let Some(offset) = next {
            if offset >= self.len {
                return Err(Error::Xref {
                    offset,
                    message: format!(
                        "/Prev points beyond the end of the file ({} bytes)",
                        self.len
                    ),
                });
            }
            if !visited.insert(offset) {
                return Err(Error::Xref {
                    offset,
                    message: "the /Prev chain loops back to this section".into(),
                });
            }
            sections += 1;
            if sections > MAX_XREF_SECTIONS {
                return Err(Error::LimitExceeded {
                    what: "cross-reference sections",
                    limit: MAX_XREF_SECTIONS,
                });
            }
            let (actual, section) = self.read_section_near(offset, None)?;
            if actual != offset {
                if !visited.insert(actual) {
                    return Err(Error::Xref {
                        offset: actual,
                        message: "the /Prev chain loops back to this section".into(),
                    });
                }
                self.record_repair(
                    [offset, actual],
                    format!(
                        "the cross-reference section recorded at byte {offset} starts at byte {actual}"
                    ),
                );
            }
            self.sections.push(actual);
            if let Some(info) = section.trailer.get("Info").and_then(Object::as_reference)
                && !self.info_refs.contains(&info)
                && self.info_refs.len() < MAX_XREF_SECTIONS
            {
                self.info_refs.push(info);
            }
            let mut all = vec![section.entries];
            if section.kind == XrefKind::Table
                && let Some(xs) = section.trailer.get("XRefStm")
            {
                let xoff = xs
                    .as_i64()
                    .and_then(|v| u64::try_from(v).ok())
                    .filter(|&v| v < self.len)
                    .ok_or_else(|| Error::Xref {
                        offset: actual,
                        message: format!(
                            "trailer /XRefStm is not a byte offset in the file ({xs:?})"
                        ),
                    })?;
                sections += 1;
                if sections > MAX_XREF_SECTIONS {
                    return Err(Error::LimitExceeded {
                        what: "cross-reference sections",
                        limit: MAX_XREF_SECTIONS,
                    });
                }
                let (xactual, stream) = self.read_section_near(xoff, Some(XrefKind::Stream))?;
                if xactual != xoff {
                    self.record_repair(
                        [xoff, xactual],
                        format!(
                            "the cross-reference stream recorded at byte {xoff} (/XRefStm) starts at byte {xactual}"
                        ),
                    );
                }
                self.sections.push(xactual);
                all.push(stream.entries);
            }
            for entries in all {
                for num in duplicates(entries.nums()) {
                    // Readers disagree on which entry wins (first, last, or a rebuilt
                    // table): a section must say one thing per object.
                    self.record_repair(
                        [actual, actual],
                        format!(
                            "object number {num} is listed twice in the cross-reference section at byte {actual}"
                        ),
                    );
                }
                max_num = max_num.max(entries.nums().iter().copied().max());
                self.xref.insert_all(&entries);
            }
            next = match section.trailer.get("Prev") {
                None | Some(Object::Null) => None,
                Some(Object::Integer(p)) if *p >= 0 => Some(*p as u64),
                Some(other) => {
                    return Err(Error::Xref {
                        offset: actual,
                        message: format!("trailer /Prev is not a byte offset ({other:?})"),
                    });
                }
            };
            if first {
                first = false;
                self.trailer = section.trailer;
                self.kind = section.kind;
                self.startxref = actual;
            }
        }
        let declared = self
            .trailer
            .get("Size")
            .and_then(Object::as_i64)
            .map(|s| s.clamp(0, i64::from(u32::MAX)) as u32)
            .unwrap_or(0);
        let counted = max_num.map(|m| m.saturating_add(1)).unwrap_or(0);
        self.size = declared.max(counted);
        Ok(())
    }

    /// Reads the section at `offset`; if there is none, tries the positions within
    /// [`OFFSET_SLACK`] bytes where one could start (an off-by-one `startxref` is common)
    /// and `offset` shifted by junk before the header. Returns where it was found.
    fn read_section_near(&self, offset: u64, want: Option<XrefKind>) -> Result<(u64, Section)> {
        let first_err = match self.read_section_at(offset, want) {
            Ok(s) => return Ok((offset, s)),
            Err(Error::Io(e)) => return Err(Error::Io(e)),
            Err(e) => e,
        };
        for c in self.section_candidates(offset)? {
            if c == offset {
                continue;
            }
            match self.read_section_at(c, want) {
                Ok(s) => return Ok((c, s)),
                Err(Error::Io(e)) => return Err(Error::Io(e)),
                Err(_) => {}
            }
        }
        Err(match first_err {
            e @ Error::Xref { .. } => e,
            e => Error::Xref {
                offset,
                message: format!("no usable cross-reference section here: {e}"),
            },
        })
    }

    /// Positions near `offset` where a section could start, nearest first.
    fn section_candidates(&self, offset: u64) -> Result<Vec<u64>> {
        let mut out = Vec::new();
        if self.header_offset > 0 {
            out.push(offset + self.header_offset);
        }
        let start = offset.saturating_sub(OFFSET_SLACK);
        let (buf, complete) = self.read_window(start, (OFFSET_SLACK * 2) as usize + 32)?;
        for p in 0..buf.len() {
            let at = start + p as u64;
            if at.abs_diff(offset) > OFFSET_SLACK {
                continue;
            }
            let boundary = (p == 0 && start == 0) || (p > 0 && !is_regular(buf[p - 1]));
            if !boundary {
                continue;
            }
            let rest = &buf[p..];
            if rest.starts_with(b"xref") && rest.get(4).is_none_or(|&b| !is_regular(b)) {
                out.push(at);
            } else if rest[0].is_ascii_digit() {
                let mut lx = Lexer::new(rest, at, complete);
                if parse_obj_header(&mut lx).is_ok() {
                    out.push(at);
                }
            }
        }
        out.sort_by_key(|&c| c.abs_diff(offset));
        out.dedup();
        Ok(out)
    }

    /// Reads the section starting at `offset` (white space before it allowed).
    fn read_section_at(&self, offset: u64, want: Option<XrefKind>) -> Result<Section> {
        let (buf, _) = self.read_window(offset, 64)?;
        let skip = buf.iter().take_while(|&&b| is_whitespace(b)).count();
        let rest = &buf[skip..];
        let at = offset + skip as u64;
        if rest.starts_with(b"xref") && rest.get(4).is_none_or(|&b| !is_regular(b)) {
            if want == Some(XrefKind::Stream) {
                return Err(Error::Xref {
                    offset: at,
                    message: "expected a cross-reference stream, found a table".into(),
                });
            }
            self.read_table(at)
        } else if rest.first().is_some_and(u8::is_ascii_digit) {
            self.read_xref_stream(at)
        } else {
            Err(Error::Xref {
                offset,
                message: "expected 'xref' or a cross-reference stream object".into(),
            })
        }
    }

    /// A classic table (ISO 32000-2 §7.5.4) and its trailer (§7.5.5), read in windows
    /// of [`SCAN_CHUNK`] bytes. Entries are read as tokens, so the common deviations from
    /// the 20-byte layout (`\n` or ` \n` or `\r\n` endings, space padding) are accepted.
    fn read_table(&self, offset: u64) -> Result<Section> {
        let mut entries = Entries::default();
        let mut state = TableState::Keyword;
        let mut pos = offset;
        let trailer_at = 'windows: loop {
            let (buf, complete) = self.read_window(pos, SCAN_CHUNK)?;
            let mut lx = Lexer::new(&buf, pos, complete);
            let mut progressed = false;
            loop {
                match table_step(&mut lx, &mut state, &mut entries) {
                    Ok(Step::Continue) => {
                        progressed = true;
                        pos = lx.abs_pos();
                    }
                    Ok(Step::Trailer) => break 'windows lx.abs_pos(),
                    Err(PErr::Incomplete) if progressed => break,
                    Err(PErr::Incomplete) | Err(PErr::TooDeep) => {
                        return Err(Error::Xref {
                            offset: pos,
                            message: "cross-reference table entry too long".into(),
                        });
                    }
                    Err(PErr::Syntax { offset, message }) => {
                        return Err(Error::Xref { offset, message });
                    }
                }
            }
        };
        let trailer = match self.parse_at(trailer_at, |lx| parse_value(lx, 0)) {
            Ok(Object::Dict(d)) => d,
            Ok(other) => {
                return Err(Error::Xref {
                    offset: trailer_at,
                    message: format!("trailer is a {}, not a dictionary", other.type_name()),
                });
            }
            Err(Error::Syntax { offset, message }) => {
                return Err(Error::Xref {
                    offset,
                    message: format!("trailer: {message}"),
                });
            }
            Err(e) => return Err(e),
        };
        Ok(Section {
            kind: XrefKind::Table,
            trailer,
            entries,
        })
    }

    /// A cross-reference stream (ISO 32000-2 §7.5.8).
    fn read_xref_stream(&self, offset: u64) -> Result<Section> {
        let xerr = |message: String| Error::Xref { offset, message };
        let (r, parsed) = match self.parse_at(offset, parse_indirect) {
            Ok(v) => v,
            Err(Error::Syntax { offset, message }) => {
                return Err(Error::Xref { offset, message });
            }
            Err(e) => return Err(e),
        };
        let Parsed::StreamHead { dict, data_start } = parsed else {
            return Err(xerr(format!("object {r} is not a cross-reference stream")));
        };
        match dict.type_name() {
            Some(b"XRef") => {}
            None if dict.contains_key("W") => {}
            _ => {
                return Err(xerr(format!(
                    "object {r} is not a cross-reference stream (no /Type /XRef)"
                )));
            }
        }
        // An indirect /Length cannot be resolved before the cross-reference data is
        // read; the data then ends at `endstream`.
        let length = dict
            .get("Length")
            .and_then(Object::as_i64)
            .and_then(|l| u64::try_from(l).ok());
        let raw = self.read_stream_data(r, data_start, length)?;
        let data = decode_stream(&dict, &raw, MAX_DECODED_STREAM_LEN).map_err(|e| match e {
            e @ Error::LimitExceeded { .. } => e,
            e => xerr(format!("cross-reference stream {r}: {e}")),
        })?;

        let w: Vec<usize> = match dict.get("W").and_then(Object::as_array) {
            Some(a) if a.len() == 3 => a
                .iter()
                .map(|v| {
                    v.as_i64()
                        .and_then(|v| usize::try_from(v).ok())
                        .filter(|&v| v <= 8)
                })
                .collect::<Option<_>>()
                .ok_or_else(|| xerr(format!("/W of {r} must hold three widths of 0 to 8 bytes")))?,
            _ => {
                return Err(xerr(format!(
                    "/W of {r} must be an array of three integers"
                )));
            }
        };
        let entry_len = w[0] + w[1] + w[2];
        if entry_len == 0 {
            return Err(xerr(format!("/W of {r} is all zeros")));
        }
        let size = dict.get("Size").and_then(Object::as_i64).unwrap_or(0);
        let index: Vec<(u64, u64)> = match dict.get("Index") {
            None | Some(Object::Null) => vec![(0, size.max(0) as u64)],
            Some(Object::Array(a)) if a.len() % 2 == 0 => a
                .chunks(2)
                .map(|p| {
                    let s = p[0].as_i64().and_then(|v| u64::try_from(v).ok())?;
                    let c = p[1].as_i64().and_then(|v| u64::try_from(v).ok())?;
                    Some((s, c))
                })
                .collect::<Option<_>>()
                .ok_or_else(|| xerr(format!("/Index of {r} must hold non-negative integers")))?,
            Some(_) => return Err(xerr(format!("/Index of {r} must be an array of pairs"))),
        };
        let total: u64 = index
            .iter()
            .map(|&(_, c)| c)
            .fold(0u64, u64::saturating_add);
        let need = total.saturating_mul(entry_len as u64);
        if need > data.len() as u64 {
            return Err(xerr(format!(
                "cross-reference stream {r} declares {total} entries of {entry_len} bytes \
                 but holds {} bytes",
                data.len()
            )));
        }
        let field = |bytes: &[u8]| bytes.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b));
        let mut entries = Entries::with_capacity(total as usize);
        let mut chunks = data.chunks_exact(entry_len);
        for (start, count) in index {
            for i in 0..count {
                let Some(e) = chunks.next() else { break };
                let Some(num) = start.checked_add(i).and_then(|n| u32::try_from(n).ok()) else {
                    return Err(xerr(format!(
                        "object number {start}+{i} out of range in {r}"
                    )));
                };
                let kind = if w[0] == 0 { 1 } else { field(&e[..w[0]]) };
                let f2 = field(&e[w[0]..w[0] + w[1]]);
                let f3 = field(&e[w[0] + w[1]..]);
                let slot = match kind {
                    0 => Slot {
                        entry: XrefEntry::Free,
                        generation: u16::try_from(f3).unwrap_or(u16::MAX),
                    },
                    1 => match u16::try_from(f3) {
                        Ok(generation) if f2 > 0 => Slot {
                            entry: XrefEntry::InFile { offset: f2 },
                            generation,
                        },
                        _ => free(),
                    },
                    2 => match (u32::try_from(f2), u32::try_from(f3)) {
                        (Ok(stream_num), Ok(index)) => Slot {
                            entry: XrefEntry::InStream { stream_num, index },
                            generation: 0,
                        },
                        _ => free(),
                    },
                    // Other types are references to the null object (§7.5.8.3).
                    _ => free(),
                };
                entries.push(num, slot);
            }
        }
        Ok(Section {
            kind: XrefKind::Stream,
            trailer: dict,
            entries,
        })
    }
}

fn free() -> Slot {
    Slot {
        entry: XrefEntry::Free,
        generation: 0,
    }
}

/// One step of a table: the `xref` keyword, a subsection header, one entry, or
/// `trailer`. On [`PErr::Incomplete`] nothing has changed and the step can be retried
/// from the same position with more bytes.
fn table_step(lx: &mut Lexer<'_>, state: &mut TableState, entries: &mut Entries) -> PResult<Step> {
    match *state {
        TableState::Keyword => {
            match lx.next()? {
                Token::Keyword(b"xref") => *state = TableState::Header,
                _ => return lx.syntax(lx.tok_start(), "expected 'xref'"),
            }
            Ok(Step::Continue)
        }
        TableState::Header => match lx.next()? {
            Token::Keyword(b"trailer") => Ok(Step::Trailer),
            Token::Integer(start) => {
                let at = lx.tok_start();
                let count = match lx.next()? {
                    Token::Integer(c) => c,
                    _ => return lx.syntax(at, "expected a subsection header 'start count'"),
                };
                let (Ok(start), Ok(count)) = (u32::try_from(start), u64::try_from(count)) else {
                    return lx.syntax(at, format!("bad subsection header {start} {count}"));
                };
                if u64::from(start) + count > u64::from(u32::MAX) + 1 {
                    return lx.syntax(at, format!("subsection {start} {count} is out of range"));
                }
                if count > 0 {
                    *state = TableState::Entries {
                        next: start,
                        remaining: count,
                    };
                }
                Ok(Step::Continue)
            }
            t => lx.syntax(
                lx.tok_start(),
                format!(
                    "expected a subsection header or 'trailer', found {}",
                    t.describe()
                ),
            ),
        },
        TableState::Entries { next, remaining } => {
            lx.skip_ws();
            let (offset, generation, kind) = match fixed_entry(&lx.buf()[lx.pos()..]) {
                // The 20-byte form of §7.5.4, read directly (most tables are all of it).
                Some(e) => {
                    lx.set_pos(lx.pos() + 18);
                    e
                }
                None => {
                    let save = lx.pos();
                    let offset = match lx.next()? {
                        Token::Integer(o) => o,
                        _ => {
                            // The subsection has fewer entries than its header says.
                            lx.set_pos(save);
                            *state = TableState::Header;
                            return Ok(Step::Continue);
                        }
                    };
                    let at = lx.tok_start();
                    let generation = match lx.next()? {
                        Token::Integer(g) => g,
                        _ => return lx.syntax(at, "expected a generation number in an xref entry"),
                    };
                    let kind = match lx.next()? {
                        Token::Keyword(k @ (b"n" | b"f")) => k[0],
                        _ => return lx.syntax(at, "expected 'n' or 'f' in an xref entry"),
                    };
                    let (Ok(offset), Ok(generation)) =
                        (u64::try_from(offset), u16::try_from(generation))
                    else {
                        return lx.syntax(at, format!("bad xref entry {offset} {generation}"));
                    };
                    (offset, generation, kind)
                }
            };
            let entry = if kind == b'n' && offset > 0 {
                XrefEntry::InFile { offset }
            } else {
                // `f`, or `n` with offset 0, which writers use for deleted objects.
                XrefEntry::Free
            };
            entries.push(next, Slot { entry, generation });
            *state = if remaining > 1 {
                TableState::Entries {
                    next: next.wrapping_add(1),
                    remaining: remaining - 1,
                }
            } else {
                TableState::Header
            };
            Ok(Step::Continue)
        }
    }
}

/// The object numbers a section lists more than once (each once), in increasing order. A
/// table's subsections are usually ascending, checked in one pass; otherwise a sorted copy.
fn duplicates(nums: &[u32]) -> Vec<u32> {
    let ascending = nums.windows(2).all(|w| w[0] <= w[1]);
    let sorted: std::borrow::Cow<'_, [u32]> = if ascending {
        std::borrow::Cow::Borrowed(nums)
    } else {
        let mut v = nums.to_vec();
        v.sort_unstable();
        std::borrow::Cow::Owned(v)
    };
    let mut out: Vec<u32> = sorted
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    out.dedup();
    out
}

/// An entry in the fixed form `oooooooooo ggggg n` followed by whitespace (ISO 32000-2
/// §7.5.4): offset, generation and `n` or `f`; `None` for anything else (read by tokens).
fn fixed_entry(b: &[u8]) -> Option<(u64, u16, u8)> {
    let b = b.get(..19)?;
    let digits = |s: &[u8]| -> Option<u64> {
        s.iter().try_fold(0u64, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + u64::from(d - b'0'))
        })
    };
    if b[10] != b' ' || b[16] != b' ' || !matches!(b[17], b'n' | b'f') || !is_whitespace(b[18]) {
        return None;
    }
    let offset = digits(&b[..10])?;
    let generation = u16::try_from(digits(&b[11..16])?).ok()?;
    Some((offset, generation, b[17]))
}
