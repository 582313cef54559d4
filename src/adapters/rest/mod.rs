//! REST API under `/api/v1` (JSON), described by OpenAPI 3 at `/api/openapi.json`.

mod catalog;
mod error;

pub use error::ApiError;

use crate::infra::state::AppState;
use axum::{routing::get, Json, Router};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "fullstack-ws shop API", version = "1"),
    paths(catalog::categories, catalog::products, catalog::product),
    components(schemas(
        crate::models::Category,
        crate::models::ProductSummary,
        crate::models::Product,
        crate::models::Money,
        catalog::ProductPage,
        error::ErrorBody,
        error::ErrorDetail,
    ))
)]
pub struct ApiDoc;

pub fn router() -> Router<AppState> {
    let v1 = Router::new()
        .route("/categories", get(catalog::categories))
        .route("/products", get(catalog::products))
        .route("/products/{id}", get(catalog::product))
        .fallback(|| async { ApiError(crate::models::AppError::NotFound("No such API endpoint".into())) });
    Router::new().nest("/api/v1", v1).route("/api/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
