//! The back office at `/admin/…`, for the `admin` role only. Every page loads through a
//! server function that checks the role on the server; anonymous visitors are sent to log
//! in and customers get 403. The same services back the REST API under `/api/v1/admin`.

mod audit;
mod categories;
mod coupons;
mod jobs;
mod orders;
mod payments;
mod products;
mod reconciliation;
mod users;

pub use audit::AuditPage;
pub use categories::CategoriesPage;
pub use coupons::CouponsPage;
pub use jobs::JobsPage;
pub use orders::{OrderAdminPage, OrdersPage};
pub use payments::PaymentsPage;
pub use products::{ProductEditPage, ProductsPage};
pub use reconciliation::ReconciliationPage;
pub use users::UsersPage;

use super::errors::ErrorView;
use crate::models::admin::{DailyRevenue, Dashboard};
use crate::models::{AppError, Money, Page, SHOP_CURRENCY};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

#[cfg(feature = "ssr")]
pub(crate) async fn admin_context(
) -> Result<(crate::flows::state::AppState, crate::services::admin::Actor), AppError> {
    let (state, auth) = crate::ui::request::request().await?;
    let actor = crate::flows::admin::actor(&auth)?;
    Ok((state, actor))
}

#[server]
pub async fn admin_dashboard() -> Result<Dashboard, AppError> {
    let (state, _) = admin_context().await?;
    crate::services::admin::dashboard::dashboard(&state.db, chrono::Utc::now()).await
}

/// The back office's frame: its navigation and the page's heading.
#[component]
pub fn AdminShell(#[prop(into)] title: String, children: Children) -> impl IntoView {
    let links = [
        ("/admin", "Dashboard"),
        ("/admin/products", "Products"),
        ("/admin/categories", "Categories"),
        ("/admin/coupons", "Coupons"),
        ("/admin/orders", "Orders"),
        ("/admin/users", "Users"),
        ("/admin/payments", "Payments"),
        ("/admin/reconciliation", "Reconciliation"),
        ("/admin/jobs", "Jobs"),
        ("/admin/audit", "Audit log"),
    ];
    let here = use_location().pathname;
    view! {
        <Title text=format!("{title} · Back office")/>
        <Meta name="robots" content="noindex"/>
        <div class="admin">
            <nav class="admin-nav" aria-label="Back office">
                <ul>
                    {links.into_iter().map(|(href, label)| {
                        let current = move || {
                            let path = here.get();
                            let on = if href == "/admin" { path == href } else { path.starts_with(href) };
                            on.then_some("page")
                        };
                        view! { <li><a href=href aria-current=current>{label}</a></li> }
                    }).collect_view()}
                </ul>
            </nav>
            <section class="admin-main" aria-labelledby="admin-title">
                <h1 id="admin-title">{title}</h1>
                {children()}
            </section>
        </div>
    }
}

/// A back-office page's data: "Loading…" while it loads, then `ok(data)`, or what
/// [`refused`] shows when its server function said no.
#[component]
pub fn Loaded<T, F, V>(data: Resource<Result<T, AppError>>, ok: F) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || {
                let ok = ok.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(d) => ok(d).into_any(),
                        Err(e) => refused(e),
                    }
                })
            }}
        </Suspense>
    }
}

/// One button acting on one record: an `ActionForm` posting the record's `id` (and any
/// further fixed fields) hidden, so every such action has the same shape and works
/// without JavaScript.
#[component]
pub fn IdButton<ServFn, OutputProtocol>(
    action: ServerAction<ServFn>,
    #[prop(into)] id: String,
    #[prop(into)] label: String,
/// Further hidden fields, as (name, value).
    #[prop(optional)]
    fields: Vec<(&'static str, String)>,
/// Styled as a destructive action.
    #[prop(optional)]
    danger: bool,
/// A fuller accessible name than the label (e.g. which record it acts on).
    #[prop(optional, into)]
    aria_label: Option<String>,
/// On its own line rather than inline in a table row.
    #[prop(optional)]
    standalone: bool,
) -> impl IntoView
where
    ServFn: serde::de::DeserializeOwned
        + leptos::server_fn::ServerFn<Protocol = leptos::server_fn::Http<leptos::server_fn::codec::PostUrl, OutputProtocol>>
        + Clone
        + Send
        + Sync
        + 'static,
    <<ServFn::Client as leptos::server_fn::client::Client<ServFn::Error>>::Request as leptos::server_fn::request::ClientReq<
        ServFn::Error,
    >>::FormData: From<leptos::web_sys::FormData>,
    ServFn::Output: Send + Sync + 'static,
    ServFn::Error: Send + Sync + 'static,
    <ServFn as leptos::server_fn::ServerFn>::Client: leptos::server_fn::client::Client<<ServFn as leptos::server_fn::ServerFn>::Error>,
{
    view! {
        <ActionForm action attr:class=(!standalone).then_some("inline")>
            <input type="hidden" name="id" value=id/>
            {fields.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
            <button type="submit" class=danger.then_some("danger") aria-label=aria_label>{label}</button>
        </ActionForm>
    }
}

/// What an admin page shows when its server function refused: log in, or the error.
pub fn refused(error: AppError) -> AnyView {
    match error {
        AppError::Unauthorized(_) => {
            let next = use_location().pathname.get_untracked();
            view! { <Redirect path=format!("/login?next={next}")/> }.into_any()
        }
        error => view! { <ErrorView error/> }.into_any(),
    }
}

/// "Page 2 of 7" with previous/next links that keep the other query parameters.
#[component]
pub fn Pager<T: 'static>(page: Page<T>, #[prop(into)] base: String) -> impl IntoView {
    let count = page.page_count();
    let current = page.page;
    let sep = if base.contains('?') { "&" } else { "?" };
    let link = move |p: u32| format!("{base}{sep}page={p}");
    view! {
        <nav class="pager" aria-label="Pages">
            <span>{format!("Page {current} of {count} · {} in all", page.total)}</span>
            {(current > 1).then(|| view! { <a href=link(current - 1) rel="prev">"Previous page"</a> })}
            {(current < count).then(|| view! { <a href=link(current + 1) rel="next">"Next page"</a> })}
        </nav>
    }
}

/// An RFC 3339 time as `2026-11-27 09:41` (UTC), without a date library in the browser.
pub fn short_time(rfc3339: &str) -> String {
    let t = rfc3339.replacen('T', " ", 1);
    t.chars().take(16).collect()
}

/// A URL field that was filled in (forms submit empty fields as `key=`).
pub(crate) fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

/// The `page` query parameter as a number, if it is one.
fn page_param() -> Memo<Option<u32>> {
    let raw = query_param("page");
    Memo::new(move |_| raw.get().and_then(|p| p.parse().ok()))
}

/// A query parameter of the current URL, if filled in.
pub fn query_param(name: &'static str) -> Memo<Option<String>> {
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| query.read().get(name).filter(|v| !v.is_empty()))
}

/// `/admin`: sales, orders by status, the revenue chart, and what needs attention.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| admin_dashboard());
    view! {
        <Loaded data=data ok=move |d| view! { <AdminShell title="Back office"><DashboardView d/></AdminShell> }/>
    }
}

#[component]
fn DashboardView(d: Dashboard) -> impl IntoView {
    view! {
        <section aria-labelledby="sales">
            <h2 id="sales">"Sales"</h2>
            <table class="admin-table">
                <caption class="visually-hidden">"Orders and revenue of paid orders, by period"</caption>
                <thead><tr><th scope="col">"Period"</th><th scope="col">"Orders placed"</th><th scope="col">"Orders paid"</th><th scope="col">"Revenue"</th></tr></thead>
                <tbody>
                    {d.windows.into_iter().map(|w| view! {
                        <tr><th scope="row">{w.label}</th><td>{w.orders}</td><td>{w.paid_orders}</td><td>{w.revenue.to_string()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <RevenueChart days=d.daily/>
        </section>
        <section aria-labelledby="by-status">
            <h2 id="by-status">"Orders by status"</h2>
            <dl class="totals admin-counts">
                {d.by_status.into_iter().map(|(status, n)| view! {
                    <dt>{status.label()}</dt><dd><a href=format!("/admin/orders?status={}", status.as_str())>{n}</a></dd>
                }).collect_view()}
                <dt>"Accounts"</dt><dd><a href="/admin/users">{d.accounts}</a></dd>
            </dl>
        </section>
        <section aria-labelledby="low-stock">
            <h2 id="low-stock">"Low stock"</h2>
            {if d.low_stock.is_empty() {
                view! { <p>"Every product has more than 5 in stock."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {d.low_stock.into_iter().map(|p| view! {
                            <li><a href=format!("/admin/products/{}", p.id)>{p.name}</a>{format!(" — {} left", p.stock)}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="payment-issues">
            <h2 id="payment-issues">"Payments needing attention"</h2>
            {if d.payment_issues.is_empty() && d.flagged_events.is_empty() {
                view! { <p>"No payment problems."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {d.payment_issues.into_iter().map(|i| view! {
                            <li>
                                <a href=format!("/admin/orders/{}", i.order_id)>{format!("Order #{}", i.order_id)}</a>
                                {format!(" — {}, {}", i.status.label(), i.total)}
                                {i.refund_due.then_some(", refund due")}
                                {(!i.problem.is_empty()).then(|| format!(": {}", i.problem))}
                            </li>
                        }).collect_view()}
                        {d.flagged_events.into_iter().map(|e| view! {
                            <li>{format!("Event {} ({}) — {}", e.stripe_event_id, e.event_type, e.outcome.unwrap_or_else(|| "not processed yet".into()))}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="job-trouble">
            <h2 id="job-trouble">"Failed or retrying jobs"</h2>
            {if d.troubled_jobs.is_empty() {
                view! { <p>"No failed or retrying jobs."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {d.troubled_jobs.into_iter().map(|j| view! {
                            <li>{format!("{} — {} ({} retries): {}", j.job, j.state, j.retries, j.error.unwrap_or_default())}</li>
                        }).collect_view()}
                    </ul>
                    <p><a href="/admin/jobs">"Open the job queue"</a></p>
                }.into_any()
            }}
        </section>
    }
}

/// Daily revenue as an SVG bar chart drawn here (no chart library); the figures are also
/// in a table for screen readers.
#[component]
fn RevenueChart(days: Vec<DailyRevenue>) -> impl IntoView {
    const W: i64 = 600;
    const H: i64 = 160;
    let max = days.iter().map(|d| d.revenue).max().unwrap_or(0).max(1);
    let bar = W / days.len().max(1) as i64;
    let total: i64 = days.iter().map(|d| d.revenue).sum();
    let first = days.first().map(|d| d.day.clone()).unwrap_or_default();
    let last = days.last().map(|d| d.day.clone()).unwrap_or_default();
    let label =
        format!("Revenue per day from {first} to {last}; {} in all", Money::new(total, SHOP_CURRENCY));
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {}", H + 20) role="img" aria-label=label.clone() class="revenue-chart">
                {days.iter().enumerate().map(|(i, d)| {
                    let h = d.revenue * H / max;
                    view! {
                        <rect x=(i as i64 * bar + 1).to_string() y=(H - h).to_string() width=(bar - 2).to_string() height=h.max(0).to_string()>
                            <title>{format!("{}: {}", d.day, Money::new(d.revenue, SHOP_CURRENCY))}</title>
                        </rect>
                    }
                }).collect_view()}
                <text x="0" y=(H + 16).to_string()>{first.clone()}</text>
                <text x=W.to_string() y=(H + 16).to_string() text-anchor="end">{last.clone()}</text>
            </svg>
            <figcaption>{label}</figcaption>
        </figure>
        <details>
            <summary>"Revenue per day as a table"</summary>
            <table class="admin-table">
                <caption class="visually-hidden">"Revenue per day"</caption>
                <thead><tr><th scope="col">"Day"</th><th scope="col">"Revenue"</th></tr></thead>
                <tbody>
                    {days.into_iter().map(|d| view! {
                        <tr><th scope="row">{d.day}</th><td>{Money::new(d.revenue, SHOP_CURRENCY).to_string()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}
