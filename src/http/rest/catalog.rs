use crate::flows::state::AppState;
use crate::http::extract::{ApiQuery, Id};
use crate::http::language::RequestLanguage;
use crate::http::ApiError;
use crate::models::{
    Category, Page, Product, ProductQuery, ProductSummary, RawProductQuery, RawSuggestionQuery, SUGGESTIONS,
};
use crate::services::catalog;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

/// Categories and products, for anyone.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/categories", get(categories))
        .route("/products", get(products))
        .route("/products/suggestions", get(suggestions))
        .route("/products/{id}", get(product))
        .route("/products/{id}/recommendations", get(recommendations))
        .layer(axum::middleware::from_fn(crate::http::language::content_language))
}

#[utoipa::path(get, path = "/api/v1/categories", responses((status = 200, body = [Category])))]
pub async fn categories(
    State(state): State<AppState>,
    RequestLanguage(lang): RequestLanguage,
) -> Result<Json<Vec<Category>>, ApiError> {
    Ok(Json(catalog::list_categories(&state.db, lang).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/products",
    params(RawProductQuery),
    responses(
        (status = 200, description = "Available products: full-text search in the asked language (similar words when nothing matches exactly), filters, sort and page", body = Page<ProductSummary>),
        (status = 404, description = "Unknown category", body = crate::http::error::ErrorBody),
        (status = 422, description = "Invalid parameters", body = crate::http::error::ErrorBody),
    )
)]
pub async fn products(
    State(state): State<AppState>,
    RequestLanguage(lang): RequestLanguage,
    ApiQuery(raw): ApiQuery<RawProductQuery>,
) -> Result<Json<Page<ProductSummary>>, ApiError> {
    let query = ProductQuery::parse(&raw)?;
    Ok(Json(catalog::list_products(&state.db, &query, lang).await?.page))
}

#[utoipa::path(
    get,
    path = "/api/v1/products/suggestions",
    params(RawSuggestionQuery),
    responses(
        (status = 200, description = "Up to 6 products whose words start like the text (else similar words), best match first", body = [ProductSummary]),
        (status = 422, description = "Blank or too long", body = crate::http::error::ErrorBody),
    )
)]
pub async fn suggestions(
    State(state): State<AppState>,
    RequestLanguage(lang): RequestLanguage,
    ApiQuery(raw): ApiQuery<RawSuggestionQuery>,
) -> Result<Json<Vec<ProductSummary>>, ApiError> {
    let text = raw.text()?;
    Ok(Json(catalog::suggest(&state.db, &text, lang, SUGGESTIONS).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/products/{id}",
    params(("id" = i64, Path, description = "Product id")),
    responses(
        (status = 200, body = Product),
        (status = 400, description = "Non-numeric id", body = crate::http::error::ErrorBody),
        (status = 404, description = "No such product", body = crate::http::error::ErrorBody),
    )
)]
pub async fn product(
    State(state): State<AppState>,
    RequestLanguage(lang): RequestLanguage,
    Id(id): Id,
) -> Result<Json<Product>, ApiError> {
    Ok(Json(catalog::get_product(&state.db, id, lang).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/products/{id}/recommendations",
    params(("id" = i64, Path, description = "Product id")),
    responses(
        (status = 200, description = "Up to 4 products bought with it (else its category's best sellers), on sale and in stock", body = [ProductSummary]),
        (status = 400, description = "Non-numeric id", body = crate::http::error::ErrorBody),
        (status = 404, description = "No such product", body = crate::http::error::ErrorBody),
    )
)]
pub async fn recommendations(
    State(state): State<AppState>,
    RequestLanguage(lang): RequestLanguage,
    Id(id): Id,
) -> Result<Json<Vec<ProductSummary>>, ApiError> {
    Ok(Json(crate::services::recommendations::for_product(&state.db, id, lang).await?))
}
