//! Back office: products (list, filters, bulk availability, create/edit, image, remove).

use super::{given, query_param, refused, AdminShell, IdButton, Loaded, Pager};
use crate::models::admin::{AdminCategory, AdminProduct, ProductFilter, ProductSort, Removal};
use crate::models::{AppError, Page};
use crate::ui::forms::{field_error, form_error, FormError};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use leptos_router::params::Params;

#[server]
pub async fn admin_products(filter: ProductFilter) -> Result<Page<AdminProduct>, AppError> {
    let (state, _) = super::admin_context().await?;
    crate::services::admin::catalog::list_products(&state.db, &filter).await
}

#[server]
pub async fn admin_product_detail(id: i64) -> Result<AdminProduct, AppError> {
    let (state, _) = super::admin_context().await?;
    crate::services::admin::catalog::get_product(&state.db, id).await
}

#[server]
pub async fn admin_categories() -> Result<Vec<AdminCategory>, AppError> {
    let (state, _) = super::admin_context().await?;
    crate::services::admin::catalog::list_categories(&state.db).await
}

/// Creates (blank `id`) or edits a product from the form; a new product's page follows.
#[server]
pub async fn save_product(
    id: String,
    category_id: String,
    name: String,
    description: String,
    price: String,
    stock: String,
    available: Option<String>,
) -> Result<AdminProduct, AppError> {
    use crate::models::admin::{parse_price, ProductInput};
    use crate::services::admin::catalog;
    let (state, actor) = super::admin_context().await?;
    let mut errors = crate::models::FieldErrors::new();
    let price = parse_price(&price).unwrap_or_else(|| {
        errors.insert("price".into(), "Enter a price like 12.50.".into());
        0
    });
    let stock = stock.trim().parse::<i32>().unwrap_or_else(|_| {
        errors.insert("stock".into(), "Enter a whole number.".into());
        0
    });
    let input = ProductInput {
        category_id: category_id.trim().parse().unwrap_or(0),
        name,
        description,
        // As typed: validation below refuses 0 and negatives (clamping here once saved
        // a price of 0 as 0.01 and a stock of -5 as 0).
        price,
        stock,
        available: available.is_some(),
    };
    if let Err(AppError::Validation(more)) = input.validate() {
        for (k, v) in more {
            errors.entry(k).or_insert(v);
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    match id.trim() {
        "" => {
            let created = catalog::create_product(&state.db, &actor, &input).await?;
            leptos_axum::redirect(&format!("/admin/products/{}?created=1", created.id));
            Ok(created)
        }
        raw => {
            let id = raw.parse().map_err(|_| AppError::not_found("Product"))?;
            catalog::update_product(&state.db, &actor, id, &input).await
        }
    }
}

/// Writes a product's words in another language (`locale`), or removes them when `remove`.
#[server]
pub async fn save_product_translation(
    id: i64,
    locale: String,
    name: String,
    description: String,
    remove: Option<String>,
) -> Result<AdminProduct, AppError> {
    use crate::services::admin::catalog;
    let (state, actor) = super::admin_context().await?;
    if remove.is_some() {
        return catalog::remove_product_translation(&state.db, &actor, id, &locale).await;
    }
    let input = crate::models::admin::TranslationInput { name, description };
    catalog::set_product_translation(&state.db, &actor, id, &locale, &input).await
}

#[server]
pub async fn delete_product(id: i64) -> Result<Removal, AppError> {
    let (state, actor) = super::admin_context().await?;
    let removal = crate::services::admin::catalog::remove_product(&state.db, &actor, id).await?;
    if removal == Removal::Deleted {
        leptos_axum::redirect("/admin/products?deleted=1");
    }
    Ok(removal)
}

/// The product list's URL state as typed: every field a string, so a stray value
/// is ignored rather than failing the whole query; empty means "any".
#[derive(leptos::Params, Clone, Default, PartialEq)]
struct ProductListQuery {
    q: Option<String>,
    category_id: Option<String>,
    available: Option<String>,
    archived: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

/// The product filter from the URL's query string.
fn filter_from_query() -> Memo<ProductFilter> {
    let query = leptos_router::hooks::use_query::<ProductListQuery>();
    Memo::new(move |_| {
        let q = query.get().unwrap_or_default();
        ProductFilter {
            q: given(q.q),
            category_id: given(q.category_id).and_then(|v| v.parse().ok()),
            available: given(q.available).and_then(|v| v.parse().ok()),
            archived: given(q.archived).as_deref() == Some("true"),
            sort: given(q.sort),
            page: given(q.page).and_then(|v| v.parse().ok()),
            per_page: None,
        }
    })
}

fn filter_query(f: &ProductFilter) -> String {
    use crate::models::admin::encode_query_value as enc;
    let mut parts = Vec::new();
    if let Some(q) = &f.q {
        parts.push(format!("q={}", enc(q)));
    }
    if let Some(c) = f.category_id {
        parts.push(format!("category_id={c}"));
    }
    if let Some(a) = f.available {
        parts.push(format!("available={a}"));
    }
    if f.archived {
        parts.push("archived=true".into());
    }
    if let Some(s) = &f.sort {
        parts.push(format!("sort={}", enc(s)));
    }
    if parts.is_empty() {
        "/admin/products".to_string()
    } else {
        format!("/admin/products?{}", parts.join("&"))
    }
}

/// `/admin/products`: search, filters, sort, pages, and availability for many at once.
#[component]
pub fn ProductsPage() -> impl IntoView {
    let filter = filter_from_query();
    let data = Resource::new(
        move || filter.get(),
        |f| async move { Ok::<_, AppError>((admin_products(f).await?, admin_categories().await?)) },
    );
    let changed = query_param("changed");
    let bulk_error = query_param("bulk_error");
    view! {
        <Loaded data=data ok=move |(page, categories)| {
                        let f = filter.get_untracked();
                        view! {
                            <AdminShell title="Products">
                                <p><a class="button" href="/admin/products/new">"New product"</a></p>
                                {changed.get_untracked().map(|n| view! { <p class="notice" role="status">{format!("Availability changed for {n} product(s).")}</p> })}
                                {bulk_error.get_untracked().map(|e| view! { <p class="notice error" role="alert">{e}</p> })}
                                <ProductFilters f=f.clone() categories/>
                                <ProductTable page=page f/>
                            </AdminShell>
                        }
        }/>
    }
}

#[component]
fn ProductFilters(f: ProductFilter, categories: Vec<AdminCategory>) -> impl IntoView {
    let sort = f.sort.clone().unwrap_or_default();
    let available = f.available.map(|a| a.to_string()).unwrap_or_default();
    view! {
        <form method="get" action="/admin/products" class="filters" role="search" aria-label="Filter products">
            <div class="field">
                <label for="pf-q">"Search"</label>
                <input id="pf-q" name="q" type="search" value=f.q.clone().unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="pf-category">"Category"</label>
                <select id="pf-category" name="category_id">
                    <option value="">"All categories"</option>
                    {categories.into_iter().map(|c| view! {
                        <option value=c.id.to_string() selected=f.category_id == Some(c.id)>{c.name}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="pf-available">"Availability"</label>
                <select id="pf-available" name="available">
                    <option value="" selected=available.is_empty()>"Any"</option>
                    <option value="true" selected=available == "true">"Available"</option>
                    <option value="false" selected=available == "false">"Unavailable"</option>
                </select>
            </div>
            <div class="field">
                <label for="pf-sort">"Sort"</label>
                <select id="pf-sort" name="sort">
                    {ProductSort::ALL.into_iter().map(|(s, label)| view! {
                        <option value=s.as_str() selected=sort == s.as_str()>{label}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field checkbox">
                <input id="pf-archived" name="archived" type="checkbox" value="true" checked=f.archived/>
                <label for="pf-archived">"Archived only"</label>
            </div>
            <button type="submit">"Filter"</button>
        </form>
    }
}

#[component]
fn ProductTable(page: Page<AdminProduct>, f: ProductFilter) -> impl IntoView {
    if page.items.is_empty() {
        return view! { <p>"No products match these filters."</p> }.into_any();
    }
    let base = filter_query(&f);
    let rows = page.items.clone();
    view! {
        <form method="post" action="/admin/products/availability" class="bulk">
            <input type="hidden" name="back" value=base.clone()/>
            <table class="admin-table">
                <caption class="visually-hidden">"Products"</caption>
                <thead>
                    <tr>
                        <th scope="col"><span class="visually-hidden">"Select"</span></th>
                        <th scope="col">"Name"</th><th scope="col">"Category"</th><th scope="col">"Price"</th>
                        <th scope="col">"Stock"</th><th scope="col">"Available"</th><th scope="col">"Translations"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|p| view! {
                        <tr>
                            <td><input type="checkbox" name="ids" value=p.id.to_string() aria-label=format!("Select {}", p.name)/></td>
                            <th scope="row"><a href=format!("/admin/products/{}", p.id)>{p.name.clone()}</a>{p.archived.then_some(" (archived)")}</th>
                            <td>{p.category_name}</td>
                            <td>{p.price.to_string()}</td>
                            <td>{p.stock}</td>
                            <td>{if p.available { "Yes" } else { "No" }}</td>
                            <td><TranslationStatus missing=p.missing_translations/></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="actions">
                <button type="submit" name="available" value="true">"Make available"</button>
                <button type="submit" name="available" value="false">"Make unavailable"</button>
            </p>
        </form>
        <Pager page base/>
    }
    .into_any()
}

/// `/admin/products/new` and `/admin/products/{id}`: the form, the image, removal.
#[component]
pub fn ProductEditPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let save = ServerAction::<SaveProduct>::new();
    let remove = ServerAction::<DeleteProduct>::new();
    let translate = ServerAction::<SaveProductTranslation>::new();
    let data = Resource::new(
        move || (id(), save.version().get(), remove.version().get(), translate.version().get()),
        |(id, _, _, _)| async move {
            let categories = admin_categories().await?;
            let product = match id {
                Some(id) => Some(admin_product_detail(id).await?),
                None => None,
            };
            Ok::<_, AppError>((product, categories))
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let new = params.read_untracked().get("id").as_deref() == Some("new");
                match data.await {
                    Ok((None, _)) if !new => refused(AppError::not_found("Product")),
                    Ok((product, categories)) => {
                        let title = product.as_ref().map_or("New product".to_string(), |p| p.name.clone());
                        view! {
                            <AdminShell title>
                                <ProductForm product=product.clone() categories save/>
                                {product.map(|p| view! {
                                    <ProductTranslations product=p.clone() translate/>
                                    <ProductImage product=p.clone()/>
                                    <ProductRemoval product=p remove/>
                                })}
                            </AdminShell>
                        }.into_any()
                    }
                    Err(e) => refused(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProductForm(
    product: Option<AdminProduct>,
    categories: Vec<AdminCategory>,
    save: ServerAction<SaveProduct>,
) -> impl IntoView {
    let p = product.clone();
    let value = move |f: fn(&AdminProduct) -> String| p.as_ref().map(f).unwrap_or_default();
    let created = query_param("created");
    let saved = move || save.value().with(|v| matches!(v, Some(Ok(_))));
    let current_category = product.as_ref().map(|p| p.category_id);
    let available = product.as_ref().is_none_or(|p| p.available);
    let err = move |name: &'static str| field_error(save, name);
    view! {
        {move || (saved() || created.get().is_some()).then(|| view! { <p class="notice" role="status">"Product saved."</p> })}
        <FormError error=form_error(save)/>
        <ActionForm action=save attr:class="stacked" attr:aria-label="Product details">
            <input type="hidden" name="id" value=value(|p| p.id.to_string())/>
            <div class="field">
                <label for="product-name">"Name"</label>
                <input id="product-name" name="name" required value=value(|p| p.name.clone())
                    aria-invalid=move || err("name").get().is_some().to_string() aria-describedby="product-name-error"/>
                <p class="field-error" id="product-name-error">{move || err("name").get()}</p>
            </div>
            {product.as_ref().map(|p| view! { <p class="hint">{format!("Address: /product/{}/{} (kept when renamed)", p.id, p.slug)}</p> })}
            <div class="field">
                <label for="product-category">"Category"</label>
                <select id="product-category" name="category_id" aria-describedby="product-category-error">
                    {categories.into_iter().map(|c| view! {
                        <option value=c.id.to_string() selected=current_category == Some(c.id)>{c.name}</option>
                    }).collect_view()}
                </select>
                <p class="field-error" id="product-category-error">{move || err("category_id").get()}</p>
            </div>
            <div class="field">
                <label for="product-description">"Description"</label>
                <textarea id="product-description" name="description" rows="4" aria-describedby="product-description-error">
                    {value(|p| p.description.clone())}
                </textarea>
                <p class="field-error" id="product-description-error">{move || err("description").get()}</p>
            </div>
            <div class="field">
                <label for="product-price">"Price"</label>
                <input id="product-price" name="price" inputmode="decimal" required placeholder="12.50"
                    value=value(|p| format!("{}.{:02}", p.price.amount / 100, p.price.amount % 100))
                    aria-invalid=move || err("price").get().is_some().to_string() aria-describedby="product-price-error"/>
                <p class="field-error" id="product-price-error">{move || err("price").get()}</p>
            </div>
            <div class="field">
                <label for="product-stock">"Stock"</label>
                <input id="product-stock" name="stock" type="number" min="0" required value=value(|p| p.stock.to_string())
                    aria-invalid=move || err("stock").get().is_some().to_string() aria-describedby="product-stock-error"/>
                <p class="field-error" id="product-stock-error">{move || err("stock").get()}</p>
            </div>
            <div class="field checkbox">
                <input id="product-available" name="available" type="checkbox" value="on" checked=available/>
                <label for="product-available">"Available"</label>
            </div>
            <p class="field-error">{move || err("available").get()}</p>
            <button type="submit">"Save"</button>
        </ActionForm>
    }
}

/// "Complete", or which languages lack words (shoppers there see English).
#[component]
pub(super) fn TranslationStatus(missing: Vec<String>) -> impl IntoView {
    use crate::models::lang::Locale;
    if missing.is_empty() {
        return view! { <span class="translation-ok">"Complete"</span> }.into_any();
    }
    let names: Vec<&str> =
        missing.iter().filter_map(|tag| Locale::from_tag(tag)).map(|l| l.english_name()).collect();
    view! { <span class="translation-missing">{format!("Missing: {}", names.join(", "))}</span> }.into_any()
}

/// The product's name and description in each other language, each editable.
#[component]
fn ProductTranslations(
    product: AdminProduct,
    translate: ServerAction<SaveProductTranslation>,
) -> impl IntoView {
    use crate::models::lang::Locale;
    let err = move |name: &'static str| field_error(translate, name);
    view! {
        <section aria-labelledby="translations-title">
            <h2 id="translations-title">"Translations"</h2>
            {move || translate.value().with(|v| matches!(v, Some(Ok(_)))).then(|| view! { <p class="notice" role="status">"Translation saved."</p> })}
            <FormError error=form_error(translate)/>
            {Locale::translated().map(|lang| {
                let found = product.translations.iter().find(|t| t.locale == lang.tag()).cloned();
                let language = lang.english_name();
                let (name_id, description_id) = (format!("name-{}", lang.tag()), format!("description-{}", lang.tag()));
                view! {
                    <ActionForm action=translate attr:class="stacked" attr:aria-label=format!("{language} words")>
                        <h3>{language}</h3>
                        {match &found {
                            Some(t) => view! { <p class="hint">{format!("Address: /{}/product/{}/{}", lang.tag(), product.id, t.slug)}</p> }.into_any(),
                            None => view! { <p class="translation-missing">{format!("Missing: shoppers reading {language} see the English words.")}</p> }.into_any(),
                        }}
                        <input type="hidden" name="id" value=product.id.to_string()/>
                        <input type="hidden" name="locale" value=lang.tag()/>
                        <div class="field">
                            <label for=name_id.clone()>{format!("Name ({language})")}</label>
                            <input id=name_id name="name" required value=found.as_ref().map(|t| t.name.clone()).unwrap_or_default()
                                aria-describedby=format!("name-{}-error", lang.tag())/>
                            <p class="field-error" id=format!("name-{}-error", lang.tag())>{move || err("name").get()}</p>
                        </div>
                        <div class="field">
                            <label for=description_id.clone()>{format!("Description ({language})")}</label>
                            <textarea id=description_id name="description" rows="4">{found.as_ref().map(|t| t.description.clone()).unwrap_or_default()}</textarea>
                            <p class="field-error">{move || err("description").get()}</p>
                        </div>
                        <p class="actions">
                            <button type="submit">{format!("Save {language}")}</button>
                            {found.is_some().then(|| view! { <button type="submit" name="remove" value="1" formnovalidate=true>{format!("Remove {language}")}</button> })}
                        </p>
                    </ActionForm>
                }
            }).collect_view()}
        </section>
    }
}

#[component]
fn ProductImage(product: AdminProduct) -> impl IntoView {
    let saved = query_param("image");
    let error = query_param("image_error");
    view! {
        <section aria-labelledby="image-title">
            <h2 id="image-title">"Image"</h2>
            {if product.image.is_empty() {
                view! { <p>"No image yet."</p> }.into_any()
            } else {
                view! { <img class="admin-thumb" src=product.image.clone() alt=format!("Current image of {}", product.name)/> }.into_any()
            }}
            {move || saved.get().map(|_| view! { <p class="notice" role="status">"Image saved."</p> })}
            {move || error.get().map(|e| view! { <p class="notice error" role="alert">{e}</p> })}
            <form method="post" enctype="multipart/form-data" action=format!("/admin/products/{}/image", product.id) class="stacked">
                <div class="field">
                    <label for="product-image">"Image file"</label>
                    <input id="product-image" name="image" type="file" accept="image/jpeg,image/png,image/webp,image/gif" required/>
                    <p class="hint">"JPEG, PNG, WebP or GIF, at most 2 MB."</p>
                </div>
                <button type="submit">"Upload image"</button>
            </form>
        </section>
    }
}

#[component]
fn ProductRemoval(product: AdminProduct, remove: ServerAction<DeleteProduct>) -> impl IntoView {
    let archived = move || remove.value().with(|v| matches!(v, Some(Ok(Removal::Archived))));
    view! {
        <section aria-labelledby="remove-title">
            <h2 id="remove-title">"Remove"</h2>
            {move || archived().then(|| view! { <p class="notice" role="status">"This product was ordered, so it was archived: hidden from the shop, kept for order history."</p> })}
            <FormError error=form_error(remove)/>
            {if product.archived {
                view! { <p>"This product is archived."</p> }.into_any()
            } else {
                view! {
                    <p>"A product nobody ordered is deleted; one that was ordered is archived instead."</p>
                    <IdButton action=remove id=product.id.to_string() label="Delete product" danger=true standalone=true/>
                }.into_any()
            }}
        </section>
    }
}
