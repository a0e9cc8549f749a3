//! The MPNet encoder against the reference: `tests/fixtures/mpnet-reference.json` holds what
//! Python's transformers and sentence-transformers compute with all-mpnet-base-v2 for a few
//! sentences (written by `scripts/mpnet_reference.py`). candle and the ONNX graphs must give
//! the same token ids, hidden states and sentence embeddings.

use std::path::Path;

use candle_core::{DType, Device, IndexOp};
use candle_nn::VarBuilder;
use serde::Deserialize;
use slant::fetch::{cache_dir, MPNET};
use slant::stance::arch::{Architecture, Encoder, Mode};
use slant::stance::card;
use slant::stance::encoding::{EncodedInput, Pooling, TargetMarking};
use slant::stance::onnx::{GraphOutput, Precision, Sessions};
use slant::stance::train::{self, TrainConfig};
use slant::stance::ModelDir;

#[derive(Deserialize)]
struct Reference {
    head: usize,
    cases: Vec<Case>,
    padded_batch_head: Vec<Vec<Vec<f32>>>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
    ids: Vec<u32>,
    hidden_head: Vec<Vec<f32>>,
    embedding: Vec<f32>,
}

fn reference() -> Reference {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mpnet-reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn model() -> ModelDir {
    let dir = MPNET.cached(&cache_dir()).expect("listed as needing MPNet");
    ModelDir::open(&dir, Some(MPNET.checked_sha256)).unwrap()
}

/// The whole input as the one target: pooling it is sentence-transformers' mean pooling.
fn whole(ids: &[u32]) -> EncodedInput {
    EncodedInput {
        ids: ids.to_vec(),
        targets: vec![(0, 0..ids.len())],
    }
}

fn normalised(v: &[f32]) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter().map(|x| x / norm).collect()
}

fn max_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn candle_matches_the_reference_token_by_token_and_padded() {
    let reference = reference();
    let model = model();
    assert_eq!(model.encoder.architecture(), Architecture::Mpnet);
    let encoder = model
        .target_encoder(TargetMarking {
            markers: None,
            pooling: Pooling::MentionMean,
            max_length: 512,
        })
        .unwrap();
    let vb = VarBuilder::from_tensors(model.tensors.clone(), DType::F32, &Device::Cpu);
    let network = Encoder::load(&model.encoder, vb).unwrap();
    let inputs: Vec<EncodedInput> = reference.cases.iter().map(|c| whole(&c.ids)).collect();
    for (case, input) in reference.cases.iter().zip(&inputs) {
        // The tokenizer frames the text as the reference does: <s> ... </s>.
        let text = 0..case.text.len();
        let encoded = encoder
            .encode(&case.text, std::slice::from_ref(&text))
            .unwrap();
        assert_eq!(encoded.len(), 1);
        assert_eq!(&encoded[0].ids, &case.ids, "{}", case.text);

        let batch = encoder.batch(&[input], &Device::Cpu).unwrap();
        let hidden = network
            .forward(&batch.input_ids, &batch.attention_mask, &mut Mode::Infer)
            .unwrap()
            .i(0)
            .unwrap()
            .to_vec2::<f32>()
            .unwrap();
        for (token, expected) in hidden.iter().zip(&case.hidden_head) {
            let d = max_difference(&token[..reference.head], expected);
            assert!(d < 1e-4, "{}: hidden states differ by {d}", case.text);
        }
        let mean: Vec<f32> = (0..hidden[0].len())
            .map(|j| hidden.iter().map(|t| t[j]).sum::<f32>() / hidden.len() as f32)
            .collect();
        let d = max_difference(&normalised(&mean), &case.embedding);
        assert!(d < 1e-4, "{}: embedding differs by {d}", case.text);
    }
    // All sentences in one padded batch: real tokens as in the reference's padded batch.
    let refs: Vec<&EncodedInput> = inputs.iter().collect();
    let batch = encoder.batch(&refs, &Device::Cpu).unwrap();
    let hidden = network
        .forward(&batch.input_ids, &batch.attention_mask, &mut Mode::Infer)
        .unwrap();
    for (row, expected) in reference.padded_batch_head.iter().enumerate() {
        let got = hidden.i(row).unwrap().to_vec2::<f32>().unwrap();
        for (token, expected) in got.iter().zip(expected) {
            let d = max_difference(&token[..reference.head], expected);
            assert!(d < 1e-4, "row {row} padded: hidden states differ by {d}");
        }
    }
}

fn onnx_graphs_give_the_reference_embeddings() {
    let reference = reference();
    let model = model();
    let encoder = model
        .target_encoder(TargetMarking {
            markers: None,
            pooling: Pooling::MentionMean,
            max_length: 512,
        })
        .unwrap();
    let hidden = model.encoder.hidden_size();
    let inputs: Vec<EncodedInput> = reference.cases.iter().map(|c| whole(&c.ids)).collect();
    let refs: Vec<&EncodedInput> = inputs.iter().collect();
    for precision in [Precision::F32, Precision::Int8] {
        let sessions =
            Sessions::open(&model, precision, "mpnet test", GraphOutput::Pooled, 1).unwrap();
        // Padded together: the padding mask and the relative-position bias must both hold.
        let pooled = sessions.run(encoder.pad(&refs), hidden).unwrap();
        for (case, row) in reference.cases.iter().zip(pooled.chunks(hidden)) {
            let got = normalised(row);
            match precision {
                Precision::F32 => {
                    let d = max_difference(&got, &case.embedding);
                    assert!(d < 1e-4, "{}: f32 embedding differs by {d}", case.text);
                }
                Precision::Int8 => {
                    let cosine: f32 = got.iter().zip(&case.embedding).map(|(a, b)| a * b).sum();
                    assert!(cosine > 0.985, "{}: int8 cosine {cosine}", case.text);
                }
            }
        }
    }
}

/// Trained above frozen layers of a base slant fetches, a model is stored as the tensors
/// training changed (the top layer and the head here) and marked `over_base`; opening it
/// reads the rest from the fetched base, to the bit; without the base in slant's cache, the
/// error says which `slant fetch` to run.
fn a_model_trained_above_frozen_layers_is_stored_over_its_base() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("train.jsonl");
    crate::common::write_training_file(&data);
    let base_dir = MPNET.cached(&cache_dir()).expect("listed as needing MPNet");
    let (open, close) = Architecture::Mpnet.markers();
    let config = TrainConfig {
        freeze_layers: 11,
        epochs: 1,
        limit: Some(16),
        marking: TargetMarking {
            markers: Some((open.into(), close.into())),
            pooling: Pooling::MentionMean,
            max_length: 32,
        },
        ..crate::common::train_config(dir.path(), &base_dir, &data, 1)
    };
    train::train(config, &crate::common::quiet(), |_| {}).unwrap();
    let out = dir.path().join("model");
    let stance = ModelDir::stance_of(&out).unwrap().unwrap();
    assert!(stance.over_base);
    assert_eq!(stance.base_sha256, MPNET.checked_sha256);
    let stored = candle_core::safetensors::load(out.join(card::WEIGHTS), &Device::Cpu).unwrap();
    let mut names: Vec<&String> = stored.keys().collect();
    names.sort();
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("encoder.layer.11.") || n.starts_with("head.")),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.starts_with("head.")), "{names:?}");
    let base = model().tensors;
    let opened = ModelDir::open(&out, None).unwrap().tensors;
    assert_eq!(
        opened.len(),
        base.len() + 2,
        "the base's tensors and the head"
    );
    for (name, tensor) in &base {
        let got = opened[name]
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        match stored.get(name) {
            None => assert_eq!(
                got,
                tensor.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
                "{name} is not the base's"
            ),
            Some(trained) => assert_eq!(
                got,
                trained
                    .to_dtype(DType::F32)
                    .unwrap()
                    .flatten_all()
                    .unwrap()
                    .to_vec1::<f32>()
                    .unwrap(),
                "{name} is not the trained value"
            ),
        }
    }

    let empty_cache = dir.path().join("empty-cache");
    let output = crate::common::slant()
        .env("SLANT_CACHE", &empty_cache)
        .args([
            "--quiet",
            "eval",
            "--offline",
            "--backend",
            "candle",
            "--model",
        ])
        .arg(&out)
        .arg(&data)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("not in slant's cache") && stderr.contains("slant fetch --base mpnet"),
        "{stderr}"
    );
}

/// `--model accurate` is the shipped MPNet model, stored over the fetched base within the
/// issue's size (about 120 MB), averaged with the fast model: it scores a run, and run.json
/// names both models and the base's checksum.
fn the_accurate_model_is_shipped_and_scores_by_name() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = root
        .join("models")
        .join(card::ShippedModel::Accurate.folder());
    let bytes: u64 = std::fs::read_dir(&shipped)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert!(
        bytes < 120_000_000,
        "{} holds {bytes} bytes",
        shipped.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("articles.jsonl");
    std::fs::write(
        &input,
        r#"{"id": "a1", "outlet": "Daily", "text": "Colombian President Gustavo Petro voiced his support for Pedro Castillo. Dina Boluarte declined to comment."}"#,
    )
    .unwrap();
    let out = dir.path().join("run");
    crate::common::score_on_candle(
        Path::new(env!("CARGO_BIN_EXE_slant")),
        &out,
        &[input.as_os_str(), "--model".as_ref(), "accurate".as_ref()],
    );
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let model = &run["model"];
    assert_eq!(model["id"], "mpnet-stance", "{model}");
    assert_eq!(model["backend"], "candle-f32", "{model}");
    assert_eq!(model["base_sha256"], MPNET.checked_sha256, "{model}");
    // `accurate` averages MPNet with the fast model.
    assert_eq!(model["with"][0]["id"], "minilm-stance-v2", "{model}");
    assert_eq!(model["with"][0]["backend"], "candle-f32", "{model}");
    let stance = ModelDir::stance_of(&shipped).unwrap().unwrap();
    assert!(stance.over_base);
    // The ensemble is calibrated as a whole, for exactly these two members, and the run says
    // by which temperature its averaged probabilities were scaled.
    let [ensemble] = stance.ensembles.as_slice() else {
        panic!("one ensemble calibration expected: {:?}", stance.ensembles)
    };
    let ids: Vec<&str> = ensemble
        .members
        .iter()
        .map(|m| m.model_id.as_str())
        .collect();
    assert_eq!(ids, ["mpnet-stance", "minilm-stance-v2"]);
    assert_eq!(
        model["ensemble_temperature"].as_f64(),
        Some(ensemble.calibration.temperature),
        "{model}"
    );
    let mentions = crate::common::read_csv(&out.join("mentions.csv"));
    assert_eq!(mentions.len(), 3, "{mentions:?}");
}

crate::trials! {
    candle_matches_the_reference_token_by_token_and_padded: [crate::common::Need::FetchedMpnet],
    the_accurate_model_is_shipped_and_scores_by_name: [crate::common::Need::FetchedMpnet],
    a_model_trained_above_frozen_layers_is_stored_over_its_base: [crate::common::Need::FetchedMpnet],
    onnx_graphs_give_the_reference_embeddings: [crate::common::Need::FetchedMpnet, crate::common::Need::Runtime],
}
