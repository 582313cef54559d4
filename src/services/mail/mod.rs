//! Mail: messages are formatted once and stored in the `outbox_mail` table (inside the
//! caller's transaction when there is one); a job then delivers each through the
//! transport (`infra::mail`) exactly once. Every template is in `templates`.

pub mod templates;

use super::effects::{run_once_recorded, Outcome, RunOnceError};
use crate::entities::outbox_mail;
use crate::infra::mail::Transport;
use crate::models::{AppError, MailDetail, MailSummary};
use chrono::Utc;
use lettre::message::{header::ContentType, Attachment as LettreAttachment, Mailbox, MultiPart, SinglePart};
use mail_parser::MimeHeaders;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, QueryTrait, Set,
};
use std::path::Path;
use std::time::Duration;
use uuid::Uuid;

/// At most this many lost deliveries are re-enqueued per reconciler round.
const RECONCILE_BATCH: u64 = 500;

#[derive(Debug, Clone)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// A message to send: plain text and HTML alternatives, optional attachments.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<Attachment>,
    /// The order whose PDF invoice is attached when the mail is delivered (drawing it
    /// is kept out of the transaction that queues the mail).
    pub invoice_of: Option<i64>,
}

impl Email {
    /// Formats the RFC 5322 message.
    /// The message, its `Message-ID` made from the outbox id: every attempt to deliver it
    /// carries the same one, so a copy sent again after a crash between the SMTP server's
    /// "accepted" and the outbox's "sent" is recognisably the same message.
    pub fn to_message(&self, from: &Mailbox, id: Uuid) -> Result<lettre::Message, AppError> {
        let to: Mailbox =
            self.to.parse().map_err(|_| AppError::field("to", "is not a valid email address"))?;
        let body = MultiPart::alternative()
            .singlepart(SinglePart::plain(self.text.clone()))
            .singlepart(SinglePart::html(self.html.clone()));
        // A late invoice goes into a mixed body: see `with_late_part`.
        let body = if self.attachments.is_empty() && self.invoice_of.is_none() {
            body
        } else {
            let mut mixed = MultiPart::mixed().multipart(body);
            for a in &self.attachments {
                let ct = ContentType::parse(&a.content_type).map_err(|_| AppError::Internal)?;
                mixed = mixed.singlepart(LettreAttachment::new(a.filename.clone()).body(a.data.clone(), ct));
            }
            mixed
        };
        lettre::Message::builder()
            .message_id(Some(format!("<{id}@{}>", from.email.domain())))
            .from(from.clone())
            .to(to)
            .subject(self.subject.clone())
            .multipart(body)
            .map_err(|e| {
                tracing::error!(error = %e, "could not build mail");
                AppError::Internal
            })
    }
}

/// Stores the message in the outbox and queues its delivery, both in the caller's
/// transaction (so a rolled-back change sends nothing); returns the message's id.
pub async fn queue(db: &impl ConnectionTrait, from: &Mailbox, email: &Email) -> Result<Uuid, AppError> {
    let id = Uuid::new_v4();
    let message = email.to_message(from, id)?;
    let formatted = String::from_utf8(message.formatted()).map_err(|_| AppError::Internal)?;
    let now = Utc::now();
    outbox_mail::ActiveModel {
        id: Set(id),
        message: Set(formatted),
        recipient: Set(email.to.clone()),
        subject: Set(email.subject.clone()),
        attempts: Set(0),
        last_error: Set(None),
        created_at: Set(now),
        enqueued_at: Set(now),
        sent_at: Set(None),
        attach_invoice_of: Set(email.invoice_of),
    }
    .insert(db)
    .await?;
    crate::services::tasks::send_mail(db, id).await?;
    Ok(id)
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("mail {0} not found")]
    Unknown(Uuid),
    #[error("{0}")]
    Transport(String),
    #[error("another worker is delivering mail {0}")]
    Busy(Uuid),
    #[error("cannot compose the mail: {0}")]
    Compose(String),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// Delivers one outbox message exactly once; safe to call any number of times.
pub async fn deliver(
    db: &DatabaseConnection,
    transport: &Transport,
    from: &Mailbox,
    id: Uuid,
    lease: Duration,
) -> Result<Outcome, DeliveryError> {
    let row = outbox_mail::Entity::find_by_id(id).one(db).await?.ok_or(DeliveryError::Unknown(id))?;
    if row.sent_at.is_some() {
        return Ok(Outcome::AlreadyDone);
    }
    let to: lettre::Address = row.recipient.parse().map_err(|e| DeliveryError::Transport(format!("{e}")))?;
    let envelope = lettre::address::Envelope::new(Some(from.email.clone()), vec![to])
        .map_err(|e| DeliveryError::Transport(e.to_string()))?;
    let message = match row.attach_invoice_of {
        Some(order_id) => with_invoice(db, row.message.as_bytes(), order_id).await?,
        None => row.message.into_bytes(),
    };
    let attempts = Expr::col(outbox_mail::Column::Attempts).add(1);
    let mark_sent = || {
        let update = outbox_mail::Entity::update_many()
            .col_expr(outbox_mail::Column::SentAt, Expr::value(Utc::now()))
            .col_expr(outbox_mail::Column::Attempts, attempts.clone())
            .col_expr(outbox_mail::Column::LastError, Expr::value(Option::<String>::None))
            .filter(outbox_mail::Column::Id.eq(id))
            .filter(outbox_mail::Column::SentAt.is_null());
        Some(update.build(db.get_database_backend()))
    };
    let result = run_once_recorded(
        db,
        &format!("mail:{id}"),
        lease,
        || transport.send_raw(&envelope, &message),
        mark_sent,
    )
    .await;
    match result {
        Ok(outcome) => Ok(outcome),
        Err(RunOnceError::Busy(_)) => Err(DeliveryError::Busy(id)),
        Err(RunOnceError::Db(e)) => Err(e.into()),
        Err(RunOnceError::Effect(message)) => {
            outbox_mail::Entity::update_many()
                .col_expr(outbox_mail::Column::Attempts, attempts)
                .col_expr(outbox_mail::Column::LastError, Expr::value(Some(message.clone())))
                .filter(outbox_mail::Column::Id.eq(id))
                .exec(db)
                .await?;
            Err(DeliveryError::Transport(message))
        }
    }
}

/// The stored message with the order's invoice, drawn now, as its last part.
async fn with_invoice(
    db: &DatabaseConnection,
    message: &[u8],
    order_id: i64,
) -> Result<Vec<u8>, DeliveryError> {
    let order = crate::services::orders::find(db, order_id)
        .await
        .map_err(|e| DeliveryError::Compose(format!("order {order_id}: {e}")))?
        .ok_or_else(|| DeliveryError::Compose(format!("order {order_id} is gone")))?;
    let pdf = crate::services::invoice::render(&order);
    let part = LettreAttachment::new(crate::services::invoice::file_name(order_id))
        .body(pdf, ContentType::parse("application/pdf").expect("a valid content type"));
    with_late_part(message, &part.formatted()).ok_or_else(|| {
        DeliveryError::Compose(format!("mail for order {order_id} has no mixed body to attach to"))
    })
}

/// Adds a formatted MIME part as the last part of a message whose body is
/// multipart/mixed (as `Email::to_message` makes it when a part comes late): the part
/// goes before the closing delimiter, `--boundary--` (RFC 2046 § 5.1.1).
fn with_late_part(message: &[u8], part: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(message).ok()?;
    let head_end = text.find("\r\n\r\n")?;
    let head = &text[..head_end];
    let content_type = head.to_ascii_lowercase().find("content-type: multipart/mixed;")?;
    let boundary = head[content_type..].split("boundary=").nth(1)?;
    let boundary = boundary.trim_start_matches('"').split(['"', '\r', ';']).next()?;
    let closing = format!("\r\n--{boundary}--");
    let at = text.rfind(&closing)?;
    let mut out = Vec::with_capacity(message.len() + part.len() + boundary.len() + 8);
    out.extend_from_slice(&message[..at]);
    out.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
    out.extend_from_slice(part.strip_suffix(b"\r\n").unwrap_or(part));
    out.extend_from_slice(&message[at..]);
    Some(out)
}

/// Unsent messages whose last enqueue is older than `stale_after` (a lost or crashed
/// job); marks them enqueued now and returns their ids for re-enqueueing.
pub async fn take_stale_unsent(
    db: &DatabaseConnection,
    stale_after: Duration,
) -> Result<Vec<Uuid>, sea_orm::DbErr> {
    let now = Utc::now();
    let before = now - chrono::Duration::from_std(stale_after).unwrap_or_default();
    // Ids only (messages can carry attachments), and a bounded batch per round.
    let ids: Vec<Uuid> = outbox_mail::Entity::find()
        .select_only()
        .column(outbox_mail::Column::Id)
        .filter(outbox_mail::Column::SentAt.is_null())
        .filter(outbox_mail::Column::EnqueuedAt.lt(before))
        .limit(RECONCILE_BATCH)
        .into_tuple()
        .all(db)
        .await?;
    if !ids.is_empty() {
        outbox_mail::Entity::update_many()
            .col_expr(outbox_mail::Column::EnqueuedAt, Expr::value(now))
            .filter(outbox_mail::Column::Id.is_in(ids.clone()))
            .exec(db)
            .await?;
    }
    Ok(ids)
}

fn is_mail_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

fn summarize(id: String, msg: &mail_parser::Message<'_>) -> MailSummary {
    let addr = |a: Option<&mail_parser::Address<'_>>| {
        a.and_then(|a| a.first())
            .map(|a| match (a.name(), a.address()) {
                (Some(n), Some(e)) => format!("{n} <{e}>"),
                (None, Some(e)) => e.to_owned(),
                _ => String::new(),
            })
            .unwrap_or_default()
    };
    MailSummary {
        id,
        from: addr(msg.from()),
        to: addr(msg.to()),
        subject: msg.subject().unwrap_or("(no subject)").to_owned(),
        date: msg.date().map(|d| d.to_rfc3339()).unwrap_or_default(),
    }
}

/// Messages written to the mail directory, newest first.
pub async fn list_mailbox(dir: &Path) -> Result<Vec<MailSummary>, AppError> {
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => {
            tracing::error!(error = %e, dir = %dir.display(), "cannot read mail dir");
            return Err(AppError::Internal);
        }
    };
    let mut found = Vec::new();
    while let Ok(Some(entry)) = entries.next_entry().await {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("eml") {
            continue;
        }
        let Some(id) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else { continue };
        let modified = entry.metadata().await.and_then(|m| m.modified()).ok();
        let Ok(bytes) = tokio::fs::read(&path).await else { continue };
        if let Some(msg) = mail_parser::MessageParser::default().parse(&bytes) {
            found.push((modified, summarize(id, &msg)));
        }
    }
    found.sort_by_key(|entry| std::cmp::Reverse(entry.0));
    Ok(found.into_iter().map(|(_, s)| s).collect())
}

pub async fn read_mail(dir: &Path, id: &str) -> Result<MailDetail, AppError> {
    if !is_mail_id(id) {
        return Err(AppError::not_found("Message"));
    }
    let bytes =
        tokio::fs::read(dir.join(format!("{id}.eml"))).await.map_err(|_| AppError::not_found("Message"))?;
    let msg =
        mail_parser::MessageParser::default().parse(&bytes).ok_or_else(|| AppError::not_found("Message"))?;
    Ok(MailDetail {
        summary: summarize(id.to_owned(), &msg),
        text: msg.body_text(0).map(|t| t.into_owned()),
        html: msg.body_html(0).map(|t| t.into_owned()),
        attachments: msg
            .attachments()
            .map(|a| a.attachment_name().unwrap_or("attachment").to_owned())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_ids_cannot_escape_the_directory() {
        assert!(is_mail_id("0b8f4f6e-8a51-4a55-9b39-0c2a0d6c8a11"));
        assert!(!is_mail_id("../etc/passwd"));
        assert!(!is_mail_id(""));
    }

    #[test]
    fn message_is_multipart_with_attachment() {
        let email = Email {
            to: "ann@example.com".into(),
            subject: "Hello".into(),
            text: "plain body".into(),
            html: "<p>html body</p>".into(),
            attachments: vec![Attachment {
                filename: "note.txt".into(),
                content_type: "text/plain".into(),
                data: b"attached".to_vec(),
            }],
            invoice_of: None,
        };
        let from: Mailbox = "Shop <shop@localhost>".parse().unwrap();
        let id = Uuid::new_v4();
        let raw = email.to_message(&from, id).unwrap().formatted();
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        assert_eq!(parsed.subject(), Some("Hello"));
        assert_eq!(parsed.message_id(), Some(format!("{id}@localhost").as_str()), "the outbox id");
        assert_eq!(parsed.body_text(0).unwrap().trim(), "plain body");
        assert!(parsed.body_html(0).unwrap().contains("html body"));
        assert_eq!(parsed.attachments().count(), 1);
    }

    #[test]
    fn a_late_part_is_added_to_the_mixed_body() {
        let email = Email {
            to: "ann@example.com".into(),
            subject: "Paid".into(),
            text: "plain body".into(),
            html: "<p>html body</p>".into(),
            attachments: vec![],
            invoice_of: Some(7),
        };
        let from: Mailbox = "Shop <shop@localhost>".parse().unwrap();
        let stored = email.to_message(&from, Uuid::new_v4()).unwrap().formatted();
        let pdf = b"%PDF-1.4 not really\x00\xff".to_vec();
        let part = LettreAttachment::new("invoice-7.pdf".into())
            .body(pdf.clone(), ContentType::parse("application/pdf").unwrap());
        let sent = with_late_part(&stored, &part.formatted()).expect("a mixed body");
        let parsed = mail_parser::MessageParser::default().parse(&sent).unwrap();
        assert_eq!(parsed.subject(), Some("Paid"));
        assert_eq!(parsed.body_text(0).unwrap().trim(), "plain body");
        assert!(parsed.body_html(0).unwrap().contains("html body"));
        let attached: Vec<_> = parsed.attachments().collect();
        assert_eq!(attached.len(), 1);
        assert_eq!(attached[0].attachment_name(), Some("invoice-7.pdf"));
        assert_eq!(attached[0].contents(), &pdf[..]);
        // Without a mixed body there is nowhere to put it.
        let plain =
            Email { invoice_of: None, ..email }.to_message(&from, Uuid::new_v4()).unwrap().formatted();
        assert!(with_late_part(&plain, &part.formatted()).is_none());
    }

    #[test]
    fn bad_recipient_is_a_field_error() {
        let email = Email {
            to: "nope".into(),
            subject: "s".into(),
            text: "t".into(),
            html: "h".into(),
            attachments: vec![],
            invoice_of: None,
        };
        let from: Mailbox = "shop@localhost".parse().unwrap();
        assert!(matches!(email.to_message(&from, Uuid::new_v4()), Err(AppError::Validation(_))));
    }
}
