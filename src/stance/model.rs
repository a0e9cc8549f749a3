//! The stance classifier: an encoder (any `arch`), pooling over the marked mention, a linear
//! head.

use candle_core::{Device, Module, Tensor};
use candle_nn::{Linear, VarBuilder};

use super::arch::{Encoder, EncoderConfig, Mode};
use super::card::{ModelDir, StanceConfig};
use super::encoding::{Batch, EncodedInput, TargetEncoder};
use super::{Label, SentenceTargets, Stance, StanceError, StanceModel};

/// Parameter-name prefix of the classification head; the encoder's names carry none, so
/// sentence-transformers checkpoints load as they are.
pub const HEAD: &str = "head";

pub struct Classifier {
    network: Encoder,
    head: Linear,
    encoder: TargetEncoder,
    device: Device,
    head_dropout: f32,
    /// Encoder inputs per forward pass at inference.
    pub batch_size: usize,
}

impl Classifier {
    /// Builds the network from `vb` (pretrained tensors, or a trainable `VarMap`).
    pub fn build(
        vb: VarBuilder,
        config: &EncoderConfig,
        encoder: TargetEncoder,
    ) -> candle_core::Result<Self> {
        let device = vb.device().clone();
        Ok(Self {
            network: Encoder::load(config, vb.clone())?,
            head: candle_nn::linear(config.hidden_size(), Label::ALL.len(), vb.pp(HEAD))?,
            encoder,
            device,
            head_dropout: config.hidden_dropout(),
            batch_size: 32,
        })
    }

    /// Loads a trained stance model directory (one that has `slant.json`).
    pub fn load(dir: ModelDir) -> Result<(Self, StanceConfig), StanceError> {
        let stance = dir.stance_config()?;
        let encoder = dir.target_encoder(stance.marking.clone())?;
        let vb =
            VarBuilder::from_tensors(dir.tensors.clone(), candle_core::DType::F32, &Device::Cpu);
        let weights = dir.weights_path();
        let model = Self::build(vb, &dir.encoder, encoder).map_err(|e| StanceError::Invalid {
            path: weights,
            message: format!("weights do not fit config.json: {e}"),
        })?;
        Ok((model, stance))
    }

    pub fn encoder(&self) -> &TargetEncoder {
        &self.encoder
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Logits (targets, 3) for every target carried by the batch, in input order.
    pub fn logits(&self, batch: &Batch, mode: &mut Mode) -> candle_core::Result<Tensor> {
        let hidden = self
            .network
            .forward(&batch.input_ids, &batch.attention_mask, mode)?;
        self.head_logits(&hidden, batch, mode)
    }

    /// The embeddings and lowest `frozen` layers of one input alone (ids without padding):
    /// (1, len, hidden), cut off from the gradient.
    pub fn frozen_part(&self, ids: &[u32], frozen: usize) -> candle_core::Result<Tensor> {
        let input_ids = Tensor::new(ids, &self.device)?.unsqueeze(0)?;
        let mask = Tensor::ones((1, ids.len()), candle_core::DType::F32, &self.device)?;
        self.network.frozen_part(&input_ids, &mask, frozen)
    }

    /// Logits as `logits`, from `lower`, the batch's output of the lowest `from` layers.
    pub fn logits_above(
        &self,
        lower: &Tensor,
        batch: &Batch,
        from: usize,
        mode: &mut Mode,
    ) -> candle_core::Result<Tensor> {
        let hidden = self
            .network
            .layers_from(lower, &batch.attention_mask, from, mode)?;
        self.head_logits(&hidden, batch, mode)
    }

    /// Each target's pooled hidden states through the head.
    fn head_logits(
        &self,
        hidden: &Tensor,
        batch: &Batch,
        mode: &mut Mode,
    ) -> candle_core::Result<Tensor> {
        let per_target = hidden.index_select(&batch.input_of, 0)?;
        let pooled = batch
            .pool_weights
            .unsqueeze(1)?
            .matmul(&per_target)?
            .squeeze(1)?;
        let pooled = match mode {
            Mode::Infer => pooled,
            Mode::Train(rng) => rng.apply(&pooled, self.head_dropout)?,
        };
        self.head.forward(&pooled)
    }

    fn probabilities(&self, inputs: &[&EncodedInput]) -> candle_core::Result<Vec<[f32; 3]>> {
        let batch = self.encoder.batch(inputs, &self.device)?;
        let logits = self.logits(&batch, &mut Mode::Infer)?;
        let probs = candle_nn::ops::softmax_last_dim(&logits)?.to_vec2::<f32>()?;
        Ok(probs.into_iter().map(|p| [p[0], p[1], p[2]]).collect())
    }
}

impl StanceModel for Classifier {
    fn score(&self, sentences: &[SentenceTargets]) -> Result<Vec<Vec<Stance>>, StanceError> {
        self.encoder
            .score_in_batches(sentences, self.batch_size, |inputs| {
                Ok(self.probabilities(inputs)?)
            })
    }
}
