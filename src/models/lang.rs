//! The shop's two languages: which one a page is in (its path: Spanish lives under `/es`),
//! the same page in the other language, and the choice a REST client asks for.

pub use super::i18n::Locale;
use leptos_i18n::Locale as _;

/// The path prefix of the Spanish pages.
const SPANISH_PREFIX: &str = "/es";

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::en, Locale::es];

    /// The BCP 47 tag: `en`, `es` (`<html lang>`, `hreflang`, `Content-Language`).
    pub fn tag(self) -> &'static str {
        self.as_str()
    }

    /// The language a page path is in.
    pub fn of_path(path: &str) -> Self {
        match path.strip_prefix(SPANISH_PREFIX) {
            Some("") => Locale::es,
            Some(rest) if rest.starts_with('/') => Locale::es,
            _ => Locale::en,
        }
    }

    /// A language by its tag (`en`, `es`, `es-MX`, case-insensitive); `None` for others.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.trim();
        Self::ALL.into_iter().find(|l| l.tag().eq_ignore_ascii_case(primary))
    }

    /// The page at `path` (an English, unprefixed path) in this language.
    pub fn localize(self, path: &str) -> String {
        match self {
            Locale::en => path.to_string(),
            Locale::es if path == "/" || path.is_empty() => format!("{SPANISH_PREFIX}/"),
            Locale::es => format!("{SPANISH_PREFIX}{path}"),
        }
    }

    /// The other language (the header's switcher offers it).
    pub fn other(self) -> Self {
        match self {
            Locale::en => Locale::es,
            Locale::es => Locale::en,
        }
    }

    /// A date (`YYYY-MM-DD…`, as RFC 3339 starts) in the language's medium form, as CLDR
    /// writes it: `Dec 3, 2026`, `3 dic 2026`. Anything else is shown as it is.
    pub fn date(self, rfc3339: &str) -> String {
        let number = |range: std::ops::Range<usize>| rfc3339.get(range).and_then(|s| s.parse::<u32>().ok());
        match (number(0..4), number(5..7), number(8..10)) {
            (Some(year), Some(month @ 1..=12), Some(day)) => {
                let month = self.month(month);
                super::i18n::td_string!(self, date.medium, month = month, day = day, year = year).to_string()
            }
            _ => rfc3339.to_string(),
        }
    }

    /// A month's abbreviation (1 = January).
    fn month(self, month: u32) -> &'static str {
        use super::i18n::td_string;
        match month {
            1 => td_string!(self, months.jan),
            2 => td_string!(self, months.feb),
            3 => td_string!(self, months.mar),
            4 => td_string!(self, months.apr),
            5 => td_string!(self, months.may),
            6 => td_string!(self, months.jun),
            7 => td_string!(self, months.jul),
            8 => td_string!(self, months.aug),
            9 => td_string!(self, months.sep),
            10 => td_string!(self, months.oct),
            11 => td_string!(self, months.nov),
            _ => td_string!(self, months.dec),
        }
    }

    /// The language's name in English, as the (English-only) back office shows it.
    pub fn english_name(self) -> &'static str {
        match self {
            Locale::en => "English",
            Locale::es => "Spanish",
        }
    }

    /// The languages translations are written in: every one but English.
    pub fn translated() -> impl Iterator<Item = Locale> {
        Self::ALL.into_iter().filter(|l| *l != Locale::en)
    }

    /// The language's own name, as the switcher shows it.
    pub fn endonym(self) -> &'static str {
        match self {
            Locale::en => "English",
            Locale::es => "Español",
        }
    }
}

/// A page path without its language prefix: `/es/cart` → `/cart`, `/es` → `/`.
pub fn unlocalized(path: &str) -> &str {
    match Locale::of_path(path) {
        Locale::en => path,
        Locale::es => match &path[SPANISH_PREFIX.len()..] {
            "" => "/",
            rest => rest,
        },
    }
}

/// Whether the page at `path` exists in both languages (the back office and the
/// development pages are in English only).
pub fn is_translated(path: &str) -> bool {
    let path = unlocalized(path);
    !["/admin", "/dev"]
        .iter()
        .any(|p| path.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
}

/// The preferred language of an `Accept-Language` header, `None` when it names neither.
pub fn negotiate(accept_language: &str) -> Option<Locale> {
    let mut best: Option<(f32, Locale)> = None;
    for item in accept_language.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map(|q| q.trim().parse::<f32>().unwrap_or(0.0))
            .unwrap_or(1.0);
        if let Some(locale) = Locale::from_tag(tag) {
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, locale));
            }
        }
    }
    best.map(|(_, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_path_says_its_language() {
        assert_eq!(Locale::of_path("/"), Locale::en);
        assert_eq!(Locale::of_path("/es"), Locale::es);
        assert_eq!(Locale::of_path("/es/"), Locale::es);
        assert_eq!(Locale::of_path("/es/product/3/te-verde"), Locale::es);
        assert_eq!(Locale::of_path("/espresso"), Locale::en, "a prefix is a whole segment");
        assert_eq!(unlocalized("/es/cart"), "/cart");
        assert_eq!(unlocalized("/es"), "/");
        assert_eq!(unlocalized("/cart"), "/cart");
        assert_eq!(Locale::es.localize("/"), "/es/");
        assert_eq!(Locale::es.localize("/cart"), "/es/cart");
        assert_eq!(Locale::en.localize("/cart"), "/cart");
        assert!(is_translated("/cart") && is_translated("/es/") && is_translated("/administrator-guide"));
        assert!(!is_translated("/admin") && !is_translated("/admin/orders") && !is_translated("/dev/mail"));
    }

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        assert_eq!(Locale::en.date("2026-12-03T08:00:00+00:00"), "Dec 3, 2026");
        assert_eq!(Locale::es.date("2026-12-03T08:00:00+00:00"), "3 dic 2026");
        assert_eq!(Locale::es.date("2026-09-30"), "30 sept 2026");
        assert_eq!(Locale::en.date("not a date"), "not a date");
        assert_eq!(Locale::en.date("2026-13-01"), "2026-13-01");
    }

    #[test]
    fn accept_language_picks_the_best_known_language() {
        assert_eq!(negotiate("es-ES,es;q=0.9,en;q=0.8"), Some(Locale::es));
        assert_eq!(negotiate("fr-FR, en;q=0.5, es;q=0.7"), Some(Locale::es));
        assert_eq!(negotiate("fr, de"), None, "neither");
        assert_eq!(negotiate("es;q=0, en"), Some(Locale::en), "q=0 means not wanted");
        assert_eq!(negotiate("es;q=0"), None);
        assert_eq!(negotiate(""), None);
        assert_eq!(negotiate("ES-mx"), Some(Locale::es));
    }
}
