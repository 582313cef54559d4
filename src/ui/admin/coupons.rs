//! Back office: coupons (add, edit, on/off, delete).

use super::{AdminShell, IdButton, Loaded};
use crate::models::admin::AdminCoupon;
use crate::models::AppError;
use crate::ui::forms::{field_error, form_error, FormError};
use leptos::prelude::*;

#[server]
pub async fn admin_coupons() -> Result<Vec<AdminCoupon>, AppError> {
    let (state, _) = super::admin_context().await?;
    crate::services::admin::coupons::list_coupons(&state.db).await
}

#[server]
pub async fn save_coupon(
    id: String,
    code: String,
    percent: String,
    valid_from: String,
    valid_to: String,
    active: Option<String>,
) -> Result<AdminCoupon, AppError> {
    use crate::models::admin::CouponInput;
    use crate::services::admin::coupons;
    let (state, actor) = super::admin_context().await?;
    let percent = percent
        .trim()
        .parse()
        .map_err(|_| AppError::field("percent", "Enter a whole number from 1 to 100."))?;
    let input = CouponInput { code, percent, valid_from, valid_to, active: active.is_some() };
    match id.trim() {
        "" => coupons::create_coupon(&state.db, &actor, &input).await,
        raw => {
            let id = raw.parse().map_err(|_| AppError::not_found("Coupon"))?;
            coupons::update_coupon(&state.db, &actor, id, &input).await
        }
    }
}

#[server]
pub async fn set_coupon_active(id: i64, active: bool) -> Result<AdminCoupon, AppError> {
    use crate::models::admin::CouponInput;
    use crate::services::admin::coupons;
    let (state, actor) = super::admin_context().await?;
    let c = coupons::get_coupon(&state.db, id).await?;
    let input = CouponInput {
        code: c.code,
        percent: c.percent,
        valid_from: c.valid_from,
        valid_to: c.valid_to,
        active,
    };
    coupons::update_coupon(&state.db, &actor, id, &input).await
}

#[server]
pub async fn delete_coupon(id: i64) -> Result<(), AppError> {
    let (state, actor) = super::admin_context().await?;
    crate::services::admin::coupons::delete_coupon(&state.db, &actor, id).await
}

/// A coupon's fields, empty for a new one; `prefix` keeps the ids unique on the page.
#[component]
fn CouponFields(
    prefix: String,
    coupon: Option<AdminCoupon>,
    action: ServerAction<SaveCoupon>,
) -> impl IntoView {
    let day = |t: &str| t.get(..10).unwrap_or_default().to_string();
    let (code, percent, from, to, active) = match &coupon {
        Some(c) => (c.code.clone(), c.percent.to_string(), day(&c.valid_from), day(&c.valid_to), c.active),
        None => (String::new(), String::new(), String::new(), String::new(), true),
    };
    let field = |name: &'static str, label: &'static str, kind: &'static str, value: String| {
        let id = format!("{prefix}-{name}");
        let error = field_error(action, name);
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id name=name type=kind value=value required/>
                <p class="field-error">{move || error.get()}</p>
            </div>
        }
    };
    let active_id = format!("{prefix}-active");
    view! {
        {field("code", "Code", "text", code)}
        {field("percent", "Percent off", "number", percent)}
        {field("valid_from", "Valid from", "date", from)}
        {field("valid_to", "Valid to", "date", to)}
        <div class="field checkbox">
            <input id=active_id.clone() name="active" type="checkbox" value="on" checked=active/>
            <label for=active_id>"Active"</label>
        </div>
    }
}

/// `/admin/coupons`: add, edit, switch on or off, delete.
#[component]
pub fn CouponsPage() -> impl IntoView {
    let save = ServerAction::<SaveCoupon>::new();
    let edit = ServerAction::<SaveCoupon>::new();
    let toggle = ServerAction::<SetCouponActive>::new();
    let remove = ServerAction::<DeleteCoupon>::new();
    let data = Resource::new(
        move || (save.version().get(), edit.version().get(), toggle.version().get(), remove.version().get()),
        |_| admin_coupons(),
    );
    view! {
        <Loaded data=data ok=move |coupons| view! {
                        <AdminShell title="Coupons">
                            <FormError error=form_error(toggle)/>
                            <FormError error=form_error(remove)/>
                            <FormError error=form_error(edit)/>
                            {if coupons.is_empty() {
                                view! { <p>"No coupons yet."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="admin-table">
                                        <caption class="visually-hidden">"Coupons"</caption>
                                        <thead><tr><th scope="col">"Code"</th><th scope="col">"Discount"</th><th scope="col">"Valid"</th><th scope="col">"Active"</th><th scope="col">"Actions"</th></tr></thead>
                                        <tbody>
                                            {coupons.into_iter().map(|c| {
                                                let toggle_label = if c.active { format!("Switch off {}", c.code) } else { format!("Switch on {}", c.code) };
                                                let delete_label = format!("Delete {}", c.code);
                                                let edit_label = format!("Edit {}", c.code);
                                                let save_label = format!("Save {}", c.code);
                                                let valid = format!("{} – {}", c.valid_from.get(..10).unwrap_or_default(), c.valid_to.get(..10).unwrap_or_default());
                                                        view! {
                                                <tr>
                                                    <th scope="row">{c.code.clone()}</th>
                                                    <td>{format!("{}%", c.percent)}</td>
                                                    <td>{valid}</td>
                                                    <td>{if c.active { "Yes" } else { "No" }}</td>
                                                    <td>
                                                        <IdButton action=toggle id=c.id.to_string() label=toggle_label fields=vec![("active", (!c.active).to_string())]/>
                                                        <IdButton action=remove id=c.id.to_string() label=delete_label danger=true/>
                                                        <details>
                                                            <summary>{edit_label}</summary>
                                                            <ActionForm action=edit attr:class="stacked">
                                                                <input type="hidden" name="id" value=c.id.to_string()/>
                                                                <CouponFields prefix=format!("coupon-{}", c.id) coupon=Some(c.clone()) action=edit/>
                                                                <button type="submit">{save_label}</button>
                                                            </ActionForm>
                                                        </details>
                                                    </td>
                                                </tr>
                                            }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                            <h2>"Add a coupon"</h2>
                            <FormError error=form_error(save)/>
                            <ActionForm action=save attr:class="stacked" attr:aria-label="New coupon">
                                <input type="hidden" name="id" value=""/>
                                <CouponFields prefix="coupon".to_string() coupon=None action=save/>
                                <button type="submit">"Add coupon"</button>
                            </ActionForm>
                        </AdminShell>
                    }/>
    }
}
