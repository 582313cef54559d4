//! The one error type that crosses the wire, for server functions and REST alike.
//! Internal details never leave the server: they are logged where they happen and the
//! client gets `Internal`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Field name → human-readable reason.
pub type FieldErrors = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("Please correct the highlighted fields.")]
    Validation(FieldErrors),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    /// Not logged in (or the session ended).
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("Too many attempts. Try again in {retry_after} seconds.")]
    RateLimited { retry_after: u64 },
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// A service the shop depends on (the payment provider) cannot be reached now.
    #[error("{0}")]
    Unavailable(String),
    /// Transport or encoding failure between browser and server.
    #[error("Could not reach the shop: {0}")]
    Network(String),
}

impl AppError {
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    pub fn field(name: &str, why: impl Into<String>) -> Self {
        Self::Validation(BTreeMap::from([(name.to_string(), why.into())]))
    }

    /// What to tell the person who asked, in their language. The text that travels is
    /// English (see `models::messages`); this is where it is translated.
    pub fn message_in(&self, lang: super::lang::Locale) -> String {
        match self {
            Self::Validation(_) => lang.message(super::messages::msg!(fix_fields)),
            other => lang.message(&other.to_string()),
        }
    }

    /// The field messages of a validation error, in `lang`.
    pub fn fields_in(&self, lang: super::lang::Locale) -> FieldErrors {
        match self {
            Self::Validation(fields) => {
                fields.iter().map(|(k, why)| (k.clone(), lang.message(why))).collect()
            }
            _ => FieldErrors::new(),
        }
    }

    /// Stable machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::Validation(_) => "validation_failed",
            Self::BadRequest(_) => "bad_request",
            Self::Conflict(_) => "conflict",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::RateLimited { .. } => "rate_limited",
            Self::Internal => "internal",
            Self::Unavailable(_) => "unavailable",
            Self::Network(_) => "network",
        }
    }

    /// HTTP status code for this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound(_) => 404,
            Self::Validation(_) => 422,
            Self::BadRequest(_) => 400,
            Self::Conflict(_) => 409,
            Self::Unauthorized(_) => 401,
            Self::Forbidden(_) => 403,
            Self::RateLimited { .. } => 429,
            Self::Internal => 500,
            Self::Unavailable(_) => 503,
            Self::Network(_) => 502,
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            // The request reached the server but its arguments could not be read.
            E::Args(why) | E::MissingArg(why) => {
                Self::BadRequest(format!("The request was not understood: {why}"))
            }
            // On the server this is undecodable input; in the browser, an undecodable reply.
            #[cfg(feature = "ssr")]
            E::Deserialization(why) => Self::BadRequest(format!("The request was not understood: {why}")),
            other => Self::Network(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        tracing::error!(error = %err, "database error");
        Self::Internal
    }
}
