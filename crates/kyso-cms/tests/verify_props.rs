//! No input makes the verifier panic: arbitrary bytes, and random mutations (byte changes,
//! truncation, insertion, deletion) of valid signatures by each key type, in DER and in BER;
//! BER re-encodings read back as the DER they came from.

use std::sync::OnceLock;

use kyso_cms::verify::SignedDataInfo;
use kyso_cms::{DigestAlgorithm, SignatureScheme, SignedDataBuilder, Signer};
use kyso_testkit::{LeafKind, TestPki};
use kyso_token::SoftwareSigner;
use proptest::prelude::*;

const CONTENT: &[u8] = b"property content";

/// Valid signatures: RSA PKCS#1 v1.5 with signing-time, RSA-PSS, ECDSA.
fn valid() -> &'static [Vec<u8>] {
    static CMS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    CMS.get_or_init(|| {
        let load = |kind| {
            let leaf = TestPki::get().leaf(kind);
            SoftwareSigner::from_pem_files(
                &leaf.key_pem,
                &leaf.cert_pem,
                Some(&leaf.chain_pem),
                None,
            )
            .expect("load test key")
        };
        let pss = load(LeafKind::Rsa3072Pss)
            .with_algorithm(SignatureScheme::rsa_pss(DigestAlgorithm::Sha256))
            .expect("pss");
        let signers: [&dyn Signer; 3] = [&load(LeafKind::Rsa2048), &pss, &load(LeafKind::P256)];
        signers
            .iter()
            .map(|s| {
                let builder = SignedDataBuilder::for_signer(*s).signing_time(
                    std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000),
                );
                builder
                    .sign(*s, &builder.digest_algorithm().digest(CONTENT))
                    .expect("sign")
            })
            .collect()
    })
}

/// Parses and, when that succeeds, verifies; only a panic fails the property.
fn exercise(bytes: &[u8]) {
    if let Ok(info) = SignedDataInfo::parse(bytes) {
        let _ = info.verify_content(CONTENT);
        let _ = info.verify(&[0u8; 32]);
        let _ = info.verify(&[]);
        let _ = info.timestamp_tokens();
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        1 => (any::<usize>(), 1usize..16).prop_map(|(i, n)| Mutation::Delete(i, n)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let at = |i: usize| i % bytes.len();
    match m {
        Mutation::Set(i, b) => {
            let i = at(*i);
            bytes[i] = *b;
        }
        Mutation::Truncate(i) => {
            let i = at(*i);
            bytes.truncate(i);
        }
        Mutation::Insert(i, v) => {
            let i = at(*i);
            bytes.splice(i..i, v.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let i = at(*i);
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        exercise(&bytes);
    }

    #[test]
    fn bytes_after_a_der_sequence_header_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..1024)
    ) {
        let mut bytes = vec![0x30, 0x82, (body.len() >> 8) as u8, body.len() as u8];
        bytes.extend(body);
        exercise(&bytes);
    }

    #[test]
    fn mutated_signatures_never_panic(
        which in 0usize..3,
        mutations in proptest::collection::vec(mutation(), 1..6)
    ) {
        let mut bytes = valid()[which].clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        exercise(&bytes);
    }

    /// BER reader and DER writer are inverse: any signature re-encoded in BER (any segment
    /// size) comes back as the DER it was, and still verifies.
    #[test]
    fn ber_forms_of_a_signature_read_back_as_its_der(which in 0usize..3, chunk in 1usize..300) {
        let der = &valid()[which];
        let ber = kyso_testkit::ber::indefinite(der, chunk);
        let form = kyso_cms::ber::to_der(&ber).expect("BER reads");
        prop_assert_eq!(form.bytes(), der.as_slice());
        prop_assert!(SignedDataInfo::parse(&ber).expect("parses").verify_content(CONTENT).is_ok());
    }

    /// BER re-encodings, mutated: never a panic.
    #[test]
    fn mutated_ber_never_panics(
        which in 0usize..3,
        mutations in proptest::collection::vec(mutation(), 1..6)
    ) {
        let mut bytes = kyso_testkit::ber::indefinite(&valid()[which], 40);
        for m in &mutations {
            apply(&mut bytes, m);
        }
        exercise(&bytes);
        let _ = kyso_cms::ber::to_der(&bytes);
    }
}
