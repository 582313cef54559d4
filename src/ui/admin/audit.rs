//! Back office: the audit log.

use super::page_param;
use super::{short_time, AdminShell, Loaded, Pager};
use crate::models::admin::AuditEntry;
use crate::models::{AppError, Page};
use leptos::prelude::*;

#[server]
pub async fn admin_audit(page: Option<u32>) -> Result<Page<AuditEntry>, AppError> {
    let (state, _) = super::admin_context().await?;
    let (page, per_page) = crate::models::admin::page_bounds(page, None)?;
    crate::services::admin::audit_log(&state.db, None, page, per_page).await
}

/// `/admin/audit`: every admin change, newest first.
#[component]
pub fn AuditPage() -> impl IntoView {
    let page = page_param();
    let data = Resource::new(move || page.get(), admin_audit);
    view! {
        <Loaded data=data ok=move |entries| view! {
                        <AdminShell title="Audit log">
                            {if entries.items.is_empty() {
                                view! { <p>"No admin changes yet."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="admin-table">
                                        <caption class="visually-hidden">"Admin changes, newest first"</caption>
                                        <thead><tr><th scope="col">"When (UTC)"</th><th scope="col">"Who"</th><th scope="col">"What"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                                        <tbody>
                                            {entries.items.clone().into_iter().map(|e| view! {
                                                <tr>
                                                    <td>{short_time(&e.at)}</td>
                                                    <td>{e.actor_email.clone()}</td>
                                                    <th scope="row">{format!("{} {} #{}", e.action, e.entity, e.entity_id)}</th>
                                                    <td><pre class="json">{e.before.clone().unwrap_or_default()}</pre></td>
                                                    <td><pre class="json">{e.after.clone().unwrap_or_default()}</pre></td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    <Pager page=entries base="/admin/audit"/>
                                }.into_any()
                            }}
                        </AdminShell>
                    }/>
    }
}
