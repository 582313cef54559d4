//! `/` and `/category/{slug}`: category sidebar, search, sort, product grid, pagination.
//! Everything is driven by the URL, so the server renders complete HTML without
//! JavaScript; once hydrated, the same links and form navigate client-side.

use super::errors::ErrorView;
use super::lang::{href, locale, Addresses, PageAddresses};
use crate::models::i18n::{t, t_string, td_string, use_i18n};
use crate::models::lang::Locale;
use crate::models::{AppError, Category, Page, ProductQuery, ProductSummary, RawProductQuery, Sort};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::{Link, Meta, Title};
use leptos_router::{
    components::{Form, A},
    hooks::{use_navigate, use_params_map, use_query},
};

#[server]
pub async fn get_categories(#[server(default)] lang: Locale) -> Result<Vec<Category>, AppError> {
    let state = crate::flows::state::AppState::current()?;
    crate::services::catalog::list_categories(&state.db, lang).await
}

/// One page of the listing, and the category it is in (named in the page's language).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Listing {
    pub category: Option<Category>,
    pub products: Page<ProductSummary>,
    /// The category's address in each language (none for the whole catalog).
    pub addresses: Option<Addresses>,
}

// JSON input: URL-encoding drops a query whose fields are all empty ("missing field raw").
#[server(input = Json)]
pub async fn list_products(
    raw: RawProductQuery,
    #[server(default)] lang: Locale,
) -> Result<Listing, AppError> {
    let state = crate::flows::state::AppState::current()?;
    let query = ProductQuery::parse(&raw)?;
    let category = match &query.category {
        Some(slug) => Some(crate::services::catalog::category_by_slug(&state.db, slug, lang).await?),
        None => None,
    };
    let products = crate::services::catalog::list_products(&state.db, &query, lang).await?;
    let addresses = match &category {
        Some(c) => {
            let slugs = crate::services::catalog::category_slugs(&state.db, c.id).await?;
            Some(Addresses(
                slugs.into_iter().map(|(l, slug)| (l, l.localize(&format!("/category/{slug}")))).collect(),
            ))
        }
        None => None,
    };
    Ok(Listing { category, products, addresses })
}

/// The listing's path in the page's language.
fn listing_path(category: Option<&str>) -> String {
    match category {
        Some(slug) => href(&format!("/category/{slug}")),
        None => href("/"),
    }
}

#[component]
pub fn CatalogPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query::<RawProductQuery>();
    let raw = Memo::new(move |_| RawProductQuery {
        category: params.read().get("slug"),
        ..query.get().unwrap_or_default()
    });
    let lang = locale();
    let categories = Resource::new(|| (), move |_| get_categories(lang));
    let listing = Resource::new(move || raw.get(), move |raw| list_products(raw, lang));

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
                <Transition fallback=move || view! { <p class="loading" role="status">{t!(i18n, catalog.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match listing.await {
                            Ok(Listing { category, products, addresses }) => {
                                // Another language's slug: this language's URL is the one.
                                if let Some(c) = category.as_ref().filter(|c| category_slug().as_ref() != Some(&c.slug)) {
                                    let query = ProductQuery { page: 1, ..parsed() }.to_query_string();
                                    super::errors::redirect_permanently(&format!("{}{query}", listing_path(Some(&c.slug))));
                                }
                                view! {
                                    {addresses.map(|addresses| view! { <PageAddresses addresses/> })}
                                    <ListingView page=products category query=parsed()/>
                                }
                                .into_any()
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
    let i18n = use_i18n();
    view! {
        <nav aria-label=move || t_string!(i18n, catalog.categories)>
            <h2 class="sidebar-title">{t!(i18n, catalog.categories)}</h2>
            <ul class="category-list">
                <li><A href=href("/") exact=true>{t!(i18n, catalog.all_products)}</A></li>
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
    let i18n = use_i18n();
    let lang = locale();
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
                <label for="search">{t!(i18n, catalog.search)}</label>
                <input
                    id="search"
                    type="search"
                    name="q"
                    maxlength="100"
                    placeholder=move || t_string!(i18n, catalog.search_placeholder)
                    prop:value=move || query.read().q.clone().unwrap_or_default()
                />
            </div>
            <div class="field">
                <label for="sort">{t!(i18n, catalog.sort_by)}</label>
                <select id="sort" name="sort" on:change=on_sort>
                    {Sort::ALL
                        .into_iter()
                        .map(|s| {
                            view! {
                                <option value=s.as_str() selected=move || query.read().sort == s>
                                    {s.label_in(lang)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <button type="submit" class="button">{t!(i18n, catalog.search)}</button>
        </Form>
    }
}

#[component]
fn ListingView(page: Page<ProductSummary>, category: Option<Category>, query: ProductQuery) -> impl IntoView {
    let i18n = use_i18n();
    let lang = locale();
    let heading = match (&category, &query.q) {
        (Some(c), Some(q)) => {
            td_string!(lang, catalog.heading_category_query, category = c.name.as_str(), query = q.as_str())
                .to_string()
        }
        (Some(c), None) => c.name.clone(),
        (None, Some(q)) => td_string!(lang, catalog.heading_query, query = q.as_str()).to_string(),
        (None, None) => td_string!(lang, catalog.all_products).to_string(),
    };
    let title = heading.clone();
    let total = page.total;
    let description = match &category {
        Some(c) => td_string!(
            lang,
            catalog.description_category,
            category = c.name.as_str(),
            shop = super::SHOP_NAME,
            count = total
        )
        .to_string(),
        None => td_string!(lang, catalog.description_all, count = total).to_string(),
    };
    let base = listing_path(category.as_ref().map(|c| c.slug.as_str()));
    let canonical = format!("{base}{}", ProductQuery { q: None, ..query.clone() }.to_query_string());
    // Search results and later pages are for visitors, not for the index.
    let noindex = query.page > 1 || query.q.is_some();
    let trail = category.as_ref().map(|c| {
        super::seo::breadcrumbs(&[
            (td_string!(lang, product.shop).to_string(), href("/")),
            (c.name.clone(), base.clone()),
        ])
    });
    let count = match total {
        0 => td_string!(lang, catalog.no_products).to_string(),
        n => td_string!(lang, catalog.count, count = n).to_string(),
    };
    let empty = page.items.is_empty();
    let pagination = (page.page_count() > 1)
        .then(|| view! { <Pagination page=page.clone() base=base.clone() query=query.clone()/> });
    view! {
        <Title text=title.clone()/>
        <Meta name="description" content=description.clone()/>
        <Link rel="canonical" href=super::seo::absolute(&canonical)/>
        {noindex.then(|| view! { <Meta name="robots" content="noindex, follow"/> })}
        <super::seo::SocialTags title description path=canonical.clone()/>
        {trail.map(|data| view! { <super::seo::JsonLd data/> })}
        <div class="listing-head">
            <h1 id="listing-title">{heading}</h1>
            <p class="count" role="status">{count}</p>
        </div>
        {if empty {
            view! {
                <div class="empty-state">
                    <p>{t!(i18n, catalog.nothing_matches)}</p>
                    <p><A href=href("/")>{t!(i18n, catalog.show_all)}</A></p>
                </div>
            }
            .into_any()
        } else {
            view! {
                <ul class="product-grid" aria-label=move || t_string!(i18n, catalog.products_label)>
                    {page.items.into_iter().map(|p| view! { <li><ProductCard product=p/></li> }).collect_view()}
                </ul>
            }
            .into_any()
        }}
        {pagination}
    }
}

/// A titled list of suggested products (nothing at all when there are none).
#[component]
pub(super) fn Suggestions(id: &'static str, title: String, products: Vec<ProductSummary>) -> impl IntoView {
    (!products.is_empty()).then(|| {
        view! {
            <section class="suggestions" aria-labelledby=id>
                <h2 id=id>{title.clone()}</h2>
                <ul class="product-grid" aria-label=title>
                    {products.into_iter().map(|p| view! { <li><ProductCard product=p compact=true/></li> }).collect_view()}
                </ul>
            </section>
        }
    })
}

/// A product in a grid. A `compact` card (a suggestion) is only its link and price, so a
/// page keeps one "Add to cart" per product it is about.
#[component]
fn ProductCard(product: ProductSummary, #[prop(optional)] compact: bool) -> impl IntoView {
    let i18n = use_i18n();
    let lang = locale();
    let url = lang.localize(&product.url());
    view! {
        <article class="card">
            <a href=url.clone() class="card-link">
                <img src=product.image.clone() alt="" width="400" height="400" loading="lazy"/>
                <h2 class="card-title" id=format!("product-name-{}", product.id)>{product.name.clone()}</h2>
            </a>
            <p class="price">{product.price.format_in(lang)}</p>
            {if compact {
                ().into_any()
            } else if product.in_stock {
                view! { <super::cart::AddToCartForm product_id=product.id max_quantity=1/> }.into_any()
            } else {
                view! { <p class="stock out">{t!(i18n, catalog.sold_out)}</p> }.into_any()
            }}
        </article>
    }
}

#[component]
fn Pagination(page: Page<ProductSummary>, base: String, query: ProductQuery) -> impl IntoView {
    let i18n = use_i18n();
    let lang = locale();
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
                view! { <li><a href=link aria-label=td_string!(lang, catalog.page_n, n = n).to_string()>{n}</a></li> }.into_any()
            }
        })
        .collect_view();
    view! {
        <nav class="pagination" aria-label=move || t_string!(i18n, catalog.pagination)>
            {match prev {
                Some(h) => view! { <a href=h rel="prev" class="button secondary">{t!(i18n, catalog.previous)}</a> }.into_any(),
                None => view! { <span class="button secondary disabled" aria-disabled="true">{t!(i18n, catalog.previous)}</span> }.into_any(),
            }}
            <ol>{numbers}</ol>
            {match next {
                Some(h) => view! { <a href=h rel="next" class="button secondary">{t!(i18n, catalog.next)}</a> }.into_any(),
                None => view! { <span class="button secondary disabled" aria-disabled="true">{t!(i18n, catalog.next)}</span> }.into_any(),
            }}
        </nav>
    }
}
