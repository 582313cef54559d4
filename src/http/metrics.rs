//! Prometheus metrics for operators (`GET /metrics`). Request latencies and job outcomes
//! are counted in this process by the `metrics` crate's recorder; the queue, payment,
//! mail and pool figures are read at each scrape (`services::operations`), so every
//! process reports the same database truth. Served to loopback clients (the address as
//! the rate limits see it, through `TRUSTED_PROXIES`), and to others only with the
//! `METRICS_TOKEN` bearer token.

use crate::flows::state::AppState;
use crate::infra::security::ClientIp;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::fmt::Write;
use std::sync::OnceLock;

pub const REQUEST_SECONDS: &str = "shop_http_request_duration_seconds";

/// The process's recorder, installed on first use (one per process: tests build many apps).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(REQUEST_SECONDS.into()),
                &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
            )
            .expect("static buckets are not empty")
            .install_recorder()
            .expect("the metrics recorder is installed once per process")
    })
}

/// Times every request by its route template (`/product/{id}/{slug}`, never the
/// path itself, so the number of series stays bounded).
pub async fn track_requests(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let method = req.method().as_str().to_owned();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    let status = format!("{}xx", res.status().as_u16() / 100);
    metrics::histogram!(REQUEST_SECONDS, "route" => route, "method" => method, "status" => status)
        .record(started.elapsed().as_secs_f64());
    res
}

pub async fn metrics(State(state): State<AppState>, ClientIp(ip): ClientIp, headers: HeaderMap) -> Response {
    let proxies_named = !state.config.trusted_proxies.is_empty();
    if !allowed(ip, proxies_named, &headers, state.config.metrics_token.as_ref()) {
        return (
            StatusCode::FORBIDDEN,
            "Metrics are served to loopback clients, or with the METRICS_TOKEN bearer token.",
        )
            .into_response();
    }
    let snapshot = match crate::services::operations::snapshot(&state.db).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "metrics: cannot read the database");
            return (StatusCode::SERVICE_UNAVAILABLE, "The database cannot be read.").into_response();
        }
    };
    let handle = handle();
    handle.run_upkeep();
    let mut body = handle.render();
    body.push_str(&render_snapshot(&snapshot, crate::infra::db::pool_use(&state.db)));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

/// Loopback clients, and whoever presents the token. A request relayed by a proxy that
/// `TRUSTED_PROXIES` does not name is not local, even though its peer is: a reverse proxy
/// on the same machine must not open `/metrics` to the internet by being forgotten.
fn allowed(
    ip: Option<std::net::IpAddr>,
    proxies_named: bool,
    headers: &HeaderMap,
    token: Option<&crate::infra::config::MetricsToken>,
) -> bool {
    let relayed = ["x-forwarded-for", "forwarded", "x-real-ip"].iter().any(|h| headers.contains_key(*h));
    if ip.is_some_and(|ip| ip.is_loopback()) && (proxies_named || !relayed) {
        return true;
    }
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    matches!((token, presented), (Some(token), Some(presented)) if token.matches(presented))
}

/// The database's figures in Prometheus's text format.
fn render_snapshot(s: &crate::services::operations::Snapshot, pool: crate::infra::db::PoolUse) -> String {
    let mut out = String::new();
    let mut family = |name: &str, kind: &str, help: &str, samples: &[(String, f64)]| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (labels, value) in samples {
            let _ = writeln!(out, "{name}{labels} {value}");
        }
    };
    type PerType = fn(&crate::infra::queue::TypeStats) -> f64;
    let per_type: [(&str, &str, PerType); 4] = [
        ("shop_jobs_waiting", "Tasks waiting to run (new or retried).", |t| t.waiting as f64),
        ("shop_jobs_in_progress", "Tasks claimed by a worker.", |t| t.in_progress as f64),
        ("shop_jobs_failed", "Tasks that gave up after their last retry.", |t| t.failed as f64),
        (
            "shop_jobs_oldest_due_seconds",
            "How long the oldest due task has waited past its scheduled time.",
            |t| t.oldest_due_seconds,
        ),
    ];
    for (name, help, value) in per_type {
        let samples: Vec<_> =
            s.jobs.iter().map(|(kind, t)| (format!("{{task_type=\"{}\"}}", label(kind)), value(t))).collect();
        family(name, "gauge", help, &samples);
    }
    let single = [
        (
            "shop_payment_events_received",
            "Stripe events stored by the webhook.",
            s.payment_events_received as f64,
        ),
        ("shop_payment_events_applied", "Stripe events applied.", s.payment_events_applied as f64),
        (
            "shop_payment_events_lagging",
            "Stripe events stored and not yet applied.",
            s.payment_events_lagging as f64,
        ),
        (
            "shop_payment_events_lag_seconds",
            "Age of the oldest Stripe event not yet applied.",
            s.payment_lag_seconds,
        ),
        ("shop_mails_pending", "Mails in the outbox not yet delivered.", s.mails_pending as f64),
        ("shop_mails_lag_seconds", "Age of the oldest undelivered mail.", s.mail_lag_seconds),
    ];
    for (name, help, value) in single {
        family(name, "gauge", help, &[(String::new(), value)]);
    }
    family(
        "shop_db_pool_connections",
        "gauge",
        "Database pool connections by state.",
        &[
            ("{state=\"busy\"}".into(), f64::from(pool.open.saturating_sub(pool.idle))),
            ("{state=\"idle\"}".into(), f64::from(pool.idle)),
            ("{state=\"max\"}".into(), f64::from(pool.max)),
        ],
    );
    out
}

/// A label value in Prometheus's quoting.
fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::config::MetricsToken;

    #[test]
    fn loopback_or_the_token_and_nothing_else() {
        let token = MetricsToken::new("a-long-enough-metrics-token-0123456789").unwrap();
        let with = |auth: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, auth.parse().unwrap());
            h
        };
        let outside = Some("203.0.113.9".parse().unwrap());
        let local = Some("127.0.0.1".parse().unwrap());
        assert!(allowed(local, false, &HeaderMap::new(), None));
        assert!(allowed(Some("::1".parse().unwrap()), false, &HeaderMap::new(), None));
        assert!(!allowed(outside, false, &HeaderMap::new(), Some(&token)));
        assert!(!allowed(None, false, &HeaderMap::new(), Some(&token)), "an unknown client is not loopback");
        assert!(allowed(
            outside,
            false,
            &with("Bearer a-long-enough-metrics-token-0123456789"),
            Some(&token)
        ));
        assert!(!allowed(
            outside,
            false,
            &with("Bearer a-long-enough-metrics-token-012345678"),
            Some(&token)
        ));
        assert!(!allowed(outside, false, &with("a-long-enough-metrics-token-0123456789"), Some(&token)));
        assert!(!allowed(outside, false, &with("Bearer anything"), None), "no token configured: no door");
        // Relayed by a local proxy nobody named: not local.
        let mut relayed = HeaderMap::new();
        relayed.insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
        assert!(!allowed(local, false, &relayed, None));
        assert!(allowed(local, true, &relayed, None), "a named proxy already resolved the client");
    }

    #[test]
    fn snapshot_renders_as_prometheus_text() {
        let mut s = crate::services::operations::Snapshot { mails_pending: 2, ..Default::default() };
        s.jobs.insert(
            "Send\"Mail".into(),
            crate::infra::queue::TypeStats { waiting: 3, oldest_due_seconds: 1.5, ..Default::default() },
        );
        let text = render_snapshot(&s, crate::infra::db::PoolUse { open: 3, idle: 1, max: 8 });
        assert!(text.contains("# TYPE shop_jobs_waiting gauge\n"));
        assert!(text.contains("shop_jobs_waiting{task_type=\"Send\\\"Mail\"} 3\n"), "{text}");
        assert!(text.contains("shop_jobs_oldest_due_seconds{task_type=\"Send\\\"Mail\"} 1.5\n"));
        assert!(text.contains("shop_mails_pending 2\n"));
        assert!(text.contains("shop_db_pool_connections{state=\"busy\"} 2\n"));
    }
}
