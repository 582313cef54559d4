//! REST API under `/api/v1` (JSON), described by OpenAPI 3 at `/api/openapi.json`.

mod catalog;
mod error;
mod shop;

pub use error::ApiError;

use crate::infra::state::AppState;
use axum::{
    routing::{get, post, put},
    Json, Router,
};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "fullstack-ws shop API", version = "1"),
    paths(
        catalog::categories,
        catalog::products,
        catalog::product,
        shop::get_cart,
        shop::put_line,
        shop::delete_line,
        shop::apply_coupon,
        shop::remove_coupon,
        shop::place_order,
        shop::list_orders,
        shop::get_order,
        shop::cancel_order,
    ),
    components(schemas(
        crate::models::Category,
        crate::models::ProductSummary,
        crate::models::Product,
        crate::models::Money,
        catalog::ProductPage,
        crate::models::Cart,
        crate::models::CartLine,
        crate::models::AppliedCoupon,
        crate::models::Order,
        crate::models::OrderLine,
        crate::models::OrderStatus,
        crate::models::OrderSummary,
        crate::models::Shipping,
        shop::QuantityBody,
        shop::CouponBody,
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
        .route("/cart", get(shop::get_cart))
        .route("/cart/lines/{product_id}", put(shop::put_line).delete(shop::delete_line))
        .route("/cart/coupon", post(shop::apply_coupon).delete(shop::remove_coupon))
        .route("/orders", post(shop::place_order).get(shop::list_orders))
        .route("/orders/{id}", get(shop::get_order))
        .route("/orders/{id}/cancel", post(shop::cancel_order))
        .fallback(|| async { ApiError(crate::models::AppError::NotFound("No such API endpoint".into())) });
    Router::new().nest("/api/v1", v1).route("/api/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
