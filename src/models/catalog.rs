//! Catalog DTOs and the validated product query shared by pages, server functions and REST.

use super::messages::msg;
use super::{AppError, FieldErrors, Money};
use leptos_router::params::Params;
use serde::{Deserialize, Serialize};

pub const DEFAULT_PER_PAGE: u32 = 12;
pub const MAX_PER_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 10_000;
pub const MAX_QUERY_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProductSummary {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub price: Money,
    /// Site-relative image URL.
    pub image: String,
    pub category_slug: String,
    pub in_stock: bool,
}

impl ProductSummary {
    pub fn url(&self) -> String {
        product_url(self.id, &self.slug)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub price: Money,
    pub image: String,
    pub stock: i32,
    pub available: bool,
    pub category: Category,
    /// RFC 3339 timestamps (strings, so the browser build needs no date library).
    pub created_at: String,
    pub updated_at: String,
}

impl Product {
    pub fn url(&self) -> String {
        product_url(self.id, &self.slug)
    }
}

/// What pages show where a product has no image yet (instead of a broken-image icon).
pub const PLACEHOLDER_IMAGE: &str = "/images/placeholder.svg";

/// The image a page shows for a product: its own, or the placeholder when it has none.
/// The data (REST included) keeps the empty string, so clients can tell the two apart.
pub fn shown_image(image: &str) -> &str {
    if image.trim().is_empty() {
        PLACEHOLDER_IMAGE
    } else {
        image
    }
}

pub fn product_url(id: i64, slug: &str) -> String {
    format!("/product/{id}/{slug}")
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn page_count(&self) -> u32 {
        (self.total.div_ceil(u64::from(self.per_page.max(1)))).max(1) as u32
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Sort {
    /// Best match first: the default when there is a search text (else it is `Newest`).
    Relevance,
    #[default]
    Newest,
    PriceAsc,
    PriceDesc,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Relevance, Sort::Newest, Sort::PriceAsc, Sort::PriceDesc];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::PriceAsc => "price_asc",
            Sort::PriceDesc => "price_desc",
        }
    }

    /// The label in the page's language.
    pub fn label_in(self, locale: super::lang::Locale) -> &'static str {
        use super::i18n::td_string;
        match self {
            Sort::Relevance => td_string!(locale, sort.relevance),
            Sort::Newest => td_string!(locale, sort.newest),
            Sort::PriceAsc => td_string!(locale, sort.price_asc),
            Sort::PriceDesc => td_string!(locale, sort.price_desc),
        }
    }

    pub fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Query parameters as they arrive (URL or REST), all optional strings so that
/// malformed values become field errors instead of framework rejections. The catalog
/// page reads them from its URL with `use_query` (`Params`); `category` comes from the path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, leptos::Params)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct RawProductQuery {
    /// Category slug.
    pub category: Option<String>,
    /// Text search in name and description (at most 100 characters).
    pub q: Option<String>,
    /// `relevance` (the default with `q`), `newest` (the default without), `price_asc` or `price_desc`.
    pub sort: Option<String>,
    /// Lowest price in dollars (`12` or `12.50`).
    pub min_price: Option<String>,
    /// Highest price in dollars (`12` or `12.50`).
    pub max_price: Option<String>,
    /// `true`: only products in stock.
    pub in_stock: Option<String>,
    /// 1-based page number (1–10000).
    pub page: Option<String>,
    /// Items per page (1–100, default 12).
    pub per_page: Option<String>,
}

impl RawProductQuery {
    /// From decoded `(name, value)` pairs of a query string; unknown names are ignored.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut raw = Self::default();
        for (name, value) in pairs {
            let slot = match name {
                "category" => &mut raw.category,
                "q" => &mut raw.q,
                "sort" => &mut raw.sort,
                "min_price" => &mut raw.min_price,
                "max_price" => &mut raw.max_price,
                "in_stock" => &mut raw.in_stock,
                "page" => &mut raw.page,
                "per_page" => &mut raw.per_page,
                _ => continue,
            };
            *slot = Some(value.to_owned());
        }
        raw
    }
}

/// How many suggestions a search field offers as the shopper types.
pub const SUGGESTIONS: u64 = 6;

/// What a search field has typed so far, for suggestions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct RawSuggestionQuery {
    /// The text typed so far (1–100 characters); its last word may be unfinished.
    pub q: Option<String>,
}

impl RawSuggestionQuery {
    /// The trimmed text, or a field error when it is blank or too long.
    pub fn text(&self) -> Result<String, AppError> {
        match non_blank(&self.q) {
            None => Err(AppError::field("q", "must not be blank")),
            Some(q) if q.chars().count() > MAX_QUERY_CHARS => {
                Err(AppError::field("q", format!("must be at most {MAX_QUERY_CHARS} characters")))
            }
            Some(q) => Ok(q.to_owned()),
        }
    }
}

/// A validated product listing query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductQuery {
    pub category: Option<String>,
    pub q: Option<String>,
    pub sort: Sort,
    /// Price bounds in minor units, both inclusive.
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub in_stock: bool,
    pub page: u32,
    pub per_page: u32,
}

impl Default for ProductQuery {
    fn default() -> Self {
        Self {
            category: None,
            q: None,
            sort: Sort::Newest,
            min_price: None,
            max_price: None,
            in_stock: false,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

pub fn is_valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 120
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn non_blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A price filter typed in dollars: digits with at most two decimals after a point (what
/// a number field sends in every language), in minor units.
fn parse_price_filter(errors: &mut FieldErrors, name: &str, raw: Option<&str>) -> Option<i64> {
    let raw = raw?;
    let (whole, cents) = raw.split_once('.').unwrap_or((raw, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let cents_value = if cents.is_empty() { Some(0) } else { format!("{cents:0<2}").parse::<i64>().ok() };
    let value = match (whole.is_empty(), digits(whole) && digits(cents) && cents.len() <= 2, cents_value) {
        (false, true, Some(c)) => whole.parse::<i64>().ok().and_then(|w| w.checked_mul(100)?.checked_add(c)),
        _ => None,
    };
    if value.is_none() {
        errors.insert(name.into(), msg!(price_filter).into());
    }
    value
}

/// Minor units as a price filter is written (`12`, `12.5`→`12.50`).
fn price_filter_text(cents: i64) -> String {
    match cents % 100 {
        0 => (cents / 100).to_string(),
        c => format!("{}.{c:02}", cents / 100),
    }
}

fn parse_bounded(errors: &mut FieldErrors, name: &str, raw: Option<&str>, default: u32, max: u32) -> u32 {
    let Some(raw) = raw else { return default };
    match raw.parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => n,
        _ => {
            errors.insert(name.into(), format!("must be a whole number from 1 to {max}"));
            default
        }
    }
}

impl ProductQuery {
    pub fn parse(raw: &RawProductQuery) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let category = non_blank(&raw.category).map(str::to_owned);
        if let Some(slug) = &category {
            if !is_valid_slug(slug) {
                errors.insert("category".into(), "is not a valid category".into());
            }
        }
        let q = non_blank(&raw.q).map(str::to_owned);
        if q.as_ref().is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS) {
            errors.insert("q".into(), format!("must be at most {MAX_QUERY_CHARS} characters"));
        }
        let sort = match non_blank(&raw.sort) {
            None if q.is_some() => Sort::Relevance,
            None => Sort::default(),
            Some(s) => Sort::parse(s).unwrap_or_else(|| {
                errors.insert("sort".into(), "must be relevance, newest, price_asc or price_desc".into());
                Sort::default()
            }),
        };
        let min_price = parse_price_filter(&mut errors, "min_price", non_blank(&raw.min_price));
        let max_price = parse_price_filter(&mut errors, "max_price", non_blank(&raw.max_price));
        if let (Some(min), Some(max)) = (min_price, max_price) {
            if min > max {
                errors.insert("max_price".into(), msg!(price_range_order).into());
            }
        }
        let in_stock = match non_blank(&raw.in_stock) {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                errors.insert("in_stock".into(), msg!(yes_or_no).into());
                false
            }
        };
        let page = parse_bounded(&mut errors, "page", non_blank(&raw.page), 1, MAX_PAGE);
        let per_page =
            parse_bounded(&mut errors, "per_page", non_blank(&raw.per_page), DEFAULT_PER_PAGE, MAX_PER_PAGE);
        if errors.is_empty() {
            Ok(Self { category, q, sort, min_price, max_price, in_stock, page, per_page })
        } else {
            Err(AppError::Validation(errors))
        }
    }

    /// Best match when searching, newest otherwise.
    pub fn default_sort(&self) -> Sort {
        if self.q.is_some() {
            Sort::Relevance
        } else {
            Sort::Newest
        }
    }

    /// Whether it narrows the listing beyond its category and text.
    pub fn has_filters(&self) -> bool {
        self.min_price.is_some() || self.max_price.is_some() || self.in_stock
    }

    /// The price filters as a form shows them.
    pub fn min_price_text(&self) -> String {
        self.min_price.map(price_filter_text).unwrap_or_default()
    }

    pub fn max_price_text(&self) -> String {
        self.max_price.map(price_filter_text).unwrap_or_default()
    }

    /// URL query string for this query relative to a listing page, omitting defaults.
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(q) = &self.q {
            parts.push(format!("q={}", urlencode(q)));
        }
        if self.sort != self.default_sort() {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if let Some(min) = self.min_price {
            parts.push(format!("min_price={}", price_filter_text(min)));
        }
        if let Some(max) = self.max_price {
            parts.push(format!("max_price={}", price_filter_text(max)));
        }
        if self.in_stock {
            parts.push("in_stock=true".into());
        }
        if self.per_page != DEFAULT_PER_PAGE {
            parts.push(format!("per_page={}", self.per_page));
        }
        if self.page != 1 {
            parts.push(format!("page={}", self.page));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass through).
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> RawProductQuery {
        RawProductQuery::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn a_product_without_an_image_shows_the_placeholder() {
        assert_eq!(shown_image(""), PLACEHOLDER_IMAGE);
        assert_eq!(shown_image("  "), PLACEHOLDER_IMAGE);
        assert_eq!(shown_image("/media/products/7.png"), "/media/products/7.png");
    }

    #[test]
    fn defaults_when_empty() {
        assert_eq!(ProductQuery::parse(&raw(&[])).unwrap(), ProductQuery::default());
        assert_eq!(ProductQuery::parse(&raw(&[("q", "  "), ("page", "")])).unwrap(), ProductQuery::default());
    }

    #[test]
    fn parses_valid_values() {
        let q = ProductQuery::parse(&raw(&[
            ("category", "tea"),
            ("q", " green "),
            ("sort", "price_desc"),
            ("page", "3"),
            ("per_page", "24"),
        ]))
        .unwrap();
        assert_eq!(q.category.as_deref(), Some("tea"));
        assert_eq!(q.q.as_deref(), Some("green"));
        assert_eq!((q.sort, q.page, q.per_page), (Sort::PriceDesc, 3, 24));
    }

    #[test]
    fn rejects_bad_values_with_field_errors() {
        let err = ProductQuery::parse(&raw(&[
            ("category", "Tea!"),
            ("q", &"x".repeat(101)),
            ("sort", "cheapest"),
            ("page", "-1"),
            ("per_page", "1000"),
        ]))
        .unwrap_err();
        let AppError::Validation(fields) = err else { panic!("expected validation error") };
        let keys: Vec<_> = fields.keys().map(String::as_str).collect();
        assert_eq!(keys, ["category", "page", "per_page", "q", "sort"]);
    }

    #[test]
    fn rejects_huge_and_non_numeric_pages() {
        for bad in ["0", "10001", "99999999999999999999", "abc", "1.5"] {
            assert!(ProductQuery::parse(&raw(&[("page", bad)])).is_err(), "{bad}");
        }
    }

    #[test]
    fn query_string_round_trip_omits_defaults() {
        let q = ProductQuery::parse(&raw(&[("q", "dark roast"), ("page", "2")])).unwrap();
        assert_eq!(q.sort, Sort::Relevance, "a search is sorted by best match unless told otherwise");
        assert_eq!(q.to_query_string(), "?q=dark%20roast&page=2");
        assert_eq!(ProductQuery::default().to_query_string(), "");
        let newest = ProductQuery { sort: Sort::Newest, ..q };
        assert_eq!(newest.to_query_string(), "?q=dark%20roast&sort=newest&page=2");
    }

    #[test]
    fn filters_parse_and_round_trip() {
        let q = ProductQuery::parse(&raw(&[
            ("min_price", "5"),
            ("max_price", "12.5"),
            ("in_stock", "true"),
            ("sort", "price_asc"),
        ]))
        .unwrap();
        assert_eq!((q.min_price, q.max_price, q.in_stock), (Some(500), Some(1250), true));
        let text = q.to_query_string();
        assert_eq!(text, "?sort=price_asc&min_price=5&max_price=12.50&in_stock=true");
        let pairs: Vec<(String, String)> = text[1..]
            .split('&')
            .map(|kv| kv.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())).unwrap())
            .collect();
        let again: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(ProductQuery::parse(&raw(&again)).unwrap(), q);
        assert!(ProductQuery::parse(&raw(&[("in_stock", "false")])).unwrap() == ProductQuery::default());
    }

    #[test]
    fn bad_filters_are_field_errors() {
        for (field, bad) in [
            ("min_price", "-1"),
            ("min_price", "1,50"),
            ("max_price", "12.345"),
            ("max_price", "$5"),
            ("min_price", "1e3"),
            ("max_price", "99999999999999999999"),
            ("min_price", "."),
            ("in_stock", "yes please"),
        ] {
            let Err(AppError::Validation(fields)) = ProductQuery::parse(&raw(&[(field, bad)])) else {
                panic!("{field}={bad} accepted")
            };
            assert!(fields.contains_key(field), "{field}={bad}: {fields:?}");
        }
        let Err(AppError::Validation(fields)) =
            ProductQuery::parse(&raw(&[("min_price", "20"), ("max_price", "10")]))
        else {
            panic!("an empty price range accepted")
        };
        assert_eq!(fields["max_price"], "The lowest price must not be above the highest.");
    }

    #[test]
    fn page_count_rounds_up() {
        let p = Page::<()> { items: vec![], page: 1, per_page: 12, total: 25 };
        assert_eq!(p.page_count(), 3);
        let empty = Page::<()> { items: vec![], page: 1, per_page: 12, total: 0 };
        assert_eq!(empty.page_count(), 1);
    }
}
