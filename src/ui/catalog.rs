//! `/` and `/category/{slug}`: category sidebar, search, sort, product grid, pagination.
//! Everything is driven by the URL, so the server renders complete HTML without
//! JavaScript; once hydrated, the same links and form navigate client-side.

use super::errors::ErrorView;
use crate::models::{AppError, Category, Page, ProductQuery, ProductSummary, RawProductQuery, Sort};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::{Link, Meta, Title};
use leptos_router::{
    components::{Form, A},
    hooks::{use_navigate, use_params_map, use_query},
};

#[server]
pub async fn get_categories() -> Result<Vec<Category>, AppError> {
    let state = crate::flows::state::AppState::current()?;
    crate::services::catalog::list_categories(&state.db).await
}

// JSON input: URL-encoding drops a query whose fields are all empty ("missing field raw").
#[server(input = Json)]
pub async fn list_products(raw: RawProductQuery) -> Result<Page<ProductSummary>, AppError> {
    let state = crate::flows::state::AppState::current()?;
    let query = ProductQuery::parse(&raw)?;
    crate::services::catalog::list_products(&state.db, &query).await
}

fn listing_path(category: Option<&str>) -> String {
    match category {
        Some(slug) => format!("/category/{slug}"),
        None => "/".to_string(),
    }
}

#[component]
pub fn CatalogPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query::<RawProductQuery>();
    let raw = Memo::new(move |_| RawProductQuery {
        category: params.read().get("slug"),
        ..query.get().unwrap_or_default()
    });
    let categories = Resource::new(|| (), |_| get_categories());
    let listing = Resource::new(move || raw.get(), list_products);

    let category_slug = move || raw.read().category.clone();
    let parsed = move || ProductQuery::parse(&raw.read()).unwrap_or_default();

    view! {
        <div class="catalog">
            <aside class="sidebar">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let cats = categories.await.unwrap_or_default();
                        view! { <CategoryNav categories=cats/> }
                    })}
                </Transition>
            </aside>
            <section class="listing" aria-labelledby="listing-title">
                <SearchBar category=Signal::derive(category_slug) query=Signal::derive(parsed)/>
                <Transition fallback=|| view! { <p class="loading" role="status">"Loading products…"</p> }>
                    {move || Suspend::new(async move {
                        let cats = categories.await.unwrap_or_default();
                        match listing.await {
                            Ok(page) => {
                                let slug = category_slug();
                                let category = slug.as_ref().and_then(|s| cats.iter().find(|c| &c.slug == s).cloned());
                                view! { <Listing page category query=parsed()/> }.into_any()
                            }
                            Err(error) => view! { <ErrorView error/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

#[component]
fn CategoryNav(categories: Vec<Category>) -> impl IntoView {
    view! {
        <nav aria-label="Categories">
            <h2 class="sidebar-title">"Categories"</h2>
            <ul class="category-list">
                <li><A href="/" exact=true>"All products"</A></li>
                {categories
                    .into_iter()
                    .map(|c| view! { <li><A href=listing_path(Some(&c.slug))>{c.name}</A></li> })
                    .collect_view()}
            </ul>
        </nav>
    }
}

#[component]
fn SearchBar(category: Signal<Option<String>>, query: Signal<ProductQuery>) -> impl IntoView {
    let navigate = use_navigate();
    // Hydrated pages re-sort as soon as the selection changes; without JavaScript
    // the form's submit button does the same.
    let on_sort = move |ev: leptos::ev::Event| {
        let sort = Sort::parse(&event_target_value(&ev)).unwrap_or_default();
        let next = ProductQuery { sort, page: 1, ..query.get_untracked() };
        let url = format!("{}{}", listing_path(category.get_untracked().as_deref()), next.to_query_string());
        navigate(&url, Default::default());
    };
    view! {
        <Form method="GET" action=move || listing_path(category.get().as_deref()) attr:class="search-bar" attr:role="search">
            <div class="field">
                <label for="search">"Search"</label>
                <input
                    id="search"
                    type="search"
                    name="q"
                    maxlength="100"
                    placeholder="Coffee, teapot, biscotti…"
                    prop:value=move || query.read().q.clone().unwrap_or_default()
                />
            </div>
            <div class="field">
                <label for="sort">"Sort by"</label>
                <select id="sort" name="sort" on:change=on_sort>
                    {Sort::ALL
                        .into_iter()
                        .map(|s| {
                            view! {
                                <option value=s.as_str() selected=move || query.read().sort == s>
                                    {s.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <button type="submit" class="button">"Search"</button>
        </Form>
    }
}

#[component]
fn Listing(page: Page<ProductSummary>, category: Option<Category>, query: ProductQuery) -> impl IntoView {
    let heading = match (&category, &query.q) {
        (Some(c), Some(q)) => format!("{} matching “{q}”", c.name),
        (Some(c), None) => c.name.clone(),
        (None, Some(q)) => format!("Results for “{q}”"),
        (None, None) => "All products".to_string(),
    };
    let title = heading.clone();
    let description = match &category {
        Some(c) => format!("Shop {} at {}: {} products.", c.name, super::SHOP_NAME, page.total),
        None => format!("Small-batch coffee, tea, brewing gear and treats. {} products.", page.total),
    };
    let base = listing_path(category.as_ref().map(|c| c.slug.as_str()));
    let canonical = format!("{base}{}", ProductQuery { q: None, ..query.clone() }.to_query_string());
    let count = match page.total {
        0 => "No products".to_string(),
        1 => "1 product".to_string(),
        n => format!("{n} products"),
    };
    let empty = page.items.is_empty();
    let pagination = (page.page_count() > 1)
        .then(|| view! { <Pagination page=page.clone() base=base.clone() query=query.clone()/> });
    view! {
        <Title text=title/>
        <Meta name="description" content=description/>
        <Link rel="canonical" href=canonical/>
        <div class="listing-head">
            <h1 id="listing-title">{heading}</h1>
            <p class="count" role="status">{count}</p>
        </div>
        {if empty {
            view! {
                <div class="empty-state">
                    <p>"Nothing matches your search. Try another word or browse all products."</p>
                    <p><A href="/">"Show all products"</A></p>
                </div>
            }
            .into_any()
        } else {
            view! {
                <ul class="product-grid" aria-label="Products">
                    {page.items.into_iter().map(|p| view! { <li><ProductCard product=p/></li> }).collect_view()}
                </ul>
            }
            .into_any()
        }}
        {pagination}
    }
}

#[component]
fn ProductCard(product: ProductSummary) -> impl IntoView {
    let url = product.url();
    view! {
        <article class="card">
            <a href=url.clone() class="card-link">
                <img src=product.image.clone() alt="" width="400" height="400" loading="lazy"/>
                <h2 class="card-title" id=format!("product-name-{}", product.id)>{product.name.clone()}</h2>
            </a>
            <p class="price">{product.price.to_string()}</p>
            {if product.in_stock {
                view! { <super::cart::AddToCartForm product_id=product.id max_quantity=1/> }.into_any()
            } else {
                view! { <p class="stock out">"Sold out"</p> }.into_any()
            }}
        </article>
    }
}

#[component]
fn Pagination(page: Page<ProductSummary>, base: String, query: ProductQuery) -> impl IntoView {
    let last = page.page_count();
    let current = page.page;
    let href = move |n: u32| format!("{base}{}", ProductQuery { page: n, ..query.clone() }.to_query_string());
    let prev = (current > 1).then(|| href(current - 1));
    let next = (current < last).then(|| href(current + 1));
    let numbers = (1..=last)
        .map(|n| {
            let link = href(n);
            if n == current {
                view! { <li><a href=link aria-current="page" class="current">{n}</a></li> }.into_any()
            } else {
                view! { <li><a href=link aria-label=format!("Page {n}")>{n}</a></li> }.into_any()
            }
        })
        .collect_view();
    view! {
        <nav class="pagination" aria-label="Pagination">
            {match prev {
                Some(h) => view! { <a href=h rel="prev" class="button secondary">"Previous"</a> }.into_any(),
                None => view! { <span class="button secondary disabled" aria-disabled="true">"Previous"</span> }.into_any(),
            }}
            <ol>{numbers}</ol>
            {match next {
                Some(h) => view! { <a href=h rel="next" class="button secondary">"Next"</a> }.into_any(),
                None => view! { <span class="button secondary disabled" aria-disabled="true">"Next"</span> }.into_any(),
            }}
        </nav>
    }
}
