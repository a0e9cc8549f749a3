//! Pieces the encoder architectures share: layer norm, the feed-forward block and scaled
//! dot-product attention, each with a training mode (differentiable kernels, dropout).

use candle_core::{Module, Result, Tensor, D};
use candle_nn::{Linear, VarBuilder};

use super::Mode;

pub(super) struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    eps: f64,
}

impl LayerNorm {
    pub(super) fn load(size: usize, eps: f64, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            weight: vb.get(size, "weight")?,
            bias: vb.get(size, "bias")?,
            eps,
        })
    }

    pub(super) fn forward(&self, xs: &Tensor, mode: &Mode) -> Result<Tensor> {
        if mode.is_train() {
            candle_nn::ops::layer_norm_slow(xs, &self.weight, &self.bias, self.eps as f32)
        } else {
            candle_nn::ops::layer_norm(&xs.contiguous()?, &self.weight, &self.bias, self.eps as f32)
        }
    }
}

/// The position-wise block after attention: `intermediate.dense`, GELU, `output.dense`,
/// dropout, residual, `output.LayerNorm` (the Hugging Face names BERT and MPNet share).
struct FeedForward {
    intermediate: Linear,
    output: Linear,
    norm: LayerNorm,
    dropout: f32,
}

impl FeedForward {
    fn load(
        hidden: usize,
        intermediate: usize,
        eps: f64,
        dropout: f32,
        vb: VarBuilder,
    ) -> Result<Self> {
        Ok(Self {
            intermediate: candle_nn::linear(hidden, intermediate, vb.pp("intermediate.dense"))?,
            output: candle_nn::linear(intermediate, hidden, vb.pp("output.dense"))?,
            norm: LayerNorm::load(hidden, eps, vb.pp("output.LayerNorm"))?,
            dropout,
        })
    }

    fn forward(&self, xs: &Tensor, mode: &mut Mode) -> Result<Tensor> {
        let hidden = self.intermediate.forward(xs)?.gelu_erf()?;
        let out = mode.dropout(&self.output.forward(&hidden)?, self.dropout)?;
        self.norm.forward(&(out + xs)?, mode)
    }
}

/// Multi-head scaled dot-product attention over projections already made, without the
/// output projection: `bias` is added to the scores (the padding mask, and MPNet's relative
/// positions), broadcast to (batch, heads, seq, seq).
struct Attention {
    heads: usize,
    head_dim: usize,
    dropout: f32,
}

impl Attention {
    fn new(hidden: usize, heads: usize, dropout: f32) -> Result<Self> {
        if !hidden.is_multiple_of(heads) {
            candle_core::bail!(
                "hidden_size {hidden} is not a multiple of num_attention_heads {heads}"
            );
        }
        Ok(Self {
            heads,
            head_dim: hidden / heads,
            dropout,
        })
    }

    fn split_heads(&self, xs: &Tensor) -> Result<Tensor> {
        let (b, t, _) = xs.dims3()?;
        xs.reshape((b, t, self.heads, self.head_dim))?
            .transpose(1, 2)?
            .contiguous()
    }

    /// The context vectors (batch, seq, hidden) for queries `q`, keys `k` and values `v`, each
    /// (batch, seq, hidden).
    fn forward(
        &self,
        q: &Tensor,
        k: &Tensor,
        v: &Tensor,
        bias: &Tensor,
        mode: &mut Mode,
    ) -> Result<Tensor> {
        let (q, k, v) = (
            self.split_heads(q)?,
            self.split_heads(k)?,
            self.split_heads(v)?,
        );
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        let scores = (q.matmul(&k.t()?)? * scale)?.broadcast_add(bias)?;
        let probs = if mode.is_train() {
            candle_nn::ops::softmax(&scores, D::Minus1)?
        } else {
            candle_nn::ops::softmax_last_dim(&scores)?
        };
        let probs = mode.dropout(&probs, self.dropout)?;
        probs.matmul(&v)?.transpose(1, 2)?.flatten_from(2)
    }
}

/// (batch, 1, 1, seq): 0 for tokens, a large negative for padding, from a (batch, seq) mask of
/// 1.0 and 0.0.
pub(super) fn padding_bias(attention_mask: &Tensor) -> Result<Tensor> {
    ((attention_mask.to_dtype(candle_core::DType::F32)? - 1.0)? * 1e4)?
        .unsqueeze(1)?
        .unsqueeze(1)
}

/// Where one encoder layer's attention parameters are, under `encoder.layer.N.attention`
/// (the feed-forward block's names are the same in BERT and MPNet).
pub(super) struct AttentionNames {
    pub query: &'static str,
    pub key: &'static str,
    pub value: &'static str,
    pub output: &'static str,
    pub norm: &'static str,
}

/// The sizes and rates one encoder layer is built with.
pub(super) struct LayerShape {
    pub hidden: usize,
    pub intermediate: usize,
    pub heads: usize,
    pub eps: f64,
    pub hidden_dropout: f32,
    pub attention_dropout: f32,
}

/// Self-attention with its output projection, dropout, residual and layer norm.
struct SelfAttention {
    query: Linear,
    key: Linear,
    value: Linear,
    attend: Attention,
    output: Linear,
    norm: LayerNorm,
    hidden_dropout: f32,
}

impl SelfAttention {
    fn load(shape: &LayerShape, names: &AttentionNames, vb: VarBuilder) -> Result<Self> {
        let h = shape.hidden;
        Ok(Self {
            query: candle_nn::linear(h, h, vb.pp(names.query))?,
            key: candle_nn::linear(h, h, vb.pp(names.key))?,
            value: candle_nn::linear(h, h, vb.pp(names.value))?,
            attend: Attention::new(h, shape.heads, shape.attention_dropout)?,
            output: candle_nn::linear(h, h, vb.pp(names.output))?,
            norm: LayerNorm::load(h, shape.eps, vb.pp(names.norm))?,
            hidden_dropout: shape.hidden_dropout,
        })
    }

    /// `bias` is added to every attention score: (batch, 1 or heads, 1 or seq, seq).
    fn forward(&self, xs: &Tensor, bias: &Tensor, mode: &mut Mode) -> Result<Tensor> {
        let context = self.attend.forward(
            &self.query.forward(xs)?,
            &self.key.forward(xs)?,
            &self.value.forward(xs)?,
            bias,
            mode,
        )?;
        let out = mode.dropout(&self.output.forward(&context)?, self.hidden_dropout)?;
        self.norm.forward(&(out + xs)?, mode)
    }
}

/// One encoder layer: self-attention, then the feed-forward block.
pub(super) struct Layer {
    attention: SelfAttention,
    feed_forward: FeedForward,
}

impl Layer {
    /// `count` layers from `encoder.layer.0` up.
    pub(super) fn stack(
        count: usize,
        shape: &LayerShape,
        names: &AttentionNames,
        vb: &VarBuilder,
    ) -> Result<Vec<Layer>> {
        (0..count)
            .map(|i| {
                let vb = vb.pp(format!("encoder.layer.{i}"));
                Ok(Layer {
                    attention: SelfAttention::load(shape, names, vb.pp("attention"))?,
                    feed_forward: FeedForward::load(
                        shape.hidden,
                        shape.intermediate,
                        shape.eps,
                        shape.hidden_dropout,
                        vb,
                    )?,
                })
            })
            .collect()
    }

    pub(super) fn forward(&self, xs: &Tensor, bias: &Tensor, mode: &mut Mode) -> Result<Tensor> {
        let xs = self.attention.forward(xs, bias, mode)?;
        self.feed_forward.forward(&xs, mode)
    }
}
