//! Configuration from the environment (a `.env` file is read first if present),
//! validated once at start-up. Every bad variable is reported on its own line.

use std::{net::SocketAddr, path::PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub site_addr: SocketAddr,
    /// Public base URL without a trailing slash.
    pub site_url: String,
    pub smtp_url: Option<String>,
    pub mail_dir: PathBuf,
    /// Uploaded product images (served at `/media/`).
    pub media_dir: PathBuf,
    pub mail_from: lettre::message::Mailbox,
    pub workers: u32,
    pub site_root: String,
    pub log_format: LogFormat,
    /// `LEPTOS_ENV`: `DEV` (default) or `PROD`. Production never serves the emulator or
    /// `/dev/mail`, and refuses to start without real mail, real Stripe and https.
    pub production: bool,
    pub reload_port: u32,
    /// `SEED_DEMO=true`: load the demo catalog at start-up (idempotent; used by scripts/dev).
    pub seed_demo: bool,
    /// `UNPAID_ORDER_HOURS`: unpaid orders older than this are cancelled and their stock released.
    pub unpaid_order_ttl: std::time::Duration,
    /// `SESSION_DAYS`: a guest session, or a login with "Keep me logged in", lasts this
    /// many days after the last visit.
    pub session_days: u32,
    /// How long a logged-in session may stay idle and may last at all.
    pub sessions: SessionLifetimes,
    /// `TRUSTED_PROXIES`: comma-separated addresses of reverse proxies whose
    /// `X-Forwarded-For` names the client (for rate limits). Empty: trust none.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub stripe: StripeSettings,
    /// `METRICS_TOKEN`: lets clients other than loopback read `/metrics` with
    /// `Authorization: Bearer <token>`. Unset: loopback only.
    pub metrics_token: Option<MetricsToken>,
    /// `QUEUE_STUCK_SECONDS`: `/readyz` fails once a due task has waited this long.
    pub queue_stuck_after: std::time::Duration,
    /// `REQUEST_TIMEOUT_SECONDS`: a response that has not begun by then is answered 503
    /// (and its route logged).
    pub request_timeout: std::time::Duration,
    /// `JOB_LEASE_SECONDS`: a task (or a mail's delivery) claimed this long ago and not
    /// finished counts as abandoned, its worker dead, and runs again. Longer than any
    /// task's own time-outs (SMTP and Stripe: 20 s).
    pub job_lease: std::time::Duration,
    /// `HOUSEKEEPING_SECONDS`: how often each worker process runs housekeeping
    /// (abandoned tasks requeued, lost mail re-enqueued, expired rows deleted).
    pub housekeeping_every: std::time::Duration,
}

/// The bearer token that opens `/metrics` to non-loopback clients (never printed).
#[derive(Clone)]
pub struct MetricsToken([u8; 32]);

impl MetricsToken {
    /// At least 32 characters, none of them whitespace; kept only as its SHA-256.
    pub fn new(token: &str) -> Option<Self> {
        use sha2::Digest;
        (token.len() >= 32 && !token.chars().any(char::is_whitespace))
            .then(|| Self(sha2::Sha256::digest(token.as_bytes()).into()))
    }

    /// Compares digests, so the time taken says nothing about the token's characters.
    pub fn matches(&self, presented: &str) -> bool {
        use sha2::Digest;
        let digest: [u8; 32] = sha2::Sha256::digest(presented.as_bytes()).into();
        digest.iter().zip(self.0).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(<hidden>)")
    }
}

/// Idle and absolute lifetimes of logged-in sessions: a customer who ticked "Keep me
/// logged in" stays in for `SESSION_DAYS` after the last visit, one who did not for
/// `SESSION_IDLE_MINUTES`; nobody for more than `SESSION_MAX_DAYS` after logging in. Staff
/// sessions are shorter: `ADMIN_IDLE_MINUTES` idle, `ADMIN_SESSION_HOURS` in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetimes {
    pub remembered_idle: std::time::Duration,
    pub idle: std::time::Duration,
    pub absolute: std::time::Duration,
    pub admin_idle: std::time::Duration,
    pub admin_absolute: std::time::Duration,
}

/// How the shop reaches Stripe: the real API with `STRIPE_SECRET_KEY`, otherwise the
/// built-in emulator under `/_stripe` (never with a key set).
#[derive(Clone)]
pub struct StripeSettings {
    pub secret_key: String,
    /// `STRIPE_WEBHOOK_SECRET`. Unset (development with the emulator only), start-up fills in
    /// the secret generated for this database (see `infra::secrets`).
    pub webhook_secret: Option<String>,
    /// Base URL of the API, ending in `/`.
    pub api_base: String,
    pub emulated: bool,
}

impl std::fmt::Debug for StripeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeSettings")
            .field("api_base", &self.api_base)
            .field("emulated", &self.emulated)
            .finish_non_exhaustive()
    }
}

/// The only key the emulator accepts: the app's own, used when no `STRIPE_SECRET_KEY` is set.
pub const EMULATOR_SECRET_KEY: &str = "sk_test_emulator";
const STRIPE_API: &str = "https://api.stripe.com/";

pub const MAX_WORKERS: u32 = 64;

#[derive(Debug, thiserror::Error)]
#[error("{}", .0.join("\n"))]
pub struct ConfigError(pub Vec<String>);

impl Config {
    /// Reads the process environment (after loading `.env` if there is one).
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Builds a config from any key lookup; used directly by tests.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut errors = Vec::new();
        let var = |key: &str| get(key).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let mut bad = |key: &str, why: &str, value: &str| {
            errors.push(format!("{key}: {why} (got {value:?})"));
        };

        let production = match var("LEPTOS_ENV").as_deref().map(str::to_ascii_uppercase) {
            None => false,
            Some(v) if v == "DEV" || v == "DEVELOPMENT" => false,
            Some(v) if v == "PROD" || v == "PRODUCTION" => true,
            Some(other) => {
                bad("LEPTOS_ENV", "must be DEV or PROD", &other);
                false
            }
        };

        let database_url = var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/shop.db?mode=rwc".into());
        if !["sqlite:", "postgres://", "postgresql://"].iter().any(|p| database_url.starts_with(p)) {
            bad("DATABASE_URL", "must start with sqlite: or postgres://", &database_url);
        }

        let addr_raw = var("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let site_addr = addr_raw.parse().unwrap_or_else(|_| {
            bad("LEPTOS_SITE_ADDR", "must be host:port, e.g. 127.0.0.1:3000", &addr_raw);
            SocketAddr::from(([127, 0, 0, 1], 3000))
        });

        let site_url =
            var("SITE_URL").unwrap_or_else(|| format!("http://{site_addr}")).trim_end_matches('/').to_owned();
        if !(site_url.starts_with("http://") || site_url.starts_with("https://"))
            || site_url.contains(char::is_whitespace)
        {
            bad("SITE_URL", "must be an http:// or https:// URL", &site_url);
        } else if production && !site_url.starts_with("https://") {
            bad(
                "SITE_URL",
                "must be the shop's public https:// URL in production (LEPTOS_ENV=PROD)",
                &site_url,
            );
        }

        let smtp_url = var("SMTP_URL");
        if production && smtp_url.is_none() {
            bad(
                "SMTP_URL",
                "is required in production (LEPTOS_ENV=PROD): mail must really be sent",
                "nothing",
            );
        }
        if let Some(url) = &smtp_url {
            if let Err(e) = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url) {
                bad("SMTP_URL", &format!("is not a valid smtp:// or smtps:// URL: {e}"), url);
            }
        }

        let mail_dir = PathBuf::from(var("MAIL_DIR").unwrap_or_else(|| "data/mail".into()));
        let media_dir = PathBuf::from(var("MEDIA_DIR").unwrap_or_else(|| "data/media".into()));

        let from_raw = var("MAIL_FROM").unwrap_or_else(|| "Shop <shop@localhost>".into());
        let mail_from = from_raw.parse().unwrap_or_else(|_| {
            bad("MAIL_FROM", "must be an address like `Shop <shop@example.com>`", &from_raw);
            "shop@localhost".parse().expect("valid fallback mailbox")
        });

        let workers_raw = var("WORKERS").unwrap_or_else(|| "2".into());
        let workers = match workers_raw.parse::<u32>() {
            Ok(n) if n <= MAX_WORKERS => n,
            _ => {
                bad("WORKERS", &format!("must be a number from 0 to {MAX_WORKERS}"), &workers_raw);
                0
            }
        };

        let site_root = var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into());

        let log_format = match var("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                bad("LOG_FORMAT", "must be text or json", other);
                LogFormat::Text
            }
        };

        let reload_raw = var("LEPTOS_RELOAD_PORT").unwrap_or_else(|| "3001".into());
        let reload_port = reload_raw.parse::<u16>().map(u32::from).unwrap_or_else(|_| {
            bad("LEPTOS_RELOAD_PORT", "must be a port number", &reload_raw);
            3001
        });

        let seed_demo = match var("SEED_DEMO").as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("false" | "0" | "no") => false,
            Some("true" | "1" | "yes") => true,
            Some(other) => {
                bad("SEED_DEMO", "must be true or false", other);
                false
            }
        };

        let ttl_raw = var("UNPAID_ORDER_HOURS").unwrap_or_else(|| "24".into());
        let unpaid_order_hours = match ttl_raw.parse::<u64>() {
            Ok(hours @ 1..=720) => hours,
            _ => {
                bad("UNPAID_ORDER_HOURS", "must be a whole number of hours from 1 to 720", &ttl_raw);
                24
            }
        };
        let unpaid_order_ttl = std::time::Duration::from_secs(unpaid_order_hours * 3600);

        let days_raw = var("SESSION_DAYS").unwrap_or_else(|| "14".into());
        let session_days = match days_raw.parse::<u32>() {
            Ok(days @ 1..=365) => days,
            _ => {
                bad("SESSION_DAYS", "must be a whole number of days from 1 to 365", &days_raw);
                14
            }
        };

        let mut bounded = |key: &str, default: u64, range: std::ops::RangeInclusive<u64>, unit: &str| {
            let raw = var(key).unwrap_or_else(|| default.to_string());
            match raw.parse::<u64>() {
                Ok(n) if range.contains(&n) => n,
                _ => {
                    bad(
                        key,
                        &format!(
                            "must be a whole number of {unit} from {} to {}",
                            range.start(),
                            range.end()
                        ),
                        &raw,
                    );
                    default
                }
            }
        };
        let minutes = |n: u64| std::time::Duration::from_secs(n * 60);
        let sessions = SessionLifetimes {
            remembered_idle: minutes(u64::from(session_days) * 24 * 60),
            idle: minutes(bounded("SESSION_IDLE_MINUTES", 120, 5..=10_080, "minutes")),
            absolute: minutes(bounded("SESSION_MAX_DAYS", 30, 1..=365, "days") * 24 * 60),
            admin_idle: minutes(bounded("ADMIN_IDLE_MINUTES", 30, 5..=1440, "minutes")),
            admin_absolute: minutes(bounded("ADMIN_SESSION_HOURS", 12, 1..=168, "hours") * 60),
        };

        let queue_stuck_after =
            std::time::Duration::from_secs(bounded("QUEUE_STUCK_SECONDS", 300, 10..=86_400, "seconds"));
        let request_timeout =
            std::time::Duration::from_secs(bounded("REQUEST_TIMEOUT_SECONDS", 30, 1..=600, "seconds"));
        let job_lease =
            std::time::Duration::from_secs(bounded("JOB_LEASE_SECONDS", 300, 30..=86_400, "seconds"));
        let housekeeping_every =
            std::time::Duration::from_secs(bounded("HOUSEKEEPING_SECONDS", 30, 1..=3_600, "seconds"));

        let mut trusted_proxies = Vec::new();
        for raw in
            var("TRUSTED_PROXIES").unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty())
        {
            match raw.parse() {
                Ok(ip) => trusted_proxies.push(ip),
                Err(_) => bad("TRUSTED_PROXIES", "must be comma-separated IP addresses", raw),
            }
        }

        let metrics_token = var("METRICS_TOKEN").and_then(|raw| {
            let token = MetricsToken::new(&raw);
            if token.is_none() {
                bad("METRICS_TOKEN", "must be at least 32 characters without spaces", "<hidden>");
            }
            token
        });

        let secret_key = var("STRIPE_SECRET_KEY");
        let webhook_secret = var("STRIPE_WEBHOOK_SECRET");
        if let Some(key) = &secret_key {
            if !["sk_test_", "sk_live_", "rk_test_", "rk_live_"].iter().any(|p| key.starts_with(p)) {
                bad("STRIPE_SECRET_KEY", "must be a Stripe secret key (sk_test_… or sk_live_…)", "<hidden>");
            }
            if webhook_secret.is_none() {
                bad("STRIPE_WEBHOOK_SECRET", "is required when STRIPE_SECRET_KEY is set", "nothing");
            }
        } else if production {
            bad(
                "STRIPE_SECRET_KEY",
                "is required in production (LEPTOS_ENV=PROD): the emulator is for development",
                "nothing",
            );
            if webhook_secret.is_none() {
                bad("STRIPE_WEBHOOK_SECRET", "is required in production (LEPTOS_ENV=PROD)", "nothing");
            }
        }
        if webhook_secret.as_ref().is_some_and(|w| !w.starts_with("whsec_")) {
            bad("STRIPE_WEBHOOK_SECRET", "must start with whsec_", "<hidden>");
        }
        // Never in production, whatever else is set.
        let emulated = secret_key.is_none() && !production;
        // A build without the emulator has nothing to pay with unless real Stripe is set.
        if emulated && !cfg!(feature = "stripe-emulator") {
            bad("STRIPE_SECRET_KEY", "is required: this build has no Stripe emulator", "nothing");
        }
        let mut api_base = var("STRIPE_API_BASE").unwrap_or_else(|| {
            if emulated {
                format!("{site_url}/_stripe/")
            } else {
                STRIPE_API.into()
            }
        });
        if !api_base.ends_with('/') {
            api_base.push('/');
        }
        if !(api_base.starts_with("http://") || api_base.starts_with("https://")) {
            bad("STRIPE_API_BASE", "must be an http:// or https:// URL", &api_base);
        }
        let stripe = StripeSettings {
            secret_key: secret_key.unwrap_or_else(|| EMULATOR_SECRET_KEY.into()),
            webhook_secret,
            api_base,
            emulated,
        };

        if !errors.is_empty() {
            return Err(ConfigError(errors));
        }
        Ok(Self {
            database_url,
            site_addr,
            site_url,
            smtp_url,
            mail_dir,
            media_dir,
            mail_from,
            workers,
            site_root,
            log_format,
            production,
            reload_port,
            seed_demo,
            unpaid_order_ttl,
            session_days,
            sessions,
            trusted_proxies,
            stripe,
            metrics_token,
            queue_stuck_after,
            request_timeout,
            job_lease,
            housekeeping_every,
        })
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// The dev mailbox (`/dev/mail`) exists only in development, when mail is written to
    /// files (and answers loopback clients only: see `ui::dev_mail`).
    pub fn dev_mailbox_enabled(&self) -> bool {
        !self.production && self.smtp_url.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_follow_the_contract() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://data/shop.db?mode=rwc");
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.site_url, "http://127.0.0.1:3000");
        assert_eq!(c.workers, 2);
        assert_eq!(c.mail_dir, PathBuf::from("data/mail"));
        assert_eq!(c.media_dir, PathBuf::from("data/media"));
        assert_eq!(c.mail_from.to_string(), "Shop <shop@localhost>");
        assert!(c.dev_mailbox_enabled());
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(c.unpaid_order_ttl.as_secs(), 24 * 3600);
        assert!(c.trusted_proxies.is_empty());
        assert_eq!(c.sessions.idle.as_secs(), 2 * 3600);
        assert_eq!(c.sessions.remembered_idle.as_secs(), 14 * 86400);
        assert_eq!(c.sessions.absolute.as_secs(), 30 * 86400);
        assert_eq!(c.sessions.admin_idle.as_secs(), 30 * 60);
        assert_eq!(c.sessions.admin_absolute.as_secs(), 12 * 3600);
        assert_eq!(c.job_lease.as_secs(), 300);
        assert_eq!(c.housekeeping_every.as_secs(), 30);
        assert!(c.stripe.emulated);
        assert_eq!(c.stripe.api_base, "http://127.0.0.1:3000/_stripe/");
        assert_eq!(c.stripe.webhook_secret, None, "generated per database at start-up");
        assert!(!c.production);
        let proxied = config(&[("TRUSTED_PROXIES", "10.0.0.1, ::1")]).unwrap();
        assert_eq!(proxied.trusted_proxies.len(), 2);
    }

    #[test]
    fn site_url_loses_trailing_slash() {
        let c = config(&[("SITE_URL", "https://shop.example/")]).unwrap();
        assert_eq!(c.site_url, "https://shop.example");
    }

    #[test]
    fn each_bad_variable_gets_one_line() {
        let err = config(&[
            ("DATABASE_URL", "mysql://x"),
            ("LEPTOS_SITE_ADDR", "nowhere"),
            ("WORKERS", "lots"),
            ("LOG_FORMAT", "xml"),
            ("SMTP_URL", "http://mail"),
            ("MAIL_FROM", "not an address"),
            ("UNPAID_ORDER_HOURS", "0"),
            ("SESSION_DAYS", "forever"),
            ("ADMIN_IDLE_MINUTES", "0"),
            ("JOB_LEASE_SECONDS", "5"),
            ("HOUSEKEEPING_SECONDS", "0"),
            ("TRUSTED_PROXIES", "10.0.0.1, proxy.local"),
            ("STRIPE_SECRET_KEY", "pk_live_publishable"),
            ("STRIPE_API_BASE", "ftp://stripe"),
        ])
        .unwrap_err();
        let text = err.to_string();
        for key in [
            "DATABASE_URL",
            "LEPTOS_SITE_ADDR",
            "WORKERS",
            "LOG_FORMAT",
            "SMTP_URL",
            "MAIL_FROM",
            "UNPAID_ORDER_HOURS",
            "SESSION_DAYS",
            "ADMIN_IDLE_MINUTES",
            "JOB_LEASE_SECONDS",
            "HOUSEKEEPING_SECONDS",
            "TRUSTED_PROXIES",
            "STRIPE_SECRET_KEY",
            "STRIPE_WEBHOOK_SECRET",
            "STRIPE_API_BASE",
        ] {
            assert_eq!(text.lines().filter(|l| l.starts_with(key)).count(), 1, "{key} in {text}");
        }
        assert!(!text.contains("pk_live_publishable"), "secrets are never echoed: {text}");
    }

    #[test]
    fn a_stripe_key_turns_the_emulator_off_and_needs_a_webhook_secret() {
        let real =
            config(&[("STRIPE_SECRET_KEY", "sk_live_x"), ("STRIPE_WEBHOOK_SECRET", "whsec_y")]).unwrap();
        assert!(!real.stripe.emulated);
        assert_eq!(real.stripe.api_base, "https://api.stripe.com/");
        let err = config(&[("STRIPE_SECRET_KEY", "sk_live_x")]).unwrap_err().to_string();
        assert!(err.starts_with("STRIPE_WEBHOOK_SECRET: is required"), "{err}");
    }

    #[test]
    fn production_refuses_to_start_without_each_safeguard() {
        let err = config(&[("LEPTOS_ENV", "PROD")]).unwrap_err().to_string();
        for key in ["SMTP_URL", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "SITE_URL"] {
            assert_eq!(err.lines().filter(|l| l.starts_with(key)).count(), 1, "{key} in {err}");
        }
        let complete = [
            ("LEPTOS_ENV", "PROD"),
            ("SITE_URL", "https://shop.example"),
            ("SMTP_URL", "smtp://127.0.0.1:25"),
            ("STRIPE_SECRET_KEY", "sk_live_x"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_y"),
        ];
        let prod = config(&complete).unwrap();
        assert!(prod.production && !prod.stripe.emulated && !prod.dev_mailbox_enabled());
        // Each one alone missing (or plain http) is named.
        for (i, (key, _)) in complete.iter().enumerate().skip(1) {
            let mut without = complete.to_vec();
            without.remove(i);
            let err = config(&without).unwrap_err().to_string();
            assert!(err.lines().any(|l| l.starts_with(key)), "{key} missing: {err}");
        }
        let mut http = complete.to_vec();
        http[1] = ("SITE_URL", "http://shop.example");
        assert!(config(&http)
            .unwrap_err()
            .to_string()
            .starts_with("SITE_URL: must be the shop's public https://"));
    }

    #[test]
    fn too_many_workers_is_refused() {
        assert!(config(&[("WORKERS", "65")]).is_err());
        assert_eq!(config(&[("WORKERS", "0")]).unwrap().workers, 0);
    }
}
