//! Back-office DTOs and the validation of what admins submit, shared by the admin pages,
//! their server functions and the REST API under `/api/v1/admin`.

mod catalog;
mod dashboard;
mod operations;
mod orders;
mod reconciliation;

pub use catalog::*;
pub use dashboard::*;
pub use operations::*;
pub use orders::*;
pub use reconciliation::*;

use super::AppError;

pub const ADMIN_PER_PAGE: u32 = 25;
pub const ADMIN_MAX_PER_PAGE: u32 = 200;
/// The most expensive product the shop sells: $999,999.99 (Stripe's unit amount limit).
pub const MAX_PRICE: i64 = 99_999_999;
pub const MAX_STOCK: i32 = 1_000_000;

/// Page and page size, bounded: page ≥ 1, 1 ≤ per_page ≤ [`ADMIN_MAX_PER_PAGE`].
pub fn page_bounds(page: Option<u32>, per_page: Option<u32>) -> Result<(u32, u32), AppError> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(ADMIN_PER_PAGE);
    if page == 0 || page > super::MAX_PAGE {
        return Err(AppError::field("page", "Page must be between 1 and 10000."));
    }
    if per_page == 0 || per_page > ADMIN_MAX_PER_PAGE {
        return Err(AppError::field("per_page", "Page size must be between 1 and 200."));
    }
    Ok((page, per_page))
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn encode_query_value(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_parse_as_dollars_and_cents() {
        assert_eq!(parse_price("12"), Some(1200));
        assert_eq!(parse_price("12.5"), Some(1250));
        assert_eq!(parse_price(" $1,234.05 "), Some(123405));
        assert_eq!(parse_price("0.99"), Some(99));
        for bad in ["", "abc", "1.234", "-3", "1e5", "$", ".5", "99999999999999999999"] {
            assert_eq!(parse_price(bad), None, "{bad}");
        }
    }

    #[test]
    fn product_input_reports_every_field() {
        let bad = ProductInput {
            category_id: 0,
            name: "  ".into(),
            description: String::new(),
            price: 0,
            stock: -1,
            available: true,
        };
        let Err(AppError::Validation(fields)) = bad.validate() else { panic!("must fail") };
        for key in ["name", "price", "stock", "category_id"] {
            assert!(fields.contains_key(key), "{key}");
        }
        let good = ProductInput {
            category_id: 1,
            name: " Tea ".into(),
            description: "x".into(),
            price: 1,
            stock: 0,
            available: false,
        };
        assert_eq!(good.validate().unwrap().name, "Tea");
    }

    #[test]
    fn coupon_codes_are_upper_cased_and_limited() {
        let c = CouponInput { code: " spring-10 ".into(), percent: 10, ..Default::default() };
        assert_eq!(c.validate_fields().unwrap().code, "SPRING-10");
        assert!(CouponInput { code: "a b".into(), percent: 10, ..Default::default() }
            .validate_fields()
            .is_err());
        assert!(CouponInput { code: "OK".into(), percent: 0, ..Default::default() }
            .validate_fields()
            .is_err());
        assert!(CouponInput { code: "OK".into(), percent: 101, ..Default::default() }
            .validate_fields()
            .is_err());
    }

    #[test]
    fn order_filter_query_encodes_values() {
        let f = OrderFilter {
            status: Some("paid".into()),
            email: Some("a+b@x.com".into()),
            ..Default::default()
        };
        assert_eq!(f.to_query(), "status=paid&email=a%2Bb%40x.com");
        assert_eq!(OrderFilter::default().to_query(), "");
    }

    #[test]
    fn page_bounds_are_checked() {
        assert_eq!(page_bounds(None, None).unwrap(), (1, ADMIN_PER_PAGE));
        assert!(page_bounds(Some(0), None).is_err());
        assert!(page_bounds(None, Some(201)).is_err());
    }
}
