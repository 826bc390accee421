//! Stream filters (ISO 32000-2 §7.4): the ones a reader of document structure needs.
//!
//! Cross-reference streams (§7.5.8) and object streams (§7.5.7) are in practice always
//! `/FlateDecode`, usually with a PNG predictor; `/ASCIIHexDecode` and `/ASCII85Decode`
//! are cheap to support as well. Image filters (DCT, JPX, JBIG2, CCITT) and LZW/RunLength
//! give [`Error::Unsupported`].

use std::io::Read;

use flate2::read::{DeflateDecoder, ZlibDecoder};

use crate::error::{Error, Result};
use crate::object::{Dict, Object};

/// The most bytes [`crate::Stream::decoded_data`] produces (64 MiB). A cross-reference
/// stream for ten million objects fits; a decompression bomb stops here.
pub const MAX_DECODED_STREAM_LEN: usize = 64 << 20;

/// Most filters applied to one stream.
const MAX_FILTERS: usize = 8;

/// Decodes `data` with the `/Filter` and `/DecodeParms` of `dict` (ISO 32000-2 §7.4),
/// producing at most `limit` bytes.
pub fn decode_stream(dict: &Dict, data: &[u8], limit: usize) -> Result<Vec<u8>> {
    let filters: Vec<&Object> = match dict.get("Filter") {
        None | Some(Object::Null) => return bounded_copy(data, limit),
        Some(Object::Array(a)) => a.iter().collect(),
        Some(f) => vec![f],
    };
    if filters.len() > MAX_FILTERS {
        return Err(Error::LimitExceeded {
            what: "filters on one stream",
            limit: MAX_FILTERS,
        });
    }
    let parms: Vec<Option<&Dict>> = match dict.get("DecodeParms").or_else(|| dict.get("DP")) {
        Some(Object::Array(a)) => a.iter().map(Object::as_dict).collect(),
        Some(Object::Dict(d)) => vec![Some(d)],
        _ => Vec::new(),
    };
    let mut cur: Option<Vec<u8>> = None;
    for (i, f) in filters.iter().enumerate() {
        let input = cur.as_deref().unwrap_or(data);
        let name = f.as_name().ok_or_else(|| {
            Error::Decode(format!("/Filter entry is a {}, not a name", f.type_name()))
        })?;
        let p = parms.get(i).copied().flatten();
        let out = match name {
            b"FlateDecode" | b"Fl" => predict(inflate(input, limit)?, p, limit)?,
            b"ASCIIHexDecode" | b"AHx" => ascii_hex(input, limit)?,
            b"ASCII85Decode" | b"A85" => ascii85(input, limit)?,
            other => {
                return Err(Error::Unsupported(format!(
                    "stream filter /{}",
                    String::from_utf8_lossy(other)
                )));
            }
        };
        cur = Some(out);
    }
    match cur {
        Some(v) => Ok(v),
        None => bounded_copy(data, limit),
    }
}

fn too_long(limit: usize) -> Error {
    Error::LimitExceeded {
        what: "decoded stream length",
        limit,
    }
}

fn bounded_copy(data: &[u8], limit: usize) -> Result<Vec<u8>> {
    if data.len() > limit {
        return Err(too_long(limit));
    }
    Ok(data.to_vec())
}

/// zlib (RFC 1950) data, or raw deflate (RFC 1951) as some writers produce.
fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>> {
    let zlib_header = data.len() >= 2
        && data[0] & 0x0f == 8
        && (u16::from(data[0]) << 8 | u16::from(data[1])) % 31 == 0;
    let mut out = Vec::new();
    let cap = limit as u64 + 1;
    let res = if zlib_header {
        ZlibDecoder::new(data).take(cap).read_to_end(&mut out)
    } else {
        DeflateDecoder::new(data).take(cap).read_to_end(&mut out)
    };
    if out.len() > limit {
        return Err(too_long(limit));
    }
    match res {
        Ok(_) => Ok(out),
        Err(e) => Err(Error::Decode(format!("FlateDecode: {e}"))),
    }
}

fn parm(p: Option<&Dict>, key: &str, default: i64) -> i64 {
    p.and_then(|d| d.get(key))
        .and_then(Object::as_i64)
        .unwrap_or(default)
}

/// The predictors of ISO 32000-2 §7.4.4.4 (Table 10): 1 none, 2 TIFF, 10–15 PNG.
fn predict(data: Vec<u8>, p: Option<&Dict>, limit: usize) -> Result<Vec<u8>> {
    let predictor = parm(p, "Predictor", 1);
    if predictor == 1 {
        return Ok(data);
    }
    let colors = parm(p, "Colors", 1);
    let bpc = parm(p, "BitsPerComponent", 8);
    let columns = parm(p, "Columns", 1);
    if !(1..=32).contains(&colors) || ![1, 2, 4, 8, 16].contains(&bpc) || columns < 1 {
        return Err(Error::Decode(format!(
            "bad predictor parameters /Colors {colors} /BitsPerComponent {bpc} /Columns {columns}"
        )));
    }
    let bits_per_pixel = (colors * bpc) as usize;
    let row_len = (bits_per_pixel as u128 * columns as u128).div_ceil(8);
    if row_len > limit as u128 {
        return Err(too_long(limit));
    }
    let row_len = row_len as usize;
    let bpp = bits_per_pixel.div_ceil(8);
    match predictor {
        2 => {
            if bpc != 8 {
                return Err(Error::Unsupported(format!(
                    "TIFF predictor with /BitsPerComponent {bpc}"
                )));
            }
            let mut data = data;
            for row in data.chunks_mut(row_len) {
                for i in bpp..row.len() {
                    row[i] = row[i].wrapping_add(row[i - bpp]);
                }
            }
            Ok(data)
        }
        10..=15 => {
            let mut out = Vec::with_capacity(data.len() / (row_len + 1) * row_len);
            let mut prev = vec![0u8; row_len];
            for chunk in data.chunks(row_len + 1) {
                let kind = chunk[0];
                let src = &chunk[1..];
                let mut row = vec![0u8; src.len()];
                for i in 0..src.len() {
                    let left = if i >= bpp { row[i - bpp] } else { 0 };
                    let up = prev[i];
                    let up_left = if i >= bpp { prev[i - bpp] } else { 0 };
                    row[i] = match kind {
                        0 => src[i],
                        1 => src[i].wrapping_add(left),
                        2 => src[i].wrapping_add(up),
                        3 => src[i].wrapping_add(((u16::from(left) + u16::from(up)) / 2) as u8),
                        4 => src[i].wrapping_add(paeth(left, up, up_left)),
                        k => {
                            return Err(Error::Decode(format!("PNG predictor row type {k}")));
                        }
                    };
                }
                if out.len() + row.len() > limit {
                    return Err(too_long(limit));
                }
                out.extend_from_slice(&row);
                prev[..row.len()].copy_from_slice(&row);
            }
            Ok(out)
        }
        other => Err(Error::Unsupported(format!("predictor {other}"))),
    }
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let pa = (p - i16::from(a)).abs();
    let pb = (p - i16::from(b)).abs();
    let pc = (p - i16::from(c)).abs();
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// `/ASCIIHexDecode` (ISO 32000-2 §7.4.2).
fn ascii_hex(data: &[u8], limit: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 2);
    let mut high: Option<u8> = None;
    for &b in data {
        let v = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            b'>' => break,
            b if super::lexer::is_whitespace(b) => continue,
            b => return Err(Error::Decode(format!("ASCIIHexDecode: byte 0x{b:02x}"))),
        };
        match high.take() {
            Some(h) => out.push(h << 4 | v),
            None => high = Some(v),
        }
    }
    if let Some(h) = high {
        out.push(h << 4);
    }
    if out.len() > limit {
        return Err(too_long(limit));
    }
    Ok(out)
}

/// `/ASCII85Decode` (ISO 32000-2 §7.4.3).
fn ascii85(data: &[u8], limit: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 5 * 4);
    let mut group = [0u8; 5];
    let mut n = 0;
    for &b in data {
        match b {
            b'~' => break,
            b'z' if n == 0 => out.extend_from_slice(&[0; 4]),
            b'!'..=b'u' => {
                group[n] = b - b'!';
                n += 1;
                if n == 5 {
                    out.extend_from_slice(&a85_value(&group)?.to_be_bytes());
                    n = 0;
                }
            }
            b if super::lexer::is_whitespace(b) => {}
            b => return Err(Error::Decode(format!("ASCII85Decode: byte 0x{b:02x}"))),
        }
        if out.len() > limit {
            return Err(too_long(limit));
        }
    }
    if n == 1 {
        return Err(Error::Decode(
            "ASCII85Decode: final group of one character".into(),
        ));
    }
    if n > 1 {
        for g in group.iter_mut().skip(n) {
            *g = b'u' - b'!';
        }
        out.extend_from_slice(&a85_value(&group)?.to_be_bytes()[..n - 1]);
    }
    if out.len() > limit {
        return Err(too_long(limit));
    }
    Ok(out)
}

fn a85_value(group: &[u8; 5]) -> Result<u32> {
    let v = group.iter().fold(0u64, |acc, &d| acc * 85 + u64::from(d));
    u32::try_from(v).map_err(|_| Error::Decode("ASCII85Decode: group out of range".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::Name;
    use flate2::{Compression, write::ZlibEncoder};
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn flate_dict() -> Dict {
        let mut d = Dict::new();
        d.set("Filter", Object::name("FlateDecode"));
        d
    }

    #[test]
    fn flate_round_trip_and_limit() {
        let data = vec![7u8; 100_000];
        let enc = zlib(&data);
        assert_eq!(decode_stream(&flate_dict(), &enc, 1 << 20).unwrap(), data);
        assert!(matches!(
            decode_stream(&flate_dict(), &enc, 99_999),
            Err(Error::LimitExceeded { .. })
        ));
        assert!(matches!(
            decode_stream(&flate_dict(), b"\x78\x9cgarbage", 100),
            Err(Error::Decode(_))
        ));
    }

    #[test]
    fn png_up_predictor() {
        // Two rows of 3 columns, "Up" filter: second row adds the first.
        let raw = [2u8, 1, 2, 3, 2, 1, 1, 1];
        let mut d = flate_dict();
        let mut p = Dict::new();
        p.set("Predictor", Object::Integer(12));
        p.set("Columns", Object::Integer(3));
        d.set("DecodeParms", Object::Dict(p));
        assert_eq!(
            decode_stream(&d, &zlib(&raw), 1000).unwrap(),
            vec![1, 2, 3, 2, 3, 4]
        );
    }

    #[test]
    fn png_sub_average_paeth() {
        let raw = [1u8, 1, 1, 1, 3, 2, 2, 2, 4, 1, 1, 1];
        let mut d = flate_dict();
        let mut p = Dict::new();
        p.set("Predictor", Object::Integer(15));
        p.set("Columns", Object::Integer(3));
        d.set("DecodeParms", Object::Dict(p));
        assert_eq!(
            decode_stream(&d, &zlib(&raw), 1000).unwrap(),
            vec![1, 2, 3, 2, 4, 5, 3, 5, 6]
        );
    }

    #[test]
    fn ascii_filters_and_chains() {
        let mut d = Dict::new();
        d.set("Filter", Object::name("ASCIIHexDecode"));
        assert_eq!(
            decode_stream(&d, b"48 65 6C6C 6F7>", 100).unwrap(),
            b"Hellop"
        );
        d.set("Filter", Object::name("ASCII85Decode"));
        assert_eq!(
            decode_stream(&d, b"87cURD]i,\"Ebo80~>", 100).unwrap(),
            b"Hello World!"
        );
        assert_eq!(decode_stream(&d, b"z~>", 100).unwrap(), [0; 4]);
        let hex = hex::encode(zlib(b"chained")) + ">";
        d.set(
            "Filter",
            Object::Array(vec![
                Object::Name(Name::new("AHx")),
                Object::Name(Name::new("FlateDecode")),
            ]),
        );
        assert_eq!(decode_stream(&d, hex.as_bytes(), 100).unwrap(), b"chained");
        d.set("Filter", Object::name("DCTDecode"));
        assert!(matches!(
            decode_stream(&d, b"", 100),
            Err(Error::Unsupported(_))
        ));
    }
}
