//! Revocation evidence over HTTP: OCSP requests to the responder a certificate's
//! authorityInfoAccess names (RFC 6960 Appendix A: `POST` of an `application/ocsp-request`,
//! or `GET` of its base64 under the URL for small requests) and CRLs from its
//! cRLDistributionPoints (RFC 5280 §4.2.1.13). Plain `http://` is what these URLs use: the
//! answers are signed and checked by [`kyso_cert::revocation`].

use std::time::Duration;

use base64ct::{Base64, Encoding};
use kyso_cert::revocation::RevocationFetcher;

use super::http::{HttpClient, HttpConfig};

/// The default time-out of one revocation request: a validator should not hang on a dead
/// responder.
pub const DEFAULT_REVOCATION_TIMEOUT: Duration = Duration::from_secs(10);

/// How OCSP requests are sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum OcspMethod {
    /// Always `POST`.
    #[default]
    Post,
    /// `GET` when the URL with the base64 request stays within 255 bytes (RFC 6960
    /// Appendix A.1, which lets caches serve it), else `POST`.
    GetWhenSmall,
}

/// A [`RevocationFetcher`] over HTTP(S).
///
/// ```
/// use std::sync::Arc;
/// use kyso_cert::revocation::{RevocationChecker, RevocationPolicy};
/// use kyso_token::remote::HttpRevocationFetcher;
///
/// let mut policy = RevocationPolicy::default();
/// policy.fetch = true;
/// let checker = RevocationChecker::new(policy).with_fetcher(Arc::new(HttpRevocationFetcher::new()));
/// # let _ = checker;
/// ```
#[derive(Clone, Debug)]
pub struct HttpRevocationFetcher {
    client: HttpClient,
    method: OcspMethod,
}

impl Default for HttpRevocationFetcher {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpRevocationFetcher {
    /// A fetcher with [`DEFAULT_REVOCATION_TIMEOUT`], sending OCSP requests by `POST`.
    pub fn new() -> Self {
        Self::with_config(&HttpConfig::new().with_timeout(DEFAULT_REVOCATION_TIMEOUT))
    }

    /// A fetcher with `config` (HTTPS roots, time-out).
    pub fn with_config(config: &HttpConfig) -> Self {
        Self {
            client: HttpClient::new(config),
            method: OcspMethod::Post,
        }
    }

    /// Sends OCSP requests with `method`.
    pub fn with_ocsp_method(mut self, method: OcspMethod) -> Self {
        self.method = method;
        self
    }
}

fn fetch_error(url: &str, message: impl Into<String>) -> kyso_cert::Error {
    kyso_cert::Error::Fetch {
        url: url.to_string(),
        message: message.into(),
    }
}

impl RevocationFetcher for HttpRevocationFetcher {
    fn fetch_ocsp(&self, url: &str, request: &[u8]) -> kyso_cert::Result<Vec<u8>> {
        let encoded = Base64::encode_string(request);
        let get_url = format!(
            "{}/{}",
            url.trim_end_matches('/'),
            encoded
                .replace('+', "%2B")
                .replace('/', "%2F")
                .replace('=', "%3D")
        );
        let response = if self.method == OcspMethod::GetWhenSmall && get_url.len() <= 255 {
            self.client.get_bytes(
                &get_url,
                "application/ocsp-response",
                kyso_cert::ocsp::MAX_RESPONSE_LEN as u64,
            )
        } else {
            self.client.post_bytes(
                url,
                "application/ocsp-request",
                "application/ocsp-response",
                request,
                None,
            )
        }
        .map_err(|e| fetch_error(url, e.to_string()));
        body(url, response)
    }

    fn fetch_crl(&self, url: &str) -> kyso_cert::Result<Vec<u8>> {
        let response = self
            .client
            .get_bytes(
                url,
                "application/pkix-crl",
                kyso_cert::crl::MAX_CRL_LEN as u64,
            )
            .map_err(|e| fetch_error(url, e.to_string()));
        body(url, response)
    }
}

/// The body of a successful answer from `url`; an error naming the URL otherwise.
fn body(url: &str, response: kyso_cert::Result<super::HttpResponse>) -> kyso_cert::Result<Vec<u8>> {
    let response = response?;
    if !response.is_success() {
        return Err(fetch_error(
            url,
            format!("HTTP status {}", response.status()),
        ));
    }
    Ok(response.body().to_vec())
}
