//! Signing backends for kyso: the implementations of [`kyso_cms::Signer`].
//!
//! A CMS or PDF signer needs four things from a key: the signer's certificate, the CA
//! certificates to embed, the signature algorithm, and a way to sign bytes. This crate supplies
//! them for three kinds of key, all behind the same trait:
//!
//! * keys held in software ([`SoftwareSigner`]: PKCS#12, PKCS#8/PEM);
//! * PKCS#11 tokens — the USB tokens Vietnamese CAs issue — through the vendor's module
//!   ([`pkcs11`]: [`Pkcs11Module`], [`Pkcs11Signer`]);
//! * remote signing services: the CSC API v2 ([`remote::csc`]) and services where the user
//!   approves each request on a phone ([`remote::ApprovalSigner`], [`remote::PollingSigner`]).
//!
//! # Cargo features
//!
//! | feature | what | default |
//! |---------|------|---------|
//! | `pkcs12` | software keys: PKCS#12 and PEM/DER key files | yes |
//! | `pkcs11` | PKCS#11 tokens (cryptoki) | yes |
//! | `remote` | CSC and phone-approval signing, the RFC 3161 client, OCSP/CRL fetching (ureq on rustls) | yes |
//! | `ring` | rustls on ring, when `aws-lc-rs` is off | yes |
//! | `aws-lc-rs` | the AWS-LC crypto provider for software keys, signature checks ([`kyso_cert::crypto`]) and TLS | no (on in the `kyso` binary) |
//!
//! An application that needs one backend turns the others off:
//! `kyso-token = { version = "0.1", default-features = false, features = ["pkcs11"] }`.
//!
//! # Software keys
//!
//! [`SoftwareSigner`] holds a private key in memory, loaded from
//!
//! * a **PKCS#12** file (`.p12`/`.pfx`, [RFC 7292]) — both the PBES2/AES-256 files OpenSSL 3
//!   writes by default and the legacy RC2-40/3DES files that Windows certificate export and CA
//!   tools still produce ([`SoftwareSigner::from_pkcs12`]);
//! * a **key file** and **certificate files** ([`SoftwareSigner::from_pem`],
//!   [`SoftwareSigner::from_encrypted_pem`], [`SoftwareSigner::from_pem_files`]): PKCS#8
//!   `PRIVATE KEY`, encrypted PKCS#8 `ENCRYPTED PRIVATE KEY` (PBES2), PKCS#1
//!   `RSA PRIVATE KEY` and SEC1 `EC PRIVATE KEY`, in PEM or DER.
//!
//! The signer's certificate is found by public key, never by position, and a key that belongs
//! to no certificate is refused ([`Error::KeyCertificateMismatch`]). Every other certificate
//! becomes the chain, ordered from the signer's issuer up to the root.
//!
//! | Key                      | Default algorithm          | Also on request ([`SoftwareSigner::with_algorithm`]) |
//! |--------------------------|----------------------------|------------------------------------|
//! | RSA (`rsaEncryption`)    | PKCS#1 v1.5 with SHA-256   | PKCS#1 v1.5 or PSS, SHA-256/384/512 |
//! | RSA (`id-RSASSA-PSS`)    | PSS, SHA-256 or the digest the key's parameters fix | PSS with another digest, if the key allows |
//! | ECDSA P-256              | ECDSA with SHA-256         | SHA-384, SHA-512                   |
//! | ECDSA P-384              | ECDSA with SHA-384         | SHA-256, SHA-512                   |
//!
//! PSS uses MGF1 with the signing digest and a salt as long as the digest ([RFC 4055 §3.1]);
//! ECDSA signatures are DER `ECDSA-Sig-Value`s. Randomness (RSA blinding, PSS salts, the extra
//! entropy mixed into RFC 6979 ECDSA nonces) comes from the operating system.
//!
//! # Example
//!
//! ```no_run
//! use kyso_cms::{DigestAlgorithm, SignatureScheme, Signer};
//! use kyso_token::SoftwareSigner;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A PKCS#12 file as a CA or Windows exports it.
//! let signer = SoftwareSigner::from_pkcs12_file("nguyen-van-an.p12", "mật khẩu")?;
//! println!("{signer:?}"); // subject, serial, key type, algorithm; never the key
//!
//! // Or a key file, the signer's certificate and the CA certificates, with RSA-PSS.
//! let signer = SoftwareSigner::from_pem(
//!     &std::fs::read("signer.key")?,
//!     &std::fs::read("signer.pem")?,
//!     Some(&std::fs::read("ca-chain.pem")?),
//! )?
//! .with_algorithm(SignatureScheme::rsa_pss(DigestAlgorithm::Sha256))?;
//!
//! // What a CMS builder does with it: sign the DER of the signed attributes.
//! let signature = signer.sign(b"DER of the signed attributes")?;
//! assert!(!signature.is_empty());
//! # Ok(()) }
//! ```
//!
//! # Errors
//!
//! One [`Error`] enum; the variants tell apart what a caller handles differently: a wrong
//! password ([`Error::WrongPassword`], from a failed PKCS#12 MAC or a failed decryption), a
//! missing one ([`Error::PasswordRequired`]), a damaged file ([`Error::Pkcs12`],
//! [`Error::InvalidKey`], [`Error::Certificate`]), files that do not belong together
//! ([`Error::KeyCertificateMismatch`]) and an algorithm the key cannot use
//! ([`Error::AlgorithmMismatch`]).
//!
//! # Secrets
//!
//! Private keys are zeroized on drop (`rsa` and `ecdsa` key types zeroize their secrets, and
//! decoded key buffers are held in `Zeroizing`); `Debug` prints the certificate subject, the
//! serial number, the key type and the algorithm only; passwords are borrowed for the duration
//! of the call and never stored. One gap: `p12-keystore` hands back a PKCS#12 file's decrypted
//! PKCS#8 key in a plain `Vec` that this crate cannot reach to wipe; it is dropped as soon as
//! the key is decoded.
//!
//! # RSA and the Marvin attack (RUSTSEC-2023-0071)
//!
//! `rsa` up to 0.9 did modular exponentiation with `num-bigint-dig`, whose running time depends
//! on the secret: [RUSTSEC-2023-0071] ("Marvin Attack: potential key recovery through timing
//! sidechannels"). This crate uses `rsa` 0.10. How that was checked:
//!
//! * `cargo tree -p kyso-token -i rsa` prints `rsa v0.10.0` (and `cargo tree --workspace -i rsa`
//!   shows it is the only `rsa` in the workspace; `Cargo.lock` has one `rsa` entry);
//! * `cargo tree -p kyso-token -i crypto-bigint` prints `crypto-bigint v0.7.11`, used by `rsa`
//!   (directly and through `crypto-primes`); `cargo tree -p kyso-token -i num-bigint-dig`
//!   finds no such package;
//! * the `rsa` 0.10.0 CHANGELOG, under *Security*: "Replace `num-bigint-dig` with
//!   `crypto-bigint` for constant-time modular exponentiation", "Harden private-key operations
//!   following `draft-irtf-cfrg-rsa-guidance`", and "use the system RNG for blinding in default
//!   decryption and signing paths"; its README: "This crate was previously vulnerable to the
//!   Marvin Attack … (see RUSTSEC-2023-0071)" and "Users are advised to migrate to 0.10 in
//!   order to avoid the discovered side channels";
//! * the advisory itself (`rustsec/advisory-db`, `crates/rsa/RUSTSEC-2023-0071.md`), in the
//!   versions that could be read while writing this, still says `patched = []`; the last
//!   advisory-db change found (PR #3208) recorded 0.10.0-rc.18 as still affected, before 0.10.0
//!   was released. So "fixed in 0.10" rests on the `rsa` maintainers' release notes, not (yet)
//!   on the advisory database, and `cargo audit` may keep reporting RUSTSEC-2023-0071 for
//!   `rsa` 0.10.0 until the advisory is updated.
//!
//! Signing here always goes through the blinded paths (`pkcs1v15_sign`, `pss_sign` with the
//! `getrandom` feature on), and the key never decrypts anything.
//!
//! [RFC 7292]: https://www.rfc-editor.org/rfc/rfc7292
//! [RFC 4055 §3.1]: https://www.rfc-editor.org/rfc/rfc4055#section-3.1
//! [RUSTSEC-2023-0071]: https://rustsec.org/advisories/RUSTSEC-2023-0071.html
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;
#[cfg(feature = "remote")]
pub mod remote;
#[cfg(any(feature = "pkcs12", feature = "pkcs11", feature = "remote"))]
mod scheme;
#[cfg(feature = "pkcs12")]
mod software;

pub use error::Error;
/// The key types, digests and signature schemes of kyso, from kyso-cert (one vocabulary for
/// every crate).
pub use kyso_cert::{DigestAlgorithm, EcCurve, KeyType, SignatureScheme};
#[cfg(feature = "pkcs11")]
pub use pkcs11::{Pkcs11Module, Pkcs11Signer};
#[cfg(feature = "pkcs12")]
pub use software::SoftwareSigner;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
