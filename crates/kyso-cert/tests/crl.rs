//! CRLs made by `openssl ca -gencrl` for the test PKI: the intermediate's CRL verifies, lists
//! the revoked leaf with its reason and not the others; a CRL checked against the wrong
//! issuer, after its nextUpdate, or with a byte changed is refused with the reason. And CRLs
//! of NIST PKITS (`tests/pkits/crls.tar.gz`): an issuer name in another string type matches
//! (RFC 5280 §7.1); a CRL whose issuer's keyUsage lacks cRLSign, or with an unknown critical
//! extension or entry extension, is refused.

use std::time::{Duration, SystemTime};

use kyso_cert::Certificate;
use kyso_cert::crl::verify_crl;
use kyso_testkit::{LeafKind, TestPki};

fn cert(path: &std::path::Path) -> Certificate {
    Certificate::from_pem(&std::fs::read(path).expect("read")).expect("certificate")
}

#[test]
fn the_intermediate_crl_lists_the_revoked_leaf_only() {
    let pki = TestPki::get();
    let issuer = cert(pki.intermediate_pem());
    let crl = verify_crl(
        &std::fs::read(pki.intermediate_crl_pem()).expect("crl"),
        &issuer,
        SystemTime::now(),
    )
    .expect("verifies");
    let revoked = cert(&pki.leaf(LeafKind::Revoked).cert_pem);
    let entry = crl.revocation(&revoked).expect("lookup").expect("listed");
    assert_eq!(entry.reason, Some(1), "keyCompromise");
    assert!(entry.time <= SystemTime::now());
    for kind in [LeafKind::Rsa2048, LeafKind::P256, LeafKind::Tsa] {
        let c = cert(&pki.leaf(kind).cert_pem);
        assert_eq!(crl.revocation(&c).expect("lookup"), None, "{kind:?}");
    }
}

#[test]
fn a_crl_from_another_issuer_a_stale_one_and_a_changed_one_are_refused() {
    let pki = TestPki::get();
    let intermediate = cert(pki.intermediate_pem());
    let root = cert(pki.root_pem());
    let now = SystemTime::now();
    let pem = std::fs::read(pki.intermediate_crl_pem()).expect("crl");

    let err = verify_crl(&pem, &root, now).unwrap_err();
    assert!(err.to_string().contains("not by"), "{err}");
    // The root's own CRL verifies against the root.
    verify_crl(&std::fs::read(pki.root_crl_pem()).expect("crl"), &root, now).expect("root CRL");

    let later = now + Duration::from_secs(400 * 86_400);
    let err = verify_crl(&pem, &intermediate, later).unwrap_err();
    assert!(err.to_string().contains("stale"), "{err}");

    let der = pem_to_der(&pem);
    let mut changed = der.clone();
    let at = changed.len() - 40; // inside the signature
    changed[at] ^= 0x01;
    let err = verify_crl(&changed, &intermediate, now).unwrap_err();
    assert!(err.to_string().contains("signature"), "{err}");
    assert!(verify_crl(b"not a CRL", &intermediate, now).is_err());
}

fn pem_to_der(pem: &[u8]) -> Vec<u8> {
    let out = std::process::Command::new("openssl")
        .args(["crl", "-outform", "DER"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().expect("stdin").write_all(pem)?;
            child.wait_with_output()
        })
        .expect("openssl crl");
    out.stdout
}

/// The files of the PKITS archive `tests/pkits/<archive>` (a gzipped ustar), by name.
fn pkits(archive: &str) -> std::collections::HashMap<String, Vec<u8>> {
    use std::io::Read;
    let path = format!("{}/tests/pkits/{archive}", env!("CARGO_MANIFEST_DIR"));
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("archive"))
        .read_to_end(&mut tar)
        .expect("gunzip");
    let mut files = std::collections::HashMap::new();
    let mut at = 0;
    while let Some(header) = tar.get(at..at + 512) {
        if header.iter().all(|&b| b == 0) {
            break;
        }
        let field = |r: std::ops::Range<usize>| {
            String::from_utf8_lossy(&header[r])
                .trim_matches(|c| c == '\0' || c == ' ')
                .to_owned()
        };
        let size = usize::from_str_radix(&field(124..136), 8).expect("size");
        files.insert(field(0..100), tar[at + 512..at + 512 + size].to_vec());
        at += 512 + size.div_ceil(512) * 512;
    }
    files
}

/// PKITS's CRLs (all current in 2020) checked against their CA: `(CRL, CA certificate)`.
fn pkits_crl(crl: &str, ca: &str) -> kyso_cert::Result<kyso_cert::crl::VerifiedCrl> {
    let (crls, certs) = (pkits("crls.tar.gz"), pkits("certs.tar.gz"));
    let issuer = Certificate::from_der(&certs[ca]).expect("CA certificate");
    let in_2020 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_577_836_800);
    verify_crl(&crls[crl], &issuer, in_2020)
}

#[test]
fn a_crl_issuer_name_matches_the_ca_subject_as_rfc5280_compares_names() {
    // PKITS 4.3.10: the CA's subject is a PrintableString, its CRL's issuer a UTF8String.
    pkits_crl(
        "RolloverfromPrintableStringtoUTF8StringCACRL.crl",
        "RolloverfromPrintableStringtoUTF8StringCACert.crt",
    )
    .expect("the same name in another string type");
    pkits_crl("GoodCACRL.crl", "GoodCACert.crt").expect("GoodCACRL");
}

#[test]
fn a_crl_of_a_ca_whose_key_usage_lacks_crl_sign_is_refused() {
    // PKITS 4.7.4, 4.7.5.
    for ca in [
        "keyUsageCriticalcRLSignFalseCA",
        "keyUsageNotCriticalcRLSignFalseCA",
    ] {
        let err = pkits_crl(&format!("{ca}CRL.crl"), &format!("{ca}Cert.crt")).unwrap_err();
        assert!(err.to_string().contains("cRLSign"), "{ca}: {err}");
    }
}

#[test]
fn a_crl_with_an_unknown_critical_extension_or_entry_extension_is_refused() {
    // PKITS 4.4.9, 4.4.10 (RFC 5280 §5.2) and 4.4.8 (§5.3): the CRL must not be used at all.
    let err = pkits_crl(
        "UnknownCRLExtensionCACRL.crl",
        "UnknownCRLExtensionCACert.crt",
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown critical extension 2.16.840.1.101.2.1.12.2"),
        "{err}"
    );
    let err = pkits_crl(
        "UnknownCRLEntryExtensionCACRL.crl",
        "UnknownCRLEntryExtensionCACert.crt",
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown critical entry extension 2.16.840.1.101.2.1.12.2"),
        "{err}"
    );
}
