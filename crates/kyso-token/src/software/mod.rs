//! [`SoftwareSigner`]: a private key held in memory, loaded from a PKCS#12 file or from PEM/DER
//! key and certificate files.

#[cfg(feature = "aws-lc-rs")]
mod aws_lc;
mod chain;
mod key;
mod pem;
mod pkcs12;

use std::fmt;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use kyso_cert::Certificate;
use kyso_cms::{BatchMode, SignatureScheme, Signer, SignerError};

use key::{PrivateKey, PssOnly};
use kyso_cert::KeyType;
#[cfg(feature = "aws-lc-rs")]
use kyso_cert::crypto::Provider;

use crate::{Error, Result};

/// A [`Signer`] backed by a private key in memory: RSA (PKCS#1 v1.5 or PSS) or ECDSA on P-256
/// or P-384.
///
/// Build one from a PKCS#12 file ([`SoftwareSigner::from_pkcs12`]) or from a key file plus
/// certificate files ([`SoftwareSigner::from_pem`]); pick another algorithm with
/// [`SoftwareSigner::with_algorithm`].
///
/// The certificate is always the one whose public key belongs to the private key; every other
/// certificate of the input becomes [`Signer::chain`], ordered from the signer's issuer upward.
///
/// The private key is zeroized when the signer is dropped, and `Debug` shows only the subject,
/// serial number, key type and algorithm. Passwords are used while loading and not kept.
pub struct SoftwareSigner {
    key: PrivateKey,
    /// The same key in AWS-LC, when that is the process's crypto provider and it takes the key.
    #[cfg(feature = "aws-lc-rs")]
    fast: Option<aws_lc::FastKey>,
    certificate: Certificate,
    chain: Vec<Certificate>,
    algorithm: SignatureScheme,
}

impl SoftwareSigner {
    /// Loads the key, its certificate and the chain from a PKCS#12 (`.p12`/`.pfx`) file.
    ///
    /// Modern (PBES2/AES-256, the OpenSSL 3 default) and legacy (RC2-40 / 3DES with a SHA-1
    /// MAC, as Windows and CA tools export) files are read. When the file holds several keys, the
    /// first one that has its certificate in the file is used.
    ///
    /// # Errors
    ///
    /// [`Error::WrongPassword`] when the MAC does not verify; [`Error::Pkcs12`] when the file is
    /// not a readable PKCS#12; [`Error::NoPrivateKey`], [`Error::NoCertificate`] or
    /// [`Error::KeyCertificateMismatch`] when the file lacks a key, a certificate, or a
    /// certificate for its key; [`Error::UnsupportedKey`] for a key type other than RSA, P-256
    /// or P-384.
    pub fn from_pkcs12(bytes: &[u8], password: &str) -> Result<Self> {
        let contents = pkcs12::read(bytes, password)?;
        Self::assemble(
            contents.keys,
            contents.certs,
            Vec::new(),
            "the PKCS#12 file",
        )
    }

    /// [`SoftwareSigner::from_pkcs12`] on the contents of a file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read, else as [`SoftwareSigner::from_pkcs12`].
    pub fn from_pkcs12_file(path: impl AsRef<Path>, password: &str) -> Result<Self> {
        Self::from_pkcs12(&read_file(path.as_ref())?, password)
    }

    /// Loads an unencrypted private key and its certificate.
    ///
    /// `key_pem` is a PEM file with a `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1) or
    /// `EC PRIVATE KEY` (SEC1) block, or the same structures in DER. `cert_pem` holds the signer's
    /// certificate (PEM or DER), possibly followed by its CA certificates; `chain_pem`, when
    /// given, more CA certificates. The signer's certificate is the one in `cert_pem` that holds
    /// the key's public key; all other certificates form the chain.
    ///
    /// # Errors
    ///
    /// [`Error::PasswordRequired`] for an `ENCRYPTED PRIVATE KEY` (use
    /// [`SoftwareSigner::from_encrypted_pem`]); [`Error::InvalidKey`] or
    /// [`Error::UnsupportedKey`] for a key that cannot be used; [`Error::Certificate`] for an
    /// unreadable certificate; [`Error::KeyCertificateMismatch`] when no certificate in
    /// `cert_pem` belongs to the key.
    pub fn from_pem(key_pem: &[u8], cert_pem: &[u8], chain_pem: Option<&[u8]>) -> Result<Self> {
        Self::from_pem_inner(key_pem, None, cert_pem, chain_pem)
    }

    /// Like [`SoftwareSigner::from_pem`], for a key that may be an `ENCRYPTED PRIVATE KEY`
    /// (PKCS#8 with PBES2, as `openssl pkcs8 -topk8` writes); `password` opens it and is
    /// ignored when the key is not encrypted.
    ///
    /// # Errors
    ///
    /// [`Error::WrongPassword`] when the key does not decrypt, else as
    /// [`SoftwareSigner::from_pem`].
    pub fn from_encrypted_pem(
        key_pem: &[u8],
        password: &str,
        cert_pem: &[u8],
        chain_pem: Option<&[u8]>,
    ) -> Result<Self> {
        Self::from_pem_inner(key_pem, Some(password), cert_pem, chain_pem)
    }

    /// [`SoftwareSigner::from_pem`] / [`SoftwareSigner::from_encrypted_pem`] on files.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when a file cannot be read, else as [`SoftwareSigner::from_encrypted_pem`].
    pub fn from_pem_files(
        key_path: impl AsRef<Path>,
        cert_path: impl AsRef<Path>,
        chain_path: Option<&Path>,
        password: Option<&str>,
    ) -> Result<Self> {
        let key = zeroize::Zeroizing::new(read_file(key_path.as_ref())?);
        let cert = read_file(cert_path.as_ref())?;
        let chain = chain_path.map(read_file).transpose()?;
        Self::from_pem_inner(&key, password, &cert, chain.as_deref())
    }

    fn from_pem_inner(
        key_pem: &[u8],
        password: Option<&str>,
        cert_pem: &[u8],
        chain_pem: Option<&[u8]>,
    ) -> Result<Self> {
        let key = pem::read_key(key_pem, password)?;
        let certs = Certificate::all_from_der_or_pem(cert_pem)?;
        let extra = match chain_pem {
            Some(bytes) => Certificate::all_from_der_or_pem(bytes)?,
            None => Vec::new(),
        };
        Self::assemble(vec![key], certs, extra, "the certificate file")
    }

    /// Picks the key whose certificate is among `certs`, makes every other certificate (the
    /// rest of `certs`, then `extra`) the chain, and chooses the default algorithm.
    fn assemble(
        keys: Vec<PrivateKey>,
        mut certs: Vec<Certificate>,
        extra: Vec<Certificate>,
        source: &'static str,
    ) -> Result<Self> {
        if keys.is_empty() {
            return Err(Error::NoPrivateKey(source));
        }
        if certs.is_empty() {
            return Err(Error::NoCertificate(source));
        }
        let (mut key, leaf) = keys
            .into_iter()
            .find_map(|key| chain::find_leaf(&key, &certs).map(|i| (key, i)))
            .ok_or(Error::KeyCertificateMismatch)?;
        let certificate = certs.remove(leaf);
        certs.extend(extra);
        let chain = chain::order_chain(&certificate, certs);

        // A certificate issued for an id-RSASSA-PSS key restricts the key to PSS.
        let algorithm_id = &certificate
            .inner()
            .tbs_certificate()
            .subject_public_key_info()
            .algorithm;
        let parameters = algorithm_id
            .parameters
            .as_ref()
            .filter(|p| !p.is_null())
            .map(der::Encode::to_der)
            .transpose()
            .map_err(|e| Error::InvalidKey(format!("certificate key parameters: {e}")))?;
        if let Some(restriction) = PssOnly::from_identifier(algorithm_id.oid, parameters)? {
            key.restrict_to_pss(restriction);
        }

        let algorithm = key.default_algorithm()?;
        key.check(algorithm)?;
        Ok(Self {
            #[cfg(feature = "aws-lc-rs")]
            fast: (Provider::current() == Provider::AwsLcRs)
                .then(|| aws_lc::FastKey::new(&key))
                .flatten(),
            key,
            certificate,
            chain,
            algorithm,
        })
    }

    /// Signs with `algorithm` instead of the default.
    ///
    /// The defaults are PKCS#1 v1.5 with SHA-256 for RSA keys, PSS (SHA-256 unless the key fixes
    /// another digest) for keys whose certificate or key file says `id-RSASSA-PSS`, ECDSA with
    /// SHA-256 on P-256 and with SHA-384 on P-384.
    ///
    /// # Errors
    ///
    /// [`Error::AlgorithmMismatch`] when the key cannot sign with `algorithm`: an RSA algorithm
    /// on an EC key or the reverse, PKCS#1 v1.5 on a PSS-only key, another digest than a PSS
    /// key's parameters fix, or PSS with a digest too long for the key.
    pub fn with_algorithm(mut self, algorithm: SignatureScheme) -> Result<Self> {
        self.key.check(algorithm)?;
        self.algorithm = algorithm;
        Ok(self)
    }

    /// The type and size of the private key.
    pub fn key_type(&self) -> KeyType {
        self.key.key_type()
    }
}

impl Signer for SoftwareSigner {
    fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureScheme {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        #[cfg(feature = "aws-lc-rs")]
        if let Some(result) = self
            .fast
            .as_ref()
            .and_then(|fast| fast.sign(self.algorithm, message))
        {
            return result
                .map_err(|e| SignerError::with_source("the software key could not sign", e));
        }
        self.key
            .sign(self.algorithm, message)
            .map_err(|e| SignerError::with_source("the software key could not sign", e))
    }

    /// Signs on every core, each thread taking the next message as it comes free (a core
    /// slowed by another guest or process then signs fewer, instead of holding the batch
    /// back): constant-time RSA costs milliseconds per signature, so a batch of documents is
    /// bound by it. Results come back in the messages' order.
    fn sign_many(&self, messages: &[&[u8]]) -> Vec<Result<Vec<u8>, SignerError>> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(messages.len().max(1));
        let results: Vec<OnceLock<Result<Vec<u8>, SignerError>>> =
            messages.iter().map(|_| OnceLock::new()).collect();
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let (Some(message), Some(slot)) = (messages.get(i), results.get(i))
                            else {
                                break;
                            };
                            // Each index is taken by one thread only, so the slot is empty.
                            let _ = slot.set(self.sign(message));
                        }
                    })
                })
                .collect();
            // A panicked thread leaves its message's slot empty; joining here keeps the
            // panic from propagating out of the scope.
            for handle in handles {
                let _ = handle.join();
            }
        });
        results
            .into_iter()
            .map(|slot| {
                slot.into_inner()
                    .unwrap_or_else(|| Err(SignerError::new("a signing thread panicked")))
            })
            .collect()
    }

    /// A key in memory signs each document of a batch as soon as it is ready: there is no
    /// login or authorisation to share, and signing then overlaps the file work.
    fn batch_mode(&self) -> BatchMode {
        BatchMode::EachAsReady
    }

    /// The key was matched to its certificate by public key when it was loaded, and both
    /// providers verify each RSA result with the public exponent before returning it (AWS-LC's
    /// private transform, RustCrypto's `rsa_decrypt_and_check`): verifying again before
    /// embedding would repeat that work.
    fn verifies_own_signatures(&self) -> bool {
        true
    }
}

impl fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareSigner")
            .field(
                "subject",
                &self
                    .certificate
                    .inner()
                    .tbs_certificate()
                    .subject()
                    .to_string(),
            )
            .field("serial", &self.certificate.serial_hex())
            .field("key_type", &self.key.key_type())
            .field("algorithm", &self.algorithm)
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}
