//! Request-level protections: cross-site request refusal (CSRF), the client address used
//! by rate limits, and the security headers (CSP, HSTS) every response carries.

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{header, request::Parts, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};

/// The client's address, as rate limits see it: the TCP peer, or behind a trusted proxy
/// the address that proxy reported (`None` without connection info, as in in-process tests).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let resolved = parts.extensions.get::<ClientIp>().copied();
        Ok(resolved
            .unwrap_or_else(|| ClientIp(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()))))
    }
}

/// The reverse proxies (`TRUSTED_PROXIES`) whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub std::sync::Arc<Vec<IpAddr>>);

/// Works out the client address once per request (see [`client_ip`]).
pub async fn resolve_client_ip(
    State(trusted): State<TrustedProxies>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let ip = client_ip(peer, forwarded, &trusted.0);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

/// The peer, unless it is a trusted proxy: then the right-most address in
/// `X-Forwarded-For` that is not itself a trusted proxy (the left part is client-supplied
/// and could be forged).
pub fn client_ip(peer: Option<IpAddr>, forwarded_for: &str, trusted: &[IpAddr]) -> Option<IpAddr> {
    let mut ip = peer?;
    if !trusted.contains(&ip) {
        return Some(ip);
    }
    for hop in forwarded_for.split(',').rev() {
        let Ok(addr) = hop.trim().parse::<IpAddr>() else { break };
        ip = addr;
        if !trusted.contains(&addr) {
            break;
        }
    }
    Some(ip)
}

/// Pages and API answers carry personal data (the header's cart, the account): no shared
/// or browser cache may keep them unless their handler says otherwise. Files without a
/// policy of their own (those served from disk: their names carry no version) are
/// revalidated on every use, so a rebuilt file is never taken from a stale cache.
pub async fn no_store_for_dynamic(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let is_static = ["/pkg/", "/images/", "/favicon"].iter().any(|p| path.starts_with(p));
    let mut res = next.run(req).await;
    if !res.headers().contains_key(header::CACHE_CONTROL) {
        let found = res.status().is_success() || res.status() == axum::http::StatusCode::NOT_MODIFIED;
        let policy = if is_static && found { "public, no-cache" } else { "no-store" };
        res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static(policy));
    }
    res
}

/// The Content-Security-Policy of a rendered page: scripts only from this origin or
/// carrying the page's nonce (Leptos puts it on its hydration and resource scripts),
/// WebAssembly allowed to compile, nothing may frame the shop, forms post here or to
/// Stripe's hosted checkout. In development the live-reload websocket may connect too.
pub fn page_policy(nonce: &str, development: bool) -> String {
    page_policy_for(&format!("'nonce-{nonce}'"), development)
}

/// [`page_policy`] allowing the inline scripts that `scripts` names (a nonce, or the
/// hashes of a page served to everyone alike: `http::page_cache`).
pub fn page_policy_for(scripts: &str, development: bool) -> String {
    let connect = if development { "'self' ws: wss:" } else { "'self'" };
    format!(
        "default-src 'self'; script-src 'self' {scripts} 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src {connect}; object-src 'none'; base-uri 'self'; \
         form-action 'self' https://checkout.stripe.com; frame-ancestors 'none'"
    )
}

/// The policy of every other response (API answers, files, the emulator's pages): no
/// inline script at all.
pub const DEFAULT_POLICY: &str =
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; \
     form-action 'self'; frame-ancestors 'none'";

/// What [`security_headers`] adds.
#[derive(Debug, Clone, Copy)]
pub struct SecurityHeaders {
    /// Served over https: browsers are told to use nothing else (HSTS).
    pub https: bool,
}

/// Adds the default CSP to responses that have none (pages set their own, with a nonce)
/// and, over https, `Strict-Transport-Security`.
pub async fn security_headers(State(config): State<SecurityHeaders>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, header::HeaderValue::from_static(DEFAULT_POLICY));
    }
    if config.https {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, header::HeaderValue::from_static("max-age=31536000"));
    }
    res
}

/// The site's origin (`scheme://host[:port]`) that state-changing requests must come from.
#[derive(Debug, Clone)]
pub struct SiteOrigin(pub String);

impl SiteOrigin {
    pub fn from_site_url(site_url: &str) -> Self {
        let rest = site_url.split_once("://").map_or(site_url, |(_, r)| r);
        let host_len = rest.find('/').unwrap_or(rest.len());
        let scheme_len = site_url.len() - rest.len();
        Self(site_url[..scheme_len + host_len].to_ascii_lowercase())
    }
}

/// Refuses (403) a state-changing request that a browser says is not from this origin:
/// any `Sec-Fetch-Site` but `same-origin` or `none` (a sibling subdomain is `same-site`
/// and may be someone else's), or without that header an `Origin` other than the site's.
/// Requests without either header (curl, API clients) are not cross-site forgeries.
pub async fn refuse_cross_site(State(site): State<SiteOrigin>, req: Request, next: Next) -> Response {
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state && is_cross_site(&req, &site) {
        tracing::warn!(method = %req.method(), path = %req.uri().path(), "cross-site request refused");
        let body = serde_json::json!({"error": {"code": "forbidden", "message": "Cross-site requests are not allowed."}});
        return (StatusCode::FORBIDDEN, axum::Json(body)).into_response();
    }
    next.run(req).await
}

fn is_cross_site(req: &Request, site: &SiteOrigin) -> bool {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    match header(header::HeaderName::from_static("sec-fetch-site")) {
        Some(fetch_site) => {
            !(fetch_site.eq_ignore_ascii_case("same-origin") || fetch_site.eq_ignore_ascii_case("none"))
        }
        None => header(header::ORIGIN).is_some_and(|origin| !origin.eq_ignore_ascii_case(&site.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let peer: IpAddr = "203.0.113.9".parse().unwrap();
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(
            client_ip(Some(peer), "1.2.3.4", &[proxy]),
            Some(peer),
            "untrusted peers can't claim an address"
        );
        assert_eq!(client_ip(Some(proxy), "6.6.6.6, 1.2.3.4", &[proxy]), ip("1.2.3.4"), "right-most hop");
        assert_eq!(
            client_ip(Some(proxy), "1.2.3.4, 10.0.0.1", &[proxy]),
            ip("1.2.3.4"),
            "skips trusted hops"
        );
        assert_eq!(client_ip(Some(proxy), "", &[proxy]), Some(proxy));
        assert_eq!(client_ip(Some(proxy), "garbage", &[proxy]), Some(proxy));
        assert_eq!(client_ip(None, "1.2.3.4", &[proxy]), None);
    }

    #[test]
    fn origin_of_the_site_url() {
        assert_eq!(SiteOrigin::from_site_url("https://Shop.example/path").0, "https://shop.example");
        assert_eq!(SiteOrigin::from_site_url("http://127.0.0.1:3000").0, "http://127.0.0.1:3000");
    }

    fn req(method: Method, headers: &[(&str, &str)]) -> Request {
        let mut r = axum::http::Request::builder().method(method).uri("/x");
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r.body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn cross_site_is_told_by_fetch_metadata_or_origin() {
        let site = SiteOrigin::from_site_url("http://127.0.0.1:3000");
        assert!(is_cross_site(&req(Method::POST, &[("sec-fetch-site", "cross-site")]), &site));
        assert!(!is_cross_site(&req(Method::POST, &[("sec-fetch-site", "same-origin")]), &site));
        assert!(
            !is_cross_site(&req(Method::POST, &[("sec-fetch-site", "none")]), &site),
            "typed or bookmarked"
        );
        assert!(
            is_cross_site(&req(Method::POST, &[("sec-fetch-site", "same-site")]), &site),
            "a sibling subdomain"
        );
        assert!(is_cross_site(&req(Method::POST, &[("sec-fetch-site", "SAME-SITE")]), &site));
        assert!(is_cross_site(&req(Method::POST, &[("origin", "https://evil.example")]), &site));
        assert!(!is_cross_site(&req(Method::POST, &[("origin", "http://127.0.0.1:3000")]), &site));
        assert!(!is_cross_site(&req(Method::POST, &[]), &site));
    }
}
