//! [`RemoteError`]: what goes wrong when the key lives in a remote signing service.

use std::time::Duration;

/// Why a remote signing service (CSC API v2, or a provider's own approval API) did not sign.
///
/// It reaches callers as [`Error::Remote`](crate::Error::Remote). The variants are the ones a
/// caller handles differently: get a new access token ([`RemoteError::Unauthorized`]), authorise
/// again ([`RemoteError::InvalidSad`], [`RemoteError::SadExpired`]), ask the user for the PIN or
/// OTP again ([`RemoteError::AuthenticationFailed`]), fix the configuration
/// ([`RemoteError::UnknownCredential`], [`RemoteError::InsecureUrl`]), tell the user they did not
/// approve in time or said no ([`RemoteError::ApprovalTimeout`], [`RemoteError::Rejected`],
/// [`RemoteError::Cancelled`]), or retry later ([`RemoteError::HttpTimeout`],
/// [`RemoteError::Transport`]). No variant carries an access token, a SAD, a PIN or an OTP.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteError {
    /// The service refused the access token (HTTP 401): missing, wrong, expired or revoked.
    #[error(
        "the signing service refused the access token (HTTP 401){}",
        detail(description)
    )]
    Unauthorized {
        /// The service's `error_description`, if it gave one.
        description: Option<String>,
    },

    /// The service does not know the credential (CSC `Invalid parameter credentialID`), or the
    /// access token's user has no such credential.
    #[error(
        "the signing service has no credential \"{credential_id}\"{}",
        detail(description)
    )]
    UnknownCredential {
        /// The credential that was asked for.
        credential_id: String,
        /// The service's `error_description`, if it gave one.
        description: Option<String>,
    },

    /// The Signature Activation Data was refused: not one the service issued, issued for another
    /// credential, already used up, or not covering the hashes sent (CSC `Invalid parameter
    /// SAD`, `Hash is not authorized by the SAD`). Authorise again.
    #[error("the signing service refused the SAD{}", detail(description))]
    InvalidSad {
        /// The service's `error_description`, if it gave one.
        description: Option<String>,
    },

    /// The Signature Activation Data has expired (CSC `SAD expired`). Authorise again.
    #[error("the SAD has expired: authorise again{}", detail(description))]
    SadExpired {
        /// The service's `error_description`, if it gave one.
        description: Option<String>,
    },

    /// The PIN, OTP or other authentication data was wrong (CSC
    /// `invalid_authentication_data`, `invalid_otp`).
    #[error(
        "the signing service refused the authentication data (PIN/OTP){}",
        detail(description)
    )]
    AuthenticationFailed {
        /// The service's `error_description`, if it gave one.
        description: Option<String>,
    },

    /// The user did not approve the request before the time-out; the request was cancelled
    /// where the service allows it.
    #[error("the signature was not approved within {}s", waited.as_secs_f64())]
    ApprovalTimeout {
        /// How long kyso waited.
        waited: Duration,
    },

    /// The user rejected the signature request (on the phone app, or CSC `access_denied`).
    #[error("the user rejected the signature request{}", detail(description))]
    Rejected {
        /// The service's explanation, if it gave one.
        description: Option<String>,
    },

    /// The signature request was cancelled or expired at the service before the user answered.
    #[error(
        "the signature request was cancelled or expired at the signing service{}",
        detail(description)
    )]
    Cancelled {
        /// The service's explanation, if it gave one.
        description: Option<String>,
    },

    /// More hashes were given than one authorisation of this credential covers (its CSC
    /// `multisign`).
    #[error(
        "{requested} hashes in one batch, but the credential allows at most {max} per authorisation"
    )]
    BatchTooLarge {
        /// Hashes in the batch.
        requested: usize,
        /// The credential's `multisign`.
        max: u32,
    },

    /// The service answered with an error that has no more specific variant.
    #[error("the signing service answered HTTP {status}{}{}", error.as_ref().map(|e| format!(" {e}")).unwrap_or_default(), detail(description))]
    Service {
        /// The HTTP status.
        status: u16,
        /// The OAuth 2.0 / CSC `error` code (`invalid_request`, …).
        error: Option<String>,
        /// The `error_description`.
        description: Option<String>,
    },

    /// The service did not answer within the HTTP time-out. The request may or may not have
    /// been carried out.
    #[error("no answer from {url} within the time-out")]
    HttpTimeout {
        /// The endpoint.
        url: String,
    },

    /// The service could not be reached: DNS, TCP, TLS (including a server certificate that
    /// does not chain to the configured roots) or a broken connection.
    #[error("cannot reach {url}: {source}")]
    Transport {
        /// The endpoint.
        url: String,
        /// The HTTP client's error (shared, so that the error can be cloned: one failed batch
        /// request is every message's error).
        #[source]
        source: std::sync::Arc<dyn std::error::Error + Send + Sync>,
    },

    /// The service's answer could not be understood: not JSON, a field missing, bad Base64, a
    /// certificate that does not parse, or a number of signatures other than the number of
    /// hashes sent.
    #[error("unexpected answer from the signing service: {0}")]
    InvalidResponse(String),

    /// The URL is refused: plain `http://` is allowed only to a loopback address and only when
    /// `allow_insecure_loopback` is set; anything else must be `https://`.
    #[error("refused URL {url}: {reason}")]
    InsecureUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: &'static str,
    },

    /// The configuration is unusable: a root certificate that does not parse, an unknown
    /// pending-request id, a credential whose key algorithms kyso cannot sign with.
    #[error("{0}")]
    Config(String),
}

fn detail(description: &Option<String>) -> String {
    description
        .as_deref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default()
}
