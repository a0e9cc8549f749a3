//! Target marking: word-piece alignment of byte spans, markers, windows.

use crate::common;
use slant::stance::arch::bert;

use slant::stance::encoding::{Pooling, TargetEncoder, TargetMarking};
use slant::stance::StanceError;

fn marked(max_length: usize) -> TargetEncoder {
    TargetEncoder::new(
        common::tokenizer(),
        bert::special_tokens(),
        TargetMarking {
            markers: Some(("[unused0]".into(), "[unused1]".into())),
            pooling: Pooling::MentionMean,
            max_length,
        },
    )
    .unwrap()
}

fn unmarked() -> TargetEncoder {
    TargetEncoder::new(
        common::tokenizer(),
        bert::special_tokens(),
        TargetMarking {
            markers: None,
            pooling: Pooling::MentionMean,
            max_length: 64,
        },
    )
    .unwrap()
}

fn span(text: &str, needle: &str) -> std::ops::Range<usize> {
    let start = text.find(needle).unwrap();
    start..start + needle.len()
}

/// The word pieces between the markers, as strings.
fn between_markers(encoder: &TargetEncoder, text: &str, mention: &str) -> Vec<String> {
    let tokenizer = common::tokenizer();
    let inputs = encoder.encode(text, &[span(text, mention)]).unwrap();
    assert_eq!(inputs.len(), 1);
    let input = &inputs[0];
    let (_, range) = &input.targets[0];
    let start = tokenizer.token_to_id("[unused0]").unwrap();
    let end = tokenizer.token_to_id("[unused1]").unwrap();
    assert_eq!(
        input.ids[range.start], start,
        "pooled range starts at the start marker"
    );
    assert_eq!(
        input.ids[range.end - 1],
        end,
        "pooled range ends at the end marker"
    );
    assert_eq!(input.ids[0], tokenizer.token_to_id("[CLS]").unwrap());
    assert_eq!(
        *input.ids.last().unwrap(),
        tokenizer.token_to_id("[SEP]").unwrap()
    );
    input.ids[range.start + 1..range.end - 1]
        .iter()
        .map(|id| tokenizer.id_to_token(*id).unwrap())
        .collect()
}

fn multibyte_and_accented_mentions_align() {
    let e = marked(64);
    let text = "Critics said Pérez failed, and Boluarte’s government condemned María.";
    assert_eq!(between_markers(&e, text, "Pérez"), ["perez"]);
    assert_eq!(between_markers(&e, text, "María"), ["maria"]);
}

fn possessives_and_curly_quotes() {
    let e = marked(64);
    let text = "“Boluarte’s plan failed,” said Smith's party.";
    assert_eq!(between_markers(&e, text, "Boluarte"), ["boluarte"]);
    assert_eq!(
        between_markers(&e, text, "Boluarte’s"),
        ["boluarte", "’", "s"]
    );
    assert_eq!(between_markers(&e, text, "Smith"), ["smith"]);
}

fn mentions_at_start_and_end() {
    let e = marked(64);
    let text = "Petro praised Castillo";
    assert_eq!(between_markers(&e, text, "Petro"), ["petro"]);
    assert_eq!(between_markers(&e, text, "Castillo"), ["castillo"]);
}

fn two_mentions_with_markers_need_two_inputs_without_one() {
    let text = "Smith praised Jones.";
    let spans = [span(text, "Smith"), span(text, "Jones")];
    let marked_inputs = marked(64).encode(text, &spans).unwrap();
    assert_eq!(marked_inputs.len(), 2);
    assert_eq!(marked_inputs[1].targets[0].0, 1);

    let plain = unmarked().encode(text, &spans).unwrap();
    assert_eq!(plain.len(), 1, "one encoder pass serves both targets");
    let tokenizer = common::tokenizer();
    let pieces: Vec<Vec<String>> = plain[0]
        .targets
        .iter()
        .map(|(_, r)| {
            plain[0].ids[r.clone()]
                .iter()
                .map(|id| tokenizer.id_to_token(*id).unwrap())
                .collect()
        })
        .collect();
    assert_eq!(pieces, [["smith"], ["jones"]]);
}

fn long_sentences_are_windowed_around_the_mention() {
    let filler = "the army and the police ".repeat(30);
    let text = format!("{filler}critics condemned Castillo today {filler}");
    let e = marked(24);
    let inputs = e.encode(&text, &[span(&text, "Castillo")]).unwrap();
    assert!(inputs[0].ids.len() <= 24);
    assert_eq!(between_markers(&e, &text, "Castillo"), ["castillo"]);
}

/// A "sentence" of more than twice the model's length is run-on text: its mentions are read
/// in windows of half the length; up to twice the length, in full windows.
fn run_on_text_is_read_in_half_windows() {
    let e = marked(64);
    let words = |n: usize| "the army and the police ".repeat(n / 5);
    let long = format!("{} critics condemned Castillo {}", words(60), words(60));
    let run_on = format!("{} critics condemned Castillo {}", words(70), words(70));
    let longest = |text: &str| {
        e.encode(text, &[span(text, "Castillo")])
            .unwrap()
            .iter()
            .map(|i| i.ids.len())
            .max()
    };
    assert_eq!(
        longest(&long),
        Some(64),
        "a long sentence gets the full window"
    );
    assert_eq!(longest(&run_on), Some(32), "run-on text gets half");
    assert_eq!(between_markers(&e, &run_on, "Castillo"), ["castillo"]);
}

fn bad_spans_are_errors_not_panics() {
    let e = marked(64);
    let text = "Pérez failed.";
    let reversed = std::ops::Range { start: 6, end: 2 };
    for bad in [0..0, 2..3, 5..100, reversed] {
        match e.encode(text, std::slice::from_ref(&bad)) {
            Err(StanceError::Span(_)) => {}
            other => panic!("{bad:?}: expected a span error, got {other:?}"),
        }
    }
    // Only white space: no word piece to mark.
    let text = "Smith  praised Jones";
    let blank = std::ops::Range { start: 5, end: 7 };
    assert!(matches!(
        e.encode(text, &[blank]),
        Err(StanceError::Span(_))
    ));
}

crate::trials! {
    multibyte_and_accented_mentions_align,
    possessives_and_curly_quotes,
    mentions_at_start_and_end,
    two_mentions_with_markers_need_two_inputs_without_one,
    long_sentences_are_windowed_around_the_mention,
    run_on_text_is_read_in_half_windows,
    bad_spans_are_errors_not_panics,
}
