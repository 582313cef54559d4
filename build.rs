//! Generates the `i18n` module from the message catalogues in `src/locales/` (leptos_i18n),
//! and refuses to build when the catalogues do not have exactly the same keys: a message
//! missing in one language is a build error, not a silent English fallback.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::{collections::BTreeSet, path::PathBuf};

const LOCALES: [&str; 2] = ["en", "es"];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let keys: Vec<BTreeSet<String>> = LOCALES.iter().map(|l| keys_of(l)).collect();
    for (locale, own) in LOCALES.iter().zip(&keys) {
        for (other, theirs) in LOCALES.iter().zip(&keys) {
            let missing: Vec<_> = theirs.difference(own).collect();
            if !missing.is_empty() {
                panic!("src/locales/{locale}.json lacks keys that {other}.json has: {missing:?}");
            }
        }
    }

    let config = Config::new(LOCALES[0])
        .and_then(|c| c.add_locales(&LOCALES[1..]))
        .expect("locale names")
        .locales_path("src/locales")
        // Interpolated messages as plain strings too (titles, attributes, mails).
        .parse_options(ParseOptions::default().interpolate_display(true));
    let infos = TranslationsInfos::parse(config).expect("message catalogues parse");
    infos.rerun_if_locales_changed();
    infos.emit_diagnostics();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    infos.generate_i18n_module(out.join("i18n")).expect("i18n module written");
}

/// Every key path of a catalogue (`cart.title`), plural forms included.
fn keys_of(locale: &str) -> BTreeSet<String> {
    let path = format!("src/locales/{locale}.json");
    println!("cargo::rerun-if-changed={path}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut keys = BTreeSet::new();
    collect(&json, String::new(), &mut keys);
    keys
}

fn collect(value: &serde_json::Value, prefix: String, keys: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                collect(v, path, keys);
            }
        }
        _ => {
            keys.insert(prefix);
        }
    }
}
