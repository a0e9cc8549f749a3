//! Checks against NewsMTSC in ../shared (skipped with a message when it is absent) and the
//! shipped model.

use crate::common;

use std::path::{Path, PathBuf};

use slant::stance::baseline::Lexicon;
use slant::stance::eval::evaluate;
use slant::stance::{data, Classifier, ModelDir};

fn shipped_model() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models/minilm-stance")
}

fn every_newsmtsc_span_spells_its_mention() {
    let shared = common::shared();
    let dir = shared.join("datasets/newsmtsc");
    // (file, sentences, targets) as documented in ../shared/README.md.
    for (file, targets) in [
        ("train.jsonl", 8739),
        ("dev-rw.jsonl", 343),
        ("dev-mt.jsonl", 442),
    ] {
        let sentences = data::read_file(&dir.join(file)).unwrap();
        let n: usize = sentences.iter().map(|s| s.targets.len()).sum();
        assert_eq!(n, targets, "{file}");
    }
}

fn shipped_model_reaches_its_dev_scores() {
    let shared = common::shared();
    let dev = shared.join("datasets/newsmtsc/dev-rw.jsonl");
    let sentences = data::read_file(&dev).unwrap();
    let (model, _) = Classifier::load(ModelDir::open(&shipped_model(), None).unwrap()).unwrap();
    let model_f1 = evaluate(&model, &sentences, |_| {})
        .unwrap()
        .report()
        .macro_f1;
    let lexicon_f1 = evaluate(&Lexicon::default(), &sentences, |_| {})
        .unwrap()
        .report()
        .macro_f1;
    // The model card reports the exact figure; this guards against a broken load or encoding.
    assert!(model_f1 > 0.78, "dev-rw macro-F1 {model_f1}");
    assert!(
        model_f1 > lexicon_f1 + 0.1,
        "model {model_f1} vs lexicon {lexicon_f1}"
    );
}

fn shipped_model_reads_the_project_examples() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/stance/examples.jsonl");
    let sentences = data::read_file(&examples).unwrap();
    let (model, _) = Classifier::load(ModelDir::open(&shipped_model(), None).unwrap()).unwrap();
    let report = evaluate(&model, &sentences, |_| {}).unwrap().report();
    assert_eq!(report.n, 30);
    assert!(report.accuracy >= 0.7, "{report:?}");
}

fn eval_json_has_one_object_per_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_slant"))
        .current_dir(root)
        .args([
            "eval",
            "--json",
            "datasets/stance/examples.jsonl",
            "datasets/stance/examples.jsonl",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for v in &lines {
        assert_eq!(v["n"], 30);
        assert!(v["file"].as_str().unwrap().ends_with("examples.jsonl"));
        assert!(v["accuracy"].as_f64().unwrap() > 0.0 && v["macro_f1"].as_f64().unwrap() > 0.0);
    }

    let missing = std::process::Command::new(env!("CARGO_BIN_EXE_slant"))
        .current_dir(root)
        .args([
            "eval",
            "--model",
            "no/such/model",
            "datasets/stance/examples.jsonl",
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such/model"));
}

crate::trials! {
    every_newsmtsc_span_spells_its_mention: [crate::common::Need::Shared],
    shipped_model_reaches_its_dev_scores: [crate::common::Need::Shared],
    shipped_model_reads_the_project_examples,
    eval_json_has_one_object_per_file,
}
