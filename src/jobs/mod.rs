//! Background jobs (fang, in the shop's own database): one task type per file, the
//! context every job runs with, the enqueue helpers, the worker loop and housekeeping.
//! Each job is small and idempotent: its effect goes through a service that claims the
//! work first (see `services::effects::run_once`). Job types are stored under their type
//! name: renaming one orphans queued jobs.
//!
//! May import: services, infra, entities, models. Never flows, http, ui or app.

pub mod expire_checkout_session;
pub mod housekeeping;
pub mod process_payment_event;
pub mod send_mail;
pub mod worker;

pub use expire_checkout_session::{expire_checkouts_later, ExpireCheckoutSession};
pub use housekeeping::housekeeping;
pub use process_payment_event::{process_payment_later, ProcessPaymentEvent};
pub use send_mail::{deliver_later, send_mail, SendMail};
pub use worker::Workers;

use crate::infra::config::Config;
use crate::infra::mail::Transport;
use crate::services::orders::MailSettings;
use crate::services::payments::CheckoutSettings;
use fang::{AsyncQueue, AsyncQueueable, AsyncRunnable, FangError};
use lettre::message::Mailbox;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// What a running job may use: the gateways, built once at start-up, and the one
/// configuration (shared with `AppState`, never copied field by field).
#[derive(Clone)]
pub struct JobContext {
    pub db: DatabaseConnection,
    pub queue: AsyncQueue,
    pub transport: Transport,
    pub stripe: crate::infra::stripe::Stripe,
    pub config: Arc<Config>,
}

impl JobContext {
    /// Who mails come from.
    pub fn mail_from(&self) -> &Mailbox {
        &self.config.mail_from
    }

    /// What the services that write mail need: the sender and the site's public URL.
    pub fn mail_settings(&self) -> MailSettings<'_> {
        MailSettings { from: &self.config.mail_from, site_url: &self.config.site_url }
    }

    /// What starting a Checkout Session needs.
    pub fn checkout_settings(&self) -> CheckoutSettings<'_> {
        CheckoutSettings { site_url: &self.config.site_url, unpaid_order_ttl: self.config.unpaid_order_ttl }
    }
}

tokio::task_local! {
    pub(crate) static CONTEXT: Arc<JobContext>;
}

/// The context of the job being run. Panics outside a worker, which is a bug.
pub fn context() -> Arc<JobContext> {
    CONTEXT.with(Arc::clone)
}

/// Connects fang's queue (it keeps its own small pool).
pub async fn connect(database_url: &str, pool_size: u32) -> Result<AsyncQueue, String> {
    let mut queue = AsyncQueue::builder().uri(database_url).max_pool_size(pool_size.max(2)).build();
    queue.connect().await.map_err(|e| format!("job queue: {e:?}"))?;
    Ok(queue)
}

/// Enqueues a job through fang's own connection, outside any transaction. Work that
/// belongs to a database change is queued by its service, in its transaction
/// (`services::tasks`); this is for re-enqueueing (reconcilers, retries, tests).
pub async fn enqueue(queue: &AsyncQueue, job: &dyn AsyncRunnable) -> Result<(), FangError> {
    queue.insert_task(job).await.map(|_| ()).map_err(FangError::from)
}

/// Enqueues a job and wakes an idle worker of this process.
pub async fn submit(ctx: &JobContext, job: &dyn AsyncRunnable) -> Result<(), FangError> {
    enqueue(&ctx.queue, job).await?;
    crate::infra::queue::wake();
    Ok(())
}
