//! The PDF invoice (the seed's: bill-to block, lines, subtotal, coupon line, total and a
//! PAID / PENDING stamp), in the order's language, drawn with pdf-writer and the standard PDF fonts, so no font
//! files ship with the shop. Amounts use Courier, whose fixed width lets them be
//! right-aligned exactly.

use crate::models::i18n::td_string;
use crate::models::lang::Locale;
use crate::models::{Order, OrderStatus};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

const SHOP_NAME: &str = "fullstack-ws shop";
const PAGE_WIDTH: f32 = 595.0; // A4 in points
const PAGE_HEIGHT: f32 = 842.0;
const LEFT: f32 = 56.0;
const RIGHT: f32 = PAGE_WIDTH - 56.0;
/// Lines that fit below the header on one page; the rest are summarised in one line.
const MAX_LINES: usize = 28;

pub fn file_name(order_id: i64) -> String {
    format!("invoice-{order_id}.pdf")
}

/// Renders the invoice of an order.
pub fn render(order: &Order) -> Vec<u8> {
    let (catalog, pages, page, content_id, sans, sans_bold, mono) =
        (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5), Ref::new(6), Ref::new(7));
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    {
        let mut p = pdf.page(page);
        p.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).parent(pages).contents(content_id);
        let mut resources = p.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"F1"), sans).pair(Name(b"F2"), sans_bold).pair(Name(b"F3"), mono);
        fonts.finish();
        resources.finish();
        p.finish();
    }
    for (id, name) in [(sans, &b"Helvetica"[..]), (sans_bold, b"Helvetica-Bold"), (mono, b"Courier")] {
        pdf.type1_font(id).base_font(Name(name)).encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let content = draw(order);
    pdf.stream(content_id, &content.finish());
    pdf.finish()
}

fn draw(order: &Order) -> Content {
    let lang = order.language();
    let money = |m: &crate::models::Money| m.format_in(lang);
    let mut c = Content::new();
    let mut y = PAGE_HEIGHT - 72.0;
    text(&mut c, b"F2", 22.0, LEFT, y, td_string!(lang, invoice.title));
    text(&mut c, b"F1", 10.0, LEFT, y - 18.0, SHOP_NAME);
    stamp(&mut c, order.status, lang);

    y -= 56.0;
    let number = format!("INV-{:06}", order.id);
    let (ordered, id) = (lang.date(&order.created_at), order.id);
    text(
        &mut c,
        b"F1",
        10.0,
        LEFT,
        y,
        &td_string!(lang, invoice.number, number = number.as_str()).to_string(),
    );
    text(&mut c, b"F1", 10.0, LEFT, y - 14.0, &td_string!(lang, invoice.order, id = id).to_string());
    text(
        &mut c,
        b"F1",
        10.0,
        LEFT,
        y - 28.0,
        &td_string!(lang, invoice.order_date, date = ordered.as_str()).to_string(),
    );
    if let Some(paid) = &order.paid_at {
        let paid = lang.date(paid);
        text(
            &mut c,
            b"F1",
            10.0,
            LEFT,
            y - 42.0,
            &td_string!(lang, invoice.paid_on, date = paid.as_str()).to_string(),
        );
    }

    let s = &order.shipping;
    let bill_x = 330.0;
    text(&mut c, b"F2", 10.0, bill_x, y, td_string!(lang, invoice.bill_to));
    for (i, line) in [
        format!("{} {}", s.first_name, s.last_name),
        s.address.clone(),
        format!("{} {}", s.postal_code, s.city),
        s.email.clone(),
    ]
    .iter()
    .enumerate()
    {
        text(&mut c, b"F1", 10.0, bill_x, y - 14.0 * (i as f32 + 1.0), &clip(line, 40));
    }

    y -= 96.0;
    let (qty_right, unit_right, total_right) = (360.0, 450.0, RIGHT);
    text(&mut c, b"F2", 10.0, LEFT, y, td_string!(lang, invoice.product));
    text_right(&mut c, b"F2", 10.0, qty_right, y, td_string!(lang, invoice.qty), 0.5);
    text_right(&mut c, b"F2", 10.0, unit_right, y, td_string!(lang, invoice.unit_price), 0.5);
    text_right(&mut c, b"F2", 10.0, total_right, y, td_string!(lang, invoice.amount), 0.5);
    rule(&mut c, y - 6.0);
    y -= 22.0;
    for line in order.lines.iter().take(MAX_LINES) {
        text(&mut c, b"F1", 10.0, LEFT, y, &clip(&line.name, 42));
        amount(&mut c, qty_right, y, &line.quantity.to_string());
        amount(&mut c, unit_right, y, &money(&line.unit_price));
        amount(&mut c, total_right, y, &money(&line.line_total));
        y -= 16.0;
    }
    if order.lines.len() > MAX_LINES {
        let count = order.lines.len() - MAX_LINES;
        text(&mut c, b"F1", 10.0, LEFT, y, &td_string!(lang, invoice.more_lines, count = count).to_string());
        y -= 16.0;
    }
    rule(&mut c, y + 8.0);
    y -= 10.0;
    let label_x = 330.0;
    text(&mut c, b"F1", 10.0, label_x, y, td_string!(lang, invoice.subtotal));
    amount(&mut c, total_right, y, &money(&order.subtotal));
    if order.discount.amount > 0 {
        y -= 16.0;
        let label = match (&order.coupon_code, order.coupon_percent) {
            (Some(code), Some(p)) => {
                td_string!(lang, invoice.coupon_percent, code = code.as_str(), percent = p).to_string()
            }
            (Some(code), None) => td_string!(lang, invoice.coupon, code = code.as_str()).to_string(),
            _ => td_string!(lang, invoice.discount).into(),
        };
        text(&mut c, b"F1", 10.0, label_x, y, &clip(&label, 28));
        amount(&mut c, total_right, y, &format!("-{}", money(&order.discount)));
    }
    y -= 20.0;
    text(&mut c, b"F2", 12.0, label_x, y, td_string!(lang, invoice.total));
    c.set_fill_gray(0.0);
    text_right(&mut c, b"F3", 12.0, total_right, y, &money(&order.total), 0.6);
    text(&mut c, b"F1", 8.0, LEFT, 48.0, td_string!(lang, invoice.thanks));
    c
}

fn stamp(c: &mut Content, status: OrderStatus, lang: Locale) {
    let (label, (r, g, b)) = match status {
        OrderStatus::Paid => (td_string!(lang, invoice.paid), (0.05, 0.5, 0.2)),
        OrderStatus::Created => (td_string!(lang, invoice.pending), (0.75, 0.45, 0.0)),
        OrderStatus::Cancelled => (td_string!(lang, invoice.cancelled), (0.7, 0.1, 0.1)),
    };
    let size = 24.0;
    let width = label.chars().count() as f32 * size * 0.72 + 20.0;
    let (x, y) = (RIGHT - width, PAGE_HEIGHT - 86.0);
    c.save_state();
    c.set_stroke_rgb(r, g, b).set_line_width(2.5);
    c.rect(x, y, width, size + 16.0).stroke();
    c.set_fill_rgb(r, g, b);
    text(c, b"F2", size, x + 10.0, y + 10.0, label);
    c.restore_state();
}

fn rule(c: &mut Content, y: f32) {
    c.set_line_width(0.5).move_to(LEFT, y).line_to(RIGHT, y).stroke();
}

fn text(c: &mut Content, font: &[u8], size: f32, x: f32, y: f32, s: &str) {
    c.begin_text();
    c.set_font(Name(font), size);
    c.next_line(x, y);
    c.show(Str(&win_ansi(s)));
    c.end_text();
}

/// Right-aligned text, for a font whose glyphs are about `em` wide.
fn text_right(c: &mut Content, font: &[u8], size: f32, right: f32, y: f32, s: &str, em: f32) {
    let width = s.chars().count() as f32 * size * em;
    text(c, font, size, right - width, y, s);
}

fn amount(c: &mut Content, right: f32, y: f32, s: &str) {
    text_right(c, b"F3", 10.0, right, y, s, 0.6);
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

/// The standard fonts speak WinAnsi (Latin-1 plus a few signs); anything else becomes `?`.
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|ch| match ch {
            ' '..='~' => ch as u8,
            '\u{a0}'..='\u{ff}' => ch as u32 as u8,
            '€' => 0x80,
            '…' => 0x85,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{Money, OrderLine, Shipping};

    fn order(locale: &str, status: OrderStatus) -> Order {
        let usd = |cents| Money::new(cents, "usd");
        Order {
            id: 12,
            status,
            created_at: "2026-12-03T08:00:00Z".into(),
            shipping: Shipping {
                first_name: "Ana".into(),
                last_name: "Martínez".into(),
                email: "ana@example.com".into(),
                address: "Calle Mayor 1".into(),
                postal_code: "28013".into(),
                city: "Madrid".into(),
            },
            lines: vec![OrderLine {
                product_id: 1,
                name: "Té verde".into(),
                unit_price: usd(123456),
                quantity: 1,
                line_total: usd(123456),
            }],
            subtotal: usd(123456),
            coupon_code: None,
            coupon_percent: None,
            discount: usd(0),
            total: usd(123456),
            paid_at: Some("2026-12-03T09:00:00Z".into()),
            locale: locale.into(),
        }
    }

    /// Whether the PDF shows `text`: as a literal string, or (non-ASCII text) a hex one.
    fn contains(pdf: &[u8], text: &str) -> bool {
        let find = |haystack: &[u8], needle: &[u8]| haystack.windows(needle.len()).any(|w| w == needle);
        let bytes = win_ansi(text);
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        find(pdf, &bytes) || find(&pdf.to_ascii_lowercase(), hex.as_bytes())
    }

    #[test]
    fn the_invoice_is_in_the_orders_language() {
        let spanish = render(&order("es", OrderStatus::Paid));
        for text in [
            "FACTURA",
            "PAGADO",
            "Facturar a",
            "Precio unitario",
            "Fecha del pedido: 3 dic 2026",
            "1234,56\u{a0}US$",
            "Té verde",
        ] {
            assert!(contains(&spanish, text), "{text} missing from the Spanish invoice");
        }
        assert!(!contains(&spanish, "INVOICE"));
        let english = render(&order("en", OrderStatus::Created));
        for text in ["INVOICE", "PENDING", "Bill to", "Order date: Dec 3, 2026", "$1,234.56"] {
            assert!(contains(&english, text), "{text} missing from the English invoice");
        }
    }

    #[test]
    fn text_is_encoded_for_the_standard_fonts() {
        assert_eq!(win_ansi("José €5 …"), b"Jos\xe9 \x805 \x85".to_vec());
        assert_eq!(win_ansi("日本"), b"??".to_vec());
        assert_eq!(clip("abcdef", 4), "abc…");
    }
}
