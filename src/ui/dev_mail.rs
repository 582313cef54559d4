//! `/dev/mail`: a mailbox preview of the `.eml` files written when no SMTP server is
//! configured. It does not exist (404) in production, when `SMTP_URL` is set, or for any
//! client but this machine (its mail holds password-reset links).

use super::errors::ErrorView;
use crate::models::{AppError, MailDetail, MailSummary};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::{components::A, hooks::use_params_map};

/// The mail directory, if this request may read it: development with file mail, asked
/// from a loopback address (as rate limits see the client, through `TRUSTED_PROXIES`).
#[cfg(feature = "ssr")]
async fn mailbox_dir() -> Result<std::path::PathBuf, AppError> {
    let state = crate::flows::state::AppState::current()?;
    let ip = super::request::client_ip().await;
    if !state.config.dev_mailbox_enabled() || !ip.is_some_and(|ip| ip.to_canonical().is_loopback()) {
        return Err(AppError::not_found("Page"));
    }
    Ok(state.config.mail_dir.clone())
}

#[server]
pub async fn dev_mailbox() -> Result<Vec<MailSummary>, AppError> {
    crate::services::mail::list_mailbox(&mailbox_dir().await?).await
}

#[server]
pub async fn dev_mail(id: String) -> Result<MailDetail, AppError> {
    crate::services::mail::read_mail(&mailbox_dir().await?, &id).await
}

#[component]
pub fn Mailbox() -> impl IntoView {
    let mail = Resource::new(|| (), |_| dev_mailbox());
    view! {
        <Title text="Dev mailbox"/>
        <Meta name="robots" content="noindex"/>
        <Transition fallback=|| view! { <p role="status">"Loading mail…"</p> }>
            {move || Suspend::new(async move {
                match mail.await {
                    Ok(list) if list.is_empty() => view! {
                        <section class="message-page">
                            <h1>"Dev mailbox"</h1>
                            <p>"No mail yet. Run " <code>"fullstack-ws send-test-mail --to you@example.com"</code> " to send one."</p>
                        </section>
                    }.into_any(),
                    Ok(list) => view! {
                        <section class="mailbox">
                            <h1>"Dev mailbox"</h1>
                            <table>
                                <thead><tr><th scope="col">"Subject"</th><th scope="col">"To"</th><th scope="col">"From"</th><th scope="col">"Date"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|m| view! {
                                        <tr>
                                            <td><A href=format!("/dev/mail/{}", m.id)>{m.subject}</A></td>
                                            <td>{m.to}</td>
                                            <td>{m.from}</td>
                                            <td>{m.date}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn MailView() -> impl IntoView {
    let params = use_params_map();
    let mail = Resource::new(move || params.read().get("id").unwrap_or_default(), dev_mail);
    view! {
        <Meta name="robots" content="noindex"/>
        <Transition fallback=|| view! { <p role="status">"Loading message…"</p> }>
            {move || Suspend::new(async move {
                match mail.await {
                    Ok(m) => view! {
                        <Title text=m.summary.subject.clone()/>
                        <article class="mail">
                            <p><A href="/dev/mail">"← All mail"</A></p>
                            <h1>{m.summary.subject.clone()}</h1>
                            <dl>
                                <dt>"From"</dt><dd>{m.summary.from.clone()}</dd>
                                <dt>"To"</dt><dd>{m.summary.to.clone()}</dd>
                                <dt>"Date"</dt><dd>{m.summary.date.clone()}</dd>
                                <dt>"Attachments"</dt><dd>{if m.attachments.is_empty() { "none".to_string() } else { m.attachments.join(", ") }}</dd>
                            </dl>
                            {m.html.map(|html| view! {
                                <h2>"HTML"</h2>
                                <iframe class="mail-html" title="HTML body" sandbox="" srcdoc=html></iframe>
                            })}
                            {m.text.map(|text| view! { <h2>"Text"</h2><pre class="mail-text">{text}</pre> })}
                        </article>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
