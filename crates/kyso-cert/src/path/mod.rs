//! Certification path building and validation ([RFC 5280 §6]).
//!
//! [`validate_path`] starts from an end-entity certificate (a document signer's), looks for
//! issuers among the certificates the caller supplies (those of a CMS `SignedData`, say) and
//! the intermediate pool of the [`TrustStore`], up to one of its trust anchors, and returns
//! the first path that validates at [`ValidationPolicy::time`]:
//!
//! * **building** (`build.rs`) matches each certificate's issuer name to candidate subjects
//!   by the [RFC 5280 §7.1] comparison (see `names.rs`), tries first those whose subject key
//!   identifier matches the authority key identifier, checks each link's signature,
//!   tries every candidate in turn (several issuers with one name, cross-certificates,
//!   key roll-over), never uses the same CA (subject and key) twice in a path, and stops at
//!   [`MAX_SIGNATURE_CHECKS`], [`MAX_PATH_DEPTH`] and [`MAX_BUILD_STEPS`];
//! * **validation** (`validate.rs`) applies [RFC 5280 §6.1.3] and §6.1.4 to a candidate
//!   path: validity periods, name chaining, basicConstraints `cA` and `pathLenConstraint`,
//!   `keyCertSign`, name constraints (`constraints.rs`), unknown critical extensions, and
//!   the policy's requirements on the signer's keyUsage and extKeyUsage.
//!
//! The trust anchor is taken as a certificate and checked like the others (validity,
//! critical extensions, CA, keyUsage, pathLenConstraint, name constraints), which RFC 5280
//! §6.2 allows and what relying parties expect; only its own signature is not checked.
//!
//! **Not implemented**: certificate policy processing (§6.1.3 (d)–(f), §6.1.4 (a)–(j):
//! certificatePolicies, policyMappings, policyConstraints and inhibitAnyPolicy are
//! recognised, so they may be critical, but no valid_policy_tree is computed and no policy is
//! required), revocation (CRL, OCSP: §6.1.3 (a)(3) is the caller's job), and the
//! issuer/subject unique identifiers.
//!
//! [RFC 5280 §6]: https://www.rfc-editor.org/rfc/rfc5280#section-6
//! [RFC 5280 §6.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.3
//! [RFC 5280 §7.1]: https://www.rfc-editor.org/rfc/rfc5280#section-7.1

mod build;
mod constraints;
pub(crate) mod names;
mod validate;

use std::time::SystemTime;

use const_oid::ObjectIdentifier;

use crate::{Certificate, KeyUsage, Result, TrustStore};

/// `id-kp-timeStamping` (RFC 3161 §2.3): the purpose a TSA's certificate must have.
pub const ID_KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");

/// At most this many signature verifications ([RFC 5280 §6.1.3] (a)(1)) while building one
/// path; then
/// [`Error::BudgetExceeded`](crate::Error::BudgetExceeded). The value rustls-webpki chose
/// after RUSTSEC-2023-0053 (path building blowing up on cross-signed meshes).
///
/// [RFC 5280 §6.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.3
pub const MAX_SIGNATURE_CHECKS: usize = 100;

/// At most this many certificates in a path ([RFC 5280 §6.1]: "a sequence of n
/// certificates"), trust anchor included (so at most `MAX_PATH_DEPTH - 2` intermediates).
/// Real PKIs (Vietnam's national root, a CA, the signer) need three or four.
///
/// [RFC 5280 §6.1]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1
pub const MAX_PATH_DEPTH: usize = 10;

/// At most this many candidate issuers considered while building one path (each costs a
/// name lookup, [RFC 5280 §6.1.3] (a)(4); the signature checks are limited separately).
///
/// [RFC 5280 §6.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.3
pub const MAX_BUILD_STEPS: usize = 20_000;

/// At most this many (name, subtree) comparisons for name constraints in one call of
/// [`validate_path`], all candidate paths together ([RFC 5280 §4.2.1.10]); rustls-webpki's
/// limit.
///
/// [RFC 5280 §4.2.1.10]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.10
pub const MAX_NAME_CONSTRAINT_CHECKS: usize = 250_000;

/// What a path must satisfy besides [RFC 5280 §6.1] itself: the inputs of §6.1.1 this crate
/// takes (the time; no policy set, policy processing is not implemented), and what the
/// end-entity certificate must be allowed to do.
///
/// [RFC 5280 §6.1]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1
///
/// ```
/// use std::time::SystemTime;
/// use kyso_cert::ValidationPolicy;
///
/// let mut policy = ValidationPolicy::document_signing(SystemTime::now());
/// policy.allow_sha1 = true; // an old document: accept sha1WithRSAEncryption, flagged
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationPolicy {
    /// The time the path must be valid at ([RFC 5280 §6.1.1] (b)): now, the signing time,
    /// or a timestamp's time. Compared with whole seconds (fractions are dropped, as the
    /// certificate times have none).
    ///
    /// [RFC 5280 §6.1.1]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.1
    pub time: SystemTime,
    /// When the end-entity certificate has a keyUsage extension ([RFC 5280 §4.2.1.3]), it
    /// must have at least one of the bits set here. All bits clear: no requirement.
    ///
    /// [RFC 5280 §4.2.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.3
    pub signer_key_usage: KeyUsage,
    /// Accept SHA-1 signatures on certificates (legacy; [`ValidatedPath::uses_sha1`] then
    /// says whether one was relied on).
    pub allow_sha1: bool,
    /// When set and the end-entity certificate has an extKeyUsage extension
    /// ([RFC 5280 §4.2.1.12]), it must list this purpose or `anyExtendedKeyUsage`. A
    /// certificate without the extension is not restricted.
    ///
    /// [RFC 5280 §4.2.1.12]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.12
    pub required_eku: Option<ObjectIdentifier>,
    /// At most this many intermediate CA certificates, not counting self-issued ones (like a
    /// `pathLenConstraint` on the trust anchor, [RFC 5280 §6.1.4] (l)); the hard limit
    /// [`MAX_PATH_DEPTH`] applies in any case.
    ///
    /// [RFC 5280 §6.1.4]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.4
    pub max_intermediates: usize,
}

impl ValidationPolicy {
    /// [RFC 5280 §6.1] path validation at `time` with no requirement on the end entity.
    ///
    /// [RFC 5280 §6.1]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1
    pub fn at(time: SystemTime) -> Self {
        Self {
            time,
            signer_key_usage: KeyUsage::default(),
            allow_sha1: false,
            required_eku: None,
            max_intermediates: MAX_PATH_DEPTH - 2,
        }
    }

    /// For a time-stamping authority's certificate (RFC 3161 §2.3): its extendedKeyUsage
    /// must allow [`ID_KP_TIME_STAMPING`].
    pub fn timestamping(time: SystemTime) -> Self {
        Self {
            required_eku: Some(ID_KP_TIME_STAMPING),
            ..Self::at(time)
        }
    }

    /// For a document signer's certificate: keyUsage ([RFC 5280 §4.2.1.3]), when present,
    /// must allow `digitalSignature` or `nonRepudiation`; SHA-1 is refused.
    ///
    /// [RFC 5280 §4.2.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.3
    pub fn document_signing(time: SystemTime) -> Self {
        Self {
            signer_key_usage: KeyUsage {
                digital_signature: true,
                non_repudiation: true,
                ..KeyUsage::default()
            },
            ..Self::at(time)
        }
    }
}

/// A path that validated: what [`validate_path`] returns (the "successful" outcome of
/// [RFC 5280 §6.1.6]; the working public key is the end entity's).
///
/// [RFC 5280 §6.1.6]: https://www.rfc-editor.org/rfc/rfc5280#section-6.1.6
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidatedPath {
    /// The certificates from the end entity to the trust anchor, both included.
    pub certificates: Vec<Certificate>,
    /// The trust anchor the path ends at (also the last of
    /// [`certificates`](Self::certificates)).
    pub anchor: Certificate,
    /// Whether a certificate signature in the path uses SHA-1 (possible only with
    /// [`ValidationPolicy::allow_sha1`]); reports should flag it.
    pub uses_sha1: bool,
}

/// Builds a certification path from `leaf` to a trust anchor of `trust` and validates it
/// ([RFC 5280 §6.1]) under `policy`.
///
/// `supplied` are untrusted certificates that came with the signature (a CMS
/// `certificates` field, a PDF's DSS); the store's intermediate pool is searched too. Order
/// does not matter and extra certificates are ignored. A `leaf` that is itself a trust
/// anchor validates as a path of one.
///
/// ```no_run
/// # fn f(signer: &kyso_cert::Certificate, cms_certs: &[kyso_cert::Certificate]) -> kyso_cert::Result<()> {
/// use std::time::SystemTime;
/// use kyso_cert::{TrustStore, ValidationPolicy, validate_path};
///
/// let trust = TrustStore::from_dir("/etc/kyso/trust")?;
/// let path = validate_path(signer, cms_certs, &trust, &ValidationPolicy::document_signing(SystemTime::now()))?;
/// println!("trusted through {}", path.anchor.subject());
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// When no path validates: the reason found on the first complete path (leaf to anchor)
/// that failed — [`Expired`](crate::Error::Expired), [`NotACa`](crate::Error::NotACa),
/// [`NameConstraintViolation`](crate::Error::NameConstraintViolation), … — else, of the
/// partial paths, the failure furthest from the leaf:
/// [`BadSignature`](crate::Error::BadSignature) where an issuer was found but did not sign,
/// or [`MissingIssuer`](crate::Error::MissingIssuer) for the certificate whose issuer is
/// nowhere. [`BudgetExceeded`](crate::Error::BudgetExceeded) when a limit stopped the
/// search or cut a path.
pub fn validate_path(
    leaf: &Certificate,
    supplied: &[Certificate],
    trust: &TrustStore,
    policy: &ValidationPolicy,
) -> Result<ValidatedPath> {
    build::build(leaf, supplied, trust, policy)
}
