//! Model directories, training and inference on a tiny BERT built in the test.

use crate::common;

use slant::stance::arch::Mode;
use slant::stance::card::{self, ModelDir};
use slant::stance::train::{self, RunOptions, TrainConfig};
use slant::stance::{Classifier, SentenceTargets, StanceError, StanceModel};

fn training_drives_the_loss_down_and_the_model_loads_back() {
    let dir = tempfile::tempdir().unwrap();
    let base = common::write_base(&dir.path().join("base"));
    let data = dir.path().join("train.jsonl");
    common::write_training_file(&data);
    let trained = train::train(
        common::train_config(dir.path(), &base, &data, 40),
        &common::quiet(),
        |_| {},
    )
    .unwrap();
    let losses: Vec<f64> = trained.state.history.iter().map(|r| r.train_loss).collect();
    assert!(losses[0] > 0.9, "starts near ln 3: {losses:?}");
    assert!(
        *losses.last().unwrap() < 0.5 * losses[0],
        "loss fell: {losses:?}"
    );
    let best = trained.state.best_record().unwrap();
    assert!(best.selection > 0.6, "learns the verbs: {best:?}");

    let model_dir =
        ModelDir::open(&dir.path().join("model"), trained.weights_sha256.as_deref()).unwrap();
    let stance = model_dir.stance.clone().unwrap();
    assert_eq!(stance.model_id, "tiny");
    let (model, _) = Classifier::load(model_dir).unwrap();
    let text = "Critics praised Smith today.";
    let got = model
        .score(&[SentenceTargets {
            text,
            spans: vec![std::ops::Range { start: 16, end: 21 }],
        }])
        .unwrap();
    let s = got[0][0];
    assert!((s.negative + s.neutral + s.positive - 1.0).abs() < 1e-5);
}

fn an_interrupted_run_resumes_to_the_same_weights() {
    let dir = tempfile::tempdir().unwrap();
    let base = common::write_base(&dir.path().join("base"));
    let data = dir.path().join("train.jsonl");
    common::write_training_file(&data);

    let straight = dir.path().join("straight");
    let a = train::train(
        common::train_config(&straight, &base, &data, 2),
        &common::quiet(),
        |_| {},
    )
    .unwrap();

    let resumed = dir.path().join("resumed");
    let stop = RunOptions {
        stop_after_steps: Some(3),
    };
    let first = train::train(
        common::train_config(&resumed, &base, &data, 2),
        &stop,
        |_| {},
    )
    .unwrap();
    assert_eq!(first.state.global_step, 3);
    let b = train::train(
        common::train_config(&resumed, &base, &data, 2),
        &common::quiet(),
        |_| {},
    )
    .unwrap();
    assert_eq!(a.state.global_step, b.state.global_step);
    assert_eq!(
        a.weights_sha256, b.weights_sha256,
        "resumed run ends with identical weights"
    );
}

fn scores_do_not_depend_on_batch_size_or_order() {
    let dir = tempfile::tempdir().unwrap();
    let base = common::write_base(&dir.path().join("base"));
    let data = dir.path().join("train.jsonl");
    common::write_training_file(&data);
    train::train(
        common::train_config(dir.path(), &base, &data, 1),
        &common::quiet(),
        |_| {},
    )
    .unwrap();
    let (mut model, _) =
        Classifier::load(ModelDir::open(&dir.path().join("model"), None).unwrap()).unwrap();
    let a = "Smith praised Jones, and the police attacked the protesters of Garcia.";
    let b = "Lee met Petro.";
    let find = |t: &str, n: &str| {
        let s = t.find(n).unwrap();
        s..s + n.len()
    };
    let sentences = [
        SentenceTargets {
            text: a,
            spans: vec![find(a, "Smith"), find(a, "Jones"), find(a, "Garcia")],
        },
        SentenceTargets {
            text: b,
            spans: vec![find(b, "Lee"), find(b, "Petro")],
        },
    ];
    model.batch_size = 64;
    let together = model.score(&sentences).unwrap();
    model.batch_size = 1;
    let one_by_one = model.score(&sentences).unwrap();
    for (x, y) in together.iter().flatten().zip(one_by_one.iter().flatten()) {
        assert!((x.positive - y.positive).abs() < 1e-5 && (x.negative - y.negative).abs() < 1e-5);
    }
    let reversed = model
        .score(&[sentences[1].clone(), sentences[0].clone()])
        .unwrap();
    assert_eq!(reversed[0].len(), 2);
    assert!((reversed[1][2].positive - together[0][2].positive).abs() < 1e-5);
}

fn loading_errors_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let base = common::write_base(&dir.path().join("base"));

    let missing = dir.path().join("nothing-here");
    let err = ModelDir::open(&missing, None).err().unwrap().to_string();
    assert!(
        err.contains("nothing-here") && err.contains("missing"),
        "{err}"
    );

    std::fs::remove_file(base.join("tokenizer.json")).unwrap();
    let err = ModelDir::open(&base, None).err().unwrap().to_string();
    assert!(err.contains("tokenizer.json: missing"), "{err}");
    common::tokenizer()
        .save(base.join("tokenizer.json"), false)
        .unwrap();

    let err = ModelDir::open(&base, Some("00ff")).err().unwrap();
    assert!(matches!(err, StanceError::Checksum { .. }), "{err}");
    assert!(err.to_string().contains("expected 00ff"));

    // A bare encoder has no stance head: loading it as a stance model says so.
    let err = Classifier::load(ModelDir::open(&base, None).unwrap())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("slant.json"), "{err}");

    // Weights that do not fit the config.
    let data = dir.path().join("train.jsonl");
    common::write_training_file(&data);
    train::train(
        common::train_config(dir.path(), &base, &data, 1),
        &common::quiet(),
        |_| {},
    )
    .unwrap();
    let model = dir.path().join("model");
    let mut cfg = common::config(common::tokenizer().get_vocab_size(true));
    cfg.hidden_size = 48;
    cfg.num_attention_heads = 4;
    std::fs::write(
        model.join(card::CONFIG),
        serde_json::to_string(&cfg).unwrap(),
    )
    .unwrap();
    let err = Classifier::load(ModelDir::open(&model, None).unwrap())
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("model.safetensors") && err.contains("do not fit"),
        "{err}"
    );

    std::fs::write(model.join(card::WEIGHTS), b"not safetensors").unwrap();
    let err = ModelDir::open(&model, None).err().unwrap().to_string();
    assert!(err.contains("not a safetensors file"), "{err}");
}

fn a_run_that_stopped_early_stays_stopped_when_run_again() {
    let dir = tempfile::tempdir().unwrap();
    let base = common::write_base(&dir.path().join("base"));
    let data = dir.path().join("train.jsonl");
    common::write_training_file(&data);
    // With a zero learning rate the dev score never improves after the first epoch.
    let frozen = || TrainConfig {
        learning_rate: 0.0,
        patience: 1,
        ..common::train_config(dir.path(), &base, &data, 4)
    };
    let first = train::train(frozen(), &common::quiet(), |_| {}).unwrap();
    assert_eq!(
        first.state.epoch, 2,
        "stopped after one epoch without improvement"
    );
    let mut lines = Vec::new();
    let again = train::train(frozen(), &common::quiet(), |event| lines.push(event)).unwrap();
    assert_eq!(again.state.epoch, 2);
    assert_eq!(
        again.state.global_step, first.state.global_step,
        "{lines:?}"
    );
}

fn targets_of_multi_target_sentences_are_repeated_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let base = common::write_base(&dir.path().join("base"));
    let data = dir.path().join("train.jsonl");
    // Two targets at different spans; one span listed twice (as NewsMTSC does); one target.
    let lines = [
        r#"{"sentence_normalized": "Smith praised Jones.", "targets": [{"from": 0, "to": 5, "mention": "Smith", "polarity": 4.0}, {"from": 14, "to": 19, "mention": "Jones", "polarity": 6.0}]}"#,
        r#"{"sentence_normalized": "Critics attacked Lee.", "targets": [{"from": 17, "to": 20, "mention": "Lee", "polarity": 2.0}, {"from": 17, "to": 20, "mention": "Lee", "polarity": 2.0}]}"#,
        r#"{"sentence_normalized": "Voters thanked Garcia.", "targets": [{"from": 15, "to": 21, "mention": "Garcia", "polarity": 6.0}]}"#,
    ];
    std::fs::write(&data, lines.join("\n") + "\n").unwrap();
    // One epoch, one target per batch: the steps taken count the training examples.
    let steps = |repeats: usize| {
        let run = dir.path().join(format!("repeats-{repeats}"));
        let config = TrainConfig {
            epochs: 1,
            batch_size: 1,
            multi_target_repeats: repeats,
            ..common::train_config(&run, &base, &data, 1)
        };
        train::train(config, &common::quiet(), |_| {})
            .unwrap()
            .state
            .global_step
    };
    assert_eq!(steps(1), 5);
    assert_eq!(steps(2), 7, "only the two-span sentence's targets doubled");
}

fn largest_difference(a: &candle_core::Tensor, b: &candle_core::Tensor) -> f32 {
    (a - b)
        .unwrap()
        .abs()
        .unwrap()
        .flatten_all()
        .unwrap()
        .max(0)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap()
}

/// With the lowest layer frozen, training leaves the embeddings and that layer at the base
/// encoder's weights (up to the f16 the model is stored in) and changes the layer above; more
/// frozen layers than the encoder has is refused.
fn frozen_layers_keep_their_pretrained_weights() {
    let dir = tempfile::tempdir().unwrap();
    let base = common::write_base(&dir.path().join("base"));
    let data = dir.path().join("train.jsonl");
    common::write_training_file(&data);
    let config = TrainConfig {
        freeze_layers: 1,
        ..common::train_config(dir.path(), &base, &data, 3)
    };
    let trained = train::train(config.clone(), &common::quiet(), |_| {}).unwrap();
    assert!(trained.state.history[0].train_loss.is_finite());
    let before = ModelDir::open(&base, None).unwrap().tensors;
    let after = ModelDir::open(&dir.path().join("model"), None)
        .unwrap()
        .tensors;
    let change = |name: &str| largest_difference(&before[name], &after[name]);
    // The model is stored in f16: a frozen tensor is the base's rounded to f16, exactly
    // (an absolute tolerance failed by chance on large random embedding values).
    let stored = |name: &str| {
        let rounded = before[name]
            .to_dtype(candle_core::DType::F16)
            .and_then(|t| t.to_dtype(candle_core::DType::F32))
            .unwrap();
        largest_difference(&rounded, &after[name])
    };
    for frozen in [
        "embeddings.word_embeddings.weight",
        "embeddings.LayerNorm.weight",
        "encoder.layer.0.attention.self.query.weight",
        "encoder.layer.0.output.dense.weight",
    ] {
        assert!(
            stored(frozen) == 0.0,
            "{frozen} moved by {}",
            stored(frozen)
        );
    }
    let trainable = "encoder.layer.1.attention.self.query.weight";
    assert!(change(trainable) > 1e-3, "{trainable} did not train");

    // The kept output of the frozen part, run on through the layers above, is the whole
    // forward pass.
    let (model, _) =
        Classifier::load(ModelDir::open(&dir.path().join("model"), None).unwrap()).unwrap();
    let text = "Critics praised Smith today.";
    let smith = 16..21;
    let inputs = model
        .encoder()
        .encode(text, std::slice::from_ref(&smith))
        .unwrap();
    let refs: Vec<_> = inputs.iter().collect();
    let batch = model.encoder().batch(&refs, model.device()).unwrap();
    let whole = model.logits(&batch, &mut Mode::Infer).unwrap();
    let lower = model.frozen_part(&inputs[0].ids, 1).unwrap();
    let split = model
        .logits_above(&lower, &batch, 1, &mut Mode::Infer)
        .unwrap();
    let gap = largest_difference(&whole, &split);
    assert!(gap < 1e-5, "split forward differs by {gap}");

    let too_many = TrainConfig {
        freeze_layers: 3,
        out: dir.path().join("other"),
        checkpoint_dir: dir.path().join("other.checkpoint"),
        ..config
    };
    let err = train::train(too_many, &common::quiet(), |_| {})
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("2 layers"), "{err}");
}

crate::trials! {
    frozen_layers_keep_their_pretrained_weights,
    training_drives_the_loss_down_and_the_model_loads_back,
    an_interrupted_run_resumes_to_the_same_weights,
    scores_do_not_depend_on_batch_size_or_order,
    loading_errors_name_the_problem,
    a_run_that_stopped_early_stays_stopped_when_run_again,
    targets_of_multi_target_sentences_are_repeated_when_asked,
}
