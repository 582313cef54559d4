//! The back office's domain logic. Every change an admin makes runs in a transaction
//! that also writes its audit entry (who, what, when, before and after).

pub mod catalog;
pub mod coupons;
pub mod dashboard;
pub mod jobs;
pub mod media;
pub mod orders;
pub mod users;

use crate::entities::audit_entry;
use crate::models::admin::AuditEntry;
use crate::models::{AppError, Page};
use chrono::Utc;
use sea_orm::sea_query::{Expr, Func, IntoColumnRef, LikeExpr, SimpleExpr};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder, Set};
use serde::Serialize;

/// The admin making a change.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: i64,
    pub email: String,
}

impl Actor {
    pub fn of(account: &crate::entities::user::Model) -> Self {
        Self { id: account.id, email: account.email.clone() }
    }
}

pub(crate) use crate::infra::db::begin_write;

/// A record as JSON for the audit log.
pub fn snapshot(value: &impl Serialize) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// Writes one audit entry inside the caller's transaction.
pub async fn audit(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: impl ToString,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    audit_entry::ActiveModel {
        at: Set(Utc::now()),
        actor_id: Set(Some(actor.id)),
        actor_email: Set(actor.email.clone()),
        action: Set(action.into()),
        entity: Set(entity.into()),
        entity_id: Set(entity_id.to_string()),
        before: Set(before.map(|b| b.to_string())),
        after: Set(after.map(|a| a.to_string())),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    tracing::info!(actor = actor.id, action, entity, "admin change");
    Ok(())
}

/// The audit log, newest first; optionally one entity's entries.
pub async fn audit_log(
    db: &impl ConnectionTrait,
    entity: Option<(&str, &str)>,
    page: u32,
    per_page: u32,
) -> Result<Page<AuditEntry>, AppError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let mut select = audit_entry::Entity::find();
    if let Some((kind, id)) = entity {
        select =
            select.filter(audit_entry::Column::Entity.eq(kind)).filter(audit_entry::Column::EntityId.eq(id));
    }
    let paginator = select
        .order_by_desc(audit_entry::Column::At)
        .order_by_desc(audit_entry::Column::Id)
        .paginate(db, per_page.into());
    let total = paginator.num_items().await?;
    let items = paginator
        .fetch_page(u64::from(page - 1))
        .await?
        .into_iter()
        .map(|e| AuditEntry {
            id: e.id,
            at: e.at.to_rfc3339(),
            actor_email: e.actor_email,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            before: e.before,
            after: e.after,
        })
        .collect();
    Ok(Page { items, page, per_page, total })
}

/// Escapes LIKE wildcards so user text matches literally (escape character `\`).
pub(crate) fn like_pattern(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    escaped.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

/// `lower(column) LIKE %text%`, with the text's wildcards taken literally.
pub(crate) fn contains(column: impl IntoColumnRef, text: &str) -> SimpleExpr {
    let pattern = like_pattern(text);
    Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(pattern).escape('\\'))
}

/// A search text trimmed, and `None` when blank; too long is a field error.
pub(crate) fn search_text(field: &str, text: Option<&str>) -> Result<Option<String>, AppError> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    match text {
        Some(t) if t.chars().count() > crate::models::MAX_QUERY_CHARS => {
            Err(AppError::field(field, "Use at most 100 characters."))
        }
        other => Ok(other.map(str::to_string)),
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_pattern_escapes_wildcards_and_lowercases() {
        assert_eq!(like_pattern("Tea"), "%tea%");
        assert_eq!(like_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
    }
}
