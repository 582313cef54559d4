//! Which pages are the same for every visitor: home, category and product pages, in
//! either language. The server keeps them in memory (`http::page_cache`), and their header
//! loads the visitor's account and cart in the browser instead of rendering them
//! (`ui::layout`). Every other page is personal and rendered per request.

/// Whether `path` is a page that is the same for every visitor.
pub fn is_shared(path: &str) -> bool {
    let path = match path.strip_prefix("/es/") {
        Some(rest) => rest,
        None => path.strip_prefix('/').unwrap_or(path),
    };
    let segments: Vec<&str> = path.split('/').collect();
    match segments[..] {
        [""] => true,
        ["category", slug] => !slug.is_empty(),
        ["product", id, slug] => id.parse::<i64>().is_ok() && !slug.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_pages_are_catalog_pages_in_either_language() {
        for path in [
            "/",
            "/es/",
            "/category/coffee",
            "/es/category/cafe",
            "/product/3/burr",
            "/es/product/3/molinillo",
        ] {
            assert!(is_shared(path), "{path}");
        }
        for path in [
            "/es",
            "/cart",
            "/es/cart",
            "/account",
            "/admin",
            "/product/x/burr",
            "/product/3",
            "/category/",
            "/escape",
            "/api/v1/products",
        ] {
            assert!(!is_shared(path), "{path}");
        }
    }
}
