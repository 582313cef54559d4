//! The site's static files (WASM, JS, CSS, images) served from memory, for a release
//! binary that carries them (`--features embed-assets`): a shop is deployed by copying one
//! file. The build's files are versioned by a digest of their contents: pages load them
//! from `/pkg/<version>/…`, answered with a year of immutable caching, so a browser asks
//! once per release. Every file also answers at its plain path (`/pkg/fullstack-ws.css`,
//! `/favicon.svg`, `/images/…`) with revalidation (ETag). Brotli and gzip variants made
//! at build time (`cargo leptos build --release --precompress`) are sent to browsers that
//! accept them. Without the feature, files come from `LEPTOS_SITE_ROOT` on disk, as
//! `cargo leptos watch` needs.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// One file and its precompressed variants.
struct Asset {
    body: &'static [u8],
    brotli: Option<&'static [u8]>,
    gzip: Option<&'static [u8]>,
    etag: HeaderValue,
    content_type: HeaderValue,
}

/// The files of one build, by path (`pkg/fullstack-ws.js`, `favicon.svg`).
pub struct Bundle {
    files: HashMap<String, Asset>,
    version: String,
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "public, no-cache";

impl Bundle {
    /// The files built into this binary, if it has them.
    pub fn embedded() -> Option<Self> {
        #[cfg(feature = "embed-assets")]
        {
            #[derive(rust_embed::Embed)]
            #[folder = "target/site"]
            struct Site;
            let files = Site::iter().filter_map(|path| {
                let data = Site::get(&path)?.data;
                // Leaked once per process: the bundle lives as long as the server.
                let bytes: &'static [u8] = match data {
                    std::borrow::Cow::Borrowed(b) => b,
                    std::borrow::Cow::Owned(v) => Box::leak(v.into_boxed_slice()),
                };
                Some((path.into_owned(), bytes))
            });
            let bundle = Self::from_files(files);
            (!bundle.files.is_empty()).then_some(bundle)
        }
        #[cfg(not(feature = "embed-assets"))]
        None
    }

    /// A bundle of `(path, bytes)` files; `x.br` and `x.gz` become `x`'s encodings.
    pub fn from_files(files: impl IntoIterator<Item = (String, &'static [u8])>) -> Self {
        let all: HashMap<String, &'static [u8]> = files.into_iter().collect();
        let mut names: Vec<&String> =
            all.keys().filter(|p| !p.ends_with(".br") && !p.ends_with(".gz")).collect();
        names.sort();
        let mut version = Sha256::new();
        let mut files = HashMap::new();
        for name in names {
            let body = all[name];
            let digest = Sha256::digest(body);
            if name.starts_with("pkg/") {
                version.update(name.as_bytes());
                version.update(digest);
            }
            let etag = format!("\"{}\"", hex::encode(&digest[..12]));
            let mime = mime_guess::from_path(name).first_or_octet_stream();
            let asset = Asset {
                body,
                brotli: all.get(&format!("{name}.br")).copied(),
                gzip: all.get(&format!("{name}.gz")).copied(),
                etag: HeaderValue::from_str(&etag).expect("hex is a valid header"),
                content_type: HeaderValue::from_str(mime.essence_str())
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            };
            files.insert(name.clone(), asset);
        }
        let version = hex::encode(&version.finalize()[..6]);
        Self { files, version }
    }

    /// Where pages load this build's files from (Leptos's `site_pkg_dir`).
    pub fn pkg_dir(&self) -> String {
        format!("pkg/{}", self.version)
    }

    /// The answer for a request path, or `None` when there is no such file.
    pub fn serve(&self, path: &str, request: &HeaderMap) -> Option<Response> {
        let path = path.trim_start_matches('/');
        let versioned = format!("pkg/{}/", self.version);
        let (name, cache) = match path.strip_prefix(&versioned) {
            Some(rest) => (format!("pkg/{rest}"), IMMUTABLE),
            None => (path.to_owned(), REVALIDATE),
        };
        let asset = self.files.get(&name)?;
        let mut res = Response::builder()
            .header(header::ETAG, asset.etag.clone())
            .header(header::CACHE_CONTROL, cache)
            .header(header::CONTENT_TYPE, asset.content_type.clone());
        if asset.brotli.is_some() || asset.gzip.is_some() {
            res = res.header(header::VARY, "accept-encoding");
        }
        if crate::http::negotiate::not_modified(request, asset.etag.to_str().unwrap_or_default()) {
            return res.status(StatusCode::NOT_MODIFIED).body(Body::empty()).ok();
        }
        let accepts = |coding| crate::http::negotiate::accepts(request, coding);
        let (body, coding) = match (asset.brotli, asset.gzip) {
            (Some(br), _) if accepts("br") => (br, Some("br")),
            (_, Some(gz)) if accepts("gzip") => (gz, Some("gzip")),
            _ => (asset.body, None),
        };
        if let Some(coding) = coding {
            res = res.header(header::CONTENT_ENCODING, coding);
        }
        res.header(header::CONTENT_LENGTH, body.len()).body(Body::from(body)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> Bundle {
        Bundle::from_files([
            ("pkg/app.js".to_owned(), &b"console.log(1)"[..]),
            ("pkg/app.js.br".to_owned(), &b"BR"[..]),
            ("pkg/app.js.gz".to_owned(), &b"GZ"[..]),
            ("favicon.svg".to_owned(), &b"<svg/>"[..]),
        ])
    }

    fn get(b: &Bundle, path: &str, headers: &[(header::HeaderName, &str)]) -> Option<Response> {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        b.serve(path, &map)
    }

    #[test]
    fn versioned_paths_are_immutable_and_plain_ones_revalidate() {
        let b = bundle();
        let versioned = format!("/{}/app.js", b.pkg_dir());
        let res = get(&b, &versioned, &[]).unwrap();
        assert_eq!(res.headers()[header::CACHE_CONTROL], IMMUTABLE);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "text/javascript");
        let plain = get(&b, "/pkg/app.js", &[]).unwrap();
        assert_eq!(plain.headers()[header::CACHE_CONTROL], REVALIDATE);
        assert!(get(&b, "/pkg/other.js", &[]).is_none());
        assert!(get(&b, "/pkg/0000/app.js", &[]).is_none(), "another build's version is not this one");
    }

    #[test]
    fn the_version_follows_the_contents() {
        let other = Bundle::from_files([("pkg/app.js".to_owned(), &b"console.log(2)"[..])]);
        assert_ne!(bundle().pkg_dir(), other.pkg_dir());
        assert_eq!(bundle().pkg_dir(), bundle().pkg_dir());
    }

    #[test]
    fn precompressed_variants_go_to_browsers_that_take_them() {
        let b = bundle();
        let br = get(&b, "/pkg/app.js", &[(header::ACCEPT_ENCODING, "gzip, deflate, br")]).unwrap();
        assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(br.headers()[header::CONTENT_LENGTH], "2");
        assert_eq!(br.headers()[header::VARY], "accept-encoding");
        let gz = get(&b, "/pkg/app.js", &[(header::ACCEPT_ENCODING, "gzip")]).unwrap();
        assert_eq!(gz.headers()[header::CONTENT_ENCODING], "gzip");
        let plain = get(&b, "/pkg/app.js", &[]).unwrap();
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        let svg = get(&b, "/favicon.svg", &[(header::ACCEPT_ENCODING, "br")]).unwrap();
        assert!(svg.headers().get(header::CONTENT_ENCODING).is_none(), "no variant, no encoding");
    }

    #[test]
    fn a_matching_etag_is_not_modified() {
        let b = bundle();
        let etag = get(&b, "/favicon.svg", &[]).unwrap().headers()[header::ETAG].to_str().unwrap().to_owned();
        let again = get(&b, "/favicon.svg", &[(header::IF_NONE_MATCH, &etag)]).unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    }
}
