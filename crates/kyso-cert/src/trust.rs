//! [`TrustStore`]: the trust anchors paths must end at, and a pool of known intermediates.

use std::path::{Path, PathBuf};

use crate::{Certificate, Error, Result};

/// Files larger than this are not read as certificate files (a CA bundle is well under
/// 1 MiB; this only keeps a wrong path from being read whole).
pub const MAX_CERTIFICATE_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Certificate file extensions [`TrustStore::add_anchors_from_dir`] reads (case-insensitive).
pub const CERTIFICATE_FILE_EXTENSIONS: &[&str] = &["pem", "crt", "cer", "der"];

/// Trust anchors ([RFC 5280 §6.1.1] (d): "trust anchor information") and a pool of
/// untrusted intermediate CA certificates that path building may use.
///
/// Anchors are certificates, typically self-signed roots (for Vietnam, the national root of
/// the Ministry of Information and Communications and the Government Cipher Committee's
/// root). A certificate is trusted because it is in the store, not because of anything it
/// says; path validation still checks its validity period, extensions and constraints.
///
/// ```no_run
/// # fn main() -> kyso_cert::Result<()> {
/// use kyso_cert::TrustStore;
///
/// let mut trust = TrustStore::from_dir("/etc/kyso/trust")?; // *.pem, *.crt, *.cer, *.der
/// trust.add_intermediates_from_file("/etc/kyso/intermediates.pem")?;
/// println!("{} anchors", trust.anchors().len());
/// # Ok(()) }
/// ```
///
/// [RFC 5280 §6.1.1]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.1
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    anchors: Vec<Certificate>,
    intermediates: Vec<Certificate>,
}

impl TrustStore {
    /// An empty store (no trust anchor: nothing validates, [RFC 5280 §6.1.1] (d)).
    ///
    /// [RFC 5280 §6.1.1]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.1
    pub fn new() -> Self {
        Self::default()
    }

    /// A store with these anchors ([RFC 5280 §6.1.1] (d)).
    ///
    /// [RFC 5280 §6.1.1]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.1
    pub fn from_anchors(anchors: impl IntoIterator<Item = Certificate>) -> Self {
        let mut store = Self::new();
        for anchor in anchors {
            store.add_anchor(anchor);
        }
        store
    }

    /// A store with the anchors of one file (PEM with any number of certificates, or one DER
    /// certificate).
    ///
    /// # Errors
    ///
    /// [`Error::CertificateFile`] if the file cannot be read or holds no certificate.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let mut store = Self::new();
        store.add_anchors_from_file(path)?;
        Ok(store)
    }

    /// A store with the anchors of every `*.pem`, `*.crt`, `*.cer` and `*.der` file in
    /// `dir` (not its subfolders).
    ///
    /// # Errors
    ///
    /// [`Error::CertificateFile`] for the folder or the first file that cannot be read.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self> {
        let mut store = Self::new();
        store.add_anchors_from_dir(dir)?;
        Ok(store)
    }

    /// Adds a trust anchor ([RFC 5280 §6.1.1] (d); a certificate already present is not added
    /// twice).
    ///
    /// [RFC 5280 §6.1.1]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.1
    pub fn add_anchor(&mut self, anchor: Certificate) {
        if !self.anchors.contains(&anchor) {
            self.anchors.push(anchor);
        }
    }

    /// Adds the certificates of a file as anchors; returns how many the file held.
    ///
    /// # Errors
    ///
    /// [`Error::CertificateFile`] if the file cannot be read or holds no certificate.
    pub fn add_anchors_from_file(&mut self, path: impl AsRef<Path>) -> Result<usize> {
        let certs = read_certificates(path.as_ref())?;
        let count = certs.len();
        for cert in certs {
            self.add_anchor(cert);
        }
        Ok(count)
    }

    /// Adds the certificates of every `*.pem`, `*.crt`, `*.cer` and `*.der` file in `dir`
    /// as anchors, in file-name order; returns how many were read.
    ///
    /// # Errors
    ///
    /// [`Error::CertificateFile`] for the folder or the first file that cannot be read; a
    /// broken file in a trust folder is a configuration error, not something to skip.
    pub fn add_anchors_from_dir(&mut self, dir: impl AsRef<Path>) -> Result<usize> {
        let dir = dir.as_ref();
        let file_error = |source: std::io::Error| Error::CertificateFile {
            path: dir.to_owned(),
            source: Box::new(Error::Io(source)),
        };
        let mut files: Vec<PathBuf> = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(file_error)? {
            let path = entry.map_err(file_error)?.path();
            let wanted = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                CERTIFICATE_FILE_EXTENSIONS
                    .iter()
                    .any(|known| e.eq_ignore_ascii_case(known))
            });
            if wanted && path.is_file() {
                files.push(path);
            }
        }
        files.sort();
        let mut count = 0;
        for file in files {
            count += self.add_anchors_from_file(file)?;
        }
        Ok(count)
    }

    /// Adds an untrusted intermediate CA certificate to the pool path building searches
    /// (candidates for the intermediate certificates of [RFC 5280 §6.1]; being in the pool
    /// confers no trust).
    ///
    /// [RFC 5280 §6.1]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1
    pub fn add_intermediate(&mut self, intermediate: Certificate) {
        if !self.intermediates.contains(&intermediate) {
            self.intermediates.push(intermediate);
        }
    }

    /// Adds the certificates of a file to the intermediate pool; returns how many.
    ///
    /// # Errors
    ///
    /// [`Error::CertificateFile`] if the file cannot be read or holds no certificate.
    pub fn add_intermediates_from_file(&mut self, path: impl AsRef<Path>) -> Result<usize> {
        let certs = read_certificates(path.as_ref())?;
        let count = certs.len();
        for cert in certs {
            self.add_intermediate(cert);
        }
        Ok(count)
    }

    /// The trust anchors, in the order added.
    pub fn anchors(&self) -> &[Certificate] {
        &self.anchors
    }

    /// The intermediate pool, in the order added.
    pub fn intermediates(&self) -> &[Certificate] {
        &self.intermediates
    }
}

/// Reads every certificate of a PEM or DER file, at most [`MAX_CERTIFICATE_FILE_BYTES`].
fn read_certificates(path: &Path) -> Result<Vec<Certificate>> {
    let wrap = |source: Error| Error::CertificateFile {
        path: path.to_owned(),
        source: Box::new(source),
    };
    let size = std::fs::metadata(path)
        .map_err(|e| wrap(Error::Io(e)))?
        .len();
    if size > MAX_CERTIFICATE_FILE_BYTES {
        return Err(wrap(Error::Io(std::io::Error::other(format!(
            "{size} bytes, more than {MAX_CERTIFICATE_FILE_BYTES}"
        )))));
    }
    let bytes = std::fs::read(path).map_err(|e| wrap(Error::Io(e)))?;
    Certificate::all_from_der_or_pem(&bytes).map_err(wrap)
}
