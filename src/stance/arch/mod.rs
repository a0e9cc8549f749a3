//! Encoder architectures, one file each, and the one place that dispatches on them. A model
//! directory says which it is (`slant.json`'s `architecture`, else `config.json`'s
//! `model_type`); adding one means a file here, an exporter in `onnx/export/`, and an arm in
//! each `match` below.

pub mod bert;

use candle_core::{Result, Tensor};
use candle_nn::VarBuilder;
use serde::{Deserialize, Serialize};

use super::dropout::DropoutRng;
use super::StanceError;
use bert::{Bert, BertConfig};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Architecture {
    Bert,
}

/// Tokens the encoder input is framed with, and the target markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialTokens {
    pub cls: &'static str,
    pub sep: &'static str,
    pub pad: &'static str,
    pub markers: (&'static str, &'static str),
}

/// An encoder's configuration, as read from `config.json`.
#[derive(Debug, Clone, PartialEq)]
pub enum EncoderConfig {
    Bert(BertConfig),
}

impl Architecture {
    /// The architecture `recorded` in slant.json, else the `model_type` of `config.json`.
    pub fn detect(
        recorded: Option<Architecture>,
        config: &serde_json::Value,
    ) -> std::result::Result<Self, StanceError> {
        if let Some(recorded) = recorded {
            return Ok(recorded);
        }
        match config.get("model_type").and_then(|t| t.as_str()) {
            Some("bert") | None => Ok(Architecture::Bert),
            Some(other) => Err(StanceError::Config(format!(
                "config.json: model_type {other:?} is not an architecture slant implements (bert)"
            ))),
        }
    }

    pub fn special_tokens(self) -> SpecialTokens {
        match self {
            Architecture::Bert => bert::SPECIAL_TOKENS,
        }
    }

    /// Reads this architecture's configuration from `config.json`.
    pub fn config(
        self,
        config: serde_json::Value,
    ) -> std::result::Result<EncoderConfig, serde_json::Error> {
        match self {
            Architecture::Bert => Ok(EncoderConfig::Bert(serde_json::from_value(config)?)),
        }
    }
}

impl EncoderConfig {
    pub fn architecture(&self) -> Architecture {
        match self {
            EncoderConfig::Bert(_) => Architecture::Bert,
        }
    }

    pub fn hidden_size(&self) -> usize {
        match self {
            EncoderConfig::Bert(c) => c.hidden_size,
        }
    }

    /// Dropout on the pooled vector in training (the encoder's hidden dropout).
    pub fn hidden_dropout(&self) -> f32 {
        match self {
            EncoderConfig::Bert(c) => c.hidden_dropout_prob,
        }
    }
}

/// A loaded encoder: token ids and mask in, one hidden vector per token out.
pub enum Encoder {
    Bert(Bert),
}

impl Encoder {
    pub fn load(config: &EncoderConfig, vb: VarBuilder) -> Result<Self> {
        match config {
            EncoderConfig::Bert(c) => Ok(Encoder::Bert(Bert::load(c, vb)?)),
        }
    }

    /// Hidden states (batch, seq, hidden).
    pub fn forward(
        &self,
        input_ids: &Tensor,
        attention_mask: &Tensor,
        mode: &mut Mode,
    ) -> Result<Tensor> {
        match self {
            Encoder::Bert(b) => b.forward(input_ids, attention_mask, mode),
        }
    }
}

/// Whether a forward pass is part of training (dropout on, differentiable kernels).
pub enum Mode<'a> {
    Infer,
    Train(&'a mut DropoutRng),
}

impl Mode<'_> {
    fn dropout(&mut self, xs: &Tensor, p: f32) -> Result<Tensor> {
        match self {
            Mode::Infer => Ok(xs.clone()),
            Mode::Train(rng) => rng.apply(xs, p),
        }
    }

    fn is_train(&self) -> bool {
        matches!(self, Mode::Train(_))
    }
}
