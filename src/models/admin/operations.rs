//! Users, the job queue and the audit log as admins see them.

use crate::models::account::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdminUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    /// RFC 3339.
    pub created_at: String,
    pub last_login_at: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct UserFilter {
    /// Part of the email or name, case-insensitive.
    pub q: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// `PATCH /admin/users/{id}`: either or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserPatch {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// The states a job is listed by.
pub const JOB_STATES: [&str; 4] = ["pending", "running", "retrying", "failed"];

/// A job in fang's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct JobRow {
    pub id: String,
    /// The job's Rust type, e.g. `DeliverMail`.
    pub job: String,
    /// `pending`, `running`, `retrying` or `failed`.
    pub state: String,
    pub retries: i32,
    pub error: Option<String>,
    /// RFC 3339: when it runs next (pending, retrying) or last ran.
    pub scheduled_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    /// RFC 3339.
    pub at: String,
    pub actor_email: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON of the record before and after the change (none for creation or deletion).
    pub before: Option<String>,
    pub after: Option<String>,
}
