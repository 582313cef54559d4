//! Accounts as the back office manages them: search, roles, disabling. Two rules guard
//! the shop's own access: an admin cannot demote or disable themself, and the last
//! active admin is never demoted or disabled.

use super::{audit, contains, search_text, snapshot, Actor};
use crate::entities::user;
use crate::models::account::Role;
use crate::models::admin::{page_bounds, AdminUser, UserFilter, UserPatch};
use crate::models::{AppError, Page};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

pub fn admin_user(u: user::Model) -> AdminUser {
    AdminUser {
        id: u.id,
        role: u.role,
        email: u.email,
        name: u.name,
        disabled: u.disabled,
        created_at: u.created_at.to_rfc3339(),
        last_login_at: u.last_login_at.map(|t| t.to_rfc3339()),
    }
}

/// Accounts matching the search (email or name), oldest first.
pub async fn list_users(db: &impl ConnectionTrait, filter: &UserFilter) -> Result<Page<AdminUser>, AppError> {
    let (page, per_page) = page_bounds(filter.page, filter.per_page)?;
    let mut select = user::Entity::find();
    if let Some(text) = search_text("q", filter.q.as_deref())? {
        select = select.filter(
            Condition::any()
                .add(contains((user::Entity, user::Column::Email), &text))
                .add(contains((user::Entity, user::Column::Name), &text)),
        );
    }
    let paginator = select.order_by_asc(user::Column::Id).paginate(db, u64::from(per_page));
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(u64::from(page - 1)).await?.into_iter().map(admin_user).collect();
    Ok(Page { items, page, per_page, total })
}

pub async fn get_user(db: &impl ConnectionTrait, id: i64) -> Result<AdminUser, AppError> {
    user::Entity::find_by_id(id).one(db).await?.map(admin_user).ok_or_else(|| AppError::not_found("User"))
}

/// Changes an account's role and/or disabled flag. A disabled account's sessions end at
/// their next request (the auth backend loads only active accounts).
pub async fn update_user(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    patch: &UserPatch,
) -> Result<AdminUser, AppError> {
    if patch.role.is_none() && patch.disabled.is_none() {
        return Err(AppError::BadRequest("Send `role`, `disabled` or both.".into()));
    }
    if id == actor.id && (patch.role == Some(Role::Customer) || patch.disabled == Some(true)) {
        return Err(AppError::Conflict("You cannot remove your own admin access; ask another admin.".into()));
    }
    let txn = db.begin().await?;
    // On PostgreSQL, concurrent changes to admins queue here (rows locked in id order), so
    // two demotions cannot each see the other as the remaining admin. SQLite serializes
    // writers anyway.
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::Role.eq(Role::Admin))
            .order_by_asc(user::Column::Id)
            .lock_exclusive()
            .into_tuple::<i64>()
            .all(&txn)
            .await?;
    }
    let before = get_user(db, id).await?;
    let mut update = user::Entity::update_many().col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()));
    if let Some(role) = patch.role {
        update = update.col_expr(user::Column::Role, Expr::value(role));
    }
    if let Some(disabled) = patch.disabled {
        update = update.col_expr(user::Column::Disabled, Expr::value(disabled));
    }
    if update.filter(user::Column::Id.eq(id)).exec(&txn).await?.rows_affected == 0 {
        return Err(AppError::not_found("User"));
    }
    let active_admins = user::Entity::find()
        .filter(user::Column::Role.eq(Role::Admin))
        .filter(user::Column::Disabled.eq(false))
        .count(&txn)
        .await?;
    if active_admins == 0 {
        return Err(AppError::Conflict("The shop must keep at least one active admin.".into()));
    }
    let after = get_user(&txn, id).await?;
    audit(&txn, actor, "user.update", "user", id, snapshot(&before), snapshot(&after)).await?;
    txn.commit().await?;
    if before.disabled != after.disabled {
        tracing::info!(user = id, disabled = after.disabled, "account access changed");
    }
    Ok(after)
}
