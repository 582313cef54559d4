//! A deadline for every answer: a request whose response has not started within the
//! limit gets 503 and its route is logged, so one stuck render (or a database that stopped
//! answering) cannot hold a connection forever unnoticed. A response body that streams
//! (the CSV export) is not cut: the deadline is for the response to begin.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// How long a response may take to begin (`REQUEST_TIMEOUT_SECONDS`).
#[derive(Debug, Clone, Copy)]
pub struct Deadline(pub Duration);

pub async fn answer_within(State(Deadline(limit)): State<Deadline>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = req.method().clone();
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::error!(%method, route, limit_ms = limit.as_millis() as u64, "no response within the deadline; answered 503");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "5")],
                "The shop took too long to answer. Please try again in a moment.",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{body::Body, routing::get, Router};
    use tower::ServiceExt;

    fn app() -> Router {
        Router::new()
            .route("/stuck/{id}", get(std::future::pending::<&'static str>))
            .route("/quick", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(Deadline(Duration::from_millis(50)), answer_within))
    }

    #[tokio::test]
    async fn a_hung_handler_gets_503_and_a_quick_one_its_answer() {
        let stuck = app().oneshot(Request::get("/stuck/7").body(Body::empty()).unwrap());
        // Without the deadline this request would never be answered.
        let stuck = tokio::time::timeout(Duration::from_secs(10), stuck).await.expect("answered").unwrap();
        assert_eq!(stuck.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(stuck.headers()[header::RETRY_AFTER], "5");
        let quick = app().oneshot(Request::get("/quick").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(quick.status(), StatusCode::OK);
    }
}
