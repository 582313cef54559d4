//! Back office: users (search, roles, disable).

use super::page_param;
use super::{query_param, AdminShell, IdButton, Loaded, Pager};
use crate::models::account::Role;
use crate::models::admin::{AdminUser, UserFilter};
use crate::models::{AppError, Page};
use crate::ui::forms::{form_error, FormError};
use leptos::prelude::*;

#[server]
pub async fn admin_users(filter: UserFilter) -> Result<Page<AdminUser>, AppError> {
    let (state, _) = super::admin_context().await?;
    crate::services::admin::users::list_users(&state.db, &filter).await
}

/// Changes one account's role or disabled flag (blank fields are left as they are).
#[server]
pub async fn update_user(
    id: i64,
    role: Option<String>,
    disabled: Option<String>,
) -> Result<AdminUser, AppError> {
    use crate::models::admin::UserPatch;
    let (state, actor) = super::admin_context().await?;
    let role = match role.as_deref() {
        None | Some("") => None,
        Some(r) => Some(Role::parse(r).ok_or_else(|| AppError::BadRequest("Unknown role.".into()))?),
    };
    let disabled = match disabled.as_deref() {
        None | Some("") => None,
        Some(d) => Some(d.parse().map_err(|_| AppError::BadRequest("`disabled` is true or false.".into()))?),
    };
    crate::services::admin::users::update_user(&state.db, &actor, id, &UserPatch { role, disabled }).await
}

/// `/admin/users`: search; promote or demote admins; disable or enable accounts.
#[component]
pub fn UsersPage() -> impl IntoView {
    let q = query_param("q");
    let page = page_param();
    let change = ServerAction::<UpdateUser>::new();
    let data = Resource::new(
        move || (q.get(), page.get(), change.version().get()),
        |(q, page, _)| admin_users(UserFilter { q, page, per_page: None }),
    );
    view! {
        <Loaded data=data ok=move |users| {
                        let search = q.get_untracked().unwrap_or_default();
                        let base = format!("/admin/users?q={}", crate::models::admin::encode_query_value(&search));
                        view! {
                            <AdminShell title="Users">
                                <form method="get" action="/admin/users" class="filters" role="search" aria-label="Find users">
                                    <div class="field">
                                        <label for="uf-q">"Search"</label>
                                        <input id="uf-q" name="q" type="search" value=search/>
                                    </div>
                                    <button type="submit">"Find"</button>
                                </form>
                                <FormError error=form_error(change)/>
                                {if users.items.is_empty() {
                                    view! { <p>"No accounts match."</p> }.into_any()
                                } else {
                                    view! { <UserTable rows=users.items.clone() change/><Pager page=users base/> }.into_any()
                                }}
                            </AdminShell>
                        }
        }/>
    }
}

#[component]
fn UserTable(rows: Vec<AdminUser>, change: ServerAction<UpdateUser>) -> impl IntoView {
    view! {
        <table class="admin-table">
            <caption class="visually-hidden">"Accounts"</caption>
            <thead><tr><th scope="col">"Email"</th><th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col">"Status"</th><th scope="col">"Actions"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|u| {
                    let (role_to, role_label) = match u.role {
                        Role::Admin => ("customer", format!("Remove admin from {}", u.email)),
                        Role::Customer => ("admin", format!("Make {} an admin", u.email)),
                    };
                    let disable_label = if u.disabled { format!("Enable {}", u.email) } else { format!("Disable {}", u.email) };
                    view! {
                        <tr>
                            <th scope="row">{u.email.clone()}</th>
                            <td>{u.name.clone()}</td>
                            <td>{if u.role == Role::Admin { "Admin" } else { "Customer" }}</td>
                            <td>{if u.disabled { "Disabled" } else { "Active" }}</td>
                            <td>
                                <IdButton action=change id=u.id.to_string() label=role_label fields=vec![("role", role_to.to_string())]/>
                                <IdButton action=change id=u.id.to_string() label=disable_label fields=vec![("disabled", (!u.disabled).to_string())] danger=!u.disabled/>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
