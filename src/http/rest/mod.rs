//! REST API under `/api/v1` (JSON), described by OpenAPI 3 at `/api/openapi.json`.

mod accounts;
mod admin;
mod catalog;
mod shop;

use crate::http::error;
use crate::http::ApiError;

use crate::flows::state::AppState;
use axum::{
    routing::{get, patch, post, put},
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
        admin::dashboard,
        admin::list_products,
        admin::create_product,
        admin::get_product,
        admin::update_product,
        admin::delete_product,
        admin::bulk_availability,
        admin::upload_image,
        admin::list_categories,
        admin::create_category,
        admin::get_category,
        admin::update_category,
        admin::delete_category,
        admin::list_coupons,
        admin::create_coupon,
        admin::get_coupon,
        admin::update_coupon,
        admin::delete_coupon,
        admin::list_orders,
        admin::export_csv_doc,
        admin::get_order,
        admin::cancel_order,
        admin::list_users,
        admin::update_user,
        admin::payment_events,
        admin::list_jobs,
        admin::retry_job,
        admin::audit_log,
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
        .route("/admin/dashboard", get(admin::dashboard))
        .route("/admin/products", get(admin::list_products).post(admin::create_product))
        .route("/admin/products/availability", post(admin::bulk_availability))
        .route(
            "/admin/products/{id}",
            get(admin::get_product).patch(admin::update_product).delete(admin::delete_product),
        )
        .route(
            "/admin/products/{id}/image",
            post(admin::upload_image).layer(axum::extract::DefaultBodyLimit::max(crate::http::UPLOAD_LIMIT)),
        )
        .route("/admin/categories", get(admin::list_categories).post(admin::create_category))
        .route(
            "/admin/categories/{id}",
            get(admin::get_category).patch(admin::update_category).delete(admin::delete_category),
        )
        .route("/admin/coupons", get(admin::list_coupons).post(admin::create_coupon))
        .route(
            "/admin/coupons/{id}",
            get(admin::get_coupon).patch(admin::update_coupon).delete(admin::delete_coupon),
        )
        .route("/admin/orders", get(admin::list_orders))
        .route("/admin/orders/export.csv", get(crate::http::admin_forms::export_csv))
        .route("/admin/orders/{id}", get(admin::get_order))
        .route("/admin/orders/{id}/cancel", post(admin::cancel_order))
        .route("/admin/users", get(admin::list_users))
        .route("/admin/users/{id}", patch(admin::update_user))
        .route("/admin/payment-events", get(admin::payment_events))
        .route("/admin/jobs", get(admin::list_jobs))
        .route("/admin/jobs/{id}/retry", post(admin::retry_job))
        .route("/admin/audit", get(admin::audit_log))
        .fallback(|| async { ApiError(crate::models::AppError::NotFound("No such API endpoint".into())) });
    Router::new().nest("/api/v1", v1).route("/api/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
