//! Catalog DTOs and the validated product query shared by pages, server functions and REST.

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
    #[default]
    Newest,
    PriceAsc,
    PriceDesc,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Newest, Sort::PriceAsc, Sort::PriceDesc];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::PriceAsc => "price_asc",
            Sort::PriceDesc => "price_desc",
        }
    }

    /// The label in the page's language.
    pub fn label_in(self, locale: super::lang::Locale) -> &'static str {
        use super::i18n::td_string;
        match self {
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
    /// `newest` (default), `price_asc` or `price_desc`.
    pub sort: Option<String>,
    /// 1-based page number (1–10000).
    pub page: Option<String>,
    /// Items per page (1–100, default 12).
    pub per_page: Option<String>,
}

/// A validated product listing query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductQuery {
    pub category: Option<String>,
    pub q: Option<String>,
    pub sort: Sort,
    pub page: u32,
    pub per_page: u32,
}

impl Default for ProductQuery {
    fn default() -> Self {
        Self { category: None, q: None, sort: Sort::Newest, page: 1, per_page: DEFAULT_PER_PAGE }
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
            None => Sort::default(),
            Some(s) => Sort::parse(s).unwrap_or_else(|| {
                errors.insert("sort".into(), "must be newest, price_asc or price_desc".into());
                Sort::default()
            }),
        };
        let page = parse_bounded(&mut errors, "page", non_blank(&raw.page), 1, MAX_PAGE);
        let per_page =
            parse_bounded(&mut errors, "per_page", non_blank(&raw.per_page), DEFAULT_PER_PAGE, MAX_PER_PAGE);
        if errors.is_empty() {
            Ok(Self { category, q, sort, page, per_page })
        } else {
            Err(AppError::Validation(errors))
        }
    }

    /// URL query string for this query relative to a listing page, omitting defaults.
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(q) = &self.q {
            parts.push(format!("q={}", urlencode(q)));
        }
        if self.sort != Sort::default() {
            parts.push(format!("sort={}", self.sort.as_str()));
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
        let mut r = RawProductQuery::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "category" => r.category = v,
                "q" => r.q = v,
                "sort" => r.sort = v,
                "page" => r.page = v,
                "per_page" => r.per_page = v,
                _ => unreachable!(),
            }
        }
        r
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
        let q = ProductQuery { q: Some("dark roast".into()), page: 2, ..Default::default() };
        assert_eq!(q.to_query_string(), "?q=dark%20roast&page=2");
        assert_eq!(ProductQuery::default().to_query_string(), "");
    }

    #[test]
    fn page_count_rounds_up() {
        let p = Page::<()> { items: vec![], page: 1, per_page: 12, total: 25 };
        assert_eq!(p.page_count(), 3);
        let empty = Page::<()> { items: vec![], page: 1, per_page: 12, total: 0 };
        assert_eq!(empty.page_count(), 1);
    }
}
