//! Prometheus metrics (text exposition format 0.0.4): requests by route and status,
//! latency histograms by route, verdicts, requests and verifications in flight.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use kyso_pdf::verify::Verdict;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The service's counters, shared by every request.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    verdicts: [AtomicU64; 3],
    in_flight: AtomicU64,
    verifying: AtomicU64,
}

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// One unit of a gauge, given back when dropped, so a request that fails or panics still
/// leaves it.
pub(crate) struct Gauge<'a>(&'a AtomicU64);

impl<'a> Gauge<'a> {
    /// Counts one more on `gauge`; also returns how many there were before.
    pub(crate) fn enter(gauge: &'a AtomicU64) -> (u64, Self) {
        (gauge.fetch_add(1, Ordering::AcqRel), Self(gauge))
    }
}

impl Drop for Gauge<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Metrics {
    pub(crate) fn request_started(&self) -> Gauge<'_> {
        Gauge::enter(&self.in_flight).1
    }

    pub(crate) fn verification_started(&self) -> Gauge<'_> {
        Gauge::enter(&self.verifying).1
    }

    pub(crate) fn request_done(&self, route: &str, status: u16, took: Duration) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests.entry((route.to_owned(), status)).or_default() += 1;
        }
        if let Ok(mut latency) = self.latency.lock() {
            let h = latency.entry(route.to_owned()).or_default();
            let secs = took.as_secs_f64();
            for (count, bound) in h.counts.iter_mut().zip(BUCKETS) {
                if secs <= bound {
                    *count += 1;
                }
            }
            h.count += 1;
            h.sum += secs;
        }
    }

    pub(crate) fn verdict(&self, verdict: Verdict) {
        let i = match verdict {
            Verdict::Valid => 0,
            Verdict::Invalid => 1,
            Verdict::Indeterminate => 2,
        };
        self.verdicts[i].fetch_add(1, Ordering::Relaxed);
    }

    /// The metrics in Prometheus text format.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP kyso_http_requests_total HTTP requests answered, by route and status.\n",
        );
        out.push_str("# TYPE kyso_http_requests_total counter\n");
        if let Ok(requests) = self.requests.lock() {
            for ((route, status), n) in requests.iter() {
                let _ = writeln!(
                    out,
                    "kyso_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP kyso_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE kyso_http_request_duration_seconds histogram\n");
        if let Ok(latency) = self.latency.lock() {
            for (route, h) in latency.iter() {
                let name = "kyso_http_request_duration_seconds";
                for (count, bound) in h.counts.iter().zip(BUCKETS) {
                    let _ = writeln!(
                        out,
                        "{name}_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                    );
                }
                let _ = writeln!(
                    out,
                    "{name}_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(out, "{name}_sum{{route=\"{route}\"}} {}", h.sum);
                let _ = writeln!(out, "{name}_count{{route=\"{route}\"}} {}", h.count);
            }
        }
        out.push_str("# HELP kyso_verdicts_total Document verdicts given by /v1/verify.\n");
        out.push_str("# TYPE kyso_verdicts_total counter\n");
        for (name, n) in ["VALID", "INVALID", "INDETERMINATE"]
            .iter()
            .zip(&self.verdicts)
        {
            let _ = writeln!(
                out,
                "kyso_verdicts_total{{verdict=\"{name}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        for (name, help, gauge) in [
            (
                "kyso_http_requests_in_flight",
                "Requests being answered.",
                &self.in_flight,
            ),
            (
                "kyso_verifications_in_flight",
                "Verifications running.",
                &self.verifying,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            let _ = writeln!(out, "{name} {}", gauge.load(Ordering::Relaxed));
        }
        out
    }
}
