//! A token that offers only raw RSA: SoftHSM2 with its hashing RSA mechanisms and
//! `CKM_RSA_PKCS_PSS` switched off (`slots.mechanisms`), as on tokens whose modules list only
//! `CKM_RSA_PKCS`. The signer must fall back to `CKM_RSA_PKCS` over a `DigestInfo` it builds,
//! and to `CKM_SHA256_RSA_PKCS_PSS` for PSS, and validators must accept the PDFs.
//!
//! A test binary of its own: SoftHSM2 reads its mechanism configuration once per process.

mod pkcs11_softhsm;

use kyso_cms::{DigestAlgorithm, SignatureScheme, Signer};
use kyso_pdf::{PdfSigner, SignOptions};
use kyso_testkit::validators::pyhanko_validate;
use kyso_testkit::{TestPki, corpus};
use kyso_token::Error;
use kyso_token::pkcs11::{KeySelector, Pin, Pkcs11Mechanism, Pkcs11Module, Pkcs11Signer};
use pkcs11_softhsm::{EC, Imported, PIN, PSS, RSA, SoftHsm, TOKEN, softhsm_with_mechanisms};

/// Everything but the hashing RSA mechanisms and RSA-PSS over a hash (the list starts with an
/// unused mechanism: SoftHSM2 2.6 skips the first name after the `-`).
const DISABLED: &str = "-CKM_MD5_RSA_PKCS,CKM_SHA1_RSA_PKCS,CKM_SHA224_RSA_PKCS,\
                        CKM_SHA256_RSA_PKCS,CKM_SHA384_RSA_PKCS,CKM_SHA512_RSA_PKCS,CKM_RSA_PKCS_PSS";

fn hsm() -> &'static SoftHsm {
    softhsm_with_mechanisms(DISABLED)
}

fn open(key: Imported, algorithm: Option<SignatureScheme>) -> Result<Pkcs11Signer, Error> {
    let module = Pkcs11Module::load(&hsm().module)?;
    let mut builder = Pkcs11Signer::builder(&module)
        .token_label(TOKEN)
        .key(KeySelector::Label(key.key_label.into()))
        .pin(Pin::new(PIN));
    if let Some(algorithm) = algorithm {
        builder = builder.algorithm(algorithm);
    }
    builder.open()
}

fn sign_pdf(signer: &Pkcs11Signer, name: &str) {
    let output = hsm().scratch.join(format!("{name}.pdf"));
    PdfSigner::new(SignOptions::default())
        .sign_file(&corpus::classic().path, &output, signer)
        .unwrap_or_else(|e| panic!("sign {name}: {e}"));
    let sigs = pyhanko_validate(&output, TestPki::get().root_pem());
    assert!(
        sigs.len() == 1 && sigs[0].is_fully_valid(),
        "pyHanko rejects {name}: {sigs:#?}"
    );
}

#[test]
fn rsa_pkcs1_falls_back_to_raw_rsa_with_our_digest_info() {
    let pkcs11_tool = hsm().pkcs11_tool(&["--list-mechanisms"]);
    assert!(
        !pkcs11_tool.contains("SHA256-RSA-PKCS,"),
        "the hashing mechanism is still listed:\n{pkcs11_tool}"
    );
    for digest in [DigestAlgorithm::Sha256, DigestAlgorithm::Sha512] {
        let signer = open(RSA, Some(SignatureScheme::RsaPkcs1v15(digest))).unwrap();
        assert_eq!(signer.mechanism(), Pkcs11Mechanism::RsaPkcsRaw);
        let message = b"Ngh\xe1\xbb\x8b \xc4\x91\xe1\xbb\x8bnh";
        let signature = signer.sign(message).unwrap();
        kyso_cert::verify_signature(
            signer.certificate(),
            &signer.algorithm().identifier().unwrap(),
            message,
            &signature,
        )
        .unwrap();
    }
    sign_pdf(&open(RSA, None).unwrap(), "raw-rsa");
}

#[test]
fn rsa_pss_falls_back_to_the_hashing_pss_mechanism() {
    let signer = open(PSS, Some(SignatureScheme::rsa_pss(DigestAlgorithm::Sha256))).unwrap();
    assert_eq!(signer.mechanism(), Pkcs11Mechanism::RsaPkcsPssWithHash);
    assert_eq!(signer.mechanism_name(), "CKM_SHA256_RSA_PKCS_PSS");
    sign_pdf(&signer, "sha256-rsa-pkcs-pss");
}

#[test]
fn a_mechanism_the_token_lacks_is_a_typed_error() {
    let module = Pkcs11Module::load(&hsm().module).unwrap();
    let err = Pkcs11Signer::builder(&module)
        .token_label(TOKEN)
        .key(KeySelector::Label(RSA.key_label.into()))
        .pin(Pin::new(PIN))
        .mechanism(Pkcs11Mechanism::RsaPkcsWithHash)
        .open()
        .unwrap_err();
    match err {
        Error::MechanismNotSupported { reason, .. } => {
            assert!(reason.contains("CKM_SHA256_RSA_PKCS"), "{reason}")
        }
        other => panic!("expected MechanismNotSupported, got {other:?}"),
    }
    // ECDSA is untouched: CKM_ECDSA over our hash.
    let ec = open(EC, None).unwrap();
    assert_eq!(ec.mechanism_name(), "CKM_ECDSA");
}
