//! Coupons as the back office manages them.

use super::{audit, begin_write, snapshot, Actor};
use crate::entities::coupon;
use crate::models::admin::{AdminCoupon, CouponInput};
use crate::models::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryOrder, Set, SqlErr};

fn to_admin_coupon(c: coupon::Model) -> AdminCoupon {
    AdminCoupon {
        id: c.id,
        code: c.code,
        percent: c.percent,
        valid_from: c.valid_from.to_rfc3339(),
        valid_to: c.valid_to.to_rfc3339(),
        active: c.active,
    }
}

/// `YYYY-MM-DD` (the day's start, or its last second with `end_of_day`) or RFC 3339.
pub fn parse_instant(text: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let time = if end_of_day { day.and_hms_opt(23, 59, 59)? } else { day.and_hms_opt(0, 0, 0)? };
    Some(time.and_utc())
}

struct ValidCoupon {
    code: String,
    percent: i32,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    active: bool,
}

fn validate_coupon(input: &CouponInput) -> Result<ValidCoupon, AppError> {
    let fields = input.validate_fields();
    let mut errors = match &fields {
        Err(AppError::Validation(e)) => e.clone(),
        _ => Default::default(),
    };
    let from = parse_instant(&input.valid_from, false);
    let to = parse_instant(&input.valid_to, true);
    if from.is_none() {
        errors.insert("valid_from".into(), "Enter a date as YYYY-MM-DD.".into());
    }
    if to.is_none() {
        errors.insert("valid_to".into(), "Enter a date as YYYY-MM-DD.".into());
    }
    if let (Some(f), Some(t)) = (from, to) {
        if t <= f {
            errors.insert("valid_to".into(), "The end must be after the start.".into());
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let ok = fields?;
    Ok(ValidCoupon {
        code: ok.code,
        percent: ok.percent,
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
        active: ok.active,
    })
}

fn code_taken(e: sea_orm::DbErr) -> AppError {
    if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
        AppError::field("code", "A coupon with this code exists.")
    } else {
        e.into()
    }
}

pub async fn list_coupons(db: &impl ConnectionTrait) -> Result<Vec<AdminCoupon>, AppError> {
    let rows = coupon::Entity::find().order_by_asc(coupon::Column::Code).all(db).await?;
    Ok(rows.into_iter().map(to_admin_coupon).collect())
}

pub async fn get_coupon(db: &impl ConnectionTrait, id: i64) -> Result<AdminCoupon, AppError> {
    coupon::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(to_admin_coupon)
        .ok_or_else(|| AppError::not_found("Coupon"))
}

pub async fn create_coupon(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &CouponInput,
) -> Result<AdminCoupon, AppError> {
    let c = validate_coupon(input)?;
    let txn = begin_write(db).await?;
    let created = coupon::ActiveModel {
        code: Set(c.code),
        percent: Set(c.percent),
        valid_from: Set(c.from),
        valid_to: Set(c.to),
        active: Set(c.active),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(code_taken)?;
    let after = to_admin_coupon(created);
    audit(&txn, actor, "coupon.create", "coupon", after.id, None, snapshot(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Edits a coupon. Orders keep the code and percent they were placed with.
pub async fn update_coupon(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    input: &CouponInput,
) -> Result<AdminCoupon, AppError> {
    let c = validate_coupon(input)?;
    let before = get_coupon(db, id).await?;
    let txn = begin_write(db).await?;
    let updated = coupon::ActiveModel {
        id: Set(id),
        code: Set(c.code),
        percent: Set(c.percent),
        valid_from: Set(c.from),
        valid_to: Set(c.to),
        active: Set(c.active),
    }
    .update(&txn)
    .await
    .map_err(|e| match e {
        sea_orm::DbErr::RecordNotUpdated => AppError::not_found("Coupon"),
        other => code_taken(other),
    })?;
    let after = to_admin_coupon(updated);
    audit(&txn, actor, "coupon.update", "coupon", id, snapshot(&before), snapshot(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Deletes a coupon. Carts that applied it lose it (their foreign key is set null); orders
/// keep the code as text.
pub async fn delete_coupon(db: &DatabaseConnection, actor: &Actor, id: i64) -> Result<(), AppError> {
    let before = get_coupon(db, id).await?;
    let txn = begin_write(db).await?;
    if coupon::Entity::delete_by_id(id).exec(&txn).await?.rows_affected == 0 {
        return Err(AppError::not_found("Coupon"));
    }
    audit(&txn, actor, "coupon.delete", "coupon", id, snapshot(&before), None).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_instant;

    #[test]
    fn instants_parse_from_days_and_rfc3339() {
        assert_eq!(parse_instant("2026-01-02", false).unwrap().to_rfc3339(), "2026-01-02T00:00:00+00:00");
        assert_eq!(parse_instant("2026-01-02", true).unwrap().to_rfc3339(), "2026-01-02T23:59:59+00:00");
        assert_eq!(
            parse_instant("2026-01-02T10:00:00+02:00", false).unwrap().to_rfc3339(),
            "2026-01-02T08:00:00+00:00"
        );
        assert!(parse_instant("02/01/2026", false).is_none());
        assert!(parse_instant("2026-02-30", false).is_none());
    }
}
