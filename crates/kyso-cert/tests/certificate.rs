//! Parsing, validity period and extensions of whole certificates.

use std::time::Duration;

use const_oid::ObjectIdentifier;
use kyso_cert::{Certificate, Error};

mod common;

use common::{fixture, read, with_extensions};

const EMAIL_PROTECTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4");
const MS_DOCUMENT_SIGNING: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.12");

#[test]
fn pem_chain_file_yields_all_certificates_in_order() {
    let chain = Certificate::all_from_pem(&read("vn-chain.pem")).expect("chain");
    assert_eq!(chain.len(), 2, "the PUBLIC KEY block is skipped");
    assert_eq!(chain[0], fixture("vn-signer.pem"));
    assert_eq!(chain[1], fixture("vn-root-ca.pem"));
    assert_eq!(
        Certificate::all_from_der_or_pem(&read("vn-chain.pem")).expect("chain"),
        chain
    );
}

#[test]
fn der_and_pem_give_the_same_certificate() {
    let from_pem = fixture("vn-signer.pem");
    let from_der = Certificate::from_der(from_pem.der()).expect("DER");
    assert_eq!(from_der, from_pem);
    assert_eq!(
        Certificate::all_from_der_or_pem(from_pem.der()).expect("DER"),
        [from_pem]
    );
}

#[test]
fn garbage_is_rejected_with_der_error() {
    assert!(matches!(
        Certificate::from_der(b"\x30\x03garbage"),
        Err(Error::Der(_))
    ));
    assert!(matches!(
        Certificate::all_from_der_or_pem(b"\x30\x82\xFF\xFF"),
        Err(Error::Der(_))
    ));
    let cert = fixture("vn-signer.pem");
    let truncated = &cert.der()[..cert.der().len() - 1];
    assert!(matches!(
        Certificate::from_der(truncated),
        Err(Error::Der(_))
    ));
    let mut trailing = cert.der().to_vec();
    trailing.push(0);
    assert!(matches!(
        Certificate::from_der(&trailing),
        Err(Error::Der(_))
    ));
}

#[test]
fn text_without_certificate_block_is_rejected() {
    assert!(matches!(
        Certificate::from_pem(b"hello"),
        Err(Error::NoPemCertificate)
    ));
    assert!(matches!(
        Certificate::from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n"),
        Err(Error::Pem(_))
    ));
}

#[test]
fn errors_say_what_went_wrong() {
    let message = Certificate::from_der(b"\x30\x03garbage")
        .expect_err("garbage")
        .to_string();
    assert!(
        message.starts_with("not a valid X.509 certificate"),
        "{message}"
    );
}

#[test]
fn validity_period_is_inclusive_at_both_ends() {
    let cert = fixture("vn-signer.pem");
    let (start, end) = (cert.not_before(), cert.not_after());
    assert_eq!(
        end.duration_since(start).expect("ordered"),
        Duration::from_secs(1095 * 24 * 3600)
    );
    assert!(cert.is_valid_at(start));
    assert!(cert.is_valid_at(end));
    assert!(cert.is_valid_at(start + Duration::from_secs(86_400)));
    assert!(!cert.is_valid_at(start - Duration::from_secs(1)));
    assert!(!cert.is_valid_at(end + Duration::from_secs(1)));
}

#[test]
fn generalized_time_not_after_is_read() {
    // notAfter 20491231235959Z is a GeneralizedTime in this fixture.
    let cert = fixture("vn-universalstring.pem");
    let after = cert
        .not_after()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after epoch");
    assert_eq!(after.as_secs(), 2_524_607_999);
}

#[test]
fn signer_key_usage_is_digital_signature_and_non_repudiation() {
    let usage = fixture("vn-signer.pem")
        .key_usage()
        .expect("well-formed")
        .expect("present");
    assert!(usage.digital_signature);
    assert!(usage.non_repudiation);
    assert!(!usage.key_cert_sign && !usage.crl_sign && !usage.key_encipherment);
    assert_eq!(usage.names(), ["digitalSignature", "nonRepudiation"]);
}

#[test]
fn ca_certificate_is_ca_with_cert_and_crl_signing() {
    let root = fixture("vn-root-ca.pem");
    assert!(root.is_ca().expect("well-formed"));
    let usage = root.key_usage().expect("well-formed").expect("present");
    assert!(usage.key_cert_sign && usage.crl_sign);
    assert!(!usage.digital_signature);
    assert!(root.is_self_issued());
    assert!(root.extended_key_usage().expect("well-formed").is_empty());
}

#[test]
fn leaf_is_not_ca_and_not_self_issued() {
    let leaf = fixture("vn-signer.pem");
    assert!(!leaf.is_ca().expect("well-formed"));
    assert!(!leaf.is_self_issued());
}

#[test]
fn certificate_without_basic_constraints_is_not_ca() {
    let cert = fixture("vn-bmpstring.pem");
    assert!(!cert.is_ca().expect("well-formed"));
    // openssl 3 adds a subjectKeyIdentifier to every `req -x509` certificate, but no
    // authorityKeyIdentifier to a self-signed one.
    assert!(
        cert.subject_key_identifier()
            .expect("well-formed")
            .is_some()
    );
    assert_eq!(cert.authority_key_identifier().expect("well-formed"), None);
}

#[test]
fn universalstring_certificate_without_extensions_has_none() {
    let cert = fixture("vn-universalstring.pem");
    assert_eq!(cert.key_usage().expect("no extensions"), None);
    assert!(cert.extended_key_usage().expect("no extensions").is_empty());
}

#[test]
fn extended_key_usage_lists_purposes_in_order() {
    assert_eq!(
        fixture("vn-signer.pem")
            .extended_key_usage()
            .expect("well-formed"),
        [EMAIL_PROTECTION, MS_DOCUMENT_SIGNING]
    );
}

#[test]
fn authority_key_identifier_matches_issuer_subject_key_identifier() {
    let root = fixture("vn-root-ca.pem");
    let root_ski = root
        .subject_key_identifier()
        .expect("well-formed")
        .expect("present");
    assert_eq!(root_ski.len(), 20, "SHA-1 key identifier");
    for leaf in ["vn-signer.pem", "vn-ec-signer.pem"] {
        let aki = fixture(leaf)
            .authority_key_identifier()
            .expect("well-formed")
            .expect("present");
        assert_eq!(aki, root_ski, "{leaf}");
    }
}

#[test]
fn fingerprint_is_sha256_of_der() {
    // `openssl x509 -in vn-signer.pem -noout -fingerprint -sha256` (update if regenerated).
    assert_eq!(
        hex::encode_upper(fixture("vn-signer.pem").fingerprint_sha256()),
        "7679027000655609 8CA9BF5ECDA69A57 9BF5919557CB9FB6 7F12ED70FEB6FEA2".replace(' ', "")
    );
}

#[test]
fn serial_is_uppercase_hex() {
    assert_eq!(fixture("vn-signer.pem").serial_hex(), "1A2B3C4D5E6F");
}

#[test]
fn ec_certificate_exposes_its_ec_public_key() {
    let cert = fixture("vn-ec-signer.pem");
    let spki = cert.public_key_der().expect("encodable");
    let id_ec_public_key = [0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
    assert!(
        spki.windows(id_ec_public_key.len())
            .any(|w| w == id_ec_public_key)
    );
    assert_eq!(
        cert.inner()
            .tbs_certificate()
            .subject_public_key_info()
            .algorithm
            .oid,
        ObjectIdentifier::new_unwrap("1.2.840.10045.2.1")
    );
}

/// The signer's keyUsage extension: critical, digitalSignature + nonRepudiation.
const SIGNER_KEY_USAGE: [u8; 14] = [
    0x30, 0x0E, 0x06, 0x03, 0x55, 0x1D, 0x0F, 0x01, 0x01, 0xFF, 0x04, 0x04, 0x03, 0x02,
];

#[test]
fn duplicate_extension_is_reported() {
    let der = with_extensions(fixture("vn-signer.pem").der(), |extensions| {
        let at = extensions
            .windows(SIGNER_KEY_USAGE.len())
            .position(|w| w == SIGNER_KEY_USAGE)
            .expect("the signer's keyUsage extension");
        let ku = &extensions[at..at + 16];
        [extensions, ku].concat()
    });
    let cert = Certificate::from_der(&der).expect("x509-cert accepts it");
    let error = cert.key_usage().expect_err("duplicate");
    assert!(matches!(
        error,
        Error::DuplicateExtension {
            name: "keyUsage",
            ..
        }
    ));
    assert_eq!(
        error.to_string(),
        "the keyUsage extension (2.5.29.15) appears more than once"
    );
    // Other extensions are still readable.
    assert!(!cert.is_ca().expect("one basicConstraints"));
}

#[test]
fn malformed_key_usage_is_reported_with_its_oid() {
    let der = with_extensions(fixture("vn-signer.pem").der(), |extensions| {
        let mut edited = extensions.to_vec();
        let at = edited
            .windows(SIGNER_KEY_USAGE.len())
            .position(|w| w == SIGNER_KEY_USAGE)
            .expect("the signer's keyUsage extension");
        edited[at + 12] = 0x04; // BIT STRING -> OCTET STRING
        edited
    });
    let error = Certificate::from_der(&der)
        .expect("x509-cert does not decode extension values")
        .key_usage()
        .expect_err("malformed");
    assert!(matches!(
        error,
        Error::MalformedExtension {
            name: "keyUsage",
            ..
        }
    ));
    assert!(
        error
            .to_string()
            .starts_with("malformed keyUsage extension (2.5.29.15)")
    );
}
