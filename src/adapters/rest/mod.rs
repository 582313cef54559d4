//! REST API under `/api/v1` (JSON), described by OpenAPI 3 at `/api/openapi.json`.

mod accounts;
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
        shop::start_checkout,
        shop::invoice_pdf,
        accounts::register,
        accounts::login,
        accounts::logout,
        accounts::password_reset,
        accounts::password_reset_confirm,
        accounts::me,
        accounts::patch_me,
        accounts::change_password,
        accounts::admin_users,
        accounts::admin_payment_events,
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
        shop::CheckoutStarted,
        crate::models::account::Me,
        crate::models::account::Role,
        crate::models::account::Address,
        accounts::RegisterBody,
        accounts::LoginBody,
        accounts::EmailBody,
        accounts::PasswordChangeBody,
        accounts::ResetConfirmBody,
        accounts::ProfilePatch,
        accounts::Message,
        accounts::UserRow,
        accounts::PaymentEventRow,
        crate::models::PaymentIssue,
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
        .route("/orders/{id}/checkout", post(shop::start_checkout))
        .route("/orders/{id}/invoice.pdf", get(shop::invoice_pdf))
        .route("/auth/register", post(accounts::register))
        .route("/auth/login", post(accounts::login))
        .route("/auth/logout", post(accounts::logout))
        .route("/auth/password-reset", post(accounts::password_reset))
        .route("/auth/password-reset/confirm", post(accounts::password_reset_confirm))
        .route("/me", get(accounts::me).patch(accounts::patch_me))
        .route("/me/password", post(accounts::change_password))
        .route("/admin/users", get(accounts::admin_users))
        .route("/admin/payment-events", get(accounts::admin_payment_events))
        .fallback(|| async { ApiError(crate::models::AppError::NotFound("No such API endpoint".into())) });
    Router::new().nest("/api/v1", v1).route("/api/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
