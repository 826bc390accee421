//! Remote signing: the key stays with a signing service and kyso sends it hashes.
//!
//! Two kinds of service, one design:
//!
//! * **CSC API v2** services ([`csc`]): the standard of the Cloud Signature Consortium, spoken
//!   by European QTSPs and by the remote-signing platforms of some Vietnamese CAs.
//!   [`CscSession`] opens a credential (certificate chain and key algorithms from
//!   `credentials/info`), authorises with `credentials/authorize` (PIN/OTP, or the user
//!   approving on a phone while kyso polls `credentials/authorizeCheck`), and signs with
//!   `signatures/signHash`, synchronously or asynchronously (`operationMode: "A"`, then
//!   `signatures/signPolling`). [`CscSigner`] makes it a [`kyso_cms::Signer`].
//! * **Phone-approval services with their own REST API** (VNPT SmartCA, Viettel MySign and the
//!   like: "push the request to the user's phone, poll for the result"): a small adapter
//!   implementing [`ApprovalSigner`] (submit, poll, cancel), wrapped in [`PollingSigner`], which
//!   does the waiting: exponential back-off, an overall time-out, and a cancel when the
//!   time-out passes. [`CscApprovalSigner`] is the same adapter for CSC.
//!
//! Everything goes over HTTPS with rustls ([`HttpClient`]); plain HTTP is accepted only to a
//! loopback address and only with [`HttpConfig::allow_insecure_loopback`] (for test servers).
//! A service whose TLS certificate comes from a private or national CA gets its root through
//! [`HttpConfig::with_root_certificates`]. Access tokens are OAuth 2.0 bearer tokens the
//! application obtains ([`AccessToken`]); [`client_credentials_token`] gets one with the
//! client-credentials grant.
//!
//! # Signing a PDF through a CSC service
//!
//! ```no_run
//! use kyso_token::remote::{AccessToken, CscClient, CscSession, HttpClient, HttpConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let token_from_oauth = String::new();
//! let http = HttpClient::new(&HttpConfig::new());
//! let client = CscClient::new(
//!     http,
//!     "https://rssp.example.vn/csc/v2",
//!     AccessToken::new(token_from_oauth),
//! )?;
//! let signer = CscSession::open(client, "GX0112348")?
//!     .with_pin("123456")
//!     .with_description("Quyết định số 12/QĐ-UBND")
//!     .into_signer();
//! // `signer` is a `kyso_cms::Signer`: hand it to `kyso_pdf::PdfSigner::sign_file`.
//! # let _ = signer;
//! # Ok(()) }
//! ```
//!
//! # Many documents, one authorisation
//!
//! Prepare every document first (`kyso_pdf::PdfSigner::prepare`), collect their
//! `digest_to_sign()`, and sign them all with [`CscSession::sign_hashes`]: one
//! `credentials/authorize` with `numSignatures` = N and the N hashes (so the user types the PIN
//! or approves on the phone once), then one `signatures/signHash` with the N hashes. The batch
//! may not exceed the credential's `multisign` ([`RemoteError::BatchTooLarge`]).
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let session: kyso_token::remote::CscSession = todo!();
//! # let digests: Vec<Vec<u8>> = Vec::new();
//! let signatures = session.sign_hashes(&digests)?; // same order as `digests`
//! # Ok(()) }
//! ```
//!
//! # Adding a provider's own approval API
//!
//! A service that pushes the request to the user's phone and lets the application poll for
//! the result fits [`ApprovalSigner`]: `submit` sends the digest and returns the provider's
//! transaction id, `poll` asks once for the result, `cancel` withdraws the request.
//! [`PollingSigner`] turns the adapter into a [`kyso_cms::Signer`]. The adapter below targets
//! an imaginary "SmartSign" API shaped like the Vietnamese services (`POST /v1/sign` with the
//! hash, `GET /v1/transactions/{id}` answering `pending`, `signed` or `rejected`,
//! `POST /v1/transactions/{id}/cancel`); a real provider's field names come from its
//! documentation, and its certificate from its "get certificate" call.
//!
//! ```no_run
//! use std::task::Poll;
//! use std::time::Duration;
//!
//! use kyso_cert::Certificate;
//! use kyso_cms::SignatureScheme;
//! use kyso_token::remote::{
//!     AccessToken, ApprovalSigner, HttpClient, HttpConfig, PendingId, PollingOptions,
//!     PollingSigner, RemoteError,
//! };
//! use kyso_token::Result;
//!
//! struct SmartSign {
//!     http: HttpClient,
//!     base: String,
//!     token: AccessToken,
//!     user: String,
//!     certificate: Certificate,
//!     chain: Vec<Certificate>,
//! }
//!
//! #[derive(serde::Deserialize)]
//! struct Submitted {
//!     transaction_id: String,
//! }
//!
//! #[derive(serde::Deserialize)]
//! struct Status {
//!     status: String,
//!     signature: Option<String>, // Base64
//! }
//!
//! impl ApprovalSigner for SmartSign {
//!     fn certificate(&self) -> &Certificate {
//!         &self.certificate
//!     }
//!     fn chain(&self) -> &[Certificate] {
//!         &self.chain
//!     }
//!     fn algorithm(&self) -> SignatureScheme {
//!         SignatureScheme::RsaPkcs1v15(kyso_cms::DigestAlgorithm::Sha256)
//!     }
//!
//!     fn submit(&self, digest: &[u8], _algorithm: SignatureScheme) -> Result<PendingId> {
//!         use base64ct::{Base64, Encoding};
//!         let body = serde_json::json!({
//!             "user_id": self.user,
//!             "hash": Base64::encode_string(digest),
//!             "hash_algorithm": "SHA-256",
//!             "description": "Ký văn bản trên cổng dịch vụ công",
//!         });
//!         let url = format!("{}/v1/sign", self.base);
//!         let response = self.http.post_json(&url, Some(&self.token), &body)?.error_for_status()?;
//!         Ok(PendingId::new(response.json::<Submitted>()?.transaction_id))
//!     }
//!
//!     fn poll(&self, id: &PendingId) -> Result<Poll<Vec<u8>>> {
//!         use base64ct::{Base64, Encoding};
//!         let url = format!("{}/v1/transactions/{id}", self.base);
//!         let status: Status = self.http.get(&url, Some(&self.token))?.error_for_status()?.json()?;
//!         match (status.status.as_str(), status.signature) {
//!             ("pending", _) => Ok(Poll::Pending),
//!             ("signed", Some(b64)) => Ok(Poll::Ready(Base64::decode_vec(&b64).map_err(|_| {
//!                 RemoteError::InvalidResponse("signature is not Base64".into())
//!             })?)),
//!             ("rejected", _) => Err(RemoteError::Rejected { description: None }.into()),
//!             ("expired", _) => Err(RemoteError::Cancelled { description: None }.into()),
//!             (other, _) => Err(RemoteError::InvalidResponse(format!("status {other}")).into()),
//!         }
//!     }
//!
//!     fn cancel(&self, id: &PendingId) -> Result<()> {
//!         let url = format!("{}/v1/transactions/{id}/cancel", self.base);
//!         self.http.post_json(&url, Some(&self.token), &serde_json::json!({}))?.error_for_status()?;
//!         Ok(())
//!     }
//! }
//!
//! # fn main() -> Result<()> {
//! # let adapter: SmartSign = todo!();
//! let signer = PollingSigner::new(adapter).with_options(PollingOptions {
//!     initial_interval: Duration::from_secs(2),
//!     max_interval: Duration::from_secs(5),
//!     backoff_factor: 2,
//!     timeout: Duration::from_secs(300), // the provider's own transaction lifetime
//!     max_transient_errors: 3,
//! });
//! // `signer` is a `kyso_cms::Signer`; a time-out cancels the transaction and returns
//! // `Error::Remote(RemoteError::ApprovalTimeout { .. })`.
//! # let _ = signer;
//! # Ok(()) }
//! ```
//!
//! Things to get right in such an adapter: send the *digest* with the provider's name for the
//! hash algorithm (most also accept the whole data, which leaks the document to the provider);
//! return signatures as a CMS `SignerInfo` wants them (PKCS#1 v1.5 bytes; DER `ECDSA-Sig-Value`
//! for ECDSA — convert a raw `r || s`); map "the user said no" to [`RemoteError::Rejected`] and
//! "the transaction expired" to [`RemoteError::Cancelled`] so that [`PollingSigner`] does not try
//! to cancel it; and keep `poll` cheap — it runs every few seconds.
//!
//! # Waiting without sleeping in tests
//!
//! [`PollingSigner`], [`CscSession`] and [`PollingOptions::wait`] measure and wait through a
//! [`Clock`]. [`SystemClock`] really sleeps; a test clock can advance a counter instead, so a
//! three-minute time-out is checked in microseconds.
//!
//! # Errors
//!
//! Remote failures are [`Error::Remote`](crate::Error::Remote) with a [`RemoteError`]. Through
//! the [`kyso_cms::Signer`] trait they arrive wrapped in a `SignerError` (and, from
//! `kyso_pdf`, in its error); [`RemoteError::find_in`] digs them out.
//!
//! # Secrets
//!
//! Access tokens, SADs, PINs and OTPs are held in zeroizing buffers, never printed by `Debug`,
//! never part of an error message, and the JSON bodies that carry them are wiped after sending.

mod approval;
pub mod csc;
mod error;
mod http;
mod revocation;
mod tsa;

pub(crate) use approval::signer_error;
pub use approval::{ApprovalSigner, Clock, PendingId, PollingOptions, PollingSigner, SystemClock};
pub use csc::{CscApprovalSigner, CscClient, CscSession, CscSigner, OperationMode, Sad};
pub use error::RemoteError;
pub use http::{
    AccessToken, DEFAULT_HTTP_TIMEOUT, ErrorBody, HttpClient, HttpConfig, HttpResponse,
    MAX_RESPONSE_BYTES, OAuth2Token, client_credentials_token,
};
pub use revocation::{DEFAULT_REVOCATION_TIMEOUT, HttpRevocationFetcher, OcspMethod};
pub use tsa::{HttpTimestampAuthority, TsaCredentials};
