//! Path building and validation against a test PKI that the `openssl` CLI generates once per
//! test binary (in a temporary folder, read into memory, then deleted).
//!
//! ```text
//! Kyso Test Root (RSA) ─┬─ Kyso Intermediate CA (RSA) ─┬─ Nguyen Van A (RSA leaf)
//!                       │                              ├─ expiring leaf (30 days)
//!                       │                              ├─ leaf with an unknown critical extension
//!                       │                              └─ EC leaf ── "leaf" issued by that EC leaf
//!                       ├─ Kyso Intermediate CA (fake: same name, other key) ── leaf without AKI
//!                       ├─ CA without keyCertSign ── leaf
//!                       ├─ CA pathlen:0 ── sub-CA ── leaf
//!                       ├─ CA with nameConstraints (DNS kyso.vn, C=VN/O=Kyso) ── good leaf, bad leaf
//!                       └─ PSS intermediate (RSASSA-PSS SHA-256) ── RSA-PSS leaf (PSS SHA-384)
//! Kyso EC Root (P-384) ── EC Intermediate (P-256) ── EC leaf
//! Other Root (not trusted) ── leaf
//! Mesh CA × 6 keys, each cross-signed by every other ── leaf (no path to any anchor)
//! ```
//!
//! Every test sees the same set; each checks one behaviour.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use const_oid::db::rfc5912::RSA_ENCRYPTION;
use der::asn1::ObjectIdentifier;
use kyso_cert::{
    Certificate, DigestAlgorithm, Error, KeyUsage, TrustStore, ValidationPolicy, VerifyOptions,
    path::MAX_SIGNATURE_CHECKS, validate_path, verify_signature, verify_signature_with,
};
use spki::AlgorithmIdentifierOwned;

const EXTENSIONS: &str = r#"
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ca_pathlen0]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ca_no_certsign]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ca_nc]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
nameConstraints = critical,permitted;DNS:kyso.vn,permitted;dirName:nc_dir
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[nc_dir]
C = VN
O = Kyso

[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[leaf_no_aki]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = none
authorityKeyIdentifier = none

[leaf_key_encipherment]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[leaf_unknown_critical]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.3.6.1.4.1.55738.666.1 = critical,ASN1:NULL

[leaf_san_good]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectAltName = DNS:ky.kyso.vn
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"#;

/// The generated certificates by name, and signatures made by openssl for
/// `verify_signature` tests.
struct Pki {
    certs: HashMap<&'static str, Certificate>,
    signatures: HashMap<&'static str, Vec<u8>>,
}

const MESSAGE: &[u8] = b"Cong hoa Xa hoi Chu nghia Viet Nam - Doc lap, Tu do, Hanh phuc\n";
const MESH_KEYS: usize = 6;

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl CLI is needed for these tests");
    assert!(
        output.status.success(),
        "openssl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn key(dir: &Path, name: &str, kind: &str) {
    let file = format!("{name}.key");
    match kind {
        "rsa" => openssl(
            dir,
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                &file,
            ],
        ),
        "rsa-pss" => openssl(
            dir,
            &[
                "genpkey",
                "-algorithm",
                "RSA-PSS",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                &file,
            ],
        ),
        "p256" => openssl(
            dir,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                &file,
            ],
        ),
        "p384" => openssl(
            dir,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-384",
                "-out",
                &file,
            ],
        ),
        other => panic!("key kind {other}"),
    }
}

/// Issues `name.pem` for `key.key` with `subject`, signed by `issuer` (`None`: self-signed).
#[allow(clippy::too_many_arguments)]
fn issue(
    dir: &Path,
    serial: &mut u32,
    name: &str,
    key: &str,
    subject: &str,
    issuer: Option<(&str, &str)>,
    section: &str,
    days: &str,
    sign: &[&str],
) {
    *serial += 1;
    let csr = format!("{name}.csr");
    let key_file = format!("{key}.key");
    let out = format!("{name}.pem");
    let serial_text = serial.to_string();
    openssl(
        dir,
        &[
            "req", "-new", "-key", &key_file, "-subj", subject, "-out", &csr,
        ],
    );
    let mut args = vec![
        "x509",
        "-req",
        "-in",
        &csr,
        "-out",
        &out,
        "-days",
        days,
        "-set_serial",
        &serial_text,
        "-extfile",
        "ext.cnf",
        "-extensions",
        section,
    ];
    let (ca_cert, ca_key);
    match issuer {
        Some((cert, key)) => {
            ca_cert = format!("{cert}.pem");
            ca_key = format!("{key}.key");
            args.extend(["-CA", &ca_cert, "-CAkey", &ca_key]);
        }
        None => args.extend(["-signkey", &key_file]),
    }
    args.extend_from_slice(sign);
    openssl(dir, &args);
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path();
        std::fs::write(dir.join("ext.cnf"), EXTENSIONS).expect("ext.cnf");
        std::fs::write(dir.join("message.txt"), MESSAGE).expect("message");
        let s = &mut 0u32;
        let sha256: &[&str] = &["-sha256"];
        let pss256: &[&str] = &[
            "-sha256",
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:32",
        ];
        let pss384: &[&str] = &[
            "-sha384",
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:48",
        ];

        for (name, kind) in [
            ("root", "rsa"),
            ("int", "rsa"),
            ("fake_int", "rsa"),
            ("other_root", "rsa"),
            ("pss_leaf", "rsa-pss"),
            ("leaf", "p256"),
            ("misc", "p256"),
            ("ec_root", "p384"),
            ("ec_int", "p256"),
        ] {
            key(dir, name, kind);
        }
        let root = Some(("root", "root"));
        let int = Some(("int", "int"));
        issue(
            dir,
            s,
            "root",
            "root",
            "/C=VN/O=Kyso/CN=Kyso Test Root",
            None,
            "ca",
            "3650",
            sha256,
        );
        issue(
            dir,
            s,
            "int",
            "int",
            "/C=VN/O=Kyso/CN=Kyso Intermediate CA",
            root,
            "ca",
            "3650",
            sha256,
        );
        issue(
            dir,
            s,
            "rsa_leaf",
            "int",
            "/C=VN/O=Kyso/CN=Nguyen Van A",
            int,
            "leaf",
            "365",
            sha256,
        );
        issue(
            dir,
            s,
            "short_leaf",
            "misc",
            "/C=VN/O=Kyso/CN=Short Lived",
            int,
            "leaf",
            "30",
            sha256,
        );
        issue(
            dir,
            s,
            "critical_leaf",
            "misc",
            "/C=VN/O=Kyso/CN=Critical",
            int,
            "leaf_unknown_critical",
            "365",
            sha256,
        );
        issue(
            dir,
            s,
            "ec_leaf_under_int",
            "leaf",
            "/C=VN/O=Kyso/CN=Tran Thi B",
            int,
            "leaf",
            "365",
            sha256,
        );
        issue(
            dir,
            s,
            "leaf_as_ca",
            "misc",
            "/C=VN/O=Kyso/CN=Issued By A Leaf",
            Some(("ec_leaf_under_int", "leaf")),
            "leaf",
            "365",
            sha256,
        );
        issue(
            dir,
            s,
            "key_encipherment_leaf",
            "misc",
            "/C=VN/O=Kyso/CN=Encryption Only",
            int,
            "leaf_key_encipherment",
            "365",
            sha256,
        );
        issue(
            dir,
            s,
            "sha1_leaf",
            "misc",
            "/C=VN/O=Kyso/CN=Legacy SHA1",
            int,
            "leaf",
            "365",
            &["-sha1"],
        );
        // Same name as the real intermediate, other key; its leaf has no AKI to tell them apart.
        issue(
            dir,
            s,
            "fake_int",
            "fake_int",
            "/C=VN/O=Kyso/CN=Kyso Intermediate CA",
            root,
            "ca",
            "3650",
            sha256,
        );
        issue(
            dir,
            s,
            "wrong_key_leaf",
            "misc",
            "/C=VN/O=Kyso/CN=Signed By Impostor",
            Some(("fake_int", "fake_int")),
            "leaf_no_aki",
            "365",
            sha256,
        );
        issue(
            dir,
            s,
            "no_certsign_ca",
            "misc",
            "/C=VN/O=Kyso/CN=CA Without keyCertSign",
            root,
            "ca_no_certsign",
            "3650",
            sha256,
        );
        issue(
            dir,
            s,
            "no_certsign_leaf",
            "leaf",
            "/C=VN/O=Kyso/CN=Under No keyCertSign",
            Some(("no_certsign_ca", "misc")),
            "leaf",
            "365",
            sha256,
        );
        issue(
            dir,
            s,
            "pathlen0_ca",
            "misc",
            "/C=VN/O=Kyso/CN=CA pathlen 0",
            root,
            "ca_pathlen0",
            "3650",
            sha256,
        );
        issue(
            dir,
            s,
            "sub_ca",
            "leaf",
            "/C=VN/O=Kyso/CN=Sub CA",
            Some(("pathlen0_ca", "misc")),
            "ca",
            "3650",
            sha256,
        );
        issue(
            dir,
            s,
            "pathlen_leaf",
            "misc",
            "/C=VN/O=Kyso/CN=Too Deep",
            Some(("sub_ca", "leaf")),
            "leaf",
            "365",
            sha256,
        );
        issue(
            dir,
            s,
            "nc_ca",
            "misc",
            "/C=VN/O=Kyso/CN=Constrained CA",
            root,
            "ca_nc",
            "3650",
            sha256,
        );
        issue(
            dir,
            s,
            "nc_good_leaf",
            "leaf",
            "/C=VN/O=Kyso/CN=Inside",
            Some(("nc_ca", "misc")),
            "leaf_san_good",
            "365",
            sha256,
        );
        issue(
            dir,
            s,
            "nc_bad_leaf",
            "leaf",
            "/C=VN/O=Other/CN=Outside",
            Some(("nc_ca", "misc")),
            "leaf",
            "365",
            sha256,
        );
        issue(
            dir,
            s,
            "pss_int",
            "int",
            "/C=VN/O=Kyso/CN=Kyso PSS CA",
            root,
            "ca",
            "3650",
            pss256,
        );
        issue(
            dir,
            s,
            "pss_leaf",
            "pss_leaf",
            "/C=VN/O=Kyso/CN=PSS Signer",
            Some(("pss_int", "int")),
            "leaf",
            "365",
            pss384,
        );
        issue(
            dir,
            s,
            "ec_root",
            "ec_root",
            "/C=VN/O=Kyso/CN=Kyso EC Root",
            None,
            "ca",
            "3650",
            &["-sha384"],
        );
        issue(
            dir,
            s,
            "ec_int",
            "ec_int",
            "/C=VN/O=Kyso/CN=Kyso EC Intermediate",
            Some(("ec_root", "ec_root")),
            "ca",
            "3650",
            &["-sha384"],
        );
        issue(
            dir,
            s,
            "ec_leaf",
            "leaf",
            "/C=VN/O=Kyso/CN=Le Van C",
            Some(("ec_int", "ec_int")),
            "leaf",
            "365",
            sha256,
        );
        issue(
            dir,
            s,
            "other_root",
            "other_root",
            "/C=VN/O=Elsewhere/CN=Other Root",
            None,
            "ca",
            "3650",
            sha256,
        );
        issue(
            dir,
            s,
            "other_leaf",
            "misc",
            "/C=VN/O=Elsewhere/CN=Pham Van D",
            Some(("other_root", "other_root")),
            "leaf",
            "365",
            sha256,
        );

        // Signatures over MESSAGE, as a CMS signer would make them.
        for (file, key, opts) in [
            ("rsa_sha256.sig", "int", &["-sha256"][..]),
            ("pss_sha384.sig", "pss_leaf", pss384),
            ("ec_sha384.sig", "leaf", &["-sha384"][..]),
        ] {
            let key_file = format!("{key}.key");
            let mut args = vec!["dgst", "-sign", &key_file, "-out", file];
            args.extend_from_slice(opts);
            args.push("message.txt");
            openssl(dir, &args);
        }

        let read = |name: &str| {
            let pem = std::fs::read(dir.join(format!("{name}.pem"))).expect("generated PEM");
            Certificate::from_pem(&pem).expect("openssl output parses")
        };
        let names = [
            "root",
            "int",
            "rsa_leaf",
            "short_leaf",
            "critical_leaf",
            "ec_leaf_under_int",
            "leaf_as_ca",
            "key_encipherment_leaf",
            "sha1_leaf",
            "fake_int",
            "wrong_key_leaf",
            "no_certsign_ca",
            "no_certsign_leaf",
            "pathlen0_ca",
            "sub_ca",
            "pathlen_leaf",
            "nc_ca",
            "nc_good_leaf",
            "nc_bad_leaf",
            "pss_int",
            "pss_leaf",
            "ec_root",
            "ec_int",
            "ec_leaf",
            "other_root",
            "other_leaf",
        ];
        let certs = names.into_iter().map(|n| (n, read(n))).collect();
        let signatures = ["rsa_sha256.sig", "pss_sha384.sig", "ec_sha384.sig"]
            .into_iter()
            .map(|f| (f, std::fs::read(dir.join(f)).expect("signature")))
            .collect();
        Pki { certs, signatures }
    })
}

/// The cross-signed mesh: `MESH_KEYS` CAs named alike, each cross-signed by every other, and
/// a leaf under the first; generated apart, as only one test needs it.
fn mesh() -> &'static (Certificate, Vec<Certificate>) {
    static MESH: OnceLock<(Certificate, Vec<Certificate>)> = OnceLock::new();
    MESH.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path();
        std::fs::write(dir.join("ext.cnf"), EXTENSIONS).expect("ext.cnf");
        let s = &mut 1000u32;
        let sha256: &[&str] = &["-sha256"];
        key(dir, "misc", "p256");
        for i in 0..MESH_KEYS {
            key(dir, &format!("mesh{i}"), "p256");
            let name = format!("mesh{i}");
            issue(
                dir,
                s,
                &name,
                &name,
                "/CN=Mesh CA",
                None,
                "ca",
                "3650",
                sha256,
            );
        }
        let mut mesh_names = Vec::new();
        for i in 0..MESH_KEYS {
            for j in (0..MESH_KEYS).filter(|&j| j != i) {
                let name = format!("mesh{i}_by{j}");
                let issuer = format!("mesh{j}");
                issue(
                    dir,
                    s,
                    &name,
                    &format!("mesh{i}"),
                    "/CN=Mesh CA",
                    Some((&issuer, &issuer)),
                    "ca",
                    "3650",
                    sha256,
                );
                mesh_names.push(name);
            }
        }
        issue(
            dir,
            s,
            "mesh_leaf",
            "misc",
            "/CN=Mesh Leaf",
            Some(("mesh0", "mesh0")),
            "leaf",
            "365",
            sha256,
        );

        let read = |name: &str| {
            let pem = std::fs::read(dir.join(format!("{name}.pem"))).expect("generated PEM");
            Certificate::from_pem(&pem).expect("openssl output parses")
        };
        let certs = mesh_names.iter().map(|n| read(n)).collect();
        (read("mesh_leaf"), certs)
    })
}

fn cert(name: &str) -> &'static Certificate {
    &pki().certs[name]
}

fn certs(names: &[&str]) -> Vec<Certificate> {
    names.iter().map(|n| cert(n).clone()).collect()
}

fn trust() -> TrustStore {
    TrustStore::from_anchors(certs(&["root", "ec_root"]))
}

/// A policy at the current time, taken after the test PKI exists: its certificates start
/// "now", so a time read before they are made would be before their notBefore.
fn now() -> ValidationPolicy {
    let _ = pki();
    ValidationPolicy::document_signing(SystemTime::now())
}

fn subjects(path: &kyso_cert::ValidatedPath) -> Vec<String> {
    path.certificates
        .iter()
        .map(|c| c.subject().common_name.unwrap_or_default())
        .collect()
}

#[test]
fn valid_rsa_chain_validates_leaf_to_anchor() {
    let path = validate_path(cert("rsa_leaf"), &certs(&["int"]), &trust(), &now()).expect("valid");
    assert_eq!(
        subjects(&path),
        ["Nguyen Van A", "Kyso Intermediate CA", "Kyso Test Root"]
    );
    assert_eq!(&path.anchor, cert("root"));
    assert!(!path.uses_sha1);
}

#[test]
fn valid_ecdsa_chain_validates() {
    let path =
        validate_path(cert("ec_leaf"), &certs(&["ec_int"]), &trust(), &now()).expect("valid");
    assert_eq!(
        subjects(&path),
        ["Le Van C", "Kyso EC Intermediate", "Kyso EC Root"]
    );
}

#[test]
fn valid_pss_chain_validates() {
    let path =
        validate_path(cert("pss_leaf"), &certs(&["pss_int"]), &trust(), &now()).expect("valid");
    assert_eq!(
        subjects(&path),
        ["PSS Signer", "Kyso PSS CA", "Kyso Test Root"]
    );
}

#[test]
fn supplied_order_and_extra_certificates_do_not_matter() {
    let supplied = certs(&["ec_int", "other_root", "int", "nc_ca", "rsa_leaf"]);
    let path = validate_path(cert("rsa_leaf"), &supplied, &trust(), &now()).expect("valid");
    assert_eq!(path.certificates.len(), 3);
}

#[test]
fn intermediate_from_the_store_pool_is_used() {
    let mut trust = trust();
    trust.add_intermediate(cert("int").clone());
    validate_path(cert("rsa_leaf"), &[], &trust, &now()).expect("valid through the pool");
}

#[test]
fn anchor_as_leaf_is_a_path_of_one() {
    let path = validate_path(
        cert("root"),
        &[],
        &trust(),
        &ValidationPolicy::at(SystemTime::now()),
    )
    .expect("an anchor is trusted");
    assert_eq!(path.certificates.len(), 1);
}

#[test]
fn expired_leaf_is_rejected_with_its_not_after() {
    let mut policy = now();
    policy.time = SystemTime::now() + Duration::from_secs(60 * 86_400);
    match validate_path(cert("short_leaf"), &certs(&["int"]), &trust(), &policy) {
        Err(Error::Expired { subject, not_after }) => {
            assert!(subject.contains("Short Lived"), "{subject}");
            assert_eq!(not_after, cert("short_leaf").not_after());
        }
        other => panic!("expected Expired, got {other:?}"),
    }
}

#[test]
fn not_yet_valid_leaf_is_rejected() {
    let mut policy = now();
    policy.time = SystemTime::now() - Duration::from_secs(2 * 86_400);
    let error = validate_path(cert("rsa_leaf"), &certs(&["int"]), &trust(), &policy).unwrap_err();
    assert!(
        matches!(&error, Error::NotYetValid { subject, .. } if subject.contains("Nguyen Van A")),
        "{error:?}"
    );
}

#[test]
fn missing_intermediate_names_the_leaf_and_its_issuer() {
    match validate_path(cert("rsa_leaf"), &[], &trust(), &now()) {
        Err(Error::MissingIssuer { subject, issuer }) => {
            assert!(subject.contains("Nguyen Van A"), "{subject}");
            assert!(issuer.contains("Kyso Intermediate CA"), "{issuer}");
        }
        other => panic!("expected MissingIssuer, got {other:?}"),
    }
}

#[test]
fn wrong_issuer_untrusted_root_is_a_missing_issuer() {
    // The leaf chains to a root that is supplied but not trusted.
    match validate_path(
        cert("other_leaf"),
        &certs(&["other_root", "int"]),
        &trust(),
        &now(),
    ) {
        Err(Error::MissingIssuer { subject, .. }) => assert!(subject.contains("Other Root")),
        other => panic!("expected MissingIssuer, got {other:?}"),
    }
}

#[test]
fn signature_by_the_wrong_key_is_rejected() {
    // Issued by an impostor named like the real intermediate; only the real one is supplied.
    match validate_path(cert("wrong_key_leaf"), &certs(&["int"]), &trust(), &now()) {
        Err(Error::BadSignature { subject, source }) => {
            assert!(subject.contains("Signed By Impostor"), "{subject}");
            assert!(matches!(*source, Error::SignatureMismatch), "{source:?}");
        }
        other => panic!("expected BadSignature, got {other:?}"),
    }
}

#[test]
fn failure_furthest_from_the_leaf_is_reported() {
    // The impostor intermediate does not sign rsa_leaf (a bad signature next to the leaf),
    // but the real one does and only lacks its root: that is the reason to report.
    let trust = TrustStore::from_anchors(certs(&["ec_root"]));
    match validate_path(
        cert("rsa_leaf"),
        &certs(&["fake_int", "int"]),
        &trust,
        &now(),
    ) {
        Err(Error::MissingIssuer { subject, issuer }) => {
            assert!(subject.contains("Kyso Intermediate CA"), "{subject}");
            assert!(issuer.contains("Kyso Test Root"), "{issuer}");
        }
        other => panic!("expected MissingIssuer, got {other:?}"),
    }
}

#[test]
fn several_candidate_issuers_are_tried_until_one_signed() {
    // Both intermediates named alike are supplied: the impostor's leaf validates through
    // the impostor, the real leaf through the real one.
    let supplied = certs(&["int", "fake_int"]);
    validate_path(cert("wrong_key_leaf"), &supplied, &trust(), &now()).expect("impostor path");
    let path = validate_path(cert("rsa_leaf"), &supplied, &trust(), &now()).expect("real path");
    assert_eq!(&path.certificates[1], cert("int"));
}

#[test]
fn ca_without_key_cert_sign_is_rejected() {
    let error = validate_path(
        cert("no_certsign_leaf"),
        &certs(&["no_certsign_ca"]),
        &trust(),
        &now(),
    )
    .unwrap_err();
    assert!(
        matches!(&error, Error::MissingKeyCertSign { subject } if subject.contains("CA Without keyCertSign")),
        "{error:?}"
    );
}

#[test]
fn end_entity_used_as_ca_is_rejected() {
    let supplied = certs(&["ec_leaf_under_int", "int"]);
    let error = validate_path(cert("leaf_as_ca"), &supplied, &trust(), &now()).unwrap_err();
    assert!(
        matches!(&error, Error::NotACa { subject } if subject.contains("Tran Thi B")),
        "{error:?}"
    );
}

#[test]
fn unknown_critical_extension_is_rejected() {
    let error =
        validate_path(cert("critical_leaf"), &certs(&["int"]), &trust(), &now()).unwrap_err();
    match error {
        Error::UnknownCriticalExtension { oid, .. } => {
            assert_eq!(oid, ObjectIdentifier::new_unwrap("1.3.6.1.4.1.55738.666.1"));
        }
        other => panic!("expected UnknownCriticalExtension, got {other:?}"),
    }
}

#[test]
fn path_len_exceeded_is_rejected() {
    let supplied = certs(&["sub_ca", "pathlen0_ca"]);
    let error = validate_path(cert("pathlen_leaf"), &supplied, &trust(), &now()).unwrap_err();
    assert!(
        matches!(&error, Error::PathLenExceeded { subject } if subject.contains("Sub CA")),
        "{error:?}"
    );
}

#[test]
fn policy_max_intermediates_limits_the_path() {
    let mut policy = now();
    policy.max_intermediates = 0;
    let error = validate_path(cert("rsa_leaf"), &certs(&["int"]), &trust(), &policy).unwrap_err();
    assert!(matches!(error, Error::PathLenExceeded { .. }), "{error:?}");
}

#[test]
fn name_constraint_violation_is_rejected() {
    let error =
        validate_path(cert("nc_bad_leaf"), &certs(&["nc_ca"]), &trust(), &now()).unwrap_err();
    match error {
        Error::NameConstraintViolation { subject, reason } => {
            assert!(subject.contains("Outside"), "{subject}");
            assert!(reason.contains("directoryName"), "{reason}");
        }
        other => panic!("expected NameConstraintViolation, got {other:?}"),
    }
}

#[test]
fn names_inside_permitted_subtrees_validate() {
    validate_path(cert("nc_good_leaf"), &certs(&["nc_ca"]), &trust(), &now()).expect("inside");
}

#[test]
fn signer_key_usage_is_required() {
    let error = validate_path(
        cert("key_encipherment_leaf"),
        &certs(&["int"]),
        &trust(),
        &now(),
    )
    .unwrap_err();
    assert!(matches!(error, Error::SignerKeyUsage { .. }), "{error:?}");
    // Without a requirement the same path is fine.
    let policy = ValidationPolicy::at(SystemTime::now());
    assert_eq!(policy.signer_key_usage, KeyUsage::default());
    validate_path(
        cert("key_encipherment_leaf"),
        &certs(&["int"]),
        &trust(),
        &policy,
    )
    .expect("no requirement");
}

#[test]
fn required_eku_is_checked_only_when_the_extension_is_present() {
    let mut policy = now();
    policy.required_eku = Some(ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4"));
    // rsa_leaf has no extKeyUsage: not restricted.
    validate_path(cert("rsa_leaf"), &certs(&["int"]), &trust(), &policy).expect("no EKU");
}

#[test]
fn sha1_certificate_signature_is_refused_unless_allowed() {
    let error = validate_path(cert("sha1_leaf"), &certs(&["int"]), &trust(), &now()).unwrap_err();
    match error {
        Error::BadSignature { source, .. } => {
            assert!(
                matches!(*source, Error::Sha1NotAllowed { .. }),
                "{source:?}"
            );
        }
        other => panic!("expected BadSignature, got {other:?}"),
    }
    let mut policy = now();
    policy.allow_sha1 = true;
    let path =
        validate_path(cert("sha1_leaf"), &certs(&["int"]), &trust(), &policy).expect("allowed");
    assert!(path.uses_sha1);
}

#[test]
fn budget_exceeded_on_cross_signed_mesh() {
    let (leaf, mesh) = mesh();
    let error = validate_path(leaf, mesh, &trust(), &now()).unwrap_err();
    match error {
        Error::BudgetExceeded { what, limit } => {
            assert_eq!((what, limit), ("signature checks", MAX_SIGNATURE_CHECKS));
        }
        other => panic!("expected BudgetExceeded, got {other:?}"),
    }
}

#[test]
fn trust_store_reads_a_folder_of_pem_der_and_crt_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("root.pem"), pem(cert("root"))).expect("write");
    std::fs::write(dir.path().join("ec-root.DER"), cert("ec_root").der()).expect("write");
    std::fs::write(dir.path().join("other.crt"), pem(cert("other_root"))).expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not a certificate").expect("write");
    let store = TrustStore::from_dir(dir.path()).expect("folder");
    assert_eq!(store.anchors().len(), 3);
    validate_path(cert("ec_leaf"), &certs(&["ec_int"]), &store, &now()).expect("valid");
}

#[test]
fn trust_store_reports_the_broken_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("broken.pem"),
        "-----BEGIN CERTIFICATE-----\n",
    )
    .expect("write");
    match TrustStore::from_dir(dir.path()) {
        Err(Error::CertificateFile { path, .. }) => assert!(path.ends_with("broken.pem")),
        other => panic!("expected CertificateFile, got {other:?}"),
    }
}

fn pem(cert: &Certificate) -> String {
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, cert.der()).expect("pem")
}

fn spki(cert: &Certificate) -> spki::SubjectPublicKeyInfoOwned {
    cert.inner()
        .tbs_certificate()
        .subject_public_key_info()
        .clone()
}

#[test]
fn cms_style_rsa_encryption_with_separate_digest_verifies() {
    let algorithm = AlgorithmIdentifierOwned {
        oid: RSA_ENCRYPTION,
        parameters: Some(der::asn1::Null.into()),
    };
    let signature = &pki().signatures["rsa_sha256.sig"];
    let options = VerifyOptions {
        digest: Some(DigestAlgorithm::Sha256),
        ..VerifyOptions::default()
    };
    verify_signature_with(&spki(cert("int")), &algorithm, MESSAGE, signature, &options)
        .expect("verifies");
    // Without the digest the identifier says too little.
    assert!(matches!(
        verify_signature(cert("int"), &algorithm, MESSAGE, signature),
        Err(Error::UnsupportedAlgorithm { .. })
    ));
    // A changed message fails.
    assert!(matches!(
        verify_signature_with(cert("int"), &algorithm, b"other", signature, &options),
        Err(Error::SignatureMismatch)
    ));
}

#[test]
fn ecdsa_p256_with_sha384_verifies_and_wrong_key_fails() {
    let algorithm = AlgorithmIdentifierOwned {
        oid: ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3"),
        parameters: None,
    };
    let signature = &pki().signatures["ec_sha384.sig"];
    verify_signature(cert("ec_leaf"), &algorithm, MESSAGE, signature).expect("verifies");
    assert!(matches!(
        verify_signature(cert("ec_int"), &algorithm, MESSAGE, signature),
        Err(Error::SignatureMismatch)
    ));
    assert!(matches!(
        verify_signature(cert("int"), &algorithm, MESSAGE, signature),
        Err(Error::KeyMismatch { key, .. }) if key == RSA_ENCRYPTION
    ));
}

#[test]
fn pss_parameters_from_a_certificate_verify_a_message() {
    // Reuse the PSS leaf's own signatureAlgorithm shape: SHA-384, MGF1-SHA-384, salt 48.
    let algorithm = cert("pss_leaf").inner().signature_algorithm().clone();
    let signature = &pki().signatures["pss_sha384.sig"];
    verify_signature(cert("pss_leaf"), &algorithm, MESSAGE, signature).expect("verifies");
}
