//! Stripe's webhook: the `Stripe-Signature` header and the body are the sender's bytes.
//! Input: the header, a newline, the body. Verification must refuse every header the
//! fuzzer makes up (it cannot know the secret) without panicking; a body signed with
//! the secret must verify, or be refused as malformed, and then parse without panicking.
#![no_main]
use fullstack_ws::infra::config::StripeSettings;
use fullstack_ws::infra::stripe::Stripe;
use fullstack_ws::services::payments::events::parse_event;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static STRIPE: LazyLock<Stripe> = LazyLock::new(|| {
    Stripe::from_settings(&StripeSettings {
        secret_key: "sk_test_fuzz".into(),
        webhook_secret: Some("whsec_fuzz_secret".into()),
        api_base: "http://127.0.0.1:9/".into(),
        emulated: true,
    })
    .expect("client")
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (header, payload) = text.split_once('\n').unwrap_or(("", &text));
    assert!(STRIPE.verify(payload, header).is_err(), "a made-up signature was accepted: {header:?}");
    let signed = STRIPE.sign(payload, chrono::Utc::now().timestamp());
    if let Ok(event) = STRIPE.verify(payload, &signed) {
        let _ = parse_event(&event.event_type, payload);
    }
    // Whatever type a stored event claims.
    let _ = parse_event(header, payload);
});
