//! Query strings from the address bar: the catalog's filters (`?category=…&page=…`) and
//! the back office's order filters. Parsing either never panics, and what it accepts
//! stays within the documented bounds.
#![no_main]
use fullstack_ws::models::admin::OrderFilter;
use fullstack_ws::models::catalog::{ProductQuery, RawProductQuery};
use fullstack_ws::services::admin::orders::OrderQuery;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(data).into_owned().collect();
    let raw = RawProductQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if let Ok(query) = ProductQuery::parse(&raw) {
        assert!((1..=10_000).contains(&query.page), "page {}", query.page);
        assert!((1..=100).contains(&query.per_page), "per_page {}", query.per_page);
    }
    if let Ok(filter) = serde_urlencoded::from_bytes::<OrderFilter>(data) {
        let _ = OrderQuery::parse(&filter);
        let _ = filter.to_query();
    }
});
