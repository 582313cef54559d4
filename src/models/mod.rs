//! Shared models: the types the server and the browser exchange. They compile for both
//! `ssr` and `hydrate`; nothing here touches the database or the network.

pub mod catalog;
pub mod error;
pub mod mail;
pub mod money;

pub use catalog::*;
pub use error::{AppError, FieldErrors};
pub use mail::{MailDetail, MailSummary};
pub use money::Money;
