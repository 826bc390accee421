//! `POST /v1/sign`: the organisation's seal signature, made by the service with a key it holds
//! — on a PKCS#11 token (a network HSM through its vendor module, SoftHSM2 in tests) or in a
//! PKCS#12 file — for callers that present one of the configured API keys.
//!
//! API keys are compared in constant time (the SHA-256 of the presented key against the
//! SHA-256 of every configured one, all of them, with `subtle`), come from a file or an
//! environment variable, and are never written anywhere: not in answers, metrics or errors.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kyso_cms::Signer;
use kyso_pdf::PdfSigner;
use serde::Deserialize;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::sign::{SignatureForm, sign_options};
use crate::{ApiError, AppState, Error, Result};

/// The seal signer of the service (`[seal]`): where its key is, and who may use it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealConfig {
    /// A file of API keys, one per line (blank lines and lines starting with `#` skipped).
    #[serde(default)]
    pub api_keys_file: Option<PathBuf>,
    /// An environment variable holding API keys, separated by commas.
    #[serde(default)]
    pub api_keys_env: Option<String>,
    /// The vendor's PKCS#11 module (a network HSM's client library, a USB token's driver).
    #[serde(default)]
    pub pkcs11_module: Option<PathBuf>,
    /// The token's label (default: the only token present).
    #[serde(default)]
    pub token: Option<String>,
    /// The label of the signing key or of its certificate (default: the only key).
    #[serde(default)]
    pub key_label: Option<String>,
    /// The token PIN's environment variable.
    #[serde(default)]
    pub pin_env: Option<String>,
    /// A file whose first line is the token PIN.
    #[serde(default)]
    pub pin_file: Option<PathBuf>,
    /// A PKCS#12 file with the key and its chain, instead of a token.
    #[serde(default)]
    pub pkcs12: Option<PathBuf>,
    /// The PKCS#12 password's environment variable.
    #[serde(default)]
    pub password_env: Option<String>,
    /// A file whose first line is the PKCS#12 password.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// /Reason of every seal signature unless the request gives one.
    #[serde(default)]
    pub reason: Option<String>,
    /// /Location of every seal signature unless the request gives one.
    #[serde(default)]
    pub location: Option<String>,
}

impl SealConfig {
    /// The file paths of the section (those set), for the configuration to take relative
    /// ones from its folder.
    pub(crate) fn paths_mut(&mut self) -> impl Iterator<Item = &mut PathBuf> {
        [
            &mut self.api_keys_file,
            &mut self.pkcs11_module,
            &mut self.pin_file,
            &mut self.pkcs12,
            &mut self.password_file,
        ]
        .into_iter()
        .flatten()
    }
}

/// Shortest API key accepted: 128 bits of hex, or of base64.
const MIN_API_KEY_LEN: usize = 22;

/// The SHA-256 of each accepted API key.
struct ApiKeys(Vec<[u8; 32]>);

impl ApiKeys {
    fn load(config: &SealConfig) -> Result<Self> {
        let mut text = String::new();
        if let Some(path) = &config.api_keys_file {
            text = std::fs::read_to_string(path)
                .map_err(|e| seal_error(format!("api_keys_file {}: {e}", path.display())))?;
        }
        if let Some(var) = &config.api_keys_env {
            let value = std::env::var(var)
                .map_err(|_| seal_error(format!("api_keys_env: ${var} is not set")))?;
            text.push('\n');
            text.push_str(&value.replace(',', "\n"));
        }
        let keys: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        if keys.is_empty() {
            return Err(seal_error(
                "no API key: [seal] needs api_keys_file or api_keys_env with at least one key"
                    .into(),
            ));
        }
        if let Some(n) = keys.iter().position(|k| k.len() < MIN_API_KEY_LEN) {
            return Err(seal_error(format!(
                "API key number {} is shorter than {MIN_API_KEY_LEN} characters: make keys \
                 from 16 random bytes or more (openssl rand -hex 32)",
                n + 1
            )));
        }
        Ok(Self(keys.iter().map(|k| sha256(k.as_bytes())).collect()))
    }

    /// Whether `presented` is one of the keys, in time independent of which and of how much
    /// of it matches.
    fn accepts(&self, presented: &[u8]) -> bool {
        let presented = sha256(presented);
        let mut found = subtle::Choice::from(0);
        for key in &self.0 {
            found |= key.ct_eq(&presented);
        }
        found.into()
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&kyso_cert::DigestAlgorithm::Sha256.digest(bytes));
    out
}

fn seal_error(reason: String) -> Error {
    Error::Seal { reason }
}

/// The seal signer, opened at start (a wrong PIN or a missing key stops the service before it
/// takes requests), and the API keys that may use it.
pub(crate) struct Seal {
    signer: Box<dyn Signer>,
    keys: ApiKeys,
    reason: Option<String>,
    location: Option<String>,
}

impl Seal {
    pub(crate) fn open(config: &SealConfig) -> Result<Self> {
        let keys = ApiKeys::load(config)?;
        let signer: Box<dyn Signer> = match (&config.pkcs11_module, &config.pkcs12) {
            (Some(module), None) => Box::new(open_pkcs11(config, module)?),
            (None, Some(p12)) => {
                let password = secret(
                    config.password_env.as_deref(),
                    config.password_file.as_deref(),
                    "password",
                )?;
                Box::new(
                    kyso_token::SoftwareSigner::from_pkcs12_file(p12, &password)
                        .map_err(|e| seal_error(format!("pkcs12 {}: {e}", p12.display())))?,
                )
            }
            _ => {
                return Err(seal_error(
                    "[seal] needs exactly one key: pkcs11_module (a token or HSM) or pkcs12".into(),
                ));
            }
        };
        Ok(Self {
            signer,
            keys,
            reason: config.reason.clone(),
            location: config.location.clone(),
        })
    }
}

fn open_pkcs11(config: &SealConfig, module: &Path) -> Result<kyso_token::pkcs11::Pkcs11Signer> {
    use kyso_token::pkcs11::{KeySelector, PinSource, Pkcs11Module, Pkcs11Signer};
    let pin = match (&config.pin_env, &config.pin_file) {
        (Some(var), None) => PinSource::Env(var.clone()),
        (None, Some(file)) => PinSource::File(file.clone()),
        _ => {
            return Err(seal_error(
                "[seal] with pkcs11_module needs exactly one of pin_env and pin_file".into(),
            ));
        }
    };
    let module = Pkcs11Module::load(module)
        .map_err(|e| seal_error(format!("pkcs11_module {}: {e}", module.display())))?;
    let mut builder = Pkcs11Signer::builder(&module).pin(pin).key(
        config
            .key_label
            .clone()
            .map_or(KeySelector::Any, KeySelector::Label),
    );
    if let Some(label) = &config.token {
        builder = builder.token_label(label.clone());
    }
    builder
        .open()
        .map_err(|e| seal_error(format!("the seal key on the token: {e}")))
}

/// The first line of `file`, or the value of `$env`: a password, never logged, wiped from
/// memory when dropped.
fn secret(env: Option<&str>, file: Option<&Path>, what: &str) -> Result<Zeroizing<String>> {
    match (env, file) {
        (Some(var), None) => std::env::var(var)
            .map(Zeroizing::new)
            .map_err(|_| seal_error(format!("{what}_env: ${var} is not set"))),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map(|t| {
                let t = Zeroizing::new(t);
                Zeroizing::new(t.lines().next().unwrap_or_default().to_owned())
            })
            .map_err(|e| seal_error(format!("{what}_file {}: {e}", path.display()))),
        _ => Err(seal_error(format!(
            "[seal] with pkcs12 needs exactly one of {what}_env and {what}_file"
        ))),
    }
}

/// The API key of a request: `Authorization: Bearer KEY` or `X-Api-Key: KEY`.
fn presented_key(headers: &HeaderMap) -> Option<&[u8]> {
    if let Some(v) = headers.get(header::AUTHORIZATION) {
        let v = v.as_bytes();
        return v
            .strip_prefix(b"Bearer ")
            .or_else(|| v.strip_prefix(b"bearer "));
    }
    headers.get("x-api-key").map(HeaderValue::as_bytes)
}

pub(crate) async fn sign(
    State(state): State<Arc<AppState>>,
    request: Request,
) -> Result<Response, ApiError> {
    let Some(seal) = state.seal.as_ref() else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "this service has no seal signer: configure [seal] to sign with the organisation's key",
        ));
    };
    let allowed = presented_key(request.headers()).is_some_and(|k| seal.keys.accepts(k));
    if !allowed {
        let mut response = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "a valid API key is needed: Authorization: Bearer KEY",
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return Ok(response);
    }
    let (pdf, mut form) = read_sign_request(request).await?;
    form.reason = form.reason.or_else(|| seal.reason.clone());
    form.location = form.location.or_else(|| seal.location.clone());
    let work_state = state.clone();
    let signed = crate::run_bounded(&state, "the seal signature", move || {
        let seal = work_state
            .seal
            .as_ref()
            .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "no seal signer"))?;
        let signer = seal.signer.as_ref();
        let mut options = sign_options(form, signer.certificate(), std::time::SystemTime::now())?;
        options.timestamp_authority = work_state.tsa.clone();
        PdfSigner::new(options)
            .sign_bytes(&pdf, signer)
            .map_err(|e| match e {
                // The service's own key failed (a token removed, an HSM unreachable): not the
                // caller's document.
                kyso_pdf::Error::Cms(kyso_cms::Error::Signer(e)) => ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("the seal key could not sign: {e}"),
                ),
                e => ApiError::from_pdf(&e),
            })
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/pdf")], signed).into_response())
}

/// The document (raw body, or the `pdf` part) and the signature options of the form.
async fn read_sign_request(request: Request) -> Result<(Bytes, SignatureForm), ApiError> {
    let is_multipart = crate::is_multipart(&request);
    if !is_multipart {
        return Ok((
            crate::raw_document(request).await?,
            SignatureForm::default(),
        ));
    }
    let multipart = crate::multipart(request).await?;
    let form = crate::sign::read_form(multipart, false).await?;
    Ok((
        crate::non_empty(form.pdf.clone().unwrap_or_default())?,
        form,
    ))
}
