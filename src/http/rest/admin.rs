//! The back office over REST, `/api/v1/admin/…`: admins only (401 anonymous, 403
//! customers), every change audited. The same services as the admin pages.

use super::catalog::parse_id;
use crate::flows::admin::{self as flows, actor};
use crate::flows::auth::AuthSession;
use crate::flows::state::AppState;
use crate::http::error::{json_body, ErrorBody};
use crate::http::ApiError;
use crate::models::admin::*;
use crate::models::{AppError, Page};
use crate::services::admin as svc;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

type Res<T> = Result<Json<T>, ApiError>;

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(t)| t).map_err(|e| ApiError(AppError::BadRequest(e.body_text())))
}

/// A page of admin rows, named for the OpenAPI document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RowPage<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

impl<T> From<Page<T>> for RowPage<T> {
    fn from(p: Page<T>) -> Self {
        Self { items: p.items, page: p.page, per_page: p.per_page, total: p.total }
    }
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
pub async fn dashboard(State(state): State<AppState>, auth: AuthSession) -> Res<Dashboard> {
    actor(&auth)?;
    Ok(Json(svc::dashboard::dashboard(&state.db, chrono::Utc::now()).await?))
}

#[utoipa::path(get, path = "/api/v1/admin/products", params(ProductFilter),
    responses((status = 200, body = RowPage<AdminProduct>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_products(
    State(state): State<AppState>,
    auth: AuthSession,
    q: Result<Query<ProductFilter>, QueryRejection>,
) -> Res<RowPage<AdminProduct>> {
    actor(&auth)?;
    Ok(Json(svc::catalog::list_products(&state.db, &query(q)?).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/admin/products", request_body = ProductInput,
    responses((status = 201, body = AdminProduct), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_product(
    State(state): State<AppState>,
    auth: AuthSession,
    body: Result<Json<ProductInput>, JsonRejection>,
) -> Result<(StatusCode, Json<AdminProduct>), ApiError> {
    let actor = actor(&auth)?;
    let input = json_body(body)?;
    Ok((StatusCode::CREATED, Json(svc::catalog::create_product(&state.db, &actor, &input).await?)))
}

#[utoipa::path(get, path = "/api/v1/admin/products/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = AdminProduct), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_product(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<String>,
) -> Res<AdminProduct> {
    actor(&auth)?;
    Ok(Json(svc::catalog::get_product(&state.db, parse_id(&id)?).await?))
}

#[utoipa::path(patch, path = "/api/v1/admin/products/{id}", params(("id" = i64, Path)), request_body = ProductInput,
    responses((status = 200, body = AdminProduct), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_product(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<String>,
    body: Result<Json<ProductInput>, JsonRejection>,
) -> Res<AdminProduct> {
    let actor = actor(&auth)?;
    let id = parse_id(&id)?;
    let input = json_body(body)?;
    Ok(Json(svc::catalog::update_product(&state.db, &actor, id, &input).await?))
}

#[utoipa::path(delete, path = "/api/v1/admin/products/{id}", params(("id" = i64, Path)),
    responses((status = 200, description = "Deleted, or archived if it was ever ordered", body = Removed),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_product(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<String>,
) -> Res<Removed> {
    let actor = actor(&auth)?;
    Ok(Json(Removed { outcome: svc::catalog::remove_product(&state.db, &actor, parse_id(&id)?).await? }))
}

#[utoipa::path(post, path = "/api/v1/admin/products/availability", request_body = BulkAvailability,
    responses((status = 200, body = Changed), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn bulk_availability(
    State(state): State<AppState>,
    auth: AuthSession,
    body: Result<Json<BulkAvailability>, JsonRejection>,
) -> Res<Changed> {
    let actor = actor(&auth)?;
    let b = json_body(body)?;
    Ok(Json(Changed {
        changed: svc::catalog::set_availability(&state.db, &actor, &b.ids, b.available).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/admin/products/{id}/image", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "Field `image`: JPEG, PNG, WebP or GIF, at most 2 MB"),
    responses((status = 200, body = AdminProduct), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload_image(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Res<AdminProduct> {
    let id = parse_id(&id)?;
    Ok(Json(crate::http::admin_forms::upload_image_api(&state, &auth, id, form).await?))
}

#[utoipa::path(get, path = "/api/v1/admin/categories",
    responses((status = 200, body = [AdminCategory]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_categories(State(state): State<AppState>, auth: AuthSession) -> Res<Vec<AdminCategory>> {
    actor(&auth)?;
    Ok(Json(svc::catalog::list_categories(&state.db).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/categories", request_body = CategoryInput,
    responses((status = 201, body = AdminCategory), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_category(
    State(state): State<AppState>,
    auth: AuthSession,
    body: Result<Json<CategoryInput>, JsonRejection>,
) -> Result<(StatusCode, Json<AdminCategory>), ApiError> {
    let actor = actor(&auth)?;
    let input = json_body(body)?;
    Ok((StatusCode::CREATED, Json(svc::catalog::create_category(&state.db, &actor, &input).await?)))
}

#[utoipa::path(get, path = "/api/v1/admin/categories/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = AdminCategory), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_category(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<String>,
) -> Res<AdminCategory> {
    actor(&auth)?;
    Ok(Json(svc::catalog::get_category(&state.db, parse_id(&id)?).await?))
}

#[utoipa::path(patch, path = "/api/v1/admin/categories/{id}", params(("id" = i64, Path)), request_body = CategoryInput,
    responses((status = 200, body = AdminCategory), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_category(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<String>,
    body: Result<Json<CategoryInput>, JsonRejection>,
) -> Res<AdminCategory> {
    let actor = actor(&auth)?;
    let id = parse_id(&id)?;
    let input = json_body(body)?;
    Ok(Json(svc::catalog::update_category(&state.db, &actor, id, &input).await?))
}

#[utoipa::path(delete, path = "/api/v1/admin/categories/{id}", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "The category still holds products", body = ErrorBody)))]
pub async fn delete_category(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = actor(&auth)?;
    svc::catalog::delete_category(&state.db, &actor, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/admin/coupons",
    responses((status = 200, body = [AdminCoupon]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_coupons(State(state): State<AppState>, auth: AuthSession) -> Res<Vec<AdminCoupon>> {
    actor(&auth)?;
    Ok(Json(svc::coupons::list_coupons(&state.db).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/coupons", request_body = CouponInput,
    responses((status = 201, body = AdminCoupon), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_coupon(
    State(state): State<AppState>,
    auth: AuthSession,
    body: Result<Json<CouponInput>, JsonRejection>,
) -> Result<(StatusCode, Json<AdminCoupon>), ApiError> {
    let actor = actor(&auth)?;
    let input = json_body(body)?;
    Ok((StatusCode::CREATED, Json(svc::coupons::create_coupon(&state.db, &actor, &input).await?)))
}

#[utoipa::path(get, path = "/api/v1/admin/coupons/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = AdminCoupon), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_coupon(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<String>,
) -> Res<AdminCoupon> {
    actor(&auth)?;
    Ok(Json(svc::coupons::get_coupon(&state.db, parse_id(&id)?).await?))
}

#[utoipa::path(patch, path = "/api/v1/admin/coupons/{id}", params(("id" = i64, Path)), request_body = CouponInput,
    responses((status = 200, body = AdminCoupon), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_coupon(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<String>,
    body: Result<Json<CouponInput>, JsonRejection>,
) -> Res<AdminCoupon> {
    let actor = actor(&auth)?;
    let id = parse_id(&id)?;
    let input = json_body(body)?;
    Ok(Json(svc::coupons::update_coupon(&state.db, &actor, id, &input).await?))
}

#[utoipa::path(delete, path = "/api/v1/admin/coupons/{id}", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_coupon(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = actor(&auth)?;
    svc::coupons::delete_coupon(&state.db, &actor, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/admin/orders", params(OrderFilter),
    responses((status = 200, body = RowPage<AdminOrderRow>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_orders(
    State(state): State<AppState>,
    auth: AuthSession,
    q: Result<Query<OrderFilter>, QueryRejection>,
) -> Res<RowPage<AdminOrderRow>> {
    actor(&auth)?;
    Ok(Json(svc::orders::list_orders(&state.db, &query(q)?).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/admin/orders/export.csv", params(OrderFilter),
    responses((status = 200, content_type = "text/csv", description = "UTF-8, header row first, streamed"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[allow(dead_code)] // documents `http::admin_forms::export_csv` for OpenAPI
fn export_csv_doc() {}

#[utoipa::path(get, path = "/api/v1/admin/orders/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = AdminOrderDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_order(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<String>,
) -> Res<AdminOrderDetail> {
    actor(&auth)?;
    Ok(Json(flows::order_detail(&state, parse_id(&id)?).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/orders/{id}/cancel", params(("id" = i64, Path)),
    responses((status = 200, description = "Cancelled (or already cancelled); stock released", body = AdminOrderDetail),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "Paid orders cannot be cancelled", body = ErrorBody)))]
pub async fn cancel_order(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<String>,
) -> Res<AdminOrderDetail> {
    let actor = actor(&auth)?;
    Ok(Json(flows::cancel_order(&state, &actor, parse_id(&id)?).await?))
}

#[utoipa::path(get, path = "/api/v1/admin/users", params(UserFilter),
    responses((status = 200, body = RowPage<AdminUser>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    auth: AuthSession,
    q: Result<Query<UserFilter>, QueryRejection>,
) -> Res<RowPage<AdminUser>> {
    actor(&auth)?;
    Ok(Json(svc::users::list_users(&state.db, &query(q)?).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", params(("id" = i64, Path)), request_body = UserPatch,
    responses((status = 200, body = AdminUser), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "Would demote or disable yourself, or the last admin", body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<String>,
    body: Result<Json<UserPatch>, JsonRejection>,
) -> Res<AdminUser> {
    let actor = actor(&auth)?;
    let id = parse_id(&id)?;
    let patch = json_body(body)?;
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
    responses((status = 200, description = "Newest first, with payload and outcome", body = RowPage<PaymentEventView>),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn payment_events(
    State(state): State<AppState>,
    auth: AuthSession,
    q: Result<Query<ListParams>, QueryRejection>,
) -> Res<RowPage<PaymentEventView>> {
    actor(&auth)?;
    let q = query(q)?;
    let (page, per_page) = page_bounds(q.page, q.per_page)?;
    Ok(Json(svc::orders::payment_events(&state.db, page, per_page).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/admin/jobs", params(ListParams),
    responses((status = 200, body = RowPage<JobRow>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_jobs(
    State(state): State<AppState>,
    auth: AuthSession,
    q: Result<Query<ListParams>, QueryRejection>,
) -> Res<RowPage<JobRow>> {
    actor(&auth)?;
    let q = query(q)?;
    let (page, per_page) = page_bounds(q.page, q.per_page)?;
    Ok(Json(svc::jobs::list_jobs(&state.db, q.state.as_deref(), page, per_page).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/admin/jobs/{id}/retry", params(("id" = String, Path, description = "Job UUID")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "Only failed jobs are retried", body = ErrorBody)))]
pub async fn retry_job(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = actor(&auth)?;
    flows::retry_job(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/admin/audit", params(ListParams),
    responses((status = 200, description = "Newest first", body = RowPage<AuditEntry>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn audit_log(
    State(state): State<AppState>,
    auth: AuthSession,
    q: Result<Query<ListParams>, QueryRejection>,
) -> Res<RowPage<AuditEntry>> {
    actor(&auth)?;
    let q = query(q)?;
    let (page, per_page) = page_bounds(q.page, q.per_page)?;
    let entity = match (&q.entity, &q.entity_id) {
        (Some(kind), Some(id)) => Some((kind.as_str(), id.as_str())),
        _ => None,
    };
    Ok(Json(svc::audit_log(&state.db, entity, page, per_page).await?.into()))
}
