//! Form bodies (`application/x-www-form-urlencoded`) as the checkout and the back
//! office's forms post them: decoding and validation never panic, and what validation
//! accepts keeps its rules (prices and stock in range, names trimmed and bounded).
#![no_main]
use fullstack_ws::models::admin::{parse_price, CouponInput, ProductInput, MAX_PRICE, MAX_STOCK};
use fullstack_ws::models::order::Shipping;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(form) = serde_urlencoded::from_bytes::<Shipping>(data) {
        if let Ok(clean) = form.validate() {
            assert_eq!(clean.email, clean.email.to_lowercase());
            assert_eq!(clean.first_name, clean.first_name.trim());
        }
    }
    if let Ok(form) = serde_urlencoded::from_bytes::<ProductInput>(data) {
        if let Ok(clean) = form.validate() {
            assert!((1..=MAX_PRICE).contains(&clean.price));
            assert!((0..=MAX_STOCK).contains(&clean.stock));
            assert!(!clean.name.is_empty() && clean.name.chars().count() <= 200);
        }
    }
    if let Ok(form) = serde_urlencoded::from_bytes::<CouponInput>(data) {
        let _ = form.validate_fields();
    }
    if let Some(minor) = parse_price(&String::from_utf8_lossy(data)) {
        assert!(minor >= 0, "{minor}");
    }
});
