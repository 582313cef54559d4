//! JSON error responses: `{"error": {"code", "message", "fields"}}` with a fitting status.

use crate::models::{AppError, FieldErrors};
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "FieldErrors::is_empty")]
    pub fields: FieldErrors,
}

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        // In the language the call was answered in (`http::language::answer_in`).
        let lang = crate::http::language::current();
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.0.code().into(),
                message: self.0.message_in(lang),
                fields: self.0.fields_in(lang),
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let AppError::RateLimited { retry_after } = self.0 {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, retry_after.into());
        }
        response
    }
}
