//! [`Certificate`]: a parsed X.509 certificate that keeps its original DER.

use der::{Decode, Encode};

use crate::{Error, Result};

/// A parsed X.509 certificate ([RFC 5280 §4.1]) together with its exact DER encoding.
///
/// ```text
/// Certificate  ::=  SEQUENCE  {
///      tbsCertificate       TBSCertificate,
///      signatureAlgorithm   AlgorithmIdentifier,
///      signatureValue       BIT STRING  }
/// ```
///
/// [RFC 5280 §4.1]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    inner: x509_cert::Certificate,
}

impl Certificate {
    /// Parses one DER-encoded certificate; trailing bytes are an error.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let inner = x509_cert::Certificate::from_der(der)?;
        Ok(Self {
            der: der.to_vec(),
            inner,
        })
    }

    /// Wraps an already decoded certificate (re-encodes it to DER).
    pub fn from_x509(inner: x509_cert::Certificate) -> Result<Self> {
        let der = inner.to_der()?;
        Ok(Self { der, inner })
    }

    /// Parses the first `CERTIFICATE` block of a PEM file.
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        Self::all_from_pem(pem)?
            .into_iter()
            .next()
            .ok_or(Error::NoPemCertificate)
    }

    /// Parses every `CERTIFICATE` block of a PEM file (a chain file), in file order.
    /// Other blocks (keys, CRLs) are skipped.
    pub fn all_from_pem(pem: &[u8]) -> Result<Vec<Self>> {
        let mut out = Vec::new();
        let text = std::str::from_utf8(pem).map_err(|_| Error::Pem("not UTF-8 text".into()))?;
        let mut rest = text;
        while let Some(start) = rest.find("-----BEGIN ") {
            let block = &rest[start..];
            let label_end = block[11..]
                .find("-----")
                .ok_or_else(|| Error::Pem("unterminated BEGIN line".into()))?;
            let label = &block[11..11 + label_end];
            let end_marker = format!("-----END {label}-----");
            let end = block
                .find(&end_marker)
                .ok_or_else(|| Error::Pem(format!("missing {end_marker}")))?;
            let whole = &block[..end + end_marker.len()];
            if label == "CERTIFICATE" {
                let (_, der) = der::pem::decode_vec(whole.as_bytes())
                    .map_err(|e| Error::Pem(e.to_string()))?;
                out.push(Self::from_der(&der)?);
            }
            rest = &block[end + end_marker.len()..];
        }
        if out.is_empty() {
            return Err(Error::NoPemCertificate);
        }
        Ok(out)
    }

    /// Reads DER or PEM, whichever the bytes are; PEM may hold several certificates.
    pub fn all_from_der_or_pem(bytes: &[u8]) -> Result<Vec<Self>> {
        if bytes.first() == Some(&0x30) {
            Ok(vec![Self::from_der(bytes)?])
        } else {
            Self::all_from_pem(bytes)
        }
    }

    /// The exact DER encoding this certificate was read from.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The decoded structure, for callers that need fields this type does not expose.
    pub fn inner(&self) -> &x509_cert::Certificate {
        &self.inner
    }

    /// The DER of the SubjectPublicKeyInfo.
    pub fn public_key_der(&self) -> Result<Vec<u8>> {
        Ok(self
            .inner
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()?)
    }

    /// The serial number as uppercase hex (no leading `0x`).
    pub fn serial_hex(&self) -> String {
        hex::encode_upper(self.inner.tbs_certificate().serial_number().as_bytes())
    }
}
