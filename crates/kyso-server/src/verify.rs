//! `POST /v1/verify`: a signed PDF in, `kyso verify --json`'s report out.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::config::ModificationLevelName;
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
    let pdf = read_pdf(request).await?;
    let mut options = state.options.clone();
    if let Some(asked) = query.max_changes {
        let asked = kyso_pdf::verify::ModificationLevel::from(asked);
        options.max_changes = Some(options.max_changes.map_or(asked, |c| c.min(asked)));
    }
    let permit = state
        .verifications
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::busy(1))?;
    let work_state = state.clone();
    let work = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let _verifying = work_state.metrics.verification_started();
        let pdf: Vec<u8> = pdf.into();
        kyso_pdf::verify::validate(&pdf, &options)
    });
    let report = match tokio::time::timeout(state.timeout, work).await {
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
        Ok(Ok(Ok(report))) => report,
    };
    state.metrics.verdict(report.verdict);
    Ok(Json(report).into_response())
}

/// The PDF of a request: its raw body, or the `pdf` part of a multipart form.
async fn read_pdf(request: Request) -> Result<Bytes, ApiError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let body = if multipart {
        let mut form = Multipart::from_request(request, &())
            .await
            .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
        let mut pdf = None;
        while let Some(field) = form
            .next_field()
            .await
            .map_err(|e| ApiError::new(e.status(), e.body_text()))?
        {
            if field.name() == Some("pdf") {
                pdf = Some(
                    field
                        .bytes()
                        .await
                        .map_err(|e| ApiError::new(e.status(), e.body_text()))?,
                );
            }
        }
        pdf.ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "the form has no `pdf` part"))?
    } else {
        Bytes::from_request(request, &())
            .await
            .map_err(|e| ApiError::new(e.status(), e.body_text()))?
    };
    if body.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "the request has no document: send the PDF as the body or as a `pdf` form part",
        ));
    }
    Ok(body)
}
