//! Shared models: the types the server and the browser exchange. They compile for both
//! `ssr` and `hydrate`; nothing here touches the database or the network.

// The message catalogues of both languages (src/locales, compiled by build.rs):
// `i18n::Locale`, `use_i18n`, `t!` and friends.
include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod account;
pub mod admin;
pub mod cart;
pub mod catalog;
pub mod error;
pub mod lang;
pub mod mail;
pub mod messages;
pub mod money;
pub mod order;
pub mod pages;

pub use cart::{AppliedCoupon, Cart, CartLine};
pub use catalog::*;
pub use error::{AppError, FieldErrors};
pub use mail::{MailDetail, MailSummary};
pub use money::{Money, SHOP_CURRENCY};
pub use order::{Order, OrderLine, OrderStatus, OrderSummary, PaymentIssue, Shipping};
