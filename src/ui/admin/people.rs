//! Back office: users, payment events, the job queue and the audit log.

use super::{query_param, refused, short_time, AdminShell, Pager};
use crate::models::account::Role;
use crate::models::admin::{AdminUser, AuditEntry, JobRow, PaymentEventView, UserFilter};
use crate::models::{AppError, Page};
use crate::ui::forms::{form_error, FormError};
use leptos::prelude::*;

fn page_param() -> Memo<Option<u32>> {
    let raw = query_param("page");
    Memo::new(move |_| raw.get().and_then(|p| p.parse().ok()))
}

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
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(users) => {
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
                        }.into_any()
                    }
                    Err(e) => refused(e),
                }
            })}
        </Suspense>
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
                                <ActionForm action=change attr:class="inline">
                                    <input type="hidden" name="id" value=u.id.to_string()/>
                                    <input type="hidden" name="role" value=role_to/>
                                    <button type="submit">{role_label}</button>
                                </ActionForm>
                                <ActionForm action=change attr:class="inline">
                                    <input type="hidden" name="id" value=u.id.to_string()/>
                                    <input type="hidden" name="disabled" value=(!u.disabled).to_string()/>
                                    <button type="submit" class=if u.disabled { "" } else { "danger" }>{disable_label}</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[server]
pub async fn admin_payment_events(page: Option<u32>) -> Result<Page<PaymentEventView>, AppError> {
    let (state, _) = super::admin_context().await?;
    let (page, per_page) = crate::models::admin::page_bounds(page, None)?;
    crate::services::admin::orders::payment_events(&state.db, page, per_page).await
}

/// `/admin/payments`: every Stripe event with its outcome and payload.
#[component]
pub fn PaymentsPage() -> impl IntoView {
    let page = page_param();
    let data = Resource::new(move || page.get(), admin_payment_events);
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(events) => view! {
                        <AdminShell title="Payment events">
                            {if events.items.is_empty() {
                                view! { <p>"No payment events yet."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="admin-table">
                                        <caption class="visually-hidden">"Stripe events, newest first"</caption>
                                        <thead><tr><th scope="col">"Event"</th><th scope="col">"Received (UTC)"</th><th scope="col">"Order"</th><th scope="col">"Outcome"</th><th scope="col">"Payload"</th></tr></thead>
                                        <tbody>
                                            {events.items.clone().into_iter().map(|e| view! {
                                                <tr>
                                                    <th scope="row">{e.event_type.clone()}<br/><span class="hint">{e.stripe_event_id.clone()}</span></th>
                                                    <td>{short_time(&e.received_at)}</td>
                                                    <td>{e.order_id.map(|id| view! { <a href=format!("/admin/orders/{id}")>{format!("Order #{id}")}</a> })}</td>
                                                    <td>{e.outcome.clone().unwrap_or_else(|| "not processed yet".into())}{e.detail.clone().map(|d| format!(" ({d})"))}</td>
                                                    <td><details><summary>{format!("Payload of {}", e.stripe_event_id)}</summary><pre>{e.payload}</pre></details></td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    <Pager page=events base="/admin/payments"/>
                                }.into_any()
                            }}
                        </AdminShell>
                    }.into_any(),
                    Err(e) => refused(e),
                }
            })}
        </Suspense>
    }
}

#[server]
pub async fn admin_jobs(state_filter: Option<String>, page: Option<u32>) -> Result<Page<JobRow>, AppError> {
    let (state, _) = super::admin_context().await?;
    let (page, per_page) = crate::models::admin::page_bounds(page, None)?;
    crate::services::admin::jobs::list_jobs(&state.db, state_filter.as_deref(), page, per_page).await
}

#[server]
pub async fn retry_job(id: String) -> Result<(), AppError> {
    let (state, actor) = super::admin_context().await?;
    crate::flows::admin::retry_job(&state, &actor, &id).await
}

/// `/admin/jobs`: the queue (pending, running, retrying, failed); failed jobs can be
/// retried now.
#[component]
pub fn JobsPage() -> impl IntoView {
    let state_filter = query_param("state");
    let page = page_param();
    let retry = ServerAction::<RetryJob>::new();
    let data = Resource::new(
        move || (state_filter.get(), page.get(), retry.version().get()),
        |(s, page, _)| admin_jobs(s, page),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(jobs) => {
                        let current = state_filter.get_untracked().unwrap_or_default();
                        let base = format!("/admin/jobs?state={current}");
                        view! {
                            <AdminShell title="Jobs">
                                <form method="get" action="/admin/jobs" class="filters" aria-label="Filter jobs">
                                    <div class="field">
                                        <label for="jf-state">"State"</label>
                                        <select id="jf-state" name="state">
                                            <option value="" selected=current.is_empty()>"Any"</option>
                                            {crate::models::admin::JOB_STATES.into_iter().map(|s| view! {
                                                <option value=s selected=current == s>{s}</option>
                                            }).collect_view()}
                                        </select>
                                    </div>
                                    <button type="submit">"Filter"</button>
                                </form>
                                {move || retry.value().get().map(|r| match r {
                                    Ok(()) => view! { <p class="notice" role="status">"The job is queued again."</p> }.into_any(),
                                    Err(e) => view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any(),
                                })}
                                {if jobs.items.is_empty() {
                                    view! { <p>"The queue is empty."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="admin-table">
                                            <caption class="visually-hidden">"Jobs"</caption>
                                            <thead><tr><th scope="col">"Job"</th><th scope="col">"State"</th><th scope="col">"Retries"</th><th scope="col">"Runs at (UTC)"</th><th scope="col">"Last error"</th><th scope="col">"Action"</th></tr></thead>
                                            <tbody>
                                                {jobs.items.clone().into_iter().map(|j| view! {
                                                    <tr>
                                                        <th scope="row">{j.job.clone()}<br/><span class="hint">{j.id.clone()}</span></th>
                                                        <td>{j.state.clone()}</td>
                                                        <td>{j.retries}</td>
                                                        <td>{short_time(&j.scheduled_at)}</td>
                                                        <td>{j.error.clone().unwrap_or_default()}</td>
                                                        <td>{(j.state == "failed").then(|| view! {
                                                            <ActionForm action=retry attr:class="inline">
                                                                <input type="hidden" name="id" value=j.id.clone()/>
                                                                <button type="submit">"Retry now"</button>
                                                            </ActionForm>
                                                        })}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                        <Pager page=jobs base/>
                                    }.into_any()
                                }}
                            </AdminShell>
                        }.into_any()
                    }
                    Err(e) => refused(e),
                }
            })}
        </Suspense>
    }
}

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
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(entries) => view! {
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
                    }.into_any(),
                    Err(e) => refused(e),
                }
            })}
        </Suspense>
    }
}
