//! The service's errors: what stops it from starting, and what a request is answered with.

use std::path::PathBuf;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Why the service could not start or serve.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration file is unreadable or wrong.
    #[error("configuration {}: {reason}", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A trust anchor or intermediate certificate could not be loaded.
    #[error(transparent)]
    Certificate(#[from] kyso_cert::Error),
    /// The state key file is missing or is not 32 bytes.
    #[error("state key {}: {reason}", path.display())]
    StateKey {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The seal signer (`[seal]`) could not be opened: its key, PIN or API keys.
    #[error("seal signer: {reason}")]
    Seal {
        /// What is wrong.
        reason: String,
    },
    /// The listening socket could not be opened, or serving failed.
    #[error("{context}: {source}")]
    Io {
        /// What the service was doing.
        context: String,
        /// The system's error.
        source: std::io::Error,
    },
}

/// A request's failure, answered as JSON `{"error": …, "status": …}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    pub(crate) retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 503 with `Retry-After`: every slot of the blocking pool is taken and the queue is full,
    /// so `what` (a verification, a prepare, a finish, a seal) cannot start.
    pub(crate) fn busy(retry_after: u64, what: &str) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("too much work in progress to start {what}; retry later"),
            )
        }
    }

    /// The answer to a document kyso could not read: the client's fault (422), unless the
    /// failure is kyso's own.
    pub(crate) fn from_pdf(e: &kyso_pdf::Error) -> Self {
        let status = match e {
            kyso_pdf::Error::Internal(_) | kyso_pdf::Error::Io(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            kyso_pdf::Error::WrongPassword | kyso_pdf::Error::Encrypted => StatusCode::FORBIDDEN,
            // The time-stamping authority did not answer, or refused: the service's
            // dependency, not the client's document.
            kyso_pdf::Error::Cms(
                kyso_cms::Error::TimestampTransport { .. }
                | kyso_cms::Error::TimestampRefused { .. },
            ) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Self::new(status, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": self.message, "status": self.status.as_u16()});
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
