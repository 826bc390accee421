//! RFC 3161 over HTTP (RFC 3161 §3.4): `POST` of an `application/timestamp-query`, answered
//! with an `application/timestamp-reply`, optionally with HTTP basic or bearer authorisation.

use std::fmt;

use zeroize::Zeroizing;

use super::http::{HttpClient, HttpConfig, is_loopback};
use super::{AccessToken, RemoteError};
use crate::Result;

/// How to authenticate to a TSA.
#[derive(Clone)]
pub enum TsaCredentials {
    /// HTTP basic authorisation (RFC 7617).
    Basic {
        /// The user name.
        user: String,
        /// The password, wiped when dropped.
        password: Zeroizing<String>,
    },
    /// A bearer token (RFC 6750).
    Bearer(AccessToken),
}

impl fmt::Debug for TsaCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TsaCredentials::Basic { user, .. } => write!(f, "Basic({user}, ***)"),
            TsaCredentials::Bearer(_) => write!(f, "Bearer(***)"),
        }
    }
}

/// A time-stamping authority reached over HTTP or HTTPS.
///
/// Plain `http://` is accepted — the token is signed by the TSA and verified by kyso — but not
/// with credentials to a host other than loopback, where they would travel in clear.
#[derive(Clone, Debug)]
pub struct HttpTimestampAuthority {
    url: String,
    client: HttpClient,
    credentials: Option<TsaCredentials>,
}

impl HttpTimestampAuthority {
    /// A TSA at `url`, with `config` for HTTPS roots and the time-out.
    ///
    /// # Errors
    ///
    /// [`RemoteError::InsecureUrl`] for a URL that is neither `http://` nor `https://`, or
    /// credentials over plain HTTP to another host than loopback.
    pub fn new(
        url: &str,
        config: &HttpConfig,
        credentials: Option<TsaCredentials>,
    ) -> Result<Self> {
        let uri: ureq::http::Uri = url.parse().map_err(|_| RemoteError::InsecureUrl {
            url: url.to_string(),
            reason: "not a valid URL",
        })?;
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") if credentials.is_none() || is_loopback(uri.host().unwrap_or("")) => {}
            Some("http") => {
                return Err(RemoteError::InsecureUrl {
                    url: url.to_string(),
                    reason: "credentials would travel in clear: use https",
                }
                .into());
            }
            _ => {
                return Err(RemoteError::InsecureUrl {
                    url: url.to_string(),
                    reason: "a TSA URL is http:// or https://",
                }
                .into());
            }
        }
        Ok(HttpTimestampAuthority {
            url: url.to_string(),
            client: HttpClient::new(config),
            credentials,
        })
    }
}

impl kyso_cms::tsp::TimestampAuthority for HttpTimestampAuthority {
    fn name(&self) -> String {
        self.url.clone()
    }

    fn respond(&self, request_der: &[u8]) -> std::result::Result<Vec<u8>, String> {
        use base64ct::{Base64, Encoding};
        let authorization = self.credentials.as_ref().map(|c| match c {
            TsaCredentials::Basic { user, password } => {
                let pair = Zeroizing::new(format!("{user}:{}", password.as_str()));
                Zeroizing::new(format!("Basic {}", Base64::encode_string(pair.as_bytes())))
            }
            TsaCredentials::Bearer(token) => Zeroizing::new(format!("Bearer {}", token.secret())),
        });
        let response = self
            .client
            .post_bytes(
                &self.url,
                "application/timestamp-query",
                "application/timestamp-reply",
                request_der,
                authorization.as_deref().map(String::as_str),
            )
            .map_err(|e| e.to_string())?;
        if !response.is_success() {
            return Err(format!("HTTP status {}", response.status()));
        }
        Ok(response.body().to_vec())
    }
}
