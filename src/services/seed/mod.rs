//! The demo catalog: 6 categories, 48 products with images under `public/images/products/`,
//! all of them in Spanish too (`spanish`), and the coupon `WELCOME10`. Idempotent: rows are
//! matched by slug/code and left alone when present, so running it twice changes nothing.

mod orders;
mod spanish;

pub use orders::demo_orders;

use crate::entities::{category, category_translation, coupon, product, product_translation};
use crate::models::lang::Locale;
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
    QuerySelect, Set,
};

/// (name, price in cents, stock, description)
type Item = (&'static str, i64, i32, &'static str);

pub const CATALOG: &[(&str, &str, &[Item])] = &[
    (
        "Coffee",
        "coffee",
        &[
            (
                "Ember House Blend",
                1450,
                40,
                "A round, chocolatey everyday blend of Brazilian and Colombian beans, roasted medium.",
            ),
            (
                "Ethiopia Yirgacheffe",
                1890,
                25,
                "Washed heirloom beans with jasmine, bergamot and lemon-curd notes. Light roast.",
            ),
            (
                "Sumatra Mandheling",
                1720,
                30,
                "Earthy and syrupy with cedar and dark cocoa. Wet-hulled, dark roast.",
            ),
            (
                "Colombia Huila Decaf",
                1590,
                20,
                "Sugarcane-processed decaf that still tastes of caramel and red apple.",
            ),
            ("Kenya AA Nyeri", 2150, 15, "Bright blackcurrant and grapefruit with a juicy, winey body."),
            (
                "Guatemala Antigua",
                1680,
                35,
                "Volcanic-soil beans with toffee, orange zest and a clean finish.",
            ),
            (
                "Espresso Noir",
                1550,
                50,
                "A dense espresso blend built for milk drinks: hazelnut, molasses, low acidity.",
            ),
            (
                "Cold Brew Coarse Grind",
                1390,
                45,
                "Pre-ground coarse for steeping overnight. Smooth, sweet, never bitter.",
            ),
        ],
    ),
    (
        "Tea",
        "tea",
        &[
            (
                "Sencha Asahi",
                1290,
                30,
                "Steamed Japanese green tea with a grassy sweetness and a savoury umami finish.",
            ),
            (
                "Darjeeling First Flush",
                1990,
                12,
                "Spring-picked Himalayan black tea: floral, muscatel and delicate.",
            ),
            ("Earl Grey Crème", 1150, 40, "Ceylon black tea with bergamot oil and a soft vanilla note."),
            (
                "Jasmine Pearls",
                2290,
                18,
                "Hand-rolled green tea pearls scented seven times with fresh jasmine blossoms.",
            ),
            (
                "Rooibos Vanilla Chai",
                990,
                50,
                "Caffeine-free South African rooibos with cinnamon, cardamom and vanilla.",
            ),
            (
                "Oolong Tie Guan Yin",
                2490,
                10,
                "Lightly oxidised Iron Goddess oolong: orchid, cream and sweet pea.",
            ),
            ("Genmaicha", 1090, 35, "Green tea blended with toasted brown rice for a nutty, comforting cup."),
            (
                "Peppermint Leaf",
                850,
                60,
                "Whole organic peppermint leaves: cooling, bright and naturally sweet.",
            ),
        ],
    ),
    (
        "Mugs & Cups",
        "mugs-cups",
        &[
            (
                "Stoneware Mug, Charcoal",
                2400,
                24,
                "A hand-thrown 350 ml mug with a matte charcoal glaze and a thumb rest.",
            ),
            ("Stoneware Mug, Sea Glass", 2400, 24, "The same generous mug in a glossy sea-glass green."),
            (
                "Double-Wall Glass Cup",
                1800,
                30,
                "Borosilicate glass that keeps drinks hot and hands cool. 250 ml.",
            ),
            ("Espresso Cup Pair", 2200, 16, "Two thick-walled 80 ml porcelain cups with saucers."),
            (
                "Travel Tumbler",
                3200,
                20,
                "Vacuum-insulated steel tumbler with a leak-proof slide lid. 470 ml.",
            ),
            ("Matcha Chawan", 3800, 8, "A wide hand-glazed tea bowl for whisking matcha."),
            ("Enamel Camp Mug", 1600, 40, "Speckled enamel-on-steel mug for porches and campfires."),
            ("Latte Bowl", 2600, 12, "A 500 ml footed bowl for café-au-lait mornings."),
        ],
    ),
    (
        "Brewing Gear",
        "brewing-gear",
        &[
            ("Pour-Over Dripper", 2800, 20, "Ceramic cone dripper with spiral ribs for an even extraction."),
            (
                "Gooseneck Kettle",
                6900,
                10,
                "Stovetop kettle with a precise gooseneck spout and a built-in thermometer.",
            ),
            (
                "French Press 8-Cup",
                4200,
                14,
                "Stainless steel double-wall press that keeps coffee hot for an hour.",
            ),
            (
                "Burr Hand Grinder",
                8900,
                9,
                "Conical steel burrs with 40 click settings, from espresso to cold brew.",
            ),
            (
                "AeroPress Style Brewer",
                3900,
                18,
                "A compact immersion-and-pressure brewer for travel and one-cup mornings.",
            ),
            (
                "Glass Teapot with Infuser",
                3400,
                15,
                "A 1 litre heat-proof teapot with a removable steel infuser.",
            ),
            ("Digital Brew Scale", 4900, 12, "Weighs to 0.1 g with a built-in shot timer."),
            ("Paper Filters, 100", 700, 80, "Unbleached paper filters sized for our pour-over dripper."),
        ],
    ),
    (
        "Snacks",
        "snacks",
        &[
            (
                "Almond Biscotti",
                850,
                40,
                "Twice-baked Tuscan biscuits with whole toasted almonds, made for dunking.",
            ),
            ("Dark Chocolate 72%", 650, 60, "Single-origin Peruvian chocolate with red-fruit notes."),
            (
                "Salted Caramel Stroopwafels",
                790,
                45,
                "Thin Dutch waffles sandwiching buttery salted caramel; set one on your mug.",
            ),
            ("Shortbread Tin", 1450, 20, "All-butter Scottish shortbread fingers in a keepsake tin."),
            ("Candied Ginger", 590, 50, "Tender crystallised ginger slices: sweet heat for tea time."),
            ("Hazelnut Praline Bar", 720, 35, "Milk chocolate filled with smooth roasted-hazelnut praline."),
            ("Matcha Cookies", 890, 30, "Crisp butter cookies made with ceremonial-grade matcha."),
            ("Honey Sticks, 20", 550, 70, "Wildflower honey in single-serve sticks for stirring into tea."),
        ],
    ),
    (
        "Apparel & Gifts",
        "apparel-gifts",
        &[
            (
                "Roaster's Canvas Apron",
                4500,
                12,
                "Heavy waxed canvas with leather straps and a pocket for a thermometer.",
            ),
            ("Ember Logo T-Shirt", 2800, 30, "Soft organic cotton tee with our ember-and-leaf logo."),
            ("Knit Beanie", 2200, 25, "Merino-blend beanie in roasted-bean brown."),
            ("Gift Card $25", 2500, 999, "A gift card for anything in the shop, delivered by email."),
            ("Gift Card $50", 5000, 999, "A gift card for anything in the shop, delivered by email."),
            ("Tasting Notebook", 1500, 40, "A pocket notebook with flavour wheels and brew logs."),
            (
                "Coffee Lover's Gift Box",
                6400,
                10,
                "House Blend, a Charcoal mug, biscotti and chocolate, boxed and ribboned.",
            ),
            ("Tea Sampler Box", 3900, 14, "Six of our loose-leaf teas in tins, with tasting cards."),
        ],
    ),
];

pub const WELCOME_COUPON: &str = "WELCOME10";

/// Lower-case ASCII slug from a name in any language: "Tea & Co." → "tea-co",
/// "Té y café" → "te-y-cafe".
pub fn slugify(name: &str) -> String {
    slug::slugify(name)
}

pub fn image_path(product_slug: &str) -> String {
    format!("/images/products/{product_slug}.svg")
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub categories_added: usize,
    pub products_added: usize,
    pub coupons_added: usize,
    pub translations_added: usize,
}

pub async fn seed(db: &DatabaseConnection) -> Result<SeedReport, DbErr> {
    // It reads what exists before it writes: on SQLite that upgrade fails with BUSY if a
    // worker wrote in between, so the transaction takes the write lock first.
    let txn = crate::infra::db::begin_write(db).await?;
    let mut report = SeedReport::default();
    // Distinct creation times, interleaved across categories, so "newest" is stable and
    // the first page shows a bit of everything.
    let base = Utc::now() - Duration::days(60);
    let categories = CATALOG.len() as i64;
    // One query for what exists instead of one per product.
    let existing: std::collections::HashSet<String> = product::Entity::find()
        .select_only()
        .column(product::Column::Slug)
        .into_tuple()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    for (cat_index, (cat_name, cat_slug, items)) in (0i64..).zip(CATALOG) {
        let cat =
            match category::Entity::find().filter(category::Column::Slug.eq(*cat_slug)).one(&txn).await? {
                Some(c) => c,
                None => {
                    report.categories_added += 1;
                    category::ActiveModel {
                        name: Set((*cat_name).into()),
                        slug: Set((*cat_slug).into()),
                        created_at: Set(Utc::now()),
                        ..Default::default()
                    }
                    .insert(&txn)
                    .await?
                }
            };
        for (item_index, (name, price, stock, description)) in (0i64..).zip(items.iter()) {
            let slug = slugify(name);
            if existing.contains(&slug) {
                continue;
            }
            let created = base + Duration::hours((item_index * categories + cat_index) * 7);
            product::ActiveModel {
                category_id: Set(cat.id),
                name: Set((*name).into()),
                image: Set(image_path(&slug)),
                slug: Set(slug),
                description: Set((*description).into()),
                price: Set(*price),
                currency: Set("usd".into()),
                available: Set(true),
                archived: Set(false),
                stock: Set(*stock),
                created_at: Set(created),
                updated_at: Set(created),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            report.products_added += 1;
        }
    }
    report.translations_added = seed_spanish(&txn).await?;
    if report.products_added + report.translations_added > 0 {
        crate::services::search::rebuild(&txn).await?;
    }
    if coupon::Entity::find().filter(coupon::Column::Code.eq(WELCOME_COUPON)).one(&txn).await?.is_none() {
        let now = Utc::now();
        coupon::ActiveModel {
            code: Set(WELCOME_COUPON.into()),
            percent: Set(10),
            valid_from: Set(now),
            valid_to: Set(now + Duration::days(365)),
            active: Set(true),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        report.coupons_added += 1;
    }
    txn.commit().await?;
    Ok(report)
}

/// The Spanish words of the demo catalog, for the demo rows that have none yet.
async fn seed_spanish(txn: &DatabaseTransaction) -> Result<usize, DbErr> {
    let es = Locale::es.tag();
    let mut added = 0;
    for (english, name) in spanish::CATEGORIES {
        let Some((_, slug, _)) = CATALOG.iter().find(|(n, _, _)| n == english) else { continue };
        let Some(c) = category::Entity::find().filter(category::Column::Slug.eq(*slug)).one(txn).await?
        else {
            continue;
        };
        if category_translation::Entity::find_by_id((c.id, es.to_string())).one(txn).await?.is_none() {
            category_translation::ActiveModel {
                category_id: Set(c.id),
                locale: Set(es.into()),
                name: Set((*name).into()),
                slug: Set(slugify(name)),
            }
            .insert(txn)
            .await?;
            added += 1;
        }
    }
    let products: std::collections::HashMap<String, i64> = product::Entity::find()
        .select_only()
        .column(product::Column::Slug)
        .column(product::Column::Id)
        .into_tuple::<(String, i64)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let translated: std::collections::HashSet<i64> = product_translation::Entity::find()
        .filter(product_translation::Column::Locale.eq(es))
        .select_only()
        .column(product_translation::Column::ProductId)
        .into_tuple()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    for (english, name, description) in spanish::PRODUCTS {
        let Some(&id) = products.get(&slugify(english)) else { continue };
        if translated.contains(&id) {
            continue;
        }
        product_translation::ActiveModel {
            product_id: Set(id),
            locale: Set(es.into()),
            name: Set((*name).into()),
            slug: Set(slugify(name)),
            description: Set((*description).into()),
        }
        .insert(txn)
        .await?;
        added += 1;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_makes_url_safe_slugs() {
        assert_eq!(slugify("Earl Grey Crème"), "earl-grey-creme");
        assert_eq!(slugify("Gift Card $25"), "gift-card-25");
        assert_eq!(slugify("Roaster's Canvas Apron"), "roaster-s-canvas-apron");
    }

    #[test]
    fn catalog_has_six_categories_and_unique_slugs() {
        assert!(CATALOG.len() >= 6);
        let slugs: std::collections::HashSet<_> =
            CATALOG.iter().flat_map(|(_, _, items)| items.iter().map(|i| slugify(i.0))).collect();
        assert!(slugs.len() >= 48);
        assert_eq!(slugs.len(), CATALOG.iter().map(|c| c.2.len()).sum::<usize>());
    }

    #[test]
    fn every_product_has_an_image_file() {
        for (_, _, items) in CATALOG {
            for item in items.iter() {
                let path = format!("public{}", image_path(&slugify(item.0)));
                assert!(std::path::Path::new(&path).exists(), "missing {path}");
            }
        }
    }

    #[test]
    fn every_demo_product_keeps_its_slug_and_image() {
        // Existing shops matched their demo rows by these slugs: they must never change.
        for (_, _, items) in CATALOG {
            for (name, ..) in items.iter() {
                let image = format!("public{}", image_path(&slugify(name)));
                assert!(std::path::Path::new(&image).exists(), "{name}: no {image}");
            }
        }
    }

    #[test]
    fn every_demo_row_has_spanish_words_with_distinct_slugs() {
        let names: Vec<&str> = CATALOG.iter().flat_map(|(_, _, items)| items.iter().map(|i| i.0)).collect();
        for name in &names {
            assert!(spanish::PRODUCTS.iter().any(|(en, _, _)| en == name), "{name} has no Spanish words");
        }
        for (cat, _, _) in CATALOG {
            assert!(spanish::CATEGORIES.iter().any(|(en, _)| en == cat), "{cat} has no Spanish name");
        }
        assert_eq!(spanish::PRODUCTS.len(), names.len());
        assert_eq!(slugify("Té y café"), "te-y-cafe");
        assert_eq!(slugify("Chocolate negro 72 %"), "chocolate-negro-72");
        let slugs: std::collections::HashSet<String> =
            spanish::CATEGORIES.iter().map(|(_, es)| slugify(es)).collect();
        assert_eq!(slugs.len(), spanish::CATEGORIES.len());
    }
}
