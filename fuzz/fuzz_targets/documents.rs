//! Documents drawn from what shoppers typed: the back office's CSV export and the
//! invoice PDF. Input: fields separated by NUL bytes. A CSV cell never starts a formula
//! and reads back as written; an invoice is always a complete PDF.
#![no_main]
use fullstack_ws::models::order::{Order, OrderLine, OrderStatus, Shipping};
use fullstack_ws::models::Money;
use fullstack_ws::services::admin::orders::cell;
use fullstack_ws::services::invoice;
use libfuzzer_sys::fuzz_target;

fn usd(amount: i64) -> Money {
    Money { amount, currency: "usd".into() }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let fields: Vec<&str> = text.split('\0').collect();
    let field = |i: usize| fields.get(i % fields.len()).copied().unwrap_or_default().to_owned();

    let cells: Vec<String> = fields.iter().map(|f| cell(f).into_owned()).collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&cells).unwrap();
    let bytes = out.into_inner().unwrap();
    let mut back = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
    let record = back.records().next().expect("one row").expect("valid CSV");
    for (written, read) in cells.iter().zip(record.iter()) {
        assert_eq!(written, read);
        assert!(!read.starts_with(['=', '+', '-', '@']), "a formula: {read:?}");
    }

    let amount = data.iter().fold(0i64, |a, b| a.wrapping_mul(31).wrapping_add(i64::from(*b))) % 100_000_000;
    let lines = (0..fields.len().min(40))
        .map(|i| OrderLine {
            product_id: i as i64,
            name: field(i),
            unit_price: usd(amount.abs()),
            quantity: (i as i32 % 5) + 1,
            line_total: usd(amount.abs() * ((i as i64 % 5) + 1)),
        })
        .collect();
    let order = Order {
        id: amount,
        status: OrderStatus::Paid,
        created_at: field(1),
        shipping: Shipping {
            first_name: field(2),
            last_name: field(3),
            email: field(4),
            address: field(5),
            postal_code: field(6),
            city: field(7),
        },
        lines,
        subtotal: usd(amount),
        coupon_code: Some(field(8)),
        coupon_percent: Some((amount % 101) as i32),
        discount: usd(-amount),
        total: usd(amount),
        paid_at: Some(field(9)),
        locale: field(10),
    };
    let pdf = invoice::render(&order);
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
});
