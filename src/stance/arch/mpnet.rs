//! MPNet encoder (Song et al. 2020) in candle, for fine-tuning as well as inference; the
//! architecture of sentence-transformers' all-mpnet-base-v2. candle-transformers has none.
//!
//! It is BERT with three differences: no token-type embeddings; absolute positions counted
//! RoBERTa-style, from `pad_token_id + 1` over the real tokens; and a learned bias on every
//! attention score by the bucketed relative distance between query and key (T5-style, one
//! table shared by all layers). Parameter names follow the Hugging Face checkpoint
//! (`embeddings.*`, `encoder.layer.N.attention.attn.{q,k,v,o}`, `encoder.relative_attention_bias`).

use candle_core::{DType, Module, Result, Tensor};
use candle_nn::{Embedding, VarBuilder};
use serde::{Deserialize, Serialize};

use super::layers::{padding_bias, AttentionNames, Layer, LayerNorm, LayerShape};
use super::{Mode, SpecialTokens};

/// MPNet's framing tokens, for a tokenizer file that does not name them.
pub fn special_tokens() -> SpecialTokens {
    SpecialTokens {
        cls: "<s>".into(),
        sep: "</s>".into(),
        pad: "<pad>".into(),
    }
}

/// The vocabulary keeps BERT's reserved `[unusedN]` entries, so the markers are BERT's.
pub const MARKERS: (&str, &str) = super::bert::MARKERS;

/// The distance beyond which relative positions share the last bucket.
const MAX_DISTANCE: i64 = 128;

/// The subset of a Hugging Face `config.json` that the architecture needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MpnetConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    #[serde(default = "default_buckets")]
    pub relative_attention_num_buckets: usize,
    #[serde(default = "default_pad")]
    pub pad_token_id: u32,
    #[serde(default = "default_layer_norm_eps")]
    pub layer_norm_eps: f64,
    #[serde(default = "default_dropout")]
    pub hidden_dropout_prob: f32,
    #[serde(default = "default_dropout")]
    pub attention_probs_dropout_prob: f32,
    #[serde(default = "default_hidden_act")]
    pub hidden_act: String,
}

fn default_buckets() -> usize {
    32
}
fn default_pad() -> u32 {
    1
}
fn default_layer_norm_eps() -> f64 {
    1e-5
}
fn default_dropout() -> f32 {
    0.1
}
fn default_hidden_act() -> String {
    "gelu".to_string()
}

/// The bucket of the relative distance `key - query`, as Hugging Face's
/// `MPNetEncoder.relative_position_bucket`: half the buckets for keys before the query, half
/// for after; inside each half, exact distances below a quarter of the buckets, then
/// logarithmic steps up to `MAX_DISTANCE`. Computed in f32 like the reference, so the rare
/// distance on a bucket edge falls on the same side.
pub fn relative_bucket(relative: i64, buckets: usize) -> u32 {
    let half = (buckets / 2) as i64;
    let n = -relative;
    let mut bucket = if n < 0 { half } else { 0 };
    let n = n.abs();
    let exact = half / 2;
    bucket += if n < exact {
        n
    } else {
        let log_ratio = (n as f32 / exact as f32).ln()
            / ((MAX_DISTANCE as f64 / exact as f64).ln() as f32)
            * (half - exact) as f32;
        (exact + log_ratio as i64).min(half - 1)
    };
    bucket as u32
}

/// The bucket of every (query, key) pair of a `seq`-long input, row-major.
pub fn bucket_table(seq: usize, buckets: usize) -> Vec<u32> {
    (0..seq as i64)
        .flat_map(|q| (0..seq as i64).map(move |k| relative_bucket(k - q, buckets)))
        .collect()
}

struct Embeddings {
    word: Embedding,
    position: Embedding,
    norm: LayerNorm,
    pad: u32,
    dropout: f32,
}

impl Embeddings {
    fn load(cfg: &MpnetConfig, vb: VarBuilder) -> Result<Self> {
        let h = cfg.hidden_size;
        Ok(Self {
            word: candle_nn::embedding(cfg.vocab_size, h, vb.pp("word_embeddings"))?,
            position: candle_nn::embedding(
                cfg.max_position_embeddings,
                h,
                vb.pp("position_embeddings"),
            )?,
            norm: LayerNorm::load(h, cfg.layer_norm_eps, vb.pp("LayerNorm"))?,
            pad: cfg.pad_token_id,
            dropout: cfg.hidden_dropout_prob,
        })
    }

    /// Real tokens are at positions `pad + 1, pad + 2, ...`, padding at `pad` (inputs are
    /// padded on the right, so the mask says which is which).
    fn forward(&self, input_ids: &Tensor, mask: &Tensor, mode: &mut Mode) -> Result<Tensor> {
        let positions = ((mask.cumsum(1)? * mask)? + self.pad as f64)?.to_dtype(DType::U32)?;
        let xs = self
            .word
            .forward(input_ids)?
            .add(&self.position.forward(&positions)?)?;
        let xs = self.norm.forward(&xs, mode)?;
        mode.dropout(&xs, self.dropout)
    }
}

const ATTENTION_NAMES: AttentionNames = AttentionNames {
    query: "attn.q",
    key: "attn.k",
    value: "attn.v",
    output: "attn.o",
    norm: "LayerNorm",
};

/// An MPNet encoder returning the last hidden states, (batch, seq, hidden).
pub struct Mpnet {
    embeddings: Embeddings,
    layers: Vec<Layer>,
    /// (buckets, heads): the learned bias per relative-distance bucket and head.
    relative_bias: Embedding,
    pub config: MpnetConfig,
}

impl Mpnet {
    pub fn load(cfg: &MpnetConfig, vb: VarBuilder) -> Result<Self> {
        if cfg.hidden_act != "gelu" {
            candle_core::bail!("unsupported hidden_act {:?}: only \"gelu\"", cfg.hidden_act);
        }
        let shape = LayerShape {
            hidden: cfg.hidden_size,
            intermediate: cfg.intermediate_size,
            heads: cfg.num_attention_heads,
            eps: cfg.layer_norm_eps,
            hidden_dropout: cfg.hidden_dropout_prob,
            attention_dropout: cfg.attention_probs_dropout_prob,
        };
        let layers = Layer::stack(cfg.num_hidden_layers, &shape, &ATTENTION_NAMES, &vb)?;
        Ok(Self {
            embeddings: Embeddings::load(cfg, vb.pp("embeddings"))?,
            layers,
            relative_bias: candle_nn::embedding(
                cfg.relative_attention_num_buckets,
                cfg.num_attention_heads,
                vb.pp("encoder.relative_attention_bias"),
            )?,
            config: cfg.clone(),
        })
    }

    /// (1, heads, seq, seq): each head's bias for every (query, key) pair.
    fn position_bias(&self, seq: usize, device: &candle_core::Device) -> Result<Tensor> {
        let buckets = bucket_table(seq, self.config.relative_attention_num_buckets);
        let buckets = Tensor::from_vec(buckets, seq * seq, device)?;
        self.relative_bias
            .forward(&buckets)?
            .reshape((seq, seq, self.config.num_attention_heads))?
            .permute((2, 0, 1))?
            .unsqueeze(0)
    }
}

impl super::Layered for Mpnet {
    /// Padding is on the right, so the mask numbers the positions.
    fn embed(&self, input_ids: &Tensor, mask: &Tensor, mode: &mut Mode) -> Result<Tensor> {
        self.embeddings
            .forward(input_ids, &mask.to_dtype(DType::F32)?, mode)
    }

    /// The padding mask plus the relative-position bias, (batch, heads, seq, seq).
    fn attention_bias(&self, attention_mask: &Tensor) -> Result<Tensor> {
        let (_, seq) = attention_mask.dims2()?;
        padding_bias(attention_mask)?
            .broadcast_add(&self.position_bias(seq, attention_mask.device())?)?
            .contiguous()
    }

    fn layers(&self) -> &[Layer] {
        &self.layers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_buckets_are_exact_near_and_logarithmic_far() {
        // Keys before the query take the lower half, keys after the upper half.
        assert_eq!(relative_bucket(0, 32), 0);
        assert_eq!(relative_bucket(-1, 32), 1);
        assert_eq!(relative_bucket(1, 32), 17);
        assert_eq!(relative_bucket(-7, 32), 7);
        // From distance 8 on, log steps: 8 -> 8, 16 -> 10, 32 -> 12, 64 -> 14, then capped.
        assert_eq!(relative_bucket(-8, 32), 8);
        assert_eq!(relative_bucket(-16, 32), 10);
        assert_eq!(relative_bucket(-32, 32), 12);
        assert_eq!(relative_bucket(-64, 32), 14);
        assert_eq!(relative_bucket(-127, 32), 15);
        assert_eq!(relative_bucket(-500, 32), 15);
        assert_eq!(relative_bucket(500, 32), 31);
        let table = bucket_table(3, 32);
        assert_eq!(table, vec![0, 17, 18, 1, 0, 17, 2, 1, 0]);
    }
}
