//! Deferred signing over HTTP: `POST /v1/sign/prepare` writes the signature's place into the
//! document and answers what the client's key must sign, with the whole signature in
//! progress sealed into `state`; `POST /v1/sign/finish` takes the state and the signature
//! back — on any replica — and answers the signed PDF.

use std::sync::Arc;
use std::time::SystemTime;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64ct::{Base64, Encoding};
use kyso_cert::{Certificate, KeyType, SignatureScheme};
use kyso_cms::SignedDataBuilder;
use kyso_pdf::appearance::{Appearance, Image, Placement};
use kyso_pdf::{PdfSigner, SignOptions, SubFilter, VisibleSignature};
use serde::{Deserialize, Serialize};

use crate::{ApiError, AppState};

/// What the client's key signs, and the sealed state to send back with the signature.
#[derive(Debug, Serialize)]
struct Prepared {
    /// Base64: the DER of the CMS signed attributes, the message the key signs with
    /// `signature_algorithm`.
    data_to_sign: String,
    /// Base64: the hash of `data_to_sign` with `digest_algorithm`, for tokens that sign a hash.
    digest: String,
    /// `sha256`, `sha384` or `sha512`.
    digest_algorithm: &'static str,
    /// The stable name of the signature algorithm (`rsa-pkcs1-sha256`, `ecdsa-p256-sha256`, …).
    signature_algorithm: String,
    /// The signature in progress, sealed: send it back unchanged to `/v1/sign/finish`.
    state: String,
    /// When the state stops being accepted (RFC 3339, UTC).
    expires_at: String,
}

/// The second half: the state from prepare and the key's signature over `data_to_sign`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Finish {
    state: String,
    /// Base64 (standard or URL-safe alphabet): PKCS #1 v1.5 or PSS for RSA; for ECDSA DER or
    /// the raw `r || s` of WebCrypto and PKCS #11.
    signature: String,
}

/// The parts of a signing form (prepare's, or `/v1/sign`'s without `chain` and
/// `signature_algorithm`), as read.
#[derive(Default)]
pub(crate) struct SignatureForm {
    pub(crate) pdf: Option<Bytes>,
    chain: Option<Bytes>,
    signature_algorithm: Option<String>,
    pub(crate) reason: Option<String>,
    pub(crate) location: Option<String>,
    contact_info: Option<String>,
    field: Option<String>,
    page: Option<String>,
    sub_filter: Option<String>,
    rect: Option<String>,
    text: Option<String>,
    image: Option<Bytes>,
}

/// The text parts of a signing form that say how the signature looks (the OpenAPI
/// description lists them).
const OPTION_PARTS: &[&str] = &[
    "reason",
    "location",
    "contact_info",
    "field",
    "page",
    "sub_filter",
    "rect",
    "text",
];

pub(crate) async fn prepare(
    State(state): State<Arc<AppState>>,
    request: Request,
) -> Result<Response, ApiError> {
    let form = read_prepare_form(request).await?;
    let work_state = state.clone();
    let prepared = crate::run_bounded(&state, "preparing the signature", move || {
        let plan = plan_prepare(
            form,
            work_state.signer_trust.as_ref(),
            work_state.tsa.clone(),
        )?;
        let (prepared, signature) = PdfSigner::new(plan.options)
            .prepare_bytes(&plan.pdf, plan.builder)
            .map_err(|e| ApiError::from_pdf(&e))?;
        let now = SystemTime::now();
        let pending = work_state.sealer.pending(prepared, signature, now)?;
        let sealed = work_state.sealer.seal(&pending, now)?;
        let s = &pending.signature;
        Ok(Prepared {
            data_to_sign: Base64::encode_string(s.data_to_sign()),
            digest: Base64::encode_string(&s.digest_to_sign()),
            digest_algorithm: s.algorithm().digest().id(),
            signature_algorithm: plan.algorithm_name,
            state: sealed,
            expires_at: kyso_pdf::verify::rfc3339(
                SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(pending.expires_at),
            ),
        })
    })
    .await?;
    Ok(Json(prepared).into_response())
}

pub(crate) async fn finish(
    State(state): State<Arc<AppState>>,
    body: Result<Json<Finish>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(finish) = body.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    let signature = decode_base64(&finish.signature).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "`signature` is not base64 (standard or URL-safe alphabet)",
        )
    })?;
    let work_state = state.clone();
    let signed = crate::run_bounded(&state, "finishing the signature", move || {
        let now = SystemTime::now();
        let pending = work_state.sealer.open(&finish.state, now)?;
        let claim = work_state.replay.claim(&pending, now)?;
        let signature = signature_der(&pending.signature, &signature)?;
        let signed = match &work_state.tsa {
            Some(tsa) => {
                pending
                    .signature
                    .finish_timestamped(pending.prepared, &signature, tsa.clone())
            }
            None => pending.signature.finish(pending.prepared, &signature),
        }
        .map_err(|e| ApiError::from_pdf(&e))?;
        claim.keep();
        Ok(signed)
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/pdf")], signed).into_response())
}

/// The signature as the CMS carries it: ECDSA signatures in raw `r || s` form become DER.
fn signature_der(
    state: &kyso_pdf::DeferredSignature,
    signature: &[u8],
) -> Result<Vec<u8>, ApiError> {
    let SignatureScheme::Ecdsa(_) = state.algorithm() else {
        return Ok(signature.to_vec());
    };
    let key = Certificate::from_der(state.certificate_der())
        .and_then(|c| kyso_cert::key_type(&c))
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    match key {
        KeyType::Ec(curve) => curve.der_signature(signature).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("the signature is not an ECDSA signature: {e}"),
            )
        }),
        _ => Ok(signature.to_vec()),
    }
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64ct::{Base64Unpadded, Base64Url, Base64UrlUnpadded};
    let text = text.trim();
    Base64::decode_vec(text)
        .or_else(|_| Base64Unpadded::decode_vec(text))
        .or_else(|_| Base64Url::decode_vec(text))
        .or_else(|_| Base64UrlUnpadded::decode_vec(text))
        .ok()
        .filter(|b| !b.is_empty())
}

async fn read_prepare_form(request: Request) -> Result<SignatureForm, ApiError> {
    let is_multipart = crate::is_multipart(&request);
    if !is_multipart {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send multipart/form-data with a `pdf` part and a `chain` part (PEM, signer first)",
        ));
    }
    let multipart = crate::multipart(request).await?;
    read_form(multipart, true).await
}

/// Reads a signing form; `with_signer` whether it may name the signer (`chain`,
/// `signature_algorithm`: prepare's) or not (`/v1/sign`, whose signer is the service's).
pub(crate) async fn read_form(
    mut multipart: Multipart,
    with_signer: bool,
) -> Result<SignatureForm, ApiError> {
    let mut form = SignatureForm::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError::new(e.status(), e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
        let text = || {
            String::from_utf8(bytes.to_vec()).map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("the `{name}` part is not UTF-8 text"),
                )
            })
        };
        match name.as_str() {
            "pdf" => form.pdf = Some(bytes),
            "chain" if with_signer => form.chain = Some(bytes),
            "signature_algorithm" if with_signer => form.signature_algorithm = Some(text()?),
            "image" => form.image = Some(bytes),
            "reason" => form.reason = Some(text()?),
            "location" => form.location = Some(text()?),
            "contact_info" => form.contact_info = Some(text()?),
            "field" => form.field = Some(text()?),
            "page" => form.page = Some(text()?),
            "sub_filter" => form.sub_filter = Some(text()?),
            "rect" => form.rect = Some(text()?),
            "text" => form.text = Some(text()?),
            other => {
                let signer = if with_signer {
                    "chain, signature_algorithm, "
                } else {
                    ""
                };
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "unknown form part `{other}`; the parts are pdf, {signer}image, {}",
                        OPTION_PARTS.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(form)
}

/// What a prepare form describes.
struct PreparePlan {
    builder: SignedDataBuilder,
    options: SignOptions,
    pdf: Bytes,
    /// The stable name of the signature algorithm with the key's curve (`ecdsa-p256-sha256`).
    algorithm_name: String,
}

/// The builder, options and document a prepare form describes.
fn plan_prepare(
    form: SignatureForm,
    trust: Option<&kyso_cert::TrustStore>,
    tsa: Option<Arc<dyn kyso_cms::tsp::TimestampAuthority>>,
) -> Result<PreparePlan, ApiError> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, m);
    let pdf = form
        .pdf
        .clone()
        .filter(|b| !b.is_empty())
        .ok_or_else(|| bad("the form has no `pdf` part: the document to sign".into()))?;
    let chain = form.chain.as_ref().ok_or_else(|| {
        bad("the form has no `chain` part: the signer's certificate (PEM), then its CAs".into())
    })?;
    let mut chain = Certificate::all_from_der_or_pem(chain)
        .map_err(|e| bad(format!("the `chain` part: {e}")))?;
    if chain.is_empty() {
        return Err(bad("the `chain` part holds no certificate".into()));
    }
    let certificate = chain.remove(0);
    let now = SystemTime::now();
    if !certificate.is_valid_at(now) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "the signer's certificate is not valid now (valid from {} to {})",
                kyso_pdf::verify::rfc3339(certificate.not_before()),
                kyso_pdf::verify::rfc3339(certificate.not_after())
            ),
        ));
    }
    if let Some(trust) = trust {
        kyso_cert::validate_path(
            &certificate,
            &chain,
            trust,
            &kyso_cert::ValidationPolicy::document_signing(now),
        )
        .map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("the signer's certificate is not trusted for signing here: {e}"),
            )
        })?;
    }
    let key = kyso_cert::key_type(&certificate)
        .map_err(|e| bad(format!("the signer's public key: {e}")))?;
    let algorithm = match &form.signature_algorithm {
        Some(name) => name
            .parse::<SignatureScheme>()
            .map_err(|e| bad(format!("`signature_algorithm`: {e}")))?,
        None => key.default_scheme().ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("kyso does not sign with a {key} key"),
            )
        })?,
    };
    if !algorithm.fits(&key) {
        return Err(bad(format!(
            "`signature_algorithm` {} does not fit the signer's {key} key",
            algorithm.id()
        )));
    }
    let sub_filter = sub_filter(&form)?;
    let mut options = sign_options(form, &certificate, now)?;
    // Only the size counts at prepare: the token is fetched at finish.
    options.timestamp_authority = tsa;
    let mut builder = SignedDataBuilder::new(certificate, chain, algorithm);
    if sub_filter == SubFilter::Pkcs7Detached {
        builder = builder.signing_time(now);
    }
    Ok(PreparePlan {
        algorithm_name: algorithm.id_for(&key),
        builder,
        options,
        pdf,
    })
}

/// The /SubFilter a form asks for (default PAdES: `ETSI.CAdES.detached`).
fn sub_filter(form: &SignatureForm) -> Result<SubFilter, ApiError> {
    match form.sub_filter.as_deref().map(str::trim) {
        None | Some("cades") | Some("ETSI.CAdES.detached") => Ok(SubFilter::CadesDetached),
        Some("pkcs7") | Some("adbe.pkcs7.detached") => Ok(SubFilter::Pkcs7Detached),
        Some(other) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "`sub_filter` '{other}': use cades (ETSI.CAdES.detached) or pkcs7 (adbe.pkcs7.detached)"
            ),
        )),
    }
}

/// The signing options of a form, for a signature by `certificate` made at `now`.
pub(crate) fn sign_options(
    form: SignatureForm,
    certificate: &Certificate,
    now: SystemTime,
) -> Result<SignOptions, ApiError> {
    let page = match &form.page {
        Some(p) => p
            .trim()
            .parse::<usize>()
            .ok()
            .and_then(|p| p.checked_sub(1))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("`page` '{p}' is not a page number (from 1)"),
                )
            })?,
        None => 0,
    };
    let sub_filter = sub_filter(&form)?;
    let visible = visible_signature(&form, page, certificate, now)?;
    Ok(SignOptions {
        field_name: form.field,
        sub_filter,
        reason: form.reason,
        location: form.location,
        contact_info: form.contact_info,
        signing_time: Some(now),
        page,
        visible,
        ..SignOptions::default()
    })
}

/// The visible signature of a form with `rect` (x,y,w,h in points on `page`): `text`
/// (default: the signer's name and the time, in Vietnamese) beside or without `image`.
fn visible_signature(
    form: &SignatureForm,
    page: usize,
    certificate: &Certificate,
    now: SystemTime,
) -> Result<Option<VisibleSignature>, ApiError> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, m);
    let Some(rect) = &form.rect else {
        if form.text.is_some() || form.image.is_some() {
            return Err(bad(
                "`text` and `image` need `rect` (x,y,w,h in points) to say where they go".into(),
            ));
        }
        return Ok(None);
    };
    let numbers: Vec<f64> = rect
        .split(',')
        .map(|n| n.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad(format!("`rect` '{rect}' is not x,y,w,h")))?;
    let [x, y, w, h] = <[f64; 4]>::try_from(numbers)
        .ok()
        .filter(|r| r.iter().all(|v| v.is_finite()) && r[2] > 0.0 && r[3] > 0.0)
        .ok_or_else(|| {
            bad(format!(
                "`rect` '{rect}' is not x,y,w,h with a positive size"
            ))
        })?;
    let image = form
        .image
        .as_deref()
        .map(Image::from_bytes)
        .transpose()
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("`image`: {e}")))?;
    let appearance = Appearance::signature(form.text.clone(), image, || {
        let subject = certificate.subject();
        let name = subject
            .common_name
            .clone()
            .unwrap_or_else(|| subject.display());
        kyso_pdf::appearance::preset::signed_by(&name, now)
    });
    Ok(Some(VisibleSignature {
        appearance,
        placement: Placement::Rect {
            page,
            rect: [x, y, x + w, y + h],
        },
        size: (w, h),
    }))
}
