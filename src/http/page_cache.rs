//! Catalog pages from memory. The home, category and product pages are the same HTML for
//! every visitor (the header's account and cart are filled in by the browser: see
//! `ui::account::AuthState::me_in_browser`), so each is rendered once and then answered
//! from here, already compressed, with an `ETag` (`304` when the browser's copy is
//! current) and a `Cache-Control` that lets browsers and shared caches keep it.
//!
//! A cached page has no nonce: its Content-Security-Policy names the hashes of its inline
//! scripts instead, so the same bytes are right for everyone, in every process.
//!
//! A page is fresh for [`FRESH_FOR`]; after that the next request renders it again while
//! the others are still answered from the old copy (no stampede). Any successful change
//! made by shop staff (a POST, PUT, PATCH or DELETE from an admin) starts the cache afresh
//! at once; what others change (sales moving stock, another process's back office) shows
//! within [`FRESH_FOR`].

use crate::flows::auth::AuthSession;
use crate::models::account::Role;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// How long a rendered page is answered without being rendered again.
pub const FRESH_FOR: Duration = Duration::from_secs(2);
/// What the cache may hold (pages with their compressed forms), so memory stays bounded
/// whatever query strings arrive.
const CAPACITY_BYTES: u64 = 16 * 1024 * 1024;
/// Browsers and shared caches revalidate (a `304` costs nothing), and may show their copy
/// meanwhile for a few seconds.
const CACHE_CONTROL: &str = "public, max-age=0, stale-while-revalidate=10";
/// How long one request has to render a stale page before another may try.
const REFRESH_WINDOW: Duration = Duration::from_secs(5);

/// The rendered pages of one server, shared by its requests.
#[derive(Clone)]
pub struct PageCache(Arc<Inner>);

struct Inner {
    pages: moka::sync::Cache<String, Arc<Page>>,
    /// Bumped by every change from the back office: older pages are not served.
    version: AtomicU64,
    started: Instant,
    development: bool,
}

/// One rendered page, in every encoding it is sent in.
struct Page {
    version: u64,
    /// When (on the cache's clock, in ms) the page is due to be rendered again, and the
    /// claim of the request doing it.
    refresh_at: AtomicU64,
    identity: Bytes,
    brotli: Bytes,
    gzip: Bytes,
    etag: HeaderValue,
    policy: HeaderValue,
    content_type: HeaderValue,
    last_modified: HeaderValue,
}

impl PageCache {
    pub fn new(development: bool) -> Self {
        let pages = moka::sync::Cache::builder()
            .max_capacity(CAPACITY_BYTES)
            .weigher(|key: &String, page: &Arc<Page>| {
                let bytes = key.len() + page.identity.len() + page.brotli.len() + page.gzip.len();
                u32::try_from(bytes).unwrap_or(u32::MAX)
            })
            .build();
        Self(Arc::new(Inner { pages, version: AtomicU64::new(0), started: Instant::now(), development }))
    }

    /// Pages rendered before now are not answered again.
    pub fn catalog_changed(&self) {
        self.0.version.fetch_add(1, Ordering::AcqRel);
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.0.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The cached page for `key` if it may be answered: current, and either fresh or
    /// being rendered again by another request.
    fn answerable(&self, key: &str) -> Option<Arc<Page>> {
        let page = self.0.pages.get(key)?;
        if page.version != self.0.version.load(Ordering::Acquire) {
            return None;
        }
        let now = self.now_ms();
        let due = page.refresh_at.load(Ordering::Acquire);
        let claimed_by_this_request = now >= due
            && page
                .refresh_at
                .compare_exchange(due, now + millis(REFRESH_WINDOW), Ordering::AcqRel, Ordering::Acquire)
                .is_ok();
        (!claimed_by_this_request).then_some(page)
    }

    /// Makes a page of a rendered answer, if it is one that everyone may be given.
    async fn page_of(&self, res: Response, version: u64) -> Result<Page, Response> {
        let is_html =
            res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
        if res.status() != StatusCode::OK || !is_html || res.headers().contains_key(header::SET_COOKIE) {
            return Err(res);
        }
        let nonce = res
            .headers()
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .and_then(|policy| policy.split("'nonce-").nth(1)?.split('\'').next())
            .map(str::to_owned);
        let content_type = res.headers()[header::CONTENT_TYPE].clone();
        let (parts, body) = res.into_parts();
        let bytes = match axum::body::to_bytes(body, usize::MAX).await {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::warn!("page body failed: {e}");
                return Err(Response::from_parts(parts, Body::empty()));
            }
        };
        let Ok(html) = String::from_utf8(bytes.to_vec()) else {
            return Err(Response::from_parts(parts, Body::from(bytes)));
        };
        // Leptos writes the nonce on its scripts and also as the `crossorigin` value of its
        // preload links (any value there means `anonymous`, as the bare attribute does).
        let html = match nonce {
            Some(nonce) => html
                .replace(&format!(" nonce=\"{nonce}\""), "")
                .replace(&format!(" crossorigin=\"{nonce}\""), " crossorigin"),
            None => html,
        };
        let scripts = inline_script_hashes(&html).join(" ");
        let policy = crate::infra::security::page_policy_for(&scripts, self.0.development);
        let digest = Sha256::digest(html.as_bytes());
        let identity = Bytes::from(html);
        Ok(Page {
            version,
            refresh_at: AtomicU64::new(self.now_ms() + millis(FRESH_FOR)),
            brotli: compress_brotli(&identity),
            gzip: compress_gzip(&identity),
            etag: HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..12]))).expect("hex"),
            policy: HeaderValue::from_str(&policy).expect("the policy is ASCII"),
            content_type,
            last_modified: HeaderValue::from_str(&httpdate::fmt_http_date(SystemTime::now()))
                .expect("a date"),
            identity,
        })
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Page {
    fn answer(&self, request: &HeaderMap) -> Response {
        let res = Response::builder()
            .header(header::ETAG, self.etag.clone())
            .header(header::LAST_MODIFIED, self.last_modified.clone())
            .header(header::CACHE_CONTROL, CACHE_CONTROL)
            .header(header::VARY, "accept-encoding")
            // Also on a 304: it updates the browser's stored headers, and this policy is
            // the one that matches the stored page.
            .header(header::CONTENT_SECURITY_POLICY, self.policy.clone());
        let etag = self.etag.to_str().unwrap_or_default();
        let unchanged = match request.get(header::IF_MODIFIED_SINCE) {
            _ if request.contains_key(header::IF_NONE_MATCH) => super::negotiate::not_modified(request, etag),
            Some(since) => since.as_bytes() == self.last_modified.as_bytes(),
            None => false,
        };
        if unchanged {
            return res.status(StatusCode::NOT_MODIFIED).body(Body::empty()).expect("valid headers");
        }
        let (body, coding) = if super::negotiate::accepts(request, "br") {
            (self.brotli.clone(), Some("br"))
        } else if super::negotiate::accepts(request, "gzip") {
            (self.gzip.clone(), Some("gzip"))
        } else {
            (self.identity.clone(), None)
        };
        let res = res.header(header::CONTENT_TYPE, self.content_type.clone());
        let res = match coding {
            Some(coding) => res.header(header::CONTENT_ENCODING, coding),
            None => res,
        };
        res.header(header::CONTENT_LENGTH, body.len()).body(Body::from(body)).expect("valid headers")
    }
}

/// Middleware: answers shared pages from the cache, and starts the cache afresh after a
/// change by shop staff.
pub async fn serve(State(cache): State<PageCache>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET || !crate::models::pages::is_shared(req.uri().path()) {
        let staff_change = !req.method().is_safe() && is_staff(&req);
        let res = next.run(req).await;
        if staff_change && (res.status().is_success() || res.status().is_redirection()) {
            cache.catalog_changed();
        }
        return res;
    }
    let key =
        req.uri().path_and_query().map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    if let Some(page) = cache.answerable(&key) {
        return page.answer(req.headers());
    }
    let headers = req.headers().clone();
    let version = cache.0.version.load(Ordering::Acquire);
    match cache.page_of(next.run(req).await, version).await {
        Ok(page) => {
            let page = Arc::new(page);
            cache.0.pages.insert(key, page.clone());
            page.answer(&headers)
        }
        Err(res) => {
            // Gone or moved (a removed product, a changed slug): nothing old is answered.
            cache.0.pages.invalidate(&key);
            res
        }
    }
}

fn is_staff(req: &Request) -> bool {
    let auth = req.extensions().get::<AuthSession>();
    auth.and_then(|a| a.user.as_ref()).is_some_and(|account| account.0.role == Role::Admin)
}

/// The CSP sources (`'sha256-…'`) of a page's inline scripts.
fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let tag_and_more = &rest[start..];
        let Some(tag_end) = tag_and_more.find('>') else { break };
        let (tag, body_and_more) = (&tag_and_more[..tag_end], &tag_and_more[tag_end + 1..]);
        let Some(body_end) = body_and_more.find("</script>") else { break };
        if !tag.contains(" src=") {
            let digest = Sha256::digest(&body_and_more.as_bytes()[..body_end]);
            hashes.push(format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest)));
        }
        rest = &body_and_more[body_end + "</script>".len()..];
    }
    hashes.sort();
    hashes.dedup();
    hashes
}

/// The brotli window (log2 bytes) for a page of `len` bytes: as large as the page and no
/// larger, within 17..=22. A larger window compresses no better, and the encoder's
/// buffers grow with it (megabytes at the largest). Below 17 bits the `brotli` crate has
/// none of the small-window hashers and falls back to one with a 32 MiB table.
fn brotli_window(len: usize) -> u32 {
    (usize::BITS - len.leading_zeros()).clamp(17, 22)
}

const BROTLI_QUALITY: u32 = 5;

fn compress_brotli(bytes: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(bytes.len() / 4);
    {
        // Quality 5 of 11: the shop's pages come out 0.4-3 % larger than at 9, in a sixth
        // of the time; paid once per page and [`FRESH_FOR`]. Qualities 7 to 10 allocate
        // hash tables of 4 to 32 MiB whatever the page's size, and at 9 the soak's RSS
        // jumped by 5-18 MiB for a moment whenever pages were rendered again.
        let mut writer =
            brotli::CompressorWriter::new(&mut out, 16 * 1024, BROTLI_QUALITY, brotli_window(bytes.len()));
        writer.write_all(bytes).expect("writing to memory");
    }
    Bytes::from(out)
}

fn compress_gzip(bytes: &[u8]) -> Bytes {
    let mut writer = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    writer.write_all(bytes).expect("writing to memory");
    Bytes::from(writer.finish().expect("writing to memory"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = r#"<head><script type="module">import('/pkg/a.js')</script><script src="/pkg/b.js"></script></head><body><script>__R=1</script></body>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 2);
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"__R=1"));
        assert!(hashes.contains(&format!("'sha256-{expected}'")));
        assert!(inline_script_hashes("<p>no scripts</p>").is_empty());
    }

    #[test]
    fn the_brotli_window_fits_the_page() {
        // A 100 KB page gets a 128 KiB window, not brotli's 4 MiB maximum.
        assert_eq!(brotli_window(100_000), 17);
        assert_eq!(1 << brotli_window(100_000), 131_072);
        assert_eq!(brotli_window(0), 17);
        assert_eq!(brotli_window(8_000), 17);
        assert_eq!(brotli_window(200_000), 18);
        assert_eq!(brotli_window(64 * 1024 * 1024), 22);
        for len in [1_024, 50_000, 300_000, 4_000_000] {
            assert!(1usize << brotli_window(len) >= len, "{len}");
        }
    }

    /// Counts the bytes each thread has allocated and not freed, and their peak.
    struct Counting;
    thread_local! {
        static HELD: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
        static PEAK: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }
    fn hold(bytes: usize) {
        let held = HELD.get() + bytes;
        HELD.set(held);
        PEAK.set(PEAK.get().max(held));
    }
    // SAFETY: every call is passed on to the system allocator unchanged.
    unsafe impl std::alloc::GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
            hold(layout.size());
            unsafe { std::alloc::System.alloc(layout) }
        }
        unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
            hold(layout.size());
            unsafe { std::alloc::System.alloc_zeroed(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
            HELD.set(HELD.get().saturating_sub(layout.size()));
            unsafe { std::alloc::System.dealloc(ptr, layout) }
        }
    }
    #[global_allocator]
    static COUNTING: Counting = Counting;

    #[test]
    fn compressing_a_page_needs_no_large_tables() {
        // HTML with many links: 8 KB like a product page, 100 KB like twice the
        // 48-product catalog page.
        for links in [140, 1_700] {
            let page: String = (0..links)
                .map(|i| {
                    format!("<li><a href=\"/product/{i}/roast-{}\">Roast {i}</a> {}</li>", i * 7, i * 13)
                })
                .collect();
            let before = HELD.get();
            PEAK.set(before);
            let brotli = compress_brotli(page.as_bytes());
            let peak = PEAK.get() - before;
            // 100 KB held 35 MB at once at quality 9 (its hash table), 2.5 MB at quality 5;
            // 8 KB held 34 MB with a 14-bit window (the crate's fallback hasher).
            assert!(peak < 4 << 20, "{} bytes: compressing held {peak} bytes at once", page.len());
            assert!(brotli.len() * 4 < page.len(), "{} of {} bytes", brotli.len(), page.len());
        }
    }

    #[test]
    fn compressed_forms_decode_to_the_page() {
        use std::io::Read;
        let page = "<p>Burr hand grinder</p>".repeat(100);
        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(&compress_gzip(page.as_bytes())[..])
            .read_to_string(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, page);
        let mut unbrotli = String::new();
        brotli::Decompressor::new(&compress_brotli(page.as_bytes())[..], 4096)
            .read_to_string(&mut unbrotli)
            .unwrap();
        assert_eq!(unbrotli, page);
    }
}
