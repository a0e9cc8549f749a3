//! The ONNX export and the ONNX Runtime backend: a well-formed graph, and the same
//! probabilities as candle (f32), on a tiny model and on the shipped model over the dev sets.

use crate::common;

use std::path::{Path, PathBuf};

use prost::Message;
use slant::stance::backend::{self, Backend};
use slant::stance::calibrate::{tempered, Calibration};
use slant::stance::data;
use slant::stance::onnx::proto::ModelProto;
use slant::stance::onnx::{export, GraphOutput, Precision};
use slant::stance::train::{self, ClassWeights, TrainConfig};
use slant::stance::{card, int8_check, ModelDir, SentenceTargets, Stance};

/// A tiny stance model trained for three epochs on the project's own examples.
fn tiny_model(dir: &Path) -> PathBuf {
    let base = common::write_base(&dir.join("base"));
    let data = dir.join("train.jsonl");
    common::write_training_file(&data);
    let config = TrainConfig {
        class_weights: ClassWeights::None,
        seed: 11,
        checkpoint_every: 1000,
        ..common::train_config(dir, &base, &data, 3)
    };
    train::train(config, &common::quiet(), |_| {}).unwrap();
    dir.join("model")
}

fn as_targets(owned: &[(String, Vec<std::ops::Range<usize>>)]) -> Vec<SentenceTargets<'_>> {
    owned
        .iter()
        .map(|(text, spans)| SentenceTargets {
            text,
            spans: spans.clone(),
        })
        .collect()
}

fn max_abs_diff(a: &[Vec<Stance>], b: &[Vec<Stance>]) -> f32 {
    a.iter()
        .flatten()
        .zip(b.iter().flatten())
        .map(|(x, y)| {
            (x.negative - y.negative)
                .abs()
                .max((x.neutral - y.neutral).abs())
                .max((x.positive - y.positive).abs())
        })
        .fold(0.0, f32::max)
}

fn sentences() -> Vec<(String, Vec<std::ops::Range<usize>>)> {
    let find = |t: &str, names: &[&str]| {
        names
            .iter()
            .map(|n| {
                let s = t.find(n).unwrap();
                s..s + n.len()
            })
            .collect::<Vec<_>>()
    };
    [
        (
            "Smith praised Jones, and the police attacked the protesters of Garcia.",
            &["Smith", "Jones", "Garcia"][..],
        ),
        ("Lee met Petro.", &["Lee", "Petro"][..]),
        ("Critics praised Smith today.", &["Smith"][..]),
        (
            "«Boluarte» condemned Castillo’s supporters, and Congress backed Boluarte.",
            &["Boluarte", "Castillo"][..],
        ),
    ]
    .iter()
    .map(|(t, names)| (t.to_string(), find(t, names)))
    .collect()
}

fn the_exported_graph_is_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    let model = ModelDir::open(&tiny_model(dir.path()), None).unwrap();
    let layers = model.encoder.layers();
    for (precision, quantized, attention) in [
        (Precision::F32, 0, "Attention"),
        (Precision::Int8, 5 * layers, "MultiHeadAttention"),
    ] {
        let bytes = export(&model, precision, "tiny", GraphOutput::Probabilities).unwrap();
        let proto = ModelProto::decode(bytes.as_slice()).unwrap();
        let graph = proto.graph.unwrap();
        let inputs: Vec<&str> = graph.input.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(
            inputs,
            ["input_ids", "attention_mask", "pool_weights", "input_of"]
        );
        assert_eq!(graph.output[0].name, "probabilities");
        let count = |op: &str| graph.node.iter().filter(|n| n.op_type == op).count();
        assert_eq!(count(attention), layers);
        assert_eq!(count("DynamicQuantizeMatMul"), quantized, "{precision:?}");
        // Every node input is a graph input, an initializer or an earlier node's output.
        let mut known: Vec<&str> = inputs.clone();
        known.extend(graph.initializer.iter().map(|t| t.name.as_str()));
        for node in &graph.node {
            for input in &node.input {
                assert!(
                    known.contains(&input.as_str()),
                    "{} reads unknown {input}",
                    node.name
                );
            }
            known.extend(node.output.iter().map(String::as_str));
        }
    }
}

fn onnx_runtime_matches_candle_on_a_tiny_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = tiny_model(dir.path());
    let owned = sentences();
    let targets = as_targets(&owned);
    let candle = backend::load(&path, Backend::Candle, 2).unwrap();
    let f32 = backend::load(&path, Backend::Ort(Precision::F32), 2).unwrap();
    let int8 = backend::load(&path, Backend::Ort(Precision::Int8), 2).unwrap();
    assert_eq!(f32.backend, "onnxruntime-f32");
    let reference = candle.model.score(&targets).unwrap();
    let diff = max_abs_diff(&reference, &f32.model.score(&targets).unwrap());
    assert!(diff < 1e-4, "f32 differs from candle by {diff}");
    let diff = max_abs_diff(&reference, &int8.model.score(&targets).unwrap());
    assert!(diff < 0.05, "int8 differs from candle by {diff}");
}

fn onnx_runtime_matches_candle_on_the_dev_sets() {
    let shared = common::shared();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/minilm-stance");
    let candle = backend::load(&model, Backend::Candle, 2).unwrap();
    let f32 = backend::load(&model, Backend::Ort(Precision::F32), 2).unwrap();
    let dev: Vec<PathBuf> = ["dev-rw", "dev-mt"]
        .iter()
        .map(|split| shared.join(format!("datasets/newsmtsc/{split}.jsonl")))
        .collect();
    for file in &dev {
        let labeled = data::read_file(file).unwrap();
        let targets: Vec<SentenceTargets> = labeled.iter().map(|s| s.targets()).collect();
        let reference = candle.model.score(&targets).unwrap();
        let diff = max_abs_diff(&reference, &f32.model.score(&targets).unwrap());
        eprintln!(
            "{}: ONNX Runtime f32 vs candle, max abs difference {diff:e}",
            file.display()
        );
        assert!(
            diff < 1e-4,
            "{}: f32 differs from candle by {diff}",
            file.display()
        );
    }

    // The int8 check recorded in the shipped model's slant.json is what int8 costs it now,
    // and it passed: the README's speed figures assume `auto` runs the shipped model in int8.
    let recorded = ModelDir::open(&model, None)
        .unwrap()
        .stance_config()
        .unwrap()
        .int8_check
        .expect("the shipped model records its int8 check (slant check-int8)");
    let files: Vec<&Path> = dev.iter().map(PathBuf::as_path).collect();
    let measured = int8_check::measure(&model, &files, 2).unwrap();
    assert_eq!(recorded.weights_sha256, measured.weights_sha256);
    assert_eq!(recorded.files.len(), measured.files.len());
    for (r, m) in recorded.files.iter().zip(&measured.files) {
        eprintln!(
            "{}: macro-F1 f32 {:.4}, int8 {:.4}",
            m.file, m.f32_macro_f1, m.int8_macro_f1
        );
        assert_eq!(
            r.sha256, m.sha256,
            "{} is not the file the check used",
            m.file
        );
        assert!(
            (r.f32_macro_f1 - m.f32_macro_f1).abs() < 1e-9
                && (r.int8_macro_f1 - m.int8_macro_f1).abs() < 1e-9,
            "{}: recorded f32 {:.4} / int8 {:.4}, measured {:.4} / {:.4}",
            m.file,
            r.f32_macro_f1,
            r.int8_macro_f1,
            m.f32_macro_f1,
            m.int8_macro_f1
        );
    }
    assert!(
        measured.passed(),
        "int8 costs the shipped model more than the budget"
    );
    let auto = backend::load(&model, Backend::Auto, 2).unwrap();
    assert_eq!(auto.backend, "onnxruntime-int8");
    assert!(auto.fallback.is_none());
}

fn auto_runs_int8_only_after_a_passing_check_of_the_same_weights() {
    let dir = tempfile::tempdir().unwrap();
    let model = tiny_model(dir.path());
    let unchecked = backend::load(&model, Backend::Auto, 2).unwrap();
    assert_eq!(unchecked.backend, "onnxruntime-f32");
    let note = unchecked.fallback.expect("the user is told why not int8");
    assert!(note.contains("slant check-int8"), "{note}");

    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/stance/examples.jsonl");
    let check = int8_check::measure(&model, &[examples.as_path()], 2).unwrap();
    int8_check::record(&model, &check).unwrap();
    let recorded = ModelDir::open(&model, None)
        .unwrap()
        .stance_config()
        .unwrap();
    assert_eq!(recorded.int8_check.as_ref(), Some(&check));
    let expected = if check.passed() {
        "onnxruntime-int8"
    } else {
        "onnxruntime-f32"
    };
    assert_eq!(
        backend::load(&model, Backend::Auto, 2).unwrap().backend,
        expected
    );

    // A check made on other weights does not count.
    let mut stale = check.clone();
    stale.weights_sha256 = "0".repeat(64);
    stale
        .files
        .iter_mut()
        .for_each(|f| f.int8_macro_f1 = f.f32_macro_f1);
    let mut stance = recorded;
    stance.int8_check = Some(stale);
    card::write_stance_config(&model, &stance).unwrap();
    let loaded = backend::load(&model, Backend::Auto, 2).unwrap();
    assert_eq!(loaded.backend, "onnxruntime-f32");
    assert!(loaded.fallback.is_some_and(|n| n.contains("other weights")));
}

/// A recorded temperature reaches every backend: candle and ONNX Runtime score the
/// uncalibrated probabilities tempered by it, and the label never changes. A calibration of
/// other weights is refused with what to run.
fn a_recorded_calibration_tempers_every_backend() {
    let dir = tempfile::tempdir().unwrap();
    let path = tiny_model(dir.path());
    let owned = sentences();
    let targets = as_targets(&owned);
    let raw = backend::load(&path, Backend::Candle, 2)
        .unwrap()
        .model
        .score(&targets)
        .unwrap();
    let mut stance = ModelDir::open(&path, None)
        .unwrap()
        .stance_config()
        .unwrap();
    let weights = ModelDir::open(&path, None).unwrap().weights_sha256;
    stance.calibration = Some(Calibration {
        temperature: 2.5,
        weights_sha256: weights,
        bins: 15,
        files: Vec::new(),
    });
    card::write_stance_config(&path, &stance).unwrap();
    let expected: Vec<Vec<Stance>> = raw
        .iter()
        .map(|row| {
            row.iter()
                .map(|s| {
                    let p = tempered([s.negative, s.neutral, s.positive].map(f64::from), 2.5)
                        .map(|v| v as f32);
                    Stance {
                        negative: p[0],
                        neutral: p[1],
                        positive: p[2],
                    }
                })
                .collect()
        })
        .collect();
    for backend_choice in [Backend::Candle, Backend::Ort(Precision::F32)] {
        let scored = backend::load(&path, backend_choice, 2)
            .unwrap()
            .model
            .score(&targets)
            .unwrap();
        let diff = max_abs_diff(&expected, &scored);
        assert!(diff < 1e-4, "{backend_choice:?}: differs by {diff}");
        for (a, b) in raw.iter().flatten().zip(scored.iter().flatten()) {
            assert_eq!(a.label(), b.label());
        }
    }
    stance.calibration.as_mut().unwrap().weights_sha256 = "other".into();
    card::write_stance_config(&path, &stance).unwrap();
    let err = ModelDir::open(&path, None).err().unwrap().to_string();
    assert!(err.contains("slant calibrate"), "{err}");
}

crate::trials! {
    a_recorded_calibration_tempers_every_backend: [crate::common::Need::Runtime],
    the_exported_graph_is_well_formed,
    onnx_runtime_matches_candle_on_a_tiny_model: [crate::common::Need::Runtime],
    onnx_runtime_matches_candle_on_the_dev_sets: [crate::common::Need::Shared, crate::common::Need::Runtime],
    auto_runs_int8_only_after_a_passing_check_of_the_same_weights: [crate::common::Need::Runtime],
}
