//! Back office: categories (add, rename, delete when empty).

use super::products::admin_categories;
use super::{AdminShell, IdButton, Loaded};
use crate::models::admin::AdminCategory;
use crate::models::AppError;
use crate::ui::forms::{field_error, form_error, FormError};
use leptos::prelude::*;

#[server]
pub async fn save_category(id: String, name: String) -> Result<AdminCategory, AppError> {
    use crate::models::admin::CategoryInput;
    use crate::services::admin::catalog;
    let (state, actor) = super::admin_context().await?;
    let input = CategoryInput { name };
    match id.trim() {
        "" => catalog::create_category(&state.db, &actor, &input).await,
        raw => {
            let id = raw.parse().map_err(|_| AppError::not_found("Category"))?;
            catalog::update_category(&state.db, &actor, id, &input).await
        }
    }
}

/// Writes a category's name in another language (`locale`).
#[server]
pub async fn save_category_translation(
    id: i64,
    locale: String,
    name: String,
) -> Result<AdminCategory, AppError> {
    let (state, actor) = super::admin_context().await?;
    let input = crate::models::admin::TranslationInput { name, description: String::new() };
    crate::services::admin::catalog::set_category_translation(&state.db, &actor, id, &locale, &input).await
}

#[server]
pub async fn delete_category(id: i64) -> Result<(), AppError> {
    let (state, actor) = super::admin_context().await?;
    crate::services::admin::catalog::delete_category(&state.db, &actor, id).await
}

/// `/admin/categories`: add, rename, delete (only when empty).
#[component]
pub fn CategoriesPage() -> impl IntoView {
    let save = ServerAction::<SaveCategory>::new();
    let remove = ServerAction::<DeleteCategory>::new();
    let translate = ServerAction::<SaveCategoryTranslation>::new();
    let data = Resource::new(
        move || (save.version().get(), remove.version().get(), translate.version().get()),
        |_| admin_categories(),
    );
    view! {
        <Loaded data=data ok=move |categories| view! {
                        <AdminShell title="Categories">
                            <FormError error=form_error(save)/>
                            <FormError error=form_error(remove)/>
                            <FormError error=form_error(translate)/>
                            <table class="admin-table">
                                <caption class="visually-hidden">"Categories"</caption>
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Products"</th><th scope="col">"Rename"</th><th scope="col">"Spanish name"</th><th scope="col">"Delete"</th></tr></thead>
                                <tbody>
                                    {categories.into_iter().map(|c| {
                                        let rename_label = format!("New name for {}", c.name);
                                        let delete_label = format!("Delete {}", c.name);
                                        let spanish_label = format!("Spanish name for {}", c.name);
                                        let spanish = c.translations.iter().find(|t| t.locale == "es").map(|t| t.name.clone());
                                        let missing = spanish.is_none();
                                        view! {
                                        <tr>
                                            <th scope="row">{c.name.clone()}</th>
                                            <td><a href=format!("/admin/products?category_id={}", c.id)>{c.product_count}</a></td>
                                            <td>
                                                <ActionForm action=save attr:class="inline">
                                                    <input type="hidden" name="id" value=c.id.to_string()/>
                                                    <input name="name" value=c.name aria-label=rename_label required/>
                                                    <button type="submit">"Rename"</button>
                                                </ActionForm>
                                            </td>
                                            <td>
                                                <ActionForm action=translate attr:class="inline">
                                                    <input type="hidden" name="id" value=c.id.to_string()/>
                                                    <input type="hidden" name="locale" value="es"/>
                                                    <input name="name" value=spanish.clone().unwrap_or_default() aria-label=spanish_label required/>
                                                    <button type="submit">"Save"</button>
                                                </ActionForm>
                                                {missing.then(|| view! { <span class="translation-missing">"Missing"</span> })}
                                            </td>
                                            <td>
                                                <IdButton action=remove id=c.id.to_string() label="Delete" danger=true aria_label=delete_label/>
                                            </td>
                                        </tr>
                                    }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <h2>"Add a category"</h2>
                            <ActionForm action=save attr:class="stacked" attr:aria-label="New category">
                                <input type="hidden" name="id" value=""/>
                                <div class="field">
                                    <label for="category-name">"Category name"</label>
                                    <input id="category-name" name="name" required/>
                                    <p class="field-error">{move || field_error(save, "name").get()}</p>
                                </div>
                                <button type="submit">"Add category"</button>
                            </ActionForm>
                        </AdminShell>
                    }/>
    }
}
