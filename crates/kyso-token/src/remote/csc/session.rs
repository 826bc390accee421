//! [`CscSession`]: one credential of a CSC service, its certificates, algorithm and
//! authorisation.

use std::fmt;
use std::sync::Arc;
use std::task::Poll;

use base64ct::{Base64, Encoding};
use const_oid::ObjectIdentifier;
use kyso_cert::{Certificate, KeyType};
use kyso_cms::SignatureScheme;
use zeroize::Zeroizing;

use super::algo::{self, CscAlgorithm};
use super::approval::CscApprovalSigner;
use super::client::{AuthorizeOutcome, CscClient, Sad, SignHashOutcome, decode_base64};
use super::signer::CscSigner;
use super::types::{
    AuthDatum, AuthorizeRequest, Certificates, CredentialInfo, CredentialInfoRequest,
    OperationMode, SignHashRequest,
};
use crate::Result;
use crate::remote::RemoteError;
use crate::remote::approval::{Clock, PollingOptions, SystemClock};

/// One credential of a CSC service, ready to sign: its certificate and chain (from
/// `credentials/info`), the signature algorithm, the authentication data to authorise with, and
/// how to wait for asynchronous answers.
///
/// [`CscSession::sign_hashes`] signs a batch of digests with **one** `credentials/authorize`
/// (`numSignatures` = the number of digests, the digests themselves bound to the SAD) and
/// **one** `signatures/signHash`. When the service answers `credentials/authorize` with HTTP 202
/// (the user approves on a phone) it polls `credentials/authorizeCheck`; in asynchronous
/// operation mode it polls `signatures/signPolling` — both with the session's
/// [`PollingOptions`].
pub struct CscSession {
    client: CscClient,
    credential_id: String,
    info: CredentialInfo,
    certificate: Certificate,
    chain: Vec<Certificate>,
    key: KeyType,
    offered: Vec<ObjectIdentifier>,
    algorithm: SignatureScheme,
    csc_algorithm: CscAlgorithm,
    auth_data: Vec<(String, Option<Zeroizing<String>>)>,
    description: Option<String>,
    operation_mode: OperationMode,
    polling: PollingOptions,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for CscSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CscSession")
            .field("service", &self.client.base_url())
            .field("credential_id", &self.credential_id)
            .field("subject", &self.certificate.subject().to_string())
            .field("algorithm", &self.algorithm)
            .field(
                "auth_data",
                &self.auth_data.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            )
            .field("operation_mode", &self.operation_mode)
            .finish_non_exhaustive()
    }
}

impl CscSession {
    /// Opens `credential_id`: `credentials/info` with the certificate chain and the
    /// authorisation info, then picks the default algorithm for the certificate's key among the
    /// credential's `key/algo` (PKCS#1 v1.5 with SHA-256 for RSA, ECDSA with SHA-256 on P-256,
    /// SHA-384 on P-384).
    ///
    /// # Errors
    ///
    /// [`RemoteError::UnknownCredential`], [`RemoteError::Unauthorized`],
    /// [`RemoteError::InvalidResponse`] when no certificate comes back or one does not parse,
    /// [`RemoteError::Config`] when the key's algorithms are none kyso signs with.
    pub fn open(client: CscClient, credential_id: impl Into<String>) -> Result<Self> {
        let credential_id = credential_id.into();
        let info = client.credential_info(&CredentialInfoRequest {
            credential_id: credential_id.clone(),
            certificates: Some(Certificates::Chain),
            cert_info: Some(true),
            auth_info: Some(true),
            ..Default::default()
        })?;
        if info.key.status.as_deref() == Some("disabled") {
            return Err(RemoteError::Config(format!(
                "the key of credential \"{credential_id}\" is disabled"
            ))
            .into());
        }
        let mut certificates = info
            .cert
            .as_ref()
            .map(|c| c.certificates.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|b64| {
                let der = decode_base64(b64)?;
                Certificate::from_der(&der).map_err(|e| {
                    RemoteError::InvalidResponse(format!("a certificate does not parse: {e}"))
                        .into()
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if certificates.is_empty() {
            return Err(RemoteError::InvalidResponse(format!(
                "credentials/info returned no certificate for \"{credential_id}\""
            ))
            .into());
        }
        let certificate = certificates.remove(0);
        // Validators ignore an embedded root; dropping self-signed certificates keeps the CMS
        // small, as the PDF signers of Vietnamese CAs do.
        let chain = certificates
            .into_iter()
            .filter(|c| !c.is_self_issued())
            .collect();
        let key = algo::key_type_of(&certificate)?;
        let offered = algo::offered(&info.key.algo);
        let algorithm = algo::default_algorithm(key, &offered)?;
        let csc_algorithm = algo::csc_algorithm(key, algorithm, &offered)?;
        Ok(Self {
            client,
            credential_id,
            info,
            certificate,
            chain,
            key,
            offered,
            algorithm,
            csc_algorithm,
            auth_data: Vec::new(),
            description: None,
            operation_mode: OperationMode::Synchronous,
            polling: PollingOptions::default(),
            clock: Arc::new(SystemClock),
        })
    }

    /// Authorises with this PIN (`authData` id `PIN`). Kept zeroized in memory, never printed.
    pub fn with_pin(self, pin: &str) -> Self {
        self.with_auth_data("PIN", Some(pin))
    }

    /// Authorises with this one-time password (`authData` id `OTP`). An OTP is good for one
    /// authorisation: sign the whole batch with it.
    pub fn with_otp(self, otp: &str) -> Self {
        self.with_auth_data("OTP", Some(otp))
    }

    /// Adds an `authData` entry: the id of one of the credential's authentication objects and
    /// the user's value (`None` for objects the service handles itself, e.g. a mobile app).
    /// An entry with the same id is replaced.
    pub fn with_auth_data(mut self, id: &str, value: Option<&str>) -> Self {
        self.auth_data.retain(|(existing, _)| existing != id);
        self.auth_data
            .push((id.to_string(), value.map(|v| Zeroizing::new(v.to_string()))));
        self
    }

    /// Signs with `algorithm` instead of the default.
    ///
    /// # Errors
    ///
    /// [`RemoteError::Config`] when the credential does not offer it or the key cannot do it.
    pub fn with_algorithm(mut self, algorithm: SignatureScheme) -> Result<Self> {
        self.csc_algorithm = algo::csc_algorithm(self.key, algorithm, &self.offered)?;
        self.algorithm = algorithm;
        Ok(self)
    }

    /// Uses asynchronous `signatures/signHash` (`operationMode: "A"`, then
    /// `signatures/signPolling`) or synchronous (the default).
    pub fn with_operation_mode(mut self, mode: OperationMode) -> Self {
        self.operation_mode = mode;
        self
    }

    /// How to poll `credentials/authorizeCheck` and `signatures/signPolling`.
    pub fn with_polling(mut self, options: PollingOptions) -> Self {
        self.polling = options;
        self
    }

    /// The clock the polling runs on (tests: one that does not really sleep).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// A description of what is being signed, sent with `credentials/authorize`; services that
    /// push the request to a phone show it to the user.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The credential's id.
    pub fn credential_id(&self) -> &str {
        &self.credential_id
    }

    /// What `credentials/info` said about the credential.
    pub fn credential_info(&self) -> &CredentialInfo {
        &self.info
    }

    /// The signer's certificate (the first of `cert/certificates`).
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The CA certificates after it, without self-signed roots.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// The signature algorithm in use.
    pub fn algorithm(&self) -> SignatureScheme {
        self.algorithm
    }

    /// The most signatures one authorisation may create (`multisign`, 1 when absent).
    pub fn multisign(&self) -> u32 {
        self.info.multisign.unwrap_or(1).max(1)
    }

    /// The CSC client.
    pub fn client(&self) -> &CscClient {
        &self.client
    }

    /// `credentials/authorize` for exactly these digests (`numSignatures` = their number, the
    /// digests bound to the SAD), without waiting: the SAD, or a handle when the user approves
    /// out of band.
    ///
    /// # Errors
    ///
    /// [`RemoteError::BatchTooLarge`] beyond `multisign`, [`RemoteError::Config`] for a digest
    /// of the wrong length, and the client's errors.
    pub fn start_authorize<D: AsRef<[u8]>>(&self, digests: &[D]) -> Result<AuthorizeOutcome> {
        let hashes = self.encode_digests(digests)?;
        let auth_data: Vec<AuthDatum<'_>> = self
            .auth_data
            .iter()
            .map(|(id, value)| AuthDatum {
                id,
                value: value.as_ref().map(|v| v.as_str()),
            })
            .collect();
        self.client.authorize(&AuthorizeRequest {
            credential_id: &self.credential_id,
            num_signatures: u32::try_from(digests.len()).unwrap_or(u32::MAX),
            hashes: Some(hashes),
            hash_algorithm_oid: Some(self.csc_algorithm.hash_algorithm.to_string()),
            auth_data: (!auth_data.is_empty()).then_some(auth_data),
            description: self.description.as_deref(),
            client_data: None,
        })
    }

    /// [`CscSession::start_authorize`], then polls `credentials/authorizeCheck` while the user
    /// has not approved.
    ///
    /// # Errors
    ///
    /// As [`CscSession::start_authorize`], plus [`RemoteError::ApprovalTimeout`] and
    /// [`RemoteError::Rejected`].
    pub fn authorize<D: AsRef<[u8]>>(&self, digests: &[D]) -> Result<Sad> {
        match self.start_authorize(digests)? {
            AuthorizeOutcome::Authorized(sad) => Ok(sad),
            AuthorizeOutcome::Pending { handle } => self.wait_authorized(handle),
        }
    }

    fn wait_authorized(&self, handle: String) -> Result<Sad> {
        let mut handle = handle;
        self.polling.wait(self.clock.as_ref(), || {
            Ok(match self.client.authorize_check(&handle)? {
                AuthorizeOutcome::Authorized(sad) => Poll::Ready(sad),
                AuthorizeOutcome::Pending { handle: next } => {
                    handle = next;
                    Poll::Pending
                }
            })
        })
    }

    /// `signatures/signHash` for `digests` with `sad`, without waiting: the signatures, or the
    /// `responseID` in asynchronous mode.
    ///
    /// # Errors
    ///
    /// [`RemoteError::InvalidSad`], [`RemoteError::SadExpired`], and the client's errors.
    pub fn start_sign_hashes<D: AsRef<[u8]>>(
        &self,
        sad: &Sad,
        digests: &[D],
    ) -> Result<SignHashOutcome> {
        let hashes = self.encode_digests(digests)?;
        let outcome = self.client.sign_hash(&SignHashRequest {
            credential_id: &self.credential_id,
            sad: Some(sad.secret()),
            hashes,
            hash_algorithm_oid: Some(self.csc_algorithm.hash_algorithm.to_string()),
            sign_algo: self.csc_algorithm.sign_algo.to_string(),
            sign_algo_params: self.csc_algorithm.params.clone(),
            operation_mode: (self.operation_mode == OperationMode::Asynchronous)
                .then_some(OperationMode::Asynchronous),
            validity_period: None,
            response_uri: None,
            client_data: None,
        })?;
        Ok(match outcome {
            SignHashOutcome::Signatures(signatures) => {
                SignHashOutcome::Signatures(self.normalize(signatures)?)
            }
            pending => pending,
        })
    }

    /// One `signatures/signPolling`: the signatures of an asynchronous request when ready.
    ///
    /// # Errors
    ///
    /// [`RemoteError::Rejected`] and the client's errors.
    pub fn poll_signatures(&self, response_id: &str) -> Result<Poll<Vec<Vec<u8>>>> {
        Ok(match self.client.sign_polling(response_id)? {
            Poll::Ready(signatures) => Poll::Ready(self.normalize(signatures)?),
            Poll::Pending => Poll::Pending,
        })
    }

    /// Signs `digests` with an existing SAD, waiting for an asynchronous answer.
    ///
    /// # Errors
    ///
    /// As [`CscSession::start_sign_hashes`], plus [`RemoteError::ApprovalTimeout`].
    pub fn sign_hashes_with_sad<D: AsRef<[u8]>>(
        &self,
        sad: &Sad,
        digests: &[D],
    ) -> Result<Vec<Vec<u8>>> {
        let signatures = match self.start_sign_hashes(sad, digests)? {
            SignHashOutcome::Signatures(signatures) => signatures,
            SignHashOutcome::Pending { response_id } => self
                .polling
                .wait(self.clock.as_ref(), || self.poll_signatures(&response_id))?,
        };
        if signatures.len() != digests.len() {
            return Err(RemoteError::InvalidResponse(format!(
                "{} signatures for {} hashes",
                signatures.len(),
                digests.len()
            ))
            .into());
        }
        Ok(signatures)
    }

    /// Signs a batch of digests (each the hash, with the algorithm's digest, of what is to be
    /// signed — for a PDF, `PreparedPdf::digest_to_sign`) with one authorisation and one
    /// `signatures/signHash`; the signatures come back in the same order.
    ///
    /// # Errors
    ///
    /// [`RemoteError::BatchTooLarge`] when the batch exceeds `multisign`; the errors of
    /// [`CscSession::authorize`] and [`CscSession::sign_hashes_with_sad`].
    pub fn sign_hashes<D: AsRef<[u8]>>(&self, digests: &[D]) -> Result<Vec<Vec<u8>>> {
        let sad = self.authorize(digests)?;
        self.sign_hashes_with_sad(&sad, digests)
    }

    /// A [`Signer`](kyso_cms::Signer) over this session, for `PdfSigner` and the CMS builder.
    pub fn into_signer(self) -> CscSigner {
        CscSigner {
            session: Arc::new(self),
        }
    }

    /// The [`ApprovalSigner`](crate::remote::ApprovalSigner) adapter over this session (non-blocking submit and poll).
    pub fn into_approval_signer(self) -> CscApprovalSigner {
        CscApprovalSigner::new(self)
    }

    fn encode_digests<D: AsRef<[u8]>>(&self, digests: &[D]) -> Result<Vec<String>> {
        if digests.is_empty() {
            return Err(RemoteError::Config("no digest to sign".into()).into());
        }
        if digests.len() > self.multisign() as usize {
            return Err(RemoteError::BatchTooLarge {
                requested: digests.len(),
                max: self.multisign(),
            }
            .into());
        }
        let expected = self.algorithm.digest().output_len();
        digests
            .iter()
            .map(|d| {
                let d = d.as_ref();
                if d.len() != expected {
                    return Err(RemoteError::Config(format!(
                        "a digest of {} bytes, but {:?} needs {expected}",
                        d.len(),
                        self.algorithm.digest()
                    ))
                    .into());
                }
                Ok(Base64::encode_string(d))
            })
            .collect()
    }

    fn normalize(&self, signatures: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>> {
        signatures
            .into_iter()
            .map(|s| algo::normalize_signature(self.key, s))
            .collect()
    }
}
