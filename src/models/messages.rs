//! The messages both sides show (validation rules, refusals): each has one key in the
//! catalogues (`messages.*`). What travels, in REST answers and server-function errors,
//! is the English text, as gettext does with its message ids; each side shows it in the
//! page's or the caller's language with [`Locale::message`]. A rule shared by server and
//! browser thus has one message, translated on both sides.
//!
//! `%1`, `%2`… in a message stand for values (a quantity, a product's name).

use super::i18n::td_string;
use super::lang::Locale;

/// The English text of a message, with its values filled in: `msg!(too_long, 100)`.
macro_rules! msg {
    ($key:ident) => {
        $crate::models::i18n::td_string!($crate::models::lang::Locale::en, messages.$key)
    };
    ($key:ident, $($value:expr),+) => {
        $crate::models::messages::fill($crate::models::messages::msg!($key), &[$(&$value.to_string()),+])
    };
}
pub(crate) use msg;

/// Lists every message, most specific first: the first whose English text matches wins.
macro_rules! messages {
    ($($key:ident),+ $(,)?) => {
        /// (English text, text in `lang`) of every message.
        fn pairs(lang: Locale) -> impl Iterator<Item = (&'static str, &'static str)> {
            [$((td_string!(Locale::en, messages.$key), td_string!(lang, messages.$key))),+].into_iter()
        }

        #[cfg(test)]
        const KEYS: &[&str] = &[$(stringify!($key)),+];
    };
}

messages!(
    fix_fields,
    rate_limited,
    internal,
    network,
    name_required,
    too_long,
    too_short,
    control_characters,
    password_is_email,
    passwords_differ,
    common_password,
    wrong_current_password,
    address_unusable,
    already_your_address,
    invalid_email_link,
    invalid_reset_link,
    account_disabled,
    bad_credentials,
    log_in_first,
    log_in_to_continue,
    code_used,
    code_wrong,
    busy,
    registered,
    reset_sent,
    link_sent,
    email_confirmed,
    email_restored,
    first_name_required,
    last_name_required,
    address_required,
    postal_code_required,
    city_required,
    postal_code_characters,
    email_required,
    email_invalid,
    product_sold_out,
    named_sold_out,
    sold_out,
    no_longer_sold,
    quantity_range,
    only_so_many,
    only_so_many_of,
    already_in_cart,
    coupon_required,
    coupon_unknown,
    coupon_inactive,
    coupon_not_yet,
    coupon_expired,
    cart_empty,
    form_used,
    sold_out_while_checking_out,
    remove_to_continue,
    already_paid,
    cancelled_cannot_pay,
    payment_page_unavailable,
    payment_unavailable,
    password_changed_here,
    password_changed_log_in,
    two_factor_off,
    price_filter,
    price_range_order,
    yes_or_no,
    about,
);

/// A message's text with `%1`, `%2`… replaced by `values`.
pub fn fill(text: &str, values: &[&str]) -> String {
    let mut out = text.to_owned();
    // From the highest number down, so `%1` never eats the start of `%10`.
    for (i, value) in values.iter().enumerate().rev() {
        out = out.replace(&format!("%{}", i + 1), value);
    }
    out
}

/// The literal parts of a message around its placeholders (one more than there are).
fn literals(template: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes = template.as_bytes();
    for i in 0..bytes.len().saturating_sub(1) {
        if bytes[i] == b'%' && bytes[i + 1].is_ascii_digit() && i >= start {
            parts.push(&template[start..i]);
            start = i + 2;
        }
    }
    parts.push(&template[start..]);
    parts
}

/// The values of `text` when it is `template` filled in (placeholders in order, each
/// standing for at least one character), else `None`.
fn values_of<'t>(template: &str, text: &'t str) -> Option<Vec<&'t str>> {
    let literals = literals(template);
    let (first, rest) = literals.split_first()?;
    let text = text.strip_prefix(first)?;
    let Some((last, middle)) = rest.split_last() else {
        return text.is_empty().then(Vec::new);
    };
    let mut text = text.strip_suffix(last)?;
    let mut values = Vec::new();
    for literal in middle {
        // Each value takes at least its first character.
        let skip = text.chars().next()?.len_utf8();
        let end = text[skip..].find(literal)? + skip;
        values.push(&text[..end]);
        text = &text[end + literal.len()..];
    }
    if text.is_empty() {
        return None;
    }
    values.push(text);
    Some(values)
}

impl Locale {
    /// A shop message (its English text) in this language. Text that is not one of the
    /// shop's messages (a product's name, an admin's English) comes back as it is.
    pub fn message(self, text: &str) -> String {
        self.translate(text, 2)
    }

    fn translate(self, text: &str, depth: u8) -> String {
        if self == Locale::en || depth == 0 {
            return text.to_owned();
        }
        for (english, here) in pairs(self) {
            if let Some(values) = values_of(english, text) {
                // A value may itself be a message ("Tea: Sold out.").
                let values: Vec<String> = values.iter().map(|v| self.translate(v, depth - 1)).collect();
                return fill(here, &values.iter().map(String::as_str).collect::<Vec<_>>());
            }
        }
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_message_is_listed_for_translation() {
        let catalogue: serde_json::Value = serde_json::from_str(include_str!("../locales/en.json")).unwrap();
        let mut keys: Vec<&str> =
            catalogue["messages"].as_object().unwrap().keys().map(String::as_str).collect();
        let mut listed = KEYS.to_vec();
        keys.sort_unstable();
        listed.sort_unstable();
        assert_eq!(keys, listed);
    }

    #[test]
    fn messages_come_back_in_the_asked_language() {
        assert_eq!(Locale::es.message(msg!(passwords_differ)), "Las contraseñas no coinciden.");
        assert_eq!(Locale::en.message(msg!(passwords_differ)), "The passwords do not match.");
        assert_eq!(msg!(too_long, 100), "Use at most 100 characters.");
        assert_eq!(Locale::es.message(&msg!(too_long, 100)), "Usa como máximo 100 caracteres.");
        assert_eq!(
            Locale::es.message(&msg!(already_in_cart, 2, "Té verde", 5)),
            "Ya tienes 2 de Té verde en el carrito; se pueden pedir como máximo 5."
        );
        // A message made of a name and another message translates the inner one.
        assert_eq!(Locale::es.message(&msg!(about, "Té verde", msg!(sold_out))), "Té verde: Agotado.");
        assert_eq!(
            Locale::es.message(&msg!(remove_to_continue, msg!(no_longer_sold))),
            "Este producto ya no se vende. Quítalo para continuar."
        );
        // Anything else is left as it is.
        assert_eq!(Locale::es.message("Unknown role."), "Unknown role.");
        assert_eq!(Locale::es.message(""), "");
    }

    #[test]
    fn the_errors_own_words_are_catalogue_messages() {
        use crate::models::AppError;
        assert_eq!(AppError::Internal.to_string(), msg!(internal));
        assert_eq!(AppError::RateLimited { retry_after: 30 }.to_string(), msg!(rate_limited, 30));
        assert_eq!(AppError::Network("timeout".into()).to_string(), msg!(network, "timeout"));
        let invalid = AppError::field("confirm", msg!(passwords_differ));
        assert_eq!(invalid.message_in(Locale::es), "Corrige los campos marcados.");
        assert_eq!(invalid.fields_in(Locale::es)["confirm"], "Las contraseñas no coinciden.");
        assert_eq!(
            AppError::RateLimited { retry_after: 30 }.message_in(Locale::es),
            "Demasiados intentos. Vuelve a intentarlo dentro de 30 segundos."
        );
    }

    #[test]
    fn values_are_found_between_the_literal_parts() {
        assert_eq!(
            values_of("Only %1 of %2 can be ordered.", "Only 3 of Tea can be ordered."),
            Some(vec!["3", "Tea"])
        );
        assert_eq!(values_of("%1: %2", "Tea: Sold out."), Some(vec!["Tea", "Sold out."]));
        assert_eq!(values_of("%1 is sold out.", " is sold out."), None, "a value is never empty");
        assert_eq!(values_of("Enter your name.", "Enter your name."), Some(vec![]));
        assert_eq!(values_of("Enter your name.", "Enter your name!"), None);
        assert_eq!(fill("%2 de %1", &["a", "b"]), "b de a");
    }
}
