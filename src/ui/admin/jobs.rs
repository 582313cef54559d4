//! Back office: the job queue (filter by state, retry a failed job).

use super::page_param;
use super::{query_param, short_time, AdminShell, IdButton, Loaded, Pager};
use crate::models::admin::JobRow;
use crate::models::{AppError, Page};
use leptos::prelude::*;

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
        <Loaded data=data ok=move |jobs| {
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
                                                            <IdButton action=retry id=j.id.clone() label="Retry now"/>
                                                        })}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                        <Pager page=jobs base/>
                                    }.into_any()
                                }}
                            </AdminShell>
                        }
        }/>
    }
}
