//! Cart and orders over REST, sharing the services (and the session cookie) with the site.

use crate::flows::auth::AuthSession;
use crate::flows::shopper;
use crate::flows::state::AppState;
use crate::http::error::ErrorBody;
use crate::http::extract::{ApiJson, Id, KnownShopper, OrderOwner};
use crate::http::ApiError;
use crate::infra::security::ClientIp;
use crate::models::{AppError, Cart, Order, OrderSummary, Shipping, SHOP_CURRENCY};
use crate::services::{cart, orders};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;

/// The cart and the shopper's orders.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cart", get(get_cart))
        .route("/cart/lines/{product_id}", put(put_line).delete(delete_line))
        .route("/cart/coupon", post(apply_coupon).delete(remove_coupon))
        .route("/orders", post(place_order).get(list_orders))
        .route("/orders/{id}", get(get_order))
        .route("/orders/{id}/cancel", post(cancel_order))
        .route("/orders/{id}/checkout", post(start_checkout))
        .route("/orders/{id}/invoice.pdf", get(invoice_pdf))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct QuantityBody {
    /// 0 removes the line.
    pub quantity: i32,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CouponBody {
    pub code: String,
}

#[utoipa::path(get, path = "/api/v1/cart", responses((status = 200, body = Cart)))]
pub async fn get_cart(
    State(state): State<AppState>,
    KnownShopper(shopper): KnownShopper,
) -> Result<Json<Cart>, ApiError> {
    Ok(Json(match shopper {
        Some(s) => cart::view(&state.db, &s).await?,
        None => Cart::empty(SHOP_CURRENCY),
    }))
}

#[utoipa::path(
    put,
    path = "/api/v1/cart/lines/{product_id}",
    params(("product_id" = i64, Path)),
    request_body = QuantityBody,
    responses(
        (status = 200, body = Cart),
        (status = 404, description = "No such product", body = ErrorBody),
        (status = 422, description = "Quantity out of range", body = ErrorBody),
    )
)]
pub async fn put_line(
    State(state): State<AppState>,
    session: AuthSession,
    Id(product_id): Id,
    ApiJson(body): ApiJson<QuantityBody>,
) -> Result<Json<Cart>, ApiError> {
    let quantity = body.quantity;
    let s = shopper::get_or_create(&session).await?;
    Ok(Json(cart::set_quantity(&state.db, &s, product_id, quantity).await?))
}

#[utoipa::path(delete, path = "/api/v1/cart/lines/{product_id}", params(("product_id" = i64, Path)),
    responses((status = 200, body = Cart)))]
pub async fn delete_line(
    State(state): State<AppState>,
    session: AuthSession,
    Id(product_id): Id,
) -> Result<Json<Cart>, ApiError> {
    let s = shopper::get_or_create(&session).await?;
    Ok(Json(cart::remove(&state.db, &s, product_id).await?))
}

#[utoipa::path(post, path = "/api/v1/cart/coupon", request_body = CouponBody,
    responses((status = 200, body = Cart), (status = 422, description = "Unknown, expired or inactive code", body = ErrorBody), (status = 429, description = "Too many attempts: wait for Retry-After", body = ErrorBody)))]
pub async fn apply_coupon(
    State(state): State<AppState>,
    session: AuthSession,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<CouponBody>,
) -> Result<Json<Cart>, ApiError> {
    let s = shopper::get_or_create(&session).await?;
    Ok(Json(crate::flows::checkout::apply_coupon(&state, &s, &body.code, ip).await?))
}

#[utoipa::path(delete, path = "/api/v1/cart/coupon", responses((status = 200, body = Cart)))]
pub async fn remove_coupon(
    State(state): State<AppState>,
    session: AuthSession,
) -> Result<Json<Cart>, ApiError> {
    let s = shopper::get_or_create(&session).await?;
    Ok(Json(cart::remove_coupon(&state.db, &s).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/orders",
    request_body = Shipping,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key returns the same order")),
    responses(
        (status = 201, description = "Placed", body = Order),
        (status = 200, description = "Already placed with this Idempotency-Key", body = Order),
        (status = 409, description = "Empty cart, or stock ran out", body = ErrorBody),
        (status = 429, description = "Too many attempts: wait for Retry-After", body = ErrorBody),
        (status = 422, description = "Invalid shipping fields", body = ErrorBody),
    )
)]
pub async fn place_order(
    State(state): State<AppState>,
    session: AuthSession,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    crate::http::language::RequestLanguage(lang): crate::http::language::RequestLanguage,
    ApiJson(shipping): ApiJson<Shipping>,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    let key = match headers.get("idempotency-key") {
        Some(v) => {
            v.to_str().map_err(|_| AppError::BadRequest("Idempotency-Key must be ASCII".into()))?.to_owned()
        }
        None => uuid::Uuid::new_v4().to_string(),
    };
    let s = shopper::get_or_create(&session).await?;
    let placed = crate::flows::checkout::place_order(&state, &s, &shipping, &key, ip, lang).await?;
    let status = if placed.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(placed.order)))
}

#[utoipa::path(get, path = "/api/v1/orders", responses((status = 200, body = [OrderSummary])))]
pub async fn list_orders(
    State(state): State<AppState>,
    KnownShopper(shopper): KnownShopper,
) -> Result<Json<Vec<OrderSummary>>, ApiError> {
    Ok(Json(match shopper {
        Some(s) => orders::list(&state.db, &s).await?,
        None => Vec::new(),
    }))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Order), (status = 404, description = "Not yours or no such order", body = ErrorBody)))]
pub async fn get_order(
    State(state): State<AppState>,
    Id(id): Id,
    OrderOwner(s): OrderOwner,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(orders::get(&state.db, &s, id).await?))
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", params(("id" = i64, Path)),
    responses((status = 200, body = Order), (status = 404, body = ErrorBody), (status = 409, description = "Already paid", body = ErrorBody)))]
pub async fn cancel_order(
    State(state): State<AppState>,
    Id(id): Id,
    OrderOwner(s): OrderOwner,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(crate::flows::payments::cancel(&state, &s, id).await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CheckoutStarted {
    /// Send the shopper here (Stripe's hosted payment page).
    pub checkout_url: String,
    pub session_id: String,
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/checkout", params(("id" = i64, Path)),
    responses(
        (status = 200, body = CheckoutStarted),
        (status = 404, description = "Not yours or no such order", body = ErrorBody),
        (status = 409, description = "Already paid or cancelled", body = ErrorBody),
        (status = 503, description = "Stripe cannot be reached", body = ErrorBody),
    ))]
pub async fn start_checkout(
    State(state): State<AppState>,
    Id(id): Id,
    OrderOwner(s): OrderOwner,
) -> Result<Json<CheckoutStarted>, ApiError> {
    let link = crate::flows::payments::pay(&state, &s, id).await?;
    Ok(Json(CheckoutStarted { checkout_url: link.url, session_id: link.session_id }))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}/invoice.pdf", params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The invoice", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "Not yours or no such order", body = ErrorBody),
    ))]
pub async fn invoice_pdf(
    State(state): State<AppState>,
    session: AuthSession,
    Id(id): Id,
) -> Result<axum::response::Response, ApiError> {
    let (file_name, pdf) = crate::flows::payments::invoice(&state, &session, id).await?;
    let disposition = format!("inline; filename=\"{file_name}\"");
    Ok((
        [(header::CONTENT_TYPE, "application/pdf".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        pdf,
    )
        .into_response())
}
