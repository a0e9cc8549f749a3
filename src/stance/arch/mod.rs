//! Encoder architectures, one file each, and the one place that dispatches on them. A model
//! directory says which it is (`slant.json`'s `architecture`, else `config.json`'s
//! `model_type`); adding one means a file here, an exporter in `onnx/export/`, and an arm in
//! each `match` below.

pub mod bert;
mod layers;
pub mod mpnet;

use candle_core::{Result, Tensor};
use candle_nn::VarBuilder;
use serde::{Deserialize, Serialize};
use tokenizers::Tokenizer;

use super::dropout::DropoutRng;
use super::StanceError;
use bert::{Bert, BertConfig};
use mpnet::{Mpnet, MpnetConfig};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Architecture {
    Bert,
    Mpnet,
}

/// The tokens an encoder input is framed with: `cls` text `sep`, then `pad` to the batch's
/// longest input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialTokens {
    pub cls: String,
    pub sep: String,
    pub pad: String,
}

impl SpecialTokens {
    /// The tokens `tokenizer`'s own file names: the first and last special token its
    /// post-processor puts around a single sequence, and its padding token. What it does not
    /// name is taken from `defaults` (the architecture's).
    pub fn read(tokenizer: &Tokenizer, defaults: SpecialTokens) -> SpecialTokens {
        let framing = tokenizer
            .get_post_processor()
            .and_then(|p| serde_json::to_value(p).ok())
            .and_then(|p| framing_tokens(&p));
        let (cls, sep) = framing.unwrap_or((defaults.cls, defaults.sep));
        let pad = tokenizer
            .get_padding()
            .map_or(defaults.pad, |p| p.pad_token.clone());
        SpecialTokens { cls, sep, pad }
    }
}

/// (first, last) special token of a serialized post-processor: `TemplateProcessing`'s single
/// template, or the `cls` and `sep` of `BertProcessing` / `RobertaProcessing`.
fn framing_tokens(processor: &serde_json::Value) -> Option<(String, String)> {
    let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
    match processor.get("type")?.as_str()? {
        "TemplateProcessing" => {
            let specials: Vec<String> = processor
                .get("single")?
                .as_array()?
                .iter()
                .filter_map(|piece| text(piece.get("SpecialToken")?.get("id")?))
                .collect();
            Some((specials.first()?.clone(), specials.last()?.clone()))
        }
        "BertProcessing" | "RobertaProcessing" => Some((
            text(processor.get("cls")?.get(0)?)?,
            text(processor.get("sep")?.get(0)?)?,
        )),
        _ => None,
    }
}

/// An encoder's configuration, as read from `config.json`.
#[derive(Debug, Clone, PartialEq)]
pub enum EncoderConfig {
    Bert(BertConfig),
    Mpnet(MpnetConfig),
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
            Some("mpnet") => Ok(Architecture::Mpnet),
            Some(other) => Err(StanceError::Config(format!(
                "config.json: model_type {other:?} is not an architecture slant implements (bert, mpnet)"
            ))),
        }
    }

    /// The framing tokens to assume when the tokenizer file does not name them.
    pub fn default_special_tokens(self) -> SpecialTokens {
        match self {
            Architecture::Bert => bert::special_tokens(),
            Architecture::Mpnet => mpnet::special_tokens(),
        }
    }

    /// The (start, end) tokens that mark a target when training with markers.
    pub fn markers(self) -> (&'static str, &'static str) {
        match self {
            Architecture::Bert => bert::MARKERS,
            Architecture::Mpnet => mpnet::MARKERS,
        }
    }

    /// Reads this architecture's configuration from `config.json`.
    pub fn config(
        self,
        config: serde_json::Value,
    ) -> std::result::Result<EncoderConfig, serde_json::Error> {
        match self {
            Architecture::Bert => Ok(EncoderConfig::Bert(serde_json::from_value(config)?)),
            Architecture::Mpnet => Ok(EncoderConfig::Mpnet(serde_json::from_value(config)?)),
        }
    }
}

impl EncoderConfig {
    pub fn architecture(&self) -> Architecture {
        match self {
            EncoderConfig::Bert(_) => Architecture::Bert,
            EncoderConfig::Mpnet(_) => Architecture::Mpnet,
        }
    }

    pub fn hidden_size(&self) -> usize {
        match self {
            EncoderConfig::Bert(c) => c.hidden_size,
            EncoderConfig::Mpnet(c) => c.hidden_size,
        }
    }

    pub fn layers(&self) -> usize {
        match self {
            EncoderConfig::Bert(c) => c.num_hidden_layers,
            EncoderConfig::Mpnet(c) => c.num_hidden_layers,
        }
    }

    /// Dropout on the pooled vector in training (the encoder's hidden dropout).
    pub fn hidden_dropout(&self) -> f32 {
        match self {
            EncoderConfig::Bert(c) => c.hidden_dropout_prob,
            EncoderConfig::Mpnet(c) => c.hidden_dropout_prob,
        }
    }
}

/// A loaded encoder: token ids and mask in, one hidden vector per token out.
pub enum Encoder {
    Bert(Bert),
    Mpnet(Mpnet),
}

impl Encoder {
    pub fn load(config: &EncoderConfig, vb: VarBuilder) -> Result<Self> {
        match config {
            EncoderConfig::Bert(c) => Ok(Encoder::Bert(Bert::load(c, vb)?)),
            EncoderConfig::Mpnet(c) => Ok(Encoder::Mpnet(Mpnet::load(c, vb)?)),
        }
    }

    fn layered(&self) -> &dyn Layered {
        match self {
            Encoder::Bert(b) => b,
            Encoder::Mpnet(m) => m,
        }
    }

    /// Hidden states (batch, seq, hidden). `attention_mask` is (batch, seq) of 1.0 for tokens
    /// and 0.0 for padding, padding on the right.
    pub fn forward(
        &self,
        input_ids: &Tensor,
        attention_mask: &Tensor,
        mode: &mut Mode,
    ) -> Result<Tensor> {
        let embedded = self.layered().embed(input_ids, attention_mask, mode)?;
        self.layers_from(&embedded, attention_mask, 0, mode)
    }

    /// The embeddings and the lowest `frozen` layers, in inference mode and cut off from the
    /// gradient: what training with frozen layers computes once per input and keeps.
    pub fn frozen_part(
        &self,
        input_ids: &Tensor,
        attention_mask: &Tensor,
        frozen: usize,
    ) -> Result<Tensor> {
        let net = self.layered();
        let bias = net.attention_bias(attention_mask)?;
        let mut xs = net.embed(input_ids, attention_mask, &mut Mode::Infer)?;
        for layer in &net.layers()[..frozen] {
            xs = layer.forward(&xs, &bias, &mut Mode::Infer)?;
        }
        Ok(xs.detach())
    }

    /// Layers `from` and up over `xs`, the output of the layers below. With frozen layers the
    /// attention bias is frozen too (MPNet's relative-position table feeds every layer, the
    /// frozen ones included, so kept outputs stay exact).
    pub fn layers_from(
        &self,
        xs: &Tensor,
        attention_mask: &Tensor,
        from: usize,
        mode: &mut Mode,
    ) -> Result<Tensor> {
        let net = self.layered();
        let mut bias = net.attention_bias(attention_mask)?;
        if from > 0 {
            bias = bias.detach();
        }
        let mut xs = xs.clone();
        for layer in &net.layers()[from..] {
            xs = layer.forward(&xs, &bias, mode)?;
        }
        Ok(xs)
    }
}

/// An encoder as embeddings and a stack of layers, which `Encoder` runs (all of them, or
/// the frozen and the trained part separately).
trait Layered {
    fn embed(&self, input_ids: &Tensor, attention_mask: &Tensor, mode: &mut Mode)
        -> Result<Tensor>;
    /// What every layer's attention scores get added: the padding mask, and whatever the
    /// architecture adds by position.
    fn attention_bias(&self, attention_mask: &Tensor) -> Result<Tensor>;
    fn layers(&self) -> &[layers::Layer];
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

#[cfg(test)]
mod tests {
    use super::*;
    use tokenizers::models::wordlevel::WordLevel;
    use tokenizers::processors::template::TemplateProcessing;

    fn tokenizer(vocab: &[&str]) -> Tokenizer {
        let vocab = vocab
            .iter()
            .enumerate()
            .map(|(i, t)| (t.to_string(), i as u32))
            .collect();
        let model = WordLevel::builder()
            .vocab(vocab)
            .unk_token("<unk>".into())
            .build()
            .unwrap();
        Tokenizer::new(model)
    }

    #[test]
    fn framing_tokens_come_from_the_tokenizer_file_else_the_architecture() {
        let bare = tokenizer(&["<unk>", "[CLS]"]);
        assert_eq!(
            SpecialTokens::read(&bare, bert::special_tokens()),
            bert::special_tokens()
        );
        let mut roberta_like = tokenizer(&["<s>", "<pad>", "</s>", "<unk>"]);
        let template = TemplateProcessing::builder()
            .try_single("<s> $A </s>")
            .unwrap()
            .special_tokens(vec![("<s>", 0), ("</s>", 2)])
            .build()
            .unwrap();
        roberta_like.with_post_processor(Some(template));
        let read = SpecialTokens::read(&roberta_like, bert::special_tokens());
        assert_eq!((read.cls.as_str(), read.sep.as_str()), ("<s>", "</s>"));
        assert_eq!(read.pad, "[PAD]", "no padding in the file: the default");
    }

    #[test]
    fn the_architecture_is_recorded_or_read_from_config() {
        let config = serde_json::json!({"model_type": "bert"});
        assert_eq!(
            Architecture::detect(None, &config).unwrap(),
            Architecture::Bert
        );
        let other = serde_json::json!({"model_type": "gpt2"});
        let err = Architecture::detect(None, &other).unwrap_err().to_string();
        assert!(err.contains("gpt2"), "{err}");
        assert_eq!(
            Architecture::detect(Some(Architecture::Bert), &other).unwrap(),
            Architecture::Bert
        );
    }
}
