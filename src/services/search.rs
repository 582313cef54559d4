//! Full-text search of the catalog in the shopper's language, on both databases.
//!
//! The index (`product_search`, migration 000014) has one row per product and language:
//! that language's name and description (the translation, else English), folded to
//! lower-case ASCII so "creme" finds "Crème". [`reindex`] rewrites a product's rows
//! whenever its words change; [`ensure_index`] fills the index when it is behind (a new
//! database, a migrated one).
//!
//! A search gives a subquery of `(product_id, rank)` — higher rank first — that the
//! catalog joins to its listing, so filters, sort and pagination stay in one query:
//! - exact: PostgreSQL `tsvector` in the row's language (Snowball stemming, name weighted
//!   above description); SQLite FTS5 over words the shop stems with the same Snowball
//!   stemmers, ranked by bm25 with the name weighted above the description.
//! - similar, when nothing matches exactly (a typo): each word is replaced by the closest
//!   word of the language's vocabulary (`search_words`), by trigram similarity on
//!   PostgreSQL (`pg_trgm`, indexed) and by edit distance on SQLite, and the corrected
//!   words are searched exactly.

use crate::entities::{product, product_translation};
use crate::models::lang::Locale;
use sea_orm::sea_query::{Alias, Expr, IntoIden, OnConflict, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, DeriveIden, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter,
};
use std::collections::HashMap;

/// Each language's words (folded, not stemmed), for correcting typos.
#[derive(DeriveIden)]
enum SearchWords {
    Table,
    Locale,
    Word,
}

/// The index table and the columns of a search's subquery.
#[derive(DeriveIden)]
enum ProductSearch {
    Table,
    ProductId,
    Locale,
    Name,
    Description,
    Rank,
}

/// The alias a listing joins a search's subquery under, and its rank column.
pub(crate) fn hits_alias() -> Alias {
    Alias::new("hits")
}

pub(crate) fn rank_column() -> Expr {
    Expr::col((hits_alias(), ProductSearch::Rank))
}

pub(crate) fn product_id_column() -> Expr {
    Expr::col((hits_alias(), ProductSearch::ProductId))
}

/// Whether the last word of a search may be unfinished (suggestions as the shopper types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Words,
    Prefix,
}

/// At most this many words of a search count (the query is at most 100 characters).
const MAX_WORDS: usize = 12;

/// The folded words of a text: lower-case ASCII letters and digits ("Té verde" → te, verde).
pub fn words(text: &str) -> Vec<String> {
    deunicode::deunicode(text)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn stemmer(locale: Locale) -> rust_stemmers::Stemmer {
    rust_stemmers::Stemmer::create(match locale {
        Locale::en => rust_stemmers::Algorithm::English,
        Locale::es => rust_stemmers::Algorithm::Spanish,
    })
}

/// The stems of a text's words in `locale`, as SQLite's index stores them.
pub fn stems(locale: Locale, text: &str) -> Vec<String> {
    let stemmer = stemmer(locale);
    words(text).iter().map(|w| stemmer.stem(w).into_owned()).collect()
}

/// PostgreSQL's text-search configuration for `locale` (a constant, never user input).
fn pg_config(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "english",
        Locale::es => "spanish",
    }
}

/// A product's searchable words in one language.
struct Entry {
    product_id: i64,
    locale: Locale,
    name: String,
    description: String,
}

impl Entry {
    /// The row as stored: stems on SQLite (FTS5 has no Spanish stemmer), folded words on
    /// PostgreSQL (which stems them itself, in the row's language).
    fn stored(&self, backend: DatabaseBackend) -> (String, String) {
        let text = |t: &str| match backend {
            DatabaseBackend::Sqlite => stems(self.locale, t).join(" "),
            _ => words(t).join(" "),
        };
        (text(&self.name), text(&self.description))
    }
}

/// Rewrites the index rows of these products (every language), or removes them for
/// products that no longer exist. Call it in the transaction that changes their words.
pub async fn reindex(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    let products = product::Entity::find().filter(product::Column::Id.is_in(ids.to_vec())).all(conn).await?;
    let translations = product_translation::Entity::find()
        .filter(product_translation::Column::ProductId.is_in(ids.to_vec()))
        .all(conn)
        .await?;
    let delete = Query::delete()
        .from_table(ProductSearch::Table)
        .and_where(Expr::col(ProductSearch::ProductId).is_in(ids.to_vec()))
        .to_owned();
    conn.execute(conn.get_database_backend().build(&delete)).await?;
    write(conn, entries(products, translations)).await
}

/// Rebuilds the whole index.
pub async fn rebuild(conn: &impl ConnectionTrait) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    for table in [ProductSearch::Table.into_iden(), SearchWords::Table.into_iden()] {
        conn.execute(backend.build(&Query::delete().from_table(table).to_owned())).await?;
    }
    let products = product::Entity::find().all(conn).await?;
    let translations = product_translation::Entity::find().all(conn).await?;
    write(conn, entries(products, translations)).await
}

/// Fills the index when it does not hold a row per product and language (a database
/// created or migrated since the last start). Cheap when it is complete: two counts.
pub async fn ensure_index(conn: &impl ConnectionTrait) -> Result<bool, DbErr> {
    #[derive(FromQueryResult)]
    struct Count {
        rows: i64,
    }
    let count = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("rows"))
        .from(ProductSearch::Table)
        .to_owned();
    let backend = conn.get_database_backend();
    let indexed = Count::find_by_statement(backend.build(&count)).one(conn).await?.map_or(0, |c| c.rows);
    let products = product::Entity::find().count(conn).await?;
    if indexed as u64 == products * Locale::ALL.len() as u64 {
        return Ok(false);
    }
    rebuild(conn).await?;
    tracing::info!(products, "search index rebuilt");
    Ok(true)
}

fn entries(products: Vec<product::Model>, translations: Vec<product_translation::Model>) -> Vec<Entry> {
    let mut translated: HashMap<(i64, String), product_translation::Model> =
        translations.into_iter().map(|t| ((t.product_id, t.locale.clone()), t)).collect();
    let mut out = Vec::with_capacity(products.len() * Locale::ALL.len());
    for p in products {
        for locale in Locale::ALL {
            let (name, description) = match translated.remove(&(p.id, locale.tag().to_owned())) {
                Some(t) if locale != Locale::en => (t.name, t.description),
                _ => (p.name.clone(), p.description.clone()),
            };
            out.push(Entry { product_id: p.id, locale, name, description });
        }
    }
    out
}

async fn write(conn: &impl ConnectionTrait, entries: Vec<Entry>) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    for chunk in entries.chunks(200) {
        let mut insert = Query::insert();
        insert.into_table(ProductSearch::Table).columns([
            ProductSearch::ProductId,
            ProductSearch::Locale,
            ProductSearch::Name,
            ProductSearch::Description,
        ]);
        for entry in chunk {
            let (name, description) = entry.stored(backend);
            insert.values_panic([
                entry.product_id.into(),
                entry.locale.tag().into(),
                name.into(),
                description.into(),
            ]);
        }
        conn.execute(backend.build(&insert)).await?;
    }
    // New words join the vocabulary; a word no product uses any more stays until the next
    // rebuild (a correction to it finds nothing, as the typo alone would).
    let vocabulary: std::collections::BTreeSet<(&'static str, String)> = entries
        .iter()
        .flat_map(|e| words(&e.name).into_iter().chain(words(&e.description)).map(|w| (e.locale.tag(), w)))
        .collect();
    let vocabulary: Vec<_> = vocabulary.into_iter().collect();
    for chunk in vocabulary.chunks(500) {
        let mut insert = Query::insert();
        insert.into_table(SearchWords::Table).columns([SearchWords::Locale, SearchWords::Word]).on_conflict(
            OnConflict::columns([SearchWords::Locale, SearchWords::Word]).do_nothing().to_owned(),
        );
        for (locale, word) in chunk {
            insert.values_panic([(*locale).into(), word.clone().into()]);
        }
        conn.execute(backend.build(&insert)).await?;
    }
    Ok(())
}

/// The products whose words match `text` in `locale`, as `(product_id, rank)`; `None`
/// when the text has no words to search for.
pub(crate) fn exact(
    backend: DatabaseBackend,
    locale: Locale,
    text: &str,
    mode: Mode,
) -> Option<SelectStatement> {
    let mut select = Query::select();
    select
        .column(ProductSearch::ProductId)
        .from(ProductSearch::Table)
        .and_where(Expr::col(ProductSearch::Locale).eq(locale.tag()));
    match backend {
        DatabaseBackend::Postgres => {
            let words: Vec<String> = words(text).into_iter().take(MAX_WORDS).collect();
            let last = words.len().checked_sub(1)?;
            let query = words
                .iter()
                .enumerate()
                .map(|(i, w)| if i == last && mode == Mode::Prefix { format!("{w}:*") } else { w.clone() })
                .collect::<Vec<_>>()
                .join(" & ");
            let tsquery = format!("to_tsquery('{}', $1)", pg_config(locale));
            // Weights {D, C, B, A}: a name (A) counts five times a description (B).
            select
                .expr_as(
                    Expr::cust_with_values(
                        format!("ts_rank('{{0.05, 0.1, 0.2, 1.0}}', document, {tsquery})"),
                        [query.clone()],
                    ),
                    ProductSearch::Rank,
                )
                .and_where(Expr::cust_with_values(format!("document @@ {tsquery}"), [query]));
        }
        _ => {
            let stems: Vec<String> = stems(locale, text).into_iter().take(MAX_WORDS).collect();
            let last = stems.len().checked_sub(1)?;
            let expression =
                stems
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        if i == last && mode == Mode::Prefix {
                            format!("\"{s}\"*")
                        } else {
                            format!("\"{s}\"")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
            sqlite_match(&mut select, expression);
        }
    }
    Some(select)
}

/// FTS5 ranks by bm25 (lower is better, so it is negated), a name word counting ten
/// times a description word.
fn sqlite_match(select: &mut SelectStatement, expression: String) {
    select
        .expr_as(Expr::cust("-bm25(product_search, 10.0, 1.0)"), ProductSearch::Rank)
        .and_where(Expr::cust_with_values("product_search MATCH ?", [expression]));
}

/// The products whose words are close to `text` (typos), for when nothing matches
/// exactly: its words corrected to the language's closest ones, searched exactly. `None`
/// when no word needed correcting or one has nothing close.
pub(crate) async fn similar(
    conn: &impl ConnectionTrait,
    locale: Locale,
    text: &str,
) -> Result<Option<SelectStatement>, DbErr> {
    let typed: Vec<String> = words(text).into_iter().take(MAX_WORDS).collect();
    if typed.is_empty() {
        return Ok(None);
    }
    let backend = conn.get_database_backend();
    let mut corrected = Vec::with_capacity(typed.len());
    match backend {
        DatabaseBackend::Postgres => {
            for word in &typed {
                // `%` is trigram similarity above pg_trgm's threshold (0.3), served by the
                // trigram index; `<->` is its distance, so the word itself comes first.
                let closest = Query::select()
                    .column(SearchWords::Word)
                    .from(SearchWords::Table)
                    .and_where(Expr::col(SearchWords::Locale).eq(locale.tag()))
                    .and_where(Expr::cust_with_values("word % $1", [word.clone()]))
                    .order_by_expr(Expr::cust_with_values("word <-> $1", [word.clone()]), sea_orm::Order::Asc)
                    .limit(1)
                    .to_owned();
                match Word::find_by_statement(backend.build(&closest)).one(conn).await? {
                    Some(w) => corrected.push(w.word),
                    None => return Ok(None),
                }
            }
        }
        _ => {
            let shortest = typed.iter().map(String::len).min().unwrap_or(0).saturating_sub(2);
            let longest = typed.iter().map(String::len).max().unwrap_or(0) + 2;
            let candidates = Query::select()
                .column(SearchWords::Word)
                .from(SearchWords::Table)
                .and_where(Expr::col(SearchWords::Locale).eq(locale.tag()))
                .and_where(Expr::cust_with_values(
                    "length(word) BETWEEN ? AND ?",
                    [shortest as i64, longest as i64],
                ))
                .to_owned();
            let vocabulary: Vec<String> = Word::find_by_statement(backend.build(&candidates))
                .all(conn)
                .await?
                .into_iter()
                .map(|w| w.word)
                .collect();
            for word in &typed {
                match nearest(word, &vocabulary) {
                    Some(w) => corrected.push(w),
                    None => return Ok(None),
                }
            }
        }
    }
    if corrected == typed {
        return Ok(None);
    }
    Ok(exact(backend, locale, &corrected.join(" "), Mode::Words))
}

#[derive(FromQueryResult)]
struct Word {
    word: String,
}

/// The word a typo most likely meant: within edit distance 1 (2 from six letters), the
/// closest (the first in order among equals). `None` when no word is that close.
fn nearest(typed: &str, vocabulary: &[String]) -> Option<String> {
    let allowed = if typed.len() >= 6 { 2 } else { 1 };
    vocabulary
        .iter()
        .map(|word| (strsim::damerau_levenshtein(typed, word), word))
        .filter(|(distance, _)| *distance <= allowed)
        .min()
        .map(|(_, word)| word.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_and_split() {
        assert_eq!(words("Té verde & Crème-Brûlée, 250g"), ["te", "verde", "creme", "brulee", "250g"]);
        assert!(words(" -- ").is_empty());
    }

    #[test]
    fn stems_follow_the_language() {
        assert_eq!(stems(Locale::en, "Teas brewing"), ["tea", "brew"]);
        assert_eq!(stems(Locale::es, "tazas"), stems(Locale::es, "taza"));
    }

    #[test]
    fn typos_find_the_nearest_word() {
        let vocabulary: Vec<String> =
            ["coffee", "cone", "tea", "kettle", "espresso"].iter().map(|w| w.to_string()).collect();
        assert_eq!(nearest("cofee", &vocabulary).as_deref(), Some("coffee"));
        assert_eq!(nearest("ketle", &vocabulary).as_deref(), Some("kettle"));
        assert_eq!(nearest("espreso", &vocabulary).as_deref(), Some("espresso"));
        assert_eq!(nearest("tea", &vocabulary).as_deref(), Some("tea"), "a known word is itself");
        assert_eq!(nearest("xyz", &vocabulary), None);
    }

    #[test]
    fn searches_without_words_search_nothing() {
        assert!(exact(DatabaseBackend::Sqlite, Locale::en, "  --  ", Mode::Words).is_none());
        assert!(exact(DatabaseBackend::Postgres, Locale::en, "!!", Mode::Prefix).is_none());
    }
}
