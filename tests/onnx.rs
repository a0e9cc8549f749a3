//! The ONNX export and the ONNX Runtime backend: a well-formed graph, and the same
//! probabilities as candle (f32), on a tiny model and on the shipped model over the dev sets.

mod common;

use std::path::{Path, PathBuf};

use prost::Message;
use slant::stance::backend::{self, Backend};
use slant::stance::data;
use slant::stance::eval;
use slant::stance::onnx::proto::ModelProto;
use slant::stance::onnx::{export, library_path, Precision};
use slant::stance::train::{self, ClassWeights, TrainConfig};
use slant::stance::{ModelDir, SentenceTargets, Stance};

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

fn runtime(test: &str) -> bool {
    let found = library_path().is_some();
    if !found {
        eprintln!("SKIPPED {test}: no ONNX Runtime library (run `cargo run --release -- fetch --runtime` or set ORT_DYLIB_PATH)");
    }
    found
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

#[test]
fn the_exported_graph_is_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    let model = ModelDir::open(&tiny_model(dir.path()), None).unwrap();
    let layers = model.bert.num_hidden_layers;
    for (precision, quantized, attention) in [
        (Precision::F32, 0, "Attention"),
        (Precision::Int8, 5 * layers, "MultiHeadAttention"),
    ] {
        let bytes = export(&model.bert, &model.tensors, precision, "tiny").unwrap();
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

#[test]
fn onnx_runtime_matches_candle_on_a_tiny_model() {
    if !runtime("onnx_runtime_matches_candle_on_a_tiny_model") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = tiny_model(dir.path());
    let owned = sentences();
    let targets: Vec<SentenceTargets> = owned
        .iter()
        .map(|(text, spans)| SentenceTargets {
            text,
            spans: spans.clone(),
        })
        .collect();
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

#[test]
fn onnx_runtime_matches_candle_on_the_dev_sets() {
    let Some(shared) = common::shared_dir("onnx_runtime_matches_candle_on_the_dev_sets") else {
        return;
    };
    if !runtime("onnx_runtime_matches_candle_on_the_dev_sets") {
        return;
    }
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/minilm-stance");
    let candle = backend::load(&model, Backend::Candle, 2).unwrap();
    let f32 = backend::load(&model, Backend::Ort(Precision::F32), 2).unwrap();
    let int8 = backend::load(&model, Backend::Ort(Precision::Int8), 2).unwrap();
    for split in ["dev-rw", "dev-mt"] {
        let labeled =
            data::read_file(&shared.join(format!("datasets/newsmtsc/{split}.jsonl"))).unwrap();
        let targets: Vec<SentenceTargets> = labeled.iter().map(|s| s.targets()).collect();
        let reference = candle.model.score(&targets).unwrap();
        let diff = max_abs_diff(&reference, &f32.model.score(&targets).unwrap());
        eprintln!("{split}: ONNX Runtime f32 vs candle, max abs difference {diff:e}");
        assert!(diff < 1e-4, "{split}: f32 differs from candle by {diff}");
        if split == "dev-rw" {
            let f1 = |m: &dyn slant::stance::StanceModel| {
                eval::evaluate(m, &labeled, |_| {})
                    .unwrap()
                    .report()
                    .macro_f1
            };
            let (full, quantized) = (f1(candle.model.as_ref()), f1(int8.model.as_ref()));
            eprintln!("dev-rw macro-F1: f32 {full:.4}, int8 {quantized:.4}");
            assert!(
                full - quantized <= 0.005,
                "int8 is the default only while it costs at most 0.5 points: {full:.4} -> {quantized:.4}"
            );
        }
    }
}
