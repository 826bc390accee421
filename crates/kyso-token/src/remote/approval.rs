//! Asynchronous approval: [`ApprovalSigner`] (submit a digest, poll for the signature, cancel)
//! and [`PollingSigner`], which turns any of them into a [`kyso_cms::Signer`] by polling with
//! exponential back-off under a time-out.

use std::fmt;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use kyso_cert::Certificate;
use kyso_cms::{SignatureScheme, Signer, SignerError};

use super::RemoteError;
use crate::{Error, Result};

/// The identifier of a signature request waiting for approval, as an [`ApprovalSigner`] hands it
/// out. Opaque to everyone but the adapter that made it (a provider's transaction id, a CSC
/// `responseID`, …).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PendingId(String);

impl PendingId {
    /// Wraps an adapter's identifier.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PendingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A signing service where a request goes out and the signature comes back later: the user
/// approves it on a phone app (VNPT SmartCA, Viettel MySign style), or the service works
/// asynchronously (CSC `operationMode: "A"`).
///
/// An adapter implements the three calls against the provider's API and holds the signer's
/// certificate; [`PollingSigner`] does the waiting, back-off, time-out and cancel. See the
/// [module documentation](crate::remote) for a complete adapter.
pub trait ApprovalSigner: Send + Sync {
    /// The signer's certificate (usually fetched from the provider when the adapter is built).
    fn certificate(&self) -> &Certificate;

    /// CA certificates to embed after the signer's, nearest first.
    fn chain(&self) -> &[Certificate];

    /// The signature algorithm the provider signs with.
    fn algorithm(&self) -> SignatureScheme;

    /// Sends `digest` (the hash of the data to sign with `algorithm`'s digest) for approval and
    /// returns the request's identifier. Must not wait for the user.
    ///
    /// # Errors
    ///
    /// Whatever the provider answered; typically [`Error::Remote`].
    fn submit(&self, digest: &[u8], algorithm: SignatureScheme) -> Result<PendingId>;

    /// Asks once whether the request has been approved: `Poll::Ready(signature)` (the signature
    /// value as it goes into a CMS `SignerInfo`), or `Poll::Pending` while the user has not
    /// answered.
    ///
    /// # Errors
    ///
    /// [`RemoteError::Rejected`] when the user said no, [`RemoteError::Cancelled`] when the
    /// request was cancelled or expired at the provider, or any other failure.
    fn poll(&self, id: &PendingId) -> Result<Poll<Vec<u8>>>;

    /// Withdraws the request (called on time-out), so that a late approval signs nothing. An
    /// adapter whose provider has no cancel call forgets the request and returns `Ok(())`.
    ///
    /// # Errors
    ///
    /// Whatever the provider answered; [`PollingSigner`] reports the time-out, not this error.
    fn cancel(&self, id: &PendingId) -> Result<()>;
}

/// Time as [`PollingSigner`] and the CSC client see it while waiting: the current instant and a
/// way to wait. Tests substitute a clock whose `sleep` only advances a counter.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Instant;

    /// Blocks the calling thread for `duration` (or pretends to).
    fn sleep(&self, duration: Duration);
}

/// The real clock: [`Instant::now`] and [`std::thread::sleep`].
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// How to wait for an approval: the first interval between polls, how it grows, its ceiling,
/// and when to give up.
///
/// The defaults (1 s, doubling up to 5 s, give up after 3 minutes) suit a person reading a push
/// notification and typing a PIN on a phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollingOptions {
    /// Wait before the second poll (the first is immediate).
    pub initial_interval: Duration,
    /// The interval never grows beyond this.
    pub max_interval: Duration,
    /// Each interval is the previous one times this (1 = constant interval).
    pub backoff_factor: u32,
    /// Give up (and cancel) once this much time has passed since the first poll.
    pub timeout: Duration,
    /// How many polls in a row may fail with a network error ([`RemoteError::Transport`],
    /// [`RemoteError::HttpTimeout`]) before the error is returned; such a failure counts as
    /// "still pending". A phone on a mobile network takes minutes; one lost connection should
    /// not throw the request away.
    pub max_transient_errors: u32,
}

impl Default for PollingOptions {
    fn default() -> Self {
        Self {
            initial_interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(5),
            backoff_factor: 2,
            timeout: Duration::from_secs(180),
            max_transient_errors: 3,
        }
    }
}

impl PollingOptions {
    /// Calls `poll` until it is ready, sleeping on `clock` between calls with exponential
    /// back-off; the last call happens at the time-out at the latest.
    ///
    /// # Errors
    ///
    /// The first error `poll` returns (network errors only after
    /// [`PollingOptions::max_transient_errors`] in a row), or [`RemoteError::ApprovalTimeout`]
    /// when the time-out passes while still pending. Cancelling is the caller's business.
    pub fn wait<T>(
        &self,
        clock: &dyn Clock,
        mut poll: impl FnMut() -> Result<Poll<T>>,
    ) -> Result<T> {
        let start = clock.now();
        let deadline = start + self.timeout;
        let mut interval = self.initial_interval;
        let mut transient = 0;
        loop {
            match poll() {
                Ok(Poll::Ready(value)) => return Ok(value),
                Ok(Poll::Pending) => transient = 0,
                Err(error) if is_transient(&error) && transient < self.max_transient_errors => {
                    transient += 1;
                }
                Err(error) => return Err(error),
            }
            let now = clock.now();
            if now >= deadline {
                return Err(RemoteError::ApprovalTimeout {
                    waited: now.saturating_duration_since(start),
                }
                .into());
            }
            clock.sleep(interval.min(deadline - now));
            interval = interval
                .saturating_mul(self.backoff_factor.max(1))
                .min(self.max_interval.max(self.initial_interval));
        }
    }
}

/// Whether `error` is a network failure worth polling again after.
pub(crate) fn is_transient(error: &Error) -> bool {
    matches!(
        error,
        Error::Remote(RemoteError::Transport { .. } | RemoteError::HttpTimeout { .. })
    )
}

/// A [`kyso_cms::Signer`] over an [`ApprovalSigner`]: `sign` hashes the message, submits the
/// digest, polls with back-off until the signature arrives, and cancels the request when the
/// time-out passes (or polling fails in a way that leaves the request alive).
///
/// `sign` blocks the calling thread for as long as the user takes (at most the time-out); run it
/// on a worker thread in a server.
pub struct PollingSigner<A> {
    inner: A,
    options: PollingOptions,
    clock: Arc<dyn Clock>,
}

impl<A: fmt::Debug> fmt::Debug for PollingSigner<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PollingSigner")
            .field("inner", &self.inner)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<A: ApprovalSigner> PollingSigner<A> {
    /// Polls `inner` with the default [`PollingOptions`] on the [`SystemClock`].
    pub fn new(inner: A) -> Self {
        Self {
            inner,
            options: PollingOptions::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Uses `options` for back-off and time-out.
    pub fn with_options(mut self, options: PollingOptions) -> Self {
        self.options = options;
        self
    }

    /// Uses `clock` to measure and wait (tests: a clock that does not really sleep).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The adapter.
    pub fn inner(&self) -> &A {
        &self.inner
    }

    /// The polling options in force.
    pub fn options(&self) -> PollingOptions {
        self.options
    }

    /// Signs a digest (of the algorithm's digest) and waits for the approval: the typed form of
    /// [`Signer::sign`].
    ///
    /// # Errors
    ///
    /// [`RemoteError::ApprovalTimeout`] after cancelling the request,
    /// [`RemoteError::Rejected`], [`RemoteError::Cancelled`], or the adapter's errors.
    pub fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>> {
        let algorithm = self.inner.algorithm();
        let id = self.inner.submit(digest, algorithm)?;
        let result = self
            .options
            .wait(self.clock.as_ref(), || self.inner.poll(&id));
        if let Err(error) = &result {
            let finished = matches!(
                error,
                Error::Remote(RemoteError::Rejected { .. } | RemoteError::Cancelled { .. })
            );
            if !finished {
                // Best effort: the time-out (or the polling failure) is what the caller needs
                // to see, not a failure to cancel.
                let _ = self.inner.cancel(&id);
            }
        }
        result
    }
}

impl<A: ApprovalSigner> Signer for PollingSigner<A> {
    fn certificate(&self) -> &Certificate {
        self.inner.certificate()
    }

    fn chain(&self) -> &[Certificate] {
        self.inner.chain()
    }

    fn algorithm(&self) -> SignatureScheme {
        self.inner.algorithm()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        let digest = self.inner.algorithm().digest().digest(message);
        self.sign_digest(&digest).map_err(signer_error)
    }
}

/// Wraps a remote failure for the [`Signer`] trait, keeping it as the `source` so that
/// [`RemoteError::find_in`] gets it back.
pub(crate) fn signer_error(error: Error) -> SignerError {
    SignerError::with_source(format!("remote signing failed: {error}"), error)
}

impl RemoteError {
    /// Finds the [`RemoteError`] behind an error from a signing call, however deeply it is
    /// wrapped (a [`SignerError`] inside a CMS error inside a PDF error): walks the `source`
    /// chain looking for [`Error::Remote`].
    ///
    /// ```no_run
    /// # fn sign() -> Result<(), Box<dyn std::error::Error>> { Ok(()) }
    /// use kyso_token::remote::RemoteError;
    /// if let Err(e) = sign() {
    ///     if let Some(RemoteError::ApprovalTimeout { .. }) = RemoteError::find_in(e.as_ref()) {
    ///         eprintln!("Bạn chưa xác nhận ký trên điện thoại kịp thời.");
    ///     }
    /// }
    /// ```
    pub fn find_in<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a RemoteError> {
        let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(e) = current {
            if let Some(Error::Remote(remote)) = e.downcast_ref::<Error>() {
                return Some(remote);
            }
            if let Some(remote) = e.downcast_ref::<RemoteError>() {
                return Some(remote);
            }
            current = e.source();
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A clock whose `sleep` only moves time forward.
    #[derive(Default)]
    struct FakeClock {
        start: Option<Instant>,
        elapsed: Mutex<Duration>,
        sleeps: Mutex<Vec<Duration>>,
    }

    impl Clock for FakeClock {
        fn now(&self) -> Instant {
            self.start.unwrap() + *self.elapsed.lock().unwrap()
        }
        fn sleep(&self, d: Duration) {
            *self.elapsed.lock().unwrap() += d;
            self.sleeps.lock().unwrap().push(d);
        }
    }

    fn clock() -> FakeClock {
        FakeClock {
            start: Some(Instant::now()),
            ..Default::default()
        }
    }

    #[test]
    fn backs_off_exponentially_up_to_the_ceiling() {
        let clock = clock();
        let options = PollingOptions {
            initial_interval: Duration::from_millis(100),
            max_interval: Duration::from_millis(500),
            backoff_factor: 2,
            timeout: Duration::from_secs(60),
            max_transient_errors: 0,
        };
        let mut polls = 0;
        let value = options
            .wait(&clock, || {
                polls += 1;
                Ok(if polls == 6 {
                    Poll::Ready(7)
                } else {
                    Poll::Pending
                })
            })
            .unwrap();
        assert_eq!(value, 7);
        let ms: Vec<u128> = clock
            .sleeps
            .lock()
            .unwrap()
            .iter()
            .map(|d| d.as_millis())
            .collect();
        assert_eq!(ms, [100, 200, 400, 500, 500]);
    }

    #[test]
    fn network_errors_are_retried_a_few_times_in_a_row() {
        let clock = clock();
        let options = PollingOptions {
            initial_interval: Duration::from_millis(10),
            max_interval: Duration::from_millis(10),
            backoff_factor: 1,
            timeout: Duration::from_secs(60),
            max_transient_errors: 2,
        };
        let network = || -> Error {
            RemoteError::HttpTimeout {
                url: "https://rssp.example.vn".into(),
            }
            .into()
        };
        // Two failures, a pending answer, two failures, then the result: fine.
        let mut script = vec![
            Err(network()),
            Err(network()),
            Ok(Poll::Pending),
            Err(network()),
            Err(network()),
            Ok(Poll::Ready(1)),
        ]
        .into_iter();
        assert_eq!(options.wait(&clock, || script.next().unwrap()).unwrap(), 1);
        // Three in a row: the error comes back.
        let mut calls = 0;
        let err = options
            .wait::<()>(&clock, || {
                calls += 1;
                Err(network())
            })
            .unwrap_err();
        assert!(matches!(
            err,
            Error::Remote(RemoteError::HttpTimeout { .. })
        ));
        assert_eq!(calls, 3);
        // Other errors at once.
        let err = options
            .wait::<()>(&clock, || {
                Err(RemoteError::Rejected { description: None }.into())
            })
            .unwrap_err();
        assert!(matches!(err, Error::Remote(RemoteError::Rejected { .. })));
    }

    #[test]
    fn times_out_with_a_last_poll_at_the_deadline() {
        let clock = clock();
        let options = PollingOptions {
            initial_interval: Duration::from_millis(400),
            max_interval: Duration::from_millis(400),
            backoff_factor: 1,
            timeout: Duration::from_secs(1),
            max_transient_errors: 0,
        };
        let mut polls = 0;
        let err = options
            .wait::<()>(&clock, || {
                polls += 1;
                Ok(Poll::Pending)
            })
            .unwrap_err();
        assert!(matches!(
            err,
            Error::Remote(RemoteError::ApprovalTimeout { waited }) if waited == Duration::from_secs(1)
        ));
        // Polls at 0, 400, 800 and 1000 ms.
        assert_eq!(polls, 4);
    }
}
