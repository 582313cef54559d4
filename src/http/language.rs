//! Which language a request is answered in, and remembering the shopper's choice.
//!
//! A page says its language by its path (`/es/…`), nothing else. A REST call is answered
//! in the language its `Accept-Language` asks for; without one, in the signed-in
//! account's language, else the one the `lang` cookie remembers, else English.
//!
//! The choice is remembered where a shopper makes it, by viewing pages in a language
//! (the switcher is a link): the `lang` cookie for everyone and, when signed in, the
//! account's language, which its mails are written in.

use crate::flows::auth::AuthSession;
use crate::models::lang::{self, Locale};
use axum::extract::{FromRequestParts, State};
use axum::http::{header, request::Parts, Extensions, HeaderMap, HeaderValue, Method};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

/// The cookie that remembers the language of the pages a visitor last viewed.
pub const COOKIE: &str = "lang";

/// The language to answer a REST call in (see the module's comment).
pub fn of_request(headers: &HeaderMap, extensions: &Extensions) -> Locale {
    asked(headers).or_else(|| account(extensions)).or_else(|| remembered(headers)).unwrap_or(Locale::en)
}

/// What `Accept-Language` asks for, when it names one of the shop's languages.
fn asked(headers: &HeaderMap) -> Option<Locale> {
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(lang::negotiate)
}

fn account(extensions: &Extensions) -> Option<Locale> {
    let auth = extensions.get::<AuthSession>()?;
    Locale::from_tag(&auth.user.as_ref()?.0.locale)
}

/// The language the `lang` cookie remembers.
fn remembered(headers: &HeaderMap) -> Option<Locale> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| match pair.trim().split_once('=') {
            Some((COOKIE, tag)) => Locale::from_tag(tag),
            _ => None,
        })
}

/// Extractor: the language a REST call is answered in.
pub struct RequestLanguage(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for RequestLanguage {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(of_request(&parts.headers, &parts.extensions)))
    }
}

/// Layer for routes that answer in the asked language: says which one (`Content-Language`),
/// and that the answer varies with the question (`Vary: Accept-Language`).
pub async fn content_language(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let lang = of_request(req.headers(), req.extensions());
    let mut res = next.run(req).await;
    res.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag()));
    res.headers_mut().append(header::VARY, HeaderValue::from_static("accept-language"));
    res
}

tokio::task_local! {
    /// The language of the REST call being answered, for its error messages.
    static ANSWERING_IN: Locale;
}

/// The language of the REST call being answered (English outside one).
pub fn current() -> Locale {
    ANSWERING_IN.try_with(|l| *l).unwrap_or(Locale::en)
}

/// Layer for the REST API: its answers, errors included, are in the call's language.
pub async fn answer_in(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let lang = of_request(req.headers(), req.extensions());
    ANSWERING_IN.scope(lang, next.run(req)).await
}

/// What [`remember_choice`] needs: where accounts live, and whether the site is served
/// over https (from `SITE_URL`, like the session cookie: never from a request header).
#[derive(Clone)]
pub struct Remember {
    pub db: DatabaseConnection,
    pub https: bool,
}

/// Layer: a shopper page viewed in a language remembers it, in the cookie and (signed
/// in) on the account. Only successful HTML pages count, so assets, REST and errors
/// never change anyone's language.
pub async fn remember_choice(
    State(Remember { db, https }): State<Remember>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let wants_page = req.method() == Method::GET
        && lang::is_translated(req.uri().path())
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
    if !wants_page {
        return next.run(req).await;
    }
    let page = Locale::of_path(req.uri().path());
    let cookie_differs = remembered(req.headers()) != Some(page);
    let account_differs = req
        .extensions()
        .get::<AuthSession>()
        .and_then(|auth| auth.user.as_ref())
        .filter(|a| a.0.locale != page.tag())
        .map(|a| a.0.id);
    let mut res = next.run(req).await;
    let is_page = res.status().is_success()
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
    if !is_page {
        return res;
    }
    if cookie_differs {
        let cookie = format!(
            "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{}",
            page.tag(),
            if https { "; Secure" } else { "" }
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    if let Some(id) = account_differs {
        use crate::entities::user;
        let saved = user::Entity::update_many()
            .col_expr(user::Column::Locale, sea_orm::sea_query::Expr::value(page.tag()))
            .filter(user::Column::Id.eq(id))
            .exec(&db)
            .await;
        if let Err(e) = saved {
            tracing::warn!(user = id, error = %e, "could not remember the account's language");
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (k.clone(), HeaderValue::from_str(v).unwrap())).collect()
    }

    #[test]
    fn the_asked_language_comes_first_then_the_remembered_one() {
        let none = Extensions::new();
        assert_eq!(of_request(&headers(&[]), &none), Locale::en);
        assert_eq!(of_request(&headers(&[(header::COOKIE, "a=1; lang=es")]), &none), Locale::es);
        let both = headers(&[(header::COOKIE, "lang=es"), (header::ACCEPT_LANGUAGE, "en-GB")]);
        assert_eq!(of_request(&both, &none), Locale::en);
        let unknown = headers(&[(header::COOKIE, "lang=es"), (header::ACCEPT_LANGUAGE, "fr")]);
        assert_eq!(of_request(&unknown, &none), Locale::es, "a header naming neither language asks nothing");
        assert_eq!(of_request(&headers(&[(header::COOKIE, "lang=xx; slang=es")]), &none), Locale::en);
    }
}
