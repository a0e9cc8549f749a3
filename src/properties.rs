//! Property tests of the invariants every stage promises, on generated input: the reader and
//! the registry parser never panic, whatever the bytes; sentences tile the text; every
//! mention found is placed in a sentence, and its span slices the text on character
//! boundaries, inside that sentence.

use std::io::Write;

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use crate::actors::Registry;
use crate::annotate::References;
use crate::annotate::{Voice, VoiceAnnotator, VoiceChoice};
use crate::corpus::{CorpusError, FieldMap, Format, Reader, Record};
use crate::score::prepare::prepare;
use crate::score::prepare::Finder;
use crate::text::split_sentences;

const REGISTRY: &str = "id,name,aliases,camp,kind\n\
    boluarte,Dina Boluarte,President Boluarte|la presidenta,government,person\n\
    castillo,Pedro Castillo,Castillo,opposition,person\n\
    petro,Gustavo Petro,Petro,foreign,person\n\
    congress,Congress of Peru,Congress|el Congreso,government,organization\n";

/// Text that news scrapes produce: names (some possessive, some in capitals), punctuation,
/// quotes, abbreviations, accents, emoji, odd white space and control characters.
fn newsy_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "Dina Boluarte",
        "Boluarte's",
        "BOLUARTE",
        "President Boluarte",
        "Pedro Castillo",
        "Castillo",
        "Petro",
        "Petro-led",
        "el Congreso",
        "Congress",
        "Mr.",
        "U.S.",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\t",
        ".",
        "!",
        "?",
        "...",
        "\"",
        "“",
        "”",
        "'",
        "’",
        "(",
        ")",
        ",",
        "—",
        "said",
        " said ",
        "according to",
        "According to",
        " told reporters ",
        ":",
        "''",
        ";",
        "Critics say ",
        " he said.",
        "who",
        "poll",
        "percent",
        "ñandú",
        "é",
        "\u{301}",
        "🙂",
        "\u{0}",
        "\u{feff}",
        "a",
        "the",
        "of",
        "3.5",
    ]);
    prop::collection::vec(
        prop_oneof![pieces.prop_map(str::to_string), any::<String>()],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

fn registry() -> Registry {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(REGISTRY.as_bytes()).expect("write");
    Registry::load(&[file.path().to_path_buf()]).expect("registry")
}

fn read_all(bytes: &[u8], suffix: &str, format: Format) -> Vec<Record> {
    read_results(bytes, suffix, format)
        .into_iter()
        .filter_map(Result::ok)
        .collect()
}

fn read_results(bytes: &[u8], suffix: &str, format: Format) -> Vec<Result<Record, CorpusError>> {
    let mut file = tempfile::Builder::new()
        .suffix(suffix)
        .tempfile()
        .expect("temp file");
    file.write_all(bytes).expect("write");
    Reader::new(
        vec![(file.path().to_path_buf(), format)],
        FieldMap::default(),
    )
    .collect()
}

/// The same cases on every run, so CI is never red by chance; `PROPTEST_RNG_SEED=N` explores
/// others (scripts/fuzz is the open-ended search).
fn reproducible() -> ProptestConfig {
    let mut config = ProptestConfig::with_cases(256);
    if config.rng_seed == RngSeed::Random {
        config.rng_seed = RngSeed::Fixed(SEED);
    }
    config.failure_persistence = None;
    config
}

const SEED: u64 = 0x5eed_51a7;

proptest! {
    #![proptest_config(reproducible())]

    #[test]
    fn sentences_tile_the_text(text in newsy_text()) {
        let sentences = split_sentences(&text);
        let mut at = 0;
        for s in &sentences {
            prop_assert!(at <= s.start && s.start < s.end && s.end <= text.len(), "{s:?} after {at}");
            prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            // Between sentences only white space.
            prop_assert!(text[at..s.start].chars().all(char::is_whitespace), "{:?}", &text[at..s.start]);
            at = s.end;
        }
        prop_assert!(text[at..].chars().all(char::is_whitespace));
    }

    #[test]
    fn mention_spans_slice_the_text_inside_their_sentence(text in newsy_text()) {
        let registry = registry();
        let finder = Finder::new(&registry, References::Names).expect("finder");
        for m in finder.matcher.find(&text) {
            prop_assert!(text.get(m.span.clone()).is_some_and(|s| !s.is_empty()), "{:?}", m.span);
        }
        let article = crate::corpus::Article::of_text("a", text.clone(), "f");
        let annotated = prepare(&article, &crate::text::EnglishRules, &finder, &[]);
        // Every mention found is placed in a sentence: none is lost.
        prop_assert_eq!(annotated.mentions.len(), finder.matcher.find(&text).len());
        for m in &annotated.mentions {
            let sentence = &annotated.sentences[m.sentence];
            prop_assert!(sentence.start <= m.span.start && m.span.end <= sentence.end);
        }
    }

    #[test]
    fn the_voice_stage_never_panics_and_its_spans_slice_the_text(text in newsy_text()) {
        let registry = registry();
        let finder = Finder::new(&registry, References::Names).expect("finder");
        let article = crate::corpus::Article::of_text("a", text.clone(), "f");
        let kinds: Vec<_> = registry.actors.iter().map(|a| a.kind).collect();
        for choice in [VoiceChoice::Tagger, VoiceChoice::Learned, VoiceChoice::Rules] {
            let voice = VoiceAnnotator::new(kinds.clone(), choice.method().expect("method"));
            let annotated = prepare(&article, &crate::text::EnglishRules, &finder, &[&voice]);
            prop_assert_eq!(annotated.mentions.len(), finder.matcher.find(&text).len());
            for (a, speaker) in voice.attributions(&article, &annotated) {
                for span in a.content.iter().chain(&a.cue).chain(&a.source) {
                    prop_assert!(span.start <= span.end && text.get(span.clone()).is_some(), "{:?}", span);
                }
                prop_assert!(!speaker.text.is_empty());
            }
            for m in &annotated.mentions {
                prop_assert_eq!(m.voice == Voice::Own, m.speaker.is_none());
            }
        }
    }

    #[test]
    fn the_jsonl_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400),
                                     text in newsy_text()) {
        let mut input = bytes;
        input.extend(format!("\n{}\n", serde_json::json!({"id": "x", "outlet": "o", "text": text})).as_bytes());
        let results = read_results(&input, ".jsonl", Format::Jsonl);
        // The well-formed line after the noise is still read (as an article or a reject),
        // unless the noise makes the whole file unreadable (a UTF-16 byte-order mark, a gzip
        // header), which is one error naming the file.
        match results.as_slice() {
            [Err(CorpusError::Encoding { .. })] => {}
            results => prop_assert!(results.iter().any(Result::is_ok), "{results:?}"),
        }
    }

    #[test]
    fn the_csv_reader_never_panics(rows in prop::collection::vec(newsy_text(), 0..8)) {
        let input = format!("id,outlet,text\n{}", rows.join("\n"));
        read_all(input.as_bytes(), ".csv", Format::Csv);
    }

    #[test]
    fn the_registry_parser_never_panics(body in newsy_text()) {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(format!("id,name,aliases,camp,kind\n{body}").as_bytes()).expect("write");
        let _ = Registry::load(&[file.path().to_path_buf()]);
    }
}
