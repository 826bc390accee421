//! The PKCS#11 backend against a real token: SoftHSM2, set up by `pkcs11_softhsm` with the
//! test PKI's keys, certificates and intermediate CA certificate.

mod pkcs11_softhsm;

use std::path::Path;
use std::sync::Arc;

use kyso_cms::{DigestAlgorithm, SignatureScheme, Signer};
use kyso_pdf::{PdfSigner, SignOptions};
use kyso_testkit::validators::{self, pdfsig_verify, pyhanko_validate};
use kyso_testkit::{TestPki, corpus};
use kyso_token::Error;
use kyso_token::pkcs11::{
    CertificateFilter, KeyKind, KeySelector, Pin, PinSource, Pkcs11Mechanism, Pkcs11Module,
    Pkcs11Signer,
};
use pkcs11_softhsm::{EC, Imported, KEYS, PIN, PIN_TOKEN, PSS, RSA, TOKEN, softhsm};

fn module() -> Pkcs11Module {
    let hsm = softhsm();
    Pkcs11Module::load(&hsm.module).expect("load SoftHSM2")
}

fn open(selector: KeySelector) -> Pkcs11Signer {
    Pkcs11Signer::builder(&module())
        .token_label(TOKEN)
        .key(selector)
        .pin(Pin::new(PIN))
        .open()
        .unwrap_or_else(|e| panic!("open the signer: {e}"))
}

/// Signs the classic corpus PDF and has pyHanko (trusting only the root) and pdfsig check it.
fn sign_and_validate(signer: &Pkcs11Signer, name: &str) -> Vec<u8> {
    let hsm = softhsm();
    let input = corpus::classic();
    let output = hsm.scratch.join(format!("{name}.pdf"));
    let options = SignOptions {
        reason: Some("Ký qua token PKCS#11".into()),
        location: Some("Hà Nội".into()),
        ..SignOptions::default()
    };
    PdfSigner::new(options)
        .sign_file(&input.path, &output, signer)
        .unwrap_or_else(|e| panic!("sign {name}: {e}"));
    assert_validators_accept(&output);
    std::fs::read(&output).unwrap()
}

fn assert_validators_accept(pdf: &Path) {
    let pki = TestPki::get();
    let sigs = pyhanko_validate(pdf, pki.root_pem());
    assert_eq!(sigs.len(), 1, "{sigs:#?}");
    assert!(
        sigs[0].is_fully_valid(),
        "pyHanko rejects {}: {}\n{}",
        pdf.display(),
        sigs[0].summary,
        sigs[0].details
    );
    let sigs: Vec<_> = pdfsig_verify(pdf, pki.nss_db())
        .into_iter()
        .filter(|s| !s.raw.contains("is not signed"))
        .collect();
    assert_eq!(sigs.len(), 1, "{sigs:#?}");
    assert!(
        sigs[0].signature_valid && sigs[0].certificate_trusted,
        "pdfsig rejects {}:\n{}",
        pdf.display(),
        sigs[0].raw
    );
}

fn common_name(der: &[u8]) -> String {
    kyso_cert::Certificate::from_der(der)
        .unwrap()
        .subject()
        .common_name
        .unwrap()
}

#[test]
fn lists_tokens_keys_and_certificates_with_vietnamese_labels() {
    let module = module();
    let info = module.info().unwrap();
    assert!(info.manufacturer.contains("SoftHSM"), "{info:?}");

    let tokens = module.tokens().unwrap();
    let labels: Vec<&str> = tokens.iter().map(|t| t.label.as_str()).collect();
    assert!(
        labels.contains(&TOKEN) && labels.contains(&PIN_TOKEN),
        "{labels:?}"
    );
    let slots = module.slots().unwrap();
    assert!(
        slots.iter().filter(|s| s.token_present).count() >= 2,
        "{slots:?}"
    );

    let token = module.find_token(Some(TOKEN)).unwrap();
    assert!(token.login_required && !token.user_pin_locked);

    // Without a login: the certificates (public objects), labels intact.
    let public = module.token_objects(&token, None).unwrap();
    assert!(!public.logged_in);
    let mut cert_labels: Vec<&str> = public
        .certificates
        .iter()
        .map(|c| c.label.as_str())
        .collect();
    cert_labels.sort_unstable();
    let mut expected: Vec<&str> = KEYS.iter().map(|k| k.cert_label).collect();
    expected.push(pkcs11_softhsm::CA_LABEL);
    expected.sort_unstable();
    assert_eq!(cert_labels, expected);
    // (Whether private keys show depends on the token and on whether another session of this
    // process is logged in: PKCS#11 login state is per application and token.)

    // With the PIN: the private keys too, each paired with its certificate.
    let objects = module
        .token_objects(&token, Some(PinSource::Pin(Pin::new(PIN))))
        .unwrap();
    assert!(objects.logged_in);
    assert_eq!(objects.private_keys.len(), 3);
    for imported in KEYS {
        let key = objects
            .private_keys
            .iter()
            .find(|k| k.label == imported.key_label)
            .unwrap_or_else(|| panic!("key {} not listed", imported.key_label));
        assert_eq!(key.id_hex(), imported.id);
        assert!(key.can_sign);
        let expected_kind = match imported.kind {
            kyso_testkit::LeafKind::P256 => KeyKind::Ec {
                curve: Some("P-256".into()),
            },
            kyso_testkit::LeafKind::Rsa3072Pss => KeyKind::Rsa { bits: Some(3072) },
            _ => KeyKind::Rsa { bits: Some(2048) },
        };
        assert_eq!(key.kind, expected_kind, "{}", key.label);
        let cert = objects.certificate_for(key).expect("paired certificate");
        assert_eq!(cert.label, imported.cert_label);
        let subject = cert.certificate.as_ref().unwrap().subject();
        assert_eq!(
            subject.common_name.as_deref(),
            Some(imported.kind.common_name())
        );
        assert_eq!(
            objects.private_key_for(cert).map(|k| k.label.as_str()),
            Some(imported.key_label)
        );
    }
    let rsa_cert = objects
        .certificates
        .iter()
        .find(|c| c.label == RSA.cert_label)
        .unwrap();
    let subject = rsa_cert.certificate.as_ref().unwrap().subject();
    assert_eq!(subject.citizen_id(), Some("001234567890"));
    let pss_cert = objects
        .certificates
        .iter()
        .find(|c| c.label == PSS.cert_label)
        .unwrap();
    assert_eq!(
        pss_cert.certificate.as_ref().unwrap().subject().tax_code(),
        Some("0101234567")
    );
    let ca = objects
        .certificates
        .iter()
        .find(|c| c.label == pkcs11_softhsm::CA_LABEL)
        .unwrap();
    assert!(objects.private_key_for(ca).is_none());
}

#[test]
fn signs_a_pdf_with_rsa_pkcs1_chosen_by_certificate_label() {
    let signer = open(KeySelector::Label(RSA.cert_label.into()));
    assert_eq!(signer.key_label(), RSA.key_label);
    assert_eq!(signer.key_id(), [0x01]);
    assert_eq!(
        signer.algorithm(),
        SignatureScheme::RsaPkcs1v15(DigestAlgorithm::Sha256)
    );
    assert_eq!(signer.mechanism_name(), "CKM_SHA256_RSA_PKCS");
    let pdf = sign_and_validate(&signer, "rsa-pkcs1");

    // The chain read from the token is embedded: the CMS carries the intermediate's DER.
    let hsm = softhsm();
    let ca = hsm.ca_der();
    assert_eq!(signer.chain().len(), 1);
    assert_eq!(signer.chain()[0].der(), ca.as_slice());
    let cms = validators::extract_signature(&pdf, 0).unwrap().cms_der;
    assert!(
        cms.windows(ca.len()).any(|w| w == ca.as_slice()),
        "the intermediate CA certificate from the token is not in the CMS"
    );
}

#[test]
fn signs_a_pdf_with_rsa_pss_chosen_by_id() {
    let signer = open(KeySelector::id_hex("02").unwrap())
        .with_algorithm(SignatureScheme::rsa_pss(DigestAlgorithm::Sha256))
        .unwrap();
    assert_eq!(signer.mechanism(), Pkcs11Mechanism::RsaPkcsPss);
    assert_eq!(
        common_name(signer.certificate().der()),
        PSS.kind.common_name()
    );
    sign_and_validate(&signer, "rsa-pss");
}

#[test]
fn signs_a_pdf_with_ecdsa_chosen_by_certificate_filter() {
    let filter = CertificateFilter::new()
        .subject_contains("cccd:079123456789")
        .issuer_contains("intermediate")
        .valid_now();
    let signer = open(KeySelector::Certificate(filter));
    assert_eq!(signer.key_label(), EC.key_label);
    assert_eq!(
        signer.algorithm(),
        SignatureScheme::Ecdsa(DigestAlgorithm::Sha256)
    );
    assert_eq!(signer.mechanism_name(), "CKM_ECDSA");
    sign_and_validate(&signer, "ecdsa");
}

#[test]
fn raw_rsa_with_our_digest_info_equals_the_hashing_mechanism() {
    let hashing = open(KeySelector::Label(RSA.key_label.into()));
    let raw = Pkcs11Signer::builder(&module())
        .token_label(TOKEN)
        .key(KeySelector::Label(RSA.key_label.into()))
        .pin(Pin::new(PIN))
        .mechanism(Pkcs11Mechanism::RsaPkcsRaw)
        .open()
        .unwrap();
    assert_eq!(raw.mechanism_name(), "CKM_RSA_PKCS");
    for digest in [
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
    ] {
        let algorithm = SignatureScheme::RsaPkcs1v15(digest);
        let hashing = open(KeySelector::Label(RSA.key_label.into()))
            .with_algorithm(algorithm)
            .unwrap();
        let raw = Pkcs11Signer::builder(&module())
            .token_label(TOKEN)
            .key(KeySelector::Label(RSA.key_label.into()))
            .pin(Pin::new(PIN))
            .mechanism(Pkcs11Mechanism::RsaPkcsRaw)
            .algorithm(algorithm)
            .open()
            .unwrap();
        // PKCS#1 v1.5 is deterministic: the same DigestInfo gives the same bytes.
        let message = format!("văn bản {digest:?}");
        assert_eq!(
            raw.sign(message.as_bytes()).unwrap(),
            hashing.sign(message.as_bytes()).unwrap(),
            "{digest:?}"
        );
    }

    // And openssl, which parses the DigestInfo when verifying, accepts it.
    let hsm = softhsm();
    let message = hsm.scratch.join("raw-message.bin");
    let signature = hsm.scratch.join("raw-signature.bin");
    let public = hsm.scratch.join("raw-public.pem");
    std::fs::write(&message, "Quyết định số 123/QĐ-UBND").unwrap();
    std::fs::write(
        &signature,
        raw.sign(&std::fs::read(&message).unwrap()).unwrap(),
    )
    .unwrap();
    let leaf = TestPki::get().leaf(RSA.kind);
    hsm.openssl(&[
        "x509",
        "-in",
        leaf.cert_pem.to_str().unwrap(),
        "-pubkey",
        "-noout",
        "-out",
        public.to_str().unwrap(),
    ]);
    let out = hsm.openssl(&[
        "dgst",
        "-sha256",
        "-verify",
        public.to_str().unwrap(),
        "-signature",
        signature.to_str().unwrap(),
        message.to_str().unwrap(),
    ]);
    assert!(out.contains("Verified OK"), "{out}");
    drop(hashing);
}

#[test]
fn one_signer_signs_from_many_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Pkcs11Signer>();

    let signer = Arc::new(open(KeySelector::Label(EC.key_label.into())));
    let identifier = signer.algorithm().identifier().unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let signer = Arc::clone(&signer);
            std::thread::spawn(move || {
                (0..8)
                    .map(|i| {
                        let message = format!("luồng {t}, văn bản {i}").into_bytes();
                        let signature = signer.sign(&message).unwrap();
                        (message, signature)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for thread in threads {
        for (message, signature) in thread.join().unwrap() {
            kyso_cert::verify_signature(signer.certificate(), &identifier, &message, &signature)
                .unwrap();
        }
    }

    // A batch under one hold of the session.
    let messages: Vec<Vec<u8>> = (0..5).map(|i| format!("lô {i}").into_bytes()).collect();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    for (message, result) in messages.iter().zip(signer.sign_many(&refs)) {
        kyso_cert::verify_signature(signer.certificate(), &identifier, message, &result.unwrap())
            .unwrap();
    }
}

#[test]
fn wrong_pin_is_typed_and_does_not_lock_the_token() {
    let module = module();
    let token = module.find_token(Some(PIN_TOKEN)).unwrap();
    for _ in 0..3 {
        let err = Pkcs11Signer::builder(&module)
            .token_label(PIN_TOKEN)
            .pin(Pin::new("0000"))
            .open()
            .unwrap_err();
        assert!(matches!(err, Error::WrongPin), "{err:?}");
        let err = module
            .token_objects(&token, Some(PinSource::Pin(Pin::new("9999"))))
            .unwrap_err();
        assert!(matches!(err, Error::WrongPin), "{err:?}");
    }
    let after = module.find_token(Some(PIN_TOKEN)).unwrap();
    assert!(
        !after.user_pin_locked && !after.user_pin_final_try,
        "{after:?}"
    );
    // The right PIN still works.
    let objects = module
        .token_objects(&after, Some(PinSource::Pin(Pin::new(PIN))))
        .unwrap();
    assert!(objects.logged_in);
    // The PIN token holds no key.
    let err = Pkcs11Signer::builder(&module)
        .token_label(PIN_TOKEN)
        .pin(Pin::new(PIN))
        .open()
        .unwrap_err();
    assert!(matches!(err, Error::KeyNotFound(_)), "{err:?}");
}

#[test]
fn pin_from_env_file_and_callback() {
    let hsm = softhsm();
    let file = hsm.scratch.join("pin.txt");
    std::fs::write(&file, format!("{PIN}\n")).unwrap();
    let by_file = Pkcs11Signer::builder(&module())
        .token_label(TOKEN)
        .key(KeySelector::Label(EC.key_label.into()))
        .pin(PinSource::File(file))
        .open()
        .unwrap();
    assert_eq!(by_file.key_label(), EC.key_label);

    let mut asked = Vec::new();
    let (tx, rx) = std::sync::mpsc::channel();
    let by_callback = Pkcs11Signer::builder(&module())
        .token_label(TOKEN)
        .key(KeySelector::Label(EC.key_label.into()))
        .pin(PinSource::callback(move |token| {
            tx.send(token.label.clone()).unwrap();
            Ok(Pin::new(PIN))
        }))
        .open()
        .unwrap();
    asked.extend(rx.try_iter());
    assert_eq!(asked, [TOKEN]);
    drop(by_callback);

    let err = Pkcs11Signer::builder(&module())
        .token_label(TOKEN)
        .pin(PinSource::Env("KYSO_TEST_PIN_NEVER_SET".into()))
        .open()
        .unwrap_err();
    assert!(matches!(err, Error::PinUnavailable(_)), "{err:?}");

    let err = Pkcs11Signer::builder(&module())
        .token_label(TOKEN)
        .open()
        .unwrap_err();
    assert!(
        matches!(err, Error::PinUnavailable(_)),
        "no PIN given: {err:?}"
    );
}

#[test]
fn key_selection_errors_are_typed() {
    let err = Pkcs11Signer::builder(&module())
        .token_label(TOKEN)
        .key(KeySelector::Label("Không có khóa này".into()))
        .pin(Pin::new(PIN))
        .open()
        .unwrap_err();
    assert!(matches!(err, Error::KeyNotFound(_)), "{err:?}");

    let err = Pkcs11Signer::builder(&module())
        .token_label(TOKEN)
        .key(KeySelector::Id(vec![0x7f]))
        .pin(Pin::new(PIN))
        .open()
        .unwrap_err();
    assert!(matches!(err, Error::KeyNotFound(_)), "{err:?}");

    // Three keys: "any key" must not guess.
    let err = Pkcs11Signer::builder(&module())
        .token_label(TOKEN)
        .pin(Pin::new(PIN))
        .open()
        .unwrap_err();
    match err {
        Error::AmbiguousKey { candidates, .. } => assert_eq!(candidates.len(), 3),
        other => panic!("expected AmbiguousKey, got {other:?}"),
    }

    // A filter no certificate passes (the certificates are valid for two years).
    let long_ago = std::time::UNIX_EPOCH + std::time::Duration::from_secs(946_684_800);
    let err = Pkcs11Signer::builder(&module())
        .token_label(TOKEN)
        .key(KeySelector::Certificate(
            CertificateFilter::new()
                .subject_contains("Trần Thị Bình")
                .valid_at(long_ago),
        ))
        .pin(Pin::new(PIN))
        .open()
        .unwrap_err();
    assert!(matches!(err, Error::KeyNotFound(_)), "{err:?}");

    // An algorithm the key cannot make.
    let err = open(KeySelector::Label(EC.key_label.into()))
        .with_algorithm(SignatureScheme::RsaPkcs1v15(DigestAlgorithm::Sha256))
        .unwrap_err();
    assert!(matches!(err, Error::AlgorithmMismatch { .. }), "{err:?}");
}

#[test]
fn labels_match_in_either_unicode_normal_form() {
    // "Lê Văn Cường" with combining marks (NFD), as some Vietnamese input methods type it.
    let nfd = "Le\u{302} Va\u{306}n Cu\u{31b}o\u{31b}\u{300}ng";
    assert_ne!(nfd, EC.key_label);
    let signer = open(KeySelector::Label(nfd.into()));
    assert_eq!(signer.key_label(), EC.key_label);
    // And ignoring case, as a last resort.
    let signer = open(KeySelector::Label("NGUYỄN VĂN AN".into()));
    assert_eq!(signer.key_label(), PSS.key_label);
    // Token labels too.
    let token = module()
        .find_token(Some("Token Ky\u{301} So\u{302}\u{301}"))
        .unwrap();
    assert_eq!(token.label, TOKEN);
}

#[test]
fn chain_given_by_the_caller_is_added() {
    let root = kyso_cert::Certificate::from_pem(&std::fs::read(TestPki::get().root_pem()).unwrap())
        .unwrap();
    let signer = Pkcs11Signer::builder(&module())
        .token_label(TOKEN)
        .key(KeySelector::Label(RSA.key_label.into()))
        .pin(Pin::new(PIN))
        .extra_chain(vec![root.clone()])
        .open()
        .unwrap();
    let names: Vec<String> = signer
        .chain()
        .iter()
        .map(|c| common_name(c.der()))
        .collect();
    assert_eq!(signer.chain().len(), 2, "{names:?}");
    assert_eq!(signer.chain()[0].der(), softhsm().ca_der().as_slice());
    assert_eq!(signer.chain()[1].der(), root.der());
}

#[test]
fn module_and_token_errors_are_typed() {
    let err = Pkcs11Module::load("/nonexistent/libkyso-token.so").unwrap_err();
    assert!(matches!(err, Error::ModuleNotFound(_)), "{err:?}");

    let hsm = softhsm();
    let fake = hsm.scratch.join("not-a-module.so");
    std::fs::write(&fake, b"this is not a shared library").unwrap();
    let err = Pkcs11Module::load(&fake).unwrap_err();
    assert!(matches!(err, Error::ModuleNotLoadable { .. }), "{err:?}");

    let module = module();
    let err = module.find_token(Some("Không có token này")).unwrap_err();
    assert!(matches!(err, Error::NoTokenPresent(Some(_))), "{err:?}");
    // Two tokens: one must be named.
    let err = module.find_token(None).unwrap_err();
    assert!(
        matches!(err, Error::AmbiguousToken(ref v) if v.len() == 2),
        "{err:?}"
    );

    // Loading the same module again gives the same, working, module.
    let again = Pkcs11Module::load(&hsm.module).unwrap();
    assert_eq!(again.path(), module.path());
    drop(module);
    assert!(again.tokens().unwrap().len() >= 2);
}

/// Imported keys, for tests that loop over them.
#[allow(dead_code)]
fn imported(id: &str) -> Imported {
    KEYS.into_iter().find(|k| k.id == id).unwrap()
}
