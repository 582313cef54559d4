//! REST API under `/api/v1` (JSON), described by OpenAPI 3 at `/api/openapi.json`.

mod accounts;
mod admin;
mod catalog;
mod shop;

use crate::http::error;
use crate::http::ApiError;

use crate::flows::state::AppState;
use axum::{routing::get, Json, Router};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "fullstack-ws shop API", version = "1"),
    modifiers(&MalformedInput),
    paths(
        catalog::categories,
        catalog::products,
        catalog::suggestions,
        catalog::product,
        catalog::recommendations,
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
        accounts::email_change_confirm,
        accounts::email_change_undo,
        accounts::login_code,
        accounts::two_factor_begin,
        accounts::two_factor_confirm,
        accounts::two_factor_disable,
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
        admin::put_product_translation,
        admin::delete_product_translation,
        admin::put_category_translation,
        admin::delete_category_translation,
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
        accounts::EmailLinkBody,
        accounts::TwoFactorRequired,
        accounts::CodeBody,
        accounts::PasswordBody,
        crate::models::account::TwoFactorSetup,
        accounts::RecoveryCodes,
        accounts::ProfilePatch,
        accounts::Message,
        crate::models::PaymentIssue,
        error::ErrorBody,
        error::ErrorDetail,
    ))
)]
pub struct ApiDoc;

/// Every operation that takes a path parameter, a query or a body answers 400 when that
/// input cannot even be parsed (an id that is not a number, JSON of the wrong shape):
/// documented once here rather than on every route (schemathesis found it missing).
struct MalformedInput;

impl utoipa::Modify for MalformedInput {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{content::ContentBuilder, Ref, ResponseBuilder};
        let response = ResponseBuilder::new()
            .description("Input that cannot be parsed: a malformed id, query or body")
            .content(
                "application/json",
                ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
            )
            .build();
        for item in openapi.paths.paths.values_mut() {
            let shared_parameters = item.parameters.as_ref().is_some_and(|p| !p.is_empty());
            for op in [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch]
                .into_iter()
                .flatten()
            {
                let takes_input = shared_parameters
                    || op.request_body.is_some()
                    || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                if takes_input {
                    op.responses.responses.entry("400".into()).or_insert_with(|| response.clone().into());
                }
            }
        }
    }
}

/// The API: one router per area, merged under `/api/v1`.
pub fn router() -> Router<AppState> {
    let v1 = Router::new()
        .merge(catalog::router())
        .merge(shop::router())
        .merge(accounts::router())
        .nest("/admin", admin::router())
        .fallback(|| async { ApiError(crate::models::AppError::NotFound("No such API endpoint".into())) })
        .layer(axum::middleware::from_fn(crate::http::language::answer_in));
    Router::new().nest("/api/v1", v1).route("/api/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
