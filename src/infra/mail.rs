//! The mail transport: SMTP when `SMTP_URL` is set, otherwise `.eml` files in `MAIL_DIR`.
//! It sends bytes already formatted by `services::mail`; nothing here knows the outbox.

use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The configured mail transport.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

impl Transport {
    pub fn from_config(smtp_url: Option<&str>, mail_dir: &Path) -> Result<Self, String> {
        match smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|b| Self::Smtp(b.timeout(Some(Duration::from_secs(20))).build()))
                .map_err(|e| format!("SMTP_URL: {e}")),
            None => {
                std::fs::create_dir_all(mail_dir)
                    .map_err(|e| format!("MAIL_DIR {}: {e}", mail_dir.display()))?;
                Ok(Self::Files(AsyncFileTransport::new(mail_dir), mail_dir.to_owned()))
            }
        }
    }

    pub async fn send_raw(&self, envelope: &lettre::address::Envelope, bytes: &[u8]) -> Result<(), String> {
        match self {
            Self::Smtp(t) => t.send_raw(envelope, bytes).await.map(|_| ()).map_err(|e| e.to_string()),
            Self::Files(t, _) => t.send_raw(envelope, bytes).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}
