//! What a request asks of an answer's form: which encodings it takes, and whether the
//! copy it already has (`If-None-Match`) is still current. Shared by the embedded site
//! files and the page cache.

use axum::http::{header, HeaderMap};

/// Whether `Accept-Encoding` takes `coding` (`br`, `gzip`); `;q=0` means it does not.
pub fn accepts(request: &HeaderMap, coding: &str) -> bool {
    request.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).any(|v| {
        v.split(',').any(|item| {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let refused =
                parts.any(|p| p.trim().strip_prefix("q=").is_some_and(|q| q.trim().parse() == Ok(0.0)));
            name.eq_ignore_ascii_case(coding) && !refused
        })
    })
}

/// Whether `If-None-Match` names `etag` (or `*`): the client's copy is current.
pub fn not_modified(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim())
        .any(|t| t == "*" || t == etag || t.strip_prefix("W/") == Some(etag))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(name, HeaderValue::from_str(value).unwrap());
        map
    }

    #[test]
    fn encodings_are_taken_unless_refused() {
        let h = headers(header::ACCEPT_ENCODING, "gzip, deflate, br;q=0.9");
        assert!(accepts(&h, "gzip") && accepts(&h, "br"));
        assert!(!accepts(&h, "zstd"));
        assert!(!accepts(&headers(header::ACCEPT_ENCODING, "br;q=0, gzip"), "br"));
        assert!(!accepts(&HeaderMap::new(), "gzip"));
    }

    #[test]
    fn etags_match_exactly_weakly_or_by_star() {
        let tag = "\"abc\"";
        assert!(not_modified(&headers(header::IF_NONE_MATCH, "\"x\", \"abc\""), tag));
        assert!(not_modified(&headers(header::IF_NONE_MATCH, "W/\"abc\""), tag));
        assert!(not_modified(&headers(header::IF_NONE_MATCH, "*"), tag));
        assert!(!not_modified(&headers(header::IF_NONE_MATCH, "\"abcd\""), tag));
        assert!(!not_modified(&HeaderMap::new(), tag));
    }
}
