//! The back office's endpoints that are not JSON: the image upload and bulk availability
//! plain forms (303 back, so they work without JavaScript), the multipart image upload of
//! the REST API, and the streamed CSV export.

use super::error::ApiError;
use crate::flows::admin::{actor, set_image};
use crate::flows::auth::AuthSession;
use crate::flows::state::AppState;
use crate::http::extract::ApiQuery;
use crate::models::admin::{AdminProduct, OrderFilter};
use crate::models::AppError;
use crate::services::admin::Actor;
use crate::services::admin::{self, media};
use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

/// The first file field of a multipart body, at most [`media::MAX_IMAGE_BYTES`] (+1, so
/// that "too large" is reported rather than cut off).
async fn read_image(mut form: Multipart) -> Result<Vec<u8>, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!("Unreadable upload: {}", e.body_text()))
    };
    while let Some(mut field) = form.next_field().await.map_err(bad)? {
        if field.name() != Some("image") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > media::MAX_IMAGE_BYTES {
                return Err(AppError::field("image", "The image is larger than 2 MB."));
            }
        }
        return Ok(bytes);
    }
    Err(AppError::field("image", "Choose an image file."))
}

/// How a plain-form endpoint answers: 303 back to `page` with `?{ok}` or
/// `?{error_param}=why`; anonymous visitors are sent to log in, customers get 403.
fn form_answer(result: Result<String, AppError>, page: &str, error_param: &str) -> Response {
    match result {
        Ok(query) => Redirect::to(&format!("{page}{}{query}", query_joiner(page))).into_response(),
        Err(AppError::Unauthorized(_)) => {
            Redirect::to(&format!("/login?next={}", path_only(page))).into_response()
        }
        Err(e @ AppError::Forbidden(_)) => (StatusCode::FORBIDDEN, e.to_string()).into_response(),
        Err(e) => {
            let why = match &e {
                AppError::Validation(fields) => {
                    fields.values().next().cloned().unwrap_or_else(|| e.to_string())
                }
                other => other.to_string(),
            };
            let why = crate::models::admin::encode_query_value(&why);
            Redirect::to(&format!("{page}{}{error_param}={why}", query_joiner(page))).into_response()
        }
    }
}

fn query_joiner(url: &str) -> &'static str {
    if url.contains('?') {
        "&"
    } else {
        "?"
    }
}

fn path_only(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// The product list to return to: the form's `back` (the list with its filters) when it
/// is one, else the plain list. Never anywhere else (no open redirect).
fn product_list_url(back: Option<&str>) -> String {
    const LIST: &str = "/admin/products";
    match back {
        Some(b)
            if (b == LIST || b.starts_with("/admin/products?"))
                && b.len() <= 500
                && b.bytes().all(|c| c.is_ascii_graphic()) =>
        {
            b.to_string()
        }
        _ => LIST.to_string(),
    }
}

/// `POST /admin/products/{id}/image` from the product page's upload form (works without
/// JavaScript): stores the image and sends the browser back to the page with the result.
pub async fn upload_image_form(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<i64>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let back = format!("/admin/products/{id}");
    let result = async {
        let actor = actor(&auth)?;
        let form = form.map_err(|e| AppError::BadRequest(e.body_text()))?;
        let bytes = read_image(form).await?;
        set_image(&state, &actor, id, &bytes).await
    }
    .await;
    form_answer(result.map(|_| "image=saved".to_string()), &back, "image_error")
}

/// `POST /admin/products/availability` from the product list's form (`ids` repeated,
/// `available` = `true`/`false`): a plain form, so it works without JavaScript; 303 back.
pub async fn bulk_availability_form(
    State(state): State<AppState>,
    auth: AuthSession,
    body: axum::body::Bytes,
) -> Response {
    let mut back = None;
    let result = async {
        let actor = actor(&auth)?;
        let mut ids = Vec::new();
        let mut available = None;
        for (key, value) in form_urlencoded::parse(&body) {
            if key == "back" {
                back = Some(value.into_owned());
                continue;
            }
            match key.as_ref() {
                "ids" => {
                    ids.push(value.parse::<i64>().map_err(|_| AppError::field("ids", "Unknown product."))?)
                }
                "available" => available = Some(value == "true"),
                _ => {}
            }
        }
        let available =
            available.ok_or_else(|| AppError::field("available", "Choose available or unavailable."))?;
        admin::catalog::set_availability(&state.db, &actor, &ids, available).await
    }
    .await;
    let page = product_list_url(back.as_deref());
    form_answer(result.map(|n| format!("changed={n}")), &page, "bulk_error")
}

/// `POST /api/v1/admin/products/{id}/image` (multipart, field `image`).
pub async fn upload_image_api(
    state: &AppState,
    actor: &Actor,
    id: i64,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<AdminProduct, AppError> {
    let form = form.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let bytes = read_image(form).await?;
    set_image(state, actor, id, &bytes).await
}

/// `GET /api/v1/admin/orders/export.csv?…`: the filtered list as CSV, streamed a chunk
/// at a time (any size, flat memory). Bad filters are refused before the first byte.
/// Mounted in the REST admin router, behind its staff-only layer.
pub async fn export_csv(State(state): State<AppState>, ApiQuery(filter): ApiQuery<OrderFilter>) -> Response {
    let export = match admin::orders::CsvExport::new(&filter) {
        Ok(export) => export,
        Err(e) => return ApiError(e).into_response(),
    };
    let db = state.db.clone();
    let stream = futures_util::stream::unfold(Some(export), move |export| {
        let db = db.clone();
        async move {
            let mut export = export?;
            match export.next_chunk(&db).await {
                Ok(Some(bytes)) => Some((Ok::<_, std::io::Error>(bytes), Some(export))),
                Ok(None) => None,
                // Headers are gone: end the body early so the client sees a broken download.
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
            }
        }
    });
    let name = format!("orders-{}.csv", chrono::Utc::now().format("%Y%m%d-%H%M%S"));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        // Fused: a reader may ask again after the end (the compression layer does), and
        // `unfold` would panic.
        Body::from_stream(futures_util::StreamExt::fuse(stream)),
    )
        .into_response()
}
