//! `POST /v1/verify`: a signed PDF in, `kyso verify --json`'s report out.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
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
    let upload = read_upload(request).await?;
    let mut options = state.options.clone();
    if let Some(asked) = query.max_changes {
        let asked = kyso_pdf::verify::ModificationLevel::from(asked);
        options.max_changes = Some(options.max_changes.map_or(asked, |c| c.min(asked)));
    }
    let work_state = state.clone();
    let report = crate::run_bounded(&state, "the verification", move || {
        let _verifying = work_state.metrics.verification_started();
        match upload {
            Upload::Pdf(pdf) => kyso_pdf::verify::validate(&pdf.as_ref(), &options)
                .map(Judged::Pdf)
                .map_err(|e| ApiError::from_pdf(&e)),
            Upload::Detached { cms, data } => Ok(Judged::Detached(Box::new(
                kyso_cms::verify::check_detached(&data, &cms).1,
            ))),
        }
    })
    .await?;
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
    let multipart = crate::is_multipart(&request);
    if !multipart {
        return crate::raw_document(request).await.map(Upload::Pdf);
    }
    let mut form = crate::multipart(request).await?;
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
        (Some(pdf), None, None) => crate::non_empty(pdf).map(Upload::Pdf),
        (None, Some(cms), Some(data)) => Ok(Upload::Detached {
            cms: crate::non_empty(cms)?,
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
