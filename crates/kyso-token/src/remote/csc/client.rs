//! [`CscClient`]: one call per CSC API v2 method, with the service's errors mapped onto
//! [`RemoteError`].

use std::fmt;
use std::task::Poll;
use std::time::Duration;

use base64ct::{Base64, Base64Url, Base64UrlUnpadded, Encoding};
use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use super::types::{
    AuthorizeCheckRequest, AuthorizeRequest, AuthorizeResponse, CredentialInfo,
    CredentialInfoRequest, CredentialsListRequest, CredentialsListResponse, InfoResponse,
    SignHashRequest, SignHashResponse, SignPollingRequest,
};
use crate::Result;
use crate::remote::RemoteError;
use crate::remote::http::{AccessToken, HttpClient, HttpResponse};

/// Signature Activation Data: what `credentials/authorize` returns and `signatures/signHash`
/// needs, valid for a limited time and (on SCAL 2 services) bound to the authorised hashes.
///
/// Wiped from memory when dropped; `Debug` does not show it.
#[derive(Clone)]
pub struct Sad {
    value: Zeroizing<String>,
    expires_in: Option<Duration>,
}

impl Sad {
    /// Wraps a SAD obtained elsewhere (for `oauth2code` credentials: the access token with scope
    /// `credential`).
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: Zeroizing::new(value.into()),
            expires_in: None,
        }
    }

    /// The SAD itself.
    pub fn secret(&self) -> &str {
        &self.value
    }

    /// The lifetime the service announced (`expiresIn`), when it did.
    pub fn expires_in(&self) -> Option<Duration> {
        self.expires_in
    }
}

impl fmt::Debug for Sad {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sad")
            .field("value", &"***")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// What `credentials/authorize` or `credentials/authorizeCheck` answered.
#[derive(Debug)]
pub enum AuthorizeOutcome {
    /// The SAD (HTTP 200).
    Authorized(Sad),
    /// The user has not finished authorising (HTTP 202, e.g. waiting for a mobile app): poll
    /// `credentials/authorizeCheck` with this handle.
    Pending {
        /// The handle for the next `credentials/authorizeCheck`.
        handle: String,
    },
}

/// What `signatures/signHash` answered.
#[derive(Debug)]
pub enum SignHashOutcome {
    /// The signature values, in the order of the hashes (synchronous mode).
    Signatures(Vec<Vec<u8>>),
    /// The request was accepted in asynchronous mode: poll `signatures/signPolling` with this
    /// id.
    Pending {
        /// The `responseID`.
        response_id: String,
    },
}

/// A client for one CSC API v2 service, authenticated with an OAuth 2.0 bearer token.
///
/// Each method is one HTTP `POST <base_url>/<method>` with a JSON body. Errors the service
/// reports are mapped onto [`RemoteError`]: HTTP 401 → [`RemoteError::Unauthorized`],
/// `Invalid parameter credentialID` → [`RemoteError::UnknownCredential`], `Invalid parameter SAD`
/// and `Hash is not authorized by the SAD` → [`RemoteError::InvalidSad`], `SAD expired` →
/// [`RemoteError::SadExpired`], `invalid_authentication_data` / `invalid_otp` →
/// [`RemoteError::AuthenticationFailed`], `access_denied` → [`RemoteError::Rejected`], anything
/// else → [`RemoteError::Service`] with the `error` and `error_description`.
///
/// Cheap to clone (the HTTP connection pool is shared).
#[derive(Clone)]
pub struct CscClient {
    http: HttpClient,
    base_url: String,
    token: Option<AccessToken>,
}

impl fmt::Debug for CscClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CscClient")
            .field("base_url", &self.base_url)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

impl CscClient {
    /// A client for the service at `base_url` (the part before the method names, e.g.
    /// `https://rssp.example.vn/csc/v2`), sending `token` as `Authorization: Bearer`.
    ///
    /// # Errors
    ///
    /// [`RemoteError::InsecureUrl`] when `base_url` breaks the client's URL policy.
    pub fn new(http: HttpClient, base_url: &str, token: AccessToken) -> Result<Self> {
        let mut client = Self::without_token(http, base_url)?;
        client.token = Some(token);
        Ok(client)
    }

    /// A client that sends no bearer token: enough for `info`, and for services that
    /// authenticate the application by other means (mutual TLS in front of the service).
    ///
    /// # Errors
    ///
    /// [`RemoteError::InsecureUrl`] when `base_url` breaks the client's URL policy.
    pub fn without_token(http: HttpClient, base_url: &str) -> Result<Self> {
        http.check_url(base_url)?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            token: None,
        })
    }

    /// The service's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The HTTP client.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// `info` (§11.1): the service's name, methods and algorithms. Sent without a token.
    ///
    /// # Errors
    ///
    /// See [`CscClient`].
    pub fn info(&self) -> Result<InfoResponse> {
        let response = self
            .http
            .post_json(&self.url("info"), None, &serde_json::json!({}))?;
        if !response.is_success() {
            return Err(map_error(&response, None));
        }
        response.json()
    }

    /// `credentials/list` (§11.4): the credentials of the token's user.
    ///
    /// # Errors
    ///
    /// See [`CscClient`].
    pub fn list_credentials(
        &self,
        request: &CredentialsListRequest,
    ) -> Result<CredentialsListResponse> {
        self.call("credentials/list", request, None)
    }

    /// `credentials/info` (§11.5): key, certificates and authorisation mode of a credential.
    ///
    /// # Errors
    ///
    /// [`RemoteError::UnknownCredential`] for a credential the service does not know; see
    /// [`CscClient`].
    pub fn credential_info(&self, request: &CredentialInfoRequest) -> Result<CredentialInfo> {
        self.call(
            "credentials/info",
            request,
            Some(request.credential_id.as_str()),
        )
    }

    /// `credentials/authorize` (§11.6): a SAD for `num_signatures` signatures, or a handle when
    /// the user authorises out of band (HTTP 202).
    ///
    /// # Errors
    ///
    /// [`RemoteError::AuthenticationFailed`] for a wrong PIN/OTP; see [`CscClient`].
    pub fn authorize(&self, request: &AuthorizeRequest<'_>) -> Result<AuthorizeOutcome> {
        let response = self.post("credentials/authorize", request)?;
        authorize_outcome(&response, Some(request.credential_id))
    }

    /// `credentials/authorizeCheck` (§11.7): whether the authorisation behind `handle` is done.
    ///
    /// # Errors
    ///
    /// [`RemoteError::Rejected`] when the user refused; see [`CscClient`].
    pub fn authorize_check(&self, handle: &str) -> Result<AuthorizeOutcome> {
        let response = self.post(
            "credentials/authorizeCheck",
            &AuthorizeCheckRequest { handle },
        )?;
        authorize_outcome(&response, None)
    }

    /// `signatures/signHash` (§11.10).
    ///
    /// # Errors
    ///
    /// [`RemoteError::InvalidSad`], [`RemoteError::SadExpired`],
    /// [`RemoteError::UnknownCredential`], [`RemoteError::InvalidResponse`] when the number of
    /// signatures differs from the number of hashes; see [`CscClient`].
    pub fn sign_hash(&self, request: &SignHashRequest<'_>) -> Result<SignHashOutcome> {
        let response: SignHashResponse =
            self.call("signatures/signHash", request, Some(request.credential_id))?;
        if let Some(signatures) = response.signatures {
            let signatures = decode_all(&signatures)?;
            if signatures.len() != request.hashes.len() {
                return Err(RemoteError::InvalidResponse(format!(
                    "{} signatures for {} hashes",
                    signatures.len(),
                    request.hashes.len()
                ))
                .into());
            }
            return Ok(SignHashOutcome::Signatures(signatures));
        }
        match response.response_id {
            Some(response_id) => Ok(SignHashOutcome::Pending { response_id }),
            None => Err(RemoteError::InvalidResponse(
                "signHash returned neither signatures nor a responseID".into(),
            )
            .into()),
        }
    }

    /// `signatures/signPolling` (§11.12): the signatures of an asynchronous `signHash`, or
    /// `Poll::Pending` while the service has not finished (HTTP 202 `accepted_request`; also
    /// the HTTP 400 "has not yet been completed" some services send instead).
    ///
    /// The request carries the id as `requestID`, the name §11.12 gives it.
    ///
    /// # Errors
    ///
    /// [`RemoteError::Rejected`] when the user refused; see [`CscClient`].
    pub fn sign_polling(&self, response_id: &str) -> Result<Poll<Vec<Vec<u8>>>> {
        let response = self.post(
            "signatures/signPolling",
            &SignPollingRequest {
                request_id: response_id,
            },
        )?;
        if response.status() == 202 || still_processing(&response) {
            return Ok(Poll::Pending);
        }
        if !response.is_success() {
            return Err(map_error(&response, None));
        }
        let body: SignHashResponse = response.json()?;
        match body.signatures {
            Some(signatures) => Ok(Poll::Ready(decode_all(&signatures)?)),
            None => Ok(Poll::Pending),
        }
    }

    fn url(&self, method: &str) -> String {
        format!("{}/{method}", self.base_url)
    }

    fn post<T: Serialize + ?Sized>(&self, method: &str, body: &T) -> Result<HttpResponse> {
        self.http
            .post_json(&self.url(method), self.token.as_ref(), body)
    }

    fn call<T: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        method: &str,
        body: &T,
        credential_id: Option<&str>,
    ) -> Result<R> {
        let response = self.post(method, body)?;
        if !response.is_success() {
            return Err(map_error(&response, credential_id));
        }
        response.json()
    }
}

fn authorize_outcome(
    response: &HttpResponse,
    credential_id: Option<&str>,
) -> Result<AuthorizeOutcome> {
    if !response.is_success() {
        return Err(map_error(response, credential_id));
    }
    let body: AuthorizeResponse = response.json()?;
    match (body.sad, body.handle) {
        (Some(sad), _) if response.status() != 202 => Ok(AuthorizeOutcome::Authorized(Sad {
            value: Zeroizing::new(sad),
            expires_in: body.expires_in.map(Duration::from_secs),
        })),
        (_, Some(handle)) => Ok(AuthorizeOutcome::Pending { handle }),
        _ => Err(RemoteError::InvalidResponse(
            "credentials/authorize returned neither a SAD nor a handle".into(),
        )
        .into()),
    }
}

/// Whether an error response says an asynchronous request is still being processed.
fn still_processing(response: &HttpResponse) -> bool {
    let body = response.error_body();
    body.error.as_deref() == Some("accepted_request")
        || body
            .error_description
            .as_deref()
            .is_some_and(|d| d.to_ascii_lowercase().contains("not yet been completed"))
}

/// Maps a CSC error response onto [`RemoteError`] (see [`CscClient`]).
fn map_error(response: &HttpResponse, credential_id: Option<&str>) -> crate::Error {
    let body = response.error_body();
    let code = body.error.as_deref().unwrap_or("");
    let description = body.error_description.clone();
    let text = description.as_deref().unwrap_or("").to_ascii_lowercase();
    let error = if response.status() == 401 || code == "invalid_token" {
        RemoteError::Unauthorized {
            description: description.or(body.error),
        }
    } else if code == "access_denied" {
        RemoteError::Rejected { description }
    } else if matches!(
        code,
        "invalid_authentication_data" | "invalid_otp" | "invalid_pin"
    ) {
        RemoteError::AuthenticationFailed { description }
    } else if matches!(code, "expired_request" | "cancelled" | "canceled") {
        RemoteError::Cancelled { description }
    } else if text.contains("sad expired") || text.contains("sad has expired") {
        RemoteError::SadExpired { description }
    } else if text.contains("parameter sad") || text.contains("not authorized by the sad") {
        RemoteError::InvalidSad { description }
    } else if text.contains("invalid parameter credentialid") {
        RemoteError::UnknownCredential {
            credential_id: credential_id.unwrap_or("").to_string(),
            description,
        }
    } else {
        RemoteError::Service {
            status: response.status(),
            error: body.error,
            description,
        }
    };
    error.into()
}

/// Base64 as CSC services send it: standard alphabet with padding per the specification;
/// whitespace (MIME line breaks) and the URL-safe alphabet are tolerated.
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    Base64::decode_vec(&compact)
        .or_else(|_| Base64Url::decode_vec(&compact))
        .or_else(|_| Base64UrlUnpadded::decode_vec(&compact))
        .map_err(|_| RemoteError::InvalidResponse("a value is not valid Base64".into()).into())
}

fn decode_all(values: &[String]) -> Result<Vec<Vec<u8>>> {
    values.iter().map(|v| decode_base64(v)).collect()
}
