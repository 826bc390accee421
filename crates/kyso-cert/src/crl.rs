//! Certificate revocation lists (RFC 5280 §5): a CRL verified against its issuer — signature,
//! issuer name (compared as RFC 5280 §7.1 asks), the issuer's cRLSign key usage,
//! thisUpdate/nextUpdate freshness — and the lookup of a certificate in it. Delta CRLs,
//! indirect CRLs (entries for other issuers) and CRLs with a critical extension or entry
//! extension kyso does not process (RFC 5280 §5.2, §5.3) are refused, not misread.

use std::time::SystemTime;

use der::Decode;
use der::asn1::ObjectIdentifier;
use x509_cert::crl::CertificateList;
use x509_cert::name::Name;

use crate::path::names::NormalizedName;
use crate::{Certificate, Error, Result};

/// The largest CRL read.
pub const MAX_CRL_LEN: usize = 16 * 1024 * 1024;
const ID_CE_DELTA_CRL_INDICATOR: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.27");
const ID_CE_ISSUING_DISTRIBUTION_POINT: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.5.29.28");
const ID_CE_CRL_REASONS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.21");
const ID_CE_CERTIFICATE_ISSUER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.29");
/// The CRL extensions that may be critical without changing what the entries mean, so are
/// accepted (and ignored) when critical: authorityKeyIdentifier, issuerAltName, cRLNumber,
/// freshestCRL (a pointer to delta CRLs, which are not read) and authorityInfoAccess.
const IGNORABLE_CRL_EXTENSIONS: [ObjectIdentifier; 5] = [
    ObjectIdentifier::new_unwrap("2.5.29.35"),
    ObjectIdentifier::new_unwrap("2.5.29.18"),
    ObjectIdentifier::new_unwrap("2.5.29.20"),
    ObjectIdentifier::new_unwrap("2.5.29.46"),
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1"),
];
/// The CRL entry extensions understood: reasonCode, holdInstructionCode, invalidityDate, and
/// certificateIssuer (refused by [`VerifiedCrl::revocation`]: an indirect CRL).
const KNOWN_CRL_ENTRY_EXTENSIONS: [ObjectIdentifier; 4] = [
    ID_CE_CRL_REASONS,
    ObjectIdentifier::new_unwrap("2.5.29.23"),
    ObjectIdentifier::new_unwrap("2.5.29.24"),
    ID_CE_CERTIFICATE_ISSUER,
];

/// A CRL whose signature, issuer and freshness have been checked.
#[derive(Clone, Debug)]
pub struct VerifiedCrl {
    list: CertificateList,
    /// When it was issued.
    pub this_update: SystemTime,
    /// When the next one is due, if said.
    pub next_update: Option<SystemTime>,
}

/// A revocation entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revocation {
    /// When the certificate was revoked.
    pub time: SystemTime,
    /// The CRL reason code (RFC 5280 §5.3.1), if given.
    pub reason: Option<u8>,
}

/// Verifies a CRL (DER or PEM) issued by `issuer`, current at `time`.
///
/// # Errors
///
/// [`Error::Crl`] naming what fails: not a CRL, another issuer, an issuer whose keyUsage
/// lacks cRLSign, a bad signature, issued after `time`, past its nextUpdate, a delta CRL, a
/// critical issuing distribution point, another critical extension or entry extension not
/// processed. [`Error::MalformedExtension`] for an issuer keyUsage that does not parse.
pub fn verify_crl(bytes: &[u8], issuer: &Certificate, time: SystemTime) -> Result<VerifiedCrl> {
    let crl = read_crl(bytes, issuer)?;
    crl.check_current(time)?;
    Ok(crl)
}

/// Verifies a CRL as [`verify_crl`] does but leaves its freshness to the caller: for a CRL
/// kept with a signature, judged against the time the signature is proven to have existed
/// ([`VerifiedCrl::check_current`] is the check `verify_crl` makes).
///
/// # Errors
///
/// As [`verify_crl`], freshness aside.
pub fn read_crl(bytes: &[u8], issuer: &Certificate) -> Result<VerifiedCrl> {
    let list = parse(bytes)?;
    let tbs = &list.tbs_cert_list;
    if !same_name(&tbs.issuer, issuer.inner().tbs_certificate().subject()) {
        return Err(Error::Crl(format!(
            "issued by {}, not by {}",
            tbs.issuer,
            issuer.subject().display()
        )));
    }
    verify_parsed(list, issuer)
}

/// The CRL in `bytes` verified as [`read_crl`] does, or `None` when it does not parse or
/// names another issuer: how a pile of evidence is sorted, one parse a CRL.
pub(crate) fn read_crl_if_issued_by(
    bytes: &[u8],
    issuer: &Certificate,
) -> Option<Result<VerifiedCrl>> {
    let list = parse(bytes).ok()?;
    if !same_name(
        &list.tbs_cert_list.issuer,
        issuer.inner().tbs_certificate().subject(),
    ) {
        return None;
    }
    Some(verify_parsed(list, issuer))
}

/// The checks of [`read_crl`] after the issuer's name matched.
fn verify_parsed(list: CertificateList, issuer: &Certificate) -> Result<VerifiedCrl> {
    let bad = |m: String| Error::Crl(m);
    let tbs = &list.tbs_cert_list;
    // RFC 5280 §6.3.3 (f): a CRL issuer's key usage, if present, must allow cRLSign.
    if issuer.key_usage()?.is_some_and(|ku| !ku.crl_sign) {
        return Err(bad(format!(
            "the keyUsage of {} does not allow cRLSign",
            issuer.subject().display()
        )));
    }
    let tbs_der = der::Encode::to_der(tbs)?;
    crate::verify_signature(
        issuer,
        &list.signature_algorithm,
        &tbs_der,
        list.signature.raw_bytes(),
    )
    .map_err(|e| bad(format!("the CRL's signature does not verify: {e}")))?;
    for ext in tbs.crl_extensions.iter().flatten() {
        if ext.extn_id == ID_CE_DELTA_CRL_INDICATOR {
            return Err(bad("a delta CRL; kyso reads complete CRLs".into()));
        }
        if ext.extn_id == ID_CE_ISSUING_DISTRIBUTION_POINT && ext.critical {
            // Scoped and indirect CRLs need the distribution point matched; not done.
            return Err(bad(
                "a CRL with a critical issuing distribution point".into()
            ));
        }
        // RFC 5280 §5.2: a CRL with a critical extension that cannot be processed must not
        // be used.
        if ext.critical && !IGNORABLE_CRL_EXTENSIONS.contains(&ext.extn_id) {
            return Err(bad(format!(
                "a CRL with an unknown critical extension {}",
                ext.extn_id
            )));
        }
    }
    // RFC 5280 §5.3: nor one with a critical entry extension that cannot be processed, for
    // any certificate.
    for entry in tbs.revoked_certificates.iter().flatten() {
        for ext in entry.crl_entry_extensions.iter().flatten() {
            if ext.critical && !KNOWN_CRL_ENTRY_EXTENSIONS.contains(&ext.extn_id) {
                return Err(bad(format!(
                    "a CRL with an unknown critical entry extension {}",
                    ext.extn_id
                )));
            }
        }
    }
    let this_update = tbs.this_update.to_system_time();
    let next_update = tbs.next_update.map(|t| t.to_system_time());
    Ok(VerifiedCrl {
        list,
        this_update,
        next_update,
    })
}

/// Whether two names are the same: equal DER, or equal under RFC 5280 §7.1 (the comparison
/// path building makes, so a CRL issuer in UTF8String matches a subject in
/// PrintableString).
fn same_name(a: &Name, b: &Name) -> bool {
    a == b || NormalizedName::new(a) == NormalizedName::new(b)
}

/// A CRL given as DER or PEM.
fn parse(bytes: &[u8]) -> Result<CertificateList> {
    let bad = |m: String| Error::Crl(m);
    if bytes.len() > MAX_CRL_LEN {
        return Err(bad(format!("the CRL is {} bytes", bytes.len())));
    }
    let der = if bytes.starts_with(b"-----BEGIN") {
        let (label, der) = pem_rfc7468_decode(bytes).map_err(|e| bad(format!("PEM: {e}")))?;
        if label != "X509 CRL" {
            return Err(bad(format!("PEM label {label}, not X509 CRL")));
        }
        der
    } else {
        bytes.to_vec()
    };
    let list = CertificateList::from_der(&der).map_err(|e| bad(format!("not a CRL: {e}")))?;
    Ok(list)
}

impl VerifiedCrl {
    /// Whether the CRL is current at `time`: thisUpdate ≤ time ≤ nextUpdate, within
    /// [`CLOCK_SKEW`](crate::ocsp::CLOCK_SKEW).
    ///
    /// # Errors
    ///
    /// [`Error::Crl`] for a CRL from the future or one past its nextUpdate.
    pub fn check_current(&self, time: SystemTime) -> Result<()> {
        crate::revocation::check_current("CRL", self.this_update, self.next_update, time)
            .map_err(Error::Crl)
    }

    /// The revocation of `cert` (by serial number) if the CRL lists it.
    ///
    /// # Errors
    ///
    /// [`Error::Crl`] for an entry naming another issuer (an indirect CRL).
    pub fn revocation(&self, cert: &Certificate) -> Result<Option<Revocation>> {
        let serial = cert.inner().tbs_certificate().serial_number();
        for entry in self
            .list
            .tbs_cert_list
            .revoked_certificates
            .iter()
            .flatten()
        {
            let exts = entry.crl_entry_extensions.iter().flatten();
            if exts.clone().any(|e| e.extn_id == ID_CE_CERTIFICATE_ISSUER) {
                return Err(Error::Crl(
                    "an indirect CRL (certificateIssuer entries)".into(),
                ));
            }
            if entry.serial_number == *serial {
                let reason = exts
                    .clone()
                    .find(|e| e.extn_id == ID_CE_CRL_REASONS)
                    .and_then(|e| e.extn_value.as_bytes().last().copied());
                return Ok(Some(Revocation {
                    time: entry.revocation_date.to_system_time(),
                    reason,
                }));
            }
        }
        Ok(None)
    }
}

fn pem_rfc7468_decode(bytes: &[u8]) -> std::result::Result<(String, Vec<u8>), String> {
    let (label, der) = der::pem::decode_vec(bytes).map_err(|e| e.to_string())?;
    Ok((label.to_string(), der))
}
