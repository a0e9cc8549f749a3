#![no_main]
//! Sentence splitting and mention finding on arbitrary text: sentences are ordered, on
//! character boundaries, with only white space between them; every mention slices the text.
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use slant::actors::{Matcher, Registry};
use slant::text::split_sentences;

#[path = "common.rs"]
mod common;

const REGISTRY: &str = "id,name,aliases,camp,kind\n\
    boluarte,Dina Boluarte,President Boluarte|la presidenta,government,person\n\
    castillo,Pedro Castillo,Castillo,opposition,person\n\
    congress,Congress of Peru,Congress|el Congreso,government,organization\n";

fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| {
        let registry = Registry::load(&[common::file("registry.csv", REGISTRY.as_bytes())])
            .expect("registry");
        Matcher::new(&registry).expect("matcher")
    })
}

fuzz_target!(|text: &str| {
    let mut at = 0;
    for s in split_sentences(text) {
        assert!(at <= s.start && s.start < s.end && s.end <= text.len());
        assert!(text[at..s.start].chars().all(char::is_whitespace));
        at = s.end;
    }
    for m in matcher().find(text) {
        assert!(text.get(m.span.clone()).is_some_and(|s| !s.is_empty()));
    }
});
