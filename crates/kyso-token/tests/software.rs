//! `SoftwareSigner` against keys, certificates and PKCS#12 files made by the `openssl` CLI, with
//! every signature checked by `openssl dgst -verify`.
//!
//! The test PKI (a P-256 root and intermediate, five leaf keys) is generated once per run, the
//! first time a test needs it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use kyso_cms::{BatchMode, DigestAlgorithm, SignatureScheme, Signer};
use kyso_token::{Error, KeyType, SoftwareSigner};

const PASSWORD: &str = "mật khẩu 123";
const MESSAGE: &[u8] = b"signed attributes stand-in: Nguy\xe1\xbb\x85n V\xc4\x83n An";

/// The leaves of the test PKI: file stem and how `openssl genpkey` makes the key.
const LEAVES: &[(&str, &[&str])] = &[
    (
        "rsa2048",
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    ),
    (
        "rsapss3072",
        &["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:3072"],
    ),
    (
        "rsapss384",
        &[
            "-algorithm",
            "RSA-PSS",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-pkeyopt",
            "rsa_pss_keygen_md:sha384",
            "-pkeyopt",
            "rsa_pss_keygen_mgf1_md:sha384",
            "-pkeyopt",
            "rsa_pss_keygen_saltlen:48",
        ],
    ),
    (
        "p256",
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    ),
    (
        "p384",
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
    ),
];

/// The PKCS#12 encodings each leaf is exported in: file suffix and extra `openssl pkcs12` flags.
const P12_FORMS: &[(&str, &[&str])] = &[
    // OpenSSL 3 default: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), HMAC-SHA256 MAC.
    ("modern", &[]),
    // RC2-40 certificates, 3DES key, SHA-1 MAC: what Windows and CA tools export.
    ("legacy", &["-legacy"]),
    ("descert", &["-descert"]),
    (
        "3des",
        &["-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES"],
    ),
];

const CA_EXT: &str = "basicConstraints=critical,CA:TRUE\n\
    keyUsage=critical,keyCertSign,cRLSign\n\
    subjectKeyIdentifier=hash\n\
    authorityKeyIdentifier=keyid\n";
const LEAF_EXT: &str = "basicConstraints=critical,CA:FALSE\n\
    keyUsage=critical,digitalSignature,nonRepudiation\n\
    subjectKeyIdentifier=hash\n\
    authorityKeyIdentifier=keyid\n";

/// The generated files, in a directory under Cargo's target tmp dir.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("reading {name}: {e}"))
    }

    fn openssl(&self, args: &[&str]) {
        openssl_in(self.dir.path(), args);
    }

    fn generate() -> Self {
        remove_stale_pki_dirs();
        let dir = tempfile::Builder::new()
            .prefix("kyso-token-pki")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("tempdir");
        let pki = Self { dir };
        std::fs::write(pki.path("ca.ext"), CA_EXT).unwrap();
        std::fs::write(pki.path("leaf.ext"), LEAF_EXT).unwrap();

        let ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
        pki.genpkey("root.key", &ec);
        pki.openssl(&[
            "req",
            "-x509",
            "-new",
            "-key",
            "root.key",
            "-subj",
            "/CN=Kyso Test Root",
            "-days",
            "2",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-out",
            "root.pem",
        ]);
        pki.genpkey("int.key", &ec);
        pki.issue("int", "/CN=Kyso Test Intermediate", 1, "root", "ca.ext");
        // Root first, as Windows exports it: the signer must order the chain itself.
        let chain = [pki.read("root.pem"), pki.read("int.pem")].concat();
        std::fs::write(pki.path("chain.pem"), chain).unwrap();

        let pass = format!("pass:{PASSWORD}");
        for (serial, (name, genpkey)) in (2..).zip(LEAVES) {
            let key = format!("{name}.key");
            let pem = format!("{name}.pem");
            pki.genpkey(&key, genpkey);
            let subject = format!("/CN=Nguyễn Văn An {name}/O=Kyso");
            pki.issue(name, &subject, serial, "int", "leaf.ext");
            pki.openssl(&[
                "x509",
                "-in",
                &pem,
                "-pubkey",
                "-noout",
                "-out",
                &format!("{name}.pub"),
            ]);
            for (form, flags) in P12_FORMS {
                let out = format!("{name}-{form}.p12");
                let mut args: Vec<&str> = vec![
                    "pkcs12",
                    "-export",
                    "-inkey",
                    key.as_str(),
                    "-in",
                    pem.as_str(),
                    "-certfile",
                    "chain.pem",
                    "-passout",
                    pass.as_str(),
                    "-out",
                    out.as_str(),
                ];
                args.extend_from_slice(flags);
                pki.openssl(&args);
            }
            let enc = format!("{name}.enc.key");
            pki.openssl(&[
                "pkcs8", "-topk8", "-in", &key, "-passout", &pass, "-out", &enc,
            ]);
            if ["rsa2048", "p256"].contains(name) {
                // PBES2 with 3DES and HMAC-SHA1 (OpenSSL 1.x era), and PBES1 with PKCS#12 3DES
                // (the OpenSSL 1.0 `-topk8` default), which is not supported.
                let des3 = format!("{name}.enc-des3.key");
                pki.openssl(&[
                    "pkcs8",
                    "-topk8",
                    "-in",
                    &key,
                    "-passout",
                    &pass,
                    "-v2",
                    "des3",
                    "-v2prf",
                    "hmacWithSHA1",
                    "-out",
                    &des3,
                ]);
                let pbes1 = format!("{name}.enc-pbes1.key");
                pki.openssl(&[
                    "pkcs8",
                    "-topk8",
                    "-in",
                    &key,
                    "-passout",
                    &pass,
                    "-v1",
                    "PBE-SHA1-3DES",
                    "-out",
                    &pbes1,
                ]);
            }
            if !name.starts_with("rsapss") {
                // OpenSSL has no "traditional" form for RSA-PSS keys.
                let trad = format!("{name}.trad.key");
                pki.openssl(&["pkey", "-in", &key, "-traditional", "-out", &trad]);
            }
        }
        pki
    }

    fn genpkey(&self, out: &str, args: &[&str]) {
        let mut all = vec!["genpkey"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-out", out]);
        self.openssl(&all);
    }

    /// Issues `<name>.pem` for `<name>.key`, signed by `<ca>.pem`/`<ca>.key`.
    fn issue(&self, name: &str, subject: &str, serial: u32, ca: &str, ext: &str) {
        let csr = format!("{name}.csr");
        self.openssl(&[
            "req",
            "-new",
            "-utf8",
            "-key",
            &format!("{name}.key"),
            "-subj",
            subject,
            "-out",
            &csr,
        ]);
        self.openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-set_serial",
            &serial.to_string(),
            "-days",
            "2",
            "-extfile",
            ext,
            "-out",
            &format!("{name}.pem"),
        ]);
    }
}

fn openssl_in(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl CLI must be installed");
    assert!(
        out.status.success(),
        "openssl {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The PKI lives in a `static`, which is never dropped: remove what earlier runs left behind
/// (older than an hour, so that a concurrent run keeps its files).
fn remove_stale_pki_dirs() {
    let Ok(entries) = std::fs::read_dir(env!("CARGO_TARGET_TMPDIR")) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age.as_secs() > 3600));
        if stale
            && entry
                .file_name()
                .to_string_lossy()
                .starts_with("kyso-token-pki")
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(Pki::generate)
}

/// Signs [`MESSAGE`] and checks the signature with `openssl dgst -verify` against the public
/// key of the signer's certificate (as exported by openssl, not by kyso). Returns whether openssl
/// accepted it, for `message`.
fn openssl_verifies(signer: &SoftwareSigner, leaf: &str, message: &[u8]) -> bool {
    let signature = signer.sign(MESSAGE).expect("signing");
    let algorithm = signer.algorithm();
    let dir = tempfile::Builder::new()
        .prefix("kyso-token-verify")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    std::fs::write(dir.path().join("msg"), message).unwrap();
    std::fs::write(dir.path().join("sig"), &signature).unwrap();
    let digest = format!("-{}", algorithm.digest().id());
    let public = pki().path(&format!("{leaf}.pub"));
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir.path())
        .args(["dgst", &digest, "-verify"])
        .arg(&public)
        .args(["-signature", "sig"]);
    if let SignatureScheme::RsaPss { .. } = algorithm {
        cmd.args([
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:digest",
        ]);
    }
    let out = cmd.arg("msg").output().expect("openssl dgst");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() {
        assert!(
            stdout.contains("Verified OK"),
            "unexpected openssl output {stdout}"
        );
    }
    out.status.success()
}

fn assert_openssl_verifies(signer: &SoftwareSigner, leaf: &str) {
    assert!(
        openssl_verifies(signer, leaf, MESSAGE),
        "openssl rejected the {:?} signature of {leaf}",
        signer.algorithm()
    );
}

fn from_p12(leaf: &str, form: &str) -> SoftwareSigner {
    let bytes = pki().read(&format!("{leaf}-{form}.p12"));
    SoftwareSigner::from_pkcs12(&bytes, PASSWORD)
        .unwrap_or_else(|e| panic!("{leaf}-{form}.p12: {e}"))
}

fn from_pem(leaf: &str, key_suffix: &str) -> SoftwareSigner {
    let pki = pki();
    SoftwareSigner::from_encrypted_pem(
        &pki.read(&format!("{leaf}.{key_suffix}")),
        PASSWORD,
        &pki.read(&format!("{leaf}.pem")),
        Some(&pki.read("chain.pem")),
    )
    .unwrap_or_else(|e| panic!("{leaf}.{key_suffix}: {e}"))
}

/// Checks the certificate is the leaf's and the chain is intermediate then root.
fn assert_certificates(signer: &SoftwareSigner, leaf: &str) {
    let pki = pki();
    let expect = |name: &str| kyso_cert::Certificate::from_pem(&pki.read(name)).unwrap();
    assert_eq!(
        signer.certificate().der(),
        expect(&format!("{leaf}.pem")).der()
    );
    let chain: Vec<&[u8]> = signer.chain().iter().map(|c| c.der()).collect();
    assert_eq!(
        chain,
        vec![expect("int.pem").der(), expect("root.pem").der()],
        "chain of {leaf} must be intermediate, root"
    );
}

fn default_algorithm(leaf: &str) -> SignatureScheme {
    match leaf {
        "rsa2048" => SignatureScheme::RsaPkcs1v15(DigestAlgorithm::Sha256),
        "rsapss3072" => SignatureScheme::rsa_pss(DigestAlgorithm::Sha256),
        "rsapss384" => SignatureScheme::rsa_pss(DigestAlgorithm::Sha384),
        "p256" => SignatureScheme::Ecdsa(DigestAlgorithm::Sha256),
        "p384" => SignatureScheme::Ecdsa(DigestAlgorithm::Sha384),
        _ => unreachable!(),
    }
}

#[test]
fn every_pkcs12_form_of_every_key_signs_what_openssl_verifies() {
    for (leaf, _) in LEAVES {
        for (form, _) in P12_FORMS {
            let signer = from_p12(leaf, form);
            assert_eq!(signer.algorithm(), default_algorithm(leaf), "{leaf}-{form}");
            assert_certificates(&signer, leaf);
            assert_openssl_verifies(&signer, leaf);
        }
    }
}

#[test]
fn a_software_key_asks_a_batch_for_each_document_as_it_is_ready() {
    // No login or authorisation to share: a batch should not wait to gather its messages.
    for (leaf, _) in LEAVES {
        assert_eq!(
            from_p12(leaf, "modern").batch_mode(),
            BatchMode::EachAsReady,
            "{leaf}"
        );
    }
}

#[test]
fn sign_many_returns_each_signature_in_the_order_of_its_message() {
    // More messages than cores, taken by whichever thread is free: each result must still be
    // the signature of the message at its own index, and of no other.
    let messages: Vec<Vec<u8>> = (0..23)
        .map(|i| format!("văn bản {i}").into_bytes())
        .collect();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    for leaf in ["rsa2048", "p256"] {
        let signer = from_p12(leaf, "modern");
        let identifier = signer.algorithm().identifier().unwrap();
        let signatures: Vec<Vec<u8>> = signer
            .sign_many(&refs)
            .into_iter()
            .map(|r| r.unwrap_or_else(|e| panic!("{leaf}: {e}")))
            .collect();
        assert_eq!(signatures.len(), messages.len(), "{leaf}");
        for (i, signature) in signatures.iter().enumerate() {
            let verify = |message: &[u8]| {
                kyso_cert::verify_signature(signer.certificate(), &identifier, message, signature)
            };
            assert!(verify(&messages[i]).is_ok(), "{leaf}: signature {i}");
            let other = &messages[(i + 1) % messages.len()];
            assert!(
                verify(other).is_err(),
                "{leaf}: signature {i} verifies another message"
            );
        }
    }
    assert!(from_p12("p256", "modern").sign_many(&[]).is_empty());
}

#[test]
fn pkcs8_plain_encrypted_and_traditional_keys_sign_what_openssl_verifies() {
    for (leaf, _) in LEAVES {
        let mut suffixes = vec!["key", "enc.key"];
        if !leaf.starts_with("rsapss") {
            suffixes.push("trad.key");
        }
        for suffix in suffixes {
            let signer = from_pem(leaf, suffix);
            assert_eq!(
                signer.algorithm(),
                default_algorithm(leaf),
                "{leaf}.{suffix}"
            );
            assert_certificates(&signer, leaf);
            assert_openssl_verifies(&signer, leaf);
        }
    }
}

#[test]
fn pbes2_keys_with_3des_and_hmac_sha1_are_read() {
    for leaf in ["rsa2048", "p256"] {
        let signer = from_pem(leaf, "enc-des3.key");
        assert_certificates(&signer, leaf);
        assert_openssl_verifies(&signer, leaf);
    }
}

#[test]
fn pbes1_encrypted_keys_are_reported_as_unsupported() {
    let pki = pki();
    let result = SoftwareSigner::from_encrypted_pem(
        &pki.read("p256.enc-pbes1.key"),
        PASSWORD,
        &pki.read("p256.pem"),
        None,
    );
    assert!(
        matches!(result, Err(Error::UnsupportedKey(_))),
        "{result:?}"
    );
}

#[test]
fn traditional_keys_use_the_pkcs1_and_sec1_labels() {
    let pki = pki();
    let rsa = String::from_utf8(pki.read("rsa2048.trad.key")).unwrap();
    assert!(
        rsa.starts_with("-----BEGIN RSA PRIVATE KEY-----"),
        "{}",
        &rsa[..40]
    );
    for ec in ["p256", "p384"] {
        let text = String::from_utf8(pki.read(&format!("{ec}.trad.key"))).unwrap();
        assert!(
            text.starts_with("-----BEGIN EC PRIVATE KEY-----"),
            "{}",
            &text[..40]
        );
    }
}

#[test]
fn rsa_signs_every_pkcs1v15_and_pss_digest_on_request() {
    for digest in [
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
    ] {
        for algorithm in [
            SignatureScheme::RsaPkcs1v15(digest),
            SignatureScheme::rsa_pss(digest),
        ] {
            let signer = from_p12("rsa2048", "modern")
                .with_algorithm(algorithm)
                .unwrap();
            assert_eq!(signer.algorithm(), algorithm);
            assert_openssl_verifies(&signer, "rsa2048");
        }
    }
}

#[test]
fn pss_key_without_parameters_signs_pss_with_any_digest() {
    for digest in [DigestAlgorithm::Sha384, DigestAlgorithm::Sha512] {
        let signer = from_p12("rsapss3072", "legacy")
            .with_algorithm(SignatureScheme::rsa_pss(digest))
            .unwrap();
        assert_openssl_verifies(&signer, "rsapss3072");
    }
}

#[test]
fn ecdsa_signs_with_other_digests_on_request() {
    for (leaf, digest) in [
        ("p256", DigestAlgorithm::Sha384),
        ("p256", DigestAlgorithm::Sha512),
        ("p384", DigestAlgorithm::Sha256),
        ("p384", DigestAlgorithm::Sha512),
    ] {
        let signer = from_p12(leaf, "modern")
            .with_algorithm(SignatureScheme::Ecdsa(digest))
            .unwrap();
        assert_openssl_verifies(&signer, leaf);
    }
}

#[test]
fn ecdsa_signature_is_a_der_sequence_of_two_integers() {
    let signature = from_p12("p256", "modern").sign(MESSAGE).unwrap();
    assert_eq!(signature[0], 0x30, "SEQUENCE");
    assert_eq!(
        signature[1] as usize,
        signature.len() - 2,
        "definite short length"
    );
    assert_eq!(signature[2], 0x02, "INTEGER r");
}

#[test]
fn openssl_rejects_the_signature_for_another_message() {
    // Shows that the verification above is a real check.
    for leaf in ["rsa2048", "rsapss3072", "p256"] {
        let signer = from_p12(leaf, "modern");
        assert!(
            !openssl_verifies(&signer, leaf, b"another message"),
            "{leaf}"
        );
    }
}

#[test]
fn key_types_are_reported() {
    assert_eq!(
        from_p12("rsa2048", "modern").key_type(),
        KeyType::Rsa {
            modulus_bits: 2048,
            pss_only: false,
        }
    );
    assert_eq!(
        from_p12("rsapss3072", "modern").key_type(),
        KeyType::Rsa {
            modulus_bits: 3072,
            pss_only: true,
        }
    );
    assert_eq!(
        from_p12("p256", "modern").key_type(),
        KeyType::Ec(kyso_cert::EcCurve::P256)
    );
    assert_eq!(
        from_p12("p384", "modern").key_type(),
        KeyType::Ec(kyso_cert::EcCurve::P384)
    );
}

#[test]
fn key_is_matched_to_its_certificate_by_public_key_not_by_position() {
    let pki = pki();
    // The leaf in the middle of the certificate file, the chain around it.
    let certs = [
        pki.read("root.pem"),
        pki.read("p384.pem"),
        pki.read("int.pem"),
    ]
    .concat();
    let signer = SoftwareSigner::from_pem(&pki.read("p384.key"), &certs, None).unwrap();
    assert_certificates(&signer, "p384");
    assert_openssl_verifies(&signer, "p384");
}

#[test]
fn pem_files_are_read_from_disk() {
    let pki = pki();
    let signer = SoftwareSigner::from_pem_files(
        pki.path("p256.enc.key"),
        pki.path("p256.pem"),
        Some(&pki.path("chain.pem")),
        Some(PASSWORD),
    )
    .unwrap();
    assert_certificates(&signer, "p256");
    let signer = SoftwareSigner::from_pkcs12_file(pki.path("p256-legacy.p12"), PASSWORD).unwrap();
    assert_certificates(&signer, "p256");
    let missing = SoftwareSigner::from_pkcs12_file(pki.path("absent.p12"), PASSWORD);
    assert!(matches!(missing, Err(Error::Io { .. })), "{missing:?}");
}

#[test]
fn wrong_pkcs12_password_is_reported_as_such() {
    for (form, _) in P12_FORMS {
        let bytes = pki().read(&format!("rsa2048-{form}.p12"));
        let result = SoftwareSigner::from_pkcs12(&bytes, "not the password");
        assert!(
            matches!(result, Err(Error::WrongPassword)),
            "{form}: {result:?}"
        );
    }
}

#[test]
fn wrong_key_password_is_reported_as_such() {
    let pki = pki();
    let result = SoftwareSigner::from_encrypted_pem(
        &pki.read("p256.enc.key"),
        "not the password",
        &pki.read("p256.pem"),
        None,
    );
    assert!(matches!(result, Err(Error::WrongPassword)), "{result:?}");
}

#[test]
fn encrypted_key_without_password_asks_for_one() {
    let pki = pki();
    let result =
        SoftwareSigner::from_pem(&pki.read("rsa2048.enc.key"), &pki.read("rsa2048.pem"), None);
    assert!(matches!(result, Err(Error::PasswordRequired)), "{result:?}");
}

#[test]
fn key_of_another_pair_is_a_mismatch() {
    let pki = pki();
    for (key, cert) in [
        ("rsa2048", "rsapss3072"),
        ("rsa2048", "p256"),
        ("p256", "p384"),
        ("p384", "rsa2048"),
    ] {
        let result = SoftwareSigner::from_pem(
            &pki.read(&format!("{key}.key")),
            &pki.read(&format!("{cert}.pem")),
            Some(&pki.read("chain.pem")),
        );
        assert!(
            matches!(result, Err(Error::KeyCertificateMismatch)),
            "{key} with {cert}: {result:?}"
        );
    }
}

#[test]
fn key_does_not_match_a_chain_certificate_only() {
    // The chain file is never searched for the signer's certificate.
    let pki = pki();
    let result = SoftwareSigner::from_pem(
        &pki.read("int.key"),
        &pki.read("p256.pem"),
        Some(&pki.read("chain.pem")),
    );
    assert!(
        matches!(result, Err(Error::KeyCertificateMismatch)),
        "{result:?}"
    );
}

#[test]
fn garbage_is_a_parse_error() {
    let garbage = b"\x30\x82\x01\x00 this is not PKCS#12 at all".repeat(10);
    let result = SoftwareSigner::from_pkcs12(&garbage, PASSWORD);
    assert!(matches!(result, Err(Error::Pkcs12(_))), "{result:?}");
    let result = SoftwareSigner::from_pkcs12(b"", PASSWORD);
    assert!(matches!(result, Err(Error::Pkcs12(_))), "{result:?}");

    let pki = pki();
    let cert = pki.read("p256.pem");
    let result = SoftwareSigner::from_pem(&garbage, &cert, None);
    assert!(matches!(result, Err(Error::InvalidKey(_))), "{result:?}");
    let result = SoftwareSigner::from_pem(b"no key here", &cert, None);
    assert!(matches!(result, Err(Error::NoPrivateKey(_))), "{result:?}");
    let broken = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    let result = SoftwareSigner::from_pem(broken, &cert, None);
    assert!(matches!(result, Err(Error::InvalidKey(_))), "{result:?}");
    let result = SoftwareSigner::from_pem(&pki.read("p256.key"), b"garbage", None);
    assert!(matches!(result, Err(Error::Certificate(_))), "{result:?}");
}

#[test]
fn pss_on_an_ec_key_is_an_algorithm_mismatch() {
    for leaf in ["p256", "p384"] {
        let result = from_p12(leaf, "modern")
            .with_algorithm(SignatureScheme::rsa_pss(DigestAlgorithm::Sha256));
        assert!(
            matches!(
                result,
                Err(Error::AlgorithmMismatch {
                    algorithm: SignatureScheme::RsaPss { .. },
                    ..
                })
            ),
            "{leaf}: {result:?}"
        );
    }
}

#[test]
fn mismatched_algorithms_are_refused() {
    let cases = [
        ("rsa2048", SignatureScheme::Ecdsa(DigestAlgorithm::Sha256)),
        (
            "p256",
            SignatureScheme::RsaPkcs1v15(DigestAlgorithm::Sha256),
        ),
        // id-RSASSA-PSS keys are PSS only (RFC 4055 §1.2).
        (
            "rsapss3072",
            SignatureScheme::RsaPkcs1v15(DigestAlgorithm::Sha256),
        ),
        // This key's parameters fix SHA-384.
        (
            "rsapss384",
            SignatureScheme::rsa_pss(DigestAlgorithm::Sha256),
        ),
    ];
    for (leaf, algorithm) in cases {
        let result = from_p12(leaf, "modern").with_algorithm(algorithm);
        assert!(
            matches!(result, Err(Error::AlgorithmMismatch { .. })),
            "{leaf} with {algorithm:?}: {result:?}"
        );
    }
}

#[test]
fn debug_shows_the_subject_but_no_key_material() {
    let signer = from_p12("rsa2048", "modern");
    let debug = format!("{signer:?}");
    assert!(debug.contains("SoftwareSigner"), "{debug}");
    assert!(debug.contains("modulus_bits: 2048"), "{debug}");
    assert!(debug.contains("RsaPkcs1v15(Sha256)"), "{debug}");
    assert!(debug.contains("O=Kyso"), "{debug}");
    assert!(debug.len() < 400, "Debug output unexpectedly long: {debug}");
    assert!(!debug.to_lowercase().contains("prime"), "{debug}");
}

#[test]
fn signer_is_usable_as_a_trait_object() {
    let signer: Box<dyn Signer> = Box::new(from_p12("p384", "descert"));
    assert_eq!(signer.chain().len(), 2);
    assert!(!signer.sign(MESSAGE).unwrap().is_empty());
}
