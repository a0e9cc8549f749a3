//! Latency of the shipped stance model on one 40-word sentence, on one core.
//! Run: `cargo bench --bench stance` (the target: under 100 ms).

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use slant::stance::{Classifier, ModelDir, SentenceTargets, StanceModel};

const SENTENCE: &str =
    "On March 29, Peru's government, headed by the president, recalled its ambassador \
from Colombia after the Colombian president voiced his support for the ousted former president and \
criticised the repression of protesters in the southern regions of the Andean country.";

fn one_sentence(c: &mut Criterion) {
    // candle's kernels size their thread pool from this variable on first use.
    std::env::set_var("RAYON_NUM_THREADS", "1");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/minilm-stance");
    let model = match ModelDir::open(&dir, None)
        .map_err(|e| e.to_string())
        .and_then(|d| Classifier::load(d).map_err(|e| e.to_string()))
    {
        Ok((model, _)) => model,
        Err(e) => {
            eprintln!("SKIPPED: no shipped model ({e})");
            return;
        }
    };
    assert_eq!(SENTENCE.split_whitespace().count(), 40);
    let start = SENTENCE.find("Colombian president").unwrap_or(0);
    let span = std::ops::Range {
        start,
        end: start + "Colombian president".len(),
    };
    let target = [SentenceTargets {
        text: SENTENCE,
        spans: vec![span],
    }];
    c.bench_function("stance: one 40-word sentence, one target, 1 thread", |b| {
        b.iter(|| {
            model
                .score(&target)
                .map(|s| s[0][0].score())
                .unwrap_or(f32::NAN)
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = one_sentence
}
criterion_main!(benches);
