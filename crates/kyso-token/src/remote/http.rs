//! [`HttpClient`]: the small HTTPS client (ureq + rustls) the CSC client and approval adapters
//! share, with the URL policy (HTTPS, or plain HTTP to loopback only on request), custom roots,
//! time-outs, and OAuth 2.0 bearer tokens.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use ureq::tls::{RootCerts, TlsConfig, TlsProvider};
use zeroize::Zeroizing;

use super::RemoteError;
use crate::{Error, Result};

/// The largest response body read from a service: far more than a certificate chain or a batch
/// of signatures needs, small enough that a broken or hostile service cannot exhaust memory.
pub const MAX_RESPONSE_BYTES: u64 = 4 << 20;

/// The default time-out of one HTTP exchange (connect, send, receive).
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// An OAuth 2.0 bearer access token ([RFC 6750]).
///
/// The token is wiped from memory when dropped and never printed: `Debug` shows `***`.
///
/// [RFC 6750]: https://www.rfc-editor.org/rfc/rfc6750
#[derive(Clone)]
pub struct AccessToken(Zeroizing<String>);

impl AccessToken {
    /// Wraps a token obtained from the service's authorisation server (or the application's).
    pub fn new(token: impl Into<String>) -> Self {
        Self(Zeroizing::new(token.into()))
    }

    /// The token itself, for an `Authorization: Bearer` header.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(***)")
    }
}

impl From<String> for AccessToken {
    fn from(token: String) -> Self {
        Self::new(token)
    }
}

impl From<&str> for AccessToken {
    fn from(token: &str) -> Self {
        Self::new(token)
    }
}

/// How [`HttpClient`] connects: trusted roots, time-out, and whether plain HTTP to loopback is
/// allowed (for tests and local development only).
#[derive(Clone)]
pub struct HttpConfig {
    roots: Vec<Vec<u8>>,
    allow_insecure_loopback: bool,
    timeout: Duration,
}

impl fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpConfig")
            .field("custom_roots", &self.roots.len())
            .field("allow_insecure_loopback", &self.allow_insecure_loopback)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            roots: Vec::new(),
            allow_insecure_loopback: false,
            timeout: DEFAULT_HTTP_TIMEOUT,
        }
    }
}

impl HttpConfig {
    /// HTTPS only, Mozilla's root programme (`webpki-roots`) as trust anchors, 30 s time-out.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts the certificates of `pem` (PEM or DER, one or several) as the roots for the
    /// service's TLS certificate, *instead of* Mozilla's roots: for services whose TLS
    /// certificate is issued by a private or national CA. Call it again to add more roots.
    ///
    /// # Errors
    ///
    /// [`Error::Certificate`] when a certificate does not parse, [`RemoteError::Config`] when
    /// `pem` holds none.
    pub fn with_root_certificates(mut self, pem: &[u8]) -> Result<Self> {
        let certs = kyso_cert::Certificate::all_from_der_or_pem(pem)?;
        if certs.is_empty() {
            return Err(
                RemoteError::Config("no certificate in the root certificate file".into()).into(),
            );
        }
        self.roots.extend(certs.iter().map(|c| c.der().to_vec()));
        Ok(self)
    }

    /// Allows plain `http://` URLs whose host is a loopback address (`127.0.0.0/8`, `::1`,
    /// `localhost`), for a test server on the same machine. Never use it against a real service:
    /// the access token, the PIN and the SAD would travel in clear.
    pub fn allow_insecure_loopback(mut self, allow: bool) -> Self {
        self.allow_insecure_loopback = allow;
        self
    }

    /// The time-out of one HTTP exchange (default [`DEFAULT_HTTP_TIMEOUT`]). Waiting for a user's
    /// approval is governed by `PollingOptions` instead.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// A response as the service sent it: status and body (at most [`MAX_RESPONSE_BYTES`]).
#[derive(Clone, Debug)]
pub struct HttpResponse {
    url: String,
    status: u16,
    body: Vec<u8>,
}

/// The error body of OAuth 2.0 ([RFC 6749 §5.2]) and the CSC API:
/// `{"error": "...", "error_description": "..."}`.
///
/// [RFC 6749 §5.2]: https://www.rfc-editor.org/rfc/rfc6749#section-5.2
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ErrorBody {
    /// The error code (`invalid_request`, `invalid_token`, `access_denied`, …).
    #[serde(default)]
    pub error: Option<String>,
    /// A human-readable explanation.
    #[serde(default)]
    pub error_description: Option<String>,
}

impl HttpResponse {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The body bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The URL that answered.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body parsed as JSON into `T`.
    ///
    /// # Errors
    ///
    /// [`RemoteError::InvalidResponse`] when the body is not JSON of that shape.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            RemoteError::InvalidResponse(format!("{} (HTTP {}): {e}", self.url, self.status)).into()
        })
    }

    /// The OAuth 2.0 / CSC error body, when the body is one.
    pub fn error_body(&self) -> ErrorBody {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }

    /// A generic error for a non-success response: [`RemoteError::Unauthorized`] for 401,
    /// [`RemoteError::Rejected`] for `access_denied`, [`RemoteError::Service`] otherwise.
    /// Protocol clients map more specific codes first (the CSC client does).
    pub fn to_error(&self) -> Error {
        let body = self.error_body();
        if self.status == 401 {
            return RemoteError::Unauthorized {
                description: body.error_description.or(body.error),
            }
            .into();
        }
        if body.error.as_deref() == Some("access_denied") {
            return RemoteError::Rejected {
                description: body.error_description,
            }
            .into();
        }
        RemoteError::Service {
            status: self.status,
            error: body.error,
            description: body.error_description,
        }
        .into()
    }

    /// `self` when the status is 2xx, else [`HttpResponse::to_error`].
    ///
    /// # Errors
    ///
    /// See [`HttpResponse::to_error`].
    pub fn error_for_status(self) -> Result<Self> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(self.to_error())
        }
    }
}

/// A blocking HTTPS client for remote signing services, built on `ureq` 3 with rustls on the
/// crypto provider built in (aws-lc-rs with the `aws-lc-rs` feature, else ring).
///
/// It enforces the URL policy of [`HttpConfig`] on every request, sends JSON or form bodies
/// with an optional bearer token, follows no redirects (a bearer token must not travel to
/// another host), treats every status as a response (the caller maps errors), and reads at most
/// [`MAX_RESPONSE_BYTES`]. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct HttpClient {
    agent: ureq::Agent,
    allow_insecure_loopback: bool,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("allow_insecure_loopback", &self.allow_insecure_loopback)
            .finish_non_exhaustive()
    }
}

/// The rustls crypto provider: AWS-LC when built in (one C crypto library in the program),
/// else ring.
#[cfg(feature = "aws-lc-rs")]
fn tls_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The rustls crypto provider: AWS-LC when built in (one C crypto library in the program),
/// else ring.
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
fn tls_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

#[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
compile_error!(
    "kyso-token's `remote` feature needs a TLS crypto provider: enable `aws-lc-rs` or `ring`"
);

impl HttpClient {
    /// A client with `config`.
    pub fn new(config: &HttpConfig) -> Self {
        let roots = if config.roots.is_empty() {
            RootCerts::WebPki
        } else {
            RootCerts::Specific(Arc::new(
                config
                    .roots
                    .iter()
                    .map(|der| ureq::tls::Certificate::from_der(der).to_owned())
                    .collect(),
            ))
        };
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(tls_provider())
            .root_certs(roots)
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(Some(config.timeout))
            .tls_config(tls)
            .user_agent(concat!("kyso-token/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Self {
            agent,
            allow_insecure_loopback: config.allow_insecure_loopback,
        }
    }

    /// Checks `url` against the policy: `https://`, or `http://` to a loopback host when
    /// [`HttpConfig::allow_insecure_loopback`] is set.
    ///
    /// # Errors
    ///
    /// [`RemoteError::InsecureUrl`] when refused.
    pub fn check_url(&self, url: &str) -> Result<()> {
        check_url(url, self.allow_insecure_loopback)
    }

    /// `POST url` with `body` as JSON.
    ///
    /// # Errors
    ///
    /// [`RemoteError::InsecureUrl`], [`RemoteError::HttpTimeout`], [`RemoteError::Transport`];
    /// an error status is *not* an error here (see [`HttpResponse::error_for_status`]).
    pub fn post_json<T: Serialize + ?Sized>(
        &self,
        url: &str,
        bearer: Option<&AccessToken>,
        body: &T,
    ) -> Result<HttpResponse> {
        self.check_url(url)?;
        // The body may hold a PIN, an OTP or a SAD: wipe it once sent.
        let bytes = Zeroizing::new(serde_json::to_vec(body).map_err(|e| {
            RemoteError::Config(format!("cannot encode the request to {url}: {e}"))
        })?);
        let request = self
            .with_bearer(self.agent.post(url), bearer)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json");
        finish(url, request.send(&bytes[..]))
    }

    /// `POST url` with `fields` as `application/x-www-form-urlencoded` (OAuth 2.0 token
    /// requests).
    ///
    /// # Errors
    ///
    /// As [`HttpClient::post_json`].
    pub fn post_form(
        &self,
        url: &str,
        bearer: Option<&AccessToken>,
        fields: &[(&str, &str)],
    ) -> Result<HttpResponse> {
        self.check_url(url)?;
        let request = self
            .with_bearer(self.agent.post(url), bearer)
            .header("Accept", "application/json");
        finish(url, request.send_form(fields.iter().copied()))
    }

    /// `GET url`.
    ///
    /// # Errors
    ///
    /// As [`HttpClient::post_json`].
    pub fn get(&self, url: &str, bearer: Option<&AccessToken>) -> Result<HttpResponse> {
        self.check_url(url)?;
        let request = self
            .with_bearer(self.agent.get(url), bearer)
            .header("Accept", "application/json");
        finish(url, request.call())
    }

    /// `POST url` with a binary `body` of `content_type`, accepting `accept`, with an optional
    /// `Authorization` header value. The URL policy is the caller's: RFC 3161 time-stamping
    /// runs over plain HTTP (the token is signed), so [`crate::remote::HttpTimestampAuthority`]
    /// checks its own (no credentials over plain HTTP beyond loopback).
    ///
    /// # Errors
    ///
    /// [`RemoteError::HttpTimeout`], [`RemoteError::Transport`].
    pub fn post_bytes(
        &self,
        url: &str,
        content_type: &str,
        accept: &str,
        body: &[u8],
        authorization: Option<&str>,
    ) -> Result<HttpResponse> {
        let mut request = self
            .agent
            .post(url)
            .header("Content-Type", content_type)
            .header("Accept", accept);
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        finish(url, request.send(body))
    }

    /// `GET url` of binary content, accepting `accept`, reading at most `limit` bytes (a CRL
    /// may be larger than [`MAX_RESPONSE_BYTES`]). The URL policy is the caller's, as for
    /// [`post_bytes`](Self::post_bytes): revocation data is signed, and is fetched over plain
    /// HTTP as RFC 5280 §4.2.1.13 and RFC 6960 expect.
    ///
    /// # Errors
    ///
    /// [`RemoteError::HttpTimeout`], [`RemoteError::Transport`] (also for a body over `limit`).
    pub fn get_bytes(&self, url: &str, accept: &str, limit: u64) -> Result<HttpResponse> {
        let request = self.agent.get(url).header("Accept", accept);
        finish_with_limit(url, request.call(), limit)
    }

    fn with_bearer<B>(
        &self,
        request: ureq::RequestBuilder<B>,
        bearer: Option<&AccessToken>,
    ) -> ureq::RequestBuilder<B> {
        match bearer {
            Some(token) => {
                let value = Zeroizing::new(format!("Bearer {}", token.secret()));
                request.header("Authorization", value.as_str())
            }
            None => request,
        }
    }
}

fn finish(
    url: &str,
    result: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<HttpResponse> {
    finish_with_limit(url, result, MAX_RESPONSE_BYTES)
}

fn finish_with_limit(
    url: &str,
    result: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    limit: u64,
) -> Result<HttpResponse> {
    let mut response = result.map_err(|e| transport_error(url, e))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| transport_error(url, e))?;
    Ok(HttpResponse {
        url: url.to_string(),
        status,
        body,
    })
}

fn transport_error(url: &str, error: ureq::Error) -> Error {
    match error {
        ureq::Error::Timeout(_) => RemoteError::HttpTimeout {
            url: url.to_string(),
        },
        other => RemoteError::Transport {
            url: url.to_string(),
            source: Arc::new(other),
        },
    }
    .into()
}

/// The URL policy: `https://` always; `http://` only to loopback and only when allowed.
pub(crate) fn check_url(url: &str, allow_insecure_loopback: bool) -> Result<()> {
    let refuse = |reason| {
        Err(RemoteError::InsecureUrl {
            url: url.to_string(),
            reason,
        }
        .into())
    };
    let uri: ureq::http::Uri = match url.parse() {
        Ok(uri) => uri,
        Err(_) => return refuse("not a valid URL"),
    };
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") => {
            let host = uri.host().unwrap_or("");
            if !is_loopback(host) {
                refuse("plain http is allowed only to a loopback address")
            } else if !allow_insecure_loopback {
                refuse("plain http to loopback needs allow_insecure_loopback")
            } else {
                Ok(())
            }
        }
        _ => refuse("only https URLs are allowed"),
    }
}

pub(crate) fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// What an OAuth 2.0 token endpoint returns ([RFC 6749 §5.1]).
///
/// [RFC 6749 §5.1]: https://www.rfc-editor.org/rfc/rfc6749#section-5.1
#[derive(Clone, Debug)]
pub struct OAuth2Token {
    /// The access token, for [`crate::remote::CscClient::new`].
    pub access_token: AccessToken,
    /// The token type (`Bearer`).
    pub token_type: Option<String>,
    /// Lifetime in seconds, when the server says.
    pub expires_in: Option<u64>,
    /// The granted scope, when the server says.
    pub scope: Option<String>,
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    scope: Option<String>,
}

/// Gets an access token with the OAuth 2.0 client-credentials grant ([RFC 6749 §4.4]), the grant
/// a server-side application (a portal, an e-office system) uses for its own service account:
/// `POST token_url` with `grant_type=client_credentials`, `client_id`, `client_secret` and
/// `scope` (CSC: `service`) as a form.
///
/// For a CSC service `token_url` is `<oauth2>/oauth2/token`, with `<oauth2>` from the service's
/// `info` (`oauth2` field). Token requests for a user (authorisation code flow, with the user
/// logging in through a browser) belong to the application and are not done here.
///
/// # Errors
///
/// [`RemoteError::Unauthorized`] or [`RemoteError::Service`] (e.g. `invalid_client`) when the
/// server refuses, [`RemoteError::InvalidResponse`] when it answers something else than a token,
/// and the transport errors of [`HttpClient::post_form`].
///
/// [RFC 6749 §4.4]: https://www.rfc-editor.org/rfc/rfc6749#section-4.4
pub fn client_credentials_token(
    http: &HttpClient,
    token_url: &str,
    client_id: &str,
    client_secret: &str,
    scope: Option<&str>,
) -> Result<OAuth2Token> {
    let mut fields = vec![
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", client_secret),
    ];
    if let Some(scope) = scope {
        fields.push(("scope", scope));
    }
    let response = http
        .post_form(token_url, None, &fields)?
        .error_for_status()?;
    let token: TokenResponse = response.json()?;
    Ok(OAuth2Token {
        access_token: AccessToken::new(token.access_token),
        token_type: token.token_type,
        expires_in: token.expires_in,
        scope: token.scope,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_policy() {
        assert!(check_url("https://rssp.example.vn/csc/v2", false).is_ok());
        assert!(check_url("http://rssp.example.vn/csc/v2", true).is_err());
        assert!(check_url("http://127.0.0.1:8080/csc/v2", false).is_err());
        assert!(check_url("http://127.0.0.1:8080/csc/v2", true).is_ok());
        assert!(check_url("http://[::1]:8080/", true).is_ok());
        assert!(check_url("http://localhost/", true).is_ok());
        assert!(check_url("ftp://127.0.0.1/", true).is_err());
        assert!(check_url("not a url", true).is_err());
    }

    #[test]
    fn token_is_not_printed() {
        let token = AccessToken::new("very-secret");
        assert!(!format!("{token:?}").contains("very-secret"));
    }
}
