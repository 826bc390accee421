//! Properties of the object layer: serialization and parsing are inverse, text strings
//! round-trip, and no input — truncated, bit-flipped or random — makes the reader panic.

use kyso_pdf::object::write_indirect_object;
use kyso_pdf::unstable::parser::{parse_indirect_object, parse_object};
use kyso_pdf::{Dict, Name, ObjRef, Object, PdfReader, PdfString, Stream, decode_text_string};
use proptest::collection::vec;
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn arb_name() -> impl Strategy<Value = Name> {
    prop_oneof![
        vec(any::<u8>(), 0..12).prop_map(Name),
        "[A-Za-z]{1,10}".prop_map(|s| Name::new(&s)),
    ]
}

fn arb_object() -> impl Strategy<Value = Object> {
    let leaf = prop_oneof![
        Just(Object::Null),
        any::<bool>().prop_map(Object::Bool),
        any::<i64>().prop_map(Object::Integer),
        (-1000i64..1000).prop_map(Object::Integer),
        any::<f64>()
            .prop_filter("PDF has no infinities or NaN", |f| f.is_finite())
            .prop_map(Object::Real),
        (-1e6f64..1e6).prop_map(Object::Real),
        (vec(any::<u8>(), 0..40), any::<bool>())
            .prop_map(|(bytes, hex)| Object::String(PdfString { bytes, hex })),
        arb_name().prop_map(Object::Name),
        (any::<u32>(), any::<u16>()).prop_map(|(n, g)| Object::Reference(ObjRef::new(n, g))),
    ];
    leaf.prop_recursive(8, 128, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(Object::Array),
            vec((arb_name(), inner), 0..8)
                .prop_map(|entries| Object::Dict(entries.into_iter().collect::<Dict>())),
        ]
    })
}

proptest! {
    #[test]
    fn parse_of_write_is_identity(obj in arb_object()) {
        let bytes = obj.to_bytes();
        let back = parse_object(&bytes);
        prop_assert!(back.is_ok(), "{:?} -> {}: {:?}", obj, String::from_utf8_lossy(&bytes), back);
        prop_assert_eq!(back.unwrap(), obj);
    }

    #[test]
    fn indirect_objects_and_streams_round_trip(
        num in 1u32..1_000_000,
        generation in any::<u16>(),
        dict in vec((arb_name(), arb_object()), 0..6),
        data in vec(any::<u8>(), 0..300),
        as_stream in any::<bool>(),
    ) {
        let mut dict: Dict = dict.into_iter().collect();
        let obj = if as_stream {
            dict.set("Length", Object::Integer(data.len() as i64));
            Object::Stream(Stream::new(dict, data))
        } else {
            Object::Dict(dict)
        };
        let r = ObjRef::new(num, generation);
        let mut out = Vec::new();
        write_indirect_object(r, &obj, &mut out);
        let (back_ref, back) = parse_indirect_object(&out).unwrap();
        prop_assert_eq!(back_ref, r);
        prop_assert_eq!(back, obj);
    }

    #[test]
    fn text_strings_round_trip(s in "\\PC{0,40}") {
        // U+001B starts a language escape in UTF-16 text strings (§7.9.2.2.1).
        prop_assume!(!s.contains('\u{1b}'));
        let obj = Object::text_string(&s);
        prop_assert_eq!(decode_text_string(obj.as_string_bytes().unwrap()), s.clone());
        let parsed = parse_object(&obj.to_bytes()).unwrap();
        prop_assert_eq!(parsed.as_text().unwrap(), s);
    }

    #[test]
    fn parser_never_panics_on_random_bytes(bytes in vec(any::<u8>(), 0..200)) {
        let _ = parse_object(&bytes);
        let _ = parse_indirect_object(&bytes);
    }

    #[test]
    fn parser_never_panics_on_pdf_like_tokens(
        parts in vec(prop_oneof![
            Just("<<"), Just(">>"), Just("["), Just("]"), Just("("), Just(")"), Just("<"),
            Just(">"), Just("/N"), Just("1"), Just("0"), Just("R"), Just("obj"),
            Just("endobj"), Just("stream\n"), Just("endstream"), Just(" "), Just("%"),
            Just("\\"), Just("\n"), Just("-.5"), Just("#"), Just("/Length"),
        ], 0..60)
    ) {
        let s: String = parts.concat();
        let _ = parse_object(s.as_bytes());
        let _ = parse_indirect_object(s.as_bytes());
    }

    #[test]
    fn reader_never_panics_on_byte_flips(
        which in 0usize..4,
        flips in vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let name = [
            "pyhanko/minimal.pdf",
            "pyhanko/minimal-xref.pdf",
            "pyhanko/uncompressed-objstream-sample.pdf",
            "objstm-two-fields.pdf",
        ][which];
        let mut bytes = fixture(name);
        for (i, b) in flips {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        exercise(bytes);
    }

    #[test]
    fn reader_never_panics_on_truncation(which in 0usize..3, cut in any::<prop::sample::Index>()) {
        let name = [
            "pyhanko/minimal-hybrid-xref.pdf",
            "linearized-objstm-two-pages.pdf",
            "pyhanko/minimal-two-fields-signed-twice.pdf",
        ][which];
        let bytes = fixture(name);
        let cut = cut.index(bytes.len());
        exercise(bytes[..cut].to_vec());
    }
}

/// Opens `bytes` and touches everything a signer would; only panics count as failures.
fn exercise(bytes: Vec<u8>) {
    let Ok(reader) = PdfReader::new(bytes) else {
        return;
    };
    let _ = reader.catalog();
    let _ = reader.page_count();
    let _ = reader.page_ref(0);
    let _ = reader.page_refs();
    let _ = reader.revision_ends();
    for n in 0..reader.size().min(64) {
        if let Ok(Object::Stream(s)) = reader.resolve(ObjRef::new(n, 0)) {
            let _ = s.decoded_data();
        }
    }
}

#[test]
fn vietnamese_text_strings_round_trip() {
    for s in [
        "Tôi đồng ý",
        "Hà Nội",
        "Phê duyệt văn bản",
        "Ủy ban nhân dân tỉnh Thừa Thiên Huế",
        "Người ký: Nguyễn Văn Ấn",
        "",
        "plain ASCII (with parens) \\ and backslash",
    ] {
        let obj = Object::text_string(s);
        assert_eq!(obj.as_text().unwrap(), s);
        let parsed = parse_object(&obj.to_bytes()).unwrap();
        assert_eq!(parsed, obj);
        assert_eq!(parsed.as_text().unwrap(), s);
    }
    // Non-ASCII goes out as UTF-16BE with a byte order mark.
    let bytes = Object::text_string("Hà Nội").to_bytes();
    assert!(
        bytes.starts_with(b"<FEFF0048"),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
}
