//! sea-orm entities (server-only). They map to the shared DTOs in `crate::models`
//! and never leave the server.

pub mod audit_entry;
pub mod cart;
pub mod cart_line;
pub mod category;
pub mod category_translation;
pub mod co_purchase;
pub mod coupon;
pub mod effect_claim;
pub mod email_change;
pub mod emulator_idempotency;
pub mod emulator_object;
pub mod order;
pub mod order_line;
pub mod outbox_mail;
pub mod password_reset;
pub mod payment_event;
pub mod product;
pub mod product_translation;
pub mod recovery_code;
pub mod session;
pub mod user;
