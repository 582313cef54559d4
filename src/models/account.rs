//! Accounts as the browser sees them, and the rules for what people type into account
//! forms. The server runs every rule (plus a common-password check); the browser runs the
//! same ones for instant feedback.

use super::order::check_email;
use super::{AppError, FieldErrors};
use crate::models::messages::msg;
use serde::{Deserialize, Serialize};

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;

/// What an account may do. On the server it is also the `users.role` column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "customer"))]
    Customer,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "admin"))]
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Customer, Role::Admin].into_iter().find(|r| r.as_str() == s)
    }
}

/// The default shipping address kept on an account (any field may be blank).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Address {
    pub first_name: String,
    pub last_name: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
}

/// The logged-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub address: Address,
    /// Two-factor sign-in is on (staff accounts may turn it on).
    pub two_factor: bool,
    /// The account's language (`en`, `es`): its mails are written in it.
    pub locale: String,
}

/// What an authenticator app needs to set up two-factor sign-in: the secret (base32, for
/// typing in) and the `otpauth://` link a QR code would carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TwoFactorSetup {
    pub secret: String,
    pub otpauth_url: String,
}

/// How far a password login got: logged in, or the account also wants its second factor
/// (`POST /auth/login/code`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginStep {
    Done(Box<Me>),
    CodeNeeded,
}

/// Trimmed, lower-cased and checked; the error is on the `email` field.
pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    check_email(&email).map_err(|why| AppError::field("email", why))?;
    Ok(email)
}

/// 1–100 characters after trimming, no control characters.
pub fn normalize_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim().to_string();
    let why = if name.is_empty() {
        Some(msg!(name_required).to_owned())
    } else if name.chars().count() > 100 {
        Some(msg!(too_long, 100))
    } else if name.chars().any(char::is_control) {
        Some(msg!(control_characters).to_owned())
    } else {
        None
    };
    match why {
        Some(why) => Err(AppError::field("name", why)),
        None => Ok(name),
    }
}

/// Length 8–128 characters and not the email address. (The server also refuses the
/// 10,000 most common passwords.)
pub fn check_password(password: &str, email: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < PASSWORD_MIN {
        Err(msg!(too_short, PASSWORD_MIN))
    } else if length > PASSWORD_MAX {
        Err(msg!(too_long, PASSWORD_MAX))
    } else if !email.is_empty() && password.trim().eq_ignore_ascii_case(email.trim()) {
        Err(msg!(password_is_email).to_owned())
    } else {
        Ok(())
    }
}

/// Registration form rules, all fields at once.
pub fn check_registration(
    name: &str,
    email: &str,
    password: &str,
    confirm: Option<&str>,
) -> Result<(String, String), AppError> {
    let mut errors = FieldErrors::new();
    let name = normalize_name(name).map_err(|e| merge(&mut errors, e)).ok();
    let raw_email = email;
    let email = normalize_email(email).map_err(|e| merge(&mut errors, e)).ok();
    if let Err(why) = check_password(password, email.as_deref().unwrap_or(raw_email)) {
        errors.insert("password".into(), why);
    }
    if confirm.is_some_and(|c| c != password) {
        errors.insert("confirm".into(), msg!(passwords_differ).into());
    }
    match (name, email) {
        (Some(name), Some(email)) if errors.is_empty() => Ok((name, email)),
        _ => Err(AppError::Validation(errors)),
    }
}

fn merge(errors: &mut FieldErrors, e: AppError) {
    if let AppError::Validation(fields) = e {
        errors.extend(fields);
    }
}

/// `next` after login: only a path on this site (`/…`, never `//host` or a scheme), so a
/// crafted link cannot send the shopper elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// Checks the optional address fields of a profile (blank is allowed).
pub fn check_address(a: &Address) -> Result<Address, AppError> {
    let clean = Address {
        first_name: a.first_name.trim().into(),
        last_name: a.last_name.trim().into(),
        address: a.address.trim().into(),
        postal_code: a.postal_code.trim().to_uppercase(),
        city: a.city.trim().into(),
    };
    let mut errors = FieldErrors::new();
    for (field, value, max) in [
        ("first_name", &clean.first_name, 100),
        ("last_name", &clean.last_name, 100),
        ("address", &clean.address, 200),
        ("postal_code", &clean.postal_code, 20),
        ("city", &clean.city, 100),
    ] {
        if value.chars().count() > max {
            errors.insert(field.into(), msg!(too_long, max));
        } else if value.chars().any(char::is_control) {
            errors.insert(field.into(), msg!(control_characters).into());
        }
    }
    if errors.is_empty() {
        Ok(clean)
    } else {
        Err(AppError::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_reports_every_field() {
        let AppError::Validation(f) = check_registration(" ", "nope", "short", Some("other")).unwrap_err()
        else {
            panic!()
        };
        assert_eq!(
            f.keys().map(String::as_str).collect::<Vec<_>>(),
            ["confirm", "email", "name", "password"]
        );
        let (name, email) =
            check_registration(" Ada ", " Ada@Example.com ", "correct horse", Some("correct horse")).unwrap();
        assert_eq!((name.as_str(), email.as_str()), ("Ada", "ada@example.com"));
    }

    #[test]
    fn password_rules() {
        assert!(check_password("1234567", "a@b.co").is_err());
        assert!(check_password(&"x".repeat(129), "a@b.co").is_err());
        assert!(check_password("ada@example.com", "ada@example.com").is_err());
        assert!(check_password("Ada@Example.com", "ada@example.com").is_err());
        assert!(check_password("long enough", "a@b.co").is_ok());
        assert!(check_password(&"é".repeat(8), "a@b.co").is_ok(), "counts characters, not bytes");
    }

    #[test]
    fn next_is_a_local_path_or_home() {
        assert_eq!(safe_next(Some("/cart?x=1")), "/cart?x=1");
        for bad in ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", ""] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
