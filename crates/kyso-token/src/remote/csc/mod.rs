//! The Cloud Signature Consortium API v2 ([CSC API v2.0.0.2]): [`CscClient`] (the methods),
//! [`CscSession`] (one credential), [`CscSigner`] and [`CscApprovalSigner`].
//!
//! Methods used, with the request and response fields of the specification:
//!
//! | Method | kyso |
//! |--------|------|
//! | `info` (§11.1) | [`CscClient::info`] |
//! | `credentials/list` (§11.4) | [`CscClient::list_credentials`] |
//! | `credentials/info` (§11.5) | [`CscClient::credential_info`], [`CscSession::open`] |
//! | `credentials/authorize` (§11.6), HTTP 200 `SAD` or 202 `handle` | [`CscClient::authorize`], [`CscSession::authorize`] |
//! | `credentials/authorizeCheck` (§11.7) | [`CscClient::authorize_check`] |
//! | `signatures/signHash` (§11.10), `operationMode` `S` or `A` | [`CscClient::sign_hash`], [`CscSession::sign_hashes`] |
//! | `signatures/signPolling` (§11.12), HTTP 202 while pending | [`CscClient::sign_polling`] |
//! | `oauth2/token` (§8.3.3), client credentials | [`client_credentials_token`](crate::remote::client_credentials_token) |
//!
//! Not implemented: `auth/login` (HTTP Basic, which the specification itself discourages),
//! `credentials/extendTransaction`, `credentials/getChallenge` / `sendOTP` (the application
//! asks the service to send the OTP through these when it needs to; the OTP then goes to
//! [`CscSession::with_otp`]), `signatures/signDoc` and `signatures/timestamp`.
//!
//! [CSC API v2.0.0.2]: https://cloudsignatureconsortium.org/resources/download-api-specifications/

mod algo;
mod approval;
mod client;
mod session;
mod signer;
mod types;

pub use approval::CscApprovalSigner;
pub use client::{AuthorizeOutcome, CscClient, Sad, SignHashOutcome};
pub use session::CscSession;
pub use signer::CscSigner;
pub use types::OperationMode;

/// The CSC API v2 JSON bodies as kyso writes and reads them: what [`CscClient`] (the one-call-
/// per-method client) takes and returns. **Unstable**, as rustls's `internal` module: they follow
/// the services kyso meets and may change in any release; [`CscSigner`], [`CscSession`] and
/// [`CscApprovalSigner`] are the stable API.
pub mod wire {
    pub use super::types::{
        AuthDatum, AuthInfo, AuthObject, AuthorizeRequest, CertInfo, Certificates, CredentialInfo,
        CredentialInfoRequest, CredentialsListRequest, CredentialsListResponse, InfoResponse,
        KeyInfo, SignAlgorithms, SignHashRequest,
    };
}
