//! `/` and `/category/{slug}`: category sidebar, search, sort, product grid, pagination.
//! Everything is driven by the URL, so the server renders complete HTML without
//! JavaScript; once hydrated, the same links and form navigate client-side.

use super::errors::ErrorView;
use super::lang::{href, locale, Addresses, PageAddresses};
use crate::models::i18n::{t, t_string, td_string, use_i18n};
use crate::models::lang::Locale;
use crate::models::{
    shown_image, AppError, Category, Page, ProductQuery, ProductSummary, RawProductQuery, Sort,
};
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
    /// Nothing matched the search text exactly: these products have similar words.
    pub approximate: bool,
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
    let found = crate::services::catalog::list_products(&state.db, &query, lang).await?;
    let addresses = match &category {
        Some(c) => {
            let slugs = crate::services::catalog::category_slugs(&state.db, c.id).await?;
            Some(Addresses(
                slugs.into_iter().map(|(l, slug)| (l, l.localize(&format!("/category/{slug}")))).collect(),
            ))
        }
        None => None,
    };
    Ok(Listing { category, products: found.page, approximate: found.approximate, addresses })
}

/// Products whose words start like what the shopper has typed, for the search field.
#[server]
pub async fn search_suggestions(
    text: String,
    #[server(default)] lang: Locale,
) -> Result<Vec<ProductSummary>, AppError> {
    let state = crate::flows::state::AppState::current()?;
    let text = crate::models::RawSuggestionQuery { q: Some(text) }.text()?;
    crate::services::catalog::suggest(&state.db, &text, lang, crate::models::SUGGESTIONS).await
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
                            Ok(Listing { category, products, approximate, addresses }) => {
                                // Another language's slug: this language's URL is the one.
                                if let Some(c) = category.as_ref().filter(|c| category_slug().as_ref() != Some(&c.slug)) {
                                    let query = ProductQuery { page: 1, ..parsed() }.to_query_string();
                                    super::errors::redirect_permanently(&format!("{}{query}", listing_path(Some(&c.slug))));
                                }
                                view! {
                                    {addresses.map(|addresses| view! { <PageAddresses addresses/> })}
                                    <ListingView page=products category query=parsed() approximate/>
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
    let searching = move || query.read().q.is_some();
    view! {
        <Form method="GET" action=move || listing_path(category.get().as_deref()) attr:class="search-bar" attr:role="search">
            <SearchField query/>
            <div class="field">
                <label for="sort">{t!(i18n, catalog.sort_by)}</label>
                <select id="sort" name="sort" on:change=on_sort>
                    {move || {
                        Sort::ALL
                            .into_iter()
                            .filter(|s| *s != Sort::Relevance || searching())
                            .map(|s| {
                                view! {
                                    <option value=s.as_str() selected=move || query.read().sort == s>
                                        {s.label_in(lang)}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            <fieldset class="filters">
                <legend class="visually-hidden">{t!(i18n, catalog.filters)}</legend>
                <div class="field">
                    <label for="min-price">{t!(i18n, catalog.price_from)}</label>
                    <input id="min-price" name="min_price" type="number" min="0" step="0.01" inputmode="decimal"
                        prop:value=move || query.read().min_price_text()/>
                </div>
                <div class="field">
                    <label for="max-price">{t!(i18n, catalog.price_to)}</label>
                    <input id="max-price" name="max_price" type="number" min="0" step="0.01" inputmode="decimal"
                        prop:value=move || query.read().max_price_text()/>
                </div>
                <label class="check">
                    <input type="checkbox" name="in_stock" value="true" prop:checked=move || query.read().in_stock/>
                    {t!(i18n, catalog.in_stock_only)}
                </label>
            </fieldset>
            <button type="submit" class="button">{t!(i18n, catalog.search)}</button>
        </Form>
    }
}

/// The search field: a plain text field of the GET form, and once hydrated an ARIA
/// combobox offering products as the shopper types (after a pause of 200 ms), chosen
/// with the arrow keys and Enter, closed with Escape.
#[component]
fn SearchField(query: Signal<ProductQuery>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = locale();
    let navigate = use_navigate();
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let options = RwSignal::new(Vec::<ProductSummary>::new());
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    // The latest keystroke's number: a pause or an answer for an older one is dropped.
    let typed = StoredValue::new(0u64);
    // A search submitted (the URL changed): pending suggestions are for the old text.
    Effect::new(move |_| {
        query.track();
        typed.update_value(|n| *n += 1);
        open.set(false);
    });
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        let this = typed.get_value() + 1;
        typed.set_value(this);
        active.set(None);
        if text.trim().chars().count() < 2 {
            open.set(false);
            options.set(Vec::new());
            return;
        }
        set_timeout(
            move || {
                if typed.get_value() != this {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let found = search_suggestions(text, lang).await.unwrap_or_default();
                    if typed.get_value() == this {
                        open.set(true);
                        options.set(found);
                    }
                });
            },
            std::time::Duration::from_millis(200),
        );
    };
    let go = Callback::new(move |i: usize| {
        let url = options.read_untracked().get(i).map(|p| lang.localize(&p.url()));
        if let Some(url) = url {
            open.set(false);
            navigate(&url, Default::default());
        }
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let count = options.read_untracked().len();
        match ev.key().as_str() {
            "ArrowDown" | "ArrowUp" if count > 0 => {
                ev.prevent_default();
                open.set(true);
                let down = ev.key() == "ArrowDown";
                active.update(|a| {
                    *a = Some(match (*a, down) {
                        (None, true) => 0,
                        (None, false) => count - 1,
                        (Some(i), true) => (i + 1) % count,
                        (Some(i), false) => (i + count - 1) % count,
                    })
                });
            }
            "Enter" if open.get_untracked() => {
                if let Some(i) = active.get_untracked() {
                    ev.prevent_default();
                    go.run(i);
                }
            }
            "Escape" if open.get_untracked() => {
                ev.prevent_default();
                open.set(false);
                active.set(None);
            }
            _ => {}
        }
    };
    let expanded = move || open.get() && !options.read().is_empty();
    let announcement = move || match (open.get(), options.read().len()) {
        (false, _) => String::new(),
        (true, 0) => t_string!(i18n, catalog.no_suggestions).to_string(),
        (true, n) => td_string!(lang, catalog.suggestions_count, count = n).to_string(),
    };
    view! {
        <div class="field search-field">
            <label for="search">{t!(i18n, catalog.search)}</label>
            <input
                id="search"
                type="search"
                name="q"
                maxlength="100"
                autocomplete="off"
                placeholder=move || t_string!(i18n, catalog.search_placeholder)
                prop:value=move || query.read().q.clone().unwrap_or_default()
                role=move || hydrated.get().then_some("combobox")
                aria-autocomplete=move || hydrated.get().then_some("list")
                aria-controls=move || hydrated.get().then_some("search-suggestions")
                aria-expanded=move || hydrated.get().then(|| expanded().to_string())
                aria-activedescendant=move || active.get().filter(|_| expanded()).map(|i| format!("suggestion-{i}"))
                on:input=on_input
                on:keydown=on_keydown
                on:blur=move |_| open.set(false)
            />
            <ul
                id="search-suggestions"
                role="listbox"
                class="suggestion-list"
                aria-label=move || t_string!(i18n, catalog.suggestions)
                hidden=move || !expanded()
            >
                {move || {
                    options
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, p)| {
                            view! {
                                <li
                                    id=format!("suggestion-{i}")
                                    role="option"
                                    aria-selected=move || (active.get() == Some(i)).to_string()
                                    // Before the field's blur closes the list.
                                    on:mousedown=move |ev| {
                                        ev.prevent_default();
                                        go.run(i);
                                    }
                                >
                                    <span class="suggestion-name">{p.name.clone()}</span>
                                    <span class="suggestion-price">{p.price.format_in(lang)}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <p class="visually-hidden" aria-live="polite">{announcement}</p>
        </div>
    }
}

#[component]
fn ListingView(
    page: Page<ProductSummary>,
    category: Option<Category>,
    query: ProductQuery,
    approximate: bool,
) -> impl IntoView {
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
    let canonical = format!(
        "{base}{}",
        ProductQuery {
            q: None,
            sort: if query.sort == Sort::Relevance { Sort::Newest } else { query.sort },
            min_price: None,
            max_price: None,
            in_stock: false,
            ..query.clone()
        }
        .to_query_string()
    );
    // Search results, filtered listings and later pages are for visitors, not the index.
    let noindex = query.page > 1 || query.q.is_some() || query.has_filters();
    let approximate = approximate.then(|| {
        let text = query.q.clone().unwrap_or_default();
        td_string!(lang, catalog.approximate, query = text.as_str()).to_string()
    });
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
        {approximate.map(|text| view! { <p class="notice approximate">{text}</p> })}
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
                    {page
                        .items
                        .into_iter()
                        .enumerate()
                        .map(|(i, p)| view! { <li><ProductCard product=p eager={i < ABOVE_THE_FOLD}/></li> })
                        .collect_view()}
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

/// Cards in the first row or two of a grid, whose images load at once (they are the
/// page's largest paint); the rest load as they scroll into view.
const ABOVE_THE_FOLD: usize = 4;

/// A product in a grid. A `compact` card (a suggestion) is only its link and price, so a
/// page keeps one "Add to cart" per product it is about.
#[component]
fn ProductCard(
    product: ProductSummary,
    #[prop(optional)] compact: bool,
    #[prop(optional)] eager: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = locale();
    let url = lang.localize(&product.url());
    view! {
        <article class="card">
            <a href=url.clone() class="card-link">
                <img
                    src=shown_image(&product.image).to_owned()
                    alt=""
                    width="400"
                    height="400"
                    loading=if eager { "eager" } else { "lazy" }
                />
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
