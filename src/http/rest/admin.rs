//! The back office over REST, `/api/v1/admin/…`: admins only (401 anonymous, 403
//! customers), every change audited. The same services as the admin pages.

use crate::flows::admin as flows;
use crate::flows::state::AppState;
use crate::http::error::ErrorBody;
use crate::http::extract::{admin_only, Admin, ApiJson, ApiQuery, Id};
use crate::http::ApiError;
use crate::models::admin::*;
use crate::models::Page;
use crate::services::admin as svc;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

type Res<T> = Result<Json<T>, ApiError>;

/// Everything under `/api/v1/admin`, behind the staff-only route layer.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route("/products", get(list_products).post(create_product))
        .route("/products/availability", post(bulk_availability))
        .route("/products/{id}", get(get_product).patch(update_product).delete(delete_product))
        .route(
            "/products/{id}/image",
            post(upload_image).layer(axum::extract::DefaultBodyLimit::max(crate::http::UPLOAD_LIMIT)),
        )
        .route("/categories", get(list_categories).post(create_category))
        .route("/categories/{id}", get(get_category).patch(update_category).delete(delete_category))
        .route(
            "/products/{id}/translations/{locale}",
            axum::routing::put(put_product_translation).delete(delete_product_translation),
        )
        .route(
            "/categories/{id}/translations/{locale}",
            axum::routing::put(put_category_translation).delete(delete_category_translation),
        )
        .route("/coupons", get(list_coupons).post(create_coupon))
        .route("/coupons/{id}", get(get_coupon).patch(update_coupon).delete(delete_coupon))
        .route("/orders", get(list_orders))
        .route("/orders/export.csv", get(crate::http::admin_forms::export_csv))
        .route("/orders/{id}", get(get_order))
        .route("/orders/{id}/cancel", post(cancel_order))
        .route("/users", get(list_users))
        .route("/users/{id}", patch(update_user))
        .route("/payment-events", get(payment_events))
        .route("/jobs", get(list_jobs))
        .route("/jobs/{id}/retry", post(retry_job))
        .route("/audit", get(audit_log))
        .route_layer(axum::middleware::from_fn(admin_only))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Removed {
    pub outcome: Removal,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Changed {
    pub changed: u64,
}

#[utoipa::path(get, path = "/api/v1/admin/dashboard",
    responses((status = 200, body = Dashboard), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn dashboard(State(state): State<AppState>) -> Res<Dashboard> {
    Ok(Json(svc::dashboard::dashboard(&state.db, chrono::Utc::now()).await?))
}

#[utoipa::path(get, path = "/api/v1/admin/products", params(ProductFilter),
    responses((status = 200, body = Page<AdminProduct>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_products(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ProductFilter>,
) -> Res<Page<AdminProduct>> {
    Ok(Json(svc::catalog::list_products(&state.db, &q).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/products", request_body = ProductInput,
    responses((status = 201, body = AdminProduct), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_product(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ApiJson(input): ApiJson<ProductInput>,
) -> Result<(StatusCode, Json<AdminProduct>), ApiError> {
    Ok((StatusCode::CREATED, Json(svc::catalog::create_product(&state.db, &actor, &input).await?)))
}

#[utoipa::path(get, path = "/api/v1/admin/products/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = AdminProduct), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_product(State(state): State<AppState>, Id(id): Id) -> Res<AdminProduct> {
    Ok(Json(svc::catalog::get_product(&state.db, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/admin/products/{id}", params(("id" = i64, Path)), request_body = ProductInput,
    responses((status = 200, body = AdminProduct), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_product(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Id(id): Id,
    ApiJson(input): ApiJson<ProductInput>,
) -> Res<AdminProduct> {
    Ok(Json(svc::catalog::update_product(&state.db, &actor, id, &input).await?))
}

/// `{id}/translations/{locale}`: a positive id and the language's tag.
fn translation_path(Path((id, locale)): Path<(String, String)>) -> Result<(i64, String), ApiError> {
    Ok((crate::http::extract::parse_id(&id)?, locale))
}

#[utoipa::path(put, path = "/api/v1/admin/products/{id}/translations/{locale}",
    params(("id" = i64, Path), ("locale" = String, Path, description = "A shop language other than English: `es`")),
    request_body = TranslationInput,
    responses((status = 200, body = AdminProduct), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, description = "No such product, or not a language to translate into", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_product_translation(
    State(state): State<AppState>,
    Admin(actor): Admin,
    path: Path<(String, String)>,
    ApiJson(input): ApiJson<TranslationInput>,
) -> Res<AdminProduct> {
    let (id, locale) = translation_path(path)?;
    Ok(Json(svc::catalog::set_product_translation(&state.db, &actor, id, &locale, &input).await?))
}

#[utoipa::path(delete, path = "/api/v1/admin/products/{id}/translations/{locale}",
    params(("id" = i64, Path), ("locale" = String, Path)),
    responses((status = 200, body = AdminProduct), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_product_translation(
    State(state): State<AppState>,
    Admin(actor): Admin,
    path: Path<(String, String)>,
) -> Res<AdminProduct> {
    let (id, locale) = translation_path(path)?;
    Ok(Json(svc::catalog::remove_product_translation(&state.db, &actor, id, &locale).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/categories/{id}/translations/{locale}",
    params(("id" = i64, Path), ("locale" = String, Path, description = "A shop language other than English: `es`")),
    request_body = TranslationInput,
    responses((status = 200, body = AdminCategory), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_category_translation(
    State(state): State<AppState>,
    Admin(actor): Admin,
    path: Path<(String, String)>,
    ApiJson(input): ApiJson<TranslationInput>,
) -> Res<AdminCategory> {
    let (id, locale) = translation_path(path)?;
    Ok(Json(svc::catalog::set_category_translation(&state.db, &actor, id, &locale, &input).await?))
}

#[utoipa::path(delete, path = "/api/v1/admin/categories/{id}/translations/{locale}",
    params(("id" = i64, Path), ("locale" = String, Path)),
    responses((status = 200, body = AdminCategory), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_category_translation(
    State(state): State<AppState>,
    Admin(actor): Admin,
    path: Path<(String, String)>,
) -> Res<AdminCategory> {
    let (id, locale) = translation_path(path)?;
    Ok(Json(svc::catalog::remove_category_translation(&state.db, &actor, id, &locale).await?))
}

#[utoipa::path(delete, path = "/api/v1/admin/products/{id}", params(("id" = i64, Path)),
    responses((status = 200, description = "Deleted, or archived if it was ever ordered", body = Removed),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_product(State(state): State<AppState>, Admin(actor): Admin, Id(id): Id) -> Res<Removed> {
    Ok(Json(Removed { outcome: svc::catalog::remove_product(&state.db, &actor, id).await? }))
}

#[utoipa::path(post, path = "/api/v1/admin/products/availability", request_body = BulkAvailability,
    responses((status = 200, body = Changed), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn bulk_availability(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ApiJson(b): ApiJson<BulkAvailability>,
) -> Res<Changed> {
    Ok(Json(Changed {
        changed: svc::catalog::set_availability(&state.db, &actor, &b.ids, b.available).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/admin/products/{id}/image", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "Field `image`: JPEG, PNG, WebP or GIF, at most 2 MB"),
    responses((status = 200, body = AdminProduct), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload_image(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Id(id): Id,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Res<AdminProduct> {
    Ok(Json(crate::http::admin_forms::upload_image_api(&state, &actor, id, form).await?))
}

#[utoipa::path(get, path = "/api/v1/admin/categories",
    responses((status = 200, body = [AdminCategory]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_categories(State(state): State<AppState>) -> Res<Vec<AdminCategory>> {
    Ok(Json(svc::catalog::list_categories(&state.db).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/categories", request_body = CategoryInput,
    responses((status = 201, body = AdminCategory), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_category(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ApiJson(input): ApiJson<CategoryInput>,
) -> Result<(StatusCode, Json<AdminCategory>), ApiError> {
    Ok((StatusCode::CREATED, Json(svc::catalog::create_category(&state.db, &actor, &input).await?)))
}

#[utoipa::path(get, path = "/api/v1/admin/categories/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = AdminCategory), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_category(State(state): State<AppState>, Id(id): Id) -> Res<AdminCategory> {
    Ok(Json(svc::catalog::get_category(&state.db, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/admin/categories/{id}", params(("id" = i64, Path)), request_body = CategoryInput,
    responses((status = 200, body = AdminCategory), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_category(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Id(id): Id,
    ApiJson(input): ApiJson<CategoryInput>,
) -> Res<AdminCategory> {
    Ok(Json(svc::catalog::update_category(&state.db, &actor, id, &input).await?))
}

#[utoipa::path(delete, path = "/api/v1/admin/categories/{id}", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "The category still holds products", body = ErrorBody)))]
pub async fn delete_category(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    svc::catalog::delete_category(&state.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/admin/coupons",
    responses((status = 200, body = [AdminCoupon]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_coupons(State(state): State<AppState>) -> Res<Vec<AdminCoupon>> {
    Ok(Json(svc::coupons::list_coupons(&state.db).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/coupons", request_body = CouponInput,
    responses((status = 201, body = AdminCoupon), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_coupon(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ApiJson(input): ApiJson<CouponInput>,
) -> Result<(StatusCode, Json<AdminCoupon>), ApiError> {
    Ok((StatusCode::CREATED, Json(svc::coupons::create_coupon(&state.db, &actor, &input).await?)))
}

#[utoipa::path(get, path = "/api/v1/admin/coupons/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = AdminCoupon), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_coupon(State(state): State<AppState>, Id(id): Id) -> Res<AdminCoupon> {
    Ok(Json(svc::coupons::get_coupon(&state.db, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/admin/coupons/{id}", params(("id" = i64, Path)), request_body = CouponInput,
    responses((status = 200, body = AdminCoupon), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_coupon(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Id(id): Id,
    ApiJson(input): ApiJson<CouponInput>,
) -> Res<AdminCoupon> {
    Ok(Json(svc::coupons::update_coupon(&state.db, &actor, id, &input).await?))
}

#[utoipa::path(delete, path = "/api/v1/admin/coupons/{id}", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_coupon(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    svc::coupons::delete_coupon(&state.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/admin/orders", params(OrderFilter),
    responses((status = 200, body = Page<AdminOrderRow>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_orders(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<OrderFilter>,
) -> Res<Page<AdminOrderRow>> {
    Ok(Json(svc::orders::list_orders(&state.db, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/admin/orders/export.csv", params(OrderFilter),
    responses((status = 200, content_type = "text/csv", description = "UTF-8, header row first, streamed"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[allow(dead_code)] // documents `http::admin_forms::export_csv` for OpenAPI
fn export_csv_doc() {}

#[utoipa::path(get, path = "/api/v1/admin/orders/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = AdminOrderDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_order(State(state): State<AppState>, Id(id): Id) -> Res<AdminOrderDetail> {
    Ok(Json(flows::order_detail(&state, id).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/orders/{id}/cancel", params(("id" = i64, Path)),
    responses((status = 200, description = "Cancelled (or already cancelled); stock released", body = AdminOrderDetail),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "Paid orders cannot be cancelled", body = ErrorBody)))]
pub async fn cancel_order(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Id(id): Id,
) -> Res<AdminOrderDetail> {
    Ok(Json(flows::cancel_order(&state, &actor, id).await?))
}

#[utoipa::path(get, path = "/api/v1/admin/users", params(UserFilter),
    responses((status = 200, body = Page<AdminUser>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<UserFilter>,
) -> Res<Page<AdminUser>> {
    Ok(Json(svc::users::list_users(&state.db, &q).await?))
}

#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", params(("id" = i64, Path)), request_body = UserPatch,
    responses((status = 200, body = AdminUser), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "Would demote or disable yourself, or the last admin", body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Id(id): Id,
    ApiJson(patch): ApiJson<UserPatch>,
) -> Res<AdminUser> {
    Ok(Json(svc::users::update_user(&state.db, &actor, id, &patch).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// For jobs: `pending`, `running`, `retrying` or `failed`.
    pub state: Option<String>,
    /// For the audit log: `product`, `order`, `user`, … with `entity_id`.
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/admin/payment-events", params(ListParams),
    responses((status = 200, description = "Newest first, with payload and outcome", body = Page<PaymentEventView>),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn payment_events(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Res<Page<PaymentEventView>> {
    let (page, per_page) = page_bounds(q.page, q.per_page)?;
    Ok(Json(svc::orders::payment_events(&state.db, page, per_page).await?))
}

#[utoipa::path(get, path = "/api/v1/admin/jobs", params(ListParams),
    responses((status = 200, body = Page<JobRow>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_jobs(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Res<Page<JobRow>> {
    let (page, per_page) = page_bounds(q.page, q.per_page)?;
    Ok(Json(svc::jobs::list_jobs(&state.db, q.state.as_deref(), page, per_page).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/jobs/{id}/retry", params(("id" = String, Path, description = "Job UUID")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "Only failed jobs are retried", body = ErrorBody)))]
pub async fn retry_job(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    flows::retry_job(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/admin/audit", params(ListParams),
    responses((status = 200, description = "Newest first", body = Page<AuditEntry>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn audit_log(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Res<Page<AuditEntry>> {
    let (page, per_page) = page_bounds(q.page, q.per_page)?;
    let entity = match (&q.entity, &q.entity_id) {
        (Some(kind), Some(id)) => Some((kind.as_str(), id.as_str())),
        _ => None,
    };
    Ok(Json(svc::audit_log(&state.db, entity, page, per_page).await?))
}
