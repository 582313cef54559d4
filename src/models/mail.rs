//! Dev mailbox DTOs (the `/dev/mail` page).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSummary {
    pub id: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailDetail {
    pub summary: MailSummary,
    pub text: Option<String>,
    pub html: Option<String>,
    pub attachments: Vec<String>,
}
