//! Health, readiness, metrics and the API description.
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::startup::AppState;

/// Request counters by status class (1xx … 5xx), exported as Prometheus text.
pub struct Metrics {
    by_class: [AtomicU64; 5],
    started: Instant,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics { by_class: Default::default(), started: Instant::now() }
    }
}

pub async fn count_requests(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let class = usize::from(resp.status().as_u16() / 100).clamp(1, 5) - 1;
    s.metrics.by_class[class].fetch_add(1, Ordering::Relaxed);
    resp
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(s): State<AppState>) -> Response {
    if crate::db::ready(&s.services.db).await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database not ready").into_response()
    }
}

pub async fn metrics(State(s): State<AppState>) -> Response {
    let mut out = String::from(
        "# HELP leasehold_http_requests_total HTTP requests answered, by status class.\n\
         # TYPE leasehold_http_requests_total counter\n",
    );
    for (i, n) in s.metrics.by_class.iter().enumerate() {
        out.push_str(&format!(
            "leasehold_http_requests_total{{class=\"{}xx\"}} {}\n",
            i + 1,
            n.load(Ordering::Relaxed)
        ));
    }
    out.push_str(&format!(
        "# HELP leasehold_uptime_seconds Seconds since the process started.\n\
         # TYPE leasehold_uptime_seconds gauge\nleasehold_uptime_seconds {}\n\
         # HELP leasehold_build_info Build version.\n# TYPE leasehold_build_info gauge\n\
         leasehold_build_info{{version=\"{}\"}} 1\n",
        s.metrics.started.elapsed().as_secs(),
        env!("CARGO_PKG_VERSION"),
    ));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], include_str!("openapi.json")).into_response()
}
