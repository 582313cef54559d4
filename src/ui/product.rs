//! `/product/{id}/{slug}`: one product. A wrong slug redirects to the canonical URL.

use super::errors::ErrorView;
use super::lang::{href, locale, Addresses, PageAddresses};
use crate::models::i18n::{t, t_string, td_string, use_i18n};
use crate::models::lang::Locale;
use crate::models::{shown_image, AppError, Product};
use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};
use leptos_router::{components::A, hooks::use_params_map};

/// A product as its page shows it: in the page's language, with its address in each.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProductPageData {
    pub product: Product,
    pub addresses: Addresses,
}

#[server]
pub async fn get_product(id: i64, #[server(default)] lang: Locale) -> Result<ProductPageData, AppError> {
    let state = crate::flows::state::AppState::current()?;
    let product = crate::services::catalog::get_product(&state.db, id, lang).await?;
    let slugs = crate::services::catalog::product_slugs(&state.db, id).await?;
    let addresses =
        slugs.into_iter().map(|(l, slug)| (l, l.localize(&format!("/product/{id}/{slug}")))).collect();
    Ok(ProductPageData { product, addresses: Addresses(addresses) })
}

/// "Customers also bought": products bought with this one, in the page's language.
#[server]
pub async fn product_recommendations(
    id: i64,
    #[server(default)] lang: Locale,
) -> Result<Vec<crate::models::ProductSummary>, AppError> {
    let state = crate::flows::state::AppState::current()?;
    crate::services::recommendations::for_product(&state.db, id, lang).await
}

#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok()).filter(|id| *id > 0);
    let i18n = use_i18n();
    let lang = locale();
    let product = Resource::new(id, move |id| async move {
        match id {
            Some(id) => get_product(id, lang).await,
            None => Err(AppError::not_found("Product")),
        }
    });
    let also_bought = Resource::new(id, move |id| async move {
        match id {
            Some(id) => product_recommendations(id, lang).await,
            None => Ok(Vec::new()),
        }
    });
    view! {
        <Transition fallback=move || view! { <p class="loading" role="status">{t!(i18n, product.loading)}</p> }>
            {move || Suspend::new(async move {
                match product.await {
                    Ok(ProductPageData { product: p, addresses }) => {
                        if params.read_untracked().get("slug").as_deref() != Some(p.slug.as_str()) {
                            super::errors::redirect_permanently(&lang.localize(&p.url()));
                        }
                        view! { <PageAddresses addresses/> <ProductDetail product=p/> }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let products = also_bought.await.unwrap_or_default();
                view! { <super::catalog::Suggestions id="also-bought" title=t_string!(i18n, product.also_bought).to_string() products/> }
            })}
        </Transition>
    }
}

#[component]
fn ProductDetail(product: Product) -> impl IntoView {
    let i18n = use_i18n();
    let lang = locale();
    let max_qty = if product.available { crate::models::cart::max_quantity(product.stock) } else { 0 };
    let in_stock = max_qty > 0;
    let description: String = product.description.chars().take(155).collect();
    let category_url = href(&format!("/category/{}", product.category.slug));
    let category_name = product.category.name.clone();
    let (crumb_url, crumb_name) = (category_url.clone(), category_name.clone());
    let path = lang.localize(&product.url());
    let structured = super::seo::product_data(&product, &path, in_stock);
    let trail = super::seo::breadcrumbs(&[
        (td_string!(lang, product.shop).to_string(), href("/")),
        (category_name.clone(), category_url.clone()),
        (product.name.clone(), path.clone()),
    ]);
    view! {
        <Title text=product.name.clone()/>
        <Meta name="description" content=description.clone()/>
        <Link rel="canonical" href=super::seo::absolute(&path)/>
        <super::seo::SocialTags title=product.name.clone() description path image=product.image.clone() kind="product"/>
        <super::seo::JsonLd data=structured/>
        <super::seo::JsonLd data=trail/>
        <nav class="breadcrumbs" aria-label=move || t_string!(i18n, product.breadcrumb)>
            <ol>
                <li><A href=href("/")>{t!(i18n, product.shop)}</A></li>
                <li><A href=crumb_url>{crumb_name}</A></li>
                <li><span aria-current="page">{product.name.clone()}</span></li>
            </ol>
        </nav>
        <article class="product">
            <img
                class="product-image"
                src=shown_image(&product.image).to_owned()
                alt=product.name.clone()
                width="400"
                height="400"
                fetchpriority="high"
            />
            <div class="product-info">
                <h1 id=format!("product-name-{}", product.id)>{product.name.clone()}</h1>
                <p class="product-category">
                    {t!(i18n, product.in_category)} " " <A href=category_url>{category_name}</A>
                </p>
                <p class="price large">{product.price.format_in(lang)}</p>
                <p class="description">{product.description.clone()}</p>
                <p class=if in_stock { "stock" } else { "stock out" }>
                    {if in_stock {
                        td_string!(lang, product.in_stock, count = product.stock).to_string()
                    } else {
                        td_string!(lang, catalog.sold_out).to_string()
                    }}
                </p>
                <super::cart::AddToCartForm product_id=product.id max_quantity=max_qty with_quantity=true/>
            </div>
        </article>
    }
}
