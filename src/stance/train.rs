//! Fine-tuning a stance classifier on NewsMTSC-format data.
//!
//! Full fine-tuning with AdamW, linear warm-up then linear decay, dropout, optional class
//! weights and label smoothing; model selection by the mean macro-F1 over the dev files after
//! each epoch, early stopping, and checkpoints that let an interrupted run resume exactly
//! (the batch order and dropout masks derive from the seed, epoch and step).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{VarBuilder, VarMap};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::arch::Mode;
use super::card::{self, ModelDir, StanceConfig};
use super::data::{self, LabeledSentence};
use super::dropout::DropoutRng;
use super::encoding::{EncodedInput, TargetEncoder, TargetMarking};
use super::eval::evaluate;
use super::metrics::Report;
use super::model::{Classifier, HEAD};
use super::optim::{AdamW, AdamWConfig};
use super::{Label, StanceError};
use crate::fetch::base_with_sha256;
use crate::util::{sha256_hex, write_atomic, write_atomic_with, IoError};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ClassWeights {
    None,
    InverseSqrt,
    Inverse,
}

/// Everything that determines a training run; stored in checkpoints and the model's history.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrainConfig {
    pub base: PathBuf,
    /// What the base encoder is, for the model's provenance (e.g. its hub name and package).
    #[serde(default)]
    pub base_model: String,
    pub base_sha256: Option<String>,
    pub train: PathBuf,
    pub dev: Vec<PathBuf>,
    pub out: PathBuf,
    pub checkpoint_dir: PathBuf,
    pub model_id: String,
    pub marking: TargetMarking,
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub warmup: f64,
    pub weight_decay: f64,
    pub label_smoothing: f64,
    pub class_weights: ClassWeights,
    /// Times per epoch each target of a sentence with two or more distinct target spans is
    /// trained on (1: once, like every other target). Such sentences are the ones that teach
    /// the model to tell one actor's framing from another's in the same sentence.
    #[serde(default = "once")]
    pub multi_target_repeats: usize,
    pub seed: u64,
    pub patience: usize,
    pub checkpoint_every: usize,
    /// Train on only the first N targets (smoke tests, quick experiments).
    pub limit: Option<usize>,
    /// Keep the embeddings and this many of the lowest encoder layers at their pretrained
    /// weights (no gradient, no backward pass through them): 0 fine-tunes everything.
    #[serde(default)]
    pub freeze_layers: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DevResult {
    pub file: PathBuf,
    pub macro_f1: f64,
    pub accuracy: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EpochRecord {
    pub epoch: usize,
    pub train_loss: f64,
    pub dev: Vec<DevResult>,
    /// Mean dev macro-F1: what model selection maximises.
    pub selection: f64,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainState {
    pub config: TrainConfig,
    /// Epoch in progress (0-based) and the batches of it already done.
    pub epoch: usize,
    pub batches_done: usize,
    /// Optimizer steps taken in the whole run.
    pub global_step: u64,
    pub history: Vec<EpochRecord>,
    pub best: Option<usize>,
    /// Sum of the losses of this epoch's batches done so far.
    pub epoch_loss_sum: f64,
}

impl TrainState {
    pub fn best_record(&self) -> Option<&EpochRecord> {
        self.best
            .and_then(|e| self.history.iter().find(|r| r.epoch == e))
    }
}

fn once() -> usize {
    1
}

const STATE_FILE: &str = "state.json";
const CHECKPOINT_FILE: &str = "checkpoint.safetensors";
pub const HISTORY_FILE: &str = "training.json";

struct Example {
    input: EncodedInput,
    label: Label,
}

fn encode_examples(
    encoder: &TargetEncoder,
    sentences: &[LabeledSentence],
    file: &Path,
    limit: Option<usize>,
    multi_target_repeats: usize,
) -> Result<Vec<Example>, StanceError> {
    let mut examples = Vec::new();
    let mut targets_seen = 0;
    'outer: for sentence in sentences {
        let repeats = if sentence.distinct_target_spans() >= 2 {
            multi_target_repeats
        } else {
            1
        };
        for target in &sentence.targets {
            if limit.is_some_and(|n| targets_seen >= n) {
                break 'outer;
            }
            targets_seen += 1;
            let mut inputs = encoder
                .encode(&sentence.text, std::slice::from_ref(&target.span))
                .map_err(|e| StanceError::Data {
                    file: file.to_path_buf(),
                    line: sentence.line,
                    message: e.to_string(),
                })?;
            let input = inputs.pop().ok_or_else(|| StanceError::Data {
                file: file.to_path_buf(),
                line: sentence.line,
                message: "target produced no model input".into(),
            })?;
            for _ in 1..repeats {
                examples.push(Example {
                    input: input.clone(),
                    label: target.label,
                });
            }
            examples.push(Example {
                input,
                label: target.label,
            });
        }
    }
    Ok(examples)
}

/// The frozen layers' output for every distinct training input, computed the first time the
/// input is met (each alone, unpadded: the same values whatever batch or resumed run meets it
/// first) and kept, so later epochs run only the trained layers. About 8,700 inputs of ~45
/// word pieces: 0.8 GB for MiniLM's 384 values per piece, 1.5 GB for MPNet's 768.
struct FrozenCache {
    layers: usize,
    kept: HashMap<Vec<u32>, Tensor>,
}

impl FrozenCache {
    /// (batch, seq, hidden): the kept outputs of `inputs`, zero-padded to the longest.
    fn lower(
        &mut self,
        model: &Classifier,
        inputs: &[&EncodedInput],
        device: &Device,
    ) -> Result<Tensor, StanceError> {
        for input in inputs {
            if !self.kept.contains_key(&input.ids) {
                let lower = model.frozen_part(&input.ids, self.layers)?.squeeze(0)?;
                self.kept.insert(input.ids.clone(), lower);
            }
        }
        let seq = inputs.iter().map(|i| i.ids.len()).max().unwrap_or(1);
        let rows = inputs
            .iter()
            .map(|input| {
                let kept = &self.kept[&input.ids];
                let (len, hidden) = kept.dims2()?;
                if len == seq {
                    Ok(kept.clone())
                } else {
                    let padding = Tensor::zeros((seq - len, hidden), DType::F32, device)?;
                    Tensor::cat(&[kept, &padding], 0)
                }
            })
            .collect::<candle_core::Result<Vec<_>>>()?;
        Ok(Tensor::stack(&rows, 0)?)
    }
}

/// The batches of one epoch: a seeded shuffle, then length-sorted buckets (less padding),
/// then the batches themselves shuffled.
fn epoch_batches(
    examples: &[Example],
    batch_size: usize,
    seed: u64,
    epoch: usize,
) -> Vec<Vec<usize>> {
    let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ epoch as u64);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    order.shuffle(&mut rng);
    let mut batches = Vec::new();
    for bucket in order.chunks(batch_size * 32) {
        let mut bucket = bucket.to_vec();
        bucket.sort_by_key(|&i| examples[i].input.ids.len());
        batches.extend(bucket.chunks(batch_size).map(<[usize]>::to_vec));
    }
    batches.shuffle(&mut rng);
    batches
}

fn class_weights(examples: &[Example], kind: ClassWeights) -> [f64; 3] {
    let mut counts = [0f64; 3];
    for e in examples {
        counts[e.label.index()] += 1.0;
    }
    let raw = counts.map(|c| match kind {
        ClassWeights::None => 1.0,
        ClassWeights::InverseSqrt => 1.0 / c.max(1.0).sqrt(),
        ClassWeights::Inverse => 1.0 / c.max(1.0),
    });
    let mean = raw.iter().sum::<f64>() / 3.0;
    raw.map(|w| w / mean)
}

fn learning_rate(config: &TrainConfig, step: usize, total: usize) -> f64 {
    let warmup = ((total as f64) * config.warmup).round().max(1.0);
    let step = step as f64 + 1.0;
    if step <= warmup {
        config.learning_rate * step / warmup
    } else {
        config.learning_rate * ((total as f64 - step) / (total as f64 - warmup).max(1.0)).max(0.0)
    }
}

/// Weighted, label-smoothed cross-entropy, averaged with the class weights as in PyTorch.
fn loss(
    logits: &Tensor,
    labels: &[Label],
    weights: &[f64; 3],
    smoothing: f64,
) -> candle_core::Result<Tensor> {
    let n = labels.len();
    let mut target = vec![(smoothing / 3.0) as f32; n * 3];
    let mut w = Vec::with_capacity(n);
    for (i, label) in labels.iter().enumerate() {
        target[i * 3 + label.index()] += (1.0 - smoothing) as f32;
        w.push(weights[label.index()] as f32);
    }
    let total: f32 = w.iter().sum();
    let device = logits.device();
    let target = Tensor::from_vec(target, (n, 3), device)?;
    let w = Tensor::from_vec(w, n, device)?;
    let log_p = candle_nn::ops::log_softmax(logits, 1)?;
    let per_example = (target * log_p)?.sum(1)?.neg()?;
    (per_example * w)?.sum_all()? / total as f64
}

fn var_tensors(varmap: &VarMap) -> HashMap<String, Tensor> {
    let vars = varmap.data().lock().unwrap_or_else(|p| p.into_inner());
    vars.iter()
        .map(|(k, v)| (k.clone(), v.as_tensor().clone()))
        .collect()
}

fn named_vars(varmap: &VarMap) -> HashMap<String, Var> {
    varmap
        .data()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

/// Copies pretrained weights into the trainable variables; the head, absent from a bare
/// encoder, gets a seeded uniform initialisation.
fn initialise(varmap: &VarMap, base: &ModelDir, seed: u64) -> Result<(), StanceError> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5EED);
    let mut names: Vec<(String, Var)> = named_vars(varmap).into_iter().collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, var) in names {
        match base.tensors.get(&name) {
            Some(t) if t.shape() == var.shape() => var.set(t)?,
            Some(t) => {
                return Err(StanceError::Invalid {
                    path: base.weights_path(),
                    message: format!(
                        "{name} has shape {:?}, the model needs {:?}",
                        t.dims(),
                        var.dims()
                    ),
                })
            }
            None if name.starts_with(HEAD) => {
                let fan_in = *var.dims().last().unwrap_or(&1) as f32;
                let bound = 1.0 / fan_in.sqrt();
                let values: Vec<f32> = (0..var.elem_count())
                    .map(|_| rng.gen_range(-bound..bound))
                    .collect();
                var.set(&Tensor::from_vec(values, var.shape(), &Device::Cpu)?)?;
            }
            None => {
                return Err(StanceError::Invalid {
                    path: base.weights_path(),
                    message: format!("lacks {name}"),
                })
            }
        }
    }
    Ok(())
}

fn save_checkpoint(
    config: &TrainConfig,
    state: &TrainState,
    varmap: &VarMap,
    opt: &AdamW,
) -> Result<(), StanceError> {
    let dir = &config.checkpoint_dir;
    fs::create_dir_all(dir).map_err(IoError::at(dir))?;
    let mut tensors: HashMap<String, Tensor> = var_tensors(varmap)
        .into_iter()
        .map(|(k, t)| (format!("w.{k}"), t))
        .collect();
    tensors.extend(opt.state());
    let mut full = state.clone();
    full.config = config.clone();
    let json =
        serde_json::to_string_pretty(&full).map_err(|e| StanceError::Config(e.to_string()))?;
    // Weights first: a crash between the two leaves the older state, which resumes from the
    // older position and redoes the steps since (the batch order derives from the seed).
    write_atomic_with(&dir.join(CHECKPOINT_FILE), |tmp| {
        candle_core::safetensors::save(&tensors, tmp).map_err(StanceError::from)
    })?;
    Ok(write_atomic(&dir.join(STATE_FILE), json.as_bytes())?)
}

/// Restores weights and optimizer from a checkpoint written by the same configuration.
fn load_checkpoint(
    config: &TrainConfig,
    varmap: &VarMap,
    opt: &mut AdamW,
) -> Result<Option<TrainState>, StanceError> {
    let state_path = config.checkpoint_dir.join(STATE_FILE);
    if !state_path.is_file() {
        return Ok(None);
    }
    let bytes = fs::read(&state_path).map_err(IoError::at(&state_path))?;
    let state: TrainState = serde_json::from_slice(&bytes).map_err(|e| StanceError::Invalid {
        path: state_path.clone(),
        message: e.to_string(),
    })?;
    if state.config != *config {
        return Err(StanceError::Invalid {
            path: state_path,
            message: "written by a run with other settings; remove the checkpoint directory or give another --checkpoint-dir".into(),
        });
    }
    let path = config.checkpoint_dir.join(CHECKPOINT_FILE);
    let tensors = candle_core::safetensors::load(&path, &Device::Cpu)?;
    for (name, var) in named_vars(varmap) {
        let t = tensors
            .get(&format!("w.{name}"))
            .ok_or_else(|| StanceError::Invalid {
                path: path.clone(),
                message: format!("lacks w.{name}"),
            })?;
        var.set(t)?;
    }
    opt.restore(&tensors, state.global_step)?;
    Ok(Some(state))
}

fn read_dev(files: &[PathBuf]) -> Result<Vec<(PathBuf, Vec<LabeledSentence>)>, StanceError> {
    files
        .iter()
        .map(|f| Ok((f.clone(), data::read_file(f)?)))
        .collect()
}

/// The result of a run: its state (history, best epoch) and the written model's checksum.
pub struct Trained {
    pub state: TrainState,
    pub weights_sha256: Option<String>,
}

/// How a run behaves, as opposed to what it computes (`TrainConfig`).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Stop (after checkpointing) once the run has taken this many optimizer steps in total,
    /// as an interruption would; a later call resumes.
    pub stop_after_steps: Option<u64>,
}

/// What a run tells its caller as it goes (the command line draws a progress bar from it).
#[derive(Debug, Clone, PartialEq)]
pub enum TrainEvent {
    /// An epoch (0-based) of `batches` batches starts, `done` of them already trained.
    Epoch {
        epoch: usize,
        epochs: usize,
        batches: usize,
        done: usize,
    },
    /// One more batch trained; the epoch's mean loss so far.
    Batch { mean_loss: f64 },
    /// The epoch's batches are done (dev evaluation follows).
    EpochTrained,
    /// A line for the user: an epoch's dev results, early stopping, an interruption.
    Note(String),
}

/// Runs (or resumes) training as configured, telling `observe` how it goes.
pub fn train(
    config: TrainConfig,
    options: &RunOptions,
    mut observe: impl FnMut(TrainEvent),
) -> Result<Trained, StanceError> {
    let device = Device::Cpu;
    let base = ModelDir::open(&config.base, config.base_sha256.as_deref())?;
    let encoder = base.target_encoder(config.marking.clone())?;
    let train_sentences = data::read_file(&config.train)?;
    let examples = encode_examples(
        &encoder,
        &train_sentences,
        &config.train,
        config.limit,
        config.multi_target_repeats,
    )?;
    if examples.is_empty() {
        return Err(StanceError::Data {
            file: config.train.clone(),
            line: 1,
            message: "no training targets".into(),
        });
    }
    if config.freeze_layers > base.encoder.layers() {
        return Err(StanceError::Config(format!(
            "--freeze-layers {}: the encoder has {} layers",
            config.freeze_layers,
            base.encoder.layers()
        )));
    }
    let mut frozen = (config.freeze_layers > 0).then(|| FrozenCache {
        layers: config.freeze_layers,
        kept: HashMap::new(),
    });
    let dev = read_dev(&config.dev)?;
    let weights = class_weights(&examples, config.class_weights);

    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &device);
    let mut model = Classifier::build(vb, &base.encoder, encoder)?;
    model.batch_size = 64;
    initialise(&varmap, &base, config.seed)?;
    let mut opt = AdamW::new(
        named_vars(&varmap),
        AdamWConfig {
            weight_decay: config.weight_decay,
            ..AdamWConfig::default()
        },
    )?;
    let mut state = match load_checkpoint(&config, &varmap, &mut opt)? {
        Some(state) => {
            observe(TrainEvent::Note(format!(
                "resuming from {} at epoch {}, batch {}",
                config.checkpoint_dir.display(),
                state.epoch + 1,
                state.batches_done
            )));
            state
        }
        None => TrainState {
            config: config.clone(),
            epoch: 0,
            batches_done: 0,
            global_step: 0,
            history: Vec::new(),
            best: None,
            epoch_loss_sum: 0.0,
        },
    };
    let batches_per_epoch = examples.len().div_ceil(config.batch_size);
    let total_steps = batches_per_epoch * config.epochs;
    let stance_config = StanceConfig {
        model_id: config.model_id.clone(),
        architecture: base.encoder.architecture(),
        labels: Label::ALL.iter().map(|l| l.name().to_string()).collect(),
        marking: config.marking.clone(),
        base_model: match (&base.stance, config.base_model.is_empty()) {
            (Some(s), _) => s.base_model.clone(),
            (None, false) => config.base_model.clone(),
            (None, true) => base.path.display().to_string(),
        },
        base_sha256: base.weights_sha256.clone(),
        over_base: false,
        int8_check: None,
        calibration: None,
        ensembles: Vec::new(),
    };
    // Above frozen layers of a base slant can fetch again, the model is stored as the
    // tensors training changed (see `StanceConfig::over_base`).
    let stored_over = (config.freeze_layers > 0
        && base.stance.is_none()
        && base_with_sha256(&base.weights_sha256).is_some())
    .then_some(&base.tensors);
    let mut weights_sha256 = None;

    while state.epoch < config.epochs {
        // Checked here rather than after each epoch, so that rerunning a run that stopped
        // early finds it finished instead of training on.
        let since_best = state.epoch - state.best.unwrap_or(0);
        if config.patience > 0 && state.batches_done == 0 && since_best >= config.patience {
            observe(TrainEvent::Note(format!(
                "no dev improvement for {since_best} epoch(s): stopping early"
            )));
            break;
        }
        let epoch = state.epoch;
        let started = Instant::now();
        let batches = epoch_batches(&examples, config.batch_size, config.seed, epoch);
        observe(TrainEvent::Epoch {
            epoch,
            epochs: config.epochs,
            batches: batches.len(),
            done: state.batches_done,
        });
        for batch_index in state.batches_done..batches.len() {
            let members = &batches[batch_index];
            let inputs: Vec<&EncodedInput> = members.iter().map(|&i| &examples[i].input).collect();
            let labels: Vec<Label> = members.iter().map(|&i| examples[i].label).collect();
            let batch = model.encoder().batch(&inputs, &device)?;
            let mut rng = DropoutRng::new(
                config
                    .seed
                    .wrapping_mul(1_000_003)
                    .wrapping_add(state.global_step),
            );
            let mut mode = Mode::Train(&mut rng);
            let logits = match frozen.as_mut() {
                Some(frozen) => {
                    let lower = frozen.lower(&model, &inputs, &device)?;
                    model.logits_above(&lower, &batch, config.freeze_layers, &mut mode)?
                }
                None => model.logits(&batch, &mut mode)?,
            };
            let batch_loss = loss(&logits, &labels, &weights, config.label_smoothing)?;
            let loss_value = batch_loss.to_scalar::<f32>()? as f64;
            if !loss_value.is_finite() {
                return Err(StanceError::Config(format!(
                    "loss became {loss_value} at epoch {}, batch {batch_index}; lower --lr",
                    epoch + 1
                )));
            }
            let grads = batch_loss.backward()?;
            let lr = learning_rate(&config, state.global_step as usize, total_steps);
            opt.step(&grads, lr)?;
            state.global_step += 1;
            state.batches_done = batch_index + 1;
            state.epoch_loss_sum += loss_value;
            observe(TrainEvent::Batch {
                mean_loss: state.epoch_loss_sum / state.batches_done as f64,
            });
            if config.checkpoint_every > 0 && state.batches_done % config.checkpoint_every == 0 {
                save_checkpoint(&config, &state, &varmap, &opt)?;
            }
            if options
                .stop_after_steps
                .is_some_and(|n| state.global_step >= n)
                && state.batches_done < batches.len()
            {
                save_checkpoint(&config, &state, &varmap, &opt)?;
                observe(TrainEvent::EpochTrained);
                observe(TrainEvent::Note(format!(
                    "stopped after {} steps; run again to resume",
                    state.global_step
                )));
                return Ok(Trained {
                    state,
                    weights_sha256: None,
                });
            }
        }
        observe(TrainEvent::EpochTrained);

        let mut dev_results = Vec::new();
        for (file, sentences) in &dev {
            let r: Report = evaluate(&model, sentences, |_| {})?.report();
            dev_results.push(DevResult {
                file: file.clone(),
                macro_f1: r.macro_f1,
                accuracy: r.accuracy,
            });
        }
        let selection = if dev_results.is_empty() {
            0.0
        } else {
            dev_results.iter().map(|d| d.macro_f1).sum::<f64>() / dev_results.len() as f64
        };
        let record = EpochRecord {
            epoch: epoch + 1,
            train_loss: state.epoch_loss_sum / batches.len().max(1) as f64,
            dev: dev_results,
            selection,
            seconds: started.elapsed().as_secs_f64(),
        };
        let dev_text: Vec<String> = record
            .dev
            .iter()
            .map(|d| {
                let name = d
                    .file
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                format!("{name} macro-F1 {:.4}", d.macro_f1)
            })
            .collect();
        let improved = state
            .best_record()
            .is_none_or(|b| record.selection > b.selection)
            || dev.is_empty();
        observe(TrainEvent::Note(format!(
            "epoch {}: train loss {:.4}, {}{} ({:.0} s)",
            record.epoch,
            record.train_loss,
            dev_text.join(", "),
            if improved { ", best so far: saved" } else { "" },
            record.seconds
        )));
        state.history.push(record);
        if improved {
            state.best = Some(epoch + 1);
            weights_sha256 = Some(card::save(
                &config.out,
                &base.path,
                &var_tensors(&varmap),
                &stance_config,
                stored_over,
            )?);
        }
        state.epoch += 1;
        state.batches_done = 0;
        state.epoch_loss_sum = 0.0;
        write_history(&config.out, &state)?;
        save_checkpoint(&config, &state, &varmap, &opt)?;
    }
    if weights_sha256.is_none() && config.out.join(card::WEIGHTS).is_file() {
        let path = config.out.join(card::WEIGHTS);
        weights_sha256 = Some(sha256_hex(&fs::read(&path).map_err(IoError::at(&path))?));
    }
    Ok(Trained {
        state,
        weights_sha256,
    })
}

fn write_history(out: &Path, state: &TrainState) -> Result<(), StanceError> {
    fs::create_dir_all(out).map_err(IoError::at(out))?;
    let json =
        serde_json::to_string_pretty(state).map_err(|e| StanceError::Config(e.to_string()))?;
    Ok(write_atomic(
        &out.join(HISTORY_FILE),
        (json + "\n").as_bytes(),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> TrainConfig {
        TrainConfig {
            base: PathBuf::new(),
            base_model: String::new(),
            base_sha256: None,
            train: PathBuf::new(),
            dev: vec![],
            out: PathBuf::new(),
            checkpoint_dir: PathBuf::new(),
            model_id: "t".into(),
            marking: TargetMarking {
                markers: None,
                pooling: super::super::encoding::Pooling::Cls,
                max_length: 64,
            },
            epochs: 1,
            batch_size: 2,
            learning_rate: 1e-4,
            warmup: 0.1,
            weight_decay: 0.0,
            label_smoothing: 0.0,
            class_weights: ClassWeights::None,
            multi_target_repeats: 1,
            seed: 1,
            patience: 0,
            checkpoint_every: 0,
            limit: None,
            freeze_layers: 0,
        }
    }

    #[test]
    fn learning_rate_warms_up_then_decays_to_zero() {
        let c = config();
        assert!((learning_rate(&c, 0, 100) - 1e-5).abs() < 1e-12);
        assert!((learning_rate(&c, 9, 100) - 1e-4).abs() < 1e-12);
        assert!(learning_rate(&c, 50, 100) < 1e-4);
        assert_eq!(learning_rate(&c, 99, 100), 0.0);
    }

    #[test]
    fn loss_matches_hand_computation() {
        let logits = Tensor::new(&[[0f32, 0., 0.], [2., 0., 0.]], &Device::Cpu).unwrap();
        let labels = [Label::Neutral, Label::Negative];
        let l = loss(&logits, &labels, &[1.0; 3], 0.0)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        let expected = (3f64.ln() + -(2f64.exp() / (2f64.exp() + 2.0)).ln()) / 2.0;
        assert!((l as f64 - expected).abs() < 1e-5, "{l} vs {expected}");
        // Weight 3 on negative: (1*ln3 + 3*x) / 4.
        let l = loss(&logits, &labels, &[3.0, 1.0, 1.0], 0.0)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        let x = -(2f64.exp() / (2f64.exp() + 2.0)).ln();
        assert!((l as f64 - (3f64.ln() + 3.0 * x) / 4.0).abs() < 1e-5);
    }
}
