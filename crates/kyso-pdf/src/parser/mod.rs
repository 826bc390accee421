//! Parsing PDF objects from bytes (ISO 32000-2 §7.2, §7.3) and decoding stream data
//! (§7.4).
//!
//! The parser takes untrusted bytes: it never panics, nests arrays and dictionaries at
//! most [`MAX_NESTING_DEPTH`] deep, and bounds decoded stream data by
//! [`MAX_DECODED_STREAM_LEN`]. [`crate::reader::PdfReader`] uses it on windows of a file;
//! [`parse_object`] and [`parse_indirect_object`] parse a complete buffer (fuzz targets and
//! tests use them).

mod filter;
pub(crate) mod lexer;

use crate::error::{Error, Result};
use crate::object::{Dict, ObjRef, Object, Stream};
pub use filter::{MAX_DECODED_STREAM_LEN, decode_stream};
use lexer::{Lexer, PErr, PResult, Token};

/// How deeply arrays and dictionaries may nest inside one object. Real documents stay
/// below 10; the limit keeps recursion bounded on hostile input.
pub const MAX_NESTING_DEPTH: usize = 64;

/// Parses one direct object (ISO 32000-2 §7.3) from `bytes`; only white space and
/// comments may follow it. `12 0 R` is a reference. Streams cannot be direct objects; use
/// [`parse_indirect_object`].
pub fn parse_object(bytes: &[u8]) -> Result<Object> {
    let mut lx = Lexer::new(bytes, 0, true);
    let obj = parse_value(&mut lx, 0).map_err(perr_to_error)?;
    expect_end(&mut lx)?;
    Ok(obj)
}

/// Parses one indirect object `n g obj ... endobj` (ISO 32000-2 §7.3.10), stream
/// included (§7.3.8): the stream data is `/Length` bytes if `/Length` is a direct integer
/// followed by `endstream`, else everything up to the next `endstream`.
pub fn parse_indirect_object(bytes: &[u8]) -> Result<(ObjRef, Object)> {
    let mut lx = Lexer::new(bytes, 0, true);
    let (r, parsed) = parse_indirect(&mut lx).map_err(perr_to_error)?;
    match parsed {
        Parsed::Object(o) => Ok((r, o)),
        Parsed::StreamHead { dict, data_start } => {
            let start = usize::try_from(data_start).unwrap_or(usize::MAX);
            let rest = bytes.get(start..).unwrap_or_default();
            let declared = dict
                .get("Length")
                .and_then(Object::as_i64)
                .and_then(|l| usize::try_from(l).ok());
            let len = match declared {
                Some(l) if l <= rest.len() && endstream_follows(&rest[l..]) => l,
                _ => match find(rest, b"endstream") {
                    Some(end) => trim_eol(&rest[..end]).len(),
                    None => {
                        return Err(Error::Syntax {
                            offset: data_start,
                            message: format!("stream of object {r} has no 'endstream'"),
                        });
                    }
                },
            };
            Ok((r, Object::Stream(Stream::new(dict, rest[..len].to_vec()))))
        }
    }
}

/// Whether `rest` starts with optional white space and then `endstream`.
pub(crate) fn endstream_follows(rest: &[u8]) -> bool {
    let skip = rest
        .iter()
        .take_while(|&&b| lexer::is_whitespace(b))
        .count();
    rest[skip..].starts_with(b"endstream")
}

/// `data` without one trailing end-of-line marker (CRLF, LF or CR), which belongs to
/// `endstream` (ISO 32000-2 §7.3.8.1).
pub(crate) fn trim_eol(data: &[u8]) -> &[u8] {
    if let Some(d) = data.strip_suffix(b"\r\n") {
        d
    } else if let Some(d) = data.strip_suffix(b"\n") {
        d
    } else if let Some(d) = data.strip_suffix(b"\r") {
        d
    } else {
        data
    }
}

/// The first position of `needle` in `hay`.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn expect_end(lx: &mut Lexer<'_>) -> Result<()> {
    lx.skip_ws();
    if lx.pos() < lx.buf().len() {
        return Err(Error::Syntax {
            offset: lx.abs_pos(),
            message: "unexpected data after the object".into(),
        });
    }
    Ok(())
}

pub(crate) fn perr_to_error(e: PErr) -> Error {
    match e {
        PErr::Incomplete => Error::Syntax {
            offset: 0,
            message: "unexpected end of data".into(),
        },
        PErr::Syntax { offset, message } => Error::Syntax { offset, message },
        PErr::TooDeep => Error::LimitExceeded {
            what: "nesting depth of arrays and dictionaries",
            limit: MAX_NESTING_DEPTH,
        },
    }
}

/// An indirect object as far as a window of the file can tell.
#[derive(Debug)]
pub(crate) enum Parsed {
    /// A complete object.
    Object(Object),
    /// A stream: its dictionary and the absolute offset where its data starts; the
    /// caller reads the data.
    StreamHead { dict: Dict, data_start: u64 },
}

/// Parses `n g obj` (ISO 32000-2 §7.3.10) and returns the reference.
pub(crate) fn parse_obj_header(lx: &mut Lexer<'_>) -> PResult<ObjRef> {
    let start = lx.pos();
    let num = lx.next()?;
    let generation = lx.next()?;
    let kw = lx.next()?;
    match (num, generation, kw) {
        (Token::Integer(n), Token::Integer(g), Token::Keyword(b"obj")) => {
            match (u32::try_from(n), u16::try_from(g)) {
                (Ok(num), Ok(generation)) => Ok(ObjRef { num, generation }),
                _ => lx.syntax(start, format!("object number {n} {g} out of range")),
            }
        }
        _ => lx.syntax(start, "expected an object header 'n g obj'"),
    }
}

/// Parses an indirect object `n g obj <object> [stream ...] endobj`. A missing `endobj`
/// is tolerated.
pub(crate) fn parse_indirect(lx: &mut Lexer<'_>) -> PResult<(ObjRef, Parsed)> {
    let r = parse_obj_header(lx)?;
    let save = lx.pos();
    let obj = match lx.next()? {
        Token::Keyword(b"endobj") => {
            // An empty object body: null.
            lx.set_pos(save);
            Object::Null
        }
        t => parse_from_token(lx, t, 0)?,
    };
    if lx.eat_keyword(b"stream")? {
        let Object::Dict(dict) = obj else {
            return lx.syntax(
                lx.tok_start(),
                format!("'stream' after a {}", obj.type_name()),
            );
        };
        // `stream` is followed by CRLF or LF (§7.3.8.1); tolerate CR alone and spaces
        // before the end of line.
        let buf = lx.buf();
        let mut p = lx.pos();
        while matches!(buf.get(p), Some(b' ' | b'\t')) {
            p += 1;
        }
        match buf.get(p) {
            Some(b'\r') => {
                p += 1;
                match buf.get(p) {
                    Some(b'\n') => p += 1,
                    Some(_) => {}
                    None if !lx.is_complete() => return Err(PErr::Incomplete),
                    None => {}
                }
            }
            Some(b'\n') => p += 1,
            Some(_) => {}
            None if !lx.is_complete() => return Err(PErr::Incomplete),
            None => {}
        }
        lx.set_pos(p);
        return Ok((
            r,
            Parsed::StreamHead {
                dict,
                data_start: lx.abs_pos(),
            },
        ));
    }
    // `endobj`, if there; a missing one is tolerated.
    lx.eat_keyword(b"endobj")?;
    Ok((r, Parsed::Object(obj)))
}

/// Parses one direct object.
pub(crate) fn parse_value(lx: &mut Lexer<'_>, depth: usize) -> PResult<Object> {
    let t = lx.next()?;
    parse_from_token(lx, t, depth)
}

fn parse_from_token(lx: &mut Lexer<'_>, t: Token<'_>, depth: usize) -> PResult<Object> {
    let start = lx.tok_start();
    Ok(match t {
        Token::Integer(n) => {
            // `n g R`: look two tokens ahead.
            if let (Ok(num), Some(generation)) = (u32::try_from(n), try_reference_tail(lx)?) {
                Object::Reference(ObjRef { num, generation })
            } else {
                Object::Integer(n)
            }
        }
        Token::Real(r) => Object::Real(r),
        Token::Name(n) => Object::Name(n),
        Token::String(s) => Object::String(s),
        Token::Keyword(b"true") => Object::Bool(true),
        Token::Keyword(b"false") => Object::Bool(false),
        Token::Keyword(b"null") => Object::Null,
        Token::ArrayOpen => {
            if depth >= MAX_NESTING_DEPTH {
                return Err(PErr::TooDeep);
            }
            let mut items = Vec::new();
            loop {
                match lx.next()? {
                    Token::ArrayClose => break,
                    t => items.push(parse_from_token(lx, t, depth + 1)?),
                }
            }
            Object::Array(items)
        }
        Token::DictOpen => {
            if depth >= MAX_NESTING_DEPTH {
                return Err(PErr::TooDeep);
            }
            let mut entries = Vec::new();
            loop {
                match lx.next()? {
                    Token::DictClose => break,
                    Token::Name(key) => {
                        match lx.next()? {
                            // A key without a value: treat as null and close.
                            Token::DictClose => {
                                entries.push((key, Object::Null));
                                break;
                            }
                            t => {
                                let value = parse_from_token(lx, t, depth + 1)?;
                                entries.push((key, value));
                            }
                        }
                    }
                    t => {
                        return lx.syntax(
                            lx.tok_start(),
                            format!("dictionary key must be a name, found {}", t.describe()),
                        );
                    }
                }
            }
            // A repeated key keeps its last value (ISO 32000-2 §7.3.7 leaves it undefined).
            let dict: Dict = entries.into_iter().collect();
            Object::Dict(dict)
        }
        t => {
            return lx.syntax(
                start,
                format!("unexpected {} where an object was expected", t.describe()),
            );
        }
    })
}

/// After an integer: if `g R` follows, consume it and return `g`.
fn try_reference_tail(lx: &mut Lexer<'_>) -> PResult<Option<u16>> {
    // Whatever follows is not tokenized further than needed: a syntax error in the
    // lookahead just means "not a reference"; only running out of bytes matters.
    let save = lx.pos();
    let g = match lx.next_opt() {
        Ok(Some(Token::Integer(g))) => g,
        Err(PErr::Incomplete) => return Err(PErr::Incomplete),
        _ => {
            lx.set_pos(save);
            return Ok(None);
        }
    };
    let is_r = lx.eat_keyword(b"R")?;
    match u16::try_from(g) {
        Ok(g) if is_r => Ok(Some(g)),
        _ => {
            lx.set_pos(save);
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::{Name, PdfString};

    #[test]
    fn parses_nested_containers_and_references() {
        let o =
            parse_object(b"<< /Kids [1 0 R 2 0 R] /Count 2 /N null /B true /X [1 2 R] >>").unwrap();
        let d = o.as_dict().unwrap();
        assert_eq!(
            d.get("Kids").unwrap().as_array().unwrap(),
            &[
                Object::Reference(ObjRef::new(1, 0)),
                Object::Reference(ObjRef::new(2, 0))
            ]
        );
        assert_eq!(d.get("Count"), Some(&Object::Integer(2)));
        assert_eq!(d.get("N"), Some(&Object::Null));
        assert_eq!(d.get("B"), Some(&Object::Bool(true)));
        assert!(parse_object(b"[1 -2 R]").is_err());
    }

    #[test]
    fn compact_syntax_without_spaces() {
        let o = parse_object(b"<</A/B/C(x)/D<41>/E[/F 1]>>").unwrap();
        let d = o.as_dict().unwrap();
        assert_eq!(d.get("A"), Some(&Object::Name(Name::new("B"))));
        assert_eq!(
            d.get("C"),
            Some(&Object::String(PdfString::literal(&b"x"[..])))
        );
        assert_eq!(d.get("D"), Some(&Object::String(PdfString::hex(&b"A"[..]))));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert!(matches!(
            parse_object(deep.as_bytes()),
            Err(Error::LimitExceeded { .. })
        ));
        let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
        assert!(parse_object(ok.as_bytes()).is_ok());
        let too_deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
        assert!(parse_object(too_deep.as_bytes()).is_err());
    }

    #[test]
    fn indirect_object_with_stream() {
        let (r, o) = parse_indirect_object(
            b"7 0 obj\n<< /Length 5 >>\nstream\r\nhello\r\nendstream\nendobj",
        )
        .unwrap();
        assert_eq!(r, ObjRef::new(7, 0));
        assert_eq!(o.as_stream().unwrap().data, b"hello");
        // wrong /Length: found by scanning for endstream
        let (_, o) =
            parse_indirect_object(b"7 0 obj\n<< /Length 50 >>\nstream\nhel\nlo\nendstream\nendobj")
                .unwrap();
        assert_eq!(o.as_stream().unwrap().data, b"hel\nlo");
    }

    #[test]
    fn huge_dictionaries_parse_in_linear_time_and_keep_the_last_duplicate() {
        let mut text = b"<<".to_vec();
        for i in 0..200_000 {
            text.extend_from_slice(format!("/k{i} {i} ").as_bytes());
        }
        text.extend_from_slice(b"/k0 (last)>>");
        let start = std::time::Instant::now();
        let o = parse_object(&text).unwrap();
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        let d = o.as_dict().unwrap();
        assert_eq!(d.len(), 200_000);
        assert_eq!(d.iter().next().unwrap().0, &"k0");
        assert_eq!(d.get("k0").unwrap().as_string_bytes(), Some(&b"last"[..]));
    }

    #[test]
    fn what_follows_an_object_is_not_tokenized() {
        // Junk after a complete object does not spoil it.
        let (_, o) = parse_indirect_object(b"1 0 obj 5 (unterminated").unwrap();
        assert_eq!(o, Object::Integer(5));
        let (_, o) = parse_indirect_object(b"1 0 obj << /A 1 >> ) junk").unwrap();
        assert!(o.as_dict().is_some());
        // `endobj` and `R` right after a delimiter.
        let (_, o) = parse_indirect_object(b"1 0 obj[2 0 R]endobj").unwrap();
        assert_eq!(o, Object::Array(vec![Object::Reference(ObjRef::new(2, 0))]));
    }

    #[test]
    fn garbage_is_a_syntax_error_with_offset() {
        match parse_object(b"<< /A 1 2 >>") {
            Err(Error::Syntax { offset, .. }) => assert_eq!(offset, 8),
            other => panic!("{other:?}"),
        }
        assert!(parse_object(b")").is_err());
        assert!(parse_object(b"").is_err());
        assert!(parse_object(b"1 2").is_err());
    }
}
