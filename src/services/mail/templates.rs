//! Every mail the shop sends, in one place. Each has a text and an HTML part rendered
//! by askama from `templates/<name>.{txt,html}` (the HTML ones extend `base.html`).
//! HTML parts escape every value by default, so a shopper- or admin-typed name, address
//! or reason can never become markup in a mail.

use super::Email;
use crate::entities::user;
use crate::models::i18n::td_string;
use crate::models::lang::Locale;
use crate::models::Order;
use askama::Template;

// One struct per part: askama binds a struct to one template file.
#[derive(Template)]
#[template(path = "account.txt", config = "src/services/mail/askama.toml")]
struct AccountText<'a> {
    m: &'a AccountMail,
}

#[derive(Template)]
#[template(path = "account.html", config = "src/services/mail/askama.toml")]
struct AccountHtml<'a> {
    site_url: &'a str,
    m: &'a AccountMail,
}

/// A mail about an account, in the account's language: a greeting, what happened, the
/// links to act on, and what to know after.
struct AccountMail {
    lang: &'static str,
    subject: String,
    hello: String,
    intro: Vec<String>,
    actions: Vec<Action>,
    outro: Vec<String>,
}

struct Action {
    label: String,
    url: String,
}

impl Action {
    fn new(label: &str, url: String) -> Self {
        Self { label: label.to_owned(), url }
    }
}

impl AccountMail {
    fn new(u: &user::Model, subject: &str) -> Self {
        let lang = account_language(u);
        Self {
            lang: lang.tag(),
            subject: subject.to_owned(),
            hello: td_string!(lang, mail.hello, name = u.name.as_str()).to_string(),
            intro: Vec::new(),
            actions: Vec::new(),
            outro: Vec::new(),
        }
    }

    fn to(self, to: &str, site_url: &str) -> Email {
        let m = &self;
        email(to, self.subject.clone(), render(&AccountText { m }), render(&AccountHtml { site_url, m }))
    }
}

/// The language an account's mails are written in.
pub fn account_language(u: &user::Model) -> Locale {
    Locale::from_tag(&u.locale).unwrap_or(Locale::en)
}

#[derive(Template)]
#[template(path = "order_received.txt", config = "src/services/mail/askama.toml")]
struct OrderReceivedText<'a> {
    v: &'a OrderView<'a>,
}

#[derive(Template)]
#[template(path = "order_received.html", config = "src/services/mail/askama.toml")]
struct OrderReceivedHtml<'a> {
    site_url: &'a str,
    v: &'a OrderView<'a>,
}

#[derive(Template)]
#[template(path = "payment_received.txt", config = "src/services/mail/askama.toml")]
struct PaymentReceivedText<'a> {
    v: &'a OrderView<'a>,
}

#[derive(Template)]
#[template(path = "payment_received.html", config = "src/services/mail/askama.toml")]
struct PaymentReceivedHtml<'a> {
    site_url: &'a str,
    v: &'a OrderView<'a>,
}

#[derive(Template)]
#[template(path = "payment_failed.txt", config = "src/services/mail/askama.toml")]
struct PaymentFailedText<'a> {
    v: &'a OrderView<'a>,
}

#[derive(Template)]
#[template(path = "payment_failed.html", config = "src/services/mail/askama.toml")]
struct PaymentFailedHtml<'a> {
    site_url: &'a str,
    v: &'a OrderView<'a>,
}

/// The words every order mail uses, in the order's language.
struct OrderWords {
    product: &'static str,
    quantity: &'static str,
    unit_price: &'static str,
    subtotal: &'static str,
    total: &'static str,
    ship_to: &'static str,
    pay_and_follow: &'static str,
    follow: &'static str,
    kept: &'static str,
    kept_pay_here: &'static str,
    try_again: &'static str,
}

/// A line as the mail shows it.
struct LineView {
    name: String,
    quantity: i32,
    unit_price: String,
    line_total: String,
}

/// An order as its mails show it: every word in the order's language, money written the
/// way that language writes it, the link to the order's page in that language.
struct OrderView<'a> {
    o: &'a Order,
    lang: &'static str,
    subject: String,
    hello: String,
    intro: String,
    lines: Vec<LineView>,
    subtotal: String,
    discount_label: String,
    discount: String,
    total: String,
    link: String,
    words: OrderWords,
}

impl<'a> OrderView<'a> {
    fn new(o: &'a Order, site_url: &str, subject: String, intro: String) -> Self {
        let lang = o.language();
        let money = |m: &crate::models::Money| m.format_in(lang);
        let discount_label = match o.coupon_code.as_deref() {
            Some(code) => td_string!(lang, mail.coupon, code = code).to_string(),
            None => td_string!(lang, mail.discount).to_string(),
        };
        Self {
            o,
            lang: lang.tag(),
            subject,
            hello: td_string!(lang, mail.hello, name = o.shipping.first_name.as_str()).to_string(),
            intro,
            lines: o
                .lines
                .iter()
                .map(|l| LineView {
                    name: l.name.clone(),
                    quantity: l.quantity,
                    unit_price: money(&l.unit_price),
                    line_total: money(&l.line_total),
                })
                .collect(),
            subtotal: money(&o.subtotal),
            discount_label,
            discount: money(&o.discount),
            total: money(&o.total),
            link: link(site_url, lang, &o.url()),
            words: OrderWords {
                product: td_string!(lang, mail.product),
                quantity: td_string!(lang, mail.quantity),
                unit_price: td_string!(lang, mail.unit_price),
                subtotal: td_string!(lang, mail.subtotal),
                total: td_string!(lang, mail.total),
                ship_to: td_string!(lang, mail.ship_to),
                pay_and_follow: td_string!(lang, mail.pay_and_follow),
                follow: td_string!(lang, mail.follow),
                kept: td_string!(lang, mail.kept),
                kept_pay_here: td_string!(lang, mail.kept_pay_here),
                try_again: td_string!(lang, mail.try_again),
            },
        }
    }
}

/// When something happened, as security mails state it: `Dec 3, 2026 at 08:00 UTC`.
fn moment(lang: Locale, at: chrono::DateTime<chrono::Utc>) -> String {
    let (date, time) = (lang.date(&at.to_rfc3339()), at.format("%H:%M").to_string());
    td_string!(lang, date.moment, date = date.as_str(), time = time.as_str()).to_string()
}

/// Renders a template; ours have no fallible parts, so a failure is a bug worth a panic
/// in tests and a logged, empty part in production.
fn render(t: &impl Template) -> String {
    t.render().unwrap_or_else(|e| {
        debug_assert!(false, "mail template failed: {e}");
        tracing::error!(error = %e, "mail template failed");
        String::new()
    })
}

fn email(to: &str, subject: String, text: String, html: String) -> Email {
    Email { to: to.to_owned(), subject, text, html, attachments: Vec::new(), invoice_of: None }
}

pub fn welcome(u: &user::Model, site_url: &str) -> Email {
    let lang = account_language(u);
    let mut m = AccountMail::new(u, td_string!(lang, account_mail.welcome_subject));
    m.intro.push(td_string!(lang, account_mail.welcome_intro).into());
    m.actions
        .push(Action::new(td_string!(lang, account_mail.your_account), link(site_url, lang, "/account")));
    m.to(&u.email, site_url)
}

/// Sent instead of a welcome when someone registers with an address that has an account.
pub fn already_registered(u: &user::Model, site_url: &str) -> Email {
    let lang = account_language(u);
    let mut m = AccountMail::new(u, td_string!(lang, account_mail.already_subject));
    m.intro.push(td_string!(lang, account_mail.already_intro).into());
    m.actions.push(Action::new(td_string!(lang, account_mail.log_in), link(site_url, lang, "/login")));
    m.actions
        .push(Action::new(td_string!(lang, account_mail.forgot), link(site_url, lang, "/password-reset")));
    m.to(&u.email, site_url)
}

/// The single-use link that sets a new password (`link` is a path: `/password-reset/…`).
pub fn password_reset(u: &user::Model, link_path: &str, site_url: &str) -> Email {
    let lang = account_language(u);
    let mut m = AccountMail::new(u, td_string!(lang, account_mail.reset_subject));
    m.actions.push(Action::new(td_string!(lang, account_mail.reset_action), link(site_url, lang, link_path)));
    m.outro.push(td_string!(lang, account_mail.reset_ignore).into());
    m.to(&u.email, site_url)
}

/// "Your password was changed", to the account's address, with the time and a way to act.
pub fn password_changed(u: &user::Model, at: chrono::DateTime<chrono::Utc>, site_url: &str) -> Email {
    let lang = account_language(u);
    let at = moment(lang, at);
    let mut m = AccountMail::new(u, td_string!(lang, account_mail.changed_subject));
    m.intro.push(td_string!(lang, account_mail.changed_intro, at = at.as_str()).to_string());
    m.intro.push(td_string!(lang, account_mail.if_you).into());
    m.intro.push(td_string!(lang, account_mail.changed_not_you).into());
    m.actions.push(Action::new(
        td_string!(lang, account_mail.changed_action),
        link(site_url, lang, "/password-reset"),
    ));
    m.to(&u.email, site_url)
}

/// The link that confirms a new sign-in address, to that new address (`link_path` is
/// `/account/email/confirm/…`).
pub fn email_change_confirm(u: &user::Model, new_email: &str, link_path: &str, site_url: &str) -> Email {
    let lang = account_language(u);
    let mut m = AccountMail::new(u, td_string!(lang, account_mail.confirm_subject));
    m.intro.push(td_string!(lang, account_mail.confirm_intro, email = new_email).to_string());
    m.actions
        .push(Action::new(td_string!(lang, account_mail.confirm_action), link(site_url, lang, link_path)));
    m.outro.push(td_string!(lang, account_mail.confirm_until).into());
    m.to(new_email, site_url)
}

/// "Your email address was changed", to the old address (`u` already has the new one),
/// with the time and a link that undoes it (`undo_path` is `/account/email/undo/…`).
pub fn email_changed(
    u: &user::Model,
    old_email: &str,
    at: chrono::DateTime<chrono::Utc>,
    undo_path: &str,
    site_url: &str,
) -> Email {
    let lang = account_language(u);
    let at = moment(lang, at);
    let mut m = AccountMail::new(u, td_string!(lang, account_mail.email_changed_subject));
    m.intro.push(
        td_string!(lang, account_mail.email_changed_intro, at = at.as_str(), email = u.email.as_str())
            .to_string(),
    );
    m.intro.push(td_string!(lang, account_mail.if_you).into());
    m.actions.push(Action::new(td_string!(lang, account_mail.undo_action), link(site_url, lang, undo_path)));
    m.outro.push(td_string!(lang, account_mail.undo_effect).into());
    m.to(old_email, site_url)
}

/// An absolute link to a shopper page, in the language's own path.
fn link(site_url: &str, lang: Locale, path: &str) -> String {
    format!("{site_url}{}", lang.localize(path))
}

/// The "order received" mail: lines, totals, shipping address and a link to the order.
pub fn order_received(o: &Order, site_url: &str) -> Email {
    let lang = o.language();
    let subject = td_string!(lang, mail.order_received_subject, id = o.id).to_string();
    let intro = td_string!(lang, mail.order_received_intro, id = o.id).to_string();
    let v = &OrderView::new(o, site_url, subject, intro);
    email(
        &o.shipping.email,
        v.subject.clone(),
        render(&OrderReceivedText { v }),
        render(&OrderReceivedHtml { site_url, v }),
    )
}

/// "Payment received", with the PDF invoice attached.
pub fn payment_received(o: &Order, site_url: &str) -> Email {
    let lang = o.language();
    let subject = td_string!(lang, mail.payment_received_subject, id = o.id).to_string();
    let total = o.total.format_in(lang);
    let intro = td_string!(lang, mail.payment_received_intro, total = total.as_str(), id = o.id).to_string();
    let v = &OrderView::new(o, site_url, subject, intro);
    let mut mail = email(
        &o.shipping.email,
        v.subject.clone(),
        render(&PaymentReceivedText { v }),
        render(&PaymentReceivedHtml { site_url, v }),
    );
    // Drawn when the mail is delivered, outside the transaction that marks it paid.
    mail.invoice_of = Some(o.id);
    mail
}

/// "Your payment did not go through", with a link to try again.
pub fn payment_failed(o: &Order, reason: &str, site_url: &str) -> Email {
    let lang = o.language();
    let subject = td_string!(lang, mail.payment_failed_subject, id = o.id).to_string();
    let intro = td_string!(lang, mail.payment_failed_intro, id = o.id, reason = reason).to_string();
    let v = &OrderView::new(o, site_url, subject, intro);
    email(
        &o.shipping.email,
        v.subject.clone(),
        render(&PaymentFailedText { v }),
        render(&PaymentFailedHtml { site_url, v }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{Money, OrderLine, OrderStatus, Shipping};

    const HOSTILE: &str = "<script>alert(1)</script>";
    const ATTRIBUTE_BREAK: &str = "\"><img src=x onerror=alert(2)>";

    fn hostile_order() -> Order {
        let usd = |cents| Money::new(cents, "usd");
        Order {
            id: 7,
            status: OrderStatus::Created,
            created_at: "2026-12-02T08:00:00Z".into(),
            shipping: Shipping {
                first_name: format!("Zoë {HOSTILE}"),
                last_name: ATTRIBUTE_BREAK.into(),
                email: "zoe@example.com".into(),
                address: "<b>1 Main St</b>".into(),
                postal_code: "<i>12345</i>".into(),
                city: "Paris & <u>Lyon</u>".into(),
            },
            lines: vec![OrderLine {
                product_id: 1,
                name: format!("Tea {HOSTILE}"),
                unit_price: usd(500),
                quantity: 2,
                line_total: usd(1000),
            }],
            subtotal: usd(1000),
            coupon_code: Some("<EVIL>".into()),
            coupon_percent: Some(10),
            discount: usd(100),
            total: usd(900),
            paid_at: None,
            locale: "en".into(),
        }
    }

    fn hostile_user() -> user::Model {
        let now = chrono::Utc::now();
        user::Model {
            id: 1,
            email: "ada@example.com".into(),
            name: format!("Ada {HOSTILE}"),
            password_hash: String::new(),
            role: crate::models::account::Role::Customer,
            disabled: false,
            first_name: None,
            last_name: None,
            address: None,
            postal_code: None,
            city: None,
            created_at: now,
            updated_at: now,
            last_login_at: None,
            totp_secret: None,
            totp_pending: None,
            totp_last_step: None,
            locale: "en".into(),
        }
    }

    /// The HTML part shows every typed value as text; the text part keeps it as typed.
    fn assert_escaped(mail: &Email, typed: &[&str]) {
        for raw in ["<script", "<img", "<b>", "<i>", "<u>", "<EVIL>"] {
            assert!(!mail.html.contains(raw), "{raw} reached the HTML of {:?}:\n{}", mail.subject, mail.html);
        }
        let shown = html_escape::decode_html_entities(&mail.html);
        for value in typed {
            assert!(shown.contains(value), "{value} not shown as text in {:?}:\n{}", mail.subject, mail.html);
            assert!(
                mail.text.contains(value),
                "{value} missing from the text of {:?}:\n{}",
                mail.subject,
                mail.text
            );
        }
    }

    #[test]
    fn order_mails_escape_what_shoppers_and_admins_typed() {
        let o = hostile_order();
        let received = order_received(&o, "http://shop.test");
        assert_escaped(
            &received,
            &[&o.shipping.first_name, &o.lines[0].name, "Coupon <EVIL>", "<b>1 Main St</b>"],
        );
        assert!(
            html_escape::decode_html_entities(&received.html).contains(ATTRIBUTE_BREAK),
            "{}",
            received.html
        );
        assert!(
            received.text.contains("2 x Tea") && received.text.contains("Total: $9.00"),
            "{}",
            received.text
        );
        assert_escaped(&payment_received(&o, "http://shop.test"), &[&o.shipping.first_name]);
        let failed = payment_failed(&o, HOSTILE, "http://shop.test");
        assert_escaped(&failed, &[&o.shipping.first_name, HOSTILE]);
    }

    #[test]
    fn an_order_placed_in_spanish_gets_spanish_mails() {
        let mut o = hostile_order();
        o.locale = "es".into();
        o.shipping.first_name = "Ana".into();
        let received = order_received(&o, "http://shop.test");
        assert_eq!(received.subject, format!("Hemos recibido tu pedido n.º {}", o.id));
        for part in [&received.text, &received.html] {
            assert!(part.contains("Hola, Ana:"), "{part}");
            assert!(part.contains("9,00\u{a0}US$"), "{part}");
            assert!(part.contains(&format!("http://shop.test/es/orders/{}", o.id)), "{part}");
        }
        assert!(received.html.contains(r#"<html lang="es">"#) && received.html.contains("Precio unitario"));
        let paid = payment_received(&o, "http://shop.test");
        assert_eq!(paid.subject, format!("Pago recibido del pedido n.º {}", o.id));
        assert!(paid.text.contains("Hemos recibido tu pago de 9,00\u{a0}US$"), "{}", paid.text);
        let failed = payment_failed(&o, "card declined", "http://shop.test");
        assert!(failed.text.contains("no se ha completado: card declined"), "{}", failed.text);
        assert!(failed.html.contains("Vuelve a intentarlo con otra tarjeta"));
        // English stays as it was.
        o.locale = "en".into();
        assert!(order_received(&o, "http://shop.test").html.contains(r#"<html lang="en">"#));
    }

    #[test]
    fn account_mails_escape_the_account_name() {
        let u = hostile_user();
        for mail in [
            welcome(&u, "http://shop.test"),
            already_registered(&u, "http://shop.test"),
            password_reset(&u, "/password-reset/abc", "http://shop.test"),
        ] {
            assert!(!mail.html.contains("<script"), "markup in {:?}:\n{}", mail.subject, mail.html);
            assert!(html_escape::decode_html_entities(&mail.html).contains(&u.name), "{}", mail.html);
            assert!(mail.text.contains(&u.name), "{}", mail.text);
        }
    }

    #[test]
    fn account_mails_are_in_the_accounts_language() {
        let mut u = hostile_user();
        u.name = "Ana".into();
        u.locale = "es".into();
        let reset = password_reset(&u, "/password-reset/abc", "http://shop.test");
        assert_eq!(reset.subject, "Restablece tu contraseña");
        assert!(
            reset.text.contains("Hola, Ana:")
                && reset.text.contains("http://shop.test/es/password-reset/abc")
        );
        assert!(
            reset.html.contains(r#"<html lang="es">"#)
                && reset.html.contains(r#"href="http://shop.test/es/password-reset/abc""#)
        );
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-03T08:05:00Z").unwrap().to_utc();
        let changed = password_changed(&u, at, "http://shop.test");
        assert!(changed.text.contains("3 dic 2026 a las 08:05 UTC"), "{}", changed.text);
        u.locale = "en".into();
        let changed = password_changed(&u, at, "http://shop.test");
        assert_eq!(changed.subject, "Your password was changed");
        assert!(
            changed.text.contains("Dec 3, 2026 at 08:05 UTC")
                && changed.text.contains("http://shop.test/password-reset")
        );
        let confirm =
            email_change_confirm(&u, "new@example.com", "/account/email/confirm/t", "http://shop.test");
        assert_eq!(confirm.to, "new@example.com");
        assert!(
            confirm.text.contains("(new@example.com)")
                && confirm.text.contains("http://shop.test/account/email/confirm/t")
        );
    }

    #[test]
    fn links_point_at_the_site() {
        let o = hostile_order();
        let mail = order_received(&o, "https://shop.example");
        assert!(mail.html.contains("href=\"https://shop.example/orders/7\""), "{}", mail.html);
        assert!(mail.text.contains("https://shop.example/orders/7"), "{}", mail.text);
    }
}
