//! `POST /v1/verify`: a signed PDF in, `kyso verify --json`'s report out.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::config::ModificationLevelName;
use crate::metrics::Gauge;
use crate::{ApiError, AppState};

/// What a request may say about the policy: only ever narrower than the service's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VerifyQuery {
    max_changes: Option<ModificationLevelName>,
}

pub(crate) async fn verify(
    State(state): State<Arc<AppState>>,
    query: Result<Query<VerifyQuery>, axum::extract::rejection::QueryRejection>,
    request: Request,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let upload = read_upload(request).await?;
    let mut options = state.options.clone();
    if let Some(asked) = query.max_changes {
        let asked = kyso_pdf::verify::ModificationLevel::from(asked);
        options.max_changes = Some(options.max_changes.map_or(asked, |c| c.min(asked)));
    }
    // One deadline for the whole request: waiting for a slot and verifying share it.
    let deadline = tokio::time::Instant::now() + state.timeout;
    let permit = match state.verifications.clone().try_acquire_owned() {
        Ok(permit) => permit,
        Err(_) => {
            // All slots busy: wait in a bounded queue (within the request's time), past it 503.
            let (waiting, _leave) = Gauge::enter(&state.waiting);
            if waiting >= state.max_waiting {
                return Err(ApiError::busy(1));
            }
            match tokio::time::timeout_at(deadline, state.verifications.clone().acquire_owned())
                .await
            {
                Ok(Ok(permit)) => permit,
                _ => return Err(ApiError::busy(1)),
            }
        }
    };
    let work_state = state.clone();
    let work = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let _verifying = work_state.metrics.verification_started();
        match upload {
            Upload::Pdf(pdf) => {
                let pdf: Vec<u8> = pdf.into();
                kyso_pdf::verify::validate(&pdf, &options).map(Judged::Pdf)
            }
            Upload::Detached { cms, data } => Ok(Judged::Detached(Box::new(
                kyso_cms::verify::check_detached(&data, &cms).1,
            ))),
        }
    });
    let report = match tokio::time::timeout_at(deadline, work).await {
        Err(_) => {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the verification took longer than {} s",
                    state.timeout.as_secs()
                ),
            ));
        }
        Ok(Err(_)) => {
            return Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the verification failed inside the service; the document was not judged",
            ));
        }
        Ok(Ok(Err(e))) => return Err(ApiError::from_pdf(&e)),
        Ok(Ok(Ok(judged))) => judged,
    };
    Ok(match report {
        Judged::Pdf(report) => {
            state.metrics.verdict(report.verdict);
            Json(report).into_response()
        }
        Judged::Detached(report) => {
            state.metrics.verdict(if report.valid {
                kyso_pdf::verify::Verdict::Valid
            } else {
                kyso_pdf::verify::Verdict::Invalid
            });
            Json(report).into_response()
        }
    })
}

/// What a request brings: a PDF, or a detached CMS signature with the data it signs.
enum Upload {
    Pdf(Bytes),
    Detached { cms: Bytes, data: Bytes },
}

/// The answer: `kyso verify --json`'s report, or `kyso verify-cms --json`'s.
enum Judged {
    Pdf(kyso_pdf::verify::ValidationReport),
    Detached(Box<kyso_cms::verify::DetachedReport>),
}

/// The document of a request: its raw body (a PDF), or a multipart form with a `pdf` part,
/// or with `cms` (DER or PEM) and `data` parts for a detached CMS signature.
async fn read_upload(request: Request) -> Result<Upload, ApiError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let body = Bytes::from_request(request, &())
            .await
            .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
        return non_empty(body).map(Upload::Pdf);
    }
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    let (mut pdf, mut cms, mut data) = (None, None, None);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::new(e.status(), e.body_text()))?
    {
        let slot = match field.name() {
            Some("pdf") => &mut pdf,
            Some("cms") => &mut cms,
            Some("data") => &mut data,
            _ => continue,
        };
        *slot = Some(
            field
                .bytes()
                .await
                .map_err(|e| ApiError::new(e.status(), e.body_text()))?,
        );
    }
    match (pdf, cms, data) {
        (Some(pdf), None, None) => non_empty(pdf).map(Upload::Pdf),
        (None, Some(cms), Some(data)) => Ok(Upload::Detached {
            cms: non_empty(cms)?,
            data,
        }),
        (None, Some(_), None) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "the form has a `cms` part but no `data` part: a detached signature is checked over its data",
        )),
        (None, None, _) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "the form has no `pdf` part (or `cms` and `data` parts)",
        )),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "the form has both a `pdf` part and `cms`/`data` parts: send one document",
        )),
    }
}

fn non_empty(body: Bytes) -> Result<Bytes, ApiError> {
    if body.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "the request has no document: send the PDF as the body or as a `pdf` form part",
        ));
    }
    Ok(body)
}
