//! kyso as an HTTP service for portals: `POST /v1/verify` answers a signed PDF with the same
//! JSON report as `kyso verify --json` (one schema, one code path: [`kyso_pdf::verify::validate`]),
//! under the trust anchors and policy of the service's [`Config`].
//!
//! | Route | Answer |
//! |---|---|
//! | `POST /v1/verify` | the report (`application/json`); body: the PDF, raw or as the `pdf` part of `multipart/form-data` (or `cms` and `data` parts: a detached CMS signature, answered with [`kyso_cms::verify::DetachedReport`]); `?max_changes=` may narrow the configured policy |
//! | `POST /v1/sign/prepare` | multipart `pdf` and `chain` (and signature options) → JSON `{data_to_sign, digest, digest_algorithm, signature_algorithm, state, expires_at}`: what the client's key signs, and the signature in progress sealed (AES-256-GCM, [`Config::state_key_file`]) for the client to carry |
//! | `POST /v1/sign/finish` | JSON `{state, signature}` → the signed PDF, on any replica sharing the key; a changed state 400, a replay 409, an expired state 410 |
//! | `POST /v1/sign` | the organisation's seal signature by the service's own key ([`SealConfig`]: a PKCS#11 token or HSM, or PKCS#12), for a caller with an API key (`Authorization: Bearer KEY`); the PDF raw or as the `pdf` part with the signature options → the signed PDF |
//! | `GET /` | the upload page (Vietnamese; `/?lang=en` English): drop a PDF, see each signature's verdict, signer, time, level and the changes after it ([`Config::upload_page`]) |
//! | `GET /healthz` | `ok` while the process serves |
//! | `GET /readyz` | `ready` once trust anchors and the state key are loaded |
//! | `GET /metrics` | Prometheus text: requests, latencies, verdicts, work in flight |
//! | `GET /v1/openapi.json` | the OpenAPI 3.1 description of these routes |
//!
//! Verification, preparing and finishing are CPU work: they run on tokio's blocking pool, at most
//! [`Config::max_concurrent_verifications`] at once; up to
//! [`Config::max_queued_verifications`] more wait for a slot, and past that a request gets 503
//! with `Retry-After` at once rather than a queue that grows. Bodies past
//! [`Config::max_body_bytes`] get 413, requests past [`Config::request_timeout_secs`] 503,
//! unreadable documents 422 — always a JSON `{"error", "status"}`. A panic while answering
//! one request answers it 500 and leaves the service serving.
//!
//! ```no_run
//! # async fn run() -> Result<(), kyso_server::Error> {
//! let config = kyso_server::Config::from_file("kyso-serve.toml".as_ref())?;
//! let server = kyso_server::Server::bind(&config).await?;
//! println!("listening on {}", server.local_addr()?);
//! server.serve(async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

mod config;
mod error;
mod metrics;
mod page;
mod seal;
mod sign;
mod state;
mod verify;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kyso_pdf::verify::{CryptoPolicy, ValidationOptions};
use tokio::sync::Semaphore;

pub use config::{Config, ModificationLevelName, PolicyConfig};
use error::ApiError;
pub use error::Error;
use metrics::Metrics;
pub use seal::SealConfig;

/// Results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The OpenAPI description served at `/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("openapi.json");

/// What every request shares.
struct AppState {
    options: ValidationOptions,
    verifications: Arc<Semaphore>,
    waiting: std::sync::atomic::AtomicU64,
    max_waiting: u64,
    timeout: Duration,
    metrics: Metrics,
    sealer: state::Sealer,
    replay: state::ReplayGuard,
    seal: Option<seal::Seal>,
    /// The trust anchors and intermediates a prepared signer must chain to, when
    /// [`Config::trusted_signers_only`].
    signer_trust: Option<kyso_cert::TrustStore>,
    /// The time-stamping authority of B-T signatures ([`Config::tsa_url`]).
    tsa: Option<Arc<dyn kyso_cms::tsp::TimestampAuthority>>,
}

impl AppState {
    /// Loads the trust anchors, the state key and the seal signer of `config`.
    fn new(config: &Config) -> Result<Self> {
        let mut store = kyso_cert::TrustStore::new();
        for path in &config.trust {
            if path.is_dir() {
                store.add_anchors_from_dir(path)?;
            } else {
                store.add_anchors_from_file(path)?;
            }
        }
        for path in &config.intermediates {
            store.add_intermediates_from_file(path)?;
        }
        let key = read_state_key(&config.state_key_file)?;
        if let Some(folder) = &config.replay_dir {
            std::fs::create_dir_all(folder).map_err(|source| Error::Io {
                context: format!("cannot create the replay folder {}", folder.display()),
                source,
            })?;
        }
        let mut options = ValidationOptions::new(store.anchors().to_vec());
        options.intermediates = store.intermediates().to_vec();
        options.max_changes = config.policy.max_changes.map(Into::into);
        options.crypto = CryptoPolicy::default()
            .accept_sha1(config.policy.accept_sha1)
            .min_rsa_bits(config.policy.min_rsa_bits);
        let permits = config
            .max_concurrent_verifications
            .unwrap_or_else(|| 2 * std::thread::available_parallelism().map_or(1, |n| n.get()));
        Ok(Self {
            options,
            verifications: Arc::new(Semaphore::new(permits.max(1))),
            waiting: std::sync::atomic::AtomicU64::new(0),
            max_waiting: u64::try_from(config.max_queued_verifications).unwrap_or(u64::MAX),
            timeout: Duration::from_secs(config.request_timeout_secs.max(1)),
            metrics: Metrics::default(),
            sealer: state::Sealer::new(&key, Duration::from_secs(config.state_ttl_secs.max(1))),
            replay: state::ReplayGuard::new(config.replay_dir.clone()),
            seal: config.seal.as_ref().map(seal::Seal::open).transpose()?,
            signer_trust: config.trusted_signers_only.then_some(store),
            tsa: timestamp_authority(config)?,
        })
    }
}

/// A bound listening socket and the service behind it.
pub struct Server {
    listener: tokio::net::TcpListener,
    router: Router,
}

impl Server {
    /// Loads the trust anchors and the state key named by `config` and binds its address
    /// (port 0 picks a free one; [`Server::local_addr`] tells which).
    ///
    /// # Errors
    ///
    /// [`Error::Certificate`] for a trust file that cannot be read, [`Error::StateKey`] for
    /// a key file that is not 32 bytes, [`Error::Io`] when the address cannot be bound.
    pub async fn bind(config: &Config) -> Result<Self> {
        let router = router(config)?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| Error::Io {
                context: format!("cannot listen on {}", config.listen),
                source,
            })?;
        Ok(Self { listener, router })
    }

    /// The address the service listens on.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the socket cannot say.
    pub fn local_addr(&self) -> Result<SocketAddr> {
        self.listener.local_addr().map_err(|source| Error::Io {
            context: "cannot read the listening address".into(),
            source,
        })
    }

    /// Serves until `shutdown` completes, then stops accepting and lets the requests in
    /// flight finish.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when serving fails.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|source| Error::Io {
                context: "serving failed".into(),
                source,
            })
    }
}

/// The service's routes over the trust, key and limits of `config`.
///
/// # Errors
///
/// As [`Server::bind`], without the socket.
pub fn router(config: &Config) -> Result<Router> {
    let state = Arc::new(AppState::new(config)?);
    let mut routes = Router::new();
    if config.upload_page {
        routes = routes.merge(page::routes());
    }
    Ok(routes
        .route("/v1/verify", post(verify::verify))
        .route("/v1/sign/prepare", post(sign::prepare))
        // The state carries the prepared document in base64: a document prepare took at
        // the body limit comes back 4/3 larger, with the placeholder and the chain.
        .route(
            "/v1/sign/finish",
            post(sign::finish).layer(DefaultBodyLimit::max(finish_body_limit(
                config.max_body_bytes,
            ))),
        )
        .route("/v1/sign", post(seal::sign))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(|| async { "ready\n" }))
        .route("/metrics", get(metrics_text))
        .route("/v1/openapi.json", get(openapi))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such route") })
        .layer(axum::middleware::from_fn_with_state(state.clone(), track))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |_panic: Box<dyn std::any::Any + Send>| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the service failed while answering; the request was not completed",
                )
                .into_response()
            },
        ))
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .with_state(state))
}

/// The time-stamping authority `config` names, if any.
fn timestamp_authority(
    config: &Config,
) -> Result<Option<Arc<dyn kyso_cms::tsp::TimestampAuthority>>> {
    let Some(url) = &config.tsa_url else {
        return Ok(None);
    };
    let tsa_error = |reason: String| Error::Config {
        path: std::path::PathBuf::from("tsa_url"),
        reason,
    };
    let mut http = kyso_token::remote::HttpConfig::new();
    if let Some(ca) = &config.tsa_ca_file {
        let pem = std::fs::read(ca)
            .map_err(|e| tsa_error(format!("tsa_ca_file {}: {e}", ca.display())))?;
        http = http
            .with_root_certificates(&pem)
            .map_err(|e| tsa_error(format!("tsa_ca_file {}: {e}", ca.display())))?;
    }
    let tsa = kyso_token::remote::HttpTimestampAuthority::new(url, &http, None)
        .map_err(|e| tsa_error(format!("{url}: {e}")))?;
    Ok(Some(Arc::new(tsa)))
}

/// The body limit of `/v1/sign/finish`: room for the base64 state of a document at `max_body`
/// (4/3 of it), its signature placeholder and chain (1 MiB is far more than either).
fn finish_body_limit(max_body: usize) -> usize {
    max_body
        .saturating_add(max_body / 3)
        .saturating_add(1 << 20)
}

/// Reads the sealing key: exactly 32 bytes.
fn read_state_key(path: &std::path::Path) -> Result<[u8; 32]> {
    let bytes = std::fs::read(path).map_err(|e| Error::StateKey {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| Error::StateKey {
        path: path.to_owned(),
        reason: format!(
            "{} bytes; it must hold exactly 32 random bytes (head -c 32 /dev/urandom)",
            bytes.len()
        ),
    })
}

/// Runs CPU work on tokio's blocking pool: at most `max_concurrent_verifications` at once,
/// up to `max_queued_verifications` more waiting for a slot (then 503 with `Retry-After`),
/// all within one deadline of `request_timeout_secs` for the request (then 503). `what`
/// names the work in the answers.
pub(crate) async fn run_bounded<T: Send + 'static>(
    state: &Arc<AppState>,
    what: &str,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let deadline = tokio::time::Instant::now() + state.timeout;
    let permit = match state.verifications.clone().try_acquire_owned() {
        Ok(permit) => permit,
        Err(_) => {
            let (waiting, _leave) = metrics::Gauge::enter(&state.waiting);
            if waiting >= state.max_waiting {
                return Err(ApiError::busy(1, what));
            }
            match tokio::time::timeout_at(deadline, state.verifications.clone().acquire_owned())
                .await
            {
                Ok(Ok(permit)) => permit,
                _ => return Err(ApiError::busy(1, what)),
            }
        }
    };
    let work = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    });
    match tokio::time::timeout_at(deadline, work).await {
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{what} took longer than {} s", state.timeout.as_secs()),
        )),
        Ok(Err(_)) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{what} failed inside the service; the request was not completed"),
        )),
        Ok(Ok(result)) => result,
    }
}

/// Whether `request`'s body is `multipart/form-data`.
pub(crate) fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// The form of a `multipart/form-data` request (a 400 naming the problem when it is not one).
pub(crate) async fn multipart(request: Request) -> Result<axum::extract::Multipart, ApiError> {
    use axum::extract::FromRequest;
    axum::extract::Multipart::from_request(request, &())
        .await
        .map_err(|e| ApiError::new(e.status(), e.body_text()))
}

/// The body of a request that is not a form: the document itself, which must not be empty.
pub(crate) async fn raw_document(request: Request) -> Result<axum::body::Bytes, ApiError> {
    use axum::extract::FromRequest;
    let body = axum::body::Bytes::from_request(request, &())
        .await
        .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    non_empty(body)
}

/// A document, refused (400) when it is empty.
pub(crate) fn non_empty(document: axum::body::Bytes) -> Result<axum::body::Bytes, ApiError> {
    if document.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "the request has no document: send the PDF as the body or as a `pdf` form part",
        ));
    }
    Ok(document)
}

/// Counts every request by route and status, with its latency.
async fn track(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let start = Instant::now();
    let _in_flight = state.metrics.request_started();
    let response = next.run(request).await;
    state
        .metrics
        .request_done(&route, response.status().as_u16(), start.elapsed());
    response
}

async fn metrics_text(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

#[cfg(test)]
mod tests {
    //! The bounded pool, deterministically: work that holds its slot until the test lets it go.

    use super::*;
    use std::path::Path;

    fn state(extra: &str) -> (Arc<AppState>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("state.key"), [3u8; 32]).unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kyso-cli/demo/root.pem");
        let config = Config::from_toml(&format!(
            "trust = [{:?}]\nstate_key_file = {:?}\n{extra}",
            root.display().to_string(),
            dir.path().join("state.key").display().to_string()
        ))
        .unwrap();
        (Arc::new(AppState::new(&config).unwrap()), dir)
    }

    /// Work that runs until `release` is sent, telling `started` once it holds its slot.
    fn held(
        state: &Arc<AppState>,
    ) -> (
        tokio::task::JoinHandle<Result<(), ApiError>>,
        std::sync::mpsc::Sender<()>,
        tokio::sync::oneshot::Receiver<()>,
    ) {
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel();
        let state = state.clone();
        let task = tokio::spawn(async move {
            run_bounded(&state, "holding", move || {
                let _ = started.send(());
                let _ = wait.recv();
                Ok(())
            })
            .await
        });
        (task, release, running)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn past_the_slots_and_the_queue_work_gets_503_with_retry_after() {
        let (state, _dir) =
            state("max_concurrent_verifications = 1\nmax_queued_verifications = 0\n");
        let (task, release, running) = held(&state);
        running.await.unwrap();
        let busy = run_bounded(&state, "second", || Ok(())).await.unwrap_err();
        assert_eq!(busy.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(busy.retry_after, Some(1));
        assert!(busy.message.contains("to start second"), "{}", busy.message);
        release.send(()).unwrap();
        task.await.unwrap().unwrap();
        // The slot is free again.
        run_bounded(&state, "third", || Ok(())).await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn queued_work_waits_for_the_slot_and_then_runs() {
        let (state, _dir) =
            state("max_concurrent_verifications = 1\nmax_queued_verifications = 1\n");
        let (task, release, running) = held(&state);
        running.await.unwrap();
        let queued = {
            let state = state.clone();
            tokio::spawn(async move { run_bounded(&state, "queued", || Ok(7)).await })
        };
        // The queued work cannot have run: the only slot is held.
        tokio::task::yield_now().await;
        assert!(!queued.is_finished());
        release.send(()).unwrap();
        task.await.unwrap().unwrap();
        assert_eq!(queued.await.unwrap().unwrap(), 7);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panic_in_the_work_answers_500_and_gives_the_slot_back() {
        let (state, _dir) = state("max_concurrent_verifications = 1\n");
        let failed = run_bounded(&state, "the verification", || -> Result<(), ApiError> {
            panic!("a parser bug")
        })
        .await
        .unwrap_err();
        assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(failed.message.contains("failed inside the service"));
        run_bounded(&state, "next", || Ok(())).await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn work_past_the_request_deadline_answers_503() {
        let (state, _dir) = state("request_timeout_secs = 1\n");
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let late = run_bounded(&state, "the verification", move || {
            let _ = wait.recv();
            Ok(())
        })
        .await
        .unwrap_err();
        assert_eq!(late.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            late.message.contains("took longer than 1 s"),
            "{}",
            late.message
        );
        let _ = release.send(());
    }
}
