//! Batch signing: many documents, one key — one token login or one remote authorisation.
//!
//! For a token or a remote service, three phases: every document is prepared (copied and
//! hashed) on all cores; the signed attributes of all of them go to the signer in one
//! [`Signer::sign_many`] call; each document is finished, again on all cores. A key in memory
//! ([`BatchMode::EachAsReady`]) signs each document as soon as it is prepared instead. A
//! document that fails in any phase gets its own error and the others go on.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kyso_cms::{BatchMode, Signer};

use crate::sign::{PdfSigner, PreparedPdf};
use crate::{Error, Result};

/// One document of a batch.
#[derive(Clone, Debug)]
pub struct BatchJob {
    /// The document to sign (never modified).
    pub input: PathBuf,
    /// Where the signed document goes.
    pub output: PathBuf,
}

/// Where a batch stands, for progress reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchEvent {
    /// A document was prepared (or failed to be): `done` of `total`.
    Prepared {
        /// Documents prepared so far.
        done: usize,
        /// Documents in the batch.
        total: usize,
    },
    /// The signer is signing this many documents.
    Signing {
        /// Signatures requested.
        count: usize,
    },
    /// A document was finished (or failed): `done` of `total`.
    Finished {
        /// Documents finished so far.
        done: usize,
        /// Documents in the batch.
        total: usize,
    },
}

/// The outcome of a batch, one result per job in order.
#[derive(Debug)]
pub struct BatchReport {
    /// `Ok` for each document signed, its error otherwise.
    pub results: Vec<Result<()>>,
    /// Wall time of the whole batch.
    pub elapsed: Duration,
}

impl BatchReport {
    /// Documents signed.
    pub fn signed(&self) -> usize {
        self.results.iter().filter(|r| r.is_ok()).count()
    }

    /// Documents that failed.
    pub fn failed(&self) -> usize {
        self.results.len() - self.signed()
    }
}

impl PdfSigner {
    /// Signs every job with `signer`, on `threads` threads (0: one per core), and calls
    /// `progress` as the batch advances (from several threads).
    ///
    /// A signer whose [`Signer::batch_mode`] is [`BatchMode::Gathered`] (tokens, remote
    /// services) gets one [`Signer::sign_many`] call for every document prepared, and
    /// `progress` hears of each phase: [`BatchEvent::Prepared`] for each document,
    /// [`BatchEvent::Signing`] once, [`BatchEvent::Finished`] for each. One whose mode is
    /// [`BatchMode::EachAsReady`] (a software key) signs each document as soon as it is
    /// prepared, with no barrier between the phases, and `progress` hears
    /// [`BatchEvent::Finished`] for each document only.
    pub fn sign_batch(
        &self,
        jobs: &[BatchJob],
        signer: &dyn Signer,
        threads: usize,
        progress: &(dyn Fn(BatchEvent) + Sync),
    ) -> BatchReport {
        let start = Instant::now();
        let threads = match threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
        .min(jobs.len().max(1));
        let results = match signer.batch_mode() {
            BatchMode::EachAsReady => self.sign_each_as_ready(jobs, signer, threads, progress),
            _ => self.sign_gathered(jobs, signer, threads, progress),
        };
        BatchReport {
            results,
            elapsed: start.elapsed(),
        }
    }

    /// Prepares every document on all cores, signs them all in one call, finishes each.
    fn sign_gathered(
        &self,
        jobs: &[BatchJob],
        signer: &dyn Signer,
        threads: usize,
        progress: &(dyn Fn(BatchEvent) + Sync),
    ) -> Vec<Result<()>> {
        let total = jobs.len();
        // 1. Prepare on all cores.
        let mut prepared = on_threads_reporting(
            threads,
            jobs.iter().collect(),
            progress,
            |done, total| BatchEvent::Prepared { done, total },
            |job| self.prepare(&job.input, &job.output, self.builder_for(signer)),
        );

        // 2. One call to the signer for every document that was prepared.
        let ready: Vec<usize> = (0..total).filter(|&i| prepared[i].is_ok()).collect();
        let messages: Vec<&[u8]> = ready
            .iter()
            .filter_map(|&i| prepared[i].as_ref().ok().map(PreparedPdf::data_to_sign))
            .collect();
        progress(BatchEvent::Signing {
            count: messages.len(),
        });
        let mut signatures = signer.sign_many(&messages).into_iter();

        // 3. Finish each, on all cores (building, checking and writing the CMS).
        let signed: Vec<_> = prepared
            .drain(..)
            .map(|slot| slot.map(|doc| (doc, signatures.next())))
            .collect();
        on_threads_reporting(
            threads,
            signed,
            progress,
            finished_event,
            |slot| match slot {
                Err(e) => Err(e),
                Ok((doc, Some(Ok(signature)))) => doc.finish_signed_by(&signature, signer),
                Ok((_, Some(Err(e)))) => Err(kyso_cms::Error::from(e).into()),
                Ok((_, None)) => Err(kyso_cms::Error::from(kyso_cms::SignerError::new(
                    "the signer returned fewer signatures than documents",
                ))
                .into()),
            },
        )
    }

    /// Prepares, signs and finishes each document in turn on each thread: while one thread
    /// waits on the file system, the other signs.
    fn sign_each_as_ready(
        &self,
        jobs: &[BatchJob],
        signer: &dyn Signer,
        threads: usize,
        progress: &(dyn Fn(BatchEvent) + Sync),
    ) -> Vec<Result<()>> {
        on_threads_reporting(
            threads,
            jobs.iter().collect(),
            progress,
            finished_event,
            |job| self.sign_file(&job.input, &job.output, signer),
        )
    }
}

fn finished_event(done: usize, total: usize) -> BatchEvent {
    BatchEvent::Finished { done, total }
}

/// [`on_threads`], telling `progress` of each item done as `event(done, total)`.
fn on_threads_reporting<T: Send, R: Send>(
    threads: usize,
    items: Vec<T>,
    progress: &(dyn Fn(BatchEvent) + Sync),
    event: fn(usize, usize) -> BatchEvent,
    work: impl Fn(T) -> Result<R> + Sync,
) -> Vec<Result<R>> {
    let total = items.len();
    let done = AtomicUsize::new(0);
    on_threads(threads, items, |item| {
        let result = work(item);
        progress(event(done.fetch_add(1, Ordering::Relaxed) + 1, total));
        result
    })
}

/// Runs `work` on every item on `threads` threads, taking items in order as threads come
/// free, and returns the results in the items' order; an item whose thread panicked gets
/// [`Error::Internal`].
fn on_threads<T: Send, R: Send>(
    threads: usize,
    items: Vec<T>,
    work: impl Fn(T) -> Result<R> + Sync,
) -> Vec<Result<R>> {
    let items: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let results: Vec<Mutex<Option<Result<R>>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let Some(item) = item.lock().ok().and_then(|mut t| t.take()) else {
                        continue;
                    };
                    let result = work(item);
                    if let Ok(mut slot) = results[i].lock() {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err(Error::Internal("a batch thread panicked")))
        })
        .collect()
}
