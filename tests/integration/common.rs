//! Test fixtures: a tiny BERT and WordPiece tokenizer written to a temporary model directory,
//! so model code is exercised without any download.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use libtest_mimic::{Completion, Trial};
use slant::fetch::{cache_dir, MINILM, MPNET};
use slant::stance::arch::bert::{Bert, BertConfig};
use slant::stance::encoding::{Pooling, TargetMarking};
use slant::stance::train::{ClassWeights, RunOptions, TrainConfig};
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::Tokenizer;

/// Words the fixture sentences use; anything else becomes [UNK].
const WORDS: &str =
    "the a of and in to was is for by on with his her their its government president \
minister senator congress party leaders critics voters praised condemned attacked welcomed \
supported blamed thanked defended denounced met said today plan reform policy crisis protest \
protesters police army brutal heroic failed success corrupt honest smith jones lee garcia perez \
boluarte castillo petro ana maria ' s , . “ ” \" ’ - : ; ( )";

pub fn tokenizer() -> Tokenizer {
    let mut vocab: Vec<&str> = vec![
        "[PAD]",
        "[unused0]",
        "[unused1]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
    ];
    for word in WORDS.split_whitespace().chain(["##s", "##ed", "##ing"]) {
        if !vocab.contains(&word) {
            vocab.push(word);
        }
    }
    // WordPiece reads its vocabulary from a file (its in-memory map type is not public).
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), vocab.join("\n") + "\n").unwrap();
    let model = WordPiece::from_file(&file.path().to_string_lossy())
        .unk_token("[UNK]".into())
        .build()
        .unwrap();
    let mut tokenizer = Tokenizer::new(model);
    tokenizer.with_normalizer(Some(BertNormalizer::new(true, true, None, true)));
    tokenizer.with_pre_tokenizer(Some(BertPreTokenizer));
    tokenizer
}

pub fn config(vocab_size: usize) -> BertConfig {
    BertConfig {
        vocab_size,
        hidden_size: 32,
        num_hidden_layers: 2,
        num_attention_heads: 4,
        intermediate_size: 64,
        max_position_embeddings: 64,
        type_vocab_size: 2,
        layer_norm_eps: 1e-12,
        hidden_dropout_prob: 0.1,
        attention_probs_dropout_prob: 0.1,
        hidden_act: "gelu".into(),
    }
}

/// `EXE --quiet score --backend candle --actors peru.csv --out OUT` plus `extra`, run to
/// success: the quick real scoring run several tests start from.
pub fn score_on_candle(exe: &Path, out: &Path, extra: &[&std::ffi::OsStr]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = std::process::Command::new(exe)
        .env_remove("SLANT_MODEL")
        .args(["--quiet", "score", "--backend", "candle", "--out"])
        .arg(out)
        .arg("--actors")
        .arg(root.join("datasets/actors/peru.csv"))
        .args(extra)
        .status()
        .unwrap();
    assert!(status.success(), "slant score {extra:?}");
}

/// Writes a tiny random encoder (no head, like a fetched base model) into `dir`.
pub fn write_base(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let tokenizer = tokenizer();
    let cfg = config(tokenizer.get_vocab_size(true));
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
    Bert::load(&cfg, vb).unwrap();
    // A fresh VarMap fills layer-norm scales with zeros, which would silence the network.
    for (name, var) in varmap.data().lock().unwrap().iter() {
        if name.ends_with("LayerNorm.weight") {
            var.set(&var.ones_like().unwrap()).unwrap();
        }
    }
    let tensors: HashMap<String, Tensor> = varmap
        .data()
        .lock()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_tensor().clone()))
        .collect();
    candle_core::safetensors::save(&tensors, dir.join("model.safetensors")).unwrap();
    std::fs::write(
        dir.join("config.json"),
        serde_json::to_string(&cfg).unwrap(),
    )
    .unwrap();
    tokenizer.save(dir.join("tokenizer.json"), false).unwrap();
    dir.to_path_buf()
}

/// Project-written labelled sentences in the flat NewsMTSC format: the target's framing is
/// carried by the verb, so a model can learn it from a few dozen examples.
pub fn write_training_file(path: &Path) {
    let verbs = [
        ("praised", 1),
        ("welcomed", 1),
        ("thanked", 1),
        ("defended", 1),
        ("condemned", -1),
        ("attacked", -1),
        ("blamed", -1),
        ("denounced", -1),
        ("met", 0),
    ];
    let subjects = ["Critics", "Voters", "The police", "Leaders"];
    let targets = ["Smith", "Jones", "Lee", "Garcia", "Petro"];
    let mut lines = Vec::new();
    for (i, (verb, polarity)) in verbs.iter().enumerate() {
        for (j, target) in targets.iter().enumerate() {
            let subject = subjects[(i + j) % subjects.len()];
            let sentence = format!("{subject} {verb} {target} today.");
            let from = subject.chars().count() + 1 + verb.chars().count() + 1;
            lines.push(
                serde_json::json!({
                    "sentence": sentence,
                    "mention": target,
                    "from": from,
                    "to": from + target.chars().count(),
                    "polarity": polarity,
                })
                .to_string(),
            );
        }
    }
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// What a test needs beyond the checkout. A test whose need is missing is reported as
/// ignored, with the reason and what to run, rather than passing without checking anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// `../shared` beside the checkout (CI has it).
    Shared,
    /// The ONNX Runtime library.
    Runtime,
    /// The base encoder in slant's cache.
    FetchedBase,
    /// all-mpnet-base-v2 (the accurate tier's base) in slant's cache.
    FetchedMpnet,
    /// The ONNX Runtime wheel that `slant fetch --runtime` downloads, in slant's cache.
    RuntimeWheel,
}

/// The ONNX Runtime wheel in slant's cache, if `slant fetch --runtime` left it there.
pub fn runtime_wheel() -> Option<PathBuf> {
    let package = &slant::fetch::ONNXRUNTIME;
    package
        .downloaded(&slant::fetch::WheelPackage::wheels_dir(&cache_dir()))?
        .pop()
}

impl Need {
    /// Why the test cannot run here, or None when it can.
    fn missing(self) -> Option<&'static str> {
        match self {
            Need::Shared if !shared_path().join("datasets/newsmtsc/train.jsonl").is_file() => {
                Some("needs ../shared beside the checkout (the project's data; CI has it)")
            }
            Need::Runtime if slant::stance::onnx::library_path().is_none() => Some(
                "needs ONNX Runtime: run `cargo run --release -- fetch --runtime` or set ORT_DYLIB_PATH",
            ),
            Need::FetchedBase if MINILM.cached(&cache_dir()).is_none() => {
                Some("needs the base encoder: run `cargo run --release -- fetch --base`")
            }
            Need::FetchedMpnet if MPNET.cached(&cache_dir()).is_none() => {
                Some("needs all-mpnet-base-v2: run `cargo run --release -- fetch --base mpnet`")
            }
            Need::RuntimeWheel if runtime_wheel().is_none() => Some(
                "needs the ONNX Runtime wheel in slant's cache: run `cargo run --release -- fetch --runtime`",
            ),
            _ => None,
        }
    }
}

fn shared_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

/// `../shared`, for tests listed as needing it.
pub fn shared() -> PathBuf {
    shared_path()
}

/// A test of module `module`, ignored at run time (with the reason) when a need is missing.
pub fn trial(module: &str, name: &str, needs: &'static [Need], test: fn()) -> Trial {
    Trial::ignorable_test(format!("{module}::{name}"), move || {
        if let Some(reason) = needs.iter().find_map(|n| n.missing()) {
            return Ok(Completion::ignored_with(reason));
        }
        test();
        Ok(Completion::Completed)
    })
}

/// Lists a module's tests: `trials! { test_a, test_b: [crate::common::Need::Shared] }`.
#[macro_export]
macro_rules! trials {
    ($($name:ident $(: [$($need:expr),+])?),* $(,)?) => {
        pub fn trials() -> Vec<libtest_mimic::Trial> {
            let module = module_path!().rsplit("::").next().unwrap_or_default();
            vec![$($crate::common::trial(
                module,
                stringify!($name),
                &[$($($need),+)?],
                $name,
            )),*]
        }
    };
}

/// The tiny training run the tests share: markers, mention-mean pooling, 32 word pieces.
pub fn train_config(dir: &Path, base: &Path, train_file: &Path, epochs: usize) -> TrainConfig {
    TrainConfig {
        base: base.to_path_buf(),
        base_model: "tiny test encoder".into(),
        base_sha256: None,
        train: train_file.to_path_buf(),
        dev: vec![train_file.to_path_buf()],
        out: dir.join("model"),
        checkpoint_dir: dir.join("checkpoint"),
        model_id: "tiny".into(),
        marking: TargetMarking {
            markers: Some(("[unused0]".into(), "[unused1]".into())),
            pooling: Pooling::MentionMean,
            max_length: 32,
        },
        epochs,
        batch_size: 8,
        learning_rate: 3e-3,
        warmup: 0.1,
        weight_decay: 0.01,
        label_smoothing: 0.0,
        multi_target_repeats: 1,
        class_weights: ClassWeights::InverseSqrt,
        seed: 7,
        patience: 0,
        checkpoint_every: 2,
        limit: None,
        freeze_layers: 0,
    }
}

/// No interruption.
pub fn quiet() -> RunOptions {
    RunOptions::default()
}

/// The slant binary, started in the checkout, with no model or kill point from the
/// environment.
pub fn slant() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_slant"));
    command
        .env_remove("SLANT_MODEL")
        .env_remove("SLANT_KILL_AT")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

/// A CSV table as one map from column to value per row.
pub fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// A run whose outlets have a tone with an interval, so that comparing its outlets.csv byte
/// for byte with another run's also compares the fitted measures.
pub fn assert_tone_measured(run: &Path) {
    let outlets = read_csv(&run.join("outlets.csv"));
    assert!(
        outlets
            .iter()
            .any(|o| !o["tone"].is_empty() && !o["tone_low"].is_empty()),
        "{}: no outlet has a tone with an interval",
        run.display()
    );
}
