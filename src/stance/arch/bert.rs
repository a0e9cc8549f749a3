//! BERT encoder (Devlin et al. 2019) in candle, written for fine-tuning as well as inference.
//!
//! candle-transformers ships a BERT, but its fast layer-norm and softmax kernels have no
//! backward pass and its dropout is a no-op, so it cannot be fine-tuned. Here `Mode::Train`
//! switches to differentiable ops and real dropout; `Mode::Infer` uses the fused kernels.
//! Parameter names follow the Hugging Face checkpoints (`embeddings.*`, `encoder.layer.N.*`),
//! so sentence-transformers weights load unchanged.

use candle_core::{Module, Result, Tensor};
use candle_nn::{Embedding, VarBuilder};
use serde::{Deserialize, Serialize};

use super::layers::{padding_bias, AttentionNames, Layer, LayerNorm, LayerShape};
use super::{Mode, SpecialTokens};

/// BERT's framing tokens, for a tokenizer file that does not name them.
pub fn special_tokens() -> SpecialTokens {
    SpecialTokens {
        cls: "[CLS]".into(),
        sep: "[SEP]".into(),
        pad: "[PAD]".into(),
    }
}

/// The marker tokens slant wraps a target in: two of the vocabulary's reserved `[unusedN]`
/// entries, so no embedding has to be added.
pub const MARKERS: (&str, &str) = ("[unused0]", "[unused1]");

/// The subset of a Hugging Face `config.json` that the architecture needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    #[serde(default = "default_layer_norm_eps")]
    pub layer_norm_eps: f64,
    #[serde(default = "default_dropout")]
    pub hidden_dropout_prob: f32,
    #[serde(default = "default_dropout")]
    pub attention_probs_dropout_prob: f32,
    #[serde(default = "default_hidden_act")]
    pub hidden_act: String,
}

fn default_layer_norm_eps() -> f64 {
    1e-12
}
fn default_dropout() -> f32 {
    0.1
}
fn default_hidden_act() -> String {
    "gelu".to_string()
}

struct Embeddings {
    word: Embedding,
    position: Embedding,
    token_type: Embedding,
    norm: LayerNorm,
    dropout: f32,
}

impl Embeddings {
    fn load(cfg: &BertConfig, vb: VarBuilder) -> Result<Self> {
        let h = cfg.hidden_size;
        Ok(Self {
            word: candle_nn::embedding(cfg.vocab_size, h, vb.pp("word_embeddings"))?,
            position: candle_nn::embedding(
                cfg.max_position_embeddings,
                h,
                vb.pp("position_embeddings"),
            )?,
            token_type: candle_nn::embedding(
                cfg.type_vocab_size,
                h,
                vb.pp("token_type_embeddings"),
            )?,
            norm: LayerNorm::load(h, cfg.layer_norm_eps, vb.pp("LayerNorm"))?,
            dropout: cfg.hidden_dropout_prob,
        })
    }

    fn forward(&self, input_ids: &Tensor, mode: &mut Mode) -> Result<Tensor> {
        let (_, seq_len) = input_ids.dims2()?;
        let positions = Tensor::arange(0u32, seq_len as u32, input_ids.device())?;
        let token_types = input_ids.zeros_like()?;
        let xs = self
            .word
            .forward(input_ids)?
            .broadcast_add(&self.position.forward(&positions)?)?
            .add(&self.token_type.forward(&token_types)?)?;
        let xs = self.norm.forward(&xs, mode)?;
        mode.dropout(&xs, self.dropout)
    }
}

const ATTENTION_NAMES: AttentionNames = AttentionNames {
    query: "self.query",
    key: "self.key",
    value: "self.value",
    output: "output.dense",
    norm: "output.LayerNorm",
};

/// A BERT encoder returning the last hidden states, (batch, seq, hidden).
pub struct Bert {
    embeddings: Embeddings,
    layers: Vec<Layer>,
    pub config: BertConfig,
}

impl Bert {
    pub fn load(cfg: &BertConfig, vb: VarBuilder) -> Result<Self> {
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
            config: cfg.clone(),
        })
    }
}

impl super::Layered for Bert {
    fn embed(&self, input_ids: &Tensor, _mask: &Tensor, mode: &mut Mode) -> Result<Tensor> {
        self.embeddings.forward(input_ids, mode)
    }

    fn attention_bias(&self, attention_mask: &Tensor) -> Result<Tensor> {
        padding_bias(attention_mask)
    }

    fn layers(&self) -> &[Layer] {
        &self.layers
    }
}
