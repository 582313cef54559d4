//! The hosted payment page (`/_stripe/pay/{id}`) with Stripe's test cards.

use super::api::load_session;
use super::*;

/// The hosted payment page.
pub(super) async fn pay_page(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match load_session(&state, &id).await {
        Ok(stored) => page(StatusCode::OK, &stored, None),
        Err(e) => {
            (e.status, Html(simple_page("Payment page not found", "This payment page does not exist.")))
                .into_response()
        }
    }
}

#[derive(Deserialize)]
pub(super) struct CardForm {
    #[serde(default)]
    card: String,
}

pub(super) async fn pay(
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<CardForm>,
) -> Response {
    let mut stored = match load_session(&state, &id).await {
        Ok(s) => s,
        Err(e) => {
            return (
                e.status,
                Html(simple_page("Payment page not found", "This payment page does not exist.")),
            )
                .into_response()
        }
    };
    if stored.session["status"] != "open" {
        return page(StatusCode::CONFLICT, &stored, Some("This payment page is no longer open."));
    }
    let card: String = form.card.chars().filter(char::is_ascii_digit).collect();
    let declined = match card.as_str() {
        CARD_SUCCEEDS => None,
        CARD_DECLINED => Some(("card_declined", "generic_decline", "Your card was declined.")),
        CARD_INSUFFICIENT_FUNDS => {
            Some(("card_declined", "insufficient_funds", "Your card has insufficient funds."))
        }
        _ => {
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &stored,
                Some("Your card number is not a test card. Use 4242 4242 4242 4242."),
            )
        }
    };
    let amount = stored.session["amount_total"].as_i64().unwrap_or(0);
    let intent_id = new_id("pi_");
    let mut intent = json!({
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_received": if declined.is_none() { amount } else { 0 },
        "capture_method": "automatic",
        "confirmation_method": "automatic",
        "created": Utc::now().timestamp(),
        "currency": stored.session["currency"],
        "livemode": false,
        "metadata": stored.intent_metadata,
        "payment_method_types": ["card"],
        "status": if declined.is_none() { "succeeded" } else { "requires_payment_method" },
    });
    if let Some((code, decline_code, message)) = declined {
        intent["last_payment_error"] =
            json!({"type": "card_error", "code": code, "decline_code": decline_code, "message": message});
        if let Err(e) = save(&state, &intent_id, "payment_intent", &intent).await {
            return e.into_response();
        }
        send_event(&state, "payment_intent.payment_failed", intent);
        return page(StatusCode::PAYMENT_REQUIRED, &stored, Some(&format!("{message} Try another card.")));
    }
    stored.session["status"] = json!("complete");
    stored.session["payment_status"] = json!("paid");
    stored.session["payment_intent"] = json!(intent_id);
    let saved = async {
        save(&state, &intent_id, "payment_intent", &intent).await?;
        save(&state, &id, "checkout.session", &stored).await
    };
    if let Err(e) = saved.await {
        return e.into_response();
    }
    send_event(&state, "checkout.session.completed", stored.session.clone());
    let success = stored.session["success_url"].as_str().unwrap_or("/").replace("{CHECKOUT_SESSION_ID}", &id);
    Redirect::to(&success).into_response()
}

pub(super) fn page(status: StatusCode, stored: &StoredSession, error: Option<&str>) -> Response {
    use html_escape::{encode_double_quoted_attribute as attr, encode_text as esc};
    let s = &stored.session;
    let currency = s["currency"].as_str().unwrap_or("usd");
    let money = |amount: i64| Money::new(amount, currency).to_string();
    let id = s["id"].as_str().unwrap_or_default();
    let rows: String = stored
        .lines
        .iter()
        .map(|l| {
            format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>",
                esc(&l.name),
                l.quantity,
                money(l.unit_amount * l.quantity)
            )
        })
        .collect();
    let discount = s["total_details"]["amount_discount"].as_i64().unwrap_or(0);
    let discount_row = if discount > 0 {
        format!(
            "<tr><th scope=\"row\" colspan=\"2\">{}</th><td>-{}</td></tr>",
            esc(stored.discount_name.as_deref().unwrap_or("Discount")),
            money(discount)
        )
    } else {
        String::new()
    };
    let total = money(s["amount_total"].as_i64().unwrap_or(0));
    let open = s["status"] == "open";
    let form = if open {
        format!(
            "<form method=\"post\" action=\"/_stripe/pay/{id}\" class=\"stack\">\
               <label for=\"card\">Card number</label>\
               <input id=\"card\" name=\"card\" inputmode=\"numeric\" autocomplete=\"cc-number\" required \
                 placeholder=\"4242 4242 4242 4242\"{describe}>\
               <p id=\"card-help\" class=\"hint\">Test cards: 4242 4242 4242 4242 succeeds; 4000 0000 0000 0002 is declined; \
                 4000 0000 0000 9995 has insufficient funds.</p>\
               <button type=\"submit\" class=\"button\">Pay {total}</button>\
             </form>",
            id = attr(id),
            describe = " aria-describedby=\"card-help\"",
        )
    } else {
        "<p>This payment page is closed.</p>".to_owned()
    };
    let error =
        error.map(|e| format!("<p class=\"notice error\" role=\"alert\">{}</p>", esc(e))).unwrap_or_default();
    let cancel = s["cancel_url"].as_str().unwrap_or("/");
    let body = format!(
        "<h1>Pay {total}</h1><p class=\"hint\">Stripe emulator — test mode; no real money moves.</p>{error}\
         <table class=\"order-lines\"><caption>Your order</caption>\
         <thead><tr><th scope=\"col\">Product</th><th scope=\"col\">Quantity</th><th scope=\"col\">Amount</th></tr></thead>\
         <tbody>{rows}{discount_row}</tbody>\
         <tfoot><tr><th scope=\"row\" colspan=\"2\">Total</th><td>{total}</td></tr></tfoot></table>\
         {form}<p><a href=\"{cancel}\">Cancel and return to the shop</a></p>",
        cancel = attr(cancel),
    );
    (status, Html(wrap("Pay — Stripe emulator", &body))).into_response()
}

pub(super) fn simple_page(title: &str, message: &str) -> String {
    wrap(
        title,
        &format!("<h1>{}</h1><p>{}</p>", html_escape::encode_text(title), html_escape::encode_text(message)),
    )
}

pub(super) fn wrap(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{}</title>\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\
         <link rel=\"stylesheet\" href=\"/pkg/fullstack-ws.css\"></head>\
         <body><main id=\"main\" class=\"container emulator\">{body}</main></body></html>",
        html_escape::encode_text(title)
    )
}
